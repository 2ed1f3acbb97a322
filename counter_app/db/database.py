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


def environment_error(exc: sqlite3.Error, path: Path) -> EnvironmentProblem | None:
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
    if "unable to open" in text:
        return EnvironmentProblem(
            f"Không mở được tệp cơ sở dữ liệu {path}.",
            hint="Kiểm tra thư mục dữ liệu còn đó, ổ đĩa còn cắm và tài khoản có quyền ghi vào thư mục.",
        )
    if "disk i/o error" in text and _disk_full(path):
        # SQLite reports a full disk as an I/O error when it cannot even size its -shm file.
        return EnvironmentProblem(
            "Ổ đĩa dữ liệu đã đầy, thao tác chưa được lưu.",
            hint="Giải phóng dung lượng rồi thử lại; các hồ sơ đã lưu trước đó vẫn an toàn. "
            "Sao lưu sang ổ khác vẫn làm được: «counter-app backup --to <ổ USB>».",
        )
    if "disk i/o error" in text:
        return EnvironmentProblem(
            f"Lỗi đọc/ghi ổ đĩa khi dùng cơ sở dữ liệu {path}.",
            hint="Ổ đĩa có thể đầy hoặc đang hỏng: giải phóng dung lượng, sao lưu ngay sang ổ khác rồi thử lại.",
        )
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return EnvironmentProblem(
            f"Tệp cơ sở dữ liệu {path} bị hỏng.",
            hint="Khôi phục từ bản sao lưu gần nhất (Cài đặt → Sao lưu → Khôi phục).",
        )
    return None


def _disk_full(path: Path) -> bool:
    """True when the file system holding ``path`` has (almost) no space left."""
    import shutil

    try:
        return shutil.disk_usage(path.parent).free < 256 * 1024
    except OSError:
        return False


#: Seconds a writer waits for another process's write transaction before saying so (sqlite's
#: busy handler). Ten seconds covers the longest write the app makes (a sync commit, a backup
#: snapshot step) with margin; beyond it the officer gets the «đang bận» message, not a hang.
BUSY_TIMEOUT = 10.0


def os_problem(exc: OSError, where: Path) -> EnvironmentProblem:
    """An OS error opening the data directory as a Vietnamese message with what to do."""
    if exc.errno == errno.ENOSPC:
        return EnvironmentProblem("Ổ đĩa dữ liệu đã đầy.",
                                  hint="Giải phóng dung lượng rồi thử lại; dữ liệu đã lưu vẫn an toàn.")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return read_only_problem(where)
    return EnvironmentProblem(f"Không mở được thư mục dữ liệu {where}: {exc.strerror or exc}.",
                              hint="Kiểm tra ổ đĩa và quyền truy cập của tài khoản rồi thử lại.")


def read_only_problem(where: Path) -> EnvironmentProblem:
    """The message for a data directory that cannot be written (failing disk, locked USB stick)."""
    return EnvironmentProblem(
        f"Thư mục dữ liệu {where} chỉ đọc được, không ghi được.",
        hint="Ổ đĩa có thể đang hỏng hoặc bị khóa ghi: sao lưu ngay bằng «counter-app backup --to <ổ khác>» "
        "(vẫn chạy được khi chỉ đọc), rồi kiểm tra ổ đĩa hoặc quyền ghi của tài khoản.",
    )


def connect_read_only(path: Path, busy_timeout: float) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro``, or ``immutable=1`` on a read-only medium.

    SQLite opens a WAL database read-only when its ``-shm`` file exists or can be created. On a
    read-only directory after a clean close (no ``-wal``/``-shm`` left) it cannot create ``-shm``;
    then nothing is pending in a WAL and the main file alone is the whole database, which
    ``immutable=1`` reads without any lock. With a ``-wal`` left behind, immutable would ignore
    the newest commits, so that case is reported instead of read wrongly.
    """
    if not path.is_file():
        raise EnvironmentProblem(f"Không tìm thấy cơ sở dữ liệu {path}.",
                                 hint="Kiểm tra đường dẫn --data-dir (lệnh này không tạo dữ liệu mới).")
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=busy_timeout)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        wal = path.with_name(path.name + "-wal")
        # "unable to open": read-only directory; "disk I/O error": a full disk cannot size a new -shm.
        reason = str(exc).lower()
        if not ("unable to open" in reason or "disk i/o" in reason) or (wal.exists() and wal.stat().st_size > 0):
            raise
    log.debug("database %s opened immutable (read-only or full medium, no WAL pending)", path)
    conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return conn


def _needs_migration(cdb: CounterDB) -> bool:
    """True unless every known migration is recorded: a plain open then writes nothing at all.

    Writing ``PRAGMA user_version`` at every open made every command — read-only ones too —
    wait on (and after 10 s crash under) another process's write transaction.
    """
    from counter_app.db.schema import known_migrations, migrations

    applied = {m.name for m in migrations.applied(cdb.db)}
    known = known_migrations()
    version = int(cdb.scalar("PRAGMA user_version") or 0)
    return applied != set(known) or version != len(known)  # a newer database: migrate() refuses it


def _check_version(cdb: CounterDB) -> None:
    """Read-only opens cannot migrate: refuse a newer database, and say when an update is due."""
    from counter_app.db.schema import known_migrations, migrations

    applied = [m.name for m in migrations.applied(cdb.db)]
    known = known_migrations()
    unknown = [n for n in applied if n not in known]
    if unknown:
        raise DatabaseTooNew(
            "Cơ sở dữ liệu này do phiên bản Quầy Một Cửa mới hơn tạo ra "
            f"(có bước cập nhật {', '.join(unknown)} mà phiên bản này không biết).",
            hint="Cài phiên bản mới nhất của ứng dụng.")
    if not applied:
        raise EnvironmentProblem(f"Tệp {cdb.path} chưa phải là cơ sở dữ liệu Quầy Một Cửa.",
                                 hint="Kiểm tra đường dẫn --data-dir.")
    cdb.pending_migrations = [n for n in known if n not in set(applied)]


#: The "compile option" an app connection reports as set: how the audit triggers of migration 0006
#: tell the app's connections from a database tool's (see :func:`_compileoption_used`).
APP_SESSION_OPTION = "QMC_APP_SESSION"


def _compileoption_used(name: str) -> int:
    """``sqlite_compileoption_used()`` on an app connection: 1 for :data:`APP_SESSION_OPTION`.

    Overriding this built-in (no code of ours or of our libraries asks it anything else) costs a
    Python call per trigger row (~2 µs); looking a function up in ``pragma_function_list`` cost
    ~250 µs per row — 25 s more for 100,000 demo dossiers. Any other connection answers 0.
    """
    return 1 if name == APP_SESSION_OPTION else 0


class CounterDB:
    """A connection to the counter database with its pragmas and transaction helper.

    Each thread uses its own :class:`CounterDB`; SQLite connections are not shared across threads.
    """

    #: Migrations a read-only connection found not yet applied (it cannot apply them).
    pending_migrations: list[str] = []  # noqa: RUF012 - replaced per instance, never mutated

    def __init__(self, path: str | Path, *, migrate: bool = True, read_only: bool = False,
                 busy_timeout: float | None = None) -> None:
        """Open ``path``; ``read_only`` never writes a byte (not even a pragma) and never creates it.

        A read-only connection is what the read-only commands (``check``, ``info``, ``audit-verify``,
        ``backup``) use: it works while another process holds a write transaction (WAL readers do
        not wait for the writer) and on a read-only disk or USB stick.
        """
        self.path = Path(path)
        self.read_only = read_only
        busy_timeout = BUSY_TIMEOUT if busy_timeout is None else busy_timeout
        try:
            if read_only:
                conn = connect_read_only(self.path, busy_timeout)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # isolation_level=None: we issue BEGIN/COMMIT ourselves (one write path).
                conn = sqlite3.connect(str(self.path), isolation_level=None, timeout=busy_timeout)
                conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
                # Asked first: setting WAL on a database already in WAL takes no lock, but asking
                # for it on a read-only medium fails, and a plain read must still work there.
                mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
                if str(mode).lower() != "wal":
                    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("journal_mode is %s, not WAL", mode)
                conn.execute("PRAGMA synchronous = FULL")
                conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            problem = environment_error(exc, self.path)
            if problem:
                raise problem from exc
            raise
        except OSError as exc:
            raise os_problem(exc, self.path.parent) from exc
        import sqlite_utils  # here, not at import: the GUI thread never opens a connection

        self.conn = conn
        # Marks this connection as the app's: the audit triggers (migration 0006) record a change
        # made through any other connection (a database tool) as made outside the app.
        conn.create_function("sqlite_compileoption_used", 1, _compileoption_used, deterministic=True)
        self.db = sqlite_utils.Database(conn)
        self._owner = threading.get_ident()
        try:
            if read_only:
                _check_version(self)
            elif migrate and _needs_migration(self):
                from counter_app.db.schema import migrate as _migrate

                _migrate(self)
        except sqlite3.DatabaseError as exc:
            conn.close()
            problem = environment_error(exc, self.path)
            if problem:
                raise problem from exc
            raise
        except BaseException:
            conn.close()
            raise

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
            problem = environment_error(exc, self.path)
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
            problem = environment_error(exc, self.path)
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


__all__ = ["CounterDB", "DatabaseTooNew", "connect_read_only", "environment_error", "open_database", "os_problem",
           "read_only_problem"]
