"""The play queue as a list model: drag to reorder, pinned (user) items marked apart from planned ones."""

from __future__ import annotations

import os

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from player.queue import PlayQueue

Index = QModelIndex | QPersistentModelIndex
MIME = "application/x-moodtape-queue-rows"
LIBRARY_MIME = "application/x-moodtape-library-paths"  # tracks dragged from the library table (ui/library_model)


def encode_paths(paths: list[str]) -> bytes:
    """File paths for a drag, as the bytes the file system has (a name that is not UTF-8 survives)."""
    return b"\0".join(os.fsencode(p) for p in paths)


def decode_paths(data: bytes) -> list[str]:
    return [os.fsdecode(p) for p in data.split(b"\0") if p]
PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def describe_reason(reason: dict) -> str:
    """One line on why the planner chose a track."""
    if not reason:
        return ""
    parts = []
    if "strategy" in reason:
        parts.append(str(reason["strategy"]))
    if "distance" in reason:
        parts.append(f"mood distance {float(reason['distance']):.2f}")
    if "preference" in reason:
        parts.append(f"preference {float(reason['preference']):+.2f}")
    if "text" in reason:
        parts.append(f"journal match {float(reason['text']):.2f}")
    if "note" in reason:
        parts.append(str(reason["note"]))
    return "; ".join(parts)


class QueueModel(QAbstractListModel):
    user_moved = Signal()  # the user dragged rows (they are now pinned)
    def __init__(self, queue: PlayQueue, lookup, parent=None) -> None:
        """lookup(path) -> track dict or None (for titles)."""
        super().__init__(parent)
        self.queue = queue
        self.lookup = lookup

    def refresh(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.queue.items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.queue.items):
            return None
        item = self.queue.items[index.row()]
        t = self.lookup(item.path) or {}
        if role == Qt.ItemDataRole.DisplayRole:
            title = t.get("title") or item.path.rsplit("/", 1)[-1]
            artist = t.get("artist")
            text = f"{title} — {artist}" if artist else title
            return text if item.pinned else f"♪ {text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            why = describe_reason(item.reason)
            origin = "queued by you" if item.pinned else "planned" + (f": {why}" if why else "")
            return f"{item.path}\n{origin}"
        if role == Qt.ItemDataRole.ForegroundRole and not item.pinned:
            return QColor(90, 90, 140)
        if role == Qt.ItemDataRole.FontRole and item.pinned:
            f = QFont()
            f.setBold(True)
            return f
        if role == PATH_ROLE:
            return item.path
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index) | Qt.ItemFlag.ItemIsDropEnabled
        if index.isValid():
            return base | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled
        return base

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction  # its own rows move; the library's are copied

    def mimeTypes(self) -> list[str]:
        return [MIME, LIBRARY_MIME]

    def _token(self) -> str:
        """Names this queue in its drags: row numbers mean something only to the queue they came from."""
        return f"{os.getpid()}:{id(self)}"

    def mimeData(self, indexes) -> QMimeData:
        rows = sorted({i.row() for i in indexes})
        md = QMimeData()
        md.setData(MIME, QByteArray(f"{self._token()};{','.join(map(str, rows))}".encode()))
        return md

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index) -> bool:
        if action == Qt.DropAction.IgnoreAction:
            return True
        below = row < 0 and not parent.isValid()  # on the empty space under the rows
        to = row if row >= 0 else (parent.row() if parent.isValid() else len(self.queue.items))
        if data.hasFormat(MIME):
            token, _, listed = bytes(data.data(MIME).data()).decode(errors="replace").partition(";")
            if token != self._token():
                return False  # another queue's rows (another window): their numbers mean nothing here
            rows = [int(x) for x in listed.split(",") if x.isdigit()]
            self.move_rows(rows, to)
            return True
        if data.hasFormat(LIBRARY_MIME):
            paths = [p for p in decode_paths(bytes(data.data(LIBRARY_MIME).data())) if self.lookup(p)]
            if not paths:
                return False  # nothing from this library
            self.beginResetModel()
            if below:
                self.queue.add(paths)  # after the tracks queued by hand, as "Add to queue" does
            else:
                self.queue.insert(paths, to)
            self.endResetModel()
            self.user_moved.emit()
            return True
        return False

    def move_rows(self, rows: list[int], to: int) -> None:
        self.beginResetModel()
        self.queue.move(rows, to)
        self.endResetModel()
        self.user_moved.emit()
