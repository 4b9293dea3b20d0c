"""A track's lyrics: from an .lrc file beside it, else from its tags (ID3 USLT, Vorbis / FLAC LYRICS or
UNSYNCEDLYRICS, MP4 ©lyr). Time-stamped (LRC) lyrics are parsed so the current line can follow the music.
Plain Python, no Qt.

LRC: lines like ``[01:02.50]words`` (several time stamps may share one line; minutes may run past 59), an optional
``[offset:+250]`` in milliseconds (positive: the lines come earlier), and ID tags such as ``[ar:…]`` that are not
lyrics.
"""

from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass, field

MAX_LYRICS_BYTES = 64 * 1024  # a bigger "lyrics" file is not one (and thousands of lines would stall the pane)
_STAMP = re.compile(r"\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]")
_WORD_STAMP = re.compile(r"<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>")  # enhanced LRC: a time stamp per word
_TAG = re.compile(r"^\[(ar|ti|al|au|by|offset|length|re|ve|tool|#):(.*)\]\s*$", re.IGNORECASE)


@dataclass
class Lyrics:
    lines: list[str]
    times_ms: list[int] = field(default_factory=list)  # one per line when synced, ascending; empty otherwise
    source: str = ""  # "file" (the .lrc beside the track) or "tags"

    @property
    def synced(self) -> bool:
        return bool(self.times_ms)

    def line_at(self, position_ms: int) -> int | None:
        """The index of the line sung at this position (the last one started), or None before the first."""
        if not self.times_ms:
            return None
        i = bisect.bisect_right(self.times_ms, position_ms) - 1
        return i if i >= 0 else None


def parse_lyrics(text: str, source: str = "") -> Lyrics | None:
    """Lyrics from text: LRC when it has time stamps, else plain lines. None when there are no words."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    offset = 0
    timed: list[tuple[int, int, str]] = []
    plain: list[str] = []
    for n, raw in enumerate(text.split("\n")):
        line = raw.strip()
        stamps = []
        pos = 0
        while (m := _STAMP.match(line, pos)) is not None:
            minutes, seconds, frac = int(m.group(1)), int(m.group(2)), m.group(3) or "0"
            stamps.append(minutes * 60_000 + seconds * 1000 + int(frac.ljust(3, "0")[:3]))
            pos = m.end()
        if stamps:
            words = " ".join(_WORD_STAMP.sub("", line[pos:]).split())
            timed.extend((t, n, words) for t in stamps)
            continue
        tag = _TAG.match(line)
        if tag is not None:
            if tag.group(1).lower() == "offset":
                try:
                    offset = int(tag.group(2).strip())
                except ValueError:
                    pass
            continue  # ID tags ([ar:], [ti:], [length:] …) are not lyrics
        plain.append(raw.rstrip())
    if timed:
        timed.sort()  # by time; lines sharing a time keep the file's order
        return Lyrics(lines=[w for _, _, w in timed], times_ms=[max(0, t - offset) for t, _, _ in timed],
                      source=source)
    while plain and not plain[0].strip():
        plain.pop(0)
    while plain and not plain[-1].strip():
        plain.pop()
    return Lyrics(lines=plain, source=source) if plain else None


def _read_text_file(path: str) -> str | None:
    try:
        if os.path.getsize(path) > MAX_LYRICS_BYTES:
            return None
        with open(path, "rb") as f:
            data = f.read(MAX_LYRICS_BYTES + 1)
    except OSError:
        return None
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with its byte-order mark (Windows Notepad's "Unicode")
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def sidecar_path(path: str) -> str | None:
    """The .lrc file beside the track with the same name, the same case first, else any case; or None."""
    folder, name = os.path.split(path)
    stem = os.path.splitext(name)[0]
    for ext in (".lrc", ".LRC"):
        candidate = os.path.join(folder, stem + ext)
        if os.path.isfile(candidate):
            return candidate
    want = (stem + ".lrc").casefold()
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return None
    for other in sorted(names):
        if other.casefold() == want and os.path.isfile(os.path.join(folder, other)):
            return os.path.join(folder, other)
    return None


def embedded_lyrics_text(path: str) -> str | None:
    """The lyrics stored in the file's tags, or None."""
    import mutagen

    try:
        f = mutagen.File(path)
    except Exception:
        return None
    tags = getattr(f, "tags", None) if f is not None else None
    if not tags:
        return None
    try:
        if hasattr(tags, "getall"):  # ID3 (MP3, WAV)
            frames = tags.getall("USLT")
            return str(frames[0].text) if frames else None
        for key in ("lyrics", "unsyncedlyrics", "\xa9lyr"):
            value = tags.get(key) if hasattr(tags, "get") else None
            if value:
                return str(value[0] if isinstance(value, list) else value)
    except Exception:
        return None
    return None


def read_lyrics(path: str) -> Lyrics | None:
    """The track's lyrics: the .lrc beside it first (it is usually the synced copy), else the tags'. None when it
    has none (or they cannot be read)."""
    side = sidecar_path(path)
    if side is not None:
        text = _read_text_file(side)
        lyrics = parse_lyrics(text, "file") if text else None
        if lyrics is not None:
            return lyrics
    text = embedded_lyrics_text(path)
    return parse_lyrics(text, "tags") if text else None
