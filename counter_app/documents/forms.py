"""The printed forms of a dossier (DOMAIN §2), rendered to PDF bytes with reportlab.

Form set per circular (:mod:`counter_app.documents.profiles`; which one applies follows the date
the form is issued — Thông tư 03/2025/TT-VPCP forms from 15/9/2025):

==============================================================  =============  ==============
form                                                            TT 01/2018     TT 03/2025 PL I
==============================================================  =============  ==============
Giấy tiếp nhận hồ sơ và hẹn trả kết quả (2 liên)                01             01 + phí/lệ phí
Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ                         02             02
Phiếu từ chối tiếp nhận giải quyết hồ sơ                        03             03
Phiếu xin lỗi và hẹn lại ngày trả kết quả / 2025: Văn bản xin   04             04
lỗi và đề nghị gia hạn thời gian giải quyết
Thông báo dừng giải quyết hồ sơ                                 —              05
Phiếu kiểm soát quá trình giải quyết hồ sơ                      05             06
Sổ theo dõi hồ sơ (A4 landscape)                                06             07
==============================================================  =============  ==============

The single forms are A5 portrait; long content flows onto further pages rather than overflow,
except the receipt, which is fitted on one A5 sheet per copy (tighter spacing, then a smaller
font) and spills only when even that does not fit. Every form carries the QR code of
:mod:`counter_app.documents.qr` top-left, whose ``mau=`` is the form's number in its circular.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, LongTable, PageBreak, Paragraph, Spacer, Table

from counter_app.documents import _layout
from counter_app.documents._layout import A4_REGISTER, A5_FORM, PageSpec, Styles, styles_for
from counter_app.documents._text import (
    BLANK,
    clean,
    local,
    money,
    number,
    para,
    place_date,
    short_date,
    short_time,
    two_digits,
    vn_date,
    vn_datetime,
)
from counter_app.documents.model import (
    Agency,
    ComponentStatus,
    FormDossier,
    FormKind,
    HandoverResult,
    RegisterRow,
    ReturnMethod,
)
from counter_app.documents.profiles import (
    ND61_2018,
    ND118_2025,
    check_profile,
    form_number,
    form_profile_for,
    forms_for_profile,
)
from counter_app.documents.qr import DATE_FORMAT, fit_payload, qr_time
from counter_app.errors import ValidationError

log = logging.getLogger(__name__)

RECEIPT_COPIES = ("Liên 1: Lưu", "Liên 2: Giao người nộp")

_TITLES: dict[tuple[FormKind, str], str] = {
    (FormKind.RECEIPT, ND61_2018): "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    (FormKind.SUPPLEMENT_REQUEST, ND61_2018): "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    (FormKind.REFUSAL, ND61_2018): "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    (FormKind.APOLOGY, ND61_2018): "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    (FormKind.CONTROL_SLIP, ND61_2018): "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    (FormKind.REGISTER, ND61_2018): "Sổ theo dõi hồ sơ",
    (FormKind.APOLOGY, ND118_2025): "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
    (FormKind.STOP_NOTICE, ND118_2025): "Thông báo dừng giải quyết hồ sơ",
}

# Suffix of "Số: …/XX" where the Thông tư 01/2018 form prints one.
_NUMBER_SUFFIX = {FormKind.SUPPLEMENT_REQUEST: "HDHS", FormKind.APOLOGY: "PXL"}

# Generic running-text names of the counter when Agency.unit_name is empty.
_GENERIC_UNIT = {
    ND61_2018: "Bộ phận Tiếp nhận và Trả kết quả",
    ND118_2025: "Bộ phận Một cửa",
}

_RESULT_TEXT: dict[str, str] = {
    HandoverResult.EARLY: "Trước hạn",
    HandoverResult.ON_TIME: "Đúng hạn",
    HandoverResult.LATE: "Quá hạn",
}

_ORG_ADDRESS = "Ông/Bà/Tổ chức"


def form_title(kind: FormKind, profile: str) -> str:
    """The document name of ``kind`` under ``profile`` (sentence case, as in the QR payload)."""
    check_profile(profile)
    title = _TITLES.get((kind, profile)) or _TITLES.get((kind, ND61_2018))
    if title is None or kind not in forms_for_profile(profile):
        raise ValidationError(
            "Thông báo dừng giải quyết hồ sơ không có trong bộ biểu mẫu Thông tư 01/2018/TT-VPCP.",
            hint="Mẫu này (Mẫu 05, Thông tư 03/2025/TT-VPCP) chỉ lập được từ ngày 15/9/2025.",
        )
    return title


def _profile(d: FormDossier, issued: dt.datetime) -> str:
    """The form set: an explicit (admin-pinned) profile, else the one in force on the issue day."""
    return check_profile(d.profile or form_profile_for(local(issued).date()))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _unit(agency: Agency, profile: str) -> str:
    return para(agency.unit_name, blank=_GENERIC_UNIT[profile])


def _dossier_qr(d: FormDossier, agency: Agency, kind: FormKind, profile: str, title: str,
                issued_at: dt.datetime, due: dt.datetime | None) -> str:
    return fit_payload(
        {
            "mau": form_number(kind, profile),
            "ma": d.code,
            "tt": d.procedure_code,
            "cd": d.applicant.id_number,
            "gt": title,
            "ht": agency.system_name,
            "tg": qr_time(issued_at),
            "hen": qr_time(due) if due else None,
        }
    )


def _header(
    spec: PageSpec,
    agency: Agency,
    *,
    qr_payload: str,
    day: dt.date,
    number_line: str | None = None,
) -> Flowable:
    return _layout.national_header(
        spec,
        qr_payload=qr_payload,
        parent_name=para(agency.parent_name.upper(), blank=""),
        agency_name=para(agency.name.upper()),
        number_line=number_line,
        date_line=place_date(agency.place_name, day),
    )


def _number_line(d: FormDossier, kind: FormKind, profile: str) -> str:
    suffix = _NUMBER_SUFFIX.get(kind) if profile == ND61_2018 else None
    number_text = para(d.document_number, blank="……")
    if suffix and not d.document_number:
        return f"Số: {number_text}/{suffix}"
    return f"Số: {number_text}"


def _build_dossier_pdf(spec: PageSpec, story: list[Flowable], title: str, d: FormDossier) -> bytes:
    # The footer of a form that runs over a page names the dossier, so loose pages can be matched.
    return _layout.build_pdf(spec, [_layout.GroupMark(f"Mã hồ sơ {clean(d.code)}"), *story],
                             title=title, subject=clean(d.code))


def _title_block(st: Styles, title: str, *lines: str, spacing: float = 1.0) -> list[Flowable]:
    out: list[Flowable] = [Paragraph(para(title.upper()), st.title)]
    out.extend(Paragraph(line, st.center) for line in lines)
    out.append(Spacer(1, 2.5 * mm * spacing))
    return out


def _field(st: Styles, label: str, value: str, *, bold: bool = False) -> Paragraph:
    shown = f"<b>{value}</b>" if bold else value
    return Paragraph(f"{label}: {shown}", st.body_left)


def _contact_line(st: Styles, d: FormDossier) -> Paragraph:
    # Non-breaking spaces keep a visible gap between the two fields when they share a line.
    gap = "\u00a0" * 6
    return Paragraph(
        f"Số điện thoại: {para(d.applicant.phone)}{gap}Email: {para(d.applicant.email)}", st.body_left
    )


def _procedure(d: FormDossier) -> str:
    name = para(d.procedure_name)
    code = clean(d.procedure_code)
    return f"<b>{name}</b> (mã thủ tục: {para(code)})" if code else f"<b>{name}</b>"


def _counts(originals: int, copies: int) -> str:
    parts = []
    if originals:
        parts.append(f"bản chính: {two_digits(originals)}")
    if copies:
        parts.append(f"bản sao: {two_digits(copies)}")
    return "; ".join(parts)


def _processing(d: FormDossier) -> str:
    if clean(d.processing_text):
        return para(d.processing_text)
    if d.processing_days is not None:
        days = d.processing_days
        shown = two_digits(int(days)) if days == int(days) else number(days)
        return f"{shown} ngày làm việc"
    return BLANK


def _return_place(d: FormDossier, agency: Agency, profile: str) -> str:
    if str(d.return_method) == ReturnMethod.POST:
        address = para(d.return_address or d.applicant.address)
        return f"Qua dịch vụ bưu chính công ích, địa chỉ: {address}"
    return _unit(agency, profile)


# ----------------------------------------------------------------------------------------------
# 01 Giấy tiếp nhận hồ sơ và hẹn trả kết quả
# ----------------------------------------------------------------------------------------------


# Receipt fitting (issue #16 row 11): one A5 sheet per copy. Each step is tried in order until a
# copy fits: normal; tighter spacing (spacers, signature space); then 9 pt and 8.5 pt body text.
_RECEIPT_FITS: tuple[tuple[PageSpec, float], ...] = (
    (A5_FORM, 1.0),
    (A5_FORM, 0.55),
    (dataclasses.replace(A5_FORM, body_size=9.0), 0.55),
    (dataclasses.replace(A5_FORM, body_size=8.5), 0.45),
)


def _receipt_copy(d: FormDossier, agency: Agency, profile: str, payload: str, copy_label: str,
                  spec: PageSpec = A5_FORM, spacing: float = 1.0) -> list[Flowable]:
    st = styles_for(spec)
    title = form_title(FormKind.RECEIPT, profile)
    assert d.due_at is not None  # checked by render_receipt
    code = para(d.code)
    unit = _unit(agency, profile)
    story: list[Flowable] = [
        _layout.GroupMark(f"Mã hồ sơ {clean(d.code)} - {copy_label}"),
        _header(spec, agency, qr_payload=payload, day=local(d.received_at).date()),
        *_title_block(st, title, f"Mã hồ sơ: <b>{code}</b>", f"<i>({copy_label})</i>", spacing=spacing),
    ]
    if profile == ND61_2018:
        # Thông tư 01/2018 Mẫu 01 names the receiving unit on its own line before the applicant.
        story.append(_field(st, "Bộ phận tiếp nhận và trả kết quả", unit))
    story += [
        # The name gets its own line so it never wraps mid-name.
        _field(st, "Tiếp nhận hồ sơ của", para(d.applicant.full_name), bold=True),
    ]
    if clean(d.applicant.id_number):
        story.append(_field(st, "Số định danh cá nhân/CCCD", para(d.applicant.id_number)))
    story += [
        _field(st, "Địa chỉ", para(d.applicant.address)),
        _contact_line(st, d),
        Paragraph(f"Nội dung yêu cầu giải quyết: {_procedure(d)}", st.body_left),
    ]
    if profile == ND118_2025 and clean(d.lead_unit):
        story.append(_field(st, "Cơ quan giải quyết", para(d.lead_unit)))
    story.append(Paragraph("1. Thành phần hồ sơ nộp gồm:", st.item))
    if not d.components:
        story.append(Paragraph(f"1.1. {BLANK}", st.subitem))
    for i, comp in enumerate(d.components, start=1):
        text = f"1.{i}. {para(comp.name)}"
        counts = _counts(comp.originals, comp.copies)
        status = str(comp.status)
        if status == ComponentStatus.SHOWN:
            counts = "; ".join(filter(None, [counts, "xuất trình để đối chiếu, không lưu"]))
        elif status == ComponentStatus.MISSING:
            counts = "; ".join(filter(None, [counts, "chưa nộp"]))
        if counts:
            text += f" ({counts})"
        if clean(comp.note):
            text += f". <i>{para(comp.note)}</i>"
        story.append(Paragraph(text, st.subitem))
    due = d.due_at
    story += [
        Paragraph(f"2. Số lượng hồ sơ: {two_digits(d.quantity_sets)} (bộ)", st.item),
        Paragraph(f"3. Thời gian giải quyết hồ sơ theo quy định: {_processing(d)}", st.item),
        Paragraph(f"4. Thời gian nhận hồ sơ: {vn_datetime(d.received_at)}", st.item),
        Paragraph(f"5. Thời gian trả kết quả giải quyết hồ sơ: <b>{vn_datetime(due)}</b>", st.item),
        Paragraph(f"6. Đăng ký nhận kết quả tại: {_return_place(d, agency, profile)}", st.item),
    ]
    if profile == ND118_2025:
        story += _fee_lines(st, d)
    book = para(d.register_book, blank="……")
    seq = para(d.register_seq, blank="……")
    register_line = Paragraph(f"Vào Sổ theo dõi hồ sơ, Quyển số: {book}, Số thứ tự: {seq}", st.body_left)
    story.append(
        _layout.signature_block(
            spec,
            [
                ("NGƯỜI NỘP HỒ SƠ", "(Ký và ghi rõ họ tên)", para(d.applicant.full_name, blank="")),
                ("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", para(d.officer_name, blank="")),
            ],
            keep_with=[register_line],
            space=14 * mm * max(spacing, 0.7),
        )
    )
    # The note as Mẫu 01 prints it (Thông tư 01/2018/TT-VPCP); the receipt fitting keeps it on
    # the sheet instead of shortening it.
    story += [
        Spacer(1, 2 * mm * spacing),
        Paragraph("<i><u>Ghi chú:</u></i>", st.small),
        Paragraph(
            "<i>- Giấy tiếp nhận hồ sơ và hẹn trả kết quả được lập thành 02 liên; 01 liên giao cho cá nhân, "
            f"tổ chức nộp hồ sơ; 01 liên lưu tại {unit};</i>",
            st.small,
        ),
        Paragraph(
            f"<i>- Cá nhân, tổ chức có thể nhận kết quả tại {unit} hoặc nhận qua dịch vụ bưu chính.</i>",
            st.small,
        ),
    ]
    return story


def _letter_opening(spec: PageSpec, st: Styles, d: FormDossier, agency: Agency, kind: FormKind, profile: str,
                    issued: dt.datetime, qr_due: dt.datetime | None) -> tuple[list[Flowable], str, str]:
    """Header with the QR, title and «Kính gửi» shared by the letters (04 and the stop notice).

    Returns the story so far, the issuing unit as running text, and the addressee's name.
    """
    title = form_title(kind, profile)
    payload = _dossier_qr(d, agency, kind, profile, title, issued, qr_due)
    name = para(d.applicant.full_name)
    story: list[Flowable] = [
        _header(spec, agency, qr_payload=payload, day=local(issued).date(),
                number_line=_number_line(d, kind, profile)),
        *_title_block(st, title),
        Paragraph(f"Kính gửi: <b>{name}</b>", st.center),
        Spacer(1, 2 * mm),
    ]
    return story, para(agency.unit_name, blank=para(agency.name)), name


_BLANK_MONEY = "……………… đồng"


def _fee_amount(fee: Any) -> str:
    """The amount as printed; an amount nobody entered is a blank to fill in, never "0 đồng"."""
    if fee.amount is None:
        if fee.set_by_province:
            return f"mức thu theo Nghị quyết của HĐND tỉnh: {_BLANK_MONEY}"
        return _BLANK_MONEY
    shown = money(fee.amount)
    return f"{shown} ({para(fee.detail)})" if clean(fee.detail) else shown


def _fee_lines(st: Styles, d: FormDossier) -> list[Flowable]:
    if not d.fees:
        return [Paragraph("7. Phí, lệ phí: Không thu", st.item)]
    out: list[Flowable] = [Paragraph("7. Phí, lệ phí:", st.item)]
    for fee in d.fees:
        out.append(Paragraph(f"- {para(fee.name)}: {_fee_amount(fee)}", st.subitem))
    if len(d.fees) > 1:
        # A total with an unknown part is unknown too: left blank rather than understated.
        known = all(f.amount is not None for f in d.fees)
        total = money(sum(f.amount or 0 for f in d.fees)) if known else _BLANK_MONEY
        out.append(Paragraph(f"<b>Tổng cộng: {total}</b>", st.subitem))
    return out


def render_receipt(d: FormDossier, agency: Agency, *, issued_at: dt.datetime | None = None) -> bytes:
    """Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả, as an A5 PDF.

    Two copies, each starting on its own page: "Liên 1: Lưu" then "Liên 2: Giao người nộp".
    ``issued_at`` (default now) goes into the QR; the printed date is the reception date.
    """
    if d.due_at is None:
        raise ValidationError(
            "Hồ sơ chưa có ngày hẹn trả kết quả nên chưa in được giấy tiếp nhận.",
            hint="Kiểm tra thủ tục và thời gian giải quyết rồi in lại.",
        )
    # The receipt is issued at reception: its form set is the one in force that day.
    profile = _profile(d, d.received_at)
    title = form_title(FormKind.RECEIPT, profile)
    payload = _dossier_qr(d, agency, FormKind.RECEIPT, profile, title, issued_at or _now(), d.due_at)
    # One A5 sheet per copy: the first fitting that keeps a copy on one page is used for both.
    spec, spacing = _RECEIPT_FITS[-1]
    for candidate, candidate_spacing in _RECEIPT_FITS:
        copy = _receipt_copy(d, agency, profile, payload, RECEIPT_COPIES[0], candidate, candidate_spacing)
        if _layout.page_count(candidate, copy) == 1:
            spec, spacing = candidate, candidate_spacing
            break
    else:
        log.info("receipt %s does not fit one A5 sheet even tightened; it flows on", clean(d.code))
    story: list[Flowable] = []
    for i, label in enumerate(RECEIPT_COPIES):
        if i:
            story.append(PageBreak())
        story += _receipt_copy(d, agency, profile, payload, label, spec, spacing)
    return _layout.build_pdf(spec, story, title=title, subject=clean(d.code))


# ----------------------------------------------------------------------------------------------
# 02 Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
# ----------------------------------------------------------------------------------------------


def _grid(
    data: list[list[Any]],
    widths: Sequence[float],
    *,
    header_rows: int = 1,
    row_heights: Sequence[float | None] | None = None,
) -> Table:
    table = Table(data, colWidths=list(widths), rowHeights=row_heights, repeatRows=header_rows, splitInRow=1)
    table.setStyle(
        _layout.table_style(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
            ]
        )
    )
    return table


def render_supplement_request(d: FormDossier, agency: Agency, *, issued_at: dt.datetime | None = None) -> bytes:
    """Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (A5).

    The table lists the components with status "missing" (their ``note`` says what to supply);
    with none, blank rows are printed to fill in by hand. ``d.reason`` is the "Lý do".
    """
    spec = A5_FORM
    st = styles_for(spec)
    kind = FormKind.SUPPLEMENT_REQUEST
    issued = issued_at or _now()
    profile = _profile(d, issued)
    title = form_title(kind, profile)
    payload = _dossier_qr(d, agency, kind, profile, title, issued, d.due_at)
    story: list[Flowable] = [
        _header(spec, agency, qr_payload=payload, day=local(issued).date(),
                number_line=_number_line(d, kind, profile)),
        *_title_block(st, title, f"Mã hồ sơ: <b>{para(d.code)}</b>"),
        _field(st, "Hồ sơ của", para(d.applicant.full_name), bold=True),
        Paragraph(f"Nội dung yêu cầu giải quyết: {_procedure(d)}", st.body_left),
        _field(st, "Địa chỉ", para(d.applicant.address)),
        _contact_line(st, d),
        Paragraph("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", st.body_left),
        Spacer(1, 1 * mm),
    ]
    w = spec.content_width
    widths = [8 * mm, w - 8 * mm - 2 * 15 * mm - 34 * mm, 15 * mm, 15 * mm, 34 * mm]
    rows: list[list[Any]] = [
        [Paragraph(h, st.cell_head) for h in ("TT", "Thành phần hồ sơ", "Bản chính", "Bản sao",
                                               "Nội dung cần bổ sung, hoàn thiện")]
    ]
    missing = [c for c in d.components if str(c.status) == ComponentStatus.MISSING]
    for i, comp in enumerate(missing, start=1):
        rows.append(
            [
                Paragraph(str(i), st.cell_center),
                Paragraph(para(comp.name), st.cell),
                Paragraph(str(comp.originals) if comp.originals else "", st.cell_center),
                Paragraph(str(comp.copies) if comp.copies else "", st.cell_center),
                Paragraph(para(comp.note, blank=""), st.cell),
            ]
        )
    for i in range(len(missing) + 1, max(len(missing), 3) + 1):
        rows.append([Paragraph(str(i), st.cell_center), "", "", "", ""])
    # Blank rows are filled in by hand: give them a pen's height.
    heights = [None] * (len(missing) + 1) + [7 * mm] * (len(rows) - len(missing) - 1)
    story += [
        _grid(rows, widths, row_heights=heights),
        Spacer(1, 2 * mm),
        _field(st, "Lý do", para(d.reason)),
        Paragraph(
            "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với "
            f"{para(d.officer_name, blank='……')}, số điện thoại {para(agency.phone, blank='……')} "
            "để được hướng dẫn./.",
            st.body,
        ),
        _layout.signature_block(
            spec, [("NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)", para(d.officer_name, blank=""))]
        ),
    ]
    return _build_dossier_pdf(spec, story, title, d)


# ----------------------------------------------------------------------------------------------
# 03 Phiếu từ chối tiếp nhận giải quyết hồ sơ
# ----------------------------------------------------------------------------------------------


def render_refusal(d: FormDossier, agency: Agency, *, issued_at: dt.datetime | None = None) -> bytes:
    """Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ (A5); ``d.reason`` is the reason."""
    spec = A5_FORM
    st = styles_for(spec)
    kind = FormKind.REFUSAL
    issued = issued_at or _now()
    profile = _profile(d, issued)
    title = form_title(kind, profile)
    payload = _dossier_qr(d, agency, kind, profile, title, issued, None)
    unit = _unit(agency, profile)
    story: list[Flowable] = [
        _header(spec, agency, qr_payload=payload, day=local(issued).date()),
        *_title_block(st, title, f"Mã hồ sơ: <b>{para(d.code)}</b>"),
        _field(st, "Tiếp nhận hồ sơ của", para(d.applicant.full_name), bold=True),
        _field(st, "Địa chỉ", para(d.applicant.address)),
        _contact_line(st, d),
        Paragraph(f"Nội dung yêu cầu giải quyết: {_procedure(d)}", st.body_left),
        Paragraph(
            f"Qua xem xét, {unit} từ chối tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: "
            f"{para(d.reason)}",
            st.body,
        ),
        Paragraph("Xin thông báo cho Ông/Bà được biết và thực hiện./.", st.body),
        _layout.signature_block(
            spec, [("NGƯỜI TIẾP NHẬN HỒ SƠ", "(Ký và ghi rõ họ tên)", para(d.officer_name, blank=""))]
        ),
    ]
    return _build_dossier_pdf(spec, story, title, d)


# ----------------------------------------------------------------------------------------------
# 04 Phiếu xin lỗi và hẹn lại ngày trả kết quả / 2025: Văn bản xin lỗi và đề nghị gia hạn
# ----------------------------------------------------------------------------------------------


def _recipients(st: Styles) -> list[Flowable]:
    return [
        Paragraph("<b><i>Nơi nhận:</i></b>", st.small),
        Paragraph("- Như trên;", st.small),
        Paragraph("- Lưu: VT.", st.small),
    ]


_AUTHORITIES = ("KT.", "TM.", "TL.", "TUQ.", "Q.")


def signer_lines(agency: Agency) -> tuple[str, ...]:
    """The upper-case title lines above the signature (Nghị định 30/2020 Điều 13 and Phụ lục I).

    The head signs: ``GIÁM ĐỐC``. Someone signs for the head: ``KT. GIÁM ĐỐC`` / ``PHÓ GIÁM ĐỐC``
    (likewise ``TL.``, ``TUQ.``; ``Q. GIÁM ĐỐC`` for an acting head). For a collective:
    ``TM. ỦY BAN NHÂN DÂN`` / ``CHỦ TỊCH`` (head_title = the collective, signer_title = the title).
    Not configured: ``THỦ TRƯỞNG CƠ QUAN``.
    """
    head = " ".join(clean(agency.head_title).upper().split())
    authority = clean(agency.signer_authority).upper().rstrip(".").strip()
    own = " ".join(clean(agency.signer_title).upper().split())
    if not head:
        return ("THỦ TRƯỞNG CƠ QUAN",)
    if authority and f"{authority}." in _AUTHORITIES:
        first = f"{authority}. {head}"
        return (first, own) if own and authority != "Q" else (first,)
    return (head,)


def _head_signature(spec: PageSpec, agency: Agency) -> Flowable:
    st = styles_for(spec)
    title = "<br/>".join(para(line) for line in signer_lines(agency))
    # A configured signer has a name printed under the signature and seal; otherwise the hint
    # tells whoever signs by hand what to add.
    hint = "" if clean(agency.head_name) else "(Ký, ghi rõ họ tên và đóng dấu)"
    return _layout.signature_block(
        spec,
        [(title, hint, para(agency.head_name, blank=""))],
        left_note=_recipients(st),
    )


def render_apology(d: FormDossier, agency: Agency, *, issued_at: dt.datetime | None = None) -> bytes:
    """Mẫu 04 (A5): apology for a late result.

    2018 profile: "Phiếu xin lỗi và hẹn lại ngày trả kết quả"; 2025 profile: "Văn bản xin lỗi
    và đề nghị gia hạn thời gian giải quyết". ``d.reason`` is the reason for the delay and
    ``d.new_due_at`` the new return date (the QR's appointment).
    """
    spec = A5_FORM
    st = styles_for(spec)
    kind = FormKind.APOLOGY
    issued = issued_at or _now()
    profile = _profile(d, issued)
    title = form_title(kind, profile)
    story, who, name = _letter_opening(spec, st, d, agency, kind, profile, issued, d.new_due_at or d.due_at)
    due = vn_datetime(d.due_at) if d.due_at else BLANK
    new_due = f"<b>{vn_datetime(d.new_due_at)}</b>" if d.new_due_at else BLANK
    story += [
        Paragraph(
            f"{vn_date(d.received_at).capitalize()}, {who} tiếp nhận giải quyết hồ sơ của {_ORG_ADDRESS} "
            f"{name} đề nghị giải quyết thủ tục: {_procedure(d)}.",
            st.body,
        ),
        _field(st, "Mã hồ sơ", para(d.code), bold=True),
        Paragraph(f"Thời hạn giải quyết hồ sơ theo quy định: {due}.", st.body),
    ]
    if profile == ND61_2018:
        story += [
            Paragraph(
                f"Tuy nhiên đến nay, {who} chưa trả kết quả giải quyết hồ sơ của {_ORG_ADDRESS}.", st.body
            ),
            _field(st, "Lý do", para(d.reason)),
            Paragraph(
                f"Sự chậm trễ này đã gây phiền hà cho {_ORG_ADDRESS}. {who} xin lỗi {_ORG_ADDRESS} và "
                f"xin hẹn trả kết quả vào {new_due}.",
                st.body,
            ),
        ]
    else:
        story += [
            Paragraph(f"Đến nay, hồ sơ của {_ORG_ADDRESS} chưa được giải quyết xong.", st.body),
            _field(st, "Lý do", para(d.reason)),
            Paragraph(
                f"{who} xin lỗi {_ORG_ADDRESS} vì sự chậm trễ này và đề nghị được gia hạn thời gian giải "
                f"quyết hồ sơ đến {new_due}.",
                st.body,
            ),
        ]
    story += [
        Paragraph(f"Xin trân trọng cảm ơn sự hợp tác của {_ORG_ADDRESS}./.", st.body),
        _head_signature(spec, agency),
    ]
    return _build_dossier_pdf(spec, story, title, d)


# ----------------------------------------------------------------------------------------------
# 05 Phiếu kiểm soát quá trình giải quyết hồ sơ
# ----------------------------------------------------------------------------------------------

_BLANK_TIME = "…giờ…phút, ngày…/…/……"


def render_control_slip(d: FormDossier, agency: Agency, *, issued_at: dt.datetime | None = None) -> bytes:
    """Mẫu 05 — Phiếu kiểm soát quá trình giải quyết hồ sơ (A5).

    One table row per ``d.handovers`` entry, then blank rows (at least four in all) for the
    hand-overs still to come, to be filled in by hand.
    """
    spec = A5_FORM
    st = styles_for(spec)
    kind = FormKind.CONTROL_SLIP
    issued = issued_at or _now()
    profile = _profile(d, issued)
    title = form_title(kind, profile)
    payload = _dossier_qr(d, agency, kind, profile, title, issued, d.due_at)
    coordinating = "; ".join(filter(None, (clean(u) for u in d.coordinating_units)))
    story: list[Flowable] = [
        _header(spec, agency, qr_payload=payload, day=local(d.received_at).date()),
        *_title_block(st, title, f"Mã hồ sơ: <b>{para(d.code)}</b>"),
        _field(st, "Hồ sơ của", para(d.applicant.full_name), bold=True),
        Paragraph(f"Nội dung yêu cầu giải quyết: {_procedure(d)}", st.body_left),
        _field(st, "Thời gian nhận hồ sơ", vn_datetime(d.received_at)),
        _field(st, "Thời gian hẹn trả kết quả", vn_datetime(d.due_at) if d.due_at else BLANK, bold=True),
        _field(st, "Cơ quan (bộ phận) giải quyết hồ sơ", para(d.lead_unit)),
        _field(st, "Cơ quan phối hợp giải quyết hồ sơ", para(coordinating)),
        Spacer(1, 1.5 * mm),
    ]
    w = spec.content_width
    widths = [31 * mm, w - 31 * mm - 23 * mm - 20 * mm, 23 * mm, 20 * mm]
    head = [
        Paragraph(h, st.cell_head)
        for h in (
            "TÊN CƠ QUAN",
            "THỜI GIAN GIAO, NHẬN HỒ SƠ",
            "KẾT QUẢ GIẢI QUYẾT HỒ SƠ<br/><font name=\"LiberationSerif-Italic\">(Trước hạn/ đúng hạn/ quá hạn)</font>",
            "GHI CHÚ",
        )
    ]
    rows: list[list[Any]] = [head]
    step = 1
    for h in d.handovers:
        rows.append(_handover_row(st, widths[1], step, para(h.from_unit), para(h.to_unit), h.at,
                                  para(h.giver, blank=""), para(h.receiver, blank=""),
                                  _RESULT_TEXT.get(str(h.result), para(h.result, blank="")),
                                  para(h.note, blank="")))
        step += 2
    while len(rows) < 5:
        rows.append(_handover_row(st, widths[1], step, "……", "……", None, "", "", "", ""))
        step += 2
    story.append(_grid(rows, widths))
    return _build_dossier_pdf(spec, story, title, d)


def _handover_row(
    st: Styles,
    time_width: float,
    step: int,
    giver_unit: str,
    receiver_unit: str,
    at: dt.datetime | None,
    giver: str,
    receiver: str,
    result: str,
    note: str,
) -> list[Any]:
    units = [
        Paragraph(f"{step}. Giao: {giver_unit}", st.cell),
        Spacer(1, 1 * mm),
        Paragraph(f"{step + 1}. Nhận: {receiver_unit}", st.cell),
    ]
    when = vn_datetime(at) if at else _BLANK_TIME
    half = time_width / 2 - 3
    signs = Table(
        [
            [Paragraph("<b>Người giao</b>", st.cell_center), Paragraph("<b>Người nhận</b>", st.cell_center)],
            ["", ""],
            [Paragraph(giver, st.cell_center), Paragraph(receiver, st.cell_center)],
        ],
        colWidths=[half, half],
        rowHeights=[None, 8 * mm, None],
    )
    signs.setStyle(_layout.table_style([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return [units, [Paragraph(when, st.cell_center), Spacer(1, 1 * mm), signs],
            Paragraph(result, st.cell_center), Paragraph(note, st.cell)]


# ----------------------------------------------------------------------------------------------
# TB Thông báo dừng giải quyết hồ sơ (Thông tư 03/2025)
# ----------------------------------------------------------------------------------------------


def render_stop_notice(d: FormDossier, agency: Agency, *, issued_at: dt.datetime | None = None) -> bytes:
    """Thông báo dừng giải quyết hồ sơ (2025 profile only; A5); ``d.reason`` is the reason.

    Raises :class:`ValidationError` for a dossier under the 2018 profile, which had no such form.
    """
    spec = A5_FORM
    st = styles_for(spec)
    kind = FormKind.STOP_NOTICE
    issued = issued_at or _now()
    profile = _profile(d, issued)
    title = form_title(kind, profile)
    story, who, name = _letter_opening(spec, st, d, agency, kind, profile, issued, d.due_at)
    story += [
        Paragraph(
            f"Lúc {vn_datetime(d.received_at)}, {who} đã tiếp nhận hồ sơ của {_ORG_ADDRESS} {name} "
            f"đề nghị giải quyết thủ tục: {_procedure(d)}.",
            st.body,
        ),
        _field(st, "Mã hồ sơ", para(d.code), bold=True),
        Paragraph(
            f"Thời hạn trả kết quả theo giấy tiếp nhận: {vn_datetime(d.due_at) if d.due_at else BLANK}.", st.body
        ),
        Paragraph(f"{who} thông báo dừng giải quyết hồ sơ nêu trên.", st.body),
        _field(st, "Lý do", para(d.reason)),
        Paragraph(f"Xin thông báo để {_ORG_ADDRESS} được biết./.", st.body),
        _head_signature(spec, agency),
    ]
    return _build_dossier_pdf(spec, story, title, d)


# ----------------------------------------------------------------------------------------------
# 06 Sổ theo dõi hồ sơ
# ----------------------------------------------------------------------------------------------

_REGISTER_COLUMNS: tuple[tuple[str, float], ...] = (
    ("TT", 9),
    ("Mã hồ sơ", 30),
    ("Tên thủ tục hành chính", 35),
    ("Số lượng hồ sơ (bộ)", 12),
    ("Tên cá nhân, tổ chức", 27),
    ("Địa chỉ, số điện thoại", 31),
    ("Cơ quan chủ trì giải quyết", 24),
    ("Nhận hồ sơ", 16),
    ("Hẹn trả kết quả", 16),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 17),
    ("Nhận kết quả từ cơ quan giải quyết", 17),
    ("Ngày, tháng, năm", 16),
    ("Ký nhận", 14),
    ("Ghi chú", 0),  # takes what is left
)


def _when(moment: dt.datetime | None) -> str:
    # Plain multi-line strings, not Paragraphs: a month's register has thousands of cells and
    # reportlab wraps Paragraphs again at every page split (see bench/bench_forms.py).
    return f"{short_date(moment)}\n{short_time(moment)}" if moment else ""


def _code_cell(st: Styles, code: str, width: float) -> str | Paragraph:
    # Dossier codes have no spaces: one too long for its column is broken after its last "-"
    # (before the daily sequence) rather than cut mid-number by reportlab's long-word split.
    text = clean(code)
    if stringWidth(text, st.cell.fontName, st.cell.fontSize) <= width:
        return text
    head, dash, tail = para(code, blank="").rpartition("-")
    return Paragraph(f"{head}{dash}<br/>{tail}" if dash else tail, st.cell)


def render_register(
    rows: Iterable[RegisterRow],
    agency: Agency,
    date_from: dt.date,
    date_to: dt.date,
    *,
    issued_at: dt.datetime | None = None,
    profile: str = "",
) -> bytes:
    """Sổ theo dõi hồ sơ (Mẫu 06 of 2018, Mẫu 07 of 2025) for ``date_from``..``date_to``, A4 landscape.

    ``profile`` empty = the form set in force on the issue day.

    The table flows over as many pages as needed, repeating its header; pages are numbered.
    The QR identifies the register (agency, range, issue time), not a single dossier.
    """
    spec = A4_REGISTER
    st = styles_for(spec)
    issued = issued_at or _now()
    profile = check_profile(profile or form_profile_for(local(issued).date()))
    title = form_title(FormKind.REGISTER, profile)
    payload = fit_payload(
        {
            "mau": form_number(FormKind.REGISTER, profile),
            "gt": title,
            "ht": agency.system_name,
            "tg": qr_time(issued),
            "tu": date_from.strftime(DATE_FORMAT),
            "den": date_to.strftime(DATE_FORMAT),
        }
    )
    story: list[Flowable] = [
        _layout.GroupMark(f"Sổ theo dõi hồ sơ từ {short_date(date_from)} đến {short_date(date_to)}"),
        _header(spec, agency, qr_payload=payload, day=local(issued).date()),
        Paragraph(para(title.upper()), st.title),
        Paragraph(f"Từ {vn_date(date_from)} đến {vn_date(date_to)}", st.center_italic),
        Spacer(1, 3 * mm),
    ]
    width = spec.content_width
    fixed = sum(w for _, w in _REGISTER_COLUMNS) * mm
    widths = [w * mm for _, w in _REGISTER_COLUMNS]
    widths[-1] = width - fixed
    head = st.cell_head
    first = [Paragraph(name, head) for name, _ in _REGISTER_COLUMNS]
    first[11] = Paragraph("Trả kết quả cho cá nhân, tổ chức", head)
    first[12] = ""
    second: list[Any] = [""] * len(_REGISTER_COLUMNS)
    second[11] = Paragraph("Ngày, tháng, năm", head)
    second[12] = Paragraph("Ký nhận", head)
    numbers = [Paragraph(f"<i>({i})</i>", st.cell_center) for i in range(1, len(_REGISTER_COLUMNS) + 1)]
    data: list[list[Any]] = [first, second, numbers]
    count = 0
    for count, r in enumerate(rows, start=1):
        contact = "; ".join(filter(None, [clean(r.address), clean(r.phone)]))
        data.append(
            [
                str(count),
                _code_cell(st, r.code, widths[1] - 4),
                Paragraph(para(r.procedure_name, blank="", limit=400), st.cell),
                two_digits(r.quantity_sets),
                Paragraph(para(r.applicant_name, blank="", limit=200), st.cell),
                Paragraph(para(contact, blank="", limit=300), st.cell),
                Paragraph(para(r.lead_unit, blank="", limit=200), st.cell),
                _when(r.received_at),
                _when(r.due_at),
                _when(r.transferred_at),
                _when(r.result_received_at),
                _when(r.returned_at),
                "",
                Paragraph(para(r.note, blank="", limit=300), st.cell),
            ]
        )
    if count == 0:
        data.append([Paragraph("<i>Không có hồ sơ nào trong khoảng thời gian này.</i>", st.cell_center)]
                    + [""] * (len(_REGISTER_COLUMNS) - 1))
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("VALIGN", (0, 0), (-1, 2), "MIDDLE"),
        ("VALIGN", (0, 3), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("SPAN", (11, 0), (12, 0)),
        # Plain-string cells of the data rows (TT, code, count, dates) in the cell style.
        ("FONTSIZE", (0, 3), (-1, -1), st.cell.fontSize),
        ("LEADING", (0, 3), (-1, -1), st.cell.leading),
        ("ALIGN", (0, 3), (0, -1), "CENTER"),
        ("ALIGN", (3, 3), (3, -1), "CENTER"),
        ("ALIGN", (7, 3), (12, -1), "CENTER"),
    ]
    style += [("SPAN", (c, 0), (c, 1)) for c in range(len(_REGISTER_COLUMNS)) if c not in (11, 12)]
    if count == 0:
        style.append(("SPAN", (0, 3), (-1, 3)))
    # Measure every row once, then hand reportlab the heights: otherwise each page split
    # re-measures all remaining rows (quadratic: 500 rows took 4x longer).
    probe = Table(data, colWidths=widths, repeatRows=3)
    probe.setStyle(_layout.table_style(style))
    probe.wrap(width, 1e9)
    heights = list(probe._rowHeights)
    room = spec.size[1] - spec.top - spec.bottom - sum(heights[:3]) - 6
    if max(heights[3:]) <= room:
        table = LongTable(data, colWidths=widths, rowHeights=heights, repeatRows=3)
    else:  # a row taller than a page (absurd data): let reportlab split inside it, slowly
        table = LongTable(data, colWidths=widths, repeatRows=3, splitInRow=1)
    table.setStyle(_layout.table_style(style))
    story += [CondPageBreak(30 * mm), table]
    return _layout.build_pdf(
        spec, story, title=title, subject=f"{short_date(date_from)}–{short_date(date_to)}", always_number=True
    )


# ----------------------------------------------------------------------------------------------
# Generic entry point
# ----------------------------------------------------------------------------------------------

_RENDERERS: dict[FormKind, Callable[..., bytes]] = {
    FormKind.RECEIPT: render_receipt,
    FormKind.SUPPLEMENT_REQUEST: render_supplement_request,
    FormKind.REFUSAL: render_refusal,
    FormKind.APOLOGY: render_apology,
    FormKind.CONTROL_SLIP: render_control_slip,
    FormKind.REGISTER: render_register,
    FormKind.STOP_NOTICE: render_stop_notice,
}


def render_form(kind: FormKind | str, *args: Any, **kwargs: Any) -> bytes:
    """Render any form by kind: ``render_form("01", dossier, agency)``,
    ``render_form(FormKind.REGISTER, rows, agency, date_from, date_to)``.

    Arguments are those of the specific ``render_*`` function.
    """
    return _RENDERERS[FormKind(kind)](*args, **kwargs)
