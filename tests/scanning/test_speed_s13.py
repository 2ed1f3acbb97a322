"""Session 13 (issue #13, time): three cheaper steps give the old answers.

* ``_analysis._line_asymmetries`` keeps the last page's answer by its inputs' bytes: the pipeline asks
  ``flank_share`` and ``upside_down_score`` of the same points one after the other. The cached answer
  is the measured one, and new points (or the same arrays changed in place) are measured afresh.
* ``_outline._faint_steps`` (the faint-edge look's segment tests, all segments at once) accepts the
  same segments, in the same order, with the same directions, as session 12's loop (reference copy
  below), on generated lids with faint steps, print and random segments; and it is cheaper.
* The blur measure runs on the helper thread: its warning keeps its place in the list (after the
  warnings of the steps before it, before the skew and orientation ones).
"""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from counter_app.scanning import _analysis as an
from counter_app.scanning import _outline as ol
from counter_app.scanning import pipeline as P


def _text_points(rng: np.random.Generator, lines: int = 14) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and weights of the ink of ``lines`` text lines with ascenders and descenders."""
    rows, cols = [], []
    for k in range(lines):
        base = 20.0 + 18.0 * k
        n = int(rng.integers(300, 600))
        c = rng.uniform(10, 600, n)
        r = base + rng.uniform(0, 8, n)  # the core band
        up = rng.random(n) < rng.uniform(0.05, 0.3)
        down = rng.random(n) < rng.uniform(0.02, 0.2)
        r[up] -= rng.uniform(1, 4, int(up.sum()))
        r[down] += rng.uniform(8, 11, int(down.sum()))
        rows.append(r)
        cols.append(c)
    r, c = np.concatenate(rows), np.concatenate(cols)
    return r, c, rng.uniform(40, 255, len(r))


def test_line_asymmetries_are_measured_once_and_never_stale() -> None:
    rng = np.random.default_rng(13)
    r, c, w = _text_points(rng)
    totals: list[float] = []
    want = an._measure_asymmetries(r, c, w, 3, totals)
    assert len(want) >= 10
    an._ASYMMETRIES = None
    calls = 0
    measure = an._measure_asymmetries

    def counted(*args: object) -> list[tuple[float, float]]:
        nonlocal calls
        calls += 1
        return measure(*args)  # type: ignore[arg-type]

    an._measure_asymmetries = counted  # type: ignore[assignment]
    try:
        share = an.flank_share(r, c, w)
        score, n_lines = an.upside_down_score(r, c, w)
        assert calls == 1  # the second question is answered from the first
        assert share == sum(u + d for u, d in want) / sum(totals)
        above, below = sum(u for u, _ in want), sum(d for _, d in want)
        assert (score, n_lines) == ((below - above) / (above + below), len(want))
        # Other points: measured again, never the last page's answer.
        r2, c2, w2 = _text_points(np.random.default_rng(14))
        assert an._line_asymmetries(r2, c2, w2) == measure(r2, c2, w2, 3, [])
        assert calls == 2
        # The same arrays changed in place (the page turned upside down): a new answer.
        r2 *= -1
        flipped = an._line_asymmetries(r2, c2, w2)
        assert calls == 3
        assert flipped == measure(r2, c2, w2, 3, [])
        assert flipped != an._line_asymmetries(-r2, c2, w2)
        # Another strip count is another question.
        an._line_asymmetries(r2, c2, w2, strips=2)
        assert calls == 5
    finally:
        an._measure_asymmetries = measure  # type: ignore[assignment]


def _faint_steps_reference(segs: np.ndarray, lengths: np.ndarray, paper: np.ndarray, ink: np.ndarray,
                           size: tuple[int, int], inside: tuple[float, float], step: float, light: float
                           ) -> list[tuple[int, np.ndarray]]:
    """Session 12's per-segment tests in ``_faint_edges`` (one segment at a time)."""
    w, h = size
    out = []
    ts = np.linspace(0.05, 0.95, 16)
    for i, (seg, length) in enumerate(zip(segs, lengths, strict=True)):
        if length < 0.06 * min(h, w):
            continue
        d = (seg[2:] - seg[:2]) / length
        nrm = np.array([-d[1], d[0]])
        if not ol._clear_of_border(seg, w, h, inside):
            continue
        pts = seg[:2] + ts[:, None] * (seg[2:] - seg[:2])
        a = ol._sample(paper, (pts + step * nrm).astype(np.float32))
        b = ol._sample(paper, (pts - step * nrm).astype(np.float32))
        diff = a - b
        sign = 1.0 if float(np.median(diff)) >= 0 else -1.0
        stepped = (sign * diff >= 2.5) & (sign * diff <= 25)
        if float(np.mean(stepped)) < 0.8 or min(float(np.median(a)), float(np.median(b))) < light - 25:
            continue
        near = np.concatenate([pts + o * nrm for o in np.linspace(-2.5 * step, 2.5 * step, 6)]).astype(np.float32)
        if float(np.mean(ol._sample(ink, near) > 0.5)) > 0.02:
            continue
        out.append((i, d))
    return out


def _lid_scene(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A white lid with a slip a few levels lighter (faint steps), some print, and segments: along
    the slip's sides (some over print), across them, and at random."""
    h, w = 300, 420
    paper = np.full((h, w), 200.0, np.float32) + rng.normal(0, 0.7, (h, w)).astype(np.float32)
    x0, y0, x1, y1 = (int(v) for v in (rng.integers(40, 90), rng.integers(40, 80), rng.integers(300, 380),
                                       rng.integers(220, 270)))
    paper[y0:y1, x0:x1] += float(rng.uniform(4, 12)) * (1 if rng.random() < 0.7 else -1)
    paper = cv2.GaussianBlur(paper, (3, 3), 0.8)
    ink = np.zeros((h, w), np.float32)
    for _ in range(6):  # print lines, one sometimes touching a side
        yy = int(rng.integers(y0 - 5, y1))
        ink[yy:yy + 3, int(rng.integers(x0 - 3, x0 + 40)):int(rng.integers(x0 + 60, x1))] = 1.0
    segs = []
    for _ in range(40):
        jitter = rng.normal(0, 0.6, 4)
        t0, t1 = np.sort(rng.uniform(0, 1, 2))
        side = int(rng.integers(4))
        if side == 0:
            seg = [x0 + t0 * (x1 - x0), y0, x0 + t1 * (x1 - x0), y0]
        elif side == 1:
            seg = [x0 + t0 * (x1 - x0), y1, x0 + t1 * (x1 - x0), y1]
        elif side == 2:
            seg = [x0, y0 + t0 * (y1 - y0), x0, y0 + t1 * (y1 - y0)]
        else:
            seg = [x1, y0 + t0 * (y1 - y0), x1, y0 + t1 * (y1 - y0)]
        segs.append(np.array(seg) + jitter)
    for _ in range(20):
        segs.append(np.array([rng.uniform(-5, w + 5), rng.uniform(-5, h + 5), rng.uniform(-5, w + 5),
                              rng.uniform(-5, h + 5)]))
    s = np.array(segs, np.float64)
    return paper, ink, s, np.hypot(s[:, 2] - s[:, 0], s[:, 3] - s[:, 1])


def test_faint_steps_are_the_per_segment_tests() -> None:
    accepted = tested = 0
    for seed in range(16):
        rng = np.random.default_rng([13, seed])
        paper, ink, segs, lengths = _lid_scene(rng)
        h, w = paper.shape
        light = float(np.percentile(paper[::2, ::2], 90))
        for inside, step, lvl in (((8.0, 8.0), 3.0, light), ((0.04 * w, 0.04 * h), 2.0, light - 30)):
            got = ol._faint_steps(segs, lengths, paper, ink, (w, h), inside, step, lvl)
            want = _faint_steps_reference(segs, lengths, paper, ink, (w, h), inside, step, lvl)
            assert [i for i, _ in got] == [i for i, _ in want]
            assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(got, want, strict=True))
            accepted += len(got)
            tested += len(segs)
    assert accepted >= 50 and accepted < 0.8 * tested  # steps found, and segments refused


def test_faint_steps_cost_less_than_the_loop() -> None:
    rng = np.random.default_rng(7)
    paper, ink, segs, lengths = _lid_scene(rng)
    segs, lengths = np.tile(segs, (4, 1)), np.tile(lengths, 4)
    h, w = paper.shape
    light = float(np.percentile(paper[::2, ::2], 90))
    args = (segs, lengths, paper, ink, (w, h), (8.0, 8.0), 3.0, light)

    def best(fn: object) -> float:
        times = []
        for _ in range(5):
            t0 = time.thread_time()
            fn(*args)  # type: ignore[operator]
            times.append(time.thread_time() - t0)
        return min(times)

    assert best(ol._faint_steps) < 0.8 * best(_faint_steps_reference)


@pytest.mark.parametrize("turned", [False, True])
def test_the_blur_warning_keeps_its_place(monkeypatch: pytest.MonkeyPatch, turned: bool) -> None:
    # A page of text filling the frame at 100 dpi (below the minimum dpi: told before the blur).
    page = np.full((1100, 820, 3), 245, np.uint8)
    for k in range(30):
        cv2.putText(page, "Cong hoa xa hoi chu nghia Viet Nam - so 13/2026", (60, 80 + 32 * k),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.8, (30, 30, 30), 2, cv2.LINE_AA)
    if turned:
        page = cv2.rotate(page, cv2.ROTATE_180)
    monkeypatch.setattr(P, "_page_sharpness", lambda *a: 0.0)  # taken as blurred
    looked: list[bool] = []
    monkeypatch.setattr(P.ol, "faint_sheet_edge", lambda *a: looked.append(True) or True)  # a faint edge seen
    monkeypatch.setattr(P, "_orientation", lambda *a, **k: (0, False))  # and its way up in doubt
    res = P.process_page(page, 100)
    order = [P.WARN_PAGE_NOT_FOUND, P.WARN_LOW_RESOLUTION, P.WARN_BLUR, P.WARN_ORIENTATION_UNSURE]
    assert looked and all(code in res.warnings for code in order), res.warnings
    assert [res.warnings.index(code) for code in order] == sorted(res.warnings.index(code) for code in order)
    monkeypatch.setattr(P, "_page_sharpness", lambda *a: None)  # nothing to measure: no blur warning
    assert P.WARN_BLUR not in P.process_page(page, 100).warnings
