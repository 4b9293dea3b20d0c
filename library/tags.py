"""Reading a media file's tags (title, artist, album, album artist, genre, track and disc number, year, duration,
ReplayGain) and its cover art (embedded, else an image file in its folder) with mutagen."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

AUDIO_EXTENSIONS = frozenset({".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".wav"})
VIDEO_EXTENSIONS = frozenset({".mp4", ".mkv", ".webm"})
MEDIA_EXTENSIONS = AUDIO_EXTENSIONS | VIDEO_EXTENSIONS
MAX_TAG_CHARS = 500  # absurd tags (a 1 MB title) are cut to this
MIN_SECONDS = 0.05  # shorter than this is a truncated file, not music
EBML_MAGIC = b"\x1a\x45\xdf\xa3"  # Matroska / WebM
TAGS_VERSION = 5  # what read_tags returns; a track read by an older version is read again
# (2: ReplayGain; 3: track and disc number, year, album artist; 4: album gain, format, bitrate, "added";
# 5: an MP3's album artist also from TXXX:ALBUM ARTIST / TXXX:ALBUMARTIST)
R128_TO_REPLAYGAIN_DB = 5.0  # Opus R128 gains are relative to -23 LUFS, ReplayGain 2 to -18 LUFS
_RG_SPELLINGS = ("REPLAYGAIN_TRACK_GAIN", "replaygain_track_gain", "REPLAYGAIN_TRACK_PEAK", "replaygain_track_peak",
                 "REPLAYGAIN_ALBUM_GAIN", "replaygain_album_gain", "REPLAYGAIN_ALBUM_PEAK", "replaygain_album_peak")
# MP3 taggers that do not use TPE2 for the album artist write a TXXX frame under one of these names: read through
# the easy keys of FIELD_TAGS["albumartist"] (and so removed by an edit, which writes TPE2).
# (TXXX descriptions are matched exactly, so each spelling in use has its own easy key.)
ALBUM_ARTIST_TXXX = {"album artist": "ALBUM ARTIST", "album_artist": "ALBUMARTIST",
                     "moodtape-aa-title": "Album Artist", "moodtape-aa-camel": "AlbumArtist",
                     "moodtape-aa-lower": "album artist", "moodtape-aa-snake": "ALBUM_ARTIST"}
_rg_keys_registered = False
# Where each text field of a track is read from: mutagen's easy keys / Vorbis comments, in order (taggers spell some
# two or three ways; the first is the one library/tag_writer.py writes, and it removes the others), and the raw ID3
# frame (WAV, whose tags mutagen's easy interface does not cover).
FIELD_TAGS = {"title": ("title",), "artist": ("artist",), "album": ("album",), "genre": ("genre",),
              "albumartist": ("albumartist", "album artist", "album_artist", "moodtape-aa-title", "moodtape-aa-camel",
                              "moodtape-aa-lower", "moodtape-aa-snake"),
              "track_no": ("tracknumber", "track"),
              "disc_no": ("discnumber", "disc"), "year": ("date", "year")}
ID3_FRAMES = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "genre": "TCON", "albumartist": "TPE2",
              "track_no": "TRCK", "disc_no": "TPOS", "year": "TDRC"}


class UnreadableFile(Exception):
    """The file is not a media file Moodtape can read; the message says why, for the Problems view."""


def media_kind(path: str | Path) -> str | None:
    ext = os.path.splitext(str(path))[1].lower()
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    return None


def _clean(value: object) -> str:
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    text = str(value) if value is not None else ""
    text = "".join(ch for ch in text if ch.isprintable() or ch == " ")
    return text.strip()[:MAX_TAG_CHARS]


def _check_video_container(path: str, parsed) -> None:
    """mkv/webm: mutagen cannot parse them, so at least the container's magic must be there."""
    if path.lower().endswith((".mkv", ".webm")):
        with open(path, "rb") as f:
            if f.read(4) != EBML_MAGIC:
                raise UnreadableFile("not a Matroska/WebM video (no EBML header)")
    elif parsed is None:
        raise UnreadableFile("not an MP4 video")


def _check_wav_size(path: str, size: int) -> None:
    """A WAV whose data chunk promises more bytes than the file holds was cut short."""
    import struct

    with open(path, "rb") as f:
        head = f.read(4096)
    pos = 12
    while pos + 8 <= len(head):
        cid, clen = head[pos:pos + 4], struct.unpack("<I", head[pos + 4:pos + 8])[0]
        if cid == b"data":
            missing = pos + 8 + clen - size
            if missing > 1024:
                raise UnreadableFile(f"truncated: the WAV header promises {missing} more bytes than the file has")
            return
        pos += 8 + clen + (clen & 1)


def _rg_key(name: str) -> str:
    return f"moodtape-{'upper' if name.isupper() else 'lower'}-{name.lower()}"


def register_easy_keys() -> None:
    """Teach mutagen's easy MP3 / MP4 interfaces the ReplayGain tags as taggers write them (ID3 TXXX frames,
    iTunes freeform atoms), in both spellings in use, and the MP3 album artist's TXXX frames. Once per process."""
    global _rg_keys_registered
    if _rg_keys_registered:
        return
    from mutagen.easyid3 import EasyID3
    from mutagen.easymp4 import EasyMP4Tags

    for name in _RG_SPELLINGS:  # easy keys are case-insensitive: the key names the spelling
        EasyID3.RegisterTXXXKey(_rg_key(name), name)
        EasyMP4Tags.RegisterFreeformKey(_rg_key(name), name)
    for key, desc in ALBUM_ARTIST_TXXX.items():
        EasyID3.RegisterTXXXKey(key, desc)
    _rg_keys_registered = True


def _text_of(value: object) -> str | None:
    """A tag value as text: the first of a list, bytes decoded; None when there is none."""
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    return None if value is None else str(value).strip()


def _number(value: object) -> float | None:
    """The number at the start of a tag value ("-6.54 dB", "0.988", b"+1.2 dB"), or None."""
    text = _text_of(value)
    if text is None:
        return None
    text = text.split(" ")[0].replace(",", ".").removesuffix("dB")
    try:
        x = float(text)
    except ValueError:
        return None
    return x if x == x and abs(x) != float("inf") else None


def leading_int(value: object, low: int = 1, high: int = 9999) -> int | None:
    """The whole number a tag value starts with ("3", "03/12", "2003-05-01", b"7"), or None when there is none or it
    is outside [low, high]."""
    text = _text_of(value)
    if text is None:
        return None
    digits = ""
    for ch in text:
        if not ("0" <= ch <= "9"):
            break
        digits += ch
    if not digits or len(digits) > 6:
        return None
    n = int(digits)
    return n if low <= n <= high else None


def read_replaygain(tags: object, scope: str = "track") -> tuple[float | None, float | None]:
    """(gain in dB, peak as a linear amplitude) of the track or (scope "album") of its album from a file's tags,
    each None when absent or absurd. Vorbis comments (FLAC, Ogg, Opus: also R128_TRACK_GAIN / R128_ALBUM_GAIN), ID3
    TXXX frames (MP3, WAV) and MP4 freeform atoms."""
    def first(*keys: str) -> object:
        for key in keys:
            try:
                if hasattr(tags, "getall") and not hasattr(tags, "valid_keys"):  # raw ID3: frames by description
                    for frame in tags.getall("TXXX"):
                        if frame.desc.lower() == key.rsplit("-", 1)[-1]:
                            return frame.text
                    continue
                value = tags.get(key) if hasattr(tags, "get") else None
            except Exception:
                continue
            if value:
                return value
        return None

    names = _RG_SPELLINGS[:4] if scope == "track" else _RG_SPELLINGS[4:]
    gain = _number(first(f"replaygain_{scope}_gain", *(_rg_key(n) for n in names[:2])))
    if gain is None:
        r128 = _number(first(f"r128_{scope}_gain"))
        gain = r128 / 256.0 + R128_TO_REPLAYGAIN_DB if r128 is not None else None
    peak = _number(first(f"replaygain_{scope}_peak", *(_rg_key(n) for n in names[2:])))
    if gain is not None and not -60.0 <= gain <= 60.0:
        gain = None
    if peak is not None and not 0.0 < peak <= 100.0:
        peak = None
    return gain, peak


def _open_by_extension(path: str):
    """Open with the mutagen class the extension names (no format sniffing); None when it does not fit."""
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext == ".mp3":
            from mutagen.mp3 import EasyMP3 as cls
        elif ext == ".flac":
            from mutagen.flac import FLAC as cls
        elif ext in (".ogg", ".oga"):
            from mutagen.oggvorbis import OggVorbis as cls
        elif ext == ".opus":
            from mutagen.oggopus import OggOpus as cls
        elif ext in (".m4a", ".mp4"):
            from mutagen.easymp4 import EasyMP4 as cls
        else:
            return None
        return cls(path)
    except PermissionError:
        raise
    except Exception:
        return None  # wrong extension or damaged: let mutagen sniff the format


def _title_from_name(path: str) -> str:
    stem = os.path.splitext(os.path.basename(path))[0]
    return stem.replace("_", " ").strip() or stem


def read_tags(path: str, size: int | None = None) -> dict:
    """Tags of one file as a track dict (without path/size/mtime). Raises UnreadableFile with a reason."""
    import mutagen

    kind = media_kind(path)
    if kind is None:
        raise UnreadableFile("not a supported media type")
    if size is None:
        size = os.path.getsize(path)
    if size == 0:
        raise UnreadableFile("empty file (0 bytes)")
    if not os.access(path, os.R_OK):
        raise UnreadableFile("no permission to read the file")
    register_easy_keys()
    try:
        audio = _open_by_extension(path) or mutagen.File(path, easy=True)
    except PermissionError as exc:
        raise UnreadableFile("no permission to read the file") from exc
    except Exception as exc:  # mutagen raises many kinds on damaged data
        if kind == "video" and not path.lower().endswith(".mp4"):
            audio = None
        else:
            what = "video" if kind == "video" else "audio"
            raise UnreadableFile(f"damaged or not {what} ({exc.__class__.__name__}: {_clean(exc)[:100]})") from exc
    if audio is None and kind == "audio":
        raise UnreadableFile("not a recognised audio format")
    if kind == "video":
        _check_video_container(path, audio)
    tags = getattr(audio, "tags", None) or {}
    info = getattr(audio, "info", None)
    duration = float(getattr(info, "length", 0.0) or 0.0)
    if kind == "audio" and duration <= 0.0:
        raise UnreadableFile("no audio stream or zero length")
    if kind == "audio" and duration < MIN_SECONDS:
        raise UnreadableFile(f"truncated: only {duration * 1000:.0f} ms of audio")
    if path.lower().endswith(".wav"):
        _check_wav_size(path, size)

    def tag(field: str) -> str:
        """The field's text: its raw ID3 frame, else the first of its spellings that has a value."""
        try:
            if hasattr(tags, "getall"):  # raw ID3 (WAV, AIFF): easy keys do not apply
                frame = tags.get(ID3_FRAMES[field])
                return _clean(frame.text if frame is not None else "")
            if not hasattr(tags, "get"):
                return ""
            for key in FIELD_TAGS[field]:
                value = _clean(tags.get(key))
                if value:
                    return value
        except Exception:
            return ""
        return ""

    gain, peak = read_replaygain(tags)
    album_gain, album_peak = read_replaygain(tags, "album")
    bitrate = getattr(info, "bitrate", 0) or (size * 8 / duration if duration > 0 else 0)  # bits/s (audio stream)
    return {
        "title": tag("title") or _title_from_name(path),
        "artist": tag("artist"),
        "album": tag("album"),
        "albumartist": tag("albumartist"),
        "genre": tag("genre"),
        "track_no": leading_int(tag("track_no")),
        "disc_no": leading_int(tag("disc_no")),
        "year": leading_int(tag("year"), 1000, 2999),
        "duration": round(duration, 3),
        "kind": kind,
        "rg_gain": gain,
        "rg_peak": peak,
        "rg_album_gain": album_gain,
        "rg_album_peak": album_peak,
        "format": os.path.splitext(path)[1][1:].upper(),
        "bitrate": int(round(bitrate / 1000)) if bitrate else None,  # kbps
        "tags_version": TAGS_VERSION,
    }


FOLDER_COVER_NAMES = ("cover", "folder", "front", "album", "albumart", "albumartlarge")  # most wanted first
COVER_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
MAX_COVER_FILE_BYTES = 20 * 1024 * 1024  # a bigger "cover" is not one


def cover_images(path: str) -> Iterator[bytes]:
    """The track's cover images (JPEG/PNG bytes), the one to show first: the embedded picture (the one marked front
    cover when there are several), then an image in the track's folder named cover, folder, front or album (any
    case). Read one at a time, so a caller that can show the first never reads the folder."""
    for read in (embedded_cover, folder_cover):
        data = read(path)
        if data:
            yield data


def _front_first(pictures: list) -> list:
    """Pictures with the front cover (APIC / FLAC picture type 3) first, the others in their order."""
    return sorted(pictures, key=lambda p: getattr(p, "type", 3) != 3)


def embedded_cover(path: str) -> bytes | None:
    """The embedded cover image, or None."""
    import mutagen

    try:
        f = mutagen.File(path)
    except Exception:
        return None
    if f is None:
        return None
    pictures = getattr(f, "pictures", None)
    if pictures:  # FLAC
        return bytes(_front_first(list(pictures))[0].data)
    tags = getattr(f, "tags", None)
    if tags is None:
        return None
    try:
        if hasattr(tags, "getall"):  # ID3
            apic = tags.getall("APIC")
            if apic:
                return bytes(_front_first(apic)[0].data)
        if "covr" in tags:  # MP4
            return bytes(tags["covr"][0])
        if "metadata_block_picture" in tags:  # Ogg Vorbis / Opus
            import base64

            from mutagen.flac import Picture

            blocks = [Picture(base64.b64decode(b)) for b in tags["metadata_block_picture"]]
            return bytes(_front_first(blocks)[0].data) if blocks else None
    except Exception:
        return None
    return None


_cover_names: dict[str, tuple[int, list[str]]] = {}  # folder -> (its mtime_ns, cover candidates, best first)


def _cover_candidates(folder: str) -> list[str]:
    """The names of the cover images in a folder, most wanted first; listed once while the folder is unchanged (a
    big or remote folder is not listed again at every track change)."""
    try:
        mtime = os.stat(folder).st_mtime_ns
    except OSError:
        return []
    cached = _cover_names.get(folder)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    found: dict[str, str] = {}
    for name in sorted(names):
        stem, ext = os.path.splitext(name)
        if ext.lower() in COVER_IMAGE_EXTENSIONS and stem.lower() in FOLDER_COVER_NAMES:
            found.setdefault(stem.lower(), name)
    ranked = [found[stem] for stem in FOLDER_COVER_NAMES if stem in found]
    if len(_cover_names) > 2048:
        _cover_names.clear()
    _cover_names[folder] = (mtime, ranked)
    return ranked


def folder_cover(path: str) -> bytes | None:
    """The cover image file beside the track (cover.jpg, Folder.jpg, front.png, …), or None. Only a regular file of
    at most MAX_COVER_FILE_BYTES is read (a FIFO or a device named cover.jpg would block)."""
    folder = os.path.dirname(os.path.abspath(path))
    for name in _cover_candidates(folder):
        full = os.path.join(folder, name)
        try:
            st = os.stat(full)
            if not stat.S_ISREG(st.st_mode) or not 0 < st.st_size <= MAX_COVER_FILE_BYTES:
                continue
            with open(full, "rb") as f:
                data = f.read(MAX_COVER_FILE_BYTES + 1)
        except OSError:
            continue
        if 0 < len(data) <= MAX_COVER_FILE_BYTES:
            return data
    return None
