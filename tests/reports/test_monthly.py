"""Monthly report: data, CSV for Excel, and a Vietnamese A4 PDF with embedded fonts and charts."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest

from counter_app.db.database import CounterDB
from counter_app.reports import indicators as ind
from counter_app.reports import monthly

DB = tuple[CounterDB, dict[str, Any]]


@pytest.fixture
def october(fixture_db: DB) -> monthly.ReportData:
    cdb, _ = fixture_db
    return monthly.collect(cdb, 2026, 10, today=date(2026, 11, 3), cache=ind.FactsCache())


def test_collect(october: monthly.ReportData) -> None:
    d = october
    assert (d.figures.received, d.figures.finished) == (4, 2)
    assert len(d.trend) == 12 and d.trend[-1] == d.figures
    assert d.backlog_end.total == 1            # D4, received on 31/10, not digitised by month end
    assert d.online_target == 20.0
    assert d.agency_name.startswith("Trung tâm")
    assert [r.code for r in d.procedures] == ["1.001193"]


def test_csv_rows_with_bom(october: monthly.ReportData) -> None:
    raw = monthly.render_csv(october)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Mã hồ sơ" and len(rows[0]) == len(monthly.CSV_COLUMNS)
    body = {r[0]: dict(zip([k for k, _l in monthly.CSV_COLUMNS], r, strict=True)) for r in rows[1:]}
    assert len(body) == 4  # D1–D4 received in October (D1, D2 also finished in it); D7 has no code
    d2 = body["H01.37.01-261006-0001"]
    assert (d2["on_time"], d2["complaint"], d2["digitised"], d2["channel"]) == ("Không", "Có", "Có", "Trực tiếp")
    assert d2["new_due_at"] == "2026-10-12 17:00:00"
    d3 = body["H01.37.01-261007-0001"]
    assert d3["paper"] == "Không" and d3["digitised"] == "" and d3["on_time"] == ""
    d4 = body["H01.37.01-261031-0001"]
    assert d4["received_at"].startswith("2026-10-31") and d4["digitised"] == "Không"


def test_pdf_vietnamese_embedded_fonts(october: monthly.ReportData, tmp_path: Path) -> None:
    pdf = monthly.render_pdf(october)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595.28) < 1 and abs(float(page.mediabox.height) - 841.89) < 1
    text = "".join(p.extract_text() for p in reader.pages)
    for needle in ("BÁO CÁO", "tháng 10 năm 2026", "Giải quyết đúng hạn", "Số hóa hồ sơ", "Đăng ký khai sinh",
                   "Biểu đồ 1", "Hồ sơ giấy chưa số hóa xong", "THỦ TRƯỞNG CƠ QUAN", "66,7%"):
        assert needle in text, needle
    fonts = set()
    for page in reader.pages:
        res = page["/Resources"]
        for f in (res.get("/Font") or {}).values():
            fo = f.get_object()
            fonts.add(str(fo["/BaseFont"]))
            desc = fo.get("/FontDescriptor")
            if desc is not None:
                assert "/FontFile2" in desc.get_object()
    assert fonts and all("LiberationSerif" in f for f in fonts), fonts


def test_save_and_mark_exported(fixture_db: DB, october: monthly.ReportData, tmp_path: Path) -> None:
    cdb, _ = fixture_db
    pdf_path, csv_path = monthly.save(tmp_path, october, pdf=b"%PDF-1.4", csv_bytes=b"x")
    assert pdf_path == tmp_path / "documents" / "reports" / "bao-cao-thang-2026-10.pdf"
    assert pdf_path.read_bytes() == b"%PDF-1.4" and csv_path is not None and csv_path.exists()
    monthly.mark_exported(cdb, 2026, 10)
    monthly.mark_exported(cdb, 2026, 10)
    assert ind.exported_reports(cdb) == ["2026-10"]
    assert ind.report_due_reminder(date(2026, 11, 5), ind.exported_reports(cdb)) is None


def test_online_target_setting(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    cdb.set_setting("online_target_percent", 30)  # the one setting guidance and reports share
    d = monthly.collect(cdb, 2026, 10, today=date(2026, 11, 3), cache=ind.FactsCache(), with_rows=False)
    assert d.online_target == 30.0 and d.rows == []
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(monthly.render_pdf(d))).pages)
    assert "chưa đạt chỉ tiêu" in text


def test_empty_month_renders(fixture_db: DB) -> None:
    cdb, _ = fixture_db
    d = monthly.collect(cdb, 2026, 3, today=date(2026, 4, 3), cache=ind.FactsCache())
    assert d.figures.received == 0 and d.rows == []
    assert monthly.render_pdf(d).startswith(b"%PDF")
    assert monthly.render_csv(d).count(b"\r\n") == 1


def _pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())


def test_online_target_and_full_score_threshold_are_not_confused(october: monthly.ReportData) -> None:
    # Issue #16 row 13: the text said "chỉ tiêu 20% của cấp xã" while the table said ≥ 50%; the
    # province's yearly target and QĐ 766's full-score threshold are different things, both named.
    text = _pdf_text(monthly.render_pdf(october))
    assert "chỉ tiêu năm do UBND tỉnh giao cho cấp xã là 20%" in text
    assert "mức điểm tối đa của chỉ số theo Quyết định 766/QĐ-TTg là ≥ 50%" in text
    assert "Thanh toán trực tuyến" in text  # the QĐ 766 online-payment group has its row


def test_statutory_period_chosen_per_province(fixture_db: DB) -> None:
    # Issue #16 row 13: Nghị định 09/2019/NĐ-CP Điều 12 — from the 15th of the previous month to the 14th.
    cdb, _ = fixture_db
    cdb.set_setting(monthly.PERIOD_SETTING, "statutory")
    d = monthly.collect(cdb, 2026, 10, today=date(2026, 11, 3), cache=ind.FactsCache())
    assert d.period == "statutory"
    assert d.figures.received == 3  # D1–D3 (5–7/10); D4 (31/10) is in the period ending 14/11
    assert {r["code"] for r in d.rows} == {r["code"] for r in d.rows if r["received_at"] < "2026-10-15"}
    assert "tháng 10 năm 2026 (từ ngày 15/09/2026 đến ngày 14/10/2026)" in _pdf_text(monthly.render_pdf(d))
    cdb.set_setting(monthly.PERIOD_SETTING, "calendar")
    assert monthly.collect(cdb, 2026, 10, today=date(2026, 11, 3), cache=ind.FactsCache()).figures.received == 4


def test_ward_report_covers_every_counter_with_its_as_of(fixture_db: DB, tmp_path: Path) -> None:
    """Issue #19: the report keeps this counter's sections and adds the ward per counter, stale ones named."""
    from datetime import datetime

    from tests.reports.conftest import NOW
    from tests.ward.test_ward_views import add_ward

    cdb, _ = fixture_db
    alone = monthly.collect(cdb, 2026, 11, today=NOW.date(), now=NOW, cache=ind.FactsCache())
    assert alone.ward is None
    add_ward(cdb)
    d = monthly.collect(cdb, 2026, 11, today=NOW.date(), now=NOW, cache=ind.FactsCache())
    assert d.figures == alone.figures and d.procedures == alone.procedures  # sections 1–4: this counter
    assert d.ward is not None and [r.label for r in d.ward.rows] == ["Quầy này", "Quầy 2", "Quầy 3"]
    assert [r.figures.received for r in d.ward.rows] == [2, 3, 2] and d.ward.total.figures.received == 7
    pdf = monthly.render_pdf(d)
    (tmp_path / "ward.pdf").write_bytes(pdf)
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages).split())
    assert "5. Số liệu toàn phường theo quầy" in text and "6. Đề xuất, kiến nghị" in text
    assert "Quầy 3: dữ liệu cũ từ 13:50 hôm qua — chưa đồng bộ được với tỉnh" in text
    assert "07:55 hôm nay" in text and "Hiện tại (quầy này)" in text
    rows = list(csv.DictReader(io.StringIO(monthly.render_csv(d).decode("utf-8-sig"))))
    by_counter = {r["Quầy tiếp nhận"] for r in rows}
    assert by_counter == {"Quầy này", "Quầy 2", "Quầy 3"}
    q2 = next(r for r in rows if r["Mã hồ sơ"] == "Q2-1")
    assert q2["Giải quyết xong trong tháng"] == "Có" and q2["Đúng hạn"] == "Có" and q2["Đã số hóa đủ"] == ""
    assert datetime(2026, 11, 1) <= datetime.strptime(q2["Ngày tiếp nhận"][:10], "%Y-%m-%d") < datetime(2026, 12, 1)


def test_count_axes_of_small_months_tick_whole_numbers() -> None:
    """A ward with one or two dossiers per bucket: the axis once read «0 0 0 0 0 1» (0.2 steps)."""
    import re

    from reportlab.graphics import renderSVG
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing

    from counter_app.reports import monthly

    for data, top in (([1, 0, 0, 1], "1"), ([3, 0, 7, 2], "8"), ([0, 0, 0, 0], "1")):
        bc = VerticalBarChart()
        bc.data = [data]
        bc.categoryAxis.categoryNames = ["a", "b", "c", "d"]
        monthly._count_axis(bc.valueAxis, max(data))
        drawing = Drawing(300, 200)
        drawing.add(bc)
        ticks = [x for x in re.findall(r">([^<>]+)</text>", renderSVG.drawToString(drawing)) if x.isdigit()]
        assert len(ticks) == len(set(ticks)), ticks
        assert ticks[0] == "0" and ticks[-1] == top, ticks
