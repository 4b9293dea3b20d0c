"""Playback → Equalizer → Custom…: ten bands and a preamp, each -20..+20 dB, heard as you move them.

    open_equalizer(window)   # the dialog (non-modal); OK keeps the curve, Cancel puts back what was in use

It starts from your own curve when you made one, else from the preset in use (else flat); "Start from" loads a
preset's curve to adjust. One dialog at a time: Custom… again brings it to the front. The engine applies the curve
(player/engine.py set_custom_equalizer) and the window saves it with its state; a curve still being tried when the
window closes is not kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from player.engine import CUSTOM_EQ, EQ_LIMIT_DB

STEPS_PER_DB = 10  # the sliders move in 0.1 dB


def band_label(hz: float) -> str:
    """31 Hz, 250 Hz, 1 kHz, 16 kHz."""
    return f"{hz / 1000:g} kHz" if hz >= 1000 else f"{hz:.0f} Hz"


def db_label(db: float) -> str:
    return f"{db:+.1f} dB" if abs(db) >= 0.05 else "0 dB"


class EqualizerDialog(QDialog):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setWindowTitle("Equalizer")
        self.window_ = window
        self.engine = window.engine
        self.before: tuple[str | None, tuple[float, list[float]] | None] = (self.engine.equalizer,
                                                                            self.engine.custom_eq)
        self.bands = self.engine.equalizer_bands()
        preamp, amps = self._start_values()
        self.start_from = QComboBox()
        self.start_from.addItem("a preset…", None)
        for name in self.engine.equalizer_presets():
            self.start_from.addItem(name, name)
        self.start_from.activated.connect(self._load_preset)
        top = QHBoxLayout()
        top.addWidget(QLabel("Start from"))
        top.addWidget(self.start_from)
        top.addStretch(1)
        grid = QGridLayout()
        self.sliders: list[QSlider] = []
        self.values: list[QLabel] = []
        for col, name in enumerate(["Preamp", *(band_label(hz) for hz in self.bands)]):
            value = QLabel()
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            slider = QSlider(Qt.Orientation.Vertical)
            slider.setRange(-int(EQ_LIMIT_DB * STEPS_PER_DB), int(EQ_LIMIT_DB * STEPS_PER_DB))
            slider.setPageStep(STEPS_PER_DB)
            slider.setMinimumHeight(160)
            slider.setToolTip(f"{name}: -{EQ_LIMIT_DB:g} to +{EQ_LIMIT_DB:g} dB")
            caption = QLabel(name)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(value, 0, col)
            grid.addWidget(slider, 1, col, Qt.AlignmentFlag.AlignHCenter)
            grid.addWidget(caption, 2, col)
            self.sliders.append(slider)
            self.values.append(value)
        grid.setColumnMinimumWidth(0, 64)
        self._set_sliders(preamp, amps)
        for slider in self.sliders:
            slider.valueChanged.connect(self._changed)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.flat = buttons.addButton("Flat", QDialogButtonBox.ButtonRole.ResetRole)
        self.flat.clicked.connect(lambda: self._apply_values(0.0, [0.0] * len(self.bands)))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        body = QWidget()
        body.setLayout(grid)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(body)
        layout.addWidget(buttons)
        self._changed()

    def _start_values(self) -> tuple[float, list[float]]:
        if self.engine.custom_eq is not None:  # your curve, also after trying a preset
            preamp, amps = self.engine.custom_eq
            return preamp, list(amps)
        if self.engine.equalizer:
            values = self.engine.equalizer_values(self.engine.equalizer)
            if values is not None:
                return values
        return 0.0, [0.0] * len(self.bands)

    def curve(self) -> tuple[float, list[float]]:
        """(preamp, band gains) in dB as the sliders stand."""
        db = [s.value() / STEPS_PER_DB for s in self.sliders]
        return db[0], db[1:]

    def _set_sliders(self, preamp: float, amps: Sequence[float]) -> None:
        for slider, db in zip(self.sliders, [preamp, *amps]):
            slider.blockSignals(True)
            slider.setValue(round(db * STEPS_PER_DB))
            slider.blockSignals(False)

    def _apply_values(self, preamp: float, amps: Sequence[float]) -> None:
        self._set_sliders(preamp, amps)
        self._changed()

    def _load_preset(self, index: int) -> None:
        name = self.start_from.itemData(index)
        values = self.engine.equalizer_values(name) if name else None
        if values is not None:
            self._apply_values(*values)

    def _changed(self, _value: int = 0) -> None:
        preamp, amps = self.curve()
        for label, db in zip(self.values, [preamp, *amps]):
            label.setText(db_label(db))
        if not self.engine.set_custom_equalizer(preamp, amps):
            self.window_.show_message("The equalizer could not be set")
        self.window_.equalizer.show_in_use()

    def reject(self) -> None:
        """Put back what was in use before the dialog opened (unless a preset was picked from the menu meanwhile:
        that one stays)."""
        preset, custom = self.before
        if self.engine.equalizer == CUSTOM_EQ and self.engine.custom_eq == self.curve():
            if preset == CUSTOM_EQ and custom is not None:
                self.engine.set_custom_equalizer(*custom)
            elif self.engine.set_equalizer(preset):
                self.engine.custom_eq = custom  # the curve you tried is not kept either
        self.window_.equalizer.show_in_use()
        super().reject()


def _closed(window: Any) -> None:
    window.equalizer_dialog = None  # (the dialog deletes itself)
    window.equalizer.show_in_use()


def open_equalizer(window: Any) -> EqualizerDialog:
    """The Custom… dialog; the one already open comes to the front."""
    dialog = getattr(window, "equalizer_dialog", None)
    if dialog is not None and dialog.isVisible():
        dialog.raise_()
        dialog.activateWindow()
        return dialog
    dialog = EqualizerDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.finished.connect(lambda _result: _closed(window))
    window.equalizer_dialog = dialog
    dialog.show()
    return dialog
