"""The valence-arousal plane: quadrants, category positions, and the GEMS proxy.

Everything that maps a word (a face class, a journal emotion, a mood tag) to a point of the
plane lives here, so the readers, the planner and the UI agree on one table.
Valence and arousal are in [-1, 1]. Quadrants follow EMOPIA: Q1 (+V, +A), Q2 (-V, +A),
Q3 (-V, -A), Q4 (+V, -A).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

QUADRANTS = ("Q1", "Q2", "Q3", "Q4")
# The mood word under which the audio tagger stores each quadrant's probability in a track's "moods".
QUADRANT_MOOD_WORDS = {"Q1": "happy", "Q2": "tense", "Q3": "sad", "Q4": "calm"}
QUADRANT_NAMES = {
    "Q1": "happy / excited",
    "Q2": "angry / tense",
    "Q3": "sad / tired",
    "Q4": "calm / tender",
}
# Centre of each quadrant, used as a planning target and for evaluation.
QUADRANT_CENTRES: dict[str, tuple[float, float]] = {
    "Q1": (0.5, 0.5),
    "Q2": (-0.5, 0.5),
    "Q3": (-0.5, -0.5),
    "Q4": (0.5, -0.5),
}

# The face reader's seven classes, in the reader's output order.
FACE_CLASSES = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
# The journal's Ekman set (GoEmotions label order).
EKMAN_CLASSES = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")

# Russell's circumplex: approximate positions of basic emotions on the plane
# (after Russell 1980 and the Scherer/NRC-VAD placements, rescaled to [-1, 1]).
CATEGORY_POINTS: dict[str, tuple[float, float]] = {
    "happy": (0.80, 0.45),
    "joy": (0.80, 0.45),
    "surprise": (0.35, 0.80),
    "angry": (-0.65, 0.70),
    "anger": (-0.65, 0.70),
    "fear": (-0.60, 0.65),
    "disgust": (-0.70, 0.30),
    "sad": (-0.70, -0.45),
    "sadness": (-0.70, -0.45),
    "neutral": (0.0, 0.0),
    # Mood words used for music tags.
    "calm": (0.45, -0.65),
    "tender": (0.60, -0.40),
    "energetic": (0.40, 0.80),
    "tense": (-0.45, 0.65),
    "excited": (0.65, 0.70),
    "relaxed": (0.60, -0.60),
    "tired": (-0.30, -0.75),
    "gloomy": (-0.60, -0.55),
}

# The nine GEMS emotions of Emotify, in the column order of shared/data/emotify/labels.csv.
GEMS = (
    "amazement",
    "solemnity",
    "tenderness",
    "nostalgia",
    "calmness",
    "power",
    "joyful_activation",
    "tension",
    "sadness",
)


def clamp(x: float, lo: float = -1.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def quadrant(valence: float, arousal: float) -> str:
    """EMOPIA quadrant of a point (zero counts as positive)."""
    if arousal >= 0:
        return "Q1" if valence >= 0 else "Q2"
    return "Q4" if valence >= 0 else "Q3"


def category_point(name: str) -> tuple[float, float]:
    """Position of a category word on the plane; KeyError for an unknown word."""
    return CATEGORY_POINTS[name.lower()]


def probabilities_to_va(classes: tuple[str, ...] | list[str], probs) -> tuple[float, float]:
    """Expected (valence, arousal) of a probability vector over category words."""
    v = a = 0.0
    total = 0.0
    for name, p in zip(classes, probs):
        pv, pa = CATEGORY_POINTS[name]
        v += float(p) * pv
        a += float(p) * pa
        total += float(p)
    if total <= 0:
        return 0.0, 0.0
    return clamp(v / total), clamp(a / total)


def gems_to_va(row: dict[str, float]) -> tuple[float, float]:
    """Valence/arousal proxy from GEMS shares (each 0..1), as given in DESIGN.md.

    valence = joyful_activation + tenderness + amazement + calmness - sadness - tension
    arousal = power + joyful_activation + tension + amazement - calmness - tenderness - sadness
    Raw values; callers standardise them when they need a [-1, 1] scale.
    """
    g = {k: float(row.get(k, 0.0)) for k in GEMS}
    valence = (g["joyful_activation"] + g["tenderness"] + g["amazement"] + g["calmness"]
               - g["sadness"] - g["tension"])
    arousal = (g["power"] + g["joyful_activation"] + g["tension"] + g["amazement"]
               - g["calmness"] - g["tenderness"] - g["sadness"])
    return valence, arousal


def distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


SOURCES = ("face", "journal", "music", "seed", "user")


@dataclass(frozen=True)
class Observation:
    """One reading of the listener's mood from one source."""

    source: str  # one of SOURCES
    valence: float
    arousal: float
    confidence: float  # 0..1
    category: str = ""
    time: float = field(default_factory=time.time)
    probabilities: dict[str, float] = field(default_factory=dict)
