"""How loud a track is, from the tagger's excerpts: EBU R128 / ITU-R BS.1770 integrated loudness (LUFS), so that
volume levelling also works for tracks without ReplayGain tags. Plain numpy + scipy.

    loudness(excerpts, sr)   # LUFS of the excerpts pooled (each mono, or frames x channels), or None for silence
    levelling_gain(lufs)     # the ReplayGain 2.0-style gain (dB) that brings it to REFERENCE_LUFS

BS.1770: the signal is K-weighted (a high shelf of about +4 dB above ~1.7 kHz, then a high pass at ~38 Hz; both
biquads are made here for any sample rate from their analogue parameters, as libebur128 does), its mean square is
taken over 400 ms blocks every 100 ms, blocks under -70 LUFS are dropped (absolute gate), then blocks more than
10 LU under the loudness of the rest (relative gate); what is left gives the loudness, -0.691 + 10 log10(mean
square).

Channels are weighed alike and their powers summed per block, as BS.1770 does for left and right (its surround
weights are not applied: more than two channels come down to stereo first). It is an estimate: the tagger hears
three 8-s excerpts of a track, not all of it, so a loud passage between them goes unheard.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

REFERENCE_LUFS = -18.0  # ReplayGain 2.0's reference loudness
MAX_GAIN_DB = 24.0  # a larger estimate is treated as this
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = 10.0
BLOCK_S, STEP_S = 0.4, 0.1
# BS.1770's K-weighting as two biquads, by their analogue parameters (gain dB, Q, centre Hz)
SHELF = (3.999843853973347, 0.7071752369554196, 1681.974450955533)
HIGH_PASS = (0.0, 0.5003270373238773, 38.13547087602444)


def _shelf(sr: float) -> tuple[np.ndarray, np.ndarray]:
    """The high shelf, by the bilinear transform with pre-warping (at 48 kHz: BS.1770's own coefficients)."""
    gain, q, fc = SHELF
    k = math.tan(math.pi * fc / sr)
    vh = 10.0 ** (gain / 20.0)
    vb = vh ** 0.4996667741545416
    a0 = 1.0 + k / q + k * k
    b = [(vh + vb * k / q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    return np.array(b), np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0])


def _high_pass(sr: float) -> tuple[np.ndarray, np.ndarray]:
    _gain, q, fc = HIGH_PASS
    k = math.tan(math.pi * fc / sr)
    a0 = 1.0 + k / q + k * k
    return np.array([1.0, -2.0, 1.0]), np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0])


def block_powers(y: np.ndarray, sr: int) -> np.ndarray:
    """Mean square of the K-weighted signal in each 400-ms block (every 100 ms), summed over the channels of a
    frames x channels array; none for under 400 ms."""
    from scipy.signal import lfilter

    x = np.asarray(y, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    n, step = int(round(BLOCK_S * sr)), int(round(STEP_S * sr))
    if x.ndim != 2 or len(x) < n or n <= 0:
        return np.zeros(0)
    for b, a in (_shelf(sr), _high_pass(sr)):
        x = lfilter(b, a, x, axis=0)
    squares = np.concatenate([np.zeros((1, x.shape[1])), np.cumsum(x * x, axis=0)])
    starts = np.arange(0, len(x) - n + 1, step)
    return ((squares[starts + n] - squares[starts]) / n).sum(axis=1)


def _lufs(power: float) -> float:
    return -0.691 + 10.0 * math.log10(power)


def loudness(excerpts: Sequence[np.ndarray], sr: int) -> float | None:
    """Integrated loudness (LUFS) of the excerpts' gated blocks pooled; None when nothing passes the gates
    (silence, or excerpts shorter than a block)."""
    powers = np.concatenate([block_powers(y, sr) for y in excerpts] or [np.zeros(0)])
    powers = powers[np.isfinite(powers)]
    threshold = 10.0 ** ((ABSOLUTE_GATE_LUFS + 0.691) / 10.0)
    loud = powers[powers > threshold]
    if len(loud) == 0:
        return None
    relative = 10.0 ** ((_lufs(float(loud.mean())) - RELATIVE_GATE_LU + 0.691) / 10.0)
    kept = loud[loud > relative]
    return round(_lufs(float(kept.mean())), 2)


def levelling_gain(lufs: float | None) -> float | None:
    """The gain (dB) that plays a track of this loudness at REFERENCE_LUFS, at most MAX_GAIN_DB either way."""
    if lufs is None or not math.isfinite(lufs):
        return None
    return round(max(-MAX_GAIN_DB, min(MAX_GAIN_DB, REFERENCE_LUFS - lufs)), 2)
