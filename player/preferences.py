"""Personal preference learned from listening: plays to the end, skips (and how early), likes.

A "wide", memorising model in the spirit of wide-and-deep recommenders: one value per crossed feature
(listener mood quadrant x track / artist / genre). Each value is a shrunk mean of the rewards seen for
it, so a single event moves it at once (learning within a session) and a few agreeing events make it
firm. Everything is keyed by the quadrant of the listener's mood at the time, so a track skipped when
sad is demoted when sad only.

Rewards: finished -> +0.5; liked -> +1.0 (unliked -> -1.0); skipped after a fraction f of the track ->
-1.0 + 1.6 * min(f, 0.5) (an early skip says more than a late one); other partial plays count as a
finish or a skip by the fraction played.

Persisted with to_dict/from_dict, or save/load through library.store.Store.get_state/set_state.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from typing import Any

from emotion.mood_space import QUADRANTS, quadrant

KINDS = ("track", "artist", "genre")
# Pseudo-count of each kind: how many events it takes to reach half the reward (more = more general).
DEFAULT_SHRINK = {"track": 0.5, "artist": 2.0, "genre": 6.0}
# How much each kind counts in the score.
DEFAULT_WEIGHTS = {"track": 1.0, "artist": 0.6, "genre": 0.3}
STATE_KEY = "preferences"
FORMAT_VERSION = 1


def norm_key(kind: str, track: Mapping[str, Any]) -> str:
    """The feature value of a track for one kind ('' when the track has none)."""
    if kind == "track":
        return str(track.get("path") or "")
    return str(track.get(kind) or "").strip().lower()


def as_quadrant(mood: Any) -> str:
    """A quadrant name from 'Q1'..'Q4', a (v, a) pair, or an object with valence/arousal."""
    if isinstance(mood, str):
        if mood not in QUADRANTS:
            raise ValueError(f"unknown quadrant {mood!r}")
        return mood
    if hasattr(mood, "valence"):
        return quadrant(float(mood.valence), float(mood.arousal))
    v, a = mood
    return quadrant(float(v), float(a))


def reward(event: str, fraction: float = 1.0) -> float:
    """Reward of one listening event: 'finish', 'skip', 'like', 'unlike', or 'play' (by fraction)."""
    f = min(max(float(fraction), 0.0), 1.0)
    if event == "like":
        return 1.0
    if event == "unlike":
        return -1.0
    if event == "finish":
        return 0.5
    if event == "skip":
        return -1.0 + 1.6 * min(f, 0.5)
    if event == "play":
        return 0.5 if f >= 0.9 else reward("skip", f)
    raise ValueError(f"unknown event {event!r}")


class Preferences:
    """Per-mood-region preference for tracks, artists and genres."""

    def __init__(
        self,
        shrink: Mapping[str, float] | None = None,
        weights: Mapping[str, float] | None = None,
        max_entries: int = 50_000,
    ) -> None:
        self.shrink = {**DEFAULT_SHRINK, **(shrink or {})}
        self.weights = {**DEFAULT_WEIGHTS, **(weights or {})}
        self.max_entries = max_entries
        # quadrant -> kind -> key -> [sum of rewards, count]
        self._stats: dict[str, dict[str, dict[str, list[float]]]] = {
            q: {k: {} for k in KINDS} for q in QUADRANTS
        }
        self._lock = threading.RLock()
        self.version = 0  # bumped on every change; the planner caches on it
        self.events = 0
        # (version, quadrant, kind, key) of recent changes, so the planner can update incrementally.
        self._log: deque[tuple[int, str, str, str]] = deque(maxlen=4096)

    # ------------------------------------------------------------------ learning
    def record(self, event: str, track: Mapping[str, Any], mood: Any, fraction: float = 1.0) -> float:
        """Learn from one event of `track` while the listener's mood was `mood`; returns the reward."""
        r = reward(event, fraction)
        q = as_quadrant(mood)
        with self._lock:
            for kind in KINDS:
                key = norm_key(kind, track)
                if not key:
                    continue
                table = self._stats[q][kind]
                s = table.setdefault(key, [0.0, 0.0])
                s[0] += r
                s[1] += 1.0
                if len(table) > self.max_entries:
                    self._forget(table)
                    self._log.clear()  # many values vanished: consumers rebuild
            self.version += 1
            self.events += 1
            for kind in KINDS:
                key = norm_key(kind, track)
                if key:
                    self._log.append((self.version, q, kind, key))
        return r

    def record_play(
        self, track: Mapping[str, Any], mood: Any, fraction: float, skipped: bool | None = None
    ) -> float:
        """A play that ended after `fraction` of the track; skipped=None decides by the fraction."""
        if skipped is None:
            return self.record("play", track, mood, fraction)
        return self.record("skip" if skipped else "finish", track, mood, fraction)

    def record_skip(self, track: Mapping[str, Any], mood: Any, fraction: float = 0.0) -> float:
        return self.record("skip", track, mood, fraction)

    def record_finish(self, track: Mapping[str, Any], mood: Any) -> float:
        return self.record("finish", track, mood, 1.0)

    def record_like(self, track: Mapping[str, Any], mood: Any, liked: bool = True) -> float:
        return self.record("like" if liked else "unlike", track, mood)

    @staticmethod
    def _forget(table: dict[str, list[float]]) -> None:
        """Drop the least-evidenced tenth of a table that grew too big."""
        items = sorted(table.items(), key=lambda kv: kv[1][1])
        for key, _ in items[: max(1, len(items) // 10)]:
            del table[key]

    def changes_since(self, version: int) -> list[tuple[str, str, str]] | None:
        """(quadrant, kind, key) changed after `version`, or None when that is no longer known."""
        with self._lock:
            if version == self.version:
                return []
            if version > self.version or not self._log or self._log[0][0] > version + 1:
                return None
            return [(q, k, key) for v, q, k, key in self._log if v > version]

    # ------------------------------------------------------------------ scoring
    def value(self, quadrant_name: str, kind: str, key: str) -> float:
        """The learned value of one feature (unweighted, 0 when unknown)."""
        s = self._stats[quadrant_name][kind].get(key)
        if s is None:
            return 0.0
        return s[0] / (s[1] + self.shrink[kind])

    def weighted_value(self, quadrant_name: str, kind: str, key: str) -> float:
        with self._lock:
            return self.weights[kind] * self.value(quadrant_name, kind, key)

    def table(self, mood: Any) -> dict[str, dict[str, float]]:
        """kind -> key -> weighted value in one mood region (what the planner scatters into arrays)."""
        q = as_quadrant(mood)
        with self._lock:
            return {
                kind: {
                    key: self.weights[kind] * s[0] / (s[1] + self.shrink[kind])
                    for key, s in self._stats[q][kind].items()
                }
                for kind in KINDS
            }

    def score(self, track: Mapping[str, Any], mood: Any) -> float:
        """Preference for a track in a mood region: weighted sum over its features (0 = no opinion)."""
        q = as_quadrant(mood)
        with self._lock:
            return sum(
                self.weights[k] * self.value(q, k, norm_key(k, track)) for k in KINDS if norm_key(k, track)
            )

    def explain(self, track: Mapping[str, Any], mood: Any) -> dict[str, float]:
        q = as_quadrant(mood)
        with self._lock:
            return {k: round(self.weights[k] * self.value(q, k, norm_key(k, track)), 4) for k in KINDS}

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            return {
                "format": FORMAT_VERSION,
                "events": self.events,
                "stats": {
                    q: {k: {key: [round(s[0], 6), s[1]] for key, s in t.items()} for k, t in kinds.items()}
                    for q, kinds in self._stats.items()
                },
            }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, **kwargs: Any) -> Preferences:
        prefs = cls(**kwargs)
        if not data or data.get("format") != FORMAT_VERSION:
            return prefs
        for q, kinds in (data.get("stats") or {}).items():
            if q not in prefs._stats:
                continue
            for k, t in kinds.items():
                if k in KINDS:
                    prefs._stats[q][k] = {str(key): [float(s[0]), float(s[1])] for key, s in t.items()}
        prefs.events = int(data.get("events", 0))
        prefs.version = 1
        return prefs

    def save(self, store: Any, key: str = STATE_KEY) -> None:
        """Persist into the store's state (library.store.Store.set_state)."""
        store.set_state(key, self.to_dict())

    @classmethod
    def load(cls, store: Any, key: str = STATE_KEY, **kwargs: Any) -> Preferences:
        return cls.from_dict(store.get_state(key, None), **kwargs)

    def rename_track(self, old_path: str, new_path: str) -> None:
        """Carry a track's memory over when its file moves."""
        with self._lock:
            for q in QUADRANTS:
                t = self._stats[q]["track"]
                if old_path in t:
                    t[new_path] = t.pop(old_path)
            self.version += 1
            self._log.clear()
