"""The hand-placed truth of ``real3``, the third held-out real set (issue #13, session 12), is well-formed.

``bench/scan_eval/real3_truth.json`` describes 30 public images (ID-1 cards and passport pages, till
receipts scanned and photographed, phone photos of pages at four quarter turns, flatbed scans) that
``bench/scan_eval/fetch_real3.py`` extracts from pinned git snapshots into the evaluation cache;
images are never committed. The truth itself is checked always; the files only when the cache holds
them (each must match its SHA-256, or the set would be scored on other pixels).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from bench.scan_eval.fetch_real import DEFAULT_CACHE
from bench.scan_eval.fetch_real import GIT_SOURCES as REAL_SOURCES
from bench.scan_eval.fetch_real2 import GIT_SOURCES as REAL2_SOURCES
from bench.scan_eval.fetch_real3 import CATALOGUE, GIT_SOURCES

ROOT = Path(__file__).resolve().parents[2]
TRUTH = ROOT / "bench" / "scan_eval" / "real3_truth.json"
CACHE = DEFAULT_CACHE / "real3"
CLASSES = {"flatbed", "camera", "card", "slip"}


def _pages() -> dict[str, dict]:
    return json.loads(TRUTH.read_text(encoding="utf-8"))["pages"]


def test_truth_is_well_formed_and_outlines_lie_in_the_frame() -> None:
    pages = _pages()
    assert 30 <= len(pages) <= 60
    names = [t["name"] for t in pages.values()]
    assert len(set(names)) == len(names)
    for sha, t in pages.items():
        assert len(sha) == 64 and int(sha, 16) >= 0
        assert t["class"] in CLASSES and t["rotation"] in (0, 90, 180, 270), t["name"]
        w, h = t["size"]
        poly = np.asarray(t["quad"], np.float64)
        # 4 corners, or more where the in-frame outline needs them (a corner off the frame, a bowed or torn edge)
        assert poly.ndim == 2 and poly.shape[1] == 2 and poly.shape[0] >= 4, t["name"]
        assert (poly[:, 0] >= -0.5).all() and (poly[:, 0] <= w - 0.5).all(), t["name"]
        assert (poly[:, 1] >= -0.5).all() and (poly[:, 1] <= h - 0.5).all(), t["name"]
        area = cv2.contourArea(cv2.convexHull(poly.astype(np.float32)))
        assert area > 0.02 * w * h, t["name"]
        if t["full_frame"]:  # the document fills the frame: its outline is (within a pixel) the frame
            assert area >= 0.99 * w * h, t["name"]
        est = t["skew_estimates"]
        if t["skew_deg"] is not None:  # the mean of two independent estimates that agree within 0.3°
            vals = [est["projection_profile"], est["jdeskew"]]
            assert max(vals) - min(vals) <= 0.3 and min(vals) <= t["skew_deg"] <= max(vals), t["name"]
        if t["skew_scored"]:  # scored only on flatbed pages where the two agree within 0.1°
            assert t["class"] == "flatbed" and t["skew_deg"] is not None
            assert abs(est["projection_profile"] - est["jdeskew"]) <= 0.1, t["name"]
        assert t["source"]["origin"] in GIT_SOURCES and t["source"]["member"] and t["licence"], t["name"]


def test_truth_covers_the_catalogue_classes_and_quarter_turns() -> None:
    pages = _pages()
    assert {t["name"] for t in pages.values()} == {it.name for it in CATALOGUE}
    count = {c: sum(t["class"] == c for t in pages.values()) for c in CLASSES}
    assert count["card"] >= 5 and count["slip"] >= 5 and count["camera"] >= 10 and count["flatbed"] >= 3, count
    assert {t["rotation"] for t in pages.values()} == {0, 90, 180, 270}


def test_sources_are_new_repositories() -> None:
    """real3 is held out only if none of its pages comes from a repository real or real2 already drew on."""
    used = {repo for repo, _ in REAL2_SOURCES.values()} | {repo for repo, _ in REAL_SOURCES.values()}
    assert not {repo for repo, _ in GIT_SOURCES.values()} & used


@pytest.mark.skipif(not (CACHE / "index.json").exists(), reason="real3 images not extracted (fetch_real3.py)")
def test_cached_files_match_their_sha256_and_size() -> None:
    for sha, t in _pages().items():
        path = CACHE / t["file"]
        assert path.exists(), t["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha, t["file"]
        with Image.open(path) as im:  # header only; the runner's cv2.imread applies the EXIF turn, so do the same
            w, h = im.size
            if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):
                w, h = h, w
        assert [w, h] == t["size"], t["file"]
