"""The queue figure on held-out songs, in one command: song-grouped K-fold over the shared EMOPIA clips.

    python -m player.queue_cv --work-dir /tmp/audio_work [--folds 5] [--cfg '{"l2": 0.02}']
                              [--weights '{"quadrant_doubt": 1.0}'] [--sweep-doubt 0.5,1,2,3,4,6,8]
        -> {"p_at_10", "ndcg_at_10", "emotion_match_accuracy", "per_fold": [...], "audio": {...}}

For each fold, the audio model's heads are trained (emotion.train_audio, same recipe and seeds as its CV) on the
other folds' songs, the fold's clips (default rendering, featurised exactly as the tagger does) are tagged by that
model, and the planner plans 10 tracks in match mode for each quadrant's centre over a library of just that
fold's clips (about 175 clips, 44 per quadrant: the size of the held-out set), scored as `eval queue` scores
(player.queue_eval.score_plans). The figures are means over the folds. --sweep-doubt also plans with each given
quadrant-doubt weight and reports the nested choice: for each fold, the weight best on the other folds, scored
on that fold (ties broken toward the smaller and toward the larger weight). Needs the render/feature cache of
`python -m emotion.train_audio --work-dir DIR` (it featurises what is missing). Nothing here is written into
the shipped model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from emotion.mood_space import QUADRANT_CENTRES, QUADRANTS
from player.queue_eval import score_plans


def track_of(item: dict, pred: dict) -> dict[str, Any]:
    """The store fields the tagger would write for this clip (no tags: no artist, as in `eval queue`)."""
    return {"path": item["clip"], "title": item["clip"], "artist": "", "valence": pred["valence"],
            "arousal": pred["arousal"], "quadrant": pred["quadrant"], "moods": pred["moods"],
            "model_version": pred["model_version"]}


def plan_and_score(tracks: list[dict], truth: dict[str, str], weights: dict[str, float] | None = None,
                   n: int = 10) -> dict[str, Any]:
    from dataclasses import replace

    from player.planner import Planner

    planner = Planner(tracks)
    if weights:
        planner.weights = replace(planner.weights, **weights)
    plans = {q: [p.path for p in planner.plan(QUADRANT_CENTRES[q], "match", n=n)] for q in QUADRANTS}
    return score_plans(plans, truth, k=n)


def out_of_fold(work_dir: Path, cfg_over: dict, folds: int, seed: int, threads: int,
                data_dir: Path | None = None, limit: int | None = None,
                max_steps: int | None = None) -> tuple[list[tuple[int, dict, dict]], dict]:
    """(fold, item, prediction) of every EMOPIA clip's default rendering, and the audio CV scores."""
    import torch

    from emotion import train_audio as ta
    from emotion.audio_model import default_weights_path

    torch.set_num_threads(max(1, threads))
    cfg = {**ta.DEFAULT_CFG, **cfg_over, "folds": folds}
    data_dir = data_dir or ta.shared_data()
    tensors = ta.frozen_tensors(work_dir, default_weights_path())
    emo_items, emf_items = ta.prepare(work_dir, data_dir, cfg["n_renders"], threads, tensors, limit,
                                      **ta.feature_kind(cfg))
    ta.standardise_emotify(emf_items)
    emo, emf = ta.feature_pairs(emo_items, cfg), ta.feature_pairs(emf_items, cfg)
    out: list[tuple[int, dict, dict]] = []
    cv = ta.run_cv(emo, emf, cfg, seed, max_steps, oof=out)
    audio = {k: round(v, 4) for k, v in cv["pooled"].items() if k != "blend"}
    return out, audio


def queue_scores(oof: list[tuple[int, dict, dict]], weights: dict[str, float] | None = None) -> dict[str, Any]:
    folds = sorted({f for f, _, _ in oof})
    per_fold = []
    for f in folds:
        rows = [(it, p) for fo, it, p in oof if fo == f]
        tracks = [track_of(it, p) for it, p in rows]
        truth = {it["clip"]: it["quadrant"] for it, _ in rows}
        s = plan_and_score(tracks, truth, weights)
        s["fold"] = f
        s["n"] = len(tracks)
        s["tagger_quadrant_accuracy"] = round(float(np.mean([p["quadrant"] == it["quadrant"] for it, p in rows])), 4)
        per_fold.append(s)
    res: dict[str, Any] = {}
    for key in ("emotion_match_accuracy", "p_at_10", "ndcg_at_10", "tagger_quadrant_accuracy"):
        vals = [s[key] for s in per_fold]
        res[key] = round(float(np.mean(vals)), 4)
        res[key + "_fold_sd"] = round(float(np.std(vals)), 4)
    res["per_quadrant_p_at_10"] = {q: round(float(np.mean([s["per_quadrant"][q]["p_at_10"] for s in per_fold])), 4)
                                   for q in QUADRANTS}
    res["per_fold"] = [{k: s[k] for k in ("fold", "n", "p_at_10", "ndcg_at_10", "tagger_quadrant_accuracy")}
                       for s in per_fold]
    return res


def doubt_sweep(oof: list[tuple[int, dict, dict]], weights: list[float]) -> dict[str, Any]:
    """P@10 per fold for each quadrant-doubt weight, and the nested choice of the weight (see the module doc)."""
    per = {w: [f["p_at_10"] for f in queue_scores(oof, {"quadrant_doubt": w})["per_fold"]] for w in weights}
    folds = range(len(next(iter(per.values()))))
    nested = {}
    for name, tie in (("ties_to_smaller", -1.0), ("ties_to_larger", 1.0)):
        picks = [max(weights, key=lambda w, f=f: (np.mean([per[w][g] for g in folds if g != f]), tie * w))
                 for f in folds]
        nested[name] = {"weights": picks, "p_at_10": round(float(np.mean([per[w][f] for w, f in
                                                                           zip(picks, folds)])), 4)}
    return {"p_at_10": {str(w): round(float(np.mean(v)), 4) for w, v in per.items()},
            "per_fold": {str(w): v for w, v in per.items()}, "nested": nested}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="queue_cv", description=__doc__.split("\n")[0])
    ap.add_argument("--work-dir", type=Path, default=Path("/tmp/audio_work"))
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261122, help="the audio CV's seed (same folds)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cfg", default="{}", help="JSON overrides of the audio training config")
    ap.add_argument("--weights", default="{}", help="JSON overrides of the planner's Weights")
    ap.add_argument("--sweep-doubt", default="", help="comma-separated quadrant-doubt weights to compare")
    ap.add_argument("--tiny", action="store_true", help="a few clips, a few steps (tests)")
    args = ap.parse_args(argv)
    t0 = time.time()
    cfg = json.loads(args.cfg)
    limit = max_steps = None
    if args.tiny:
        cfg = {"n_heads": 1, "n_renders": 1, "use_aug": False, **cfg}
        limit, max_steps = 8, 3
    oof, audio = out_of_fold(args.work_dir, cfg, args.folds, args.seed, args.threads, args.data_dir, limit,
                             max_steps)
    res = queue_scores(oof, json.loads(args.weights) or None)
    if args.sweep_doubt:
        res["doubt_sweep"] = doubt_sweep(oof, [float(w) for w in args.sweep_doubt.split(",")])
    res.update({"audio_cv": audio, "folds": args.folds, "clips": len(oof), "strategy": "match",
                "seconds": round(time.time() - t0, 1)})
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
