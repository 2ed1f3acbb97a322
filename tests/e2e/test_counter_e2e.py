"""The counter in real hands (issue #14): the real app under Xvfb + openbox, real keys and clicks.

Each test starts the real process (``python -m counter_app.cli --data-dir D``, Qt's xcb platform)
on a copy of a 12-dossier demo directory (or an empty one for the first run), drives it with
xdotool only, checks the outcome in the database and the files, and leaves a screenshot of every
step in ``out/e2e/<test>/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.e2e.conftest import PASSWORD, main_window, read_dossier, unlock_and_login
from tests.e2e.xsession import App, Window, wait_for

pytestmark = pytest.mark.e2e

# A CCCD QR as the handheld scanner types it: ID|old ID|name|birth date|gender|address|issue date.
QR_AN = "001090012345|012345678|Nguyễn Văn An|15051990|Nam|Số 5 Đội Cấn, Phường Ba Đình, Thành phố Hà Nội|01022022"
QR_BINH = "001188054321||Trần Thị Bình|02031988|Nữ|Số 9 Kim Mã, Phường Giảng Võ, Thành phố Hà Nội|10102021"
# Colours the app draws status text in: «Trực tuyến» #080, «Ngoại tuyến» #777, a scan's warning #a60.
GREEN, GREY, ORANGE = (0, 136, 0), (119, 119, 119), (170, 102, 0)


def _audit(app: App, action: str) -> int:
    return int(app.scalar("SELECT count(*) FROM audit_log WHERE action = ?", (action,)))


def test_first_run_setup_then_login(launch: Callable[..., App], tmp_path: Path) -> None:
    """An empty data directory: setup form by keyboard, the recovery key, the admin's first log-in."""
    # Passwords the setup's strength rules accept (no common words, runs or the agency's code).
    ADMIN, SECRET = "Ca-phe-sua-da-K29", "tram-nuoc-QK7-vang-trang-41"
    app = launch(data_dir=tmp_path / "fresh")
    win = app.wait_window("^Cài đặt lần đầu")
    app.activate(win)
    app.shot("cai-dat-lan-dau")
    # Fields in tab order: code, name, parent body, place, workstation slot, provincial endpoint,
    # admin password ×2, data passphrase ×2.
    for text in ("H01.99.01", "Trung tâm PVHCC phường Thử Nghiệm", "ỦY BAN NHÂN DÂN PHƯỜNG THỬ NGHIỆM",
                 "Thử Nghiệm"):
        app.type(text, officer=False)
        app.key("Tab")
    app.key("ctrl+a")
    app.type("3", officer=False)
    app.key("Tab", "Tab")  # endpoint left empty: no province yet
    for text in (ADMIN, ADMIN, SECRET, SECRET):
        app.type(text, officer=False)
        app.key("Tab")
    app.shot("da-dien")
    app.key("Return")  # «Bắt đầu sử dụng»
    key_win = app.wait_window("^Khóa khôi phục", timeout=40)
    app.activate(key_win)
    app.shot("khoa-khoi-phuc")
    app.key("Tab", "space", "Tab", "Return")  # tick «Tôi đã in hoặc chép lại…», then «Tiếp tục»
    login = app.wait_window("^Đăng nhập")
    app.activate(login)
    app.type("admin", officer=False)
    app.key("Tab")
    app.type(ADMIN, officer=False)
    app.key("Return")
    main_window(app)
    app.settle()
    app.shot("cua-so-chinh")
    # What the form said reached the database, and the directory is encrypted from the start.
    settings = {r["key"]: r["value"] for r in app.query("SELECT key, value FROM settings")}
    assert settings["agency_code"] == '"H01.99.01"'
    assert "Thử Nghiệm" in settings["agency_name"] and settings["workstation_slot"] == "3"
    assert (app.data_dir / "keys.json").exists()
    wait_for("a login entry", lambda: _audit(app, "login") >= 1, 10)


def test_unlock_login_then_ctrl_l_and_unlock(launch: Callable[..., App]) -> None:
    """Issue #14 (critical): after Ctrl+L no typed character reached the lock screen's password."""
    app = launch()
    unlock_and_login(app)
    app.shot("da-dang-nhap")
    locked_before = _audit(app, "screen_locked")
    app.key("ctrl+l")
    lock = app.wait_window("^Máy đang khóa", timeout=10)
    wait_for("the lock recorded", lambda: _audit(app, "screen_locked") > locked_before, 10)
    app.activate(lock)  # what the officer's click on the lock screen does
    app.shot("man-hinh-khoa")
    app.type("sai-mat-khau", officer=False)
    app.key("Return")
    wait_for("a refused unlock recorded", lambda: _audit(app, "login_failed") >= 1, 15, 0.2, app._fail_shot)
    app.shot("sai-mat-khau")
    app.key("ctrl+a")
    app.type(PASSWORD, officer=False)
    app.key("Return")
    app.wait_no_window("^Máy đang khóa", timeout=15)
    wait_for("the unlock recorded", lambda: _audit(app, "screen_unlocked") >= 1, 10)
    app.activate(main_window(app))
    app.shot("da-mo-khoa")


def test_birth_registration_by_card_scan_then_a_refusal(launch: Callable[..., App]) -> None:
    """Keyboard only: a birth registration from a CCCD scan in ≤ 8 presses; then a refusal with its
    reason, which Enter alone must never turn into an acceptance."""
    app = launch()
    unlock_and_login(app)
    before = int(app.scalar("SELECT max(id) FROM dossiers"))
    app.presses = app.keystrokes = 0
    app.key("ctrl+n")                 # new dossier (from anywhere)
    app.type("khai sinh")             # search as you type
    app.key("Return")                 # top hit: Đăng ký khai sinh
    app.shot("chon-thu-tuc")
    app.scan(QR_AN)                   # the citizen's card under the handheld scanner
    app.shot("quet-cccd")
    app.key("Return")                 # applicant as read → checklist
    app.key("Return")                 # checklist as pre-marked → decision
    app.shot("quyet-dinh")
    app.key("Return")                 # on the focused «Tiếp nhận» button
    row = wait_for("the received dossier", lambda: app.query(
        "SELECT * FROM dossiers WHERE id > ? AND applicant_name = 'Nguyễn Văn An'", (before,)), 20, 0.2,
        app._fail_shot)[0]
    app.shot("giay-tiep-nhan")
    print(f"birth registration: {app.presses} presses ({app.keystrokes} physical keys incl. typing): {app.log}")
    assert app.presses <= 8, app.log
    assert row["status"] == 2 and row["procedure_code"] == "1.001193" and row["code"]
    # The card's data reached the dossier (sealed at rest: the ID number is not stored in clear).
    assert row["applicant_id_number"] != "001090012345"
    d = read_dossier(app.data_dir, row["id"])
    assert d["applicant_id_number"] == "001090012345" and "Đội Cấn" in str(d["applicant_address"])
    # The receipt (Mẫu 01) was written under documents/, and the dossier waits in the outbox.
    wait_for("the receipt file", lambda: list(app.data_dir.glob(f"documents/*/*/*{row['code']}*giay-tiep-nhan*.pdf")),
             10)
    assert app.scalar("SELECT count(*) FROM outbox WHERE dossier_id = ?", (row["id"],)) >= 1
    # «Xem» (two Shift+Tab back from «Hồ sơ mới»): the receipt, encrypted on disk, opens in the app.
    app.key("shift+Tab", "shift+Tab", "space")
    receipt = app.wait_window("^Xem giấy tờ — Giấy tiếp nhận hồ sơ", timeout=20)
    app.activate(receipt)
    wait_for("the receipt drawn", lambda: _page_drawn(app, "xem-giay-tiep-nhan"), 20, 0.5, app._fail_shot)
    app.key("Escape")
    app.wait_no_window("^Xem giấy tờ", timeout=10)

    # --- a refusal: F9 asks for the reason, Enter in it shows the confirmation, F9 again decides.
    app.key("ctrl+n")
    app.type("khai sinh")
    app.key("Return")
    app.scan(QR_BINH)
    app.key("Return", "Return")
    app.key("F9")
    app.type("Giấy chứng sinh bị tẩy xóa")
    app.key("Return")
    app.shot("xac-nhan-tu-choi")
    assert not app.query("SELECT 1 FROM dossiers WHERE id > ? AND applicant_name = 'Trần Thị Bình'", (before,)), \
        "Enter after the reason must not decide anything"
    app.key("F9")
    refused = wait_for("the refused dossier", lambda: app.query(
        "SELECT * FROM dossiers WHERE id > ? AND applicant_name = 'Trần Thị Bình'", (before,)), 20, 0.2,
        app._fail_shot)[0]
    app.shot("phieu-tu-choi")
    assert refused["status"] == 3
    detail = app.scalar("SELECT detail FROM dossier_events WHERE dossier_id = ? AND kind = 'refused'", (refused["id"],))
    assert "Giấy chứng sinh bị tẩy xóa" in detail


def test_open_a_saved_scan_from_the_dossier_list(launch: Callable[..., App]) -> None:
    """F3, find a dossier, Enter, Ctrl+O: the scan opens decrypted in the app's viewer."""
    app = launch()
    code = app.scalar("SELECT d.code FROM dossiers d JOIN files f ON f.dossier_id = d.id AND f.kind = 'scan' "
                      "ORDER BY d.id LIMIT 1")
    assert code, "the demo directory has scans"
    on_disk = app.scalar("SELECT path FROM files f JOIN dossiers d ON d.id = f.dossier_id WHERE d.code = ? "
                         "AND f.kind = 'scan' LIMIT 1", (code,))
    assert not (app.data_dir / on_disk).read_bytes().startswith(b"%PDF"), "scans are encrypted at rest"
    unlock_and_login(app)
    app.key("F3")
    app.key("ctrl+f")
    app.type(code)
    app.settle()        # the search answers off the UI thread: the officer sees the row, then presses Enter
    app.shot("tim-ho-so")
    app.key("Return")   # into the results
    app.key("Return")   # open the dossier
    detail = app.wait_window("^Chi tiết hồ sơ")
    app.activate(detail)
    app.shot("chi-tiet-ho-so")
    views = int(app.scalar("SELECT count(*) FROM audit_log WHERE action = 'view_citizen' AND object_type = 'file'"))
    app.key("ctrl+o")
    viewer = app.wait_window("^Xem bản số hóa", timeout=20)
    wait_for("the look at the scan recorded", lambda: int(app.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'view_citizen' AND object_type = 'file'")) > views, 10)
    app.activate(viewer)
    # The page and the signature check render off the UI thread: wait until both show.
    wait_for("a rendered page", lambda: _page_drawn(app), 20, 0.5, app._fail_shot)
    # The demo's scans are unsigned: the viewer says so in orange (#a60) once pyHanko has looked.
    wait_for("the signature status", lambda: _screen_has(app, ORANGE, "chu-ky-so"), 20, 0.5, app._fail_shot)
    # «Phóng to» with the mouse (bottom right of the viewer, left of «Vừa khung» and «Đóng»); the
    # page is drawn again larger, so the page area of the screen changes.
    before = app.frame()
    g = app.geometry(viewer)
    app.click(viewer, g["WIDTH"] - 296, g["HEIGHT"] - 23)
    wait_for("the page drawn larger", lambda: int(np.any(app.frame()[150:600, 400:1100] != before[150:600, 400:1100],
                                                         axis=2).sum()) > 5000, 15, 0.3, app._fail_shot)
    app.settle()
    app.shot("phong-to")
    app.key("Escape")
    app.wait_no_window("^Xem bản số hóa", timeout=10)
    app.key("Escape")
    app.wait_no_window("^Chi tiết hồ sơ", timeout=10)


def _nav_highlight(app: App, main: Window, row: int) -> bool:
    """Whether navigation row ``row`` (38 px each) is drawn in the selection blue (#308cc6)."""
    g = app.geometry(main)
    y, x = g["Y"] + 19 + 38 * row, g["X"] + 150
    return bool(np.abs(app.frame()[y, x].astype(int) - np.array((48, 140, 198))).max() <= 12)


def _screen_has(app: App, rgb: tuple[int, int, int], name: str) -> Path | None:
    """A screenshot with text drawn in ``rgb`` somewhere (at least a short word's worth of pixels)."""
    from PIL import Image

    path = app.shot(name)
    img = np.asarray(Image.open(path).convert("RGB")).astype(int)
    if int((np.abs(img - np.array(rgb)).max(axis=2) <= 20).sum()) >= 40:
        return path
    path.unlink()
    app.step -= 1
    return None


def _page_drawn(app: App, name: str = "xem-ban-so-hoa") -> Path | None:
    """A screenshot in which the viewer shows a page (a large light area inside its window)."""
    from PIL import Image

    path = app.shot(name)
    viewer = next(w for w in app.windows() if w.title.startswith(("Xem bản số hóa", "Xem giấy tờ")))
    g = app.geometry(viewer)
    img = Image.open(path).convert("L")
    # The page area: right of the thumbnails, below the heading. A rendered scan is mostly paper-white.
    box = np.asarray(img.crop((g["X"] + 200, g["Y"] + 120, g["X"] + g["WIDTH"] - 30, g["Y"] + g["HEIGHT"] - 80)))
    white = float((box > 225).mean()) if box.size else 0.0
    if white > 0.25:
        return path
    path.unlink()
    app.step -= 1
    return None


def test_sync_page_goes_offline_and_back(launch: Callable[..., App], demo_template: Path, tmp_path: Path) -> None:
    """The provincial simulator on loopback stops and starts again; the app follows within seconds."""
    from tests.e2e.conftest import closed_port, set_settings
    from tests.sync.conftest import SimulatorFactory

    port = closed_port()
    factory = SimulatorFactory(tmp_path / "sim")
    try:
        sim = factory.start("--port", str(port), "--no-progress")
        data = tmp_path / "data"
        shutil.copytree(demo_template, data)
        set_settings(data, provincial_endpoint=sim.url)
        app = launch(data_dir=data)
        unlock_and_login(app)
        main = main_window(app)
        app.click(main, 60, 19 + 38 * 3)  # «Đồng bộ (F5)»: the 4th 38-px row of the navigation, with the mouse
        unsynced = "SELECT count(*) FROM outbox WHERE state <> 'synced'"
        wait_for("everything sent", lambda: app.scalar(unsynced) == 0, 60, 0.5, app._fail_shot)
        wait_for("«Trực tuyến» in green", lambda: _status_bar_shows(app, GREEN, "truc-tuyen"), 15, 0.5, app._fail_shot)

        sim.stop()
        wait_for("offline recorded", lambda: app.scalar(
            "SELECT value FROM settings WHERE key = 'sync_last_error_kind'") == '"unreachable"', 20, 0.3,
            app._fail_shot)
        wait_for("«Ngoại tuyến» in grey", lambda: _status_bar_shows(app, GREY, "ngoai-tuyen"), 15, 0.5, app._fail_shot)
        # Work goes on offline: a new dossier waits in the queue.
        app.key("F2")
        before = int(app.scalar("SELECT max(id) FROM outbox"))
        app.key("ctrl+n")
        app.type("khai sinh")
        app.key("Return")
        app.scan(QR_AN)
        app.key("Return", "Return", "Return")
        wait_for("the new entry queued", lambda: int(app.scalar("SELECT max(id) FROM outbox")) > before, 20, 0.3,
                 app._fail_shot)
        app.key("F5")
        app.shot("ngoai-tuyen-co-ho-so-moi")

        factory.start("--port", str(port), "--no-progress", data_dir=sim.data_dir)
        wait_for("back online and everything sent", lambda: app.scalar(unsynced) == 0 and app.scalar(
            "SELECT value FROM settings WHERE key = 'sync_last_error_kind'") in (None, "null"), 30, 0.3,
            app._fail_shot)
        wait_for("«Trực tuyến» again", lambda: _status_bar_shows(app, GREEN, "tro-lai-truc-tuyen"), 15, 0.5,
                 app._fail_shot)
    finally:
        factory.close()


def _status_bar_shows(app: App, rgb: tuple[int, int, int], name: str) -> Path | None:
    """A screenshot whose status-bar sync label (bottom right of the main window) is drawn in ``rgb``."""
    from PIL import Image

    path = app.shot(name)
    img = Image.open(path).convert("RGB")
    # The window is maximised on a 1366×768 screen: its status bar is the screen's bottom edge.
    strip = np.asarray(img.crop((img.width // 2, img.height - 30, img.width, img.height))).astype(int)
    hits = int((np.abs(strip - np.array(rgb)).max(axis=2) <= 24).sum())
    if hits >= 40:
        return path
    path.unlink()
    app.step -= 1
    return None


def test_every_page_fits_a_1024x768_screen(launch: Callable[..., App]) -> None:
    """Issue #14: the window needed 1065 px and fields collapsed to "Q…", "Đăn…" at 1024×768."""
    from tests.e2e.xsession import Display

    small = Display(1024, 768).start()
    try:
        app = launch(on=small)
        unlock_and_login(app, "admin")
        main = main_window(app)
        for row, (key, name) in enumerate((("F2", "tiep-nhan"), ("F3", "ho-so"), ("F4", "so-hoa"),
                                           ("F5", "dong-bo"), ("F6", "giam-sat"), ("F7", "cai-dat"))):
            app.key(key)
            # The page is shown once its row in the navigation is highlighted (Giám sát is built on
            # its first opening, which takes a moment).
            wait_for(f"page {name}", lambda r=row: _nav_highlight(app, main, r), 20, 0.3, app._fail_shot)
            app.settle()
            app.shot(f"1024-{name}")
            g = app.geometry(main)
            # The whole window on the screen: not wider than it, nothing pushed past the right edge.
            assert g["X"] >= 0 and g["X"] + g["WIDTH"] <= 1024, (name, g)
            assert g["Y"] + g["HEIGHT"] <= 768, (name, g)
    finally:
        app.stop()
        small.stop()
