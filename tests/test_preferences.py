"""Preferences learned from plays, skips and likes, per mood region; persistence through the store."""

from __future__ import annotations

import pytest

from player.preferences import Preferences, reward

SONG = {"path": "/m/a.ogg", "artist": "Band", "genre": "Rock"}
OTHER_BY_BAND = {"path": "/m/b.ogg", "artist": "band ", "genre": "Pop"}
UNRELATED = {"path": "/m/c.ogg", "artist": "Solo", "genre": "Jazz"}


def test_rewards_order() -> None:
    assert (
        reward("like")
        > reward("finish")
        > 0
        > reward("skip", 0.6)
        > reward("skip", 0.2)
        > reward("skip", 0.0)
    )
    assert reward("play", 0.95) == reward("finish")
    assert reward("play", 0.1) == reward("skip", 0.1)
    with pytest.raises(ValueError):
        reward("shrug")


def test_skip_when_sad_demotes_when_sad_only() -> None:
    p = Preferences()
    before = {q: p.score(SONG, q) for q in ("Q1", "Q2", "Q3", "Q4")}
    assert set(before.values()) == {0.0}
    p.record_skip(SONG, (-0.6, -0.5), fraction=0.05)  # listener sad (Q3)
    assert p.score(SONG, "Q3") < -0.3
    for q in ("Q1", "Q2", "Q4"):
        assert p.score(SONG, q) == 0.0


def test_early_skip_counts_more_than_late() -> None:
    early, late = Preferences(), Preferences()
    early.record_skip(SONG, "Q3", fraction=0.02)
    late.record_skip(SONG, "Q3", fraction=0.7)
    assert early.score(SONG, "Q3") < late.score(SONG, "Q3") < 0


def test_artist_generalises_and_track_memorises() -> None:
    p = Preferences()
    for _ in range(4):
        p.record_like(SONG, "Q1")
    # The artist part carries over to another song by the same artist (names normalised)...
    assert p.score(OTHER_BY_BAND, "Q1") > 0.2
    # ...but less than the song itself, and nothing to an unrelated song.
    assert p.score(SONG, "Q1") > p.score(OTHER_BY_BAND, "Q1")
    assert p.score(UNRELATED, "Q1") == 0.0
    assert p.explain(SONG, "Q1")["track"] > 0


def test_learning_within_a_session_is_immediate_and_reversible() -> None:
    p = Preferences()
    p.record_finish(SONG, "Q4")
    s1 = p.score(SONG, "Q4")
    assert s1 > 0
    for _ in range(3):
        p.record_skip(SONG, "Q4", 0.1)
    assert p.score(SONG, "Q4") < 0 < s1
    assert p.version == 4 and p.events == 4


def test_roundtrip_dict_and_store(tmp_path) -> None:
    p = Preferences()
    p.record_skip(SONG, "Q3", 0.1)
    p.record_like(UNRELATED, "Q1")
    q = Preferences.from_dict(p.to_dict())
    for t in (SONG, UNRELATED, OTHER_BY_BAND):
        for quad in ("Q1", "Q3"):
            assert q.score(t, quad) == pytest.approx(p.score(t, quad))
    assert Preferences.from_dict(None).score(SONG, "Q3") == 0.0
    assert Preferences.from_dict({"format": 999}).events == 0

    store_mod = pytest.importorskip("library.store")
    store = store_mod.Store(tmp_path / "db.json")
    try:
        p.save(store)
        store.flush()
    finally:
        store.close()
    store = store_mod.Store(tmp_path / "db.json")
    try:
        r = Preferences.load(store)
    finally:
        store.close()
    assert r.score(SONG, "Q3") == pytest.approx(p.score(SONG, "Q3"))
    assert r.score(UNRELATED, "Q1") > 0


def test_changes_since_and_rename() -> None:
    p = Preferences()
    v0 = p.version
    p.record_skip(SONG, "Q2", 0.0)
    changes = p.changes_since(v0)
    assert ("Q2", "track", "/m/a.ogg") in changes and ("Q2", "artist", "band") in changes
    assert p.changes_since(p.version) == []
    p.rename_track("/m/a.ogg", "/m/moved.ogg")
    assert p.score(dict(SONG, path="/m/moved.ogg"), "Q2") < 0
    assert p.changes_since(v0) is None  # the log was reset: consumers rebuild


def test_memory_is_bounded() -> None:
    p = Preferences(max_entries=100)
    for i in range(300):
        p.record_finish({"path": f"/x/{i}", "artist": "", "genre": ""}, "Q1")
    assert len(p.to_dict()["stats"]["Q1"]["track"]) <= 101
