"""gen9's truth (bench/scan_eval/gen9.py, the session-13 held-out generator): deterministic frames whose
choices do not depend on the DPI, outlines where the paper really is, skew and quarter-turn truths
measured back on drawn pages, and blank / near-blank flags that agree with the ink on the page."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from bench.scan_eval import gen9

KEYS = {"name", "scene", "class", "size", "quad", "rotation", "skew_deg", "skew_scored", "has_text_lines",
        "orientation_scored", "blank", "near_blank", "full_frame", "dpi_stated"}


def _mask_vs_poly(frame: np.ndarray, poly: np.ndarray) -> None:
    """A white sheet on black covers exactly its truth outline: same area and centroid."""
    m = frame[:, :, 0].astype(np.float64) / 255.0
    assert m.sum() == pytest.approx(abs(gen9.poly_area(poly)), rel=4e-3)
    fh, fw = m.shape
    yy, xx = np.mgrid[0:fh, 0:fw]
    cen = np.array([(m * xx).sum(), (m * yy).sum()]) / m.sum()
    mom = cv2.moments(poly.astype(np.float32))
    assert np.allclose(cen, [mom["m10"] / mom["m00"], mom["m01"] / mom["m00"]], atol=0.5)


def test_frames_are_deterministic_and_choices_do_not_depend_on_dpi() -> None:
    for i in (3, 16, 23, 34):
        a, b = gen9.generate_page(9, i, 30), gen9.generate_page(9, i, 30)
        assert np.array_equal(a.image, b.image) and a.truth == b.truth
        c = gen9.generate_page(9, i, 45)
        assert (c.truth["rotation"], c.truth["scene"]) == (a.truth["rotation"], a.truth["scene"])
        # Whole-pixel document sizes move a photo's centre-line angle by a hair.
        assert c.truth["skew_deg"] == pytest.approx(a.truth["skew_deg"], abs=0.05)
    assert gen9.generate_page(9, 3, 30).truth != gen9.generate_page(10, 3, 30).truth


def test_every_scene_once_with_keys_ranges_and_outlines_inside_the_frame() -> None:
    assert len(gen9.SCENES) >= 24 and set(gen9.CLASS_OF.values()) == {"flatbed", "camera", "card", "slip"}
    for i, scene in enumerate(gen9.SCENES):
        p = gen9.generate_page(9, i, 24)
        t = p.truth
        assert set(t) >= KEYS and t["name"] == f"{scene}#{i}" and t["class"] == gen9.CLASS_OF[scene]
        fh, fw = p.image.shape[:2]
        assert p.image.dtype == np.uint8 and p.image.ndim == 3 and p.image.shape[2] == 3 and t["size"] == [fw, fh]
        q = np.asarray(t["quad"])
        assert len(q) >= 3 and (q >= -0.5 - 1e-6).all()
        assert (q[:, 0] <= fw - 0.5 + 1e-6).all() and (q[:, 1] <= fh - 0.5 + 1e-6).all()
        assert 0.0 < gen9.poly_area(q) <= fw * fh * (1 + 1e-6)  # positive: clockwise on screen
        assert t["rotation"] in (0, 90, 180, 270) and -45 <= t["skew_deg"] < 45
        assert not (t["blank"] and t["has_text_lines"]) and not (t["blank"] and t["near_blank"])
        assert not t["skew_scored"] or (t["class"] == "flatbed" and t["has_text_lines"])
        assert (p.dpi is None) == (scene in gen9._PHOTO_SCENES)
        assert p.dpi == t["dpi_stated"]


@pytest.mark.parametrize("persp", [False, True])
def test_quad_is_where_the_paper_is(persp: bool) -> None:
    w, h, fw, fh = 300, 420, 520, 560
    hm = gen9.place(w, h, 93.7, 250, 300)
    if persp:
        hm = gen9.perspective(hm, w, h, np.array([[20, 5], [-25, 10], [0, -15], [10, 0]], np.float64))
    frame = gen9.composite(np.zeros((fh, fw, 3), np.uint8), np.full((h, w, 3), 255, np.uint8), hm)
    q = gen9.clip_to_frame(gen9.apply_h(hm, gen9.corners(w, h)), fw, fh, gen9.apply_h(hm, gen9.corners(w, h))[0])
    _mask_vs_poly(frame, q)
    assert gen9.turn_of(gen9.axis_angle(hm, w, h))[0] == 90  # turned ~94° CCW: a clockwise quarter makes it upright


def test_a_sheet_running_off_the_frame_is_clipped_from_its_top_left_clockwise() -> None:
    w, h, fw, fh = 260, 360, 400, 300
    hm = gen9.place(w, h, -4.0, 200, 200)  # the bottom runs off
    frame = gen9.composite(np.zeros((fh, fw, 3), np.uint8), np.full((h, w, 3), 255, np.uint8), hm)
    c = gen9.apply_h(hm, gen9.corners(w, h))
    q = gen9.clip_to_frame(c, fw, fh, c[0])
    assert q[:, 1].max() <= fh - 0.5 + 1e-6 and gen9.poly_area(q) > 0
    assert np.linalg.norm(q[0] - c[0]) < 1e-3  # the clipping runs in float32
    _mask_vs_poly(frame, q)


def _line_angle(grey: np.ndarray, x0: int, x1: int, y_lo: int, y_hi: int) -> float:
    """CCW angle (degrees) of the one dark line in rows y_lo…y_hi, from a least-squares fit of each
    column's ink centroid (nothing of the generator's geometry is used)."""
    band = 255.0 - grey[y_lo:y_hi, x0:x1].astype(np.float64)
    band[band < 40] = 0
    ys = np.arange(y_lo, y_hi, dtype=np.float64)[:, None]
    wsum = band.sum(0)
    ok = wsum > 0
    cy = (band * ys).sum(0)[ok] / wsum[ok]
    return -math.degrees(math.atan(np.polyfit(np.arange(x0, x1, dtype=np.float64)[ok], cy, 1)[0]))


@pytest.mark.parametrize("turn", [1.73, -2.41, 0.12, 181.3, -88.6])
def test_skew_truth_is_measured_back(turn: float) -> None:
    s = gen9.Sheet(200, 120, 4.0, (255, 255, 255))
    s.line(10, 60, 190, 60, 0.6, (0, 0, 0))
    doc = s.bgr()
    h, w = doc.shape[:2]
    fw, fh = 900, 900
    hm = gen9.place(w, h, turn, fw / 2, fh / 2)
    frame = gen9.composite(np.full((fh, fw, 3), 255, np.uint8), doc, hm)
    rot, skew = gen9.turn_of(gen9.axis_angle(hm, w, h))
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    if rot in (90, 270):
        grey = np.ascontiguousarray(grey.T)  # the line runs down the frame: fit x against y
        measured = -_line_angle(grey, 250, 650, 390, 510)
    else:
        measured = _line_angle(grey, 250, 650, 390, 510)
    assert abs((measured - skew + 45) % 90 - 45) < 0.03
    assert rot == {1.73: 0, -2.41: 0, 0.12: 0, 181.3: 180, -88.6: 270}[turn]


def test_rotation_truth_turns_the_documents_top_left_mark_to_the_top_left() -> None:
    for q in range(4):
        s = gen9.Sheet(100, 140, 2.0, (255, 255, 255))
        s.rect(5, 5, 25, 25, fill=(0, 0, 0))
        doc = s.bgr()
        h, w = doc.shape[:2]
        hm = gen9.place(w, h, 90 * q - 2.5, 200, 200)
        frame = gen9.composite(np.full((400, 400, 3), 255, np.uint8), doc, hm)
        rot, _ = gen9.turn_of(gen9.axis_angle(hm, w, h))
        k = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}.get(rot)
        up = frame if k is None else cv2.rotate(frame, k)
        ys, xs = np.nonzero(cv2.cvtColor(up, cv2.COLOR_BGR2GRAY) < 100)
        assert xs.mean() < 160 and ys.mean() < 160, (q, rot)


def test_outlines_of_generated_frames_on_dark_grounds_match_the_bright_paper() -> None:
    """Re-measured on real frames: where the ground is dark (open lid, ADF backing), the paper is the
    bright region; its hull agrees with the truth outline (two cards, a double feed: their hull)."""
    n = len(gen9.SCENES)
    for scene in ("passport_glass", "bank_slip", "double_feed", "autocrop_rim"):
        p = gen9.generate_page(9, gen9.SCENES.index(scene), 40)
        g = cv2.cvtColor(p.image, cv2.COLOR_BGR2GRAY)
        m = (g > 150).astype(np.uint8)
        m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        cs, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        pts = np.vstack([c.reshape(-1, 2) for c in cs if cv2.contourArea(c) > 0.002 * m.size])
        hull = cv2.convexHull(pts.astype(np.float32)).reshape(-1, 2)
        truth = np.asarray(p.truth["quad"], np.float32)
        inter, _ = cv2.intersectConvexConvex(hull, cv2.convexHull(truth).reshape(-1, 2))
        iou = inter / (cv2.contourArea(hull) + cv2.contourArea(truth) - inter)
        assert iou > 0.97, (scene, iou)
    assert n >= 24


def test_a_torn_corner_gives_a_five_sided_outline() -> None:
    n = len(gen9.SCENES)
    i0 = gen9.SCENES.index("punched_dogear")
    seen = 0
    for k in range(8):
        p = gen9.generate_page(9, i0 + k * n, 30)
        if p.truth["torn"]:
            seen += 1
            assert len(p.truth["quad"]) >= 5
            break
    assert seen > 0


def _projection_skew(grey: np.ndarray) -> float:
    """Skew (deg CCW) by the sharpest horizontal projection profile of the ink, searched coarse to fine."""
    ink = (255.0 - grey.astype(np.float32))
    h, w = ink.shape
    best = 0.0
    for step, span in ((0.25, 4.0), (0.02, 0.3)):
        cands = np.arange(best - span, best + span + 1e-9, step)
        scores = []
        for a in cands:
            # Turning the image by -a makes lines tilted by a horizontal.
            m = cv2.getRotationMatrix2D((w / 2, h / 2), -a, 1.0)
            r = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_LINEAR)
            prof = r.sum(1)
            scores.append(float(np.sum(np.diff(prof) ** 2)))
        best = float(cands[int(np.argmax(scores))])
    return best


def test_skew_truth_of_generated_scans_is_measured_back_by_projection_profiles() -> None:
    n = len(gen9.SCENES)
    for i in (gen9.SCENES.index("grey_tokhai"), gen9.SCENES.index("coloured_paper") + n):
        p = gen9.generate_page(9, i, 60)
        assert p.truth["skew_scored"] and p.truth["rotation"] == 0
        q = np.asarray(p.truth["quad"])
        x0, y0 = np.ceil(q.min(0)).astype(int) + 20
        x1, y1 = np.floor(q.max(0)).astype(int) - 20
        grey = cv2.cvtColor(p.image, cv2.COLOR_BGR2GRAY)[y0:y1, x0:x1]
        assert abs(_projection_skew(grey) - p.truth["skew_deg"]) < 0.06, p.truth["name"]


def test_blank_pages_carry_almost_no_ink_and_near_blank_ones_some() -> None:
    def ink(i: int) -> tuple[float, float, dict[str, object]]:
        p = gen9.generate_page(9, i, 40)
        m = np.zeros(p.image.shape[:2], np.uint8)
        cv2.fillPoly(m, [np.round(np.asarray(p.truth["quad"])).astype(np.int32)], 1)
        m = cv2.erode(m, np.ones((9, 9), np.uint8)) > 0
        g = cv2.cvtColor(p.image, cv2.COLOR_BGR2GRAY)
        k = max(1, int(m.sum()))
        return float(((g < 110) & m).sum() / k), float(((g < 200) & m).sum() / k), p.truth

    n = len(gen9.SCENES)
    for k in range(3):  # each near-blank kind comes up within three cycles
        dark, _, tb = ink(gen9.SCENES.index("blank_back") + k * n)
        assert tb["blank"] and not tb["has_text_lines"] and dark < 2e-4
        dark, faint, tn = ink(gen9.SCENES.index("near_blank") + k * n)
        assert tn["near_blank"] and not tn["blank"] and dark < 0.005 and faint > 0, tn.get("kind")
    dark, _, tf = ink(gen9.SCENES.index("grey_tokhai"))
    assert not tf["blank"] and tf["has_text_lines"] and dark > 0.003  # thin light print at 40 dpi
