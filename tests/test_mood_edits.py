"""Setting a track's mood yourself: the fields, the tagger leaving it alone, and the library table's menu."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from emotion.tagger import needs_tag, tag_key_for
from library.mood_edits import back_to_tagger_fields, mood_fields, set_by_you

TAGGED = {"path": "/x.ogg", "size": 10, "mtime": 1.0, "quadrant": "Q1", "valence": 0.4, "arousal": 0.2,
          "moods": {"happy": 0.6, "tense": 0.2, "sad": 0.1, "calm": 0.1, "wonder": 0.7}, "model_version": "m1"}
TAGGED["tag_key"] = tag_key_for(TAGGED, "m1")


def test_a_hand_set_mood_moves_the_track_into_its_quadrant_and_keeps_the_taggers_reading():
    q3 = mood_fields(TAGGED, "Q3")
    assert (q3["quadrant"], q3["valence"], q3["arousal"]) == ("Q3", -0.5, -0.5), "outside Q3: its centre"
    assert q3["moods"]["sad"] == 1.0 and q3["moods"]["happy"] == 0.0 and q3["moods"]["wonder"] == 0.7
    assert set_by_you(q3) and q3["tagger_mood"]["quadrant"] == "Q1"
    q1 = mood_fields(TAGGED, "Q1")
    assert (q1["valence"], q1["arousal"]) == (0.4, 0.2), "already in Q1: its own point"
    twice = mood_fields({**TAGGED, **q3}, "Q2")
    assert twice["tagger_mood"] == q3["tagger_mood"], "the tagger's reading, not the first hand-set one"
    back = back_to_tagger_fields({**TAGGED, **twice})
    assert {k: back[k] for k in ("quadrant", "valence", "arousal", "model_version", "tag_key")} == {
        k: TAGGED[k] for k in ("quadrant", "valence", "arousal", "model_version", "tag_key")}
    assert back["moods"] == TAGGED["moods"] and not set_by_you(back) and back["tagger_mood"] is None
    with pytest.raises(ValueError):
        mood_fields(TAGGED, "Q5")


def test_the_tagger_leaves_a_hand_set_mood_alone():
    q4 = {**TAGGED, **mood_fields(TAGGED, "Q4")}
    assert needs_tag(TAGGED, "m2") and not needs_tag(q4, "m2"), "a new model re-tags all but hand-set moods"
    untagged = {"path": "/new.ogg", "size": 1, "mtime": 1.0}
    hand = {**untagged, **mood_fields(untagged, "Q2")}
    assert (hand["valence"], hand["arousal"]) == (-0.5, 0.5) and not needs_tag(hand, "m1")
    back = {**hand, **back_to_tagger_fields(hand)}
    assert back["quadrant"] is None and needs_tag(back, "m1"), "never tagged: the next run tags it"


def test_the_tagger_does_not_overwrite_a_mood_set_while_it_ran(tmp_path):
    from emotion.tagger import Tagger
    from library.store import Store

    store = Store(tmp_path / "db.json")
    store.upsert_tracks([dict(TAGGED)])
    store.update_tracks([("/x.ogg", mood_fields(TAGGED, "Q3"))])
    tagger = Tagger(store, model=None)
    assert tagger._set_by_hand("/x.ogg") and not tagger._set_by_hand("/gone.ogg")
    assert tagger.pending("m2") == []


def test_set_the_mood_from_the_library_table(media_window, media_dir):
    w = media_window
    store = w.store
    assert w.mood_menu.menuAction() in w.table.actions()
    titles = [w.filter.index(r, 0).data() for r in range(w.filter.rowCount())]
    row = titles.index("Bright Day")
    w.table.selectRow(row)
    changed = []
    w.library_changed.connect(lambda: changed.append(1))
    next(a for a in w.mood_menu.actions() if a.text().startswith("Q3")).trigger()
    path = str(media_dir / "song_c.ogg")
    assert store.get_track(path)["quadrant"] == "Q3" and store.get_track(path)["mood_by"] == "you"
    mood_col = next(c for c in range(w.library.columnCount())
                    if w.library.headerData(c, Qt.Orientation.Horizontal) == "Mood")
    assert w.filter.index(row, mood_col).data() == "Q3 sad / tired (yours)"
    assert "1 mood-tagged" in w.count_label.text()
    assert changed, "the planner and the map hear of it"
    w.filter_edit.setText("mood:sad")
    assert [w.filter.index(r, 0).data() for r in range(w.filter.rowCount())] == ["Bright Day"]
    w.filter_edit.clear()
    w.table.selectRow([w.filter.index(r, 0).data() for r in range(w.filter.rowCount())].index("Bright Day"))
    next(a for a in w.mood_menu.actions() if a.text().startswith("Back")).trigger()
    t = store.get_track(path)
    assert t.get("quadrant") is None and not set_by_you(t)
    assert "back to the tagger" in w.statusBar().currentMessage()


def test_handing_back_during_a_run_queues_one_more_run(media_window, monkeypatch):
    w = media_window
    starts = []

    class Busy:
        running = True

        def start(self):
            starts.append(1)
            return True

    real = w.tagging
    monkeypatch.setattr(w, "tagging", Busy())
    w.auto_tag = True
    w.start_tagging()
    assert starts == [] and w._tag_again, "no second tagger beside the running one"
    monkeypatch.setattr(w, "tagging", real)
    monkeypatch.setattr(real, "start", lambda: starts.append(1) or True)

    class Summary:
        cancelled = False
        error = None

    w._on_tag_finished(Summary())
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.processEvents()
    assert starts == [1] and not w._tag_again, "the follow-up run starts once the first ends"


def test_the_controller_says_running_until_the_run_reports(tmp_path):
    import threading

    from emotion.tagger import Tagger
    from library.store import Store
    from ui.tagging import TaggingController

    controller = TaggingController(Store(tmp_path / "db.json"))
    tagger = Tagger(controller.store, model=None)
    gate = threading.Event()
    tagger._thread = threading.Thread(target=gate.wait, daemon=True)
    tagger._thread.start()
    tagger.summary = object()  # set at the start of a run: it is not the end
    controller.tagger = tagger
    assert controller.running
    tagger.done.set()
    assert not controller.running, "reported: over, even while its thread exits"
    gate.set()


def test_set_how_the_playing_track_feels_from_the_transport_bar(media_window, media_dir, tmp_path):
    w = media_window
    assert not w.btn_set_mood.isEnabled(), "nothing plays yet"
    path = str(media_dir / "song_b.flac")
    w.engine.play_path(path)
    assert w.btn_set_mood.isEnabled()
    menu = w.btn_set_mood.menu()
    next(a for a in menu.actions() if a.text().startswith("Q2")).trigger()
    t = w.store.get_track(path)
    assert t["quadrant"] == "Q2" and set_by_you(t)
    assert "(set by you)" in w.now_playing.mood.text()
    next(a for a in menu.actions() if a.text().startswith("Back")).trigger()
    assert not set_by_you(w.store.get_track(path))
    w.engine.play_path(str(tmp_path / "elsewhere.ogg"))  # not a library track: nothing to set
    assert not w.btn_set_mood.isEnabled()
