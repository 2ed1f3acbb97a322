"""The backup schedule and what the settings page shows: due or not, the folder present, the last
good backup, the settings, each backup's manifest details and the last «Kiểm tra» result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.db import audit
from counter_app.db.backup.create import BackupResult
from counter_app.db.backup.files import EXTRA_FILES, TS, BackupInfo, list_backups, read_manifest
from counter_app.db.database import CounterDB
from counter_app.db.settings import BackupSettings
from counter_app.errors import ValidationError
from counter_app.timefmt import db_ts, try_parse_db_ts
from counter_app.vnformat import datetime_vn

#: Hours between scheduled backups by default: one a day (defaults live in db.settings.BackupSettings).
DEFAULT_INTERVAL_HOURS = BackupSettings.DEFAULT_INTERVAL_HOURS


def record_backup(cdb: CounterDB, result: BackupResult, user_id: int | None = None, *,
                  now: datetime | None = None) -> None:
    """Remember the backup (for :func:`backup_due` and the settings page) and audit it.

    ``now``: when the backup was made (the scheduler passes the time it started with; default now).
    """
    with cdb.write():
        cdb.set_setting("last_backup_at", db_ts(now or datetime.now()))
        cdb.set_setting("last_backup_path", str(result.path))
        audit.append(cdb, user_id, "backup", "backup", result.path.name,
                     {"files": result.files, "copied": result.bytes_copied, "linked": result.bytes_linked,
                      "audit_head": list(result.audit_head), "warnings": len(result.warnings)})


def backup_due(cdb: CounterDB, now: datetime | None = None) -> Path | None:
    """The target folder if a scheduled backup is due now, else None.

    Settings: ``backup_dir`` (none = no schedule), ``backup_interval_hours`` (default 24). The app
    checks this on a timer and at close; a target that is not plugged in is simply skipped.
    """
    settings = BackupSettings.load(cdb)
    if settings.path is None:
        return None
    now = now or datetime.now()
    last = try_parse_db_ts(cdb.get_setting("last_backup_at"))
    if last and (now - last).total_seconds() < settings.interval_hours * 3600:
        return None
    return settings.path if settings.path.is_dir() else None


#: Settings of the schedule (the settings page's «Sao lưu» group edits them).
SETTING_KEYS = tuple(BackupSettings.KEYS.values())
MAX_INTERVAL_HOURS = BackupSettings.MAX_INTERVAL_HOURS
MAX_KEEP = BackupSettings.MAX_KEEP
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
        return f"Sao lưu gần nhất: {datetime_vn(self.last_at, year=False)}"

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
        when = datetime_vn(self.last_at) or "chưa có"
        todo = "bấm «Sao lưu ngay»" if can_run else "báo cán bộ quản lý"
        return (f"Bản sao lưu gần nhất đã cũ ({when}, quá {2 * self.interval_hours:g} giờ) — kiểm tra ổ USB "
                f"sao lưu rồi {todo}.")


def backup_status(cdb: CounterDB, now: datetime | None = None) -> BackupStatus:
    """The schedule's state from the settings: due, folder present, last good backup, stale.

    Unlike :func:`backup_due` it says *why* nothing happens (no folder configured, USB disk not
    plugged in), so the GUI can tell the officer what to do instead of skipping silently.
    """
    now = now or datetime.now()
    settings = BackupSettings.load(cdb)
    folder, hours, keep = settings.path, settings.interval_hours, settings.keep
    last = try_parse_db_ts(cdb.get_setting("last_backup_at"))
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
    BackupSettings(folder, float(interval_hours), int(keep)).save(cdb, user_id)


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
            m = read_manifest(info.path)
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
    checks[backup_name] = {"at": (now or datetime.now()).strftime(TS), "problems": len(problems),
                           "first": problems[0] if problems else ""}
    # Backups rotate away; keep the newest results only so the setting does not grow forever.
    keep = sorted(checks, key=lambda k: checks[k]["at"], reverse=True)[:_MAX_CHECKS]
    cdb.set_setting(_CHECKS_KEY, {k: checks[k] for k in keep})


def verification_states(cdb: CounterDB) -> dict[str, dict[str, Any]]:
    """Backup name -> ``{"at", "problems", "first"}`` of the last «Kiểm tra»."""
    value = cdb.get_setting(_CHECKS_KEY) or {}
    return value if isinstance(value, dict) else {}

