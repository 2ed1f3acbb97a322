"""«Hướng dẫn nộp trực tuyến»: the guidance dialog, and the online-filing figures for the counter.

The dialog shows the steps for one procedure, a QR code opening its page on the public-service
portal, prints the A5 guide sheet (rendered on the thread pool, stored under ``documents/``), and
records how the session ended: filed online now (with the portal's dossier code → a channel-2
dossier), will file later, or paper (with the reason; for an online-only procedure only with a
supervisor's override). Database work goes through :class:`DbWorker`; the dialog is non-blocking
(``open()``) so the reception page stays usable and tests can drive it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from counter_app.documents.model import Agency
from counter_app.domain.citizen_id import InvalidCitizenId, parse_cccd_qr
from counter_app.domain.online import REASON_LABELS, REASONS, Guide, availability, money
from counter_app.errors import CounterError
from counter_app.services import guidance as gdb
from counter_app.services.guidance import ApplicantInput
from counter_app.textnorm import nfc
from counter_app.ui.errors import error_html, show_exception
from counter_app.ui.qt import (
    QColor,
    QComboBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QImage,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPainter,
    QPixmap,
    QPushButton,
    QScrollArea,
    QShortcut,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.screen import fit_to_screen
from counter_app.ui.tasks import DbWorker, run_in_pool

log = logging.getLogger(__name__)

RED = "#b00"
GREEN = "#080"


def qr_image(matrix: tuple[tuple[bool, ...], ...], scale: int = 6) -> QImage:
    """A QR module matrix as a black-on-white image with the 4-module quiet zone."""
    n = len(matrix)
    side = (n + 8) * scale
    img = QImage(side, side, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    painter = QPainter(img)
    black = QColor("black")
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                painter.fillRect((c + 4) * scale, (r + 4) * scale, scale, scale, black)
    painter.end()
    return img


def availability_html(procedure: dict[str, Any]) -> str:
    """Online level · fee saved · online-only, as rich text for labels."""
    a = availability(procedure)
    colour = {"toan_trinh": GREEN, "mot_phan": "#a60", "khong": "#666"}.get(a.level, "#666")
    parts = [f"<b style='color:{colour}'>{a.label}</b>"]
    if a.saved:
        parts.append(f"nộp trực tuyến tiết kiệm <b>{money(a.saved)}</b>")
    if a.online_only:
        parts.append(f"<b style='color:{RED}'>CHỈ TIẾP NHẬN TRỰC TUYẾN</b>")
    return " · ".join(parts)


class GuidanceDialog(QDialog):
    """Guide one citizen through filing one procedure online, and record the outcome."""

    recorded = Signal(object)      # gdb.SessionResult
    sheet_ready = Signal(object)   # Path of the stored guide sheet

    def __init__(
        self,
        worker: DbWorker,
        data_root: Path,
        procedure: dict[str, Any],
        *,
        officer_id: int | None = None,
        applicant: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.worker = worker
        self.data_root = data_root
        self.procedure = procedure
        # Who guides: the signed-in officer (the worker holds the actor); the argument stays for callers.
        self.officer_id = officer_id if officer_id is not None else worker.user_id
        self.online_only = bool(procedure.get("online_only"))
        self.guide: Guide | None = None
        self.agency: Agency | None = None
        self.officer_name = ""
        self.sheet_path: Path | None = None
        self.session_result: gdb.SessionResult | None = None
        self.preview_after_print = True
        self.setWindowTitle(f"Hướng dẫn nộp trực tuyến — {procedure['name']}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        fit_to_screen(self, 1040, 680)

        head = QLabel(
            f"<h2 style='margin:0'>Hướng dẫn nộp trực tuyến</h2>"
            f"<p style='font-size:15px; margin:4px 0'><b>{procedure['name']}</b> ({procedure['code']})<br>"
            f"{availability_html(procedure)}</p>")
        head.setTextFormat(Qt.TextFormat.RichText)
        head.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        if self.online_only:
            self.banner.setText(
                f"<div style='background:#fde8e8; color:{RED}; padding:6px'><b>Thủ tục này chỉ tiếp nhận "
                "trực tuyến</b> — không nhận hồ sơ giấy tại quầy. Hướng dẫn công dân nộp trên Cổng dịch vụ công; "
                "chỉ lãnh đạo/giám sát mới cho phép ngoại lệ (ghi rõ lý do).</div>")
        else:
            self.banner.hide()
        self.steps = QLabel("Đang tải hướng dẫn…")
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.steps.setWordWrap(True)
        self.steps.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.steps.setStyleSheet("font-size:14px;")
        self.qr = QLabel()
        self.qr.setFixedSize(220, 220)
        self.qr.setScaledContents(True)
        self.url = QLabel()
        self.url.setWordWrap(True)
        self.url.setFixedWidth(220)
        self.url.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url.setStyleSheet("font-size:11px; color:#555;")
        self.print_btn = QPushButton("In hướng dẫn  (Ctrl+P)")
        self.print_btn.setEnabled(False)
        self.print_btn.clicked.connect(self.print_sheet)
        right = QVBoxLayout()
        right.addWidget(QLabel("<b>Quét để mở trang thủ tục:</b>"))
        right.addWidget(self.qr)
        right.addWidget(self.url)
        right.addWidget(self.print_btn)
        right.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(self.steps)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        middle = QHBoxLayout()
        middle.addWidget(scroll, 1)
        middle.addLayout(right)

        self.name = QLineEdit(placeholderText="Họ tên công dân (bắt buộc khi đã nộp trực tuyến)")
        self.id_number = QLineEdit(placeholderText="Số định danh — hoặc quét mã QR trên CCCD vào đây")
        self.id_number.returnPressed.connect(self._id_entered)
        if applicant:
            self.name.setText(applicant.get("full_name", ""))
            self.id_number.setText(applicant.get("id_number", ""))
        who = QHBoxLayout()
        who.addWidget(QLabel("Công dân:"))
        who.addWidget(self.name, 2)
        who.addWidget(self.id_number, 2)

        self.filed_btn = QPushButton("Đã nộp trực tuyến  (Alt+1)")
        self.later_btn = QPushButton("Sẽ nộp sau  (Alt+2)")
        self.paper_btn = QPushButton("Vẫn nộp giấy  (Alt+3)")
        self.filed_btn.setStyleSheet("font-weight:bold; padding:6px;")
        self.filed_btn.clicked.connect(lambda: self.choose_outcome("filed_online"))
        self.later_btn.clicked.connect(lambda: self.choose_outcome("later"))
        self.paper_btn.clicked.connect(lambda: self.choose_outcome("paper"))
        outcomes = QHBoxLayout()
        outcomes.addWidget(QLabel("<b>Kết quả:</b>"))
        for b in (self.filed_btn, self.later_btn, self.paper_btn):
            outcomes.addWidget(b, 1)

        self.outcome_stack = QStackedWidget()
        self.outcome_stack.addWidget(QWidget())
        self.outcome_stack.addWidget(self._build_filed_panel())
        self.outcome_stack.addWidget(self._build_paper_panel())
        self.outcome_stack.hide()  # shown with the inputs the chosen outcome needs
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        close = QPushButton("Đóng  (Esc)")
        close.setAutoDefault(False)
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        bottom.addWidget(close)

        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(self.banner)
        lay.addLayout(middle, 1)
        lay.addLayout(who)
        lay.addLayout(outcomes)
        lay.addWidget(self.outcome_stack)
        lay.addLayout(bottom)
        for seq, fn in (("Ctrl+P", self.print_sheet), ("Alt+1", lambda: self.choose_outcome("filed_online")),
                        ("Alt+2", lambda: self.choose_outcome("later")),
                        ("Alt+3", lambda: self.choose_outcome("paper"))):
            QShortcut(QKeySequence(seq), self).activated.connect(fn)
        for b in (self.filed_btn, self.later_btn, self.paper_btn, self.print_btn):
            b.setAutoDefault(False)
        self.load()

    # ------------------------------------------------------------------ building
    def _build_filed_panel(self) -> QWidget:
        w = QGroupBox("Công dân đã nộp trên Cổng dịch vụ công")
        self.portal_code = QLineEdit(placeholderText="Mã hồ sơ do Cổng cấp, ví dụ G22.99-250115-0001")
        self.portal_code.returnPressed.connect(self.save_filed)
        save = QPushButton("Ghi nhận hồ sơ trực tuyến  (Enter)")
        save.setAutoDefault(False)
        save.clicked.connect(self.save_filed)
        row = QHBoxLayout(w)
        row.addWidget(QLabel("Mã hồ sơ trên Cổng:"))
        row.addWidget(self.portal_code, 1)
        row.addWidget(save)
        return w

    def _build_paper_panel(self) -> QWidget:
        w = QGroupBox("Công dân vẫn nộp hồ sơ giấy")
        self.reason = QComboBox()
        self.reason.addItem("— Chọn lý do —", None)
        for code in REASONS:
            if code == "not_fully_online" and self.procedure.get("online_level") == "toan_trinh":
                continue
            self.reason.addItem(REASON_LABELS[code], code)
        self.reason_text = QLineEdit(placeholderText="Ghi rõ lý do (bắt buộc khi chọn «Lý do khác»)")
        self.reason_text.returnPressed.connect(self.save_paper)
        row = QHBoxLayout()
        row.addWidget(QLabel("Lý do:"))
        row.addWidget(self.reason, 1)
        row.addWidget(self.reason_text, 1)
        self.sup_user = QLineEdit(placeholderText="Tên đăng nhập lãnh đạo/giám sát")
        self.sup_password = QLineEdit(placeholderText="Mật khẩu")
        self.sup_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.sup_reason = QLineEdit(placeholderText="Lý do cho phép nhận hồ sơ giấy")
        self.sup_reason.returnPressed.connect(self.save_paper)
        lay = QVBoxLayout(w)
        lay.addLayout(row)
        if self.online_only:
            lay.addWidget(QLabel(f"<b style='color:{RED}'>Thủ tục chỉ tiếp nhận trực tuyến — lãnh đạo/giám sát "
                                 "nhập tài khoản để cho phép ngoại lệ:</b>"))
            sup = QHBoxLayout()
            sup.addWidget(self.sup_user, 1)
            sup.addWidget(self.sup_password, 1)
            sup.addWidget(self.sup_reason, 2)
            lay.addLayout(sup)
        save = QPushButton("Ghi nhận và tiếp nhận hồ sơ giấy" if not self.online_only
                           else "Lãnh đạo cho phép — ghi nhận và tiếp nhận hồ sơ giấy")
        save.setAutoDefault(False)
        save.clicked.connect(self.save_paper)
        lay.addWidget(save)
        return w

    # ------------------------------------------------------------------ data
    def load(self) -> None:
        """Settings, agency and the QR matrix, on the worker."""
        proc, actor = self.procedure, self.worker.actor
        self.worker.submit(lambda cdb: gdb.prepare_guide(cdb, proc, actor), self._loaded, self._failed)

    def _loaded(self, res: gdb.GuidePrep) -> None:
        self.guide, matrix, self.agency, self.officer_name = res.guide, res.matrix, res.agency, res.officer_name
        g = self.guide
        steps = "".join(f"<li style='margin-bottom:6px'>{s}</li>" for s in g.steps)
        files = "".join(
            f"<li>{f.name}{'' if f.required else ' <i>(nếu có)</i>'}</li>" for f in g.files
        ) or "<li>Không phải tải lên giấy tờ nào.</li>"
        shown = (f"<p style='color:#555'><i>Không cần chụp: {'; '.join(g.shown)} — danh tính xác thực qua "
                 "VNeID.</i></p>") if g.shown else ""
        self.steps.setText(f"<b>Các bước</b><ol>{steps}</ol><b>Giấy tờ cần chuẩn bị</b> (bản chụp hoặc bản "
                           f"điện tử)<ul>{files}</ul>{shown}")
        self.qr.setPixmap(QPixmap.fromImage(qr_image(matrix)))
        self.url.setText(g.url)
        self.print_btn.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        for b in (self.filed_btn, self.later_btn, self.paper_btn):
            b.setEnabled(True)
        if isinstance(exc, CounterError):
            self.message.setText(error_html(exc))
        else:
            show_exception(self, exc)

    def _id_entered(self) -> None:
        """A handheld scanner typed the CCCD QR into the ID field: fill name and number."""
        text = self.id_number.text()
        if "|" not in text:
            return
        try:
            card = parse_cccd_qr(text)
        except InvalidCitizenId as exc:
            self.message.setText(error_html(exc))
            return
        self.name.setText(card.full_name)
        self.id_number.setText(card.id_number)

    # ------------------------------------------------------------------ printing
    def print_sheet(self) -> None:
        """Render the A5 guide sheet on the pool, store it, then open the print preview."""
        if self.guide is None or self.agency is None:
            return
        guide, agency, officer, root = self.guide, self.agency, self.officer_name, self.data_root

        def job() -> Path:
            from counter_app.documents.guide_sheet import render_guide_sheet, store_guide_sheet

            return store_guide_sheet(root, guide.procedure_code,
                                     render_guide_sheet(guide, agency, officer_name=officer))

        self.print_btn.setEnabled(False)
        self.message.setText("Đang tạo phiếu hướng dẫn…")
        run_in_pool(job, self._sheet_done, self._sheet_failed)

    def _sheet_done(self, path: Path) -> None:
        self.sheet_path = path
        self.print_btn.setEnabled(True)
        self.message.setText(f"Đã tạo phiếu hướng dẫn: {path.name}")
        self.sheet_ready.emit(path)
        if self.preview_after_print:
            from counter_app.ui.printing import preview_pdf

            preview_pdf(self, path)

    def _sheet_failed(self, exc: BaseException) -> None:
        self.print_btn.setEnabled(True)
        self._failed(exc)

    # ------------------------------------------------------------------ outcomes
    def choose_outcome(self, outcome: str) -> None:
        """Show what the outcome needs (portal code, reason) or record it right away (later)."""
        if outcome == "filed_online":
            self.outcome_stack.setCurrentIndex(1)
            self.outcome_stack.show()
            self.portal_code.setFocus()
        elif outcome == "paper":
            self.outcome_stack.setCurrentIndex(2)
            self.outcome_stack.show()
            self.reason.setFocus()
        else:
            self.outcome_stack.setCurrentIndex(0)
            self.outcome_stack.hide()
            self._record(gdb.SessionInput(procedure_code=self.procedure["code"], outcome="later",
                                          applicant=self._applicant(), officer_id=self.officer_id))

    def _applicant(self) -> ApplicantInput:
        return ApplicantInput(full_name=nfc(self.name.text()), id_number=nfc(self.id_number.text()))

    def save_filed(self) -> None:
        """Record «Đã nộp trực tuyến» with the portal's code (creates the channel-2 dossier)."""
        self._record(gdb.SessionInput(
            procedure_code=self.procedure["code"], outcome="filed_online", applicant=self._applicant(),
            officer_id=self.officer_id, portal_code=self.portal_code.text()))

    def save_paper(self) -> None:
        """Record «Vẫn nộp giấy» with the reason (and the supervisor's override if needed)."""
        data = gdb.SessionInput(
            procedure_code=self.procedure["code"], outcome="paper", applicant=self._applicant(),
            officer_id=self.officer_id, reason_code=self.reason.currentData(),
            reason_text=self.reason_text.text(), override_reason=self.sup_reason.text())
        user, password = self.sup_user.text(), self.sup_password.text()
        if self.online_only and not (nfc(user) and password):
            self.message.setText(error_html("Thủ tục chỉ tiếp nhận trực tuyến: lãnh đạo/giám sát "
                                            "cần nhập tài khoản để cho phép nhận hồ sơ giấy."))
            self.sup_user.setFocus()
            return
        self._record(data, supervisor=(user, password) if self.online_only else None)

    def _record(self, data: gdb.SessionInput, supervisor: tuple[str, str] | None = None) -> None:
        actor = self.worker.actor
        for b in (self.filed_btn, self.later_btn, self.paper_btn):
            b.setEnabled(False)
        self.message.setText("Đang lưu…")
        self.worker.submit(lambda cdb: gdb.record_session(cdb, data, actor, supervisor), self._recorded,
                           self._failed)

    def _recorded(self, res: gdb.SessionResult) -> None:
        self.session_result = res
        self.sup_password.clear()
        self.recorded.emit(res)
        self.accept()


class OnlineFiguresLabel(QLabel):
    """One line on the reception page: this month's online share vs the target, guidance results."""

    def __init__(self, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.figures: gdb.OnlineFigures | None = None
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)  # one line on a wide screen; never widens the window on a small one
        self.setStyleSheet("color:#333; padding:2px 4px; background:#eef4ff; border-radius:3px;")
        self.setText("Trực tuyến tháng này: đang tính…")

    def refresh(self) -> None:
        """Recompute on the worker (two indexed counts and one small group-by)."""
        self.worker.submit(lambda cdb: gdb.figures(cdb), self._show, lambda _e: None)

    def _show(self, f: gdb.OnlineFigures) -> None:
        self.figures = f
        self.setText(gdb.figures_line(f))
        reached = f.share.percent is not None and f.share.percent >= f.target_percent
        self.setStyleSheet(f"color:{'#060' if reached else '#333'}; padding:2px 4px; "
                           f"background:{'#eaf7ea' if reached else '#eef4ff'}; border-radius:3px;")


class OnlineFiguresPanel(QWidget):
    """The supervisor's full view: share and target, guidance outcomes, reasons, recent sessions."""

    def __init__(self, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.figures: gdb.OnlineFigures | None = None
        self.summary = QLabel("Đang tính…")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["Thời gian", "Thủ tục", "Công dân", "Cán bộ", "Kết quả", "Chi tiết"])
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(QLabel("<b>Các lượt hướng dẫn gần đây</b>"))
        lay.addWidget(self.table, 1)

    def refresh(self) -> None:
        """Load figures and the latest sessions on the worker."""
        self.worker.submit(lambda cdb: (gdb.figures(cdb, top=4), gdb.recent_sessions(cdb, 100)), self._show)

    def _show(self, res: tuple[gdb.OnlineFigures, list[dict[str, Any]]]) -> None:
        from counter_app.domain.online import OUTCOME_LABELS

        f, rows = res
        self.figures = f
        pct = gdb.percent_text
        reasons = "".join(f"<li>{label}: <b>{n}</b></li>" for _c, label, n in f.top_reasons) or "<li>—</li>"
        need = ("đã đạt chỉ tiêu" if f.needed == 0 and f.share.received else
                f"cần thêm <b>{f.needed}</b> hồ sơ trực tuyến trong tháng" if f.needed > 0 else "")
        self.summary.setText(
            f"<h2>Hồ sơ trực tuyến — tháng {f.month.month}/{f.month.year}</h2>"
            f"<p style='font-size:14px'>Tỷ lệ trực tuyến tháng: <b>{pct(f.share.percent)}</b> "
            f"({f.share.online}/{f.share.received} hồ sơ tiếp nhận) · từ đầu năm: "
            f"<b>{pct(f.year_share.percent)}</b> ({f.year_share.online}/{f.year_share.received}) · "
            f"chỉ tiêu năm: <b>{gdb.target_text(f.target_percent)}</b> {('· ' + need) if need else ''}</p>"
            f"<p>Lượt hướng dẫn nộp trực tuyến: <b>{f.sessions}</b> — nộp trực tuyến ngay tại quầy "
            f"<b>{f.filed_online}</b> ({pct(f.conversion_percent)}), sẽ nộp sau <b>{f.later}</b>, vẫn nộp giấy "
            f"<b>{f.paper}</b> (trong đó lãnh đạo cho phép ngoại lệ: {f.overrides})</p>"
            f"<p>Lý do vẫn nộp giấy thường gặp:</p><ul>{reasons}</ul>")
        self.table.setRowCount(len(rows))
        for r, s in enumerate(rows):
            if s["outcome"] == "filed_online":
                detail = f"Mã Cổng {s['portal_code']} · hồ sơ {s['dossier_code'] or ''}"
            elif s["outcome"] == "paper":
                detail = REASON_LABELS.get(s["reason_code"] or "", "") + (f": {s['reason_text']}"
                                                                          if s["reason_text"] else "")
                if s["override_by"]:
                    detail += f" · {s['override_name']} cho phép: {s['override_reason']}"
            else:
                detail = ""
            values = [s["at"], f"{s['procedure_name'] or ''} ({s['procedure_code']})", s["applicant_name"],
                      s["officer_name"] or "", OUTCOME_LABELS.get(s["outcome"], s["outcome"]), detail]
            for c, v in enumerate(values):
                item = QTableWidgetItem(str(v or ""))
                item.setToolTip(item.text())
                self.table.setItem(r, c, item)
        for c in range(5):  # the last column («Chi tiết») stretches; long text is in its tooltip
            self.table.resizeColumnToContents(c)
