"""The monthly report (báo cáo tháng): an A4 PDF in Vietnamese with charts, and its CSV rows.

Counters report reception, processing and digitisation results monthly, before the 15th (DOMAIN §7).
The report month is the calendar month or, per province (setting ``report_period`` =
``"statutory"``), the statutory period of Nghị định 09/2019/NĐ-CP Điều 12: the 15th of the previous
month to the 14th (:func:`counter_app.reports.indicators.period_range`).
Three steps so the GUI never blocks: :func:`collect` reads the database (on the database worker),
:func:`render_pdf` / :func:`render_csv` are pure functions of the collected data (run in the thread
pool), :func:`save` writes both under ``documents/reports/`` of the data directory.

Charts are reportlab graphics (vector, Liberation Serif embedded like the text).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table

from counter_app.atomicio import atomic_write_bytes
from counter_app.db import audit
from counter_app.db.calendar_store import load_calendar
from counter_app.db.database import CounterDB
from counter_app.db.settings import AgencySettings
from counter_app.documents import _fonts
from counter_app.documents._layout import PageSpec, build_pdf, national_header, signature_block, styles_for, table_style
from counter_app.documents._text import clean, vn_date
from counter_app.reports import indicators as ind
from counter_app.reports.ward import WardView, counter_label, scope_rows, ward_view
from counter_app.vnformat import number, percent

__all__ = ["CSV_COLUMNS", "ReportData", "collect", "csv_cell", "mark_exported", "render_csv", "render_pdf",
           "report_paths", "save"]

# Nghị định 30/2020 margins for A4: left 30–35 mm, right 15–20 mm, top/bottom 20–25 mm.
A4_REPORT = PageSpec(A4, 30 * mm, 15 * mm, 20 * mm, 20 * mm, body_size=11, header_size=11)
CHANNEL_NAMES = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
CHANNEL_COLORS = {1: colors.HexColor("#2f5d8a"), 2: colors.HexColor("#2e8b57"), 3: colors.HexColor("#c77c00")}
SERIES_COLORS = [colors.HexColor("#2f5d8a"), colors.HexColor("#2e8b57"), colors.HexColor("#b3261e")]
BAND_TINTS = {"full": "#e3f2e7", "close": "#fdf0d9", "low": "#f9e0de", "none": "#f0f0f0"}
# Provinces set yearly online-filing targets per level (DOMAIN §7: 20% for communes in the reports
# seen); the setting ``online_target_percent`` overrides it. It is the province's target, not the
# QĐ 766 full-score threshold (≥ 50%) the indicator table shows: the text names both (issue #16).
DEFAULT_ONLINE_TARGET = 20.0
# Setting: "calendar" (default) or "statutory" (Nghị định 09/2019/NĐ-CP Điều 12), chosen per province.
PERIOD_SETTING = "report_period"

CSV_COLUMNS = (
    ("code", "Mã hồ sơ"), ("procedure_code", "Mã thủ tục"), ("procedure_name", "Tên thủ tục"),
    ("channel", "Kênh nộp"), ("status", "Trạng thái"), ("received_at", "Ngày tiếp nhận"),
    ("due_at", "Ngày hẹn trả"), ("new_due_at", "Ngày hẹn lại"), ("finished_at", "Ngày có kết quả"),
    ("paused_days", "Ngày chờ bổ sung"), ("in_received", "Tiếp nhận trong tháng"),
    ("in_finished", "Giải quyết xong trong tháng"), ("on_time", "Đúng hạn"), ("paper", "Hồ sơ giấy"),
    ("to_digitise", "Thành phần phải số hóa"), ("digitised_components", "Thành phần đã số hóa"),
    ("digitised", "Đã số hóa đủ"), ("reused", "Tái sử dụng"), ("result_file", "Có kết quả điện tử"),
    ("complaint", "Có phản ánh"), ("officer", "Cán bộ tiếp nhận"), ("counter", "Quầy tiếp nhận"),
)


@dataclass
class ReportData:
    """Everything the report prints (plain data: picklable, renderable on any thread)."""

    year: int
    month: int
    agency_name: str
    parent_name: str
    place_name: str
    created: date
    figures: ind.MonthFigures
    trend: list[ind.MonthFigures]
    procedures: list[ind.ProcedureRow]
    backlog_end: ind.Backlog
    online_target: float
    officers: dict[int, str] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: Audit-chain head when the report was made (``#id:hash``): printed, so the paper on file is
    #: an anchor a rewritten or cut audit log no longer matches (issue #15 item 4).
    audit_anchor: str = ""
    #: "calendar" or "statutory" (15th of the previous month to the 14th, NĐ 09/2019 Điều 12).
    period: str = "calendar"
    #: The ward per counter with each counter's «as of» time (issue #19); None on a lone counter.
    ward: WardView | None = None

    @property
    def period_text(self) -> str:
        """"tháng 10 năm 2026" plus the dates when the period is the statutory one."""
        text = f"tháng {self.month:02d} năm {self.year}"
        if self.period == "statutory":
            start, nxt = ind.period_range(self.year, self.month, self.period)
            last = nxt - timedelta(days=1)
            text += f" (từ ngày {start:%d/%m/%Y} đến ngày {last:%d/%m/%Y})"
        return text


def collect(cdb: CounterDB, year: int, month: int, *, today: date | None = None,
            cache: ind.FactsCache | None = None, with_rows: bool = True, now: datetime | None = None) -> ReportData:
    """Read the month's figures and rows (run on the database worker).

    Sections 1–4 are this counter's (replicas of other counters hold no components or scans);
    when other counters' data is here, the ward table covers every counter with its «as of»
    time (``now``: the moment the report is made; defaults to the end of ``today`` or now) and
    the CSV rows cover the whole ward.
    """
    today = today or date.today()
    if now is None:
        now = generated_at() if today >= date.today() else datetime.combine(today, datetime.max.time()).replace(
            microsecond=0)
    cal = load_calendar(cdb)
    period = cdb.get_setting(PERIOD_SETTING) or "calendar"
    if period not in ind.PERIODS:
        period = "calendar"
    f = (cache or ind.FactsCache.for_db(cdb)).update(cdb)
    own = scope_rows(f, "")
    trend = ind.series(f, ind.months_back(year, month, 12), period=period, rows=own)
    names = {r["code"]: r["name"] for r in cdb.query("SELECT code, name FROM procedures")}
    _start, nxt = ind.period_range(year, month, period)
    month_end = (nxt - timedelta(days=1)).date()
    backlog_end = ind.backlog(f, cal, min(month_end, today), received_before=nxt.date(), digitised_by=nxt.date())
    officers = {int(r["id"]): r["full_name"] for r in cdb.query("SELECT id, full_name FROM users")}
    rows = _rows(cdb, f, year, month, officers, period) if with_rows else []
    agency = AgencySettings.load(cdb)
    soon_end = datetime.combine(cal.add_working_days(now.date(), 2) + timedelta(days=1), datetime.min.time())
    ward = ward_view(cdb, f, year, month, now, soon_end, own_backlog=backlog_end.total, own_reviews=None,
                     period=period)
    return ReportData(
        year=year, month=month, agency_name=agency.agency_name,
        parent_name=agency.parent_name, place_name=agency.place_name,
        created=today, figures=trend[-1], trend=trend,
        procedures=ind.procedure_breakdown(f, year, month, names, period=period, rows=own),
        backlog_end=backlog_end, online_target=float(cdb.get_setting("online_target_percent", DEFAULT_ONLINE_TARGET)),
        officers=officers, rows=rows, audit_anchor=audit.anchor_text(*audit.head(cdb)), period=period,
        ward=ward if ward.has_replicas else None)


def _rows(cdb: CounterDB, f: ind.Facts, year: int, month: int, officers: dict[int, str],
          period: str = "calendar") -> list[dict[str, Any]]:
    """The dossiers behind the figures: received or finished in the month, with their flags."""
    import numpy as np

    from counter_app.domain.lifecycle import STATUS_LABELS, Status

    k = ind.month_key(year, month)
    c = f.cols
    finished = f.derived("finished")
    recv_m = f.derived("recv_stat") if period == "statutory" else c["recv_month"]
    fin_m = f.derived("fin_stat") if period == "statutory" else c["fin_month"]
    sel = f.valid & ((recv_m == k) | (finished & (fin_m == k)))
    pos = np.nonzero(sel)[0]
    out: list[dict[str, Any]] = []
    ids = c["id"][pos].tolist()
    base: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        for rec in cdb.query(
                "SELECT d.id, d.code, d.procedure_code, p.name AS procedure_name, d.channel, d.status, d.received_at, "
                "d.due_at, d.new_due_at, d.finished_at, d.paused_days FROM dossiers d "
                "LEFT JOIN procedures p ON p.code = d.procedure_code "
                f"WHERE d.id IN ({','.join('?' * len(chunk))})", chunk):
            base[int(rec["id"])] = rec
    yes = {True: "Có", False: "Không"}
    for p, did in zip(pos.tolist(), ids, strict=True):
        r = base.get(did)
        if r is None:
            continue
        in_fin = bool(finished[p] and fin_m[p] == k)
        owner = f.counters[int(c["owner"][p])]
        # Another counter's dossier (a replica): its components, scans and officer stay there.
        paper = int(c["channel"][p]) != 2 and not owner
        out.append({
            **r,
            "channel": CHANNEL_NAMES.get(int(r["channel"]), str(r["channel"])),
            "status": STATUS_LABELS.get(Status(int(r["status"])), str(r["status"])),
            "in_received": yes[bool(recv_m[p] == k)], "in_finished": yes[in_fin],
            "on_time": yes[bool(c["on_time"][p])] if in_fin else "",
            "paper": yes[paper], "to_digitise": int(c["n_req"][p]) if paper else "",
            "digitised_components": int(c["n_done"][p]) if paper else "",
            "digitised": yes[bool(c["n_done"][p] >= c["n_req"][p])] if paper else "",
            "reused": yes[bool(c["reuse"][p])], "result_file": yes[bool(c["result"][p])],
            "complaint": yes[bool(c["complaint"][p])], "officer": officers.get(int(c["officer"][p]), ""),
            "counter": counter_label(owner) if owner else "Quầy này",
        })
        if owner:
            out[-1].update({"paper": yes[int(c["channel"][p]) != 2], "reused": "", "result_file": "",
                            "complaint": "", "officer": ""})
    return out


# --- CSV ---------------------------------------------------------------------------------------

def render_csv(data: ReportData) -> bytes:
    """The underlying rows as CSV: UTF-8 with BOM (Excel opens Vietnamese text correctly), one
    header row in Vietnamese."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([label for _k, label in CSV_COLUMNS])
    for r in data.rows:
        w.writerow([csv_cell(r.get(k)) for k, _l in CSV_COLUMNS])
    return "\ufeff".encode() + buf.getvalue().encode("utf-8")


#: OWASP "CSV Injection": a cell starting with one of these is read as a formula by Excel/Calc.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value safe to write into a CSV cell (issue #15, item 7).

    Text that starts like a formula gets a leading ``'`` (the OWASP rule), so a procedure name from
    the provincial catalogue or an officer's name such as ``=HYPERLINK(…)`` stays text when the
    file is opened in a spreadsheet. Numbers are left as numbers (``-5`` is not a formula).
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


# --- PDF ---------------------------------------------------------------------------------------

def _pct(v: float | None) -> str:
    return percent(v)


def _target(v: float) -> str:
    """A target as the text and the table both print it: ``50%``, ``20,5%``."""
    return f"{v:g}%".replace(".", ",")


def _n(v: int) -> str:
    return number(v)


def _line_chart(trend: list[ind.MonthFigures], width: float) -> Drawing:
    """On-time, online and digitisation rates over 12 months, with the online target line."""
    h = 62 * mm
    d = _drawing(width, h)
    lp = LinePlot()
    lp.x, lp.y, lp.width, lp.height = 28, 34, width - 40, h - 52
    keys = [("on_time", "Đúng hạn"), ("online", "Trực tuyến"), ("digitisation", "Số hóa")]
    data = []
    for key, _label in keys:
        pts = [(i, t.rate(key)) for i, t in enumerate(trend)]
        data.append([(x, y) for x, y in pts if y is not None] or [(0, 0)])
    lp.data = data
    for i, col in enumerate(SERIES_COLORS):
        lp.lines[i].strokeColor = col
        lp.lines[i].strokeWidth = 1.6
    lp.joinedLines = 1
    lp.xValueAxis.valueMin, lp.xValueAxis.valueMax = -0.5, len(trend) - 0.5
    lp.xValueAxis.valueSteps = list(range(len(trend)))
    lp.xValueAxis.labelTextFormat = lambda v: trend[round(v)].label if 0 <= round(v) < len(trend) else ""
    lp.xValueAxis.labels.fontName = _fonts.REGULAR
    lp.xValueAxis.labels.fontSize = 7
    lp.yValueAxis.valueMin, lp.yValueAxis.valueMax, lp.yValueAxis.valueStep = 0, 100, 20
    lp.yValueAxis.labelTextFormat = "%d%%"
    lp.yValueAxis.labels.fontName = _fonts.REGULAR
    lp.yValueAxis.labels.fontSize = 7
    lp.yValueAxis.visibleGrid = 1
    lp.yValueAxis.gridStrokeColor = colors.HexColor("#dddddd")
    d.add(lp)
    legend = Legend()
    legend.x, legend.y = 30, 10
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.fontName = _fonts.REGULAR
    legend.fontSize = 8
    legend.dx = legend.dy = 8
    legend.deltax = 90
    legend.colorNamePairs = [(SERIES_COLORS[i], label) for i, (_k, label) in enumerate(keys)]
    d.add(legend)
    return d


def _pie(fig: ind.MonthFigures, size: float) -> Drawing:
    d = _drawing(size * 2.1, size + 10)
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 6, 6, size - 6, size - 6
    chans = [ch for ch in (1, 2, 3) if fig.by_channel.get(ch)]
    pie.data = [fig.by_channel[ch] for ch in chans] or [1]
    pie.labels = None
    pie.slices.strokeColor = colors.white
    for i, ch in enumerate(chans):
        pie.slices[i].fillColor = CHANNEL_COLORS[ch]
    if not chans:
        pie.slices[0].fillColor = colors.HexColor("#dddddd")
    d.add(pie)
    legend = Legend()
    legend.x, legend.y = size + 8, size * 0.75
    legend.alignment = "right"
    legend.fontName = _fonts.REGULAR
    legend.fontSize = 8.5
    legend.dx = legend.dy = 8
    total = max(fig.received, 1)
    legend.colorNamePairs = [(CHANNEL_COLORS[ch], f"{CHANNEL_NAMES[ch]}: {_n(fig.by_channel.get(ch, 0))} "
                              f"({_pct(100 * fig.by_channel.get(ch, 0) / total)})") for ch in (1, 2, 3)]
    d.add(legend)
    return d


def _count_axis(axis: Any, top: float) -> None:
    """Whole-number ticks for a count axis: reportlab picks 0.2 steps for small counts, and an
    integer label format then printed «0 0 0 0 0 1» along the axis."""
    step = max(1, math.ceil(top / 5))
    axis.valueMin = 0
    axis.valueStep = step
    axis.valueMax = step * max(1, math.ceil(top / step))
    axis.labelTextFormat = lambda v: _n(round(v))


def _backlog_bars(b: ind.Backlog, width: float) -> Drawing:
    h = 45 * mm
    d = _drawing(width, h)
    bc = VerticalBarChart()
    bc.x, bc.y, bc.width, bc.height = 40, 20, width - 60, h - 30
    bc.data = [b.by_age]
    bc.bars[0].fillColor = colors.HexColor("#b3261e")
    bc.categoryAxis.categoryNames = [label for label, _lo, _hi in ind.AGE_BUCKETS]
    bc.categoryAxis.labels.fontName = _fonts.REGULAR
    bc.categoryAxis.labels.fontSize = 8
    bc.valueAxis.labels.fontName = _fonts.REGULAR
    bc.valueAxis.labels.fontSize = 7
    _count_axis(bc.valueAxis, max(b.by_age, default=0))
    bc.barLabelFormat = lambda v: _n(int(v))
    bc.barLabels.fontName = _fonts.REGULAR
    bc.barLabels.fontSize = 8
    bc.barLabels.nudge = 6
    d.add(bc)
    return d


def _procedure_bars(rows: list[ind.ProcedureRow], width: float) -> Drawing:
    top = rows[:8]
    h = (14 + 11 * max(len(top), 1)) * mm / 2.2 + 34
    d = _drawing(width, h)
    bc = HorizontalBarChart()
    label_w = 150
    bc.x, bc.y, bc.width, bc.height = label_w, 10, width - label_w - 30, h - 30
    bc.data = [[r.paper for r in reversed(top)] or [0], [r.by_channel.get(2, 0) for r in reversed(top)] or [0]]
    bc.bars[0].fillColor = CHANNEL_COLORS[1]
    bc.bars[1].fillColor = CHANNEL_COLORS[2]
    bc.categoryAxis.categoryNames = [_short(r.name, 38) for r in reversed(top)] or [""]
    bc.categoryAxis.labels.fontName = _fonts.REGULAR
    bc.categoryAxis.labels.fontSize = 7
    bc.categoryAxis.labels.boxAnchor = "e"
    bc.valueAxis.labels.fontName = _fonts.REGULAR
    bc.valueAxis.labels.fontSize = 7
    _count_axis(bc.valueAxis, max((a + b for a, b in zip(*bc.data, strict=True)), default=0))
    bc.categoryAxis.style = "stacked"
    d.add(bc)
    legend = Legend()
    legend.x, legend.y = label_w, h - 2
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 110
    legend.fontName = _fonts.REGULAR
    legend.fontSize = 8
    legend.dx = legend.dy = 7
    legend.colorNamePairs = [(CHANNEL_COLORS[1], "Hồ sơ giấy"), (CHANNEL_COLORS[2], "Trực tuyến")]
    d.add(legend)
    return d


def _drawing(width: float, height: float) -> Drawing:
    """A Drawing whose renderer starts in Liberation Serif (else each page lists Helvetica, a font
    that is not embedded)."""
    d = Drawing(width, height)
    d.initialFontName = _fonts.REGULAR
    return d


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _title_line(text: str, width: float) -> Drawing:
    d = _drawing(width, 14)
    d.add(String(0, 3, text, fontName=_fonts.BOLD, fontSize=10.5))
    d.add(Line(0, 0, width, 0, strokeColor=colors.HexColor("#999999"), strokeWidth=0.4))
    return d


def render_pdf(data: ReportData) -> bytes:
    """The A4 report (Vietnamese, Liberation Serif embedded, vector charts)."""
    spec = A4_REPORT
    st = styles_for(spec)
    w = spec.content_width
    fig = data.figures
    story: list[Flowable] = [
        national_header(spec, qr_payload=None, parent_name=clean(data.parent_name).upper(),
                        agency_name=clean(data.agency_name).upper(), number_line="Số: ……/BC",
                        date_line=f"{clean(data.place_name) or '……'}, {vn_date(data.created)}"),
        Spacer(1, 6 * mm),
        Paragraph("BÁO CÁO", st.title),
        Paragraph(f"<b>Kết quả tiếp nhận, giải quyết và số hóa hồ sơ thủ tục hành chính<br/>"
                  f"{data.period_text}</b>", st.center_bold),
        Spacer(1, 5 * mm),
        *([Paragraph("<i>Mục 1–4 là số liệu của quầy lập báo cáo; số liệu của từng quầy và toàn phường ở mục 5, "
                     "kèm thời điểm dữ liệu của mỗi quầy được tính đến.</i>", st.small_italic), Spacer(1, 2 * mm)]
          if data.ward is not None else []),
        Paragraph("<b>1. Tình hình tiếp nhận hồ sơ</b>", st.body_left),
        Paragraph(
            f"{'Trong kỳ báo cáo' if data.period == 'statutory' else 'Trong tháng'}, bộ phận tiếp nhận "
            f"<b>{_n(fig.received)}</b> hồ sơ: trực tiếp {_n(fig.by_channel[1])}, "
            f"trực tuyến {_n(fig.by_channel[2])}, qua bưu chính công ích {_n(fig.by_channel[3])}. "
            f"Tỷ lệ hồ sơ trực tuyến đạt <b>{_pct(fig.rate('online'))}</b>; chỉ tiêu năm do UBND tỉnh giao cho "
            f"cấp xã là {_target(data.online_target)}"
            + (" — <b>đạt chỉ tiêu</b>" if (fig.rate("online") or 0) >= data.online_target
               else " — <b>chưa đạt chỉ tiêu</b>")
            + f"; mức điểm tối đa của chỉ số theo Quyết định 766/QĐ-TTg là ≥ "
              f"{_target(ind.INDICATOR_BY_KEY['online'].target)} (mục 2).", st.body),
        Spacer(1, 2 * mm),
        _pie(fig, 34 * mm),
        Spacer(1, 3 * mm),
        Paragraph("<b>2. Các chỉ số theo Quyết định 766/QĐ-TTg</b>", st.body_left),
        Spacer(1, 1.5 * mm),
        _indicator_table(data, w),
        Spacer(1, 1.5 * mm),
        Paragraph("<i>Thời gian chờ công dân bổ sung hồ sơ không tính vào thời hạn giải quyết; văn bản xin lỗi, "
                  "hẹn lại không làm hồ sơ trễ hạn thành đúng hạn. Tỷ lệ số hóa tính trên tổng hồ sơ tiếp nhận: hồ "
                  "sơ trực tuyến đã ở dạng điện tử, hồ sơ giấy (nộp trực tiếp, qua bưu chính công ích) tính khi mọi "
                  "thành phần đã số hóa; giấy tờ chỉ xuất trình và trường hợp miễn số hóa theo Thông tư "
                  "03/2025/TT-VPCP không tính. Thanh toán trực tuyến tính trên hồ sơ có phí, lệ phí phải nộp.</i>",
                  st.small_italic),
        Spacer(1, 3 * mm),
        KeepTogether([_title_line("Biểu đồ 1. Diễn biến 12 tháng: đúng hạn, trực tuyến, số hóa (%)", w),
                      _line_chart(data.trend, w)]),
        PageBreak(),
        Paragraph("<b>3. Kết quả theo thủ tục hành chính</b>", st.body_left),
        Spacer(1, 1.5 * mm),
        _procedure_table(data, w),
        Spacer(1, 3 * mm),
        KeepTogether([_title_line("Biểu đồ 2. Thủ tục nhiều hồ sơ nhất: hồ sơ giấy và trực tuyến", w),
                      _procedure_bars(data.procedures, w)]),
        Spacer(1, 3 * mm),
    ]
    b = data.backlog_end
    story += [
        KeepTogether([
            Paragraph("<b>4. Hồ sơ giấy chưa số hóa xong tại thời điểm cuối tháng</b>", st.body_left),
            Paragraph(f"Còn <b>{_n(b.total)}</b> hồ sơ ({_n(b.components)} thành phần) chưa số hóa xong, theo số ngày "
                      "làm việc kể từ ngày tiếp nhận:", st.body),
            _backlog_bars(b, w),
        ]),
        Spacer(1, 3 * mm),
        *(_ward_section(data, w) if data.ward is not None else []),
        # The signatures never stand alone on the last page: they keep the proposals with them.
        KeepTogether([
            Paragraph(f"<b>{6 if data.ward is not None else 5}. Đề xuất, kiến nghị</b>", st.body_left),
            Paragraph("……………………………………………………………………………………………………………", st.body),
            Paragraph("……………………………………………………………………………………………………………", st.body),
            *([Paragraph(f"<font size='7'>Mốc nhật ký kiểm tra: {data.audit_anchor}</font>", st.body_left)]
              if data.audit_anchor else []),
            signature_block(spec, [("NGƯỜI LẬP BÁO CÁO", "(Ký và ghi rõ họ tên)", ""),
                                   ("THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)", "")], space=20 * mm),
        ]),
    ]
    return build_pdf(spec, story, title=f"Báo cáo tháng {data.month:02d}/{data.year}",
                     subject="Kết quả tiếp nhận, giải quyết và số hóa hồ sơ", always_number=True)


def _ward_section(data: ReportData, width: float) -> list[Flowable]:
    """Section 5: every counter of the ward, the ward's total, and which counters' data is stale."""
    st = styles_for(A4_REPORT)
    v = data.ward
    assert v is not None
    heads = ("Quầy", "Dữ liệu tính đến", "Tiếp nhận", "Trực tuyến", "Đã xong", "Đúng hạn", "Đang giải quyết",
             "Quá hạn", "Tồn số hóa cuối tháng")
    rows: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in heads]]
    stale_rows = []
    for i, r in enumerate([*v.rows, v.total], start=1):
        f = r.figures
        c = r.counter
        as_of = c.as_of_text(v.now) if c is not None else (f"{len(v.stale)} quầy dữ liệu cũ" if v.stale else "")
        if c is not None and c.stale:
            as_of = f"<font color='#b3261e'><b>{as_of}</b> (cũ)</font>"
            stale_rows.append(i)
        label = clean(r.label) if c is not None else f"<b>{clean(r.label)}</b>"
        rows.append([Paragraph(label, st.cell), Paragraph(as_of, st.cell_center), _n(f.received), _n(f.online),
                     _n(f.finished), _pct(f.rate("on_time")), _n(r.open), _n(r.overdue),
                     "—" if r.backlog is None else _n(r.backlog)])
    # As on the page, how fresh a line is stands next to the counter's name.
    fr = [0.15, 0.21, 0.09, 0.09, 0.08, 0.09, 0.10, 0.08, 0.11]
    t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
    t.setStyle(table_style([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("FONTSIZE", (0, 1), (-1, -1), 9),
        ("ALIGN", (1, 1), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, -1), (-1, -1), _fonts.BOLD),
        *[("BACKGROUND", (0, i), (-1, i), colors.HexColor("#fbeceb")) for i in stale_rows],
    ]))
    out: list[Flowable] = [
        Paragraph("<b>5. Số liệu toàn phường theo quầy</b>", st.body_left),
        Paragraph("Hồ sơ của các quầy khác lấy từ hệ thống một cửa của tỉnh; mỗi quầy ghi thời điểm dữ liệu được "
                  "tính đến. Tồn số hóa chỉ quầy tiếp nhận có số liệu («—»: không có số liệu, không phải 0).",
                  st.body),
        Spacer(1, 1.5 * mm),
        t,
    ]
    if v.stale:
        out += [Spacer(1, 1.5 * mm),
                *[Paragraph(f"<font color='#b3261e'>– {clean(text)}.</font>", st.body_left) for text in v.notices]]
    out.append(Spacer(1, 3 * mm))
    return out


def _indicator_table(data: ReportData, width: float) -> Table:
    st = styles_for(A4_REPORT)
    fig = data.figures
    counts = {
        "on_time": f"{_n(fig.on_time)}/{_n(fig.finished)}",
        "online": f"{_n(fig.online)}/{_n(fig.received)}",
        "online_payment": f"{_n(fig.paid_online)}/{_n(fig.pay_due)}",
        "digitisation": f"{_n(fig.digitised_all)}/{_n(fig.received)} (giấy {_n(fig.digitised)}/{_n(fig.paper)})",
        "electronic_results": f"{_n(fig.result_files)}/{_n(fig.finished)}",
        "reuse": f"{_n(fig.reused)}/{_n(fig.received)}",
        "satisfaction": f"trễ {_n(fig.late)}, phản ánh {_n(fig.complaints)}"
                        + (f"; đánh giá TB {fig.rating_avg:.1f}/5".replace(".", ",") if fig.rating_avg else ""),
    }
    head = [Paragraph(t, st.cell_head) for t in ("Chỉ số", "Số hồ sơ", "Tỷ lệ", "Mức điểm tối đa", "Đánh giá")]
    rows: list[list[Any]] = [head]
    band_colors = []
    for i, d in enumerate(ind.INDICATORS, start=1):
        v = fig.rate(d.key)
        band = ind.band_for(v, d.target)
        rows.append([Paragraph(d.label, st.cell), Paragraph(counts[d.key], st.cell_center),
                     Paragraph(f"<b>{_pct(v)}</b>", st.cell_center),
                     Paragraph(f"≥ {_target(d.target)}", st.cell_center),
                     Paragraph(f"<font color='{band.color}'><b>{band.label}</b></font>", st.cell_center)])
        band_colors.append(("BACKGROUND", (4, i), (4, i), colors.HexColor(BAND_TINTS[band.name])))
    t = Table(rows, colWidths=[width * 0.30, width * 0.22, width * 0.12, width * 0.16, width * 0.20], repeatRows=1)
    t.setStyle(table_style([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *band_colors,
    ]))
    return t


def _procedure_table(data: ReportData, width: float) -> Table:
    st = styles_for(A4_REPORT)
    heads = ("TT", "Thủ tục", "Tiếp nhận", "Trực tiếp", "Trực tuyến", "Bưu chính", "Đã số hóa / hồ sơ giấy",
             "Xong / đúng hạn")
    rows: list[list[Any]] = [[Paragraph(h, st.cell_head) for h in heads]]
    shown = data.procedures[:15]
    for i, r in enumerate(shown, start=1):
        rate = f" ({_pct(100 * r.digitised / r.paper)})" if r.paper else ""
        rows.append([str(i), Paragraph(clean(r.name), st.cell), _n(r.received), _n(r.by_channel[1]),
                     _n(r.by_channel[2]), _n(r.by_channel[3]), Paragraph(f"{_n(r.digitised)}/{_n(r.paper)}{rate}",
                                                                          st.cell_center),
                     f"{_n(r.finished)} / {_n(r.on_time)}"])
    rest = data.procedures[15:]
    if rest:
        rows.append(["", Paragraph(f"<i>{len(rest)} thủ tục khác</i>", st.cell),
                     _n(sum(r.received for r in rest)), _n(sum(r.by_channel[1] for r in rest)),
                     _n(sum(r.by_channel[2] for r in rest)), _n(sum(r.by_channel[3] for r in rest)),
                     f"{_n(sum(r.digitised for r in rest))}/{_n(sum(r.paper for r in rest))}",
                     f"{_n(sum(r.finished for r in rest))} / {_n(sum(r.on_time for r in rest))}"])
    fig = data.figures
    rows.append(["", Paragraph("<b>Tổng cộng</b>", st.cell), _n(fig.received), _n(fig.by_channel[1]),
                 _n(fig.by_channel[2]), _n(fig.by_channel[3]), f"{_n(fig.digitised)}/{_n(fig.paper)}",
                 f"{_n(fig.finished)} / {_n(fig.on_time)}"])
    fr = [0.06, 0.33, 0.085, 0.085, 0.085, 0.085, 0.16, 0.11]
    t = Table(rows, colWidths=[width * x for x in fr], repeatRows=1)
    t.setStyle(table_style([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("FONTSIZE", (0, 1), (-1, -1), 9),
        ("ALIGN", (2, 1), (-1, -1), "CENTER"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, -1), (-1, -1), _fonts.BOLD),
    ]))
    return t


# --- files -------------------------------------------------------------------------------------

def report_paths(data_root: Path, year: int, month: int) -> tuple[Path, Path]:
    """Where the month's PDF and CSV go: ``documents/reports/bao-cao-thang-YYYY-MM.{pdf,csv}``."""
    base = data_root / "documents" / "reports" / f"bao-cao-thang-{year:04d}-{month:02d}"
    return base.with_suffix(".pdf"), base.with_suffix(".csv")


def save(data_root: Path, data: ReportData, pdf: bytes | None = None, csv_bytes: bytes | None = None
         ) -> tuple[Path | None, Path | None]:
    """Write the rendered files atomically; return their paths (None for what was not given)."""
    pdf_path, csv_path = report_paths(data_root, data.year, data.month)
    if pdf is not None:
        atomic_write_bytes(pdf_path, pdf)
    if csv_bytes is not None:
        atomic_write_bytes(csv_path, csv_bytes)
    return (pdf_path if pdf is not None else None), (csv_path if csv_bytes is not None else None)


def mark_exported(cdb: CounterDB, year: int, month: int) -> None:
    """Remember that the month's report was produced (the 1st–15th reminder stops)."""
    done = set(ind.exported_reports(cdb))
    done.add(f"{year:04d}-{month:02d}")
    cdb.set_setting("reports_exported", sorted(done))


def generated_at() -> datetime:
    """Now, for file names and the report date (a seam for tests)."""
    return datetime.now().replace(microsecond=0)
