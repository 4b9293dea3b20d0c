"""PyInstaller runtime hook: make python-vlc use the libVLC and plugins inside the bundle.

Runs before main.py in the frozen app. Sets VLC_PLUGIN_PATH to <bundle>/vlc/plugins and PYTHON_VLC_LIB_PATH
to the bundled libvlc.so.5 (after loading libvlccore.so.9 globally so libvlc finds it). PYTHON_VLC_MODULE_PATH
is never set: python-vlc exits when it names a missing folder. Also keeps Hugging Face offline.
"""

from __future__ import annotations

import ctypes
import os
import sys


def _setup() -> None:
    base = getattr(sys, "_MEIPASS", None)
    if not base:
        return
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    plugins = os.path.join(base, "vlc", "plugins")
    if os.path.isdir(plugins):
        os.environ["VLC_PLUGIN_PATH"] = plugins
    core = os.path.join(base, "libvlccore.so.9")
    lib = os.path.join(base, "libvlc.so.5")
    if os.path.exists(core) and os.path.exists(lib) and "PYTHON_VLC_LIB_PATH" not in os.environ:
        try:
            ctypes.CDLL(core, mode=ctypes.RTLD_GLOBAL)
            ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
        except OSError as exc:  # leave python-vlc to its own search; the app then reports playback is off
            print(f"moodtape: bundled libVLC did not load: {exc}", file=sys.stderr)
        else:
            os.environ["PYTHON_VLC_LIB_PATH"] = lib


_setup()
