"""How well Emotify's listeners agree with each other on the GEMS valence/arousal proxy (a ceiling for any model).

    python -m emotion.emotify_agreement [--annotations ../shared/data/emotify/annotations.csv] [--reps 3]
        -> {"valence": {"split_half_r": [...], "panel_reliability": ..., "ceiling_r": ...}, "arousal": {...}}

Each clip's raters are shuffled (seeded) and split in two halves; the proxy of each half's GEMS shares
(mood_space.gems_to_va) is correlated over the clips. Spearman-Brown turns the half-panel r into the reliability
of the whole panel, and its square root is the best correlation a perfect model could have with the listeners'
"true" proxy.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

import numpy as np

from emotion.mood_space import GEMS, gems_to_va


def ratings_by_clip(path: Path) -> dict[str, list[dict[str, float]]]:
    """One dict of the nine 0/1 GEMS ticks per listener row, grouped by track id (header names are stripped)."""
    by: dict[str, list[dict[str, float]]] = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            row = {k.strip(): v.strip() for k, v in row.items()}
            by.setdefault(row["track id"], []).append({g: float(row[g]) for g in GEMS})
    return by


def split_half(by: dict[str, list[dict[str, float]]], seed: int) -> np.ndarray:
    """r of the two halves' (valence, arousal) proxies over the clips with at least 2 raters."""
    rng = random.Random(seed)
    halves: list[list[tuple[float, float]]] = [[], []]
    for clip in sorted(by):
        rows = list(by[clip])
        if len(rows) < 2:
            continue
        rng.shuffle(rows)
        k = len(rows) // 2
        for h, part in enumerate((rows[:k], rows[k:])):
            halves[h].append(gems_to_va({g: float(np.mean([r[g] for r in part])) for g in GEMS}))
    a, b = np.array(halves[0]), np.array(halves[1])
    return np.array([np.corrcoef(a[:, i], b[:, i])[0, 1] for i in range(2)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="emotify_agreement", description=__doc__.split("\n")[0])
    root = Path(__file__).resolve().parents[2] / "shared" / "data" / "emotify" / "annotations.csv"
    ap.add_argument("--annotations", type=Path, default=root)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args(argv)
    by = ratings_by_clip(args.annotations)
    rs = np.array([split_half(by, seed) for seed in range(args.reps)])
    out: dict = {"clips": len(by), "reps": args.reps}
    for i, name in enumerate(("valence", "arousal")):
        r = float(np.mean(rs[:, i]))
        rel = 2 * r / (1 + r)
        out[name] = {"split_half_r": [round(float(x), 3) for x in rs[:, i]], "panel_reliability": round(rel, 3),
                     "ceiling_r": round(float(np.sqrt(max(rel, 0.0))), 3)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
