"""One program at a time on a library: the store's lock (plain Python, real processes), the local socket a second
start talks to (pytest-qt), and the whole thing with two real `main.py` starts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from library.store_lock import StoreInUse, hold, lock_path

ROOT = Path(__file__).resolve().parent.parent


def _holder(store: Path) -> subprocess.Popen:
    code = ("import sys, time; from library.store_lock import hold; hold(sys.argv[1]); print('held', flush=True); "
            "time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(store)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_the_lock_is_exclusive_says_who_holds_it_and_goes_with_its_holder(tmp_path):
    store = tmp_path / "lib" / "moodtape.json"
    lock = hold(store)
    with pytest.raises(StoreInUse) as err:
        hold(store)  # also a second holder in the same process
    assert str(os.getpid()) in str(err.value) and str(store) in str(err.value)
    lock.release()
    hold(store).release()

    proc = _holder(store)
    try:
        with pytest.raises(StoreInUse) as err:
            hold(store)
        assert f"process {proc.pid}:" in str(err.value)
    finally:
        proc.send_signal(signal.SIGKILL)  # a holder that dies without letting go
        proc.wait(10)
    with hold(store) as again:  # the kernel let go of it
        assert again.held
    assert not again.held
    assert lock_path(store).exists() and not store.exists()  # the lock never touches the library itself


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, MOODTAPE_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen",
               MOODTAPE_AUDIO_OUTPUT="dummy", XDG_CONFIG_HOME=str(tmp_path / "config"),
               NUMBA_CACHE_DIR=os.environ.get("NUMBA_CACHE_DIR", str(tmp_path / "numba")))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return env


def test_headless_commands_refuse_a_library_in_use_and_leave_it_alone(tmp_path, media_dir):
    env = _env(tmp_path)
    store = tmp_path / "data" / "moodtape.json"
    store.parent.mkdir(parents=True)
    store.write_text('{"keep": {"1": {"me": true}}}')
    proc = _holder(store)
    try:
        for cmd in (["scan", str(media_dir)], ["tag", str(media_dir), "--quiet"]):
            res = subprocess.run([sys.executable, "main.py", *cmd], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=120)
            assert res.returncode == 2, res.stderr
            assert "in use by another Moodtape" in res.stderr and f"process {proc.pid}" in res.stderr
    finally:
        proc.kill()
        proc.wait(10)
    assert json.loads(store.read_text()) == {"keep": {"1": {"me": True}}}


class FakeWindow:
    """What bring_to_front uses of the main window, on a real QWidget."""

    def __init__(self, widget) -> None:
        self.widget = widget
        self.added: list[str] = []
        self.sessions = 0

    def __getattr__(self, name):
        return getattr(self.widget, name)

    def library_folders(self) -> list[str]:
        return ["/already/there"]

    def add_folder(self, folder: str) -> None:
        self.added.append(folder)

    def start_session(self) -> None:
        self.sessions += 1


def _ask_in_thread(name: str, payload: bytes | dict) -> dict:
    from ui.single_instance import ask_running_instance

    out: dict = {}

    def run() -> None:
        if isinstance(payload, dict):
            out["ok"] = ask_running_instance(name, payload, timeout_ms=5000)
            return
        from PySide6.QtNetwork import QLocalSocket

        sock = QLocalSocket()
        sock.connectToServer(name)
        sock.waitForConnected(5000)
        sock.write(payload)
        sock.waitForBytesWritten(5000)
        answer, deadline = b"", time.monotonic() + 5
        while not answer.endswith(b"\n") and time.monotonic() < deadline:
            if sock.bytesAvailable() or sock.waitForReadyRead(100):
                answer += bytes(sock.readAll().data())
        out["answer"] = answer
        sock.abort()

    t = threading.Thread(target=run)
    t.start()
    out["thread"] = t
    return out


def test_a_request_raises_the_window_adds_new_folders_and_starts_a_session(qtbot, tmp_path):
    from PySide6.QtWidgets import QWidget

    from ui.single_instance import InstanceServer, ask_running_instance, bring_to_front, server_name

    name = server_name(tmp_path / "moodtape.json")
    assert name != server_name(tmp_path / "other.json") and name == server_name(tmp_path / "." / "moodtape.json")
    assert ask_running_instance(name, {}, timeout_ms=200) is False  # nobody listening
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.showMinimized()
    window = FakeWindow(widget)
    server = InstanceServer(name, lambda r: bring_to_front(window, r))
    assert server.listen()
    try:
        music = tmp_path / "music"
        music.mkdir()
        asked = _ask_in_thread(name, {"library": [str(music), "/already/there", str(tmp_path / "nope"), 3],
                                      "session": True})
        qtbot.waitUntil(lambda: not asked["thread"].is_alive(), timeout=10_000)
        assert asked["ok"] is True and server.requests == 1
        assert window.added == [str(music)] and window.sessions == 1
        assert widget.isVisible() and not widget.isMinimized()

        bad = _ask_in_thread(name, b"not json\n")
        qtbot.waitUntil(lambda: not bad["thread"].is_alive(), timeout=10_000)
        assert bad["answer"] == b"bad\n" and server.requests == 1
    finally:
        server.close()


def _wait_for(pred, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_second_start_hands_over_to_the_running_player(tmp_path, media_dir):
    env = _env(tmp_path)
    log = tmp_path / "data" / "moodtape.log"
    first = subprocess.Popen([sys.executable, "main.py", "--no-demo"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        lock = lock_path(tmp_path / "data" / "moodtape.json")
        _wait_for(lambda: lock.exists() and lock.read_text().startswith(f"{first.pid}:"), 60, "the player's lock")
        second = subprocess.run([sys.executable, "main.py", "--library", str(media_dir), "--no-demo"], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr
        _wait_for(lambda: log.exists() and "a second start brought the window to the front" in log.read_text(), 30,
                  "the running player's log line")
        assert str(media_dir) in log.read_text()
        assert first.poll() is None  # the first one plays on
    finally:
        first.kill()
        first.wait(10)
    hold(tmp_path / "data" / "moodtape.json").release()  # and once it is gone, the library is free
