"""The hands-free session: full screen, camera on, the queue following the face; leaving pauses the music."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from emotion.mood_space import QUADRANT_NAMES, quadrant


class HandsFreeSession(QObject):
    ended = Signal()

    def __init__(self, window, camera_source: int | str = 0, leave_timeout_s: float = 10.0) -> None:
        super().__init__(window)
        from ui.session_view import SessionView

        self.window = window
        self.view = SessionView(camera_source=camera_source, leave_timeout_s=leave_timeout_s)
        self.paused_by_session = False
        e = window.engine
        self.view.listener_left.connect(self._left)
        self.view.listener_returned.connect(self._returned)
        self.view.exit_requested.connect(self.stop)
        if getattr(window, "mood", None) is not None:
            self.view.observation.connect(window.mood.observe)
            window.mood.mood_changed.connect(self._mood)
        e.track_changed.connect(self._now_playing)
        e.queue_changed.connect(self._up_next)
        window.queue_model.modelReset.connect(self._up_next)

    def start(self, full_screen: bool = True) -> None:
        self._now_playing(self.window.engine.current or "")
        self._up_next()
        self.view.start_session(full_screen=full_screen)
        if self.window.engine.current is None and len(self.window.engine.queue) == 0:
            self.window.top_up_queue()
        engine = self.window.engine
        if engine.is_pausing():  # pressed pause a moment ago: play on
            engine.resume()
        elif engine.state != "playing":
            engine.play_pause()

    def stop(self) -> None:
        self.view.stop_session()
        self.view.close()
        self.window.show()
        self.window.activateWindow()
        self.ended.emit()

    def _left(self) -> None:
        if self.window.engine.state == "playing":
            self.window.engine.pause()
            self.paused_by_session = True
            self.window.show_message("You left: paused until you are back")

    def _returned(self) -> None:
        if self.paused_by_session:
            self.paused_by_session = False
            self.window.engine.resume()

    def _now_playing(self, path: str) -> None:
        t = self.window.library.track_for(path) if path else None
        self.view.set_now_playing((t or {}).get("title", "") if path else "", (t or {}).get("artist", ""))

    def _up_next(self) -> None:
        lib = self.window.library
        items = []
        for item in self.window.engine.queue.items[:8]:
            t = lib.track_for(item.path) or {}
            items.append(f"{t.get('title') or item.path.rsplit('/', 1)[-1]} — {t.get('artist') or ''}".rstrip(" —"))
        self.view.set_up_next(items)

    def _mood(self, valence: float, arousal: float, _spread: float, confidence: float) -> None:
        if confidence > 0:
            self.view.set_mood(valence, arousal, QUADRANT_NAMES[quadrant(valence, arousal)])
