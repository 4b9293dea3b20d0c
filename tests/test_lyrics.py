"""Lyrics: LRC parsing, sidecar files and tags of every format, and the Lyrics pane following the music."""

from __future__ import annotations

import pytest

from library.lyrics import embedded_lyrics_text, parse_lyrics, read_lyrics
from tests.media import encode, tag, tone, write_wav

LRC = """\ufeff[ar:Somebody]
[ti:A Song]
[offset:+500]
[00:12.00]First line
[00:15.30][01:15.30]Chorus line
[00:20.5]Third line
[00:18.123]Between

not a timed line
"""


def test_lrc_is_parsed_in_time_order_with_its_offset():
    lyr = parse_lyrics(LRC)
    assert lyr is not None and lyr.synced
    assert lyr.lines == ["First line", "Chorus line", "Between", "Third line", "Chorus line"]
    assert lyr.times_ms == [11500, 14800, 17623, 20000, 74800], "offset +500 ms: every line comes earlier"
    assert lyr.line_at(0) is None and lyr.line_at(11499) is None
    assert lyr.line_at(11500) == 0 and lyr.line_at(17000) == 1 and lyr.line_at(80_000) == 4


def test_enhanced_lrc_word_stamps_and_section_headings():
    lyr = parse_lyrics("[00:01.00]<00:01.00>Hello <00:01.50>world\n[00:02.00]Again")
    assert lyr.lines == ["Hello world", "Again"]
    plain = parse_lyrics("[Intro: Someone]\nla la\n[Chorus]\nhey")
    assert plain.lines == ["[Intro: Someone]", "la la", "[Chorus]", "hey"], "headings are lyrics, not ID tags"


def test_plain_lyrics_keep_their_lines_and_blank_verses():
    lyr = parse_lyrics("\n\nVerse one\nline two\n\nVerse two\n\n")
    assert lyr is not None and not lyr.synced and lyr.line_at(5000) is None
    assert lyr.lines == ["Verse one", "line two", "", "Verse two"]
    assert parse_lyrics("  \n[ar:Only tags]\n") is None


@pytest.fixture
def src(tmp_path):
    return write_wav(tmp_path / "src.wav", tone(0.5))


@pytest.mark.parametrize("ext", [".mp3", ".flac", ".ogg", ".opus", ".m4a"])
def test_lyrics_from_the_tags_of_each_format(tmp_path, src, ext):
    path = encode(src, tmp_path / f"t{ext}")
    tag(path, "T", "A", "Al", "G")
    assert read_lyrics(str(path)) is None
    text = "[00:01.00]Hello\n[00:02.00]Wörld"
    if ext == ".mp3":
        from mutagen.id3 import ID3, USLT

        id3 = ID3(str(path))
        id3.add(USLT(encoding=3, lang="eng", desc="", text=text))
        id3.save()
    elif ext == ".m4a":
        from mutagen.mp4 import MP4

        f = MP4(str(path))
        f["\xa9lyr"] = [text]
        f.save()
    else:
        import mutagen

        f = mutagen.File(str(path))
        f["LYRICS"] = [text]
        f.save()
    assert embedded_lyrics_text(str(path)) == text
    lyr = read_lyrics(str(path))
    assert lyr is not None and lyr.source == "tags" and lyr.lines == ["Hello", "Wörld"] and lyr.synced


def test_an_lrc_file_beside_the_track_comes_first_and_any_encoding_reads(tmp_path, src):
    path = encode(src, tmp_path / "Song.ogg")
    import mutagen

    f = mutagen.File(str(path))
    f["UNSYNCEDLYRICS"] = ["from the tags"]
    f.save()
    assert read_lyrics(str(path)).lines == ["from the tags"]
    (tmp_path / "Song.LRC").write_bytes("[00:01.00]Caf\xe9 line".encode("cp1252"))
    lyr = read_lyrics(str(path))
    assert lyr.source == "file" and lyr.lines == ["Café line"]
    (tmp_path / "Song.LRC").write_bytes("[00:02.00]Wide ☂ line".encode("utf-16"))  # Notepad's "Unicode"
    assert read_lyrics(str(path)).lines == ["Wide ☂ line"]
    (tmp_path / "Song.LRC").write_bytes(b"")  # an empty file gives way to the tags
    assert read_lyrics(str(path)).lines == ["from the tags"]
    (tmp_path / "Song.LRC").unlink()
    (tmp_path / "song.lRc").write_text("[00:01.00]any case")
    assert read_lyrics(str(path)).lines == ["any case"]
    assert read_lyrics(str(tmp_path / "gone.ogg")) is None


def test_the_lyrics_pane_follows_the_playing_track(qtbot, tmp_path, src):
    from library.store import Store
    from player.backend import NullBackend
    from player.engine import PlayerEngine
    from ui.main_window import MainWindow
    from ui.workers import SyncPool, set_pool

    set_pool(SyncPool())
    try:
        sung = encode(src, tmp_path / "sung.ogg")
        (tmp_path / "sung.lrc").write_text("[00:00.00]One\n[00:10.00]Two\n[00:20.00]Three\n")
        bare = encode(src, tmp_path / "bare.ogg")
        backend = NullBackend(length_ms=60_000)
        w = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(backend), auto_tag=False)
        qtbot.addWidget(w)
        w.show()
        assert not w.lyrics_dock.isVisible(), "hidden until asked for"
        assert w.lyrics_dock.toggleViewAction() in w.view_menu.actions()
        w.engine.play_path(str(sung))
        assert w.lyrics_view.lyrics is None, "not read while the pane is hidden"
        w.lyrics_dock.toggleViewAction().trigger()
        qtbot.waitUntil(lambda: w.lyrics_view.lyrics is not None, timeout=3000)
        assert [w.lyrics_view.lines.item(i).text() for i in range(3)] == ["One", "Two", "Three"]
        w.engine.seek(12_000)
        qtbot.waitUntil(lambda: w.lyrics_view.current_text() == "Two", timeout=5000)
        assert w.lyrics_view.lines.item(1).font().bold() and not w.lyrics_view.lines.item(0).font().bold()
        w.engine.play_path(str(bare))
        assert w.lyrics_view.lyrics is None and "No lyrics" in w.lyrics_view.note.text()
        w.lyrics_dock.toggleViewAction().trigger()  # hidden; an .lrc comes; shown again: it is read
        (tmp_path / "bare.lrc").write_text("Now there are words")
        w.lyrics_dock.toggleViewAction().trigger()
        qtbot.waitUntil(lambda: w.lyrics_view.lyrics is not None, timeout=3000)
        assert w.lyrics_view.lines.item(0).text() == "Now there are words"
    finally:
        set_pool(None)
