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


def test_crossfade_plays_two_tracks_at_once_on_libvlc(engine, tmp_path, qtbot):
    from tests.media import encode, tone, write_wav

    first, second = (str(encode(write_wav(tmp_path / f"{n}.wav", tone(8.0, f)), tmp_path / f"{n}.ogg"))
                     for n, f in (("first", 440.0), ("second", 660.0)))
    tracks, finished = [], []
    engine.track_changed.connect(tracks.append)
    engine.track_finished.connect(lambda p, f, skipped: finished.append((p, skipped)))
    assert engine.set_equalizer("Rock")
    engine.crossfade_s = 2.5
    engine.queue.add([second])
    engine.play_path(first)
    qtbot.waitUntil(engine.is_crossfading, timeout=10000)
    be = engine.backend
    fading = be._fading
    assert fading is not None and fading is not be._player and engine.current == second
    assert fading.is_playing(), "the first track still sounds while the second starts"
    qtbot.waitUntil(lambda: be._player.is_playing(), timeout=3000)
    assert finished == [(first, False)]
    assert be._player.get_media().get_mrl().endswith("second.ogg")
    qtbot.waitUntil(lambda: not engine.is_crossfading(), timeout=5000)
    assert be._fading is None
    qtbot.waitUntil(lambda: not any(t.is_alive() for t in be._stopping), timeout=5000)  # stopped and released
    assert engine.state == "playing" and engine.current == second
    qtbot.waitUntil(lambda: engine.current is None, timeout=15000)  # the second plays to its end ...
    assert tracks == [first, second, ""] and finished == [(first, False), (second, False)]  # ... once
    assert engine.equalizer == "Rock" and be._eq == ("preset", engine.equalizer_presets().index("Rock"))


def test_next_and_stop_near_the_end_hand_the_player_to_a_helper_thread(engine, tmp_path, qtbot, monkeypatch):
    """libVLC 3's stop (and set_media, which stops first) waits, within a track's last second or so, until what it
    handed to the sound output has played (0.5-1.5 s on PulseAudio; the dummy output does not wait, so this
    checks how it is avoided): near its end the track playing moves to a new player, with everything set on the
    old one, and the old one stops on a helper thread. In mid-track the player stays (a stop there is quick)."""
    import threading

    from tests.media import tone, write_wav

    vlc = pytest.importorskip("vlc")
    first, second = (str(write_wav(tmp_path / f"{n}.wav", tone(20.0, f))) for n, f in (("a", 440.0), ("b", 660.0)))
    stopped_on = []
    original = vlc_backend.VlcBackend._stop_and_release
    monkeypatch.setattr(vlc_backend.VlcBackend, "_stop_and_release",
                        staticmethod(lambda p: (stopped_on.append((p, threading.current_thread())), original(p))))
    given: dict[str, dict[int, object]] = {"volume": {}, "equalizer": {}}  # the last each player was given
    for method, key in (("audio_set_volume", "volume"), ("set_equalizer", "equalizer")):  # (the dummy output
        real = getattr(vlc.MediaPlayer, method)  # reports no volume, and libVLC has no equalizer getter)
        monkeypatch.setattr(vlc.MediaPlayer, method, lambda p, v, real=real, key=key:
                            (given[key].__setitem__(id(p), v), real(p, v))[1])
    be = engine.backend
    be.set_video_window(4242)  # (no picture with this backend: the id is only kept, and read back)
    engine.levelling = False
    engine.set_volume(37)
    assert engine.set_equalizer("Rock")
    engine.queue.add([second, first])
    engine.play_path(first)
    qtbot.waitUntil(lambda: engine.state == "playing" and be.position() > 0, timeout=5000)
    player = be._player
    engine.next()  # in mid-track: the same player goes on
    assert be._player is player and be.path == second and not stopped_on
    qtbot.waitUntil(lambda: engine.state == "playing" and be.position() > 0, timeout=5000)
    engine.seek(be.length() - 2500)
    qtbot.waitUntil(lambda: be.position() >= be.length() - 3000, timeout=3000)
    engine.next()  # near the end: a new player
    assert be._player is not player and be.path == first
    new = be._player
    assert given["volume"][id(new)] == 37 and given["equalizer"][id(new)], "the volume and equalizer carry over"
    assert new.get_xwindow() == 4242, "and the video window"
    qtbot.waitUntil(lambda: engine.state == "playing" and new.is_playing(), timeout=5000)
    qtbot.waitUntil(lambda: not any(t.is_alive() for t in be._stopping), timeout=5000)
    assert [p for p, _ in stopped_on] == [player] and stopped_on[0][1] is not threading.main_thread()
    qtbot.wait(300)  # the old player's "stopped" must not reach the engine as the playing track's
    assert engine.state == "playing" and engine.current == first

    engine.seek(be.length() - 2500)
    qtbot.waitUntil(lambda: be.position() >= be.length() - 3000, timeout=3000)
    engine.stop()
    qtbot.waitUntil(lambda: engine.state == "stopped", timeout=3000)
    assert be._player is not new and be.path == first and given["volume"][id(be._player)] == 37
    qtbot.waitUntil(lambda: len(stopped_on) == 2, timeout=3000)
    assert stopped_on[1][0] is new and stopped_on[1][1] is not threading.main_thread()
    engine.play_pause()  # Play after Stop starts the same track again, from its beginning
    qtbot.waitUntil(lambda: engine.state == "playing" and be._player.is_playing(), timeout=5000)
    assert be._player.get_media().get_mrl().endswith("a.wav") and engine.current == first
    assert be.position() < 5000
