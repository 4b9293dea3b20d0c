"""A corpus of malformed media files (over 200): empty, truncated, random bytes, absurd tags, odd names,
unreadable files, link loops, a link into /proc, a FIFO, a 10-hour silent file, a video with no audio."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from pathlib import Path

from tests.media import encode, make_video, tone, write_wav

AUDIO_EXTS = (".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav")
ALL_EXTS = AUDIO_EXTS + (".mp4", ".mkv", ".webm")


def silent_mp3_hours(dst: Path, hours: float, tmp: Path) -> Path:
    """A long silent MP3 made by repeating one encoded frame (MP3 frames stand alone)."""
    subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "anullsrc=r=8000:cl=mono", "-t", "1", "-c:a", "libmp3lame", "-b:a", "8k", "-write_xing", "0",
                    "-id3v2_version", "0", str(tmp / "one.mp3")], check=True)
    data = (tmp / "one.mp3").read_bytes()
    # find the frame length from the first header: MPEG-2.5 layer III at 8 kHz, 8 kbps -> 72 bytes/frame (576 samples)
    frame = data[:72] if len(data) >= 72 else data
    frames = int(hours * 3600 * 8000 / 576)
    with open(dst, "wb") as f:
        chunk = frame * 10000
        for _ in range(frames // 10000):
            f.write(chunk)
    return dst


def make_corpus(folder: Path, seed: int = 7) -> dict[str, list[Path]]:
    """Write the corpus; returns {"good": files that should scan and play, "bad": files that must be refused}."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / "_tmp"
    tmp.mkdir()
    src = write_wav(tmp / "src.wav", tone(0.6))
    good_src = {ext: (src if ext == ".wav" else encode(src, tmp / f"g{ext}")) for ext in AUDIO_EXTS}
    good_src[".mp4"] = make_video(tmp / "g.mp4", 0.6)
    good: list[Path] = []
    bad: list[Path] = []

    def put(name: str, data: bytes, is_bad: bool = True) -> Path:
        p = folder / name
        p.write_bytes(data)
        (bad if is_bad else good).append(p)
        return p

    for ext in ALL_EXTS:  # empty files
        for k in range(3):
            put(f"empty_{k}{ext}", b"")
    for ext, g in good_src.items():  # truncated at random points (keeping less than the header + a frame)
        data = g.read_bytes()
        for k in range(10):
            cut = rng.randint(1, min(len(data) - 1, 64 if k < 6 else 400))
            put(f"trunc_{k}{ext}", data[:cut])
    for ext in ALL_EXTS:  # random bytes
        for k in range(5):
            put(f"random_{k}{ext}", rng.randbytes(rng.randint(10, 20000)))
    for ext, g in good_src.items():  # a valid header followed by garbage
        data = g.read_bytes()
        for k in range(4):
            put(f"garbage_body_{k}{ext}", data[:200] + rng.randbytes(3000))
    for ext in AUDIO_EXTS:  # text or an image pretending to be audio
        put(f"text{ext}", b"just some text, not audio\n" * 40)
        put(f"png_inside{ext}", b"\x89PNG\r\n\x1a\n" + rng.randbytes(500))

    # valid audio with absurd tags: these must scan (tags cut to size) and play
    import mutagen

    for ext in (".mp3", ".flac", ".ogg"):
        for kind in ("huge", "binary", "latin1"):
            p = folder / f"absurd_{kind}{ext}"
            shutil.copyfile(good_src[ext], p)
            f = mutagen.File(str(p), easy=True)
            if f.tags is None:
                f.add_tags()
            if kind == "huge":
                f["title"] = "A" * 1_000_000
            elif kind == "binary":
                f["title"] = "".join(chr(rng.randint(1, 0x2FF)) for _ in range(300))
                f["artist"] = "\x00\x01\x02 junk \x7f"
            else:
                f["title"] = "caf\xe9 na\xefve".encode("latin-1").decode("utf-8", errors="surrogateescape") \
                    .encode("utf-8", errors="replace").decode("utf-8")
            f.save()
            good.append(p)

    # odd names: non-UTF-8 bytes and very long names (valid audio inside)
    for k in range(10):
        raw = b"name_\xff\xfe_" + bytes([0xC0 + k]) + b"_odd.ogg"
        p = Path(os.fsdecode(os.path.join(os.fsencode(folder), raw)))
        shutil.copyfile(good_src[".ogg"], p)
        good.append(p)
    for k in range(5):
        p = folder / (("long_" + str(k) + "_" + "x" * 240)[:250] + ".mp3")
        shutil.copyfile(good_src[".mp3"], p)
        good.append(p)

    # unreadable files (root reads them anyway; then they count as good)
    for k in range(5):
        p = folder / f"locked_{k}.flac"
        shutil.copyfile(good_src[".flac"], p)
        os.chmod(p, 0)
        (good if os.geteuid() == 0 else bad).append(p)

    # links, a FIFO (reading it would block forever) and a directory with a media name
    (folder / "loop_dir").mkdir()
    os.symlink("..", folder / "loop_dir" / "up")
    os.symlink("/proc", folder / "proc_link")
    os.symlink("/proc/self/mem", folder / "proc_mem.mp3")
    os.symlink(folder / "does_not_exist.mp3", folder / "dangling.mp3")
    os.mkfifo(folder / "pipe.mp3")
    (folder / "folder.mp3").mkdir()

    # a 10-hour silent file and a video with no audio track (both valid media)
    long = silent_mp3_hours(folder / "ten_hours_silence.mp3", 10, tmp)
    good.append(long)
    good.append(make_video(folder / "video_no_audio.mp4", 0.6, with_audio=False))
    shutil.rmtree(tmp)
    return {"good": good, "bad": bad}


def restore_permissions(folder: Path) -> None:
    for p in folder.glob("locked_*"):
        os.chmod(p, 0o644)
