"""Key management in the GUI, with real widgets, the real DbWorker and real key files in tmp dirs:
first-run passphrase + recovery key, the unlock prompt (passphrase, recovery key, missing key
file), and the admin's «Mã hóa dữ liệu» panel."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from pytestqt.qtbot import QtBot

from counter_app import crypto, vault
from counter_app.app import first_run_work
from counter_app.db import audit
from counter_app.db.database import CounterDB
from counter_app.db.setup import SetupInput, add_user, is_configured
from counter_app.errors import ValidationError
from counter_app.ui import keys
from counter_app.ui.keys import (
    DEMO_HINT_SETTING,
    ENCRYPTED_SETTING,
    EncryptionPanel,
    RecoveryKeyDialog,
    UnlockDialog,
)
from counter_app.ui.preview import make_preview_dialog
from counter_app.ui.qt import QApplication, QDialog, QTimer
from counter_app.ui.setup_dialog import SetupDialog
from counter_app.ui.tasks import DbWorker
from tests.factories import make_db

PASSPHRASE = "Hoa-sen-trong-dam-2026"
ADMIN_PASSWORD = "x"  # tests.factories.make_db


def _start(qtbot: QtBot, db: Path) -> DbWorker:
    w = DbWorker(db)
    with qtbot.waitSignal(w.ready, timeout=20000):
        w.start()
    return w


@pytest.fixture
def enc(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[Path, DbWorker, str]]:
    """A configured, encrypted data directory, *locked* as at a fresh start; its recovery key."""
    make_db(tmp_path / "counter.sqlite3").close()
    _ring, recovery = vault.setup_encryption(tmp_path, PASSPHRASE)
    vault.lock(tmp_path)
    w = _start(qtbot, tmp_path / "counter.sqlite3")
    yield tmp_path, w, recovery
    w.stop()
    vault.lock(tmp_path)


def _run(qtbot: QtBot, worker: DbWorker, fn: object) -> object:
    """Run ``fn(cdb)`` on the worker and return its result (or raise its exception)."""
    box: dict[str, object] = {}
    worker.submit(fn, lambda r: box.setdefault("ok", r), lambda e: box.setdefault("err", e))  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: bool(box), timeout=20000)
    if "err" in box:
        raise box["err"]  # type: ignore[misc]
    return box["ok"]


def _actions(db: Path) -> list[dict[str, object]]:
    cdb = CounterDB(db)
    try:
        return list(reversed(audit.recent(cdb, limit=100)))
    finally:
        cdb.close()


def _opens(root: Path, passphrase: str) -> bool:
    try:
        crypto.KeyRing.unlock_with_passphrase(vault.key_file(root), passphrase)
    except crypto.WrongSecret:
        return False
    return True


# ------------------------------------------------------------------------------- first run
def test_setup_dialog_refuses_weak_mismatching_or_admin_passphrase(qtbot: QtBot) -> None:
    dlg = SetupDialog()
    qtbot.addWidget(dlg)
    dlg.agency_code.setText("H01.37.01")
    dlg.agency_name.setText("Trung tâm PVHCC phường Ba Đình")
    dlg.admin_password.setText("Cay-da-dau-lang-2026")
    dlg.admin_password2.setText("Cay-da-dau-lang-2026")
    cases = [("ngan", "ngan", "ít nhất 8 ký tự"),
             ("Hoa-sen-trong-dam", "Hoa-sen-trong-dom", "khác nhau"),
             ("Cay-da-dau-lang-2026", "Cay-da-dau-lang-2026", "khác mật khẩu quản trị"),
             ("", "", "Nhập mật khẩu mã hóa")]
    for first, second, expected in cases:
        dlg.passphrase.setText(first)
        dlg.passphrase2.setText(second)
        dlg._check_and_accept()
        assert expected in dlg.message.text(), (first, dlg.message.text())
        assert dlg.result() != QDialog.DialogCode.Accepted
    dlg.passphrase.setText(PASSPHRASE)
    dlg.passphrase2.setText(PASSPHRASE)
    dlg._check_and_accept()
    assert dlg.result() == QDialog.DialogCode.Accepted and dlg.encryption_passphrase() == PASSPHRASE

    demo = SetupDialog()
    qtbot.addWidget(demo)
    demo.fill_demo()  # «demo» everywhere: allowed only because the demo data box is ticked
    assert demo.encryption_passphrase() == "demo" and demo.problem() is None
    demo.demo.setChecked(False)
    assert "ít nhất 8 ký tự" in (demo.problem() or "")


def test_first_run_creates_keys_and_the_recovery_key_must_be_confirmed(qtbot: QtBot, tmp_path: Path) -> None:
    worker = _start(qtbot, tmp_path / "counter.sqlite3")
    try:
        values = SetupInput(agency_code="H01.37.01", agency_name="Trung tâm PVHCC phường Ba Đình",
                            admin_password="Quan-tri-2026")
        recovery = _run(qtbot, worker, lambda cdb: first_run_work(cdb, values, PASSPHRASE, demo=False))
        assert isinstance(recovery, str)
        assert vault.key_file(tmp_path).exists() and vault.ring(tmp_path) is not None
        cdb = CounterDB(tmp_path / "counter.sqlite3")
        assert is_configured(cdb) and cdb.get_setting(ENCRYPTED_SETTING) is True
        assert cdb.get_setting(DEMO_HINT_SETTING) is False
        cdb.close()
        # Neither the passphrase nor the recovery key is written anywhere in the data directory.
        for p in tmp_path.rglob("*"):
            if p.is_file():
                blob = p.read_bytes()
                assert PASSPHRASE.encode() not in blob and recovery.encode() not in blob, p

        dlg = RecoveryKeyDialog(recovery, values.agency_name)
        qtbot.addWidget(dlg)
        dlg.show()
        assert not dlg.continue_button.isEnabled()
        dlg.reject()  # Esc / close before confirming: refused, the key would be gone
        assert dlg.isVisible() and "đánh dấu ô xác nhận" in dlg.message.text()
        dlg.confirm.setChecked(True)
        assert dlg.continue_button.isEnabled()
        with qtbot.waitSignal(dlg.accepted, timeout=5000):
            dlg.continue_button.click()
        # What the dialog shows (and prints) opens the key file.
        shown = dlg.key_label.text()
        opened = crypto.KeyRing.unlock_with_recovery(vault.key_file(tmp_path), shown)
        assert opened.keys == vault.ring(tmp_path).keys  # type: ignore[union-attr]
        text = pypdf.PdfReader(io.BytesIO(dlg.sheet_pdf())).pages[0].extract_text()
        assert shown in text and values.agency_name.upper() in text
        assert _opens(tmp_path, PASSPHRASE)
    finally:
        worker.stop()
        vault.lock(tmp_path)


def test_first_run_retry_after_an_error_reuses_the_keys_with_a_fresh_recovery_key(qtbot: QtBot,
                                                                                tmp_path: Path) -> None:
    """run_setup refusing the input (bad agency code) after the keys were made: the officer fixes the
    input and tries again; the second try must not fail on the existing key file."""
    worker = _start(qtbot, tmp_path / "counter.sqlite3")
    try:
        bad = SetupInput(agency_code="khong hop le", agency_name="X", admin_password="a")
        with pytest.raises(ValidationError, match="không hợp lệ"):
            _run(qtbot, worker, lambda cdb: first_run_work(cdb, bad, "mat-khau-dau-tien", demo=False))
        good = SetupInput(agency_code="H01.37.01", agency_name="Trung tâm PVHCC", admin_password="a")
        recovery = _run(qtbot, worker, lambda cdb: first_run_work(cdb, good, PASSPHRASE, demo=False))
        assert _opens(tmp_path, PASSPHRASE) and not _opens(tmp_path, "mat-khau-dau-tien")
        crypto.KeyRing.unlock_with_recovery(vault.key_file(tmp_path), str(recovery))
    finally:
        worker.stop()
        vault.lock(tmp_path)


def test_print_preview_renders_from_memory_and_writes_nothing(qtbot: QtBot, tmp_path: Path) -> None:
    make_db(tmp_path / "counter.sqlite3").close()
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")}
    recovery = crypto.format_recovery_key(bytes(range(16)))
    dlg = RecoveryKeyDialog(recovery, "Trung tâm PVHCC phường Ba Đình")
    qtbot.addWidget(dlg)
    dlg.show()
    seen: list[bool] = []

    def close_preview() -> None:  # the preview is modal: look at it, then close it like the officer
        if dlg.preview is not None and dlg.preview.isVisible():
            seen.append(True)
            dlg.preview.reject()

    timer = QTimer()
    timer.timeout.connect(close_preview)
    timer.start(50)
    dlg.print_button.click()
    qtbot.waitUntil(lambda: bool(seen), timeout=20000)
    timer.stop()
    qtbot.waitUntil(dlg.print_button.isEnabled, timeout=5000)
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*")} == before
    preview = make_preview_dialog(None, dlg.sheet_pdf(), "Khóa khôi phục")
    assert "Khóa khôi phục" in preview.windowTitle()
    preview.deleteLater()


# ---------------------------------------------------------------------------------- unlock
def test_unlock_wrong_then_right_passphrase(qtbot: QtBot, enc: tuple[Path, DbWorker, str]) -> None:
    root, worker, _recovery = enc
    state = _run(qtbot, worker, keys.startup_state)
    assert state == {"configured": True, "encrypted": True, "unlocked": False, "demo_hint": False,
                     "pending": False, "root": root}
    dlg = UnlockDialog(worker, root)
    qtbot.addWidget(dlg)
    assert not dlg.demo_label.isVisibleTo(dlg)
    dlg.passphrase.setText("sai-mat-khau")
    dlg.try_passphrase()
    assert not dlg.unlock_button.isEnabled()  # busy while scrypt runs on the worker
    qtbot.waitUntil(lambda: "không đúng" in dlg.message.text(), timeout=10000)
    assert vault.ring(root) is None and dlg.passphrase.text() == "" and dlg.unlock_button.isEnabled()
    dlg.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.try_passphrase()
    assert vault.ring(root) is dlg.ring is not None
    assert _run(qtbot, worker, keys.startup_state)["unlocked"] is True  # type: ignore[index]


def test_unlock_waits_longer_after_five_wrong_tries(qtbot: QtBot, enc: tuple[Path, DbWorker, str]) -> None:
    root, worker, _recovery = enc
    dlg = UnlockDialog(worker, root, delay_step_s=1.0)
    qtbot.addWidget(dlg)
    for i in range(1, 6):
        dlg.passphrase.setText(f"sai-{i}")
        dlg.try_passphrase()
        qtbot.waitUntil(lambda i=i: dlg.failures == i, timeout=10000)
    assert dlg.wait_left >= 1 and not dlg.unlock_button.isEnabled()
    assert "Thử lại sau" in dlg.message.text()
    dlg.passphrase.setText(PASSPHRASE)
    dlg.try_passphrase()  # ignored while waiting
    assert not dlg._busy and vault.ring(root) is None
    qtbot.waitUntil(dlg.unlock_button.isEnabled, timeout=5000)
    dlg.passphrase.setText("sai-6")
    dlg.try_passphrase()
    qtbot.waitUntil(lambda: dlg.failures == 6, timeout=10000)
    assert dlg.wait_left >= 2  # the wait grows
    dlg._tick.stop()


def test_forgotten_passphrase_recovery_key_then_new_passphrase(qtbot: QtBot,
                                                              enc: tuple[Path, DbWorker, str]) -> None:
    root, worker, recovery = enc
    cdb = CounterDB(root / "counter.sqlite3")
    cdb.set_setting(DEMO_HINT_SETTING, True)
    cdb.close()
    dlg = UnlockDialog(worker, root, demo_hint=True)
    qtbot.addWidget(dlg)
    dlg.show()
    assert dlg.demo_label.isVisible() and "«demo»" in dlg.demo_label.text()
    dlg.forgot_button.click()
    assert dlg.pages.currentIndex() == 1
    dlg.recovery.setText("AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GG")
    dlg.try_recovery()
    qtbot.waitUntil(lambda: "Khóa khôi phục không đúng" in dlg.message.text(), timeout=10000)
    dlg.recovery.setText(recovery.lower().replace("-", " "))  # copied by hand: case and dashes forgiven
    dlg.try_recovery()
    qtbot.waitUntil(lambda: dlg.pages.currentIndex() == 2, timeout=10000)
    dlg.new1.setText("Mat-khau-moi-2026")
    dlg.new2.setText("Mat-khau-moi-2025")
    dlg.set_new_passphrase()
    assert "khác nhau" in dlg.message.text()
    dlg.new2.setText("Mat-khau-moi-2026")
    dlg.set_new_passphrase()
    qtbot.waitUntil(lambda: dlg.pages.currentIndex() == 3, timeout=10000)
    assert "Mật khẩu cũ không còn dùng được" in dlg.done_label.text()
    with qtbot.waitSignal(dlg.accepted, timeout=5000):
        dlg.continue_button.click()
    assert vault.ring(root) is dlg.ring is not None
    assert _opens(root, "Mat-khau-moi-2026") and not _opens(root, PASSPHRASE)
    crypto.KeyRing.unlock_with_recovery(vault.key_file(root), recovery)  # the printed key still works
    entry = [a for a in _actions(root / "counter.sqlite3") if a["action"] == "key_passphrase_changed"]
    assert len(entry) == 1 and entry[0]["detail"] == {"via": "recovery"} and entry[0]["user_id"] is None
    assert _run(qtbot, worker, keys.startup_state)["demo_hint"] is False  # type: ignore[index]


def test_missing_or_damaged_key_file_explains_the_way_back(qtbot: QtBot, enc: tuple[Path, DbWorker, str],
                                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    root, worker, _recovery = enc
    cdb = CounterDB(root / "counter.sqlite3")
    cdb.set_setting(ENCRYPTED_SETTING, True)
    cdb.close()
    backup = tmp_path_factory.mktemp("usb") / "keys.json"
    shutil.move(vault.key_file(root), backup)
    # Without keys.json the directory must not pass for a plain one.
    state = _run(qtbot, worker, keys.startup_state)
    assert state["encrypted"] is True and state["unlocked"] is False  # type: ignore[index]
    dlg = UnlockDialog(worker, root)
    qtbot.addWidget(dlg)
    assert "keys.json" in dlg.message.text() and "bản sao lưu" in dlg.message.text()
    dlg.passphrase.setText(PASSPHRASE)
    dlg.try_passphrase()
    qtbot.waitUntil(lambda: "Không tìm thấy tệp khóa" in dlg.message.text() and dlg.unlock_button.isEnabled(),
                    timeout=10000)
    assert dlg.failures == 0  # not a wrong passphrase
    vault.key_file(root).write_text("{ hỏng", encoding="utf-8")
    dlg.passphrase.setText(PASSPHRASE)
    dlg.try_passphrase()
    qtbot.waitUntil(lambda: "bị hỏng" in dlg.message.text() and dlg.unlock_button.isEnabled(), timeout=10000)
    shutil.copyfile(backup, vault.key_file(root))  # restored from the backup, as the message says
    dlg.passphrase.setText(PASSPHRASE)
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.try_passphrase()
    assert vault.ring(root) is not None


# ------------------------------------------------------------------------------- admin panel
def _admin_id(root: Path) -> int:
    cdb = CounterDB(root / "counter.sqlite3")
    try:
        return int(cdb.scalar("SELECT id FROM users WHERE role = 'admin'"))
    finally:
        cdb.close()


def _panel(qtbot: QtBot, worker: DbWorker, uid: int, admin: bool) -> EncryptionPanel:
    panel = EncryptionPanel(worker, lambda: uid)
    qtbot.addWidget(panel)
    panel.set_admin(admin)
    panel.refresh()
    qtbot.waitUntil(lambda: bool(panel.status), timeout=10000)
    return panel


def test_admin_changes_passphrase_after_proving_the_current_one(qtbot: QtBot,
                                                                enc: tuple[Path, DbWorker, str]) -> None:
    root, worker, _recovery = enc
    vault.open_with_passphrase(root, PASSPHRASE)
    panel = _panel(qtbot, worker, _admin_id(root), admin=True)
    assert "Đang mã hóa" in panel.status_label.text() and panel.status["key_count"] == 1
    assert panel.status["active"] in panel.status_label.text()
    assert not panel.change_button.isHidden() and panel.change_button.isEnabled()
    assert panel.enable_button.isHidden()
    dlg = panel.change_dialog()
    qtbot.addWidget(dlg)
    dlg.current.setText("khong-phai")  # type: ignore[union-attr]
    dlg.new1.setText("Mat-khau-moi-2026")  # type: ignore[union-attr]
    dlg.new2.setText("Mat-khau-moi-2026")  # type: ignore[union-attr]
    dlg.submit()
    qtbot.waitUntil(lambda: "không đúng" in dlg.message.text(), timeout=10000)
    assert _opens(root, PASSPHRASE)  # nothing changed
    dlg.current.setText(PASSPHRASE)  # type: ignore[union-attr]
    dlg.new2.setText("Mat-khau-moi")  # type: ignore[union-attr]
    dlg.submit()
    assert "khác nhau" in dlg.message.text()
    dlg.new2.setText("Mat-khau-moi-2026")  # type: ignore[union-attr]
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.submit()
    assert _opens(root, "Mat-khau-moi-2026") and not _opens(root, PASSPHRASE)
    # The open ring in the vault is the one changed: a later save of it keeps the new passphrase.
    vault.ring(root).new_recovery_key()  # type: ignore[union-attr]
    assert _opens(root, "Mat-khau-moi-2026")
    entries = [a for a in _actions(root / "counter.sqlite3") if a["action"] == "key_passphrase_changed"]
    assert len(entries) == 1 and entries[0]["detail"] == {"via": "admin"}
    assert "Mat-khau" not in json.dumps(entries[0], default=str)


def test_admin_reissues_recovery_key_and_rotates_data_key(qtbot: QtBot, enc: tuple[Path, DbWorker, str]) -> None:
    root, worker, old_recovery = enc
    vault.open_with_passphrase(root, PASSPHRASE)
    vault.store(root, "scans/x/before.pdf", b"%PDF-1.4 truoc khi doi khoa")
    panel = _panel(qtbot, worker, _admin_id(root), admin=True)

    dlg = panel.reissue_dialog()
    qtbot.addWidget(dlg)
    assert "không còn dùng" in dlg.findChildren(type(panel.status_label))[0].text()
    dlg.current.setText(PASSPHRASE)  # type: ignore[union-attr]
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.submit()
    new_recovery = dlg.result_value
    assert isinstance(new_recovery, str) and new_recovery != old_recovery
    with pytest.raises(crypto.WrongSecret):
        crypto.KeyRing.unlock_with_recovery(vault.key_file(root), old_recovery)
    crypto.KeyRing.unlock_with_recovery(vault.key_file(root), new_recovery)

    first_key = vault.ring(root).active  # type: ignore[union-attr]
    rot = panel.rotate_dialog()
    qtbot.addWidget(rot)
    rot.current.setText(PASSPHRASE)  # type: ignore[union-attr]
    with qtbot.waitSignal(rot.accepted, timeout=20000):
        rot.submit()
    rotated_recovery = rot.result_value
    assert isinstance(rotated_recovery, str)
    ring = vault.ring(root)
    assert ring is not None and ring.active != first_key and len(ring.keys) == 2
    assert vault.load(root, "scans/x/before.pdf") == b"%PDF-1.4 truoc khi doi khoa"  # old files still read
    reopened = crypto.KeyRing.unlock_with_recovery(vault.key_file(root), rotated_recovery)
    assert reopened.active == ring.active and _opens(root, PASSPHRASE)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.status.get("key_count") == 2, timeout=10000)
    actions = [a["action"] for a in _actions(root / "counter.sqlite3")]
    assert actions.count("key_recovery_reissued") == 1 and actions.count("key_rotated") == 1
    assert all(old_recovery not in str(a) and new_recovery not in str(a) and PASSPHRASE not in str(a)
               for a in _actions(root / "counter.sqlite3"))

    # The recovery key dialog that follows shows the new key with the warning about the old sheet.
    shown: list[str] = []

    def confirm_and_close() -> None:
        w = QApplication.activeModalWidget()
        if isinstance(w, RecoveryKeyDialog):
            shown.append(w.key_label.text() + "|" + w.findChildren(type(panel.status_label))[1].text())
            w.confirm.setChecked(True)
            w.continue_button.click()

    QTimer.singleShot(200, confirm_and_close)
    panel.after(rot)
    assert shown and shown[0].startswith(rotated_recovery) and "không còn" in shown[0]


def test_officer_sees_status_only_and_cannot_change_keys(qtbot: QtBot, enc: tuple[Path, DbWorker, str]) -> None:
    root, worker, _recovery = enc
    vault.open_with_passphrase(root, PASSPHRASE)
    cdb = CounterDB(root / "counter.sqlite3")
    officer = add_user(cdb, "canbo1", "Trần Thị Bình", "officer", "Cay-bang-truoc-san")
    cdb.close()
    panel = _panel(qtbot, worker, officer, admin=False)
    assert "Đang mã hóa" in panel.status_label.text()
    for b in (panel.change_button, panel.reissue_button, panel.rotate_button, panel.enable_button):
        assert b.isHidden() and not b.isEnabled()
    assert "Chỉ quản trị viên" in panel.note.text()
    # Hidden buttons are not the only guard: the job itself refuses a non-admin.
    dlg = panel.change_dialog()
    qtbot.addWidget(dlg)
    dlg.current.setText(PASSPHRASE)  # type: ignore[union-attr]
    dlg.new1.setText("Mat-khau-moi-2026")  # type: ignore[union-attr]
    dlg.new2.setText("Mat-khau-moi-2026")  # type: ignore[union-attr]
    dlg.submit()
    qtbot.waitUntil(lambda: "không có quyền" in dlg.message.text(), timeout=10000)
    with pytest.raises(Exception, match="không có quyền"):
        _run(qtbot, worker, lambda cdb: keys.rotate_job(cdb, PASSPHRASE, officer))
    assert _opens(root, PASSPHRASE) and vault.ring(root).active == panel.status["active"]  # type: ignore[union-attr]


def test_plain_directory_offers_enable_to_the_admin_only(qtbot: QtBot, tmp_path: Path) -> None:
    make_db(tmp_path / "counter.sqlite3").close()
    worker = _start(qtbot, tmp_path / "counter.sqlite3")
    try:
        panel = _panel(qtbot, worker, _admin_id(tmp_path), admin=True)
        assert "Chưa mã hóa" in panel.status_label.text()
        assert not panel.enable_button.isHidden() and panel.change_button.isHidden()
        dlg = panel.enable_dialog()
        qtbot.addWidget(dlg)
        dlg.new1.setText("ngan")  # type: ignore[union-attr]
        dlg.new2.setText("ngan")  # type: ignore[union-attr]
        dlg.submit()
        assert "ít nhất 8 ký tự" in dlg.message.text() and dlg.result() != QDialog.DialogCode.Accepted
        panel.set_admin(False)
        assert panel.enable_button.isHidden()
    finally:
        worker.stop()


def test_admin_switches_encryption_on_for_existing_data(qtbot: QtBot, tmp_path: Path) -> None:
    """A plain directory with dossiers and scans: «Bật mã hóa» seals and encrypts what exists,
    with progress, then hands over the recovery key."""
    from counter_app.demo import generate

    cdb = make_db(tmp_path / "counter.sqlite3")
    generate(cdb, tmp_path, 30, seed=7)
    stored = [r["path"] for r in cdb.query("SELECT path FROM files")]
    cdb.close()
    assert stored and all(not crypto.is_encrypted((tmp_path / p).read_bytes()) for p in stored)
    worker = _start(qtbot, tmp_path / "counter.sqlite3")
    try:
        panel = _panel(qtbot, worker, _admin_id(tmp_path), admin=True)
        finished: list[str | None] = []
        panel.start_enable(PASSPHRASE, finished.append)
        qtbot.waitUntil(lambda: bool(finished), timeout=120000)
        recovery = finished[0]
        assert recovery is not None and vault.ring(tmp_path) is not None
        assert all(crypto.is_encrypted((tmp_path / p).read_bytes()) for p in stored)
        crypto.KeyRing.unlock_with_recovery(vault.key_file(tmp_path), recovery)
        assert _opens(tmp_path, PASSPHRASE)
        qtbot.waitUntil(lambda: bool(panel.status.get("encrypted")), timeout=10000)
        assert panel.enable_button.isHidden() and not panel.change_button.isHidden()
        state = _run(qtbot, worker, keys.startup_state)
        assert state["encrypted"] and not state["pending"]  # type: ignore[index]
        assert "keys_enabled" in [a["action"] for a in _actions(tmp_path / "counter.sqlite3")]
    finally:
        worker.stop()
        vault.lock(tmp_path)
