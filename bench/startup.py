"""Start-up time: seconds from process start to the main window shown, with a large library in the store.

python bench/startup.py --tracks 50000

Builds a store with that many tracks (mood-tagged) in a private data dir, then starts `main.py` offscreen with
MOODTAPE_EXIT_AFTER_SHOW=1, which prints the time the window is up. The baseline, in the same run, is the naive
start-up: the same, but importing the heavy model stacks (torch, transformers, mediapipe, librosa) first, as an
app that loads its readers eagerly would. Median of --repeat runs each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, emit

EAGER = ("import torch, transformers, mediapipe, librosa, cv2; import runpy, sys; "
         "sys.argv = ['main.py', '--no-demo']; runpy.run_path('main.py', run_name='__main__')")


def make_store(data: Path, n: int) -> None:
    sys.path.insert(0, str(ROOT))
    from library.store import Store

    s = Store(data / "moodtape.json")
    quads = ("Q1", "Q2", "Q3", "Q4")
    s.upsert_tracks([{
        "path": f"/music/artist{i % 500}/album{i % 9}/{i:06d}.mp3", "title": f"Track {i}",
        "artist": f"Artist {i % 500}",
        "album": f"Album {i % 9}", "genre": ("Rock", "Pop", "Jazz", "Folk")[i % 4], "duration": 180.0 + i % 120,
        "size": 4_000_000 + i, "mtime": 1.7e9 + i, "kind": "audio", "valence": ((i * 37) % 200 - 100) / 100,
        "arousal": ((i * 53) % 200 - 100) / 100, "quadrant": quads[i % 4], "moods": {"calm": 0.4, "tender": 0.3},
        "model_version": "bench", "tag_key": "bench"} for i in range(n)])
    s.close()


def once(cmd: list[str], env: dict) -> tuple[float, int]:
    t0 = time.time()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    for line in out.stdout.splitlines():
        if line.startswith("MOODTAPE_SHOWN"):
            parts = line.split()
            return float(parts[1]) - t0, int(parts[2].split("=")[1])
    raise RuntimeError(f"the window never showed: {out.stderr[-2000:]}")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tracks", type=int, default=50000)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        make_store(data, args.tracks)
        env = {**os.environ, "MOODTAPE_DATA_DIR": str(data), "MOODTAPE_CONFIG_DIR": str(Path(tmp) / "config"),
               "QT_QPA_PLATFORM": "offscreen", "MOODTAPE_EXIT_AFTER_SHOW": "1", "MOODTAPE_AUDIO_OUTPUT": "dummy"}
        lazy = [once([sys.executable, "main.py", "--no-demo"], env) for _ in range(args.repeat)]
        eager = [once([sys.executable, "-c", EAGER], env) for _ in range(args.repeat)]
    figure = statistics.median(t for t, _ in lazy)
    baseline = statistics.median(t for t, _ in eager)
    emit({"figure": round(figure, 3), "unit": "s from process start to main window shown (offscreen)",
          "baseline": round(baseline, 3), "baseline_what": "same start-up importing torch/transformers/mediapipe/"
          "librosa/cv2 eagerly", "ratio": round(baseline / figure, 2), "tracks": lazy[0][1],
          "runs": [round(t, 3) for t, _ in lazy], "baseline_runs": [round(t, 3) for t, _ in eager]})


if __name__ == "__main__":
    main()
