"""Camera panel and hands-free session view (offscreen Qt, pytest-qt)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from emotion.face_reader import FramePreview, make_test_video, observation_from_probs
from emotion.mood_space import FACE_CLASSES

pytest.importorskip("pytestqt")


class FakeReader:
    """Stands in for FaceReader: calls the callbacks from its own thread, like the real one."""

    instances: list[FakeReader] = []

    def __init__(self, **kw) -> None:
        self.kw = kw
        self.running = False
        FakeReader.instances.append(self)

    @property
    def is_running(self) -> bool:
        return self.running

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False

    def emit_from_thread(self, name: str, *args) -> None:
        t = threading.Thread(target=lambda: self.kw[name](*args))
        t.start()
        t.join()


def probs_for(cat: str) -> np.ndarray:
    p = np.full(len(FACE_CLASSES), 0.05)
    p[FACE_CLASSES.index(cat)] = 0.7
    return p


def test_panel_shows_bars_mood_and_indicator(qtbot) -> None:
    from ui.camera_panel import CameraPanel

    panel = CameraPanel(source=0, reader_factory=FakeReader)
    qtbot.addWidget(panel)
    panel.show()
    assert "off" in panel.indicator.text().lower()
    panel.start()
    reader = FakeReader.instances[-1]
    assert reader.running and "on" in panel.indicator.text().lower()
    assert panel.button.text() == "Stop camera"

    obs = observation_from_probs(probs_for("sad"), 0.9)
    with qtbot.waitSignal(panel.observation, timeout=3000) as sig:
        reader.emit_from_thread("on_observation", obs)
    assert sig.args[0] is obs
    assert panel.bars["sad"].value() == 70 and panel.bars["happy"].value() == 5
    assert "sad" in panel.mood_label.text()

    frame = FramePreview(np.zeros((240, 320, 3), np.uint8), (100, 60, 80, 90), obs)
    reader.emit_from_thread("on_frame", frame)
    qtbot.waitUntil(lambda: panel.preview.pixmap() is not None and not panel.preview.pixmap().isNull(),
                    timeout=3000)
    panel.preview_box.setChecked(False)
    assert panel.preview.isHidden()

    with qtbot.waitSignal(panel.presence_changed, timeout=3000) as sig:
        reader.emit_from_thread("on_presence", False)
    assert sig.args == [False]

    reader.emit_from_thread("on_error", "The camera was lost (disconnected?); the face reader stopped.")
    qtbot.waitUntil(lambda: not panel.error_label.isHidden(), timeout=3000)
    assert "lost" in panel.error_label.text()
    assert not reader.running and "off" in panel.indicator.text().lower()
    assert panel.button.text() == "Start camera" and not panel.button.isChecked()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg needed")
def test_panel_with_real_reader_on_video(qtbot, tmp_path: Path) -> None:
    from ui.camera_panel import CameraPanel

    video = make_test_video(tmp_path / "face.mp4", "face", seconds=3, fps=15)
    panel = CameraPanel(source=str(video))
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.observation, timeout=30000):
        panel.start()
    assert sum(bar.value() for bar in panel.bars.values()) > 50
    assert panel.last_observation is not None and panel.last_observation.source == "face"
    panel.stop()
    assert not panel.is_running and "off" in panel.indicator.text().lower()


def test_panel_missing_camera_shows_error(qtbot) -> None:
    from ui.camera_panel import CameraPanel

    panel = CameraPanel(source="/nonexistent/cam.mp4")
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.error, timeout=10000):
        panel.start()
    assert "not found" in panel.error_label.text() and not panel.is_running


def test_session_view_presence_and_slots(qtbot) -> None:
    from ui.camera_panel import CameraPanel
    from ui.session_view import SessionView

    panel = CameraPanel(source=0, reader_factory=FakeReader)
    view = SessionView(camera_panel=panel, leave_timeout_s=0.2)
    qtbot.addWidget(view)
    view.start_session(full_screen=False)
    assert "on" in view.camera_state.text().lower()
    view.set_now_playing("Blue in Green", "Miles Davis")
    view.set_up_next(["So What", "Flamenco Sketches"])
    view.set_mood(0.5, -0.4, "calm")
    assert view.title_label.text() == "Blue in Green" and view.up_next.count() == 2
    assert "calm" in view.mood_label.text()

    reader = FakeReader.instances[-1]
    with qtbot.waitSignal(view.listener_left, timeout=3000):
        reader.emit_from_thread("on_presence", False)
    assert view.listener_away
    with qtbot.waitSignal(view.listener_returned, timeout=3000):
        reader.emit_from_thread("on_presence", True)
    assert not view.listener_away
    # a short absence (shorter than the timeout) does not count as leaving
    with qtbot.assertNotEmitted(view.listener_left, wait=100):
        view.on_presence(False)
        view.on_presence(True)
    with qtbot.waitSignal(view.observation, timeout=3000):
        reader.emit_from_thread("on_observation", observation_from_probs(probs_for("happy")))
    assert "happy" in view.mood_label.text()
    view.stop_session()
    assert not reader.running
