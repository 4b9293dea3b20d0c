"""Reference outputs of basic-pitch's own ONNX model for the torch port's test (`tests/data/basicpitch_ref.npz`).

Not used by the app or by training. Run it in a throw-away venv that has onnxruntime and basic-pitch==0.4.0
(`python -m venv /tmp/bpv && /tmp/bpv/bin/pip install basic-pitch==0.4.0 onnxruntime`), from the repository root:
`/tmp/bpv/bin/python -m emotion.basicpitch_reference OUT.npz [AUDIO_NPZ]`. The input is a 2-s window of a
synthetic piano-like chord progression made here (`piano_like`; the test rebuilds it) and, with AUDIO_NPZ, also the
first window of an int16 excerpt file and a window of noise (for a by-hand check; only the first window's outputs
are written to the file, to keep it small).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

SR, WINDOW = 22050, 22050 * 2 - 256


def piano_like(seed: int = 0) -> np.ndarray:
    """C major - A minor - F major - G major, decaying harmonic tones, 0.5 s each."""
    t = np.arange(WINDOW) / SR
    y = np.zeros(WINDOW)
    chords = [(60, 64, 67), (57, 60, 64), (53, 57, 60), (55, 59, 62)]
    for i, ch in enumerate(chords):
        m = (t >= 0.5 * i) & (t < 0.5 * i + 0.5)
        tt = t[m] - 0.5 * i
        for p in ch:
            f = 440 * 2 ** ((p - 69) / 12)
            y[m] += sum(np.sin(2 * np.pi * f * h * tt) / h ** 1.5 for h in range(1, 6)) * np.exp(-4 * tt)
    return (0.2 * y / np.abs(y).max()).astype(np.float32)


def main(argv: list[str]) -> int:
    import onnxruntime as ort
    from basic_pitch import ICASSP_2022_MODEL_PATH

    out = Path(argv[0])
    wins = [piano_like()]
    if len(argv) > 1:
        from scipy.signal import resample_poly

        z = np.load(argv[1])
        wins.append(resample_poly(z["w0"].astype(np.float32) / 32768, 441, 320)[:WINDOW].astype(np.float32))
        wins.append((0.05 * np.random.default_rng(0).standard_normal(WINDOW)).astype(np.float32))
    x = np.stack(wins)[:, :, None]
    sess = ort.InferenceSession(str(Path(ICASSP_2022_MODEL_PATH).with_suffix(".onnx")),
                                providers=["CPUExecutionProvider"])
    note, onset, contour = sess.run(["StatefulPartitionedCall:1", "StatefulPartitionedCall:2",
                                     "StatefulPartitionedCall:0"], {"serving_default_input_2:0": x})
    np.savez_compressed(out, audio_abs_sum=np.float64(np.abs(x[0, :, 0]).sum()), note=note[:1], onset=onset[:1])
    print(f"wrote {out}: window 1 of {x.shape[0]}, note {note.shape}")
    if len(argv) > 1:
        np.savez_compressed(out.with_name(out.stem + "_all.npz"), audio=x[:, :, 0], note=note, onset=onset,
                            contour=contour)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
