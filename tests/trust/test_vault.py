"""The vault: one way to store and read files, plain or encrypted by installation; headless unlock."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from counter_app import crypto, vault
from counter_app.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def encrypted(tmp_path: Path):  # type: ignore[no-untyped-def]
    ring, recovery = vault.setup_encryption(tmp_path, "mật khẩu thử 1")
    yield tmp_path, ring, recovery
    vault.lock(tmp_path)


def test_plain_directory_stores_plain_bytes(tmp_path: Path) -> None:
    sha, size = vault.store(tmp_path, "scans/a.pdf", b"%PDF-1.7 plain")
    assert (tmp_path / "scans/a.pdf").read_bytes() == b"%PDF-1.7 plain"
    assert size == 14 and len(sha) == 64
    assert vault.load(tmp_path, "scans/a.pdf") == b"%PDF-1.7 plain"
    assert vault.require_ring(tmp_path) is None


def test_encrypted_directory_stores_envelopes_bound_to_their_path(encrypted) -> None:  # type: ignore[no-untyped-def]
    root, _ring, _ = encrypted
    (root / "counter.sqlite3").write_bytes(b"")  # marks the data root for load_path
    vault.store(root, "scans/2026-11/a.pdf", b"%PDF-1.7 Nguyen Van A 001099012345")
    vault.store(root, "scans/2026-11/b.pdf", b"%PDF-1.7 Tran Thi B")
    on_disk = (root / "scans/2026-11/a.pdf").read_bytes()
    assert on_disk.startswith(crypto.MAGIC) and b"%PDF" not in on_disk and b"001099012345" not in on_disk
    assert vault.load(root, "scans/2026-11/a.pdf").endswith(b"001099012345")
    assert vault.load_path(root / "scans/2026-11/a.pdf").startswith(b"%PDF")
    # b's envelope copied over a's name does not show b's citizen under a's dossier
    (root / "scans/2026-11/a.pdf").write_bytes((root / "scans/2026-11/b.pdf").read_bytes())
    with pytest.raises(crypto.DecryptionFailed, match="chuyển chỗ"):
        vault.load(root, "scans/2026-11/a.pdf")


def test_locked_directory_refuses_to_write_plain_and_cannot_read(encrypted) -> None:  # type: ignore[no-untyped-def]
    root, _ring, recovery = encrypted
    vault.store(root, "scans/x.pdf", b"%PDF secret")
    vault.lock(root)
    with pytest.raises(vault.Locked) as info:
        vault.store(root, "scans/y.pdf", b"%PDF would be plain")
    assert "mở khóa" in info.value.user_message()
    assert not (root / "scans/y.pdf").exists()
    with pytest.raises(crypto.DecryptionFailed, match="cần mở khóa"):
        vault.load(root, "scans/x.pdf")
    with pytest.raises(crypto.WrongSecret):
        vault.open_with_passphrase(root, "sai mật khẩu")
    assert vault.ring(root) is None
    vault.open_with_recovery(root, recovery.lower().replace("-", " "))  # as typed from paper
    assert vault.load(root, "scans/x.pdf") == b"%PDF secret"


def test_cli_init_with_passphrase_prints_a_recovery_key_that_opens_the_keys(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    try:
        assert main(["init", "--agency-code", "000.00.00.H99", "--agency-name", "UBND phường Thử",
                     "--admin-password", "Hoa-sen-trong-dam-9", "--data-passphrase", "dữ liệu bí mật",
                     "--data-dir", str(tmp_path)]) == 0
    finally:
        vault.lock(tmp_path)
    out = capsys.readouterr().out
    assert "KHÓA KHÔI PHỤC" in out
    recovery = out.strip().rsplit(" ", 1)[-1]
    assert len(recovery.replace("-", "")) == 26
    crypto.KeyRing.unlock_with_recovery(tmp_path / "keys.json", recovery)
    crypto.KeyRing.unlock_with_passphrase(tmp_path / "keys.json", "dữ liệu bí mật")


def test_cli_init_without_passphrase_warns_that_data_is_plain(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["init", "--agency-code", "000.00.00.H99", "--agency-name", "UBND phường Thử",
                 "--data-dir", str(tmp_path)]) == 0
    assert "KHÔNG được mã hóa" in capsys.readouterr().err
    assert not (tmp_path / "keys.json").exists()


def test_headless_sync_of_an_encrypted_directory_needs_the_passphrase(tmp_path: Path) -> None:
    """A real process without a terminal: a clear message and exit 2, not a traceback or plain writes."""
    vault.setup_encryption(tmp_path, "mật khẩu thử 2")
    vault.lock(tmp_path)
    sqlite3.connect(tmp_path / "counter.sqlite3").close()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "counter_app.cli", "sync", "--once", "--data-dir", str(tmp_path)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 2, out.stderr[-2000:]
    assert "cần mật khẩu mã hóa" in out.stderr and "COUNTER_APP_PASSPHRASE" in out.stderr
    assert "Traceback" not in out.stderr


def test_passphrase_composition_does_not_matter(tmp_path: Path) -> None:
    """Decomposed (NFD) Vietnamese typed in one place opens keys made with NFC in another."""
    import unicodedata

    vault.setup_encryption(tmp_path, unicodedata.normalize("NFC", "mật khẩu Đà Nẵng"))
    vault.lock(tmp_path)
    crypto.KeyRing.unlock_with_passphrase(tmp_path / "keys.json", unicodedata.normalize("NFD", "mật khẩu Đà Nẵng"))


def test_scan_session_pages_waiting_to_be_saved_are_encrypted(encrypted) -> None:  # type: ignore[no-untyped-def]
    """Pages sit in tmp/scan-sessions until the officer saves (and after a crash): ciphertext there too."""
    import numpy as np

    from counter_app.scanning.session import ScanSession

    root, _ring, _ = encrypted
    (root / "counter.sqlite3").write_bytes(b"")
    page = np.full((400, 300, 3), 255, np.uint8)
    page[100:140, 50:250] = 0
    session = ScanSession(root / "tmp" / "scan-sessions" / "s1", dossier_id=7)
    uid = session.add(page, 300, "test").uid
    session.save_manifest()
    stored = [p for p in (root / "tmp" / "scan-sessions" / "s1").glob("*.jpg")]
    assert stored and all(p.read_bytes().startswith(crypto.MAGIC) for p in stored)
    again = ScanSession.reopen(root / "tmp" / "scan-sessions" / "s1")
    assert [p.uid for p in again.pages] == [uid]
    assert again.images(uid, processed=False).shape == page.shape
    vault.lock(root)
    with pytest.raises(vault.Locked):
        again.add(page, 300, "test")


def test_a_database_that_was_encrypted_refuses_to_go_plain_when_keys_json_is_lost(tmp_path: Path) -> None:
    """keys.json deleted (or the directory copied without it): no citizen data is then written in clear."""
    from datetime import datetime

    from counter_app.db import dossiers as repo
    from counter_app.domain.calendar import WorkCalendar
    from tests.factories import make_db

    vault.setup_encryption(tmp_path, "mật khẩu thử 3")
    cdb = make_db(tmp_path / "counter.sqlite3")
    cdb.set_setting(vault.ENCRYPTED_SETTING, True)
    vault.lock(tmp_path)
    (tmp_path / "keys.json").unlink()
    data = repo.ReceptionInput(
        procedure_code="1.001193", applicant=repo.ApplicantInput(full_name="Lê Thị Hoa", id_number="001090012345"),
        components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS"), repo.ComponentInput("CCCD", "shown")])
    with pytest.raises(vault.Locked, match=r"thiếu tệp khóa keys\.json"):
        repo.receive(cdb, data, WorkCalendar.default(), now=datetime(2026, 11, 20, 9, 0))
    assert cdb.scalar("SELECT count(*) FROM dossiers") == 0
    cdb.close()


@pytest.mark.parametrize("damage", ["tail", "not_base64", "no_key_id", "unknown_key"])
def test_a_tampered_sealed_field_gives_a_clear_error(tmp_path: Path, damage: str) -> None:
    """Edited ciphertext in the database: a Vietnamese DecryptionFailed, never KeyError/InvalidTag/binascii."""
    from datetime import datetime

    from counter_app.db import dossiers as repo
    from counter_app.domain.calendar import WorkCalendar
    from tests.factories import make_db

    vault.setup_encryption(tmp_path, "mật khẩu thử 4")
    cdb = make_db(tmp_path / "counter.sqlite3")
    try:
        r = repo.receive(cdb, repo.ReceptionInput(
            procedure_code="1.001193", applicant=repo.ApplicantInput(full_name="Lê Thị Hoa", id_number="001090012345"),
            components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS"), repo.ComponentInput("CCCD", "shown")]),
            WorkCalendar.default(), now=datetime(2026, 11, 20, 9, 0))
        raw = cdb.scalar("SELECT applicant_id_number FROM dossiers WHERE id = ?", (r.dossier_id,))
        bad = {"tail": raw[:-4] + "AAAA", "not_base64": "enc1:deadbeefdeadbeef:!!!", "no_key_id": "enc1:nocolon",
               "unknown_key": "enc1:" + "0" * 16 + raw[21:]}[damage]
        cdb.conn.execute("UPDATE dossiers SET applicant_id_number = ? WHERE id = ?", (bad, r.dossier_id))
        with pytest.raises(crypto.DecryptionFailed) as info:
            repo.dossier_detail(cdb, r.dossier_id)
        assert "keys.json" in info.value.user_message()
    finally:
        cdb.close()
        vault.lock(tmp_path)


class _FakeDpapi:
    """Stands in for Windows' CryptProtectData/CryptUnprotectData (an OS service absent on Linux):
    bytes bound to one Windows account; another account gets the OSError the real call raises."""

    def __init__(self, account: bytes) -> None:
        self.account = account

    def __call__(self, data: bytes, protect: bool) -> bytes:
        import hashlib
        import hmac

        pad = hashlib.sha256(self.account).digest()
        if protect:
            body = bytes(b ^ pad[i % 32] for i, b in enumerate(data))
            return hmac.new(self.account, body, hashlib.sha256).digest() + body
        tag, body = data[:32], data[32:]
        if not hmac.compare_digest(tag, hmac.new(self.account, body, hashlib.sha256).digest()):
            raise OSError("DPAPI: the data was protected for another account")
        return bytes(b ^ pad[i % 32] for i, b in enumerate(body))


def test_windows_key_store_opens_without_passphrase_and_survives_rotation(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key-file side of the DPAPI path (wrapping, rotation, another account), with the OS call faked."""
    monkeypatch.setattr(crypto, "os_key_store_available", lambda: True)
    monkeypatch.setattr(crypto, "_dpapi", _FakeDpapi(b"S-1-5-21-counter-officer"))
    ring, _recovery = vault.setup_encryption(tmp_path, "mật khẩu thử 5")
    vault.store(tmp_path, "scans/a.pdf", b"%PDF before rotation")
    crypto.rotate_data_key(ring, "mật khẩu thử 5")
    vault.store(tmp_path, "scans/b.pdf", b"%PDF after rotation")
    vault.lock(tmp_path)
    opened = vault.open_with_os_store(tmp_path)  # no passphrase typed: the counter PC just starts
    assert opened is not None and len(opened.keys) == 2
    assert vault.load(tmp_path, "scans/a.pdf") == b"%PDF before rotation"
    assert vault.load(tmp_path, "scans/b.pdf") == b"%PDF after rotation"
    vault.lock(tmp_path)
    # The data directory copied to another PC / another Windows account: the key store cannot open it.
    monkeypatch.setattr(crypto, "_dpapi", _FakeDpapi(b"S-1-5-21-someone-else"))
    assert vault.open_with_os_store(tmp_path) is None and vault.ring(tmp_path) is None
    vault.open_with_passphrase(tmp_path, "mật khẩu thử 5")  # the passphrase still works there
    assert vault.load(tmp_path, "scans/b.pdf") == b"%PDF after rotation"
    vault.lock(tmp_path)
