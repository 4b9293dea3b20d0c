"""A scripted listener over a session: skip rate with personalisation vs without.

    python bench/simulate.py [--sessions 6] [--tracks-per-session 300] [--library 1500] [--seed 0]

The library has true moods; the planner only sees noisy tags (as from a real audio model, sd --tag-noise).
The listener's mood drifts between quadrants (every ~15 tracks) and the face reader reports it with noise.
The listener skips early when a track's true mood is far from theirs (off-mood), skips most tracks by a few
hidden disliked artists, skips a little at random, and likes some of what they finish. The same sessions
(same seeds) are run through MoodEngine in match mode with preferences learned (personalised) and without.

Prints one JSON object: figure = skip rate with personalisation, baseline = skip rate without,
ratio = baseline / figure (> 1: personalisation skips less), plus per-half rates and settings.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from emotion.mood_space import QUADRANT_CENTRES, QUADRANTS, Observation, clamp, quadrant
from player.mood_engine import MoodEngine


class Clock:
    def __init__(self, t: float = 0.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def make_library(n: int, n_artists: int, tag_noise: float, rng: random.Random) -> tuple[list[dict], dict]:
    tracks, truth = [], {}
    for i in range(n):
        q = rng.choice(QUADRANTS)
        cv, ca = QUADRANT_CENTRES[q]
        v, a = clamp(rng.gauss(cv, 0.3)), clamp(rng.gauss(ca, 0.3))
        tv, ta = clamp(v + rng.gauss(0, tag_noise)), clamp(a + rng.gauss(0, tag_noise))
        path = f"/sim/{i:05d}.ogg"
        tracks.append(
            {
                "path": path,
                "title": f"Song {i}",
                "artist": f"Artist {rng.randrange(n_artists)}",
                "genre": f"genre{rng.randrange(8)}",
                "valence": tv,
                "arousal": ta,
                "quadrant": quadrant(tv, ta),
                "moods": {},
            }
        )
        truth[path] = (v, a)
    return tracks, truth


def run_session(seed: int, personalise: bool, args: argparse.Namespace) -> dict:
    rng = random.Random(seed)  # the world: library, dislikes, mood script (same for both arms)
    tracks, truth = make_library(args.library, args.artists, args.tag_noise, rng)
    artists = sorted({t["artist"] for t in tracks})
    disliked = set(rng.sample(artists, max(1, int(len(artists) * args.dislike_share))))
    moods = []
    for _ in range(args.tracks_per_session // 15 + 2):
        cv, ca = QUADRANT_CENTRES[rng.choice(QUADRANTS)]
        moods.append((clamp(cv + rng.gauss(0, 0.15)), clamp(ca + rng.gauss(0, 0.15))))
    by_path = {t["path"]: t for t in tracks}

    behaviour = random.Random(seed * 7919 + 1)  # the listener's dice, same stream in both arms
    clock = Clock(1000.0)
    engine = MoodEngine(tracks, personalise=personalise, clock=clock, strategy="match")
    engine.replan("start")
    skips, per_half = 0, [0, 0]
    played = 0
    while played < args.tracks_per_session:
        listener = moods[played // 15]
        # The face reader: a few noisy readings since the last track.
        for _ in range(5):
            clock.t += 2.0
            engine.observe(
                Observation(
                    "face",
                    clamp(listener[0] + behaviour.gauss(0, 0.2)),
                    clamp(listener[1] + behaviour.gauss(0, 0.2)),
                    0.7,
                    time=clock.t,
                )
            )
        if len(engine.plan) == 0:
            engine.replan("empty", clock.t)
        if not engine.plan:
            break
        path = engine.plan[0].path
        engine.track_started(path)
        true_va = truth[path]
        off_mood = math.dist(true_va, listener) > args.off_mood_distance
        skip = (
            (off_mood and behaviour.random() < 0.85)
            or (by_path[path]["artist"] in disliked and behaviour.random() < 0.9)
            or behaviour.random() < 0.05
        )
        if skip:
            clock.t += 15.0
            engine.track_ended(path, behaviour.uniform(0.02, 0.2), skipped=True)
            skips += 1
            per_half[played * 2 // args.tracks_per_session] += 1
        else:
            clock.t += 180.0
            if behaviour.random() < 0.05:
                engine.like(path)
            engine.track_ended(path, 1.0, skipped=False)
        played += 1
        engine.queue_remaining(len(engine.plan))
    half = args.tracks_per_session / 2
    return {
        "skip_rate": skips / max(played, 1),
        "first_half": per_half[0] / half,
        "second_half": per_half[1] / half,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=6)
    ap.add_argument("--tracks-per-session", type=int, default=300)
    ap.add_argument("--library", type=int, default=1500)
    ap.add_argument("--artists", type=int, default=60)
    ap.add_argument("--dislike-share", type=float, default=0.15)
    ap.add_argument("--tag-noise", type=float, default=0.25)
    ap.add_argument("--off-mood-distance", type=float, default=0.6)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    with_p, without = [], []
    for s in range(args.sessions):
        seed = args.seed * 1000 + s
        with_p.append(run_session(seed, True, args))
        without.append(run_session(seed, False, args))

    def mean(rows: list[dict], key: str) -> float:
        return sum(r[key] for r in rows) / len(rows)

    figure, baseline = mean(with_p, "skip_rate"), mean(without, "skip_rate")
    print(
        json.dumps(
            {
                "figure": round(figure, 4),
                "unit": "skip rate (share of tracks skipped, personalised)",
                "baseline": round(baseline, 4),
                "ratio": round(baseline / figure, 3) if figure > 0 else None,
                "personalised_first_half": round(mean(with_p, "first_half"), 4),
                "personalised_second_half": round(mean(with_p, "second_half"), 4),
                "baseline_first_half": round(mean(without, "first_half"), 4),
                "baseline_second_half": round(mean(without, "second_half"), 4),
                "per_session": [
                    [round(a["skip_rate"], 3), round(b["skip_rate"], 3)] for a, b in zip(with_p, without)
                ],
                "sessions": args.sessions,
                "tracks_per_session": args.tracks_per_session,
                "library": args.library,
                "artists": args.artists,
                "disliked_artist_share": args.dislike_share,
                "tag_noise_sd": args.tag_noise,
                "off_mood_distance": args.off_mood_distance,
                "strategy": "match",
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
