"""Guards against a Qt binding trap: PySide6 6.12.0's Signal.emit() drops one reference to True per call, so a
long session (the position tick alone emits five times a second) ends in 'Fatal Python error: bool_dealloc'.
constraints.txt pins 6.11.3; this test fails on a binding with that bug."""

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    any = Signal(object)
    several = Signal(str, float, bool)


def test_emit_keeps_reference_counts(qapp):
    e = _Emitter()
    e.any.connect(lambda _x: None)
    e.several.connect(lambda *_a: None)
    before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    for _ in range(200):
        e.any.emit(None)
        e.several.emit("x", 0.5, True)
    after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    # 400 emits: the buggy binding loses 400 references to True; allow a little noise from the interpreter
    assert all(a >= b - 5 for a, b in zip(after, before)), f"Signal.emit() leaks references: {before} -> {after}"


def test_non_utf8_paths_survive_signals(qapp):
    import os

    odd = os.fsdecode(b"/music/caf\xe9.mp3")
    got = []
    e = _Emitter()
    e.any.connect(got.append)
    e.any.emit(odd)
    assert got == [odd]
