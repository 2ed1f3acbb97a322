"""Audit trail (nhật ký kiểm tra): append-only, hash-chained, written in the caller's transaction.

Who did what and when — receive, edit, status changes, viewing a citizen's data, print, export,
delete, settings changes, logins — one row per action in ``audit_log`` (migration 0003).

Why a hash chain: the table's triggers stop the app (and anyone using it) from updating or
deleting rows, but someone who copies the database file can drop the triggers and edit it. Each
row therefore carries ``hash = SHA-256(canonical JSON of its fields + prev_hash)`` and the hash of
the row before it; :func:`verify_chain` recomputes the chain and reports every break. An edit in
the middle, a deleted row, a reordering or a forged first row are all found.

What the chain cannot show on its own: the *last* rows removed (or the whole chain rewritten with
fresh hashes). For that the head of the chain (:func:`head`) is copied elsewhere — into every
backup manifest (:mod:`counter_app.db.backup`) — and :func:`verify_chain` accepts those anchors:
an anchor whose row is gone or whose hash differs is a break too.

Rows are written inside the caller's :meth:`CounterDB.write` transaction, so an action and its
audit entry are committed together or not at all; ``BEGIN IMMEDIATE`` serialises writers, so two
processes never chain onto the same previous row.

``detail`` must never carry an ID number, an address or a password: record row ids and codes
(the dossier code, the citizen's row id), not the personal data itself.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from counter_app.db.database import CounterDB

log = logging.getLogger(__name__)

__all__ = [
    "ACTIONS",
    "GENESIS",
    "ChainBreak",
    "append",
    "entry_hash",
    "head",
    "recent",
    "verify_chain",
]

#: ``prev_hash`` of the first row.
GENESIS = "0" * 64
_TS = "%Y-%m-%d %H:%M:%S"

#: Known actions and their Vietnamese labels (the supervisor view shows these).
ACTIONS: dict[str, str] = {
    "setup": "Cài đặt lần đầu",
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "locked_out": "Tài khoản bị tạm khóa",
    "logout": "Đăng xuất",
    "screen_locked": "Khóa màn hình",
    "screen_unlocked": "Mở khóa màn hình",
    "switch_user": "Đổi cán bộ",
    "password_changed": "Đổi mật khẩu",
    "password_reset": "Đặt lại mật khẩu",
    "user_created": "Tạo tài khoản",
    "user_changed": "Sửa tài khoản",
    "receive": "Tiếp nhận hồ sơ",
    "edit": "Sửa hồ sơ",
    "status": "Chuyển trạng thái hồ sơ",
    "apology": "Lập phiếu xin lỗi",
    "view_citizen": "Xem thông tin công dân",
    "print": "In",
    "export": "Xuất dữ liệu",
    "delete": "Xóa",
    "scan": "Số hóa thành phần",
    "review": "Kiểm tra bản số hóa",
    "settings": "Thay đổi cài đặt",
    "backup": "Sao lưu",
    "restore": "Khôi phục",
    "key_rotated": "Đổi khóa mã hóa",
    "keys_enabled": "Bật mã hóa dữ liệu",
    "key_passphrase_changed": "Đổi mật khẩu mã hóa",
    "key_recovery_reissued": "In khóa khôi phục mới",
}


@dataclass(frozen=True)
class ChainBreak:
    """One place where the audit chain does not hold."""

    entry_id: int
    kind: str   # "hash" (row edited) | "link" (row missing/reordered/inserted) | "anchor" | "ids"
    detail: str = ""

    def message(self) -> str:
        """Vietnamese one-liner for the supervisor view and ``counter-app audit-verify``."""
        return {
            "hash": f"Mục nhật ký #{self.entry_id} đã bị sửa sau khi ghi (mã băm không khớp nội dung).",
            "link": f"Chuỗi nhật ký bị đứt trước mục #{self.entry_id} (có mục bị xóa, chèn hoặc đổi thứ tự).",
            "anchor": f"Mục nhật ký #{self.entry_id} khác với bản ghi nhận trong bản sao lưu ({self.detail}).",
            "ids": f"Số thứ tự nhật ký không liên tục tại mục #{self.entry_id} ({self.detail}).",
        }[self.kind]


def _canonical_detail(detail: dict[str, Any] | None) -> str:
    # sort_keys + fixed separators: the same dict always gives the same text, hence the same hash.
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def entry_hash(
    entry_id: int, at: str, user_id: int | None, action: str, object_type: str, object_id: str,
    detail: str, prev_hash: str,
) -> str:
    """SHA-256 of a row's canonical JSON (its stored field values plus the previous hash)."""
    payload = json.dumps(
        {"v": 1, "id": entry_id, "at": at, "user_id": user_id, "action": action,
         "object_type": object_type, "object_id": object_id, "detail": detail, "prev_hash": prev_hash},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(
    cdb: CounterDB,
    user_id: int | None,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> int:
    """Append one entry, chained to the previous one; return its id.

    Runs inside the caller's transaction when there is one (a savepoint), else in its own. The id
    is chosen here (``max + 1``) because it is part of the hashed content.
    """
    if action not in ACTIONS:
        # A typo would make the supervisor's filter miss entries; fail loudly (a bug, not the user).
        raise ValueError(f"unknown audit action {action!r}")
    at = (now or datetime.now()).strftime(_TS)
    detail_text = _canonical_detail(detail)
    with cdb.write():
        last = cdb.conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
        entry_id, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
        digest = entry_hash(entry_id, at, user_id, action, object_type, str(object_id), detail_text, prev)
        cdb.conn.execute(
            "INSERT INTO audit_log(id, at, user_id, action, object_type, object_id, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry_id, at, user_id, action, object_type, str(object_id), detail_text, prev, digest),
        )
    return entry_id


def head(cdb: CounterDB) -> tuple[int, str]:
    """``(id, hash)`` of the newest entry, ``(0, GENESIS)`` for an empty log — an anchor to keep elsewhere."""
    row = cdb.conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def verify_chain(
    cdb: CounterDB,
    *,
    anchors: Iterable[tuple[int, str]] = (),
    progress: Callable[[int, int], None] | None = None,
    batch: int = 5000,
    since_id: int = 0,
) -> list[ChainBreak]:
    """Recompute the chain; return every break (empty list = intact).

    ``anchors`` are ``(id, hash)`` pairs recorded earlier outside the database (backup manifests):
    each must still be in the chain with the same hash. Reads in batches, so a million entries
    take seconds and little memory; run it on a worker thread. ``since_id`` checks only the entries
    after that one (the quick check at start-up), trusting its stored hash as the starting point.
    """
    breaks: list[ChainBreak] = []
    total = int(cdb.scalar("SELECT count(*) FROM audit_log WHERE id > ?", (since_id,)) or 0)
    anchor_map = {i: h for i, h in anchors if i > since_id}
    seen_anchor: set[int] = set()
    prev_hash = GENESIS
    prev_id = 0
    if since_id > 0:
        start = cdb.conn.execute("SELECT id, hash FROM audit_log WHERE id <= ? ORDER BY id DESC LIMIT 1",
                                 (since_id,)).fetchone()
        if start:
            prev_id, prev_hash = int(start[0]), str(start[1])
    done = 0
    last_id = since_id
    while True:
        rows = cdb.conn.execute(
            "SELECT id, at, user_id, action, object_type, object_id, detail, prev_hash, hash "
            "FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
            (last_id, batch),
        ).fetchall()
        if not rows:
            break
        for entry_id, at, user_id, action, otype, oid, detail, stored_prev, stored_hash in rows:
            if entry_id != prev_id + 1:
                breaks.append(ChainBreak(entry_id, "ids", f"sau mục #{prev_id}"))
            if stored_prev != prev_hash:
                breaks.append(ChainBreak(entry_id, "link"))
            calc = entry_hash(entry_id, at, user_id, action, otype, oid, detail, stored_prev)
            if calc != stored_hash:
                breaks.append(ChainBreak(entry_id, "hash"))
            if entry_id in anchor_map:
                seen_anchor.add(entry_id)
                if anchor_map[entry_id] != stored_hash:
                    breaks.append(ChainBreak(entry_id, "anchor", "mã băm khác"))
            # Continue from the stored hash, so one edited row is reported once, not at every later row.
            prev_hash, prev_id = stored_hash, entry_id
            done += 1
        last_id = rows[-1][0]
        if progress:
            progress(done, total)
    for entry_id in sorted(set(anchor_map) - seen_anchor):
        if entry_id > 0:
            breaks.append(ChainBreak(entry_id, "anchor", "mục đã mất khỏi nhật ký"))
    if breaks:
        log.warning("audit chain: %d break(s) in %d entries", len(breaks), done)
    return breaks


def recent(
    cdb: CounterDB,
    *,
    limit: int = 200,
    before_id: int | None = None,
    user_id: int | None = None,
    action: str | None = None,
) -> list[dict[str, Any]]:
    """Newest entries first, with the user's name, for the supervisor view (keyset paging by id)."""
    clauses: list[str] = []
    params: list[Any] = []
    if before_id is not None:
        clauses.append("a.id < ?")
        params.append(int(before_id))
    if user_id is not None:
        clauses.append("a.user_id = ?")
        params.append(int(user_id))
    if action:
        clauses.append("a.action = ?")
        params.append(action)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = cdb.query(
        "SELECT a.id, a.at, a.user_id, u.username, u.full_name, a.action, a.object_type, a.object_id, a.detail "
        f"FROM audit_log a LEFT JOIN users u ON u.id = a.user_id{where} ORDER BY a.id DESC LIMIT ?",
        [*params, int(limit)],
    )
    for r in rows:
        r["detail"] = json.loads(r["detail"] or "{}")
        r["action_label"] = ACTIONS.get(r["action"], r["action"])
    return rows
