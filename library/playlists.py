"""Playlist files: reading M3U / M3U8 / PLS into local paths, and writing M3U8.

Plain Python, no Qt. Reading never raises for a bad entry: each line that does not name a local file that exists
is returned with its reason, so the caller can say what was left out. Writing is atomic (a temporary file beside
the target, then a rename), so a failed save never leaves half a playlist in place of the old one.

Paths are written relative to the playlist's folder when the track lies under it (the playlist then survives moving
the whole folder, as other players expect), absolute otherwise. File names travel as the bytes the file system
holds (os.fsencode), so a name that is not UTF-8 still round-trips.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes, urlsplit

from library.atomic_file import write_atomically

PLAYLIST_EXTENSIONS = frozenset({".m3u", ".m3u8", ".pls"})


@dataclass
class PlaylistContents:
    """What a playlist file names: the local files that exist, in order, and the entries left out with why."""

    paths: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry as written, reason)


def is_playlist(path: str | os.PathLike[str]) -> bool:
    return Path(path).suffix.lower() in PLAYLIST_EXTENSIONS


def _entry_candidates(entry: bytes) -> list[bytes] | None:
    """The local paths (bytes) a playlist entry may mean, or None when it is a remote URL. file:// URLs are
    unquoted; a Windows-style entry (backslashes) is also tried with slashes."""
    if b"://" in entry[:16]:
        parts = urlsplit(entry)
        if parts.scheme.lower() != b"file" or parts.netloc not in (b"", b"localhost"):
            return None
        return [unquote_to_bytes(parts.path)]
    out = [entry]
    if b"\\" in entry:
        out.append(entry.replace(b"\\", b"/"))
    return out


def _decodings(raw: bytes, utf8_file: bool) -> list[str]:
    """How an entry's bytes may name a file: as the file system's own bytes first, then (for a file that is not
    UTF-8, as old .m3u files written on Windows are) as cp1252 and latin-1 text."""
    out = [os.fsdecode(raw)]
    if not utf8_file:
        for enc in ("cp1252", "latin-1"):
            try:
                out.append(raw.decode(enc))
            except UnicodeDecodeError:
                continue
    return out


def _resolve(entry: bytes, base: Path, utf8_file: bool, contents: PlaylistContents) -> None:
    shown = entry.decode("utf-8", "replace")
    candidates = _entry_candidates(entry)
    if candidates is None:
        contents.skipped.append((shown, "not a local file (a stream or a remote URL)"))
        return
    for name in (n for raw in candidates for n in _decodings(raw, utf8_file)):
        p = name if os.path.isabs(name) else os.path.join(base, name)
        if os.path.isfile(p):  # os.path, not Path: it says False (never raises) for unreadable or absurd names
            contents.paths.append(os.path.normpath(os.path.abspath(p)))
            return
        if os.path.exists(p):
            contents.skipped.append((shown, "not a file"))
            return
    contents.skipped.append((shown, "file not found"))


def read_playlist(path: str | os.PathLike[str]) -> PlaylistContents:
    """Read an M3U, M3U8 or PLS file. Raises OSError when the playlist itself cannot be read, ValueError when it
    is not a playlist Moodtape understands."""
    p = Path(path)
    data = p.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
        utf8_file = True
    except UnicodeDecodeError:
        utf8_file = False
    lines = [line.strip() for line in data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")]
    base = Path(os.path.abspath(p)).parent
    contents = PlaylistContents()
    if p.suffix.lower() == ".pls" or (lines and lines[0].lower() == b"[playlist]"):
        if not lines or lines[0].lower() != b"[playlist]":
            raise ValueError(f"{p.name}: a PLS playlist starts with [playlist]")
        entries: list[tuple[int, bytes]] = []
        for line in lines[1:]:
            key, sep, value = line.partition(b"=")
            if sep and key.lower().startswith(b"file") and key[4:].isdigit() and value:
                entries.append((int(key[4:]), value))
        for _, value in sorted(entries, key=lambda e: e[0]):
            _resolve(value, base, utf8_file, contents)
        return contents
    if b"\x00" in data:
        raise ValueError(f"{p.name}: not a text playlist")
    for line in lines:
        if line and not line.startswith(b"#"):
            _resolve(line, base, utf8_file, contents)
    return contents


def _extinf(track: Mapping[str, Any]) -> str:
    seconds = track.get("duration")
    secs = int(round(float(seconds))) if isinstance(seconds, (int, float)) and seconds > 0 else -1
    title = str(track.get("title") or Path(str(track["path"])).stem)
    artist = str(track.get("artist") or "")
    text = f"{artist} - {title}" if artist else title
    return f"#EXTINF:{secs},{' '.join(text.split())}"


def _entry_for(track_path: str, base: Path) -> bytes:
    """How a track is written: relative to the playlist's folder when under it ("./" first when the name starts
    like a comment or with a space), absolute otherwise, and as a file:// URL when the name has a line break or
    ends in a space (a reader strips those from a plain line)."""
    target = Path(os.path.abspath(track_path))
    raw = os.fsencode(str(target))
    if raw != raw.strip() or b"\n" in raw or b"\r" in raw or os.path.basename(raw) != os.path.basename(raw).strip():
        return b"file://" + quote_from_bytes(raw, safe="/").encode("ascii")
    try:
        name = os.fsencode(str(target.relative_to(base)))
    except ValueError:
        return raw
    if name.startswith(b"#") or name[:1].isspace():
        name = b"./" + name
    return name


def write_m3u8(path: str | os.PathLike[str], tracks: Iterable[Mapping[str, Any]]) -> int:
    """Write an extended M3U8 playlist of the tracks (dicts with at least "path"; "title", "artist" and
    "duration" are used when present), atomically. Returns the number of entries written."""
    p = Path(path)
    base = Path(os.path.abspath(p.parent))
    chunks = [b"#EXTM3U\n"]
    n = 0
    for t in tracks:
        chunks.append(_extinf(t).encode("utf-8", "replace") + b"\n")  # display text: a stray byte becomes "?"
        chunks.append(_entry_for(str(t["path"]), base) + b"\n")
        n += 1
    write_atomically(p, b"".join(chunks), mode=0o644)
    return n


def match_library(paths: Iterable[str], library: Iterable[str]) -> tuple[list[str], list[str]]:
    """Split a playlist's files into the library's paths for them (in order) and those the library lacks. A file
    reached through another name (a symlinked folder) matches the library's path for the same real file; only the
    library's folders are resolved for that (far fewer than its tracks)."""
    lib = list(library)
    known = set(lib)
    by_real: dict[str, str] | None = None
    found: list[str] = []
    missing: list[str] = []
    for path in paths:
        if path in known:
            found.append(path)
            continue
        if by_real is None:
            real_dirs: dict[str, str] = {}
            by_real = {}
            for q in lib:
                folder, name = os.path.split(q)
                if folder not in real_dirs:
                    real_dirs[folder] = os.path.realpath(folder)
                by_real.setdefault(os.path.join(real_dirs[folder], name), q)
        folder, name = os.path.split(path)  # resolved as the library's side is: its folder, then the name
        hit = by_real.get(os.path.join(os.path.realpath(folder), name)) or by_real.get(os.path.realpath(path))
        (found if hit else missing).append(hit or path)
    return found, missing
