"""The library store: one tinydb file in the user data dir.

- Caching middleware: reads and writes go to memory; `flush()` writes the whole file in one go (batched writes).
- Atomic replacement: the new file is written beside the old one, fsynced, then renamed over it; the previous
  file is kept as `<name>.bak` (the last good copy). A truncated or garbage file is detected on open and the last
  good copy restored; `recovered` says what happened so the UI can tell the user.
- A schema version is kept in the `_meta` table.
- Thread-safe: every public method holds one lock, so workers can send it work from their threads.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import Storage

from library.paths import data_dir

SCHEMA_VERSION = 1
TRACKS = "tracks"
PROBLEMS = "problems"
STATE = "state"
META = "_meta"


class StoreCorrupt(Exception):
    """The store file and its backup are both unreadable."""


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    if path.exists():
        os.replace(path, path.with_name(path.name + ".bak"))
    os.replace(tmp, path)
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _load(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if not isinstance(data, dict):
        raise ValueError("top level is not an object")
    return data


class AtomicJSONStorage(Storage):
    """A JSON file written by atomic replacement, with the previous version kept as a backup."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.recovered: str | None = None

    def read(self) -> dict[str, Any] | None:
        bak = self.path.with_name(self.path.name + ".bak")
        if self.path.exists():
            try:
                return _load(self.path)
            except (ValueError, OSError, UnicodeDecodeError) as exc:
                problem = f"the library file {self.path.name} was damaged ({exc.__class__.__name__})"
                damaged = self.path.with_name(self.path.name + f".damaged-{int(time.time())}")
                try:
                    os.replace(self.path, damaged)
                except OSError:
                    pass
                if bak.exists():
                    try:
                        data = _load(bak)
                    except (ValueError, OSError, UnicodeDecodeError) as exc2:
                        raise StoreCorrupt(f"{problem}, and its backup too ({exc2})") from exc2
                    self.recovered = f"{problem}; restored the last good copy"
                    _write_atomic(self.path, json.dumps(data))
                    return data
                self.recovered = f"{problem} and there was no backup; starting empty (kept as {damaged.name})"
                return None
        if bak.exists():
            # A crash between the two renames of a write leaves only the backup.
            try:
                data = _load(bak)
            except (ValueError, OSError, UnicodeDecodeError):
                return None
            self.recovered = "restored the library from its backup copy"
            return data
        return None

    def write(self, data: dict[str, Any]) -> None:
        # ensure_ascii (the default) keeps non-UTF-8 file names (surrogate escapes) writable
        _write_atomic(self.path, json.dumps(data, separators=(",", ":")))

    def close(self) -> None:
        pass


class _Cache(CachingMiddleware):
    # Writes stay in memory until Store.flush(); the store decides when a batch is done.
    WRITE_CACHE_SIZE = 1_000_000_000


def default_path() -> Path:
    """The user's library file."""
    return data_dir() / "moodtape.json"


class Store:
    """Tracks, problems, listening state and other rooms' rows in one tinydb file (see library.store_lock for one
    program at a time on it)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._lock = threading.RLock()
        self._storage: AtomicJSONStorage | None = None

        def make_storage(p: str) -> AtomicJSONStorage:
            self._storage = AtomicJSONStorage(p)
            return self._storage

        self._db = TinyDB(str(self.path), storage=_Cache(make_storage))
        self._db.table(META).all()  # forces the first read (and any recovery) now
        self.recovered: str | None = self._storage.recovered if self._storage else None
        self._dirty = False
        self._by_path: dict[str, int] = {d["path"]: int(i) for i, d in self._raw(TRACKS).items()}
        self._renamed: dict[str, str] = {}  # old path -> new path of files moved in this run (see current_path)
        meta = self._db.table(META)
        if not meta.all():
            meta.insert({"schema_version": SCHEMA_VERSION, "created": time.time()})
            self._dirty = True
        elif meta.all()[0].get("schema_version", 0) > SCHEMA_VERSION:
            raise StoreCorrupt(f"{self.path} was written by a newer Moodtape (schema "
                               f"{meta.all()[0].get('schema_version')}); refusing to downgrade it")

    def _raw(self, table: str) -> dict[str, dict]:
        """The cached table as tinydb keeps it ({doc id: document}), without building Document objects."""
        data = self._db.storage.read() or {}
        return data.get(table, {})

    # ----- tracks
    def all_tracks(self) -> list[dict]:
        with self._lock:
            return [dict(d) for d in self._raw(TRACKS).values()]

    def track_count(self) -> int:
        with self._lock:
            return len(self._by_path)

    def get_track(self, path: str) -> dict | None:
        with self._lock:
            doc_id = self._by_path.get(path)
            if doc_id is None:
                return None
            doc = self._db.table(TRACKS).get(doc_id=doc_id)
            return dict(doc) if doc is not None else None

    def upsert_tracks(self, tracks: Iterable[dict]) -> None:
        with self._lock:
            table = self._db.table(TRACKS)
            new: list[dict] = []
            updates: list[tuple[dict, int]] = []
            for t in tracks:
                doc_id = self._by_path.get(t["path"])
                if doc_id is None:
                    new.append(dict(t))
                else:
                    updates.append((dict(t), doc_id))
            if updates:
                by_path = {fields["path"]: fields for fields, _ in updates}
                table.update(_setter_by_path(by_path), doc_ids=[doc_id for _, doc_id in updates])
            if new:
                ids = table.insert_multiple(new)
                for t, doc_id in zip(new, ids):
                    self._by_path[t["path"]] = doc_id
            self._dirty = self._dirty or bool(new or updates)

    def note_renamed(self, moves: Iterable[tuple[str, str]]) -> None:
        """Files moved or renamed by a scan: a write to an old path that the rest of the program still holds (the
        playing track's play count, say) goes to the new one. Kept for this run only, the newest 50,000."""
        with self._lock:
            for old, new in moves:
                self._renamed.pop(old, None)
                self._renamed[old] = new
            for old in list(self._renamed)[: max(0, len(self._renamed) - 50_000)]:
                del self._renamed[old]

    def current_path(self, path: str) -> str:
        """The path a track has now: `path`, or where a scan found its file moved to."""
        with self._lock:
            seen = {path}
            while path not in self._by_path and path in self._renamed and self._renamed[path] not in seen:
                path = self._renamed[path]
                seen.add(path)
            return path

    def update_tracks(self, updates: Iterable[tuple[str, dict]]) -> None:
        with self._lock:
            updates = [(self.current_path(path), fields) for path, fields in updates]
            by_path = {path: dict(fields) for path, fields in updates if path in self._by_path}
            if by_path:
                ids = [self._by_path[p] for p in by_path]
                self._db.table(TRACKS).update(_setter_by_path(by_path), doc_ids=ids)
                self._dirty = True

    def remove_tracks(self, paths: Iterable[str]) -> None:
        with self._lock:
            ids = [self._by_path.pop(p) for p in paths if p in self._by_path]
            if ids:
                self._db.table(TRACKS).remove(doc_ids=ids)
                self._dirty = True

    # ----- problems (broken files and the like)
    def add_problem(self, path: str, stage: str, reason: str) -> None:
        with self._lock:
            table = self._db.table(PROBLEMS)
            for doc in table.all():
                if doc["path"] == path and doc["stage"] == stage:
                    table.update({"reason": reason, "time": time.time()}, doc_ids=[doc.doc_id])
                    break
            else:
                table.insert({"path": path, "stage": stage, "reason": reason, "time": time.time()})
            self._dirty = True

    def add_problems(self, problems: Iterable[tuple[str, str, str]], tracked_only: bool = False) -> None:
        """Record (path, stage, reason) problems; with tracked_only, only for paths that are tracks of the library
        at this moment (checked under the store's lock: a track forgotten meanwhile gets none)."""
        with self._lock:
            table = self._db.table(PROBLEMS)
            existing = {(d["path"], d["stage"]): d.doc_id for d in table.all()}
            now = time.time()
            fresh = []
            for path, stage, reason in problems:
                if tracked_only and path not in self._by_path:
                    continue
                doc_id = existing.get((path, stage))
                if doc_id is None:
                    fresh.append({"path": path, "stage": stage, "reason": reason, "time": now})
                else:
                    table.update({"reason": reason, "time": now}, doc_ids=[doc_id])
            if fresh:
                table.insert_multiple(fresh)
            self._dirty = True

    def problems(self, stage: str | None = None) -> list[dict]:
        with self._lock:
            return [dict(d) for d in self._db.table(PROBLEMS).all() if stage is None or d["stage"] == stage]

    def clear_problems(self, path: str | None = None, stage: str | None = None,
                       paths: Iterable[str] | None = None) -> None:
        with self._lock:
            wanted = set(paths) if paths is not None else None
            table = self._db.table(PROBLEMS)
            ids = [d.doc_id for d in table.all()
                   if (path is None or d["path"] == path) and (stage is None or d["stage"] == stage)
                   and (wanted is None or d["path"] in wanted)]
            if ids:
                table.remove(doc_ids=ids)
                self._dirty = True

    # ----- generic rows for other rooms (journal entries, history, ...)
    def rows(self, table: str) -> list[dict]:
        with self._lock:
            return [{**d, "id": d.doc_id} for d in self._db.table(table).all()]

    def insert_row(self, table: str, row: dict) -> int:
        with self._lock:
            self._dirty = True
            return self._db.table(table).insert(dict(row))

    def insert_rows(self, table: str, rows: Iterable[dict]) -> list[int]:
        """Many rows in one go (one pass over the table, where insert_row makes one each)."""
        rows = [dict(r) for r in rows]
        if not rows:
            return []
        with self._lock:
            self._dirty = True
            return list(self._db.table(table).insert_multiple(rows))

    def remove_rows(self, table: str, row_ids: Iterable[int]) -> None:
        ids = list(row_ids)
        if ids:
            with self._lock:
                self._db.table(table).remove(doc_ids=ids)
                self._dirty = True

    def change_rows(self, table: str, row_ids: Iterable[int], change: Callable[[dict], None]) -> None:
        """change(row) edits each of these rows in place, in one pass."""
        ids = list(row_ids)
        if ids:
            with self._lock:
                self._db.table(table).update(change, doc_ids=ids)
                self._dirty = True

    def update_row(self, table: str, row_id: int, fields: dict) -> None:
        with self._lock:
            self._db.table(table).update(dict(fields), doc_ids=[row_id])
            self._dirty = True

    def replace_row(self, table: str, row_id: int, row: dict) -> None:
        """Replace a row whole (fields not in `row` are dropped)."""
        from tinydb.table import Document

        with self._lock:
            self._db.table(table).upsert(Document(dict(row), doc_id=row_id))
            self._dirty = True

    def remove_row(self, table: str, row_id: int) -> None:
        with self._lock:
            self._db.table(table).remove(doc_ids=[row_id])
            self._dirty = True

    def truncate(self, table: str) -> None:
        with self._lock:
            self._db.table(table).truncate()
            self._dirty = True

    # ----- key/value state (queue, volume, window geometry, preferences...)
    def get_state(self, key: str, default: Any = None) -> Any:
        with self._lock:
            for doc in self._db.table(STATE).all():
                if doc.get("key") == key:
                    return doc.get("value", default)
            return default

    def set_state(self, key: str, value: Any) -> None:
        with self._lock:
            table = self._db.table(STATE)
            for doc in table.all():
                if doc.get("key") == key:
                    table.update({"value": value}, doc_ids=[doc.doc_id])
                    break
            else:
                table.insert({"key": key, "value": value})
            self._dirty = True

    # ----- persistence
    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.table(META).all()[0]["schema_version"])

    def flush(self) -> None:
        """Write every pending change to disk, atomically."""
        with self._lock:
            if self._dirty:
                self._db.storage.flush()  # type: ignore[attr-defined]
                self._dirty = False

    def purge(self) -> None:
        """Write pending changes and make the backup and any damaged copies hold nothing older: removed or
        edited data (a deleted journal entry, say) is then gone from every file the store keeps."""
        with self._lock:
            self._dirty = True
            self.flush()
            data = self._db.storage.read() or {}  # type: ignore[attr-defined]
            _write_atomic(self.path.with_name(self.path.name + ".bak"), json.dumps(data, separators=(",", ":")))
            stale = self.path.with_name(self.path.name + ".bak.bak")
            stale.unlink(missing_ok=True)
            for damaged in self.path.parent.glob(self.path.name + ".damaged-*"):
                damaged.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self.flush()
            self._db.close()


def _setter_by_path(by_path: dict[str, dict]):
    """A tinydb update operation: sets each track's fields (looked up by its path); None deletes a field."""

    def apply(doc: dict) -> None:
        for k, v in by_path[doc["path"]].items():
            if v is None:
                doc.pop(k, None)
            else:
                doc[k] = v

    return apply
