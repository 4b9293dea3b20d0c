"""Camera lost mid-session in the running app: the face reader stops with a message (camera dock and status bar),
and the queue keeps following the other signals (a journal entry after the camera ended still re-plans)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from emotion.face_reader import FaceReader, make_test_video
from emotion.mood_space import Observation
from library.store import Store
from player.backend import NullBackend
from player.engine import PlayerEngine
from tests.test_app_mood import tagged_library
from ui.main_window import MainWindow
from ui.mood_docks import install_mood_features
from ui.workers import SyncPool, set_pool

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg needed for the camera video")


@pytest.fixture(scope="module")
def face_video(tmp_path_factory) -> Path:
    return make_test_video(tmp_path_factory.mktemp("cam") / "face.mp4", "face", seconds=2, fps=15)


class JournalReading:
    """What the journal reader returns for an entry (only the parts the app uses)."""

    ok = True

    def __init__(self, valence: float, arousal: float) -> None:
        self.valence, self.arousal = valence, arousal

    def to_observation(self) -> Observation:
        return Observation("journal", self.valence, self.arousal, 0.95, "joy" if self.valence > 0 else "sadness",
                           time.time())


def plan_valence(window) -> float:
    lib = {t["path"]: t for t in window.library.rows()}
    vals = [lib[i.path]["valence"] for i in window.engine.queue.items if not i.pinned]
    assert vals, "no plan"
    return sum(vals) / len(vals)


@pytest.mark.parametrize("how", ["video_ends", "device_lost"])
def test_camera_lost_reader_stops_and_queue_follows_the_journal(qtbot, tmp_path, face_video, monkeypatch, how):
    import cv2

    set_pool(SyncPool())
    store = Store(tmp_path / "db.json")
    store.upsert_tracks(tagged_library())
    w = MainWindow(store, PlayerEngine(NullBackend(length_ms=200_000)), auto_tag=False)
    qtbot.addWidget(w)
    controller = install_mood_features(w, camera_source=str(face_video), journal=False,
                                       retriever_factory=lambda: None)
    w.show()
    messages: list[str] = []
    w.statusBar().messageChanged.connect(lambda m: messages.append(m) if m else None)
    panel = w.camera_panel
    faces: list[Observation] = []
    panel.observation.connect(faces.append)
    if how == "video_ends":  # the real reader on a 2 s video that does not loop: it ends
        panel._reader_factory = lambda **kw: FaceReader(loop=False, **kw)
    else:  # a "device" that delivers frames for a while, then none (unplugged)

        class Unplugged:
            def __init__(self) -> None:
                self.cap = cv2.VideoCapture(str(face_video))
                self.n = 0

            def read(self):
                self.n += 1
                time.sleep(1 / 15)
                return self.cap.read() if self.n <= 25 else (False, None)

            def release(self) -> None:
                self.cap.release()

        monkeypatch.setattr(FaceReader, "_open", lambda self: (Unplugged(), None))
    try:
        with qtbot.waitSignal(panel.error, timeout=60000) as blocker:
            panel.start()
            assert panel.is_running
        reason = blocker.args[0]
        assert ("ended" if how == "video_ends" else "lost") in reason
        assert faces, "the camera gave observations before it was lost"
        assert reason in panel.error_label.text() and not panel.error_label.isHidden()
        assert not panel.is_running and not panel.button.isChecked()
        assert reason in messages, messages  # the status bar says it too
        assert "Camera off" in panel.indicator.text()

        # the mood engine goes on with the other signals: a journal entry after the camera ended re-plans
        before_replans = controller.replans
        face_v = controller.engine.mood().valence
        target_v = -0.8 if face_v > 0 else 0.8
        controller.engine.replan("baseline")
        before_plan = plan_valence(w)
        controller.journal_reading("an entry", JournalReading(target_v, -0.3))
        qtbot.waitUntil(lambda: controller.replans > before_replans + 1, timeout=5000)
        after_plan = plan_valence(w)
        mood_v = controller.engine.mood().valence
        if target_v > 0:
            assert mood_v > face_v and after_plan > before_plan, (face_v, mood_v, before_plan, after_plan)
        else:
            assert mood_v < face_v and after_plan < before_plan, (face_v, mood_v, before_plan, after_plan)
        # and the map still drives it too
        controller.set_user_mood(0.7, 0.6)
        assert plan_valence(w) > 0.3
        # the camera can be started again after it was lost
        panel.start()
        assert panel.is_running
        panel.stop()
        assert not panel.is_running
    finally:
        panel.stop()
        controller.shutdown()
        set_pool(None)
