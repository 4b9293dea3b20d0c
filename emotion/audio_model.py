"""The audio mood model: a small CNN over log-mel windows fused with hand-crafted features.

`AudioMoodModel.load(path=None)` loads the shipped weights lazily (torch is imported only then);
`predict_file(path)` decodes 3 short windows spread across the file (never the whole file) and returns
valence, arousal (in [-1, 1]), quadrant, quadrant probabilities, mood words with confidences, model_version.

MODEL_VERSION is derived from a hash of the weights file, so it changes whenever the weights change.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import numpy as np

from emotion import audio_features as af
from emotion.mood_space import GEMS, QUADRANTS

WEIGHTS_NAME = "audio_mood.pt"
N_WINDOWS = 3


def default_weights_path() -> Path:
    try:
        from library.paths import models_dir

        return models_dir() / WEIGHTS_NAME
    except Exception:  # pragma: no cover - library.paths missing
        return Path(__file__).resolve().parents[1] / "resources" / "models" / WEIGHTS_NAME


def version_of(path: Path) -> str:
    """Model version string of a weights file: 'audio-cnn-' + the first 12 hex digits of its SHA-256."""
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    except OSError:
        return "audio-cnn-missing"
    return f"audio-cnn-{digest}"


MODEL_VERSION: str = version_of(default_weights_path())

# Simple mood words derived from the quadrant probabilities (besides the nine GEMS words).
QUADRANT_WORDS = {"Q1": "happy", "Q2": "tense", "Q3": "sad", "Q4": "calm"}


def build_net(n_mels: int = af.N_MELS, n_feat: int = af.N_FEATURES, width: int = 16, emb: int = 64,
              dropout: float = 0.3):
    """The network (torch imported here, not at module import)."""
    import torch
    from torch import nn

    class MoodNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            w = width

            def block(cin: int, cout: int, pool: bool) -> nn.Sequential:
                layers: list[nn.Module] = [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
                                           nn.ReLU(inplace=True)]
                if pool:
                    layers.append(nn.MaxPool2d(2))
                return nn.Sequential(*layers)

            self.conv = nn.Sequential(nn.AvgPool2d((1, 2)), block(1, w, True), block(w, 2 * w, True),
                                      block(2 * w, 4 * w, True), block(4 * w, 4 * w, False))
            self.register_buffer("mel_mean", torch.zeros(1))
            self.register_buffer("mel_std", torch.ones(1))
            self.register_buffer("feat_mean", torch.zeros(n_feat))
            self.register_buffer("feat_std", torch.ones(n_feat))
            self.feat = nn.Sequential(nn.Linear(n_feat, 32), nn.ReLU(inplace=True))
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(8 * w + 32, emb), nn.ReLU(inplace=True),
                                      nn.Dropout(dropout))
            self.va = nn.Linear(emb, 2)
            self.quad = nn.Linear(emb, 4)
            self.gems = nn.Linear(emb, len(GEMS))

        def forward(self, mel: torch.Tensor, feats: torch.Tensor) -> dict[str, torch.Tensor]:
            x = (mel - self.mel_mean) / self.mel_std
            x = self.conv(x.unsqueeze(1))  # B x C x F x T
            x = x.mean(dim=2)  # B x C x T
            pooled = torch.cat([x.mean(dim=2), x.amax(dim=2)], dim=1)
            f = self.feat((feats - self.feat_mean) / self.feat_std)
            h = self.head(torch.cat([pooled, f], dim=1))
            return {"va": self.va(h), "quad": self.quad(h), "gems": self.gems(h)}

    return MoodNet()


class AudioMoodModel:
    """An ensemble of MoodNets with their config; thread-safe predict."""

    def __init__(self, nets: list, config: dict[str, Any], version: str) -> None:
        self.nets = nets
        self.config = config
        self.version = version
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path | None = None, threads: int | None = None) -> AudioMoodModel:
        import torch

        if threads is not None:
            torch.set_num_threads(max(1, int(threads)))
        path = Path(path) if path is not None else default_weights_path()
        if not path.is_file():
            raise FileNotFoundError(f"audio model weights not found: {path}")
        blob = torch.load(str(path), map_location="cpu", weights_only=True)
        config = dict(blob.get("config", {}))
        nets = []
        for sd in blob["models"]:
            net = build_net(width=int(config.get("width", 16)), emb=int(config.get("emb", 64)))
            net.load_state_dict(sd)
            net.eval()
            nets.append(net)
        return cls(nets, config, version_of(path))

    # --- inference -------------------------------------------------------------------------------------------

    def predict_windows(self, mels: np.ndarray, feats: np.ndarray) -> dict[str, Any]:
        """Predict from a batch of windows of ONE track (mels: W x N_MELS x T, feats: W x N_FEATURES)."""
        import torch

        with self._lock, torch.inference_mode():
            m = torch.from_numpy(np.ascontiguousarray(mels, dtype=np.float32))
            f = torch.from_numpy(np.ascontiguousarray(feats, dtype=np.float32))
            va_l, qp, gp = [], [], []
            for net in self.nets:
                out = net(m, f)
                va_l.append(out["va"].mean(dim=0))
                qp.append(torch.softmax(out["quad"], dim=1).mean(dim=0))
                gp.append(torch.sigmoid(out["gems"]).mean(dim=0))
            va_logit = torch.stack(va_l).mean(dim=0).numpy()
            qprob = torch.stack(qp).mean(dim=0).numpy()
            gprob = torch.stack(gp).mean(dim=0).numpy()
        return self._result(va_logit, qprob, gprob)

    def _result(self, va_logit: np.ndarray, qprob: np.ndarray, gprob: np.ndarray) -> dict[str, Any]:
        v_head = float(np.tanh(va_logit[0] / 2.0))
        a_head = float(np.tanh(va_logit[1] / 2.0))
        # blend the regression head with the quadrant head's marginals (weight chosen by song-grouped CV)
        w = float(self.config.get("blend", 0.0))
        v_quad = float(2.0 * (qprob[0] + qprob[3]) - 1.0)
        a_quad = float(2.0 * (qprob[0] + qprob[1]) - 1.0)
        valence = (1.0 - w) * v_head + w * v_quad
        arousal = (1.0 - w) * a_head + w * a_quad
        q = QUADRANTS[int(np.argmax(qprob))]
        moods = {g: round(float(p), 4) for g, p in zip(GEMS, gprob)}
        for qi, word in QUADRANT_WORDS.items():
            moods[word] = round(float(qprob[QUADRANTS.index(qi)]), 4)
        moods["energetic"] = round(float(1.0 / (1.0 + np.exp(-va_logit[1]))), 4)
        return {
            "valence": round(valence, 4),
            "arousal": round(arousal, 4),
            "quadrant": q,
            "quadrant_probs": {qq: round(float(p), 4) for qq, p in zip(QUADRANTS, qprob)},
            "moods": moods,
            "model_version": self.version,
            "heads": {"valence": round(v_head, 4), "arousal": round(a_head, 4), "valence_quadrant": round(v_quad, 4),
                      "arousal_quadrant": round(a_quad, 4)},
        }

    def predict_excerpts(self, excerpts: list[np.ndarray]) -> dict[str, Any]:
        mels, feats = [], []
        for y in excerpts:
            m, f = af.window_inputs(y)
            mels.append(m)
            feats.append(f)
        return self.predict_windows(np.stack(mels), np.stack(feats))

    def predict_file(self, path: Path | str, time_limit_s: float = 30.0) -> dict[str, Any]:
        """Tag one file from N_WINDOWS short excerpts; raises audio_features.DecodeError on decode failure."""
        excerpts = af.load_excerpts(path, n_windows=N_WINDOWS, win_s=af.WIN_S, time_limit_s=time_limit_s)
        return self.predict_excerpts(excerpts)
