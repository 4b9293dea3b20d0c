"""Crossfade: over a track's last seconds the next one fades in while it fades out (null backend; the real
libVLC crossfade is in test_playback.py)."""

from __future__ import annotations

import math
import time

import pytest

from player.backend import NullBackend
from player.engine import PlayerEngine, crossfade_levels

LENGTH_MS = 2400
FADE_S = 0.8


@pytest.fixture
def engine(qtbot):
    eng = PlayerEngine(NullBackend(length_ms=LENGTH_MS))
    eng.set_volume(80)
    eng.crossfade_s = FADE_S
    yield eng
    eng.shutdown()


def _record(engine) -> dict[str, list]:
    seen: dict[str, list] = {"tracks": [], "finished": [], "levels": []}
    engine.track_changed.connect(seen["tracks"].append)
    engine.track_finished.connect(lambda p, f, skipped: seen["finished"].append((p, f, skipped)))
    def level() -> None:
        if engine.is_crossfading():  # (after the crossfade's own step: what it has just set, and when)
            t = (time.monotonic() - engine._xfade_at) / engine._xfade_len
            seen["levels"].append((t, engine.backend.volume, engine.backend.fading_volume))

    engine._xfade_tick.timeout.connect(level)
    return seen


def test_levels_are_equal_power():
    for t in (0.0, 0.1, 0.25, 0.5, 0.8, 1.0):
        v_in, v_out = crossfade_levels(t)
        # libVLC's volume v plays amplitude v ** 3: the two amplitudes' powers add up to the full one
        assert math.isclose(v_in ** 6 + v_out ** 6, 1.0, abs_tol=1e-9)
    assert crossfade_levels(0.0) == (0.0, 1.0) and crossfade_levels(1.0)[0] == 1.0
    assert crossfade_levels(0.3)[0] < crossfade_levels(0.6)[0]


def test_the_next_track_fades_in_over_the_end_of_this_one(engine, qtbot):
    seen = _record(engine)
    engine.queue.add(["/b.ogg"])
    engine.play_path("/a.ogg")
    qtbot.waitUntil(lambda: engine.backend.fading == "/a.ogg", timeout=5000)
    # the next track is current while the first one still plays, fading
    assert engine.current == "/b.ogg" and engine.backend.path == "/b.ogg" and engine.is_crossfading()
    assert seen["finished"] == [("/a.ogg", 1.0, False)], "the first one counts as played to its end"
    qtbot.waitUntil(lambda: engine.backend.fading is None, timeout=3000)
    assert not engine.is_crossfading()
    levels = seen["levels"]
    assert len(levels) >= 5
    for t, v_in, v_out in levels:  # the equal-power curve at the listener's volume, at each step's time
        want_in, want_out = crossfade_levels(t)
        assert abs(v_in - 80 * want_in) <= 2 and abs(v_out - 80 * want_out) <= 2, (t, v_in, v_out)
    ins, outs = [v for _, v, _ in levels], [v for _, _, v in levels]
    assert ins == sorted(ins) and outs == sorted(outs, reverse=True), levels
    assert levels[0][0] < 0.5 < levels[-1][0], "seen on both halves of the fade"
    qtbot.wait(300)
    assert engine.backend.volume == 80, "the incoming track ends at the listener's volume"
    # the second one plays to its end (no crossfade: nothing follows), and nothing is current after it
    qtbot.waitUntil(lambda: engine.current is None, timeout=5000)
    assert seen["tracks"] == ["/a.ogg", "/b.ogg", ""]
    assert seen["finished"] == [("/a.ogg", 1.0, False), ("/b.ogg", 1.0, False)]


def test_off_the_tracks_follow_each_other_as_they_are(engine, qtbot):
    engine.crossfade_s = 0.0
    fadings = []
    engine.position_changed.connect(lambda *_: fadings.append(engine.backend.fading))
    engine.queue.add(["/b.ogg"])
    engine.play_path("/a.ogg")
    qtbot.waitUntil(lambda: engine.current == "/b.ogg", timeout=5000)
    assert engine.backend.position() < 500 and set(fadings) == {None}


@pytest.mark.parametrize("why", ["declined", "short", "repeat", "stop_after", "nothing_next"])
def test_no_crossfade_where_the_tracks_should_end_as_they_are(engine, qtbot, why):
    asked = []
    if why == "declined":
        engine.crossfade_ok = lambda a, b: asked.append((a, b)) and False
    elif why == "short":
        engine.crossfade_s = LENGTH_MS / 1000 / 2.5  # a track shorter than 3 fades plays whole
    elif why == "repeat":
        engine.set_repeat_track(True)
    elif why == "stop_after":
        engine.set_stop_after_current(True)
    if why != "nothing_next":
        engine.queue.add(["/b.ogg"])
    engine.play_path("/a.ogg")
    ticks = []
    engine.position_changed.connect(lambda *_: ticks.append(engine.backend.fading))
    qtbot.waitUntil(lambda: engine.backend.position() >= LENGTH_MS - 100 or engine.current != "/a.ogg",
                    timeout=5000)
    qtbot.wait(300)
    assert set(ticks) == {None} and not engine.is_crossfading()
    if why == "declined":
        assert asked == [("/a.ogg", "/b.ogg")], "asked once for the track, not at every tick"


def test_pausing_during_a_crossfade_stops_the_fading_track_without_a_jump(engine, qtbot):
    engine.queue.add(["/b.ogg"])
    engine.play_path("/a.ogg")
    qtbot.waitUntil(lambda: engine.is_crossfading() and 10 < engine.backend.volume < 60, timeout=5000)
    before = engine.backend.volume
    heard = []
    engine._soft_tick.timeout.connect(lambda: heard.append(engine.backend.volume))
    engine.pause()
    assert engine.backend.fading is None and not engine.is_crossfading()
    qtbot.waitUntil(lambda: engine.state == "paused", timeout=3000)
    assert heard and max(heard) <= before + 1, "the pause fades out from where the fade-in was"
    engine.play_pause()
    qtbot.waitUntil(lambda: engine.state == "playing" and engine.backend.volume == 80, timeout=3000)
    assert engine.current == "/b.ogg"


@pytest.mark.parametrize("action", ["next", "seek", "stop"])
def test_a_listeners_action_during_a_crossfade_ends_it(engine, qtbot, action):
    engine.queue.add(["/b.ogg", "/c.ogg"])
    engine.play_path("/a.ogg")
    qtbot.waitUntil(engine.is_crossfading, timeout=5000)
    {"next": engine.next, "seek": lambda: engine.seek(100), "stop": engine.stop}[action]()
    assert engine.backend.fading is None and not engine.is_crossfading()
    if action != "stop":
        qtbot.waitUntil(lambda: engine.backend.volume == 80, timeout=3000)
        assert engine.current == ("/c.ogg" if action == "next" else "/b.ogg")


def test_a_sleep_timer_about_to_pause_keeps_the_track_as_it_is(engine, qtbot):
    engine.queue.add(["/b.ogg"])
    engine.start_sleep_timer(30.0)  # far from this track's end
    engine.play_path("/a.ogg")
    qtbot.waitUntil(engine.is_crossfading, timeout=5000)  # 30 s away: the crossfade happens
    engine.queue.add(["/d.ogg"])
    engine.play_path("/c.ogg")
    # When this track's crossfade would begin (0.8-0.5 s before its end), the timer is 10.6-10.3 s from pausing: its
    # own fade-out (the last 10 s) has not begun, but it would begin within the crossfade: no crossfade.
    engine.start_sleep_timer(LENGTH_MS / 1000 - FADE_S + engine.FADE_S + 0.6)
    ticks = []
    engine.position_changed.connect(lambda *_: ticks.append(engine.backend.fading))
    qtbot.waitUntil(lambda: engine.current != "/c.ogg" or engine.backend.position() >= LENGTH_MS - 100,
                    timeout=5000)
    assert ticks and set(ticks) == {None} and engine.current == "/c.ogg"
    engine.cancel_sleep_timer()


def test_the_setting_reaches_the_engine(qtbot, tmp_path):
    from library.settings import CROSSFADE_MAX_S, Settings
    from library.store import Store
    from ui.desktop import apply_settings
    from ui.main_window import MainWindow
    from ui.settings_dialog import SettingsDialog

    w = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    w.tray = None
    assert w.engine.crossfade_s == 0.0, "off until the listener turns it on"
    apply_settings(w, Settings(crossfade_s=6.0))
    assert w.engine.crossfade_s == 6.0
    assert Settings(crossfade_s=99).validated().crossfade_s == CROSSFADE_MAX_S
    assert Settings(crossfade_s="long").validated().crossfade_s == 0.0
    dialog = SettingsDialog(Settings(crossfade_s=4.0), [])
    qtbot.addWidget(dialog)
    assert dialog.crossfade.value() == 4 and dialog.crossfade.text() == "4 s"
    dialog.crossfade.setValue(0)
    assert dialog.crossfade.text() == "Off" and dialog.result_settings().crossfade_s == 0.0
    w.engine.shutdown()


def test_an_album_in_order_videos_and_short_tracks_join_without_a_fade(qtbot, tmp_path):
    from library.store import Store
    from ui.main_window import MainWindow

    w = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    w.tray = None
    w.library.set_rows([{"path": "/m/1.ogg", "album": "Live", "albumartist": "X", "track_no": 1},
                        {"path": "/m/2.ogg", "album": "Live", "albumartist": "X", "track_no": 2},
                        {"path": "/m/o.ogg", "album": "Other", "albumartist": "Y", "track_no": 3},
                        {"path": "/m/jingle.ogg", "duration": 14.0}])
    w.engine.crossfade_s = 5.0
    assert not w.engine.crossfade_ok("/m/1.ogg", "/m/2.ogg")
    assert w.engine.crossfade_ok("/m/2.ogg", "/m/1.ogg"), "the album out of order fades"
    assert w.engine.crossfade_ok("/m/2.ogg", "/m/o.ogg")
    assert not w.engine.crossfade_ok("/m/o.ogg", "/m/clip.mp4")
    assert not w.engine.crossfade_ok("/m/o.ogg", "/m/jingle.ogg"), "it would end before its fade-in did"
    w.engine.crossfade_s = 4.0
    assert w.engine.crossfade_ok("/m/o.ogg", "/m/jingle.ogg")
    w.engine.shutdown()


def test_a_fade_shorter_than_half_a_second_is_not_begun(engine, qtbot):
    engine.backend.length_ms = 600_000  # (the position ticks stay far from the end; the test asks by hand)
    engine.queue.add(["/b.ogg"])
    engine.play_path("/a.ogg")
    qtbot.waitUntil(lambda: engine.state == "playing", timeout=3000)
    engine._maybe_crossfade(LENGTH_MS - 400, LENGTH_MS)
    assert not engine.is_crossfading() and engine.current == "/a.ogg"
    engine._maybe_crossfade(LENGTH_MS - 700, LENGTH_MS)
    assert engine.is_crossfading() and engine.current == "/b.ogg"


class _EndsAsItSwitches(NullBackend):
    """libVLC may report the outgoing track's end just before the switch: the event is on its way when the new track
    takes over."""

    def crossfade(self, path: str) -> bool:
        self._emit("ended")
        return super().crossfade(path)


def test_an_end_reported_before_the_switch_is_not_the_new_tracks(qtbot):
    engine = PlayerEngine(_EndsAsItSwitches(length_ms=LENGTH_MS))
    engine.crossfade_s = FADE_S
    problems = []
    engine.problem_sink = lambda path, reason: problems.append(path)
    seen = _record(engine)
    engine.queue.add(["/b.ogg", "/c.ogg"])
    engine.play_path("/a.ogg")
    qtbot.waitUntil(engine.is_crossfading, timeout=5000)
    qtbot.wait(300)
    assert engine.current == "/b.ogg" and problems == []
    assert seen["tracks"] == ["/a.ogg", "/b.ogg"] and seen["finished"] == [("/a.ogg", 1.0, False)]
    engine.shutdown()


def test_an_incoming_track_that_cannot_play_leaves_the_fade_going(engine, qtbot):
    engine.backend.fail_paths = {"/b.ogg"}
    problems = []
    engine.problem_sink = lambda path, reason: problems.append(path)
    engine.queue.add(["/b.ogg", "/c.ogg"])
    engine.play_path("/a.ogg")
    qtbot.waitUntil(lambda: engine.current == "/c.ogg", timeout=5000)
    assert problems == ["/b.ogg"]
    assert engine.backend.fading == "/a.ogg" and engine.is_crossfading(), "the first track fades on, not cut"
    assert engine.backend.volume < 80, "the third one rises in the broken one's place"
    qtbot.waitUntil(lambda: engine.backend.fading is None, timeout=3000)
    qtbot.waitUntil(lambda: engine.backend.volume == 80, timeout=3000)


def test_the_volume_moved_during_a_crossfade_reaches_the_outgoing_track(engine, qtbot):
    engine.queue.add(["/b.ogg"])
    engine.play_path("/a.ogg")
    qtbot.waitUntil(lambda: engine.is_crossfading() and engine.backend.fading_volume > 40, timeout=5000)
    engine.set_volume(20)
    qtbot.wait(100)
    assert engine.is_crossfading() and engine.backend.fading_volume <= 20 and engine.backend.volume <= 20
