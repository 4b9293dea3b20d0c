"""The now-playing area: cover art (or the video surface), title, artist, album and the track's mood."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from emotion.mood_space import QUADRANT_NAMES
from library.tags import cover_images
from ui.library_model import mood_words

COVER_SIZE = 120
VIDEO_SIZE = (384, 216)  # videos play here, with picture
QUADRANT_COLOURS = {"Q1": QColor(241, 176, 52), "Q2": QColor(214, 69, 65), "Q3": QColor(74, 111, 165),
                    "Q4": QColor(88, 166, 120)}


def placeholder_cover(quadrant: str | None, size: int = COVER_SIZE) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(QColor(60, 60, 70))
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QUADRANT_COLOURS.get(quadrant or "", QColor(120, 120, 135))
    p.setBrush(colour)
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(size // 4, size // 4, size // 2, size // 2)
    p.setPen(QColor(255, 255, 255))
    p.drawText(pm.rect(), Qt.AlignmentFlag.AlignCenter, "♪")
    p.end()
    return pm


class NowPlaying(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nowPlaying")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.stack = QStackedWidget()
        self.cover = QLabel()
        self.cover.setFixedSize(COVER_SIZE, COVER_SIZE)
        self.cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.video = QFrame()  # libVLC draws video into this widget's native window
        self.video.setObjectName("videoSurface")
        self.video.setStyleSheet("#videoSurface { background: black; }")
        self.video.setMinimumSize(COVER_SIZE, COVER_SIZE)
        self.stack.addWidget(self.cover)
        self.stack.addWidget(self.video)
        self.stack.setFixedSize(COVER_SIZE, COVER_SIZE)
        self.title = QLabel("Nothing playing")
        self.title.setObjectName("npTitle")
        self.title.setStyleSheet("#npTitle { font-size: 16pt; font-weight: 600; }")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.artist = QLabel("")
        self.album = QLabel("")
        self.mood = QLabel("")
        self.mood.setObjectName("npMood")
        for lab in (self.title, self.artist, self.album, self.mood):
            lab.setMinimumWidth(50)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.artist)
        text.addWidget(self.album)
        text.addWidget(self.mood)
        text.addStretch(1)
        row = QHBoxLayout(self)
        row.addWidget(self.stack)
        row.addLayout(text, 1)
        self.show_track(None)

    def video_win_id(self) -> int:
        return int(self.video.winId())

    def show_track(self, track: dict | None) -> None:
        self._art = False
        if not track:
            self.title.setText("Nothing playing")
            self.artist.setText("Double-click a track, or press Space to play the queue")
            self.album.setText("")
            self.mood.setText("")
            self.cover.setPixmap(placeholder_cover(None))
            self.stack.setFixedSize(COVER_SIZE, COVER_SIZE)
            self.stack.setCurrentWidget(self.cover)
            return
        self.title.setText(track.get("title") or track["path"].rsplit("/", 1)[-1])
        self.artist.setText(track.get("artist") or "Unknown artist")
        year = track.get("year")
        self.album.setText(" ".join(x for x in (track.get("album") or "", f"({year})" if year else "") if x))
        q = track.get("quadrant")
        if q:
            words = mood_words(track.get("moods"))
            self.mood.setText(f"Feels: {QUADRANT_NAMES.get(q, q)}" + (f" ({words})" if words else "")
                              + f"   valence {track.get('valence', 0):+.2f}, arousal {track.get('arousal', 0):+.2f}"
                              + ("   (set by you)" if track.get("mood_by") == "you" else ""))
        else:
            self.mood.setText("Mood: not tagged yet")
        if track.get("kind") == "video":
            self.stack.setFixedSize(VIDEO_SIZE[0], VIDEO_SIZE[1])
            self.stack.setCurrentWidget(self.video)
            return
        self.stack.setFixedSize(COVER_SIZE, COVER_SIZE)
        self.stack.setCurrentWidget(self.cover)
        for data in cover_images(track["path"]):  # a damaged embedded picture gives way to the folder's
            pm = QPixmap()
            if pm.loadFromData(data):
                self.cover.setPixmap(pm.scaled(COVER_SIZE, COVER_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
                                               Qt.TransformationMode.SmoothTransformation))
                self._art = True
                return
        self.cover.setPixmap(placeholder_cover(q))

    def has_cover_art(self) -> bool:
        """The track's own cover art is shown (not the generated placeholder, not a video)."""
        pm = self.cover.pixmap()
        return self._art and pm is not None and not pm.isNull() and self.stack.currentWidget() is self.cover
