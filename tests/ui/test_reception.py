"""The reception desk driven through its real widgets, keyboard only, with action counting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest
from pytestqt.qtbot import QtBot

from counter_app.db.database import CounterDB, open_database
from counter_app.db.setup import add_user, load_default_catalogue_into, run_setup
from counter_app.demo import DEMO_AGENCY
from counter_app.services.session import Actor
from counter_app.ui.qt import QApplication, QKeyEvent, Qt, QWidget
from counter_app.ui.reception import ReceptionPage
from counter_app.ui.tasks import DbWorker

QR = "001090012345|012345678|Nguyễn Văn An|15051990|Nam|Số 5 Đội Cấn, Phường Ba Đình, Thành phố Hà Nội|01022022\r\n"


def type_text(widget: QWidget, text: str) -> None:
    """Type any Unicode text as key events (QTest.keyClicks only handles ASCII)."""
    for ch in text:
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


@pytest.fixture
def page(qtbot: QtBot, tmp_path: Path) -> Iterator[ReceptionPage]:
    cdb = open_database(tmp_path / "counter.sqlite3")
    run_setup(cdb, DEMO_AGENCY)
    load_default_catalogue_into(cdb)
    officer = add_user(cdb, "canbo7", "Lê Thị Bảy", "officer", None)
    cdb.close()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    worker.actor = Actor(officer, "canbo7", "Lê Thị Bảy", "officer")  # signed in: no "first officer" (issue #17)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    p = ReceptionPage(worker, tmp_path)
    qtbot.addWidget(p)
    p.show()
    p.refresh()
    qtbot.waitUntil(lambda: p.index is not None, timeout=10000)
    yield p
    worker.stop()


class Officer:
    """Counts actions the way the issue does: a key press is one, typing a word or a QR scan is one."""

    def __init__(self, qtbot: QtBot, page: ReceptionPage) -> None:
        self.qtbot, self.page, self.actions = qtbot, page, 0

    def key(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.actions += 1
        widget = self.page.focusWidget() or self.page
        self.qtbot.keyClick(widget, key, modifier)

    def type(self, text: str) -> None:
        self.actions += 1
        widget = self.page.focusWidget()
        assert widget is not None, "focus must land where the officer types next"
        type_text(widget, text)

    def scan_qr(self, text: str) -> None:
        """A keyboard-wedge scanner types the text and an Enter into the focused field."""
        self.actions += 1
        widget = self.page.focusWidget()
        assert widget is self.page.qr, "after choosing the procedure the QR field must have focus"
        type_text(widget, text.rstrip("\r\n"))
        self.qtbot.keyClick(widget, Qt.Key.Key_Return)


def test_birth_registration_in_at_most_12_actions(qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    o = Officer(qtbot, page)
    o.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)     # new dossier
    assert page.focusWidget() is page.search
    o.type("khai sinh")                                          # search as you type
    o.key(Qt.Key.Key_Return)                                     # top hit: Đăng ký khai sinh
    assert page.procedure is not None and page.procedure["code"] == "1.001193"
    o.scan_qr(QR)                                                # CCCD QR fills the applicant
    assert page.name.text() == "Nguyễn Văn An" and page.id_number.text() == "001090012345"
    assert page.dob.text() == "15/05/1990" and page.gender.currentText() == "Nam"
    assert page.focusWidget() is page.phone
    o.type("0912345678")                                         # phone (not on the card)
    o.key(Qt.Key.Key_Return)                                     # → checklist
    assert page.stack.currentIndex() == 2
    o.key(Qt.Key.Key_Return)                                     # checklist as pre-marked → decision
    assert page.stack.currentIndex() == 3 and page.accept_btn.isEnabled()
    o.key(Qt.Key.Key_Return)                                     # accept
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    assert o.actions <= 12, o.actions
    print(f"actions from new dossier to receipt ready: {o.actions}")

    r = page.result
    assert r is not None and r.code is not None and r.code.startswith("H01.37.01-")
    assert r.code in page.done_label.text()
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    d = cdb.query_one("SELECT * FROM dossiers WHERE id = ?", (r.dossier_id,))
    assert d is not None and d["status"] == 2 and d["phone"] == "0912345678"
    assert d["applicant_name"] == "Nguyễn Văn An" and d["applicant_id_number"] == "001090012345"
    states = {c["component_code"]: c["state"] for c in
              cdb.query("SELECT * FROM dossier_components WHERE dossier_id = ?", (r.dossier_id,))}
    # Optional papers ("khi nộp thay", "nếu có") default to «không áp dụng»: no row (issue #14).
    assert states == {"TP01": "received", "TP02": "received", "TP-GTTT": "shown"}
    assert [e["kind"] for e in cdb.query("SELECT kind FROM dossier_events WHERE dossier_id=?", (r.dossier_id,))] \
        == ["received"]
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE dossier_id = ? AND state = 'pending'", (r.dossier_id,)) == 1
    # The receipt is on disk and says what the officer just did.
    assert page.receipt_path is not None and page.receipt_path.exists()
    text = "".join(pg.extract_text() for pg in pypdf.PdfReader(page.receipt_path).pages)
    assert r.code in text and "Nguyễn Văn An" in text and "Đăng ký khai sinh" in text
    assert "Liên 1" in text and "Liên 2" in text
    assert len(pypdf.PdfReader(page.receipt_path).pages) == 2, "each copy must fit one A5 page"


def _to_applicant_step(qtbot: QtBot, page: ReceptionPage, query: str = "khai sinh") -> None:
    page.new_dossier()
    qtbot.keyClicks(page.search, query)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)


def test_typing_a_name_in_the_qr_field_is_manual_entry(qtbot: QtBot, page: ReceptionPage) -> None:
    _to_applicant_step(qtbot, page)
    type_text(page.qr, "Trần Văn Bình")
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    assert page.name.text() == "Trần Văn Bình" and page.focusWidget() is page.id_number
    page.qr.setFocus()
    type_text(page.qr, "001090012345")
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    assert page.id_number.text() == "001090012345" and page.stack.currentIndex() == 1


def test_malformed_qr_gives_clear_message(qtbot: QtBot, page: ReceptionPage) -> None:
    _to_applicant_step(qtbot, page)
    type_text(page.qr, "001090012345|Nguyễn Văn An|15051990")
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    assert page.name.text() == "" and page.stack.currentIndex() == 1
    assert "QR" in page.message.text() or "trường" in page.message.text()


def test_id_digit_contradicting_gender_is_rejected(qtbot: QtBot, page: ReceptionPage) -> None:
    _to_applicant_step(qtbot, page)
    bad = QR.replace("|Nam|", "|Nữ|")  # century/gender digit 0 = male, card says female
    type_text(page.qr, bad.strip())
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    assert page.name.text() == "" and page.message.text()
    assert "giới tính" in page.message.text().lower()


def test_future_birth_date_typed_by_hand_is_rejected(qtbot: QtBot, page: ReceptionPage) -> None:
    _to_applicant_step(qtbot, page)
    page.name.setText("Trần Thị Bình")
    page.dob.setText("01/01/2099")
    page.name.setFocus()
    qtbot.keyClick(page.name, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 1 and "tương lai" in page.message.text()


def test_missing_required_component_blocks_accept_and_issues_form_02(qtbot: QtBot, page: ReceptionPage) -> None:
    _to_applicant_step(qtbot, page)
    page.qr.setFocus()
    type_text(page.qr, QR.strip())
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    qtbot.keyClick(page.phone, Qt.Key.Key_Return)
    page.checklist.setCurrentCell(1, 0)  # Giấy chứng sinh
    qtbot.keyClick(page.checklist, Qt.Key.Key_2)  # 2 = missing
    qtbot.keyClick(page.checklist, Qt.Key.Key_Return)
    assert not page.accept_btn.isEnabled() and "Giấy chứng sinh" in page.summary.text()
    # Enter now means "request supplements" (Mẫu 02): the officer cannot accept by mistake.
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    assert page.result is not None and page.result.code is None and page.result.status == 5
    text = "".join(pg.extract_text() for pg in pypdf.PdfReader(page.receipt_path).pages)
    assert "Giấy chứng sinh" in text


def test_online_only_procedure_is_blocked_on_paper(qtbot: QtBot, page: ReceptionPage) -> None:
    page.new_dossier()
    qtbot.keyClicks(page.search, "1.002755")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 0
    assert "chỉ tiếp nhận trực tuyến" in page.message.text()


def test_esc_goes_back_without_losing_input(qtbot: QtBot, page: ReceptionPage) -> None:
    _to_applicant_step(qtbot, page)
    type_text(page.qr, QR.strip())
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    qtbot.keyClicks(page.phone, "0987")
    qtbot.keyClick(page.phone, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 0
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 1
    assert page.name.text() == "Nguyễn Văn An" and page.phone.text() == "0987"


def test_qr_from_photo_of_card(qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    """A QR generated, photographed (rotated, noisy) and decoded back by OpenCV fills the form."""
    import cv2
    import numpy as np
    import qrcode

    img = qrcode.make(QR.strip(), box_size=6, border=4).convert("RGB")
    arr = cv2.cvtColor(np.array(img), cv2.COLOR_RGB2BGR)
    canvas = np.full((900, 1200, 3), (90, 120, 150), np.uint8)  # a desk
    h, w = arr.shape[:2]
    canvas[200:200 + h, 300:300 + w] = arr
    rot = cv2.warpAffine(canvas, cv2.getRotationMatrix2D((600, 450), 8, 1.0), (1200, 900),
                         borderValue=(90, 120, 150))
    noisy = np.clip(rot.astype(np.int16) + np.random.default_rng(1).integers(-12, 12, rot.shape), 0, 255)
    photo = tmp_path / "cccd.jpg"
    cv2.imwrite(str(photo), noisy.astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 80])
    _to_applicant_step(qtbot, page)
    page.qr_from_image(str(photo))
    qtbot.waitUntil(lambda: page.name.text() == "Nguyễn Văn An", timeout=10000)
    assert page.id_number.text() == "001090012345"
    # A corrupt image gives a clear message, not a crash.
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0garbage")
    page.qr_from_image(str(bad))
    qtbot.waitUntil(lambda: "không phải ảnh" in page.message.text() or "hỏng" in page.message.text(),
                    timeout=10000)


def test_chung_thuc_pages_and_copies_are_entered_and_charged(qtbot: QtBot, page: ReceptionPage) -> None:
    """Issue #16 row 7: the per-page fee (Thông tư 226/2016/TT-BTC) from the pages × copies entered."""
    page.new_dossier()
    page.name.setText("Trần Văn Bình")
    page.procedure = page.procedures["2.000815"]
    page._go_decision()
    form = page._decision_form
    assert form.isRowVisible(page.fee_pages) and form.isRowVisible(page.fee_copies)
    assert "nhập số trang" in page.fee_label.text()
    page.fee_pages.setValue(5)
    page.fee_copies.setValue(3)
    assert "21.000 đ" in page.fee_label.text()  # (2 × 2.000 + 3 × 1.000) × 3
    data = page._input("accept")
    assert (data.fee_pages, data.fee_copies) == (5, 3)
    page.procedure = page.procedures["1.001193"]  # khai sinh: no per-page fee, no such rows
    page._go_decision()
    assert not form.isRowVisible(page.fee_pages)
    assert page._input("accept").fee_pages is None


def test_enter_and_card_scan_typed_before_the_catalogue_arrives(qtbot: QtBot, tmp_path: Path) -> None:
    """A busy PC: «khai sinh» + Enter and a CCCD scan typed while the worker is still busy with an
    earlier job. The Enter takes the first result once it arrives and the scan fills the applicant,
    instead of «Chưa chọn thủ tục» and the card's text landing in the search."""
    import threading

    cdb = open_database(tmp_path / "counter.sqlite3")
    run_setup(cdb, DEMO_AGENCY)
    load_default_catalogue_into(cdb)
    officer = add_user(cdb, "canbo7", "Lê Thị Bảy", "officer", None)
    cdb.close()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    worker.actor = Actor(officer, "canbo7", "Lê Thị Bảy", "officer")  # signed in: no "first officer" (issue #17)
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    gate = threading.Event()
    try:
        worker.submit(lambda _cdb: gate.wait(20))  # a slow job queued first: the catalogue waits behind it
        p = ReceptionPage(worker, tmp_path)
        qtbot.addWidget(p)
        p.show()
        p.refresh()
        p.search.setFocus()
        type_text(p.search, "khai sinh")
        qtbot.keyClick(p.search, Qt.Key.Key_Return)
        type_text(p.focusWidget() or p.search, QR.rstrip("\r\n"))
        qtbot.keyClick(p.focusWidget() or p.search, Qt.Key.Key_Return)
        assert p.index is None, "the catalogue must still be loading for this test to mean anything"
        assert "Chưa chọn thủ tục" not in p.message.text()
        gate.set()
        qtbot.waitUntil(lambda: p.name.text() == "Nguyễn Văn An", timeout=10000)
        assert p.procedure is not None and p.procedure["code"] == "1.001193"
        assert p.stack.currentIndex() == 1
        assert p.search.text() == "khai sinh"
        assert p.id_number.text() == "001090012345"
    finally:
        gate.set()
        worker.stop()


def test_a_bad_catalogue_entry_is_left_out_and_named_not_fatal(qtbot: QtBot, page: ReceptionPage,
                                                               tmp_path: Path) -> None:
    """A procedure pulled from the province without a time limit used to stop the whole catalogue
    loading (a dialog, an empty search); now it alone is left out and the page says which."""
    from counter_app.db.catalogue import store_procedures
    from tests.factories import BIRTH

    cdb = CounterDB(tmp_path / "counter.sqlite3")
    bad = {**BIRTH, "code": "9.000001", "name": "Thủ tục thiếu thời hạn", "processing_days": None,
           "processing_hours": None}
    store_procedures(cdb, [bad], version="province-x")
    cdb.close()
    before = len(page.procedures)
    page.index = None
    page.refresh()
    qtbot.waitUntil(lambda: page.index is not None, timeout=10000)
    assert "9.000001" not in page.procedures and len(page.procedures) == before
    assert "9.000001" in page.message.text() and "quản trị viên" in page.message.text()
    type_text(page.search, "khai sinh")
    assert page.results.count() > 0
