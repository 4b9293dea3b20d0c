"""Editing a file's tags (title, artist, album, genre) with mutagen, safely.

The edit is made on a copy beside the file, which then replaces it in one rename: a crash or a full disk midway
leaves the original file as it was, never a half-written one. A file marked read-only is not touched. Video files
(mp4, mkv, webm) are not edited.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from library.tags import AUDIO_EXTENSIONS, MAX_TAG_CHARS

EDITABLE = ("title", "artist", "album", "genre")
ID3_FRAMES = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "genre": "TCON"}


class TagWriteError(Exception):
    """The tags could not be written; the message says why (for the status bar and the Problems view)."""


def can_edit(path: str) -> bool:
    return Path(path).suffix.lower() in AUDIO_EXTENSIONS


def _clean_changes(changes: Mapping[str, str]) -> dict[str, str]:
    out = {}
    for key, value in changes.items():
        if key not in EDITABLE:
            raise ValueError(f"not an editable tag: {key}")
        text = " ".join(str(value).split())  # no newlines or runs of spaces in a one-line tag
        out[key] = text[:MAX_TAG_CHARS]
    return out


def _write(path: str, ext: str, changes: dict[str, str]) -> None:
    if ext == ".wav":
        from mutagen.id3 import Frames
        from mutagen.wave import WAVE

        audio = WAVE(path)
        if audio.tags is None:
            audio.add_tags()
        for key, value in changes.items():
            frame = ID3_FRAMES[key]
            audio.tags.delall(frame)
            if value:
                audio.tags.add(Frames[frame](encoding=3, text=[value]))
        audio.save()
        return
    if ext == ".mp3":
        from mutagen.mp3 import EasyMP3 as cls
    elif ext == ".flac":
        from mutagen.flac import FLAC as cls
    elif ext in (".ogg", ".oga"):
        from mutagen.oggvorbis import OggVorbis as cls
    elif ext == ".opus":
        from mutagen.oggopus import OggOpus as cls
    elif ext == ".m4a":
        from mutagen.easymp4 import EasyMP4 as cls
    else:
        raise TagWriteError(f"editing the tags of {ext} files is not supported")
    audio = cls(path)
    if audio.tags is None:
        audio.add_tags()
    for key, value in changes.items():
        if value:
            audio[key] = [value]
        elif key in audio:
            del audio[key]
    audio.save()


def write_tags(path: str, changes: Mapping[str, str]) -> None:
    """Set the given tags ("" removes one). Raises TagWriteError with a reason; the file is unchanged then."""
    clean = _clean_changes(changes)
    if not clean:
        return
    real = os.path.realpath(path)  # a symlinked file: edit the file it points to, keep the link
    ext = Path(real).suffix.lower()
    if not can_edit(real):
        raise TagWriteError(f"editing the tags of {ext or 'these'} files is not supported")
    try:
        st = os.stat(real)
    except OSError as exc:
        raise TagWriteError(f"the file is gone ({exc.strerror})") from exc
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise TagWriteError("the file is read-only")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".moodtape-edit-", suffix=ext, dir=os.path.dirname(real))
    except OSError as exc:
        raise TagWriteError(f"cannot write in its folder ({exc.strerror})") from exc
    os.close(fd)
    try:
        shutil.copy2(real, tmp)
        try:
            _write(tmp, ext, clean)
        except TagWriteError:
            raise
        except Exception as exc:  # mutagen raises many kinds on damaged files
            raise TagWriteError(f"could not write the tags ({exc.__class__.__name__}: {str(exc)[:100]})") from exc
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.replace(tmp, real)
    except OSError as exc:
        raise TagWriteError(f"could not save the file ({exc.strerror or exc})") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def common_values(tracks: list[Mapping]) -> dict[str, str | None]:
    """For an edit of several tracks: each editable tag's shared value, or None where the tracks differ."""
    out: dict[str, str | None] = {}
    for key in EDITABLE:
        values = {str(t.get(key) or "") for t in tracks}
        out[key] = values.pop() if len(values) == 1 else None
    return out
