"""User settings: one dataclass saved as JSON in config_dir()/settings.json.

Written atomically (temporary file in the same folder, fsync, rename) with user-only permissions (0600).
`load()` never raises on a missing, unreadable or damaged file: it returns the defaults (a damaged file is
kept beside as settings.json.damaged); unknown or mistyped keys fall back one by one.

Library folders are not kept here: they live in the store (`library_folders` state) beside the scanner.
The defaults mirror emotion.tracker.DEFAULT_HALF_LIVES and player.planner (library may not import them).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from library.atomic_file import write_atomically

log = logging.getLogger(__name__)

FILE_NAME = "settings.json"
THEMES = ("system", "light", "dark")
STRATEGIES = ("match", "lift", "calm", "custom")
SOURCES = ("face", "journal", "music", "user")
CROSSFADE_MAX_S = 12.0  # the longest crossfade between tracks the listener can ask for


def _default_half_lives() -> dict[str, float]:
    return {"face": 20.0, "journal": 3 * 3600.0, "music": 180.0, "user": 1800.0}


@dataclass
class Settings:
    camera_device: int | str = 0  # a device index or a video file / device path
    camera_fps: float = 15.0  # frames read per second
    camera_enabled: bool = False  # privacy: the camera stays off until the listener turns it on
    leave_timeout_s: float = 10.0  # hands-free session: no face this long pauses the music
    journal_enabled: bool = True
    audio_tagging_enabled: bool = True
    default_strategy: str = "match"
    steps: int = 5  # tracks the planner takes to reach the target mood
    half_lives: dict[str, float] = field(default_factory=_default_half_lives)  # seconds, per source
    theme: str = "system"
    close_to_tray: bool = False
    notify_track_change: bool = True  # a desktop notification for each new track while the window is in the background
    volume_levelling: bool = True  # play each track at its ReplayGain (when tagged)
    album_gain: bool = True  # while an album plays in order, its album gain (keeps its quiet and loud tracks apart)
    fade_on_pause: bool = True  # a short fade out before a pause and in after it, instead of a cut
    crossfade_s: float = 0.0  # the next track fades in over the last seconds of one that ends (0: off)
    first_run_done: bool = False

    def validated(self) -> Settings:
        """A copy with every field coerced into range (bad values take the default)."""
        d = Settings()
        out = Settings(**asdict(self))
        cam = out.camera_device
        if isinstance(cam, str) and cam.strip().isdigit():
            cam = int(cam.strip())
        ok = isinstance(cam, int | str) and not isinstance(cam, bool)
        out.camera_device = cam if ok else d.camera_device
        out.camera_fps = _num(out.camera_fps, d.camera_fps, 0.5, 60.0)
        out.leave_timeout_s = _num(out.leave_timeout_s, d.leave_timeout_s, 2.0, 3600.0)
        out.crossfade_s = _num(out.crossfade_s, d.crossfade_s, 0.0, CROSSFADE_MAX_S)
        for name in ("camera_enabled", "journal_enabled", "audio_tagging_enabled", "close_to_tray",
                     "notify_track_change", "volume_levelling", "album_gain", "fade_on_pause", "first_run_done"):
            if not isinstance(getattr(out, name), bool):
                setattr(out, name, getattr(d, name))
        if out.default_strategy not in STRATEGIES:
            out.default_strategy = d.default_strategy
        out.steps = int(_num(out.steps, d.steps, 0, 50))
        hl = dict(d.half_lives)
        if isinstance(out.half_lives, dict):
            for source in SOURCES:
                hl[source] = _num(out.half_lives.get(source), hl[source], 1.0, 30 * 86400.0)
        out.half_lives = hl
        if out.theme not in THEMES:
            out.theme = d.theme
        return out

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Any) -> Settings:
        if not isinstance(data, dict):
            return cls()
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        try:
            return cls(**kwargs).validated()
        except TypeError:
            return cls()


def _num(value: Any, default: float, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return default
    return float(min(max(value, lo), hi))


def settings_path() -> Path:
    from library.paths import config_dir

    return config_dir() / FILE_NAME


def load(path: Path | None = None) -> Settings:
    """The saved settings, or the defaults when the file is missing or damaged."""
    path = path or settings_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        log.warning("settings: cannot read %s (%s); using defaults", path, exc)
        return Settings()
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        log.warning("settings: %s is damaged (%s); using defaults", path, exc)
        try:
            os.replace(path, path.with_name(path.name + ".damaged"))
        except OSError:
            pass
        return Settings()
    return Settings.from_json(data)


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically with mode 0600; returns the path written."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = json.dumps(settings.validated().to_json(), indent=2, sort_keys=True)
    write_atomically(path, data.encode("utf-8"), mode=0o600)
    return path


__all__ = ["FILE_NAME", "SOURCES", "STRATEGIES", "THEMES", "Settings", "load", "save", "settings_path"]
