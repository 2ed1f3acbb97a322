"""Typed settings: one place for key names, defaults and the handling of damaged values."""

from __future__ import annotations

from counter_app.db.database import CounterDB
from counter_app.db.settings import AgencySettings, BackupSettings, SyncSettings, replace


def test_defaults_on_an_empty_database(cdb: CounterDB) -> None:
    for key in ("provincial_endpoint", "sync_username", "backup_dir", "backup_interval_hours"):
        cdb.set_setting(key, None)
    s = SyncSettings.load(cdb)
    assert (s.interval_seconds, s.warn_days, s.deadline_seconds) == (60.0, 2.0, None)
    assert not s.configured
    b = BackupSettings.load(cdb)
    assert (b.folder, b.interval_hours, b.keep, b.path) == ("", 24.0, 14, None)


def test_agency_round_trip_and_audit(cdb: CounterDB) -> None:
    a = AgencySettings.load(cdb)
    changed = replace(a, signer_name="Nguyễn Văn A", workstation_slot=3).save(cdb, None)
    assert changed == ["signer_name", "workstation_slot"]
    again = AgencySettings.load(cdb)
    assert again.signer_name == "Nguyễn Văn A" and again.workstation_slot == 3
    assert cdb.get_setting("signer_name") == "Nguyễn Văn A"  # the same keys as before: no migration
    assert again.unit == (again.unit_code or again.agency_code)
    assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'settings'") >= 1
    assert again.save(cdb, None) == []  # nothing changed, nothing stored


def test_damaged_values_fall_back_to_defaults(cdb: CounterDB) -> None:
    cdb.set_setting("sync_interval_seconds", "nhanh")
    cdb.set_setting("sync_warn_days", -3)
    cdb.set_setting("sync_catalogue_hours", 0)
    cdb.set_setting("backup_keep", "mười")
    cdb.set_setting("workstation_slot", "x")
    cdb.conn.execute("UPDATE settings SET value = '{not json' WHERE key = 'backup_interval_hours'")
    s = SyncSettings.load(cdb)
    assert (s.interval_seconds, s.warn_days, s.catalogue_interval) == (60.0, 2.0, None)
    b = BackupSettings.load(cdb)
    assert (b.keep, b.interval_hours) == (14, 24.0)
    assert AgencySettings.load(cdb).workstation_slot == 0


def test_sync_settings_read_the_runner_keys(cdb: CounterDB) -> None:
    cdb.set_setting("provincial_endpoint", " https://motcua.example.vn ")
    cdb.set_setting("sync_username", "canbo")
    cdb.set_setting("sync_deadline_seconds", 90)
    cdb.set_setting("sync_catalogue_hours", 12)
    s = SyncSettings.load(cdb)
    assert s.endpoint == "https://motcua.example.vn" and s.configured
    assert s.deadline_seconds == 90.0 and s.catalogue_interval == 12 * 3600.0
