"""Wires the mood engine (plain Python) into the running app.

- The library (tagged tracks) goes to the planner; the play queue's pinned part to `set_pinned`.
- Tracks starting and ending go to the engine (history, preferences, "music" observations).
- Observations from the camera panel, the journal pane and the mood map go to the engine; a one-second tick
  lets the tracker's hysteresis decide when a sustained change re-plans.
- Each new plan replaces the automatic part of the queue (the current track keeps playing) and is drawn on the
  mood map with the listener's mood, its uncertainty, and the target.
Journal retrieval (embedding track descriptions) runs off the GUI thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from emotion.mood_space import Observation
from player.mood_engine import MoodEngine
from ui.mood_map import points_for
from ui.workers import run_in_background

log = logging.getLogger("moodtape.mood")


def _embedding_cache():
    """Track-description embeddings of the journal's sentence encoder (plain MiniLM), kept between runs."""
    from library.paths import cache_dir

    return cache_dir() / "track_embeddings-minilm-l6.npz"


class MoodController(QObject):
    plan_ready = Signal(list, str)  # [PlannedTrack], reason — always delivered on the GUI thread
    mood_changed = Signal(float, float, float, float)  # valence, arousal, spread, confidence
    library_indexed = Signal(int)  # the planner and the map have the tagged tracks (how many)

    def __init__(self, window, mood_map=None, strategy_bar=None, retriever_factory=None) -> None:
        super().__init__(window)
        self.window = window
        self.engine = MoodEngine(store=window.store)
        self.map = mood_map
        self.bar = strategy_bar
        self._retriever_factory = retriever_factory
        self._retriever = None
        self.replans = 0
        self._pushing = False
        self._push_again = False
        self.engine.add_listener(lambda plan, reason: self.plan_ready.emit(list(plan), reason))
        self.plan_ready.connect(self._apply_plan)
        self._library_timer = QTimer(self, singleShot=True, interval=300)
        self._library_timer.timeout.connect(self._push_library)
        self._tick = QTimer(self, interval=1000)
        self._tick.timeout.connect(self.tick)
        self._tick.start()

        w = window
        w.library_changed.connect(self._library_timer.start)
        w.engine.track_changed.connect(self._track_started)
        w.engine.track_changed.connect(self._show_playing)
        w.tagging.result.connect(self._track_tagged)  # a bound slot: queued to this (GUI) thread
        w.engine.track_finished.connect(self._track_finished)
        w.queue_pinned_changed.connect(self._pinned_changed)
        w.auto_fill = self.fill
        w.btn_like.clicked.connect(lambda: self.like_current(True))
        from PySide6.QtGui import QAction

        self.act_seed = QAction("Plan from this track's mood (seed)", w)
        self.act_seed.triggered.connect(self.seed_selected)
        w.table.addAction(self.act_seed)
        w.btn_like.show()
        if mood_map is not None:
            mood_map.target_picked.connect(self.set_target)
            mood_map.mood_set.connect(self.set_user_mood)
        if strategy_bar is not None:
            strategy_bar.set_strategy(self.engine.strategy.value)
            strategy_bar.set_steps(self.engine.steps)
            strategy_bar.strategy_changed.connect(self.set_strategy)
            strategy_bar.steps_changed.connect(self.engine.set_steps)
            strategy_bar.follow_suggestions_changed.connect(self.engine.set_follow_suggestions)
        self._push_library()

    # ----- inputs
    def observe(self, observation: Observation) -> None:
        self.engine.observe(observation)
        self._show_mood()

    def set_user_mood(self, valence: float, arousal: float) -> None:
        if self.engine.set_user_mood(valence, arousal) is None:  # a click is explicit: re-plan even below hysteresis
            self.engine.replan("mood set on the map")
        self._show_mood()

    def set_target(self, valence: float, arousal: float) -> None:
        self.engine.set_target(valence, arousal)
        if self.bar is not None:
            self.bar.set_strategy("custom")

    def set_strategy(self, strategy: str) -> None:
        self.engine.set_strategy(strategy)

    def journal_reading(self, text: str, reading) -> None:
        """A journal reading: its mood at once, and track retrieval by meaning in the background."""
        from ui.workers import run_in_background

        if reading is not None and getattr(reading, "ok", True):
            self.engine.tracker.add(reading.to_observation())

        def work(_report):
            retriever = self._get_retriever()
            if retriever is not None:
                added = retriever.index(list(self.engine.planner.tracks))
                self.engine.retriever = retriever
                if added and self._retriever_factory is None:
                    retriever.save_cache(_embedding_cache())  # the next start embeds only what changed
            self.engine.journal_entry(text, None)

        run_in_background(work, on_error=self.window.report_worker_error, name="journal retrieval")

    def _get_retriever(self):
        if self._retriever is None:
            if self._retriever_factory is not None:
                self._retriever = self._retriever_factory()
            else:
                from player.retrieval import TrackRetriever

                self._retriever = TrackRetriever()
                self._retriever.load_cache(_embedding_cache())
        return self._retriever

    # ----- player events
    def _track_started(self, path: str) -> None:
        if path:
            self.engine.track_started(path)

    def _show_playing(self, path: str) -> None:
        """The playing track's tag on the map (none while it is untagged or nothing plays)."""
        if self.map is None:
            return
        t = (self.window.library.track_for(path) if path else None) or {}
        if t.get("valence") is None or t.get("arousal") is None:
            self.map.clear_playing()
        else:
            self.map.set_playing(float(t["valence"]), float(t["arousal"]))

    def _track_tagged(self, path: str, _fields: dict) -> None:
        if path == self.window.engine.current:
            self._show_playing(path)

    def _track_finished(self, path: str, fraction: float, skipped: bool) -> None:
        from library import history

        history.record(self.window.store, path, fraction, skipped, self.engine.mood().quadrant)
        self.engine.track_ended(path, fraction, skipped)

    def seed_selected(self) -> None:
        """The selected library track is the listener's current favourite: plan from its mood."""
        paths = self.window.selected_paths()
        if not paths:
            return
        t = self.window.library.track_for(paths[0]) or {}
        if t.get("valence") is None:
            self.window.show_message("That track has no mood tag yet: it cannot seed the plan")
            return
        self.engine.set_seed(paths[0])
        self.engine.replan("seed track")
        self.window.show_message(f"Planning from the mood of {t.get('title') or paths[0]}")

    def like_current(self, liked: bool = True) -> None:
        path = self.window.engine.current
        if path:
            from library import history

            self.engine.like(path, liked)
            history.record(self.window.store, path, 0.0, False, self.engine.mood().quadrant, liked=liked)
            self.window.show_message(("Liked " if liked else "Disliked ") + self.window.now_playing.title.text()
                                     + " in this mood")

    def _pinned_changed(self) -> None:
        self.engine.set_pinned(self.window.engine.queue.pinned_paths())

    def _push_library(self) -> None:
        """Hand the tagged tracks to the planner and the map. Indexing a large library takes a while (about 0.8 s
        for 50,000 tracks), so it runs off the GUI thread, one push at a time; the new plan arrives through
        plan_ready."""
        if self._pushing:
            self._push_again = True
            return
        self._pushing = True
        tagged = [t for t in self.window.library.rows() if t.get("valence") is not None]

        def work(_report):
            self.engine.set_tracks(tagged)
            return points_for(tagged)

        run_in_background(work, on_done=self._library_pushed, on_error=self._push_failed, name="mood planner index")

    def _library_pushed(self, points: list) -> None:
        self._pushing = False
        if self.map is not None:
            self.map.set_points(points)
        self.library_indexed.emit(len(points))
        if self._push_again:
            self._push_again = False
            self._push_library()

    def _push_failed(self, message: str, tb: str) -> None:
        self._pushing = False
        self.window.report_worker_error(message, tb)

    # ----- planning
    def fill(self) -> None:
        """The window's queue needs topping up: plan from the mood, or shuffle while nothing is tagged."""
        if len(self.engine.planner) == 0:
            self.window._shuffle_fill()
            return
        self.engine.replan("queue low")

    def tick(self) -> None:
        self.engine.tick()
        self._show_mood()

    def _apply_plan(self, plan: list, reason: str) -> None:
        if not plan and len(self.engine.planner) == 0:
            return
        self.replans += 1
        q = self.window.engine.queue
        reasons = [{**p.reasons, "strategy": self.engine.strategy.value, "why": p.why(), "replan": reason}
                   for p in plan]
        q.set_auto([p.path for p in plan], reasons)
        self.window._on_queue_changed()
        if self.map is not None:
            self.map.set_path([p.point for p in plan])
            target = self.engine.target_point()
            if target is None:
                self.map.clear_target()
            else:
                self.map.set_target(*target)
        self._show_mood()

    def _show_mood(self) -> None:
        m = self.engine.mood()
        self.mood_changed.emit(m.valence, m.arousal, m.spread, m.confidence)
        if self.map is not None:
            if m.confidence > 0:
                self.map.set_mood(m.valence, m.arousal, m.spread)
            else:
                self.map.clear_mood()
        if self.bar is not None:
            it = self.engine.intention()
            self.bar.set_intention(it.inferred or it.strategy, it.reason, it.overridden)
            if self.engine.follow_suggestions:
                self.bar.set_strategy(self.engine.strategy.value)

    def shutdown(self) -> None:
        self._tick.stop()
        self.engine.save()
