"""Desktop integration of the main window: the user's settings applied to it, the Settings… menu entry,
the tray icon, MPRIS2 on D-Bus, a notification for each new track, close-to-tray, and the first-run welcome.

`install_desktop(window)` is called once by `ui.app.build_window`; `apply_settings(window, s)` again whenever
the listener changes something in the Settings dialog.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from library import settings as settings_mod
from library.settings import Settings

log = logging.getLogger("moodtape.ui")


def install_desktop(window: Any, camera_override: int | str | None = None, tray: bool = True,
                    mpris: bool = True, notifications: bool = True) -> None:
    """Tray, MPRIS, track notifications, the Settings… action and the saved settings, on a built window.

    `camera_override` (the --camera flag) wins over the camera device of the settings for this run."""
    window.camera_override = camera_override
    window.settings = settings_mod.load()
    act = window.menuBar().actions()[0].menu()  # File
    window.act_settings = window.addAction("Settings…")
    window.act_settings.setShortcut("Ctrl+,")
    window.act_settings.triggered.connect(lambda: open_settings(window))
    act.insertAction(window.act_quit, window.act_settings)
    act.insertSeparator(window.act_quit)
    window.tray = None
    window.mpris = None
    window.announcer = None
    if mpris:
        try:
            from ui.mpris import Mpris

            window.mpris = Mpris(window)
        except Exception:  # D-Bus support is a nicety: never stop the player for it
            log.exception("MPRIS unavailable")
    if tray:
        try:
            from ui.tray import Tray

            window.tray = Tray(window, close_to_tray=window.settings.close_to_tray)
        except Exception:
            log.exception("tray icon unavailable")
    if notifications:
        try:
            from ui.notifications import TrackAnnouncer

            window.announcer = TrackAnnouncer(window)
        except Exception:
            log.exception("desktop notifications unavailable")
    apply_settings(window, window.settings, first=True)


def apply_settings(window: Any, s: Settings, first: bool = False) -> None:
    """Make the running window follow the settings `s` (readers on/off, camera, planner defaults, theme)."""
    old: Settings = getattr(window, "settings", Settings()) if not first else Settings()
    window.settings = s
    from ui.settings_dialog import apply_theme

    if first and s.theme == "system":
        pass  # leave the platform's look alone
    else:
        apply_theme(s.theme)
    if window.tray is not None:
        window.tray.close_to_tray = s.close_to_tray
    if getattr(window, "announcer", None) is not None:
        window.announcer.enabled = s.notify_track_change
    window.engine.set_levelling(s.volume_levelling)
    window.album_gain = s.album_gain
    from player.engine import PAUSE_FADE_S

    window.engine.pause_fade_s = PAUSE_FADE_S if s.fade_on_pause else 0.0
    window.engine.crossfade_s = s.crossfade_s

    # music tagging
    window.auto_tag = s.audio_tagging_enabled
    if not s.audio_tagging_enabled:
        window.tagging.cancel()
    elif not first and not old.audio_tagging_enabled and window.library_folders():
        window.start_tagging()

    mood = getattr(window, "mood", None)
    if mood is not None:
        tracker = mood.engine.tracker
        tracker.half_lives.update({k: float(v) for k, v in s.half_lives.items()})
        if first or (s.default_strategy, s.steps) != (old.default_strategy, old.steps):
            _apply_strategy(window, s)

    # journal reader
    dock = getattr(window, "journal_dock", None)
    if dock is not None:
        dock.toggleViewAction().setEnabled(s.journal_enabled)
        if not s.journal_enabled:
            dock.hide()
        window.journal_enabled = s.journal_enabled

    # camera reader: the --camera flag wins for this run
    panel = getattr(window, "camera_panel", None)
    if panel is not None:
        source = window.camera_override if window.camera_override is not None else s.camera_device
        changed = source != panel.source or abs(float(s.camera_fps) - float(panel.fps)) > 1e-6
        if changed and panel.is_running:
            panel.stop()
        panel.set_source(source)
        panel.fps = float(s.camera_fps)
        if s.camera_enabled and (first or not old.camera_enabled or changed):
            window.camera_dock.show()
            window.camera_dock.raise_()
            panel.start()
        elif not s.camera_enabled and panel.is_running:
            panel.stop()


def _apply_strategy(window: Any, s: Settings) -> None:
    engine = window.mood.engine
    if s.default_strategy == "custom" and engine.target is None:
        return  # a custom target is picked on the map; nothing to start from yet
    engine.steps = int(s.steps)
    if engine.strategy.value != s.default_strategy:
        engine.set_strategy(s.default_strategy, engine.target)
    bar = getattr(window, "strategy_bar", None)
    if bar is not None:
        bar.set_strategy(engine.strategy.value)
        bar.set_steps(engine.steps)


def open_settings(window: Any) -> bool:
    """The Settings dialog; on OK saves, applies, and adds/forgets library folders. True when accepted."""
    from ui.settings_dialog import edit_settings

    result = edit_settings(window, window.settings, window.library_folders() + window.library_files())
    if result is None:
        return False
    s, folders = result
    settings_mod.save(s)
    update_folders(window, folders)
    apply_settings(window, s)
    return True


def update_folders(window: Any, folders: list[str]) -> None:
    """Make the library's folders (and single files) the listed ones: the others are forgotten, new ones added."""
    wanted = [os.path.abspath(f) for f in folders]
    for f in window.library_folders():
        if f not in wanted:
            n = window.remove_folder(f)
            window.show_message(f"Removed {f} from the library ({n} tracks; the files stay on disk)")
    gone = [f for f in window.library_files() if f not in wanted]
    if gone:
        window.remove_files(gone)
        window.show_message(f"Removed {len(gone)} single file{'s' if len(gone) != 1 else ''} from the library "
                            "(the files stay on disk)")
    known = window.library_folders() + window.library_files()
    for f in wanted:
        if f not in known and os.path.isdir(f):
            window.add_folder(f)


def close_to_tray(window: Any) -> bool:
    """Called at the start of closeEvent: True when the window should only hide and keep playing."""
    tray = getattr(window, "tray", None)
    return bool(tray is not None and tray.should_hide_on_close() and not getattr(window, "quitting", False))


def show_welcome(window: Any) -> None:
    """The first-run welcome (not modal); what the listener ticks there is applied when it closes."""
    from ui.welcome import show_welcome_if_needed

    if window.settings.first_run_done:
        return
    from PySide6.QtWidgets import QDialog

    show_welcome_if_needed(window, modal=False)
    dialog = window.findChild(QDialog, "welcomeDialog")
    if dialog is not None:
        dialog.finished.connect(lambda _code: apply_settings(window, settings_mod.load()))
    window.welcome = dialog


__all__ = ["apply_settings", "close_to_tray", "install_desktop", "open_settings", "show_welcome",
           "update_folders"]
