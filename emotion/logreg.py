"""L2-penalised logistic regression (torch L-BFGS) with its penalty chosen by a song-grouped inner CV."""

from __future__ import annotations

import numpy as np

from emotion.folds import group_folds

C_GRID = (0.0001, 0.001, 0.01, 0.1, 1.0, 10.0)
INNER_FOLDS = 4


def fit_logreg(x: np.ndarray, y: np.ndarray, n_classes: int, c: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression minimising C x summed log-loss + |W|^2 / 2 (bias not penalised; sklearn's
    multinomial objective) by L-BFGS (at most 100 iterations, as sklearn's default); returns (W d x K, b K). With
    n_classes=2 both columns are penalised, so the optimum has W[:, 0] = -W[:, 1] and the class-1 logit
    W[:, 1] - W[:, 0] is sklearn's binary logistic regression with C twice this one."""
    import torch

    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))
    yt = torch.from_numpy(np.asarray(y)).long()
    w = torch.zeros((x.shape[1], n_classes), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(n_classes, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=100, tolerance_grad=1e-7, tolerance_change=1e-12,
                            history_size=20, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = c * torch.nn.functional.cross_entropy(xt @ w + b, yt, reduction="sum") + 0.5 * (w ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach().numpy(), b.detach().numpy()


def standardise(tr: np.ndarray, te: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both sets standardised with the training set's mean and spread."""
    mu, sd = tr.mean(axis=0), tr.std(axis=0) + 1e-9
    return (tr - mu) / sd, (te - mu) / sd


def choose_c(x: np.ndarray, y: np.ndarray, groups: list[str], n_classes: int, seed: int,
             scored: np.ndarray | None = None) -> float:
    """The C of C_GRID with the most right held-out rows in a group-wise INNER_FOLDS-fold CV on these rows
    (x already standardised or not: each inner fold standardises on its own training rows). With `scored` (a
    boolean mask), only those held-out rows count."""
    inner = np.array(group_folds(list(groups), INNER_FOLDS, seed))
    mask = np.ones(len(y), bool) if scored is None else np.asarray(scored, bool)
    splits = [(*standardise(x[inner != f], x[inner == f]), y[inner != f], y[inner == f], mask[inner == f])
              for f in range(INNER_FOLDS)]
    best = (-1, C_GRID[0])
    for c in C_GRID:
        hits = 0
        for a, b, y_a, y_b, keep in splits:
            w, bias = fit_logreg(a, y_a, n_classes, c)
            hits += int(np.sum((np.argmax(b @ w + bias, axis=1) == y_b)[keep]))
        if hits > best[0]:
            best = (hits, c)
    return best[1]


def logreg_cv_predict(x_tr: np.ndarray, y_tr: np.ndarray, g_tr: list[str], x_te: np.ndarray, n_classes: int,
                      seed: int) -> tuple[np.ndarray, float]:
    """Class predictions for x_te from a fit on the training rows, C chosen by choose_c on them only."""
    c = choose_c(x_tr, y_tr, g_tr, n_classes, seed)
    a, b = standardise(x_tr, x_te)
    w, bias = fit_logreg(a, y_tr, n_classes, c)
    return np.argmax(b @ w + bias, axis=1), c
