"""Mood tagging through the malformed corpus (tests/bad_media.py) with the real audio model: no crash, no hang
(a per-file time limit), every failing file recorded as a problem with a reason, and never retried in a loop
(a later run leaves it alone unless the file changed). Both the background tagger and `main.py tag DIR`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emotion.tagger import Tagger, needs_tag, tag_key_for
from library.scanner import scan_folder
from library.store import Store
from tests.bad_media import make_corpus, restore_permissions

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_tag")
    made = make_corpus(folder)
    yield folder, made
    restore_permissions(folder)


@pytest.fixture(scope="module")
def model():
    from emotion.audio_model import AudioMoodModel, default_weights_path

    if not default_weights_path().is_file():
        pytest.skip("no shipped audio model weights")
    return AudioMoodModel.load(threads=1)


def check_outcome(store: Store, version: str) -> tuple[set[str], dict[str, str]]:
    """Every track is either tagged or recorded as a problem with a reason (and remembered as failed)."""
    problems = {p["path"]: p["reason"] for p in store.problems("tag")}
    tagged = set()
    for t in store.all_tracks():
        key = tag_key_for(t, version)
        if t.get("tag_key") == key:
            assert -1 <= t["valence"] <= 1 and -1 <= t["arousal"] <= 1 and t["quadrant"] in ("Q1", "Q2", "Q3", "Q4")
            assert t["path"] not in problems
            tagged.add(t["path"])
        else:
            assert t["path"] in problems, f"{t['path']!r} is neither tagged nor listed as a problem"
            assert problems[t["path"]].strip(), "a problem without a reason"
            assert t.get("tag_error_key") == key and t.get("tag_error") == problems[t["path"]]
            assert not needs_tag(t, version), "a failed file would be retried"
    return tagged, problems


def test_background_tagger_through_the_scanned_corpus(corpus, model, tmp_path):
    folder, made = corpus
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(folder))
    n = store.track_count()
    assert n >= 30
    finished = []
    tagger = Tagger(store, model=model, workers=2, batch_size=8, time_limit_s=15, on_finished=finished.append)
    t0 = time.monotonic()
    tagger.start()
    summary = tagger.join(timeout=300)
    wall = time.monotonic() - t0
    assert not tagger.is_running(), f"the tagger hung (still running after {wall:.0f} s)"
    assert summary is not None and finished == [summary] and summary.error is None
    assert summary.total == n and summary.tagged + summary.failed == n and summary.remaining == 0
    tagged, problems = check_outcome(store, model.version)
    assert len(tagged) == summary.tagged and len(problems) == summary.failed
    no_audio = str(folder / "video_no_audio.mp4")
    assert no_audio in problems and "audio" in problems[no_audio]
    # valid audio (absurd tags, odd and long names, the ten-hour file) is tagged
    for p in made["good"]:
        if p.name != "video_no_audio.mp4":
            assert str(p) in tagged, f"{p.name[:40]!r} is valid audio and must tag: {problems.get(str(p))}"
    # the scanner let some malformed files through (a valid header, garbage after it): the tagger refuses them
    assert any(os.path.basename(p).startswith(("garbage_body", "trunc_")) for p in problems)

    # a second run retries nothing; persisted across a reopen
    store.flush()
    store = Store(tmp_path / "db.json")
    again = Tagger(store, model=model).run()
    assert again.total == 0 and again.failed == 0 and again.tagged == 0
    # ... until a failed file changes: then it is tried once more (and fails once more)
    victim = next(Path(p) for p in problems if os.path.basename(p).startswith("garbage_body"))
    os.utime(victim, (time.time() + 5, time.time() + 5))
    scan_folder(store, str(folder))
    third = Tagger(store, model=model).run()
    assert third.total == 1 and third.failed == 1
    assert Tagger(store, model=model).run().total == 0


def test_tagger_on_every_corpus_entry_even_unscannable_ones(corpus, model, tmp_path):
    """Entries the scanner refuses (FIFO, folders, links into /proc, loops, dangling links, random bytes) put in the
    store directly: the tagger still gets through all of them within its per-file limit."""
    folder, _made = corpus
    store = Store(tmp_path / "db.json")
    rows = []
    for entry in os.scandir(folder):
        try:
            st = entry.stat(follow_symlinks=False)
            size, mtime = st.st_size, st.st_mtime
        except OSError:
            size, mtime = None, None
        rows.append({"path": entry.path, "title": "x", "artist": "", "album": "", "genre": "", "duration": 0.0,
                     "size": size, "mtime": mtime, "kind": "audio"})
    for extra in ("/proc/self/mem", "/dev/zero", "/dev/null", str(folder / "loop_dir" / "up" / "pipe.mp3")):
        rows.append({"path": extra, "title": "x", "size": 0, "mtime": 0.0, "kind": "audio"})
    store.upsert_tracks(rows)
    store.flush()
    n = store.track_count()
    assert n >= 210
    tagger = Tagger(store, model=model, workers=2, batch_size=32, time_limit_s=5)
    tagger.hang_grace_s = 5
    tagger.start()
    summary = tagger.join(timeout=400)
    assert not tagger.is_running(), "the tagger hung"
    assert summary is not None and summary.error is None
    assert summary.tagged + summary.failed == summary.total == n
    _tagged, problems = check_outcome(store, model.version)
    for name in ("pipe.mp3", "folder.mp3", "dangling.mp3", "proc_link", "loop_dir"):
        assert str(folder / name) in problems, name
    for extra in ("/proc/self/mem", "/dev/zero", "/dev/null"):
        assert extra in problems
    assert summary.failed >= 150
    assert Tagger(store, model=model).run().total == 0


def test_tag_command_through_the_corpus(corpus):
    """`python main.py tag DIR`: exits 0 with its JSON summary; the second run retries nothing."""
    folder, made = corpus
    cmd = [sys.executable, "main.py", "tag", str(folder), "--time-limit", "15", "--workers", "2", "--quiet"]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    first = json.loads(out.stdout)
    tag = first["tag"]
    assert tag["error"] is None and tag["remaining"] == 0
    assert tag["tagged"] + tag["failed"] == tag["total"] == first["scan"]["added"] > 30
    assert tag["failed"] >= 1 and first["problems"] == tag["failed"]
    assert first["tagged_total"] == tag["tagged"] >= len(made["good"]) - 1
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    second = json.loads(out.stdout)
    assert second["tag"]["total"] == 0 and second["tagged_total"] == tag["tagged"]
    assert second["problems"] == tag["failed"]
    db = Path(os.environ["MOODTAPE_DATA_DIR"]) / "moodtape.json"
    data = json.loads(db.read_text())
    reasons = [p["reason"] for p in data["problems"].values() if p["stage"] == "tag"]
    assert len(reasons) == tag["failed"] and all(r.strip() for r in reasons)


def test_a_hung_decode_does_not_keep_the_process_alive(tmp_path):
    """A decode that never returns is abandoned after the per-file limit, and the process still exits
    (a ThreadPoolExecutor would have joined the stuck thread at interpreter exit, forever)."""
    script = f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from library.store import Store
from emotion.tagger import Tagger
s = Store({str(tmp_path / 'db.json')!r})
s.upsert_tracks([{{"path": "/x/stuck.ogg", "size": 1, "mtime": 1.0}},
                 {{"path": "/x/fine.ogg", "size": 1, "mtime": 1.0}}])
class Model:
    version = "hang"
    def predict_file(self, path, time_limit_s=30.0):
        if "stuck" in path:
            time.sleep(10_000)
        return {{"valence": 0.1, "arousal": 0.1, "quadrant": "Q1", "moods": {{}}, "model_version": "hang"}}
t = Tagger(s, model=Model(), workers=1, time_limit_s=0.3)
t.hang_grace_s = 0.3
r = t.run()
print(r.tagged, r.failed, flush=True)
"""
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["1", "1"]
    assert time.monotonic() - t0 < 60
    reasons = [p["reason"] for p in Store(tmp_path / "db.json").problems("tag")]
    assert len(reasons) == 1 and "timed out" in reasons[0]
