"""PlayerEngine: the QObject facade over a playback backend and the play queue.

Backend events arrive on any thread (libVLC's own); they are re-emitted through a queued signal and handled on
the thread that owns the engine (the GUI thread), so libVLC is never called from inside its own callback.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from player.backend import Backend
from player.queue import PlayQueue

MAX_CONSECUTIVE_ERRORS = 5
MAX_LEVELLING_CUT_DB = 24.0  # a gain tag asking for a deeper cut than this is taken as this
PAUSE_FADE_S = 0.25  # the music fades out over this long before a pause, and in after it
CUSTOM_EQ = "Custom"  # PlayerEngine.equalizer when the listener's own curve is in use
EQ_LIMIT_DB = 20.0  # each band and the preamp: -20..+20 dB (libVLC's range)
CROSSFADE_MIN_MS = 500  # a shorter crossfade is not worth it (and the track's "ended" may be on its way)


def crossfade_levels(t: float) -> tuple[float, float]:
    """Volume factors (incoming, outgoing) at the fraction t (0-1) of a crossfade: an equal-power fade (the two
    amplitudes are sin and cos of t x 90 degrees, so the sum of their powers stays constant), turned into libVLC's
    cubic volume (see levelled_volume)."""
    t = max(0.0, min(1.0, t))
    return math.sin(math.pi / 2 * t) ** (1.0 / 3.0), math.cos(math.pi / 2 * t) ** (1.0 / 3.0)


def levelled_volume(volume: int, gain_db: float | None, peak: float | None) -> int:
    """The backend volume (0-100, 100 = the file as it is) for the listener's volume and a track's ReplayGain.
    A negative gain turns a loud track down; a positive one turns a quiet track up, but never past 100 (no
    amplification, so nothing clips) nor past what its peak allows.

    libVLC's volume is cubic (its software mixer and PulseAudio both play volume v as amplitude (v / 100) ** 3), so
    an amplitude factor f moves the volume by f ** (1 / 3)."""
    if gain_db is None:
        return volume
    factor = 10.0 ** (max(-MAX_LEVELLING_CUT_DB, gain_db) / 20.0)
    if peak is not None and peak > 0:
        factor = min(factor, max(1.0, 1.0 / peak))
    return max(0, min(100, round(volume * factor ** (1.0 / 3.0))))


class PlayerEngine(QObject):
    state_changed = Signal(str)  # "playing" | "paused" | "stopped"
    position_changed = Signal(int, int)  # position ms, length ms
    # Paths travel as Python objects: a non-UTF-8 file name would not survive a QString.
    track_changed = Signal(object)  # path ("" when nothing is current)
    queue_changed = Signal()
    queue_low = Signal()  # the automatic part should be refilled
    message = Signal(str)  # something the listener should read (a skipped file, ...)
    modes_changed = Signal()  # repeat_track or stop_after_current changed
    sleep_changed = Signal()  # the sleep timer was set, cancelled, or ran out
    track_finished = Signal(object, float, bool)  # path, fraction played, skipped (True) or played to the end
    _backend_event = Signal(str, object, int)  # kind, value, the start it was sent under (see _on_backend_event)

    LOW_WATER = 3
    FADE_S = 10.0  # the sleep timer fades the music out over this long before it pauses

    def __init__(self, backend: Backend, queue: PlayQueue | None = None,
                 problem_sink: Callable[[str, str], None] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.queue = queue or PlayQueue()
        self.problem_sink = problem_sink
        self.state = "stopped"
        self.volume = 80
        self._errors_in_a_row = 0
        self.repeat_track = False  # at its end the track starts again (until turned off)
        self.stop_after_current = False  # at the end of this track, stop with the next one loaded (once)
        self.levelling = True  # apply the playing track's ReplayGain (volume levelling)
        self.equalizer: str | None = None  # the equalizer preset in use, CUSTOM_EQ, or None (off)
        self.custom_eq: tuple[float, list[float]] | None = None  # the listener's own curve: preamp, band gains (dB)
        self.gain_for: Callable[[str], tuple[float | None, float | None]] | None = None  # path -> (gain dB, peak)
        self._gain: tuple[float | None, float | None] = (None, None)
        self.sleep_at: float | None = None  # time.monotonic() when the sleep timer pauses the music
        self._fade = 1.0  # 1 -> 0 over the sleep timer's last FADE_S seconds
        self._pause_when_playing = False
        self.pause_fade_s = PAUSE_FADE_S  # fade out before a pause and in after it (0: cut at once)
        self._soft = 1.0  # the pause fade: 1 -> 0 before a pause, 0 -> 1 after it
        self._soft_to = 1.0  # where it is going
        self._soft_tick = QTimer(self)
        self._soft_tick.setInterval(20)
        self._soft_tick.timeout.connect(self._soft_step)
        self._sleep_tick = QTimer(self)
        self._sleep_tick.setInterval(250)
        self._sleep_tick.timeout.connect(self._sleep_step)
        self.crossfade_s = 0.0  # the next track fades in over the last seconds of this one (0: off)
        # (from, to) -> False where two tracks should join as they are (an album in order, a video); None: always
        self.crossfade_ok: Callable[[str, str], bool] | None = None
        self._xin = 1.0  # the incoming track's volume factor during a crossfade
        self._xfade_at = 0.0  # time.monotonic() when the crossfade began
        self._xfade_len = 0.0  # its length in seconds
        self._xfade_gain: tuple[float | None, float | None] = (None, None)  # the outgoing track's levelling
        self._xfade_declined: tuple[str, str] | None = None  # these two tracks join as they are (asked once)
        self._await_switch = False  # events of the track fading out may still be on their way (see crossfade)
        self._xfade_tick = QTimer(self)
        self._xfade_tick.setInterval(40)
        self._xfade_tick.timeout.connect(self._crossfade_step)
        self._seen = (-1, 0.0)  # the backend's last new position reading, and when it came (see _estimate)
        self._length = 0
        self._started_at = 0.0
        self._starts = 0  # counts the tracks started: an event sent under an earlier start is not this one's
        self._backend_event.connect(self._handle_event, Qt.ConnectionType.QueuedConnection)
        backend.on_event = self._on_backend_event
        self._tick = QTimer(self)
        self._tick.setInterval(200)
        self._tick.timeout.connect(self._poll_position)
        self.backend.set_volume(self.volume)

    # ----- commands (GUI thread)
    @property
    def current(self) -> str | None:
        return self.queue.current

    def play_path(self, path: str, start_ms: int = 0, paused: bool = False) -> None:
        """Make `path` current and play it (the queue stays as it is)."""
        self._finish_current(skipped=True)
        self.queue.play_now(path)
        self._start(path, start_ms, paused)

    def restore(self, path: str, start_ms: int) -> None:
        """Load the track that was current at the last exit, paused at its position."""
        self.queue.current = path
        self._start(path, start_ms, paused=True)

    def _start(self, path: str, start_ms: int = 0, paused: bool = False, keep_fade: bool = False) -> None:
        """Load and play `path` (or load it paused). keep_fade: a crossfade in progress goes on, the outgoing
        track fading out and this one rising in its place (the incoming one could not be played)."""
        if not keep_fade:
            self._stop_crossfade()
        self._soft_tick.stop()  # a track the listener asks for plays, also in the middle of a pause's fade
        self._soft = self._soft_to = 1.0
        self._starts += 1
        self.backend.load(path)
        self._became_current(path)
        if paused:
            self._pending_seek = start_ms
            self.state = "paused"
            self.state_changed.emit("paused")
            self.position_changed.emit(start_ms, 0)
            return
        self.backend.play()
        if start_ms > 0:
            self.backend.seek(start_ms)
        self._tick.start()
        self._check_low()

    def _became_current(self, path: str) -> None:
        """What follows a new current track, however it started: its volume, and the signals."""
        self._length = 0
        self._seen = (-1, 0.0)
        self._xfade_declined = None
        self._gain = self._track_gain(path)
        self._unfade()
        self._apply_volume()
        self.track_changed.emit(path)
        self.queue_changed.emit()
        self._started_at = time.monotonic()

    def play_pause(self) -> None:
        if self.state == "playing":
            if self.is_pausing():  # pressed again while it fades out: play on
                self._fade_to(1.0)
            else:
                self.pause()
        elif self.queue.current is not None:
            pending = getattr(self, "_pending_seek", 0)
            self._unfade()
            if self.pause_fade_s > 0:  # from silence up to the listener's volume
                self._soft = 0.0
                self._fade_to(1.0)
            else:
                self._soft = self._soft_to = 1.0
            self._apply_volume()
            self.backend.play()
            if pending:
                self.backend.seek(pending)
                self._pending_seek = 0
            self._tick.start()
        else:
            self.next()

    def pause(self) -> None:
        """Pause, after fading out over pause_fade_s (at once when that is 0 or the music is silent already)."""
        if self.state != "playing":
            return
        self._stop_crossfade()
        if self.pause_fade_s <= 0 or self.backend_volume() == 0:
            self._soft_tick.stop()
            self.backend.pause()
            return
        self._fade_to(0.0)

    def is_pausing(self) -> bool:
        """Fading out for a pause (the state is still "playing" until the fade ends)."""
        return self._soft_to == 0.0 and self._soft_tick.isActive()

    def _fade_to(self, soft: float) -> None:
        self._soft_to = soft
        if self._soft != soft:
            self._soft_tick.start()

    def _soft_step(self) -> None:
        step = self._soft_tick.interval() / 1000.0 / max(self.pause_fade_s, 1e-3)
        if self._soft_to > self._soft:
            self._soft = min(self._soft_to, self._soft + step)
        else:
            self._soft = max(self._soft_to, self._soft - step)
        self._apply_volume()
        if self._soft == self._soft_to:
            self._soft_tick.stop()
            if self._soft_to == 0.0 and self.state == "playing":
                self.backend.pause()  # silent now; it stays silent until the music plays again

    def resume(self) -> None:
        if self.is_pausing():  # asked to play while it fades out for a pause: play on
            self._fade_to(1.0)
        elif self.state != "playing" and self.queue.current is not None:
            self.play_pause()

    def stop(self) -> None:
        self._soft_tick.stop()
        self._stop_crossfade()
        self.backend.stop()
        self._tick.stop()

    def next(self) -> None:
        self._finish_current(skipped=True)
        self._advance()

    def drop_current(self) -> None:
        """The current track is gone from the library (moved to the trash, say): go on to the next one, playing if
        this one played, else loaded paused."""
        if self.queue.current is None:
            return
        gone = self.queue.current
        playing = self.state == "playing" and not self.is_pausing()
        self._advance(paused=not playing)  # no "finished" for it: it is no skip
        self.queue.history = [p for p in self.queue.history if p != gone]  # nor anything Previous goes back to

    def previous(self) -> None:
        if self.state == "playing" and self.backend.position() > 3000:
            self.backend.seek(0)
            return
        prev = self.queue.back()
        if prev is not None:
            self._start(prev)

    def play_queue_row(self, row: int) -> None:
        self._finish_current(skipped=True)
        path = self.queue.take_at(row)
        if path is not None:
            self._start(path)

    def seek(self, ms: int) -> None:
        self._stop_crossfade()
        if self.state == "paused" and getattr(self, "_pending_seek", 0):
            self._pending_seek = ms
        self.backend.seek(ms)
        self.position_changed.emit(ms, self._length or self.backend.length())

    def seek_relative(self, delta_ms: int) -> None:
        self.seek(max(0, self.position() + delta_ms))

    def position(self) -> int:
        pending = getattr(self, "_pending_seek", 0)
        return pending if pending else self.backend.position()

    def set_volume(self, volume: int) -> None:
        self.volume = max(0, min(100, int(volume)))
        self._apply_volume()

    def equalizer_presets(self) -> list[str]:
        try:
            return list(self.backend.equalizer_presets())
        except Exception:  # a backend without an equalizer
            return []

    def set_equalizer(self, preset: str | None) -> bool:
        """Use an equalizer preset (None: off). Returns False, and keeps the last one, when it cannot be used."""
        try:
            ok = bool(self.backend.set_equalizer(preset))
        except Exception:
            ok = False
        if ok:
            self.equalizer = preset
        return ok

    def equalizer_bands(self) -> list[float]:
        """The equalizer's band centres in Hz ([] without an equalizer)."""
        try:
            return [float(hz) for hz in self.backend.equalizer_bands()]
        except Exception:
            return []

    def equalizer_values(self, preset: str) -> tuple[float, list[float]] | None:
        """A preset's curve (preamp, band gains in dB), to start a custom one from."""
        try:
            return self.backend.equalizer_values(preset)
        except Exception:
            return None

    def set_custom_equalizer(self, preamp: float, amps: Sequence[float]) -> bool:
        """Use the listener's own curve (each value clamped to +-EQ_LIMIT_DB). False, and the last setting kept,
        when it cannot be used (a damaged curve: wrong band count, not numbers)."""
        def clamp(x: object) -> float:
            v = float(x)  # type: ignore[arg-type]
            if v != v:
                raise ValueError("NaN")
            return max(-EQ_LIMIT_DB, min(EQ_LIMIT_DB, v))

        try:
            curve = (clamp(preamp), [clamp(a) for a in amps])
            if len(curve[1]) != len(self.equalizer_bands()) or not curve[1]:
                return False
            ok = bool(self.backend.set_equalizer_values(*curve))
        except Exception:
            return False
        if ok:
            self.equalizer, self.custom_eq = CUSTOM_EQ, curve
        return ok

    def output_devices(self) -> list[tuple[str, str]]:
        """Where the sound can go: (device id, description), as the backend lists them now ([] when it cannot)."""
        try:
            return list(self.backend.output_devices())
        except Exception:
            return []

    def output_device(self) -> str | None:
        """The output device chosen (None: the system's default)."""
        try:
            return self.backend.output_device()
        except Exception:
            return None

    def set_output_device(self, device: str | None) -> bool:
        """Send the sound to a device (None: the system's default). False, with nothing changed, when the device
        is not there."""
        try:
            return bool(self.backend.set_output_device(device))
        except Exception:
            return False

    def set_levelling(self, on: bool) -> None:
        self.levelling = bool(on)
        self._apply_volume()

    def backend_volume(self) -> int:
        """What the backend plays at: the listener's volume, levelled for the current track (and faded while the
        sleep timer runs out, and around a pause)."""
        volume = self._levelled(self._gain)
        factor = self._fade * self._soft * self._xin
        return round(volume * factor) if factor < 1.0 else volume

    # ----- sleep timer
    def start_sleep_timer(self, seconds: float) -> None:
        """Pause the music `seconds` from now, fading it out over the last FADE_S seconds."""
        self.sleep_at = time.monotonic() + max(0.0, float(seconds))
        self._fade = 1.0
        self._apply_volume()
        self._sleep_tick.start()
        self.sleep_changed.emit()

    def cancel_sleep_timer(self) -> None:
        if self.sleep_at is None:
            return
        self.sleep_at = None
        self._sleep_tick.stop()
        self._fade = 1.0
        self._apply_volume()
        self.sleep_changed.emit()

    def _unfade(self) -> bool:
        """After the sleep timer ran out, the next play is at the listener's volume again. True if it changed."""
        if self.sleep_at is None and self._fade < 1.0:
            self._fade = 1.0
            self._pause_when_playing = False  # the listener plays on
            return True
        return False

    def sleep_left(self) -> float | None:
        """Seconds until the sleep timer pauses the music, or None when it is off."""
        return None if self.sleep_at is None else max(0.0, self.sleep_at - time.monotonic())

    def _sleep_step(self) -> None:
        left = self.sleep_left()
        if left is None:
            self._sleep_tick.stop()
            return
        if left > 0:
            fade = min(1.0, left / self.FADE_S)
            if abs(fade - self._fade) > 1e-3:
                self._fade = fade
                self._apply_volume()
            return
        self._fade = 0.0
        self._apply_volume()
        if self.state == "playing":
            self.pause()  # silent: the fade stays at 0 until the music plays again (libVLC pauses asynchronously)
        elif self.queue.current is not None:
            self._pause_when_playing = True  # between two tracks: the next one pauses as soon as it starts
        self.sleep_at = None
        self._sleep_tick.stop()
        self.message.emit("Sleep timer: the music is paused")
        self.sleep_changed.emit()

    def _apply_volume(self) -> None:
        self.backend.set_volume(self.backend_volume())

    def _track_gain(self, path: str) -> tuple[float | None, float | None]:
        if self.gain_for is None:
            return None, None
        try:
            return self.gain_for(path)
        except Exception:  # a lookup problem must never stop playback
            return None, None

    def set_repeat_track(self, on: bool) -> None:
        if bool(on) != self.repeat_track:
            self.repeat_track = bool(on)
            self.modes_changed.emit()

    def set_stop_after_current(self, on: bool) -> None:
        if bool(on) != self.stop_after_current:
            self.stop_after_current = bool(on)
            self.modes_changed.emit()

    def shutdown(self) -> None:
        self._tick.stop()
        self._soft_tick.stop()
        self._xfade_tick.stop()
        self.backend.on_event = None
        self.backend.release()

    # ----- internals
    def _advance(self, paused: bool = False, keep_fade: bool = False) -> None:
        path = self.queue.take_next()
        if path is None:
            self._stop_crossfade()
            self.backend.stop()
            self._tick.stop()
            self.queue.current = None
            self.track_changed.emit("")
            self.queue_changed.emit()
            self.queue_low.emit()
            return
        self._start(path, paused=paused, keep_fade=keep_fade and not paused)
        if paused:
            self._check_low()  # the paused start skips it: the planner still refills behind the waiting track

    def _finish_current(self, skipped: bool) -> None:
        path = self.queue.current
        if path is None or self.state == "stopped" and not skipped:
            return
        length = self._length or self.backend.length()
        pos = self.backend.position()
        fraction = 1.0 if not skipped else (pos / length if length > 0 else 0.0)
        if self.state != "stopped" or not skipped:
            self.track_finished.emit(path, float(max(0.0, min(1.0, fraction))), skipped)

    def _check_low(self) -> None:
        if len(self.queue) < self.LOW_WATER:
            self.queue_low.emit()

    def _on_backend_event(self, kind: str, value: object) -> None:
        """Any thread. The event reaches _handle_event later, on the GUI thread: a track's "ended" or "length" sent
        just before the listener started another one must not be taken as the new one's."""
        self._backend_event.emit(kind, value, self._starts)

    @Slot(str, object, int)
    def _handle_event(self, kind: str, value: object, starts: int | None = None) -> None:
        if starts is not None and starts != self._starts:
            return  # sent for the track played before the one started since
        if self._await_switch:  # sent by the track now fading out, before the backend switched: not this track's
            self._await_switch = kind != "switched"
            return
        if kind == "switched":
            return
        if kind == "playing":
            self._errors_in_a_row = 0
            self._set_state("playing")
            if self._pause_when_playing and self._fade < 1.0:  # the sleep timer ran out while it was starting
                self._pause_when_playing = False
                self.backend.pause()
        elif kind == "paused":
            self._set_state("paused")
        elif kind == "stopped":
            self._set_state("stopped")
        elif kind == "length":
            self._length = int(value or 0)
        elif kind == "ended" and self._length <= 0 and time.monotonic() - self._started_at < 0.5:
            # libVLC "ends" junk it cannot decode at once, without ever reporting a length.
            self._handle_event("error", f"no playable audio in {self.queue.current}")
        elif kind == "ended":
            waiting = self.is_pausing()  # it ended while fading out for a pause: the next one waits
            self._finish_current(skipped=False)
            self._set_state("stopped")
            if self.repeat_track and self.queue.current is not None:
                self._start(self.queue.current, paused=waiting)
            elif self.stop_after_current:
                self.set_stop_after_current(False)
                self._advance(paused=True)
                self._set_state("stopped")  # stopped, with the next track loaded: Play starts it
            else:
                self._advance(paused=waiting)
        elif kind == "error":
            path = self.queue.current or ""
            reason = str(value or "could not play")
            self.message.emit(f"Skipped {path.rsplit('/', 1)[-1]}: it could not be played")
            if self.problem_sink is not None and path:
                self.problem_sink(path, reason)
            self._errors_in_a_row += 1
            waiting = self.is_pausing()
            self._set_state("stopped")
            if self._errors_in_a_row < MAX_CONSECUTIVE_ERRORS:
                self._advance(paused=waiting, keep_fade=self.is_crossfading())
            else:
                self.message.emit("Stopped: several tracks in a row could not be played")
                self._errors_in_a_row = 0

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
        if state != "playing":
            self._tick.stop()
            self._seen = (-1, 0.0)  # (the clock stood still: no estimate runs on from before)
        elif not self._tick.isActive():  # (a stop reported late, after the next start, stopped it)
            self._tick.start()

    def _poll_position(self) -> None:
        length = self._length or self.backend.length()
        pos = self.backend.position()
        self.position_changed.emit(pos, length)
        if self.crossfade_s > 0:
            self._maybe_crossfade(self._estimate(pos), length)

    # ----- crossfade
    def is_crossfading(self) -> bool:
        return self._xfade_tick.isActive()

    def _estimate(self, pos: int) -> int:
        """The position now, from the backend's last new reading and the time since: libVLC 3 moves its clock in
        steps (up to a second apart for some files), too coarse to start a fade on time."""
        now = time.monotonic()
        if pos != self._seen[0]:
            self._seen = (pos, now)
            return pos
        return pos + int(min(1.1, now - self._seen[1]) * 1000)

    def _maybe_crossfade(self, pos: int, length: int) -> None:
        """Start the next track when this one is crossfade_s from the end of what it can still fade (the backend's
        fade_tail_ms before its end), unless it should end as it is: a short track, repeat or stop-after, a sleep
        timer about to pause, a pause's fade, or two tracks that join (see crossfade_ok)."""
        fade_ms = self.crossfade_s * 1000.0
        left = length - pos - self.backend.fade_tail_ms  # what the fade can have
        if (self.state != "playing" or self.is_crossfading() or self.is_pausing() or length < 3 * fade_ms
                or not CROSSFADE_MIN_MS <= left <= fade_ms or self.repeat_track or self.stop_after_current
                or self._fade < 1.0 or not self.queue.items or self.queue.current is None
                or self._xfade_declined == (self.queue.current, self.queue.items[0].path)):
            return
        left_s = self.sleep_left()
        if left_s is not None and left_s < self.FADE_S + self.crossfade_s:
            return
        current, nxt = self.queue.current, self.queue.items[0].path
        try:
            ok = self.crossfade_ok is None or bool(self.crossfade_ok(current, nxt))
        except Exception:  # a lookup problem: play the tracks as they are
            ok = False
        gain = self._gain
        self._await_switch = True  # until the backend's "switched" arrives, events are the outgoing track's
        if not ok or not self.backend.crossfade(nxt):
            self._await_switch = False
            self._xfade_declined = (current, nxt)
            return
        self._finish_current(skipped=False)
        self.queue.take_next()
        self._xin = 0.0
        self._xfade_at, self._xfade_len, self._xfade_gain = time.monotonic(), left / 1000.0, gain
        self._became_current(nxt)
        self._xfade_tick.start()
        self._check_low()

    def _crossfade_step(self) -> None:
        t = (time.monotonic() - self._xfade_at) / max(self._xfade_len, 1e-3)
        if t >= 1.0:
            self._stop_crossfade()
            return
        self._xin, out = crossfade_levels(t)
        self._apply_volume()
        self.backend.set_fading_volume(self._outgoing_volume(out))

    def _outgoing_volume(self, factor: float) -> int:
        """The track fading out plays at the listener's volume now (moved during the fade, or the sleep timer's
        fade), levelled by its own gain, times the fade-out's factor."""
        return round(self._levelled(self._xfade_gain) * self._fade * factor)

    def _levelled(self, gain: tuple[float | None, float | None]) -> int:
        """The listener's volume, levelled by a track's gain (gain dB, peak) when levelling is on."""
        return levelled_volume(self.volume, *gain) if self.levelling else self.volume

    def _stop_crossfade(self) -> None:
        """End a crossfade now: the outgoing track stops, the incoming one goes on from the level it has reached
        (rising the rest of the way as after a pause, so nothing jumps)."""
        if not self.is_crossfading():
            return
        self._xfade_tick.stop()
        self.backend.set_fading_volume(0)  # (its last step may have left it faintly audible)
        self.backend.stop_fading()
        self._soft *= self._xin
        self._xin = 1.0
        self._fade_to(1.0)
