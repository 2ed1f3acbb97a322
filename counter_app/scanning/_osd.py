"""Tesseract's orientation detection (``tesseract --psm 0``), an optional second opinion.

Debian/Ubuntu ``tesseract-ocr`` (used by OCRmyPDF) ships the ``osd`` model; counter PCs may not
have it, so everything here degrades to ``None``: not installed, too slow, no answer. The page
goes to the program as an uncompressed PGM/PPM on stdin (Leptonica reads it; PNG cost ~30 ms to
compress a 1600-px window and as much for Tesseract to inflate, for the same pixels); nothing is
written to disk.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import subprocess

import cv2
import numpy as np

log = logging.getLogger(__name__)

_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_CONFIDENCE = re.compile(r"Orientation confidence:\s*([0-9.]+)")


@functools.cache
def _program() -> str | None:
    return shutil.which("tesseract")


def tesseract_orientation(bgr_or_grey: np.ndarray, timeout_s: float = 4.0) -> tuple[int, float] | None:
    """(clockwise turn that makes the page upright, confidence) from Tesseract, or ``None``."""
    exe = _program()
    if exe is None:
        return None
    ok, pnm = cv2.imencode(".pgm" if bgr_or_grey.ndim == 2 else ".ppm", bgr_or_grey)
    if not ok:
        return None
    try:
        done = subprocess.run([exe, "stdin", "stdout", "--psm", "0", "-l", "osd"], input=pnm.tobytes(),
                              capture_output=True, timeout=timeout_s, check=False,
                              # One thread: the batch already keeps the cores busy.
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("tesseract OSD unavailable: %s", exc)
        return None
    text = done.stdout.decode("utf-8", "replace")
    rot, conf = _ROTATE.search(text), _CONFIDENCE.search(text)
    if done.returncode != 0 or rot is None or conf is None:
        return None
    return int(rot.group(1)) % 360, float(conf.group(1))
