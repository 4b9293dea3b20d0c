"""The audio mood model: musicnn (MSD and MTT, pretrained, frozen) embeddings + hand-crafted features -> heads.

`AudioMoodModel.load(path=None)` loads the shipped weights lazily (torch is imported only then);
`predict_file(path)` decodes 3 short windows spread across the file (never the whole file) and returns
valence, arousal (in [-1, 1]), quadrant, quadrant probabilities, mood words with confidences, model_version.

Per track: 3 windows of 8 s (audio_features.load_excerpts); per window the 34 hand-crafted features
(audio_features.window_inputs) and musicnn on PATCHES_PER_WINDOW 3-s patches (the first and the last 3 s of the
window) through MSD_musicnn, and MTT_musicnn (same architecture) on the same patches or, as the shipped config's
`mtt_patches_per_window` = 1 says, on each window's first patch only; with the part "sal", also Basic Pitch's note
salience on `salience_chunks` 2-s stretches of each window (emotion.basicpitch: key fit, key-relative pitch-class
profile, register, note and onset activity). The head input is [mean penultimate (200) and mean tag logits (50) of
each network, mean hand-crafted (34), mean salience features (20)] (the config's `parts`), standardised; the
heads (an ensemble of small MLPs or linear maps, trained by emotion.train_audio) give
valence/arousal, quadrant logits and the nine GEMS words.

Weights: one safetensors file holding the converted musicnn networks ('musicnn.*' = MSD, 'musicnn_mtt.*' = MTT),
their mel filter bank, the Basic Pitch network ('basic_pitch.*', when the heads read "sal"), the
heads ('head<k>.*') and the input standardisation; the config is JSON in the file's metadata.
MODEL_VERSION is derived from a hash of the weights file, so it changes whenever the weights change.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from emotion import audio_features as af
from emotion import basicpitch as bp
from emotion import musicnn as mn
from emotion.mood_space import GEMS, QUADRANT_MOOD_WORDS, QUADRANTS

WEIGHTS_NAME = "audio_mood.safetensors"
N_WINDOWS = 3
PATCHES_PER_WINDOW = 2
SALIENCE_CHUNKS = 4  # Basic Pitch 2-s stretches per window (4 x ~2 s: all of its 8 s)
# head outputs: valence/arousal logits of the EMOPIA expert (0:2), quadrant logits (2:6), GEMS logits (6:15),
# valence/arousal of the recordings (Emotify) expert (15:17), domain logit (17: rendered-symbolic vs recording)
N_OUT = 2 + 4 + len(GEMS) + 2 + 1


def default_weights_path() -> Path:
    try:
        from library.paths import models_dir

        return models_dir() / WEIGHTS_NAME
    except Exception:  # pragma: no cover - library.paths missing
        return Path(__file__).resolve().parents[1] / "resources" / "models" / WEIGHTS_NAME


def version_of(path: Path) -> str:
    """Model version string of a weights file: 'audio-mnn-' + the first 12 hex digits of its SHA-256."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except OSError:
        return "audio-mnn-missing"
    return f"audio-mnn-{digest}"


MODEL_VERSION: str = version_of(default_weights_path())

# Simple mood words derived from the quadrant probabilities (besides the nine GEMS words).
QUADRANT_WORDS = QUADRANT_MOOD_WORDS


# --- features ----------------------------------------------------------------------------------------------------


def patch_starts(n_frames: int, per_window: int = PATCHES_PER_WINDOW) -> list[int]:
    """Start frames of the musicnn patches within one window's log-mel (first and last 187 frames, ...)."""
    last = max(0, n_frames - mn.PATCH_FRAMES)
    if per_window <= 1 or last == 0:
        return [0]
    return sorted({int(round(last * i / (per_window - 1))) for i in range(per_window)})


def window_patches(y: np.ndarray, mel_fb: np.ndarray, per_window: int = PATCHES_PER_WINDOW) -> np.ndarray:
    """musicnn log-mel patches (P x 187 x 96) of one excerpt (mono 16 kHz)."""
    lm = mn.log_mel(y, mel_fb)
    if lm.shape[0] < mn.PATCH_FRAMES:
        lm = np.pad(lm, ((0, mn.PATCH_FRAMES - lm.shape[0]), (0, 0)))
    return np.stack([lm[s:s + mn.PATCH_FRAMES] for s in patch_starts(lm.shape[0], per_window)])


# head input part -> (feature array, reduction over its windows / patches, width)
PARTS: dict[str, tuple[str, str, int]] = {
    "pen": ("pen", "mean", 200), "logits": ("logits", "mean", 50),  # MSD_musicnn
    "mpen": ("mtt_pen", "mean", 200), "mlogits": ("mtt_logits", "mean", 50),  # MTT_musicnn
    "hc": ("hc", "mean", af.N_FEATURES), "harm": ("harm", "mean", af.N_HARMONY),
    "pen_std": ("pen", "std", 200), "hc_std": ("hc", "std", af.N_FEATURES),  # how much the music changes
    "meanpool": ("mean_pool", "mean", 753),
    "sal": ("sal", "mean", bp.N_SALIENCE),  # Basic Pitch note salience (key, register, note / onset activity)
}
PART_DIMS = {p: dim for p, (_, _, dim) in PARTS.items()}


def head_input(feats: dict[str, np.ndarray], parts: tuple[str, ...]) -> np.ndarray:
    """The head's raw input vector of one track from its per-window / per-patch features."""
    vecs = []
    for p in parts:
        if p not in PARTS:
            raise ValueError(f"unknown head input part {p!r}")
        key, how, _ = PARTS[p]
        x = feats[key].astype(np.float32, copy=False)
        vecs.append(x.std(axis=0) if how == "std" else x.mean(axis=0))
    return np.concatenate(vecs).astype(np.float32)


MTT_PARTS = ("mpen", "mlogits")


def mtt_first_only(config: dict) -> bool:
    """Whether a config reads the second network (MTT) on each window's first patch only
    (`mtt_patches_per_window`, by default the MSD network's `patches_per_window`, equal to 1)."""
    per_window = int(config.get("patches_per_window", PATCHES_PER_WINDOW))
    return int(config.get("mtt_patches_per_window", per_window)) == 1


def track_features(net, mel_fb: np.ndarray, excerpts: list[np.ndarray],
                   per_window: int = PATCHES_PER_WINDOW, with_harmony: bool = True,
                   net_mtt=None, mtt_first_only: bool = False, net_bp=None,
                   salience_chunks: int = SALIENCE_CHUNKS) -> dict[str, np.ndarray]:
    """Per-window hand-crafted features (W x 34) and harmony features (W x 25; zeros unless with_harmony), and
    per-patch musicnn outputs (penultimate P x 200, tag logits P x 50, mean/max pools P x 753 as float16) of one
    track's excerpts; with `net_mtt`, also its penultimate and logits (mtt_pen, mtt_logits) on the same patches,
    or with `mtt_first_only` on each window's first patch only (half the cost of the second network); with
    `net_bp`, the Basic Pitch salience features of each window (sal, W x 20)."""
    import torch

    hc, harm, pats, first = [], [], [], []
    for y in excerpts:
        _, f, h = af.window_features(y, with_harmony)
        hc.append(f)
        harm.append(h)
        first.append(sum(len(p) for p in pats))
        pats.append(window_patches(y, mel_fb, per_window))
    x = torch.from_numpy(np.ascontiguousarray(np.concatenate(pats), dtype=np.float32))
    with torch.inference_mode():
        out = net(x)
    feats = {"hc": np.stack(hc).astype(np.float32), "harm": np.stack(harm).astype(np.float32),
             "pen": out["penultimate"].numpy(), "logits": out["logits"].numpy(),
             "mean_pool": out["mean_pool"].numpy().astype(np.float16),
             "max_pool": out["max_pool"].numpy().astype(np.float16)}
    if net_mtt is not None:
        with torch.inference_mode():
            out2 = net_mtt(x[first] if mtt_first_only else x)
        feats["mtt_pen"] = out2["penultimate"].numpy()
        feats["mtt_logits"] = out2["logits"].numpy()
    if net_bp is not None:
        feats["sal"] = bp.excerpt_salience(net_bp, excerpts, af.SR, salience_chunks)
    return feats


def part_columns(parts: tuple[str, ...] | list[str], group: tuple[str, ...] | list[str]) -> list[int]:
    """Columns of the head input (laid out as `parts`) that belong to the parts in `group`."""
    cols, off = [], 0
    for p in parts:
        if p in group:
            cols += list(range(off, off + PART_DIMS[p]))
        off += PART_DIMS[p]
    return cols


def build_head(d_in: int, hidden: int, dropout: float = 0.0, cols: list[int] | None = None):
    """One head: a linear map (hidden == 0) or a one-hidden-layer MLP, N_OUT outputs, reading the input
    columns `cols` (all when None)."""
    import torch
    from torch import nn

    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            idx = torch.arange(d_in) if cols is None else torch.tensor(cols, dtype=torch.long)
            self.register_buffer("cols", idx)
            n = len(idx)
            if hidden <= 0:
                self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(n, N_OUT))
            else:
                self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(n, hidden), nn.ReLU(), nn.Dropout(dropout),
                                         nn.Linear(hidden, N_OUT))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.net(x.index_select(1, self.cols))

    return Head()


REC_OUTPUTS = {"valence": 15, "arousal": 16}  # the recordings expert's outputs (before tanh(x / 2))
EMO_OUTPUTS = {"valence": 0, "arousal": 1}  # the EMOPIA expert's sign outputs (logits; read as tanh(x / 2))
RIDGE_ALPHAS = tuple(float(a) for a in np.logspace(0, 5, 11))


def fit_ridge_loo(x: np.ndarray, y: np.ndarray, alphas: tuple[float, ...] = RIDGE_ALPHAS
                  ) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Ridge regression of y (n x k) on x (n x d) with an intercept, the penalty of each target chosen from
    `alphas` by exact leave-one-out error on these rows only; returns (weight k x d, bias k, chosen alphas)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).reshape(len(x), -1)
    xm, ym = x.mean(axis=0), y.mean(axis=0)
    u, s, vt = np.linalg.svd(x - xm, full_matrices=False)
    uty = u.T @ (y - ym)  # r x k
    n = len(x)
    weight, chosen = np.zeros((y.shape[1], x.shape[1])), []
    for j in range(y.shape[1]):
        best = (np.inf, alphas[0])
        for a in alphas:
            shrink = s ** 2 / (s ** 2 + a)
            fit = u @ (shrink * uty[:, j]) + ym[j]
            hat = (u ** 2) @ shrink + 1.0 / n
            loo = np.mean(((y[:, j] - fit) / np.clip(1.0 - hat, 1e-6, None)) ** 2)
            if loo < best[0]:
                best = (loo, a)
        a = best[1]
        weight[j] = vt.T @ (s / (s ** 2 + a) * uty[:, j])
        chosen.append(float(a))
    return weight.astype(np.float32), (ym - weight @ xm).astype(np.float32), chosen


def heads_view(out: np.ndarray, gated: bool) -> dict[str, Any]:
    """The readings of one track's head outputs (as head_outputs returns them)."""
    qprob = out[2:6]
    return {
        "valence": float(np.tanh(out[0] / 2.0)), "arousal": float(np.tanh(out[1] / 2.0)),
        "valence_quadrant": float(2.0 * (qprob[0] + qprob[3]) - 1.0),
        "arousal_quadrant": float(2.0 * (qprob[0] + qprob[1]) - 1.0),
        "valence_rec": float(np.tanh(out[15] / 2.0)), "arousal_rec": float(np.tanh(out[16] / 2.0)),
        "gate": float(out[17]) if gated else 1.0,
        "qprob": np.asarray(qprob, dtype=np.float64), "gems": np.asarray(out[6:15], dtype=np.float64),
    }


def combine(h: dict[str, Any], blend: float) -> tuple[float, float]:
    """Valence/arousal: the EMOPIA expert (its regression outputs blended with the quadrant head's marginals,
    weight `blend`) and the recordings expert, weighted by the gate (1 = rendered symbolic music)."""
    v_sym = (1.0 - blend) * h["valence"] + blend * h["valence_quadrant"]
    a_sym = (1.0 - blend) * h["arousal"] + blend * h["arousal_quadrant"]
    g = h["gate"]
    return g * v_sym + (1.0 - g) * h["valence_rec"], g * a_sym + (1.0 - g) * h["arousal_rec"]


def quadrant_probs(valence: float, arousal: float) -> np.ndarray:
    """Q1-Q4 probabilities of a valence / arousal reading in [-1, 1], read as P(above 0) = (1 + x) / 2 each,
    independently; the most probable quadrant is the one the reading lies in."""
    pv, pa = (1.0 + valence) / 2.0, (1.0 + arousal) / 2.0
    return np.array([pv * pa, (1 - pv) * pa, (1 - pv) * (1 - pa), pv * (1 - pa)], dtype=np.float64)


def _readout_columns(config: dict[str, Any], key: str, columns: dict[str, int],
                     fit: tuple[np.ndarray, np.ndarray] | None) -> list[int]:
    """Head-output columns that the stored linear read-out `key` replaces (the outputs config[key] names)."""
    cols = [columns[name] for name in config.get(key, ())]
    if cols and (fit is None or len(fit[0]) != len(cols)):
        raise ValueError(f"the config names {key} outputs {config.get(key)} the weights do not have")
    return cols


def _loudness_of(channels: list) -> float | None:
    """BS.1770 loudness of the excerpts' channels (emotion/loudness.py), as load_excerpts handed them over; None
    when it cannot be measured (the mood tag never depends on it)."""
    try:
        from emotion.loudness import loudness

        return loudness([y for y, _ in channels], channels[0][1]) if channels else None
    except Exception:  # (scipy.signal missing from a broken install, say)
        logging.getLogger(__name__).exception("loudness not measured")
        return None


class AudioMoodModel:
    """musicnn + heads with their config; predict is thread-safe (nothing is mutated at inference)."""

    def __init__(self, musicnn, mel_fb: np.ndarray, heads: list, x_mean: np.ndarray, x_std: np.ndarray,
                 config: dict[str, Any], version: str, musicnn_mtt=None,
                 rec_ridge: tuple[np.ndarray, np.ndarray] | None = None, basic_pitch=None,
                 emo_logreg: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        self.musicnn = musicnn
        self.musicnn_mtt = musicnn_mtt
        self.basic_pitch = basic_pitch
        self.mel_fb = np.asarray(mel_fb, dtype=np.float32)
        self.heads = heads
        self.x_mean = np.asarray(x_mean, dtype=np.float32)
        self.x_std = np.asarray(x_std, dtype=np.float32)
        self.config = config
        self.version = version
        self.parts = tuple(config.get("parts", ("pen", "logits", "hc")))
        self.per_window = int(config.get("patches_per_window", PATCHES_PER_WINDOW))
        self.mtt_first_only = mtt_first_only(config)
        self.salience_chunks = int(config.get("salience_chunks", SALIENCE_CHUNKS))
        # linear read-outs that replace the ensemble's outputs named in the config: ridge regressions for the
        # recordings expert (config["rec_ridge"]), logistic regressions for the EMOPIA expert's signs ("emo_logreg")
        self.rec_ridge, self.emo_logreg = rec_ridge, emo_logreg
        self.rec_outputs = _readout_columns(config, "rec_ridge", REC_OUTPUTS, rec_ridge)
        self.emo_outputs = _readout_columns(config, "emo_logreg", EMO_OUTPUTS, emo_logreg)

    @classmethod
    def load(cls, path: Path | None = None, threads: int | None = None) -> AudioMoodModel:
        import torch
        from safetensors import safe_open
        from safetensors.torch import load_file

        if threads is not None:
            torch.set_num_threads(max(1, int(threads)))
        path = Path(path) if path is not None else default_weights_path()
        if not path.is_file():
            raise FileNotFoundError(f"audio model weights not found: {path}")
        with safe_open(str(path), framework="pt") as fh:
            meta = fh.metadata() or {}
        config = json.loads(meta.get("config", "{}"))
        tensors = load_file(str(path))
        net = mn.load_from_tensors(tensors)
        parts = config.get("parts", ())
        net_mtt = None
        if any(p in MTT_PARTS for p in parts):
            if not mn.has_network(tensors, mn.MTT_KEY):
                raise ValueError(f"{path}: the heads read MTT_musicnn features but the file has no MTT network")
            net_mtt = mn.load_from_tensors(tensors, mn.MTT_KEY)
        net_bp = None
        if "sal" in parts:
            if not bp.has_network(tensors):
                raise ValueError(f"{path}: the heads read Basic Pitch salience but the file has no Basic Pitch network")
            net_bp = bp.build(tensors)
        heads = []
        for k in range(int(config.get("n_heads_total", config.get("n_heads", 1)))):
            prefix = f"head{k}."
            sd = {key[len(prefix):]: t for key, t in tensors.items() if key.startswith(prefix)}
            head = build_head(int(tensors["x_mean"].numel()), int(config.get("hidden", 0)),
                              cols=tensors[f"{prefix}cols"].tolist())
            head.load_state_dict(sd)
            head.eval()
            heads.append(head)
        readouts = {key: (tensors[f"{key}.weight"].numpy(), tensors[f"{key}.bias"].numpy())
                    for key in ("rec_ridge", "emo_logreg") if f"{key}.weight" in tensors}
        return cls(net, tensors["musicnn_mel_fb"].numpy(), heads, tensors["x_mean"].numpy(),
                   tensors["x_std"].numpy(), config, version_of(path), net_mtt, basic_pitch=net_bp, **readouts)

    # --- inference -------------------------------------------------------------------------------------------

    def features_excerpts(self, excerpts: list[np.ndarray]) -> dict[str, np.ndarray]:
        """Per-window hand-crafted features and per-patch musicnn outputs of one track's excerpts."""
        # no lock: inference on an eval-mode module mutates nothing, so the tagger's workers run it concurrently
        return track_features(self.musicnn, self.mel_fb, excerpts, self.per_window, "harm" in self.parts,
                              self.musicnn_mtt, self.mtt_first_only, self.basic_pitch, self.salience_chunks)

    def head_outputs(self, x: np.ndarray) -> np.ndarray:
        """Mean over the head ensemble of the outputs (B x N_OUT; softmax / sigmoid applied to the quadrant, GEMS
        and domain outputs) for raw head inputs x (B x D)."""
        import torch

        xs = (np.asarray(x, dtype=np.float32) - self.x_mean) / self.x_std
        with torch.inference_mode():
            t = torch.from_numpy(np.ascontiguousarray(xs))
            outs = []
            for h in self.heads:
                o = h(t)
                outs.append(torch.cat([o[:, :2], torch.softmax(o[:, 2:6], dim=1), torch.sigmoid(o[:, 6:15]),
                                       o[:, 15:17], torch.sigmoid(o[:, 17:18])], dim=1))
            out = torch.stack(outs).mean(dim=0).numpy()
        if self.rec_outputs:
            # the ridge predicts the recordings expert's reading itself; stored as the pre-tanh(x / 2) value
            w, b = self.rec_ridge
            r = np.clip(xs @ w.T + b, -0.999, 0.999)
            out[:, self.rec_outputs] = 2.0 * np.arctanh(r)
        if self.emo_outputs:  # logits, like the ensemble's sign outputs
            w, b = self.emo_logreg
            out[:, self.emo_outputs] = xs @ w.T + b
        return out

    def predict_features(self, feats: dict[str, np.ndarray]) -> dict[str, Any]:
        out = self.head_outputs(head_input(feats, self.parts)[None])[0]
        return self._result(out)

    def _result(self, out: np.ndarray) -> dict[str, Any]:
        h = heads_view(out, bool(self.config.get("gated", False)))
        valence, arousal = combine(h, float(self.config.get("blend", 0.0)))
        if self.config.get("quadrant_from_va"):
            # the quadrant the valence / arousal reading lies in (the quadrant head speaks through the blend)
            qprob = quadrant_probs(valence, arousal)
        else:
            # the quadrant head; on recordings mixed by the gate with the recordings expert's implied quadrant
            qprob = h["qprob"]
            if h["gate"] < 1.0:
                qprob = h["gate"] * qprob + (1.0 - h["gate"]) * quadrant_probs(h["valence_rec"], h["arousal_rec"])
        q = QUADRANTS[int(np.argmax(qprob))]
        moods = {g: round(float(p), 4) for g, p in zip(GEMS, h["gems"])}
        for qi, word in QUADRANT_WORDS.items():
            moods[word] = round(float(qprob[QUADRANTS.index(qi)]), 4)
        moods["energetic"] = round(float((1.0 + arousal) / 2.0), 4)
        return {
            "valence": round(float(valence), 4),
            "arousal": round(float(arousal), 4),
            "quadrant": q,
            "quadrant_probs": {qq: round(float(p), 4) for qq, p in zip(QUADRANTS, qprob)},
            "moods": moods,
            "model_version": self.version,
            "heads": {k: round(float(v), 4) for k, v in h.items() if k not in ("qprob", "gems")},
        }

    def predict_excerpts(self, excerpts: list[np.ndarray]) -> dict[str, Any]:
        return self.predict_features(self.features_excerpts(excerpts))

    def predict_file(self, path: Path | str, time_limit_s: float = 30.0) -> dict[str, Any]:
        """Tag one file from N_WINDOWS short excerpts, and measure its loudness from them (emotion/loudness.py);
        raises audio_features.DecodeError on decode failure."""
        channels: list = []
        excerpts = af.load_excerpts(path, n_windows=N_WINDOWS, win_s=af.WIN_S, time_limit_s=time_limit_s,
                                    channels=channels)
        return {**self.predict_excerpts(excerpts), "loudness": _loudness_of(channels)}

    def loudness_file(self, path: Path | str, time_limit_s: float = 30.0) -> dict[str, Any]:
        """Only the loudness (LUFS, or None for silence) from the same excerpts, without the networks."""
        channels: list = []
        af.load_excerpts(path, n_windows=N_WINDOWS, win_s=af.WIN_S, time_limit_s=time_limit_s, channels=channels)
        return {"loudness": _loudness_of(channels)}
