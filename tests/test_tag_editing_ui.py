"""Editing tags from the library table: the dialog's changes, the files written off the GUI thread (a synchronous
pool here), the library and store updated, mood tags kept, failures listed under Problems."""

from __future__ import annotations

import os
import shutil

import pytest

from emotion.tagger import loudness_key, needs_loudness, needs_tag, tag_key_for
from library.scanner import scan_folder
from library.store import Store
from library.tags import read_tags
from player.backend import NullBackend
from player.engine import PlayerEngine
from tests.media import GOOD
from ui.main_window import MainWindow
from ui.tag_editor import TagEditor
from ui.workers import SyncPool, set_pool


@pytest.fixture
def window(qtbot, media_dir, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    for name in [g[0] for g in GOOD] + ["clip.mp4"]:  # a private copy: these tests write to the files
        (lib / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(media_dir / name, lib / name)
    set_pool(SyncPool())
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(lib))
    w = MainWindow(store, PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    w.lib = lib
    yield w
    set_pool(None)


def test_dialog_changes_for_one_and_for_several_tracks(qtbot):
    one = TagEditor([{"path": "/a.ogg", "title": "A", "artist": "Band", "album": "X", "genre": "Pop"}])
    qtbot.addWidget(one)
    assert one.changes() == {}
    one.fields["title"].setText("A (live)")
    one.fields["genre"].setText("")
    assert one.changes() == {"title": "A (live)", "genre": ""}
    several = TagEditor([{"title": "A", "artist": "Band", "album": "X"}, {"title": "B", "artist": "Other",
                                                                          "album": "X"}])
    qtbot.addWidget(several)
    assert several.windowTitle() == "Edit tags of 2 tracks"
    assert several.fields["artist"].text() == "" and "several values" in several.fields["artist"].placeholderText()
    assert several.changes() == {}  # untouched "several values" fields stay as they are
    several.fields["album"].setText("Y")
    several.fields["artist"].setText("Both")
    several.fields["artist"].setModified(True)  # typed into
    several.fields["title"].setText("One title for all")  # not offered for several tracks
    assert several.changes() == {"album": "Y", "artist": "Both"}


def test_dialog_numbers_and_year(qtbot):
    from PySide6.QtWidgets import QFormLayout

    one = TagEditor([{"path": "/a.ogg", "title": "A", "track_no": 3, "disc_no": None, "year": 2003}])
    qtbot.addWidget(one)
    assert one.fields["track_no"].text() == "3" and one.fields["year"].text() == "2003"
    assert one.changes() == {}
    one.fields["year"].setText("19")
    one.accept()  # a year of 19 is a typo: the dialog stays open and says so
    assert one.result() != TagEditor.DialogCode.Accepted and "Year" in one.error.text()
    one.fields["year"].setText("1999")
    one.fields["track_no"].setText("4")
    assert one.changes() == {"year": "1999", "track_no": "4"}
    one.accept()
    assert one.result() == TagEditor.DialogCode.Accepted
    several = TagEditor([{"title": "A", "track_no": 1, "year": 2003}, {"title": "B", "track_no": 2, "year": 2003}])
    qtbot.addWidget(several)
    shown = [several.findChild(QFormLayout).itemAt(r, QFormLayout.ItemRole.LabelRole).widget().text()
             for r in range(several.findChild(QFormLayout).rowCount())]
    assert "Track number" not in shown and "Title" not in shown and "Year" in shown and "Album artist" in shown
    assert several.fields["year"].text() == "2003"


def test_edit_writes_files_updates_library_and_keeps_mood_tags(window):
    song_a, song_c = str(window.lib / "song_a.mp3"), str(window.lib / "song_c.ogg")
    version = "audio-test-1"
    for p in (song_a, song_c):  # as if the tagger had tagged them
        t = window.store.get_track(p)
        mood = {"valence": 0.4, "arousal": 0.2, "quadrant": "Q1", "model_version": version,
                "tag_key": tag_key_for(t, version), "loudness": -12.0, "loudness_key": loudness_key(t)}
        window.store.update_tracks([(p, mood)])
        window.library.update_fields([(p, mood)])
    shown = []
    window.statusBar().messageChanged.connect(shown.append)
    window.edit_tags([song_a, song_c], {"album": "Edited", "genre": "Folk"})
    assert "Saving tags: 1 of 2 tracks done…" in shown  # progress while a batch is written
    for p in (song_a, song_c):
        assert read_tags(p)["album"] == "Edited"  # the file
        t = window.store.get_track(p)
        assert t["album"] == "Edited" and t["genre"] == "Folk"  # the store
        assert t["size"] == os.stat(p).st_size and t["mtime"] == os.stat(p).st_mtime
        assert t["quadrant"] == "Q1" and not needs_tag(t, version)  # no re-tagging for a tag edit
        assert t["loudness"] == -12.0 and not needs_loudness(t, version), "nor re-measuring"
        assert window.library.track_for(p)["album"] == "Edited"  # the table
    assert window.statusBar().currentMessage() == "Saved the tags of 2 tracks"
    again = scan_folder(window.store, str(window.lib))  # the folder watcher's rescan finds nothing to redo
    assert again.updated == 0


def test_a_file_that_cannot_be_written_is_listed_with_its_reason(window):
    song_b, song_d = str(window.lib / "song_b.flac"), str(window.lib / "song_d.wav")
    os.chmod(song_b, 0o444)
    window.edit_tags([song_b, song_d], {"artist": "New"})
    assert window.store.get_track(song_b)["artist"] == "Quiet Band"  # unchanged
    assert window.store.get_track(song_d)["artist"] == "New"
    msg = window.statusBar().currentMessage()
    assert msg == "Saved the tags of 1 track; 1 not saved (song_b.flac: the file is read-only; see Problems)"
    problems = [p for p in window.store.problems() if p["path"] == song_b]
    assert problems and problems[0]["reason"] == "the file is read-only"
    os.chmod(song_b, 0o644)
    window.edit_tags([song_b], {"artist": "New"})  # fixed: the problem goes away
    assert not [p for p in window.store.problems() if p["path"] == song_b]


def test_edit_action_is_on_the_table_and_skips_videos(window):
    assert window.act_edit_tags in window.table.actions()
    row = next(r for r in range(window.filter.rowCount()) if window.filter.path_at(r).endswith("clip.mp4"))
    window.table.selectRow(row)
    window.edit_selected_tags()  # no dialog: a message instead
    assert "videos are not edited" in window.statusBar().currentMessage()
    window.table.clearSelection()
    window.edit_selected_tags()
    assert "Pick one or more audio tracks" in window.statusBar().currentMessage()


def test_the_watchers_rescan_waits_for_a_running_edit(window, qtbot):
    window._edits_running = 1  # as while an edit is being written
    scanned = []
    window.scan = scanned.append
    window._changed_roots.add(str(window.lib))
    window._rescan_changed()
    assert scanned == [] and window._rescan_timer.isActive()
    window._edits_running = 0
    window._rescan_changed()
    assert scanned == [str(window.lib)]


def test_mood_tags_are_not_carried_to_a_file_that_changed_since_its_scan(window):
    from tests.media import encode, tone, write_wav

    song_c = str(window.lib / "song_c.ogg")
    version = "audio-test-1"
    t = window.store.get_track(song_c)
    mood = {"quadrant": "Q1", "model_version": version, "tag_key": tag_key_for(t, version)}
    window.store.update_tracks([(song_c, mood)])
    window.library.update_fields([(song_c, mood)])
    # other music put in its place, the rescan not yet run
    src = write_wav(window.lib / "other.wav", tone(3.0, 880.0))
    encode(src, window.lib / "other.ogg")
    os.replace(window.lib / "other.ogg", song_c)
    src.unlink()
    window.edit_tags([song_c], {"album": "Edited"})
    t = window.store.get_track(song_c)
    assert t["album"] == "Edited" and t["size"] == os.stat(song_c).st_size
    assert needs_tag(t, version), "the new music gets its own mood tags"


def test_quitting_waits_for_a_running_edit(window):
    import time

    from PySide6.QtCore import QTimer

    window._edits_running = 1
    QTimer.singleShot(200, lambda: setattr(window, "_edits_running", 0))  # the edit's result arrives
    t0 = time.monotonic()
    window._wait_for_edits(seconds=5)
    assert window._edits_running == 0 and 0.15 < time.monotonic() - t0 < 3
    window._edits_running = 1  # one that never finishes: quitting still goes on, after the deadline
    window._wait_for_edits(seconds=0.2)
    window._edits_running = 0


def test_a_hand_set_mood_keeps_the_taggers_reading_valid_through_a_tag_edit(window):
    from library.mood_edits import back_to_tagger_fields, mood_fields

    path = str(window.lib / "song_c.ogg")
    version = "audio-test-1"
    t = window.store.get_track(path)
    tagged = {"valence": 0.4, "arousal": 0.2, "quadrant": "Q1", "model_version": version,
              "tag_key": tag_key_for(t, version)}
    hand = mood_fields({**t, **tagged}, "Q3")
    for fields in (tagged, hand):
        window.store.update_tracks([(path, fields)])
        window.library.update_fields([(path, fields)])
    window.edit_tags([path], {"album": "Edited"})
    t = window.store.get_track(path)
    assert t["quadrant"] == "Q3" and t["mood_by"] == "you"
    back = {**t, **back_to_tagger_fields(t)}
    assert back["quadrant"] == "Q1" and not needs_tag(back, version), "handed back: no pointless re-tag"
