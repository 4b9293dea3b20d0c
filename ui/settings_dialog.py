"""The settings dialog: library folders, camera, readers, strategy defaults, source half-lives, theme, tray.

    dialog = SettingsDialog(settings, folders, parent)
    if dialog.exec():
        settings, folders = dialog.result_settings(), dialog.result_folders()

It edits copies: nothing is saved here (the caller saves with library.settings.save and rescans new folders).
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from library.settings import CROSSFADE_MAX_S, SOURCES, STRATEGIES, THEMES, Settings

HALF_LIFE_LABELS = {"face": "Face", "journal": "Journal", "music": "Music playing", "user": "Your own pick"}
# each source's half-life is shown in the unit that fits its scale (a face reading lasts seconds, a journal
# entry hours); the settings keep seconds
HALF_LIFE_UNITS = {"face": ("s", 1.0), "journal": ("h", 3600.0), "music": ("min", 60.0), "user": ("min", 60.0)}


class DurationSpin(QDoubleSpinBox):
    """A duration in a fixed unit (s, min or h) whose value is read and set in seconds."""

    def __init__(self, unit: str, unit_s: float, max_s: float = 30 * 86400.0) -> None:
        super().__init__()
        self.unit_s = unit_s
        self.setDecimals(0 if unit_s == 1.0 else 1)
        self.setRange(1.0 / unit_s, max_s / unit_s)
        self.setSingleStep(10.0 if unit_s == 1.0 else 0.5 if unit_s >= 3600 else 1.0)
        self.setSuffix(f" {unit}")

    def seconds(self) -> float:
        return round(self.value() * self.unit_s, 3)

    def set_seconds(self, seconds: float) -> None:
        self.setValue(seconds / self.unit_s)


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, folders: list[str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Moodtape settings")
        self.setObjectName("settingsDialog")
        self._settings = settings.validated()
        tabs = QTabWidget(self)
        tabs.addTab(self._library_tab(list(folders or [])), "Library")
        tabs.addTab(self._readers_tab(), "Readers")
        tabs.addTab(self._queue_tab(), "Queue")
        tabs.addTab(self._look_tab(), "Desktop")
        sb = QDialogButtonBox.StandardButton
        buttons = QDialogButtonBox(sb.Ok | sb.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(buttons)
        self.tabs = tabs
        self.buttons = buttons

    # --- tabs ----------------------------------------------------------------------------------------------
    def _library_tab(self, folders: list[str]) -> QWidget:
        w = QWidget()
        self.folder_list = QListWidget()
        self.folder_list.setObjectName("folderList")
        self._paths: list[str] = []  # the paths as the file system names them (a list item shows a readable copy)
        for folder in folders:
            self.add_folder(folder)
        self.add_folder_button = QPushButton("Add folder…")
        self.remove_folder_button = QPushButton("Remove")
        self.add_folder_button.clicked.connect(self._choose_folder)
        self.remove_folder_button.clicked.connect(self.remove_selected_folders)
        self.folder_list.itemSelectionChanged.connect(self._update_buttons)
        row = QHBoxLayout()
        row.addWidget(self.add_folder_button)
        row.addWidget(self.remove_folder_button)
        row.addStretch(1)
        layout = QVBoxLayout(w)
        layout.addWidget(QLabel("Your music folders, and single files you opened from elsewhere:"))
        layout.addWidget(self.folder_list)
        layout.addLayout(row)
        self._update_buttons()
        return w

    def _readers_tab(self) -> QWidget:
        s = self._settings
        w = QWidget()
        cam = QGroupBox("Camera (face reader)")
        self.camera_enabled = QCheckBox("Read my expression from the camera")
        self.camera_enabled.setChecked(s.camera_enabled)
        self.camera_device = QLineEdit(str(s.camera_device))
        self.camera_device.setPlaceholderText("0, /dev/video0 or a video file")
        self.camera_fps = QDoubleSpinBox()
        self.camera_fps.setRange(0.5, 60.0)
        self.camera_fps.setSingleStep(0.5)
        self.camera_fps.setSuffix(" frames/s")
        self.camera_fps.setValue(s.camera_fps)
        self.leave_timeout = QDoubleSpinBox()
        self.leave_timeout.setRange(2.0, 3600.0)
        self.leave_timeout.setDecimals(0)
        self.leave_timeout.setSuffix(" s without a face")
        self.leave_timeout.setToolTip("In a hands-free session the music pauses when you have been away this long")
        self.leave_timeout.setValue(s.leave_timeout_s)
        form = QFormLayout(cam)
        form.addRow(self.camera_enabled)
        form.addRow("Device", self.camera_device)
        form.addRow("Rate", self.camera_fps)
        form.addRow("Pause after", self.leave_timeout)
        others = QGroupBox("Other readers")
        self.journal_enabled = QCheckBox("Journal: read the mood of what I write")
        self.journal_enabled.setChecked(s.journal_enabled)
        self.tagging_enabled = QCheckBox("Music: tag the library's mood in the background")
        self.tagging_enabled.setChecked(s.audio_tagging_enabled)
        v = QVBoxLayout(others)
        v.addWidget(self.journal_enabled)
        v.addWidget(self.tagging_enabled)
        layout = QVBoxLayout(w)
        layout.addWidget(cam)
        layout.addWidget(others)
        layout.addStretch(1)
        return w

    def _queue_tab(self) -> QWidget:
        s = self._settings
        w = QWidget()
        self.strategy = QComboBox()
        for name in STRATEGIES:
            self.strategy.addItem(name.capitalize(), name)
        self.strategy.setCurrentIndex(STRATEGIES.index(s.default_strategy))
        self.steps = QSpinBox()
        self.steps.setRange(0, 50)
        self.steps.setSuffix(" tracks")
        self.steps.setValue(s.steps)
        self.volume_levelling = QCheckBox("Level the volume between tracks (ReplayGain tags)")
        self.volume_levelling.setToolTip("Tracks tagged with ReplayGain play at about the same loudness; loud ones "
                                         "are turned down, quiet ones up to your volume, never louder. Untagged "
                                         "loud tracks are turned down from the loudness the mood tagger measured")
        self.volume_levelling.setChecked(s.volume_levelling)
        form = QFormLayout()
        form.addRow("Default strategy", self.strategy)
        form.addRow("Steps to the target mood", self.steps)
        form.addRow(self.volume_levelling)
        self.album_gain = QCheckBox("While an album plays in order, keep its own loud and quiet tracks (album gain)")
        self.album_gain.setToolTip("A track whose neighbour in the queue is from the same album plays at the "
                                   "album's ReplayGain, so a quiet intro stays quieter than the album's loud songs")
        self.album_gain.setChecked(s.album_gain)
        self.album_gain.setEnabled(s.volume_levelling)
        self.volume_levelling.toggled.connect(self.album_gain.setEnabled)
        form.addRow(self.album_gain)
        self.fade_on_pause = QCheckBox("Fade out when pausing and in when playing on")
        self.fade_on_pause.setToolTip("A quarter of a second each way, instead of cutting the sound")
        self.fade_on_pause.setChecked(s.fade_on_pause)
        form.addRow(self.fade_on_pause)
        self.crossfade = QSpinBox()
        self.crossfade.setRange(0, int(CROSSFADE_MAX_S))
        self.crossfade.setSuffix(" s")
        self.crossfade.setSpecialValueText("Off")
        self.crossfade.setValue(round(s.crossfade_s))
        self.crossfade.setToolTip("Over a track's last seconds the next one fades in as it fades out. Not between "
                                  "the tracks of an album playing in order, nor into or out of a video, nor when "
                                  "you skip")
        form.addRow("Crossfade between tracks", self.crossfade)
        box = QGroupBox("How long each reading counts (half-life)")
        hl_form = QFormLayout(box)
        self.half_lives: dict[str, DurationSpin] = {}
        for source in SOURCES:
            spin = DurationSpin(*HALF_LIFE_UNITS[source])
            spin.set_seconds(s.half_lives[source])
            self.half_lives[source] = spin
            hl_form.addRow(HALF_LIFE_LABELS[source], spin)
        layout = QVBoxLayout(w)
        layout.addLayout(form)
        layout.addWidget(box)
        layout.addStretch(1)
        return w

    def _look_tab(self) -> QWidget:
        s = self._settings
        w = QWidget()
        self.theme = QComboBox()
        for name in THEMES:
            self.theme.addItem(name.capitalize(), name)
        self.theme.setCurrentIndex(THEMES.index(s.theme))
        self.close_to_tray = QCheckBox("Closing the window keeps playing in the system tray")
        self.close_to_tray.setChecked(s.close_to_tray)
        form = QFormLayout(w)
        form.addRow("Theme", self.theme)
        form.addRow(self.close_to_tray)
        self.notify_track_change = QCheckBox("Show a desktop notification when a new track starts")
        self.notify_track_change.setToolTip("Only while Moodtape's window is in the background (minimised, hidden in "
                                            "the tray, or behind another window)")
        self.notify_track_change.setChecked(s.notify_track_change)
        form.addRow(self.notify_track_change)
        return w

    # --- folders -------------------------------------------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a music folder")
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> bool:
        if folder in self._paths:
            return False
        self._paths.append(folder)  # (a name that is not UTF-8 is shown with a replacement character, kept as it is)
        self.folder_list.addItem(os.fsencode(folder).decode("utf-8", "replace"))
        return True

    def remove_selected_folders(self) -> None:
        for row in sorted((self.folder_list.row(i) for i in self.folder_list.selectedItems()), reverse=True):
            self.folder_list.takeItem(row)
            del self._paths[row]
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.remove_folder_button.setEnabled(bool(self.folder_list.selectedItems()))

    # --- results -------------------------------------------------------------------------------------------
    def result_folders(self) -> list[str]:
        return list(self._paths)

    def result_settings(self) -> Settings:
        device_text = self.camera_device.text().strip()
        device: int | str = int(device_text) if device_text.isdigit() else (device_text or 0)
        s = Settings(
            camera_device=device,
            camera_fps=self.camera_fps.value(),
            camera_enabled=self.camera_enabled.isChecked(),
            leave_timeout_s=self.leave_timeout.value(),
            journal_enabled=self.journal_enabled.isChecked(),
            audio_tagging_enabled=self.tagging_enabled.isChecked(),
            default_strategy=self.strategy.currentData(),
            steps=self.steps.value(),
            half_lives={source: spin.seconds() for source, spin in self.half_lives.items()},
            theme=self.theme.currentData(),
            close_to_tray=self.close_to_tray.isChecked(),
            notify_track_change=self.notify_track_change.isChecked(),
            volume_levelling=self.volume_levelling.isChecked(),
            album_gain=self.album_gain.isChecked(),
            fade_on_pause=self.fade_on_pause.isChecked(),
            crossfade_s=float(self.crossfade.value()),
            first_run_done=self._settings.first_run_done,
        )
        return s.validated()


def apply_theme(theme: str) -> str:
    """Apply the theme setting (system/light/dark). Returns how: "hint" (the platform honours Qt's
    colour-scheme request), "palette" (Fusion style with Moodtape's own palette, where it does not) or
    "system"."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QGuiApplication, QPalette
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    hints = QGuiApplication.styleHints()
    schemes = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark}
    wanted = schemes.get(theme, Qt.ColorScheme.Unknown)
    hints.setColorScheme(wanted)
    if theme not in schemes or not isinstance(app, QApplication):
        return "system"
    if hints.colorScheme() == wanted:
        return "hint"
    app.setStyle("Fusion")
    if theme == "light":
        app.setPalette(app.style().standardPalette())
        return "palette"
    pal = QPalette()
    role = QPalette.ColorRole
    for r, c in ((role.Window, "#2b2b30"), (role.WindowText, "#e8e6e3"), (role.Base, "#1f1f23"),
                 (role.AlternateBase, "#2b2b30"), (role.ToolTipBase, "#2b2b30"),
                 (role.ToolTipText, "#e8e6e3"),
                 (role.Text, "#e8e6e3"), (role.Button, "#34343a"), (role.ButtonText, "#e8e6e3"),
                 (role.BrightText, "#ff6b6b"), (role.Highlight, "#e0567a"), (role.HighlightedText, "#ffffff"),
                 (role.Link, "#7aa2f7"), (role.PlaceholderText, "#8a8a90")):
        pal.setColor(r, QColor(c))
    app.setPalette(pal)
    return "palette"


def edit_settings(parent: QWidget | None, settings: Settings,
                  folders: list[str]) -> tuple[Settings, list[str]] | None:
    """Run the dialog modally; (settings, folders) when accepted, else None."""
    dialog = SettingsDialog(settings, folders, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.result_settings(), dialog.result_folders()


__all__ = ["SettingsDialog", "apply_theme", "edit_settings"]
