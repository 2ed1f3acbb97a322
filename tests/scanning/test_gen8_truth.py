"""gen8's truth (bench/scan_eval/gen8.py, the session-12 held-out generator): deterministic frames,
outlines where the paper really is (also through the lens distortion), skew and quarter-turn truths
measured back on drawn pages."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen8

KEYS = {
    "name",
    "scene",
    "class",
    "size",
    "quad",
    "rotation",
    "skew_deg",
    "skew_scored",
    "has_text_lines",
    "orientation_scored",
    "blank",
    "near_blank",
    "full_frame",
}


def _line_angle(grey: np.ndarray, x0: int, x1: int, y_lo: int, y_hi: int) -> float:
    """CCW angle (degrees) of the one dark line in rows y_lo…y_hi, from a least-squares fit of each
    column's ink centroid (nothing of the generator's geometry is used)."""
    band = 255.0 - grey[y_lo:y_hi, x0:x1].astype(np.float64)
    band[band < 40] = 0
    ys = np.arange(y_lo, y_hi, dtype=np.float64)[:, None]
    wsum = band.sum(0)
    ok = wsum > 0
    cy = (band * ys).sum(0)[ok] / wsum[ok]
    xs = np.arange(x0, x1, dtype=np.float64)[ok]
    return -math.degrees(math.atan(np.polyfit(xs, cy, 1)[0]))


def _mask_vs_quad(frame: np.ndarray, quad: np.ndarray) -> None:
    """A white sheet on black covers exactly its truth outline: same area and centroid."""
    m = frame[:, :, 0].astype(np.float64) / 255.0
    assert m.sum() == pytest.approx(gen8.poly_area(quad), rel=4e-3)
    fh, fw = m.shape
    yy, xx = np.mgrid[0:fh, 0:fw]
    cen = np.array([(m * xx).sum(), (m * yy).sum()]) / m.sum()
    mom = cv2.moments(quad.astype(np.float32))
    assert np.allclose(cen, [mom["m10"] / mom["m00"], mom["m01"] / mom["m00"]], atol=0.5)


def test_frames_are_deterministic_and_scene_choices_do_not_depend_on_dpi() -> None:
    for i in (4, 13, 21):
        a, b = gen8.generate_page(8, i, 30), gen8.generate_page(8, i, 30)
        assert np.array_equal(a.image, b.image) and a.truth == b.truth
        c = gen8.generate_page(8, i, 45)
        assert (c.truth["rotation"], c.truth["scene"]) == (a.truth["rotation"], a.truth["scene"])
        # A photo's skew is read at the page centre through the perspective: whole-pixel page sizes move it a hair.
        assert c.truth["skew_deg"] == pytest.approx(a.truth["skew_deg"], abs=0.01)
    assert gen8.generate_page(8, 4, 30).truth != gen8.generate_page(9, 4, 30).truth


def test_every_scene_once_with_keys_ranges_and_outlines_inside_the_frame() -> None:
    assert len(gen8.SCENES) >= 20 and set(gen8.CLASS_OF.values()) == {"flatbed", "camera", "card", "slip"}
    for i, scene in enumerate(gen8.SCENES):
        p = gen8.generate_page(8, i, 24)
        t = p.truth
        assert set(t) >= KEYS and t["name"] == f"{scene}#{i}" and t["class"] == gen8.CLASS_OF[scene]
        fh, fw = p.image.shape[:2]
        assert p.image.dtype == np.uint8 and p.image.ndim == 3 and t["size"] == [fw, fh]
        q = np.asarray(t["quad"])
        assert (
            len(q) >= 3
            and (q >= -0.5 - 1e-6).all()
            and (q[:, 0] <= fw - 0.5 + 1e-6).all()
            and (q[:, 1] <= fh - 0.5 + 1e-6).all()
        )
        assert 0.0 < gen8.poly_area(q) <= fw * fh * (1 + 1e-6)
        assert t["rotation"] in (0, 90, 180, 270) and -45 <= t["skew_deg"] <= 45
        assert not (t["blank"] and t["has_text_lines"]) and not (t["blank"] and t["near_blank"])
        assert not t["skew_scored"] or (t["class"] == "flatbed" and t["has_text_lines"])
        assert (p.dpi is None) == (t["class"] == "camera" or scene in gen8._PHOTO_SCENES or t["dpi_stated"] is None)


@pytest.mark.parametrize("persp", [False, True])
def test_quad_is_where_the_paper_is(persp: bool) -> None:
    w, h, fw, fh = 300, 420, 520, 560
    hm = gen8.place(w, h, 93.7, 250, 300)
    if persp:
        dst = gen8._apply(hm, gen8.corners(w, h)) + np.array([[20, 5], [-25, 10], [0, -15], [10, 0]])
        hm = cv2.getPerspectiveTransform(gen8.corners(w, h).astype(np.float32), dst.astype(np.float32)).astype(
            np.float64
        )
    frame = gen8.composite(np.zeros((fh, fw, 3), np.uint8), np.full((h, w, 3), 255, np.uint8), hm)
    g = gen8.truth_geometry(hm, w, h, fw, fh)
    _mask_vs_quad(frame, np.asarray(g["quad"]))
    assert g["rotation"] == 90  # turned ~94° CCW: a clockwise quarter makes it upright


def test_quad_follows_the_lens_and_the_frame_edge() -> None:
    """Barrel distortion bends the sheet's sides; the truth outline bends with them, and a sheet running
    off the frame is clipped to it, starting at the document's top-left, clockwise."""
    w, h, fw, fh = 260, 360, 480, 400
    hm = gen8.place(w, h, -4.0, 230, 180, 1.0)  # the bottom runs off the frame
    pad = 40  # the lens pulls in what lies beyond the frame: lay the scene out on a margin
    shift = np.array([[1, 0, pad], [0, 1, pad], [0, 0, 1]], np.float64)
    frame = gen8.composite(
        np.zeros((fh + 2 * pad, fw + 2 * pad, 3), np.uint8), np.full((h, w, 3), 255, np.uint8), shift @ hm
    )
    mx, my, lens = gen8.lens_maps(fw, fh, 0.08)
    frame = cv2.remap(frame, mx + pad, my + pad, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    g = gen8.truth_geometry(hm, w, h, fw, fh, 0.0, lens)
    q = np.asarray(g["quad"])
    assert q[:, 1].max() <= fh - 0.5 + 1e-6 and len(q) > 8
    area = 0.5 * np.sum(q[:, 0] * np.roll(q[:, 1], -1) - np.roll(q[:, 0], -1) * q[:, 1])
    assert area > 0  # clockwise on screen (y down)
    assert np.linalg.norm(q[0] - np.asarray(g["paper_quad"])[0]) < 1e-6
    _mask_vs_quad(frame, q)


@pytest.mark.parametrize(("turn", "sy"), [(1.73, 1.0), (-2.41, 1.0), (0.9, 1.012), (181.3, 1.0)])
def test_skew_truth_is_measured_back(turn: float, sy: float) -> None:
    """A ruled line placed as a flatbed or ADF places a page (tilt, stretch along the feed) comes back
    within 0.03° of the truth skew (modulo the quarter turn)."""
    c = gen8.Canvas(200, 120, 4.0)
    c.line(10, 60, 190, 60, 0.6, (0, 0, 0))
    doc = c.bgr()
    h, w = doc.shape[:2]
    fw, fh = 900, 600
    hm = gen8.place(w, h, turn, fw / 2, fh / 2, sy=sy)
    frame = gen8.composite(np.full((fh, fw, 3), 255, np.uint8), doc, hm)
    g = gen8.truth_geometry(hm, w, h, fw, fh)
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    measured = _line_angle(grey, 250, 650, 240, 360)
    assert abs((measured - g["skew_deg"] + 45) % 90 - 45) < 0.03
    assert g["rotation"] == (180 if turn > 90 else 0)


def test_rotation_truth_turns_the_documents_top_left_mark_to_the_top_left() -> None:
    for q in range(4):
        c = gen8.Canvas(100, 140, 2.0)
        c.rect(5, 5, 25, 25, fill=(0, 0, 0))
        doc = c.bgr()
        h, w = doc.shape[:2]
        hm = gen8.place(w, h, 90 * q - 2.5, 200, 200)
        frame = gen8.composite(np.full((400, 400, 3), 255, np.uint8), doc, hm)
        g = gen8.truth_geometry(hm, w, h, 400, 400)
        k = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}.get(g["rotation"])
        up = frame if k is None else cv2.rotate(frame, k)
        ys, xs = np.nonzero(cv2.cvtColor(up, cv2.COLOR_BGR2GRAY) < 100)
        assert xs.mean() < 160 and ys.mean() < 160, (q, g["rotation"])


def test_blank_pages_carry_almost_no_ink_and_near_blank_ones_some() -> None:
    """Truth flags agree with the page drawn: a blank page's paper has (almost) no dark ink, a
    near-blank one a little, a form a lot."""

    def ink(i: int) -> tuple[float, float, dict[str, object]]:
        p = gen8.generate_page(8, i, 40)
        m = np.zeros(p.image.shape[:2], np.uint8)
        cv2.fillPoly(m, [np.round(np.asarray(p.truth["quad"])).astype(np.int32)], 1)
        m = cv2.erode(m, np.ones((9, 9), np.uint8)) > 0
        g = cv2.cvtColor(p.image, cv2.COLOR_BGR2GRAY)
        n = max(1, int(m.sum()))
        return float(((g < 110) & m).sum() / n), float(((g < 200) & m).sum() / n), p.truth

    n = len(gen8.SCENES)
    for k in range(3):  # each blank and near-blank kind comes up within three cycles
        dark, _, tb = ink(gen8.SCENES.index("blank_page") + k * n)
        assert tb["blank"] and not tb["has_text_lines"] and dark < 2e-4, tb.get("kind")
        dark, faint, tn = ink(gen8.SCENES.index("near_blank") + k * n)
        assert tn["near_blank"] and not tn["blank"] and dark < 0.005 and faint > 0, tn.get("kind")
    dark, _, tf = ink(gen8.SCENES.index("tokhai_whitelid"))
    assert not tf["blank"] and tf["has_text_lines"] and dark > 0.01
