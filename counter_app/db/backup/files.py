"""Backup files on disk: the folder layout, hashing, crash-safe copies and reading a manifest.

Shared by creating (:mod:`.create`), checking (:mod:`.verify`), restoring (:mod:`.restore`) and the
start-up check (:mod:`.startup`); nothing here touches the database.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from counter_app.atomicio import DiskFull
from counter_app.errors import EnvironmentProblem, ValidationError
from counter_app.timefmt import DB_TS

BACKUP_PREFIX = "qmc-backup-"
MANIFEST = "manifest.json"
DB_NAME = "counter.sqlite3"
FORMAT = 1
#: Data-directory sub-folders copied into a backup (logs and tmp are not data; backups not recursive).
#: ``certs/`` holds the officers' signing keys (PKCS#12, protected by their own passphrase): without
#: them signing a scan fails after a restore (issue #15 item 14).
FILE_DIRS = ("scans", "documents", "certs")
#: Extra top-level files copied when present (the encryption key file: backups are useless without it).
EXTRA_FILES = ("keys.json",)
#: Read/hash block size: 1 MiB keeps memory flat for a 200-page scan PDF.
CHUNK = 1 << 20
#: Timestamp format of manifests, markers and the ``last_backup_at`` setting.
TS = DB_TS  # the one stored format (counter_app.timefmt)


@dataclass(frozen=True)
class BackupInfo:
    """A complete backup found in a folder."""

    path: Path
    created_at: datetime
    files: int
    size: int

    def label(self) -> str:
        """``05/10/2026 10:30 — 1 234 tệp, 2.1 GB`` for lists and messages."""
        return f"{self.created_at:%d/%m/%Y %H:%M} — {self.files} tệp, {self.size / 1e9:.1f} GB ({self.path})"


def fsync_path(path: Path) -> None:
    """Flush ``path`` (file or folder entry) to the disk: a power cut must not undo a rename."""
    if os.name == "nt" and path.is_dir():
        return  # NTFS journals directory changes; a directory cannot be opened for fsync there
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def is_temp(name: str) -> bool:
    """Whether ``name`` is a temporary of an interrupted atomic write (never backed up)."""
    # atomic_write_bytes' temporaries: ".<target>.<random>.tmp"
    return name.startswith(".") and name.endswith(".tmp")


def safe_rel(rel: str) -> PurePosixPath:
    """A manifest path must be relative and stay inside the backup (a tampered manifest must not
    make a restore write to ``../../Windows``)."""
    p = PurePosixPath(rel)
    if p.is_absolute() or not p.parts or any(part in ("..", "") for part in p.parts) or "\\" in rel or ":" in rel:
        raise ValidationError(f"Đường dẫn không hợp lệ trong bản sao lưu: {rel!r}.",
                              hint="Bản sao lưu này có thể đã bị sửa; chọn bản sao lưu khác.")
    return p


def space_error(exc: OSError, where: str) -> EnvironmentProblem | None:
    """A :class:`DiskFull` saying ``where`` is full when ``exc`` means no space left, else None."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFull(f"{where} đã đầy, bản sao lưu chưa được tạo.",
                        hint="Xóa bớt bản sao lưu cũ trên ổ đó hoặc dùng ổ USB lớn hơn; "
                        "dữ liệu trên máy không bị ảnh hưởng.")
    return None


def copy_hash(src: Path, dst: Path) -> tuple[str, int]:
    """Copy ``src`` to ``dst`` (fsync'ed) and return the SHA-256 and size of the bytes written."""
    h = hashlib.sha256()
    size = 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    with src.open("rb") as fin, dst.open("wb") as fout:
        while block := fin.read(CHUNK):
            h.update(block)
            fout.write(block)
            size += len(block)
        fout.flush()
        os.fsync(fout.fileno())
    return h.hexdigest(), size


def hash_file(path: Path) -> tuple[str, int]:
    """SHA-256 and size of ``path``, read in blocks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def read_manifest(backup: Path) -> dict[str, Any]:
    """The manifest of ``backup``; a missing or foreign one raises :class:`ValidationError`."""
    try:
        data = json.loads((backup / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationError(f"Bản sao lưu {backup.name} thiếu hoặc hỏng tệp {MANIFEST}.",
                              hint="Chọn bản sao lưu khác.") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("files"), dict):
        raise ValidationError(f"Tệp {MANIFEST} của {backup.name} không đúng định dạng.", hint="Chọn bản sao lưu khác.")
    return data


def list_backups(folder: str | Path) -> list[BackupInfo]:
    """Complete backups in ``folder`` (those with a manifest), newest first. Never raises."""
    root = Path(folder)
    found: list[BackupInfo] = []
    try:
        candidates = [p for p in root.iterdir() if p.is_dir() and p.name.startswith(BACKUP_PREFIX)]
    except OSError:
        return []
    for p in candidates:
        try:
            m = read_manifest(p)
            created = datetime.strptime(m["created_at"], TS)
        except (ValidationError, KeyError, ValueError):
            continue
        size = sum(int(f.get("size", 0)) for f in m["files"].values()) + int(m["database"].get("size", 0))
        found.append(BackupInfo(p, created, len(m["files"]), size))
    return sorted(found, key=lambda b: (b.created_at, b.path.name), reverse=True)

