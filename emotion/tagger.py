"""Background tagging of the store's untagged tracks with the audio mood model.

Plain Python threading (no Qt): the UI wraps the callbacks into Qt signals.

- A track is tagged when its `tag_key` equals `tag_key_for(track, MODEL_VERSION)` (size:mtime:model version),
  so a changed file or a new model version re-tags it.
- A file that fails to decode is recorded with `store.add_problem(path, "tag", reason)` and its `tag_error_key`
  is set to the same key: it is not retried until the file or the model changes (no retry loop).
- Each file is decoded from 3 short windows (never the whole file) under a per-file time limit; a worker that
  still hangs past the limit is abandoned and the file recorded as a problem.
- Results are written to the store in batches (`update_tracks` + `flush`); `on_result` hears of each track as
  soon as it is tagged (so a view can fill in live), `on_tagged` of each batch once it is written.
- The workers run at a lower CPU priority (`TAG_NICE`) than the rest of the app, so playback and the window stay
  responsive while the cores are busy tagging.
"""

from __future__ import annotations

import os
import queue as _queue
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from typing import Any

ProgressCb = Callable[[int, int, float], None]
TaggedCb = Callable[[list[tuple[str, dict]]], None]
ResultCb = Callable[[str, dict], None]
FinishedCb = Callable[["TagSummary"], None]

TAG_FIELDS = ("valence", "arousal", "quadrant", "moods", "model_version", "tag_key")


def tag_key_for(track: dict, model_version: str) -> str:
    """File identity + model version: what a valid tag (or a remembered failure) is keyed by."""
    size = track.get("size")
    mtime = track.get("mtime")
    if size is None or mtime is None:
        try:
            st = os.stat(track["path"])
            size, mtime = st.st_size, st.st_mtime
        except OSError:
            size, mtime = -1, -1
    return f"{size}:{mtime}:{model_version}"


LOUDNESS_VERSION = "loudness-2"  # a new one when emotion/loudness.py comes to read differently
LOUDNESS_FIELDS = ("loudness", "loudness_key")


def loudness_key(track: dict) -> str:
    return tag_key_for(track, LOUDNESS_VERSION)


def needs_loudness(track: dict, model_version: str) -> bool:
    """Its loudness not measured for this file yet (tagged before Moodtape measured it, or its mood set by hand):
    a light job decodes the excerpts again, without the networks. A file that failed to decode is not retried."""
    if track.get("loudness_key") == loudness_key(track):
        return False
    return track.get("tag_error_key") != tag_key_for(track, model_version)


def needs_tag(track: dict, model_version: str) -> bool:
    if track.get("mood_by") == "you":  # the listener set this mood (library/mood_edits.py): it stays
        return False
    key = tag_key_for(track, model_version)
    return track.get("tag_key") != key and track.get("tag_error_key") != key


def release_free_memory() -> None:
    """Give the heap memory freed by a tagging run back to the system (glibc keeps it per thread arena, and
    every run's worker threads get arenas of their own, so a long session would otherwise creep up)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


@dataclass
class TagSummary:
    total: int = 0
    tagged: int = 0  # mood tags written
    measured: int = 0  # loudness measured in a light job (the track kept its mood tag)
    failed: int = 0
    remaining: int = 0
    seconds: float = 0.0
    tracks_per_s: float = 0.0
    model_version: str = ""
    cancelled: bool = False
    error: str | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "tagged": self.tagged,
            "measured": self.measured,
            "failed": self.failed,
            "remaining": self.remaining,
            "seconds": round(self.seconds, 3),
            "tracks_per_s": round(self.tracks_per_s, 3),
            "model_version": self.model_version,
            "cancelled": self.cancelled,
            "error": self.error,
        }


class ModelUnavailable(RuntimeError):
    """The audio model file is missing or cannot be loaded: mood tagging is off (the player goes on)."""


TAG_NICE = 10  # how much lower than the rest of the app the tagging workers run (Unix nice increment)


PER_THREAD_NICE = sys.platform.startswith("linux")  # elsewhere a thread id is not a setpriority target


def thread_priority() -> int:
    """The calling thread's nice value (0 where the platform has no per-thread nice)."""
    if not PER_THREAD_NICE:
        return 0
    try:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    except (AttributeError, OSError):
        return 0


def lower_this_thread(nice: int | None) -> bool:
    """Run the calling thread at nice value `nice` (Linux: nice is per thread; threads and decoder processes it
    starts inherit it) unless it already runs that low, so that playback and the window keep the cores they need
    while tracks are tagged. Linux only; False elsewhere or when refused (the work then runs at its old
    priority)."""
    if nice is None or not PER_THREAD_NICE:
        return False
    try:
        tid = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, tid) < nice:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, nice))
    except OSError:
        return False
    return True


def one_blas_thread():
    """Limit numpy's BLAS (OpenBLAS) to one thread while tracks are tagged, and return the limiter to restore it
    with (None where threadpoolctl is missing). The tagging workers already fill the cores; OpenBLAS's own
    helper threads then only add spinning and, running at the app's priority, take CPU from the workers
    (`bench/tag.py --tracks 120` on 2 cores: 2.17-2.32 tracks/s with them, 2.59-2.80 without)."""
    try:
        import numpy  # noqa: F401  (its BLAS must be loaded to be limited)
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=1, user_api="blas")


class _DaemonPool:
    """A minimal pool of daemon threads, run at nice value `nice`. ThreadPoolExecutor joins its threads at
    interpreter exit, so one decode that hangs past its time limit (abandoned below) would keep `main.py tag`
    from ever exiting."""

    def __init__(self, workers: int, name: str, nice: int | None = None) -> None:
        self._nice = nice
        self._jobs: _queue.SimpleQueue = _queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, name=f"{name}_{i}", daemon=True)
                         for i in range(max(1, workers))]
        for t in self._threads:
            t.start()

    def _work(self) -> None:
        lower_this_thread(self._nice)
        while True:
            job = self._jobs.get()
            if job is None:
                return
            fut, fn, args = job
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args)
            except BaseException as exc:  # delivered through the future
                fut.set_exception(exc)
            else:
                fut.set_result(result)

    def submit(self, fn: Callable, *args: Any) -> Future:
        fut: Future = Future()
        self._jobs.put((fut, fn, args))
        return fut

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        if cancel_futures:
            while True:
                try:
                    job = self._jobs.get_nowait()
                except _queue.Empty:
                    break
                if job is not None:
                    job[0].cancel()
        for _ in self._threads:
            self._jobs.put(None)
        if wait:
            for t in self._threads:
                t.join()


def default_threads(workers: int) -> int:
    """Torch threads per process so that workers x threads does not exceed the cores (at most 2)."""
    cores = os.cpu_count() or 1
    return max(1, min(2, cores) // max(1, workers))


class Tagger:
    """Tags every track of `store` that lacks a valid tag. `run()` blocks; `start()` runs it in a thread."""

    def __init__(
        self,
        store,
        model=None,
        workers: int = 1,
        batch_size: int = 16,
        time_limit_s: float = 30.0,
        threads: int | None = None,
        on_progress: ProgressCb | None = None,
        on_tagged: TaggedCb | None = None,
        on_finished: FinishedCb | None = None,
        model_path=None,
        on_result: ResultCb | None = None,
    ) -> None:
        self.store = store
        self.model = model
        self.model_path = model_path
        self.workers = max(1, int(workers))
        self.batch_size = max(1, int(batch_size))
        self.time_limit_s = float(time_limit_s)
        self.threads = threads if threads is not None else default_threads(self.workers)
        self.on_progress = on_progress
        self.on_tagged = on_tagged
        self.on_finished = on_finished
        self.on_result = on_result
        self._run_flag = threading.Event()  # set = running (not paused)
        self._run_flag.set()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self.summary: TagSummary | None = None
        self.loudness_only = False  # this run only measures loudness (tracks tagged before Moodtape measured it)
        self.done = threading.Event()  # set once the run has reported its summary (its thread may still exit)
        self._started: dict[str, float] = {}
        self.hang_grace_s = 10.0  # extra seconds past time_limit_s before a stuck decode is abandoned
        self.nice = TAG_NICE  # the workers' priority below the app's (0: the same)
        self._base_priority: int | None = None  # of the thread that started the run

    # --- control ---------------------------------------------------------------------------------------------

    def pause(self) -> None:
        self._run_flag.clear()

    def resume(self) -> None:
        self._run_flag.set()

    def cancel(self) -> None:
        self._cancel.set()
        self._run_flag.set()

    @property
    def paused(self) -> bool:
        return not self._run_flag.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> threading.Thread:
        """Run in a background (daemon) thread; returns the thread."""
        if self.is_running():
            assert self._thread is not None
            return self._thread
        self._base_priority = thread_priority()
        self._thread = threading.Thread(target=self._run_safe, name="moodtape-tagger", daemon=True)
        self._thread.start()
        return self._thread

    def join(self, timeout: float | None = None) -> TagSummary | None:
        if self._thread is not None:
            self._thread.join(timeout)
        return self.summary

    def _run_safe(self) -> None:
        lower_this_thread(self._worker_nice())  # the background run's own thread (model load, store writes) too
        try:
            self.run()
        except Exception as exc:  # reported through summary / on_finished
            summary = self.summary or TagSummary()
            summary.error = f"{exc.__class__.__name__}: {exc}"
            self.summary = summary
            self.done.set()
            if self.on_finished:
                self.on_finished(summary)

    # --- work --------------------------------------------------------------------------------------------------

    def _load_model(self):
        if self.model is None:
            from emotion.audio_model import AudioMoodModel

            try:
                self.model = AudioMoodModel.load(self.model_path, threads=self.threads)
            except Exception as exc:  # missing or damaged weights: say so, once, in words
                where = self.model_path or "the shipped weights"
                raise ModelUnavailable(f"the audio model could not load from {where} "
                                       f"({exc.__class__.__name__}: {exc})"[:400]) from exc
        else:
            import torch

            torch.set_num_threads(max(1, self.threads))
        return self.model

    def _set_by_hand(self, path: str) -> bool:
        """The listener set this track's mood while it was being tagged: their word wins."""
        track = self.store.get_track(path)
        return track is not None and track.get("mood_by") == "you"

    def pending(self, model_version: str | None = None, loudness: bool = False) -> list[dict]:
        """The tracks to tag with this model version; with `loudness`, also those to measure the loudness of
        (`needs_loudness`; a model that cannot measure it gets none)."""
        if model_version is None:
            if self.model is not None:
                model_version = self.model.version
            else:
                from emotion.audio_model import MODEL_VERSION

                model_version = MODEL_VERSION
        return [t for t in self.store.all_tracks()
                if needs_tag(t, model_version) or loudness and needs_loudness(t, model_version)]

    def _worker_nice(self) -> int | None:
        """The nice value tagging runs at: `nice` below the thread that started it (None: leave it)."""
        if self.nice <= 0:
            return None
        base = self._base_priority if self._base_priority is not None else thread_priority()
        return min(19, base + self.nice)

    def _new_pool(self) -> _DaemonPool:
        """The workers of a run (a fresh set replaces one stuck on a hanging decode)."""
        return _DaemonPool(self.workers, "moodtape-tag", self._worker_nice())

    def _tag_one(self, path: str, light: bool = False) -> dict:
        self._run_flag.wait()
        if self._cancel.is_set():
            raise _Cancelled()
        self._started[path] = time.monotonic()
        if light:  # only the loudness
            return self.model.loudness_file(path, time_limit_s=self.time_limit_s)
        return self.model.predict_file(path, time_limit_s=self.time_limit_s)

    def run(self) -> TagSummary:
        """Tag all pending tracks; blocks until done or cancelled. Returns the summary."""
        model = self._load_model()
        blas = one_blas_thread()
        try:
            return self._tag_pending(model)
        finally:
            if blas is not None:
                blas.restore_original_limits()

    def _tag_pending(self, model) -> TagSummary:
        from emotion.audio_features import DecodeError

        version = model.version
        tracks = self.pending(version, loudness=hasattr(model, "loudness_file"))
        summary = TagSummary(total=len(tracks), model_version=version)
        self.summary = summary
        t0 = time.monotonic()
        done = 0
        results: list[tuple[str, dict]] = []
        problems: list[tuple[str, str]] = []
        last_write = time.monotonic()

        def write(force: bool = False) -> None:
            nonlocal results, problems, last_write
            if not results and not problems:
                return
            if not force and len(results) + len(problems) < self.batch_size and time.monotonic() - last_write < 5:
                return
            updates = [(path, fields if not self._set_by_hand(path) else  # their mood stays; the loudness is new
                        {k: fields[k] for k in LOUDNESS_FIELDS if k in fields}) for path, fields in results]
            for path, reason in problems:  # a loudness that could not be measured is no mood-tagging problem
                if path in light:
                    updates.append((path, {"loudness": None, "loudness_key": loudness_key(by_path[path]),
                                           "loudness_error": reason}))
            problems = [(path, reason) for path, reason in problems if path not in light]
            for path, reason in problems:
                track = by_path[path]
                updates.append((path, {"tag_error_key": tag_key_for(track, version), "tag_error": reason}))
            if updates:
                self.store.update_tracks(updates)
            # a file that left the library meanwhile (moved to the trash, its folder forgotten) is no problem
            self.store.add_problems([(path, "tag", reason) for path, reason in problems], tracked_only=True)
            self.store.flush()
            if results and self.on_tagged:
                self.on_tagged(list(results))
            results, problems = [], []
            last_write = time.monotonic()

        by_path = {t["path"]: t for t in tracks}
        light = {t["path"] for t in tracks if not needs_tag(t, version)}  # pending for their loudness only
        self.loudness_only = bool(tracks) and len(light) == len(tracks)  # a pass that reads no moods
        queue = list(tracks)
        in_flight: dict[Future, tuple[str, float]] = {}
        ex = self._new_pool()
        try:
            while queue or in_flight:
                while queue and len(in_flight) < self.workers * 2 and not self._cancel.is_set():
                    self._run_flag.wait()
                    if self._cancel.is_set():
                        break
                    track = queue.pop(0)
                    self._started.pop(track["path"], None)
                    in_flight[ex.submit(self._tag_one, track["path"], track["path"] in light)] = (track["path"], 0.0)
                if not in_flight:
                    break
                finished, _ = wait(list(in_flight), timeout=0.5, return_when=FIRST_COMPLETED)
                now = time.monotonic()
                for fut in list(in_flight):
                    if fut not in in_flight:  # requeued after an abandoned decode
                        continue
                    path, _ = in_flight[fut]
                    started = self._started.get(path)
                    if fut in finished:
                        del in_flight[fut]
                        try:
                            res = fut.result()
                        except _Cancelled:
                            continue
                        except DecodeError as exc:
                            problems.append((path, f"decode failed: {exc}"))
                            summary.failed += 1
                        except Exception as exc:
                            problems.append((path, f"{exc.__class__.__name__}: {exc}"[:300]))
                            summary.failed += 1
                        else:
                            fields = {}
                            if path not in light:  # a mood tag (a light job measured the loudness only)
                                fields = {k: res[k] for k in ("valence", "arousal", "quadrant", "moods",
                                                              "model_version")}
                                fields.update(tag_key=tag_key_for(by_path[path], version), tag_error_key=None,
                                              tag_error=None)
                            if "loudness" in res:
                                fields["loudness"] = res["loudness"]
                                fields["loudness_key"] = loudness_key(by_path[path])
                            results.append((path, fields))
                            if path in light:
                                summary.measured += 1
                            else:
                                summary.tagged += 1
                            if self.on_result:
                                self.on_result(path, fields)
                        done += 1
                    elif started is not None and now - started > self.time_limit_s + self.hang_grace_s:
                        # a decode that ignores its time limit: give up on it. Its thread is left behind in the
                        # old pool; a fresh pool takes over, and the not yet started files go back in the queue.
                        del in_flight[fut]
                        requeue = [f for f in in_flight if in_flight[f][0] not in self._started and f.cancel()]
                        for f in requeue:
                            queue.insert(0, by_path[in_flight.pop(f)[0]])
                        ex.shutdown(wait=False, cancel_futures=True)
                        ex = self._new_pool()
                        problems.append((path, f"timed out after {self.time_limit_s:.0f} s"))
                        summary.failed += 1
                        done += 1
                    else:
                        continue
                    elapsed = max(time.monotonic() - t0, 1e-6)
                    if self.on_progress:
                        self.on_progress(done, summary.total, done / elapsed)
                write()
                if self._cancel.is_set() and not in_flight:
                    break
        finally:
            ex.shutdown(wait=True, cancel_futures=True)
            write(force=True)
        summary.cancelled = self._cancel.is_set()
        summary.remaining = summary.total - done
        summary.seconds = time.monotonic() - t0
        summary.tracks_per_s = done / summary.seconds if summary.seconds > 0 else 0.0
        summary.problems = []
        release_free_memory()
        self.done.set()
        if self.on_finished:
            self.on_finished(summary)
        return summary


class _Cancelled(Exception):
    pass
