"""The hand-placed truth of ``real4``, the fourth held-out real set (issue #13, session 13), is well-formed.

``bench/scan_eval/real4_truth.json`` describes 33 public images (flatbed scans of book, magazine,
report and form pages, a signed contract, a letter on a dark ground, scanned receipts; phone photos of receipts, a
ticket, a printed page, covers and a flyer lying a quarter turn; bank, gift and business cards)
that ``bench/scan_eval/fetch_real4.py`` extracts from pinned git snapshots into the evaluation
cache; images are never committed. The truth itself is checked always; the files only when the
cache holds them (each must match its SHA-256, or the set would be scored on other pixels).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.scan_eval.fetch_real import DEFAULT_CACHE
from bench.scan_eval.fetch_real import GIT_SOURCES as REAL_SOURCES
from bench.scan_eval.fetch_real2 import GIT_SOURCES as REAL2_SOURCES
from bench.scan_eval.fetch_real3 import GIT_SOURCES as REAL3_SOURCES
from bench.scan_eval.fetch_real4 import CATALOGUE, GIT_SOURCES
from tests.scanning.real_truth_checks import CLASSES, check_cached_files, check_pages_outline, load_pages

ROOT = Path(__file__).resolve().parents[2]
TRUTH = ROOT / "bench" / "scan_eval" / "real4_truth.json"
CACHE = DEFAULT_CACHE / "real4"


def _pages() -> dict[str, dict]:
    return load_pages(TRUTH)


def test_truth_is_well_formed_and_outlines_lie_in_the_frame() -> None:
    pages = _pages()
    check_pages_outline(pages)
    for t in pages.values():
        est = t["skew_estimates"]
        if t["skew_deg"] is not None:  # the mean of two independent estimates that agree within 0.3°
            vals = [est["projection_profile"], est["jdeskew"]]
            assert max(vals) - min(vals) <= 0.3 and min(vals) <= t["skew_deg"] <= max(vals), t["name"]
        if t["skew_scored"]:  # scored only on flatbed pages where the two agree within 0.1°
            assert t["class"] == "flatbed" and t["skew_deg"] is not None
            assert abs(est["projection_profile"] - est["jdeskew"]) <= 0.1 + 1e-9, t["name"]
        assert not t["blank"] and t["has_text_lines"], t["name"]
        assert t["source"]["origin"] in GIT_SOURCES and t["source"]["member"] and t["licence"], t["name"]
        assert t["source"]["repo"] == GIT_SOURCES[t["source"]["origin"]][0], t["name"]


def test_truth_covers_the_catalogue_classes_and_turns() -> None:
    pages = _pages()
    assert {t["name"] for t in pages.values()} == {it.name for it in CATALOGUE}
    count = {c: sum(t["class"] == c for t in pages.values()) for c in CLASSES}
    assert count["card"] >= 6 and count["camera"] >= 8 and count["flatbed"] >= 6 and count["slip"] >= 1, count
    turned = [t for t in pages.values() if t["rotation"]]
    assert len(turned) >= 4 and {t["rotation"] for t in turned} >= {90, 270}
    assert sum(t["skew_scored"] for t in pages.values()) >= 3


def test_sources_are_new_repositories() -> None:
    """real4 is held out only if none of its pages comes from a repository an earlier real set drew on."""
    used = {repo for src in (REAL_SOURCES, REAL2_SOURCES, REAL3_SOURCES) for repo, _ in src.values()}
    assert not {repo for repo, _ in GIT_SOURCES.values()} & used
    assert len({(it.origin, it.member) for it in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.skipif(not (CACHE / "index.json").exists(), reason="real4 images not extracted (fetch_real4.py)")
def test_cached_files_match_their_sha256_and_size() -> None:
    check_cached_files(_pages(), CACHE)
