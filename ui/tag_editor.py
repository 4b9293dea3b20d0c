"""The tag editor: a dialog for title, artist, album, album artist, genre, track and disc number and year of one
track or several at once, and writing its changes off the GUI thread.

For several tracks a field they do not share shows "(several values)" and stays as it is unless typed into.
The files are written by library/tag_writer.py; the store and the table are updated once they are, keeping each
track's mood tags (only the tags changed, not the music).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from library.tag_writer import EDITABLE, NUMBER_RANGES, can_edit, common_values, write_tags
from library.tags import read_tags
from ui.workers import run_in_background

LABELS = {"title": "Title", "artist": "Artist", "album": "Album", "albumartist": "Album artist", "genre": "Genre",
          "track_no": "Track number", "disc_no": "Disc number", "year": "Year"}
ONE_TRACK_ONLY = ("title", "track_no")  # one title or track number for many tracks is never what anyone wants


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
            if key in NUMBER_RANGES:
                edit.setValidator(QIntValidator(0, NUMBER_RANGES[key][1], edit))  # range checked on save
                edit.setMaximumWidth(90)
            self.fields[key] = edit
            if key in ONE_TRACK_ONLY and self._multi:
                continue
            form.addRow(LABELS[key], edit)
        layout = QVBoxLayout(self)
        if n == 1:
            note = QLabel(str(tracks[0].get("path", "")))
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(max(500 if self._multi else 420, self.sizeHint().width()), self.sizeHint().height())

    def accept(self) -> None:
        """Save, unless a number typed is out of its range (said under the fields; nothing is written)."""
        for key, text in self.changes().items():
            low, high = NUMBER_RANGES.get(key, (0, 0))
            if key in NUMBER_RANGES and text and not (text.isdigit() and low <= int(text) <= high):
                self.error.setText(f"{LABELS[key]}: a whole number from {low} to {high}, or empty")
                self.error.show()
                self.fields[key].setFocus()
                return
        super().accept()

    def changes(self) -> dict[str, str]:
        """The tags to write: fields whose text differs from the shared value, or that were typed into."""
        out = {}
        for key, edit in self.fields.items():
            if key in ONE_TRACK_ONLY and self._multi:
                continue
            text = " ".join(edit.text().split())
            shared = self._common[key]
            if (shared is None and edit.isModified()) or (shared is not None and text != shared):
                out[key] = text
        return out


def edit_selected(window: Any) -> None:
    """Edit the tags of the library table's selected audio tracks (videos are not edited)."""
    tracks = [t for t in (window.library.track_for(p) for p in window.selected_paths()) if t]
    editable = [t for t in tracks if can_edit(t["path"])]
    if not editable:
        window.show_message("Pick one or more audio tracks to edit their tags (videos are not edited)")
        return
    dialog = TagEditor(editable, window)
    if dialog.exec() == TagEditor.DialogCode.Accepted and dialog.changes():
        edit_tags(window, [t["path"] for t in editable], dialog.changes())


def edit_tags(window: Any, paths: list[str], changes: dict[str, str]) -> None:
    """Write tag changes to the files off the GUI thread, then update the store and the table, keeping each
    track's mood tags; a file that cannot be written is listed under Problems with the reason."""
    from emotion.tagger import loudness_key, tag_key_for

    olds = {p: dict(window.library.track_for(p) or {"path": p}) for p in paths}

    def work(report):
        results = []
        for i, path in enumerate(paths):
            if len(paths) > 1:
                report((i, len(paths)))
            try:
                before, st = write_tags(path, changes)
                fields = {**read_tags(path, st.st_size), "size": st.st_size, "mtime": st.st_mtime}
            except Exception as exc:  # a read-only, damaged or vanished file: each failure becomes a reason
                results.append((path, None, str(exc) or exc.__class__.__name__))
                continue
            old = olds[path]
            version = old.get("model_version")
            same_file = (old.get("size"), old.get("mtime")) == (before.st_size, before.st_mtime)
            if version and same_file and old.get("tag_key") == tag_key_for(old, version):
                # the music the mood tags were read from, with new tags only: they hold for the edited file
                fields["tag_key"] = tag_key_for({**old, **fields}, version)
            if same_file and old.get("loudness_key") == loudness_key(old):  # so does the measured loudness
                fields["loudness_key"] = loudness_key({**old, **fields})
            kept = old.get("tagger_mood")  # a hand-set mood keeps the tagger's reading aside: it holds too
            if isinstance(kept, dict) and kept.get("model_version") and same_file \
                    and kept.get("tag_key") == tag_key_for(old, kept["model_version"]):
                fields["tagger_mood"] = {**kept, "tag_key": tag_key_for({**old, **fields}, kept["model_version"])}
            results.append((path, fields, None))
        return results

    def failed_task(message: str, tb: str = "") -> None:
        window._edits_running -= 1
        window.report_worker_error(message, tb)

    def done(results) -> None:
        window._edits_running -= 1
        saved = [(p, f) for p, f, _ in results if f is not None]
        failed = [(p, r) for p, f, r in results if f is None]
        if saved:
            window.store.update_tracks(saved)
            window.store.clear_problems(paths=[p for p, _ in saved], stage="edit")
            window.library.update_fields(saved)
        if failed:
            window.store.add_problems([(p, "edit", r) for p, r in failed])
        window.store.flush()
        window.refresh_problems()
        window.queue_model.refresh()
        if window.engine.current in dict(saved):
            window.now_playing.show_track(window.library.track_for(window.engine.current))
        text = f"Saved the tags of {len(saved)} track{'s' if len(saved) != 1 else ''}"
        if failed:
            name = os.path.basename(failed[0][0])
            text += f"; {len(failed)} not saved ({name}: {failed[0][1]}; see Problems)"
        window.show_message(text)
        window.library_changed.emit()

    window._edits_running += 1  # the folder watcher's rescan waits for it
    def progress(step) -> None:
        done_so_far, total = step
        window.show_message(f"Saving tags: {done_so_far} of {total} tracks done…")

    run_in_background(work, on_done=done, on_progress=progress, on_error=failed_task, name="edit tags")
