"""The journal pane: debounced reading off the GUI thread, observation signal, save / reopen / delete."""

from __future__ import annotations

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from emotion.mood_space import Observation
from emotion.text_model import Reading
from library.journal import JournalStore
from library.store import Store
from ui.journal_pane import JournalPane


class FakeReader:
    def __init__(self) -> None:
        self.calls: list[str] = []
        self.threads: list[str] = []

    def read(self, text: str) -> Reading:
        self.calls.append(text)
        self.threads.append(threading.current_thread().name)
        v = 0.6 if "happy" in text else -0.6
        return Reading(ok=True, valence=v, arousal=0.1, confidence=0.7, emotions={"joy": 0.8},
                       top_emotions=[("joy", 0.8)], sentences=[(text, 1.0, v, 0.1)], n_sentences=1, n_read=1)


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "moodtape.json")
    yield s
    s.close()


def test_typing_emits_observation_after_debounce(qtbot, store) -> None:
    fake = FakeReader()
    pane = JournalPane(store, reader_factory=lambda: fake, debounce_ms=50)
    qtbot.addWidget(pane)
    with qtbot.waitSignal(pane.observation, timeout=5000) as sig:
        pane.editor.setPlainText("I am happy today")
    obs = sig.args[0]
    assert isinstance(obs, Observation) and obs.source == "journal" and obs.valence == 0.6
    assert fake.calls == ["I am happy today"]
    assert fake.threads[0] != threading.main_thread().name  # read off the GUI thread
    assert "0.60" in pane.reading_view.text() and "joy" in pane.reading_view.text()


def test_save_reopen_edit_delete(qtbot, store) -> None:
    fake = FakeReader()
    pane = JournalPane(store, reader_factory=lambda: fake, debounce_ms=10_000)
    qtbot.addWidget(pane)
    pane.editor.setPlainText("a sad grey day with strawberries")
    with qtbot.waitSignal(pane.observation, timeout=5000):
        entry_id = pane.save()
    js = JournalStore(store)
    assert entry_id is not None and pane.entries.count() == 1
    qtbot.waitUntil(lambda: js.get(entry_id)["reading"].get("valence") == -0.6, timeout=5000)
    pane.new_entry()
    assert pane.editor.toPlainText() == ""
    pane.entries.setCurrentRow(0)  # reopen
    assert pane.editor.toPlainText() == "a sad grey day with strawberries"
    pane.editor.setPlainText("now a happy day with strawberries")
    with qtbot.waitSignal(pane.observation, timeout=5000) as sig:
        assert pane.save() == entry_id
    assert sig.args[0].valence == 0.6 and js.get(entry_id)["text"].startswith("now a happy")
    pane.entries.setCurrentRow(0)
    pane.delete_current()
    pane.wait_idle()
    assert pane.entries.count() == 0 and js.list() == []
    assert "strawberries" not in store.path.read_text()


def test_real_reader_in_pane(qtbot, store) -> None:
    from emotion.text_model import JournalReader

    pane = JournalPane(store, reader_factory=lambda: JournalReader(threads=1), debounce_ms=20)
    qtbot.addWidget(pane)
    with qtbot.waitSignal(pane.observation, timeout=60_000) as sig:
        pane.editor.setPlainText("I am furious, they cancelled my flight again!")
    assert sig.args[0].source == "journal" and sig.args[0].valence < 0
    with qtbot.waitSignal(pane.reading_ready, timeout=10_000) as sig:
        pane.editor.setPlainText("🙂🙂🙂")
    assert not sig.args[0].ok and "can't read" in pane.reading_view.text()
