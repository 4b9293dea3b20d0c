"""The library table: a QAbstractTableModel over track dicts that sorts itself (in Python, album-aware), and a
proxy that filters (the filter box's query and the browser panes' picks)."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    QUrl,
    Signal,
)

from emotion.mood_space import QUADRANT_NAMES
from library.albums import album_folder, album_keys, play_order
from library.browse import passes
from library.query import Query, haystack, top_mood_words
from library.query import parse as parse_query
from ui.queue_model import LIBRARY_MIME, encode_paths

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
    ("track_no", "#"),
    ("disc_no", "Disc"),
    ("year", "Year"),
    ("albumartist", "Album artist"),
    ("added", "Added"),
    ("format", "Format"),
    ("bitrate", "Bitrate"),
]
NUMBER_KEYS = ("duration", "valence", "arousal", "plays", "last_played", "added", "bitrate")  # sorted as numbers
WHOLE_NUMBER_KEYS = ("track_no", "disc_no", "year")  # whole numbers (a damaged value sorts as 0)
PATH_ROLE = Qt.ItemDataRole.UserRole + 1


def finite_number(value: Any) -> float | None:
    """A stored value as a finite number, or None (missing or damaged: text, a bool, NaN, infinite, too large)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return x if math.isfinite(x) else None


def format_duration(seconds: float | None) -> str:
    """m:ss or h:mm:ss; "" for nothing, or for a damaged value."""
    x = finite_number(seconds)
    s = int(round(x)) if x is not None else 0
    if s <= 0:
        return ""
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_total(seconds: float) -> str:
    """How long a list of tracks plays, roughly: "40 s", "42 min", "3 h 05 min", "12 days 4 h"."""
    seconds = max(0.0, finite_number(seconds) or 0.0)
    minutes = int(round(seconds / 60))
    if seconds > 0 and minutes == 0:  # (short clips: "0 min" would read as nothing at all)
        return f"{max(1, int(round(seconds)))} s"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h"


MAX_TRACK_SECONDS = 1e6  # a longer "length" (11 days) is a damaged value, left out of totals


def track_seconds(track: dict | None) -> float:
    """A track's length for totals (unknown or damaged: 0)."""
    seconds = finite_number((track or {}).get("duration"))
    return seconds if seconds is not None and 0.0 < seconds <= MAX_TRACK_SECONDS else 0.0


def total_seconds(tracks: Iterable[dict | None]) -> float:
    """The summed length of these tracks (unknown or damaged lengths count as 0)."""
    return sum(track_seconds(t) for t in tracks)


def format_when(stamp: float | None) -> str:
    """A time of day for today, else the date (local time)."""
    if not stamp:
        return ""
    when = time.localtime(float(stamp))
    today = time.localtime()
    same_day = (when.tm_year, when.tm_yday) == (today.tm_year, today.tm_yday)
    return time.strftime("today %H:%M" if same_day else "%Y-%m-%d %H:%M", when)


def album_places(rows: Sequence[dict]) -> dict[str, tuple]:
    """Each track's place in album order (path -> (album, (disc, track number, path)))."""
    albums = album_keys(rows)
    out = {}
    for t in rows:
        path = t["path"]
        out[path] = (albums.get(path) or ("", "folder:" + album_folder(path)), play_order(t))
    return out


def _utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # a name that is not UTF-8 (os.fsdecode's surrogate escapes)
        return False
    return True


def sort_keys(rows: Sequence[dict], key: str, places: dict[str, tuple] | None = None) -> list[tuple[Any, Any]]:
    """How the table sorts tracks by the column `key`: per track (the column's value, its place on its album).
    Values: numbers as numbers (missing first), text ignoring case; for the Album column the album itself
    (`library.albums.album_keys`). Tracks with equal values come album by album, each album in play order (disc,
    track number, path), whichever way the column is sorted."""
    places = album_places(rows) if places is None else places
    out: list[tuple[Any, Any]] = []
    for t in rows:
        place = places[t["path"]]
        if key == "album":
            out.append(place)
            continue
        value = t.get(key)
        if key in NUMBER_KEYS:
            primary: Any = float(value) if value is not None else -99.0
        elif key in WHOLE_NUMBER_KEYS:
            try:
                primary = int(value) if value else 0
            except (TypeError, ValueError):
                primary = 0
        elif key == "moods":
            primary = mood_words(value)
        else:
            primary = (str(value) if value is not None else "").casefold()
        out.append((primary, place))
    return out


def mood_words(moods: dict | None, n: int = 3) -> str:
    return ", ".join(top_mood_words(moods, n))


class LibraryModel(QAbstractTableModel):
    lengths_changed = Signal()  # a known track's length changed in place (new and removed rows have their signals)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[dict] = []
        self._row_of: dict[str, int] = {}
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None  # the last sort, kept when the rows are replaced
        self._places: dict[str, tuple] | None = None  # album_places of the rows, until a row changes
        self._hay: dict[str, str] = {}  # path -> the filter's haystack (library.query.haystack), until it changes
        self._tagged = 0  # tracks with a mood tag, and their summed length: kept as rows change (the status bar
        self._seconds = 0.0  # asks after every tagged track)

    # ----- filling
    def set_rows(self, rows: Iterable[dict]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._places = None
        self._hay = {}
        if self._sorted_by is not None:
            self._rows = [self._rows[i] for i in self._sorted_order(*self._sorted_by)]
        self._row_of = {t["path"]: i for i, t in enumerate(self._rows)}
        self._tagged = sum(1 for t in self._rows if t.get("quadrant"))
        self._seconds = total_seconds(self._rows)
        self.endResetModel()

    def upsert_rows(self, rows: Iterable[dict]) -> None:
        """Add new tracks at the end and refresh known ones in place (a scan batch, tagging results)."""
        fresh = []
        self._places = None
        lengths = False
        for t in rows:
            i = self._row_of.get(t["path"])
            if i is None:
                fresh.append(t)
            else:
                lengths |= self._replace(i, t)
        if lengths:
            self.lengths_changed.emit()
        if fresh:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            for k, t in enumerate(fresh):
                self._rows.append(t)
                self._row_of[t["path"]] = start + k
                self._tagged += bool(t.get("quadrant"))
                self._seconds += track_seconds(t)
            self.endInsertRows()

    def update_fields(self, updates: Iterable[tuple[str, dict]]) -> None:
        self._places = None
        lengths = False
        for path, fields in updates:
            i = self._row_of.get(path)
            if i is not None:
                lengths |= self._replace(i, fields)
        if lengths:
            self.lengths_changed.emit()

    def _replace(self, i: int, fields: dict) -> bool:
        """Update row i with these fields; True when its length changed."""
        old = self._rows[i]
        self._rows[i] = new = {**old, **fields}
        self._tagged += bool(new.get("quadrant")) - bool(old.get("quadrant"))
        self._seconds += track_seconds(new) - track_seconds(old)
        self._hay.pop(old["path"], None)
        self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
        return "duration" in fields and fields["duration"] != old.get("duration")

    def remove_paths(self, paths: Iterable[str]) -> None:
        gone = set(paths) & self._row_of.keys()
        if gone:
            self.set_rows([t for t in self._rows if t["path"] not in gone])

    # ----- access
    def rows(self) -> list[dict]:
        return self._rows

    def tagged_count(self) -> int:
        """How many tracks have a mood tag."""
        return self._tagged

    def seconds(self) -> float:
        """How long all the tracks play (as total_seconds of the rows)."""
        return max(0.0, self._seconds)

    def track(self, row: int) -> dict:
        return self._rows[row]

    def haystack_of(self, t: dict) -> str:
        """The filter's haystack of a track, cached per path (typing in the filter box re-filters every row)."""
        hay = self._hay.get(t["path"])
        if hay is None:
            hay = self._hay[t["path"]] = haystack(t)
        return hay

    def row_of(self, path: str) -> int | None:
        return self._row_of.get(path)

    def track_for(self, path: str) -> dict | None:
        i = self._row_of.get(path)
        return self._rows[i] if i is not None else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Reorder the rows by a column (sort_keys), in Python: one key a track, one sort. Letting the proxy compare
        rows through data() costs two calls into Python per comparison, seconds for a big library. Rows and
        persistent indexes (the selection, the current row) move together."""
        if not 0 <= column < len(COLUMNS):
            self._sorted_by = None  # column -1: unsorted from now on, the rows stay where they are
            return
        self._sorted_by = (column, order)
        if not self._rows:
            return
        new_order = self._sorted_order(column, order)
        self.layoutAboutToBeChanged.emit()
        new_row = [0] * len(new_order)
        for new, old in enumerate(new_order):
            new_row[old] = new
        persistent = self.persistentIndexList()
        self.changePersistentIndexList(
            persistent, [self.index(new_row[i.row()], i.column()) if i.isValid() else i for i in persistent])
        self._rows = [self._rows[i] for i in new_order]
        self._row_of = {t["path"]: i for i, t in enumerate(self._rows)}
        self.layoutChanged.emit()

    def _sorted_order(self, column: int, order: Qt.SortOrder) -> list[int]:
        """Row indexes in the new order: by album place first, then (a stable sort) by the column's value, so a
        descending sort reverses the values but leaves each album in play order."""
        if self._places is None:
            self._places = album_places(self._rows)
        keys = sort_keys(self._rows, COLUMNS[column][0], self._places)
        rows = sorted(range(len(self._rows)), key=lambda i: keys[i][1])
        return sorted(rows, key=lambda i: keys[i][0], reverse=order == Qt.SortOrder.DescendingOrder)

    # ----- Qt model API
    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        return flags | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else flags

    def mimeTypes(self) -> list[str]:
        return [LIBRARY_MIME, "text/uri-list"]

    def mimeData(self, indexes) -> QMimeData:
        """Dragged tracks, in the table's order: for the queue (their paths) and for other programs (file URLs)."""
        rows = sorted({i.row() for i in indexes if i.isValid()})
        paths = [self._rows[r]["path"] for r in rows]
        data = QMimeData()
        data.setData(LIBRARY_MIME, QByteArray(encode_paths(paths)))
        data.setUrls([QUrl.fromLocalFile(p) for p in paths if _utf8(p)])  # a URL cannot carry other names
        return data

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
                if not value:
                    return ""
                text = f"{value} {QUADRANT_NAMES.get(value, '')}".strip()
                return text + " (yours)" if t.get("mood_by") == "you" else text
            if key == "moods":
                return mood_words(value)
            if key in ("last_played", "added"):
                return format_when(value)
            if key == "bitrate":
                return f"{value} kbps" if value else ""
            return "" if value is None else str(value)
        if role == PATH_ROLE:
            return t["path"]
        if role == Qt.ItemDataRole.ToolTipRole:
            return t["path"]
        if role == Qt.ItemDataRole.TextAlignmentRole and key in ("duration", "valence", "arousal", "plays", "bitrate",
                                                                  *WHOLE_NUMBER_KEYS):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class LibraryFilter(QSortFilterProxyModel):
    """Sort by any column; filter on title/artist/album/genre (all words must match, case-insensitive) and on the
    browser panes' choices."""

    query_changed = Signal()  # another filter text or browser choice was applied
    refiltered = Signal()  # the same filter applied again to changed tracks

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._query = Query()
        self._chosen: dict[str, frozenset[str]] = {}
        self.setDynamicSortFilter(False)

    def set_filter_text(self, text: str) -> None:
        self.beginFilterChange()
        source = self.sourceModel()
        self._query = parse_query(text, source.haystack_of) if source is not None else parse_query(text)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.query_changed.emit()

    def refilter(self) -> None:
        """Filter again (tracks' fields changed under the same choices, e.g. a track got its mood tag)."""
        self.beginFilterChange()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.refiltered.emit()

    def set_chosen(self, chosen: dict[str, frozenset[str]]) -> None:
        """The browser panes' choices ({facet: values}; empty: everything)."""
        if chosen == self._chosen:
            return
        self.beginFilterChange()
        self._chosen = dict(chosen)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self.query_changed.emit()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._query and not self._chosen:
            return True
        model = self.sourceModel()
        t = model.track(source_row)  # type: ignore[attr-defined]
        if self._chosen and not passes(t, self._chosen):
            return False
        return self._query.matches(t)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the library model's (fast, in Python); this proxy keeps its order and only filters."""
        source = self.sourceModel()
        if source is not None:
            source.sort(column, order)

    def path_at(self, proxy_row: int) -> str:
        # Through the source model, not a role: a non-UTF-8 path would not survive a QString.
        source_row = self.mapToSource(self.index(proxy_row, 0)).row()
        return self.sourceModel().track(source_row)["path"]  # type: ignore[attr-defined]


class ShownLength(QObject):
    """The summed length of the tracks a filtered view shows. Worked out a moment after the view changed, not at
    once: it is a pass over the view's rows (about 0.16 s for 40,000 of 50,000 tracks). After a new filter text or
    browser choice there is no figure until then (typing refilters at every key; the count before would be
    wrong); when tracks come, go or change length under the same filter (a scan, tagging, an edit) the last figure
    stays until the new one is there, at most a second later. `ready` says when a new figure is there."""

    ready = Signal()
    QUERY_DELAY_MS = 250
    CHANGE_DELAY_MS = 1000

    def __init__(self, view: LibraryFilter, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._view = view
        self._seconds: float | None = None
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._count)
        view.query_changed.connect(self.forget)
        source = view.sourceModel()
        for signal in (view.refiltered, source.modelReset, source.rowsInserted, source.rowsRemoved,
                       source.lengths_changed):
            signal.connect(self._changed)

    def forget(self) -> None:
        """Another filter: no figure until it is worked out again."""
        self._seconds = None
        self._timer.start(self.QUERY_DELAY_MS)

    def _changed(self, *_args: object) -> None:
        if not self._timer.isActive():
            self._timer.start(self.CHANGE_DELAY_MS)

    def seconds(self) -> float | None:
        """The view's length, or None while it is being worked out (`ready` follows)."""
        if self._seconds is None and not self._timer.isActive():
            self._timer.start(self.QUERY_DELAY_MS)
        return self._seconds

    def _count(self) -> None:
        view = self._view
        source = view.sourceModel()
        if view.rowCount() == source.rowCount():  # (everything is shown: the window sums the library itself)
            self._seconds = None
            return
        rows = (source.track(view.mapToSource(view.index(r, 0)).row()) for r in range(view.rowCount()))
        self._seconds = total_seconds(rows)
        self.ready.emit()
