"""Shared test factories: a configured database with a small catalogue (importable as tests.factories)."""

from __future__ import annotations

from pathlib import Path

from counter_app.db.catalogue import store_procedures
from counter_app.db.database import CounterDB, open_database
from counter_app.db.setup import SetupInput, run_setup

BIRTH = {
    "code": "1.001193", "name": "Đăng ký khai sinh", "field_code": "HT", "field_name": "Hộ tịch",
    "processing_days": 1, "processing_hours": None, "cutoff_time": None,
    "processing_text": "Ngay trong ngày tiếp nhận; sau 15 giờ thì trong ngày làm việc tiếp theo",
    "online_level": "toan_trinh", "online_only": False, "result_name": "Giấy khai sinh",
    "legal_basis": "Luật Hộ tịch 2014", "source": "test",
    "components": [
        {"code": "TK", "name": "Tờ khai đăng ký khai sinh", "originals": 1, "copies": 0, "required": True,
         "show_only": False},
        {"code": "GCS", "name": "Giấy chứng sinh", "originals": 1, "copies": 0, "required": True,
         "show_only": False},
        {"code": "CCCD", "name": "Căn cước của người đi đăng ký", "originals": 1, "copies": 0, "required": True,
         "show_only": True},
        {"code": "UQ", "name": "Văn bản ủy quyền (nếu có)", "originals": 1, "copies": 0, "required": False,
         "show_only": False},
    ],
    "fees": [{"code": "LP", "name": "Lệ phí", "kind": "le_phi", "amount": 8000, "online_amount": 0,
              "set_by_province": True}],
}
CERT = {
    "code": "2.000815", "name": "Chứng thực bản sao từ bản chính", "field_code": "CT", "field_name": "Chứng thực",
    "processing_days": None, "processing_hours": 4, "cutoff_time": "15:00",
    "processing_text": "Trong ngày; sau 15 giờ thì trong ngày làm việc tiếp theo",
    "online_level": "mot_phan", "online_only": False, "result_name": "Bản sao chứng thực",
    "legal_basis": "Nghị định 23/2015", "source": "test",
    "components": [{"code": "BC", "name": "Bản chính giấy tờ", "originals": 1, "copies": 0, "required": True,
                    "show_only": True},
                   {"code": "BS", "name": "Bản sao cần chứng thực", "originals": 0, "copies": 1, "required": True,
                    "show_only": False}],
    "fees": [{"code": "P", "name": "Phí chứng thực", "kind": "phi", "amount": 2000, "online_amount": None,
              "set_by_province": False}],
}
ONLINE_ONLY = {**BIRTH, "code": "9.999999", "name": "Thủ tục chỉ nộp trực tuyến", "online_only": True}


def make_db(path: Path, agency: str = "H01.37.01", slot: int = 0) -> CounterDB:
    cdb = open_database(path)
    run_setup(cdb, SetupInput(agency_code=agency, agency_name="Trung tâm PVHCC phường Ba Đình",
                              workstation_slot=slot, admin_password="x"))
    store_procedures(cdb, [BIRTH, CERT, ONLINE_ONLY], version="test")
    return cdb

