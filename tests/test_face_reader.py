"""Face reader: model port, crop pipeline, reader thread on generated videos, smoothing, presence, eval, training."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from emotion.face_reader import FaceReader, MoodSmoother, PresenceTracker, make_test_video, observation_from_probs
from emotion.mood_space import FACE_CLASSES, Observation

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg needed for test videos")

FACES = Path(os.environ.get("MOODTAPE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")) / "faces"


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("videos")
    return {"face": make_test_video(d / "face.mp4", "face", seconds=3, fps=15),
            "noise": make_test_video(d / "noise.mp4", "noise", seconds=2, fps=15)}


def obs(cat: str, conf: float, t: float, p: float = 0.9) -> Observation:
    probs = np.full(len(FACE_CLASSES), (1 - p) / (len(FACE_CLASSES) - 1))
    probs[FACE_CLASSES.index(cat)] = p
    o = observation_from_probs(probs, 1.0, now=t)
    return Observation("face", o.valence, o.arousal, conf, o.category, t, o.probabilities)


# ------------------------------------------------------------------------------------ plain logic

def test_smoother_is_confidence_weighted_and_forgets() -> None:
    s = MoodSmoother(window_s=4.0, half_life_s=1e9, expected_rate_hz=1.0)
    s.add(obs("happy", 0.9, 100.0))
    out = s.add(obs("sad", 0.1, 100.5))
    assert out is not None and out.category == "happy"
    expect = (0.9 * 0.9 + 0.1 * (0.1 / 6)) / (0.9 + 0.1)
    assert out.probabilities["happy"] == pytest.approx(expect, rel=1e-6)
    assert out.valence > 0 and out.source == "face"
    # many confident sad readings take over; after the window the happy one is forgotten
    for k in range(5):
        out = s.add(obs("sad", 0.8, 101.0 + k * 0.5))
    assert out.category == "sad"
    late = s.current(110.0)
    assert late is None and len(s) == 0


def test_smoother_decay_favours_recent() -> None:
    s = MoodSmoother(window_s=10.0, half_life_s=0.5)
    s.add(obs("angry", 0.8, 0.0))
    out = s.add(obs("happy", 0.8, 3.0))
    assert out.category == "happy" and out.probabilities["happy"] > 0.85


def test_presence_tracker() -> None:
    p = PresenceTracker(timeout_s=2.0)
    assert p.update(False, 0.0) is None and p.present is None
    assert p.update(False, 1.9) is None
    assert p.update(False, 2.1) is False  # never seen for 2 s
    assert p.update(True, 3.0) is True
    assert p.update(True, 3.5) is None
    assert p.update(False, 4.0) is None
    assert p.update(False, 5.4) is None
    assert p.update(False, 5.6) is False
    assert p.update(False, 9.0) is None  # reported once
    assert p.update(True, 9.1) is True


# ------------------------------------------------------------------------------------ model / crop

def test_port_pads_like_tf_and_reads_a_smile(videos: dict[str, Path]) -> None:
    import cv2

    from emotion.face_detect import FaceDetector, crop_face, to_grey
    from emotion.face_model import _same_pad, load_model, predict_proba

    assert _same_pad(60, 3, 2) == (0, 1) and _same_pad(15, 3, 2) == (1, 1) and _same_pad(15, 1, 2) == (0, 0)
    cap = cv2.VideoCapture(str(videos["face"]))
    ok, frame = cap.read()
    cap.release()
    assert ok
    det = FaceDetector()
    box = det.largest(frame)
    det.close()
    assert box is not None and 60 < box.w < 300
    crop = crop_face(to_grey(frame), box, 64)
    for fer_only in (True, False):
        p = predict_proba(load_model(fer_only=fer_only), crop)[0]
        assert p.sum() == pytest.approx(1.0, abs=1e-4)
        assert FACE_CLASSES[int(np.argmax(p))] == "happy"  # the astronaut smiles


# ------------------------------------------------------------------------------------ reader thread

def run_reader(source: int | str, seconds: float, until=None, **kw) -> dict:
    got: dict = {"obs": [], "presence": [], "errors": [], "frames": []}
    reader = FaceReader(source, fps=15, on_observation=got["obs"].append, on_presence=got["presence"].append,
                        on_error=got["errors"].append, on_frame=got["frames"].append, **kw)
    reader.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end and reader.is_running and not (until and until(got)):
        time.sleep(0.05)
    reader.stop()
    got["reader"] = reader
    return got


def test_reader_on_face_video(videos: dict[str, Path]) -> None:
    got = run_reader(str(videos["face"]), 30, until=lambda g: len(g["obs"]) >= 5, presence_timeout_s=1.0)
    assert not got["errors"]
    assert len(got["obs"]) >= 5
    o = got["obs"][-1]
    assert o.source == "face" and o.category in FACE_CLASSES and 0 < o.confidence <= 1
    assert sum(o.probabilities.values()) == pytest.approx(1.0, abs=1e-3)
    assert -1 <= o.valence <= 1 and -1 <= o.arousal <= 1
    assert got["presence"] and got["presence"][0] is True
    boxed = [f for f in got["frames"] if f.box is not None]
    assert boxed and boxed[-1].image.ndim == 3 and boxed[-1].image.shape[1] <= 320
    assert not got["reader"].is_running


def test_reader_no_face_gives_presence_false(videos: dict[str, Path]) -> None:
    got = run_reader(str(videos["noise"]), 20, until=lambda g: False in g["presence"], presence_timeout_s=0.5)
    assert got["presence"] == [False]
    assert got["obs"] == [] and not got["errors"]
    assert got["reader"].stats.processed > 0


def test_missing_camera_is_reported() -> None:
    got = run_reader("/nonexistent/camera.mp4", 5)
    assert len(got["errors"]) == 1 and "not found" in got["errors"][0]
    got = run_reader(97, 5)  # no such device index
    assert len(got["errors"]) == 1 and "camera" in got["errors"][0].lower()
    assert not got["reader"].is_running


def test_camera_lost_mid_session(videos: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import cv2

    class Flaky:
        """A 'device' that delivers a few frames, then none."""

        def __init__(self) -> None:
            self.cap = cv2.VideoCapture(str(videos["face"]))
            self.n = 0

        def read(self):
            self.n += 1
            time.sleep(1 / 30)
            return self.cap.read() if self.n <= 8 else (False, None)

        def release(self) -> None:
            self.cap.release()

    monkeypatch.setattr(FaceReader, "_open", lambda self: (Flaky(), None))
    got = run_reader(0, 20)
    assert len(got["errors"]) == 1 and "lost" in got["errors"][0]
    assert not got["reader"].is_running


def test_reader_writes_no_files(videos: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    data = Path(os.environ.get("MOODTAPE_DATA_DIR", tmp_path / "data"))
    data.mkdir(parents=True, exist_ok=True)

    def listing() -> set[str]:
        out = set()
        for root in (Path(tempfile.gettempdir()), data):
            for p in root.rglob("*"):
                st = p.stat()
                out.add(f"{p}:{st.st_size}:{st.st_mtime_ns}")
        return out

    assert Path(tempfile.gettempdir()) == tmp
    before = listing()
    got = run_reader(str(videos["face"]), 20, until=lambda g: len(g["obs"]) >= 3)
    assert len(got["obs"]) >= 3
    assert listing() == before


# ------------------------------------------------------------------------------------ eval + training

@pytest.mark.skipif(not (FACES / "labels.csv").exists(), reason="shared face data not available")
def test_eval_face_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import cv2

    from emotion.face_eval import main

    with open(FACES / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    pick = [next(r for r in rows if r["emotion"] == c) for c in ("happiness", "surprise", "anger", "contempt")]
    imgs = tmp_path / "imgs"
    imgs.mkdir()
    for r in pick:
        shutil.copy(FACES / "images" / r["image"], imgs / r["image"])
    cv2.imwrite(str(imgs / "blank.jpg"), np.full((350, 350), 128, np.uint8))
    labels = tmp_path / "labels.csv"
    with open(labels, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["image", "emotion"])
        for r in pick:
            w.writerow([r["image"], r["emotion"]])
        w.writerow(["blank.jpg", "neutral"])
    assert main(["--images", str(imgs), "--labels", str(labels), "--threads", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n"] == 4 and out["skipped"] == 1 and out["no_face"] >= 1
    assert set(out["per_class_recall"]) == {"happy", "surprise", "angry", "neutral"}
    assert 0 <= out["accuracy"] <= 1 and 0 <= out["macro_f1"] <= 1


@pytest.mark.skipif(not (FACES / "labels.csv").exists(), reason="shared face data not available")
def test_train_face_tiny(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from emotion.face_model import load_model
    from emotion.train_face import main

    assert main(["--tiny", "--threads", "1", "--folds", "2", "--out", str(tmp_path), "--cache",
                 str(tmp_path / "cache")]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["n_train"] > 0 and 0 <= out["validation"]["accuracy"] <= 1
    assert (tmp_path / "face_expression.pt").exists()
    card = (tmp_path / "face_expression.md").read_text()
    assert "GroupKFold by person" in card and "--tiny" in card
    model = load_model(tmp_path / "face_expression.pt")
    assert sum(p.numel() for p in model.parameters()) > 50_000


def test_person_grouping() -> None:
    from emotion.train_face import person_of

    assert person_of("George_W_Bush_0012.jpg") == "George_W_Bush"
    assert person_of("Dwarakish_103.jpg") == "Dwarakish"
    assert person_of("facial-expression.jpg") == "facial-expression.jpg"


def test_reader_threads_end(videos: dict[str, Path]) -> None:
    n0 = threading.active_count()
    got = run_reader(str(videos["face"]), 10, until=lambda g: len(g["obs"]) >= 1)
    assert got["reader"].wait(5)
    time.sleep(0.2)
    assert threading.active_count() <= n0 + 1  # mediapipe may keep one helper
