"""MPRIS2 on the session D-Bus (PySide6.QtDBus, part of PySide6-Essentials): playerctl and media keys work.

    Mpris(window)     # registers org.mpris.MediaPlayer2.moodtape; a logged no-op when there is no session bus

Serves /org/mpris/MediaPlayer2 with org.mpris.MediaPlayer2 (Identity, Raise, Quit, ...) and
org.mpris.MediaPlayer2.Player (PlaybackStatus, LoopStatus, Metadata, Volume, Position, Can*; PlayPause, Play, Pause,
Stop, Next, Previous, Seek, SetPosition, OpenUri; the Seeked signal). QtDBus answers org.freedesktop.DBus.Properties
Get/GetAll/Set from the Qt properties below; PropertiesChanged is sent here whenever the engine's state, track,
repeat mode or volume moves.

Known limit: QtDBus picks the D-Bus type of a Metadata value from the Python value, so mpris:length goes
out as int32 ('i') for tracks under ~35 minutes (int64 above); Position (a typed property) is always int64.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from PySide6.QtCore import ClassInfo, Property, QObject, Signal, Slot
from PySide6.QtDBus import QDBusAbstractAdaptor, QDBusConnection, QDBusMessage, QDBusObjectPath

log = logging.getLogger(__name__)

OBJECT_PATH = "/org/mpris/MediaPlayer2"
SERVICE = "org.mpris.MediaPlayer2.moodtape"
ROOT_IFACE = "org.mpris.MediaPlayer2"
PLAYER_IFACE = "org.mpris.MediaPlayer2.Player"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
STATUS = {"playing": "Playing", "paused": "Paused", "stopped": "Stopped"}


def track_id(path: str | None) -> str:
    """A stable D-Bus object path for a track (object paths allow only [A-Za-z0-9_])."""
    if not path:
        return NO_TRACK
    import hashlib

    return "/org/moodtape/track/t" + hashlib.sha1(path.encode("utf-8", "surrogateescape")).hexdigest()[:16]


@ClassInfo({"D-Bus Interface": ROOT_IFACE})
class _RootAdaptor(QDBusAbstractAdaptor):
    def __init__(self, parent: QObject, mpris: Mpris) -> None:
        super().__init__(parent)
        self._m = mpris
        self.setAutoRelaySignals(False)

    @Slot()
    def Raise(self) -> None:
        self._m.raise_window()

    @Slot()
    def Quit(self) -> None:
        self._m.quit()

    def _true(self) -> bool:
        return True

    def _false(self) -> bool:
        return False

    def _identity(self) -> str:
        return "Moodtape"

    def _desktop(self) -> str:
        return "moodtape"

    def _schemes(self) -> list[str]:
        return ["file"]

    def _mimes(self) -> list[str]:
        return ["audio/mpeg", "audio/ogg", "audio/flac", "audio/x-wav", "audio/mp4", "video/mp4"]

    CanQuit = Property(bool, _true)
    CanRaise = Property(bool, _true)
    CanSetFullscreen = Property(bool, _false)
    Fullscreen = Property(bool, _false)
    HasTrackList = Property(bool, _false)
    Identity = Property(str, _identity)
    DesktopEntry = Property(str, _desktop)
    SupportedUriSchemes = Property("QStringList", _schemes)
    SupportedMimeTypes = Property("QStringList", _mimes)


@ClassInfo({"D-Bus Interface": PLAYER_IFACE})
class _PlayerAdaptor(QDBusAbstractAdaptor):
    Seeked = Signal("qlonglong")

    def __init__(self, parent: QObject, mpris: Mpris) -> None:
        super().__init__(parent)
        self._m = mpris
        self.setAutoRelaySignals(True)

    # methods
    @Slot()
    def PlayPause(self) -> None:
        self._m.engine.play_pause()

    @Slot()
    def Play(self) -> None:
        e = self._m.engine
        if e.state != "playing" or e.is_pausing():  # (during a pause's fade: play on)
            if e.current is None:
                e.next()
            else:
                e.resume()

    @Slot()
    def Pause(self) -> None:
        self._m.engine.pause()

    @Slot()
    def Stop(self) -> None:
        self._m.engine.stop()

    @Slot()
    def Next(self) -> None:
        self._m.engine.next()

    @Slot()
    def Previous(self) -> None:
        self._m.engine.previous()

    @Slot("qlonglong")
    def Seek(self, offset_us: int) -> None:
        e = self._m.engine
        if e.current is None:
            return
        self._m.seek_to_ms(max(0, e.position() + int(offset_us) // 1000))

    @Slot(QDBusObjectPath, "qlonglong")
    def SetPosition(self, track: QDBusObjectPath, position_us: int) -> None:
        e = self._m.engine
        if e.current is None or track.path() != track_id(e.current) or position_us < 0:
            return  # stale track id: ignored, as the spec says
        self._m.seek_to_ms(int(position_us) // 1000)

    @Slot(str)
    def OpenUri(self, uri: str) -> None:
        from urllib.parse import unquote, urlparse

        u = urlparse(uri)
        if u.scheme == "file" and os.path.exists(unquote(u.path)):
            self._m.engine.play_path(unquote(u.path))

    # properties
    def _status(self) -> str:
        return self._m.playback_status()

    def _metadata(self) -> dict:
        return self._m.metadata()

    def _volume(self) -> float:
        return self._m.engine.volume / 100.0

    def _set_volume(self, value: float) -> None:
        self._m.set_volume(value)

    def _position(self) -> int:
        e = self._m.engine
        return int(e.position()) * 1000 if e.current else 0

    def _rate(self) -> float:
        return 1.0

    def _set_rate(self, _value: float) -> None:
        pass

    def _true(self) -> bool:
        return True

    def _has_track(self) -> bool:
        return self._m.engine.current is not None

    def _loop(self) -> str:
        return self._m.loop_status()

    def _set_loop(self, value: str) -> None:
        self._m.set_loop_status(value)

    PlaybackStatus = Property(str, _status)
    LoopStatus = Property(str, _loop, _set_loop)
    Rate = Property(float, _rate, _set_rate)
    Shuffle = Property(bool, lambda self: False)
    Metadata = Property("QVariantMap", _metadata)
    Volume = Property(float, _volume, _set_volume)
    Position = Property("qlonglong", _position)
    MinimumRate = Property(float, _rate)
    MaximumRate = Property(float, _rate)
    CanGoNext = Property(bool, _true)
    CanGoPrevious = Property(bool, _true)
    CanPlay = Property(bool, _true)
    CanPause = Property(bool, _true)
    CanSeek = Property(bool, _has_track)
    CanControl = Property(bool, _true)


class Mpris(QObject):
    """The MPRIS2 service for a MainWindow. `active` is False (and nothing happens) without a session bus."""

    def __init__(self, window: Any, connection: QDBusConnection | None = None,
                 service: str = SERVICE) -> None:
        super().__init__(window)
        self.window = window
        self.engine = window.engine
        self.active = False
        self.service = ""
        self._last: dict[str, Any] = {}
        bus = connection if connection is not None else QDBusConnection.sessionBus()
        if not bus.isConnected():
            log.info("MPRIS: no D-Bus session bus (%s); media keys and playerctl will not reach Moodtape",
                     bus.lastError().message() or "not connected")
            return
        self.bus = bus
        self._container = QObject(self)
        self._root = _RootAdaptor(self._container, self)
        self._player = _PlayerAdaptor(self._container, self)
        export = QDBusConnection.RegisterOption.ExportAdaptors
        if not bus.registerObject(OBJECT_PATH, self._container, export):
            log.warning("MPRIS: could not register %s: %s", OBJECT_PATH, bus.lastError().message())
            return
        name = service
        if not bus.registerService(name):  # another Moodtape owns the name: the spec's per-instance name
            name = f"{service}.instance{os.getpid()}"
            if not bus.registerService(name):
                log.warning("MPRIS: could not own %s: %s", name, bus.lastError().message())
                bus.unregisterObject(OBJECT_PATH)
                return
        self.service = name
        self.active = True
        self._last = self._snapshot()
        self.engine.state_changed.connect(self._changed)
        self.engine.track_changed.connect(self._changed)
        self.engine.modes_changed.connect(self._changed)
        slider = getattr(window, "volume_slider", None)  # the engine has no volume signal
        if slider is not None and hasattr(slider, "valueChanged"):
            slider.valueChanged.connect(self._changed)
        log.info("MPRIS: serving %s", name)

    # --- values --------------------------------------------------------------------------------------------
    def playback_status(self) -> str:
        return STATUS.get(self.engine.state, "Stopped")

    def metadata(self) -> dict:
        path = self.engine.current
        if not path:
            return {"mpris:trackid": QDBusObjectPath(NO_TRACK)}
        t = {}
        try:
            t = self.window.library.track_for(path) or {}
        except Exception:  # the library model may not know the file (played by path)
            t = {}
        md: dict[str, Any] = {
            "mpris:trackid": QDBusObjectPath(track_id(path)),
            "xesam:url": "file://" + path,
            "xesam:title": t.get("title") or os.path.splitext(os.path.basename(path))[0],
        }
        if t.get("artist"):
            md["xesam:artist"] = [str(t["artist"])]
        if t.get("album"):
            md["xesam:album"] = str(t["album"])
        if t.get("genre"):
            md["xesam:genre"] = [str(t["genre"])]
        if t.get("albumartist"):
            md["xesam:albumArtist"] = [str(t["albumartist"])]
        for field, key in (("track_no", "xesam:trackNumber"), ("disc_no", "xesam:discNumber")):
            if t.get(field):
                md[key] = int(t[field])
        duration = t.get("duration") or 0
        if not duration:
            try:
                duration = self.engine.backend.length() / 1000.0
            except Exception:
                duration = 0
        if duration and duration > 0:
            md["mpris:length"] = int(float(duration) * 1_000_000)
        if t.get("quadrant"):
            md["moodtape:quadrant"] = str(t["quadrant"])
        return md

    def loop_status(self) -> str:
        return "Track" if self.engine.repeat_track else "None"

    def set_loop_status(self, value: str) -> None:
        """"Track" repeats the playing track; "None" and "Playlist" turn that off (the queue never loops: the
        planner keeps it filled)."""
        self.engine.set_repeat_track(str(value) == "Track")
        self._changed()

    def _snapshot(self) -> dict[str, Any]:
        return {"PlaybackStatus": self.playback_status(), "Metadata": self.metadata(),
                "LoopStatus": self.loop_status(),
                "Volume": self.engine.volume / 100.0, "CanSeek": self.engine.current is not None}

    # --- commands from D-Bus -------------------------------------------------------------------------------
    def seek_to_ms(self, ms: int) -> None:
        self.engine.seek(int(ms))
        self._player.Seeked.emit(int(ms) * 1000)

    def set_volume(self, value: float) -> None:
        volume = round(max(0.0, min(1.0, float(value))) * 100)
        slider = getattr(self.window, "volume_slider", None)
        if slider is not None and hasattr(slider, "setValue"):
            slider.setValue(volume)  # the window's slider drives the engine, and shows what was set
        else:
            self.engine.set_volume(volume)
        self._changed()

    def raise_window(self) -> None:
        self.window.showNormal()
        self.window.raise_()
        self.window.activateWindow()

    def quit(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.window.quit_app()  # really quits, also with close-to-tray on
        QApplication.quit()

    # --- PropertiesChanged ---------------------------------------------------------------------------------
    @Slot()
    def _changed(self, *_args: object) -> None:
        if not self.active:
            return
        now = self._snapshot()
        changed = {k: v for k, v in now.items() if _differs(self._last.get(k), v)}
        self._last = now
        if changed:
            self.emit_properties_changed(changed)

    def emit_properties_changed(self, changed: dict[str, Any]) -> None:
        msg = QDBusMessage.createSignal(OBJECT_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged")
        # A list of strings goes out as 'as'; an empty list would go out as 'av', which clients reject, so the
        # invalidated list names Position (it is never cached by clients anyway: they read it on demand).
        msg.setArguments([PLAYER_IFACE, changed, ["Position"]])
        self.bus.send(msg)

    def close(self) -> None:
        if self.active:
            self.bus.unregisterObject(OBJECT_PATH)
            self.bus.unregisterService(self.service)
            self.active = False


def _differs(a: Any, b: Any) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return True
        return any(_differs(a[k], b[k]) for k in a)
    if isinstance(a, QDBusObjectPath) and isinstance(b, QDBusObjectPath):
        return a.path() != b.path()
    return a != b


__all__ = ["Mpris", "OBJECT_PATH", "SERVICE", "track_id"]
