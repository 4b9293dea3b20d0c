"""Browsing by mood / artist / album without Qt: counts per pane, left-to-right narrowing, stale choices dropped."""

from __future__ import annotations

from collections import Counter

from library.browse import FACETS, _order, count_panes, facet_value, narrow, passes


def facet_counts(tracks, facet, chosen):
    """One pane, by the rule's plain reading (the oracle count_panes is checked against)."""
    left = FACETS[: FACETS.index(facet)]
    counts = Counter(facet_value(t, facet) for t in tracks if passes(t, chosen, left))
    return sorted(counts.items(), key=lambda kv: _order(facet, kv[0]))


def pane(tracks, facet, chosen):
    return count_panes(tracks, chosen)[facet]


TRACKS = [
    {"path": "/1", "artist": "b band", "album": "One", "quadrant": "Q3"},
    {"path": "/2", "artist": "Alpha", "album": "One", "quadrant": "Q1"},
    {"path": "/3", "artist": "Alpha", "album": "Two", "quadrant": "Q1"},
    {"path": "/4", "artist": "", "album": None, "quadrant": None},
    {"path": "/5", "artist": "Alpha", "album": "Two", "quadrant": "Q2"},
]


def test_counts_in_display_order_with_the_empty_value_last() -> None:
    assert pane(TRACKS, "quadrant", {}) == [("Q1", 2), ("Q2", 1), ("Q3", 1), ("", 1)]
    assert pane(TRACKS, "artist", {}) == [("Alpha", 3), ("b band", 1), ("", 1)]  # case-blind A-Z
    assert pane(TRACKS, "album", {}) == [("One", 2), ("Two", 2), ("", 1)]


def test_a_pane_counts_only_what_the_panes_left_of_it_let_through() -> None:
    chosen = {"quadrant": {"Q1"}}
    assert pane(TRACKS, "artist", chosen) == [("Alpha", 2)]
    assert pane(TRACKS, "album", chosen) == [("One", 1), ("Two", 1)]
    chosen = {"quadrant": {"Q1", "Q2"}, "artist": {"Alpha"}}
    assert pane(TRACKS, "album", chosen) == [("One", 1), ("Two", 2)]
    # a pane's own choice and the choices right of it do not narrow it
    assert pane(TRACKS, "quadrant", {"quadrant": {"Q1"}, "artist": {"b band"}}) == \
        pane(TRACKS, "quadrant", {})


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
    for chosen in ({}, {"quadrant": {"Q1"}}, {"artist": {"Alpha"}, "album": {"Two"}}, {"quadrant": {"Q9"}},
                   {"quadrant": {"Q1", "Q3"}, "artist": {"b band", "Alpha"}}):
        assert count_panes(TRACKS, chosen) == {f: facet_counts(TRACKS, f, chosen) for f in FACETS}
