"""A long scripted session, to find leaks and crashes.

python bench/soak.py --minutes 60      (tests run --minutes 3 ... well, a short one)

The real app window (offscreen), real libVLC with the dummy audio output, the real readers: plays, seeks,
skips, queue edits, likes, rescans of a changing folder, journal entries read by the journal model, and camera
observations from a video standing in for the webcam (a face photo turned into a video with ffmpeg). Reports
crashes (exceptions anywhere: must be 0), RSS after warm-up and at the end (growth <= 10 %), and handles (threads,
file descriptors) at both points (`leaked`: end minus start, measured with playback stopped and the workers idle).
figure = RSS growth %, baseline = the 10 % budget, ratio = budget / growth.

With the readers on, it also checks privacy over the session (`privacy`): image files that appeared under the
data, config, cache and temp dirs (camera frames must never reach disk), journal text found in the log file, journal
text left in the store files after every entry is deleted, and the permission bits of the store, log and dirs.
"""

from __future__ import annotations

import argparse
import gc
import logging
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


def open_fds() -> list[str]:
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            out.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            pass
    return sorted(out)


def thread_names() -> list[str]:
    return sorted(t.name for t in threading.enumerate())


def native_threads() -> list[str]:
    """Every OS thread of the process by name (Qt, libVLC, torch, mediapipe threads too)."""
    out = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as f:
                out.append(f.read().strip())
        except OSError:
            pass
    return sorted(out)


IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".pgm", ".pbm", ".gif", ".webp", ".tif", ".tiff")
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"BM", b"GIF8", b"RIFF", b"P5", b"P6", b"II*\x00", b"MM\x00*")


def files_under(roots: list[Path]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for root in roots:
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                p = os.path.join(dirpath, name)
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                out[p] = (st.st_size, st.st_mtime_ns)
    return out


def looks_like_image(path: str) -> bool:
    if path.lower().endswith(IMAGE_EXTS):
        return True
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return False
    return head.startswith(IMAGE_MAGIC)


def mode(path: Path) -> str:
    try:
        return oct(os.stat(path).st_mode & 0o777)
    except OSError:
        return "missing"


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
    from main import limit_malloc_arenas

    limit_malloc_arenas()  # as main.py does for the app
    from PySide6.QtWidgets import QApplication

    errors: list[str] = []
    sys.excepthook = lambda t, e, tb: errors.append("".join(traceback.format_exception(t, e, tb)))
    threading.excepthook = lambda a: errors.append(f"thread {a.thread}: {a.exc_value!r}")
    app = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="moodtape-soak-"))
    os.environ["MOODTAPE_DATA_DIR"] = str(tmp / "data")
    os.environ["MOODTAPE_CONFIG_DIR"] = str(tmp / "config")
    os.environ["MOODTAPE_CACHE_DIR"] = str(tmp / "cache")
    video = None if args.no_readers else face_video()  # (cached in the shared temp dir)
    (tmp / "tmp").mkdir()
    os.environ["TMPDIR"] = str(tmp / "tmp")  # a private temp dir, watched for camera frames
    tempfile.tempdir = None
    from library import demo
    from library.paths import cache_dir, config_dir, data_dir
    from library.store import Store
    from player.engine import PlayerEngine
    from player.vlc_backend import VlcBackend
    from tests.media import make_library
    from ui.app import setup_logging
    from ui.main_window import MainWindow
    from ui.mood_docks import install_mood_features

    log_path = Path(setup_logging())  # the app's log file (it replaces sys.excepthook: count crashes again)
    logged_hook = sys.excepthook

    def hook(t, e, tb) -> None:
        errors.append("".join(traceback.format_exception(t, e, tb)))
        logged_hook(t, e, tb)

    sys.excepthook = hook
    watched = [data_dir(), config_dir(), cache_dir(), Path(tempfile.gettempdir())]

    lib = tmp / "lib"
    make_library(lib, seconds=3.0)
    shutil.rmtree(lib / "broken", ignore_errors=True)
    demo_dir = demo.generate(tmp / "demo", per_quadrant=2, seconds=(8, 10))
    store = Store()
    window = MainWindow(store, PlayerEngine(VlcBackend(audio_output="dummy", video=False)), auto_tag=True)
    controller = install_mood_features(window, camera_source=str(video or 0), camera=not args.no_readers,
                                       journal=not args.no_readers)
    window.report_worker_error = lambda m, tb="": errors.append(m)  # a worker's failure counts as a crash here
    counts = {"camera_observations": 0, "journal_readings": 0, "journal_entries": 0, "journal_deleted": 0}
    pane = getattr(window, "journal_pane", None)
    camera = getattr(window, "camera_panel", None)
    if camera is not None:
        camera.observation.connect(lambda _o: counts.__setitem__("camera_observations",
                                                                 counts["camera_observations"] + 1))
        camera.error.connect(lambda m: errors.append(f"camera: {m}"))
    if pane is not None:
        pane.reading_ready.connect(lambda r: counts.__setitem__("journal_readings", counts["journal_readings"] + 1)
                                   if getattr(r, "ok", False) else errors.append(f"journal: {r.message}"))
    window.show()
    before = files_under(watched)
    for f in (lib, demo_dir):
        window.add_folder(str(f))
    rng = random.Random(args.seed)

    def write_entry(text: str) -> None:
        pane.new_entry()
        pane.editor.setPlainText(text)
        pane.save()
        counts["journal_entries"] += 1

    def delete_entry(row: int | None = None) -> None:
        """Pick an entry in the list (as a click would) and delete it."""
        if pane.entries.count():
            pane.entries.setCurrentRow(rng.randrange(pane.entries.count()) if row is None else row)
            pane.delete_current()
            counts["journal_deleted"] += 1

    def step(i: int, r: float | None = None) -> None:
        e = window.engine
        r = rng.random() if r is None else r
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
        elif r < 0.85 and pane is not None:
            if rng.random() < 0.7:
                write_entry(rng.choice(JOURNAL))
            else:
                delete_entry()
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

    def settle() -> tuple[float, dict]:
        """Stop playback and let the workers go idle, then measure (so that start and end compare alike)."""
        window.engine.stop()
        end = time.time() + 120
        while (window._scanning is not None or window.tagging.running) and time.time() < end:
            pump(0.2)
        pump(1.0)
        # thread pools keep idle threads (each with an eventfd) for 30 s; waitForDone ends them, so that start
        # and end count the same threads. It comes after the last pump: work posted while pumping (a planner
        # re-index, say) starts a pooled thread again, and one such idle thread was the extra eventfd that
        # showed up at the end of some runs (seen with its "Thread (pooled)" in the 60-minute run of 2026-12-06)
        if pane is not None:
            pane.wait_idle(30000)
        from ui.workers import pool

        worker_pool = pool()
        if hasattr(worker_pool, "waitForDone"):
            worker_pool.waitForDone(30000)
        gc.collect()
        seen["fds"], seen["threads"], seen["native_threads"] = open_fds(), thread_names(), native_threads()
        return rss_mb(), handles()

    seen: dict = {}
    # the library scanned and tagged and every model loaded before the clock starts
    if camera is not None:
        camera.start()
    if pane is not None:
        write_entry(JOURNAL[0])
    # every kind of step once (twice for the rescan: add and remove a file, each tagged), so that first-use
    # costs (codecs, thread arenas, caches) fall before the clock
    for r in (0.1, 0.3, 0.45, 0.55, 0.62, 0.67, 0.72, 0.77, 0.82, 0.77, 0.82, 0.87, 0.92, 0.97, 0.1):
        step(-1, r)
        pump(0.5)
        settle()
    settle()
    total = args.minutes * 60.0
    warm = min(60.0, total * 0.2)
    t0 = time.time()
    i = 0
    start_rss = start_handles = None
    timeline: list[tuple[float, float]] = []  # (minutes, RSS MB) every 30 s, to tell a trend from noise
    while time.time() - t0 < total:
        step(i)
        i += 1
        pump(rng.uniform(0.05, 0.5))
        if time.time() - t0 >= 30.0 * len(timeline):
            timeline.append((round((time.time() - t0) / 60.0, 2), round(rss_mb(), 1)))
        if start_rss is None and time.time() - t0 >= warm:
            start_rss, start_handles = settle()
            start_seen = dict(seen)
    end_rss, end_handles = settle()

    def diff(a: list[str], b: list[str]) -> list[str]:
        rest = list(a)
        out = []
        for x in b:
            if x in rest:
                rest.remove(x)
            else:
                out.append(x)
        return out

    new_handles = {k: diff(start_seen[k], seen[k]) for k in ("fds", "threads", "native_threads")}
    gone_handles = {k: diff(seen[k], start_seen[k]) for k in ("fds", "threads", "native_threads")}
    camera_running = camera is not None and camera.is_running
    privacy: dict = {}
    fragments = [t[:30] for t in JOURNAL]
    user_dirs = [data_dir(), config_dir(), cache_dir()]

    def files_with_journal_text() -> list[str]:
        found = []
        for p in files_under(user_dirs):
            try:
                data = Path(p).read_bytes()
            except OSError:
                continue
            if any(f.encode() in data for f in fragments):
                found.append(os.path.relpath(p, tmp))
        return sorted(found)

    if pane is not None:
        store.flush()
        privacy["journal_text_in_store_before_delete"] = Path(store.path).name in {
            os.path.basename(p) for p in files_with_journal_text()}
        for _ in range(len(pane.journal.list())):  # delete every entry: no journal text may stay in any file
            delete_entry(0)
        privacy["journal_entries_left"] = len(pane.journal.list())
        pane.wait_idle(30000)
        pump(0.5)
        window.save_state()
        for h in logging.getLogger().handlers:
            h.flush()
        log_text = log_path.read_text(encoding="utf-8", errors="replace")
        privacy["log_bytes"] = len(log_text)
        privacy["journal_text_in_log"] = any(f in log_text for f in fragments)
        privacy["journal_text_left_after_delete"] = files_with_journal_text()
    new_files = {p for p, sig in files_under(watched).items() if before.get(p) != sig}
    privacy["images_written"] = sorted(p for p in new_files if looks_like_image(p))
    privacy["modes"] = {"store": mode(store.path), "store_backup": mode(Path(str(store.path) + ".bak")),
                        "log": mode(log_path), "data_dir": mode(data_dir()), "config_dir": mode(config_dir()),
                        "cache_dir": mode(cache_dir())}
    if camera is not None:
        camera.stop()
    window.close()
    controller.shutdown()
    growth = 100.0 * (end_rss - start_rss) / start_rss
    emit({"figure": round(growth, 2), "unit": "% RSS growth after warm-up", "baseline": 10.0,
          "baseline_what": "the 10 % growth budget", "ratio": round(10.0 / max(growth, 0.01), 2),
          "crashes": len(errors), "errors": errors[:5], "minutes": args.minutes, "steps": i,
          "rss_start_mb": round(start_rss, 1), "rss_end_mb": round(end_rss, 1), "handles_start": start_handles,
          "handles_end": end_handles,
          "leaked": {k: end_handles[k] - start_handles[k] for k in start_handles},
          "new_handles": new_handles, "gone_handles": gone_handles,
          "rss_timeline_mb": timeline,
          "replans": controller.replans, "tagged": sum(1 for t in store.all_tracks() if t.get("tag_key")),
          "tracks": store.track_count(), "camera_running_at_end": camera_running, **counts, "privacy": privacy})
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
