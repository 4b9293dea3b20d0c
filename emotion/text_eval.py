"""`python main.py eval text ...`: score the shipped journal reader on labelled rows.

    eval text --emobank CSV                  -> {"n", "valence_r", "arousal_r", "valence_r2", "arousal_r2"}
    eval text --goemotions TSV --labels TXT  -> {"n", "macro_f1", "accuracy", ...}

EmoBank: every row of the CSV (columns id,split,V,A,D,text) is scored, whatever its split. r is Pearson's
correlation and r2 the coefficient of determination (1 - SS_res / SS_tot) of the predictions on the raw 1-5
scale. Each row is read whole (no sentence splitting).

GoEmotions (Ekman format: text<TAB>label ids<TAB>id; labels.txt names the ids): multi-label predictions
(every class whose probability passes its tuned threshold; if none does, the class with the highest
probability / threshold). macro_f1 = mean over the 7 classes of the per-class F1 of those multi-label
predictions. accuracy = share of rows whose single top predicted class (highest probability / threshold) is
among the row's true labels. Also reported: exact_match (predicted label set equals the true set) and
per_class_f1.

`argv` may start with "text" (as main.py passes it) or not.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

log = logging.getLogger("text_eval")


def eval_emobank(reader, csv_path: Path, batch_size: int = 256) -> dict:
    from emotion.train_text import load_emobank, pearson, r2

    eb = load_emobank(csv_path)
    v, a = [], []
    for s in range(0, len(eb.texts), batch_size):
        pv, pa, _ = reader.predict_raw(eb.texts[s:s + batch_size])
        v.append(pv)
        a.append(pa)
    pv = np.concatenate(v) if v else np.zeros(0)
    pa = np.concatenate(a) if a else np.zeros(0)
    return {"n": len(eb.texts), "valence_r": round(pearson(pv, eb.v), 4),
            "arousal_r": round(pearson(pa, eb.a), 4),
            "valence_r2": round(r2(pv, eb.v), 4), "arousal_r2": round(r2(pa, eb.a), 4)}


def eval_goemotions(reader, tsv_path: Path, labels_path: Path | None, batch_size: int = 256) -> dict:
    from emotion.train_text import emotion_metrics, load_goemotions

    ge = load_goemotions(tsv_path, labels_path)
    probs = []
    for s in range(0, len(ge.texts), batch_size):
        probs.append(reader.predict_raw(ge.texts[s:s + batch_size])[2])
    p = np.concatenate(probs) if probs else np.zeros((0, ge.labels.shape[1]))
    m = emotion_metrics(p, ge.labels, np.asarray(reader.thresholds))
    m["macro_f1"] = round(m["macro_f1"], 4)
    m["accuracy"] = round(m["accuracy"], 4)
    m["exact_match"] = round(m["exact_match"], 4)
    return m


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "text":
        argv = argv[1:]
    p = argparse.ArgumentParser(prog="eval text", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--emobank", type=Path, help="EmoBank CSV (id,split,V,A,D,text)")
    p.add_argument("--goemotions", type=Path, help="GoEmotions Ekman TSV")
    p.add_argument("--labels", type=Path, help="GoEmotions labels.txt")
    p.add_argument("--weights", type=Path, default=None,
                   help="folder with text_heads.* (default resources/models)")
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    if not args.emobank and not args.goemotions:
        p.error("give --emobank CSV or --goemotions TSV --labels TXT")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    from emotion.text_model import JournalReader

    reader = JournalReader(weights_dir=args.weights, threads=args.threads).load()
    t0 = time.perf_counter()
    out: dict = {}
    if args.emobank:
        out.update(eval_emobank(reader, args.emobank))
    if args.goemotions:
        ge = eval_goemotions(reader, args.goemotions, args.labels)
        if args.emobank:
            out["goemotions"] = ge
        else:
            out.update(ge)
    out["model_version"] = reader.model_version
    out["load_seconds"] = round(reader.load_seconds or 0.0, 2)
    out["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
