"""Playback through libVLC (python-vlc).

libVLC calls event handlers on its own thread and is not re-entrant: the handlers here only forward the event
to `on_event`, never call libVLC. Audio goes to the default output; tests pass `audio_output="dummy"`.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Sequence

from player.backend import EventCallback


class VlcUnavailable(RuntimeError):
    """libVLC (or python-vlc) could not be loaded; the message says how to fix it."""


def _import_vlc():
    try:
        import vlc
    except (ImportError, OSError) as exc:
        raise VlcUnavailable(f"libVLC is not available ({exc}); install the Debian packages libvlc5 and "
                             "vlc-plugin-base") from exc
    return vlc


class VlcBackend:
    name = "vlc"
    # libVLC 3 hands a file's last second or so to the sound output in one go, and a volume change after that is
    # heard late or not at all (measured on PulseAudio with MP3, FLAC and AAC: the volume cut to 0 by a player
    # clock 1.0-1.4 s before the end was heard 0.2-0.9 s late or never, cut 1.8-2.4 s before, at once): a
    # crossfade's fade-out ends this long before the track's end, whose rest plays silent until it is stopped.
    fade_tail_ms = 2000
    NEAR_END_MS = 3000  # within this much of its end a track is stopped on a helper thread (see _stop_may_wait)

    def __init__(self, audio_output: str | None = None, video: bool = True) -> None:
        vlc = _import_vlc()
        self._vlc = vlc
        args = ["--quiet", "--intf=dummy", "--no-xlib"]
        if audio_output:
            args.append(f"--aout={audio_output}")
        if not video:
            args += ["--vout=dummy", "--no-video"]
        self._instance = vlc.Instance(args)
        if self._instance is None:
            raise VlcUnavailable("libVLC could not start (vlc.Instance returned None); are vlc-plugin-base "
                                 "and its plugins installed?")
        self.on_event: EventCallback | None = None
        self._volume = 100  # the volume asked for, for a player made later
        self._eq: tuple | None = None  # the equalizer setting, for a player made later: ("preset", i) / ("curve", ...)
        self._player = self._new_player()
        self._fading = None  # the player of the track fading out during a crossfade
        self._stopping: list[threading.Thread] = []  # players no longer current, being stopped and released
        self._default_device = self._device_in_use()  # what "the system's default" goes back to
        self._device: str | None = None  # the output device chosen (None: libVLC's default)
        # Modules that take a device for the outputs they open later ("alsa-audio-device" on the player).
        self._device_modules = [audio_output] if audio_output else ["alsa"]
        self._lock = threading.Lock()  # the device helper thread against release()
        self._known_devices: list[tuple[str, str]] = self._list_devices()  # (a fresh player has its output)
        self._released = False
        self.path: str | None = None
        self._win_id: int | None = None

    def _new_player(self):
        """A libVLC media player whose events are forwarded while it is the current one."""
        player = self._instance.media_player_new()
        em = player.event_manager()
        E = self._vlc.EventType
        handlers = {
            E.MediaPlayerPlaying: lambda e: ("playing", None),
            E.MediaPlayerPaused: lambda e: ("paused", None),
            E.MediaPlayerStopped: lambda e: ("stopped", None),
            E.MediaPlayerEndReached: lambda e: ("ended", None),
            E.MediaPlayerEncounteredError: lambda e: ("error", f"libVLC could not play {self.path}"),
            E.MediaPlayerLengthChanged: lambda e: ("length", int(e.u.new_length)),
        }
        for kind, read in handlers.items():
            em.event_attach(kind, lambda e, read=read, p=player: self._emit(*read(e), player=p))
        return player

    def _emit(self, kind: str, value: object = None, player: object = None) -> None:
        # Runs on a libVLC thread: forward only, never call libVLC from here. A track fading out is not heard of.
        cb = self.on_event
        if cb is not None and (player is None or player is self._player):
            cb(kind, value)

    def load(self, path: str) -> None:
        if self._stop_may_wait():  # (set_media stops what plays first)
            self._take_fresh_player()
        self._set_media(path)

    def _set_media(self, path: str) -> None:
        self.path = path
        media = self._instance.media_new_path(os.fsencode(path) if isinstance(path, str) else path)
        self._player.set_media(media)
        media.release()
        self._apply_window()

    def _stop_may_wait(self) -> bool:
        """Stopping the current player may keep the caller waiting (see _take_fresh_player): it has a sound-only
        track open within its last seconds (libVLC's clock moves in steps, and for Ogg it reads 0 over the last
        second), or where it cannot tell. Not for a video: the old player holds the video window until it has
        stopped, and libVLC's X11 embedding does not share a window in use (under Xvfb, where a stop in mid-track
        is quick, swapping players between videos worked; near the end it is not risked)."""
        player = self._player
        State = self._vlc.State
        if player.get_state() not in (State.Opening, State.Buffering, State.Playing, State.Paused):
            return False
        if player.has_vout():
            return False
        length, pos = player.get_length(), player.get_time()
        return length <= 0 or pos <= 0 or length - pos < self.NEAR_END_MS

    def _take_fresh_player(self) -> None:
        """Put a new player, with the volume, equalizer and output device, in the current one's place, and stop and
        release that one on a helper thread: within a track's last second or so (what libVLC 3 has handed to the
        sound output) its stop, and a set_media, which stops first, wait until that has played: 0.5-1.5 s
        measured on PulseAudio for Ogg, MP3 and FLAC, which the GUI thread must not. What was handed over still
        plays out meanwhile, as it did while the GUI waited."""
        self._retire(self._put_new_player(self._volume))

    def _put_new_player(self, volume: int):
        """Make a new player, with this volume and the equalizer and output device in use, the current one;
        returns the one it replaces (still playing)."""
        player = self._new_player()
        player.audio_set_volume(volume)
        self._apply_equalizer(player, self._eq)
        with self._lock:  # (the device helper thread uses the current player)
            old, self._player = self._player, player
        self._keep_device()
        return old

    def _apply_window(self) -> None:
        if self._win_id is None:
            return
        if sys.platform.startswith("linux"):
            self._player.set_xwindow(self._win_id)
        elif sys.platform == "win32":
            self._player.set_hwnd(self._win_id)
        elif sys.platform == "darwin":
            self._player.set_nsobject(self._win_id)

    def set_video_window(self, win_id: int | None) -> None:
        self._win_id = win_id
        self._apply_window()

    def play(self) -> None:
        device = self._device
        if device is not None:  # (see set_output_device)
            self._player.audio_output_device_set(None, device)
        if self._player.play() == -1:
            self._emit("error", f"libVLC could not start {self.path}")
            return
        if device is not None:  # and to the stream this start opens (libVLC's answers cannot tell when it is up)
            threading.Thread(target=self._insist_on_device, args=(device, self._player),
                             name="moodtape-audio-device", daemon=True).start()

    def _insist_on_device(self, device: str, player, settle: float = 0.4, seconds: float = 1.5) -> None:
        """Give the device to the stream a start opens, again and again for a moment (`settle` s, then until libVLC
        says it is in use): after a stop, a fresh output takes the device only once its stream is up (a few ms),
        and until then libVLC may answer with the last track's time and device. Runs on its own thread: libVLC
        may be called from any thread but its event handlers."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            with self._lock:
                if self._released or self._device != device or self._player is not player:
                    return  # (another device chosen since, or the track moved to another player)
                player.audio_output_device_set(None, device)
                if time.monotonic() - start >= settle and self._device_in_use() == device:
                    return
            time.sleep(0.005)

    def pause(self) -> None:
        self._player.set_pause(1)

    def resume(self) -> None:
        self._player.set_pause(0)

    def stop(self) -> None:
        """Stop, with the track still loaded (play starts it again from its beginning)."""
        self.stop_fading()
        if not self._stop_may_wait():
            self._player.stop()
            return
        self._take_fresh_player()
        if self.path is not None:
            self._set_media(self.path)
        self._emit("stopped")  # (the old player is not heard of any more)

    def crossfade(self, path: str) -> bool:
        """Start `path` on a new player at volume 0 while the current track plays on, fading (the engine turns
        the two volumes; set_fading_volume, stop_fading). From the switch on ("switched" is sent then) only the
        new player's events are forwarded. False, with nothing changed, unless the current track is playing."""
        if not self._player.is_playing():
            return False
        self.stop_fading()
        self._fading = self._put_new_player(0)
        self._emit("switched")
        self._set_media(path)
        self.play()  # (an error is reported; the engine goes on from it)
        return True

    def set_fading_volume(self, volume: int) -> None:
        if self._fading is not None:
            self._fading.audio_set_volume(int(max(0, min(100, volume))))

    def stop_fading(self) -> None:
        """Stop the track fading out, and release its player, on a helper thread: within its last second or two
        (what libVLC has handed to the sound output) a stop waits until that has played, 0.5-1.9 s measured on
        PulseAudio, which the GUI thread must not."""
        fading, self._fading = self._fading, None
        if fading is not None:
            self._retire(fading)

    def _retire(self, player) -> None:
        """Stop and release a player that is no longer the current one, on a helper thread (release() waits)."""
        self._stopping = [t for t in self._stopping if t.is_alive()]
        thread = threading.Thread(target=self._stop_and_release, args=(player,), name="moodtape-old-player",
                                  daemon=True)
        self._stopping.append(thread)
        thread.start()

    @staticmethod
    def _stop_and_release(player) -> None:
        player.stop()
        player.release()
        # python-vlc keeps every player's event manager in a class-level cache for good: let this one go.
        getattr(type(player).__dict__.get("event_manager"), "_cache", {}).pop(player, None)

    def seek(self, ms: int) -> None:
        self._player.set_time(int(max(0, ms)))

    def position(self) -> int:
        return max(0, int(self._player.get_time()))

    def length(self) -> int:
        return max(0, int(self._player.get_length()))

    def set_volume(self, volume: int) -> None:
        self._volume = int(max(0, min(100, volume)))
        self._player.audio_set_volume(self._volume)

    def equalizer_presets(self) -> list[str]:
        """libVLC's equalizer presets by name ("Flat", "Classical", ... "Techno")."""
        vlc = self._vlc
        names = []
        for i in range(vlc.libvlc_audio_equalizer_get_preset_count()):
            name = vlc.libvlc_audio_equalizer_get_preset_name(i)
            names.append(name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name))
        return names

    def set_equalizer(self, preset: str | None) -> bool:
        """Apply a preset to this and every later track (None: no equalizer). False when libVLC refuses."""
        if preset is None:
            setting: tuple | None = None
        elif preset in (presets := self.equalizer_presets()):
            setting = ("preset", presets.index(preset))
        else:
            return False
        return self._equalize_all(setting)

    def _equalize_all(self, setting: tuple | None) -> bool:
        """The setting on the current player, and on a track fading out (it may sound for a few seconds more)."""
        if not self._apply_equalizer(self._player, setting):
            return False
        if self._fading is not None:
            self._apply_equalizer(self._fading, setting)
        return True

    def _apply_equalizer(self, player, setting: tuple | None) -> bool:
        """Give a player an equalizer setting (None: off) and keep it as the one in use. False when libVLC refuses
        it."""
        vlc = self._vlc
        if setting is None:
            eq = None
        elif setting[0] == "preset":
            eq = vlc.libvlc_audio_equalizer_new_from_preset(setting[1])
        else:
            eq = self.new_equalizer(*setting[1:])
        if setting is not None and not eq:
            return False
        try:
            ok = player.set_equalizer(eq) == 0  # libVLC copies the settings
        finally:
            if eq:
                vlc.libvlc_audio_equalizer_release(eq)
        if ok:
            self._eq = setting
        return ok

    def equalizer_bands(self) -> list[float]:
        """The equalizer's band centres in Hz (libVLC 3: ten, 31.25 Hz to 16 kHz)."""
        vlc = self._vlc
        return [float(vlc.libvlc_audio_equalizer_get_band_frequency(i))
                for i in range(vlc.libvlc_audio_equalizer_get_band_count())]

    def equalizer_values(self, preset: str) -> tuple[float, list[float]] | None:
        """A preset's (preamp, band gains) in dB."""
        presets = self.equalizer_presets()
        if preset not in presets:
            return None
        vlc = self._vlc
        eq = vlc.libvlc_audio_equalizer_new_from_preset(presets.index(preset))
        if not eq:
            return None
        try:
            amps = [round(float(vlc.libvlc_audio_equalizer_get_amp_at_index(eq, i)), 2)
                    for i in range(vlc.libvlc_audio_equalizer_get_band_count())]
            return round(float(vlc.libvlc_audio_equalizer_get_preamp(eq)), 2), amps
        finally:
            vlc.libvlc_audio_equalizer_release(eq)

    def new_equalizer(self, preamp: float, amps: Sequence[float]):
        """A libVLC equalizer with this curve (the caller releases it), or None when libVLC refuses a value."""
        vlc = self._vlc
        if len(amps) != vlc.libvlc_audio_equalizer_get_band_count():
            return None
        eq = vlc.libvlc_audio_equalizer_new()
        if not eq:
            return None
        ok = vlc.libvlc_audio_equalizer_set_preamp(eq, float(preamp)) == 0
        for i, amp in enumerate(amps):
            ok = ok and vlc.libvlc_audio_equalizer_set_amp_at_index(eq, float(amp), i) == 0
        if not ok:
            vlc.libvlc_audio_equalizer_release(eq)
            return None
        return eq

    def set_equalizer_values(self, preamp: float, amps: Sequence[float]) -> bool:
        """Apply a custom curve to this and every later track. False when libVLC refuses it."""
        return self._equalize_all(("curve", float(preamp), [float(a) for a in amps]))

    def output_devices(self) -> list[tuple[str, str]]:
        """The audio output's devices as (id, description): a sound server's sinks, or ALSA's devices. Empty for
        outputs that have none (dummy). libVLC lists them only while the player has an output, which a stop
        closes: then the last list read is given."""
        devices = self._list_devices()
        if devices:
            self._known_devices = devices
        return devices or list(self._known_devices)

    def _list_devices(self) -> list[tuple[str, str]]:
        vlc = self._vlc
        out: list[tuple[str, str]] = []
        head = self._player.audio_output_device_enum()
        if not head:
            return out
        try:
            node = head
            while node:
                dev = node.contents
                if dev.device:
                    device = os.fsdecode(dev.device)
                    text = dev.description.decode("utf-8", "replace") if dev.description else device
                    out.append((device, " ".join(text.split()) or device))
                node = dev.next
        finally:
            vlc.libvlc_audio_output_device_list_release(head)
        return out

    def _device_in_use(self) -> str | None:
        device = self._player.audio_output_device_get()
        if device is None:
            return None
        return os.fsdecode(device) if isinstance(device, bytes) else str(device)

    def output_device(self) -> str | None:
        return self._device

    def set_output_device(self, device: str | None) -> bool:
        """Send the sound to a device (None: back to the default), now and for every later track. False when the
        output has no such device.

        libVLC 3 forgets the choice when the next track opens its stream (PulseAudio), or when it opens a new
        output (ALSA), so play() gives it again before each start, and for ALSA it is also kept on the player for
        the module. A sound server's default has no name in libVLC's list: it is read from the device in use
        before the first change; until something has played, going back to it takes effect from the next track."""
        if device is not None and device not in {d for d, _ in self.output_devices()}:
            return False
        if self._device is None:
            in_use = self._device_in_use()
            if in_use:
                self._default_device = in_use
        with self._lock:  # (a start's helper thread stops giving the last device)
            self._device = device
            target = self._keep_device()
            if target is not None:
                for player in (self._player, self._fading):
                    if player is not None:  # (a track fading out moves too)
                        player.audio_output_device_set(None, target)
        return True

    def _keep_device(self) -> str | None:
        """Keep the device to use (the one chosen, else the default) on the current player for the output modules
        that open later (see set_output_device); returns it."""
        target = self._device if self._device is not None else self._default_device
        if target is not None:
            for module in self._device_modules:
                self._player.audio_output_device_set(module, target)
        return target

    def is_playing(self) -> bool:
        return bool(self._player.is_playing())

    def release(self) -> None:
        with self._lock:
            self._released = True
        try:
            self.stop_fading()
            self._retire(self._player)  # (like the others, so that a libVLC stop that hangs cannot hang the quit)
            for thread in self._stopping:
                thread.join(5.0)
            if not any(thread.is_alive() for thread in self._stopping):  # the instance must outlive its players
                self._instance.release()
        except Exception:
            pass
