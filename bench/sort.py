"""Sorting the library table: seconds from a click on a column title to the rows in order, on a big library.

python bench/sort.py --tracks 50000

The library model sorts its rows in Python, one key a track (`ui.library_model.sort_keys`: text ignoring case,
ties in album order), and the filter proxy keeps that order. The baseline, in the same run, is Qt's own way: the
QSortFilterProxyModel sorts, asking the model through data() for a sort role on every comparison (the same keys,
computed beforehand, as text with numbers zero-padded, so data() only looks them up; the two ascending orders are
compared). Median over the columns Artist, Album, Title, # and Length, each sorted --repeat times (ascending, then
descending, …), offscreen.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from _common import emit

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

COLUMNS_TIMED = ("artist", "album", "title", "track_no", "duration")


def make_rows(n: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        album = rng.randrange(max(1, n // 10))
        rows.append({
            "path": f"/music/artist{album % 700}/album{album}/{i:06d}.mp3", "title": f"Track {rng.random():.6f}",
            "artist": f"Artist {album % 700}", "album": f"Album {album}", "genre": "Pop",
            "duration": 120.0 + rng.random() * 200, "track_no": rng.randrange(1, 15), "disc_no": None,
            "year": 1960 + album % 60, "albumartist": "", "kind": "audio"})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracks", type=int, default=50000)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()

    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtWidgets import QApplication

    from ui.library_model import COLUMNS, LibraryFilter, LibraryModel, sort_keys

    app = QApplication.instance() or QApplication([])
    rows = make_rows(args.tracks)
    index_of = {key: i for i, (key, _) in enumerate(COLUMNS)}
    sort_role = Qt.ItemDataRole.UserRole + 50

    def as_text(value: object) -> str:
        if isinstance(value, tuple):
            return "\x02".join(as_text(v) for v in value)
        return f"{value:026.12f}" if isinstance(value, int | float) else str(value)

    text_keys = {key: [as_text(k) for k in sort_keys(rows, key)] for key in COLUMNS_TIMED}

    class RoleModel(LibraryModel):
        """The library model answering a sort role (keys made beforehand), for the proxy's own sort (the
        baseline)."""

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            if role == sort_role:
                return text_keys[COLUMNS[index.column()][0]][index.row()]
            return super().data(index, role)

    model = LibraryModel()
    model.set_rows(rows)
    proxy = LibraryFilter()
    proxy.setSourceModel(model)
    base_model = RoleModel()
    base_model.set_rows(rows)
    base_proxy = QSortFilterProxyModel()
    base_proxy.setSortRole(sort_role)
    base_proxy.setSourceModel(base_model)

    def order(p) -> list[str]:
        return [p.data(p.index(r, 0)) for r in range(0, p.rowCount(), max(1, p.rowCount() // 500))]

    times, base_times, same = [], [], 0
    for key in COLUMNS_TIMED:
        col = index_of[key]
        for rep in range(args.repeat):
            direction = Qt.SortOrder.DescendingOrder if rep % 2 else Qt.SortOrder.AscendingOrder
            t = time.perf_counter()
            proxy.sort(col, direction)
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            base_proxy.sort(col, direction)
            base_times.append(time.perf_counter() - t)
        proxy.sort(col, Qt.SortOrder.AscendingOrder)  # descending keeps albums in play order, Qt's way does not
        base_proxy.sort(col, Qt.SortOrder.AscendingOrder)
        same += order(proxy) == order(base_proxy)
    fig, base = statistics.median(times), statistics.median(base_times)
    emit({
        "figure": round(fig, 4), "unit": f"s to sort {args.tracks} tracks by a column (median)",
        "baseline": round(base, 3), "ratio": round(base / fig, 1),
        "max_s": round(max(times), 4), "baseline_max_s": round(max(base_times), 3),
        "same_order_as_baseline": f"{same}/{len(COLUMNS_TIMED)} columns",
        "tracks": args.tracks, "load_avg_1min": round(os.getloadavg()[0], 2), "cpu_count": os.cpu_count(),
    })
    del app


if __name__ == "__main__":
    main()
