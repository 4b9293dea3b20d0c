"""Live facial mood from a camera (or a video file played like one).

``FaceReader`` runs two daemon threads:
- a grabber reads frames with OpenCV as fast as the source delivers them (a file is paced at its own frame
  rate, like a camera) and keeps only the newest one in a one-slot mailbox (older ones are dropped);
- a worker takes the newest frame at most ``fps`` times a second, finds the largest face (mediapipe),
  classifies the crop (mini-Xception, emotion/face_model.py), smooths the readings over a few seconds
  (``MoodSmoother``, confidence-weighted) and tracks presence (``PresenceTracker``).

Callbacks are called from the worker thread: ``on_observation(Observation)`` (smoothed, source "face"),
``on_presence(bool)`` on changes, ``on_frame(FramePreview)`` (a small RGB copy + face box for a preview)
and ``on_error(str)`` (no camera, camera busy, camera lost, model missing); after an error the reader
stops. Frames stay in memory only: nothing is written to disk. cv2/mediapipe/torch are imported lazily.
"""

from __future__ import annotations

import collections
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from emotion.mood_space import FACE_CLASSES, Observation, probabilities_to_va

PRESENCE_TIMEOUT_S = 5.0
SMOOTHING_S = 4.0
PREVIEW_WIDTH = 320


# --------------------------------------------------------------------------------------- plain logic

class MoodSmoother:
    """Confidence-weighted, time-decaying average of face observations over a window.

    Each reading weighs ``confidence * 0.5 ** (age / half_life_s)``; readings older than ``window_s``
    are dropped. The smoothed probabilities give the category and (via the mood-space table) valence and
    arousal; the smoothed confidence is the decayed mean confidence times how well the window is filled.
    """

    def __init__(self, window_s: float = SMOOTHING_S, half_life_s: float | None = None,
                 expected_rate_hz: float = 2.0) -> None:
        self.window_s = window_s
        self.half_life_s = half_life_s if half_life_s is not None else window_s / 2.0
        self.expected_rate_hz = expected_rate_hz
        self._items: collections.deque[Observation] = collections.deque()

    def reset(self) -> None:
        self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, obs: Observation) -> Observation | None:
        self._items.append(obs)
        return self.current(obs.time)

    def current(self, now: float | None = None) -> Observation | None:
        now = time.time() if now is None else now
        while self._items and now - self._items[0].time > self.window_s:
            self._items.popleft()
        if not self._items:
            return None
        probs = np.zeros(len(FACE_CLASSES))
        wsum = csum = dsum = 0.0
        for o in self._items:
            decay = 0.5 ** (max(0.0, now - o.time) / self.half_life_s)
            w = max(o.confidence, 1e-6) * decay
            probs += w * np.array([o.probabilities.get(c, 0.0) for c in FACE_CLASSES])
            wsum += w
            csum += o.confidence * decay
            dsum += decay
        probs /= wsum
        fill = min(1.0, len(self._items) / max(1.0, self.expected_rate_hz * self.window_s * 0.5))
        conf = float(csum / dsum * fill)
        v, a = probabilities_to_va(FACE_CLASSES, probs)
        return Observation("face", v, a, conf, FACE_CLASSES[int(np.argmax(probs))], now,
                           {c: float(p) for c, p in zip(FACE_CLASSES, probs)})


class PresenceTracker:
    """Listener present / away: present as soon as a face is seen, away after ``timeout_s`` without one.

    The state starts unknown (None); ``update`` returns the new state when it changes, else None.
    """

    def __init__(self, timeout_s: float = PRESENCE_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self.present: bool | None = None
        self._last_seen: float | None = None
        self._since: float | None = None

    def reset(self) -> None:
        self.present = None
        self._last_seen = self._since = None

    def update(self, face_seen: bool, now: float | None = None) -> bool | None:
        now = time.monotonic() if now is None else now
        if self._since is None:
            self._since = now
        if face_seen:
            self._last_seen = now
            if self.present is not True:
                self.present = True
                return True
            return None
        ref = self._last_seen if self._last_seen is not None else self._since
        if self.present is not False and now - ref >= self.timeout_s:
            self.present = False
            return False
        return None


def observation_from_probs(probs: np.ndarray, det_score: float = 1.0, now: float | None = None) -> Observation:
    """One raw face reading; confidence = top probability x detection score."""
    p = np.asarray(probs, dtype=np.float64)
    v, a = probabilities_to_va(FACE_CLASSES, p)
    k = int(np.argmax(p))
    return Observation("face", v, a, float(p[k]) * float(det_score), FACE_CLASSES[k],
                       time.time() if now is None else now, {c: float(x) for c, x in zip(FACE_CLASSES, p)})


@dataclass
class FramePreview:
    """A small RGB copy of the processed frame for the UI (never written anywhere)."""

    image: np.ndarray  # (h, w, 3) uint8 RGB
    box: tuple[int, int, int, int] | None  # face box in preview pixels (x, y, w, h)
    raw: Observation | None = None  # this frame's unsmoothed reading
    time: float = field(default_factory=time.time)


@dataclass
class ReaderStats:
    grabbed: int = 0
    processed: int = 0
    faces: int = 0
    dropped: int = 0
    latencies_ms: collections.deque[float] = field(default_factory=lambda: collections.deque(maxlen=5000))


# ------------------------------------------------------------------------------------------- reader

class FaceReader:
    """Camera thread producing smoothed face observations and presence (see the module doc)."""

    def __init__(self, source: int | str = 0, fps: float = 15.0,
                 on_observation: Callable[[Observation], None] | None = None,
                 on_presence: Callable[[bool], None] | None = None,
                 on_frame: Callable[[FramePreview], None] | None = None,
                 on_error: Callable[[str], None] | None = None,
                 presence_timeout_s: float = PRESENCE_TIMEOUT_S, smoothing_s: float = SMOOTHING_S,
                 model_path: str | Path | None = None, loop: bool = True,
                 preview_width: int = PREVIEW_WIDTH) -> None:
        self.source = source
        self.fps = max(0.5, float(fps))
        self.on_observation = on_observation
        self.on_presence = on_presence
        self.on_frame = on_frame
        self.on_error = on_error
        self.model_path = model_path
        self.loop = loop
        self.preview_width = preview_width
        self.smoother = MoodSmoother(smoothing_s, expected_rate_hz=self.fps)
        self.presence = PresenceTracker(presence_timeout_s)
        self.stats = ReaderStats()
        self.last_observation: Observation | None = None
        self.error: str | None = None
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._slot: tuple[np.ndarray, float, int] | None = None  # (frame, grab time, frame number)
        self._source_done = False
        self._threads: list[threading.Thread] = []
        self._cap: Any = None

    # -- public
    @property
    def is_running(self) -> bool:
        return any(t.is_alive() for t in self._threads) and not self._stop.is_set()

    def start(self) -> None:
        if self.is_running:
            return
        self._stop.clear()
        self.error = None
        self._source_done = False
        self._slot = None
        self.smoother.reset()
        self.presence.reset()
        self._threads = [threading.Thread(target=self._run_worker, name="face-reader", daemon=True)]
        self._threads[0].start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        me = threading.current_thread()
        for t in self._threads:
            if t is not me:
                t.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the reader has stopped (True) or ``timeout`` passed (False)."""
        end = None if timeout is None else time.monotonic() + timeout
        for t in list(self._threads):
            t.join(None if end is None else max(0.0, end - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)

    # -- internals
    def _fail(self, message: str) -> None:
        self.error = message
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self.on_error:
            try:
                self.on_error(message)
            except Exception:
                pass

    def _open(self) -> tuple[Any, float | None]:
        """Open the source; returns (capture, file frame interval or None for a device)."""
        import cv2

        src = self.source
        if isinstance(src, str) and src.strip().isdigit():
            src = int(src)
        if isinstance(src, str):
            if not Path(src).exists():
                raise OSError(f"Video file not found: {src}")
            cap = cv2.VideoCapture(src)
            if not cap.isOpened():
                raise OSError(f"Cannot open video file: {src}")
            rate = cap.get(cv2.CAP_PROP_FPS) or 25.0
            return cap, 1.0 / (rate if 1.0 <= rate <= 240.0 else 25.0)
        cap = cv2.VideoCapture(int(src))
        if not cap.isOpened():
            raise OSError(f"No camera found at index {src} (is one connected, or is another program using it?)")
        return cap, None

    def _run_grabber(self, cap: Any, interval: float | None) -> None:
        n = 0
        start = time.monotonic()
        failures = 0
        while not self._stop.is_set():
            if interval is not None:  # a file: deliver frames at its own rate, like a camera
                due = start + n * interval
                delay = due - time.monotonic()
                if delay > 0:
                    self._stop.wait(delay)
                    if self._stop.is_set():
                        break
            ok, frame = cap.read()
            if not ok or frame is None:
                if interval is not None:
                    if self.loop and n > 0:
                        import cv2

                        cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                        ok, frame = cap.read()
                    if not ok or frame is None:
                        with self._cond:
                            self._source_done = True
                            self._cond.notify_all()
                        return
                else:
                    failures += 1
                    if failures < 10:
                        self._stop.wait(0.05)
                        continue
                    what = "is busy or delivers no frames" if n == 0 else "was lost (disconnected?)"
                    self._fail(f"The camera {what}; the face reader stopped.")
                    return
            failures = 0
            n += 1
            with self._cond:
                if self._slot is not None:
                    self.stats.dropped += 1
                self._slot = (frame, time.monotonic(), n)
                self.stats.grabbed += 1
                self._cond.notify_all()

    def _next_frame(self) -> tuple[np.ndarray, float, int] | None:
        with self._cond:
            while self._slot is None and not self._stop.is_set() and not self._source_done:
                self._cond.wait(0.5)
            item, self._slot = self._slot, None
            return item

    def _run_worker(self) -> None:
        cap = None
        try:
            try:
                cap, interval = self._open()
            except OSError as e:
                self._fail(str(e))
                return
            self._cap = cap
            try:
                import cv2

                from emotion.face_detect import FaceDetector, crop_face, to_grey
                from emotion.face_model import INPUT_SIZE, load_model, predict_proba

                model = load_model(self.model_path)
                detector = FaceDetector()
            except Exception as e:
                self._fail(f"The face reader could not start: {e}")
                return
            grabber = threading.Thread(target=self._run_grabber, args=(cap, interval), name="face-grabber",
                                       daemon=True)
            self._threads.append(grabber)
            grabber.start()
            period = 1.0 / self.fps
            next_t = time.monotonic()
            while not self._stop.is_set():
                delay = next_t - time.monotonic()
                if delay > 0 and self._stop.wait(delay):
                    break
                item = self._next_frame()
                if item is None:
                    if self._source_done:
                        break
                    continue
                next_t = max(next_t + period, time.monotonic() - period)
                frame, t_grab, _ = item
                self._process(frame, t_grab, detector, model, cv2, crop_face, to_grey, predict_proba,
                              INPUT_SIZE)
            detector.close()
            if self._source_done and not self._stop.is_set():  # the video ran out (or could not restart)
                self._fail("The camera video ended; the face reader stopped.")
        except Exception as e:
            self._fail(f"The face reader stopped after an error: {e}")
        finally:
            self._stop.set()
            if cap is not None:
                cap.release()

    def _process(self, frame: np.ndarray, t_grab: float, detector: Any, model: Any, cv2: Any,
                 crop_face: Any, to_grey: Any, predict_proba: Any, size: int) -> None:
        grey = to_grey(frame)
        h, w = grey.shape[:2]
        det_scale = min(1.0, 640.0 / max(h, w))
        small = grey if det_scale >= 1.0 else cv2.resize(grey, (round(w * det_scale), round(h * det_scale)),
                                                         interpolation=cv2.INTER_AREA)
        box = detector.largest(small)
        raw = None
        if box is not None:
            if det_scale < 1.0:
                box.x, box.y, box.w, box.h = (box.x / det_scale, box.y / det_scale, box.w / det_scale,
                                              box.h / det_scale)
                if box.keypoints is not None:
                    box.keypoints = box.keypoints / det_scale
            crop = crop_face(grey, box, size)
            probs = predict_proba(model, np.stack([crop, crop[:, ::-1]])).mean(axis=0)
            raw = observation_from_probs(probs, box.score)
            smoothed = self.smoother.add(raw)
            self.stats.faces += 1
        else:
            smoothed = None
        self.stats.processed += 1
        changed = self.presence.update(box is not None)
        if smoothed is not None:
            self.last_observation = smoothed
            self.stats.latencies_ms.append((time.monotonic() - t_grab) * 1000.0)
            if self.on_observation:
                self.on_observation(smoothed)
        if changed is not None and self.on_presence:
            self.on_presence(changed)
        if self.on_frame:
            pw = min(self.preview_width, w)
            ps = pw / w
            ph = max(1, round(h * ps))
            img = cv2.resize(frame, (pw, ph), interpolation=cv2.INTER_AREA)
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB) if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
            pbox = None
            if box is not None:
                pbox = (int(box.x * ps), int(box.y * ps), int(math.ceil(box.w * ps)), int(math.ceil(box.h * ps)))
            self.on_frame(FramePreview(img, pbox, raw))


# ----------------------------------------------------------------------------------- test videos

def make_test_video(path: str | Path, kind: str = "face", seconds: float = 3.0, fps: int = 15,
                    size: tuple[int, int] = (640, 480)) -> Path:
    """Write a small H.264 video for tests and the benchmark (needs ffmpeg; "face" needs scikit-image).

    kind "face": scikit-image's astronaut photo (a real face) with a slow pan and zoom, like a webcam;
    "noise": random grey noise; "flat": a flat colour. Returns the path.
    """
    import shutil
    import subprocess
    import tempfile

    path = Path(path)
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise RuntimeError("ffmpeg is needed to make a test video")
    w, h = size
    common = ["-t", f"{seconds}", "-r", str(fps), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
              "-an", str(path)]
    if kind == "face":
        import cv2
        from skimage import data

        img = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
        with tempfile.TemporaryDirectory() as td:
            png = Path(td) / "face.png"
            cv2.imwrite(str(png), img)
            vf = (f"scale={w * 2}:-2,zoompan=z='1.15+0.08*sin(on/{fps})':x='iw/2-(iw/zoom/2)+20*sin(on/{fps * 2})'"
                  f":y='ih/2-(ih/zoom/2)':d=1:s={w}x{h}:fps={fps}")
            cmd = [ffmpeg, "-y", "-loglevel", "error", "-loop", "1", "-framerate", str(fps), "-i", str(png),
                   "-vf", vf] + common
            subprocess.run(cmd, check=True, capture_output=True)
        return path
    if kind == "noise":
        src = f"nullsrc=s={w}x{h}:r={fps},geq=random(1)*255:128:128"
    elif kind == "flat":
        src = f"color=c=0x406080:s={w}x{h}:r={fps}"
    else:
        raise ValueError(f"unknown test video kind {kind!r}")
    cmd = [ffmpeg, "-y", "-loglevel", "error", "-f", "lavfi", "-i", src] + common
    subprocess.run(cmd, check=True, capture_output=True)
    return path


__all__ = ["FaceReader", "FramePreview", "MoodSmoother", "PresenceTracker", "ReaderStats", "make_test_video",
           "observation_from_probs"]
