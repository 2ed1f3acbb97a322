"""Online filing at the counter: availability, step-by-step guidance, reasons for staying on paper.

Glossary (the Vietnamese words are the meaning):

* online level = mức độ cung cấp dịch vụ công trực tuyến: ``toan_trinh`` (toàn trình — filed,
  paid and returned online), ``mot_phan`` (một phần — some steps still at the counter), ``khong``
  (not offered online);
* online-only = thủ tục chỉ tiếp nhận trực tuyến: the counter may not receive it on paper;
* guidance session = một lượt hướng dẫn nộp trực tuyến tại quầy; its outcome is ``filed_online``
  (đã nộp trực tuyến ngay tại quầy, with the portal's dossier code), ``later`` (sẽ tự nộp trực tuyến
  sau) or ``paper`` (vẫn nộp hồ sơ giấy, with a reason);
* portal = Cổng Dịch vụ công (quốc gia or provincial); its page for a procedure is built from a URL
  template setting ``portal_url_template`` containing ``{code}``.

Why: provinces are scored on the share of dossiers filed online (Quyết định 766/QĐ-TTg; commune
target 20% while reports show ~11%). Press reports and volunteers' experience agree that *showing*
the citizen once — not filing for them — is what turns paper visitors into online filers.

Everything here is pure (no database, no Qt): the db and UI layers feed it procedure data and
settings, and the guide sheet renderer prints what :func:`build_guide` returns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from counter_app import vnformat
from counter_app.domain.catalogue import Procedure, procedure_from_dict
from counter_app.errors import ValidationError
from counter_app.textnorm import nfc

__all__ = [
    "DEFAULT_PORTAL_URL_TEMPLATE",
    "DEFAULT_TARGET_PERCENT",
    "LEVEL_LABELS",
    "LEVEL_SHORT",
    "OUTCOMES",
    "OUTCOME_LABELS",
    "REASONS",
    "REASON_LABELS",
    "REASON_SHORT",
    "Availability",
    "FileToPrepare",
    "Guide",
    "availability",
    "build_guide",
    "guidance_allowed",
    "guidance_offered_first",
    "online_needed_for_target",
    "portal_url",
    "validate_portal_code",
    "validate_url_template",
]

# Setting ``portal_url_template``: the national portal's procedure page. Provinces whose citizens
# file on the provincial portal set their own template (Cài đặt); ``{code}`` is the procedure code.
DEFAULT_PORTAL_URL_TEMPLATE = (
    "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc={code}"
)
# Setting ``online_target_percent``: the yearly online-filing target. Provinces set it per level;
# the reports in the seeds show 55% province, 40% district, 20% commune — a commune counter is
# the default user, so 20.
DEFAULT_TARGET_PERCENT = 20.0

LEVEL_LABELS: dict[str, str] = {
    "toan_trinh": "Trực tuyến toàn trình",
    "mot_phan": "Trực tuyến một phần",
    "khong": "Chưa cung cấp trực tuyến",
}
LEVEL_SHORT: dict[str, str] = {"toan_trinh": "toàn trình", "mot_phan": "một phần", "khong": "không"}

OUTCOMES: tuple[str, ...] = ("filed_online", "later", "paper")
OUTCOME_LABELS: dict[str, str] = {
    "filed_online": "Đã nộp trực tuyến tại quầy",
    "later": "Sẽ nộp trực tuyến sau",
    "paper": "Vẫn nộp hồ sơ giấy",
}

# Why a citizen stayed on paper — the codes match the guidance_sessions.reason_code column.
REASONS: tuple[str, ...] = ("no_eid", "no_smartphone", "not_fully_online", "other")
REASON_LABELS: dict[str, str] = {
    "no_eid": "Chưa có tài khoản định danh điện tử mức độ 2 (VNeID)",
    "no_smartphone": "Không có điện thoại thông minh",
    "not_fully_online": "Thủ tục chưa trực tuyến toàn trình",
    "other": "Lý do khác",
}

# Short forms for the officer's one-line figures.
REASON_SHORT: dict[str, str] = {
    "no_eid": "chưa có tài khoản VNeID mức 2",
    "no_smartphone": "không có điện thoại thông minh",
    "not_fully_online": "thủ tục chưa toàn trình",
    "other": "lý do khác",
}

# A portal dossier code: letters, digits and . - _ / (e.g. "G22.99-250115-0001",
# "H15.50.05.13-261008-0975"), with at least one digit. Kept loose: portals differ.
_PORTAL_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_/]{3,59}$")
MAX_TEMPLATE_CHARS = 300


@dataclass(frozen=True)
class Availability:
    """What the officer sees at a glance when a procedure is chosen."""

    level: str  # toan_trinh | mot_phan | khong
    online_only: bool
    paper_fee: int  # VND, sum of fees for a paper filing
    online_fee: int  # VND, sum of fees when filed online
    set_by_province: bool  # at least one fee is set by the provincial council (amount is typical)

    @property
    def saved(self) -> int:
        """VND the citizen saves by filing online (never negative)."""
        return max(self.paper_fee - self.online_fee, 0)

    @property
    def label(self) -> str:
        """``Trực tuyến toàn trình`` …"""
        return LEVEL_LABELS.get(self.level, self.level)

    @property
    def can_file_online(self) -> bool:
        """Whether the citizen can submit this procedure on the portal at all."""
        return self.level in ("toan_trinh", "mot_phan") or self.online_only

    def summary(self) -> str:
        """One plain line: level · fee saved · online-only."""
        parts = [self.label]
        if self.saved:
            parts.append(f"nộp trực tuyến tiết kiệm {money(self.saved)}")
        elif self.paper_fee == 0 and self.online_fee == 0 and not self.set_by_province:
            parts.append("không thu phí, lệ phí")
        if self.online_only:
            parts.append("CHỈ TIẾP NHẬN TRỰC TUYẾN")
        return " · ".join(parts)


@dataclass(frozen=True)
class FileToPrepare:
    """A component the citizen uploads (scan or photo) when filing online."""

    code: str
    name: str
    required: bool
    note: str = ""


@dataclass(frozen=True)
class Guide:
    """Step-by-step guidance for one procedure, as shown on screen and printed on the A5 sheet."""

    procedure_code: str
    procedure_name: str
    availability: Availability
    url: str
    steps: tuple[str, ...]
    files: tuple[FileToPrepare, ...]
    shown: tuple[str, ...]  # papers only shown at the counter: online, identity comes from VNeID
    agency_name: str = ""

    @property
    def level_label(self) -> str:
        """Vietnamese label of the online level."""
        return self.availability.label


def money(amount: int) -> str:
    """``8.000 đồng`` (:func:`counter_app.vnformat.money`)."""
    return vnformat.money(int(amount))


def _procedure(p: Procedure | Mapping[str, Any]) -> Procedure:
    return p if isinstance(p, Procedure) else procedure_from_dict(p)


def availability(p: Procedure | Mapping[str, Any]) -> Availability:
    """Online level, fees for paper and online filing, online-only flag of a procedure."""
    proc = _procedure(p)
    # A fee nobody has entered (set by the province, issue #16) counts as unknown, never as 0 đồng:
    # it adds nothing here and ``set_by_province`` keeps "không thu phí" from being said.
    paper = sum(f.amount_for(False) or 0 for f in proc.fees)
    online = sum(f.amount_for(True) or 0 for f in proc.fees)
    return Availability(
        level=proc.online_level,
        online_only=bool(proc.online_only),
        paper_fee=paper,
        online_fee=online,
        set_by_province=any(f.set_by_province for f in proc.fees),
    )


def guidance_allowed(p: Procedure | Mapping[str, Any]) -> bool:
    """Guidance makes sense when the procedure can be submitted online (toàn trình or một phần)."""
    return availability(p).can_file_online


def guidance_offered_first(p: Procedure | Mapping[str, Any]) -> bool:
    """Offer guidance before the paper path: the procedure can be filed online in full."""
    a = availability(p)
    return a.level == "toan_trinh" or a.online_only


def validate_url_template(template: str) -> str:
    """Return the cleaned template, or raise :class:`ValidationError` saying what to fix.

    It must be an http(s) address with exactly one ``{code}`` placeholder and no other braces
    (they would be printed literally into the QR code).
    """
    t = nfc(template or "")
    hint = f"Ví dụ: {DEFAULT_PORTAL_URL_TEMPLATE}"
    if not t.startswith(("https://", "http://")):
        raise ValidationError("Địa chỉ trang thủ tục trên Cổng dịch vụ công phải bắt đầu bằng https://.", hint=hint)
    if t.count("{code}") != 1:
        raise ValidationError(
            "Địa chỉ trang thủ tục phải chứa đúng một chỗ {code} để điền mã thủ tục.", hint=hint)
    if "{" in t.replace("{code}", "") or "}" in t.replace("{code}", ""):
        raise ValidationError("Địa chỉ trang thủ tục chỉ được có dấu ngoặc nhọn ở {code}.", hint=hint)
    if any(ch.isspace() for ch in t):
        raise ValidationError("Địa chỉ trang thủ tục không được chứa khoảng trắng.", hint=hint)
    if len(t) > MAX_TEMPLATE_CHARS:
        raise ValidationError("Địa chỉ trang thủ tục quá dài để in thành mã QR.", hint=hint)
    return t


def portal_url(template: str | None, procedure_code: str) -> str:
    """The portal page of a procedure: the template with ``{code}`` replaced (URL-quoted)."""
    t = validate_url_template(template or DEFAULT_PORTAL_URL_TEMPLATE)
    return t.replace("{code}", quote(nfc(procedure_code), safe=".-_"))


def validate_portal_code(code: str) -> str:
    """The portal's dossier code as typed by the officer, cleaned, or a clear error."""
    c = nfc(code or "").replace(" ", "")
    if not c:
        raise ValidationError(
            "Chưa nhập mã hồ sơ trên Cổng dịch vụ công.",
            hint="Sau khi công dân bấm «Nộp hồ sơ», Cổng hiện mã hồ sơ — nhập mã đó vào đây.")
    if not _PORTAL_CODE_RE.match(c) or not any(ch.isdigit() for ch in c):
        raise ValidationError(
            f"Mã hồ sơ trên Cổng «{c}» không hợp lệ.",
            hint="Mã chỉ gồm chữ, số và các dấu . - _ /, ví dụ G22.99-250115-0001.")
    return c


def build_guide(
    p: Procedure | Mapping[str, Any],
    *,
    url_template: str | None = None,
    agency_name: str = "",
) -> Guide:
    """Step-by-step guidance for a procedure, built from its catalogue entry.

    Files to prepare are the components that are not only shown (``show_only``): online, the
    identity papers are replaced by the level-2 electronic identity (Đề án 06), so they are
    listed separately as "not needed". The fee step says what is paid online and what is saved.
    """
    proc = _procedure(p)
    a = availability(proc)
    url = portal_url(url_template, proc.code)
    files = tuple(FileToPrepare(c.code, c.name, c.required, c.note) for c in proc.components if not c.show_only)
    shown = tuple(c.name for c in proc.components if c.show_only)
    agency = nfc(agency_name)
    steps: list[str] = [
        "Đăng nhập Cổng Dịch vụ công bằng tài khoản định danh điện tử mức độ 2 (ứng dụng VNeID): "
        "chọn «Đăng nhập», «Tài khoản định danh điện tử», rồi quét mã hoặc nhập số định danh và mật khẩu.",
        f"Tìm thủ tục «{proc.name}» (mã {proc.code}) — hoặc quét mã QR trên phiếu này bằng điện thoại "
        "để mở thẳng trang thủ tục, rồi bấm «Nộp trực tuyến».",
        "Chọn cơ quan thực hiện"
        + (f" «{agency}»" if agency else " (nơi đăng ký)")
        + ", điền tờ khai trực tuyến; thông tin cá nhân được lấy sẵn từ Cơ sở dữ liệu quốc gia về dân cư.",
    ]
    if files:
        steps.append(f"Tải lên bản chụp rõ nét hoặc bản điện tử (PDF, JPG) của {len(files)} giấy tờ ở mục "
                     "«Giấy tờ cần chuẩn bị»; giấy tờ đã có trong kho dữ liệu số của công dân thì chọn lại, "
                     "không cần chụp.")
    else:
        steps.append("Thủ tục không yêu cầu tải lên giấy tờ: kiểm tra lại tờ khai.")
    if a.online_fee > 0:
        step = f"Thanh toán trực tuyến {money(a.online_fee)} qua Cổng (ngân hàng, ví điện tử hoặc VNeID)"
        step += f" — nộp giấy phải nộp {money(a.paper_fee)}." if a.saved else "."
        steps.append(step)
    elif a.paper_fee > 0:
        steps.append(f"Nộp trực tuyến được miễn phí, lệ phí (nộp hồ sơ giấy: {money(a.paper_fee)}).")
    else:
        steps.append("Thủ tục không thu phí, lệ phí: bỏ qua bước thanh toán.")
    follow = ("Bấm «Nộp hồ sơ», ghi lại mã hồ sơ Cổng cấp; theo dõi tiến độ ở mục «Quản lý hồ sơ» trên Cổng "
              "hoặc trong VNeID (có tin nhắn, thư điện tử báo kết quả).")
    if a.level == "mot_phan" and not a.online_only:
        follow += " Thủ tục trực tuyến một phần: mang bản chính giấy tờ đến Bộ phận Một cửa khi nhận kết quả."
    else:
        follow += " Nhận kết quả bản điện tử trên Cổng, qua bưu chính hoặc tại Bộ phận Một cửa."
    steps.append(follow)
    return Guide(
        procedure_code=proc.code,
        procedure_name=proc.name,
        availability=a,
        url=url,
        steps=tuple(steps),
        files=files,
        shown=shown,
        agency_name=agency,
    )


def online_needed_for_target(online: int, received: int, target_percent: float) -> int:
    """How many more online dossiers this period would bring the share up to the target.

    Adding ``x`` online dossiers gives ``(online + x) / (received + x)``; solving
    ``>= t`` gives ``x >= (t·received − online) / (1 − t)``. 0 when already there; -1 when a
    100% target can no longer be reached (paper dossiers were already received).
    """
    t = max(min(float(target_percent), 100.0), 0.0) / 100.0
    if t >= 1.0:
        return 0 if online >= received else -1
    gap = t * received - online
    if gap <= 0:
        return 0
    x = gap / (1.0 - t)
    n = int(x)
    return n if n >= x - 1e-9 else n + 1
