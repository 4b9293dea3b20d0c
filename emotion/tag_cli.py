"""`tag [DIR]`: headless tagging. Scans DIR first (if given), then tags every untagged track of the store.

Progress goes to stderr as one updating line; one JSON summary object goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "tag":
        argv = argv[1:]
    ap = argparse.ArgumentParser(prog="tag", description="scan a folder (optional) and tag untagged tracks")
    ap.add_argument("folder", nargs="?", default=None, help="folder to scan first")
    ap.add_argument("--store", type=Path, default=None, help="library file (default: the user's library)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: cores / workers)")
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--time-limit", type=float, default=30.0, help="seconds per file")
    ap.add_argument("--weights", type=Path, default=None, help="model weights (default: the shipped ones)")
    ap.add_argument("--quiet", action="store_true", help="no progress line")
    args = ap.parse_args(argv)

    from emotion.tagger import ModelUnavailable, Tagger
    from library.store import Store, default_path
    from library.store_lock import hold_or_say_why

    lock = hold_or_say_why(args.store or default_path())  # one program at a time writes a library
    if lock is None:
        return 2
    store = Store(args.store)
    if getattr(store, "recovered", None):
        print(f"note: {store.recovered}", file=sys.stderr)
    out: dict = {}
    try:
        if args.folder is not None:
            from library.scanner import scan_folder

            t0 = time.monotonic()
            res = scan_folder(store, str(args.folder), roots=[*(store.get_state("library_folders", []) or []),
                                                             os.path.abspath(str(args.folder))])
            folder = os.path.abspath(str(args.folder))
            folders = store.get_state("library_folders", []) or []
            if os.path.isdir(folder) and folder not in folders:
                store.set_state("library_folders", [*folders, folder])
            scan = res.summary() if hasattr(res, "summary") else {"folder": str(args.folder)}
            out["scan"] = scan
            print(f"scanned {args.folder} in {time.monotonic() - t0:.1f}s", file=sys.stderr, flush=True)

        last = [0.0]

        def progress(done: int, total: int, rate: float) -> None:
            if args.quiet:
                return
            now = time.monotonic()
            if now - last[0] < 0.25 and done < total:
                return
            last[0] = now
            end = "\n" if done >= total else ""
            print(f"\rtagging {done}/{total}  {rate:.2f} tracks/s", end=end, file=sys.stderr, flush=True)

        tagger = Tagger(store, workers=args.workers, batch_size=args.batch_size, time_limit_s=args.time_limit,
                        threads=args.threads, on_progress=progress, model_path=args.weights)
        try:
            summary = tagger.run()
        except KeyboardInterrupt:
            tagger.cancel()
            summary = tagger.summary
        except (FileNotFoundError, ModelUnavailable) as exc:  # no model weights, or damaged ones
            print(f"error: mood tagging is off: {exc}", file=sys.stderr)
            out["error"] = str(exc)
            summary = None
        out["tag"] = summary.as_dict() if summary is not None else None
        out["tagged_total"] = sum(1 for t in store.all_tracks() if t.get("tag_key"))
        out["problems"] = len(store.problems("tag"))
    finally:
        store.close()
        lock.release()
    print(json.dumps(out))
    return 1 if "error" in out else 0


if __name__ == "__main__":
    sys.exit(main())
