"""Digitised component output: PDF build, stamp, PAdES signature, storage and registration.

Real parts only: synthetic pages drawn with OpenCV, the real reportlab/pypdf/pyHanko stack,
poppler's pdftoppm/pdftotext to look at the result, and a real CounterDB from tests.factories.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy as np
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from counter_app.atomicio import sha256_file
from counter_app.db import files as dbfiles
from counter_app.db.database import CounterDB
from counter_app.db.dossiers import ApplicantInput, ComponentInput, ReceptionInput, receive
from counter_app.domain.calendar import WorkCalendar
from counter_app.errors import ValidationError
from counter_app.scanning import output as out
from counter_app.scanning import signing
from counter_app.services.digitise import store_component
from tests.factories import make_db

OFFICER = "Nguyễn Thị Hằng"
AGENCY = "Trung tâm PVHCC phường Ba Đình"
PASSPHRASE = "mật-khẩu-thử"
SCANNED_AT = datetime(2026, 10, 5, 10, 30)
A4_300 = (2480, 3508)  # 210 × 297 mm at 300 dpi
CARD_300 = (1011, 638)  # 85.6 × 54 mm at 300 dpi
SEAL_RED_BGR = (40, 40, 205)

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")), reason="poppler-utils not installed"
)


# ------------------------------------------------------------------------------------ fixtures
def synthetic_page(size: tuple[int, int], seed: int = 0, seal: bool = True) -> np.ndarray:
    """A light paper page with lines of dark text and a red seal circle in the lower right."""
    w, h = size
    rng = np.random.default_rng(seed)
    img = np.full((h, w, 3), 246, np.uint8)
    scale = w / 2480
    for k, y in enumerate(range(int(500 * scale), int(h * 0.75), max(12, int(70 * scale)))):
        cv2.putText(img, f"Dong {k} van ban hanh chinh 0123456789", (int(220 * scale), y),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.5 * scale, (25, 25, 25), max(1, int(3 * scale)))
    if seal:
        cx, cy, r = int(w * 0.72), int(h * 0.84), int(min(w, h) * 0.1)
        cv2.circle(img, (cx, cy), r, SEAL_RED_BGR, max(3, int(20 * scale)))
        cv2.circle(img, (cx, cy), int(r * 0.7), SEAL_RED_BGR, max(2, int(8 * scale)))
    noise = rng.integers(0, 4, img.shape, dtype=np.uint8)
    return cv2.add(img, noise)


def seal_center(size: tuple[int, int]) -> tuple[float, float, float]:
    """Seal centre and outer radius as fractions of the page (x, y from top-left, r of min side)."""
    return 0.72, 0.84, 0.1


def meta(**kw: object) -> out.ScanMeta:
    base: dict[str, object] = dict(dossier_code="H01.37.01-261005-0001", component_code="TK",
                                   officer_name=OFFICER, scanned_at=SCANNED_AT, agency_name=AGENCY,
                                   component_name="Tờ khai đăng ký khai sinh")
    base.update(kw)
    return out.ScanMeta(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def a4_pages() -> list[out.PageImage]:
    return [out.PageImage(synthetic_page(A4_300, seed=i, seal=(i == 0)), 300) for i in range(2)]


@pytest.fixture(scope="module")
def a4_pdf(a4_pages: list[out.PageImage]) -> bytes:
    return out.build_component_pdf(a4_pages, meta(), out.OutputOptions(doc_type=out.DocType.CERTIFICATE))


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("certs")


@pytest.fixture(scope="module")
def p12(cert_dir: Path) -> Path:
    return signing.create_demo_certificate(OFFICER, cert_dir / "officer.p12", PASSPHRASE, days=30)


@pytest.fixture(scope="module")
def officer(p12: Path) -> signing.OfficerSigner:
    return signing.OfficerSigner.from_pkcs12(p12, PASSPHRASE)


@pytest.fixture(scope="module")
def signed_pdf(a4_pdf: bytes, a4_pages: list[out.PageImage], officer: signing.OfficerSigner) -> bytes:
    return signing.sign_pdf(a4_pdf, officer, out.stamp_box(a4_pages[0], meta()), location=AGENCY)


def _render(pdf: bytes, tmp_path: Path, dpi: int) -> np.ndarray:
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", str(src), str(tmp_path / "r")],
                   check=True, timeout=60)
    img = cv2.imread(str(next(tmp_path.glob("r*.png"))), cv2.IMREAD_COLOR)
    assert img is not None
    return img


def _validate(pdf: bytes, trust: list[object]) -> object:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    (sig,) = reader.embedded_signatures
    vc = ValidationContext(trust_roots=trust, allow_fetching=False)
    return validate_pdf_signature(sig, signer_validation_context=vc)


# ---------------------------------------------------------------------------------- PDF build
def test_a4_pdf_structure_size_colour_and_metadata(a4_pdf: bytes, a4_pages: list[out.PageImage]) -> None:
    assert a4_pdf.startswith(b"%PDF-1.")
    assert int(a4_pdf[7:8]) >= 4  # PDF 1.4 or later (DOMAIN §6)
    reader = PdfReader(io.BytesIO(a4_pdf))
    assert len(reader.pages) == 2
    for page, src in zip(reader.pages, a4_pages, strict=True):
        box = page.mediabox
        assert float(box.width) == pytest.approx(595.3, abs=1)  # 100 % scale: A4 = 210 mm
        assert float(box.height) == pytest.approx(841.9, abs=1)
        images = [obj.get_object() for obj in page["/Resources"]["/XObject"].values()]
        (img,) = [o for o in images if o["/Subtype"] == "/Image"]
        filters = img["/Filter"]
        # JPEG passed through as is: no ASCII85 wrapper, no re-encoding to Flate
        assert [str(f) for f in (filters if isinstance(filters, list) else [filters])] == ["/DCTDecode"]
        assert img["/ColorSpace"] == "/DeviceRGB"
        assert (img["/Width"], img["/Height"]) == (src.image.shape[1], src.image.shape[0])
        # Effective resolution = pixels / physical size ≥ 200 dpi.
        assert img["/Width"] / (float(box.width) / 72) >= 200
        data = img.get_data()
        assert data[:2] == b"\xff\xd8"
        decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
        assert decoded.ndim == 3 and decoded.shape[2] == 3
    info = reader.metadata
    assert info is not None
    assert info["/Author"] == OFFICER
    assert "H01.37.01-261005-0001" in info["/Subject"] and "TK" in info["/Subject"]
    assert info["/Title"].startswith("Tờ khai đăng ký khai sinh")
    assert "/CreationDate" in info and info["/CreationDate"].startswith("D:20261005103000+07")
    assert info["/MaHoSo"] == "H01.37.01-261005-0001"
    assert info["/MaThanhPhan"] == "TK"
    assert info["/CanBo"] == OFFICER
    assert info["/SoTrang"] == "2"
    assert info["/ThoiDiemSoHoa"] == "2026-10-05 10:30:00"


def test_embedded_jpeg_is_not_reencoded(a4_pages: list[out.PageImage]) -> None:
    """The XObject stream is exactly the JPEG we encoded (guards the reportlab pass-through)."""
    opts = out.OutputOptions(doc_type=out.DocType.TEXT)
    pdf = out.build_component_pdf(a4_pages[:1], meta(), opts)
    expected = out._encode_jpeg(a4_pages[0].image, opts.profile())
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    (img,) = [o.get_object() for o in page["/Resources"]["/XObject"].values()]
    assert img._data == expected


def test_id_card_keeps_card_size() -> None:
    card = out.PageImage(synthetic_page(CARD_300, seal=False), 300)
    pdf = out.build_component_pdf([card], meta(component_code="CCCD"), out.OutputOptions(doc_type="photo_id"))
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) == pytest.approx(85.6 / 25.4 * 72, abs=1)
    assert float(box.height) == pytest.approx(54 / 25.4 * 72, abs=1)
    x1, y1, x2, y2 = out.stamp_box(card, meta())
    assert 0 < x1 < x2 <= float(box.width) and 0 < y1 < y2 <= float(box.height)  # stamp fits the card


def test_quality_follows_document_type(a4_pages: list[out.PageImage]) -> None:
    page = a4_pages[:1]
    text = out.build_component_pdf(page, meta(), out.OutputOptions(doc_type=out.DocType.TEXT))
    photo = out.build_component_pdf(page, meta(), out.OutputOptions(doc_type=out.DocType.PHOTO_ID))
    assert out.JPEG_PROFILES[out.DocType.TEXT].quality == 75
    assert out.JPEG_PROFILES[out.DocType.PHOTO_ID].quality == 88
    assert len(photo) > len(text) * 1.2


def test_low_dpi_is_rejected_unless_allowed() -> None:
    page = out.PageImage(synthetic_page((1240, 1754), seal=False), 150)  # A4 at 150 dpi
    with pytest.raises(ValidationError, match="150 dpi") as exc:
        out.build_component_pdf([page], meta())
    assert "200 dpi" in exc.value.user_message()
    pdf = out.build_component_pdf([page], meta(), out.OutputOptions(allow_low_dpi=True))
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert float(box.width) == pytest.approx(595.3, abs=1)  # still physical size


def test_no_pages_and_grey_pages() -> None:
    with pytest.raises(ValidationError, match="Chưa có trang"):
        out.build_component_pdf([], meta())
    grey = cv2.cvtColor(synthetic_page((1654, 2339), seal=False), cv2.COLOR_BGR2GRAY)  # A4 at 200 dpi
    pdf = out.build_component_pdf([(grey, 200)], meta())  # plain tuples are accepted too
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    (img,) = [o.get_object() for o in page["/Resources"]["/XObject"].values()]
    assert img["/ColorSpace"] == "/DeviceRGB"  # the rule says colour


@needs_poppler
def test_rendered_page_keeps_red_seal_and_shows_stamp(
    signed_pdf: bytes, a4_pages: list[out.PageImage], tmp_path: Path
) -> None:
    img = _render(signed_pdf, tmp_path, 100)
    h, w = img.shape[:2]
    assert (w, h) == pytest.approx((827, 1170), abs=2)  # A4 at 100 dpi
    # Red seal: sample the outer ring on its left side.
    fx, fy, fr = seal_center(A4_300)
    r = fr * min(A4_300) / 3  # 300 -> 100 dpi
    ring = img[int(fy * h) - 4:int(fy * h) + 5, int(fx * w - r) - 4:int(fx * w - r) + 5]
    hsv = cv2.cvtColor(ring, cv2.COLOR_BGR2HSV).reshape(-1, 3)
    red = [(hh <= 10 or hh >= 170) and s > 120 and v > 100 for hh, s, v in hsv]
    assert sum(red) >= len(red) // 3, hsv
    # Stamp top-left: dark text pixels on a light box inside the stamp rectangle.
    x1, y1, x2, y2 = out.stamp_box(a4_pages[0], meta())
    k = 100 / 72
    area = cv2.cvtColor(img[int((842 - y2) * k):int((842 - y1) * k), int(x1 * k):int(x2 * k)], cv2.COLOR_BGR2GRAY)
    assert area.shape[0] > 20 and area.shape[1] > 100
    assert (area < 100).mean() > 0.03  # text
    assert np.median(area) > 200       # on a light background
    assert x1 < 30 and (842 - y2) < 30  # top-left corner


@needs_poppler
def test_text_layer_has_officer_name_with_diacritics(signed_pdf: bytes, tmp_path: Path) -> None:
    src = tmp_path / "s.pdf"
    src.write_bytes(signed_pdf)
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-enc", "UTF-8", str(src), "-"],
                          check=True, capture_output=True, timeout=60).stdout.decode("utf-8")
    assert f"Số hóa bởi: {OFFICER}" in text
    assert "Thời điểm: 10:30 05/10/2026" in text
    assert AGENCY in text


# -------------------------------------------------------------------------------------- signing
def test_signature_is_pades_intact_valid_and_trusted(signed_pdf: bytes, officer: signing.OfficerSigner) -> None:
    status = _validate(signed_pdf, [officer.certificate])
    assert status.intact and status.valid and status.trusted  # type: ignore[attr-defined]
    assert status.coverage.name == "ENTIRE_FILE"  # type: ignore[attr-defined]
    reader = PdfFileReader(io.BytesIO(signed_pdf), strict=False)
    (sig,) = reader.embedded_signatures
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert sig.sig_object["/Name"] == OFFICER
    # The widget sits on page 1 where the stamp is (TT 01/2023 Đ8: signature position top-left).
    rect = [float(v) for v in sig.sig_field["/Rect"]]
    assert rect[0] < 30 and rect[3] > 842 - 30
    # Untrusted without the demo root: intact and valid but not trusted.
    untrusted = signing.check_signature(signed_pdf)
    assert untrusted.intact and untrusted.valid and not untrusted.trusted
    assert signing.check_signature(signed_pdf, [officer.certificate]).trusted


def test_modifying_a_signed_byte_breaks_the_signature(signed_pdf: bytes, officer: signing.OfficerSigner) -> None:
    data = bytearray(signed_pdf)
    pos = data.find(b"\xff\xd8\xff") + 5000  # inside the first page's JPEG, a signed byte range
    data[pos] ^= 0x01
    status = _validate(bytes(data), [officer.certificate])
    assert not status.intact  # type: ignore[attr-defined]


def test_keeps_metadata_after_signing(signed_pdf: bytes, a4_pages: list[out.PageImage]) -> None:
    reader = PdfReader(io.BytesIO(signed_pdf))
    info = reader.metadata
    assert info is not None and info["/MaHoSo"] == "H01.37.01-261005-0001" and info["/CanBo"] == OFFICER
    xmp = reader.xmp_metadata
    assert xmp is not None and xmp.dc_creator == [OFFICER]
    raw = reader.root_object["/Metadata"].get_object().get_data().decode("utf-8")
    assert "urn:x-quay-mot-cua:scan:1" in raw and "H01.37.01-261005-0001" in raw  # our keys survive pyHanko
    # The signature widget covers exactly the printed stamp.
    (sig,) = PdfFileReader(io.BytesIO(signed_pdf), strict=False).embedded_signatures
    rect = [float(v) for v in sig.sig_field["/Rect"]]
    assert rect == pytest.approx(list(out.stamp_box(a4_pages[0], meta())), abs=0.02)


def test_ecdsa_certificate_signs_too(tmp_path: Path) -> None:
    p12 = signing.create_demo_certificate("Phạm Thu Trang", tmp_path / "ec.p12", "pw", algorithm="ec")
    signer = signing.OfficerSigner.from_pkcs12(p12, "pw")
    page = out.PageImage(synthetic_page((1654, 2339), seal=False), 200)
    pdf = signing.sign_pdf(out.build_component_pdf([page], meta()), signer, out.stamp_box(page, meta()))
    check = signing.check_signature(pdf, [signer.certificate])
    assert check.intact and check.valid and check.trusted and check.signer_name == "Phạm Thu Trang"


def test_pkcs12_errors_are_clear(p12: Path, tmp_path: Path) -> None:
    with pytest.raises(signing.WrongPassphrase) as wrong:
        signing.OfficerSigner.from_pkcs12(p12, "sai mật khẩu")
    assert "Mật khẩu chứng thư số không đúng" in wrong.value.user_message()
    with pytest.raises(signing.CertificateFileMissing, match="Không tìm thấy tệp chứng thư số"):
        signing.OfficerSigner.from_pkcs12(tmp_path / "khong-co.p12", PASSPHRASE)
    junk = tmp_path / "junk.p12"
    junk.write_bytes(b"not a pkcs12 file" * 10)
    with pytest.raises(signing.CertificateUnusable, match="không phải tệp chứng thư số"):
        signing.OfficerSigner.from_pkcs12(junk, PASSPHRASE)
    with pytest.raises(signing.CertificateExpired, match="đã hết hạn"):
        signing.OfficerSigner.from_pkcs12(p12, PASSPHRASE, now=datetime.now(UTC) + timedelta(days=60))
    # A token driver that is not installed: a clear message (PKCS#11 itself is tested in tests/signing/).
    from counter_app.scanning.pkcs11_signing import TokenLibraryMissing

    with pytest.raises(TokenLibraryMissing) as token:
        signing.OfficerSigner.from_pkcs11(signing.Pkcs11Config(module_path="/usr/lib/vendor-pkcs11.so"))
    assert "thư viện token" in token.value.user_message()


def test_expired_demo_certificate_is_refused(tmp_path: Path) -> None:
    old = signing.create_demo_certificate(
        "Trần Văn Bình", tmp_path / "old.p12", "pw", days=10, algorithm="ec",
        not_before=datetime.now(UTC) - timedelta(days=30),
    )
    with pytest.raises(signing.CertificateExpired) as exc:
        signing.OfficerSigner.from_pkcs12(old, "pw")
    assert "gia hạn" in exc.value.user_message()


# --------------------------------------------------------------------------- store + register
@pytest.fixture
def cdb(tmp_path: Path) -> CounterDB:
    db = make_db(tmp_path / "counter.sqlite3")
    yield db  # type: ignore[misc]
    db.close()


def _received_component(cdb: CounterDB, code: str = "TK") -> tuple[int, int, str]:
    data = ReceptionInput(
        procedure_code="1.001193",
        applicant=ApplicantInput(full_name="Lê Văn Minh", id_number="001090012345"),
        components=[ComponentInput("TK"), ComponentInput("GCS"), ComponentInput("CCCD", "shown")],
        officer_id=1,
    )
    r = receive(cdb, data, WorkCalendar.default(), now=SCANNED_AT)
    assert r.code
    dc_id = cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = ?",
                       (r.dossier_id, code))
    return r.dossier_id, int(dc_id), r.code


def _scan_meta() -> out.ScanMeta:
    # Codes are filled in from the database row.
    return out.ScanMeta(dossier_code="", component_code="", officer_name=OFFICER, scanned_at=SCANNED_AT,
                        agency_name=AGENCY, officer_id=1)


def test_write_component_pdf_signed_registers_file_event_outbox(
    cdb: CounterDB, tmp_path: Path, a4_pages: list[out.PageImage], officer: signing.OfficerSigner
) -> None:
    dossier_id, dc_id, code = _received_component(cdb)
    root = tmp_path / "data"
    res = store_component(cdb, root, dc_id, a4_pages, _scan_meta(), officer, declared_pages=2)
    assert res.signed and not res.page_mismatch and res.warnings == ()
    assert res.path.is_file() and res.path.is_relative_to(root / "scans" / "2026" / "10" / code)
    assert res.rel_path == f"scans/2026/10/{code}/TK-20261005-103000.pdf"
    data = res.path.read_bytes()
    row = dbfiles.latest_scan_for_component(cdb, dc_id)
    assert row is not None
    assert row["sha256"] == sha256_file(res.path) == res.sha256
    assert (row["kind"], row["path"], row["size"], row["page_count"], row["signed"]) == (
        "scan", res.rel_path, len(data), 2, 1)
    assert row["meta"]["dossier_code"] == code and row["meta"]["officer"] == OFFICER
    assert row["meta"]["declared_pages"] == 2 and row["meta"]["page_mismatch"] is False
    assert cdb.scalar("SELECT page_count_declared FROM dossier_components WHERE id = ?", (dc_id,)) == 2
    ev = cdb.query_one("SELECT * FROM dossier_events WHERE dossier_id = ? AND kind = 'digitised'", (dossier_id,))
    assert ev is not None and json.loads(ev["detail"])["pages"] == 2
    ob = cdb.query_one("SELECT * FROM outbox WHERE dossier_id = ? AND kind = 'file'", (dossier_id,))
    assert ob is not None
    payload = json.loads(ob["payload"])
    assert payload["file_uid"] == res.uid and payload["sha256"] == res.sha256 and payload["dossier_code"] == code
    assert payload["component_code"] == "TK" and payload["size"] == len(data)
    assert [f["uid"] for f in dbfiles.files_for_dossier(cdb, dossier_id)] == [res.uid]
    assert signing.check_signature(data, [officer.certificate]).trusted
    assert PdfReader(io.BytesIO(data)).metadata["/MaHoSo"] == code  # type: ignore[index]


def test_unsigned_and_page_mismatch_are_flagged(
    cdb: CounterDB, tmp_path: Path, a4_pages: list[out.PageImage]
) -> None:
    dossier_id, dc_id, _ = _received_component(cdb, "GCS")
    res = store_component(cdb, tmp_path, dc_id, a4_pages[:1], _scan_meta(), None, declared_pages=3)
    assert not res.signed and res.page_mismatch
    assert any("chưa được ký số" in w for w in res.warnings)
    assert any("khác số trang giấy" in w for w in res.warnings)
    row = dbfiles.latest_scan_for_component(cdb, dc_id)
    assert row is not None and row["signed"] == 0 and row["meta"]["page_mismatch"] is True
    ev = cdb.query_one("SELECT detail FROM dossier_events WHERE dossier_id = ? AND kind = 'digitised'", (dossier_id,))
    assert ev is not None
    assert {"pages": 1, "declared": 3, "mismatch": True}.items() <= json.loads(ev["detail"]).items()
    assert PdfReader(io.BytesIO(res.path.read_bytes())).metadata["/SoTrangKhaiBao"] == "3"  # type: ignore[index]
    # A second scan of the same component in the same second gets its own file.
    again = store_component(cdb, tmp_path, dc_id, a4_pages[:1], _scan_meta(), None, declared_pages=1)
    assert again.path != res.path and again.path.is_file() and not again.page_mismatch
    assert dbfiles.latest_scan_for_component(cdb, dc_id)["uid"] == again.uid  # type: ignore[index]


def test_stage_one_is_pure_and_writes_nothing_under_scans(tmp_path: Path, a4_pages: list[out.PageImage]) -> None:
    """Stage 1 of a save (issue #17) needs no database: the PDF goes to the staging folder, with a
    sidecar that describes it and a checksum that holds; nothing appears under ``scans/``."""
    staging = tmp_path / "tmp" / "scan-sessions" / "s1" / "staged"
    staged = out.write_component_pdf(tmp_path, staging, a4_pages[:1], meta(), None, 1, key="k1")
    assert staged.staged_path.parent == staging.resolve() and staged.staged_path.is_file()
    assert staged.rel_path == "scans/2026/10/H01.37.01-261005-0001/TK-20261005-103000.pdf"
    assert not (tmp_path / "scans").exists()
    assert out.staged_file_intact(staged)
    assert out.read_staged(staging) == [staged]
    assert PdfReader(io.BytesIO(staged.staged_path.read_bytes())).metadata["/MaHoSo"] == meta().dossier_code  # type: ignore[index]
    # A second staging of the same component in the same second claims another final name.
    other = out.write_component_pdf(tmp_path, staging, a4_pages[:1], meta(), None, 1)
    assert other.rel_path.endswith("TK-20261005-103000-1.pdf")
    # A damaged staged file is recognised by its checksum.
    raw = bytearray(staged.staged_path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    staged.staged_path.write_bytes(bytes(raw))
    assert not out.staged_file_intact(staged)
    with pytest.raises(ValueError, match="outside the data directory"):
        out.write_component_pdf(tmp_path / "data", tmp_path / "elsewhere", a4_pages[:1], meta(), None, 1)


def test_failed_registration_leaves_no_file(cdb: CounterDB, tmp_path: Path, a4_pages: list[out.PageImage]) -> None:
    _, dc_id, _ = _received_component(cdb)
    bad = out.ScanMeta("", "", OFFICER, SCANNED_AT, officer_id=999)  # no such user: FK fails in the transaction
    with pytest.raises(Exception, match="FOREIGN KEY"):
        store_component(cdb, tmp_path, dc_id, a4_pages[:1], bad, None, declared_pages=None)
    assert not list((tmp_path / "scans").rglob("*.pdf"))
    assert cdb.scalar("SELECT count(*) FROM files") == 0
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE kind = 'file'") == 0


def test_verify_archive_finds_changed_and_missing_files(
    cdb: CounterDB, tmp_path: Path, a4_pages: list[out.PageImage]
) -> None:
    _, tk, _ = _received_component(cdb, "TK")
    gcs = int(cdb.scalar("SELECT id FROM dossier_components WHERE component_code = 'GCS'"))
    a = store_component(cdb, tmp_path, tk, a4_pages[:1], _scan_meta(), None, None)
    b = store_component(cdb, tmp_path, gcs, a4_pages[:1], _scan_meta(), None, None)
    assert dbfiles.verify_archive(cdb, tmp_path) == []
    raw = bytearray(a.path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    a.path.write_bytes(bytes(raw))
    b.path.unlink()
    seen: list[tuple[int, int]] = []
    problems = dbfiles.verify_archive(cdb, tmp_path, progress=lambda n, t: seen.append((n, t)))
    assert {(p.file_id, p.problem) for p in problems} == {(a.file_id, "changed"), (b.file_id, "missing")}
    assert seen[-1] == (2, 2)
    assert all(p.message() for p in problems)
    # A stray file no row points to (crash between write and registration) is listed as an orphan.
    stray = tmp_path / "scans" / "2026" / "10" / "stray.pdf"
    stray.write_bytes(b"%PDF-1.4\n")
    assert dbfiles.orphan_scans(cdb, tmp_path) == [stray]


def test_names_cannot_escape_the_scans_folder(tmp_path: Path) -> None:
    evil = meta(dossier_code="../../../etc", component_code="..\\..\\passwd/x")
    rel = out.scan_relative_path(evil)
    assert ".." not in rel.split("/") and "\\" not in rel
    assert (tmp_path / rel).resolve().is_relative_to((tmp_path / "scans").resolve())
    assert rel.startswith("scans/2026/10/etc/")
    assert out.safe_name("Đơn đề nghị / bản sao") == "Don_de_nghi_ban_sao"
    assert out.safe_name("..") == "_" and out.safe_name("") == "_"
    assert out.safe_name("H01.37.01-261005-0001") == "H01.37.01-261005-0001"


def test_meta_codes_must_match_the_database(cdb: CounterDB, tmp_path: Path, a4_pages: list[out.PageImage]) -> None:
    _, dc_id, _ = _received_component(cdb)
    with pytest.raises(ValueError, match="component_code"):
        store_component(cdb, tmp_path, dc_id, a4_pages[:1],
                                out.ScanMeta("", "GCS", OFFICER, SCANNED_AT), None, None)
    with pytest.raises(ValidationError, match="Không tìm thấy thành phần"):
        store_component(cdb, tmp_path, 99999, a4_pages[:1], _scan_meta(), None, None)


def test_page_without_trustworthy_dpi_gets_its_physical_size(tmp_path: Path) -> None:
    """Issue #13: images with no dpi were taken as 300 dpi, so a 1240×1754 A4 became an A6 PDF page.
    Through the session (as an imported file arrives) and the pipeline, it is an A4 page."""
    from counter_app.scanning.session import ScanSession

    image = synthetic_page((1240, 1754), seal=False)
    session = ScanSession(tmp_path / "session")
    p = session.add(image, 300, "file:photo.jpg", dpi_estimated=True)  # 300 = the importer's default
    p = session.process(p.uid)
    assert p.state == "processed" and p.dpi == 150 and p.dpi_rule == "size:A4"
    page = out.PageImage(session.images(p.uid), float(p.dpi))
    pdf = out.build_component_pdf([page], meta(), out.OutputOptions(allow_low_dpi=True))
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == (pytest.approx(595.3, abs=2), pytest.approx(841.9, abs=2))
