"""First-run setup: agency, workstation, provincial endpoint, first admin, encryption passphrase;
demo data offered. The recovery key is made and shown by the caller once the keys exist."""

from __future__ import annotations

from counter_app.demo import DEMO_AGENCY
from counter_app.services.settings import SetupInput
from counter_app.ui.errors import ERROR_COLOUR
from counter_app.ui.keys import DEMO_PASSPHRASE, MIN_PASSPHRASE_LENGTH, passphrase_problem, secret_text
from counter_app.ui.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)


class SetupDialog(QDialog):
    """Collects :class:`SetupInput`; the caller stores it on the database worker."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cài đặt lần đầu — Quầy Một Cửa")
        self.setMinimumWidth(560)
        intro = QLabel(
            "<b>Chào mừng!</b> Khai báo cơ quan và máy tiếp nhận này. Có thể sửa lại trong «Cài đặt»."
        )
        intro.setWordWrap(True)
        self.agency_code = QLineEdit(placeholderText="Ví dụ: H15.50.05.13")
        self.agency_name = QLineEdit(placeholderText="Trung tâm Phục vụ hành chính công phường …")
        self.parent_name = QLineEdit(placeholderText="ỦY BAN NHÂN DÂN PHƯỜNG …")
        self.place_name = QLineEdit(placeholderText="Địa danh ghi trên giấy tờ, ví dụ: Ba Đình")
        self.slot = QSpinBox(minimum=0, maximum=9)
        self.slot.setToolTip("Mỗi máy tiếp nhận của cùng cơ quan cần một số khác nhau (0–9) "
                             "để mã hồ sơ không bao giờ trùng khi làm việc ngoại tuyến.")
        self.endpoint = QLineEdit(placeholderText="https://motcua.<tỉnh>.gov.vn (để trống nếu chưa có)")
        self.admin_password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.admin_password2 = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.passphrase = QLineEdit(echoMode=QLineEdit.EchoMode.Password,
                                    placeholderText=f"Ít nhất {MIN_PASSPHRASE_LENGTH} ký tự, khác mật khẩu quản trị")
        self.passphrase2 = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        crypt_note = QLabel(
            "<i>Mật khẩu mã hóa dữ liệu</i> khóa các bản quét và thông tin cá nhân của công dân trên máy này: "
            "ai chép thư mục dữ liệu đi nơi khác cũng không đọc được. Sau khi cài đặt, chương trình tạo một "
            "<b>khóa khôi phục</b> để in và cất vào két — dùng khi quên mật khẩu này.")
        crypt_note.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.demo = QCheckBox("Tạo dữ liệu mẫu (2.000 hồ sơ) để làm quen với chương trình")
        form = QFormLayout()
        form.addRow("Mã định danh cơ quan *", self.agency_code)
        form.addRow("Tên cơ quan *", self.agency_name)
        form.addRow("Cơ quan chủ quản", self.parent_name)
        form.addRow("Địa danh", self.place_name)
        form.addRow("Số máy tiếp nhận", self.slot)
        form.addRow("Hệ thống một cửa của tỉnh", self.endpoint)
        form.addRow("Mật khẩu quản trị (admin)", self.admin_password)
        form.addRow("Nhập lại mật khẩu", self.admin_password2)
        form.addRow(crypt_note)
        form.addRow("Mật khẩu mã hóa dữ liệu *", self.passphrase)
        form.addRow("Nhập lại mật khẩu mã hóa", self.passphrase2)
        use_demo = QPushButton("Điền thông tin mẫu")
        use_demo.clicked.connect(self.fill_demo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Bắt đầu sử dụng")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Thoát")
        buttons.addButton(use_demo, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self._check_and_accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.demo)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
        self.agency_code.setFocus()

    def fill_demo(self) -> None:
        """Fill the demo ward's details and tick demo data."""
        d = DEMO_AGENCY
        self.agency_code.setText(d.agency_code)
        self.agency_name.setText(d.agency_name)
        self.parent_name.setText(d.parent_name)
        self.place_name.setText(d.place_name)
        self.endpoint.setText(d.provincial_endpoint)
        self.admin_password.setText("demo")
        self.admin_password2.setText("demo")
        # «demo» is accepted only with demo data ticked (see problem()); never for real data.
        self.passphrase.setText(DEMO_PASSPHRASE)
        self.passphrase2.setText(DEMO_PASSPHRASE)
        self.demo.setChecked(True)

    def problem(self) -> str | None:
        """What must be fixed before setup can run (Vietnamese), or None."""
        if not self.agency_code.text().strip() or not self.agency_name.text().strip():
            return "Cần nhập mã định danh và tên cơ quan."
        if self.admin_password.text() != self.admin_password2.text():
            return "Hai lần nhập mật khẩu quản trị khác nhau. Nhập lại cả hai ô cho giống nhau."
        if not self.demo.isChecked():  # issue #15 item 6: the demo's «demo» only with demo data
            from counter_app.errors import ValidationError
            from counter_app.services.accounts import check_password_policy

            try:
                check_password_policy(secret_text(self.admin_password), "admin",
                                      context=(self.agency_code.text(), self.agency_name.text()))
            except ValidationError as exc:
                return exc.message
        return passphrase_problem(self.encryption_passphrase(), secret_text(self.passphrase2),
                                  admin_password=secret_text(self.admin_password), allow_demo=self.demo.isChecked())

    def _check_and_accept(self) -> None:
        problem = self.problem()
        if problem:
            # Shown in the dialog (not a message box): the officer sees it next to the fields to fix.
            self.message.setText(problem)
            return
        self.message.clear()
        self.accept()

    def encryption_passphrase(self) -> str:
        """The encryption passphrase typed (NFC)."""
        return secret_text(self.passphrase)

    def value(self) -> SetupInput:
        """What the user entered."""
        return SetupInput(
            agency_code=self.agency_code.text().strip(),
            agency_name=self.agency_name.text().strip(),
            parent_name=self.parent_name.text().strip(),
            place_name=self.place_name.text().strip(),
            workstation_slot=self.slot.value(),
            provincial_endpoint=self.endpoint.text().strip(),
            admin_password=self.admin_password.text(),
        )
