"""Settings applied to the running window, the Settings… flow, folder removal, close-to-tray, the welcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from library import settings as st
from library.settings import Settings
from library.store import Store
from player.backend import NullBackend
from tests.test_app_mood import tagged_library
from ui.workers import SyncPool, set_pool


class FakeReader:
    """Stands in for the face reader (the real one is tested in test_camera_panel / test_face_reader)."""

    made: list[dict] = []

    def __init__(self, **kwargs) -> None:
        FakeReader.made.append(kwargs)
        self.is_running = False

    def start(self) -> None:
        self.is_running = True

    def stop(self, *args, **kwargs) -> None:
        self.is_running = False


@pytest.fixture
def build(qtbot, tmp_path, monkeypatch):
    set_pool(SyncPool())
    FakeReader.made = []
    monkeypatch.setattr("ui.camera_panel.CameraPanel._make_reader",
                        lambda self: FakeReader(source=self.source, fps=self.fps))
    windows = []

    def make(**kwargs):
        from ui.app import build_window

        store = Store(tmp_path / "db.json")
        if not store.all_tracks():
            store.upsert_tracks(tagged_library(3))
        w = build_window(store, backend=NullBackend(length_ms=100_000), **kwargs)
        qtbot.addWidget(w)
        windows.append(w)
        return w

    yield make
    for w in windows:
        w.quitting = True
        if getattr(w, "mood", None) is not None:
            w.mood.shutdown()
        if getattr(w, "camera_panel", None) is not None:
            w.camera_panel.stop()
    set_pool(None)


def test_defaults_keep_camera_off_and_follow_match(build):
    w = build(auto_tag=False)
    assert w.settings == Settings()
    assert not w.camera_panel.is_running and not FakeReader.made
    assert w.mood.engine.strategy.value == "match" and w.mood.engine.steps == 5
    assert w.act_settings in w.menuBar().actions()[0].menu().actions()
    assert w.journal_dock.toggleViewAction().isEnabled()


def test_saved_settings_reach_the_window(build):
    st.save(Settings(camera_enabled=True, camera_device="/videos/cam.mp4", camera_fps=9.0, journal_enabled=False,
                     audio_tagging_enabled=False, default_strategy="lift", steps=7,
                     half_lives={"face": 11.0, "journal": 600.0, "music": 90.0, "user": 300.0}))
    w = build()
    assert w.auto_tag is False
    assert FakeReader.made and FakeReader.made[-1] == {"source": "/videos/cam.mp4", "fps": 9.0}
    assert w.camera_panel.is_running
    assert not w.journal_dock.toggleViewAction().isEnabled()
    engine = w.mood.engine
    assert (engine.strategy.value, engine.steps) == ("lift", 7)
    assert engine.tracker.half_lives["face"] == 11.0 and engine.tracker.half_lives["journal"] == 600.0
    assert w.strategy_bar.strategy() == "lift"


def test_camera_flag_overrides_the_settings_device(build):
    st.save(Settings(camera_enabled=True, camera_device=3))
    build(camera_source="/tmp/other.mp4")
    assert FakeReader.made[-1]["source"] == "/tmp/other.mp4"


def test_settings_dialog_applies_and_saves(build, monkeypatch, tmp_path):
    from ui import desktop

    w = build(auto_tag=False)
    lib_a, lib_b = tmp_path / "a", tmp_path / "b"
    lib_a.mkdir()
    lib_b.mkdir()
    w.store.upsert_tracks([{"path": str(lib_a / "x.ogg"), "title": "x", "valence": 0.5, "arousal": 0.5,
                            "quadrant": "Q1"}])
    w.store.set_state("library_folders", [str(lib_a)])
    w.library.set_rows(w.store.all_tracks())
    new = Settings(camera_enabled=True, camera_fps=4.0, default_strategy="calm", steps=3, journal_enabled=False)
    monkeypatch.setattr("ui.settings_dialog.edit_settings", lambda parent, s, folders: (new, [str(lib_b)]))
    assert desktop.open_settings(w)
    assert st.load() == new.validated()
    assert w.library_folders() == [str(lib_b)]
    assert str(lib_a / "x.ogg") not in {t["path"] for t in w.library.rows()}  # the folder's tracks left
    assert w.store.get_track(str(lib_a / "x.ogg")) is None
    assert w.camera_panel.is_running and FakeReader.made[-1]["fps"] == 4.0
    assert (w.mood.engine.strategy.value, w.mood.engine.steps) == ("calm", 3)
    assert not w.journal_dock.isVisible()
    # cancel changes nothing
    monkeypatch.setattr("ui.settings_dialog.edit_settings", lambda parent, s, folders: None)
    assert not desktop.open_settings(w)
    assert st.load() == new.validated()
    # turning the camera off stops the reader
    monkeypatch.setattr("ui.settings_dialog.edit_settings",
                        lambda parent, s, folders: (Settings(camera_enabled=False), folders))
    assert desktop.open_settings(w)
    assert not w.camera_panel.is_running


def test_remove_folder_keeps_tracks_of_other_folders(build, tmp_path: Path):
    w = build(auto_tag=False)
    a, inner = tmp_path / "m", tmp_path / "m2"
    w.store.set_state("library_folders", [str(a), str(inner)])
    w.store.upsert_tracks([{"path": str(a / "1.ogg"), "title": "1"}, {"path": str(inner / "2.ogg"), "title": "2"}])
    w.store.add_problem(str(a / "bad.ogg"), "scan", "truncated")
    w.library.set_rows(w.store.all_tracks())
    assert w.remove_folder(str(a)) == 1  # "m2" shares the prefix "m" but is another folder
    paths = {t["path"] for t in w.store.all_tracks()}
    assert str(inner / "2.ogg") in paths and str(a / "1.ogg") not in paths
    assert not w.store.problems()
    assert w.library_folders() == [str(inner)]


class FakeTray:
    def __init__(self) -> None:
        self.close_to_tray = True

    def should_hide_on_close(self) -> bool:
        return self.close_to_tray


def test_close_to_tray_hides_and_quit_really_quits(build, qtbot):
    w = build(auto_tag=False)
    w.tray = FakeTray()
    w.show()
    qtbot.waitExposed(w)
    w.close()
    assert not w.isVisible()
    assert w.engine.backend is not None and not getattr(w, "quitting", False)
    assert w.store.get_state("saved_at")  # state saved even when only hidden
    w.show()
    w.quit_app()
    assert not w.isVisible() and w.quitting


def test_mpris_quit_really_quits_also_with_close_to_tray(build, qtbot, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from ui.mpris import Mpris

    w = build(auto_tag=False)
    w.tray = FakeTray()
    closed = []
    w.announcer = type("A", (), {"close": lambda self: closed.append(1)})()
    w.show()
    qtbot.waitExposed(w)
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: None))
    Mpris(w).quit()  # playerctl quit
    assert w.quitting and not w.isVisible() and closed == [1]  # a real quit: the last notification goes too


def test_welcome_on_first_run_only(build, qtbot):
    from PySide6.QtWidgets import QDialog

    from ui import desktop

    w = build(auto_tag=False)
    desktop.show_welcome(w)
    dialog = w.welcome
    assert dialog is not None and dialog.isVisible()
    assert not dialog.camera_checkbox.isChecked()
    dialog.camera_checkbox.setChecked(True)
    dialog.accept()
    assert st.load().first_run_done and st.load().camera_enabled
    assert w.camera_panel.is_running  # what was ticked there is applied at once
    w.settings = st.load()
    desktop.show_welcome(w)
    assert not [d for d in w.findChildren(QDialog, "welcomeDialog") if d.isVisible()]


def test_session_button_uses_the_settings_leave_time(build, monkeypatch):
    st.save(Settings(leave_timeout_s=42.0))
    started = []

    class FakeSession:
        def __init__(self, window, source, leave_timeout_s) -> None:
            started.append((source, leave_timeout_s))

        def start(self, full_screen: bool = True) -> None:
            pass

    monkeypatch.setattr("ui.session.HandsFreeSession", FakeSession)
    w = build(auto_tag=False, camera_source="/videos/face.mp4")
    w.session_button.click()
    assert started == [("/videos/face.mp4", 42.0)]
