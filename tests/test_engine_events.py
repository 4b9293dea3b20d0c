"""The backend's events reach the engine later, on the GUI thread: one a track sent just before the listener started
another (its end, its length) must not be taken as the new track's (null backend)."""

from __future__ import annotations

from player.backend import NullBackend
from player.engine import PlayerEngine


def test_an_end_sent_just_before_next_does_not_skip_the_next_track(qtbot) -> None:
    engine = PlayerEngine(NullBackend(length_ms=60_000))
    try:
        finished = []
        engine.track_finished.connect(lambda p, f, skipped: finished.append((p, skipped)))
        engine.queue.add(["/m/b.ogg", "/m/c.ogg"])
        engine.play_path("/m/a.ogg")
        qtbot.waitUntil(lambda: engine.state == "playing", timeout=3000)
        qtbot.wait(50)
        # a.ogg's end and a wrong length are sent (from libVLC's thread, say) and queued; Next comes before they
        # are handled
        engine.backend.on_event("length", 1234)
        engine.backend.on_event("ended", None)
        engine.next()
        qtbot.wait(200)
        assert engine.current == "/m/b.ogg" and engine.state == "playing"
        assert finished == [("/m/a.ogg", True)], "b.ogg was not taken as ended"
        assert engine._length == 60_000  # b.ogg's own, not the 1234 sent before it started
        # the same events sent while b.ogg plays are its own
        engine.backend.on_event("ended", None)
        qtbot.waitUntil(lambda: engine.current == "/m/c.ogg", timeout=3000)
        assert finished[-1] == ("/m/b.ogg", False)
    finally:
        engine.shutdown()
