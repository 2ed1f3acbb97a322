"""Dossier list filters and the detail dialog's actions, through the real widgets and worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app.db import dossiers as repo
from counter_app.db.database import CounterDB
from counter_app.db.setup import add_user
from counter_app.domain.calendar import WorkCalendar
from counter_app.services.session import Actor
from counter_app.ui.dossier_detail import DossierDetail
from counter_app.ui.dossier_list import DossierListPage
from counter_app.ui.qt import QApplication, QCheckBox, QDialog, QLineEdit, QPushButton, QTimer
from counter_app.ui.tasks import DbWorker
from tests.factories import make_db

CAL = WorkCalendar.default()


@pytest.fixture
def env(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[DbWorker, Path, list[int]]]:
    cdb = make_db(tmp_path / "c.db")
    ids = []
    for i, day in enumerate([datetime(2026, 10, 5, 9, 0), datetime(2026, 10, 6, 9, 0), datetime.now()]):
        r = repo.receive(cdb, repo.ReceptionInput(
            procedure_code="1.001193",
            applicant=repo.ApplicantInput(full_name=f"Lê Văn {i}", id_number=f"00109001234{i}"),
            components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS"), repo.ComponentInput("CCCD", "shown")],
        ), CAL, now=day)
        ids.append(r.dossier_id)
    # Signed in as an officer created after the admin: actions must be recorded under them, not the first account.
    officer = add_user(cdb, "canbo2", "Trần Văn Hai", "officer", None)
    cdb.close()
    worker = DbWorker(tmp_path / "c.db")
    worker.actor = Actor(officer, "canbo2", "Trần Văn Hai", "officer")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    yield worker, tmp_path, ids
    worker.stop()


def _button(dlg: QDialog, text: str) -> QPushButton:
    for b in dlg.findChildren(QPushButton):
        if b.text().startswith(text):
            return b
    raise AssertionError(f"no button {text!r}: {[b.text() for b in dlg.findChildren(QPushButton)]}")


def test_overdue_filter_in_list(qtbot: QtBot, env: tuple[DbWorker, Path, list[int]]) -> None:
    worker, root, _ids = env
    page = DossierListPage(worker, data_root=root)
    qtbot.addWidget(page)
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10000)
    page.quick.setCurrentIndex(1)  # Quá hạn
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=10000)
    assert {r["applicant_name"] for r in page.model.rows} == {"Lê Văn 0", "Lê Văn 1"}
    page.quick.setCurrentIndex(0)
    page.period.setCurrentIndex(1)  # Hôm nay
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=10000)


def test_detail_actions_result_ready_then_return(qtbot: QtBot, env: tuple[DbWorker, Path, list[int]]) -> None:
    worker, root, ids = env
    dlg = DossierDetail(worker, root, ids[2])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: "Được tiếp nhận" in dlg.header.text(), timeout=10000)
    _button(dlg, "Đã có kết quả").click()
    qtbot.waitUntil(lambda: "Đã xử lý xong" in dlg.header.text(), timeout=10000)

    def fill_return_dialog() -> None:
        ask = QApplication.activeModalWidget()
        assert ask is not None
        ask.findChildren(QLineEdit)[0].setText("Trần Thị Nhận")
        ask.findChildren(QCheckBox)[0].setChecked(True)
        ask.accept()

    QTimer.singleShot(200, fill_return_dialog)
    _button(dlg, "Trả kết quả").click()
    qtbot.waitUntil(lambda: "Đã trả kết quả" in dlg.header.text(), timeout=10000)
    cdb = CounterDB(root / "c.db")
    d = repo.dossier_detail(cdb, ids[2])
    assert d["status"] == 10 and d["returned_to"] == "Trần Thị Nhận"
    assert dlg.changed
    actor = worker.actor
    assert actor is not None and actor.user_id != 1
    moves = cdb.query("SELECT kind, officer_id FROM dossier_events WHERE dossier_id = ? AND kind LIKE 'status_%'",
                      (ids[2],))
    assert [m["officer_id"] for m in moves if m["kind"] in ("status_9", "status_10")] == [actor.user_id] * 2


def test_detail_action_without_sign_in_is_refused(qtbot: QtBot, env: tuple[DbWorker, Path, list[int]],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """No fallback to the first account: with nobody signed in the action fails with a clear message."""
    worker, root, ids = env
    worker.actor = None
    shown: list[str] = []
    import counter_app.ui.dossier_detail as detail_module

    # The text the one error dialog would show, instead of a modal box in a test.
    monkeypatch.setattr(detail_module, "show_exception", lambda _parent, exc: shown.append(str(exc)))
    dlg = DossierDetail(worker, root, ids[2])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: "Được tiếp nhận" in dlg.header.text(), timeout=10000)
    _button(dlg, "Đã có kết quả").click()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "Chưa đăng nhập" in shown[0]
    assert repo.dossier_detail(CounterDB(root / "c.db"), ids[2])["status"] == 2  # still «Được tiếp nhận»


def test_overdue_dossier_apology_prints_form_04(qtbot: QtBot, env: tuple[DbWorker, Path, list[int]]) -> None:
    worker, root, ids = env
    dlg = DossierDetail(worker, root, ids[0])
    dlg.no_preview = True
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: "QUÁ HẠN" in dlg.header.text(), timeout=10000)

    def fill() -> None:
        ask = QApplication.activeModalWidget()
        assert ask is not None
        ask.findChildren(QLineEdit)[0].setText("Chờ kết quả xác minh của công an")
        ask.accept()

    QTimer.singleShot(200, fill)
    _button(dlg, "Xin lỗi").click()
    qtbot.waitUntil(lambda: dlg.last_pdf is not None, timeout=15000)
    import pypdf

    text = "".join(p.extract_text() for p in pypdf.PdfReader(dlg.last_pdf).pages)
    assert "xin lỗi" in text.lower() and "Chờ kết quả xác minh" in text
    d = repo.dossier_detail(CounterDB(root / "c.db"), ids[0])
    assert d["new_due_at"] and d["new_due_at"] > d["due_at"]


def test_history_says_in_vietnamese_what_was_scanned(qtbot: QtBot, env: tuple[DbWorker, Path, list[int]]) -> None:
    """Issue #14: the history showed ``file_uid…; mismatch: False; signed: True`` to officers."""
    from counter_app.db import files

    worker, root, ids = env
    cdb = CounterDB(root / "c.db")
    comp = cdb.query_one("SELECT id, name FROM dossier_components WHERE dossier_id = ? AND component_code = 'TK'",
                         (ids[2],))
    assert comp is not None
    files.register_scan(cdb, dossier_component_id=comp["id"], rel_path="scans/x.pdf", name="x.pdf", sha256="0" * 64,
                        size=10, page_count=3, declared_pages=4, signed=True, meta={}, officer_id=None,
                        now=datetime.now())
    cdb.close()
    dlg = DossierDetail(worker, root, ids[2])
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(lambda: "Được tiếp nhận" in dlg.header.text(), timeout=10000)
    from counter_app.ui.qt import QTableWidget

    history = dlg.findChildren(QTableWidget)[-1]
    rows = {history.item(r, 0).text(): history.item(r, 2).text() for r in range(history.rowCount())}
    text = rows["Số hóa thành phần"]
    assert text == f"«{comp['name']}», 3 trang, lệch số trang: giấy ghi 4 trang, đã ký số"
    for internal in ("file_uid", "mismatch", "signed", "True", "False", "component_code"):
        assert internal not in " ".join(rows.values())


def test_enter_right_after_typing_a_code_goes_to_the_result(qtbot: QtBot,
                                                             env: tuple[DbWorker, Path, list[int]]) -> None:
    """Under a real X server Enter came before the 250 ms search pause and was dropped (issue #14's
    end-to-end suite); a barcode scanner reading a receipt's code always types that fast."""
    from counter_app.ui.qt import Qt

    worker, root, ids = env
    cdb = CounterDB(root / "c.db")
    code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (ids[1],))
    cdb.close()
    page = DossierListPage(worker, data_root=root)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10000)
    page.search.setFocus()
    qtbot.keyClicks(page.search, code)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # before the debounce fires
    qtbot.waitUntil(lambda: page.view.hasFocus() and page.view.currentIndex().row() == 0, timeout=5000)
    assert page.model.rowCount() == 1 and page.model.rows[0]["code"] == code
