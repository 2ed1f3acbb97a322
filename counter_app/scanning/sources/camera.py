"""Document camera / webcam through OpenCV ``VideoCapture``, with live preview and auto-capture.

The officer lays a sheet under the camera, takes the hand away, and the page is captured once
the picture has been still for a moment; then the next sheet. Rule of :class:`StillnessDetector`:

* each frame is shrunk to ``analysis_width`` pixels, turned grey and blurred (camera noise and
  JPEG artefacts must not count as motion), and compared with the previous frame;
* a mean absolute difference ≥ ``motion_threshold`` is *motion* and **arms** the detector (a new
  sheet is being placed);
* ≤ ``still_threshold`` for ``still_frames`` consecutive frames while armed = the sheet lies
  still → capture the current full-resolution frame and disarm;
* so a sheet left on the desk is captured exactly once, and nothing is captured while hands move.
  The detector starts disarmed: whatever is under the camera at start-up is not captured until
  something moves (or the officer presses "Chụp" = :meth:`CameraSource.trigger_capture`).

``device`` is a camera index (``0``), a stream URL (``rtsp://``/``http://`` document cameras) or
a video file (used by the tests: a recorded session replays exactly like a live camera).

Resolution: cameras report no dpi. We estimate it from the frame's long side and the long side
of ``settings.page_size_mm`` (as if the page filled the frame) and flag ``dpi_estimated``; the
page pipeline crops and measures the real page later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from .base import (
    AcquiredPage,
    CancelToken,
    DeviceIOError,
    DeviceNotFoundError,
    ScanSettings,
    SourceCapabilities,
    SourceInfo,
)

log = logging.getLogger(__name__)

# Document cameras deliver 8-13 MP; ask for the most and let the driver pick the nearest mode.
_REQUESTED_SIZE = (4096, 3072)
# A live camera may drop a few frames (USB hiccup); this many failed reads in a row = unplugged.
_MAX_READ_FAILURES = 30


@dataclass
class CameraFrame:
    """One step of the camera loop: a preview image and, if a capture happened, the page."""

    preview: np.ndarray
    motion: float
    still_frames: int
    armed: bool
    page: AcquiredPage | None = None


class StillnessDetector:
    """Decides when a sheet has been placed and lies still (see the module docstring)."""

    def __init__(
        self,
        *,
        still_threshold: float = 1.5,
        motion_threshold: float = 6.0,
        still_frames: int = 8,
        analysis_width: int = 320,
        armed: bool = False,
    ) -> None:
        self.still_threshold = still_threshold
        self.motion_threshold = motion_threshold
        self.still_frames = still_frames
        self.analysis_width = analysis_width
        self.armed = armed
        self.still_count = 0
        self._previous: np.ndarray | None = None

    def _small_grey(self, frame: np.ndarray) -> np.ndarray:
        import cv2

        height, width = frame.shape[:2]
        scale = self.analysis_width / max(1, width)
        small = cv2.resize(frame, (self.analysis_width, max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        return cv2.GaussianBlur(grey, (5, 5), 0)

    def update(self, frame: np.ndarray) -> tuple[float, bool]:
        """Feed one frame; returns ``(motion, capture_now)``."""
        import cv2

        grey = self._small_grey(frame)
        previous, self._previous = self._previous, grey
        if previous is None or previous.shape != grey.shape:
            return 0.0, False
        motion = float(cv2.absdiff(grey, previous).mean())
        if motion >= self.motion_threshold:
            self.armed = True
            self.still_count = 0
        elif motion <= self.still_threshold:
            self.still_count += 1
        else:
            self.still_count = 0  # small movement (hand still near the page): wait
        if self.armed and self.still_count >= self.still_frames:
            self.armed = False
            self.still_count = 0
            return motion, True
        return motion, False

    def captured_manually(self) -> None:
        """A manual capture also consumes the current sheet: no auto-capture of it afterwards."""
        self.armed = False
        self.still_count = 0


class CameraSource:
    """A camera as a scan source. ``on_preview`` receives downscaled frames while scanning."""

    kind = "camera"

    def __init__(
        self,
        device: int | str,
        *,
        still_frames: int = 8,
        still_threshold: float = 1.5,
        motion_threshold: float = 6.0,
        preview_width: int = 640,
        on_preview: Callable[[CameraFrame], None] | None = None,
        label: str | None = None,
    ) -> None:
        self.device = device
        self.still_frames = still_frames
        self.still_threshold = still_threshold
        self.motion_threshold = motion_threshold
        self.preview_width = preview_width
        self.on_preview = on_preview
        self.name = label or f"Camera {device}"
        self._trigger = threading.Event()
        self._capture: Any = None
        self._lock = threading.Lock()

    @property
    def is_live(self) -> bool:
        """A real camera or stream (read failures are errors) rather than a recorded file."""
        return isinstance(self.device, int) or str(self.device).startswith(("rtsp://", "http://", "https://"))

    def describe(self) -> str:
        """E.g. "Camera 0 (OpenCV)"."""
        return f"{self.name} (OpenCV)"

    def capabilities(self) -> SourceCapabilities:
        """A camera has one input, live preview and a manual trigger; dpi depends on distance."""
        return SourceCapabilities(input_sources=("flatbed",), live_preview=True, manual_trigger=True)

    def trigger_capture(self) -> None:
        """Capture the next frame regardless of stillness (the officer pressed "Chụp")."""
        self._trigger.set()

    def _open(self) -> Any:
        import cv2

        with self._lock:
            if self._capture is not None:
                return self._capture
            capture = cv2.VideoCapture(self.device)
            if not capture.isOpened():
                capture.release()
                raise DeviceNotFoundError(
                    "Không mở được camera tài liệu.",
                    hint="Hãy cắm lại camera, đóng các chương trình khác đang dùng camera rồi thử lại.",
                    detail=f"VideoCapture({self.device!r}) not opened",
                )
            if isinstance(self.device, int):
                capture.set(cv2.CAP_PROP_FRAME_WIDTH, _REQUESTED_SIZE[0])
                capture.set(cv2.CAP_PROP_FRAME_HEIGHT, _REQUESTED_SIZE[1])
            self._capture = capture
            return capture

    def _preview(self, frame: np.ndarray) -> np.ndarray:
        import cv2

        height, width = frame.shape[:2]
        if width <= self.preview_width:
            return frame.copy()
        scale = self.preview_width / width
        return cv2.resize(frame, (self.preview_width, max(1, round(height * scale))), interpolation=cv2.INTER_AREA)

    def frames(
        self, cancel: CancelToken, settings: ScanSettings | None = None, *, capture: bool = True
    ) -> Iterator[CameraFrame]:
        """The camera loop: one :class:`CameraFrame` per frame read, with captures marked.

        Ends at the end of a video file, on cancel, or after ``settings.max_pages`` captures.
        """
        settings = settings or ScanSettings()
        source = self._open()
        detector = StillnessDetector(
            still_threshold=self.still_threshold,
            motion_threshold=self.motion_threshold,
            still_frames=self.still_frames,
        )
        self._trigger.clear()
        failures = 0
        index = 0
        frame_number = -1
        while not cancel.cancelled:
            ok, frame = source.read()
            if not ok or frame is None:
                if not self.is_live:
                    return  # end of the recording
                failures += 1
                if failures >= _MAX_READ_FAILURES:
                    raise DeviceIOError(
                        "Mất tín hiệu từ camera.",
                        hint="Hãy kiểm tra cáp camera rồi bấm quét lại.",
                        detail=f"{failures} failed reads",
                    )
                cancel.wait(0.05)
                continue
            failures = 0
            frame_number += 1
            motion, auto = detector.update(frame)
            manual = self._trigger.is_set()
            page = None
            if capture and (auto or manual):
                if manual:
                    self._trigger.clear()
                    detector.captured_manually()
                page = AcquiredPage(
                    image=np.ascontiguousarray(frame.copy()),
                    dpi=self._estimate_dpi(frame, settings),
                    index=index,
                    source=f"camera:{self.device}",
                    meta={
                        "dpi_estimated": True,
                        "trigger": "manual" if manual else "auto",
                        "frame": frame_number,
                        "motion": motion,
                    },
                )
                index += 1
            yield CameraFrame(
                preview=self._preview(frame),
                motion=motion,
                still_frames=detector.still_count,
                armed=detector.armed,
                page=page,
            )
            if page is not None and settings.max_pages is not None and index >= settings.max_pages:
                return

    def preview_frames(self, cancel: CancelToken) -> Iterator[np.ndarray]:
        """Downscaled frames for the live preview, no capturing (before the officer starts)."""
        for step in self.frames(cancel, capture=False):
            yield step.preview

    def pages(self, settings: ScanSettings, cancel: CancelToken) -> Iterator[AcquiredPage]:
        """Yield each captured page; previews go to ``on_preview`` meanwhile."""
        for step in self.frames(cancel, settings):
            if self.on_preview is not None:
                self.on_preview(step)
            if step.page is not None:
                yield step.page

    @staticmethod
    def _estimate_dpi(frame: np.ndarray, settings: ScanSettings) -> int:
        long_px = int(max(frame.shape[:2]))
        long_mm = max(settings.page_size_mm) if settings.page_size_mm else 297.0
        return max(1, round(long_px / (float(long_mm) / 25.4)))

    def close(self) -> None:
        """Release the camera so other programs can use it."""
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None


def probe_cameras(max_index: int = 2) -> list[SourceInfo]:
    """Cameras that exist, cheaply.

    Linux: list ``/dev/video*`` nodes (opening a camera takes up to a second and switches its
    light on). Elsewhere: try to open indexes ``0..max_index-1`` once.
    """
    import sys
    from pathlib import Path

    found: list[SourceInfo] = []
    if sys.platform.startswith("linux"):
        for node in sorted(Path("/dev").glob("video[0-9]*")):
            index = int(node.name[5:])
            # uvcvideo creates two nodes per camera; the odd one is metadata only.
            name_file = Path(f"/sys/class/video4linux/{node.name}/name")
            label = name_file.read_text().strip() if name_file.exists() else node.name
            found.append(SourceInfo(kind="camera", address=str(index), label=f"{label} (camera {index})"))
        return found
    import cv2

    for index in range(max_index):
        capture = cv2.VideoCapture(index)
        try:
            if capture.isOpened():
                found.append(SourceInfo(kind="camera", address=str(index), label=f"Camera {index}"))
        finally:
            capture.release()
    return found
