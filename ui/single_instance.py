"""One Moodtape per library: starting it again brings the running one to the front.

    lock = claim_library(store_path, {"library": [...], "session": False})
    if lock is None:
        return 0                                  # the running player took the request
    server = InstanceServer(server_addresses(store_path)[0], lambda request: bring_to_front(window, request))

A second start (the menu entry clicked while the player sits in the tray, say) connects to the first one's local
socket, hands over what it was asked to do (`--library DIR` folders to add, `--session`) and exits. The socket is
named after the library file's real path (`server_addresses`), so players on other libraries (MOODTAPE_DATA_DIR)
do not meet, and depends on nothing else (not on the environment of the start). It lives in the library's own
folder, which Moodtape keeps closed to other users; where that folder is not private or the path would be too
long for a socket, under Qt's name in /tmp. Both ends check that the other end belongs to the same user
(SO_PEERCRED), so another local user can neither answer for the player nor hand it requests. The library file's
lock (library.store_lock) is what keeps two programs from writing one store; this only makes the second start
useful instead of an error. The running player answers "ok" as soon as a request parses, then carries it out.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from library.store_lock import StoreInUse, StoreLock, hold

log = logging.getLogger("moodtape.ui")

MAX_REQUEST_BYTES = 8 * 1024 * 1024  # (a file manager may open thousands of files with a second start)
IDLE_LIMIT_MS = 5000


MAX_SOCKET_PATH = 100  # bytes; a Unix socket path must fit sun_path (108 on Linux)


def _private_dir(path: str) -> bool:
    """A folder of this user's that no one else may enter or write to."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return os.path.isdir(path) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def server_addresses(store_path: Path | str) -> list[str]:
    """Where the player on `store_path` may listen, the one it listens on first: a socket in the library's folder
    when that is private and the path short enough, and Qt's name in /tmp. A second start tries each."""
    real = os.path.realpath(str(store_path))  # the same library through a symlink is the same library
    name = f"moodtape-{hashlib.sha1(real.encode('utf-8', 'surrogateescape')).hexdigest()[:12]}.sock"
    bare = f"moodtape-{os.getuid()}-{name}"
    folder = os.path.dirname(real)
    path = os.path.join(folder, name)
    if _private_dir(folder) and len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return [path, bare]
    return [bare]


def peer_uid(sock: QLocalSocket) -> int | None:
    """The user id of the process at the other end of a connected local socket (None when it cannot be told)."""
    import socket
    import struct

    fd = int(sock.socketDescriptor())
    if fd < 0 or not hasattr(socket, "SO_PEERCRED"):
        return None
    try:
        with socket.socket(fileno=os.dup(fd)) as s:
            _pid, uid, _gid = struct.unpack("iII", s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                                struct.calcsize("iII")))
    except OSError:
        return None
    return uid


def ask_running_instance(address: str, request: dict[str, Any], timeout_ms: int = 3000) -> str:
    """Hand `request` to the running player. "ok": it took it; "none": no player of this user listens there;
    "silent": one was reached but did not answer in time (the request may still be carried out: do not resend)."""
    sock = QLocalSocket()
    sock.connectToServer(address)
    if not sock.waitForConnected(min(timeout_ms, 1000)):
        return "none"
    try:
        if peer_uid(sock) != os.getuid():  # someone else's socket under our name
            log.warning("%s is not this user's: ignored", address)
            return "none"
        sock.write(json.dumps(request).encode("utf-8") + b"\n")
        if not sock.waitForBytesWritten(timeout_ms):
            return "silent"
        answer = b""
        deadline = time.monotonic() + timeout_ms / 1000
        while b"\n" not in answer and time.monotonic() < deadline:
            if sock.bytesAvailable() or sock.waitForReadyRead(100):
                answer += bytes(sock.readAll().data())
            elif sock.state() != QLocalSocket.LocalSocketState.ConnectedState:
                break
        return "ok" if answer.startswith(b"ok") else "silent"
    finally:
        sock.abort()


def claim_library(store_path: Path | str, request: dict[str, Any], wait_s: float = 3.0) -> StoreLock | None:
    """Before a player starts on `store_path`: None when a running player took `request` (this start should end),
    else the library's lock for this process. Raises StoreInUse when the library stays held by a program that does
    not answer (`main.py tag`, a player still starting for longer than `wait_s`, or one that hangs)."""
    addresses = server_addresses(store_path)
    deadline = time.monotonic() + wait_s
    while True:
        answer = "none"
        for address in addresses:
            answer = ask_running_instance(address, request, timeout_ms=int(wait_s * 1000))
            if answer != "none":
                break
        if answer == "ok":
            return None
        try:
            return hold(store_path)
        except StoreInUse:
            if answer == "silent" or time.monotonic() >= deadline:
                raise  # a player that got the request but hangs, or a program that does not listen
            time.sleep(0.2)  # a player that took the lock a moment ago may not be listening yet


class InstanceServer(QObject):
    """Listens for second starts; `handler(request)` runs on the GUI thread for each one."""

    def __init__(self, address: str, handler: Callable[[dict[str, Any]], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = address
        self.handler = handler
        self.requests = 0
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Start listening. Call it only while holding the library's lock: a socket left by a player that crashed is
        removed first, and under the lock no live player can own it."""
        QLocalServer.removeServer(self.name)
        ok = self.server.listen(self.name)
        if not ok:
            log.warning("a second start cannot reach this player: %s", self.server.errorString())
        return ok

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            sock = self.server.nextPendingConnection()
            if peer_uid(sock) != os.getuid():
                log.warning("refused a connection from another user")
                sock.abort()
                sock.deleteLater()
                continue
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._drop(s))
            QTimer.singleShot(IDLE_LIMIT_MS, sock, sock.abort)  # a start that says nothing in time is let go
            if sock.bytesAvailable():  # the request came with the connection: its readyRead was before ours
                self._read(sock)

    def _drop(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        try:
            sock.deleteLater()
        except RuntimeError:  # already gone with the server (at exit)
            pass

    def _read(self, sock: QLocalSocket) -> None:
        data = self._buffers.get(sock, b"") + bytes(sock.readAll().data())
        line = data.split(b"\n", 1)[0]
        if len(line) > MAX_REQUEST_BYTES:
            log.warning("ignored a second start's request of more than %d bytes", MAX_REQUEST_BYTES)
            sock.abort()
            return
        if b"\n" not in data:
            self._buffers[sock] = data
            return
        self._buffers[sock] = b""
        try:
            request = json.loads(line.decode("utf-8"))
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except (ValueError, RecursionError) as exc:
            log.warning("ignored a second start's request: %s", exc)
            sock.write(b"bad\n")
            sock.flush()
            return
        self.requests += 1
        sock.write(b"ok\n")  # taken: the second start may end while the window comes up (adding folders, a session
        sock.flush()         # and its camera can take longer than it waits)
        QTimer.singleShot(0, self, lambda: self._handle(request))

    def _handle(self, request: dict[str, Any]) -> None:
        try:
            self.handler(request)
        except Exception:  # the running player must not fall over for a second start
            log.exception("a second start's request failed")


def bring_to_front(window: Any, request: dict[str, Any]) -> None:
    """What a second start asks of the running player: its window shown and raised, the folders it named added,
    a hands-free session started."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
    folders = request.get("library") or []
    known = set(window.library_folders())
    for folder in folders if isinstance(folders, list) else []:
        if isinstance(folder, str) and os.path.isdir(folder) and folder not in known:
            window.add_folder(folder)
    opened = request.get("open") or []
    if isinstance(opened, list) and opened:
        from ui.open_files import open_paths

        open_paths(window, [p for p in opened if isinstance(p, str)])
    if request.get("session") is True and hasattr(window, "start_session"):
        window.start_session()
    log.info("a second start brought the window to the front (folders: %s, opened: %d)", folders,
             len(opened) if isinstance(opened, list) else 0)


__all__ = ["InstanceServer", "StoreInUse", "ask_running_instance", "bring_to_front", "claim_library", "peer_uid",
           "server_addresses"]
