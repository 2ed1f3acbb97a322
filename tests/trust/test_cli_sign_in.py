"""Issue #15 item 8: administrative commands need an administrator's credentials, and are audited."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from counter_app.cli import main
from counter_app.db import audit, backup
from counter_app.db.database import CounterDB
from tests.trust.trust_helpers import make_data_dir, receive_one

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("COUNTER_APP_USER", raising=False)
    monkeypatch.delenv("COUNTER_APP_PASSWORD", raising=False)
    d, cdb = make_data_dir(tmp_path / "data")  # admin / "x"
    receive_one(cdb)
    cdb.conn.execute("INSERT INTO users(username, full_name, role, password_hash, created_at) "
                     "SELECT 'canbo1', 'Cán bộ Một', 'officer', password_hash, created_at FROM users WHERE id = 1")
    cdb.close()
    return d


def _catalogue(tmp_path: Path) -> str:
    cat = tmp_path / "cat.json"
    cat.write_text('{"procedures": []}', encoding="utf-8")
    return str(cat)


@pytest.mark.parametrize("command", ["backup", "import-catalogue", "encrypt", "restore"])
def test_without_credentials_nothing_runs(data, tmp_path: Path, command: str,  # type: ignore[no-untyped-def]
                                          capsys: pytest.CaptureFixture[str]) -> None:
    made = backup.create_backup(data, tmp_path / "usb0")
    argv = {"backup": ["backup", "--to", str(tmp_path / "usb")],
            "import-catalogue": ["import-catalogue", _catalogue(tmp_path)],
            "encrypt": ["encrypt"],
            "restore": ["restore", str(made.path), "--to", str(tmp_path / "new")]}[command]
    assert main([*argv, "--data-dir", str(data.root)]) == 2
    assert "COUNTER_APP_USER" in capsys.readouterr().err
    assert not (tmp_path / "usb").exists() and not (tmp_path / "new").exists()
    assert not (data.root / "keys.json").exists()


def test_officer_and_wrong_password_are_refused_and_audited(data, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    cat = _catalogue(tmp_path)
    monkeypatch.setenv("COUNTER_APP_USER", "canbo1")
    monkeypatch.setenv("COUNTER_APP_PASSWORD", "x")
    assert main(["import-catalogue", cat, "--data-dir", str(data.root)]) == 2
    assert "không có quyền" in capsys.readouterr().err
    monkeypatch.setenv("COUNTER_APP_USER", "admin")
    monkeypatch.setenv("COUNTER_APP_PASSWORD", "sai")
    assert main(["import-catalogue", cat, "--data-dir", str(data.root)]) == 2
    monkeypatch.setenv("COUNTER_APP_PASSWORD", "x")
    assert main(["import-catalogue", cat, "--data-dir", str(data.root)]) == 0
    cdb = CounterDB(data.database, read_only=True)
    try:
        actions = [(r["action"], r["username"], r["object_id"]) for r in reversed(audit.recent(cdb, limit=20))
                   if r["action"] in ("login", "login_failed", "cli_admin")]
    finally:
        cdb.close()
    assert actions == [("login", "canbo1", "2"), ("login_failed", "admin", "1"), ("login", "admin", "1"),
                       ("cli_admin", "admin", "import-catalogue")]


def test_backup_and_restore_with_credentials(data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COUNTER_APP_USER", "admin")
    monkeypatch.setenv("COUNTER_APP_PASSWORD", "x")
    assert main(["backup", "--to", str(tmp_path / "usb"), "--data-dir", str(data.root)]) == 0
    made = backup.list_backups(tmp_path / "usb")[0].path
    cdb = CounterDB(data.database, read_only=True)
    try:
        last = audit.recent(cdb, limit=1)[0]
    finally:
        cdb.close()
    assert (last["action"], last["username"]) == ("backup", "admin")
    assert main(["restore", str(made), "--to", str(tmp_path / "new"), "--data-dir", str(data.root)]) == 0
    assert (tmp_path / "new" / "counter.sqlite3").is_file()


def test_prompt_on_a_terminal_is_not_needed_for_automation(data, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # A real process without a terminal and without the variables: a clear message, exit 2, no traceback.
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "backup", "--to", str(tmp_path / "usb"),
                          "--data-dir", str(data.root)], capture_output=True, text=True, timeout=120, cwd=ROOT,
                         stdin=subprocess.DEVNULL,
                         env={k: v for k, v in os.environ.items() if not k.startswith("COUNTER_APP_")})
    assert out.returncode == 2 and "Traceback" not in out.stderr and "COUNTER_APP_PASSWORD" in out.stderr
