"""The hand-placed truth of ``real2``, the second held-out real set (issue #13, session 11), is well-formed.

``bench/scan_eval/real2_truth.json`` describes 30 public images (cards, phone photos, flatbed scans,
slips) that ``bench/scan_eval/fetch_real2.py`` extracts from pinned git snapshots into the
evaluation cache; images are never committed. The truth itself is checked always; the files only
when the cache holds them (each must match its SHA-256, or the set would be scored on other pixels).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scan_eval.fetch_real import DEFAULT_CACHE
from bench.scan_eval.fetch_real2 import CATALOGUE, GIT_SOURCES
from tests.scanning.real_truth_checks import CLASSES, check_cached_files, check_pages_outline, load_pages

ROOT = Path(__file__).resolve().parents[2]
TRUTH = ROOT / "bench" / "scan_eval" / "real2_truth.json"
CACHE = DEFAULT_CACHE / "real2"


def _pages() -> dict[str, dict]:
    return load_pages(TRUTH)


def test_truth_is_well_formed_and_outlines_lie_in_the_frame() -> None:
    pages = _pages()
    check_pages_outline(pages)
    for t in pages.values():
        if t["skew_scored"]:  # scored only where three independent estimates agree on a flatbed page
            est = t["skew_estimates"]
            vals = [est["baseline_fit"], est["jdeskew"], est["projection_profile"]]
            assert t["class"] == "flatbed" and est["baseline_lines"] >= 5
            assert max(vals) - min(vals) <= 0.3 and min(vals) <= t["skew_deg"] <= max(vals), t["name"]
        assert t["source"]["origin"] in GIT_SOURCES and t["source"]["member"] and t["licence"], t["name"]


def test_truth_covers_the_catalogue_and_the_required_classes() -> None:
    pages = _pages()
    assert {t["name"] for t in pages.values()} == {it.name for it in CATALOGUE}
    count = {c: sum(t["class"] == c for t in pages.values()) for c in CLASSES}
    assert count["card"] >= 10 and count["camera"] >= 10 and count["flatbed"] + count["slip"] >= 5, count


@pytest.mark.skipif(not (CACHE / "index.json").exists(), reason="real2 images not extracted (fetch_real2.py)")
def test_cached_files_match_their_sha256_and_size() -> None:
    check_cached_files(_pages(), CACHE)
