"""The playback backend interface, and a null backend that plays nothing (tests, no libVLC).

A backend reports what happens through one callback, `on_event(kind, value)`, which may be called from any
thread (libVLC calls it from its own). Kinds: "playing", "paused", "stopped", "ended", "error" (value: message),
"length" (value: ms). During a crossfade (`crossfade(path)`: the next track starts while the current one plays on,
fading) the backend sends "switched" as the new track takes over; the track fading out sends nothing after it
(what it sent before may still be on its way to the caller, who drops it). The caller must not call back into the
backend from inside on_event; the Qt facade (player.engine) turns events into queued signals and acts on the GUI
thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

EventCallback = Callable[[str, object], None]


class Backend(Protocol):
    name: str
    fade_tail_ms: int  # a crossfade's fade-out ends this long before the track does (see VlcBackend)
    on_event: EventCallback | None

    def load(self, path: str) -> None: ...
    def play(self) -> None: ...
    def pause(self) -> None: ...
    def stop(self) -> None: ...
    def seek(self, ms: int) -> None: ...
    def position(self) -> int: ...
    def length(self) -> int: ...
    def set_volume(self, volume: int) -> None: ...
    def crossfade(self, path: str) -> bool: ...
    def set_fading_volume(self, volume: int) -> None: ...
    def stop_fading(self) -> None: ...
    def equalizer_presets(self) -> list[str]: ...
    def set_equalizer(self, preset: str | None) -> bool: ...
    def equalizer_bands(self) -> list[float]: ...
    def equalizer_values(self, preset: str) -> tuple[float, list[float]] | None: ...
    def set_equalizer_values(self, preamp: float, amps: Sequence[float]) -> bool: ...
    def output_devices(self) -> list[tuple[str, str]]: ...
    def output_device(self) -> str | None: ...
    def set_output_device(self, device: str | None) -> bool: ...
    def is_playing(self) -> bool: ...
    def set_video_window(self, win_id: int | None) -> None: ...
    def release(self) -> None: ...


class NullBackend:
    """Pretends to play: a clock runs while "playing", and the track ends after its length.

    `length_ms` is the length reported for every loaded file; `fail_paths` makes chosen files fail to play.
    """

    name = "null"
    fade_tail_ms = 0  # how long before its end a track stops answering volume changes (nothing is buffered here)
    PRESETS = ("Flat", "Rock", "Soft")  # stands in for a real backend's list
    BANDS = (31.25, 62.5, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0, 16000.0)  # Hz, as libVLC's
    DEVICES = (("speakers", "Built-in Audio Analog Stereo"), ("usb-headset", "USB Headset"))  # a sound server's

    def __init__(self, length_ms: int = 3000, speed: float = 1.0) -> None:
        self.on_event: EventCallback | None = None
        self.length_ms = length_ms
        self.speed = speed
        self.fail_paths: set[str] = set()
        self.path: str | None = None
        self.volume = 100
        self.equalizer: str | None = None
        self.equalizer_curve: tuple[float, list[float]] | None = None  # a custom curve in use (preamp, amps)
        self.devices: list[tuple[str, str]] = list(self.DEVICES)  # tests plug and unplug devices here
        self.device: str | None = None  # the output device chosen (None: the system's default)
        self.fading: str | None = None  # the track fading out during a crossfade (it plays on, unheard by tests)
        self.fading_volume = 0
        self._pos = 0.0
        self._since: float | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def _emit(self, kind: str, value: object = None) -> None:
        if self.on_event is not None:
            self.on_event(kind, value)

    def load(self, path: str) -> None:
        self._halt()  # (a track fading out plays on, as on a second player)
        self.path = path
        self._pos = 0.0

    def _now_pos(self) -> float:
        if self._since is None:
            return self._pos
        return self._pos + (time.monotonic() - self._since) * 1000.0 * self.speed

    def _arm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        remaining = max(0.0, (self.length_ms - self._now_pos()) / 1000.0 / self.speed)
        self._timer = threading.Timer(remaining, self._end)
        self._timer.daemon = True
        self._timer.start()

    def _end(self) -> None:
        with self._lock:
            if self._since is None:
                return
            self._pos = float(self.length_ms)
            self._since = None
        self._emit("ended")

    def play(self) -> None:
        if self.path is None:
            return
        if self.path in self.fail_paths:
            self._emit("error", f"cannot play {self.path}")
            return
        with self._lock:
            if self._since is None:
                self._since = time.monotonic()
            self._arm()
        self._emit("length", self.length_ms)
        self._emit("playing")

    def pause(self) -> None:
        with self._lock:
            if self._since is not None:
                self._pos = self._now_pos()
                self._since = None
                if self._timer is not None:
                    self._timer.cancel()
        self._emit("paused")

    def crossfade(self, path: str) -> bool:
        """Start `path` at volume 0 while the current track plays on as the fading one (its end is not reported)."""
        if self.path is None or not self.is_playing():
            return False
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self.fading, self.fading_volume = self.path, self.volume
            self.path, self._pos, self._since, self.volume = path, 0.0, None, 0
        self._emit("switched")
        self.play()
        return True

    def set_fading_volume(self, volume: int) -> None:
        self.fading_volume = max(0, min(100, int(volume)))

    def stop_fading(self) -> None:
        self.fading = None

    def stop(self) -> None:
        self.fading = None
        self._halt()

    def _halt(self) -> None:
        with self._lock:
            self._since = None
            self._pos = 0.0
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if self.path is not None:
            self._emit("stopped")

    def seek(self, ms: int) -> None:
        with self._lock:
            running = self._since is not None
            self._pos = float(max(0, min(ms, self.length_ms)))
            if running:
                self._since = time.monotonic()
                self._arm()

    def position(self) -> int:
        return int(min(self._now_pos(), self.length_ms))

    def length(self) -> int:
        return self.length_ms if self.path else 0

    def output_devices(self) -> list[tuple[str, str]]:
        return list(self.devices)

    def output_device(self) -> str | None:
        return self.device

    def set_output_device(self, device: str | None) -> bool:
        if device is not None and device not in {d for d, _ in self.devices}:
            return False
        self.device = device
        return True

    def set_volume(self, volume: int) -> None:
        self.volume = max(0, min(100, int(volume)))

    def equalizer_presets(self) -> list[str]:
        return list(self.PRESETS)

    def set_equalizer(self, preset: str | None) -> bool:
        if preset is not None and preset not in self.PRESETS:
            return False
        self.equalizer = preset
        self.equalizer_curve = None
        return True

    def equalizer_bands(self) -> list[float]:
        return list(self.BANDS)

    def equalizer_values(self, preset: str) -> tuple[float, list[float]] | None:
        if preset not in self.PRESETS:
            return None
        i = self.PRESETS.index(preset)
        return float(i), [float(i * (b - 4)) for b in range(len(self.BANDS))]  # distinct curves to tell apart

    def set_equalizer_values(self, preamp: float, amps: Sequence[float]) -> bool:
        if len(amps) != len(self.BANDS):
            return False
        self.equalizer = None
        self.equalizer_curve = (float(preamp), [float(a) for a in amps])
        return True

    def is_playing(self) -> bool:
        return self._since is not None

    def set_video_window(self, win_id: int | None) -> None:
        pass

    def release(self) -> None:
        self.stop()
