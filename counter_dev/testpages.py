"""Seeded generator of realistic scanned pages with ground truth (issue part 5).

Every page is an A4 (or A5) Vietnamese administrative document, an ID card or a blank sheet,
rendered with a real font (Liberation Serif) and then "acquired" the way a one-stop counter
acquires it:

``flatbed``     page lying skewed on a larger scanner bed under a white lid (white on white:
                the lid is a little greyer than the paper, a shadow line on the lamp-far edges)
``feeder``      sheet-fed scan: the page fills the frame, the content is skewed (quad = None)
``rotated``     a feeder or flatbed page fed sideways or upside down
``camera``      phone photo on a dark or cluttered desk: perspective, uneven light, blur, JPEG
``card``        ID card (85.6 × 54 mm) anywhere on an A4 bed
``blank``       back side: paper tone, scanner noise, dust, faint mirrored bleed-through
``near_blank``  one line of text or only a page number — must be kept

Harder cases, generated only on request (``EXTRA_KINDS``; not in the default cycle, so the
seeded sets above stay as they were):

``card_glass``  an ID card, front or plain light back, alone on the glass at 300 dpi under a
                white lid or with the lid open (dark)
``slip``        an A5 or A6 slip on a light-grey lid
``desk``        phone photo of a page on wood, patterned cloth or a light desk with clutter
``two_column``  dense two-column page, sheet-fed, small skew (lines of the two columns do
                not line up, which flattens a whole-page projection)
``bars``        sheet-fed page with black scanner bars along one or two sides

Geometry conventions match :mod:`counter_app.scanning.pipeline`: ``skew_deg`` positive =
counter-clockwise as seen on screen; ``orientation`` is the clockwise rotation the pipeline
must apply so the text reads upright; ``quad`` holds TL, TR, BR, BL of the page in frame pixel
coordinates (pixel centres at integers) or ``None`` when the page fills the frame.

Generation is deterministic: page ``i`` of ``generate_set(seed, n)`` depends only on
``(seed, i)``, so growing ``n`` keeps the earlier pages.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from counter_app.paths import RESOURCES

__all__ = ["EXTRA_KINDS", "KINDS", "PageTruth", "TestPage", "generate_page", "generate_set", "order_quad",
           "render_document"]

# Order of kinds over a set: round-robin through this cycle keeps every kind represented even in
# small sets while weighting the common cases (flatbed, feeder) more.
_CYCLE = (
    "flatbed", "feeder", "camera", "rotated", "near_blank", "blank", "card",
    "flatbed", "rotated", "camera", "feeder", "near_blank", "blank", "flatbed",
)
KINDS = ("flatbed", "feeder", "rotated", "camera", "card", "blank", "near_blank")
EXTRA_KINDS = ("card_glass", "slip", "desk", "two_column", "bars")

_A4_MM = (210.0, 297.0)
_A5_MM = (148.0, 210.0)
_A6_MM = (105.0, 148.0)
_CARD_MM = (85.6, 53.98)


@dataclass(frozen=True)
class PageTruth:
    """What the pipeline should find on a generated page."""

    quad: np.ndarray | None  # 4×2 float64, TL TR BR BL in frame pixels; None = fills the frame
    skew_deg: float  # counter-clockwise rotation of the content, degrees
    orientation: int  # clockwise rotation that makes the text upright (0/90/180/270)
    blank: bool
    frame_size: tuple[int, int]  # (width, height) of the frame
    skew_scored: bool  # False where skew is undefined (perspective, blank, a lone page number)
    orientation_scored: bool  # False where no reader could tell (blank, near-blank)


@dataclass(frozen=True)
class TestPage:
    """One generated acquisition: the BGR frame, its resolution, its kind and its truth."""

    __test__ = False  # not a pytest test class despite the name

    image: np.ndarray
    dpi: int
    kind: str
    truth: PageTruth


# --------------------------------------------------------------------------- fonts and text

_FONT_DIRS = (
    RESOURCES / "fonts",
    Path("/usr/share/fonts/truetype/liberation2"),
    Path("/usr/share/fonts/truetype/liberation"),
)


@functools.lru_cache(maxsize=64)
def _font(style: str, px: int) -> ImageFont.FreeTypeFont:
    """Liberation Serif in ``style`` (Regular/Bold/Italic/BoldItalic) at ``px`` pixels."""
    for d in _FONT_DIRS:
        path = d / f"LiberationSerif-{style}.ttf"
        if path.is_file():
            return ImageFont.truetype(str(path), px)
    raise FileNotFoundError("LiberationSerif fonts not found (resources/fonts or fonts-liberation2)")


_AGENCIES = (
    ("UBND XÃ HÒA BÌNH", "CÔNG AN XÃ"),
    ("ỦY BAN NHÂN DÂN", "PHƯỜNG BẾN THÀNH"),
    ("UBND TỈNH THÁI NGUYÊN", "SỞ TƯ PHÁP"),
    ("ỦY BAN NHÂN DÂN", "XÃ ĐỒNG TÂM"),
)
_TITLES = (
    "TỜ KHAI ĐĂNG KÝ KHAI SINH", "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO", "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
    "TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", "ĐƠN ĐỀ NGHỊ CHỨNG THỰC", "BIÊN BẢN GIAO NHẬN HỒ SƠ",
    "QUYẾT ĐỊNH", "THÔNG BÁO",
)
_SENTENCES = (
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
    "Căn cứ Nghị định số 123/2015/NĐ-CP quy định chi tiết một số điều của Luật Hộ tịch;",
    "Xét đề nghị của công chức tư pháp - hộ tịch và hồ sơ kèm theo;",
    "Người yêu cầu cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm "
    "trước pháp luật về cam đoan của mình.",
    "Đề nghị Ủy ban nhân dân xã xem xét, giải quyết theo đúng quy định của pháp luật hiện hành.",
    "Hồ sơ gồm bản chính giấy chứng sinh, bản sao căn cước công dân của cha và mẹ đứa trẻ.",
    "Thời hạn giải quyết không quá ba ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
    "Trường hợp hồ sơ chưa đầy đủ, cán bộ tiếp nhận hướng dẫn người nộp bổ sung một lần.",
    "Lệ phí được nộp trực tiếp tại bộ phận một cửa hoặc qua cổng dịch vụ công quốc gia.",
    "Quyết định này có hiệu lực kể từ ngày ký; các ông, bà có tên trên chịu trách nhiệm thi hành.",
    "Nơi cư trú: thôn Phú Mỹ, xã Hòa Bình, huyện Đức Trọng, tỉnh Lâm Đồng.",
    "Kết quả được trả tại quầy hoặc gửi qua dịch vụ bưu chính công ích theo yêu cầu.",
    "Giấy tờ tùy thân: căn cước công dân số do Cục Cảnh sát quản lý hành chính cấp.",
    "Mọi thắc mắc xin liên hệ bộ phận tiếp nhận và trả kết quả trong giờ hành chính.",
)
_FIELDS = (
    "Họ, chữ đệm, tên người yêu cầu:", "Ngày, tháng, năm sinh:", "Giới tính:", "Dân tộc:",
    "Quốc tịch:", "Nơi cư trú:", "Số định danh cá nhân:", "Quan hệ với người được khai sinh:",
    "Nơi sinh:", "Quê quán:", "Số điện thoại liên hệ:",
)
_NAMES = ("NGUYỄN VĂN AN", "TRẦN THỊ BÌNH", "LÊ HOÀNG CƯỜNG", "PHẠM THỊ DUNG", "ĐẶNG QUỐC ĐẠT",
          "VŨ THỊ HỒNG", "HOÀNG MINH KHÔI", "BÙI THỊ LIÊN")
_SEAL_TEXT = ("ỦY BAN NHÂN DÂN * XÃ HÒA BÌNH * ", "CÔNG AN XÃ ĐỒNG TÂM * ",
              "UBND PHƯỜNG BẾN THÀNH * ")


def _mm(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


def _pt(pt: float, dpi: int) -> int:
    return max(6, round(pt * dpi / 72.0))


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap to ``width`` pixels."""
    lines: list[str] = []
    cur = ""
    for word in text.split():
        trial = f"{cur} {word}".strip()
        if cur and draw.textlength(trial, font=font) > width:
            lines.append(cur)
            cur = word
        else:
            cur = trial
    if cur:
        lines.append(cur)
    return lines


# --------------------------------------------------------------------------- document rendering

def _draw_seal(img: Image.Image, rng: np.random.Generator, cx: int, cy: int, dpi: int) -> None:
    """A red circular seal (double ring, text around, star) blended like stamp ink (multiply)."""
    r = _mm(rng.uniform(16, 20), dpi)
    size = 2 * r + 8
    layer = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(layer)
    c = size // 2
    w = max(2, _mm(0.8, dpi))
    d.ellipse((c - r, c - r, c + r, c + r), outline=255, width=w)
    ri = int(r * 0.66)
    d.ellipse((c - ri, c - ri, c + ri, c + ri), outline=255, width=max(1, w // 2))
    # Text around the ring, one glyph at a time (PIL cannot draw on a path).
    text = _SEAL_TEXT[int(rng.integers(len(_SEAL_TEXT)))]
    font = _font("Bold", max(7, int(r * 0.22)))
    rt = (r + ri) / 2
    for k, ch in enumerate(text):
        ang = -math.pi / 2 + 2 * math.pi * k / len(text)
        gx, gy = c + rt * math.cos(ang), c + rt * math.sin(ang)
        g = Image.new("L", (font.size * 2, font.size * 2), 0)
        ImageDraw.Draw(g).text((font.size, font.size), ch, fill=255, font=font, anchor="mm")
        g = g.rotate(-math.degrees(ang) - 90, resample=Image.Resampling.BILINEAR)
        layer.paste(255, (int(gx - font.size), int(gy - font.size)), g)
    # Star in the middle.
    pts = []
    rs = ri * 0.45
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = rs if k % 2 == 0 else rs * 0.4
        pts.append((c + rr * math.cos(a), c + rr * math.sin(a)))
    d.polygon(pts, fill=255)
    alpha = np.asarray(layer, np.float32) / 255.0 * rng.uniform(0.75, 0.95)
    # Stamps print unevenly: modulate the ink with low-frequency noise.
    noise = cv2.resize(rng.uniform(0.6, 1.0, (8, 8)).astype(np.float32), (size, size))
    alpha *= noise
    ink = np.array([rng.uniform(195, 225), rng.uniform(20, 45), rng.uniform(30, 55)], np.float32)  # RGB
    arr = np.asarray(img, np.float32)
    x0, y0 = cx - c, cy - c
    x1, y1 = max(0, x0), max(0, y0)
    x2, y2 = min(arr.shape[1], x0 + size), min(arr.shape[0], y0 + size)
    if x2 <= x1 or y2 <= y1:
        return
    a = alpha[y1 - y0:y2 - y0, x1 - x0:x2 - x0, None]
    roi = arr[y1:y2, x1:x2]
    roi[:] = roi * (1 - a) + roi * (ink / 255.0) * a  # multiply blend: ink over black stays black
    img.paste(Image.fromarray(arr.clip(0, 255).astype(np.uint8)))


def _signature(draw: ImageDraw.ImageDraw, rng: np.random.Generator, x: int, y: int, dpi: int) -> None:
    """A handwritten-looking squiggle in blue or black ink."""
    n = 40
    t = np.linspace(0, 1, n)
    w, h = _mm(rng.uniform(25, 40), dpi), _mm(rng.uniform(6, 10), dpi)
    xs = x + t * w
    ys = y + h / 2 * np.sin(t * rng.uniform(8, 14) + rng.uniform(0, 6)) * rng.uniform(0.5, 1.0)
    colour = (20, 40, 150) if rng.random() < 0.6 else (25, 25, 25)
    draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=colour, width=max(1, _mm(0.35, dpi)))


def render_document(rng: np.random.Generator, dpi: int, paper_mm: tuple[float, float] = _A4_MM,
                    *, content: str = "full", paper: int = 250) -> np.ndarray:
    """Render one upright page as BGR uint8.

    ``content``: ``"full"`` (varied administrative layout: national heading, title, paragraphs,
    form fields, optional table, signature and red seal), ``"line"`` (one line of text),
    ``"number"`` (a page number only) or ``"none"``.
    """
    width, height = _mm(paper_mm[0], dpi), _mm(paper_mm[1], dpi)
    tone = (paper, paper, max(0, paper - int(rng.integers(0, 4))))  # RGB; paper is a touch warm
    img = Image.new("RGB", (width, height), tone)
    draw = ImageDraw.Draw(img)
    ink = (int(rng.integers(10, 45)),) * 3
    left, right = _mm(rng.uniform(18, 30), dpi), _mm(rng.uniform(12, 20), dpi)
    top = _mm(rng.uniform(12, 25), dpi)
    text_w = width - left - right
    body_pt = rng.uniform(11.5, 13.5) * (0.85 if paper_mm[0] < _A4_MM[0] else 1.0)
    body = _font("Regular", _pt(body_pt, dpi))
    bold = _font("Bold", _pt(body_pt, dpi))
    italic = _font("Italic", _pt(body_pt, dpi))
    lead = int(body.size * rng.uniform(1.25, 1.6))

    if content == "number":
        label = rng.choice(["- {n} -", "{n}", "Trang {n}/{m}", "{n}/{m}"]).format(
            n=int(rng.integers(2, 30)), m=int(rng.integers(30, 60)))
        y = height - _mm(rng.uniform(10, 18), dpi) if rng.random() < 0.8 else top
        x = width // 2 if rng.random() < 0.6 else width - right
        draw.text((x, y), label, fill=ink, font=body, anchor="ms" if x == width // 2 else "rs")
        return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    if content == "line":
        sentence = str(rng.choice(_SENTENCES))
        lines = _wrap(draw, sentence, body, text_w)[:1]
        y = int(rng.uniform(top, height * 0.8))
        draw.text((left, y), lines[0], fill=ink, font=body)
        if rng.random() < 0.5:
            draw.text((width // 2, height - _mm(12, dpi)), f"- {int(rng.integers(2, 20))} -",
                      fill=ink, font=body, anchor="ms")
        return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    if content == "none":
        return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)

    y = top
    # National heading: two-column (agency left, motto right) or centred only.
    if rng.random() < 0.7:
        col = text_w * 0.42
        a1, a2 = _AGENCIES[int(rng.integers(len(_AGENCIES)))]
        small = _font("Bold", _pt(body_pt - 0.5, dpi))
        draw.text((left + col / 2, y), a1, fill=ink, font=_font("Regular", small.size), anchor="ma")
        draw.text((left + col / 2, y + lead), a2, fill=ink, font=small, anchor="ma")
        rx = left + col + (text_w - col) / 2
        draw.text((rx, y), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fill=ink, font=small, anchor="ma")
        draw.text((rx, y + lead), "Độc lập - Tự do - Hạnh phúc", fill=ink, font=small, anchor="ma")
        uw = draw.textlength("Độc lập - Tự do - Hạnh phúc", font=small)
        draw.line((rx - uw / 2, y + lead + small.size * 1.15, rx + uw / 2, y + lead + small.size * 1.15),
                  fill=ink, width=max(1, dpi // 150))
        y += int(lead * 2.6)
        draw.text((left + text_w, y), f"Hòa Bình, ngày {int(rng.integers(1, 29))} tháng "
                  f"{int(rng.integers(1, 13))} năm 2025", fill=ink, font=italic, anchor="ra")
        y += int(lead * 1.8)
    else:
        draw.text((width / 2, y), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fill=ink, font=bold, anchor="ma")
        draw.text((width / 2, y + lead), "Độc lập - Tự do - Hạnh phúc", fill=ink, font=bold, anchor="ma")
        y += int(lead * 3)
    title_font = _font("Bold", _pt(body_pt + rng.uniform(1.5, 3.5), dpi))
    draw.text((width / 2, y), str(rng.choice(_TITLES)), fill=ink, font=title_font, anchor="ma")
    y += int(lead * 2)

    bottom_reserved = _mm(70, dpi) * paper_mm[1] / _A4_MM[1]
    blocks = int(rng.integers(2, 7))
    for _ in range(blocks):
        if y > height - bottom_reserved:
            break
        r = rng.random()
        if r < 0.45:  # paragraph, first-line indent, ragged right
            text = " ".join(rng.choice(_SENTENCES, size=int(rng.integers(1, 4))))
            indent = _mm(10, dpi) if rng.random() < 0.7 else 0
            first, *rest = _wrap(draw, text, body, text_w - indent) or [""]
            draw.text((left + indent, y), first, fill=ink, font=body)
            y += lead
            for line in _wrap(draw, " ".join(rest), body, text_w) if rest else []:
                if y > height - bottom_reserved:
                    break
                draw.text((left, y), line, fill=ink, font=body)
                y += lead
        elif r < 0.75:  # form fields with dotted leaders
            for field in rng.choice(_FIELDS, size=int(rng.integers(2, 6)), replace=False):
                draw.text((left, y), str(field), fill=ink, font=body)
                fx = left + draw.textlength(str(field), font=body) + body.size // 2
                if rng.random() < 0.6:
                    draw.text((fx, y), str(rng.choice(_NAMES)).title(), fill=(20, 40, 140), font=italic)
                else:
                    dots = "." * max(0, int((left + text_w - fx) / max(1, draw.textlength(".", font=body))))
                    draw.text((fx, y), dots, fill=ink, font=body)
                y += lead
        else:  # table
            rows, cols = int(rng.integers(3, 6)), int(rng.integers(3, 5))
            cw = text_w / cols
            rh = int(lead * 1.3)
            lw = max(1, dpi // 150)
            for i in range(rows + 1):
                draw.line((left, y + i * rh, left + text_w, y + i * rh), fill=ink, width=lw)
            for j in range(cols + 1):
                draw.line((left + j * cw, y, left + j * cw, y + rows * rh), fill=ink, width=lw)
            heads = ("STT", "Tên giấy tờ", "Số bản", "Ghi chú", "Ngày nộp")
            for i in range(rows):
                for j in range(cols):
                    txt = heads[j] if i == 0 else (str(i) if j == 0 else str(rng.choice(
                        ["Bản chính", "Bản sao", "01", "02", "Tờ khai", "Giấy ủy quyền", "Căn cước"])))
                    draw.text((left + j * cw + cw / 2, y + i * rh + rh / 2), txt, fill=ink,
                              font=bold if i == 0 else body, anchor="mm")
            y += rows * rh + lead
        y += lead // 2

    # Signature block, right column, with the seal over it.
    sx = left + text_w * rng.uniform(0.55, 0.75)
    sy = max(y + lead, height - bottom_reserved + lead)
    role = str(rng.choice(["NGƯỜI YÊU CẦU", "CHỦ TỊCH", "CÁN BỘ TIẾP NHẬN", "TM. ỦY BAN NHÂN DÂN"]))
    draw.text((sx, sy), role, fill=ink, font=bold, anchor="ma")
    draw.text((sx, sy + lead), "(Ký, ghi rõ họ tên)", fill=ink, font=italic, anchor="ma")
    _signature(draw, rng, int(sx - _mm(15, dpi)), int(sy + lead * 2.8), dpi)
    draw.text((sx, sy + lead * 5), str(rng.choice(_NAMES)), fill=ink, font=bold, anchor="ma")
    if rng.random() < 0.85:
        _draw_seal(img, rng, int(sx - _mm(rng.uniform(8, 18), dpi)), int(sy + lead * 2.8), dpi)
    if rng.random() < 0.5:
        draw.text((width // 2, height - _mm(10, dpi)), f"{int(rng.integers(1, 9))}", fill=ink,
                  font=body, anchor="ms")
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def _render_card(rng: np.random.Generator, dpi: int) -> np.ndarray:
    """A citizen-ID-like card (front side) with rounded corners, as BGR with paper-white outside."""
    w, h = _mm(_CARD_MM[0], dpi), _mm(_CARD_MM[1], dpi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.array([rng.uniform(215, 240), rng.uniform(200, 230), rng.uniform(150, 200)], np.float32)
    # Pastel background with guilloche-like waves (security print).
    wave = 10 * np.sin(xx / (w / 23) + 3 * np.sin(yy / (h / 5))) + 8 * np.cos(yy / (h / 17))
    arr = (base[None, None, :] + wave[..., None] * np.array([0.6, 0.8, 1.0], np.float32)).clip(0, 255)
    img = Image.fromarray(arr.astype(np.uint8)[..., ::-1].copy())  # to RGB for PIL
    d = ImageDraw.Draw(img)
    f = _font("Bold", _pt(7.5, dpi))
    fr = _font("Regular", _pt(7, dpi))
    ink = (25, 25, 40)
    d.text((w * 0.58, h * 0.06), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", fill=ink, font=f, anchor="ma")
    d.text((w * 0.58, h * 0.15), "Độc lập - Tự do - Hạnh phúc", fill=ink, font=f, anchor="ma")
    d.text((w * 0.58, h * 0.26), "CĂN CƯỚC CÔNG DÂN", fill=(190, 30, 30), font=_font("Bold", _pt(9.5, dpi)),
           anchor="ma")
    # Emblem and photo.
    r = int(h * 0.11)
    d.ellipse((int(w * 0.05), int(h * 0.05), int(w * 0.05) + 2 * r, int(h * 0.05) + 2 * r),
              fill=(200, 40, 35), outline=(230, 190, 60), width=max(1, r // 5))
    px0, py0, px1, py1 = int(w * 0.04), int(h * 0.36), int(w * 0.30), int(h * 0.86)
    d.rectangle((px0, py0, px1, py1), fill=(175, 190, 210))
    d.ellipse((px0 + (px1 - px0) * 0.25, py0 + (py1 - py0) * 0.12, px1 - (px1 - px0) * 0.25,
               py0 + (py1 - py0) * 0.55), fill=(140, 110, 95))
    d.rectangle((px0 + (px1 - px0) * 0.1, py0 + (py1 - py0) * 0.6, px1 - (px1 - px0) * 0.1, py1),
                fill=(40, 45, 70))
    y = h * 0.36
    for label, value in (("Số / No.:", f"0{int(rng.integers(10**10, 10**11 - 1))}"),
                         ("Họ và tên / Full name:", str(rng.choice(_NAMES))),
                         ("Ngày sinh / Date of birth:", f"{int(rng.integers(1, 29)):02d}/0"
                          f"{int(rng.integers(1, 10))}/19{int(rng.integers(50, 99))}"),
                         ("Quê quán / Place of origin:", "Hòa Bình, Đức Trọng, Lâm Đồng")):
        d.text((w * 0.34, y), label, fill=ink, font=fr)
        d.text((w * 0.34, y + fr.size * 1.05), value, fill=ink, font=f)
        y += fr.size * 2.4
    out = cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)
    return out


# --------------------------------------------------------------------------- acquisition helpers

def _rot(deg: float) -> np.ndarray:
    """3×3 rotation about the origin, counter-clockwise on screen (OpenCV convention)."""
    m = cv2.getRotationMatrix2D((0.0, 0.0), deg, 1.0)
    return np.vstack([m, [0.0, 0.0, 1.0]])


def _shift(dx: float, dy: float) -> np.ndarray:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def _corners(w: int, h: int) -> np.ndarray:
    """Outer corners of a w×h raster in pixel-centre coordinates: TL, TR, BR, BL."""
    return np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])


def _apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    p = np.hstack([pts, np.ones((len(pts), 1))]) @ m.T
    return p[:, :2] / p[:, 2:3]


def order_quad(pts: np.ndarray) -> np.ndarray:
    """Order 4 points as TL, TR, BR, BL as seen in the image."""
    pts = np.asarray(pts, np.float64).reshape(4, 2)
    c = pts.mean(axis=0)
    ang = np.arctan2(pts[:, 1] - c[1], pts[:, 0] - c[0])
    p = pts[np.argsort(ang)]  # clockwise on screen starting near -180° (left)
    start = int(np.argmin(p.sum(axis=1)))  # TL = smallest x + y
    return np.roll(p, -start, axis=0)


def _composite(frame: np.ndarray, doc: np.ndarray, m: np.ndarray, *, perspective: bool = False,
               mask: np.ndarray | None = None) -> None:
    """Paint ``doc`` warped by ``m`` onto ``frame`` in place (antialiased edges)."""
    h, w = frame.shape[:2]
    if mask is None:
        mask = np.full(doc.shape[:2], 255, np.uint8)
    warp = cv2.warpPerspective if perspective else (lambda s, mm, sz, **k: cv2.warpAffine(s, mm[:2], sz, **k))
    dw = warp(doc, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    mw = warp(mask, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    a = (mw.astype(np.float32) / 255.0)[..., None]
    frame[:] = (frame * (1 - a) + dw * a).astype(np.uint8)


def _finish(frame: np.ndarray, rng: np.random.Generator, noise: float, blur: float,
            jpeg: int | None) -> np.ndarray:
    """Scanner/camera optics and sensor: blur, noise, optional JPEG round trip."""
    if blur > 0:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    if noise > 0:
        grain = rng.standard_normal(frame.shape, dtype=np.float32)
        grain *= noise
        grain += frame
        frame = np.clip(grain, 0, 255, out=grain).astype(np.uint8)
    if jpeg:
        ok, buf = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, jpeg])
        assert ok
        frame = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return frame


def _lid(rng: np.random.Generator, w: int, h: int, paper: int) -> np.ndarray:
    """White scanner lid: greyer than the paper (it sits above the glass, out of the lamp's
    best light), with a faint gradient."""
    level = paper - rng.uniform(10, 30)
    tint = np.array([rng.uniform(-2, 3), 0, rng.uniform(-3, 1)], np.float32)
    gx = np.linspace(-1, 1, w, dtype=np.float32)[None, :] * rng.uniform(-3, 3)
    gy = np.linspace(-1, 1, h, dtype=np.float32)[:, None] * rng.uniform(-3, 3)
    base = (level + gx + gy)[..., None] + tint
    return base.clip(0, 255).astype(np.uint8)


def _shadow_line(frame: np.ndarray, quad: np.ndarray, rng: np.random.Generator, dpi: int) -> None:
    """Thin shadow along the edges of the page facing away from the scanner lamp."""
    sides = [(0, 1), (1, 2), (2, 3), (3, 0)]
    first = int(rng.integers(4))
    chosen = [sides[first]] + ([sides[(first + 1) % 4]] if rng.random() < 0.6 else [])
    layer = np.zeros(frame.shape[:2], np.uint8)
    width = max(1, _mm(rng.uniform(0.3, 0.9), dpi))
    for a, b in chosen:
        p, q = quad[a], quad[b]
        cv2.line(layer, (round(p[0] * 16), round(p[1] * 16)), (round(q[0] * 16), round(q[1] * 16)), 255,
                 width, cv2.LINE_AA, shift=4)
    layer = cv2.GaussianBlur(layer, (0, 0), max(0.5, width / 2))
    dark = rng.uniform(20, 60) * layer.astype(np.float32)[..., None] / 255.0
    frame[:] = (frame - dark).clip(0, 255).astype(np.uint8)


def _desk(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A dark desk (wood grain or plain) with clutter."""
    base = np.array([rng.uniform(25, 90), rng.uniform(30, 95), rng.uniform(35, 110)], np.float32)
    grain = cv2.resize(rng.normal(0, 1, (max(2, h // 40), 8)).astype(np.float32), (w, h))
    desk = base[None, None, :] + 12 * grain[..., None]
    return desk.clip(0, 255).astype(np.uint8)


def _clutter(frame: np.ndarray, rng: np.random.Generator, keep_out: np.ndarray) -> None:
    """Pens, phones, books and sticky notes; bright items stay clear of the page."""
    h, w = frame.shape[:2]
    guard = np.zeros((h, w), np.uint8)
    cv2.fillConvexPoly(guard, keep_out.astype(np.int32), 255)
    guard = cv2.dilate(guard, np.ones((max(3, w // 25),) * 2, np.uint8))
    for _ in range(int(rng.integers(2, 7))):
        kind = rng.choice(["pen", "block", "note", "mug"])
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        if kind == "pen":
            a = rng.uniform(0, math.pi)
            length = rng.uniform(0.1, 0.25) * w
            colour = [float(v) for v in rng.choice([(160, 40, 20), (20, 20, 20), (30, 30, 170)])]
            cv2.line(frame, (x, y), (int(x + length * math.cos(a)), int(y + length * math.sin(a))),
                     colour, max(2, w // 150), cv2.LINE_AA)
        elif kind == "block":
            bw, bh = int(rng.uniform(0.08, 0.2) * w), int(rng.uniform(0.08, 0.2) * h)
            colour = [float(v) for v in rng.uniform(20, 140, 3)]
            cv2.rectangle(frame, (x, y), (x + bw, y + bh), colour, -1)
        else:
            # Bright objects only where they do not touch the page (they would merge with it).
            size = int(rng.uniform(0.05, 0.09) * w)
            if guard[max(0, y - size):y + size, max(0, x - size):x + size].any():
                continue
            if kind == "note":
                cv2.rectangle(frame, (x - size // 2, y - size // 2), (x + size // 2, y + size // 2),
                              (90, 230, 245), -1)
            else:
                cv2.circle(frame, (x, y), size // 2, (205, 210, 215), max(2, size // 6), cv2.LINE_AA)


def _lighting(frame: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uneven light: a directional gradient, vignetting and a soft shadow blob."""
    h, w = frame.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xx, yy = xx / w - 0.5, yy / h - 0.5
    a = rng.uniform(0, 2 * math.pi)
    gain = 1.0 + rng.uniform(0.1, 0.3) * (xx * math.cos(a) + yy * math.sin(a)) * 2
    gain *= 1.0 - rng.uniform(0.1, 0.3) * (xx**2 + yy**2) * 2
    if rng.random() < 0.6:  # the photographer's hand/phone shadow
        cx, cy = rng.uniform(-0.4, 0.4), rng.uniform(-0.4, 0.4)
        gain *= 1.0 - rng.uniform(0.15, 0.3) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 0.03)
    gain *= rng.uniform(0.85, 1.05)
    return (frame * gain[..., None]).clip(0, 255).astype(np.uint8)


def _bleed(rng: np.random.Generator, dpi: int, paper_mm: tuple[float, float], paper: int) -> np.ndarray:
    """A blank back side with the front's text showing through, mirrored and faint."""
    front = render_document(rng, dpi, paper_mm, content="full", paper=paper)
    grey = cv2.cvtColor(front, cv2.COLOR_BGR2GRAY).astype(np.float32)
    ink = (paper - grey) / max(1, paper)
    ink = cv2.GaussianBlur(ink[:, ::-1], (0, 0), max(0.8, dpi / 100))
    strength = rng.uniform(0.0, 28.0) if rng.random() < 0.85 else 0.0  # grey levels at full ink
    page = np.full(front.shape, paper, np.float32) - (strength * ink)[..., None]
    # Scanner dust: a few specks well under a millimetre.
    for _ in range(int(rng.integers(0, 6))):
        x, y = int(rng.integers(0, page.shape[1])), int(rng.integers(0, page.shape[0]))
        cv2.circle(page, (x, y), max(1, _mm(rng.uniform(0.05, 0.25), dpi)), float(rng.uniform(60, 180)), -1)
    return page.clip(0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- scenarios

def _skew(rng: np.random.Generator) -> float:
    return float(rng.uniform(-10.0, 10.0)) if rng.random() < 0.85 else float(rng.uniform(-0.5, 0.5))


def _place_on_bed(rng: np.random.Generator, doc: np.ndarray, bed_wh: tuple[int, int], angle: float,
                  margin: int) -> np.ndarray:
    """Affine (3×3) placing ``doc`` rotated by ``angle`` somewhere fully inside the bed."""
    dh, dw = doc.shape[:2]
    r = _rot(angle) @ _shift(-(dw - 1) / 2, -(dh - 1) / 2)
    pts = _apply(r, _corners(dw, dh))
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    bw, bh = bed_wh
    fx = (margin - lo[0], bw - 1 - margin - hi[0])
    fy = (margin - lo[1], bh - 1 - margin - hi[1])
    # Pages are usually pushed towards the bed's corner mark, sometimes anywhere.
    tx = rng.uniform(fx[0], fx[0] + 0.25 * (fx[1] - fx[0])) if rng.random() < 0.6 else rng.uniform(*fx)
    ty = rng.uniform(fy[0], fy[0] + 0.25 * (fy[1] - fy[0])) if rng.random() < 0.6 else rng.uniform(*fy)
    return _shift(tx, ty) @ r


def _upright_to_fed(doc: np.ndarray, orientation: int) -> np.ndarray:
    """Turn an upright page the way it was fed: rotate counter-clockwise by ``orientation``."""
    codes = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}
    return doc if orientation == 0 else cv2.rotate(doc, codes[orientation])


def _flatbed(rng: np.random.Generator, dpi: int, doc: np.ndarray, paper: int, orientation: int,
             blank: bool, skew_scored: bool, kind: str) -> TestPage:
    fed = _upright_to_fed(doc, orientation)
    dh, dw = fed.shape[:2]
    diag = math.hypot(dw, dh)
    angle = _skew(rng)
    # Bed larger than the page so the skewed page fits: legal, A4+ or A3 beds.
    for bed_mm in ((216, 356), (230, 320), (297, 420), (250, 340)):
        bw, bh = _mm(bed_mm[0], dpi), _mm(bed_mm[1], dpi)
        if dw > dh:
            bw, bh = bh, bw
        centred = _corners(dw, dh) - np.array([(dw - 1) / 2, (dh - 1) / 2])
        need = np.abs(_apply(_rot(angle), centred)).max(axis=0) * 2 + _mm(6, dpi)
        if need[0] <= bw and need[1] <= bh:
            break
    else:  # pragma: no cover - the A3 bed always fits an A4 page
        bw, bh = int(diag) + 10, int(diag) + 10
    frame = _lid(rng, bw, bh, paper)
    m = _place_on_bed(rng, fed, (bw, bh), angle, _mm(2, dpi))
    _composite(frame, fed, m)
    quad = order_quad(_apply(m, _corners(dw, dh)))
    _shadow_line(frame, quad, rng, dpi)
    frame = _finish(frame, rng, rng.uniform(1.0, 2.5), rng.uniform(0.3, 0.7) * dpi / 150,
                    int(rng.integers(80, 95)) if rng.random() < 0.5 else None)
    truth = PageTruth(quad, angle, orientation, blank, (bw, bh), skew_scored and not blank,
                      not blank and kind != "near_blank")
    return TestPage(frame, dpi, kind, truth)


def _feeder(rng: np.random.Generator, dpi: int, doc: np.ndarray, paper: int, orientation: int,
            blank: bool, skew_scored: bool, kind: str) -> TestPage:
    fed = _upright_to_fed(doc, orientation)
    h, w = fed.shape[:2]
    angle = _skew(rng)
    m = _shift((w - 1) / 2, (h - 1) / 2) @ _rot(angle) @ _shift(-(w - 1) / 2, -(h - 1) / 2)
    frame = cv2.warpAffine(fed, m[:2], (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                           borderValue=(paper, paper, paper))
    frame = _finish(frame, rng, rng.uniform(1.0, 2.5), rng.uniform(0.3, 0.7) * dpi / 150,
                    int(rng.integers(80, 95)) if rng.random() < 0.5 else None)
    truth = PageTruth(None, angle, orientation, blank, (w, h), skew_scored and not blank,
                      not blank and kind != "near_blank")
    return TestPage(frame, dpi, kind, truth)


def _camera(rng: np.random.Generator, dpi: int, doc: np.ndarray, orientation: int) -> TestPage:
    fed = _upright_to_fed(doc, orientation)
    dh, dw = fed.shape[:2]
    # Landscape or portrait 4:3 frame in which the page covers roughly 35-65 % of the area.
    portrait = dh >= dw
    long_side = int(max(dw, dh) * rng.uniform(1.15, 1.4))
    fw, fh = (int(long_side * 0.75), long_side) if portrait else (long_side, int(long_side * 0.75))
    angle = _skew(rng)
    scale = rng.uniform(0.8, 0.95)
    core = _rot(angle) @ np.diag([scale, scale, 1.0]) @ _shift(-(dw - 1) / 2, -(dh - 1) / 2)
    pts = _apply(core, _corners(dw, dh))
    # Perspective: move the corners independently by up to 6 % of the page size.
    jitter = rng.uniform(-0.06, 0.06, (4, 2)) * np.array([dw, dh]) * scale
    span = pts.max(axis=0) - pts.min(axis=0)
    room = np.array([fw, fh]) - span
    centre = np.array([fw, fh]) / 2 + rng.uniform(-0.3, 0.3, 2) * np.maximum(room - 40, 0) / 2
    dst = pts + jitter + centre
    dst[:, 0] = dst[:, 0].clip(8, fw - 9)
    dst[:, 1] = dst[:, 1].clip(8, fh - 9)
    m = cv2.getPerspectiveTransform(_corners(dw, dh).astype(np.float32), dst.astype(np.float32))
    frame = _desk(rng, fw, fh)
    _clutter(frame, rng, dst)
    _composite(frame, fed, m, perspective=True)
    frame = _lighting(frame, rng)
    frame = _finish(frame, rng, rng.uniform(2.0, 4.0), rng.uniform(0.4, 0.9), int(rng.integers(75, 92)))
    truth = PageTruth(order_quad(dst), angle, orientation, False, (fw, fh), False, True)
    return TestPage(frame, dpi, "camera", truth)


def _card(rng: np.random.Generator, dpi: int, orientation: int) -> TestPage:
    card = _render_card(rng, dpi)
    ch, cw = card.shape[:2]
    radius = _mm(3.2, dpi)
    mask = np.zeros((ch, cw), np.uint8)
    cv2.rectangle(mask, (radius, 0), (cw - 1 - radius, ch - 1), 255, -1)
    cv2.rectangle(mask, (0, radius), (cw - 1, ch - 1 - radius), 255, -1)
    for cx, cy in ((radius, radius), (cw - 1 - radius, radius), (radius, ch - 1 - radius),
                   (cw - 1 - radius, ch - 1 - radius)):
        cv2.circle(mask, (cx, cy), radius, 255, -1, cv2.LINE_AA)
    fed = _upright_to_fed(card, orientation)
    fmask = _upright_to_fed(mask, orientation)
    bw, bh = _mm(216, dpi), _mm(297, dpi)
    paper = int(rng.integers(242, 254))
    frame = _lid(rng, bw, bh, paper)
    angle = _skew(rng)
    m = _place_on_bed(rng, fed, (bw, bh), angle, _mm(5, dpi))
    quad = order_quad(_apply(m, _corners(fed.shape[1], fed.shape[0])))
    _shadow_line(frame, quad, rng, dpi)  # a card is thick: its edge casts a shadow
    _composite(frame, fed, m, mask=fmask)
    frame = _finish(frame, rng, rng.uniform(1.0, 2.5), rng.uniform(0.3, 0.6) * dpi / 150,
                    int(rng.integers(80, 95)) if rng.random() < 0.5 else None)
    truth = PageTruth(quad, angle, orientation, False, (bw, bh), True, True)
    return TestPage(frame, dpi, "card", truth)


# --------------------------------------------------------------------------- harder cases


def _two_column(rng: np.random.Generator, dpi: int, paper: int) -> np.ndarray:
    """A dense two-column page (newsletter, printed regulation): small type, staggered baselines."""
    width, height = _mm(_A4_MM[0], dpi), _mm(_A4_MM[1], dpi)
    img = Image.new("RGB", (width, height), (paper, paper, paper - 2))
    draw = ImageDraw.Draw(img)
    ink = (int(rng.integers(10, 50)),) * 3
    margin, gutter = _mm(rng.uniform(14, 20), dpi), _mm(rng.uniform(5, 9), dpi)
    col_w = (width - 2 * margin - gutter) // 2
    title = _font("Bold", _pt(16, dpi))
    draw.text((width // 2, _mm(14, dpi)), str(rng.choice(_TITLES)), fill=ink, font=title, anchor="ma")
    for col in range(2):
        pt = rng.uniform(8.5, 10.5)
        font = _font("Regular", _pt(pt, dpi))
        lead = int(font.size * rng.uniform(1.15, 1.35))
        x = margin + col * (col_w + gutter)
        y = _mm(30, dpi) + int(col * lead * rng.uniform(0.3, 0.7))  # baselines do not line up
        while y < height - _mm(18, dpi):
            for line in _wrap(draw, " ".join(rng.choice(_SENTENCES, 3)), font, col_w):
                if y >= height - _mm(18, dpi):
                    break
                draw.text((x, y), line, fill=ink, font=font)
                y += lead
            y += lead // 2
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def _card_back(rng: np.random.Generator, dpi: int) -> np.ndarray:
    """The plain back of an ID card: near-white, a fine pattern, a chip, a line of print."""
    w, h = _mm(_CARD_MM[0], dpi), _mm(_CARD_MM[1], dpi)
    level = rng.uniform(225, 245)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    arr = level + 4 * np.sin(xx / (w / 40) + 2 * np.sin(yy / (h / 7)))
    img = Image.fromarray(np.repeat(arr.clip(0, 255).astype(np.uint8)[..., None], 3, axis=2))
    d = ImageDraw.Draw(img)
    d.rectangle((int(w * 0.08), int(h * 0.3), int(w * 0.2), int(h * 0.5)), fill=(205, 175, 90))
    f = _font("Regular", _pt(6.5, dpi))
    for i in range(3):
        d.text((w * 0.3, h * (0.2 + 0.12 * i)), str(rng.choice(_SENTENCES))[:40], fill=(30, 30, 40), font=f)
    d.text((w * 0.05, h * 0.78), "IDVNM" + "<" * 8 + str(int(rng.integers(10**8, 10**9))), fill=(20, 20, 20),
           font=_font("Regular", _pt(8, dpi)))
    return cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR)


def _card_glass(rng: np.random.Generator, dpi: int, orientation: int) -> TestPage:
    card = _render_card(rng, dpi) if rng.random() < 0.5 else _card_back(rng, dpi)
    ch, cw = card.shape[:2]
    radius = _mm(3.2, dpi)
    mask = np.zeros((ch, cw), np.uint8)
    cv2.rectangle(mask, (radius, 0), (cw - 1 - radius, ch - 1), 255, -1)
    cv2.rectangle(mask, (0, radius), (cw - 1, ch - 1 - radius), 255, -1)
    for cx, cy in ((radius, radius), (cw - 1 - radius, radius), (radius, ch - 1 - radius),
                   (cw - 1 - radius, ch - 1 - radius)):
        cv2.circle(mask, (cx, cy), radius, 255, -1, cv2.LINE_AA)
    fed, fmask = _upright_to_fed(card, orientation), _upright_to_fed(mask, orientation)
    bw, bh = _mm(216, dpi), _mm(297, dpi)
    if rng.random() < 0.3:  # lid open: the room above the glass is dark grey
        frame = np.full((bh, bw, 3), rng.uniform(20, 70), np.float32).astype(np.uint8)
    else:
        frame = _lid(rng, bw, bh, int(rng.integers(245, 255)))
    angle = float(rng.uniform(-4, 4))
    m = _place_on_bed(rng, fed, (bw, bh), angle, _mm(5, dpi))
    quad = order_quad(_apply(m, _corners(fed.shape[1], fed.shape[0])))
    _shadow_line(frame, quad, rng, dpi)
    _composite(frame, fed, m, mask=fmask)
    frame = _finish(frame, rng, rng.uniform(1.0, 2.5), rng.uniform(0.3, 0.6) * dpi / 150, 90)
    return TestPage(frame, dpi, "card_glass", PageTruth(quad, angle, orientation, False, (bw, bh), True, False))


def _slip(rng: np.random.Generator, dpi: int, paper: int) -> TestPage:
    size = _A5_MM if rng.random() < 0.5 else _A6_MM
    doc = render_document(rng, dpi, size, paper=paper)
    bw, bh = _mm(216, dpi), _mm(297, dpi)
    grey = rng.uniform(195, 225)  # a light-grey lid: between a white lid and a dark desk
    frame = np.full((bh, bw, 3), grey, np.uint8)
    dh, dw = doc.shape[:2]
    angle = float(rng.uniform(-6, 6))
    m = _place_on_bed(rng, doc, (bw, bh), angle, _mm(4, dpi))
    quad = order_quad(_apply(m, _corners(dw, dh)))
    _composite(frame, doc, m)
    _shadow_line(frame, quad, rng, dpi)
    frame = _finish(frame, rng, rng.uniform(1.0, 2.5), rng.uniform(0.3, 0.6) * dpi / 150, 90)
    return TestPage(frame, dpi, "slip", PageTruth(quad, angle, 0, False, (bw, bh), True, True))


def _surface(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """Wood grain, a checked cloth or a light desk top."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    style = rng.choice(["wood", "cloth", "light"])
    if style == "wood":
        base = np.array([rng.uniform(40, 90), rng.uniform(80, 130), rng.uniform(120, 180)], np.float32)
        grain = np.sin(yy / rng.uniform(3, 9) + 3 * np.sin(xx / rng.uniform(40, 120)))
        return (base + 18 * grain[..., None]).clip(0, 255).astype(np.uint8)
    if style == "cloth":
        p = rng.uniform(8, 20)
        check = ((xx // p + yy // p) % 2).astype(np.float32)
        c1, c2 = rng.uniform(30, 200, 3), rng.uniform(30, 200, 3)
        return (c1 + (c2 - c1) * check[..., None]).clip(0, 255).astype(np.uint8)
    level = rng.uniform(150, 190)
    return np.full((h, w, 3), level, np.uint8)


def _desk_photo(rng: np.random.Generator, dpi: int, paper: int) -> TestPage:
    doc = render_document(rng, dpi, _A4_MM, paper=paper)
    dh, dw = doc.shape[:2]
    fw, fh = int(dw * rng.uniform(1.2, 1.4)), int(dh * rng.uniform(1.15, 1.3))
    angle = float(rng.uniform(-8, 8))
    core = _rot(angle) @ np.diag([0.85, 0.85, 1.0]) @ _shift(-(dw - 1) / 2, -(dh - 1) / 2)
    pts = _apply(core, _corners(dw, dh)) + rng.uniform(-0.04, 0.04, (4, 2)) * np.array([dw, dh])
    dst = pts + np.array([fw, fh]) / 2
    dst[:, 0] = dst[:, 0].clip(8, fw - 9)
    dst[:, 1] = dst[:, 1].clip(8, fh - 9)
    m = cv2.getPerspectiveTransform(_corners(dw, dh).astype(np.float32), dst.astype(np.float32))
    frame = _surface(rng, fw, fh)
    _clutter(frame, rng, dst)
    _composite(frame, doc, m, perspective=True)
    frame = _lighting(frame, rng)
    frame = _finish(frame, rng, rng.uniform(2.0, 4.0), rng.uniform(0.4, 0.9), 88)
    return TestPage(frame, dpi, "desk", PageTruth(order_quad(dst), angle, 0, False, (fw, fh), False, True))


def _bars(rng: np.random.Generator, dpi: int, doc: np.ndarray, paper: int) -> TestPage:
    """Sheet-fed page with the scanner's black backing showing along one or two sides."""
    h, w = doc.shape[:2]
    angle = float(rng.uniform(-1.5, 1.5))
    m = _shift((w - 1) / 2, (h - 1) / 2) @ _rot(angle) @ _shift(-(w - 1) / 2, -(h - 1) / 2)
    page = cv2.warpAffine(doc, m[:2], (w, h), borderMode=cv2.BORDER_CONSTANT, borderValue=(paper,) * 3)
    left, top = _mm(rng.uniform(3, 12), dpi), _mm(rng.uniform(0, 8), dpi) if rng.random() < 0.5 else 0
    right = _mm(rng.uniform(2, 8), dpi) if rng.random() < 0.5 else 0
    frame = np.full((h + top, w + left + right, 3), rng.uniform(5, 40), np.float32).astype(np.uint8)
    frame[top:top + h, left:left + w] = page
    quad = order_quad(np.array([[left - 0.5, top - 0.5], [left + w - 0.5, top - 0.5],
                                [left + w - 0.5, top + h - 0.5], [left - 0.5, top + h - 0.5]]))
    frame = _finish(frame, rng, rng.uniform(1.0, 2.5), rng.uniform(0.3, 0.6) * dpi / 150, 90)
    return TestPage(frame, dpi, "bars", PageTruth(quad, angle, 0, False, (frame.shape[1], frame.shape[0]),
                                                  True, True))


def _extra(rng: np.random.Generator, dpi: int, kind: str, paper: int) -> TestPage:
    if kind == "card_glass":
        return _card_glass(rng, max(dpi, 300), int(rng.choice([0, 0, 90, 180, 270])))
    if kind == "slip":
        return _slip(rng, dpi, paper)
    if kind == "desk":
        return _desk_photo(rng, dpi, paper)
    if kind == "two_column":
        doc = _two_column(rng, max(dpi, 150), paper)
        return _feeder(rng, max(dpi, 150), doc, paper, 0, False, True, "two_column")
    return _bars(rng, dpi, render_document(rng, dpi, _A4_MM, paper=paper), paper)


def generate_page(seed: int, index: int, dpi: int = 100, kind: str | None = None) -> TestPage:
    """Generate page ``index`` of the set ``seed`` (kind chosen by the set's cycle unless given)."""
    rng = np.random.default_rng([seed, index])
    kind = kind or _CYCLE[index % len(_CYCLE)]
    paper = int(rng.integers(240, 255))
    paper_mm = _A5_MM if rng.random() < 0.12 else _A4_MM
    if kind in EXTRA_KINDS:
        return _extra(rng, dpi, kind, paper)
    if kind == "card":
        return _card(rng, max(dpi, 200), int(rng.choice([0, 0, 90, 180, 270])))
    if kind == "camera":
        orientation = int(rng.choice([0, 0, 0, 90, 180, 270]))
        return _camera(rng, dpi, render_document(rng, dpi, paper_mm, paper=paper), orientation)
    if kind == "blank":
        doc = _bleed(rng, dpi, paper_mm, paper)
        maker = _flatbed if rng.random() < 0.4 else _feeder
        return maker(rng, dpi, doc, paper, 0, True, False, "blank")
    if kind == "near_blank":
        content = "line" if rng.random() < 0.55 else "number"
        doc = render_document(rng, dpi, paper_mm, content=content, paper=paper)
        maker = _flatbed if rng.random() < 0.4 else _feeder
        return maker(rng, dpi, doc, paper, 0, False, content == "line", "near_blank")
    doc = render_document(rng, dpi, paper_mm, paper=paper)
    if kind == "rotated":
        orientation = int(rng.choice([90, 180, 270]))
        maker = _flatbed if rng.random() < 0.4 else _feeder
        return maker(rng, dpi, doc, paper, orientation, False, True, "rotated")
    if kind == "flatbed":
        return _flatbed(rng, dpi, doc, paper, 0, False, True, "flatbed")
    if kind == "feeder":
        return _feeder(rng, dpi, doc, paper, 0, False, True, "feeder")
    raise ValueError(f"unknown kind {kind!r}")


def generate_set(seed: int, n: int, dpi: int = 100) -> list[TestPage]:
    """``n`` pages of mixed kinds, reproducible from ``seed``; ``dpi`` for page scans (cards ≥ 200)."""
    return [generate_page(seed, i, dpi) for i in range(n)]
