"""The library filter's query language (library/query.py), and the filter box using it."""

from __future__ import annotations

import pytest

from library.query import parse

TRACKS = [
    {"path": "/a", "title": "Dancing Queen", "artist": "ABBA", "album": "Arrival", "genre": "Pop", "year": 1976,
     "track_no": 2, "plays": 12, "bitrate": 320, "duration": 231.0, "format": "MP3", "quadrant": "Q1",
     "valence": 0.7, "arousal": 0.5, "moods": {"joyful_activation": 0.8, "power": 0.5, "wonder": 0.3,
                                                           "tenderness": 0.1}},
    {"path": "/b", "title": "Money (live)", "artist": "Pink Floyd", "album": "Dark Side of the Moon",
     "genre": "Rock", "year": 1973, "track_no": 6, "bitrate": 1000, "duration": 382.0, "format": "FLAC",
     "quadrant": "Q2", "valence": -0.2, "arousal": 0.6, "moods": {"tension": 0.7, "power": 0.6, "sadness": 0.2}},
    {"path": "/c", "title": "Re:Stacks", "artist": "Bon Iver", "album": "For Emma", "albumartist": "Bon Iver",
     "genre": "Folk", "year": 2007, "plays": 0, "duration": 401.0, "format": "OGG"},
    {"path": "/d", "title": "Clair de lune", "artist": "Debussy", "album": "Suite", "genre": "Classical",
     "quadrant": "Q4", "valence": 0.3, "arousal": -0.6, "moods": {"tenderness": 0.9, "peacefulness": 0.8}},
]


def _hits(text: str) -> list[str]:
    q = parse(text)
    return [t["path"] for t in TRACKS if q.matches(t)]


@pytest.mark.parametrize(("text", "expected"), [
    ("", ["/a", "/b", "/c", "/d"]),
    ("pink floyd", ["/b"]),
    ("floyd pink", ["/b"]),  # every word, anywhere
    ('"side of"', ["/b"]),
    ('"floyd pink"', []),
    ("artist:abba", ["/a"]),
    ('album:"dark side"', ["/b"]),
    ("albumartist:iver", ["/c"]),
    ("format:flac", ["/b"]),
    ("year:>=1976", ["/a", "/c"]),
    ("year:1970..1979", ["/a", "/b"]),
    ("year:<1974", ["/b"]),
    ("year:1973", ["/b"]),
    ("plays:0", ["/b", "/c", "/d"]),  # never played counts as 0
    ("plays:>5", ["/a"]),
    ("track:2", ["/a"]),
    ("bitrate:>256", ["/a", "/b"]),
    ("length:>6:00", ["/b", "/c"]),
    ("length:<240", ["/a"]),
    ("valence:>0.2", ["/a", "/d"]),
    ("arousal:-1..0", ["/d"]),
    ("mood:happy", ["/a"]),
    ("mood:q4", ["/d"]),
    ("mood:tender", ["/d"]),  # Q4's words, or a top-3 mood word: ABBA's fourth does not count
    ("mood:power", ["/a", "/b"]),
    ("-live", ["/a", "/c", "/d"]),
    ("-artist:abba -genre:rock", ["/c", "/d"]),
    ("Re:Stacks", ["/c"]),  # not a field: an ordinary word with a colon
    ("year:abc", []),  # a value that does not fit: looked for as a word
    ("artist:abba year:>2000", []),
    ("-", ["/a", "/b", "/c", "/d"]),
    ("year:..1975", ["/b"]),
    ("year:2000..", ["/c"]),
    ("plays:0..2", ["/b", "/c", "/d"]),  # never played is 0 plays in a range too
    ("plays:>=0", ["/a", "/b", "/c", "/d"]),
    ("year:..", []),  # no number at all: a word
])
def test_queries(text, expected):
    assert _hits(text) == expected


def test_no_input_makes_it_raise():
    import random

    rng = random.Random(7)
    alphabet = 'ab:.-"<>=²½\t 019yearlngthplaysmood'
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 25)))
        q = parse(text)
        for t in TRACKS:
            q.matches(t)
    assert _hits("length:0:²") == [] and _hits("year:½") == []


def test_the_filter_box_speaks_it(media_window):
    w = media_window

    def titles() -> set[str]:
        return {w.filter.index(r, 0).data() for r in range(w.filter.rowCount())}

    w.filter_edit.setText("artist:testers track:2")
    assert titles() == {"Bright Day"}
    w.filter_edit.setText("album:fixtures -artist:testers")
    assert titles() == {"Slow River"}
    w.filter_edit.setText("format:wav")
    assert titles() == {"Plain Wave"}
    assert "year:" in w.filter_edit.toolTip()


NOW = 1_800_000_000.0
DAY = 86400.0
AGED = [
    {"path": "/new", "title": "New", "added": NOW - 2 * DAY, "last_played": NOW - 3600.0},
    {"path": "/month", "title": "Month", "added": NOW - 40 * DAY, "last_played": NOW - 100 * DAY, "plays": 1},
    {"path": "/old", "title": "Old", "added": NOW - 800 * DAY},  # never played
    {"path": "/unknown", "title": "Unknown"},  # scanned before Added was kept
]


@pytest.mark.parametrize(("text", "expected"), [
    ("added:<7d", ["/new"]),
    ("added:<1w", ["/new"]),
    ("added:>1m", ["/month", "/old"]),
    ("added:>2y", ["/old"]),
    ("added:1w..6w", ["/month"]),
    ("added:..3", ["/new"]),  # a bare number is days
    ("-added:<1y", ["/old", "/unknown"]),
    ("played:<2h", ["/new"]),
    ("played:>90d", ["/month", "/old", "/unknown"]),  # not heard for 90 days, or never
    ("played:>3m plays:>0", ["/month"]),
    ("added:2", ["/new"]),  # 2-3 days ago
    ("added:0", []),
    ("played:0", ["/new"]),  # in the last day
    ("added:5w", ["/month"]),  # 35-42 days ago
    ("added:<soon", []),  # not an age: a word, found nowhere
    ("added:-3d", []),
])
def test_how_long_ago(text, expected):
    q = parse(text, now=NOW)
    assert [t["path"] for t in AGED if q.matches(t)] == expected


def test_a_track_that_came_after_the_query_was_typed_is_new_not_unborn():
    """The filter keeps its query while a rescan adds tracks: one added a moment later is 0 days old."""
    later = {"path": "/later", "added": NOW + 5.0, "last_played": NOW + 5.0}
    for text in ("added:0", "added:..1d", "added:<1d", "played:0"):
        assert parse(text, now=NOW).matches(later), text
    huge = {"path": "/huge", "added": 10 ** 400, "year": 10 ** 400}  # damaged: no match, and no exception
    assert [parse(text, now=NOW).matches(huge) for text in ("added:<1d", "added:>1d", "year:>1", "played:>1y")] \
        == [False, False, False, True], "(never played counts as long ago)"
