"""Signing from a real PKCS#11 token (SoftHSM2): the signature validates in pyHanko and poppler's
``pdfsig``; a wrong PIN, a missing token, an expired certificate, a key that does not match its
certificate and a token pulled out mid-batch each end in a clear, typed Vietnamese error."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from counter_app.scanning import pkcs11_signing as p11
from counter_app.scanning import signing
from tests.signing.conftest import HOLDER, PIN, SoftToken, needs_softhsm

pytestmark = needs_softhsm
BOX = (36.0, 740.0, 260.0, 806.0)


def a4_pdf(text: str = "Bản số hóa thử nghiệm") -> bytes:
    """A one-page A4 PDF made with reportlab (what the scan output builds on)."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 700, text.encode("ascii", "replace").decode())
    c.showPage()
    c.save()
    return buf.getvalue()


def config(softhsm: SoftToken, label: str) -> signing.Pkcs11Config:
    return signing.Pkcs11Config(module_path=softhsm.module, token_label=label)


def ca(softhsm: SoftToken) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(softhsm.ca_cert.public_bytes(serialization.Encoding.DER))


def test_token_is_found_and_its_certificate_described(softhsm: SoftToken) -> None:
    tokens = p11.find_tokens(softhsm.module)
    assert {"CB-Trang", "CB-HetHan", "CB-KhongKhop", "CB-SapHetHan", "CB-SaiPIN", "CB-Rut"} <= {t.label for t in tokens}
    with p11.TokenSession.open(config(softhsm, "CB-Trang"), PIN) as session:
        [cert] = session.certificates()
    assert cert.holder == HOLDER and cert.has_key and cert.cert_id == b"\x01"
    assert cert.issuer == "CA thử nghiệm Quầy Một Cửa"
    assert 363 <= cert.days_left() <= 365 and cert.expiry_warning() == ""
    assert HOLDER in cert.describe() and "cấp bởi CA thử nghiệm" in cert.describe()


def test_sign_from_token_validates_in_pyhanko_and_pdfsig(softhsm: SoftToken, tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    signer = signing.OfficerSigner.from_pkcs11(config(softhsm, "CB-Trang"), PIN)
    try:
        assert signer.on_token and signer.holder == HOLDER
        signed = signing.sign_pdf(a4_pdf(), signer, BOX, location="UBND phường Thử Nghiệm")
    finally:
        signer.close()
    check = signing.check_signature(signed, [ca(softhsm)])
    assert check.intact and check.valid and check.trusted and check.covers_whole_file
    assert check.signer_name == HOLDER
    assert signing.timestamp_pending(signed)  # no TSA configured: B-B, a timestamp can be added later
    # The PIN never reaches the log (the whole record text, every level).
    assert PIN not in caplog.text
    out = tmp_path / "signed.pdf"
    out.write_bytes(signed)
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) not installed")
    res = subprocess.run(["pdfsig", str(out)], capture_output=True, text=True, timeout=60)
    assert "Signature Validation: Signature is Valid." in res.stdout, res.stdout
    assert "ETSI.CAdES.detached" in res.stdout and "Total document signed" in res.stdout


def test_wrong_pin_says_what_the_token_reports_and_is_not_retried(softhsm: SoftToken) -> None:
    before = next(t for t in p11.find_tokens(softhsm.module) if t.label == "CB-SaiPIN")
    assert before.pin_tries_text() == ""
    with pytest.raises(p11.WrongPin) as exc:
        signing.OfficerSigner.from_pkcs11(config(softhsm, "CB-SaiPIN"), "000000")
    msg = exc.value.user_message()
    assert "Mã PIN của USB token không đúng" in msg
    # SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a failed login: the officer is told.
    assert "đã có lần nhập sai" in msg and "không tự thử lại" in msg
    assert "000000" not in msg and exc.value.__cause__ is None and exc.value.__suppress_context__
    after = next(t for t in p11.find_tokens(softhsm.module) if t.label == "CB-SaiPIN")
    assert after.flags & p11.CKF_USER_PIN_COUNT_LOW
    # The right PIN still works: one wrong attempt was made, not several.
    signing.OfficerSigner.from_pkcs11(config(softhsm, "CB-SaiPIN"), PIN).close()


def test_pin_flags_are_explained() -> None:
    info = p11.TokenInfo("m", 0, "T", "1", "", "", p11.CKF_USER_PIN_FINAL_TRY)
    assert "chỉ còn MỘT lần thử" in info.pin_tries_text()
    locked = p11.TokenInfo("m", 0, "T", "1", "", "", p11.CKF_USER_PIN_LOCKED)
    assert locked.pin_locked and "đã khóa" in locked.pin_tries_text()


def test_token_missing_and_library_missing(softhsm: SoftToken, tmp_path: Path) -> None:
    with pytest.raises(p11.TokenMissing) as exc:
        signing.OfficerSigner.from_pkcs11(config(softhsm, "Token-khong-co"), PIN)
    assert "Không thấy USB token «Token-khong-co»" in exc.value.user_message()
    assert "Cắm USB token" in exc.value.user_message()
    with pytest.raises(p11.TokenLibraryMissing, match=r"Không tìm thấy thư viện token vnpt-ca_csp11\.dll"):
        signing.OfficerSigner.from_pkcs11(signing.Pkcs11Config(str(tmp_path / "vnpt-ca_csp11.dll")), PIN)
    junk = tmp_path / "BkavCA.dll"
    junk.write_bytes(b"MZ not really a library")
    with pytest.raises(p11.TokenLibraryMissing, match=r"Không nạp được thư viện token BkavCA\.dll"):
        signing.OfficerSigner.from_pkcs11(signing.Pkcs11Config(str(junk)), PIN)


def test_expired_certificate_is_refused(softhsm: SoftToken) -> None:
    with pytest.raises(signing.CertificateExpired) as exc:
        signing.OfficerSigner.from_pkcs11(config(softhsm, "CB-HetHan"), PIN)
    assert "hết hạn" in exc.value.user_message() and "gia hạn" in exc.value.user_message()
    # Chosen explicitly by ID, the same certificate is refused by its dates.
    cfg = signing.Pkcs11Config(softhsm.module, token_label="CB-HetHan", key_id=b"\x01")
    with pytest.raises(signing.CertificateExpired, match="đã hết hạn từ ngày"):
        signing.OfficerSigner.from_pkcs11(cfg, PIN)


def test_expiry_within_30_days_is_warned(softhsm: SoftToken) -> None:
    with p11.TokenSession.open(config(softhsm, "CB-SapHetHan"), PIN) as session:
        [cert] = session.certificates()
        assert cert.days_left() == 10
        assert "sẽ hết hạn sau 10 ngày" in cert.expiry_warning()
        signer = session.signer(cert)  # still usable: a warning, not a refusal
        assert signer.holder == HOLDER


def test_key_not_matching_certificate_is_refused(softhsm: SoftToken) -> None:
    with pytest.raises(p11.KeyMismatch) as exc:
        signing.OfficerSigner.from_pkcs11(config(softhsm, "CB-KhongKhop"), PIN)
    assert "không khớp với chứng thư số" in exc.value.user_message()


def test_candidate_modules_admin_choice_first_then_known_names(tmp_path: Path, softhsm: SoftToken) -> None:
    sys32 = tmp_path / "System32"
    sys32.mkdir()
    for name in ("viettel-ca_v6.dll", "BkavCA.dll", "unrelated.dll", "eTPKCS11.dll"):
        (sys32 / name).write_bytes(b"MZ")
    found = p11.candidate_modules(None, platform="win32", search_dirs=[sys32])
    assert [p.name for p in found] == ["viettel-ca_v6.dll", "BkavCA.dll", "eTPKCS11.dll"]
    # The admin's choice replaces probing (a bare name is looked up in System32).
    assert p11.candidate_modules("eTPKCS11.dll", platform="win32", search_dirs=[sys32]) == [sys32 / "eTPKCS11.dll"]
    assert p11.candidate_modules("vnpt-ca_csp11.dll", platform="win32", search_dirs=[sys32]) == []
    linux = p11.candidate_modules(None, platform="linux", search_dirs=[])
    assert Path(softhsm.module) in linux
    tokens, problems = p11.probe_tokens([Path(softhsm.module), sys32 / "BkavCA.dll"])
    assert any(t.label == "CB-Trang" for t in tokens)
    assert problems and problems[0].startswith("BkavCA.dll: Không nạp được thư viện token")


def test_token_pulled_out_mid_batch_stops_cleanly_and_resumes(softhsm: SoftToken) -> None:
    """The token vanishes between two files: the second raises TokenRemoved with no bytes returned,
    and after the token is back a new session (PIN asked again) signs the rest."""
    cfg = config(softhsm, "CB-Rut")
    signer = signing.OfficerSigner.from_pkcs11(cfg, PIN)
    done = [signing.sign_pdf(a4_pdf("trang 1"), signer, BOX)]
    token_dir = next(d for d in softhsm.tokendir.iterdir() if _label_of(d) == "CB-Rut")
    parked = token_dir.with_name(token_dir.name + ".rut-ra")
    token_dir.rename(parked)  # "pulled out": SoftHSM sees its token storage gone
    try:
        with pytest.raises(p11.TokenRemoved) as exc:
            signing.sign_pdf(a4_pdf("trang 2"), signer, BOX)
        assert "đã bị rút ra" in exc.value.user_message() and "hỏi lại mã PIN" in exc.value.user_message()
        # A dead session is never reused.
        with pytest.raises(p11.TokenRemoved):
            signing.sign_pdf(a4_pdf("trang 2"), signer, BOX)
    finally:
        parked.rename(token_dir)  # re-inserted
    signer.close()
    again = signing.OfficerSigner.from_pkcs11(cfg, PIN)
    try:
        done.append(signing.sign_pdf(a4_pdf("trang 2"), again, BOX))
    finally:
        again.close()
    for pdf in done:
        check = signing.check_signature(pdf, [ca(softhsm)])
        assert check.valid and check.intact and check.trusted


def test_token_pulled_before_the_first_signature_is_a_clear_error(softhsm: SoftToken) -> None:
    """Right after the PIN, before anything was signed: still TokenRemoved, not a crash."""
    signer = signing.OfficerSigner.from_pkcs11(config(softhsm, "CB-Rut"), PIN)
    token_dir = next(d for d in softhsm.tokendir.iterdir() if _label_of(d) == "CB-Rut")
    parked = token_dir.with_name(token_dir.name + ".rut-ra")
    token_dir.rename(parked)
    try:
        with pytest.raises(p11.TokenRemoved):
            signing.sign_pdf(a4_pdf(), signer, BOX)
        assert not signer.usable
    finally:
        parked.rename(token_dir)
        signer.close()


def _label_of(token_dir: Path) -> str:
    """SoftHSM2 keeps the token label in token.object; the directory name is a UUID."""
    data = (token_dir / "token.object").read_bytes()
    for label in ("CB-Trang", "CB-HetHan", "CB-KhongKhop", "CB-SapHetHan", "CB-SaiPIN", "CB-Rut"):
        if label.encode().ljust(32) in data:
            return label
    return ""


def test_pkcs11_signer_refuses_after_expiry_moment(softhsm: SoftToken) -> None:
    """A cached token signer crossing its expiry moment is refused at signing time."""
    with p11.TokenSession.open(config(softhsm, "CB-Trang"), PIN) as session:
        [cert] = session.certificates()
        with pytest.raises(signing.CertificateExpired):
            session.signer(cert, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=400))


def test_looking_for_a_missing_token_does_not_end_an_open_session(softhsm: SoftToken) -> None:
    """The re-initialisation that finds re-inserted tokens must not log out a session in use."""
    signer = signing.OfficerSigner.from_pkcs11(config(softhsm, "CB-Trang"), PIN)
    try:
        with pytest.raises(p11.TokenMissing):
            signing.OfficerSigner.from_pkcs11(config(softhsm, "Khong-co"), PIN)
        assert signing.check_signature(signing.sign_pdf(a4_pdf(), signer, BOX), [ca(softhsm)]).valid
    finally:
        signer.close()
