"""The mood map (valence-arousal plane, painted with QPainter) and the strategy bar.

MoodMap: quadrant labels, every tagged track as a dot coloured by quadrant, the listener's current mood with
its uncertainty (a circle), the target, the planned path through the next tracks, the playing track's tag, and a
legend of these marks under the plane when there is room for it. A click emits
target_picked(v, a) in "target" mode or mood_set(v, a) in "mood" mode; Shift+click does the other one.

StrategyBar: strategy selector (match / lift / calm / custom), steps spin box, and the tracker's inferred
intention with a "follow suggestions" toggle (the user's choice in the selector is the override).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

QUADRANT_COLOURS = {
    "Q1": QColor(241, 166, 33),  # happy / excited: amber
    "Q2": QColor(214, 69, 65),  # angry / tense: red
    "Q3": QColor(70, 110, 200),  # sad / tired: blue
    "Q4": QColor(70, 170, 120),  # calm / tender: green
}
QUADRANT_LABELS = {
    "Q1": "Q1 happy / excited",
    "Q2": "Q2 angry / tense",
    "Q3": "Q3 sad / tired",
    "Q4": "Q4 calm / tender",
}
STRATEGY_LABELS = {
    "match": "Match my mood",
    "lift": "Lift me up",
    "calm": "Calm me down",
    "custom": "Custom target",
}


def _quadrant(v: float, a: float) -> str:
    if a >= 0:
        return "Q1" if v >= 0 else "Q2"
    return "Q4" if v >= 0 else "Q3"


def _clamp(x: float) -> float:
    return -1.0 if x < -1.0 else 1.0 if x > 1.0 else x


def points_for(tracks: Iterable[Mapping[str, Any]]) -> list[tuple[float, float, str]]:
    """(valence, arousal, quadrant) of each tagged track, for MoodMap.set_points. Plain Python: any thread."""
    pts = []
    for t in tracks:
        v, a = t.get("valence"), t.get("arousal")
        if v is None or a is None:
            continue
        v, a = _clamp(float(v)), _clamp(float(a))
        pts.append((v, a, str(t.get("quadrant") or _quadrant(v, a))))
    return pts


class MoodMap(QWidget):
    """The valence-arousal plane. Valence runs left (-1) to right (+1), arousal bottom (-1) to top (+1)."""

    target_picked = Signal(float, float)
    mood_set = Signal(float, float)

    MARGIN = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(220, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setToolTip("Click: set a target (or your mood, see the mode). Shift+click: the other one.")
        self._points: list[tuple[float, float, str]] = []
        self._mood: tuple[float, float, float] | None = None
        self._target: tuple[float, float] | None = None
        self._path: list[tuple[float, float]] = []
        self._playing: tuple[float, float] | None = None
        self._mode = "target"
        self._dots: QImage | None = None  # cached layer of track dots
        self._dots_size = (0, 0)

    # ------------------------------------------------------------------ slots
    def set_tracks(self, tracks: Iterable[Mapping[str, Any]]) -> None:
        self.set_points(points_for(tracks))

    def set_points(self, points: list[tuple[float, float, str]]) -> None:
        """Dots from `points_for` (which may run off the GUI thread)."""
        self._points = list(points)
        self._dots = None
        self.update()

    def set_mood(self, valence: float, arousal: float, spread: float = 0.0) -> None:
        self._mood = (_clamp(float(valence)), _clamp(float(arousal)), max(0.0, float(spread)))
        self.update()

    def clear_mood(self) -> None:
        self._mood = None
        self.update()

    def set_target(self, valence: float, arousal: float) -> None:
        self._target = (_clamp(float(valence)), _clamp(float(arousal)))
        self.update()

    def clear_target(self) -> None:
        self._target = None
        self.update()

    def set_path(self, points: Sequence[tuple[float, float]]) -> None:
        self._path = [(_clamp(float(v)), _clamp(float(a))) for v, a in points]
        self.update()

    def set_playing(self, valence: float, arousal: float) -> None:
        """The playing track's tag (a note-shaped mark)."""
        self._playing = (_clamp(float(valence)), _clamp(float(arousal)))
        self.update()

    def clear_playing(self) -> None:
        self._playing = None
        self.update()

    def set_mode(self, mode: str) -> None:
        """'target' (a click picks a custom target) or 'mood' (a click says how you feel)."""
        if mode not in ("target", "mood"):
            raise ValueError(f"unknown mode {mode!r}")
        self._mode = mode

    def mode(self) -> str:
        return self._mode

    # ------------------------------------------------------------------ geometry
    TOP = 10  # the plane hangs from the top of the widget, under the strategy bar; the legend takes the rest

    def plane_rect(self) -> QRectF:
        m = self.MARGIN
        side = max(10.0, min(self.width() - 2.0 * m, self.height() - self.TOP - m))
        x = (self.width() - side) / 2.0
        return QRectF(x, float(self.TOP), side, side)

    def legend_rows(self) -> int:
        """How many lines of the legend fit under the plane (0 when the widget is about square)."""
        line = self.fontMetrics().height() + 4
        room = self.height() - (self.plane_rect().bottom() + self.MARGIN + 6)
        return max(0, min(len(self.LEGEND_TEXT), int(room // line)))

    def to_widget(self, v: float, a: float) -> QPointF:
        r = self.plane_rect()
        return QPointF(r.left() + (v + 1.0) / 2.0 * r.width(), r.top() + (1.0 - a) / 2.0 * r.height())

    def to_plane(self, point: QPointF) -> tuple[float, float]:
        r = self.plane_rect()
        v = (point.x() - r.left()) / r.width() * 2.0 - 1.0
        a = 1.0 - (point.y() - r.top()) / r.height() * 2.0
        return _clamp(v), _clamp(a)

    def cells(self) -> dict[str, QRectF]:
        """The plane's four quadrant cells, in widget coordinates."""
        r = self.plane_rect()
        half_w, half_h = r.width() / 2.0, r.height() / 2.0
        return {
            "Q2": QRectF(r.left(), r.top(), half_w, half_h),
            "Q1": QRectF(r.center().x(), r.top(), half_w, half_h),
            "Q3": QRectF(r.left(), r.center().y(), half_w, half_h),
            "Q4": QRectF(r.center().x(), r.center().y(), half_w, half_h),
        }

    def label_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.85))
        return font

    MOOD_RADIUS = 6.0  # the mood dot's radius

    def mood_dot_centre(self) -> QPointF | None:
        """Where the mood dot is drawn: at the mood, or, when that would cover the now-playing mark's note, on that
        mark's rim in the direction of the mood (straight up-right when they coincide), so both read."""
        if not self._mood:
            return None
        c = self.to_widget(*self._mood[:2])
        if not self._playing:
            return c
        n = self.to_widget(*self._playing)
        dx, dy = c.x() - n.x(), c.y() - n.y()
        dist = (dx * dx + dy * dy) ** 0.5
        if dist >= self.MARK_RADIUS:
            return c
        if dist < 1.0:
            dx, dy, dist = 1.0, -1.0, 2.0 ** 0.5
        return QPointF(n.x() + dx / dist * self.MARK_RADIUS, n.y() + dy / dist * self.MARK_RADIUS)

    def marks(self) -> list[QPointF]:
        """Where the big marks sit (planned stops, target, playing track, mood), in widget coordinates."""
        pts = list(self._path)
        pts += [m[:2] for m in (self._target, self._playing, self._mood) if m]
        return [self.to_widget(v, a) for v, a in pts]

    LABEL_PAD = 4.0
    MARK_RADIUS = 9.0  # the largest mark's (now playing) radius: a label this close to a mark's centre is under it
    LEFT_CELLS = ("Q2", "Q3")  # negative valence: their labels sit at the cell's left edge

    def label_rects(self) -> dict[str, QRectF]:
        """Where each quadrant's label goes: its cell's outer corner (Q1 top right, Q2 top left, Q3 bottom left,
        Q4 bottom right), or, when a mark sits there, the corner on the same side by the valence axis, whichever
        is covered by fewer marks (the outer one on a tie)."""
        fm = QFontMetricsF(self.label_font())
        marks = self.marks()
        pad, rad = self.LABEL_PAD, self.MARK_RADIUS
        out: dict[str, QRectF] = {}
        for q, cell in self.cells().items():
            inner = cell.adjusted(pad, pad, -pad, -pad)
            text = fm.boundingRect(QUADRANT_LABELS[q])
            w, h = min(text.width() + 2.0, inner.width()), fm.height()
            x = inner.left() if q in self.LEFT_CELLS else inner.right() - w
            top, bottom = inner.top(), inner.bottom() - h
            outer_y, axis_y = (top, bottom) if q in ("Q1", "Q2") else (bottom, top)  # upper cells: outer is top
            spots = [QRectF(x, y, w, h) for y in (outer_y, axis_y)]
            out[q] = min(spots, key=lambda rect: sum(rect.adjusted(-rad, -rad, rad, rad).contains(m) for m in marks))
        return out

    # ------------------------------------------------------------------ events
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        pos = event.position()
        if not self.plane_rect().adjusted(-4, -4, 4, 4).contains(pos):
            return None
        v, a = self.to_plane(pos)
        mode = self._mode
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            mode = "mood" if mode == "target" else "target"
        if mode == "target":
            self.set_target(v, a)
            self.target_picked.emit(v, a)
        else:
            self.mood_set.emit(v, a)
        event.accept()
        return None

    def resizeEvent(self, event: Any) -> None:
        self._dots = None
        super().resizeEvent(event)

    # ------------------------------------------------------------------ painting
    def _dot_layer(self) -> QImage:
        size = (self.width(), self.height())
        if self._dots is not None and self._dots_size == size:
            return self._dots
        img = QImage(max(1, size[0]), max(1, size[1]), QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(Qt.GlobalColor.transparent)
        p = QPainter(img)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, len(self._points) < 5000)
        radius = 2.5 if len(self._points) < 2000 else 1.5 if len(self._points) < 20000 else 0.8
        groups: dict[str, QPolygonF] = {q: QPolygonF() for q in QUADRANT_COLOURS}
        for v, a, q in self._points:
            groups.setdefault(q, QPolygonF()).append(self.to_widget(v, a))
        for q, poly in groups.items():
            colour = QColor(QUADRANT_COLOURS.get(q, QColor(128, 128, 128)))
            colour.setAlpha(170 if len(self._points) < 5000 else 90)
            pen = QPen(colour, radius * 2)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            p.drawPoints(poly)
        p.end()
        self._dots, self._dots_size = img, size
        return img

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self.plane_rect()
        pal = self.palette()
        p.fillRect(self.rect(), pal.window())
        # Quadrant tints.
        cells = self.cells()
        for q, cell in cells.items():
            tint = QColor(QUADRANT_COLOURS[q])
            tint.setAlpha(28)
            p.fillRect(cell, tint)
        # Axes and frame.
        p.setPen(QPen(pal.mid().color(), 1))
        p.drawRect(r)
        p.drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y()))
        p.drawLine(QPointF(r.center().x(), r.top()), QPointF(r.center().x(), r.bottom()))
        # Labels (stepping aside from the marks drawn over them).
        p.setFont(self.label_font())
        p.setPen(pal.text().color())
        for q, rect in self.label_rects().items():
            align = Qt.AlignmentFlag.AlignLeft if q in self.LEFT_CELLS else Qt.AlignmentFlag.AlignRight
            p.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), QUADRANT_LABELS[q])
        p.drawText(
            QRectF(r.left(), r.bottom() + 2, r.width(), self.MARGIN - 2),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
            "valence →",
        )
        p.save()
        p.translate(r.left() - 4, r.center().y())
        p.rotate(-90)
        p.drawText(
            QRectF(-r.height() / 2, -self.MARGIN + 2, r.height(), self.MARGIN - 4),
            int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
            "arousal →",
        )
        p.restore()
        # Tracks.
        if self._points:
            p.drawImage(0, 0, self._dot_layer())
        # Planned path.
        if self._path:
            path = QPainterPath()
            start = self._mood[:2] if self._mood else self._path[0]
            path.moveTo(self.to_widget(*start))
            for v, a in self._path:
                path.lineTo(self.to_widget(v, a))
            p.setPen(QPen(pal.text().color(), 1.6, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawPath(path)
            for i, (v, a) in enumerate(self._path):
                self._draw_stop(p, self.to_widget(v, a), str(i + 1), pal)
        # Target.
        if self._target:
            self._draw_target(p, self.to_widget(*self._target))
        # The playing track, under the listener's mood (they often coincide: music is one of its readers; then the
        # mood dot sits on the note's rim, see mood_dot_centre).
        if self._playing:
            self._draw_note(p, self.to_widget(*self._playing), pal)
        # Current mood with its uncertainty (the circle kept inside the plane).
        if self._mood:
            v, a, spread = self._mood
            c = self.to_widget(v, a)
            rad = spread / 2.0 * r.width()
            fill = QColor(pal.highlight().color())
            fill.setAlpha(45)
            p.setBrush(fill)
            p.setPen(QPen(pal.highlight().color(), 1.2, Qt.PenStyle.DotLine))
            if rad > 1:
                p.save()
                p.setClipRect(r)
                p.drawEllipse(c, rad, rad)
                p.restore()
            dot = self.mood_dot_centre()
            self._draw_mood(p, dot if dot is not None else c, pal)
        self._draw_legend(p, r, pal)
        p.end()

    LEGEND_TEXT = {
        "playing": "now playing",
        "mood": "your mood (the circle: how unsure)",
        "target": "target (click the map)",
        "path": "the next tracks, in order",
        "tracks": "your tracks, by mood",
    }

    # The marks, drawn the same on the plane and in the legend.
    @staticmethod
    def _draw_stop(p: QPainter, c: QPointF, label: str, pal) -> None:
        """A planned track: a numbered circle."""
        p.setPen(QPen(pal.text().color(), 1.2))
        p.setBrush(pal.base())
        p.drawEllipse(c, 7, 7)
        p.drawText(QRectF(c.x() - 7, c.y() - 7, 14, 14), int(Qt.AlignmentFlag.AlignCenter), label)

    @staticmethod
    def _draw_target(p: QPainter, c: QPointF) -> None:
        p.setPen(QPen(QColor(200, 40, 160), 2.2))
        p.drawLine(QPointF(c.x() - 8, c.y()), QPointF(c.x() + 8, c.y()))
        p.drawLine(QPointF(c.x(), c.y() - 8), QPointF(c.x(), c.y() + 8))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(c, 5, 5)

    @classmethod
    def _draw_mood(cls, p: QPainter, c: QPointF, pal) -> None:
        p.setBrush(pal.highlight())
        p.setPen(QPen(pal.highlightedText().color(), 1.5))
        p.drawEllipse(c, cls.MOOD_RADIUS, cls.MOOD_RADIUS)

    @classmethod
    def _draw_note(cls, p: QPainter, c: QPointF, pal) -> None:
        rad = cls.MARK_RADIUS
        p.setPen(QPen(pal.window().color(), 3.0))  # a halo, so the mark reads over dots and the path
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(c, rad, rad)
        p.setPen(QPen(QColor(40, 40, 40), 2.0))
        p.setBrush(QColor(255, 255, 255, 230))
        p.drawEllipse(c, rad, rad)
        p.setPen(QColor(40, 40, 40))
        p.drawText(QRectF(c.x() - rad, c.y() - rad, 2 * rad, 2 * rad), int(Qt.AlignmentFlag.AlignCenter), "\u266a")

    def _draw_legend(self, p: QPainter, r: QRectF, pal) -> None:
        """One line per mark under the plane, as many as fit."""
        line = self.fontMetrics().height() + 4
        top = r.bottom() + self.MARGIN + 6
        x = r.left() + 10
        for i, key in enumerate(list(self.LEGEND_TEXT)[:self.legend_rows()]):
            y = top + i * line
            c = QPointF(x, y + line / 2.0)
            if key == "playing":
                self._draw_note(p, c, pal)
            elif key == "mood":
                self._draw_mood(p, c, pal)
            elif key == "target":
                self._draw_target(p, c)
            elif key == "path":
                self._draw_stop(p, c, "1", pal)
            else:
                p.setPen(Qt.PenStyle.NoPen)
                for j, q in enumerate(("Q1", "Q2", "Q3", "Q4")):
                    p.setBrush(QUADRANT_COLOURS[q])
                    p.drawEllipse(QPointF(c.x() - 7 + j * 4.7, c.y()), 2.5, 2.5)
            p.setPen(pal.text().color())
            p.drawText(QRectF(x + 16, y, r.right() - x - 16, line),
                       int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), self.LEGEND_TEXT[key])


class StrategyBar(QWidget):
    """Strategy selector, steps, and the inferred intention with a follow/override toggle."""

    strategy_changed = Signal(str)
    steps_changed = Signal(int)
    follow_suggestions_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        for key, label in STRATEGY_LABELS.items():
            self.combo.addItem(label, key)
        self.combo.setToolTip(
            "Match stays with your mood (default). Lift and calm walk one step per track "
            "from where you are toward the goal (iso principle). Custom: click the map."
        )
        self.steps = QSpinBox()
        self.steps.setRange(0, 30)
        self.steps.setValue(5)
        self.steps.setPrefix("steps: ")
        self.steps.setToolTip("How many tracks the walk to the target takes")
        self.follow = QCheckBox("Follow suggestions")
        self.follow.setToolTip(
            "Let Moodtape switch strategy when it infers a wish (e.g. bright music, sad face)"
        )
        self.suggestion = QLabel("")
        self.suggestion.setWordWrap(True)
        self.suggestion.setObjectName("intentionLabel")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.combo, 1)
        top.addWidget(self.steps)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.follow)  # its own row, so the mood dock can stay narrow
        lay.addWidget(self.suggestion)
        self._updating = False
        self.combo.currentIndexChanged.connect(self._on_combo)
        self.steps.valueChanged.connect(self._on_steps)
        self.follow.toggled.connect(self._on_follow)
        self._update_steps_enabled()

    def strategy(self) -> str:
        return str(self.combo.currentData())

    def set_strategy(self, strategy: str) -> None:
        """Show a strategy without emitting strategy_changed (e.g. when the engine followed a suggestion)."""
        i = self.combo.findData(strategy)
        if i < 0:
            raise ValueError(f"unknown strategy {strategy!r}")
        self._updating = True
        try:
            self.combo.setCurrentIndex(i)
        finally:
            self._updating = False
        self._update_steps_enabled()

    def set_steps(self, steps: int) -> None:
        self._updating = True
        try:
            self.steps.setValue(int(steps))
        finally:
            self._updating = False

    def set_intention(self, strategy: str, reason: str, overridden: bool = False) -> None:
        """Show the tracker's inference (emotion.tracker.Intention.inferred / reason)."""
        label = STRATEGY_LABELS.get(strategy, strategy)
        prefix = "Suggestion" if not overridden else "Suggestion (you chose otherwise)"
        self.suggestion.setText(f"{prefix}: {label}. {reason}")

    def _on_combo(self, _index: int) -> None:
        self._update_steps_enabled()
        if self._updating:
            return
        if self.follow.isChecked():  # a manual choice overrides the suggestion
            self.follow.setChecked(False)
        self.strategy_changed.emit(self.strategy())

    def _on_steps(self, value: int) -> None:
        if not self._updating:
            self.steps_changed.emit(int(value))

    def _on_follow(self, checked: bool) -> None:
        self.follow_suggestions_changed.emit(bool(checked))

    def _update_steps_enabled(self) -> None:
        self.steps.setEnabled(self.strategy() != "match")
