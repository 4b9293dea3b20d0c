"""Hands-free session view: full screen, camera on, current mood, now playing and what comes next.

``SessionView`` holds a ``CameraPanel`` (preview hidden by default, the camera-on indicator always
visible) and turns its presence into ``listener_left`` (no face for ``leave_timeout_s``) and
``listener_returned`` (a face again after having left). The lead wires these to the player (pause /
resume) and feeds ``set_now_playing``, ``set_up_next`` and ``set_mood``. Esc emits ``exit_requested``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from emotion.mood_space import Observation
from ui.camera_panel import CameraPanel, mood_words


class SessionView(QWidget):
    """Full-screen hands-free view; see the module doc."""

    listener_left = Signal()
    listener_returned = Signal()
    exit_requested = Signal()
    observation = Signal(object)  # forwarded from the camera panel

    def __init__(self, camera_source: int | str = 0, leave_timeout_s: float = 10.0,
                 camera_panel: CameraPanel | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Moodtape — hands-free session")
        self.leave_timeout_s = leave_timeout_s
        self.listener_away = False
        self.camera = camera_panel or CameraPanel(source=camera_source, presence_timeout_s=2.0)
        self.camera.preview_box.setChecked(False)

        big = QFont()
        big.setPointSize(28)
        mid = QFont()
        mid.setPointSize(18)

        self.camera_state = QLabel("○ Camera off")
        self.camera_state.setFont(mid)
        self.mood_label = QLabel("mood: —")
        self.mood_label.setFont(big)
        self.mood_label.setWordWrap(True)
        self.title_label = QLabel("—")
        self.title_label.setFont(big)
        self.artist_label = QLabel("")
        self.artist_label.setFont(mid)
        self.away_label = QLabel("")
        self.away_label.setFont(mid)
        self.up_next = QListWidget()
        self.up_next.setFont(mid)
        self.up_next.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.exit_button = QPushButton("Leave session (Esc)")
        self.exit_button.clicked.connect(self.exit_requested.emit)

        head = QHBoxLayout()
        head.addWidget(self.camera_state)
        head.addStretch(1)
        head.addWidget(self.exit_button)
        left = QVBoxLayout()
        left.addWidget(QLabel("Now playing"))
        left.addWidget(self.title_label)
        left.addWidget(self.artist_label)
        left.addSpacing(24)
        left.addWidget(self.mood_label)
        left.addWidget(self.away_label)
        left.addStretch(1)
        left.addWidget(QLabel("Up next"))
        left.addWidget(self.up_next, 2)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addWidget(self.camera, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addLayout(body, 1)

        self._leave_timer = QTimer(self)
        self._leave_timer.setSingleShot(True)
        self._leave_timer.timeout.connect(self._on_leave_timeout)
        self.camera.presence_changed.connect(self.on_presence)
        self.camera.observation.connect(self._on_observation)
        self.camera.running_changed.connect(self._on_camera_running)
        self.camera.error.connect(self._on_camera_error)

    # ------------------------------------------------------------------ public slots
    def start_session(self, full_screen: bool = True) -> None:
        """Show (full screen by default) and turn the camera on."""
        if full_screen:
            self.showFullScreen()
        else:
            self.show()
        self.camera.start()

    def stop_session(self) -> None:
        self._leave_timer.stop()
        self.camera.stop()

    @Slot(str, str)
    def set_now_playing(self, title: str, artist: str) -> None:
        self.title_label.setText(title or "—")
        self.artist_label.setText(artist or "")

    @Slot(list)
    def set_up_next(self, items: list[str]) -> None:
        self.up_next.clear()
        self.up_next.addItems([str(s) for s in items])

    @Slot(float, float, str)
    def set_mood(self, valence: float, arousal: float, label: str) -> None:
        self.mood_label.setText(f"mood: {mood_words(valence, arousal, label)}")

    @Slot(bool)
    def on_presence(self, present: bool) -> None:
        """Presence from the reader: start the leave timer when the face goes, cancel it when it comes back."""
        if present:
            self._leave_timer.stop()
            self.away_label.setText("")
            if self.listener_away:
                self.listener_away = False
                self.listener_returned.emit()
        elif not self.listener_away and not self._leave_timer.isActive():
            self._leave_timer.start(int(self.leave_timeout_s * 1000))

    # ------------------------------------------------------------------ internals
    @Slot()
    def _on_leave_timeout(self) -> None:
        if not self.listener_away:
            self.listener_away = True
            self.away_label.setText("listener away — paused")
            self.listener_left.emit()

    @Slot(object)
    def _on_observation(self, obs: Observation) -> None:
        self.set_mood(obs.valence, obs.arousal, obs.category)
        self.observation.emit(obs)

    @Slot(bool)
    def _on_camera_running(self, on: bool) -> None:
        self.camera_state.setText("● Camera on" if on else "○ Camera off")
        self.camera_state.setStyleSheet("color:#c0392b;" if on else "color:#777;")

    @Slot(str)
    def _on_camera_error(self, message: str) -> None:
        self._leave_timer.stop()
        self.away_label.setText(message)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.exit_requested.emit()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: Any) -> None:
        self.stop_session()
        super().closeEvent(event)
