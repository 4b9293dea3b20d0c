"""Listening history: what played, how much of it, skipped or not, and the listener's mood at the time."""

from __future__ import annotations

import time

TABLE = "history"
KEEP = 5000  # newest entries kept


def record(store, path: str, fraction: float, skipped: bool, mood_quadrant: str | None = None,
           liked: bool | None = None, when: float | None = None) -> None:
    path = store.current_path(path) if hasattr(store, "current_path") else path  # (a file renamed meanwhile)
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


PLAYED_FRACTION = 0.5  # heard this much of a track (or to its end): it counts as a play


def counts_as_play(fraction: float, skipped: bool) -> bool:
    """A track heard to its end, or skipped after at least half of it, was played."""
    return not skipped or float(fraction) >= PLAYED_FRACTION


def play_stats(store) -> dict[str, tuple[int, float]]:
    """path -> (plays, time of the last play) from the history (likes and dislikes are not plays)."""
    stats: dict[str, tuple[int, float]] = {}
    for r in store.rows(TABLE):
        if "liked" in r or not counts_as_play(float(r.get("fraction") or 0.0), bool(r.get("skipped"))):
            continue
        n, last = stats.get(r["path"], (0, 0.0))
        stats[r["path"]] = (n + 1, max(last, float(r.get("time") or 0.0)))
    return stats


def rename(store, moves: list[tuple[str, str]] | list[tuple[str, str, float | None]]) -> None:
    """Files moved or renamed: their entries follow them, all at once (so swaps work). Each move is (old path, new
    path), or (old path, new path, until): then only entries from before `until` follow (a file back from the trash
    takes its own likes, not those of a newer file saved under its old name meanwhile)."""
    new_for: dict[str, tuple[str, float | None]] = {}
    for move in moves:
        new_for[move[0]] = (move[1], move[2] if len(move) > 2 else None)

    def follows(row: dict) -> bool:
        target = new_for.get(row.get("path"))
        return target is not None and (target[1] is None or float(row.get("time") or 0.0) <= target[1])

    ids = [r["id"] for r in store.rows(TABLE) if follows(r)]

    def follow(row: dict) -> None:
        row["path"] = new_for[row["path"]][0]

    store.change_rows(TABLE, ids, follow)
