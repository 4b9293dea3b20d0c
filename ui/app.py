"""Building and running the GUI: logging, the store, the playback backend, the main window, the demo library."""

from __future__ import annotations

import logging
import os
import sys
from logging.handlers import RotatingFileHandler

from PySide6.QtWidgets import QApplication, QMessageBox

from library.paths import data_dir
from library.store import Store, StoreCorrupt, default_path
from player.backend import NullBackend
from player.engine import PlayerEngine

log = logging.getLogger("moodtape")


def setup_logging() -> str:
    """Log to moodtape.log in the user data dir (user-only permissions), once per process."""
    path = data_dir() / "moodtape.log"
    root = logging.getLogger()
    if any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        return str(path)
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=2, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass

    def excepthook(exc_type, exc, tb):
        log.error("unhandled exception", exc_info=(exc_type, exc, tb))

    sys.excepthook = excepthook
    return str(path)


def make_backend(audio_output: str | None = None):
    """libVLC when it is there; otherwise the null backend and a message saying why."""
    audio_output = audio_output or os.environ.get("MOODTAPE_AUDIO_OUTPUT") or None
    try:
        from player.vlc_backend import VlcBackend

        return VlcBackend(audio_output=audio_output), None
    except Exception as exc:
        return NullBackend(), f"Playback is off: {exc}"


def build_window(store: Store | None = None, backend=None, auto_tag: bool = True,
                 camera_source: int | str | None = None, mood: bool = True, desktop: bool = True):
    """The main window with its mood docks and desktop integration (settings, tray, MPRIS).

    `camera_source` (the --camera flag) overrides the camera device of the settings for this run."""
    from ui.main_window import MainWindow

    store = store or Store()
    message = None
    if backend is None:
        backend, message = make_backend()
    engine = PlayerEngine(backend)
    window = MainWindow(store, engine, auto_tag=auto_tag)
    if mood:
        from ui.mood_docks import install_mood_features

        install_mood_features(window, camera_source=0 if camera_source is None else camera_source)
        window.restore_layout()  # now with the docks
    if desktop:
        from ui.desktop import install_desktop

        install_desktop(window, camera_override=camera_source)
        if not auto_tag:
            window.auto_tag = False
    if message:
        window.show_message(message)
    if store.recovered:
        window.show_message(store.recovered)
    return window


def start_demo_library(window) -> None:
    """Generate the demo library in the background (first run only), then scan it."""
    from library import demo
    from ui.workers import run_in_background

    if demo.is_complete():
        window.add_folder(str(demo.demo_dir()))
        return
    window.show_message("Composing the demo library (first run only)…")
    window.scan_bar.setRange(0, demo.PIECES_PER_QUADRANT * 4)
    window.scan_bar.setFormat("Composing demo %v/%m")
    window.scan_bar.show()

    def progress(item) -> None:
        window.scan_bar.setValue(item[0])

    def done(folder) -> None:
        window.scan_bar.setFormat("Scanning %v/%m")
        window.add_folder(str(folder))

    def failed(message: str, _tb: str) -> None:
        window.scan_bar.hide()
        window.show_message(f"Could not make the demo library: {message}")

    run_in_background(lambda report: demo.generate(progress=lambda d, n: report((d, n))), on_done=done,
                      on_progress=progress, on_error=failed, name="demo library")


def run(args) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Moodtape")
    app.setOrganizationName("Moodtape")
    setup_logging()
    from library.open_targets import absolute_args
    from ui.single_instance import InstanceServer, StoreInUse, bring_to_front, claim_library, server_addresses

    opened = absolute_args(getattr(args, "paths", None) or [])
    request = {"library": [os.path.abspath(f) for f in (args.library or [])],
               "session": bool(getattr(args, "session", False)), "open": opened}
    try:
        lock = claim_library(default_path(), request)
    except StoreInUse as exc:
        QMessageBox.critical(None, "Moodtape", str(exc))
        return 2
    if lock is None:
        print("Moodtape is already running: its window was brought to the front.", file=sys.stderr)
        return 0
    try:
        store = Store()
    except StoreCorrupt as exc:
        QMessageBox.critical(None, "Moodtape", str(exc))
        return 2
    camera = args.camera
    if isinstance(camera, str) and camera.isdigit():
        camera = int(camera)
    window = build_window(store, camera_source=camera)
    window.store_lock = lock  # held until the process ends
    window.instance_server = InstanceServer(server_addresses(default_path())[0], lambda r: bring_to_front(window, r),
                                            window)
    window.instance_server.listen()
    window.show()
    if os.environ.get("MOODTAPE_EXIT_AFTER_SHOW"):  # start-up benchmark: report when the window is up, then quit
        import time

        from PySide6.QtCore import QTimer

        def report() -> None:
            print(f"MOODTAPE_SHOWN {time.time():.6f} tracks={window.library.rowCount()}", flush=True)
            app.quit()

        QTimer.singleShot(0, report)
        return app.exec()
    from PySide6.QtCore import QTimer

    from ui.desktop import show_welcome

    QTimer.singleShot(0, lambda: show_welcome(window))
    if getattr(args, "session", False) and hasattr(window, "start_session"):
        window.start_session()
    folders = [os.path.abspath(f) for f in (args.library or [])]
    for f in folders:
        window.add_folder(f)
    if not folders:
        known = window.library_folders()
        window.scan(*known)  # incremental: picks up what changed while the app was closed
        if window.library_files():
            window.scan_files(window.library_files())
        if not known and not window.library_files() and not opened and not getattr(args, "no_demo", False):
            start_demo_library(window)
    if opened:
        from ui.open_files import open_paths

        open_paths(window, opened)
    return app.exec()
