"""Audio front end of the audio mood model: excerpt decoding, log-mel + chroma, hand-crafted features.

Plain numpy (+ soundfile / soxr / ffmpeg for decoding); no librosa, no torch, so it imports fast.

- `load_excerpts(path, ...)` decodes a few short windows spread across a file without decoding the whole
  file: soundfile seeks where libsndfile can (WAV, FLAC, OGG, MP3, ...), otherwise `ffmpeg -ss -t` per window
  (video files, AAC/M4A, ...), each call under a time limit.
- `spectra(y)` gives the log-mel spectrogram (N_MELS x T, dB) and a chroma matrix (12 x T).
- `handcrafted(mel_db, chroma)` gives a fixed-length vector (tempo, loudness, mode, spectral shape) that is
  fused into the network's head.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

SR = 16000
N_FFT = 1024
HOP = 512
N_MELS = 64
FMIN = 30.0
FMAX = 8000.0
CHROMA_FFT = 4096
WIN_S = 8.0
WIN_FRAMES = int(round(WIN_S * SR / HOP))  # 250
FRAME_RATE = SR / HOP
DB_FLOOR = -100.0

SOUNDFILE_EXT = {".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".au", ".w64", ".rf64", ".caf"}


class DecodeError(RuntimeError):
    """A file could not be decoded (reason in the message)."""


# --- decoding ----------------------------------------------------------------------------------------------------


def window_starts(duration: float, n_windows: int, win_s: float) -> list[float]:
    """Start times of n windows spread over the track (skipping the first/last few percent)."""
    if duration <= win_s * 1.05 or n_windows <= 1:
        if duration <= win_s * 1.05:
            return [0.0]
        return [max(0.0, duration / 2 - win_s / 2)]
    if duration < win_s * n_windows:
        # short file (e.g. a 20-30 s clip): tile it from start to end
        step = (duration - win_s) / (n_windows - 1)
        return [i * step for i in range(n_windows)]
    lo, hi = 0.1 * duration, 0.9 * duration - win_s
    if hi <= lo:
        lo, hi = 0.0, duration - win_s
    return [lo + (hi - lo) * i / (n_windows - 1) for i in range(n_windows)]


def _to_mono_16k(y: np.ndarray, sr: int) -> np.ndarray:
    if y.ndim == 2:
        y = y.mean(axis=1)
    y = np.ascontiguousarray(y, dtype=np.float32)
    if sr != SR and len(y):
        import soxr

        y = soxr.resample(y, sr, SR, quality="HQ").astype(np.float32)
    return y


def _soundfile_excerpts(path: Path, n_windows: int, win_s: float, deadline: float,
                        channels: list | None = None) -> list[np.ndarray]:
    import soundfile as sf

    with sf.SoundFile(str(path)) as fh:
        sr = fh.samplerate
        frames = fh.frames
        if frames <= 0:
            raise DecodeError("no audio frames")
        if fh.channels > 2:  # (5.1 and the like: ffmpeg downmixes them to stereo, as for every other format)
            raise DecodeError(f"{fh.channels} channels: left to ffmpeg's downmix")
        duration = frames / sr
        out = []
        for start in window_starts(duration, n_windows, win_s):
            if time.monotonic() > deadline:
                raise DecodeError("time limit exceeded while decoding")
            s = int(start * sr)
            if fh.seekable():
                fh.seek(s)
            else:  # pragma: no cover - libsndfile seeks all formats we route here
                raise DecodeError("not seekable")
            y = fh.read(int(win_s * sr), dtype="float32", always_2d=True)
            if len(y) == 0:
                continue
            if channels is not None:
                channels.append((y, sr))
            out.append(_to_mono_16k(y, sr))
    return out


def ffprobe_audio(path: Path, timeout_s: float) -> tuple[float, int]:
    """(duration in s, 0 when unknown; channels of the first audio stream, at least 1)."""
    exe = shutil.which("ffprobe")
    if not exe:
        raise DecodeError("ffprobe not installed")
    cmd = [exe, "-v", "error", "-select_streams", "a:0", "-show_entries", "format=duration:stream=duration,channels",
           "-of", "json", str(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=max(0.5, timeout_s), stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise DecodeError("ffprobe timed out") from exc
    if proc.returncode != 0:
        raise DecodeError("ffprobe: " + proc.stderr.decode(errors="replace").strip()[-300:])
    info = json.loads(proc.stdout or b"{}")
    streams = info.get("streams") or []
    if not streams:
        raise DecodeError("no audio stream")
    try:
        n_channels = max(1, int(streams[0].get("channels") or 1))
    except (TypeError, ValueError):
        n_channels = 1
    for cand in (streams[0].get("duration"), info.get("format", {}).get("duration")):
        try:
            d = float(cand)
            if d > 0 and math.isfinite(d):
                return d, n_channels
        except (TypeError, ValueError):
            pass
    return 0.0, n_channels


def _ffmpeg_excerpts(path: Path, n_windows: int, win_s: float, deadline: float,
                     channels: list | None = None) -> list[np.ndarray]:
    exe = shutil.which("ffmpeg")
    if not exe:
        raise DecodeError("ffmpeg not installed (needed for this format)")
    duration, n_channels = ffprobe_audio(path, deadline - time.monotonic())
    n_channels = min(n_channels, 2)  # (more, as in a film's 5.1, come down to stereo)
    starts = window_starts(duration, n_windows, win_s) if duration > 0 else [0.0]
    out = []
    for start in starts:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise DecodeError("time limit exceeded while decoding")
        cmd = [exe, "-nostdin", "-v", "error", "-ss", f"{start:.3f}", "-t", f"{win_s:.3f}", "-i", str(path),
               "-vn", "-sn", "-dn", "-map", "0:a:0", "-ac", str(n_channels), "-ar", str(SR), "-f", "f32le", "-"]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=remaining, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise DecodeError("time limit exceeded while decoding (ffmpeg)") from exc
        if proc.returncode != 0:
            raise DecodeError("ffmpeg: " + proc.stderr.decode(errors="replace").strip()[-300:])
        y = np.frombuffer(proc.stdout, dtype=np.float32)
        y = y[: len(y) - len(y) % n_channels].reshape(-1, n_channels)
        if len(y):
            if channels is not None:
                channels.append((y, SR))
            out.append(np.ascontiguousarray(y.mean(axis=1)))  # the channels' mean, as for the files above
    return out


def load_excerpts(path: Path | str, n_windows: int = 3, win_s: float = WIN_S,
                  time_limit_s: float = 30.0, channels: list | None = None) -> list[np.ndarray]:
    """Decode n_windows mono 16 kHz excerpts of win_s seconds spread across the file (the channels' mean). With
    `channels`, each excerpt's channels are appended to it too, as (frames x channels array, sample rate): what
    loudness is measured on.

    Raises DecodeError with a human-readable reason when the file cannot be decoded.
    """
    path = Path(path)
    if not path.is_file():
        raise DecodeError("file not found")
    deadline = time.monotonic() + time_limit_s
    out: list[np.ndarray] = []
    err: Exception | None = None
    if path.suffix.lower() in SOUNDFILE_EXT:
        try:
            out = _soundfile_excerpts(path, n_windows, win_s, deadline, channels)
        except DecodeError as exc:
            if "time limit" in str(exc):
                raise
            err = exc
        except Exception as exc:  # libsndfile refused it: try ffmpeg
            err = exc
    if not out:
        try:
            if channels is not None:
                channels.clear()  # (libsndfile may have read some before it gave up)
            out = _ffmpeg_excerpts(path, n_windows, win_s, deadline, channels)
        except DecodeError as exc:
            if err is not None and "not installed" in str(exc):
                raise DecodeError(f"{err}") from exc
            raise
    out = [y for y in out if len(y) >= SR // 2]
    if not out:
        raise DecodeError("no decodable audio (empty or shorter than 0.5 s)")
    if all(float(np.max(np.abs(y))) < 1e-6 for y in out):
        # silence is decodable; keep it (the model gives a low-arousal reading)
        pass
    return out


# --- spectra -------------------------------------------------------------------------------------------------------


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def _mel_to_hz(m: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


@lru_cache(maxsize=4)
def mel_filterbank(n_fft: int = N_FFT, n_mels: int = N_MELS, sr: int = SR) -> np.ndarray:
    """Triangular HTK-mel filters (n_mels x n_fft//2+1), area-normalised."""
    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    mpts = np.linspace(_hz_to_mel(FMIN), _hz_to_mel(FMAX), n_mels + 2)
    hz = _mel_to_hz(mpts)
    fb = np.zeros((n_mels, len(freqs)))
    for i in range(n_mels):
        lo, c, hi = hz[i], hz[i + 1], hz[i + 2]
        up = (freqs - lo) / max(c - lo, 1e-9)
        down = (hi - freqs) / max(hi - c, 1e-9)
        fb[i] = np.maximum(0.0, np.minimum(up, down))
        fb[i] *= 2.0 / max(hi - lo, 1e-9)
    return fb.astype(np.float32)


@lru_cache(maxsize=2)
def chroma_filterbank(n_fft: int = CHROMA_FFT, sr: int = SR) -> np.ndarray:
    """12 x n_fft//2+1 matrix summing STFT power of bins 55 Hz..4 kHz into pitch classes (C=0)."""
    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    fb = np.zeros((12, len(freqs)))
    valid = (freqs >= 55.0) & (freqs <= 4000.0)
    midi = 69 + 12 * np.log2(np.maximum(freqs, 1e-6) / 440.0)
    for k in np.nonzero(valid)[0]:
        m = midi[k]
        nearest = int(np.round(m))
        dev = abs(m - nearest)  # semitones off the nearest pitch
        w = max(0.0, 1.0 - 2.0 * dev)  # triangular weight: 1 on pitch, 0 a quarter-tone away
        fb[nearest % 12, k] += w
    return fb.astype(np.float32)


def _frames(y: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    pad = n_fft // 2
    y = np.pad(y, (pad, pad), mode="constant")
    if len(y) < n_fft:
        y = np.pad(y, (0, n_fft - len(y)))
    return np.lib.stride_tricks.sliding_window_view(y, n_fft)[::hop]


@lru_cache(maxsize=4)
def _hann(n: int) -> np.ndarray:
    return np.hanning(n + 1)[:-1].astype(np.float32)


def _power(frames: np.ndarray, n_fft: int) -> np.ndarray:
    from scipy import fft as sfft

    spec = sfft.rfft(frames * _hann(n_fft), axis=1)
    return (spec.real ** 2 + spec.imag ** 2).astype(np.float32)


CHROMA_STEP = 4  # chroma is computed on every 4th mel frame (128 ms); enough for key / harmony statistics


def spectra(y: np.ndarray, chroma_step: int = CHROMA_STEP) -> tuple[np.ndarray, np.ndarray]:
    """(log-mel dB [N_MELS x T], chroma [12 x ceil(T / chroma_step)] normalised per frame) of mono 16 kHz audio.

    Chroma frame k is centred on mel frame k * chroma_step.
    """
    y = np.asarray(y, dtype=np.float32)
    if len(y) < N_FFT:
        y = np.pad(y, (0, N_FFT - len(y)))
    power = _power(_frames(y, N_FFT, HOP), N_FFT)  # T x F
    mel = power @ mel_filterbank().T  # T x M
    mel_db = 10.0 * np.log10(np.maximum(mel, 1e-10))
    mel_db = np.maximum(mel_db, DB_FLOOR).T.astype(np.float32)
    fr2 = _frames(y, CHROMA_FFT, HOP * chroma_step)[: (mel_db.shape[1] + chroma_step - 1) // chroma_step]
    chroma = np.sqrt(_power(fr2, CHROMA_FFT) @ chroma_filterbank().T)  # T' x 12
    chroma = chroma / np.maximum(chroma.sum(axis=1, keepdims=True), 1e-8)
    return mel_db, chroma.T.astype(np.float32)


# --- hand-crafted features -----------------------------------------------------------------------------------------

# Krumhansl-Kessler key profiles (C major / C minor).
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

FEATURE_NAMES = (
    "loud_mean", "loud_std", "loud_p90", "loud_p10",
    "flux_mean", "flux_std", "onset_rate", "tempo", "pulse_clarity",
    "centroid_mean", "centroid_std", "flatness", "hf_ratio", "lf_ratio",
    "key_major_r", "key_minor_r", "mode_diff", "key_clarity",
    "ivl1", "ivl2", "ivl3", "ivl4", "ivl5", "ivl6",
    "chroma_entropy", "harm_change",
    "band0", "band1", "band2", "band3", "band4", "band5", "band6", "band7",
)
N_FEATURES = len(FEATURE_NAMES)


def _corr_rows(profile: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Pearson r of chroma c with the 12 rotations of profile."""
    rots = np.stack([np.roll(profile, k) for k in range(12)])
    rots = rots - rots.mean(axis=1, keepdims=True)
    cc = c - c.mean()
    den = np.linalg.norm(rots, axis=1) * max(np.linalg.norm(cc), 1e-9)
    return rots @ cc / den


def handcrafted(mel_db: np.ndarray, chroma: np.ndarray) -> np.ndarray:
    """Fixed-length feature vector (FEATURE_NAMES) of one window."""
    T = mel_db.shape[1]
    power = 10.0 ** (mel_db / 10.0)  # M x T
    energy = power.sum(axis=0) + 1e-10
    loud = 10.0 * np.log10(energy)
    f = {}
    f["loud_mean"] = float(np.mean(loud)) / 20.0
    f["loud_std"] = float(np.std(loud)) / 10.0
    f["loud_p90"] = float(np.percentile(loud, 90)) / 20.0
    f["loud_p10"] = float(np.percentile(loud, 10)) / 20.0
    # spectral flux on the dB mel spectrogram (onset strength)
    flux = np.maximum(0.0, np.diff(mel_db, axis=1)).mean(axis=0) if T > 1 else np.zeros(1)
    f["flux_mean"] = float(np.mean(flux)) / 5.0
    f["flux_std"] = float(np.std(flux)) / 5.0
    thr = np.mean(flux) + 0.5 * np.std(flux)
    peaks = (flux[1:-1] > flux[:-2]) & (flux[1:-1] >= flux[2:]) & (flux[1:-1] > thr) if len(flux) > 2 else []
    f["onset_rate"] = float(np.sum(peaks)) / max(T / FRAME_RATE, 1e-3) / 10.0
    # tempo from the autocorrelation of the onset envelope (40..240 BPM)
    env = flux - flux.mean()
    ac = np.correlate(env, env, mode="full")[len(env) - 1:] if len(env) > 4 else np.ones(2)
    ac = ac / max(ac[0], 1e-9)
    lo_lag = max(1, int(FRAME_RATE * 60 / 240))
    hi_lag = min(len(ac) - 1, int(FRAME_RATE * 60 / 40))
    if hi_lag > lo_lag:
        lags = np.arange(lo_lag, hi_lag + 1)
        bpm = 60.0 * FRAME_RATE / lags
        weight = np.exp(-0.5 * (np.log2(bpm / 120.0) / 1.0) ** 2)  # prefer tempi near 120 BPM
        k = int(np.argmax(ac[lags] * weight))
        f["tempo"] = float(bpm[k]) / 120.0
        f["pulse_clarity"] = float(ac[lags[k]])
    else:
        f["tempo"], f["pulse_clarity"] = 1.0, 0.0
    # spectral shape (on the mel axis)
    pn = power / power.sum(axis=0, keepdims=True).clip(1e-10)
    bins = np.arange(mel_db.shape[0])[:, None] / mel_db.shape[0]
    cent = (pn * bins).sum(axis=0)
    w = energy / energy.sum()
    f["centroid_mean"] = float((cent * w).sum())
    f["centroid_std"] = float(np.sqrt((w * (cent - f["centroid_mean"]) ** 2).sum()))
    geo = np.exp(np.mean(np.log(power + 1e-10), axis=0))
    f["flatness"] = float(np.mean(geo / (power.mean(axis=0) + 1e-10)))
    tot = power.sum()
    m = mel_db.shape[0]
    f["hf_ratio"] = float(power[int(m * 0.7):].sum() / max(tot, 1e-10))
    f["lf_ratio"] = float(power[: int(m * 0.2)].sum() / max(tot, 1e-10))
    # tonality: key profile correlations, interval content (transposition invariant)
    step = max(1, int(round(T / max(chroma.shape[1], 1))))
    if step > 1 or chroma.shape[1] != T:
        wc = w[::step][: chroma.shape[1]]
        chroma = chroma[:, : len(wc)]
        wc = wc / max(wc.sum(), 1e-12)
    else:
        wc = w
    cw = (chroma * wc[None, :]).sum(axis=1)
    cw = cw / max(cw.sum(), 1e-9)
    rmaj = _corr_rows(_MAJOR, cw)
    rmin = _corr_rows(_MINOR, cw)
    f["key_major_r"] = float(rmaj.max())
    f["key_minor_r"] = float(rmin.max())
    f["mode_diff"] = f["key_major_r"] - f["key_minor_r"]
    allr = np.sort(np.concatenate([rmaj, rmin]))
    f["key_clarity"] = float(allr[-1] - allr[-2])
    cc = cw - cw.mean()
    den = max(float(cc @ cc), 1e-12)
    for lag in range(1, 7):
        f[f"ivl{lag}"] = float(cc @ np.roll(cc, lag)) / den
    ent = -(chroma * np.log(chroma + 1e-9)).sum(axis=0) / math.log(12)
    f["chroma_entropy"] = float((ent * wc).sum())
    if chroma.shape[1] > 1:
        num = (chroma[:, 1:] * chroma[:, :-1]).sum(axis=0)
        den2 = np.linalg.norm(chroma[:, 1:], axis=0) * np.linalg.norm(chroma[:, :-1], axis=0) + 1e-9
        f["harm_change"] = float(np.mean(1.0 - num / den2)) * 5.0
    else:
        f["harm_change"] = 0.0
    bands = np.array_split(np.arange(m), 8)
    mean_db = mel_db.mean(axis=1)
    ref = float(mean_db.max())
    for i, b in enumerate(bands):
        f[f"band{i}"] = float(mean_db[b].mean() - ref) / 20.0
    vec = np.array([f[k] for k in FEATURE_NAMES], dtype=np.float32)
    return np.nan_to_num(vec, nan=0.0, posinf=0.0, neginf=0.0)


def crop(mel_db: np.ndarray, chroma: np.ndarray, start: int, frames: int = WIN_FRAMES,
         chroma_step: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A window of `frames` mel frames starting at `start` (no padding) and the chroma frames that belong to it,
    at the inference chroma rate (every CHROMA_STEP-th mel frame). `chroma_step` is the step of the given
    chroma (1 = one chroma frame per mel frame, as in the training cache)."""
    m = mel_db[:, start:start + frames]
    if chroma_step == 1:
        c = chroma[:, start:start + frames:CHROMA_STEP]
    else:
        c = chroma[:, start // chroma_step:(start + frames + chroma_step - 1) // chroma_step]
    return m, c


def pad_window(mel_db: np.ndarray, frames: int = WIN_FRAMES) -> np.ndarray:
    if mel_db.shape[1] >= frames:
        return mel_db[:, :frames]
    return np.pad(mel_db, ((0, 0), (0, frames - mel_db.shape[1])), constant_values=DB_FLOOR)


def window_inputs(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mel window [N_MELS x WIN_FRAMES], hand-crafted features) of one excerpt."""
    m, feats, _ = window_features(y, with_harmony=False)
    return m, feats


def window_features(y: np.ndarray, with_harmony: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mel window [N_MELS x WIN_FRAMES], hand-crafted features, harmony features) of one excerpt; the spectra
    are computed once for both feature sets."""
    mel_db, chroma = spectra(y)
    m = mel_db[:, :WIN_FRAMES]
    c = chroma[:, : (WIN_FRAMES + CHROMA_STEP - 1) // CHROMA_STEP]
    if m.shape[1] < 8:
        return pad_window(m), np.zeros(N_FEATURES, np.float32), np.zeros(N_HARMONY, np.float32)
    feats = handcrafted(m, c)
    harm = np.zeros(N_HARMONY, np.float32)
    if with_harmony:
        energy = (10.0 ** (m / 10.0)).sum(axis=0)[::CHROMA_STEP][: c.shape[1]]
        harm = harmony(c[:, : len(energy)], energy)
    return pad_window(m), feats, harm


# --- harmony features (chord qualities, key-relative pitch use, tonal space) ---------------------------------------

CHORD_QUALITIES = {  # intervals above the root
    "maj": (0, 4, 7), "min": (0, 3, 7), "dim": (0, 3, 6), "aug": (0, 4, 8),
    "sus4": (0, 5, 7), "dom7": (0, 4, 7, 10), "min7": (0, 3, 7, 10), "maj7": (0, 4, 7, 11),
}
HARMONY_NAMES = (
    *(f"chord_{q}" for q in CHORD_QUALITIES), "chordness",
    *(f"degree{k}" for k in range(12)),
    "tonnetz_fifths", "tonnetz_minor3", "tonnetz_major3", "tonal_change",
)
N_HARMONY = len(HARMONY_NAMES)


@lru_cache(maxsize=1)
def _chord_templates() -> np.ndarray:
    """(qualities x 12 roots) x 12 unit-norm templates."""
    rows = []
    for ivs in CHORD_QUALITIES.values():
        for root in range(12):
            t = np.zeros(12)
            t[[(root + i) % 12 for i in ivs]] = 1.0
            rows.append(t / np.linalg.norm(t))
    return np.stack(rows).astype(np.float32)


@lru_cache(maxsize=1)
def _tonnetz_basis() -> np.ndarray:
    """6 x 12: pitch classes on the circle of fifths, of minor thirds and of major thirds (Harte et al. 2006)."""
    pc = np.arange(12)
    return np.stack([np.sin(pc * 7 * np.pi / 6), np.cos(pc * 7 * np.pi / 6),
                     np.sin(pc * 3 * np.pi / 2), np.cos(pc * 3 * np.pi / 2),
                     0.5 * np.sin(pc * 2 * np.pi / 3), 0.5 * np.cos(pc * 2 * np.pi / 3)]).astype(np.float32)


def harmony(chroma: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Transposition-invariant harmony features (HARMONY_NAMES) of one window's chroma (12 x T, columns summing
    to 1), frames weighted by `weights` (energy; uniform when None): the energy share of frames whose best chord
    template has each quality, how chord-like the frames are, the mean pitch-class profile rotated to the best
    key's tonic, the strength of the mean tonal centroid on each tonnetz circle and the mean frame-to-frame
    tonal change."""
    c = np.asarray(chroma, dtype=np.float32)
    T = c.shape[1] if c.ndim == 2 else 0
    if T == 0:
        return np.zeros(N_HARMONY, np.float32)
    w = np.ones(T, np.float32) if weights is None else np.asarray(weights, np.float32)[:T]
    w = w / max(float(w.sum()), 1e-12)
    norms = np.linalg.norm(c, axis=0) + 1e-9
    sims = _chord_templates() @ (c / norms)  # (Q*12) x T cosine similarities
    best = sims.argmax(axis=0)
    nq = len(CHORD_QUALITIES)
    quality = best // 12
    f = [float(w[quality == k].sum()) for k in range(nq)]
    f.append(float((sims.max(axis=0) * w).sum()))
    cw = (c * w[None, :]).sum(axis=1)
    cw = cw / max(float(cw.sum()), 1e-9)
    rmaj, rmin = _corr_rows(_MAJOR, cw), _corr_rows(_MINOR, cw)
    tonic = int(np.argmax(rmaj)) if rmaj.max() >= rmin.max() else int(np.argmax(rmin))
    f += list(np.roll(cw, -tonic) * 4.0)  # share of each scale degree (x4: about unit scale)
    tz = _tonnetz_basis() @ c  # 6 x T tonal centroids
    mean_tz = (tz * w[None, :]).sum(axis=1)
    f += [float(np.hypot(mean_tz[2 * i], mean_tz[2 * i + 1])) * (2.0 if i == 2 else 1.0) for i in range(3)]
    f.append(float(np.linalg.norm(np.diff(tz, axis=1), axis=0).mean()) * 5.0 if T > 1 else 0.0)
    return np.nan_to_num(np.array(f, dtype=np.float32), nan=0.0, posinf=0.0, neginf=0.0)


def window_harmony(y: np.ndarray) -> np.ndarray:
    """Harmony features of one excerpt (chroma frames weighted by their mel energy)."""
    return window_features(y)[2]
