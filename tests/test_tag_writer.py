"""Editing tags of real files of every audio format: written, read back, the file safe on failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from library.tag_writer import TagWriteError, can_edit, common_values, write_tags
from library.tags import read_tags
from tests.media import encode, make_video, tag, tone, write_wav


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    src = write_wav(tmp_path / "src.wav", tone(1.0))
    out = {}
    for ext in (".mp3", ".flac", ".ogg", ".opus", ".m4a"):
        out[ext] = encode(src, tmp_path / f"song{ext}")
        tag(out[ext], "Old Title", "Old Artist", "Old Album", "Old Genre")
    out[".wav"] = write_wav(tmp_path / "song.wav", tone(1.0))  # no tags at all
    src.unlink()
    return out


@pytest.mark.parametrize("ext", [".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav"])
def test_tags_are_written_and_read_back(files, ext) -> None:
    path = str(files[ext])
    before = read_tags(path)
    write_tags(path, {"title": "  New\nTitle  ", "artist": "Ünïcode Artist", "genre": ""})
    after = read_tags(path)
    assert after["title"] == "New Title"  # one line, trimmed
    assert after["artist"] == "Ünïcode Artist"
    assert after["genre"] == ""  # removed
    assert after["album"] == before["album"]  # untouched
    assert after["duration"] == pytest.approx(before["duration"], abs=0.05)
    assert sorted(p.name for p in files[ext].parent.iterdir() if p.name.startswith(".")) == []  # no leftovers


@pytest.mark.parametrize("ext", [".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav"])
def test_numbers_year_and_album_artist_are_written_and_read_back(files, ext) -> None:
    path = str(files[ext])
    write_tags(path, {"track_no": " 07 ", "disc_no": "2", "year": "1999", "albumartist": "Various Artists"})
    t = read_tags(path)
    assert (t["track_no"], t["disc_no"], t["year"], t["albumartist"]) == (7, 2, 1999, "Various Artists")
    write_tags(path, {"track_no": "", "year": ""})
    t = read_tags(path)
    assert (t["track_no"], t["disc_no"], t["year"]) == (None, 2, None), "emptied fields are removed"


def test_other_spellings_are_replaced_and_totals_kept(files) -> None:
    import mutagen

    ogg = str(files[".ogg"])
    f = mutagen.File(ogg)
    f.update({"ALBUM ARTIST": "Old Band", "YEAR": "1988", "TRACKNUMBER": "3/12"})
    f.save()
    assert read_tags(ogg)["albumartist"] == "Old Band" and read_tags(ogg)["year"] == 1988
    write_tags(ogg, {"albumartist": "", "year": "2001", "track_no": "4"})
    t = read_tags(ogg)
    assert (t["albumartist"], t["year"], t["track_no"]) == ("", 2001, 4), "the old spellings are gone"
    f = mutagen.File(ogg)
    assert "year" not in f and "album artist" not in f and f["tracknumber"] == ["4/12"], "the total is kept"
    mp3 = str(files[".mp3"])
    write_tags(mp3, {"track_no": "3"})
    f = mutagen.File(mp3, easy=True)
    f["tracknumber"] = "3/9"
    f.save()
    write_tags(mp3, {"track_no": "5"})
    assert mutagen.File(mp3, easy=True)["tracknumber"] == ["5/9"] and read_tags(mp3)["track_no"] == 5


def test_an_mp3_album_artist_in_a_txxx_frame_is_read_and_replaced_by_an_edit(files) -> None:
    from mutagen.id3 import ID3, TXXX

    mp3 = str(files[".mp3"])
    for desc in ("ALBUM ARTIST", "ALBUMARTIST", "Album Artist", "AlbumArtist", "album artist", "ALBUM_ARTIST"):
        tags = ID3(mp3)
        tags.delall("TPE2")
        tags.delall("TXXX")
        tags.add(TXXX(encoding=3, desc=desc, text=["Txxx Band"]))
        tags.save(mp3)
        assert read_tags(mp3)["albumartist"] == "Txxx Band", desc
    write_tags(mp3, {"albumartist": "Edited Band"})
    tags = ID3(mp3)
    assert [str(f.text[0]) for f in tags.getall("TPE2")] == ["Edited Band"] and tags.getall("TXXX") == []
    assert read_tags(mp3)["albumartist"] == "Edited Band"


@pytest.mark.parametrize(("field", "value"), [("track_no", "3a"), ("track_no", "0"), ("year", "19"),
                                              ("disc_no", "-1"), ("year", "3000")])
def test_a_number_out_of_range_is_refused_and_the_file_untouched(files, field, value) -> None:
    path = files[".flac"]
    data = path.read_bytes()
    with pytest.raises(TagWriteError, match="whole number"):
        write_tags(str(path), {"title": "Fine", field: value})
    assert path.read_bytes() == data


def test_a_symlinked_file_is_edited_through_the_link(files, tmp_path) -> None:
    link = tmp_path / "link.ogg"
    link.symlink_to(files[".ogg"])
    write_tags(str(link), {"album": "Linked"})
    assert link.is_symlink()
    assert read_tags(str(files[".ogg"]))["album"] == "Linked"


def test_read_only_files_and_videos_are_refused_untouched(files, tmp_path) -> None:
    path = files[".flac"]
    data = path.read_bytes()
    os.chmod(path, 0o444)
    with pytest.raises(TagWriteError, match="read-only"):
        write_tags(str(path), {"title": "X"})
    assert path.read_bytes() == data
    video = make_video(tmp_path / "clip.mp4", 1.0)
    assert not can_edit(str(video)) and can_edit(str(path))
    with pytest.raises(TagWriteError, match="not supported"):
        write_tags(str(video), {"title": "X"})
    with pytest.raises(ValueError):
        write_tags(str(files[".mp3"]), {"duration": "1"})


def test_a_failed_write_leaves_the_file_as_it_was(files, monkeypatch) -> None:
    path = files[".mp3"]
    data = path.read_bytes()

    def boom(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("library.tag_writer.os.replace", boom)
    with pytest.raises(TagWriteError, match="No space left"):
        write_tags(str(path), {"title": "Never"})
    assert path.read_bytes() == data
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".moodtape-edit-")] == []


def test_a_damaged_file_gives_a_reason(tmp_path) -> None:
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"fLaC" + b"\x00" * 50)
    with pytest.raises(TagWriteError, match="could not write the tags"):
        write_tags(str(bad), {"title": "X"})
    assert bad.read_bytes() == b"fLaC" + b"\x00" * 50


def test_common_values_marks_differences() -> None:
    tracks = [{"title": "A", "artist": "Band", "album": "X", "genre": None},
              {"title": "B", "artist": "Band", "album": "X", "genre": ""}]
    assert common_values(tracks) == {"title": None, "artist": "Band", "album": "X", "genre": "", "albumartist": "",
                                     "track_no": "", "disc_no": "", "year": ""}
    tracks[0]["year"], tracks[1]["year"] = 2003, 2003
    tracks[1]["track_no"] = 4
    assert common_values(tracks)["year"] == "2003" and common_values(tracks)["track_no"] is None


def test_write_returns_the_stat_before_and_after(files) -> None:
    path = str(files[".ogg"])
    before_disk = os.stat(path)
    before, after = write_tags(path, {"album": "Stats"})
    assert (before.st_size, before.st_mtime_ns) == (before_disk.st_size, before_disk.st_mtime_ns)
    assert (after.st_size, after.st_mtime_ns) == (os.stat(path).st_size, os.stat(path).st_mtime_ns)


def test_hard_linked_files_are_edited_in_place_and_stay_linked(files, tmp_path) -> None:
    path = files[".flac"]
    other = tmp_path / "other name.flac"
    os.link(path, other)
    write_tags(str(path), {"title": "Linked Title"})
    assert os.stat(path).st_nlink == 2 and os.path.samefile(path, other)
    assert read_tags(str(other))["title"] == "Linked Title"


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_owner_and_group_are_kept(files) -> None:
    path = files[".mp3"]
    os.chown(path, 1234, 5678)
    write_tags(str(path), {"title": "Owned"})
    st = os.stat(path)
    assert (st.st_uid, st.st_gid) == (1234, 5678)
    assert read_tags(str(path))["title"] == "Owned"


def test_a_file_changed_by_another_program_meanwhile_is_left_as_it_made_it(files, monkeypatch) -> None:
    import library.tag_writer as tw

    path = files[".ogg"]
    real_write = tw._write

    def meanwhile(tmp: str, ext: str, clean: dict) -> None:
        real_write(tmp, ext, clean)
        real_write(str(path), ext, {"artist": "Other Program"})  # another tagger saves the file meanwhile

    monkeypatch.setattr(tw, "_write", meanwhile)
    with pytest.raises(TagWriteError, match="changed while"):
        write_tags(str(path), {"title": "Ours"})
    after = read_tags(str(path))
    assert after["artist"] == "Other Program" and after["title"] == "Old Title"
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".moodtape-edit-")] == []


def test_the_scanner_never_takes_an_edit_copy_for_a_track(files) -> None:
    from library.scanner import iter_media_files

    folder = files[".mp3"].parent
    stray = folder / ".moodtape-edit-k3x9.mp3"  # as a crash of an older version could leave it
    stray.write_bytes(files[".mp3"].read_bytes())
    names = {os.path.basename(p) for p, _ in iter_media_files(str(folder))}
    assert "song.mp3" in names and stray.name not in names
