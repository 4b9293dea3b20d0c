"""Planner strategies, trajectory, variety rules; retrieval; the MoodEngine facade."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from emotion.mood_space import QUADRANT_CENTRES, Observation, quadrant
from player.mood_engine import MoodEngine
from player.planner import CALM_TARGET, LIFT_TARGET, Planner, Strategy, trajectory
from player.preferences import Preferences
from player.retrieval import TrackRetriever, describe_track


def library(n: int = 400, n_artists: int = 40, seed: int = 1, untagged: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        v, a = rng.uniform(-1, 1), rng.uniform(-1, 1)
        out.append(
            {
                "path": f"/m/{i:04d}.ogg",
                "title": f"T{i}",
                "artist": f"artist {i % n_artists}",
                "genre": ("rock", "classical", "pop")[i % 3],
                "valence": v,
                "arousal": a,
                "quadrant": quadrant(v, a),
                "moods": {},
            }
        )
    for j in range(untagged):
        out.append({"path": f"/m/untagged{j}.ogg", "title": "u", "artist": "x"})
    return out


@pytest.mark.parametrize(
    "strategy,target", [("lift", LIFT_TARGET), ("calm", CALM_TARGET), ("custom", (-0.3, 0.8))]
)
def test_trajectory_ends_at_target(strategy: str, target: tuple[float, float]) -> None:
    cur = (-0.7, -0.5)
    wps = trajectory(cur, strategy, n=10, steps=4, target=target if strategy == "custom" else None)
    assert len(wps) == 10
    assert wps[0] == pytest.approx(cur)  # iso principle: start where the listener is
    assert wps[-1] == pytest.approx(target)
    assert wps[4] == pytest.approx(target)  # reached after `steps` tracks
    # One step per track, monotonically closer to the target.
    d = [math.dist(w, target) for w in wps[:5]]
    assert all(a > b for a, b in zip(d, d[1:]))
    assert math.dist(wps[0], wps[1]) == pytest.approx(math.dist(cur, target) / 4)


def test_match_stays_and_custom_needs_target() -> None:
    assert trajectory((0.2, -0.3), "match", n=5) == [(0.2, -0.3)] * 5
    with pytest.raises(ValueError):
        trajectory((0.0, 0.0), "custom", n=5)
    with pytest.raises(ValueError):
        Strategy.parse("party")


def test_planned_tracks_follow_the_trajectory() -> None:
    pl = Planner(library(800))
    for strategy in ("match", "lift", "calm"):
        plan = pl.plan((-0.6, -0.6), strategy, n=10, steps=5)
        assert len(plan) == 10
        for p in plan:
            assert p.reasons["distance"] < 0.3, (strategy, p)
            assert math.dist(p.point, p.waypoint) == pytest.approx(p.reasons["distance"], abs=1e-3)
    lift = pl.plan((-0.6, -0.6), "lift", n=10, steps=5)
    assert quadrant(*lift[0].point) == "Q3" and quadrant(*lift[-1].point) == "Q1"
    calm = pl.plan((0.6, 0.6), "calm", n=10, steps=3)
    assert calm[-1].point[1] < -0.3


def test_untagged_never_planned_and_pinned_excluded() -> None:
    tracks = library(60, untagged=30)
    pl = Planner(tracks)
    assert len(pl) == 60
    best = pl.plan((0.5, 0.5), "match", n=5)
    pinned = [best[0].path, best[2].path]
    plan = pl.plan((0.5, 0.5), "match", n=40, pinned=pinned)
    paths = [p.path for p in plan]
    assert not set(pinned) & set(paths)
    assert not any("untagged" in p for p in paths)
    assert len(paths) == len(set(paths))


def test_variety_rules() -> None:
    tracks = library(300, n_artists=5)
    pl = Planner(tracks)
    recent = [p.path for p in pl.plan((0.4, 0.4), "match", n=8)]
    plan = pl.plan((0.4, 0.4), "match", n=20, recent=recent, now_playing=recent[-1])
    artists = [pl.track(p.path)["artist"] for p in plan]
    assert all(a != b for a, b in zip(artists, artists[1:])), artists
    assert pl.track(recent[-1])["artist"] != artists[0]
    assert not set(recent) & {p.path for p in plan}
    # With a window of 0 the recent tracks are allowed again (the rule is what kept them out).
    pl0 = Planner(tracks, recent_window=0)
    again = pl0.plan((0.4, 0.4), "match", n=8)
    assert set(recent) & {p.path for p in again}


def test_variety_relaxed_only_when_nothing_else() -> None:
    tracks = [{"path": f"/s/{i}", "artist": "solo", "valence": 0.1 * i, "arousal": 0.0} for i in range(4)]
    plan = Planner(tracks).plan((0.0, 0.0), "match", n=4)
    assert len(plan) == 4  # one artist only: the rule gives way rather than leaving the queue empty
    assert plan[1].reasons["relaxed"]


def test_vectorised_plan_equals_naive_loop() -> None:
    rng = random.Random(3)
    tracks = library(300, n_artists=30, seed=5)
    for t in tracks[::7]:
        t["quadrant"] = "Q2"  # some tags whose classifier disagrees with their own valence/arousal
    for t in tracks[::3]:  # and the tagger's quadrant probabilities on a third of them
        probs = [rng.random() for _ in range(4)]
        t["moods"] = dict(zip(("happy", "tense", "sad", "calm"), probs))
    prefs = Preferences()
    for _ in range(200):
        prefs.record(
            rng.choice(("skip", "finish", "like")), rng.choice(tracks), rng.choice(("Q1", "Q3")), rng.random()
        )
    pl = Planner(tracks, prefs)
    text = {t["path"]: rng.uniform(-1, 1) for t in tracks[:100]}
    for _ in range(15):
        kw = {
            "current_mood": (rng.uniform(-1, 1), rng.uniform(-1, 1)),
            "strategy": rng.choice(list(Strategy)),
            "target": (rng.uniform(-1, 1), rng.uniform(-1, 1)),
            "steps": rng.randint(0, 6),
            "recent": [t["path"] for t in rng.sample(tracks, 10)],
            "pinned": [tracks[7]["path"]],
            "now_playing": tracks[9]["path"],
            "text_scores": text,
        }
        assert [p.path for p in pl.plan(**kw)] == pl.plan_naive(**kw)


def test_preference_changes_the_plan_in_that_mood_only() -> None:
    tracks = library(400)
    prefs = Preferences()
    pl = Planner(tracks, prefs)
    sad = QUADRANT_CENTRES["Q3"]
    happy = QUADRANT_CENTRES["Q1"]
    first_sad = pl.plan(sad, "match", n=1)[0].path
    first_happy_before = [p.path for p in pl.plan(happy, "match", n=5)]
    for _ in range(2):
        prefs.record_skip(pl.track(first_sad), sad, fraction=0.05)
    assert first_sad not in [p.path for p in pl.plan(sad, "match", n=10)]
    assert [p.path for p in pl.plan(happy, "match", n=5)] == first_happy_before
    # Incremental update of the cached vector matches a fresh build.
    fresh = Planner(tracks, prefs)
    np.testing.assert_allclose(pl.preference_vector(sad), fresh.preference_vector(sad), atol=1e-6)


def test_text_scores_pull_tracks_in() -> None:
    tracks = library(300)
    pl = Planner(tracks)
    base = pl.plan((0.0, 0.0), "match", n=10)
    far = max(
        tracks,
        key=lambda t: (
            math.dist((t["valence"], t["arousal"]), (0.0, 0.0)) < 0.35
            and t["path"] not in {p.path for p in base}
        ),
    )
    boosted = pl.plan((0.0, 0.0), "match", n=10, text_scores={far["path"]: 1.0})
    assert far["path"] in [p.path for p in boosted]
    assert next(p for p in boosted if p.path == far["path"]).reasons["text"] == 1.0


def test_planned_track_explains_itself() -> None:
    prefs = Preferences()
    tracks = library(100)
    pl = Planner(tracks, prefs)
    top = pl.plan((0.5, 0.5), "match", n=1)[0]
    prefs.record_like(pl.track(top.path), (0.5, 0.5))
    again = pl.plan((0.5, 0.5), "match", n=1)[0]
    assert again.path == top.path and again.reasons["preference"] > 0
    assert "mood distance" in again.why() and "keep it" in again.why()


# ---------------------------------------------------------------------- retrieval


class FakeEncoder:
    """Bag of mood-word groups -> L2-normalised vector (fast stand-in for MiniLM)."""

    GROUPS = [
        ("sad", "down", "rainy", "gloomy", "melancholic", "dark", "blue", "tired"),
        ("happy", "joyful", "upbeat", "bright", "sunny", "excited"),
        ("calm", "peaceful", "tender", "relaxed", "gentle", "quiet"),
        ("angry", "tense", "anxious", "aggressive", "furious"),
    ]

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), len(self.GROUPS) + 1), np.float32)
        for i, t in enumerate(texts):
            words = t.lower().replace(",", " ").replace(";", " ").split()
            for g, group in enumerate(self.GROUPS):
                out[i, g] = sum(w in group for w in words)
            out[i, -1] = 0.1
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def mood_tracks() -> list[dict]:
    return [
        {
            "path": "/sad1",
            "title": "Grey",
            "artist": "A",
            "valence": -0.7,
            "arousal": -0.5,
            "moods": {"sad": 0.9},
        },
        {
            "path": "/sad2",
            "title": "Fall",
            "artist": "B",
            "valence": -0.5,
            "arousal": -0.6,
            "moods": {"gloomy": 0.7},
        },
        {
            "path": "/happy",
            "title": "Sun",
            "artist": "C",
            "valence": 0.8,
            "arousal": 0.6,
            "moods": {"happy": 0.9},
        },
        {
            "path": "/calm",
            "title": "Lake",
            "artist": "D",
            "valence": 0.5,
            "arousal": -0.7,
            "moods": {"calm": 0.8},
        },
        {
            "path": "/angry",
            "title": "Riot",
            "artist": "E",
            "valence": -0.6,
            "arousal": 0.8,
            "moods": {"tense": 0.8},
        },
        {"path": "/untagged", "title": "?", "artist": "F"},
    ]


def test_describe_track_uses_tags_and_metadata() -> None:
    d = describe_track(
        {
            "path": "/x",
            "title": "Clair",
            "artist": "Debussy",
            "genre": "Classical",
            "valence": 0.5,
            "arousal": -0.6,
            "moods": {"calm": 0.9, "tender": 0.6, "happy": 0.1},
        }
    )
    assert d.startswith("calm, tender classical music")
    assert "peaceful" in d and "'Clair' by Debussy" in d and "happy" not in d.split(";")[0]


def test_retrieval_ranks_sad_tracks_for_a_sad_entry() -> None:
    enc = FakeEncoder()
    r = TrackRetriever(encoder=enc)
    assert r.index(mood_tracks()) == 5  # untagged skipped
    ranked = [p for p, _ in r.rank("Rainy day, I feel down", top_k=None)]
    assert set(ranked[:2]) == {"/sad1", "/sad2"}
    calls = enc.calls
    r.index(mood_tracks())  # cached: nothing new to embed
    assert enc.calls == calls
    scores = r.scores("Rainy day, I feel down")
    assert scores["/sad1"] > 0 > scores["/happy"] and all(-1 <= s <= 1 for s in scores.values())


def test_retrieval_cache_roundtrip(tmp_path) -> None:
    r = TrackRetriever(encoder=FakeEncoder())
    r.index(mood_tracks())
    r.save_cache(tmp_path / "emb.npz")
    enc = FakeEncoder()
    r2 = TrackRetriever(encoder=enc)
    assert r2.load_cache(tmp_path / "emb.npz") == 5
    r2.index(mood_tracks())
    assert enc.calls == 0


@pytest.mark.slow
def test_retrieval_with_the_real_encoder() -> None:
    """The shipped MiniLM (about 3-10 s to load on two cores)."""
    text_model = pytest.importorskip("emotion.text_model")
    try:
        enc = text_model.TextEncoder()
        enc.encode(["warm up"])
    except Exception as exc:
        pytest.skip(f"text encoder unavailable: {exc}")
    r = TrackRetriever(encoder=enc)
    r.index(mood_tracks())
    ranked = [p for p, _ in r.rank("Rainy day, I feel down and lonely", top_k=None)]
    assert set(ranked[:2]) == {"/sad1", "/sad2"}
    assert [p for p, _ in r.rank("I just want to relax, calm and peaceful", top_k=1)] == ["/calm"]


# ---------------------------------------------------------------------- engine


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_engine_replans_on_sustained_mood_change_only() -> None:
    clock = Clock()
    engine = MoodEngine(library(400), clock=clock)
    plans: list[str] = []
    engine.add_listener(lambda plan, reason: plans.append(reason))
    engine.replan("start")
    for _ in range(100):  # 20 s of a sad face at 5 Hz
        clock.t += 0.2
        engine.observe(Observation("face", -0.6, -0.5, 0.8, time=clock.t))
    assert plans.count("mood changed") == 1  # the first real reading
    sad_plan = list(engine.plan)
    assert all(quadrant(*p.point) == "Q3" for p in sad_plan[:3])
    clock.t += 0.2
    assert engine.observe(Observation("face", 0.8, 0.5, 1.0, time=clock.t)) is None  # a blip
    new = None
    for _ in range(50):
        clock.t += 0.2
        new = engine.observe(Observation("face", 0.7, 0.5, 0.8, time=clock.t)) or new
    assert new is not None and plans.count("mood changed") == 2
    assert quadrant(*new[0].point) == "Q1"


def test_engine_strategy_skip_and_pinned() -> None:
    clock = Clock()
    tracks = library(400)
    engine = MoodEngine(tracks, clock=clock)
    engine.set_user_mood(-0.6, -0.6)
    plan = engine.set_strategy("lift")
    assert quadrant(*plan[-1].point) == "Q1"
    assert engine.target_point() == LIFT_TARGET
    first = plan[0].path
    engine.track_started(first)
    clock.t += 10
    new = engine.track_ended(first, fraction=0.05)
    assert new is not None and first not in [p.path for p in new]
    assert engine.preferences.score(engine.planner.track(first), "Q3") < 0
    pinned = [new[0].path]
    after = engine.set_pinned(pinned)
    assert pinned[0] not in [p.path for p in after]
    assert engine.queue_remaining(1) is not None and engine.queue_remaining(8) is None
    target = engine.set_target(0.2, 0.9)
    assert engine.strategy is Strategy.CUSTOM and math.dist(target[-1].waypoint, (0.2, 0.9)) < 1e-3


def test_engine_journal_uses_retrieval_and_reading() -> None:
    class Reading:
        ok = True

        def to_observation(self) -> Observation:
            return Observation("journal", -0.6, -0.4, 0.9, "sadness", time=0.0)

    tracks = library(200) + [dict(t, path="/j" + t["path"]) for t in mood_tracks()[:5]]
    retriever = TrackRetriever(encoder=FakeEncoder())
    retriever.index(tracks)
    engine = MoodEngine(tracks, retriever=retriever, clock=Clock())
    plan = engine.journal_entry("Rainy day, I feel down", Reading())
    assert engine.last_reason == "journal entry"
    assert engine.mood().quadrant == "Q3"
    assert {"/j/sad1", "/j/sad2"} & {p.path for p in plan}


def test_engine_persists_preferences_and_settings() -> None:
    class FakeStore:
        def __init__(self) -> None:
            self.state: dict = {}

        def get_state(self, key, default=None):
            return self.state.get(key, default)

        def set_state(self, key, value) -> None:
            self.state[key] = value

    store = FakeStore()
    tracks = library(50)
    e1 = MoodEngine(tracks, store=store, clock=Clock())
    e1.set_steps(7)
    e1.set_strategy("calm")
    e1.like(tracks[0]["path"])
    e2 = MoodEngine(tracks, store=store, clock=Clock())
    assert e2.strategy is Strategy.CALM and e2.steps == 7
    assert e2.preferences.score(tracks[0], e2.mood()) > 0


# ---------------------------------------------------------------------- eval queue


def test_queue_metrics() -> None:
    from player.queue_eval import score_plans

    truth = {f"/{q}{i}": q for q in ("Q1", "Q2", "Q3", "Q4") for i in range(12)}
    perfect = {q: [f"/{q}{i}" for i in range(10)] for q in ("Q1", "Q2", "Q3", "Q4")}
    r = score_plans(perfect, truth)
    assert r["emotion_match_accuracy"] == r["p_at_10"] == r["ndcg_at_10"] == 1.0
    half = {
        q: [f"/{q}{i}" for i in range(5)] + [f"/Q{1 + (int(q[1]) % 4)}{i}" for i in range(5)]
        for q in ("Q1", "Q2", "Q3", "Q4")
    }
    r = score_plans(half, truth)
    assert r["p_at_10"] == 0.5 and r["emotion_match_accuracy"] == 0.5
    assert 0.5 < r["ndcg_at_10"] < 1.0  # relevant ones ranked first
    late = {q: list(reversed(v)) for q, v in half.items()}
    assert score_plans(late, truth)["ndcg_at_10"] < r["ndcg_at_10"]


class FakeAudioModel:
    """Tags a rendered clip from the quadrant in its file name, with a deterministic wobble."""

    version = "fake-1"

    def predict_file(self, path, time_limit_s: float = 30.0) -> dict:
        import hashlib
        from pathlib import Path

        name = Path(path).stem
        q = name[:2]
        cv, ca = QUADRANT_CENTRES[q]
        h = int(hashlib.sha1(name.encode()).hexdigest()[:8], 16)
        v, a = cv + ((h % 100) - 50) / 200, ca + (((h // 100) % 100) - 50) / 200
        return {
            "valence": v,
            "arousal": a,
            "quadrant": quadrant(v, a),
            "moods": {},
            "model_version": self.version,
        }


@pytest.mark.slow
def test_eval_queue_end_to_end_with_a_fake_tagger(tmp_path) -> None:
    import os
    from pathlib import Path

    from player.queue_eval import evaluate, read_labels, select

    data = Path(
        os.environ.get("MOODTAPE_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data")
    )
    labels = data / "emopia" / "labels.csv"
    if not labels.is_file():
        pytest.skip("EMOPIA labels not available")
    try:
        from library.synth import default_soundfont, fluidsynth_path

        fluidsynth_path()
        default_soundfont()
    except Exception as exc:
        pytest.skip(f"fluidsynth not available: {exc}")
    rows = select(read_labels(labels), 3, seed=0)
    res = evaluate(
        rows, data / "emopia" / "midi", FakeAudioModel(), n=3, cache=tmp_path / "renders", threads=2
    )
    assert res["n"] == 12 and res["tagger_quadrant_accuracy"] == 1.0
    assert res["emotion_match_accuracy"] == 1.0 and res["p_at_10"] == pytest.approx(0.3)  # 3 of 10 planned


def test_an_uncertain_tag_ranks_below_a_confident_one() -> None:
    """Two tracks equally close to a sad waypoint: the one the tagger was sure is sad comes first."""
    sure = {"path": "/m/sure.ogg", "artist": "A", "valence": -0.55, "arousal": -0.5,
            "moods": {"happy": 0.02, "tense": 0.03, "sad": 0.9, "calm": 0.05}}
    unsure = {"path": "/m/unsure.ogg", "artist": "B", "valence": -0.5, "arousal": -0.55,
              "moods": {"happy": 0.1, "tense": 0.05, "sad": 0.45, "calm": 0.4}}
    plain = {"path": "/m/plain.ogg", "artist": "C", "valence": -0.5, "arousal": -0.5}  # no probabilities
    for order in ([sure, unsure], [unsure, sure]):
        plan = Planner(order).plan((-0.5, -0.5), Strategy.MATCH, n=2)
        assert [p.path for p in plan] == ["/m/sure.ogg", "/m/unsure.ogg"]
        assert plan[1].reasons["quadrant_doubt"] == pytest.approx(0.55, abs=1e-3)
        assert "uncertain" in plan[1].why()
    plan = Planner([unsure, plain]).plan((-0.5, -0.5), Strategy.MATCH, n=1)
    assert plan[0].path == "/m/plain.ogg"  # untested tags are not penalised, doubtful ones are


def _oof(jitter_seed: int, wrong: bool) -> list[tuple[int, dict, dict]]:
    """Out-of-fold 'predictions' of 2 folds x 12 clips per quadrant: at the true quadrant's centre (jittered), or
    at the opposite quadrant's centre."""
    from emotion.mood_space import QUADRANT_CENTRES, QUADRANT_MOOD_WORDS, QUADRANTS

    rng = np.random.default_rng(jitter_seed)
    opposite = {"Q1": "Q3", "Q2": "Q4", "Q3": "Q1", "Q4": "Q2"}
    rows = []
    for fold in range(2):
        for q in QUADRANTS:
            for k in range(12):
                seen = opposite[q] if wrong else q
                v, a = (c + rng.uniform(-0.3, 0.3) for c in QUADRANT_CENTRES[seen])
                moods = {QUADRANT_MOOD_WORDS[qq]: (0.7 if qq == seen else 0.1) for qq in QUADRANTS}
                rows.append((fold, {"clip": f"{fold}_{q}_{k}", "quadrant": q},
                             {"valence": v, "arousal": a, "quadrant": seen, "moods": moods, "model_version": "t"}))
    return rows


def test_queue_cv_scores_follow_the_tagger() -> None:
    """The CV queue figure: a right tagger gives P@10 1, a tagger that reads every clip as the opposite quadrant
    gives 0; each fold is planned over its own clips only."""
    from player.queue_cv import queue_scores

    right = queue_scores(_oof(1, wrong=False))
    wrong = queue_scores(_oof(1, wrong=True))
    assert right["p_at_10"] == 1.0 and right["tagger_quadrant_accuracy"] == 1.0 and right["ndcg_at_10"] == 1.0
    assert wrong["p_at_10"] == 0.0 and wrong["tagger_quadrant_accuracy"] == 0.0
    assert [f["n"] for f in right["per_fold"]] == [48, 48]
    from player.queue_cv import doubt_sweep

    sweep = doubt_sweep(_oof(1, wrong=True), [0.5, 4.0])
    assert sweep["p_at_10"] == {"0.5": 0.0, "4.0": 0.0} and sweep["per_fold"]["4.0"] == [0.0, 0.0]
    assert sweep["nested"]["ties_to_smaller"]["weights"] == [0.5, 0.5]
    assert sweep["nested"]["ties_to_larger"]["weights"] == [4.0, 4.0]


@pytest.mark.slow
def test_queue_cv_tiny_pipeline(tmp_path, capsys) -> None:
    """`python -m player.queue_cv --tiny`: renders, featurises, trains per fold, tags held-out clips and plans."""
    import json
    import shutil

    from emotion.train_audio import shared_data
    from player import queue_cv

    shared = shared_data()
    if not (shared / "emopia" / "labels.csv").is_file() or shutil.which("fluidsynth") is None:
        pytest.skip("needs the shared data and fluidsynth")
    assert queue_cv.main(["--tiny", "--folds", "2", "--threads", "1", "--work-dir", str(tmp_path / "w")]) == 0
    res = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert res["clips"] == 8 and len(res["per_fold"]) == 2
    assert sum(f["n"] for f in res["per_fold"]) == 8
    assert 0.0 <= res["p_at_10"] <= 1.0 and "quadrant_accuracy" in res["audio_cv"]


def test_lift_walk_steps_gradually_with_confident_tags() -> None:
    """With tagger probabilities that grow toward each quadrant's corner, the quadrant-doubt term must not pull a
    lift walk's middle waypoints (near the axes) to the corners: each step moves a little, start to end."""
    from emotion.mood_space import QUADRANT_MOOD_WORDS, QUADRANTS

    rng = np.random.default_rng(0)
    tracks = []
    for i in range(2000):
        v, a = rng.uniform(-1, 1, 2)
        pv, pa = 1 / (1 + np.exp(-4 * v)), 1 / (1 + np.exp(-4 * a))
        p = {"Q1": pv * pa, "Q2": (1 - pv) * pa, "Q3": (1 - pv) * (1 - pa), "Q4": pv * (1 - pa)}
        tracks.append({"path": f"/t{i}", "artist": f"A{i % 97}", "valence": float(v), "arousal": float(a),
                       "quadrant": quadrant(v, a), "moods": {QUADRANT_MOOD_WORDS[q]: p[q] for q in QUADRANTS}})
    plan = Planner(tracks).plan((-0.6, -0.5), Strategy.LIFT, n=6, steps=5)
    points = [p.point for p in plan]
    steps = [math.dist(a, b) for a, b in zip(points, points[1:])]
    assert max(steps) < 0.6, [tuple(round(x, 2) for x in pt) for pt in points]
    assert points[0][0] < -0.4 and points[-1][0] > 0.4  # it still starts sad and ends bright
    assert [p.waypoint for p in plan] == [tuple(round(x, 4) for x in w) for w in
                                          trajectory((-0.6, -0.5), Strategy.LIFT, 6, 5)]
