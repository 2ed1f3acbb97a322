"""Who did it (issue #17): every record names the officer signed in at the counter, never "the first
officer". The real app under Xvfb, real keys: canbo2 (not the first officer account) receives a
dossier; after Ctrl+L and a quick switch, canbo3 hands over the result; each act is recorded under
the one who did it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.e2e.conftest import PASSWORD, main_window, unlock_and_login
from tests.e2e.test_counter_e2e import QR_AN
from tests.e2e.xsession import App, wait_for

pytestmark = pytest.mark.e2e


def _user_id(app: App, username: str) -> int:
    return int(app.scalar("SELECT id FROM users WHERE username = ?", (username,)))


def test_receive_then_switch_and_return_are_recorded_under_who_did_them(launch: Callable[..., App]) -> None:
    app = launch()
    first_officer = int(app.scalar("SELECT id FROM users WHERE role = 'officer' ORDER BY id LIMIT 1"))
    canbo2, canbo3 = _user_id(app, "canbo2"), _user_id(app, "canbo3")
    assert first_officer not in (canbo2, canbo3)
    unlock_and_login(app, "canbo2")
    app.shot("canbo2-dang-nhap")
    before = int(app.scalar("SELECT max(id) FROM dossiers"))
    app.key("ctrl+n")
    app.type("khai sinh")
    app.key("Return")
    app.scan(QR_AN)
    app.key("Return", "Return", "Return")
    row = wait_for("the received dossier", lambda: app.query(
        "SELECT * FROM dossiers WHERE id > ? AND applicant_name = 'Nguyễn Văn An'", (before,)), 20, 0.2,
        app._fail_shot)[0]
    app.shot("canbo2-tiep-nhan")
    assert row["officer_id"] == canbo2
    assert app.scalar("SELECT officer_id FROM dossier_events WHERE dossier_id = ? AND kind = 'received'",
                      (row["id"],)) == canbo2

    # Ctrl+L, «Đổi cán bộ…», canbo3 signs in on the lock screen.
    app.key("ctrl+l")
    lock = app.wait_window("^Máy đang khóa", timeout=10)
    app.activate(lock)
    app.key("Tab", "Tab", "space")          # password → «Mở khóa» → «Đổi cán bộ…»
    app.type("canbo3", officer=False)
    app.key("Return")
    app.type(PASSWORD, officer=False)
    app.shot("doi-can-bo")
    app.key("Return")
    app.wait_no_window("^Máy đang khóa", timeout=15)
    wait_for("the switch recorded", lambda: app.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'switch_user' AND user_id = ?", (canbo3,)), 10)
    main = main_window(app)
    app.activate(main)
    app.shot("canbo3-sau-khi-doi")

    # canbo3 finds the dossier (F3), opens it and records «Đã có kết quả», then «Trả kết quả…».
    app.key("F3")
    app.key("ctrl+f")
    app.type(row["code"])
    app.settle()        # the search answers off the UI thread: look before Enter
    app.key("Return")   # into the results
    app.key("Return")   # open the dossier
    detail = app.wait_window("^Chi tiết hồ sơ")
    app.activate(detail)
    app.shot("chi-tiet")
    g = app.geometry(detail)
    app.click(detail, 276, g["HEIGHT"] - 25)  # «Đã có kết quả» (the action buttons never fire on Enter)
    wait_for("the result ready", lambda: app.scalar("SELECT status FROM dossiers WHERE id = ?", (row["id"],)) == 9,
             10, 0.2, app._fail_shot)
    app.settle()
    app.shot("da-co-ket-qua")
    app.click(detail, 57, g["HEIGHT"] - 25)   # «Trả kết quả…»
    ask = app.wait_window("^Trả kết quả", timeout=10)
    app.activate(ask)
    app.shot("tra-ket-qua")
    app.key("Tab", "space")                   # «Đã kiểm tra CCCD…» ticked
    app.key("Return")                         # «Xác nhận»
    app.wait_no_window("^Trả kết quả", timeout=10)
    wait_for("the result handed over", lambda: app.scalar(
        "SELECT status FROM dossiers WHERE id = ?", (row["id"],)) == 10, 10, 0.2, app._fail_shot)
    app.settle()
    app.shot("da-tra-ket-qua")
    who = {r["kind"]: r["officer_id"] for r in app.query(
        "SELECT kind, officer_id FROM dossier_events WHERE dossier_id = ?", (row["id"],))}
    assert who == {"received": canbo2, "status_9": canbo3, "status_10": canbo3}, who
    app.key("Escape")
    app.wait_no_window("^Chi tiết hồ sơ", timeout=10)
