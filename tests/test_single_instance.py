"""One program at a time on a library: the store's lock (plain Python, real processes), the local socket a second
start talks to (pytest-qt), and the whole thing with two real `main.py` starts."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from library.store_lock import StoreInUse, hold, lock_path
from tests.player_process import player_env, wait_for

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


def test_headless_commands_refuse_a_library_in_use_and_leave_it_alone(tmp_path, media_dir):
    env = player_env(tmp_path)
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
        self.messages: list[str] = []

    def __getattr__(self, name):
        return getattr(self.widget, name)

    def library_folders(self) -> list[str]:
        return ["/already/there"]

    def add_folder(self, folder: str) -> None:
        self.added.append(folder)

    def start_session(self) -> None:
        self.sessions += 1

    def show_message(self, text: str) -> None:
        self.messages.append(text)


ASK = """
import base64, json, os, sys, time
sys.path.insert(0, os.environ["MOODTAPE_ROOT"])
from PySide6.QtNetwork import QLocalSocket
from ui.single_instance import ask_running_instance
name, kind, data = sys.argv[1], sys.argv[2], sys.stdin.buffer.read()
if kind == "dict":
    print(json.dumps({"ok": ask_running_instance(name, json.loads(data), timeout_ms=5000)}))
    sys.exit(0)
sock = QLocalSocket()
sock.connectToServer(name)
sock.waitForConnected(5000)
sock.write(data)
sock.waitForBytesWritten(5000)
answer, deadline = b"", time.monotonic() + 5
while not answer.endswith(b"\\n") and time.monotonic() < deadline:
    if sock.bytesAvailable() or sock.waitForReadyRead(100):
        answer += bytes(sock.readAll().data())
    elif sock.state() != QLocalSocket.LocalSocketState.ConnectedState:
        break
print(json.dumps({"answer": base64.b64encode(answer).decode()}))
"""


def _ask_in_thread(name: str, payload: bytes | dict) -> dict:
    """A second start asking the player at `name`, in its own process as in real life (a thread of the test's
    process would share the interpreter with the player's side); a thread waits for it."""
    import base64
    import json

    out: dict = {}
    kind, data = ("dict", json.dumps(payload).encode()) if isinstance(payload, dict) else ("raw", payload)

    def run() -> None:
        env = dict(os.environ, MOODTAPE_ROOT=str(ROOT), QT_QPA_PLATFORM="offscreen")
        done = subprocess.run([sys.executable, "-c", ASK, name, kind], input=data, capture_output=True, env=env,
                              timeout=60)
        result = json.loads(done.stdout.decode().strip().splitlines()[-1])
        if "answer" in result:
            result["answer"] = base64.b64decode(result["answer"])
        out.update(result)

    t = threading.Thread(target=run)
    t.start()
    out["thread"] = t
    return out


def test_a_request_raises_the_window_adds_new_folders_and_starts_a_session(qtbot, tmp_path):
    from PySide6.QtWidgets import QWidget

    from ui.single_instance import (
        MAX_REQUEST_BYTES,
        InstanceServer,
        ask_running_instance,
        bring_to_front,
        server_addresses,
    )

    name = server_addresses(tmp_path / "moodtape.json")[0]
    assert name != server_addresses(tmp_path / "other.json")[0]
    assert name == server_addresses(tmp_path / "." / "moodtape.json")[0]
    assert ask_running_instance(name, {}, timeout_ms=200) == "none"  # nobody listening
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
        qtbot.waitUntil(lambda: not asked["thread"].is_alive(), timeout=30_000)
        assert asked["ok"] == "ok" and server.requests == 1
        qtbot.waitUntil(lambda: window.sessions == 1, timeout=3000)  # carried out once answered
        assert window.added == [str(music)]
        assert widget.isVisible() and not widget.isMinimized()

        # a file manager's "Open with" on thousands of files: taken (here none of them is there)
        many = _ask_in_thread(name, {"open": [f"/nowhere/{i:05d} a long file name of a song.mp3" for i in range(5000)]})
        qtbot.waitUntil(lambda: not many["thread"].is_alive(), timeout=30_000)
        assert many["ok"] == "ok" and server.requests == 2
        qtbot.waitUntil(lambda: bool(window.messages), timeout=3000)
        assert window.messages[-1] == "5000 files left out: not found"

        for payload, answer in ((b"not json\n", b"bad\n"), (b"[" * 50_000 + b"\n", b"bad\n"),
                                (b'{"library": ["' + b"x" * (MAX_REQUEST_BYTES + 10) + b'"]}\n', b"")):  # too big
            bad = _ask_in_thread(name, payload)
            qtbot.waitUntil(lambda b=bad: not b["thread"].is_alive(), timeout=30_000)
            assert bad["answer"] == answer and server.requests == 2
    finally:
        server.close()


def test_the_socket_lives_in_the_library_folder_and_depends_on_nothing_else(tmp_path, monkeypatch):
    from ui.single_instance import server_addresses

    lib = tmp_path / "lib"
    lib.mkdir(mode=0o700)
    store = lib / "moodtape.json"
    first, bare = server_addresses(store)
    assert os.path.dirname(first) == str(lib) and "/" not in bare
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # another start's environment: the same place
    assert server_addresses(store) == [first, bare]
    link = tmp_path / "link"
    link.symlink_to(lib)
    assert server_addresses(link / "moodtape.json") == [first, bare]  # the same library through a symlink
    lib.chmod(0o755)  # others may enter: only Qt's name in /tmp (both ends check the peer's user)
    assert server_addresses(store) == [bare]
    deep = tmp_path / ("d" * 120)
    deep.mkdir(mode=0o700)  # a path too long for a socket
    assert len(server_addresses(deep / "moodtape.json")) == 1


def test_a_start_that_says_nothing_is_let_go(qtbot, tmp_path, monkeypatch):
    from PySide6.QtNetwork import QLocalSocket

    import ui.single_instance as si

    monkeypatch.setattr(si, "IDLE_LIMIT_MS", 300)
    server = si.InstanceServer(si.server_addresses(tmp_path / "moodtape.json")[0], lambda r: None)
    assert server.listen()
    try:
        sock = QLocalSocket()
        sock.connectToServer(server.name)
        assert sock.waitForConnected(3000)
        qtbot.waitUntil(lambda: len(server._buffers) == 1, timeout=3000)
        qtbot.waitUntil(lambda: sock.state() == QLocalSocket.LocalSocketState.UnconnectedState, timeout=5000)
        qtbot.waitUntil(lambda: not server._buffers, timeout=3000)
    finally:
        server.close()


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to act as another user")
def test_a_socket_of_another_user_under_our_name_is_not_trusted(tmp_path):
    from ui.single_instance import ask_running_instance

    address = f"moodtape-test-{os.getpid()}-{time.monotonic_ns()}"  # Qt's name: a socket in /tmp
    path = f"/tmp/{address}"
    code = ("import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); "
            "print('up', flush=True); c, _ = s.accept(); c.recv(100000); c.sendall(b'ok\\n'); c.recv(10)")
    python = shutil.which("python3", path="/usr/bin:/bin")  # one that user may run (the venv may sit in /root)
    if python is None:
        pytest.skip("no system python3 for the other user")
    squatter = subprocess.Popen([python, "-c", code, path], user=65534, group=65534, stdout=subprocess.PIPE,
                                text=True, cwd="/")
    try:
        assert squatter.stdout.readline().strip() == "up"
        assert ask_running_instance(address, {"library": ["/home/me/private"]}, timeout_ms=2000) == "none"
    finally:
        squatter.kill()
        squatter.wait(10)
        Path(path).unlink(missing_ok=True)


def test_a_player_that_took_the_request_but_hangs_gets_it_once(tmp_path):
    """A first player that is stopped (SIGSTOP) or wedged: the second start sends the request once, waits, and
    then says the library is in use, without piling up requests for when the first one wakes."""
    import socket

    from ui.single_instance import claim_library, server_addresses

    store = tmp_path / "moodtape.json"
    address = server_addresses(store)[0]
    assert address.startswith("/")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(address)
    srv.listen(5)
    got: list[bytes] = []

    def serve() -> None:  # reads requests, never answers
        while True:
            try:
                conn, _ = srv.accept()
            except OSError:
                return
            got.append(conn.recv(65536))

    threading.Thread(target=serve, daemon=True).start()
    holder = _holder(store)
    try:
        t0 = time.monotonic()
        with pytest.raises(StoreInUse):
            claim_library(store, {"library": []}, wait_s=3.0)  # longer than one try: no second try
        assert time.monotonic() - t0 < 8
    finally:
        holder.kill()
        holder.wait(10)
        srv.close()
    assert len(got) == 1


def test_a_second_start_hands_over_to_the_running_player(tmp_path, media_dir):
    env = player_env(tmp_path)
    log = tmp_path / "data" / "moodtape.log"
    first = subprocess.Popen([sys.executable, "main.py", "--no-demo"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        lock = lock_path(tmp_path / "data" / "moodtape.json")
        wait_for(lambda: lock.exists() and lock.read_text().startswith(f"{first.pid}:"), 60, "the player's lock")
        second = subprocess.run([sys.executable, "main.py", "--library", str(media_dir), "--no-demo"], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "already running" in second.stderr
        wait_for(lambda: log.exists() and "a second start brought the window to the front" in log.read_text(), 30,
                  "the running player's log line")
        assert str(media_dir) in log.read_text()
        assert first.poll() is None  # the first one plays on
    finally:
        first.kill()
        first.wait(10)
    hold(tmp_path / "data" / "moodtape.json").release()  # and once it is gone, the library is free
