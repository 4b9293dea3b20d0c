"""The demo library: about two dozen short original pieces, composed here and rendered with fluidsynth.

Each piece is written by a small rule-based composer from musical choices that carry mood: major or minor
mode, chord progression, tempo, register, loudness, articulation and instruments. Six pieces are aimed at each
of the four mood quadrants. Nothing is downloaded or copied: the notes come from this file, the sound from a
Debian General MIDI soundfont. Files are Ogg Vorbis, tagged (title, artist, album, genre, track number, year)
with mutagen.
"""

from __future__ import annotations

import random
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from library.paths import data_dir
from library.synth import render_midi, write_midi

PIECES_PER_QUADRANT = 6
TPQ = 480  # ticks per quarter note
DONE_MARKER = ".complete"

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)
HARMONIC_MINOR = (0, 2, 3, 5, 7, 8, 11)


@dataclass(frozen=True)
class Style:
    quadrant: str
    genre: str
    mode: tuple[int, ...]
    progressions: tuple[tuple[int, ...], ...]  # scale degrees (0-based) of chord roots
    tempo: tuple[int, int]  # bpm range
    velocity: tuple[int, int]
    register: int  # MIDI note of the tonic for the chords
    melody_programs: tuple[int, ...]
    chord_programs: tuple[int, ...]
    bass_programs: tuple[int, ...]
    drums: bool
    notes_per_beat: tuple[int, ...]  # melody rhythm density choices
    staccato: bool
    title_words: tuple[tuple[str, ...], tuple[str, ...]]
    artists: tuple[str, ...]


STYLES = {
    "Q1": Style("Q1", "Pop", MAJOR, ((0, 4, 5, 3), (0, 3, 4, 4), (0, 5, 3, 4)), (128, 156), (96, 118), 60,
                (0, 12, 73, 56, 80), (0, 24, 4), (33, 34), True, (2, 4), True,
                (("Sunny", "Bright", "Golden", "Dancing", "Happy", "Open"), ("Morning", "Streets", "Kites",
                 "Parade", "Summer", "Skies")), ("The Daylights", "Kite Club", "Marigold")),
    "Q2": Style("Q2", "Rock", HARMONIC_MINOR, ((0, 1, 0, 4), (0, 5, 6, 4), (0, 0, 1, 4)), (140, 172), (108, 127),
                48, (30, 81, 61, 29), (30, 48, 62), (38, 34), True, (4,), True,
                (("Iron", "Restless", "Burning", "Broken", "Storm", "Sharp"), ("Engines", "Alarm", "Teeth",
                 "Pressure", "Wires", "Chase")), ("Static Choir", "Red Relay", "Nightshift")),
    "Q3": Style("Q3", "Ballad", MINOR, ((0, 5, 2, 6), (0, 3, 0, 4), (0, 5, 3, 4)), (54, 72), (40, 62), 48,
                (42, 0, 71, 68), (48, 0, 19), (32, 42), False, (1, 2), False,
                (("Grey", "Lonely", "Fading", "Rainy", "Empty", "Distant"), ("Window", "Letters", "Harbour",
                 "Evening", "Rooms", "Goodbye")), ("Ashen Quartet", "Low Tide", "Wren")),
    "Q4": Style("Q4", "Ambient", MAJOR, ((0, 3, 0, 4), (0, 5, 3, 4), (3, 0, 3, 4)), (62, 82), (46, 68), 60,
                (73, 24, 4, 46, 11), (89, 88, 4), (32, 33), False, (1, 2), False,
                (("Gentle", "Soft", "Quiet", "Warm", "Still", "Slow"), ("Meadow", "Lanterns", "Tea",
                 "Shore", "Clouds", "Sunday")), ("Willow Room", "Harbour Lights", "Moss & Fern")),
}


def _note_on(ch: int, note: int, vel: int) -> bytes:
    return bytes([0x90 | ch, max(0, min(127, note)), max(1, min(127, vel))])


def _note_off(ch: int, note: int) -> bytes:
    return bytes([0x80 | ch, max(0, min(127, note)), 0])


class _Track:
    """Absolute-time events, turned into delta-time MIDI at the end."""

    def __init__(self) -> None:
        self.events: list[tuple[int, int, bytes]] = []  # (tick, order, event)

    def add(self, tick: int, ev: bytes, order: int = 1) -> None:
        self.events.append((tick, order, ev))

    def note(self, ch: int, start: int, dur: int, note: int, vel: int) -> None:
        self.add(start, _note_on(ch, note, vel), 1)
        self.add(start + max(1, dur), _note_off(ch, note), 0)

    def to_midi_events(self) -> list[tuple[int, bytes]]:
        out = []
        last = 0
        for tick, _o, ev in sorted(self.events, key=lambda e: (e[0], e[1])):
            out.append((tick - last, ev))
            last = tick
        return out


def _scale_note(root: int, mode: tuple[int, ...], degree: int) -> int:
    octave, idx = divmod(degree, len(mode))
    return root + 12 * octave + mode[idx]


def compose(quadrant: str, index: int, seconds: float) -> tuple[bytes, dict]:
    """A MIDI file (bytes) for one piece and its tags."""
    style = STYLES[quadrant]
    rng = random.Random(f"{quadrant}-{index}")
    tempo = rng.randint(*style.tempo)
    key = rng.randint(-4, 5)
    root = style.register + key
    progression = rng.choice(style.progressions)
    beats = max(8, int(seconds * tempo / 60.0) // 4 * 4)
    bars = beats // 4
    t = _Track()
    t.add(0, b"\xff\x51\x03" + struct.pack(">I", int(60_000_000 / tempo))[1:], 0)
    mel_prog = rng.choice(style.melody_programs)
    chord_prog = rng.choice(style.chord_programs)
    bass_prog = rng.choice(style.bass_programs)
    for ch, prog in ((0, chord_prog), (1, mel_prog), (2, bass_prog)):
        t.add(0, bytes([0xC0 | ch, prog]), 0)
    vlo, vhi = style.velocity
    density = rng.choice(style.notes_per_beat)
    bar = 4 * TPQ
    melody_degree = 7 + rng.randint(0, 4)
    for b in range(bars):
        degree = progression[b % len(progression)]
        start = b * bar
        chord = [_scale_note(root, style.mode, degree + k) for k in (0, 2, 4)]
        if style.staccato:  # driving repeated chords
            for beat in range(4):
                for n in chord:
                    t.note(0, start + beat * TPQ, int(TPQ * 0.45), n, rng.randint(vlo, vhi) - 10)
        else:  # arpeggios / sustained pads
            step = TPQ // 2
            pattern = chord + [chord[1] + 12, chord[2], chord[1], chord[0] + 12, chord[2]]
            for k in range(8):
                t.note(0, start + k * step, int(step * 1.8), pattern[k % len(pattern)], rng.randint(vlo, vhi) - 12)
        bass = _scale_note(root - 24, style.mode, degree)
        if style.drums:
            for beat in range(4):
                t.note(2, start + beat * TPQ, int(TPQ * 0.8), bass + (12 if beat % 2 else 0), rng.randint(vlo, vhi))
        else:
            t.note(2, start, bar - 20, bass, rng.randint(vlo, vhi) - 5)
        # melody: a random walk on the scale that leans toward chord tones
        step = TPQ // density
        pos = start
        while pos < start + bar:
            if rng.random() < (0.15 if style.staccato else 0.3):
                pos += step
                continue
            move = rng.choice((-2, -1, -1, 0, 1, 1, 2)) if style.staccato else rng.choice((-1, -1, 0, 1, 1))
            melody_degree = max(5, min(16, melody_degree + move))
            length = step * (1 if style.staccato or rng.random() < 0.6 else 2)
            note = _scale_note(root, style.mode, melody_degree)
            t.note(1, pos, int(length * (0.5 if style.staccato else 0.95)), note, rng.randint(vlo, vhi))
            pos += length
        if style.drums:
            for beat in range(4):
                t.note(9, start + beat * TPQ, TPQ // 4, 36 if beat % 2 == 0 else 38, rng.randint(vlo, vhi))
                for half in range(2 if quadrant == "Q1" else 4):
                    t.note(9, start + beat * TPQ + half * TPQ // (2 if quadrant == "Q1" else 4), TPQ // 8, 42,
                           rng.randint(vlo - 20, vhi - 20))
    # final chord
    end = bars * bar
    for n in [_scale_note(root, style.mode, k) for k in (0, 2, 4)]:
        t.note(0, end, TPQ * 3, n, rng.randint(vlo, vhi) - 10)
    t.note(2, end, TPQ * 3, root - 24, vlo)
    midi = write_midi(0, TPQ, [t.to_midi_events()])
    first, second = style.title_words
    title = f"{first[index % len(first)]} {second[(index * 5 + 2) % len(second)]}"
    tags = {
        "title": title,
        "artist": style.artists[index % len(style.artists)],
        "album": "Moodtape Demo Sessions",
        "genre": style.genre,
        "comment": f"composed by the Moodtape demo composer for {quadrant}",
    }
    return midi, tags


def demo_dir() -> Path:
    return data_dir() / "demo-library"


def is_complete(folder: Path | None = None) -> bool:
    return ((folder or demo_dir()) / DONE_MARKER).exists()


def generate(folder: Path | None = None, per_quadrant: int = PIECES_PER_QUADRANT,
             progress: Callable[[int, int], None] | None = None, seconds: tuple[float, float] = (23.0, 40.0)) -> Path:
    """Compose and render the demo library into folder (default: the user data dir). Idempotent."""
    folder = folder or demo_dir()
    if is_complete(folder):
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("ffmpeg") is None:
        raise RuntimeError("ffmpeg is not installed (apt-get install ffmpeg); it is needed for the demo library")
    total = per_quadrant * len(STYLES)
    done = 0
    with tempfile.TemporaryDirectory(prefix="moodtape-demo-") as tmp:
        for quadrant in STYLES:
            for i in range(per_quadrant):
                rng = random.Random(f"len-{quadrant}-{i}")
                midi, tags = compose(quadrant, i, rng.uniform(*seconds))
                name = f"{quadrant.lower()}-{i + 1:02d} {tags['title']}.ogg"
                out = folder / name
                if not out.exists():
                    mid = Path(tmp) / "piece.mid"
                    mid.write_bytes(midi)
                    wav = render_midi(mid, Path(tmp) / "piece.wav", sample_rate=44100)
                    part = folder / (name + ".part.ogg")
                    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav),
                                    "-af", "silenceremove=stop_periods=1:stop_duration=1.5:stop_threshold=-60dB",
                                    "-c:a", "libvorbis", "-q:a", "3", str(part)], check=True)
                    _tag(part, {**tags, "tracknumber": f"{done + 1}/{total}", "date": "2026"})
                    part.replace(out)
                done += 1
                if progress is not None:
                    progress(done, total)
    (folder / DONE_MARKER).write_text("ok\n")
    return folder


def _tag(path: Path, tags: dict) -> None:
    from mutagen.oggvorbis import OggVorbis

    f = OggVorbis(str(path))
    for k, v in tags.items():
        f[k] = v
    f.save()
