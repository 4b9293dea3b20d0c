"""Real libVLC with dummy audio output: playing, position, seek, end advances the queue, broken files skipped."""

import pytest

from player.engine import PlayerEngine

vlc_backend = pytest.importorskip("player.vlc_backend")


@pytest.fixture
def engine(qtbot):
    be = vlc_backend.VlcBackend(audio_output="dummy", video=False)
    eng = PlayerEngine(be)
    yield eng
    eng.shutdown()


def test_plays_advances_and_ends(engine, media_dir, qtbot):
    tracks = []
    engine.track_changed.connect(tracks.append)
    finished = []
    engine.track_finished.connect(lambda p, f, skipped: finished.append((p, skipped)))
    engine.queue.add([str(media_dir / "song_c.ogg"), str(media_dir / "song_b.flac")])
    with qtbot.waitSignal(engine.state_changed, timeout=5000, check_params_cb=lambda s: s == "playing"):
        engine.next()
    assert engine.current.endswith("song_c.ogg")
    # position advances
    qtbot.waitUntil(lambda: engine.backend.position() > 200, timeout=5000)
    # the end of the first track advances to the second one
    qtbot.waitUntil(lambda: (engine.current or "").endswith("song_b.flac"), timeout=10000)
    assert finished and finished[0] == (str(media_dir / "song_c.ogg"), False)
    # the end of the last one leaves nothing current
    qtbot.waitUntil(lambda: engine.current is None, timeout=10000)
    assert tracks[-1] == ""


def test_seek(engine, media_dir, qtbot):
    engine.play_path(str(media_dir / "song_b.flac"))
    qtbot.waitUntil(lambda: engine.state == "playing", timeout=5000)
    engine.pause()
    qtbot.waitUntil(lambda: engine.state == "paused", timeout=5000)
    engine.seek(1500)
    qtbot.waitUntil(lambda: engine.backend.position() >= 1400, timeout=3000)
    assert engine.backend.position() >= 1400


def test_broken_file_is_skipped_with_message(engine, media_dir, qtbot):
    problems = []
    engine.problem_sink = lambda p, r: problems.append(p)
    messages = []
    engine.message.connect(messages.append)
    broken = str(media_dir / "broken" / "noise.ogg")
    engine.queue.add([broken, str(media_dir / "song_a.mp3")])
    engine.next()
    qtbot.waitUntil(lambda: (engine.current or "").endswith("song_a.mp3"), timeout=8000)
    assert problems == [broken]
    assert any("could not be played" in m for m in messages)


def test_video_file_plays(engine, media_dir, qtbot):
    engine.play_path(str(media_dir / "clip.mp4"))
    qtbot.waitUntil(lambda: engine.state == "playing", timeout=5000)


def test_repeat_track_plays_it_again_until_turned_off(engine, media_dir, qtbot):
    song_c, song_b = str(media_dir / "song_c.ogg"), str(media_dir / "song_b.flac")
    finished = []
    engine.track_finished.connect(lambda p, f, skipped: finished.append((p, skipped)))
    engine.queue.add([song_b])
    with qtbot.waitSignal(engine.modes_changed):
        engine.set_repeat_track(True)
    engine.play_path(song_c)
    qtbot.waitUntil(lambda: len(finished) >= 2, timeout=15000)  # played to the end twice ...
    assert finished[:2] == [(song_c, False), (song_c, False)]
    assert engine.current == song_c and engine.queue.paths() == [song_b]  # ... and the queue waited
    engine.set_repeat_track(False)
    qtbot.waitUntil(lambda: engine.current == song_b, timeout=10000)


def test_stop_after_current_stops_with_the_next_track_loaded(engine, media_dir, qtbot):
    song_c, song_b = str(media_dir / "song_c.ogg"), str(media_dir / "song_b.flac")
    engine.queue.add([song_b])
    engine.play_path(song_c)
    engine.set_stop_after_current(True)
    qtbot.waitUntil(lambda: engine.current == song_b, timeout=10000)
    assert engine.state == "stopped" and engine.queue.paths() == []
    assert engine.stop_after_current is False  # once only
    qtbot.wait(500)
    assert engine.backend.position() == 0 and engine.state == "stopped"  # it waits for the listener
    with qtbot.waitSignal(engine.state_changed, timeout=5000, check_params_cb=lambda s: s == "playing"):
        engine.play_pause()


def test_equalizer_presets_apply_on_libvlc(engine, media_dir, qtbot):
    presets = engine.equalizer_presets()
    assert len(presets) >= 10 and "Flat" in presets and "Rock" in presets
    engine.play_path(str(media_dir / "song_b.flac"))
    qtbot.waitUntil(lambda: engine.state == "playing", timeout=5000)
    assert engine.set_equalizer("Rock") and engine.equalizer == "Rock"
    assert not engine.set_equalizer("No such preset") and engine.equalizer == "Rock"
    assert engine.set_equalizer(None) and engine.equalizer is None
