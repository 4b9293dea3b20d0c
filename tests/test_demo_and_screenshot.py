"""The demo library composer, and a real X window (Xvfb) screenshot of the main window on the demo library."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from library import demo
from library.synth import parse_midi

ROOT = Path(__file__).resolve().parents[1]


def test_composer_writes_different_music_per_quadrant():
    fast, tags = demo.compose("Q1", 0, 20)
    slow, _ = demo.compose("Q3", 0, 20)
    assert fast != slow
    assert tags["album"] == "Moodtape Demo Sessions" and tags["genre"] == "Pop"

    def tempo_bpm(data: bytes) -> float:
        _fmt, _div, tracks = parse_midi(data)
        for _delta, ev in tracks[0]:
            if ev[:3] == b"\xff\x51\x03":
                return 60_000_000 / int.from_bytes(ev[3:6], "big")
        raise AssertionError("no tempo")

    assert tempo_bpm(fast) > 120 > 80 > tempo_bpm(slow)


def test_generate_small_demo(tmp_path):
    folder = demo.generate(tmp_path / "demo", per_quadrant=1, seconds=(8, 9))
    files = sorted(folder.glob("*.ogg"))
    assert len(files) == 4 and demo.is_complete(folder)
    from library.tags import read_tags

    tags = [read_tags(str(f)) for f in files]
    assert {t["genre"] for t in tags} == {"Pop", "Rock", "Ballad", "Ambient"}
    assert sorted(t["track_no"] for t in tags) == [1, 2, 3, 4] and {t["year"] for t in tags} == {2026}
    assert all(4 < t["duration"] < 16 for t in tags), [t["duration"] for t in tags]
    assert demo.generate(folder, per_quadrant=1) == folder  # idempotent


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_screenshot_of_main_window_on_demo_library(tmp_path):
    from PySide6.QtGui import QImage

    lib = demo.generate(tmp_path / "demo", per_quadrant=2, seconds=(8, 10))
    out = tmp_path / "shot.png"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["QT_QPA_PLATFORM"] = "xcb"
    proc = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", sys.executable, "-m", "ui.screenshot",
                           "--library", str(lib), "--out", str(out), "--play", "--wait", "4"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and out.exists(), proc.stderr[-2000:]
    img = QImage(str(out))
    assert img.width() >= 1000 and img.height() >= 600
    colours = {img.pixel(x, y) for x in range(0, img.width(), 23) for y in range(0, img.height(), 23)}
    assert len(colours) > 20, "the screenshot is blank"
    keep = os.environ.get("MOODTAPE_SCREENSHOT_DIR")
    if keep:
        shutil.copy(out, Path(keep) / "main_window.png")
