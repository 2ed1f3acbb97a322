"""Which data directories this process has unlocked, and the one way to store and read their files.

Encryption is a property of the *installation*: a data directory with a ``keys.json`` is encrypted,
one without is plain (tests, old directories until an admin switches encryption on). Every scan,
generated form and downloaded result goes through :func:`store` / :func:`load`, so no caller needs
to know which kind of directory it works in, and no caller can forget to encrypt.

The unlocked :class:`~counter_app.crypto.KeyRing` lives in a process-wide registry keyed by the
data directory: the GUI unlocks once at start (passphrase, recovery key or the Windows key store)
and the database worker, the image workers and the sync thread all find the same keys. Nothing here
writes a key anywhere in clear.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from counter_app import crypto
from counter_app.errors import CounterError

__all__ = [
    "ENCRYPTED_SETTING",
    "Locked",
    "encryption_on",
    "find_root",
    "key_file",
    "load",
    "load_path",
    "lock",
    "open_with_os_store",
    "open_with_passphrase",
    "open_with_recovery",
    "require_ring",
    "ring",
    "setup_encryption",
    "store",
    "unlock",
]

_lock = threading.Lock()
_rings: dict[str, crypto.KeyRing] = {}
_DB_NAME = "counter.sqlite3"
#: Setting in the database: this directory is encrypted (so a lost ``keys.json`` is noticed).
ENCRYPTED_SETTING = "encryption_enabled"


class Locked(CounterError):
    """The data directory is encrypted and its keys have not been opened in this process."""


@functools.lru_cache(maxsize=64)
def _resolved(root: str) -> str:
    return str(Path(root).resolve())


def _key(root: str | Path) -> str:
    # Cached: the list and detail queries ask for the keys on every call (resolve() is a syscall).
    return _resolved(str(root))


def key_file(root: str | Path) -> Path:
    """``keys.json`` of a data directory."""
    return Path(root) / crypto.KEY_FILE


def encryption_on(root: str | Path) -> bool:
    """Whether the data directory is encrypted (it has a key file)."""
    return key_file(root).exists()


def unlock(root: str | Path, key_ring: crypto.KeyRing) -> None:
    """Register the opened keys for ``root`` (every thread of this process sees them)."""
    with _lock:
        _rings[_key(root)] = key_ring


def lock(root: str | Path) -> None:
    """Forget the keys of ``root`` (tests; closing a data directory)."""
    with _lock:
        _rings.pop(_key(root), None)


def ring(root: str | Path) -> crypto.KeyRing | None:
    """The opened keys of ``root``, or None (plain directory, or not unlocked yet)."""
    with _lock:
        return _rings.get(_key(root))


def require_ring(root: str | Path) -> crypto.KeyRing | None:
    """Keys to write with: None for a plain directory; :class:`Locked` if encrypted but not opened."""
    found = ring(root)
    if found is None and encryption_on(root):
        raise Locked(
            "Dữ liệu đang được mã hóa nhưng chưa mở khóa.",
            hint="Khởi động lại chương trình và nhập mật khẩu mã hóa (hoặc khóa khôi phục).",
        )
    return found


def _rel(rel_path: str | Path) -> str:
    return Path(rel_path).as_posix()


def store(root: str | Path, rel_path: str | Path, data: bytes) -> tuple[str, int]:
    """Write ``data`` at ``root/rel_path`` atomically (encrypted when the directory is).

    Returns SHA-256 and size *of the bytes on disk*: that is what ``files.sha256`` holds, so the
    archive check and backups work without the keys.
    """
    return crypto.write_file(require_ring(root), root, _rel(rel_path), data)


def load(root: str | Path, rel_path: str | Path) -> bytes:
    """Read a stored file as plaintext; plain files (from before encryption) pass through."""
    return crypto.read_file(ring(root), root, _rel(rel_path))


def find_root(path: str | Path) -> Path | None:
    """The data directory holding ``path``: the nearest parent with the database or a key file."""
    p = Path(path).resolve()
    for parent in p.parents:
        if (parent / _DB_NAME).exists() or (parent / crypto.KEY_FILE).exists():
            return parent
    return None


def load_path(path: str | Path) -> bytes:
    """Read a file given only its absolute path (print preview, viewers) as plaintext."""
    p = Path(path)
    root = find_root(p)
    if root is None:
        return p.read_bytes()
    return load(root, p.resolve().relative_to(root))


# ------------------------------------------------------------------------------ opening keys
def open_with_passphrase(root: str | Path, passphrase: str) -> crypto.KeyRing:
    """Open ``keys.json`` with the passphrase and register it; :class:`crypto.WrongSecret` if wrong."""
    opened = crypto.KeyRing.unlock_with_passphrase(key_file(root), passphrase)
    unlock(root, opened)
    return opened


def open_with_recovery(root: str | Path, recovery_key: str) -> crypto.KeyRing:
    """Open ``keys.json`` with the printed recovery key and register it (forgotten passphrase)."""
    opened = crypto.KeyRing.unlock_with_recovery(key_file(root), recovery_key)
    unlock(root, opened)
    return opened


def open_with_os_store(root: str | Path) -> crypto.KeyRing | None:
    """Open with the OS key store (Windows DPAPI) when it holds the keys; None otherwise."""
    if not crypto.os_key_store_available():
        return None
    try:
        opened = crypto.KeyRing.unlock_with_os_store(key_file(root))
    except (crypto.KeyFileError, OSError, ValueError):
        return None
    unlock(root, opened)
    return opened


def setup_encryption(root: str | Path, passphrase: str) -> tuple[crypto.KeyRing, str]:
    """First run: create the key file, register it, and return the recovery key to print (once).

    On Windows the keys are also wrapped for this Windows account, so the counter opens without the
    passphrase; elsewhere it is asked once per start.
    """
    opened, recovery = crypto.create_key_file(key_file(root), passphrase)
    if crypto.os_key_store_available():
        opened.enable_os_store()
    unlock(root, opened)
    return opened, recovery
