"""Fixtures of the end-to-end suite: one X display per module, a demo data directory built once,
a fresh copy of it and a real app process per test."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.xsession import OUT, App, Display, Window, missing_tools, wait_for

DEMO_DOSSIERS = 12
PASSPHRASE = "demo"  # the demo directory's data passphrase (counter-app demo-data)
PASSWORD = "demo"    # every demo account's password


def pytest_configure(config: pytest.Config) -> None:
    """The ``e2e`` marker (``-m "not e2e"`` leaves the X suite out of a quick local run)."""
    config.addinivalue_line("markers", "e2e: end-to-end test under a real X server")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the whole suite, saying why, where the X programs are missing."""
    missing = missing_tools()
    if not missing:
        return
    skip = pytest.mark.skip(reason=f"end-to-end suite needs {', '.join(missing)} (see .ci/apt-packages.txt)")
    for item in items:
        if "tests/e2e/" in item.nodeid:
            item.add_marker(skip)


def closed_port() -> int:
    """A loopback port nothing listens on (the app's sync then sees a province that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def set_settings(root: Path, **values: str) -> None:
    """Write settings into an encrypted demo directory the way the app would (keys opened)."""
    from counter_app import vault
    from counter_app.db.database import CounterDB

    vault.open_with_passphrase(root, PASSPHRASE)
    cdb = CounterDB(root / "counter.sqlite3")
    try:
        with cdb.write():
            for k, v in values.items():
                cdb.set_setting(k, v)
    finally:
        cdb.close()
        vault.lock(root)


def read_dossier(root: Path, dossier_id: int) -> dict[str, object]:
    """A dossier as the app shows it (personal fields decrypted with the demo passphrase)."""
    from counter_app import vault
    from counter_app.db import dossiers as repo
    from counter_app.db.database import CounterDB

    vault.open_with_passphrase(root, PASSPHRASE)
    cdb = CounterDB(root / "counter.sqlite3")
    try:
        return repo.dossier_detail(cdb, dossier_id)
    finally:
        cdb.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``counter-app demo-data --dossiers 12`` once per session (encrypted, passphrase «demo»)."""
    if missing_tools():
        pytest.skip("X programs missing")
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("e2e-demo") / "data"
    subprocess.run([sys.executable, "-m", "counter_app.cli", "--data-dir", str(root), "demo-data", "--dossiers",
                    str(DEMO_DOSSIERS), "--seed", "14"], check=True, capture_output=True, timeout=180)
    # The demo points at 127.0.0.1:8765, where another simulator may run on a shared machine.
    set_settings(root, provincial_endpoint=f"http://127.0.0.1:{closed_port()}")
    return root


@pytest.fixture(scope="module")
def display() -> Iterator[Display]:
    """A 1366×768 X screen (the commonest ward PC) with openbox."""
    if missing_tools():
        pytest.skip("X programs missing")
    d = Display(1366, 768).start()
    yield d
    d.stop()


@pytest.fixture
def launch(request: pytest.FixtureRequest, tmp_path: Path, display: Display,
           demo_template: Path) -> Iterator[Callable[..., App]]:
    """``launch(data_dir=None, display=None)``: the real app on a copy of the demo directory (or on
    ``data_dir``), screenshots in ``out/e2e/<test name>/``; stopped after the test."""
    started: list[App] = []
    shots = OUT / request.node.name
    shutil.rmtree(shots, ignore_errors=True)

    def start(data_dir: Path | None = None, on: Display | None = None) -> App:
        if data_dir is None:
            data_dir = tmp_path / "data"
            shutil.copytree(demo_template, data_dir)
        app = App(on or display, data_dir, shots).launch()
        started.append(app)
        return app

    yield start
    for app in started:
        app.stop()
    # Tests fail on unexpected Qt warnings (issue #17), here for the real app under X: the app sends
    # Qt's messages to its log (ui/qt_messages.py), where a warning fails the test that caused it.
    logged = [line for app in started for log in sorted((app.data_dir / "logs").glob("counter-app.log*"))
              for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
              if any(f" {level} qt: " in line for level in ("WARNING", "ERROR", "CRITICAL"))]
    assert logged == [], "Qt warnings in the app log:\n" + "\n".join(logged[:20])


def unlock_and_login(app: App, username: str = "canbo1", password: str = PASSWORD) -> None:
    """The two start-up prompts of an encrypted directory, by keyboard, each in its own real window."""
    win = app.wait_window("^Mở khóa dữ liệu")
    app.activate(win)
    app.shot("mo-khoa-du-lieu")
    app.type(PASSPHRASE, officer=False)
    app.key("Return")
    win = app.wait_window("^Đăng nhập")
    app.activate(win)
    app.shot("dang-nhap")
    app.type(username, officer=False)
    app.key("Tab")
    app.type(password, officer=False)
    app.key("Return")
    app.wait_no_window("^Đăng nhập")
    app.activate(main_window(app))


def main_window(app: App, timeout: float = 30.0) -> Window:
    """The main window (the start-up screen has the same title but is small)."""
    return wait_for("the main window", lambda: next(
        (w for w in app.windows() if w.title == "Quầy Một Cửa" and app.geometry(w)["WIDTH"] >= 900), None),
        timeout, 0.2)
