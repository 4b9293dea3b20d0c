"""Scanning music folders into the store.

Incremental: a file whose size and mtime match the store is not read again; files gone from disk are dropped.
Tracks are written in batches, and `on_batch` lets the library view fill while the scan runs. A broken or
unreadable file becomes a problem with its reason, never an exception. Symlinked folders are followed once
(loops are cut), and links into system trees (/proc, /sys, /dev) are ignored.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from library.store import Store
from library.tag_writer import EDIT_PREFIX
from library.tags import TAGS_VERSION, UnreadableFile, media_kind, read_tags

SYSTEM_TREES = ("/proc", "/sys", "/dev")
PARALLEL_MIN_FILES = 4000  # below this a process pool costs more than it saves
# Batches reach the disk at least this often (a crash loses at most this much work).
FLUSH_EVERY_S = float(os.environ.get("MOODTAPE_FLUSH_EVERY_S", "2.0"))


@dataclass
class ScanResult:
    folder: str
    seen: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    cancelled: bool = False

    def summary(self) -> dict:
        return {
            "folder": self.folder,
            "files": self.seen,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "problems": len(self.problems),
            "seconds": round(self.seconds, 3),
        }


def home_trash() -> str:
    """The desktop's trash in the home folder ($XDG_DATA_HOME/Trash), resolved."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.realpath(os.path.join(base, "Trash"))


def is_trash_dir(path: str, home: str | None = None) -> bool:
    """A trash folder (the home one, or a drive's .Trash / .Trash-<uid>): what was moved there left the library."""
    name = os.path.basename(path.rstrip(os.sep))
    if name == ".Trash" or (name.startswith(".Trash-") and name[7:].isdigit()):  # .Trash-<uid>
        return True
    home = home if home is not None else home_trash()
    real = os.path.realpath(path)  # (also through a symlink to it, or to a folder in it)
    return real == home or real.startswith(home.rstrip(os.sep) + os.sep)


def iter_media_files(folder: str) -> Iterator[tuple[str, os.stat_result]]:
    """Every media file under folder, with its stat; follows symlinked folders once, never loops, and leaves out
    trash folders (a library folder may be the home folder, or a drive with its own trash)."""
    trash = home_trash()
    seen_dirs: set[tuple[int, int]] = set()
    stack = [] if is_trash_dir(folder, trash) else [os.path.abspath(folder)]
    while stack:
        current = stack.pop()
        try:
            st = os.stat(current)
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            continue
        seen_dirs.add(key)
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        entries.sort(key=lambda e: e.name)
        subdirs = []
        for entry in entries:
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if target.startswith(SYSTEM_TREES):
                        continue
                if entry.is_dir(follow_symlinks=True):
                    if not is_trash_dir(entry.path, trash):
                        subdirs.append(entry.path)
                elif (entry.is_file(follow_symlinks=True) and media_kind(entry.name)
                      and not entry.name.startswith(EDIT_PREFIX)):  # a tag edit's copy, or one a crash left
                    yield entry.path, entry.stat(follow_symlinks=True)
            except OSError:
                continue
        stack.extend(reversed(subdirs))


def _die_with(app_pid: int) -> None:
    """Pool worker initializer: exit when the app is gone (killed with SIGKILL, it cannot stop its workers, and
    they would wait for work forever, holding their copy of the queue's pipe). A daemon thread polls every 0.5 s."""
    import threading

    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            try:
                os.kill(app_pid, 0)
            except (ProcessLookupError, PermissionError):  # gone (or its pid reused by another user's process)
                os._exit(0)
            if os.getppid() != parent:  # the forkserver died (it exits with the app): reparented
                os._exit(0)

    threading.Thread(target=watch, name="moodtape-scan-watchdog", daemon=True).start()


def _read_one(item: tuple[str, int, float]) -> tuple[str, dict | None, str | None]:
    path, size, mtime = item
    try:
        tags = read_tags(path, size)
    except UnreadableFile as exc:
        return path, None, str(exc)
    except Exception as exc:  # any damaged file must become a problem, not a crash
        return path, None, f"could not read ({exc.__class__.__name__})"
    return path, {"path": path, "size": size, "mtime": mtime, **tags}, None


def scan_folder(
    store: Store,
    folder: str,
    on_batch: Callable[[list[dict], int, int], None] | None = None,
    batch_size: int = 500,
    cancel: Callable[[], bool] | None = None,
    workers: int | None = None,
) -> ScanResult:
    """Scan one folder into the store. on_batch(tracks, done, total) is called after each written batch."""
    start = time.perf_counter()
    folder = os.path.abspath(folder)
    result = ScanResult(folder=folder)
    if not os.path.isdir(folder):
        result.problems.append((folder, "folder not found"))
        store.add_problem(folder, "scan", "folder not found")
        store.flush()
        result.seconds = time.perf_counter() - start
        return result

    known = {t["path"]: t for t in store.all_tracks() if _under(t["path"], folder)}
    todo: list[tuple[str, int, float]] = []
    seen: set[str] = set()
    for path, st in iter_media_files(folder):
        seen.add(path)
        old = known.get(path)
        if (old is not None and old.get("size") == st.st_size and old.get("mtime") == st.st_mtime
                and old.get("tags_version", 1) >= TAGS_VERSION):  # a track read by an older reader is read again
            result.unchanged += 1
            continue
        todo.append((path, st.st_size, st.st_mtime))
    result.seen = len(seen)
    gone = [p for p in known if p not in seen]
    if gone:
        store.remove_tracks(gone)
        store.clear_problems(paths=gone)
        result.removed = len(gone)

    total = len(todo)
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if total >= PARALLEL_MIN_FILES else 1
    results: Iterator[tuple[str, dict | None, str | None]]
    pool = None
    if workers > 1:
        import multiprocessing

        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"),
                                   initializer=_die_with, initargs=(os.getpid(),))
        results = pool.map(_read_one, todo, chunksize=256)
    else:
        results = map(_read_one, todo)

    batch: list[dict] = []
    problems: list[tuple[str, str, str]] = []
    fixed: list[str] = []
    done = 0
    last_flush = time.perf_counter()

    def write_batch(final: bool = False) -> None:
        nonlocal last_flush
        store.upsert_tracks(batch)
        if problems:
            store.add_problems(problems)
        if fixed:
            store.clear_problems(paths=fixed, stage="scan")
        if final or time.perf_counter() - last_flush >= FLUSH_EVERY_S:
            store.flush()
            last_flush = time.perf_counter()
        if on_batch is not None:
            on_batch(list(batch), done, total)
        batch.clear()
        problems.clear()
        fixed.clear()

    now = time.time()
    try:
        for path, track, reason in results:
            done += 1
            if track is None:
                problems.append((path, "scan", reason or "unreadable"))
                result.problems.append((path, reason or "unreadable"))
                if path in known:  # it was fine before and is broken now
                    store.remove_tracks([path])
            else:
                if path in known:
                    result.updated += 1
                    if not known[path].get("added"):  # scanned before "added" was kept: the file's time
                        track["added"] = min(float(known[path].get("mtime") or now), now)
                else:
                    result.added += 1
                    track["added"] = now
                batch.append(track)
                fixed.append(path)
            if len(batch) + len(problems) >= batch_size:
                write_batch()
                if cancel is not None and cancel():
                    result.cancelled = True
                    break
        write_batch(final=True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    result.seconds = time.perf_counter() - start
    return result


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
