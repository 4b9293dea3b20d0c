"""The mood map and strategy bar build offscreen, paint, and emit on clicks (pytest-qt)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from ui.mood_map import MoodMap, StrategyBar

TRACKS = [
    {"path": "/a", "valence": 0.7, "arousal": 0.6, "quadrant": "Q1"},
    {"path": "/b", "valence": -0.6, "arousal": -0.5, "quadrant": "Q3"},
    {"path": "/c", "valence": 0.5, "arousal": -0.7},
    {"path": "/untagged"},
]


def grab(widget) -> QImage:
    return widget.grab().toImage()


def test_map_paints_tracks_mood_target_and_path(qtbot) -> None:
    m = MoodMap()
    qtbot.addWidget(m)
    m.resize(300, 300)
    m.show()
    empty = grab(m)
    m.set_tracks(TRACKS)
    assert len(m._points) == 3  # untagged left out
    with_dots = grab(m)
    assert with_dots != empty
    m.set_mood(-0.5, -0.4, 0.3)
    m.set_target(0.6, 0.4)
    m.set_path([(-0.4, -0.3), (0.0, 0.0), (0.5, 0.4)])
    full = grab(m)
    assert full != with_dots
    # The mood marker is drawn where the mood is.
    c = m.to_widget(-0.5, -0.4)
    assert full.pixelColor(int(c.x()), int(c.y())) != with_dots.pixelColor(int(c.x()), int(c.y()))


def test_map_marks_the_playing_track_and_explains_its_marks_when_tall(qtbot) -> None:
    m = MoodMap()
    qtbot.addWidget(m)
    m.resize(300, 300)
    m.show()
    assert m.legend_rows() == 0  # about square: the plane takes it all
    m.set_tracks(TRACKS)
    before = grab(m)
    m.set_playing(0.3, -0.2)
    c = m.to_widget(0.3, -0.2)
    after = grab(m)
    assert after.pixelColor(int(c.x()), int(c.y())) != before.pixelColor(int(c.x()), int(c.y()))
    m.clear_playing()
    assert grab(m) == before
    # a tall dock: the plane hangs from the top and a legend fills the room under it
    m.resize(300, 520)
    r = m.plane_rect()
    assert r.top() == m.TOP and r.width() == r.height() == 300 - 2 * m.MARGIN
    assert m.legend_rows() == len(m.LEGEND_TEXT)
    img = grab(m)
    below = [img.pixelColor(x, y) for x in range(0, 300, 3) for y in range(int(r.bottom()) + m.MARGIN + 8, 519, 3)]
    assert len({c.rgb() for c in below}) > 3, "the legend is drawn under the plane"
    m.resize(300, 360)
    assert 0 < m.legend_rows() < len(m.LEGEND_TEXT)  # only what fits


def test_map_coordinates_round_trip(qtbot) -> None:
    m = MoodMap()
    qtbot.addWidget(m)
    m.resize(400, 300)
    for v, a in [(-1.0, -1.0), (0.0, 0.0), (0.3, -0.7), (1.0, 1.0)]:
        back = m.to_plane(m.to_widget(v, a))
        assert abs(back[0] - v) < 1e-6 and abs(back[1] - a) < 1e-6
    top_right = m.to_widget(1.0, 1.0)
    bottom_left = m.to_widget(-1.0, -1.0)
    assert top_right.x() > bottom_left.x() and top_right.y() < bottom_left.y()  # arousal grows upward


def test_click_emits_target_or_mood(qtbot) -> None:
    m = MoodMap()
    qtbot.addWidget(m)
    m.resize(300, 300)
    m.show()
    p = m.to_widget(0.5, -0.5).toPoint()
    with qtbot.waitSignal(m.target_picked, timeout=1000) as blocker:
        qtbot.mouseClick(m, Qt.MouseButton.LeftButton, pos=p)
    v, a = blocker.args
    assert abs(v - 0.5) < 0.03 and abs(a + 0.5) < 0.03
    assert m._target is not None
    with qtbot.waitSignal(m.mood_set, timeout=1000) as blocker:  # Shift: the other mode
        qtbot.mouseClick(m, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, pos=p)
    assert abs(blocker.args[0] - 0.5) < 0.03
    m.set_mode("mood")
    q = m.to_widget(-0.8, 0.8).toPoint()
    with qtbot.waitSignal(m.mood_set, timeout=1000) as blocker:
        qtbot.mouseClick(m, Qt.MouseButton.LeftButton, pos=q)
    assert blocker.args[0] < -0.7 and blocker.args[1] > 0.7
    with qtbot.assertNotEmitted(m.target_picked), qtbot.assertNotEmitted(m.mood_set):
        qtbot.mouseClick(m, Qt.MouseButton.LeftButton, pos=QPoint(1, 1))  # outside the plane


def test_strategy_bar(qtbot) -> None:
    bar = StrategyBar()
    qtbot.addWidget(bar)
    assert bar.strategy() == "match" and not bar.steps.isEnabled()
    with qtbot.waitSignal(bar.strategy_changed, timeout=1000) as blocker:
        bar.combo.setCurrentIndex(bar.combo.findData("lift"))
    assert blocker.args == ["lift"] and bar.steps.isEnabled()
    with qtbot.waitSignal(bar.steps_changed, timeout=1000) as blocker:
        bar.steps.setValue(8)
    assert blocker.args == [8]
    with qtbot.assertNotEmitted(bar.strategy_changed):
        bar.set_strategy("calm")  # programmatic: no echo back to the engine
    assert bar.strategy() == "calm"
    bar.set_intention("lift", "The music is bright but you look sad.")
    assert "Lift me up" in bar.suggestion.text()
    with qtbot.waitSignal(bar.follow_suggestions_changed, timeout=1000) as blocker:
        bar.follow.setChecked(True)
    assert blocker.args == [True]
    with qtbot.waitSignal(bar.follow_suggestions_changed, timeout=1000) as blocker:
        bar.combo.setCurrentIndex(bar.combo.findData("match"))  # a manual choice overrides
    assert blocker.args == [False] and not bar.follow.isChecked()


def test_quadrant_labels_step_aside_from_the_marks(qtbot) -> None:
    m = MoodMap()
    qtbot.addWidget(m)
    m.resize(300, 300)
    m.show()
    cells = m.cells()
    outer = m.label_rects()
    # with nothing on the plane every label sits in its cell's outer corner
    assert outer["Q2"].top() < cells["Q2"].center().y() and outer["Q2"].left() < cells["Q2"].center().x()
    assert outer["Q4"].bottom() > cells["Q4"].center().y() and outer["Q4"].right() > cells["Q4"].center().x()
    # a planned stop on Q2's label (top left): the label moves down by the valence axis, the others stay
    stop = m.to_plane(outer["Q2"].center())
    m.set_path([stop])
    moved = m.label_rects()
    assert moved["Q2"].top() > cells["Q2"].center().y()
    assert not moved["Q2"].adjusted(-m.MARK_RADIUS, -m.MARK_RADIUS, m.MARK_RADIUS, m.MARK_RADIUS).contains(
        m.to_widget(*stop))
    assert {q: moved[q] for q in ("Q1", "Q3", "Q4")} == {q: outer[q] for q in ("Q1", "Q3", "Q4")}
    # marks on both spots: the one with fewer marks wins
    by_axis = m.to_plane(moved["Q2"].center())
    m.set_path([stop, by_axis, (by_axis[0] + 0.02, by_axis[1])])
    assert m.label_rects()["Q2"] == outer["Q2"]
    # and the painted label follows: the pixels at the moved spot change when the stop comes
    m.set_path([])
    before = grab(m)
    m.set_playing(*stop)
    after = grab(m)
    spot = moved["Q2"]
    assert any(before.pixelColor(int(x), int(spot.center().y())) != after.pixelColor(int(x), int(spot.center().y()))
               for x in range(int(spot.left()), int(spot.right())))


def test_mood_dot_steps_onto_the_rim_of_the_playing_mark(qtbot) -> None:
    m = MoodMap()
    qtbot.addWidget(m)
    m.resize(300, 300)
    m.show()
    m.set_mood(-0.5, 0.5)
    assert m.mood_dot_centre() == m.to_widget(-0.5, 0.5)  # nothing playing: where the mood is
    m.set_playing(0.3, 0.4)
    assert m.mood_dot_centre() == m.to_widget(-0.5, 0.5)  # far from the playing track: where the mood is
    m.clear_mood()
    note_only = grab(m)
    n = m.to_widget(0.3, 0.4)
    m.set_mood(0.3, 0.4)  # on the playing track: the dot moves to the note's rim, up and right
    dot = m.mood_dot_centre()
    assert abs(((dot.x() - n.x()) ** 2 + (dot.y() - n.y()) ** 2) ** 0.5 - MoodMap.MARK_RADIUS) < 1e-6
    assert dot.x() > n.x() and dot.y() < n.y()
    both = grab(m)
    # the note's middle (its glyph) is painted as without the mood, and the mood dot shows where it was moved
    assert both.pixelColor(int(n.x()), int(n.y())) == note_only.pixelColor(int(n.x()), int(n.y()))
    assert both.pixelColor(round(dot.x()), round(dot.y())) == m.palette().highlight().color()
    m.set_mood(0.3 - 2.0 / 150, 0.4)  # a little left of it: the dot sits on the rim to the left
    dot = m.mood_dot_centre()
    assert dot.x() < n.x() and abs(dot.y() - n.y()) < 1e-6
