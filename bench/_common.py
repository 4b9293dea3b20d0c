"""Helpers shared by the benchmarks: a cache dir for generated inputs, peak RSS, JSON output."""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def cache_dir(name: str) -> Path:
    base = Path(os.environ.get("MOODTAPE_BENCH_CACHE", Path(tempfile.gettempdir()) / "moodtape-bench"))
    d = base / name
    d.mkdir(parents=True, exist_ok=True)
    return d


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def emit(result: dict) -> None:
    print(json.dumps(result))
