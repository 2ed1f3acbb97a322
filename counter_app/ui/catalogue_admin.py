"""«Danh mục»: the admin enters the province's fee amounts and the national field codes (issue #16).

A group of the settings page, shown to an admin only, with two tabs:

* **Mức thu phí, lệ phí** — every fee of the catalogue, the ones nobody entered first (red).
  Pick a row, type the amount (whole đồng; "8.000" or "8000") and, if the province charges less
  online, the online amount; Enter saves and moves to the next fee still missing.
* **Mã lĩnh vực quốc gia** — the app's field codes, their national code (``MaLinhVuc``), where
  it comes from and how many dossiers wait to be sent with the field; Enter saves.

The rules, the admin check and the audit entry live in :mod:`counter_app.services.catalogue_admin`;
every read and write runs on the :class:`~counter_app.ui.tasks.DbWorker`, refusals are shown inline.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from counter_app.db.database import CounterDB
from counter_app.errors import CounterError
from counter_app.services import catalogue_admin as ca
from counter_app.ui.errors import error_html, ok_html, show_exception
from counter_app.ui.qt import (
    QAbstractItemView,
    QBrush,
    QColor,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.tasks import DbWorker
from counter_app.vnformat import number

__all__ = ["FEE_COLUMNS", "FIELD_COLUMNS", "CatalogueAdminPanel"]

FEE_COLUMNS = ("Mã thủ tục", "Thủ tục", "Khoản thu", "Tại quầy", "Trực tuyến")
FIELD_COLUMNS = ("Mã trong ứng dụng", "Lĩnh vực", "Mã lĩnh vực quốc gia", "Nguồn", "Chờ gửi thiếu mã")
_MISSING_BG = QColor("#fdecea")
_ORIGIN = {"admin": "Quản trị viên nhập", "shipped": "Kèm ứng dụng (đã đối chiếu)", "": "Chưa có — gửi MaLinhVuc rỗng"}


def _item(text: str, *, missing: bool = False, align_right: bool = False) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    if missing:
        it.setBackground(QBrush(_MISSING_BG))
    if align_right:
        it.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return it


def _table(columns: tuple[str, ...]) -> QTableWidget:
    t = QTableWidget(0, len(columns))
    t.setHorizontalHeaderLabels(list(columns))
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.setMinimumHeight(220)
    return t


class CatalogueAdminPanel(QGroupBox):
    """The admin's fee amounts and national field codes (hidden from everyone else)."""

    #: A fee or a field code was stored (the settings page refreshes its to-do list).
    changed = Signal()

    def __init__(self, worker: DbWorker, user_id: Callable[[], int | None], parent: QWidget | None = None) -> None:
        super().__init__("Danh mục: mức thu phí, lệ phí và mã lĩnh vực quốc gia", parent)
        self.worker = worker
        self.user_id = user_id
        self.fees: list[ca.FeeRow] = []
        self.fields: list[ca.FieldRow] = []
        self.tabs = QTabWidget()
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs)

        # --- fees
        fee_page = QWidget()
        fl = QVBoxLayout(fee_page)
        self.fee_summary = QLabel()
        self.fee_summary.setWordWrap(True)
        fl.addWidget(self.fee_summary)
        self.fee_table = _table(FEE_COLUMNS)
        hh = self.fee_table.horizontalHeader()
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.fee_table.itemSelectionChanged.connect(self._fee_selected)
        fl.addWidget(self.fee_table)
        self.fee_label = QLabel("Chọn một khoản thu trong bảng.")
        self.fee_label.setWordWrap(True)
        fl.addWidget(self.fee_label)
        row = QHBoxLayout()
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("Mức thu tại quầy, ví dụ 8.000")
        self.amount.setToolTip("Số đồng nguyên, theo Nghị quyết của HĐND tỉnh; nhập 0 nếu miễn thu.")
        self.online = QLineEdit()
        self.online.setPlaceholderText("Trực tuyến (để trống = như tại quầy)")
        self.online.setToolTip("Mức thu khi nộp trực tuyến nếu tỉnh miễn, giảm; để trống nếu thu như tại quầy.")
        self.fee_save = QPushButton("Lưu mức thu")
        amount_label = QLabel("&Mức thu (đồng):")
        amount_label.setBuddy(self.amount)
        online_label = QLabel("T&rực tuyến:")
        online_label.setBuddy(self.online)
        for w in (amount_label, self.amount, online_label, self.online, self.fee_save):
            row.addWidget(w)
        fl.addLayout(row)
        self.fee_message = QLabel()
        self.fee_message.setWordWrap(True)
        fl.addWidget(self.fee_message)
        self.fee_save.clicked.connect(self.save_fee)
        self.amount.returnPressed.connect(self.save_fee)
        self.online.returnPressed.connect(self.save_fee)
        self.fee_table.activated.connect(lambda _i: self.amount.setFocus())  # Enter on a row → the amount
        self.tabs.addTab(fee_page, "Mức thu phí, lệ phí")

        # --- national field codes
        field_page = QWidget()
        dl = QVBoxLayout(field_page)
        self.field_summary = QLabel()
        self.field_summary.setWordWrap(True)
        dl.addWidget(self.field_summary)
        self.field_table = _table(FIELD_COLUMNS)
        self.field_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.field_table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.field_table.itemSelectionChanged.connect(self._field_selected)
        dl.addWidget(self.field_table)
        frow = QHBoxLayout()
        self.field_label = QLabel("Chọn một lĩnh vực.")
        self.code = QLineEdit()
        self.code.setPlaceholderText("Mã lĩnh vực quốc gia (để trống = bỏ mã đã nhập)")
        self.code.setToolTip("Đúng như danh mục lĩnh vực của hệ thống tỉnh (LayDanhMucLinhVuc) hoặc "
                             "csdl.dichvucong.gov.vn: chữ không dấu, chữ số, dấu . - _")
        self.code.setMaxLength(40)
        self.field_save = QPushButton("Lưu mã lĩnh vực")
        for w in (self.field_label, self.code, self.field_save):
            frow.addWidget(w)
        dl.addLayout(frow)
        self.field_message = QLabel()
        self.field_message.setWordWrap(True)
        dl.addWidget(self.field_message)
        self.field_save.clicked.connect(self.save_field)
        self.code.returnPressed.connect(self.save_field)
        self.field_table.activated.connect(lambda _i: self.code.setFocus())
        self.tabs.addTab(field_page, "Mã lĩnh vực quốc gia")
        self._set_fee_enabled(False)
        self._set_field_enabled(False)

    # ------------------------------------------------------------------ loading
    def set_admin(self, admin: bool) -> None:
        """Only an admin sees and edits the catalogue's amounts and codes."""
        self.setVisible(admin)

    def refresh(self) -> None:
        """Reload both lists on the worker."""
        self.worker.submit(lambda cdb: (ca.fee_list(cdb), ca.field_list(cdb)), self._loaded, self._load_failed)

    def _load_failed(self, exc: BaseException) -> None:
        msg = exc.user_message() if isinstance(exc, CounterError) else "Không đọc được danh mục."
        self.fee_summary.setText(error_html(escape(msg)))

    def _loaded(self, result: tuple[list[ca.FeeRow], list[ca.FieldRow]]) -> None:
        fees, fields = result
        self._fill_fees(fees)
        self._fill_fields(fields)

    def _fill_fees(self, fees: list[ca.FeeRow], select: tuple[str, str] | None = None) -> None:
        self.fees = fees
        t = self.fee_table
        t.blockSignals(True)
        t.setRowCount(len(fees))
        for i, f in enumerate(fees):
            missing = f.amount is None
            counter = ca.format_dong(f.amount) + ("/trang" if f.per_page and not missing else "")
            online = "" if missing else ("như tại quầy" if f.online_amount is None else ca.format_dong(f.online_amount))
            for col, (text, right) in enumerate(((f.procedure_code, False), (f.procedure_name, False),
                                                 (f"{f.kind_label}: {f.name}", False), (counter, True),
                                                 (online, True))):
                t.setItem(i, col, _item(text, missing=missing, align_right=right))
        t.blockSignals(False)
        t.resizeColumnToContents(0)
        missing_n = sum(f.amount is None for f in fees)
        self.fee_summary.setText(
            error_html(f"⚠ <b>{missing_n}</b> khoản do HĐND tỉnh quy định chưa nhập mức thu: giấy "
                       "tiếp nhận để trống số tiền, đồng bộ không gửi số tiền.") if missing_n else
            ok_html(f"Đã nhập đủ mức thu của {len(fees)} khoản."))
        target = next((i for i, f in enumerate(fees) if (f.procedure_code, f.code) == select), None) \
            if select else None
        if target is None and select is not None:
            target = next((i for i, f in enumerate(fees) if f.amount is None), None)
        if target is not None:
            t.selectRow(target)
        # Called even when the selected row index did not change (its content did).
        self._fee_selected()

    def _fill_fields(self, fields: list[ca.FieldRow], select: str | None = None) -> None:
        self.fields = fields
        t = self.field_table
        t.blockSignals(True)
        t.setRowCount(len(fields))
        for i, r in enumerate(fields):
            missing = r.national_code is None
            origin = _ORIGIN.get(r.origin, r.origin) + (f" — {r.source}" if r.source else "")
            for col, text in enumerate((r.app_code, r.name, r.national_code or "(chưa có)", origin,
                                        str(r.waiting) if r.waiting else "")):
                t.setItem(i, col, _item(text, missing=missing, align_right=col == 4))
        t.blockSignals(False)
        t.resizeColumnToContents(0)
        t.resizeColumnToContents(2)
        unmapped = [r for r in fields if r.national_code is None]
        waiting = sum(r.waiting for r in unmapped)
        self.field_summary.setText(
            error_html(f"⚠ <b>{len(unmapped)}</b> lĩnh vực chưa có mã quốc gia"
                       f"{f' ({waiting} hồ sơ chờ gửi)' if waiting else ''}: đồng bộ gửi MaLinhVuc rỗng. Ứng dụng "
                       "không kèm mã nào chưa đối chiếu được; nhập mã theo danh mục lĩnh vực của hệ thống tỉnh.")
            if unmapped else
            ok_html(f"Cả {len(fields)} lĩnh vực đã có mã quốc gia."))
        idx = next((i for i, r in enumerate(fields) if r.app_code == select), None) if select else None
        if idx is not None:
            t.selectRow(idx)
        self._field_selected()

    # ------------------------------------------------------------------ selection
    def _set_fee_enabled(self, on: bool) -> None:
        for w in (self.amount, self.online, self.fee_save):
            w.setEnabled(on)

    def _set_field_enabled(self, on: bool) -> None:
        for w in (self.code, self.field_save):
            w.setEnabled(on)

    def current_fee(self) -> ca.FeeRow | None:
        """The fee selected in the table."""
        rows = self.fee_table.selectionModel().selectedRows()
        return self.fees[rows[0].row()] if rows and rows[0].row() < len(self.fees) else None

    def current_field(self) -> ca.FieldRow | None:
        """The field selected in the table."""
        rows = self.field_table.selectionModel().selectedRows()
        return self.fields[rows[0].row()] if rows and rows[0].row() < len(self.fields) else None

    def _fee_selected(self) -> None:
        f = self.current_fee()
        self._set_fee_enabled(f is not None)
        if f is None:
            self.fee_label.setText("Chọn một khoản thu trong bảng.")
            return
        unit = " (giá một trang; cách tính theo trang, số bản ở Thông tư 226/2016)" if f.per_page else ""
        by = " — do HĐND tỉnh quy định" if f.set_by_province else ""
        self.fee_label.setText(f"<b>{escape(f.procedure_code)}</b> {escape(f.procedure_name)} · "
                               f"{escape(f.kind_label)}: {escape(f.name)}{by}{unit}")
        self.amount.setText("" if f.amount is None else number(f.amount))
        self.online.setText("" if f.online_amount is None else number(f.online_amount))

    def _field_selected(self) -> None:
        r = self.current_field()
        self._set_field_enabled(r is not None)
        if r is None:
            self.field_label.setText("Chọn một lĩnh vực.")
            return
        self.field_label.setText(f"<b>{escape(r.app_code)}</b> {escape(r.name)}:")
        self.code.setText(r.national_code if r.origin == "admin" else "")

    # ------------------------------------------------------------------ saving
    def save_fee(self) -> None:
        """Store the selected fee's amounts on the worker (validated and audited there)."""
        f = self.current_fee()
        if f is None:
            return
        key, amount, online, user = (f.procedure_code, f.code), self.amount.text(), self.online.text(), self.user_id()
        self._set_fee_enabled(False)
        self.fee_message.setText("Đang lưu…")

        def job(cdb: CounterDB) -> tuple[ca.FeeRow, list[ca.FeeRow]]:
            stored = ca.save_fee(cdb, user, *key, amount, online)
            return stored, ca.fee_list(cdb)

        def done(res: tuple[ca.FeeRow, list[ca.FeeRow]]) -> None:
            stored, fees = res
            online_txt = "" if stored.online_amount is None else f", trực tuyến {ca.format_dong(stored.online_amount)}"
            self.fee_message.setText(ok_html(f"Đã lưu {escape(stored.procedure_code)} "
                                             f"{escape(stored.name)}: {ca.format_dong(stored.amount)}{online_txt}. "
                                             "Hồ sơ đã tiếp nhận giữ mức thu cũ."))
            # Next: the next fee still missing, so the admin types the resolution's list in one go.
            nxt = next((x for x in fees if x.amount is None), None)
            self._fill_fees(fees, select=(nxt.procedure_code, nxt.code) if nxt else key)
            self.amount.setFocus()
            self.amount.selectAll()
            self.changed.emit()

        self.worker.submit(job, done, lambda e: self._refused(e, self.fee_message, self._fee_selected_again,
                                                              self.amount))

    def save_field(self) -> None:
        """Store the selected field's national code on the worker (validated and audited there)."""
        r = self.current_field()
        if r is None:
            return
        app_code, text, user = r.app_code, self.code.text(), self.user_id()
        self._set_field_enabled(False)
        self.field_message.setText("Đang lưu…")

        def job(cdb: CounterDB) -> tuple[ca.FieldRow, list[ca.FieldRow]]:
            stored = ca.save_field_code(cdb, user, app_code, text)
            return stored, ca.field_list(cdb)

        def done(res: tuple[ca.FieldRow, list[ca.FieldRow]]) -> None:
            stored, fields = res
            what = f"mã {stored.national_code}" if stored.national_code else "không có mã (gửi MaLinhVuc rỗng)"
            self.field_message.setText(ok_html(f"Đã lưu lĩnh vực {escape(stored.app_code)}: {escape(what)}."))
            self._fill_fields(fields, select=app_code)
            self.code.setFocus()
            self.changed.emit()

        self.worker.submit(job, done, lambda e: self._refused(e, self.field_message, self._field_selected_again,
                                                              self.code))

    def _fee_selected_again(self) -> None:
        self._set_fee_enabled(self.current_fee() is not None)

    def _field_selected_again(self) -> None:
        self._set_field_enabled(self.current_field() is not None)

    def _refused(self, exc: BaseException, label: QLabel, reenable: Callable[[], None], focus: QLineEdit) -> None:
        reenable()
        if not isinstance(exc, CounterError):
            label.setText("")
            show_exception(self, exc)  # a bug: logged and reported the one way the app reports bugs
            return
        label.setText(error_html(exc))
        focus.setFocus()
        focus.selectAll()
