"""The first-run welcome: what the three readers do and how private they are. The camera is off by default."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from library.settings import Settings

WELCOME_HTML = """
<h2>Welcome to Moodtape</h2>
<p>Moodtape keeps your play queue in step with your mood: it can <b>match</b> how you feel, or walk you
gently towards a <b>lift</b> or a <b>calm</b>, a track at a time.</p>
<p>It listens for your mood in three ways, each of which you can switch off in Settings:</p>
<ul>
<li><b>The music</b> &mdash; every track in your library is tagged with how it sounds (happy, tense, sad,
calm) by a small model that runs in the background.</li>
<li><b>Your journal</b> &mdash; when you write a few lines, their mood is read from the text.</li>
<li><b>The camera</b> &mdash; your facial expression, read a few times a second. <b>It is off until you
turn it on.</b></li>
</ul>
<p><b>Privacy.</b> Everything runs on this computer. Nothing is uploaded and nothing is downloaded.
Camera frames are read in memory and thrown away at once &mdash; they are never stored or sent anywhere;
only the mood reading is kept, and only for a while. Your journal and listening history stay in your own
data folder.</p>
<p>You can also click the mood map at any time to say how you feel.</p>
"""


class WelcomeDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Moodtape")
        self.setObjectName("welcomeDialog")
        self._settings = settings
        text = QLabel(WELCOME_HTML)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setMinimumWidth(480)
        self.text = text
        self.camera_checkbox = QCheckBox("Turn the camera reader on now (you can change this later)")
        self.camera_checkbox.setChecked(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Start listening")
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.camera_checkbox)
        layout.addWidget(buttons)

    def result_settings(self) -> Settings:
        """The settings with first_run_done set and the camera as chosen here (off unless ticked)."""
        s = Settings(**self._settings.to_json())
        s.first_run_done = True
        s.camera_enabled = self.camera_checkbox.isChecked()
        return s.validated()


def show_welcome_if_needed(parent: QWidget | None = None, modal: bool = True) -> Settings:
    """On the first run show the welcome, then save first_run_done; returns the (maybe updated) settings."""
    from library import settings as settings_mod

    s = settings_mod.load()
    if s.first_run_done:
        return s
    dialog = WelcomeDialog(s, parent)
    if not modal:  # saved when the listener closes it
        dialog.finished.connect(lambda _code: settings_mod.save(dialog.result_settings()))
        dialog.show()
        return s
    dialog.exec()
    s = dialog.result_settings()
    settings_mod.save(s)
    return s


__all__ = ["WELCOME_HTML", "WelcomeDialog", "show_welcome_if_needed"]
