"""Settings page, «Đơn vị giám sát» (issue #19): the agencies a supervisor's PC replicates besides its own.

Typed codes are checked (agency code format), stored as the list the sync pull reads, audited under
the signed-in admin; adding a unit restarts the pull from the beginning; an officer cannot change it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db.database import CounterDB
from counter_app.db.setup import add_user
from counter_app.errors import ValidationError
from counter_app.services import settings as settings_service
from counter_app.services.session import Actor
from counter_app.sync.worker import CURSOR_KEY, WARD_UNITS_KEY, ward_scope
from counter_app.ui.settings_page import SettingsPage
from counter_app.ui.tasks import DbWorker
from tests.factories import make_db

ADMIN = Actor(1, "admin", "Quản trị viên", "admin")  # the account run_setup creates first


def test_the_keys_are_the_sync_pulls_own() -> None:
    # The service writes what counter_app.sync.worker reads: a renamed key would silently pull nothing.
    assert settings_service.SUPERVISED_UNITS_KEY == WARD_UNITS_KEY
    assert settings_service._PULL_CURSOR_KEY == CURSOR_KEY


def test_admin_sets_supervised_units_checked_stored_and_audited(qtbot: QtBot, tmp_path: Path) -> None:
    cdb = make_db(tmp_path / "c.db")
    own = str(cdb.get_setting("agency_code"))
    cdb.set_setting(CURSOR_KEY, 57)
    cdb.close()
    worker = DbWorker(tmp_path / "c.db")
    worker.actor = ADMIN
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        page = SettingsPage(worker)
        qtbot.addWidget(page)
        page.set_editable(True)
        page.refresh()
        qtbot.waitUntil(lambda: page.widgets["agency_name"].text() != "", timeout=10000)
        assert page.units_edit.text() == ""

        page.units_edit.setText("H15.50.05.13, H15 50/05")          # the second is not an agency code
        page.units_btn.click()
        qtbot.waitUntil(lambda: "không hợp lệ" in page.units_note.text(), timeout=10000)
        assert "H15" in page.units_note.text() and page.units_btn.isEnabled()

        # Own agency (always pulled) and a repeat are dropped; commas, semicolons or spaces separate.
        page.units_edit.setText(f"H15.50.05.13; {own}  H15.50.05.14,H15.50.05.13")
        page.units_btn.click()
        qtbot.waitUntil(lambda: "Đã lưu" in page.units_note.text(), timeout=10000)
        assert "H15.50.05.14" in page.units_note.text()          # the pull restarts: said to the admin
        qtbot.waitUntil(lambda: page.units_edit.text() == "H15.50.05.13, H15.50.05.14", timeout=10000)

        check = CounterDB(tmp_path / "c.db")
        try:
            assert check.get_setting(WARD_UNITS_KEY) == ["H15.50.05.13", "H15.50.05.14"]
            assert ward_scope(check) == [own, "H15.50.05.13", "H15.50.05.14"]
            assert check.get_setting(CURSOR_KEY) == 0
            row = check.query_one("SELECT user_id, detail FROM audit_log WHERE action = 'settings' "
                                  "ORDER BY id DESC LIMIT 1")
            assert row["user_id"] == ADMIN.user_id
            detail = json.loads(row["detail"])
            assert detail["old"] == [] and detail["new"] == ["H15.50.05.13", "H15.50.05.14"]

            # Removing a unit keeps the cursor (nothing new to read); the same list again changes nothing.
            check.set_setting(CURSOR_KEY, 80)
            assert settings_service.save_supervised_units(check, "H15.50.05.14", ADMIN) == []
            assert check.get_setting(CURSOR_KEY) == 80 and check.get_setting(WARD_UNITS_KEY) == ["H15.50.05.14"]
            entries = check.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'settings'")
            settings_service.save_supervised_units(check, "H15.50.05.14", ADMIN)
            assert check.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'settings'") == entries

            # An officer signed in cannot change what the PC pulls, even past the hidden button.
            officer = add_user(check, "canbo", "Trần Văn Hai", "officer", None)
            with pytest.raises(ValidationError, match="quản trị viên"):
                settings_service.save_supervised_units(
                    check, "H15.50.05.15", Actor(officer, "canbo", "Trần Văn Hai", "officer"))
            assert check.get_setting(WARD_UNITS_KEY) == ["H15.50.05.14"]
        finally:
            check.close()
        page.set_editable(False)
        assert page.units_edit.isReadOnly() and not page.units_btn.isVisible()
    finally:
        worker.stop()


def test_a_unit_added_later_brings_its_older_dossiers_at_the_next_pull(tmp_path: Path) -> None:
    """The pull's cursor is one number for every agency: without starting it again, the dossiers the
    new unit changed before the setting was saved would never reach the supervisor's PC."""
    from counter_app.sync.client import ClientConfig, ProvincialClient
    from counter_app.sync.worker import SyncConfig, sync_once
    from tests.sync.conftest import SimulatorFactory, add_dossiers, build_counter

    factory = SimulatorFactory(tmp_path / "province")
    sim = factory.start("--no-progress")
    fast = SyncConfig(backoff_base=0.05, backoff_cap=0.5, catalogue_interval=None)

    def sync(cdb: CounterDB, root: Path) -> int:
        with ProvincialClient(ClientConfig(sim.url, "demo", "demo", retry_delay=0.01)) as client:
            report = sync_once(cdb, root, client, config=fast)
        assert report.error is None, report.error
        return int(report.replicas)

    unit = build_counter(tmp_path / "don-vi", endpoint=sim.url, agency="H01.92.01")
    supervisor = build_counter(tmp_path / "giam-sat", endpoint=sim.url, agency="H01.92.02")
    try:
        add_dossiers(unit, 2)
        sync(unit.cdb, unit.root)
        add_dossiers(supervisor, 1)
        assert sync(supervisor.cdb, supervisor.root) == 0            # not supervised yet
        assert int(supervisor.cdb.get_setting(CURSOR_KEY)) > 0

        assert settings_service.save_supervised_units(supervisor.cdb, "H01.92.01", ADMIN) == ["H01.92.01"]
        assert sync(supervisor.cdb, supervisor.root) == 2            # the unit's older dossiers arrive
        assert supervisor.cdb.scalar("SELECT COUNT(*) FROM dossiers WHERE owner_counter = ''") == 1
        assert supervisor.cdb.scalar("SELECT COUNT(*) FROM outbox WHERE state <> 'synced'") == 0
        assert sync(supervisor.cdb, supervisor.root) == 0            # and only once
    finally:
        unit.cdb.close()
        supervisor.cdb.close()
        factory.close()
