"""Benchmark: end-to-end tagging throughput of the audio tagger on realistic-length files.

    python bench/tag.py --tracks 200

Generates (once, cached under the temp dir) N music-like files of 3-4 minutes (44.1 kHz stereo, half Ogg
Vorbis, half MP3, via ffmpeg), puts them in a fresh store and runs the headless tagger (`emotion.tag_cli`, 2
workers) in a subprocess, measuring its throughput and peak RSS. Baseline in the same run: what a naive tagger
does per track, librosa.load of the whole file + a mel spectrogram (measured on a subset, --baseline-tracks).
Prints one JSON object: figure (tracks/s), unit, baseline, ratio, peak_rss_mb, n, ...
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SR = 44100
GEN_VERSION = "v1"


def _note_hz(midi: float) -> float:
    return 440.0 * 2 ** ((midi - 69) / 12)


def synth_track(seed: int, seconds: float) -> np.ndarray:
    """A music-like stereo signal: chord progression, arpeggio, bass and drums at a random tempo/key/mode."""
    rng = np.random.default_rng(seed)
    bpm = float(rng.uniform(60, 170))
    beat = 60.0 / bpm
    key = int(rng.integers(0, 12))
    minor = bool(rng.random() < 0.5)
    scale = [0, 2, 3, 5, 7, 8, 10] if minor else [0, 2, 4, 5, 7, 9, 11]
    degrees = [int(d) for d in rng.choice([0, 3, 4, 5, 1], size=4)]
    n_harm = int(rng.integers(2, 7))
    harm_amp = 1.0 / np.arange(1, n_harm + 1) ** rng.uniform(0.8, 2.0)
    bar = 4 * beat
    bar_n = int(bar * SR)
    t_bar = np.arange(bar_n) / SR
    bars = []
    for deg in degrees:  # one bar per chord, then tiled
        root = 48 + key + scale[deg % 7]
        chord = [root, 48 + key + scale[(deg + 2) % 7] + 12 * ((deg + 2) // 7),
                 48 + key + scale[(deg + 4) % 7] + 12 * ((deg + 4) // 7)]
        y = np.zeros(bar_n)
        # pad chord
        for m in chord:
            f = _note_hz(m + 12)
            y += 0.08 * np.sin(2 * np.pi * f * t_bar) * (1 - np.exp(-t_bar * 8))
        # arpeggio (eighth notes)
        step = beat / 2
        for i in range(8):
            m = chord[i % 3] + 24
            s = int(i * step * SR)
            n = int(step * SR)
            tt = np.arange(n) / SR
            env = np.exp(-tt * rng.uniform(3, 10))
            tone = sum(a * np.sin(2 * np.pi * _note_hz(m) * (k + 1) * tt) for k, a in enumerate(harm_amp))
            y[s:s + n] += 0.15 * env * tone
        # bass on beats
        for b in range(4):
            s = int(b * beat * SR)
            n = int(beat * SR)
            tt = np.arange(n) / SR
            y[s:s + n] += 0.2 * np.sin(2 * np.pi * _note_hz(root - 12) * tt) * np.exp(-tt * 4)
        # drums: kick on 1 and 3, noisy snare on 2 and 4, hats on eighths
        for b in range(4):
            s = int(b * beat * SR)
            n = min(int(0.2 * SR), bar_n - s)
            tt = np.arange(n) / SR
            if b % 2 == 0:
                y[s:s + n] += 0.4 * np.sin(2 * np.pi * 60 * tt * (1 + 2 * np.exp(-tt * 30))) * np.exp(-tt * 15)
            else:
                y[s:s + n] += 0.15 * rng.standard_normal(n) * np.exp(-tt * 20)
        for i in range(8):
            s = int(i * step * SR)
            n = min(int(0.03 * SR), bar_n - s)
            y[s:s + n] += 0.03 * rng.standard_normal(n)
        bars.append(y)
    pattern = np.concatenate(bars)
    total = int(seconds * SR)
    reps = total // len(pattern) + 1
    y = np.tile(pattern, reps)[:total]
    # slow dynamics so windows differ
    t = np.arange(total) / SR
    y *= 0.6 + 0.4 * np.sin(2 * np.pi * t / rng.uniform(20, 60)) ** 2
    y = y / (np.max(np.abs(y)) + 1e-9) * 0.8
    pan = rng.uniform(0.3, 0.7)
    return np.stack([y * (1 - pan) * 2, y * pan * 2], axis=1).clip(-1, 1).astype(np.float32)


def generate(out_dir: Path, n: int, unique: int = 40) -> list[Path]:
    """n files; the first `unique` are synthesised and encoded, the rest are byte copies of them under new
    names (decoding cost is the same, generation is 5x cheaper)."""
    import shutil

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        ext = ".ogg" if i % 2 == 0 else ".mp3"
        path = out_dir / f"track_{i:04d}{ext}"
        paths.append(path)
        if path.is_file() and path.stat().st_size > 0:
            continue
        if i >= unique:
            src = paths[i % unique]
            tmp = path.with_name(path.stem + ".part" + ext)
            shutil.copyfile(src, tmp)
            tmp.replace(path)
            continue
        rng = np.random.default_rng(10_000 + i)
        seconds = float(rng.uniform(180, 240))
        y = synth_track(i, seconds)
        pcm = (y * 32767).astype("<i2").tobytes()
        codec = ["-c:a", "libvorbis", "-q:a", "4"] if ext == ".ogg" else ["-c:a", "libmp3lame", "-b:a", "160k"]
        tmp = path.with_name(path.stem + ".part" + ext)
        cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "s16le", "-ar", str(SR), "-ac", "2", "-i", "-",
               *codec, "-metadata", f"title=Bench {i}", "-metadata", "artist=Bench", str(tmp)]
        subprocess.run(cmd, input=pcm, check=True)
        tmp.replace(path)
        if i % 20 == 0:
            print(f"generated {i + 1}/{n}", file=sys.stderr, flush=True)
    return paths


def baseline(paths: list[Path]) -> float:
    """Tracks/s of the naive way: decode the whole file with librosa + mel spectrogram."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(tempfile.gettempdir()) / "moodtape_numba"))
    import librosa

    y, sr = librosa.load(str(paths[0]), sr=22050, mono=True, duration=5.0)  # warm-up (numba, codecs)
    librosa.feature.melspectrogram(y=y, sr=sr, n_mels=96)
    t0 = time.perf_counter()
    for p in paths:
        y, sr = librosa.load(str(p), sr=22050, mono=True)
        librosa.feature.melspectrogram(y=y, sr=sr, n_mels=96)
    return len(paths) / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tracks", type=int, default=200)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--baseline-tracks", type=int, default=20)
    ap.add_argument("--unique", type=int, default=40, help="distinct generated files (the rest are copies)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "moodtape_bench_tag")
    args = ap.parse_args(argv)
    t_gen = time.perf_counter()
    paths = generate(args.cache / GEN_VERSION, args.tracks, args.unique)
    gen_s = time.perf_counter() - t_gen

    with tempfile.TemporaryDirectory(prefix="moodtape_bench_") as tmp:
        env = dict(os.environ, MOODTAPE_DATA_DIR=tmp, MOODTAPE_CONFIG_DIR=tmp, MOODTAPE_CACHE_DIR=tmp,
                   PYTHONPATH=str(ROOT))
        store_path = Path(tmp) / "bench.json"
        from library.store import Store

        store = Store(store_path)
        tracks = []
        for p in paths:
            st = p.stat()
            tracks.append({"path": str(p), "title": p.stem, "artist": "Bench", "album": "", "genre": "",
                           "duration": 0.0, "size": st.st_size, "mtime": st.st_mtime, "kind": "audio"})
        store.upsert_tracks(tracks)
        store.close()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "emotion.tag_cli", "--store", str(store_path), "--quiet",
                               "--workers", str(args.workers)], capture_output=True, text=True, env=env, cwd=ROOT)
        wall = time.perf_counter() - t0
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            raise SystemExit("tagger failed")
        summary = json.loads(proc.stdout.strip().splitlines()[-1])
    tag = summary["tag"]
    figure = float(tag["tracks_per_s"])
    nb = max(1, min(args.baseline_tracks, len(paths)))
    base = baseline(paths[:nb])
    out = {
        "figure": round(figure, 3),
        "unit": "tracks/s",
        "baseline": round(base, 3),
        "ratio": round(figure / base, 2) if base > 0 else None,
        "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
        "n": len(paths),
        "unique_files": min(args.unique, len(paths)),
        "tagged": tag["tagged"],
        "failed": tag["failed"],
        "wall_s_including_startup": round(wall, 2),
        "tracks_per_s_including_startup": round(len(paths) / wall, 3),
        "workers": args.workers,
        "baseline_n": nb,
        "baseline_method": "librosa.load(full file, sr=22050) + melspectrogram(n_mels=96)",
        "generate_s": round(gen_s, 1),
        "model_version": tag["model_version"],
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
