"""Dossier detail: components, files, fees, timeline, and the actions its status allows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from counter_app.documents.model import FormKind
from counter_app.domain.lifecycle import CHANNEL_LABELS, OPEN_STATUSES, STATUS_LABELS, Status
from counter_app.errors import CounterError
from counter_app.services import dossiers as repo
from counter_app.services import ward
from counter_app.services.forms import fee_total_text
from counter_app.ui.errors import OK_COLOUR, error_html, show_exception
from counter_app.ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QShortcut,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.screen import fit_to_screen
from counter_app.ui.tasks import DbWorker, run_in_pool

EVENT_LABELS = {
    "received": "Tiếp nhận hồ sơ", "supplement_requested": "Yêu cầu bổ sung", "refused": "Từ chối tiếp nhận",
    "apology": "Xin lỗi, hẹn lại ngày trả", "digitised": "Số hóa thành phần",
}
STATE_TEXT = {"received": "Đã nhận", "missing": "Thiếu", "shown": "Chỉ xuất trình"}
EVENT_LABELS.update({"component_review": "Kiểm tra chất lượng bản số hóa",
                     "province_update": "Cập nhật từ hệ thống của tỉnh",
                     # Another counter's dossier (ward replica, issue #19): its steps at the province.
                     "province_step": "Bước xử lý trên hệ thống của tỉnh",
                     "sync_conflict": "Xung đột: quầy khác đã cập nhật trước"})
RETURN_METHODS = {0: "tại Bộ phận Một cửa", 1: "qua bưu chính công ích"}


def _day(ts: Any) -> str:
    text = str(ts or "")
    return f"{text[8:10]}/{text[5:7]}/{text[:4]}" if len(text) >= 10 else text


def event_detail_text(kind: str, detail: dict[str, Any], component_names: dict[str, str]) -> str:
    """What an officer reads in the «Chi tiết» column of the history, in plain Vietnamese.

    The event's ``detail`` JSON is written for machines (file uids, booleans, codes); the officer
    reads which paper, how many pages, whether it is signed. Internal keys (uids, ids, sequence
    numbers) are never shown (issue #14: "file_uid…; mismatch: False; signed: True").
    """
    parts: list[str] = []
    if kind == "digitised":
        code = detail.get("component_code") or ""
        name = component_names.get(code, code)
        if name:
            parts.append(f"«{name}»")
        pages, declared = detail.get("pages"), detail.get("declared")
        if pages is not None:
            parts.append(f"{pages} trang")
        if detail.get("mismatch") and declared is not None:
            parts.append(f"lệch số trang: giấy ghi {declared} trang")
        parts.append("đã ký số" if detail.get("signed") else "chưa ký số")
        return ", ".join(parts)
    if kind == "component_review":
        decision = {"approved": "Đạt", "rejected": "Không đạt — cần quét lại"}.get(detail.get("decision") or "", "")
        return " · ".join(p for p in (f"«{detail['component']}»" if detail.get("component") else "", decision,
                                      detail.get("reason") or "") if p)
    if kind == "sync_conflict":
        return "Thao tác của quầy này không được áp dụng; hồ sơ hiển thị theo hệ thống của tỉnh (xem trang Đồng bộ)"
    if kind in ("province_update", "province_step"):
        results = detail.get("results") or []
        if detail.get("note"):
            parts.append(str(detail["note"]))
        if detail.get("by"):
            parts.append(f"người xử lý: {detail['by']}")
        if results:
            parts.append("kết quả: " + ", ".join(str(r.get("name", "")) for r in results if isinstance(r, dict)))
        return "; ".join(parts)
    # Status changes, reception, refusal, apology, supplement, return of the result.
    if detail.get("reason"):
        parts.append(f"Lý do: {detail['reason']}")
    if detail.get("supplement"):
        parts.append(f"Bổ sung: {detail['supplement']}")
    if detail.get("paused_working_days"):
        parts.append(f"tạm dừng {detail['paused_working_days']} ngày làm việc")
    if detail.get("new_due_at"):
        parts.append(f"hẹn trả mới: {_day(detail['new_due_at'])}")
    if detail.get("to"):
        parts.append(f"Người nhận: {detail['to']}")
    if "id_checked" in detail:
        parts.append("đã kiểm tra giấy tờ tùy thân" if detail["id_checked"] else "chưa kiểm tra giấy tờ tùy thân")
    if detail.get("method") is not None and kind.startswith("status_"):
        parts.append(RETURN_METHODS.get(int(detail["method"]), ""))
    return "; ".join(p for p in parts if p)


def _fmt(ts: str | None) -> str:
    return f"{ts[11:16]} {ts[8:10]}/{ts[5:7]}/{ts[:4]}" if ts else "—"


def _table(headers: list[str], rows: list[list[str]]) -> QTableWidget:
    t = QTableWidget(len(rows), len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            t.setItem(r, c, QTableWidgetItem(v))
    t.resizeColumnsToContents()
    t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    return t


class _AskDialog(QDialog):
    """A small form dialog for an action's inputs."""

    def __init__(self, title: str, parent: QWidget | None, fields: list[tuple[str, QWidget]]) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        for label, w in fields:
            form.addRow(label, w)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.button(QDialogButtonBox.StandardButton.Ok).setText("Xác nhận")
        bb.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        form.addRow(bb)


class DossierDetail(QDialog):
    """Shows one dossier; actions run on the worker and the dialog reloads after each."""

    scan_requested = Signal(int)

    def __init__(self, worker: DbWorker, data_root: Path, dossier_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker, self.data_root, self.dossier_id = worker, data_root, dossier_id
        self.d: dict[str, Any] = {}
        self.changed = False
        self.setWindowTitle("Chi tiết hồ sơ")
        fit_to_screen(self, 980, 720)
        self.lay = QVBoxLayout(self)
        self.header = QLabel("Đang tải…")
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        self.lay.addWidget(self.header)
        self.body = QVBoxLayout()
        self.lay.addLayout(self.body, 1)
        # Progress and outcome of «Tải kết quả từ tỉnh»: outside the body, so a reload keeps it.
        self.results_status = QLabel("")
        self.results_status.setTextFormat(Qt.TextFormat.RichText)
        self.results_status.setWordWrap(True)
        self.results_status.hide()
        self.lay.addWidget(self.results_status)
        self.action_row = QHBoxLayout()
        self.lay.addLayout(self.action_row)
        self.last_pdf: Path | None = None
        self.result_docs: list[dict[str, Any]] = []
        self.result_table: QTableWidget | None = None
        self.fetch_btn: QPushButton | None = None
        self.fetching = False
        self.no_preview = False       # tests: open nothing modal, remember the path in last_pdf
        self.comp_table: QTableWidget | None = None
        QShortcut(QKeySequence("Ctrl+O"), self).activated.connect(
            lambda: self.view_scan(self.comp_table.currentRow() if self.comp_table is not None else -1))
        self.reload()

    def reload(self) -> None:
        """Fetch the dossier on the worker."""
        did, actor = self.dossier_id, self.worker.actor
        if getattr(self, "_viewed", False):  # a refresh after an action is not a new look at the citizen
            self.worker.submit(lambda cdb: repo.detail(cdb, did), self._show)
            return
        self._viewed = True
        self.worker.submit(lambda cdb: repo.view(cdb, did, actor), self._show)

    def _clear(self, layout: Any) -> None:
        while layout.count():
            item = layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()

    def _show(self, d: dict[str, Any]) -> None:
        self.d = d
        status = Status(d["status"])
        now = dt.datetime.now().strftime(repo.TS)
        overdue = status in OPEN_STATUSES and d["due_at"] and d["due_at"] < now
        due = _fmt(d["due_at"]) + (f" (hẹn lại: {_fmt(d['new_due_at'])})" if d.get("new_due_at") else "")
        self.header.setText(
            f"<h2>{d['code'] or '(chưa cấp mã)'} — {d['procedure'].name}</h2>"
            f"Người nộp: <b>{d['applicant_name']}</b> {d['applicant_id_number']} · ĐT {d['phone'] or '—'}<br>"
            f"Trạng thái: <b>{STATUS_LABELS[status]}</b>"
            + (" <b style='color:#b00'>· QUÁ HẠN</b>" if overdue else "")
            + f" · Kênh: {CHANNEL_LABELS.get(d['channel'], '')} · Tiếp nhận: {_fmt(d['received_at'])}"
            f" · Hẹn trả: {due}<br>Đơn vị tiếp nhận: {d['receiving_unit']} · Đơn vị giải quyết: {d['deciding_unit']}"
            f" · Phí, lệ phí: {fee_total_text(d['fees'])}"
            + ("<br><i>Hồ sơ do quầy khác trong phường tiếp nhận — dữ liệu lấy từ hệ thống của tỉnh.</i>"
               if d.get("owner_counter") else ""))
        self._clear(self.body)
        files_by_comp: dict[int, int] = {}
        for f in d["files"]:
            if f["dossier_component_id"]:
                files_by_comp[f["dossier_component_id"]] = files_by_comp.get(f["dossier_component_id"], 0) + 1
        def digitised(c: dict[str, Any]) -> str:
            if c.get("review_state") == "rejected":
                return f"Không đạt — cần quét lại: {c.get('review_note') or ''}".strip(": ")
            if files_by_comp.get(c["id"]):
                return "Đã số hóa (đạt)" if c.get("review_state") == "approved" else "Đã số hóa"
            return "Chưa số hóa" if c["state"] == "received" else "—"

        comp_rows = [[c["name"], str(c["originals"]), str(c["copies"]), STATE_TEXT.get(c["state"], c["state"]),
                      digitised(c)] for c in d["components"]]
        self.body.addWidget(QLabel("<b>Thành phần hồ sơ</b>"))
        if not comp_rows and d.get("owner_counter"):
            # A replica carries no components (the paper and the scans stay at the receiving counter):
            # one line instead of an empty table that would take half the dialog.
            self.body.addWidget(QLabel("Giấy tờ và bản số hóa do quầy tiếp nhận hồ sơ lưu giữ."))
        self.comp_table = _table(["Thành phần", "Bản chính", "Bản sao", "Tình trạng", "Số hóa"], comp_rows)
        self.comp_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.comp_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Enter or a double-click on a digitised component opens its newest scan.
        self.comp_table.activated.connect(lambda idx: self.view_scan(idx.row()))
        self.body.addWidget(self.comp_table, 2)
        if not comp_rows and d.get("owner_counter"):
            self.comp_table.hide()   # in the layout (deleted with it on reload), taking no room
        first = next((r for r, c in enumerate(d["components"]) if files_by_comp.get(c["id"])), None)
        if first is not None:
            self.comp_table.selectRow(first)
        ev_rows = []
        names = {c["component_code"]: c["name"] for c in d["components"]}
        for e in d["events"]:
            label = EVENT_LABELS.get(e["kind"]) or (
                STATUS_LABELS[Status(e["to_status"])] if e["to_status"] else e["kind"])
            detail = json.loads(e["detail"] or "{}")
            extra = event_detail_text(e["kind"], detail if isinstance(detail, dict) else {}, names)
            ev_rows.append([label, _fmt(e["at"]), extra])
        self._show_results(d)
        self.body.addWidget(QLabel("<b>Quá trình xử lý</b>"))
        self.body.addWidget(_table(["Sự kiện", "Thời điểm", "Chi tiết"], ev_rows), 1)
        self._clear(self.action_row)
        for text, fn in self._available_actions(status, bool(overdue)):
            b = QPushButton(text)
            # A status change is a decision: never the side effect of Enter pressed in a table (issue #14).
            b.setAutoDefault(False)
            b.clicked.connect(fn)
            self.action_row.addWidget(b)
        if files_by_comp:
            view = QPushButton("Xem bản số hóa (Ctrl+O)")
            view.setAutoDefault(False)
            view.clicked.connect(lambda: self.view_scan(self.comp_table.currentRow()))
            self.action_row.addWidget(view)
            self.comp_table.setFocus()
        if d.get("owner_counter") and d.get("code"):
            # Another counter's dossier: its result documents are fetched when an officer asks (issue #19).
            self.fetch_btn = QPushButton("Đang tải…" if self.fetching else "Tải kết quả từ tỉnh")
            self.fetch_btn.setAutoDefault(False)
            self.fetch_btn.setEnabled(not self.fetching)
            self.fetch_btn.clicked.connect(self.fetch_results)
            self.action_row.addWidget(self.fetch_btn)
        else:
            self.fetch_btn = None
        close = QPushButton("Đóng (Esc)")
        close.setAutoDefault(False)
        close.clicked.connect(self.accept)
        self.action_row.addStretch(1)
        self.action_row.addWidget(close)

    def _show_results(self, d: dict[str, Any]) -> None:
        """The «Kết quả giải quyết» table: documents held here open on Enter / double-click."""
        self.result_docs = ward.result_documents(d)
        self.result_table = None
        if not self.result_docs:
            return
        self.body.addWidget(QLabel("<b>Kết quả giải quyết</b>"))
        rows = [[r["name"], "Đã tải về máy — Enter hoặc nhấp đúp để xem" if r["path"]
                 else "Chưa tải — bấm «Tải kết quả từ tỉnh»"] for r in self.result_docs]
        self.result_table = _table(["Giấy tờ kết quả", "Trên máy này"], rows)
        self.result_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.result_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.result_table.activated.connect(lambda idx: self.open_result(idx.row()))
        self.result_table.setMaximumHeight(40 + 30 * min(len(rows), 4))
        self.body.addWidget(self.result_table)

    def open_result(self, row: int) -> None:
        """Open a downloaded result document (decrypted in memory, like a printed form)."""
        if not 0 <= row < len(self.result_docs):
            return
        doc = self.result_docs[row]
        if not doc["path"]:
            self._results_note(error_html("Giấy tờ này chưa có trên máy: bấm «Tải kết quả từ tỉnh» trước."))
            return
        self._preview(self.data_root / doc["path"])

    def _results_note(self, html_text: str) -> None:
        self.results_status.setText(html_text)
        self.results_status.setVisible(bool(html_text))

    def fetch_results(self) -> None:
        """Download this replica's result documents on a pool thread (network: never the UI thread,
        nor the database worker, whose other jobs would wait behind the download)."""
        if self.fetching:
            return
        self.fetching = True
        if self.fetch_btn is not None:
            self.fetch_btn.setEnabled(False)
            self.fetch_btn.setText("Đang tải…")
        self._results_note("Đang tải kết quả từ hệ thống của tỉnh…")
        db_path, root, did = self.worker.db_path, self.data_root, self.dossier_id
        run_in_pool(lambda: ward.fetch_replica_results_now(db_path, root, did),
                    self._results_fetched, self._results_failed)

    def _results_fetched(self, count: object) -> None:
        self.fetching = False
        n = int(count) if isinstance(count, int) else 0
        text = (f"Đã tải {n} giấy tờ kết quả từ hệ thống của tỉnh." if n
                else "Không có giấy tờ kết quả mới trên hệ thống của tỉnh.")
        self._results_note(f"<span style='color:{OK_COLOUR}'>{text}</span>")
        self.changed = self.changed or bool(n)
        self.reload()

    def _results_failed(self, exc: BaseException) -> None:
        self.fetching = False
        if self.fetch_btn is not None:
            self.fetch_btn.setEnabled(True)
            self.fetch_btn.setText("Tải kết quả từ tỉnh")
        # A known problem (offline, keys not open) in its own words; a bug as a pointer to the log.
        self._results_note(error_html(exc, "khi tải kết quả từ tỉnh"))

    def _available_actions(self, s: Status, overdue: bool) -> list[tuple[str, Any]]:
        acts: list[tuple[str, Any]] = []
        if not self.d.get("code"):
            return acts
        if s in (Status.RECEIVED,):
            acts.append(("Chuyển xử lý", lambda: self._move(Status(4))))
        if s == Status.SUPPLEMENT:
            acts.append(("Đã nhận hồ sơ bổ sung", self.supplement_received))
        if s in (Status.RECEIVED, Status.PROCESSING):
            acts.append(("Yêu cầu bổ sung", lambda: self._move(Status(5))))
            acts.append(("Đã có kết quả", lambda: self._move(Status(9))))
        if s == Status.DONE:
            acts.append(("Trả kết quả…", self.return_result))
        if overdue:
            acts.append(("Xin lỗi, hẹn lại…", self.apology))
        if self.d.get("channel") != 2 and any(c["state"] == "received" for c in self.d.get("components", [])):
            acts.append(("Số hóa…", self._scan))
        acts.append(("In giấy tiếp nhận", lambda: self._print(FormKind.RECEIPT)))
        return acts

    def view_scan(self, row: int) -> None:
        """Ctrl+O / Enter on a component: its newest scan in the viewer, decrypted in memory."""
        comps = self.d.get("components") or []
        if not 0 <= row < len(comps):
            digitised = {f["dossier_component_id"] for f in self.d.get("files", []) if f["kind"] == "scan"}
            row = next((r for r, c in enumerate(comps) if c["id"] in digitised), -1)
            if row < 0:
                return
        from counter_app.ui.scan_viewer import open_component_scan

        open_component_scan(self, self.worker, self.data_root, int(comps[row]["id"]))

    def _scan(self) -> None:
        self.scan_requested.emit(self.dossier_id)
        self.accept()

    def _run(self, fn: Any, then: Any = None) -> None:
        def done(result: object) -> None:
            self.changed = True
            if then:
                then(result)
            self.reload()

        self.worker.submit(fn, done, lambda e: show_exception(self, e))

    def _move(self, target: Status) -> None:
        did, actor = self.dossier_id, self.worker.actor
        self._run(lambda c: repo.transition(c, did, target, actor))

    def supplement_received(self) -> None:
        """Record the supplement; the pause extends the deadline."""
        did, actor = self.dossier_id, self.worker.actor
        self._run(lambda c: repo.supplement_received(c, did, actor))

    def return_result(self) -> None:
        """Ask who collects the result and whether their ID was checked."""
        to_whom = QLineEdit(self.d.get("applicant_name", ""))
        checked = QCheckBox("Đã kiểm tra CCCD / giấy ủy quyền của người nhận")
        method = QComboBox()
        method.addItems(["Tại Bộ phận Một cửa", "Qua bưu chính công ích"])
        method.setCurrentIndex(int(self.d.get("return_method") or 0))
        dlg = _AskDialog("Trả kết quả", self, [("Người nhận", to_whom), ("", checked), ("Hình thức", method)])
        if dlg.exec():
            who, ok, m = to_whom.text(), checked.isChecked(), method.currentIndex()
            did, actor = self.dossier_id, self.worker.actor
            self._run(lambda c: repo.return_result(c, did, actor, to_whom=who, id_checked=ok, method=m))

    def apology(self) -> None:
        """Record an apology with a new date and print Mẫu 04 (or the 2025 letter)."""
        reason = QLineEdit()
        reason.setPlaceholderText("Lý do chậm trả kết quả")
        days = QComboBox()
        for n in (1, 2, 3, 5, 7, 10):
            days.addItem(f"{n} ngày làm việc", n)
        dlg = _AskDialog("Xin lỗi và hẹn lại ngày trả kết quả", self,
                         [("Lý do", reason), ("Gia hạn thêm", days)])
        if not dlg.exec():
            return
        why, n = reason.text(), int(days.currentData())
        root, actor, dossier = self.data_root, self.worker.actor, {**self.d, "id": self.dossier_id}
        self._run(lambda c: repo.apologise(c, root, dossier, actor, reason=why, working_days=n), self._preview)

    def _print(self, kind: FormKind) -> None:
        root, did, code, actor = self.data_root, self.dossier_id, self.d.get("code") or "", self.worker.actor
        self._run(lambda c: repo.print_form(c, root, did, code, kind, actor), self._preview)

    def _preview(self, path: object) -> None:
        if isinstance(path, Path):
            self.last_pdf = path
            if self.isVisible() and not self.no_preview:
                from counter_app.ui.printing import preview_pdf

                try:
                    preview_pdf(self, path)
                except CounterError as exc:
                    show_exception(self, exc)
