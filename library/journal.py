"""Journal entries in the library store (table "journal"): text, reading, created/updated times.

Plain Python on top of `library.store.Store`'s generic rows; knows nothing of the reader (the reading is
stored as the JSON-friendly dict the caller gives).

Deleting (or editing) really removes the old text: the store is purged, so neither its file nor the
previous-version backup (`<file>.bak`, kept by the atomic writer) nor a damaged copy holds it.
"""

from __future__ import annotations

import time
from typing import Any

TABLE = "journal"


class JournalStore:
    """CRUD for journal entries. Entries are dicts: id, text, reading, created, updated (epoch seconds)."""

    def __init__(self, store: Any, autoflush: bool = True) -> None:
        self.store = store
        self.autoflush = autoflush

    def _flush(self) -> None:
        if self.autoflush:
            self.store.flush()

    def add(self, text: str, reading: dict | None = None, created: float | None = None) -> int:
        now = time.time() if created is None else float(created)
        row_id = self.store.insert_row(TABLE, {"text": str(text), "reading": dict(reading or {}),
                                               "created": now, "updated": now})
        self._flush()
        return int(row_id)

    def update(self, entry_id: int, text: str, reading: dict | None = None) -> None:
        if self.get(entry_id) is None:
            raise KeyError(f"no journal entry {entry_id}")
        self.store.update_row(TABLE, int(entry_id), {"text": str(text), "reading": dict(reading or {}),
                                                     "updated": time.time()})
        if self.autoflush:
            self.purge()  # the old text must not linger in the backup

    def set_reading(self, entry_id: int, reading: dict) -> None:
        """Store a (newer) reading without touching the text or the updated time."""
        if self.get(entry_id) is not None:
            self.store.update_row(TABLE, int(entry_id), {"reading": dict(reading)})
            self._flush()

    def get(self, entry_id: int) -> dict | None:
        for row in self.store.rows(TABLE):
            if int(row["id"]) == int(entry_id):
                return row
        return None

    def list(self) -> list[dict]:
        """All entries, newest first (by creation time)."""
        return sorted(self.store.rows(TABLE), key=lambda r: (-float(r.get("created", 0)), -int(r["id"])))

    def delete(self, entry_id: int) -> bool:
        """Remove an entry; its text is gone from the store file (and its backup) afterwards."""
        if self.get(entry_id) is None:
            return False
        self.store.remove_row(TABLE, int(entry_id))
        self.purge()
        return True

    def purge(self) -> None:
        """Neither the store file nor its backup keeps removed or replaced text."""
        if hasattr(self.store, "purge"):
            self.store.purge()
        else:
            self.store.flush()

    def __len__(self) -> int:
        return len(self.store.rows(TABLE))
