"""Restoring a backup, never over existing data: into a new folder (every hash checked again after
the copy), then swapped in place of the data directory — at once by :func:`replace_data_dir`
(command line, start-up recovery) or at the next start through a marker file
(:func:`prepare_restore` now, :func:`apply_pending_restore` at start) when the app has the
database open.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.atomicio import atomic_write_bytes
from counter_app.db import audit
from counter_app.db.backup.files import DB_NAME, TS, copy_hash, fsync_path, read_manifest, safe_rel, space_error
from counter_app.db.backup.verify import verify_backup
from counter_app.db.database import CounterDB
from counter_app.errors import EnvironmentProblem, ValidationError
from counter_app.paths import DataDir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoreReport:
    """What :func:`restore_backup` produced."""

    root: Path
    files: int
    audit_breaks: tuple[str, ...] = ()



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
    m = read_manifest(backup)
    new_root.parent.mkdir(parents=True, exist_ok=True)
    staging = new_root.parent / f".{new_root.name}.restoring-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
        sha, _ = copy_hash(backup / DB_NAME, staging / DB_NAME)
        if sha != m["database"]["sha256"]:
            raise EnvironmentProblem("Sao chép cơ sở dữ liệu từ bản sao lưu bị lỗi.", hint="Thử lại hoặc dùng ổ khác.")
        total = len(m["files"])
        for n, (rel, info) in enumerate(m["files"].items(), start=1):
            safe = safe_rel(rel)
            sha, _ = copy_hash(backup / safe, staging / safe)
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
            fsync_path(Path(dirpath))
        if new_root.exists():
            new_root.rmdir()  # empty, checked above
        os.rename(staging, new_root)
        fsync_path(new_root.parent)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise (space_error(exc, "Ổ đĩa đích") or EnvironmentProblem(
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
        fsync_path(current.parent)
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
    # be able to move some other folder into the data directory's place. (A marker that is valid JSON
    # but not an object, e.g. a list, is refused the same way instead of failing on ``m.get``.)
    if (not isinstance(m, dict) or m.get("format") != _PENDING_FORMAT or not isinstance(restored, str)
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
    return PendingRestore(root, restored, str(m.get("backup", "")), datetime.strptime(m["requested_at"], TS),
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
         "requested_at": now.strftime(TS), "user_id": user_id, "aside_at": None}
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
        m["aside_at"] = (now or datetime.now()).strftime(TS)
        _write_marker(root, m)
    at = datetime.strptime(m["aside_at"], TS)
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
                fsync_path(root.parent)
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
        fsync_path(root.parent)
    log.warning("restore applied: %s now holds backup %s; old data kept in %s", root, m.get("backup"), aside)
    return AppliedRestore(root, aside, str(m.get("backup", "")))



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
