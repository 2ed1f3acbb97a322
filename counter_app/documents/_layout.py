"""Page set-up shared by the forms: styles, the national header, signature blocks, page footer.

Layout follows Nghị định 30/2020 (Phụ lục I) scaled to A5: agency name top-left (parent line
regular, unit bold, short rule below), national motto top-right (bold, rule under "Độc lập - Tự
do - Hạnh phúc" as long as the text), place and date in italics under it, title bold and centred,
signature titles bold upper-case with "(Ký và ghi rõ họ tên)" in italics.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import unescape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from counter_app.documents import _fonts
from counter_app.documents.qr import MAX_SIDE_PT, QrFlowable

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
PRODUCER = "Quầy Một Cửa (counter_app)"


@dataclass(frozen=True)
class PageSpec:
    """Paper size and margins of one kind of document."""

    size: tuple[float, float]
    left: float
    right: float
    top: float
    bottom: float
    body_size: float  # body font size, pt
    header_size: float  # agency/motto size, pt

    @property
    def content_width(self) -> float:
        return self.size[0] - self.left - self.right


# Nghị định 30/2020 margins for A4 are 30–35 mm left, 15–20 mm right, 20–25 mm top/bottom; an A5
# form cannot afford them, so they are scaled down while the binding side stays the widest.
A5_FORM = PageSpec(A5, 10 * mm, 8 * mm, 8 * mm, 10 * mm, body_size=9.5, header_size=8)
A4_REGISTER = PageSpec(landscape(A4), 15 * mm, 10 * mm, 10 * mm, 12 * mm, body_size=8, header_size=10)


class Styles:
    """Paragraph styles for one :class:`PageSpec` (built once per spec, then reused)."""

    def __init__(self, spec: PageSpec) -> None:
        _fonts.register_fonts()
        size = spec.body_size
        lead = size * 1.25
        base = ParagraphStyle(
            "body",
            fontName=_fonts.REGULAR,
            fontSize=size,
            leading=lead,
            alignment=TA_JUSTIFY,
            spaceAfter=0.8,
        )
        self.body = base
        self.body_left = ParagraphStyle("body_left", parent=base, alignment=TA_LEFT)
        # Hanging indents for numbered items ("1.", "1.1.") so wrapped lines align with the text.
        self.item = ParagraphStyle("item", parent=base, leftIndent=4 * mm, firstLineIndent=-4 * mm)
        self.subitem = ParagraphStyle(
            "subitem", parent=base, leftIndent=12 * mm, firstLineIndent=-7 * mm, alignment=TA_LEFT
        )
        self.title = ParagraphStyle(
            "title",
            parent=base,
            fontName=_fonts.BOLD,
            fontSize=size + 2,
            leading=(size + 2) * 1.25,
            alignment=TA_CENTER,
            spaceBefore=1.5 * mm,
            spaceAfter=0.3 * mm,
        )
        self.center = ParagraphStyle("center", parent=base, alignment=TA_CENTER, spaceAfter=0)
        self.center_italic = ParagraphStyle("center_italic", parent=self.center, fontName=_fonts.ITALIC)
        self.center_bold = ParagraphStyle("center_bold", parent=self.center, fontName=_fonts.BOLD)
        hs = spec.header_size
        self.header = ParagraphStyle(
            "header", parent=base, fontSize=hs, leading=hs * 1.22, alignment=TA_CENTER, spaceAfter=0
        )
        self.header_bold = ParagraphStyle("header_bold", parent=self.header, fontName=_fonts.BOLD)
        self.motto_2 = ParagraphStyle(
            "motto_2", parent=self.header_bold, fontSize=hs + 1, leading=(hs + 1) * 1.22
        )
        self.date_line = ParagraphStyle(
            "date_line", parent=self.header, fontName=_fonts.ITALIC, fontSize=hs + 1, leading=(hs + 1) * 1.3
        )
        self.small = ParagraphStyle("small", parent=base, fontSize=size - 1.5, leading=(size - 1.5) * 1.25)
        self.small_italic = ParagraphStyle("small_italic", parent=self.small, fontName=_fonts.ITALIC)
        self.cell = ParagraphStyle(
            "cell", parent=base, fontSize=size - 1, leading=(size - 1) * 1.2, alignment=TA_LEFT, spaceAfter=0
        )
        self.cell_center = ParagraphStyle("cell_center", parent=self.cell, alignment=TA_CENTER)
        self.cell_head = ParagraphStyle("cell_head", parent=self.cell_center, fontName=_fonts.BOLD)
        self.sign_title = ParagraphStyle("sign_title", parent=self.center_bold, fontSize=size)
        self.sign_hint = ParagraphStyle("sign_hint", parent=self.center_italic, fontSize=size - 1)


_STYLES: dict[PageSpec, Styles] = {}


def table_style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """A TableStyle whose plain-string cells use Liberation Serif too (reportlab defaults to
    Helvetica, which would pull a non-embedded font into the PDF)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), _fonts.REGULAR), *commands])


def styles_for(spec: PageSpec) -> Styles:
    """Cached :class:`Styles` for ``spec``."""
    if spec not in _STYLES:
        _STYLES[spec] = Styles(spec)
    return _STYLES[spec]


def national_header(
    spec: PageSpec,
    *,
    qr_payload: str | None,
    parent_name: str,
    agency_name: str,
    number_line: str | None,
    date_line: str,
) -> Flowable:
    """QR | agency block | national motto block, as one borderless table.

    ``parent_name``/``agency_name``/``number_line``/``date_line`` are Paragraph markup
    (already escaped).
    """
    st = styles_for(spec)
    width = spec.content_width
    # The QR column keeps a 4-module quiet zone (ISO/IEC 18004 §6.3.8) to the agency text.
    qr_col = MAX_SIDE_PT + 6 if qr_payload else 0
    motto_w = stringWidth(MOTTO_1, _fonts.BOLD, spec.header_size) + 4
    agency_col = width - qr_col - motto_w
    left: list[Flowable] = []
    if parent_name:
        left.append(Paragraph(parent_name, st.header))
    left.append(Paragraph(f"<b>{agency_name}</b>", st.header_bold))
    left.append(HRFlowable(width="35%", thickness=0.6, color="black", spaceBefore=1, spaceAfter=3))
    if number_line:
        left.append(Paragraph(number_line, st.header))
    right: list[Flowable] = [
        Paragraph(MOTTO_1, st.header_bold),
        Paragraph(MOTTO_2, st.motto_2),
        HRFlowable(
            width=stringWidth(MOTTO_2, _fonts.BOLD, spec.header_size + 1),
            thickness=0.6,
            color="black",
            spaceBefore=1,
            spaceAfter=4,
        ),
        Paragraph(date_line, st.date_line),
    ]
    cells: list[Any] = [left, right]
    widths = [agency_col, motto_w]
    if qr_payload:
        cells.insert(0, QrFlowable(qr_payload))
        widths.insert(0, qr_col)
    table = Table([cells], colWidths=widths, hAlign="LEFT")
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # The QR sits flush with the left margin (its quiet zone is the margin itself).
                ("ALIGN", (0, 0), (0, 0), "LEFT" if qr_payload else "CENTER"),
                # Centres the rules under the agency name and the motto (HRFlowable follows ALIGN).
                ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def signature_block(
    spec: PageSpec,
    columns: Sequence[tuple[str, str, str]],
    *,
    space: float = 14 * mm,
    left_note: list[Flowable] | None = None,
    keep_with: Sequence[Flowable] = (),
) -> Flowable:
    """Signature columns ``(TITLE, hint, printed name)``; kept on one page.

    With one column and ``left_note`` (e.g. "Nơi nhận"), the note goes left and the signature
    right, as on official letters. ``keep_with`` flowables stay on the same page as the
    signatures (a page holding only signatures would be worthless).
    """
    st = styles_for(spec)
    width = spec.content_width
    widths = [width * 0.45, width * 0.55] if len(columns) == 1 else [width / len(columns)] * len(columns)
    name_width = widths[-1] if len(columns) == 1 else widths[0]

    def printed_name(name: str) -> Paragraph:
        # A long name (up to 50 characters) in a half-width column would wrap onto a second line and
        # could push a one-sheet form (Mẫu 01) onto another page: the name shrinks to one line
        # first, down to 7 pt, and only wraps beyond that.
        size = st.center.fontSize
        plain = unescape(name)
        while size > 7 and stringWidth(plain, _fonts.BOLD, size) > name_width - 2:
            size -= 0.5
        style = st.center if size == st.center.fontSize else ParagraphStyle(
            "sign_name", parent=st.center, fontSize=size, leading=size * st.center.leading / st.center.fontSize)
        return Paragraph(f"<b>{name}</b>" if name else "", style)

    def column(title: str, hint: str, name: str) -> list[Flowable]:
        return [
            Paragraph(title, st.sign_title),
            Paragraph(hint, st.sign_hint),
            Spacer(1, space),
            printed_name(name),
        ]

    cells: list[Any] = [column(*c) for c in columns]
    if len(columns) == 1:
        cells.insert(0, left_note or "")
    table = Table([cells], colWidths=widths)
    table.setStyle(
        table_style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return KeepTogether([*keep_with, Spacer(1, 1.5 * mm), table])


class GroupMark(Flowable):
    """Zero-size marker: pages from here on belong to ``label`` (page numbering per copy)."""

    def __init__(self, label: str) -> None:
        super().__init__()
        self.label = label
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._qmc_group = self.label  # type: ignore[attr-defined]


def _canvas_class(spec: PageSpec, always_number: bool) -> type[Canvas]:
    """A canvas that defers pages so the footer can say "Trang i/n" within each group.

    Keeping page states and drawing at save() is reportlab's usual two-pass-free way to know
    the page count; groups let the two receipt copies number their pages separately.
    """

    class PagedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._qmc_pages: list[dict[str, Any]] = []
            self._qmc_group = ""

        def showPage(self) -> None:  # reportlab API name
            self._qmc_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            groups = [p["_qmc_group"] for p in self._qmc_pages]
            totals: dict[str, int] = {}
            for g in groups:
                totals[g] = totals.get(g, 0) + 1
            seen: dict[str, int] = {}
            for state in self._qmc_pages:
                self.__dict__.update(state)
                group = state["_qmc_group"]
                seen[group] = seen.get(group, 0) + 1
                if always_number or totals[group] > 1:
                    self._footer(group, seen[group], totals[group])
                super().showPage()
            super().save()

        def _footer(self, group: str, page: int, total: int) -> None:
            self.saveState()
            self.setFont(_fonts.ITALIC, 7.5)
            y = spec.bottom / 2
            if group:
                self.drawString(spec.left, y, group)
            self.drawRightString(spec.size[0] - spec.right, y, f"Trang {page}/{total}")
            self.restoreState()

    return PagedCanvas


def build_pdf(
    spec: PageSpec,
    story: list[Flowable],
    *,
    title: str,
    subject: str = "",
    always_number: bool = False,
    on_page: Callable[[Canvas, BaseDocTemplate], None] | None = None,
) -> bytes:
    """Lay ``story`` out on ``spec`` pages and return the PDF bytes."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=spec.size,
        leftMargin=spec.left,
        rightMargin=spec.right,
        topMargin=spec.top,
        bottomMargin=spec.bottom,
        title=title,
        subject=subject,
        author="",
        creator=PRODUCER,
        producer=PRODUCER,
        lang="vi-VN",
        # Otherwise the page preamble selects Helvetica, a non-embedded base-14 font that would
        # be listed in every page's resources although no text uses it.
        initialFontName=_fonts.REGULAR,
        initialFontSize=spec.body_size,
        initialLeading=spec.body_size * 1.25,
    )
    frame = Frame(
        spec.left,
        spec.bottom,
        spec.content_width,
        spec.size[1] - spec.top - spec.bottom,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template = PageTemplate(id="page", frames=[frame], onPage=on_page or (lambda c, d: None))
    doc.addPageTemplates([template])
    doc.build(story, canvasmaker=_canvas_class(spec, always_number))
    return buffer.getvalue()


def page_count(spec: PageSpec, story: list[Flowable]) -> int:
    """How many pages ``story`` takes on ``spec`` (a dry run; used to fit a receipt on one sheet)."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=spec.size, leftMargin=spec.left, rightMargin=spec.right,
                          topMargin=spec.top, bottomMargin=spec.bottom, initialFontName=_fonts.REGULAR)
    frame = Frame(spec.left, spec.bottom, spec.content_width, spec.size[1] - spec.top - spec.bottom,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    # Layout only: writing the PDF (font subsetting, compression) is most of a build's cost.
    doc.build(story, canvasmaker=_LayoutOnlyCanvas)
    return int(doc.page)


class _LayoutOnlyCanvas(Canvas):
    """A canvas that lays pages out and never writes a file (for :func:`page_count`)."""

    def save(self) -> None:  # reportlab API name
        pass
