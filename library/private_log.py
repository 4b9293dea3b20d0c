"""Logging an exception without its message, for code that handles private text (journal entries).

A traceback's frames name files, lines and source code, never values; an exception's message can quote its
input (a tokenizer's "cannot handle '...'", a KeyError with the sentence as key). So code that reads journal text
logs failures with `log_failure(logger, what, exc)`: the exception's type and the frames, not the message.
"""

from __future__ import annotations

import logging
import traceback


def redacted_traceback(exc: BaseException) -> str:
    """The exception's chain as types and frames only (messages left out)."""
    parts: list[str] = []
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        frames = "".join(traceback.format_tb(cur.__traceback__))
        parts.append(f"{type(cur).__module__}.{type(cur).__qualname__} (message withheld)\n{frames}")
        cur = cur.__cause__ or (None if cur.__suppress_context__ else cur.__context__)
    return "\n-- caused by / during handling of --\n".join(parts)


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log `what` with the exception's type and traceback frames, never its message."""
    logger.error("%s: %s\n%s", what, type(exc).__name__, redacted_traceback(exc))
