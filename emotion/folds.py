"""Song-grouped folds: every clip (and every rendering) of a song lands in the same fold, so no song is both
trained and scored on. Shared by the training script's CV, the refitted baselines and the logistic regressions'
inner CV."""

from __future__ import annotations

import random


def group_folds(groups: list[str], k: int, seed: int) -> list[int]:
    """Fold index per item; all items of a group share a fold (deterministic, balanced by group count)."""
    uniq = sorted(set(groups))
    random.Random(seed).shuffle(uniq)
    fold_of = {g: i % k for i, g in enumerate(uniq)}
    return [fold_of[g] for g in groups]


def cv_folds(emo_pairs: list, emf_pairs: list, k: int, seed: int) -> tuple[list[int], list[int]]:
    """Fold of every EMOPIA rendering (by song: a song's clips and renderings share one) and of every Emotify
    clip (each its own song), as run_cv and emotion.audio_baselines use them."""
    return (group_folds([it["song"] for it, _ in emo_pairs], k, seed),
            group_folds([it["song"] for it, _ in emf_pairs], k, seed + 1))
