"""Compare our page pipeline with public alternatives on the same generated set (issue part 5).

Methods:
* ours: ``counter_app.scanning.pipeline.process_page`` (quad, skew, orientation, blank)
* jdeskew: ``jdeskew.estimator.get_angle`` (skew only; Fourier-based)
* deskew: ``deskew.determine_skew`` (skew only; scikit-image Hough), default and fine steps
* NAPS2-style blank detector: pixels darker than the white threshold (luma < 179, i.e. NAPS2's
  default 70 %) outside a 1 % edge, blank if their fraction < 0.25 % (NAPS2 default 25 ‰ of 1 %)
* plain OpenCV contour detector: Canny → largest 4-point contour (the classic "document
  scanner" recipe; quad only)

Both skew packages return the correcting rotation (clockwise positive); their sign is flipped to
our convention (counter-clockwise positive). Times are per page, for that method alone, on the
same frames (no JPEG I/O). Usage: ``python bench/compare_pipelines.py [--n 70] [--seed 5] [--dpi 100]``
(install bench/requirements-bench.txt first).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from counter_app.scanning.pipeline import process_page
from counter_dev.scoring import Prediction, Score, format_score, score
from counter_dev.testpages import TestPage, generate_set, order_quad


def naps2_blank(image: np.ndarray, white_threshold: int = 70, coverage_threshold: int = 25) -> bool:
    """NAPS2's ThresholdBlankDetector (BlankDetectionImageOp), defaults of its scan profile."""
    white = round(1 + white_threshold / 100.0 * 254)
    coverage = coverage_threshold / 100.0 * 0.01
    h, w = image.shape[:2]
    ex, ey = int(w * 0.01), int(h * 0.01)
    core = image[ey:h - ey, ex:w - ex]
    luma = cv2.cvtColor(core, cv2.COLOR_BGR2GRAY)  # same 0.299/0.587/0.114 weights
    return float((luma < white).mean()) < coverage


def contour_quad(image: np.ndarray) -> np.ndarray | None:
    """Largest 4-vertex contour of the Canny edges, or None (= page fills the frame)."""
    h, w = image.shape[:2]
    s = 800 / max(h, w)
    small = cv2.resize(image, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
    edges = cv2.dilate(cv2.Canny(grey, 75, 200), np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    for c in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
        approx = cv2.approxPolyDP(c, 0.02 * cv2.arcLength(c, True), True)
        if len(approx) == 4 and cv2.contourArea(approx) > 0.05 * small.shape[0] * small.shape[1]:
            return order_quad((approx.reshape(4, 2).astype(np.float64) + 0.5) / s - 0.5)
    return None


def run(name: str, pages: list[TestPage], fn: Callable[[TestPage], Any], fields: set[str]) -> Score:
    """Time ``fn`` on every page and score the predictions it returns."""
    preds, times = [], []
    for p in pages:
        t0 = time.perf_counter()
        preds.append(fn(p))
        times.append(1e3 * (time.perf_counter() - t0))
    s = score(preds, [p.truth for p in pages], times, [p.kind for p in pages], fields)
    print(format_score(name, s), flush=True)
    return s


def main() -> None:
    """Generate the set, run every method, print the table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=70)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--dpi", type=int, default=100)
    args = ap.parse_args()
    t0 = time.perf_counter()
    pages = generate_set(args.seed, args.n, args.dpi)
    print(f"{len(pages)} pages generated in {time.perf_counter() - t0:.0f} s (seed {args.seed}, "
          f"{args.dpi} dpi; cards at ≥ 200 dpi)")
    print(f"{'method':<28} {'quad J':>6} {'skew p95':>8} {'orient':>7} {'blankF1':>7} {'ms med':>8} {'ms p95':>8}")

    ours = run("ours (process_page)", pages, lambda p: process_page(p.image, p.dpi), {"quad", "skew",
                                                                                     "orientation", "blank"})
    try:
        from jdeskew.estimator import get_angle

        run("jdeskew get_angle", pages, lambda p: Prediction(skew_deg=-float(get_angle(
            cv2.cvtColor(p.image, cv2.COLOR_BGR2GRAY)))), {"skew"})
    except ImportError as exc:
        print(f"jdeskew not installed: {exc}")
    try:
        from deskew import determine_skew

        def desk(p: TestPage, **kw: float) -> Prediction:
            a = determine_skew(cv2.cvtColor(p.image, cv2.COLOR_BGR2GRAY), **kw)
            return Prediction(skew_deg=-float(a) if a is not None else 0.0)

        run("deskew determine_skew", pages, desk, {"skew"})
        run("deskew (min_deviation=0.1)", pages, lambda p: desk(p, min_deviation=0.1), {"skew"})
    except ImportError as exc:
        print(f"deskew not installed: {exc}")
    run("NAPS2-style blank", pages, lambda p: Prediction(blank=naps2_blank(p.image)), {"blank"})
    run("OpenCV largest contour", pages, lambda p: Prediction(quad=contour_quad(p.image)), {"quad"})
    print("\nours per kind (quad J):", {k: round(v, 4) for k, v in ours.per_kind_jaccard.items()})
    print("ours failures:", ours.failures or "none")


if __name__ == "__main__":
    main()
