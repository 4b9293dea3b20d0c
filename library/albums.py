"""Albums: which tracks belong together and in what order they play (disc, track number, then file name).
Plain Python, no Qt.

Two tracks are on the same album when their album tags are equal (ignoring case) and so are their album artists;
tracks without an album artist are grouped by folder instead, so two different "Greatest Hits" in two folders stay
apart while a compilation in one folder (one artist per track) stays together. A disc folder ("CD1", "Disc 2") counts
as its parent, so a two-disc album in two subfolders is one album.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence

_DISC_FOLDER = re.compile(r"^(cd|dis[ck])[\s._-]*\d{1,2}$", re.IGNORECASE)


def album_folder(path: str) -> str:
    """The folder that holds an album's files, a disc subfolder counting as its parent."""
    folder = os.path.dirname(path)
    if _DISC_FOLDER.match(os.path.basename(folder)):
        return os.path.dirname(folder)
    return folder


def album_key(track: Mapping) -> tuple[str, str] | None:
    """What identifies the track's album, or None when the track has no album tag."""
    album = str(track.get("album") or "").strip().casefold()
    if not album:
        return None
    artist = str(track.get("albumartist") or "").strip().casefold()
    return (album, "artist:" + artist) if artist else (album, "folder:" + album_folder(str(track["path"])))


def _number(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return 0


def play_order(track: Mapping) -> tuple[int, int, str]:
    """Where the track comes on its album: disc, track number, then the path (untagged files are often named
    "01 …", "02 …")."""
    return (_number(track.get("disc_no")), _number(track.get("track_no")), str(track["path"]))


def same_album(track: Mapping, others: Iterable[Mapping | None]) -> bool:
    """Whether any of the others is on the track's album (a track without an album tag is on none)."""
    key = album_key(track)
    return key is not None and any(o is not None and album_key(o) == key for o in others)


def albums_of(tracks: Iterable[Mapping], paths: Sequence[str]) -> list[str]:
    """The paths of the whole albums the given tracks are on, each album once, in the order the given tracks
    first name them, every album in play order. A given track without an album tag stands for itself."""
    by_path: dict[str, Mapping] = {}
    members: dict[tuple[str, str], list[Mapping]] = {}
    for t in tracks:
        by_path[str(t["path"])] = t
        key = album_key(t)
        if key is not None:
            members.setdefault(key, []).append(t)
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for path in paths:
        t = by_path.get(path)
        if t is None:
            continue
        key = album_key(t)
        if key is None:
            out.append(path)
        elif key not in seen:
            seen.add(key)
            out.extend(str(m["path"]) for m in sorted(members[key], key=play_order))
    return out
