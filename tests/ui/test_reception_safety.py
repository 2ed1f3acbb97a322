"""Issue #14: no legal decision on a stray Enter, a CCCD scanned anywhere, retry-safe saving, bounded input.

Driven through the real widgets, the real database worker and the real form renderer (offscreen).
"""

# ruff: noqa: F811  (the tests take the `page` fixture imported from test_reception by name)
from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from pytestqt.qtbot import QtBot

from counter_app.db.database import CounterDB
from counter_app.ui.qt import Qt
from counter_app.ui.reception import ReceptionPage
from tests.ui.test_reception import QR, Officer, page, type_text  # noqa: F401  (page: the fixture)

CARD = QR.rstrip("\r\n")


def _count(tmp_path: Path, where: str = "1") -> int:
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    try:
        return int(cdb.scalar(f"SELECT count(*) FROM dossiers WHERE {where}"))
    finally:
        cdb.close()


def _to_decision(qtbot: QtBot, page: ReceptionPage) -> None:
    page.new_dossier()
    type_text(page.search, "khai sinh")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    type_text(page.qr, CARD)
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    qtbot.keyClick(page.phone, Qt.Key.Key_Return)
    qtbot.keyClick(page.checklist, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 3 and page.focusWidget() is page.accept_btn


def test_enter_after_typing_a_refusal_reason_never_accepts(qtbot: QtBot, page: ReceptionPage,
                                                           tmp_path: Path) -> None:
    _to_decision(qtbot, page)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_F9)               # refuse without a reason: asks for one
    assert page.focusWidget() is page.reason and "lý do" in page.message.text().lower()
    type_text(page.reason, "Hồ sơ không thuộc thẩm quyền của xã")
    qtbot.keyClick(page.reason, Qt.Key.Key_Return)               # the bug: this Enter accepted the dossier
    assert page.stack.currentIndex() == 3 and page.result is None
    assert page.confirm_label.isVisible() and "TỪ CHỐI TIẾP NHẬN" in page.confirm_label.text()
    assert "Mẫu 03" in page.confirm_label.text() and page.focusWidget() is page.confirm_btn
    qtbot.keyClick(page.confirm_btn, Qt.Key.Key_Return)          # Enter on the confirmation does not refuse
    qtbot.keyClick(page.confirm_btn, Qt.Key.Key_Return)
    qtbot.keyClick(page.refuse_btn, Qt.Key.Key_Return)          # nor does Enter on the refuse button
    assert page.result is None and page.stack.currentIndex() == 3 and page.confirm_label.isVisible()
    page.confirm_btn.setFocus()
    qtbot.keyClick(page.confirm_btn, Qt.Key.Key_Escape)          # Esc: no refusal, still on the decision
    assert not page.confirm_label.isVisible() and page.stack.currentIndex() == 3
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_F9)            # F9 again: the confirmation again
    assert page.confirm_label.isVisible()
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_F9)            # second F9: refused
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    assert page.result is not None and page.result.status == 3 and page.result.code is None
    assert _count(tmp_path) == 1 and _count(tmp_path, "status = 2") == 0
    text = "".join(p.extract_text() for p in pypdf.PdfReader(page.receipt_path).pages)
    assert "không thuộc thẩm quyền" in text


def test_enter_in_reason_field_moves_to_the_button_and_decides_nothing(qtbot: QtBot,
                                                                       page: ReceptionPage, tmp_path: Path) -> None:
    _to_decision(qtbot, page)
    page.reason.setFocus()
    type_text(page.reason, "ghi chú")
    qtbot.keyClick(page.reason, Qt.Key.Key_Return)
    assert page.focusWidget() is page.accept_btn and page.result is None and _count(tmp_path) == 0


def test_cccd_scanned_before_choosing_a_procedure_is_kept(qtbot: QtBot, page: ReceptionPage) -> None:
    """The citizen hands the card first: the QR lands in the procedure search, with its trailing Enter."""
    o = Officer(qtbot, page)
    o.key(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert page.focusWidget() is page.search
    o.actions += 1                                                # the scan: text + Enter into the search
    type_text(page.search, CARD)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 0 and page.procedure is None, "the Enter must not pick a fuzzy match"
    assert page.search.text() == "" and page.focusWidget() is page.search
    assert page.name.text() == "Nguyễn Văn An" and page.id_number.text() == "001090012345"
    assert "Chọn thủ tục" in page.message.text()
    o.type("khai sinh")
    o.key(Qt.Key.Key_Return)
    assert page.procedure is not None and page.procedure["code"] == "1.001193"
    assert page.stack.currentIndex() == 1 and page.focusWidget() is page.phone
    assert page.name.text() == "Nguyễn Văn An" and page.dob.text() == "15/05/1990"
    o.type("0912345678")
    o.key(Qt.Key.Key_Return)
    o.key(Qt.Key.Key_Return)
    o.key(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    assert page.result is not None and page.result.status == 2
    assert o.actions == 8, o.actions


def test_cccd_scanned_after_typing_a_search_keeps_the_search(qtbot: QtBot, page: ReceptionPage) -> None:
    page.new_dossier()
    type_text(page.search, "khai sinh")
    type_text(page.search, CARD)
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.search.text() == "khai sinh" and page.stack.currentIndex() == 0
    assert page.name.text() == "Nguyễn Văn An"


def test_cccd_scanned_into_the_reason_field_returns_to_the_applicant(qtbot: QtBot,
                                                                     page: ReceptionPage) -> None:
    _to_decision(qtbot, page)
    other = "079185000123||Lê Thị Hoa|01021985|Nữ|12 Lê Lợi, Phường Bến Thành, TP Hồ Chí Minh|01012021"
    page.reason.setFocus()
    type_text(page.reason, other)
    qtbot.keyClick(page.reason, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 1 and page.result is None
    assert page.name.text() == "Lê Thị Hoa" and page.reason.text() == ""
    assert page.procedure is not None and page.procedure["code"] == "1.001193"  # the choice is kept


def test_a_retry_after_the_form_could_not_be_stored_returns_the_same_dossier(
        qtbot: QtBot, page: ReceptionPage, tmp_path: Path) -> None:
    """Fault: the documents folder cannot be created (a file is in the way) — real OS error, no mock."""
    blocker = tmp_path / "documents"
    blocker.write_bytes(b"not a folder")
    _to_decision(qtbot, page)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "chưa lưu được phiếu in" in page.message.text(), timeout=15000)
    assert page.stack.currentIndex() == 3 and page.accept_btn.isEnabled()
    assert _count(tmp_path) == 1
    blocker.unlink()
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)            # the officer presses the key again
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    assert _count(tmp_path) == 1, "a retry must not receive the dossier a second time"
    cdb = CounterDB(tmp_path / "counter.sqlite3")
    try:
        only = cdb.query_one("SELECT id, code FROM dossiers")
        assert only is not None and page.result is not None
        assert (page.result.dossier_id, page.result.code) == (only["id"], only["code"])
        assert cdb.scalar("SELECT count(*) FROM outbox WHERE dossier_id = ?", (only["id"],)) == 1
    finally:
        cdb.close()
    assert page.receipt_path is not None and page.receipt_path.exists()
    page.new_dossier()  # a new dossier is a new attempt: it gets its own code
    _to_decision(qtbot, page)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _count(tmp_path) == 2, timeout=15000)


@pytest.mark.parametrize(("field", "text", "expected"), [
    ("name", "Nguyễn Văn An 😀", "ký tự không in được"),
    ("address", "Số 5 Đội Cấn, Phường Ba Đình, Hà Nội. " * 20, "quá giới hạn 150"),
])
def test_unprintable_or_overlong_input_is_refused_with_a_message(
        qtbot: QtBot, page: ReceptionPage, field: str, text: str, expected: str) -> None:
    page.new_dossier()
    type_text(page.search, "khai sinh")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    page.name.setText("Nguyễn Văn An")
    widget = getattr(page, field)
    widget.setText(text)
    page.phone.setFocus()
    qtbot.keyClick(page.phone, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 1 and expected in page.message.text()
    assert page.focusWidget() is widget


def test_longest_allowed_address_keeps_each_receipt_copy_on_one_page(qtbot: QtBot, page: ReceptionPage) -> None:
    from counter_app.domain.inputs import LIMITS

    page.new_dossier()
    type_text(page.search, "khai sinh")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    page.name.setText("Công Tằng Tôn Nữ Thị Hoàng Ngọc Phương")  # 38 characters
    page.address.setText(("Số 12 ngõ 34 ngách 56 đường Nguyễn Chí Thanh, tổ dân phố 7, Phường Láng, "
                          "Thành phố Hà Nội " * 4)[:LIMITS["address"].max_len])
    page.phone.setFocus()
    qtbot.keyClick(page.phone, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 2, page.message.text()
    qtbot.keyClick(page.checklist, Qt.Key.Key_Return)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    assert len(pypdf.PdfReader(page.receipt_path).pages) == 2, "each of the two copies must fit one A5 page"


def _pdf_text(path: Path | None) -> str:
    assert path is not None
    import io

    from counter_app.vault import load_path
    return "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(load_path(path))).pages)


def test_optional_papers_default_to_not_applicable_and_never_print_as_missing(
        qtbot: QtBot, page: ReceptionPage) -> None:
    _to_decision(qtbot, page)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    receipt = _pdf_text(page.receipt_path)
    assert "ủy quyền" not in receipt and "chưa nộp" not in receipt  # Mẫu 01
    # Mẫu 02 for a dossier missing its birth certificate asks for that, not for an authorisation letter.
    page.new_dossier()
    type_text(page.search, "khai sinh")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    type_text(page.qr, CARD)
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    qtbot.keyClick(page.phone, Qt.Key.Key_Return)
    labels = [page.checklist.item(r, 3).text() for r in range(page.checklist.rowCount())]
    assert labels.count("— Không áp dụng") == 2, labels  # TP-UQ, TP-GCNKH
    page.checklist.setCurrentCell(1, 0)  # Giấy chứng sinh
    qtbot.keyClick(page.checklist, Qt.Key.Key_2)
    qtbot.keyClick(page.checklist, Qt.Key.Key_Return)
    qtbot.keyClick(page.incomplete_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    supplement = _pdf_text(page.receipt_path)
    assert "Giấy chứng sinh" in supplement and "ủy quyền" not in supplement


def test_a_paper_that_must_be_kept_cannot_pass_as_only_shown(qtbot: QtBot, page: ReceptionPage) -> None:
    page.new_dossier()
    type_text(page.search, "khai sinh")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    type_text(page.qr, CARD)
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    qtbot.keyClick(page.phone, Qt.Key.Key_Return)
    page.checklist.setCurrentCell(0, 0)  # Tờ khai đăng ký khai sinh: required, kept
    qtbot.keyClick(page.checklist, Qt.Key.Key_3)  # 3 = «chỉ xuất trình»
    assert page.checklist.item(0, 3).text() == "✔ Đã nhận" and "không chỉ xuất trình" in page.message.text()
    qtbot.keyClick(page.checklist, Qt.Key.Key_Space)  # the cycle offers only received ↔ missing here
    assert page.checklist.item(0, 3).text() == "✘ Thiếu"
    qtbot.keyClick(page.checklist, Qt.Key.Key_Space)
    assert page.checklist.item(0, 3).text() == "✔ Đã nhận"


def test_returning_citizens_phone_is_replaced_not_appended_to(qtbot: QtBot, page: ReceptionPage) -> None:
    """Under X the phone of the last visit was pre-filled and the one typed was appended to it."""
    _to_decision(qtbot, page)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)  # a first visit, phone empty
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    page.new_dossier()
    type_text(page.search, "khai sinh")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    page.phone.setText("0987654321")
    type_text(page.qr, CARD)
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    qtbot.keyClick(page.phone, Qt.Key.Key_Return)
    qtbot.keyClick(page.checklist, Qt.Key.Key_Return)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)  # second visit stores 0987654321
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    page.new_dossier()
    type_text(page.search, "khai sinh")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    type_text(page.qr, CARD)
    qtbot.keyClick(page.qr, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.phone.text() == "0987654321", timeout=10000)  # pre-filled from last visit
    type_text(page.focusWidget(), "0912345678")
    assert page.phone.text() == "0912345678"
    page.phone.setText("09123456780912345678")
    qtbot.keyClick(page.phone, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 1 and "20 chữ số" in page.message.text()


def test_next_card_scanned_on_the_receipt_screen_starts_a_new_dossier(qtbot: QtBot, page: ReceptionPage) -> None:
    _to_decision(qtbot, page)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.stack.currentIndex() == 4, timeout=15000)
    other = "079185000123||Lê Thị Hoa|01021985|Nữ|12 Lê Lợi, Phường Bến Thành, TP Hồ Chí Minh|01012021"
    widget = page.focusWidget()
    assert widget is page.new_btn
    for ch in other:  # the scanner types into whatever has focus: the «Hồ sơ mới» button here
        type_text(page.focusWidget(), ch)
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 0 and page.procedure is None and page.result is None
    assert page.name.text() == "Lê Thị Hoa" and page.search.text() == ""


OTHER = "079185000123|987654321|Lê Thị Hoa|01021985|Nữ|12 Lê Lợi, Phường Bến Thành, TP Hồ Chí Minh|01012021"


def test_card_scanned_onto_the_checklist_changes_no_mark(qtbot: QtBot, page: ReceptionPage) -> None:
    """Digits 1–4 mark components: the card's 12 digits once re-marked the checklist."""
    _to_decision(qtbot, page)
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Escape)
    assert page.stack.currentIndex() == 2 and page.focusWidget() is page.checklist
    before = [page.checklist.item(r, 3).text() for r in range(page.checklist.rowCount())]
    type_text(page.checklist, OTHER)
    qtbot.keyClick(page.checklist, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 1 and page.name.text() == "Lê Thị Hoa"
    assert [page.checklist.item(r, 3).text() for r in range(page.checklist.rowCount())] == before


def test_card_scanned_onto_the_focused_accept_button_decides_nothing(qtbot: QtBot, page: ReceptionPage,
                                                                     tmp_path: Path) -> None:
    """The name's first space would have pressed the focused «Tiếp nhận» button."""
    from counter_app.ui.qt import QApplication, QKeyEvent

    _to_decision(qtbot, page)
    for ch in OTHER:  # a space arrives as the Space key, as from a keyboard-wedge scanner
        key = int(Qt.Key.Key_Space) if ch == " " else 0
        for kind in (QKeyEvent.Type.KeyPress, QKeyEvent.Type.KeyRelease):
            QApplication.sendEvent(page.accept_btn, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, ch))
    assert page.result is None and page.stack.currentIndex() == 3  # no space pressed the button
    qtbot.keyClick(page.accept_btn, Qt.Key.Key_Return)
    assert page.result is None and _count(tmp_path) == 0
    assert page.stack.currentIndex() == 1 and page.name.text() == "Lê Thị Hoa"


def test_a_scanner_without_a_final_enter_is_read_too(qtbot: QtBot, page: ReceptionPage) -> None:
    page.new_dossier()
    type_text(page.search, "khai sinh")
    type_text(page.search, OTHER)  # no Enter after the text
    qtbot.waitUntil(lambda: page.name.text() == "Lê Thị Hoa", timeout=3000)
    assert page.search.text() == "khai sinh" and page.stack.currentIndex() == 0 and page.procedure is None
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.stack.currentIndex() == 1 and page.name.text() == "Lê Thị Hoa"
