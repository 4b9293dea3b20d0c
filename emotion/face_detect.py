"""Face detection, alignment and cropping for the face reader (mediapipe + OpenCV).

One pipeline serves training, evaluation and the live camera, so the model sees the same kind of crop
everywhere:

1. mediapipe's short-range face detector finds faces (on the image as given: photos are grey, camera
   frames colour); when it finds none, it tries again on the image padded by ``PAD_FRACTION`` of its size
   on each side (the detector misses faces that fill the whole picture, as in tightly cropped photos);
2. the largest face is used;
3. the crop is taken from the grey image (style cues such as colour must not carry over): a square
   ``CROP_SCALE`` times the box's larger side, centred on the box, rotated so the eyes are level (angle
   limited to +-``MAX_TILT_DEG``), resized to the model's input size.

When no face is found the whole image is used (squashed to a square), so a classification is always
possible. mediapipe and cv2 are imported lazily.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PAD_FRACTION = 0.25
CROP_SCALE = 1.3
MAX_TILT_DEG = 30.0
MIN_CONFIDENCE = 0.5
DETECTOR_VERSION = "mp-short-2"  # changes invalidate cached training crops


@dataclass
class FaceBox:
    """A detected face in image pixel coordinates."""

    x: float
    y: float
    w: float
    h: float
    score: float = 1.0
    # mediapipe's six keypoints (subject's right eye, left eye, nose tip, mouth centre, right ear,
    # left ear) as (x, y) pixels, or None when unknown.
    keypoints: np.ndarray | None = field(default=None, repr=False)

    @property
    def area(self) -> float:
        return self.w * self.h

    def as_tuple(self) -> tuple[int, int, int, int]:
        return int(round(self.x)), int(round(self.y)), int(round(self.w)), int(round(self.h))

    def tilt_deg(self) -> float:
        """Angle of the eye line in degrees (0 = level), clipped to +-MAX_TILT_DEG."""
        if self.keypoints is None or len(self.keypoints) < 2:
            return 0.0
        (rx, ry), (lx, ly) = self.keypoints[0], self.keypoints[1]
        ang = math.degrees(math.atan2(ly - ry, lx - rx))
        return float(max(-MAX_TILT_DEG, min(MAX_TILT_DEG, ang)))


def to_grey(image: np.ndarray) -> np.ndarray:
    """uint8 grey image from a grey, BGR or BGRA array."""
    import cv2

    if image.ndim == 2:
        return image
    if image.shape[2] == 1:
        return image[:, :, 0]
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY)
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)


class FaceDetector:
    """mediapipe short-range face detection. Not thread-safe: use one per thread."""

    def __init__(self, min_confidence: float = MIN_CONFIDENCE, pad_fraction: float = PAD_FRACTION) -> None:
        import mediapipe as mp

        self.pad_fraction = pad_fraction
        self._det: Any = mp.solutions.face_detection.FaceDetection(
            model_selection=0, min_detection_confidence=min_confidence)

    def detect(self, image: np.ndarray) -> list[FaceBox]:
        """All faces in a grey or BGR image, largest first.

        The image is searched as it is first (colour helps the detector on camera frames); when nothing is
        found it is searched again padded by ``pad_fraction`` (faces that fill the whole picture).
        """
        import cv2

        if image.ndim == 2 or image.shape[2] == 1:
            rgb = cv2.cvtColor(image.reshape(image.shape[:2]), cv2.COLOR_GRAY2RGB)
        elif image.shape[2] == 4:
            rgb = cv2.cvtColor(image, cv2.COLOR_BGRA2RGB)
        else:
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        boxes = self._detect_rgb(rgb, 0)
        if not boxes and self.pad_fraction > 0:
            h, w = rgb.shape[:2]
            p = int(round(max(h, w) * self.pad_fraction))
            fill = [int(v) for v in rgb.reshape(-1, 3).mean(axis=0)]
            boxes = self._detect_rgb(cv2.copyMakeBorder(rgb, p, p, p, p, cv2.BORDER_CONSTANT, value=fill), p)
        boxes.sort(key=lambda b: -b.area)
        return boxes

    def _detect_rgb(self, rgb: np.ndarray, p: int) -> list[FaceBox]:
        ph, pw = rgb.shape[:2]
        res = self._det.process(rgb)
        boxes: list[FaceBox] = []
        for d in res.detections or []:
            rb = d.location_data.relative_bounding_box
            kps = np.array([[k.x * pw - p, k.y * ph - p] for k in d.location_data.relative_keypoints],
                           dtype=np.float32)
            boxes.append(FaceBox(rb.xmin * pw - p, rb.ymin * ph - p, rb.width * pw, rb.height * ph,
                                 float(d.score[0]) if d.score else 1.0, kps if len(kps) else None))
        return boxes

    def largest(self, image: np.ndarray) -> FaceBox | None:
        boxes = self.detect(image)
        return boxes[0] if boxes else None

    def close(self) -> None:
        try:
            self._det.close()
        except Exception:
            pass


def crop_face(grey: np.ndarray, box: FaceBox | None, size: int = 64, scale: float = CROP_SCALE,
              align: bool = True) -> np.ndarray:
    """Square, eye-levelled grey crop of ``size`` x ``size`` around ``box`` (whole image if None)."""
    import cv2

    grey = to_grey(grey)
    if box is None:
        return cv2.resize(grey, (size, size), interpolation=cv2.INTER_AREA)
    cx, cy = box.x + box.w / 2.0, box.y + box.h / 2.0
    side = max(box.w, box.h) * scale
    angle = box.tilt_deg() if align else 0.0
    pre = side / size / 1.5
    if pre > 1.34:  # shrink with area averaging first: warpAffine alone aliases on large downscales
        h, w = grey.shape[:2]
        grey = cv2.resize(grey, (max(1, round(w / pre)), max(1, round(h / pre))), interpolation=cv2.INTER_AREA)
        sx, sy = grey.shape[1] / w, grey.shape[0] / h
        cx, cy, side = cx * sx, cy * sy, side * (sx + sy) / 2.0
    m = cv2.getRotationMatrix2D((cx, cy), angle, size / side)
    m[0, 2] += size / 2.0 - cx
    m[1, 2] += size / 2.0 - cy
    return cv2.warpAffine(grey, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def prepare_photo(image: np.ndarray, side: int = 350) -> np.ndarray:
    """A photo as the held-out set has it: grey, resized to side x side."""
    import cv2

    grey = to_grey(image)
    if grey.shape[:2] != (side, side):
        interp = cv2.INTER_AREA if min(grey.shape[:2]) > side else cv2.INTER_LINEAR
        grey = cv2.resize(grey, (side, side), interpolation=interp)
    return grey
