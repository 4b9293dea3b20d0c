"""A missing or damaged model file: that reader (music, face, journal) is off with a clear message; the app goes on.

The models are copied to a temp dir named by $MOODTAPE_MODELS_DIR (library.paths.models_dir()), then one file is
removed, replaced by garbage or cut short. Every loader must look there (not at resources/models directly)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from library.paths import models_dir
from library.store import Store

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "resources" / "models"


@pytest.fixture
def models(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "models"
    shutil.copytree(SHIPPED, d)
    monkeypatch.setenv("MOODTAPE_MODELS_DIR", str(d))
    monkeypatch.delenv("MOODTAPE_FACE_MODEL", raising=False)
    return d


@pytest.fixture(scope="module")
def face_video(tmp_path_factory) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg needed for the test video")
    from emotion.face_reader import make_test_video

    return make_test_video(tmp_path_factory.mktemp("video") / "face.mp4", "face", seconds=2, fps=10)


def audio_weights() -> Path:
    from emotion.audio_model import default_weights_path

    return default_weights_path()


def damage(path: Path, how: str) -> None:
    if how == "missing":
        path.unlink()
    elif how == "garbage":
        path.write_bytes(os.urandom(4096))
    else:  # truncated
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])


def test_every_loader_looks_in_models_dir(models):
    from emotion.face_model import default_model_path
    from emotion.text_model import default_weights_dir

    assert models_dir() == models
    assert default_model_path().parent == models
    assert default_weights_dir() == models
    assert audio_weights().parent == models


@pytest.mark.parametrize("how", ["missing", "garbage", "truncated"])
def test_face_model_damaged_turns_the_face_reader_off(models, face_video, how):
    from emotion.face_model import MODEL_FILE, load_model
    from emotion.face_reader import FaceReader

    damage(models / MODEL_FILE, how)
    with pytest.raises((FileNotFoundError, RuntimeError), match="face model file") as info:
        load_model()
    assert str(models / MODEL_FILE) in str(info.value)
    errors, observations = [], []
    reader = FaceReader(str(face_video), fps=10, on_error=errors.append, on_observation=observations.append)
    reader.start()
    assert reader.wait(30), "the reader did not stop"
    assert len(errors) == 1 and "face model file" in errors[0] and MODEL_FILE in errors[0]
    assert not observations and not reader.is_running


@pytest.mark.parametrize("name,how", [("text_heads.safetensors", "missing"), ("text_heads.safetensors", "garbage"),
                                      ("text_heads.json", "missing"), ("text_heads.json", "garbage"),
                                      ("text_heads.safetensors", "truncated")])
def test_text_model_damaged_turns_the_journal_reader_off(models, name, how):
    from emotion.text_model import JournalReader

    damage(models / name, how)
    reader = JournalReader()
    r = reader.read("What a wonderful day, I feel so happy and loved.")
    assert not r.ok and r.message.startswith("The journal reader is off") and str(models) in r.message
    assert reader.unavailable == r.message
    t0 = time.perf_counter()
    again = reader.read("Another entry.")
    assert not again.ok and again.message == r.message
    assert time.perf_counter() - t0 < 0.5, "the reader tried to load again"


@pytest.mark.parametrize("how", ["missing", "garbage"])
def test_audio_model_damaged_turns_tagging_off(models, media_dir, how):
    if not audio_weights().is_file():
        pytest.skip("no shipped audio model weights")
    damage(audio_weights(), how)
    cmd = [sys.executable, "main.py", "tag", str(media_dir), "--quiet"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stderr[-2000:]
    summary = json.loads(out.stdout)
    assert "audio model" in summary["error"] and summary["tag"] is None
    assert summary["scan"]["added"] > 0, "the scan still ran"
    assert "mood tagging is off" in out.stderr and "Traceback" not in out.stderr

    from emotion.tagger import Tagger

    store = Store(Path(os.environ["MOODTAPE_DATA_DIR"]) / "moodtape.json")
    tagger = Tagger(store)
    tagger.start()
    summary = tagger.join(60)
    assert summary is not None and summary.error.startswith("ModelUnavailable: the audio model could not load")
    assert not any(t.get("tag_key") for t in store.all_tracks())


@pytest.mark.parametrize("how", ["missing", "garbage"])
def test_app_comes_up_with_every_model_broken_and_says_so(models, media_dir, face_video, qtbot, tmp_path, how):
    """build_window(mood=True) with all three model files broken: the window shows, each reader says it is off
    (in its dock and in the status bar), and playback and the mood map still work."""
    from emotion.face_model import MODEL_FILE
    from player.backend import NullBackend
    from ui.app import build_window

    for path in (models / MODEL_FILE, models / "text_heads.safetensors", audio_weights()):
        if path.exists():
            damage(path, how)
    store = Store(tmp_path / "db.json")
    w = build_window(store, backend=NullBackend(), auto_tag=True, camera_source=str(face_video), mood=True)
    qtbot.addWidget(w)
    w.mood._retriever_factory = lambda: None  # no track retrieval (it would load MiniLM for nothing here)
    messages: list[str] = []
    w.statusBar().messageChanged.connect(lambda m: messages.append(m) if m else None)
    w.show()
    assert w.isVisible() and hasattr(w, "journal_pane") and hasattr(w, "camera_panel")

    # music: the library scans, tagging says it is off
    with qtbot.waitSignal(w.tagging.finished, timeout=60000) as blocker:
        w.add_folder(str(media_dir))
    assert blocker.args[0].error and w.library.rowCount() > 0
    assert any(m.startswith("Mood tagging is off") and "audio model" in m for m in messages), messages

    # journal: the entry is saved, the reading says the reader is off
    pane = w.journal_pane
    with qtbot.waitSignal(pane.reader_off, timeout=30000):
        pane.editor.setPlainText("A calm and happy evening.")
        entry = pane.save()
    assert entry is not None and pane.journal.get(entry)["text"] == "A calm and happy evening."
    qtbot.waitUntil(lambda: "journal reader is off" in pane.reading_view.text(), timeout=10000)
    assert any(m.startswith("The journal reader is off") for m in messages), messages

    # camera: started on the video, it stops at once with the reason
    panel = w.camera_panel
    with qtbot.waitSignal(panel.error, timeout=30000):
        panel.start()
    assert "face model file" in panel.error_label.text() and not panel.error_label.isHidden()
    qtbot.waitUntil(lambda: not panel.is_running, timeout=10000)
    assert not panel.button.isChecked()
    assert any("face model file" in m for m in messages), messages

    # the rest goes on: playback, the mood map, the planner
    w.engine.play_path(w.library.rows()[0]["path"])
    qtbot.waitUntil(lambda: w.engine.state == "playing", timeout=5000)
    w.mood.set_user_mood(0.5, -0.5)
    assert w.mood.engine.mood().confidence > 0
    w.mood.shutdown()


def test_self_test_names_the_broken_models(models):
    from emotion.face_model import MODEL_FILE

    damage(models / MODEL_FILE, "missing")
    damage(models / "text_heads.json", "garbage")
    out = subprocess.run([sys.executable, "main.py", "--self-test", "face-model", "text-model"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert any(line.startswith("FAIL  face-model") and "face model file missing" in line for line in lines), lines
    assert any(line.startswith("FAIL  text-model") and "journal reader is off" in line for line in lines), lines
