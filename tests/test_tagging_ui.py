"""Background tagging in the window: progress and results reach the GUI thread, mood columns fill in live."""

from PySide6.QtCore import Qt

from library.scanner import scan_folder
from library.store import Store
from player.backend import NullBackend
from player.engine import PlayerEngine
from ui.main_window import MainWindow


class FakeModel:
    """Stands in for the audio model: reads loudness from the file size, slowly enough to see progress."""

    version = "fake-1"

    def predict_file(self, path, time_limit_s=30.0):
        import os
        import time

        time.sleep(0.05)
        v = (os.path.getsize(path) % 200) / 100.0 - 1.0
        return {"valence": v, "arousal": -v, "quadrant": "Q4" if v >= 0 else "Q2", "moods": {"calm": 0.5},
                "model_version": self.version}


def test_tagging_progress_reaches_gui(qtbot, media_dir, tmp_path):
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(media_dir))
    w = MainWindow(store, PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    w.show()
    w.tagging.model_factory = FakeModel
    progress = []
    w.tagging.progress.connect(lambda d, t, r: progress.append((d, t)))
    with qtbot.waitSignal(w.tagging.finished, timeout=30000):
        w.start_tagging()
        assert w.tag_bar.isVisible()
    assert progress and progress[-1][0] == progress[-1][1] == w.library.rowCount()
    # each result is a queued call into the GUI thread; the blocker above may wake before the last one is handled
    qtbot.waitUntil(lambda: all(t.get("quadrant") for t in w.library.rows()), timeout=5000)
    col = [w.library.headerData(c, Qt.Orientation.Horizontal) for c in range(w.library.columnCount())].index("Mood")
    assert w.library.index(0, col).data().startswith(("Q2", "Q4"))
    assert not w.tag_bar.isVisible()
    assert "mood-tagged" in w.count_label.text()
    # a second run finds nothing to do (cached by file identity and model version)
    with qtbot.waitSignal(w.tagging.finished, timeout=30000) as blocker:
        w.start_tagging()
    assert blocker.args[0].total == 0


def test_each_row_fills_in_before_its_batch_is_written(qtbot, media_dir, tmp_path):
    """The mood columns fill in per track; the store is written in batches, and the planner re-reads per batch."""
    import threading

    store = Store(tmp_path / "db.json")
    scan_folder(store, str(media_dir))
    w = MainWindow(store, PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    assert w.library.rowCount() >= 3
    gate = threading.Event()

    class HeldModel(FakeModel):
        """Tags the first track at once, then waits for the test."""

        calls = 0

        def predict_file(self, path, time_limit_s=30.0):
            HeldModel.calls += 1
            if HeldModel.calls > 1:
                gate.wait(20)
            return super().predict_file(path, time_limit_s)

    w.tagging.model_factory = HeldModel
    batches = []
    w.library_changed.connect(lambda: batches.append(1))
    try:
        w.start_tagging()
        qtbot.waitUntil(lambda: any(t.get("quadrant") for t in w.library.rows()), timeout=10000)
        first = next(t for t in w.library.rows() if t.get("quadrant"))
        assert sum(1 for t in w.library.rows() if t.get("quadrant")) == 1
        assert "1 mood-tagged" in w.count_label.text()
        assert store.get_track(first["path"]).get("quadrant") is None, "not yet in the store: the batch is open"
        assert not batches, "the planner waits for the batch"
    finally:
        gate.set()
    qtbot.waitUntil(w.tag_bar.isHidden, timeout=30000)  # _on_tag_finished hid it: the run is over
    assert store.get_track(first["path"])["quadrant"] == first["quadrant"]
    assert all(t.get("quadrant") for t in w.library.rows()) and batches


def test_tagging_pause_resume_cancel(qtbot, media_dir, tmp_path):
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(media_dir))
    w = MainWindow(store, PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    w.tagging.model_factory = FakeModel
    w.start_tagging()
    w._toggle_tag_pause()
    assert w.tag_pause.text() == "Resume"
    w._toggle_tag_pause()
    with qtbot.waitSignal(w.tagging.finished, timeout=30000):
        w.tagging.cancel()
    assert w.tagging.tagger.cancelled


def test_missing_model_turns_tagging_off_with_a_message(qtbot, media_dir, tmp_path):
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(media_dir))
    w = MainWindow(store, PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    w.show()

    def broken_model():
        raise FileNotFoundError("audio model weights not found: /nowhere/audio_mood.pt")

    w.tagging.model_factory = None
    messages = []
    w.statusBar().messageChanged.connect(messages.append)
    import emotion.audio_model as am

    real = am.AudioMoodModel.load
    am.AudioMoodModel.load = classmethod(lambda cls, *a, **k: broken_model())
    try:
        with qtbot.waitSignal(w.tagging.finished, timeout=10000):
            w.start_tagging()
    finally:
        am.AudioMoodModel.load = real
    assert not w.tag_bar.isVisible()
    assert any("Mood tagging is off" in m and "not found" in m for m in messages)
    assert not w.tagging.running


def test_later_runs_reuse_the_loaded_model(qtbot, media_dir, tmp_path, monkeypatch):
    """Each rescan starts a tagging run; the audio model is loaded by the first one only."""
    import shutil

    from emotion import audio_model

    loads = []

    def fake_load(cls, path=None, threads=None):
        loads.append(path)
        return FakeModel()

    monkeypatch.setattr(audio_model.AudioMoodModel, "load", classmethod(fake_load))
    lib = tmp_path / "lib"
    lib.mkdir()
    for p in media_dir.iterdir():
        if p.suffix in (".ogg", ".mp3", ".flac") and p.is_file() and not p.is_symlink():
            shutil.copyfile(p, lib / p.name)
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(lib))
    w = MainWindow(store, PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.tagging.finished, timeout=30000):
        w.start_tagging()
    first = w.tagging.tagger.model
    ogg = next(p for p in lib.iterdir() if p.suffix == ".ogg")
    shutil.copyfile(ogg, lib / "new.ogg")
    scan_folder(store, str(lib))
    with qtbot.waitSignal(w.tagging.finished, timeout=30000) as blocker:
        w.start_tagging()
    assert blocker.args[0].total == 1 and blocker.args[0].tagged == 1
    assert len(loads) == 1 and w.tagging.tagger.model is first
