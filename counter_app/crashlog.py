"""A crash always leaves a record, and the next start says so.

Three kinds of death, three ways to catch them:

- a **native crash** (segfault, abort in Qt): ``faulthandler`` writes every thread's Python stack to
  ``logs/crash.log``, a file kept open for the life of the process;
- a **fatal Python error** raised from C (``Fatal Python error: none_dealloc`` — what PySide6 6.12.0
  did to our tables): CPython writes it to file descriptor 2 and *switches faulthandler off* before
  aborting, so the crash log would stay empty. The GUI therefore points fd 2 at ``crash.log`` too;
  a GUI started from a shortcut has no console to lose, and the app's own messages go to the app log;
- an **unhandled Python exception** on any thread: logged with its traceback (``sys.excepthook``,
  ``threading.excepthook``, ``sys.unraisablehook``).

A marker file (``logs/running.json``) is written at start and removed at a clean exit; finding it at
the next start, with its process gone, means the last session ended unexpectedly (crash, kill,
power cut). Qt-free: the Qt message handler is installed by the UI (``ui/qt_messages``).
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import logging
import os
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

log = logging.getLogger("counter_app.crash")

MARKER = "running.json"
CRASH_LOG = "crash.log"


@dataclass(frozen=True)
class PreviousCrash:
    """What the last session left behind when it did not close normally."""

    started: datetime | None
    crash_log: Path
    recorded: bool  # the crash log grew during that session (a stack or error text is there)

    def message(self) -> str:
        """One Vietnamese sentence for the officer: what happened and where the record is."""
        when = f" (phiên bắt đầu lúc {self.started:%H:%M %d/%m/%Y})" if self.started else ""
        where = (f"bản ghi lỗi ở {self.crash_log}" if self.recorded
                 else "không có bản ghi lỗi (có thể do mất điện hoặc tắt máy đột ngột), "
                      f"nhật ký ở {self.crash_log.parent}")
        what = "tệp này" if self.recorded else "thư mục này"
        return (f"Lần trước Quầy Một Cửa đã đóng bất thường{when}; {where} — "
                f"nếu lỗi lặp lại, hãy gửi {what} cho bộ phận kỹ thuật.")


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    proc = Path(f"/proc/{pid}")
    if proc.is_dir():  # Linux: a killed process can linger as a zombie, and a pid can be reused
        try:
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (proc / "cmdline").read_bytes()
        except (OSError, IndexError):
            return False
        return state not in ("Z", "X") and b"counter" in cmdline
    try:
        os.kill(pid, 0)  # signal 0: existence check only (POSIX)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def previous_crash(logs: Path) -> PreviousCrash | None:
    """The last session's unexpected end, if the marker says so; ``None`` after a clean exit.

    A marker whose process is still alive belongs to a second window running now, not a crash.
    """
    marker = logs / MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        info = {}
    pid = int(info.get("pid", 0) or 0)
    if pid and pid != os.getpid() and _pid_alive(pid):
        return None
    started = None
    if info.get("started"):
        try:
            started = datetime.fromisoformat(info["started"])
        except ValueError:
            started = None
    crash_log = logs / CRASH_LOG
    try:
        size_now = crash_log.stat().st_size
    except OSError:
        size_now = 0
    recorded = size_now > int(info.get("crash_log_size", 0) or 0)
    return PreviousCrash(started, crash_log, recorded)


class CrashRecorder:
    """Owns ``crash.log`` and the session marker for one GUI process."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.crash_path = logs / CRASH_LOG
        self.marker = logs / MARKER
        self._file: IO[bytes] | None = None
        self._saved_stderr_fd: int | None = None
        self.previous: PreviousCrash | None = None

    def start(self, *, redirect_stderr: bool = True) -> PreviousCrash | None:
        """Open the crash log, arm the hooks, write the marker; return the last session's crash if any."""
        self.logs.mkdir(parents=True, exist_ok=True)
        self.previous = previous_crash(self.logs)
        # Unbuffered binary append: what a dying process wrote is on disk, not in a Python buffer.
        self._file = open(self.crash_path, "ab", buffering=0)  # noqa: SIM115 - lives for the process
        faulthandler.enable(self._file, all_threads=True)
        if redirect_stderr:
            self._redirect_stderr()
        self._install_hooks()
        size = self.crash_path.stat().st_size
        tmp = self.marker.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": os.getpid(), "started": datetime.now().isoformat(timespec="seconds"),
                                   "crash_log_size": size}), encoding="utf-8")
        os.replace(tmp, self.marker)
        if self.previous is not None:
            log.warning("previous session ended unexpectedly (crash log %s)",
                        "has a record" if self.previous.recorded else "is empty")
        return self.previous

    def _redirect_stderr(self) -> None:
        assert self._file is not None
        with contextlib.suppress(AttributeError, OSError, ValueError):
            sys.stderr.flush()
        try:
            self._saved_stderr_fd = os.dup(2)
        except OSError:  # pythonw on Windows: there was no fd 2 at all
            self._saved_stderr_fd = None
        os.dup2(self._file.fileno(), 2)
        # Python-level writes (warnings, a last-ditch print) land in the same file, line by line.
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", buffering=1, closefd=False)  # noqa: SIM115

    def _install_hooks(self) -> None:
        def thread_hook(args: threading.ExceptHookArgs) -> None:
            if args.exc_type is SystemExit:
                return
            name = args.thread.name if args.thread is not None else "?"
            log.critical("uncaught exception in thread %s", name,
                         exc_info=(args.exc_type, args.exc_value, args.exc_traceback))  # type: ignore[arg-type]

        def unraisable_hook(u: Any) -> None:
            log.error("unraisable exception: %s (%r)", u.err_msg or "", u.object,
                      exc_info=(u.exc_type, u.exc_value, u.exc_traceback))

        threading.excepthook = thread_hook
        sys.unraisablehook = unraisable_hook

    def finish(self) -> None:
        """A clean exit: remove the marker, disarm faulthandler, give fd 2 back."""
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()
        self.close()

    def close(self) -> None:
        """Release the crash log (also before the data directory is moved aside)."""
        if self._file is None:
            return
        faulthandler.disable()
        if self._saved_stderr_fd is not None:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.flush()
            os.dup2(self._saved_stderr_fd, 2)
            os.close(self._saved_stderr_fd)
            self._saved_stderr_fd = None
            sys.stderr = sys.__stderr__
        self._file.close()
        self._file = None

    def reopen(self) -> None:
        """Arm again after :meth:`close` (the data directory was swapped for a restored one)."""
        self.logs.mkdir(parents=True, exist_ok=True)
        self._file = open(self.crash_path, "ab", buffering=0)  # noqa: SIM115 - lives for the process
        faulthandler.enable(self._file, all_threads=True)
        self._redirect_stderr()

