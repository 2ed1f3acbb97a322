"""Printed forms from database rows: header, agency settings, fee snapshot (issue #16)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pypdf
import pytest

from counter_app.db import dossiers as repo
from counter_app.db.catalogue import missing_fee_amounts, set_fee_amount, store_procedures
from counter_app.db.database import CounterDB
from counter_app.documents.model import FormKind
from counter_app.domain.calendar import WorkCalendar
from counter_app.services.forms import agency_from_settings, form_dossier, header_names, render_form
from tests.factories import BIRTH, CERT, make_db


def test_header_names_abbreviate_and_drop_repeated_locality() -> None:
    assert header_names("Trung tâm Phục vụ hành chính công phường Ba Đình", "Ủy ban nhân dân phường Ba Đình") == (
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "UBND PHƯỜNG BA ĐÌNH")
    # Nothing to drop when the locality differs, and an empty parent leaves the name whole.
    assert header_names("Bộ phận Một cửa xã Tân Lập", "UBND xã Tân Hòa") == (
        "BỘ PHẬN MỘT CỬA XÃ TÂN LẬP", "UBND XÃ TÂN HÒA")
    assert header_names("Trung tâm PVHCC", "") == ("TRUNG TÂM PVHCC", "")


# --- issue #16: the fee snapshot, unknown amounts, chứng thực per page, the signer, the QR system ---




CAL = WorkCalendar.default()
UNENTERED = {**BIRTH, "code": "1.001022", "name": "Đăng ký nhận cha, mẹ, con",
             "fees": [{"code": "LP01", "name": "Lệ phí đăng ký nhận cha, mẹ, con", "kind": "le_phi",
                       "amount": None, "online_amount": None, "set_by_province": True}]}


@pytest.fixture
def cdb(tmp_path: Path) -> CounterDB:
    db = make_db(tmp_path / "c.db")
    store_procedures(db, [UNENTERED], version="test")
    return db


def _text(pdf: bytes, page: int = 0) -> str:
    return " ".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[page].extract_text().split())


def _receive(cdb: CounterDB, code: str, comps: list[str], **kw: object) -> int:
    data = repo.ReceptionInput(procedure_code=code, applicant=repo.ApplicantInput(full_name="Trần Văn Bình"),
                               components=[repo.ComponentInput(c) for c in comps], **kw)  # type: ignore[arg-type]
    return repo.receive(cdb, data, CAL, now=dt.datetime(2026, 10, 8, 9, 0)).dossier_id


def test_unentered_fee_prints_blank_and_is_listed_for_the_admin(cdb: CounterDB) -> None:
    # Row 1: never "0 đồng" for an amount nobody entered; the admin sees which fees are missing.
    assert [(r["procedure_code"], r["code"]) for r in missing_fee_amounts(cdb)] == [("1.001022", "LP01")]
    did = _receive(cdb, "1.001022", ["TK", "GCS", "CCCD"])
    fee = form_dossier(cdb, did).fees[0]
    assert fee.amount is None and fee.set_by_province
    text = _text(render_form(cdb, did, FormKind.RECEIPT))
    assert "mức thu theo Nghị quyết của HĐND tỉnh" in text and "0 đồng" not in text


def test_fee_snapshot_survives_a_later_catalogue_change(cdb: CounterDB) -> None:
    did = _receive(cdb, "1.001193", ["TK", "GCS", "CCCD"])
    before = form_dossier(cdb, did).fees
    assert [f.amount for f in before] == [8000]
    # The province's new resolution, entered later, applies to new dossiers only.
    set_fee_amount(cdb, "1.001193", "LP", 15000)
    set_fee_amount(cdb, "1.001022", "LP01", 10000)
    assert form_dossier(cdb, did).fees == before
    assert missing_fee_amounts(cdb) == []
    assert [f.amount for f in form_dossier(cdb, _receive(cdb, "1.001193", ["TK", "GCS", "CCCD"])).fees] == [15000]


def test_chung_thuc_fee_from_pages_and_copies_entered_at_reception(cdb: CounterDB) -> None:
    # Row 7: Thông tư 226/2016/TT-BTC — 2 pages × 2.000 + 3 × 1.000 = 7.000 đ per copy, × 3 copies.
    store_procedures(cdb, [{**CERT, "fees": [{**CERT["fees"][0], "pricing": "per_page"}]}], version="test")
    did = _receive(cdb, "2.000815", ["BC", "BS"], fee_pages=5, fee_copies=3)
    fee = form_dossier(cdb, did).fees[0]
    assert (fee.amount, fee.detail) == (21000, "05 trang × 03 bản")
    assert cdb.scalar("SELECT fee_total FROM dossiers WHERE id = ?", (did,)) == 21000
    # Without a page count the amount is unknown, not the 2.000 đ unit price.
    assert form_dossier(cdb, _receive(cdb, "2.000815", ["BC", "BS"])).fees[0].amount is None


def test_signer_and_provincial_system_come_from_settings(cdb: CounterDB) -> None:
    # Row 8 (Nghị định 30/2020) and row 12 (the QR's system is the province's, not this app).
    cdb.set_setting("province_name", "tỉnh Bắc Ninh")
    assert agency_from_settings(cdb).system_name == "Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Bắc Ninh"
    assert "Quầy Một Cửa" not in agency_from_settings(cdb).system_name
    cdb.set_setting("provincial_system_name", "Hệ thống thông tin giải quyết TTHC tỉnh Bắc Ninh")
    for key, value in (("signer_head_title", "Giám đốc"), ("signer_authority", "KT."),
                       ("signer_title", "Phó Giám đốc"), ("signer_name", "Lê Minh Tuấn")):
        cdb.set_setting(key, value)
    agency = agency_from_settings(cdb)
    assert agency.system_name == "Hệ thống thông tin giải quyết TTHC tỉnh Bắc Ninh"
    did = _receive(cdb, "1.001193", ["TK", "GCS", "CCCD"])
    repo.record_apology(cdb, did, reason="Chờ xác minh", new_due_at=dt.datetime(2026, 10, 20, 17, 0),
                        now=dt.datetime(2026, 10, 12, 9, 0))
    text = _text(render_form(cdb, did, FormKind.APOLOGY, reason="Chờ xác minh",
                             new_due_at=dt.datetime(2026, 10, 20, 17, 0)))
    assert "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" in text and "Lê Minh Tuấn" in text


def test_migration_0007_on_a_database_from_before(tmp_path: Path) -> None:
    """An installation from before #16: old receipts keep their fees, unentered ones become unknown,
    the starter catalogue's "30 ngày" procedures become 30 calendar days."""
    import sqlite3

    from counter_app.db.schema import MIGRATION_SET

    db = make_db(tmp_path / "c.db")
    did = _receive(db, "1.001193", ["TK", "GCS", "CCCD"])
    db.close()
    con = sqlite3.connect(tmp_path / "c.db")
    # Back to the schema before 0007, with the catalogue as the old starter file stored it.
    con.executescript(f"""
        DELETE FROM _sqlite_migrations WHERE migration_set = '{MIGRATION_SET}'
            AND name = '0007_fee_snapshot_and_time_units';
        DROP TABLE dossier_fees;
        ALTER TABLE procedures DROP COLUMN time_unit;
        ALTER TABLE procedure_fees DROP COLUMN entered;
        ALTER TABLE procedure_fees DROP COLUMN pricing;
        ALTER TABLE dossiers DROP COLUMN submitted_at;
        INSERT INTO procedures(code, name, name_folded, field_code, field_name, processing_days, online_level,
                               catalogue_version, data)
            VALUES ('1.012812', 'Hòa giải tranh chấp đất đai', 'hoa giai', 'DD', 'Đất đai', 21, 'khong',
                    'starter', '{{"code": "1.012812", "processing_days": 21}}');
        INSERT INTO procedure_fees(procedure_code, code, name, kind, amount, set_by_province)
            VALUES ('1.012812', 'LP01', 'Lệ phí', 'le_phi', 0, 1);
        PRAGMA user_version = 6;
    """)
    con.close()
    db = CounterDB(tmp_path / "c.db")  # migrates
    assert [f.amount for f in form_dossier(db, did).fees] == [8000]  # the old receipt keeps its fee
    row = db.query_one("SELECT time_unit, processing_days, data FROM procedures WHERE code = '1.012812'")
    assert row is not None and (row["time_unit"], row["processing_days"]) == ("calendar_days", 30)
    assert '"time_unit": "calendar_days"' in row["data"].replace('":"', '": "')
    assert [r["procedure_code"] for r in missing_fee_amounts(db)] == ["1.012812"]
    db.close()


def test_reception_screen_never_says_free_for_an_unentered_fee() -> None:
    # What the officer reads before printing: "không thu" for a fee nobody entered was row 1's bug
    # on screen; a per-page chứng thực fee is a price per page, not the total (row 7).
    from counter_app.ui.reception import _fee_text

    assert _fee_text(UNENTERED["fees"], "không thu") == "theo Nghị quyết của HĐND tỉnh (chưa nhập mức thu)"
    assert _fee_text([{**CERT["fees"][0], "pricing": "per_page"}], "không thu").startswith("2.000 đồng/trang")
    assert _fee_text(BIRTH["fees"], "không thu") == "8.000 đồng"
    assert _fee_text([], "không thu") == "không thu"
