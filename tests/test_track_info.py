"""Track information (Ctrl+I): the parts a track's record is shown in, and the dialog over a real scanned file."""

from __future__ import annotations

from ui.track_info import TrackInfoDialog, describe


def _as_dict(parts) -> dict[str, str]:
    return {f"{part}/{label}": value for part, rows in parts for label, value in rows}


def test_describe_shows_tags_file_mood_and_listening_and_leaves_out_what_is_unknown():
    track = {"path": "/music/Album/03 Song.flac", "title": "Song", "artist": "Ann", "album": "Album", "genre": "",
             "track_no": 3, "disc_no": None, "year": 1999, "duration": 185.4, "format": "FLAC", "bitrate": 912,
             "size": 3_500_000, "mtime": 1_700_000_000.0, "rg_gain": -6.5, "rg_peak": 0.98, "kind": "audio",
             "loudness": -11.04,
             "quadrant": "Q4", "valence": 0.41, "arousal": -0.3, "model_version": "audio-mnn-x",
             "moods": {"calmness": 0.7, "tenderness": 0.5, "tension": 0.1, "calm": 0.9}, "plays": 4}
    history = [{"path": "/music/Album/03 Song.flac", "liked": True, "time": 1_700_000_100.0},
               {"path": "/music/Album/03 Song.flac", "liked": False, "time": 1_700_000_000.0},
               {"path": "/music/other.ogg", "liked": False, "time": 1_800_000_000.0}]
    shown = _as_dict(describe(track, history))
    assert shown["Tags/Track"] == "3" and shown["Tags/Year"] == "1999"
    assert "Tags/Genre" not in shown and "Tags/Disc" not in shown, "empty values are left out"
    assert shown["File/File"] == "03 Song.flac" and shown["File/Folder"] == "/music/Album"
    assert shown["File/Length"] == "3:05" and shown["File/Size"] == "3.3 MB" and shown["File/Bitrate"] == "912 kbit/s"
    assert shown["File/Track gain"] == "-6.50 dB (peak 0.980)" and "File/Album gain" not in shown
    assert shown["File/Loudness"] == "-11.0 LUFS (measured by the tagger)"
    assert shown["Mood/Mood"] == "Q4 calm / tender (valence +0.41, arousal -0.30)"
    assert shown["Mood/Read by"] == "the tagger, model audio-mnn-x"
    assert shown["Mood/Mood words"] == "calmness 0.70, tenderness 0.50, tension 0.10", "the GEMS words, strongest first"
    assert shown["Listening/Plays"] == "4" and shown["Listening/You said"].startswith("like ("), "the latest word"


def test_describe_a_hand_set_mood_and_an_untagged_track():
    from library.mood_edits import mood_fields

    tagged = {"path": "/m/a.ogg", "quadrant": "Q3", "valence": -0.5, "arousal": -0.4, "model_version": "v1",
              "tag_key": "k"}
    mine = {**tagged, **mood_fields(tagged, "Q1")}
    shown = _as_dict(describe(mine))
    assert shown["Mood/Mood"].startswith("Q1 happy") and shown["Mood/Set by"].startswith("you")
    assert shown["Mood/The tagger read"].startswith("Q3 sad")
    assert _as_dict(describe({"path": "/m/b.ogg"}))["Mood/Mood"] == "not tagged yet"
    assert not any(part == "Tags" for part, _ in describe({"path": "/m/b.ogg"})), "no tags, no Tags part"


def test_ctrl_i_opens_the_selected_tracks_information(media_window, media_dir, qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    window = media_window
    titles = [window.filter.index(r, 0).data() for r in range(window.filter.rowCount())]
    window.table.selectRow(titles.index("Slow River"))
    window.table.setFocus()
    assert window.act_info in window.table.actions()
    QTest.keyClick(window.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, TrackInfoDialog) and w.isVisible()]
    assert len(dialogs) == 1
    d = dialogs[0]
    assert d.windowTitle() == "Track information: Slow River"
    assert d.values["File/Folder"] == str(media_dir) and d.values["File/Format"] == "FLAC"
    assert d.values["Tags/Album artist"] == "Various Artists" and d.values["Tags/Track"] == "1"
    assert d.values["Mood/Mood"] == "not tagged yet"
    d.close()


def test_how_long_a_list_of_tracks_plays():
    from ui.library_model import format_total, total_seconds

    assert [format_total(s) for s in (0, 0.2, 8.4, 29.9, 31, 89, 59 * 60 + 29, 3600, 3 * 3600 + 5 * 60, 49 * 3600)] \
        == ["0 min", "1 s", "8 s", "30 s", "1 min", "1 min", "59 min", "1 h 00 min", "3 h 05 min", "2 days 1 h"]
    assert total_seconds([{"duration": 100.5}, None, {"duration": None}, {"duration": "x"}, {}]) == 100.5


def test_the_library_count_and_up_next_say_how_long_they_play(media_window, qtbot):
    from ui.library_model import format_total

    w = media_window
    paths = [t["path"] for t in w.library.rows()]
    w.library.update_fields([(p, {"duration": 600.0 + 60 * i}) for i, p in enumerate(paths)])  # 10, 11, ... min
    whole = sum(600 + 60 * i for i in range(len(paths)))  # (the label follows a change of lengths by itself)
    assert f"{len(paths)} tracks ({format_total(whole)})" in w.count_label.text()
    for words in ("morning", "river"):  # a filtered view: its own length follows a moment after each change
        w.filter_edit.setText(words)
        shown = [w.filter.path_at(r) for r in range(w.filter.rowCount())]
        assert 0 < len(shown) < len(paths)
        head = f"{len(shown)} of {len(paths)} tracks"
        assert w.count_label.text().startswith(head) and "min" not in w.count_label.text()
        full = f"{head} ({format_total(sum(600 + 60 * paths.index(p) for p in shown))})"
        qtbot.waitUntil(lambda full=full: full in w.count_label.text(), timeout=3000)
    # under the same filter, a length changed in place (an edit) or a track that came (a scan): the last figure
    # stays until the new one is there
    w.library.update_fields([(shown[0], {"duration": 6000.0})])
    w._update_counts()
    assert full in w.count_label.text()
    length = sum(600 + 60 * paths.index(p) for p in shown) - (600 + 60 * paths.index(shown[0])) + 6000
    qtbot.waitUntil(lambda: f"{head} ({format_total(length)})" in w.count_label.text(), timeout=3000)
    new = {**w.library.track_for(shown[0]), "path": "/elsewhere/river-2.ogg", "duration": 3600.0}
    w.library.upsert_rows([new])
    w._update_counts()
    assert f"{len(shown) + 1} of {len(paths) + 1} tracks ({format_total(length)})" in w.count_label.text()
    more = f"{len(shown) + 1} of {len(paths) + 1} tracks ({format_total(length + 3600)})"
    qtbot.waitUntil(lambda: more in w.count_label.text(), timeout=3000)
    other = next(p for p in paths if p not in shown)  # a track whose new title now matches (tagging does this
    w.library.update_fields([(other, {"title": "River Run"})])  # to a chosen mood): the same filter again
    w.filter.refilter()
    w._update_counts()
    assert w.count_label.text().startswith(f"{len(shown) + 2} of ") and format_total(length + 3600) in \
        w.count_label.text()
    most = f"({format_total(length + 3600 + w.library.track_for(other)['duration'])})"
    qtbot.waitUntil(lambda: most in w.count_label.text(), timeout=3000)
    w.library.remove_paths([new["path"]])
    assert w.count_label.text().startswith(f"{len(shown) + 1} of {len(paths)} tracks")  # (by itself too)
    w.filter_edit.setText("")
    assert f"{len(paths)} tracks ({format_total(whole - 600 - 60 * paths.index(shown[0]) + 6000)})" \
        in w.count_label.text()
    w.filter_edit.setText("morning")
    w.engine.queue.add(paths[:2])
    w.engine.queue.set_auto(paths[2:4])
    w._on_queue_changed()
    up_next = format_total(sum(w.library.track_for(p)["duration"] for p in paths[:4]))
    assert f"(2 queued, 2 planned, {up_next})" in w.queue_title.text()


def test_damaged_values_show_as_unknown_instead_of_failing():
    nan, inf = float("nan"), float("inf")
    track = {"path": "/m/a.flac", "title": "A", "quadrant": "Q1", "valence": "x", "arousal": 0.3,
             "model_version": "v", "plays": "abc", "duration": inf, "size": nan, "rg_gain": 10 ** 400,
             "mtime": 1e300, "added": nan, "last_played": "x",
             "moods": {"tension": nan, "calmness": 0.5, "power": 10 ** 400, "sadness": True}}
    shown = _as_dict(describe(track, [{"path": "/m/a.flac", "liked": True, "time": "x"}]))
    assert shown["Mood/Mood"] == "Q1 happy / excited (valence ?, arousal +0.30)"
    assert shown["Mood/Mood words"] == "calmness 0.50"
    assert shown["Listening/Plays"] == "0" and shown["Listening/You said"].startswith("like")
    for key in ("File/Length", "File/Size", "File/Track gain", "File/Modified", "File/In the library since"):
        assert key not in shown, key


def test_damaged_lengths_do_not_spoil_the_totals():
    from ui.library_model import format_duration, format_total, total_seconds

    tracks = [{"duration": 3600.0}, {"duration": float("nan")}, {"duration": float("inf")}, {"duration": 1e308},
              {"duration": 10 ** 400}, {"duration": -60.0}, {"duration": "60"}]
    assert total_seconds(tracks) == 3660.0
    assert format_total(float("inf")) == "0 min" and format_total(float("nan")) == "0 min"
    assert [format_duration(x) for x in (float("nan"), float("inf"), "x", -5, 61.4)] == ["", "", "", "", "1:01"]


def test_several_tracks_show_what_they_share_and_what_they_add_up_to(media_window, media_dir):
    from library.mood_edits import mood_fields
    from ui.track_info import describe_many, show_track_info

    a = {"path": "/m/A/1.flac", "artist": "Ann", "album": "One", "genre": "Pop", "year": 2001, "format": "FLAC",
         "duration": 100.0, "size": 2_000_000, "added": 1_700_000_000.0, "plays": 2, "last_played": 1_700_000_500.0,
         "quadrant": "Q1", "valence": 0.5, "arousal": 0.5}
    b = {"path": "/m/A/2.mp3", "artist": "Ann", "album": "Two", "genre": "", "year": 2001, "format": "MP3",
         "duration": 65.0, "size": 1_000_000, "added": 1_600_000_000.0, "plays": 1,
         **mood_fields({"path": "/m/A/2.mp3"}, "Q4")}
    c = {"path": "/m/B/3.mp3", "artist": "Ann", "album": "Two", "format": "MP3", "duration": "broken"}
    history = [{"path": "/m/A/1.flac", "liked": False, "time": 1.0},
               {"path": "/m/A/1.flac", "liked": True, "time": 2.0},
               {"path": "/m/A/2.mp3", "liked": False, "time": 3.0},
               {"path": "/elsewhere", "liked": True, "time": 4.0}]
    shown = _as_dict(describe_many([a, b, c], history))
    assert shown["Tags/Artist"] == "Ann" and shown["Tags/Album"] == "(2 albums)"
    assert shown["Tags/Genre"] == "(1 genre, 2 without)" and shown["Tags/Year"] == "(1 year, 1 without)"
    assert shown["Files/Tracks"] == "3" and shown["Files/Length"] == "2:45" and shown["Files/Size"] == "2.9 MB"
    assert shown["Files/Formats"] == "2 MP3, 1 FLAC" and shown["Files/Folder"] == "(2 folders)"
    assert shown["Mood/Moods"] == "1 Q1 happy / excited, 1 Q4 calm / tender"
    assert shown["Mood/Set by you"] == "1" and shown["Mood/Not tagged yet"] == "1"
    assert shown["Listening/Plays"] == "3" and shown["Listening/You like"] == "1"
    assert shown["Listening/Not for you"] == "1"
    from ui.track_info import _when

    assert shown["Files/In the library since"] == _when(1_600_000_000.0)  # the earliest (c has none)
    assert shown["Listening/Last played"] == _when(1_700_000_500.0)  # the latest
    mean_v, mean_a = (0.5 + b["valence"]) / 2, (0.5 + b["arousal"]) / 2
    assert shown["Mood/On average"] == f"valence {mean_v:+.2f}, arousal {mean_a:+.2f}"

    window = media_window
    window.table.selectAll()
    d = show_track_info(window)
    assert d.windowTitle() == f"Track information: {window.filter.rowCount()} tracks"
    assert d.values["Files/Tracks"] == str(window.filter.rowCount())
    assert d.values["Files/Folder"].startswith("(")  # the fixture has a subfolder
    d.close()


def test_the_librarys_tagged_count_and_length_are_kept_as_tracks_change(qtbot):
    """The status bar asks after every tagged track: the model keeps both figures as rows change instead of a pass
    over 50,000 rows each time. Checked against a full recount after each of many random changes."""
    import random

    from ui.library_model import LibraryModel, total_seconds

    rnd = random.Random(7)

    def track(i: int) -> dict:
        return {"path": f"/m/{i}.ogg", "title": f"t{i}",
                "duration": rnd.choice([None, "x", -3.0, 0.0, 1e9, float("nan"), rnd.uniform(1, 600)]),
                "quadrant": rnd.choice([None, "", "Q1", "Q3"])}

    model = LibraryModel()
    model.set_rows([track(i) for i in range(50)])
    for step in range(300):
        paths = [t["path"] for t in model.rows()]
        kind = rnd.choice(["update", "upsert", "remove", "sort"])
        if kind == "update":
            fields = track(0)
            del fields["path"], fields["title"]
            model.update_fields([(rnd.choice(paths), {k: v for k, v in fields.items() if rnd.random() < 0.7})])
        elif kind == "upsert":
            model.upsert_rows([track(rnd.randrange(80)) for _ in range(3)])
        elif kind == "remove":
            model.remove_paths(rnd.sample(paths, 2))
        else:
            model.sort(rnd.randrange(4))
        rows = model.rows()
        assert model.tagged_count() == sum(1 for t in rows if t.get("quadrant")), (step, kind)
        assert abs(model.seconds() - total_seconds(rows)) < 1e-6, (step, kind)
