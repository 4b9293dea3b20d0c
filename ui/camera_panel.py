"""Camera panel: turn the face reader on/off, see the preview, the seven expression bars and the mood.

The panel owns a ``FaceReader`` (emotion/face_reader.py). The reader calls back from its own thread; the
callbacks only emit Qt signals (queued to the GUI thread), and widgets are touched only in the slots.
The camera is off until the user presses Start; a red "Camera on" indicator shows while it runs.
Preview frames live in memory only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from emotion.mood_space import FACE_CLASSES, QUADRANT_NAMES, Observation, quadrant

PREVIEW_W, PREVIEW_H = 320, 240


def mood_words(valence: float, arousal: float, category: str = "") -> str:
    q = quadrant(valence, arousal)
    base = f"{category} · " if category and category != QUADRANT_NAMES[q] else ""
    return f"{base}{QUADRANT_NAMES[q]} (valence {valence:+.2f}, arousal {arousal:+.2f})"


class CameraPanel(QWidget):
    """Start/stop, camera-on indicator, hideable preview with face box, probability bars, smoothed mood."""

    observation = Signal(object)  # smoothed Observation(source="face")
    presence_changed = Signal(bool)
    error = Signal(str)
    running_changed = Signal(bool)

    # reader thread -> GUI thread
    _sig_observation = Signal(object)
    _sig_presence = Signal(bool)
    _sig_frame = Signal(object)
    _sig_error = Signal(str)

    def __init__(self, source: int | str = 0, fps: float = 15.0, presence_timeout_s: float = 3.0,
                 parent: QWidget | None = None, reader_factory: Callable[..., Any] | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.fps = fps
        self.presence_timeout_s = presence_timeout_s
        self._reader_factory = reader_factory
        self.reader: Any = None
        self.last_observation: Observation | None = None

        self.button = QPushButton("Start camera")
        self.button.setCheckable(True)
        self.button.toggled.connect(self._on_toggled)
        self.indicator = QLabel()
        self.indicator.setObjectName("cameraIndicator")
        self.preview_box = QCheckBox("Show preview")
        self.preview_box.setChecked(True)
        self.preview_box.toggled.connect(self._on_preview_toggled)
        top = QHBoxLayout()
        top.addWidget(self.button)
        top.addWidget(self.indicator)
        top.addStretch(1)
        top.addWidget(self.preview_box)

        self.preview = QLabel("camera off")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(PREVIEW_W // 2, PREVIEW_H // 2)
        self.preview.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.preview.setStyleSheet("background:#222; color:#aaa;")

        grid = QGridLayout()
        self.bars: dict[str, QProgressBar] = {}
        for row, name in enumerate(FACE_CLASSES):
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setValue(0)
            bar.setFormat("%p %")
            grid.addWidget(QLabel(name), row, 0)
            grid.addWidget(bar, row, 1)
            self.bars[name] = bar

        self.mood_label = QLabel("mood: —")
        self.mood_label.setWordWrap(True)
        self.presence_label = QLabel("")
        self.error_label = QLabel("")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color:#c0392b;")
        self.error_label.hide()

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.preview)
        lay.addLayout(grid)
        lay.addWidget(self.mood_label)
        lay.addWidget(self.presence_label)
        lay.addWidget(self.error_label)
        lay.addStretch(1)

        self._sig_observation.connect(self._on_observation, Qt.ConnectionType.QueuedConnection)
        self._sig_presence.connect(self._on_presence, Qt.ConnectionType.QueuedConnection)
        self._sig_frame.connect(self._on_frame, Qt.ConnectionType.QueuedConnection)
        self._sig_error.connect(self._on_error, Qt.ConnectionType.QueuedConnection)
        self._set_indicator(False)

    # ------------------------------------------------------------------ public
    @property
    def is_running(self) -> bool:
        return bool(self.reader is not None and self.reader.is_running)

    def start(self) -> None:
        if not self.button.isChecked():
            self.button.setChecked(True)  # -> _on_toggled(True)
        elif not self.is_running:
            self._start_reader()

    def stop(self) -> None:
        if self.button.isChecked():
            self.button.setChecked(False)  # -> _on_toggled(False)
        else:
            self._stop_reader()

    def set_source(self, source: int | str) -> None:
        self.source = source

    def closeEvent(self, event: Any) -> None:
        self._stop_reader()
        super().closeEvent(event)

    # ------------------------------------------------------------------ reader
    def _make_reader(self) -> Any:
        kwargs = dict(source=self.source, fps=self.fps, on_observation=self._sig_observation.emit,
                      on_presence=self._sig_presence.emit, on_frame=self._sig_frame.emit,
                      on_error=self._sig_error.emit, presence_timeout_s=self.presence_timeout_s)
        if self._reader_factory is not None:
            return self._reader_factory(**kwargs)
        from emotion.face_reader import FaceReader

        return FaceReader(**kwargs)

    def _start_reader(self) -> None:
        self.error_label.hide()
        self.error_label.setText("")
        self.reader = self._make_reader()
        self.reader.start()
        self._set_indicator(True)
        self.running_changed.emit(True)

    def _stop_reader(self) -> None:
        if self.reader is not None:
            self.reader.stop()
            self.reader = None
        self._set_indicator(False)
        self.preview.clear()
        self.preview.setText("camera off")
        self.running_changed.emit(False)

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        self.button.setText("Stop camera" if on else "Start camera")
        if on:
            self._start_reader()
        else:
            self._stop_reader()

    def _set_indicator(self, on: bool) -> None:
        if on:
            self.indicator.setText("● Camera on")
            self.indicator.setStyleSheet("color:white; background:#c0392b; padding:2px 6px; border-radius:4px;")
            self.indicator.setToolTip("The camera is in use. Frames stay in memory and are never saved.")
        else:
            self.indicator.setText("○ Camera off")
            self.indicator.setStyleSheet("color:#777; padding:2px 6px;")
            self.indicator.setToolTip("The camera is off.")

    # ------------------------------------------------------------------ slots (GUI thread)
    @Slot(object)
    def _on_observation(self, obs: Observation) -> None:
        self.last_observation = obs
        for name, bar in self.bars.items():
            bar.setValue(int(round(100 * float(obs.probabilities.get(name, 0.0)))))
        self.mood_label.setText(f"mood: {mood_words(obs.valence, obs.arousal, obs.category)}"
                                f" · confidence {obs.confidence:.2f}")
        self.observation.emit(obs)

    @Slot(bool)
    def _on_presence(self, present: bool) -> None:
        self.presence_label.setText("face in view" if present else "no face in view")
        self.presence_changed.emit(present)

    @Slot(object)
    def _on_frame(self, frame: Any) -> None:
        if not self.preview_box.isChecked() or not self.is_running:
            return
        img = frame.image
        h, w = img.shape[:2]
        qimg = QImage(img.data, w, h, int(img.strides[0]), QImage.Format.Format_RGB888).copy()
        pix = QPixmap.fromImage(qimg)
        if frame.box is not None:
            p = QPainter(pix)
            p.setPen(QPen(QColor("#2ecc71"), 2))
            x, y, bw, bh = frame.box
            p.drawRect(x, y, bw, bh)
            if frame.raw is not None:
                p.drawText(x, max(12, y - 4), frame.raw.category)
            p.end()
        self.preview.setPixmap(pix.scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))

    @Slot(str)
    def _on_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()
        self.button.blockSignals(True)
        self.button.setChecked(False)
        self.button.setText("Start camera")
        self.button.blockSignals(False)
        self._stop_reader()
        self.error.emit(message)

    @Slot(bool)
    def _on_preview_toggled(self, show: bool) -> None:
        self.preview.setVisible(show)
        if not show:
            self.preview.clear()
