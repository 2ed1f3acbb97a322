"""Checking a backup: every file re-hashed against its manifest, the database's structure checked."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from counter_app.db.backup.files import DB_NAME, hash_file, read_manifest, safe_rel
from counter_app.errors import ValidationError


def verify_backup(backup: str | Path, *, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Re-hash everything in a backup; return problems in Vietnamese (empty = the backup is good).

    ``progress(done, total)`` is called after each file (from the calling thread).
    """
    backup = Path(backup)
    try:
        m = read_manifest(backup)
    except ValidationError as exc:
        return [exc.message]
    problems: list[str] = []
    db = backup / DB_NAME
    if not db.is_file():
        return [f"Thiếu tệp cơ sở dữ liệu {DB_NAME}."]
    sha, _ = hash_file(db)
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
            safe = safe_rel(rel)
        except ValidationError as exc:
            problems.append(exc.message)
            continue
        path = backup / safe
        if not path.is_file():
            problems.append(f"Thiếu tệp {rel}.")
            continue
        got, size = hash_file(path)
        if got != info.get("sha256") or size != info.get("size"):
            problems.append(f"Tệp {rel} trong bản sao lưu đã bị thay đổi hoặc hỏng.")
    if progress:
        progress(total, total)
    return problems
