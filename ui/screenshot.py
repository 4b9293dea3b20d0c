"""Start the main window on a library, wait for the scan, play the first track, and save a screenshot.

python -m ui.screenshot --library DIR --out shot.png [--wait 4] [--tab queue|library|problems]
Run it under xvfb-run for a real X server (offscreen works too, without window decorations).
"""

from __future__ import annotations

import argparse
import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--library", action="append", default=[])
    p.add_argument("--out", required=True)
    p.add_argument("--wait", type=float, default=4.0)
    p.add_argument("--size", default="1280x800")
    p.add_argument("--play", action="store_true", help="start playing the first library row")
    p.add_argument("--tab", default="library")
    args = p.parse_args(argv)
    os.environ.setdefault("MOODTAPE_AUDIO_OUTPUT", "dummy")
    from library.store import default_path
    from library.store_lock import hold_or_say_why

    lock = hold_or_say_why(default_path())  # it scans into the user's library: not while a player has it open
    if lock is None:
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from ui.app import build_window

    window = build_window()
    w, h = (int(x) for x in args.size.split("x"))
    window.resize(w, h)
    window.show()
    for folder in args.library:
        window.add_folder(folder)

    def act() -> None:
        if args.play and window.filter.rowCount():
            window.engine.play_path(window.filter.path_at(0))
        if args.tab == "problems":
            window.tabs.setCurrentIndex(1)
        window.top_up_queue()

    def shoot() -> None:
        screen = app.primaryScreen()
        pixmap = screen.grabWindow(int(window.winId())) if os.environ.get("DISPLAY") else window.grab()
        if pixmap.isNull() or pixmap.width() < 10:
            pixmap = window.grab()
        pixmap.save(args.out)
        window.close()
        app.quit()

    QTimer.singleShot(int(args.wait * 500), act)
    QTimer.singleShot(int(args.wait * 1000), shoot)
    app.exec()
    lock.release()
    return 0 if os.path.exists(args.out) else 1


if __name__ == "__main__":
    sys.exit(main())
