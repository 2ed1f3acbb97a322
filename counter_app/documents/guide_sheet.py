"""A5 «Hướng dẫn nộp hồ sơ trực tuyến» sheet handed to the citizen at the counter.

Not an administrative document (no national header, no number): a practical hand-out with, top-left
and large, a QR code whose payload is the plain URL of the procedure's page on the public-service
portal — any phone camera opens it — then the numbered steps, the files to prepare, what filing
online saves, and the agency in the footer. Liberation Serif, embedded, like every form.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

from counter_app.atomicio import atomic_write_bytes
from counter_app.documents import _fonts, _layout
from counter_app.documents._layout import A5_FORM, PageSpec, styles_for
from counter_app.documents._text import clean, local, para, place_date
from counter_app.documents._text import money as _money
from counter_app.documents.model import Agency
from counter_app.documents.qr import qr_matrix
from counter_app.domain.online import Guide
from counter_app.errors import ValidationError

TITLE = "HƯỚNG DẪN NỘP HỒ SƠ TRỰC TUYẾN"
FILE_SLUG = "huong-dan-nop-truc-tuyen"
QR_SIDE_MM = 38.0  # large enough for an old phone camera at arm's length
_GRID_PT = 72 / 150  # one pixel of a 150-dpi raster
# The forms' A5 page with 2 mm more at the bottom for the two-line footer. (11 pt body text was
# tried for elderly readers: the longest procedures then take two pages, so 10 pt like the forms.)
A5_GUIDE = PageSpec(A5_FORM.size, A5_FORM.left, A5_FORM.right, A5_FORM.top, A5_FORM.bottom + 2 * mm,
                    body_size=A5_FORM.body_size, header_size=A5_FORM.header_size)


def money(amount: int) -> str:
    """``10.000 đồng`` that never breaks between the number and the unit."""
    return _money(amount).replace(" ", "\u00a0")


class PortalQr(Flowable):
    """The URL as a QR symbol with its 4-module quiet zone, drawn as vector runs on a 150-dpi grid.

    The module size is a whole number of 150-dpi pixels (crisp when printed or rasterised), chosen
    so that symbol plus quiet zone fit ``side`` points.
    """

    def __init__(self, url: str, side: float = QR_SIDE_MM * mm) -> None:
        super().__init__()
        try:
            self.matrix = qr_matrix(url)
        except ValueError as exc:
            raise ValidationError(
                "Địa chỉ trang thủ tục quá dài để in thành mã QR.",
                hint="Rút gọn mẫu địa chỉ Cổng dịch vụ công trong Cài đặt.") from exc
        n = len(self.matrix)
        px = max(int(side / _GRID_PT) // (n + 8), 2)
        self.module = px * _GRID_PT
        self.width = self.height = (n + 8) * self.module

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        page_height = canv._pagesize[1]
        ax, ay = canv.absolutePosition(0, self.height)
        dx = round(ax / _GRID_PT) * _GRID_PT - ax
        dy = ay - (page_height - round((page_height - ay) / _GRID_PT) * _GRID_PT)
        m = self.module
        top = self.height - dy - 4 * m
        path = canv.beginPath()
        for r, row in enumerate(self.matrix):
            c, n = 0, len(row)
            while c < n:
                if not row[c]:
                    c += 1
                    continue
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(dx + (4 + start) * m, top - (r + 1) * m, (c - start) * m, m)
        canv.saveState()
        canv.setFillColorRGB(0, 0, 0)
        canv.drawPath(path, stroke=0, fill=1)
        canv.restoreState()


def render_guide_sheet(
    guide: Guide,
    agency: Agency,
    *,
    officer_name: str = "",
    issued_at: dt.datetime | None = None,
) -> bytes:
    """The A5 guide sheet for ``guide`` as PDF bytes (one page for every procedure we ship)."""
    spec = A5_GUIDE
    st = styles_for(spec)
    issued = local(issued_at or dt.datetime.now())
    a = guide.availability
    width = spec.content_width

    qr = PortalQr(guide.url)
    qr_cell: list[Flowable] = [qr, Paragraph("<i>Quét bằng camera điện thoại để mở trang thủ tục</i>",
                                             st.cell_center)]
    head: list[Flowable] = []
    if agency.name:
        head.append(Paragraph(para(agency.name), st.header_bold))
        head.append(Spacer(1, 1.5 * mm))
    head.append(Paragraph(TITLE, st.title))
    head.append(Paragraph(f"<b>{para(guide.procedure_name)}</b>", st.center))
    level = f"Mã thủ tục: <b>{para(guide.procedure_code)}</b> · {para(a.label)}"
    head.append(Paragraph(level, st.center))
    if a.online_only:
        head.append(Paragraph("<b>Thủ tục này chỉ tiếp nhận hồ sơ trực tuyến.</b>", st.center))
    if a.saved:
        fee = (f"Nộp trực tuyến: <b>{money(a.online_fee)}</b> thay vì {money(a.paper_fee)} — "
               f"tiết kiệm <b>{money(a.saved)}</b>")
    elif a.paper_fee:
        fee = f"Phí, lệ phí: {money(a.paper_fee)} (thanh toán trực tuyến)"
    else:
        fee = "Không thu phí, lệ phí"
    if a.set_by_province and (a.paper_fee or a.online_fee):
        fee += " <i>(mức do HĐND tỉnh quy định)</i>"
    head.append(Paragraph(fee, st.center))
    top = Table([[qr_cell, head]], colWidths=[qr.width + 3 * mm, width - qr.width - 3 * mm], hAlign="LEFT")
    top.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))

    story: list[Flowable] = [top, Spacer(1, 2 * mm),
                             HRFlowable(width="100%", thickness=0.6, color="black", spaceAfter=2 * mm)]
    story.append(Paragraph("<b>CÁC BƯỚC THỰC HIỆN</b>", st.body_left))
    for i, step in enumerate(guide.steps, 1):
        story.append(Paragraph(f"<b>{i}.</b> {para(step, limit=2000)}", st.item))
    story.append(Spacer(1, 1.5 * mm))
    story.append(Paragraph("<b>GIẤY TỜ CẦN CHUẨN BỊ</b> (bản chụp rõ nét hoặc bản điện tử để tải lên)",
                           st.body_left))
    if guide.files:
        for f in guide.files:
            extra = "" if f.required else " <i>(nếu có)</i>"
            note = f" — <i>{para(f.note)}</i>" if f.note else ""
            story.append(Paragraph(f"□ {para(f.name)}{extra}{note}", st.item))
    else:
        story.append(Paragraph("Không phải tải lên giấy tờ nào.", st.item))
    if guide.shown:
        story.append(Paragraph(
            "Không cần chụp: " + "; ".join(para(s) for s in guide.shown)
            + " — danh tính được xác thực qua tài khoản định danh điện tử.", st.small_italic))
    story.append(Spacer(1, 1.5 * mm))
    small_left = ParagraphStyle("guide_small_left", parent=st.small, alignment=TA_LEFT)
    story.append(Paragraph(f"Địa chỉ trang thủ tục: {para(guide.url, limit=400)}", small_left))
    story.append(Paragraph(
        "Cần hỗ trợ? Mang điện thoại đến Bộ phận Một cửa, cán bộ sẽ hướng dẫn từng bước — "
        "nộp trực tuyến không phải xếp hàng, theo dõi được tiến độ mọi lúc.", small_left))

    footer_left = clean(agency.unit_name or agency.name)
    footer_right = place_date(agency.place_name, issued.date())
    officer = clean(officer_name)

    def on_page(canv: Canvas, _doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setLineWidth(0.4)
        y = spec.bottom - 3 * mm
        right_x = spec.size[0] - spec.right
        canv.line(spec.left, y + 3.2 * mm, right_x, y + 3.2 * mm)
        canv.setFont(_fonts.REGULAR, 7.5)
        canv.drawString(spec.left, y, footer_left)
        if officer:
            canv.drawString(spec.left, y - 3.2 * mm, f"Cán bộ hướng dẫn: {officer}")
        canv.setFont(_fonts.ITALIC, 7.5)
        canv.drawRightString(right_x, y, footer_right)
        canv.drawRightString(right_x, y - 3.2 * mm, clean(agency.system_name))
        canv.restoreState()

    return _layout.build_pdf(spec, story, title=f"{TITLE} — {clean(guide.procedure_name)}",
                             subject=clean(guide.procedure_code), on_page=on_page)


def store_guide_sheet(data_root: Path, procedure_code: str, pdf: bytes, now: dt.datetime | None = None) -> Path:
    """Write a rendered sheet atomically under ``documents/YYYY/MM/`` and return its path."""
    now = now or dt.datetime.now()
    safe = re.sub(r"[^A-Za-z0-9.\-]", "_", procedure_code) or "thu-tuc"
    path = data_root / "documents" / f"{now:%Y}" / f"{now:%m}" / f"{FILE_SLUG}-{safe}-{now:%H%M%S%f}.pdf"
    atomic_write_bytes(path, pdf)
    return path
