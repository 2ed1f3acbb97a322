"""Read-only views of the sync queue for the status bar and the sync page (Qt-free).

Cheap enough to call every few seconds from the UI thread's timer on a large database: every
count goes through the ``outbox(state, next_attempt_at)`` index; the ``synced`` count, which
grows without bound, is only taken when asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from counter_app.db import outbox
from counter_app.db.database import CounterDB
from counter_app.sync import worker
from counter_app.timefmt import try_parse_db_ts
from counter_app.vnformat import age_text, datetime_vn

__all__ = ["KIND_LABELS", "OFFICER_HINTS", "STATE_LABELS", "OutboxItem", "QueueStatus", "list_items", "probe",
           "queue_status"]

STATES = outbox.STATES
STATE_LABELS = {
    "pending": "Chờ gửi",
    "uploading": "Đang gửi",
    "synced": "Đã gửi",
    "error": "Lỗi — cần xử lý",
    "conflict": "Xung đột",
}
KIND_LABELS = {"dossier_upsert": "Hồ sơ", "progress": "Tiến độ xử lý", "file": "Tệp đính kèm"}
# What the status bar says about the last failure, by SyncError.kind.
ERROR_KIND_LABELS = {
    "unreachable": "Không kết nối được máy chủ",
    "certificate": "Chứng chỉ máy chủ không được tin cậy",
    "login": "Sai tài khoản đồng bộ",
    "server": "Máy chủ của tỉnh gặp lỗi",
    "rejected": "Máy chủ từ chối một số mục",
    "local_file": "Tệp trên máy bị hỏng hoặc mất",
    "not_configured": "Chưa cài đặt đồng bộ",
    "locked": "Dữ liệu mã hóa chưa mở khóa",
    "sync": "Lỗi đồng bộ",
}

# What an officer can do about each failure. The engine's own hints name the admin's screens
# (endpoint, certificate, account), which officers cannot open (issue #14): the officer is told
# what to check at the desk and whom to call; the admin still reads the engine's text in the tooltip.
OFFICER_HINTS = {
    "unreachable": "Kiểm tra dây mạng hoặc Wi-Fi của máy này; nếu các máy khác cũng mất mạng, báo bộ phận "
                   "quản trị mạng. Hồ sơ vẫn được lưu trên máy và tự gửi khi có mạng — cứ tiếp tục làm việc.",
    "server": "Hệ thống của tỉnh đang lỗi hoặc bảo trì. Hồ sơ vẫn được lưu trên máy và tự gửi lại sau; "
              "nếu kéo dài quá nửa ngày, báo quản trị viên.",
    "certificate": "Báo quản trị viên: chứng chỉ máy chủ của tỉnh không được tin cậy. Hồ sơ vẫn được lưu trên máy.",
    "login": "Báo quản trị viên: tài khoản đồng bộ bị sai hoặc hết hạn. Hồ sơ vẫn được lưu trên máy.",
    "not_configured": "Báo quản trị viên cài địa chỉ và tài khoản đồng bộ. Hồ sơ vẫn được lưu trên máy.",
    "locked": "Đăng nhập lại để mở khóa dữ liệu mã hóa; hồ sơ sẽ được gửi sau đó.",
    "rejected": "Chọn mục lỗi trong danh sách để xem lý do; sửa hồ sơ rồi bấm «Gửi lại», hoặc báo giám sát.",
    "local_file": "Báo quản trị viên chạy «Kiểm tra kho lưu trữ»: một tệp trên máy bị hỏng hoặc mất.",
    "sync": "Nếu lỗi lặp lại, báo quản trị viên kèm tệp nhật ký.",
}


def probe(endpoint: str, timeout: float = 2.0) -> bool:
    """Whether the provincial server accepts a TCP connection (a cheap heartbeat, no request sent).

    The sync loop only talks to the server when there is work or once a minute, so without this
    the status bar said «Trực tuyến» for up to a minute after the network went (issue #14: 22 s).
    A refused or timed-out connection is a reliable "down"; an accepted one is only a hint that
    it is back, confirmed by a real sync pass.
    """
    import socket
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(endpoint.strip())
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if not host:
        return False
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _dt(text: Any) -> datetime | None:
    return try_parse_db_ts(text)


@dataclass(frozen=True)
class QueueStatus:
    """The queue at a glance."""

    counts: dict[str, int] = field(default_factory=dict)  # by state ('synced' only when asked)
    oldest_unsynced_at: datetime | None = None
    oldest_unsynced_age: float | None = None  # seconds
    last_success_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_error_kind: str | None = None
    last_error_message: str | None = None
    last_error_at: datetime | None = None

    @property
    def unsynced(self) -> int:
        """Entries not yet accepted by the province (pending + uploading + error + conflict)."""
        return sum(self.counts.get(s, 0) for s in ("pending", "uploading", "error", "conflict"))

    @property
    def errors(self) -> int:
        """Entries parked until someone acts ('error' + 'conflict')."""
        return self.counts.get("error", 0) + self.counts.get("conflict", 0)

    @property
    def last_error_label(self) -> str:
        """Short Vietnamese label of the last error kind ('' when the last pass was clean)."""
        return ERROR_KIND_LABELS.get(self.last_error_kind or "", "") if self.last_error_kind else ""

    @property
    def officer_hint(self) -> str:
        """What the officer at the desk can do about the last error ('' when there is none)."""
        return OFFICER_HINTS.get(self.last_error_kind or "", "") if self.last_error_kind else ""

    def summary(self, with_error: bool = True) -> str:
        """One line for the status bar, in Vietnamese (``with_error=False``: without the last error's
        label, when something else on screen already says it)."""
        parts: list[str] = []
        if self.unsynced == 0:
            parts.append("Đã đồng bộ")
        else:
            waiting = self.counts.get("pending", 0) + self.counts.get("uploading", 0)
            if waiting:
                text = f"Chờ gửi {waiting}"
                if self.oldest_unsynced_age is not None:
                    text += f" (lâu nhất {age_text(self.oldest_unsynced_age)})"
                parts.append(text)
            if self.errors:
                parts.append(f"{self.errors} mục lỗi")
        if with_error and self.last_error_kind in ("unreachable", "certificate", "login", "server",
                                                   "not_configured", "locked"):
            parts.append(self.last_error_label)
        if self.last_success_at is not None:
            parts.append(f"gửi được lần cuối {datetime_vn(self.last_success_at, year=False)}")
        return " · ".join(parts)


def queue_status(cdb: CounterDB, now: datetime | None = None, *, include_synced: bool = False) -> QueueStatus:
    """Counts by state, age of the oldest unsynced entry, and the last pass's outcome.

    The one queue snapshot: the status bar, the sync page and the supervisor's sync health
    (:func:`counter_app.reports.sync_health.sync_health`) all read it.
    """
    now = now or datetime.now()
    counts = outbox.counts(cdb, include_synced=include_synced)
    oldest = outbox.oldest_unsynced(cdb, counts)
    settings = {r["key"]: json.loads(r["value"]) for r in cdb.query(
        "SELECT key, value FROM settings WHERE key IN (?, ?, ?, ?, ?)",
        (worker.LAST_SUCCESS_KEY, worker.LAST_ATTEMPT_KEY, worker.LAST_ERROR_KIND_KEY,
         worker.LAST_ERROR_MESSAGE_KEY, worker.LAST_ERROR_AT_KEY))}
    return QueueStatus(
        counts=counts,
        oldest_unsynced_at=oldest,
        oldest_unsynced_age=max((now - oldest).total_seconds(), 0.0) if oldest else None,
        last_success_at=_dt(settings.get(worker.LAST_SUCCESS_KEY)),
        last_attempt_at=_dt(settings.get(worker.LAST_ATTEMPT_KEY)),
        last_error_kind=settings.get(worker.LAST_ERROR_KIND_KEY),
        last_error_message=settings.get(worker.LAST_ERROR_MESSAGE_KEY),
        last_error_at=_dt(settings.get(worker.LAST_ERROR_AT_KEY)),
    )


@dataclass(frozen=True)
class OutboxItem:
    """One row of the sync page."""

    id: int
    kind: str
    kind_label: str
    dossier_id: int | None
    dossier_code: str | None
    state: str
    state_label: str
    attempts: int
    created_at: datetime | None
    next_attempt_at: datetime | None
    synced_at: datetime | None
    last_error: str | None

    @property
    def can_retry(self) -> bool:
        """Whether «Gửi lại» applies (parked entries only)."""
        return self.state in ("error", "conflict")


def list_items(cdb: CounterDB, state: str | None = None, limit: int = 200,
               before_id: int | None = None) -> list[OutboxItem]:
    """Outbox entries, newest first, optionally of one state; page with ``before_id``."""
    rows = outbox.list_entries(cdb, state, limit, before_id)
    return [OutboxItem(id=r["id"], kind=r["kind"], kind_label=KIND_LABELS.get(r["kind"], r["kind"]),
                       dossier_id=r["dossier_id"], dossier_code=r["code"], state=r["state"],
                       state_label=STATE_LABELS.get(r["state"], r["state"]), attempts=int(r["attempts"]),
                       created_at=_dt(r["created_at"]), next_attempt_at=_dt(r["next_attempt_at"]),
                       synced_at=_dt(r["synced_at"]), last_error=r["last_error"]) for r in rows]
