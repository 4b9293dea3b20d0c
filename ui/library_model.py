"""The library table: a QAbstractTableModel over track dicts, and a proxy for sort + instant filter."""

from __future__ import annotations

import time
from collections.abc import Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from emotion.mood_space import QUADRANT_NAMES
from library.browse import passes

Index = QModelIndex | QPersistentModelIndex

COLUMNS = [
    ("title", "Title"),
    ("artist", "Artist"),
    ("album", "Album"),
    ("genre", "Genre"),
    ("duration", "Length"),
    ("valence", "Valence"),
    ("arousal", "Arousal"),
    ("quadrant", "Mood"),
    ("moods", "Mood words"),
    ("plays", "Plays"),
    ("last_played", "Last played"),
]
FILTER_KEYS = ("title", "artist", "album", "genre")
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2


def format_duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_when(stamp: float | None) -> str:
    """A time of day for today, else the date (local time)."""
    if not stamp:
        return ""
    when = time.localtime(float(stamp))
    today = time.localtime()
    same_day = (when.tm_year, when.tm_yday) == (today.tm_year, today.tm_yday)
    return time.strftime("today %H:%M" if same_day else "%Y-%m-%d %H:%M", when)


def mood_words(moods: dict | None, n: int = 3) -> str:
    if not moods:
        return ""
    top = sorted(moods.items(), key=lambda kv: -float(kv[1]))[:n]
    return ", ".join(k.replace("_", " ") for k, _ in top)


class LibraryModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[dict] = []
        self._row_of: dict[str, int] = {}

    # ----- filling
    def set_rows(self, rows: Iterable[dict]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._row_of = {t["path"]: i for i, t in enumerate(self._rows)}
        self.endResetModel()

    def upsert_rows(self, rows: Iterable[dict]) -> None:
        """Add new tracks at the end and refresh known ones in place (a scan batch, tagging results)."""
        fresh = []
        for t in rows:
            i = self._row_of.get(t["path"])
            if i is None:
                fresh.append(t)
            else:
                self._rows[i] = {**self._rows[i], **t}
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            for k, t in enumerate(fresh):
                self._rows.append(t)
                self._row_of[t["path"]] = start + k
            self.endInsertRows()

    def update_fields(self, updates: Iterable[tuple[str, dict]]) -> None:
        for path, fields in updates:
            i = self._row_of.get(path)
            if i is not None:
                self._rows[i] = {**self._rows[i], **fields}
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))

    def remove_paths(self, paths: Iterable[str]) -> None:
        gone = set(paths) & self._row_of.keys()
        if gone:
            self.set_rows([t for t in self._rows if t["path"] not in gone])

    # ----- access
    def rows(self) -> list[dict]:
        return self._rows

    def track(self, row: int) -> dict:
        return self._rows[row]

    def track_for(self, path: str) -> dict | None:
        i = self._row_of.get(path)
        return self._rows[i] if i is not None else None

    # ----- Qt model API
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        t = self._rows[index.row()]
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            value = t.get(key)
            if key == "duration":
                return format_duration(value)
            if key in ("valence", "arousal"):
                return "" if value is None else f"{value:+.2f}"
            if key == "quadrant":
                return f"{value} {QUADRANT_NAMES.get(value, '')}".strip() if value else ""
            if key == "moods":
                return mood_words(value)
            if key == "last_played":
                return format_when(value)
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            value = t.get(key)
            if key in ("duration", "valence", "arousal", "plays", "last_played"):
                return float(value) if value is not None else -99.0
            if key == "moods":
                return mood_words(value)
            return (str(value) if value is not None else "").casefold()
        if role == PATH_ROLE:
            return t["path"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return t["path"]
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("duration", "valence", "arousal", "plays"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class LibraryFilter(QSortFilterProxyModel):
    """Sort by any column; filter on title/artist/album/genre (all words must match, case-insensitive) and on the
    browser panes' choices."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._chosen: dict[str, frozenset[str]] = {}
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)

    def set_filter_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def refilter(self) -> None:
        """Filter again (tracks' fields changed under the same choices, e.g. a track got its mood tag)."""
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_chosen(self, chosen: dict[str, frozenset[str]]) -> None:
        """The browser panes' choices ({facet: values}; empty: everything)."""
        if chosen == self._chosen:
            return
        self.beginFilterChange()
        self._chosen = dict(chosen)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._words and not self._chosen:
            return True
        model = self.sourceModel()
        t = model.track(source_row)  # type: ignore[attr-defined]
        if self._chosen and not passes(t, self._chosen):
            return False
        if not self._words:
            return True
        hay = " ".join(str(t.get(k) or "") for k in FILTER_KEYS).casefold()
        return all(w in hay for w in self._words)

    def path_at(self, proxy_row: int) -> str:
        # Through the source model, not a role: a non-UTF-8 path would not survive a QString.
        source_row = self.mapToSource(self.index(proxy_row, 0)).row()
        return self.sourceModel().track(source_row)["path"]  # type: ignore[attr-defined]
