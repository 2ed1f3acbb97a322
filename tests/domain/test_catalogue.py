"""Procedure catalogue: the shipped file, JSON/CSV import, validation and round trips.

Expected values are written out by hand from the rules in counter_app/domain/catalogue.py, not taken
from the code's own output.
"""

from __future__ import annotations

import datetime
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from counter_app.domain.catalogue import (
    MAX_FILE_BYTES,
    Component,
    Fee,
    Procedure,
    default_catalogue_path,
    fee_charged,
    is_national_code,
    load_catalogue,
    load_catalogue_csv,
    load_default_catalogue,
    missing_fee_amounts,
    procedure_from_dict,
    procedure_to_dict,
    write_catalogue_csv,
)
from counter_app.errors import ValidationError

# --------------------------------------------------------------------------------------- helpers


def _good(code: str = "1.001193", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": code,
        "name": "Đăng ký khai sinh",
        "field_code": "HT",
        "field_name": "Hộ tịch",
        "processing_days": None,
        "processing_hours": 8,
        "cutoff_time": "15:00",
        "processing_text": "Ngay trong ngày",
        "components": [
            {"code": "TP01", "name": "Tờ khai", "originals": 1, "copies": 0, "required": True,
             "show_only": False},
            {"code": "TP02", "name": "Xuất trình CCCD", "originals": 1, "copies": 0, "required": True,
             "show_only": True},
        ],
        "fees": [
            {"code": "LP01", "name": "Lệ phí", "kind": "le_phi", "amount": 20000, "online_amount": 10000,
             "set_by_province": False},
        ],
        "online_level": "toan_trinh",
        "online_only": False,
        "result_name": "Giấy khai sinh",
        "legal_basis": "Luật Hộ tịch 2014",
        "source": "test",
    }
    data.update(overrides)
    return data


def _write_json(tmp_path: Path, procedures: list[Any], name: str = "cat.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"schema": 1, "version": "t", "procedures": procedures}, ensure_ascii=False),
                    encoding="utf-8")
    return path


# --------------------------------------------------------------------------------- shipped file


@pytest.fixture(scope="module")
def shipped() -> list[Procedure]:
    return load_default_catalogue()


def test_shipped_file_has_no_errors_and_enough_procedures() -> None:
    result = load_catalogue(default_catalogue_path())
    assert result.errors == []
    assert len(result.procedures) >= 40


def test_shipped_codes_unique_and_every_procedure_has_components(shipped: list[Procedure]) -> None:
    codes = [p.code for p in shipped]
    assert len(codes) == len(set(codes))
    for p in shipped:
        assert len(p.components) >= 1, p.code
        assert p.processing_days or p.processing_hours, p.code
        assert p.name == unicodedata.normalize("NFC", p.name)
        assert p.online_level in {"toan_trinh", "mot_phan", "khong"}
        assert p.confidence in {"high", "medium", "low"}
        assert p.source, p.code
        # High-confidence entries must carry a national code (digits and dots).
        if p.confidence == "high":
            assert is_national_code(p.code), p.code


def test_shipped_known_entries(shipped: list[Procedure]) -> None:
    by_code = {p.code: p for p in shipped}
    birth = by_code["1.001193"]
    assert birth.name == "Đăng ký khai sinh"
    assert birth.field_name == "Hộ tịch"
    # Chứng thực bản sao: same day, 15:00 cut-off (Nghị định 23/2015 Điều 7).
    copy = by_code["2.000815"]
    assert copy.cutoff_time == datetime.time(15, 0)
    assert copy.processing_hours is not None and copy.processing_days is None
    assert copy.fees[0].amount == 2000 and copy.fees[0].kind == "phi"
    # Cư trú fees are national (Thông tư 75/2022) with an online discount.
    residence = by_code["1.004222"]
    assert residence.processing_days == 7
    assert residence.fees[0].amount == 20000 and residence.fees[0].amount_for(online=True) == 10000
    # "Xuất trình" components are show-only and never digitised.
    assert any(c.show_only for c in birth.components)
    # Some fees are marked as set by the provincial council.
    assert any(f.set_by_province for p in shipped for f in p.fees)
    assert any(p.online_only for p in shipped)


def test_json_round_trip_of_every_shipped_procedure(shipped: list[Procedure]) -> None:
    for p in shipped:
        data = json.loads(json.dumps(procedure_to_dict(p), ensure_ascii=False))
        assert procedure_from_dict(data) == p


# --------------------------------------------------------------------------------- JSON import


def test_json_import_reports_bad_rows_and_keeps_good_ones(tmp_path: Path) -> None:
    rows: list[Any] = [
        _good("1.000001"),                                                      # 1 ok
        _good("1 000 002"),                                                     # 2 bad code
        _good("1.000003", name="   "),                                          # 3 empty name
        _good("1.000004", processing_days=-3, processing_hours=None),           # 4 negative time
        _good("1.000005", processing_days=None, processing_hours=None),         # 5 no time
        _good("1.000006", cutoff_time="25:00"),                                 # 6 bad cut-off
        _good("1.000007", online_level="full"),                                 # 7 bad enum
        _good("1.000008", components=[{"code": "A", "name": "X", "originals": -1, "copies": 0}]),  # 8
        _good("1.000009", fees=[{"code": "F", "name": "Phí", "kind": "phi", "amount": -5}]),        # 9
        _good("1.000001"),                                                      # 10 duplicate of 1
        "not an object",                                                        # 11
        _good("1.000012", name="x" * 100_000),                                  # 12 absurd name
        _good("2.000013", fees=[{"code": "F", "name": "Phí", "kind": "phi", "amount": "50.000"}]),  # 13 ok
    ]
    result = load_catalogue(_write_json(tmp_path, rows))
    assert [p.code for p in result.procedures] == ["1.000001", "2.000013"]
    assert result.procedures[1].fees[0].amount == 50000  # "50.000" typed the Vietnamese way
    assert [e.row for e in result.errors] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    errors = {e.row: e for e in result.errors}
    assert "định dạng" in errors[2].message
    assert "tên thủ tục" in errors[3].message
    assert "lớn hơn 0" in errors[4].message
    assert "thiếu thời hạn giải quyết" in errors[5].message
    assert "15:00" in errors[6].message
    assert "toan_trinh" in errors[7].message
    assert "không được âm" in errors[8].message
    assert "không được âm" in errors[9].message
    assert errors[10].code == "1.000001" and "trùng" in errors[10].message and "dòng 1" in errors[10].message
    assert errors[11].code is None
    assert "vượt giới hạn" in errors[12].message and len(errors[12].message) < 500


def test_procedure_from_dict_raises_with_every_problem() -> None:
    with pytest.raises(ValidationError) as info:
        procedure_from_dict(_good("", name="", online_level="abc"))
    message = info.value.message
    assert "mã thủ tục" in message and "tên thủ tục" in message and "abc" in message


def test_nfd_input_is_normalised_to_nfc() -> None:
    nfd_name = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    assert nfd_name != "Đăng ký khai sinh"
    p = procedure_from_dict(_good(name=f"  {nfd_name} ", field_name=unicodedata.normalize("NFD", "Hộ tịch")))
    assert p.name == "Đăng ký khai sinh"
    assert p.field_name == "Hộ tịch"


def test_province_specific_code_is_accepted_but_not_national() -> None:
    p = procedure_from_dict(_good("BNI-HT-01"))
    assert p.code == "BNI-HT-01" and not p.is_national
    assert is_national_code("1.001193") and is_national_code("2.000815")


def test_component_and_fee_types() -> None:
    p = procedure_from_dict(_good())
    assert p.components[1] == Component("TP02", "Xuất trình CCCD", 1, 0, True, True)
    assert p.fees[0] == Fee("LP01", "Lệ phí", "le_phi", 20000, 10000, False)
    assert p.cutoff_time == datetime.time(15, 0)


def test_duplicate_component_codes_are_rejected() -> None:
    comps = [{"code": "TP01", "name": "A"}, {"code": "TP01", "name": "B"}]
    with pytest.raises(ValidationError, match="trùng"):
        procedure_from_dict(_good(components=comps))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b'{"schema": 1, "procedures": [', "cú pháp"),
        (b'{"schema": 99, "procedures": []}', "phiên bản"),
        (b'{"schema": 1}', "procedures"),
        ("Đăng ký".encode("utf-16"), "UTF-8"),  # Excel "Unicode text"
        (b"[" * 100_000, "JSON"),
    ],
)
def test_broken_json_files_give_one_clear_error(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    result = load_catalogue(path)
    assert result.procedures == []
    assert len(result.errors) == 1
    assert result.errors[0].row == "Tệp"
    assert fragment in result.errors[0].message


def test_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:  # sparse file: instant to create
        f.truncate(MAX_FILE_BYTES + 1)
    result = load_catalogue(path)
    assert result.procedures == [] and "MB" in result.errors[0].message


def test_missing_file_is_an_error_not_an_exception(tmp_path: Path) -> None:
    result = load_catalogue(tmp_path / "nope.json")
    assert len(result.errors) == 1 and "Không đọc được" in result.errors[0].message


# ---------------------------------------------------------------------------------- CSV import

HEADER = ("code,name,field_code,field_name,processing_days,processing_hours,cutoff_time,processing_text,"
          "online_level,online_only,result_name,legal_basis,source,components,fees")


def test_csv_round_trip_of_shipped_catalogue(tmp_path: Path, shipped: list[Procedure]) -> None:
    path = tmp_path / "catalogue.csv"
    write_catalogue_csv(shipped, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel
    result = load_catalogue_csv(path)
    assert result.errors == []
    assert result.procedures == shipped


def test_csv_with_bad_rows_reports_spreadsheet_lines(tmp_path: Path) -> None:
    comps = "TP01 | Tờ khai; mẫu mới | 1 | 0 | 1 | 0 || TP02 | Xuất trình CCCD | 1 | 0 | 1 | 1"
    fees = "LP01 | Lệ phí | le_phi | 20.000 | 10000 | 0"
    lines = [
        HEADER,
        f'1.001193,Đăng ký khai sinh,HT,Hộ tịch,,8,15:00,Trong ngày,toan_trinh,0,GKS,Luật,nguồn,"{comps}","{fees}"',
        '1.000002,Tên,HT,Hộ tịch,3,,,,khong,0,,,,"TP01 | Thiếu cột | 1",',                       # line 3
        f'1.000003,Tên,HT,Hộ tịch,ba ngày,,,,khong,0,,,,"{comps}",',                            # line 4
        "",                                                                                       # blank
        f'1.001193,Trùng,HT,Hộ tịch,3,,,,khong,0,,,,"{comps}",',                               # line 6
        f'1.000005,Xác nhận,HT,Hộ tịch,"0,5",,,,mot_phan,có,,,,"{comps}",',                      # line 7 ok
        f'1.000006,Tên,HT,Hộ tịch,3,,,,khong,0,,,,"{comps}","F | Phí | phi | -1 |  | 0"',                  # line 8
    ]
    path = tmp_path / "cat.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    result = load_catalogue_csv(path)
    assert [p.code for p in result.procedures] == ["1.001193", "1.000005"]
    assert [e.row for e in result.errors] == [3, 4, 6, 8]
    birth, half_day = result.procedures
    assert birth.components[0].name == "Tờ khai; mẫu mới"  # ";" is ordinary text in a name
    assert birth.components[1].show_only is True
    assert birth.fees[0].amount == 20000 and birth.fees[0].online_amount == 10000
    assert birth.cutoff_time == datetime.time(15, 0)
    assert half_day.processing_days == 0.5 and half_day.online_only is True
    errors = {e.row: e.message for e in result.errors}
    assert "thành phần thứ 1" in errors[3]
    assert "không phải là số" in errors[4]
    assert "trùng với dòng 2" in errors[6]
    assert "không được âm" in errors[8]


def test_csv_semicolon_delimiter_from_vietnamese_excel(tmp_path: Path) -> None:
    header = HEADER.replace(",", ";")
    row = ('1.004194;Đăng ký tạm trú;CU;Cư trú;3;;;;toan_trinh;0;;;;'
           '"TP01 | Tờ khai CT01 | 1 | 0 | 1 | 0\nTP02 | Giấy tờ chỗ ở | 0 | 1 | 1 | 0";'
           '"LP01 | Lệ phí | le_phi | 15000 | 7000 | 0"')
    path = tmp_path / "cat.csv"
    path.write_text(header + "\r\n" + row + "\r\n", encoding="utf-8-sig")
    result = load_catalogue_csv(path)
    assert result.errors == []
    assert result.procedures[0].fees[0].online_amount == 7000
    # Items on separate lines inside one cell (Alt+Enter in Excel).
    assert [c.code for c in result.procedures[0].components] == ["TP01", "TP02"]


def test_csv_writer_refuses_text_it_cannot_encode(tmp_path: Path) -> None:
    p = procedure_from_dict(_good(components=[{"code": "TP01", "name": "A | B"}]))
    with pytest.raises(ValidationError, match="CSV"):
        write_catalogue_csv([p], tmp_path / "x.csv")


def test_csv_missing_columns_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "cat.csv"
    path.write_text("code,name\n1.001193,Đăng ký khai sinh\n", encoding="utf-8")
    result = load_catalogue_csv(path)
    assert result.procedures == []
    assert result.errors[0].row == "Tệp" and "field_code" in result.errors[0].message


# --- issue #16: fees nobody entered, per-page chứng thực fees, time units -----------------------


def test_province_fees_not_entered_are_unknown_not_zero(shipped: list[Procedure]) -> None:
    # Row 1: 15 fees in 14 procedures are set by the provincial council and not entered; "0 đồng"
    # would be printed and sent as Gia: 0. They are None, and the admin's list names them all.
    missing = missing_fee_amounts(shipped)
    assert len(missing) == 15
    assert len({p.code for p, _ in missing}) == 14
    assert all(f.set_by_province and f.amount is None and not f.entered for _, f in missing)
    assert all(fee_charged(f) is None for _, f in missing)
    # Exempt by law is a different thing: khai sinh đúng hạn stays an entered 0.
    khai_sinh = next(p for p in shipped if p.code == "1.001193")
    assert all(f.entered for f in khai_sinh.fees)


def test_amount_may_be_empty_only_for_a_province_fee() -> None:
    fee = {"code": "LP01", "name": "Lệ phí", "kind": "le_phi", "amount": None, "set_by_province": False}
    with pytest.raises(ValidationError, match="mức thu"):
        procedure_from_dict(_good(fees=[fee]))
    p = procedure_from_dict(_good(fees=[{**fee, "set_by_province": True}]))
    assert p.fees[0].amount is None
    assert procedure_from_dict(procedure_to_dict(p)) == p


def test_csv_keeps_an_empty_amount_and_per_page_pricing(tmp_path: Path) -> None:
    p = procedure_from_dict(_good(fees=[
        {"code": "LP01", "name": "Lệ phí", "kind": "le_phi", "amount": None, "set_by_province": True},
        {"code": "PHI01", "name": "Phí chứng thực", "kind": "phi", "amount": 2000, "pricing": "per_page"},
    ], time_unit="calendar_days", processing_days=30, processing_hours=None, cutoff_time=None))
    write_catalogue_csv([p], tmp_path / "c.csv")
    back = load_catalogue_csv(tmp_path / "c.csv")
    assert back.errors == [] and back.procedures == [p]


@pytest.mark.parametrize(("pages", "copies", "expected"), [
    (1, 1, 2_000),        # first page 2.000 đ
    (2, 1, 4_000),        # second page 2.000 đ
    (3, 1, 5_000),        # from the third page 1.000 đ
    (10, 3, 36_000),      # (2×2.000 + 8×1.000) × 3 copies
    (300, 1, 200_000),    # 302.000 đ capped at 200.000 đ per copy
    (300, 2, 400_000),    # the cap is per copy (bản)
])
def test_chung_thuc_fee_per_page_with_tiers_and_cap(shipped: list[Procedure], pages: int, copies: int,
                                                    expected: int) -> None:
    # Row 7: Thông tư 226/2016/TT-BTC Điều 4 khoản 2 — not the 2.000 đ unit price whatever the pages.
    fee = next(p for p in shipped if p.code == "2.000815").fees[0]
    assert fee.pricing == "per_page"
    assert fee_charged(fee, pages=pages, copies=copies) == expected
    assert fee_charged(fee) is None  # without a page count the amount is not known


def test_calendar_day_procedures_say_so(shipped: list[Procedure]) -> None:
    # Row 5: "không quá 30 ngày" (Luật Đất đai 2024 Đ235, Luật Khiếu nại Đ28, Luật Tố cáo Đ30).
    by_code = {p.code: p for p in shipped}
    for code in ("1.012812", "TAM-KNTC-01", "TAM-KNTC-02"):
        assert by_code[code].time_unit == "calendar_days" and by_code[code].processing_days == 30
    assert by_code["1.001193"].time_unit == "working_days"
    with pytest.raises(ValidationError, match="đơn vị thời hạn"):
        procedure_from_dict(_good(time_unit="weeks"))
