"""MoodEngine: one plain-Python facade over the tracker, the planner, the preferences and retrieval.

The app feeds it what happens (mood observations, tracks starting and ending, likes, journal entries, the
user's strategy / target / pinned tracks) and gets a new plan back whenever one is due:
- the tracker says the mood changed (hysteresis + dwell, see emotion.tracker), or a deliberate input
  arrived (mood-map click, journal entry, seed track);
- the strategy, steps or target changed; the library changed; the queue runs low; a track was skipped.
The current track keeps playing: re-planning only replaces the automatic part after the pinned tracks.

Every method that may re-plan returns the new plan (list[PlannedTrack]) or None, and listeners added with
add_listener(fn) are called as fn(plan, reason) after each re-plan (from the calling thread: the UI wraps
this in a Qt signal). No Qt here. Time is injectable (`now=`).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from emotion.mood_space import Observation, clamp
from emotion.tracker import Intention, Mood, MoodTracker
from player.planner import DEFAULT_N, DEFAULT_STEPS, PlannedTrack, Planner, Strategy
from player.preferences import Preferences

STATE_KEY = "mood_engine"
Listener = Callable[[list[PlannedTrack], str], None]


class MoodEngine:
    def __init__(
        self,
        tracks: Iterable[Mapping[str, Any]] = (),
        *,
        store: Any = None,
        tracker: MoodTracker | None = None,
        preferences: Preferences | None = None,
        personalise: bool = True,
        retriever: Any = None,
        strategy: str = "match",
        steps: int = DEFAULT_STEPS,
        n: int = DEFAULT_N,
        recent_window: int = 20,
        low_water: int = 3,
        replan_on_skip: bool = True,
        journal_ttl_s: float = 3 * 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self.store = store
        self.tracker = tracker or MoodTracker(clock=clock)
        if preferences is None and personalise:
            preferences = Preferences.load(store) if store is not None else Preferences()
        self.preferences = preferences if personalise else None
        self.planner = Planner(tracks, self.preferences, recent_window=recent_window)
        self.retriever = retriever
        self.strategy = Strategy.parse(strategy)
        self.steps = int(steps)
        self.n = int(n)
        self.target: tuple[float, float] | None = None
        self.low_water = low_water
        self.replan_on_skip = replan_on_skip
        self.journal_ttl_s = journal_ttl_s
        self.follow_suggestions = False
        self.pinned: list[str] = []
        self.now_playing: str | None = None
        self.recent: deque[str] = deque(maxlen=max(recent_window, 50))
        self.plan: list[PlannedTrack] = []
        self.last_reason = ""
        self.last_mood: Mood | None = None
        self._text_scores: dict[str, float] | None = None
        self._text_time = 0.0
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        if store is not None:
            self._load_settings()

    # ------------------------------------------------------------------ listeners
    def add_listener(self, fn: Listener) -> None:
        self._listeners.append(fn)

    def remove_listener(self, fn: Listener) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def _now(self, now: float | None) -> float:
        return self._clock() if now is None else now

    # ------------------------------------------------------------------ planning
    def replan(self, reason: str = "requested", now: float | None = None) -> list[PlannedTrack]:
        """Plan now, whatever the tracker says."""
        now = self._now(now)
        with self._lock:
            if self.follow_suggestions:
                it = self.tracker.intention(now)
                if it.strategy != "custom" or self.target is not None:
                    self.strategy = Strategy.parse(it.strategy)
            text = self._text_scores
            if text is not None and now - self._text_time > self.journal_ttl_s:
                text = self._text_scores = None
            mood = self.tracker.mood(now)
            strategy = self.strategy
            if strategy is Strategy.CUSTOM and self.target is None:
                strategy = Strategy.MATCH
            plan = self.planner.plan(
                mood,
                strategy,
                n=self.n,
                pinned=list(self.pinned),
                recent=list(self.recent),
                target=self.target,
                now_playing=self.now_playing,
                steps=self.steps,
                text_scores=text,
            )
            self.tracker.mark_planned(now, mood)
            self.plan, self.last_reason, self.last_mood = plan, reason, mood
        for fn in list(self._listeners):
            fn(plan, reason)
        return plan

    def tick(self, now: float | None = None) -> list[PlannedTrack] | None:
        """Re-plan if the tracker says the mood changed enough (call periodically, e.g. every second)."""
        now = self._now(now)
        if self.tracker.should_replan(now, consume=False):
            return self.replan("mood changed", now)
        return None

    # ------------------------------------------------------------------ mood inputs
    def observe(self, observation: Observation, now: float | None = None) -> list[PlannedTrack] | None:
        """A mood observation from any reader; returns the new plan when one is due."""
        self.tracker.add(observation)
        return self.tick(now)

    def set_user_mood(
        self, valence: float, arousal: float, now: float | None = None, confidence: float = 1.0
    ) -> list[PlannedTrack] | None:
        """The listener said how they feel (a mood-map click)."""
        now = self._now(now)
        return self.observe(Observation("user", clamp(valence), clamp(arousal), confidence, "map", now), now)

    def set_seed(
        self, path: str, now: float | None = None, confidence: float = 0.8
    ) -> list[PlannedTrack] | None:
        """The listener's current favourite (seed) track: its mood counts as evidence of theirs."""
        t = self.planner.track(path)
        if t is None:
            return None
        now = self._now(now)
        return self.observe(
            Observation("seed", float(t["valence"]), float(t["arousal"]), confidence, "seed", now), now
        )

    def journal_entry(
        self, text: str, reading: Any = None, now: float | None = None
    ) -> list[PlannedTrack] | None:
        """A journal entry: its reading (text_model.Reading) goes to the tracker, its text to retrieval."""
        now = self._now(now)
        with self._lock:
            if self.retriever is not None and text.strip():
                self._text_scores = self.retriever.scores(text)
                self._text_time = now
        if reading is not None and getattr(reading, "ok", True):
            obs = reading.to_observation() if hasattr(reading, "to_observation") else reading
            obs = Observation(
                obs.source,
                obs.valence,
                obs.arousal,
                obs.confidence,
                obs.category,
                now,
                dict(obs.probabilities),
            )
            self.tracker.add(obs)
        return self.replan("journal entry", now)

    def clear_journal(self, now: float | None = None) -> list[PlannedTrack]:
        with self._lock:
            self._text_scores = None
        self.tracker.clear("journal")
        return self.replan("journal cleared", now)

    # ------------------------------------------------------------------ user choices
    def set_strategy(
        self, strategy: str | Strategy, target: tuple[float, float] | None = None, now: float | None = None
    ) -> list[PlannedTrack]:
        """The user picked a strategy (this overrides a suggestion)."""
        s = Strategy.parse(strategy)
        with self._lock:
            self.strategy = s
            if target is not None:
                self.target = (clamp(float(target[0])), clamp(float(target[1])))
            self.follow_suggestions = False
            self.tracker.set_override(s.value)
        self._save_settings()
        return self.replan("strategy changed", now)

    def set_target(self, valence: float, arousal: float, now: float | None = None) -> list[PlannedTrack]:
        """A custom target picked on the mood map (switches to the custom strategy)."""
        return self.set_strategy(Strategy.CUSTOM, (valence, arousal), now)

    def set_steps(self, steps: int, now: float | None = None) -> list[PlannedTrack]:
        with self._lock:
            self.steps = max(0, int(steps))
        self._save_settings()
        return self.replan("steps changed", now)

    def set_follow_suggestions(self, follow: bool, now: float | None = None) -> list[PlannedTrack]:
        """Follow the tracker's inferred intention (True) or keep the user's strategy (False)."""
        with self._lock:
            self.follow_suggestions = bool(follow)
            self.tracker.set_override(None if follow else self.strategy.value)
        return self.replan("following suggestions" if follow else "suggestions off", now)

    def suggestion(self, now: float | None = None) -> Intention:
        """What the tracker infers the listener wants (ignoring the user's override)."""
        return self.tracker.infer_intention(self._now(now))

    def intention(self, now: float | None = None) -> Intention:
        return self.tracker.intention(self._now(now))

    # ------------------------------------------------------------------ library and queue
    def set_tracks(self, tracks: Iterable[Mapping[str, Any]], now: float | None = None) -> list[PlannedTrack]:
        with self._lock:
            self.planner.set_tracks(tracks)
        return self.replan("library changed", now)

    def set_pinned(self, paths: Sequence[str], now: float | None = None) -> list[PlannedTrack]:
        """The user-queued tracks (they stay; the automatic part is re-planned after them)."""
        with self._lock:
            self.pinned = list(paths)
        return self.replan("queue edited", now)

    def queue_remaining(self, remaining: int, now: float | None = None) -> list[PlannedTrack] | None:
        """Tell the engine how many automatic tracks are left; re-plans when it runs low."""
        if remaining < self.low_water:
            return self.replan("queue low", now)
        return None

    def track_started(self, path: str, now: float | None = None) -> None:
        """A track began playing: it is recent, and the music is (weak) evidence of the mood."""
        now = self._now(now)
        with self._lock:
            self.now_playing = path
            self.recent.append(path)
            if path in self.pinned:
                self.pinned.remove(path)
            self.plan = [p for p in self.plan if p.path != path]
        t = self.planner.track(path)
        if t is not None:
            self.tracker.add(
                Observation("music", float(t["valence"]), float(t["arousal"]), 0.3, "playing", now)
            )

    def track_ended(
        self, path: str, fraction: float, skipped: bool | None = None, now: float | None = None
    ) -> list[PlannedTrack] | None:
        """A track stopped after `fraction` of it played (skipped=None: decided by the fraction).

        Learns the preference in the listener's current mood; a skip re-plans (replan_on_skip).
        """
        now = self._now(now)
        t = self.planner.track(path)
        mood = self.tracker.mood(now)
        was_skip = fraction < 0.9 if skipped is None else bool(skipped)
        if t is not None:
            if self.preferences is not None:
                self.preferences.record_play(t, mood, fraction, skipped)
                self._save_prefs()
            if not was_skip:  # the listener kept it: stronger evidence of the mood
                self.tracker.add(
                    Observation("music", float(t["valence"]), float(t["arousal"]), 0.6, "kept", now)
                )
        with self._lock:
            if self.now_playing == path:
                self.now_playing = None
        if was_skip and self.replan_on_skip:
            return self.replan("skipped", now)
        return None

    def like(self, path: str, liked: bool = True, now: float | None = None) -> None:
        t = self.planner.track(path)
        if t is not None and self.preferences is not None:
            self.preferences.record_like(t, self.tracker.mood(self._now(now)), liked)
            self._save_prefs()

    # ------------------------------------------------------------------ for the mood map
    def mood(self, now: float | None = None) -> Mood:
        return self.tracker.mood(self._now(now))

    def path_points(self) -> list[tuple[float, float]]:
        """The planned path: each planned track's own (valence, arousal)."""
        return [p.point for p in self.plan]

    def waypoints(self) -> list[tuple[float, float]]:
        return [p.waypoint for p in self.plan]

    def target_point(self, now: float | None = None) -> tuple[float, float] | None:
        """Where the current strategy leads (None for match)."""
        from player.planner import strategy_target

        if self.strategy is Strategy.MATCH or (self.strategy is Strategy.CUSTOM and self.target is None):
            return None
        m = self.last_mood or self.mood(now)
        return strategy_target(self.strategy, m.point, self.target)

    # ------------------------------------------------------------------ persistence
    def _save_prefs(self) -> None:
        if self.store is not None and self.preferences is not None:
            self.preferences.save(self.store)

    def _save_settings(self) -> None:
        if self.store is not None:
            self.store.set_state(
                STATE_KEY,
                {
                    "strategy": self.strategy.value,
                    "steps": self.steps,
                    "target": list(self.target) if self.target else None,
                },
            )

    def _load_settings(self) -> None:
        data = self.store.get_state(STATE_KEY, None) or {}
        try:
            self.strategy = Strategy.parse(data.get("strategy", self.strategy.value))
            self.steps = int(data.get("steps", self.steps))
            tgt = data.get("target")
            self.target = (float(tgt[0]), float(tgt[1])) if tgt else None
        except (ValueError, TypeError):
            pass

    def save(self) -> None:
        self._save_prefs()
        self._save_settings()
