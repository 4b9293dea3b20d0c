"""Added, Format and Bitrate: when a track came into the library, its file type and bitrate, read at scan and
shown in columns of the header menu."""

from __future__ import annotations

import os
import time

import pytest
from PySide6.QtCore import Qt

from library.scanner import scan_folder
from library.store import Store
from library.tags import read_tags
from tests.media import encode, tag, tone, write_wav


@pytest.mark.parametrize(("ext", "low", "high"), [(".mp3", 56, 72), (".flac", 20, 800), (".ogg", 30, 200),
                                                  (".opus", 20, 200), (".m4a", 40, 200), (".wav", 352, 353)])
def test_format_and_bitrate_of_each_kind(tmp_path, ext, low, high):
    src = write_wav(tmp_path / "src.wav", tone(3.0))
    path = src if ext == ".wav" else encode(src, tmp_path / f"t{ext}")
    t = read_tags(str(path))
    assert t["format"] == ext[1:].upper()
    assert low <= t["bitrate"] <= high, t["bitrate"]  # kbps; 22.05 kHz mono 16-bit WAV: 352.8


def test_added_is_the_first_scan_and_stays(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    src = write_wav(tmp_path / "src.wav", tone(0.5))
    first = encode(src, folder / "a.ogg")
    store = Store(tmp_path / "db.json")
    before = time.time()
    scan_folder(store, str(folder))
    added = store.get_track(str(first))["added"]
    assert before - 1 <= added <= time.time() + 1
    tag(first, "New", "A", "B", "C")  # changed on disk: read again, still the same "added"
    os.utime(first, (time.time() + 5, time.time() + 5))
    encode(src, folder / "b.ogg")
    scan_folder(store, str(folder))
    assert store.get_track(str(first))["title"] == "New" and store.get_track(str(first))["added"] == added
    assert store.get_track(str(folder / "b.ogg"))["added"] >= added


def test_a_track_from_before_gets_its_file_time_as_added(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    path = encode(write_wav(tmp_path / "src.wav", tone(0.5)), folder / "old.ogg")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    store = Store(tmp_path / "db.json")
    scan_folder(store, str(folder))
    store.update_tracks([(str(path), {"added": None, "tags_version": 3})])  # as the version before left it
    scan_folder(store, str(folder))
    assert store.get_track(str(path))["added"] == pytest.approx(1_600_000_000)


def test_the_columns_show_and_sort(media_window):
    w = media_window
    titles = {w.library.headerData(c, Qt.Orientation.Horizontal): c for c in range(w.library.columnCount())}
    header = w.table.horizontalHeader()
    assert all(header.isSectionHidden(titles[name]) for name in ("Added", "Format", "Bitrate"))
    w.table.sortByColumn(titles["Bitrate"], Qt.SortOrder.DescendingOrder)
    rates = [w.library.track_for(w.filter.path_at(r)).get("bitrate") or 0 for r in range(w.filter.rowCount())]
    assert rates == sorted(rates, reverse=True) and rates[0] > rates[-1]
    row = [w.filter.index(r, 0).data() for r in range(w.filter.rowCount())].index("Plain Wave")
    assert w.filter.index(row, titles["Format"]).data() == "WAV"
    assert w.filter.index(row, titles["Bitrate"]).data() == "353 kbps"
    assert w.filter.index(row, titles["Added"]).data().startswith("today ")
