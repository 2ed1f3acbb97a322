"""The hand-checked ground truth of the real-scan evaluation set is well-formed (issue #13 part A).

``tests/data/real_scans/truth.json`` describes the committed subset (each file pinned by SHA-256);
``bench/scan_eval/real_truth.json`` the full set (104 pages), whose images are fetched into a cache
and so are not checked here, only the truth itself.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from bench.scan_eval.fetch_real import GIT_SOURCES
from tests.real_scan_files import locate

ROOT = Path(__file__).resolve().parents[2]
SUBSET = ROOT / "tests" / "data" / "real_scans"
FULL = ROOT / "bench" / "scan_eval" / "real_truth.json"
CLASSES = {"flatbed", "camera", "card", "slip"}


def _pages(path: Path) -> dict[str, dict]:
    return json.loads(path.read_text(encoding="utf-8"))["pages"]


def _check_page(sha: str, t: dict) -> None:
    """Every field a runner reads is there and consistent; the outline lies in the frame."""
    assert len(sha) == 64 and int(sha, 16) >= 0
    w, h = t["size"]
    quad = np.asarray(t["quad"], np.float64)
    assert quad.shape == (4, 2), t["name"]
    assert (quad[:, 0] >= -0.5).all() and (quad[:, 0] <= w - 0.5).all(), t["name"]
    assert (quad[:, 1] >= -0.5).all() and (quad[:, 1] <= h - 0.5).all(), t["name"]
    hull = cv2.convexHull(quad.astype(np.float32))
    assert len(hull) == 4, f"{t['name']}: outline is not a convex quadrilateral"
    assert cv2.contourArea(hull) > 0.05 * w * h, t["name"]
    assert t["rotation"] in (0, 90, 180, 270)
    assert t["class"] in CLASSES
    assert isinstance(t["blank"], bool) and isinstance(t["full_frame"], bool)
    if t["full_frame"]:
        assert cv2.contourArea(hull) == pytest.approx(w * h, rel=1e-6), t["name"]
    if t["skew_scored"]:
        assert t["has_text_lines"] and t["skew_deg"] is not None and abs(t["skew_deg"]) < 45
    assert t["source"]["origin"] and t["source"]["member"] and t["licence"]


def test_subset_files_match_their_sha256_and_size() -> None:
    pages = _pages(SUBSET / "truth.json")
    assert 8 <= len(pages) <= 20
    present = 0
    for sha, t in pages.items():
        path = locate(sha, t["file"])
        if path is None:  # from a fetched git snapshot: not committed (SOURCES.md), found only in the evaluation cache
            assert t["source"]["origin"] in GIT_SOURCES, t["file"]
            continue
        present += 1
        data = path.read_bytes()
        if path.parent == SUBSET:  # committed: kept small (a cache copy of a snapshot image is not)
            assert len(data) <= 300_000, t["file"]
        assert hashlib.sha256(data).hexdigest() == sha, f"{t['file']} changed: its truth no longer applies"
        img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        assert img is not None and [img.shape[1], img.shape[0]] == t["size"], t["file"]
        _check_page(sha, t)
    assert present >= 8


def test_subset_covers_the_failure_classes_of_the_issue() -> None:
    pages = list(_pages(SUBSET / "truth.json").values())
    assert any(not t["full_frame"] and t["class"] == "flatbed" for t in pages)  # scanner bar / side strip
    assert any(t["two_page"] for t in pages)
    assert any(t["class"] == "camera" for t in pages)
    assert any(t["dpi"] is None for t in pages)
    assert {t["rotation"] for t in pages} >= {0, 90, 180, 270}
    assert any(t["skew_deg"] is not None and 0.5 <= abs(t["skew_deg"]) <= 5 for t in pages)
    assert any(t["red_seal"] for t in pages)
    assert (SUBSET / "SOURCES.md").read_text(encoding="utf-8").count("|") > 10


def test_full_set_truth_is_well_formed_and_subset_agrees() -> None:
    full = _pages(FULL)
    assert len(full) >= 40
    assert len({t["name"] for t in full.values()}) == len(full)
    for sha, t in full.items():
        _check_page(sha, t)
    for sha, t in _pages(SUBSET / "truth.json").items():
        assert full[sha] == t, f"{t['name']}: subset truth differs from the full set"


def test_full_set_holds_the_thin_classes_and_pins_every_git_source() -> None:
    """The 2026-12-07 additions: phone photos on desks, receipts on the glass, a card, spreads.
    Each page from a git snapshot names the commit its bytes are read at (fetch_real.GIT_SOURCES)."""
    full = list(_pages(FULL).values())
    count = {c: sum(t["class"] == c for t in full) for c in CLASSES}
    assert count["camera"] >= 30 and count["slip"] >= 15 and count["card"] >= 1, count
    assert sum(t["two_page"] for t in full) >= 6
    assert sum(not t["full_frame"] and t["class"] == "slip" for t in full) >= 15  # receipts kept apart from the glass
    for t in full:
        origin = t["source"]["origin"]
        if origin in GIT_SOURCES:
            assert GIT_SOURCES[origin][1].startswith(t["source"]["version"]), t["name"]


@pytest.mark.parametrize(("scene", "size_mm", "dpi"),
                         [("a6_lid", (105.0, 148.0), 100), ("card_front", (85.6, 54.0), 300)])
def test_gen2_outline_truth_is_the_placed_paper(scene: str, size_mm: tuple[float, float], dpi: int) -> None:
    """The second generator's outline is the object's own size, and paper lies inside it, lid outside."""
    from bench.scan_eval.gen2 import generate_page

    page = generate_page(5, 0, 100, scene)
    quad = np.asarray(page.truth["quad"], np.float32)
    w_px, h_px = (v / 25.4 * dpi for v in size_mm)
    assert cv2.contourArea(cv2.convexHull(quad)) == pytest.approx(w_px * h_px, rel=0.01)
    img = page.image.astype(np.float32)
    inside = np.zeros(img.shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(quad).astype(np.int32)], 1)
    ring_in = inside - cv2.erode(inside, np.ones((9, 9), np.uint8))
    ring_out = cv2.dilate(inside, np.ones((9, 9), np.uint8)) - inside
    far = cv2.dilate(inside, np.ones((61, 61), np.uint8)) == 0
    # the object's rim and the lid just outside differ in colour; just outside is the lid
    assert np.linalg.norm(img[ring_in > 0].mean(0) - img[ring_out > 0].mean(0)) > 6
    assert np.linalg.norm(np.median(img[ring_out > 0], 0) - np.median(img[far], 0)) < 8
