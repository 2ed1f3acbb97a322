"""Dossier lifecycle with the national portal's codes (DVCQG ``TrangThaiHoSo``, DOMAIN §4).

The transition table is explicit so every path a dossier can take is visible in one place, and an
illegal change (returning a result that was never produced, reopening a refused dossier) is refused
with a message the officer understands.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum

from counter_app.errors import IllegalTransition


class Status(IntEnum):
    """TrangThaiHoSo codes."""

    REGISTERED = 1          # Mới đăng ký (filed online, not yet received)
    RECEIVED = 2            # Được tiếp nhận
    REFUSED = 3             # Không được tiếp nhận
    PROCESSING = 4          # Đang xử lý
    SUPPLEMENT = 5          # Yêu cầu bổ sung giấy tờ
    FINANCIAL = 6           # Yêu cầu thực hiện nghĩa vụ tài chính
    WITHDRAWN = 7           # Công dân yêu cầu rút hồ sơ
    STOPPED = 8             # Dừng xử lý
    DONE = 9                # Đã xử lý xong
    RETURNED = 10           # Đã trả kết quả

    @property
    def label(self) -> str:
        """Vietnamese label as the portal writes it."""
        return STATUS_LABELS[self]


STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: "Mới đăng ký",
    Status.RECEIVED: "Được tiếp nhận",
    Status.REFUSED: "Không được tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    Status.FINANCIAL: "Yêu cầu thực hiện nghĩa vụ tài chính",
    Status.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    Status.STOPPED: "Dừng xử lý",
    Status.DONE: "Đã xử lý xong",
    Status.RETURNED: "Đã trả kết quả",
}

S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    # An online filing is received, refused, sent back for supplements, or withdrawn.
    S.REGISTERED: frozenset({S.RECEIVED, S.REFUSED, S.SUPPLEMENT, S.WITHDRAWN}),
    # Counter-level procedures (chứng thực) can be finished straight after reception.
    S.RECEIVED: frozenset({S.PROCESSING, S.SUPPLEMENT, S.FINANCIAL, S.WITHDRAWN, S.STOPPED, S.DONE}),
    S.PROCESSING: frozenset({S.SUPPLEMENT, S.FINANCIAL, S.WITHDRAWN, S.STOPPED, S.DONE}),
    # Supplement received: back to processing (or to reception when asked before acceptance).
    S.SUPPLEMENT: frozenset({S.RECEIVED, S.PROCESSING, S.REFUSED, S.WITHDRAWN, S.STOPPED}),
    S.FINANCIAL: frozenset({S.PROCESSING, S.DONE, S.WITHDRAWN, S.STOPPED}),
    S.STOPPED: frozenset({S.PROCESSING}),
    S.DONE: frozenset({S.RETURNED}),
    S.REFUSED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.RETURNED: frozenset(),
}

OPEN_STATUSES: frozenset[Status] = frozenset({S.RECEIVED, S.PROCESSING, S.SUPPLEMENT, S.FINANCIAL})
"""Statuses in which the deadline runs (or is paused, for 5) — used for overdue checks."""


def check_transition(current: int, target: int) -> Status:
    """Return ``Status(target)`` if ``current → target`` is allowed, else raise IllegalTransition."""
    try:
        cur, tgt = Status(current), Status(target)
    except ValueError as exc:
        raise IllegalTransition(f"Mã trạng thái không hợp lệ: {current} → {target}.") from exc
    if tgt not in TRANSITIONS[cur]:
        allowed = ", ".join(f"{s.value} {s.label}" for s in sorted(TRANSITIONS[cur])) or "không có"
        raise IllegalTransition(
            f"Không thể chuyển hồ sơ từ «{cur.label}» sang «{tgt.label}».",
            hint=f"Từ trạng thái này chỉ chuyển được sang: {allowed}.",
        )
    return tgt


class Channel(IntEnum):
    """KenhThucHien."""

    DIRECT = 1   # trực tiếp
    ONLINE = 2   # trực tuyến
    POST = 3     # bưu chính công ích


class SubjectType(IntEnum):
    """LoaiDoiTuong."""

    CITIZEN = 1        # công dân
    ENTERPRISE = 2     # doanh nghiệp
    STATE_AGENCY = 3   # cơ quan nhà nước
    OTHER_ORG = 4      # tổ chức khác


class ReturnMethod(IntEnum):
    """HinhThuc (result return)."""

    COUNTER = 0
    POST = 1


CHANNEL_LABELS = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
SUBJECT_LABELS = {1: "Công dân", 2: "Doanh nghiệp", 3: "Cơ quan nhà nước", 4: "Tổ chức khác"}
RETURN_LABELS = {0: "Tại Bộ phận Một cửa", 1: "Qua dịch vụ bưu chính"}

# Regulation profiles (DOMAIN §1): chosen by reception date, overridable in settings.
PROFILE_2018 = "nd61_2018"
PROFILE_2025 = "nd118_2025"
PROFILE_2025_START = date(2025, 7, 1)
PROFILE_LABELS = {
    PROFILE_2018: "Nghị định 61/2018/NĐ-CP, Thông tư 01/2018/TT-VPCP",
    PROFILE_2025: "Nghị định 118/2025/NĐ-CP, Thông tư 03/2025/TT-VPCP",
}


def regulation_profile(received_on: date, override: str | None = None) -> str:
    """The rule set in force on ``received_on`` (NĐ 118/2025 replaced NĐ 61/2018 on 1/7/2025)."""
    if override:
        if override not in PROFILE_LABELS:
            raise ValueError(f"unknown regulation profile {override!r}")
        return override
    return PROFILE_2025 if received_on >= PROFILE_2025_START else PROFILE_2018
