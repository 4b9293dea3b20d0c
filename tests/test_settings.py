"""Settings: JSON round trip, damaged file, 0600 permissions; the dialog, welcome and tray build offscreen."""

from __future__ import annotations

import json
import os
import stat

from library import settings as st
from library.settings import Settings


def test_defaults_when_missing_and_camera_off():
    s = st.load()
    assert s == Settings()
    assert s.camera_enabled is False and s.first_run_done is False
    assert not st.settings_path().exists()  # loading writes nothing


def test_round_trip_and_permissions():
    s = Settings(camera_device="/dev/video2", camera_fps=7.5, camera_enabled=True, journal_enabled=False,
                 audio_tagging_enabled=False, default_strategy="lift", steps=8,
                 half_lives={"face": 12.0, "journal": 600.0, "music": 90.0, "user": 300.0}, theme="dark",
                 close_to_tray=True, first_run_done=True)
    path = st.save(s)
    assert path == st.settings_path() and path.parent == st.settings_path().parent
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert st.load() == s
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]  # no temp file left
    st.save(Settings(camera_device=3))
    again = st.load()
    assert again.camera_device == 3 and again.theme == "system"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_damaged_file_gives_defaults_and_is_kept_aside():
    path = st.settings_path()
    path.write_text('{"theme": "dark", "steps": ')
    assert st.load() == Settings()
    assert path.with_name("settings.json.damaged").read_text().startswith('{"theme"')
    path.write_text("[1, 2, 3]")
    assert st.load() == Settings()


def test_bad_values_fall_back_one_by_one():
    st.settings_path().write_text(json.dumps({
        "theme": "purple", "steps": "many", "camera_fps": 1000, "camera_device": "4", "close_to_tray": "yes",
        "half_lives": {"face": -5, "music": 42, "journal": None}, "unknown_key": 1,
        "default_strategy": "calm"}))
    s = st.load()
    d = Settings()
    assert s.theme == d.theme and s.steps == d.steps and s.close_to_tray is d.close_to_tray
    assert s.camera_fps == 60.0 and s.camera_device == 4 and s.default_strategy == "calm"
    assert s.half_lives == {"face": 1.0, "journal": d.half_lives["journal"], "music": 42.0,
                            "user": d.half_lives["user"]}


def test_dialog_edits_settings_and_folders(qtbot, tmp_path):
    from ui.settings_dialog import SettingsDialog

    dlg = SettingsDialog(Settings(steps=4), ["/music/a", "/music/b"])
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.result_folders() == ["/music/a", "/music/b"]
    assert not dlg.remove_folder_button.isEnabled()
    dlg.folder_list.setCurrentRow(0)
    assert dlg.remove_folder_button.isEnabled()
    dlg.remove_selected_folders()
    assert dlg.add_folder(str(tmp_path)) and not dlg.add_folder(str(tmp_path))
    assert dlg.result_folders() == ["/music/b", str(tmp_path)]
    dlg.camera_enabled.setChecked(True)
    dlg.camera_device.setText("2")
    dlg.camera_fps.setValue(3.0)
    dlg.journal_enabled.setChecked(False)
    dlg.strategy.setCurrentIndex(dlg.strategy.findData("calm"))
    dlg.steps.setValue(9)
    dlg.half_lives["face"].setValue(45)
    assert dlg.half_lives["journal"].suffix() == " h" and dlg.half_lives["journal"].value() == 3.0  # 3 h default
    dlg.half_lives["journal"].setValue(1.5)
    dlg.theme.setCurrentIndex(dlg.theme.findData("dark"))
    dlg.close_to_tray.setChecked(True)
    s = dlg.result_settings()
    assert (s.camera_enabled, s.camera_device, s.camera_fps, s.journal_enabled) == (True, 2, 3.0, False)
    assert (s.default_strategy, s.steps, s.half_lives["face"], s.theme, s.close_to_tray) == ("calm", 9, 45.0,
                                                                                            "dark", True)
    assert s.half_lives["journal"] == 5400.0  # shown in hours, kept in seconds
    assert s.audio_tagging_enabled is True  # untouched
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from ui.settings_dialog import apply_theme

    app = QApplication.instance()
    style, palette = app.style().name(), QApplication.palette()
    try:
        how = apply_theme("dark")
        if how == "hint":
            assert QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
        else:
            assert how == "palette" and QApplication.palette().window().color().lightness() < 80
        apply_theme("light")
        assert QApplication.palette().window().color().lightness() > 150
        assert apply_theme("system") == "system"
    finally:  # the QApplication is shared with the other tests
        app.setStyle(style)
        app.setPalette(palette)
    st.save(s)
    assert st.load() == s


def test_welcome_marks_first_run_and_keeps_camera_off(qtbot):
    from ui.welcome import WELCOME_HTML, WelcomeDialog

    dlg = WelcomeDialog(st.load())
    qtbot.addWidget(dlg)
    assert not dlg.camera_checkbox.isChecked()
    assert "never stored" in WELCOME_HTML and "off" in WELCOME_HTML
    s = dlg.result_settings()
    assert s.first_run_done is True and s.camera_enabled is False
    dlg.camera_checkbox.setChecked(True)
    assert dlg.result_settings().camera_enabled is True


def test_tray_is_a_no_op_without_a_system_tray(qtbot, tmp_path):
    from PySide6.QtWidgets import QSystemTrayIcon

    from library.store import Store
    from player.backend import NullBackend
    from player.engine import PlayerEngine
    from ui.main_window import MainWindow
    from ui.tray import Tray, app_icon, mood_words

    w = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    tray = Tray(w, close_to_tray=True)
    assert tray.available == QSystemTrayIcon.isSystemTrayAvailable()
    if not tray.available:  # offscreen: no tray
        assert tray.icon is None and tray.should_hide_on_close() is False and tray.tooltip() == ""
    assert not app_icon().isNull()
    assert mood_words(0.5, -0.5).startswith("calm")
