"""MPRIS2: drive a running Moodtape (offscreen, null backend) with playerctl on a private session bus."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not (shutil.which("playerctl") and shutil.which("dbus-run-session")),
                                reason="playerctl and dbus-run-session are needed")

APP = r'''
import os, sys
sys.path.insert(0, sys.argv[1])
from PySide6.QtWidgets import QApplication
from library.store import Store
from player.backend import NullBackend
from player.engine import PlayerEngine
from ui.main_window import MainWindow
from ui.mpris import Mpris

app = QApplication([])
store = Store(os.path.join(sys.argv[2], "db.json"))
tracks = [
    {"path": "/music/one.ogg", "title": "Track One", "artist": "Ann Artist", "album": "First", "genre": "Pop",
     "duration": 600.0, "kind": "audio", "size": 1, "mtime": 1.0, "quadrant": "Q1", "track_no": 4, "disc_no": 2,
     "albumartist": "Various Artists"},
    {"path": "/music/two.ogg", "title": "Track Two", "artist": "Bob Band", "album": "Second", "genre": "Rock",
     "duration": 600.0, "kind": "audio", "size": 1, "mtime": 1.0, "quadrant": "Q3"},
    {"path": "/music/three.ogg", "title": "Track Three", "artist": "Cy", "album": "Third", "genre": "Jazz",
     "duration": 600.0, "kind": "audio", "size": 1, "mtime": 1.0, "quadrant": "Q4"},
]
store.upsert_tracks(tracks)
window = MainWindow(store, PlayerEngine(NullBackend(length_ms=600_000)), auto_tag=False)
window.engine.queue.add([t["path"] for t in tracks])
window.engine.state_changed.connect(lambda s: print("STATE", s, flush=True))
window.engine.track_changed.connect(lambda p: print("TRACK", p, flush=True))
window.engine.modes_changed.connect(lambda: print("REPEAT", window.engine.repeat_track, flush=True))
window.volume_slider.valueChanged.connect(lambda v: print("SLIDER", v, flush=True))
mpris = Mpris(window)
print("ACTIVE", mpris.active, mpris.service, flush=True)
print("ADDRESS", os.environ.get("DBUS_SESSION_BUS_ADDRESS", ""), flush=True)
sys.exit(app.exec())
'''


def _wait(fn, timeout: float = 20.0, step: float = 0.1):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        last = fn()
        if last:
            return last
        time.sleep(step)
    return last


@pytest.fixture
def player(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(APP)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1")
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    log = tmp_path / "app.log"
    with open(log, "w") as out:
        cmd = ["dbus-run-session", "--", sys.executable, str(script), str(ROOT), str(tmp_path)]
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
                                start_new_session=True)  # its own process group: the app dies with the bus
    try:
        def address() -> str | None:
            for line in log.read_text().splitlines():
                if line.startswith("ADDRESS "):
                    return line.split(" ", 1)[1]
            return None

        addr = _wait(address, timeout=60)
        assert addr, f"the app did not start: {log.read_text()[-2000:]}"
        assert "ACTIVE True org.mpris.MediaPlayer2.moodtape" in log.read_text()
        ctl_env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=addr)

        def ctl(*args: str) -> str:
            r = subprocess.run(["playerctl", "-p", "moodtape", *args], env=ctl_env, capture_output=True,
                               text=True, timeout=15)
            return r.stdout.strip()

        ctl.env = ctl_env  # type: ignore[attr-defined]
        ctl.log = log  # type: ignore[attr-defined]
        yield ctl
    finally:
        # dbus-run-session does not pass SIGTERM on to the app: end the whole group, then make sure
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
            if sig == signal.SIGTERM:
                time.sleep(0.5)


def test_playerctl_drives_the_player(player):
    assert _wait(lambda: player("status") == "Stopped"), player.log.read_text()[-2000:]
    follow = subprocess.Popen(["playerctl", "-p", "moodtape", "--follow", "status"], env=player.env,
                              stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        player("play-pause")
        assert _wait(lambda: player("status") == "Playing"), player.log.read_text()[-2000:]
        assert "STATE playing" in player.log.read_text()
        assert player("metadata", "xesam:title") == "Track One"
        assert player("metadata", "xesam:artist") == "Ann Artist"
        assert player("metadata", "xesam:album") == "First"
        assert player("metadata", "xesam:trackNumber") == "4"
        assert player("metadata", "xesam:discNumber") == "2"
        assert player("metadata", "xesam:albumArtist") == "Various Artists"
        assert int(player("metadata", "mpris:length")) == 600_000_000
        assert player("metadata", "mpris:trackid").strip("'").startswith("/org/moodtape/track/")

        player("next")
        assert _wait(lambda: player("metadata", "xesam:title") == "Track Two"), player.log.read_text()[-2000:]
        assert "TRACK /music/two.ogg" in player.log.read_text()

        player("volume", "0.3")
        assert _wait(lambda: abs(float(player("volume") or -1) - 0.3) < 0.011)
        assert "SLIDER 30" in player.log.read_text()  # the window's slider shows it

        player("position", "42")
        pos = float(player("position"))
        assert 41.9 <= pos < 50, pos
        player("position", "5-")  # relative seek backwards (Seek with a negative offset)
        pos2 = float(player("position"))
        assert 36.9 <= pos2 < 45, pos2

        assert player("loop") == "None"
        player("loop", "Track")  # repeat the playing track
        assert _wait(lambda: player("loop") == "Track")
        assert "REPEAT True" in player.log.read_text()
        player("loop", "None")
        assert _wait(lambda: player("loop") == "None")

        player("play-pause")
        assert _wait(lambda: player("status") == "Paused")
    finally:
        time.sleep(0.5)
        follow.terminate()
        seen = follow.communicate(timeout=10)[0].split()
    # PropertiesChanged reached a listening client: it saw the state changes as they happened ("next" may pass
    # through Stopped while the next track loads)
    assert seen[:2] == ["Stopped", "Playing"] and seen[-1] == "Paused", seen


def test_no_session_bus_is_a_no_op(qtbot, tmp_path, monkeypatch):
    from PySide6.QtDBus import QDBusConnection

    from library.store import Store
    from player.backend import NullBackend
    from player.engine import PlayerEngine
    from ui.main_window import MainWindow
    from ui.mpris import Mpris, track_id

    w = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    bus = QDBusConnection.connectToBus("unix:path=" + str(tmp_path / "no-such-bus"), "moodtape-test-nobus")
    m = Mpris(w, connection=bus)
    assert not m.active and m.service == ""
    w.engine.state_changed.emit("playing")  # nothing is connected, nothing breaks
    assert track_id("/a b.ogg") == track_id("/a b.ogg") != track_id("/c.ogg")
    assert set(track_id("/ä ö.ogg").rsplit("/", 1)[1]) <= set("abcdefghijklmnopqrstuvwxyz0123456789_t")
