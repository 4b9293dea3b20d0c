"""Render MIDI files to WAV with the fluidsynth command-line program.

Used by the audio model's training script (EMOPIA is MIDI), by `eval audio --midi-dir`, and by the demo
library generator. Optionally forces every melodic channel to one General MIDI program: the MIDI file is
parsed and rewritten here (a minimal Standard MIDI File reader/writer, no dependency).
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

SOUNDFONT_DIRS = (
    Path("/usr/share/sounds/sf2"),
    Path("/usr/share/soundfonts"),
    Path("/usr/local/share/soundfonts"),
    Path("/usr/share/sounds/sf3"),
)
# Preferred order: the small TimGM6mb first (the default for rendering), then FluidR3.
PREFERRED = ("TimGM6mb.sf2", "FluidR3_GM.sf2", "FluidR3_GM.sf3", "default-GM.sf2")
DRUM_CHANNEL = 9
DEFAULT_GAIN = 0.5


def find_soundfonts() -> list[Path]:
    """General MIDI soundfonts installed on this machine, preferred first, without duplicates."""
    found: list[Path] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        try:
            real = path.resolve()
        except OSError:
            return
        if path.is_file() and real not in seen:
            seen.add(real)
            found.append(path)

    for d in SOUNDFONT_DIRS:
        for name in PREFERRED:
            add(d / name)
    for d in SOUNDFONT_DIRS:
        if d.is_dir():
            for path in sorted(d.glob("*.sf[23]")):
                add(path)
    return found


def default_soundfont() -> Path:
    fonts = find_soundfonts()
    if not fonts:
        raise RuntimeError("no General MIDI soundfont found (install timgm6mb-soundfont or fluid-soundfont-gm)")
    return fonts[0]


def fluidsynth_path() -> str:
    exe = shutil.which("fluidsynth")
    if not exe:
        raise RuntimeError("fluidsynth is not installed (apt-get install fluidsynth); it is needed to render MIDI")
    return exe


# --- minimal Standard MIDI File reading / writing -------------------------------------------------------------


def _read_varlen(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated variable-length quantity")
        b = data[pos]
        pos += 1
        value = (value << 7) | (b & 0x7F)
        if not b & 0x80:
            return value, pos


def _write_varlen(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    return bytes(reversed(out))


Event = tuple[int, bytes]  # (delta ticks, complete event bytes with explicit status)


def parse_midi(data: bytes) -> tuple[int, int, list[list[Event]]]:
    """Parse a Standard MIDI File into (format, division, tracks); events keep their raw bytes.

    Running status is expanded so every event carries its own status byte.
    """
    if data[:4] != b"MThd":
        raise ValueError("not a Standard MIDI File")
    hlen = struct.unpack(">I", data[4:8])[0]
    fmt, ntracks, division = struct.unpack(">HHH", data[8:14])
    pos = 8 + hlen
    tracks: list[list[Event]] = []
    while pos + 8 <= len(data) and len(tracks) < ntracks:
        cid = data[pos:pos + 4]
        clen = struct.unpack(">I", data[pos + 4:pos + 8])[0]
        body = data[pos + 8:pos + 8 + clen]
        pos += 8 + clen
        if cid != b"MTrk":
            continue
        tracks.append(_parse_track(body))
    return fmt, division, tracks


def _parse_track(body: bytes) -> list[Event]:
    events: list[Event] = []
    pos = 0
    status = 0
    while pos < len(body):
        delta, pos = _read_varlen(body, pos)
        b = body[pos]
        if b == 0xFF:  # meta
            mtype = body[pos + 1]
            length, p2 = _read_varlen(body, pos + 2)
            events.append((delta, bytes([0xFF, mtype]) + _write_varlen(length) + body[p2:p2 + length]))
            pos = p2 + length
            if mtype == 0x2F:
                break
            continue
        if b in (0xF0, 0xF7):  # sysex
            length, p2 = _read_varlen(body, pos + 1)
            events.append((delta, bytes([b]) + _write_varlen(length) + body[p2:p2 + length]))
            pos = p2 + length
            continue
        if b & 0x80:
            status = b
            pos += 1
        elif not status:
            raise ValueError("data byte without running status")
        n = 1 if (status & 0xF0) in (0xC0, 0xD0) else 2
        events.append((delta, bytes([status]) + body[pos:pos + n]))
        pos += n
    return events


def write_midi(fmt: int, division: int, tracks: list[list[Event]]) -> bytes:
    out = bytearray(b"MThd" + struct.pack(">IHHH", 6, fmt, len(tracks), division))
    for events in tracks:
        body = bytearray()
        has_end = False
        for delta, ev in events:
            body += _write_varlen(delta) + ev
            if ev[:2] == b"\xff\x2f":
                has_end = True
        if not has_end:
            body += b"\x00\xff\x2f\x00"
        out += b"MTrk" + struct.pack(">I", len(body)) + body
    return bytes(out)


def force_program(data: bytes, program: int) -> bytes:
    """Return the MIDI file with every melodic channel playing General MIDI `program` (0..127).

    Existing program changes on melodic channels are rewritten; program changes for all melodic channels
    are inserted at tick 0 of the first track so channels that never select a program change too.
    The drum channel (10, index 9) is left alone.
    """
    if not 0 <= program <= 127:
        raise ValueError("program must be in 0..127")
    fmt, division, tracks = parse_midi(data)
    new_tracks: list[list[Event]] = []
    for events in tracks:
        new_events: list[Event] = []
        for delta, ev in events:
            st = ev[0]
            if (st & 0xF0) == 0xC0 and (st & 0x0F) != DRUM_CHANNEL:
                ev = bytes([st, program])
            new_events.append((delta, ev))
        new_tracks.append(new_events)
    init = [(0, bytes([0xC0 | ch, program])) for ch in range(16) if ch != DRUM_CHANNEL]
    if not new_tracks:
        new_tracks = [[]]
    new_tracks[0] = init + new_tracks[0]
    return write_midi(fmt if fmt != 0 or len(new_tracks) == 1 else 1, division, new_tracks)


# --- rendering ---------------------------------------------------------------------------------------------------


def render_midi(
    midi: Path,
    out_wav: Path,
    soundfont: Path | None = None,
    program: int | None = None,
    sample_rate: int = 22050,
    gain: float = DEFAULT_GAIN,
    timeout_s: float = 300.0,
) -> Path:
    """Render `midi` to a 16-bit stereo WAV file `out_wav` and return its path.

    soundfont: a .sf2 file (default: the first of find_soundfonts()). program: force every melodic channel
    to this General MIDI program (0 = acoustic grand piano). Raises RuntimeError when fluidsynth is missing
    or fails.
    """
    exe = fluidsynth_path()
    midi = Path(midi)
    out_wav = Path(out_wav)
    sf = Path(soundfont) if soundfont is not None else default_soundfont()
    if not sf.is_file():
        raise RuntimeError(f"soundfont not found: {sf}")
    out_wav.parent.mkdir(parents=True, exist_ok=True)
    tmp_midi: Path | None = None
    src = midi
    try:
        if program is not None:
            data = force_program(midi.read_bytes(), int(program))
            fd, name = tempfile.mkstemp(suffix=".mid", prefix="mt_synth_")
            with open(fd, "wb") as fh:
                fh.write(data)
            tmp_midi = Path(name)
            src = tmp_midi
        tmp_wav = out_wav.with_name(out_wav.name + ".part.wav")
        # dynamic sample loading reads only the samples the piece plays: the same output, and about half the
        # time with a large soundfont (FluidR3_GM, 148 MB, is otherwise loaded whole for every rendering)
        cmd = [exe, "-n", "-i", "-q", "-o", "synth.dynamic-sample-loading=1", "-g", f"{gain:.3f}",
               "-r", str(int(sample_rate)), "-T", "wav",
               "-F", str(tmp_wav), str(sf), str(src)]
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout_s)
        except subprocess.TimeoutExpired as exc:
            tmp_wav.unlink(missing_ok=True)
            raise RuntimeError(f"fluidsynth timed out rendering {midi}") from exc
        if proc.returncode != 0 or not tmp_wav.is_file() or tmp_wav.stat().st_size <= 44:
            tmp_wav.unlink(missing_ok=True)
            err = proc.stderr.decode(errors="replace").strip()[-500:]
            raise RuntimeError(f"fluidsynth failed on {midi} (rc={proc.returncode}): {err}")
        tmp_wav.replace(out_wav)
        return out_wav
    finally:
        if tmp_midi is not None:
            tmp_midi.unlink(missing_ok=True)
