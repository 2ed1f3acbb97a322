"""Encryption at rest: per-file AES-256-GCM envelopes for scans, sealed personal fields, key file.

Design (full reasoning and threat model in docs/security.md):

* **Data keys** (DEK, 256-bit, random) encrypt data. New files use the *active* DEK; every
  envelope names its key id, so older DEKs keep decrypting older files after a rotation.
* **Key file** ``keys.json`` in the data directory holds each DEK only *wrapped* (AES-GCM) under
  one or more key-encryption keys:

  - ``passphrase`` — scrypt(passphrase) (n=2**15, r=8: ~32 MB, ~0.1–0.3 s per try);
  - ``recovery`` — a random 128-bit recovery key printed once at setup (``XXXX-XXXX-…``) and kept
    in the agency's safe: the answer to a forgotten passphrase;
  - ``dpapi`` — Windows only: the DEKs protected by the OS for this Windows account
    (CryptProtectData), so the counter opens without typing the passphrase. Other OSes ask for the
    passphrase once per start (no key store dependency is declared; see security.md).

  Copying the data directory therefore copies only ciphertext and wrapped keys.
* **Passphrase change** re-wraps the DEKs (milliseconds, no file touched). **Key rotation** adds a
  new active DEK; :func:`reencrypt_bytes` moves an old file to it when a DEK is suspected leaked.
* **Envelope** ``QMCE | v1 | key id (8 bytes) | nonce (12) | ciphertext+tag``; the additional
  authenticated data is the header plus the file's path relative to the data directory, so a file
  moved or swapped to another dossier's name fails to decrypt instead of showing the wrong citizen.
* **Personal fields** (:func:`seal_field` / :func:`open_field`) use the same DEK with a random
  nonce (``enc1:`` + base64); :func:`blind_index` (HMAC-SHA-256 under a sub-key) keeps exact-match
  look-up of ID numbers possible without storing them in clear.

Lost passphrase *and* recovery key = the encrypted scans are gone for good (that is what
encryption means); the paper originals and the copies already sent to the provincial system remain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from counter_app.atomicio import atomic_write_bytes
from counter_app.errors import CounterError

__all__ = [
    "KEY_FILE",
    "MAGIC",
    "DecryptionFailed",
    "KeyFileError",
    "KeyRing",
    "WrongSecret",
    "audit_mac",
    "blind_index",
    "create_key_file",
    "decrypt_bytes",
    "encrypt_bytes",
    "format_recovery_key",
    "is_encrypted",
    "open_field",
    "open_fields",
    "os_key_store_available",
    "read_file",
    "reencrypt_bytes",
    "rotate_data_key",
    "seal_field",
    "write_file",
]

MAGIC = b"QMCE"
VERSION = 1
KEY_FILE = "keys.json"
_HEADER_LEN = len(MAGIC) + 1 + 8 + 12
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_FIELD_PREFIX = "enc1:"
#: A field sealed to its row too (issue #15 item 5): AAD = column + U+001F + the row's key.
_BOUND_PREFIX = "enc2:"


class KeyFileError(CounterError):
    """The key file is missing, damaged or from another installation."""


class WrongSecret(CounterError):
    """The passphrase or recovery key does not open the key file."""


class DecryptionFailed(CounterError):
    """A file or field does not decrypt: changed, moved, or encrypted with an unknown key."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _kek_from_passphrase(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # NFC: "mật khẩu" typed by a Windows IME and by a terminal may differ in composition only.
    passphrase = unicodedata.normalize("NFC", passphrase)
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=128 * 1024 * 1024)


def _normalise_recovery(code: str) -> bytes:
    """Recovery key text → its 16 bytes; dashes, spaces and case do not matter (people copy it by hand)."""
    text = "".join(ch for ch in code.upper() if ch.isalnum())
    text = text.replace("0", "O").replace("1", "I")  # base32 has no 0/1: forgive the usual misreading
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except ValueError as exc:
        raise WrongSecret("Khóa khôi phục không đúng định dạng.", hint="Nhập đủ 8 nhóm ký tự như trên giấy.") from exc
    if len(raw) != 16:
        raise WrongSecret("Khóa khôi phục không đủ độ dài.", hint="Nhập đủ 8 nhóm ký tự như trên giấy.")
    return raw


def format_recovery_key(raw: bytes) -> str:
    """16 random bytes as ``ABCD-EFGH-…`` (26 base32 characters in groups of four) for printing."""
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def _kek_from_recovery(raw: bytes, salt: bytes) -> bytes:
    # 128 random bits need no stretching; HMAC binds the KEK to this key file's salt.
    return hmac.new(salt, b"qmc-recovery-kek" + raw, hashlib.sha256).digest()


def _wrap(kek: bytes, dek: bytes, key_id: str, kind: str) -> dict[str, str]:
    nonce = os.urandom(12)
    return {"nonce": _b64(nonce), "ct": _b64(AESGCM(kek).encrypt(nonce, dek, f"{key_id}:{kind}".encode()))}


def _unwrap(kek: bytes, wrapped: dict[str, str], key_id: str, kind: str) -> bytes:
    return AESGCM(kek).decrypt(_unb64(wrapped["nonce"]), _unb64(wrapped["ct"]), f"{key_id}:{kind}".encode())


# --------------------------------------------------------------------------- Windows DPAPI
def _dpapi(data: bytes, protect: bool) -> bytes:  # pragma: no cover - Windows only
    """CryptProtectData / CryptUnprotectData for the current Windows account (ctypes, no dependency)."""
    import ctypes
    from ctypes import wintypes

    class Blob(ctypes.Structure):
        _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

    buf = ctypes.create_string_buffer(data, len(data))
    blob_in = Blob(len(data), ctypes.cast(buf, ctypes.POINTER(ctypes.c_char)))
    blob_out = Blob()
    crypt32 = ctypes.windll.crypt32  # type: ignore[attr-defined]
    fn = crypt32.CryptProtectData if protect else crypt32.CryptUnprotectData
    ok = fn(ctypes.byref(blob_in), None, None, None, None, 0x1, ctypes.byref(blob_out))  # UI_FORBIDDEN
    if not ok:
        raise OSError("DPAPI call failed")
    try:
        return ctypes.string_at(blob_out.pbData, blob_out.cbData)
    finally:
        ctypes.windll.kernel32.LocalFree(blob_out.pbData)  # type: ignore[attr-defined]


def os_key_store_available() -> bool:
    """True where the OS can hold the keys for this user account (Windows DPAPI)."""
    return os.name == "nt"


# ------------------------------------------------------------------------------- key file
@dataclass
class KeyRing:
    """Unwrapped data keys in memory (never written anywhere in clear)."""

    path: Path
    active: str
    keys: dict[str, bytes] = field(repr=False)
    doc: dict[str, Any] = field(repr=False)

    # -- opening ------------------------------------------------------------------------------
    @staticmethod
    def _load(path: Path) -> dict[str, Any]:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise KeyFileError(f"Không tìm thấy tệp khóa {path}.",
                               hint="Chép lại tệp keys.json từ bản sao lưu vào thư mục dữ liệu.") from exc
        except (OSError, ValueError) as exc:
            raise KeyFileError(f"Tệp khóa {path} bị hỏng.", hint="Chép lại tệp keys.json từ bản sao lưu.") from exc
        if doc.get("format") != 1 or not isinstance(doc.get("keys"), dict) or doc.get("active") not in doc["keys"]:
            raise KeyFileError(f"Tệp khóa {path} không đúng định dạng.")
        return doc

    @classmethod
    def _open(cls, path: Path, kind: str, kek_for: Any) -> KeyRing:
        doc = cls._load(path)
        keys: dict[str, bytes] = {}
        for key_id, entry in doc["keys"].items():
            wrapped = entry["wrapped"].get(kind)
            if wrapped is None:
                raise KeyFileError(f"Tệp khóa không có cách mở bằng «{kind}» cho khóa {key_id}.")
            try:
                keys[key_id] = kek_for(wrapped, key_id)
            except InvalidTag as exc:
                raise WrongSecret(
                    "Mật khẩu mã hóa không đúng." if kind == "passphrase" else "Khóa khôi phục không đúng.",
                    hint="Nhập lại; nếu quên mật khẩu, dùng khóa khôi phục đã in khi cài đặt.",
                ) from exc
        return cls(path, doc["active"], keys, doc)

    @classmethod
    def unlock_with_passphrase(cls, path: str | Path, passphrase: str) -> KeyRing:
        """Open the key file with the passphrase."""
        path = Path(path)
        doc = cls._load(path)
        salt = _unb64(doc["salt"])
        params = doc.get("scrypt", _SCRYPT)
        kek = _kek_from_passphrase(passphrase, salt, int(params["n"]), int(params["r"]), int(params["p"]))
        return cls._open(path, "passphrase", lambda w, k: _unwrap(kek, w, k, "passphrase"))

    @classmethod
    def unlock_with_recovery(cls, path: str | Path, recovery_key: str) -> KeyRing:
        """Open the key file with the printed recovery key (forgotten passphrase)."""
        path = Path(path)
        doc = cls._load(path)
        kek = _kek_from_recovery(_normalise_recovery(recovery_key), _unb64(doc["salt"]))
        return cls._open(path, "recovery", lambda w, k: _unwrap(kek, w, k, "recovery"))

    @classmethod
    def unlock_with_os_store(cls, path: str | Path) -> KeyRing:
        """Open the key file with the OS key store (Windows DPAPI for this account)."""
        return cls._open(Path(path), "dpapi", lambda w, k: _dpapi(_unb64(w["blob"]), protect=False))

    # -- changing -----------------------------------------------------------------------------
    def _save(self) -> None:
        atomic_write_bytes(self.path, json.dumps(self.doc, indent=1, sort_keys=True).encode("utf-8"))

    def _wrap_all(self, kind: str, wrap: Any) -> None:
        for key_id, dek in self.keys.items():
            self.doc["keys"][key_id]["wrapped"][kind] = wrap(dek, key_id)

    def change_passphrase(self, new_passphrase: str) -> None:
        """Re-wrap every data key under a new passphrase (no file is re-encrypted)."""
        salt = _unb64(self.doc["salt"])
        kek = _kek_from_passphrase(new_passphrase, salt, _SCRYPT["n"], _SCRYPT["r"], _SCRYPT["p"])
        self.doc["scrypt"] = dict(_SCRYPT)
        self._wrap_all("passphrase", lambda dek, k: _wrap(kek, dek, k, "passphrase"))
        self._save()

    def new_recovery_key(self) -> str:
        """Replace the recovery key (the old printout stops working); return the new one to print."""
        raw = secrets.token_bytes(16)
        kek = _kek_from_recovery(raw, _unb64(self.doc["salt"]))
        self._wrap_all("recovery", lambda dek, k: _wrap(kek, dek, k, "recovery"))
        self._save()
        return format_recovery_key(raw)

    def enable_os_store(self) -> None:
        """Let this Windows account open the keys without the passphrase."""
        self._wrap_all("dpapi", lambda dek, k: {"blob": _b64(_dpapi(dek, protect=True))})
        self._save()

    def rotate(self, *, now: datetime | None = None) -> str:
        """Add a new data key in memory and make it active; returns its id.

        Not saved and not yet wrapped: use :func:`rotate_data_key`, which re-wraps every key for
        every way of opening the file and saves.
        """
        key_id = secrets.token_hex(8)
        self.keys[key_id] = secrets.token_bytes(32)
        self.doc["keys"][key_id] = {"created_at": (now or datetime.now()).isoformat(timespec="seconds"),
                                    "wrapped": {}}
        self.active = key_id
        self.doc["active"] = key_id
        return key_id

    def mark_audit_keyed(self, entry_id: int) -> None:
        """Record (once, MAC'd) that audit entries are keyed from ``entry_id`` on (issue #15 item 4).

        Kept here, beside the keys, so stripping every MAC from the database does not turn a keyed
        chain back into an unkeyed one unnoticed.
        """
        if "audit_keyed_from" in self.doc:
            return
        self.doc["audit_keyed_from"] = {"id": int(entry_id), "mac": audit_mac(self, f"keyed-from:{int(entry_id)}")}
        self._save()

    def audit_keyed_from(self) -> int | None:
        """The entry from which every audit row must carry a MAC; None if unknown or forged."""
        mark = self.doc.get("audit_keyed_from")
        try:
            entry_id = int(mark["id"])  # type: ignore[index]
            ok = hmac.compare_digest(str(mark["mac"]), audit_mac(self, f"keyed-from:{entry_id}"))  # type: ignore[index]
        except (TypeError, KeyError, ValueError):
            return None
        return entry_id if ok else None

    @property
    def active_key(self) -> tuple[str, bytes]:
        """``(key id, key)`` for new data."""
        return self.active, self.keys[self.active]


def create_key_file(path: str | Path, passphrase: str, *, now: datetime | None = None) -> tuple[KeyRing, str]:
    """First-run: a new data key, wrapped under ``passphrase`` and a new recovery key.

    Returns the open key ring and the recovery key text to print (shown once, never stored).
    """
    path = Path(path)
    if path.exists():
        raise KeyFileError(f"Đã có tệp khóa {path}.", hint="Mở bằng mật khẩu mã hóa hiện có.")
    doc: dict[str, Any] = {"format": 1, "salt": _b64(secrets.token_bytes(16)), "scrypt": dict(_SCRYPT),
                           "keys": {}, "active": ""}
    ring = KeyRing(path, "", {}, doc)
    doc["index_key"] = ring.rotate(now=now)  # the blind index stays on this key across rotations
    ring.change_passphrase(passphrase)
    return ring, ring.new_recovery_key()


def rotate_data_key(ring: KeyRing, passphrase: str) -> tuple[str, str]:
    """Rotate the data key and re-wrap for every way in; returns ``(new key id, new recovery key)``.

    The passphrase is asked again on purpose (rotation is an admin action at the counter).
    """
    KeyRing.unlock_with_passphrase(ring.path, passphrase)  # proves the passphrase before changing anything
    key_id = ring.rotate()
    ring.change_passphrase(passphrase)
    recovery = ring.new_recovery_key()
    if "dpapi" in next(iter(ring.doc["keys"].values()))["wrapped"]:
        ring.enable_os_store()
    return key_id, recovery


# ------------------------------------------------------------------------------ envelopes
def is_encrypted(data: bytes) -> bool:
    """Whether ``data`` starts with our envelope header."""
    return data[:4] == MAGIC


def encrypt_bytes(ring: KeyRing, data: bytes, rel_path: str) -> bytes:
    """Envelope ``data`` under the active key, bound to ``rel_path`` (POSIX, relative to the data dir)."""
    key_id, key = ring.active_key
    nonce = os.urandom(12)  # random 96-bit nonces: safe far beyond 2**32 files per key
    header = MAGIC + bytes([VERSION]) + bytes.fromhex(key_id) + nonce
    return header + AESGCM(key).encrypt(nonce, data, header + rel_path.encode("utf-8"))


def decrypt_bytes(ring: KeyRing, blob: bytes, rel_path: str) -> bytes:
    """Open an envelope; :class:`DecryptionFailed` if it was changed, moved, or its key is unknown."""
    if len(blob) < _HEADER_LEN + 16 or not is_encrypted(blob) or blob[4] != VERSION:
        raise DecryptionFailed(f"Tệp {rel_path} không phải tệp mã hóa của Quầy Một Cửa.")
    header = blob[:_HEADER_LEN]
    key_id = header[5:13].hex()
    key = ring.keys.get(key_id)
    if key is None:
        raise DecryptionFailed(f"Tệp {rel_path} được mã hóa bằng khóa {key_id} không có trong tệp khóa.",
                               hint="Dùng tệp keys.json từ bản sao lưu cùng thời điểm với tệp này.")
    try:
        return AESGCM(key).decrypt(header[13:], blob[_HEADER_LEN:], header + rel_path.encode("utf-8"))
    except InvalidTag as exc:
        raise DecryptionFailed(f"Tệp {rel_path} đã bị thay đổi hoặc bị chuyển chỗ (không giải mã được).",
                               hint="Khôi phục tệp từ bản sao lưu.") from exc


def reencrypt_bytes(ring: KeyRing, blob: bytes, rel_path: str) -> bytes:
    """Re-encrypt an envelope under the active key (after a rotation)."""
    return encrypt_bytes(ring, decrypt_bytes(ring, blob, rel_path), rel_path)


def write_file(ring: KeyRing | None, root: str | Path, rel_path: str, data: bytes) -> tuple[str, int]:
    """Store ``data`` at ``root/rel_path`` atomically, encrypted when ``ring`` is given.

    Returns the SHA-256 and size *of the bytes on disk* (what ``files.sha256`` must hold, so the
    archive check and backups work without the key). The one-line change for the scan pipeline.
    """
    blob = encrypt_bytes(ring, data, rel_path) if ring is not None else data
    return atomic_write_bytes(Path(root) / rel_path, blob), len(blob)


def read_file(ring: KeyRing | None, root: str | Path, rel_path: str) -> bytes:
    """Read a stored file, decrypting it if it is an envelope (plain files from before encryption
    was switched on pass through, so an archive can be migrated gradually)."""
    blob = (Path(root) / rel_path).read_bytes()
    if not is_encrypted(blob):
        return blob
    if ring is None:
        raise DecryptionFailed(f"Tệp {rel_path} được mã hóa; cần mở khóa mã hóa trước.",
                               hint="Nhập mật khẩu mã hóa (hoặc khóa khôi phục) khi được hỏi.")
    return decrypt_bytes(ring, blob, rel_path)


# ------------------------------------------------------------------------- personal fields
def _field_aad(column: str, row_key: str | None) -> bytes:
    return column.encode() if row_key is None else f"{column}\x1f{row_key}".encode()


def seal_field(ring: KeyRing, value: str, column: str, row_key: str | None = None) -> str:
    """Encrypt one personal field; ``column`` (and ``row_key``, when given) bound as AAD.

    ``enc1:<key id>:<base64>`` is bound to the column only; ``enc2:…`` to the column *and* the
    row (a dossier's ``uid``), so a sealed value copied into another row fails to open instead of
    showing one citizen's address under another's dossier (issue #15 item 5).
    """
    if not value:
        return value
    key_id, key = ring.active_key
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, value.encode("utf-8"), _field_aad(column, row_key))
    prefix = _FIELD_PREFIX if row_key is None else _BOUND_PREFIX
    return f"{prefix}{key_id}:{_b64(nonce + ct)}"


def _split_sealed(stored: str) -> tuple[bool, str, bytes]:
    bound = stored.startswith(_BOUND_PREFIX)
    key_id, payload = stored[len(_FIELD_PREFIX):].split(":", 1)
    return bound, key_id, _unb64(payload)


def open_field(ring: KeyRing, stored: str, column: str, row_key: str | None = None, *,
               allow_unbound: bool = True) -> str:
    """Inverse of :func:`seal_field`; plain (not yet encrypted) values pass through unchanged.

    A row-bound value opens only with its ``row_key``; a column-only (``enc1``) value is refused
    when ``allow_unbound`` is False (a table whose values were all bound: an ``enc1`` value there
    was pasted in from elsewhere).
    """
    if not stored.startswith((_FIELD_PREFIX, _BOUND_PREFIX)):
        return stored
    bound, key_id, raw = _split_sealed(stored)
    try:
        if not bound and not allow_unbound:
            raise KeyError("unbound")
        aad = _field_aad(column, row_key if bound else None)
        return AESGCM(ring.keys[key_id]).decrypt(raw[:12], raw[12:], aad).decode("utf-8")
    except (KeyError, InvalidTag) as exc:
        raise DecryptionFailed(f"Không giải mã được trường {column}.") from exc


def open_fields(ring: KeyRing, rows: Iterable[dict[str, Any]], columns: Iterable[str], *,
                row_key_column: str | None = None, allow_unbound: bool = True) -> None:
    """Decrypt ``columns`` of each row in place (one AESGCM object per key, not per value).

    ``row_key_column``: the column holding each row's key for row-bound (``enc2``) values.
    Raises ``InvalidTag``/``KeyError`` on a value that does not open (the caller words it).
    """
    cols = tuple(columns)
    ciphers: dict[str, AESGCM] = {}
    for row in rows:
        for col in cols:
            stored = row.get(col)
            if not stored or not stored.startswith((_FIELD_PREFIX, _BOUND_PREFIX)):
                continue
            bound, key_id, raw = _split_sealed(stored)
            if not bound and not allow_unbound:
                raise KeyError(f"unbound value in {col}")
            aead = ciphers.get(key_id)
            if aead is None:
                aead = ciphers[key_id] = AESGCM(ring.keys[key_id])
            row_key = str(row.get(row_key_column) or "") if bound and row_key_column else None
            if bound and row_key is None:
                raise KeyError(f"row-bound value in {col} without its row key")
            row[col] = aead.decrypt(raw[:12], raw[12:], _field_aad(col, row_key)).decode("utf-8")


def blind_index(ring: KeyRing, value: str) -> str:
    """Keyed hash for exact look-up (ID number → row) without storing the number in clear.

    Uses a sub-key derived from the first data key (``index_key``) so the index survives rotations.
    """
    sub = hmac.new(ring.keys[ring.doc["index_key"]], b"qmc-blind-index", hashlib.sha256).digest()
    return hmac.new(sub, value.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def audit_mac(ring: KeyRing, digest: str) -> str:
    """HMAC-SHA-256 of an audit entry's hash under a sub-key of the data keys (issue #15 item 4).

    The key lives with the data keys (``keys.json``, wrapped), never in the database: someone who
    edits the database file can recompute SHA-256 hashes but not these. Derived from the first data
    key (``index_key``) like the blind index, so it survives rotations.
    """
    sub = ring.__dict__.get("_audit_sub")
    if sub is None:  # derived once per opened ring: verifying a million entries must stay cheap
        sub = ring.__dict__["_audit_sub"] = hmac.new(ring.keys[ring.doc["index_key"]], b"qmc-audit-chain",
                                                     hashlib.sha256).digest()
    return hmac.new(sub, digest.encode("ascii"), hashlib.sha256).hexdigest()
