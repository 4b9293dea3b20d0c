#!/usr/bin/env python3
"""Moodtape: a music player whose queue follows your mood.

  python main.py [--library DIR ...]        start the player (the demo library when no library is known)
  python main.py scan DIR                   scan a folder into the store and print a summary
  python main.py tag [DIR]                  tag the library's mood (scanning DIR first when given)
  python main.py demo [DIR]                 compose and render the demo library
  python main.py eval text|audio|face|queue ...   measure a model (prints one JSON object)
"""

from __future__ import annotations

import argparse
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(os.path.expanduser("~"), ".cache", "moodtape-numba"))



def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's per-thread malloc arenas (default 8 per core). Tagging, journal and planner work runs on
    short-lived worker threads; each new thread gets an arena of its own, and the memory freed in them stays
    with the process, so RSS crept up over a session (bench/soak.py: +13 % in 3 minutes, +2 % with the cap).
    Call before any thread starts. True when the cap was set (glibc only)."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False  # the user chose
    try:
        import ctypes

        m_arena_max = -8  # from glibc's malloc.h
        return bool(ctypes.CDLL("libc.so.6").mallopt(m_arena_max, arenas))
    except (OSError, AttributeError):
        return False


EVALS = {
    "text": "emotion.text_eval",
    "audio": "emotion.audio_eval",
    "face": "emotion.face_eval",
    "queue": "player.queue_eval",
}


def cmd_scan(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="main.py scan", description="Scan music folders into the store.")
    p.add_argument("folders", nargs="+")
    args = p.parse_args(argv)
    from library.scanner import scan_folder
    from library.store import Store, default_path
    from library.store_lock import hold_or_say_why

    lock = hold_or_say_why(default_path())  # the player (or another scan) writing the same library would lose writes
    if lock is None:
        return 2
    store = Store()
    if store.recovered:
        print(f"note: {store.recovered}", file=sys.stderr)
    results = []
    for folder in args.folders:
        def progress(_batch, done, total, folder=folder):
            print(f"\rscanning {folder}: {done}/{total}", end="", file=sys.stderr, flush=True)

        roots = [*(store.get_state("library_folders", []) or []), *map(os.path.abspath, args.folders)]
        res = scan_folder(store, folder, on_batch=progress, roots=roots)
        print(file=sys.stderr)
        for path, reason in res.problems:
            print(f"problem: {path}: {reason}", file=sys.stderr)
        folders = store.get_state("library_folders", []) or []
        if os.path.isdir(folder) and os.path.abspath(folder) not in folders:
            store.set_state("library_folders", [*folders, os.path.abspath(folder)])
        results.append(res.summary())
    store.close()
    lock.release()
    out = results[0] if len(results) == 1 else {"folders": results}
    print(json.dumps(out))
    return 0 if all(os.path.isdir(f) for f in args.folders) else 1


def cmd_demo(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="main.py demo", description="Compose and render the demo library.")
    p.add_argument("folder", nargs="?")
    args = p.parse_args(argv)
    from pathlib import Path

    from library import demo

    folder = demo.generate(Path(args.folder) if args.folder else None,
                           progress=lambda d, n: print(f"\rcomposing {d}/{n}", end="", file=sys.stderr))
    print(file=sys.stderr)
    print(json.dumps({"folder": str(folder), "files": len(list(folder.glob("*.ogg")))}))
    return 0


def cmd_eval(argv: list[str]) -> int:
    if not argv or argv[0] not in EVALS:
        print(f"usage: main.py eval {{{'|'.join(EVALS)}}} ...", file=sys.stderr)
        return 2
    import importlib

    module = importlib.import_module(EVALS[argv[0]])
    return int(module.main(argv[1:]) or 0)


def cmd_tag(argv: list[str]) -> int:
    from emotion import tag_cli

    return int(tag_cli.main(argv) or 0)


def cmd_self_test(argv: list[str]) -> int:
    from ui import self_test

    return int(self_test.main(argv) or 0)


COMMANDS = {"scan": cmd_scan, "tag": cmd_tag, "eval": cmd_eval, "demo": cmd_demo}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    limit_malloc_arenas()
    if argv and argv[0] in COMMANDS:
        return COMMANDS[argv[0]](argv[1:])
    if "--self-test" in argv:
        return cmd_self_test([a for a in argv if a != "--self-test"])
    p = argparse.ArgumentParser(prog="main.py", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("paths", nargs="*", metavar="FILE",
                   help="music files, playlists or file:// URLs to play now (a folder is added to the library)")
    p.add_argument("--library", action="append", metavar="DIR", help="add a music folder (repeatable)")
    p.add_argument("--session", action="store_true", help="start a hands-free session (camera on, full screen)")
    p.add_argument("--camera", default=None, help="camera device index or a video file standing in for it")
    p.add_argument("--no-demo", action="store_true", help="do not generate the demo library on first run")
    p.add_argument("--self-test", action="store_true", help="check every part headless and exit")
    args = p.parse_args(argv)
    from ui import app

    return app.run(args)


if __name__ == "__main__":
    sys.exit(main())
