"""The Problems view: every file Moodtape could not scan, tag or play, with the reason."""

from __future__ import annotations

import os
import time

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

STAGES = {"scan": "Scan", "tag": "Mood tagging", "play": "Playback", "edit": "Tag editing",
          "trash": "Moving to the trash"}


class ProblemsView(QTableWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["File", "Step", "Reason", "When"])
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().hide()
        h = self.horizontalHeader()
        h.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.setColumnWidth(0, 320)
        self.setSortingEnabled(True)

    def set_rows(self, problems: list[dict]) -> None:
        self.setSortingEnabled(False)
        self.setRowCount(len(problems))
        for r, p in enumerate(sorted(problems, key=lambda x: -float(x.get("time", 0)))):
            path = str(p.get("path", ""))
            name = QTableWidgetItem(os.path.basename(path) or path)
            name.setToolTip(path)
            self.setItem(r, 0, name)
            self.setItem(r, 1, QTableWidgetItem(STAGES.get(p.get("stage", ""), p.get("stage", ""))))
            self.setItem(r, 2, QTableWidgetItem(str(p.get("reason", ""))))
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(p.get("time", 0))))
            self.setItem(r, 3, QTableWidgetItem(when))
        self.setSortingEnabled(True)
