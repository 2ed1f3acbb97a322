"""A4 «Khóa khôi phục dữ liệu» sheet: the printed recovery key kept in the agency's safe.

The recovery key opens ``keys.json`` when the encryption passphrase is forgotten; it is shown once
(first-run setup, a reissue, a key rotation) and never stored by the program. This sheet is the
one place it lives afterwards, so it says in plain Vietnamese what it is for, where to keep it and
what happens if it is lost, and carries a signature line for the person who keeps it.

The key is printed twice: large, one character per box so a hand copy cannot slip a character or a
group, and once on one line in the body font (what someone types back, and what text extraction of
the PDF finds). Liberation Serif, embedded, like every form; the boxes make it read like a
monospace font without pulling a non-embedded Courier into the PDF. The bytes are returned, never
written: the caller previews/prints them from memory so the plaintext key never lands in the data
directory.
"""

from __future__ import annotations

import datetime as dt

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Paragraph, Spacer, Table
from reportlab.platypus.flowables import HRFlowable

from counter_app.documents import _fonts, _layout
from counter_app.documents._layout import PageSpec, signature_block, styles_for, table_style
from counter_app.documents._text import clean, para, vn_datetime

__all__ = ["A4_SHEET", "TITLE", "render_recovery_sheet"]

TITLE = "KHÓA KHÔI PHỤC DỮ LIỆU MÃ HÓA"
# Nghị định 30/2020 A4 margins (binding side widest); body 12 pt: the sheet is read years later,
# often by someone who never saw the program.
A4_SHEET = PageSpec(A4, 25 * mm, 18 * mm, 18 * mm, 18 * mm, body_size=12, header_size=11)
_BOX = 9.2 * mm        # one character cell of the large key
_GROUP_GAP = 3.6 * mm  # space between groups of four
_AGENCY_LIMIT = 160    # characters; the longest real unit names are about half that


class KeyBoxes(Flowable):
    """The recovery key in large bold characters, one per box, groups of four separated by a gap.

    Rows of at most four groups, centred: 26 characters = 7 groups → two rows that fit the A4 text
    width at 9 mm per box.
    """

    def __init__(self, key: str, width: float) -> None:
        super().__init__()
        self.groups = [g for g in key.split("-") if g] or [key]
        group_w = 4 * _BOX + _GROUP_GAP
        self.per_row = max(1, min(4, int((width + _GROUP_GAP) // group_w)))
        self.rows = [self.groups[i:i + self.per_row] for i in range(0, len(self.groups), self.per_row)]
        self.width = width
        self.row_h = _BOX + 3 * mm
        self.height = len(self.rows) * self.row_h

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        canv.saveState()
        canv.setLineWidth(0.8)
        size = _BOX * 0.72
        for r, row in enumerate(self.rows):
            chars = sum(len(g) for g in row)
            row_w = chars * _BOX + (len(row) - 1) * _GROUP_GAP
            x = (self.width - row_w) / 2
            y = self.height - (r + 1) * self.row_h + 1.5 * mm
            for group in row:
                for ch in group:
                    canv.rect(x, y, _BOX, _BOX, stroke=1, fill=0)
                    canv.setFont(_fonts.BOLD, size)
                    canv.drawCentredString(x + _BOX / 2, y + _BOX * 0.24, ch)
                    x += _BOX
                x += _GROUP_GAP
        canv.restoreState()


def render_recovery_sheet(agency_name: str, recovery_key: str, created_at: dt.datetime) -> bytes:
    """The one-page A4 sheet for ``recovery_key`` (as shown by ``crypto.format_recovery_key``), as PDF bytes."""
    spec = A4_SHEET
    st = styles_for(spec)
    agency_name = clean(agency_name, limit=_AGENCY_LIMIT)  # three header lines at most: the sheet stays one page
    key = clean(recovery_key, limit=80).upper()
    width = spec.content_width
    story: list[Flowable] = []
    if agency_name:
        story.append(Paragraph(para(agency_name.upper()), st.header_bold))
    story.append(Paragraph("Phần mềm tiếp nhận hồ sơ «Quầy Một Cửa»", st.header))
    story.append(Spacer(1, 5 * mm))
    story.append(Paragraph(TITLE, st.title))
    story.append(Paragraph(f"Lập lúc {vn_datetime(created_at)}", st.center_italic))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(
        "<b>GIỮ KÍN — cất trong két hoặc tủ có khóa của cơ quan. Không để cạnh máy tính.</b>",
        st.center))
    story.append(Spacer(1, 6 * mm))
    story.append(KeyBoxes(key, width))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(f"Khóa khôi phục: <b>{para(key)}</b>", st.center))
    story.append(Spacer(1, 4 * mm))
    story.append(HRFlowable(width="100%", thickness=0.6, color="black", spaceAfter=3 * mm))

    story.append(Paragraph("<b>Khóa này dùng để làm gì?</b>", st.body_left))
    story.append(Paragraph(
        "Các bản quét giấy tờ và thông tin cá nhân của công dân (số định danh, địa chỉ, điện thoại) "
        "trên máy tiếp nhận được mã hóa. Hằng ngày chương trình được mở bằng <b>mật khẩu mã hóa</b>. "
        "Khi không ai còn nhớ mật khẩu đó, khóa khôi phục trên tờ giấy này là cách duy nhất để mở lại "
        "dữ liệu và đặt mật khẩu mới.", st.body))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph("<b>Cất giữ thế nào?</b>", st.body_left))
    for i, text in enumerate((
        "Cất tờ giấy này trong két hoặc tủ có khóa của cơ quan; giao cho một người chịu trách nhiệm ký nhận "
        "ở cuối trang.",
        "Không dán cạnh máy, không chụp ảnh, không lưu vào máy tính, ổ USB, Zalo hay thư điện tử: ai có "
        "khóa này và một bản sao thư mục dữ liệu thì đọc được toàn bộ hồ sơ.",
        "Khi in khóa khôi phục mới (trong «Cài đặt» → «Mã hóa dữ liệu»), tờ cũ hết hiệu lực: hủy tờ cũ "
        "bằng máy hủy giấy.",
    ), 1):
        story.append(Paragraph(f"<b>{i}.</b> {text}", st.item))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph("<b>Khi quên mật khẩu mã hóa</b>", st.body_left))
    story.append(Paragraph(
        "Mở chương trình, bấm «Quên mật khẩu? Dùng khóa khôi phục», nhập khóa trên (không phân biệt chữ "
        "hoa, chữ thường; có hay không có dấu gạch đều được), rồi đặt mật khẩu mã hóa mới. Mật khẩu cũ "
        "thôi dùng được; khóa khôi phục này vẫn dùng được.", st.body))
    story.append(Spacer(1, 2 * mm))
    story.append(Paragraph(
        "<b>Nếu mất cả mật khẩu mã hóa và tờ giấy này, không ai — kể cả nhà cung cấp phần mềm — giải mã "
        "được các bản quét đã lưu.</b> Khi đó chỉ còn bản giấy đã trả công dân và các bản đã gửi lên hệ "
        "thống một cửa của tỉnh.", st.body))

    receipt = Table([["Người nhận giữ (họ tên, chức vụ): " + "." * 70],
                     ["Ngày nhận: ....../....../.........    Nơi cất giữ: " + "." * 48]],
                    colWidths=[width])
    receipt.setStyle(table_style([("FONTSIZE", (0, 0), (-1, -1), spec.body_size - 1),
                                  ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("TOPPADDING", (0, 0), (-1, -1), 2.5 * mm)]))
    story.append(signature_block(
        spec,
        [("NGƯỜI LẬP", "(Ký, ghi rõ họ tên)", ""), ("NGƯỜI GIỮ KHÓA", "(Ký, ghi rõ họ tên)", "")],
        space=20 * mm, keep_with=[Spacer(1, 4 * mm), receipt]))

    footer = clean(agency_name)

    def on_page(canv: Canvas, _doc: BaseDocTemplate) -> None:
        canv.saveState()
        canv.setFont(_fonts.ITALIC, 8)
        y = spec.bottom - 8 * mm
        canv.drawString(spec.left, y, footer)
        canv.drawRightString(spec.size[0] - spec.right, y, "Giữ kín — không sao chụp")
        canv.restoreState()

    # The key is deliberately not in the title/subject metadata (file managers and print queues show those).
    return _layout.build_pdf(spec, story, title=TITLE, subject=footer, on_page=on_page)
