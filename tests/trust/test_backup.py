"""Backups: online snapshot + files with a SHA-256 manifest, rotation, verified restore, start-up check."""

from __future__ import annotations

import json
import os
import random
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from counter_app.db import audit, backup
from counter_app.db.database import CounterDB
from counter_app.db.files import verify_archive
from counter_app.errors import EnvironmentProblem, ValidationError
from counter_app.paths import DataDir
from tests.trust.trust_helpers import ID_NUMBER, make_data_dir, receive_one, scan_component

T = datetime(2026, 10, 5, 17, 0, 0)


@pytest.fixture
def filled(tmp_path: Path) -> tuple[DataDir, CounterDB]:
    data, cdb = make_data_dir(tmp_path / "data")
    for i in range(3):
        dossier = receive_one(cdb, name=f"Công dân {i}", id_number=f"00109901234{i}")
        scan_component(data.root, cdb, dossier, seed=i)
    (data.documents / "mau01.pdf").write_bytes(b"%PDF-1.4 receipt\n%%EOF\n")
    return data, cdb


def test_backup_has_snapshot_files_and_manifest(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, cdb = filled
    usb = tmp_path / "usb"
    result = backup.create_backup(data, usb, now=T)
    assert result.path == usb / "qmc-backup-20261005-170000" and result.files == 4 and not result.warnings
    assert backup.verify_backup(result.path) == []
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["audit_head"] == list(audit.head(cdb))
    for rel, info in manifest["files"].items():
        assert (data.root / rel).read_bytes() == (result.path / rel).read_bytes()
        assert len(info["sha256"]) == 64
    snap = sqlite3.connect(result.path / "counter.sqlite3")
    assert snap.execute("SELECT count(*) FROM dossiers").fetchone()[0] == 3
    assert snap.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # self-contained file
    snap.close()
    backup.record_backup(cdb, result, user_id=1)
    assert audit.recent(cdb, limit=1)[0]["action"] == "backup"
    assert backup.backup_due(cdb) is None  # no folder configured


def test_snapshot_is_online_and_excludes_uncommitted_work(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, _ = filled
    other = CounterDB(data.database, migrate=False)  # a second writer, mid-transaction
    with other.write():
        other.conn.execute("UPDATE dossiers SET note = 'chưa lưu'")
        result = backup.create_backup(data, tmp_path / "usb", now=T)
    other.close()
    snap = sqlite3.connect(result.path / "counter.sqlite3")
    assert snap.execute("SELECT count(*) FROM dossiers WHERE note = 'chưa lưu'").fetchone()[0] == 0
    snap.close()


def test_unchanged_files_are_linked_and_rotation_keeps_n(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, cdb = filled
    usb = tmp_path / "usb"
    first = backup.create_backup(data, usb, now=T, keep=2)
    second = backup.create_backup(data, usb, now=T + timedelta(hours=1), keep=2)
    assert first.bytes_copied > 0 and second.bytes_copied == 0 and second.bytes_linked == first.bytes_copied
    receive_one(cdb, name="Người mới", id_number="001099099999")
    third = backup.create_backup(data, usb, now=T + timedelta(hours=2), keep=2)
    assert third.removed == (first.path,)
    assert [b.path for b in backup.list_backups(usb)] == [third.path, second.path]
    assert backup.verify_backup(second.path) == [] and backup.verify_backup(third.path) == []


def test_interrupted_backup_never_looks_complete(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, _ = filled
    usb = tmp_path / "usb"
    stale = usb / ".partial-qmc-backup-20261004-170000-123"
    (stale / "scans").mkdir(parents=True)
    assert backup.list_backups(usb) == []
    backup.create_backup(data, usb, now=T)
    assert not stale.exists() and len(backup.list_backups(usb)) == 1


def test_unwritable_target_gives_a_clear_message(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, _ = filled
    not_a_dir = tmp_path / "usb"
    not_a_dir.write_bytes(b"")
    with pytest.raises(EnvironmentProblem, match="thư mục sao lưu"):
        backup.create_backup(data, not_a_dir, now=T)


def test_restore_round_trip_then_swap_in(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, cdb = filled
    result = backup.create_backup(data, tmp_path / "usb", now=T)
    restored = tmp_path / "restored"
    report = backup.restore_backup(result.path, restored, user_id=1)
    assert report.files == 4 and report.audit_breaks == ()
    rcdb = CounterDB(restored / "counter.sqlite3")
    assert rcdb.scalar("SELECT count(*) FROM dossiers") == 3
    assert verify_archive(rcdb, restored) == []
    assert audit.verify_chain(rcdb) == [] and audit.recent(rcdb, limit=1)[0]["action"] == "restore"
    rcdb.close()
    cdb.close()
    aside = backup.replace_data_dir(data.root, restored, now=T)
    assert aside.name == "data-hong-20261005-170000" and (aside / "counter.sqlite3").exists()
    assert (data.root / "counter.sqlite3").exists() and not restored.exists()


def test_restore_refuses_a_damaged_backup_and_a_non_empty_target(
    filled: tuple[DataDir, CounterDB], tmp_path: Path
) -> None:
    data, _ = filled
    result = backup.create_backup(data, tmp_path / "usb", now=T)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    with pytest.raises(ValidationError, match="đã có dữ liệu"):
        backup.restore_backup(result.path, busy)
    scan = next((result.path / "scans").rglob("*.pdf"))
    raw = bytearray(scan.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    scan.write_bytes(bytes(raw))
    assert any("scans/" in p for p in backup.verify_backup(result.path))
    with pytest.raises(ValidationError, match="không dùng được"):
        backup.restore_backup(result.path, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()
    assert not list(tmp_path.glob(".restored*"))


def test_manifest_with_path_traversal_is_refused(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, _ = filled
    result = backup.create_backup(data, tmp_path / "usb", now=T)
    mpath = result.path / "manifest.json"
    manifest = json.loads(mpath.read_text(encoding="utf-8"))
    evil = tmp_path / "evil.txt"
    evil.write_text("x")
    manifest["files"]["../../evil.txt"] = {"sha256": "0" * 64, "size": 1}
    mpath.write_text(json.dumps(manifest), encoding="utf-8")
    assert any("không hợp lệ" in p for p in backup.verify_backup(result.path))
    with pytest.raises(ValidationError):
        backup.restore_backup(result.path, tmp_path / "restored")
    assert evil.read_text() == "x"


def test_startup_check_fresh_good_and_temp_files(tmp_path: Path) -> None:
    fresh = DataDir(tmp_path / "fresh").ensure()
    report = backup.startup_check(fresh)
    assert report.ok and report.fresh
    data, cdb = make_data_dir(tmp_path / "data")
    receive_one(cdb)
    cdb.close()
    (data.scans / ".TK-1.pdf.abc123.tmp").write_bytes(b"half")
    report = backup.startup_check(data)
    assert report.ok and not report.fresh and report.temp_files == 1 and "tệp tạm" in report.message()
    assert backup.clean_temp_files(data) == 0  # young: may belong to a write in progress elsewhere
    assert backup.clean_temp_files(data, older_than_seconds=-1) == 1 and backup.startup_check(data).temp_files == 0


def test_startup_check_corrupt_database_names_the_latest_backup(tmp_path: Path) -> None:
    data, cdb = make_data_dir(tmp_path / "data")
    for i in range(30):
        receive_one(cdb, name=f"Công dân {i}", id_number=f"0010990123{i:02d}")
    usb = tmp_path / "usb"
    cdb.set_setting("backup_dir", str(usb))
    backup.create_backup(data, usb, now=T)
    cdb.close()
    size = data.database.stat().st_size
    noise = random.Random(20261206)  # seeded: the same damage on every run
    with data.database.open("r+b") as fh:  # a power cut mid-write on a disk that lies about fsync
        for offset in range(4096 * 2, size, 4096 * 3):
            fh.seek(offset + 100)
            fh.write(noise.randbytes(2000))
    report = backup.startup_check(data)  # finds the USB folder through the backup_dir setting, if readable
    assert not report.ok and report.problems
    if report.latest_backup is None:
        report = backup.startup_check(data, backup_dirs=[usb])
    text = report.message()
    assert "Cách khôi phục" in text and "05/10/2026 17:00" in text and ID_NUMBER not in text


def test_startup_check_survives_many_damage_patterns(tmp_path: Path) -> None:
    """Sixty seeded damage patterns: never an exception, always a report (one in ~60 once raised
    UnicodeDecodeError from quick_check's own message)."""
    data, cdb = make_data_dir(tmp_path / "data")
    for i in range(30):
        receive_one(cdb, name=f"Công dân {i}", id_number=f"0010990123{i:02d}")
    cdb.close()
    original = data.database.read_bytes()
    for seed in range(60):
        data.database.write_bytes(original)
        for ext in ("-wal", "-shm"):
            Path(f"{data.database}{ext}").unlink(missing_ok=True)
        noise = random.Random(seed)
        with data.database.open("r+b") as fh:
            for offset in range(4096 * 2, len(original), 4096 * 3):
                fh.seek(offset + 100)
                fh.write(noise.randbytes(2000))
        report = backup.startup_check(data)
        assert not report.ok and report.problems, seed


def test_startup_check_reports_a_tampered_audit_tail(tmp_path: Path) -> None:
    data, cdb = make_data_dir(tmp_path / "data")
    receive_one(cdb)
    cdb.close()
    conn = sqlite3.connect(data.database)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET user_id = 2 WHERE action = 'receive'")
    conn.commit()
    conn.close()
    report = backup.startup_check(data)
    assert report.ok and any("Nhật ký kiểm tra" in n for n in report.notes)


def test_backup_due_follows_the_schedule(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, cdb = filled
    usb = tmp_path / "usb"
    cdb.set_setting("backup_dir", str(usb))
    assert backup.backup_due(cdb) is None  # USB not plugged in (folder missing): skip quietly
    usb.mkdir()
    assert backup.backup_due(cdb) == usb
    backup.record_backup(cdb, backup.create_backup(data, usb, now=T))
    assert backup.backup_due(cdb) is None
    assert backup.backup_due(cdb, datetime.now() + timedelta(hours=25)) == usb


def test_audit_verify_report_uses_backup_anchors(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, cdb = filled
    usb = tmp_path / "usb"
    cdb.set_setting("backup_dir", str(usb))
    result = backup.create_backup(data, usb, now=T)
    ok, text = backup.audit_verify_report(cdb)
    assert ok and "1 mốc" in text and "nguyên vẹn" in text
    cdb.close()
    # Cut the tail of the log after the backup recorded its head: only the anchor can tell.
    conn = sqlite3.connect(data.database)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE id >= ?", (result.audit_head[0] - 1,))
    conn.commit()
    conn.close()
    cdb = CounterDB(data.database)
    ok, text = backup.audit_verify_report(cdb)
    assert not ok and "PHÁT HIỆN" in text and f"#{result.audit_head[0]}" in text
    cdb.close()


# ------------------------------------------------------------------ schedule status, settings, details
def test_backup_status_says_why_nothing_happens(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, cdb = filled
    st = backup.backup_status(cdb, now=T)
    assert st.folder is None and not st.due and not st.stale and st.keep == backup.DEFAULT_KEEP
    usb = tmp_path / "usb"
    with pytest.raises(ValidationError, match="đường dẫn đầy đủ"):
        backup.save_backup_settings(cdb, "usb", 24, 14, user_id=1)
    with pytest.raises(ValidationError, match="từ 1 đến"):
        backup.save_backup_settings(cdb, str(usb), 0, 14, user_id=1)
    with pytest.raises(ValidationError, match="giữ lại"):
        backup.save_backup_settings(cdb, str(usb), 24, 0, user_id=1)
    backup.save_backup_settings(cdb, str(usb), 6, 3, user_id=1)
    assert audit.recent(cdb, limit=1)[0]["action"] == "settings"
    backup.save_backup_settings(cdb, str(usb), 6, 3, user_id=1)  # unchanged: no second entry
    assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'settings'") == 1
    st = backup.backup_status(cdb, now=T)
    assert st.folder == usb and st.due and not st.folder_present and not st.stale
    assert str(usb) in st.missing_folder_message() and "Sao lưu ngay" in st.missing_folder_message()
    usb.mkdir()
    result = backup.create_backup(data, usb, now=T, keep=st.keep)
    backup.record_backup(cdb, result, user_id=1, now=T)
    st = backup.backup_status(cdb, now=T + timedelta(hours=5))
    assert st.folder_present and not st.due and st.last_at == T and st.last_label() == "Sao lưu gần nhất: 17:00 05/10"
    assert backup.backup_status(cdb, now=T + timedelta(hours=6)).due
    st = backup.backup_status(cdb, now=T + timedelta(hours=12, seconds=1))
    assert st.due and st.stale and "05/10/2026" in st.stale_message()


def test_details_and_verification_states(filled: tuple[DataDir, CounterDB], tmp_path: Path) -> None:
    data, cdb = filled
    usb = tmp_path / "usb"
    result = backup.create_backup(data, usb, now=T)
    (details,) = backup.backup_details(usb)
    assert details.info.path == result.path and details.audit_head == result.audit_head
    assert details.warnings == () and not details.encrypted and details.info.files == 4
    backup.record_verification(cdb, result.path.name, ["Thiếu tệp scans/x.pdf."], now=T)
    assert backup.verification_states(cdb)[result.path.name] == {
        "at": "2026-10-05 17:00:00", "problems": 1, "first": "Thiếu tệp scans/x.pdf."}
    seen: list[tuple[int, int]] = []
    assert backup.verify_backup(result.path, progress=lambda n, t: seen.append((n, t))) == []
    assert seen[0] == (0, 4) and seen[-1] == (4, 4)


# ------------------------------------------------------------------------------------ pending restore
def _file_hashes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and p.parts[-2] != "logs" and not p.name.startswith("counter.sqlite3")}


def test_pending_restore_swaps_at_next_start_and_keeps_the_old_data(
    filled: tuple[DataDir, CounterDB], tmp_path: Path
) -> None:
    data, cdb = filled
    usb = tmp_path / "usb"
    result = backup.create_backup(data, usb, now=T)
    for i in range(2):  # work done after the backup: it must survive in the folder moved aside
        dossier = receive_one(cdb, name=f"Sau sao lưu {i}", id_number=f"00109905555{i}")
        scan_component(data.root, cdb, dossier, seed=10 + i)
    old_files = _file_hashes(data.root)
    assert backup.pending_restore(data.root) is None
    steps: list[tuple[int, int]] = []
    pending = backup.prepare_restore(result.path, data.root, user_id=1, now=T + timedelta(hours=1),
                                     progress=lambda n, t: steps.append((n, t)))
    assert steps[-1] == (8, 8) and pending.restored.name == "data-khoiphuc-20261005-180000"
    assert backup.pending_restore(data.root) == pending and "khởi động lại" in pending.message()
    assert cdb.scalar("SELECT count(*) FROM dossiers") == 5  # the live directory is untouched
    with pytest.raises(ValidationError, match="đang chờ"):
        backup.prepare_restore(result.path, data.root, now=T + timedelta(hours=2))
    cdb.close()
    applied = backup.apply_pending_restore(data.root, now=T + timedelta(hours=3))
    assert applied is not None and applied.aside.name == "data-hong-20261005-200000"
    assert str(applied.aside) in applied.message()
    new = CounterDB(data.database)
    assert new.scalar("SELECT count(*) FROM dossiers") == 3
    assert verify_archive(new, data.root) == [] and audit.verify_chain(new) == []
    last = audit.recent(new, limit=1)[0]
    assert last["action"] == "restore" and last["object_id"] == applied.aside.name
    new.close()
    assert _file_hashes(applied.aside) == old_files  # old directory moved aside intact
    old = CounterDB(applied.aside / "counter.sqlite3", migrate=False)
    assert old.scalar("SELECT count(*) FROM dossiers") == 5
    old.close()
    assert backup.pending_restore(data.root) is None and backup.apply_pending_restore(data.root) is None
    assert not pending.restored.exists() and not list(tmp_path.glob(".*restore-pending*"))


def test_apply_finishes_after_a_power_cut_between_the_renames(
    filled: tuple[DataDir, CounterDB], tmp_path: Path
) -> None:
    data, cdb = filled
    result = backup.create_backup(data, tmp_path / "usb", now=T)
    receive_one(cdb, name="Sau sao lưu", id_number="001099055550")
    cdb.close()
    pending = backup.prepare_restore(result.path, data.root, now=T)
    # Replay the first steps of apply_pending_restore, then "lose power" after the first rename.
    marker = tmp_path / ".data.restore-pending.json"
    m = json.loads(marker.read_text(encoding="utf-8"))
    m["aside_at"] = "2026-10-05 18:00:00"
    marker.write_text(json.dumps(m), encoding="utf-8")
    aside = tmp_path / "data-hong-20261005-180000"
    os.rename(data.root, aside)
    DataDir(data.root).ensure()  # the next start re-creates an empty data directory before applying
    applied = backup.apply_pending_restore(data.root)
    assert applied is not None and applied.aside == aside and not pending.restored.exists()
    new = CounterDB(data.database)
    assert new.scalar("SELECT count(*) FROM dossiers") == 3
    assert new.scalar("SELECT count(*) FROM audit_log WHERE object_id = ?", (aside.name,)) == 1
    new.close()
    old = CounterDB(aside / "counter.sqlite3", migrate=False)
    assert old.scalar("SELECT count(*) FROM dossiers") == 4
    old.close()
    assert not marker.exists()


def test_pending_restore_can_be_cancelled_and_a_forged_marker_is_refused(
    filled: tuple[DataDir, CounterDB], tmp_path: Path
) -> None:
    data, cdb = filled
    result = backup.create_backup(data, tmp_path / "usb", now=T)
    pending = backup.prepare_restore(result.path, data.root, now=T)
    assert backup.cancel_pending_restore(data.root) and not pending.restored.exists()
    assert backup.pending_restore(data.root) is None and not backup.cancel_pending_restore(data.root)
    victim = tmp_path / "other"
    victim.mkdir()
    (tmp_path / ".data.restore-pending.json").write_text(json.dumps(
        {"format": 1, "restored": "../other", "backup": "x", "requested_at": "2026-10-05 17:00:00"}),
        encoding="utf-8")
    with pytest.raises(EnvironmentProblem, match="không đúng định dạng"):
        backup.apply_pending_restore(data.root)
    assert victim.is_dir() and data.database.exists() and cdb.scalar("SELECT count(*) FROM dossiers") == 3
    # Valid JSON that is not an object: the same clear refusal, not an AttributeError at start-up.
    (tmp_path / ".data.restore-pending.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(EnvironmentProblem, match="không đúng định dạng"):
        backup.pending_restore(data.root)


def test_restore_of_an_encrypted_directory_brings_its_keys(tmp_path: Path) -> None:
    from counter_app import vault

    data, cdb = make_data_dir(tmp_path / "data")
    vault.setup_encryption(data.root, "mật khẩu mã hóa")
    try:
        vault.store(data.root, "scans/2026/10/x/TK.pdf", b"%PDF-1.7 noi dung ban quet\n%%EOF\n")
        assert b"noi dung" not in (data.scans / "2026/10/x/TK.pdf").read_bytes()
        result = backup.create_backup(data, tmp_path / "usb", now=T)
        (details,) = backup.backup_details(tmp_path / "usb")
        assert details.encrypted and b"noi dung" not in (result.path / "scans/2026/10/x/TK.pdf").read_bytes()
        cdb.close()
        backup.prepare_restore(result.path, data.root, now=T)
        (data.root / "keys.json").unlink()  # the live key file lost: the backup's copy comes back
        backup.apply_pending_restore(data.root, now=T)
        vault.lock(data.root)  # a restart: keys are opened again from the restored key file
        vault.open_with_passphrase(data.root, "mật khẩu mã hóa")
        assert vault.load(data.root, "scans/2026/10/x/TK.pdf").startswith(b"%PDF-1.7 noi dung")
    finally:
        vault.lock(data.root)


def test_signing_keys_travel_in_the_backup_and_sign_after_restore(tmp_path: Path) -> None:
    """Issue #15 item 14: ``certs/`` is backed up; a restored directory signs a scan at once."""
    from counter_app.scanning import output as out
    from counter_app.scanning import signing
    from tests.trust.trust_helpers import small_page

    data, cdb = make_data_dir(tmp_path / "data")
    rel = "certs/canbo.p12"
    signing.create_demo_certificate("Trần Thị Bình", data.root / rel, "mat-khau-ky", days=30)
    with cdb.write():
        cdb.conn.execute("UPDATE users SET signing_cert_path = ? WHERE id = 1", (rel,))
    made = backup.create_backup(data, tmp_path / "usb", now=T)
    cdb.close()
    assert rel in json.loads((made.path / "manifest.json").read_text(encoding="utf-8"))["files"]
    restored = backup.restore_backup(made.path, tmp_path / "restored").root
    cdb2 = CounterDB(restored / "counter.sqlite3")
    path = restored / cdb2.scalar("SELECT signing_cert_path FROM users WHERE id = 1")
    cdb2.close()
    signer = signing.OfficerSigner.from_pkcs12(path, "mat-khau-ky")
    page = small_page()
    meta = out.ScanMeta(dossier_code="H01.37.01-261005-0001", component_code="TK", officer_name="Trần Thị Bình",
                        scanned_at=T)
    pdf = signing.sign_pdf(out.build_component_pdf([page], meta), signer, out.stamp_box(page, meta))
    check = signing.check_signature(pdf, [signer.certificate])
    assert check.intact and check.valid and check.signer_name == "Trần Thị Bình"
