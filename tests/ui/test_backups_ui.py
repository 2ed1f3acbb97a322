"""Backups in the GUI: the schedule runs off the UI thread, warns without popups, the panel backs up,
checks and restores (through the pending-restore marker), and each role sees what it may use."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db import accounts, audit, backup
from counter_app.db.database import CounterDB
from counter_app.db.files import verify_archive
from counter_app.db.setup import add_user
from counter_app.paths import DataDir
from counter_app.ui.backups import BackupPanel, BackupScheduler
from counter_app.ui.qt import QApplication, QMessageBox, QTimer
from counter_app.ui.roles import visible_pages
from counter_app.ui.tasks import DbWorker
from tests.qt_helpers import drain_worker
from tests.trust.trust_helpers import make_data_dir, receive_one, scan_component

T = datetime(2026, 10, 5, 17, 0, 0)


class Users:
    def __init__(self, cdb: CounterDB) -> None:
        self.admin = accounts.User(1, "admin", "Quản Trị", "admin")
        self.supervisor = accounts.User(add_user(cdb, "giamsat", "Lê Giám Sát", "supervisor", None),
                                        "giamsat", "Lê Giám Sát", "supervisor")
        self.officer = accounts.User(add_user(cdb, "canbo", "Trần Cán Bộ", "officer", None),
                                     "canbo", "Trần Cán Bộ", "officer")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[tuple[DataDir, DbWorker, Users]]:
    data, cdb = make_data_dir(tmp_path / "data")
    users = Users(cdb)
    for i in range(3):
        scan_component(data.root, cdb, receive_one(cdb, name=f"Công dân {i}", id_number=f"00109901234{i}"), seed=i)
    cdb.close()
    worker = DbWorker(data.database)
    worker.start()
    try:
        yield data, worker, users
    finally:
        worker.stop()


def _setting(data: DataDir, **values: object) -> None:
    cdb = CounterDB(data.database, migrate=False)
    try:
        for k, v in values.items():
            cdb.set_setting(k, v)
    finally:
        cdb.close()


def _scheduler(qtbot: QtBot, worker: DbWorker, data: DataDir, user: accounts.User,
               clock: list[datetime]) -> BackupScheduler:
    qtbot.waitUntil(lambda: worker.isRunning(), timeout=5000)
    sched = BackupScheduler(worker, data)
    sched.now = lambda: clock[0]
    sched.set_user(user)
    return sched


class Answer:
    """Click ``button`` in the next message box that opens (a real modal QMessageBox, answered as a user would)."""

    def __init__(self, button: str, probe: Callable[[], object] | None = None) -> None:
        self.button, self.texts, self.probe, self.seen = button, [], probe, []
        self.unexpected: list[str] = []
        self._stuck: object = None
        self._since = 0.0
        self.timer = QTimer()
        self.timer.timeout.connect(self._poll)
        self.timer.start(30)

    def _poll(self) -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            for b in box.buttons():
                if b.text() == self.button:
                    self.texts.append(box.text())
                    if self.probe:
                        self.seen.append(self.probe())  # what the window shows behind the box
                    self.timer.stop()
                    b.click()
                    return
            # A box nobody expected (an error under load, say) would block the test forever in its
            # exec(): after 20 s it is closed and its text kept, so the test fails and says why.
            if self._stuck is not box:
                self._stuck, self._since = box, time.monotonic()
            elif time.monotonic() - self._since > 20:
                self.unexpected.append(box.text())
                self.timer.stop()
                box.reject()


def test_scheduled_backup_runs_off_the_ui_thread_records_and_rotates(
    qtbot: QtBot, env: tuple[DataDir, DbWorker, Users], tmp_path: Path
) -> None:
    data, worker, users = env
    from counter_app import demo

    cdb = CounterDB(data.database, migrate=False)
    demo.generate(cdb, data.root, 200, now=T - timedelta(days=1))  # codes of other days than the fixture's
    cdb.close()
    for i in range(500):  # ~130 MB of scans so the copy takes a while on this machine
        p = data.scans / "bulk" / f"{i:04d}.pdf"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(os.urandom(256 * 1024))
    usb = tmp_path / "usb"
    usb.mkdir()
    _setting(data, backup_dir=str(usb), backup_interval_hours=24.0, backup_keep=2)
    clock = [T]
    sched = _scheduler(qtbot, worker, data, users.officer, clock)  # scheduled backups run for any user
    beats: list[float] = []
    heart = QTimer()
    heart.setInterval(20)
    heart.timeout.connect(lambda: beats.append(time.perf_counter()))
    heart.start()
    with qtbot.waitSignal(sched.finished, timeout=120_000) as got:
        sched.tick()
        qtbot.waitUntil(lambda: sched.running == "backup", timeout=5000)
        t_start = time.perf_counter()
        # The database worker keeps serving the counter meanwhile (the copy has its own connection).
        answered: list[tuple[int, str | None]] = []
        worker.submit(lambda cdb: cdb.scalar("SELECT count(*) FROM dossiers"),
                      lambda n: answered.append((n, sched.running)))
        qtbot.waitUntil(lambda: bool(answered), timeout=5000)
        assert answered == [(203, "backup")]
    t_end = time.perf_counter()
    heart.stop()
    first: backup.BackupResult = got.args[0]
    during = [b for b in beats if t_start <= b <= t_end]
    gaps = [b - a for a, b in pairwise(during)]
    assert t_end - t_start > 0.3 and len(during) > 10  # the backup really took a while...
    assert max(gaps) < 0.5, f"event loop stalled {max(gaps):.3f} s during the backup"  # ...and the UI kept going
    print(f"backup of {first.files} files, {first.bytes_copied / 1e6:.0f} MB: {t_end - t_start:.2f} s; "
          f"worst event-loop gap {max(gaps) * 1000:.0f} ms (timer every 20 ms)")
    assert first.files >= 500 and backup.verify_backup(first.path) == []
    qtbot.waitUntil(lambda: sched.status is not None and sched.status.last_at == T, timeout=5000)
    assert sched.status_text() == ("", "")  # an officer is not shown the routine state
    # Not due again within the interval: a tick does nothing.
    clock[0] = T + timedelta(hours=2)
    sched.tick()
    drain_worker(qtbot, worker)  # the tick's status query and its decision have both run
    assert sched.status is not None and not sched.status.due
    assert sched.running is None and len(backup.list_backups(usb)) == 1
    # Two more intervals: two more backups, the oldest rotated away (keep = 2).
    for hours in (25, 50):
        clock[0] = T + timedelta(hours=hours)
        with qtbot.waitSignal(sched.finished, timeout=60_000) as got:
            sched.tick()
    names = [b.path.name for b in backup.list_backups(usb)]
    assert names == ["qmc-backup-20261007-190000", "qmc-backup-20261006-180000"]
    assert got.args[0].removed == (first.path,) and got.args[0].bytes_linked > 100_000_000
    cdb = CounterDB(data.database, migrate=False)
    assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'backup'") == 3
    assert cdb.get_setting("last_backup_at") == "2026-10-07 19:00:00"
    cdb.close()


def test_missing_folder_warns_in_the_status_bar_then_backs_up_when_plugged_in(
    qtbot: QtBot, env: tuple[DataDir, DbWorker, Users], tmp_path: Path
) -> None:
    data, worker, users = env
    usb = tmp_path / "usb-unplugged"
    _setting(data, backup_dir=str(usb))
    sched = _scheduler(qtbot, worker, data, users.supervisor, [T])
    shown: list[tuple[str, str]] = []
    sched.status_changed.connect(lambda text, level: shown.append((text, level)))
    sched.tick()
    qtbot.waitUntil(lambda: bool(shown) and shown[-1][1] == "warn", timeout=5000)
    text = shown[-1][0]
    assert f"không thấy thư mục {usb}" in text and "cắm ổ USB sao lưu rồi bấm «Sao lưu ngay»" in text
    assert not usb.exists() and sched.running is None  # nothing created on the wrong disk, nothing running
    # The officer at the counter is told what they can do: plug the disk in.
    sched.set_user(users.officer)
    assert "chương trình sẽ tự sao lưu" in sched.status_text()[0]
    sched.set_user(users.supervisor)
    # «Sao lưu ngay» with the disk still missing: the same message, no exception, no popup.
    failures: list[str] = []
    sched.failed.connect(failures.append)
    assert sched.backup_now()
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert "không thấy thư mục" in failures[0]
    usb.mkdir()
    with qtbot.waitSignal(sched.finished, timeout=30_000):
        sched.tick()
    qtbot.waitUntil(lambda: shown[-1] == ("Sao lưu gần nhất: 17:00 05/10", "ok"), timeout=5000)
    # Much later with the disk gone again: stale and missing, still only a line in the bar.
    usb.rename(tmp_path / "elsewhere")
    sched.now = lambda: T + timedelta(days=3)
    sched.tick()
    qtbot.waitUntil(lambda: "không thấy thư mục" in shown[-1][0], timeout=5000)
    assert sched.status is not None and sched.status.stale


def test_panel_backs_up_now_lists_and_checks(
    qtbot: QtBot, env: tuple[DataDir, DbWorker, Users], tmp_path: Path
) -> None:
    data, worker, users = env
    usb = tmp_path / "usb"
    usb.mkdir()
    sched = _scheduler(qtbot, worker, data, users.admin, [T])
    panel = BackupPanel(worker)
    qtbot.addWidget(panel)
    panel.attach(sched)
    panel.set_user(users.admin)
    panel.show()
    panel.refresh()
    qtbot.waitUntil(lambda: not panel._loading, timeout=5000)
    assert panel.table.rowCount() == 0 and panel.keep.value() == 14
    panel.folder.setText(str(usb))
    panel.interval.setValue(12)
    panel.keep.setValue(5)
    panel.save_btn.click()
    qtbot.waitUntil(lambda: "Đã lưu cài đặt sao lưu" in panel.note.text(), timeout=5000)
    ranges: list[tuple[int, int]] = []
    sched.progress.connect(lambda d, t: ranges.append((d, t)))
    with qtbot.waitSignal(sched.finished, timeout=30_000):
        panel.now_btn.click()
        assert not panel.now_btn.isEnabled()  # one at a time
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    assert ranges and ranges[-1] == (3, 3) and "Đã sao lưu cơ sở dữ liệu và 3 tệp" in panel.note.text()
    assert panel.table.item(0, 0).text() == "05/10/2026 17:00" and panel.table.item(0, 2).text() == "3"
    assert panel.table.item(0, 3).text() == "Chưa kiểm tra" and panel.table.item(0, 4).text().startswith("#")
    assert panel.now_btn.isEnabled() and not panel.bar.isVisible()
    cdb = CounterDB(data.database, migrate=False)
    assert cdb.get_setting("backup_keep") == 5 and cdb.get_setting("backup_interval_hours") == 12.0
    assert [r["action"] for r in audit.recent(cdb, limit=2)] == ["backup", "settings"]
    cdb.close()
    panel.verify_btn.click()
    qtbot.waitUntil(lambda: "nguyên vẹn" in panel.note.text(), timeout=10_000)
    qtbot.waitUntil(lambda: panel.table.item(0, 3).text().startswith("Tốt"), timeout=5000)
    # Bit rot on the USB disk: «Kiểm tra» says which file and what to do.
    scan = next((usb / "qmc-backup-20261005-170000" / "scans").rglob("*.pdf"))
    raw = bytearray(scan.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    scan.write_bytes(bytes(raw))
    panel.verify_btn.click()
    qtbot.waitUntil(lambda: "KHÔNG dùng được" in panel.note.text(), timeout=10_000)
    assert "scans/" in panel.note.text() and "sao lưu lại ngay" in panel.note.text()
    qtbot.waitUntil(lambda: panel.table.item(0, 3).text() == "LỖI: 1 vấn đề", timeout=5000)


def test_restore_through_the_panel_takes_effect_at_next_start(
    qtbot: QtBot, env: tuple[DataDir, DbWorker, Users], tmp_path: Path
) -> None:
    data, worker, users = env
    usb = tmp_path / "usb"
    usb.mkdir()
    _setting(data, backup_dir=str(usb))
    sched = _scheduler(qtbot, worker, data, users.admin, [T])
    panel = BackupPanel(worker)
    qtbot.addWidget(panel)
    panel.attach(sched)
    panel.set_user(users.admin)
    with qtbot.waitSignal(sched.finished, timeout=30_000):
        panel.backup_now()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    # Work after the backup (on the live database, while the app runs).
    added: list[object] = []
    worker.submit(lambda cdb: [scan_component(data.root, cdb, receive_one(cdb, name=f"Sau {i}",
                                                                         id_number=f"00109905555{i}"), seed=9 + i)
                               for i in range(2)], added.append)
    qtbot.waitUntil(lambda: bool(added), timeout=10_000)
    assert len(list(data.scans.rglob("*.pdf"))) == 5
    before = {p.relative_to(data.root): p.read_bytes() for p in data.scans.rglob("*.pdf")}
    confirm = Answer("Khôi phục")
    later = Answer("Để sau", probe=lambda: (panel.bar.isVisible(), panel.restore_btn.isEnabled()))
    restarts: list[bool] = []
    panel.restart_requested.connect(lambda: restarts.append(True))
    panel.table.selectRow(0)
    panel.restore_btn.click()
    assert confirm.texts and "Dữ liệu hiện tại KHÔNG bị xóa" in confirm.texts[0]
    qtbot.waitUntil(lambda: bool(later.texts), timeout=30_000)
    assert restarts == [] and panel.pending is not None and panel.pending_label.isVisible()
    assert panel.cancel_pending_btn.isVisible() and "khởi động lại" in panel.pending_label.text()
    assert later.seen == [(False, True)]  # the job is over behind the question: no stuck progress bar
    pending = backup.pending_restore(data.root)
    assert pending is not None and pending.restored.is_dir() and pending.user_id == 1
    worker.stop()  # the app closes ...
    applied = backup.apply_pending_restore(data.root)  # ... and app.main does this at the next start
    assert applied is not None
    cdb = CounterDB(data.database)
    assert cdb.scalar("SELECT count(*) FROM dossiers") == 3 and verify_archive(cdb, data.root) == []
    assert audit.recent(cdb, limit=1)[0]["action"] == "restore" and audit.verify_chain(cdb) == []
    cdb.close()
    assert {p.relative_to(applied.aside): p.read_bytes() for p in (applied.aside / "scans").rglob("*.pdf")} == before
    old = CounterDB(applied.aside / "counter.sqlite3", migrate=False)
    assert old.scalar("SELECT count(*) FROM dossiers") == 5
    assert old.scalar("SELECT count(*) FROM audit_log WHERE action = 'restore'") == 1  # the request, audited
    old.close()


def test_restore_can_be_cancelled_and_asks_to_close(
    qtbot: QtBot, env: tuple[DataDir, DbWorker, Users], tmp_path: Path
) -> None:
    data, worker, users = env
    usb = tmp_path / "usb"
    backup.create_backup(data, usb, now=T)
    _setting(data, backup_dir=str(usb))
    sched = _scheduler(qtbot, worker, data, users.admin, [T])
    panel = BackupPanel(worker)
    qtbot.addWidget(panel)
    panel.attach(sched)
    panel.set_user(users.admin)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    restarts: list[bool] = []
    panel.restart_requested.connect(lambda: restarts.append(True))
    go = Answer("Khôi phục")  # kept: its timer lives as long as the object
    close = Answer("Đóng chương trình")
    panel.restore_selected()
    qtbot.waitUntil(lambda: bool(restarts), timeout=30_000)
    assert go.texts and close.texts and backup.pending_restore(data.root) is not None
    panel.cancel_pending_btn.click()
    qtbot.waitUntil(lambda: "Đã hủy" in panel.note.text(), timeout=5000)
    assert backup.pending_restore(data.root) is None and not list(data.root.parent.glob("data-khoiphuc-*"))
    # Declining the confirmation changes nothing.
    no = Answer("Hủy")
    panel.restore_selected()
    assert no.texts and backup.pending_restore(data.root) is None and sched.running is None


def test_supervisor_backs_up_but_cannot_restore_officer_sees_nothing(
    qtbot: QtBot, env: tuple[DataDir, DbWorker, Users], tmp_path: Path
) -> None:
    data, worker, users = env
    usb = tmp_path / "usb"
    usb.mkdir()
    _setting(data, backup_dir=str(usb))
    sched = _scheduler(qtbot, worker, data, users.supervisor, [T])
    panel = BackupPanel(worker)
    qtbot.addWidget(panel)
    panel.attach(sched)
    panel.set_user(users.supervisor)
    panel.show()
    assert panel.isVisible() and panel.now_btn.isEnabled() and panel.verify_btn.isEnabled()
    assert not panel.restore_btn.isVisible() and not panel.folder.isEnabled() and not panel.save_btn.isVisible()
    with qtbot.waitSignal(sched.finished, timeout=30_000):
        panel.now_btn.click()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    cdb = CounterDB(data.database, migrate=False)
    assert audit.recent(cdb, limit=1)[0]["user_id"] == users.supervisor.id
    cdb.close()
    panel.restore_selected()  # even if reached some other way: refused, nothing prepared
    assert "Chỉ Quản trị viên" in panel.note.text() and backup.pending_restore(data.root) is None
    with pytest.raises(accounts.PermissionDenied):
        accounts.require(users.supervisor, "backup.restore")
    # Officer: no settings page, no panel, no «Sao lưu ngay», nothing routine in the status bar.
    assert "settings" not in visible_pages("officer")
    panel.set_user(users.officer)
    sched.set_user(users.officer)
    assert not panel.isVisible() and sched.status_text() == ("", "")
    failures: list[str] = []
    sched.failed.connect(failures.append)
    assert not sched.backup_now() and "Cán bộ quản lý" in failures[0]
    assert len(backup.list_backups(usb)) == 1


def test_main_window_runs_the_schedule_after_login_and_shows_it(
    qtbot: QtBot, env: tuple[DataDir, DbWorker, Users], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from counter_app.ui.main_window import MainWindow

    data, worker, users = env
    usb = tmp_path / "usb"
    usb.mkdir()
    _setting(data, backup_dir=str(usb))
    monkeypatch.setattr(BackupScheduler, "FIRST_TICK_MS", 50)
    qtbot.waitUntil(lambda: worker.isRunning(), timeout=5000)
    win = MainWindow(worker, str(data.root))
    win.no_background_sync = True
    qtbot.addWidget(win)
    win.show()
    assert not win.backup_scheduler.timer.isActive()  # nothing before someone logs in
    win.set_user(users.admin)
    win.start()
    qtbot.waitUntil(lambda: win.backup_label.text().startswith("Sao lưu gần nhất:"), timeout=30_000)
    assert win.backup_label.isVisible() and len(backup.list_backups(usb)) == 1
    assert win.settings_page.backup_panel.isVisibleTo(win.settings_page)
    qtbot.waitUntil(lambda: win.settings_page.backup_panel.table.rowCount() == 1, timeout=5000)
    win.set_user(users.officer)
    assert not win.backup_label.isVisible()
    assert not win.settings_page.backup_panel.isVisibleTo(win.settings_page)
    win.close()
    assert not win.backup_scheduler.timer.isActive()


def test_a_failed_backup_is_a_status_line_and_the_next_tick_retries(
    qtbot: QtBot, env: tuple[DataDir, DbWorker, Users], tmp_path: Path
) -> None:
    data, worker, users = env
    usb = tmp_path / "usb"
    (usb / "qmc-backup-20261005-170000").mkdir(parents=True)  # a folder in the way: create_backup refuses
    _setting(data, backup_dir=str(usb))
    clock = [T]
    sched = _scheduler(qtbot, worker, data, users.supervisor, clock)
    failures: list[str] = []
    sched.failed.connect(failures.append)
    sched.tick()
    qtbot.waitUntil(lambda: bool(failures), timeout=10_000)
    assert failures[0].startswith("Chưa sao lưu được: Vừa có bản sao lưu cùng thời điểm")
    assert sched.status_text() == (failures[0], "warn") and sched.running is None
    assert QApplication.activeModalWidget() is None  # no popup from a scheduled backup
    assert not list(usb.glob(".partial-*")) and backup.list_backups(usb) == []
    sched.set_user(users.officer)
    assert sched.status_text() == ("", "")  # not the officer's to fix...
    clock[0] = T + timedelta(days=2)
    sched.refresh_status()
    qtbot.waitUntil(lambda: sched.status is not None and sched.status.last_at is None and sched.status.due,
                    timeout=5000)
    sched.set_user(users.supervisor)
    with qtbot.waitSignal(sched.finished, timeout=30_000):
        sched.tick()  # the next tick tries again
    qtbot.waitUntil(lambda: sched.status_text() == ("Sao lưu gần nhất: 17:00 07/10", "ok"), timeout=5000)
