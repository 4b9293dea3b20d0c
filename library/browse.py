"""Browsing the library by mood, artist and album (the panes over the library table). Plain Python, no Qt.

Each pane lists the values of one field with how many tracks have it, counted over the tracks that pass the
choices made in the panes to its left; a track passes when, for every pane with a choice, its value is chosen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

FACETS = ("quadrant", "artist", "album")  # the panes, left to right
QUADRANT_ORDER = ("Q1", "Q2", "Q3", "Q4")

Choice = Mapping[str, frozenset[str] | set[str]]  # facet -> chosen values (an empty set: no choice)


def facet_value(track: Mapping, facet: str) -> str:
    """The value a track shows in a pane ("" when it has none: untagged, no artist, no album)."""
    value = track.get(facet)
    return str(value).strip() if value is not None else ""


def passes(track: Mapping, chosen: Choice, facets: Iterable[str] = FACETS) -> bool:
    return all(not chosen.get(f) or facet_value(track, f) in chosen[f] for f in facets)


def _order(facet: str, value: str) -> tuple:
    if not value:
        return (2, "")  # "none" last
    if facet == "quadrant" and value in QUADRANT_ORDER:
        return (0, QUADRANT_ORDER.index(value))
    return (1, value.casefold())


def count_panes(tracks: Iterable[Mapping], chosen: Choice,
                facets: Sequence[str] = FACETS) -> dict[str, list[tuple[str, int]]]:
    """(value, number of tracks) for every pane, in one pass over the tracks: a pane counts the tracks that pass the
    panes left of it, in display order (moods Q1-Q4, then names A-Z regardless of case, the empty value last)."""
    counters: list[Counter] = [Counter() for _ in facets]
    picks = [chosen.get(f) or None for f in facets]
    pairs = list(zip(facets, counters, picks))
    for t in tracks:
        for facet, counter, pick in pairs:
            value = t.get(facet)
            value = value.strip() if type(value) is str else ("" if value is None else str(value).strip())
            counter[value] += 1
            if pick is not None and value not in pick:
                break  # the panes to the right do not count this track
    return {f: sorted(c.items(), key=lambda kv, f=f: _order(f, kv[0])) for f, c in zip(facets, counters)}


def narrow(chosen: Choice, available: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """The choices that still exist once the panes show `available` values (a choice whose value is gone is
    dropped, so a pane never filters on something the listener cannot see)."""
    out: dict[str, frozenset[str]] = {}
    for facet, values in chosen.items():
        keep = frozenset(values) & frozenset(available.get(facet, ()))
        if keep:
            out[facet] = keep
    return out
