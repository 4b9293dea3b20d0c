"""The issue's baselines refitted on our folds: the logistic regression solves its objective, the recipes read
the inputs they name, and the folds are run_cv's."""

from __future__ import annotations

import numpy as np

from emotion import audio_baselines as ab
from emotion import logreg
from emotion.audio_features import FEATURE_NAMES


def test_logreg_reaches_the_optimum_of_its_objective() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 5))
    y = np.argmax(x[:, :3] + 0.7 * rng.normal(size=(120, 3)), axis=1)
    c = 0.3
    w, b = logreg.fit_logreg(x, y, 3, c)
    z = x @ w + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    onehot = np.eye(3)[y]
    grad_w = c * x.T @ (p - onehot) + w  # d/dW of C * sum(log-loss) + |W|^2 / 2
    grad_b = c * (p - onehot).sum(axis=0)
    assert np.abs(grad_w).max() < 1e-4 and np.abs(grad_b).max() < 1e-4
    assert np.mean(np.argmax(z, axis=1) == y) > 0.6
    # a stronger penalty shrinks the weights
    w_small, _ = logreg.fit_logreg(x, y, 3, 0.001)
    assert np.abs(w_small).sum() < 0.2 * np.abs(w).sum()


def _synthetic(n_songs: int = 40, seed: int = 1) -> tuple[list, list]:
    """Quadrant carried by the embedding only; the 9 baseline hand-crafted features are noise, except that one of
    the other 25 carries arousal."""
    rng = np.random.default_rng(seed)
    emo = []
    a_col = FEATURE_NAMES.index(next(n for n in FEATURE_NAMES if n not in ab.BASELINE_HC))
    for s in range(n_songs):
        for k in range(2):
            qi = int(rng.integers(4))
            v, a = (1.0 if qi in (0, 3) else -1.0), (1.0 if qi in (0, 1) else -1.0)
            for render in (True, False):
                pen = rng.normal(size=(6, 200)) * 0.5
                # augmented renderings would mislead if they were used
                pen[:, 20 * qi:20 * qi + 20] += 2.0 if render else -9.0
                hc = rng.normal(size=(3, 34))
                hc[:, a_col] += 1.5 * a
                emo.append(({"song": f"s{s}", "clip": f"s{s}_{k}", "quadrant": f"Q{qi + 1}", "valence": v,
                             "arousal": a, "default_render": render},
                            {"pen": pen, "hc": hc, "mean_pool": rng.normal(size=(6, 753))}))
    emf = []
    for i in range(60):
        pen = rng.normal(size=(6, 200))
        va = [float(pen[:, :40].mean(axis=0).sum() + 0.5 * rng.normal()), float(rng.normal())]
        emf.append(({"song": f"emotify:{i}", "va_raw": va}, {"pen": pen, "hc": rng.normal(size=(3, 34)),
                                                               "mean_pool": rng.normal(size=(6, 753))}))
    return emo, emf


def test_recipes_read_what_they_name_on_default_renderings_only(monkeypatch) -> None:
    monkeypatch.setattr(logreg, "C_GRID", (0.01, 1.0))  # a smaller inner search keeps the test short
    monkeypatch.setattr(logreg, "INNER_FOLDS", 2)
    emo, emf = _synthetic()
    res = ab.run(emo, emf, folds=4, seed=3)
    assert res["emopia_n"] == 80 and res["emotify_n"] == 60
    e = res["emopia"]
    assert e["emb+hc9"]["quadrant_accuracy"] > 0.85  # the embedding carries the quadrant
    assert e["hc9"]["quadrant_accuracy"] < 0.45  # the 9 baseline features are noise here
    assert e["hc34"]["arousal_accuracy"] > 0.85 and e["hc9"]["arousal_accuracy"] < 0.7
    f = res["emotify"]  # 45 training recordings, 200 inputs: a ridge recovers part of a 40-dimension signal
    assert f["emb"]["valence_r"] > 0.45 and abs(f["emb"]["arousal_r"]) < 0.4
    assert abs(f["mean_pool"]["valence_r"]) < 0.3


def test_baselines_hold_out_run_cvs_folds(monkeypatch) -> None:
    """Every fit of a recipe trains on the songs outside one of run_cv's folds (train_audio.cv_folds) and is
    scored on that fold's default renderings only."""
    from emotion.folds import cv_folds

    emo, emf = _synthetic(n_songs=12)
    folds = 3
    emo_fold, _ = cv_folds(emo, emf, folds, 7)
    calls = []

    def record(x_tr, y_tr, g_tr, x_te, n_classes, seed):
        calls.append((set(g_tr), len(g_tr), len(x_te)))
        return np.zeros(len(x_te), dtype=int), 1.0

    monkeypatch.setattr(ab, "logreg_cv_predict", record)
    ab.run(emo, emf, folds=folds, seed=7)
    assert len(calls) == len(ab.EMOPIA_RECIPES) * 3 * folds  # recipes x (quadrant, valence, arousal) x folds
    for i, (train_songs, n_train, n_test) in enumerate(calls):
        f = i % folds
        held = [(it, fo) for (it, _), fo in zip(emo, emo_fold) if it["default_render"]]
        assert train_songs == {it["song"] for it, fo in held if fo != f}
        assert n_train == sum(fo != f for _, fo in held)  # augmented renderings never enter
        assert n_test == sum(fo == f for _, fo in held)
    # a song's clips and renderings share one fold
    by_song: dict[str, set[int]] = {}
    for (it, _), fo in zip(emo, emo_fold):
        by_song.setdefault(it["song"], set()).add(fo)
    assert all(len(v) == 1 for v in by_song.values()) and len(set(emo_fold)) == folds
