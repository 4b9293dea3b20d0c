"""Journal reader benchmark: warm ms per entry for 100 entries of 1-5 sentences, and model load time.

    python bench/journal.py [--threads 1] [--n 100]

figure = p50 ms per entry through `JournalReader.read` (all sentences of an entry in one batch).
baseline = p50 ms per entry of the naive pipeline in the same run: each sentence encoded on its own
(unbatched, one forward pass per sentence). ratio = baseline / figure (> 1: the reader is faster).
Entries are generated from a fixed seed out of a small bank of diary sentences.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BANK = [
    "I woke up late and the whole morning felt rushed.",
    "Lunch with Sam was lovely, we laughed a lot.",
    "My manager yelled at me in front of everyone and I am still furious.",
    "I feel tired and a bit empty tonight.",
    "The sun came out for the first time in days!",
    "I can't stop worrying about the exam results.",
    "Nothing special happened today.",
    "I miss my grandmother so much it hurts.",
    "We finally booked the trip and I'm so excited.",
    "The train was delayed again, which is annoying.",
    "I had a quiet evening with a book and tea.",
    "That movie was disgusting, I walked out halfway.",
    "I was shocked to hear they are moving away.",
    "Honestly I feel calm and grateful right now.",
    "The deadline is tomorrow and nothing works.",
    "I went for a long run and feel great.",
]


def make_entries(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.sample(BANK, rng.randint(1, 5))) for _ in range(n)]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(q / 100 * (len(xs) - 1)))))
    return xs[k]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--n", type=int, default=100)
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from emotion import sentences as st
    from emotion.text_model import JournalReader

    entries = make_entries(args.n)
    reader = JournalReader(threads=args.threads)
    t0 = time.perf_counter()
    reader.load()
    load_s = time.perf_counter() - t0
    reader.read(entries[0])  # warm up
    ms: list[float] = []
    for e in entries:
        t = time.perf_counter()
        r = reader.read(e)
        ms.append((time.perf_counter() - t) * 1000)
        assert r.ok, r.message
    base: list[float] = []
    for e in entries:  # naive: one forward pass per sentence
        t = time.perf_counter()
        for s in st.split_sentences(e):
            reader.predict_raw([s])
        base.append((time.perf_counter() - t) * 1000)
    fig, bl = pct(ms, 50), pct(base, 50)
    out = {"figure": round(fig, 2), "unit": "ms per entry (p50, warm)", "baseline": round(bl, 2),
           "ratio": round(bl / fig, 3) if fig > 0 else None, "p50": round(fig, 2),
           "p95": round(pct(ms, 95), 2),
           "mean": round(sum(ms) / len(ms), 2), "baseline_p95": round(pct(base, 95), 2),
           "target_ms": 100, "meets_target": pct(ms, 95) <= 100, "load_s": round(load_s, 2),
           "n": len(entries), "sentences": sum(len(st.split_sentences(e)) for e in entries),
           "threads": args.threads, "model_version": reader.model_version,
           "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
           "baseline_desc": "each sentence encoded separately (unbatched)"}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
