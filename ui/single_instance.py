"""One Moodtape per library: starting it again brings the running one to the front.

    if ask_running_instance(name, {"library": [...], "session": False}):
        return 0                                  # the running player took the request
    server = InstanceServer(name, lambda request: bring_to_front(window, request))

A second start (the menu entry clicked while the player sits in the tray, say) connects to the first one's local
socket, hands over what it was asked to do (`--library DIR` folders to add, `--session`) and exits. The socket is
named after the user and the library file (`server_name`), so players on other libraries (MOODTAPE_DATA_DIR) do
not meet, and it accepts this user only. The library file's lock (library.store_lock) is what keeps two programs
from writing one store; this only makes the second start useful instead of an error.
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

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from library.store_lock import StoreInUse, StoreLock, hold

log = logging.getLogger("moodtape.ui")

MAX_REQUEST_BYTES = 64 * 1024


def server_name(store_path: Path | str) -> str:
    digest = hashlib.sha1(os.path.abspath(str(store_path)).encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"moodtape-{os.getuid() if hasattr(os, 'getuid') else 0}-{digest}"


def ask_running_instance(name: str, request: dict[str, Any], timeout_ms: int = 1500) -> bool:
    """Hand `request` to the running player; True when it answered that it took it."""
    sock = QLocalSocket()
    sock.connectToServer(name)
    if not sock.waitForConnected(timeout_ms):
        return False
    try:
        sock.write(json.dumps(request).encode("utf-8") + b"\n")
        if not sock.waitForBytesWritten(timeout_ms):
            return False
        answer = b""
        deadline = time.monotonic() + timeout_ms / 1000
        while b"\n" not in answer and time.monotonic() < deadline:
            if sock.bytesAvailable() or sock.waitForReadyRead(100):
                answer += bytes(sock.readAll().data())
            elif sock.state() != QLocalSocket.LocalSocketState.ConnectedState:
                break
        return answer.startswith(b"ok")
    finally:
        sock.abort()


def claim_library(store_path: Path | str, request: dict[str, Any], wait_s: float = 3.0) -> StoreLock | None:
    """Before a player starts on `store_path`: None when a running player took `request` (this start should end),
    else the library's lock for this process. Raises StoreInUse when the library stays held by a program that does
    not answer (`main.py tag`, a player still starting for longer than `wait_s`, or one that hangs)."""
    name = server_name(store_path)
    deadline = time.monotonic() + wait_s
    while True:
        if ask_running_instance(name, request):
            return None
        try:
            return hold(store_path)
        except StoreInUse:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.2)  # a player that took the lock a moment ago may not be listening yet


class InstanceServer(QObject):
    """Listens for second starts; `handler(request)` runs on the GUI thread for each one."""

    def __init__(self, name: str, handler: Callable[[dict[str, Any]], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
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
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._drop(s))

    def _drop(self, sock: QLocalSocket) -> None:
        self._buffers.pop(sock, None)
        try:
            sock.deleteLater()
        except RuntimeError:  # already gone with the server (at exit)
            pass

    def _read(self, sock: QLocalSocket) -> None:
        data = self._buffers.get(sock, b"") + bytes(sock.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_REQUEST_BYTES:
                sock.abort()
            else:
                self._buffers[sock] = data
            return
        self._buffers[sock] = b""
        line = data.split(b"\n", 1)[0]
        try:
            request = json.loads(line.decode("utf-8"))
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            log.warning("ignored a second start's request: %s", exc)
            sock.write(b"bad\n")
            sock.flush()
            return
        self.requests += 1
        try:
            self.handler(request)
        except Exception:  # the running player must not fall over for a second start
            log.exception("a second start's request failed")
        sock.write(b"ok\n")
        sock.flush()


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
    if request.get("session") is True and hasattr(window, "start_session"):
        window.start_session()
    log.info("a second start brought the window to the front (folders: %s)", folders)


__all__ = ["InstanceServer", "StoreInUse", "ask_running_instance", "bring_to_front", "claim_library", "server_name"]
