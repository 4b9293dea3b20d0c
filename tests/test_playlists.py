"""Playlist files (M3U / M3U8 / PLS) read into local paths and written as M3U8, without Qt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from library.playlists import is_playlist, match_library, read_playlist, write_m3u8


def touch(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return str(path)


def test_m3u8_round_trip_keeps_order_and_writes_relative_paths(tmp_path: Path) -> None:
    music = tmp_path / "Music"
    a = touch(music / "Artist A" / "01 Été.mp3")
    b = touch(music / "b.flac")
    elsewhere = touch(tmp_path / "other" / "c.ogg")
    tracks = [
        {"path": b, "title": "Bee", "artist": "Band", "duration": 181.6},
        {"path": a, "title": "Été", "artist": ""},
        {"path": elsewhere},
    ]
    pl = music / "road trip.m3u8"
    assert write_m3u8(pl, tracks) == 3
    text = pl.read_text(encoding="utf-8").splitlines()
    assert text[0] == "#EXTM3U"
    assert text[1:3] == ["#EXTINF:182,Band - Bee", "b.flac"]  # under the playlist's folder: relative
    assert text[3:5] == ["#EXTINF:-1,Été", "Artist A/01 Été.mp3"]
    assert text[5:7] == ["#EXTINF:-1,c", elsewhere]  # outside it: absolute
    got = read_playlist(pl)
    assert got.paths == [b, a, elsewhere]
    assert got.skipped == []
    # the playlist still works after the whole folder moves
    moved = tmp_path / "Moved"
    os.rename(music, moved)
    moved_paths = [str(moved / "b.flac"), str(moved / "Artist A" / "01 Été.mp3"), elsewhere]
    assert read_playlist(moved / "road trip.m3u8").paths == moved_paths


def test_non_utf8_file_names_round_trip(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.mp3")  # latin-1 bytes on disk: not valid UTF-8
    path = touch(tmp_path / name)
    pl = tmp_path / "x.m3u8"
    write_m3u8(pl, [{"path": path, "title": "Café"}])
    assert b"\ncaf\xe9.mp3\n" in pl.read_bytes()
    assert read_playlist(pl).paths == [path]


def test_entries_that_are_not_local_files_are_listed_with_their_reason(tmp_path: Path) -> None:
    a = touch(tmp_path / "songs" / "a song.mp3")
    (tmp_path / "songs" / "a folder").mkdir()
    pl = tmp_path / "mixed.m3u"
    pl.write_bytes(
        b"\xef\xbb\xbf#EXTM3U\r\n"
        b"#EXTINF:10,Someone - Something\r\n"
        b"http://radio.example/stream\r\n"
        b"file:///" + os.fsencode(a).lstrip(b"/").replace(b" ", b"%20") + b"\r\n"
        b"\r\n"
        b"songs\\a song.mp3\r\n"
        b"songs/gone.mp3\r\n"
        b"songs/a folder\r\n"
    )
    got = read_playlist(pl)
    assert got.paths == [a, a]  # the file:// URL (unquoted) and the Windows-style entry
    assert got.skipped == [
        ("http://radio.example/stream", "not a local file (a stream or a remote URL)"),
        ("songs/gone.mp3", "file not found"),
        ("songs/a folder", "not a file"),
    ]


def test_legacy_cp1252_m3u_finds_utf8_named_files(tmp_path: Path) -> None:
    path = touch(tmp_path / "Beyoncé.mp3")  # the file system speaks UTF-8, the old playlist cp1252
    pl = tmp_path / "old.m3u"
    pl.write_bytes("Beyoncé.mp3\n".encode("cp1252"))
    assert read_playlist(pl).paths == [path]


def test_pls_is_read_in_entry_order(tmp_path: Path) -> None:
    a, b = touch(tmp_path / "a.ogg"), touch(tmp_path / "b.ogg")
    pl = tmp_path / "list.pls"
    pl.write_text("[playlist]\nFile2=b.ogg\nTitle2=B\nFile1=a.ogg\nFile3=missing.ogg\nNumberOfEntries=3\nVersion=2\n")
    got = read_playlist(pl)
    assert got.paths == [a, b]
    assert got.skipped == [("missing.ogg", "file not found")]
    bad = tmp_path / "bad.pls"
    bad.write_text("File1=a.ogg\n")
    with pytest.raises(ValueError, match=r"\[playlist\]"):
        read_playlist(bad)


def test_a_binary_file_is_not_taken_for_a_playlist(tmp_path: Path) -> None:
    pl = tmp_path / "fake.m3u"
    pl.write_bytes(b"ID3\x00\x00\x00binary")
    with pytest.raises(ValueError, match="not a text playlist"):
        read_playlist(pl)
    with pytest.raises(OSError):
        read_playlist(tmp_path / "none.m3u")


def test_failed_write_keeps_the_old_playlist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = touch(tmp_path / "a.ogg"), touch(tmp_path / "b.ogg")
    pl = tmp_path / "keep.m3u8"
    write_m3u8(pl, [{"path": a}])
    before = pl.read_bytes()

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("library.playlists.os.fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        write_m3u8(pl, [{"path": a}, {"path": b}])
    assert pl.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ogg", "b.ogg", "keep.m3u8"]  # no temporary file left


def test_match_library_follows_symlinked_folders(tmp_path: Path) -> None:
    real = tmp_path / "real"
    a, b = touch(real / "a.ogg"), touch(real / "b.ogg")
    link = tmp_path / "link"
    link.symlink_to(real)
    stray = touch(tmp_path / "stray.ogg")
    found, missing = match_library([str(link / "b.ogg"), a, stray], library=[str(link / "a.ogg"), b])
    assert found == [b, str(link / "a.ogg")]
    assert missing == [stray]


def test_is_playlist() -> None:
    assert is_playlist("x/Y.M3U8") and is_playlist("a.pls") and is_playlist("b.m3u")
    assert not is_playlist("song.mp3")


def test_awkward_names_survive_a_round_trip(tmp_path: Path) -> None:
    names = ["#1 Hit.mp3", " leading space.ogg", "trailing space .ogg", "two\nlines.ogg", "plain.ogg",
             "sub/#2.flac"]
    paths = [touch(tmp_path / n) for n in names]
    pl = tmp_path / "odd.m3u8"
    assert write_m3u8(pl, [{"path": p} for p in paths]) == len(paths)
    got = read_playlist(pl)
    assert got.paths == paths and got.skipped == []


def test_an_unreadable_or_absurd_entry_is_skipped_not_fatal(tmp_path: Path) -> None:
    a = touch(tmp_path / "a.ogg")
    pl = tmp_path / "bad.m3u"
    pl.write_text("x" * 300 + "/" + "y" * 300 + ".mp3\na.ogg\n")  # ENAMETOOLONG on the way
    got = read_playlist(pl)
    assert got.paths == [a] and [r for _, r in got.skipped] == ["file not found"]


def test_match_library_with_symlinked_files_through_a_symlinked_folder(tmp_path: Path) -> None:
    store = tmp_path / "annex"
    target = touch(store / "blob-123")
    music = tmp_path / "music"
    music.mkdir()
    (music / "a.mp3").symlink_to(target)  # the library's track is a symlinked file (git-annex, beets links)
    alias = tmp_path / "Music"
    alias.symlink_to(music)  # the playlist reaches it through another name for the folder
    found, missing = match_library([str(alias / "a.mp3")], library=[str(music / "a.mp3")])
    assert found == [str(music / "a.mp3")] and missing == []
