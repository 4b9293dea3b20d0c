"""The "Saved" button beside the filter box: the saved filters (library/saved_filters.py) to pick with one click,
"Save this filter…" for the one typed, and "Remove" for those no longer wanted."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QToolButton

from library import saved_filters
from library.saved_filters import SavedFilter


class SavedFiltersButton(QToolButton):
    def __init__(self, window: Any, edit: QLineEdit) -> None:
        super().__init__(window)
        self.window = window
        self.edit = edit
        self.setText("Saved")
        self.setToolTip("Saved filters: pick one, or save the filter you typed")
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_ = QMenu(self)
        self.menu_.aboutToShow.connect(self.rebuild)
        self.setMenu(self.menu_)
        self.rebuild()

    def filters(self) -> list[SavedFilter]:
        return saved_filters.load(self.window.store)

    def rebuild(self) -> None:
        m = self.menu_
        m.clear()
        filters = self.filters()
        current = " ".join(self.edit.text().split())
        for f in filters:
            a = m.addAction(f.name.replace("&", "&&"), lambda q=f.query: self.apply(q))
            a.setToolTip(f.query)
            a.setCheckable(True)
            a.setChecked(f.query == current)
        m.setToolTipsVisible(True)
        if filters:
            m.addSeparator()
        save = m.addAction("Save this filter…", self.save_current)
        save.setEnabled(bool(current))
        remove = m.addMenu("Remove")
        for f in filters:
            remove.addAction(f.name.replace("&", "&&"), lambda name=f.name: self.remove(name))
        remove.setEnabled(bool(filters))

    def apply(self, query: str) -> None:
        """Show the library through a saved filter (the box shows it, to read or change)."""
        self.edit.setText(query)

    def save_current(self) -> None:
        query = self.edit.text().strip()
        if not query:
            return
        same = [f.name for f in self.filters() if f.query == " ".join(query.split())]
        name, ok = QInputDialog.getText(self.window, "Save this filter", f"A name for “{query}”:",
                                        text=same[0] if same else query)
        if ok:
            self.save_as(name, query)

    def save_as(self, name: str, query: str) -> bool:
        try:
            updated = saved_filters.add(self.filters(), name, query)
        except ValueError as exc:
            self.window.show_message(f"Not saved: {exc}")
            return False
        saved_filters.save(self.window.store, updated)
        self.window.show_message(f"Saved the filter “{' '.join(name.split())}”")
        self.rebuild()
        return True

    def remove(self, name: str) -> None:
        saved_filters.save(self.window.store, saved_filters.remove(self.filters(), name))
        self.window.show_message(f"Removed the saved filter “{name}”")
        self.rebuild()


__all__ = ["SavedFiltersButton"]
