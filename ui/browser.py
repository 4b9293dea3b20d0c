"""The browser panes over the library table: Mood | Artist | Album, each a list of values with their track counts.

Choosing values in a pane narrows the panes to its right and the table (see library/browse.py for the rules).
The first row of every pane is "All …": choosing it (or nothing) lifts that pane's choice. The panes follow the
library model (scans, tagging results) on a coalescing timer, so a batch of changes costs one recount.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QSplitter, QVBoxLayout, QWidget

from emotion.mood_space import QUADRANT_NAMES
from library.browse import FACETS, count_panes, narrow
from ui.library_model import LibraryModel

Index = QModelIndex | QPersistentModelIndex

ALL_LABELS = {"quadrant": "All moods", "artist": "All artists", "album": "All albums"}
NONE_LABELS = {"quadrant": "(not tagged yet)", "artist": "(no artist)", "album": "(no album)"}
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1


def value_label(facet: str, value: str) -> str:
    if not value:
        return NONE_LABELS[facet]
    if facet == "quadrant" and value in QUADRANT_NAMES:
        return f"{value} {QUADRANT_NAMES[value]}"
    return value


class FacetModel(QAbstractListModel):
    """One pane: row 0 is "All", then (value, count) rows."""

    def __init__(self, facet: str, parent=None) -> None:
        super().__init__(parent)
        self.facet = facet
        self._rows: list[tuple[str, int]] = []
        self._row_of: dict[str, int] = {}

    def set_rows(self, rows: list[tuple[str, int]]) -> bool:
        """Show these (value, count) rows; returns whether anything changed. When only counts moved, the rows
        are updated in place (the view keeps its current row and scroll position)."""
        rows = list(rows)
        if rows == self._rows:
            return False
        if [v for v, _ in rows] == [v for v, _ in self._rows]:
            self._rows = rows
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows), 0))  # "All (n)" row too
            return True
        self.beginResetModel()
        self._rows = rows
        self._row_of = {v: i + 1 for i, (v, _) in enumerate(rows)}
        self.endResetModel()
        return True

    def rows(self) -> list[tuple[str, int]]:
        return list(self._rows)

    def values(self) -> list[str]:
        return [v for v, _ in self._rows]

    def row_of(self, value: str) -> int | None:
        return self._row_of.get(value)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows) + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            if row == 0:
                n = len(self._rows)
                return f"{ALL_LABELS[self.facet]} ({n})"
            value, count = self._rows[row - 1]
            return f"{value_label(self.facet, value)} ({count})"
        if role == VALUE_ROLE:
            return None if row == 0 else self._rows[row - 1][0]
        if role == Qt.ItemDataRole.ToolTipRole and row > 0:
            value, count = self._rows[row - 1]
            return f"{value_label(self.facet, value)}: {count} track{'s' if count != 1 else ''}"
        return None


class BrowserPanes(QWidget):
    """Three panes side by side. `chosen_changed(dict)` carries {facet: frozenset(values)} for panes with a choice."""

    chosen_changed = Signal(object)
    recounted = Signal()  # the panes followed a change of the library (tracks' values may have moved)
    REFRESH_MS = 1500
    FIRST_COUNT_MS = 50

    def __init__(self, library: LibraryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.chosen: dict[str, frozenset[str]] = {}
        self._updating = False
        self.models: dict[str, FacetModel] = {}
        self.views: dict[str, QListView] = {}
        splitter = QSplitter(Qt.Orientation.Horizontal)
        for facet in FACETS:
            model = FacetModel(facet, self)
            view = QListView()
            view.setModel(model)
            view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
            view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            view.setUniformItemSizes(True)
            view.selectionModel().selectionChanged.connect(
                lambda _sel, _desel, f=facet: self._on_selection(f))
            self.models[facet] = model
            self.views[facet] = view
            splitter.addWidget(view)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.REFRESH_MS)
        self._timer.timeout.connect(self._recount)
        for sig in (library.modelReset, library.rowsInserted, library.rowsRemoved, library.dataChanged):
            sig.connect(self._schedule)
        self._stale = True

    # ----- following the library
    def _schedule(self, *_args: object) -> None:
        self._stale = True
        if self.isVisible() and not self._timer.isActive():  # at most one recount per interval
            self._timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:  # after the window's first paint (a big library takes a moment to count)
            QTimer.singleShot(self.FIRST_COUNT_MS, self._recount)

    def _recount(self) -> None:
        if self.rebuild():
            self.recounted.emit()

    def rebuild(self, emit: bool = True) -> bool:
        """Recount the panes, keep the choices that still exist, and (with `emit`) say so when the choice changed.
        Returns whether any pane's rows changed."""
        self._stale = False
        tracks = self.library.rows()
        before = dict(self.chosen)
        chosen = dict(self.chosen)
        counts = count_panes(tracks, chosen)  # one pass for all panes
        for _ in FACETS:  # a choice whose value is gone is dropped, and the panes right of it counted again
            kept = narrow(chosen, {f: [v for v, _ in rows] for f, rows in counts.items()})
            if kept == chosen:
                break
            chosen = kept
            counts = count_panes(tracks, chosen)
        changed = False
        self._updating = True
        try:
            for facet in FACETS:
                model, view = self.models[facet], self.views[facet]
                old_values = model.values()
                current = view.currentIndex().data(VALUE_ROLE) if view.currentIndex().isValid() else None
                top = view.indexAt(view.viewport().rect().topLeft())
                top_value = top.data(VALUE_ROLE) if top.isValid() else None
                changed = model.set_rows(counts[facet]) or changed
                if model.values() != old_values or chosen.get(facet) != before.get(facet):
                    self._select(facet, chosen.get(facet, frozenset()), scroll=False)  # after a reset, or a drop
                if model.values() != old_values:  # a reset: the listener's place in the list stays
                    self._restore_place(facet, current, top_value)
        finally:
            self._updating = False
        self.chosen = chosen
        if emit and chosen != before:
            self.chosen_changed.emit(dict(chosen))
        return changed

    # ----- choosing
    def saved_choice(self) -> dict[str, list[str]]:
        """The picks, for the store (JSON)."""
        return {facet: sorted(values) for facet, values in self.chosen.items()}

    def restore_choice(self, saved: object) -> dict[str, frozenset[str]]:
        """Take back saved picks (before the first count: it drops those whose values are gone). Returns them."""
        chosen: dict[str, frozenset[str]] = {}
        if isinstance(saved, dict):
            for facet, values in saved.items():
                if facet in FACETS and isinstance(values, list):
                    picked = frozenset(v for v in values if isinstance(v, str))
                    if picked:
                        chosen[facet] = picked
        self.chosen = chosen
        self._stale = True
        return dict(chosen)

    def choose(self, facet: str, values: set[str] | frozenset[str]) -> None:
        """Choose values in a pane (as a click would; an empty set is "All")."""
        self._select(facet, frozenset(values))

    def _restore_place(self, facet: str, current: str | None, top: str | None) -> None:
        view, model = self.views[facet], self.models[facet]
        if current is not None and (row := model.row_of(current)) is not None:
            view.selectionModel().setCurrentIndex(model.index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        if top is not None and (row := model.row_of(top)) is not None:
            view.scrollTo(model.index(row, 0), QAbstractItemView.ScrollHint.PositionAtTop)

    def _select(self, facet: str, values: frozenset[str], scroll: bool = True) -> None:
        """Select the rows of these values ("All" when none), as runs of neighbouring rows (thousands of picked
        artists are a handful of ranges, not thousands)."""
        view, model = self.views[facet], self.models[facet]
        rows = sorted(r for r in (model.row_of(v) for v in values) if r is not None) or [0]
        sel = QItemSelection()
        start = prev = rows[0]
        for r in [*rows[1:], None]:
            if r is not None and r == prev + 1:
                prev = r
                continue
            sel.select(model.index(start, 0), model.index(prev, 0))
            if r is not None:
                start = prev = r
        view.selectionModel().select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if scroll and rows != [0]:
            view.scrollTo(model.index(rows[0], 0))

    def _on_selection(self, facet: str) -> None:
        if self._updating:
            return
        view, model = self.views[facet], self.models[facet]
        rows = sorted(i.row() for i in view.selectionModel().selectedIndexes())
        if not rows or (0 in rows and view.currentIndex().row() == 0):
            values: frozenset[str] = frozenset()  # "All" (or nothing) picked
        else:
            shown = model.values()
            values = frozenset(shown[r - 1] for r in rows if r > 0)
        if rows != ([0] if not values else sorted(r for r in rows if r > 0)):
            self._updating = True  # show what counts: "All" alone, or the values without "All"
            try:
                self._select(facet, values)
            finally:
                self._updating = False
        chosen = {k: v for k, v in self.chosen.items() if k != facet}
        if values:
            chosen[facet] = values
        self.chosen = chosen
        if facet != FACETS[-1]:  # the panes to its right follow (a pane's own counts do not depend on its pick)
            self.rebuild(emit=False)
        self.chosen_changed.emit(dict(self.chosen))
