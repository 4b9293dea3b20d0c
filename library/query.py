"""The library filter's little query language. Plain Python, no Qt.

    pink floyd                  every word somewhere in title, artist, album, album artist or genre
    "dark side"                 a phrase
    artist:abba  genre:jazz     a word (or "a phrase") in one field: title, artist, album, albumartist, genre, format
    year:>=1980  year:1970..1979  year:..1990  plays:0  bitrate:>256  track:1  valence:>0.3  length:>5:00
                                numbers: =, >, <, >=, <=, or a range a..b (both ends in, either may be left
                                open); length in m:ss or seconds; a track never played has 0 plays
    added:<30d  played:>6m  added:1w..2w
                                how long ago a track came into the library / was last played, in days (d),
                                weeks (w), months (m, 30 days), years (y) or hours (h); a bare number is days.
                                "played:>6m" (not heard for half a year) takes in tracks never played;
                                "added:0" is the last day, "played:2w" the week two weeks back
    mood:happy  mood:q4  mood:tender    the mood quadrant (Q1-Q4 or its words) or one of the top mood words
    -live  -artist:abba         leave out what matches

All terms must hold. A term with an unknown field name ("AC:DC", "Re:Stacks") is an ordinary word, so a title
with a colon is still found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from emotion.mood_space import QUADRANT_NAMES

HELP = """Filter the library: every term must hold.
pink floyd — words anywhere (title, artist, album, album artist, genre); "dark side" — a phrase
artist:abba, album:, title:, genre:, albumartist:, format:flac — in one field
year:>=1980, year:1970..1979, plays:0, track:1, bitrate:>256, valence:>0.3, length:>5:00 — numbers
added:<30d, played:>6m, added:1w..2w — how long ago (h, d, w, m months, y); never played counts as long ago
mood:happy, mood:q4, mood:tender — the mood quadrant or a top mood word
-live, -artist:abba — leave out what matches"""
TEXT_FIELDS = {"title": "title", "artist": "artist", "album": "album", "albumartist": "albumartist",
               "genre": "genre", "format": "format"}
NUMBER_FIELDS = {"year": "year", "track": "track_no", "disc": "disc_no", "plays": "plays", "bitrate": "bitrate",
                 "valence": "valence", "arousal": "arousal", "length": "duration"}
AGE_FIELDS = {"added": "added", "played": "last_played"}  # how long ago (a time stamp's age)
AGE_UNITS = {"h": 1 / 24, "d": 1.0, "w": 7.0, "m": 30.0, "y": 365.0}  # in days
WORD_FIELDS = ("title", "artist", "album", "albumartist", "genre")  # what a bare word is looked for in
_TERM = re.compile(r'(-?)(?:([A-Za-z]+):)?(?:"([^"]*)"?|(\S+))')
_COMPARE = re.compile(r"^(>=|<=|=|>|<)?(.+)$")

Test = Callable[[Mapping], bool]


def _number(text: str, field: str) -> float | None:
    text = text.strip()
    if field == "length" and ":" in text:
        parts = text.split(":")
        if len(parts) > 3 or not all(p.isascii() and p.isdigit() for p in parts):
            return None
        seconds = 0
        for p in parts:
            seconds = seconds * 60 + int(p)
        return float(seconds)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _number_test(field: str, text: str) -> Test | None:
    key = NUMBER_FIELDS[field]
    if ".." in text:
        low_text, high_text = text.split("..", 1)
        low = _number(low_text, field) if low_text.strip() else float("-inf")  # "..1990": up to 1990
        high = _number(high_text, field) if high_text.strip() else float("inf")  # "1990..": from 1990 on
        if low is None or high is None or (low_text.strip() == high_text.strip() == ""):
            return None
        return _numbers(key, lambda x: low <= x <= high)
    m = _COMPARE.match(text)
    if m is None:
        return None
    op, value = m.group(1) or "=", _number(m.group(2), field)
    if value is None:
        return None
    compare: Callable[[float], bool] = {
        "=": lambda x: x == value, ">": lambda x: x > value, "<": lambda x: x < value,
        ">=": lambda x: x >= value, "<=": lambda x: x <= value}[op]
    return _numbers(key, compare)


def _age(text: str) -> tuple[float, float] | None:
    """An age in days from "30d", "2w", "6m", "1y", "12h" or a bare number of days, and its unit in days."""
    text = text.strip().casefold()
    unit = AGE_UNITS.get(text[-1:]) if text else None
    number = _number(text[:-1] if unit is not None else text, "")
    if number is None or number < 0:
        return None
    unit = 1.0 if unit is None else unit
    return number * unit, unit


def _age_test(field: str, text: str, now: float) -> Test | None:
    """added:<30d (came less than 30 days ago), played:>6m (last heard over 6 months ago, or never), ranges a..b."""
    if ".." in text:
        low_text, high_text = text.split("..", 1)
        low = _age(low_text) if low_text.strip() else (0.0, 1.0)
        high = _age(high_text) if high_text.strip() else (float("inf"), 1.0)
        if low is None or high is None or (low_text.strip() == high_text.strip() == ""):
            return None
        compare: Callable[[float], bool] = lambda x: low[0] <= x <= high[0]  # noqa: E731
    else:
        m = _COMPARE.match(text)
        age = _age(m.group(2)) if m is not None else None
        if m is None or age is None:
            return None
        value, unit = age
        compare = {"=": lambda x: value <= x < value + unit,  # "added:0": in the last day; "played:2w": 2 weeks ago
                   ">": lambda x: x > value, "<": lambda x: x < value,
                   ">=": lambda x: x >= value, "<=": lambda x: x <= value}[m.group(1) or "="]
    key = AGE_FIELDS[field]

    def test(t: Mapping) -> bool:
        stamp = t.get(key)
        if key == "last_played" and not stamp:
            return compare(float("inf"))  # never played: longer ago than anything
        if stamp is None or isinstance(stamp, bool):
            return False
        try:  # (a moment after the query was typed counts as now: a fresh track is 0 days old, not less)
            return compare(max(0.0, (now - float(stamp)) / 86400.0))  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return False

    return test


def _numbers(key: str, compare: Callable[[float], bool]) -> Test:
    if key == "plays":
        return lambda t: _in(t.get(key) or 0, compare)  # never played: no count yet, which is 0
    return lambda t: _in(t.get(key), compare)


def _in(value: object, compare: Callable[[float], bool]) -> bool:
    if value is None or isinstance(value, bool):
        return False
    try:
        return compare(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return False


def top_mood_words(moods: object, n: int = 3) -> list[str]:
    if not isinstance(moods, Mapping):
        return []
    ranked = sorted(moods.items(), key=lambda kv: -float(kv[1]) if isinstance(kv[1], int | float) else 0.0)
    return [str(k).replace("_", " ").casefold() for k, _ in ranked[:n]]


def _mood_test(text: str) -> Test:
    want = text.casefold()

    def test(t: Mapping) -> bool:
        q = str(t.get("quadrant") or "")
        if not q:
            return False
        if want == q.casefold() or want in QUADRANT_NAMES.get(q, "").casefold():
            return True
        return any(want in word for word in top_mood_words(t.get("moods")))

    return test


def haystack(t: Mapping) -> str:
    """The words of a track a bare word is looked for in, lower-cased."""
    return " ".join(str(t.get(k) or "") for k in WORD_FIELDS).casefold()


class _Haystack:
    """A track's haystack, made once per track for all of a query's words (or taken from the caller's cache)."""

    def __init__(self, source: Callable[[Mapping], str] = haystack) -> None:
        self._source = source
        self._track: Mapping | None = None
        self._text = ""

    def __call__(self, t: Mapping) -> str:
        if t is not self._track:
            self._track = t
            self._text = self._source(t)
        return self._text


def _words_test(text: str, hay: _Haystack) -> Test:
    want = text.casefold()
    return lambda t: want in hay(t)


@dataclass(frozen=True)
class Query:
    tests: tuple[tuple[bool, Test], ...] = ()  # (negated, test)

    def __bool__(self) -> bool:
        return bool(self.tests)

    def matches(self, track: Mapping) -> bool:
        return all(test(track) != negated for negated, test in self.tests)


def _term_test(field: str | None, value: str, whole: str, hay: _Haystack, now: float) -> Test:
    name = (field or "").casefold()
    if name in TEXT_FIELDS and value:
        key, want = TEXT_FIELDS[name], value.casefold()
        return lambda t: want in str(t.get(key) or "").casefold()
    if name in NUMBER_FIELDS:
        test = _number_test(name, value)
        if test is not None:
            return test
    if name in AGE_FIELDS:
        test = _age_test(name, value, now)
        if test is not None:
            return test
    if name == "mood" and value:
        return _mood_test(value)
    return _words_test(whole, hay)  # an unknown field, or a value that does not fit it: an ordinary word


def parse(text: str, hay_of: Callable[[Mapping], str] = haystack, now: float | None = None) -> Query:
    """The query in the filter box (see the module's docstring). hay_of gives a track's haystack (a cache of
    `haystack`, say); ages are counted back from `now` (a time stamp; by default the time of parsing). Never
    raises: what does not parse is looked for as words."""
    import time

    now = time.time() if now is None else float(now)
    tests: list[tuple[bool, Test]] = []
    hay = _Haystack(hay_of)
    for m in _TERM.finditer(text):
        negated, field, quoted, bare = m.group(1) == "-", m.group(2), m.group(3), m.group(4)
        value = quoted if quoted is not None else (bare or "")
        whole = m.group(0).lstrip("-").replace('"', "") if quoted is not None or field else value
        if not value.strip("-") and not field:
            continue  # a lone "-"
        try:
            test = _term_test(field, value, whole, hay, now)
        except Exception:  # a value no rule above foresaw: a word, not a crash in the filter box
            test = _words_test(whole, hay)
        tests.append((negated, test))
    return Query(tuple(tests))
