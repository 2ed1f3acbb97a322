"""Database layer: pragmas, migrations, refusing a newer database, the write path."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from counter_app.db.database import CounterDB, open_database
from counter_app.db.schema import MIGRATION_SET, known_migrations
from counter_app.errors import DatabaseTooNew


def test_pragmas_and_migrations(tmp_path: Path) -> None:
    cdb = open_database(tmp_path / "c.db")
    assert cdb.scalar("PRAGMA journal_mode") == "wal"
    assert cdb.scalar("PRAGMA foreign_keys") == 1
    assert cdb.scalar("PRAGMA synchronous") == 2  # FULL
    applied = [r["name"] for r in cdb.query("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == known_migrations()
    assert cdb.scalar("PRAGMA user_version") == len(known_migrations())
    cdb.close()
    # Re-opening applies nothing twice.
    cdb = open_database(tmp_path / "c.db")
    assert cdb.scalar("SELECT count(*) FROM _sqlite_migrations") == len(known_migrations())


def test_refuses_database_from_newer_version(tmp_path: Path) -> None:
    cdb = open_database(tmp_path / "c.db")
    cdb.conn.execute(
        "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) VALUES (?, '9999_future', 'x')",
        (MIGRATION_SET,),
    )
    cdb.close()
    with pytest.raises(DatabaseTooNew) as exc:
        CounterDB(tmp_path / "c.db")
    assert "phiên bản" in exc.value.user_message()


def test_write_rolls_back_on_error(tmp_path: Path) -> None:
    cdb = open_database(tmp_path / "c.db")
    with pytest.raises(RuntimeError), cdb.write():
        cdb.conn.execute("INSERT INTO settings(key, value) VALUES ('a', '1')")
        raise RuntimeError("boom")
    assert cdb.scalar("SELECT count(*) FROM settings WHERE key='a'") == 0
    # Nested writes are savepoints: the inner failure keeps the outer work.
    with cdb.write():
        cdb.conn.execute("INSERT INTO settings(key, value) VALUES ('outer', '1')")
        with pytest.raises(ValueError), cdb.write():
            cdb.conn.execute("INSERT INTO settings(key, value) VALUES ('inner', '1')")
            raise ValueError
    keys = {r["key"] for r in cdb.query("SELECT key FROM settings")}
    assert "outer" in keys and "inner" not in keys


def test_foreign_keys_enforced(tmp_path: Path) -> None:
    cdb = open_database(tmp_path / "c.db")
    with pytest.raises(sqlite3.IntegrityError), cdb.write():
        cdb.conn.execute(
            "INSERT INTO dossier_events(dossier_id, at, kind) VALUES (12345, '2026-01-01 00:00:00', 'x')"
        )


def test_settings_round_trip_unicode_and_sql_chars(tmp_path: Path) -> None:
    cdb = open_database(tmp_path / "c.db")
    value = "Phường Ba Đình'; DROP TABLE dossiers; -- \"%_"
    cdb.set_setting("agency_name", value)
    assert cdb.get_setting("agency_name") == value
    assert "dossiers" in cdb.db.table_names()


def test_corrupt_file_gives_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    from counter_app.errors import EnvironmentProblem

    with pytest.raises(EnvironmentProblem) as exc:
        CounterDB(bad)
    assert "sao lưu" in exc.value.user_message()


def test_upgrade_from_first_version_keeps_data(tmp_path: Path) -> None:
    import sqlite_utils

    from counter_app.db.schema import migrations

    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    old = sqlite_utils.Database(conn)
    migrations.apply(old, stop_before="0002_apology_and_return")
    conn.execute("INSERT INTO settings(key, value) VALUES ('agency_code', '\"H01\"')")
    conn.close()
    cdb = CounterDB(tmp_path / "old.db")
    assert cdb.get_setting("agency_code") == "H01"
    cols = {c.name for c in cdb.db["dossiers"].columns}
    assert {"new_due_at", "returned_to"} <= cols
