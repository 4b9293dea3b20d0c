"""Desktop notifications: "now playing" pops up when a new track starts while the window is in the background.

    client = NotificationClient()                 # the session bus of $DBUS_SESSION_BUS_ADDRESS, or an address
    client.notify("Title", "Artist — Album")      # returns at once; a worker thread talks to the bus
    TrackAnnouncer(window, client)                # calls notify for each track that starts playing

The freedesktop.org notification protocol (org.freedesktop.Notifications.Notify) is spoken with `jeepney`, a
pure-Python D-Bus client: Notify's replaces_id is a uint32, which PySide6's QtDBus cannot send (a Python int goes
out as int32), and strict servers (GNOME Shell, dunst, Plasma) refuse the call then. Each new track replaces the
previous track's notification instead of stacking up. Nothing here ever stops the player: without a session bus or
a notification server the announcer logs the reason once and does nothing.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("moodtape.ui")

SERVICE = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
NOTIFY_SIGNATURE = "susssasa{sv}i"
APP_NAME = "Moodtape"
APP_ICON = "moodtape"  # the icon scripts/install_desktop installs (the server's default where it is not there)
DESKTOP_ENTRY = "moodtape"  # moodtape.desktop
CALL_TIMEOUT_S = 2.0
WITHDRAW_TIMEOUT_S = 0.5  # at quit: taking the last notification off the screen may not hold up quitting
IMAGE_SIZE = 128  # the cover is sent at most this wide and high


def escape_markup(text: str) -> str:
    """Body text for a server that reads markup (a title with "&" or "<" would otherwise vanish or fail)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Note:
    summary: str
    body: str = ""
    image: tuple[int, int, int, bool, int, int, bytes] | None = None  # image-data: w, h, rowstride, alpha, 8, 4, RGBA


class NotificationClient:
    """Sends notifications from one worker thread; only the newest waiting one is sent (a burst of Next presses
    gives one notification, not ten). Each replaces the one before it on screen."""

    def __init__(self, address: str | None = None) -> None:
        self.address = address if address is not None else session_bus_address()
        self.last_id = 0  # the server's id of our notification on screen (0: none yet)
        self.sent = 0
        self.last_error = "" if self.address else ("no session D-Bus (DBUS_SESSION_BUS_ADDRESS is not set and "
                                                   "there is no $XDG_RUNTIME_DIR/bus)")
        self._markup: bool | None = None  # the server reads body markup (asked once)
        self._conn: Any = None
        self._pending: Note | None = None
        self._busy = False
        self._stop = False
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._logged = False

    @property
    def available(self) -> bool:
        return bool(self.address)

    def notify(self, summary: str, body: str = "", image: tuple | None = None) -> None:
        if not self.available or self._stop:
            return
        with self._cond:
            self._pending = Note(summary, body, image)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="notifications", daemon=True)
                self._thread.start()
            self._cond.notify()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Until nothing is waiting or being sent (tests; shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def close(self, withdraw: bool = True) -> None:
        """Stop the worker; with `withdraw`, take our notification off the screen (the player is quitting)."""
        with self._cond:
            self._stop = True
            self._pending = None
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=WITHDRAW_TIMEOUT_S)  # quitting waits no longer for a slow server
            if self._thread.is_alive():
                return  # still in a call: leave its connection to it (a daemon thread, gone at exit)
        if withdraw and self.last_id and self._conn is not None:
            try:
                self._call("CloseNotification", "u", (self.last_id,), timeout=WITHDRAW_TIMEOUT_S)
            except Exception as exc:  # the server may be gone: nothing to withdraw then
                log.debug("could not withdraw the notification: %s", exc)
        self._drop_connection()

    # ----- worker thread
    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._pending is not None or self._stop)
                if self._stop:
                    return
                note, self._pending = self._pending, None
                self._busy = True
            try:
                self._send(note)
            except Exception as exc:  # a notification is a nicety: say why once, never raise
                self._fail(f"{type(exc).__name__}: {exc}")
                self._drop_connection()
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _fail(self, reason: str) -> None:
        self.last_error = reason
        if not self._logged:
            self._logged = True
            log.info("desktop notifications are off for now: %s", reason)

    def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        self._markup = None
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass

    def _call(self, member: str, signature: str | None = None, body: tuple = (),
              timeout: float = CALL_TIMEOUT_S) -> Any:
        from jeepney import HeaderFields, MessageType

        if self._conn is None:
            self._conn = _connect(self.address, CALL_TIMEOUT_S)
        reply = self._conn.send_and_get_reply(method_call(member, signature, body), timeout=timeout)
        if reply.header.message_type == MessageType.error:
            name = reply.header.fields.get(HeaderFields.error_name, "error")
            raise RuntimeError(f"{member}: {name}: {reply.body[0] if reply.body else 'refused'}")
        return reply.body

    def _send(self, note: Note) -> None:
        if self._markup is None:
            caps = self._call("GetCapabilities")
            self._markup = "body-markup" in (caps[0] if caps else [])
        body = escape_markup(note.body) if self._markup else note.body
        (nid,) = self._call("Notify", NOTIFY_SIGNATURE, notify_args(self.last_id, note.summary, body, note.image))
        self.last_id = int(nid)
        self.sent += 1
        self.last_error = ""


def method_call(member: str, signature: str | None = None, body: tuple = ()) -> Any:
    """A call to the notification server's `member` (a jeepney message)."""
    from jeepney import DBusAddress, new_method_call

    return new_method_call(DBusAddress(OBJECT_PATH, bus_name=SERVICE, interface=SERVICE), member, signature, body)


def notify_args(replaces_id: int, summary: str, body: str, image: tuple | None) -> tuple:
    """Notify's arguments (NOTIFY_SIGNATURE): ours replaces `replaces_id`, the cover goes as image-data."""
    hints: dict[str, tuple[str, Any]] = {"desktop-entry": ("s", DESKTOP_ENTRY)}
    if image is not None:
        hints["image-data"] = ("(iiibiiay)", image)
    return (APP_NAME, replaces_id, APP_ICON, summary, body, [], hints, -1)


def session_bus_address() -> str:
    """$DBUS_SESSION_BUS_ADDRESS, else the systemd user bus at $XDG_RUNTIME_DIR/bus (a session started without the
    variable, as some Wayland compositors are, still has it; libdbus and QtDBus look there too)."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
    if address:
        return address
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    bus = os.path.join(runtime, "bus") if runtime else ""
    if bus:
        import stat

        try:
            if stat.S_ISSOCK(os.stat(bus).st_mode):
                return f"unix:path={bus}"
        except OSError:
            pass
    return ""


def _connect(address: str, timeout: float) -> Any:
    """A jeepney connection whose every step has a time limit. jeepney's own says Hello to the bus without one, so a
    bus that authenticates and then stalls would hold the worker for good."""
    from jeepney.bus import get_bus
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import DBusConnection, DBusConnectionBase, Proxy, prep_socket
    from jeepney.io.common import MessageFilters

    class Connection(DBusConnection):
        def __init__(self, sock: Any) -> None:  # DBusConnection's, with the Hello under a time limit
            DBusConnectionBase.__init__(self, sock, False)
            self._filters = MessageFilters()
            self.bus_proxy = Proxy(message_bus, self, timeout=timeout)
            self.unique_name = self.bus_proxy.Hello()[0]

    sock = prep_socket(get_bus(address), False, timeout=timeout)
    try:
        return Connection(sock)
    except BaseException:
        sock.close()
        raise


def image_data(pixmap: Any, size: int = IMAGE_SIZE) -> tuple[int, int, int, bool, int, int, bytes] | None:
    """A QPixmap as the notification spec's image-data (RGBA, 8 bits a channel), at most `size` px a side."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage

    if pixmap is None or pixmap.isNull():
        return None
    img = pixmap.toImage()
    if img.width() > size or img.height() > size:
        img = img.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    img = img.convertToFormat(QImage.Format.Format_RGBA8888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    data = bytes(img.constBits())[: stride * h]
    return (w, h, stride, True, 8, 4, data)


def track_text(track: dict) -> tuple[str, str]:
    """Summary and body of a track's notification: the title; artist and album, then how it feels."""
    from emotion.mood_space import QUADRANT_NAMES
    from ui.library_model import mood_words

    title = str(track.get("title") or os.path.basename(str(track.get("path", ""))) or "Unknown track")
    artist = str(track.get("artist") or "Unknown artist")
    album = str(track.get("album") or "")
    lines = [f"{artist} — {album}" if album else artist]
    q = track.get("quadrant")
    if q:
        words = mood_words(track.get("moods"), 2)
        lines.append(f"Feels {QUADRANT_NAMES.get(q, q).lower()}" + (f" ({words})" if words else ""))
    return title, "\n".join(lines)


class TrackAnnouncer:
    """Announces each track when it starts playing, while no Moodtape window is the active one (the player hidden in
    the tray, minimised, or behind another program's window; not while its own hands-free session view or a dialog
    is in front). A track loaded paused (the one restored at start-up) is announced when it starts playing; a pause
    and play of the same track, or the same track again under Repeat this track, is no news."""

    def __init__(self, window: Any, client: NotificationClient | None = None) -> None:
        self.window = window
        self.client = client if client is not None else NotificationClient()
        self.enabled = True
        engine = window.engine
        # the track restored at start-up was loaded before this was made: it is news once it plays
        self._pending: str | None = engine.current if engine.current and engine.state != "playing" else None
        self._last: str | None = None  # the track announced last
        if not self.client.available:
            log.info("desktop notifications are off: %s", self.client.last_error)
        engine.track_changed.connect(self._on_track)
        engine.state_changed.connect(lambda _state: self._maybe_announce())

    @staticmethod
    def in_front() -> bool:
        """A Moodtape window (the main window, the session view, a dialog) has the keyboard focus."""
        from PySide6.QtWidgets import QApplication

        return QApplication.activeWindow() is not None

    def _on_track(self, path: object) -> None:
        path = str(path) if path else None
        if path is not None and path == self._last and self.window.engine.repeat_track:
            return  # the same track once more
        self._pending = path
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, self._maybe_announce)  # once the engine has settled on its state

    def _maybe_announce(self) -> None:
        engine = self.window.engine
        path = self._pending
        if not path or engine.state != "playing" or engine.current != path:
            return
        self._pending = None
        self._last = path
        if not self.enabled or not self.client.available or self.in_front():
            return
        track = self.window.library.track_for(path) or {"path": path}
        summary, body = track_text(track)
        now = getattr(self.window, "now_playing", None)
        image = image_data(now.cover.pixmap()) if now is not None and now.has_cover_art() else None
        self.client.notify(summary, body, image)

    def close(self) -> None:
        self.client.close()


__all__ = ["NotificationClient", "TrackAnnouncer", "escape_markup", "image_data", "method_call", "notify_args",
           "session_bus_address", "track_text"]
