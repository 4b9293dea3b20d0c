"""Re-plan latency of the mood planner on a synthetic tagged library, against a naive Python loop.

    python bench/plan.py --tracks 100000 [--plans 200] [--baseline-plans 5] [--seed 0]

Prints one JSON object: figure = p95 re-plan latency (ms) of Planner.plan, baseline = p95 of the same plans
done by Planner.plan_naive (a pure-Python loop over the track dicts, same scoring) in the same run,
ratio = baseline / figure. Wall-clock times; cpu_* are the thread's CPU time (what is left when other
processes compete for the cores, see load_avg_1min). Every fourth re-plan follows a new listening event,
so the cost of refreshing the preference vector is part of the measured time.
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

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emotion.mood_space import QUADRANT_CENTRES, QUADRANTS, quadrant
from player.planner import Planner
from player.preferences import Preferences

STRATEGIES = ("match", "match", "lift", "calm", "custom")


def synthetic_library(
    n: int, seed: int = 0, n_artists: int | None = None, n_genres: int = 25, untagged_share: float = 0.05
) -> list[dict]:
    """Tracks clustered around the quadrant centres plus a uniform background; a few untagged."""
    rng = np.random.default_rng(seed)
    n_artists = n_artists or max(10, n // 30)
    centres = np.array([QUADRANT_CENTRES[q] for q in QUADRANTS])
    which = rng.integers(0, 4, n)
    va = centres[which] + rng.normal(0, 0.25, (n, 2))
    uniform = rng.random(n) < 0.2
    va[uniform] = rng.uniform(-1, 1, (int(uniform.sum()), 2))
    va = np.clip(va, -1, 1)
    artists = rng.integers(0, n_artists, n)
    genres = rng.integers(0, n_genres, n)
    untagged = rng.random(n) < untagged_share
    words = {"Q1": "happy", "Q2": "tense", "Q3": "sad", "Q4": "calm"}
    out = []
    for i in range(n):
        t = {
            "path": f"/music/{artists[i]:05d}/{i:07d}.ogg",
            "title": f"Track {i}",
            "artist": f"Artist {artists[i]}",
            "genre": f"genre{genres[i]}",
            "duration": 200.0,
            "kind": "audio",
        }
        if not untagged[i]:
            v, a = float(va[i, 0]), float(va[i, 1])
            q = quadrant(v, a)
            t.update(valence=v, arousal=a, quadrant=q, moods={words[q]: 0.8}, model_version="synthetic")
        out.append(t)
    return out


def random_preferences(tracks: list[dict], events: int, rng: random.Random) -> Preferences:
    prefs = Preferences()
    for _ in range(events):
        t = rng.choice(tracks)
        prefs.record(rng.choice(("skip", "finish", "finish", "like")), t, rng.choice(QUADRANTS), rng.random())
    return prefs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracks", type=int, default=100_000)
    ap.add_argument("--plans", type=int, default=200)
    ap.add_argument("--baseline-plans", type=int, default=5)
    ap.add_argument("--n", type=int, default=10, help="tracks per plan")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    tracks = synthetic_library(args.tracks, args.seed)
    prefs = random_preferences(tracks, 2000, rng)
    planner = Planner(tracks, prefs)
    t1 = time.perf_counter()
    planner.set_tracks(tracks)
    build_ms = (time.perf_counter() - t1) * 1000
    tagged = planner.paths

    def scenario() -> dict:
        recent = rng.sample(tagged, 20)
        return {
            "current_mood": (rng.uniform(-1, 1), rng.uniform(-1, 1)),
            "strategy": rng.choice(STRATEGIES),
            "target": (rng.uniform(-1, 1), rng.uniform(-1, 1)),
            "recent": recent,
            "now_playing": recent[-1],
            "pinned": rng.sample(tagged, 2),
            "n": args.n,
            "steps": rng.randint(2, 8),
        }

    for _ in range(5):  # warm-up
        planner.plan(**scenario())
    times = []
    cpu_times = []
    scenarios = []
    for k in range(args.plans):
        if k % 4 == 0:  # a listening event: the preference vector must be refreshed
            prefs.record(
                rng.choice(("skip", "finish")), rng.choice(tracks), rng.choice(QUADRANTS), rng.random()
            )
        sc = scenario()
        t, c = time.perf_counter(), time.thread_time()
        planner.plan(**sc)
        times.append((time.perf_counter() - t) * 1000)
        cpu_times.append((time.thread_time() - c) * 1000)
        scenarios.append(sc)
    base_times = []
    agree = 0
    for sc in scenarios[: args.baseline_plans]:
        t = time.perf_counter()
        naive = planner.plan_naive(**sc)
        base_times.append((time.perf_counter() - t) * 1000)
        agree += naive == [p.path for p in planner.plan(**sc)]
    p50, p95 = (float(x) for x in np.percentile(times, [50, 95]))
    b50, b95 = (float(x) for x in np.percentile(base_times, [50, 95]))
    c50, c95 = (float(x) for x in np.percentile(cpu_times, [50, 95]))
    print(
        json.dumps(
            {
                "figure": round(p95, 3),
                "unit": "ms (p95 re-plan latency)",
                "baseline": round(b95, 1),
                "ratio": round(b95 / p95, 1),
                "p50_ms": round(p50, 3),
                "p95_ms": round(p95, 3),
                "max_ms": round(max(times), 3),
                "cpu_p50_ms": round(c50, 3),
                "cpu_p95_ms": round(c95, 3),
                "load_avg_1min": round(os.getloadavg()[0], 2),
                "cpu_count": os.cpu_count(),
                "baseline_p50_ms": round(b50, 1),
                "baseline_p95_ms": round(b95, 1),
                "baseline_plans": len(base_times),
                "baseline_same_plan": f"{agree}/{len(base_times)}",
                "plans": len(times),
                "tracks": args.tracks,
                "tagged_tracks": len(tagged),
                "plan_length": args.n,
                "index_build_ms": round(build_ms, 1),
                "target_p95_ms": 10.0,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
