"""The main window offscreen: builds, filters, reorders the queue, plays on double-click, keeps its state."""

import pytest
from PySide6.QtCore import QMimeData, Qt

from library.scanner import scan_folder
from library.store import Store
from player.backend import NullBackend
from player.engine import PlayerEngine
from ui.main_window import MainWindow, scan_message, tagging_rate_text
from ui.queue_model import MIME
from ui.workers import SyncPool, set_pool


@pytest.fixture
def window(qtbot, media_dir, tmp_path):
    set_pool(SyncPool())
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(media_dir))
    backend = NullBackend(length_ms=60_000)
    w = MainWindow(store, PlayerEngine(backend), auto_tag=False)
    qtbot.addWidget(w)
    w.show()
    yield w
    set_pool(None)


def test_builds_with_library_and_problems(window):
    assert window.library.rowCount() >= 6
    assert window.filter.rowCount() == window.library.rowCount()
    assert window.tabs.tabText(1).startswith("Problems (")
    assert window.problems.rowCount() >= 4
    headers = [window.library.headerData(c, Qt.Orientation.Horizontal) for c in range(window.library.columnCount())]
    assert {"Valence", "Arousal", "Mood"} <= set(headers), "mood columns exist from the start"


def test_filter_narrows_rows(window, qtbot):
    total = window.filter.rowCount()
    qtbot.keyClicks(window.filter_edit, "quiet band")
    assert window.filter.rowCount() == 2 < total
    window.filter_edit.setText("ambient")
    assert window.filter.rowCount() == 1
    assert window.filter.index(0, 0).data() == "Slow River"
    window.filter_edit.clear()
    assert window.filter.rowCount() == total


def test_sort_by_column(window):
    window.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    titles = [window.filter.index(r, 0).data() for r in range(window.filter.rowCount())]
    assert titles == sorted(titles, key=str.casefold)


def test_double_click_plays(window, qtbot):
    row = next(r for r in range(window.filter.rowCount()) if window.filter.index(r, 0).data() == "Bright Day")
    index = window.filter.index(row, 0)
    rect = window.table.visualRect(index)
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(window.engine.state_changed, timeout=3000):
        qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.engine.current.endswith("song_c.ogg")
    assert window.now_playing.title.text() == "Bright Day"
    assert window.engine.state == "playing"


def test_cover_art_shown(window, qtbot, media_dir):
    window.engine.play_path(str(media_dir / "song_a.mp3"))
    qtbot.waitUntil(lambda: window.now_playing.title.text() == "Morning Run", timeout=3000)
    assert window.now_playing.cover.pixmap().toImage().pixelColor(60, 60).red() > 150  # the embedded red cover


def test_queue_add_reorder_remove(window, media_dir):
    paths = [str(media_dir / n) for n in ("song_a.mp3", "song_b.flac", "song_c.ogg")]
    window.engine.queue.add(paths)
    window._on_queue_changed()
    model = window.queue_model
    assert model.rowCount() == 3
    foreign = QMimeData()
    foreign.setData(MIME, b"2")  # row numbers from another queue (another window): refused
    assert not model.dropMimeData(foreign, Qt.DropAction.MoveAction, 0, 0, model.index(-1))
    md = model.mimeData([model.index(2)])
    assert model.dropMimeData(md, Qt.DropAction.MoveAction, 0, 0, model.index(-1))  # drag the last to the top
    assert window.engine.queue.paths() == [paths[2], paths[0], paths[1]]
    window.queue_view.selectionModel().select(model.index(1), window.queue_view.selectionModel().SelectionFlag.Select)
    window.remove_selected_from_queue()
    assert window.engine.queue.paths() == [paths[2], paths[1]]
    window.shuffle_library()
    assert window.engine.queue.auto_count() > 0 and window.engine.queue.paths()[:2] == [paths[2], paths[1]]
    window.clear_queue()
    assert model.rowCount() == 0


def test_space_toggles_play_pause(window, qtbot, media_dir):
    window.engine.play_path(str(media_dir / "song_b.flac"))
    qtbot.waitUntil(lambda: window.engine.state == "playing", timeout=3000)
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.engine.state == "paused", timeout=3000)


def test_state_survives_restart(window, qtbot, media_dir, tmp_path):
    window.engine.queue.add([str(media_dir / "song_b.flac")])
    window.engine.play_path(str(media_dir / "song_c.ogg"))
    qtbot.waitUntil(lambda: window.engine.state == "playing", timeout=3000)
    window.engine.seek(12_000)
    window.volume_slider.setValue(33)
    window.close()
    store = Store(tmp_path / "db.json")
    again = MainWindow(store, PlayerEngine(NullBackend(length_ms=60_000)), auto_tag=False)
    qtbot.addWidget(again)
    assert again.engine.current == str(media_dir / "song_c.ogg")
    assert again.engine.queue.paths()[0] == str(media_dir / "song_b.flac")
    assert 11_000 <= again.engine.position() <= 14_000
    assert again.volume_slider.value() == 33
    assert again.now_playing.title.text() == "Bright Day"
    assert again.time_label.text().endswith(" / 0:02")  # its length from the scan, before the player knows it


def test_added_folder_is_scanned_and_remembered(qtbot, tmp_path, media_dir):
    set_pool(SyncPool())
    store = Store(tmp_path / "db2.json")
    w = MainWindow(store, PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(w)
    w.add_folder(str(media_dir))
    assert w.library.rowCount() >= 6
    assert store.get_state("library_folders") == [str(media_dir)]
    assert "tracks" in w.count_label.text()
    set_pool(None)


def test_scan_message_names_the_folder_and_the_counts_that_matter(tmp_path, media_dir):
    """After a real scan the status bar names the folder (not its whole path) and says what changed; a rescan
    says nothing is new but still counts the broken files; a folder with nothing new and nothing broken says so."""
    store = Store(tmp_path / "db.json")
    first = scan_message(scan_folder(store, str(media_dir)).summary())
    assert first.startswith(f"Scanned {media_dir.name}: ") and str(media_dir.parent) not in first
    assert " new" in first and "0 changed" not in first and "0 removed" not in first
    again = scan_folder(store, str(media_dir)).summary()
    assert again["problems"] > 0
    assert scan_message(again) == f"Scanned {media_dir.name}: {again['files']} files ({again['problems']} problems) " \
        f"in {again['seconds']:.1f} s"
    assert "nothing changed" in scan_message({**again, "problems": 0})


def test_tagging_rate_text_says_how_long_the_rest_takes() -> None:
    assert tagging_rate_text(0, 10, 0.0) == ""
    assert tagging_rate_text(10, 100, 3.0) == "3.0 tracks/s, under a minute left"  # 30 s
    assert tagging_rate_text(100, 1000, 2.5) == "2.5 tracks/s, about 6 min left"  # 360 s
    assert tagging_rate_text(0, 20000, 2.0) == "2.0 tracks/s, about 2 h 47 min left"  # 10,000 s
    assert tagging_rate_text(50, 50, 4.0) == "4.0 tracks/s"


def _shown_titles(w) -> list[str]:
    header = w.table.horizontalHeader()
    return [w.library.headerData(header.logicalIndex(v), Qt.Orientation.Horizontal) for v in range(header.count())
            if not header.isSectionHidden(header.logicalIndex(v))]


def test_mood_column_comes_right_after_the_artist(window):
    assert _shown_titles(window)[:3] == ["Title", "Artist", "Mood"]
    # the first three columns fit a 1024-px window's library pane (~400 px), so the mood tags are in view
    header = window.table.horizontalHeader()
    assert sum(header.sectionSize(header.logicalIndex(v)) for v in range(3)) <= 360


def test_columns_hidden_from_the_header_menu_stay_hidden_after_restart(window, qtbot, tmp_path):
    from ui.table_columns import column_menu

    menu = column_menu(window.table)
    actions = {a.text(): a for a in menu.actions() if a.isCheckable()}
    assert [a.text() for a in menu.actions() if a.isCheckable() and a.isChecked()] == _shown_titles(window)
    assert not actions["Plays"].isChecked() and not actions["Last played"].isChecked(), "not shown at first"
    assert not actions["Title"].isEnabled(), "the title cannot be hidden"
    actions["Album"].setChecked(False)
    actions["Genre"].setChecked(False)
    assert "Album" not in _shown_titles(window) and "Genre" not in _shown_titles(window)
    header = window.table.horizontalHeader()
    header.moveSection(header.visualIndex(4), 0)  # Length dragged to the front
    window.table.setColumnWidth(1, 150)
    window.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    window.close()
    again = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend(length_ms=60_000)), auto_tag=False)
    qtbot.addWidget(again)
    assert _shown_titles(again)[:4] == ["Length", "Title", "Artist", "Mood"]
    assert "Album" not in _shown_titles(again) and "Genre" not in _shown_titles(again)
    assert again.table.columnWidth(1) == 150
    artists = [again.filter.index(r, 1).data() or "" for r in range(again.filter.rowCount())]
    assert artists == sorted(artists, key=str.casefold, reverse=True), "the sort is kept too"
    # shown again from the menu, and reset to the first layout
    menu = column_menu(again.table)
    next(a for a in menu.actions() if a.text() == "Album").setChecked(True)
    assert "Album" in _shown_titles(again)
    next(a for a in menu.actions() if a.text() == "Reset columns").trigger()
    assert _shown_titles(again) == ["Title", "Artist", "Mood", "Album", "Genre", "Length", "Valence", "Arousal",
                                    "Mood words"]


def test_a_layout_that_does_not_fit_the_columns_is_ignored(window):
    from PySide6.QtWidgets import QHeaderView

    from ui.table_columns import header_state, restore_header

    header = window.table.horizontalHeader()
    other = QHeaderView(Qt.Orientation.Horizontal)  # a header with no model: no columns
    assert not restore_header(header, header_state(other))
    saved = header_state(header)
    renamed = [*saved["columns"][:-1], "Something else"]
    assert not restore_header(header, {**saved, "columns": renamed}), "another version's columns"
    assert not restore_header(header, "AAAA/wAAAAAAAAAB")  # the shape of no version
    assert not restore_header(header, None)
    window.table.setColumnWidth(1, 140)
    before = _shown_titles(window)
    # the right columns but a state Qt cannot read: the header is left as it was
    assert not restore_header(header, {**saved, "state": "AAAA/wAAAAAAAAAB"})
    assert _shown_titles(window) == before and window.table.columnWidth(1) == 140
    assert header.stretchLastSection() and header.sectionsMovable()
    assert restore_header(header, saved)
    assert window.table.columnWidth(1) == 90
    header.setStretchLastSection(False)  # as an older version might have saved it
    older = header_state(header)
    header.setStretchLastSection(True)
    assert restore_header(header, older) and header.stretchLastSection(), "the code's header settings win"
    assert _shown_titles(window)[:3] == ["Title", "Artist", "Mood"]


def test_queue_saved_as_playlist_and_opened_again(window, qtbot, media_dir, tmp_path):
    file_menu = window.menuBar().actions()[0].menu()
    assert window.act_open_playlist in file_menu.actions() and window.act_save_playlist in file_menu.actions()
    assert window.act_open_playlist.shortcut().toString() == "Ctrl+O"
    assert window.act_save_playlist.shortcut().toString() == "Ctrl+S"
    names = ["song_c.ogg", "song_b.flac", "song_a.mp3"]
    window.engine.play_path(str(media_dir / names[0]))
    window.engine.queue.add([str(media_dir / n) for n in names[1:]])
    # everything in view is saved: the playing track, the queued ones, then the planned (shuffled) part
    expected = [str(media_dir / n) for n in names] + window.engine.queue.paths()[2:]
    assert window.engine.queue.auto_count() > 0
    saved = tmp_path / "lists" / "evening"
    saved.parent.mkdir()
    assert window.save_playlist(str(saved)) == len(expected)
    pl = saved.with_suffix(".m3u8")  # the extension is added
    lines = pl.read_bytes().decode("utf-8", "surrogateescape").splitlines()  # a name that is not UTF-8 is kept
    assert lines[0] == "#EXTM3U" and lines[1].startswith("#EXTINF:2,") and "Bright Day" in lines[1]
    assert [ln for ln in lines if not ln.startswith("#")] == expected
    assert window.statusBar().currentMessage() == f"Saved {len(expected)} tracks to evening.m3u8"
    window.clear_queue()
    assert window.queue_model.rowCount() == 0
    with qtbot.waitSignal(window.queue_pinned_changed):
        assert window.open_playlist(str(pl)) == len(expected)
    assert window.engine.queue.pinned_paths() == expected
    assert window.queue_model.rowCount() == len(expected)


def test_playlist_entries_outside_the_library_are_reported_not_queued(window, media_dir, tmp_path):
    stray = tmp_path / "stray.ogg"
    stray.write_bytes((media_dir / "song_c.ogg").read_bytes())
    pl = tmp_path / "mixed.m3u"
    pl.write_text(f"{media_dir / 'song_b.flac'}\nstray.ogg\ngone.mp3\nhttp://radio.example/live\n")
    assert window.open_playlist(str(pl)) == 1
    assert window.engine.queue.paths() == [str(media_dir / "song_b.flac")]
    msg = window.statusBar().currentMessage()
    assert msg == ("Queued 1 track from mixed.m3u; 1 not in your library (add their folder first); "
                   "2 not found or not local files")
    assert window.open_playlist(str(tmp_path / "none.m3u")) == 0
    assert window.statusBar().currentMessage() == "Could not open the playlist none.m3u: No such file or directory"
    assert window.engine.queue.paths() == [str(media_dir / "song_b.flac")]  # nothing lost


def test_dropped_playlist_is_queued(window, media_dir, tmp_path):
    from PySide6.QtCore import QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    pl = tmp_path / "drop.m3u8"
    pl.write_text(f"{media_dir / 'song_a.mp3'}\n")
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(pl))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert window.engine.queue.paths() == [str(media_dir / "song_a.mp3")]


def test_repeat_and_stop_after_follow_the_engine_and_repeat_is_kept(window, qtbot, tmp_path):
    playback = window.menuBar().actions()[1].menu()
    assert window.act_repeat in playback.actions() and window.act_stop_after in playback.actions()
    assert window.act_repeat.shortcut().toString() == "Ctrl+R"
    window.act_repeat.trigger()
    assert window.engine.repeat_track is True
    window.engine.set_repeat_track(False)  # from elsewhere (MPRIS): the menu follows
    assert not window.act_repeat.isChecked()
    window.act_stop_after.trigger()
    assert window.engine.stop_after_current is True
    window.engine.set_stop_after_current(False)  # the engine clears it at the track's end
    assert not window.act_stop_after.isChecked()
    window.act_repeat.trigger()
    window.close()
    again = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(again)
    assert again.engine.repeat_track is True and again.act_repeat.isChecked()
    assert again.engine.stop_after_current is False  # once only: not kept


def test_volume_keys_and_mute(window, qtbot):
    window.volume_slider.setValue(50)
    window.act_vol_up.trigger()
    assert window.volume_slider.value() == 55 and window.engine.volume == 55
    for _ in range(3):
        window.act_vol_down.trigger()
    assert window.engine.volume == 40
    assert window.act_vol_up.shortcut().toString() == "Ctrl+Up"
    window.act_mute.trigger()
    assert window.engine.volume == 0 and window.statusBar().currentMessage().startswith("Muted")
    window.act_mute.trigger()
    assert window.engine.volume == 40
    window.volume_slider.setValue(100)
    window.act_vol_up.trigger()
    assert window.engine.volume == 100  # stays in range


def test_equalizer_menu_sets_the_backend_and_is_kept(window, qtbot, tmp_path):
    playback = window.menuBar().actions()[1].menu()
    assert window.equalizer.menu.menuAction() in playback.actions()
    names = [a.text() for a in window.equalizer.menu.actions()]
    assert names == ["Off", *NullBackend.PRESETS, "", "Custom…"]  # (a separator before your own curve)
    assert window.equalizer.actions[None].isChecked()
    window.equalizer.actions["Rock"].trigger()
    assert window.engine.backend.equalizer == "Rock" and window.engine.equalizer == "Rock"
    assert window.equalizer.actions["Rock"].isChecked() and not window.equalizer.actions[None].isChecked()
    window.equalizer.choose("No such preset")  # refused: the last good one stays, and checked
    assert window.engine.backend.equalizer == "Rock" and window.equalizer.actions["Rock"].isChecked()
    assert "could not be used" in window.statusBar().currentMessage()
    window.close()
    backend = NullBackend()
    again = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(backend), auto_tag=False)
    qtbot.addWidget(again)
    assert backend.equalizer == "Rock" and again.equalizer.actions["Rock"].isChecked()
    again.equalizer.actions[None].trigger()
    assert backend.equalizer is None


def test_an_older_versions_layout_comes_back_with_the_new_columns_hidden(qtbot, window, tmp_path):
    """A layout saved before Plays and Last played existed (9 columns) keeps its order, widths and hidden
    columns; the two new ones stay hidden until picked from the header's menu."""
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QTableView

    from ui.table_columns import column_menu, header_state, restore_header

    names = [window.library.headerData(c, Qt.Orientation.Horizontal) for c in range(window.library.columnCount())]
    old_model = QStandardItemModel(0, 9)
    old_model.setHorizontalHeaderLabels(names[:9])
    old_view = QTableView()
    qtbot.addWidget(old_view)
    old_view.setModel(old_model)
    old_header = old_view.horizontalHeader()
    old_header.setSectionsMovable(True)
    old_header.moveSection(old_header.visualIndex(4), 0)  # Length first
    old_header.setSectionHidden(2, True)  # Album hidden
    old_view.setColumnWidth(1, 133)
    saved = header_state(old_header)
    assert saved["columns"] == names[:9]
    header = window.table.horizontalHeader()
    assert restore_header(header, saved)
    shown = _shown_titles(window)
    assert shown[0] == "Length" and "Album" not in shown and "Plays" not in shown and "Last played" not in shown
    assert window.table.columnWidth(1) == 133
    menu = column_menu(window.table)
    next(a for a in menu.actions() if a.text() == "Plays").setChecked(True)
    assert "Plays" in _shown_titles(window)


def test_plays_and_last_played_count_what_was_heard(window, qtbot, media_dir):
    from library import history

    song_b, song_c = str(media_dir / "song_b.flac"), str(media_dir / "song_c.ogg")
    window.engine.backend.length_ms = 400
    window.engine.play_path(song_c)
    qtbot.waitUntil(lambda: (window.library.track_for(song_c) or {}).get("plays") == 1, timeout=5000)
    t = window.library.track_for(song_c)
    assert t["last_played"] > 0 and window.store.get_track(song_c)["plays"] == 1
    col = [c for c in range(window.library.columnCount())
           if window.library.headerData(c, Qt.Orientation.Horizontal) == "Plays"][0]
    row = next(r for r in range(window.library.rowCount()) if window.library.track(r)["path"] == song_c)
    assert window.library.index(row, col).data() == "1"
    window._count_play(song_b, 0.2, True)  # skipped early: not a play
    assert window.library.track_for(song_b).get("plays") is None
    window._count_play(song_b, 0.6, True)  # skipped after more than half: a play
    assert window.library.track_for(song_b)["plays"] == 1
    # a library from before the column: its listening history seeds the counts, once
    store = window.store
    store.update_tracks([(song_b, {"plays": None, "last_played": None})])
    store.set_state("plays_seeded", False)
    for when, skipped, fraction in ((100.0, False, 1.0), (200.0, True, 0.1), (300.0, False, 1.0)):
        history.record(store, song_b, fraction, skipped, when=when)
    history.record(store, song_b, 0.0, False, liked=True, when=400.0)  # a like is not a play
    window._seed_play_counts()
    assert store.get_track(song_b)["plays"] == 2 and store.get_track(song_b)["last_played"] == 300.0
    store.update_tracks([(song_b, {"plays": None})])
    window._seed_play_counts()
    assert store.get_track(song_b).get("plays") is None, "once only"
