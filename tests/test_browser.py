"""The browser panes (Mood | Artist | Album) over the library table, offscreen with real scanned files."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from library.store import Store
from player.backend import NullBackend
from player.engine import PlayerEngine
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, media_window):
    qtbot.waitUntil(lambda: media_window.browser.models["artist"].rowCount() > 1, timeout=3000)  # the first count
    return media_window


def pane(w, facet: str) -> list[str]:
    m = w.browser.models[facet]
    return [m.index(r, 0).data() for r in range(m.rowCount())]


def titles(w) -> list[str]:
    return sorted(w.filter.index(r, 0).data() for r in range(w.filter.rowCount()))


def click(qtbot, w, facet: str, row: int, ctrl: bool = False) -> None:
    view = w.browser.views[facet]
    rect = view.visualRect(view.model().index(row, 0))
    mod = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, mod, rect.center())


def test_panes_list_values_with_counts(window):
    rows = window.library.rows()
    testers = sum(1 for t in rows if t["artist"] == "The Testers")  # song_a and c, and copies of a (as root: 2)
    fixtures = sum(1 for t in rows if t["album"] == "Fixtures")
    artists = pane(window, "artist")
    assert artists[0] == "All artists (4)"
    assert artists[1:] == ["Quiet Band (2)", f"The Testers ({testers})", "Wave Maker (1)", "(no artist) (1)"]
    assert pane(window, "album") == ["All albums (4)", "B-sides (1)", f"Fixtures ({fixtures})", "Raw (1)",
                                     "(no album) (1)"]
    assert pane(window, "quadrant")[-1].startswith("(not tagged yet) (")  # nothing tagged in this library
    assert window.browser.isVisible() and window.act_browser.isChecked()


def test_clicking_an_artist_narrows_albums_and_the_table_and_all_lifts_it(window, qtbot):
    total = window.filter.rowCount()
    click(qtbot, window, "artist", pane(window, "artist").index("Quiet Band (2)"))
    assert titles(window) == ["Deep Cut", "Slow River"]
    assert pane(window, "album") == ["All albums (2)", "B-sides (1)", "Fixtures (1)"]
    assert window.count_label.text().startswith(f"2 of {total} tracks")
    click(qtbot, window, "album", 1)  # B-sides
    assert titles(window) == ["Deep Cut"]
    # a second artist with Ctrl: the album choice stays while it still exists
    click(qtbot, window, "artist", pane(window, "artist").index("Wave Maker (1)"), ctrl=True)
    assert window.browser.chosen == {"artist": frozenset({"Quiet Band", "Wave Maker"}),
                                     "album": frozenset({"B-sides"})}
    assert titles(window) == ["Deep Cut"]
    # "All artists" lifts the artist choice; albums count over everything again
    click(qtbot, window, "artist", 0)
    assert window.browser.views["artist"].selectionModel().selectedRows()[0].row() == 0
    assert pane(window, "album")[0] == "All albums (4)"
    assert titles(window) == ["Deep Cut"]  # B-sides is still chosen
    click(qtbot, window, "album", 0)
    assert window.filter.rowCount() == total and window.browser.chosen == {}


def test_an_album_choice_that_disappears_is_dropped(window, qtbot):
    click(qtbot, window, "album", pane(window, "album").index("Raw (1)"))
    assert titles(window) == ["Plain Wave"]
    click(qtbot, window, "artist", pane(window, "artist").index("Quiet Band (2)"))  # has no "Raw" album
    assert window.browser.chosen == {"artist": frozenset({"Quiet Band"})}
    assert titles(window) == ["Deep Cut", "Slow River"]
    sel = window.browser.views["album"].selectionModel().selectedRows()
    assert [i.row() for i in sel] == [0]  # the album pane shows "All" again


def test_mood_pane_follows_tagging_and_the_text_filter_combines(window, qtbot, media_dir):
    window.library.update_fields([(str(media_dir / "song_a.mp3"), {"quadrant": "Q1", "valence": 0.5,
                                                                    "arousal": 0.5})])
    qtbot.waitUntil(lambda: pane(window, "quadrant")[1:2] == ["Q1 happy / excited (1)"], timeout=5000)
    click(qtbot, window, "quadrant", 1)
    assert titles(window) == ["Morning Run"]
    assert pane(window, "artist") == ["All artists (1)", "The Testers (1)"]
    window.library.update_fields([(str(media_dir / "song_c.ogg"), {"quadrant": "Q1"})])  # tagged later
    qtbot.waitUntil(lambda: titles(window) == ["Bright Day", "Morning Run"], timeout=5000)
    window.filter_edit.setText("bright")
    assert titles(window) == ["Bright Day"]


def test_hidden_panes_filter_nothing_and_their_visibility_and_height_are_kept(window, qtbot, tmp_path):
    click(qtbot, window, "artist", pane(window, "artist").index("Wave Maker (1)"))
    assert window.filter.rowCount() == 1
    window.act_browser.trigger()  # Ctrl+B
    assert not window.browser.isVisible() and window.filter.rowCount() == window.library.rowCount()
    window.act_browser.trigger()
    assert window.filter.rowCount() == 1
    window.lib_splitter.setSizes([90, 400])
    height = window.lib_splitter.sizes()[0]
    window.act_browser.trigger()
    window.close()
    again = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(again)
    again.show()
    assert not again.act_browser.isChecked() and not again.browser.isVisible()
    again.act_browser.trigger()
    assert again.lib_splitter.sizes()[0] == height  # the listener's height, not the default


def test_choose_selects_like_a_click(window):
    window.browser.choose("artist", {"Quiet Band"})
    assert titles(window) == ["Deep Cut", "Slow River"]
    window.browser.choose("artist", set())
    assert window.browser.chosen == {}
    view = window.browser.views["artist"]
    view.selectionModel().select(view.model().index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert window.browser.chosen == {}


def test_a_recount_keeps_the_listeners_place_in_a_pane(qtbot):
    from ui.browser import BrowserPanes
    from ui.library_model import LibraryModel

    rows = [{"path": f"/m/{i}.ogg", "artist": f"Artist {i:03d}", "album": "A", "quadrant": "Q1" if i % 2 else None}
            for i in range(400)]
    lib = LibraryModel()
    lib.set_rows(rows)
    b = BrowserPanes(lib)
    qtbot.addWidget(b)
    b.resize(600, 200)
    b.show()
    b.rebuild()
    view, model = b.views["artist"], b.models["artist"]
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    view.setCurrentIndex(model.index(300, 0))
    # counts move, values stay (a track of an artist gets tagged): rows update in place
    lib.update_fields([("/m/10.ogg", {"quadrant": "Q2"})])
    b.rebuild()
    assert resets == [] and view.currentIndex().row() == 300
    # with a mood chosen, a newly tagged track brings its artist into the pane: a reset, same artist current
    b.choose("quadrant", {"Q1"})
    name = "Artist 201"
    view.setCurrentIndex(model.index(model.row_of(name), 0))
    lib.update_fields([("/m/0.ogg", {"quadrant": "Q1"})])  # "Artist 000" joins, at the top
    b.rebuild()
    assert resets and view.currentIndex().data() == f"{name} (1)"
    assert model.row_of("Artist 000") == 1


def test_picks_are_kept_across_a_restart(window, qtbot, tmp_path):
    click(qtbot, window, "artist", pane(window, "artist").index("Quiet Band (2)"))
    click(qtbot, window, "album", pane(window, "album").index("B-sides (1)"))
    assert titles(window) == ["Deep Cut"]
    window.close()
    again = MainWindow(Store(tmp_path / "db.json"), PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(again)
    assert titles(again) == ["Deep Cut"]  # filtered from the start
    again.show()
    qtbot.waitUntil(lambda: again.browser.models["artist"].rowCount() > 1, timeout=3000)
    assert again.browser.chosen == {"artist": frozenset({"Quiet Band"}), "album": frozenset({"B-sides"})}
    selected = [i.data() for i in again.browser.views["artist"].selectionModel().selectedRows()]
    assert selected == ["Quiet Band (2)"]
    # a saved pick whose value is gone (the band left the library) is dropped at the first count
    again.store.set_state("browser", {"visible": True, "chosen": {"artist": ["Gone Band"], "bogus": ["x"]}})
    third = MainWindow(again.store, PlayerEngine(NullBackend()), auto_tag=False)
    qtbot.addWidget(third)
    third.show()
    qtbot.waitUntil(lambda: third.browser.models["artist"].rowCount() > 1, timeout=3000)
    assert third.browser.chosen == {} and third.filter.rowCount() == third.library.rowCount()
