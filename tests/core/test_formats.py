"""The one timestamp helper and the one Vietnamese formatting module pin the texts people read."""

from __future__ import annotations

import datetime as dt

import pytest

from counter_app import timefmt, vnformat
from counter_app.documents import _text


def test_db_timestamp_is_the_stored_format_and_round_trips() -> None:
    moment = dt.datetime(2026, 10, 8, 14, 30, 5)
    assert timefmt.db_ts(moment) == "2026-10-08 14:30:05"
    assert timefmt.parse_db_ts("2026-10-08 14:30:05") == moment
    assert timefmt.parse_db_ts(None) is None and timefmt.parse_db_ts("") is None
    # An aware moment is stored in Vietnam's wall-clock time (UTC+7), never in UTC.
    aware = dt.datetime(2026, 10, 8, 7, 30, 5, tzinfo=dt.UTC)
    assert timefmt.db_ts(aware) == "2026-10-08 14:30:05"
    assert timefmt.compact_ts(moment) == "20261008143005"
    assert timefmt.try_parse_db_ts("hôm qua") is None and timefmt.try_parse_db_ts(42) is None
    with pytest.raises(ValueError):
        timefmt.parse_db_ts("08/10/2026")
    assert timefmt.now().microsecond == 0


def test_the_sql_default_and_the_dossier_helpers_write_the_same_format() -> None:
    from counter_app.db import dossiers, schema

    assert dossiers.ts(dt.datetime(2026, 1, 2, 3, 4, 5)) == timefmt.db_ts(dt.datetime(2026, 1, 2, 3, 4, 5))
    from pathlib import Path

    assert timefmt.DB_TS in Path(schema.__file__).read_text(encoding="utf-8")


@pytest.mark.parametrize(("amount", "text"), [
    (0, "0 đồng"), (8000, "8.000 đồng"), (1_250_000, "1.250.000 đồng"), (1_000_000_000, "1.000.000.000 đồng"),
])
def test_money_is_written_as_on_the_receipt(amount: int, text: str) -> None:
    assert vnformat.money(amount) == text
    # The receipts and guide sheets print the same text as the screens.
    assert _text.money(amount) == text


def test_an_unknown_fee_is_never_zero() -> None:
    assert vnformat.money(None) == "chưa nhập"
    assert vnformat.money(None, unknown="…") == "…"


@pytest.mark.parametrize(("value", "text"), [
    (5, "5"), (0.5, "0,5"), (1234, "1.234"), (1234567.25, "1.234.567,25"), (2.0, "2"), (-1500, "-1.500"),
])
def test_numbers_use_dot_thousands_and_decimal_comma(value: float, text: str) -> None:
    assert vnformat.number(value) == text


def test_percent() -> None:
    assert vnformat.percent(12.345) == "12,3%"
    assert vnformat.percent(50, digits=0) == "50%"
    assert vnformat.percent(None) == "—"


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "—"), (0, "dưới 2 phút"), (89, "dưới 2 phút"), (90, "2 phút"), (4200, "70 phút"),
    (5400, "2 giờ"), (20 * 3600, "20 giờ"), (2 * 86400, "2 ngày"), (10 * 86400 + 5, "10 ngày"), (-30, "dưới 2 phút"),
])
def test_age_text(seconds: float | None, text: str) -> None:
    assert vnformat.age_text(seconds) == text


def test_dates() -> None:
    moment = dt.datetime(2026, 1, 8, 9, 5)
    assert vnformat.date_vn(moment) == "08/01/2026"
    assert vnformat.date_vn(dt.date(2026, 10, 8)) == "08/10/2026"
    assert vnformat.date_vn("2026-10-08 14:30:05") == "08/10/2026"
    assert vnformat.date_vn(None) == ""
    assert vnformat.datetime_vn(moment) == "09:05 08/01/2026"
    assert vnformat.datetime_vn("2026-10-08 14:30:05", year=False) == "14:30 08/10"
    # Nghị định 30/2020: a leading zero for days below 10 and for months 1 and 2 only.
    assert vnformat.legal_date(dt.date(2026, 1, 8)) == "ngày 08 tháng 01 năm 2026"
    assert vnformat.legal_date(dt.date(2026, 10, 8)) == "ngày 08 tháng 10 năm 2026"
    assert vnformat.legal_datetime(moment) == "09 giờ 05 phút, ngày 08 tháng 01 năm 2026"
    assert _text.vn_datetime(moment) == vnformat.legal_datetime(moment)
