"""Where Moodtape keeps things: user data, config, cache, bundled resources, the shared data sets."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "moodtape"


def _dir_from_env(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    if value:
        path = Path(value)
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return path
    import platformdirs

    path = Path(getattr(platformdirs, fallback)(APP_NAME))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:  # our own folder, made readable to others by an older version or by hand: user-only again
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            os.chmod(path, 0o700)
    except OSError:
        pass
    return path


def data_dir() -> Path:
    """The user data dir (store, demo library, logs); $MOODTAPE_DATA_DIR overrides it."""
    return _dir_from_env("MOODTAPE_DATA_DIR", "user_data_dir")


def config_dir() -> Path:
    return _dir_from_env("MOODTAPE_CONFIG_DIR", "user_config_dir")


def cache_dir() -> Path:
    return _dir_from_env("MOODTAPE_CACHE_DIR", "user_cache_dir")


def project_root() -> Path:
    """The source tree (or the unpacked bundle when frozen by PyInstaller)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parents[1]


def resources_dir() -> Path:
    return project_root() / "resources"


def models_dir() -> Path:
    """Trained weights and model cards; $MOODTAPE_MODELS_DIR overrides it (tests of missing/corrupt models)."""
    env = os.environ.get("MOODTAPE_MODELS_DIR")
    return Path(env) if env else resources_dir() / "models"


def shared_data_dir() -> Path:
    """The labelled data sets beside the repository (../shared/data)."""
    env = os.environ.get("MOODTAPE_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "data"
