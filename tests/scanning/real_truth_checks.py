"""Checks shared by the truth tests of the held-out real sets (real2, real3, real4).

Each set's ``<set>_truth.json`` maps a file's SHA-256 to its hand-placed truth; these helpers check
what every set's truth must satisfy (one page's outline and labels; the cached files' bytes and
size). Each test file keeps the checks of its own set (skew estimates, sources, counts).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

CLASSES = {"flatbed", "camera", "card", "slip"}


def load_pages(truth: Path) -> dict[str, dict]:
    """The pages of a real set's truth file, by SHA-256."""
    return json.loads(truth.read_text(encoding="utf-8"))["pages"]


def check_pages_outline(pages: dict[str, dict], *, background_unless_full_frame: bool = True) -> None:
    """Every page: a SHA-256 key, a class and quarter turn, an outline inside the frame, full-frame consistent.

    ``background_unless_full_frame=False`` for real3, whose receipt ``rp_receipt_bakery`` was placed
    (in session 12) as not full-frame although its outline covers ≥ 99 % of the frame.
    """
    assert 30 <= len(pages) <= 60
    names = [t["name"] for t in pages.values()]
    assert len(set(names)) == len(names)
    for sha, t in pages.items():
        assert len(sha) == 64 and int(sha, 16) >= 0
        assert t["class"] in CLASSES and t["rotation"] in (0, 90, 180, 270), t["name"]
        w, h = t["size"]
        poly = np.asarray(t["quad"], np.float64)
        # 4 corners, or more where the in-frame outline needs them (a corner off the frame, a curled,
        # bowed or torn edge)
        assert poly.ndim == 2 and poly.shape[1] == 2 and poly.shape[0] >= 4, t["name"]
        assert (poly[:, 0] >= -0.5).all() and (poly[:, 0] <= w - 0.5).all(), t["name"]
        assert (poly[:, 1] >= -0.5).all() and (poly[:, 1] <= h - 0.5).all(), t["name"]
        area = cv2.contourArea(cv2.convexHull(poly.astype(np.float32)))
        assert area > 0.02 * w * h, t["name"]
        if t["full_frame"]:  # the document fills the frame: its outline is (within a pixel) the frame
            assert area >= 0.99 * w * h, t["name"]
        elif background_unless_full_frame:  # some background shows, or the page would be full-frame
            assert area < 0.99 * w * h, t["name"]


def check_cached_files(pages: dict[str, dict], cache: Path) -> None:
    """Each cached file has the bytes its key names and the size its truth was placed on."""
    for sha, t in pages.items():
        path = cache / t["file"]
        assert path.exists(), t["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha, t["file"]
        with Image.open(path) as im:  # header only; the runner's cv2.imread applies the EXIF turn, so do the same
            w, h = im.size
            if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                w, h = h, w
        assert [w, h] == t["size"], t["file"]
