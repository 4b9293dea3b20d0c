"""The freedesktop.org trash for a file whose name is not UTF-8 (Qt's QFile.moveToTrash cannot address it): moved
into the home trash ($XDG_DATA_HOME/Trash/files) beside an info file that says where it came from, so a file
manager can restore it. Plain Python, no Qt. Only the home trash, and only from the same drive (a rename).
"""

from __future__ import annotations

import os
import time
import urllib.parse

from library.scanner import home_trash


def trash_by_bytes(path: str) -> str | None:
    """Move `path` (os.fsdecode'd; any bytes) to the home trash. None when done, else the reason it stays."""
    raw = os.fsencode(path)
    trash = os.fsencode(home_trash())
    files, info = os.path.join(trash, b"files"), os.path.join(trash, b"info")
    try:
        os.makedirs(files, mode=0o700, exist_ok=True)
        os.makedirs(info, mode=0o700, exist_ok=True)
        if os.lstat(raw).st_dev != os.stat(files).st_dev:
            return "its name is not UTF-8, and it is on another drive than your trash"
        base = os.path.basename(raw)
        room = 255 - len(b".trashinfo") - len(b".9999")  # a file name's limit, with the info file's suffix
        if len(base) > room:  # a long name is shortened in the trash; its info keeps the whole original path
            stem, ext = os.path.splitext(base)
            ext = ext if len(ext) <= 16 else b""
            base = stem[: room - len(ext)] + ext
        for n in range(1, 10_000):
            name = base if n == 1 else b"%s.%d" % (base, n)
            if os.path.lexists(os.path.join(files, name)):
                continue
            info_path = os.path.join(info, name + b".trashinfo")
            try:  # the info file first, created exclusively: it reserves the name
                fd = os.open(info_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                continue
            with os.fdopen(fd, "wb") as fh:
                fh.write(b"[Trash Info]\nPath=" + urllib.parse.quote_from_bytes(raw, safe=b"/").encode("ascii")
                         + b"\nDeletionDate=" + time.strftime("%Y-%m-%dT%H:%M:%S").encode("ascii") + b"\n")
            try:
                os.rename(raw, os.path.join(files, name))
            except OSError as exc:
                os.unlink(info_path)
                return exc.strerror or str(exc)
            return None
        return "the trash has too many files of that name"
    except OSError as exc:
        return exc.strerror or str(exc)
