"""The audit trail as the supervisor reads it: pages of entries, the chain check, the archive check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from counter_app.db import audit
from counter_app.db.backup import audit_verify_report
from counter_app.db.database import CounterDB

__all__ = ["archive_report", "audit_page", "audit_verify_report"]


def audit_page(cdb: CounterDB, *, limit: int, before_id: int | None = None) -> list[dict[str, Any]]:
    """The newest ``limit`` entries older than ``before_id`` (all when ``None``), with names and labels."""
    return audit.recent(cdb, limit=limit, before_id=before_id)


def archive_report(db_path: str | Path) -> tuple[bool, str]:
    """Re-hash every stored file (its own connection: runs on a pool thread) and say what was found."""
    from counter_app.db.files import archive_report as report

    return report(db_path)
