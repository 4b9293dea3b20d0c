"""A failure while reading a journal entry is logged without the exception's message (it may quote the entry)."""

from __future__ import annotations

import logging

from library.private_log import redacted_traceback

SECRET = "my secret diary sentence about Alice"


def _boom(text: str) -> None:
    try:
        {}[text]
    except KeyError as exc:
        raise ValueError(f"could not read {text!r}") from exc


def test_redacted_traceback_keeps_types_and_frames_not_messages() -> None:
    try:
        _boom(SECRET)
    except ValueError as exc:
        tb = redacted_traceback(exc)
    assert SECRET not in tb
    assert "ValueError" in tb and "KeyError" in tb and "_boom" in tb and "message withheld" in tb


def test_journal_reader_failure_logs_no_entry_text(caplog, monkeypatch) -> None:
    from emotion.text_model import JournalReader

    reader = JournalReader(threads=1)

    def fail(text: str):
        raise RuntimeError(f"tokenizer choked on: {text}")

    monkeypatch.setattr(reader, "_read", fail)
    with caplog.at_level(logging.ERROR):
        reading = reader.read(SECRET)
    assert not reading.ok and "RuntimeError" in reading.message
    logged = "\n".join(r.getMessage() + (str(r.exc_info) if r.exc_info else "") for r in caplog.records)
    assert "journal reading failed" in logged and "RuntimeError" in logged
    assert SECRET not in logged and SECRET not in reading.message
