"""How close the loudness the tagger measures (three 8-s excerpts, mono, 16 kHz) comes to the whole recording's.

python bench/loudness.py [--audio-dir ../shared/data/emotify/audio]

For each recording (by default the 300 Emotify 30-s excerpts of real music): the BS.1770 integrated loudness of
the whole file (its channels, at its own rate) against `emotion.loudness.loudness` of the excerpts the tagger
decodes (`audio_features.load_excerpts` with their channels). The figure is the 95th percentile of the absolute
difference in dB. The baseline is the same measure from one 8-s excerpt (the middle one, as a tagger hearing a
single window would have). Both are accuracy, not speed. The recordings are 30 s long, so the three excerpts
hear 24 s of 30: on full-length tracks the estimate hears a smaller share, and its error will be larger (which is
why an estimate only ever turns a track down: ui/main_window.py _track_gain).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from _common import ROOT, emit

from emotion import audio_features as af
from emotion.audio_model import N_WINDOWS
from emotion.loudness import loudness


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--audio-dir", default=str(ROOT.parent / "shared" / "data" / "emotify" / "audio"))
    args = ap.parse_args()
    import soundfile as sf

    files = sorted(Path(args.audio_dir).glob("*.ogg")) + sorted(Path(args.audio_dir).glob("*.wav"))
    ours, base = [], []
    for f in files:
        y, sr = sf.read(str(f), always_2d=True)
        channels: list = []
        af.load_excerpts(f, n_windows=N_WINDOWS, win_s=af.WIN_S, channels=channels)  # as the tagger does
        full, est = loudness([y], sr), loudness([c for c, _ in channels], channels[0][1])
        if full is not None and est is not None:
            ours.append(abs(est - full))
        middle: list = []
        af.load_excerpts(f, n_windows=1, win_s=af.WIN_S, channels=middle)
        one = loudness([c for c, _ in middle], middle[0][1])
        if full is not None and one is not None:
            base.append(abs(one - full))
    if not ours:
        raise SystemExit(f"no audio in {args.audio_dir}")
    fig, ref = float(np.percentile(ours, 95)), float(np.percentile(base, 95))
    emit({"benchmark": "loudness", "figure": round(fig, 3),
          "unit": "dB, 95th percentile |excerpt estimate - whole file| (BS.1770 integrated loudness)",
          "baseline": round(ref, 3), "baseline_unit": "dB, the same from the middle 8-s excerpt alone",
          "ratio": round(ref / fig, 2) if fig > 0 else None, "n": len(ours),
          "median_db": round(float(np.median(ours)), 3), "max_db": round(float(np.max(ours)), 3),
          "audio_dir": os.path.relpath(args.audio_dir, ROOT)})


if __name__ == "__main__":
    main()
