"""The tag editor dialog: title, artist, album and genre of one track or several at once.

For several tracks a field they do not share shows "(several values)" and stays as it is unless typed into.
The dialog only collects the changes; MainWindow.edit_tags writes them off the GUI thread.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from library.tag_writer import EDITABLE, common_values

LABELS = {"title": "Title", "artist": "Artist", "album": "Album", "genre": "Genre"}


class TagEditor(QDialog):
    def __init__(self, tracks: Sequence[Mapping], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        n = len(tracks)
        self.setWindowTitle("Edit tags" if n == 1 else f"Edit tags of {n} tracks")
        self._common = common_values(list(tracks))
        self._multi = n > 1
        self.fields: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for key in EDITABLE:
            edit = QLineEdit()
            value = self._common[key]
            if value is None:
                edit.setPlaceholderText("(several values: left as they are unless you type here)")
            else:
                edit.setText(value)
            edit.setModified(False)
            self.fields[key] = edit
            if key == "title" and self._multi:
                continue  # one title for many tracks is never what anyone wants
            form.addRow(LABELS[key], edit)
        layout = QVBoxLayout(self)
        if n == 1:
            note = QLabel(str(tracks[0].get("path", "")))
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(max(420, self.sizeHint().width()), self.sizeHint().height())

    def changes(self) -> dict[str, str]:
        """The tags to write: fields whose text differs from the shared value, or that were typed into."""
        out = {}
        for key, edit in self.fields.items():
            if key == "title" and self._multi:
                continue
            text = " ".join(edit.text().split())
            shared = self._common[key]
            if (shared is None and edit.isModified()) or (shared is not None and text != shared):
                out[key] = text
        return out
