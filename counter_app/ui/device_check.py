"""Cài đặt → Chữ ký số và thiết bị: pick the certificate on the USB token, and the device self-test.

The checks themselves are Qt-free (:mod:`counter_app.services.device_check`); this module only
asks for a PIN, shows results, and runs every check off the UI thread (scanner/token/printer
judgement on the pool, the provincial login on the database worker, which holds the settings).
The PIN goes straight from the dialog into the worker's call and is not kept.
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable
from typing import Any

from counter_app.errors import CounterError
from counter_app.ui.errors import show_exception
from counter_app.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPrinterInfo,
    QProgressDialog,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from counter_app.ui.tasks import DbWorker, run_in_pool

log = logging.getLogger(__name__)

_ICONS = {"ok": ("✔", "#1b7a1b"), "warn": ("⚠", "#a66a00"), "fail": ("✖", "#b00020"), "run": ("…", "#555")}


def ask_pin(parent: QWidget, what: str) -> str | None:
    """The PIN dialog (masked). Returns None on cancel; the caller uses the text once and drops it."""
    ask = QInputDialog(parent)
    ask.setWindowTitle("Mã PIN USB token")
    ask.setLabelText(f"{what}\nNhập mã PIN của USB token (chỉ hỏi một lần trong phiên làm việc).\n"
                     "Lưu ý: token thường bị khóa sau 3 lần nhập sai.")
    ask.setTextEchoMode(QLineEdit.EchoMode.Password)
    ask.setOkButtonText("Đồng ý")
    ask.setCancelButtonText("Hủy")
    if not ask.exec():
        return None
    return ask.textValue()


def run_with_progress(parent: QWidget, text: str, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` on the pool behind a small modal «please wait» box; return its result or raise.

    For short device calls the officer must wait for anyway (token login): the UI thread keeps
    painting (the box's own event loop), no other input reaches the window meanwhile.
    """
    box: dict[str, Any] = {}
    dlg = QProgressDialog(text, "", 0, 0, parent)
    dlg.setWindowTitle("Xin chờ")
    dlg.setCancelButton(None)  # a PKCS#11 call cannot be interrupted; it ends by itself or errs
    dlg.setWindowModality(Qt.WindowModality.ApplicationModal)
    dlg.setMinimumDuration(0)

    def done(result: Any) -> None:
        box["result"] = result
        dlg.done(0)

    def failed(exc: BaseException) -> None:
        box["error"] = exc
        dlg.done(0)

    run_in_pool(fn, done, failed)
    if not box:
        dlg.exec()
    dlg.deleteLater()
    if "error" in box:
        raise box["error"]
    return box.get("result")


def ask_token_signer(parent: QWidget, ref: str, settings: dict[str, Any]) -> Any:
    """Open the officer's token for the scan station: PIN once, then an OfficerSigner (None = cancelled).

    A wrong PIN is shown and the officer decides whether to type it again; the app never retries.
    The login (and the key-matches-certificate proof) runs on the pool behind a «please wait» box,
    not on the UI thread: some tokens take a second or two.
    """
    from counter_app.scanning.pkcs11_signing import config_for_reference
    from counter_app.scanning.signing import OfficerSigner

    module = settings.get("pkcs11_module") or None
    tsa = settings.get("tsa_url") or None

    def open_token(pin: str) -> Any:
        return OfficerSigner.from_pkcs11(config_for_reference(ref, module), pin, tsa_url=tsa)

    while True:
        pin = ask_pin(parent, "Ký số bản số hóa bằng USB token.")
        if pin is None:
            return None
        try:
            signer = run_with_progress(parent, "Đang mở USB token…", functools.partial(open_token, pin))
        except CounterError as exc:
            show_exception(parent, exc)
            continue
        warn_if_expiring(parent, signer)
        return signer


def warn_if_expiring(parent: QWidget, signer: Any) -> None:
    """Issue #18: tell the officer a month ahead that the certificate runs out (once per session)."""
    import datetime as dt

    from counter_app.scanning.pkcs11_signing import EXPIRY_WARNING_DAYS

    left = (signer.not_after - dt.datetime.now(dt.UTC)).days
    if left < EXPIRY_WARNING_DAYS:
        QMessageBox.warning(parent, "Chứng thư số sắp hết hạn",
                            f"Chứng thư số của {signer.holder} sẽ hết hạn sau {left} ngày "
                            f"(ngày {signer.not_after:%d/%m/%Y}).\nLiên hệ tổ chức cung cấp chứng thư số để gia hạn "
                            "trước ngày đó; sau ngày hết hạn phần mềm không ký được.")


class SigningPanel(QGroupBox):
    """Group on the settings page: choose the token certificate for the signed-in officer; self-test."""

    def __init__(self, worker: DbWorker, user_id: Callable[[], int | None], parent: QWidget | None = None) -> None:
        super().__init__("Chữ ký số và thiết bị", parent)
        self.worker = worker
        self.user_id = user_id
        self.current = QLabel("Chứng thư số đang dùng: (đang tải…)")
        self.current.setWordWrap(True)
        self.pick_btn = QPushButton("Chọn chứng thư số trên USB token…")
        self.pick_btn.clicked.connect(self.pick_certificate)
        self.check_btn = QPushButton("Kiểm tra thiết bị…")
        self.check_btn.clicked.connect(self.open_self_test)
        row = QHBoxLayout()
        row.addWidget(self.pick_btn)
        row.addWidget(self.check_btn)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.current)
        lay.addLayout(row)
        self.settings: dict[str, Any] = {}

    def refresh(self) -> None:
        """Load the officer's current certificate reference and the token settings."""
        uid = self.user_id()

        from counter_app.services.settings import signing_setup

        self.worker.submit(lambda cdb: signing_setup(cdb, uid), self._show)

    def _show(self, values: dict[str, Any]) -> None:
        self.settings = values
        ref = values.get("ref")
        if not ref:
            text = "chưa cấu hình (bản số hóa sẽ được lưu «chưa ký»)"
        elif str(ref).startswith("pkcs11:"):
            text = f"USB token — {html.escape(str(ref)[7:])}"
        else:
            text = f"tệp {html.escape(str(ref))}"
        self.current.setText(f"Chứng thư số đang dùng: {text}")

    def pick_certificate(self) -> None:
        """Tokens (pool) → which token, if several → PIN → its certificates (pool) → officer picks → stored."""
        if self.user_id() is None:
            show_exception(self, CounterError("Cần đăng nhập để chọn chứng thư số của mình."))
            return
        module = self.settings.get("pkcs11_module") or None
        self.pick_btn.setEnabled(False)
        run_in_pool(functools.partial(_plugged_tokens, module), self._got_tokens,
                    lambda e: (self.pick_btn.setEnabled(True), show_exception(self, e)))

    def _got_tokens(self, tokens: list[Any]) -> None:
        self.pick_btn.setEnabled(True)
        token = tokens[0]
        if len(tokens) > 1:  # several tokens plugged in: the officer says which one is theirs
            names = [f"{t.label} ({t.manufacturer} {t.model})".strip() for t in tokens]
            item, ok = QInputDialog.getItem(self, "Chọn USB token", "Có nhiều USB token đang cắm; chọn token của bạn:",
                                            names, 0, False)
            if not ok:
                return
            token = tokens[names.index(item)]
        if token.pin_locked:
            show_exception(self, CounterError(f"Mã PIN của token «{token.label}» đã bị khóa.",
                                              hint="Liên hệ tổ chức cung cấp chứng thư số để mở khóa token."))
            return
        warn = token.pin_tries_text()
        pin = ask_pin(self, f"Đọc danh sách chứng thư số trên token «{token.label}». {warn}".strip())
        if pin is None:
            return
        self.pick_btn.setEnabled(False)
        run_in_pool(functools.partial(_token_certificates, token, pin), self._choose,
                    lambda e: (self.pick_btn.setEnabled(True), show_exception(self, e)))

    def _choose(self, found: tuple[str, list[Any]]) -> None:
        self.pick_btn.setEnabled(True)
        label, certs = found
        from counter_app.scanning.pkcs11_signing import token_reference

        items = []
        for c in certs:
            flag = " — HẾT HẠN" if c.days_left() < 0 else (" — sắp hết hạn" if c.expiry_warning() else "")
            items.append(c.describe() + ("" if c.has_key else " — không có khóa") + flag)
        if not items:
            show_exception(self, CounterError(f"Token «{label}» không có chứng thư số nào."))
            return
        item, ok = QInputDialog.getItem(self, "Chọn chứng thư số", "Chứng thư số dùng để ký bản số hóa:",
                                        items, 0, False)
        if not ok:
            return
        cert = certs[items.index(item)]
        if cert.days_left() < 0 or not cert.has_key:
            show_exception(self, CounterError("Không dùng được chứng thư số này (hết hạn hoặc không có khóa).",
                                              hint="Chọn chứng thư số khác."))
            return
        ref = token_reference(label, cert.cert_id)
        uid = self.user_id()

        from counter_app.services.device_check import set_signing_certificate

        self.worker.submit(lambda cdb: set_signing_certificate(cdb, uid, ref), lambda _r: self.refresh(),
                           lambda e: show_exception(self, e))

    def open_self_test(self) -> None:
        """Kiểm tra thiết bị (non-modal dialog)."""
        dlg = DeviceCheckDialog(self.worker, self.settings, self)
        dlg.show()
        dlg.run_checks()


def _plugged_tokens(module: str | None) -> list[Any]:
    """Tokens behind the configured (or probed) modules; TokenMissing if none."""
    from counter_app.scanning import pkcs11_signing as p11

    candidates = p11.candidate_modules(module)
    tokens, problems = p11.probe_tokens(candidates)
    if not candidates:
        raise p11.TokenLibraryMissing(
            "Máy tính chưa cài phần mềm (thư viện) của USB token." if not module else
            f"Không tìm thấy thư viện USB token đã khai báo: {module}.",
            hint="Cài phần mềm token của nhà cung cấp chứng thư số, hoặc sửa Cài đặt → Thư viện USB token ký số.")
    if not tokens:
        raise p11.TokenMissing("Không thấy USB token nào." + (f" ({'; '.join(problems)})" if problems else ""),
                               hint="Cắm USB token ký số vào máy, chờ vài giây rồi thử lại.")
    return tokens


def _token_certificates(token: Any, pin: str) -> tuple[str, list[Any]]:
    """Log in to ``token`` (a TokenInfo) and list its certificates; the session is closed again."""
    from counter_app.scanning import pkcs11_signing as p11
    from counter_app.scanning.signing import Pkcs11Config

    with p11.TokenSession.open(Pkcs11Config(module_path=token.module, token_label=token.label), pin) as session:
        return token.label, session.certificates()


class _Row:
    """One check's line: a status mark and a word-wrapped text (placed in the dialog's grid)."""

    def __init__(self, title: str) -> None:
        self.icon = QLabel()
        self.icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.title = title
        self.status = "run"
        self.set("run", "đang kiểm tra…")

    def set(self, status: str, detail: str, todo: str = "") -> None:
        mark, colour = _ICONS.get(status, _ICONS["fail"])
        self.status = status
        self.icon.setText(f"<span style='color:{colour};font-size:16px'>{mark}</span>")
        body = f"<b>{html.escape(self.title)}</b><br>{html.escape(detail)}"
        if todo:
            body += f"<br><i>Cần làm: {html.escape(todo)}</i>"
        self.text.setText(body)


class DeviceCheckDialog(QDialog):
    """«Kiểm tra thiết bị»: scanner + one test page, token (+ a test signature), printer, province."""

    def __init__(self, worker: DbWorker, settings: dict[str, Any], parent: QWidget | None = None, *,
                 discovery: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kiểm tra thiết bị")
        self.discovery = discovery  # a DiscoveryConfig (None: the defaults, as the scan station uses)
        self.setMinimumSize(680, 420)
        self.worker = worker
        self.settings = settings
        self.rows = {key: _Row(title) for key, title in (
            ("scanner", "Máy quét"), ("token", "USB token ký số"), ("printer", "Máy in"),
            ("province", "Kết nối hệ thống một cửa của tỉnh"))}
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Phần mềm quét thử một trang, tìm USB token, máy in và thử kết nối với tỉnh."))
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(10)
        for i, row in enumerate(self.rows.values()):
            grid.addWidget(row.icon, i, 0)
            grid.addWidget(row.text, i, 1)
        lay.addLayout(grid)
        lay.addStretch(1)
        buttons = QDialogButtonBox()
        self.again_btn = buttons.addButton("Kiểm tra lại", QDialogButtonBox.ButtonRole.ActionRole)
        self.sign_btn = buttons.addButton("Ký thử bằng token…", QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("Đóng", QDialogButtonBox.ButtonRole.RejectRole)
        self.again_btn.clicked.connect(self.run_checks)
        self.sign_btn.clicked.connect(self.test_signature)
        close.clicked.connect(self.reject)
        lay.addWidget(buttons)
        self.pending = 0

    def _deliver(self, result: Any) -> None:
        self.pending -= 1
        self.rows[result.key].set(result.status, result.detail, result.todo)
        self.adjustSize()  # a "Cần làm" line makes the row taller

    def _failed(self, key: str) -> Callable[[BaseException], None]:
        def fail(exc: BaseException) -> None:
            self.pending -= 1
            log.exception("device check %s crashed", key, exc_info=exc)
            self.rows[key].set("fail", f"Lỗi khi kiểm tra: {exc}", "Báo cho bộ phận kỹ thuật (xem nhật ký).")
            self.adjustSize()
        return fail

    def run_checks(self) -> None:
        """Start the four checks; each row updates when its own check finishes."""
        from counter_app.services import device_check as dc

        for row in self.rows.values():
            row.set("run", "đang kiểm tra…")
        self.pending = 4
        module = self.settings.get("pkcs11_module") or None
        run_in_pool(functools.partial(dc.check_scanner, self.discovery), self._deliver, self._failed("scanner"))
        run_in_pool(lambda: dc.check_token(module), self._deliver, self._failed("token"))
        # Qt's printer list is read here (fast, UI-thread API); the judgement is the core's.
        printers = [p.printerName() for p in QPrinterInfo.availablePrinters()]
        default = QPrinterInfo.defaultPrinterName() or None
        run_in_pool(lambda: dc.check_printer(printers, default), self._deliver, self._failed("printer"))
        self.worker.submit(dc.check_province, self._deliver, self._failed("province"))

    def test_signature(self) -> None:
        """Ask the PIN and sign a test page in memory with the token (nothing stored)."""
        from counter_app.services import device_check as dc

        pin = ask_pin(self, "Ký thử một trang (không lưu) để kiểm tra USB token.")
        if pin is None:
            return
        module = self.settings.get("pkcs11_module") or None
        self.rows["token"].set("run", "đang ký thử…")
        self.pending += 1
        run_in_pool(functools.partial(dc.check_token, module, pin), self._deliver, self._failed("token"))
