"""Issue #15 items 7 and 9: nothing a spreadsheet runs, nothing a log or list gives away."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest

from counter_app import logfilter
from counter_app.db import privacy
from counter_app.reports import indicators as ind
from counter_app.reports import monthly
from tests.trust.trust_helpers import fresh_db, receive_one

FORMULAS = ("=HYPERLINK(\"http://x\",\"Bấm\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
            "\tTab", "\rCR")


def test_monthly_csv_neutralises_formula_cells(tmp_path: Path) -> None:
    # Item 7: procedure names come from the provincial catalogue sync, officer names from accounts.
    cdb = fresh_db(tmp_path / "c.db")
    try:
        receive_one(cdb, now=datetime(2026, 10, 5, 9))
        cdb.conn.execute("UPDATE procedures SET name = ? WHERE code = '1.001193'", (FORMULAS[0],))
        cdb.conn.execute("UPDATE users SET full_name = ? WHERE id = 1", (FORMULAS[3],))
        data = monthly.collect(cdb, 2026, 10, today=date(2026, 11, 3), cache=ind.FactsCache())
    finally:
        cdb.close()
    rows = list(csv.reader(io.StringIO(monthly.render_csv(data).decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + FORMULAS[0] in cells and "'" + FORMULAS[3] in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_cell_rule(value: str) -> None:
    assert monthly.csv_cell(value) == "'" + value
    assert monthly.csv_cell(-5) == -5 and monthly.csv_cell(None) == "" and monthly.csv_cell("Hộ tịch") == "Hộ tịch"


def test_masked_phone_shows_at_most_last_three_digits() -> None:
    # Item 9: "091****678" gave 6 of 10 digits.
    assert privacy.mask_phone("0912345678") == "*******678"
    assert privacy.mask_phone("024 3823 4567") == "********567"
    assert privacy.mask_phone("12345") == "*****"


@pytest.mark.parametrize(("raw", "secret"), [
    ("lỗi CCCD001099012345 không hợp lệ", "001099012345"),
    ("so_cmnd=CMND123456789x", "123456789"),
    ("máy bàn 024 3823 4567", "3823"),
    ("máy bàn (024) 38234567", "38234567"),
    ("gọi +84 24 3823 4567", "3823"),
    ("gọi 0912345678", "0912345"),
    ("QR lạ: 001099012345|123456789|Nguyễn Văn An|01011999|Nam|12 Hàng Bông, Hoàn Kiếm|01012021", "Hàng Bông"),
    ("QR lạ: 001099012345|123456789|Nguyễn Văn An|01011999|Nam|12 Hàng Bông, Hoàn Kiếm|01012021", "Nguyễn"),
])
def test_scrubber_catches_attached_ids_landlines_and_qr_address(raw: str, secret: str) -> None:
    assert secret not in logfilter.scrub(raw)


@pytest.mark.parametrize("keep", [
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "uid 3f2c1a9e-1234-4567-8901-123456789012",
    "mã hồ sơ H01.37.01-261005-0001, 20261005103000",
])
def test_scrubber_leaves_hashes_and_uids(keep: str) -> None:
    assert logfilter.scrub(keep) == keep


def test_migration_0006_shortens_existing_phone_masks(tmp_path: Path) -> None:
    # Existing rows keep a mask made by the old rule (first 3 + last 3) until migration 0006; the
    # number itself may be sealed, so the new mask is made from the old one.
    from counter_app.db.database import CounterDB
    from counter_app.db.schema import migrations

    phones = ["0912345678", "024 3823 4567", "12345", "+84912345678", "0" * 40, ""]

    def old_mask(value: str) -> str:
        digits = "".join(c for c in value if c.isdigit())
        return "*" * len(digits) if len(digits) < 7 else digits[:3] + "*" * (len(digits) - 6) + digits[-3:]

    path = tmp_path / "counter.sqlite3"
    old = CounterDB(path, migrate=False)
    migrations.apply(old.db, stop_before="0006_audit_triggers_and_anchors")
    with old.write():
        old.conn.execute("INSERT INTO procedures(code, name, name_folded, field_code, field_name, online_level, data) "
                         "VALUES ('1.001193', 'Khai sinh', 'khai sinh', 'HT', 'Hộ tịch', 'mot_phan', '{}')")
        for i, phone in enumerate(phones):
            old.conn.execute(
                "INSERT INTO dossiers(uid, procedure_code, applicant_name, applicant_name_folded, phone, phone_masked, "
                "status, received_at, receiving_unit, deciding_unit, regulation_profile, created_at, updated_at) "
                "VALUES (?, '1.001193', 'A', 'a', ?, ?, 2, '2026-10-05 09:00:00', 'U', 'U', 'p', '', '')",
                (f"u{i}", phone, old_mask(phone)))
    old.close()
    cdb = CounterDB(path)
    try:
        masks = [r[0] for r in cdb.conn.execute("SELECT phone_masked FROM dossiers ORDER BY id")]
    finally:
        cdb.close()
    assert masks == [privacy.mask_phone(p) for p in phones]
    assert masks[0] == "*******678"
