"""Making a backup: an online snapshot of the database, the data files copied (or hard-linked when
unchanged since the previous backup), the manifest written last, the folder renamed into place,
then rotation of the oldest complete backups.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.atomicio import DiskFull, atomic_write_bytes
from counter_app.db import audit
from counter_app.db.backup.files import (
    BACKUP_PREFIX,
    DB_NAME,
    EXTRA_FILES,
    FILE_DIRS,
    FORMAT,
    MANIFEST,
    TS,
    copy_hash,
    fsync_path,
    hash_file,
    is_temp,
    list_backups,
    read_manifest,
    space_error,
)
from counter_app.db.database import connect_read_only, environment_error
from counter_app.db.settings import BackupSettings
from counter_app.errors import EnvironmentProblem, ValidationError
from counter_app.paths import DataDir

log = logging.getLogger(__name__)

#: Complete backups kept in a folder by default: two weeks of daily backups.
DEFAULT_KEEP = BackupSettings.DEFAULT_KEEP


@dataclass(frozen=True)
class BackupResult:
    """What :func:`create_backup` did."""

    path: Path
    files: int
    bytes_copied: int
    bytes_linked: int
    seconds: float
    audit_head: tuple[int, str]
    removed: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()



def _snapshot_database(db_path: Path, dst: Path) -> tuple[tuple[int, str], list[str]]:
    """Online snapshot of the live database into ``dst``; returns the audit head and migrations."""
    # Read-only: a backup must work from a failing (read-only) disk, and never writes the source.
    src = connect_read_only(db_path, 30.0)
    try:
        out = sqlite3.connect(str(dst))
        try:
            # One step (pages=-1): a consistent snapshot under one read transaction. With WAL the
            # counter keeps writing meanwhile; a stepwise copy would restart on every write.
            src.backup(out)
            # A standalone file: no -wal/-shm beside it on the USB disk.
            out.execute("PRAGMA journal_mode = DELETE")
            check = out.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise EnvironmentProblem(
                    "Cơ sở dữ liệu trên máy có lỗi nên không sao lưu được.",
                    hint="Chạy «counter-app check»; khôi phục từ bản sao lưu trước đó nếu cần.",
                )
            row = out.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
            head = (int(row[0]), str(row[1])) if row else (0, audit.GENESIS)
            try:
                migrations = [r[0] for r in out.execute("SELECT name FROM _sqlite_migrations ORDER BY applied_at")]
            except sqlite3.Error:
                migrations = []
        finally:
            out.close()
    finally:
        src.close()
    fsync_path(dst)
    return head, migrations


def create_backup(
    data: DataDir,
    target: str | Path,
    *,
    keep: int = DEFAULT_KEEP,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BackupResult:
    """Back up the database and files of ``data`` into a new folder in ``target``; rotate old ones.

    Opens its own connection (safe to run on a pool thread while the app works). Raises
    :class:`DiskFull` when the target fills up and :class:`EnvironmentProblem` when it cannot be
    written (USB stick pulled out, write-protected); in both cases nothing half-made is left that
    looks like a backup.
    """
    t0 = time.perf_counter()
    now = (now or datetime.now()).replace(microsecond=0)
    target = Path(target)
    name = f"{BACKUP_PREFIX}{now:%Y%m%d-%H%M%S}"
    try:
        target.mkdir(parents=True, exist_ok=True)
        for stale in target.glob(".partial-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a backup interrupted by a power cut
        if (target / name).exists():
            raise ValidationError("Vừa có bản sao lưu cùng thời điểm.", hint="Chờ một giây rồi thử lại.")
        staging = target / f".partial-{name}-{os.getpid()}"
        staging.mkdir()
    except OSError as exc:
        raise (space_error(exc, "Ổ sao lưu") or EnvironmentProblem(
            f"Không ghi được vào thư mục sao lưu {target}: {exc.strerror or exc}.",
            hint="Kiểm tra ổ USB đã cắm và không bị khóa ghi, hoặc chọn thư mục khác.")) from exc

    previous = list_backups(target)
    prev_files: dict[str, dict[str, Any]] = {}
    prev_path: Path | None = None
    if previous:
        prev_path = previous[0].path
        with contextlib.suppress(ValidationError):
            prev_files = read_manifest(prev_path)["files"]

    warnings: list[str] = []
    try:
        head, migrations = _snapshot_database(data.database, staging / DB_NAME)
        db_sha, db_size = hash_file(staging / DB_NAME)
        sources: list[tuple[str, Path]] = []
        for sub in FILE_DIRS:
            base = data.root / sub
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames.sort()
                for fname in sorted(filenames):
                    if is_temp(fname):
                        continue
                    p = Path(dirpath) / fname
                    if p.is_symlink() or not p.is_file():
                        continue  # a link could point anywhere; the app never makes one
                    sources.append((p.relative_to(data.root).as_posix(), p))
        for extra in EXTRA_FILES:
            if (data.root / extra).is_file():
                sources.append((extra, data.root / extra))
        files: dict[str, dict[str, Any]] = {}
        copied = linked = 0
        for n, (rel, src) in enumerate(sources, start=1):
            dst = staging / rel
            sha, size = hash_file(src)
            old = prev_files.get(rel)
            done = False
            if old and prev_path is not None and old.get("sha256") == sha and old.get("size") == size:
                try:
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    os.link(prev_path / rel, dst)
                    linked += size
                    done = True
                except OSError:
                    pass  # FAT32/exFAT have no hard links, or the old copy is gone: copy instead
            if not done:
                sha2, size = copy_hash(src, dst)
                if sha2 != sha:
                    # The file changed between hashing and copying: scans never do (write-once),
                    # so this is a document being regenerated; keep what was copied.
                    sha = sha2
                copied += size
            files[rel] = {"sha256": sha, "size": size}
            if progress:
                progress(n, len(sources))
        registered = _registered_hashes(staging / DB_NAME)
        for rel, expected in registered.items():
            got = files.get(rel)
            if got is None:
                warnings.append(f"Tệp {rel} có trong cơ sở dữ liệu nhưng không có trên đĩa.")
            elif got["sha256"] != expected:
                warnings.append(f"Tệp {rel} đã bị thay đổi sau khi lưu (mã SHA-256 khác).")
        manifest = {
            "format": FORMAT,
            "created_at": now.strftime(TS),
            "source": str(data.root),
            "database": {"path": DB_NAME, "sha256": db_sha, "size": db_size, "migrations": migrations,
                         "audit_head": list(head)},
            "files": files,
            "warnings": warnings,
        }
        atomic_write_bytes(staging / MANIFEST,
                           json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
        for dirpath, _dirs, _files in os.walk(staging, topdown=False):
            fsync_path(Path(dirpath))
        final = target / name
        os.rename(staging, final)
        fsync_path(target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, sqlite3.Error):
            # The snapshot is written by SQLite: a full USB stick arrives as SQLITE_FULL, not ENOSPC.
            problem = environment_error(exc, staging / DB_NAME)
            if problem is not None and "đầy" in problem.message:
                raise DiskFull("Ổ sao lưu đã đầy; bản sao lưu chưa được tạo.",
                               hint="Giải phóng dung lượng hoặc dùng ổ khác rồi sao lưu lại; "
                               "dữ liệu trên máy không bị ảnh hưởng.") from exc
            raise (problem or exc) from exc
        if isinstance(exc, OSError):
            raise (space_error(exc, "Ổ sao lưu") or EnvironmentProblem(
                f"Sao lưu bị gián đoạn: {exc.strerror or exc}.",
                hint="Kiểm tra ổ USB (có bị rút ra?) rồi sao lưu lại; dữ liệu trên máy không bị ảnh hưởng.")) from exc
        raise
    removed = _rotate(target, keep)
    for w in warnings:
        log.warning("backup: %s", w)
    result = BackupResult(final, len(files), copied, linked, time.perf_counter() - t0, head, tuple(removed),
                          tuple(warnings))
    log.info("backup %s: %d files, %d bytes copied, %d linked, %.1f s", final.name, len(files), copied, linked,
             result.seconds)
    return result


def _registered_hashes(db_file: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        return {r[0]: r[1] for r in conn.execute("SELECT path, sha256 FROM files")}
    finally:
        conn.close()


def _rotate(target: Path, keep: int) -> list[Path]:
    """Delete the oldest complete backups beyond ``keep`` (at least one is always kept)."""
    backups = list_backups(target)
    removed: list[Path] = []
    for old in backups[max(1, keep):]:
        shutil.rmtree(old.path, ignore_errors=True)
        removed.append(old.path)
    return removed
