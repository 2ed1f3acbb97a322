"""Crash-safe file writes.

A scan or a receipt confirmed to the officer must survive a power cut. Files are written to a
temporary name in the same directory, flushed and fsync'ed, then renamed over the target (atomic on
POSIX and on NTFS via ``os.replace``), and the directory is fsync'ed so the rename itself is durable.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from pathlib import Path

from counter_app.errors import EnvironmentProblem


class DiskFull(EnvironmentProblem):
    """No space left on the data disk."""


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks so large scans do not fill memory."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def fsync_dir(directory: Path) -> None:
    """Make a rename inside ``directory`` durable (the directory entry itself is flushed)."""
    # Windows cannot open a directory for fsync; NTFS journals the rename itself.
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> str:
    """Write ``data`` to ``path`` atomically and durably; return its SHA-256.

    Either the old file (or nothing) or the complete new file is on disk after a crash, never a
    half-written one. A full disk raises :class:`DiskFull` and leaves the target untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
        fsync_dir(target.parent)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DiskFull(
                "Ổ đĩa dữ liệu đã đầy, chưa lưu được tệp.",
                hint="Giải phóng dung lượng (xóa tệp tạm, chuyển bản sao lưu cũ sang USB) rồi thử lại; "
                "dữ liệu đã lưu trước đó không bị ảnh hưởng.",
            ) from exc
        raise
    return sha256_bytes(data)
