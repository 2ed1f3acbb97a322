"""The scanning station end to end: a 20-page batch streams in, is processed off the UI thread
(the event loop keeps turning: no stall > 100 ms), is assigned and saved as a signed PDF — built and
signed on the pool while the database thread keeps answering (issue #17)."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import cv2
import pytest
from pytestqt.qtbot import QtBot

from counter_app.db import dossiers as repo
from counter_app.db.database import CounterDB
from counter_app.domain.calendar import WorkCalendar
from counter_app.scanning.signing import OfficerSigner, check_signature, create_demo_certificate, load_certificate
from counter_app.services.session import Actor
from counter_app.ui.qt import Qt, QTimer
from counter_app.ui.scan_station import ScanStationPage
from counter_app.ui.tasks import DbWorker
from counter_dev.testpages import generate_set
from tests.factories import make_db

ACTOR = Actor(1, "admin", "Quản trị viên", "admin")  # the account make_db creates, signed in


def _use_signer(page: ScanStationPage, signer: OfficerSigner) -> None:
    """As if the signed-in officer had typed the certificate passphrase once this session."""
    page._cached_signer, page._signer_officer = signer, page.officer_id


@pytest.fixture
def station(qtbot: QtBot, tmp_path: Path) -> Iterator[tuple[ScanStationPage, int, Path]]:
    cdb = make_db(tmp_path / "counter.sqlite3")
    r = repo.receive(cdb, repo.ReceptionInput(
        procedure_code="1.001193",
        applicant=repo.ApplicantInput(full_name="Phạm Thị Hoa", id_number="001190012345"),
        components=[repo.ComponentInput("TK"), repo.ComponentInput("GCS"), repo.ComponentInput("CCCD", "shown")],
    ), WorkCalendar.default(), now=datetime(2026, 10, 5, 9, 0))
    cdb.close()
    worker = DbWorker(tmp_path / "counter.sqlite3")
    with qtbot.waitSignal(worker.ready, timeout=10000):
        worker.start()
    page = ScanStationPage(worker, tmp_path)
    page.set_actor(ACTOR)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show()
    yield page, r.dossier_id, tmp_path
    worker.stop()


def _write_batch(folder: Path, n: int) -> list[str]:
    paths = []
    from PIL import Image

    for i, p in enumerate(generate_set(11, n)):
        path = folder / f"page-{i:02d}.jpg"
        # The files state 200 dpi, as a scanner's do (the pages are then half-size sheets): without
        # a dpi the pipeline now measures these 100-dpi pages as what they are, and the ≥ 200 dpi
        # rule refuses to save them (that path: test_output's untrusted-dpi test).
        Image.fromarray(cv2.cvtColor(p.image, cv2.COLOR_BGR2RGB)).save(path, quality=90, dpi=(200, 200))
        paths.append(str(path))
    return paths


def test_batch_keeps_event_loop_turning_and_saves_signed_pdf(
        qtbot: QtBot, station: tuple[ScanStationPage, int, Path]) -> None:
    page, dossier_id, root = station
    page.select_dossier(dossier_id)
    qtbot.waitUntil(lambda: page.dossier is not None and page.comp_table.rowCount() == 2, timeout=10000)
    paths = _write_batch(root, 20)

    ticks: list[float] = []
    beat = QTimer()
    beat.setInterval(10)
    beat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    beat.start()
    page.import_files(paths)
    qtbot.waitUntil(lambda: page.session is not None and len(page.session.pages) == 20
                    and page.pending == 0 and page.acquire_thread is None, timeout=120000)
    beat.stop()
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > 20
    worst = max(gaps) * 1000
    print(f"heartbeat: {len(ticks)} ticks, worst gap {worst:.0f} ms")
    assert worst < 100, f"event loop stalled {worst:.0f} ms"

    session = page.session
    assert session is not None
    assert all(p.state == "processed" for p in session.pages)
    assert page.strip.count() == 20
    # Assign the non-blank pages: first half to the declaration, rest to the birth certificate.
    keep = [p.uid for p in session.pages if not p.blank]
    session.assign(keep[: len(keep) // 2], page.components[0]["id"])
    session.assign(keep[len(keep) // 2:], page.components[1]["id"])
    cert = create_demo_certificate("Nguyễn Thị Lan", root / "officer.p12", "pw")
    _use_signer(page, OfficerSigner.from_pkcs12(cert, "pw"))
    page.save()
    qtbot.waitUntil(lambda: "Đã lưu" in page.status.text(), timeout=120000)

    cdb = CounterDB(root / "counter.sqlite3")
    files = cdb.query("SELECT * FROM files WHERE dossier_id = ? AND kind = 'scan'", (dossier_id,))
    assert len(files) == 2 and all(f["signed"] for f in files)
    assert sum(f["page_count"] for f in files) == len(keep)
    pdf = (root / files[0]["path"]).read_bytes()
    assert check_signature(pdf, [load_certificate(cert, "pw")]).intact
    assert cdb.scalar("SELECT count(*) FROM outbox WHERE kind = 'file'") == 2
    assert not any((root / "tmp" / "scan-sessions").glob("*/manifest.json")), "session folder kept after save"


def test_rotate_delete_reorder_and_crash_recovery(qtbot: QtBot, station: tuple[ScanStationPage, int, Path]) -> None:
    page, dossier_id, root = station
    page.select_dossier(dossier_id)
    qtbot.waitUntil(lambda: page.dossier is not None, timeout=10000)
    page.import_files(_write_batch(root, 4))
    qtbot.waitUntil(lambda: page.session is not None and len(page.session.pages) == 4
                    and page.pending == 0 and page.acquire_thread is None, timeout=60000)
    session = page.session
    assert session is not None
    first = session.pages[0].uid
    h, w = session.images(first).shape[:2]
    page.strip.setCurrentRow(0)
    page.strip.item(0).setSelected(True)
    page.rotate(90)
    qtbot.waitUntil(lambda: session.get(first).extra_rotation == 90, timeout=10000)
    assert session.images(first).shape[:2] == (w, h)
    session.move(first, 3)
    assert session.pages[3].uid == first
    page.strip.clearSelection()
    page.strip.item(1).setSelected(True)
    removed = page.strip.item(1).data(Qt.ItemDataRole.UserRole)
    page.delete_pages()
    assert len(session.pages) == 3 and removed not in [p.uid for p in session.pages]
    # A power cut now: the session folder alone brings every page back, in order, rotated.
    from counter_app.scanning.session import ScanSession

    again = ScanSession.reopen(session.folder)
    assert [p.uid for p in again.pages] == [p.uid for p in session.pages]
    assert again.get(first).extra_rotation == 90


def test_buttons_with_optional_arguments_can_be_clicked(
        qtbot: QtBot, station: tuple[ScanStationPage, int, Path]) -> None:
    """QPushButton.clicked passes `checked`; a slot with an optional argument must not receive it."""
    from counter_app.ui.qt import QApplication

    page, _dossier_id, _root = station
    closed = []

    def close_dialog() -> None:
        dlg = QApplication.activeModalWidget()
        if dlg is not None:
            closed.append(type(dlg).__name__)
            dlg.close()

    QTimer.singleShot(300, close_dialog)
    page.import_btn.click()  # opens the file dialog; a TypeError here fails the test via pytest-qt
    assert closed == ["QFileDialog"]
    assert page.acquire_thread is None


def _page_video(path: Path) -> None:
    """A recorded document-camera session: hands moving, a page lying still, moving, another page still."""
    import numpy as np

    rng = np.random.default_rng(3)
    pages = [p.image for p in generate_set(21, 3) if not p.truth.blank][:2]
    size = (640, 480)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    for page in pages:
        still = cv2.resize(page, size)
        for _ in range(8):
            writer.write(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
        for _ in range(16):
            writer.write(still)
    writer.release()


def test_document_camera_live_preview_and_auto_capture(
        qtbot: QtBot, station: tuple[ScanStationPage, int, Path]) -> None:
    from counter_app.scanning.sources.camera import CameraSource

    page, dossier_id, root = station
    page.select_dossier(dossier_id)
    qtbot.waitUntil(lambda: page.dossier is not None, timeout=10000)
    video = root / "camera.avi"
    _page_video(video)
    page.start_scan(CameraSource(str(video)))
    qtbot.waitUntil(lambda: page.acquire_thread is None and page.pending == 0, timeout=60000)
    assert page.session is not None and len(page.session.pages) == 2  # one capture per still page, none in motion
    assert page.preview.pixmap() is not None and not page.preview.pixmap().isNull()


def test_receipt_as_first_page_selects_its_dossier(qtbot: QtBot, station: tuple[ScanStationPage, int, Path]) -> None:
    """The officer puts the printed receipt on top of the papers: its QR picks the dossier, and the
    receipt itself is not kept as a page of any component."""
    import pypdfium2 as pdfium

    from counter_app.documents.model import FormKind
    from counter_app.services.forms import render_form

    page, dossier_id, root = station
    cdb = CounterDB(root / "counter.sqlite3")
    code = cdb.scalar("SELECT code FROM dossiers WHERE id = ?", (dossier_id,))
    pdf = render_form(cdb, dossier_id, FormKind.RECEIPT)
    receipt = root / "receipt.png"
    pdfium.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil().save(receipt)  # a 200-dpi "scan"
    paths = [str(receipt), *_write_batch(root, 2)]
    assert page.dossier is None
    page.import_files(paths)
    qtbot.waitUntil(lambda: page.dossier is not None and page.acquire_thread is None and page.pending == 0,
                    timeout=60000)
    assert page.dossier["code"] == code
    assert page.session is not None and len(page.session.pages) == 2 and page.strip.count() == 2
    assert page.session.dossier_id == dossier_id


def test_station_fits_a_1024_px_screen(station: tuple[ScanStationPage, int, Path]) -> None:
    """Ward PCs with 1024×768 screens: the device row once forced 1065 px (issue #13)."""
    page, _dossier_id, _root = station
    assert page.minimumSizeHint().width() <= 1000  # room for the window frame


def test_thumbnails_say_warnings_in_vietnamese_and_r_turns_the_page(
        qtbot: QtBot, station: tuple[ScanStationPage, int, Path]) -> None:
    """A page the pipeline is unsure of shows it on its thumbnail in plain words (never an internal
    code), and one key turns it (issue #13)."""
    from counter_app.scanning.pipeline import WARN_ORIENTATION_UNSURE, WARNING_TEXT, describe_warning

    page, dossier_id, root = station
    page.select_dossier(dossier_id)
    qtbot.waitUntil(lambda: page.dossier is not None, timeout=10000)
    page.import_files(_write_batch(root, 2))
    qtbot.waitUntil(lambda: page.session is not None and len(page.session.pages) == 2
                    and page.pending == 0 and page.acquire_thread is None, timeout=60000)
    session = page.session
    assert session is not None
    first = session.pages[0]
    first.warnings = [WARN_ORIENTATION_UNSURE, "blur"]  # as the pipeline reports an unsure page
    page._refresh_item(first.uid)
    item = page.strip.item(0)
    assert describe_warning(WARN_ORIENTATION_UNSURE, short=True) in item.text()
    assert WARNING_TEXT[WARN_ORIENTATION_UNSURE] in item.toolTip()
    assert not any(code in item.text() + item.toolTip() for code in WARNING_TEXT), "internal code shown"

    h, w = session.images(first.uid).shape[:2]
    page.strip.setCurrentRow(0)
    page.strip.clearSelection()
    item.setSelected(True)
    page.strip.setFocus()
    qtbot.waitUntil(page.strip.hasFocus, timeout=5000)
    qtbot.waitUntil(lambda: "xoay 0°" in page.page_info.text(), timeout=5000)
    before = page.strip.item(0).icon().availableSizes()[0]
    qtbot.keyClick(page.strip, Qt.Key.Key_R)
    qtbot.waitUntil(lambda: session.get(first.uid).extra_rotation == 90, timeout=10000)
    assert session.images(first.uid).shape[:2] == (w, h)
    # The thumbnail itself is turned (its sides swap), and the page info says the new angle.
    qtbot.waitUntil(lambda: page.strip.item(0).icon().availableSizes()[0].transposed() == before, timeout=5000)
    assert before.width() != before.height()
    qtbot.waitUntil(lambda: "xoay 90°" in page.page_info.text(), timeout=5000)
    assert "xoay 90°" in page.strip.item(0).toolTip()
    qtbot.waitUntil(lambda: WARN_ORIENTATION_UNSURE not in session.get(first.uid).warnings, timeout=5000)
    qtbot.waitUntil(lambda: describe_warning(WARN_ORIENTATION_UNSURE, short=True) not in page.strip.item(0).text(),
                    timeout=5000)


def _ten_page_session(page: ScanStationPage, component_id: int) -> None:
    """A fresh session holding a 10-page component (A4 at 200 dpi, as a scanner delivers it)."""
    page.new_session()
    session = page.session
    assert session is not None
    sheets = [p.image for p in generate_set(5, 10)]
    for img in sheets:
        a4 = cv2.resize(img, (1654, 2339))
        session.assign([session.add(a4, 200).uid], component_id)


def _list_latencies(qtbot: QtBot, page: ScanStationPage, until: object) -> list[tuple[float, float]]:
    """Submit the dossier list's query to the database worker every 5 ms until ``until()``; for each,
    the ms from submit until the database thread had the answer, and until the UI thread got it."""
    from counter_app.db.dossiers import list_dossiers

    waits: list[tuple[float, float]] = []

    def ask() -> None:
        t0 = time.perf_counter()
        answered: list[float] = []

        def query(cdb: CounterDB) -> object:
            rows = list_dossiers(cdb)
            answered.append(time.perf_counter())
            return rows

        page.worker.submit(query, lambda _rows: waits.append(
            ((answered[0] - t0) * 1000, (time.perf_counter() - t0) * 1000)))

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(ask)
    timer.start()
    qtbot.waitUntil(until, timeout=120000)  # type: ignore[arg-type]
    timer.stop()
    qtbot.wait(100)  # (not an assertion: lets the answers still in flight arrive to be counted)
    return waits


def test_saving_ten_pages_leaves_the_database_thread_free(
        qtbot: QtBot, station: tuple[ScanStationPage, int, Path]) -> None:
    """Issue #17: a dossier-list query submitted while a 10-page component is built and signed
    answers in < 50 ms (nine in ten; none waits a second) — the PDF work runs on the pool, only the
    short registering uses the database thread. (With the whole save as one database job, as before issue #17, the worst
    answer took 1.0–7.5 s on the same machine: the query waited for the signing.)"""
    page, dossier_id, root = station
    page.select_dossier(dossier_id)
    qtbot.waitUntil(lambda: page.dossier is not None, timeout=10000)
    tk = page.components[0]["id"]
    cert = create_demo_certificate("Nguyễn Thị Lan", root / "officer.p12", "pw")
    signer = OfficerSigner.from_pkcs12(cert, "pw")

    _ten_page_session(page, tk)
    _use_signer(page, signer)
    page.save_btn.click()
    waits = _list_latencies(qtbot, page, lambda: "Đã lưu" in page.status.text())
    answered = sorted(w[0] for w in waits)
    round_trip = sorted(w[1] for w in waits)
    print(f"dossier-list query during a 10-page signed save ({len(waits)} queries): answered on the database "
          f"thread in worst {answered[-1]:.0f} ms (median {answered[len(waits) // 2]:.1f} ms); back on the UI "
          f"thread in worst {round_trip[-1]:.0f} ms")
    assert len(waits) >= 10, "the save was too quick to be measured against"
    # The database thread's answer is what the save must not hold up; the hop back to the UI thread
    # depends on how busy the whole machine is (the heartbeat test watches the UI thread).
    # Nine in ten answers in < 50 ms, none held for a second: the old design queued every query behind the
    # signing (1.0-7.5 s). The worst single answer is the scheduler's on a loaded machine (79-401 ms seen
    # beside a CI run or six other processes), so it gets the old design's best case as its bound.
    p90 = answered[len(answered) * 9 // 10]
    assert p90 < 50, f"one list query in ten waited {p90:.0f} ms or more behind the save"
    assert answered[-1] < 1000, f"a list query waited {answered[-1]:.0f} ms behind the save"
    cdb = CounterDB(root / "counter.sqlite3")
    rows = cdb.query("SELECT page_count, signed, created_by FROM files WHERE dossier_component_id = ?", (tk,))
    assert [(r["page_count"], r["signed"], r["created_by"]) for r in rows] == [(10, 1, ACTOR.user_id)]
    cdb.close()


def test_save_without_a_signed_in_officer_says_so(
        qtbot: QtBot, station: tuple[ScanStationPage, int, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """No "first officer" fallback (issue #17): nobody signed in, nothing is stored, and the officer
    reads why in Vietnamese."""
    import counter_app.ui.scan_station as ui_station

    shown: list[BaseException] = []
    monkeypatch.setattr(ui_station, "show_exception", lambda _parent, exc: shown.append(exc))
    page, dossier_id, root = station
    page.select_dossier(dossier_id)
    qtbot.waitUntil(lambda: page.dossier is not None, timeout=10000)
    session = page.session
    assert session is not None
    img = cv2.resize(next(iter(generate_set(5, 1))).image, (1654, 2339))
    session.assign([session.add(img, 200).uid], page.components[0]["id"])
    page.set_actor(None)
    page.save()
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "Chưa đăng nhập" in str(shown[0])
    assert page.save_btn.isEnabled()
    cdb = CounterDB(root / "counter.sqlite3")
    assert cdb.scalar("SELECT count(*) FROM files") == 0
    cdb.close()
