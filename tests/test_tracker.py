"""MoodTracker: fusion, hysteresis and intention on scripted observation sequences."""

from __future__ import annotations

import math

import pytest

from emotion.mood_space import Observation
from emotion.tracker import MoodTracker

SAD = (-0.6, -0.4)
HAPPY = (0.7, 0.5)


def face(t: float, va: tuple[float, float], conf: float = 0.8) -> Observation:
    return Observation("face", va[0], va[1], conf, time=t)


def run_face(
    tracker: MoodTracker, t0: float, t1: float, va, hz: float = 5.0, conf: float = 0.8
) -> list[float]:
    """Feed face frames at `hz` from t0 to t1, calling should_replan after each; return re-plan times."""
    replans = []
    steps = int(round((t1 - t0) * hz))
    for i in range(steps):
        t = t0 + i / hz
        tracker.add(face(t, va, conf))
        if tracker.should_replan(now=t):
            replans.append(t)
    return replans


def test_fusion_weights_confidence_and_age() -> None:
    tr = MoodTracker()
    tr.add(Observation("face", 0.8, 0.0, 0.9, time=0.0))
    tr.add(Observation("journal", -0.8, 0.0, 0.1, time=0.0))
    m = tr.mood(now=0.0)
    assert m.valence > 0.4  # the confident source dominates
    # Sixty seconds later the face (half-life 20 s) has faded, the journal (hours) has not.
    later = tr.mood(now=60.0)
    assert later.valence < m.valence - 0.3
    assert later.confidence < m.confidence
    assert set(later.sources) == {"face", "journal"}
    assert later.sources["journal"] > m.sources["journal"]


def test_custom_half_lives_change_decay() -> None:
    slow = MoodTracker(half_lives={"face": 600.0})
    fast = MoodTracker(half_lives={"face": 5.0})
    for tr in (slow, fast):
        tr.add(face(0.0, HAPPY))
    assert slow.mood(now=30.0).confidence > fast.mood(now=30.0).confidence + 0.3


def test_empty_tracker_is_neutral_and_uncertain() -> None:
    m = MoodTracker().mood(now=10.0)
    assert (m.valence, m.arousal, m.confidence) == (0.0, 0.0, 0.0)
    assert m.spread > 0.5


def test_spread_grows_with_disagreement() -> None:
    agree, disagree = MoodTracker(), MoodTracker()
    for i in range(20):
        agree.add(face(i * 0.2, SAD))
        disagree.add(face(i * 0.2, SAD if i % 2 else HAPPY))
    assert disagree.mood(now=4.0).spread > agree.mood(now=4.0).spread + 0.2


def test_one_frame_blip_does_not_replan() -> None:
    tr = MoodTracker()
    run_face(tr, 0.0, 30.0, SAD)  # settles; the first reading plans once
    tr.mark_planned(now=30.0)
    tr.add(face(30.0, HAPPY, conf=1.0))  # one confident frame of the opposite mood
    assert not tr.should_replan(now=30.0)
    assert run_face(tr, 30.2, 60.0, SAD) == []


def test_blip_at_low_frame_rate_does_not_replan() -> None:
    tr = MoodTracker()
    run_face(tr, 0.0, 30.0, SAD, hz=1.0)
    tr.mark_planned(now=30.0)
    tr.add(face(30.0, HAPPY, conf=1.0))
    assert run_face(tr, 31.0, 60.0, SAD, hz=1.0) == []


def test_sustained_change_replans_within_a_few_seconds() -> None:
    tr = MoodTracker()
    run_face(tr, 0.0, 30.0, SAD)
    tr.mark_planned(now=30.0)
    replans = run_face(tr, 30.0, 60.0, HAPPY)
    assert replans, "a sustained change must re-plan"
    assert replans[0] - 30.0 <= 6.0
    assert len(replans) == 1  # and then it settles: no flapping
    assert tr.anchor is not None and tr.anchor.valence > 0.3


def test_flicker_between_two_moods_does_not_flap() -> None:
    tr = MoodTracker()
    run_face(tr, 0.0, 20.0, SAD)
    tr.mark_planned(now=20.0)
    replans = []
    for i in range(300):  # 60 s: one happy frame in four
        t = 20.0 + i * 0.2
        tr.add(face(t, HAPPY if i % 4 == 0 else SAD))
        if tr.should_replan(now=t):
            replans.append(t)
    assert len(replans) <= 1


def test_user_click_replans_at_once_and_dominates() -> None:
    tr = MoodTracker()
    run_face(tr, 0.0, 10.0, SAD)
    tr.mark_planned(now=10.0)
    tr.add(Observation("user", 0.6, -0.6, 1.0, time=10.0))
    assert tr.should_replan(now=10.0)
    m = tr.mood(now=10.0)
    assert m.valence > 0.2 and m.quadrant == "Q4"


def test_low_confidence_does_not_replan() -> None:
    tr = MoodTracker()
    tr.mark_planned(now=0.0)
    tr.add(face(0.0, HAPPY, conf=0.05))
    assert not tr.should_replan(now=0.5)


def test_unknown_source_rejected() -> None:
    with pytest.raises(ValueError):
        MoodTracker().add(Observation("radio", 0.0, 0.0, 1.0, time=0.0))


def test_intention_lift_when_music_bright_and_face_sad() -> None:
    tr = MoodTracker()
    tr.add(Observation("seed", 0.7, 0.4, 0.9, time=0.0))
    run_face(tr, 0.0, 20.0, SAD)
    it = tr.intention(now=20.0)
    assert it.strategy == "lift" and not it.overridden
    assert "sad" in it.reason and "bright" in it.reason
    assert it.confidence > 0.3


def test_intention_needs_a_sustained_sad_face() -> None:
    tr = MoodTracker()
    tr.add(Observation("seed", 0.7, 0.4, 0.9, time=0.0))
    run_face(tr, 0.0, 2.0, SAD)  # only two seconds of a sad face
    assert tr.intention(now=2.0).strategy == "match"
    happy = MoodTracker()
    happy.add(Observation("seed", 0.7, 0.4, 0.9, time=0.0))
    run_face(happy, 0.0, 20.0, HAPPY)
    assert happy.intention(now=20.0).strategy == "match"


def test_intention_override() -> None:
    tr = MoodTracker()
    tr.add(Observation("music", 0.7, 0.4, 0.9, time=0.0))
    run_face(tr, 0.0, 20.0, SAD)
    tr.set_override("match")
    it = tr.intention(now=20.0)
    assert it.strategy == "match" and it.overridden and it.inferred == "lift"
    tr.set_override(None)
    assert tr.intention(now=20.0).strategy == "lift"
    with pytest.raises(ValueError):
        tr.set_override("party")


def test_mood_is_bounded() -> None:
    tr = MoodTracker()
    for i in range(10):
        tr.add(Observation("user", 1.0, -1.0, 1.0, time=float(i)))
    m = tr.mood(now=10.0)
    assert -1.0 <= m.valence <= 1.0 and -1.0 <= m.arousal <= 1.0
    assert math.isclose(m.valence, 1.0, abs_tol=1e-6)
