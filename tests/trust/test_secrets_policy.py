"""Issue #15 item 6: no guessable data passphrase or admin password, also through ``counter-app init``."""

from __future__ import annotations

from pathlib import Path

import pytest

from counter_app import vault
from counter_app.cli import main
from counter_app.db.accounts import check_password_policy, secret_weakness
from counter_app.errors import ValidationError
from counter_app.services.keys import DEMO_PASSPHRASE, passphrase_problem

AGENCY = ["--agency-code", "000.00.00.H99", "--agency-name", "UBND phường Thử"]


@pytest.mark.parametrize(("passphrase", "admin"), [
    ("a", ""), ("12345678901", ""), ("matkhau2026", ""), ("aaaaaaaaaaaa", ""), ("qwertyuiop12", ""),
    ("demo-demo-demo", ""), (DEMO_PASSPHRASE, ""),      # a repeated block; the public demo passphrase
    ("Cay-bang-truoc-san-2026", "1"), ("Cay-bang-truoc-san-2026", "admin2026"),
])
def test_init_refuses_weak_secrets_and_creates_nothing(tmp_path: Path, passphrase: str, admin: str,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    args = ["init", *AGENCY, "--data-dir", str(d), "--data-passphrase", passphrase]
    assert main([*args, "--admin-password", admin] if admin else args) == 2
    assert "Lỗi:" in capsys.readouterr().err
    assert not vault.encryption_on(d)  # refused before any key file was written


def test_init_accepts_a_good_passphrase(tmp_path: Path) -> None:
    d = tmp_path / "d"
    try:
        assert main(["init", *AGENCY, "--data-dir", str(d), "--data-passphrase", "Cay-bang-truoc-san-2026",
                     "--admin-password", "Hoa-sen-trong-dam-9"]) == 0
        assert vault.encryption_on(d)
    finally:
        vault.lock(d)


@pytest.mark.parametrize("weak", ["12345678", "matkhau123", "Password1!", "admin2026", "canbo1canbo1", "abcd1234",
                                  "11112222", "H01.37.01xx"])
def test_password_policy_rejects_guessable_passwords(weak: str) -> None:
    with pytest.raises(ValidationError):
        check_password_policy(weak, "canbo1", context=("H01.37.01",))


@pytest.mark.parametrize("good", ["Cay-bang-truoc-san", "Bí-mật 2026", "dữ liệu bí mật", "hunter22"])
def test_password_policy_keeps_memorable_phrases(good: str) -> None:
    check_password_policy(good, "canbo1")
    assert secret_weakness(good, min_length=8) is None


def test_demo_passphrase_only_for_demo() -> None:
    assert passphrase_problem(DEMO_PASSPHRASE, DEMO_PASSPHRASE, allow_demo=True) is None
    assert passphrase_problem(DEMO_PASSPHRASE, DEMO_PASSPHRASE) is not None


def test_first_run_window_refuses_a_weak_admin_password(qtbot) -> None:  # type: ignore[no-untyped-def]
    from counter_app.ui.setup_dialog import SetupDialog

    dlg = SetupDialog()
    qtbot.addWidget(dlg)
    dlg.agency_code.setText("H01.37.01")
    dlg.agency_name.setText("Trung tâm PVHCC phường Ba Đình")
    dlg.passphrase.setText("Cay-bang-truoc-san-2026")
    dlg.passphrase2.setText("Cay-bang-truoc-san-2026")
    for weak in ("1", "12345678", "admin2026"):
        dlg.admin_password.setText(weak)
        dlg.admin_password2.setText(weak)
        assert "Mật khẩu" in (dlg.problem() or ""), weak
    dlg.admin_password.setText("Hoa-sen-trong-dam-9")
    dlg.admin_password2.setText("Hoa-sen-trong-dam-9")
    assert dlg.problem() is None
