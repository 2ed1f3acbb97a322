"""Guidance sessions («Hướng dẫn nộp trực tuyến») and the counter's online-filing figures.

One row of ``guidance_sessions`` (migration 0003) per citizen guided at the counter. A session
that ends with the citizen filing online *now* also creates the dossier (channel 2 = trực tuyến,
DOMAIN §4, with the portal's code) through :func:`counter_app.db.dossiers.receive`, in the same
transaction, so it counts in the counter's figures and syncs like any other dossier; its components
can be digitised at the counter and are then reusable for the citizen's next dossier (they are
found by :func:`counter_app.db.dossiers.find_citizen` like every scan).

Figures follow the national portal's practice (DOMAIN §7, Quyết định 766/QĐ-TTg): online rate =
dossiers received through channel 2 / all dossiers received, counting dossiers that were accepted
(have a code) with a reception time in the period.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from counter_app import vnformat
from counter_app.db import privacy
from counter_app.db.catalogue import load_procedure
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import (
    ApplicantInput,
    ComponentInput,
    DueCalculator,
    ReceptionInput,
    receive,
    ts,
)
from counter_app.db.setup import verify_password
from counter_app.domain.lifecycle import Channel
from counter_app.domain.online import (
    DEFAULT_PORTAL_URL_TEMPLATE,
    DEFAULT_TARGET_PERCENT,
    OUTCOMES,
    REASON_LABELS,
    REASON_SHORT,
    REASONS,
    online_needed_for_target,
    validate_portal_code,
    validate_url_template,
)
from counter_app.errors import ValidationError
from counter_app.textnorm import nfc

log = logging.getLogger(__name__)

SETTING_URL_TEMPLATE = "portal_url_template"
SETTING_TARGET = "online_target_percent"


@dataclass
class SessionInput:
    """What the guidance dialog collects."""

    procedure_code: str
    outcome: str                                  # filed_online | later | paper
    applicant: ApplicantInput | None = None       # name required when filed online
    officer_id: int | None = None
    portal_code: str | None = None                # required when filed online
    reason_code: str | None = None                # required when paper (see domain.online.REASONS)
    reason_text: str = ""                         # required when reason_code == "other"
    override_by: int | None = None                # supervisor allowing paper for an online-only procedure
    override_reason: str = ""
    components: list[ComponentInput] | None = None  # of the online dossier; default: pre-marked
    at: datetime | None = None
    # When the citizen submitted on the portal (the portal's confirmation); it becomes the
    # dossier's NgayNopHoSo (issue #16 row 12). None: the session time — filed during the guidance.
    submitted_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionResult:
    """What :func:`record_session` stored."""

    session_id: int
    outcome: str
    dossier_id: int | None = None
    dossier_code: str | None = None
    portal_code: str | None = None


# ------------------------------------------------------------------------------------- settings
def url_template(cdb: CounterDB) -> str:
    """The portal URL template (setting ``portal_url_template``), falling back to the default if bad."""
    raw = cdb.get_setting(SETTING_URL_TEMPLATE) or DEFAULT_PORTAL_URL_TEMPLATE
    try:
        return validate_url_template(str(raw))
    except ValidationError:
        log.warning("setting %s is invalid; using the default", SETTING_URL_TEMPLATE)
        return DEFAULT_PORTAL_URL_TEMPLATE


def set_url_template(cdb: CounterDB, template: str) -> str:
    """Validate and store the portal URL template; return what was stored."""
    clean = validate_url_template(template)
    cdb.set_setting(SETTING_URL_TEMPLATE, clean)
    return clean


def target_percent(cdb: CounterDB) -> float:
    """The yearly online-filing target in percent (setting ``online_target_percent``, default 20)."""
    raw = cdb.get_setting(SETTING_TARGET)
    try:
        value = float(raw) if raw is not None else DEFAULT_TARGET_PERCENT
    except (TypeError, ValueError):
        return DEFAULT_TARGET_PERCENT
    return value if 0 <= value <= 100 else DEFAULT_TARGET_PERCENT


def set_target_percent(cdb: CounterDB, value: float) -> None:
    """Store the yearly target (0–100)."""
    v = float(value)
    if not 0 <= v <= 100:
        raise ValidationError("Chỉ tiêu tỷ lệ hồ sơ trực tuyến phải từ 0 đến 100 (%).")
    cdb.set_setting(SETTING_TARGET, v)


# ------------------------------------------------------------------------------------- sessions
def verify_supervisor(cdb: CounterDB, username: str, password: str) -> int:
    """The id of an active supervisor/admin whose password matches, or a clear error.

    Used when a supervisor comes to the counter to allow paper for an online-only procedure.
    """
    row = cdb.query_one(
        "SELECT id, role, password_hash, active FROM users WHERE username = ?", (nfc(username or ""),))
    if row is None or not row["active"] or not verify_password(password or "", row["password_hash"]):
        raise ValidationError(
            "Sai tên đăng nhập hoặc mật khẩu của lãnh đạo/giám sát.",
            hint="Lãnh đạo hoặc người giám sát tự nhập tài khoản của mình để cho phép nhận hồ sơ giấy.")
    if row["role"] not in ("supervisor", "admin"):
        raise ValidationError(
            "Tài khoản này không có quyền cho phép nhận hồ sơ giấy với thủ tục chỉ tiếp nhận trực tuyến.",
            hint="Cần tài khoản lãnh đạo/giám sát.")
    return int(row["id"])


def override_allows_paper(cdb: CounterDB, override: dict[str, Any] | None, procedure_code: str) -> bool:
    """Whether ``override`` (``{"session_id": …}`` from the reception page) is a recorded supervisor
    override for this online-only procedure — what :func:`counter_app.db.dossiers.receive` needs to
    accept its paper dossier (``ReceptionInput.extra["online_only_override"]``)."""
    if not override or not override.get("session_id"):
        return False
    return bool(cdb.scalar(
        "SELECT 1 FROM guidance_sessions WHERE id = ? AND procedure_code = ? AND outcome = 'paper' "
        "AND override_by IS NOT NULL", (int(override["session_id"]), procedure_code)))


def _default_components(cdb: CounterDB, procedure_code: str) -> list[ComponentInput]:
    """Components of an online filing: required uploads received, shown-only shown, optional ones
    («nếu có») given no row — as reception does (domain.inputs.component_states): an optional paper
    is not "missing", so it is never printed as "chưa nộp" nor asked for on Mẫu 02."""
    rows = cdb.query(
        "SELECT code, required, show_only FROM procedure_components WHERE procedure_code = ? ORDER BY position",
        (procedure_code,))
    return [ComponentInput(r["code"], "shown" if r["show_only"] else "received")
            for r in rows if r["required"]]


def record_session(
    cdb: CounterDB,
    data: SessionInput,
    calendar: DueCalculator | None = None,
    *,
    now: datetime | None = None,
    slot: int | None = None,
) -> SessionResult:
    """Store one guidance session, in one transaction (with the online dossier when filed now).

    * ``filed_online``: needs the portal's dossier code and the applicant's name; creates the
      dossier with channel 2, decision accept, components pre-marked (or as given), and links it.
      A portal code already recorded is refused (the same filing must not count twice).
    * ``later``: nothing else needed.
    * ``paper``: needs a reason (``other`` needs its text). For an online-only procedure it also
      needs ``override_by`` (a supervisor, see :func:`verify_supervisor`) and ``override_reason``.
    """
    now = (now or datetime.now()).replace(microsecond=0)
    at = (data.at or now).replace(microsecond=0)
    if data.outcome not in OUTCOMES:
        raise ValueError(f"unknown guidance outcome {data.outcome!r}")
    applicant = data.applicant or ApplicantInput(full_name="")
    name = nfc(applicant.full_name)
    portal_code: str | None = None
    reason_code: str | None = None
    reason_text = nfc(data.reason_text)
    override_by: int | None = None
    override_reason = ""
    with cdb.write():
        proc = load_procedure(cdb, data.procedure_code)
        if data.outcome == "filed_online":
            if proc.online_level == "khong" and not proc.online_only:
                raise ValidationError(
                    f"Thủ tục «{proc.name}» chưa được cung cấp trực tuyến nên không thể ghi nhận nộp trực tuyến.",
                    hint="Chọn «Vẫn nộp giấy» với lý do «Thủ tục chưa trực tuyến toàn trình».")
            portal_code = validate_portal_code(data.portal_code or "")
            if not name:
                raise ValidationError("Chưa nhập họ tên công dân đã nộp hồ sơ trực tuyến.",
                                      hint="Quét mã QR trên CCCD hoặc gõ họ tên.")
            if data.submitted_at is not None and data.submitted_at.replace(microsecond=0) > at:
                raise ValidationError(
                    f"Thời điểm nộp trên Cổng ({vnformat.datetime_vn(data.submitted_at)}) sau thời điểm ghi nhận "
                    f"({vnformat.datetime_vn(at)}).",
                    hint="Xem lại ngày giờ nộp trên màn hình xác nhận của Cổng dịch vụ công.")
            dup = cdb.query_one("SELECT code FROM dossiers WHERE portal_code = ?", (portal_code,))
            if dup:
                raise ValidationError(
                    f"Mã hồ sơ trên Cổng {portal_code} đã được ghi nhận (hồ sơ {dup['code'] or 'chưa có mã'}).",
                    hint="Kiểm tra lại mã trên màn hình Cổng dịch vụ công.")
        elif data.outcome == "paper":
            reason_code = data.reason_code
            if reason_code not in REASONS:
                raise ValidationError("Chưa chọn lý do công dân vẫn nộp hồ sơ giấy.",
                                      hint="Chọn một lý do trong danh sách.")
            if reason_code == "other" and not reason_text:
                raise ValidationError("Chọn «Lý do khác» thì cần ghi rõ lý do.")
            if reason_code == "not_fully_online" and proc.online_level == "toan_trinh":
                raise ValidationError(
                    f"Thủ tục «{proc.name}» đã trực tuyến toàn trình.",
                    hint="Chọn lý do khác đúng với trường hợp của công dân.")
            if proc.online_only:
                if data.override_by is None:
                    raise ValidationError(
                        f"Thủ tục «{proc.name}» chỉ tiếp nhận trực tuyến: không nhận hồ sơ giấy.",
                        hint="Hướng dẫn công dân nộp trực tuyến; chỉ lãnh đạo/giám sát mới cho phép ngoại lệ.")
                role = cdb.scalar("SELECT role FROM users WHERE id = ? AND active = 1", (data.override_by,))
                if role not in ("supervisor", "admin"):
                    raise ValidationError("Người cho phép ngoại lệ phải là lãnh đạo/giám sát.")
                override_reason = nfc(data.override_reason)
                if not override_reason:
                    raise ValidationError("Cần ghi lý do lãnh đạo cho phép nhận hồ sơ giấy.")
                override_by = int(data.override_by)
        citizen_id = None
        idn = nfc(applicant.id_number)
        if idn:
            # Through the blind index when the directory is encrypted (the number itself is sealed).
            clause, params = privacy.id_lookup_clause(cdb, "id_number", idn)
            citizen_id = cdb.scalar(
                f"SELECT id FROM citizens WHERE {clause} ORDER BY id_bidx IS NULL, id LIMIT 1", params)
        dossier_id = dossier_code = None
        if data.outcome == "filed_online":
            res = receive(
                cdb,
                ReceptionInput(
                    procedure_code=data.procedure_code,
                    applicant=applicant,
                    components=data.components if data.components is not None
                    else _default_components(cdb, data.procedure_code),
                    decision="accept",
                    channel=Channel.ONLINE,
                    portal_code=portal_code,
                    officer_id=data.officer_id,
                    received_at=at,
                    submitted_at=data.submitted_at or at,
                    summary=proc.name,
                ),
                calendar or _calendar(cdb),
                now=now,
                slot=slot,
            )
            dossier_id, dossier_code = res.dossier_id, res.code
            citizen_id = cdb.scalar("SELECT citizen_id FROM dossiers WHERE id = ?", (dossier_id,))
        cur = cdb.conn.execute(
            """INSERT INTO guidance_sessions(at, officer_id, citizen_id, applicant_name, procedure_code, outcome,
                   portal_code, reason_code, reason_text, dossier_id, override_by, override_reason)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
            (ts(at), data.officer_id, citizen_id, name, data.procedure_code, data.outcome, portal_code,
             reason_code, reason_text if data.outcome == "paper" else "", dossier_id, override_by, override_reason),
        )
        session_id = int(cur.lastrowid or 0)
    log.info("guidance session %d: %s %s", session_id, data.procedure_code, data.outcome)
    return SessionResult(session_id, data.outcome, dossier_id, dossier_code, portal_code)


def _calendar(cdb: CounterDB) -> DueCalculator:
    from counter_app.db.calendar_store import load_calendar

    return load_calendar(cdb)  # type: ignore[no-any-return]


def recent_sessions(cdb: CounterDB, limit: int = 50) -> list[dict[str, Any]]:
    """Latest sessions with procedure name, officer and dossier code (supervisor's view)."""
    return cdb.query(
        """SELECT g.*, p.name AS procedure_name, u.full_name AS officer_name, s.full_name AS override_name,
                  d.code AS dossier_code
           FROM guidance_sessions g
           LEFT JOIN procedures p ON p.code = g.procedure_code
           LEFT JOIN users u ON u.id = g.officer_id
           LEFT JOIN users s ON s.id = g.override_by
           LEFT JOIN dossiers d ON d.id = g.dossier_id
           ORDER BY g.at DESC, g.id DESC LIMIT ?""",
        (int(limit),))


# -------------------------------------------------------------------------------------- figures
@dataclass(frozen=True)
class Share:
    """Online dossiers among all received in a period."""

    online: int
    received: int

    @property
    def percent(self) -> float | None:
        """Share in percent, or None when nothing was received."""
        return 100.0 * self.online / self.received if self.received else None


@dataclass(frozen=True)
class OnlineFigures:
    """The counter's online-filing figures for one month."""

    month: date                    # first day of the month
    share: Share                   # this month
    year_share: Share              # 1 January up to the end of this month
    target_percent: float          # yearly target from settings
    needed: int                    # more online dossiers this month to reach the target (-1: unreachable)
    sessions: int                  # guidance sessions this month
    filed_online: int              # … of which ended in an online filing at the counter
    later: int                     # … will file online later
    paper: int                     # … chose paper
    overrides: int                 # … paper for an online-only procedure, allowed by a supervisor
    top_reasons: tuple[tuple[str, str, int], ...]  # (reason code, label, count), most common first

    @property
    def conversion_percent(self) -> float | None:
        """Sessions that ended in an online filing now, in percent of sessions."""
        return 100.0 * self.filed_online / self.sessions if self.sessions else None


def month_start(day: date) -> date:
    """First day of ``day``'s month."""
    return date(day.year, day.month, 1)


def _next_month(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def _share(cdb: CounterDB, start: date, end: date) -> Share:
    # Counted per channel on the covering index dossiers_channel_received (no row look-ups: a year
    # of a busy counter, ~200k rows, takes ~25 ms instead of ~350 ms), minus the few dossiers never
    # accepted (no code), found through the code index.
    params = (start.isoformat(), end.isoformat())
    total = {r["channel"]: int(r["n"]) for r in cdb.query(
        "SELECT channel, count(*) AS n FROM dossiers WHERE channel IN (1, 2, 3) "
        "AND received_at >= ? AND received_at < ? GROUP BY channel", params)}
    no_code = {r["channel"]: int(r["n"]) for r in cdb.query(
        "SELECT channel, count(*) AS n FROM dossiers WHERE code IS NULL "
        "AND received_at >= ? AND received_at < ? GROUP BY channel", params)}
    online = int(Channel.ONLINE)
    return Share(online=total.get(online, 0) - no_code.get(online, 0),
                 received=sum(total.values()) - sum(no_code.values()))


def online_share(cdb: CounterDB, month: date) -> Share:
    """Channel-2 dossiers / all dossiers received (with a code) in ``month`` (any day of it)."""
    first = month_start(month)
    return _share(cdb, first, _next_month(first))


def figures(cdb: CounterDB, month: date | None = None, *, top: int = 3) -> OnlineFigures:
    """All online-filing figures of a month (default: the current one)."""
    first = month_start(month or date.today())
    end = _next_month(first)
    share = _share(cdb, first, end)
    year = _share(cdb, date(first.year, 1, 1), end)
    target = target_percent(cdb)
    counts = {r["outcome"]: int(r["n"]) for r in cdb.query(
        "SELECT outcome, count(*) AS n FROM guidance_sessions WHERE at >= ? AND at < ? GROUP BY outcome",
        (first.isoformat(), end.isoformat()))}
    overrides = int(cdb.scalar(
        "SELECT count(*) FROM guidance_sessions WHERE at >= ? AND at < ? AND override_by IS NOT NULL",
        (first.isoformat(), end.isoformat())))
    order = {code: i for i, code in enumerate(REASONS)}
    reasons = [(r["reason_code"], int(r["n"])) for r in cdb.query(
        "SELECT reason_code, count(*) AS n FROM guidance_sessions "
        "WHERE at >= ? AND at < ? AND outcome = 'paper' AND reason_code IS NOT NULL GROUP BY reason_code",
        (first.isoformat(), end.isoformat()))]
    reasons.sort(key=lambda rc: (-rc[1], order.get(rc[0], len(order))))
    return OnlineFigures(
        month=first,
        share=share,
        year_share=year,
        target_percent=target,
        needed=online_needed_for_target(share.online, share.received, target),
        sessions=sum(counts.values()),
        filed_online=counts.get("filed_online", 0),
        later=counts.get("later", 0),
        paper=counts.get("paper", 0),
        overrides=overrides,
        top_reasons=tuple((c, REASON_LABELS.get(c, c), n) for c, n in reasons[:top]),
    )


def percent_text(value: float | None) -> str:
    """``11,4%`` (decimal comma), ``—`` when undefined."""
    return vnformat.percent(value)


def target_text(value: float) -> str:
    """``20%`` for a whole target, ``22,5%`` otherwise."""
    return vnformat.number(value) + "%"


def figures_line(f: OnlineFigures) -> str:
    """The officer's one line: share vs target, gap, sessions, most common paper reason."""
    p = f.share.percent
    target = f"chỉ tiêu {target_text(f.target_percent)}"
    if f.needed > 0:
        target += f", cần thêm {f.needed} hồ sơ"
    elif f.share.received and f.needed == 0:
        target += " — đã đạt"
    parts = [f"Nộp trực tuyến tháng {f.month.month}/{f.month.year}: {percent_text(p)} "
             f"({f.share.online}/{f.share.received})", target,
             f"hướng dẫn {f.sessions} lượt, {f.filed_online} nộp trực tuyến"]
    if f.top_reasons:
        code, _label, n = f.top_reasons[0]
        parts.append(f"nộp giấy chủ yếu vì: {REASON_SHORT.get(code, code)} ({n})")
    return " · ".join(parts)
