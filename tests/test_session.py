"""Hands-free session: the listener leaving pauses playback, coming back resumes it; the view follows the queue."""

import subprocess

from library.store import Store
from player.backend import NullBackend
from player.engine import PlayerEngine
from tests.test_app_mood import tagged_library
from ui.main_window import MainWindow
from ui.mood_docks import install_mood_features
from ui.workers import SyncPool, set_pool


def flat_video(path) -> str:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=gray:size=160x120:rate=15:duration=4", "-pix_fmt", "yuv420p", str(path)], check=True)
    return str(path)


def make_window(qtbot, tmp_path, camera_source):
    set_pool(SyncPool())
    store = Store(tmp_path / "db.json")
    store.upsert_tracks(tagged_library())
    w = MainWindow(store, PlayerEngine(NullBackend(length_ms=120_000)), auto_tag=False)
    qtbot.addWidget(w)
    install_mood_features(w, camera_source=camera_source, journal=False)
    return w


def test_leaving_pauses_and_returning_resumes(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, flat_video(tmp_path / "nobody.mp4"))
    session = w.start_session(full_screen=False, leave_timeout_s=0.5)
    qtbot.addWidget(session.view)
    qtbot.waitUntil(lambda: w.engine.state == "playing", timeout=5000)
    assert session.view.title_label.text() not in ("", "—")
    assert session.view.up_next.count() > 0
    # nobody in front of the camera: presence goes false, and after the timeout the music pauses
    qtbot.waitUntil(lambda: w.engine.state == "paused", timeout=15000)
    assert session.paused_by_session
    session.view.on_presence(True)  # the listener is back
    qtbot.waitUntil(lambda: w.engine.state == "playing", timeout=3000)
    session.stop()
    assert not session.view.camera.is_running
    set_pool(None)


def test_missing_camera_says_so_and_music_goes_on(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path, str(tmp_path / "no_such_camera.mp4"))
    session = w.start_session(full_screen=False, leave_timeout_s=0.5)
    qtbot.addWidget(session.view)
    qtbot.waitUntil(lambda: w.engine.state == "playing", timeout=5000)
    qtbot.waitUntil(lambda: session.view.away_label.text() != "", timeout=10000)
    assert w.engine.state == "playing", "a missing camera must not stop the music"
    session.stop()
    set_pool(None)
