"""Your own equalizer curve (Playback → Equalizer → Custom…): ten bands and a preamp, heard as they move, kept
across restarts; Cancel puts back what was in use. Real libVLC builds the curve it is given."""

from __future__ import annotations

import pytest

from player.backend import NullBackend
from player.engine import CUSTOM_EQ, EQ_LIMIT_DB, PlayerEngine


@pytest.fixture
def window(qtbot, tmp_path):
    from library.store import Store
    from ui.main_window import MainWindow

    w = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    return w


def _dialog(window):
    from PySide6.QtWidgets import QApplication

    from ui.equalizer_dialog import EqualizerDialog

    window.equalizer.actions[CUSTOM_EQ].trigger()
    shown = [d for d in QApplication.topLevelWidgets() if isinstance(d, EqualizerDialog) and d.isVisible()]
    assert len(shown) == 1
    return shown[0]


def test_the_engine_takes_a_curve_clamped_and_refuses_a_damaged_one():
    engine = PlayerEngine(NullBackend())
    assert engine.equalizer_bands() == list(NullBackend.BANDS)
    assert engine.set_custom_equalizer(3.0, [30.0, -30.0, *[1.5] * 8])
    assert engine.equalizer == CUSTOM_EQ
    assert engine.backend.equalizer_curve == (3.0, [EQ_LIMIT_DB, -EQ_LIMIT_DB, *[1.5] * 8])
    for preamp, amps in ((0.0, [1.0] * 9), (0.0, ["x"] * 10), (float("nan"), [0.0] * 10), (0.0, [])):
        assert not engine.set_custom_equalizer(preamp, amps)
    assert engine.custom_eq == (3.0, [EQ_LIMIT_DB, -EQ_LIMIT_DB, *[1.5] * 8]), "the last good curve stays"
    assert engine.set_equalizer("Rock") and engine.equalizer == "Rock" and engine.backend.equalizer_curve is None


def test_custom_starts_from_the_preset_in_use_plays_as_you_move_and_is_kept(window, qtbot, tmp_path):
    from library.store import Store
    from ui.main_window import MainWindow

    assert window.equalizer.actions[CUSTOM_EQ].text() == "Custom…"
    window.equalizer.actions["Soft"].trigger()
    dialog = _dialog(window)
    assert dialog.curve() == window.engine.equalizer_values("Soft"), "it starts from the preset in use"
    dialog.sliders[3].setValue(55)  # the third band to +5.5 dB
    preamp, amps = window.engine.backend.equalizer_curve
    assert amps[2] == 5.5 and window.engine.equalizer == CUSTOM_EQ, "heard at once"
    assert dialog.values[3].text() == "+5.5 dB"
    dialog.start_from.setCurrentIndex(dialog.start_from.findData("Rock"))
    dialog.start_from.activated.emit(dialog.start_from.currentIndex())
    assert window.engine.backend.equalizer_curve == window.engine.equalizer_values("Rock")
    dialog.flat.click()
    assert window.engine.backend.equalizer_curve == (0.0, [0.0] * 10)
    dialog.sliders[0].setValue(-35)
    dialog.sliders[10].setValue(120)
    dialog.accept()
    assert window.equalizer.actions[CUSTOM_EQ].isChecked()
    window.close()  # saves the state
    backend = NullBackend()
    again = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(backend), auto_tag=False)
    qtbot.addWidget(again)
    assert backend.equalizer_curve == (-3.5, [0.0] * 9 + [12.0]), "back after a restart"
    assert again.equalizer.actions[CUSTOM_EQ].isChecked()


def test_cancel_puts_back_what_was_in_use(window):
    window.equalizer.actions["Rock"].trigger()
    dialog = _dialog(window)
    dialog.sliders[5].setValue(-80)
    assert window.engine.equalizer == CUSTOM_EQ
    dialog.reject()
    assert window.engine.equalizer == "Rock" and window.engine.backend.equalizer == "Rock"
    assert window.equalizer.actions["Rock"].isChecked()
    window.engine.set_custom_equalizer(2.0, [1.0] * 10)
    dialog = _dialog(window)
    assert dialog.curve() == (2.0, [1.0] * 10), "it starts from your curve"
    dialog.sliders[1].setValue(0)
    dialog.reject()
    assert window.engine.backend.equalizer_curve == (2.0, [1.0] * 10)


def test_a_damaged_saved_curve_leaves_the_equalizer_off(qtbot, tmp_path):
    from library.store import Store
    from ui.main_window import MainWindow

    store = Store(tmp_path / "db.json")
    store.set_state("equalizer", CUSTOM_EQ)
    store.set_state("equalizer_custom", {"preamp": "loud", "bands": [1, 2]})
    store.flush()
    backend = NullBackend()
    w = MainWindow(store, PlayerEngine(backend), auto_tag=False)
    qtbot.addWidget(w)
    assert backend.equalizer is None and backend.equalizer_curve is None
    assert w.equalizer.actions[None].isChecked()


def test_libvlc_builds_the_curve_it_is_given():
    vlc_backend = pytest.importorskip("player.vlc_backend")
    be = vlc_backend.VlcBackend(audio_output="dummy", video=False)
    try:
        bands = be.equalizer_bands()
        assert len(bands) == 10 and bands[0] < 100 and bands[-1] > 10000
        club = be.equalizer_values("Club")
        assert club is not None and club[0] > 0 and max(club[1]) > 0
        curve = (-2.5, [float(i) - 4.5 for i in range(10)])
        eq = be.new_equalizer(*curve)
        vlc = be._vlc
        try:
            assert round(vlc.libvlc_audio_equalizer_get_preamp(eq), 2) == -2.5
            assert [round(vlc.libvlc_audio_equalizer_get_amp_at_index(eq, i), 2) for i in range(10)] == curve[1]
        finally:
            vlc.libvlc_audio_equalizer_release(eq)
        assert be.set_equalizer_values(*curve)
        assert be.new_equalizer(0.0, [0.0] * 3) is None, "a wrong band count"
    finally:
        be.release()


def test_your_curve_survives_trying_a_preset_and_one_dialog_is_open_at_a_time(window):
    dialog = _dialog(window)
    dialog.sliders[2].setValue(90)
    mine = dialog.curve()
    dialog.accept()
    window.equalizer.actions["Rock"].trigger()
    again = _dialog(window)
    assert again.curve() == mine, "Custom… starts from your curve, not Rock's"
    window.equalizer.actions[CUSTOM_EQ].trigger()  # a second time: the same dialog, to the front
    assert _dialog(window) is again
    window.equalizer.actions["Soft"].trigger()  # a preset from the menu while the dialog is open ...
    again.reject()
    assert window.engine.equalizer == "Soft", "... stays after Cancel"


def test_closing_the_window_with_a_curve_still_being_tried_keeps_what_played_before(window, qtbot, tmp_path):
    from library.store import Store
    from ui.main_window import MainWindow

    window.equalizer.actions["Rock"].trigger()
    dialog = _dialog(window)
    dialog.sliders[4].setValue(-120)
    window.close()
    backend = NullBackend()
    again = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(backend), auto_tag=False)
    qtbot.addWidget(again)
    assert backend.equalizer == "Rock" and backend.equalizer_curve is None


def test_the_periodic_save_leaves_the_dialog_open(window):
    """The window saves its state every few seconds: that must not close a dialog the listener is using."""
    window.equalizer.actions["Rock"].trigger()
    dialog = _dialog(window)
    dialog.sliders[4].setValue(-120)
    window.save_state()
    assert dialog.isVisible() and window.engine.equalizer == CUSTOM_EQ
    assert window.store.get_state("equalizer") == CUSTOM_EQ, "(what plays now is saved)"
    dialog.accept()
