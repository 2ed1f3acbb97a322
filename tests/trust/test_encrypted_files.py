"""Encryption at rest wired into the app: every stored file is an envelope, every reader decrypts.

All against real encrypted data directories (``vault.setup_encryption``): the real scan pipeline
(OpenCV, reportlab, pypdf), the real forms, the real sync client and worker against the real
simulator process, the real archive check. Nothing of ours is mocked.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import shutil
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from counter_app import crypto, vault
from counter_app.atomicio import sha256_bytes
from counter_app.db import files as dbfiles
from counter_app.db.database import CounterDB
from counter_app.documents.model import FormKind
from counter_app.scanning import output as out
from counter_app.scanning.sources.base import CancelToken, ImageError, ScanSettings
from counter_app.scanning.sources.fileimport import FileImportSource
from counter_app.services.forms import render_form, store_form
from counter_app.sync import mapping
from counter_app.sync import protocol as p
from counter_app.sync.client import ClientConfig, LocalFileProblem, ProvincialClient
from counter_app.sync.worker import LAST_ERROR_KIND_KEY, KeysLocked, SyncConfig, sync_once
from tests.sync.conftest import Counter, RunningSimulator, SimulatorFactory, add_dossiers, build_counter
from tests.trust.trust_helpers import ID_NUMBER, T0, make_data_dir, receive_one, small_page

PASS = "Mật khẩu mã hóa của phường"
OFFICER = "Nguyễn Thị Hằng"
FAST = SyncConfig(backoff_base=0.05, backoff_cap=0.5, catalogue_interval=None)


# ------------------------------------------------------------------------------------ helpers
@pytest.fixture
def enc(tmp_path: Path) -> Iterator[tuple[Path, CounterDB, crypto.KeyRing]]:
    """An encrypted data directory (keys created before any file), its database and its opened keys."""
    data, cdb = make_data_dir(tmp_path / "data")
    ring, _recovery = vault.setup_encryption(data.root, PASS)
    yield data.root, cdb, ring
    cdb.close()
    vault.lock(data.root)


def _component(cdb: CounterDB, dossier_id: int, code: str = "TK") -> int:
    return int(cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = ?",
                          (dossier_id, code)))


def _scan(root: Path, cdb: CounterDB, component_id: int, pages: int = 2) -> out.ComponentFile:
    meta = out.ScanMeta(dossier_code="", component_code="", officer_name=OFFICER, scanned_at=T0,
                        agency_name="Trung tâm PVHCC phường Ba Đình", officer_id=1)
    from counter_app.services.digitise import store_component

    return store_component(cdb, root, component_id, [small_page(i) for i in range(pages)], meta, None, pages)


def _flip(path: Path, at: int | None = None) -> None:
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2 if at is None else at] ^= 0x01
    path.write_bytes(bytes(raw))


# ------------------------------------------------------------------------- (a) scans on disk
def test_scan_is_stored_as_an_envelope_and_reads_back_as_the_pdf(enc: tuple[Path, CounterDB, crypto.KeyRing]) -> None:
    root, cdb, _ring = enc
    dossier_id = receive_one(cdb)
    code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,))
    res = _scan(root, cdb, _component(cdb, dossier_id), pages=2)

    blob = (root / res.rel_path).read_bytes()
    assert blob.startswith(crypto.MAGIC) and res.encrypted
    plain = vault.load(root, res.rel_path)
    # The plaintext carries the dossier code and the officer's name in clear (XMP packet), so
    # their absence from the bytes on disk means something.
    assert code.encode() in plain and OFFICER.encode() in plain and plain.startswith(b"%PDF")
    for clear in (b"%PDF", code.encode(), OFFICER.encode(), "Hằng".encode(), b"MaHoSo", ID_NUMBER.encode()):
        assert clear not in blob
    assert len(PdfReader(io.BytesIO(plain)).pages) == 2
    assert len(pdfium.PdfDocument(plain)) == 2

    # files.sha256/size = bytes on disk (archive check and backups need no key); meta = the PDF.
    row = dbfiles.latest_scan_for_component(cdb, _component(cdb, dossier_id))
    assert row is not None
    assert row["sha256"] == sha256_bytes(blob) == res.sha256 and row["size"] == len(blob) == res.size
    assert row["meta"]["plain_sha256"] == sha256_bytes(plain) == res.plain_sha256
    assert row["meta"]["plain_size"] == len(plain)
    # What sync would send: the plaintext's hash and size.
    ref = mapping.file_ref(cdb, res.uid, root)
    assert ref is not None and (ref.sha256, ref.size) == (sha256_bytes(plain), len(plain))
    assert dbfiles.verify_archive(cdb, root) == []

    # One flipped byte: the archive check sees it without any key, and the envelope refuses to open.
    _flip(root / res.rel_path)
    [problem] = dbfiles.verify_archive(cdb, root)
    assert (problem.file_id, problem.problem) == (res.file_id, "changed")
    with pytest.raises(crypto.DecryptionFailed, match="bị thay đổi hoặc bị chuyển chỗ") as caught:
        vault.load(root, res.rel_path)
    assert caught.value.hint and "sao lưu" in caught.value.hint


def test_an_envelope_copied_over_another_scan_does_not_decrypt(enc: tuple[Path, CounterDB, crypto.KeyRing]) -> None:
    root, cdb, _ring = enc
    first = receive_one(cdb, name="Nguyễn Văn An")
    second = receive_one(cdb, name="Trần Thị Bình", id_number="001099054321")
    a = _scan(root, cdb, _component(cdb, first), pages=1)
    b = _scan(root, cdb, _component(cdb, second), pages=1)
    assert vault.load(root, b.rel_path).startswith(b"%PDF")
    # Someone swaps citizen A's scan in under citizen B's name: it must not show A's papers as B's.
    shutil.copyfile(root / a.rel_path, root / b.rel_path)
    with pytest.raises(crypto.DecryptionFailed, match="chuyển chỗ"):
        vault.load(root, b.rel_path)
    assert {(x.file_id, x.problem) for x in dbfiles.verify_archive(cdb, root)} == {(b.file_id, "changed")}
    assert vault.load(root, a.rel_path).startswith(b"%PDF")  # the original is untouched


def test_plain_directory_stays_plain(tmp_path: Path) -> None:
    data, cdb = make_data_dir(tmp_path / "plain")
    try:
        res = _scan(data.root, cdb, _component(cdb, receive_one(cdb)), pages=1)
        disk = (data.root / res.rel_path).read_bytes()
        assert disk.startswith(b"%PDF") and not res.encrypted
        row = dbfiles.file_by_uid(cdb, res.uid)
        assert row is not None and row["sha256"] == row["meta"]["plain_sha256"] == sha256_bytes(disk)
        assert vault.load(data.root, res.rel_path) == disk
    finally:
        cdb.close()


# --------------------------------------------------------------------------- (b) locked keys
def test_locked_directory_refuses_to_save_and_leaves_nothing(enc: tuple[Path, CounterDB, crypto.KeyRing]) -> None:
    root, cdb, _ring = enc
    dossier_id = receive_one(cdb)
    earlier = _scan(root, cdb, _component(cdb, dossier_id, "GCS"), pages=1)
    files_before = sorted(p for p in (root / "scans").rglob("*") if p.is_file())
    outbox_before = cdb.scalar("SELECT count(*) FROM outbox")
    vault.lock(root)  # a restart where nobody typed the passphrase yet

    with pytest.raises(vault.Locked) as caught:
        _scan(root, cdb, _component(cdb, dossier_id, "TK"), pages=1)
    assert "chưa mở khóa" in caught.value.user_message() and "mật khẩu mã hóa" in caught.value.user_message()
    assert sorted(p for p in (root / "scans").rglob("*") if p.is_file()) == files_before
    assert cdb.scalar("SELECT count(*) FROM files") == 1
    assert cdb.scalar("SELECT count(*) FROM outbox") == outbox_before
    with pytest.raises(vault.Locked):
        store_form(root, "H01", dossier_id, FormKind.RECEIPT, b"%PDF-1.4 form")
    assert not (root / "documents").exists() or not any(p.is_file() for p in (root / "documents").rglob("*"))
    # Readers explain instead of showing garbage.
    with pytest.raises(crypto.DecryptionFailed, match="mở khóa") as read_error:
        vault.load(root, earlier.rel_path)
    assert read_error.value.hint and "mật khẩu mã hóa" in read_error.value.hint


# --------------------------------------------------------------------------- (d) forms, viewers
def test_receipt_form_is_encrypted_and_the_print_preview_path_opens_it(
    enc: tuple[Path, CounterDB, crypto.KeyRing],
) -> None:
    from counter_app.ui.printing import load_pdf  # Qt: the print preview's own loader

    root, cdb, ring = enc
    dossier_id = receive_one(cdb)
    code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,))
    pdf = render_form(cdb, dossier_id, FormKind.RECEIPT)
    path = store_form(root, code, dossier_id, FormKind.RECEIPT, pdf, now=datetime(2026, 10, 5, 9, 1))
    blob = path.read_bytes()
    assert path.is_relative_to(root / "documents") and blob.startswith(crypto.MAGIC) and b"%PDF" not in blob
    assert vault.load_path(path) == pdf
    doc = load_pdf(path)
    assert len(doc) == len(PdfReader(io.BytesIO(pdf)).pages) >= 1
    doc.close()
    # Locked: the preview's loader raises the Vietnamese explanation (preview_pdf shows it).
    vault.lock(root)
    with pytest.raises(crypto.DecryptionFailed) as caught:
        load_pdf(path)
    assert "mở khóa" in caught.value.user_message()
    vault.unlock(root, ring)


def test_supervision_preview_and_file_import_read_encrypted_scans(
    enc: tuple[Path, CounterDB, crypto.KeyRing],
) -> None:
    from counter_app.ui.supervision import _render_first_page

    root, cdb, ring = enc
    res = _scan(root, cdb, _component(cdb, receive_one(cdb)), pages=2)
    image = _render_first_page(res.path)
    assert image.width() > 100 and image.height() > 100

    # Picking an earlier scan again in the scan station (file import): pages come from the plaintext.
    got = list(FileImportSource([res.path]).pages(ScanSettings(dpi=150), CancelToken()))
    assert len(got) == 2 and all(page.meta.get("encrypted") for page in got)
    assert got[0].image.shape[0] > 100

    vault.lock(root)
    with pytest.raises(crypto.DecryptionFailed):
        _render_first_page(res.path)
    with pytest.raises(ImageError, match="Không giải mã được") as caught:
        list(FileImportSource([res.path]).pages(ScanSettings(dpi=150), CancelToken()))
    assert caught.value.hint and "mật khẩu" in caught.value.hint
    vault.unlock(root, ring)


# ------------------------------------------------------------------------------ (c) sync e2e
@pytest.fixture(scope="module")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSimulator]:
    """A simulator that processes dossiers quickly and issues a result document."""
    factory = SimulatorFactory(tmp_path_factory.mktemp("enc-simulator"))
    yield factory.start("--tick", "0.1", "--progress-speed", "0.3", "--supplement-rate", "0")
    factory.close()


def _client(sim: RunningSimulator) -> ProvincialClient:
    return ProvincialClient(ClientConfig(sim.url, "demo", "demo", ca_file=str(sim.cert) if sim.cert else None,
                                         retry_delay=0.01))


_agencies = itertools.count(1)


@pytest.fixture
def enc_counter(tmp_path: Path, simulator: RunningSimulator) -> Iterator[tuple[Counter, crypto.KeyRing]]:
    """A configured counter whose data directory is encrypted before any file is written."""
    # Own agency code per test: dossier codes never collide on the module's simulator.
    counter = build_counter(tmp_path / "counter", endpoint=simulator.url, agency=f"H01.71.{next(_agencies):02d}")
    ring, _ = vault.setup_encryption(counter.root, PASS)
    yield counter, ring
    counter.cdb.close()
    vault.lock(counter.root)


def _entry(cdb: CounterDB, uid: str) -> dict[str, object]:
    rows = [r for r in cdb.query("SELECT * FROM outbox WHERE kind = 'file'")
            if json.loads(r["payload"]).get("file_uid") == uid]
    assert len(rows) == 1
    return rows[0]


def test_sync_sends_plaintext_and_stores_results_encrypted(
    simulator: RunningSimulator, enc_counter: tuple[Counter, crypto.KeyRing],
) -> None:
    counter, _ring = enc_counter
    root, cdb = counter.root, counter.cdb
    good, bad = add_dossiers(counter, 2, files_per_dossier=0, seed=5)
    scan = _scan(root, cdb, _component(cdb, good), pages=2)
    damaged = _scan(root, cdb, _component(cdb, bad), pages=1)
    _flip(root / damaged.rel_path)
    plain = vault.load(root, scan.rel_path)

    with _client(simulator) as client:
        report = sync_once(cdb, root, client, config=FAST)
        assert report.files_uploaded == 1 and report.dossiers_sent == 1, report
        held = {f["file_id"]: f for f in simulator.admin(p.ADMIN_FILES_PATH)["files"]}
        # The province holds the PDF itself, byte for byte — never our envelope.
        assert held[scan.uid]["complete"] and held[scan.uid]["sha256"] == sha256_bytes(plain)
        assert (simulator.data_dir / "files" / scan.uid).read_bytes() == plain
        # The damaged envelope is not sent; its entry is parked with the reason, in Vietnamese.
        assert damaged.uid not in held
        entry = _entry(cdb, damaged.uid)
        assert entry["state"] == "error"
        assert "Không giải mã được tệp" in str(entry["last_error"]) and "chuyển chỗ" in str(entry["last_error"])
        assert _entry(cdb, scan.uid)["state"] == "synced"

        # The province finishes the dossier and issues its result; the counter stores it encrypted.
        deadline = time.monotonic() + 60
        while not cdb.scalar("SELECT count(*) FROM files WHERE dossier_id = ? AND kind = 'result'", (good,)):
            assert time.monotonic() < deadline, cdb.query("SELECT id, status FROM dossiers")
            time.sleep(0.3)
            sync_once(cdb, root, client, config=FAST)
    [result] = dbfiles.files_for_dossier(cdb, good, kind="result")
    on_disk = (root / result["path"]).read_bytes()
    from_province = (simulator.data_dir / "files" / result["uid"]).read_bytes()
    assert on_disk.startswith(crypto.MAGIC) and b"%PDF" not in on_disk
    assert vault.load(root, result["path"]) == from_province and from_province.startswith(b"%PDF")
    assert result["sha256"] == sha256_bytes(on_disk) and result["size"] == len(on_disk)
    province_sha = {f["file_id"]: f["sha256"] for f in simulator.admin(p.ADMIN_FILES_PATH)["files"]}[result["uid"]]
    assert result["meta"]["plain_sha256"] == sha256_bytes(from_province) == province_sha
    assert result["meta"]["plain_size"] == len(from_province)
    assert {x.file_id for x in dbfiles.verify_archive(cdb, root)} == {damaged.file_id}


def test_sync_waits_while_the_keys_are_locked_then_sends(
    simulator: RunningSimulator, enc_counter: tuple[Counter, crypto.KeyRing],
) -> None:
    counter, ring = enc_counter
    root, cdb = counter.root, counter.cdb
    [dossier_id] = add_dossiers(counter, 1, files_per_dossier=0, seed=6)
    scan = _scan(root, cdb, _component(cdb, dossier_id), pages=1)
    vault.lock(root)
    with _client(simulator) as client:
        report = sync_once(cdb, root, client, config=FAST)
        # The pass stops before claiming anything and says why; nothing is charged or parked, so
        # opening the keys heals it without anyone pressing «Gửi lại».
        assert isinstance(report.error, KeysLocked) and "chưa mở khóa" in report.error.user_message()
        assert report.files_uploaded == 0 and report.dossiers_sent == 0
        assert {r["state"] for r in cdb.query("SELECT state FROM outbox")} == {"pending"}
        assert _entry(cdb, scan.uid)["attempts"] == 0
        assert cdb.get_setting(LAST_ERROR_KIND_KEY) == "locked"
        assert scan.uid not in {f["file_id"] for f in simulator.admin(p.ADMIN_FILES_PATH)["files"]}
        # The client's own check, should a pass get that far: the envelope is never sent as such,
        # and the problem is one that heals once the keys are open (retryable, not parked).
        ref = mapping.file_ref(cdb, scan.uid, root)
        assert ref is not None
        with pytest.raises(LocalFileProblem, match="Không giải mã được tệp") as caught:
            client.upload_file(ref.uid, ref.path, name=ref.name, size=ref.size, sha256=ref.sha256)
        assert caught.value.retryable and "mở khóa" in caught.value.user_message()
        assert scan.uid not in {f["file_id"] for f in simulator.admin(p.ADMIN_FILES_PATH)["files"]}
        vault.unlock(root, ring)
        deadline = time.monotonic() + 30
        while _entry(cdb, scan.uid)["state"] != "synced":
            assert time.monotonic() < deadline, _entry(cdb, scan.uid)
            time.sleep(0.2)
            sync_once(cdb, root, client, config=FAST)
    assert (simulator.data_dir / "files" / scan.uid).read_bytes() == vault.load(root, scan.rel_path)


# ------------------------------------------------------------- (5) switching encryption on
def test_encrypt_existing_files_converts_a_plain_archive_resumably(tmp_path: Path) -> None:
    data, cdb = make_data_dir(tmp_path / "data")
    root = data.root
    try:
        first, second = receive_one(cdb), receive_one(cdb, name="Trần Thị Bình", id_number="001099054321")
        scans = [_scan(root, cdb, _component(cdb, first, "TK"), pages=1),
                 _scan(root, cdb, _component(cdb, first, "GCS"), pages=2),
                 _scan(root, cdb, _component(cdb, second, "TK"), pages=1),
                 _scan(root, cdb, _component(cdb, second, "GCS"), pages=1)]
        # A result document downloaded while the directory was plain (kind 'result').
        result_rel = "documents/results/2026-10/kq.pdf"
        result_pdf = b"%PDF-1.4\n" + os.urandom(2000) + b"\n%%EOF\n"
        (root / result_rel).parent.mkdir(parents=True)
        (root / result_rel).write_bytes(result_pdf)
        with cdb.write():
            cdb.conn.execute(
                "INSERT INTO files(uid, dossier_id, kind, path, name, mime, size, sha256, created_at) "
                "VALUES ('kq-1', ?, 'result', ?, 'kq.pdf', 'application/pdf', ?, ?, '2026-10-05 09:00:00')",
                (first, result_rel, len(result_pdf), sha256_bytes(result_pdf)))
        originals = {r["path"]: (root / r["path"]).read_bytes() for r in cdb.query("SELECT path FROM files")}
        assert all(b.startswith(b"%PDF") for b in originals.values()) and len(originals) == 5

        # Not encrypted yet: the job says what to do first.
        with pytest.raises(dbfiles.ValidationError, match="chưa bật mã hóa"):
            dbfiles.encrypt_existing_files(cdb)
        ring, _ = vault.setup_encryption(root, PASS)

        crashed, missing, bitrot = scans[1], scans[2], scans[3]
        # The crash window: an earlier run renamed the envelope into place and died before the row.
        vault.store(root, crashed.rel_path, originals[crashed.rel_path])
        (root / missing.rel_path).unlink()
        _flip(root / bitrot.rel_path)  # changed on disk before the switch: must stay visible
        seen: list[tuple[int, int]] = []
        skipped: list[dbfiles.ArchiveProblem] = []
        assert dbfiles.encrypt_existing_files(cdb, progress=lambda n, t: seen.append((n, t)), skipped=skipped) == 3
        assert seen[-1] == (5, 5)
        assert {(x.file_id, x.problem) for x in skipped} == {(missing.file_id, "missing"),
                                                            (bitrot.file_id, "changed")}
        assert all(x.message() for x in skipped)
        # The damaged file was not blessed: the archive check still reports it (and the missing one).
        assert {(x.file_id, x.problem) for x in dbfiles.verify_archive(cdb, root)} == {
            (missing.file_id, "missing"), (bitrot.file_id, "changed")}
        assert (root / bitrot.rel_path).read_bytes().startswith(b"%PDF")

        converted = [r for r in cdb.query("SELECT * FROM files") if r["id"] not in (missing.file_id, bitrot.file_id)]
        assert len(converted) == 3
        for row in converted:
            disk = (root / row["path"]).read_bytes()
            meta = json.loads(row["meta"] or "{}")
            assert disk.startswith(crypto.MAGIC) and b"%PDF" not in disk
            assert vault.load(root, row["path"]) == originals[row["path"]]
            assert row["sha256"] == sha256_bytes(disk) and row["size"] == len(disk)
            assert meta["plain_sha256"] == sha256_bytes(originals[row["path"]])
            assert meta["plain_size"] == len(originals[row["path"]])
            ref = mapping.file_ref(cdb, row["uid"], root)
            assert ref is not None and ref.sha256 == meta["plain_sha256"]  # sync still sends the PDF's hash

        # Idempotent: a second run changes no row and no byte.
        before_rows = cdb.query("SELECT id, sha256, size, meta FROM files ORDER BY id")
        before_bytes = {r["path"]: (root / r["path"]).read_bytes() for r in converted}
        assert dbfiles.encrypt_existing_files(cdb) == 0
        assert cdb.query("SELECT id, sha256, size, meta FROM files ORDER BY id") == before_rows
        assert {r["path"]: (root / r["path"]).read_bytes() for r in converted} == before_bytes

        # Keys not opened: refused with the Vietnamese explanation, nothing touched.
        vault.lock(root)
        with pytest.raises(vault.Locked, match="chưa mở khóa"):
            dbfiles.encrypt_existing_files(cdb)
        vault.unlock(root, ring)
    finally:
        cdb.close()
        vault.lock(root)
