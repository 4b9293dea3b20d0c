"""Scanning, tagging and playing through 200+ malformed files: no crash, no hang, every failure has a reason."""

import os
import time

import pytest

from library.scanner import scan_folder
from library.store import Store
from tests.bad_media import make_corpus, restore_permissions


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    made = make_corpus(folder)
    yield folder, made
    restore_permissions(folder)


def test_corpus_is_big_enough(corpus):
    _folder, made = corpus
    assert len(made["good"]) + len(made["bad"]) >= 200


def test_scan_through_corpus(corpus, tmp_path):
    folder, made = corpus
    store = Store(tmp_path / "db.json")
    t0 = time.perf_counter()
    res = scan_folder(store, str(folder))
    assert time.perf_counter() - t0 < 30, "the scan hung somewhere"
    tracks = {t["path"] for t in store.all_tracks()}
    problems = {p["path"]: p["reason"] for p in store.problems("scan")}
    assert all(reason for reason in problems.values())
    for p in made["good"]:
        assert str(p) in tracks, f"{p.name[:40]} is valid media and must scan"
    must_fail = [p for p in made["bad"] if p.name.startswith(("empty_", "random_", "text", "png_inside"))
                 or p.suffix in (".mkv", ".webm", ".mp4", ".wav") and not p.name.startswith("garbage_body")]
    for p in must_fail:
        assert str(p) in problems, f"{p.name} should be listed as a problem"
    for p in made["bad"]:  # every bad file is either refused now or left for the tagger / player to refuse
        assert (str(p) in problems) != (str(p) in tracks)
    long = next(t for t in store.all_tracks() if "ten_hours" in t["path"])
    assert long["duration"] > 9 * 3600
    absurd = [t for t in store.all_tracks() if "absurd_huge" in t["path"]]
    assert absurd and all(len(t["title"]) <= 500 for t in absurd)
    assert not any(os.path.basename(p) in ("pipe.mp3", "folder.mp3", "proc_mem.mp3", "dangling.mp3")
                   for p in tracks | set(problems))
    assert res.seen == len(tracks) + len(problems)


@pytest.mark.slow
def test_play_through_corpus(corpus, tmp_path, qtbot):
    """Real libVLC: every scanned file either plays or is skipped and listed; the queue never stalls."""
    vlc_backend = pytest.importorskip("player.vlc_backend")
    from player.engine import PlayerEngine

    folder, _made = corpus
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(folder))
    paths = sorted(t["path"] for t in store.all_tracks())
    engine = PlayerEngine(vlc_backend.VlcBackend(audio_output="dummy", video=False),
                          problem_sink=lambda p, r: store.add_problem(p, "play", r))
    started = []
    engine.track_changed.connect(lambda p: started.append(p) if p else None)
    engine.queue.add(paths)
    engine.next()
    deadline = time.time() + 240
    last = None
    since = time.time()
    while engine.current is not None and time.time() < deadline:
        qtbot.wait(50)
        if engine.current != last:
            last, since = engine.current, time.time()
        elif engine.state == "playing" and time.time() - since > 0.4:
            engine.next()  # heard enough of this one (the ten-hour file, say)
        elif time.time() - since > 15:
            pytest.fail(f"stuck on {engine.current} in state {engine.state}")
    engine.shutdown()
    assert engine.current is None, "the queue did not get through the corpus in time"
    assert set(started) == set(paths)
    for p in store.problems("play"):
        assert p["reason"]
