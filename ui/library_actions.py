"""What the library table's right-click menu and a few shortcuts do with tracks: play a whole album, jump to the
playing track, open a track's folder in the file manager, set a track's mood yourself, move files to the trash."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QFile, QItemSelectionModel, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QAbstractItemView

from emotion.mood_space import QUADRANT_NAMES
from library import track_memory
from library.albums import albums_of
from library.browse import FACETS
from library.mood_edits import back_to_tagger_fields, mood_fields, set_by_you
from library.trash import trash_by_bytes


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


def set_mood_of_selected(window: Any, q: str | None) -> None:
    """Give the selected tracks the mood quadrant q yourself (None: hand them back to the tagger)."""
    set_mood_of(window, window.selected_paths(), q)


def set_mood_of_playing(window: Any, q: str | None) -> None:
    """The same for the track playing now: the listener hears it and says what it feels like."""
    if not window.engine.current or window.library.track_for(window.engine.current) is None:
        window.show_message("Nothing from the library is playing")
        return
    set_mood_of(window, [window.engine.current], q)


def set_mood_of(window: Any, paths: list[str], q: str | None) -> None:
    """Give these tracks the mood quadrant q yourself (None: hand them back to the tagger). The planner, the map and
    the table follow at once; re-tagging leaves a hand-set mood alone."""
    tracks = [t for t in (window.library.track_for(p) for p in paths) if t]
    if not tracks:
        return
    if q is None:
        updates = [(t["path"], back_to_tagger_fields(t)) for t in tracks if set_by_you(t)]
    else:
        updates = [(t["path"], mood_fields(t, q)) for t in tracks]
    if not updates:
        window.show_message("The tagger already reads these tracks' moods")
        return
    window.store.update_tracks(updates)
    window.store.flush()
    window.library.update_fields(updates)
    window.filter.refilter()
    window._update_counts()
    window.library_changed.emit()
    if window.engine.current in dict(updates):
        window.now_playing.show_track(window.library.track_for(window.engine.current))
    n = len(updates)
    what = f"{n} track{'s' if n != 1 else ''}"
    if q is None:
        window.show_message(f"Handed {what} back to the tagger")
        if window.auto_tag:
            window.start_tagging()  # tracks it never read (or read with an older model) get tagged
    else:
        window.show_message(f"Set the mood of {what} to {q} {QUADRANT_NAMES[q]} (kept when re-tagging)")


def trash_files(paths: list[str]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Move files to the desktop's trash (the freedesktop.org trash, restorable from the file manager). Returns
    (the paths moved, the paths already gone, [(path, reason)] for those that stay). A file whose folder is gone
    too (a drive not connected, say) stays, with that reason."""
    moved, gone, kept = [], [], []
    for path in paths:
        if not os.path.lexists(path):
            if os.path.isdir(os.path.dirname(path)):
                gone.append(path)
            else:
                kept.append((path, "its folder is not there (is its drive connected?)"))
            continue
        try:
            path.encode("utf-8")
        except UnicodeEncodeError:  # a name that is not UTF-8: QFile cannot address it
            reason = trash_by_bytes(path)
        else:
            f = QFile(path)
            reason = None if f.moveToTrash() else (f.errorString() or "the trash refused it")
        if reason is None:
            moved.append(path)
        else:
            kept.append((path, reason))
    return moved, gone, kept


def move_selected_to_trash(window: Any) -> int:
    """Move the selected tracks' files to the trash after asking, and take them out of the library and the queue.
    The playing track among them gives way to the next one. A file that cannot be moved stays, listed under
    Problems with the reason. Returns how many files went."""
    paths = window.selected_paths()
    if not paths:
        return 0
    if window._edits_running:
        window.show_message("Tags are still being saved; try again in a moment")
        return 0
    n = len(paths)
    names = os.path.basename(paths[0]) + (f" and {n - 1} more" if n > 1 else "")
    what = "this file" if n == 1 else f"these {n} files"
    if not window.confirm(f"Move {what} to the trash?\n\n{names}\n\nYou can restore them from the trash; "
                          "they then come back with their plays and moods."):
        return 0
    moved, gone, kept = trash_files(paths)
    if moved:  # for when they come back from the trash
        track_memory.remember(window.store, [window.store.get_track(p) for p in moved], track_memory.TRASH)
    if moved or gone:
        window.forget_tracks(moved + gone)  # out of the queue too, so the playing track gives way to one that stays
        if window.engine.current in moved + gone:
            window.engine.drop_current()
    if kept:
        window.store.add_problems([(p, "trash", reason) for p, reason in kept])
        window.store.flush()
        window.refresh_problems()
    text = f"Moved {len(moved)} file{'s' if len(moved) != 1 else ''} to the trash"
    if gone:
        text += f"; {len(gone)} {'was' if len(gone) == 1 else 'were'} gone already"
    if kept:
        text += f"; {len(kept)} not moved ({os.path.basename(kept[0][0])}: {kept[0][1]}; see Problems)"
    window.show_message(text)
    return len(moved)
