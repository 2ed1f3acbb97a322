"""Signing with the officer's USB token (PKCS#11) through pyHanko's PKCS#11 signer.

Officials' signing keys live on USB tokens (Ban Cơ yếu Chính phủ tokens of the SafeNet and Bit4id
families; commercial VNPT-CA, Viettel-CA, FPT-CA, BkavCA tokens). Each CA ships a PKCS#11 module
(a DLL on Windows); this module finds it, opens the token, lists the certificates on it and hands
:mod:`counter_app.scanning.signing` an :class:`~counter_app.scanning.signing.OfficerSigner` whose
key never leaves the token.

Rules this module keeps (issue #18):

* **The PIN** is passed once to :meth:`TokenSession.open`, which logs in and drops it: it is
  never stored in an attribute, never logged, never put in an exception message. The open,
  logged-in PKCS#11 session *is* the "PIN asked once per session"; when the token is pulled out the
  token itself forgets the login, so the officer types the PIN again after re-inserting it.
* **A wrong PIN is never retried automatically**: tokens lock after 3 wrong PINs (typical for
  Vietnamese CA tokens). After a failure the token's flags are read again and the message says
  what the token reports (``CKF_USER_PIN_COUNT_LOW`` / ``_FINAL_TRY`` / ``_LOCKED``); PKCS#11 has
  no exact "tries left" number, so none is invented.
* **Certificates** are checked before any signature: expired / not yet valid → refused; fewer than
  :data:`EXPIRY_WARNING_DAYS` days left → a warning the UI shows; the key on the token must match
  the certificate (a test signature over a random challenge is verified with the certificate's
  public key — this catches a token whose key was re-generated without a new certificate).
* **Token pulled out mid-batch**: the PKCS#11 errors of a vanished device are turned into
  :class:`TokenRemoved` *before* anything is written (signing happens in memory, the file write
  comes after it), so the batch stops cleanly; :meth:`TokenSession.open` re-initialises the module
  once when no token is found, so a re-inserted token is seen without restarting the app.

Everything here is Qt-free and blocking; call it from a worker thread. The module library is
loaded once per process (PKCS#11 ``C_Initialize`` is process-wide).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import glob
import logging
import os
import secrets
import sys
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from counter_app.errors import EnvironmentProblem
from counter_app.scanning.signing import (
    CertificateExpired,
    CertificateUnusable,
    OfficerSigner,
    Pkcs11Config,
    SigningError,
    check_certificate,
    common_name,
)
from counter_app.textnorm import nfc

log = logging.getLogger(__name__)

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "KNOWN_MODULES",
    "LINUX_MODULE_PATHS",
    "KeyMismatch",
    "KnownModule",
    "PinLocked",
    "TokenCertificate",
    "TokenInfo",
    "TokenLibraryMissing",
    "TokenMissing",
    "TokenRemoved",
    "TokenSession",
    "WrongPin",
    "candidate_modules",
    "config_for_reference",
    "find_tokens",
    "is_token_reference",
    "probe_tokens",
    "removal_error",
    "token_reference",
]

EXPIRY_WARNING_DAYS = 30  # issue #18: warn a month ahead, the time a CA needs to renew

# PKCS#11 token flags (PKCS#11 v2.40 §3.2, CK_TOKEN_INFO.flags).
CKF_USER_PIN_COUNT_LOW = 0x00010000
CKF_USER_PIN_FINAL_TRY = 0x00020000
CKF_USER_PIN_LOCKED = 0x00040000


# --------------------------------------------------------------------------------------- errors
class TokenLibraryMissing(SigningError, EnvironmentProblem):
    """No PKCS#11 module (the CA's token driver) could be loaded."""


class TokenMissing(SigningError, EnvironmentProblem):
    """The module loads but no (matching) token is plugged in."""


class TokenRemoved(SigningError, EnvironmentProblem):
    """The token went away (pulled out, driver reset) while it was being used."""


class WrongPin(SigningError):
    """The token refused the PIN; the message says what the token reports about the tries left."""


class PinLocked(SigningError):
    """The user PIN is locked (too many wrong PINs); only the CA/administrator can unlock it."""


class KeyMismatch(CertificateUnusable):
    """The private key on the token does not belong to the certificate."""


# ------------------------------------------------------------------------------ module probing
@dataclass(frozen=True)
class KnownModule:
    """A PKCS#11 module file name a Vietnamese CA's token driver installs (Windows)."""

    pattern: str   # a file name, or a glob for versioned names (viettel-ca_v*.dll)
    vendor: str
    evidence: str  # where the name was confirmed (docs/signing.md keeps the full table)


# Order matters only for speed: the first modules that load and show a token win. Each name was
# looked up in public code that probes tokens in Vietnam (see docs/signing.md, "Module names").
KNOWN_MODULES: tuple[KnownModule, ...] = (
    KnownModule("vnpt-ca_csp11.dll", "VNPT-CA", "public probe lists (bank web-signing plugin, VNPT applet)"),
    KnownModule("vnptca_p11_v*.dll", "VNPT-CA (driver v5–v10)", "public probe lists"),
    KnownModule("viettel-ca_v*.dll", "Viettel-CA (driver v1–v6)", "public probe lists"),
    KnownModule("viettel-ca.dll", "Viettel-CA (old driver)", "public probe lists"),
    KnownModule("fpt-ca.dll", "FPT-CA", "public probe lists"),
    KnownModule("fpt-ca_v*.dll", "FPT-CA (driver v4/v5)", "public probe lists"),
    KnownModule("BkavCA.dll", "BkavCA", "public probe lists; a BkavCA sample opening it with Pkcs11Interop"),
    KnownModule("bit4xpki.dll", "Bit4id (Ban Cơ yếu tokens of the Bit4id family)",
                "Bit4id driver name in many EU projects"),
    KnownModule("eTPKCS11.dll", "SafeNet eToken (Ban Cơ yếu, some VNPT/Viettel tokens)",
                "SafeNet Authentication Client"),
    KnownModule("eps2003csp11.dll", "Feitian ePass2003 (Viettel, other CAs)", "public probe lists"),
)

LINUX_MODULE_PATHS: tuple[str, ...] = (
    "/usr/lib/libeTPkcs11.so",                         # SafeNet Authentication Client
    "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",      # OpenSC (ePass2003 and many cards)
    "/usr/lib/libbit4xpki.so",                         # Bit4id
    "/usr/lib/bit4id/libbit4xpki.so",
    "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so",
    "/usr/lib/softhsm/libsofthsm2.so",                 # SoftHSM2: tests and demos, never a real key
)


def _windows_dirs() -> list[Path]:
    root = Path(os.environ.get("SYSTEMROOT", r"C:\Windows"))
    # A 64-bit process loads 64-bit DLLs from System32; SysWOW64 holds 32-bit ones, useless here.
    return [root / "System32"]


def candidate_modules(
    configured: str | None = None,
    *,
    platform: str = sys.platform,
    search_dirs: Sequence[Path] | None = None,
) -> list[Path]:
    """PKCS#11 modules to try: the admin's choice alone when set, else the known names that exist here.

    ``configured`` (Cài đặt → Thư viện USB token) may be a full path or a bare name; a bare name is
    looked up in ``search_dirs`` (System32 on Windows). Missing files are left out, so an empty
    list means "no token driver installed" (or "the configured one is not there").
    """
    out: list[Path] = []

    def add(p: Path) -> None:
        if p.is_file() and p not in out:
            out.append(p)

    dirs = list(search_dirs) if search_dirs is not None else (_windows_dirs() if platform == "win32" else [])
    if configured:
        # The admin's choice replaces probing: a token of another CA plugged in by mistake must not
        # be picked silently. Missing → empty list, and the caller says the configured file is absent.
        c = Path(configured)
        if c.is_absolute() or c.parent != Path("."):
            add(c)
        else:
            for d in dirs:
                add(d / c)
        return out
    if platform == "win32" or search_dirs is not None:
        for d in dirs:
            for km in KNOWN_MODULES:
                for hit in sorted(glob.glob(str(d / km.pattern))):
                    add(Path(hit))
    if platform != "win32":
        for p in LINUX_MODULE_PATHS:
            add(Path(p))
    return out


_libs: dict[str, Any] = {}
_libs_lock = threading.Lock()


def _load(module: str | os.PathLike[str]) -> Any:
    """The python-pkcs11 library object for ``module`` (loaded and initialised once per process)."""
    import pkcs11

    key = str(module)
    with _libs_lock:
        lib = _libs.get(key)
        if lib is None:
            if not Path(key).is_file():
                raise TokenLibraryMissing(
                    f"Không tìm thấy thư viện token {Path(key).name}.",
                    hint="Cài phần mềm quản lý token của nhà cung cấp chứng thư số (VNPT-CA, Viettel-CA, "
                    "BkavCA, FPT-CA…) hoặc khai báo đúng đường dẫn trong Cài đặt → Chữ ký số.",
                )
            try:
                lib = pkcs11.lib(key)
            except (OSError, RuntimeError, pkcs11.exceptions.PKCS11Error) as exc:
                raise TokenLibraryMissing(
                    f"Không nạp được thư viện token {Path(key).name}.",
                    hint="Thư viện có thể là bản 32-bit hoặc hỏng; cài lại phần mềm token bản 64-bit "
                    "của nhà cung cấp chứng thư số.",
                ) from exc
            _libs[key] = lib
        return lib


@dataclass(frozen=True)
class TokenInfo:
    """One token seen in a slot (no login needed)."""

    module: str
    slot_id: int
    label: str
    serial: str
    manufacturer: str
    model: str
    flags: int

    @property
    def pin_locked(self) -> bool:
        """The user PIN is locked (CKF_USER_PIN_LOCKED)."""
        return bool(self.flags & CKF_USER_PIN_LOCKED)

    def pin_tries_text(self) -> str:
        """What the token says about wrong PINs so far, in Vietnamese ('' when it says nothing)."""
        if self.flags & CKF_USER_PIN_LOCKED:
            return "Token đã khóa mã PIN do nhập sai quá số lần cho phép."
        if self.flags & CKF_USER_PIN_FINAL_TRY:
            return "Token báo chỉ còn MỘT lần thử: nhập sai lần nữa token sẽ bị khóa."
        if self.flags & CKF_USER_PIN_COUNT_LOW:
            return "Token báo đã có lần nhập sai mã PIN; số lần thử còn lại đã giảm."
        return ""


def _token_info(module: str, token: Any) -> TokenInfo:
    serial = token.serial
    return TokenInfo(
        module=module,
        slot_id=int(token.slot.slot_id),
        label=str(token.label).strip(),
        serial=serial.decode("ascii", "replace").strip() if isinstance(serial, bytes) else str(serial),
        manufacturer=str(token.manufacturer_id).strip(),
        model=str(token.model).strip(),
        flags=int(token.flags),
    )


def _tokens(lib: Any) -> list[Any]:
    import pkcs11

    out = []
    for slot in lib.get_slots(token_present=True):
        try:
            out.append(slot.get_token())
        except pkcs11.exceptions.PKCS11Error:  # a slot emptied between the two calls
            continue
    return out


def find_tokens(module: str | os.PathLike[str]) -> list[TokenInfo]:
    """Tokens currently plugged in behind one module (re-reads the slots every call)."""
    lib = _load(module)
    return [_token_info(str(module), t) for t in _tokens(lib)]


def probe_tokens(modules: Iterable[Path]) -> tuple[list[TokenInfo], list[str]]:
    """Tokens behind every module that loads, and one line per module that did not (for the self-test)."""
    found: list[TokenInfo] = []
    problems: list[str] = []
    for m in modules:
        try:
            found.extend(find_tokens(m))
        except SigningError as exc:
            problems.append(f"{m.name}: {exc}")
    return found, problems


# ------------------------------------------------------------------- the officer's choice
TOKEN_REF_PREFIX = "pkcs11:"


def token_reference(token_label: str, cert_id: bytes) -> str:
    """What ``users.signing_cert_path`` holds for a token certificate: ``pkcs11:<label>/<id hex>``.

    The column already names the officer's PKCS#12 file; a token certificate is told apart by the
    prefix, so no schema change is needed and a PKCS#12 path keeps working unchanged.
    """
    return f"{TOKEN_REF_PREFIX}{token_label}/{cert_id.hex()}"


def is_token_reference(value: str | None) -> bool:
    """True if a ``signing_cert_path`` value names a certificate on a USB token."""
    return bool(value) and str(value).startswith(TOKEN_REF_PREFIX)


def config_for_reference(ref: str, module_setting: str | None = None, *,
                         modules: Sequence[Path] | None = None) -> Pkcs11Config:
    """The :class:`Pkcs11Config` for a stored reference: the admin's module, else the first known
    module that shows a token with that label. Raises :class:`TokenLibraryMissing` / :class:`TokenMissing`."""
    body = ref[len(TOKEN_REF_PREFIX):]
    label, _, hex_id = body.rpartition("/")
    try:
        key_id = bytes.fromhex(hex_id) if hex_id else None
    except ValueError:
        key_id = None
    if not label:
        label, key_id = body, None
    found = list(modules) if modules is not None else candidate_modules(module_setting)
    if not found:
        raise TokenLibraryMissing(
            "Máy tính này chưa cài phần mềm (thư viện) của USB token ký số.",
            hint="Cài phần mềm token của nhà cung cấp chứng thư số (VNPT-CA, Viettel-CA, BkavCA, FPT-CA…) "
            "hoặc khai báo đường dẫn thư viện trong Cài đặt → Chữ ký số.",
        )
    if module_setting:
        return Pkcs11Config(module_path=str(found[0]), token_label=label, key_id=key_id)
    for m in found:
        try:
            if any(t.label == label for t in find_tokens(m)):
                return Pkcs11Config(module_path=str(m), token_label=label, key_id=key_id)
        except SigningError:
            continue
    raise TokenMissing(
        f"Không thấy USB token «{label}».",
        hint="Cắm USB token ký số vào máy, chờ vài giây rồi thử lại.",
    )


# ---------------------------------------------------------------------------- certificates
@dataclass(frozen=True)
class TokenCertificate:
    """A certificate stored on the token, with what the officer needs to pick the right one."""

    label: str
    cert_id: bytes
    holder: str
    issuer: str
    serial_number: int
    not_before: dt.datetime
    not_after: dt.datetime
    has_key: bool
    der: bytes = field(repr=False)

    def days_left(self, now: dt.datetime | None = None) -> int:
        """Whole days until expiry (negative once expired)."""
        return (self.not_after - (now or dt.datetime.now(dt.UTC))).days

    def expiry_warning(self, now: dt.datetime | None = None) -> str:
        """A Vietnamese warning when fewer than :data:`EXPIRY_WARNING_DAYS` days are left, else ''."""
        left = self.days_left(now)
        if 0 <= left < EXPIRY_WARNING_DAYS:
            return (f"Chứng thư số sẽ hết hạn sau {left} ngày (ngày {self.not_after:%d/%m/%Y}); "
                    "liên hệ tổ chức cung cấp chứng thư số để gia hạn.")
        return ""

    def describe(self) -> str:
        """One line for a chooser: holder, issuer, validity."""
        return (f"{self.holder} — cấp bởi {self.issuer} — hiệu lực {self.not_before:%d/%m/%Y}"
                f"–{self.not_after:%d/%m/%Y}")


def _cert_from_der(label: str, cert_id: bytes, der: bytes, has_key: bool) -> TokenCertificate:
    c = x509.load_der_x509_certificate(der)
    issuer_cn = c.issuer.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    return TokenCertificate(
        label=label, cert_id=cert_id, holder=common_name(c),
        issuer=nfc(str(issuer_cn[0].value)) if issuer_cn else c.issuer.rfc4514_string(),
        serial_number=c.serial_number, not_before=c.not_valid_before_utc, not_after=c.not_valid_after_utc,
        has_key=has_key, der=der,
    )


# --------------------------------------------------------------------------------- session
def _removed(exc: BaseException) -> TokenRemoved:
    return TokenRemoved(
        "USB token đã bị rút ra hoặc mất kết nối trong khi ký.",
        hint="Cắm lại token rồi nhấn Lưu lại: các thành phần đã lưu vẫn còn, thành phần đang ký "
        "chưa được ghi; phần mềm sẽ hỏi lại mã PIN.",
    )


def _removal_errors() -> tuple[type[BaseException], ...]:
    from pkcs11 import exceptions as e

    # What a vanished device looks like through the drivers we know: removed/not present, a session
    # handle the module forgot, a logged-out session (re-inserted token), or a bare device error.
    return (e.DeviceRemoved, e.TokenNotPresent, e.TokenNotRecognised, e.SessionHandleInvalid,
            e.SessionClosed, e.DeviceError, e.UserNotLoggedIn, e.SlotIDInvalid,
            # Handles of a session that worked a moment ago: the token's objects are gone (SoftHSM
            # with its storage removed answers this; so do tokens re-inserted under an old session).
            e.ObjectHandleInvalid, e.KeyHandleInvalid)


_live: weakref.WeakSet[TokenSession] = weakref.WeakSet()  # open sessions, per process


def removal_error(session: TokenSession, exc: BaseException) -> TokenRemoved | None:
    """A :class:`TokenRemoved` if ``exc`` (or what caused it) is a vanished-device PKCS#11 error;
    the session is then marked dead so it is never reused."""
    kinds = _removal_errors()
    seen: BaseException | None = exc
    for _ in range(5):  # pyHanko may wrap the PKCS#11 error once or twice
        if seen is None:
            return None
        if isinstance(seen, kinds):
            session.closed = True
            log.warning("token %r went away (%s)", session.info.label, type(seen).__name__)
            return _removed(seen)
        seen = seen.__cause__ or seen.__context__
    return None


class TokenSession:
    """One logged-in session on one token. Use :meth:`open`; close with :meth:`close` or ``with``."""

    def __init__(self, info: TokenInfo, session: Any) -> None:
        self.info = info
        self._session = session
        self._lock = threading.Lock()  # one PKCS#11 operation at a time on this session
        self.closed = False

    # ----------------------------------------------------------------------------- opening
    @classmethod
    def open(cls, config: Pkcs11Config, pin: str | None) -> TokenSession:
        """Find the token of ``config`` and log in with ``pin`` (``None``: PIN pad / no login).

        Raises :class:`TokenLibraryMissing`, :class:`TokenMissing`, :class:`WrongPin`,
        :class:`PinLocked`. The PIN is used for this one login and not kept.
        """
        import pkcs11
        from pkcs11 import exceptions as e

        lib = _load(config.module_path)
        token = cls._find(lib, config)
        module = str(config.module_path)
        if token is None and not any(not t.closed and t.info.module == module for t in list(_live)):
            # A token plugged in after the module was initialised (re-inserted after a pull) is
            # invisible to some modules until C_Finalize/C_Initialize; do that once, then look again.
            # Never while another session of this module is alive: C_Finalize would end it too.
            try:
                with _libs_lock:
                    lib.reinitialize()
            except e.PKCS11Error as exc:
                log.debug("PKCS#11 reinitialise refused: %s", type(exc).__name__)
            token = cls._find(lib, config)
        if token is None:
            wanted = f" «{config.token_label}»" if config.token_label else ""
            raise TokenMissing(
                f"Không thấy USB token{wanted}.",
                hint="Cắm USB token ký số vào máy (đèn token sáng), chờ vài giây rồi thử lại. Nếu đã cắm "
                "mà vẫn không thấy, cài lại phần mềm token của nhà cung cấp chứng thư số.",
            )
        info = _token_info(str(config.module_path), token)
        if info.pin_locked:
            raise PinLocked(
                f"Mã PIN của token «{info.label}» đã bị khóa.",
                hint="Liên hệ tổ chức cung cấp chứng thư số (hoặc quản trị chữ ký số của đơn vị) để mở khóa; "
                "phần mềm không thử mã PIN khi token đang khóa.",
            )
        kwargs: dict[str, Any] = {}
        if config.pin_on_pinpad:
            kwargs["user_pin"] = pkcs11.PROTECTED_AUTH
        elif pin is not None:
            kwargs["user_pin"] = pin
        try:
            session = token.open(**kwargs)
        except (e.PinIncorrect, e.PinInvalid, e.PinLenRange):
            # `from None`: pkcs11's exception carries nothing useful, and nothing here may echo the PIN.
            raise cls._wrong_pin(lib, config, info) from None
        except e.PinLocked:
            raise PinLocked(
                f"Mã PIN của token «{info.label}» đã bị khóa do nhập sai nhiều lần.",
                hint="Liên hệ tổ chức cung cấp chứng thư số để mở khóa token.",
            ) from None
        except _removal_errors() as exc:
            raise _removed(exc) from exc
        log.info("PKCS#11 session opened on token %r (slot %d, %s)", info.label, info.slot_id,
                 Path(info.module).name)
        opened = cls(info, session)
        _live.add(opened)
        return opened

    @staticmethod
    def _find(lib: Any, config: Pkcs11Config) -> Any:
        tokens = _tokens(lib)
        for t in tokens:
            serial = t.serial.decode("ascii", "replace").strip() if isinstance(t.serial, bytes) else str(t.serial)
            if config.token_label and str(t.label).strip() != config.token_label:
                continue
            if config.token_serial and serial != config.token_serial:
                continue
            return t
        return None

    @classmethod
    def _wrong_pin(cls, lib: Any, config: Pkcs11Config, before: TokenInfo) -> SigningError:
        # Re-read the flags: the token updates them on the failed login.
        after = cls._find(lib, config)
        info = _token_info(before.module, after) if after is not None else before
        if info.pin_locked:
            return PinLocked(
                f"Mã PIN sai; token «{info.label}» đã bị khóa.",
                hint="Liên hệ tổ chức cung cấp chứng thư số để mở khóa token.",
            )
        tries = info.pin_tries_text()
        return WrongPin(
            "Mã PIN của USB token không đúng." + (f" {tries}" if tries else ""),
            hint="Gõ lại mã PIN cẩn thận (chú ý phím Caps Lock, bộ gõ tiếng Việt). Token thường bị khóa "
            "sau 3 lần nhập sai; phần mềm không tự thử lại.",
        )

    # ------------------------------------------------------------------------ certificates
    def certificates(self) -> list[TokenCertificate]:
        """Every X.509 certificate on the token, with whether a private key with the same ID exists."""
        from pkcs11 import Attribute, ObjectClass

        with self._lock:
            try:
                key_ids = {bytes(k[Attribute.ID]) for k in self._session.get_objects(
                    {Attribute.CLASS: ObjectClass.PRIVATE_KEY})}
                raw = [(str(o[Attribute.LABEL]), bytes(o[Attribute.ID]), bytes(o[Attribute.VALUE]))
                       for o in self._session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})]
            except _removal_errors() as exc:
                raise _removed(exc) from exc
        out = []
        for label, cid, der in raw:
            try:
                out.append(_cert_from_der(label, cid, der, cid in key_ids))
            except ValueError:
                log.warning("skipping an unreadable certificate object on token %r", self.info.label)
        return out

    def choose(self, config: Pkcs11Config, now: dt.datetime | None = None) -> TokenCertificate:
        """The certificate ``config`` names (label or ID), or the only usable one on the token."""
        certs = self.certificates()
        if config.cert_label or config.key_id:
            for c in certs:
                by_id = config.key_id is not None and c.cert_id == config.key_id
                if by_id or (config.cert_label and c.label == config.cert_label):
                    return c
            raise CertificateUnusable(
                "Chứng thư số đã chọn không còn trên token.",
                hint="Chọn lại chứng thư số trong Cài đặt → Chữ ký số (token có thể đã được cấp lại).",
            )
        moment = now or dt.datetime.now(dt.UTC)
        usable = [c for c in certs if c.has_key and c.not_before <= moment <= c.not_after]
        if len(usable) == 1:
            return usable[0]
        if not usable:
            if any(c.has_key for c in certs):
                raise CertificateExpired(
                    "Chứng thư số trên token đã hết hạn.",
                    hint="Liên hệ tổ chức cung cấp chứng thư số để gia hạn.",
                )
            raise CertificateUnusable(
                "Token không có chứng thư số kèm khóa bí mật để ký.",
                hint="Kiểm tra đúng token ký số cá nhân (không phải token của đơn vị khác).",
            )
        raise CertificateUnusable(
            f"Token có {len(usable)} chứng thư số còn hiệu lực.",
            hint="Chọn chứng thư số dùng để ký trong Cài đặt → Chữ ký số.",
        )

    # ------------------------------------------------------------------------------ signing
    def signer(self, cert: TokenCertificate, *, now: dt.datetime | None = None,
               tsa_url: str | None = None) -> OfficerSigner:
        """An :class:`OfficerSigner` for ``cert``: dates and key usage checked, key proven to match."""
        c = x509.load_der_x509_certificate(cert.der)
        check_certificate(c, now or dt.datetime.now(dt.UTC))
        if not cert.has_key:
            raise CertificateUnusable(
                f"Token không có khóa bí mật đi kèm chứng thư số «{cert.holder}».",
                hint="Chọn chứng thư số khác, hoặc liên hệ tổ chức cung cấp chứng thư số.",
            )
        self._prove_key(cert, c)
        asn1_cert = asn1_x509.Certificate.load(cert.der)
        p11 = _TokenSigner(self, signing_cert=asn1_cert, key_id=cert.cert_id, cert_id=cert.cert_id)
        # Load the key handle now, while the token is known to be there: pyHanko otherwise loads it
        # lazily from a property read while building the PdfSigner, outside any error mapping.
        self.sign_raw(p11._load_objects)
        return OfficerSigner(
            signer=p11, certificate=asn1_cert, holder=cert.holder, not_before=cert.not_before,
            not_after=cert.not_after, source=f"pkcs11:{self.info.label}/{cert.cert_id.hex()}",
            tsa_url=tsa_url, session=self,
        )

    def _key(self, cert_id: bytes) -> Any:
        from pkcs11 import Attribute, ObjectClass

        keys = list(self._session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: cert_id}))
        if len(keys) != 1:
            raise CertificateUnusable("Không tìm thấy đúng một khóa bí mật cho chứng thư số trên token.")
        return keys[0]

    def _prove_key(self, cert: TokenCertificate, c: x509.Certificate) -> None:
        """Sign a random challenge on the token and verify it with the certificate's public key."""
        from pkcs11 import Mechanism
        from pkcs11.util.ec import encode_ecdsa_signature

        challenge = secrets.token_bytes(32)
        pub = c.public_key()
        with self._lock:
            try:
                key = self._key(cert.cert_id)
                if isinstance(pub, rsa.RSAPublicKey):
                    sig = key.sign(challenge, mechanism=Mechanism.SHA256_RSA_PKCS)
                elif isinstance(pub, ec.EllipticCurvePublicKey):
                    sig = encode_ecdsa_signature(key.sign(challenge, mechanism=Mechanism.ECDSA_SHA256))
                else:
                    return  # other key types: pyHanko's own mechanism choice, no pre-check
            except _removal_errors() as exc:
                raise _removed(exc) from exc
        try:
            if isinstance(pub, rsa.RSAPublicKey):
                pub.verify(sig, challenge, padding.PKCS1v15(), hashes.SHA256())
            else:
                assert isinstance(pub, ec.EllipticCurvePublicKey)
                pub.verify(sig, challenge, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise KeyMismatch(
                f"Khóa bí mật trên token không khớp với chứng thư số «{cert.holder}».",
                hint="Token có thể đã được cấp lại khóa mà chưa nạp chứng thư mới; liên hệ tổ chức "
                "cung cấp chứng thư số.",
            ) from None

    def sign_raw(self, fn: Any) -> bytes:
        """Run one token operation under the session lock, turning device loss into :class:`TokenRemoved`."""
        if self.closed:
            raise _removed(RuntimeError("session closed"))
        with self._lock:
            try:
                return fn()
            except _removal_errors() as exc:
                log.warning("token %r went away while signing (%s)", self.info.label, type(exc).__name__)
                self.closed = True  # never reuse a dead session; the next save asks for the PIN again
                raise _removed(exc) from exc

    def alive(self) -> bool:
        """True if the token still answers on this session (cheap: reads the session state)."""
        if self.closed:
            return False
        with self._lock:
            try:
                list(self._session.get_objects({}))[:1]
                return True
            except _removal_errors():
                self.closed = True
                return False

    def close(self) -> None:
        """Log out and close (idempotent; a vanished token is not an error here)."""
        from pkcs11 import exceptions as e

        if self.closed:
            return
        self.closed = True
        with self._lock, contextlib.suppress(e.PKCS11Error):
            self._session.close()

    def __enter__(self) -> TokenSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@functools.cache
def _pkcs11_signer_class() -> type:
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class _Signer(PKCS11Signer):  # type: ignore[misc]
        """pyHanko's PKCS#11 signer whose token calls go through :meth:`TokenSession.sign_raw`."""

        def __init__(self, token: TokenSession, **kwargs: Any) -> None:
            super().__init__(token._session, **kwargs)
            self._token = token

        async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
            if dry_run:
                return await super().async_sign_raw(data, digest_algorithm, dry_run=True)
            token = self._token

            def load_and_sign() -> bytes:
                self._load_objects()
                spec = self._select_pkcs11_signing_params(digest_algorithm, sign_kwargs=self.sign_kwargs(data))
                payload = spec.pre_sign_transform(data) if spec.pre_sign_transform is not None else data
                assert self._key_handle is not None
                sig = self._key_handle.sign(payload, **spec.sign_kwargs)
                return spec.post_sign_transform(sig) if spec.post_sign_transform is not None else sig

            return await asyncio.get_running_loop().run_in_executor(None, token.sign_raw, load_and_sign)

    return _Signer


def _TokenSigner(token: TokenSession, **kwargs: Any) -> Any:
    return _pkcs11_signer_class()(token, **kwargs)
