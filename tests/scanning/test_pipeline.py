"""Page pipeline: API shape, every acquisition scenario, colour, blank pages, bad input.

The scenario checks run on a small seeded set generated at 100 dpi (cards at 200 dpi) with
thresholds a little looser than the issue's targets; ``bench/compare_pipelines.py`` measures the
real figures on a larger set.
"""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest

from counter_app.errors import ValidationError
from counter_app.scanning.pipeline import (
    WARN_BLUR,
    WARN_DPI_UNKNOWN,
    WARN_LOW_RESOLUTION,
    WARN_ORIENTATION_UNSURE,
    WARN_PAGE_CUT_OFF,
    WARN_PAGE_NOT_FOUND,
    WARN_PRINT_OUTSIDE,
    WARN_SKEW_UNSURE,
    WARN_TOO_DARK,
    WARNING_SHORT,
    WARNING_TEXT,
    PageImageError,
    PageResult,
    PipelineOptions,
    describe_warning,
    infer_dpi,
    process_page,
)
from counter_dev.scoring import Prediction, quad_jaccard, score
from counter_dev.testpages import EXTRA_KINDS, KINDS, TestPage, generate_page, generate_set


@pytest.fixture(scope="module")
def processed() -> list[tuple[TestPage, PageResult, float]]:
    """Two rounds of every kind (28 pages), processed once for all scenario tests."""
    pages = generate_set(seed=20251123, n=28)
    out = []
    for p in pages:
        t0 = time.perf_counter()
        r = process_page(p.image, p.dpi)
        out.append((p, r, 1e3 * (time.perf_counter() - t0)))
    return out


def test_result_shape_and_types(processed: list[tuple[TestPage, PageResult, float]]) -> None:
    for page, r, _ in processed:
        assert isinstance(r, PageResult)
        assert r.image.dtype == np.uint8 and r.image.ndim == 3 and r.image.shape[2] == 3
        assert r.image.flags.c_contiguous
        assert r.quad is None or (r.quad.shape == (4, 2) and r.quad.dtype == np.float64)
        assert isinstance(r.skew_deg, float) and abs(r.skew_deg) <= 15
        assert r.orientation in (0, 90, 180, 270)
        assert isinstance(r.blank, bool)
        assert all(isinstance(w, str) for w in r.warnings)
        if r.quad is not None:  # TL, TR, BR, BL as seen in the input
            tl, tr, br, bl = r.quad
            assert tl[0] < tr[0] and bl[0] < br[0] and tl[1] < bl[1] and tr[1] < br[1]
            h, w = page.image.shape[:2]
            assert (r.quad >= -2).all() and (r.quad[:, 0] <= w + 1).all() and (r.quad[:, 1] <= h + 1).all()


def test_set_meets_slightly_loosened_targets(processed: list[tuple[TestPage, PageResult, float]]) -> None:
    pages = [p for p, _, _ in processed]
    s = score([r for _, r, _ in processed], [p.truth for p in pages], [t for *_, t in processed],
              [p.kind for p in pages])
    assert s.quad_jaccard_mean >= 0.96, s.failures
    assert s.skew_err_p95 <= 0.15, s.failures
    assert s.orientation_accuracy >= 0.95, s.failures
    assert s.blank_f1 >= 0.95, s.failures


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_handled(processed: list[tuple[TestPage, PageResult, float]], kind: str) -> None:
    rows = [(p, r) for p, r, _ in processed if p.kind == kind]
    assert rows, f"the generator produced no {kind} page"
    for p, r in rows:
        t = p.truth
        assert quad_jaccard(r.quad, t.quad, t.frame_size) >= 0.93, (kind, r.quad, t.quad)
        assert r.blank == t.blank, kind
        if t.skew_scored:
            assert abs(r.skew_deg - t.skew_deg) <= 0.2, (kind, r.skew_deg, t.skew_deg)
        if t.orientation_scored:
            assert r.orientation == t.orientation, kind


def test_output_is_the_upright_page(processed: list[tuple[TestPage, PageResult, float]]) -> None:
    for p, r, _ in processed:
        if p.kind in ("feeder", "rotated", "flatbed") and not p.truth.blank:
            h, w = r.image.shape[:2]
            assert h > w, "an A4/A5 page comes out portrait"


def test_fill_frame_page_has_no_quad(processed: list[tuple[TestPage, PageResult, float]]) -> None:
    feeders = [(p, r) for p, r, _ in processed if p.kind == "feeder"]
    assert feeders and all(r.quad is None for _, r in feeders)


def test_red_seal_stays_red() -> None:
    def red_pixels(img: np.ndarray) -> int:
        hsv = cv2.cvtColor(img, cv2.COLOR_BGR2HSV)
        hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
        coloured = (sat > 80) & (val > 90)
        red = coloured & ((hue <= 10) | (hue >= 170))
        # Every strongly coloured pixel of the seal is red: nothing turned pink, orange or grey.
        blue_ink = coloured & (hue >= 100) & (hue <= 130)  # the signature may be blue
        assert red.sum() >= 0.9 * (coloured & ~blue_ink).sum()
        return int(red.sum())

    checked = 0
    for i in range(6):
        page = generate_page(99, i, 100, "flatbed")
        before = red_pixels(page.image)
        if before < 300:  # this layout drew no seal
            continue
        r = process_page(page.image, page.dpi)
        after = red_pixels(r.image)
        # Resampling thin 100-dpi strokes blends their edges with paper; the seal must remain.
        assert after >= 0.6 * before, (before, after)
        checked += 1
    assert checked >= 2


def test_near_blank_kept_and_blank_dropped() -> None:
    for i in range(4):
        nb = generate_page(7, i, 100, "near_blank")
        assert process_page(nb.image, nb.dpi).blank is False
        bl = generate_page(7, i, 100, "blank")
        assert process_page(bl.image, bl.dpi).blank is True


def test_options_switch_stages_off() -> None:
    page = generate_page(3, 0, 100, "flatbed")
    opt = PipelineOptions(detect_page=False, deskew=False, orient=False, detect_blank=False)
    r = process_page(page.image, page.dpi, opt)
    assert r.quad is None and r.orientation == 0 and r.blank is False and r.skew_deg == 0.0
    assert r.image.shape == page.image.shape


def test_warnings() -> None:
    page = generate_page(11, 1, 100, "feeder")
    sharp = process_page(page.image, 300)
    assert sharp.warnings == []
    assert WARN_LOW_RESOLUTION in process_page(page.image, 150).warnings
    blurred = cv2.GaussianBlur(page.image, (0, 0), 0.5 * 100 / 25.4)  # σ 0.5 mm at the page's true 100 dpi
    assert WARN_BLUR in process_page(blurred, 100).warnings
    dark = (page.image * 0.35).astype(np.uint8)
    assert WARN_TOO_DARK in process_page(dark, 300).warnings
    bed = generate_page(11, 0, 100, "flatbed")
    quad = bed.truth.quad
    cut = bed.image[:, : int(quad[:, 0].mean())]  # the bed ends in the middle of the page
    r = process_page(np.ascontiguousarray(cut), bed.dpi)  # the dpi the page was generated at
    assert WARN_PAGE_CUT_OFF in r.warnings


def test_grey_and_bgra_frames_are_converted() -> None:
    page = generate_page(5, 1, 100, "feeder")
    grey = cv2.cvtColor(page.image, cv2.COLOR_BGR2GRAY)
    r = process_page(grey, page.dpi)
    assert r.image.ndim == 3 and r.image.shape[2] == 3
    bgra = cv2.cvtColor(page.image, cv2.COLOR_BGR2BGRA)
    assert process_page(bgra, page.dpi).image.shape[2] == 3


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((0, 0, 3), np.uint8),
        np.zeros((10, 10, 3), np.uint8),
        np.zeros((200, 200, 3), np.float32),
        np.zeros((200, 200, 3), np.uint16),
        np.zeros((200, 200, 2), np.uint8),
        np.zeros((2, 200, 200, 3), np.uint8),
        np.broadcast_to(np.zeros((1, 1, 3), np.uint8), (70000, 70000, 3)),  # no memory used
        np.zeros((33, 6000, 3), np.uint8),
        "not an image",
        None,
    ],
    ids=["empty", "tiny", "float", "uint16", "two-channel", "4-d", "huge", "sliver", "str", "none"],
)
def test_bad_input_gives_a_clear_error(bad: object) -> None:
    with pytest.raises(PageImageError) as exc:
        process_page(bad, 300)  # type: ignore[arg-type]
    assert isinstance(exc.value, ValidationError)
    assert any(ch in exc.value.user_message() for ch in "ảạãệớợ"), "Vietnamese message expected"


@pytest.mark.parametrize("dpi", [0, -5, 100000, float("nan")])
def test_bad_dpi_is_refused(dpi: float) -> None:
    with pytest.raises(PageImageError):
        process_page(np.full((300, 200, 3), 250, np.uint8), dpi)  # type: ignore[arg-type]


def test_uniform_frames_do_not_crash() -> None:
    for value in (0, 128, 255):
        r = process_page(np.full((400, 300, 3), value, np.uint8), 300)
        assert r.blank is True and r.quad is None


@pytest.mark.parametrize("shape", [(32, 640), (640, 32), (1700, 90), (3000, 150), (900, 700)])
def test_odd_but_valid_frames_do_not_crash(shape: tuple[int, int]) -> None:
    # A 6000×33 frame once reduced to a 4-px sliver and crashed OpenCV: such shapes now either
    # process or are refused with a message, never a segfault.
    rng = np.random.default_rng(1)
    for img in (np.full((*shape, 3), 230, np.uint8), rng.integers(0, 256, (*shape, 3), dtype=np.uint8),
                np.asfortranarray(np.full((*shape, 3), 200, np.uint8)), np.full((shape[0], shape[1] * 2, 3),
                                                                               240, np.uint8)[:, ::2]):
        r = process_page(img, 300)
        assert r.image.dtype == np.uint8 and r.image.ndim == 3


def test_scorer_handles_competitors_without_some_fields() -> None:
    page = generate_page(1, 1, 100, "feeder")
    s = score([Prediction(skew_deg=page.truth.skew_deg)], [page.truth], [1.0], fields={"skew"})
    assert s.skew_err_p95 == pytest.approx(0.0)
    assert np.isnan(s.quad_jaccard_mean) and np.isnan(s.blank_f1)


# --------------------------------------------------------------------------- issue #13

@pytest.mark.parametrize("kind", EXTRA_KINDS)
def test_counter_objects_and_backgrounds_are_found(kind: str) -> None:
    """Cards alone on the glass (white lid or open), A5/A6 slips on a grey lid, pages on wood,
    cloth or a light desk, dense two-column pages, scanner bars: each cropped to itself and
    straight (issue #13)."""
    missed = 0
    for i in range(3):
        p = generate_page(613, i, 100, kind)
        r = process_page(p.image, p.dpi)
        t = p.truth
        if quad_jaccard(r.quad, t.quad, t.frame_size) < 0.95:
            # Found or told: a card's plain back on a white lid with no rim shadow can be
            # invisible; then the frame is kept whole and the officer is warned.
            assert r.quad is None and WARN_PAGE_NOT_FOUND in r.warnings, (kind, i, r.quad, t.quad)
            missed += 1
            continue
        if t.skew_scored and kind != "card_glass":  # a card's 40-mm lines: ±0.3° is what they give
            assert abs(r.skew_deg - t.skew_deg) <= 0.15, (kind, i, r.skew_deg, t.skew_deg)
        if t.orientation_scored:
            assert r.orientation == t.orientation or WARN_ORIENTATION_UNSURE in r.warnings, (kind, i)
    assert missed <= (1 if kind == "card_glass" else 0), kind


def test_two_column_page_is_not_taken_for_sideways() -> None:
    """Raw peak height made a dense two-column page "sideways", which then failed the
    confidence test and stayed tilted by its full skew (issue #13)."""
    for i in range(4):
        p = generate_page(4242, i, 100, "two_column")
        r = process_page(p.image, p.dpi)
        assert r.skew_confident and r.orientation == 0, i
        assert abs(r.skew_deg - p.truth.skew_deg) <= 0.15, (i, r.skew_deg, p.truth.skew_deg)


def test_marks_without_lines_are_flagged_not_straightened() -> None:
    """Ink with no line direction (scattered strokes): the page is left as it is and says so."""
    rng = np.random.default_rng(5)
    img = np.full((1400, 1000, 3), 245, np.uint8)
    for _ in range(900):
        x, y = rng.integers(60, 940), rng.integers(60, 1340)
        a = rng.uniform(0, np.pi)
        cv2.line(img, (int(x), int(y)), (int(x + 14 * np.cos(a)), int(y + 14 * np.sin(a))), (30, 30, 30), 2)
    r = process_page(img, 150)
    assert not r.skew_confident and r.skew_deg == 0.0
    assert WARN_SKEW_UNSURE in r.warnings


def test_dpi_is_inferred_from_the_document_when_untrusted() -> None:
    """A 1240×1754 image with no dpi is an A4 page at 150 dpi, not an A6 at 300."""
    assert infer_dpi((1240, 1754), (1240, 1754), False, 300, False) == (pytest.approx(150, abs=0.5), "size:A4")
    assert infer_dpi((1240, 1754), (1240, 1754), False, 300, True) == (300.0, "device")
    # A card found on a bed-shaped frame takes the bed's scale: it stays card-sized.
    dpi, rule = infer_dpi((1011, 638), (2551, 3508), True, 72, False)
    assert rule == "bed:A4" and dpi == pytest.approx(300, rel=0.01)
    # A photographed card alone fills its crop: ID-1's aspect gives its size.
    dpi, rule = infer_dpi((1011, 638), (1600, 1200), True, 72, False)
    assert rule == "size:ID-1" and 1011 / dpi * 25.4 == pytest.approx(85.6, rel=0.01)
    # A stated 1200 dpi that makes a 2293-px page 48 mm wide is not believed.
    assert infer_dpi((2293, 3106), (2293, 3106), False, 1200, True)[1] == "assumed"


def test_untrusted_dpi_reaches_the_result() -> None:
    page = generate_page(11, 1, 150, "feeder")  # A4 at 150 dpi, stated as a 300-dpi default
    r = process_page(page.image, 300, dpi_trusted=False)
    assert r.dpi_rule == "size:A4" and r.effective_dpi == pytest.approx(150, rel=0.01)
    assert WARN_LOW_RESOLUTION in r.warnings  # 150 dpi is what the page really has


def test_every_warning_has_plain_vietnamese() -> None:
    codes = [WARN_BLUR, WARN_TOO_DARK, WARN_LOW_RESOLUTION, WARN_PAGE_CUT_OFF, WARN_PAGE_NOT_FOUND,
             WARN_SKEW_UNSURE, WARN_ORIENTATION_UNSURE, WARN_DPI_UNKNOWN, WARN_PRINT_OUTSIDE]
    assert set(codes) == set(WARNING_TEXT) == set(WARNING_SHORT)
    for code in codes:
        for short in (False, True):
            text = describe_warning(code, short=short)
            assert code not in text and "_" not in text and text.strip()
    assert "mystery_code" not in describe_warning("mystery_code")
