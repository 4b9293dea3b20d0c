"""What the library table's right-click menu and a few shortcuts do with tracks: play a whole album, jump to the
playing track, open a track's folder in the file manager."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractItemView

from library.albums import albums_of
from library.browse import FACETS


def play_selected_albums(window: Any) -> None:
    """Play the album of the selected track from its first track, the rest of it (and of the other selected
    tracks' albums) queued next, in play order (disc, track number, file name)."""
    paths = albums_of(window.library.rows(), window.selected_paths())
    if not paths:
        return
    window.engine.queue.add(paths[1:], next_up=True)
    window.engine.play_path(paths[0])
    window._on_queue_changed()
    window.queue_pinned_changed.emit()


def _proxy_row(window: Any, path: str) -> int | None:
    row = window.library.row_of(path)
    if row is None:
        return None
    index = window.filter.mapFromSource(window.library.index(row, 0))
    return index.row() if index.isValid() else None


def jump_to_playing(window: Any) -> bool:
    """Select the playing track in the library table and scroll it into the middle. When the filter or the
    browser's picks hide it, they are cleared first (and the status bar says so). False when nothing plays or the
    track is not in the library."""
    path = window.engine.current
    if not path or window.library.row_of(path) is None:
        window.show_message("Nothing from the library is playing")
        return False
    row = _proxy_row(window, path)
    if row is None:
        window.filter_edit.clear()
        for facet in FACETS:
            if window.browser.chosen.get(facet):
                window.browser.choose(facet, set())
        row = _proxy_row(window, path)
        if row is None:
            return False
        window.show_message("Cleared the filter and the browser's picks to show the playing track")
    window.tabs.setCurrentIndex(0)  # the Library tab (from Problems, say)
    index = window.filter.index(row, 0)
    window.table.selectionModel().setCurrentIndex(
        index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    window.table.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
    window.table.setFocus()
    return True


def open_folder_of_selected(window: Any) -> None:
    """Open the folder of the selected track (the first one) in the desktop's file manager."""
    paths = window.selected_paths()
    if not paths:
        return
    folder = os.path.dirname(paths[0])
    if not os.path.isdir(folder):
        window.show_message(f"The folder is gone: {folder}")
        return
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(folder)):
        window.show_message(f"No file manager could open {folder}")
