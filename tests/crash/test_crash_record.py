"""A crash always leaves a record (issue #12): a real app child is crashed natively and restarted."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from counter_app.crashlog import CrashRecorder, previous_crash

CHILD = Path(__file__).with_name("app_child.py")


def _run_child(data: Path, fault: str, *extra: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, str(CHILD), str(data), fault, *extra], capture_output=True,
                          text=True, timeout=timeout, env=env)


@pytest.mark.parametrize(("fault", "expect"), [
    ("segv", "Fatal Python error: Segmentation fault"),
    ("fatal", "Fatal Python error: "),
])
def test_native_crash_leaves_a_record_and_the_next_start_says_so(tmp_path: Path, fault: str, expect: str) -> None:
    data = tmp_path / "data"
    crashed = _run_child(data, fault)
    assert crashed.returncode != 0, crashed.stdout + crashed.stderr
    record = (data / "logs" / "crash.log").read_text(encoding="utf-8", errors="replace")
    assert expect in record
    if fault == "fatal":
        assert "injected by the crash-record test" in record  # the fd-2 path, which faulthandler skips
    assert 'File "' in record  # a Python stack, not only a headline
    assert (data / "logs" / "running.json").exists()  # the session never ended cleanly
    # Nothing the officer cannot see went to the console either: it is all in the file.
    assert expect not in crashed.stderr

    notice = previous_crash(data / "logs")
    assert notice is not None and notice.recorded
    assert str(data / "logs" / "crash.log") in notice.message()
    assert notice.message().startswith("Lần trước Quầy Một Cửa đã đóng bất thường")

    restarted = _run_child(data, "none", "--quit-after-shown")
    assert restarted.returncode == 0, restarted.stderr
    log = (data / "logs" / "counter-app.log").read_text(encoding="utf-8")
    assert "previous session ended unexpectedly (crash log has a record)" in log
    assert not (data / "logs" / "running.json").exists()  # that start ended cleanly
    assert previous_crash(data / "logs") is None


def test_a_clean_start_prints_nothing_and_leaves_no_marker(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run = _run_child(data, "none", "--quit-after-shown")
    assert run.returncode == 0
    assert run.stderr == ""
    assert previous_crash(data / "logs") is None
    assert (data / "logs" / "crash.log").stat().st_size == 0


def test_a_marker_without_a_crash_log_entry_is_a_power_cut(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    rec = CrashRecorder(logs)
    rec.start(redirect_stderr=False)
    rec.close()  # as if the power went: the marker stays, nothing was written
    notice = previous_crash(logs)
    assert notice is not None and not notice.recorded
    assert "mất điện" in notice.message()


def test_uncaught_exception_in_a_thread_is_logged_with_its_traceback(tmp_path: Path,
                                                                      caplog: pytest.LogCaptureFixture) -> None:
    import threading

    rec = CrashRecorder(tmp_path / "logs")
    saved = threading.excepthook, sys.unraisablehook
    try:
        rec.start(redirect_stderr=False)

        def boom() -> None:
            raise RuntimeError("worker failed on purpose")

        with caplog.at_level(logging.CRITICAL, logger="counter_app.crash"):
            t = threading.Thread(target=boom, name="scan-worker")
            t.start()
            t.join()
        hit = [r for r in caplog.records if "scan-worker" in r.getMessage()]
        assert hit and hit[0].exc_info is not None and hit[0].exc_info[0] is RuntimeError
    finally:
        rec.finish()
        threading.excepthook, sys.unraisablehook = saved


def test_qt_messages_reach_the_app_log(qapp: object, caplog: pytest.LogCaptureFixture) -> None:
    from PySide6.QtCore import qInstallMessageHandler, qWarning

    from counter_app.ui.qt_messages import install_qt_message_handler

    previous = qInstallMessageHandler(None)
    try:
        install_qt_message_handler()
        with caplog.at_level(logging.WARNING, logger="qt"):
            qWarning("a Qt warning for the log")
        assert any(r.name == "qt" and "a Qt warning for the log" in r.getMessage() for r in caplog.records)
    finally:
        qInstallMessageHandler(previous)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="zombies and /proc are Linux's")
def test_a_killed_session_is_reported_even_while_its_process_is_a_zombie(tmp_path: Path) -> None:
    """SIGKILL leaves a zombie until the parent reaps it; that must not read as "still running"."""
    import json
    import signal
    import time

    logs = tmp_path / "logs"
    logs.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)  # counter-app stand-in"])
    try:
        (logs / "running.json").write_text(json.dumps({"pid": child.pid, "crash_log_size": 0}))
        # Popen returns once exec has begun; the new command line shows in /proc a moment later (on a
        # loaded machine, late enough to read as someone else's process).
        cmdline = Path(f"/proc/{child.pid}/cmdline")
        for _ in range(200):
            if b"counter" in cmdline.read_bytes():
                break
            time.sleep(0.05)
        assert previous_crash(logs) is None  # alive (a second window, say): not a crash
        child.send_signal(signal.SIGKILL)
        stat = Path(f"/proc/{child.pid}/stat")
        for _ in range(100):  # until the kernel marks it a zombie (we have not reaped it)
            if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
            time.sleep(0.05)
        assert stat.exists()  # still in the process table
        assert previous_crash(logs) is not None  # not yet reaped, but dead
    finally:
        child.kill()
        child.wait()


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM is POSIX's")
def test_sigterm_closes_cleanly_and_is_not_reported_as_a_crash(tmp_path: Path) -> None:
    import signal
    import time

    data = tmp_path / "data"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, str(CHILD), str(data), "none"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        marker = data / "logs" / "running.json"
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.1)
        assert marker.exists(), "the app never started"
        time.sleep(1.0)  # let the window and the first-run dialog come up: terminate a running app
        child.send_signal(signal.SIGTERM)
        code = child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert code == 0
    assert not marker.exists()
    assert previous_crash(data / "logs") is None
    log = (data / "logs" / "counter-app.log").read_text(encoding="utf-8")
    assert "stopped by signal 15" in log
