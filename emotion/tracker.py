"""Fuse mood observations from several sources into the listener's current mood.

Plain Python + numpy (no Qt). Time is injectable everywhere (`now=`), so tests are deterministic.

Fusion, per source (face, journal, music, seed, user):
- each observation weighs ``confidence * 0.5 ** (age / half_life[source])``;
- the source's *value* is the weighted mean of its observations, with a faster "value half-life"
  (``half_life * value_half_life_factor``) so a source follows its own latest readings quickly while
  its *evidence* (``1 - prod(1 - weight)``, saturating at 1) fades with the full half-life;
- sources are combined with weights ``source_weight[source] * evidence``.

Re-planning (``should_replan``): a Schmitt trigger with a dwell time. The mood at the last plan is the
anchor; once the fused mood moves further than ``enter_distance`` from it a timer starts; the timer is
cancelled when the mood comes back closer than ``exit_distance``; a re-plan is due when the timer has run
``dwell_s``, the mood is still beyond ``enter_distance``, it has settled (moved less than
``settle_distance`` in the last ``settle_window_s``, or the timer has run ``max_dwell_s``) and at least
``min_interval_s`` has passed since the last plan. Deliberate inputs (a mood-map click, a journal entry,
a new seed track) re-plan at once.

Intention: when the seed track / the music the listener keeps is bright and the face has stayed sad, the
tracker suggests "lift" with a human-readable reason; the user can override the suggestion.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from emotion.mood_space import SOURCES, Observation, clamp, quadrant

# Seconds after which a source's evidence has halved.
DEFAULT_HALF_LIVES: dict[str, float] = {
    "face": 20.0,
    "journal": 3 * 3600.0,
    "music": 180.0,
    "seed": 1800.0,
    "user": 1800.0,
}
# How much each source counts when it has full evidence.
DEFAULT_SOURCE_WEIGHTS: dict[str, float] = {
    "face": 1.0,
    "journal": 0.8,
    "music": 0.3,
    "seed": 0.5,
    "user": 3.0,
}
# Sources whose new observation re-plans at once (deliberate input rather than a noisy stream).
IMMEDIATE_SOURCES = frozenset({"user", "journal", "seed"})
STRATEGIES = ("match", "lift", "calm", "custom")
NO_SPREAD = 0.8  # spread reported when nothing is known


@dataclass(frozen=True)
class Mood:
    """The fused mood at one moment."""

    valence: float = 0.0
    arousal: float = 0.0
    confidence: float = 0.0  # 0..1: how much evidence there is
    spread: float = NO_SPREAD  # uncertainty radius on the plane (a weighted std, widened by low confidence)
    time: float = 0.0
    sources: dict[str, float] = field(default_factory=dict)  # share of each source in the estimate

    @property
    def quadrant(self) -> str:
        return quadrant(self.valence, self.arousal)

    @property
    def point(self) -> tuple[float, float]:
        return (self.valence, self.arousal)


@dataclass(frozen=True)
class Intention:
    """What the listener probably wants: a strategy and why."""

    strategy: str  # one of STRATEGIES
    reason: str
    confidence: float = 0.0
    inferred: str = ""  # the inferred strategy (differs from `strategy` when the user overrode it)
    overridden: bool = False


class MoodTracker:
    """Confidence- and age-weighted fusion of mood observations, with hysteresis for re-planning."""

    def __init__(
        self,
        half_lives: dict[str, float] | None = None,
        source_weights: dict[str, float] | None = None,
        *,
        value_half_life_factor: float = 0.05,
        enter_distance: float = 0.3,
        exit_distance: float = 0.15,
        dwell_s: float = 3.0,
        min_interval_s: float = 5.0,
        min_confidence: float = 0.2,
        settle_window_s: float = 1.0,
        settle_distance: float = 0.08,
        max_dwell_s: float = 8.0,
        max_observations: int = 2000,
        intention_window_s: float = 15.0,
        clock=time.time,
    ) -> None:
        self.half_lives = dict(DEFAULT_HALF_LIVES)
        self.half_lives.update(half_lives or {})
        self.source_weights = dict(DEFAULT_SOURCE_WEIGHTS)
        self.source_weights.update(source_weights or {})
        self.value_half_life_factor = value_half_life_factor
        self.enter_distance = enter_distance
        self.exit_distance = exit_distance
        self.dwell_s = dwell_s
        self.min_interval_s = min_interval_s
        self.min_confidence = min_confidence
        self.settle_window_s = settle_window_s
        self.settle_distance = settle_distance
        self.max_dwell_s = max_dwell_s
        self.intention_window_s = intention_window_s
        self._clock = clock
        self._obs: dict[str, deque[Observation]] = {s: deque(maxlen=max_observations) for s in SOURCES}
        self._lock = threading.RLock()
        self._anchor: Mood | None = None  # mood at the last plan
        self._last_plan_time: float | None = None
        self._pending_since: float | None = None
        self._forced = False
        self._override: str | None = None

    # ------------------------------------------------------------------ observations
    def add(self, observation: Observation) -> None:
        """Add one observation (thread-safe). Unknown sources raise ValueError."""
        if observation.source not in self._obs:
            raise ValueError(f"unknown source {observation.source!r}; expected one of {SOURCES}")
        with self._lock:
            self._obs[observation.source].append(observation)
            if observation.source in IMMEDIATE_SOURCES and observation.confidence > 0:
                self._forced = True

    def observe(
        self,
        source: str,
        valence: float,
        arousal: float,
        confidence: float = 1.0,
        now: float | None = None,
        category: str = "",
    ) -> None:
        """Shortcut for add(Observation(...))."""
        t = self._clock() if now is None else now
        self.add(
            Observation(source, clamp(valence), clamp(arousal), clamp(confidence, 0.0, 1.0), category, t)
        )

    def clear(self, source: str | None = None) -> None:
        with self._lock:
            for s, q in self._obs.items():
                if source is None or s == source:
                    q.clear()

    def _prune(self, now: float) -> None:
        for s, q in self._obs.items():
            horizon = now - 8.0 * self.half_lives.get(s, 60.0)
            while q and q[0].time < horizon:
                q.popleft()

    def _source_arrays(self, source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        q = self._obs[source]
        n = len(q)
        v = np.fromiter((o.valence for o in q), float, n)
        a = np.fromiter((o.arousal for o in q), float, n)
        c = np.fromiter((o.confidence for o in q), float, n)
        t = np.fromiter((o.time for o in q), float, n)
        return v, a, c, t

    def _source_estimate(self, source: str, now: float) -> tuple[float, float, float, float] | None:
        """(valence, arousal, evidence, within-source variance) of one source, or None."""
        if not self._obs[source]:
            return None
        v, a, c, t = self._source_arrays(source)
        age = np.maximum(now - t, 0.0)
        keep = t <= now + 1e-9  # observations from the future (a replayed script) do not count yet
        if not keep.any():
            return None
        v, a, c, age = v[keep], a[keep], c[keep], age[keep]
        hl = max(self.half_lives.get(source, 60.0), 1e-6)
        w_evidence = c * np.power(0.5, age / hl)
        evidence = 1.0 - float(np.prod(1.0 - np.clip(w_evidence, 0.0, 0.999)))
        # The value follows the source's latest readings (ages relative to its newest one).
        w_value = c * np.power(0.5, (age - age.min()) / (hl * self.value_half_life_factor))
        total = float(w_value.sum())
        if total <= 1e-12 or evidence <= 1e-6:
            return None
        mv = float((w_value * v).sum() / total)
        ma = float((w_value * a).sum() / total)
        var = float((w_value * ((v - mv) ** 2 + (a - ma) ** 2)).sum() / total)
        return mv, ma, evidence, var

    # ------------------------------------------------------------------ fusion
    def mood(self, now: float | None = None) -> Mood:
        """The fused current mood."""
        now = self._clock() if now is None else now
        with self._lock:
            self._prune(now)
            parts: dict[str, tuple[float, float, float, float]] = {}
            for s in SOURCES:
                est = self._source_estimate(s, now)
                if est is not None:
                    parts[s] = est
        if not parts:
            return Mood(time=now)
        strengths = {s: self.source_weights.get(s, 1.0) * p[2] for s, p in parts.items()}
        total = sum(strengths.values())
        if total <= 0:
            return Mood(time=now)
        v = sum(strengths[s] * p[0] for s, p in parts.items()) / total
        a = sum(strengths[s] * p[1] for s, p in parts.items()) / total
        # Spread: within-source variance plus disagreement between sources, widened when evidence is thin.
        var = sum(strengths[s] * (p[3] + (p[0] - v) ** 2 + (p[1] - a) ** 2) for s, p in parts.items()) / total
        confidence = 1.0 - math.prod(1.0 - min(0.999, st) for st in strengths.values())
        confidence = clamp(confidence, 0.0, 1.0)
        spread = math.sqrt(var + (NO_SPREAD * (1.0 - confidence)) ** 2)
        shares = {s: st / total for s, st in strengths.items()}
        return Mood(clamp(v), clamp(a), confidence, min(spread, 2.0), now, shares)

    def source_mood(self, source: str, now: float | None = None) -> tuple[float, float, float] | None:
        """(valence, arousal, evidence) of one source alone, or None when it has nothing recent."""
        now = self._clock() if now is None else now
        with self._lock:
            est = self._source_estimate(source, now)
        return None if est is None else est[:3]

    # ------------------------------------------------------------------ re-planning
    def should_replan(self, now: float | None = None, consume: bool = True) -> bool:
        """True when the mood has changed enough, for long enough, to re-plan the queue.

        With consume=True (default) a True answer also records the current mood as planned-for
        (as mark_planned would), so the next call starts from it.
        """
        now = self._clock() if now is None else now
        current = self.mood(now)
        with self._lock:
            due = self._due(current, now)
            if due and consume:
                self._mark(current, now)
            return due

    def _due(self, current: Mood, now: float) -> bool:
        if self._forced:
            return True
        if current.confidence < self.min_confidence:
            self._pending_since = None
            return False
        anchor = self._anchor
        if anchor is None or anchor.confidence < self.min_confidence:
            return True  # the first real reading of the listener
        d = math.hypot(current.valence - anchor.valence, current.arousal - anchor.arousal)
        if d < self.exit_distance:
            self._pending_since = None
            return False
        if d >= self.enter_distance and self._pending_since is None:
            self._pending_since = now
        if self._pending_since is None:
            return False
        if now - self._pending_since < self.dwell_s or d < self.enter_distance:
            return False
        if self._last_plan_time is not None and now - self._last_plan_time < self.min_interval_s:
            return False
        if now - self._pending_since < self.max_dwell_s:
            # Wait until the mood has settled, so one change re-plans once (not half-way and again).
            before = self.mood(now - self.settle_window_s)
            moving = math.hypot(current.valence - before.valence, current.arousal - before.arousal)
            if moving > self.settle_distance:
                return False
        return True

    def mark_planned(self, now: float | None = None, mood: Mood | None = None) -> Mood:
        """Record that a plan was made for the current mood (call after re-planning for any reason)."""
        now = self._clock() if now is None else now
        mood = self.mood(now) if mood is None else mood
        with self._lock:
            self._mark(mood, now)
        return mood

    def _mark(self, mood: Mood, now: float) -> None:
        self._anchor = mood
        self._last_plan_time = now
        self._pending_since = None
        self._forced = False

    @property
    def anchor(self) -> Mood | None:
        """The mood the current plan was made for."""
        return self._anchor

    # ------------------------------------------------------------------ intention
    def set_override(self, strategy: str | None) -> None:
        """The user's own choice of strategy (None = follow the inference)."""
        if strategy is not None and strategy not in STRATEGIES:
            raise ValueError(f"unknown strategy {strategy!r}")
        with self._lock:
            self._override = strategy

    @property
    def override(self) -> str | None:
        return self._override

    def _face_window(self, now: float) -> tuple[float, float, float, int, float]:
        """Face in the last intention window: (mean v, mean a, share sad, count, time span)."""
        q = [
            o
            for o in self._obs["face"]
            if now - self.intention_window_s <= o.time <= now and o.confidence > 0
        ]
        if not q:
            return 0.0, 0.0, 0.0, 0, 0.0
        w = np.array([o.confidence for o in q])
        v = np.array([o.valence for o in q])
        a = np.array([o.arousal for o in q])
        sad = float(w[v < -0.15].sum() / w.sum())
        span = q[-1].time - q[0].time
        return float((w * v).sum() / w.sum()), float((w * a).sum() / w.sum()), sad, len(q), span

    def _music_estimate(self, now: float) -> tuple[float, float, float] | None:
        parts = [p for p in (self.source_mood("seed", now), self.source_mood("music", now)) if p is not None]
        if not parts:
            return None
        ev = sum(p[2] for p in parts)
        if ev < 0.2:
            return None
        return (sum(p[0] * p[2] for p in parts) / ev, sum(p[1] * p[2] for p in parts) / ev, min(1.0, ev))

    def infer_intention(self, now: float | None = None) -> Intention:
        """The inferred strategy and its reason, ignoring any override."""
        now = self._clock() if now is None else now
        with self._lock:
            fv, fa, sad_share, count, span = self._face_window(now)
            music = self._music_estimate(now)
        sustained = count >= 3 and span >= 0.5 * self.intention_window_s
        if music is not None and sustained:
            mv, ma, mev = music
            if mv > 0.2 and fv < -0.15 and sad_share >= 0.7:
                conf = clamp(min(mev, sad_share) * min(1.0, (mv - fv) / 0.8), 0.0, 1.0)
                return Intention(
                    "lift",
                    f"The music you chose is bright (valence {mv:+.2f}) but your face has looked sad for the "
                    f"last {span:.0f} s (valence {fv:+.2f}): you may want lifting.",
                    conf,
                    "lift",
                )
            if fa > 0.35 and fv < -0.15 and ma < 0.0:
                conf = clamp(min(mev, 1.0 - sad_share + 0.3), 0.0, 1.0)
                return Intention(
                    "calm",
                    f"You picked calm music (arousal {ma:+.2f}) but look tense (arousal {fa:+.2f}): "
                    "you may want calming down.",
                    conf,
                    "calm",
                )
            if mv < -0.15 and fv < -0.15:
                return Intention(
                    "match",
                    f"Your music and your face agree (valence {mv:+.2f} / {fv:+.2f}): "
                    "staying with your mood.",
                    0.5,
                    "match",
                )
        if sustained:
            return Intention(
                "match",
                f"Your face has looked {_words(fv, fa)} lately and nothing suggests a "
                "different wish: matching your mood.",
                0.3,
                "match",
            )
        return Intention(
            "match", "Not enough signal to infer a wish: matching your mood (the default).", 0.0, "match"
        )

    def intention(self, now: float | None = None) -> Intention:
        """The strategy to use: the user's override if any, else the inference."""
        inferred = self.infer_intention(now)
        if self._override is None:
            return inferred
        if self._override == inferred.strategy:
            return Intention(
                self._override, f"Chosen by you. {inferred.reason}", 1.0, inferred.strategy, True
            )
        return Intention(
            self._override,
            f"Chosen by you (the suggestion was {inferred.strategy}: {inferred.reason})",
            1.0,
            inferred.strategy,
            True,
        )


def _words(v: float, a: float) -> str:
    return {"Q1": "happy", "Q2": "tense", "Q3": "sad", "Q4": "calm"}[quadrant(v, a)]
