"""The console entry point and the demo-data generator, run for real on a temporary data directory."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from counter_app.cli import main
from counter_app.db import privacy
from counter_app.db.database import open_database
from counter_app.domain import codes
from counter_app.domain.citizen_id import validate_id_number
from counter_app.paths import ENV_VAR, resolve_data_dir

ROOT = Path(__file__).resolve().parents[1]


def test_data_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env"))
    assert resolve_data_dir().root == (tmp_path / "env").resolve()
    assert resolve_data_dir(tmp_path / "cli").root == (tmp_path / "cli").resolve()
    monkeypatch.delenv(ENV_VAR)
    assert "quay-mot-cua" in str(resolve_data_dir().root)


def test_demo_data_is_realistic(tmp_path: Path) -> None:
    assert main(["demo-data", "--dossiers", "600", "--data-dir", str(tmp_path)]) == 0
    cdb = open_database(tmp_path / "counter.sqlite3")
    assert cdb.scalar("SELECT count(*) FROM dossiers") == 600
    # demo-data encrypts by default; main() ran in this process, so its keys are open here.
    rows = privacy.open_rows(cdb, "dossiers", cdb.query(
        "SELECT uid, code, status, received_at, due_at, finished_at, applicant_id_number, channel FROM dossiers"))
    # Sealed to the column and to the dossier's uid (issue #15 item 5): opening needs the uid.
    assert all(r["a"].startswith("enc2:") for r in cdb.query("SELECT applicant_id_number AS a FROM dossiers"))
    codes_seen = [r["code"] for r in rows]
    assert len(set(codes_seen)) == 600
    for r in rows:
        codes.parse_code(r["code"])
        assert r["due_at"] >= r["received_at"]
        if r["status"] in (9, 10):
            assert r["finished_at"] and r["finished_at"] >= r["received_at"]
    statuses = Counter(r["status"] for r in rows)
    assert statuses[10] > 100 and statuses[4] > 10  # mostly returned, some still processing
    now = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    overdue = [r for r in rows if r["status"] in (2, 4, 5, 6) and r["due_at"] < now]
    assert overdue, "demo data should contain overdue dossiers"
    assert 0.05 < sum(r["channel"] == 2 for r in rows) / 600 < 0.3
    for r in rows[:100]:
        validate_id_number(r["applicant_id_number"])
    files = cdb.query("SELECT path, sha256 FROM files")
    assert files and all((tmp_path / f["path"]).exists() for f in files)
    # Trigger-kept counts agree with the table.
    assert dict(Counter(r["status"] for r in rows)) == {
        r["status"]: r["n"] for r in cdb.query("SELECT * FROM dossier_status_counts") if r["n"]}
    # A new reception today continues after the demo's sequence instead of colliding.
    from counter_app.db.dossiers import next_code

    today = datetime.now().date()
    used = {c for c in codes_seen if codes.parse_code(c)[1] == today and codes.parse_code(c)[2] < 1000}
    fresh = next_code(cdb, cdb.get_setting("agency_code"), today, 0)
    assert fresh not in used


def test_demo_data_is_reproducible(tmp_path: Path) -> None:
    for d in ("a", "b"):
        assert main(["demo-data", "--dossiers", "50", "--no-files", "--data-dir", str(tmp_path / d)]) == 0
    rows = [open_database(tmp_path / d / "counter.sqlite3").query(
        "SELECT applicant_name, procedure_code FROM dossiers ORDER BY id") for d in ("a", "b")]
    assert rows[0] == rows[1]


def test_init_import_check_info(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    d = str(tmp_path)
    assert main(["init", "--agency-code", "H15.50.05.13", "--agency-name", "UBND xã Thử", "--data-dir", d,
                 "--admin-password", "Hoa-sen-trong-dam-9"]) == 0
    # Administrative commands sign in (issue #15 item 8); automation passes the account this way.
    monkeypatch.setenv("COUNTER_APP_USER", "admin")
    monkeypatch.setenv("COUNTER_APP_PASSWORD", "Hoa-sen-trong-dam-9")
    assert main(["init", "--agency-code", "bad code!", "--agency-name", "x", "--data-dir", d]) == 2
    assert "Mã định danh" in capsys.readouterr().err
    cat = tmp_path / "cat.json"
    good = json.loads((ROOT / "resources" / "catalogue" / "procedures_xa.json").read_text(encoding="utf-8"))
    bad_proc = dict(good["procedures"][0], code="not-a-code", name="")
    good["procedures"] = [good["procedures"][0], bad_proc]
    cat.write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    assert main(["import-catalogue", str(cat), "--data-dir", d]) == 0
    assert "1 dòng lỗi" in capsys.readouterr().out
    assert main(["check", "--data-dir", d]) == 0
    assert main(["info", "--data-dir", d]) == 0
    assert str(tmp_path) in capsys.readouterr().out


def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    # `info` reads: on a folder without data it says so and creates nothing (issue #15 item 1).
    empty = tmp_path / "empty"
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "info", "--data-dir", str(empty)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "Không có dữ liệu" in out.stderr and not empty.exists()
    open_database(tmp_path / "counter.sqlite3").close()
    out = subprocess.run([sys.executable, str(ROOT / "main.py"), "info", "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "Hồ sơ: 0" in out.stdout


def test_demo_events_never_in_the_future(tmp_path: Path) -> None:
    assert main(["demo-data", "--dossiers", "300", "--no-files", "--data-dir", str(tmp_path)]) == 0
    cdb = open_database(tmp_path / "counter.sqlite3")
    now = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    assert cdb.scalar("SELECT count(*) FROM dossier_events WHERE at > ?", (now,)) == 0
    assert cdb.scalar("SELECT count(*) FROM dossiers WHERE received_at > ? OR finished_at > ?", (now, now)) == 0
    # Receptions happen in office hours (07:30–17:00).
    assert cdb.scalar("SELECT count(*) FROM dossiers WHERE time(received_at) < '07:30:00' "
                      "OR time(received_at) > '17:00:00'") == 0


def test_backup_restore_and_audit_verify_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNTER_APP_USER", "admin")  # the demo administrator (issue #15 item 8)
    monkeypatch.setenv("COUNTER_APP_PASSWORD", "demo")
    src = tmp_path / "src"
    assert main(["demo-data", "--dossiers", "120", "--no-files", "--data-dir", str(src)]) == 0
    assert main(["audit-verify", "--data-dir", str(src)]) == 0
    assert main(["backup", "--to", str(tmp_path / "usb"), "--data-dir", str(src)]) == 0
    backups = [p for p in (tmp_path / "usb").iterdir() if p.is_dir()]
    assert len(backups) == 1
    assert main(["restore", str(backups[0]), "--to", str(tmp_path / "restored")]) == 0
    restored = open_database(tmp_path / "restored" / "counter.sqlite3")
    original = open_database(src / "counter.sqlite3")
    q = "SELECT code, status, applicant_name FROM dossiers ORDER BY id"
    assert restored.query(q) == original.query(q) and len(restored.query(q)) == 120
