"""The library table's columns: which show, in what order, how wide; chosen from the header's context menu
(right-click a column title, as in Strawberry or Quod Libet), dragged to reorder, and kept across restarts."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from ui.library_model import COLUMNS

# The columns in their first order on a fresh install, with their widths (None: the last one stretches). The mood
# column comes right after the artist, so on a small screen the mood tags, the player's own feature, are in view
# without scrolling.
_FIRST_LAYOUT = (("title", 125), ("artist", 90), ("quadrant", 125), ("album", 90), ("genre", 60),
                 ("duration", 48), ("valence", 54), ("arousal", 54), ("plays", 44), ("last_played", 110),
                 ("track_no", 30), ("disc_no", 36), ("year", 44), ("albumartist", 90), ("added", 110),
                 ("format", 50), ("bitrate", 70), ("moods", None))
_LOGICAL = {key: i for i, (key, _) in enumerate(COLUMNS)}  # column key -> the model's column
DEFAULT_ORDER = tuple(_LOGICAL[key] for key, _ in _FIRST_LAYOUT)
DEFAULT_WIDTHS = {_LOGICAL[key]: width for key, width in _FIRST_LAYOUT if width is not None}
ALWAYS_SHOWN = (_LOGICAL["title"],)  # a row with no title tells nothing
# there, in the header's menu, but not at first
FIRST_HIDDEN = tuple(_LOGICAL[key] for key in ("plays", "last_played", "track_no", "disc_no", "year", "albumartist",
                                               "added", "format", "bitrate"))


def set_default_columns(table: QTableView) -> None:
    """The fresh-install layout: DEFAULT_ORDER, DEFAULT_WIDTHS, every column shown but FIRST_HIDDEN."""
    header = table.horizontalHeader()
    for visual, logical in enumerate(DEFAULT_ORDER):
        if logical < header.count():
            header.moveSection(header.visualIndex(logical), visual)
    for logical, width in DEFAULT_WIDTHS.items():
        table.setColumnWidth(logical, width)
    for logical in range(header.count()):
        header.setSectionHidden(logical, logical in FIRST_HIDDEN)


def apply_header_settings(header: QHeaderView) -> None:
    """What the code decides about the header (a restored state must not carry an older version's choice)."""
    header.setSectionsMovable(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)


def install_column_menu(table: QTableView) -> None:
    """Movable column titles, and a context menu on them with one check box per column."""
    header = table.horizontalHeader()
    apply_header_settings(header)
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    header.customContextMenuRequested.connect(lambda pos: _show_menu(table, header.mapToGlobal(pos)))


def _show_menu(table: QTableView, at) -> None:
    menu = column_menu(table)
    menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # one menu a right-click, gone once it closes
    menu.popup(at)


def column_menu(table: QTableView) -> QMenu:
    """The header's menu: a check box per column in the order shown (the title cannot be hidden), then a reset."""
    header = table.horizontalHeader()
    model = table.model()
    menu = QMenu(table)
    for visual in range(header.count()):
        logical = header.logicalIndex(visual)
        action = QAction(_title(model, logical), menu, checkable=True)
        action.setChecked(not header.isSectionHidden(logical))
        action.setEnabled(logical not in ALWAYS_SHOWN)
        action.toggled.connect(lambda shown, col=logical: show_column(table, col, shown))
        menu.addAction(action)
    menu.addSeparator()
    menu.addAction("Reset columns", lambda: set_default_columns(table))
    return menu


def show_column(table: QTableView, logical: int, shown: bool) -> None:
    if logical in ALWAYS_SHOWN and not shown:
        return
    header = table.horizontalHeader()
    header.setSectionHidden(logical, not shown)
    if shown and header.sectionSize(logical) < header.minimumSectionSize() + 4:
        table.setColumnWidth(logical, DEFAULT_WIDTHS.get(logical, 100))


def _title(model, logical: int) -> str:
    return str(model.headerData(logical, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))


def _names(header: QHeaderView) -> list[str]:
    model = header.model()
    return [] if model is None else [_title(model, c) for c in range(model.columnCount())]


def header_state(header: QHeaderView) -> dict:
    """Order, widths, hidden columns and sort of the header, with the column names it was saved for (for the
    store)."""
    return {"columns": _names(header), "state": bytes(header.saveState().toBase64().data()).decode()}


def restore_header(header: QHeaderView, saved: object) -> bool:
    """Put back a header_state; False (and the header unchanged) when there is none, or it was saved for other
    columns, or Qt cannot read it. A state saved before columns were added at the end (an older version's) is
    put back with the new columns hidden, where the fresh layout would hide them too."""
    if not isinstance(saved, dict) or not saved.get("state") or not isinstance(saved.get("columns"), list):
        return False
    names, old = _names(header), saved["columns"]
    if not old or old != names[: len(old)]:
        return False
    before = header.saveState()
    if not header.restoreState(QByteArray.fromBase64(str(saved["state"]).encode())):
        header.restoreState(before)
        return False
    apply_header_settings(header)
    for logical in range(len(old), len(names)):  # added since: hidden, as on a fresh install
        header.setSectionHidden(logical, True)
    for logical in ALWAYS_SHOWN:
        header.setSectionHidden(logical, False)
    return True
