import os
import shutil
import time

from library.scanner import scan_folder
from library.store import Store
from tests.media import make_library


def test_scan_counts_tags_and_problems(tmp_path):
    lib = tmp_path / "lib"
    made = make_library(lib)
    store = Store(tmp_path / "db.json")
    batches = []
    res = scan_folder(store, str(lib), on_batch=lambda b, d, t: batches.append((len(b), d, t)), batch_size=3)
    tracks = {os.path.basename(t["path"]): t for t in store.all_tracks()}
    # 5 tagged audio files + the video + two good copies among the broken ones (odd name, locked)
    assert {"song_a.mp3", "song_b.flac", "song_c.ogg", "song_d.wav", "song_e.m4a", "clip.mp4"} <= set(tracks)
    assert tracks["song_a.mp3"]["title"] == "Morning Run" and tracks["song_a.mp3"]["artist"] == "The Testers"
    assert tracks["song_b.flac"]["genre"] == "Ambient"
    assert tracks["song_d.wav"]["album"] == "Raw"
    assert tracks["song_e.m4a"]["album"] == "B-sides"
    assert tracks["clip.mp4"]["kind"] == "video"
    assert 1.5 < tracks["song_c.ogg"]["duration"] < 2.5
    reasons = {os.path.basename(p): r for p, r in res.problems}
    assert "empty" in reasons["zero.mp3"]
    assert {"truncated.flac", "noise.ogg", "text_pretending.wav"} <= set(reasons)
    if os.geteuid() != 0:  # root reads anything
        assert "permission" in reasons["locked.mp3"]
    assert len(store.problems("scan")) == len(res.problems)
    assert res.added == len(tracks)
    assert len(batches) >= 2 and batches[-1][1] == batches[-1][2], "progress arrives in batches"
    odd = [t for t in tracks.values() if "latin1" in t["path"]]
    assert odd and odd[0]["title"] == "Morning Run", "a non-UTF-8 file name scans fine"
    for p in made["broken"]:
        if os.path.exists(p):
            os.chmod(p, 0o644)


def test_incremental_rescan(tmp_path):
    lib = tmp_path / "lib"
    make_library(lib)
    shutil.rmtree(lib / "broken")
    store = Store(tmp_path / "db.json")
    first = scan_folder(store, str(lib))
    assert first.added == 6 and first.unchanged == 0
    again = scan_folder(store, str(lib))
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 6)
    # touch one, delete one, add one
    later = time.time() + 5
    os.utime(lib / "song_a.mp3", (later, later))
    (lib / "song_b.flac").unlink()
    shutil.copy(lib / "song_c.ogg", lib / "sub" / "copy.ogg")
    third = scan_folder(store, str(lib))
    assert (third.added, third.updated, third.removed, third.unchanged) == (1, 1, 1, 4)
    paths = {os.path.basename(t["path"]) for t in store.all_tracks()}
    assert "song_b.flac" not in paths and "copy.ogg" in paths


def test_symlink_loop_and_proc_link_do_not_hang(tmp_path):
    lib = tmp_path / "lib"
    (lib / "a" / "b").mkdir(parents=True)
    os.symlink(lib, lib / "a" / "b" / "loop")
    os.symlink("/proc", lib / "proc_link")
    store = Store(tmp_path / "db.json")
    t = time.perf_counter()
    res = scan_folder(store, str(lib))
    assert time.perf_counter() - t < 5
    assert res.seen == 0


def test_missing_folder_is_a_problem_not_a_crash(tmp_path):
    store = Store(tmp_path / "db.json")
    res = scan_folder(store, str(tmp_path / "nope"))
    assert res.problems and "not found" in res.problems[0][1]


def test_scan_cli_prints_summary(tmp_path):
    import json
    import subprocess
    import sys

    lib = tmp_path / "lib"
    make_library(lib)
    out = subprocess.run([sys.executable, "main.py", "scan", str(lib)], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.dirname(__file__)), env=os.environ, timeout=120)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert summary["files"] >= 8 and summary["problems"] >= 4 and summary["seconds"] >= 0
    assert "problem:" in out.stderr
