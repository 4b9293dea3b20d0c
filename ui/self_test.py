"""`main.py --self-test`: check every part headless, one line per part, exit non-zero on any failure.

Runs the same from source and from the frozen bundle: Qt (a window offscreen), the store, libVLC playing a
generated clip through the dummy audio output, each model loading and reading a known input.
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
import traceback
import wave
from collections.abc import Callable
from pathlib import Path


def _write_clip(path: Path, seconds: float = 1.0, freq: float = 440.0, sr: int = 22050) -> Path:
    n = int(seconds * sr)
    frames = bytearray()
    for i in range(n):
        v = int(12000 * math.sin(2 * math.pi * freq * i / sr))
        frames += v.to_bytes(2, "little", signed=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(bytes(frames))
    return path


def check_qt(tmp: Path) -> str:
    from PySide6.QtWidgets import QApplication

    from library.store import Store
    from player.backend import NullBackend
    from player.engine import PlayerEngine
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    w = MainWindow(Store(tmp / "qt.json"), PlayerEngine(NullBackend()), auto_tag=False)
    w.show()
    app.processEvents()
    ok = w.isVisible()
    w.close()
    if not ok:
        raise RuntimeError("the main window did not show")
    return f"PySide6 window shown ({app.platformName()})"


def check_store(tmp: Path) -> str:
    from library.store import Store

    s = Store(tmp / "self-test.json")
    s.upsert_tracks([{"path": "/x.ogg", "title": "x"}])
    s.close()
    again = Store(tmp / "self-test.json")
    if again.get_track("/x.ogg") is None:
        raise RuntimeError("a written track did not come back")
    return f"tinydb store round trip (schema {again.schema_version})"


def check_vlc(tmp: Path) -> str:
    import threading

    from player.vlc_backend import VlcBackend

    clip = _write_clip(tmp / "clip.wav")
    events: list[str] = []
    ended = threading.Event()
    be = VlcBackend(audio_output="dummy", video=False)

    def on_event(kind: str, _value: object) -> None:
        events.append(kind)
        if kind in ("ended", "error"):
            ended.set()

    be.on_event = on_event
    be.load(str(clip))
    be.play()
    ended.wait(15)
    be.release()
    if "playing" not in events or "ended" not in events:
        raise RuntimeError(f"libVLC events were {events}")
    import vlc

    return f"libVLC {vlc.libvlc_get_version().decode()} played a clip to the end"


def check_audio_model(tmp: Path) -> str:
    from emotion.audio_model import AudioMoodModel

    clip = _write_clip(tmp / "tone.wav", seconds=6.0)
    model = AudioMoodModel.load()
    r = model.predict_file(str(clip))
    if not (-1 <= r["valence"] <= 1 and -1 <= r["arousal"] <= 1 and r["quadrant"] in ("Q1", "Q2", "Q3", "Q4")):
        raise RuntimeError(f"odd reading {r}")
    return f"audio model {r['model_version']}: tone reads as {r['quadrant']}"


def check_face_model(tmp: Path) -> str:
    import numpy as np

    from emotion.face_detect import FaceDetector
    from emotion.face_model import load_model, predict_proba

    model = load_model()
    probs = predict_proba(model, np.full((1, 64, 64), 128, np.uint8))
    if probs.shape != (1, 7) or abs(float(probs.sum()) - 1.0) > 1e-3:
        raise RuntimeError(f"odd probabilities {probs}")
    FaceDetector()  # mediapipe's face detector loads from its wheel
    return "face expression model and mediapipe face detection load"


def check_text_model(tmp: Path) -> str:
    from emotion.text_model import JournalReader

    reader = JournalReader()
    happy = reader.read("What a wonderful day, I feel so happy and loved.")
    sad = reader.read("I feel miserable and alone, everything went wrong.")
    if reader.unavailable:
        raise RuntimeError(reader.unavailable)
    if not (happy.ok and sad.ok and happy.valence > sad.valence):
        raise RuntimeError(f"happy {happy.valence:+.2f} vs sad {sad.valence:+.2f}")
    return f"journal reader: happy {happy.valence:+.2f} > sad {sad.valence:+.2f}"


def check_notifications(_tmp: Path) -> str:
    """The D-Bus client of the track notifications is there and builds their Notify call (no bus needed)."""
    from ui.notifications import NOTIFY_SIGNATURE, method_call, notify_args

    image = (1, 1, 4, True, 8, 4, b"\0" * 4)
    size = len(method_call("Notify", NOTIFY_SIGNATURE, notify_args(0, "t", "b", image)).serialise(serial=1))
    if size < 100:
        raise RuntimeError(f"a Notify message of {size} bytes")
    return f"jeepney builds a {size}-byte Notify call"


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("qt", check_qt),
    ("store", check_store),
    ("vlc", check_vlc),
    ("audio-model", check_audio_model),
    ("face-model", check_face_model),
    ("text-model", check_text_model),
    ("notifications", check_notifications),
]


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    only = set(argv or [])
    failures = 0
    with tempfile.TemporaryDirectory(prefix="moodtape-self-test-") as d:
        os.environ.setdefault("MOODTAPE_DATA_DIR", str(Path(d) / "data"))
        for name, fn in CHECKS:
            if only and name not in only:
                continue
            t0 = time.perf_counter()
            try:
                detail = fn(Path(d))
                print(f"ok    {name:<12} {detail} ({time.perf_counter() - t0:.1f} s)", flush=True)
            except Exception as exc:
                failures += 1
                print(f"FAIL  {name:<12} {exc.__class__.__name__}: {exc}", flush=True)
                traceback.print_exc(file=sys.stderr)
    print(f"self-test: {len(CHECKS) - failures if not only else len(only) - failures} ok, {failures} failed")
    return 1 if failures else 0
