"""kill -9 in the middle of a scan: the store opens, committed batches are kept, a rescan resumes."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

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
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    seen = 0
    while time.time() < deadline and proc.poll() is None:
        seen = committed_tracks(db)
        if seen >= 1000:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the scan finished before it could be killed; make the library bigger"
    os.kill(proc.pid, signal.SIGKILL)
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
