"""Page «Cài đặt»: the agency's settings; editable by an admin, read-only for others, every save audited."""

from __future__ import annotations

from typing import Any

from counter_app.errors import ValidationError
from counter_app.services import settings as settings_service
from counter_app.ui.errors import error_html, ok_html, show_exception
from counter_app.ui.qt import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDoubleSpinBox,
    QEvent,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)
from counter_app.ui.tasks import DbWorker

# key, label, kind, default, hint
FIELDS: list[tuple[str, str, str, Any, str]] = [
    ("agency_name", "Tên cơ quan", "text", "", "In trên đầu các giấy tờ"),
    ("parent_name", "Cơ quan chủ quản", "text", "", "Ví dụ: Ủy ban nhân dân phường Ba Đình"),
    ("place_name", "Địa danh", "text", "", "«Ba Đình, ngày … tháng … năm …»"),
    ("portal_url_template", "Địa chỉ trang thủ tục trên Cổng DVC", "text", "",
     "Phải chứa {code} (mã thủ tục); dùng cho mã QR hướng dẫn nộp trực tuyến"),
    ("online_target_percent", "Chỉ tiêu nộp trực tuyến (%/năm)", "number", 20.0, "Chỉ tiêu của tỉnh cho cấp xã"),
    ("idle_lock_minutes", "Tự khóa màn hình sau (phút)", "number", 10.0, "0 = không tự khóa"),
    ("sync_warn_days", "Cảnh báo mục chờ đồng bộ quá (ngày)", "number", 2.0, ""),
    # Issue #18: USB-token library (blank = probe the known CA drivers) and RFC 3161 timestamp server.
    ("pkcs11_module", "Thư viện USB token ký số (PKCS#11)", "text", "",
     "Để trống: tự tìm thư viện của VNPT-CA, Viettel-CA, FPT-CA, BkavCA, SafeNet, Bit4id, ePass2003"),
    ("tsa_url", "Máy chủ cấp dấu thời gian (TSA)", "text", "",
     "http(s)://… (RFC 3161); để trống: ký không kèm dấu thời gian"),
    # Issue #16: who signs Mẫu 04 and the stop notice (Nghị định 30/2020 Điều 13 and Phụ lục I).
    ("signer_head_title", "Chức vụ người đứng đầu (ký văn bản)", "text", "",
     "Ví dụ: Giám đốc; Chủ tịch. Ký TM. tập thể: Ủy ban nhân dân"),
    ("signer_authority", "Thẩm quyền ký", "choice", "", "KT. ký thay, TM. thay mặt tập thể, TL. thừa lệnh…"),
    ("signer_title", "Chức vụ người ký thay", "text", "", "Khi ký KT., TM., TL., TUQ.: ví dụ Phó Giám đốc"),
    ("signer_name", "Họ tên người ký", "text", "", "In dưới chữ ký và dấu (không ghi học hàm, học vị)"),
    ("provincial_system_name", "Hệ thống giải quyết TTHC của tỉnh", "text", "",
     "Tên in trong mã QR; để trống: «Hệ thống thông tin giải quyết thủ tục hành chính» + tên tỉnh"),
    ("report_period", "Kỳ báo cáo tháng", "choice", "calendar",
     "Theo quy định của tỉnh: tháng dương lịch, hoặc kỳ từ ngày 15 tháng trước đến ngày 14 (NĐ 09/2019 Điều 12)"),
    ("calendar_culture_day_off", "Ngày 24/11 (Ngày Văn hóa Việt Nam)", "choice", "0", ""),
    # backup_dir / backup_interval_hours: edited in the «Sao lưu» group (counter_app.ui.backups).
]


# Options of the "choice" fields: (stored value, what the admin reads).
CHOICES: dict[str, list[tuple[str, str]]] = {
    "signer_authority": [("", "Người đứng đầu ký"), ("KT.", "KT. — ký thay người đứng đầu"),
                         ("TM.", "TM. — thay mặt tập thể"), ("TL.", "TL. — thừa lệnh"),
                         ("TUQ.", "TUQ. — thừa ủy quyền"), ("Q.", "Q. — quyền người đứng đầu")],
    "report_period": [("calendar", "Tháng dương lịch (ngày 1 đến cuối tháng)"),
                      ("statutory", "Từ ngày 15 tháng trước đến ngày 14 (Nghị định 09/2019 Điều 12)")],
    "calendar_culture_day_off": [("0", "Ngày làm việc (chưa có luật quy định là ngày nghỉ)"),
                                 ("1", "Ngày nghỉ lễ (khi Bộ luật Lao động sửa đổi có hiệu lực)")],
}


def validate(values: dict[str, Any]) -> dict[str, Any]:
    """Check the values an admin entered; raise ValidationError with what to fix."""
    tpl = str(values.get("portal_url_template") or "")
    if tpl and ("{code}" not in tpl or not tpl.startswith(("http://", "https://"))):
        raise ValidationError("Địa chỉ trang thủ tục phải bắt đầu bằng https:// và chứa {code}.")
    tsa = str(values.get("tsa_url") or "")
    if tsa and not tsa.startswith(("http://", "https://")):
        raise ValidationError("Địa chỉ máy chủ dấu thời gian phải bắt đầu bằng http:// hoặc https://.")
    if not str(values.get("agency_name") or "").strip():
        raise ValidationError("Tên cơ quan không được để trống.")
    authority = str(values.get("signer_authority") or "")
    if authority and not str(values.get("signer_head_title") or "").strip():
        raise ValidationError(f"Ký «{authority}» cần chức vụ người đứng đầu (hoặc tên tập thể khi ký TM.).")
    if authority in ("KT.", "TL.", "TUQ.") and not str(values.get("signer_title") or "").strip():
        raise ValidationError(f"Ký «{authority}» cần chức vụ của người ký thay, ví dụ Phó Giám đốc.")
    return values


def admin_todo_html(todo: settings_service.AdminTodo) -> str:
    """The admin's to-do list (:func:`counter_app.services.settings.admin_todo`) as the page shows it.

    Fees the provincial council sets and nobody entered print blank and sync without an amount;
    field codes without a national code are sent empty (issue #16 rows 1, 6, 9).
    """
    from html import escape

    days = ", ".join(f"{d:%d/%m}" for d in todo.days_off)
    made_up = ", ".join(f"{d:%d/%m}" for d in todo.make_up_days) or "không có"
    parts = [f"<b>Ngày nghỉ năm {todo.year}:</b> {days}<br/><b>Ngày làm bù:</b> {made_up}"]
    if todo.culture_day_warning:
        parts.append(f"<span style='color:#b3261e'>⚠ {escape(todo.culture_day_warning)}</span>")
    fees = todo.missing_fees
    if fees:
        items = "".join(f"<li>{escape(r['procedure_code'])} {escape(r['procedure_name'])}: {escape(r['name'])}</li>"
                        for r in fees[:30])
        more = f"<li>… và {len(fees) - 30} khoản khác</li>" if len(fees) > 30 else ""
        parts.append(f"<span style='color:#b3261e'>⚠ <b>{len(fees)} khoản phí, lệ phí do HĐND tỉnh quy định chưa "
                     "nhập mức thu</b> — giấy tiếp nhận để trống số tiền, đồng bộ không gửi số tiền; nhập mức thu theo "
                     "Nghị quyết của HĐND tỉnh ở nhóm «Danh mục» bên dưới:</span>"
                     f"<ul>{items}{more}</ul>")
    fields = todo.unmapped_fields
    if fields:
        names = ", ".join(f"{escape(r['field_code'])} ({escape(r['field_name'])})" for r in fields)
        parts.append(f"<span style='color:#b3261e'>⚠ Lĩnh vực chưa có mã quốc gia (gửi MaLinhVuc rỗng): "
                     f"{names} — nhập ở nhóm «Danh mục», thẻ «Mã lĩnh vực quốc gia».</span>")
    return "<br/>".join(parts)


class _WheelOnlyWhenFocused(QObject):
    """Event filter: a wheel turn over an unfocused spin box or combo box scrolls ``scroll`` instead."""

    def __init__(self, scroll: QScrollArea) -> None:
        super().__init__(scroll)
        self.scroll = scroll

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(obj, QWidget) and not obj.hasFocus():
            QApplication.sendEvent(self.scroll.verticalScrollBar(), event)
            return True
        return super().eventFilter(obj, event)


class SettingsPage(QWidget):
    """Agency settings plus a read-only summary of the installation."""

    def __init__(self, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.user_id: int | None = None
        self.info = QLabel()
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.widgets: dict[str, Any] = {}
        box = QGroupBox("Cài đặt cơ quan")
        form = QFormLayout(box)
        for key, label, kind, default, hint in FIELDS:
            if kind == "number":
                w: Any = QDoubleSpinBox()
                w.setRange(0, 10000)
                w.setDecimals(0)
                w.setValue(float(default))
            elif kind == "choice":
                w = QComboBox()
                for value, text in CHOICES[key]:
                    w.addItem(text, value)
            else:
                w = QLineEdit()
                w.setPlaceholderText(hint)
            w.setToolTip(hint)
            self.widgets[key] = w
            form.addRow(label, w)
            if key == "calendar_culture_day_off":
                # The legal basis stays visible beside the choice (issue #16 row 6).
                from counter_app.domain.calendar import CULTURE_DAY_BASIS

                basis = QLabel(f"<i>{CULTURE_DAY_BASIS}</i>")
                basis.setWordWrap(True)
                form.addRow("", basis)
        self.save_btn = QPushButton("Lưu cài đặt")
        self.save_btn.clicked.connect(self.save)
        self.note = QLabel()
        form.addRow(self.save_btn, self.note)
        # Agency, backup and encryption groups are taller than a 768-px counter screen: scroll.
        content = QWidget()
        lay = QVBoxLayout(content)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        lay.addWidget(self.info)
        lay.addWidget(box)
        lay.addWidget(self._units_box())
        # What the law makes the admin fill in, and this year's days off (issue #16 rows 1, 6, 9).
        self.todo_box = QGroupBox("Lịch làm việc và dữ liệu cần bổ sung")
        todo_lay = QVBoxLayout(self.todo_box)
        self.todo = QLabel()
        self.todo.setTextFormat(Qt.TextFormat.RichText)
        self.todo.setWordWrap(True)
        todo_lay.addWidget(self.todo)
        lay.addWidget(self.todo_box)
        from counter_app.ui.catalogue_admin import CatalogueAdminPanel  # fee amounts, national field codes

        self.catalogue_panel = CatalogueAdminPanel(worker, lambda: self.user_id)
        self.catalogue_panel.changed.connect(self._load_todo)
        self.catalogue_panel.set_admin(False)  # until set_editable says an admin is logged in
        lay.addWidget(self.catalogue_panel)
        from counter_app.ui.backups import BackupPanel  # the main window attaches its scheduler

        self.backup_panel = BackupPanel(worker)
        lay.addWidget(self.backup_panel)
        from counter_app.ui.keys import EncryptionPanel  # status for everyone; key changes for the admin

        self.encryption_panel = EncryptionPanel(worker, lambda: self.user_id)
        lay.addWidget(self.encryption_panel)
        from counter_app.ui.users import UsersPanel  # the admin's accounts; own password for everyone

        self.users_panel = UsersPanel(worker)  # the main window gives it the logged-in user (set_user)
        lay.addWidget(self.users_panel)
        from counter_app.ui.device_check import SigningPanel  # token certificate + «Kiểm tra thiết bị»

        self.signing_panel = SigningPanel(worker, lambda: self.user_id)
        lay.addWidget(self.signing_panel)
        lay.addStretch(1)
        # The page scrolls: a wheel turn over a number box must scroll the page, not change the
        # backup interval or the idle-lock minutes the admin only scrolled past.
        self._wheel_guard = _WheelOnlyWhenFocused(scroll)
        for w in content.findChildren(QAbstractSpinBox) + content.findChildren(QComboBox):
            w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            w.installEventFilter(self._wheel_guard)

    def _units_box(self) -> QGroupBox:
        """«Đơn vị giám sát»: the agencies a supervisor's PC replicates besides its own (issue #19)."""
        box = QGroupBox("Đơn vị giám sát (máy của lãnh đạo, người giám sát)")
        form = QFormLayout(box)
        explain = QLabel("Máy này luôn tải hồ sơ của cơ quan mình từ hệ thống của tỉnh. Máy của người giám sát "
                         "nhiều đơn vị nhập thêm mã định danh của các đơn vị đó, cách nhau bằng dấu phẩy. "
                         "Quầy tiếp nhận thông thường để trống.")
        explain.setWordWrap(True)
        form.addRow(explain)
        self.units_edit = QLineEdit()
        self.units_edit.setPlaceholderText("Ví dụ: H15.50.05.13, H15.50.05.14")
        self.units_edit.setToolTip("Mã định danh điện tử của cơ quan: chữ, số và dấu chấm")
        self.units_edit.returnPressed.connect(self.save_units)
        form.addRow("Đơn vị giám sát thêm", self.units_edit)
        self.units_btn = QPushButton("Lưu đơn vị giám sát")
        self.units_btn.setAutoDefault(False)
        self.units_btn.clicked.connect(self.save_units)
        self.units_note = QLabel()
        self.units_note.setWordWrap(True)
        self.units_note.setTextFormat(Qt.TextFormat.RichText)
        form.addRow(self.units_btn, self.units_note)
        return box

    def save_units(self) -> None:
        """Check and store the supervised units on the worker, under the signed-in admin."""
        text, actor = self.units_edit.text(), self.worker.actor
        self.units_btn.setEnabled(False)

        def done(added: object) -> None:
            self.units_btn.setEnabled(True)
            msg = "Đã lưu."
            if isinstance(added, list) and added:
                # The pull starts again from the beginning (see save_supervised_units): say it may take a while.
                msg += (f" Lần đồng bộ tới sẽ tải hồ sơ của đơn vị mới thêm ({', '.join(map(str, added))}); "
                        "với nhiều hồ sơ có thể mất vài phút, trong lúc đó vẫn làm việc bình thường.")
            self.units_note.setText(ok_html(msg))
            self._load_units()

        def failed(exc: BaseException) -> None:
            self.units_btn.setEnabled(True)
            self.units_note.setText(error_html(exc, "khi lưu đơn vị giám sát"))

        self.worker.submit(lambda cdb: settings_service.save_supervised_units(cdb, text, actor), done, failed)

    def _load_units(self) -> None:
        self.worker.submit(settings_service.read_supervised_units, lambda u: self.units_edit.setText(", ".join(u)))

    def set_editable(self, editable: bool) -> None:
        """Only an admin edits; others see the values."""
        self.units_edit.setReadOnly(not editable)
        self.units_btn.setVisible(editable)
        self.encryption_panel.set_admin(editable)
        self.catalogue_panel.set_admin(editable)
        for w in self.widgets.values():
            w.setEnabled(editable)
        self.save_btn.setVisible(editable)
        self.note.setText("" if editable else "Chỉ quản trị viên được sửa cài đặt.")

    def show_settings(self, s: dict[str, Any]) -> None:
        """Installation summary (from the status refresh) and the current values."""
        rows = [("Mã định danh cơ quan", s.get("agency_code")), ("Số máy tiếp nhận", s.get("workstation_slot")),
                ("Hệ thống một cửa của tỉnh", s.get("provincial_endpoint") or "(chưa khai báo — xem trang Đồng bộ)"),
                ("Thư mục dữ liệu", s.get("data_dir")), ("Số thủ tục trong danh mục", s.get("procedures"))]
        body = "".join(f"<tr><td style='padding:3px 16px 3px 0'>{k}</td><td><b>{v}</b></td></tr>" for k, v in rows)
        self.info.setText(f"<h2>Cài đặt</h2><table>{body}</table>")

    def refresh(self) -> None:
        """Load the editable values."""
        self.encryption_panel.refresh()
        self.users_panel.refresh()
        self.signing_panel.refresh()
        if self.catalogue_panel.isVisibleTo(self):
            self.catalogue_panel.refresh()
        keys = [f[0] for f in FIELDS]
        self.worker.submit(lambda cdb: settings_service.read_settings(cdb, keys), self._fill)
        self._load_units()
        self._load_todo()

    def _load_todo(self) -> None:
        self.worker.submit(settings_service.admin_todo, lambda t: self.todo.setText(admin_todo_html(t)))

    def _fill(self, values: dict[str, Any]) -> None:
        for key, _label, kind, default, _hint in FIELDS:
            w, v = self.widgets[key], values.get(key)
            if kind == "number":
                w.setValue(float(v if v not in (None, "") else default))
            elif kind == "choice":
                w.setCurrentIndex(max(0, w.findData(str(v if v is not None else default))))
            else:
                w.setText("" if v is None else str(v))

    def save(self) -> None:
        """Validate and store on the worker."""
        def read(key: str, kind: str) -> Any:
            w = self.widgets[key]
            if kind == "number":
                return w.value()
            return str(w.currentData()) if kind == "choice" else w.text().strip()

        values = {key: read(key, kind) for key, _l, kind, _d, _h in FIELDS}
        actor = self.worker.actor

        def done(_r: object) -> None:
            self.note.setText(ok_html("Đã lưu."))
            self._load_todo()

        self.worker.submit(lambda cdb: settings_service.save_settings(cdb, validate(values), actor), done,
                           lambda e: show_exception(self, e))
