"""The digitising officer's digital signature on a scanned component (PAdES, pyHanko).

Thông tư 01/2023/TT-VPCP Điều 8 (DOMAIN §6): the officer who digitises a paper component signs
the electronic copy with a *personal* digital signature; name, time and signature position sit
top-left of page 1 (the position is chosen by :mod:`counter_app.scanning.output`, which passes the
rectangle here).

Design
------
* :class:`OfficerSigner` wraps a pyHanko :class:`~pyhanko.sign.signers.Signer` plus the facts
  the app shows (holder name, validity). It is built either from a **PKCS#12** file
  (``users.signing_cert_path``) and a passphrase the officer types, or from a **PKCS#11 USB token**
  (what Vietnamese CAs issue to officers) through :mod:`counter_app.scanning.pkcs11_signing`
  (:meth:`OfficerSigner.from_pkcs11`). Neither the passphrase nor the PIN is stored.
* Signatures are **PAdES baseline B-B** (``/ETSI.CAdES.detached``, signing-certificate-v2, no
  signing-time attribute — the time goes in the signature dictionary's ``/M``), or **B-T** when a
  timestamp authority is configured (``OfficerSigner.tsa_url``) and reachable. A counter is often
  offline: then the file is signed B-B at once and :func:`timestamp_pending` says so (read from the
  file itself, so the record cannot drift from the bytes); :func:`add_document_timestamp` adds a
  document timestamp later. See ``docs/signing.md``.
* :func:`create_demo_certificate` makes a self-signed certificate per officer for demos and
  tests. It is *not* a legally recognised signature (no CA, not on the trust list).

Everything here is Qt-free and blocking; call it from a worker thread.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import pkcs12 as asn1_pkcs12
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import TimeStamper, TimestampRequestError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from counter_app.errors import CounterError, EnvironmentProblem
from counter_app.textnorm import nfc

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_REASON",
    "SIGNATURE_FIELD",
    "CertificateExpired",
    "CertificateFileMissing",
    "CertificateUnusable",
    "OfficerSigner",
    "Pkcs11Config",
    "SignatureCheck",
    "SigningError",
    "TimestampUnavailable",
    "TokenNotSupported",
    "UrlTimeStamper",
    "WrongPassphrase",
    "add_document_timestamp",
    "check_certificate",
    "check_signature",
    "common_name",
    "create_demo_certificate",
    "load_certificate",
    "sign_pdf",
    "timestamp_pending",
]

DEFAULT_REASON = "Số hóa hồ sơ TTHC"
SIGNATURE_FIELD = "ChuKySoHoa"  # one field per file; the name is what validators list
Box = tuple[float, float, float, float]  # x1, y1, x2, y2 in PDF points, origin bottom-left


# --------------------------------------------------------------------------------------- errors
class SigningError(CounterError):
    """The digitised copy could not be signed; the message says what the officer can do."""


class CertificateFileMissing(SigningError, EnvironmentProblem):
    """The configured PKCS#12 file is not where the user's settings say."""


class WrongPassphrase(SigningError):
    """The PKCS#12 passphrase does not open the file."""


class CertificateExpired(SigningError):
    """The certificate is outside its validity period (expired or not yet valid)."""


class CertificateUnusable(SigningError):
    """The file opens but holds no key, or the certificate may not sign documents."""


class TokenNotSupported(SigningError):
    """The PKCS#11 support library (python-pkcs11) is missing from this installation."""


# ------------------------------------------------------------------------------------- signer
@dataclass(frozen=True)
class Pkcs11Config:
    """How an officer's USB token is found (see ``docs/signing.md``).

    ``module_path`` is the CA vendor's PKCS#11 library (e.g. ``C:\\Windows\\System32\\vnpt-ca_v34.dll``
    or ``/usr/lib/libbkavcaetoken.so``); the token is picked by label or serial, the key/cert by
    label or id. ``pin_on_pinpad`` lets a reader with a PIN pad collect the PIN itself.
    """

    module_path: str
    token_label: str | None = None
    token_serial: str | None = None
    key_label: str | None = None
    cert_label: str | None = None
    key_id: bytes | None = None
    pin_on_pinpad: bool = False


@dataclass(frozen=True)
class OfficerSigner:
    """An officer's signing key and certificate, ready for :func:`sign_pdf`.

    ``holder`` is the certificate's common name (shown in the signature panel of PDF readers);
    ``not_before``/``not_after`` are UTC.
    """

    signer: signers.Signer
    certificate: asn1_x509.Certificate
    holder: str
    not_before: dt.datetime
    not_after: dt.datetime
    source: str  # "pkcs12:<path>" / "pkcs11:<token>/<id>" — for the log and settings, never a secret
    tsa_url: str | None = None  # RFC 3161 timestamp authority; None = PAdES B-B only
    session: Any = field(default=None, repr=False, compare=False)  # a token's TokenSession, else None

    def close(self) -> None:
        """Release what the signer holds (the token's logged-in session); a PKCS#12 key has nothing."""
        if self.session is not None:
            self.session.close()

    @property
    def usable(self) -> bool:
        """False once the token session died (token pulled out): ask for the PIN and open a new one."""
        return self.session is None or not self.session.closed

    @property
    def on_token(self) -> bool:
        """True for a PKCS#11 token signer (its session can go away when the token is pulled)."""
        return self.source.startswith("pkcs11:")

    @property
    def fingerprint_sha256(self) -> str:
        """Hex SHA-256 of the DER certificate (what an admin compares with the CA's listing)."""
        return self.certificate.sha256.hex()

    @classmethod
    def from_pkcs12(
        cls,
        path: str | os.PathLike[str],
        passphrase: str | bytes | None,
        *,
        now: dt.datetime | None = None,
        extra_certs: Iterable[asn1_x509.Certificate] = (),
    ) -> OfficerSigner:
        """Open the officer's ``.p12``/``.pfx`` file.

        Raises :class:`CertificateFileMissing`, :class:`WrongPassphrase`,
        :class:`CertificateExpired` or :class:`CertificateUnusable` with Vietnamese messages.
        ``extra_certs`` are intermediate CA certificates not bundled in the file.
        """
        p = Path(path)
        try:
            data = p.read_bytes()
        except FileNotFoundError as exc:
            raise CertificateFileMissing(
                f"Không tìm thấy tệp chứng thư số {p.name}.",
                hint="Kiểm tra USB/thư mục chứa tệp .p12 hoặc khai báo lại đường dẫn trong "
                "Cài đặt → Người dùng → Chữ ký số.",
            ) from exc
        except OSError as exc:
            raise CertificateFileMissing(
                f"Không đọc được tệp chứng thư số {p.name} ({exc.strerror}).",
                hint="Kiểm tra quyền đọc tệp hoặc chép lại tệp .p12 từ bản gốc.",
            ) from exc
        pw = passphrase.encode("utf-8") if isinstance(passphrase, str) else passphrase
        try:
            key, cert, others = pkcs12.load_key_and_certificates(data, pw or None)
        except (ValueError, TypeError) as exc:
            # cryptography says "invalid password or PKCS12 data" for both; a structural parse
            # tells the officer which of the two to fix.
            if _looks_like_pkcs12(data):
                raise WrongPassphrase(
                    "Mật khẩu chứng thư số không đúng.",
                    hint="Gõ lại mật khẩu (chú ý bộ gõ tiếng Việt và phím Caps Lock).",
                ) from exc
            raise CertificateUnusable(
                f"Tệp {p.name} không phải tệp chứng thư số PKCS#12 (.p12/.pfx) hợp lệ.",
                hint="Chọn đúng tệp .p12/.pfx do tổ chức cung cấp chứng thư số cấp.",
            ) from exc
        if key is None or cert is None:
            raise CertificateUnusable(
                f"Tệp {p.name} không chứa khóa bí mật kèm chứng thư số.",
                hint="Xuất lại tệp .p12 có kèm khóa bí mật (private key).",
            )
        check_certificate(cert, now or dt.datetime.now(dt.UTC))
        asn1_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        chain = [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in others]
        store = SimpleCertificateStore()
        store.register_multiple([*chain, *extra_certs])
        key_der = key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        signer = _CachedKeySigner(
            key,
            signing_cert=asn1_cert,
            signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
            cert_registry=store,
        )
        return cls(
            signer=signer,
            certificate=asn1_cert,
            holder=common_name(cert),
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            source=f"pkcs12:{p}",
        )

    @classmethod
    def from_pkcs11(
        cls,
        config: Pkcs11Config,
        pin: str | None = None,
        *,
        now: dt.datetime | None = None,
        tsa_url: str | None = None,
    ) -> OfficerSigner:
        """Open the officer's USB token, pick the certificate (``config`` or the only usable one).

        The PIN is used for one login and not kept; the returned signer holds the logged-in session
        until :meth:`close`. Raises the typed errors of :mod:`counter_app.scanning.pkcs11_signing`
        (token library/token missing, wrong PIN, PIN locked, key not matching the certificate) and
        :class:`CertificateExpired` — each with a Vietnamese message.
        """
        try:
            from counter_app.scanning.pkcs11_signing import TokenSession
        except ImportError as exc:  # python-pkcs11 is a compiled extension: a broken install
            raise TokenNotSupported(
                "Bản cài đặt này thiếu thành phần ký số bằng USB token (python-pkcs11).",
                hint="Cài lại phần mềm từ bộ cài chính thức; tạm thời dùng tệp .p12/.pfx.",
            ) from exc
        session = TokenSession.open(config, pin)
        try:
            cert = session.choose(config, now)
            return session.signer(cert, now=now, tsa_url=tsa_url)
        except BaseException:
            session.close()
            raise


class _CachedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, keeping the parsed private key.

    SimpleSigner re-parses the DER key for every signature, and pyHanko signs twice per file (a
    dry run sizes the reserved space): ~60 ms each for RSA-2048, because loading an RSA key checks
    it. The officer's key is loaded once per session instead.
    """

    def __init__(self, key: PrivateKeyTypes, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._key = key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        """Sign with the cached key (RSA PKCS#1 v1.5, ECDSA); other mechanisms go to pyHanko."""
        try:
            algo = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:  # e.g. EdDSA: asn1crypto names no separate signature algorithm
            return super().sign_raw(data, digest_algorithm)
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if algo == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hash_algo)
        if algo == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)


def _looks_like_pkcs12(data: bytes) -> bool:
    """True if ``data`` parses as a PKCS#12 PFX structure (so a load failure means a bad passphrase)."""
    try:
        pfx = asn1_pkcs12.Pfx.load(data)
        _ = pfx["auth_safe"]["content_type"].native  # forces the parse beyond the outer tag
        return True
    except Exception:  # asn1crypto raises ValueError/TypeError/KeyError on garbage
        return False


def common_name(cert: x509.Certificate) -> str:
    """The certificate subject's common name (NFC), or the whole subject when it has none."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return nfc(str(names[0].value)) if names else cert.subject.rfc4514_string()


def _check_dates(not_before: dt.datetime, not_after: dt.datetime, now: dt.datetime) -> None:
    if now < not_before:
        raise CertificateExpired(
            f"Chứng thư số chỉ có hiệu lực từ ngày {not_before:%d/%m/%Y}.",
            hint="Kiểm tra đồng hồ của máy tính hoặc chờ đến ngày chứng thư có hiệu lực.",
        )
    if now > not_after:
        raise CertificateExpired(
            f"Chứng thư số đã hết hạn từ ngày {not_after:%d/%m/%Y}.",
            hint="Liên hệ tổ chức cung cấp chứng thư số để gia hạn, rồi khai báo tệp mới trong "
            "Cài đặt → Người dùng → Chữ ký số.",
        )


def check_certificate(cert: x509.Certificate, now: dt.datetime) -> None:
    """Refuse certificates outside their validity or not meant for signing documents."""
    _check_dates(cert.not_valid_before_utc, cert.not_valid_after_utc, now)
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return  # no restriction stated
    if not (ku.digital_signature or ku.content_commitment):
        raise CertificateUnusable(
            "Chứng thư số này không được phép dùng để ký văn bản.",
            hint="Dùng chứng thư số cá nhân dành cho ký số văn bản.",
        )


# --------------------------------------------------------------------------------- timestamps
TSA_TIMEOUT_S = 8.0  # a slow TSA must not hold the officer's save for long; the timestamp can wait


class TimestampUnavailable(SigningError):
    """The timestamp authority could not be reached or answered nonsense."""


class UrlTimeStamper(TimeStamper):
    """RFC 3161 over HTTP POST with the standard library (no extra HTTP client in the bundle)."""

    def __init__(self, url: str, timeout: float = TSA_TIMEOUT_S) -> None:
        super().__init__(include_nonce=True)
        self.url = url
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """POST ``req`` to the TSA on a thread; network and format errors become TimestampRequestError."""
        import asyncio
        import urllib.error
        import urllib.request

        def task() -> tsp.TimeStampResp:
            request = urllib.request.Request(
                self.url, data=req.dump(), method="POST",
                headers={"Content-Type": "application/timestamp-query"})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as resp:
                    ctype = resp.headers.get("Content-Type", "")
                    body = resp.read()
            except (OSError, urllib.error.URLError) as exc:
                raise TimestampRequestError(f"timestamp server unreachable: {exc}") from exc
            if ctype.split(";")[0].strip() != "application/timestamp-reply":
                raise TimestampRequestError(f"timestamp server answered {ctype!r}")
            return tsp.TimeStampResp.load(body)

        return await asyncio.to_thread(task)


def timestamp_pending(pdf: bytes) -> bool:
    """True if the last signature of ``pdf`` has no timestamp yet (no signature timestamp token and
    no later document timestamp): the file was signed offline and a later pass should add one."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    sigs = reader.embedded_signatures
    if not sigs:
        return False
    last_sig = max((i for i, s in enumerate(sigs) if s.sig_object_type == "/Sig"), default=None)
    if last_sig is None:
        return False
    if _has_signature_timestamp(sigs[last_sig].signer_info):
        return False
    return not any(s.sig_object_type == "/DocTimeStamp" for s in sigs[last_sig + 1:])


def _has_signature_timestamp(signer_info: Any) -> bool:
    """True if the CMS signer info carries an RFC 3161 signature timestamp (PAdES B-T)."""
    attrs = signer_info["unsigned_attrs"]
    if attrs is None or not attrs.native:
        return False
    return any(a["type"].native == "signature_time_stamp_token" for a in attrs)


def add_document_timestamp(pdf: bytes, tsa_url: str, *, timeout: float = TSA_TIMEOUT_S) -> bytes:
    """Append a PAdES document timestamp (``/DocTimeStamp``) to a signed ``pdf`` — the later pass for
    files signed offline. The earlier revisions, including the officer's signature, stay untouched."""
    from pyhanko.sign.timestamps import TimestampRequestError as _TsErr

    out = io.BytesIO()
    try:
        signers.PdfTimeStamper(UrlTimeStamper(tsa_url, timeout)).timestamp_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), "sha256", output=out)
    except (_TsErr, OSError) as exc:
        raise TimestampUnavailable(
            "Không kết nối được máy chủ cấp dấu thời gian.",
            hint="Kiểm tra kết nối mạng; bản số hóa đã ký vẫn hợp lệ, dấu thời gian sẽ được bổ sung sau.",
        ) from exc
    return out.getvalue()


# -------------------------------------------------------------------------------------- sign
def sign_pdf(
    pdf: bytes,
    signer: OfficerSigner,
    field_box: Box,
    *,
    reason: str = DEFAULT_REASON,
    location: str = "",
    contact: str | None = None,
    field_name: str = SIGNATURE_FIELD,
) -> bytes:
    """Sign ``pdf`` (PAdES B-B, SHA-256; B-T with ``signer.tsa_url``) in a visible field on page 1.

    The signature is appended as an incremental update, so the bytes of ``pdf`` are kept as the
    first revision. The widget's appearance is only a thin frame: the officer's name and the time
    are already printed in the page content under it (readable on paper and in viewers that do
    not draw annotations), and pyHanko's built-in stamp fonts cannot draw Vietnamese.
    When the timestamp authority cannot be reached the file is signed without a timestamp (the
    counter keeps working offline) and :func:`timestamp_pending` reports it.
    A token pulled out raises :class:`~counter_app.scanning.pkcs11_signing.TokenRemoved` before
    any byte is returned, so the caller writes nothing.
    """
    # The app may stay open (and the signer cached) across the certificate's expiry moment.
    _check_dates(signer.not_before, signer.not_after, dt.datetime.now(dt.UTC))
    if signer.tsa_url:
        try:
            return _sign(pdf, signer, field_box, reason, location, contact, field_name,
                         UrlTimeStamper(signer.tsa_url))
        except TimestampRequestError as exc:
            log.warning("timestamp authority unreachable (%s); signed without a timestamp, pending", exc)
    return _sign(pdf, signer, field_box, reason, location, contact, field_name, None)


def _sign(pdf: bytes, signer: OfficerSigner, field_box: Box, reason: str, location: str,
          contact: str | None, field_name: str, timestamper: TimeStamper | None) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        reason=nfc(reason),
        location=nfc(location) or None,
        contact_info=contact,
        name=signer.holder,
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=0, box=tuple(round(v, 2) for v in field_box))
    style = TextStampStyle(stamp_text=" ", border_width=1, border_color=(0.16, 0.32, 0.6), background=None)
    out = io.BytesIO()
    try:
        pdf_signer = signers.PdfSigner(meta, signer.signer, timestamper=timestamper, stamp_style=style,
                                       new_field_spec=spec)
        pdf_signer.sign_pdf(writer, output=out)
    except (TimestampRequestError, CounterError):
        raise
    except Exception as exc:
        if signer.session is not None:  # a token: a vanished device may surface anywhere in pyHanko
            from counter_app.scanning.pkcs11_signing import removal_error

            gone = removal_error(signer.session, exc)
            if gone is not None:
                raise gone from exc
        if isinstance(exc, PyHankoSigningError):
            raise SigningError(
                "Không ký số được bản số hóa.",
                hint="Thử lại; nếu vẫn lỗi, kiểm tra chứng thư số trong Cài đặt → Người dùng → Chữ ký số.",
            ) from exc
        raise
    log.info("signed scan with certificate %s (%s)%s", signer.fingerprint_sha256[:16], signer.source,
             " with a timestamp" if timestamper else "")
    return out.getvalue()


# ---------------------------------------------------------------------------------- validate
@dataclass(frozen=True)
class SignatureCheck:
    """Outcome of checking the officer's signature in one PDF."""

    signed: bool
    intact: bool          # the signed bytes hash to the signed digest
    valid: bool           # the cryptographic signature verifies
    trusted: bool         # the certificate chains to one of the given trust roots
    covers_whole_file: bool
    signer_name: str
    summary: str


def check_signature(pdf: bytes, trust_roots: Sequence[asn1_x509.Certificate] = ()) -> SignatureCheck:
    """Validate the (last) signature of ``pdf`` offline, trusting ``trust_roots``.

    No revocation fetching: the counter is offline, and a self-signed demo certificate has no
    CRL/OCSP anyway. Used by the archive check and the tests.
    """
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    sigs = reader.embedded_signatures
    if not sigs:
        return SignatureCheck(False, False, False, False, False, "", "không có chữ ký số")
    sig = sigs[-1]
    vc = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
    status = validate_pdf_signature(sig, signer_validation_context=vc)
    name = status.signing_cert.subject.native.get("common_name", "") if status.signing_cert else ""
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        signer_name=str(name),
        summary=status.summary(),
    )


# ------------------------------------------------------------------------------ demo certs
def create_demo_certificate(
    common_name: str,
    out_path: str | os.PathLike[str],
    passphrase: str,
    days: int = 365,
    *,
    organization: str = "Quầy Một Cửa (chứng thư thử nghiệm)",
    algorithm: str = "rsa",
    not_before: dt.datetime | None = None,
) -> Path:
    """Create a self-signed signing certificate for one officer and write it as PKCS#12.

    For demos and tests only: a self-signed certificate is not issued by a licensed CA and is
    not on the national trust list, so validators report it as untrusted unless told to trust it.
    ``algorithm`` is ``"rsa"`` (2048-bit, what Vietnamese CAs issue; the signed PDF stays at
    version 1.7) or ``"ec"`` (P-256; pyHanko then marks the file PDF 2.0 per ISO 32002).
    The file is encrypted with the passphrase (AES-256/PBKDF2) and written atomically.
    """
    from counter_app.atomicio import atomic_write_bytes

    if not passphrase:
        raise ValueError("a demo PKCS#12 needs a passphrase")
    name = nfc(common_name)
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if algorithm == "ec":
        key = ec.generate_private_key(ec.SECP256R1())
    elif algorithm == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, nfc(organization)),
        x509.NameAttribute(NameOID.COMMON_NAME, name),
    ])
    start = (not_before or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - dt.timedelta(minutes=5))  # tolerate small clock differences
        .not_valid_after(start + dt.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    blob = pkcs12.serialize_key_and_certificates(
        name=name.encode("utf-8"),
        key=key,
        cert=cert,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    path = Path(out_path)
    atomic_write_bytes(path, blob)
    return path


def load_certificate(path: str | os.PathLike[str], passphrase: str | None = None) -> asn1_x509.Certificate:
    """The certificate of a PKCS#12 file (e.g. to add a demo certificate to a trust list)."""
    _key, cert, _ = pkcs12.load_key_and_certificates(
        Path(path).read_bytes(), passphrase.encode("utf-8") if passphrase else None
    )
    if cert is None:
        raise CertificateUnusable("Tệp không chứa chứng thư số.")
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
