"""What a track gathers in the library beyond its tags (plays, Added date, mood tags, a mood set by hand, loudness),
and the memory of tracks moved to the trash, so that a file restored from the trash comes back with it.

Plain Python, no Qt. The scanner (library/scanner.py) carries these fields over to a file that is a known track
moved, renamed or restored: the same size and modification time (which a move, a rename and the trash keep).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

CARRIED_FIELDS = ("added", "plays", "last_played", "valence", "arousal", "quadrant", "moods", "model_version",
                  "tag_key", "tag_error", "tag_error_key", "loudness", "loudness_key", "loudness_error", "mood_by",
                  "tagger_mood")
TRASHED = "trashed"  # the store table of tracks moved to the trash
KEEP_TRASHED = 2000  # the newest kept


def carried(track: Mapping[str, Any]) -> dict[str, Any]:
    return {k: track[k] for k in CARRIED_FIELDS if k in track}


def remember_trashed(store: Any, tracks: Iterable[Mapping[str, Any] | None]) -> None:
    """Keep what these tracks gathered, for when their files come back from the trash."""
    now = time.time()
    for t in tracks:
        if t and t.get("path") and t.get("size") is not None and t.get("mtime") is not None:
            store.insert_row(TRASHED, {"path": t["path"], "size": t["size"], "mtime": t["mtime"], "trashed_at": now,
                                       **carried(t)})
    rows = store.rows(TRASHED)
    if len(rows) > KEEP_TRASHED:
        for old in sorted(rows, key=lambda r: float(r.get("trashed_at") or 0.0))[: len(rows) - KEEP_TRASHED]:
            store.remove_row(TRASHED, old["id"])


def trashed(store: Any) -> list[dict]:
    """The tracks remembered from the trash (each with its row "id")."""
    return store.rows(TRASHED)


def forget_trashed(store: Any, row_ids: Iterable[int]) -> None:
    for row_id in row_ids:
        store.remove_row(TRASHED, row_id)


__all__ = ["CARRIED_FIELDS", "KEEP_TRASHED", "TRASHED", "carried", "forget_trashed", "remember_trashed", "trashed"]
