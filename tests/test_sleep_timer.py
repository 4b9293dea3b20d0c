"""The sleep timer: the music fades out over the last seconds and pauses; the next play is at full volume."""

from __future__ import annotations

from player.backend import NullBackend
from player.engine import PlayerEngine


def test_sleep_timer_fades_out_pauses_and_the_next_play_is_at_full_volume(qtbot) -> None:
    backend = NullBackend(length_ms=600_000)
    engine = PlayerEngine(backend)
    engine.FADE_S = 1.0
    engine.set_volume(80)
    engine.play_path("/a.ogg")
    qtbot.waitUntil(lambda: engine.state == "playing", timeout=3000)
    seen: list[int] = []
    engine._sleep_tick.timeout.connect(lambda: seen.append(backend.volume))
    with qtbot.waitSignal(engine.sleep_changed):
        engine.start_sleep_timer(1.6)
    assert 1.0 < engine.sleep_left() <= 1.6
    qtbot.waitUntil(lambda: engine.state == "paused", timeout=5000)
    assert engine.sleep_left() is None and engine.volume == 80  # the listener's volume is untouched ...
    assert backend.volume == 0  # ... but the paused player stays silent
    assert seen[0] == 80 and any(0 < v < 80 for v in seen), seen  # full first, then fading
    assert seen == sorted(seen, reverse=True)
    engine.play_pause()
    qtbot.waitUntil(lambda: backend.volume == 80, timeout=2000)  # faded in to the listener's volume
    engine.start_sleep_timer(60)
    engine.cancel_sleep_timer()
    assert engine.sleep_left() is None and backend.volume == 80
    engine.shutdown()


def test_sleep_menu_starts_and_cancels_the_timer(qtbot, tmp_path) -> None:
    from library.store import Store
    from ui.main_window import MainWindow

    engine = PlayerEngine(NullBackend())
    w = MainWindow(Store(tmp_path / "db.json"), engine, auto_tag=False)
    qtbot.addWidget(w)
    playback = w.menuBar().actions()[1].menu()
    assert w.sleep_timer.menu.menuAction() in playback.actions()
    w.sleep_timer.actions[30].trigger()
    assert 29 * 60 < engine.sleep_left() <= 30 * 60
    assert w.sleep_timer.menu.title().startswith("Sleep timer (pauses at ")
    assert "pauses at" in w.statusBar().currentMessage()
    w.sleep_timer.actions[0].trigger()
    assert engine.sleep_left() is None and w.sleep_timer.menu.title() == "Sleep &timer"
    w.sleep_timer.actions[15].trigger()
    engine.cancel_sleep_timer()  # ran out (or was cancelled elsewhere): the menu says Off again
    assert w.sleep_timer.actions[0].isChecked() and w.sleep_timer.menu.title() == "Sleep &timer"


def test_a_timer_running_out_between_two_tracks_pauses_the_next_one(qtbot) -> None:
    backend = NullBackend(length_ms=600_000)
    engine = PlayerEngine(backend)
    engine.set_volume(80)
    engine.queue.add(["/b.ogg"])
    engine.play_path("/a.ogg")
    qtbot.waitUntil(lambda: engine.state == "playing", timeout=3000)
    engine.start_sleep_timer(60)
    engine._set_state("stopped")  # "ended" came; the next track is starting, its "playing" not yet here
    engine.queue.current = "/b.ogg"
    engine.sleep_at = 0.0  # runs out now
    engine._sleep_step()
    assert engine.sleep_left() is None and backend.volume == 0
    backend.load("/b.ogg")
    backend.play()  # the next track's "playing" arrives ...
    qtbot.waitUntil(lambda: engine.state == "paused", timeout=3000)  # ... and it pauses at once
    assert not backend.is_playing()
    engine.play_pause()  # the listener plays on, at their volume
    assert backend.is_playing()
    qtbot.waitUntil(lambda: backend.volume == 80, timeout=2000)
    engine.shutdown()
