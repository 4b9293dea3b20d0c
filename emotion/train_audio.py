"""Train the audio mood model (EMOPIA rendered with fluidsynth + Emotify recordings).

    python -m emotion.train_audio --work-dir /tmp/audio_work --threads 2            # full: CV + final weights
    python -m emotion.train_audio --tiny --out-dir /tmp/x --work-dir /tmp/x/work    # a few clips, a few steps

Seeded and deterministic in data order. Renders (cached in --work-dir) each EMOPIA clip with several General
MIDI programs and both soundfonts, computes log-mel + chroma once per rendering (cached), runs song-grouped
K-fold cross-validation (GroupKFold on `song` for EMOPIA; each Emotify clip is its own song) and then trains the
shipped ensemble on all data, writes the weights and the model card with the measured CV figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from emotion import audio_features as af
from emotion.mood_space import GEMS, gems_to_va

AUG_PROGRAMS = (1, 2, 4, 5, 6, 7, 11, 16, 19, 24, 25, 26, 46, 48, 49, 52, 68, 73)


def shared_data() -> Path:
    return Path(os.environ.get("MOODTAPE_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))


def log(msg: str) -> None:
    print(f"[train_audio {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- data ----------------------------------------------------------------------------------------------------------


def read_emopia(labels: Path) -> list[dict]:
    with open(labels, newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def read_emotify(labels: Path) -> list[dict]:
    with open(labels, newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def emopia_render_plan(clips: list[str], n_renders: int, soundfonts: list[Path]) -> list[tuple[str, Path, int]]:
    """(clip, soundfont, program) for each rendering; the first is always the default piano/soundfont."""
    plan = []
    for clip in clips:
        rng = random.Random(f"render:{clip}")
        plan.append((clip, soundfonts[0], 0))
        progs = rng.sample(AUG_PROGRAMS, k=max(0, n_renders - 1))
        for i in range(1, n_renders):
            sf = soundfonts[i % len(soundfonts)]
            plan.append((clip, sf, progs[i - 1]))
    return plan


def _render_one(args: tuple[str, str, str, int, str]) -> str:
    midi, cache, sf, program, tmp_dir = args
    cache_p = Path(cache)
    if cache_p.is_file():
        return cache
    from library.synth import render_midi

    wav = Path(tmp_dir) / (cache_p.stem + ".wav")
    render_midi(Path(midi), wav, soundfont=Path(sf), program=None if program == 0 else program, sample_rate=22050)
    try:
        import soundfile as sf_mod

        y, sr = sf_mod.read(str(wav), dtype="float32", always_2d=True)
        y = af._to_mono_16k(y, sr)
    finally:
        wav.unlink(missing_ok=True)
    mel, chroma = af.spectra(y, chroma_step=1)
    tmp = cache_p.with_suffix(".tmp.npz")
    np.savez(tmp, mel=mel.astype(np.float16), chroma=chroma.astype(np.float16))
    tmp.replace(cache_p)
    return cache


def _audio_one(args: tuple[str, str]) -> str:
    src, cache = args
    cache_p = Path(cache)
    if cache_p.is_file():
        return cache
    import soundfile as sf_mod

    y, sr = sf_mod.read(src, dtype="float32", always_2d=True)
    y = af._to_mono_16k(y, sr)
    mel, chroma = af.spectra(y, chroma_step=1)
    tmp = cache_p.with_suffix(".tmp.npz")
    np.savez(tmp, mel=mel.astype(np.float16), chroma=chroma.astype(np.float16))
    tmp.replace(cache_p)
    return cache


def prepare(work_dir: Path, data_dir: Path, n_renders: int, jobs: int, limit: int | None = None
            ) -> tuple[list[dict], list[dict]]:
    """Render + featurise everything (cached). Returns (emopia items, emotify items)."""
    from library.synth import find_soundfonts

    fonts = find_soundfonts()
    names = [f.name for f in fonts]
    ordered = [fonts[names.index(n)] for n in ("TimGM6mb.sf2", "FluidR3_GM.sf2") if n in names] or fonts
    if not ordered:
        raise RuntimeError("no soundfont found")
    emo_rows = read_emopia(data_dir / "emopia" / "labels.csv")
    emf_rows = read_emotify(data_dir / "emotify" / "labels.csv")
    if limit:
        emo_rows = emo_rows[:: max(1, len(emo_rows) // limit)][:limit]
        emf_rows = emf_rows[:: max(1, len(emf_rows) // limit)][:limit]
    cdir = work_dir / "cache"
    (cdir / "emopia").mkdir(parents=True, exist_ok=True)
    (cdir / "emotify").mkdir(parents=True, exist_ok=True)
    tmp_dir = work_dir / "tmp_wav"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    plan = emopia_render_plan([r["clip"] for r in emo_rows], n_renders, ordered)
    tasks = []
    emo_items = []
    lab = {r["clip"]: r for r in emo_rows}
    for clip, sf, prog in plan:
        cache = cdir / "emopia" / f"{clip}__{sf.stem}_{prog}.npz"
        tasks.append((str(data_dir / "emopia" / "midi" / f"{clip}.mid"), str(cache), str(sf), prog, str(tmp_dir)))
        r = lab[clip]
        emo_items.append({"cache": str(cache), "clip": clip, "song": r["song"], "quadrant": r["quadrant"],
                          "valence": float(r["valence"]), "arousal": float(r["arousal"]),
                          "default_render": prog == 0 and sf == ordered[0]})
    atasks = []
    emf_items = []
    for r in emf_rows:
        cache = cdir / "emotify" / f"{r['clip']}.npz"
        atasks.append((str(data_dir / "emotify" / "audio" / f"{r['clip']}.ogg"), str(cache)))
        item = {"cache": str(cache), "clip": r["clip"], "song": "emotify:" + r["clip"], "genre": r["genre"],
                "gems": [float(r[g]) for g in GEMS]}
        item["va_raw"] = list(gems_to_va({g: float(r[g]) for g in GEMS}))
        emf_items.append(item)
    # default renderings of every clip first, then the augmented ones (a partial cache is then usable)
    order = sorted(range(len(tasks)), key=lambda i: (i % max(1, n_renders), i))
    todo = [tasks[i] for i in order if not Path(tasks[i][1]).is_file()]
    atodo = [t for t in atasks if not Path(t[1]).is_file()]
    log(f"prepare: {len(todo)}/{len(tasks)} renders and {len(atodo)}/{len(atasks)} recordings to featurise")
    t0 = time.time()
    if jobs <= 1:
        for i, t in enumerate(todo):
            _render_one(t)
            if i % 200 == 0:
                log(f"  rendered {i}/{len(todo)} ({time.time() - t0:.0f}s)")
        for t in atodo:
            _audio_one(t)
    else:
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            for i, _ in enumerate(ex.map(_render_one, todo, chunksize=4)):
                if i % 200 == 0:
                    log(f"  rendered {i}/{len(todo)} ({time.time() - t0:.0f}s)")
            list(ex.map(_audio_one, atodo, chunksize=4))
    log(f"prepare done in {time.time() - t0:.0f}s")
    return emo_items, emf_items


# --- in-memory dataset -----------------------------------------------------------------------------------------

FEATS_VERSION = "v2"  # bump when audio_features.handcrafted changes (invalidates the cached features)
GRID_STEP = 62  # frames (~2 s) between candidate window starts


def grid_starts(n_frames: int) -> list[int]:
    last = max(0, n_frames - af.WIN_FRAMES)
    starts = list(range(0, last + 1, GRID_STEP))
    if last - starts[-1] > GRID_STEP // 2:
        starts.append(last)
    return starts


def eval_starts(n_frames: int, n_windows: int = 3) -> list[int]:
    """The frames where predict_file's windows start (same rule as audio_features.window_starts)."""
    dur = n_frames / af.FRAME_RATE
    return [int(round(s * af.FRAME_RATE)) for s in af.window_starts(dur, n_windows, af.WIN_S)]


def _item_arrays(item: dict, feat_dir: Path) -> dict:
    z = np.load(item["cache"])
    mel = z["mel"]
    chroma = z["chroma"].astype(np.float32)
    n = mel.shape[1]
    fpath = feat_dir / (Path(item["cache"]).stem + ".npz")
    gs = grid_starts(n)
    es = eval_starts(n)
    if fpath.is_file():
        fz = np.load(fpath)
        gf, ef = fz["grid"], fz["eval"]
    else:
        m32 = mel.astype(np.float32)
        gf = np.stack([af.handcrafted(*af.crop(m32, chroma, s)) for s in gs])
        ef = np.stack([af.handcrafted(*af.crop(m32, chroma, s)) for s in es])
        tmp = fpath.with_suffix(".tmp.npz")
        np.savez(tmp, grid=gf, eval=ef)
        tmp.replace(fpath)
    return {"mel": mel, "grid": gs, "grid_feats": gf, "eval": es, "eval_feats": ef}


def load_arrays(items: list[dict], work_dir: Path) -> list[dict]:
    feat_dir = work_dir / "cache" / f"feats_{FEATS_VERSION}"
    feat_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    out = []
    for i, it in enumerate(items):
        out.append(_item_arrays(it, feat_dir))
        if i % 500 == 0 and i:
            log(f"  features {i}/{len(items)} ({time.time() - t0:.0f}s)")
    return out


def _window(arr: dict, start: int) -> np.ndarray:
    mel = arr["mel"][:, start:start + af.WIN_FRAMES].astype(np.float32)
    if mel.shape[1] < af.WIN_FRAMES:
        mel = np.pad(mel, ((0, 0), (0, af.WIN_FRAMES - mel.shape[1])), constant_values=af.DB_FLOOR)
    return mel


LOUD_IDX = [af.FEATURE_NAMES.index(k) for k in ("loud_mean", "loud_p90", "loud_p10")]


# --- training ------------------------------------------------------------------------------------------------------


def standardise_emotify(items: list[dict]) -> None:
    """Emotify VA targets: GEMS proxy z-scored over these clips, halved and clipped to [-1, 1]."""
    va = np.array([it["va_raw"] for it in items], dtype=np.float64)
    if len(va) == 0:
        return
    mu, sd = va.mean(axis=0), va.std(axis=0) + 1e-9
    for it, row in zip(items, va):
        it["va_target"] = list(np.clip((row - mu) / sd / 2.0, -1, 1))


def seed_all(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train_net(emo: list[tuple[dict, dict]], emf: list[tuple[dict, dict]], seed: int, epochs: int,
              cfg: dict, max_steps: int | None = None):
    """Train one MoodNet on (item, arrays) pairs of both data sets."""
    import torch
    import torch.nn.functional as F

    from emotion.audio_model import build_net

    seed_all(seed)
    rng = np.random.default_rng(seed)
    net = build_net(width=cfg["width"], emb=cfg["emb"], dropout=cfg["dropout"])
    # normalisation statistics from the training windows
    mels = [a["mel"][:, ::4].astype(np.float32) for _, a in emo[:: max(1, len(emo) // 300)] + emf]
    allm = np.concatenate([m.ravel() for m in mels])
    feats = np.concatenate([a["grid_feats"] for _, a in emo + emf])
    with torch.no_grad():
        net.mel_mean.fill_(float(allm.mean()))
        net.mel_std.fill_(float(allm.std() + 1e-6))
        net.feat_mean.copy_(torch.from_numpy(feats.mean(axis=0).astype(np.float32)))
        net.feat_std.copy_(torch.from_numpy(feats.std(axis=0).astype(np.float32) + 1e-3))
    # group EMOPIA renderings by clip: one rendering per clip per epoch (the default render half the time)
    by_clip: dict[str, list[int]] = {}
    for i, (it, _) in enumerate(emo):
        by_clip.setdefault(it["clip"], []).append(i)
    clips = sorted(by_clip)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg["lr"], weight_decay=cfg["wd"])
    bs = cfg["batch"]
    per_epoch = len(clips) + cfg["emotify_repeat"] * len(emf)
    steps_per_epoch = max(1, (per_epoch + bs - 1) // bs)
    total = steps_per_epoch * epochs
    if max_steps is not None:
        total = min(total, max_steps)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg["lr"], total_steps=total, pct_start=0.2)
    qidx = {"Q1": 0, "Q2": 1, "Q3": 2, "Q4": 3}
    step = 0
    net.train()
    for _ in range(epochs):
        samples: list[tuple[str, int]] = []
        for c in clips:
            idxs = by_clip[c]
            default = [i for i in idxs if emo[i][0]["default_render"]]
            if default and rng.random() < cfg["p_default"]:
                samples.append(("emo", default[0]))
            else:
                samples.append(("emo", int(idxs[rng.integers(len(idxs))])))
        for _r in range(cfg["emotify_repeat"]):
            samples += [("emf", i) for i in range(len(emf))]
        order = rng.permutation(len(samples))
        for b in range(0, len(order), bs):
            if step >= total:
                break
            batch = [samples[j] for j in order[b:b + bs]]
            mel_b, feat_b = [], []
            for kind, i in batch:
                arr = (emo if kind == "emo" else emf)[i][1]
                g = int(rng.integers(len(arr["grid"])))
                gain = float(rng.uniform(-cfg["gain_db"], cfg["gain_db"]))
                mel_b.append(_window(arr, arr["grid"][g]) + gain)
                fv = arr["grid_feats"][g].copy()
                fv[LOUD_IDX] += gain / 20.0
                feat_b.append(fv)
            out = net(torch.from_numpy(np.stack(mel_b)), torch.from_numpy(np.stack(feat_b).astype(np.float32)))
            is_emo = torch.tensor([k == "emo" for k, _ in batch])
            loss = torch.zeros(())
            if is_emo.any():
                e_idx = [i for (k, i) in batch if k == "emo"]
                q = torch.tensor([qidx[emo[i][0]["quadrant"]] for i in e_idx])
                vab = torch.tensor([[emo[i][0]["valence"] > 0, emo[i][0]["arousal"] > 0] for i in e_idx],
                                   dtype=torch.float32)
                loss = loss + F.cross_entropy(out["quad"][is_emo], q, label_smoothing=0.05)
                loss = loss + F.binary_cross_entropy_with_logits(out["va"][is_emo], vab)
            if (~is_emo).any():
                f_idx = [i for (k, i) in batch if k == "emf"]
                tva = torch.tensor([emf[i][0]["va_target"] for i in f_idx], dtype=torch.float32)
                tg = torch.tensor([emf[i][0]["gems"] for i in f_idx], dtype=torch.float32)
                loss = loss + cfg["emf_weight"] * F.mse_loss(torch.tanh(out["va"][~is_emo] / 2.0), tva) * 4.0
                loss = loss + 0.5 * F.binary_cross_entropy_with_logits(out["gems"][~is_emo], tg)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
        if step >= total:
            break
    net.eval()
    return net


def predict_items(nets: list, pairs: list[tuple[dict, dict]]) -> list[dict]:
    """Predictions with the eval windows (as predict_file would place them) for each (item, arrays)."""
    import torch

    from emotion.audio_model import AudioMoodModel

    model = AudioMoodModel(nets, {}, "cv")
    out = []
    with torch.inference_mode():
        for _, arr in pairs:
            mels = np.stack([_window(arr, s) for s in arr["eval"]])
            res = model.predict_windows(mels, arr["eval_feats"])
            out.append(res)
    return out


BLENDS = (0.0, 0.5, 1.0)


def _blended(pred: dict, w: float) -> tuple[float, float]:
    h = pred["heads"]
    return ((1 - w) * h["valence"] + w * h["valence_quadrant"], (1 - w) * h["arousal"] + w * h["arousal_quadrant"])


def score(emo_pairs: list, emo_pred: list, emf_pairs: list, emf_pred: list, blend: float | None = None) -> dict:
    """Scores; valence/arousal use blend weight `blend` (None: the model's own outputs); per-blend views too."""
    res: dict = {}
    if blend is not None:
        emo_pred = [{**p, "valence": _blended(p, blend)[0], "arousal": _blended(p, blend)[1]} for p in emo_pred]
        emf_pred = [{**p, "valence": _blended(p, blend)[0], "arousal": _blended(p, blend)[1]} for p in emf_pred]
    if emo_pairs:
        q_true = np.array([it["quadrant"] for it, _ in emo_pairs])
        v_true = np.array([it["valence"] > 0 for it, _ in emo_pairs])
        a_true = np.array([it["arousal"] > 0 for it, _ in emo_pairs])
        q_head = np.array([p["quadrant"] for p in emo_pred])
        v_pred = np.array([p["valence"] >= 0 for p in emo_pred])
        a_pred = np.array([p["arousal"] >= 0 for p in emo_pred])
        qp = np.array([[p["quadrant_probs"][q] for q in ("Q1", "Q2", "Q3", "Q4")] for p in emo_pred])
        v_q = (qp[:, 0] + qp[:, 3]) >= 0.5
        a_q = (qp[:, 0] + qp[:, 1]) >= 0.5
        from emotion.mood_space import quadrant

        q_va = np.array([quadrant(p["valence"], p["arousal"]) for p in emo_pred])
        res.update({
            "emopia_n": int(len(q_true)),
            "quadrant_accuracy": float(np.mean(q_head == q_true)),
            "quadrant_accuracy_from_va": float(np.mean(q_va == q_true)),
            "valence_accuracy": float(np.mean(v_pred == v_true)),
            "arousal_accuracy": float(np.mean(a_pred == a_true)),
            "valence_accuracy_from_quadrant": float(np.mean(v_q == v_true)),
            "arousal_accuracy_from_quadrant": float(np.mean(a_q == a_true)),
        })
    if emf_pairs:
        tv = np.array([it["va_raw"] for it, _ in emf_pairs])
        pv = np.array([[p["valence"], p["arousal"]] for p in emf_pred])
        res.update({
            "emotify_n": int(len(tv)),
            "valence_r": float(np.corrcoef(tv[:, 0], pv[:, 0])[0, 1]),
            "arousal_r": float(np.corrcoef(tv[:, 1], pv[:, 1])[0, 1]),
        })
    return res


def group_folds(groups: list[str], k: int, seed: int) -> list[int]:
    """Fold index per item; all items of a group share a fold (deterministic, balanced by group count)."""
    uniq = sorted(set(groups))
    random.Random(seed).shuffle(uniq)
    fold_of = {g: i % k for i, g in enumerate(uniq)}
    return [fold_of[g] for g in groups]


DEFAULT_CFG = {"width": 16, "emb": 64, "dropout": 0.3, "lr": 3e-3, "wd": 1e-3, "batch": 32, "p_default": 0.5,
               "emotify_repeat": 3, "emf_weight": 1.0, "gain_db": 3.0, "epochs": 20, "n_models": 1,
               "n_renders": 3, "folds": 5, "blend": 0.5}


def save_weights(nets: list, cfg: dict, path: Path) -> str:
    import torch

    from emotion.audio_model import version_of

    path.parent.mkdir(parents=True, exist_ok=True)
    blob = {"models": [{k: v.detach().clone() for k, v in n.state_dict().items()} for n in nets],
            "config": {k: v for k, v in cfg.items() if isinstance(v, int | float | str)}}
    tmp = path.with_name(path.name + ".tmp")
    torch.save(blob, str(tmp))
    tmp.replace(path)
    return version_of(path)


def run_cv(emo_pairs: list, emf_pairs: list, cfg: dict, seed: int, max_steps: int | None) -> dict:
    """Song-grouped K-fold CV; scores on the default rendering (EMOPIA) and the recordings (Emotify)."""
    k = cfg["folds"]
    emo_fold = group_folds([it["song"] for it, _ in emo_pairs], k, seed)
    emf_fold = group_folds([it["song"] for it, _ in emf_pairs], k, seed + 1)
    all_emo_eval, all_emo_pred, all_emf_eval, all_emf_pred = [], [], [], []
    per_fold = []
    fe: list[int] = []
    ff: list[int] = []
    for f in range(k):
        t0 = time.time()
        tr_emo = [p for p, fo in zip(emo_pairs, emo_fold) if fo != f]
        tr_emf = [p for p, fo in zip(emf_pairs, emf_fold) if fo != f]
        te_emo = [p for p, fo in zip(emo_pairs, emo_fold) if fo == f and p[0]["default_render"]]
        te_emf = [p for p, fo in zip(emf_pairs, emf_fold) if fo == f]
        nets = [train_net(tr_emo, tr_emf, seed + 100 * f + m, cfg["epochs"], cfg, max_steps)
                for m in range(cfg["n_models"])]
        pe, pf = predict_items(nets, te_emo), predict_items(nets, te_emf)
        s = score(te_emo, pe, te_emf, pf, blend=0.0)
        s["fold"] = f
        per_fold.append(s)
        log(f"fold {f}: {json.dumps({k2: round(v, 3) if isinstance(v, float) else v for k2, v in s.items()})} "
            f"({time.time() - t0:.0f}s)")
        fe += [f] * len(te_emo)
        ff += [f] * len(te_emf)
        all_emo_eval += te_emo
        all_emo_pred += pe
        all_emf_eval += te_emf
        all_emf_pred += pf
    by_blend = {}
    for w in BLENDS:
        sc = score(all_emo_eval, all_emo_pred, all_emf_eval, all_emf_pred, blend=w)
        by_blend[w] = sc
        log(f"blend {w}: {json.dumps({k2: round(v, 3) for k2, v in sc.items()})}")

    def merit(sc: dict) -> float:
        return sum(sc.get(k2, 0.0) for k2 in ("valence_accuracy", "arousal_accuracy", "valence_r", "arousal_r"))

    best = float(cfg["blend"])  # fixed before CV (not tuned on it); every blend is reported
    if best not in by_blend:
        by_blend[best] = score(all_emo_eval, all_emo_pred, all_emf_eval, all_emf_pred, blend=best)
    best_by_cv = max(BLENDS, key=lambda w: merit(by_blend[w]))
    per_fold = [{**score([p for p, fo in zip(all_emo_eval, fe) if fo == s["fold"]],
                         [q for q, fo in zip(all_emo_pred, fe) if fo == s["fold"]],
                         [p for p, fo in zip(all_emf_eval, ff) if fo == s["fold"]],
                         [q for q, fo in zip(all_emf_pred, ff) if fo == s["fold"]], blend=best), "fold": s["fold"]}
                for s in per_fold]
    pooled = by_blend[best]
    pooled["blend"] = best
    pooled["best_blend_by_cv"] = best_by_cv
    pooled["by_blend"] = {str(w): {k2: round(v, 4) for k2, v in sc.items()} for w, sc in by_blend.items()}
    spread = {}
    for key in ("quadrant_accuracy", "valence_accuracy", "arousal_accuracy", "valence_r", "arousal_r"):
        vals = [s[key] for s in per_fold if key in s and np.isfinite(s[key])]
        if vals:
            spread[key + "_fold_sd"] = float(np.std(vals))
    return {"pooled": pooled, "spread": spread, "per_fold": per_fold}


def write_card(path: Path, cfg: dict, cv: dict | None, version: str, n_emo: int, n_songs: int, n_emf: int,
               command: str, seconds: float, weights: Path) -> None:
    lines = [
        "# Audio mood model (`audio_mood.pt`)",
        "",
        f"- **Version**: `{version}` (MODEL_VERSION = 'audio-cnn-' + first 12 hex digits of the weights' SHA-256)",
        f"- **Size**: {weights.stat().st_size / 1024:.0f} KiB; ensemble of {cfg['n_models']} net(s)",
        "- **Architecture**: log-mel (16 kHz, 64 mels, hop 32 ms) 8-s windows -> 4-block CNN "
        f"(width {cfg['width']}) with mean+max pooling over time, fused in the head with "
        f"{len(af.FEATURE_NAMES)} hand-crafted features (loudness, onset rate, tempo, pulse clarity, spectral shape, "
        "key-profile major/minor correlation, chroma interval content, band energies). Outputs: valence/arousal "
        "(tanh), quadrant Q1-Q4 (softmax), the nine GEMS words (sigmoid). A track is tagged from 3 windows of 8 s "
        "spread across the file (10-90 %), averaged.",
        "- **Training data**: `shared/data/emopia` "
        f"({n_emo} clips, {n_songs} songs; each clip rendered {cfg['n_renders']}x with fluidsynth: TimGM6mb "
        "piano (the evaluation's default rendering), FluidR3_GM and TimGM6mb with a General MIDI program drawn per "
        f"clip from {list(AUG_PROGRAMS)}) and `shared/data/emotify` ({n_emf} recordings; valence/arousal "
        "targets = GEMS proxy of `mood_space.gems_to_va`, z-scored; GEMS shares as soft targets for the mood words).",
        "- **Losses**: EMOPIA: quadrant cross-entropy + sign of valence / arousal (BCE); Emotify: MSE on the "
        "standardised proxy + GEMS BCE. Random 8-s crops, +-3 dB gain augmentation, AdamW + one-cycle.",
        f"- **Config**: `{json.dumps({k: v for k, v in cfg.items()})}`",
        "",
        "## Validation (as measured)",
        "",
    ]
    if cv:
        p = cv["pooled"]
        sd = cv["spread"]
        lines += [
            f"Song-grouped {cfg['folds']}-fold cross-validation (all clips of an EMOPIA song in one fold; each "
            "Emotify clip is its own song). EMOPIA is scored on the default rendering (TimGM6mb piano, as "
            "`eval audio --midi-dir` does) with the same 3-window placement as the tagger; figures pooled over "
            "the held-out folds (± = standard deviation across folds).",
            "",
            "| metric | measured | target | baseline (hidden held-out) |",
            "|---|---|---|---|",
            f"| EMOPIA quadrant accuracy | {p['quadrant_accuracy']:.3f} ± {sd.get('quadrant_accuracy_fold_sd', 0):.3f}"
            " | 0.72 | 0.685 |",
            f"| EMOPIA valence accuracy | {p['valence_accuracy']:.3f} ± {sd.get('valence_accuracy_fold_sd', 0):.3f}"
            " | 0.80 | 0.754 |",
            f"| EMOPIA arousal accuracy | {p['arousal_accuracy']:.3f} ± {sd.get('arousal_accuracy_fold_sd', 0):.3f}"
            " | 0.92 | 0.911 |",
            f"| Emotify valence r | {p['valence_r']:.3f} ± {sd.get('valence_r_fold_sd', 0):.3f} | 0.60 | 0.52 |",
            f"| Emotify arousal r | {p['arousal_r']:.3f} ± {sd.get('arousal_r_fold_sd', 0):.3f} | 0.80 | 0.75 |",
            "",
            f"Valence/arousal outputs blend the regression head with the quadrant head's marginals, weight "
            f"{p['blend']} (fixed beforehand, not tuned on this CV; the blend with the best CV sum of valence/"
            f"arousal accuracy and r would be {p['best_blend_by_cv']}). All blends: `{json.dumps(p['by_blend'])}`.",
            "",
            f"n = {p.get('emopia_n', 0)} EMOPIA clips, {p.get('emotify_n', 0)} Emotify clips. Other views: "
            f"quadrant from the sign of (valence, arousal) {p['quadrant_accuracy_from_va']:.3f}; valence / arousal "
            f"from the quadrant head {p['valence_accuracy_from_quadrant']:.3f} / "
            f"{p['arousal_accuracy_from_quadrant']:.3f}.",
            "",
            "Per fold: " + "; ".join(
                f"fold {s['fold']}: Q {s.get('quadrant_accuracy', float('nan')):.3f}, "
                f"V {s.get('valence_accuracy', float('nan')):.3f}, A {s.get('arousal_accuracy', float('nan')):.3f}, "
                f"rV {s.get('valence_r', float('nan')):.3f}, rA {s.get('arousal_r', float('nan')):.3f}"
                for s in cv["per_fold"]),
            "",
            "The CV models are trained like the shipped one but on 4/5 of the songs; the shipped weights are "
            "trained on all songs with the same recipe. On these figures the model does NOT reach the targets and "
            "is at or slightly below the baselines (which were scored on other, hidden songs, so the comparison is "
            "only indicative). For reference, a logistic regression on the 34 hand-crafted features alone (same "
            "folds, mean over the 3 windows) measured quadrant 0.669, valence 0.735-0.744, arousal 0.889-0.896: "
            "the CNN adds little on EMOPIA as trained here. Emotify is the weakest part (ridge on the hand-crafted "
            "features: r 0.41 / 0.59).",
        ]
    else:
        lines += ["No cross-validation was run for these weights (`--no-cv`)."]
    lines += [
        "",
        "## Reproduce",
        "",
        f"These weights: {command} (final fit {seconds / 60:.1f} min; renders and spectrograms cached in "
        "--work-dir beforehand: rendering + featurising the 2,625 EMOPIA renderings and 300 recordings took 31 min "
        "on this machine's 2 cores while they were shared with four other workers, load average ~8).",
        "",
        "`python -m emotion.train_audio --work-dir DIR --threads 2` does everything in one process (render cache, "
        "song-grouped CV, then the final fit with the same recipe and seeds); `--cv-only --cv-json F` and "
        "`--no-cv --cv-json F` split CV and final fit so they can run in parallel, `--card-only --cv-json F` "
        "rewrites this card. Bitwise-identical weights across different --threads values are not guaranteed "
        "(float reduction order). The one-process run on 2 dedicated cores was not timed end to end; the parts "
        "above, measured under contention, add up to ~65 min if run one after another, so the <= 45 min "
        "target on 2 free cores is plausible but unverified.",
        "Held-out check with the shipped weights: `python main.py eval audio --midi-dir DIR --labels CSV` and "
        "`python main.py eval audio --audio-dir DIR --labels CSV`.",
        "",
        "## Limits",
        "",
        "EMOPIA is solo pop piano transcribed to MIDI and re-synthesised; Emotify is 4 genres (classical, rock, "
        "electronic, pop) with few raters per clip. The GEMS -> valence/arousal proxy is a heuristic. Moods of "
        "vocals/lyrics are not modelled. Treat the tags as rough.",
        "",
    ]
    path.write_text("\n".join(lines))


def card_only(args: argparse.Namespace, cfg: dict, data_dir: Path, out_dir: Path) -> int:
    import torch

    from emotion.audio_model import version_of

    weights = out_dir / "audio_mood.pt"
    saved = torch.load(str(weights), map_location="cpu", weights_only=True).get("config", {})
    cfg.update(saved)
    blob = json.loads(args.cv_json.read_text()) if args.cv_json and args.cv_json.is_file() else None
    cv = blob["cv"] if blob else None
    run = args.work_dir / "final_run.json"
    final = json.loads(run.read_text()) if run.is_file() else {"command": "?", "seconds": 0.0}
    final["command"] = f"`{final['command']}`"
    if blob:
        final["command"] += f" and, in parallel, `python -m emotion.train_audio --work-dir {args.work_dir} " \
            f"--threads 1 --cv-only --cv-json {args.cv_json}` (CV: {blob['seconds'] / 60:.1f} min)"
    emo = read_emopia(data_dir / "emopia" / "labels.csv")
    n_emf = len(read_emotify(data_dir / "emotify" / "labels.csv"))
    write_card(out_dir / "audio_mood.md", cfg, cv, version_of(weights), len(emo), len({r["song"] for r in emo}),
               n_emf, final["command"], final["seconds"], weights)
    print(json.dumps({"card": str(out_dir / "audio_mood.md"), "model_version": version_of(weights)}))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="train_audio", description=__doc__.split("\n")[0])
    ap.add_argument("--work-dir", type=Path, default=Path("/tmp/audio_work"), help="render/feature cache")
    ap.add_argument("--out-dir", type=Path, default=None, help="where weights + card go (default resources/models)")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--folds", type=int, default=None)
    ap.add_argument("--n-models", type=int, default=None)
    ap.add_argument("--renders", type=int, default=None, help="renderings per EMOPIA clip")
    ap.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    ap.add_argument("--cv-only", action="store_true", help="only cross-validate, write nothing")
    ap.add_argument("--tiny", action="store_true", help="a handful of clips and a few steps (tests)")
    ap.add_argument("--card-only", action="store_true",
                    help="rewrite the model card for the existing weights from --cv-json (no training)")
    ap.add_argument("--cv-json", type=Path, default=None,
                    help="with --cv-only: write the CV result here; with --no-cv: read it for the model card "
                         "(lets CV and the final fit run as two parallel processes)")
    args = ap.parse_args(argv)
    import torch

    t_start = time.time()
    torch.set_num_threads(max(1, args.threads))
    cfg = dict(DEFAULT_CFG)
    max_steps = None
    limit = None
    if args.tiny:
        cfg.update(epochs=1, folds=2, n_models=1, n_renders=2)
        max_steps, limit = 3, 4
    for key, val in (("epochs", args.epochs), ("folds", args.folds), ("n_models", args.n_models),
                     ("n_renders", args.renders)):
        if val is not None:
            cfg[key] = val
    data_dir = args.data_dir or shared_data()
    out_dir = args.out_dir or Path(__file__).resolve().parents[1] / "resources" / "models"
    if args.card_only:
        return card_only(args, cfg, data_dir, out_dir)
    emo_items, emf_items = prepare(args.work_dir, data_dir, cfg["n_renders"], args.threads, limit)
    standardise_emotify(emf_items)
    emo_pairs = list(zip(emo_items, load_arrays(emo_items, args.work_dir)))
    emf_pairs = list(zip(emf_items, load_arrays(emf_items, args.work_dir)))
    log(f"data: {len(emo_pairs)} EMOPIA renderings, {len(emf_pairs)} Emotify clips; cfg {cfg}")
    cv = None
    if not args.no_cv:
        cv = run_cv(emo_pairs, emf_pairs, cfg, args.seed, max_steps)
        log(f"CV pooled: {json.dumps(cv['pooled'])}")
        if args.cv_json is not None:
            args.cv_json.write_text(json.dumps({"cv": cv, "cfg": cfg, "seconds": time.time() - t_start}))
        if args.cv_only:
            print(json.dumps({"cv": cv["pooled"], "spread": cv["spread"], "seconds": round(time.time() - t_start)}))
            return 0
    elif args.cv_json is not None and args.cv_json.is_file():
        cv = json.loads(args.cv_json.read_text())["cv"]
        log(f"CV figures for the card read from {args.cv_json}")
    nets = [train_net(emo_pairs, emf_pairs, args.seed + 7 + m, cfg["epochs"], cfg, max_steps)
            for m in range(cfg["n_models"])]
    weights = out_dir / "audio_mood.pt"
    version = save_weights(nets, cfg, weights)
    command = "python -m emotion.train_audio " + " ".join(argv if argv is not None else sys.argv[1:])
    seconds = time.time() - t_start
    write_card(out_dir / "audio_mood.md", cfg, cv, version, len(emo_items) // max(1, cfg["n_renders"]),
               len({it["song"] for it in emo_items}), len(emf_items), f"`{command.strip()}`", seconds, weights)
    (args.work_dir / "final_run.json").write_text(json.dumps({"command": command.strip(), "seconds": seconds,
                                                              "version": version}))
    summary = {"weights": str(weights), "model_version": version, "seconds": round(seconds, 1),
               "cv": cv["pooled"] if cv else None}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
