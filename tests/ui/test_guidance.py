"""«Hướng dẫn nộp trực tuyến» driven through the reception page's real widgets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pypdf
import pytest
from pytestqt.qtbot import QtBot

from counter_app.db.database import CounterDB, open_database
from counter_app.db.setup import add_user, load_default_catalogue_into, run_setup
from counter_app.demo import DEMO_AGENCY
from counter_app.documents.guide_sheet import TITLE
from counter_app.domain.online import DEFAULT_PORTAL_URL_TEMPLATE
from counter_app.services.qrimage import decode_qr
from counter_app.services.session import Actor
from counter_app.ui import guidance as guidance_ui
from counter_app.ui.qt import QApplication, QImage, QKeyEvent, Qt, QWidget
from counter_app.ui.reception import ReceptionPage
from counter_app.ui.tasks import DbWorker

QR = "001090012345|012345678|Nguyễn Văn An|15051990|Nam|Số 5 Đội Cấn, Phường Ba Đình, Thành phố Hà Nội|01022022"
BIRTH_URL = DEFAULT_PORTAL_URL_TEMPLATE.replace("{code}", "1.001193")


def type_text(widget: QWidget, text: str) -> None:
    """Type any Unicode text as key events (QTest.keyClicks only handles ASCII)."""
    for ch in text:
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def qimage_text(image: QImage) -> str:
    """Decode the QR shown on screen (QImage → numpy → OpenCV)."""
    img = image.convertToFormat(QImage.Format.Format_Grayscale8)
    arr = np.frombuffer(img.constBits(), np.uint8).reshape(img.height(), img.bytesPerLine())[:, : img.width()]
    return decode_qr(arr.copy())


@pytest.fixture
def page(qtbot: QtBot, tmp_path: Path) -> Iterator[ReceptionPage]:
    cdb = open_database(tmp_path / "counter.sqlite3")
    run_setup(cdb, DEMO_AGENCY)
    load_default_catalogue_into(cdb)
    officer = add_user(cdb, "canbo1", "Nguyễn Thị Lan", "officer", "demo")
    add_user(cdb, "giamsat", "Phạm Quốc Hùng", "supervisor", "demo")
    cdb.close()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    worker.actor = Actor(officer, "canbo1", "Nguyễn Thị Lan", "officer")  # signed in (issue #17)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    p = ReceptionPage(worker, tmp_path)
    qtbot.addWidget(p)
    p.show()
    p.refresh()
    qtbot.waitUntil(lambda: p.index is not None and p.online_figures.figures is not None, timeout=10000)
    yield p
    if p.guidance is not None:
        p.guidance.close()
    worker.stop()


def _db(tmp_path: Path) -> CounterDB:
    return CounterDB(tmp_path / "counter.sqlite3")


def _open_guidance(qtbot: QtBot, page: ReceptionPage, query: str) -> guidance_ui.GuidanceDialog:
    page.new_dossier()
    type_text(page.search, query)
    return page.guidance  # type: ignore[return-value]


def test_fully_online_procedure_guidance_print_and_filed_online(
        qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    page.new_dossier()
    type_text(page.search, "khai sinh")
    # At a glance: level, and guidance offered first for a fully-online procedure.
    assert "[trực tuyến toàn trình]" in page.results.item(0).text()
    assert "Trực tuyến toàn trình" in page.proc_info.text()
    assert "nên hướng dẫn công dân nộp trực tuyến trước (Ctrl+H)" in page.proc_info.text()
    assert page.guide_btn.isEnabled()
    qtbot.keyClick(page.search, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    dlg = page.guidance
    assert dlg is not None and dlg.isVisible() and dlg.procedure["code"] == "1.001193"
    qtbot.waitUntil(lambda: dlg.print_btn.isEnabled(), timeout=10000)
    text = dlg.steps.text()
    assert "định danh điện tử mức độ 2" in text and "Giấy chứng sinh" in text
    assert dlg.url.text() == BIRTH_URL
    assert qimage_text(dlg.qr.pixmap().toImage()) == BIRTH_URL   # the QR on screen opens the page

    # «In hướng dẫn»: rendered on the pool, stored under documents/, QR decodes to the URL.
    dlg.preview_after_print = False  # the print preview dialog is modal; not opened in tests
    with qtbot.waitSignal(dlg.sheet_ready, timeout=15000) as sig:
        qtbot.keyClick(dlg, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    path: Path = sig.args[0]
    assert path.exists() and path.is_relative_to(tmp_path / "documents")
    pdf = path.read_bytes()
    sheet_text = pypdf.PdfReader(path).pages[0].extract_text()
    assert TITLE in sheet_text and "Đăng ký khai sinh" in sheet_text and "Giấy chứng sinh" in sheet_text
    from tests.documents.test_guide_sheet import decode_pdf_qr
    assert decode_pdf_qr(pdf) == BIRTH_URL

    # The citizen filed at the counter with help: CCCD QR into the ID field, portal code, Enter.
    dlg.id_number.setFocus()
    type_text(dlg.id_number, QR)
    qtbot.keyClick(dlg.id_number, Qt.Key.Key_Return)
    assert dlg.name.text() == "Nguyễn Văn An" and dlg.id_number.text() == "001090012345"
    qtbot.keyClick(dlg, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert dlg.outcome_stack.currentIndex() == 1 and dlg.portal_code.hasFocus()
    type_text(dlg.portal_code, "abc")
    qtbot.keyClick(dlg.portal_code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "không hợp lệ" in dlg.message.text(), timeout=10000)
    dlg.portal_code.clear()
    type_text(dlg.portal_code, "G01.37-261123-0042")
    with qtbot.waitSignal(dlg.recorded, timeout=15000):
        qtbot.keyClick(dlg.portal_code, Qt.Key.Key_Return)
    assert not dlg.isVisible() and page.stack.currentIndex() == 4
    assert "G01.37-261123-0042" in page.done_label.text()
    cdb = _db(tmp_path)
    d = cdb.query_one("SELECT * FROM dossiers WHERE portal_code = 'G01.37-261123-0042'")
    assert d is not None and d["channel"] == 2 and d["status"] == 2 and d["applicant_name"] == "Nguyễn Văn An"
    s = cdb.query_one("SELECT * FROM guidance_sessions")
    assert s is not None and s["outcome"] == "filed_online" and s["dossier_id"] == d["id"]
    assert s["officer_id"] == page.officer_id
    qtbot.waitUntil(lambda: "hướng dẫn 1 lượt, 1 nộp trực tuyến" in page.online_figures.text(), timeout=10000)
    assert "(1/1)" in page.online_figures.text()


def test_online_only_procedure_blocks_paper_and_opens_guidance(
        qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    page.new_dossier()
    type_text(page.search, "1.002755")                  # Gia hạn tạm trú: online only
    assert "[chỉ trực tuyến]" in page.results.item(0).text()
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 0 and "chỉ tiếp nhận trực tuyến" in page.message.text()
    dlg = page.guidance
    assert dlg is not None and dlg.isVisible() and dlg.online_only
    assert "chỉ tiếp nhận trực tuyến" in dlg.banner.text() and not dlg.banner.isHidden()
    qtbot.waitUntil(lambda: dlg.print_btn.isEnabled(), timeout=10000)
    assert "1.002755" in dlg.url.text()

    # Paper is refused without a supervisor, and with a wrong password.
    qtbot.keyClick(dlg, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert dlg.outcome_stack.currentIndex() == 2
    dlg.reason.setCurrentIndex(dlg.reason.findData("no_smartphone"))
    dlg.save_paper()
    assert "lãnh đạo/giám sát" in dlg.message.text()
    type_text(dlg.sup_user, "giamsat")
    type_text(dlg.sup_password, "sai")
    type_text(dlg.sup_reason, "Cụ ông 80 tuổi, không có điện thoại")
    qtbot.keyClick(dlg.sup_reason, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Sai tên đăng nhập hoặc mật khẩu" in dlg.message.text(), timeout=10000)
    assert dlg.isVisible() and _db(tmp_path).scalar("SELECT count(*) FROM guidance_sessions") == 0

    # The supervisor types the right password: the override is recorded and the paper path opens.
    dlg.sup_password.clear()
    type_text(dlg.sup_password, "demo")
    with qtbot.waitSignal(dlg.recorded, timeout=15000):
        qtbot.keyClick(dlg.sup_reason, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 1 and page.procedure is not None
    assert page.procedure["code"] == "1.002755" and page.paper_override is not None
    s = _db(tmp_path).query_one(
        "SELECT g.*, u.username FROM guidance_sessions g JOIN users u ON u.id = g.override_by")
    assert s is not None and s["outcome"] == "paper" and s["reason_code"] == "no_smartphone"
    assert s["username"] == "giamsat" and s["override_reason"] == "Cụ ông 80 tuổi, không có điện thoại"
    qtbot.waitUntil(lambda: "vì: không có điện thoại thông minh (1)" in page.online_figures.text(), timeout=10000)


def test_online_only_filed_online_from_guidance(qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    page.new_dossier()
    type_text(page.search, "1.002755")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    dlg = page.guidance
    assert dlg is not None
    qtbot.waitUntil(lambda: dlg.print_btn.isEnabled(), timeout=10000)
    type_text(dlg.name, "Lê Thị Hoa")
    dlg.filed_btn.click()
    type_text(dlg.portal_code, "G01.37-261123-0100")
    with qtbot.waitSignal(dlg.recorded, timeout=15000):
        qtbot.keyClick(dlg.portal_code, Qt.Key.Key_Return)
    d = _db(tmp_path).query_one("SELECT channel, procedure_code, code FROM dossiers")
    assert d is not None and (d["channel"], d["procedure_code"]) == (2, "1.002755") and d["code"]


def test_later_and_paper_with_reason_for_a_fully_online_procedure(
        qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    page.new_dossier()
    type_text(page.search, "khai sinh")
    page.guide_btn.click()
    dlg = page.guidance
    assert dlg is not None
    qtbot.waitUntil(lambda: dlg.print_btn.isEnabled() and dlg.isActiveWindow(), timeout=10000)
    qtbot.keyClick(dlg, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)   # «Sẽ nộp sau»: recorded at once
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=10000)
    assert "sẽ tự nộp trực tuyến" in page.message.text() and page.stack.currentIndex() == 0

    type_text(page.search, "khai sinh")
    page.open_guidance()
    dlg2 = page.guidance
    assert dlg2 is not None and dlg2 is not dlg
    dlg2.paper_btn.click()
    # «Thủ tục chưa trực tuyến toàn trình» is not offered for a fully-online procedure.
    assert dlg2.reason.findData("not_fully_online") == -1
    dlg2.reason.setCurrentIndex(dlg2.reason.findData("other"))
    dlg2.save_paper()
    qtbot.waitUntil(lambda: "ghi rõ lý do" in dlg2.message.text(), timeout=10000)
    type_text(dlg2.reason_text, "Muốn có bản giấy ngay")
    with qtbot.waitSignal(dlg2.recorded, timeout=15000):
        qtbot.keyClick(dlg2.reason_text, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 1 and page.focusWidget() is page.qr   # paper path continues
    rows = _db(tmp_path).query("SELECT outcome, reason_code, reason_text FROM guidance_sessions ORDER BY id")
    assert rows == [{"outcome": "later", "reason_code": None, "reason_text": ""},
                    {"outcome": "paper", "reason_code": "other", "reason_text": "Muốn có bản giấy ngay"}]


def test_guidance_not_offered_for_a_procedure_not_online(qtbot: QtBot, page: ReceptionPage) -> None:
    page.new_dossier()
    type_text(page.search, "2.000884")                  # chứng thực chữ ký: not online
    assert not page.guide_btn.isEnabled() and "Chưa cung cấp trực tuyến" in page.proc_info.text()
    qtbot.keyClick(page.search, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert page.guidance is None and "chưa được cung cấp trực tuyến" in page.message.text()


def test_figures_panel_for_supervisors(qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    from counter_app.db import guidance as gdb

    cdb = _db(tmp_path)
    gdb.record_session(cdb, gdb.SessionInput("1.001193", "paper", reason_code="no_eid"))
    cdb.close()
    panel = guidance_ui.OnlineFiguresPanel(page.worker)
    qtbot.addWidget(panel)
    panel.refresh()
    qtbot.waitUntil(lambda: panel.figures is not None, timeout=10000)
    assert "chỉ tiêu năm: <b>20%</b>" in panel.summary.text()
    assert panel.table.rowCount() == 1 and panel.table.item(0, 4).text() == "Vẫn nộp hồ sơ giấy"


def test_override_lets_the_paper_dossier_be_accepted(qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    test_online_only_procedure_blocks_paper_and_opens_guidance(qtbot, page, tmp_path)
    type_text(page.qr, QR)
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    qtbot.keyClick(page.phone, Qt.Key.Key_Return)
    qtbot.keyClick(page.checklist, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 3 and page.accept_btn.isEnabled()
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4 or "Đang lưu" not in page.message.text(), timeout=10000)
    assert page.stack.currentIndex() == 4, page.message.text()
