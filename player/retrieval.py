"""Diary -> songs: find tracks whose description is close in meaning to a journal entry.

Each tagged track is described in words from its mood tags and metadata, e.g.
"calm, tender piano music; it feels calm, peaceful, tender and relaxed; gentle, quiet and soft; genre
classical; 'Clair de lune' by Debussy", the descriptions are embedded with the journal's sentence encoder
(emotion.text_model.TextEncoder, injectable so tests can use a small fake), and an entry is ranked against
them by cosine similarity. Planner.plan(text_scores=...) combines the result with the valence-arousal score.

Embeddings are cached by description text (in memory, optionally in an .npz file), so re-indexing after a
rescan only embeds new or re-tagged tracks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from emotion.mood_space import quadrant

log = logging.getLogger(__name__)

QUADRANT_WORDS = {
    "Q1": "happy, joyful, excited and upbeat",
    "Q2": "angry, tense, anxious and aggressive",
    "Q3": "sad, melancholic, gloomy and down",
    "Q4": "calm, peaceful, tender and relaxed",
}


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


def _valence_words(v: float) -> str:
    if v >= 0.5:
        return "bright and very positive"
    if v >= 0.15:
        return "positive"
    if v <= -0.5:
        return "dark and very negative"
    if v <= -0.15:
        return "somewhat dark"
    return "neither bright nor dark"


def _arousal_words(a: float) -> str:
    if a >= 0.5:
        return "energetic, loud and intense"
    if a >= 0.15:
        return "lively"
    if a <= -0.5:
        return "gentle, quiet and soft"
    if a <= -0.15:
        return "slow and mellow"
    return "moderate in energy"


def describe_track(track: Mapping[str, Any], max_moods: int = 3) -> str:
    """A sentence about how a track sounds, from its tags (the text that gets embedded)."""
    v, a = float(track.get("valence") or 0.0), float(track.get("arousal") or 0.0)
    q = str(track.get("quadrant") or quadrant(v, a))
    moods = track.get("moods") or {}
    ranked = sorted(moods.items(), key=lambda kv: -float(kv[1]))
    words = [str(w).replace("_", " ") for w, c in ranked if float(c) >= 0.2][:max_moods]
    genre = str(track.get("genre") or "").strip()
    head = ", ".join(words) if words else QUADRANT_WORDS.get(q, "").split(",")[0]
    parts = [
        f"{head} {genre.lower() + ' ' if genre else ''}music".strip(),
        f"it feels {QUADRANT_WORDS.get(q, 'neutral')}",
        f"{_valence_words(v)}, {_arousal_words(a)}",
    ]
    if genre:
        parts.append(f"genre {genre}")
    title, artist = str(track.get("title") or "").strip(), str(track.get("artist") or "").strip()
    if title and artist:
        parts.append(f"'{title}' by {artist}")
    elif title:
        parts.append(f"'{title}'")
    elif artist:
        parts.append(f"by {artist}")
    return "; ".join(parts)


class TrackRetriever:
    """Ranks tracks by similarity of their descriptions to a text."""

    def __init__(
        self,
        encoder: Encoder | None = None,
        describe: Callable[[Mapping[str, Any]], str] = describe_track,
        batch_size: int = 256,
    ) -> None:
        self._encoder = encoder
        self.describe = describe
        self.batch_size = batch_size
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.RLock()
        self.paths: list[str] = []
        self.descriptions: list[str] = []
        self.matrix = np.zeros((0, 0), np.float32)

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from emotion.text_model import TextEncoder  # lazy: loads torch/transformers on first use

            self._encoder = TextEncoder()
        return self._encoder

    def _embed(self, texts: list[str]) -> np.ndarray:
        vecs = np.asarray(self.encoder.encode(list(texts)), np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.maximum(norms, 1e-12)

    def index(
        self, tracks: Iterable[Mapping[str, Any]], progress: Callable[[int, int], None] | None = None
    ) -> int:
        """Describe and embed the tagged tracks (only new descriptions are encoded); returns how many."""
        rows = [
            (str(t["path"]), self.describe(t))
            for t in tracks
            if t.get("path") and t.get("valence") is not None and t.get("arousal") is not None
        ]
        todo = sorted({d for _, d in rows if d not in self._cache})
        for s in range(0, len(todo), self.batch_size):
            chunk = todo[s : s + self.batch_size]
            vecs = self._embed(chunk)
            with self._lock:
                self._cache.update(zip(chunk, vecs))
            if progress:
                progress(min(s + len(chunk), len(todo)), len(todo))
        with self._lock:
            self.paths = [p for p, _ in rows]
            self.descriptions = [d for _, d in rows]
            dim = next(iter(self._cache.values())).shape[0] if self._cache else 0
            self.matrix = (
                np.stack([self._cache[d] for d in self.descriptions])
                if rows
                else np.zeros((0, dim), np.float32)
            )
        return len(todo)

    def similarities(self, text: str) -> np.ndarray:
        """Cosine similarity of the text to every indexed track (aligned with self.paths)."""
        with self._lock:
            matrix = self.matrix
        if len(matrix) == 0 or not text.strip():
            return np.zeros(len(matrix), np.float32)
        q = self._embed([text])[0]
        return matrix @ q

    def rank(self, text: str, top_k: int | None = 10) -> list[tuple[str, float]]:
        """(path, similarity), best first."""
        sims = self.similarities(text)
        order = np.argsort(-sims, kind="stable")
        if top_k is not None:
            order = order[:top_k]
        return [(self.paths[i], float(sims[i])) for i in order]

    def scores(self, text: str, normalise: bool = True) -> dict[str, float]:
        """path -> score for Planner.plan(text_scores=...).

        normalise=True standardises the similarities over the library and squashes them into [-1, 1]
        (tanh of the z-score / 2), so the planner's text weight means the same for any encoder.
        """
        sims = self.similarities(text).astype(np.float64)
        if normalise and len(sims) > 1:
            sd = float(sims.std())
            sims = np.tanh((sims - sims.mean()) / (2.0 * sd)) if sd > 1e-9 else np.zeros_like(sims)
        return {p: float(s) for p, s in zip(self.paths, sims)}

    # ------------------------------------------------------------------ embedding cache on disk
    def save_cache(self, path: Path | str) -> None:
        with self._lock:
            keys = list(self._cache)
            mat = np.stack([self._cache[k] for k in keys]).astype(np.float16) if keys else np.zeros((0, 0))
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, keys=np.array(keys, dtype=str), vectors=mat)
        tmp.replace(path)

    def load_cache(self, path: Path | str) -> int:
        path = Path(path)
        if not path.exists():
            return 0
        try:
            with np.load(path, allow_pickle=False) as data:
                keys = [str(k) for k in data["keys"]]
                mat = data["vectors"].astype(np.float32)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable embedding cache %s: %s", path, exc)
            return 0
        with self._lock:
            self._cache.update(zip(keys, mat))
        return len(keys)
