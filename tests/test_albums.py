"""Albums: track and disc numbers, year and album artist read from every format, play order, whole-album playback,
the table's album-aware sort, and cover art from the album's folder."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from library.albums import album_folder, album_key, albums_of, play_order
from library.scanner import scan_folder
from library.store import Store
from library.tags import TAGS_VERSION, cover_images, embedded_cover, folder_cover, leading_int, read_tags
from tests.media import encode, tag, tiny_png, tone, write_wav

FORMATS = (".mp3", ".flac", ".ogg", ".opus", ".m4a")


@pytest.mark.parametrize("ext", FORMATS)
def test_numbers_year_and_album_artist_are_read_from_each_format(tmp_path, ext):
    src = write_wav(tmp_path / "src.wav", tone(0.5))
    path = encode(src, tmp_path / f"t{ext}")
    tag(path, "T", "A", "Al", "G", tracknumber="07/12", discnumber="2/3", date="1998-10-30",
        albumartist="Various Artists")
    t = read_tags(str(path))
    assert (t["track_no"], t["disc_no"], t["year"], t["albumartist"]) == (7, 2, 1998, "Various Artists")
    assert t["tags_version"] == TAGS_VERSION >= 3


def test_wav_with_id3_frames_and_a_file_without_numbers(tmp_path):
    import mutagen.wave
    from mutagen.id3 import TDRC, TPE2, TPOS, TRCK

    wav = write_wav(tmp_path / "w.wav", tone(0.5))
    w = mutagen.wave.WAVE(str(wav))
    w.add_tags()
    for frame in (TRCK(encoding=3, text="5/9"), TPOS(encoding=3, text="1"), TDRC(encoding=3, text="1977"),
                  TPE2(encoding=3, text="Band")):
        w.tags.add(frame)
    w.save()
    t = read_tags(str(wav))
    assert (t["track_no"], t["disc_no"], t["year"], t["albumartist"]) == (5, 1, 1977, "Band")
    bare = encode(write_wav(tmp_path / "s.wav", tone(0.5)), tmp_path / "bare.ogg")
    t = read_tags(str(bare))
    assert (t["track_no"], t["disc_no"], t["year"], t["albumartist"]) == (None, None, None, "")


@pytest.mark.parametrize(("value", "expected"), [
    ("3", 3), ("03/12", 3), (" 12 ", 12), ("2003-05-01", 2003), (["4/5"], 4), (b"9", 9),
    ("", None), ("A1", None), ("0", None), ("-2", None), (None, None), ("1234567", None), ("x/12", None),
])
def test_leading_int(value, expected):
    assert leading_int(value) == expected


def test_year_outside_any_plausible_range_is_dropped(tmp_path):
    path = encode(write_wav(tmp_path / "src.wav", tone(0.5)), tmp_path / "t.ogg")
    tag(path, "T", "A", "Al", "G", date="0000")
    assert read_tags(str(path))["year"] is None
    tag(path, "T", "A", "Al", "G", date="19")
    assert read_tags(str(path))["year"] is None


def _t(path: str, album: str = "", albumartist: str = "", disc: int | None = None, track: int | None = None) -> dict:
    return {"path": path, "album": album, "albumartist": albumartist, "disc_no": disc, "track_no": track}


def test_album_grouping_by_album_artist_else_by_folder():
    assert album_key(_t("/m/x.mp3")) is None, "no album tag: no album"
    assert album_key(_t("/m/a/1.mp3", "Hits", "Ann")) == album_key(_t("/other/2.mp3", "HITS ", "ann"))
    assert album_key(_t("/m/a/1.mp3", "Hits")) != album_key(_t("/m/b/1.mp3", "Hits")), "two folders, two albums"
    assert album_key(_t("/m/a/CD1/1.mp3", "Hits")) == album_key(_t("/m/a/Disc 2/1.mp3", "Hits")), "disc folders"
    assert album_folder("/m/a/cd_2/x.mp3") == "/m/a" and album_folder("/m/cd/x.mp3") == "/m/cd"


def test_disc_folders_without_disc_tags_play_disc_by_disc():
    rows = [_t(f"/m/Live/{cd}/{n:02d}.flac", "Live", track=n) for n in (1, 2) for cd in ("CD2", "CD1")]
    assert albums_of(rows, ["/m/Live/CD2/02.flac"]) == [
        "/m/Live/CD1/01.flac", "/m/Live/CD1/02.flac", "/m/Live/CD2/01.flac", "/m/Live/CD2/02.flac"]


def test_same_named_albums_of_two_artists_in_one_folder_stay_apart():
    rows = [{**_t(f"/m/{who}-{n:02d}.mp3", "Greatest Hits", track=n), "artist": who}
            for n in (1, 2) for who in ("ABBA", "Queen")]
    rows.append({**_t("/m/comp/01.mp3", "Mix", track=1), "artist": "A"})
    rows.append({**_t("/m/comp/02.mp3", "Mix", track=2), "artist": "B"})
    assert albums_of(rows, ["/m/Queen-02.mp3"]) == ["/m/Queen-01.mp3", "/m/Queen-02.mp3"]
    assert albums_of(rows, ["/m/comp/02.mp3"]) == ["/m/comp/01.mp3", "/m/comp/02.mp3"], "a compilation stays one"


def test_a_two_disc_compilation_without_disc_tags_stays_one_album():
    rows = [{**_t(f"/m/Hits/{d}-{n:02d}.mp3", "Hits", track=n), "artist": f"Artist {d}{n}"}
            for d in (1, 2) for n in (1, 2, 3)]
    assert sorted(albums_of(rows, ["/m/Hits/2-02.mp3"])) == sorted(t["path"] for t in rows), "one album"


def test_albums_of_plays_whole_albums_in_disc_and_track_order():
    rows = [
        _t("/m/a/z.mp3", "Hits", "Ann", 2, 1),
        _t("/m/a/y.mp3", "Hits", "Ann", 1, 2),
        _t("/m/a/x.mp3", "Hits", "Ann", 1, 1),
        _t("/m/b/02 b.mp3", "Live"),
        _t("/m/b/01 a.mp3", "Live"),
        _t("/m/loose.mp3"),
        _t("/m/c/other.mp3", "Hits", "Bob", 1, 1),
    ]
    assert albums_of(rows, ["/m/a/z.mp3"]) == ["/m/a/x.mp3", "/m/a/y.mp3", "/m/a/z.mp3"]
    assert albums_of(rows, ["/m/b/02 b.mp3", "/m/loose.mp3", "/m/a/y.mp3", "/m/a/x.mp3", "/gone.mp3"]) == [
        "/m/b/01 a.mp3", "/m/b/02 b.mp3", "/m/loose.mp3", "/m/a/x.mp3", "/m/a/y.mp3", "/m/a/z.mp3"]
    assert play_order({"path": "p", "disc_no": "x", "track_no": 3}) == (0, 3, "p"), "a damaged number counts as 0"


@pytest.fixture
def window(media_window):
    return media_window


def _column(window, title: str) -> int:
    return next(c for c in range(window.library.columnCount())
                if window.library.headerData(c, Qt.Orientation.Horizontal) == title)


def _titles(window) -> list[str]:
    return [window.filter.index(r, 0).data() for r in range(window.filter.rowCount())]


def _first_of(titles: list[str], wanted: tuple[str, ...]) -> list[str]:
    """The wanted titles in the order they first appear (broken/ holds more copies of Morning Run)."""
    return list(dict.fromkeys(t for t in titles if t in wanted))


def test_sorting_by_album_or_artist_keeps_each_album_in_track_order(window):
    window.table.sortByColumn(_column(window, "Album"), Qt.SortOrder.AscendingOrder)
    titles = _titles(window)
    fixtures = _first_of(titles, ("Morning Run", "Slow River", "Bright Day"))
    assert fixtures == ["Slow River", "Bright Day", "Morning Run"], titles
    window.table.sortByColumn(_column(window, "Artist"), Qt.SortOrder.AscendingOrder)
    titles = _titles(window)
    testers = _first_of(titles, ("Morning Run", "Bright Day"))
    assert testers == ["Bright Day", "Morning Run"], "one artist's tracks in album order (track 2 before 3)"
    window.table.sortByColumn(_column(window, "#"), Qt.SortOrder.AscendingOrder)
    numbered = _first_of(_titles(window), ("Morning Run", "Slow River", "Bright Day"))
    assert numbered == ["Slow River", "Bright Day", "Morning Run"]
    row = _titles(window).index("Slow River")
    assert window.filter.index(row, _column(window, "#")).data() == "1"
    assert window.filter.index(row, _column(window, "Year")).data() == "2003"
    assert window.filter.index(row, _column(window, "Album artist")).data() == "Various Artists"


def test_a_descending_sort_keeps_each_album_in_play_order(window):
    window.table.sortByColumn(_column(window, "Artist"), Qt.SortOrder.DescendingOrder)
    titles = _titles(window)
    assert _first_of(titles, ("Morning Run", "Bright Day")) == ["Bright Day", "Morning Run"], "track 2, then 3"
    artists = [window.filter.index(r, 1).data() for r in range(window.filter.rowCount())]
    assert artists == sorted(artists, key=str.casefold, reverse=True)


def test_new_columns_start_hidden_and_can_be_shown(window):
    from ui.table_columns import column_menu

    header = window.table.horizontalHeader()
    for title in ("#", "Disc", "Year", "Album artist"):
        assert header.isSectionHidden(_column(window, title)), title
    menu = column_menu(window.table)
    next(a for a in menu.actions() if a.text() == "Year").setChecked(True)
    assert not header.isSectionHidden(_column(window, "Year"))


def test_play_the_whole_album_from_any_of_its_tracks(window, qtbot, media_dir):
    row = _titles(window).index("Morning Run")  # track 3 of 3
    window.table.selectRow(row)
    assert window.act_play_album in window.table.actions()
    window.act_play_album.trigger()
    assert window.engine.current == str(media_dir / "song_b.flac"), "the album starts at track 1"
    qtbot.waitUntil(lambda: window.engine.state == "playing", timeout=3000)
    album = [p for p in window.engine.queue.pinned_paths()
             if (window.library.track_for(p) or {}).get("album") == "Fixtures"]
    assert album[0] == str(media_dir / "song_c.ogg") and str(media_dir / "song_a.mp3") in album
    # broken/ holds copies of Morning Run (track 3 too): the whole album, before the queue's automatic part
    assert [window.library.track_for(p)["track_no"] for p in album[1:]] == [3] * (len(album) - 1)
    assert window.engine.queue.paths()[:len(album)] == album
    assert window.now_playing.album.text() == "Fixtures (2003)"


def test_an_older_scan_is_read_again_for_the_numbers_and_keeps_its_mood(tmp_path):
    src = write_wav(tmp_path / "src.wav", tone(0.5))
    folder = tmp_path / "lib"
    folder.mkdir()
    path = encode(src, folder / "t.flac")
    tag(path, "T", "A", "Al", "G", tracknumber="4")
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(folder))
    store.update_tracks([(str(path), {"track_no": None, "tags_version": 2, "valence": 0.4, "quadrant": "Q1"})])
    scan_folder(store, str(folder))
    t = store.get_track(str(path))
    assert t["track_no"] == 4 and t["tags_version"] == TAGS_VERSION
    assert t["valence"] == 0.4 and t["quadrant"] == "Q1", "mood tags survive the re-read"


def test_cover_from_the_folder_when_none_is_embedded(tmp_path):
    src = write_wav(tmp_path / "src.wav", tone(0.5))
    album = tmp_path / "album"
    album.mkdir()
    track = encode(src, album / "t.flac")
    assert next(cover_images(str(track)), None) is None
    png = tiny_png()
    (album / "notes.png").write_bytes(b"not a cover")
    (album / "Front.PNG").write_bytes(b"front")
    assert folder_cover(str(track)) == b"front", "any case"
    (album / "Cover.jpg").write_bytes(png)
    assert next(cover_images(str(track)), None) == png, "cover before front"
    mp3 = encode(src, album / "u.mp3")
    tag(mp3, "T", "A", "Al", "G", cover=b"\x89PNG embedded")
    assert next(cover_images(str(mp3)), None) == b"\x89PNG embedded", "an embedded picture wins"


def test_a_folder_cover_that_is_no_regular_file_or_too_big_is_skipped(tmp_path):
    import os

    from library import tags

    album = tmp_path / "album"
    album.mkdir()
    os.mkfifo(album / "cover.jpg")  # opening it for reading would wait for a writer for ever
    (album / "front.jpg").write_bytes(b"x" * (tags.MAX_COVER_FILE_BYTES + 1))
    (album / "folder.png").write_bytes(b"small")
    assert folder_cover(str(album / "t.flac")) == b"small"
    (album / "folder.png").unlink()
    assert folder_cover(str(album / "t.flac")) is None


def test_the_front_cover_is_chosen_among_several_pictures(tmp_path):
    from mutagen.id3 import APIC, ID3

    mp3 = encode(write_wav(tmp_path / "src.wav", tone(0.5)), tmp_path / "t.mp3")
    tag(mp3, "T", "A", "Al", "G")
    id3 = ID3(str(mp3))
    id3.add(APIC(encoding=3, mime="image/png", type=4, desc="back", data=b"back"))
    id3.add(APIC(encoding=3, mime="image/png", type=3, desc="front", data=b"front"))
    id3.save()
    assert embedded_cover(str(mp3)) == b"front"


def test_now_playing_shows_the_folder_cover(window, qtbot, media_dir, tmp_path):
    from PySide6.QtGui import QColor, QImage

    folder = tmp_path / "withcover"
    folder.mkdir()
    track = folder / "song.ogg"
    shutil.copy(media_dir / "song_c.ogg", track)
    img = QImage(40, 40, QImage.Format.Format_RGB32)
    img.fill(QColor(20, 30, 220))
    img.save(str(folder / "folder.jpg"))
    window.engine.play_path(str(track))
    qtbot.waitUntil(lambda: window.now_playing.has_cover_art(), timeout=3000)
    color = window.now_playing.cover.pixmap().toImage().pixelColor(60, 60)
    assert color.blue() > 150 and color.red() < 100, "the folder's blue cover, not the placeholder"


def test_sorting_keeps_the_selection_and_can_go_both_ways(window, media_dir):
    row = _titles(window).index("Deep Cut")
    window.table.selectRow(row)
    title = _column(window, "Title")
    window.table.sortByColumn(title, Qt.SortOrder.DescendingOrder)
    titles = _titles(window)
    assert titles == sorted(titles, key=str.casefold, reverse=True)
    assert window.selected_paths() == [str(media_dir / "sub" / "song_e.m4a")], "the selected track moved with its row"
    assert window.table.currentIndex().data() == "Deep Cut"
    window.table.sortByColumn(_column(window, "Length"), Qt.SortOrder.AscendingOrder)
    lengths = [window.library.track_for(window.filter.path_at(r))["duration"] for r in range(window.filter.rowCount())]
    assert lengths == sorted(lengths)
    assert window.library.track_for(str(media_dir / "song_c.ogg"))["title"] == "Bright Day", "lookups follow the rows"


def test_sorting_a_filtered_table_sorts_what_is_shown(window, qtbot):
    window.filter_edit.setText("quiet band")
    window.table.sortByColumn(_column(window, "Title"), Qt.SortOrder.AscendingOrder)
    assert _titles(window) == ["Deep Cut", "Slow River"]
    window.table.sortByColumn(_column(window, "Title"), Qt.SortOrder.DescendingOrder)
    assert _titles(window) == ["Slow River", "Deep Cut"]
    window.filter_edit.clear()
    assert len(_titles(window)) == window.library.rowCount()


def test_the_sort_holds_when_the_library_is_loaded_again(window, media_dir):
    window.table.sortByColumn(_column(window, "Title"), Qt.SortOrder.DescendingOrder)
    window.library.set_rows(list(reversed(window.library.rows())))  # a rescan's reload, in the store's order
    titles = _titles(window)
    assert titles == sorted(titles, key=str.casefold, reverse=True)
    window.library.remove_paths([str(media_dir / "song_c.ogg")])
    titles = _titles(window)
    assert "Bright Day" not in titles and titles == sorted(titles, key=str.casefold, reverse=True)
