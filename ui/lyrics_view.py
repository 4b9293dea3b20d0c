"""The lyrics pane: the playing track's lyrics (library/lyrics.py), the line being sung highlighted and kept in the
middle when they are time-stamped. Read only while the pane is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from library.lyrics import Lyrics, read_lyrics

NO_LYRICS = ("No lyrics for this track. Put an .lrc file with the same name beside it (time-stamped lines follow "
             "the music), or add them to its tags.")


class LyricsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lyrics: Lyrics | None = None
        self.path: str | None = None
        self.current: int | None = None
        self.note = QLabel("Nothing is playing")
        self.note.setWordWrap(True)
        self.lines = QListWidget()
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.lines.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lines.setWordWrap(True)
        self.lines.setFrameShape(QListWidget.Shape.NoFrame)
        self.lines.setSpacing(3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.note)
        layout.addWidget(self.lines, 1)
        self._normal = QFont(self.lines.font())
        self._bold = QFont(self.lines.font())
        self._bold.setBold(True)

    def show_track(self, path: str | None) -> None:
        """Read and show the lyrics of this track (None: nothing plays)."""
        self.path = path
        self.current = None
        self.lines.clear()
        self.lyrics = read_lyrics(path) if path else None
        if self.lyrics is None:
            self.note.setText(NO_LYRICS if path else "Nothing is playing")
            self.note.show()
            self.lines.hide()
            return
        self.note.setText("Time-stamped: the line being sung is highlighted" if self.lyrics.synced else "")
        self.note.setVisible(self.lyrics.synced)
        for text in self.lyrics.lines:
            item = QListWidgetItem(text or " ")
            item.setTextAlignment(Qt.AlignmentFlag.AlignHCenter)
            self.lines.addItem(item)
        self.lines.show()
        self.lines.scrollToTop()

    def follow(self, position_ms: int) -> None:
        """Highlight the line sung at this position (time-stamped lyrics only); cheap when it has not changed."""
        if self.lyrics is None or not self.lyrics.synced:
            return
        line = self.lyrics.line_at(position_ms)
        if line == self.current:
            return
        if self.current is not None and (old := self.lines.item(self.current)) is not None:
            old.setFont(self._normal)
            old.setForeground(QBrush())
        self.current = line
        if line is not None and (item := self.lines.item(line)) is not None:
            item.setFont(self._bold)
            item.setForeground(self.palette().brush(QPalette.ColorRole.Highlight))
            self.lines.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)

    def current_text(self) -> str | None:
        if self.current is None or self.lyrics is None:
            return None
        return self.lyrics.lines[self.current]


def install_lyrics_dock(window) -> QDockWidget:
    """A Lyrics dock (hidden at first; View → Lyrics) that follows the player while it is shown."""
    view = LyricsView()
    dock = QDockWidget("Lyrics", window)
    dock.setObjectName("lyricsDock")
    dock.setWidget(view)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    dock.hide()
    window.view_menu.addAction(dock.toggleViewAction())
    engine = window.engine

    def on_track(path: str) -> None:
        if dock.isVisible():
            view.show_track(path)

    def on_shown(visible: bool) -> None:
        if visible:  # read again: an .lrc put beside the track while the pane was hidden shows now
            view.show_track(engine.current)
            view.follow(int(engine.position()))

    engine.track_changed.connect(on_track)
    engine.position_changed.connect(lambda pos, _length: view.follow(pos) if dock.isVisible() else None)
    dock.visibilityChanged.connect(on_shown)
    window.lyrics_dock, window.lyrics_view = dock, view
    return dock
