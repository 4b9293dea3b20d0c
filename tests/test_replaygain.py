"""Volume levelling: ReplayGain tags read from real files of every format, kept by the scanner (re-read once for
tracks scanned before), and applied by the engine to the backend's volume."""

from __future__ import annotations

from pathlib import Path

import pytest

from library.scanner import scan_folder
from library.store import Store
from library.tags import TAGS_VERSION, read_tags
from player.backend import NullBackend
from player.engine import PlayerEngine, levelled_volume
from tests.media import encode, tone, write_wav


@pytest.fixture(scope="module")
def tagged(tmp_path_factory) -> dict[str, Path]:
    """One file per format, each carrying its ReplayGain the way common taggers write it."""
    import mutagen
    from mutagen.id3 import ID3, TXXX
    from mutagen.mp4 import MP4, MP4FreeForm

    folder = tmp_path_factory.mktemp("rg")
    src = write_wav(folder / "src.wav", tone(1.0))
    out: dict[str, Path] = {}
    for ext in (".mp3", ".flac", ".ogg", ".opus", ".m4a"):
        out[ext] = encode(src, folder / f"song{ext}")
    mp3 = ID3(str(out[".mp3"]))  # foobar2000 writes the description in lower case, others upper
    mp3.add(TXXX(encoding=3, desc="replaygain_track_gain", text=["-7.25 dB"]))
    mp3.add(TXXX(encoding=3, desc="REPLAYGAIN_TRACK_PEAK", text=["0.988"]))
    mp3.save()
    for ext in (".flac", ".ogg"):
        f = mutagen.File(str(out[ext]))
        f["REPLAYGAIN_TRACK_GAIN"] = "+3.10 dB"
        f["REPLAYGAIN_TRACK_PEAK"] = "0.5"
        f.save()
    opus = mutagen.File(str(out[".opus"]))
    opus["R128_TRACK_GAIN"] = "-2560"  # Q7.8 dB against -23 LUFS: -10 dB, i.e. -5 dB in ReplayGain terms
    opus.save()
    m4a = MP4(str(out[".m4a"]))
    m4a["----:com.apple.iTunes:replaygain_track_gain"] = [MP4FreeForm(b"-4.00 dB")]
    m4a.save()
    wav = write_wav(folder / "song.wav", tone(1.0))
    w = mutagen.File(str(wav))
    w.add_tags()
    w.tags.add(TXXX(encoding=3, desc="REPLAYGAIN_TRACK_GAIN", text=["-1.5 dB"]))
    w.save()
    out[".wav"] = wav
    plain = folder / "plain"
    plain.mkdir()
    out["plain"] = encode(src, plain / "untagged.ogg")
    src.unlink()
    return out


@pytest.mark.parametrize(("ext", "gain", "peak"), [
    (".mp3", -7.25, 0.988), (".flac", 3.1, 0.5), (".ogg", 3.1, 0.5), (".opus", -5.0, None),
    (".m4a", -4.0, None), (".wav", -1.5, None), ("plain", None, None),
])
def test_replaygain_is_read_from_every_format(tagged, ext, gain, peak) -> None:
    t = read_tags(str(tagged[ext]))
    assert t["rg_gain"] == (pytest.approx(gain) if gain is not None else None)
    assert t["rg_peak"] == (pytest.approx(peak) if peak is not None else None)
    assert t["tags_version"] == TAGS_VERSION


def test_absurd_gain_values_are_ignored(tmp_path) -> None:
    import mutagen

    path = encode(write_wav(tmp_path / "s.wav", tone(1.0)), tmp_path / "s.ogg")
    f = mutagen.File(str(path))
    f["REPLAYGAIN_TRACK_GAIN"] = "loud"
    f["REPLAYGAIN_TRACK_PEAK"] = "-3"
    f.save()
    t = read_tags(str(path))
    assert t["rg_gain"] is None and t["rg_peak"] is None
    f["REPLAYGAIN_TRACK_GAIN"] = "-999 dB"
    f.save()
    assert read_tags(str(path))["rg_gain"] is None


def cube(volume: int) -> float:
    """The amplitude libVLC plays a volume at (its volume is cubic: 100 -> 1.0, 50 -> 0.125)."""
    return (volume / 100) ** 3


def test_levelled_volume_moves_the_amplitude_by_the_gain() -> None:
    assert levelled_volume(80, None, None) == 80  # untagged: as set
    # -6 dB is half the amplitude, heard at the listener's volume
    assert cube(levelled_volume(80, -6.0206, None)) / cube(80) == pytest.approx(0.5, rel=0.05)
    assert cube(levelled_volume(80, -7.25, None)) / cube(80) == pytest.approx(10 ** (-7.25 / 20), rel=0.05)
    # a quiet track comes up (+6 dB: twice the amplitude) ...
    assert cube(levelled_volume(50, 6.0206, None)) / cube(50) == pytest.approx(2.0, rel=0.05)
    assert levelled_volume(80, 6.0206, None) == 100  # ... but never past 100 (no amplification)
    assert cube(levelled_volume(50, 6.0206, 0.8)) / cube(50) == pytest.approx(1.25, rel=0.05)  # ... nor its peak
    assert cube(levelled_volume(50, -80.0, None)) / cube(50) == pytest.approx(10 ** (-24 / 20), rel=0.1)  # 24 dB
    assert levelled_volume(0, 3.0, None) == 0


def test_scanner_keeps_replaygain_and_rereads_tracks_scanned_before_it(tagged, tmp_path) -> None:
    store = Store(tmp_path / "db.json")
    folder = str(tagged[".mp3"].parent)
    first = scan_folder(store, folder)
    mp3 = store.get_track(str(tagged[".mp3"]))
    assert mp3["rg_gain"] == pytest.approx(-7.25)
    # a library scanned by the reader before ReplayGain: no gain fields, no version
    old = [(t["path"], {"rg_gain": None, "rg_peak": None, "tags_version": 1, "valence": 0.5})
           for t in store.all_tracks()]
    store.update_tracks(old)
    again = scan_folder(store, folder)
    assert again.updated == first.added and again.unchanged == 0
    mp3 = store.get_track(str(tagged[".mp3"]))
    assert mp3["rg_gain"] == pytest.approx(-7.25) and mp3["tags_version"] == TAGS_VERSION
    assert mp3["valence"] == 0.5  # what the tagger wrote stays
    third = scan_folder(store, folder)
    assert third.updated == 0 and third.unchanged == first.added  # once only


def test_engine_levels_each_track_and_follows_the_volume_and_the_switch(qtbot) -> None:
    backend = NullBackend(length_ms=60_000)
    engine = PlayerEngine(backend)
    gains = {"/loud.ogg": (-6.0206, None), "/plain.ogg": (None, None)}
    engine.gain_for = gains.__getitem__
    engine.set_volume(80)
    engine.play_path("/loud.ogg")
    assert backend.volume == levelled_volume(80, -6.0206, None) == 63
    assert engine.volume == 80  # the listener's volume is not touched
    engine.set_volume(60)
    assert backend.volume == levelled_volume(60, -6.0206, None) == 48
    engine.set_levelling(False)
    assert backend.volume == 60
    engine.set_levelling(True)
    engine.play_path("/plain.ogg")
    assert backend.volume == 60
    engine.gain_for = lambda path: 1 / 0  # a failing lookup plays the track as it is
    engine.play_path("/loud.ogg")
    assert backend.volume == 60
    engine.shutdown()


def test_window_levels_library_tracks_and_the_setting_turns_it_off(qtbot, tagged, tmp_path) -> None:
    from library.settings import Settings
    from ui.desktop import apply_settings
    from ui.main_window import MainWindow
    from ui.workers import SyncPool, set_pool

    set_pool(SyncPool())
    try:
        store = Store(tmp_path / "db.json")
        scan_folder(store, str(tagged[".mp3"].parent))
        backend = NullBackend(length_ms=60_000)
        w = MainWindow(store, PlayerEngine(backend), auto_tag=False)
        qtbot.addWidget(w)
        w.tray = None
        w.volume_slider.setValue(80)
        w.engine.play_path(str(tagged[".mp3"]))
        assert backend.volume == levelled_volume(80, -7.25, 0.988) == 61
        apply_settings(w, Settings(volume_levelling=False))
        assert backend.volume == 80
        assert w.volume_slider.value() == 80
    finally:
        set_pool(None)



@pytest.mark.parametrize("ext", [".mp3", ".flac", ".opus", ".m4a"])
def test_album_gain_is_read_beside_the_track_gain(tmp_path, ext) -> None:
    import mutagen
    from mutagen.id3 import TXXX
    from mutagen.mp4 import MP4, MP4FreeForm

    path = encode(write_wav(tmp_path / "src.wav", tone(0.5)), tmp_path / f"a{ext}")
    if ext == ".mp3":
        mp3 = mutagen.File(str(path))
        if mp3.tags is None:
            mp3.add_tags()
        id3 = mp3.tags
        id3.add(TXXX(encoding=3, desc="REPLAYGAIN_TRACK_GAIN", text=["-5.00 dB"]))
        id3.add(TXXX(encoding=3, desc="replaygain_album_gain", text=["-2.50 dB"]))
        id3.add(TXXX(encoding=3, desc="REPLAYGAIN_ALBUM_PEAK", text=["0.9"]))
        mp3.save()
    elif ext == ".m4a":
        f = MP4(str(path))
        f["----:com.apple.iTunes:replaygain_track_gain"] = [MP4FreeForm(b"-5.00 dB")]
        f["----:com.apple.iTunes:replaygain_album_gain"] = [MP4FreeForm(b"-2.50 dB")]
        f["----:com.apple.iTunes:replaygain_album_peak"] = [MP4FreeForm(b"0.9")]
        f.save()
    elif ext == ".opus":
        f = mutagen.File(str(path))
        f["R128_TRACK_GAIN"] = "-2560"  # -5 dB in ReplayGain terms
        f["R128_ALBUM_GAIN"] = "-1920"  # -2.5
        f.save()
    else:
        f = mutagen.File(str(path))
        f["REPLAYGAIN_TRACK_GAIN"] = "-5.00 dB"
        f["REPLAYGAIN_ALBUM_GAIN"] = "-2.50 dB"
        f["REPLAYGAIN_ALBUM_PEAK"] = "0.9"
        f.save()
    t = read_tags(str(path))
    assert t["rg_gain"] == pytest.approx(-5.0) and t["rg_album_gain"] == pytest.approx(-2.5)
    assert t["rg_album_peak"] == (None if ext == ".opus" else pytest.approx(0.9))


def test_album_gain_while_an_album_plays_in_order(qtbot, tmp_path) -> None:
    import mutagen

    from library.settings import Settings
    from ui import library_actions
    from ui.desktop import apply_settings
    from ui.main_window import MainWindow
    from ui.workers import SyncPool, set_pool

    src = write_wav(tmp_path / "src.wav", tone(0.5))
    folder = tmp_path / "lib"
    folder.mkdir()
    for name, album, number, gain in (("quiet intro", "Night", 1, "+4.00 dB"), ("loud song", "Night", 2, "-8.00 dB"),
                                      ("single", "Other", 1, "-3.00 dB")):
        f = mutagen.File(str(encode(src, folder / f"{name}.flac")))
        f.update({"TITLE": name, "ALBUM": album, "TRACKNUMBER": str(number), "REPLAYGAIN_TRACK_GAIN": gain,
                  "REPLAYGAIN_ALBUM_GAIN": "-6.00 dB" if album == "Night" else gain})
        f.save()
    set_pool(SyncPool())
    try:
        store = Store(tmp_path / "db.json")
        scan_folder(store, str(folder))
        backend = NullBackend(length_ms=60_000)
        w = MainWindow(store, PlayerEngine(backend), auto_tag=False)
        qtbot.addWidget(w)
        w.tray = None
        w.volume_slider.setValue(80)
        album = levelled_volume(80, -6.0, None)
        w.engine.play_path(str(folder / "quiet intro.flac"))  # alone: nothing around it from its album
        assert backend.volume == levelled_volume(80, 4.0, None) != album
        titles = [w.filter.index(r, 0).data() for r in range(w.filter.rowCount())]
        w.table.selectRow(titles.index("loud song"))
        library_actions.play_selected_albums(w)
        assert w.engine.current.endswith("quiet intro.flac") and backend.volume == album, "next in queue: track 2"
        w.engine.next()
        assert w.engine.current.endswith("loud song.flac") and backend.volume == album, "after track 1"
        w.engine.play_path(str(folder / "single.flac"))
        assert backend.volume == levelled_volume(80, -3.0, None), "another album's track: its own gain"
        w.engine.queue.add([str(folder / "quiet intro.flac")], next_up=True)
        w.engine.play_path(str(folder / "loud song.flac"))  # track 2, then track 1 next: not in order
        assert backend.volume == levelled_volume(80, -8.0, None), "the album out of order: track gain"
        apply_settings(w, Settings(album_gain=False))
        library_actions.play_selected_albums(w)
        assert w.engine.current.endswith("quiet intro.flac") and backend.volume == levelled_volume(80, 4.0, None)
    finally:
        set_pool(None)
