"""Pausing fades the music out over a quarter of a second and playing on fades it back in (null backend)."""

from __future__ import annotations

import pytest

from player.backend import NullBackend
from player.engine import PAUSE_FADE_S, PlayerEngine


@pytest.fixture
def engine(qtbot):
    eng = PlayerEngine(NullBackend(length_ms=600_000))
    eng.set_volume(80)
    yield eng
    eng.shutdown()


def _playing(engine, qtbot, path: str = "/a.ogg") -> None:
    engine.play_path(path)
    qtbot.waitUntil(lambda: engine.state == "playing", timeout=3000)
    assert engine.backend.volume == 80


def _volumes(engine) -> list[int]:
    seen: list[int] = []
    engine._soft_tick.timeout.connect(lambda: seen.append(engine.backend.volume))
    return seen


def test_pause_fades_out_then_pauses_and_play_fades_back_in(engine, qtbot):
    _playing(engine, qtbot)
    seen = _volumes(engine)
    engine.play_pause()
    assert engine.backend.is_playing(), "still sounding while it fades"
    qtbot.waitUntil(lambda: engine.state == "paused", timeout=3000)
    assert not engine.backend.is_playing() and engine.backend.volume == 0 and engine.volume == 80
    assert len(seen) >= 5 and seen == sorted(seen, reverse=True) and seen[-1] == 0, seen  # a ramp, not a cut
    assert any(0 < v < 80 for v in seen)
    seen.clear()
    engine.play_pause()
    assert engine.backend.is_playing() and engine.backend.volume < 80, "from silence ..."
    qtbot.waitUntil(lambda: engine.backend.volume == 80, timeout=3000)  # ... up to the listener's volume
    assert seen == sorted(seen) and any(0 < v < 80 for v in seen), seen


def test_play_pressed_again_while_fading_out_plays_on(engine, qtbot):
    _playing(engine, qtbot)
    engine.pause()
    qtbot.waitUntil(lambda: 0 < engine.backend.volume < 80, timeout=3000)
    engine.play_pause()
    qtbot.waitUntil(lambda: engine.backend.volume == 80, timeout=3000)
    qtbot.wait(int(PAUSE_FADE_S * 1000) + 100)
    assert engine.state == "playing" and engine.backend.is_playing()
    engine.pause()
    qtbot.waitUntil(lambda: 0 < engine.backend.volume < 80, timeout=3000)
    engine.resume()  # MPRIS Play, or the listener back in a hands-free session
    qtbot.waitUntil(lambda: engine.backend.volume == 80, timeout=3000)
    qtbot.wait(int(PAUSE_FADE_S * 1000) + 100)
    assert engine.state == "playing" and engine.backend.is_playing()


def test_without_the_fade_a_pause_cuts_at_once(engine, qtbot):
    engine.pause_fade_s = 0.0
    _playing(engine, qtbot)
    engine.pause()
    assert not engine.backend.is_playing() and engine.backend.volume == 80
    qtbot.waitUntil(lambda: engine.state == "paused", timeout=3000)
    engine.play_pause()
    assert engine.backend.is_playing() and engine.backend.volume == 80


def test_a_track_that_ends_during_the_fade_leaves_the_next_one_waiting(engine, qtbot):
    engine.queue.add(["/b.ogg"])
    _playing(engine, qtbot)
    engine.pause()
    engine._handle_event("ended", None)  # the end came before the fade did
    assert engine.current == "/b.ogg" and not engine.backend.is_playing()
    assert engine.backend.volume == 80, "the next track waits at the listener's volume"
    engine.play_pause()
    qtbot.waitUntil(lambda: engine.state == "playing" and engine.backend.volume == 80, timeout=3000)


def test_the_setting_turns_the_fade_off(qtbot, tmp_path):
    from library.settings import Settings
    from library.store import Store
    from ui.desktop import apply_settings
    from ui.main_window import MainWindow

    w = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    w.tray = None
    assert w.engine.pause_fade_s == PAUSE_FADE_S
    apply_settings(w, Settings(fade_on_pause=False))
    assert w.engine.pause_fade_s == 0.0
    apply_settings(w, Settings(fade_on_pause=True))
    assert w.engine.pause_fade_s == PAUSE_FADE_S
    assert Settings(fade_on_pause="yes").validated().fade_on_pause is True  # a damaged value takes the default
    w.engine.shutdown()


@pytest.mark.parametrize("action", ["play_path", "next", "play_queue_row", "previous"])
def test_a_track_asked_for_during_the_fade_plays(engine, qtbot, action):
    engine.queue.add(["/b.ogg", "/c.ogg"])
    _playing(engine, qtbot)
    if action == "previous":
        engine.next()
        qtbot.waitUntil(lambda: engine.current == "/b.ogg" and engine.state == "playing", timeout=3000)
    engine.pause()
    qtbot.waitUntil(lambda: 0 < engine.backend.volume < 80, timeout=3000)
    {"play_path": lambda: engine.play_path("/x.ogg"), "next": engine.next,
     "play_queue_row": lambda: engine.play_queue_row(0), "previous": engine.previous}[action]()
    qtbot.wait(int(PAUSE_FADE_S * 1000) + 150)
    assert engine.state == "playing" and engine.backend.is_playing() and engine.backend.volume == 80


def test_mpris_play_during_the_fade_plays_on(engine, qtbot):
    from types import SimpleNamespace

    from ui.mpris import _PlayerAdaptor

    _playing(engine, qtbot)
    engine.pause()
    qtbot.waitUntil(lambda: 0 < engine.backend.volume < 80, timeout=3000)
    _PlayerAdaptor.Play(SimpleNamespace(_m=SimpleNamespace(engine=engine)))  # what playerctl play calls
    qtbot.wait(int(PAUSE_FADE_S * 1000) + 150)
    assert engine.state == "playing" and engine.backend.volume == 80
