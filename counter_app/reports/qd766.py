"""QĐ 766 indicators (Qt-free): definitions, score bands, the figures of a month, per procedure.

Formulas: module docstring of :mod:`counter_app.reports.indicators` and ``docs/indicators.md``.
Split from ``indicators.py`` (issue #17 item 7).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from counter_app.reports.facts import Facts
from counter_app.reports.periods import PERIODS, month_key

__all__ = ["BAND_MARGIN", "INDICATORS", "INDICATOR_BY_KEY", "Band", "IndicatorDef", "MonthFigures",
           "ProcedureRow", "band_for", "figures_by_group", "month_figures", "procedure_breakdown", "series"]

# --- indicator definitions and score bands -------------------------------------------------------

@dataclass(frozen=True)
class IndicatorDef:
    """One QĐ 766 indicator as the dashboard shows it."""

    key: str
    label: str
    formula: str       # shown on hover
    target: float      # % for the full score
    group: str         # QĐ 766 group


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef("on_time", "Giải quyết đúng hạn",
                 "Hồ sơ giải quyết xong trong tháng, trước hoặc đúng ngày hẹn trả (đã cộng thời gian chờ bổ sung) "
                 "÷ hồ sơ giải quyết xong trong tháng. Phiếu xin lỗi hẹn lại không làm hồ sơ trễ thành đúng hạn.",
                 100.0, "Tiến độ giải quyết"),
    IndicatorDef("online", "Hồ sơ trực tuyến",
                 "Hồ sơ tiếp nhận trực tuyến (kênh 2) ÷ tổng hồ sơ tiếp nhận trong tháng. Điểm tối đa khi ≥ 50%.",
                 50.0, "Dịch vụ công trực tuyến"),
    IndicatorDef("online_payment", "Thanh toán trực tuyến",
                 "Hồ sơ tiếp nhận trong tháng có phí, lệ phí phải nộp và đã thanh toán trực tuyến ÷ hồ sơ tiếp "
                 "nhận trong tháng có phí, lệ phí phải nộp.", 100.0, "Thanh toán trực tuyến"),
    IndicatorDef("digitisation", "Số hóa hồ sơ",
                 "Hồ sơ tiếp nhận trong tháng có mọi thành phần ở dạng điện tử (hồ sơ trực tuyến; hồ sơ giấy đã "
                 "số hóa đủ, trừ giấy tờ chỉ xuất trình và trường hợp miễn theo Thông tư 03/2025) ÷ tổng hồ sơ "
                 "tiếp nhận trong tháng. Điểm tối đa khi ≥ 80%.", 80.0, "Số hóa hồ sơ"),
    IndicatorDef("electronic_results", "Kết quả điện tử",
                 "Hồ sơ giải quyết xong trong tháng có tệp kết quả điện tử ÷ hồ sơ giải quyết xong trong tháng.",
                 100.0, "Số hóa hồ sơ"),
    IndicatorDef("reuse", "Tái sử dụng dữ liệu số",
                 "Hồ sơ tiếp nhận trong tháng có ít nhất một thành phần dùng lại bản số hóa đã có ÷ tổng hồ sơ "
                 "tiếp nhận trong tháng. Điểm tối đa khi ≥ 80%.", 80.0, "Số hóa hồ sơ"),
    IndicatorDef("satisfaction", "Mức độ hài lòng",
                 "100% − (tỷ lệ hồ sơ trễ hạn + tỷ lệ hồ sơ có phản ánh, kiến nghị). Tỷ lệ trễ hạn = hồ sơ xong "
                 "trễ hạn ÷ hồ sơ xong trong tháng; tỷ lệ phản ánh = hồ sơ có phản ánh ÷ hồ sơ tiếp nhận. "
                 "Điểm tối đa khi ≥ 90%.", 90.0, "Mức độ hài lòng"),
)
INDICATOR_BY_KEY = {i.key: i for i in INDICATORS}

# Band rule (ours; QĐ 766 scores each indicator in proportion to its target): full score at or
# above the target; "close" within 20 percentage points below it; "low" further below. The score
# fraction shown is min(value / target, 1).
BAND_MARGIN = 20.0


@dataclass(frozen=True)
class Band:
    """Where a value sits against its target."""

    name: str          # "full" | "close" | "low" | "none"
    label: str         # Vietnamese
    color: str         # hex, for cards and charts
    score: float       # 0..1 share of the indicator's points


def band_for(value: float | None, target: float) -> Band:
    """The score band of a percentage against its full-score target (see BAND_MARGIN)."""
    if value is None:
        return Band("none", "Chưa có số liệu", "#8a8a8a", 0.0)
    score = min(value / target, 1.0) if target > 0 else 1.0
    if value >= target:
        return Band("full", "Đạt điểm tối đa", "#1b7f3b", score)
    if value >= target - BAND_MARGIN:
        return Band("close", "Gần đạt", "#c77c00", score)
    return Band("low", "Chưa đạt", "#b3261e", score)


def _pct(num: int, den: int) -> float | None:
    return None if den <= 0 else 100.0 * num / den


# --- monthly figures ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MonthFigures:
    """Every number of one month (what the cards, the trend chart and the report show)."""

    year: int
    month: int
    received: int
    by_channel: dict[int, int]
    paper: int
    digitised: int
    finished: int
    on_time: int
    late: int
    result_files: int
    reused: int
    complaints: int
    ratings: int
    rating_sum: int
    pay_due: int = 0  # received with a fee to pay
    paid_online: int = 0  # … of which paid online
    period: str = "calendar"

    @property
    def digitised_all(self) -> int:
        """Received with every component electronic: online filings + fully digitised paper ones."""
        return self.digitised + self.online

    @property
    def label(self) -> str:
        """"MM/YYYY"."""
        return f"{self.month:02d}/{self.year}"

    @property
    def online(self) -> int:
        """Received online (channel 2)."""
        return self.by_channel.get(2, 0)

    def rate(self, key: str) -> float | None:
        """An indicator's value in % (None when its denominator is zero)."""
        if key == "on_time":
            return _pct(self.on_time, self.finished)
        if key == "online":
            return _pct(self.online, self.received)
        if key == "digitisation":
            return _pct(self.digitised_all, self.received)
        if key == "online_payment":
            return _pct(self.paid_online, self.pay_due)
        if key == "electronic_results":
            return _pct(self.result_files, self.finished)
        if key == "reuse":
            return _pct(self.reused, self.received)
        if key == "satisfaction":
            if self.finished == 0 and self.received == 0:
                return None
            overdue = (100.0 * self.late / self.finished) if self.finished else 0.0
            complaints = (100.0 * self.complaints / self.received) if self.received else 0.0
            return max(0.0, 100.0 - (overdue + complaints))
        raise KeyError(key)

    @property
    def rating_avg(self) -> float | None:
        """Average of the citizens' 1–5 ratings, where recorded."""
        return self.rating_sum / self.ratings if self.ratings else None

    def rates(self) -> dict[str, float | None]:
        """All indicator values."""
        return {i.key: self.rate(i.key) for i in INDICATORS}


def month_figures(f: Facts, year: int, month: int, *, period: str = "calendar",
                  rows: np.ndarray | None = None) -> MonthFigures:
    """The figures of one month from the facts (see the module docstring for the definitions)."""
    return series(f, [(year, month)], period=period, rows=rows)[0]


def figures_by_group(f: Facts, year: int, month: int, group: np.ndarray, groups: int, *,
                     period: str = "calendar") -> list[MonthFigures]:
    """One month's figures for each group of dossiers (``group``: a group index 0…groups-1 per fact row).

    The ward table's per-counter figures in the same single numpy pass as :func:`series`: one
    bincount per side over (group × flags) instead of one pass per counter.
    """
    return series(f, [(year, month)], period=period, by=(group, groups))


def series(f: Facts, months: Sequence[tuple[int, int]], *, period: str = "calendar",
           rows: np.ndarray | None = None, by: tuple[np.ndarray, int] | None = None) -> list[MonthFigures]:
    """Figures for several months in one numpy pass (the trend chart's data).

    ``period="statutory"``: each report month runs from the 15th of the month before to the 14th
    (Nghị định 09/2019/NĐ-CP Điều 12). ``rows``: a boolean mask over the facts restricting the
    figures to some dossiers (one counter of the ward, :mod:`counter_app.reports.ward`).
    ``by=(group, groups)`` with a single month: one result per group instead (:func:`figures_by_group`).
    """
    if not months:
        return []
    if period not in PERIODS:
        raise ValueError(f"unknown reporting period {period!r}")
    stat = period == "statutory"
    keys = [month_key(y, m) for y, m in months]
    lo, hi = min(keys), max(keys)
    n = hi - lo + 1
    if by is not None:
        if n != 1:
            raise ValueError("figures by group are for one month")
        n = max(by[1], 1)
    c = f.cols
    # One integer code per row — (month in window) × (flags) — and ONE bincount per side: at a
    # million rows, boolean masks and fancy indexing per figure cost ~15 ms each, this ~20 ms total.
    # Rows outside the window get the overflow code n * width and fall in the last, ignored bin.
    recv_m = f.derived("recv_stat" if stat else "recv_month")
    rs = f.valid & (recv_m >= lo) & (recv_m <= hi)
    if rows is not None:
        rs &= rows
    rslot = (recv_m - lo) if by is None else by[0]
    rcode = np.where(rs, rslot * 128 + f.derived("rbits"), n * 128)
    rc = np.bincount(rcode, minlength=n * 128 + 1)[: n * 128].reshape(n, 128)
    fin_m = f.derived("fin_stat" if stat else "fin_month")
    fs = f.derived("finished") & (fin_m >= lo) & (fin_m <= hi)
    if rows is not None:
        fs &= rows
    fslot = (fin_m - lo) if by is None else by[0]
    fcode = np.where(fs, fslot * 8 + f.derived("fbits"), n * 8)
    fc = np.bincount(fcode, minlength=n * 8 + 1)[: n * 8].reshape(n, 8)
    rated = fs & (c["rating"] > 0)
    rating_sum = np.bincount(fslot[rated], weights=c["rating"][rated].astype(np.float64), minlength=n)
    bits = np.arange(128)
    ch_of = bits & 3

    def rsum(sel: np.ndarray) -> np.ndarray:
        return rc[:, sel].sum(axis=1)

    received = rc.sum(axis=1)
    channels = {k: rsum(ch_of == k) for k in (1, 2, 3)}
    paper_n = rsum(ch_of != 2)
    digitised = rsum((ch_of != 2) & (bits & 4 > 0))
    reused = rsum(bits & 8 > 0)
    complaints = rsum(bits & 16 > 0)
    pay_due = rsum(bits & 32 > 0)
    paid_online = rsum(bits & 64 > 0)
    fb = np.arange(8)
    finished = fc.sum(axis=1)
    on_time = fc[:, (fb & 1) > 0].sum(axis=1)
    results = fc[:, (fb & 2) > 0].sum(axis=1)
    ratings = fc[:, (fb & 4) > 0].sum(axis=1)
    out = []
    slots = [(months[0], i) for i in range(n)] if by is not None else [
        ((y, m), k - lo) for (y, m), k in zip(months, keys, strict=True)]
    for (y, m), i in slots:
        out.append(MonthFigures(
            year=y, month=m, received=int(received[i]), by_channel={k2: int(v[i]) for k2, v in channels.items()},
            paper=int(paper_n[i]), digitised=int(digitised[i]), finished=int(finished[i]),
            on_time=int(on_time[i]), late=int(finished[i] - on_time[i]), result_files=int(results[i]),
            reused=int(reused[i]), complaints=int(complaints[i]), ratings=int(ratings[i]),
            rating_sum=int(rating_sum[i]), pay_due=int(pay_due[i]), paid_online=int(paid_online[i]),
            period=period))
    return out


@dataclass(frozen=True)
class ProcedureRow:
    """One procedure's line in the monthly report."""

    code: str
    name: str
    received: int
    by_channel: dict[int, int]
    paper: int
    digitised: int
    finished: int
    on_time: int


def procedure_breakdown(f: Facts, year: int, month: int, names: dict[str, str], *,
                        period: str = "calendar", rows: np.ndarray | None = None) -> list[ProcedureRow]:
    """Per procedure: received by channel, digitised, finished and on time in a month (busiest first).

    ``rows``: a boolean mask restricting it to some dossiers (one counter, as :func:`series`).
    """
    k = month_key(year, month)
    c = f.cols
    n = len(f.procedures)
    stat = period == "statutory"
    recv = f.valid & (f.derived("recv_stat") == k if stat else c["recv_month"] == k)
    fin = f.valid & (f.derived("fin_stat") == k if stat else c["fin_month"] == k) & (c["status"] >= 9)
    if rows is not None:
        recv = recv & rows
        fin = fin & rows

    def per(mask: np.ndarray) -> np.ndarray:
        return np.bincount(c["procedure"][mask], minlength=n) if n else np.zeros(0, dtype=np.int64)

    received = per(recv)
    chans = {ch: per(recv & (c["channel"] == ch)) for ch in (1, 2, 3)}
    paper = per(recv & (c["channel"] != 2))
    digit = per(recv & (c["channel"] != 2) & f.digitised)
    finished = per(fin)
    on_time = per(fin & c["on_time"])
    out = [ProcedureRow(code, names.get(code, code), int(received[i]), {ch: int(v[i]) for ch, v in chans.items()},
                        int(paper[i]), int(digit[i]), int(finished[i]), int(on_time[i]))
           for i, code in enumerate(f.procedures) if received[i] or finished[i]]
    out.sort(key=lambda r: (-r.received, r.code))
    return out
