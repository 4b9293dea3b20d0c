"""A long scripted session, to find leaks and crashes.

python bench/soak.py --minutes 60      (tests run --minutes 3 ... well, a short one)

The real app window (offscreen), real libVLC with the dummy audio output, the real readers: plays, seeks,
skips, queue edits, likes, rescans of a changing folder, journal entries read by the journal model, and camera
observations from a video standing in for the webcam (a face photo turned into a video with ffmpeg). Reports
crashes (exceptions anywhere: must be 0), RSS after warm-up and at the end (growth <= 10 %), and handles (threads,
file descriptors) at both points. figure = RSS growth %, baseline = the 10 % budget, ratio = budget / growth.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from _common import ROOT, cache_dir, emit

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def handles() -> dict:
    return {"threads": threading.active_count(), "fds": len(os.listdir("/proc/self/fd"))}


def face_video() -> Path:
    out = cache_dir("soak") / "face.mp4"
    if out.exists():
        return out
    import numpy as np
    from skimage import data

    img = data.astronaut()[:, :, ::-1]  # RGB -> BGR
    still = cache_dir("soak") / "face.ppm"
    h, w = img.shape[:2]
    with open(still, "wb") as f:
        f.write(f"P6 {w} {h} 255\n".encode())
        f.write(np.ascontiguousarray(img[:, :, ::-1]).tobytes())
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-loop", "1", "-i", str(still), "-t", "10",
                    "-r", "15", "-vf", "scale=320:320", "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


JOURNAL = [
    "Today was long. I feel tired and a bit low, the rain did not help.",
    "Great news at work! I am so happy and excited about the weekend.",
    "I'm furious about the broken train again, what a mess.",
    "Quiet evening with tea and a book, calm and content.",
    "Nothing much happened.",
]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--minutes", type=float, default=60.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-readers", action="store_true", help="skip the camera and journal models")
    args = p.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from PySide6.QtWidgets import QApplication

    errors: list[str] = []
    sys.excepthook = lambda t, e, tb: errors.append("".join(traceback.format_exception(t, e, tb)))
    threading.excepthook = lambda a: errors.append(f"thread {a.thread}: {a.exc_value!r}")
    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="moodtape-soak-"))
    os.environ["MOODTAPE_DATA_DIR"] = str(tmp / "data")
    os.environ["MOODTAPE_CONFIG_DIR"] = str(tmp / "config")
    from library import demo
    from library.store import Store
    from player.engine import PlayerEngine
    from player.vlc_backend import VlcBackend
    from tests.media import make_library
    from ui.main_window import MainWindow
    from ui.mood_docks import install_mood_features

    lib = tmp / "lib"
    make_library(lib, seconds=3.0)
    shutil.rmtree(lib / "broken", ignore_errors=True)
    demo_dir = demo.generate(tmp / "demo", per_quadrant=2, seconds=(8, 10))
    store = Store()
    window = MainWindow(store, PlayerEngine(VlcBackend(audio_output="dummy", video=False)), auto_tag=False)
    controller = install_mood_features(window, camera_source=str(face_video()), camera=not args.no_readers,
                                       journal=not args.no_readers)
    window.report_worker_error = lambda m, tb="": errors.append(m)  # a worker's failure counts as a crash here
    window.show()
    for f in (lib, demo_dir):
        window.add_folder(str(f))
    rng = random.Random(args.seed)
    reader = None
    if not args.no_readers:
        from emotion.text_model import JournalReader

        reader = JournalReader()
        if hasattr(window, "camera_panel"):
            window.camera_panel.start()

    def step(i: int) -> None:
        e = window.engine
        r = rng.random()
        rows = window.filter.rowCount()
        if r < 0.25 and rows:
            e.play_path(window.filter.path_at(rng.randrange(rows)))
        elif r < 0.40:
            e.next()
        elif r < 0.50:
            e.seek(rng.randint(0, 2500))
        elif r < 0.60 and rows:
            e.queue.add([window.filter.path_at(rng.randrange(rows))])
            window.queue_pinned_changed.emit()
        elif r < 0.65 and len(e.queue):
            e.queue.move([rng.randrange(len(e.queue))], 0)
            window.queue_pinned_changed.emit()
        elif r < 0.70:
            controller.like_current(rng.random() < 0.7)
        elif r < 0.75:
            window.filter_edit.setText(rng.choice(["", "quiet", "the", "zzz", ""]))
        elif r < 0.80:  # the folder changes on disk; rescan
            extra = lib / "extra.ogg"
            if extra.exists():
                extra.unlink()
            else:
                shutil.copyfile(lib / "song_c.ogg", extra)
            window.scan(str(lib))
        elif r < 0.85 and reader is not None:
            text = rng.choice(JOURNAL)
            controller.journal_reading(text, reader.read(text))
        elif r < 0.90:
            controller.set_user_mood(rng.uniform(-1, 1), rng.uniform(-1, 1))
        elif r < 0.95:
            window.strategy_bar.combo.setCurrentIndex(rng.randrange(window.strategy_bar.combo.count() - 1))
        else:
            window.save_state()

    def pump(seconds: float) -> None:
        end = time.time() + seconds
        while time.time() < end:
            app.processEvents()
            time.sleep(0.01)

    total = args.minutes * 60.0
    warm = min(60.0, total * 0.2)
    t0 = time.time()
    i = 0
    start_rss = start_handles = None
    while time.time() - t0 < total:
        step(i)
        i += 1
        pump(rng.uniform(0.05, 0.5))
        if start_rss is None and time.time() - t0 >= warm:
            gc.collect()
            start_rss, start_handles = rss_mb(), handles()
    gc.collect()
    pump(1.0)
    end_rss, end_handles = rss_mb(), handles()
    if hasattr(window, "camera_panel"):
        window.camera_panel.stop()
    window.close()
    controller.shutdown()
    growth = 100.0 * (end_rss - start_rss) / start_rss
    emit({"figure": round(growth, 2), "unit": "% RSS growth after warm-up", "baseline": 10.0,
          "baseline_what": "the 10 % growth budget", "ratio": round(10.0 / max(growth, 0.01), 2),
          "crashes": len(errors), "errors": errors[:5], "minutes": args.minutes, "steps": i,
          "rss_start_mb": round(start_rss, 1), "rss_end_mb": round(end_rss, 1), "handles_start": start_handles,
          "handles_end": end_handles, "replans": controller.replans})
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
