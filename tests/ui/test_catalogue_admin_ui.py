"""«Danh mục» in Cài đặt: the admin types the province's fee amounts and national field codes with the
keyboard; refusals are shown inline; everything is stored and audited through the real DB worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db.catalogue import missing_fee_amounts, store_procedures
from counter_app.db.database import CounterDB
from counter_app.sync import mapping
from counter_app.ui.qt import Qt
from counter_app.ui.settings_page import SettingsPage
from counter_app.ui.tasks import DbWorker
from tests.factories import BIRTH, make_db

MARRIAGE = {**BIRTH, "code": "1.001022", "name": "Đăng ký kết hôn", "components": BIRTH["components"][:1],
            "fees": [{"code": "LP01", "name": "Lệ phí đăng ký kết hôn", "kind": "le_phi", "amount": None,
                      "online_amount": None, "set_by_province": True}]}
DEATH = {**MARRIAGE, "code": "1.000656", "name": "Đăng ký khai tử",
         "fees": [{"code": "LP01", "name": "Lệ phí đăng ký khai tử", "kind": "le_phi", "amount": None,
                   "online_amount": None, "set_by_province": True}]}


@pytest.fixture
def page(qtbot: QtBot, tmp_path: Path):  # type: ignore[no-untyped-def]
    db = make_db(tmp_path / "c.db")
    store_procedures(db, [MARRIAGE, DEATH], version="test")
    admin = int(db.scalar("SELECT id FROM users WHERE role = 'admin' LIMIT 1"))
    db.close()
    worker = DbWorker(tmp_path / "c.db")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    p = SettingsPage(worker)
    qtbot.addWidget(p)
    p.user_id = admin
    p.set_editable(True)
    p.show()
    p.refresh()
    panel = p.catalogue_panel
    qtbot.waitUntil(lambda: panel.fee_table.rowCount() == 5 and panel.field_table.rowCount() > 0, timeout=10000)
    yield p
    worker.stop()


def test_admin_types_the_resolution_fees_with_the_keyboard(qtbot: QtBot, page: SettingsPage, tmp_path: Path) -> None:
    panel = page.catalogue_panel
    assert panel.isVisible()
    assert "2</b> khoản do HĐND tỉnh quy định chưa nhập" in panel.fee_summary.text()
    # Missing first: the two unentered fees head the table, highlighted.
    assert [panel.fee_table.item(i, 0).text() for i in range(2)] == ["1.000656", "1.001022"]
    assert panel.fee_table.item(0, 3).text() == "chưa nhập"
    panel.fee_table.setFocus()
    panel.fee_table.selectRow(0)
    qtbot.keyClick(panel.fee_table, Qt.Key.Key_Return)  # Enter on a row → the amount box
    assert panel.amount.hasFocus()
    qtbot.keyClicks(panel.amount, "8.5")
    qtbot.keyClick(panel.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "không phải số đồng nguyên" in panel.fee_message.text(), timeout=10000)
    assert panel.amount.hasFocus() and panel.amount.isEnabled()
    panel.amount.clear()
    qtbot.keyClicks(panel.amount, "5.000")
    qtbot.keyClick(panel.amount, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Đã lưu 1.000656" in panel.fee_message.text(), timeout=10000)
    # Moved on to the next fee still missing, ready to type.
    assert panel.current_fee() is not None and panel.current_fee().procedure_code == "1.001022"
    assert panel.amount.hasFocus()
    panel.amount.setText("30000")
    panel.online.setText("15.000")
    qtbot.keyClick(panel.online, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Đã nhập đủ mức thu" in panel.fee_summary.text(), timeout=10000)
    # The to-do list above no longer asks for the fees.
    qtbot.waitUntil(lambda: "chưa nhập mức thu" not in page.todo.text(), timeout=10000)
    cdb = CounterDB(tmp_path / "c.db")
    try:
        assert missing_fee_amounts(cdb) == []
        got = {(r["procedure_code"], r["amount"], r["online_amount"]) for r in
               cdb.query("SELECT * FROM procedure_fees WHERE code = 'LP01'")}
        assert got == {("1.000656", 5000, None), ("1.001022", 30000, 15000)}
        assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'settings' AND object_type = 'fee'") == 2
    finally:
        cdb.close()


def test_admin_enters_a_national_field_code_and_a_bad_one_is_explained(qtbot: QtBot, page: SettingsPage,
                                                                      tmp_path: Path) -> None:
    panel = page.catalogue_panel
    panel.tabs.setCurrentIndex(1)
    assert "chưa có mã quốc gia" in panel.field_summary.text()
    row = next(i for i in range(panel.field_table.rowCount()) if panel.field_table.item(i, 0).text() == "HT")
    panel.field_table.setFocus()
    panel.field_table.selectRow(row)
    qtbot.keyClick(panel.field_table, Qt.Key.Key_Return)
    assert panel.code.hasFocus()
    panel.code.setText("Hộ tịch")  # QTest cannot type letters outside Latin-1
    qtbot.keyClick(panel.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "không hợp lệ" in panel.field_message.text(), timeout=10000)
    panel.code.setText("G09-HT01")
    qtbot.keyClick(panel.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Đã lưu lĩnh vực HT: mã G09-HT01" in panel.field_message.text(), timeout=10000)
    assert panel.field_table.item(row, 2).text() == "G09-HT01"
    assert panel.field_table.item(row, 3).text() == "Quản trị viên nhập"
    cdb = CounterDB(tmp_path / "c.db")
    try:
        assert mapping.national_field_code(cdb, "HT") == "G09-HT01"
        assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'settings' "
                          "AND object_type = 'field_code'") == 1
    finally:
        cdb.close()


def test_the_panel_is_hidden_from_non_admins(page: SettingsPage) -> None:
    page.set_editable(False)
    assert not page.catalogue_panel.isVisible()
