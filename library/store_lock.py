"""One program at a time on a library file.

    lock = hold(store_path)        # raises StoreInUse (with who holds it) when another process has it
    ...
    lock.release()                 # or let the process end: the kernel lets go of it, also after a crash

The store keeps the whole library in memory and writes it whole, so two programs on one file (the player twice,
or `main.py tag` while the player runs) would each overwrite what the other wrote. The player and the headless
commands that write the store take this lock first. It is an advisory `flock` on `<store>.lock`, which holds the
holder's process id and command for the message; nothing is left behind to clean up when a holder dies.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no locking (Moodtape targets Linux desktops)
    fcntl = None  # type: ignore[assignment]


class StoreInUse(Exception):
    """Another process holds the library file; the message says which and what to do."""

    def __init__(self, store_path: Path, holder: str) -> None:
        self.store_path = store_path
        self.holder = holder
        who = f" (process {holder})" if holder else ""
        super().__init__(f"The library {store_path} is in use by another Moodtape{who}. "
                         "Close it, or wait for it to finish, then try again.")


def lock_path(store_path: Path | str) -> Path:
    p = Path(store_path)
    return p.with_name(p.name + ".lock")


class StoreLock:
    def __init__(self, store_path: Path | str) -> None:
        self.store_path = Path(store_path)
        self.path = lock_path(store_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> StoreLock:
        if self._fd is not None or fcntl is None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            try:
                holder = os.pread(fd, 300, 0).decode("utf-8", "replace").strip()
            finally:
                os.close(fd)
            raise StoreInUse(self.store_path, holder) from exc
        what = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:2]))
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}: {what}".encode("utf-8", "replace")[:300], 0)
        self._fd = fd
        return self

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor lets go of the flock

    def __enter__(self) -> StoreLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


def hold(store_path: Path | str) -> StoreLock:
    """Take the library file's lock for this process, or raise StoreInUse."""
    return StoreLock(store_path).acquire()


def hold_or_say_why(store_path: Path | str) -> StoreLock | None:
    """hold() for a headless command: None, after printing why on stderr, when the library is in use (the command
    then exits with 2)."""
    try:
        return hold(store_path)
    except StoreInUse as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


__all__ = ["StoreInUse", "StoreLock", "hold", "hold_or_say_why", "lock_path"]
