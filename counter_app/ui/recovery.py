"""The dialog shown when the start-up check finds the data damaged: what is wrong, and a way out.

Before, the app could only say "restore from the newest backup" and quit, while the restore lived
behind a log-in to the very database that was damaged. Here the administrator picks the backup
(the newest one found is proposed), types the admin account of that backup, and the restore runs
off the UI thread with a progress bar (:func:`counter_app.db.backup.restore_at_startup`).
"""

from __future__ import annotations

from pathlib import Path

from counter_app.errors import CounterError
from counter_app.paths import DataDir
from counter_app.services import backups as backup
from counter_app.ui.errors import error_html
from counter_app.ui.qt import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
    Signal,
)
from counter_app.ui.screen import fit_to_screen
from counter_app.ui.tasks import run_in_pool


class StartupRecoveryDialog(QDialog):
    """Shows the start-up report; «Khôi phục» restores a backup in place. Accepted = data restored."""

    progressed = Signal(int, int)

    def __init__(self, report: backup.StartupReport, data: DataDir, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = data
        self.applied: backup.AppliedRestore | None = None
        self.setWindowTitle("Dữ liệu bị lỗi — Quầy Một Cửa")
        fit_to_screen(self, 760, 560)
        lay = QVBoxLayout(self)
        text = QTextEdit()
        text.setReadOnly(True)
        text.setPlainText(report.message())
        lay.addWidget(text, 1)
        lay.addWidget(QLabel("<b>Khôi phục ngay</b> (cần tài khoản quản trị của bản sao lưu):"))
        form = QFormLayout()
        row = QHBoxLayout()
        self.backup_path = QLineEdit(str(report.latest_backup.path) if report.latest_backup else "")
        self.backup_path.setPlaceholderText("Thư mục qmc-backup-… trên ổ USB sao lưu")
        pick = QPushButton("Chọn…")
        pick.clicked.connect(self._pick)
        row.addWidget(self.backup_path, 1)
        row.addWidget(pick)
        form.addRow("Bản sao lưu", row)
        self.username = QLineEdit("admin")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Tài khoản quản trị", self.username)
        form.addRow("Mật khẩu", self.password)
        lay.addLayout(form)
        self.bar = QProgressBar()
        self.bar.hide()
        lay.addWidget(self.bar)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        lay.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.restore_btn = buttons.addButton("Khôi phục", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_btn = buttons.addButton("Thoát", QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_btn.clicked.disconnect()  # AcceptRole would close the dialog before the restore runs
        self.restore_btn.clicked.connect(self.restore)
        self.quit_btn.clicked.connect(self.reject)
        lay.addWidget(buttons)
        self.progressed.connect(self._progress)
        (self.password if self.backup_path.text() else self.backup_path).setFocus()

    def _pick(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Chọn bản sao lưu (thư mục qmc-backup-…)",
                                                  self.backup_path.text() or str(Path.home()))
        if folder:
            self.backup_path.setText(folder)

    def _progress(self, done: int, total: int) -> None:
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(done)

    def restore(self) -> None:
        """Run the restore on the thread pool; on success the dialog is accepted."""
        path = self.backup_path.text().strip()
        if not path or not Path(path).is_dir():
            self.message.setText(error_html("Chọn thư mục bản sao lưu (qmc-backup-…)."))
            return
        user, pw, root = self.username.text(), self.password.text(), self.data.root
        for w in (self.restore_btn, self.quit_btn):
            w.setEnabled(False)
        self.bar.show()
        self.message.setText("Đang khôi phục… (không tắt máy, không rút ổ USB)")

        def work() -> backup.AppliedRestore:
            return backup.restore_at_startup(path, root, user, pw, progress=self.progressed.emit)

        run_in_pool(work, self._done, self._failed)

    def _done(self, applied: object) -> None:
        assert isinstance(applied, backup.AppliedRestore)
        self.applied = applied
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        for w in (self.restore_btn, self.quit_btn):
            w.setEnabled(True)
        self.bar.hide()
        text = exc.user_message() if isinstance(exc, CounterError) else f"Lỗi: {exc}"
        self.message.setText(error_html(f"Chưa khôi phục được. {text}"))
        self.password.clear()
        self.password.setFocus()
