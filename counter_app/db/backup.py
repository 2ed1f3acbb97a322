"""Backups (sao lưu) to a chosen folder — normally a USB disk — with rotation, verified restore,
and the integrity check at start.

A backup is one folder ``qmc-backup-YYYYmmdd-HHMMSS`` holding

* ``counter.sqlite3`` — an online snapshot made with SQLite's backup API (``Connection.backup``):
  consistent even while the counter keeps working (WAL: readers never block the writer), then
  switched to a self-contained rollback-journal file and checked with ``PRAGMA integrity_check``;
* ``scans/`` and ``documents/`` — copies of the data directory's files (temporary files of
  interrupted writes are skipped); a file unchanged since the previous backup in the same folder
  is hard-linked instead of copied where the file system allows it (NTFS/ext4 yes, FAT32/exFAT
  USB sticks no — then it is copied), so a daily backup of a 20 GB archive costs only the new scans;
* ``manifest.json`` — SHA-256 and size of every file, the database's hash, its migrations and the
  **audit-chain head** (an anchor that lets :func:`counter_app.db.audit.verify_chain` notice a
  truncated or rewritten audit log later).

Crash safety: everything is written under ``.partial-…`` in the target folder, fsync'ed, and the
folder is renamed to its final name only when complete; a power cut leaves a ``.partial`` folder
that the next backup deletes, never a backup that looks complete but is not. Rotation deletes the
oldest *complete* backups beyond ``keep`` only after the new one is in place.

Restore never overwrites: :func:`restore_backup` verifies the backup, copies it into a *new*
data directory (verifying every hash again after the copy), opens and checks the database there,
and only then gives the folder its name. :func:`replace_data_dir` moves the damaged directory aside
(kept for inspection) and puts the restored one in its place.

Encrypted scans (:mod:`counter_app.crypto`) are backed up as they are on disk — encrypted — so a
backup is as unreadable as the data directory; restoring it needs the key (key file + passphrase
or recovery key), which is why the key file is part of every backup.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from counter_app.atomicio import DiskFull, atomic_write_bytes
from counter_app.db import audit
from counter_app.db.database import CounterDB, connect_read_only, environment_error
from counter_app.errors import EnvironmentProblem, ValidationError
from counter_app.paths import DataDir

log = logging.getLogger(__name__)

__all__ = [
    "BACKUP_PREFIX",
    "AppliedRestore",
    "BackupDetails",
    "BackupInfo",
    "BackupResult",
    "BackupStatus",
    "PendingRestore",
    "RestoreReport",
    "StartupReport",
    "apply_pending_restore",
    "audit_anchors",
    "audit_verify_report",
    "backup_details",
    "backup_due",
    "backup_status",
    "cancel_pending_restore",
    "clean_temp_files",
    "create_backup",
    "list_backups",
    "pending_restore",
    "prepare_restore",
    "record_backup",
    "record_verification",
    "replace_data_dir",
    "restore_backup",
    "save_backup_settings",
    "startup_check",
    "verification_states",
    "verify_backup",
]

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
DEFAULT_KEEP = 14
DEFAULT_INTERVAL_HOURS = 24
#: Audit entries re-hashed by the start-up check (the full check runs from the supervisor view).
STARTUP_AUDIT_WINDOW = 2000
_CHUNK = 1 << 20
_TS = "%Y-%m-%d %H:%M:%S"


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


@dataclass(frozen=True)
class RestoreReport:
    """What :func:`restore_backup` produced."""

    root: Path
    files: int
    audit_breaks: tuple[str, ...] = ()


@dataclass
class StartupReport:
    """Result of :func:`startup_check`: ``ok`` False means do not open the database normally."""

    ok: bool
    fresh: bool = False
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    latest_backup: BackupInfo | None = None
    temp_files: int = 0

    def message(self) -> str:
        """Vietnamese text for the start-up dialog: what is wrong and the recovery path, step by step."""
        if self.ok:
            return "Dữ liệu đã được kiểm tra: không có lỗi." + "".join(f"\n• {n}" for n in self.notes)
        lines = ["Phát hiện lỗi dữ liệu khi khởi động:"]
        lines += [f"• {p}" for p in self.problems]
        lines.append("")
        lines.append("Cách khôi phục:")
        lines.append("1. Không xóa và không sửa thư mục dữ liệu hiện tại (để chuyên viên kiểm tra sau).")
        if self.latest_backup is not None:
            lines.append(f"2. Khôi phục bản sao lưu gần nhất: {self.latest_backup.label()} — nhập tài khoản "
                         "quản trị rồi bấm «Khôi phục» bên dưới (hoặc lệnh «counter-app restore»).")
        else:
            lines.append("2. Cắm ổ USB sao lưu, chọn thư mục qmc-backup-… bên dưới, nhập tài khoản quản trị rồi "
                         "bấm «Khôi phục» (hoặc lệnh «counter-app restore THƯ_MỤC_SAO_LƯU»).")
        lines.append("3. Dữ liệu được khôi phục vào thư mục mới; thư mục cũ được giữ lại với tên «…-hong-…».")
        lines.append("4. Hồ sơ tiếp nhận sau thời điểm sao lưu: nhập lại theo liên lưu Giấy tiếp nhận; "
                     "hồ sơ đã đồng bộ có thể tra cứu lại trên hệ thống một cửa của tỉnh.")
        lines.append("Nếu không có bản sao lưu, liên hệ bộ phận kỹ thuật trước khi thao tác tiếp.")
        return "\n".join(lines)


# ----------------------------------------------------------------------------------- helpers
def _fsync_path(path: Path) -> None:
    if os.name == "nt" and path.is_dir():
        return  # NTFS journals directory changes; a directory cannot be opened for fsync there
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_temp(name: str) -> bool:
    # atomic_write_bytes' temporaries: ".<target>.<random>.tmp"
    return name.startswith(".") and name.endswith(".tmp")


def _safe_rel(rel: str) -> PurePosixPath:
    """A manifest path must be relative and stay inside the backup (a tampered manifest must not
    make a restore write to ``../../Windows``)."""
    p = PurePosixPath(rel)
    if p.is_absolute() or not p.parts or any(part in ("..", "") for part in p.parts) or "\\" in rel or ":" in rel:
        raise ValidationError(f"Đường dẫn không hợp lệ trong bản sao lưu: {rel!r}.",
                              hint="Bản sao lưu này có thể đã bị sửa; chọn bản sao lưu khác.")
    return p


def _space_error(exc: OSError, where: str) -> EnvironmentProblem | None:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return DiskFull(f"{where} đã đầy, bản sao lưu chưa được tạo.",
                        hint="Xóa bớt bản sao lưu cũ trên ổ đó hoặc dùng ổ USB lớn hơn; "
                        "dữ liệu trên máy không bị ảnh hưởng.")
    return None


def _copy_hash(src: Path, dst: Path) -> tuple[str, int]:
    """Copy ``src`` to ``dst`` (fsync'ed) and return the SHA-256 and size of the bytes written."""
    h = hashlib.sha256()
    size = 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    with src.open("rb") as fin, dst.open("wb") as fout:
        while block := fin.read(_CHUNK):
            h.update(block)
            fout.write(block)
            size += len(block)
        fout.flush()
        os.fsync(fout.fileno())
    return h.hexdigest(), size


def _hash_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


def _read_manifest(backup: Path) -> dict[str, Any]:
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
            m = _read_manifest(p)
            created = datetime.strptime(m["created_at"], _TS)
        except (ValidationError, KeyError, ValueError):
            continue
        size = sum(int(f.get("size", 0)) for f in m["files"].values()) + int(m["database"].get("size", 0))
        found.append(BackupInfo(p, created, len(m["files"]), size))
    return sorted(found, key=lambda b: (b.created_at, b.path.name), reverse=True)


# ------------------------------------------------------------------------------------ backup
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
    _fsync_path(dst)
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
        raise (_space_error(exc, "Ổ sao lưu") or EnvironmentProblem(
            f"Không ghi được vào thư mục sao lưu {target}: {exc.strerror or exc}.",
            hint="Kiểm tra ổ USB đã cắm và không bị khóa ghi, hoặc chọn thư mục khác.")) from exc

    previous = list_backups(target)
    prev_files: dict[str, dict[str, Any]] = {}
    prev_path: Path | None = None
    if previous:
        prev_path = previous[0].path
        with contextlib.suppress(ValidationError):
            prev_files = _read_manifest(prev_path)["files"]

    warnings: list[str] = []
    try:
        head, migrations = _snapshot_database(data.database, staging / DB_NAME)
        db_sha, db_size = _hash_file(staging / DB_NAME)
        sources: list[tuple[str, Path]] = []
        for sub in FILE_DIRS:
            base = data.root / sub
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames.sort()
                for fname in sorted(filenames):
                    if _is_temp(fname):
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
            sha, size = _hash_file(src)
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
                sha2, size = _copy_hash(src, dst)
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
            "created_at": now.strftime(_TS),
            "source": str(data.root),
            "database": {"path": DB_NAME, "sha256": db_sha, "size": db_size, "migrations": migrations,
                         "audit_head": list(head)},
            "files": files,
            "warnings": warnings,
        }
        atomic_write_bytes(staging / MANIFEST,
                           json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8"))
        for dirpath, _dirs, _files in os.walk(staging, topdown=False):
            _fsync_path(Path(dirpath))
        final = target / name
        os.rename(staging, final)
        _fsync_path(target)
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
            raise (_space_error(exc, "Ổ sao lưu") or EnvironmentProblem(
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


def record_backup(cdb: CounterDB, result: BackupResult, user_id: int | None = None, *,
                  now: datetime | None = None) -> None:
    """Remember the backup (for :func:`backup_due` and the settings page) and audit it.

    ``now``: when the backup was made (the scheduler passes the time it started with; default now).
    """
    with cdb.write():
        cdb.set_setting("last_backup_at", (now or datetime.now()).strftime(_TS))
        cdb.set_setting("last_backup_path", str(result.path))
        audit.append(cdb, user_id, "backup", "backup", result.path.name,
                     {"files": result.files, "copied": result.bytes_copied, "linked": result.bytes_linked,
                      "audit_head": list(result.audit_head), "warnings": len(result.warnings)})


def backup_due(cdb: CounterDB, now: datetime | None = None) -> Path | None:
    """The target folder if a scheduled backup is due now, else None.

    Settings: ``backup_dir`` (none = no schedule), ``backup_interval_hours`` (default 24). The app
    checks this on a timer and at close; a target that is not plugged in is simply skipped.
    """
    folder = cdb.get_setting("backup_dir")
    if not folder:
        return None
    now = now or datetime.now()
    hours = float(cdb.get_setting("backup_interval_hours", DEFAULT_INTERVAL_HOURS) or DEFAULT_INTERVAL_HOURS)
    last = cdb.get_setting("last_backup_at")
    if last and (now - datetime.strptime(last, _TS)).total_seconds() < hours * 3600:
        return None
    path = Path(folder)
    return path if path.is_dir() else None


#: Settings of the schedule (the settings page's «Sao lưu» group edits them).
SETTING_KEYS = ("backup_dir", "backup_interval_hours", "backup_keep")
MAX_INTERVAL_HOURS = 24 * 31
MAX_KEEP = 365
#: Verification results shown in the backup table (name -> when, how many problems, first problem).
_CHECKS_KEY = "backup_checks"
_MAX_CHECKS = 100


@dataclass(frozen=True)
class BackupStatus:
    """Where the schedule stands, for the status bar and the settings page."""

    folder: Path | None
    interval_hours: float
    keep: int
    last_at: datetime | None
    last_path: str | None
    folder_present: bool
    due: bool
    stale: bool

    def last_label(self) -> str:
        """``Sao lưu gần nhất: 14:05 05/10`` (or that there is none yet)."""
        if self.last_at is None:
            return "Chưa có bản sao lưu nào"
        return f"Sao lưu gần nhất: {self.last_at:%H:%M %d/%m}"

    def missing_folder_message(self, can_run: bool = True) -> str:
        """What to do when the configured folder is not there (USB disk not plugged in).

        ``can_run``: the user may press «Sao lưu ngay» (supervisor, admin); an officer is told that
        plugging the disk in is enough.
        """
        todo = ("cắm ổ USB sao lưu rồi bấm «Sao lưu ngay» (Cài đặt → Sao lưu)." if can_run
                else "cắm ổ USB sao lưu; chương trình sẽ tự sao lưu sau vài phút.")
        return f"Chưa sao lưu được: không thấy thư mục {self.folder} — {todo}"

    def stale_message(self, can_run: bool = True) -> str:
        """Warning when the last good backup is older than twice the interval."""
        when = f"{self.last_at:%H:%M %d/%m/%Y}" if self.last_at else "chưa có"
        todo = "bấm «Sao lưu ngay»" if can_run else "báo cán bộ quản lý"
        return (f"Bản sao lưu gần nhất đã cũ ({when}, quá {2 * self.interval_hours:g} giờ) — kiểm tra ổ USB "
                f"sao lưu rồi {todo}.")


def _float_setting(cdb: CounterDB, key: str, default: float) -> float:
    try:
        value = float(cdb.get_setting(key, default) or default)
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default


def backup_status(cdb: CounterDB, now: datetime | None = None) -> BackupStatus:
    """The schedule's state from the settings: due, folder present, last good backup, stale.

    Unlike :func:`backup_due` it says *why* nothing happens (no folder configured, USB disk not
    plugged in), so the GUI can tell the officer what to do instead of skipping silently.
    """
    now = now or datetime.now()
    folder_text = cdb.get_setting("backup_dir")
    folder = Path(folder_text) if folder_text else None
    hours = _float_setting(cdb, "backup_interval_hours", DEFAULT_INTERVAL_HOURS)
    keep = int(_float_setting(cdb, "backup_keep", DEFAULT_KEEP))
    last_text = cdb.get_setting("last_backup_at")
    try:
        last = datetime.strptime(last_text, _TS) if last_text else None
    except (TypeError, ValueError):
        last = None
    age = (now - last).total_seconds() if last else None
    due = folder is not None and (age is None or age >= hours * 3600)
    stale = folder is not None and age is not None and age >= 2 * hours * 3600
    return BackupStatus(folder, hours, keep, last, cdb.get_setting("last_backup_path"),
                        bool(folder and folder.is_dir()), due, stale)


def save_backup_settings(cdb: CounterDB, folder: str, interval_hours: float, keep: int,
                         user_id: int | None) -> None:
    """Store the schedule (folder, interval, how many backups to keep) and audit the change.

    An empty folder switches scheduled backups off.
    """
    folder = folder.strip()
    if folder and not Path(folder).is_absolute():
        raise ValidationError(f"Thư mục sao lưu «{folder}» không phải đường dẫn đầy đủ.",
                              hint="Bấm «Chọn…» để chọn thư mục trên ổ USB sao lưu.")
    if not 1 <= float(interval_hours) <= MAX_INTERVAL_HOURS:
        raise ValidationError(f"Khoảng thời gian sao lưu phải từ 1 đến {MAX_INTERVAL_HOURS} giờ.")
    if not 1 <= int(keep) <= MAX_KEEP:
        raise ValidationError(f"Số bản sao lưu giữ lại phải từ 1 đến {MAX_KEEP}.")
    from counter_app.db.setup import store_settings

    store_settings(cdb, {"backup_dir": folder, "backup_interval_hours": float(interval_hours),
                         "backup_keep": int(keep)}, user_id)


@dataclass(frozen=True)
class BackupDetails:
    """A backup with what its manifest says: audit-chain head, warnings at creation, key file."""

    info: BackupInfo
    audit_head: tuple[int, str]
    warnings: tuple[str, ...]
    encrypted: bool


def backup_details(folder: str | Path) -> list[BackupDetails]:
    """:func:`list_backups` plus each manifest's audit head and warnings, newest first. Never raises."""
    found: list[BackupDetails] = []
    for info in list_backups(folder):
        try:
            m = _read_manifest(info.path)
            head = m["database"].get("audit_head") or [0, audit.GENESIS]
            found.append(BackupDetails(info, (int(head[0]), str(head[1])),
                                       tuple(str(w) for w in m.get("warnings") or ()),
                                       any(rel in m["files"] for rel in EXTRA_FILES)))
        except (ValidationError, KeyError, TypeError, ValueError, IndexError):
            continue  # replaced or damaged since it was listed: the next listing tells
    return found


def record_verification(cdb: CounterDB, backup_name: str, problems: list[str], *,
                        now: datetime | None = None) -> None:
    """Remember the result of «Kiểm tra» for a backup (shown in the table until checked again)."""
    checks = dict(cdb.get_setting(_CHECKS_KEY) or {})
    checks[backup_name] = {"at": (now or datetime.now()).strftime(_TS), "problems": len(problems),
                           "first": problems[0] if problems else ""}
    # Backups rotate away; keep the newest results only so the setting does not grow forever.
    keep = sorted(checks, key=lambda k: checks[k]["at"], reverse=True)[:_MAX_CHECKS]
    cdb.set_setting(_CHECKS_KEY, {k: checks[k] for k in keep})


def verification_states(cdb: CounterDB) -> dict[str, dict[str, Any]]:
    """Backup name -> ``{"at", "problems", "first"}`` of the last «Kiểm tra»."""
    value = cdb.get_setting(_CHECKS_KEY) or {}
    return value if isinstance(value, dict) else {}


# ----------------------------------------------------------------------------- verify/restore
def verify_backup(backup: str | Path, *, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Re-hash everything in a backup; return problems in Vietnamese (empty = the backup is good).

    ``progress(done, total)`` is called after each file (from the calling thread).
    """
    backup = Path(backup)
    try:
        m = _read_manifest(backup)
    except ValidationError as exc:
        return [exc.message]
    problems: list[str] = []
    db = backup / DB_NAME
    if not db.is_file():
        return [f"Thiếu tệp cơ sở dữ liệu {DB_NAME}."]
    sha, _ = _hash_file(db)
    if sha != m["database"].get("sha256"):
        problems.append("Tệp cơ sở dữ liệu trong bản sao lưu đã bị thay đổi hoặc hỏng (mã SHA-256 khác).")
    else:
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    problems.append("Cơ sở dữ liệu trong bản sao lưu bị lỗi cấu trúc.")
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            problems.append(f"Không mở được cơ sở dữ liệu trong bản sao lưu: {exc}.")
    total = len(m["files"])
    for n, (rel, info) in enumerate(m["files"].items(), start=1):
        if progress:
            progress(n - 1, total)
        try:
            safe = _safe_rel(rel)
        except ValidationError as exc:
            problems.append(exc.message)
            continue
        path = backup / safe
        if not path.is_file():
            problems.append(f"Thiếu tệp {rel}.")
            continue
        got, size = _hash_file(path)
        if got != info.get("sha256") or size != info.get("size"):
            problems.append(f"Tệp {rel} trong bản sao lưu đã bị thay đổi hoặc hỏng.")
    if progress:
        progress(total, total)
    return problems


def restore_backup(backup: str | Path, new_root: str | Path, *, user_id: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> RestoreReport:
    """Restore ``backup`` into the new data directory ``new_root`` (must not exist or be empty).

    The backup is verified first (a bad one is refused with the list of problems), every file is
    hashed again as it is copied, the database is opened (migrated if the backup is older than the
    app), checked, and its audit chain verified against the anchor in the manifest. The folder gets
    its final name only when all of that passed. ``progress(done, total)``: the check counts for the
    first half, the copy for the second.
    """
    backup, new_root = Path(backup), Path(new_root)
    problems = verify_backup(backup, progress=(lambda n, t: progress(n, 2 * t)) if progress else None)
    if problems:
        raise ValidationError("Bản sao lưu không dùng được: " + " ".join(problems[:5])
                              + (f" (và {len(problems) - 5} lỗi khác)" if len(problems) > 5 else ""),
                              hint="Chọn một bản sao lưu khác (cũ hơn).")
    if new_root.exists() and any(new_root.iterdir()):
        raise ValidationError(f"Thư mục {new_root} đã có dữ liệu.", hint="Chọn một thư mục trống để khôi phục vào.")
    m = _read_manifest(backup)
    new_root.parent.mkdir(parents=True, exist_ok=True)
    staging = new_root.parent / f".{new_root.name}.restoring-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        sha, _ = _copy_hash(backup / DB_NAME, staging / DB_NAME)
        if sha != m["database"]["sha256"]:
            raise EnvironmentProblem("Sao chép cơ sở dữ liệu từ bản sao lưu bị lỗi.", hint="Thử lại hoặc dùng ổ khác.")
        total = len(m["files"])
        for n, (rel, info) in enumerate(m["files"].items(), start=1):
            safe = _safe_rel(rel)
            sha, _ = _copy_hash(backup / safe, staging / safe)
            if sha != info["sha256"]:
                raise EnvironmentProblem(f"Sao chép tệp {rel} bị lỗi (mã SHA-256 khác).",
                                         hint="Ổ sao lưu có thể bị hỏng; thử lại hoặc dùng bản sao lưu khác.")
            if progress:
                progress(total + n, 2 * total)
        DataDir(staging).ensure()
        cdb = CounterDB(staging / DB_NAME)  # migrates an older backup; refuses a newer one
        try:
            if not cdb.integrity_ok():
                raise EnvironmentProblem("Cơ sở dữ liệu khôi phục không qua được kiểm tra.")
            head = m["database"].get("audit_head") or [0, audit.GENESIS]
            breaks = tuple(b.message() for b in audit.verify_chain(cdb, anchors=[(int(head[0]), str(head[1]))]))
            audit.append(cdb, user_id, "restore", "backup", backup.name,
                         {"files": len(m["files"]), "audit_breaks": len(breaks)})
        finally:
            cdb.close()
        for dirpath, _dirs, _files in os.walk(staging, topdown=False):
            _fsync_path(Path(dirpath))
        if new_root.exists():
            new_root.rmdir()  # empty, checked above
        os.rename(staging, new_root)
        _fsync_path(new_root.parent)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise (_space_error(exc, "Ổ đĩa đích") or EnvironmentProblem(
                f"Khôi phục bị gián đoạn: {exc.strerror or exc}.", hint="Kiểm tra ổ đĩa rồi thử lại.")) from exc
        raise
    log.info("restored %s into %s (%d files)", backup.name, new_root, len(m["files"]))
    return RestoreReport(new_root, len(m["files"]), breaks)


def replace_data_dir(current: str | Path, restored: str | Path, *, now: datetime | None = None) -> Path:
    """Move the damaged ``current`` data directory aside (``<name>-hong-YYYYmmdd-HHMMSS``, kept for
    inspection) and rename ``restored`` into its place. Both must be on the same disk. Returns the
    aside path. The app must not have the database open."""
    current, restored = Path(current), Path(restored)
    aside = current.with_name(f"{current.name}-hong-{(now or datetime.now()):%Y%m%d-%H%M%S}")
    if current.exists():
        os.rename(current, aside)
    os.rename(restored, current)
    with contextlib.suppress(OSError):
        _fsync_path(current.parent)
    return aside


# --------------------------------------------------------------------------- pending restore
# The running app has its own database open (and on Windows an open file cannot be renamed), so a
# restore from the GUI happens in two steps: now, the backup is restored into a new folder beside
# the data directory and a marker file records it; at the next start, before anything opens a file
# in the data directory, :func:`apply_pending_restore` swaps the folders with :func:`replace_data_dir`.
# The marker sits *beside* the data directory, not in it: it must survive a power cut between the
# two renames, when the data directory does not exist.
_PENDING_FORMAT = 1
_RESTORED_INFIX = "-khoiphuc-"


@dataclass(frozen=True)
class PendingRestore:
    """A restored copy waiting for the next start to take the data directory's place."""

    root: Path
    restored: Path
    backup: str
    requested_at: datetime
    user_id: int | None

    def message(self) -> str:
        """Vietnamese note for the settings page and the status bar."""
        return (f"Đã khôi phục bản sao lưu {self.backup} (lúc {self.requested_at:%H:%M %d/%m/%Y}); "
                "dữ liệu khôi phục sẽ được dùng khi khởi động lại chương trình.")


@dataclass(frozen=True)
class AppliedRestore:
    """What :func:`apply_pending_restore` did at start."""

    root: Path
    aside: Path
    backup: str

    def message(self) -> str:
        """Vietnamese note for the log and the officer."""
        return (f"Đã chuyển sang dữ liệu khôi phục từ bản sao lưu {self.backup}. "
                f"Dữ liệu cũ được giữ nguyên trong thư mục {self.aside}.")


def _marker(root: Path) -> Path:
    return root.parent / f".{root.name}.restore-pending.json"


def _read_marker(root: Path) -> dict[str, Any] | None:
    path = _marker(root)
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise EnvironmentProblem(f"Tệp đánh dấu khôi phục {path} bị hỏng: {exc}.",
                                 hint="Xóa tệp đó để bỏ việc khôi phục đang chờ, rồi khôi phục lại.") from exc
    restored = m.get("restored") if isinstance(m, dict) else None
    # Only a folder beside the data directory named by prepare_restore is accepted: a marker must not
    # be able to move some other folder into the data directory's place.
    if (m.get("format") != _PENDING_FORMAT or not isinstance(restored, str)
            or Path(restored).name != restored or not restored.startswith(root.name + _RESTORED_INFIX)):
        raise EnvironmentProblem(f"Tệp đánh dấu khôi phục {path} không đúng định dạng.",
                                 hint="Xóa tệp đó để bỏ việc khôi phục đang chờ, rồi khôi phục lại.")
    return m


def _write_marker(root: Path, m: dict[str, Any]) -> None:
    atomic_write_bytes(_marker(root), json.dumps(m, ensure_ascii=False, indent=1).encode("utf-8"))


def pending_restore(root: str | Path) -> PendingRestore | None:
    """The restore waiting for the next start, if any (and its restored copy still exists)."""
    root = Path(root).resolve()
    m = _read_marker(root)
    if m is None:
        return None
    restored = root.parent / m["restored"]
    if not restored.is_dir():
        return None
    return PendingRestore(root, restored, str(m.get("backup", "")), datetime.strptime(m["requested_at"], _TS),
                          m.get("user_id"))


def prepare_restore(backup: str | Path, root: str | Path, *, user_id: int | None = None,
                    now: datetime | None = None,
                    progress: Callable[[int, int], None] | None = None) -> PendingRestore:
    """Restore ``backup`` into a new folder beside the data directory ``root`` and mark it to replace
    ``root`` at the next start. Safe while the app runs: nothing in ``root`` is touched.

    Refused while another restore is pending (cancel it first: one swap at a time).
    """
    root = Path(root).resolve()
    now = (now or datetime.now()).replace(microsecond=0)
    if pending_restore(root) is not None:
        raise ValidationError("Đã có một bản khôi phục đang chờ khởi động lại.",
                              hint="Khởi động lại chương trình để dùng nó, hoặc bấm «Hủy khôi phục đang chờ».")
    restored = root.parent / f"{root.name}{_RESTORED_INFIX}{now:%Y%m%d-%H%M%S}"
    restore_backup(backup, restored, user_id=user_id, progress=progress)
    m = {"format": _PENDING_FORMAT, "restored": restored.name, "backup": Path(backup).name,
         "requested_at": now.strftime(_TS), "user_id": user_id, "aside_at": None}
    try:
        _write_marker(root, m)
    except BaseException:
        shutil.rmtree(restored, ignore_errors=True)  # without its marker the copy would never be used
        raise
    log.info("restore of %s prepared in %s; applied at next start", Path(backup).name, restored)
    return PendingRestore(root, restored, Path(backup).name, now, user_id)


def cancel_pending_restore(root: str | Path) -> bool:
    """Drop the restore waiting for the next start (the restored copy is deleted: the backup it came
    from is still on the backup disk). Returns whether there was one."""
    root = Path(root).resolve()
    m = _read_marker(root)
    if m is None:
        return False
    _marker(root).unlink()
    shutil.rmtree(root.parent / m["restored"], ignore_errors=True)
    return True


def _empty_tree(path: Path) -> bool:
    return all(not files for _d, _s, files in os.walk(path))


def apply_pending_restore(root: str | Path, *, now: datetime | None = None) -> AppliedRestore | None:
    """At start, before the database or a log file is opened: put a restored copy in place of ``root``.

    The old data directory is moved aside by :func:`replace_data_dir` (``…-hong-…``), never
    deleted, and the swap is recorded in the restored database's audit trail. Idempotent and safe to
    re-run after a power cut at any point: the aside name is written to the marker before the first
    rename, so a re-run knows which step was done.
    """
    root = Path(root).resolve()
    m = _read_marker(root)
    if m is None:
        return None
    restored = root.parent / m["restored"]
    if m.get("aside_at") is None:
        if not restored.is_dir():
            log.warning("pending restore: %s is gone; nothing to apply", restored)
            _marker(root).unlink()
            return None
        m["aside_at"] = (now or datetime.now()).strftime(_TS)
        _write_marker(root, m)
    at = datetime.strptime(m["aside_at"], _TS)
    aside = root.with_name(f"{root.name}-hong-{at:%Y%m%d-%H%M%S}")
    if restored.is_dir():
        if root.exists() and aside.exists():
            # Power cut between the two renames, then something re-created an empty data directory.
            if not _empty_tree(root):
                raise EnvironmentProblem(
                    f"Không hoàn tất được việc khôi phục: cả {root} và {aside} đều có dữ liệu.",
                    hint="Không xóa thư mục nào; liên hệ bộ phận kỹ thuật.")
            shutil.rmtree(root)
        if root.exists():
            replace_data_dir(root, restored, now=at)
        else:  # the first rename happened before a power cut: finish the second
            os.rename(restored, root)
            with contextlib.suppress(OSError):
                _fsync_path(root.parent)
    if not (root / DB_NAME).is_file():
        # Never open (and so create) an empty database here: that would look like a fresh install.
        raise EnvironmentProblem(f"Không hoàn tất được việc khôi phục: không thấy {root / DB_NAME}.",
                                 hint=f"Dữ liệu cũ vẫn ở {aside}; liên hệ bộ phận kỹ thuật.")
    cdb = CounterDB(root / DB_NAME)
    try:
        done = cdb.scalar("SELECT 1 FROM audit_log WHERE action = 'restore' AND object_type = 'data_dir' "
                          "AND object_id = ?", (aside.name,))
        if not done:  # a re-run after a power cut must not audit the swap twice
            audit.append(cdb, m.get("user_id"), "restore", "data_dir", aside.name,
                         {"backup": m.get("backup"), "applied": True}, now=now)
    finally:
        cdb.close()
    _marker(root).unlink()
    with contextlib.suppress(OSError):
        _fsync_path(root.parent)
    log.warning("restore applied: %s now holds backup %s; old data kept in %s", root, m.get("backup"), aside)
    return AppliedRestore(root, aside, str(m.get("backup", "")))


# ---------------------------------------------------------------------------------- start-up
def clean_temp_files(data: DataDir, *, older_than_seconds: float = 3600.0) -> int:
    """Delete temporaries of interrupted atomic writes under scans/ and documents/; return how many.

    Only those older than ``older_than_seconds``: the headless sync process may be writing one
    right now, and deleting it would make its rename fail.
    """
    n = 0
    limit = time.time() - older_than_seconds
    for sub in FILE_DIRS:
        for dirpath, _dirs, names in os.walk(data.root / sub):
            for fname in names:
                path = Path(dirpath) / fname
                with contextlib.suppress(OSError):
                    if _is_temp(fname) and path.stat().st_mtime < limit:
                        path.unlink()
                        n += 1
    return n


def startup_check(data: DataDir, *, backup_dirs: Iterable[str | Path] = ()) -> StartupReport:
    """Check the data directory before the app opens it: database structure (``quick_check``),
    the newest audit entries' chain, leftovers of interrupted writes. Does not change anything.

    ``ok`` False comes with :meth:`StartupReport.message` — the problems and the recovery path,
    naming the newest backup found in ``backup_dirs`` (the configured USB folder) or ``backups/``.
    """
    report = StartupReport(ok=True)
    report.temp_files = sum(1 for sub in FILE_DIRS for _d, _s, names in os.walk(data.root / sub)
                            for f in names if _is_temp(f))
    if report.temp_files:
        report.notes.append(f"Có {report.temp_files} tệp tạm do lần ghi trước bị gián đoạn (sẽ được dọn).")
    if not data.database.exists():
        report.fresh = True
        return report
    folders = [*backup_dirs, data.backups, *_configured_backup_dir(data.database)]
    backups = [b for folder in folders for b in list_backups(folder)]
    report.latest_backup = max(backups, key=lambda b: b.created_at) if backups else None
    try:
        conn = sqlite3.connect(str(data.database), timeout=10.0)
        try:
            result = conn.execute("PRAGMA quick_check").fetchall()
            if [r[0] for r in result] != ["ok"]:
                report.ok = False
                report.problems.append(
                    f"Cơ sở dữ liệu {data.database.name} bị hỏng cấu trúc ({len(result)} lỗi, ví dụ: {result[0][0]}).")
            else:
                has_audit = conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").fetchone()
                if has_audit:
                    _check_audit_tail(data.database, report)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        report.ok = False
        report.problems.append(f"Không mở được cơ sở dữ liệu {data.database.name}: {exc}.")
    return report


def _configured_backup_dir(db_path: Path) -> list[str]:
    """The ``backup_dir`` setting, read defensively (the database may be the thing that is broken)."""
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5.0)
        try:
            row = conn.execute("SELECT value FROM settings WHERE key = 'backup_dir'").fetchone()
        finally:
            conn.close()
        value = json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError, TypeError):
        return []
    return [value] if isinstance(value, str) and value else []


def _check_audit_tail(db_path: Path, report: StartupReport) -> None:
    cdb = CounterDB(db_path, migrate=False)
    try:
        last = audit.head(cdb)[0]
        breaks = audit.verify_chain(cdb, since_id=max(0, last - STARTUP_AUDIT_WINDOW))
    finally:
        cdb.close()
    if breaks:
        # Not a reason to stop the counter (the data itself is readable), but a supervisor must know.
        report.notes.append(f"Nhật ký kiểm tra có {len(breaks)} chỗ bị đứt/sửa: " + breaks[0].message()
                            + " Báo lãnh đạo và chạy «Kiểm tra nhật ký» đầy đủ.")


# ------------------------------------------------------------------------------ audit verify
def audit_anchors(folders: Iterable[str | Path]) -> list[tuple[int, str]]:
    """Audit-chain heads recorded in the manifests of the backups found in ``folders``."""
    anchors: dict[int, str] = {}
    for folder in folders:
        for info in list_backups(folder):
            with contextlib.suppress(ValidationError, KeyError, TypeError, ValueError):
                head = _read_manifest(info.path)["database"]["audit_head"]
                if int(head[0]) > 0:
                    anchors[int(head[0])] = str(head[1])
    return sorted(anchors.items())


def audit_verify_report(cdb: CounterDB, folders: Iterable[str | Path] = (),
                        extra_anchors: Iterable[tuple[int, str]] = ()) -> tuple[bool, str]:
    """Full audit-chain check against every backup's anchor: ``(ok, Vietnamese report)``.

    What ``counter-app audit-verify`` prints (exit code 0 if ok, 1 if not) and the supervisor view shows.
    ``folders``: any backup folder, a single backup or a USB disk (``--anchors DIR``), searched
    without trusting the database; default: the ``backup_dir`` setting and ``backups/``.
    ``extra_anchors``: typed back from the monthly report or given by the province (``--anchor``).
    """
    folders = list(folders)
    if not folders:
        folders = [cdb.root / "backups", *([cdb.get_setting("backup_dir")] if cdb.get_setting("backup_dir") else [])]
    anchors = sorted({**dict(audit.anchors_in(folders)), **dict(extra_anchors)}.items())
    total = int(cdb.scalar("SELECT count(*) FROM audit_log") or 0)
    breaks = audit.verify_chain(cdb, anchors=anchors)
    head_id, head_hash = audit.head(cdb)
    lines = [f"Nhật ký kiểm tra: {total} mục, mục cuối #{head_id} (mã băm {head_hash[:16]}…); "
             f"đối chiếu với {len(anchors)} mốc trong bản sao lưu."]
    if breaks:
        lines.append(f"PHÁT HIỆN {len(breaks)} CHỖ BẤT THƯỜNG:")
        lines += [f"• {b.message()}" for b in breaks[:50]]
        if len(breaks) > 50:
            lines.append(f"• … và {len(breaks) - 50} chỗ khác.")
        lines.append("Báo lãnh đạo; giữ nguyên máy và thư mục dữ liệu để kiểm tra; so sánh với bản sao lưu.")
    else:
        lines.append("Chuỗi nhật ký nguyên vẹn.")
    return not breaks, "\n".join(lines)


def restore_at_startup(backup: str | Path, root: str | Path, username: str, password: str, *,
                       now: datetime | None = None,
                       progress: Callable[[int, int], None] | None = None) -> AppliedRestore:
    """The recovery path when the start-up check fails: restore ``backup`` in place of ``root`` at once.

    Nobody can log in to a damaged database, so the administrator proves who they are against the
    *restored* copy (the accounts as they were at backup time) before it takes the damaged
    directory's place; a wrong password or a non-admin account leaves everything as it was (the
    restored copy is removed, the damaged directory untouched). The damaged directory is moved
    aside (``…-hong-…``), never deleted. Call before the database or any log file is opened.
    """
    from counter_app.db import accounts

    root = Path(root).resolve()
    pending = prepare_restore(backup, root, now=now, progress=progress)
    try:
        cdb = CounterDB(pending.restored / DB_NAME)
        try:
            user = accounts.authenticate(cdb, username, password, now=now)
            if user.role != "admin":
                raise ValidationError("Chỉ tài khoản quản trị mới được khôi phục dữ liệu.",
                                      hint="Đăng nhập bằng tài khoản quản trị (admin) của bản sao lưu.")
        finally:
            cdb.close()
    except BaseException:
        cancel_pending_restore(root)
        raise
    applied = apply_pending_restore(root, now=now)
    if applied is None:  # pragma: no cover - the marker was just written
        raise ValidationError("Không áp dụng được bản khôi phục.", hint="Thử lại hoặc dùng lệnh «counter-app restore».")
    cdb = CounterDB(root / DB_NAME)
    try:
        audit.append(cdb, user.id, "restore", "backup", Path(backup).name,
                     {"via": "startup_check", "aside": applied.aside.name}, now=now)
    finally:
        cdb.close()
    return applied
