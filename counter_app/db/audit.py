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

Since migration 0006 (issue #15 item 4):

* **Keyed rows.** When the data keys are open, each row also gets ``mac = HMAC(audit key, hash)``
  (:func:`counter_app.crypto.audit_mac`; the key is derived from ``keys.json``, not stored in the
  database). With the keys, :func:`verify_chain` finds a row appended or rewritten with a correctly
  recomputed SHA-256 (no MAC, or a MAC that does not match) — a full re-hash included.
* **Changes made by triggers.** Triggers on users, settings, dossiers, citizens and files stage
  one row per change in ``audit_pending``; :func:`append` chains them (action ``db_change``)
  before its own entry. A change made from outside the app (a database tool) is flagged
  ``outside`` and reported by :func:`verify_chain` for good.
* **Anchors from anywhere.** :func:`anchors_in` reads the chain heads from any backup folder
  (``counter-app audit-verify --anchors DIR``), and :func:`parse_anchor` the line printed in the
  monthly report (``#123:9f86d081…``), so a cut or a rewrite since the last anchor is found
  without trusting the ``backup_dir`` setting kept in the same database.

Rows are written inside the caller's :meth:`CounterDB.write` transaction, so an action and its
audit entry are committed together or not at all; ``BEGIN IMMEDIATE`` serialises writers, so two
processes never chain onto the same previous row.

``detail`` must never carry an ID number, an address or a password: record row ids and codes
(the dossier code, the citizen's row id), not the personal data itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.timefmt import DB_TS

log = logging.getLogger(__name__)

__all__ = [
    "ACTIONS",
    "GENESIS",
    "ChainBreak",
    "anchor_text",
    "anchors_in",
    "append",
    "entry_hash",
    "flush_pending",
    "head",
    "parse_anchor",
    "recent",
    "verify_chain",
    "wire_anchor",
]

#: ``prev_hash`` of the first row.
GENESIS = "0" * 64
_TS = DB_TS  # the one stored format (counter_app.timefmt)

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
    "db_change": "Thay đổi dữ liệu (ghi bởi trigger)",
    "cli_admin": "Lệnh quản trị (dòng lệnh)",
}

#: Tables whose changes the triggers of migration 0006 record, with their Vietnamese names.
_TABLE_NAMES = {"users": "tài khoản", "settings": "cài đặt", "dossiers": "hồ sơ", "citizens": "công dân",
                "files": "tệp"}
_OPS = {"insert": "thêm", "update": "sửa", "delete": "xóa"}
#: Entries legitimately written by processes that may not hold the data keys: a backup record (a
#: command-line backup needs no passphrase), the restore record (written into the new copy before
#: its keys are opened) and the triggers' changes those processes chain. A forged one of these
#: hides nothing; any other entry without a MAC in a keyed chain is reported.
_UNKEYED_OK = frozenset({"backup", "restore", "db_change"})


@dataclass(frozen=True)
class ChainBreak:
    """One place where the audit chain does not hold."""

    entry_id: int
    #: "hash" (row edited) | "link" (row missing/reordered/inserted) | "anchor" | "ids" |
    #: "mac" (keyed row rewritten) | "unkeyed" (row without the key's MAC in a keyed chain) |
    #: "outside" (data changed from outside the app; entry_id 0 = not chained yet)
    kind: str
    detail: str = ""

    def message(self) -> str:
        """Vietnamese one-liner for the supervisor view and ``counter-app audit-verify``."""
        where = f"mục #{self.entry_id}" if self.entry_id else "chưa vào chuỗi"
        return {
            "hash": f"Mục nhật ký #{self.entry_id} đã bị sửa sau khi ghi (mã băm không khớp nội dung).",
            "link": f"Chuỗi nhật ký bị đứt trước mục #{self.entry_id} (có mục bị xóa, chèn hoặc đổi thứ tự).",
            "anchor": f"Mục nhật ký #{self.entry_id} khác với mốc đã ghi nhận bên ngoài ({self.detail}).",
            "ids": f"Số thứ tự nhật ký không liên tục tại mục #{self.entry_id} ({self.detail}).",
            "mac": f"Mục nhật ký #{self.entry_id} đã bị ghi lại (mã xác thực theo khóa mã hóa không khớp).",
            "unkeyed": f"Mục nhật ký #{self.entry_id} («{self.detail}») không có mã xác thực theo khóa mã hóa: "
                       "bị thêm từ ngoài ứng dụng, hoặc do một lệnh chạy khi chưa mở khóa mã hóa.",
            "outside": f"Dữ liệu bị thay đổi từ ngoài ứng dụng ({where}): {self.detail}.",
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
    with cdb.write():
        _fold_pending(cdb, at)
        return _insert(cdb, at, user_id, action, object_type, str(object_id), _canonical_detail(detail))


def _has_mac_column(cdb: CounterDB) -> bool:
    cached = getattr(cdb, "_audit_has_mac", None)
    if cached is None:
        cols = {r[1] for r in cdb.conn.execute("PRAGMA table_info(audit_log)")}
        cached = "mac" in cols
        cdb._audit_has_mac = cached  # type: ignore[attr-defined]  # per connection, schema is fixed
    return bool(cached)


def _insert(cdb: CounterDB, at: str, user_id: int | None, action: str, object_type: str, object_id: str,
            detail_text: str) -> int:
    last = cdb.conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    entry_id, prev = (int(last[0]) + 1, str(last[1])) if last else (1, GENESIS)
    digest = entry_hash(entry_id, at, user_id, action, object_type, object_id, detail_text, prev)
    values: tuple[Any, ...] = (entry_id, at, user_id, action, object_type, object_id, detail_text, prev, digest)
    if _has_mac_column(cdb):
        ring = cdb.ring
        mac = None
        if ring is not None:
            from counter_app import crypto

            mac = crypto.audit_mac(ring, digest)
            if "audit_keyed_from" not in ring.doc:
                ring.mark_audit_keyed(entry_id)
        cdb.conn.execute(
            "INSERT INTO audit_log(id, at, user_id, action, object_type, object_id, detail, prev_hash, hash, mac) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (*values, mac))
    else:  # a database before migration 0006 (restore checks, start-up check of an old copy)
        cdb.conn.execute(
            "INSERT INTO audit_log(id, at, user_id, action, object_type, object_id, detail, prev_hash, hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
    return entry_id


def _has_pending_table(cdb: CounterDB) -> bool:
    cached = getattr(cdb, "_audit_has_pending", None)
    if cached is None:  # per connection: the schema does not change under an open CounterDB
        cached = cdb.scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_pending'") is not None
        cdb._audit_has_pending = cached  # type: ignore[attr-defined]
    return bool(cached)


def _fold_pending(cdb: CounterDB, at: str) -> int:
    """Chain the changes the triggers staged (oldest first); returns how many. Caller's transaction."""
    if not _has_pending_table(cdb):
        return 0
    rows = cdb.conn.execute(
        "SELECT id, at, object_type, object_id, op, columns, outside FROM audit_pending ORDER BY id").fetchall()
    for _pid, changed_at, otype, oid, op, columns, outside in rows:
        detail = {"op": op, "changed_at": changed_at, "outside": bool(outside),
                  "columns": [c for c in str(columns).split(",") if c]}
        _insert(cdb, at, None, "db_change", str(otype), str(oid), _canonical_detail(detail))
    if rows:
        cdb.conn.execute("DELETE FROM audit_pending WHERE id <= ?", (rows[-1][0],))
    return len(rows)


def flush_pending(cdb: CounterDB, *, now: datetime | None = None) -> int:
    """Chain the changes staged by the triggers now (start-up, before a backup); returns how many."""
    at = (now or datetime.now()).strftime(_TS)
    with cdb.write():
        return _fold_pending(cdb, at)


def _change_text(otype: str, oid: str, op: str, columns: Iterable[str], changed_at: str) -> str:
    cols = ", ".join(columns)
    return (f"{_OPS.get(op, op)} {_TABLE_NAMES.get(otype, otype)} #{oid}" + (f" ({cols})" if cols else "")
            + f" lúc {changed_at}")


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

    ``anchors`` are ``(id, hash)`` pairs recorded earlier outside the database (backup manifests,
    the monthly report, the provincial system): each must still be in the chain with the same hash
    (a printed anchor may give only the first 16+ hex digits). Reads in batches, so a million
    entries take seconds and little memory; run it on a worker thread. ``since_id`` checks only the
    entries after that one (the quick check at start-up), trusting its stored hash as the start.

    With the data keys open (:attr:`CounterDB.ring`), every row's MAC is checked too, and a row
    without one after the first keyed row is reported. Changes the triggers flagged as made outside
    the app are reported, chained or still pending.
    """
    breaks: list[ChainBreak] = []
    total = int(cdb.scalar("SELECT count(*) FROM audit_log WHERE id > ?", (since_id,)) or 0)
    anchor_map = {int(i): str(h).lower() for i, h in anchors if int(i) > since_id}
    seen_anchor: set[int] = set()
    prev_hash = GENESIS
    prev_id = 0
    has_mac = _has_mac_column(cdb)
    ring = cdb.ring if has_mac else None
    mac_of: Callable[[str], str] | None = None
    if ring is not None:
        from counter_app import crypto

        def mac_of(digest: str) -> str:
            return crypto.audit_mac(ring, digest)

    keyed_seen = bool(since_id and has_mac and cdb.scalar(
        "SELECT 1 FROM audit_log WHERE id <= ? AND mac IS NOT NULL LIMIT 1", (since_id,)))
    # From this entry on every row must carry a MAC (recorded beside the keys, not in the database).
    keyed_from = ring.audit_keyed_from() if ring is not None else None
    if since_id > 0:
        start = cdb.conn.execute("SELECT id, hash FROM audit_log WHERE id <= ? ORDER BY id DESC LIMIT 1",
                                 (since_id,)).fetchone()
        if start:
            prev_id, prev_hash = int(start[0]), str(start[1])
    done = 0
    last_id = since_id
    columns = "id, at, user_id, action, object_type, object_id, detail, prev_hash, hash" + (", mac" if has_mac else "")
    while True:
        rows = cdb.conn.execute(
            f"SELECT {columns} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?", (last_id, batch),
        ).fetchall()
        if not rows:
            break
        for row in rows:
            entry_id, at, user_id, action, otype, oid, detail, stored_prev, stored_hash = row[:9]
            mac = row[9] if has_mac else None
            if entry_id != prev_id + 1:
                breaks.append(ChainBreak(entry_id, "ids", f"sau mục #{prev_id}"))
            if stored_prev != prev_hash:
                breaks.append(ChainBreak(entry_id, "link"))
            calc = entry_hash(entry_id, at, user_id, action, otype, oid, detail, stored_prev)
            if calc != stored_hash:
                breaks.append(ChainBreak(entry_id, "hash"))
            if mac is not None:
                keyed_seen = True
                if mac_of is not None and mac != mac_of(str(stored_hash)):
                    breaks.append(ChainBreak(entry_id, "mac"))
            elif mac_of is not None and action not in _UNKEYED_OK and (
                    keyed_seen or (keyed_from is not None and entry_id >= keyed_from)):
                breaks.append(ChainBreak(entry_id, "unkeyed", ACTIONS.get(action, action)))
            if entry_id in anchor_map:
                seen_anchor.add(entry_id)
                expected = anchor_map[entry_id]
                if not (len(expected) >= 16 and str(stored_hash).startswith(expected)):
                    breaks.append(ChainBreak(entry_id, "anchor", "mã băm khác"))
            if action == "db_change":
                # A detail that is not JSON was edited: the hash check reports that already.
                with contextlib.suppress(ValueError, AttributeError):
                    d = json.loads(detail)
                    if d.get("outside"):
                        breaks.append(ChainBreak(entry_id, "outside", _change_text(
                            otype, oid, str(d.get("op", "")), d.get("columns") or [], str(d.get("changed_at", "")))))
            # Continue from the stored hash, so one edited row is reported once, not at every later row.
            prev_hash, prev_id = stored_hash, entry_id
            done += 1
        last_id = rows[-1][0]
        if progress:
            progress(done, total)
    for entry_id in sorted(set(anchor_map) - seen_anchor):
        if entry_id > 0:
            breaks.append(ChainBreak(entry_id, "anchor", "mục đã mất khỏi nhật ký — nhật ký bị cắt hoặc ghi lại"))
    if _has_pending_table(cdb):
        for _pid, changed_at, otype, oid, op, cols in cdb.conn.execute(
                "SELECT id, at, object_type, object_id, op, columns FROM audit_pending WHERE outside = 1 ORDER BY id"):
            breaks.append(ChainBreak(0, "outside", _change_text(
                str(otype), str(oid), str(op), [c for c in str(cols).split(",") if c], str(changed_at))))
    if breaks:
        log.warning("audit chain: %d break(s) in %d entries", len(breaks), done)
    return breaks


# ---------------------------------------------------------------------------------- anchors
_ANCHOR_RE = re.compile(r"#?\s*(\d+)\s*[:/ ]\s*([0-9a-fA-F]{16,64})")


def anchor_text(entry_id: int, digest: str, *, length: int = 32) -> str:
    """The anchor as printed (monthly report) or typed back: ``#123:9f86d081…`` (first hex digits)."""
    return f"#{entry_id}:{digest[:length]}"


def parse_anchor(text: str) -> tuple[int, str]:
    """``(id, hash prefix)`` from a printed anchor (``#123:9f86d081884c7d65``); ValueError if it is not one."""
    m = _ANCHOR_RE.fullmatch(text.strip())
    if not m:
        raise ValueError(f"not an audit anchor: {text!r}")
    return int(m.group(1)), m.group(2).lower()


def wire_anchor(cdb: CounterDB) -> dict[str, Any] | None:
    """The head as sent to the provincial system with a sync (``protocol.AUDIT_ANCHOR_FIELD``); None if empty."""
    entry_id, digest = head(cdb)
    if entry_id <= 0:
        return None
    at = cdb.scalar("SELECT at FROM audit_log WHERE id = ?", (entry_id,)) or ""
    from counter_app.db.settings import AgencySettings  # late: settings -> setup -> audit

    agency = AgencySettings.load(cdb)
    return {"MaDonVi": agency.agency_code, "MaMay": str(agency.workstation_slot) if agency.configured else "",
            "Id": entry_id, "MaBam": digest, "ThoiDiem": re.sub(r"\D", "", str(at))[:14]}


def anchors_in(paths: Iterable[str | Path], *, depth: int = 3) -> list[tuple[int, str]]:
    """Chain heads recorded in backup manifests found under ``paths`` (a backup, a folder of backups,
    a USB disk), plus anchor files (``*.anchor.json``) such as those the provincial system keeps.

    Reads only the JSON (no backup is verified here); unreadable manifests are skipped.
    """
    found: dict[int, str] = {}

    def take(value: object) -> None:
        if isinstance(value, list | tuple) and len(value) == 2 and int(value[0]) > 0:
            found[int(value[0])] = str(value[1]).lower()

    def visit(folder: Path, level: int) -> None:
        try:
            entries = list(folder.iterdir())
        except OSError:
            return
        for entry in entries:
            try:
                if entry.is_dir():
                    if level < depth:
                        visit(entry, level + 1)
                elif entry.name == "manifest.json" or entry.name.endswith(".anchor.json"):
                    doc = json.loads(entry.read_text(encoding="utf-8"))
                    take((doc.get("database") or {}).get("audit_head") if "database" in doc else doc.get("audit_head"))
            except (OSError, ValueError, TypeError, AttributeError):
                continue

    for p in paths:
        path = Path(p)
        if path.is_file():
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
                take((doc.get("database") or {}).get("audit_head") if "database" in doc else doc.get("audit_head"))
            except (OSError, ValueError, TypeError, AttributeError):
                continue
        else:
            visit(path, 0)
    return sorted(found.items())


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
