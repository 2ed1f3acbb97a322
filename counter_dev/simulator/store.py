"""Persistence and business rules of the simulated provincial system.

The simulator stands in for a *foreign* system, so it keeps its own SQLite file
(``DIR/simulator.sqlite3``) with the standard-library driver instead of the app's ``db`` package:
it must never share the app's migrations or connection rules. File bytes live under
``DIR/files/``: ``<id>.part`` while an upload is in progress, ``<id>`` once verified.

Concurrency: one connection, one re-entrant lock around every use of it (the server is threaded).
SQLite in WAL mode lets ``simulator list`` read the file from another process meanwhile.

Invariants:
- a call that answers ``error_code`` other than "0" wrote nothing (batches are all-or-nothing);
- a dossier is stored only when every file it references is complete and its SHA-256 verified;
- the database offset of a partial upload is the truth; the ``.part`` file is cut back to it
  before each write, so a crash between writing bytes and committing never corrupts a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from counter_app.atomicio import sha256_file
from counter_app.sync import protocol as p
from counter_app.sync.protocol import canonical_json, content_sha256
from counter_dev.simulator import processing
from counter_dev.simulator.validation import (
    Problem,
    as_code,
    check_dossier,
    check_progress,
    dossier_code,
    progress_key,
    referenced_file_ids,
)

log = logging.getLogger(__name__)

DB_NAME = "simulator.sqlite3"
SCHEMA_VERSION = 1
FILE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# One generated result file per dossier; a stable namespace keeps ids reproducible.
_RESULT_NS = uuid.UUID("5f0c2a52-6a57-4f35-9c59-4b1d2f1e7a10")
# Largest file accepted in an offer: far above any scanned dossier, small enough to catch a bug.
MAX_FILE_SIZE = 2 * 1024**3
LOOKUP_DEFAULT_LIMIT = 100
LOOKUP_MAX_LIMIT = 1000
MAX_BATCH = 500

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE dossiers(
    ma_ho_so TEXT PRIMARY KEY,
    received TEXT NOT NULL,           -- the client's last payload, verbatim JSON
    received_sha256 TEXT NOT NULL,    -- SHA-256 of the canonical JSON of ``received``
    status INTEGER NOT NULL,          -- current TrangThaiHoSo (client's or simulated)
    client_status INTEGER NOT NULL,   -- the TrangThaiHoSo the client last sent
    server_fields TEXT NOT NULL DEFAULT '{}',  -- what simulated processing added
    supplements INTEGER NOT NULL DEFAULT 0,
    change_seq INTEGER NOT NULL,
    update_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    next_step_at REAL                 -- unix time of the next simulated step, NULL = resting
);
CREATE INDEX dossiers_change_seq ON dossiers(change_seq);
CREATE INDEX dossiers_next_step ON dossiers(next_step_at) WHERE next_step_at IS NOT NULL;
CREATE TABLE progress(
    id INTEGER PRIMARY KEY,
    ma_ho_so TEXT NOT NULL REFERENCES dossiers(ma_ho_so),
    dedupe_key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('client', 'server')),
    received_at TEXT NOT NULL
);
CREATE INDEX progress_dossier ON progress(ma_ho_so);
CREATE TABLE files(
    file_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    "offset" INTEGER NOT NULL DEFAULT 0,
    complete INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL CHECK (kind IN ('upload', 'result')),
    content_type TEXT NOT NULL DEFAULT 'application/octet-stream',
    created_at TEXT NOT NULL,
    completed_at TEXT
);
CREATE TABLE catalogue(
    code TEXT PRIMARY KEY,
    payload TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    version INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
);
"""

# Illustrative commune-level procedures used only when resources/catalogue/procedures_xa.json is
# absent; the real catalogue comes from that resource file.
_BUILTIN_CATALOGUE: list[dict[str, Any]] = [
    {"code": "1.001193", "name": "Đăng ký khai sinh", "field_code": "HT", "field_name": "Hộ tịch"},
    {"code": "1.000894", "name": "Đăng ký kết hôn", "field_code": "HT", "field_name": "Hộ tịch"},
    {"code": "1.000656", "name": "Đăng ký khai tử", "field_code": "HT", "field_name": "Hộ tịch"},
    {"code": "2.000815", "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
     "field_code": "CT", "field_name": "Chứng thực"},
]


class _Refused(Exception):
    """Raised inside a transaction to roll it back and answer ``body``."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("message", ""))
        self.body = body


@dataclass
class Reply:
    """An HTTP-level answer produced by the store: status code plus JSON body."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Download:
    """A complete file ready to be sent."""

    path: Path
    size: int
    sha256: str
    content_type: str
    name: str


def _error(status: int, code: str, message: str, **extra: Any) -> Reply:
    return Reply(status, {"error_code": code, "message": message, **extra})


def _file_json(row: sqlite3.Row) -> dict[str, Any]:
    return {"error_code": p.ErrorCode.OK, "file_id": row["file_id"], "name": row["name"], "size": row["size"],
            "sha256": row["sha256"], "offset": row["offset"], "complete": bool(row["complete"])}


class SimulatorStore:
    """The simulated provincial system's data and rules. Thread-safe."""

    def __init__(self, data_dir: Path, *, processing_config: processing.ProcessingConfig | None = None,
                 catalogue_path: Path | None = None, read_only: bool = False) -> None:
        self.data_dir = Path(data_dir)
        self.files_dir = self.data_dir / "files"
        self.processing = processing_config or processing.ProcessingConfig(enabled=False)
        self._lock = threading.RLock()
        db_path = self.data_dir / DB_NAME
        if read_only:
            if not db_path.exists():
                raise FileNotFoundError(f"no simulator database in {self.data_dir}")
            self._conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True, check_same_thread=False,
                                         isolation_level=None)
        else:
            self.files_dir.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(db_path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA busy_timeout = 5000")
        if not read_only:
            self._conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL: in WAL mode a commit survives a killed process (what the tests do); only a
            # power cut may lose the last transactions, which does not matter for a simulator.
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
            # Added after schema 1 (issue #15 item 4), harmless to repeat: the counters' audit anchors.
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS audit_anchors(agency TEXT NOT NULL, workstation TEXT NOT NULL, "
                "entry_id INTEGER NOT NULL, hash TEXT NOT NULL, at TEXT NOT NULL DEFAULT '', "
                "received_at TEXT NOT NULL, PRIMARY KEY (agency, workstation, entry_id))")
            self._add_ward_columns()
            self._reconcile_partial_uploads()
            self.load_catalogue(catalogue_path)

    # --- plumbing ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database; waits for the operation in progress, if any."""
        with self._lock:
            self._conn.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction under the store lock; rolled back on any exception."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(f"simulator database version {version} is newer than this code ({SCHEMA_VERSION})")
        if version == 0:
            with self._tx() as conn:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO meta VALUES ('change_seq', '0'), ('catalogue_version', '0')")
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _add_ward_columns(self) -> None:
        """Added after schema 1 (issue #19), harmless to repeat: who received each dossier, its version,
        and each counter's last accepted push (the ward replica's "as of")."""
        with self._tx() as conn:
            have = {row["name"] for row in conn.execute("PRAGMA table_info(dossiers)")}
            # owner_seen_version: the version the receiving counter last saw (its own change, or a
            # look-up that returned the dossier to it); foreign_version: the version made by the last
            # action of another counter. foreign > seen: the owner has not seen another counter's action.
            for column, ddl in (("counter_id", "TEXT NOT NULL DEFAULT ''"), ("agency", "TEXT NOT NULL DEFAULT ''"),
                                ("version", "INTEGER NOT NULL DEFAULT 1"),
                                ("owner_seen_version", "INTEGER NOT NULL DEFAULT 0"),
                                ("foreign_version", "INTEGER NOT NULL DEFAULT 0")):
                if column not in have:
                    conn.execute(f"ALTER TABLE dossiers ADD COLUMN {column} {ddl}")
            conn.execute("CREATE INDEX IF NOT EXISTS dossiers_agency_seq ON dossiers(agency, change_seq)")
            conn.execute("CREATE TABLE IF NOT EXISTS counter_pushes(counter_id TEXT PRIMARY KEY, "
                         "agency TEXT NOT NULL, last_push_at TEXT NOT NULL)")

    def _note_push(self, conn: sqlite3.Connection, sender: tuple[str, str] | None, now_text: str) -> None:
        """Remember when a counter's push was last accepted (what ``DanhSachQuay`` reports)."""
        if sender is None or not sender[1]:
            return
        agency, counter = sender
        conn.execute("INSERT INTO counter_pushes VALUES (?, ?, ?) ON CONFLICT(counter_id) DO UPDATE SET "
                     "agency = excluded.agency, last_push_at = excluded.last_push_at", (counter, agency, now_text))

    def note_caught_up(self, sender: tuple[str, str] | None) -> None:
        """A counter says its queue is empty: the province holds all of its data as of now."""
        with self._tx() as conn:
            self._note_push(conn, sender, p.format_timestamp(p.now_vn()))

    def _reconcile_partial_uploads(self) -> None:
        """After a restart, make every partial upload's offset agree with the bytes on disk."""
        with self._tx() as conn:
            for row in conn.execute('SELECT file_id, "offset" FROM files WHERE complete = 0').fetchall():
                part = self._part_path(row["file_id"])
                held = part.stat().st_size if part.exists() else 0
                if held < row["offset"]:
                    log.warning("partial upload shorter on disk than recorded; resuming from %d", held)
                    conn.execute('UPDATE files SET "offset" = ? WHERE file_id = ?', (held, row["file_id"]))

    def _next_seq(self, conn: sqlite3.Connection) -> int:
        row = conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'change_seq' "
                           "RETURNING CAST(value AS INTEGER)").fetchone()
        return int(row[0])

    @staticmethod
    def _bump(conn: sqlite3.Connection, name: str, amount: int = 1) -> None:
        conn.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + ?",
                     (name, amount, amount))

    def count(self, name: str, amount: int = 1) -> None:
        """Add to a persistent counter (faults injected, sessions expired, ...)."""
        with self._tx() as conn:
            self._bump(conn, name, amount)

    def _part_path(self, file_id: str) -> Path:
        return self.files_dir / f"{file_id}.part"

    def _final_path(self, file_id: str) -> Path:
        return self.files_dir / file_id

    # --- files ---------------------------------------------------------------------------------

    def offer_file(self, body: object) -> Reply:
        """``POST /api/files``: announce a file; answers how many bytes are already held."""
        if not isinstance(body, dict):
            return _error(400, p.ErrorCode.BAD_REQUEST, "Thân yêu cầu phải là đối tượng JSON")
        file_id, name, size, sha = body.get("file_id"), body.get("name", ""), body.get("size"), body.get("sha256")
        if not isinstance(file_id, str) or not FILE_ID_RE.match(file_id):
            return _error(400, p.ErrorCode.BAD_REQUEST, "file_id không hợp lệ (chữ, số, '-', '_', '.'; tối đa 64)")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_FILE_SIZE:
            return _error(400, p.ErrorCode.BAD_REQUEST, "size phải là số byte (0 đến 2 GiB)")
        if not isinstance(sha, str) or not SHA256_RE.match(sha.lower()):
            return _error(400, p.ErrorCode.BAD_REQUEST, "sha256 phải là 64 ký tự hexa")
        sha = sha.lower()
        name = str(name or "")[:255]
        now = p.format_timestamp(p.now_vn())
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM files WHERE file_id = ?", (file_id,)).fetchone()
            if row is not None:
                if row["size"] != size or row["sha256"] != sha:
                    return _error(409, p.ErrorCode.FILE_CONFLICT,
                                  f"Tệp {file_id} đã được khai báo với kích thước hoặc mã băm khác",
                                  **_file_json(row) | {"error_code": p.ErrorCode.FILE_CONFLICT})
                return Reply(200, _file_json(row))  # a repeated offer: idempotent
            if size == 0 and sha != EMPTY_SHA256:
                self._bump(conn, "checksum_mismatches")
                return _error(422, p.ErrorCode.CHECKSUM_MISMATCH, "Tệp rỗng nhưng mã băm không khớp")
            conn.execute("INSERT INTO files(file_id, name, size, sha256, kind, created_at, complete, completed_at) "
                         "VALUES (?, ?, ?, ?, 'upload', ?, ?, ?)",
                         (file_id, name, size, sha, now, int(size == 0), now if size == 0 else None))
            if size == 0:
                self._final_path(file_id).write_bytes(b"")
            row = conn.execute("SELECT * FROM files WHERE file_id = ?", (file_id,)).fetchone()
            return Reply(201, _file_json(row))

    def file_status(self, file_id: str) -> Reply:
        """``GET|HEAD /api/files/{id}/status``."""
        with self._lock:
            row = self._conn.execute("SELECT * FROM files WHERE file_id = ?", (file_id,)).fetchone()
        if row is None:
            return _error(404, p.ErrorCode.FILE_NOT_FOUND, f"Không có tệp {file_id}")
        return Reply(200, _file_json(row), self._upload_headers(row))

    @staticmethod
    def _upload_headers(row: sqlite3.Row) -> dict[str, str]:
        return {p.UPLOAD_OFFSET_HEADER: str(row["offset"]), p.UPLOAD_LENGTH_HEADER: str(row["size"]),
                p.UPLOAD_COMPLETE_HEADER: "1" if row["complete"] else "0"}

    def write_chunk(self, file_id: str, offset: int, data: bytes) -> Reply:
        """``PUT /api/files/{id}``: append ``data`` at ``offset``; verify when the file is whole."""
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM files WHERE file_id = ?", (file_id,)).fetchone()
            if row is None:
                return _error(404, p.ErrorCode.FILE_NOT_FOUND, f"Không có tệp {file_id}; hãy khai báo trước (POST)")
            if row["complete"]:
                if offset == row["size"] and not data:
                    return Reply(200, _file_json(row), self._upload_headers(row))
                # Typically a retried chunk whose reply was lost: tell the client it is all here.
                return Reply(409, _file_json(row) | {"error_code": p.ErrorCode.FILE_CONFLICT,
                                                     "message": "Tệp đã nhận đủ và đã kiểm tra"},
                             self._upload_headers(row))
            if offset != row["offset"]:
                return Reply(409, _file_json(row) | {"error_code": p.ErrorCode.FILE_CONFLICT,
                                                     "message": f"Sai vị trí: máy chủ đang giữ {row['offset']} byte"},
                             self._upload_headers(row))
            if offset + len(data) > row["size"]:
                return _error(400, p.ErrorCode.BAD_REQUEST, "Dữ liệu vượt quá kích thước đã khai báo",
                              offset=row["offset"], size=row["size"])
            part = self._part_path(file_id)
            with open(part, "r+b" if part.exists() else "w+b") as handle:
                handle.truncate(offset)  # drop bytes written before a crash but never committed
                handle.seek(offset)
                handle.write(data)
            new_offset = offset + len(data)
            if new_offset < row["size"]:
                conn.execute('UPDATE files SET "offset" = ? WHERE file_id = ?', (new_offset, file_id))
            else:
                if sha256_file(part) != row["sha256"]:
                    part.unlink(missing_ok=True)
                    conn.execute('UPDATE files SET "offset" = 0 WHERE file_id = ?', (file_id,))
                    self._bump(conn, "checksum_mismatches")
                    return _error(422, p.ErrorCode.CHECKSUM_MISMATCH,
                                  f"Mã SHA-256 của tệp {file_id} không khớp; dữ liệu đã bị hủy, hãy tải lại từ đầu",
                                  file_id=file_id, offset=0, size=row["size"], complete=False)
                os.replace(part, self._final_path(file_id))  # the verified file appears atomically
                conn.execute('UPDATE files SET "offset" = ?, complete = 1, completed_at = ? WHERE file_id = ?',
                             (new_offset, p.format_timestamp(p.now_vn()), file_id))
                self._bump(conn, "files_completed")
            row = conn.execute("SELECT * FROM files WHERE file_id = ?", (file_id,)).fetchone()
            return Reply(200, _file_json(row), self._upload_headers(row))

    def download(self, file_id: str) -> Download | Reply:
        """``GET /api/files/{id}``: a complete file, or an error reply."""
        with self._lock:
            row = self._conn.execute("SELECT * FROM files WHERE file_id = ?", (file_id,)).fetchone()
        if row is None:
            return _error(404, p.ErrorCode.FILE_NOT_FOUND, f"Không có tệp {file_id}")
        if not row["complete"]:
            return _error(409, p.ErrorCode.FILE_CONFLICT, f"Tệp {file_id} chưa được tải lên đầy đủ",
                          offset=row["offset"], size=row["size"])
        return Download(self._final_path(file_id), row["size"], row["sha256"], row["content_type"], row["name"])

    # --- DongBoHoSoMC --------------------------------------------------------------------------

    def sync_dossiers(self, items: Sequence[Any], is_updating: bool,
                      sender: tuple[str, str] | None = None) -> dict[str, Any]:
        """Create (or, with ``is_updating``, update) a batch of dossiers, all or nothing.

        ``sender`` is the envelope's (``MaDonVi``, ``MaQuay``): a created dossier belongs to that
        counter and agency for the ward look-up, and an accepted call is the counter's last push.
        """
        if not items:
            return Problem(p.ErrorCode.BAD_REQUEST, "data phải là danh sách hồ sơ, không rỗng").as_json()
        if len(items) > MAX_BATCH:
            return Problem(p.ErrorCode.BAD_REQUEST, f"Tối đa {MAX_BATCH} hồ sơ mỗi lần gửi").as_json()
        codes = [dossier_code(item) for item in items]
        for item, code in zip(items, codes, strict=True):
            problem = check_dossier(item)
            if problem:
                return problem.as_json(code)
        if len(set(codes)) != len(codes):
            return Problem(p.ErrorCode.INVALID_FIELD, "Một mã hồ sơ xuất hiện hai lần trong cùng lần gửi",
                           "MaHoSo").as_json()
        now_text = p.format_timestamp(p.now_vn())
        try:
            return self._sync_dossiers(items, codes, is_updating, sender, now_text)
        except _Refused as refused:
            body = refused.body
            with self._tx() as conn:
                self._bump(conn, "owner_changes_stale")
                if sender is not None:
                    # The refusal carries the province's view: the owner has now seen this version.
                    conn.execute("UPDATE dossiers SET owner_seen_version = MAX(owner_seen_version, ?) "
                                 "WHERE ma_ho_so = ? AND counter_id = ?",
                                 (body.get("PhienBan") or 0, body.get("MaHoSo"), sender[1]))
            return body  # the batch itself was rolled back by _tx: nothing of it was kept

    def _sync_dossiers(self, items: Sequence[Any], codes: list[str], is_updating: bool,
                       sender: tuple[str, str] | None, now_text: str) -> dict[str, Any]:
        with self._tx() as conn:
            missing = self._missing_files(conn, items)
            if missing:
                code, file_id, name = missing
                self._bump(conn, "rejected_missing_files")
                label = f"{file_id} ({name})" if name else file_id
                return {"error_code": p.ErrorCode.FILE_MISSING, "MaHoSo": code, "missing_file": file_id,
                        "message": f"Hồ sơ {code}: tệp {label} chưa được tải lên đầy đủ hoặc chưa kiểm tra"}
            existing = {row["ma_ho_so"]: row for row in conn.execute(
                f"SELECT * FROM dossiers WHERE ma_ho_so IN ({','.join('?' * len(codes))})", codes)}
            if not is_updating and existing:
                self._bump(conn, "duplicates_rejected", len(existing))
                listed = ", ".join(code for code in codes if code in existing)
                return {"error_code": p.ErrorCode.ALREADY_EXISTS, "message": f"Hồ sơ {listed} đã tồn tại",
                        "existing": [code for code in codes if code in existing]}
            if is_updating and len(existing) != len(codes):
                unknown = ", ".join(code for code in codes if code not in existing)
                return {"error_code": p.ErrorCode.NOT_FOUND, "message": f"Hồ sơ {unknown} không tồn tại",
                        "missing": [code for code in codes if code not in existing]}
            results = []
            for item, code in zip(items, codes, strict=True):
                if is_updating:
                    outcome = self._update_dossier(conn, existing[code], item, now_text, sender)
                else:
                    outcome = self._create_dossier(conn, item, code, now_text, sender)
                results.append({"MaHoSo": code, "error_code": p.ErrorCode.OK, "result": outcome})
            self._note_push(conn, sender, now_text)
            return {"error_code": p.ErrorCode.OK, "message": "Thành công", "results": results}

    def _missing_files(self, conn: sqlite3.Connection, items: Sequence[Any]) -> tuple[str, str, str] | None:
        for item in items:
            for file_id, name in referenced_file_ids(item):
                row = conn.execute("SELECT complete FROM files WHERE file_id = ?", (file_id,)).fetchone()
                if row is None or not row["complete"]:
                    return dossier_code(item), file_id, name
        return None

    def _schedule(self, status: int) -> float | None:
        if self.processing.enabled and status in (p.STATUS_RECEIVED, p.STATUS_PROCESSING):
            return time.time() + self.processing.step_seconds
        return None

    def _create_dossier(self, conn: sqlite3.Connection, item: dict[str, Any], code: str, now_text: str,
                        sender: tuple[str, str] | None = None) -> str:
        status = as_code(item["TrangThaiHoSo"]) or p.STATUS_RECEIVED
        agency, counter = sender or ("", "")
        conn.execute(
            "INSERT INTO dossiers(ma_ho_so, received, received_sha256, status, client_status, change_seq, "
            "created_at, updated_at, next_step_at, counter_id, agency) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (code, canonical_json(item), content_sha256(item), status, status, self._next_seq(conn),
             now_text, now_text, self._schedule(status), counter, agency))
        self._bump(conn, "dossiers_created")
        return "created"

    def _update_dossier(self, conn: sqlite3.Connection, row: sqlite3.Row, item: dict[str, Any],
                        now_text: str, sender: tuple[str, str] | None = None) -> str:
        digest = content_sha256(item)
        if digest == row["received_sha256"]:
            # A retry after a lost reply, or a harmless repeat: nothing changes, no new cursor.
            self._bump(conn, "updates_unchanged")
            return "unchanged"
        client_status = as_code(item["TrangThaiHoSo"]) or row["client_status"]
        status, next_step = row["status"], row["next_step_at"]
        # Apply the client's status only when the client changed it: re-sending an older copy
        # that still says 2 must not undo the province's progress to 4 or 9.
        if client_status != row["client_status"]:
            owner_call = sender is not None and sender[1] == row["counter_id"]
            if owner_call and row["foreign_version"] > row["owner_seen_version"]:
                # The receiving counter changes the status without having seen another counter's
                # action on it (issue #19): the first to arrive won; this one is a visible conflict.
                raise _Refused({
                    "error_code": p.ErrorCode.STALE_VERSION, "MaHoSo": row["ma_ho_so"], "PhienBan": row["version"],
                    "message": f"Hồ sơ {row['ma_ho_so']} đã được quầy khác cập nhật (phiên bản {row['version']}) "
                               "trước thay đổi trạng thái này; thay đổi không được áp dụng",
                    "HoSo": self._view(row, "")})
            status, next_step = client_status, self._schedule(client_status)
        conn.execute(
            "UPDATE dossiers SET received = ?, received_sha256 = ?, status = ?, client_status = ?, "
            "change_seq = ?, update_count = update_count + 1, updated_at = ?, next_step_at = ?, "
            "version = version + ? WHERE ma_ho_so = ?",
            (canonical_json(item), digest, status, client_status, self._next_seq(conn), now_text, next_step,
             int(status != row["status"]), row["ma_ho_so"]))
        if sender is not None and sender[1] == row["counter_id"]:
            # The owner knows the state it has just sent.
            conn.execute("UPDATE dossiers SET owner_seen_version = version WHERE ma_ho_so = ?", (row["ma_ho_so"],))
        self._bump(conn, "dossiers_updated")
        return "updated"

    # --- CapNhatTienDoHoSoMC -------------------------------------------------------------------

    def add_progress(self, items: Sequence[Any], sender: tuple[str, str] | None = None) -> dict[str, Any]:
        """Record progress entries, all or nothing; a repeated entry is accepted once.

        An entry with ``PhienBanGoc`` is an action (issue #19): applied only when its base is the
        dossier's current ``PhienBan`` — its ``TrangThai`` becomes the status and the version goes
        up — else the batch is refused with ``STALE_VERSION`` and the province's current view.
        """
        if not items:
            return Problem(p.ErrorCode.BAD_REQUEST, "data phải là danh sách bước xử lý, không rỗng").as_json()
        if len(items) > MAX_BATCH:
            return Problem(p.ErrorCode.BAD_REQUEST, f"Tối đa {MAX_BATCH} bước mỗi lần gửi").as_json()
        for item in items:
            problem = check_progress(item)
            if problem:
                return problem.as_json(dossier_code(item))
        now_text = p.format_timestamp(p.now_vn())
        try:
            with self._tx() as conn:
                results = []
                touched: set[str] = set()
                for item in items:
                    code, key, payload = dossier_code(item), progress_key(item), canonical_json(item)
                    if conn.execute("SELECT 1 FROM dossiers WHERE ma_ho_so = ?", (code,)).fetchone() is None:
                        raise _Refused({"error_code": p.ErrorCode.NOT_FOUND, "MaHoSo": code,
                                        "message": f"Hồ sơ {code} không tồn tại; hãy đồng bộ hồ sơ trước"})
                    old = conn.execute("SELECT payload FROM progress WHERE dedupe_key = ?", (key,)).fetchone()
                    if old is not None:
                        # Before the version check: a retried action after a lost reply finds the
                        # version it moved itself, and must be "duplicate", not a conflict.
                        if old["payload"] != payload:
                            raise _Refused({"error_code": p.ErrorCode.CONFLICT, "MaHoSo": code,
                                            "message": f"Hồ sơ {code}: bước xử lý đã nhận với nội dung khác"})
                        results.append({"MaHoSo": code, "error_code": p.ErrorCode.OK, "result": "duplicate"})
                        continue
                    if p.BASE_VERSION_FIELD in item:
                        self._apply_action(conn, code, item, now_text)
                    conn.execute("INSERT INTO progress(ma_ho_so, dedupe_key, payload, source, received_at) "
                                 "VALUES (?, ?, ?, 'client', ?)", (code, key, payload, now_text))
                    touched.add(code)
                    results.append({"MaHoSo": code, "error_code": p.ErrorCode.OK, "result": "created"})
                for code in sorted(touched):
                    conn.execute("UPDATE dossiers SET change_seq = ?, updated_at = ? WHERE ma_ho_so = ?",
                                 (self._next_seq(conn), now_text, code))
                created = sum(result["result"] == "created" for result in results)
                self._bump(conn, "progress_received", created)
                self._bump(conn, "progress_duplicates", len(results) - created)
                self._note_push(conn, sender, now_text)
        except _Refused as refused:
            if refused.body.get("error_code") == p.ErrorCode.STALE_VERSION:
                self.count("actions_stale")
            return refused.body  # rolled back by _tx: nothing of the batch was kept
        return {"error_code": p.ErrorCode.OK, "message": "Thành công", "results": results}

    def _apply_action(self, conn: sqlite3.Connection, code: str, item: dict[str, Any], now_text: str) -> None:
        """An action on the dossier: first come, first served on its version (inside the batch's tx)."""
        row = conn.execute("SELECT * FROM dossiers WHERE ma_ho_so = ?", (code,)).fetchone()
        base = as_code(item.get(p.BASE_VERSION_FIELD))
        if base is None or base != row["version"]:
            raise _Refused({
                "error_code": p.ErrorCode.STALE_VERSION, "MaHoSo": code, "PhienBan": row["version"],
                "message": f"Hồ sơ {code} đã được cập nhật (phiên bản {row['version']}) sau khi quầy xem "
                           f"(phiên bản {base}); thao tác không được áp dụng",
                "HoSo": self._view(row, "")})
        status = as_code(item.get("TrangThai")) or row["status"]
        server_fields = json.loads(row["server_fields"])
        if status == p.STATUS_RETURNED:
            server_fields["NgayTra"] = item["ThoiDiemXuLy"]
        server_fields["QuayThaoTacCuoi"] = str(item.get("MaQuayThaoTac") or "")
        next_step = self._schedule(status) if status != row["status"] else row["next_step_at"]
        foreign = str(item.get("MaQuayThaoTac") or "") != row["counter_id"]
        conn.execute("UPDATE dossiers SET status = ?, server_fields = ?, version = version + 1, next_step_at = ?, "
                     "foreign_version = CASE WHEN ? THEN version + 1 ELSE foreign_version END WHERE ma_ho_so = ?",
                     (status, canonical_json(server_fields), next_step, int(foreign), code))
        self._bump(conn, "actions_applied")

    # --- TraCuuHoSo ----------------------------------------------------------------------------

    def lookup(self, envelope: dict[str, Any], base_url: str, sender: tuple[str, str] | None = None) -> dict[str, Any]:
        """Dossiers by MaHoSo (``data``), or all changed after ``since`` with a new ``cursor``.

        ``sender``: the calling counter; the dossiers it received and now reads count as seen by it.
        """
        reply = self._lookup(envelope, base_url)
        if sender is not None and sender[1] and reply.get("error_code") == p.ErrorCode.OK:
            seen = [(d.get(p.VERSION_FIELD), d["MaHoSo"]) for d in reply.get("data") or []
                    if d.get(p.RECEIVING_COUNTER_FIELD) == sender[1]]
            if seen:
                with self._tx() as conn:
                    conn.executemany("UPDATE dossiers SET owner_seen_version = MAX(owner_seen_version, ?) "
                                     "WHERE ma_ho_so = ?", seen)
        return reply

    def _lookup(self, envelope: dict[str, Any], base_url: str) -> dict[str, Any]:
        since = envelope.get("since")
        with self._lock:
            current = int(self._conn.execute("SELECT value FROM meta WHERE key = 'change_seq'").fetchone()[0])
            if since is not None:
                cursor = as_code(since)
                if cursor is None or cursor < 0:
                    return Problem(p.ErrorCode.BAD_REQUEST, "since phải là số nguyên không âm").as_json()
                limit = as_code(envelope.get("limit", LOOKUP_DEFAULT_LIMIT)) or LOOKUP_DEFAULT_LIMIT
                limit = max(1, min(limit, LOOKUP_MAX_LIMIT))
                scope = _scope(envelope.get(p.SCOPE_FIELD))
                if scope is None:
                    rows = self._conn.execute(
                        "SELECT * FROM dossiers WHERE change_seq > ? ORDER BY change_seq LIMIT ?",
                        (cursor, limit + 1)).fetchall()
                else:
                    marks = ",".join("?" * len(scope))
                    rows = self._conn.execute(
                        f"SELECT * FROM dossiers WHERE change_seq > ? AND agency IN ({marks}) "
                        "ORDER BY change_seq LIMIT ?", (cursor, *scope, limit + 1)).fetchall()
                has_more = len(rows) > limit
                rows = rows[:limit]
                data = [self._view(row, base_url) for row in rows]
                new_cursor = rows[-1]["change_seq"] if rows else max(cursor, 0)
                if scope is not None and not has_more:
                    # Nothing else of these agencies up to ``current`` (read under the same lock):
                    # the cursor may skip the other agencies' changes instead of re-reading them.
                    new_cursor = max(new_cursor, current)
                reply = {"error_code": p.ErrorCode.OK, "data": data, "cursor": new_cursor, "has_more": has_more,
                         "latest": current}
                if scope is not None:
                    reply[p.COUNTERS_FIELD] = [
                        {"MaQuay": r["counter_id"], "MaDonVi": r["agency"], "LanDayCuoi": r["last_push_at"]}
                        for r in self._conn.execute(
                            f"SELECT * FROM counter_pushes WHERE agency IN ({marks}) ORDER BY counter_id", scope)]
                return reply
            wanted = self._lookup_codes(envelope)
            if wanted is None:
                return Problem(p.ErrorCode.BAD_REQUEST,
                               "TraCuuHoSo cần data là danh sách MaHoSo, hoặc since là số thứ tự thay đổi").as_json()
            found = []
            for code in wanted:
                row = self._conn.execute("SELECT * FROM dossiers WHERE ma_ho_so = ?", (code,)).fetchone()
                if row is not None:
                    found.append(self._view(row, base_url))
            known = {item["MaHoSo"] for item in found}
            return {"error_code": p.ErrorCode.OK, "data": found, "not_found": [c for c in wanted if c not in known],
                    "latest": current}

    @staticmethod
    def _lookup_codes(envelope: dict[str, Any]) -> list[str] | None:
        raw = envelope.get("data")
        if raw in (None, []) and envelope.get("MaHoSo") is not None:
            raw = envelope["MaHoSo"]
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list) or not raw:
            return None
        codes = []
        for entry in raw:
            code = entry.strip() if isinstance(entry, str) else dossier_code(entry)
            if not code:
                return None
            codes.append(code)
        return codes

    def _view(self, row: sqlite3.Row, base_url: str) -> dict[str, Any]:
        """The dossier as the province sees it now: the client's copy plus simulated processing."""
        view = json.loads(row["received"])
        server_fields = json.loads(row["server_fields"])
        results = server_fields.pop("DanhSachGiayToKetQua", [])
        view.update(server_fields)
        view["TrangThaiHoSo"] = row["status"]
        if results:
            client_results = view.get("DanhSachGiayToKetQua") or []
            known = {doc.get("GiayToId") for doc in client_results if isinstance(doc, dict)}
            merged = list(client_results) + [doc for doc in results if doc["GiayToId"] not in known]
            for doc in merged:
                link = doc.get("DuongDanTepTinKetQua") if isinstance(doc, dict) else None
                if isinstance(link, str) and link.startswith("/"):
                    # Stored relative so a restart on another port or host keeps links valid.
                    doc["DuongDanTepTinKetQua"] = base_url + link
            view["DanhSachGiayToKetQua"] = merged
        view["QuaTrinhXuLy"] = [json.loads(r["payload"]) for r in self._conn.execute(
            "SELECT payload FROM progress WHERE ma_ho_so = ? ORDER BY id", (row["ma_ho_so"],))]
        view["change_seq"] = row["change_seq"]
        keys = row.keys()
        if "version" in keys:  # a read-only store opened on a database from before issue #19 lacks them
            view[p.RECEIVING_COUNTER_FIELD] = row["counter_id"]
            view[p.RECEIVING_AGENCY_FIELD] = row["agency"]
            view[p.VERSION_FIELD] = row["version"]
        return view

    # --- LayDanhSachTTHC -----------------------------------------------------------------------

    def load_catalogue(self, path: Path | None) -> None:
        """Seed or refresh the catalogue; each entry that changed gets the next catalogue version."""
        entries = _read_catalogue(path) if path is not None and path.exists() else _BUILTIN_CATALOGUE
        with self._tx() as conn:
            version = int(conn.execute("SELECT value FROM meta WHERE key = 'catalogue_version'").fetchone()[0])
            old = {row["code"]: row for row in conn.execute("SELECT * FROM catalogue")}
            changed = []
            seen = set()
            for entry in entries:
                code = str(entry.get("code") or "").strip()
                if not code or code in seen:
                    continue
                seen.add(code)
                digest = content_sha256(entry)
                if code not in old or old[code]["payload_sha256"] != digest or old[code]["deleted"]:
                    changed.append((code, canonical_json(entry), digest))
            gone = [code for code, row in old.items() if code not in seen and not row["deleted"]]
            if not changed and not gone:
                return
            version += 1
            for code, payload, digest in changed:
                conn.execute("INSERT INTO catalogue VALUES (?, ?, ?, ?, 0) ON CONFLICT(code) DO UPDATE SET "
                             "payload = excluded.payload, payload_sha256 = excluded.payload_sha256, "
                             "version = excluded.version, deleted = 0", (code, payload, digest, version))
            for code in gone:
                conn.execute("UPDATE catalogue SET deleted = 1, version = ? WHERE code = ?", (version, code))
            conn.execute("UPDATE meta SET value = ? WHERE key = 'catalogue_version'", (str(version),))
            log.info("catalogue version %d: %d changed, %d withdrawn", version, len(changed), len(gone))

    def catalogue(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Procedures changed after version ``since`` (all when absent) and the current version."""
        since = as_code(envelope.get("since") or 0)
        if since is None or since < 0:
            return Problem(p.ErrorCode.BAD_REQUEST, "since phải là số phiên bản không âm").as_json()
        with self._lock:
            version = int(self._conn.execute("SELECT value FROM meta WHERE key = 'catalogue_version'").fetchone()[0])
            rows = self._conn.execute("SELECT * FROM catalogue WHERE version > ? ORDER BY code", (since,)).fetchall()
        data = []
        for row in rows:
            entry = json.loads(row["payload"])
            data.append({"MaTTHC": row["code"], "TenTTHC": entry.get("name", ""),
                         "MaLinhVuc": entry.get("field_code", ""), "TenLinhVuc": entry.get("field_name", ""),
                         "CapThucHien": entry.get("level", "xa"), "PhienBan": row["version"],
                         "DaXoa": bool(row["deleted"]), "ChiTiet": entry})
        return {"error_code": p.ErrorCode.OK, "data": data, "version": version}

    # --- simulated processing ------------------------------------------------------------------

    def advance(self, now: float | None = None, limit: int = 200) -> int:
        """Move every due dossier one step (2 → 4 → 9 or 5); returns how many moved."""
        if not self.processing.enabled:
            return 0
        now = time.time() if now is None else now
        moved = 0
        with self._tx() as conn:
            rows = conn.execute("SELECT * FROM dossiers WHERE next_step_at IS NOT NULL AND next_step_at <= ? "
                                "ORDER BY next_step_at LIMIT ?", (now, limit)).fetchall()
            for row in rows:
                self._step(conn, row, now)
                moved += 1
        return moved

    def _step(self, conn: sqlite3.Connection, row: sqlite3.Row, now: float) -> None:
        code = row["ma_ho_so"]
        received = json.loads(row["received"])
        server_fields = json.loads(row["server_fields"])
        stamp = p.format_timestamp(p.now_vn())
        seq = self._next_seq(conn)
        supplements = row["supplements"]
        next_step: float | None = None
        if row["status"] == p.STATUS_RECEIVED:
            status, note = p.STATUS_PROCESSING, "Chuyển phòng chuyên môn xử lý"
            next_step = now + self.processing.step_seconds
        elif processing.goes_to_supplement(self.processing, code, supplements):
            status, note = p.STATUS_SUPPLEMENT, "Yêu cầu bổ sung giấy tờ (giả lập)"
            supplements += 1
        else:
            status, note = p.STATUS_DONE, "Đã xử lý xong, có kết quả"
            server_fields["NgayKetThucXuLy"] = stamp
            file_id = str(uuid.uuid5(_RESULT_NS, f"{code}:{seq}"))
            pdf = processing.result_pdf(processing.result_lines(code, str(received.get("TenTTHC") or "")))
            _atomic_write(self._final_path(file_id), pdf)
            name = f"ket-qua-{re.sub(r'[^A-Za-z0-9.-]+', '_', code)}.pdf"
            conn.execute("INSERT INTO files(file_id, name, size, sha256, \"offset\", complete, kind, content_type, "
                         "created_at, completed_at) VALUES (?, ?, ?, ?, ?, 1, 'result', 'application/pdf', ?, ?)",
                         (file_id, name, len(pdf), hashlib.sha256(pdf).hexdigest(), len(pdf), stamp, stamp))
            server_fields.setdefault("DanhSachGiayToKetQua", []).append({
                "TenGiayTo": f"Kết quả giải quyết hồ sơ {code}", "MaThanhPhanHoSo": "KQ01", "GiayToId": file_id,
                "DuongDanTepTinKetQua": p.file_path(file_id), "MaGiayToKetQua": f"KQ-{code}"})
        progress_item = {"MaHoSo": code, "NguoiXuLy": "Chuyên viên (giả lập)", "ChucDanh": "Chuyên viên",
                         "ThoiDiemXuLy": stamp, "PhongBanXuLy": "Phòng chuyên môn (giả lập)",
                         "NoiDungXuLy": note, "TrangThai": status, "NgayBatDau": stamp,
                         "NgayKetThucTheoQuyDinh": received.get("NgayHenTra") or ""}
        conn.execute("INSERT INTO progress(ma_ho_so, dedupe_key, payload, source, received_at) "
                     "VALUES (?, ?, ?, 'server', ?)", (code, f"srv:{code}:{seq}", canonical_json(progress_item), stamp))
        conn.execute("UPDATE dossiers SET status = ?, server_fields = ?, supplements = ?, change_seq = ?, "
                     "updated_at = ?, next_step_at = ?, version = version + 1 WHERE ma_ho_so = ?",
                     (status, canonical_json(server_fields), supplements, seq, stamp, next_step, code))
        self._bump(conn, f"moved_to_{status}")

    # --- read-only views (admin endpoint and CLI) ----------------------------------------------

    def admin_dossiers(self, ma_ho_so: str | None = None) -> list[dict[str, Any]]:
        """Everything held about each dossier: the client's copy, its hash, files, progress."""
        with self._lock:
            query, args = "SELECT * FROM dossiers ORDER BY change_seq", ()
            if ma_ho_so:
                query, args = "SELECT * FROM dossiers WHERE ma_ho_so = ?", (ma_ho_so,)
            out = []
            for row in self._conn.execute(query, args).fetchall():
                received = json.loads(row["received"])
                files = []
                for file_id, _name in referenced_file_ids(received):
                    file_row = self._conn.execute("SELECT * FROM files WHERE file_id = ?", (file_id,)).fetchone()
                    if file_row is not None:
                        files.append(self._admin_file(file_row))
                server_fields = json.loads(row["server_fields"])
                results = []
                for doc in server_fields.get("DanhSachGiayToKetQua", []):
                    file_row = self._conn.execute("SELECT * FROM files WHERE file_id = ?",
                                                  (doc["GiayToId"],)).fetchone()
                    if file_row is not None:
                        results.append(self._admin_file(file_row))
                out.append({
                    "MaHoSo": row["ma_ho_so"], "status": row["status"], "client_status": row["client_status"],
                    "received": received, "received_sha256": row["received_sha256"],
                    "current": self._view(row, ""), "files": files, "results": results,
                    "change_seq": row["change_seq"], "update_count": row["update_count"],
                    "created_at": row["created_at"], "updated_at": row["updated_at"],
                })
            return out

    @staticmethod
    def _admin_file(row: sqlite3.Row) -> dict[str, Any]:
        return {"file_id": row["file_id"], "name": row["name"], "size": row["size"], "sha256": row["sha256"],
                "offset": row["offset"], "complete": bool(row["complete"]), "kind": row["kind"]}

    def record_audit_anchor(self, anchor: Any) -> bool:
        """Keep a counter's audit-chain head sent with a sync (``MocNhatKy``); False if malformed.

        Anchors are only ever added (one per counter and entry id, the first one kept): what the
        province holds is what the counter's trail must still contain later.
        """
        if not p.valid_audit_anchor(anchor):
            return False
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO audit_anchors(agency, workstation, entry_id, hash, at, received_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)",
                         (anchor.get("MaDonVi", ""), anchor.get("MaMay", ""), anchor["Id"], anchor["MaBam"],
                          str(anchor.get("ThoiDiem", ""))[:14], p.format_timestamp(p.now_vn())))
        return True

    def audit_anchors(self, agency: str | None = None) -> list[dict[str, Any]]:
        """The anchors kept, oldest first (for ``audit-verify --anchor`` and tests)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT agency, workstation, entry_id, hash, at, received_at FROM audit_anchors "
                "WHERE ? IS NULL OR agency = ? ORDER BY agency, workstation, entry_id", (agency, agency)).fetchall()
        return [dict(r) for r in rows]

    def admin_files(self) -> list[dict[str, Any]]:
        """Every file, partial ones included."""
        with self._lock:
            return [self._admin_file(row) for row in self._conn.execute("SELECT * FROM files ORDER BY created_at")]

    def stats(self) -> dict[str, Any]:
        """Counts for tests and demos; ``faults`` groups the injected faults by kind."""
        with self._lock:
            one = self._conn.execute
            counters = {row["name"]: row["value"] for row in one("SELECT * FROM counters")}
            return {
                "dossiers": one("SELECT COUNT(*) FROM dossiers").fetchone()[0],
                "dossiers_by_status": {str(r[0]): r[1] for r in one(
                    "SELECT status, COUNT(*) FROM dossiers GROUP BY status")},
                "files": one("SELECT COUNT(*) FROM files WHERE kind = 'upload'").fetchone()[0],
                "files_complete": one("SELECT COUNT(*) FROM files WHERE kind = 'upload' AND complete").fetchone()[0],
                "result_files": one("SELECT COUNT(*) FROM files WHERE kind = 'result'").fetchone()[0],
                "progress_items": one("SELECT COUNT(*) FROM progress").fetchone()[0],
                "change_seq": int(one("SELECT value FROM meta WHERE key = 'change_seq'").fetchone()[0]),
                "catalogue_version": int(one("SELECT value FROM meta WHERE key = 'catalogue_version'").fetchone()[0]),
                "duplicates_rejected": counters.get("duplicates_rejected", 0),
                "faults": {kind: counters.get(f"fault_{kind}", 0) for kind in ("fail", "reset", "lost_reply")},
                "counters": counters,
            }


def _scope(value: object) -> list[str] | None:
    """``DanhSachDonVi`` as a list of agency codes; None when absent (every dossier)."""
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [str(v) for v in items if isinstance(v, str) and v] or [""]


def _read_catalogue(path: Path) -> list[dict[str, Any]]:
    """Entries of the catalogue resource: a JSON list, or an object holding one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("procedures") or next((v for v in data.values() if isinstance(v, list)), [])
    return [entry for entry in data if isinstance(entry, dict)]


def _atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary name, then rename: readers never see a half-written file.

    No fsync: this runs under the store lock for many dossiers per pass, and a simulator only
    needs to survive a killed process (which the page cache does), not a power cut.
    """
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
