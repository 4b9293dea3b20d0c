"""Saved filters: kept in the store under a name, picked again with one click from the button beside the filter."""

from __future__ import annotations

import pytest

from library import saved_filters
from library.saved_filters import EXAMPLES, SavedFilter
from library.store import Store


def test_saving_replacing_removing_and_what_a_damaged_state_gives(tmp_path) -> None:
    store = Store(tmp_path / "db.json")
    assert saved_filters.load(store) == list(EXAMPLES)  # a library that never saved one
    filters = saved_filters.add([], "  Loud  rock ", "genre:rock  bitrate:>256")
    assert filters == [SavedFilter("Loud rock", "genre:rock bitrate:>256")]
    filters = saved_filters.add(filters, "Quiet", "mood:q4")
    filters = saved_filters.add(filters, "LOUD ROCK", "genre:metal")  # same name: replaced in its place
    assert filters == [SavedFilter("LOUD ROCK", "genre:metal"), SavedFilter("Quiet", "mood:q4")]
    with pytest.raises(ValueError):
        saved_filters.add(filters, "Empty", "   ")
    with pytest.raises(ValueError):
        saved_filters.add(filters, " ", "plays:0")
    saved_filters.save(store, saved_filters.remove(filters, "Quiet"))
    again = Store(tmp_path / "db.json")
    assert saved_filters.load(again) == [SavedFilter("LOUD ROCK", "genre:metal")]
    saved_filters.save(again, [])
    assert saved_filters.load(again) == []  # all removed: no examples come back
    again.set_state(saved_filters.STATE_KEY, [{"name": "ok", "query": "plays:0"}, {"name": 3}, "x", None,
                                              {"name": "OK", "query": "dup"}, {"name": "q", "query": ""}])
    assert saved_filters.load(again) == [SavedFilter("ok", "plays:0")]


def test_the_button_applies_saves_and_removes(media_window, monkeypatch) -> None:
    w = media_window
    button = w.saved_filters
    names = [a.text() for a in button.menu_.actions() if a.text()]
    assert names[: len(EXAMPLES)] == [f.name for f in EXAMPLES] and "Save this filter…" in names
    save_action = next(a for a in button.menu_.actions() if a.text() == "Save this filter…")
    assert not save_action.isEnabled()  # nothing typed

    all_rows = w.filter.rowCount()
    w.filter_edit.setText("artist:testers")
    shown = w.filter.rowCount()
    assert 0 < shown < all_rows
    monkeypatch.setattr("ui.saved_filters_menu.QInputDialog.getText",
                        lambda *a, **k: ("The Testers", True))
    button.rebuild()
    next(a for a in button.menu_.actions() if a.text() == "Save this filter…").trigger()
    assert saved_filters.load(w.store)[-1] == SavedFilter("The Testers", "artist:testers")
    assert "Saved the filter" in w.statusBar().currentMessage()

    w.filter_edit.clear()
    assert w.filter.rowCount() == all_rows
    button.rebuild()
    next(a for a in button.menu_.actions() if a.text() == "The Testers").trigger()
    assert w.filter_edit.text() == "artist:testers" and w.filter.rowCount() == shown
    button.rebuild()
    assert next(a for a in button.menu_.actions() if a.text() == "The Testers").isChecked()

    remove_menu = next(a for a in button.menu_.actions() if a.text() == "Remove").menu()
    next(a for a in remove_menu.actions() if a.text() == "Never played").trigger()
    assert "Never played" not in [f.name for f in saved_filters.load(w.store)]
    assert not button.save_as("x", "   ")  # refused, with a message
    assert w.statusBar().currentMessage().startswith("Not saved:")
