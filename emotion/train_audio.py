"""Train the audio mood model's heads on frozen musicnn (MSD + MTT) embeddings and hand-crafted features (and, for
a config whose parts include "sal", Basic Pitch note-salience features; the shipped heads do not read them).

    python -m emotion.train_audio --work-dir /tmp/audio_work --threads 2            # full: CV + final weights
    python -m emotion.train_audio --tiny --out-dir /tmp/x --work-dir /tmp/x/work    # a few clips, a few steps

Steps (seeded, deterministic):
1. Frozen networks: the MSD_musicnn and MTT_musicnn TF1 checkpoints of the `musicnn==0.1.0` package and the Basic
   Pitch SavedModel variables of `basic-pitch==0.4.0` (both pip install --no-deps) are converted to torch
   (emotion.musicnn, emotion.basicpitch; no TensorFlow); without the packages, the tensors of the shipped weights
   are reused (so --tiny runs anywhere; a "sal" config needs basic-pitch unless the shipped weights carry it).
2. Features (cached in --work-dir): each EMOPIA clip is rendered with fluidsynth (the default TimGM6mb piano
   rendering the evaluation uses, plus augmented renderings with other General MIDI programs / FluidR3_GM), each
   Emotify recording is read as is; every file is then decoded and featurised EXACTLY as the tagger does
   (audio_features.load_excerpts: 3 windows of 8 s; per window the hand-crafted features and 2 musicnn patches,
   through MSD musicnn, and the same patches through MTT musicnn for the cache; the heads' config says which
   MTT patches they read: `mtt_patches_per_window`; for a config whose parts include "sal", also Basic Pitch's
   salience features on 2-s stretches spread across each window, in a cache of their own: it holds
   audio_model.SALIENCE_CHUNKS = 4 of them (all 8 s), which the config's `salience_chunks` must match).
3. Song-grouped K-fold cross-validation of the heads (all clips of an EMOPIA song in one fold; each Emotify clip
   its own song; EMOPIA scored on the default rendering), then the shipped heads on all data, the weights file
   (safetensors: musicnn + heads) and the model card with the measured CV figures.
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
from emotion import basicpitch as bp
from emotion import musicnn as mn
from emotion.audio_model import N_WINDOWS, mtt_first_only
from emotion.folds import cv_folds
from emotion.mood_space import GEMS, gems_to_va

AUG_PROGRAMS = (1, 2, 4, 5, 6, 7, 11, 16, 19, 24, 25, 26, 46, 48, 49, 52, 68, 73)
DEFAULT_SEED = 20261122  # fold / head seed of the shipped run
FEATS_VERSION = "mnn4"  # bump when the featurisation (excerpts, hand-crafted features, patches) changes


def shared_data() -> Path:
    return Path(os.environ.get("MOODTAPE_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))


def log(msg: str) -> None:
    print(f"[train_audio {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- data ----------------------------------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
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


# --- musicnn weights ---------------------------------------------------------------------------------------------


def frozen_tensors(work_dir: Path, fallback: Path | None) -> Path:
    """A safetensors file with the frozen pretrained networks: musicnn ('musicnn.*' = MSD, 'musicnn_mtt.*' = MTT,
    and 'musicnn_mel_fb') and, when the basic-pitch package (or `fallback`) has it, Basic Pitch ('basic_pitch.*');
    cached in work_dir."""
    from safetensors.numpy import load_file, save_file

    out = work_dir / "frozen_nets.safetensors"
    if out.is_file():
        return out
    work_dir.mkdir(parents=True, exist_ok=True)
    spare = dict(load_file(str(fallback))) if fallback is not None and fallback.is_file() else {}
    try:
        tensors = mn.converted_tensors(mn.find_checkpoint())
        tensors.update(mn.converted_tensors(mn.find_checkpoint(model="MTT_musicnn"), key=mn.MTT_KEY))
        log("musicnn: converted the MSD_musicnn and MTT_musicnn checkpoints of the installed musicnn package")
    except FileNotFoundError as e:
        tensors = {k: v for k, v in spare.items() if k.startswith("musicnn")}
        if not mn.has_network(tensors, mn.MTT_KEY):
            raise FileNotFoundError(f"{e}; and no MTT_musicnn network in the fallback weights ({fallback})") from None
        log(f"{e}: reusing the musicnn tensors of {fallback}")
    try:
        tensors.update(bp.convert(bp.find_checkpoint()))
        log("Basic Pitch: converted the network of the installed basic-pitch package")
    except FileNotFoundError as e:
        bp_spare = {k: v for k, v in spare.items() if k.startswith(bp.KEY + ".")}
        tensors.update(bp_spare)
        log(f"{e}: " + (f"reusing the Basic Pitch tensors of {fallback}" if bp_spare else
                        "configs that read Basic Pitch salience (part 'sal') cannot be featurised"))
    save_file(tensors, str(out))
    return out


_NET = None  # per worker process


def _worker_net(tensors_path: str, salience: bool = False):
    global _NET
    if _NET is None:
        import torch
        from safetensors.numpy import load_file

        torch.set_num_threads(1)
        t = load_file(tensors_path)
        mtt = mn.load_from_tensors(t, mn.MTT_KEY) if mn.has_network(t, mn.MTT_KEY) else None
        _NET = [mn.load_from_tensors(t), t["musicnn_mel_fb"], mtt, None, t]
    if salience and _NET[3] is None and bp.has_network(_NET[4]):
        _NET[3] = bp.build(_NET[4])
    return _NET


def _featurise_one(task: dict) -> str:
    """Render (MIDI) or read (audio), then featurise exactly as the tagger does; cached as npz."""
    from emotion.audio_model import track_features

    cache = Path(task["cache"])
    if cache.is_file():
        return str(cache)
    net, fb, net_mtt, net_bp, _ = _worker_net(task["tensors"], bool(task.get("salience")))
    wav: Path | None = None
    src = Path(task["src"])
    try:
        if task["kind"] == "midi":
            from library.synth import render_midi

            wav = Path(task["tmp_dir"]) / (cache.stem + ".wav")
            render_midi(src, wav, soundfont=Path(task["sf"]), program=task["program"] or None, sample_rate=22050)
            src = wav
        excerpts = af.load_excerpts(src, n_windows=N_WINDOWS, win_s=af.WIN_S, time_limit_s=120.0)
        feats = track_features(net, fb, excerpts, net_mtt=net_mtt, mtt_first_only=bool(task.get("mtt_first_only")),
                               net_bp=net_bp if task.get("salience") else None)
        if task.get("keep_dir"):  # the decoded 16 kHz excerpts, for feature experiments without re-rendering
            keep = Path(task["keep_dir"]) / (cache.stem + ".npz")
            pcm = {f"w{i}": np.clip(np.round(y * 32767), -32768, 32767).astype(np.int16)
                   for i, y in enumerate(excerpts)}
            np.savez(keep.with_suffix(".tmp.npz"), **pcm)
            keep.with_suffix(".tmp.npz").replace(keep)
    finally:
        if wav is not None:
            wav.unlink(missing_ok=True)
    tmp = cache.with_suffix(".tmp.npz")
    np.savez(tmp, **feats)
    tmp.replace(cache)
    return str(cache)


def feature_kind(cfg: dict) -> dict[str, bool]:
    """prepare's keyword arguments for the features a config reads (salience; MTT on first patches only)."""
    return {"salience": "sal" in cfg["parts"], "mtt_first_only": mtt_first_only(cfg)}


def cache_dir(work_dir: Path, salience: bool = False, mtt_first_only: bool = False) -> Path:
    """Where prepare caches one kind of features."""
    return work_dir / "cache" / (FEATS_VERSION + ("m1" if mtt_first_only else "") + ("s" if salience else ""))


def prepare(work_dir: Path, data_dir: Path, n_renders: int, jobs: int, tensors: Path,
            limit: int | None = None, keep_excerpts: bool = False,
            salience: bool = False, mtt_first_only: bool = False) -> tuple[list[dict], list[dict]]:
    """Render + featurise everything (cached). Returns (emopia items, emotify items). With `salience`, the
    features include Basic Pitch's salience features ("sal"; about a third more featurising time); with
    `mtt_first_only`, the second network (MTT) hears each window's first patch only, as the tagger does for a
    config with `mtt_patches_per_window` 1 (about a fifth less featurising time). Each kind has its own cache
    (`cache_dir`): cache/<FEATS_VERSION>[m1][s]."""
    from library.synth import find_soundfonts

    fonts = find_soundfonts()
    names = [f.name for f in fonts]
    ordered = [fonts[names.index(n)] for n in ("TimGM6mb.sf2", "FluidR3_GM.sf2") if n in names] or fonts
    if not ordered:
        raise RuntimeError("no soundfont found")
    emo_rows = read_csv(data_dir / "emopia" / "labels.csv")
    emf_rows = read_csv(data_dir / "emotify" / "labels.csv")
    if limit:
        emo_rows = emo_rows[:: max(1, len(emo_rows) // limit)][:limit]
        emf_rows = emf_rows[:: max(1, len(emf_rows) // limit)][:limit]
    if salience:
        from safetensors import safe_open

        with safe_open(str(tensors), framework="np") as fh:
            names = list(fh.keys())
        if not any(k.startswith(bp.KEY + ".") for k in names):
            raise RuntimeError(f"{tensors} has no Basic Pitch network: pip install --no-deps basic-pitch==0.4.0 "
                               "and delete that file")
    cdir = cache_dir(work_dir, salience, mtt_first_only)
    cdir.mkdir(parents=True, exist_ok=True)
    tmp_dir = work_dir / "tmp_wav"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    keep_dir = ""
    if keep_excerpts:
        (work_dir / "excerpts").mkdir(parents=True, exist_ok=True)
        keep_dir = str(work_dir / "excerpts")
    lab = {r["clip"]: r for r in emo_rows}
    # what every file's featurisation needs (one dict for renderings and recordings, so they cannot drift apart)
    common = {"tensors": str(tensors), "keep_dir": keep_dir, "salience": salience, "mtt_first_only": mtt_first_only}
    tasks, emo_items = [], []
    for clip, sf, prog in emopia_render_plan([r["clip"] for r in emo_rows], n_renders, ordered):
        cache = cdir / f"{clip}__{sf.stem}_{prog}.npz"
        tasks.append({**common, "kind": "midi", "src": str(data_dir / "emopia" / "midi" / f"{clip}.mid"),
                      "cache": str(cache), "sf": str(sf), "program": prog, "tmp_dir": str(tmp_dir)})
        r = lab[clip]
        emo_items.append({"cache": str(cache), "clip": clip, "song": r["song"], "quadrant": r["quadrant"],
                          "valence": float(r["valence"]), "arousal": float(r["arousal"]),
                          "default_render": prog == 0 and sf == ordered[0]})
    emf_items = []
    for r in emf_rows:
        cache = cdir / f"emotify__{r['clip']}.npz"
        tasks.append({**common, "kind": "audio", "src": str(data_dir / "emotify" / "audio" / f"{r['clip']}.ogg"),
                      "cache": str(cache)})
        item = {"cache": str(cache), "clip": r["clip"], "song": "emotify:" + r["clip"], "genre": r["genre"],
                "gems": [float(r[g]) for g in GEMS], "n_raters": float(r.get("n_raters") or 1)}
        item["va_raw"] = list(gems_to_va({g: float(r[g]) for g in GEMS}))
        emf_items.append(item)
    # default renderings and the recordings first, then the augmented renderings (a partial cache is usable)
    order = sorted(tasks, key=lambda t: (t["kind"] == "midi" and t["program"] != 0, t["kind"] == "midi"))
    todo = [t for t in order if not Path(t["cache"]).is_file()]
    log(f"prepare: {len(todo)}/{len(tasks)} files to featurise")
    t0 = time.time()
    if jobs <= 1 or len(todo) < 4:
        for i, t in enumerate(todo):
            _featurise_one(t)
            if i % 200 == 0:
                log(f"  featurised {i}/{len(todo)} ({time.time() - t0:.0f}s)")
    else:
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            for i, _ in enumerate(ex.map(_featurise_one, todo, chunksize=2)):
                if i % 200 == 0:
                    log(f"  featurised {i}/{len(todo)} ({time.time() - t0:.0f}s)")
    log(f"prepare done in {time.time() - t0:.0f}s")
    if todo and not limit:
        (work_dir / "prepare_time.json").write_text(json.dumps(
            {"files": len(todo), "seconds": round(time.time() - t0), "jobs": jobs,
             "load_avg_1min_at_end": round(os.getloadavg()[0], 1), "date": time.strftime("%Y-%m-%d %H:%M")}))
    return emo_items, emf_items


def load_features(items: list[dict], per_window: int = 2, mtt_per_window: int | None = None) -> list[dict]:
    """Cached features (featurised with 2 musicnn patches per window); per_window=1 keeps each window's first
    patch, which is what the tagger computes with one patch per window; mtt_per_window=1 does that for the second
    network (MTT) only."""
    out = []
    for it in items:
        z = np.load(it["cache"])
        f = {k: z[k] for k in ("hc", "harm", "pen", "logits", "mean_pool", "mtt_pen", "mtt_logits", "sal")
             if k in z.files}
        two = 2 * len(f["hc"])  # rows of a part featurised on 2 patches per window
        if per_window == 1:  # (a cache with MTT on first patches only already has one row a window for it)
            f = {k: (v[0::2] if k not in ("hc", "harm", "sal") and len(v) == two else v) for k, v in f.items()}
        elif mtt_per_window == 1 and "mtt_pen" in f and len(f["mtt_pen"]) == two:
            f["mtt_pen"], f["mtt_logits"] = f["mtt_pen"][0::2], f["mtt_logits"][0::2]
        out.append(f)
    return out


def check_salience_cfg(cfg: dict) -> int:
    """The salience chunks per window a config reads; the feature cache holds audio_model.SALIENCE_CHUNKS."""
    from emotion.audio_model import SALIENCE_CHUNKS

    n = int(cfg.get("salience_chunks", SALIENCE_CHUNKS))
    if n != SALIENCE_CHUNKS:
        raise ValueError(f"salience_chunks {n}: the feature cache holds {SALIENCE_CHUNKS} per window "
                         "(change audio_model.SALIENCE_CHUNKS and FEATS_VERSION together)")
    return n


def feature_pairs(items: list[dict], cfg: dict) -> list[tuple[dict, dict]]:
    """(item, cached features) pairs, with the patches the config's heads read."""
    return list(zip(items, load_features(items, cfg["patches_per_window"], cfg.get("mtt_patches_per_window"))))


# --- heads ---------------------------------------------------------------------------------------------------------


def standardise_emotify(items: list[dict]) -> None:
    """Emotify VA targets: GEMS proxy z-scored over these clips, halved and clipped to [-1, 1]."""
    va = np.array([it["va_raw"] for it in items], dtype=np.float64)
    if len(va) == 0:
        return
    mu, sd = va.mean(axis=0), va.std(axis=0) + 1e-9
    for it, row in zip(items, va):
        it["va_target"] = list(np.clip((row - mu) / sd / 2.0, -1, 1))


QIDX = {"Q1": 0, "Q2": 1, "Q3": 2, "Q4": 3}


def design(emo: list[tuple[dict, dict]], emf: list[tuple[dict, dict]], parts: tuple[str, ...]) -> dict:
    """Raw head inputs and targets of (item, features) pairs."""
    from emotion.audio_model import head_input

    dim = len(head_input((emo or emf)[0][1], parts))
    xe = np.stack([head_input(f, parts) for _, f in emo]) if emo else np.zeros((0, dim), np.float32)
    xf = np.stack([head_input(f, parts) for _, f in emf]) if emf else np.zeros((0, dim), np.float32)
    return {
        "xe": xe, "xf": xf,
        "q": np.array([QIDX[it["quadrant"]] for it, _ in emo], dtype=np.int64),
        "vas": np.array([[it["valence"] > 0, it["arousal"] > 0] for it, _ in emo], dtype=np.float32).reshape(-1, 2),
        "clip": [it["clip"] for it, _ in emo],
        "song": [it["song"] for it, _ in emo],
        "default": np.array([bool(it.get("default_render", True)) for it, _ in emo], dtype=bool),
        "va_t": np.array([it["va_target"] for it, _ in emf], dtype=np.float32).reshape(-1, 2),
        "raters": np.array([it.get("n_raters", 1) for it, _ in emf], dtype=np.float32),
        "gems": np.array([it["gems"] for it, _ in emf], dtype=np.float32).reshape(-1, len(GEMS)),
    }


def train_heads(d: dict, cfg: dict, seed: int, max_steps: int | None = None) -> tuple[list, np.ndarray, np.ndarray]:
    """Train cfg['n_heads'] heads (full batch, AdamW) on a design; returns (heads, x_mean, x_std)."""
    import torch
    import torch.nn.functional as F

    from emotion.audio_model import build_head, part_columns

    x_all = np.concatenate([d["xe"], d["xf"]])
    mu = x_all.mean(axis=0)
    sd = x_all.std(axis=0) + 1e-3
    xe = torch.from_numpy((d["xe"] - mu) / sd).float()
    xf = torch.from_numpy((d["xf"] - mu) / sd).float()
    q, vas = torch.from_numpy(d["q"]), torch.from_numpy(d["vas"])
    va_t, gems = torch.from_numpy(d["va_t"]), torch.from_numpy(d["gems"])
    # each EMOPIA clip weighs 1 however many renderings it has
    counts: dict[str, int] = {}
    for c in d["clip"]:
        counts[c] = counts.get(c, 0) + 1
    w_e = torch.tensor([1.0 / counts[c] for c in d["clip"]], dtype=torch.float32)
    w_e = w_e / max(float(w_e.sum()), 1e-9)
    heads = []
    steps = cfg["steps"] if max_steps is None else min(cfg["steps"], max_steps)
    groups = cfg.get("groups") or [cfg["parts"]]
    for m in range(cfg["n_heads"] * len(groups)):
        torch.manual_seed(seed + 1000 * m)
        cols = part_columns(cfg["parts"], groups[m // cfg["n_heads"]])
        head = build_head(xe.shape[1], cfg["hidden"], cfg["dropout"], cols)
        opt = torch.optim.AdamW(head.parameters(), lr=cfg["lr"], weight_decay=cfg["wd"])
        head.train()
        for _ in range(steps):
            loss = torch.zeros(())
            gated = bool(cfg.get("gated", False))
            if len(xe):
                out = head(xe)
                ce = F.cross_entropy(out[:, 2:6], q, reduction="none", label_smoothing=0.05)
                bce = F.binary_cross_entropy_with_logits(out[:, :2], vas, reduction="none").sum(dim=1)
                dom = F.binary_cross_entropy_with_logits(out[:, 17], torch.ones(len(xe)), reduction="none")
                loss = loss + ((ce + bce + dom * gated) * w_e).sum()
            if len(xf):
                of = head(xf)
                # without the gate, the EMOPIA expert's valence/arousal outputs also fit the recordings
                va_out = of[:, 15:17] if gated else of[:, :2]
                if cfg.get("rater_weight", 0) > 0:  # more raters, less noisy target: weighted least squares
                    n = torch.from_numpy(d["raters"])
                    wr = n / (n + float(cfg["rater_weight"]))
                    wr = wr / wr.mean()
                    mse = (((torch.tanh(va_out / 2.0) - va_t) ** 2).mean(dim=1) * wr).mean() * 4.0
                else:
                    mse = F.mse_loss(torch.tanh(va_out / 2.0), va_t) * 4.0
                g = F.binary_cross_entropy_with_logits(of[:, 6:15], gems)
                dom = F.binary_cross_entropy_with_logits(of[:, 17], torch.zeros(len(xf)))
                loss = loss + cfg["emf_weight"] * (mse + 0.5 * g + dom * gated)
            if cfg.get("l2", 0.0) > 0:  # ridge-like penalty on the weight matrices (not the biases)
                loss = loss + cfg["l2"] * sum((mod.weight ** 2).sum() for mod in head.modules()
                                              if isinstance(mod, torch.nn.Linear))
            opt.zero_grad()
            loss.backward()
            opt.step()
        head.eval()
        heads.append(head)
    return heads, mu.astype(np.float32), sd.astype(np.float32)


def fit_rec_ridge(d: dict, mu: np.ndarray, sd: np.ndarray, cfg: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """The ridge regressions of the recordings expert's outputs named in cfg['rec_ridge'] (fitted on the
    recordings of the design only, on the heads' standardised input; penalty by leave-one-out per output)."""
    from emotion.audio_model import fit_ridge_loo

    names = list(cfg.get("rec_ridge") or ())
    if not names:
        return None
    y = d["va_t"][:, [("valence", "arousal").index(n) for n in names]]
    if len(y) < 3:  # too few recordings to choose a penalty (tiny runs): predict their mean
        bias = y.mean(axis=0) if len(y) else np.zeros(len(names))
        return np.zeros((len(names), d["xf"].shape[1]), np.float32), bias.astype(np.float32)
    w, b, alphas = fit_ridge_loo((d["xf"] - mu) / sd, y)
    log(f"  recordings ridge {names}: alphas {alphas}")
    return w, b


def fit_emo_logreg(d: dict, mu: np.ndarray, sd: np.ndarray, cfg: dict, seed: int
                   ) -> tuple[np.ndarray, np.ndarray] | None:
    """Logistic regressions for the EMOPIA expert's sign outputs named in cfg['emo_logreg'] (valence / arousal
    above 0), on the heads' standardised input over the design's renderings; C per output chosen by a
    song-grouped inner CV on these rows, scored on their default renderings. Returns (logit weights k x D, bias k)."""
    from emotion.audio_model import EMO_OUTPUTS
    from emotion.logreg import INNER_FOLDS, choose_c, fit_logreg

    names = list(cfg.get("emo_logreg") or ())
    if not names:
        return None
    x = (d["xe"] - mu) / sd
    ws, bs, cs = [], [], []
    for name in names:
        y = d["vas"][:, EMO_OUTPUTS[name]].astype(np.int64)  # vas columns: valence, arousal sign
        if len(set(d["song"])) < INNER_FOLDS or len(set(y.tolist())) < 2:  # tiny runs: too few songs for an inner CV
            c = 1.0
        else:
            c = choose_c(x, y, d["song"], 2, seed, scored=d["default"])
        w, b = fit_logreg(x, y, 2, c)  # two-class softmax: the logit of class 1 is the difference
        ws.append(w[:, 1] - w[:, 0])
        bs.append(b[1] - b[0])
        cs.append(c)
    log(f"  EMOPIA logistic {names}: C {cs}")
    return np.stack(ws).astype(np.float32), np.array(bs, dtype=np.float32)


def make_model(heads: list, mu: np.ndarray, sd: np.ndarray, cfg: dict, version: str = "cv",
               rec: tuple[np.ndarray, np.ndarray] | None = None, emo: tuple[np.ndarray, np.ndarray] | None = None):
    from emotion.audio_model import AudioMoodModel

    return AudioMoodModel(None, np.zeros((mn.N_MELS, mn.N_FFT // 2 + 1), np.float32), heads, mu, sd, cfg, version,
                          rec_ridge=rec, emo_logreg=emo)


def predict_pairs(model, pairs: list[tuple[dict, dict]]) -> list[dict]:
    return [model.predict_features(f) for _, f in pairs]


BLENDS = (0.0, 0.5, 1.0)


def _blended(pred: dict, w: float) -> tuple[float, float]:
    from emotion.audio_model import combine

    return combine(pred["heads"], w)


def score(emo_pairs: list, emo_pred: list, emf_pairs: list, emf_pred: list, blend: float | None = None) -> dict:
    """Scores; valence/arousal use blend weight `blend` (None: the model's own outputs)."""
    res: dict = {}
    if blend is not None:
        emo_pred = [{**p, "valence": _blended(p, blend)[0], "arousal": _blended(p, blend)[1]} for p in emo_pred]
        emf_pred = [{**p, "valence": _blended(p, blend)[0], "arousal": _blended(p, blend)[1]} for p in emf_pred]
    if emo_pairs:
        from emotion.mood_space import quadrant

        q_true = np.array([it["quadrant"] for it, _ in emo_pairs])
        v_true = np.array([it["valence"] > 0 for it, _ in emo_pairs])
        a_true = np.array([it["arousal"] > 0 for it, _ in emo_pairs])
        q_head = np.array([p["quadrant"] for p in emo_pred])
        q_va = np.array([quadrant(p["valence"], p["arousal"]) for p in emo_pred])
        res.update({
            "emopia_n": int(len(q_true)),
            "quadrant_accuracy": float(np.mean(q_head == q_true)),
            "quadrant_accuracy_from_va": float(np.mean(q_va == q_true)),
            "valence_accuracy": float(np.mean(np.array([p["valence"] >= 0 for p in emo_pred]) == v_true)),
            "arousal_accuracy": float(np.mean(np.array([p["arousal"] >= 0 for p in emo_pred]) == a_true)),
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


def keep_share(units: list[str], share: float, key: str) -> set[str]:
    """A random `share` of the distinct `units` (songs, recordings), at least one; the same `key` gives nested
    subsets (a smaller share keeps a prefix of one shuffle)."""
    uniq = sorted(set(units))
    if share >= 1.0:
        return set(uniq)
    random.Random(key).shuffle(uniq)
    return set(uniq[: max(1, int(round(share * len(uniq))))])


def run_cv(emo_pairs: list, emf_pairs: list, cfg: dict, seed: int, max_steps: int | None = None,
           oof: list | None = None, train_share: float = 1.0, share_rep: int = 0) -> dict:
    """Song-grouped K-fold CV; scores on the default rendering (EMOPIA) and the recordings (Emotify). With `oof`,
    (fold, item, prediction) of every held-out EMOPIA clip is appended to it (player.queue_cv plans on them).
    With `train_share` < 1 each fold trains on that share of its training songs (whole EMOPIA songs, Emotify
    recordings; `share_rep` draws another subset) while the held-out songs stay the same: a learning curve."""
    k = cfg["folds"]
    parts = tuple(cfg["parts"])
    emo_fold, emf_fold = cv_folds(emo_pairs, emf_pairs, k, seed)
    all_e, all_pe, all_f, all_pf, fe, ff = [], [], [], [], [], []
    for f in range(k):
        tr_emo = [p for p, fo in zip(emo_pairs, emo_fold) if fo != f and (cfg["use_aug"] or p[0]["default_render"])]
        tr_emf = [p for p, fo in zip(emf_pairs, emf_fold) if fo != f]
        if train_share < 1.0:
            songs = keep_share([p[0]["song"] for p in tr_emo], train_share, f"lc:{seed}:{share_rep}:{f}:emopia")
            recs = keep_share([p[0]["clip"] for p in tr_emf], train_share, f"lc:{seed}:{share_rep}:{f}:emotify")
            tr_emo = [p for p in tr_emo if p[0]["song"] in songs]
            tr_emf = [p for p in tr_emf if p[0]["clip"] in recs]
        te_emo = [p for p, fo in zip(emo_pairs, emo_fold) if fo == f and p[0]["default_render"]]
        te_emf = [p for p, fo in zip(emf_pairs, emf_fold) if fo == f]
        d = design(tr_emo, tr_emf, parts)
        heads, mu, sd = train_heads(d, cfg, seed + 100 * f, max_steps)
        model = make_model(heads, mu, sd, cfg, rec=fit_rec_ridge(d, mu, sd, cfg),
                           emo=fit_emo_logreg(d, mu, sd, cfg, seed + 100 * f))
        preds = predict_pairs(model, te_emo)
        if oof is not None:
            oof += [(f, it, pr) for (it, _), pr in zip(te_emo, preds)]
        all_e += te_emo
        all_pe += preds
        all_f += te_emf
        all_pf += predict_pairs(model, te_emf)
        fe += [f] * len(te_emo)
        ff += [f] * len(te_emf)
    by_blend = {str(w): {k2: round(v, 4) for k2, v in score(all_e, all_pe, all_f, all_pf, w).items()}
                for w in BLENDS}
    best = float(cfg["blend"])
    pooled = score(all_e, all_pe, all_f, all_pf, best)
    pooled["blend"] = best
    per_fold = []
    for f in range(k):
        s = score([p for p, fo in zip(all_e, fe) if fo == f], [q for q, fo in zip(all_pe, fe) if fo == f],
                  [p for p, fo in zip(all_f, ff) if fo == f], [q for q, fo in zip(all_pf, ff) if fo == f], best)
        s["fold"] = f
        per_fold.append(s)
    spread = {}
    for key in ("quadrant_accuracy", "valence_accuracy", "arousal_accuracy", "valence_r", "arousal_r"):
        vals = [s[key] for s in per_fold if key in s and np.isfinite(s[key])]
        if vals:
            spread[key + "_fold_sd"] = float(np.std(vals))
    return {"pooled": pooled, "spread": spread, "per_fold": per_fold, "by_blend": by_blend, "seed": seed}


DEFAULT_CFG = {"parts": ["pen", "logits", "mpen", "mlogits", "hc", "sal"],
               "groups": [["pen", "logits", "mpen", "mlogits", "hc"], ["hc", "sal"]], "hidden": 0,
               "dropout": 0.3, "lr": 3e-3, "wd": 0.0, "l2": 1e-2, "steps": 400, "n_heads": 3,
               "patches_per_window": 2, "mtt_patches_per_window": 1, "emf_weight": 1.0, "use_aug": True,
               "n_renders": 3, "folds": 5, "blend": 0.5, "gated": True, "rec_ridge": ["arousal"],
               "emo_logreg": ["valence", "arousal"]}


def save_weights(tensors_path: Path, heads: list, mu: np.ndarray, sd: np.ndarray, cfg: dict, path: Path,
                 rec: tuple[np.ndarray, np.ndarray] | None = None,
                 emo: tuple[np.ndarray, np.ndarray] | None = None) -> str:
    from safetensors.numpy import load_file, save_file

    from emotion.audio_model import version_of

    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = dict(load_file(str(tensors_path)))
    if "sal" not in cfg["parts"]:
        tensors = {k: v for k, v in tensors.items() if not k.startswith(bp.KEY + ".")}
    for k, h in enumerate(heads):
        for name, t in h.state_dict().items():
            tensors[f"head{k}.{name}"] = t.detach().cpu().numpy().astype(np.float32)
    tensors["x_mean"] = mu.astype(np.float32)
    tensors["x_std"] = sd.astype(np.float32)
    for key, fit in (("rec_ridge", rec), ("emo_logreg", emo)):  # linear read-outs stored beside the heads
        if fit is not None:
            tensors[f"{key}.weight"], tensors[f"{key}.bias"] = fit[0].astype(np.float32), fit[1].astype(np.float32)
    meta_cfg = {**cfg, "n_heads_total": len(heads)}
    if "sal" in cfg["parts"]:  # what the cache held: the app must compute the same
        meta_cfg["salience_chunks"] = check_salience_cfg(cfg)
    tmp = path.with_name(path.name + ".tmp")
    save_file(tensors, str(tmp), metadata={"config": json.dumps(meta_cfg)})  # one key: byte-identical files
    os.chmod(tmp, 0o644)  # safetensors writes 0600
    tmp.replace(path)
    return version_of(path)


# --- model card ------------------------------------------------------------------------------------------------------

# the model shipped before this one (audio-mnn-7685ffbd49d5: no Basic Pitch salience), same CV folds
PREVIOUS_MODEL = {"quadrant_accuracy": 0.688, "valence_accuracy": 0.762, "arousal_accuracy": 0.904, "valence_r": 0.456,
                  "arousal_r": 0.773}
BASELINES = {"quadrant_accuracy": 0.685, "valence_accuracy": 0.754, "arousal_accuracy": 0.911, "valence_r": 0.52,
             "arousal_r": 0.75}
TARGETS = {"quadrant_accuracy": 0.72, "valence_accuracy": 0.80, "arousal_accuracy": 0.92, "valence_r": 0.60,
           "arousal_r": 0.80}
METRIC_NAMES = {"quadrant_accuracy": "EMOPIA quadrant accuracy", "valence_accuracy": "EMOPIA valence accuracy",
                "arousal_accuracy": "EMOPIA arousal accuracy", "valence_r": "Emotify valence r",
                "arousal_r": "Emotify arousal r"}


BASELINE_NOTE = (
    "The last column refits the issue's baseline recipes on exactly these folds, features and targets (`{command}`, "
    "`emotion/audio_baselines.py`): logistic regressions (C by an inner song-grouped CV) on the MSD musicnn "
    "embedding (penultimate layer) and/or hand-crafted features (hc9: 9 of ours standing in for the baseline's 9 "
    "librosa features; hc34: all), trained on the default renderings; ridges (penalty by leave-one-out) on the "
    "embedding or its mean pool for Emotify; the best recipe per metric is shown. On quadrant, arousal accuracy "
    "and Emotify valence r the hidden baselines score higher than these recipes do here (other songs, perhaps "
    "other features; on Emotify arousal r lower, on valence about the same), so the comparison that counts is "
    "the one in the same row and the same folds.")

TRIED = """
### What was tried (same song-grouped folds; one seed per head unless noted; pooled CV: Q / V / A / rV / rA)

Design comparisons, chosen beforehand and all reported (none reaches the targets; differences of ~0.01-0.02 in
accuracy and ~0.03-0.05 in r are within the noise of these data sets):

| variant | Q | V | A | rV | rA |
|---|---|---|---|---|---|
| previous model: CNN (64-mel, 8-s windows) + 34 hand-crafted features | 0.669 | 0.741 | 0.897 | 0.462 | 0.608 |
| linear heads on the 34 hand-crafted features only (default renders, no gate) | 0.641 | 0.733 | 0.866 | 0.373 | 0.525 |
| musicnn + hc, one linear group, shared valence/arousal outputs (no gate) | 0.685 | 0.751 | 0.879 | 0.463 | 0.659 |
| musicnn + hc, one linear head group, gated experts | 0.690 | 0.759 | 0.902 | 0.421 | 0.760 |
| musicnn + hc and hc-only linear groups (late fusion), gated (shipped before) | 0.680 | 0.751 | 0.893 | 0.453 | 0.740 |
| same, MLP heads (64 hidden units) instead of linear | 0.678 | 0.757 | 0.890 | 0.431 | 0.701 |
| same, trained on the default renderings only (no augmented renderings) | 0.691 | 0.759 | 0.896 | 0.438 | 0.751 |
| same, 1 musicnn patch per window instead of 2 (default renders only) | 0.680 | 0.760 | 0.891 | 0.441 | 0.750 |
| musicnn mean-pool + hc, not penultimate + logits (default renders, no gate) | 0.682 | 0.743 | 0.901 | 0.417 | 0.528 |
| shipped recipe on default renders only, re-run 2026-12-01 (cf. row 7 above) | 0.689 | 0.759 | 0.897 | 0.443 | 0.752 |
| same + the 25 harmony features of `audio_features.harmony`, in both groups | 0.679 | 0.761 | 0.891 | 0.449 | 0.740 |
| shipped recipe, Emotify MSE weighted by raters: n / (n + 14) | 0.681 | 0.753 | 0.895 | 0.456 | 0.740 |
| shipped recipe + spread across patches/windows (parts pen_std, hc_std) | 0.671 | 0.745 | 0.894 | 0.426 | 0.744 |
| previous shipped model (MSD musicnn only) reproduced on the mnn3 cache | 0.681 | 0.752 | 0.894 | 0.453 | 0.743 |
| + MTT_musicnn, 2nd backbone (penultimate + logits), both patches per window | 0.691 | 0.760 | 0.899 | 0.463 | 0.756 |
| same, MTT on each window's first patch only (shipped before: b1a27bc47ada) | 0.690 | 0.755 | 0.898 | 0.458 | 0.749 |
| same, recordings expert's valence + arousal from a LOO-tuned ridge | 0.691 | 0.759 | 0.897 | 0.396 | 0.772 |
| same, the ridge for the recordings expert's arousal only (735b17decee5) | 0.688 | 0.755 | 0.897 | 0.458 | 0.772 |
| + Basic Pitch salience (2 s at each window end, 20 features), both groups | 0.672 | 0.755 | 0.893 | 0.440 | 0.782 |
| same, salience in the musicnn group only | 0.679 | 0.761 | 0.895 | 0.443 | 0.773 |
| same, salience in the hc group only | 0.682 | 0.762 | 0.893 | 0.462 | 0.781 |
| 735b17decee5 + EMOPIA arousal sign from a logistic regression (C 1e-3-10) | 0.688 | 0.755 | 0.902 | 0.458 | 0.773 |
| same, valence and arousal signs from logistic regressions (7685ffbd49d5) | 0.688 | 0.762 | 0.904 | 0.456 | 0.773 |
| **+ Basic Pitch salience, all 8 s of each window, hc group (shipped)** | 0.697 | 0.771 | 0.897 | 0.460 | 0.784 |
| same, salience in both groups | 0.691 | 0.773 | 0.897 | 0.436 | 0.785 |
| shipped, EMOPIA arousal logistic regression without the salience columns | 0.697 | 0.767 | 0.896 | 0.460 | 0.784 |
| + 33 note features of Basic Pitch's activations (see below), hc group | 0.699 | 0.775 | 0.894 | 0.471 | 0.782 |
| same, 8 of them only (onset, polyphony, melody and bass lines, silence) | 0.699 | 0.770 | 0.897 | 0.455 | 0.786 |
| + MTT_vgg (musicnn's VGG: pool5 + logits, every patch), musicnn group | 0.693 | 0.762 | 0.897 | 0.447 | 0.789 |
| MTT_musicnn on both patches of every window instead of the first | 0.699 | 0.771 | 0.896 | 0.467 | 0.777 |
| MSD_musicnn fine-tuned (mid-end + back-end, see below), its own heads | 0.635 | 0.666 | 0.901 | 0.337 | 0.762 |
| shipped recipe, fine-tuned penultimate + logits in place of MSD's | 0.699 | 0.768 | 0.901 | 0.456 | 0.762 |
| shipped recipe + fine-tuned penultimate + logits, musicnn group | 0.702 | 0.766 | 0.902 | 0.446 | 0.772 |
| shipped x 0.75 + fine-tuned network's heads x 0.25 (late fusion) | 0.702 | 0.773 | 0.903 | 0.449 | 0.790 |
| shipped recipe, 10 heads a group instead of 3 (`--n-heads 10`, 2026-12-07) | 0.701 | 0.771 | 0.897 | 0.458 | 0.784 |

Basic Pitch salience over all of each window (2026-12-06, fifth session). The salience rows above heard 2 s at each
end of every window; the valence gain on piano (see below) had come from hearing all 8 s, which was then judged too
slow for the tagger. With the port made ~15 % faster (channels-last convolutions) and the tagger at ~4 tracks/s, it
was measured with the shipped recipe: four 2-s stretches per window (`audio_model.SALIENCE_CHUNKS` = 4, spread
evenly, all 8 s), the 20 salience features in the hc-only group, everything else as before (throw-away wrapper
that set the chunk count, `--cv-only [--seed S]`, one cache; on the default split the shipped run from scratch,
whose features differ slightly from that cache's (the port's speed-up moves activations by ~1e-6, and fresh
featurisations differ in float rounding), gave the same figures except valence 0.771 instead of 0.767: 3-4 of
875 clips). Against the model shipped before (7685ffbd49d5) on three fold splits,
default split from the shipped run: Q 0.688 -> 0.697, 0.687 -> 0.690, 0.689 -> 0.707; V 0.762 -> 0.771, 0.750 ->
0.771, 0.763 -> 0.778; A 0.904 -> 0.897, 0.903 -> 0.899, 0.896 ->
0.896; rV 0.456 -> 0.460, 0.444 -> 0.456, 0.426 -> 0.431; rA 0.773 -> 0.784, 0.785 -> 0.793, 0.775 -> 0.786.
Quadrant (+0.010 on average), valence (+0.015), Emotify valence (+0.007) and arousal (+0.010) gain on every split,
EMOPIA arousal loses 0.004 on average (-0.007 / -0.004 / 0.000): shipped. Keeping the salience out of the arousal
logistic regression (its columns zeroed for that regression only, a throw-away patch; the regression is then the
previous model's) does not undo the loss (0.896 on the default split): the quadrant head changed, and its arousal
marginals, which alone score as before (blend 1.0: 0.890, previously 0.891), agree less well with the regression
in the 0.5 blend. Read alone, the regression with the salience scores 0.894 (previously 0.902).
Salience in both groups (one split) lifts valence as much but costs Emotify valence r, so it stays in the hc
group. Cost: `bench/tag.py --tracks 200` 4.17 -> 2.53 tracks/s, peak RSS 573 -> 725 MB, same machine, same hour
(the experiment's weights; the first try ran a track's 12 stretches as one batch and peaked at 1,055 MB, one
batch per window keeps it under the 1 GB target), 2.43 tracks/s and 655 MB with the shipped weights 40 min later;
featurising all 2,925 files 20.8 -> 27.4 min.

The second backbone was checked on two more fold splits (CV seeds 1 and 2, MSD only -> + MTT on both patches;
`--cv-only --seed S --cfg '{"parts": ["pen", "logits", "hc"], "groups": [["pen", "logits", "hc"], ["hc"]]}'` and
`--cv-only --seed S --cfg '{"mtt_patches_per_window": 2}'`): Q 0.681 -> 0.691 and 0.673 -> 0.698, V 0.743 -> 0.752
and 0.752 -> 0.766, A 0.898 -> 0.901 and 0.896 -> 0.894, rV 0.462 -> 0.453 and 0.440 -> 0.439, rA 0.745 -> 0.763
and 0.739 -> 0.758: quadrant, valence and Emotify arousal gain 0.01-0.02 on every split, arousal accuracy and
Emotify valence do not move. It costs tagging speed (`bench/tag.py --tracks 200`: 2.55 tracks/s with MTT on all 6
patches, 3.28 on the 3 first patches, against ~5 for MSD alone), so the shipped model runs MTT on each window's
first patch (its gain is about half on valence and Emotify arousal, the same on quadrant). Also measured once with
throw-away sklearn scripts (not kept in the project; default renders, same folds), no gain: max-pool of MSD or MTT
musicnn + hc with logistic regression / ridge (Q 0.677-0.681, V 0.749-0.758, rA 0.72-0.74), RBF-kernel SVMs on MSD,
MTT and hc (Q 0.63-0.65, V 0.71-0.75: worse than linear). How far the Emotify valence target is from its labels
(`python -m emotion.emotify_agreement`): splitting each clip's raters in two halves, the halves' GEMS valence
proxies correlate 0.47-0.55 (Spearman-Brown reliability of the full panel 0.68, so the best possible r with the
listeners' "true" valence is ~0.83); for arousal 0.80-0.83 (0.90, ceiling ~0.95).

The ridge for the recordings expert's arousal: the gradient-trained ensemble shares one L2 penalty between all 18
outputs and averages in the hc-only group, which reads Emotify arousal poorly (r ~0.5); a ridge regression of the
recordings' arousal on the whole head input, its penalty chosen per fold by leave-one-out on the training recordings
only (it picked 1000 on 14 of the 15 folds below and for the shipped fit, 316 on one), reads it better. Checked on
three fold splits (`--cv-only --seed S` with and without `--cfg '{"rec_ridge": ["arousal"]}'`): Emotify arousal r
0.749 -> 0.772 (default seed), 0.758 -> 0.782 (seed 1), 0.748 -> 0.775 (seed 2); the EMOPIA figures move by at most
0.003 (the gate mixes a little of the recordings expert into rendered MIDI). For valence the ridge is worse than the
ensemble (0.396 vs 0.458: the joint training with EMOPIA's valence helps there), so valence stays with the ensemble.
Standardising the ridge's input over the recordings instead of over all training rows (which EMOPIA's renderings
dominate) adds only 0.002-0.004 (0.775 / 0.784 / 0.779 on the three splits, measured with that change to
`fit_rec_ridge`, then reverted; not shipped). What still costs Emotify arousal is the gate: on held-out recordings
it is not quite 0 (median 0.01, 90th percentile 0.11, up to 0.8 on a few electronic and classical clips), so some of
the EMOPIA expert's arousal leaks in; the ridge alone reads r 0.789 where the gated output reads 0.775 (default
split, with the recordings-standardised variant; throw-away script that reads the CV models' head outputs, not
kept). Sharpening the gate does not pay (throw-away script on the same CV head outputs, not kept; two splits): a
hard switch at 0.5 or g^3 / (g^3 + (1 - g)^3) gives Emotify arousal +0.006 to +0.011 but valence -0.006 to -0.007,
EMOPIA figures within 0.005 (0.3 % of the default renderings have a gate below 0.5): a trade inside the noise, not
shipped.
Hearing more of each Emotify clip does not help: musicnn over all ten 3-s patches of the 30-s clips instead of the
tagger's six (throw-away script, sklearn RidgeCV, three fold splits) gives the same r (MSD + MTT + hc: 0.414-0.424 /
0.793-0.797 against 0.424-0.427 / 0.792-0.799). Nor does reading valence through the mood words: the GEMS proxy of
the predicted nine GEMS shares gives r 0.451 on the recordings (the expert 0.457; their z-scored mean 0.464; one
fold split, throw-away script).

The same idea for the EMOPIA expert (throw-away sklearn script: separate logistic regressions for quadrant, valence
sign and arousal sign on the whole head input, each C chosen by an inner song-grouped 4-fold CV on the training
folds; two fold splits) does not carry: trained on all renderings 0.690 / 0.746 / 0.902 and 0.695 / 0.757 / 0.909
(ensemble on the same splits 0.688 / 0.755 / 0.897 and 0.687 / 0.752 / 0.897), on the default renderings only
0.657 / 0.745 / 0.898 and 0.679 / 0.751 / 0.895: at most +0.01 on arousal, valence no better, so not shipped.

Emotify alone, ridge regression (sklearn, alpha 1000) on clip features: penultimate 0.38 / 0.75, tag logits
0.37 / 0.71, mean-pool 0.37 / 0.76, hand-crafted 0.39 / 0.50, penultimate + logits + hand-crafted 0.43 / 0.76:
musicnn lifts Emotify arousal a lot and valence hardly (the GEMS valence proxy of 11-58 raters per clip is noisy;
genre explains little of it, r 0.27). EMOPIA alone (no Emotify in training): linear 0.680 / 0.754 / 0.894, MLP
0.654 / 0.739 / 0.889. The harmony features (per 128-ms chroma frame the best of 96 chord templates: energy
share of major, minor, diminished, augmented, sus4, dominant-7, minor-7, major-7 frames; how chord-like the frames
are; the pitch-class profile rotated to the estimated tonic; tonnetz centroid strengths and tonal change) were
meant to lift valence (major/minor, consonance) and did not: musicnn and the key-profile features already carry
what they add. They are computed for the training cache but not used by the shipped heads.

Transcription-like pitch information for EMOPIA's valence (2026-12-02). A ceiling first (throw-away sklearn script,
not kept: LogisticRegressionCV with an inner song-grouped 4-fold CV, default renderings, two fold splits): 50
features read from the ground-truth MIDI notes (key fit, key-relative pitch classes, chord-quality shares per 0.5 s,
register, velocity, note density, melodic intervals) added to the head input lift Q / V / A from 0.646 / 0.737 /
0.886 and 0.679 / 0.751 / 0.895 (head input alone, same script) to 0.695 / 0.782 / 0.879 and 0.697 / 0.791 / 0.897;
key fit and chord qualities carry most of it. From audio, the note activations of Spotify's Basic Pitch
(basic-pitch 0.4.0's ONNX model through onnxruntime in a throw-away venv, run as the package runs it: overlapping
2-s windows over the tagger's three 8-s excerpts) recover about half of that valence gain in the same script (+ 20
salience features: 0.682 / 0.752 / 0.893 and 0.686 / 0.770 / 0.897; + features of its note events: 0.667 / 0.762 /
0.889 and 0.683 / 0.767 / 0.895). In the project's ensemble (run_cv of this script, fed through a throw-away wrapper
that adds the feature part; trained and scored on the default renderings only, two splits; without salience
0.695 / 0.760 / 0.896 / 0.398 / 0.785 and 0.687 / 0.761 / 0.897 / 0.437 / 0.788): salience over all 8 s of each
window 0.701 / 0.779 / 0.888 / 0.394 / 0.788 and 0.696 / 0.779 / 0.891 / 0.455 / 0.791; over one window only 0.685 /
0.759 / 0.891 / 0.385 / 0.788 and 0.691 / 0.768 / 0.897 / 0.449 / 0.791; over 2 s at each end of every window
0.687 / 0.774 / 0.890 / 0.403 / 0.786 and 0.686 / 0.770 / 0.896 / 0.454 / 0.790. The network is now ported to
torch (`emotion/basicpitch.py`, equal to the ONNX model to ~1e-4 per activation, ~1e-6 on average) and its
salience features are a head part
("sal"; `train_audio` featurises them into their own cache only for a config that reads them). With the shipped
recipe (augmented renderings in training) they do not pay (rows above: `--cv-only --cfg` with "sal" added to
`parts` and to both groups, the musicnn group or the hc group); the best placement (hc group), checked on a
second split (`--seed 1`, with and without): 0.687 / 0.752 / 0.897 / 0.444 / 0.782 -> 0.690 / 0.758 / 0.898 /
0.456 / 0.792, and on the default split 0.688 / 0.755 / 0.897 / 0.458 / 0.772 -> 0.682 / 0.762 / 0.893 / 0.462 /
0.781: +0.006-0.007 valence, +0.004-0.012 Emotify valence, +0.01 Emotify arousal, quadrant -0.006 / +0.003, all
inside the noise, for ~0.27 s more compute per track on one core (two 2-s stretches per window at ~0.045 s each,
timed by hand; featurising 80 files from scratch took 73.3 s instead of 55.5 s, throw-away script over `prepare`
with `limit=20`, not kept): not shipped. Hearing all of every window (the
valence gain on piano above) was then estimated at ~0.5 s per track, too slow for the tagger; measured later, it
is what ships now (the fifth session's paragraph above). The training
cache's salience features for these rows were computed from int16 copies of the excerpts (`--keep-excerpts`), which
differ from the float decode by at most 0.011 on a feature (one key crossing the onset-share threshold; checked by
hand on one recording). The weights shipped then (735b17decee5) were unchanged by that work.

The baselines on our own folds (2026-12-02, `python -m emotion.audio_baselines --work-dir W [--seed S]`, which
refits the issue's recipes on exactly run_cv's folds; see the last column of the validation table). Best recipe per
metric on the default split / seed 1 / seed 2: quadrant 0.665 / 0.679 / 0.674 (embedding + 34 hand-crafted),
valence 0.742 / 0.755 / 0.757, arousal 0.899 / 0.899 / 0.893, Emotify valence r 0.373 / 0.376 / 0.390, arousal r
0.776 / 0.776 / 0.779 (ridge on the embedding's mean pool). The model shipped before (735b17decee5) was level with
them on arousal accuracy (0.897 / 0.897 / 0.890) and Emotify arousal r (0.772 / 0.782 / 0.775) and above on the rest
except valence on seed 1 (0.752). The gradient-trained ensemble shares one L2 penalty across 18 outputs, and the
EMOPIA expert's sign outputs seemed to pay for it, so, as for the recordings expert's arousal, they now come from
dedicated L2 logistic regressions on the whole standardised head input (all renderings; C from 1e-4-10 by a
song-grouped inner 4-fold CV on the training songs, scored on their default renderings; `emotion/logreg.py`),
still blended with the quadrant head's marginals and gated as before (`--cv-only [--seed S] --cfg '{"emo_logreg":
["valence", "arousal"]}'` against the previous config on three splits): 0.688 / 0.755 / 0.897 / 0.458 / 0.772 ->
0.688 / 0.762 / 0.904 / 0.456 / 0.773 (default), 0.687 / 0.752 / 0.897 / 0.444 / 0.782 -> 0.687 / 0.750 / 0.903 /
0.444 / 0.785 (seed 1), 0.689 / 0.761 / 0.890 / 0.428 / 0.775 -> 0.689 / 0.763 / 0.896 / 0.426 / 0.775 (seed 2).
Arousal accuracy +0.006-0.007 on every split (small, but the one consistent move), valence +0.002 on average,
nothing else moves: shipped (it costs nothing at tagging time; C chosen: 0.01-0.1 for valence, 1e-4-1e-3 for
arousal, i.e. arousal wants a far stronger penalty than the ensemble's). The arousal sign alone (with C from
1e-3-10) gave 0.902 arousal on the default split and left valence at 0.755. The separate logistic regressions for
all three EMOPIA outputs tried earlier (the throw-away script above) replaced the quadrant head too; this keeps it.
`logreg.choose_c` standardises each inner fold on its own training rows while the final fit uses the heads'
standardisation (over EMOPIA and Emotify together); choosing C on the heads' standardisation instead, from 1e-5-100
(throw-away script that patches `choose_c`, not kept): 0.688 / 0.761 / 0.899 / 0.457 / 0.773 (default split) and
0.687 / 0.752 / 0.904 / 0.443 / 0.783 (seed 1): no better (arousal -0.005 / +0.001), so left as it is.

Reproduction time (2026-12-02, third session). Featurisation is the cost of a run from scratch, and this machine's
speed varies from day to day: the same 2,925 files took 28.2 min (2026-12-01), 37.9 and 40.2 min (2026-12-02
morning) and 53.2 min (2026-12-02 afternoon, nothing else running). Two changes that leave the features as they
were: MTT musicnn is featurised on each window's first patch only when the config reads only that (what the tagger
computes; before, it ran on both patches and training dropped the second), and fluidsynth loads soundfont samples
on demand (`synth.dynamic-sample-loading`: byte-identical WAVs, checked by hand on default and forced-program
renderings with both soundfonts; one FluidR3_GM rendering 1.13 s -> 0.63 s). Timed by hand on one core
(throw-away script, not kept), per EMOPIA file: rendering ~0.6 s, MSD musicnn on 6 patches ~0.6 s, MTT on 6 patches
~0.6 s and on 3 patches ~0.22 s, decoding and hand-crafted features ~0.03 s each. Two processes on this machine's
two cores give only ~1.4x one process (estimated by hand: ~4,300 core-s of that per-file work against the run's
3,194 s; `time` gave user 92 min + sys 25 min over 61 min wall). The CV from the new cache equals the previous
card's to three decimals.
Reproduction time (2026-12-06, fourth session), with two later changes that leave the features as they were: the
renderings' MTT musicnn also runs on first patches only (before, the flag reached only the recordings' tasks) and
musicnn's front end takes the max over frequency before ReLU + batch norm (bit-identical, tested). Per EMOPIA
rendering, timed on one core (throw-away script, 8 clips x 3 renderings, not kept): fluidsynth 0.32 s (TimGM6mb) or
0.65 s (FluidR3_GM), MSD musicnn on 6 patches 0.26 s, MTT on 3 patches 0.10 s, decoding 0.017 s, hand-crafted +
harmony features 0.015 s. The whole run from an empty --work-dir (`/usr/bin/time -v`): 24.9 min wall
(featurisation 20.8 min, CV 3.2 min, final fit 49 s), user 40 min + sys 6 min, peak RSS 576 MB; same CV figures to
three decimals; every tensor within 4.3e-5 of the weights shipped before (30d4b7e2f07b, which these replace;
throw-away comparison, not kept).
Reproduction time (2026-12-06, fifth session), with Basic Pitch salience over all of each window (this card's
weights, audio-mnn-8f2135879a1c): the whole run from an empty --work-dir (`/usr/bin/time -v`) 30.8 min wall
(featurisation 27.5 min, CV 2.6 min, final fit 39 s), user 53 min + sys 5 min, peak RSS 610 MB.
Within one machine the featurisation is deterministic (throw-away check: 6 renderings and 2 recordings featurised
in two processes, all 64 arrays equal) and a refit from the same cache is byte-identical; fresh featurisations on
other days gave other bytes than the weights shipped before (b909c3cb6035; audio-mnn-ba7aa2ba3ac8, 30d4b7e2f07b and
this card's weights) with the same figures to 0.001: the float results differ between machines, the figures do not.

Two renderings per clip instead of three (TimGM6mb piano + one FluidR3_GM rendering with a drawn GM program; a
third fewer files to featurise), three splits (`--cv-only --renders 2 [--seed S]`, same cache): 0.690 / 0.752 /
0.901 / 0.448 / 0.775, 0.690 / 0.758 / 0.901 / 0.455 / 0.784, 0.683 / 0.752 / 0.896 / 0.426 / 0.779 against three
renderings 0.688 / 0.762 / 0.904 / 0.456 / 0.773, 0.686 / 0.753 / 0.903 / 0.444 / 0.785, 0.690 / 0.763 / 0.896 /
0.426 / 0.775: valence -0.010 / +0.005 / -0.011, the rest within 0.008. Not shipped (three renderings also give
each clip two programs besides piano, as the issue asks for).

Quadrant read from the signs of the final valence / arousal (config `quadrant_from_va`, off in the shipped
config; the CV prints it as "quadrant from the sign"): 0.701 / 0.693 / 0.694 on the three splits against the
quadrant head's 0.688 / 0.686 / 0.690 (+0.013 / +0.007 / +0.004). But the planner ranks by the tagger's quadrant
probabilities, and with these (products of (1 + v) / 2 and (1 + a) / 2, less peaked than the head's) the queue
gets worse at the planner's doubt weight 4.0: `python -m player.queue_cv --work-dir W --cfg '{"quadrant_from_va":
true}'` 0.845 / 0.845 / 0.880 (emotion-match / P@10 / nDCG@10, fold sd 0.043) against 0.870 / 0.870 / 0.897 with
the head's (tagger right 0.701 against 0.688). Not shipped; a doubt weight re-tuned for these probabilities (or
sharper ones) was not tried.

L-BFGS convergence of `logreg.fit_logreg` (throw-away script on the full design, 20 rounds of 100 iterations
against the first round): for C <= 0.01 the first 100 iterations reach the optimum (relative loss gap <= 5e-9; C
1e-4 and 1e-3 stop on their own after 19-54 iterations), for C 0.1 within 2e-4, for C 1 and 10 not (1-1.5 % and
3-10 % above the optimum). The shipped fits (C 0.01 / 0.001) and the C's the inner CV picks (1e-4-0.1) are
converged; the large-C candidates it rejects are early-stopped, as sklearn's default (max_iter 100) would be.

MSD musicnn on one patch a window instead of two (each window's first 3 s; would save ~0.11 of ~0.72 core-s a
track, about 15 % of the tagging time; 2026-12-06, `--cv-only --seed S --cfg '{"patches_per_window": 1}'` on the
shipped run's cache, three splits, against the shipped recipe on the same cache): Q 0.697 -> 0.695, 0.690 ->
0.695, 0.707 -> 0.704; V 0.771 -> 0.773, 0.771 -> 0.781, 0.777 -> 0.771; A 0.897 -> 0.893, 0.899 -> 0.903, 0.896
-> 0.889; rV 0.460 -> 0.458, 0.456 -> 0.459, 0.431 -> 0.434; rA 0.784 -> 0.774, 0.793 -> 0.783, 0.786 -> 0.784.
Emotify arousal r loses on every split (-0.007 on average) and arousal accuracy on two of three; the rest moves
inside the noise. Not shipped: the tagger meets its speed target with two patches.

More of what Basic Pitch hears (2026-12-07, sixth session). The 20 salience features average each window's note
activations into one pitch-class profile. Read frame by frame instead, the same activations (the tagger already
computes them, so these would cost nothing at tagging time) give 33 features a window: the interval-class content
of the pitch classes sounding together (6), the share of 0.5-s segments best matched by each of 8 chord templates
(major, minor, diminished, augmented, dominant 7th, major 7th, minor 7th, sus4) and how well they match, the chord
change rate, the chord roots relative to the window's key (tonic, dominant, subdominant, relative), the top and the
bottom sounding key (melody and bass: register, spread, step size, share of upward steps), polyphony, silence,
onset rate and onset polyphony, how stable the key and mode are across the window's four stretches, and
the major-minus-minor chord share. Measured
with throw-away scripts (not kept): every training file's activations dumped as the tagger computes them (27 min
on 2 processes; the 20 salience features recomputed from the dump equal the cache's to 8.5e-5), the features added
as a head part, `run_cv` on the shipped cache. On the default split: in the hc group 0.699 / 0.775 / 0.894 / 0.471
/ 0.782, 8 of them 0.699 / 0.770 / 0.897 / 0.455 / 0.786 (rows above; shipped 0.697 / 0.771 / 0.897 / 0.460 /
0.784); trained on the default renderings only 0.697 / 0.768 / 0.897 / 0.438 / 0.780 -> 0.696 / 0.770 / 0.895 /
0.450 / 0.785. Alone they carry less than what is there already: song-grouped 5-fold logistic regressions on the
default renderings (best of C 0.003-0.1, so optimistic; Q / V / A) give 0.595 / 0.702 / 0.862 from the 33, 0.635 /
0.718 / 0.873 from the 20 salience features, 0.694 / 0.768 / 0.893 from the 34 hand-crafted + 20 salience and
0.673 / 0.767 / 0.880 with the 33 added; musicnn's penultimate layer + hand-crafted + salience 0.703 / 0.790 /
0.894, with the 33 0.696 / 0.797 / 0.891. Their strongest single links are arousal's with onset rate (r 0.67) and
bass register (-0.44); the hand-crafted features already include an onset rate and band energies; valence's strongest is
the share of minor chords (-0.30). Not shipped: nothing moves outside the noise. The Emotify valence read through
the nine GEMS outputs (the proxy of DESIGN.md applied to the predicted GEMS shares) instead of the recordings
expert: r 0.458 against 0.459, and 0.467 for the mean of the two, each standardised (same split): no gain either.

Hearing more of each recording (2026-12-07, sixth session; throw-away scripts, not kept): the 300 Emotify
recordings featurised on 9 windows of 8 s over the same span as the tagger's 3 (which are windows 1, 5 and 9 of
them and equal the cache's features, largest difference 1.1e-6), everything else as shipped, default split.
Heads and ridge fitted on the 9-window features, scored on the tagger's 3: 0.696 / 0.773 / 0.897 / 0.468 / 0.780;
fitted and scored on 9 windows: 0.696 / 0.773 / 0.897 / 0.469 / 0.778 (shipped: 0.697 / 0.771 / 0.897 / 0.460 /
0.784). Three times the listening moves the Emotify correlations by less than the noise, so the excerpts are not
what limits them.

The musicnn package's other networks, and MTT_musicnn on both patches (2026-12-07, seventh session; throw-away
scripts, not kept). The package also ships MSD_vgg and MTT_vgg (Pons & Serra: five 3x3 convolutions of 128 filters
over the same 187 x 96 log-mel patch, 256 pooled features, 50 tag logits; ~50 ms a patch on one core against
musicnn's ~35). Ported to torch with the project's checkpoint reader (not compared with TensorFlow; MTT_vgg's
taggram correlates 0.81-0.99 with MTT_musicnn's on four test pieces and tags the rendered piano 'piano', the strings
'strings'), run on every training file as the tagger hears it (2,925 files re-rendered and decoded, 26 min on 2
processes). Probes first (default renderings; song-grouped 5-fold logistic regressions, best of C 0.001-0.03, Q / V
/ A; Emotify ridge, penalty by RidgeCV, r valence / arousal): the shipped head input 0.697 / 0.786 / 0.901 and 0.416
/ 0.785; with MSD_vgg 0.688 / 0.778 / 0.894 and 0.402 / 0.779; with MTT_vgg 0.675 / 0.757 / 0.899 and 0.460 / 0.796
(over 5 shuffles of the Emotify folds 0.411 -> 0.437 valence, 0.794 -> 0.799 arousal). MTT_vgg's one lead, Emotify
valence, does not survive the shipped recipe: with it in the musicnn group (default split) 0.693 / 0.762 / 0.897 /
0.447 / 0.789 against 0.697 / 0.771 / 0.897 / 0.460 / 0.784. Not shipped. The same decoded excerpts gave
MTT_musicnn's second patch of every window (the first patches, recomputed from int16 copies of the excerpts, match
the cache on the penultimate layer to 7e-4 (median over files of the largest difference; at most 0.46 on loud
recordings whose decode exceeds full scale, which the int16 copy clips; 68 of 2,925 files above 0.05), so the
cache's own first patches were used): against the shipped recipe on three splits (default / seed 1 / seed 2, each
measured on the same cache in the same session) Q 0.697 -> 0.699, 0.690 -> 0.695, 0.707 -> 0.701; V 0.771 -> 0.771,
0.771 -> 0.782, 0.777 -> 0.777; A 0.897 -> 0.896, 0.899 -> 0.902, 0.896 -> 0.895; rV 0.460 -> 0.467, 0.456 -> 0.465,
0.431 -> 0.443; rA 0.784 -> 0.777, 0.793 -> 0.796, 0.786 -> 0.794. Emotify valence gains 0.007-0.012 on every split,
the rest moves both ways around zero (on average Q 0.000, V +0.004, A 0.000, rA +0.001). Not shipped: ~0.1 core-s
more a track (about a tenth of the tagging time) for a gain that is a fifth of the noise and a fifteenth of the
distance to the Emotify valence target.

Fine-tuning MSD_musicnn (2026-12-07, eighth session; throw-away scripts, not kept). The last idea the notes had
left untried: train the network itself on these labels. Its front-end (the timbral and temporal convolutions, most
of its time) stays frozen and its outputs (561 x 187 a patch) were cached for every patch of every training file (17,550
patches from the kept int16 excerpts, 3.7 GB at float16, 8 min on 2 processes); the mid-end (three 1-D
convolutions), the 200-unit dense layer and the tag layer are trained, batch-norm statistics kept as pretrained,
with linear heads on the mean penultimate layer of 2 patches of a file drawn per step (all 6 when scoring):
quadrant cross-entropy (label smoothing 0.05) and valence / arousal sign on the EMOPIA renderings (all three),
MSE of tanh outputs on Emotify's standardised proxy (x 4); AdamW, one-cycle, lr 1e-4 network / 1e-3 heads, weight
decay 1e-4, dropout 0.3, 15 epochs of 32 files (~15 s an epoch on 2 threads, ~4 min a fold), refitted per fold of
the shipped split. Its own heads, held out: 0.635 / 0.666 / 0.901 / 0.337 / 0.762 (seed 1 split: 0.643 / 0.693 /
0.905 / 0.374 / 0.770); the same heads on the frozen network, trained the same way: 0.526 / 0.594 / 0.867 / 0.340 /
0.762. Fine-tuning helps that head a lot, but alone it is below the shipped linear read-out of the frozen networks
plus the hand-crafted and salience features on everything except arousal accuracy (0.901-0.905 against 0.897-0.899,
within the noise). Its penultimate layer and logits as head input (rows above; those of the training clips are
in-sample for the fine-tuned network, so the heads over-trust them: Emotify arousal r drops) change nothing outside
the noise. Late fusion of out-of-fold predictions (quadrant probabilities and valence / arousal averaged, the
network's sign logits read as tanh(z / 2)), weights 0.25 and 0.5 looked at on the default split: 0.25 gives 0.702 /
0.773 / 0.903 / 0.449 / 0.790 (shipped 0.697 / 0.771 / 0.897 / 0.460 / 0.784), and on the seed 1 split 0.698 /
0.777 / 0.903 / 0.460 / 0.799 (shipped 0.690 / 0.771 / 0.899 / 0.456 / 0.793); 0.5 is worse on both. Average change
+0.0065 Q, +0.004 V, +0.005 A, -0.0035 rV, +0.006 rA: a third of the noise, the weight chosen after looking.
Not shipped: training would grow from ~31 to ~55-60 min on 2 cores (over the 45-min limit: a fine-tuning per CV fold
and one for the final model) and need a 3.7 GB cache, for no target reached.

Genre-aware Emotify valence (2026-12-07, ninth session; throw-away script, not kept). The cues of induced valence
may differ between genres (classical against rock, say), so ridge regressions of the recordings' valence proxy on
the shipped head input were given per-genre copies of that input (shared weights plus weights for each genre): with
the true genre r 0.426, with the genre predicted from the same input (a logistic regression, right on 80 % of the
held-out clips) 0.427, with the predicted genre's one-hot added instead 0.423, against 0.422 for the plain ridge
(5 shuffles of a genre-stratified 5-fold split, penalty by leave-one-out). Genre alone explains r 0.27 of the
valence proxy. No lead.

Learning curve: is the amount of training data the limit? (2026-12-07, tenth session; `python -m
emotion.train_audio --cv-only --work-dir W --train-share S --share-rep R [--seed 1]`, S 0.25 / 0.5 / 0.75 / 1, R 0
and 1.) The shipped recipe on the same held-out folds, each fold's model trained on a nested random share of that
fold's training songs (whole EMOPIA songs with all their clips and renderings, Emotify recordings; the same share
of both), two repeats per share, two fold splits (default and seed 1; the share 1.0 is the shipped CV). The
figures below are the means of the two repeats (the straight-line fit over the 14 runs was a throw-away numpy
script). Q / V / A / rV / rA on the default split, then seed 1:
a quarter (62 EMOPIA songs, 60 recordings a fold) 0.639 / 0.727 / 0.886 / 0.375 / 0.685 and 0.647 / 0.731 / 0.897 /
0.377 / 0.729; half 0.667 / 0.746 / 0.897 / 0.426 / 0.734 and 0.681 / 0.765 / 0.895 / 0.412 / 0.765; three quarters
0.686 / 0.767 / 0.891 / 0.463 / 0.773 and 0.688 / 0.770 / 0.896 / 0.446 / 0.780; all (248 songs, 240 recordings)
0.697 / 0.771 / 0.897 / 0.460 / 0.784 and 0.690 / 0.771 / 0.899 / 0.456 / 0.793. Fitted as linear in log2(share)
over the 14 runs, each doubling of the data gains: quadrant +0.026, valence +0.023, arousal +0.002 (flat from a
quarter on), Emotify valence r +0.045, arousal r +0.043. Extrapolated one doubling past the data (an extrapolation,
and on the seed-1 split quadrant and valence gain only +0.010 / +0.007 from half to all, so the curve may be
flattening): quadrant 0.720, valence 0.794, arousal 0.901, Emotify valence r 0.503, arousal r 0.831. So the size
of the training set is what limits quadrant, valence and Emotify arousal (each about one doubling from its target),
but not EMOPIA arousal, and Emotify valence would need about three doublings (8x the recordings). The training set
is already all of the labelled music there is here (EMOPIA's 310 songs less a fold, all 300 Emotify recordings):
a real doubling needs data from outside it.

Why the shipped recipe: gating (a domain output telling rendered MIDI from recordings weighs an EMOPIA expert and
a recordings expert) is what lifts Emotify arousal r from ~0.61-0.66 to ~0.74-0.76, because EMOPIA's quadrant
labels and Emotify's induced-emotion ratings disagree on what "valence/arousal" sound like; on real music (the
app's case) the gate selects the recordings expert. The hc-only head group was added for robustness, not for CV:
without it, the musicnn-based heads read a loud, fast, major piano arpeggio (the test's generated piece) as Q2
(tense) with valence -0.88, well out of the training distribution; with it the two contrasting pieces are
separated (valence gap > 0.3) at equal CV. Linear beats MLP heads here; augmented renderings neither help nor hurt
the CV (kept: the issue asks the model not to learn "piano = emotion"). Basic Pitch's note salience (key fit,
key-relative pitch classes, register) is the one input that reads which notes sound rather than how they sound;
heard over all of each window it moved quadrant and valence up on every fold split.
"""


def write_card(path: Path, cfg: dict, cv: dict | None, version: str, weights: Path, counts: dict,
               timing: dict, extra: str = "") -> None:
    n_sal = check_salience_cfg(cfg) if "sal" in cfg["parts"] else 0  # Basic Pitch stretches per window
    lines = [
        f"# Audio mood model (`{weights.name}`)",
        "",
        f"- **Version**: `{version}` (MODEL_VERSION = 'audio-mnn-' + first 12 hex digits of the weights' SHA-256)",
        f"- **Size**: {weights.stat().st_size / 1024 / 1024:.1f} MB (safetensors: the two converted musicnn "
        "networks, their mel filter bank, "
        + ("the converted Basic Pitch network, " if "sal" in cfg["parts"] else "")
        + f"{cfg['n_heads'] * len(cfg.get('groups') or [1])} heads and the input "
        "standardisation; config in the metadata)",
        "- **Architecture**: per track, 3 windows of 8 s spread across the file (10-90 %; a short file is tiled). "
        "Per window: the 34 hand-crafted features of `audio_features.handcrafted` (loudness, onset rate, tempo, "
        "pulse clarity, spectral shape, key-profile major/minor correlation, chroma interval content, band "
        "energies) and two pretrained, frozen **musicnn** networks of the same architecture (Pons & Serra 2019: "
        "MSD_musicnn, trained on the Million Song Dataset's 50 tags, and MTT_musicnn, trained on MagnaTagATune's 50 "
        "tags): MSD on 2 patches of 3 s (the window's first and last 187 frames of its 96-mel log-mel of 16 kHz "
        "audio, built as musicnn builds it), MTT on "
        + ("the window's first patch only" if mtt_first_only(cfg) else "the same patches")
        + " (`mtt_patches_per_window`)"
        + (f"; and the pretrained, frozen **Basic Pitch** note-salience network (Bittner et al. 2022, Spotify: "
           f"polyphonic transcription from a harmonic CQT; `emotion/basicpitch.py`) on {n_sal}"
           " stretches of 2 s per window ("
           + ("its first and last 2 s" if n_sal == 2 else
              "spread evenly across it" + (", all of its 8 s" if 2 * n_sal >= 8 else ""))
           + ", resampled to 22.05 kHz), read as 20 features: "
           "fit of the pitch-class profile to the best major and minor key (Krumhansl-Kessler), the profile "
           "relative to that key's tonic, register (mean key and spread of the salience above its median) and "
           "note / onset activity" if "sal" in cfg["parts"] else "")
        + ". Head input: mean over patches of each network's 200-unit penultimate "
        "layer and of its 50 tag logits, mean over windows of the hand-crafted features"
        + (" and of the salience features" if "sal" in cfg["parts"] else "") + " "
        f"(parts {cfg['parts']}), standardised. Heads: an ensemble (outputs averaged) of {cfg['n_heads']} seeds x "
        f"{len(cfg.get('groups') or [1])} input groups {cfg.get('groups') or [cfg['parts']]} of "
        + (f"one-hidden-layer MLPs ({cfg['hidden']} ReLU units, dropout {cfg['dropout']})" if cfg["hidden"] > 0
           else "linear maps")
        + " with 18 outputs: an EMOPIA expert's valence/arousal (tanh) and quadrant Q1-Q4 (softmax), a recordings "
        "(Emotify) expert's valence/arousal (tanh), the nine GEMS words (sigmoid) and a gate (sigmoid: rendered "
        "symbolic music vs recording, trained to tell EMOPIA renderings from Emotify recordings). Valence/arousal "
        f"= gate x [(1 - {cfg['blend']}) x EMOPIA expert + {cfg['blend']} x the quadrant head's marginals] + "
        "(1 - gate) x recordings expert; quadrant probabilities = "
        + ("those implied by that valence/arousal reading (P(above 0) = (1 + x) / 2 per axis, independent; "
           "`quadrant_from_va`)" if cfg.get("quadrant_from_va") else
           "gate x quadrant head + (1 - gate) x the quadrant probabilities implied by the recordings expert's "
           "valence/arousal")
        + ". On real recordings the gate is ~0 (the recordings expert speaks), on rendered piano ~0.7-1."
        + (f" The recordings expert's {' and '.join(cfg['rec_ridge'])} is not read from the ensemble but from a "
           "ridge regression on the whole standardised head input, fitted in closed form on the Emotify recordings "
           "alone, its penalty chosen from 1-100,000 by exact leave-one-out error on the training recordings "
           "(`audio_model.fit_ridge_loo`; stored as rec_ridge.weight / rec_ridge.bias)." if cfg.get("rec_ridge")
           else "")
        + (f" The EMOPIA expert's {' and '.join(cfg['emo_logreg'])} sign (above / below 0) is not read from the "
           "ensemble either but from L2 logistic regressions on the same standardised head input, fitted on the "
           "EMOPIA renderings the heads see (each rendering weighs 1) by L-BFGS, C chosen from 1e-4-10 by a "
           "song-grouped inner 4-fold CV on the training songs scored on their default renderings "
           "(`emotion/logreg.py`; stored as emo_logreg.weight / emo_logreg.bias, read as logits like the "
           "ensemble's)." if cfg.get("emo_logreg") else ""),
        "- **musicnn port**: `emotion/musicnn.py` reads the TF1 checkpoint of `musicnn==0.1.0` without "
        "TensorFlow (tensor-bundle SSTable parsed directly) into a torch module; checked against the original "
        "TensorFlow graph (tensorflow-cpu 2.15.1 in a throwaway venv, `emotion/musicnn_tf_reference.py`) on 4 "
        "patches of a recording + 1 random patch: max abs difference 9e-6 on the logits, 7e-6 on the penultimate "
        "layer, 7e-7 on the taggram; the numpy log-mel equals librosa's to float16 rounding. "
        "`tests/data/musicnn_ref.npz` keeps a reference patch and TF's outputs for the test. MTT_musicnn has the "
        "same graph and input and goes through the same converter (not compared with TensorFlow); tests check that "
        "the shipped tensors equal a fresh conversion of the package's checkpoint, and that it tags a rendered "
        "piano piece 'piano' (top 3) and the same piece on GM strings 'strings' (top 2, 'piano' below 10th).",
        *(["- **Basic Pitch port**: `emotion/basicpitch.py` reads the SavedModel variables of `basic-pitch==0.4.0` "
            "(`saved_models/icassp_2022/nmp`) with the same tensor-bundle reader, and computes the constant-Q kernels "
            "as the package's nnAudio-derived CQT2010v2 layer does; checked against the package's own ONNX model "
            "(onnxruntime in a throwaway venv, `emotion/basicpitch_reference.py`) on a synthetic chord progression "
            "and a rendered EMOPIA window: max abs difference about 1e-4 on the note, onset and contour "
            "activations (`tests/test_basicpitch.py` on `tests/data/basicpitch_ref.npz`: max 1.03e-4 on one onset "
            "activation of 15,136, mean 1.7e-6 onset / 5.7e-7 note; float32 rounding). Licence: Apache-2.0 "
            "(Copyright 2022 Spotify AB); the converted tensors in this file are a copy of the package's weights under "
            "that licence, whose text and the package's NOTICE are in `resources/models/basic_pitch.LICENSE`."]
          if "sal" in cfg["parts"] else []),
        "- **Licence of the musicnn weights**: ISC (Copyright (c) Music Technology Group, Universitat Pompeu "
        "Fabra 2019, code by Jordi Pons): permission to use, copy, modify and distribute for any purpose with or "
        "without fee, provided the copyright notice and permission notice appear in all copies; provided \"as is\" "
        "without warranty. Both checkpoints (MSD_musicnn, MTT_musicnn) ship in the `musicnn==0.1.0` package under "
        "it; the converted tensors in this file are a copy of those weights under that licence.",
        "- **Training data**: `shared/data/emopia` "
        f"({counts['emopia_clips']} clips, {counts['emopia_songs']} songs; each clip rendered {cfg['n_renders']}x "
        "with fluidsynth: TimGM6mb piano (the evaluation's default rendering), FluidR3_GM and TimGM6mb with a "
        f"General MIDI program drawn per clip from {list(AUG_PROGRAMS)}; each clip weighs 1 in the loss whatever "
        f"its number of renderings) and `shared/data/emotify` ({counts['emotify']} recordings; valence/arousal "
        "targets = GEMS proxy of `mood_space.gems_to_va`, z-scored; GEMS shares as soft targets for the mood "
        "words). Every file is decoded and featurised exactly as the tagger does.",
        "- **Losses**: EMOPIA: quadrant cross-entropy (label smoothing 0.05) + sign of valence / arousal (BCE) of "
        "the EMOPIA expert + gate BCE (target 1); Emotify: MSE of the recordings expert on the standardised proxy "
        "+ 0.5 x GEMS BCE + gate BCE (target 0). Full batch, AdamW, "
        f"{cfg['steps']} steps, lr {cfg['lr']}, input dropout {cfg['dropout']}, L2 penalty {cfg['l2']} on the "
        "weights; heads seeded.",
        f"- **Config**: `{json.dumps(cfg)}`",
        "",
        "## Validation (as measured)",
        "",
    ]
    if cv:
        p, sd = cv["pooled"], cv["spread"]
        lines += [
            f"Song-grouped {cfg['folds']}-fold cross-validation (all clips of an EMOPIA song in one fold; each "
            "Emotify clip is its own song). EMOPIA is scored on the default rendering (TimGM6mb piano, as "
            "`eval audio --midi-dir` does) with the tagger's window placement; figures pooled over the held-out "
            "folds (± = standard deviation across folds). The musicnn networks are fixed (pretrained on other "
            "data), so only the heads are refitted per fold.",
            "",
        ]
        base_json = Path(timing.get("work_dir", "/nonexistent")) / "baselines.json"
        base = json.loads(base_json.read_text()) if base_json.is_file() else None
        same_folds = base is not None and (base.get("seed"), base.get("folds"), base.get("emopia_n")) == (
            cv.get("seed"), cfg["folds"], cv["pooled"].get("emopia_n"))
        if not same_folds:  # baselines of other folds (or of a CV file that does not say its seed): left out
            base = None
        lines += [
            "| metric | this model (CV) | previous model (CV) | target | baseline (hidden held-out) |"
            + (" baseline recipe refitted on these folds |" if base else ""),
            "|---|---|---|---|---|" + ("---|" if base else ""),
        ]
        for key, name in METRIC_NAMES.items():
            lines.append(f"| {name} | {p[key]:.3f} ± {sd.get(key + '_fold_sd', 0):.3f} | {PREVIOUS_MODEL[key]:.3f} | "
                         f"{TARGETS[key]} | {BASELINES[key]} |"
                         + (f" {base['best'][key][0]:.3f} ({base['best'][key][1]}) |" if base else ""))
        if base:
            lines += ["", BASELINE_NOTE.format(command=base["command"])]
        lines += [
            "",
            f"n = {p.get('emopia_n', 0)} EMOPIA clips, {p.get('emotify_n', 0)} Emotify clips. Quadrant from the "
            f"sign of (valence, arousal): {p['quadrant_accuracy_from_va']:.3f}. The blend weight {cfg['blend']} "
            "was fixed beforehand (as for the previous model), not tuned on this CV; all blends: "
            f"`{json.dumps(cv['by_blend'])}`.",
            "",
            "Per fold: " + "; ".join(
                f"fold {s['fold']}: Q {s.get('quadrant_accuracy', float('nan')):.3f}, "
                f"V {s.get('valence_accuracy', float('nan')):.3f}, A {s.get('arousal_accuracy', float('nan')):.3f}, "
                f"rV {s.get('valence_r', float('nan')):.3f}, rA {s.get('arousal_r', float('nan')):.3f}"
                for s in cv["per_fold"]),
            "",
            "Verdict (2026-12-06, fifth session): against the previous model (same folds; no Basic Pitch salience) "
            "quadrant, valence accuracy and both Emotify correlations gain on each of three fold splits (on average "
            "+0.010, +0.015, +0.007, +0.010) and arousal accuracy loses 0.004 (-0.007 / -0.004 / 0.000); see the "
            "fifth session's paragraph below. It reaches none of the targets. Against the baseline recipes refitted "
            "on the same folds (last column; the best of several recipes per metric, so an optimistic baseline) it "
            "is above on quadrant accuracy (+0.011 to +0.033 on the three splits), valence accuracy (+0.016 to "
            "+0.029), Emotify valence r (+0.04 to +0.09) and Emotify arousal r (+0.007 to +0.017), and level on "
            "arousal accuracy (-0.002 / 0.000 / +0.003). Against the baselines' own figures (scored on other, "
            "hidden songs, so only indicative) it is above on quadrant, valence accuracy and Emotify arousal r, "
            "below on arousal accuracy and Emotify valence r.",
        ]
    else:
        lines += ["No cross-validation was run for these weights (`--no-cv`)."]
    lines += ["", TRIED.strip()]
    if extra:
        lines += ["", extra.strip()]
    bench = weights.parent.parent.parent / "bench" / "tag.py"
    bench_json = Path(timing.get("work_dir", "/nonexistent")) / "bench_tag.json"
    if bench.is_file() and bench_json.is_file():
        b = json.loads(bench_json.read_text())
        if b.get("model_version") == version:
            lines += [
                "",
                "## Speed",
                "",
                f"`python bench/tag.py --tracks {b['n']}` (generated 3-4 min tracks, half Ogg half MP3; headless "
                f"tagger, {b['workers']} workers x 1 torch thread): **{b['figure']} tracks/s** (target >= 2), "
                f"{b['tracks_per_s_including_startup']} tracks/s including process start and model load, peak RSS "
                f"{b['peak_rss_mb']:.0f} MB (target <= 1 GB); baseline in the same run (librosa load of the whole "
                f"file + mel spectrogram) {b['baseline']} tracks/s. Measured on this machine's 2 cores, "
                "sometimes shared with other jobs: figures move by ~20 % from run to run and day to day (earlier "
                "weights without Basic Pitch, before musicnn's front end took the max over frequency first, "
                "gave 2.07-3.3 tracks/s on 2026-12-01/02; the weights just before these, without Basic Pitch, "
                "4.17 tracks/s on 2026-12-06; these weights 2.43 tracks/s the same evening, 2.64 once the Basic "
                "Pitch port passed its paddings to the convolutions instead of padding copies, 2.96 and 2.52 in "
                "two runs once the tagger also kept numpy's BLAS to one thread; this run, 2026-12-07, with the tagger "
                "also measuring each track's loudness on its excerpts' channels, about 0.05 s a track on one core, "
                "for volume levelling). On this machine's slowest days "
                "(up to ~1.6x slower) the figure could come near or below 2. Per track: 3 x 8 s "
                "decoded, " + (f"{2 * N_WINDOWS} patches through MSD musicnn and the {N_WINDOWS} first ones (one "
                               "a window) through MTT musicnn" if mtt_first_only(cfg) else
                               "the same patches through both musicnn networks")
                + (f", and {N_WINDOWS} x {n_sal} stretches of 2 s through Basic Pitch (one "
                   "batch per window)." if "sal" in cfg["parts"] else "."),
            ]
    lines += [
        "",
        "## Reproduce",
        "",
        f"`{timing.get('command', 'python -m emotion.train_audio --work-dir /tmp/audio_work --threads 2')}`: "
        f"{timing.get('summary', '')}",
        "",
        "Needs `pip install --no-deps musicnn==0.1.0 basic-pitch==0.4.0` (the checkpoints; their dependencies "
        "would pull TensorFlow, which is not needed) and fluidsynth with the TimGM6mb and FluidR3_GM soundfonts. "
        "`--cv-only` only cross-validates; `--no-cv --cv-json F` fits the shipped heads and takes the card's CV "
        "figures from F. "
        "Held-out check with the shipped weights: `python main.py eval audio --midi-dir DIR --labels CSV` and "
        "`python main.py eval audio --audio-dir DIR --labels CSV`.",
        "",
        "## Limits",
        "",
        "EMOPIA is solo pop piano transcribed to MIDI and re-synthesised; Emotify is 4 genres (classical, rock, "
        "electronic, pop) with few raters per clip. The GEMS -> valence/arousal proxy is a heuristic. The musicnn "
        "networks hear 6 x 3 s of a track (MTT 3 x 3 s)"
        + ("; Basic Pitch all 3 x 8 s" if "sal" in cfg["parts"] else "")
        + ". Moods of vocals/lyrics are not modelled beyond what "
        "musicnn's tags capture. "
        "Out-of-distribution material is read unreliably: the tests' generated loud, fast, major piano arpeggio "
        "comes out Q1 only narrowly (quadrant head Q1, but valence about -0.2, arousal +0.6, against valence -0.9, "
        "arousal -0.7 for the slow, soft, minor piece), because the musicnn-based heads associate loud, fast piano "
        "with EMOPIA's Q2. Treat the tags as rough.",
        "",
    ]
    path.write_text("\n".join(lines))


def timing_summary(timing: dict, work_dir: Path) -> str:
    """The card's sentence on how long a run took, with the last uncached featurisation (work_dir/prepare_time.json)
    added up into a from-scratch figure."""
    t_feat, t_cv, t_fit = timing["t_feat"], timing["t_cv"], timing["t_fit"]
    t_cv_read = timing.get("t_cv_read", 0.0)
    out = (f"{timing['seconds'] / 60:.1f} min in all on this run (featurisation {t_feat / 60:.1f} min, CV "
           f"{t_cv / 60:.1f} min, final fit {t_fit:.0f} s, {timing['threads']} threads).")
    prep = work_dir / "prepare_time.json"
    if not prep.is_file():
        return out
    pt = json.loads(prep.read_text())
    found = ("featurised everything itself" if t_feat >= 0.9 * pt["seconds"] else
             "found it cached" if t_feat < 60 else "found part of it cached")
    return out + (
        f" Featurising all {pt['files']} files (render + decode + hand-crafted features + networks, "
        f"{pt['jobs']} processes) took {pt['seconds'] / 60:.1f} min when it last ran uncached ({pt['date']} UTC, "
        f"on this machine's 2 cores; load average {pt['load_avg_1min_at_end']} at its end); this run {found}. From "
        f"scratch that adds up to about {(pt['seconds'] + (t_cv or t_cv_read) + t_fit) / 60:.0f} min on 2 cores "
        "(target <= 45 min" + (f"; the CV counted as its --cv-only run took it, {t_cv_read / 60:.1f} min"
                               if not t_cv else "") + ").")


def card_only(args: argparse.Namespace, cfg: dict, data_dir: Path, weights: Path) -> int:
    from safetensors import safe_open

    from emotion.audio_model import version_of

    cfg.update(rec_ridge=[], emo_logreg=[])  # weights saved without these options do not have them
    with safe_open(str(weights), framework="np") as fh:
        cfg.update(json.loads((fh.metadata() or {}).get("config", "{}")))
    cfg.pop("n_heads_total", None)
    cv = json.loads(args.cv_json.read_text())["cv"] if args.cv_json and args.cv_json.is_file() else None
    run = json.loads((args.work_dir / "final_run.json").read_text())
    if "t_feat" in run:  # the sentence as this code writes it
        run["summary"] = timing_summary(run, args.work_dir)
    write_card(weights.parent / "audio_mood.md", cfg, cv, version_of(weights), weights, run["counts"], run)
    print(json.dumps({"card": str(weights.parent / "audio_mood.md"), "model_version": version_of(weights)}))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="train_audio", description=__doc__.split("\n")[0])
    ap.add_argument("--work-dir", type=Path, default=Path("/tmp/audio_work"), help="render/feature cache")
    ap.add_argument("--out-dir", type=Path, default=None, help="where weights + card go (default resources/models)")
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--folds", type=int, default=None)
    ap.add_argument("--n-heads", type=int, default=None)
    ap.add_argument("--renders", type=int, default=None, help="renderings per EMOPIA clip")
    ap.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    ap.add_argument("--cv-only", action="store_true", help="only cross-validate, write nothing")
    ap.add_argument("--train-share", type=float, default=1.0,
                    help="with --cv-only: train each fold on this share of its training songs (a learning curve)")
    ap.add_argument("--share-rep", type=int, default=0, help="with --train-share: which random subset")
    ap.add_argument("--keep-excerpts", action="store_true",
                    help="also keep each file's decoded excerpts (int16, ~0.8 MB a file) in --work-dir/excerpts")
    ap.add_argument("--tiny", action="store_true", help="a handful of clips and a few steps (tests)")
    ap.add_argument("--cv-json", type=Path, default=None,
                    help="with --cv-only: write the CV result here; with --no-cv: read it for the model card")
    ap.add_argument("--card-extra", type=Path, default=None, help="markdown appended to the card's validation")
    ap.add_argument("--cfg", default="{}",
                    help="JSON overrides of the training config (experiments; the shipped recipe is DEFAULT_CFG)")
    ap.add_argument("--card-only", action="store_true",
                    help="rewrite the model card of the existing weights (CV from --cv-json, timing from the last "
                         "run in --work-dir, speed from --work-dir/bench_tag.json); no training")
    args = ap.parse_args(argv)
    import torch

    t_start = time.time()
    torch.set_num_threads(max(1, args.threads))
    torch.use_deterministic_algorithms(True, warn_only=True)
    cfg = {**DEFAULT_CFG, **json.loads(args.cfg)}
    max_steps = limit = None
    if args.tiny:
        cfg.update(folds=2, n_heads=1, n_renders=2)
        max_steps, limit = 3, 4
    for key, val in (("folds", args.folds), ("n_heads", args.n_heads), ("n_renders", args.renders)):
        if val is not None:
            cfg[key] = val
    data_dir = args.data_dir or shared_data()
    out_dir = args.out_dir or Path(__file__).resolve().parents[1] / "resources" / "models"
    from emotion.audio_model import WEIGHTS_NAME, default_weights_path

    if args.card_only:
        return card_only(args, cfg, data_dir, out_dir / WEIGHTS_NAME)
    tensors = frozen_tensors(args.work_dir, default_weights_path())
    if "sal" in cfg["parts"]:
        check_salience_cfg(cfg)
    emo_items, emf_items = prepare(args.work_dir, data_dir, cfg["n_renders"], args.threads, tensors, limit,
                                   args.keep_excerpts, **feature_kind(cfg))
    t_feat = time.time() - t_start
    standardise_emotify(emf_items)
    emo_pairs, emf_pairs = feature_pairs(emo_items, cfg), feature_pairs(emf_items, cfg)
    log(f"data: {len(emo_pairs)} EMOPIA renderings, {len(emf_pairs)} Emotify clips; cfg {cfg}")
    cv = None
    t_cv = t_cv_read = 0.0
    if not args.no_cv:
        t0 = time.time()
        share = args.train_share if args.cv_only else 1.0
        cv = run_cv(emo_pairs, emf_pairs, cfg, args.seed, max_steps, train_share=share, share_rep=args.share_rep)
        t_cv = time.time() - t0
        log(f"CV pooled ({t_cv:.0f}s): {json.dumps(cv['pooled'])}")
        if args.cv_json is not None:
            args.cv_json.write_text(json.dumps({"cv": cv, "cfg": cfg, "seconds": t_cv}))
        if args.cv_only:
            print(json.dumps({"cv": cv["pooled"], "spread": cv["spread"], "seconds": round(time.time() - t_start)}))
            return 0
    elif args.cv_json is not None and args.cv_json.is_file():
        cv_file = json.loads(args.cv_json.read_text())
        cv = cv_file["cv"]
        t_cv_read = float(cv_file.get("seconds", 0.0))  # what that --cv-only run took
        log(f"CV figures for the card read from {args.cv_json}")
    t0 = time.time()
    tr_emo = [p for p in emo_pairs if cfg["use_aug"] or p[0]["default_render"]]
    d = design(tr_emo, emf_pairs, tuple(cfg["parts"]))
    heads, mu, sd = train_heads(d, cfg, args.seed + 7, max_steps)
    weights = out_dir / WEIGHTS_NAME
    version = save_weights(tensors, heads, mu, sd, cfg, weights, fit_rec_ridge(d, mu, sd, cfg),
                           fit_emo_logreg(d, mu, sd, cfg, args.seed + 7))
    t_fit = time.time() - t0
    seconds = time.time() - t_start
    command = "python -m emotion.train_audio " + " ".join(argv if argv is not None else sys.argv[1:])
    timing = {"command": command.strip(), "work_dir": str(args.work_dir), "threads": args.threads,
              "t_feat": t_feat, "t_cv": t_cv, "t_cv_read": t_cv_read, "t_fit": t_fit, "seconds": seconds}
    timing["summary"] = timing_summary(timing, args.work_dir)
    counts = {"emopia_clips": len({it["clip"] for it in emo_items}),
              "emopia_songs": len({it["song"] for it in emo_items}), "emotify": len(emf_items)}
    extra = args.card_extra.read_text() if args.card_extra and args.card_extra.is_file() else ""
    write_card(out_dir / "audio_mood.md", cfg, cv, version, weights, counts, timing, extra)
    (args.work_dir / "final_run.json").write_text(json.dumps({**timing, "version": version, "counts": counts}))
    print(json.dumps({"weights": str(weights), "model_version": version, "seconds": round(seconds, 1),
                      "cv": cv["pooled"] if cv else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
