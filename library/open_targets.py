"""What the listener asked Moodtape to open: the paths and file:// URIs of a command line or a file manager's
"Open with" (the desktop entry passes %U), or a drop on the window, sorted into library folders, playlists and
music files, with the rest left out and why.

Plain Python, no Qt. Nothing is read here beyond what the file system says about each name.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote_to_bytes, urlsplit

from library.playlists import is_playlist
from library.scanner import is_under
from library.tags import media_kind

NOT_LOCAL = "not a local file (a stream or a remote URL)"
NOT_FOUND = "not found"
NOT_MEDIA = "not a music, video or playlist file"


@dataclass
class OpenTargets:
    folders: list[str] = field(default_factory=list)
    playlists: list[str] = field(default_factory=list)
    media: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (argument as given, reason)

    def __bool__(self) -> bool:
        return bool(self.folders or self.playlists or self.media or self.skipped)


def local_path(arg: str, cwd: str | None = None) -> str | None:
    """The absolute local path an argument names, or None for a URL that is not a local file. A file:// URL is
    unquoted to the file system's bytes (so a name that is not UTF-8 survives); anything else is a path, taken
    relative to cwd."""
    head = arg[:16].lower()
    if "://" in head or head.startswith("file:"):
        parts = urlsplit(arg)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        return os.path.normpath(os.fsdecode(unquote_to_bytes(parts.path)))
    base = cwd if cwd is not None else os.getcwd()
    return os.path.normpath(os.path.join(base, os.path.expanduser(arg)))


def absolute_args(args: Iterable[str], cwd: str | None = None) -> list[str]:
    """The arguments as absolute paths (a URL that is not a local file as it is), for a running player that has
    another working folder."""
    return [local_path(arg, cwd) or arg for arg in args if arg]


def sort_targets(args: Iterable[str], cwd: str | None = None) -> OpenTargets:
    """Folders, playlists and music / video files, in the order given (each once); the rest in skipped."""
    targets = OpenTargets()
    seen: set[str] = set()
    for arg in args:
        if not arg:
            continue
        path = local_path(arg, cwd)
        if path is None:
            targets.skipped.append((arg, NOT_LOCAL))
            continue
        if path in seen:
            continue
        seen.add(path)
        if os.path.isdir(path):
            targets.folders.append(path)
        elif not os.path.exists(path):
            targets.skipped.append((arg, NOT_FOUND))
        elif not os.path.isfile(path):
            targets.skipped.append((arg, NOT_MEDIA))
        elif is_playlist(path):
            targets.playlists.append(path)
        elif media_kind(path):
            targets.media.append(path)
        else:
            targets.skipped.append((arg, NOT_MEDIA))
    return targets


def library_path(path: str, folders: Iterable[str]) -> str | None:
    """The name a library folder's scan gives this file: the path itself when it lies in one of the folders, the
    folder's name for it when it lies there only through a symlink (a folder ~/Music -> /data/Music, the file
    named /data/Music/x.mp3), None when it is in none of them."""
    folders = [os.path.abspath(f) for f in folders]
    if any(is_under(path, f) for f in folders):
        return path
    real = os.path.realpath(path)
    for f in folders:
        real_f = os.path.realpath(f)
        if is_under(real, real_f):
            return os.path.normpath(os.path.join(f, os.path.relpath(real, real_f)))
    return None


__all__ = ["NOT_FOUND", "NOT_LOCAL", "NOT_MEDIA", "OpenTargets", "absolute_args", "library_path", "local_path",
           "sort_targets"]
