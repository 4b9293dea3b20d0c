"""Move to the trash (Delete in the library table): real files go to a freedesktop.org trash, and the library,
the store and the queue forget them; what cannot be moved stays, with its reason under Problems."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ui import library_actions


@pytest.fixture
def music(tmp_path, media_dir, monkeypatch) -> Path:
    """A private copy of the test media (these tests delete files), and a home + data dir on the same file
    system, so the trash is $XDG_DATA_HOME/Trash as on a desktop."""
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    folder = tmp_path / "music"
    shutil.copytree(media_dir, folder, ignore=shutil.ignore_patterns("broken"))
    return folder


@pytest.fixture
def window(qtbot, music, tmp_path):
    from tests.conftest import scanned_window
    from ui.workers import SyncPool, set_pool

    set_pool(SyncPool())
    yield scanned_window(qtbot, music, tmp_path / "db.json")
    set_pool(None)


def _select(window, *titles: str) -> None:
    from PySide6.QtCore import QItemSelectionModel

    shown = [window.filter.index(r, 0).data() for r in range(window.filter.rowCount())]
    sel = window.table.selectionModel()
    sel.clearSelection()
    for t in titles:
        sel.select(window.filter.index(shown.index(t), 0),
                   QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def _titles(window) -> set[str]:
    return {t["title"] for t in window.library.rows()}


def test_delete_moves_the_selected_files_to_the_trash_and_the_library_forgets_them(window, music, tmp_path, qtbot):
    from library.store import Store

    asked = []
    window.confirm = lambda text: asked.append(text) or True
    playing, other = music / "song_b.flac", music / "sub" / "song_e.m4a"
    keep = music / "song_a.mp3"
    window.engine.queue.add([str(other), str(keep)])
    window.engine.play_path(str(playing))
    qtbot.waitUntil(lambda: window.engine.state == "playing", timeout=5000)
    _select(window, "Slow River", "Deep Cut")
    assert window.act_trash in window.table.actions()
    window.table.setFocus()
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.keyClick(window.table, Qt.Key.Key_Delete)
    assert len(asked) == 1 and "these 2 files" in asked[0]
    assert not playing.exists() and not other.exists() and keep.exists()
    trash = tmp_path / "home" / "data" / "Trash"
    assert sorted(p.name for p in (trash / "files").iterdir()) == ["song_b.flac", "song_e.m4a"]
    info = (trash / "info" / "song_e.m4a.trashinfo").read_text()
    assert f"Path={other}" in info, "restorable: the trash knows where it came from"
    assert not {"Slow River", "Deep Cut"} & _titles(window)
    assert window.filter.rowCount() == len(window.library.rows())
    assert window.engine.current == str(keep), "the next track comes up"
    qtbot.waitUntil(lambda: window.engine.state == "playing", timeout=5000)
    assert str(other) not in window.engine.queue.paths()
    window.store.close()
    on_disk = {t["path"] for t in Store(tmp_path / "db.json").all_tracks()}
    assert str(playing) not in on_disk and str(other) not in on_disk and str(keep) in on_disk
    assert "Moved 2 files to the trash" in window.statusBar().currentMessage()


def test_nothing_moves_unless_the_listener_says_yes(window, music):
    window.confirm = lambda text: False
    _select(window, "Slow River")
    assert library_actions.move_selected_to_trash(window) == 0
    assert (music / "song_b.flac").exists() and "Slow River" in _titles(window)


def test_a_paused_track_moved_away_leaves_the_next_one_paused(window, music, qtbot):
    window.confirm = lambda text: True
    window.engine.queue.add([str(music / "song_a.mp3")])
    window.engine.play_path(str(music / "song_b.flac"))
    qtbot.waitUntil(lambda: window.engine.state == "playing", timeout=5000)
    window.engine.pause()
    qtbot.waitUntil(lambda: window.engine.state == "paused", timeout=5000)
    _select(window, "Slow River")
    assert library_actions.move_selected_to_trash(window) == 1
    assert window.engine.current == str(music / "song_a.mp3")
    qtbot.wait(300)
    assert window.engine.state != "playing", "it waits for the listener"


def test_a_file_that_cannot_be_moved_stays_with_its_reason(window, music, tmp_path, monkeypatch, qtbot):
    window.confirm = lambda text: True
    blocker = tmp_path / "home" / "blocker"
    blocker.write_text("a file where the trash's folder would go")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))
    (music / "song_a.mp3").unlink()  # already gone: simply forgotten
    _select(window, "Slow River", "Morning Run")
    with qtbot.captureExceptions():
        moved = library_actions.move_selected_to_trash(window)
    assert moved == 0
    assert (music / "song_b.flac").exists() and "Slow River" in _titles(window)
    assert "Morning Run" not in _titles(window), "the vanished file is forgotten"
    assert "1 was gone already" in window.statusBar().currentMessage()
    problems = window.store.problems("trash")
    assert [p["path"] for p in problems] == [str(music / "song_b.flac")] and problems[0]["reason"]
    assert "1 not moved (song_b.flac:" in window.statusBar().currentMessage()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    _select(window, "Slow River")
    assert library_actions.move_selected_to_trash(window) == 1
    assert not window.store.problems("trash"), "moved at last: its problem is gone too"


def test_previous_does_not_go_back_to_a_trashed_track_and_no_skip_is_recorded(window, music, qtbot):
    window.confirm = lambda text: True
    trashed, keep = str(music / "song_b.flac"), str(music / "song_a.mp3")
    finished = []
    window.engine.track_finished.connect(lambda p, f, s: finished.append(p))
    window.engine.queue.add([keep])
    window.engine.play_path(trashed)
    qtbot.waitUntil(lambda: window.engine.state == "playing", timeout=5000)
    _select(window, "Slow River")
    assert library_actions.move_selected_to_trash(window) == 1
    assert window.engine.current == keep and trashed not in finished, "trashing is no skip"
    window.engine.previous()
    assert window.engine.current == keep, "nothing to go back to"


def test_a_file_whose_folder_is_gone_stays_in_the_library(window, music):
    """A drive that is not connected: its tracks are not forgotten as if they were trashed."""
    window.confirm = lambda text: True
    sub = music / "sub"
    shutil.rmtree(sub)
    _select(window, "Deep Cut")
    assert library_actions.move_selected_to_trash(window) == 0
    assert "Deep Cut" in _titles(window)
    assert "is its drive connected" in window.store.problems("trash")[0]["reason"]


def test_a_name_that_is_not_utf8_goes_to_the_trash_too(window, music, tmp_path):
    import os

    from library.scanner import scan_folder

    raw = os.path.join(os.fsencode(music), b"caf\xe9.ogg")
    with open(raw, "wb") as fh:
        fh.write((music / "song_c.ogg").read_bytes())
    scan_folder(window.store, str(music))
    window.library.set_rows(window.store.all_tracks())
    path = os.fsdecode(raw)
    assert window.library.track_for(path) is not None
    moved, gone, kept = library_actions.trash_files([path])
    assert (moved, gone, kept) == ([path], [], [])
    assert not os.path.lexists(raw)
    trash = tmp_path / "home" / "data" / "Trash"
    assert os.listdir(os.fsencode(trash / "files")) == [b"caf\xe9.ogg"]
    info = (trash / "info").joinpath(os.fsdecode(b"caf\xe9.ogg.trashinfo")).read_bytes()
    assert b"Path=" + os.fsencode(music) + b"/caf%E9.ogg\n" in info, info
    with open(raw, "wb") as fh:  # the same name again: the trash keeps both
        fh.write(b"x")
    assert library_actions.trash_files([path])[0] == [path]
    assert sorted(os.listdir(os.fsencode(trash / "files"))) == [b"caf\xe9.ogg", b"caf\xe9.ogg.2"]
    long = os.path.join(os.fsencode(music), b"\xe9" * 251 + b".ogg")  # the longest name a folder takes
    with open(long, "wb") as fh:
        fh.write(b"x")
    assert library_actions.trash_files([os.fsdecode(long)])[0] == [os.fsdecode(long)]
    assert not os.path.lexists(long)


def test_a_trash_inside_a_library_folder_is_not_scanned(tmp_path, monkeypatch):
    """The library folder is the home folder, or a drive whose trash is <drive>/.Trash-<uid>."""
    from library.scanner import iter_media_files

    home = tmp_path / "home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    for folder in (home / ".local" / "share" / "Trash" / "files", home / ".Trash-1000" / "files",
                   home / ".Trash" / "1000" / "files", home / "Music"):
        folder.mkdir(parents=True)
        (folder / "a.ogg").write_bytes(b"OggS")
    (home / "Music" / ".Trash-2019 mixes").mkdir()  # a music folder, not a trash
    (home / "Music" / ".Trash-2019 mixes" / "b.ogg").write_bytes(b"OggS")
    (home / "Music" / "Recently deleted").symlink_to(home / ".local" / "share" / "Trash" / "files")
    assert [p for p, _ in iter_media_files(str(home))] == [str(home / "Music" / "a.ogg"),
                                                          str(home / "Music" / ".Trash-2019 mixes" / "b.ogg")]
    assert list(iter_media_files(str(home / ".local" / "share" / "Trash" / "files"))) == []


def test_a_file_restored_from_the_trash_comes_back_with_its_plays_and_mood(window, music, tmp_path):
    import os

    from emotion.tagger import needs_tag
    from library import history
    from library.mood_edits import mood_fields
    from library.track_memory import DEPARTED

    window.confirm = lambda text: True
    song = music / "song_c.ogg"
    track = window.store.get_track(str(song))
    gathered = {"plays": 4, "last_played": 123.0, "tag_key": f"{track['size']}:{track['mtime']}:m1",
                "model_version": "m1", **mood_fields({**track, "quadrant": "Q2", "valence": -0.5, "arousal": 0.5},
                                                     "Q4")}
    window.store.update_tracks([(str(song), gathered)])
    window.library.set_rows(window.store.all_tracks())
    history.record(window.store, str(song), 1.0, False, liked=True)
    added = track["added"]
    _select(window, "Bright Day")
    assert library_actions.move_selected_to_trash(window) == 1
    assert window.store.get_track(str(song)) is None and len(window.store.rows(DEPARTED)) == 1

    os.rename(tmp_path / "home" / "data" / "Trash" / "files" / "song_c.ogg", song)  # restored by the file manager
    (tmp_path / "home" / "data" / "Trash" / "info" / "song_c.ogg.trashinfo").unlink()
    window.scan(str(music))
    back = window.store.get_track(str(song))
    assert back["plays"] == 4 and back["added"] == added and back["quadrant"] == "Q4" and back["mood_by"] == "you"
    assert back["tagger_mood"]["quadrant"] == "Q2" and not needs_tag(back, "m1")
    assert window.store.rows(DEPARTED) == []  # remembered once
    assert "1 back from the trash" in window.statusBar().currentMessage()
    assert "Bright Day" in _titles(window)

    # a copy of it (the same size and time) is a new track: the restored one is still there
    shutil.copy2(song, music / "copy.ogg")
    window.scan(str(music))
    assert window.store.get_track(str(music / "copy.ogg")).get("plays") is None
    assert window.store.get_track(str(song))["plays"] == 4


def test_the_trash_remembers_the_stores_record_and_a_newer_files_likes_stay_with_it(window, music, tmp_path):
    import os

    from emotion.tagger import needs_tag, tag_key_for
    from library import history
    from tests.media import encode, tone, write_wav

    window.confirm = lambda text: True
    song = music / "song_c.ogg"
    key = tag_key_for(window.store.get_track(str(song)), "m1")
    window.store.update_tracks([(str(song), {"tag_error_key": key, "tag_error": "could not decode"})])  # tagger
    history.record(window.store, str(song), 1.0, False, liked=False)
    _select(window, "Bright Day")
    assert library_actions.move_selected_to_trash(window) == 1
    encode(write_wav(tmp_path / "n.wav", tone(3.0, 550.0)), song)  # a better copy saved under the old name
    window.scan(str(music))
    history.record(window.store, str(song), 1.0, False, liked=True)  # and liked
    restored = music / "song_c (old).ogg"
    os.rename(tmp_path / "home" / "data" / "Trash" / "files" / "song_c.ogg", restored)
    window.scan(str(music))
    assert not needs_tag(window.store.get_track(str(restored)), "m1")  # its failure is remembered: not tried again
    likes = {(r["path"], r["liked"]) for r in window.store.rows(history.TABLE) if "liked" in r}
    assert likes == {(str(restored), False), (str(song), True)}
