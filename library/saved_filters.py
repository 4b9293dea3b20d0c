"""Saved filters: library filters (see library.query) kept under a name, to pick again with one click, as saved
searches in Quod Libet or smart playlists in Strawberry. Their tracks are found anew each time, so "New this month"
stays new.

Plain Python, no Qt. They live in the store's state as a list of {"name", "query"}; a library that never saved one
starts with a few examples, which can be removed like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STATE_KEY = "saved_filters"
MAX_NAME = 80
MAX_QUERY = 500


@dataclass(frozen=True)
class SavedFilter:
    name: str
    query: str


EXAMPLES = (
    SavedFilter("New this month", "added:<30d"),
    SavedFilter("Never played", "plays:0"),
    SavedFilter("Not heard for half a year", "played:>6m"),
    SavedFilter("Happy and excited", "mood:q1"),
    SavedFilter("Calm and tender", "mood:q4"),
)


def _clean(text: Any, limit: int) -> str:
    return " ".join(str(text).split())[:limit] if isinstance(text, str) else ""


def load(store: Any) -> list[SavedFilter]:
    """The saved filters, in the listener's order (the examples when none was ever saved; damaged entries are
    left out)."""
    raw = store.get_state(STATE_KEY)
    if raw is None:
        return list(EXAMPLES)
    out: list[SavedFilter] = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict):
            name, query = _clean(entry.get("name"), MAX_NAME), _clean(entry.get("query"), MAX_QUERY)
            if name and query and all(f.name.casefold() != name.casefold() for f in out):
                out.append(SavedFilter(name, query))
    return out


def save(store: Any, filters: list[SavedFilter]) -> None:
    store.set_state(STATE_KEY, [{"name": f.name, "query": f.query} for f in filters])
    store.flush()


def add(filters: list[SavedFilter], name: str, query: str) -> list[SavedFilter]:
    """The list with this filter saved under this name: a filter of the same name (in any case) is replaced in its
    place, a new one goes last. Raises ValueError for an empty name or query."""
    name, query = _clean(name, MAX_NAME), _clean(query, MAX_QUERY)
    if not query:
        raise ValueError("there is no filter to save: type one first")
    if not name:
        raise ValueError("a saved filter needs a name")
    new = SavedFilter(name, query)
    out = [new if f.name.casefold() == name.casefold() else f for f in filters]
    return out if new in out else [*out, new]


def remove(filters: list[SavedFilter], name: str) -> list[SavedFilter]:
    return [f for f in filters if f.name != name]


__all__ = ["EXAMPLES", "STATE_KEY", "SavedFilter", "add", "load", "remove", "save"]
