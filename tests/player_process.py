"""Helpers for tests that start the real player as a process: its environment, and waiting for what it does."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path


def player_env(tmp_path: Path) -> dict[str, str]:
    """A player process's environment: its own data and config dirs, offscreen Qt, libVLC's dummy output, and no
    session bus (nothing pops up on the desktop of whoever runs the tests)."""
    env = dict(os.environ, MOODTAPE_DATA_DIR=str(tmp_path / "data"), QT_QPA_PLATFORM="offscreen",
               MOODTAPE_AUDIO_OUTPUT="dummy", XDG_CONFIG_HOME=str(tmp_path / "config"),
               NUMBA_CACHE_DIR=os.environ.get("NUMBA_CACHE_DIR", str(tmp_path / "numba")))
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    return env


def wait_for(pred: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
