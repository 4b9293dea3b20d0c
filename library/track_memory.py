"""What a track gathers in the library beyond its tags (plays, Added date, mood tags, a mood set by hand, loudness),
and the memory of tracks that left the library (moved to the trash, or gone from a scan), so that the same file
coming back (restored from the trash, or moved into another library folder that is scanned later) gets it back.

Plain Python, no Qt. The scanner (library/scanner.py) carries these fields over to a file that is a known track
moved, renamed or restored: the same size and modification time, which a move, a rename and the trash keep.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

CARRIED_FIELDS = ("added", "plays", "last_played", "valence", "arousal", "quadrant", "moods", "model_version",
                  "tag_key", "tag_error", "tag_error_key", "loudness", "loudness_key", "loudness_error", "mood_by",
                  "tagger_mood")
DEPARTED = "departed"  # the store table of tracks that left the library
TRASH, GONE = "trash", "gone"  # why they left
KEEP = 20_000  # the newest kept
KEEP_DAYS = 90


def carried(track: Mapping[str, Any]) -> dict[str, Any]:
    return {k: track[k] for k in CARRIED_FIELDS if k in track}


def remember(store: Any, tracks: Iterable[Mapping[str, Any] | None], why: str) -> None:
    """Keep what these tracks gathered, for when their files come back (why: TRASH or GONE)."""
    now = time.time()
    store.insert_rows(DEPARTED, [{"path": t["path"], "size": t["size"], "mtime": t["mtime"], "why": why,
                                  "left_at": now, **carried(t)}
                                 for t in tracks
                                 if t and t.get("path") and t.get("size") is not None and t.get("mtime") is not None])
    rows = store.rows(DEPARTED)
    old = now - KEEP_DAYS * 86400
    stale = [r for r in rows if float(r.get("left_at") or 0.0) < old]
    fresh = sorted((r for r in rows if float(r.get("left_at") or 0.0) >= old),
                   key=lambda r: float(r.get("left_at") or 0.0))
    store.remove_rows(DEPARTED, [r["id"] for r in stale + fresh[: max(0, len(fresh) - KEEP)]])


def departed(store: Any) -> list[dict]:
    """The tracks remembered after they left, in the last KEEP_DAYS (each with its row "id")."""
    since = time.time() - KEEP_DAYS * 86400
    return [r for r in store.rows(DEPARTED) if float(r.get("left_at") or 0.0) >= since]


def forget(store: Any, row_ids: Iterable[int]) -> None:
    store.remove_rows(DEPARTED, row_ids)


__all__ = ["CARRIED_FIELDS", "DEPARTED", "GONE", "KEEP", "KEEP_DAYS", "TRASH", "carried", "departed", "forget",
           "remember"]
