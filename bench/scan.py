"""Library scan throughput.

python bench/scan.py --tracks 20000

Generates that many small tagged files once (mp3/ogg/flac copies of three short clips, each re-tagged with
mutagen; cached), then, each in a fresh process: a full scan into a new store (walk, stat, tags, batched writes),
and the baseline, a bare mutagen read loop over the same files. figure = scan tracks/s; ratio = scan / bare loop.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, cache_dir, emit

SCAN = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from library.store import Store
from library.scanner import scan_folder
store = Store({db!r})
res = scan_folder(store, {folder!r})
store.close()
print(json.dumps({{"seconds": time.perf_counter() - t0, "tracks": res.added, "problems": len(res.problems)}}))
"""

BARE = """
import json, os, time
t0 = time.perf_counter()
import mutagen
n = 0
for root, dirs, files in os.walk({folder!r}):
    for f in files:
        m = mutagen.File(os.path.join(root, f), easy=True)
        if m is not None:
            tags = dict(m.tags or {{}})
            length = m.info.length
            n += 1
print(json.dumps({{"seconds": time.perf_counter() - t0, "tracks": n}}))
"""


def make_files(n: int) -> Path:
    folder = cache_dir(f"scan-{n}")
    marker = folder / ".complete"
    if marker.exists():
        return folder
    sys.path.insert(0, str(ROOT))
    import mutagen

    from tests.media import encode, tone, write_wav

    tmp = Path(tempfile.mkdtemp())
    src = write_wav(tmp / "src.wav", tone(1.0))
    templates = [encode(src, tmp / f"t{ext}") for ext in (".mp3", ".ogg", ".flac")]
    for i in range(n):
        t = templates[i % 3]
        sub = folder / f"artist{i % 200:03d}" / f"album{i % 7}"
        sub.mkdir(parents=True, exist_ok=True)
        dst = sub / f"{i:06d}{t.suffix}"
        shutil.copyfile(t, dst)
        f = mutagen.File(str(dst), easy=True)
        if f.tags is None:
            f.add_tags()
        f["title"] = f"Track {i}"
        f["artist"] = f"Artist {i % 200}"
        f["album"] = f"Album {i % 7}"
        f["genre"] = ("Rock", "Pop", "Jazz", "Folk")[i % 4]
        f.save()
    shutil.rmtree(tmp)
    marker.write_text("ok")
    return folder


def run(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--tracks", type=int, default=20000)
    args = p.parse_args()
    folder = make_files(args.tracks)
    with tempfile.TemporaryDirectory() as tmp:
        bare = run(BARE.format(folder=str(folder)))
        scan = run(SCAN.format(root=str(ROOT), db=str(Path(tmp) / "db.json"), folder=str(folder)))
        rescan = run(SCAN.format(root=str(ROOT), db=str(Path(tmp) / "db.json"), folder=str(folder)))
    scan_rate = scan["tracks"] / scan["seconds"]
    bare_rate = bare["tracks"] / bare["seconds"]
    emit({"figure": round(scan_rate, 1), "unit": "tracks/s (cold-process full scan into the store)",
          "baseline": round(bare_rate, 1), "baseline_what": "bare mutagen read loop over the same files",
          "ratio": round(scan_rate / bare_rate, 3), "n": scan["tracks"], "scan_seconds": round(scan["seconds"], 2),
          "bare_seconds": round(bare["seconds"], 2), "incremental_rescan_seconds": round(rescan["seconds"], 2),
          "problems": scan["problems"]})


if __name__ == "__main__":
    main()
