"""Faults: a worker's exception is logged with its traceback and shown once; the app keeps running."""

import logging
import os
import stat
from pathlib import Path

from library.paths import data_dir
from library.store import Store
from player.backend import NullBackend
from player.engine import PlayerEngine
from ui.app import setup_logging
from ui.main_window import MainWindow
from ui.workers import run_in_background


def test_worker_exception_logged_and_shown_once(qtbot, tmp_path):
    log_file = setup_logging()
    try:
        w = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
        qtbot.addWidget(w)
        w.show()
        shown = []
        w.statusBar().messageChanged.connect(lambda m: shown.append(m) if m else None)

        def boom(_report):
            raise ValueError("the disk said no")

        failures = []

        def on_error(message, tb):
            failures.append(message)
            w.report_worker_error(message, tb)

        for _ in range(3):
            run_in_background(boom, on_error=on_error, name="rescan")
        qtbot.waitUntil(lambda: len(failures) == 3, timeout=5000)
        assert sum("the disk said no" in m for m in shown) == 1, shown
        for h in logging.getLogger().handlers:
            h.flush()
        text = Path(log_file).read_text(encoding="utf-8")
        assert "Traceback" in text and "ValueError: the disk said no" in text
        assert stat.S_IMODE(os.stat(log_file).st_mode) == 0o600
        assert os.path.dirname(log_file) == str(data_dir())
        # the app keeps running
        w.engine.play_path("/music/a.ogg")
        qtbot.waitUntil(lambda: w.engine.state == "playing", timeout=3000)
    finally:
        for h in list(logging.getLogger().handlers):
            if getattr(h, "baseFilename", None) == log_file:
                logging.getLogger().removeHandler(h)
                h.close()
