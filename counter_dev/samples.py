"""Realistic sample inputs for previews, benchmarks and tests (fictitious people and codes).

They follow the rules the app applies (issue #16 row 14): khai sinh is a same-day procedure in the
catalogue ("ngay trong ngày…", due at close of office), receptions are in office hours on working
days, and dossier codes restart their sequence every day (DOMAIN §3).
"""

from __future__ import annotations

import datetime as dt

from counter_app.documents.model import (
    Agency,
    Applicant,
    ComponentLine,
    ComponentStatus,
    FeeLine,
    FormDossier,
    HandoverResult,
    HandoverRow,
    RegisterRow,
)
from counter_app.documents.profiles import ND61_2018, ND118_2025

# Shipped catalogue, 1.001193 Đăng ký khai sinh (Luật Hộ tịch 2014 Điều 16; Nghị định 123/2015).
BIRTH_PROCESSING = ("Ngay trong ngày tiếp nhận hồ sơ; trường hợp nhận hồ sơ sau 15 giờ mà không giải quyết được "
                    "ngay thì trả kết quả trong ngày làm việc tiếp theo.")


def sample_agency(profile: str = ND118_2025) -> Agency:
    """A commune-level counter (2025: Trung tâm Phục vụ hành chính công; 2018: Bộ phận TN&TKQ)."""
    if profile == ND61_2018:
        return Agency(
            name="Bộ phận Tiếp nhận và Trả kết quả",
            parent_name="UBND phường Điện Biên",
            code="H15.50.05.13",
            place_name="Ba Đình",
            system_name="Hệ thống thông tin một cửa điện tử thành phố Hà Nội",
            unit_name="Bộ phận Tiếp nhận và Trả kết quả UBND phường Điện Biên",
            phone="024 3823 4567",
            head_title="Chủ tịch",
            head_name="Nguyễn Văn Bình",
        )
    return Agency(
        name="Trung tâm Phục vụ hành chính công",
        parent_name="UBND phường Ba Đình",
        code="H15.50.05.13",
        place_name="Ba Đình",
        system_name="Hệ thống thông tin giải quyết TTHC thành phố Hà Nội",
        unit_name="Trung tâm Phục vụ hành chính công phường Ba Đình",
        phone="024 3823 4567",
        head_title="Giám đốc",
        head_name="Trần Thị Thu Hằng",
    )


def sample_dossier(profile: str = ND118_2025) -> FormDossier:
    """A birth registration dossier with one missing and one shown-only component."""
    # Due at close of office on the reception day (same-day procedure, received before 15:00).
    if profile == ND61_2018:
        received = dt.datetime(2025, 2, 5, 8, 5)
        due = dt.datetime(2025, 2, 5, 17, 0)
        new_due = dt.datetime(2025, 2, 7, 16, 0)
        code = "H15.50.05.13-250205-0012"
        book = "02/2025"
    else:
        received = dt.datetime(2026, 10, 8, 14, 30)
        due = dt.datetime(2026, 10, 8, 17, 0)
        new_due = dt.datetime(2026, 10, 12, 16, 0)
        code = "H15.50.05.13-261008-0075"
        book = "05/2026"
    return FormDossier(
        code=code,
        procedure_code="1.001193",
        procedure_name="Thủ tục đăng ký khai sinh",
        applicant=Applicant(
            full_name="Nguyễn Thị Hồng Nhung",
            id_number="001190012345",
            address="Số 12 ngõ 34 phố Đội Cấn, phường Ba Đình, thành phố Hà Nội",
            phone="0912 345 678",
            email="nhung.nguyen@example.vn",
        ),
        received_at=received,
        due_at=due,
        components=(
            ComponentLine("Tờ khai đăng ký khai sinh (theo mẫu)", 1, 0),
            ComponentLine("Giấy chứng sinh do cơ sở y tế cấp", 1, 0),
            ComponentLine(
                "Văn bản ủy quyền theo quy định của pháp luật trong trường hợp ủy quyền thực hiện việc "
                "đăng ký khai sinh",
                0,
                1,
                ComponentStatus.MISSING,
                "Bổ sung văn bản ủy quyền có chứng thực",
            ),
            ComponentLine("Căn cước công dân của người đi đăng ký", 0, 0, ComponentStatus.SHOWN),
        ),
        processing_text=BIRTH_PROCESSING,
        fees=(
            FeeLine("Lệ phí đăng ký khai sinh", 0, "le_phi"),
            FeeLine("Phí cấp bản sao trích lục hộ tịch", 8000, "phi"),
        ),
        register_book=book,
        register_seq=code.rsplit("-", 1)[-1],
        officer_name="Lê Văn Tâm",
        profile=profile,
        reason="Văn bản ủy quyền chưa được chứng thực theo quy định.",
        new_due_at=new_due,
        lead_unit="UBND phường Ba Đình",
        coordinating_units=("Công an phường Ba Đình",),
        handovers=(
            HandoverRow(
                "Trung tâm Phục vụ hành chính công",
                "Công chức Tư pháp - Hộ tịch",
                received + dt.timedelta(minutes=35),
                "Lê Văn Tâm",
                "Phạm Thị Mai",
                HandoverResult.ON_TIME,
            ),
        ),
    )


class _SameDay:
    """Timing of the sample procedures (khai sinh, chứng thực, kết hôn in the shipped catalogue)."""

    processing_days = None
    processing_hours = 8.0
    cutoff_time = dt.time(15, 0)


_PROCEDURES = (
    "Thủ tục đăng ký khai sinh",
    "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
    "Đăng ký kết hôn",
)
_NAMES = ("Nguyễn Văn An", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc", "Phạm Thị Ánh Tuyết")


# Reception times in office hours (07:30–11:30, 13:30–17:00), several a day.
_SLOTS = (dt.time(7, 45), dt.time(8, 40), dt.time(9, 55), dt.time(11, 5), dt.time(13, 50), dt.time(15, 20))


def sample_register_rows(n: int, start: dt.datetime = dt.datetime(2026, 10, 1, 8, 0)) -> list[RegisterRow]:
    """``n`` register lines on the working days from ``start``, codes numbered from 0001 each day.

    The sample procedures are same-day ones (15:00 cut-off): due at close of office that day, or
    the next working day for a reception after 15:00 — computed by the real calendar.
    """
    from counter_app.domain.calendar import WorkCalendar

    cal = WorkCalendar.default()
    same_day = _SameDay()
    rows = []
    day = start.date() if cal.is_working_day(start.date()) else cal.next_working_day(start.date())
    seq = 0
    for i in range(n):
        if seq == len(_SLOTS):
            day, seq = cal.next_working_day(day), 0
        received = dt.datetime.combine(day, _SLOTS[seq])
        seq += 1
        rows.append(
            RegisterRow(
                code=f"H15.50.05.13-{received:%y%m%d}-{seq:04d}",
                procedure_name=_PROCEDURES[i % len(_PROCEDURES)],
                applicant_name=_NAMES[i % len(_NAMES)],
                received_at=received,
                due_at=cal.due_at(received, same_day),
                address="Số 5 phố Kim Mã, phường Ba Đình",
                phone="0987 654 321",
                lead_unit="UBND phường Ba Đình",
                transferred_at=received + dt.timedelta(minutes=20) if i % 2 else None,
                returned_at=dt.datetime.combine(cal.next_working_day(day), dt.time(8, 15)) if i % 3 == 0 else None,
            )
        )
    return rows
