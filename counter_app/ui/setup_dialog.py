"""First-run setup: agency, workstation, provincial endpoint, first admin; demo data offered."""

from __future__ import annotations

from counter_app.db.setup import SetupInput
from counter_app.demo import DEMO_AGENCY
from counter_app.ui.qt import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
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
        self.demo.setChecked(True)

    def _check_and_accept(self) -> None:
        if not self.agency_code.text().strip() or not self.agency_name.text().strip():
            QMessageBox.warning(self, "Thiếu thông tin", "Cần nhập mã định danh và tên cơ quan.")
            return
        if self.admin_password.text() != self.admin_password2.text():
            QMessageBox.warning(self, "Mật khẩu không khớp", "Hai lần nhập mật khẩu quản trị khác nhau.")
            return
        self.accept()

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
