"""Basic Pitch (Bittner et al., ICASSP 2022; Spotify, Apache-2.0) note-salience network ported to torch.

Basic Pitch is a small polyphonic transcription CNN: harmonic constant-Q transform of 22.05 kHz audio (3 bins per
semitone from A0, harmonics 0.5 and 1-7 stacked as channels), a pitch-contour branch and, from it, a note branch
(88 piano keys x 86.13 frames/s) and an onset branch. The audio model reads its note and onset outputs as a
cleaner pitch picture than chroma: which keys sound, in which register, how often notes start (see
`salience_features`). Only the network is ported; basic-pitch's note-event post-processing is not needed.

The weights come from the `basic-pitch==0.4.0` package's SavedModel variables (`saved_models/icassp_2022/nmp`),
read with the tensor-bundle reader of `emotion.musicnn` (no TensorFlow), and ship converted in the audio model's
weights file when its heads read the salience part ("sal"; the shipped heads do not at present). The constant-Q
kernels are computed here as basic-pitch's own nnAudio-derived layer computes them (CQT2010v2: one octave of
kernels applied to the signal low-passed and halved once per octave). Checked against the package's ONNX model
(`emotion/basicpitch_reference.py`, run in a throw-away venv with onnxruntime; `tests/data/basicpitch_ref.npz`
keeps the note and onset outputs of a synthetic window the test rebuilds): ~1e-4 at most per activation (float32
rounding; 1.03e-4 on one onset value), ~1e-6 on average.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SR = 22050
HOP = 256
WINDOW = SR * 2 - HOP  # 43844 samples: the 2-s window the network was trained on (172 frames)
FRAMES = WINDOW // HOP + 1
FMIN = 27.5  # A0
BINS_PER_SEMITONE = 3
N_KEYS = 88
HARMONICS = (0.5, 1, 2, 3, 4, 5, 6, 7)
N_BINS = min(int(np.ceil(12 * np.log2(len(HARMONICS)))) + N_KEYS, int(np.floor(12 * np.log2(0.5 * SR / FMIN)))) * 3
BN_EPS = 1e-3  # Keras BatchNormalization default
KEY = "basic_pitch"  # key prefix of the network's tensors in a weights file
_CONSTANTS = ("cqt_real", "cqt_imag", "cqt_scale", "halfband")  # computed at conversion, stored beside the weights

# SavedModel variable -> (torch parameter, kind); layers in the order Keras numbered them
_LAYERS = [("bn_cqt", "bn"), ("contour_conv", "conv"), ("contour_bn", "bn"), ("contour_out", "conv"),
           ("note_conv", "conv"), ("onset_conv", "conv"), ("onset_bn", "bn"), ("note_out", "conv"),
           ("onset_out", "conv")]


def lowpass(band_center: float, transition: float, length: int = 256) -> np.ndarray:
    """The FIR low-pass CQT2010v2 applies before halving the rate (conversion time only: scipy.signal)."""
    import scipy.signal

    return scipy.signal.firwin2(length, [0.0, band_center / (1 + transition), band_center * (1 + transition), 1.0],
                                [1.0, 1.0, 0.0, 0.0])


def _cqt_geometry() -> tuple[float, int, float, int]:
    """(Q, number of octaves, lowest frequency of the top-octave kernels, kernel length n_fft), as CQT2010v2."""
    bpo = 12 * BINS_PER_SEMITONE
    q = 1.0 / (2 ** (1 / bpo) - 1)
    n_oct = int(np.ceil(N_BINS / bpo))
    fmin_t = FMIN * 2 ** (n_oct - 1)
    rem = N_BINS % bpo
    fmax_t = fmin_t * 2 ** (((rem or bpo) - 1) / bpo)
    fmin_t = fmax_t / 2 ** (1 - 1 / bpo)
    return q, n_oct, fmin_t, 2 ** int(np.ceil(np.log2(np.ceil(q * SR / fmin_t))))


def cqt_kernels() -> tuple[np.ndarray, np.ndarray]:
    """(top-octave complex kernels 36 x n_fft, square root of every bin's kernel length)."""
    bpo = 12 * BINS_PER_SEMITONE
    q, _, fmin_t, n_fft = _cqt_geometry()
    freqs = fmin_t * 2.0 ** (np.arange(bpo) / bpo)
    kern = np.zeros((bpo, n_fft), np.complex128)
    for k, f in enumerate(freqs):
        n = np.ceil(q * SR / f)
        start = int(np.ceil(n_fft / 2.0 - n / 2.0)) - int(n % 2)
        hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(int(n)) / n)  # periodic, as scipy's get_window("hann")
        sig = hann * np.exp(np.r_[-n // 2:n // 2] * 1j * 2 * np.pi * f / SR) / n
        kern[k, start:start + int(n)] = sig / np.linalg.norm(sig, 1)
    all_freqs = FMIN * 2.0 ** (np.arange(N_BINS) / bpo)
    return kern, np.sqrt(np.ceil(q * SR / all_freqs))


def convert(prefix: Path | str) -> dict[str, np.ndarray]:
    """The network's tensors (keys prefixed KEY + '.') from the SavedModel variables prefix, plus the CQT
    constants (computed, not read)."""
    from emotion.musicnn import read_tf_checkpoint

    ck = read_tf_checkpoint(prefix)
    out: dict[str, np.ndarray] = {}
    for i, (name, kind) in enumerate(_LAYERS):
        def var(v: str, i: int = i) -> np.ndarray:
            return np.asarray(ck[f"layer_with_weights-{i}/{v}/.ATTRIBUTES/VARIABLE_VALUE"], np.float32)

        if kind == "conv":  # Keras (kh, kw, in, out) -> torch (out, in, kh, kw)
            out[f"{name}.weight"] = np.ascontiguousarray(var("kernel").transpose(3, 2, 0, 1))
            out[f"{name}.bias"] = var("bias")
        else:
            out[f"{name}.weight"], out[f"{name}.bias"] = var("gamma"), var("beta")
            out[f"{name}.running_mean"], out[f"{name}.running_var"] = var("moving_mean"), var("moving_variance")
    kern, sqrt_len = cqt_kernels()
    out["cqt_real"] = kern.real.astype(np.float32)[:, None, :]
    out["cqt_imag"] = kern.imag.astype(np.float32)[:, None, :]
    out["cqt_scale"] = sqrt_len.astype(np.float32)
    out["halfband"] = lowpass(0.5, 0.001).astype(np.float32)[None, None, :]
    return {f"{KEY}.{k}": v for k, v in out.items()}


def find_checkpoint(explicit: Path | str | None = None) -> str:
    """The SavedModel variables prefix inside an installed basic-pitch package (not imported: it pulls TF)."""
    if explicit is not None:
        return str(explicit)
    import importlib.util

    spec = importlib.util.find_spec("basic_pitch")
    if spec is not None and spec.origin:
        prefix = Path(spec.origin).parent / "saved_models" / "icassp_2022" / "nmp" / "variables" / "variables"
        if prefix.with_suffix(".index").is_file():
            return str(prefix)
    raise FileNotFoundError("basic-pitch package not found: pip install --no-deps basic-pitch==0.4.0")


def has_network(tensors: dict) -> bool:
    return f"{KEY}.note_out.weight" in tensors


def build(tensors: dict):
    """The torch module (eval mode) from converted tensors; torch imported here."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    _, n_oct, _, n_fft = _cqt_geometry()
    shifts = [int(round(12 * BINS_PER_SEMITONE * np.log2(h))) for h in HARMONICS]
    n_contour = N_KEYS * BINS_PER_SEMITONE

    def same(k: int, stride: int, n: int) -> tuple[int, int]:  # TF 'same' padding (before, after)
        out = -(-n // stride)
        total = max((out - 1) * stride + k - n, 0)
        return total // 2, total - total // 2

    class BasicPitch(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            for k in _CONSTANTS:  # filled by load_prefixed like the weights
                self.register_buffer(k, torch.zeros(np.shape(tensors[f"{KEY}.{k}"])))
            self.bn_cqt = nn.BatchNorm2d(1, eps=BN_EPS)
            self.contour_conv = nn.Conv2d(8, 8, (3, 39))
            self.contour_bn = nn.BatchNorm2d(8, eps=BN_EPS)
            self.contour_out = nn.Conv2d(8, 1, (5, 5))
            self.note_conv = nn.Conv2d(1, 32, (7, 7), stride=(1, 3))
            self.onset_conv = nn.Conv2d(8, 32, (5, 5), stride=(1, 3))
            self.onset_bn = nn.BatchNorm2d(32, eps=BN_EPS)
            self.note_out = nn.Conv2d(32, 1, (7, 3))
            self.onset_out = nn.Conv2d(33, 1, (3, 3))

        def conv(self, layer: nn.Conv2d, x: torch.Tensor) -> torch.Tensor:  # x: B x C x T x F, TF 'same'
            kt, kf = layer.kernel_size
            st, sf = layer.stride
            pf, pt = same(kf, sf, x.shape[3]), same(kt, st, x.shape[2])
            x = x.contiguous(memory_format=torch.channels_last)  # NHWC convolutions: ~15 % faster on CPU here
            if pf[0] == pf[1] and pt[0] == pt[1]:  # symmetric (every layer at the 2-s window): no padded copy
                return F.conv2d(x, layer.weight, layer.bias, layer.stride, (pt[0], pf[0]))
            return layer(F.pad(x, (pf[0], pf[1], pt[0], pt[1])))

        def cqt(self, x: torch.Tensor) -> torch.Tensor:  # x: B x N -> B x T x N_BINS magnitudes
            x = x[:, None, :]
            hop = HOP
            octaves = []
            for o in range(n_oct):
                if o:
                    hop //= 2
                    x = F.conv1d(F.pad(x, (127, 127)), self.halfband, stride=2)
                xp = F.pad(x, (n_fft // 2, n_fft // 2), mode="reflect")
                re = F.conv1d(xp, self.cqt_real, stride=hop)
                im = F.conv1d(xp, self.cqt_imag, stride=hop)
                octaves.insert(0, torch.sqrt(re * re + im * im))
            c = torch.cat(octaves, dim=1)[:, -N_BINS:, :] * self.cqt_scale[None, :, None]
            return c.transpose(1, 2)

        def forward(self, audio: torch.Tensor) -> dict[str, torch.Tensor]:
            """audio: B x WINDOW samples of 22.05 kHz mono in [-1, 1]. Returns note / onset (B x T x 88) and
            contour (B x T x 264) activations in [0, 1]."""
            c = self.cqt(audio)
            logp = 10 * torch.log10(c * c + 1e-10)
            logp = logp - logp.amin(dim=(1, 2), keepdim=True)
            mx = logp.amax(dim=(1, 2), keepdim=True)
            logp = torch.where(mx > 0, logp / torch.where(mx > 0, mx, torch.ones_like(mx)), torch.zeros_like(logp))
            x = self.bn_cqt(logp[:, None])  # B x 1 x T x F
            # harmonic stack, B x 8 x T x 264, written channels-last: channel h holds bin j + shift_h of the CQT
            n_bins = x.shape[3]
            stack = x.new_zeros((x.shape[0], x.shape[2], n_contour, len(shifts)))
            for h, s in enumerate(shifts):
                lo, hi = max(0, -s), min(n_contour, n_bins - s)
                stack[:, :, lo:hi, h] = x[:, 0, :, lo + s:hi + s]
            x = stack.permute(0, 3, 1, 2)
            ct = F.relu(self.contour_bn(self.conv(self.contour_conv, x)))
            contour = torch.sigmoid(self.conv(self.contour_out, ct))  # B x 1 x T x 264
            nt = F.relu(self.conv(self.note_conv, contour))
            note_pre = torch.sigmoid(self.conv(self.note_out, nt))  # B x 1 x T x 88
            on = F.relu(self.onset_bn(self.conv(self.onset_conv, x)))
            onset = torch.sigmoid(self.conv(self.onset_out, torch.cat([note_pre, on], dim=1)))
            return {"note": note_pre[:, 0], "onset": onset[:, 0], "contour": contour[:, 0]}

    from emotion.musicnn import load_prefixed

    return load_prefixed(BasicPitch(), tensors, KEY).to(memory_format=torch.channels_last)


# --- what the audio model reads: key / register / note-onset features of the note salience -------------------------

N_SALIENCE = 20
SALIENCE_NAMES = (["major_fit", "minor_fit", "major_minus_minor"] + [f"key_rel_pc{i}" for i in range(12)]
                  + ["pitch_centroid", "pitch_spread", "note_activity", "onset_activity", "onset_key_share"])
# Krumhansl-Kessler key profiles (C major / C minor)
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b) + 1e-12))


def salience_features(note_mean: np.ndarray, onset_mean: np.ndarray) -> np.ndarray:
    """N_SALIENCE features of a window from its mean note and onset activations per piano key (88 each, A0 up):
    how well the pitch-class profile fits the best major and the best minor key, the profile relative to the
    best key's tonic, the register (mean key and spread, weighted by salience above its median), and how much
    sounds and starts."""
    note_mean = np.asarray(note_mean, np.float64)
    onset_mean = np.asarray(onset_mean, np.float64)
    pcs = np.zeros(12)
    np.add.at(pcs, (np.arange(N_KEYS) + 21) % 12, note_mean)  # MIDI 21 = A0
    pcs = pcs / (pcs.sum() + 1e-9)
    fit_major = [_corr(pcs, np.roll(_MAJOR, k)) for k in range(12)]
    fit_minor = [_corr(pcs, np.roll(_MINOR, k)) for k in range(12)]
    best_major, best_minor = max(fit_major), max(fit_minor)
    tonic = int(np.argmax(fit_major if best_major >= best_minor else fit_minor))
    keys = np.arange(N_KEYS)
    w = np.maximum(note_mean - np.median(note_mean), 0.0)  # above the network's floor of ~0.1 on every key
    if w.sum() <= 0:
        w = np.ones(N_KEYS)
    w = w / w.sum()
    centroid = float(w @ keys)
    spread = float(np.sqrt(w @ (keys - centroid) ** 2))
    return np.array([best_major, best_minor, best_major - best_minor, *np.roll(pcs, -tonic), centroid / N_KEYS,
                     spread / N_KEYS, note_mean.sum(), onset_mean.sum(), (onset_mean > 0.1).mean()], np.float32)


def chunk_starts(n_samples: int, chunks: int) -> list[int]:
    """Starts of `chunks` network windows spread evenly over n_samples (first and last flush with the ends)."""
    if chunks <= 1 or n_samples <= WINDOW:
        return [0]
    return [int(round(s)) for s in np.linspace(0, n_samples - WINDOW, chunks)]


def excerpt_salience(net, excerpts: list[np.ndarray], sr: int, chunks: int) -> np.ndarray:
    """salience_features of each excerpt window (mono float audio at `sr`; W x N_SALIENCE), each read from
    `chunks` 2-s network windows spread across it (one batch through the network per excerpt: the activations of
    a whole track's chunks at once would take ~0.2 GB per worker)."""
    import torch

    rows = []
    for y in excerpts:
        y = resample(np.asarray(y, np.float32), sr)
        if len(y) < WINDOW:
            y = np.pad(y, (0, WINDOW - len(y)))
        batch = np.stack([y[s:s + WINDOW] for s in chunk_starts(len(y), chunks)])
        with torch.inference_mode():
            out = net(torch.from_numpy(np.ascontiguousarray(batch)))
        rows.append(salience_features(out["note"].numpy().reshape(-1, N_KEYS).mean(axis=0),
                                      out["onset"].numpy().reshape(-1, N_KEYS).mean(axis=0)))
    return np.stack(rows)


def resample(y: np.ndarray, sr: int) -> np.ndarray:
    """Mono audio at `sr` -> SR (22.05 kHz), band-limited through the FFT (scipy.fft; the bundle has no
    scipy.signal)."""
    if sr == SR or len(y) == 0:
        return np.asarray(y, np.float32)
    from scipy import fft as sfft

    n_out = int(round(len(y) * SR / sr))
    spec = sfft.rfft(np.asarray(y, np.float64))
    out = np.zeros(n_out // 2 + 1, np.complex128)
    m = min(len(spec), len(out))
    out[:m] = spec[:m]
    return (sfft.irfft(out, n_out) * (n_out / len(y))).astype(np.float32)
