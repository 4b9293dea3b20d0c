"""The Playback menu's choosers: the equalizer presets, the sleep timer and the output device.

Each is a small QObject that fills its submenu, keeps one entry checked, and talks to the PlayerEngine (which
does the work: player/engine.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from player.engine import CUSTOM_EQ


class _ChoiceMenu(QObject):
    """A submenu of exclusive, checkable choices, the first checked; triggering one calls on_choose(key)."""

    def __init__(self, window: Any, menu: QMenu, choices: list[tuple[Any, str]],
                 on_choose: Callable[[Any], None]) -> None:
        super().__init__(window)
        self.window = window
        self.engine = window.engine
        self.menu = menu
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[Any, QAction] = {}
        for key, label in choices:
            a = QAction(label, self, checkable=True)
            a.triggered.connect(lambda _checked=False, k=key: on_choose(k))
            self.group.addAction(a)
            menu.addAction(a)
            self.actions[key] = a
        self.actions[choices[0][0]].setChecked(True)


class EqualizerMenu(_ChoiceMenu):
    """Off, the backend's presets, then Custom… (your own curve: ui/equalizer_dialog.py); the one in use is
    checked. Without an equalizer the menu says so, disabled."""

    def __init__(self, window: Any, menu: QMenu) -> None:
        presets = window.engine.equalizer_presets()
        choices = [(None, "Off"), *((name, name) for name in presets)]
        if window.engine.equalizer_bands():
            choices.append((CUSTOM_EQ, "Custom…"))
        super().__init__(window, menu, choices, self.choose)
        if CUSTOM_EQ in self.actions:
            menu.insertSeparator(self.actions[CUSTOM_EQ])
        if not presets:
            menu.setEnabled(False)
            menu.setToolTip("This playback backend has no equalizer")

    def choose(self, preset: str | None, quiet: bool = False) -> None:
        """Use a preset (None: off); a refused one leaves the last one in use, and checked. Custom opens the
        dialog of your own curve."""
        if preset == CUSTOM_EQ:
            from ui.equalizer_dialog import open_equalizer

            open_equalizer(self.window)
        elif self.engine.set_equalizer(preset):
            if preset is not None and not quiet:
                self.window.show_message(f"Equalizer: {preset}")
        else:
            self.window.show_message(f"The equalizer preset {preset} could not be used")
        self.show_in_use()

    def show_in_use(self) -> None:
        """Check the entry of the equalizer in use."""
        current = self.actions.get(self.engine.equalizer)
        if current is not None:
            current.setChecked(True)


class SleepTimerMenu(_ChoiceMenu):
    """Off, or pause the music in 15-90 minutes; the menu's title says when."""

    MINUTES = (15, 30, 45, 60, 90)
    TITLE = "Sleep &timer"

    def __init__(self, window: Any, menu: QMenu) -> None:
        super().__init__(window, menu, [(0, "Off"), *((m, f"In {m} minutes") for m in self.MINUTES)], self.choose)
        self.engine.sleep_changed.connect(self._changed)

    def choose(self, minutes: int) -> None:
        """Pause the music in `minutes` (fading out over its last seconds); 0 turns the timer off."""
        if minutes <= 0:
            self.engine.cancel_sleep_timer()
            self.window.show_message("Sleep timer off")
            return
        self.engine.start_sleep_timer(minutes * 60.0)
        self.actions[minutes].setChecked(True)
        self.window.show_message(f"Sleep timer: the music fades out and pauses at {self.clock()}")

    def clock(self) -> str:
        """The time of day the timer pauses the music ("" when it is off)."""
        left = self.engine.sleep_left()
        return time.strftime("%H:%M", time.localtime(time.time() + left)) if left is not None else ""

    def _changed(self) -> None:
        on = self.engine.sleep_left() is not None
        self.menu.setTitle(f"Sleep timer (pauses at {self.clock()})" if on else self.TITLE)
        if not on:
            self.actions[0].setChecked(True)


class OutputDeviceMenu(QObject):
    """Where the sound goes: the system's default, or one of the devices the audio output lists (a sound server's
    sinks: speakers, headphones, HDMI, a USB headset). The list is read again each time the menu opens, since
    devices come and go. The choice (`wanted`) is kept across restarts; while its device is not connected the
    sound goes to the default, the menu shows the device as not connected, and it is used again from the first
    track that starts once it is back."""

    TITLE = "&Output device"
    # ALSA's "discard all samples" (silence, no place for music) and its "default" (what System default is)
    HIDDEN = frozenset({"null", "default"})

    def __init__(self, window: Any, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.engine = window.engine
        self.menu = menu
        self.wanted: str | None = None
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.actions: dict[str | None, QAction] = {}
        menu.aboutToShow.connect(self.rebuild)
        self.engine.track_changed.connect(self._track_started)
        self.rebuild()

    def devices(self) -> list[tuple[str, str]]:
        return [(d, text) for d, text in self.engine.output_devices() if d not in self.HIDDEN]

    def rebuild(self) -> None:
        for a in self.group.actions():
            self.group.removeAction(a)
        self.menu.clear()
        self.actions = {}
        devices = self.devices()
        choices: list[tuple[str | None, str]] = [(None, "System default"), *devices]
        for key, label in choices:
            a = QAction(label.replace("&", "&&"), self, checkable=True)
            a.triggered.connect(lambda _checked=False, k=key: self.choose(k))
            self.group.addAction(a)
            self.menu.addAction(a)
            self.actions[key] = a
        if self.wanted is not None and self.wanted not in self.actions:
            a = QAction(f"{self.wanted} (not connected)".replace("&", "&&"), self, checkable=True)
            a.setEnabled(False)
            self.group.addAction(a)
            self.menu.addAction(a)
            self.actions[self.wanted] = a
        self.actions[self.wanted].setChecked(True)
        if not devices:
            self.menu.setToolTip("This audio output lists no devices: the sound goes to the system's default")
        else:
            self.menu.setToolTip("")

    def _label(self, device: str | None) -> str:
        if device is None:
            return "the system's default output"
        return dict(self.devices()).get(device, device)

    def choose(self, device: str | None) -> None:
        """Send the sound to a device now (None: the default), and keep that choice."""
        if self.engine.set_output_device(device):
            self.wanted = device
            self.window.show_message(f"Sound goes to {self._label(device)}")
        else:
            self.window.show_message(f"{self._label(device)} is not connected any more: the sound stays where it was")
        self.rebuild()

    def restore(self, device: str | None) -> None:
        """At start: the kept choice. A device that is not connected waits; the sound goes to the default."""
        self.wanted = device if isinstance(device, str) and device else None
        if self.wanted is not None and not self.engine.set_output_device(self.wanted):
            self.window.show_message(f"Your output device {self.wanted} is not connected: the sound goes to the "
                                     "system's default until it is")
        self.rebuild()

    def _track_started(self, path: str) -> None:
        if (path and self.wanted is not None and self.engine.output_device() != self.wanted
                and self.engine.set_output_device(self.wanted)):  # it is back
            self.window.show_message(f"Sound goes to {self._label(self.wanted)} again")
