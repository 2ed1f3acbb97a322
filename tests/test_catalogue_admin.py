"""The admin's catalogue screens, Qt-free part (issue #16 rows 1 and 9), and the 2.000806 time unit.

Expected values are written by hand: amounts as the admin types them, the payload fields the
province receives, the audit entries the supervisor reads.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from counter_app.db import dossiers as repo
from counter_app.db.catalogue import missing_fee_amounts, store_procedures
from counter_app.db.database import CounterDB
from counter_app.db.setup import add_user
from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.catalogue import load_default_catalogue
from counter_app.errors import ValidationError
from counter_app.services import catalogue_admin as ca
from counter_app.sync import mapping
from tests.factories import BIRTH, make_db

UNENTERED = {**BIRTH, "code": "1.001022", "name": "Đăng ký kết hôn", "components": BIRTH["components"][:1],
             "fees": [{"code": "LP01", "name": "Lệ phí đăng ký kết hôn", "kind": "le_phi", "amount": None,
                       "online_amount": None, "set_by_province": True}]}
MON = dt.datetime(2026, 10, 5, 9, 0)


@pytest.fixture
def cdb(tmp_path: Path) -> CounterDB:
    db = make_db(tmp_path / "c.db")
    store_procedures(db, [UNENTERED], version="test")
    return db


@pytest.fixture
def admin(cdb: CounterDB) -> int:
    return int(cdb.scalar("SELECT id FROM users WHERE role = 'admin' LIMIT 1"))


def _receive(cdb: CounterDB, code: str) -> int:
    comps = [repo.ComponentInput(c, "received") for c in
             (r["code"] for r in cdb.query("SELECT code FROM procedure_components WHERE procedure_code = ?", (code,)))]
    res = repo.receive(cdb, repo.ReceptionInput(code, repo.ApplicantInput(full_name="Trần Văn Bình"), comps),
                       WorkCalendar.default(), now=MON)
    return res.dossier_id


def _audit(cdb: CounterDB) -> list[tuple[str, str, dict[str, object]]]:
    return [(r["object_type"], r["object_id"], json.loads(r["detail"])) for r in
            cdb.query("SELECT * FROM audit_log WHERE action = 'settings' ORDER BY id")]


@pytest.mark.parametrize(("typed", "value"), [
    ("8000", 8000), ("8.000", 8000), ("8.000 đ", 8000), ("1.500.000 đồng", 1_500_000), ("12 000", 12000),
    ("0", 0), ("  100,000 VND ", 100_000),
])
def test_amounts_as_officers_type_them(typed: str, value: int) -> None:
    assert ca.parse_amount(typed) == value


@pytest.mark.parametrize(("typed", "message"), [
    ("", "chưa nhập số tiền"), ("-5000", "không được âm"), ("8.5", "không phải số đồng nguyên"),
    ("8,50", "không phải số đồng nguyên"), ("tám nghìn", "không phải số đồng nguyên"),
    ("1.000,000", "không phải số đồng nguyên"), ("800000000", "vượt quá 100.000.000 đồng"),
])
def test_bad_amounts_get_a_clear_vietnamese_message(typed: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ca.parse_amount(typed)


def test_entering_a_province_fee_is_audited_and_applies_to_new_dossiers_only(cdb: CounterDB, admin: int) -> None:
    before = _receive(cdb, "1.001022")
    rows = ca.fee_list(cdb)
    assert (rows[0].procedure_code, rows[0].code, rows[0].amount) == ("1.001022", "LP01", None)  # missing first
    stored = ca.save_fee(cdb, admin, "1.001022", "LP01", "30.000", "15.000")
    assert (stored.amount, stored.online_amount) == (30000, 15000)
    assert missing_fee_amounts(cdb) == []
    assert _audit(cdb) == [("fee", "1.001022/LP01", {"what": "fee_amount", "before": None, "after": 30000,
                                                     "online_before": None, "online_after": 15000})]
    after = _receive(cdb, "1.001022")
    assert "Gia" not in mapping.dossier_payload(cdb, before)["DanhSachLePhi"][0]  # snapshot at reception
    assert mapping.dossier_payload(cdb, after)["DanhSachLePhi"][0]["Gia"] == 30000
    # 0 is a real amount once entered (miễn thu by resolution): sent as 0, not left unknown.
    assert ca.save_fee(cdb, admin, "1.001022", "LP01", "0").amount == 0
    assert mapping.dossier_payload(cdb, _receive(cdb, "1.001022"))["DanhSachLePhi"][0]["Gia"] == 0


def test_fee_changes_refused_for_non_admins_bad_codes_and_online_above_counter(cdb: CounterDB, admin: int) -> None:
    officer = add_user(cdb, "canbo1", "Nguyễn Thị Lan", "officer", "x")
    with pytest.raises(ValidationError, match="Chỉ quản trị viên"):
        ca.save_fee(cdb, officer, "1.001022", "LP01", "30000")
    with pytest.raises(ValidationError, match="Không tìm thấy khoản thu"):
        ca.save_fee(cdb, admin, "1.001022", "LP99", "30000")
    with pytest.raises(ValidationError, match="không được cao hơn"):
        ca.save_fee(cdb, admin, "1.001022", "LP01", "30000", "40000")
    assert [r["code"] for r in missing_fee_amounts(cdb)] == ["LP01"] and _audit(cdb) == []


def test_national_field_code_entered_travels_as_ma_linh_vuc_and_is_audited(cdb: CounterDB, admin: int) -> None:
    did = _receive(cdb, "1.001193")
    ht = next(r for r in ca.field_list(cdb) if r.app_code == "HT")
    assert (ht.national_code, ht.origin, ht.waiting) == (None, "", 1)  # nothing shipped unverified
    assert mapping.dossier_payload(cdb, did)["MaLinhVuc"] == ""
    row = ca.save_field_code(cdb, admin, "HT", "  G09-HT01 ")
    assert (row.national_code, row.origin, row.waiting) == ("G09-HT01", "admin", 0)
    assert mapping.dossier_payload(cdb, did)["MaLinhVuc"] == "G09-HT01"
    assert [f["field_code"] for f in mapping.unmapped_field_codes(cdb)] == []
    ca.save_field_code(cdb, admin, "HT", "")  # cleared: unmapped and flagged again
    assert mapping.dossier_payload(cdb, did)["MaLinhVuc"] == ""
    assert [f["field_code"] for f in mapping.unmapped_field_codes(cdb)] == ["HT"]
    assert _audit(cdb) == [
        ("field_code", "HT", {"what": "national_field_code", "before": None, "after": "G09-HT01"}),
        ("field_code", "HT", {"what": "national_field_code", "before": "G09-HT01", "after": None}),
    ]


@pytest.mark.parametrize(("typed", "message"), [
    ("Hộ tịch", "không hợp lệ"), ("G09 HT", "không hợp lệ"), ("X" * 31, "không hợp lệ"),
    ("ct", "mã ngắn của ứng dụng"),
])
def test_bad_national_codes_are_refused(cdb: CounterDB, admin: int, typed: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ca.save_field_code(cdb, admin, "HT", typed)
    assert cdb.get_setting(mapping.FIELD_CODE_SETTING) is None


def test_shipped_field_table_carries_a_source_for_every_code() -> None:
    # Row 9: a national code ships only with the public source it was verified in.
    entries = mapping.shipped_field_entries()
    assert {e["app_code"] for e in entries} >= {p.field_code for p in load_default_catalogue()}
    for e in entries:
        assert e["national_code"] is None or (e.get("source") and "http" in str(e["source"]))


def test_2_000806_counts_fifteen_calendar_days() -> None:
    # Luật Hộ tịch 2014 Điều 38 khoản 3 "15 ngày"; BLDS 2015 Điều 147-148. Received Mon 5/10/2026:
    # 15 days from 6/10 end on Tue 20/10 (a working day); 15 working days would be Mon 26/10.
    proc = next(p for p in load_default_catalogue() if p.code == "2.000806")
    assert (proc.time_unit, proc.processing_days) == ("calendar_days", 15)
    assert WorkCalendar.default().due_at(MON, proc).date() == dt.date(2026, 10, 20)


def test_migration_0009_moves_2_000806_to_calendar_days(tmp_path: Path) -> None:
    from counter_app.db.schema import MIGRATION_SET

    db = make_db(tmp_path / "c.db")
    db.close()
    con = sqlite3.connect(tmp_path / "c.db")
    con.executescript(f"""
        DELETE FROM _sqlite_migrations WHERE migration_set = '{MIGRATION_SET}'
            AND name = '0009_catalogue_fix_2_000806';
        INSERT INTO procedures(code, name, name_folded, field_code, field_name, processing_days, online_level,
                               catalogue_version, data, time_unit)
            VALUES ('2.000806', 'Đăng ký kết hôn có yếu tố nước ngoài', 'dang ky ket hon', 'HT', 'Hộ tịch', 15,
                    'mot_phan', 'starter', '{{"code": "2.000806", "processing_days": 15}}', 'working_days');
    """)
    con.close()
    db = CounterDB(tmp_path / "c.db")  # migrates
    row = db.query_one("SELECT time_unit, processing_days, data FROM procedures WHERE code = '2.000806'")
    assert row is not None and (row["time_unit"], row["processing_days"]) == ("calendar_days", 15)
    assert json.loads(row["data"])["time_unit"] == "calendar_days"
    db.close()


def test_reimporting_the_catalogue_keeps_the_amounts_the_admin_entered(cdb: CounterDB, admin: int) -> None:
    # A catalogue update whose file does not know the province's amount must not blank it again.
    ca.save_fee(cdb, admin, "1.001022", "LP01", "30.000", "15.000")
    store_procedures(cdb, [UNENTERED], version="2026.12")
    fee = next(f for f in ca.fee_list(cdb) if f.procedure_code == "1.001022")
    assert (fee.amount, fee.online_amount) == (30000, 15000)
    stored = json.loads(cdb.scalar("SELECT data FROM procedures WHERE code = '1.001022'"))
    assert stored["fees"][0]["amount"] == 30000
    assert UNENTERED["fees"][0]["amount"] is None  # the caller's catalogue is left as it was
    # A file that states an amount wins (the province published a new resolution).
    changed = {**UNENTERED, "fees": [{**UNENTERED["fees"][0], "amount": 40000}]}
    store_procedures(cdb, [changed], version="2027.01")
    assert next(f for f in ca.fee_list(cdb) if f.procedure_code == "1.001022").amount == 40000
