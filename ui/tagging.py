"""Background mood tagging, as Qt signals: wraps emotion.tagger.Tagger (plain threads) for the window."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

log = logging.getLogger("moodtape.tagging")


class TaggingController(QObject):
    progress = Signal(int, int, float)  # done, total, tracks per second
    # one track's tags as soon as it is tagged (path, fields); object, not str: a QString would drop the surrogate
    # escapes of a file name that is not UTF-8, and the row would not be found
    result = Signal(object, object)
    tagged = Signal(list)  # [(path, fields)] of a batch once it is written to the store
    finished = Signal(object)  # TagSummary
    failed = Signal(str)

    def __init__(self, store, parent: QObject | None = None, model_factory=None) -> None:
        super().__init__(parent)
        self.store = store
        self.model_factory = model_factory
        self.tagger = None

    @property
    def running(self) -> bool:
        """True while a run is working (a run that reported its summary is over, even if its thread is exiting)."""
        return self.tagger is not None and self.tagger.is_running() and not self.tagger.done.is_set()

    def start(self) -> bool:
        """Tag every untagged track in the background; False when the model is not available."""
        if self.running:
            return True
        try:
            from emotion.tagger import Tagger
        except Exception as exc:  # the audio reader is optional: the player works without it
            self.failed.emit(f"Mood tagging is off: {exc}")
            return False
        if self.model_factory:
            model = self.model_factory()
        else:  # the model the last run loaded: loading it for every rescan costs time and memory
            model = self.tagger.model if self.tagger is not None else None
        self.tagger = Tagger(self.store, model=model, on_progress=self.progress.emit, on_tagged=self.tagged.emit,
                             on_finished=self.finished.emit, on_result=self.result.emit)
        self.tagger.start()
        return True

    def pause(self) -> None:
        if self.tagger is not None:
            self.tagger.pause()

    def resume(self) -> None:
        if self.tagger is not None:
            self.tagger.resume()

    def cancel(self) -> None:
        if self.tagger is not None:
            self.tagger.cancel()

    def wait(self, timeout: float | None = None) -> None:
        if self.tagger is not None:
            self.tagger.join(timeout)
