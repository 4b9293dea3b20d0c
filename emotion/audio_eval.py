"""`eval audio`: score the shipped audio mood model on labelled data (no retraining).

    python main.py eval audio --midi-dir DIR --labels CSV    # EMOPIA format: clip,song,quadrant,valence,arousal
        -> {"n", "quadrant_accuracy", "valence_accuracy", "arousal_accuracy"}
    python main.py eval audio --audio-dir DIR --labels CSV   # Emotify format (GEMS shares per clip)
        -> {"n", "valence_r", "arousal_r"}

MIDI is rendered here with fluidsynth (default soundfont, piano), cached by the MIDI file's hash under the
cache dir. Emotify targets are the GEMS proxy of mood_space.gems_to_va.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from emotion.mood_space import GEMS, gems_to_va


def log(msg: str) -> None:
    print(f"[eval audio] {msg}", file=sys.stderr, flush=True)


def _render_cache_dir(arg: Path | None) -> Path:
    if arg is not None:
        d = arg
    else:
        try:
            from library.paths import cache_dir

            d = cache_dir() / "eval_renders"
        except Exception:
            import tempfile

            d = Path(tempfile.gettempdir()) / "moodtape_eval_renders"
    d.mkdir(parents=True, exist_ok=True)
    return d


def render_cached(midi: Path, cache: Path) -> Path:
    from library.synth import default_soundfont, render_midi

    sf = default_soundfont()
    digest = hashlib.sha1(midi.read_bytes() + sf.name.encode()).hexdigest()[:16]
    out = cache / f"{midi.stem}_{digest}.wav"
    if not out.is_file():
        render_midi(midi, out, soundfont=sf, program=None, sample_rate=22050)
    return out


def _find_audio(audio_dir: Path, clip: str) -> Path | None:
    for ext in (".ogg", ".mp3", ".wav", ".flac", ".oga", ".opus", ".m4a"):
        p = audio_dir / f"{clip}{ext}"
        if p.is_file():
            return p
    hits = sorted(audio_dir.glob(f"{clip}.*"))
    return hits[0] if hits else None


def eval_midi(model, midi_dir: Path, labels: Path, cache: Path, jobs: int) -> dict:
    with open(labels, newline="") as fh:
        rows = [r for r in csv.DictReader(fh)]
    todo = [(r, midi_dir / f"{r['clip']}.mid") for r in rows]
    missing = [r["clip"] for r, p in todo if not p.is_file()]
    todo = [(r, p) for r, p in todo if p.is_file()]
    t0 = time.time()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        wavs = list(ex.map(lambda rp: render_cached(rp[1], cache), todo))
    log(f"rendered {len(wavs)} clips in {time.time() - t0:.0f}s ({len(missing)} MIDI files missing)")
    q_ok = v_ok = a_ok = 0
    failed = 0
    for (r, _), wav in zip(todo, wavs):
        try:
            pred = model.predict_file(wav)
        except Exception as exc:
            log(f"{r['clip']}: {exc}")
            failed += 1
            continue
        q_ok += pred["quadrant"] == r["quadrant"]
        v_ok += (pred["valence"] >= 0) == (float(r["valence"]) > 0)
        a_ok += (pred["arousal"] >= 0) == (float(r["arousal"]) > 0)
    n = len(todo) - failed
    return {
        "n": n,
        "quadrant_accuracy": round(q_ok / n, 4) if n else None,
        "valence_accuracy": round(v_ok / n, 4) if n else None,
        "arousal_accuracy": round(a_ok / n, 4) if n else None,
        "missing": len(missing),
        "failed": failed,
        "model_version": model.version,
    }


def eval_audio(model, audio_dir: Path, labels: Path) -> dict:
    with open(labels, newline="") as fh:
        rows = [r for r in csv.DictReader(fh)]
    tv, pv = [], []
    missing = failed = 0
    for r in rows:
        path = _find_audio(audio_dir, r["clip"])
        if path is None:
            missing += 1
            continue
        try:
            pred = model.predict_file(path)
        except Exception as exc:
            log(f"{r['clip']}: {exc}")
            failed += 1
            continue
        tv.append(gems_to_va({g: float(r[g]) for g in GEMS}))
        pv.append((pred["valence"], pred["arousal"]))
    n = len(tv)
    out: dict = {"n": n, "valence_r": None, "arousal_r": None}
    if n >= 3:
        t = np.array(tv)
        p = np.array(pv)
        out["valence_r"] = round(float(np.corrcoef(t[:, 0], p[:, 0])[0, 1]), 4)
        out["arousal_r"] = round(float(np.corrcoef(t[:, 1], p[:, 1])[0, 1]), 4)
    out.update({"missing": missing, "failed": failed, "model_version": model.version})
    return out


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    while argv and argv[0] in ("eval", "audio"):
        argv = argv[1:]
    ap = argparse.ArgumentParser(prog="eval audio", description="score the shipped audio mood model")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--midi-dir", type=Path, help="EMOPIA-style MIDI clips (rendered here)")
    src.add_argument("--audio-dir", type=Path, help="Emotify-style audio clips")
    ap.add_argument("--labels", type=Path, required=True)
    ap.add_argument("--weights", type=Path, default=None, help="weights file (default: the shipped one)")
    ap.add_argument("--cache-dir", type=Path, default=None, help="where MIDI renders are cached")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    from emotion.audio_model import AudioMoodModel

    model = AudioMoodModel.load(args.weights, threads=args.threads)
    if args.midi_dir is not None:
        res = eval_midi(model, args.midi_dir, args.labels, _render_cache_dir(args.cache_dir), args.threads)
    else:
        res = eval_audio(model, args.audio_dir, args.labels)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
