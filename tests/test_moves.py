"""Files moved or renamed on disk stay the same tracks: their plays, Added date, mood tags (also a mood set by
hand), likes and place in the queue go with them, and they are not mood-tagged again."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from emotion.tagger import needs_tag
from library import history, track_memory
from library.scanner import scan_folder
from library.store import Store

MOOD = {"valence": 0.4, "arousal": -0.3, "quadrant": "Q4", "moods": {"tender": 0.8}, "model_version": "m1",
        "mood_by": "you", "tagger_mood": {"quadrant": "Q1"}, "loudness": -14.2}


def _library(tmp_path: Path, media_dir: Path) -> tuple[Path, Store]:
    lib = tmp_path / "lib"
    (lib / "Album").mkdir(parents=True)
    for name in ("song_a.mp3", "song_b.flac", "song_c.ogg"):
        shutil.copy2(media_dir / name, lib / "Album" / name)
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(lib))
    return lib, store


def _gather(store: Store, path: Path, plays: int) -> dict:
    """Give a track what a listener's use gathers: plays, a mood (set by hand), a like in the history."""
    track = store.get_track(str(path))
    key = f"{track['size']}:{track['mtime']}:m1"
    store.update_tracks([(str(path), {"plays": plays, "last_played": 1000.0 + plays, "tag_key": key, **MOOD})])
    history.record(store, str(path), 1.0, False, liked=True, when=5.0)
    store.flush()
    return store.get_track(str(path))


def test_a_renamed_file_and_a_renamed_album_folder_keep_everything(tmp_path, media_dir) -> None:
    lib, store = _library(tmp_path, media_dir)
    a, b = lib / "Album" / "song_a.mp3", lib / "Album" / "song_b.flac"
    before_a, before_b = _gather(store, a, 3), _gather(store, b, 7)

    renamed = lib / "Album" / "03 - Morning Run.mp3"
    os.rename(a, renamed)
    res = scan_folder(store, str(lib))
    assert res.moved == [(str(a), str(renamed))]
    assert (res.added, res.removed) == (0, 0)
    after = store.get_track(str(renamed))
    assert store.get_track(str(a)) is None
    for key in ("added", "plays", "last_played", "valence", "quadrant", "moods", "mood_by", "tagger_mood",
                "loudness", "tag_key"):
        assert after[key] == before_a[key], key
    assert after["title"] == "Morning Run"  # its tags are read from the file as it is now
    assert not needs_tag(after, "m1")  # not tagged again: the same file
    assert [r["path"] for r in store.rows(history.TABLE) if r.get("liked")].count(str(renamed)) == 1

    new_folder = lib / "Album (2003)"
    os.rename(lib / "Album", new_folder)  # the whole album
    res = scan_folder(store, str(lib))
    assert sorted(new for _old, new in res.moved) == sorted(str(p) for p in new_folder.iterdir())
    assert store.get_track(str(new_folder / "song_b.flac"))["plays"] == before_b["plays"]
    assert store.get_track(str(new_folder / "03 - Morning Run.mp3"))["plays"] == 3
    assert store.track_count() == 3
    assert {r["path"] for r in store.rows(history.TABLE)} == {str(new_folder / "song_b.flac"),
                                                             str(new_folder / "03 - Morning Run.mp3")}


@pytest.mark.parametrize("left_first", [True, False])
def test_a_file_moved_to_another_library_folder_keeps_its_plays(tmp_path, media_dir, left_first) -> None:
    """Either folder may be scanned first: the one it left (the track is remembered when it goes) or the new one."""
    lib, store = _library(tmp_path, media_dir)
    other = tmp_path / "other"
    other.mkdir()
    scan_folder(store, str(other))
    c = lib / "Album" / "song_c.ogg"
    before = _gather(store, c, 5)
    moved = other / "song_c.ogg"
    shutil.move(str(c), moved)
    first, second = (lib, other) if left_first else (other, lib)
    results = [scan_folder(store, str(first)), scan_folder(store, str(second))]
    assert [m for r in results for m in r.moved] == [(str(c), str(moved))]
    after = store.get_track(str(moved))
    assert (after["plays"], after["added"], after["quadrant"]) == (5, before["added"], "Q4")
    assert store.get_track(str(c)) is None and store.track_count() == 3
    assert [r["path"] for r in store.rows(history.TABLE)] == [str(moved)]
    assert store.rows(track_memory.DEPARTED) == []  # (remembered until it turned up)


def test_renumbered_files_keep_each_songs_own_plays_and_mood(tmp_path, media_dir) -> None:
    """A track inserted before two others: 02 -> 03 and 01 -> 02. Paths that are still there but hold another
    song now are moves too."""
    lib = tmp_path / "lib"
    lib.mkdir()
    one, two, three = lib / "01.mp3", lib / "02.mp3", lib / "03.mp3"
    from tests.media import encode, tone, write_wav

    shutil.copy2(media_dir / "song_a.mp3", one)  # two songs
    encode(write_wav(tmp_path / "t.wav", tone(3.0, 660.0)), two)
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(lib))
    store.update_tracks([(str(one), {"plays": 10, "quadrant": "Q1", "mood_by": "you"}),
                         (str(two), {"plays": 1, "quadrant": "Q3", "mood_by": "you"})])
    history.record(store, str(one), 1.0, False, liked=True)
    os.rename(two, three)
    os.rename(one, two)
    res = scan_folder(store, str(lib))
    assert sorted(res.moved) == sorted([(str(one), str(two)), (str(two), str(three))])
    t2, t3 = store.get_track(str(two)), store.get_track(str(three))
    assert (t2["plays"], t2["quadrant"], t2["title"]) == (10, "Q1", "Morning Run")
    assert (t3["plays"], t3["quadrant"]) == (1, "Q3")
    assert store.get_track(str(one)) is None
    assert [r["path"] for r in store.rows(history.TABLE)] == [str(two)]  # the like went with its song, once

    # a path whose song went elsewhere while a new song took its name: the newcomer starts afresh
    os.rename(two, lib / "renamed.mp3")
    encode(write_wav(tmp_path / "u.wav", tone(4.0, 880.0)), two)
    res = scan_folder(store, str(lib))
    assert res.moved == [(str(two), str(lib / "renamed.mp3"))] and res.added == 1
    assert store.get_track(str(lib / "renamed.mp3"))["plays"] == 10
    fresh = store.get_track(str(two))
    assert fresh.get("plays") is None and fresh.get("quadrant") is None and fresh.get("mood_by") is None


def test_a_play_counted_while_a_rename_is_scanned_goes_with_it(tmp_path, media_dir, monkeypatch) -> None:
    from library import scanner

    lib, store = _library(tmp_path, media_dir)
    old = lib / "Album" / "song_a.mp3"
    _gather(store, old, 4)
    new = lib / "Album" / "01 song.mp3"
    os.rename(old, new)
    real = scanner._read_one

    def read_while_the_player_counts_a_play(item):
        store.update_tracks([(str(old), {"plays": 5})])  # the GUI thread, while the scan reads tags
        return real(item)

    monkeypatch.setattr(scanner, "_read_one", read_while_the_player_counts_a_play)
    scan_folder(store, str(lib))
    assert store.get_track(str(new))["plays"] == 5


def test_what_is_not_a_move_stays_new(tmp_path, media_dir) -> None:
    lib, store = _library(tmp_path, media_dir)
    a = lib / "Album" / "song_a.mp3"
    _gather(store, a, 2)
    copy = lib / "Album" / "copy.mp3"
    shutil.copy(a, copy)  # a copy (new mtime) next to the original: a new track
    os.utime(copy, (time.time() + 50, time.time() + 50))
    res = scan_folder(store, str(lib))
    assert (res.moved, res.added) == ([], 1)
    assert store.get_track(str(copy)).get("plays") is None

    # replaced by another file of the same size and time but another name, while two old ones match: no guess
    twin1, twin2 = lib / "Album" / "twin1.mp3", lib / "Album" / "twin2.mp3"
    shutil.copy2(a, twin1)
    shutil.copy2(a, twin2)
    scan_folder(store, str(lib))
    stamp = os.stat(twin1).st_mtime
    for p in (twin1, twin2):
        os.utime(p, (stamp, stamp))
    scan_folder(store, str(lib))
    _gather(store, twin1, 9)
    other = lib / "Album" / "third.mp3"
    os.rename(twin1, other)
    os.remove(twin2)
    res = scan_folder(store, str(lib))
    assert res.moved == [] and res.added == 1 and res.removed == 2
    assert store.get_track(str(other)).get("plays") is None


def test_the_queue_follows_a_renamed_file(media_window, tmp_path, media_dir, qtbot) -> None:
    w = media_window
    folder = tmp_path / "q"
    folder.mkdir()
    for name in ("song_a.mp3", "song_b.flac"):
        shutil.copy2(media_dir / name, folder / name)
    w.add_folder(str(folder))
    a, b = str(folder / "song_a.mp3"), str(folder / "song_b.flac")
    w.engine.play_path(a)
    w.engine.queue.add([b])
    os.rename(b, folder / "renamed.flac")
    os.rename(a, folder / "playing.mp3")
    w.scan(str(folder))
    assert w.engine.current == str(folder / "playing.mp3")
    assert w.engine.queue.pinned_paths() == [str(folder / "renamed.flac")]
    assert {str(folder / "playing.mp3"), str(folder / "renamed.flac")} <= {t["path"] for t in w.library.rows()}
    assert "2 moved" in w.statusBar().currentMessage()


def test_the_queue_keeps_a_file_moved_to_a_folder_scanned_later(media_window, tmp_path, media_dir) -> None:
    w = media_window
    a, b = tmp_path / "A", tmp_path / "B"
    a.mkdir()
    b.mkdir()
    song = a / "song.mp3"
    shutil.copy2(media_dir / "song_a.mp3", song)
    w.add_folder(str(a))
    w.add_folder(str(b))
    w.store.update_tracks([(str(song), {"plays": 12})])
    w.engine.queue.add([str(song)])
    shutil.move(str(song), b / "song.mp3")
    w.rescan_all()  # A first: the track leaves, then turns up in B
    assert w.engine.queue.pinned_paths() == [str(b / "song.mp3")]
    assert w.store.get_track(str(b / "song.mp3"))["plays"] == 12
    os.remove(b / "song.mp3")
    w.rescan_all()
    assert w.engine.queue.pinned_paths() == []  # gone for good: out of the queue once the scans end


def test_a_track_read_again_for_a_newer_reader_keeps_its_own_data(tmp_path, media_dir) -> None:
    """Two identical copies (same size and time), one deleted, while the other is read again for a newer tag
    reader: the one left keeps its own plays, and the deleted one is not taken for it."""
    lib, store = _library(tmp_path, media_dir)
    a = lib / "Album" / "song_a.mp3"
    twin = lib / "twin.mp3"
    shutil.copy2(a, twin)
    scan_folder(store, str(lib))
    store.update_tracks([(str(a), {"plays": 1}), (str(twin), {"plays": 9, "tags_version": 1})])
    os.remove(a)
    res = scan_folder(store, str(lib))
    assert res.moved == [] and res.updated == 1 and res.removed == 1
    assert store.get_track(str(twin))["plays"] == 9


def _two_folders(tmp_path: Path, media_dir: Path) -> tuple[Path, Path, Store]:
    a, b = tmp_path / "A", tmp_path / "B"
    (a / "Album").mkdir(parents=True)
    b.mkdir()
    for name in ("song_a.mp3", "song_b.flac"):
        shutil.copy2(media_dir / name, a / "Album" / name)
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(a))
    scan_folder(store, str(b))
    for name in ("song_a.mp3", "song_b.flac"):
        store.update_tracks([(str(a / "Album" / name), {"plays": 7, "quadrant": "Q4", "mood_by": "you"})])
    return a, b, store


def test_an_album_folder_moved_to_a_library_folder_scanned_first_keeps_everything(tmp_path, media_dir) -> None:
    """Its old folder is gone with it: the library folder it left is there, so it left for good (no drive
    missing)."""
    a, b, store = _two_folders(tmp_path, media_dir)
    shutil.move(str(a / "Album"), str(b / "Album"))
    roots = [str(a), str(b)]
    res = scan_folder(store, str(b), roots=roots)
    assert len(res.moved) == 2 and res.added == 0
    assert scan_folder(store, str(a), roots=roots).removed == 0
    t = store.get_track(str(b / "Album" / "song_a.mp3"))
    assert (t["plays"], t["mood_by"], store.track_count()) == (7, "you", 2)

    # the same with the library folder it was in not there (a drive not connected): nothing is taken from it
    c = tmp_path / "drive" / "Music"
    (c / "Album").mkdir(parents=True)
    shutil.copy2(media_dir / "song_c.ogg", c / "Album" / "song_c.ogg")
    scan_folder(store, str(c))
    store.update_tracks([(str(c / "Album" / "song_c.ogg"), {"plays": 3})])
    shutil.copy2(c / "Album" / "song_c.ogg", b / "song_c.ogg")  # a copy kept in B (cp -a)
    shutil.rmtree(tmp_path / "drive")  # the drive is unplugged
    res = scan_folder(store, str(b), roots=[*roots, str(c)])
    assert res.moved == [] and res.added == 1
    assert store.get_track(str(c / "Album" / "song_c.ogg"))["plays"] == 3  # still its own, for when it is back


def test_a_file_edited_in_place_keeps_its_data_and_an_older_copy_of_it_is_a_new_track(tmp_path, media_dir) -> None:
    import mutagen

    lib = tmp_path / "lib"
    lib.mkdir()
    song = Path(shutil.copy2(media_dir / "song_a.mp3", lib / "song.mp3"))
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(lib))
    store.update_tracks([(str(song), {"plays": 30, "quadrant": "Q4", "mood_by": "you"})])
    keepsake = lib / "song (original).mp3"
    shutil.copy2(song, keepsake)  # cp -a before the edit: the old size and time
    f = mutagen.File(str(song), easy=True)
    f["title"] = "Morning Run (remaster)"
    f.save()
    os.utime(song, (time.time() + 5, time.time() + 5))
    res = scan_folder(store, str(lib))
    assert res.moved == [] and (res.added, res.updated) == (1, 1)
    t = store.get_track(str(song))
    assert (t["plays"], t["mood_by"], t["title"]) == (30, "you", "Morning Run (remaster)")
    assert store.get_track(str(keepsake)).get("plays") is None


def test_a_cancelled_scan_forgets_no_renumbered_song(tmp_path, media_dir) -> None:
    from tests.media import encode, tone, write_wav

    lib = tmp_path / "lib"
    lib.mkdir()
    one, two, three = lib / "01.mp3", lib / "02.mp3", lib / "03.mp3"
    shutil.copy2(media_dir / "song_a.mp3", one)
    encode(write_wav(tmp_path / "t.wav", tone(3.0, 660.0)), two)
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(lib))
    store.update_tracks([(str(one), {"plays": 10, "quadrant": "Q1"}), (str(two), {"plays": 1, "quadrant": "Q3"})])
    os.rename(two, three)
    os.rename(one, two)
    assert scan_folder(store, str(lib), batch_size=1, cancel=lambda: True).cancelled  # stopped after 02
    scan_folder(store, str(lib))
    assert (store.get_track(str(two))["plays"], store.get_track(str(three))["plays"]) == (10, 1)


def test_a_play_counted_while_a_rename_is_scanned_reaches_the_track(media_window, tmp_path, media_dir,
                                                                     monkeypatch) -> None:
    """The player still holds the old name until the scan ends; a play that ends after the move was written
    reaches the track under its new name, and so does the listening history."""
    import functools

    from library import scanner
    from ui import main_window

    w = media_window
    folder = tmp_path / "q"
    folder.mkdir()
    shutil.copy2(media_dir / "song_a.mp3", folder / "a.mp3")
    w.add_folder(str(folder))
    old, new = str(folder / "a.mp3"), str(folder / "a renamed.mp3")
    w.engine.play_path(old)
    os.rename(old, new)
    shutil.copy2(media_dir / "song_b.flac", folder / "b new.flac")  # read after the renamed one
    real = scanner._read_one

    def read(item):
        if item[0].endswith("b new.flac"):
            w._count_play(old, 1.0, False)  # the playing track ends now
            history.record(w.store, old, 1.0, False, liked=True)
        return real(item)

    monkeypatch.setattr(scanner, "_read_one", read)
    monkeypatch.setattr(main_window, "scan_folder", functools.partial(scanner.scan_folder, batch_size=1))
    w.scan(str(folder))
    assert w.engine.current == new and w.store.get_track(new)["plays"] == 1
    assert [r["path"] for r in w.store.rows(history.TABLE)] == [new]


def test_a_renamed_track_is_not_lost_to_a_trashed_twin_and_old_memories_expire(tmp_path, media_dir) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    one, two = lib / "one.mp3", lib / "two.mp3"
    shutil.copy2(media_dir / "song_a.mp3", one)
    shutil.copy2(one, two)  # two copies, the same size and time
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(lib))
    store.update_tracks([(str(one), {"plays": 1}), (str(two), {"plays": 8})])
    track_memory.remember(store, [store.get_track(str(one))], track_memory.TRASH)  # one goes to the trash
    store.remove_tracks([str(one)])
    os.remove(one)
    os.rename(two, lib / "02 two.mp3")
    scan_folder(store, str(lib))
    assert store.get_track(str(lib / "02 two.mp3"))["plays"] == 8  # the one that left in this scan

    new = Path(shutil.copy2(media_dir / "song_b.flac", lib / "x.flac"))
    nst = new.stat()
    store.insert_rows(track_memory.DEPARTED, [{"path": "/elsewhere/y.flac", "size": nst.st_size, "mtime": nst.st_mtime,
                                               "why": "gone", "left_at": time.time() - 200 * 86400, "plays": 3}])
    scan_folder(store, str(lib))
    assert store.get_track(str(new)).get("plays") is None  # remembered 200 days ago: forgotten


def test_the_window_follows_an_album_folder_moved_to_an_earlier_library_folder(media_window, tmp_path,
                                                                                media_dir) -> None:
    w = media_window
    a, b = tmp_path / "A", tmp_path / "B"
    (a / "Album").mkdir(parents=True)
    b.mkdir()
    song = a / "Album" / "song.mp3"
    shutil.copy2(media_dir / "song_a.mp3", song)
    w.add_folder(str(b))  # B comes first
    w.add_folder(str(a))
    w.store.update_tracks([(str(song), {"plays": 12, "quadrant": "Q4", "mood_by": "you"})])
    w.engine.queue.add([str(song)])
    shutil.move(str(a / "Album"), str(b / "Album"))
    w.rescan_all()
    moved = str(b / "Album" / "song.mp3")
    assert (w.engine.queue.pinned_paths(), w.store.get_track(moved)["plays"]) == ([moved], 12)


def test_a_library_folder_removed_and_added_again_gets_its_tracks_back(media_window, tmp_path, media_dir) -> None:
    from ui import desktop

    w = media_window
    folder = tmp_path / "removed"
    folder.mkdir()
    song = Path(shutil.copy2(media_dir / "song_b.flac", folder / "song.flac"))
    w.add_folder(str(folder))
    w.store.update_tracks([(str(song), {"plays": 6, "quadrant": "Q3", "mood_by": "you"})])
    desktop.update_folders(w, [f for f in w.library_folders() if f != str(folder)])  # Settings: Remove, OK
    assert w.store.get_track(str(song)) is None and song.exists()
    w.add_folder(str(folder))  # added back
    t = w.store.get_track(str(song))
    assert (t["plays"], t["quadrant"], t["mood_by"]) == (6, "Q3", "you")
