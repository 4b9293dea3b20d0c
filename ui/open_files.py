"""Opening files with Moodtape: the command line's paths, a file manager's "Open with" (also when Moodtape is already
running: the second start hands them over), and music files dropped on the window.

- A folder joins the library (as `--library` or File → Add music folder).
- Music and video files play: the first one now, the others next, in the order given; an opened playlist's files
  come after them. Dropped files are queued instead, and a dropped playlist is queued as File → Open playlist does.
- A file outside every library folder joins the library as a single file (listed in Settings → Library, where it
  can be removed), so it is mood-tagged, counted and remembered like any other track.
- Anything else (a missing file, a stream URL, a text file) is left out, and the status bar says so.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any

from library.open_targets import NOT_MEDIA, library_path, sort_targets
from library.playlists import match_library, read_playlist
from library.tags import media_kind
from ui.playlist_actions import plural

log = logging.getLogger("moodtape.ui")


def open_paths(window: Any, args: Iterable[str], play: bool = True) -> None:
    """Open what the listener named (paths or file:// URLs). play: the music files play now (Open with), else
    they are queued after the tracks queued by hand (a drop)."""
    targets = sort_targets(args)
    if not targets:
        return
    for folder in targets.folders:
        window.add_folder(folder)  # (a known one is rescanned: incremental)
    media = list(targets.media)
    skipped = list(targets.skipped)
    for playlist in targets.playlists:
        if not play:  # a dropped playlist is queued, its files outside the library left out
            window.open_playlist(playlist)
            continue
        try:  # opened: its files play like files opened one by one
            contents = read_playlist(playlist)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            skipped.append((playlist, f"could not read the playlist: {reason}"))
            continue
        for path in contents.paths:
            if not media_kind(path):
                skipped.append((path, NOT_MEDIA))
            elif path not in media:
                media.append(path)
        skipped.extend((entry, reason) for entry, reason in contents.skipped)
    for arg, reason in skipped:
        log.info("open: left out %r: %s", arg, reason)
    if not media:
        if skipped:
            _say(window, [], play, skipped, [])
        return
    folders = window.library_folders()
    media = list(dict.fromkeys(library_path(p, folders) or p for p in media))  # (as the folder's scan names it)
    found, outside = match_library(media, [t["path"] for t in window.library.rows()])
    if not outside:
        _play(window, found, play, skipped, [])
        return
    single = [p for p in outside if library_path(p, folders) is None]
    if single:
        files = window.library_files()
        window.store.set_state("library_files", files + [p for p in single if p not in files])
        window.store.flush()
    # (a file in a library folder that its scan has not reached yet is read now; the folder keeps it)
    window.scan_files(outside, then=lambda result: _play(window, media, play, skipped, result.problems))


def _play(window: Any, paths: list[str], play: bool, skipped: list[tuple[str, str]],
          unreadable: list[tuple[str, str]]) -> None:
    """Play (or queue) the files now in the library, in the order asked for."""
    found, _missing = match_library(paths, [t["path"] for t in window.library.rows()])
    if found:
        if play:
            window.engine.play_path(found[0])
            rest = found[1:]
            if rest:
                window.engine.queue.add(rest, next_up=True)
        else:
            window.engine.queue.add(found)
        window._on_queue_changed()
        window.queue_pinned_changed.emit()
        if window.auto_tag:
            window.start_tagging()
    _say(window, found, play, skipped, unreadable)


def _say(window: Any, found: list[str], play: bool, skipped: list[tuple[str, str]],
         unreadable: list[tuple[str, str]]) -> None:
    parts = []
    if found and play:
        track = window.library.track_for(found[0]) or {}
        title = track.get("title") or os.path.basename(found[0])
        parts.append(f"Playing {title}" + (f", {plural(len(found) - 1)} next" if len(found) > 1 else ""))
    elif found:
        parts.append(f"Queued {plural(len(found))}")
    if unreadable:
        parts.append(f"{plural(len(unreadable), 'file')} could not be read (see Problems)")
    if skipped:
        reasons = sorted({reason for _arg, reason in skipped})
        parts.append(f"{plural(len(skipped), 'file')} left out: {'; '.join(reasons)}")
    if parts:
        window.show_message("; ".join(parts))


__all__ = ["open_paths"]
