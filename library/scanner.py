"""Scanning music folders into the store.

Incremental: a file whose size and mtime match the store is not read again; files gone from disk are dropped.
Tracks are written in batches, and `on_batch` lets the library view fill while the scan runs. A broken or
unreadable file becomes a problem with its reason, never an exception. Symlinked folders are followed once
(loops are cut), and links into system trees (/proc, /sys, /dev) are ignored.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

from library import history, track_memory
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
    moved: list[tuple[str, str]] = field(default_factory=list)  # (old path, new path): moved or renamed files
    restored: int = 0  # files back from the trash, with what they had gathered
    gone: list[str] = field(default_factory=list)  # scan_files: opened files no longer there

    def summary(self) -> dict:
        return {
            "folder": self.folder,
            "files": self.seen,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "moved": len(self.moved),
            "restored": self.restored,
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
    roots: Iterable[str] | None = None,
) -> ScanResult:
    """Scan one folder into the store. on_batch(tracks, done, total) is called after each written batch. roots: all
    the library's folders (a track missing from one that is there has left it; from one that is not there, say a
    drive not connected, it has not)."""
    start = time.perf_counter()
    folder = os.path.abspath(folder)
    result = ScanResult(folder=folder)
    if not os.path.isdir(folder):
        result.problems.append((folder, "folder not found"))
        store.add_problem(folder, "scan", "folder not found")
        store.flush()
        result.seconds = time.perf_counter() - start
        return result

    known = {t["path"]: t for t in store.all_tracks() if is_under(t["path"], folder)}
    todo: list[tuple[str, int, float]] = []
    seen: set[str] = set()
    for path, st in iter_media_files(folder):
        seen.add(path)
        if _unchanged(known.get(path), st):
            result.unchanged += 1
            continue
        todo.append((path, st.st_size, st.st_mtime))
    result.seen = len(seen)
    gone = [p for p in known if p not in seen]
    moves = find_moves(store, todo, known, gone, roots)
    sources = {m["path"] for m in moves.values() if "memory_id" not in m}
    _forget(store, [p for p in gone if p not in sources], result)
    _read_into_store(store, todo, known, result, on_batch, batch_size, cancel, workers, moves)
    result.seconds = time.perf_counter() - start
    return result


def scan_files(
    store: Store,
    paths: Iterable[str],
    on_batch: Callable[[list[dict], int, int], None] | None = None,
) -> ScanResult:
    """Scan single files into the store (files the listener opened that lie outside every library folder), as
    scan_folder does for a folder: read when new or changed, a broken one listed as a problem. A file that is gone
    from a folder that is still there leaves the store (result.gone); one whose folder is missing (a drive not
    connected) is kept, as a scan keeps a missing folder's tracks."""
    start = time.perf_counter()
    wanted = list(dict.fromkeys(os.path.abspath(p) for p in paths))
    result = ScanResult(folder="")
    known = {p: t for p in wanted if (t := store.get_track(p)) is not None}
    todo: list[tuple[str, int, float]] = []
    for path in wanted:
        try:
            st = os.stat(path)
        except OSError:
            if os.path.isdir(os.path.dirname(path)):
                result.gone.append(path)
            continue
        result.seen += 1
        if not media_kind(path) or not os.path.isfile(path):
            result.problems.append((path, "not a music or video file"))
            continue
        if _unchanged(known.get(path), st):
            result.unchanged += 1
            continue
        todo.append((path, st.st_size, st.st_mtime))
    _forget(store, [p for p in result.gone if p in known], result)
    moves = find_moves(store, todo, known, [])  # (a file that left the library and is opened again)
    _read_into_store(store, todo, known, result, on_batch, workers=1, moves=moves)
    result.seconds = time.perf_counter() - start
    return result


def find_moves(store: Store, todo: list[tuple[str, int, float]], known: dict[str, dict],
               gone: list[str], roots: Iterable[str] | None = None) -> dict[str, dict]:
    """The files to read (todo: new, or changed since the last scan) that are known tracks moved, renamed or back
    from the trash: their path -> the old track (one remembered after it left the library has its row's
    "memory_id" and "why"). A move, a rename and the trash keep a file's size and modification time, so a file
    matches by both:
    - a track gone from this scan's folder, or missing from another library folder;
    - the song a changed path held before (file names renumbered or swapped);
    - a track remembered after it left (moved to the trash, or gone from an earlier scan: a move into a library
      folder scanned after the one it left).
    Where several match, one at the same path, else one of the same file name, else the one that left in this scan
    counts; a track goes to one file at most. A changed path's old song counts when the path holds a moved song
    itself (names renumbered) or another song (by the length of its music), not when its own song was edited (a
    copy made before the edit stays a copy)."""
    if not todo:
        return {}
    wanted = {(size, mtime) for _path, size, mtime in todo}
    by_key: dict[tuple[int, float], list[dict]] = {}

    def add(t: dict) -> None:
        key = (t.get("size"), t.get("mtime"))
        if key in wanted:
            by_key.setdefault(key, []).append(t)

    for p in gone:
        add(known[p])
    for p, size, mtime in todo:
        if p in known and (known[p].get("size"), known[p].get("mtime")) != (size, mtime):
            add(known[p])  # (a path read again only for a newer tag reader holds its own song still)
    root_list = [os.path.abspath(r) for r in roots or ()]

    def left_for_good(path: str) -> bool:
        """Its file is not there while the library folder holding it is (else: a drive not connected)."""
        if os.path.exists(path):
            return False
        holding = [r for r in root_list if is_under(path, r)]
        return any(os.path.isdir(r) for r in holding) if holding else os.path.isdir(os.path.dirname(path) or os.sep)

    for t in store.all_tracks():
        if t["path"] not in known and (t.get("size"), t.get("mtime")) in wanted and left_for_good(t["path"]):
            add(t)
    for row in track_memory.departed(store):
        add({**row, "memory_id": row["id"]})
    moves: dict[str, dict] = {}
    taken: set[str | int] = set()

    def ident(t: dict) -> str | int:
        return t.get("memory_id", t["path"])

    for path, size, mtime in todo:
        if path in known and (known[path].get("size"), known[path].get("mtime")) == (size, mtime):
            continue  # read again only for a newer tag reader: the same song as before
        candidates = [t for t in by_key.get((size, mtime), [])
                      if ident(t) not in taken and ("memory_id" in t or t["path"] != path)]
        if len(candidates) > 1:
            candidates = ([t for t in candidates if t["path"] == path]
                          or [t for t in candidates if os.path.basename(t["path"]) == os.path.basename(path)]
                          or candidates)
        if len(candidates) > 1 and len(live := [t for t in candidates if "memory_id" not in t]) == 1:
            candidates = live  # (one that left in this scan before one remembered from earlier)
        if len(candidates) > 1 and all("memory_id" in t for t in candidates):  # left more than once: the last time
            candidates = [max(candidates, key=lambda t: float(t.get("left_at") or 0.0))]
        if len(candidates) == 1:
            moves[path] = candidates[0]
            taken.add(ident(candidates[0]))
    changed = {p: size for p, size, mtime in todo
               if p in known and (known[p].get("size"), known[p].get("mtime")) != (size, mtime)}
    same_song: dict[str, bool] = {}

    def edited_in_place(p: str) -> bool:
        """A changed path that holds no moved song: its own song edited (the length of the music unchanged), or
        another song saved under its name after its own moved away."""
        if p not in same_song:
            try:
                now = read_tags(p, changed[p]).get("duration")
            except Exception:
                now = None
            before = known[p].get("duration")
            same_song[p] = (not isinstance(now, int | float) or not isinstance(before, int | float)
                            or abs(float(now) - float(before)) <= 1.0)
        return same_song[p]

    while bad := [dst for dst, t in moves.items() if "memory_id" not in t and t["path"] in changed
                  and t["path"] not in moves and edited_in_place(t["path"])]:
        for dst in bad:  # (a copy made before the edit stays a copy)
            del moves[dst]
    return moves


def _unchanged(old: dict | None, st: os.stat_result) -> bool:
    """Known with the same size and mtime, read by this reader (a track read by an older reader is read again)."""
    return (old is not None and old.get("size") == st.st_size and old.get("mtime") == st.st_mtime
            and old.get("tags_version", 1) >= TAGS_VERSION)


def _forget(store: Store, gone: list[str], result: ScanResult) -> None:
    """Tracks whose files are gone: out of the store, remembered in case the files turn up elsewhere."""
    if gone:
        track_memory.remember(store, [store.get_track(p) for p in gone], track_memory.GONE)
        store.remove_tracks(gone)
        store.clear_problems(paths=gone)
        result.removed += len(gone)


def _read_into_store(
    store: Store,
    todo: list[tuple[str, int, float]],
    known: dict[str, dict],
    result: ScanResult,
    on_batch: Callable[[list[dict], int, int], None] | None = None,
    batch_size: int = 500,
    cancel: Callable[[], bool] | None = None,
    workers: int | None = None,
    moves: dict[str, dict] | None = None,
) -> None:
    """Read the tags of the files in todo (path, size, mtime) and write them to the store in batches; a moved
    file (moves: path -> old track) takes the old track's place."""
    moves = moves or {}
    rewritten = {p for p, _size, _mtime in todo}
    sources_kept = {m["path"] for m in moves.values() if "memory_id" not in m and m["path"] in rewritten}
    moved: list[tuple[str, str]] = []  # this batch's: their old tracks leave the store
    memory_used: list[int] = []
    renames: list[tuple[str, str, float | None]] = []  # all, for the listening history at the end (swaps in one go)
    written: set[str] = set()  # the moves' files written
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
        if moved:
            left = [old for old, _new in moved if old not in rewritten]  # (a path read again keeps its record)
            store.remove_tracks(left)
            store.clear_problems(paths=left)
            store.note_renamed([(old, new) for old, new in moved if old in left])  # (a late write follows it)
            moved.clear()
        if memory_used:
            track_memory.forget(store, memory_used)
            memory_used.clear()
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
            elif path in moves:  # the same file, elsewhere or back from the trash: what it gathered goes with it
                old = moves[path]
                latest = old if "memory_id" in old or old["path"] in rewritten else store.get_track(old["path"])
                track.update(dict.fromkeys(track_memory.CARRIED_FIELDS))  # (not what this path held before)
                track.update(track_memory.carried(latest or old))
                track["added"] = track.get("added") or now
                if "memory_id" in old:
                    memory_used.append(old["memory_id"])
                else:
                    moved.append((old["path"], path))
                if old.get("why") == track_memory.TRASH:
                    result.restored += 1
                else:
                    result.moved.append((old["path"], path))
                if old["path"] != path:  # (a memory's likes: only those from before it left, not a newer file's)
                    renames.append((old["path"], path, old.get("left_at") if "memory_id" in old else None))
                written.add(path)
                batch.append(track)
                fixed.append(path)
            elif path in sources_kept:  # its song went to another name: another song here now
                track.update(dict.fromkeys(track_memory.CARRIED_FIELDS))
                track["added"] = now
                result.added += 1
                batch.append(track)
                fixed.append(path)
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
        if renames:
            history.rename(store, renames)
    if result.cancelled:  # songs of renumbered names not written yet: only here in memory, so remembered
        track_memory.remember(store, [t for p, t in moves.items() if p not in written and "memory_id" not in t
                                      and t["path"] in rewritten], track_memory.GONE)
    done_moves = {old for old, _new, _until in renames} | {p for p, t in moves.items() if t["path"] == p}
    left = [t["path"] for t in moves.values() if "memory_id" not in t and t["path"] not in done_moves
            and t["path"] not in rewritten and not os.path.exists(t["path"])]
    if left:  # (its new file could not be read: the old track is gone all the same)
        _forget(store, left, result)
        store.flush()


def is_under(path: str, folder: str) -> bool:
    """path is folder or lies in it (by name)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
