"""Files moved or renamed on disk stay the same tracks: their plays, Added date, mood tags (also a mood set by
hand), likes and place in the queue go with them, and they are not mood-tagged again."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from emotion.tagger import needs_tag
from library import history
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


def test_a_file_moved_to_another_library_folder_keeps_its_plays(tmp_path, media_dir) -> None:
    lib, store = _library(tmp_path, media_dir)
    other = tmp_path / "other"
    other.mkdir()
    scan_folder(store, str(other))
    c = lib / "Album" / "song_c.ogg"
    _gather(store, c, 5)
    moved = other / "song_c.ogg"
    shutil.move(str(c), moved)
    res = scan_folder(store, str(other))  # the new place is scanned first
    assert res.moved == [(str(c), str(moved))]
    assert store.get_track(str(moved))["plays"] == 5 and store.get_track(str(c)) is None
    assert scan_folder(store, str(lib)).removed == 0  # (already gone from the store)


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
