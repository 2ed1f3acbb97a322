"""Issue #15 item 4: the attacks that the audit chain used to miss, each one found now.

The attacker has the database file and a database tool (here the ``sqlite3`` module, a connection
the app did not open), knows our hash formula, but not the data keys' passphrase.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from counter_app import vault
from counter_app.db import audit
from counter_app.db.backup import audit_verify_report, create_backup
from counter_app.db.database import CounterDB
from tests.trust.trust_helpers import make_data_dir

PASSPHRASE = "Mot-cau-mat-khau-rat-dai-2026"


def _tool(db: Path) -> sqlite3.Connection:
    """What an insider with file access does first: open the file and drop the append-only triggers."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return conn


def _append_forged(conn: sqlite3.Connection, action: str = "login", user_id: int = 1) -> int:
    """Append a row with a correctly computed SHA-256 (the formula is public), no key."""
    last_id, prev = conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    at = "2026-12-06 10:00:00"
    digest = audit.entry_hash(last_id + 1, at, user_id, action, "user", str(user_id), "{}", prev)
    conn.execute("INSERT INTO audit_log(id, at, user_id, action, object_type, object_id, detail, prev_hash, hash) "
                 "VALUES (?, ?, ?, ?, 'user', ?, '{}', ?, ?)", (last_id + 1, at, user_id, action, str(user_id),
                                                               prev, digest))
    return last_id + 1


def _rehash_all(conn: sqlite3.Connection) -> None:
    """Rewrite every row's hash from the first one on (after editing something in the middle)."""
    prev = audit.GENESIS
    for row in conn.execute("SELECT id, at, user_id, action, object_type, object_id, detail FROM audit_log "
                            "ORDER BY id").fetchall():
        digest = audit.entry_hash(*row, prev)
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ?, mac = NULL WHERE id = ?", (prev, digest, row[0]))
        prev = digest


@pytest.fixture
def encrypted(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = tmp_path / "data"
    root.mkdir()
    vault.setup_encryption(root, PASSPHRASE)
    data, cdb = make_data_dir(root)
    for i in range(60):
        audit.append(cdb, 1, "print", "dossier", str(i), {"form": "01"}, now=datetime(2026, 12, 1, 9))
    yield data, cdb
    cdb.close()
    vault.lock(root)


def test_rows_are_keyed_when_the_keys_are_open(encrypted) -> None:  # type: ignore[no-untyped-def]
    _data, cdb = encrypted
    macs = [r[0] for r in cdb.conn.execute("SELECT mac FROM audit_log WHERE action = 'print'")]
    assert len(macs) == 60 and all(m and len(m) == 64 for m in macs)
    assert audit.verify_chain(cdb) == []


def test_appended_row_with_a_correct_hash_is_found_with_the_keys(encrypted) -> None:  # type: ignore[no-untyped-def]
    data, cdb = encrypted
    tool = _tool(data.database)
    forged = _append_forged(tool)
    tool.close()
    breaks = audit.verify_chain(cdb)
    assert [(b.entry_id, b.kind) for b in breaks] == [(forged, "unkeyed")]
    assert "ngoài ứng dụng" in breaks[0].message()
    # A forged MAC (the attacker has no key) is a rewrite.
    tool = sqlite3.connect(data.database, isolation_level=None)
    tool.execute("UPDATE audit_log SET mac = ? WHERE id = ?", ("0" * 64, forged))
    tool.close()
    assert [(b.entry_id, b.kind) for b in audit.verify_chain(cdb)] == [(forged, "mac")]


def test_full_rehash_is_found_with_the_keys_and_against_a_backup(encrypted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, cdb = encrypted
    usb = tmp_path / "usb"
    create_backup(data, usb)
    tool = _tool(data.database)
    tool.execute("UPDATE audit_log SET detail = '{\"form\":\"02\"}' WHERE id = 40")
    _rehash_all(tool)
    tool.close()
    kinds = {b.kind for b in audit.verify_chain(cdb)}
    assert kinds == {"unkeyed"}  # every row lost its MAC: none could be recomputed without the key
    vault.lock(data.root)  # without the keys, the backup's anchor still shows the rewrite
    anchors = audit.anchors_in([usb])
    assert anchors and [b.kind for b in audit.verify_chain(cdb, anchors=anchors)] == ["anchor"]


def test_cut_of_the_last_rows_is_found_from_any_backup_folder(encrypted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data, cdb = encrypted
    usb = tmp_path / "usb"
    cdb.set_setting("backup_dir", str(usb))
    create_backup(data, usb)
    head_id = audit.head(cdb)[0]
    tool = _tool(data.database)
    tool.execute("DELETE FROM audit_log WHERE id > ?", (head_id - 50,))
    # Hide the backups from the app: point the setting elsewhere (recorded now, see below).
    tool.execute("UPDATE settings SET value = '\"/nowhere\"' WHERE key = 'backup_dir'")
    tool.close()
    assert [b.kind for b in audit.verify_chain(cdb)] == ["outside"]  # the setting change itself
    ok, text = audit_verify_report(cdb, [usb])  # `counter-app audit-verify --anchors USB`
    assert not ok and f"#{head_id}" in text and "mất khỏi nhật ký" in text
    # A backup folder given directly, or a printed anchor typed back, works the same.
    backup = next(p for p in usb.iterdir() if p.is_dir())
    assert audit.anchors_in([backup]) == audit.anchors_in([usb])
    printed = audit.anchor_text(*audit.anchors_in([usb])[0])
    assert any(b.kind == "anchor" for b in audit.verify_chain(cdb, anchors=[audit.parse_anchor(printed)]))


def test_outside_changes_to_users_and_settings_are_recorded(tmp_path: Path) -> None:
    data, cdb = make_data_dir(tmp_path / "plain")
    try:
        cdb.conn.execute("INSERT INTO users(username, full_name, role, created_at) "
                         "VALUES ('canbo9', 'Cán bộ 9', 'officer', '2026-12-01')")
        audit.flush_pending(cdb)
        assert audit.verify_chain(cdb) == []  # the app's own change: recorded, not flagged
        # The reported attack: an officer with file access makes themselves admin, lock-out off.
        tool = sqlite3.connect(data.database, isolation_level=None)
        tool.execute("UPDATE users SET role = 'admin' WHERE username = 'canbo9'")
        tool.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('lockout_threshold', '0')")
        tool.execute("UPDATE dossiers SET status = 10")  # no dossier yet: changes nothing, records nothing
        tool.close()
        texts = [b.message() for b in audit.verify_chain(cdb)]
        assert len(texts) == 2 and "tài khoản" in texts[0] and "(role)" in texts[0] and "cài đặt" in texts[1]
        # Once chained by the app's next entry, they stay reported, now with their entry ids.
        audit.append(cdb, 1, "login", "user", "1")
        after = audit.verify_chain(cdb)
        assert [b.kind for b in after] == ["outside", "outside"] and all(b.entry_id > 0 for b in after)
        row = cdb.query_one("SELECT * FROM audit_log WHERE action = 'db_change' AND object_type = 'users' "
                            "ORDER BY id DESC LIMIT 1")
        assert row is not None and '"outside":true' in row["detail"]
    finally:
        cdb.close()


def test_app_changes_of_roles_and_settings_are_recorded_by_the_triggers(tmp_path: Path) -> None:
    _data, cdb = make_data_dir(tmp_path / "plain")
    try:
        n0 = cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'db_change'")
        cdb.conn.execute("UPDATE users SET role = 'supervisor' WHERE id = 1")  # any code path, even a bug
        cdb.set_setting("lockout_threshold", 0)
        cdb.set_setting("sync_last_attempt_at", "2026-12-06 10:00:00")  # state, not configuration
        audit.append(cdb, 1, "settings")
        rows = cdb.query("SELECT object_type, object_id, detail FROM audit_log WHERE action = 'db_change' "
                         "ORDER BY id")[n0:]
        assert [(r["object_type"], r["object_id"]) for r in rows] == [("users", "1"), ("settings", "lockout_threshold")]
        assert '"columns":["role"]' in rows[0]["detail"]
        assert CounterDB(cdb.path).conn.execute("SELECT count(*) FROM audit_pending").fetchone()[0] == 0
    finally:
        cdb.close()


def test_monthly_report_prints_the_anchor_and_cli_checks_it(tmp_path: Path) -> None:
    from datetime import date

    from counter_app.cli import main
    from counter_app.reports import indicators as ind
    from counter_app.reports import monthly

    data, cdb = make_data_dir(tmp_path / "plain")
    try:
        for i in range(5):
            audit.append(cdb, 1, "print", "dossier", str(i))
        report = monthly.collect(cdb, 2026, 11, today=date(2026, 12, 3), cache=ind.FactsCache())
        head_id, head_hash = audit.head(cdb)
    finally:
        cdb.close()
    assert report.audit_anchor == f"#{head_id}:{head_hash[:32]}"
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(monthly.render_pdf(report))
    import subprocess

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert report.audit_anchor in text.replace("\n", "")
    args = ["audit-verify", "--data-dir", str(data.root), "--anchor", report.audit_anchor]
    assert main(args) == 0
    tool = _tool(data.database)
    tool.execute("DELETE FROM audit_log WHERE id >= ?", (head_id - 2,))  # the last three rows cut
    tool.close()
    assert main(args) == 1
    assert main(["audit-verify", "--data-dir", str(data.root), "--anchor", "không phải mốc"]) == 2


def test_sync_hands_the_head_to_the_province_which_keeps_it(tmp_path: Path) -> None:
    """The simulator (a real process) stores the anchor sent with the dossiers; typed back into
    ``audit-verify --anchor`` it shows a cut made after the sync."""
    from counter_app.cli import main
    from counter_app.sync.client import ClientConfig, ProvincialClient
    from counter_app.sync.worker import SyncConfig, sync_once
    from counter_dev.simulator.store import SimulatorStore
    from tests.sync.conftest import SimulatorFactory, add_dossiers, build_counter

    factory = SimulatorFactory(tmp_path / "sim")
    try:
        sim = factory.start()
        counter = build_counter(tmp_path / "counter", endpoint=sim.url, agency="H01.72.01")
        add_dossiers(counter, 2, files_per_dossier=0, seed=3)
        head_id, head_hash = audit.head(counter.cdb)
        client = ProvincialClient(ClientConfig(sim.url, "demo", "demo", ca_file=str(sim.cert) if sim.cert else None,
                                               retry_delay=0.01))
        with client:
            report = sync_once(counter.cdb, counter.root, client, config=SyncConfig(catalogue_interval=None))
        assert report.dossiers_sent == 2, report
        counter.cdb.close()
    finally:
        factory.close()
    store = SimulatorStore(sim.data_dir, read_only=True)
    try:
        kept = store.audit_anchors("H01.72.01")
    finally:
        store.close()
    assert [(a["entry_id"], a["hash"]) for a in kept] == [(head_id, head_hash)]
    anchor = f"#{kept[0]['entry_id']}:{kept[0]['hash']}"
    assert main(["audit-verify", "--data-dir", str(counter.root), "--anchor", anchor]) == 0
    tool = _tool(counter.root / "counter.sqlite3")
    tool.execute("DELETE FROM audit_log WHERE id >= ?", (head_id - 1,))
    tool.close()
    assert main(["audit-verify", "--data-dir", str(counter.root), "--anchor", anchor]) == 1


def test_a_backup_recorded_without_the_keys_is_not_an_alarm(encrypted) -> None:  # type: ignore[no-untyped-def]
    data, cdb = encrypted
    vault.lock(data.root)  # `counter-app backup` without the passphrase
    audit.append(cdb, 1, "backup", "backup", "qmc-backup-x")
    audit.append(cdb, 1, "print", "dossier", "x")  # anything else written without the keys is reported
    vault.open_with_passphrase(data.root, PASSPHRASE)
    breaks = audit.verify_chain(cdb)
    assert [(b.kind, b.detail) for b in breaks] == [("unkeyed", "In")]
