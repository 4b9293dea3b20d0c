"""Background tagger against a real store: writes, caches, re-tags on a new model version, survives broken files."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from emotion.audio_features import DecodeError
from emotion.tagger import Tagger, needs_tag, tag_key_for
from library.store import Store

ROOT = Path(__file__).resolve().parents[1]
WEIGHTS = ROOT / "resources" / "models" / "audio_mood.safetensors"


def tone_file(path: Path, seconds: float, freq: float, sr: int = 22050) -> Path:
    import soundfile as sf

    t = np.arange(int(seconds * sr)) / sr
    beat = (np.sin(2 * np.pi * 2.0 * t) > 0.7).astype(np.float32)
    noise = 0.01 * np.random.default_rng(1).standard_normal(len(t))
    y = 0.3 * np.sin(2 * np.pi * freq * t) * (0.5 + 0.5 * beat) + noise
    sf.write(str(path), y.astype(np.float32), sr)
    return path


def add_tracks(store: Store, paths: list[Path]) -> None:
    tracks = []
    for p in paths:
        st = p.stat()
        tracks.append({"path": str(p), "title": p.stem, "artist": "", "album": "", "genre": "", "duration": 0.0,
                       "size": st.st_size, "mtime": st.st_mtime,
                       "kind": "video" if p.suffix in (".mp4", ".mkv", ".webm") else "audio"})
    store.upsert_tracks(tracks)
    store.flush()


@pytest.fixture(scope="module")
def model():
    if not WEIGHTS.is_file():
        pytest.skip("no shipped weights")
    from emotion.audio_model import AudioMoodModel

    return AudioMoodModel.load(threads=1)


@pytest.fixture()
def library(tmp_path: Path):
    media = tmp_path / "music"
    media.mkdir()
    good = [tone_file(media / "a.wav", 12, 220.0)]
    ogg = media / "c.ogg"
    import soundfile as sf

    y, sr = sf.read(str(tone_file(tmp_path / "b.wav", 30, 440.0)))
    sf.write(str(ogg), y, sr, format="OGG", subtype="VORBIS")
    good.append(ogg)
    if shutil.which("ffmpeg"):
        mp4 = media / "d.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=blue:s=32x32:d=10",
                        "-i", str(good[0]), "-t", "10", "-c:v", "mpeg4", "-c:a", "aac", "-shortest", str(mp4)],
                       check=True)
        good.append(mp4)
    broken = media / "broken.mp3"
    broken.write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 20)
    store = Store(tmp_path / "lib.json")
    add_tracks(store, [*good, broken])
    yield store, good, broken
    store.close()


def test_tagger_writes_caches_and_records_broken(model, library) -> None:
    store, good, broken = library
    progress: list[tuple[int, int, float]] = []
    tagged: list[tuple[str, dict]] = []
    each: list[tuple[str, dict]] = []
    tagger = Tagger(store, model=model, workers=2, batch_size=2, time_limit_s=20,
                    on_progress=lambda d, t, r: progress.append((d, t, r)), on_tagged=tagged.extend,
                    on_result=lambda p, f: each.append((p, f)))
    s = tagger.run()
    assert s.total == len(good) + 1 and s.tagged == len(good) and s.failed == 1
    assert progress[-1][0] == progress[-1][1] == s.total and progress[-1][2] > 0
    assert sorted(p for p, _ in tagged) == sorted(str(p) for p in good)
    assert sorted(each, key=lambda r: r[0]) == sorted(tagged, key=lambda r: r[0])  # each result once, as written
    for p in good:
        t = store.get_track(str(p))
        assert -1 <= t["valence"] <= 1 and -1 <= t["arousal"] <= 1
        assert t["quadrant"] in ("Q1", "Q2", "Q3", "Q4") and t["model_version"] == model.version
        assert t["tag_key"] == tag_key_for(t, model.version) and isinstance(t["moods"], dict)
        assert "tag_error_key" not in t
    probs = store.problems("tag")
    assert [p["path"] for p in probs] == [str(broken)] and probs[0]["reason"]
    # persisted: a fresh Store on the same file sees the tags
    store.flush()
    again = Store(store.path)
    assert again.get_track(str(good[0]))["tag_key"] == tag_key_for(again.get_track(str(good[0])), model.version)
    # second run: nothing to do (the broken file is not retried)
    s2 = Tagger(store, model=model).run()
    assert s2.total == 0 and s2.tagged == 0


def test_tagger_retags_on_new_model_version_and_changed_file(model, library) -> None:
    store, good, broken = library
    assert Tagger(store, model=model).run().tagged == len(good)
    old_version = model.version
    try:
        model.version = old_version + "-next"
        assert all(needs_tag(t, model.version) for t in store.all_tracks())
        s = Tagger(store, model=model).run()
        assert s.total == len(good) + 1 and s.tagged == len(good) and s.failed == 1  # broken: once per version
        assert all(store.get_track(str(p))["model_version"] == model.version for p in good)
        assert Tagger(store, model=model).run().total == 0
    finally:
        model.version = old_version
    # a changed file (new size / mtime) is re-tagged
    s = Tagger(store, model=model).run()
    assert s.total == len(good) + 1
    tone_file(good[0], 25, 330.0)
    add_tracks(store, [good[0]])
    s = Tagger(store, model=model).run()
    assert s.total == 1 and s.tagged == 1


def test_tagger_background_pause_resume_cancel(model, library) -> None:
    store, good, _ = library
    done = threading.Event()
    tagger = Tagger(store, model=model, workers=1, on_finished=lambda s: done.set())
    tagger.pause()
    tagger.start()
    time.sleep(0.3)
    assert tagger.is_running() and tagger.paused
    assert not any(t.get("tag_key") for t in store.all_tracks())
    tagger.resume()
    tagger.cancel()
    assert done.wait(30)
    s = tagger.join(5)
    assert s is not None and s.cancelled and s.remaining > 0
    # a later full run finishes the rest
    s2 = Tagger(store, model=model).run()
    assert s2.tagged + s2.failed == s2.total and s2.total >= s.remaining - 1


def test_tagger_gives_up_on_a_hanging_decode(library) -> None:
    store, good, _ = library

    class Hanging:
        version = "hang-test"

        def predict_file(self, path, time_limit_s=30.0):
            time.sleep(3.0)
            raise AssertionError("should have been abandoned")

    tagger = Tagger(store, model=Hanging(), workers=1, time_limit_s=0.2)
    tagger.hang_grace_s = 0.3
    t0 = time.monotonic()
    tagger.pause()  # nothing starts while paused ...
    th = tagger.start()
    time.sleep(0.2)
    tagger.resume()
    th.join(20)
    s = tagger.summary
    assert s is not None and s.failed == s.total and s.tagged == 0
    assert any("timed out" in p["reason"] for p in store.problems("tag"))
    assert time.monotonic() - t0 < 20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_tagging_runs_below_the_app_priority(library) -> None:
    """The workers and the background run's thread run at a lower CPU priority than the thread that started
    them, so playback and the window keep the cores they need."""
    import os

    from emotion.tagger import TAG_NICE

    store, good, _ = library
    seen: list[int] = []
    run_thread: list[int] = []

    class Probe:
        version = "nice-test"

        def predict_file(self, path, time_limit_s=30.0):
            seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
            raise DecodeError("probe only")

    here = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    tagger = Tagger(store, model=Probe(), workers=2, on_finished=lambda s: run_thread.append(
        os.getpriority(os.PRIO_PROCESS, threading.get_native_id())))
    tagger.start().join(30)
    assert seen and all(p == min(19, here + TAG_NICE) for p in seen), (here, seen)
    assert run_thread == [min(19, here + TAG_NICE)], "the run's own thread (it reports the end)"
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == here, "the caller's thread is unchanged"
    seen.clear()
    same = Tagger(store, model=type("P2", (Probe,), {"version": "nice-test-2"})(), workers=1)
    same.nice = 0
    same.run()
    assert seen == [here] * len(seen) and seen


def test_tagging_keeps_numpy_blas_to_one_thread_and_restores_it(library) -> None:
    """The workers fill the cores themselves: BLAS's own threads are limited to one while tracks are tagged
    (they only spun and took CPU from the workers) and given back after the run."""
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads() -> list[int]:
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    store, good, _ = library
    before = blas_threads()
    if not before:
        pytest.skip("numpy has no BLAS threadpoolctl can see")
    seen: list[list[int]] = []

    class Probe:
        version = "blas-test"

        def predict_file(self, path, time_limit_s=30.0):
            seen.append(blas_threads())
            raise DecodeError("probe only")

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):  # as on a 2-core machine, whatever this has
        outside = blas_threads()  # (a BLAS built for one thread stays at 1)
        assert 2 in outside, outside
        Tagger(store, model=Probe(), workers=2).run()
        assert seen and all(s == [1] * len(outside) for s in seen), seen
        assert blas_threads() == outside, "restored after the run"


def test_a_file_that_left_the_library_mid_run_is_no_problem(model, library) -> None:
    """Moved to the trash while the tagger worked on it: its decode fails, but nothing is listed under Problems."""
    store, good, broken = library

    class Trashing:
        version = model.version

        def predict_file(self, path: str, time_limit_s: float | None = None) -> dict:
            if path == str(broken):
                store.remove_tracks([path])  # what the window's Move to the trash does meanwhile
                broken.unlink()
            return model.predict_file(path, time_limit_s=time_limit_s)

    s = Tagger(store, model=Trashing(), workers=1).run()
    assert s.failed == 1 and s.tagged == len(good)
    assert store.problems("tag") == [], "the file is gone on purpose: not a problem"
    assert store.get_track(str(broken)) is None


def test_a_file_forgotten_while_its_problem_is_written_is_no_problem(tmp_path):
    """Moved to the trash on the GUI thread between the tagger's writes: still no problem listed for it."""
    from emotion.audio_features import DecodeError

    bad = str(tmp_path / "bad.ogg")
    (tmp_path / "bad.ogg").write_bytes(b"junk")
    store = Store(tmp_path / "db.json")
    store.upsert_tracks([{"path": bad, "title": "bad", "duration": 10.0, "size": 4, "mtime": 1.0, "kind": "audio"}])

    class Model:
        version = "v-test"

        def predict_file(self, path, time_limit_s=None):
            raise DecodeError("cannot decode")

    real_update = store.update_tracks

    def update_tracks(updates):
        real_update(updates)
        store.remove_tracks([bad])  # forget_tracks() on the GUI thread, at this moment
        store.clear_problems(paths=[bad])

    store.update_tracks = update_tracks
    Tagger(store, model=Model(), workers=1).run()
    assert store.get_track(bad) is None
    assert store.problems("tag") == [], store.problems("tag")


def test_the_tagger_measures_loudness_and_a_light_pass_fills_in_older_tags(model, tmp_path) -> None:
    """Full runs measure each file's loudness from the same excerpts; a track tagged before (or set by hand) gets
    it in a light job, without the networks."""
    import soundfile as sf

    from emotion.tagger import loudness_key, needs_loudness
    from library.mood_edits import mood_fields

    sr = 22050
    t = np.arange(20 * sr) / sr
    loud, quiet = tmp_path / "loud.wav", tmp_path / "quiet.wav"
    sf.write(str(loud), (0.5 * np.sin(2 * np.pi * 997 * t)).astype(np.float32), sr)
    sf.write(str(quiet), (0.05 * np.sin(2 * np.pi * 997 * t)).astype(np.float32), sr)
    store = Store(tmp_path / "lib.json")
    add_tracks(store, [loud, quiet])
    first = Tagger(store, model=model)
    s = first.run()
    assert (s.tagged, s.measured, first.loudness_only) == (2, 0, False)
    a, b = store.get_track(str(loud)), store.get_track(str(quiet))
    assert abs(a["loudness"] - (-9.0)) < 0.3 and abs(b["loudness"] - a["loudness"] + 20.0) < 0.3, (a, b)
    assert a["loudness_key"] == loudness_key(a) and not needs_loudness(a, model.version)
    # as tagged by an older Moodtape: mood tags, no loudness; and one mood set by hand
    store.update_tracks([(str(loud), {"loudness": None, "loudness_key": None}),
                         (str(quiet), {**mood_fields(b, "Q4"), "loudness_key": None})])

    class Networks:
        version = model.version
        full = 0

        def predict_file(self, path, time_limit_s=None):
            Networks.full += 1
            return model.predict_file(path, time_limit_s=time_limit_s)

        def loudness_file(self, path, time_limit_s=None):
            return model.loudness_file(path, time_limit_s=time_limit_s)

    light = Tagger(store, model=Networks())
    s = light.run()
    assert s.total == 2 and Networks.full == 0, "light jobs only"
    assert (s.tagged, s.measured, light.loudness_only) == (0, 2, True), "measured, not mood-tagged"
    assert s.as_dict()["measured"] == 2
    a, b = store.get_track(str(loud)), store.get_track(str(quiet))
    assert abs(a["loudness"] - (-9.0)) < 0.3 and b["loudness"] < a["loudness"] - 19
    assert b["quadrant"] == "Q4" and b["mood_by"] == "you", "the hand-set mood stays"
    assert Tagger(store, model=Networks()).run().total == 0, "measured once"


def test_a_loudness_that_cannot_be_measured_is_no_mood_tagging_problem(tmp_path) -> None:
    from emotion.tagger import loudness_key

    store = Store(tmp_path / "lib.json")
    bad = tmp_path / "gone-bad.ogg"
    bad.write_bytes(b"junk")
    add_tracks(store, [bad])
    track = store.get_track(str(bad))
    store.update_tracks([(str(bad), {"quadrant": "Q2", "valence": -0.3, "arousal": 0.5, "model_version": "m1",
                                     "tag_key": tag_key_for(track, "m1")})])  # tagged by an older Moodtape

    class Model:
        version = "m1"

        def predict_file(self, path, time_limit_s=None):
            raise AssertionError("no mood tagging: the track has its mood")

        def loudness_file(self, path, time_limit_s=None):
            raise DecodeError("cannot decode")

    batches: list = []
    s = Tagger(store, model=Model(), on_tagged=batches.extend).run()
    assert s.total == 1
    t = store.get_track(str(bad))
    assert t["quadrant"] == "Q2" and not t.get("tag_error"), "its mood tags are untouched"
    assert t.get("loudness") is None and t["loudness_key"] == loudness_key(t) and "cannot decode" in t["loudness_error"]
    assert store.problems() == []
    assert Tagger(store, model=Model()).run().total == 0, "not retried"
