"""The one module that owns SQLite connections.

- WAL so the sync worker and report queries read while the counter writes.
- ``synchronous=FULL``: a commit confirmed to the officer must survive a power cut; the cost is
  one fsync per transaction, which the counter's write rate (a few per minute) never notices.
- ``foreign_keys=ON`` and a busy timeout, because the headless sync process may hold the write lock.
- One write path: :meth:`CounterDB.write` opens ``BEGIN IMMEDIATE`` (so two processes never deadlock
  upgrading a read lock) and nests as savepoints.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.errors import DatabaseTooNew, EnvironmentProblem

if TYPE_CHECKING:
    import sqlite_utils

    from counter_app import crypto

log = logging.getLogger(__name__)


def _environment_error(exc: sqlite3.Error, path: Path) -> EnvironmentProblem | None:
    """Translate SQLite errors the user can act on into Vietnamese messages."""
    text = str(exc).lower()
    if "database or disk is full" in text or getattr(exc, "sqlite_errorcode", None) == 13:
        return EnvironmentProblem(
            "Ổ đĩa dữ liệu đã đầy, thao tác chưa được lưu.",
            hint="Giải phóng dung lượng rồi thử lại; các hồ sơ đã lưu trước đó vẫn an toàn.",
        )
    if "readonly" in text or "read-only" in text:
        return EnvironmentProblem(
            f"Cơ sở dữ liệu {path} đang ở chế độ chỉ đọc.",
            hint="Kiểm tra quyền ghi của thư mục dữ liệu hoặc USB đã bị khóa ghi.",
        )
    if "locked" in text or "busy" in text:
        return EnvironmentProblem(
            "Cơ sở dữ liệu đang bận (một chương trình khác đang ghi).",
            hint="Chờ vài giây rồi thử lại; nếu lặp lại, đóng các cửa sổ Quầy Một Cửa khác.",
        )
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return EnvironmentProblem(
            f"Tệp cơ sở dữ liệu {path} bị hỏng.",
            hint="Khôi phục từ bản sao lưu gần nhất (Cài đặt → Sao lưu → Khôi phục).",
        )
    return None


class CounterDB:
    """A connection to the counter database with its pragmas and transaction helper.

    Each thread uses its own :class:`CounterDB`; SQLite connections are not shared across threads.
    """

    def __init__(self, path: str | Path, *, migrate: bool = True) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves (one write path).
            conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=10.0)
            conn.execute("PRAGMA busy_timeout = 10000")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("journal_mode is %s, not WAL", mode)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            problem = _environment_error(exc, self.path)
            if problem:
                raise problem from exc
            raise
        except OSError as exc:  # pragma: no cover - depends on the OS
            if exc.errno == errno.ENOSPC:
                raise EnvironmentProblem("Ổ đĩa dữ liệu đã đầy.") from exc
            raise
        import sqlite_utils  # here, not at import: the GUI thread never opens a connection

        self.conn = conn
        self.db = sqlite_utils.Database(conn)
        self._owner = threading.get_ident()
        if migrate:
            from counter_app.db.schema import migrate as _migrate

            _migrate(self)

    # -- transactions -------------------------------------------------------------------------
    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """The single write path: an IMMEDIATE transaction (or a savepoint when nested)."""
        if self.conn.in_transaction:
            with self.db.atomic():
                yield self.db
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            problem = _environment_error(exc, self.path)
            raise (problem or exc) from exc
        try:
            yield self.db
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            problem = _environment_error(exc, self.path)
            raise (problem or exc) from exc

    # -- reads ------------------------------------------------------------------------------
    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Run a read query and return rows as dicts."""
        cur = self.conn.execute(sql, params)
        cols = [c[0] for c in cur.description or ()]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    def query_one(self, sql: str, params: Any = ()) -> dict[str, Any] | None:
        """First row of a read query, or None."""
        cur = self.conn.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([c[0] for c in cur.description], row, strict=True))

    def scalar(self, sql: str, params: Any = ()) -> Any:
        """First column of the first row, or None."""
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    # -- encryption --------------------------------------------------------------------------
    @property
    def root(self) -> Path:
        """The data directory this database belongs to (scans and keys live beside it)."""
        return self.path.parent

    @property
    def ring(self) -> crypto.KeyRing | None:
        """The opened keys of this data directory (None: plain directory or not unlocked)."""
        from counter_app import vault

        return vault.ring(self.root)

    def require_ring(self) -> crypto.KeyRing | None:
        """Keys to write personal data with: None only for a directory that was never encrypted.

        Besides :func:`counter_app.vault.require_ring` (encrypted but locked), a directory whose
        database says it was encrypted but whose ``keys.json`` is gone (copied without it, deleted)
        refuses too, instead of quietly writing citizens' data in clear from then on.
        """
        from counter_app import vault

        found = vault.require_ring(self.root)
        if found is None and self.get_setting(vault.ENCRYPTED_SETTING, False):
            raise vault.Locked(
                f"Thư mục dữ liệu {self.root} đã được mã hóa nhưng thiếu tệp khóa keys.json.",
                hint="Chép lại tệp keys.json từ bản sao lưu vào thư mục dữ liệu rồi khởi động lại chương trình.",
            )
        return found

    # -- settings ----------------------------------------------------------------------------
    def get_setting(self, key: str, default: Any = None) -> Any:
        """A value from the settings table (JSON-decoded)."""
        import json

        raw = self.scalar("SELECT value FROM settings WHERE key = ?", (key,))
        return default if raw is None else json.loads(raw)

    def set_setting(self, key: str, value: Any) -> None:
        """Store a setting (JSON-encoded) in its own transaction, or the caller's."""
        import json

        with self.write():
            self.conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, json.dumps(value, ensure_ascii=False)),
            )

    def integrity_ok(self) -> bool:
        """``PRAGMA quick_check`` — cheap enough to run at every start."""
        return self.scalar("PRAGMA quick_check") == "ok"

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute("PRAGMA optimize")
        self.conn.close()


def open_database(path: str | Path) -> CounterDB:
    """Open (creating and migrating if needed) the counter database at ``path``."""
    return CounterDB(path)


__all__ = ["CounterDB", "DatabaseTooNew", "open_database"]
