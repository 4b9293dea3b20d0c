"""Track information (Ctrl+I in the library table): everything Moodtape knows about one track, in four parts:
its tags, its file, its mood (and who read it) and your listening.

    describe(track, history_rows)            # plain Python: [(part, [(label, value), ...]), ...]; empty values left out
    describe_many(tracks, history_rows)      # the same for several tracks: what they share, and what they add up to
    show_track_info(window)                  # the dialog for the selected track(s)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from emotion.mood_space import GEMS, QUADRANT_NAMES
from library.mood_edits import set_by_you
from ui.library_model import finite_number, format_duration

Rows = list[tuple[str, str]]


def _when(stamp: Any) -> str:
    import time

    x = finite_number(stamp)
    try:
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(x)) if x else ""
    except (ValueError, OverflowError, OSError):
        return ""


def _number(value: Any, fmt: str) -> str:
    x = finite_number(value)
    return fmt.format(x) if x is not None else ""


def _size(n: Any) -> str:
    x = finite_number(n)
    if x is None or x < 0:
        return ""
    n = int(x)
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB" if n >= 1024 else f"{n} bytes"
    return f"{n / 1024 / 1024:.1f} MB"


def _gain(gain: Any, peak: Any) -> str:
    text = _number(gain, "{:+.2f} dB")
    if text and peak not in (None, ""):
        text += f" (peak {_number(peak, '{:.3f}')})"
    return text


def _mood(q: Any, v: Any, a: Any) -> str:
    if not q:
        return ""
    v_text, a_text = _number(v, "{:+.2f}") or "?", _number(a, "{:+.2f}") or "?"
    return f"{q} {QUADRANT_NAMES.get(str(q), '')} (valence {v_text}, arousal {a_text})"


def _words(moods: Any, n: int = 5) -> str:
    """The nine GEMS mood words the tagger found, strongest first, with their confidences."""
    if not isinstance(moods, Mapping):
        return ""
    found = [(g, c) for g, c in ((g, finite_number(moods.get(g))) for g in GEMS) if c is not None]
    found.sort(key=lambda gc: -gc[1])
    return ", ".join(f"{g.replace('_', ' ')} {c:.2f}" for g, c in found[:n])


def describe(track: Mapping, history_rows: Sequence[Mapping] = ()) -> list[tuple[str, Rows]]:
    """What the dialog shows of a track (a store record), part by part; a part with nothing known is left out."""
    t = track
    track_no = str(t.get("track_no") or "")
    disc_no = str(t.get("disc_no") or "")
    tags: Rows = [("Title", str(t.get("title") or "")), ("Artist", str(t.get("artist") or "")),
                  ("Album", str(t.get("album") or "")), ("Album artist", str(t.get("albumartist") or "")),
                  ("Genre", str(t.get("genre") or "")), ("Track", track_no), ("Disc", disc_no),
                  ("Year", str(t.get("year") or ""))]
    bitrate = t.get("bitrate")
    file: Rows = [("File", os.path.basename(str(t.get("path", "")))),
                  ("Folder", os.path.dirname(str(t.get("path", "")))),
                  ("Kind", "video (its sound plays)" if t.get("kind") == "video" else ""),
                  ("Format", str(t.get("format") or "")),
                  ("Bitrate", f"{bitrate} kbit/s" if bitrate else ""),
                  ("Length", format_duration(t.get("duration"))),
                  ("Size", _size(t.get("size"))),
                  ("Modified", _when(t.get("mtime"))),
                  ("In the library since", _when(t.get("added"))),
                  ("Track gain", _gain(t.get("rg_gain"), t.get("rg_peak"))),
                  ("Album gain", _gain(t.get("rg_album_gain"), t.get("rg_album_peak"))),
                  ("Loudness", _number(t.get("loudness"), "{:.1f} LUFS (measured by the tagger)"))]
    mood: Rows = [("Mood", _mood(t.get("quadrant"), t.get("valence"), t.get("arousal")))]
    if set_by_you(t):
        mood.append(("Set by", "you (kept when re-tagging)"))
        kept = t.get("tagger_mood")
        if isinstance(kept, Mapping) and kept.get("quadrant"):
            mood.append(("The tagger read",
                         _mood(kept.get("quadrant"), kept.get("valence"), kept.get("arousal"))))
    elif t.get("model_version"):
        mood.append(("Read by", f"the tagger, model {t['model_version']}"))
    else:
        mood = [("Mood", "not tagged yet")]
    mood.append(("Mood words", _words(t.get("moods"))))
    listening: Rows = [("Plays", str(int(finite_number(t.get("plays")) or 0))),
                       ("Last played", _when(t.get("last_played")))]
    said = [r for r in history_rows if r.get("path") == t.get("path") and "liked" in r]
    if said:
        last = max(said, key=lambda r: finite_number(r.get("time")) or 0.0)
        listening.append(("You said", f"{'like' if last['liked'] else 'not for me'} ({_when(last.get('time'))})"))
    parts = [("Tags", tags), ("File", file), ("Mood", mood), ("Listening", listening)]
    return [(name, [(k, v) for k, v in rows if v]) for name, rows in parts if any(v for _, v in rows)]


def _shared(values: Sequence[str], what: str) -> str:
    """One value when the tracks share it, else how many different ones there are."""
    distinct = sorted({v for v in values if v})
    if not distinct:
        return ""
    if len(distinct) == 1 and all(values):
        return distinct[0]
    blank = sum(1 for v in values if not v)
    return f"({len(distinct)} {what}{'s' if len(distinct) != 1 else ''}" + (f", {blank} without)" if blank else ")")


def _counted(values: Sequence[str]) -> str:
    counts: dict[str, int] = {}
    for v in values:
        if v:
            counts[v] = counts.get(v, 0) + 1
    return ", ".join(f"{n} {v}" for v, n in sorted(counts.items(), key=lambda vn: (-vn[1], vn[0])))


def describe_many(tracks: Sequence[Mapping], history_rows: Sequence[Mapping] = ()) -> list[tuple[str, Rows]]:
    """What the dialog shows of several tracks: the tags they share (else how many values), and what they add up
    to (length, size, plays, moods); a part with nothing known is left out."""
    ts = list(tracks)

    def text(key: str) -> list[str]:
        return [str(t.get(key) or "") for t in ts]

    lengths = [x for x in (finite_number(t.get("duration")) for t in ts) if x is not None and x > 0]
    sizes = [x for x in (finite_number(t.get("size")) for t in ts) if x is not None and x >= 0]
    tags: Rows = [("Artist", _shared(text("artist"), "artist")), ("Album", _shared(text("album"), "album")),
                  ("Album artist", _shared(text("albumartist"), "album artist")),
                  ("Genre", _shared(text("genre"), "genre")), ("Year", _shared(text("year"), "year"))]
    folders = [os.path.dirname(str(t.get("path", ""))) for t in ts]
    file: Rows = [("Tracks", str(len(ts))),
                  ("Length", format_duration(sum(lengths)) if lengths else ""),
                  ("Size", _size(sum(sizes)) if sizes else ""),
                  ("Formats", _counted(text("format"))),
                  ("Folder", _shared(folders, "folder")),
                  ("In the library since", _when(min(added) if (added := [x for x in (finite_number(t.get("added"))
                                                                                       for t in ts) if x]) else None))]
    tagged = [t for t in ts if t.get("quadrant")]
    points = [(finite_number(t.get("valence")), finite_number(t.get("arousal"))) for t in tagged]
    points = [(v, a) for v, a in points if v is not None and a is not None]
    mood: Rows = [("Moods", _counted([f"{q} {QUADRANT_NAMES.get(q, '')}".strip()
                                      for q in (str(t.get("quadrant")) for t in tagged)])),
                  ("On average", f"valence {sum(v for v, _ in points) / len(points):+.2f}, "
                                 f"arousal {sum(a for _, a in points) / len(points):+.2f}" if points else ""),
                  ("Set by you", str(sum(1 for t in ts if set_by_you(t))) if any(set_by_you(t) for t in ts) else ""),
                  ("Not tagged yet", str(len(ts) - len(tagged)) if len(tagged) < len(ts) else "")]
    paths = {t.get("path") for t in ts}
    last_said: dict[Any, Mapping] = {}
    for r in history_rows:
        if r.get("path") in paths and "liked" in r:
            old = last_said.get(r.get("path"))
            if old is None or (finite_number(r.get("time")) or 0.0) >= (finite_number(old.get("time")) or 0.0):
                last_said[r.get("path")] = r
    liked = sum(1 for r in last_said.values() if r.get("liked"))
    listening: Rows = [("Plays", str(sum(int(finite_number(t.get("plays")) or 0) for t in ts))),
                       ("Last played", _when(max((finite_number(t.get("last_played")) or 0.0) for t in ts) or None)),
                       ("You like", str(liked) if liked else ""),
                       ("Not for you", str(len(last_said) - liked) if len(last_said) > liked else "")]
    parts = [("Tags", tags), ("Files", file), ("Mood", mood), ("Listening", listening)]
    return [(name, [(k, v) for k, v in rows if v]) for name, rows in parts if any(v for _, v in rows)]


class TrackInfoDialog(QDialog):
    """The parts of `describe` (one track) or `describe_many` (several), one under the other, in a scroll area;
    every value can be selected."""

    def __init__(self, track: Mapping | Sequence[Mapping], history_rows: Sequence[Mapping] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        tracks = [track] if isinstance(track, Mapping) else list(track)
        if len(tracks) == 1:
            one = tracks[0]
            title = str(one.get("title") or os.path.basename(str(one.get("path", ""))))
            self.setWindowTitle(f"Track information: {title}")
            parts = describe(one, history_rows)
        else:
            self.setWindowTitle(f"Track information: {len(tracks)} tracks")
            parts = describe_many(tracks, history_rows)
        self.values: dict[str, str] = {}
        body = QWidget()
        grid = QGridLayout(body)  # one grid, so the values of every part line up
        grid.setColumnStretch(1, 1)
        row = 0
        for part, rows in parts:
            heading = QLabel(f"<b>{part}</b>")
            grid.addWidget(heading, row, 0, 1, 2)
            row += 1
            for label, value in rows:
                field = QLabel(value)
                field.setTextFormat(Qt.TextFormat.PlainText)
                field.setWordWrap(True)
                field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                grid.addWidget(QLabel(label + ":"), row, 0, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(field, row, 1)
                self.values[f"{part}/{label}"] = value
                row += 1
        grid.setRowStretch(row, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addWidget(buttons)
        self.resize(560, 620)


def show_track_info(window: Any) -> TrackInfoDialog | None:
    """Open the information of the selected track, or a summary of the selected tracks (non-modal; returns the
    dialog)."""
    from library.history import TABLE

    tracks = [t for t in (window.library.track_for(p) for p in window.selected_paths()) if t is not None]
    if not tracks:
        return None
    dialog = TrackInfoDialog(tracks, window.store.rows(TABLE), window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
