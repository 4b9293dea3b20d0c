"""The running app re-plans the queue when the listener's mood changes (pytest-qt, offscreen)."""

import time

import pytest

from emotion.mood_space import QUADRANT_CENTRES, Observation, quadrant
from library.store import Store
from player.backend import NullBackend
from player.engine import PlayerEngine
from ui.main_window import MainWindow
from ui.mood_docks import install_mood_features
from ui.workers import SyncPool, set_pool


def tagged_library(n_per_quadrant: int = 8) -> list[dict]:
    tracks = []
    for q, (cv, ca) in QUADRANT_CENTRES.items():
        for i in range(n_per_quadrant):
            v = cv + (i % 3 - 1) * 0.12
            a = ca + (i % 4 - 1.5) * 0.1
            tracks.append({"path": f"/music/{q}/{i}.ogg", "title": f"{q} song {i}", "artist": f"{q} artist {i % 4}",
                           "album": "A", "genre": "G", "duration": 200.0, "kind": "audio", "valence": v,
                           "arousal": a, "quadrant": quadrant(v, a), "moods": {}})
    return tracks


@pytest.fixture
def app_window(qtbot, tmp_path):
    set_pool(SyncPool())
    store = Store(tmp_path / "db.json")
    store.upsert_tracks(tagged_library())
    w = MainWindow(store, PlayerEngine(NullBackend(length_ms=200_000)), auto_tag=False)
    qtbot.addWidget(w)
    controller = install_mood_features(w, camera=False, journal=False)
    w.show()
    yield w, controller
    controller.shutdown()
    set_pool(None)


def planned_quadrants(window) -> list[str]:
    lib = {t["path"]: t for t in window.library.rows()}
    return [lib[i.path]["quadrant"] for i in window.engine.queue.items if not i.pinned]


def test_sustained_sad_face_replans_queue_toward_sad(app_window, qtbot):
    window, controller = app_window
    before = controller.replans
    now = time.time()
    for k in range(12):  # a few seconds of a sad face
        controller.observe(Observation("face", -0.7, -0.5, 0.9, "sad", now - 3 + k * 0.25))
    qtbot.waitUntil(lambda: controller.replans > before, timeout=5000)
    quads = planned_quadrants(window)
    assert len(quads) == 10
    assert quads.count("Q3") >= 7, quads
    # and the map shows where the listener is
    assert window.mood_map._mood is not None and window.mood_map._mood[0] < 0


def test_user_queued_tracks_stay_put_when_replanning(app_window, qtbot):
    window, controller = app_window
    window.engine.queue.add(["/music/Q1/0.ogg"])
    window.queue_pinned_changed.emit()
    controller.set_user_mood(0.6, -0.6)  # calm
    assert window.engine.queue.items[0].path == "/music/Q1/0.ogg" and window.engine.queue.items[0].pinned
    quads = planned_quadrants(window)
    assert quads.count("Q4") >= 7, quads
    assert "/music/Q1/0.ogg" not in [i.path for i in window.engine.queue.items[1:]]


def test_strategy_lift_walks_up_from_sad(app_window, qtbot):
    window, controller = app_window
    controller.set_user_mood(-0.6, -0.5)
    window.strategy_bar.combo.setCurrentIndex(window.strategy_bar.combo.findData("lift"))
    lib = {t["path"]: t for t in window.library.rows()}
    vals = [lib[i.path]["valence"] for i in window.engine.queue.items if not i.pinned]
    assert vals[0] < 0 and vals[-1] > 0, vals  # starts where the listener is, ends bright


def test_plays_and_likes_go_to_history_and_preferences(app_window, qtbot):
    from library import history

    window, controller = app_window
    first = "/music/Q3/0.ogg"
    window.engine.play_path(first)
    qtbot.waitUntil(lambda: window.engine.state == "playing", timeout=3000)
    window.btn_like.click()
    window.engine.next()  # a skip
    rows = history.recent(window.store)
    assert any(r["path"] == first and r.get("liked") for r in rows)
    assert any(r["path"] == first and r["skipped"] for r in rows)


def test_seed_track_pulls_the_plan_to_its_mood(app_window, qtbot):
    window, controller = app_window
    row = next(r for r in range(window.filter.rowCount()) if window.filter.path_at(r) == "/music/Q2/1.ogg")
    window.table.selectRow(row)
    controller.seed_selected()
    quads = planned_quadrants(window)
    assert quads.count("Q2") >= 6, quads


def test_journal_retrieval_keeps_its_embeddings_between_runs(app_window, qtbot, monkeypatch):
    """A journal entry re-ranks tracks by meaning; the track embeddings are cached on disk, so the next start
    embeds nothing it has seen."""
    from library.paths import cache_dir
    from tests.test_planner import FakeEncoder

    made: list[FakeEncoder] = []

    def fake_encoder():
        made.append(FakeEncoder())
        return made[-1]

    monkeypatch.setattr("emotion.text_model.TextEncoder", fake_encoder)
    window, controller = app_window
    reading = type("R", (), {"ok": True, "to_observation": lambda self: Observation("journal", -0.6, -0.4, 0.8,
                                                                                     "sadness", time.time())})()
    controller.journal_reading("A grey, rainy day; I feel down.", reading)
    assert controller.engine.retriever is not None and len(controller.engine.retriever.paths) == 32
    cache = list(cache_dir().glob("track_embeddings*.npz"))
    assert len(cache) == 1
    first_calls = made[0].calls
    from player.retrieval import TrackRetriever

    again = TrackRetriever(encoder=FakeEncoder())
    assert again.load_cache(cache[0]) > 0
    assert again.index(controller.engine.planner.tracks) == 0  # every description came from the cache
    assert first_calls > 0


def test_map_marks_the_playing_track_and_its_tag_when_it_arrives(app_window, qtbot):
    window, controller = app_window
    window.engine.play_path("/music/Q3/0.ogg")
    t = window.library.track_for("/music/Q3/0.ogg")
    qtbot.waitUntil(lambda: window.mood_map._playing is not None, timeout=3000)
    assert window.mood_map._playing == pytest.approx((t["valence"], t["arousal"]))
    # an untagged track: no mark, until the tagger's result for it comes in
    window.library.update_fields([("/music/Q3/0.ogg", {"valence": None, "arousal": None, "quadrant": None})])
    window.engine.play_path("/music/Q1/0.ogg")
    qtbot.waitUntil(lambda: window.engine.current == "/music/Q1/0.ogg", timeout=3000)
    window.library.update_fields([("/music/Q1/0.ogg", {"valence": None, "arousal": None, "quadrant": None})])
    window.engine.track_changed.emit("/music/Q1/0.ogg")
    assert window.mood_map._playing is None
    fields = {"valence": 0.4, "arousal": 0.5, "quadrant": "Q1"}
    window.library.update_fields([("/music/Q1/0.ogg", fields)])
    window.tagging.result.emit("/music/Q1/0.ogg", fields)
    assert window.mood_map._playing == pytest.approx((0.4, 0.5))
    window.tagging.result.emit("/music/Q3/0.ogg", {"valence": -0.5, "arousal": -0.5})  # not the playing one
    assert window.mood_map._playing == pytest.approx((0.4, 0.5))
