"""Browsing by mood / artist / album without Qt: counts per pane, left-to-right narrowing, stale choices dropped."""

from __future__ import annotations

from library.browse import facet_counts, narrow, passes

TRACKS = [
    {"path": "/1", "artist": "b band", "album": "One", "quadrant": "Q3"},
    {"path": "/2", "artist": "Alpha", "album": "One", "quadrant": "Q1"},
    {"path": "/3", "artist": "Alpha", "album": "Two", "quadrant": "Q1"},
    {"path": "/4", "artist": "", "album": None, "quadrant": None},
    {"path": "/5", "artist": "Alpha", "album": "Two", "quadrant": "Q2"},
]


def test_counts_in_display_order_with_the_empty_value_last() -> None:
    assert facet_counts(TRACKS, "quadrant", {}) == [("Q1", 2), ("Q2", 1), ("Q3", 1), ("", 1)]
    assert facet_counts(TRACKS, "artist", {}) == [("Alpha", 3), ("b band", 1), ("", 1)]  # case-blind A-Z
    assert facet_counts(TRACKS, "album", {}) == [("One", 2), ("Two", 2), ("", 1)]


def test_a_pane_counts_only_what_the_panes_left_of_it_let_through() -> None:
    chosen = {"quadrant": {"Q1"}}
    assert facet_counts(TRACKS, "artist", chosen) == [("Alpha", 2)]
    assert facet_counts(TRACKS, "album", chosen) == [("One", 1), ("Two", 1)]
    chosen = {"quadrant": {"Q1", "Q2"}, "artist": {"Alpha"}}
    assert facet_counts(TRACKS, "album", chosen) == [("One", 1), ("Two", 2)]
    # a pane's own choice and the choices right of it do not narrow it
    assert facet_counts(TRACKS, "quadrant", {"quadrant": {"Q1"}, "artist": {"b band"}}) == \
        facet_counts(TRACKS, "quadrant", {})


def test_passes_needs_every_chosen_pane() -> None:
    chosen = {"artist": {"Alpha"}, "album": {"Two"}}
    assert [t["path"] for t in TRACKS if passes(t, chosen)] == ["/3", "/5"]
    assert [t["path"] for t in TRACKS if passes(t, {"artist": {""}})] == ["/4"]  # "no artist" is a choice too
    assert all(passes(t, {"artist": set()}) for t in TRACKS)  # an empty choice filters nothing


def test_narrow_drops_choices_that_are_no_longer_shown() -> None:
    chosen = {"quadrant": {"Q1"}, "artist": {"b band", "Alpha"}, "album": {"Gone"}}
    shown = {"quadrant": ["Q1", "Q2"], "artist": ["Alpha"], "album": ["One", "Two"]}
    assert narrow(chosen, shown) == {"quadrant": frozenset({"Q1"}), "artist": frozenset({"Alpha"})}


def test_count_panes_in_one_pass_equals_pane_by_pane() -> None:
    from library.browse import FACETS, count_panes

    for chosen in ({}, {"quadrant": {"Q1"}}, {"artist": {"Alpha"}, "album": {"Two"}}, {"quadrant": {"Q9"}},
                   {"quadrant": {"Q1", "Q3"}, "artist": {"b band", "Alpha"}}):
        assert count_panes(TRACKS, chosen) == {f: facet_counts(TRACKS, f, chosen) for f in FACETS}
