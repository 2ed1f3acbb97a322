"""Page «Tiếp nhận»: receive a dossier in about a minute, keyboard first.

Steps: 1 procedure (search as you type) → 2 applicant (CCCD QR from a handheld scanner, or typed)
→ 3 checklist → 4 decision → receipt ready. Enter moves forward within the step the focus is in, Esc
goes back (nothing typed is lost), Ctrl+N starts a new dossier from anywhere. Database work and PDF
rendering run on the worker.

Legal decisions are never a side effect of Enter (issue #14): accepting is the focused «Tiếp nhận»
button (Enter or Space on it, or a click), a supplement request is F8 or its button, a refusal is F9
or its button and then a second F9 on a confirmation that names the decision. Enter in the reason
field only moves on (to the confirmation if F9 asked for the reason).

A CCCD QR typed by a keyboard-wedge scanner is recognised in whichever field it lands in (its
``12 digits|…|…`` shape): the field gets back what it held, the card fills the applicant, and the
procedure already chosen is kept (or asked for next). Saving goes through
:func:`counter_app.services.reception.receive_with_form` with one attempt token per dossier, so
pressing the key again after a failure never receives the dossier twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from counter_app.db.database import CounterDB
from counter_app.domain.catalogue import procedure_from_dict
from counter_app.domain.citizen_id import InvalidCitizenId, parse_cccd_qr, validate_id_number
from counter_app.domain.inputs import (
    clean_text,
    component_complete,
    component_states,
    ends_with_whole_qr,
    split_scanned_qr,
)
from counter_app.domain.online import guidance_allowed, guidance_offered_first
from counter_app.domain.search import CatalogueIndex
from counter_app.errors import CounterError, ValidationError
from counter_app.services import dossiers as repo
from counter_app.services.reception import ReceptionOutcome, new_attempt_token
from counter_app.services.session import require_actor
from counter_app.textnorm import nfc
from counter_app.ui.errors import error_html, ok_html, show_exception
from counter_app.ui.guidance import GuidanceDialog, OnlineFiguresLabel, availability_html  # online guidance
from counter_app.ui.qt import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QEvent,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QObject,
    QPushButton,
    QShortcut,
    QSpinBox,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.tasks import DbWorker
from counter_app.vnformat import money

log = logging.getLogger(__name__)

STEPS = ["1. Thủ tục", "2. Người nộp", "3. Thành phần hồ sơ", "4. Quyết định", "Giấy tiếp nhận"]
ONLINE_LABELS = {"toan_trinh": "Trực tuyến toàn trình", "mot_phan": "Trực tuyến một phần", "khong": "Chưa trực tuyến"}
ONLINE_BADGES = {"toan_trinh": "  [trực tuyến toàn trình]", "mot_phan": "  [trực tuyến một phần]"}
STATE_LABELS = {"received": "✔ Đã nhận", "missing": "✘ Thiếu", "shown": "○ Chỉ xuất trình",
                "na": "— Không áp dụng"}
STATE_KEYS = {Qt.Key.Key_1: "received", Qt.Key.Key_2: "missing", Qt.Key.Key_3: "shown", Qt.Key.Key_4: "na"}


def _money(n: int) -> str:
    return money(n)  # the receipt's text (counter_app.vnformat)


def _fee_text(fees: list[dict[str, Any]], none: str) -> str:
    """Fees as the officer reads them; an amount the province sets and nobody entered is never "không
    thu", a per-page chứng thực fee is a price per page (issue #16 rows 1, 7)."""
    if any(f.get("amount") is None for f in fees):
        return "theo Nghị quyết của HĐND tỉnh (chưa nhập mức thu)"
    per_page = [f for f in fees if f.get("pricing") == "per_page"]
    if per_page:
        return f"{_money(int(per_page[0].get('amount') or 0))}/trang (theo số trang × số bản, Thông tư 226/2016)"
    total = sum(int(f.get("amount") or 0) for f in fees)
    return _money(total) if total else none


class _EnterFilter(QObject):
    """Enter/Return in any field of a step advances; Esc goes back (one place, not per widget)."""

    def __init__(self, page: ReceptionPage) -> None:
        super().__init__(page)
        self.page = page

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            text = event.text()  # type: ignore[attr-defined]
            if self.page.typeahead is not None:
                # Enter came before the catalogue was there: keep every later key (a card scan, a
                # second Enter) for the step the officer will be on once the procedure is chosen.
                self.page.typeahead.append((key, event.modifiers(), text))  # type: ignore[attr-defined]
                return True
            if self.page.card_capture is not None:
                return self.page.capture_key(key, text)
            if not isinstance(obj, QLineEdit) and text and text.isprintable() and self.page.watch_for_card(text):
                return True
            if key == Qt.Key.Key_Escape:
                self.page.back()
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if isinstance(obj, QLineEdit) and self.page.take_scanned_qr(obj):
                    return True  # a CCCD scan's trailing Enter: the card was read, nothing else happens
                return self.page.enter_pressed(obj)
            if obj is self.page.new_btn and text.isdigit():
                # The next citizen's card scanned while the last receipt is on screen: start a new
                # dossier and let the scanner's characters land in the search, where the QR is read.
                self.page.new_dossier()
                self.page.search.insert(text)
                return True
        return False


class ReceptionPage(QWidget):
    """The reception flow."""

    received = Signal(int)  # dossier id, for other pages to refresh

    def __init__(self, worker: DbWorker, data_root: Path, parent: QWidget | None = None, *,
                 new_shortcut: bool = True) -> None:
        """``new_shortcut=False`` when a main window owns Ctrl+N (two owners make Qt fire neither)."""
        super().__init__(parent)
        self.worker = worker
        self.data_root = data_root
        self.index: CatalogueIndex | None = None
        self.procedures: dict[str, dict[str, Any]] = {}
        self.procedure: dict[str, Any] | None = None
        self.citizen_reuse: list[dict[str, Any]] = []
        self.result: repo.ReceptionResult | None = None
        self.receipt_path: Path | None = None
        self.calendar: Any = None
        # One token per dossier being received: a retry after a failed save returns the same dossier.
        self.attempt_token = new_attempt_token()
        # The decision waiting for the reason field ("refuse" after F9 without a reason), and whether
        # the refusal confirmation is up (a second F9 confirms it).
        self._pending_decision: str | None = None
        self._refusal_armed = False
        # A card scanned onto the checklist or a button: the last keys seen there, and the scan's text.
        self._recent: list[tuple[str, dict[str, str]]] = []
        self.card_capture: str | None = None
        # Enter typed on the procedure search before the catalogue (and so the results) arrived:
        # the keys typed after it, replayed once the first result is chosen (None: nothing pending).
        self.typeahead: list[tuple[int, Any, str]] | None = None
        # A scanner set up without a final Enter: a whole card QR that stays unchanged for a moment
        # is read anyway (a scanner types the whole text within a few milliseconds).
        self._scan_field: QLineEdit | None = None
        self._scan_timer = QTimer(self)
        self._scan_timer.setSingleShot(True)
        self._scan_timer.setInterval(300)
        self._scan_timer.timeout.connect(self._scan_settled)
        self._filter = _EnterFilter(self)
        # --- online guidance hook (counter_app/ui/guidance.py) ---
        self.guidance: GuidanceDialog | None = None
        self.paper_override: dict[str, Any] | None = None  # supervisor allowed paper (online-only)
        self.online_figures = OnlineFiguresLabel(worker)
        # --- end online guidance hook ---

        self.steps_label = QLabel()
        self.steps_label.setTextFormat(Qt.TextFormat.RichText)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_procedure_step())
        self.stack.addWidget(self._build_applicant_step())
        self.stack.addWidget(self._build_checklist_step())
        self.stack.addWidget(self._build_decision_step())
        self.stack.addWidget(self._build_done_step())
        hint = QLabel("<small>Enter: tiếp tục · Esc: quay lại · Ctrl+N: hồ sơ mới · ↑↓: chọn · "
                      "Space: đổi tình trạng thành phần · F8: yêu cầu bổ sung · F9: từ chối (F9 lần nữa để "
                      "xác nhận) · Ctrl+H: hướng dẫn nộp trực tuyến · quét CCCD ở bất kỳ ô nào</small>")
        hint.setWordWrap(True)  # one line of it made the window 1300 px wide; a ward PC may have 1024 (#14)
        lay = QVBoxLayout(self)
        lay.addWidget(self.online_figures)  # online guidance hook
        lay.addWidget(self.steps_label)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.message)
        lay.addWidget(hint)
        keys: list[tuple[str, Any]] = [("Ctrl+N", self.new_dossier)] if new_shortcut else []
        keys += [("F8", lambda: self.decide("incomplete")), ("F9", lambda: self.decide("refuse")),
                 ("Ctrl+P", self.print_receipt), ("Ctrl+H", self.open_guidance)]  # Ctrl+H: online guidance hook
        for seq, fn in keys:
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(fn)
        for field in (self.search, self.qr, self.name, self.id_number, self.dob, self.address, self.phone,
                      self.email, self.reason):
            field.textEdited.connect(lambda _text, f=field: self._scan_maybe_done(f))
        self._show_step(0)

    def _scan_maybe_done(self, field: QLineEdit) -> None:
        if ends_with_whole_qr(field.text()):
            self._scan_field = field
            self._scan_timer.start()

    def _scan_settled(self) -> None:
        field, self._scan_field = self._scan_field, None
        if field is not None and ends_with_whole_qr(field.text()):
            self.take_scanned_qr(field)

    # ---------------------------------------------------------------- building the steps
    def _build_procedure_step(self) -> QWidget:
        w = QWidget()
        self.search = QLineEdit(placeholderText="Gõ tên hoặc mã thủ tục, ví dụ «khai sinh», «chung thuc», 1.001193…")
        self.search.setStyleSheet("font-size:16px; padding:6px;")
        self.results = QListWidget()
        self.results.setStyleSheet("QListWidget{font-size:14px;} QListWidget::item{padding:5px;}")
        self.proc_info = QLabel()
        self.proc_info.setWordWrap(True)
        self.proc_info.setTextFormat(Qt.TextFormat.RichText)
        self.search.textChanged.connect(self._search_changed)
        self.results.currentRowChanged.connect(self._show_proc_info)
        self.results.itemActivated.connect(lambda _i: self.choose_procedure())
        self.search.installEventFilter(self)
        self.search.installEventFilter(self._filter)
        lay = QVBoxLayout(w)
        lay.addWidget(QLabel("<b>Chọn thủ tục hành chính</b>"))
        lay.addWidget(self.search)
        lay.addWidget(self.results, 1)
        lay.addWidget(self.proc_info)
        # --- online guidance hook ---
        self.guide_btn = QPushButton("Hướng dẫn nộp trực tuyến  (Ctrl+H)")
        self.guide_btn.setAutoDefault(False)
        self.guide_btn.clicked.connect(lambda: self.open_guidance())
        lay.addWidget(self.guide_btn, 0, Qt.AlignmentFlag.AlignLeft)
        # --- end online guidance hook ---
        return w

    def _build_applicant_step(self) -> QWidget:
        w = QWidget()
        self.qr = QLineEdit(placeholderText="Quét mã QR trên thẻ CCCD bằng máy quét cầm tay (hoặc nhập tay bên dưới)")
        self.qr.setStyleSheet("font-size:15px; padding:6px; background:#fffbe6;")
        self.subject = QComboBox()
        self.subject.addItems(["Công dân", "Doanh nghiệp", "Cơ quan nhà nước", "Tổ chức khác"])
        self.name = QLineEdit()
        self.id_number = QLineEdit(placeholderText="12 chữ số")
        self.dob = QLineEdit(placeholderText="dd/mm/yyyy")
        self.gender = QComboBox()
        self.gender.addItems(["", "Nam", "Nữ"])
        self.address = QLineEdit()
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.reuse_label = QLabel()
        self.reuse_label.setWordWrap(True)
        qr_image = QPushButton("Đọc QR từ ảnh…  (Ctrl+O)")
        qr_image.setToolTip("Ảnh chụp thẻ CCCD từ điện thoại hoặc máy ảnh tài liệu")
        qr_image.clicked.connect(lambda: self.qr_from_image())
        sc = QShortcut(QKeySequence("Ctrl+O"), w)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(lambda: self.qr_from_image())
        qr_row = QHBoxLayout()
        qr_row.addWidget(self.qr, 1)
        qr_row.addWidget(qr_image)
        form = QFormLayout()
        form.addRow("Mã QR CCCD", qr_row)
        form.addRow("Đối tượng", self.subject)
        form.addRow("Họ và tên *", self.name)
        form.addRow("Số định danh", self.id_number)
        form.addRow("Ngày sinh", self.dob)
        form.addRow("Giới tính", self.gender)
        form.addRow("Địa chỉ", self.address)
        form.addRow("Điện thoại", self.phone)
        form.addRow("Email", self.email)
        for field in (self.qr, self.subject, self.name, self.id_number, self.dob, self.gender, self.address,
                      self.phone, self.email):
            field.installEventFilter(self._filter)
        lay = QVBoxLayout(w)
        lay.addWidget(QLabel("<b>Người nộp hồ sơ</b> — quét mã QR trên CCCD để điền tự động"))
        lay.addLayout(form)
        lay.addWidget(self.reuse_label)
        lay.addStretch(1)
        return w

    def _build_checklist_step(self) -> QWidget:
        w = QWidget()
        self.checklist = QTableWidget(0, 5)
        self.checklist.setHorizontalHeaderLabels(["Thành phần hồ sơ", "Bản chính", "Bản sao", "Tình trạng", "Ghi chú"])
        self.checklist.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.checklist.setColumnWidth(3, 150)
        self.checklist.setColumnWidth(4, 260)
        self.checklist.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.checklist.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.checklist.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.checklist.verticalHeader().setVisible(False)
        self.checklist.installEventFilter(self)
        self.checklist.installEventFilter(self._filter)
        self.checklist.cellDoubleClicked.connect(lambda r, _c: self._cycle_state(r))
        lay = QVBoxLayout(w)
        head = QLabel("<b>Kiểm tra thành phần hồ sơ</b> — Space hoặc nháy đúp để đổi tình trạng; "
                      "1 = đã nhận, 2 = thiếu, 3 = chỉ xuất trình, 4 = không áp dụng (giấy tờ «nếu có»)")
        head.setWordWrap(True)  # fits a 1024-px screen (#14)
        lay.addWidget(head)
        lay.addWidget(self.checklist, 1)
        return w

    def _build_decision_step(self) -> QWidget:
        w = QWidget()
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.return_method = QComboBox()
        self.return_method.addItems(["Nhận kết quả tại Bộ phận Một cửa", "Nhận kết quả qua bưu chính công ích"])
        self.reason = QLineEdit(placeholderText="Lý do (bắt buộc khi từ chối; tùy chọn khi yêu cầu bổ sung)")
        self.reason.textChanged.connect(self._disarm_refusal)  # a changed reason needs a new confirmation
        self.accept_btn = QPushButton("Tiếp nhận và in giấy hẹn  (Enter trên nút này)")
        self.accept_btn.setStyleSheet("font-size:15px; padding:8px; font-weight:bold;")
        self.incomplete_btn = QPushButton("Yêu cầu bổ sung  (F8)")
        self.refuse_btn = QPushButton("Từ chối tiếp nhận  (F9)")
        self.accept_btn.clicked.connect(lambda: self.decide("accept"))
        self.incomplete_btn.clicked.connect(lambda: self.decide("incomplete"))
        self.refuse_btn.clicked.connect(lambda: self.decide("refuse"))
        self.confirm_label = QLabel()
        self.confirm_label.setWordWrap(True)
        self.confirm_label.setTextFormat(Qt.TextFormat.RichText)
        self.confirm_label.setStyleSheet("background:#fdecea; border:2px solid #b00020; padding:8px;")
        self.confirm_btn = QPushButton("Xác nhận TỪ CHỐI tiếp nhận  (F9)")
        self.confirm_btn.setStyleSheet("color:#b00020; font-weight:bold; padding:6px;")
        self.confirm_btn.clicked.connect(lambda: self.decide("refuse"))
        self.confirm_label.hide()
        self.confirm_btn.hide()
        # Chứng thực: the fee is per page of the original × copies (Thông tư 226/2016/TT-BTC, issue
        # #16 row 7); shown only for a procedure with a per-page fee. 0 pages = not counted yet.
        self.fee_pages = QSpinBox()
        self.fee_pages.setRange(0, 5000)
        self.fee_pages.setSpecialValueText("chưa đếm")
        self.fee_copies = QSpinBox()
        self.fee_copies.setRange(1, 500)
        for box in (self.fee_pages, self.fee_copies):
            box.valueChanged.connect(lambda _v: self._show_fee())
        for wdg in (self.return_method, self.reason, self.accept_btn, self.incomplete_btn, self.refuse_btn,
                    self.confirm_btn, self.fee_pages, self.fee_copies):
            wdg.installEventFilter(self._filter)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_btn, 2)
        buttons.addWidget(self.incomplete_btn, 1)
        buttons.addWidget(self.refuse_btn, 1)
        form = QFormLayout()
        self._decision_form = form
        form.addRow("Trả kết quả", self.return_method)
        form.addRow("Số trang của bản chính", self.fee_pages)
        form.addRow("Số bản sao chứng thực", self.fee_copies)
        self.fee_label = QLabel()
        form.addRow("Phí chứng thực", self.fee_label)
        form.addRow("Lý do", self.reason)
        lay = QVBoxLayout(w)
        lay.addWidget(self.summary)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.confirm_label)
        lay.addWidget(self.confirm_btn, 0, Qt.AlignmentFlag.AlignLeft)
        # --- online guidance hook ---
        self.guide_btn_decision = QPushButton("Hướng dẫn nộp trực tuyến  (Ctrl+H)")
        self.guide_btn_decision.setAutoDefault(False)
        self.guide_btn_decision.clicked.connect(lambda: self.open_guidance())
        lay.addWidget(self.guide_btn_decision, 0, Qt.AlignmentFlag.AlignLeft)
        # --- end online guidance hook ---
        lay.addStretch(1)
        return w

    def _build_done_step(self) -> QWidget:
        w = QWidget()
        self.done_label = QLabel()
        self.done_label.setTextFormat(Qt.TextFormat.RichText)
        self.done_label.setWordWrap(True)
        self.print_btn = QPushButton("Xem trước và in  (Ctrl+P)")
        self.new_btn = QPushButton("Hồ sơ mới  (Ctrl+N)")
        self.print_btn.clicked.connect(self.print_receipt)
        self.new_btn.clicked.connect(self.new_dossier)
        self.new_btn.installEventFilter(self._filter)
        # The form is encrypted at rest: the officer opens it here, not by a path (issue #14).
        self.view_btn = QPushButton("Xem")
        self.view_btn.setAutoDefault(False)
        self.view_btn.clicked.connect(self.view_form)
        row = QHBoxLayout()
        row.addWidget(self.view_btn)
        row.addWidget(self.print_btn)
        row.addWidget(self.new_btn)
        lay = QVBoxLayout(w)
        lay.addWidget(self.done_label)
        lay.addLayout(row)
        lay.addStretch(1)
        return w

    @property
    def officer_id(self) -> int | None:
        """The signed-in officer's id (held once, by the worker), or ``None`` before log-in."""
        return self.worker.user_id

    # ---------------------------------------------------------------- data
    def refresh(self, *, background: bool = False) -> None:
        """Load the catalogue (and build the search index) on the worker.

        ``background``: asked by a sync pass that changed the catalogue, not by the officer — a
        problem is said in the page's message line and the catalogue already loaded stays in use,
        instead of a dialog popping up over whatever the officer is typing.
        """
        def load(cdb: CounterDB) -> tuple[CatalogueIndex, dict[str, dict[str, Any]], Any, list[str]]:
            cat = repo.reception_catalogue(cdb)
            parsed, usable, skipped = [], {}, []
            for d in cat.procedures:
                try:  # one bad entry (e.g. pulled from the province without a time limit) must not
                    parsed.append(procedure_from_dict(d))  # stop the counter receiving every other one
                except ValidationError as exc:
                    log.warning("procedure %s left out of the reception search: %s", d.get("code"), exc)
                    skipped.append(str(d.get("code") or "?"))
                else:
                    usable[d["code"]] = d
            return CatalogueIndex(parsed), usable, cat.calendar, skipped

        self.worker.submit(load, self._loaded, self._catalogue_failed if background else None)
        self.online_figures.refresh()  # online guidance hook

    def _catalogue_failed(self, exc: BaseException) -> None:
        log.warning("catalogue reload after a sync failed: %s", exc)
        self.message.setText(error_html(exc, "khi nạp lại danh mục thủ tục") +
                             " — vẫn dùng danh mục đã nạp trước đó.")

    def _loaded(self, res: tuple[CatalogueIndex, dict[str, dict[str, Any]], Any, list[str]]) -> None:
        self.index, self.procedures, self.calendar, skipped = res
        if skipped:
            self.message.setText(error_html(
                f"{len(skipped)} thủ tục trong danh mục thiếu thông tin nên tạm chưa tiếp nhận được: "
                f"{', '.join(skipped[:5])}{' …' if len(skipped) > 5 else ''}. Báo quản trị viên kiểm tra danh mục."))
        self._search_changed(self.search.text())
        if self.typeahead is not None:
            self._choose_typed_ahead()

    def _choose_typed_ahead(self) -> None:
        """The Enter typed before the results arrived: take the first result, then replay the keys
        typed after it where they would have gone (the QR field of the applicant step, usually)."""
        keys, self.typeahead = self.typeahead or [], None
        self.search.setReadOnly(False)
        self.choose_procedure()
        for key, modifiers, text in keys:
            target = QApplication.focusWidget() or self.focusWidget() or self
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers, text))

    # ---------------------------------------------------------------- navigation
    def _show_step(self, i: int) -> None:
        self.stack.setCurrentIndex(i)
        parts = [f"<b style='color:#0b57d0'>{s}</b>" if k == i else f"<span style='color:#888'>{s}</span>"
                 for k, s in enumerate(STEPS)]
        self.steps_label.setText("<span style='font-size:15px'>" + "  ›  ".join(parts) + "</span>")
        focus = {0: self.search, 1: self.qr if not self.name.text() else self.phone, 2: self.checklist,
                 3: self.accept_btn if self.accept_btn.isEnabled() else self.incomplete_btn, 4: self.new_btn}[i]
        focus.setFocus()

    def focus_current_step(self) -> None:
        """Put the cursor where the officer types next on the current step."""
        self._show_step(self.stack.currentIndex())

    def back(self) -> None:
        """Esc: previous step; the fields keep what was typed."""
        i = self.stack.currentIndex()
        if i == 3 and self._refusal_armed:
            self._disarm_refusal()  # Esc on the confirmation: no refusal, stay on the decision
            self.message.setText("Đã thôi từ chối.")
            self.refuse_btn.setFocus()
            return
        if 0 < i < 4:
            self.message.clear()
            self._pending_decision = None
            self._show_step(i - 1)

    def new_dossier(self) -> None:
        """Ctrl+N: clear everything and start at the procedure search."""
        for field in (self.search, self.qr, self.name, self.id_number, self.dob, self.address, self.phone,
                      self.email, self.reason):
            field.clear()
        self.gender.setCurrentIndex(0)
        self.subject.setCurrentIndex(0)
        self.return_method.setCurrentIndex(0)
        self.fee_pages.setValue(0)
        self.fee_copies.setValue(1)
        self.procedure = None
        self.paper_override = None  # online guidance hook
        self.result = None
        self.receipt_path = None
        self.citizen_reuse = []
        self.reuse_label.clear()
        self.message.clear()
        self.checklist.setRowCount(0)
        self.attempt_token = new_attempt_token()
        self._pending_decision = None
        self._recent, self.card_capture = [], None
        self.typeahead = None
        self.search.setReadOnly(False)
        self._disarm_refusal()
        self._show_step(0)

    def enter_pressed(self, obj: QObject) -> bool:
        """Enter advances from whatever field has focus; returns True when consumed."""
        step = self.stack.currentIndex()
        if step == 0:
            self.choose_procedure()
        elif step == 1:
            if obj is self.qr:
                self.apply_qr(self.qr.text())
            else:
                self.confirm_applicant()
        elif step == 2:
            self._go_decision()
        elif step == 3:
            # A decision only from the button that has focus; Enter elsewhere moves on in the step.
            if obj is self.accept_btn:
                if self.accept_btn.isEnabled():
                    self.decide("accept")
            elif obj is self.incomplete_btn:
                self.decide("incomplete")
            elif obj is self.refuse_btn and not self._refusal_armed:
                self.decide("refuse")  # asks for the reason or shows the confirmation
            elif obj in (self.confirm_btn, self.refuse_btn):  # only F9 (or a click) confirms a refusal
                self.message.setText(error_html("Nhấn <b>F9</b> để xác nhận từ chối, hoặc Esc để thôi."))
            elif obj is self.reason and self._pending_decision == "refuse":
                self.decide("refuse")  # shows the confirmation; nothing is saved yet
            elif obj is self.reason:
                (self.accept_btn if self.accept_btn.isEnabled() else self.incomplete_btn).setFocus()
            elif obj is self.return_method:
                self.reason.setFocus()
        elif step == 4:
            self.new_dossier()
        return True

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """↑/↓ in the search field move through the results; Space/1/2/3 in the checklist."""
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if obj is self.search and key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                row = self.results.currentRow() + (1 if key == Qt.Key.Key_Down else -1)
                self.results.setCurrentRow(max(0, min(row, self.results.count() - 1)))
                return True
            if obj is self.checklist:
                row = self.checklist.currentRow()
                if key == Qt.Key.Key_Space and row >= 0:
                    self._cycle_state(row)
                    return True
                if key in STATE_KEYS and row >= 0:
                    self._mark(row, STATE_KEYS[key])
                    return True
        return super().eventFilter(obj, event)

    # ---------------------------------------------------------------- step 1: procedure
    def _search_changed(self, text: str) -> None:
        self.results.clear()
        if self.index is None:
            return
        for hit in self.index.search(text, limit=30):
            p = hit.procedure
            badge = "  [chỉ trực tuyến]" if p.online_only else ONLINE_BADGES.get(p.online_level, "")
            item = QListWidgetItem(f"{p.name}   ·   {p.code}   ·   {p.field_name}{badge}")
            item.setData(Qt.ItemDataRole.UserRole, p.code)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        else:
            self.proc_info.setText("<i>Không tìm thấy thủ tục phù hợp. Thử gõ ít chữ hơn hoặc mã thủ tục.</i>")

    def _show_proc_info(self, row: int) -> None:
        item = self.results.item(row)
        if item is None:
            return
        p = self.procedures.get(item.data(Qt.ItemDataRole.UserRole))
        if not p:
            return
        # --- online guidance hook: level · fee saved · online-only, and guidance offered first ---
        offer = guidance_offered_first(p)
        first = (" — <b style='color:#0b57d0'>nên hướng dẫn công dân nộp trực tuyến trước (Ctrl+H)</b>"
                 if offer else "")
        self.guide_btn.setEnabled(guidance_allowed(p))
        self.guide_btn.setStyleSheet("font-weight:bold; color:#0b57d0; padding:4px 10px;" if offer else "")
        self.proc_info.setText(
            f"<b>{p['name']}</b> ({p['code']})<br>Thời hạn: {p.get('processing_text') or '—'}<br>"
            f"{availability_html(p)} · Phí, lệ phí: {_fee_text(p.get('fees') or [], 'không')}{first}")
        # --- end online guidance hook ---

    def choose_procedure(self) -> None:
        """Take the highlighted search result and go to the applicant step."""
        item = self.results.currentItem()
        if item is None and self.index is None and self.search.text().strip():
            # Typed faster than the catalogue loads (a busy PC, a barcode scanner): the first result
            # is taken when it arrives instead of dropping the Enter (see _loaded).
            self.typeahead = []
            self.search.setReadOnly(True)  # what was searched for stays what is chosen
            self.message.setText("Đang tải danh mục thủ tục… thủ tục đầu tiên tìm được sẽ được chọn.")
            return
        if item is None:
            self.message.setText(error_html("Chưa chọn thủ tục."))
            return
        p = self.procedures[item.data(Qt.ItemDataRole.UserRole)]
        overridden = self.paper_override is not None and self.paper_override.get("procedure_code") == p["code"]
        if p.get("online_only") and not overridden:
            self.message.setText(
                error_html(f"<b>Thủ tục «{p['name']}» chỉ tiếp nhận trực tuyến.</b>") + " "
                "Không thể tiếp nhận hồ sơ giấy. Hãy hướng dẫn công dân nộp trên Cổng dịch vụ công "
                "(Hướng dẫn nộp trực tuyến).")
            self.open_guidance(p)  # online guidance hook: the guidance opens instead
            return
        self.procedure = p
        self.message.clear()
        self._fill_checklist()
        self._show_step(1)

    # ---------------------------------------------------------------- step 2: applicant
    def apply_qr(self, text: str) -> None:
        """Fill the applicant from the CCCD QR text typed by a handheld scanner."""
        if not text.strip():
            self.confirm_applicant()
            return
        if "|" not in text:
            # Not a scanner: the officer typed into the first field. Put it where it belongs.
            typed = nfc(text)
            self.qr.clear()
            if typed.replace(" ", "").isdigit():
                self.id_number.setText(typed.replace(" ", ""))
                (self.name if not self.name.text() else self.phone).setFocus()
            else:
                self.name.setText(typed)
                self.id_number.setFocus()
            self.message.setText("Nhập tay thông tin người nộp (không có mã QR).")
            return
        found = split_scanned_qr(text)
        if not self._apply_card(found[1] if found else text.strip()):
            self.qr.selectAll()
            return
        self.phone.setFocus()

    def take_scanned_qr(self, field: QLineEdit) -> bool:
        """A CCCD QR typed into ``field`` by a scanner (any step): read the card; True if there was one.

        The field gets back what it held before the scan. The procedure already chosen is kept; on
        the procedure step the officer is asked to choose it next, and from the checklist or the
        decision the screen returns to the applicant so the new data is seen before any decision.
        """
        found = split_scanned_qr(field.text())
        if found is None:
            return False
        before, qr = found
        if field is self.qr:
            self.apply_qr(qr)
            return True
        field.setText(before)
        self._read_card(qr)
        return True

    def _read_card(self, qr: str) -> None:
        """Apply a scanned card and route: stay on the procedure search, else back to the applicant."""
        if not self._apply_card(qr):
            return
        step = self.stack.currentIndex()
        if step == 0:
            self.message.setText(ok_html(f"Đã đọc CCCD của <b>{self.name.text()}</b>.") +
                                 " Chọn thủ tục rồi nhấn Enter.")
            self.search.setFocus()
        elif step in (1, 2, 3):
            self._disarm_refusal()
            self._show_step(1)

    def watch_for_card(self, text: str) -> bool:
        """A character typed on a widget that takes no text (checklist, a button): a scan starting?

        A CCCD QR starts with 12 digits and a bar. Digits 1–4 on the checklist mark components and
        a space on a focused button presses it, so a card scanned there would change marks and —
        with the first space of the name — take a decision. At the bar the marks the digits made
        are put back and the rest of the scan, up to its Enter, is captured (:meth:`capture_key`).
        """
        snapshot = self._states() if self.checklist.rowCount() else {}
        self._recent = [*self._recent[-12:], (text, snapshot)]
        if text != "|" or len(self._recent) < 13 or not all(c.isdigit() for c, _ in self._recent[:12]):
            return False
        before = self._recent[0][1]
        for row in range(self.checklist.rowCount()):
            code = self.checklist.item(row, 0).data(Qt.ItemDataRole.UserRole)
            if code in before:
                self._set_state(row, before[code])
        self.card_capture = "".join(c for c, _ in self._recent)
        self._recent = []
        self.message.setText("Đang đọc mã QR của CCCD…")
        return True

    def capture_key(self, key: int, text: str) -> bool:
        """The rest of a scan typed on a widget that takes no text; Enter reads it, Esc drops it."""
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            qr, self.card_capture = self.card_capture or "", None
            self._read_card(qr)
        elif key == Qt.Key.Key_Escape:
            self.card_capture = None
            self.message.clear()
        else:
            self.card_capture = (self.card_capture or "") + text
        return True

    def _apply_card(self, text: str) -> bool:
        """Fill the applicant from CCCD QR text; False (with the reason shown) if it is not valid."""
        try:
            card = parse_cccd_qr(text)
        except InvalidCitizenId as exc:
            self.message.setText(error_html(exc))
            return False
        self.name.setText(card.full_name)
        self.id_number.setText(card.id_number)
        self.dob.setText(card.date_of_birth.strftime("%d/%m/%Y"))
        self.gender.setCurrentText(card.gender)
        self.address.setText(card.address)
        self.subject.setCurrentIndex(0)
        self.qr.clear()
        self.message.setText(ok_html("Đã đọc thông tin từ CCCD."))
        idn, uid = card.id_number, self.officer_id

        def lookup(cdb: CounterDB) -> dict[str, Any] | None:
            from counter_app.services.access import lookup_citizen

            return lookup_citizen(cdb, idn, uid)

        self.worker.submit(lookup, self._got_citizen)
        return True

    def qr_from_image(self, path: str | None = None) -> None:
        """Decode the CCCD QR from an image file (OpenCV, on the thread pool) and apply it."""
        if path is None:
            from counter_app.ui.qt import QFileDialog

            path, _ = QFileDialog.getOpenFileName(self, "Chọn ảnh thẻ CCCD", "", "Ảnh (*.jpg *.jpeg *.png *.bmp *.tif)")
            if not path:
                return
        from counter_app.services.qrimage import decode_qr_file
        from counter_app.ui.tasks import run_in_pool

        self.message.setText("Đang đọc mã QR từ ảnh…")
        chosen = path

        def failed(exc: BaseException) -> None:
            text = exc.user_message() if isinstance(exc, CounterError) else str(exc)
            self.message.setText(error_html(text))

        run_in_pool(lambda: decode_qr_file(chosen), self.apply_qr, failed)

    def _got_citizen(self, row: dict[str, Any] | None) -> None:
        if not row:
            self.reuse_label.setText("Công dân lần đầu đến quầy.")
            self.citizen_reuse = []
            return
        # Pre-filled from the last visit, selected when the cursor is in it: what the officer types
        # next replaces it instead of being appended (seen under X: "0912345678" twice, issue #14).
        for field, value in ((self.phone, row["phone"]), (self.email, row["email"])):
            if not field.text() and value:
                field.setText(value)
                if field.hasFocus() or QApplication.focusWidget() is field:
                    field.selectAll()
        self.citizen_reuse = row["digitised"]
        names = sorted({d["name"] for d in row["digitised"]})
        text = "Công dân đã từng nộp hồ sơ tại quầy."
        if names:
            text += f" Đã có bản số hóa: {'; '.join(names[:5])}" + ("…" if len(names) > 5 else "") + \
                    " — có thể tái sử dụng, không cần nộp lại bản giấy."
        self.reuse_label.setText(text)
        self._fill_checklist()

    def _parse_dob(self) -> dt.date | None:
        text = self.dob.text().strip()
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, "%d/%m/%Y").date()
        except ValueError:
            raise CounterError(f"Ngày sinh «{text}» không đúng dạng dd/mm/yyyy.") from None

    def _clean_applicant_fields(self) -> None:
        """Normalise the free-text fields in place; a field that breaks a rule gets focus (issue #14)."""
        for key, field in (("full_name", self.name), ("address", self.address), ("phone", self.phone),
                           ("email", self.email)):
            try:
                cleaned = clean_text(key, field.text())
            except CounterError:
                field.setFocus()
                raise
            if cleaned != field.text():
                field.setText(cleaned)

    def confirm_applicant(self) -> None:
        """Validate the applicant and go to the checklist."""
        try:
            self._clean_applicant_fields()
            if not nfc(self.name.text()):
                raise CounterError("Chưa có họ tên người nộp.", hint="Quét mã QR trên CCCD hoặc gõ họ tên.")
            dob = self._parse_dob()
            if dob and dob > dt.date.today():
                raise CounterError("Ngày sinh ở tương lai.", hint="Kiểm tra lại ngày sinh.")
            if self.id_number.text().strip() and self.subject.currentIndex() == 0:
                validate_id_number(self.id_number.text(), birth_date=dob, gender=self.gender.currentText() or None)
        except CounterError as exc:
            self.message.setText(error_html(exc))
            return
        self.message.clear()
        self._show_step(2)
        if self.checklist.rowCount():
            self.checklist.selectRow(0)

    # ---------------------------------------------------------------- step 3: checklist
    def _fill_checklist(self) -> None:
        if not self.procedure:
            return
        previous = self._states() if self.checklist.rowCount() else {}
        comps = self.procedure.get("components") or []
        reuse = {d["component_code"] for d in self.citizen_reuse}
        self.checklist.setRowCount(len(comps))
        for r, c in enumerate(comps):
            allowed = component_states(c.get("required", True), bool(c.get("show_only")))
            state = previous.get(c["code"]) if previous.get(c["code"]) in allowed else allowed[0]
            optional = not c.get("required", True) and "nếu có" not in c["name"]
            name = QTableWidgetItem(c["name"] + (" (nếu có)" if optional else ""))
            name.setData(Qt.ItemDataRole.UserRole, c["code"])
            self.checklist.setItem(r, 0, name)
            self.checklist.setItem(r, 1, QTableWidgetItem(str(c.get("originals", 0))))
            self.checklist.setItem(r, 2, QTableWidgetItem(str(c.get("copies", 0))))
            self.checklist.setItem(r, 3, QTableWidgetItem())
            note = "Đã có bản số hóa — tái sử dụng" if c["code"] in reuse else ""
            self.checklist.setItem(r, 4, QTableWidgetItem(note))
            self._set_state(r, state)

    def _set_state(self, row: int, state: str) -> None:
        item = self.checklist.item(row, 3)
        item.setText(STATE_LABELS[state])
        item.setData(Qt.ItemDataRole.UserRole, state)
        color = {"received": Qt.GlobalColor.darkGreen, "missing": Qt.GlobalColor.red,
                 "shown": Qt.GlobalColor.darkBlue, "na": Qt.GlobalColor.gray}[state]
        item.setForeground(color)

    def _allowed(self, row: int) -> tuple[str, ...]:
        assert self.procedure
        c = (self.procedure.get("components") or [])[row]
        return component_states(c.get("required", True), bool(c.get("show_only")))

    def _cycle_state(self, row: int) -> None:
        cur = self.checklist.item(row, 3).data(Qt.ItemDataRole.UserRole)
        allowed = self._allowed(row)
        self._set_state(row, allowed[(allowed.index(cur) + 1) % len(allowed)] if cur in allowed else allowed[0])

    def _mark(self, row: int, state: str) -> None:
        """A number key: that mark, or why it does not fit this component (issue #14)."""
        if state in self._allowed(row):
            self._set_state(row, state)
            self.message.clear()
            return
        name = self.checklist.item(row, 0).text()
        why = {"shown": "phải nộp để lưu hồ sơ, không chỉ xuất trình",
               "received": "chỉ xuất trình để đối chiếu, không thu lại",
               "na": "là thành phần bắt buộc"}[state]
        self.message.setText(error_html(f"«{name}» {why}."))

    def _states(self) -> dict[str, str]:
        return {self.checklist.item(r, 0).data(Qt.ItemDataRole.UserRole):
                self.checklist.item(r, 3).data(Qt.ItemDataRole.UserRole) for r in range(self.checklist.rowCount())}

    def _missing_required(self) -> list[str]:
        assert self.procedure
        states = self._states()
        return [c["name"] for c in self.procedure.get("components") or []
                if not component_complete(c.get("required", True), bool(c.get("show_only")),
                                          states.get(c["code"], "missing"))]

    def _go_decision(self) -> None:
        assert self.procedure
        self._disarm_refusal()
        missing = self._missing_required()
        self.accept_btn.setEnabled(not missing)
        lines = [f"<b>{self.procedure['name']}</b> ({self.procedure['code']})",
                 f"Người nộp: <b>{nfc(self.name.text())}</b> {self.id_number.text()}",
                 f"Thời hạn giải quyết: {self.procedure.get('processing_text') or '—'}"]
        if self.calendar is not None and not missing:
            # Preview only: the saved due date is computed again at the moment of saving.
            p = self.procedure
            timing = repo.procedure_timing({"processing_days": p.get("processing_days"),
                                            "processing_hours": p.get("processing_hours"),
                                            "cutoff_time": p.get("cutoff_time"),
                                            "time_unit": p.get("time_unit")})
            due = self.calendar.due_at(dt.datetime.now().replace(microsecond=0), timing)
            lines.append(f"Hẹn trả kết quả: <b style='font-size:15px'>{due:%H giờ %M phút, ngày %d/%m/%Y}</b>")
        lines.append(f"Phí, lệ phí: <b>{_fee_text(self.procedure.get('fees') or [], 'không thu')}</b>")
        per_page = self._per_page()
        for widget in (self.fee_pages, self.fee_copies, self.fee_label):
            self._decision_form.setRowVisible(widget, per_page)
        self._show_fee()
        lines.append(availability_html(self.procedure) + (  # online guidance hook
            " — có thể hướng dẫn công dân nộp trực tuyến (Ctrl+H)" if guidance_allowed(self.procedure) else ""))
        self.guide_btn_decision.setEnabled(guidance_allowed(self.procedure))
        if missing:
            lines.append(error_html("<b>Còn thiếu:</b> " + "; ".join(missing)) +
                         " — chỉ có thể yêu cầu bổ sung (Mẫu 02) hoặc từ chối.")
        else:
            lines.append(ok_html("Hồ sơ đủ thành phần bắt buộc."))
        self.summary.setText("<br>".join(lines))
        self._show_step(3)

    # ---------------------------------------------------------------- step 4: decision
    def _per_page(self) -> bool:
        """The chosen procedure has a per-page (chứng thực) fee."""
        return bool(self.procedure) and any(
            f.get("pricing") == "per_page" for f in (self.procedure or {}).get("fees") or [])

    def _show_fee(self) -> None:
        """The chứng thực fee for the pages × copies entered (the receipt prints the same)."""
        if not self._per_page():
            return
        from counter_app.domain.catalogue import charges, total_if_known

        pages = self.fee_pages.value() or None
        try:
            fees = procedure_from_dict(self.procedure or {}).fees
        except ValidationError:
            fees = ()  # a catalogue row the parser refuses: the saved dossier still gets its snapshot
        # The one fee rule (as reception's snapshot charges it): a counter filing, pages × copies.
        items = [c for c in charges(fees, online=False, pages=pages, copies=self.fee_copies.value())
                 if c.fee.pricing == "per_page"]
        total = total_if_known(items)
        self.fee_label.setText(f"<b>{_money(total)}</b>" if items and total is not None
                               else "nhập số trang của bản chính")

    def _input(self, decision: str) -> repo.ReceptionInput:
        assert self.procedure
        reuse = {d["component_code"]: d["file_id"] for d in self.citizen_reuse}
        # «Không áp dụng» is not sent: an optional paper left out gets no row (db.dossiers.receive).
        comps = [repo.ComponentInput(code, state, reused_file_id=reuse.get(code) if state == "received" else None)
                 for code, state in self._states().items() if state != "na"]
        missing = self._missing_required()
        reason = clean_text("reason", self.reason.text())
        if decision == "incomplete" and not reason and missing:
            reason = "Cần bổ sung: " + "; ".join(missing)
        return repo.ReceptionInput(
            procedure_code=self.procedure["code"],
            applicant=repo.ApplicantInput(
                full_name=self.name.text(), id_number=self.id_number.text().strip(),
                date_of_birth=self._parse_dob(), gender=self.gender.currentText(), address=self.address.text(),
                phone=self.phone.text().strip(), email=self.email.text().strip(),
                subject_type=self.subject.currentIndex() + 1),
            components=comps, decision=decision, return_method=self.return_method.currentIndex(),
            # Recorded under the signed-in officer; nobody signed in is refused here, before any write.
            reason=reason, officer_id=require_actor(self.worker.actor).user_id,
            extra={"online_only_override": self.paper_override} if self.paper_override else {},
            fee_pages=(self.fee_pages.value() or None) if self._per_page() else None,
            fee_copies=self.fee_copies.value() if self._per_page() else 1)

    def decide(self, decision: str) -> None:
        """Save the dossier with the decision and render its form (all on the worker)."""
        if self.stack.currentIndex() != 3 or self._saving:
            return
        if decision != "refuse":
            self._disarm_refusal()
        if decision == "accept" and not self.accept_btn.isEnabled():
            return
        if decision == "refuse" and not nfc(self.reason.text()):
            self._pending_decision = "refuse"
            self.message.setText(error_html("Nhập lý do từ chối vào ô «Lý do» rồi nhấn Enter (hoặc F9)."))
            self.reason.setFocus()
            return
        try:
            data = self._input(decision)
        except CounterError as exc:
            self.message.setText(error_html(exc))
            self.reason.setFocus()
            return
        if decision == "refuse" and not self._refusal_armed:
            self._arm_refusal(data.reason)
            return
        self._disarm_refusal()
        self._pending_decision = None
        root, token = self.data_root, self.attempt_token

        def work(cdb: CounterDB) -> ReceptionOutcome:
            # Imported here, on the worker: reportlab and the holiday tables are not needed to open the window.
            from counter_app.services.reception import receive_with_form

            return receive_with_form(cdb, root, data, token)

        self._saving = True
        for b in (self.accept_btn, self.incomplete_btn, self.refuse_btn):
            b.setEnabled(False)
        self.message.setText("Đang lưu…")
        self.worker.submit(work, lambda r: self._saved(decision, r), self._save_failed)

    _saving = False

    def _arm_refusal(self, reason: str) -> None:
        """Show the one-key confirmation that names the decision; a second F9 refuses."""
        assert self.procedure
        self._refusal_armed = True
        self._pending_decision = None
        self.confirm_label.setText(
            f"<b style='color:#b00020'>TỪ CHỐI TIẾP NHẬN hồ sơ</b> «{self.procedure['name']}» của "
            f"<b>{nfc(self.name.text())}</b> — sẽ in Phiếu từ chối tiếp nhận (Mẫu 03).<br>"
            f"Lý do: {reason}<br><b>Nhấn F9 lần nữa để xác nhận</b>, hoặc Esc để thôi.")
        self.confirm_label.show()
        self.confirm_btn.show()
        self.confirm_btn.setFocus()
        self.message.clear()

    def _disarm_refusal(self, *_args: object) -> None:
        if not self._refusal_armed:
            return
        self._refusal_armed = False
        self.confirm_label.hide()
        self.confirm_btn.hide()

    def _save_failed(self, exc: BaseException) -> None:
        self._saving = False
        self.incomplete_btn.setEnabled(True)
        self.refuse_btn.setEnabled(True)
        self.accept_btn.setEnabled(not self._missing_required())
        if isinstance(exc, CounterError):
            self.message.setText(error_html(exc))
        else:
            show_exception(self, exc)

    def _saved(self, decision: str, outcome: ReceptionOutcome) -> None:
        self._saving = False
        self.result, self.receipt_path = outcome.result, outcome.form_path
        self.print_btn.setEnabled(True)  # online guidance hook: disabled after an online filing
        self.incomplete_btn.setEnabled(True)
        self.refuse_btn.setEnabled(True)
        r = self.result
        self.message.clear()
        if decision == "accept" and r.code and r.due_at:
            self.done_label.setText(
                f"<h2 style='color:#080'>Đã tiếp nhận hồ sơ</h2>"
                f"<p style='font-size:16px'>Mã hồ sơ: <b>{r.code}</b><br>"
                f"Hẹn trả kết quả: <b>{r.due_at:%H giờ %M phút, ngày %d/%m/%Y}</b></p>"
                "<p>Giấy tiếp nhận và hẹn trả kết quả (2 liên) đã sẵn sàng: bấm «Xem» hoặc in (Ctrl+P).</p>")
        elif decision == "incomplete":
            self.done_label.setText("<h2>Đã lập Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)</h2>"
                                    "<p>Bấm «Xem» hoặc in (Ctrl+P).</p>")
        else:
            self.done_label.setText("<h2>Đã lập Phiếu từ chối tiếp nhận (Mẫu 03)</h2>"
                                    "<p>Bấm «Xem» hoặc in (Ctrl+P).</p>")
        self._show_step(4)
        self.received.emit(r.dossier_id)
        self.online_figures.refresh()  # online guidance hook

    def view_form(self) -> None:
        """«Xem»: the form just produced, decrypted in memory in the app's viewer."""
        if self.receipt_path is not None:
            from counter_app.ui.scan_viewer import ScanViewer

            self.last_viewer = ScanViewer(self.receipt_path, self.receipt_path.stem, self)
            self.last_viewer.open()

    def print_receipt(self) -> None:
        """Ctrl+P: print preview of the form just produced."""
        if self.receipt_path is None:
            return
        from counter_app.ui.printing import preview_pdf

        preview_pdf(self, self.receipt_path)

    # ---------------------------------------------------------------- online guidance hook
    def open_guidance(self, procedure: dict[str, Any] | None = None) -> None:
        """Ctrl+H: open «Hướng dẫn nộp trực tuyến» for the chosen (or highlighted) procedure."""
        p = procedure if isinstance(procedure, dict) else None
        if p is None and self.stack.currentIndex() > 0:
            p = self.procedure
        if p is None:
            item = self.results.currentItem()
            p = self.procedures.get(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None
        if p is None:
            self.message.setText(error_html("Chưa chọn thủ tục."))
            return
        if not guidance_allowed(p):
            self.message.setText(f"Thủ tục «{p['name']}» chưa được cung cấp trực tuyến: tiếp nhận hồ sơ giấy.")
            return
        if self.guidance is not None:
            self.guidance.close()
        self.guidance = GuidanceDialog(
            self.worker, self.data_root, p, officer_id=self.officer_id,
            applicant={"full_name": self.name.text(), "id_number": self.id_number.text()}, parent=self)
        self.guidance.recorded.connect(lambda res, proc=p: self._guidance_recorded(proc, res))
        self.guidance.open()

    def _guidance_recorded(self, p: dict[str, Any], res: Any) -> None:
        """The guidance session is stored: continue on paper, or show the online filing."""
        self.online_figures.refresh()
        if res.outcome == "filed_online":
            self.result, self.receipt_path = None, None
            self.print_btn.setEnabled(False)  # no paper receipt: the portal notifies the citizen
            self.message.clear()
            self.done_label.setText(
                f"<h2 style='color:#080'>Đã ghi nhận hồ sơ nộp trực tuyến</h2>"
                f"<p style='font-size:16px'>Mã hồ sơ trên Cổng: <b>{res.portal_code}</b><br>"
                f"Mã hồ sơ tại quầy: <b>{res.dossier_code}</b> (kênh trực tuyến)</p>"
                "<p>Công dân theo dõi tiến độ trên Cổng dịch vụ công hoặc ứng dụng VNeID.</p>")
            self._show_step(4)
            self.received.emit(res.dossier_id)
        elif res.outcome == "later":
            self.new_dossier()
            self.message.setText(ok_html("Đã ghi nhận: công dân sẽ tự nộp trực tuyến."))
        else:
            if p.get("online_only"):
                self.paper_override = {"session_id": res.session_id, "procedure_code": p["code"]}
            if self.stack.currentIndex() == 0:
                self.procedure = p
                self._fill_checklist()
                self._show_step(1)
            self.message.setText("Đã ghi nhận lý do nộp giấy — tiếp tục tiếp nhận hồ sơ giấy.")
