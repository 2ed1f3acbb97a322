"""Encryption keys in the GUI: the recovery key dialog, the unlock prompt at start, the admin panel.

* :class:`RecoveryKeyDialog` — shows a recovery key once (first-run setup, a reissue, a rotation),
  prints it on an A4 sheet (:mod:`counter_app.documents.recovery_sheet`, previewed from memory so
  the plaintext key never lands in the data directory) and only lets the officer go on once they
  confirm it was printed or copied: lost passphrase *and* lost recovery key = scans lost for good.
* :class:`UnlockDialog` — asked before the log-in when the data directory is encrypted and the OS
  key store did not open it: passphrase (scrypt, ~0.2 s, checked on the DB worker), or the printed
  recovery key followed by a new passphrase. A missing or damaged ``keys.json`` is explained with
  the way back (restore it from a backup).
* :class:`EncryptionPanel` — the «Mã hóa dữ liệu» group of the settings page: status for everyone,
  and for the admin: change passphrase, reissue the recovery key, rotate the data key, or switch
  encryption on for a plain directory. Every action is audited (never with a secret in the detail).

The Qt-free half (passphrase rules, the ``_job`` functions run on the DB worker) is
:mod:`counter_app.services.keys`; the widgets here only collect input and show results.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from counter_app import crypto, vault
from counter_app.db.database import CounterDB
from counter_app.errors import CounterError
from counter_app.services.keys import (
    DEMO_HINT_SETTING,
    DEMO_PASSPHRASE,
    ENCRYPTED_SETTING,
    KEY_ACTIONS,
    MIN_PASSPHRASE_LENGTH,
    change_passphrase_job,
    enable_encryption_job,
    encryption_status,
    passphrase_problem,
    prepare_encryption,
    recover_job,
    reissue_recovery_job,
    rotate_job,
    startup_state,
)
from counter_app.textnorm import nfc
from counter_app.ui.errors import error_text
from counter_app.ui.login import Submitter
from counter_app.ui.preview import make_preview_dialog
from counter_app.ui.progress import run_with_progress
from counter_app.ui.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFont,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPrintPreviewDialog,
    QPushButton,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from counter_app.ui.tasks import run_in_pool

log = logging.getLogger(__name__)

__all__ = [
    "DEMO_HINT_SETTING",
    "DEMO_PASSPHRASE",
    "ENCRYPTED_SETTING",
    "KEY_ACTIONS",
    "MIN_PASSPHRASE_LENGTH",
    "EncryptionPanel",
    "PassphraseDialog",
    "RecoveryKeyDialog",
    "UnlockDialog",
    "change_passphrase_job",
    "enable_encryption_job",
    "encryption_status",
    "passphrase_problem",
    "prepare_encryption",
    "recover_job",
    "reissue_recovery_job",
    "resume_pending",
    "rotate_job",
    "secret_text",
    "startup_state",
]

_RECOVERY_MEANING = (
    "<b>Khóa khôi phục</b> dùng để mở dữ liệu khi không ai còn nhớ <b>mật khẩu mã hóa</b>. "
    "Chương trình chỉ hiện khóa này <b>một lần</b> và không lưu lại ở đâu. In ra (hoặc chép tay thật "
    "cẩn thận), cất trong két hoặc tủ có khóa của cơ quan — không để cạnh máy tính.<br><br>"
    "<b>Nếu mất cả mật khẩu mã hóa và khóa khôi phục, không ai (kể cả nhà cung cấp phần mềm) "
    "mở được các bản quét đã lưu.</b>"
)


# --------------------------------------------------------------------------- recovery key dialog
def _key_font(size: int) -> QFont:
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    font.setPointSize(size)
    font.setBold(True)
    return font


class RecoveryKeyDialog(QDialog):
    """Shows a recovery key once; «Tiếp tục» only after the officer confirms it is printed or copied."""

    def __init__(self, recovery_key: str, agency_name: str = "", *, created_at: datetime | None = None,
                 note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Khóa khôi phục — Quầy Một Cửa")
        self.setMinimumWidth(640)
        self.recovery_key = recovery_key
        self.agency_name = agency_name
        self.created_at = created_at or datetime.now()
        self.preview: QPrintPreviewDialog | None = None
        title = QLabel("Khóa khôi phục dữ liệu")
        title.setStyleSheet("font-size: 16pt; font-weight: bold")
        explain = QLabel(_RECOVERY_MEANING + (f"<br><br>{note}" if note else ""))
        explain.setWordWrap(True)
        explain.setTextFormat(Qt.TextFormat.RichText)
        self.key_label = QLabel(recovery_key)
        self.key_label.setFont(_key_font(20))
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key_label.setObjectName("recoveryKey")
        self.key_label.setStyleSheet("#recoveryKey { background: #fff8e1; border: 2px solid #c49000; "
                                     "padding: 14px; color: black }")
        self.print_button = QPushButton("In khóa khôi phục")
        self.print_button.clicked.connect(self.print_sheet)
        self.confirm = QCheckBox("Tôi đã in hoặc chép lại khóa khôi phục và cất giữ an toàn")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox()
        self.continue_button = self.buttons.addButton("Tiếp tục", QDialogButtonBox.ButtonRole.AcceptRole)
        self.continue_button.setEnabled(False)
        self.confirm.toggled.connect(self.continue_button.setEnabled)
        self.confirm.toggled.connect(lambda _on: self.message.clear())
        self.buttons.accepted.connect(self.accept)
        row = QHBoxLayout()
        row.addWidget(self.print_button)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(explain)
        lay.addWidget(self.key_label)
        lay.addLayout(row)
        lay.addWidget(self.confirm)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

    def sheet_pdf(self) -> bytes:
        """The A4 sheet of this key (PDF bytes, in memory only)."""
        from counter_app.documents.recovery_sheet import render_recovery_sheet

        return render_recovery_sheet(self.agency_name, self.recovery_key, self.created_at)

    def print_sheet(self) -> None:
        """Render the sheet off the UI thread, then open the print preview from memory."""
        self.print_button.setEnabled(False)
        self.message.setStyleSheet("color: #444")
        self.message.setText("Đang chuẩn bị bản in…")

        def done(pdf: bytes) -> None:
            self.print_button.setEnabled(True)
            self.message.clear()
            self.message.setStyleSheet("color: #b00020")
            self.preview = make_preview_dialog(self, pdf, "Khóa khôi phục")
            self.preview.exec()

        def failed(exc: BaseException) -> None:
            self.print_button.setEnabled(True)
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(exc.user_message() if isinstance(exc, CounterError)
                                 else "Không tạo được bản in; hãy chép tay khóa khôi phục.")
            log.error("recovery sheet failed: %s", exc)

        run_in_pool(self.sheet_pdf, done, failed)

    def reject(self) -> None:
        """Esc or the window's close button: not before the key is confirmed (it is never shown again)."""
        if not self.confirm.isChecked():
            self.message.setText("Hãy in hoặc chép lại khóa khôi phục rồi đánh dấu ô xác nhận trước khi tiếp tục: "
                                 "khóa này sẽ không hiện lại.")
            return
        super().reject()


# ------------------------------------------------------------------------------- unlock at start
def secret_text(field: QLineEdit) -> str:
    """A typed passphrase in NFC: the same Vietnamese word typed with another input method
    (precomposed vs combining marks) must give the same bytes, hence open the same keys."""
    return nfc(field.text())


def _field(placeholder: str, *, secret: bool = True) -> QLineEdit:
    w = QLineEdit()
    if secret:
        w.setEchoMode(QLineEdit.EchoMode.Password)
    w.setPlaceholderText(placeholder)
    return w


def _error_text(exc: BaseException) -> str:
    return error_text(exc, "khi mở khóa dữ liệu")  # the one inline-error helper (ui/errors.py)


class UnlockDialog(QDialog):
    """Passphrase (or recovery key + new passphrase) before the log-in; ``ring`` once accepted.

    After :attr:`FREE_TRIES` wrong answers each further one costs a growing wait. This only slows
    someone at the counter: a copied directory is attacked offline, where scrypt's cost per try
    (32 MB, ~0.2 s) is what protects it.
    """

    FREE_TRIES = 5
    MAX_DELAY_S = 300.0

    def __init__(self, worker: Submitter, root: str | Path, *, demo_hint: bool = False,
                 parent: QWidget | None = None, delay_step_s: float = 5.0) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mở khóa dữ liệu — Quầy Một Cửa")
        self.setMinimumWidth(520)
        self.worker = worker
        self.root = Path(root)
        self.ring: crypto.KeyRing | None = None
        self.failures = 0
        self.delay_step_s = delay_step_s
        self.wait_left = 0
        self._busy = False
        self._recovery_key = ""
        self._wait_text = ""
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)

        # page 0: passphrase
        self.passphrase = _field("Mật khẩu mã hóa dữ liệu")
        self.unlock_button = QPushButton("Mở khóa")
        self.unlock_button.setDefault(True)
        self.forgot_button = QPushButton("Quên mật khẩu? Dùng khóa khôi phục")
        self.forgot_button.setFlat(True)
        self.forgot_button.setStyleSheet("color: #0645ad; text-decoration: underline")
        self.demo_label = QLabel("Dữ liệu mẫu: mật khẩu mã hóa là «demo»")
        self.demo_label.setStyleSheet("color: #666; font-style: italic")
        self.demo_label.setVisible(demo_hint)
        intro = QLabel("Dữ liệu trên máy này (bản quét, thông tin cá nhân của công dân) được mã hóa. "
                       "Nhập <b>mật khẩu mã hóa dữ liệu</b> để mở — đây không phải mật khẩu đăng nhập "
                       "của cán bộ.")
        intro.setWordWrap(True)
        p0 = QWidget()
        l0 = QVBoxLayout(p0)
        l0.setContentsMargins(0, 0, 0, 0)
        l0.addWidget(intro)
        l0.addWidget(self.passphrase)
        l0.addWidget(self.demo_label)
        r0 = QHBoxLayout()
        r0.addWidget(self.unlock_button)
        r0.addStretch(1)
        r0.addWidget(self.forgot_button)
        l0.addLayout(r0)

        # page 1: recovery key
        self.recovery = _field("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XX", secret=False)
        self.recovery.setFont(_key_font(12))
        self.recover_button = QPushButton("Mở bằng khóa khôi phục")
        self.back_button = QPushButton("Quay lại")
        intro1 = QLabel("Nhập <b>khóa khôi phục</b> in trên tờ «Khóa khôi phục dữ liệu mã hóa» cất trong két "
                        "của cơ quan (chữ hoa hay thường, có dấu gạch hay không đều được). Sau đó đặt mật "
                        "khẩu mã hóa mới.")
        intro1.setWordWrap(True)
        p1 = QWidget()
        l1 = QVBoxLayout(p1)
        l1.setContentsMargins(0, 0, 0, 0)
        l1.addWidget(intro1)
        l1.addWidget(self.recovery)
        r1 = QHBoxLayout()
        r1.addWidget(self.recover_button)
        r1.addStretch(1)
        r1.addWidget(self.back_button)
        l1.addLayout(r1)

        # page 2: new passphrase after the recovery key
        self.new1 = _field("Mật khẩu mã hóa mới (ít nhất 8 ký tự)")
        self.new2 = _field("Nhập lại mật khẩu mã hóa mới")
        self.set_button = QPushButton("Đặt mật khẩu mới")
        intro2 = QLabel("Khóa khôi phục đúng. Đặt <b>mật khẩu mã hóa mới</b>; mật khẩu cũ sẽ không còn dùng được.")
        intro2.setWordWrap(True)
        p2 = QWidget()
        l2 = QFormLayout(p2)
        l2.setContentsMargins(0, 0, 0, 0)
        l2.addRow(intro2)
        l2.addRow("Mật khẩu mới", self.new1)
        l2.addRow("Nhập lại", self.new2)
        l2.addRow(self.set_button)

        # page 3: done after a recovery
        self.done_label = QLabel("<b>Đã đặt mật khẩu mã hóa mới.</b> Mật khẩu cũ không còn dùng được; từ nay "
                                 "mở dữ liệu bằng mật khẩu mới. Tờ khóa khôi phục vẫn dùng được — cất lại vào két.")
        self.done_label.setWordWrap(True)
        self.continue_button = QPushButton("Tiếp tục")
        p3 = QWidget()
        l3 = QVBoxLayout(p3)
        l3.setContentsMargins(0, 0, 0, 0)
        l3.addWidget(self.done_label)
        l3.addWidget(self.continue_button, 0, Qt.AlignmentFlag.AlignLeft)

        self.pages = QStackedWidget()
        for page in (p0, p1, p2, p3):
            self.pages.addWidget(page)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        quit_box = QDialogButtonBox()
        quit_box.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        quit_box.rejected.connect(self.reject)
        title = QLabel("Mở khóa dữ liệu")
        title.setStyleSheet("font-size: 15pt; font-weight: bold")
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(self.pages)
        lay.addWidget(self.message)
        lay.addWidget(quit_box)

        self.unlock_button.clicked.connect(self.try_passphrase)
        self.passphrase.returnPressed.connect(self.try_passphrase)
        self.forgot_button.clicked.connect(lambda: self._show_page(1))
        self.back_button.clicked.connect(lambda: self._show_page(0))
        self.recover_button.clicked.connect(self.try_recovery)
        self.recovery.returnPressed.connect(self.try_recovery)
        self.new1.returnPressed.connect(self.new2.setFocus)
        self.new2.returnPressed.connect(self.set_new_passphrase)
        self.set_button.clicked.connect(self.set_new_passphrase)
        self.continue_button.clicked.connect(self.accept)
        if not vault.key_file(self.root).exists():
            self._key_file_problem(crypto.KeyFileError(f"Không tìm thấy tệp khóa {vault.key_file(self.root)}."))
        self.passphrase.setFocus()

    # -- helpers ------------------------------------------------------------------------------
    def _show_page(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        if not self.wait_left:  # a running wait keeps its count-down visible
            self.message.clear()
        (self.passphrase, self.recovery, self.new1, self.continue_button)[index].setFocus()

    def _set_busy(self, on: bool) -> None:
        self._busy = on
        waiting = self.wait_left > 0
        for b in (self.unlock_button, self.recover_button, self.set_button):
            b.setEnabled(not on and not waiting)
        self.forgot_button.setEnabled(not on)
        self.back_button.setEnabled(not on)
        if on:
            self.message.setStyleSheet("color: #444")
            self.message.setText("Đang kiểm tra…")
        else:
            self.message.setStyleSheet("color: #b00020")

    def _key_file_problem(self, exc: crypto.KeyFileError) -> None:
        self.message.setText(
            f"{exc.message}\nKhông mở được dữ liệu khi thiếu tệp khóa. Lấy tệp keys.json trong bản sao lưu mới "
            f"nhất (thư mục qmc-backup-… trên ổ sao lưu) chép vào thư mục dữ liệu {self.root}, rồi bấm "
            "«Mở khóa» lại. Không có bản sao lưu nào: liên hệ quản trị hệ thống.")

    def _wrong(self, exc: BaseException) -> None:
        """A wrong passphrase / recovery key: say so; after FREE_TRIES, make the next try wait."""
        self._set_busy(False)
        if isinstance(exc, crypto.KeyFileError):
            self._key_file_problem(exc)
            return
        if not isinstance(exc, crypto.WrongSecret):
            self.message.setText(_error_text(exc))
            return
        self.failures += 1
        text = exc.user_message()
        if self.failures >= self.FREE_TRIES:
            delay = min(self.delay_step_s * 2 ** (self.failures - self.FREE_TRIES), self.MAX_DELAY_S)
            self.wait_left = max(1, round(delay))
            self._wait_text = text
            self._set_busy(False)
            self._count_down(first=True)
            self._tick.start()
        else:
            self.message.setText(text)

    def _count_down(self, first: bool = False) -> None:
        if not first:
            self.wait_left -= 1
        if self.wait_left <= 0:
            self._tick.stop()
            self.wait_left = 0
            self._set_busy(False)
            self.message.setText(f"{self._wait_text}\nCó thể thử lại.")
            return
        self.message.setText(f"{self._wait_text}\nĐã nhập sai {self.failures} lần. "
                             f"Thử lại sau {self.wait_left} giây.")

    def _can_try(self) -> bool:
        return not self._busy and self.wait_left <= 0

    # -- actions -----------------------------------------------------------------------------
    def try_passphrase(self) -> None:
        """Check the passphrase on the worker (scrypt takes ~0.2 s); accept when it opens the keys."""
        if not self._can_try():
            return
        passphrase, root = secret_text(self.passphrase), self.root
        if not passphrase:
            self.message.setText("Nhập mật khẩu mã hóa dữ liệu.")
            return
        self._set_busy(True)

        def done(ring: crypto.KeyRing) -> None:
            self._set_busy(False)
            self.ring = ring
            self.passphrase.clear()
            self.accept()

        def failed(exc: BaseException) -> None:
            self.passphrase.clear()
            self.passphrase.setFocus()
            self._wrong(exc)

        self.worker.submit(lambda _cdb: vault.open_with_passphrase(root, passphrase), done, failed)

    def try_recovery(self) -> None:
        """Check the recovery key (without changing anything yet); then ask for a new passphrase."""
        if not self._can_try():
            return
        code, root = self.recovery.text(), self.root
        if not code.strip():
            self.message.setText("Nhập khóa khôi phục in trên giấy.")
            return
        self._set_busy(True)

        def done(_ring: crypto.KeyRing) -> None:
            self._set_busy(False)
            self._recovery_key = code
            self.recovery.clear()
            self.message.clear()
            self._show_page(2)

        def failed(exc: BaseException) -> None:
            self.recovery.setFocus()
            self._wrong(exc)

        self.worker.submit(lambda _cdb: crypto.KeyRing.unlock_with_recovery(vault.key_file(root), code),
                           done, failed)

    def set_new_passphrase(self) -> None:
        """Re-wrap the keys under the new passphrase (on the worker) and open the data."""
        if self._busy:
            return
        new, again = secret_text(self.new1), secret_text(self.new2)
        problem = passphrase_problem(new, again)
        if problem:
            self.message.setText(problem)
            return
        code = self._recovery_key
        self._set_busy(True)

        def done(ring: crypto.KeyRing) -> None:
            self._set_busy(False)
            self.ring = ring
            self._recovery_key = ""
            self.new1.clear()
            self.new2.clear()
            self.message.clear()
            self._show_page(3)

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self.message.setText(_error_text(exc))

        self.worker.submit(lambda cdb: recover_job(cdb, code, new), done, failed)


# --------------------------------------------------------------------------- passphrase dialog
class PassphraseDialog(QDialog):
    """Collects a current and/or a new passphrase; optionally runs ``work`` on the DB worker and
    stays open with the reason shown until it succeeds (``result_value`` holds what it returned)."""

    def __init__(self, worker: Submitter, title: str, intro: str, *, current: bool, new: bool,
                 work: Callable[[CounterDB, dict[str, str]], Any] | None = None, ok_text: str = "Đồng ý",
                 recovery_note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title} — Quầy Một Cửa")
        self.recovery_note = recovery_note  # shown with the recovery key the work returns (if any)
        self.setMinimumWidth(520)
        self.worker = worker
        self.work = work
        self.result_value: Any = None
        text = QLabel(intro)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        self.current = _field("Mật khẩu mã hóa hiện tại") if current else None
        self.new1 = _field(f"Ít nhất {MIN_PASSPHRASE_LENGTH} ký tự") if new else None
        self.new2 = _field("Nhập lại mật khẩu mới") if new else None
        form = QFormLayout()
        if self.current is not None:
            form.addRow("Mật khẩu mã hóa hiện tại", self.current)
        if self.new1 is not None and self.new2 is not None:
            form.addRow("Mật khẩu mã hóa mới", self.new1)
            form.addRow("Nhập lại mật khẩu mới", self.new2)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020")
        self.buttons = QDialogButtonBox()
        self.ok = self.buttons.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Hủy", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(text)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        (self.current or self.new1 or self.ok).setFocus()

    def values(self) -> dict[str, str]:
        """What was typed (``current``, ``new``)."""
        out: dict[str, str] = {}
        if self.current is not None:
            out["current"] = secret_text(self.current)
        if self.new1 is not None:
            out["new"] = secret_text(self.new1)
        return out

    def submit(self) -> None:
        """Check locally, then run the work (if any) on the worker; accept on success."""
        if self.current is not None and not self.current.text():
            self.message.setText("Nhập mật khẩu mã hóa hiện tại.")
            return
        if self.new1 is not None and self.new2 is not None:
            problem = passphrase_problem(secret_text(self.new1), secret_text(self.new2))
            if problem:
                self.message.setText(problem)
                return
            if self.current is not None and secret_text(self.new1) == secret_text(self.current):
                self.message.setText("Mật khẩu mới phải khác mật khẩu hiện tại.")
                return
        if self.work is None:
            self.accept()
            return
        values, work = self.values(), self.work
        self.ok.setEnabled(False)
        self.message.setStyleSheet("color: #444")
        self.message.setText("Đang thực hiện…")

        def done(result: Any) -> None:
            self.result_value = result
            self.accept()

        def failed(exc: BaseException) -> None:
            self.ok.setEnabled(True)
            self.message.setStyleSheet("color: #b00020")
            self.message.setText(_error_text(exc))
            if self.current is not None:
                self.current.clear()
                self.current.setFocus()

        self.worker.submit(lambda cdb: work(cdb, values), done, failed)


def resume_pending(worker: Submitter, parent: QWidget | None, then: Callable[[], None]) -> None:
    """At start, once the keys are open: finish switching encryption on if a run was interrupted
    (power cut, app closed). The counter works with mixed plain/encrypted data meanwhile, so a
    failure is explained and the start goes on."""
    from counter_app.services.encryption import resume_encryption

    def failed(exc: BaseException) -> None:
        from counter_app.ui.errors import show_exception

        show_exception(parent, exc)
        then()

    run_with_progress(worker, parent, "Hoàn tất mã hóa dữ liệu",
                      lambda cdb, progress: resume_encryption(cdb, progress=progress), lambda _r: then(), failed)


# --------------------------------------------------------------------------------- admin panel
class EncryptionPanel(QGroupBox):
    """«Mã hóa dữ liệu»: status for everyone; the admin changes passphrase, recovery key, data key,
    or switches encryption on. ``user_id`` gives the acting user (the settings page's)."""

    def __init__(self, worker: Submitter, user_id: Callable[[], int | None],
                 parent: QWidget | None = None) -> None:
        super().__init__("Mã hóa dữ liệu", parent)
        self.worker = worker
        self.user_id = user_id
        self.admin = False
        self.status: dict[str, Any] = {}
        self.last_dialog: QDialog | None = None
        self.status_label = QLabel("Đang đọc trạng thái mã hóa…")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.RichText)
        self.change_button = QPushButton("Đổi mật khẩu mã hóa…")
        self.reissue_button = QPushButton("In khóa khôi phục mới…")
        self.rotate_button = QPushButton("Đổi khóa dữ liệu…")
        self.enable_button = QPushButton("Bật mã hóa…")
        self.note = QLabel("")
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        for b in (self.change_button, self.reissue_button, self.rotate_button, self.enable_button):
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status_label)
        lay.addLayout(row)
        lay.addWidget(self.note)
        self.change_button.clicked.connect(lambda: self._run(self.change_dialog()))
        self.reissue_button.clicked.connect(lambda: self._run(self.reissue_dialog()))
        self.rotate_button.clicked.connect(lambda: self._run(self.rotate_dialog()))
        self.enable_button.clicked.connect(self.enable)
        self._apply()

    # -- status ------------------------------------------------------------------------------
    def set_admin(self, admin: bool) -> None:
        """Only the admin sees the buttons; the others see the status."""
        self.admin = admin
        self._apply()

    def refresh(self) -> None:
        """Read the status on the worker."""
        self.worker.submit(encryption_status, self._show)

    def _show(self, s: dict[str, Any]) -> None:
        self.status = s
        if s.get("error"):
            text = f"<span style='color:#b00020'><b>{s['error']}</b></span>"
        elif s["encrypted"]:
            created = s.get("created_at", "").replace("T", " ")
            store = ("có — máy này tự mở khóa bằng tài khoản Windows" if s.get("os_store")
                     else "không — hỏi mật khẩu mã hóa mỗi lần mở chương trình")
            text = ("<b style='color:#080'>Đang mã hóa</b> bản quét và thông tin cá nhân (AES-256-GCM).<br>"
                    f"Khóa dữ liệu đang dùng: <b>{s.get('active', '')}</b>, tạo lúc {created}; "
                    f"số khóa trong tệp: {s.get('key_count', 0)}.<br>"
                    f"Kho khóa của Windows: {store}.")
        elif s.get("was_encrypted"):
            text = ("<span style='color:#b00020'><b>Không thấy tệp khóa keys.json</b> dù dữ liệu đã được mã hóa. "
                    "Chép lại tệp này từ bản sao lưu mới nhất vào thư mục dữ liệu.</span>")
        else:
            text = ("<b style='color:#b00020'>Chưa mã hóa</b>: ai chép được thư mục dữ liệu sẽ đọc được bản quét "
                    "và thông tin cá nhân của công dân.")
        self.status_label.setText(text)
        self._apply()

    def _apply(self) -> None:
        on = bool(self.status.get("encrypted")) and not self.status.get("error")
        known = bool(self.status)
        for b in (self.change_button, self.reissue_button, self.rotate_button):
            b.setVisible(self.admin and on)
            b.setEnabled(self.admin and on)
        plain = known and not self.status.get("encrypted") and not self.status.get("was_encrypted")
        self.enable_button.setVisible(self.admin and plain)
        self.enable_button.setEnabled(self.admin and plain)
        self.note.setText("" if self.admin else "Chỉ quản trị viên được thay đổi mã hóa.")

    # -- dialogs (built here, run by _run; tests drive them without exec) ---------------------
    def change_dialog(self) -> PassphraseDialog:
        """Current passphrase + the new one twice."""
        uid = self.user_id()
        return PassphraseDialog(
            self.worker, "Đổi mật khẩu mã hóa",
            "Nhập mật khẩu mã hóa hiện tại và mật khẩu mới. Dữ liệu không phải mã hóa lại; sau khi đổi, "
            "<b>mật khẩu cũ không còn dùng được</b>. Khóa khôi phục đã in vẫn dùng được.",
            current=True, new=True, ok_text="Đổi mật khẩu",
            work=lambda cdb, v: change_passphrase_job(cdb, v["current"], v["new"], uid), parent=self)

    def reissue_dialog(self) -> PassphraseDialog:
        """Confirmation (with the passphrase) before a new recovery key replaces the printed one."""
        uid = self.user_id()
        return PassphraseDialog(
            self.worker, "In khóa khôi phục mới",
            "Chương trình sẽ tạo một khóa khôi phục mới. <b>Tờ khóa khôi phục đang cất giữ sẽ không còn dùng "
            "được</b> — hủy tờ cũ sau khi đã in và cất tờ mới. Nhập mật khẩu mã hóa để xác nhận.",
            current=True, new=False, ok_text="Tạo khóa khôi phục mới",
            recovery_note="<b>Tờ khóa khôi phục cũ không còn dùng được</b> — hủy tờ cũ sau khi cất tờ mới.",
            work=lambda cdb, v: reissue_recovery_job(cdb, v["current"], uid), parent=self)

    def rotate_dialog(self) -> PassphraseDialog:
        """Confirmation (with the passphrase) before a new data key."""
        uid = self.user_id()
        return PassphraseDialog(
            self.worker, "Đổi khóa dữ liệu",
            "Tạo một khóa dữ liệu mới cho các bản quét và thông tin lưu từ nay (làm khi nghi ngờ khóa cũ bị lộ). "
            "<b>Các tệp cũ vẫn đọc được</b> bằng khóa cũ, vẫn nằm trong tệp khóa. Một <b>khóa khôi phục mới</b> "
            "sẽ được tạo để in; tờ cũ hết hiệu lực. Nhập mật khẩu mã hóa để xác nhận.",
            current=True, new=False, ok_text="Đổi khóa dữ liệu",
            recovery_note=("Khóa dữ liệu đã được đổi; các tệp cũ vẫn đọc được. <b>Tờ khóa khôi phục cũ không còn "
                           "dùng được</b> — hủy tờ cũ sau khi cất tờ mới."),
            work=lambda cdb, v: rotate_job(cdb, v["current"], uid), parent=self)

    def enable_dialog(self) -> PassphraseDialog:
        """The new passphrase twice (checked here; the work runs with a progress dialog)."""
        return PassphraseDialog(
            self.worker, "Bật mã hóa dữ liệu",
            "Từ nay bản quét và thông tin cá nhân được lưu ở dạng mã hóa; dữ liệu đã có được mã hóa ngay "
            "(có thể mất vài phút, nếu bị ngắt thì làm tiếp ở lần sau). Đặt <b>mật khẩu mã hóa dữ liệu</b> "
            "(khác mật khẩu đăng nhập); sau đó in khóa khôi phục.",
            current=False, new=True, ok_text="Bật mã hóa", parent=self)

    def _run(self, dlg: PassphraseDialog) -> None:
        self.last_dialog = dlg
        if dlg.exec():
            self.after(dlg)

    def after(self, dlg: PassphraseDialog) -> None:
        """What follows a successful dialog: a recovery key to show, or a confirmation."""
        self.refresh()
        if isinstance(dlg.result_value, str):
            self.show_recovery(dlg.result_value, dlg.recovery_note)
        else:
            QMessageBox.information(self, "Đã đổi mật khẩu mã hóa",
                                    "Đã đổi mật khẩu mã hóa dữ liệu. Mật khẩu cũ không còn dùng được; lần mở "
                                    "chương trình sau hãy nhập mật khẩu mới.")

    def show_recovery(self, recovery: str, note: str = "") -> None:
        """The recovery key dialog (modal; cannot be dismissed before confirming)."""
        dlg = RecoveryKeyDialog(recovery, self.status.get("agency_name", ""), note=note, parent=self)
        self.last_dialog = dlg
        dlg.exec()

    def enable(self) -> None:
        """Ask the passphrase, then switch encryption on with a progress dialog."""
        dlg = self.enable_dialog()
        self.last_dialog = dlg
        if dlg.exec():
            self.start_enable(dlg.values()["new"])

    def start_enable(self, passphrase: str, on_finished: Callable[[str | None], None] | None = None) -> None:
        """Run :func:`enable_encryption_job` on the worker; progress is shown as it comes."""
        uid = self.user_id()
        self.enable_button.setEnabled(False)

        def done(recovery: str) -> None:
            self.refresh()
            if on_finished is not None:
                on_finished(recovery)
                return
            self.show_recovery(recovery, "Mã hóa đã được bật cho dữ liệu trên máy này.")

        def failed(exc: BaseException) -> None:
            self.refresh()
            if on_finished is not None:
                on_finished(None)
                return
            from counter_app.ui.errors import show_exception

            show_exception(self, exc)

        run_with_progress(self.worker, self, "Bật mã hóa dữ liệu",
                          lambda cdb, progress: enable_encryption_job(cdb, passphrase, uid, progress), done, failed)
