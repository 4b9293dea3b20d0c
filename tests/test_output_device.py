"""Playback → Output device: the devices libVLC lists, the choice applied and kept across restarts, a device that
is not connected shown as such and used again once it is back."""

from __future__ import annotations

import pytest

from player.backend import NullBackend
from player.engine import PlayerEngine


@pytest.mark.parametrize("module_keeps_it", [True, False])
def test_libvlc_lists_alsa_devices_and_plays_through_the_chosen_one(tmp_path, qtbot, module_keeps_it) -> None:
    """ALSA's "null" device: a real output without a sound card. libVLC keeps an ALSA device for the outputs it
    opens later when told so for the module; a sound server's module (PulseAudio) does not, and forgets the device
    at each new stream: with module_keeps_it False, ALSA is run that way, so the device must be given again at each
    start (checked by hand with PulseAudio and two null sinks)."""
    vlc_backend = pytest.importorskip("player.vlc_backend")
    from tests.media import tone, write_wav

    first = str(write_wav(tmp_path / "first.wav", tone(20.0)))  # long enough not to end during the test
    second = str(write_wav(tmp_path / "second.wav", tone(20.0, 330.0)))
    be = vlc_backend.VlcBackend(audio_output="alsa", video=False)
    if not module_keeps_it:
        be._device_modules = []
    engine = PlayerEngine(be)
    try:
        devices = dict(engine.output_devices())
        assert "null" in devices and "default" in devices
        assert engine.output_device() is None
        assert not engine.set_output_device("no such device") and engine.output_device() is None
        assert engine.set_output_device("null") and engine.output_device() == "null"
        assert be._device_in_use() == "null"  # libVLC's own answer
        engine.play_path(first)
        qtbot.waitUntil(lambda: engine.state == "playing", timeout=5000)
        assert be._device_in_use() == "null"
        engine.stop()  # a stop closes libVLC's output: the next start opens a new one, on the same device
        qtbot.waitUntil(lambda: not be.is_playing(), timeout=5000)
        assert dict(engine.output_devices()) == devices  # (listed from before the stop)
        engine.play_path(second)  # (on a new player: the stopped one was handed to a helper thread)
        qtbot.waitUntil(lambda: engine.state == "playing" and be.position() > 0, timeout=5000)  # (its output is up)
        qtbot.waitUntil(lambda: be._device_in_use() == "null", timeout=3000)
        assert be.is_playing()
        assert engine.set_output_device(None) and engine.output_device() is None
        # ALSA's default, as before the change (libVLC's answer can lag where a sound server runs behind ALSA)
        qtbot.waitUntil(lambda: be._device_in_use() == "default", timeout=2000)
    finally:
        engine.shutdown()
    dummy = vlc_backend.VlcBackend(audio_output="dummy", video=False)
    try:
        assert dummy.output_devices() == [] and not dummy.set_output_device("null")
    finally:
        dummy.release()


def test_the_device_carries_over_when_a_track_near_its_end_moves_to_a_new_player(tmp_path, qtbot) -> None:
    """Next or Stop near a track's end hand it to a new libVLC player (see VlcBackend._take_fresh_player): the
    chosen device goes with it (after Stop, from the next play on: a stopped player has no output to ask)."""
    vlc_backend = pytest.importorskip("player.vlc_backend")
    from tests.media import tone, write_wav

    first = str(write_wav(tmp_path / "first.wav", tone(20.0)))
    second = str(write_wav(tmp_path / "second.wav", tone(20.0, 330.0)))
    be = vlc_backend.VlcBackend(audio_output="alsa", video=False)
    try:
        assert be.set_output_device("null")
        for step in ("next", "stop"):
            be.load(first)
            be.play()
            qtbot.waitUntil(lambda: be.position() > 0, timeout=5000)
            be.seek(be.length() - 2500)
            qtbot.waitUntil(lambda: be.position() >= be.length() - 3000, timeout=3000)
            old = be._player
            if step == "next":
                be.load(second)
                be.play()
                qtbot.waitUntil(lambda: be.is_playing() and be.position() > 0, timeout=5000)
            else:
                be.stop()
                assert be._player is not old and not be.is_playing()
                be.play()
                qtbot.waitUntil(lambda: be.is_playing() and be.position() > 0, timeout=5000)
            assert be._player is not old
            assert be._device_in_use() == "null", step  # libVLC's answer for the new player
    finally:
        be.release()


def test_a_device_or_equalizer_chosen_during_a_crossfade_reaches_the_track_fading_out(tmp_path, qtbot) -> None:
    """The track fading out sounds for up to 12 s more: a new output device or equalizer applies to it too."""
    vlc_backend = pytest.importorskip("player.vlc_backend")
    from tests.media import tone, write_wav

    first = str(write_wav(tmp_path / "first.wav", tone(20.0)))
    second = str(write_wav(tmp_path / "second.wav", tone(20.0, 330.0)))
    be = vlc_backend.VlcBackend(audio_output="alsa", video=False)
    given = []
    apply = be._apply_equalizer
    be._apply_equalizer = lambda player, setting: (given.append((player, setting)), apply(player, setting))[1]
    try:
        be.load(first)
        be.play()
        qtbot.waitUntil(lambda: be.position() > 0, timeout=5000)
        assert be.crossfade(second)
        fading, playing = be._fading, be._player
        assert fading is not None and fading is not playing
        qtbot.waitUntil(lambda: playing.get_time() > 0, timeout=5000)
        given.clear()
        assert be.set_equalizer("Rock")
        rock = ("preset", be.equalizer_presets().index("Rock"))
        assert given == [(playing, rock), (fading, rock)]
        given.clear()
        assert be.set_equalizer_values(2.0, [1.0] * 10)
        assert [p for p, _ in given] == [playing, fading]
        assert be.set_output_device("null")
        qtbot.waitUntil(lambda: fading.audio_output_device_get() == "null" and be._device_in_use() == "null",
                        timeout=2000)  # libVLC's answers (they can lag where a sound server runs behind ALSA)
        be.stop_fading()
        assert be._fading is None
        given.clear()
        assert be.set_equalizer(None) and given == [(playing, None)]  # (the faded player is gone)
    finally:
        be.release()


def _labels(window) -> list[str]:
    return [a.text() for a in window.output_menu.menu.actions()]


def test_the_menu_sends_the_sound_keeps_the_choice_and_waits_for_an_unplugged_device(media_window, media_dir,
                                                                                      qtbot) -> None:
    from library.store import Store
    from ui.main_window import MainWindow

    w = media_window
    be: NullBackend = w.engine.backend
    menu = w.output_menu
    be.devices += [("null", "Discard all samples"), ("default", "Default")]  # ALSA's: silence, and the default
    menu.menu.aboutToShow.emit()
    assert _labels(w) == ["System default", "Built-in Audio Analog Stereo", "USB Headset"]
    assert menu.actions[None].isChecked()

    menu.actions["usb-headset"].trigger()
    assert be.device == "usb-headset" and menu.actions["usb-headset"].isChecked()
    assert w.statusBar().currentMessage() == "Sound goes to USB Headset"
    w.save_state()
    assert w.store.get_state("output_device") == "usb-headset"

    be.devices = [d for d in be.devices if d[0] != "usb-headset"]  # unplugged
    menu.menu.aboutToShow.emit()
    assert _labels(w)[-1] == "usb-headset (not connected)"
    assert menu.actions["usb-headset"].isChecked() and not menu.actions["usb-headset"].isEnabled()

    # the next start: the headset is still away, so the default plays, and the choice waits
    w.store.flush()
    again_be = NullBackend(length_ms=60_000)
    again_be.devices = list(be.devices)
    w2 = MainWindow(Store(w.store.path), PlayerEngine(again_be), auto_tag=False)
    qtbot.addWidget(w2)
    assert again_be.device is None and w2.output_menu.wanted == "usb-headset"
    assert "not connected" in w2.statusBar().currentMessage()
    again_be.devices = list(NullBackend.DEVICES)  # plugged in again: used from the next track on
    w2.engine.play_path(str(media_dir / "song_a.mp3"))
    assert again_be.device == "usb-headset"
    assert w2.statusBar().currentMessage() == "Sound goes to USB Headset again"

    w2.output_menu.actions[None].trigger()  # back to the default, for good
    assert again_be.device is None and w2.output_menu.wanted is None
    w2.engine.play_path(str(media_dir / "song_b.flac"))
    assert again_be.device is None
