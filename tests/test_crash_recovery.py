"""kill -9 in the middle of a scan and of tagging: the store opens, committed batches are kept, the work resumes."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from library.store import Store
from tests.media import encode, tone, write_wav

ROOT = Path(__file__).resolve().parents[1]


def committed_tracks(db: Path) -> int:
    try:
        return len(json.loads(db.read_text()).get("tracks", {}))
    except (OSError, ValueError):
        return 0


def test_kill_during_scan_keeps_batches_and_resumes(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    src = encode(write_wav(tmp_path / "s.wav", tone(0.5)), tmp_path / "s.mp3")
    n = 6000
    for i in range(n):
        shutil.copyfile(src, lib / f"{i:05d}.mp3")
    env = {**os.environ, "MOODTAPE_FLUSH_EVERY_S": "0"}
    db = Path(env["MOODTAPE_DATA_DIR"]) / "moodtape.json"
    proc = subprocess.Popen([sys.executable, "main.py", "scan", str(lib)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    seen = 0
    while time.time() < deadline and proc.poll() is None:
        seen = committed_tracks(db)
        if seen >= 1000:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the scan finished before it could be killed; make the library bigger"
    os.killpg(proc.pid, signal.SIGKILL)  # the app and its worker processes die at once, as in a crash
    proc.wait()
    store = Store(db)  # opens (from the file or its backup), nothing committed is lost
    kept = store.track_count()
    assert kept >= seen >= 1000
    assert kept < n
    store.close()
    out = subprocess.run([sys.executable, "main.py", "scan", str(lib)], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    summary = json.loads(out.stdout)
    assert summary["unchanged"] == kept and summary["added"] == n - kept, "the rescan resumes where it stopped"
    assert Store(db).track_count() == n


def tag_fields(db: Path) -> dict[str, tuple]:
    """Committed mood tags in the store file: path -> (valence, arousal, quadrant, tag_key)."""
    try:
        tracks = json.loads(db.read_text()).get("tracks", {}).values()
    except (OSError, ValueError):
        return {}
    return {t["path"]: (t["valence"], t["arousal"], t["quadrant"], t["tag_key"]) for t in tracks if t.get("tag_key")}


def test_kill_during_tagging_keeps_batches_and_resumes(tmp_path):
    """`main.py tag DIR` killed with SIGKILL mid-run: the store opens, every committed batch of tags is kept, and
    the next run tags only what was left (nothing already tagged is tagged again)."""
    from emotion.audio_model import default_weights_path

    if not default_weights_path().is_file():
        pytest.skip("no shipped audio model weights")
    lib = tmp_path / "lib"
    lib.mkdir()
    n = 400
    for i in range(n):  # a few distinct tones, so that the tags differ
        write_wav(lib / f"{i:04d}.wav", tone(3.0, 180.0 + 40 * (i % 9)))
    env = {**os.environ, "MOODTAPE_FLUSH_EVERY_S": "0"}
    db = Path(env["MOODTAPE_DATA_DIR"]) / "moodtape.json"
    cmd = [sys.executable, "main.py", "tag", str(lib), "--batch-size", "8", "--workers", "2", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 240
    seen: dict[str, tuple] = {}
    while time.time() < deadline and proc.poll() is None:
        seen = tag_fields(db)
        if len(seen) >= 24:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "tagging finished before it could be killed; make the library bigger"
    os.killpg(proc.pid, signal.SIGKILL)  # the app and its worker processes die at once, as in a crash
    proc.wait()
    store = Store(db)  # opens (from the file or its backup)
    assert store.track_count() == n, "the scan before the tagging was committed"
    kept = {t["path"]: (t["valence"], t["arousal"], t["quadrant"], t["tag_key"])
            for t in store.all_tracks() if t.get("tag_key")}
    assert len(seen) >= 24 and len(kept) >= len(seen), "tags committed before the kill were lost"
    assert all(kept[p] == v for p, v in seen.items())
    assert len(kept) < n
    store.close()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    summary = json.loads(out.stdout)
    assert summary["scan"]["unchanged"] == n and summary["scan"]["added"] == 0
    assert summary["tag"]["total"] == n - len(kept), "the second run re-tagged tracks that were already tagged"
    assert summary["tag"]["tagged"] == n - len(kept) and summary["tagged_total"] == n
    after = tag_fields(db)
    assert len(after) == n and all(after[p] == v for p, v in kept.items())


def processes_with_token(token: str) -> list[int]:
    """Pids of live processes whose environment carries MOODTAPE_TEST_TOKEN=token (the app and its children)."""
    found = []
    needle = f"MOODTAPE_TEST_TOKEN={token}".encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
            with open(f"/proc/{pid}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in env and state != b"Z":
            found.append(int(pid))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_kill_app_alone_during_scan_leaves_no_worker_processes(tmp_path):
    """SIGKILL to the app process only (not its group), mid-scan with a process pool: the forkserver and the pool
    workers go too, within a few seconds, instead of waiting for work forever."""
    lib = tmp_path / "lib"
    lib.mkdir()
    src = encode(write_wav(tmp_path / "s.wav", tone(0.5)), tmp_path / "s.mp3")
    for i in range(6000):
        shutil.copyfile(src, lib / f"{i:05d}.mp3")
    token = f"{os.getpid()}-{time.time_ns()}"
    env = {**os.environ, "MOODTAPE_FLUSH_EVERY_S": "0", "MOODTAPE_TEST_TOKEN": token}
    db = Path(env["MOODTAPE_DATA_DIR"]) / "moodtape.json"
    proc = subprocess.Popen([sys.executable, "main.py", "scan", str(lib)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None and committed_tracks(db) < 500:
            time.sleep(0.02)
        assert proc.poll() is None, "the scan finished before it could be killed; make the library bigger"
        children = [p for p in processes_with_token(token) if p != proc.pid]
        assert children, "the scan ran without worker processes: nothing to check"
        proc.kill()  # the app alone
        proc.wait()
        deadline = time.time() + 10
        left = processes_with_token(token)
        while left and time.time() < deadline:
            time.sleep(0.2)
            left = processes_with_token(token)
        assert left == [], f"worker processes outlived the app: {left}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
