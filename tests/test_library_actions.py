"""The library table's track actions: jump to the playing track (Ctrl+J), open a track's folder."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from ui import library_actions


@pytest.fixture
def window(media_window):
    return media_window


def _selected_titles(window) -> list[str]:
    return [window.library.track_for(p)["title"] for p in window.selected_paths()]


def test_jump_selects_the_playing_track_and_clears_what_hides_it(window, qtbot, media_dir):
    assert not library_actions.jump_to_playing(window), "nothing plays yet"
    window.engine.play_path(str(media_dir / "sub" / "song_e.m4a"))
    titles = [window.filter.index(r, 0).data() for r in range(window.filter.rowCount())]
    window.table.selectRow(titles.index("Morning Run"))
    assert _selected_titles(window) == ["Morning Run"]
    qtbot.keyClick(window, "J", modifier=window.act_jump.shortcut()[0].keyboardModifiers())
    assert _selected_titles(window) == ["Deep Cut"]
    assert window.table.currentIndex().data() == "Deep Cut"
    window.filter_edit.setText("morning")  # hides Deep Cut
    window.browser.rebuild()
    window.browser.choose("artist", {"The Testers"})
    assert "Deep Cut" not in [window.filter.index(r, 0).data() for r in range(window.filter.rowCount())]
    window.act_jump.trigger()
    assert window.filter_edit.text() == "" and not any(window.browser.chosen.values())
    assert _selected_titles(window) == ["Deep Cut"]
    assert "Cleared the filter" in window.statusBar().currentMessage()


def test_jump_from_the_problems_tab_shows_the_library(window, media_dir):
    window.engine.play_path(str(media_dir / "song_b.flac"))
    window.tabs.setCurrentIndex(1)
    window.act_jump.trigger()
    assert window.tabs.currentIndex() == 0 and _selected_titles(window) == ["Slow River"]


def test_jump_says_so_when_the_playing_file_is_not_in_the_library(window, tmp_path):
    window.engine.play_path(str(tmp_path / "elsewhere.ogg"))
    assert not library_actions.jump_to_playing(window)
    assert "Nothing from the library" in window.statusBar().currentMessage()


class _Catcher(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_the_folder_of_the_selected_track(window, media_dir):
    catcher = _Catcher()
    QDesktopServices.setUrlHandler("file", catcher, "open")
    try:
        row = [window.filter.index(r, 0).data() for r in range(window.filter.rowCount())].index("Deep Cut")
        window.table.selectRow(row)
        assert window.act_open_folder in window.table.actions()
        window.act_open_folder.trigger()
        assert [u.toLocalFile() for u in catcher.urls] == [str(media_dir / "sub")]
    finally:
        QDesktopServices.unsetUrlHandler("file")


def test_library_tracks_dragged_to_a_place_in_the_queue(window, media_dir):
    from PySide6.QtCore import QModelIndex, Qt

    from ui.queue_model import LIBRARY_MIME

    assert window.table.dragEnabled()
    window.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # Bright Day, ..., Slow River, ...
    titles = [window.filter.index(r, 0).data() for r in range(window.filter.rowCount())]
    picked = [window.filter.index(titles.index(t), 2) for t in ("Slow River", "Bright Day")]
    assert all(window.filter.flags(i) & Qt.ItemFlag.ItemIsDragEnabled for i in picked)
    data = window.filter.mimeData(picked)
    assert data.hasFormat(LIBRARY_MIME)
    assert [u.toLocalFile() for u in data.urls()] == [str(media_dir / "song_c.ogg"), str(media_dir / "song_b.flac")]
    q = window.engine.queue
    q.add([str(media_dir / "song_a.mp3")])
    window.shuffle_library()  # an automatic part after the pinned track
    auto_before = q.auto_count()
    model = window.queue_model
    assert model.canDropMimeData(data, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    assert model.dropMimeData(data, Qt.DropAction.CopyAction, 1, 0, QModelIndex())
    assert q.paths()[:3] == [str(media_dir / n) for n in ("song_a.mp3", "song_c.ogg", "song_b.flac")]
    assert q.pinned_paths()[:3] == q.paths()[:3], "dropped by hand: pinned, after the track queued before"
    assert q.auto_count() == auto_before
    assert model.rowCount() == len(q.items)
    assert f"({len(q.pinned_paths())} queued" in window.queue_title.text(), "the title counts the drop"
    q.set_auto([str(media_dir / "song_d.wav")])
    window._on_queue_changed()
    pinned = len(q.pinned_paths())
    assert model.dropMimeData(data, Qt.DropAction.CopyAction, -1, 0, QModelIndex())  # under the last row
    assert q.pinned_paths() == q.paths()[:pinned + 2] and q.auto_count() == 1, "like Add to queue: plan kept"


def test_a_drop_of_tracks_not_in_the_library_is_refused(window, media_dir):
    from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, Qt

    from ui.queue_model import LIBRARY_MIME, encode_paths

    data = QMimeData()
    data.setData(LIBRARY_MIME, QByteArray(encode_paths(["/etc", "/nowhere/x.ogg"])))
    assert not window.queue_model.dropMimeData(data, Qt.DropAction.CopyAction, 0, 0, QModelIndex())
    data.setData(LIBRARY_MIME, QByteArray(encode_paths(["/etc", str(media_dir / "song_b.flac")])))
    assert window.queue_model.dropMimeData(data, Qt.DropAction.CopyAction, 0, 0, QModelIndex())
    assert window.engine.queue.paths() == [str(media_dir / "song_b.flac")], "only the library's track"


def test_a_dropped_name_that_is_not_utf8_survives():
    from ui.queue_model import decode_paths, encode_paths

    odd = os.fsdecode(b"/music/caf\xe9.mp3")
    assert decode_paths(encode_paths([odd, "/music/b.ogg"])) == [odd, "/music/b.ogg"]
