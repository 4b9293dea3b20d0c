"""Running work off the GUI thread and posting results back to it.

`run_in_background(fn, on_done, on_progress, on_error)`: fn(report) runs on a QThreadPool thread; `report(x)`
sends progress; results and errors come back through queued Qt signals on the GUI thread. Tests swap the pool
for `SyncPool`, which runs the work at once on the calling thread.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger("moodtape.workers")


class _Signals(QObject):
    progress = Signal(object)
    done = Signal(object)
    failed = Signal(str, str)  # message, traceback


class Task(QRunnable):
    def __init__(self, fn: Callable[[Callable[[Any], None]], Any], name: str = "task") -> None:
        super().__init__()
        self.fn = fn
        self.name = name
        self.signals = _Signals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.fn(self.signals.progress.emit)
        except Exception as exc:  # a worker's failure is reported, never fatal
            tb = traceback.format_exc()
            log.error("background task %s failed:\n%s", self.name, tb)
            self.signals.failed.emit(f"{self.name} failed: {exc.__class__.__name__}: {exc}", tb)
            return
        self.signals.done.emit(result)


class SyncPool:
    """A stand-in for QThreadPool that runs each task immediately (offscreen tests)."""

    def start(self, task: QRunnable) -> None:
        task.run()

    def waitForDone(self, msecs: int = -1) -> bool:
        return True


_pool: QThreadPool | SyncPool | None = None
_running: set[Task] = set()


def set_pool(pool: QThreadPool | SyncPool | None) -> None:
    global _pool
    _pool = pool


def pool() -> QThreadPool | SyncPool:
    global _pool
    if _pool is None:
        p = QThreadPool()
        p.setMaxThreadCount(2)
        _pool = p
    return _pool


def run_in_background(fn: Callable[[Callable[[Any], None]], Any], on_done: Callable[[Any], None] | None = None,
                      on_progress: Callable[[Any], None] | None = None,
                      on_error: Callable[[str, str], None] | None = None, name: str = "task") -> Task:
    task = Task(fn, name)
    if on_progress is not None:
        task.signals.progress.connect(on_progress)
    if on_done is not None:
        task.signals.done.connect(on_done)
    if on_error is not None:
        task.signals.failed.connect(on_error)
    _running.add(task)
    task.signals.done.connect(lambda _r: _running.discard(task))
    task.signals.failed.connect(lambda _m, _t: _running.discard(task))
    pool().start(task)
    return task
