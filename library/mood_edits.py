"""Setting a track's mood yourself: where the tagger is wrong, the listener's word wins and stays (re-tagging with a
new model leaves it alone) until they hand the track back to the tagger. Plain Python, no Qt.

A mood set by hand moves the track into the chosen quadrant: its tagged valence and arousal are kept when they
already lie there, else it goes to the quadrant's centre; the quadrant's probability (the planner's confidence in
the tag) becomes certain. The mood words the tagger found (GEMS) are kept, and so is the tagger's own reading
(under "tagger_mood"), which comes back when the track is handed back.
"""

from __future__ import annotations

from collections.abc import Mapping

from emotion.mood_space import QUADRANT_CENTRES, QUADRANT_MOOD_WORDS, QUADRANTS, quadrant

SET_BY_YOU = "you"  # the value of a track's "mood_by" field when the listener set its mood
TAGGER_FIELDS = ("quadrant", "valence", "arousal", "moods", "model_version", "tag_key")


def set_by_you(track: Mapping) -> bool:
    return track.get("mood_by") == SET_BY_YOU


def mood_fields(track: Mapping, q: str) -> dict:
    """The fields that give the track the mood quadrant q, set by the listener."""
    if q not in QUADRANTS:
        raise ValueError(f"not a mood quadrant: {q!r}")
    v, a = track.get("valence"), track.get("arousal")
    try:
        point = (float(v), float(a))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        point = QUADRANT_CENTRES[q]
    if quadrant(*point) != q:
        point = QUADRANT_CENTRES[q]
    moods = dict(track.get("moods") or {}) if isinstance(track.get("moods"), Mapping) else {}
    for other in QUADRANTS:
        moods[QUADRANT_MOOD_WORDS[other]] = 1.0 if other == q else 0.0
    kept = track.get("tagger_mood") if set_by_you(track) else {k: track.get(k) for k in TAGGER_FIELDS}
    return {"quadrant": q, "valence": point[0], "arousal": point[1], "moods": moods, "mood_by": SET_BY_YOU,
            "tagger_mood": kept}


def back_to_tagger_fields(track: Mapping) -> dict:
    """The fields that hand the track back to the tagger: the tagger's own reading comes back (a track it never
    tagged, or tagged with an older model, is tagged again by the next run)."""
    kept = track.get("tagger_mood") if isinstance(track.get("tagger_mood"), Mapping) else {}
    return {**{k: kept.get(k) for k in TAGGER_FIELDS}, "mood_by": None, "tagger_mood": None}
