"""File → Open playlist / Save queue as playlist, and playlists dropped on the window (library/playlists.py reads
and writes the files)."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog

from library.playlists import match_library, read_playlist, write_m3u8

log = logging.getLogger("moodtape.ui")


def plural(n: int, word: str = "track") -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def playlist_dir(window: Any) -> str:
    """Where the file dialogs start: the last playlist's folder, else the first library folder, else home."""
    last = window.store.get_state("playlist_dir", "") or ""
    if last and os.path.isdir(last):
        return last
    folders = [f for f in window.library_folders() if os.path.isdir(f)]
    return folders[0] if folders else str(Path.home())


def choose_and_open(window: Any) -> None:
    path, _ = QFileDialog.getOpenFileName(window, "Open a playlist", playlist_dir(window),
                                          "Playlists (*.m3u *.m3u8 *.pls);;All files (*)")
    if path:
        open_playlist(window, path)


def open_playlist(window: Any, path: str) -> int:
    """Queue a playlist's tracks (after the tracks already queued by hand) and say what was left out.
    Returns how many tracks were queued."""
    name = os.path.basename(path)
    try:
        contents = read_playlist(path)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        window.show_message(f"Could not open the playlist {name}: {reason}")
        return 0
    window.store.set_state("playlist_dir", os.path.dirname(os.path.abspath(path)))
    found, outside = match_library(contents.paths, [t["path"] for t in window.library.rows()])
    if found:
        window.engine.queue.add(found)
        window._on_queue_changed()
        window.queue_pinned_changed.emit()
    parts = [f"Queued {plural(len(found))} from {name}"]
    if outside:
        parts.append(f"{len(outside)} not in your library (add their folder first)")
    if contents.skipped:
        parts.append(f"{len(contents.skipped)} not found or not local files")
    window.show_message("; ".join(parts))
    for entry, reason in contents.skipped[:20]:
        log.info("playlist %s: left out %r: %s", name, entry, reason)
    return len(found)


def queue_tracks(window: Any) -> list[dict]:
    """The playing track and everything up next, in order, as library rows (a path alone when unknown)."""
    q = window.engine.queue
    paths = ([q.current] if q.current else []) + q.paths()
    return [window.library.track_for(p) or {"path": p} for p in paths]


def choose_and_save(window: Any) -> None:
    if not queue_tracks(window):
        window.show_message("The queue is empty: nothing to save as a playlist")
        return
    default = os.path.join(playlist_dir(window), time.strftime("Moodtape %Y-%m-%d %H.%M.m3u8"))
    path, _ = QFileDialog.getSaveFileName(window, "Save the queue as a playlist", default, "M3U8 playlist (*.m3u8)")
    if path:
        save_playlist(window, path)


def save_playlist(window: Any, path: str) -> int:
    """Write the playing track and the queue as an M3U8 playlist. Returns how many tracks were written."""
    if not path.lower().endswith((".m3u8", ".m3u")):
        path += ".m3u8"
    try:
        n = write_m3u8(path, queue_tracks(window))
    except OSError as exc:
        window.show_message(f"Could not save the playlist {os.path.basename(path)}: {exc.strerror or exc}")
        return 0
    window.store.set_state("playlist_dir", os.path.dirname(os.path.abspath(path)))
    window.show_message(f"Saved {plural(n)} to {os.path.basename(path)}")
    return n
