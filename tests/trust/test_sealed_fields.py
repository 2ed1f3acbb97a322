"""Personal fields sealed in the database (migration 0004, counter_app.db.privacy).

Everything runs against real encrypted data directories (``vault.setup_encryption``) and reads the
raw bytes of the SQLite files: what someone who copies the data directory would see.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app import crypto, vault
from counter_app.db import dossiers as repo
from counter_app.db import guidance, privacy
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ApplicantInput, ComponentInput, ListFilter, ReceptionInput
from counter_app.db.schema import migrations
from counter_app.db.setup import SetupInput, run_setup
from counter_app.domain.calendar import WorkCalendar
from counter_app.errors import CounterError
from counter_app.services.forms import form_dossier
from counter_app.sync import mapping
from counter_app.sync.runner import client_config
from tests.factories import make_db

CAL = WorkCalendar.default()
NOW = datetime(2026, 10, 5, 10, 0)
NAME = "Nguyễn Thị Lan"
ID = "001190012345"
PHONE = "0912345678"
ADDRESS = "Số 17 ngõ Hàng Chuối, phường Hai Bà Trưng, Hà Nội"
EMAIL = "lan.nguyen@example.vn"
BIRTHDAY = date(1990, 5, 1)


def applicant(**kw: object) -> ApplicantInput:
    base: dict[str, object] = dict(full_name=NAME, id_number=ID, date_of_birth=BIRTHDAY, gender="Nữ",
                                   address=ADDRESS, phone=PHONE, email=EMAIL)
    base.update(kw)
    return ApplicantInput(**base)  # type: ignore[arg-type]


def birth(**kw: object) -> ReceptionInput:
    return ReceptionInput(procedure_code="1.001193", applicant=applicant(**kw),
                          components=[ComponentInput("TK"), ComponentInput("GCS"), ComponentInput("CCCD", "shown")],
                          officer_id=1)


def raw_bytes(root: Path) -> bytes:
    """The database as it lies on disk: main file and write-ahead log."""
    return b"".join(p.read_bytes() for p in sorted(root.glob("counter.sqlite3*")) if not p.name.endswith("-shm"))


@pytest.fixture
def enc(tmp_path: Path) -> Iterator[CounterDB]:
    vault.setup_encryption(tmp_path, "pw")
    cdb = make_db(tmp_path / "counter.sqlite3")
    yield cdb
    cdb.close()
    vault.lock(tmp_path)


# ------------------------------------------------------------------------------ reception
def test_reception_leaves_no_personal_field_readable_on_disk(enc: CounterDB, tmp_path: Path) -> None:
    r = repo.receive(enc, birth(), CAL, now=NOW)
    blob = raw_bytes(tmp_path)
    assert NAME.encode() in blob  # names stay plain (the list and the name search need them)
    for secret in (ID, PHONE, ADDRESS, "Hàng Chuối", EMAIL, BIRTHDAY.isoformat()):
        assert secret.encode("utf-8") not in blob, secret
    d = enc.query_one("SELECT * FROM dossiers WHERE id = ?", (r.dossier_id,))
    c = enc.query_one("SELECT * FROM citizens")
    assert d is not None and c is not None
    assert all(d[k].startswith("enc2:") for k in privacy.PERSONAL["dossiers"])  # bound to the dossier too
    # A citizen's fields are bound to the blind index of their ID number (issue #15 item 5).
    assert all(c[k].startswith("enc2:") for k in ("id_number", "address", "phone", "email", "date_of_birth"))
    assert c["old_id_number"] is None  # empty stays empty (NULL), nothing to seal
    assert d["applicant_id_masked"] == "0011******45" and d["phone_masked"] == "*******678"
    assert d["applicant_id_bidx"] and d["phone_bidx"] and c["id_bidx"] == d["applicant_id_bidx"]


def test_list_is_masked_and_full_numbers_find_the_dossier(enc: CounterDB) -> None:
    r = repo.receive(enc, birth(), CAL, now=NOW)
    other = repo.receive(enc, birth(id_number="036085001234", phone="0987654321", full_name="Trần Văn Đức"),
                         CAL, now=NOW)
    rows = {row["id"]: row for row in repo.list_dossiers(enc)}
    assert rows[r.dossier_id]["applicant_id_number"] == "0011******45"
    assert rows[r.dossier_id]["phone"] == "*******678"
    assert rows[other.dossier_id]["applicant_id_number"] == "0360******34"
    for text in (ID, PHONE, "0912 345 678"):
        assert repo.ids(repo.list_dossiers(enc, ListFilter(text=text))) == [r.dossier_id], text
        assert repo.count_dossiers(enc, ListFilter(text=text)) == 1
    assert repo.ids(repo.list_dossiers(enc, ListFilter(text="036085001234"))) == [other.dossier_id]
    assert repo.list_dossiers(enc, ListFilter(text="001190012346")) == []
    # The documented trade-off: a partial number finds nothing once sealed.
    assert repo.list_dossiers(enc, ListFilter(text=ID[:6])) == []
    assert repo.ids(repo.list_dossiers(enc, ListFilter(text="nguyen thi"))) == [r.dossier_id]


def test_readers_get_plain_text(enc: CounterDB) -> None:
    r = repo.receive(enc, birth(), CAL, now=NOW)
    d = repo.dossier_detail(enc, r.dossier_id)
    assert (d["applicant_id_number"], d["phone"], d["applicant_address"], d["email"]) == (ID, PHONE, ADDRESS, EMAIL)
    c = repo.find_citizen(enc, ID)
    assert c is not None
    assert (c["id_number"], c["phone"], c["address"], c["email"], c["date_of_birth"]) == \
        (ID, PHONE, ADDRESS, EMAIL, BIRTHDAY.isoformat())
    assert repo.find_citizen(enc, "001190012346") is None
    form = form_dossier(enc, r.dossier_id)  # what the receipt prints
    assert (form.applicant.id_number, form.applicant.address, form.applicant.phone, form.applicant.email) == \
        (ID, ADDRESS, PHONE, EMAIL)
    wire = mapping.dossier_payload(enc, r.dossier_id)  # what the province receives
    assert (wire["SoGiayToChuHoSo"], wire["SoDienThoai"], wire["Email"]) == (ID, PHONE, EMAIL)
    assert wire["DinhDanhCHS"] == [{"LoaiDinhDanh": 1, "SoDinhDanh": ID}]


def test_returning_citizen_reuses_the_row_through_the_blind_index(enc: CounterDB) -> None:
    repo.receive(enc, birth(), CAL, now=NOW)
    repo.receive(enc, birth(phone="0988000111", id_number=" 001190012345 ".strip()), CAL, now=NOW)
    assert enc.scalar("SELECT count(*) FROM citizens") == 1
    c = repo.find_citizen(enc, ID)
    assert c is not None and c["phone"] == "0988000111"
    # The unique blind index is what keeps one row per citizen now that the numbers are sealed.
    with pytest.raises(sqlite3.IntegrityError), enc.write():
        enc.conn.execute("INSERT INTO citizens(id_number, id_bidx, full_name, name_folded, created_at, updated_at) "
                         "VALUES (?, ?, 'X', 'x', '', '')",
                         (crypto.seal_field(enc.ring, ID, "id_number"),  # type: ignore[arg-type]
                          c["id_bidx"]))
    # A guidance session finds the same citizen by the number.
    res = guidance.record_session(enc, guidance.SessionInput(
        procedure_code="1.001193", outcome="later", applicant=applicant()), now=NOW)
    assert enc.scalar("SELECT citizen_id FROM guidance_sessions WHERE id = ?", (res.session_id,)) == c["id"]


def test_locked_directory_refuses_reception_and_writes_nothing(enc: CounterDB, tmp_path: Path) -> None:
    repo.receive(enc, birth(), CAL, now=NOW)
    tables = ("dossiers", "citizens", "outbox", "audit_log", "dossier_events", "code_sequences", "dossier_components")

    def state() -> tuple[object, ...]:
        return (*(enc.scalar(f"SELECT count(*) FROM {t}") for t in tables),
                enc.scalar("SELECT group_concat(last) FROM code_sequences"),
                enc.scalar("SELECT group_concat(n) FROM dossier_status_counts"))

    before = state()
    vault.lock(tmp_path)
    with pytest.raises(vault.Locked) as info:
        repo.receive(enc, birth(id_number="036085001234"), CAL, now=NOW)
    assert "mở khóa" in info.value.user_message()
    assert state() == before
    with pytest.raises(vault.Locked):
        repo.find_citizen(enc, ID)
    assert len(repo.list_dossiers(enc)) == 1  # the masked list needs no key


def test_sync_password_is_sealed(enc: CounterDB) -> None:
    privacy.set_secret_setting(enc, "sync_password", "mật khẩu đồng bộ")
    raw = enc.get_setting("sync_password")
    assert isinstance(raw, str) and raw.startswith("enc1:") and "đồng bộ" not in raw
    enc.set_setting("provincial_endpoint", "https://motcua.example.vn")
    enc.set_setting("sync_username", "quay01")
    assert client_config(enc).password == "mật khẩu đồng bộ"
    # A value sealed for another setting does not open as this one (the key name is bound).
    enc.set_setting("sync_password", crypto.seal_field(enc.ring, "x", "setting:other"))  # type: ignore[arg-type]
    with pytest.raises(crypto.DecryptionFailed):
        privacy.get_secret_setting(enc, "sync_password")


def test_plain_directory_is_unchanged_apart_from_masked_list(tmp_path: Path) -> None:
    cdb = make_db(tmp_path / "counter.sqlite3")
    r = repo.receive(cdb, birth(), CAL, now=NOW)
    d = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (r.dossier_id,))
    assert d is not None and d["applicant_id_number"] == ID and d["phone"] == PHONE
    assert d["applicant_id_bidx"] is None and d["applicant_id_masked"] == "0011******45"
    assert repo.list_dossiers(cdb)[0]["applicant_id_number"] == "0011******45"
    assert repo.ids(repo.list_dossiers(cdb, ListFilter(text=ID[:6]))) == [r.dossier_id]  # prefix still works
    privacy.set_secret_setting(cdb, "sync_password", "pw")
    assert cdb.get_setting("sync_password") == "pw"
    cdb.close()


# ------------------------------------------------------------------ switching encryption on
def _plain_with_dossiers(root: Path, n: int) -> tuple[CounterDB, list[str]]:
    """A plain counter with ``n`` dossiers of ``n`` citizens (raw inserts: fast, like an old database)."""
    cdb = make_db(root / "counter.sqlite3")
    idns = [f"0011900{i:05d}" for i in range(n)]
    with cdb.write():
        cdb.conn.executemany(
            "INSERT INTO citizens(id, id_number, full_name, name_folded, address, phone, date_of_birth, "
            "created_at, updated_at) VALUES (?, ?, 'Lê Văn Nam', 'le van nam', ?, ?, '1990-01-01', '', '')",
            [(i + 1, idn, f"Số {i} phố Kim Mã", f"0903{i:06d}") for i, idn in enumerate(idns)])
        cdb.conn.executemany(
            "INSERT INTO dossiers(uid, code, procedure_code, citizen_id, applicant_name, applicant_name_folded, "
            "applicant_id_number, applicant_address, phone, applicant_id_masked, phone_masked, status, "
            "received_at, receiving_unit, deciding_unit, regulation_profile, created_at, updated_at) "
            "VALUES (?, ?, '1.001193', ?, 'Lê Văn Nam', 'le van nam', ?, ?, ?, ?, ?, 4, ?, 'U', 'U', 'p', '', '')",
            [(f"u{i}", f"H01.37.01-260901-{i + 1:04d}", i + 1, idn, f"Số {i} phố Kim Mã", f"0903{i:06d}",
              privacy.mask_id_number(idn), privacy.mask_phone(f"0903{i:06d}"), f"2026-09-01 08:{i % 60:02d}:00")
             for i, idn in enumerate(idns)])
    return cdb, idns


def test_seal_existing_is_complete_idempotent_and_resumable(tmp_path: Path) -> None:
    cdb, idns = _plain_with_dossiers(tmp_path, 250)
    with pytest.raises(CounterError, match="chưa bật mã hóa"):
        privacy.seal_existing(cdb)
    vault.setup_encryption(tmp_path, "pw")
    try:
        # Killed after the first committed batch of citizens (progress is reported after each commit).
        calls: list[tuple[int, int]] = []

        def stop_in_citizens(done: int, total: int) -> None:
            calls.append((done, total))
            if done == 350:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            privacy.seal_existing(cdb, batch=100, progress=stop_in_citizens)
        # 250 dossiers + 250 citizens to do, 100 per transaction.
        assert calls == [(0, 500), (100, 500), (200, 500), (250, 500), (350, 500)]
        assert cdb.scalar("SELECT count(*) FROM dossiers WHERE applicant_id_number LIKE 'enc2:%'") == 250
        assert cdb.scalar("SELECT count(*) FROM citizens WHERE id_number LIKE 'enc2:%'") == 100
        # Half-way, both kinds of rows are found: sealed ones by blind index, plain ones by value.
        for idn in (idns[0], idns[200]):
            c = repo.find_citizen(cdb, idn)
            assert c is not None and c["id_number"] == idn

        counts = privacy.seal_existing(cdb, batch=100)
        assert counts == {"dossiers": 0, "citizens": 150, "duplicates": 0}
        assert privacy.seal_existing(cdb, batch=100) == {"citizens": 0, "dossiers": 0, "duplicates": 0}

        cdb.close()  # a restart: new connection, keys still open in this process
        cdb = CounterDB(tmp_path / "counter.sqlite3")
        blob = raw_bytes(tmp_path)
        leaked = [idn for idn in idns if idn.encode() in blob]
        assert leaked == []
        assert b"0903000123" not in blob and "Số 123 phố Kim Mã".encode() not in blob
        for i in (0, 99, 100, 249):
            hits = repo.list_dossiers(cdb, ListFilter(text=idns[i]))
            assert len(hits) == 1 and hits[0]["applicant_id_number"] == privacy.mask_id_number(idns[i])
            assert repo.dossier_detail(cdb, hits[0]["id"])["applicant_address"] == f"Số {i} phố Kim Mã"
            assert len(repo.list_dossiers(cdb, ListFilter(text=f"0903{i:06d}"))) == 1
        # A returning citizen after the switch reuses the sealed row.
        repo.receive(cdb, birth(id_number=idns[7]), CAL, now=NOW)
        assert cdb.scalar("SELECT count(*) FROM citizens") == 250
        assert cdb.scalar("SELECT count(*) FROM dossiers WHERE citizen_id = 8") == 2
    finally:
        cdb.close()
        vault.lock(tmp_path)


OLD_VALUES = [(ID, PHONE), ("", "024 3823 4567"), ("123456789", ""), ("12345", "12345"), ("AB1234567", "+84912345678"),
              ("001 190 012345", "0912.345.678"), ("0011-9001-2345", "0" * 40), ("x" * 40, "091234567")]


def test_migration_0004_keeps_data_and_fills_masks(tmp_path: Path) -> None:
    path = tmp_path / "counter.sqlite3"
    old = CounterDB(path, migrate=False)
    migrations.apply(old.db, stop_before="0004_sealed_personal_fields")
    run_setup(old, SetupInput(agency_code="H01.37.01", agency_name="UBND", workstation_slot=0, admin_password="x"))
    with old.write():
        # Raw rows, not store_procedures: that writes today's catalogue columns, which a database
        # stopped before migration 0004 does not have.
        old.conn.execute("INSERT INTO procedures(code, name, name_folded, field_code, field_name, online_level, data) "
                         "VALUES ('1.001193', 'Khai sinh', 'khai sinh', 'HT', 'Hộ tịch', 'mot_phan', '{}')")
        old.conn.execute("INSERT INTO citizens(id, id_number, full_name, name_folded, phone, created_at, updated_at) "
                         "VALUES (1, ?, ?, 'nguyen thi lan', ?, '', '')", (ID, NAME, PHONE))
        for i, (idn, phone) in enumerate(OLD_VALUES):
            old.conn.execute(
                "INSERT INTO dossiers(uid, code, procedure_code, citizen_id, applicant_name, applicant_name_folded, "
                "applicant_id_number, phone, status, received_at, receiving_unit, deciding_unit, regulation_profile, "
                "created_at, updated_at) VALUES (?, ?, '1.001193', 1, ?, 'nguyen thi lan', ?, ?, 4, "
                "'2026-10-05 09:00:00', 'U', 'U', 'p', '', '')",
                (f"u{i}", f"H01.37.01-261005-{i + 1:04d}", NAME, idn, phone))
    before = old.query("SELECT id, applicant_id_number, phone, status FROM dossiers ORDER BY id")
    assert "applicant_id_masked" not in old.query_one("SELECT * FROM dossiers")  # type: ignore[operator]
    old.close()

    cdb = CounterDB(path)  # migrates
    try:
        assert cdb.query("SELECT id, applicant_id_number, phone, status FROM dossiers ORDER BY id") == before
        masks = [(r["applicant_id_masked"], r["phone_masked"], r["applicant_id_bidx"]) for r in
                 cdb.query("SELECT * FROM dossiers ORDER BY id")]
        assert masks[:3] == [("0011******45", "*******678", None), ("", "********567", None), ("1234***89", "", None)]
        # The migration's SQL masks agree with the ones new rows get, odd values included.
        assert masks == [(privacy.mask_id_number(i), privacy.mask_phone(p), None) for i, p in OLD_VALUES]
        n = len(OLD_VALUES)
        assert repo.status_counts(cdb)[4] == n  # the status triggers survived
        repo.transition(cdb, 1, 9)
        assert repo.status_counts(cdb)[4] == n - 1 and repo.status_counts(cdb)[9] == 1
        assert repo.find_citizen(cdb, ID) is not None
        assert repo.ids(repo.list_dossiers(cdb, ListFilter(text=ID[:6]))) == [1]  # plain: prefix search
        # And the migrated directory can then be switched to encryption.
        vault.setup_encryption(tmp_path, "pw")
        assert privacy.seal_existing(cdb)["dossiers"] == n
        # The blind index is over the normalised number: the same ID written with separators matches.
        assert sorted(repo.ids(repo.list_dossiers(cdb, ListFilter(text=ID)))) == [1, 6, 7]
        assert sorted(repo.ids(repo.list_dossiers(cdb, ListFilter(text="0912345678")))) == [1, 5, 6]
        assert repo.ids(repo.list_dossiers(cdb, ListFilter(text="02438234567"))) == [2]
    finally:
        cdb.close()
        vault.lock(tmp_path)


# ---------------------------------------------------------------------------------- demo
def test_demo_data_in_an_encrypted_directory(tmp_path: Path) -> None:
    from counter_app.demo import generate

    vault.setup_encryption(tmp_path, "pw")
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    try:
        rep = generate(cdb, tmp_path, 120, now=datetime(2026, 10, 5, 16, 0))
        assert rep.dossiers == 120 and rep.files > 0
        assert cdb.scalar("SELECT count(*) FROM dossiers WHERE applicant_id_number NOT LIKE 'enc2:%'") == 0
        assert cdb.scalar("SELECT count(*) FROM citizens WHERE id_number NOT LIKE 'enc2:%' "
                          "OR address NOT LIKE 'enc2:%' OR id_bidx IS NULL") == 0
        some = repo.dossier_detail(cdb, 60)
        assert some["applicant_id_number"].isdigit() and len(some["applicant_id_number"]) == 12
        assert some["applicant_id_number"].encode() not in raw_bytes(tmp_path)
        assert 60 in repo.ids(repo.list_dossiers(cdb, ListFilter(text=some["applicant_id_number"])))
        assert repo.find_citizen(cdb, some["applicant_id_number"]) is not None
        assert sum(repo.status_counts(cdb).values()) == 120
        # Each pool scan is its own envelope; the files rows describe the bytes on disk.
        for f in cdb.query("SELECT DISTINCT path, sha256, size, meta FROM files"):
            on_disk = (tmp_path / f["path"]).read_bytes()
            assert crypto.is_encrypted(on_disk) and len(on_disk) == f["size"]
            plain = vault.load(tmp_path, f["path"])
            assert plain.startswith(b"%PDF") and json.loads(f["meta"])["plain_size"] == len(plain)
        assert str(cdb.get_setting("sync_password")).startswith("enc1:")
        assert privacy.get_secret_setting(cdb, "sync_password") == "demo"
    finally:
        cdb.close()
        vault.lock(tmp_path)


def test_sync_page_saves_the_password_sealed(qtbot: QtBot, enc: CounterDB, tmp_path: Path) -> None:
    from counter_app.ui.sync_page import SyncPage
    from counter_app.ui.tasks import DbWorker

    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    page = SyncPage(worker, None)
    qtbot.addWidget(page)
    try:
        page.endpoint.setText("https://motcua.example.vn")
        page.username.setText("quay01")
        page.password.setText("Bí-mật 2026")
        page.save_config()
        qtbot.waitUntil(lambda: page.password.text() == "", timeout=10000)  # cleared once stored
        raw = enc.get_setting("sync_password")
        assert isinstance(raw, str) and raw.startswith("enc1:")
        assert client_config(enc).password == "Bí-mật 2026"
        assert "Bí-mật".encode() not in raw_bytes(tmp_path)
    finally:
        worker.stop()


def test_list_page_says_why_a_partial_number_finds_nothing(qtbot: QtBot, enc: CounterDB, tmp_path: Path) -> None:
    """The officer types part of an ID: on an encrypted directory the list says to type all of it,
    instead of an empty table that reads as "no such citizen"."""
    from counter_app.ui.dossier_list import DossierListPage
    from counter_app.ui.tasks import DbWorker

    r = repo.receive(enc, birth(), CAL, now=NOW)
    assert repo.search_hint(ID[:6], encrypted=False) is None
    assert repo.search_hint("Nguyễn", encrypted=True) is None
    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    page = DossierListPage(worker, data_root=tmp_path)
    qtbot.addWidget(page)
    page.show()
    try:
        page.refresh()
        qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.encrypted, timeout=10000)
        assert page.hint.isHidden()
        page.search.setText(ID[:6])
        qtbot.waitUntil(lambda: page.hint.isVisible() and page.model.rowCount() == 0, timeout=10000)
        assert "đủ số" in page.hint.text()
        page.search.setText(ID)
        qtbot.waitUntil(lambda: page.hint.isHidden() and page.model.rowCount() == 1, timeout=10000)
        assert page.model.rows[0]["id"] == r.dossier_id
        page.search.setText("0912 345 678")
        qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)
        assert page.hint.isHidden()
    finally:
        worker.stop()
