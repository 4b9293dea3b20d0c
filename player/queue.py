"""The play queue: what plays now, what the user queued by hand (pinned), and the automatic part after it.

Plain Python, no Qt. The pinned part always plays before the automatic part; the automatic part is rebuilt by a
fill strategy (shuffle for now, the mood planner later) and never touches pinned items.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass
class QueueItem:
    path: str
    pinned: bool = True
    reason: dict = field(default_factory=dict)  # why the planner chose it (empty for user items)

    def to_dict(self) -> dict:
        return {"path": self.path, "pinned": self.pinned, "reason": self.reason}

    @classmethod
    def from_dict(cls, d: dict) -> QueueItem:
        return cls(path=str(d["path"]), pinned=bool(d.get("pinned", True)), reason=dict(d.get("reason") or {}))


class PlayQueue:
    HISTORY_LIMIT = 200

    def __init__(self) -> None:
        self.items: list[QueueItem] = []
        self.current: str | None = None
        self.history: list[str] = []  # played before current, oldest first

    # ----- views
    def __len__(self) -> int:
        return len(self.items)

    def paths(self) -> list[str]:
        return [i.path for i in self.items]

    def pinned_paths(self) -> list[str]:
        return [i.path for i in self.items if i.pinned]

    def auto_count(self) -> int:
        return sum(1 for i in self.items if not i.pinned)

    def _pinned_end(self) -> int:
        n = 0
        for item in self.items:
            if not item.pinned:
                break
            n += 1
        return n

    # ----- user edits
    def add(self, paths: Iterable[str], next_up: bool = False) -> None:
        """Queue tracks by hand: after the other pinned tracks (or first when next_up)."""
        new = [QueueItem(p, pinned=True) for p in paths]
        at = 0 if next_up else self._pinned_end()
        self.items[at:at] = new

    def insert(self, paths: Iterable[str], at: int) -> None:
        """Queue tracks by hand at a place (a drop): they and everything before them are pinned, so the pinned part
        stays one block at the front."""
        at = max(0, min(at, len(self.items)))
        self.items[at:at] = [QueueItem(p, pinned=True) for p in paths]
        last_pinned = max((i for i, it in enumerate(self.items) if it.pinned), default=-1)
        for it in self.items[: last_pinned + 1]:
            it.pinned = True

    def remove(self, indexes: Iterable[int]) -> None:
        for i in sorted(set(indexes), reverse=True):
            if 0 <= i < len(self.items):
                del self.items[i]

    def move(self, rows: Sequence[int], to: int) -> None:
        """Move the given rows so they start at `to` (row index before the move). Moved items become pinned:
        a track the user placed by hand stays where they put it."""
        rows = sorted(set(r for r in rows if 0 <= r < len(self.items)))
        if not rows:
            return
        moving = [self.items[r] for r in rows]
        to -= sum(1 for r in rows if r < to)
        for r in reversed(rows):
            del self.items[r]
        to = max(0, min(to, len(self.items)))
        for item in moving:
            item.pinned = True
        self.items[to:to] = moving
        # Everything before a pinned item is pinned too, so the pinned part stays one block at the front.
        last_pinned = max((i for i, it in enumerate(self.items) if it.pinned), default=-1)
        for it in self.items[: last_pinned + 1]:
            it.pinned = True

    def clear(self) -> None:
        self.items.clear()

    # ----- the automatic part
    def set_auto(self, paths: Sequence[str], reasons: Sequence[dict] | None = None) -> None:
        pinned = [i for i in self.items if i.pinned]
        reasons = reasons or [{} for _ in paths]
        self.items = pinned + [QueueItem(p, pinned=False, reason=dict(r)) for p, r in zip(paths, reasons)]

    # ----- moving through
    def take_next(self) -> str | None:
        """Pop the next track and make it current."""
        if not self.items:
            return None
        item = self.items.pop(0)
        self._set_current(item.path)
        return item.path

    def take_at(self, index: int) -> str | None:
        if not 0 <= index < len(self.items):
            return None
        item = self.items.pop(index)
        self._set_current(item.path)
        return item.path

    def play_now(self, path: str) -> None:
        self._set_current(path)

    def _set_current(self, path: str) -> None:
        if self.current is not None:
            self.history.append(self.current)
            del self.history[: -self.HISTORY_LIMIT]
        self.current = path

    def back(self) -> str | None:
        """Go to the previous track; the current one goes back to the front of the queue."""
        if not self.history:
            return None
        prev = self.history.pop()
        if self.current is not None:
            self.items.insert(0, QueueItem(self.current, pinned=True))
        self.current = prev
        return prev

    def rename(self, moves: list[tuple[str, str]]) -> None:
        """Files moved or renamed (old path, new path): the queue, the current track and the history follow them."""
        new_for = dict(moves)
        for item in self.items:
            item.path = new_for.get(item.path, item.path)
        if self.current is not None:
            self.current = new_for.get(self.current, self.current)
        self.history = [new_for.get(p, p) for p in self.history]

    def drop_missing(self, known: set[str]) -> None:
        """Forget the tracks that are not in `known` (the library), in the queue and in what Previous goes back to."""
        self.items = [i for i in self.items if i.path in known]
        self.history = [p for p in self.history if p in known]

    # ----- persistence
    def to_dict(self) -> dict:
        return {"items": [i.to_dict() for i in self.items], "current": self.current,
                "history": self.history[-50:]}

    @classmethod
    def from_dict(cls, d: dict | None) -> PlayQueue:
        q = cls()
        if not d:
            return q
        q.items = [QueueItem.from_dict(x) for x in d.get("items", []) if isinstance(x, dict) and "path" in x]
        q.current = d.get("current")
        q.history = [str(p) for p in d.get("history", [])]
        return q


class ShuffleFill:
    """The simplest fill for the automatic part: random library tracks, not recently played, no artist twice
    in a row."""

    name = "shuffle"

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)

    def fill(self, tracks: Sequence[dict], n: int, exclude: Iterable[str] = (),
             last_artist: str | None = None) -> list[str]:
        skip = set(exclude)
        pool = [t for t in tracks if t["path"] not in skip]
        self._rng.shuffle(pool)
        out: list[dict] = []
        rest: list[dict] = []
        prev = last_artist
        for t in pool:
            if len(out) >= n:
                break
            artist = t.get("artist") or None
            if artist is not None and artist == prev:
                rest.append(t)
                continue
            out.append(t)
            prev = artist
        out += rest[: n - len(out)]
        return [t["path"] for t in out]
