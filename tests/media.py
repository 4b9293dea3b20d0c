"""Real media files for tests: tones and chords written with numpy, encoded with ffmpeg, tagged with mutagen,
plus deliberately broken files."""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

SR = 22050


def tone(seconds: float = 2.0, freq: float = 440.0, sr: int = SR, loud: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    x = loud * np.sin(2 * np.pi * freq * t) * np.minimum(1.0, t * 20)
    return x.astype(np.float32)


def write_wav(path: Path, samples: np.ndarray, sr: int = SR) -> Path:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return path


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *args], check=True)


def encode(src_wav: Path, dst: Path) -> Path:
    ext = dst.suffix.lower()
    codec = {".mp3": ["-c:a", "libmp3lame", "-b:a", "64k"], ".ogg": ["-c:a", "libvorbis"],
             ".opus": ["-c:a", "libopus"], ".flac": ["-c:a", "flac"], ".m4a": ["-c:a", "aac"]}[ext]
    ffmpeg("-i", str(src_wav), *codec, str(dst))
    return dst


def make_video(dst: Path, seconds: float = 2.0, with_audio: bool = True) -> Path:
    args = ["-f", "lavfi", "-i", f"testsrc=size=160x120:rate=10:duration={seconds}"]
    if with_audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}", "-c:a", "aac"]
    ffmpeg(*args, "-c:v", "libx264", "-pix_fmt", "yuv420p", "-shortest", str(dst))
    return dst


def tag(path: Path, title: str, artist: str, album: str, genre: str, cover: bytes | None = None,
        **more: str) -> None:
    """Tag with mutagen's easy keys (more: tracknumber, discnumber, date, albumartist, …)."""
    import mutagen

    f = mutagen.File(str(path), easy=True)
    if f.tags is None:
        f.add_tags()
    f["title"] = title
    f["artist"] = artist
    f["album"] = album
    f["genre"] = genre
    for key, value in more.items():
        f[key] = value
    f.save()
    if cover is not None and path.suffix == ".mp3":
        from mutagen.id3 import APIC, ID3

        id3 = ID3(str(path))
        id3.add(APIC(encoding=3, mime="image/png", type=3, desc="cover", data=cover))
        id3.save()


def tiny_png() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    img = QImage(32, 32, QImage.Format.Format_RGB32)
    img.fill(QColor(200, 80, 40))
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(ba.data())


GOOD = [
    ("song_a.mp3", "Morning Run", "The Testers", "Fixtures", "Rock", 440.0),
    ("song_b.flac", "Slow River", "Quiet Band", "Fixtures", "Ambient", 220.0),
    ("song_c.ogg", "Bright Day", "The Testers", "Fixtures", "Pop", 523.0),
    ("song_d.wav", "Plain Wave", "Wave Maker", "Raw", "Test", 330.0),
    ("sub/song_e.m4a", "Deep Cut", "Quiet Band", "B-sides", "Jazz", 294.0),
]
# The album "Fixtures" in play order: Slow River, Bright Day, Morning Run (not the order of the file names).
MORE_TAGS = {
    "song_a.mp3": {"tracknumber": "3/3", "date": "2003", "albumartist": "Various Artists"},
    "song_b.flac": {"tracknumber": "1/3", "date": "2003-04-01", "albumartist": "Various Artists"},
    "song_c.ogg": {"tracknumber": "2", "date": "2003", "albumartist": "Various Artists"},
}


def make_library(folder: Path, seconds: float = 2.0) -> dict[str, list[Path]]:
    """Good files of every kind (tagged), a video, and broken files. Returns {"good": [...], "broken": [...]}."""
    folder.mkdir(parents=True, exist_ok=True)
    src = write_wav(folder / "_src.wav", tone(seconds))
    good: list[Path] = []
    for name, title, artist, album, genre, freq in GOOD:
        dst = folder / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if dst.suffix == ".wav":
            write_wav(dst, tone(seconds, freq))
            import mutagen.wave
            from mutagen.id3 import TALB, TCON, TIT2, TPE1

            w = mutagen.wave.WAVE(str(dst))
            w.add_tags()
            for frame in (TIT2(encoding=3, text=title), TPE1(encoding=3, text=artist),
                          TALB(encoding=3, text=album), TCON(encoding=3, text=genre)):
                w.tags.add(frame)
            w.save()
        else:
            write_wav(src, tone(seconds, freq))
            encode(src, dst)
            tag(dst, title, artist, album, genre, cover=tiny_png() if dst.suffix == ".mp3" else None,
                **MORE_TAGS.get(name, {}))
        good.append(dst)
    video = make_video(folder / "clip.mp4", seconds)
    good.append(video)
    src.unlink()
    broken = make_broken(folder / "broken", good[0])
    return {"good": good, "broken": broken}


def make_broken(folder: Path, a_good_mp3: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    zero = folder / "zero.mp3"
    zero.write_bytes(b"")
    out.append(zero)
    data = a_good_mp3.read_bytes()
    trunc = folder / "truncated.flac"
    trunc.write_bytes(b"fLaC" + data[4:40])
    out.append(trunc)
    junk = folder / "noise.ogg"
    junk.write_bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    out.append(junk)
    wrong = folder / "text_pretending.wav"
    wrong.write_text("this is not audio at all\n" * 50)
    out.append(wrong)
    weird = folder / os.fsdecode(b"caf\xe9_latin1_name.mp3")
    shutil.copy(a_good_mp3, weird)  # a good file with a non-UTF-8 name: must scan fine
    locked = folder / "locked.mp3"
    shutil.copy(a_good_mp3, locked)
    os.chmod(locked, 0)
    out.append(locked)
    loop = folder / "loop"
    loop.mkdir()
    os.symlink("..", loop / "back_up")  # a symlink loop
    return out
