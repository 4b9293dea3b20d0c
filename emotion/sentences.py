"""Sentence splitting and weighting for journal entries (plain Python, no model)."""

from __future__ import annotations

import re
import unicodedata

_STOP = "[.!?\u2026\u3002\uff01\uff1f]"
_CLOSE = "[\"'\u201d\u2019)\\]]"
# whitespace after a stop, or after a stop + one closing quote/bracket
_SPLIT_RE = re.compile(f"(?<={_STOP})\\s+|(?<={_STOP}{_CLOSE})\\s+")
_WORD_RE = re.compile(r"[^\W\d_]{1,}", re.UNICODE)


def split_sentences(text: str, max_chars: int = 400) -> list[str]:
    """Split an entry into sentences (stops and line breaks); long runs are cut at word boundaries."""
    out: list[str] = []
    for block in re.split(r"\s*\n\s*", text):  # a line break ends a sentence too
        for piece in _SPLIT_RE.split(block):
            piece = " ".join(piece.split())
            if not piece:
                continue
            while len(piece) > max_chars:
                cut = piece.rfind(" ", 0, max_chars)
                if cut < max_chars // 2:
                    cut = max_chars
                out.append(piece[:cut].strip())
                piece = piece[cut:].strip()
            if piece:
                out.append(piece)
    return out


def words(text: str) -> list[str]:
    return _WORD_RE.findall(text)


def letter_stats(text: str) -> tuple[int, int]:
    """(letters, ASCII Latin letters) in the text."""
    letters = sum(1 for ch in text if unicodedata.category(ch).startswith("L"))
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    return letters, latin
