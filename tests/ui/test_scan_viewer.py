"""The scan viewer: an encrypted, signed scan opens from the dossier detail, decrypted in memory,
with thumbnails, zoom and the signature status (real pipeline, real pyHanko, real PDFium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counter_app import vault
from counter_app.db.database import CounterDB
from counter_app.scanning import output as out
from counter_app.scanning import signing
from counter_app.services.digitise import store_component
from counter_app.ui.dossier_detail import DossierDetail
from counter_app.ui.qt import Qt
from counter_app.ui.scan_viewer import ScanViewer, check_signature_text
from counter_app.ui.tasks import DbWorker
from tests.trust.trust_helpers import T0, make_data_dir, receive_one, small_page

PASS = "Mật khẩu mã hóa của phường"
OFFICER = "Nguyễn Thị Hằng"


@pytest.fixture(scope="module")
def officer(tmp_path_factory: pytest.TempPathFactory) -> signing.OfficerSigner:
    p12 = signing.create_demo_certificate(OFFICER, tmp_path_factory.mktemp("cert") / "o.p12", "pw", days=30)
    return signing.OfficerSigner.from_pkcs12(p12, "pw")


@pytest.fixture
def scanned(tmp_path: Path, officer: signing.OfficerSigner) -> Iterator[tuple[Path, int, out.ComponentFile]]:
    """An encrypted data directory with one dossier whose declaration (TK) is a signed 3-page scan."""
    data, cdb = make_data_dir(tmp_path / "data")
    vault.setup_encryption(data.root, PASS)
    cdb.close()
    cdb = CounterDB(data.database)  # reopened: the database picks up the keys
    did = receive_one(cdb)
    comp = int(cdb.scalar("SELECT id FROM dossier_components WHERE dossier_id = ? AND component_code = 'TK'", (did,)))
    meta = out.ScanMeta(dossier_code="", component_code="", officer_name=OFFICER, scanned_at=T0,
                        agency_name="Trung tâm PVHCC phường Ba Đình", officer_id=1)
    f = store_component(cdb, data.root, comp, [small_page(i) for i in range(3)], meta, officer, 3)
    cdb.close()
    yield data.root, did, f
    vault.lock(data.root)


def test_detail_opens_the_encrypted_signed_scan_with_pages_zoom_and_signature(
        qtbot: QtBot, scanned: tuple[Path, int, out.ComponentFile]) -> None:
    root, did, f = scanned
    assert not f.path.read_bytes().startswith(b"%PDF")  # on disk: an envelope no PDF reader opens
    worker = DbWorker(root / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    try:
        dlg = DossierDetail(worker, root, did)
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitUntil(lambda: dlg.comp_table is not None and "Đã số hóa" in dlg.comp_table.item(0, 4).text(),
                        timeout=10000)
        dlg.activateWindow()
        qtbot.waitUntil(dlg.isActiveWindow, timeout=5000)
        qtbot.keyClick(dlg.comp_table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: getattr(dlg, "last_viewer", None) is not None, timeout=10000)
        viewer: ScanViewer = dlg.last_viewer  # type: ignore[attr-defined]
        qtbot.waitUntil(lambda: viewer.thumbs.count() == 3 and viewer.page_label.pixmap() is not None
                        and not viewer.page_label.pixmap().isNull(), timeout=15000)
        assert "Tờ khai" in viewer.windowTitle()
        qtbot.waitUntil(lambda: viewer.signature is not None, timeout=15000)
        assert viewer.signature is not None and viewer.signature.level == "warn"  # demo cert: not on the trust list
        assert f"Đã ký số bởi {OFFICER}" in viewer.sig_label.text() and "hợp lệ" in viewer.sig_label.text()
        # Zoom: the small test page fits the width at the top zoom; one step out renders it narrower.
        width = viewer.page_label.pixmap().width()
        viewer.step_zoom(-1)
        qtbot.waitUntil(lambda: viewer.page_label.pixmap().width() < width, timeout=10000)
        viewer.thumbs.setCurrentRow(2)
        qtbot.waitUntil(lambda: viewer.info.text().startswith("Trang 3/3"), timeout=10000)
        viewer.close()
        # Viewing a citizen's papers is recorded (Nghị định 13/2023).
        cdb = CounterDB(root / "counter.sqlite3")
        assert cdb.scalar("SELECT count(*) FROM audit_log WHERE action = 'view_citizen' AND object_type = 'file'") == 1
        cdb.close()
    finally:
        worker.stop()


def test_signature_status_of_a_tampered_and_an_unsigned_scan(
        scanned: tuple[Path, int, out.ComponentFile]) -> None:
    _root, _did, f = scanned
    pdf = vault.load_path(f.path)
    assert check_signature_text(pdf).level == "warn"
    # Change one byte inside the signed range (the page content): the signature no longer holds.
    at = pdf.index(b"stream") + 200
    tampered = pdf[:at] + bytes([pdf[at] ^ 0x01]) + pdf[at + 1:]
    view = check_signature_text(tampered)
    assert view.level == "bad" and "KHÔNG hợp lệ" in view.text
    unsigned = out.build_component_pdf([small_page(0)], out.ScanMeta(
        dossier_code="X", component_code="TK", officer_name=OFFICER, scanned_at=T0, agency_name="A"),
        out.OutputOptions())
    assert check_signature_text(unsigned).level == "none"


def test_a_file_that_cannot_be_decrypted_says_so_in_vietnamese(
        qtbot: QtBot, scanned: tuple[Path, int, out.ComponentFile]) -> None:
    _root, _did, f = scanned
    raw = bytearray(f.path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    f.path.write_bytes(bytes(raw))
    viewer = ScanViewer(f.path, "Tờ khai")
    qtbot.addWidget(viewer)
    qtbot.waitUntil(lambda: viewer.error is not None, timeout=10000)
    assert viewer.error and "tệp" in viewer.error.lower()
    assert viewer.thumbs.count() == 0


def test_zoom_keys_work_with_and_without_shift(qtbot: QtBot, scanned: tuple[Path, int, out.ComponentFile]) -> None:
    """Under X11, Ctrl+= was both our shortcut and the platform's ZoomIn: ambiguous, so nothing zoomed."""
    _root, _did, f = scanned
    viewer = ScanViewer(f.path, "Tờ khai")
    qtbot.addWidget(viewer)
    viewer.show()
    qtbot.waitUntil(lambda: viewer.page_label.pixmap() is not None and not viewer.page_label.pixmap().isNull(),
                    timeout=15000)
    viewer.activateWindow()
    qtbot.waitUntil(viewer.isActiveWindow, timeout=5000)
    viewer.zoom = 0.5
    for key, mods in ((Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier),
                      (Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)):
        before = viewer.current_zoom()
        qtbot.keyClick(viewer, key, mods)
        assert viewer.current_zoom() > before, (key, mods)
    qtbot.keyClick(viewer, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert viewer.current_zoom() == 0.67
