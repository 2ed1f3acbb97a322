"""View models the printed forms are rendered from.

The app maps its database rows onto these frozen dataclasses; the renderers never see the
database. All text is normalised (NFC, control characters removed) at render time, so callers
may pass what they have.

Glossary: hồ sơ = dossier; mã hồ sơ = dossier code; thành phần hồ sơ = component;
hẹn trả = appointment (due) date; cơ quan chủ trì = lead unit; Sổ theo dõi hồ sơ = register.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class FormKind(StrEnum):
    """The printed forms. The values are stable internal identifiers (stored in print records);
    the number a form carries depends on the circular — :func:`profiles.form_number` (the 2025 set
    numbers the stop notice 05, the control slip 06 and the register 07)."""

    RECEIPT = "01"  # Giấy tiếp nhận hồ sơ và hẹn trả kết quả
    SUPPLEMENT_REQUEST = "02"  # Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ
    REFUSAL = "03"  # Phiếu từ chối tiếp nhận giải quyết hồ sơ
    APOLOGY = "04"  # Phiếu xin lỗi… (2018) / Văn bản xin lỗi và đề nghị gia hạn… (2025)
    CONTROL_SLIP = "05"  # Phiếu kiểm soát quá trình giải quyết hồ sơ
    REGISTER = "06"  # Sổ theo dõi hồ sơ
    STOP_NOTICE = "TB"  # Thông báo dừng giải quyết hồ sơ (Thông tư 03/2025 only)


class ComponentStatus(StrEnum):
    """What happened to one component at the counter."""

    RECEIVED = "received"  # nộp, kept in the dossier
    MISSING = "missing"  # chưa có / cần bổ sung
    SHOWN = "shown"  # xuất trình để đối chiếu, not kept (never digitised, TT 03/2025 Đ5)


class ReturnMethod(StrEnum):
    """Where the applicant collects the result (DVCQG HinhThuc 0 / 1)."""

    COUNTER = "counter"
    POST = "post"


class HandoverResult(StrEnum):
    """Outcome column of form 05."""

    EARLY = "truoc_han"
    ON_TIME = "dung_han"
    LATE = "qua_han"


@dataclass(frozen=True)
class Agency:
    """The issuing agency as printed in the header and in running text.

    ``parent_name`` and ``name`` are printed upper-case in the header (Nghị định 30/2020);
    ``unit_name`` is the same unit in sentence case for running text ("Trung tâm Phục vụ hành
    chính công phường Ba Đình"); left empty, a generic name for the profile is used.
    """

    name: str  # e.g. "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    parent_name: str  # cơ quan chủ quản, e.g. "UBND PHƯỜNG BA ĐÌNH"
    code: str  # mã định danh điện tử, e.g. "H15.50.05.13"
    place_name: str  # for "Ba Đình, ngày … tháng … năm …"
    system_name: str  # issuing information system, printed and carried in the QR
    unit_name: str = ""
    phone: str = ""  # contact line of form 02
    # Who signs 04 and the stop notice (Nghị định 30/2020 Điều 13 and Phụ lục I, signer block): the head's
    # title ("GIÁM ĐỐC", "CHỦ TỊCH"), with an authority prefix when someone signs for the head or
    # for a collective ("KT." + the signer's own title "PHÓ GIÁM ĐỐC"; "TM. ỦY BAN NHÂN DÂN";
    # "TL.", "TUQ."), and the signer's full name under the signature.
    head_title: str = ""  # empty = not configured: "THỦ TRƯỞNG CƠ QUAN" and a blank name line
    head_name: str = ""  # the signer's full name
    signer_authority: str = ""  # "" (the head signs) | "KT." | "TM." | "TL." | "TUQ." | "Q."
    signer_title: str = ""  # the signer's own title under KT./TL./TUQ. ("PHÓ GIÁM ĐỐC")


@dataclass(frozen=True)
class Applicant:
    """The person or organisation filing the dossier (chủ hồ sơ)."""

    full_name: str
    id_number: str = ""  # số định danh cá nhân / CCCD / mã số thuế; goes into the QR
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ComponentLine:
    """One component of the dossier as checked at the counter."""

    name: str
    originals: int = 0  # bản chính
    copies: int = 0  # bản sao
    status: ComponentStatus | str = ComponentStatus.RECEIVED
    note: str = ""  # for 02: what must be supplemented or corrected


@dataclass(frozen=True)
class FeeLine:
    """A fee (phí) or charge (lệ phí) printed on the 2025 receipt.

    ``amount`` None = not known (a fee the provincial council sets that nobody entered, or a
    per-page fee without its page count): the receipt prints a blank to fill in, never "0 đồng".
    """

    name: str
    amount: int | None  # VND charged
    kind: str = ""  # "phi" | "le_phi" (informational)
    set_by_province: bool = False  # printed "mức thu theo Nghị quyết của HĐND tỉnh" when unknown
    detail: str = ""  # how it was charged, e.g. "05 trang × 02 bản"


@dataclass(frozen=True)
class HandoverRow:
    """One hand-over of the paper dossier between units (form 05)."""

    from_unit: str
    to_unit: str
    at: dt.datetime | None = None
    giver: str = ""
    receiver: str = ""
    result: HandoverResult | str = ""
    note: str = ""


@dataclass(frozen=True)
class FormDossier:
    """Everything forms 01–05 and the stop notice print about one dossier.

    ``profile`` empty means "choose by ``received_at``" (:func:`profile_for`). ``due_at`` is the
    appointment date (required for the receipt). ``reason`` is the reason printed on 02, 03, 04
    and the stop notice; ``new_due_at`` the new appointment of 04.
    """

    code: str
    procedure_code: str
    procedure_name: str
    applicant: Applicant
    received_at: dt.datetime
    due_at: dt.datetime | None = None
    components: tuple[ComponentLine, ...] = ()
    quantity_sets: int = 1
    processing_text: str = ""  # as announced, e.g. "05 ngày làm việc"; wins over processing_days
    processing_days: float | None = None
    return_method: ReturnMethod | str = ReturnMethod.COUNTER
    return_address: str = ""  # postal return; empty = applicant's address
    fees: tuple[FeeLine, ...] = ()
    register_book: str = ""  # Quyển số
    register_seq: str = ""  # Số thứ tự
    officer_name: str = ""
    profile: str = ""
    reason: str = ""
    new_due_at: dt.datetime | None = None
    document_number: str = ""  # số văn bản of 02/03/04/stop notice; empty = blank to fill in
    lead_unit: str = ""  # cơ quan chủ trì giải quyết (since 2025 may differ from the receiver)
    coordinating_units: tuple[str, ...] = ()
    handovers: tuple[HandoverRow, ...] = ()


@dataclass(frozen=True)
class RegisterRow:
    """One line of the register (Mẫu 06, Sổ theo dõi hồ sơ)."""

    code: str
    procedure_name: str
    applicant_name: str
    received_at: dt.datetime
    due_at: dt.datetime | None = None
    quantity_sets: int = 1
    address: str = ""
    phone: str = ""
    lead_unit: str = ""
    transferred_at: dt.datetime | None = None  # chuyển hồ sơ đến cơ quan giải quyết
    result_received_at: dt.datetime | None = None  # nhận kết quả từ cơ quan giải quyết
    returned_at: dt.datetime | None = None  # trả kết quả cho cá nhân, tổ chức
    note: str = ""
