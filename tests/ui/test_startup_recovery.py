"""Damaged data at start: the dialog restores the newest backup after the admin of that backup proves
who they are — a wrong password or an officer's account changes nothing."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from counter_app.db import audit, backup
from counter_app.db.database import CounterDB
from counter_app.db.setup import add_user
from counter_app.ui.recovery import StartupRecoveryDialog
from tests.trust.trust_helpers import make_data_dir, receive_one

T = datetime(2026, 10, 5, 17, 0)


def test_restore_from_the_startup_dialog(qtbot: QtBot, tmp_path: Path) -> None:
    data, cdb = make_data_dir(tmp_path / "data")
    add_user(cdb, "canbo", "Trần Cán Bộ", "officer", "canbo-pass-1")
    for i in range(20):
        receive_one(cdb, name=f"Công dân {i}", id_number=f"0010990123{i:02d}")
    usb = tmp_path / "usb"
    backup.create_backup(data, usb, now=T)
    receive_one(cdb, name="Sau sao lưu", id_number="001099055555")
    cdb.close()
    size = data.database.stat().st_size
    with data.database.open("r+b") as fh:  # damaged pages, as after a power cut on a lying disk
        for offset in range(4096 * 2, size, 4096 * 3):
            fh.seek(offset + 100)
            fh.write(os.urandom(2000))
    damaged = data.database.read_bytes()
    report = backup.startup_check(data, backup_dirs=[usb])
    assert not report.ok and report.latest_backup is not None
    assert "bấm «Khôi phục»" in report.message()

    dlg = StartupRecoveryDialog(report, data)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.backup_path.text() == str(report.latest_backup.path)  # the newest backup is proposed
    for user, pw, expect in (("admin", "sai mật khẩu", "không đúng"), ("canbo", "canbo-pass-1", "quản trị")):
        dlg.username.setText(user)
        dlg.password.setText(pw)
        dlg.restore_btn.click()
        qtbot.waitUntil(lambda: dlg.restore_btn.isEnabled(), timeout=60_000)
        assert expect in dlg.message.text().lower() or expect in dlg.message.text()
        assert data.database.read_bytes() == damaged  # untouched
        assert not list(tmp_path.glob("data-khoiphuc-*")) and backup.pending_restore(data.root) is None
    dlg.username.setText("admin")
    dlg.password.setText("x")
    with qtbot.waitSignal(dlg.accepted, timeout=60_000):
        dlg.restore_btn.click()
    assert dlg.applied is not None
    assert (dlg.applied.aside / "counter.sqlite3").read_bytes() == damaged  # moved aside, never deleted
    assert backup.startup_check(data, backup_dirs=[usb]).ok
    cdb = CounterDB(data.database)
    try:
        assert cdb.scalar("SELECT count(*) FROM dossiers") == 20
        last = audit.recent(cdb, limit=1)[0]
        assert last["action"] == "restore" and last["user_id"] == 1
        assert audit.verify_chain(cdb) == []
    finally:
        cdb.close()
