"""Encryption at rest: envelopes, key file (passphrase, recovery key), rotation, sealed fields."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from counter_app import crypto
from counter_app.atomicio import sha256_file
from tests.trust.trust_helpers import ID_NUMBER, small_page

PASS = "Mật khẩu mã hóa của phường"
REL = "scans/2026/10/H01.37.01-261005-0001/TK-20261005-090000.pdf"


@pytest.fixture
def ring(tmp_path: Path) -> tuple[crypto.KeyRing, str]:
    return crypto.create_key_file(tmp_path / "keys.json", PASS, now=datetime(2026, 10, 5))


def test_key_file_holds_no_key_in_clear(ring: tuple[crypto.KeyRing, str]) -> None:
    r, recovery = ring
    text = r.path.read_text(encoding="utf-8")
    key = r.active_key[1]
    assert key.hex() not in text and crypto._b64(key) not in text and PASS not in text
    assert len(recovery.replace("-", "")) == 26 and recovery.count("-") == 6
    assert recovery.replace("-", "") not in text


def test_envelope_round_trip_and_what_a_copier_sees(ring: tuple[crypto.KeyRing, str]) -> None:
    r, _ = ring
    plain = b"%PDF-1.4 ... Nguyen Van An " + ID_NUMBER.encode() + b" ... %%EOF"
    blob = crypto.encrypt_bytes(r, plain, REL)
    assert crypto.is_encrypted(blob) and b"%PDF" not in blob and ID_NUMBER.encode() not in blob
    assert crypto.encrypt_bytes(r, plain, REL) != blob  # random nonce every time
    assert crypto.decrypt_bytes(r, blob, REL) == plain
    with pytest.raises(crypto.DecryptionFailed, match="chuyển chỗ"):
        crypto.decrypt_bytes(r, blob, REL.replace("TK", "GCS"))  # swapped to another component's name
    tampered = bytearray(blob)
    tampered[-20] ^= 1
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_bytes(r, bytes(tampered), REL)
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt_bytes(r, plain, REL)


def test_passphrase_recovery_and_change(ring: tuple[crypto.KeyRing, str], tmp_path: Path) -> None:
    r, recovery = ring
    blob = crypto.encrypt_bytes(r, b"scan", REL)
    with pytest.raises(crypto.WrongSecret):
        crypto.KeyRing.unlock_with_passphrase(r.path, "sai mật khẩu")
    assert crypto.decrypt_bytes(crypto.KeyRing.unlock_with_passphrase(r.path, PASS), blob, REL) == b"scan"
    # Forgotten passphrase: the printed recovery key, typed sloppily (lower case, spaces, 0 for O).
    sloppy = recovery.lower().replace("-", " ").replace("o", "0")
    rescued = crypto.KeyRing.unlock_with_recovery(r.path, sloppy)
    rescued.change_passphrase("Mật khẩu mới")
    with pytest.raises(crypto.WrongSecret):
        crypto.KeyRing.unlock_with_passphrase(r.path, PASS)
    again = crypto.KeyRing.unlock_with_passphrase(r.path, "Mật khẩu mới")
    assert crypto.decrypt_bytes(again, blob, REL) == b"scan"  # no file was re-encrypted
    with pytest.raises(crypto.WrongSecret):
        crypto.KeyRing.unlock_with_recovery(r.path, "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG")


def test_missing_or_damaged_key_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(crypto.KeyFileError, match="Không tìm thấy"):
        crypto.KeyRing.unlock_with_passphrase(tmp_path / "keys.json", PASS)
    (tmp_path / "keys.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(crypto.KeyFileError, match="bị hỏng"):
        crypto.KeyRing.unlock_with_passphrase(tmp_path / "keys.json", PASS)


def test_rotation_keeps_old_files_readable_and_reencrypts(ring: tuple[crypto.KeyRing, str]) -> None:
    r, old_recovery = ring
    old_id = r.active
    old_blob = crypto.encrypt_bytes(r, b"old scan", REL)
    index_before = crypto.blind_index(r, ID_NUMBER)
    new_id, new_recovery = crypto.rotate_data_key(r, PASS)
    assert new_id != old_id and r.active == new_id
    reopened = crypto.KeyRing.unlock_with_passphrase(r.path, PASS)
    assert set(reopened.keys) == {old_id, new_id} and reopened.active == new_id
    assert crypto.decrypt_bytes(reopened, old_blob, REL) == b"old scan"
    moved = crypto.reencrypt_bytes(reopened, old_blob, REL)
    assert moved[5:13].hex() == new_id and crypto.decrypt_bytes(reopened, moved, REL) == b"old scan"
    assert crypto.blind_index(reopened, ID_NUMBER) == index_before  # look-ups survive rotation
    crypto.KeyRing.unlock_with_recovery(r.path, new_recovery)
    with pytest.raises(crypto.WrongSecret):
        crypto.KeyRing.unlock_with_recovery(r.path, old_recovery)
    json.loads(r.path.read_text(encoding="utf-8"))  # saved atomically, still valid


def test_sealed_fields_and_blind_index(ring: tuple[crypto.KeyRing, str]) -> None:
    r, _ = ring
    sealed = crypto.seal_field(r, ID_NUMBER, "applicant_id_number")
    assert sealed.startswith("enc1:") and ID_NUMBER not in sealed
    assert crypto.open_field(r, sealed, "applicant_id_number") == ID_NUMBER
    with pytest.raises(crypto.DecryptionFailed):
        crypto.open_field(r, sealed, "phone")  # a value copied into another column does not open
    assert crypto.open_field(r, "chưa mã hóa", "address") == "chưa mã hóa"
    rows = [{"applicant_id_number": crypto.seal_field(r, f"00109901234{i}", "applicant_id_number"),
             "phone": crypto.seal_field(r, "0912345678", "phone")} for i in range(3)]
    crypto.open_fields(r, rows, ("applicant_id_number", "phone"))
    assert [row["applicant_id_number"] for row in rows] == [f"00109901234{i}" for i in range(3)]
    assert crypto.blind_index(r, ID_NUMBER) == crypto.blind_index(r, ID_NUMBER) != crypto.blind_index(r, "0")


def test_encrypted_scan_through_the_real_pdf_builder(ring: tuple[crypto.KeyRing, str], tmp_path: Path) -> None:
    from counter_app.scanning import output as out

    r, _ = ring
    meta = out.ScanMeta(dossier_code="H01.37.01-261005-0001", component_code="TK", officer_name="Trần Thị Bình",
                        scanned_at=datetime(2026, 10, 5, 9))
    pdf = out.build_component_pdf([small_page()], meta)
    sha, size = crypto.write_file(r, tmp_path, REL, pdf)
    on_disk = (tmp_path / REL).read_bytes()
    assert sha == sha256_file(tmp_path / REL) and size == len(on_disk)  # hash of what is on disk
    assert b"H01.37.01" not in on_disk and "Trần".encode() not in on_disk  # metadata is hidden too
    back = crypto.read_file(r, tmp_path, REL)
    assert back == pdf and len(PdfReader(io.BytesIO(back)).pages) == 1
    crypto.write_file(None, tmp_path, "scans/plain.pdf", pdf)  # before encryption was switched on
    assert crypto.read_file(r, tmp_path, "scans/plain.pdf") == pdf
    with pytest.raises(crypto.DecryptionFailed, match="mở khóa"):
        crypto.read_file(None, tmp_path, REL)
