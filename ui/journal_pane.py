"""The journal pane: write an entry, see how it reads, keep entries in the local store.

- Editor + a list of entries (newest first): click one to reopen it, edit it, "Save", "New", "Delete"
  (immediate, no confirmation; the text is really removed from the store).
- The reading appears ~800 ms after typing stops (QTimer debounce) and on save: valence / arousal, top
  emotions, and the sentences that weighed most.
- Inference runs on a QThreadPool worker; results come back through a queued signal. Stale results (the text
  changed since) are dropped.
- `observation(object)` emits a `mood_space.Observation(source="journal")` for each successful reading.

The constructor takes the Store (or a JournalStore) and a reader factory (a callable returning an object with
`read(text) -> Reading`), so tests can pass a fast fake reader. The real reader is created lazily, on the
worker thread, on the first reading.
"""

from __future__ import annotations

import html as _html
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from library.journal import JournalStore
from library.private_log import log_failure

log = logging.getLogger(__name__)

DEBOUNCE_MS = 800


def default_reader_factory() -> Any:
    from emotion.text_model import JournalReader

    return JournalReader()


class _Relay(QObject):
    done = Signal(int, object, object)  # request id, entry id (or None), Reading (or Exception)


class _ReadTask(QRunnable):
    def __init__(self, pane_reader: Callable[[], Any], text: str, request: int, entry_id: int | None,
                 relay: _Relay) -> None:
        super().__init__()
        self.get_reader = pane_reader
        self.text = text
        self.request = request
        self.entry_id = entry_id
        self.relay = relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result: Any = self.get_reader().read(self.text)
        except Exception as exc:
            log_failure(log, "journal reading failed", exc)  # never the message: it may quote the entry
            result = exc
        try:
            self.relay.done.emit(self.request, self.entry_id, result)
        except RuntimeError:  # the pane was destroyed meanwhile
            pass


class JournalPane(QWidget):
    """Journal editor + entry list + reading view."""

    observation = Signal(object)  # mood_space.Observation
    reading_ready = Signal(object)  # the Reading shown
    entries_changed = Signal()
    reader_off = Signal(str)  # the journal model could not load: why (emitted once; entries still save)

    def __init__(self, store: Any, reader_factory: Callable[[], Any] | None = None,
                 parent: QWidget | None = None, debounce_ms: int = DEBOUNCE_MS,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.journal = store if isinstance(store, JournalStore) else JournalStore(store)
        self._factory = reader_factory or default_reader_factory
        self._reader: Any = None
        self._reader_lock = threading.Lock()
        self._pool = pool or QThreadPool(self)
        if pool is None:
            self._pool.setMaxThreadCount(1)  # readings are serialised; the newest wins
        self._relay = _Relay()
        self._relay.done.connect(self._on_result, Qt.ConnectionType.QueuedConnection)
        self._request = 0
        self._current_id: int | None = None
        self._loading_list = False
        self.last_reading: Any = None
        self.off_reason: str | None = None

        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText("How are you feeling? Write as much or as little as you like.")
        self.entries = QListWidget()
        self.new_button = QPushButton("New")
        self.save_button = QPushButton("Save")
        self.delete_button = QPushButton("Delete")
        self.status = QLabel("")
        self.status.setObjectName("journalStatus")
        self.reading_view = QLabel("Write something to see how it reads.")
        self.reading_view.setWordWrap(True)
        self.reading_view.setTextFormat(Qt.TextFormat.RichText)
        self.reading_view.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        buttons = QHBoxLayout()
        for b in (self.new_button, self.save_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.status)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("Entries"))
        lv.addWidget(self.entries)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addWidget(self.editor, 3)
        rv.addLayout(buttons)
        rv.addWidget(self.reading_view, 2)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(split)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(debounce_ms))
        self._timer.timeout.connect(self._read_now)
        self.editor.textChanged.connect(self._on_text_changed)
        self.save_button.clicked.connect(self.save)
        self.new_button.clicked.connect(self.new_entry)
        self.delete_button.clicked.connect(self.delete_current)
        self.entries.currentItemChanged.connect(self._on_entry_selected)
        self.refresh_entries()

    # ----------------------------------------------------------------------------------- reader
    def _get_reader(self) -> Any:
        """Called on the worker thread: creates the reader on first use."""
        with self._reader_lock:
            if self._reader is None:
                self._reader = self._factory()
            return self._reader

    def _start_reading(self, text: str, entry_id: int | None) -> int:
        self._request += 1
        self.status.setText("reading…")
        self._pool.start(_ReadTask(self._get_reader, text, self._request, entry_id, self._relay))
        return self._request

    @Slot()
    def _on_text_changed(self) -> None:
        if self._loading_list:
            return
        self._timer.start()

    @Slot()
    def _read_now(self) -> None:
        self._start_reading(self.editor.toPlainText(), self._current_id)

    @Slot(int, object, object)
    def _on_result(self, request: int, entry_id: int | None, result: Any) -> None:
        if isinstance(result, Exception):
            if request == self._request:
                self.status.setText("could not read the entry")
                self.reading_view.setText(_esc(f"Could not read this entry ({result})."))
            return
        if entry_id is not None and result is not None and getattr(result, "ok", False):
            try:
                self.journal.set_reading(entry_id, result.to_dict())
            except Exception:
                log.debug("could not store reading for %s", entry_id)
        off = getattr(self._reader, "unavailable", None)
        if off and self.off_reason is None:
            self.off_reason = str(off)
            self.reader_off.emit(self.off_reason)
        if request != self._request:  # a newer reading is on its way
            return
        self.status.setText("reader off" if self.off_reason else "")
        self.last_reading = result
        self.reading_view.setText(format_reading(result))
        self.reading_ready.emit(result)
        if getattr(result, "ok", False):
            self.observation.emit(result.to_observation())

    # ----------------------------------------------------------------------------------- entries
    @Slot()
    def save(self) -> int | None:
        """Save the editor's text (new entry or the reopened one) and read it."""
        text = self.editor.toPlainText()
        if not text.strip():
            self.status.setText("nothing to save")
            return None
        reading = self.last_reading.to_dict() if self.last_reading is not None and hasattr(
            self.last_reading, "to_dict") else {}
        if self._current_id is None:
            self._current_id = self.journal.add(text, reading)
        else:
            self.journal.update(self._current_id, text, reading)
        self._timer.stop()
        self._start_reading(text, self._current_id)
        self.refresh_entries()
        self.status.setText("saved")
        return self._current_id

    @Slot()
    def new_entry(self) -> None:
        self._current_id = None
        self._loading_list = True
        try:
            self.entries.clearSelection()
            self.entries.setCurrentItem(None)
            self.editor.setPlainText("")
        finally:
            self._loading_list = False
        self.last_reading = None
        self.reading_view.setText("Write something to see how it reads.")

    @Slot()
    def delete_current(self) -> None:
        item = self.entries.currentItem()
        entry_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else self._current_id
        if entry_id is None:
            return
        self.journal.delete(int(entry_id))
        self.new_entry()
        self.refresh_entries()
        self.status.setText("deleted")

    def open_entry(self, entry_id: int) -> None:
        entry = self.journal.get(entry_id)
        if entry is None:
            return
        self._current_id = int(entry_id)
        self._loading_list = True
        try:
            self.editor.setPlainText(entry.get("text", ""))
        finally:
            self._loading_list = False
        stored = entry.get("reading") or {}
        self.last_reading = None
        if stored:
            self.reading_view.setText(format_reading_dict(stored))
        else:
            self._start_reading(entry.get("text", ""), self._current_id)

    def refresh_entries(self) -> None:
        self._loading_list = True
        try:
            self.entries.clear()
            for e in self.journal.list():
                item = QListWidgetItem(entry_title(e))
                item.setData(Qt.ItemDataRole.UserRole, int(e["id"]))
                self.entries.addItem(item)
                if self._current_id is not None and int(e["id"]) == self._current_id:
                    self.entries.setCurrentItem(item)
        finally:
            self._loading_list = False
        self.entries_changed.emit()

    @Slot(object, object)
    def _on_entry_selected(self, current: QListWidgetItem | None, _previous: Any) -> None:
        if self._loading_list or current is None:
            return
        self.open_entry(int(current.data(Qt.ItemDataRole.UserRole)))

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until queued readings are done (tests / shutdown)."""
        return self._pool.waitForDone(msecs)

    def closeEvent(self, event: Any) -> None:
        self._timer.stop()
        self._pool.waitForDone(5000)
        super().closeEvent(event)


# --------------------------------------------------------------------------------------- formatting

def _esc(text: str) -> str:
    return _html.escape(str(text), quote=False)


def entry_title(entry: dict) -> str:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(entry.get("created", 0))))
    first = " ".join(str(entry.get("text", "")).split())[:48]
    top = (entry.get("reading") or {}).get("top_emotions") or []
    tag = f" · {top[0][0]}" if top else ""
    return f"{when}  {first}{tag}"


def format_reading(reading: Any) -> str:
    return format_reading_dict(reading.to_dict() if hasattr(reading, "to_dict") else dict(reading))


def format_reading_dict(d: dict) -> str:
    if not d.get("ok"):
        return _esc(d.get("message") or "can't read this")
    v, a = float(d.get("valence", 0.0)), float(d.get("arousal", 0.0))
    parts = [f"<b>valence</b> {v:+.2f} &nbsp; <b>arousal</b> {a:+.2f}"]
    top = d.get("top_emotions") or []
    if top:
        names = ", ".join(f"{_esc(str(k))} ({float(p):.0%})" for k, p in top[:3])
        parts.append(f"<b>feels like</b> {names}")
    sents = d.get("sentences") or []
    if sents:
        rows = []
        for s, w, v, a in sents[:3]:
            short = s if len(s) <= 120 else s[:117] + "…"
            rows.append(f"<li>{_esc(short)} <i>(weight {float(w):.0%}, v {float(v):+.2f}, "
                        f"a {float(a):+.2f})</i></li>")
        parts.append("<b>what weighed most</b><ul>" + "".join(rows) + "</ul>")
    if d.get("message"):
        parts.append(f"<i>{_esc(d['message'])}</i>")
    return "<br>".join(parts)
