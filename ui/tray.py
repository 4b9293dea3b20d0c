"""The system tray icon: play/pause, next, show/hide, quit; the tooltip shows the track and the current mood.

    Tray(window)    # a no-op (tray.icon is None) when QSystemTrayIcon.isSystemTrayAvailable() is False

Closing the window keeps playing in the tray when the close-to-tray setting is on: the lead's
MainWindow.closeEvent asks `tray.should_hide_on_close()` (see the report for the wiring).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QStyle, QSystemTrayIcon

log = logging.getLogger(__name__)

QUADRANT_WORDS = {"Q1": "happy / excited", "Q2": "tense / angry", "Q3": "sad / tired", "Q4": "calm / tender"}


def app_icon() -> QIcon:
    """The Moodtape icon (PNG and SVG from resources/icons), or a stock icon when they are missing."""
    from library.paths import resources_dir

    icons = resources_dir() / "icons"
    icon = QIcon()
    for name in ("moodtape.png", "moodtape.svg"):
        if (icons / name).exists():
            icon.addFile(str(icons / name))
    if icon.isNull():
        app = QApplication.instance()
        if isinstance(app, QApplication):
            icon = app.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
    return icon


def mood_words(valence: float, arousal: float) -> str:
    from emotion.mood_space import quadrant

    q = quadrant(valence, arousal)
    return f"{QUADRANT_WORDS.get(q, q)} (valence {valence:+.2f}, arousal {arousal:+.2f})"


class Tray(QObject):
    def __init__(self, window: Any, close_to_tray: bool | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.engine = window.engine
        self.icon: QSystemTrayIcon | None = None
        self.mood_text = ""
        if close_to_tray is None:
            from library import settings

            close_to_tray = settings.load().close_to_tray
        self.close_to_tray = bool(close_to_tray)
        if not QSystemTrayIcon.isSystemTrayAvailable():
            log.info("tray: no system tray here; the tray icon is off")
            return
        self.icon = QSystemTrayIcon(app_icon(), self)
        menu = QMenu(window)
        self.act_play = QAction("Play", menu)
        self.act_play.triggered.connect(self.engine.play_pause)
        self.act_next = QAction("Next", menu)
        self.act_next.triggered.connect(self.engine.next)
        self.act_show = QAction("Hide Moodtape", menu)
        self.act_show.triggered.connect(self.toggle_window)
        self.act_quit = QAction("Quit", menu)
        self.act_quit.triggered.connect(self.quit)
        for act in (self.act_play, self.act_next):
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.act_show)
        menu.addAction(self.act_quit)
        self.menu = menu
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._activated)
        self.engine.state_changed.connect(self._state)
        self.engine.track_changed.connect(self._update)
        mood = getattr(window, "mood", None)
        if mood is not None and hasattr(mood, "mood_changed"):
            mood.mood_changed.connect(self._mood)
        self._state(self.engine.state)
        self.icon.show()

    @property
    def available(self) -> bool:
        return self.icon is not None

    def should_hide_on_close(self) -> bool:
        """True when closing the window should only hide it (playing on in the tray)."""
        return self.available and self.close_to_tray

    @Slot(str)
    def _state(self, state: str) -> None:
        if self.icon is None:
            return
        self.act_play.setText("Pause" if state == "playing" else "Play")
        self._update()

    @Slot(float, float, float, float)
    def _mood(self, valence: float, arousal: float, _spread: float = 0.0, _confidence: float = 0.0) -> None:
        self.mood_text = mood_words(valence, arousal)
        self._update()

    @Slot()
    def _update(self, *_args: object) -> None:
        if self.icon is None:
            return
        lines = ["Moodtape"]
        path = self.engine.current
        if path:
            t = {}
            try:
                t = self.window.library.track_for(path) or {}
            except Exception:
                t = {}
            title = t.get("title") or path.rsplit("/", 1)[-1]
            who = f" — {t['artist']}" if t.get("artist") else ""
            state = {"playing": "Playing", "paused": "Paused"}.get(self.engine.state, "Stopped")
            lines.append(f"{state}: {title}{who}")
        if self.mood_text:
            lines.append(f"Mood: {self.mood_text}")
        self.icon.setToolTip("\n".join(lines))

    def tooltip(self) -> str:
        return self.icon.toolTip() if self.icon is not None else ""

    @Slot(QSystemTrayIcon.ActivationReason)
    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.toggle_window()
        elif reason == QSystemTrayIcon.ActivationReason.MiddleClick:
            self.engine.play_pause()

    @Slot()
    def toggle_window(self) -> None:
        if self.window.isVisible() and not self.window.isMinimized():
            self.window.hide()
            if self.icon is not None:
                self.act_show.setText("Show Moodtape")
        else:
            self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()
            if self.icon is not None:
                self.act_show.setText("Hide Moodtape")

    @Slot()
    def quit(self) -> None:
        self.close_to_tray = False  # let closeEvent really close
        self.window.close()
        QApplication.quit()


__all__ = ["Tray", "app_icon", "mood_words"]
