"""Test set-up: offscreen Qt, a private data/config dir per test, NUMBA cache, and Qt errors raise."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path.home() / ".cache" / "moodtape-numba"))
os.environ.setdefault("OMP_NUM_THREADS", "2")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def private_dirs(tmp_path_factory, monkeypatch):
    """Every test gets its own user data, config and cache dir."""
    base = tmp_path_factory.mktemp("user")
    for var, sub in (("MOODTAPE_DATA_DIR", "data"), ("MOODTAPE_CONFIG_DIR", "config"),
                     ("MOODTAPE_CACHE_DIR", "cache")):
        d = base / sub
        d.mkdir()
        monkeypatch.setenv(var, str(d))
    return base


@pytest.fixture(autouse=True)
def no_held_keys():
    """QTest's Ctrl+key click ends with the Ctrl release event still carrying Ctrl, so Qt goes on believing Ctrl is
    held, and the next test's QTableView.selectRow toggles instead of selecting. Let it go after each test."""
    yield
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QWidget

    if QApplication.instance() is None or QGuiApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier:
        return
    target = QWidget()
    QTest.keyRelease(target, Qt.Key.Key_Control, Qt.KeyboardModifier.NoModifier)
    target.deleteLater()


def scanned_window(qtbot, folder: Path, db_path: Path):
    """The main window (offscreen, shown) over `folder`, scanned into a store at db_path, with the null backend.
    Set a synchronous worker pool around it (ui.workers.set_pool)."""
    from library.scanner import scan_folder
    from library.store import Store
    from player.backend import NullBackend
    from player.engine import PlayerEngine
    from ui.main_window import MainWindow

    store = Store(db_path)
    scan_folder(store, str(folder))
    w = MainWindow(store, PlayerEngine(NullBackend(length_ms=60_000)), auto_tag=False)
    qtbot.addWidget(w)
    w.show()
    return w


@pytest.fixture
def media_window(qtbot, media_dir, tmp_path):
    """The main window (offscreen, shown) over the scanned media_dir, with the null backend and a synchronous
    worker pool."""
    from ui.workers import SyncPool, set_pool

    set_pool(SyncPool())
    yield scanned_window(qtbot, media_dir, tmp_path / "db.json")
    set_pool(None)


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory) -> Path:
    """A folder of real, tagged media files of every supported kind (made once per session)."""
    from tests.media import make_library

    folder = tmp_path_factory.mktemp("media")
    make_library(folder)
    return folder
