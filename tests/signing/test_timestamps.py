"""PAdES B-T: a signature timestamp from an RFC 3161 TSA on loopback (pyHanko's DummyTimeStamper
answering real HTTP requests); offline the file is signed anyway and reported as pending, and a
later pass adds a document timestamp."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_timestamp
from pyhanko_certvalidator import ValidationContext

from counter_app.scanning import signing
from tests.signing.test_pkcs11 import BOX, a4_pdf


def _tsa_identity() -> tuple[asn1_x509.Certificate, asn1_keys.PrivateKeyInfo]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "TSA thử nghiệm")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(7).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return (asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
            asn1_keys.PrivateKeyInfo.load(der_key))


class _Tsa:
    def __init__(self) -> None:
        self.cert, key = _tsa_identity()
        self.stamper = DummyTimeStamper(tsa_cert=self.cert, tsa_key=key)
        self.requests = 0


@pytest.fixture(scope="module")
def tsa() -> Iterator[tuple[str, _Tsa]]:
    """An HTTP TSA on 127.0.0.1 (application/timestamp-query in, application/timestamp-reply out)."""
    state = _Tsa()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            req = tsp.TimeStampReq.load(body)
            resp = asyncio.run(state.stamper.async_request_tsa_response(req))
            state.requests += 1
            out = resp.dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/tsa", state
    finally:
        server.shutdown()
        server.server_close()


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsa"  # nothing listens there any more: refused at once


@pytest.fixture(scope="module")
def officer(tmp_path_factory: pytest.TempPathFactory) -> signing.OfficerSigner:
    p12 = signing.create_demo_certificate("Lê Văn Hùng", tmp_path_factory.mktemp("p12") / "o.p12", "pw")
    return signing.OfficerSigner.from_pkcs12(p12, "pw")


def _pdfsig(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig (poppler-utils) not installed")
    f = tmp_path / "t.pdf"
    f.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(f)], capture_output=True, text=True, timeout=60).stdout


def test_signature_timestamp_from_loopback_tsa(tsa: tuple[str, _Tsa], officer: signing.OfficerSigner,
                                               tmp_path: Path) -> None:
    url, state = tsa
    before = state.requests
    from dataclasses import replace

    signed = signing.sign_pdf(a4_pdf(), replace(officer, tsa_url=url), BOX)
    assert state.requests > before  # (pyHanko also asks once for a dummy reply to size the signature)
    assert not signing.timestamp_pending(signed)
    check = signing.check_signature(signed, [officer.certificate])
    assert check.valid and check.intact and check.trusted
    out = _pdfsig(signed, tmp_path)
    assert "Signature is Valid." in out and "Total document signed" in out


def test_offline_signs_and_marks_timestamp_pending_then_later_pass_adds_it(
        tsa: tuple[str, _Tsa], officer: signing.OfficerSigner, tmp_path: Path) -> None:
    from dataclasses import replace

    signed = signing.sign_pdf(a4_pdf(), replace(officer, tsa_url=_closed_port_url()), BOX)
    assert signing.timestamp_pending(signed)
    assert signing.check_signature(signed, [officer.certificate]).valid

    with pytest.raises(signing.TimestampUnavailable, match="máy chủ cấp dấu thời gian"):
        signing.add_document_timestamp(signed, _closed_port_url())

    url, state = tsa
    stamped = signing.add_document_timestamp(signed, url)
    assert stamped.startswith(signed)  # incremental: the officer's signed revision is untouched
    assert not signing.timestamp_pending(stamped)
    sigs = PdfFileReader(__import__("io").BytesIO(stamped), strict=False).embedded_signatures
    assert [s.sig_object_type for s in sigs] == ["/Sig", "/DocTimeStamp"]
    status = validate_pdf_timestamp(sigs[1], validation_context=ValidationContext(trust_roots=[state.cert]))
    assert status.valid and status.intact and status.trusted
    # The officer's signature still validates (covering its own revision).
    first = signing.check_signature(signed, [officer.certificate])
    assert first.valid and first.intact
    out = _pdfsig(stamped, tmp_path)
    # poppler 22 validates the officer's signature and lists the document timestamp, which it cannot
    # verify itself ("Unable to validate this type of signature"); pyHanko did above.
    assert out.count("Signature is Valid.") == 1 and "Signature #2" in out and "TSA thử nghiệm" in out
