"""Nothing reaches the network: the main flows run with every network connect refused.

In process, socket connects to anything but a local (AF_UNIX) socket raise; the headless commands also run in
a fresh network namespace with no interfaces but loopback where `unshare` allows it.
"""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from library.scanner import scan_folder
from library.store import Store
from player.backend import NullBackend
from player.engine import PlayerEngine
from tests.media import make_library

ROOT = Path(__file__).resolve().parents[1]


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    attempts = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(self, address, _real=real_connect):
        if self.family != socket.AF_UNIX:
            attempts.append(address)
            raise NetworkUsed(f"network connect to {address!r}")
        return _real(self, address)

    def guard_ex(self, address):
        if self.family != socket.AF_UNIX:
            attempts.append(address)
            raise NetworkUsed(f"network connect to {address!r}")
        return real_connect_ex(self, address)

    def no_dns(*args, **kwargs):
        attempts.append(args[:1])
        raise NetworkUsed(f"name lookup {args[:1]!r}")

    monkeypatch.setattr(socket.socket, "connect", guard)
    monkeypatch.setattr(socket.socket, "connect_ex", guard_ex)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: no_dns(*a))
    yield attempts
    assert attempts == [], f"something tried the network: {attempts}"


def test_guard_catches_a_connect(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80), timeout=1)
    no_network.clear()


def test_scan_play_and_window_offline(no_network, tmp_path, qtbot):
    from ui.main_window import MainWindow
    from ui.mood_docks import install_mood_features
    from ui.workers import SyncPool, set_pool

    set_pool(SyncPool())
    lib = tmp_path / "lib"
    make_library(lib)
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(lib))
    w = MainWindow(store, PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    controller = install_mood_features(w, camera=False, journal=False)
    w.engine.play_path(w.filter.path_at(0))
    qtbot.waitUntil(lambda: w.engine.state == "playing", timeout=3000)
    controller.set_user_mood(-0.5, -0.5)
    w.close()
    set_pool(None)


@pytest.mark.slow
def test_models_offline(no_network, tmp_path):
    """Every reader loads its model and reads without the network (skips a reader whose model is missing)."""
    from ui import self_test

    ran = 0
    for name in ("audio-model", "face-model", "text-model"):
        fn = dict(self_test.CHECKS)[name]
        try:
            fn(tmp_path)
            ran += 1
        except FileNotFoundError as exc:
            pytest.skip(f"{name}: {exc}")
    assert ran == 3


@pytest.mark.skipif(shutil.which("unshare") is None or os.geteuid() != 0, reason="needs unshare as root")
def test_headless_commands_in_an_empty_network_namespace(tmp_path):
    lib = tmp_path / "lib"
    make_library(lib)
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("network namespaces are not allowed here")
    out = subprocess.run(["unshare", "-n", sys.executable, "main.py", "scan", str(lib)], cwd=ROOT,
                         env=os.environ, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-1000:]
