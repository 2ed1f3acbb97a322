"""A replica in an encrypted data directory (issue #19 with #15): sealed like the counter's own dossiers.

The province sends another counter's dossier with the applicant's ID number, phone and e-mail in
clear; on this PC they must lie on disk sealed, bound to the replica's row, with the masked copies
the list shows and the blind indexes a whole number is found by — and a second pull re-seals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from counter_app import vault
from counter_app.db import dossiers as repo
from counter_app.db import privacy
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ListFilter
from counter_app.sync import protocol as p
from counter_app.sync import replica
from tests.factories import make_db

ID, PHONE, EMAIL = "001190099887", "0912777888", "chu.ho.so@example.vn"


def item(phone: str = PHONE) -> dict[str, object]:
    return {"MaHoSo": "H01.37.01-261005-1001", "MaTTHC": "1.001193", "TenTTHC": "Đăng ký khai sinh",
            "ChuHoSo": "Phạm Thị Hồng", "SoGiayToChuHoSo": ID, "SoDienThoai": phone, "Email": EMAIL,
            "NgayTiepNhan": "20261005100000", "NgayHenTra": "20261006170000", "TrangThaiHoSo": 2,
            "KenhThucHien": 1, "LoaiDoiTuong": 1, "DonViXuLy": "H01.37.01", "QuaTrinhXuLy": [],
            p.RECEIVING_COUNTER_FIELD: "H01.37.01-1", p.RECEIVING_AGENCY_FIELD: "H01.37.01", p.VERSION_FIELD: 1}


@pytest.fixture
def enc(tmp_path: Path) -> Iterator[CounterDB]:
    vault.setup_encryption(tmp_path, "pw")
    cdb = make_db(tmp_path / "counter.sqlite3")
    yield cdb
    cdb.close()
    vault.lock(tmp_path)


def test_a_replica_is_sealed_found_by_whole_numbers_and_resealed_on_the_next_pull(enc: CounterDB,
                                                                                 tmp_path: Path) -> None:
    now = datetime(2026, 10, 5, 11, 0)
    with enc.write():
        replica.apply_replica(enc, item(), now, local=None)
    row = enc.query_one("SELECT * FROM dossiers WHERE owner_counter <> ''")
    assert row is not None
    assert all(str(row[k]).startswith("enc2:") for k in ("applicant_id_number", "phone", "email"))
    assert row["applicant_id_masked"] == "0011******87" and row["phone_masked"] == "*******888"
    enc.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    blob = b"".join(f.read_bytes() for f in tmp_path.glob("counter.sqlite3*") if not f.name.endswith("-shm"))
    for secret in (ID, PHONE, EMAIL):
        assert secret.encode() not in blob, secret
    assert repo.ids(repo.list_dossiers(enc, ListFilter(text=ID))) == [row["id"]]
    opened = privacy.open_row(enc, "dossiers", dict(row))
    assert opened is not None and (opened["applicant_id_number"], opened["phone"]) == (ID, PHONE)
    # The receiving counter corrected the phone: the next pull brings it, sealed again.
    with enc.write():
        replica.apply_replica(enc, item(phone="0987000111"), now, local={"id": row["id"], "owner_counter": "x"})
    again = privacy.open_row(enc, "dossiers", enc.query_one("SELECT * FROM dossiers WHERE id = ?", (row["id"],)))
    assert again is not None and again["phone"] == "0987000111" and again["phone_masked"] == "*******111"
    assert repo.ids(repo.list_dossiers(enc, ListFilter(text="0987000111"))) == [row["id"]]
