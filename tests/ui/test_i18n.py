"""Issue #14: Qt's own dialogs (buttons, print preview, print and file dialogs) speak Vietnamese."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from counter_app.ui.i18n import QT_STRINGS_VI, install_translations
from counter_app.ui.qt import (
    QAction,
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPrinter,
    QPrintPreviewDialog,
    QPushButton,
)


@pytest.fixture
def vietnamese(qapp: QApplication) -> Iterator[None]:
    translators = install_translations(qapp)
    yield
    for t in translators:
        qapp.removeTranslator(t)


def test_standard_buttons_are_vietnamese(qtbot: QtBot, vietnamese: None) -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, "Bản số hóa không đạt", "?",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == ["Hủy", "Đồng ý"]
    dialog = QInputDialog()  # the supervisor's quality-rejection reason is asked through one of these
    qtbot.addWidget(dialog)
    dialog.show()
    texts = {b.text() for b in dialog.findChild(QDialogButtonBox).buttons()}
    assert texts == {"Đồng ý", "Hủy"}


def test_print_preview_toolbar_is_vietnamese(qtbot: QtBot, vietnamese: None) -> None:
    printer = QPrinter()
    dlg = QPrintPreviewDialog(printer)
    qtbot.addWidget(dlg)
    dlg.show()
    names = {a.text() for a in dlg.findChildren(QAction) if a.text()}
    assert {"In", "Thiết lập trang", "Trang sau", "Phóng to"} <= names
    english = {source for (context, source) in QT_STRINGS_VI if context == "QPrintPreviewDialog"}
    assert not names & english, names & english


def test_qt_file_dialog_is_vietnamese(qtbot: QtBot, vietnamese: None, tmp_path: object) -> None:
    dlg = QFileDialog(None, "Chọn ảnh thẻ CCCD", str(tmp_path), "Ảnh (*.jpg)")
    dlg.setOption(QFileDialog.Option.DontUseNativeDialog)  # what Linux shows without a desktop portal
    qtbot.addWidget(dlg)
    dlg.show()
    labels = {w.text() for w in dlg.findChildren(QLabel) if w.text()}
    buttons = {w.text() for w in dlg.findChildren(QPushButton) if w.text()}
    assert {"&Tìm trong:", "&Tên tệp:", "&Loại tệp:"} <= labels, labels
    assert "&Mở" in buttons and "Hủy" in buttons, buttons
