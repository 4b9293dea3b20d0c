"""Listening history: what played, how much of it, skipped or not, and the listener's mood at the time."""

from __future__ import annotations

import time

TABLE = "history"
KEEP = 5000  # newest entries kept


def record(store, path: str, fraction: float, skipped: bool, mood_quadrant: str | None = None,
           liked: bool | None = None, when: float | None = None) -> None:
    row = {"path": path, "fraction": round(float(fraction), 3), "skipped": bool(skipped),
           "time": when if when is not None else time.time()}
    if mood_quadrant:
        row["mood"] = mood_quadrant
    if liked is not None:
        row["liked"] = bool(liked)
    store.insert_row(TABLE, row)
    rows = store.rows(TABLE)
    if len(rows) > KEEP:
        for old in sorted(rows, key=lambda r: r["time"])[: len(rows) - KEEP]:
            store.remove_row(TABLE, old["id"])


def recent(store, n: int = 50) -> list[dict]:
    return sorted(store.rows(TABLE), key=lambda r: -r["time"])[:n]


def play_counts(store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in store.rows(TABLE):
        if not r.get("skipped"):
            counts[r["path"]] = counts.get(r["path"], 0) + 1
    return counts
