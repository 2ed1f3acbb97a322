"""Page «Số hóa»: scan a dossier's paper components into signed PDFs without freezing the window.

Acquisition runs in a QThread that streams pages from the source; each page is written to the
session folder at once (nothing scanned is lost) and processed on the thread pool; thumbnails appear
as pages arrive. The officer reorders by drag, rotates, deletes, rescans one page, adjusts corners,
assigns pages to components (or splits the batch at blank separator sheets), then saves: one signed
PDF per component.

Widgets only: the state (dossier, session, pending pages, component rows) and every use case live
in :mod:`counter_app.services.scan_station` (Qt-free). A save is a
:class:`~counter_app.services.scan_station.SaveRun`: PDFs are built and signed on the processing
pool, and only the short registering steps use the database thread (issue #17).
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from counter_app.errors import CounterError
from counter_app.scanning.pipeline import describe_warning
from counter_app.scanning.session import ScanPage, ScanSession
from counter_app.scanning.sources.base import AcquiredPage, CancelToken, ScanSettings, ScanSource
from counter_app.services.scan_station import (
    SaveRun,
    ScanStation,
    SigningSetup,
    load_dossier,
    recover_interrupted_saves,
    rescan_tasks_for,
    signing_setup,
)
from counter_app.services.session import Actor, actor_from_user
from counter_app.ui.errors import ERROR_COLOUR, error_html, ok_html, show_exception
from counter_app.ui.qt import (
    QAbstractItemView,
    QColor,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QIcon,
    QImage,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QProgressBar,
    QPushButton,
    QShortcut,
    QSize,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QThread,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.tasks import DbWorker, processing_pool, run_in_pool

log = logging.getLogger(__name__)


def _ignore_result(fn: Callable[[str], None], uid: str, _result: object) -> None:
    """A pool callback that only needs to know which page is done."""
    fn(uid)


def _turned(page: ScanPage) -> int:
    """The page's whole turn as shown: the detector's orientation plus the officer's R presses."""
    return (int(page.orientation) + int(page.extra_rotation)) % 360


def to_qimage(image: np.ndarray) -> QImage:
    """BGR ndarray → QImage (copy, so the numpy buffer may go away)."""
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class AcquireThread(QThread):
    """Streams pages from a source into the session; never touches widgets."""

    page_added = Signal(str)          # page uid
    failed = Signal(object)           # exception
    done = Signal(int)                # pages acquired
    preview = Signal(object)          # QImage of the live camera picture

    def __init__(self, source: ScanSource, settings: ScanSettings, session: ScanSession,
                 replace_uid: str | None = None) -> None:
        super().__init__()
        self.source, self.settings, self.session = source, settings, session
        self.replace_uid = replace_uid
        self.cancel = CancelToken()
        self._last_preview = 0.0
        if hasattr(source, "on_preview"):
            source.on_preview = self._preview  # type: ignore[attr-defined]

    def _preview(self, frame: Any) -> None:
        # Called on this thread for every camera frame; ~8 previews a second is smooth enough and
        # leaves the CPU to the capture (conversion to QImage happens here, not on the UI thread).
        import time

        now = time.monotonic()
        if now - self._last_preview >= 0.12:
            self._last_preview = now
            self.preview.emit(to_qimage(frame.preview))

    def run(self) -> None:
        n = 0
        try:
            for page in self.source.pages(self.settings, self.cancel):
                self._store(page)
                n += 1
                if self.replace_uid is not None:
                    break
        except Exception as exc:
            self.failed.emit(exc)
        finally:
            self.done.emit(n)

    def _store(self, page: AcquiredPage) -> None:
        p = self.session.add(page.image, page.dpi, page.source, replace_uid=self.replace_uid,
                             dpi_estimated=bool(page.meta.get("dpi_estimated", False)))
        self.page_added.emit(p.uid)


class ScanStationPage(QWidget):
    """The scanning station."""

    saved = Signal(int)  # dossier id

    def __init__(self, worker: DbWorker, data_root: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.data_root = worker, data_root
        #: The controller: dossier, session, pending pages, component rows (Qt-free).
        self.station = ScanStation(data_root)
        self.sources: list[Any] = []
        self.acquire_thread: AcquireThread | None = None
        self._ending: set[AcquireThread] = set()
        self.show_processed = True
        self._qr_buffer = ""
        self._cached_signer: Any = None
        self._signer_officer: int | None = None
        self.signing: SigningSetup | None = None
        self.save_run: SaveRun | None = None
        self._build()

    # ------------------------------------------------------------------ controller state
    @property
    def session(self) -> ScanSession | None:
        """The scan session on screen (the controller's)."""
        return self.station.session

    @session.setter
    def session(self, value: ScanSession | None) -> None:
        self.station.session = value

    @property
    def dossier(self) -> dict[str, Any] | None:
        """The dossier being digitised."""
        return self.station.dossier

    @property
    def components(self) -> list[dict[str, Any]]:
        """Its components received on paper."""
        return self.station.components

    @property
    def pending(self) -> int:
        """Pages still in the pipeline."""
        return self.station.pending

    @property
    def actor(self) -> Actor | None:
        """The signed-in officer: the scans are recorded and signed under them."""
        return self.station.actor

    @property
    def officer_id(self) -> int | None:
        """The signed-in officer's id (None: nobody)."""
        return self.station.actor.user_id if self.station.actor is not None else None

    def set_actor(self, user: Any) -> None:
        """Who is signed in now (a ``db.accounts.User`` or an :class:`Actor`); None signs out."""
        actor = user if isinstance(user, Actor) or user is None else actor_from_user(user)
        changed = actor != self.station.actor
        self.station.actor = actor
        if changed:
            self.signing = None
            self._load_signing_cert()  # theirs, read now: the first Ctrl+S then asks only their passphrase

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.dossier_input = QLineEdit(placeholderText="Quét mã QR trên giấy tiếp nhận hoặc nhập mã hồ sơ, rồi Enter")
        self.dossier_input.setStyleSheet("font-size:15px; padding:5px; background:#fffbe6;")
        self.dossier_input.returnPressed.connect(self._dossier_entered)
        self._qr_timer = QTimer(self, singleShot=True, interval=250)
        self._qr_timer.timeout.connect(self._qr_complete)
        self.tasks_box = QComboBox()
        self.tasks_box.setToolTip("Thành phần bị giám sát đánh giá «không đạt», cần quét lại")
        self.tasks_box.activated.connect(self._task_chosen)
        self.tasks_box.hide()
        self.dossier_label = QLabel("Chưa chọn hồ sơ.")
        self.dossier_label.setTextFormat(Qt.TextFormat.RichText)
        self.source_box = QComboBox()
        self.source_box.setMinimumWidth(140)
        self.dpi_box = QComboBox()
        for d in (200, 300, 400):
            self.dpi_box.addItem(f"{d} dpi", d)
        self.dpi_box.setCurrentIndex(1)
        self.feed_box = QComboBox()
        for text, key in (("Mặt kính", "flatbed"), ("Khay nạp (ADF)", "adf"), ("ADF hai mặt", "adf_duplex")):
            self.feed_box.addItem(text, key)
        self.scan_btn = QPushButton("Quét  (F9)")
        self.scan_btn.setStyleSheet("font-weight:bold; padding:6px 14px;")
        self.scan_btn.clicked.connect(lambda: self.start_scan())
        self.import_btn = QPushButton("Nhập tệp…")
        self.import_btn.clicked.connect(lambda: self.import_files())
        self.capture_btn = QPushButton("Chụp  (F10)")
        self.capture_btn.setToolTip("Máy ảnh tài liệu tự chụp khi tờ giấy nằm yên; nhấn để chụp ngay")
        self.capture_btn.setEnabled(False)
        self.capture_btn.clicked.connect(self.capture_now)
        self.cancel_btn = QPushButton("Dừng")
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.cancel_scan)
        # Two rows: in one, the dossier box and the device controls forced 1065 px; a ward PC's
        # 1024-px screen must show the whole station (issue #13).
        top = QVBoxLayout()
        top.addWidget(self.dossier_input)
        devices = QHBoxLayout()
        devices.addWidget(QLabel("Nguồn:"))
        devices.addWidget(self.source_box, 1)
        devices.addWidget(self.dpi_box)
        devices.addWidget(self.feed_box)
        devices.addWidget(self.scan_btn)
        devices.addWidget(self.import_btn)
        devices.addWidget(self.capture_btn)
        devices.addWidget(self.cancel_btn)
        top.addLayout(devices)

        self.strip = QListWidget()
        self.strip.setViewMode(QListWidget.ViewMode.IconMode)
        self.strip.setIconSize(QSize(150, 200))
        self.strip.setGridSize(QSize(170, 262))
        self.strip.setWordWrap(True)
        self.strip.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.strip.setMovement(QListWidget.Movement.Snap)
        self.strip.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.strip.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.strip.model().rowsMoved.connect(lambda *_: self._order_changed())
        self.strip.currentItemChanged.connect(lambda *_: self._show_preview())
        self.preview = QLabel("Xem trước trang")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # Small enough for a 1024×768 screen with its taskbar (#14); the preview grows with the window.
        self.preview.setMinimumSize(240, 320)
        self.preview.setStyleSheet("background:#505050; color:#ddd;")
        self.page_info = QLabel()
        self.page_info.setWordWrap(True)

        tools = QHBoxLayout()
        for text, fn, key in (
            ("↺ Xoay trái", lambda: self.rotate(-90), "Ctrl+L"), ("↻ Xoay phải", lambda: self.rotate(90), "Ctrl+R"),
            ("Xóa trang", self.delete_pages, "Delete"), ("Quét lại trang", self.rescan_page, "Ctrl+Shift+R"),
            ("Chỉnh 4 góc…", self.adjust_corners, "Ctrl+K"), ("Trước / sau", self.toggle_before_after, "Ctrl+B"),
        ):
            b = QPushButton(text)
            b.setToolTip(key)
            b.clicked.connect(fn)
            tools.addWidget(b)
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)
        # One key on the page strip (not while typing a dossier code): R turns the selected page
        # a quarter clockwise, Shift+R back — the answer to a "Chiều?" cue on its thumbnail.
        for key, deg in (("R", 90), ("Shift+R", -90)):
            sc = QShortcut(QKeySequence(key), self.strip)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(lambda d=deg: self.rotate(d))

        self.comp_table = QTableWidget(0, 4)
        self.comp_table.setHorizontalHeaderLabels(
            ["Thành phần cần số hóa", "Trang đã gán", "Số trang giấy", "Tình trạng"])
        self.comp_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.comp_table.verticalHeader().setVisible(False)
        self.comp_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.comp_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.comp_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Double-click (or Enter on) a digitised component: its newest saved scan in the viewer (issue #14).
        self.comp_table.cellActivated.connect(self._view_saved_scan)
        assign = QPushButton("Gán trang đang chọn → thành phần đang chọn  (Ctrl+G)")
        assign.clicked.connect(self.assign_selected)
        split = QPushButton("Tách theo tờ trắng phân cách")
        split.clicked.connect(self.split_by_separators)
        self.save_btn = QPushButton("Lưu và ký số  (Ctrl+S)")
        self.save_btn.setStyleSheet("font-weight:bold; padding:6px 14px;")
        self.save_btn.clicked.connect(self.save)
        self.import_btn.setToolTip("Ctrl+I: nhập ảnh JPEG/PNG/TIFF hoặc tệp PDF làm các trang")
        for key, fn in (("Ctrl+G", self.assign_selected), ("Ctrl+S", self.save), ("F9", self.start_scan),
                        ("F10", self.capture_now), ("Ctrl+I", self.import_files)):
            sc = QShortcut(QKeySequence(key), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)
        comp_buttons = QHBoxLayout()
        comp_buttons.addWidget(assign)
        comp_buttons.addWidget(split)
        comp_buttons.addStretch(1)
        comp_buttons.addWidget(self.save_btn)

        self.progress = QProgressBar()
        self.progress.setFormat("%v/%m trang đã xử lý")
        self.status = QLabel()
        self.status.setWordWrap(True)

        middle = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.strip, 1)
        left.addLayout(tools)
        middle.addLayout(left, 3)
        right = QVBoxLayout()
        right.addWidget(self.preview, 1)
        right.addWidget(self.page_info)
        middle.addLayout(right, 2)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tasks_box)
        lay.addWidget(self.dossier_label)
        lay.addLayout(middle, 3)
        lay.addWidget(self.comp_table, 1)
        lay.addLayout(comp_buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)

    # ------------------------------------------------------------------ sources
    def refresh(self) -> None:
        """Discover scanners on the pool (SANE probing can take seconds)."""
        from counter_app.scanning.sources import DiscoveryConfig, discover_sources

        def discover() -> list[Any]:
            try:
                return discover_sources(DiscoveryConfig(camera_probe=2))
            except Exception:
                log.exception("scanner discovery failed")
                return []

        run_in_pool(discover, self._got_sources)
        root = self.data_root
        self.worker.submit(lambda cdb: recover_interrupted_saves(cdb, root), None,
                           lambda exc: log.warning("interrupted scan saves not checked: %s", exc))
        self.load_rescan_tasks()
        self._load_signing_cert()

    def _load_signing_cert(self) -> None:
        actor = self.actor
        if actor is None:
            return  # nobody signed in: nothing to sign with (a save says so)
        # Read here, once, so signing never queries the database.
        self.worker.submit(lambda cdb: signing_setup(cdb, actor), lambda setup: setattr(self, "signing", setup),
                           lambda exc: log.warning("signing setup not read: %s", exc))

    def load_rescan_tasks(self) -> None:
        """Components a supervisor rejected that this officer must scan again."""
        actor = self.actor
        self.worker.submit(lambda cdb: rescan_tasks_for(cdb, actor), self._got_tasks)

    def _got_tasks(self, tasks: list[dict[str, Any]]) -> None:
        self.tasks_box.clear()
        if not tasks:
            self.tasks_box.hide()
            return
        self.tasks_box.addItem(f"⚠ {len(tasks)} thành phần cần quét lại — chọn để mở hồ sơ", None)
        for t in tasks:
            label = f"{t['code']} · {t['component_name']} · lý do: {t['reason'] or '—'}"
            self.tasks_box.addItem(label, t["dossier_id"])
        self.tasks_box.show()

    def _task_chosen(self, index: int) -> None:
        dossier_id = self.tasks_box.itemData(index)
        if dossier_id is not None:
            self.select_dossier(int(dossier_id))

    def _got_sources(self, infos: list[Any]) -> None:
        self.sources = infos
        self.source_box.clear()
        for info in infos:
            self.source_box.addItem(getattr(info, "label", None) or info.id, info)
        if not infos:
            self.source_box.addItem("(không tìm thấy máy quét — dùng «Nhập tệp…»)", None)

    # ------------------------------------------------------------------ dossier
    def _dossier_entered(self) -> None:
        text = self.dossier_input.text()
        if text.strip() == "QMC1" or self._qr_buffer:
            # A handheld scanner types the multi-line receipt QR as lines ending with Enter.
            self._qr_buffer += text + "\n"
            self.dossier_input.clear()
            self._qr_timer.start()
            return
        self.select_dossier(text.strip())

    def _qr_complete(self) -> None:
        from counter_app.documents.qr import parse_qr_payload

        text, self._qr_buffer = self._qr_buffer + self.dossier_input.text(), ""
        self.dossier_input.clear()
        try:
            code = parse_qr_payload(text).get("dossier_code", "")
        except CounterError as exc:
            self.status.setText(error_html(exc))
            return
        self.select_dossier(code)

    def select_dossier(self, code_or_id: str | int) -> None:
        """Load a dossier and its components to digitise (received, not only shown)."""
        self.worker.submit(lambda cdb: load_dossier(cdb, code_or_id), self._dossier_loaded)

    def _dossier_loaded(self, res: tuple[dict[str, Any] | None, list[dict[str, Any]]]) -> None:
        d, comps = res
        if d is None:
            self.status.setText(error_html("Không tìm thấy hồ sơ với mã này."))
            return
        self.dossier_label.setText(f"Hồ sơ <b>{d['code']}</b> — {d['applicant_name']} — {len(comps)} thành phần "
                                   "cần số hóa")
        if self.station.adopt_dossier(d, comps):
            self._session_started()
        # The table is rebuilt for this dossier's components (typed page counts start from the database).
        self.comp_table.setRowCount(0)
        self._fill_components()
        if not getattr(self, "_keep_status", False):
            self.status.setText("Đặt giấy vào máy quét rồi nhấn F9.")
        self._keep_status = False

    def new_session(self) -> None:
        """Start an empty session folder for the current dossier."""
        self.station.new_session()
        self._session_started()

    def _session_started(self) -> None:
        self.strip.clear()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)

    def _typed_counts(self) -> list[int]:
        """The paper page counts typed in the table, row by row (0 = none)."""
        counts = []
        for r in range(self.comp_table.rowCount()):
            spin = self.comp_table.cellWidget(r, 2)
            counts.append(spin.value() if isinstance(spin, QSpinBox) else 0)
        return counts

    def _fill_components(self) -> None:
        typed = self._typed_counts() if self.comp_table.rowCount() == len(self.components) else None
        rows = self.station.component_rows(typed)
        self.comp_table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            self.comp_table.setItem(r, 0, QTableWidgetItem(row.name))
            self.comp_table.setItem(r, 1, QTableWidgetItem(str(row.pages)))
            if self.comp_table.cellWidget(r, 2) is None:
                spin = QSpinBox(minimum=0, maximum=999)
                spin.setValue(row.declared)
                spin.setToolTip("Số trang giấy thực tế (để đối chiếu số ảnh = số trang, TT 01/2023 Đ8)")
                spin.valueChanged.connect(lambda _v: self._fill_components())
                self.comp_table.setCellWidget(r, 2, spin)
            self.comp_table.setItem(r, 3, QTableWidgetItem(row.state))
        if rows and self.comp_table.currentRow() < 0:
            self.comp_table.selectRow(0)

    # ------------------------------------------------------------------ scanning
    def _settings(self) -> ScanSettings:
        return ScanSettings(dpi=int(self.dpi_box.currentData()), source=self.feed_box.currentData())

    def start_scan(self, source: ScanSource | None = None, replace_uid: str | None = None) -> None:
        """Scan a batch (or one page in place of ``replace_uid``) from the chosen source."""
        if self.acquire_thread is not None:
            return
        if self.session is None:
            self.new_session()
        if source is None:
            info = self.source_box.currentData()
            if info is None:
                self.status.setText(error_html("Chưa có máy quét. Dùng «Nhập tệp…» hoặc cài đặt máy quét."))
                return
            from counter_app.scanning.sources import open_source

            try:
                source = open_source(info)
            except CounterError as exc:
                show_exception(self, exc)
                return
        assert self.session is not None
        self.acquire_thread = AcquireThread(source, self._settings(), self.session, replace_uid)
        # `done` is the thread's last signal but the QThread still runs for a moment after it; Qt
        # aborts the process if the object is freed before `finished`, so it is held until then.
        self.acquire_thread.finished.connect(self._thread_ended)
        self.acquire_thread.page_added.connect(self._page_added)
        self.acquire_thread.preview.connect(lambda qi: self.preview.setPixmap(QPixmap.fromImage(qi).scaled(
            self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio)))
        self.capture_btn.setEnabled(hasattr(source, "trigger_capture"))
        self.acquire_thread.failed.connect(self._scan_failed)
        self.acquire_thread.done.connect(self._scan_done)
        self.scan_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.status.setText("Đang quét…")
        self.acquire_thread.start()

    def import_files(self, paths: list[str] | None = None) -> None:
        """Import JPEG/PNG/TIFF/PDF files as pages."""
        if paths is None:
            from counter_app.ui.qt import QFileDialog

            paths, _ = QFileDialog.getOpenFileNames(self, "Chọn tệp ảnh hoặc PDF", "",
                                                    "Ảnh, PDF (*.jpg *.jpeg *.png *.tif *.tiff *.pdf)")
            if not paths:
                return
        from counter_app.scanning.sources.fileimport import FileImportSource

        self.start_scan(FileImportSource([Path(p) for p in paths]))

    def capture_now(self) -> None:
        """Manual trigger of a document camera (the sheet will not lie still, or auto-capture is off)."""
        if self.acquire_thread is not None and hasattr(self.acquire_thread.source, "trigger_capture"):
            self.acquire_thread.source.trigger_capture()

    def cancel_scan(self) -> None:
        """Stop the batch after the current page (pages already scanned are kept)."""
        if self.acquire_thread is not None:
            self.acquire_thread.cancel.cancel()

    def _thread_ended(self) -> None:
        self._ending.discard(self.sender())  # type: ignore[arg-type]

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """The window closes: stop a running batch after its current page and wait for the scanner
        thread (pages already scanned are on disk in the session folder)."""
        for t in [self.acquire_thread, *self._ending]:
            if t is not None:
                t.cancel.cancel()
                t.wait(timeout_ms)

    def _page_added(self, uid: str) -> None:
        assert self.session is not None
        items = {self.strip.item(i).data(Qt.ItemDataRole.UserRole): self.strip.item(i)
                 for i in range(self.strip.count())}
        if uid not in items:
            replaced = self.acquire_thread.replace_uid if self.acquire_thread else None
            if replaced and replaced in items:
                item = items[replaced]
                item.setData(Qt.ItemDataRole.UserRole, uid)
            else:
                item = QListWidgetItem()
                item.setData(Qt.ItemDataRole.UserRole, uid)
                self.strip.addItem(item)
        self._refresh_item(uid)
        self.station.page_queued()
        self.progress.setMaximum(self.progress.value() + self.pending)
        session = self.session
        run_in_pool(lambda: session.process(uid), lambda _p: self._processed(uid),
                    lambda e: self._process_failed(uid, e), processing_pool())

    def _processed(self, uid: str) -> None:
        if self.dossier is None and self.session is not None and self.session.pages \
                and self.session.pages[0].uid == uid:
            self._try_receipt_qr(uid)
        self.station.page_finished()
        self.progress.setValue(self.progress.value() + 1)
        self._refresh_item(uid)
        if self.strip.currentItem() is None and self.strip.count():
            self.strip.setCurrentRow(0)
        elif self.strip.currentItem() and self.strip.currentItem().data(Qt.ItemDataRole.UserRole) == uid:
            self._show_preview()
        self._fill_components()
        if not self.pending and self.acquire_thread is None:
            self.status.setText(self._summary())

    def _try_receipt_qr(self, uid: str) -> None:
        """No dossier chosen yet: if the first page is our receipt, its QR says which dossier this is."""
        from counter_app.documents.qr import parse_qr_payload
        from counter_app.services.qrimage import decode_qr

        session = self.session
        assert session is not None

        def read() -> str:
            # The original scan: the QR is read as the scanner saw it, whatever the pipeline did.
            return parse_qr_payload(decode_qr(session.images(uid, processed=False))).get("dossier_code", "")

        def found(code: str) -> None:
            if not code or self.session is not session:
                return
            # The receipt identified the dossier; it is not one of the dossier's components.
            session.delete(uid)
            for i in range(self.strip.count()):
                if self.strip.item(i).data(Qt.ItemDataRole.UserRole) == uid:
                    self.strip.takeItem(i)
                    break
            self.status.setText(f"Đã nhận ra giấy tiếp nhận của hồ sơ <b>{code}</b>.")
            self._keep_status = True
            self.select_dossier(code)

        def not_found(_exc: BaseException) -> None:
            self.status.setText("Chưa chọn hồ sơ: quét mã QR giấy tiếp nhận (máy quét cầm tay), đặt giấy tiếp nhận "
                                "lên đầu tập giấy, hoặc nhập mã hồ sơ.")

        run_in_pool(read, found, not_found, processing_pool())

    def _process_failed(self, uid: str, exc: BaseException) -> None:
        self.station.page_finished()
        self.progress.setValue(self.progress.value() + 1)
        self.status.setText(error_html(exc, "khi xử lý ảnh"))

    def _scan_failed(self, exc: BaseException) -> None:
        msg = exc.user_message() if isinstance(exc, CounterError) else str(exc)
        self.status.setText(f"{error_html(html.escape(msg, quote=False))} Các trang đã quét vẫn được giữ.")

    def _scan_done(self, n: int) -> None:
        if self.acquire_thread is not None:
            self._ending.add(self.acquire_thread)
        self.acquire_thread = None
        self.capture_btn.setEnabled(False)
        self.scan_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)
        if n == 0 and ERROR_COLOUR not in self.status.text():
            self.status.setText("Không có trang nào được quét.")
        elif self.pending == 0:
            self.status.setText(self._summary())

    def _summary(self) -> str:
        return self.station.summary()

    # ------------------------------------------------------------------ page strip
    def _comp_label(self, component_id: int | None) -> str:
        return self.station.component_label(component_id)

    def _refresh_item(self, uid: str) -> None:
        assert self.session is not None
        for i in range(self.strip.count()):
            item = self.strip.item(i)
            if item.data(Qt.ItemDataRole.UserRole) != uid:
                continue
            try:
                page = self.session.get(uid)
            except KeyError:
                return
            thumb = self.session.thumbs.get(uid)
            if thumb is not None:
                item.setIcon(QIcon(QPixmap.fromImage(to_qimage(thumb))))
                # The list repaints only the item's new rectangle: a landscape thumbnail turned
                # upright left its old, wider strip painted beside the new one. Repaint it all.
                self.strip.viewport().update()
            flags = []
            if page.state == "pending":
                flags.append("đang xử lý…")
            if page.state == "failed":
                flags.append("⚠ Lỗi xử lý")
            if page.blank:
                flags.append("TRẮNG")
            flags += ["⚠ " + describe_warning(w, short=True) for w in page.warnings]
            extra = "".join(f"\n{f}" for f in flags)
            item.setText(f"{i + 1}. {self._comp_label(page.component_id)}{extra}")
            tip = [f"Nghiêng đã sửa {page.skew_deg:.2f}°, xoay {_turned(page)}°"]
            tip += [describe_warning(w) for w in page.warnings]
            item.setToolTip("\n".join(tip))
            # A page to look at stands out in the strip, not only in its caption.
            item.setBackground(QColor("#ffe9b3") if page.warnings or page.state == "failed" else QColor(0, 0, 0, 0))
            return

    def _selected_uids(self) -> list[str]:
        return [it.data(Qt.ItemDataRole.UserRole) for it in self.strip.selectedItems()]

    def _order_changed(self) -> None:
        if self.session is None:
            return
        uids = [self.strip.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.strip.count())]
        self.session.reorder(uids)
        for u in uids:
            self._refresh_item(u)

    def _show_preview(self) -> None:
        item = self.strip.currentItem()
        if item is None or self.session is None:
            return
        uid, session, processed = item.data(Qt.ItemDataRole.UserRole), self.session, self.show_processed
        page = session.get(uid)
        parts = [f"Trang {session.index(uid) + 1}", f"{page.dpi} dpi", f"nghiêng đã sửa {page.skew_deg:.2f}°",
                 f"xoay {_turned(page)}°"]
        if page.blank:
            parts.append("trang trắng")
        if page.dpi_rule.startswith(("size:", "bed:")):
            parts.append(f"khổ giấy suy ra: {page.dpi_rule.split(':', 1)[1]}")
        if page.warnings:
            parts.append("⚠ " + "; ".join(describe_warning(w) for w in page.warnings))
        if not processed:
            parts.append("(ảnh gốc)")
        self.page_info.setText(" · ".join(parts))
        size = self.preview.size()

        def load() -> QImage:
            img = session.images(uid, processed=processed)
            h, w = img.shape[:2]
            s = min(size.width() / w, size.height() / h)
            small = cv2.resize(img, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_AREA)
            return to_qimage(small)

        run_in_pool(load, lambda qi: self.preview.setPixmap(QPixmap.fromImage(qi)))

    # ------------------------------------------------------------------ page tools
    def rotate(self, degrees: int) -> None:
        """Rotate the selected pages."""
        session = self.session
        if session is None:
            return

        def turned(uid: str) -> None:
            self._refresh_item(uid)
            self._show_preview()

        for uid in self._selected_uids():
            run_in_pool(functools.partial(session.rotate, uid, degrees), functools.partial(_ignore_result, turned, uid))

    def delete_pages(self) -> None:
        """Delete the selected pages."""
        if self.session is None:
            return
        for item in self.strip.selectedItems():
            self.session.delete(item.data(Qt.ItemDataRole.UserRole))
            self.strip.takeItem(self.strip.row(item))
        for i in range(self.strip.count()):
            self._refresh_item(self.strip.item(i).data(Qt.ItemDataRole.UserRole))
        self._fill_components()

    def rescan_page(self) -> None:
        """Scan one page in place of the selected one."""
        uids = self._selected_uids()
        if len(uids) == 1:
            self.start_scan(replace_uid=uids[0])

    def adjust_corners(self) -> None:
        """Drag the four page corners by hand when detection was wrong."""
        uids = self._selected_uids()
        if len(uids) != 1 or self.session is None:
            return
        from counter_app.ui.corner_dialog import CornerDialog

        uid, session = uids[0], self.session
        page = session.get(uid)
        original = session.images(uid, processed=False)
        dlg = CornerDialog(original, page.manual_quad or page.quad, self)
        if dlg.exec():
            session.set_manual_quad(uid, dlg.quad())
            session.get(uid).state = "pending"
            self._refresh_item(uid)
            self.station.page_queued()
            run_in_pool(lambda: session.process(uid), lambda _p: self._processed(uid),
                        lambda e: self._process_failed(uid, e), processing_pool())

    def toggle_before_after(self) -> None:
        """Switch the preview between the original and the processed page."""
        self.show_processed = not self.show_processed
        self._show_preview()

    def assign_selected(self) -> None:
        """Assign the selected pages to the selected component."""
        if not self.station.assign(self._selected_uids(), self.comp_table.currentRow()):
            return
        for uid in self._selected_uids():
            self._refresh_item(uid)
        self._fill_components()

    def _view_saved_scan(self, row: int, _col: int = 0) -> None:
        component_id = self.station.saved_scan_component(row)
        if component_id is not None:
            from counter_app.ui.scan_viewer import open_component_scan

            open_component_scan(self, self.worker, self.data_root, component_id)

    def split_by_separators(self) -> None:
        """Runs of pages between blank separator sheets go to the components in order."""
        n = self.station.split_by_separators()
        if n is None:
            return
        for i in range(self.strip.count()):
            self._refresh_item(self.strip.item(i).data(Qt.ItemDataRole.UserRole))
        self._fill_components()
        self.status.setText(f"Đã tách thành {n} nhóm trang theo tờ trắng phân cách.")

    # ------------------------------------------------------------------ saving
    def save(self) -> None:
        """One signed PDF per component with pages: built and signed on the pool, registered on the
        database thread (:class:`SaveRun`); the window and every other query stay responsive."""
        why = self.station.why_not_save()
        if why is not None or self.save_run is not None:
            self.status.setText(why or "Đang lưu…")
            return
        session, dossier = self.session, self.dossier
        assert session is not None and dossier is not None
        declared = self.station.declared_by_component(self._typed_counts())
        signer = self._signer()
        if signer is False:
            return
        self.save_btn.setEnabled(False)
        self.status.setText("Đang tạo và ký số các tệp PDF…")

        def done(files: list[Any]) -> None:
            self.save_run = None
            self.save_btn.setEnabled(True)
            mismatch = [f for f in files if getattr(f, "page_mismatch", False)]
            self.status.setText(ok_html(f"Đã lưu {len(files)} tệp PDF đã ký số.")
                                + (" " + error_html(f"{len(mismatch)} thành phần lệch số trang.")
                                   if mismatch else ""))
            if self.session is session:
                self.station.finish_saved()
            else:  # another dossier was opened meanwhile: this session's pages are saved all the same
                session.discard()
            self.strip.clear()
            self.preview.clear()
            self.preview.setText("Xem trước trang")
            self.page_info.clear()
            self.saved.emit(dossier["id"])
            self.load_rescan_tasks()
            self._keep_status = True
            self.select_dossier(int(dossier["id"]))

        def failed(exc: BaseException) -> None:
            self.save_run = None
            self.save_btn.setEnabled(True)
            show_exception(self, exc)
            # Components stored before the failure show as digitised; saving again stores the rest.
            self._keep_status = True
            self.status.setText(error_html("Chưa lưu xong; các thành phần đã lưu được giữ. Nhấn Ctrl+S để lưu tiếp."))
            self.select_dossier(int(dossier["id"]))

        def progress(n: int, total: int) -> None:
            if total and n < total:
                self.status.setText(f"Đang tạo và ký số tệp PDF {n + 1}/{total}…")

        self.save_run = SaveRun(
            self.worker.submit, lambda fn, ok, err: run_in_pool(fn, ok, err, processing_pool()),
            data_root=self.data_root, session=session, dossier_id=int(dossier["id"]), declared=declared,
            actor=self.actor, signer=signer or None, on_done=done, on_error=failed, on_progress=progress)
        self.save_run.start()

    def _signer(self) -> Any:
        """The officer's signer (passphrase asked once per session); None = save unsigned; False = cancel."""
        if self._cached_signer is not None:
            if self._cached_signer.usable and self._signer_officer == self.officer_id:
                return self._cached_signer
            # Another officer signed in (never sign with the previous officer's key or logged-in token),
            # or the token was pulled out: close and forget; the PIN/passphrase is asked again.
            self._cached_signer.close()
            self._cached_signer = None
        if self.officer_id is None:
            return None  # nobody signed in: the save itself says so (services.session.require_actor)
        if self.signing is None or self.signing.officer_id != self.officer_id:
            from counter_app.ui.qt import QMessageBox

            self._load_signing_cert()  # the certificate setting of the officer who signed in now
            QMessageBox.information(self, "Ký số", "Đang tải chứng thư số của cán bộ vừa đăng nhập; nhấn «Lưu» lại.")
            return False
        self._signer_officer = self.officer_id
        cert = self.signing.cert
        settings = {"pkcs11_module": self.signing.pkcs11_module, "tsa_url": self.signing.tsa_url}
        from counter_app.scanning.pkcs11_signing import is_token_reference

        if cert and is_token_reference(cert):  # the officer's certificate is on a USB token
            from counter_app.ui.device_check import ask_token_signer

            self._cached_signer = ask_token_signer(self, cert, settings) or None
            return self._cached_signer or False
        if not cert:
            from counter_app.ui.qt import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Question, "Chưa có chứng thư số",
                              "Tài khoản này chưa được cấu hình chứng thư số cá nhân, bản số hóa sẽ chưa được ký.\n"
                              "Vẫn lưu bản chưa ký (ký bổ sung sau)?", parent=self)
            yes = box.addButton("Lưu bản chưa ký", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Hủy", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            return None if box.clickedButton() is yes else False
        from counter_app.scanning.signing import OfficerSigner
        from counter_app.ui.qt import QInputDialog, QLineEdit

        while True:
            ask = QInputDialog(self)
            ask.setWindowTitle("Ký số bản điện tử")
            ask.setLabelText("Mật khẩu chứng thư số của bạn (chỉ hỏi một lần trong phiên làm việc):")
            ask.setTextEchoMode(QLineEdit.EchoMode.Password)
            ask.setOkButtonText("Ký số")
            ask.setCancelButtonText("Hủy")
            if not ask.exec():
                return False
            text = ask.textValue()
            try:
                self._cached_signer = OfficerSigner.from_pkcs12(self.data_root / cert, text)
                if settings.get("tsa_url"):
                    from dataclasses import replace

                    self._cached_signer = replace(self._cached_signer, tsa_url=settings["tsa_url"])
                return self._cached_signer
            except CounterError as exc:
                show_exception(self, exc)
