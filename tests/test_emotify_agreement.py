"""Listener agreement on Emotify's GEMS proxy: split halves agree fully when every rater of a clip agrees."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from emotion import emotify_agreement as ea
from emotion.mood_space import GEMS

HEADER = "track id, genre, " + ", ".join(GEMS) + ", mood"


def write(path: Path, rows: list[tuple[int, list[int]]]) -> Path:
    path.write_text(HEADER + "\n" + "\n".join(f"{t},pop," + ",".join(map(str, ticks)) + ",3" for t, ticks in rows))
    return path


def test_unanimous_raters_agree_fully_and_random_ones_do_not(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rng = np.random.default_rng(0)
    unanimous, noisy = [], []
    for t in range(40):
        ticks = list(rng.integers(0, 2, size=len(GEMS)))
        unanimous += [(t, ticks)] * 4
        noisy += [(t, list(rng.integers(0, 2, size=len(GEMS)))) for _ in range(4)]
    r = ea.split_half(ea.ratings_by_clip(write(tmp_path / "u.csv", unanimous)), seed=1)
    np.testing.assert_allclose(r, 1.0)
    assert ea.main(["--annotations", str(write(tmp_path / "n.csv", noisy)), "--reps", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["clips"] == 40 and abs(out["valence"]["split_half_r"][0]) < 0.6
