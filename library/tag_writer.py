"""Editing a file's tags (title, artist, album, album artist, genre, track and disc number, year) with mutagen,
safely.

The edit is made on a copy beside the file, which then replaces it in one rename: a crash or a full disk midway
leaves the original file as it was, never a half-written one. A file marked read-only is not touched. Video files
(mp4, mkv, webm) are not edited. The copy keeps the file's mode, owner and group; a file that changed while the
copy was written is left as the other program made it. A file with other hard links is edited in place.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from library.tags import AUDIO_EXTENSIONS, FIELD_TAGS, ID3_FRAMES, MAX_TAG_CHARS, register_easy_keys

# The track fields the editor changes (as library.tags.read_tags names them; written to the first of their
# library.tags.FIELD_TAGS spellings, or their ID3_FRAMES frame for WAV), and the numbers' ranges.
EDITABLE = ("title", "artist", "album", "albumartist", "genre", "track_no", "disc_no", "year")
NUMBER_RANGES = {"track_no": (1, 9999), "disc_no": (1, 999), "year": (1000, 2999)}
EDIT_PREFIX = ".moodtape-edit-"  # the copy being written (the scanner never takes it for a track)


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
        if key in NUMBER_RANGES and text:
            low, high = NUMBER_RANGES[key]
            if not text.isdigit() or not low <= int(text) <= high:
                raise TagWriteError(f"the {key.replace('_no', ' number').replace('_', ' ')} must be a whole "
                                    f"number from {low} to {high}, not {text[:20]!r}")
            text = str(int(text))
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
            old = audio.tags.get(frame)
            if value and key in ("track_no", "disc_no") and old is not None:
                value = _with_total(value, str(old.text[0]) if old.text else "")
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
    register_easy_keys()  # the other spellings of FIELD_TAGS include TXXX frames, which are removed too
    audio = cls(path)
    if audio.tags is None:
        audio.add_tags()
    for field, value in changes.items():
        key, *others = FIELD_TAGS[field]  # the others are removed, so the value read back is the one written
        if value and field in ("track_no", "disc_no"):
            value = _with_total(value, _first(audio, key))
        if value:
            audio[key] = [value]
        elif _first(audio, key) is not None:
            del audio[key]
        for other in others:
            if _first(audio, other) is not None:
                del audio[other]
    audio.save()


def _first(audio, key: str) -> str | None:
    """The tag's first value, or None (easy ID3 / MP4 raise on keys they do not know)."""
    try:
        values = audio[key]
    except (KeyError, ValueError):
        return None
    return str(values[0]) if values else None


def _with_total(number: str, old: str | None) -> str:
    """A new track or disc number keeps the total the old value carried ("3/12" -> "4/12")."""
    if old and "/" in old:
        total = old.split("/", 1)[1].strip()
        if total.isdigit():
            return f"{number}/{total}"
    return number


def _save_copy(real: str, ext: str, clean: dict[str, str], st: os.stat_result) -> None:
    """Write the tags on a copy beside the file, then rename it over the file, if the file did not change
    meanwhile. The copy keeps the file's mode, owner and group."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=EDIT_PREFIX, suffix=".tmp", dir=os.path.dirname(real))
    except OSError as exc:
        raise TagWriteError(f"cannot write in its folder ({exc.strerror})") from exc
    os.close(fd)
    try:
        shutil.copy2(real, tmp)
        mine = os.stat(tmp)
        if (mine.st_uid, mine.st_gid) != (st.st_uid, st.st_gid):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError as exc:
                raise TagWriteError("the file belongs to another user or group, whose ownership a rewrite "
                                    "would take away") from exc
        _write_guarded(tmp, ext, clean)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        now = os.stat(real)
        if (now.st_ino, now.st_size, now.st_mtime_ns) != (st.st_ino, st.st_size, st.st_mtime_ns):
            raise TagWriteError("the file changed while its tags were being written; nothing was saved")
        os.replace(tmp, real)
    except OSError as exc:
        raise TagWriteError(f"could not save the file ({exc.strerror or exc})") from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_guarded(path: str, ext: str, clean: dict[str, str]) -> None:
    try:
        _write(path, ext, clean)
    except TagWriteError:
        raise
    except Exception as exc:  # mutagen raises many kinds on damaged files
        raise TagWriteError(f"could not write the tags ({exc.__class__.__name__}: {str(exc)[:100]})") from exc


def write_tags(path: str, changes: Mapping[str, str]) -> tuple[os.stat_result, os.stat_result]:
    """Set the given tags ("" removes one). Returns the file's stat before and after (so a caller can tell the
    file it knew from one changed under it). Raises TagWriteError with a reason; the file is unchanged then.

    A file with other hard links is edited in place (a copy would split it from its other names), as other
    players do; every other file is edited on a copy that replaces it in one rename."""
    clean = _clean_changes(changes)
    real = os.path.realpath(path)  # a symlinked file: edit the file it points to, keep the link
    ext = Path(real).suffix.lower()
    if not can_edit(real):
        raise TagWriteError(f"editing the tags of {ext or 'these'} files is not supported")
    try:
        st = os.stat(real)
    except OSError as exc:
        raise TagWriteError(f"the file is gone ({exc.strerror})") from exc
    if not clean:
        return st, st
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise TagWriteError("the file is read-only")
    if not os.access(real, os.W_OK):
        raise TagWriteError("no permission to change the file")
    if st.st_nlink > 1:
        _write_guarded(real, ext, clean)
    else:
        _save_copy(real, ext, clean, st)
    return st, os.stat(real)


def common_values(tracks: list[Mapping]) -> dict[str, str | None]:
    """For an edit of several tracks: each editable tag's shared value, or None where the tracks differ."""
    out: dict[str, str | None] = {}
    for key in EDITABLE:
        values = {str(t.get(key) or "") for t in tracks}
        out[key] = values.pop() if len(values) == 1 else None
    return out
