"""`eval queue`: the whole chain on labelled music: render, scan, tag with the shipped model, plan, score.

    python main.py eval queue --midi-dir DIR --labels CSV [--per-quadrant K] [--weights FILE]
        -> {"n", "emotion_match_accuracy", "p_at_10", "ndcg_at_10", ...}

Labels in EMOPIA format (clip,song,quadrant,valence,arousal). Each clip's MIDI is rendered with fluidsynth
(library.synth, cached by content under the cache dir), the renders are scanned into a temporary store
(library.scanner.scan_folder), tagged by the audio model (emotion.tagger.Tagger with
emotion.audio_model.AudioMoodModel), and then, for each quadrant's centre, the planner builds 10 tracks in
match mode. Relevance of a planned track = its true quadrant equals the target quadrant.

- emotion_match_accuracy: share of all planned tracks whose true quadrant is the target quadrant;
- p_at_10: mean over the four targets of the precision of the first 10 planned tracks;
- ndcg_at_10: mean over the targets of DCG@10 / ideal DCG@10 (binary relevance, log2 discount; the ideal
  puts min(10, relevant tracks in the library) relevant tracks first).
Also reported: the tagger's own quadrant accuracy on the same library and the chance level (the share of
each target quadrant in the library), so the planner's gain over tagging can be read off.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from emotion.mood_space import QUADRANT_CENTRES, QUADRANTS


def log(msg: str) -> None:
    print(f"[eval queue] {msg}", file=sys.stderr, flush=True)


def read_labels(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    need = {"clip", "quadrant"}
    if rows and not need <= set(rows[0]):
        raise ValueError(f"{path}: expected EMOPIA columns clip,song,quadrant,valence,arousal")
    return rows


def select(rows: list[dict[str, str]], per_quadrant: int | None, seed: int) -> list[dict[str, str]]:
    """Up to per_quadrant clips of each quadrant, chosen at random (seeded) from the sorted rows."""
    if not per_quadrant:
        return rows
    out = []
    for q in QUADRANTS:
        qs = sorted((r for r in rows if r["quadrant"] == q), key=lambda r: r["clip"])
        random.Random(f"{seed}:{q}").shuffle(qs)
        out += qs[:per_quadrant]
    return out


def render_all(
    rows: list[dict[str, str]], midi_dir: Path, lib_dir: Path, cache: Path, jobs: int
) -> dict[str, str]:
    """Render each clip (cached) and place it in lib_dir as <clip>.wav; returns path -> clip."""
    from library.synth import default_soundfont, render_midi

    sf = default_soundfont()

    def one(row: dict[str, str]) -> tuple[str, str] | None:
        midi = midi_dir / f"{row['clip']}.mid"
        if not midi.is_file():
            return None
        try:
            from emotion.audio_eval import render_cached  # share the audio eval's render cache

            wav = render_cached(midi, cache)
        except ImportError:
            wav = cache / f"{midi.stem}.wav"
            if not wav.is_file():
                render_midi(midi, wav, soundfont=sf, sample_rate=22050)
        dst = lib_dir / f"{row['clip']}.wav"
        try:
            os.link(wav, dst)
        except OSError:
            shutil.copyfile(wav, dst)
        return str(dst.resolve()), row["clip"]

    out: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        for res in ex.map(one, rows):
            if res is not None:
                out[res[0]] = res[1]
    return out


def dcg(rels: list[int]) -> float:
    return sum(r / math.log2(i + 2) for i, r in enumerate(rels))


def score_plans(plans: dict[str, list[str]], truth: dict[str, str], k: int = 10) -> dict[str, Any]:
    """plans: target quadrant -> planned paths; truth: path -> true quadrant (the library)."""
    counts = Counter(truth.values())
    planned = hits = 0
    precisions, ndcgs, per_q = [], [], {}
    for q, paths in plans.items():
        rels = [int(truth.get(p) == q) for p in paths[:k]]
        planned += len(rels)
        hits += sum(rels)
        prec = sum(rels) / k
        ideal = dcg([1] * min(k, counts.get(q, 0)))
        nd = dcg(rels) / ideal if ideal > 0 else 0.0
        precisions.append(prec)
        ndcgs.append(nd)
        per_q[q] = {
            "p_at_10": round(prec, 4),
            "ndcg_at_10": round(nd, 4),
            "planned": len(rels),
            "chance": round(counts.get(q, 0) / max(1, len(truth)), 4),
        }
    return {
        "emotion_match_accuracy": round(hits / planned, 4) if planned else None,
        "p_at_10": round(sum(precisions) / len(precisions), 4) if precisions else None,
        "ndcg_at_10": round(sum(ndcgs) / len(ndcgs), 4) if ndcgs else None,
        "per_quadrant": per_q,
    }


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    while argv and argv[0] in ("eval", "queue"):
        argv = argv[1:]
    ap = argparse.ArgumentParser(
        prog="eval queue", description="end-to-end queue evaluation on labelled MIDI"
    )
    ap.add_argument("--midi-dir", type=Path, required=True)
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument(
        "--per-quadrant", type=int, default=None, help="use at most K clips per quadrant (seeded)"
    )
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=10, help="tracks planned per target")
    ap.add_argument("--weights", type=Path, default=None, help="audio model weights (default: shipped)")
    ap.add_argument("--cache-dir", type=Path, default=None, help="render cache (default: the app cache dir)")
    ap.add_argument("--work-dir", type=Path, default=None, help="keep the library + store here")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    from emotion.audio_model import AudioMoodModel

    rows = select(read_labels(args.labels), args.per_quadrant, args.seed)
    model = AudioMoodModel.load(args.weights, threads=args.threads)
    res = evaluate(
        rows,
        args.midi_dir,
        model,
        n=args.n,
        cache=args.cache_dir,
        work_dir=args.work_dir,
        threads=args.threads,
    )
    print(json.dumps(res))
    return 0


def evaluate(
    rows: list[dict[str, str]],
    midi_dir: Path,
    model: Any,
    n: int = 10,
    cache: Path | None = None,
    work_dir: Path | None = None,
    threads: int = 2,
) -> dict[str, Any]:
    """Render, scan, tag with `model` (predict_file + version), plan and score. Returns the result dict."""
    from emotion.tagger import Tagger
    from library.scanner import scan_folder
    from library.store import Store
    from player.planner import Planner

    t0 = time.time()
    if cache is None:
        from library.paths import cache_dir

        cache = cache_dir() / "eval_renders"
    cache.mkdir(parents=True, exist_ok=True)
    tmp = None
    if work_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="moodtape_eval_queue_")
        work = Path(tmp.name)
    else:
        work = work_dir
    try:
        lib_dir = work / "library"
        lib_dir.mkdir(parents=True, exist_ok=True)
        clip_of = render_all(rows, midi_dir, lib_dir, cache, threads)
        log(f"rendered {len(clip_of)} of {len(rows)} clips in {time.time() - t0:.0f} s")
        label = {r["clip"]: r["quadrant"] for r in rows}
        store = Store(work / "store.json")
        try:
            scan = scan_folder(store, str(lib_dir), workers=1)
            log(f"scanned: {scan.summary() if hasattr(scan, 'summary') else scan}")
            t1 = time.time()
            summary = Tagger(store, model=model, workers=1, threads=threads).run()
            log(f"tagged {summary.tagged} (failed {summary.failed}) in {time.time() - t1:.0f} s")
            tracks = store.all_tracks()
        finally:
            store.close()
    finally:
        if tmp is not None:
            tmp.cleanup()
    truth: dict[str, str] = {}
    tag_ok = 0
    for t in tracks:
        clip = clip_of.get(str(Path(t["path"]).resolve())) or Path(t["path"]).stem
        q = label.get(clip)
        if q is None or t.get("valence") is None:
            continue
        truth[t["path"]] = q
        tag_ok += t.get("quadrant") == q
    planner = Planner([t for t in tracks if t["path"] in truth])
    plans = {q: [p.path for p in planner.plan(QUADRANT_CENTRES[q], "match", n=n)] for q in QUADRANTS}
    res: dict[str, Any] = {"n": len(truth)}
    res.update(score_plans(plans, truth, k=10))
    res.update(
        {
            "tagger_quadrant_accuracy": round(tag_ok / len(truth), 4) if truth else None,
            "songs": len({r.get("song") or r["clip"] for r in rows}),
            "clips_requested": len(rows),
            "model_version": getattr(model, "version", ""),
            "strategy": "match",
            "seconds": round(time.time() - t0, 1),
        }
    )
    return res


if __name__ == "__main__":
    sys.exit(main())
