"""Issue #15 item 5: the archive check opens every envelope with its bound identity.

Attacks by someone with file access who knows the layout (not the keys): a plaintext PDF put in
place of an envelope, two dossiers' envelopes swapped together with their database hashes, two
files' rows swapped (path and all hashes) so one dossier shows another citizen's papers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from counter_app import crypto, vault
from counter_app.atomicio import sha256_bytes
from counter_app.cli import main
from counter_app.db import files as dbfiles
from counter_app.db.database import CounterDB
from tests.trust.trust_helpers import make_data_dir, receive_one, scan_component

PASS = "Hoa-sen-trong-dam-2026"


@pytest.fixture
def two_scans(tmp_path: Path) -> Iterator[tuple[Path, CounterDB, list]]:  # type: ignore[type-arg]
    data, cdb = make_data_dir(tmp_path / "data")
    vault.setup_encryption(data.root, PASS)
    a = scan_component(data.root, cdb, receive_one(cdb, name="Nguyễn Văn An"), seed=1)
    b = scan_component(data.root, cdb, receive_one(cdb, name="Trần Thị Bình", id_number="001099054321"), seed=2)
    yield data.root, cdb, [a, b]
    cdb.close()
    vault.lock(data.root)


def _tool(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / "counter.sqlite3", isolation_level=None)


def test_plaintext_in_place_of_an_envelope_is_reported_even_without_keys(two_scans) -> None:  # type: ignore[no-untyped-def]
    root, cdb, (a, _b) = two_scans
    pdf = vault.load(root, a.rel_path)
    (root / a.rel_path).write_bytes(pdf)  # the attacker's plaintext (here: the real one)
    tool = _tool(root)
    tool.execute("UPDATE files SET sha256 = ?, size = ? WHERE id = ?", (sha256_bytes(pdf), len(pdf), a.file_id))
    tool.close()
    assert [(p.file_id, p.problem) for p in dbfiles.verify_archive(cdb, root)] == [(a.file_id, "plain")]
    vault.lock(root)
    assert [(p.file_id, p.problem) for p in dbfiles.verify_archive(cdb, root)] == [(a.file_id, "plain")]


def test_swapped_envelopes_with_swapped_hashes_fail_the_check(two_scans) -> None:  # type: ignore[no-untyped-def]
    root, cdb, (a, b) = two_scans
    blob_a, blob_b = (root / a.rel_path).read_bytes(), (root / b.rel_path).read_bytes()
    (root / a.rel_path).write_bytes(blob_b)
    (root / b.rel_path).write_bytes(blob_a)
    tool = _tool(root)
    tool.execute("UPDATE files SET sha256 = ?, size = ? WHERE id = ?", (sha256_bytes(blob_b), len(blob_b), a.file_id))
    tool.execute("UPDATE files SET sha256 = ?, size = ? WHERE id = ?", (sha256_bytes(blob_a), len(blob_a), b.file_id))
    tool.close()
    problems = dbfiles.verify_archive(cdb, root)
    assert {(p.file_id, p.problem) for p in problems} == {(a.file_id, "undecryptable"), (b.file_id, "undecryptable")}
    ok, text = dbfiles.archive_report(cdb.path)
    assert not ok and "tráo" in text


def test_swapped_rows_show_the_wrong_papers_and_are_reported(two_scans) -> None:  # type: ignore[no-untyped-def]
    root, cdb, (a, b) = two_scans
    # The paths (and their hashes) swapped between the rows: each envelope decrypts at its own
    # path, but the plaintext is not the document registered for the row.
    tool = _tool(root)
    rows = {r[0]: r[1:] for r in tool.execute("SELECT id, path, sha256, size FROM files")}
    for mine, theirs in ((a.file_id, b.file_id), (b.file_id, a.file_id)):
        tool.execute("UPDATE files SET path = ?, sha256 = ?, size = ? WHERE id = ?", (*rows[theirs], mine))
    tool.close()
    problems = dbfiles.verify_archive(cdb, root)
    assert {(p.file_id, p.problem) for p in problems} == {(a.file_id, "swapped"), (b.file_id, "swapped")}


def test_cli_check_decrypts_with_the_passphrase(two_scans, monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root, cdb, (a, b) = two_scans
    cdb.close()
    (root / a.rel_path).write_bytes((root / b.rel_path).read_bytes())
    tool = _tool(root)
    tool.execute("UPDATE files SET sha256 = (SELECT sha256 FROM files WHERE id = ?), "
                 "size = (SELECT size FROM files WHERE id = ?) WHERE id = ?", (b.file_id, b.file_id, a.file_id))
    tool.close()
    vault.lock(root)
    monkeypatch.setenv("COUNTER_APP_PASSPHRASE", PASS)
    assert main(["check", "--data-dir", str(root)]) == 1
    out = capsys.readouterr().out
    assert "không giải mã được" in out and crypto.MAGIC.decode() not in out


# ---------------------------------------------------------------- sealed fields bound to their row
def _sealed(cdb: CounterDB, dossier_id: int) -> dict:  # type: ignore[type-arg]
    return cdb.query_one("SELECT uid, applicant_id_number, applicant_address, phone FROM dossiers WHERE id = ?",
                         (dossier_id,)) or {}


def test_a_sealed_field_copied_to_another_dossier_does_not_open(tmp_path: Path) -> None:
    from counter_app.db.dossiers import dossier_detail

    data, cdb = make_data_dir(tmp_path / "data")
    vault.setup_encryption(data.root, PASS)
    try:
        a = receive_one(cdb, name="Nguyễn Văn An")
        b = receive_one(cdb, name="Trần Thị Bình", id_number="001099054321")
        stolen = _sealed(cdb, a)
        assert stolen["applicant_address"].startswith("enc2:")  # bound to dossier a's uid
        tool = _tool(data.root)
        tool.execute("UPDATE dossiers SET applicant_address = ? WHERE id = ?", (stolen["applicant_address"], b))
        tool.close()
        assert "Hàng Bông" in dossier_detail(cdb, a)["applicant_address"]
        with pytest.raises(crypto.DecryptionFailed):
            dossier_detail(cdb, b)
    finally:
        cdb.close()
        vault.lock(data.root)


def test_column_only_fields_of_an_older_build_are_rebound_then_refused(tmp_path: Path) -> None:
    from counter_app.db import privacy
    from counter_app.db.dossiers import dossier_detail
    from counter_app.services.encryption import encryption_pending, resume_encryption

    data, cdb = make_data_dir(tmp_path / "data")
    ring, _ = vault.setup_encryption(data.root, PASS)
    try:
        a = receive_one(cdb, name="Nguyễn Văn An")
        b = receive_one(cdb, name="Trần Thị Bình", id_number="001099054321")
        # What an older build stored: sealed to the column only.
        old = {c: crypto.seal_field(ring, v, c) for c, v in
               (("applicant_address", "12 Hàng Bông, Hà Nội"), ("applicant_id_number", "001099012345"))}
        cdb.conn.execute("UPDATE dossiers SET applicant_address = ?, applicant_id_number = ? WHERE id = ?",
                         (old["applicant_address"], old["applicant_id_number"], a))
        cdb.conn.execute("UPDATE citizens SET address = ? WHERE id_number IS NOT NULL",
                         (crypto.seal_field(ring, "12 Hàng Bông, Hà Nội", "address"),))
        # What migration 0006 does to such an installation (test_migration_0006_marks_… below).
        cdb.set_setting(privacy.UNBOUND_SETTING, True)
        assert encryption_pending(cdb)
        assert "Hàng Bông" in dossier_detail(cdb, a)["applicant_address"]  # still opens meanwhile
        resume_encryption(cdb)  # what the app runs at the next start
        assert not encryption_pending(cdb)
        assert _sealed(cdb, a)["applicant_address"].startswith("enc2:")
        assert dossier_detail(cdb, a)["applicant_id_number"] == "001099012345"
        assert all(r[0].startswith("enc2:") for r in cdb.conn.execute("SELECT address FROM citizens"))
        # From now on a column-only value pasted into a dossier (from an old backup) is refused.
        cdb.conn.execute("UPDATE dossiers SET applicant_address = ? WHERE id = ?", (old["applicant_address"], b))
        with pytest.raises(crypto.DecryptionFailed):
            dossier_detail(cdb, b)
    finally:
        cdb.close()
        vault.lock(data.root)


def test_migration_0006_marks_column_only_dossier_fields(tmp_path: Path) -> None:
    from counter_app.db import privacy
    from counter_app.db.schema import migrations

    path = tmp_path / "counter.sqlite3"
    old = CounterDB(path, migrate=False)
    migrations.apply(old.db, stop_before="0006_audit_triggers_and_anchors")
    with old.write():
        old.conn.execute("INSERT INTO procedures(code, name, name_folded, field_code, field_name, online_level, data) "
                         "VALUES ('1.001193', 'Khai sinh', 'khai sinh', 'HT', 'Hộ tịch', 'mot_phan', '{}')")
        old.conn.execute(
            "INSERT INTO dossiers(uid, procedure_code, applicant_name, applicant_name_folded, applicant_address, "
            "status, received_at, receiving_unit, deciding_unit, regulation_profile, created_at, updated_at) "
            "VALUES ('u1', '1.001193', 'A', 'a', 'enc1:00112233aabbccdd:AAAA', 2, '2026-10-05 09:00:00', "
            "'U', 'U', 'p', '', '')")
    old.close()
    cdb = CounterDB(path)
    try:
        assert cdb.get_setting(privacy.UNBOUND_SETTING, False) is True
    finally:
        cdb.close()


def test_cli_encrypt_binds_old_fields_without_a_new_recovery_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from counter_app.db import privacy

    data, cdb = make_data_dir(tmp_path / "data")
    ring, _ = vault.setup_encryption(data.root, PASS)
    a = receive_one(cdb)
    cdb.conn.execute("UPDATE dossiers SET applicant_address = ? WHERE id = ?",
                     (crypto.seal_field(ring, "12 Hàng Bông", "applicant_address"), a))
    cdb.set_setting(privacy.UNBOUND_SETTING, True)
    cdb.close()
    vault.lock(data.root)
    keys_before = (data.root / "keys.json").read_bytes()
    for name, value in (("COUNTER_APP_USER", "admin"), ("COUNTER_APP_PASSWORD", "x"), ("COUNTER_APP_PASSPHRASE", PASS)):
        monkeypatch.setenv(name, value)
    try:
        assert main(["encrypt", "--data-dir", str(data.root)]) == 0
    finally:
        vault.lock(data.root)
    assert "KHÓA KHÔI PHỤC" not in capsys.readouterr().out
    cdb = CounterDB(data.database)
    try:
        assert not cdb.get_setting(privacy.UNBOUND_SETTING, False)
        assert str(_sealed(cdb, a)["applicant_address"]).startswith("enc2:")
    finally:
        cdb.close()
    # The recovery wrapping is untouched (only the audit marker may have been added beside the keys).
    import json

    before, after = json.loads(keys_before), json.loads((data.root / "keys.json").read_bytes())
    assert [k["wrapped"] for k in before["keys"].values()] == [k["wrapped"] for k in after["keys"].values()]


def test_a_sealed_field_copied_to_another_citizen_does_not_open(tmp_path: Path) -> None:
    from counter_app.db.dossiers import find_citizen

    data, cdb = make_data_dir(tmp_path / "data")
    vault.setup_encryption(data.root, PASS)
    try:
        receive_one(cdb, name="Nguyễn Văn An", id_number="001099012345")
        receive_one(cdb, name="Trần Thị Bình", id_number="001099054321")
        rows = {r["full_name"]: r for r in cdb.query("SELECT id, full_name, address FROM citizens")}
        assert rows["Nguyễn Văn An"]["address"].startswith("enc2:")  # bound to the ID number's blind index
        tool = _tool(data.root)
        tool.execute("UPDATE citizens SET address = ? WHERE id = ?",
                     (rows["Nguyễn Văn An"]["address"], rows["Trần Thị Bình"]["id"]))
        tool.close()
        assert "Hàng Bông" in (find_citizen(cdb, "001099012345") or {})["address"]
        with pytest.raises(crypto.DecryptionFailed):
            find_citizen(cdb, "001099054321")
    finally:
        cdb.close()
        vault.lock(data.root)
