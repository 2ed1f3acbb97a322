"""The check before the app opens its data directory (database structure, the newest audit entries,
leftovers of interrupted writes) and the full audit-chain check against the anchors that backups
keep outside the database.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from counter_app.db import audit
from counter_app.db.backup.files import FILE_DIRS, BackupInfo, is_temp, list_backups, read_manifest
from counter_app.db.database import CounterDB
from counter_app.db.settings import BackupSettings
from counter_app.errors import ValidationError
from counter_app.paths import DataDir

#: Audit entries re-hashed by the start-up check (the full check runs from the supervisor view).
STARTUP_AUDIT_WINDOW = 2000


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
                    if is_temp(fname) and path.stat().st_mtime < limit:
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
                            for f in names if is_temp(f))
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
        # quick_check quotes damaged bytes (names, cells) in its messages; strict decoding of those
        # raised UnicodeDecodeError out of the start-up check on one damage pattern in ~60.
        conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
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
    except UnicodeDecodeError:
        # Bytes that are not UTF-8 where SQLite stored text: damage quick_check cannot see, found when
        # the audit tail is read. Reported like any corruption rather than crashing the start-up.
        report.ok = False
        report.problems.append(f"Cơ sở dữ liệu {data.database.name} có dữ liệu văn bản bị hỏng (không đọc được).")
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
                head = read_manifest(info.path)["database"]["audit_head"]
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
        scheduled = BackupSettings.load(cdb).path
        folders = [cdb.root / "backups", *([scheduled] if scheduled else [])]
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
