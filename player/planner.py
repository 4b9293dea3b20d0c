"""The mood planner: builds the automatic part of the queue along a trajectory in valence-arousal space.

Strategies (the user chooses; the default is match, since the evidence for the iso principle is mixed):
- match: stay at the listener's mood;
- lift: iso principle, start at the current mood and move a step per track toward a positive target;
- calm: the same walk toward low arousal and positive valence;
- custom: the same walk toward a target picked on the mood map.

Every tagged track is scored against each waypoint (greedy, one waypoint after the other):
    score = - w_distance * |track - waypoint|
            + w_preference * preference(track | listener's mood region)
            + w_text * text_score(track)                (diary -> songs retrieval, optional)
            - w_smoothness * |track - previous track|
            - w_artist_repeat * (times the artist is already in this plan)
            - w_tag_conflict * (the tagged quadrant disagrees with the tagged valence/arousal)
            - w_quadrant_doubt * depth(waypoint) * (1 - the tagger's probability that the track is in the
              waypoint's quadrant)        (depth: 1 from a quadrant's centre outwards, 0 on the axes)
with hard variety rules: never the same artist twice in a row, no track twice in a plan, nothing from the
last `recent_window` plays (both relaxed only when the library has nothing else). Untagged tracks are
never planned; pinned (user-queued) tracks are left out of the automatic part.

The library is turned into numpy arrays once per set_tracks(), sorted into a grid of cells over the plane
(about 100 tracks per cell). Each waypoint is an exact branch and bound over the cells: a cell's bound is
its best static score (preference, text, tag agreement; refreshed once per plan) minus the distance from
the waypoint to the cell's bounding box, and only cells whose bound beats the best track found so far are
scored. plan_naive() is the same scoring as a plain Python loop (the benchmark baseline; tests check that
both give the same plan). Plain Python + numpy, no Qt.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from emotion.mood_space import QUADRANT_MOOD_WORDS, QUADRANTS, clamp, quadrant

LIFT_TARGET = (0.6, 0.4)
CALM_TARGET = (0.45, -0.6)
DEFAULT_STEPS = 5
DEFAULT_N = 10
_BLOCKED = -1e9  # score of a track that must not be chosen
_SOFT_BLOCK = 100.0  # penalty of a track that may be chosen only when nothing else is left


class Strategy(StrEnum):
    MATCH = "match"
    LIFT = "lift"
    CALM = "calm"
    CUSTOM = "custom"

    @classmethod
    def parse(cls, value: str | Strategy) -> Strategy:
        if isinstance(value, Strategy):
            return value
        try:
            return cls(str(value).lower())
        except ValueError:
            raise ValueError(
                f"unknown strategy {value!r}; expected one of {[s.value for s in cls]}"
            ) from None


@dataclass(frozen=True)
class Weights:
    distance: float = 1.0
    preference: float = 0.35
    text: float = 0.3
    smoothness: float = 0.15
    artist_repeat: float = 0.1
    tag_conflict: float = 0.1  # the tag's quadrant disagrees with its own (valence, arousal)
    quadrant_doubt: float = 4.0  # the tagger was unsure the track belongs to the waypoint's quadrant (see README)


@dataclass(frozen=True)
class PlannedTrack:
    path: str
    waypoint: tuple[float, float]
    score: float
    reasons: dict[str, Any] = field(default_factory=dict)
    point: tuple[float, float] = (0.0, 0.0)  # the track's own (valence, arousal)

    def why(self) -> str:
        """A short human-readable reason for the queue view."""
        r = self.reasons
        parts = [
            f"mood distance {r.get('distance', 0.0):.2f} to waypoint "
            f"({self.waypoint[0]:+.2f}, {self.waypoint[1]:+.2f})"
        ]
        pref = r.get("preference", 0.0)
        if abs(pref) >= 0.05:
            parts.append(
                ("you tend to keep it" if pref > 0 else "you tend to skip it")
                + f" in this mood ({pref:+.2f})"
            )
        text = r.get("text", 0.0)
        if abs(text) >= 0.05:
            parts.append(f"matches your journal ({text:+.2f})")
        doubt = r.get("quadrant_doubt", 0.0)
        if doubt >= 0.5:
            parts.append(f"its mood tag is uncertain ({1 - doubt:.0%} sure of this quadrant)")
        if r.get("relaxed"):
            parts.append("variety relaxed: " + ", ".join(r["relaxed"]))
        return "; ".join(parts)


def mood_point(mood: Any) -> tuple[float, float]:
    """(valence, arousal) from a tuple, a dict or an object with valence/arousal (a tracker Mood)."""
    if mood is None:
        return (0.0, 0.0)
    if isinstance(mood, Mapping):
        return (float(mood["valence"]), float(mood["arousal"]))
    if hasattr(mood, "valence"):
        return (float(mood.valence), float(mood.arousal))
    v, a = mood
    return (float(v), float(a))


def strategy_target(
    strategy: Strategy | str, current: tuple[float, float], target: tuple[float, float] | None = None
) -> tuple[float, float]:
    s = Strategy.parse(strategy)
    if s is Strategy.MATCH:
        return current
    if target is not None:
        return (clamp(float(target[0])), clamp(float(target[1])))
    if s is Strategy.LIFT:
        return LIFT_TARGET
    if s is Strategy.CALM:
        return CALM_TARGET
    raise ValueError("the custom strategy needs a target")


def trajectory(
    current: Any,
    strategy: Strategy | str = Strategy.MATCH,
    n: int = DEFAULT_N,
    steps: int = DEFAULT_STEPS,
    target: tuple[float, float] | None = None,
) -> list[tuple[float, float]]:
    """n waypoints: the first at the current mood, then a step per track, reaching the target at `steps`."""
    cur = mood_point(current)
    tgt = strategy_target(strategy, cur, target)
    steps = max(int(steps), 0)
    out = []
    for k in range(n):
        f = 1.0 if steps == 0 else min(k / steps, 1.0)
        out.append((cur[0] + (tgt[0] - cur[0]) * f, cur[1] + (tgt[1] - cur[1]) * f))
    return out


def is_tagged(track: Mapping[str, Any]) -> bool:
    v, a = track.get("valence"), track.get("arousal")
    if v is None or a is None:
        return False
    try:
        return math.isfinite(float(v)) and math.isfinite(float(a))
    except (TypeError, ValueError):
        return False


def _artist(track: Mapping[str, Any]) -> str:
    return str(track.get("artist") or "").strip().lower()


def _tag_conflict(track: Mapping[str, Any]) -> float:
    """1.0 when the tagged quadrant (a classifier's answer) disagrees with the tagged valence/arousal."""
    q = track.get("quadrant")
    if not q:
        return 0.0
    return float(q != quadrant(float(track["valence"]), float(track["arousal"])))


def _quadrant_doubt(track: Mapping[str, Any]) -> list[float]:
    """1 - the tagger's probability of each quadrant (0 for all four when the track has none)."""
    moods = track.get("moods")
    if not isinstance(moods, Mapping):
        return [0.0] * 4
    try:
        probs = [float(moods[QUADRANT_MOOD_WORDS[q]]) for q in QUADRANTS]
    except (KeyError, TypeError, ValueError):
        return [0.0] * 4
    total = sum(probs)
    if not total > 0:
        return [0.0] * 4
    return [1.0 - p / total for p in probs]


QUADRANT_DEPTH = 0.5  # a waypoint this far from both axes (a quadrant's centre) is fully inside its quadrant


def quadrant_depth(wp: tuple[float, float]) -> float:
    """How clearly a waypoint lies in its quadrant: 1 from the quadrant's centre outwards, falling to 0 at the
    axes. The tagger's quadrant doubt weighs this much, so that a walk's waypoints near the axes (lift, calm) are
    matched by distance and step gradually instead of jumping to the tracks surest of a quadrant's corner."""
    return min(1.0, abs(wp[0]) / QUADRANT_DEPTH) * min(1.0, abs(wp[1]) / QUADRANT_DEPTH)


def doubt_weight(weights: Weights, wp: tuple[float, float]) -> np.float32:
    """The quadrant-doubt weight at a waypoint (float32, as the vectorised scoring uses it)."""
    return np.float32(weights.quadrant_doubt * quadrant_depth(wp))


def _genre(track: Mapping[str, Any]) -> str:
    return str(track.get("genre") or "").strip().lower()


class Planner:
    """Plans the automatic part of the queue over a library of store track dicts."""

    def __init__(
        self,
        tracks: Iterable[Mapping[str, Any]] = (),
        preferences: Any = None,
        weights: Weights | None = None,
        recent_window: int = 20,
    ) -> None:
        self.preferences = preferences
        self.weights = weights or Weights()
        self.recent_window = recent_window
        self.library_version = 0
        self.set_tracks(tracks)

    # ------------------------------------------------------------------ library
    def set_tracks(self, tracks: Iterable[Mapping[str, Any]]) -> None:
        """(Re)build the arrays; untagged tracks are dropped."""
        tagged = [t for t in tracks if is_tagged(t) and t.get("path")]
        n = len(tagged)
        v = np.fromiter((float(t["valence"]) for t in tagged), np.float32, n)
        a = np.fromiter((float(t["arousal"]) for t in tagged), np.float32, n)
        # Keep the tracks sorted by grid cell so each cell is a contiguous slice (see plan()).
        g = self.grid_size(n)
        cells = self._cells(v, a, g)
        order = np.argsort(cells, kind="stable")
        cells = cells[order]
        self.tracks: list[Mapping[str, Any]] = [tagged[i] for i in order]
        tagged = self.tracks
        self.valence = v[order]
        self.arousal = a[order]
        self.paths = [str(t["path"]) for t in tagged]
        self.index = {p: i for i, p in enumerate(self.paths)}
        self.artist_names = [""]
        self.artist_index: dict[str, int] = {"": 0}
        self.genre_names = [""]
        self.genre_index: dict[str, int] = {"": 0}
        self.artist_ids = np.zeros(n, np.int32)
        self.genre_ids = np.zeros(n, np.int32)
        self.tag_conflict = np.zeros(n, np.float32)
        self.quadrant_doubt = np.zeros((n, 4), np.float32)
        for i, t in enumerate(tagged):
            self.artist_ids[i] = self.artist_index.setdefault(_artist(t), len(self.artist_index))
            self.genre_ids[i] = self.genre_index.setdefault(_genre(t), len(self.genre_index))
            self.tag_conflict[i] = _tag_conflict(t)
            self.quadrant_doubt[i] = _quadrant_doubt(t)
        self.artist_names = list(self.artist_index)
        self.genre_names = list(self.genre_index)
        # Members of each artist / genre (CSR), for incremental preference updates.
        self._members: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for kind, ids, count in (
            ("artist", self.artist_ids, len(self.artist_names)),
            ("genre", self.genre_ids, len(self.genre_names)),
        ):
            order = np.argsort(ids, kind="stable")
            starts = np.concatenate([[0], np.cumsum(np.bincount(ids, minlength=count))])
            self._members[kind] = (order, starts)
        self._grid = g
        counts = np.bincount(cells, minlength=g * g) if n else np.zeros(g * g, np.int64)
        self._cell_end = np.cumsum(counts)
        self._cell_start = self._cell_end - counts
        self._nonempty = counts > 0
        self._cell_v0 = np.full(g * g, np.inf, np.float32)
        self._cell_v1 = np.full(g * g, -np.inf, np.float32)
        self._cell_a0 = np.full(g * g, np.inf, np.float32)
        self._cell_a1 = np.full(g * g, -np.inf, np.float32)
        if n:
            st = self._cell_start[self._nonempty]
            self._cell_v0[self._nonempty] = np.minimum.reduceat(self.valence, st)
            self._cell_v1[self._nonempty] = np.maximum.reduceat(self.valence, st)
            self._cell_a0[self._nonempty] = np.minimum.reduceat(self.arousal, st)
            self._cell_a1[self._nonempty] = np.maximum.reduceat(self.arousal, st)
        self.library_version += 1
        self._pref_cache: dict[str, dict[str, Any]] = {}
        self._text_cache: tuple[Any, Any, np.ndarray] | None = None

    def _cell_members(self, cells: np.ndarray) -> np.ndarray:
        """Indices of the tracks in the given cells (each cell is a contiguous slice)."""
        starts, ends = self._cell_start[cells], self._cell_end[cells]
        lengths = ends - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, np.int64)
        offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        return offsets + np.arange(total)

    @staticmethod
    def grid_size(n: int) -> int:
        """Cells per axis: about 100 tracks per cell, 1..32."""
        return max(1, min(32, int(math.sqrt(n / 100.0))))

    @staticmethod
    def _cells(v: np.ndarray, a: np.ndarray, g: int) -> np.ndarray:
        cv = np.clip(((v.astype(np.float64) + 1.0) * 0.5 * g).astype(np.int64), 0, g - 1)
        ca = np.clip(((a.astype(np.float64) + 1.0) * 0.5 * g).astype(np.int64), 0, g - 1)
        return ca * g + cv

    def __len__(self) -> int:
        return len(self.paths)

    def track(self, path: str) -> Mapping[str, Any] | None:
        i = self.index.get(path)
        return None if i is None else self.tracks[i]

    # ------------------------------------------------------------------ static scores
    def preference_vector(self, mood: Any) -> np.ndarray:
        """Preference of every track in the listener's mood region.

        Cached per mood region; after new listening events only the changed tracks, artists and genres
        are updated (Preferences.changes_since), so a re-plan after a skip stays cheap.
        """
        n = len(self.paths)
        if self.preferences is None or n == 0:
            return np.zeros(n, np.float32)
        prefs = self.preferences
        q = quadrant(*mood_point(mood)) if not isinstance(mood, str) else mood
        version = getattr(prefs, "version", None)
        ident = (self.library_version, id(prefs))
        cached = self._pref_cache.get(q)
        if cached is not None and cached["ident"] == ident:
            if cached["version"] == version:
                return cached["vec"]
            changes = prefs.changes_since(cached["version"]) if hasattr(prefs, "changes_since") else None
            if changes is not None:
                self._apply_changes(cached, q, changes)
                cached["version"] = version
                return cached["vec"]
        table = prefs.table(q)
        parts = {
            "track": np.zeros(n, np.float32),
            "artist": np.zeros(len(self.artist_names), np.float32),
            "genre": np.zeros(len(self.genre_names), np.float32),
        }
        for path, val in table.get("track", {}).items():
            i = self.index.get(path)
            if i is not None:
                parts["track"][i] = val
        for kind, names in (("artist", self.artist_index), ("genre", self.genre_index)):
            for name, val in table.get(kind, {}).items():
                j = names.get(name)
                if j:  # 0 is "unknown"
                    parts[kind][j] = val
        vec = parts["track"] + parts["artist"][self.artist_ids] + parts["genre"][self.genre_ids]
        self._pref_cache[q] = {"ident": ident, "version": version, "vec": vec, "parts": parts}
        return vec

    def _apply_changes(self, cached: dict[str, Any], q: str, changes: list[tuple[str, str, str]]) -> None:
        vec, parts = cached["vec"], cached["parts"]
        seen: set[tuple[str, str]] = set()
        for cq, kind, key in changes:
            if cq != q or (kind, key) in seen:
                continue
            seen.add((kind, key))
            new = np.float32(self.preferences.weighted_value(q, kind, key))
            if kind == "track":
                i = self.index.get(key)
                if i is not None:
                    vec[i] += new - parts["track"][i]
                    parts["track"][i] = new
                continue
            names = self.artist_index if kind == "artist" else self.genre_index
            j = names.get(key)
            if not j or kind not in self._members:
                continue
            order, starts = self._members[kind]
            members = order[starts[j] : starts[j + 1]]
            vec[members] += new - parts[kind][j]
            parts[kind][j] = new

    def text_vector(self, text_scores: Mapping[str, float] | np.ndarray | None) -> np.ndarray | None:
        """Text scores as an array aligned with the library (cached for the same dict object)."""
        if text_scores is None:
            return None
        if isinstance(text_scores, np.ndarray):
            if text_scores.shape != (len(self.paths),):
                raise ValueError("a text score array must have one value per tagged track")
            return text_scores.astype(np.float32, copy=False)
        c = self._text_cache
        if c is not None and c[0] is text_scores and c[1] == self.library_version:
            return c[2]
        out = np.zeros(len(self.paths), np.float32)
        for path, val in text_scores.items():
            i = self.index.get(path)
            if i is not None:
                out[i] = float(val)
        self._text_cache = (text_scores, self.library_version, out)
        return out

    # ------------------------------------------------------------------ planning
    def trajectory(
        self,
        current: Any,
        strategy: Strategy | str = Strategy.MATCH,
        n: int = DEFAULT_N,
        steps: int = DEFAULT_STEPS,
        target: tuple[float, float] | None = None,
    ) -> list[tuple[float, float]]:
        return trajectory(current, strategy, n, steps, target)

    def plan(
        self,
        current_mood: Any,
        strategy: Strategy | str = Strategy.MATCH,
        n: int = DEFAULT_N,
        pinned: Sequence[str] = (),
        recent: Sequence[str] = (),
        target: tuple[float, float] | None = None,
        now_playing: str | None = None,
        steps: int = DEFAULT_STEPS,
        text_scores: Mapping[str, float] | np.ndarray | None = None,
    ) -> list[PlannedTrack]:
        """The automatic part of the queue: up to n tracks, one per waypoint.

        current_mood: (v, a), a dict or a tracker Mood. pinned: user-queued paths (kept out; they play
        first, so the last one is the "previous" track of the first pick). recent: recently played paths,
        most recent last. text_scores: path -> similarity to a journal entry (see player.retrieval).
        """
        cur = mood_point(current_mood)
        waypoints = trajectory(cur, strategy, n, steps, target)
        N = len(self.paths)
        if N == 0 or n <= 0:
            return []
        w = self.weights
        pref = self.preference_vector(cur)
        text = self.text_vector(text_scores)
        static = np.multiply(pref, np.float32(w.preference))
        if w.tag_conflict:
            static -= np.float32(w.tag_conflict) * self.tag_conflict
        if text is not None:
            static += np.float32(w.text) * text
        soft: set[int] = set()
        recent_paths = list(recent)[-self.recent_window :] if self.recent_window > 0 else []
        for p in [*recent_paths, *([now_playing] if now_playing else [])]:
            i = self.index.get(p)
            if i is not None and i not in soft:
                static[i] -= _SOFT_BLOCK
                soft.add(i)
        for p in pinned:
            i = self.index.get(p)
            if i is not None:
                static[i] = _BLOCKED
        prev_path = pinned[-1] if pinned else now_playing
        prev_i = self.index.get(prev_path) if prev_path else None
        prev_pos = None if prev_i is None else (self.valence[prev_i], self.arousal[prev_i])  # float32
        prev_artist = int(self.artist_ids[prev_i]) if prev_i is not None else 0

        ids = self.artist_ids
        V, A = self.valence, self.arousal
        starts = self._cell_start
        # Upper bound of the static part of the score in each cell (branch and bound over the grid).
        cell_max = np.full(len(starts), -np.inf, np.float32)
        nonempty = self._nonempty
        cell_max[nonempty] = np.maximum.reduceat(static, starts[nonempty])
        chosen = np.zeros(N, bool)
        artist_pen = np.zeros(len(self.artist_names), np.float32)
        artist_count: dict[int, int] = {}
        out: list[PlannedTrack] = []
        fw = np.float32(w.distance)
        fs = np.float32(w.smoothness)
        for wp in waypoints:
            wq = QUADRANTS.index(quadrant(*wp))
            fq = doubt_weight(w, wp)
            # Lower distance bound from the waypoint to each cell's bounding box.
            dx = np.maximum(np.maximum(self._cell_v0 - wp[0], wp[0] - self._cell_v1), 0.0)
            dy = np.maximum(np.maximum(self._cell_a0 - wp[1], wp[1] - self._cell_a1), 0.0)
            bound = cell_max - fw * np.sqrt(dx * dx + dy * dy).astype(np.float32)
            best_i, best_s = -1, -np.inf
            done = np.zeros(len(bound), bool)
            k0 = min(8, len(bound))
            sel = np.argpartition(-bound, k0 - 1)[:k0] if k0 < len(bound) else np.arange(len(bound))
            while True:
                sel = sel[(bound[sel] > best_s) & ~done[sel]]
                if len(sel) == 0:
                    break
                done[sel] = True
                idx = self._cell_members(sel)
                if len(idx):
                    sv, sa = V[idx], A[idx]
                    sc = static[idx] - fw * np.sqrt(
                        (sv - np.float32(wp[0])) ** 2 + (sa - np.float32(wp[1])) ** 2
                    )
                    if prev_pos is not None and w.smoothness:
                        sc -= fs * np.sqrt((sv - prev_pos[0]) ** 2 + (sa - prev_pos[1]) ** 2)
                    if fq:  # a penalty only, so the cell bounds stay upper bounds
                        sc -= fq * self.quadrant_doubt[idx, wq]
                    sid = ids[idx]
                    pen = artist_pen[sid]
                    if prev_artist:
                        pen[sid == prev_artist] = _SOFT_BLOCK
                    sc -= pen
                    sc[chosen[idx]] = _BLOCKED
                    k = int(np.argmax(sc))
                    if sc[k] > best_s:
                        best_i, best_s = int(idx[k]), float(sc[k])
                # Every other cell that could still hold a better track.
                sel = np.flatnonzero((bound > best_s) & ~done)
            if best_i < 0 or best_s <= _BLOCKED / 2:
                break
            i = best_i
            a_id = int(ids[i])
            relaxed = []
            if i in soft:
                relaxed.append("played recently")
            if prev_artist and a_id == prev_artist:
                relaxed.append("same artist as the previous track")
            tv, ta = float(V[i]), float(A[i])
            reasons = {
                "distance": round(math.hypot(tv - wp[0], ta - wp[1]), 4),
                "preference": round(float(pref[i]), 4),
                "text": round(float(text[i]), 4) if text is not None else 0.0,
                "smoothness": round(math.hypot(tv - prev_pos[0], ta - prev_pos[1]), 4)
                if prev_pos is not None
                else 0.0,
                "artist_repeats": artist_count.get(a_id, 0) if a_id else 0,
                "tag_conflict": bool(self.tag_conflict[i]),
                "quadrant_doubt": round(float(self.quadrant_doubt[i, wq]), 4),
                "relaxed": relaxed,
            }
            total = (
                -w.distance * reasons["distance"]
                + w.preference * reasons["preference"]
                + w.text * reasons["text"]
                - w.smoothness * reasons["smoothness"]
                - w.artist_repeat * reasons["artist_repeats"]
                - w.tag_conflict * float(self.tag_conflict[i])
                - float(fq) * reasons["quadrant_doubt"]
            )
            out.append(
                PlannedTrack(
                    self.paths[i], (round(wp[0], 4), round(wp[1], 4)), round(total, 4), reasons, (tv, ta)
                )
            )
            chosen[i] = True
            if a_id:
                artist_count[a_id] = artist_count.get(a_id, 0) + 1
                artist_pen[a_id] = w.artist_repeat * artist_count[a_id]
            prev_artist = a_id
            prev_pos = (np.float32(tv), np.float32(ta))
        return out

    # ------------------------------------------------------------------ reference implementation
    def plan_naive(
        self,
        current_mood: Any,
        strategy: Strategy | str = Strategy.MATCH,
        n: int = DEFAULT_N,
        pinned: Sequence[str] = (),
        recent: Sequence[str] = (),
        target: tuple[float, float] | None = None,
        now_playing: str | None = None,
        steps: int = DEFAULT_STEPS,
        text_scores: Mapping[str, float] | None = None,
    ) -> list[str]:
        """The same plan with a plain Python loop over track dicts (the benchmark's baseline)."""
        cur = mood_point(current_mood)
        w = self.weights
        q = quadrant(*cur)
        pinned_set = set(pinned)
        soft = set(list(recent)[-self.recent_window :] if self.recent_window > 0 else [])
        if now_playing:
            soft.add(now_playing)
        prev_path = pinned[-1] if pinned else now_playing
        prev = self.track(prev_path) if prev_path else None
        prev_pos = (float(prev["valence"]), float(prev["arousal"])) if prev else None
        prev_artist = _artist(prev) if prev else ""
        chosen: list[str] = []
        counts: dict[str, int] = {}
        for wp in trajectory(cur, strategy, n, steps, target):
            wq = QUADRANTS.index(quadrant(*wp))
            best, best_s = None, -math.inf
            for t in self.tracks:
                p = t["path"]
                if p in pinned_set or p in chosen:
                    continue
                v, a = float(t["valence"]), float(t["arousal"])
                s = -w.distance * math.hypot(v - wp[0], a - wp[1]) - w.tag_conflict * _tag_conflict(t)
                if w.quadrant_doubt:
                    s -= float(doubt_weight(w, wp)) * _quadrant_doubt(t)[wq]
                if self.preferences is not None:
                    s += w.preference * self.preferences.score(t, q)
                if text_scores is not None:
                    s += w.text * float(text_scores.get(p, 0.0))
                if prev_pos is not None and w.smoothness:
                    s -= w.smoothness * math.hypot(v - prev_pos[0], a - prev_pos[1])
                if p in soft:
                    s -= _SOFT_BLOCK
                art = _artist(t)
                if art and art == prev_artist:
                    s -= _SOFT_BLOCK
                elif art:
                    s -= w.artist_repeat * counts.get(art, 0)
                if s > best_s:
                    best, best_s = t, s
            if best is None:
                break
            chosen.append(best["path"])
            art = _artist(best)
            if art:
                counts[art] = counts.get(art, 0) + 1
            prev_artist = art
            prev_pos = (float(best["valence"]), float(best["arousal"]))
        return chosen
