"""Albums: which tracks belong together and in what order they play (disc, track number, then file name).
Plain Python, no Qt.

Two tracks are on the same album when their album tags are equal (ignoring case) and so are their album artists.
Tracks without an album artist are grouped by folder instead, so two different "Greatest Hits" in two folders stay
apart while a compilation in one folder (one artist per track) stays together. A disc folder ("CD1", "Disc 2") counts
as its parent, so a two-disc album in two subfolders is one album, and its number stands in for a missing disc tag.
Where one folder holds same-named albums of different artists without album artist tags (the same track number
under two artists), the artist tells them apart (`album_keys`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

_DISC_FOLDER = re.compile(r"^(?:cd|dis[ck])[\s._-]*(\d{1,2})$", re.IGNORECASE)

AlbumKey = tuple[str, ...]


@lru_cache(maxsize=8192)
def _folder_facts(folder: str) -> tuple[str, int]:
    """(the album's folder, the disc number) for a track's folder: a disc folder ("CD2") gives its parent and its
    number, any other folder itself and 0. Cached: a library has far fewer folders than tracks."""
    m = _DISC_FOLDER.match(os.path.basename(folder))
    return (os.path.dirname(folder), int(m.group(1))) if m else (folder, 0)


def _parent(path: str) -> str:
    return path.rpartition(os.sep)[0]  # os.path.dirname, without its cost (called per track per sort)


def album_folder(path: str) -> str:
    """The folder that holds an album's files, a disc subfolder counting as its parent."""
    return _folder_facts(_parent(path))[0]


def _folder_disc(path: str) -> int:
    """The disc number a disc folder names ("CD2" -> 2), else 0."""
    return _folder_facts(_parent(path))[1]


def album_key(track: Mapping) -> AlbumKey | None:
    """What identifies the track's album on its own, or None when the track has no album tag."""
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
    """Where the track comes on its album: disc (the tag, else a disc folder's number), track number, then the path
    (untagged files are often named "01 …", "02 …")."""
    path = str(track["path"])
    disc = track.get("disc_no")
    return (_number(disc) if disc else _folder_disc(path), _number(track.get("track_no")), path)


def album_keys(tracks: Iterable[Mapping]) -> dict[str, AlbumKey]:
    """Every track's album (path -> key; tracks without an album tag are left out), looking at whole folders: a
    folder-grouped album in which one disc and track number belongs to two artists is two or more albums, one an
    artist."""
    keys: dict[str, AlbumKey] = {}
    by_folder: dict[AlbumKey, list[Mapping]] = {}
    for t in tracks:
        key = album_key(t)
        if key is None:
            continue
        keys[str(t["path"])] = key
        if key[1].startswith("folder:"):
            by_folder.setdefault(key, []).append(t)
    for key, members in by_folder.items():
        if _separate_albums(members):
            for t in members:
                keys[str(t["path"])] = (*key, "by:" + _artist(t))
    return keys


def _artist(t: Mapping) -> str:
    return str(t.get("artist") or "").strip().casefold()


def _separate_albums(members: list[Mapping]) -> bool:
    """Whether tracks of one album name in one folder are really same-named albums of different artists: one disc
    and track number under two artists, while each artist's tracks (two or more) number without a clash. A
    compilation (one track an artist) or a multi-disc one without disc tags (numbers repeating) stays one album."""
    artist_at: dict[tuple[int, int], str] = {}
    clash = False
    by_artist: dict[str, list[tuple[int, int]]] = {}
    for t in members:
        disc, number, _ = play_order(t)
        if not number:
            continue
        artist = _artist(t)
        by_artist.setdefault(artist, []).append((disc, number))
        clash = clash or artist_at.setdefault((disc, number), artist) != artist
    return clash and all(len(n) >= 2 and len(set(n)) == len(n) for n in by_artist.values())


def follows(before: Mapping, after: Mapping) -> bool:
    """Whether `after` is the next track after `before` on one album: the same album (judged from the two tracks
    alone, see album_key) and, where both carry track numbers, the next number (or track 1 of the next disc)."""
    key = album_key(before)
    if key is None or album_key(after) != key:
        return False
    disc_a, number_a, path_a = play_order(before)
    disc_b, number_b, path_b = play_order(after)
    if number_a and number_b:
        return (disc_b == disc_a and number_b == number_a + 1) or (disc_b == disc_a + 1 and number_b == 1)
    return path_a < path_b  # no numbers: file name order


def albums_of(tracks: Iterable[Mapping], paths: Sequence[str]) -> list[str]:
    """The paths of the whole albums the given tracks are on, each album once, in the order the given tracks
    first name them, every album in play order. A given track without an album tag stands for itself."""
    tracks = list(tracks)
    keys = album_keys(tracks)
    by_path: dict[str, Mapping] = {}
    members: dict[AlbumKey, list[Mapping]] = {}
    for t in tracks:
        path = str(t["path"])
        by_path[path] = t
        if path in keys:
            members.setdefault(keys[path], []).append(t)
    out: list[str] = []
    seen: set[AlbumKey] = set()
    for path in paths:
        if path not in by_path:
            continue
        key = keys.get(path)
        if key is None:
            out.append(path)
        elif key not in seen:
            seen.add(key)
            out.extend(str(m["path"]) for m in sorted(members[key], key=play_order))
    return out
