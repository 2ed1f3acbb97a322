"""Scorer for page pipelines against generated ground truth (issue part 5).

Works for :class:`~counter_app.scanning.pipeline.PageResult` and for any competitor's output
wrapped in :class:`Prediction`. A competitor that does not estimate something leaves the field
out of ``fields`` and the metric is reported as NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from counter_dev.testpages import PageTruth

__all__ = ["ALL_FIELDS", "Prediction", "Score", "quad_jaccard", "score"]

ALL_FIELDS = frozenset({"quad", "skew", "orientation", "blank"})


@dataclass
class Prediction:
    """A method's answer for one page (the attributes :func:`score` reads)."""

    quad: np.ndarray | None = None
    skew_deg: float = 0.0
    orientation: int = 0
    blank: bool = False


@dataclass(frozen=True)
class Score:
    """Aggregate metrics over a set (NaN where not measured)."""

    n: int
    quad_jaccard_mean: float
    quad_jaccard_min: float
    skew_err_mean: float
    skew_err_p95: float
    skew_err_max: float
    orientation_accuracy: float
    blank_precision: float
    blank_recall: float
    blank_f1: float
    ms_median: float
    ms_p95: float
    per_kind_jaccard: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # index:reason, to look at the pages

    def table_row(self) -> dict[str, float]:
        """The headline figures, for printing."""
        return {"quad J mean": self.quad_jaccard_mean, "skew p95°": self.skew_err_p95,
                "orient acc": self.orientation_accuracy, "blank F1": self.blank_f1,
                "ms median": self.ms_median, "ms p95": self.ms_p95}


def _frame_quad(size: tuple[int, int]) -> np.ndarray:
    w, h = size
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])


def quad_jaccard(pred: np.ndarray | None, truth: np.ndarray | None, frame_size: tuple[int, int]) -> float:
    """Intersection over union of two convex quads; ``None`` stands for the whole frame."""
    a = (_frame_quad(frame_size) if pred is None else np.asarray(pred, np.float64)).astype(np.float32)
    b = (_frame_quad(frame_size) if truth is None else np.asarray(truth, np.float64)).astype(np.float32)
    a = cv2.convexHull(a).reshape(-1, 2)
    b = cv2.convexHull(b).reshape(-1, 2)
    inter, _ = cv2.intersectConvexConvex(a, b)
    union = cv2.contourArea(a) + cv2.contourArea(b) - inter
    return float(inter / union) if union > 0 else 0.0


def _skew_error(pred: float, truth: float) -> float:
    """Absolute angle difference modulo 90° (a quarter-turn is orientation's business)."""
    d = (pred - truth + 45.0) % 90.0 - 45.0
    return abs(d)


def _nan() -> float:
    return float("nan")


def score(preds: Sequence[Any], truths: Sequence[PageTruth], times_ms: Iterable[float] | None = None,
          kinds: Sequence[str] | None = None, fields: Iterable[str] = ALL_FIELDS) -> Score:
    """Score ``preds`` (objects with quad, skew_deg, orientation, blank) against ``truths``.

    Skew is scored only where the truth says it is defined (no perspective, enough text),
    orientation only on pages with text; blank detection on every page, with near-blank pages
    counted as not blank.
    """
    fields = set(fields)
    if len(preds) != len(truths):
        raise ValueError("preds and truths differ in length")
    kinds = list(kinds) if kinds is not None else ["?"] * len(truths)
    jac: list[float] = []
    by_kind: dict[str, list[float]] = {}
    skew_err: list[float] = []
    orient_ok: list[bool] = []
    tp = fp = fn = 0
    failures: list[str] = []
    for i, (p, t) in enumerate(zip(preds, truths, strict=True)):
        if "quad" in fields:
            j = quad_jaccard(p.quad, t.quad, t.frame_size)
            jac.append(j)
            by_kind.setdefault(kinds[i], []).append(j)
            if j < 0.95:
                failures.append(f"{i}:{kinds[i]}:quad {j:.3f}")
        if "skew" in fields and t.skew_scored:
            e = _skew_error(float(p.skew_deg), t.skew_deg)
            skew_err.append(e)
            if e > 0.1:
                failures.append(f"{i}:{kinds[i]}:skew {e:.2f}")
        if "orientation" in fields and t.orientation_scored:
            ok = int(p.orientation) % 360 == t.orientation
            orient_ok.append(ok)
            if not ok:
                failures.append(f"{i}:{kinds[i]}:orientation {p.orientation} vs {t.orientation}")
        if "blank" in fields:
            pb = bool(p.blank)
            tp += pb and t.blank
            fp += pb and not t.blank
            fn += (not pb) and t.blank
            if pb != t.blank:
                failures.append(f"{i}:{kinds[i]}:blank {pb}")
    times = np.array(list(times_ms or []), np.float64)
    prec = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    has_blank = "blank" in fields
    return Score(
        n=len(truths),
        quad_jaccard_mean=float(np.mean(jac)) if jac else _nan(),
        quad_jaccard_min=float(np.min(jac)) if jac else _nan(),
        skew_err_mean=float(np.mean(skew_err)) if skew_err else _nan(),
        skew_err_p95=float(np.percentile(skew_err, 95)) if skew_err else _nan(),
        skew_err_max=float(np.max(skew_err)) if skew_err else _nan(),
        orientation_accuracy=float(np.mean(orient_ok)) if orient_ok else _nan(),
        blank_precision=prec if has_blank else _nan(),
        blank_recall=rec if has_blank else _nan(),
        blank_f1=f1 if has_blank else _nan(),
        ms_median=float(np.median(times)) if times.size else _nan(),
        ms_p95=float(np.percentile(times, 95)) if times.size else _nan(),
        per_kind_jaccard={k: float(np.mean(v)) for k, v in by_kind.items()},
        failures=failures,
    )


def format_score(name: str, s: Score) -> str:
    """One printable line of headline figures."""
    def f(x: float, spec: str) -> str:
        return "   n/a" if math.isnan(x) else format(x, spec)
    return (f"{name:<28} {f(s.quad_jaccard_mean, '6.4f')} {f(s.skew_err_p95, '8.3f')} "
            f"{f(s.orientation_accuracy, '7.3f')} {f(s.blank_f1, '7.3f')} {f(s.ms_median, '8.1f')} "
            f"{f(s.ms_p95, '8.1f')}")
