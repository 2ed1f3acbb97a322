"""The hand-placed truth of ``real3``, the third held-out real set (issue #13, session 12), is well-formed.

``bench/scan_eval/real3_truth.json`` describes 30 public images (ID-1 cards and passport pages, till
receipts scanned and photographed, phone photos of pages at four quarter turns, flatbed scans) that
``bench/scan_eval/fetch_real3.py`` extracts from pinned git snapshots into the evaluation cache;
images are never committed. The truth itself is checked always; the files only when the cache holds
them (each must match its SHA-256, or the set would be scored on other pixels).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scan_eval.fetch_real import DEFAULT_CACHE
from bench.scan_eval.fetch_real import GIT_SOURCES as REAL_SOURCES
from bench.scan_eval.fetch_real2 import GIT_SOURCES as REAL2_SOURCES
from bench.scan_eval.fetch_real3 import CATALOGUE, GIT_SOURCES
from tests.scanning.real_truth_checks import CLASSES, check_cached_files, check_pages_outline, load_pages

ROOT = Path(__file__).resolve().parents[2]
TRUTH = ROOT / "bench" / "scan_eval" / "real3_truth.json"
CACHE = DEFAULT_CACHE / "real3"


def _pages() -> dict[str, dict]:
    return load_pages(TRUTH)


def test_truth_is_well_formed_and_outlines_lie_in_the_frame() -> None:
    pages = _pages()
    check_pages_outline(pages, background_unless_full_frame=False)
    for t in pages.values():
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
    check_cached_files(_pages(), CACHE)
