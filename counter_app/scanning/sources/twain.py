"""TWAIN scanners through a helper process speaking JSON lines (see :mod:`.twain_helper`).

**Status: the protocol client is tested on Linux against a fake driver process; TWAIN itself has
not run on Windows yet** (README, "What has run where").

Almost every document scanner ships a TWAIN driver, often 32-bit only, and Microsoft's in-box WIA
often loses the feeder and duplex. So, like NAPS2, the app never loads a TWAIN driver into its own
process: :class:`TwainHelper` starts ``twain_helper.py`` under a (usually 32-bit) Python given by
the admin (``COUNTER_APP_TWAIN_HELPER`` or the source option ``helper``), talks to it over
stdin/stdout, and receives each page as a complete file in a private temp folder. A hung or crashed
driver costs a helper process, not the counter app: every wait has a timeout, and the helper is
killed on cancel if it does not stop by itself.

Per-scanner profiles (:func:`profile_for` / :func:`remember_profile`) keep the officer's last dpi,
colour and paper source per device id in the settings table, for whichever source kind.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import imageio
from .base import (
    AcquiredPage,
    CancelToken,
    CoverOpenError,
    DeviceBusyError,
    DeviceIOError,
    DeviceNotFoundError,
    FeederEmptyError,
    PaperJamError,
    ScanError,
    ScanSettings,
    ScanTimeoutError,
    SourceCapabilities,
    SourceInfo,
    SourceUnavailableError,
    UnsupportedSettingError,
)

if TYPE_CHECKING:
    from counter_app.db.database import CounterDB

log = logging.getLogger(__name__)

__all__ = ["HELPER_ENV", "TwainHelper", "TwainSource", "discover", "helper_command", "profile_for",
           "remember_profile"]

HELPER_ENV = "COUNTER_APP_TWAIN_HELPER"  # e.g. "C:\\QuayMotCua\\twain32\\python.exe"
PROTOCOL = 1
REPLY_TIMEOUT_S = 20.0    # hello/list/caps: a driver that takes longer is hung
PAGE_TIMEOUT_S = 120.0    # one page (a slow feeder at 600 dpi colour takes ~20 s; margin for warm-up)
CANCEL_GRACE_S = 10.0     # after "cancel", how long the driver may take to eject the sheet

_ERRORS: dict[str, type[ScanError]] = {
    "not_found": DeviceNotFoundError,
    "busy": DeviceBusyError,
    "paper_jam": PaperJamError,
    "feeder_empty": FeederEmptyError,
    "cover_open": CoverOpenError,
    "unsupported": UnsupportedSettingError,
    "io": DeviceIOError,
    "protocol": DeviceIOError,
}


def helper_command(python: str | None = None) -> list[str] | None:
    """How to start the helper: ``<python> <path of twain_helper.py>``; None if no interpreter is set.

    In the bundle the helper script sits next to the app (``twain/twain_helper.py``) with its own
    32-bit Python; in development any Python runs it (``hello`` and the protocol work anywhere).
    """
    exe = python or os.environ.get(HELPER_ENV)
    if not exe and getattr(sys, "frozen", False):
        # The Windows bundle may carry a 32-bit embeddable Python with pytwain next to the app.
        bundled = Path(sys.executable).parent / "twain32" / "python.exe"
        exe = str(bundled) if bundled.exists() else None
    if not exe:
        return None
    return [exe, str(Path(__file__).with_name("twain_helper.py"))]


class TwainHelper:
    """One helper process; requests are answered in order (one scan at a time per helper)."""

    def __init__(self, command: Sequence[str], *, env: dict[str, str] | None = None) -> None:
        if not command:
            raise SourceUnavailableError(
                "Chưa cài thành phần quét TWAIN.",
                hint="Quản trị viên cài bộ quét TWAIN đi kèm phần mềm, hoặc chọn máy quét qua mạng/WIA.")
        try:
            self._proc = subprocess.Popen(
                list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, encoding="utf-8", bufsize=1, env=env,
                # No console window flashing up on Windows.
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
        except OSError as exc:
            raise SourceUnavailableError(
                "Không chạy được thành phần quét TWAIN.",
                hint="Cài lại phần mềm (bộ quét TWAIN 32-bit) hoặc chọn nguồn quét khác.",
                detail=str(exc)) from exc
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._next_id = 1
        self._lock = threading.Lock()
        threading.Thread(target=self._read_stdout, daemon=True, name="twain-helper-out").start()
        threading.Thread(target=self._read_stderr, daemon=True, name="twain-helper-err").start()

    # ------------------------------------------------------------------------------ plumbing
    def _read_stdout(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                self._lines.put(json.loads(line))
            except ValueError:
                log.warning("TWAIN helper wrote a non-JSON line: %r", line[:200])
        self._lines.put(None)  # the helper exited

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            log.info("twain helper: %s", line.rstrip())

    def send(self, op: str, **params: Any) -> int:
        """Write one request; returns its id."""
        with self._lock:
            req_id = self._next_id
            self._next_id += 1
        self._write({"id": req_id, "op": op, **params})
        return req_id

    def _write(self, obj: dict[str, Any]) -> None:
        try:
            assert self._proc.stdin is not None
            self._proc.stdin.write(json.dumps(obj, ensure_ascii=False) + "\n")
            self._proc.stdin.flush()
        except (OSError, ValueError) as exc:  # broken pipe: the helper died
            raise self._died() from exc

    def _died(self) -> DeviceIOError:
        code = self._proc.poll()
        return DeviceIOError("Thành phần quét TWAIN đã dừng đột ngột.",
                             hint="Tắt bật lại máy quét rồi quét lại; nếu lặp lại, cài lại trình điều khiển TWAIN "
                             "của hãng.", detail=f"helper exit code {code}")

    def next_message(self, req_id: int, timeout: float) -> dict[str, Any]:
        """The next reply or event of request ``req_id`` (others are stale and dropped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ScanTimeoutError(detail=f"TWAIN helper silent for {timeout:.0f} s")
            try:
                msg = self._lines.get(timeout=left)
            except queue.Empty:
                continue
            if msg is None:
                self._lines.put(None)  # keep the end marker for later calls
                raise self._died()
            if msg.get("id") == req_id:
                return msg
            log.debug("dropping stale TWAIN helper message %s", msg)

    def request(self, op: str, timeout: float = REPLY_TIMEOUT_S, **params: Any) -> dict[str, Any]:
        """Send ``op`` and wait for its one reply; an error reply raises the matching :class:`ScanError`."""
        req_id = self.send(op, **params)
        return result_of(self.next_message(req_id, timeout))

    def cancel(self) -> None:
        """Ask the running scan to stop after the current sheet (the helper reads it on its own thread)."""
        self._write({"id": 0, "op": "cancel"})

    def close(self, timeout: float = 3.0) -> None:
        """Ask the helper to quit; kill it if it does not (idempotent)."""
        if self._proc.poll() is None:
            try:
                self._write({"id": 0, "op": "quit"})
                self._proc.wait(timeout)
            except (ScanError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait(timeout)
        for stream in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def kill(self) -> None:
        """Stop a helper that ignores ``cancel`` (a hung driver)."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)

    @property
    def alive(self) -> bool:
        """True while the helper process runs."""
        return self._proc.poll() is None


def result_of(msg: dict[str, Any]) -> dict[str, Any]:
    """The ``result`` of a reply, or the :class:`ScanError` its ``error`` names."""
    if msg.get("ok"):
        return dict(msg.get("result") or {})
    err = msg.get("error") or {}
    cls = _ERRORS.get(str(err.get("code")), DeviceIOError)
    raise cls(detail=str(err.get("message") or err.get("code") or "TWAIN error"))


# ------------------------------------------------------------------------------------ source
class TwainSource:
    """A TWAIN scanner (``SourceInfo.address`` = the TWAIN product name) behind a helper process."""

    def __init__(self, name: str, command: Sequence[str] | None, *, label: str | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.name = label or name
        self.product = name
        self._command = list(command or [])
        self._env = env
        self._helper: TwainHelper | None = None
        self.page_timeout = PAGE_TIMEOUT_S
        self.cancel_grace = CANCEL_GRACE_S

    def _h(self) -> TwainHelper:
        if self._helper is None or not self._helper.alive:
            self._helper = TwainHelper(self._command, env=self._env)
            hello = self._helper.request("hello")
            if hello.get("protocol") != PROTOCOL:
                raise SourceUnavailableError("Thành phần quét TWAIN không đúng phiên bản.",
                                             hint="Cài lại phần mềm từ bộ cài chính thức.",
                                             detail=f"helper protocol {hello.get('protocol')}")
        return self._helper

    def describe(self) -> str:
        """Product name and how it is reached."""
        return f"{self.name} (TWAIN)"

    def capabilities(self) -> SourceCapabilities:
        """Feeder/duplex/dpi as the driver reports them."""
        caps = self._h().request("caps", source=self.product)
        inputs = [s for s, on in (("flatbed", caps.get("flatbed", True)), ("adf", caps.get("feeder")),
                                  ("adf_duplex", caps.get("duplex") and caps.get("feeder"))) if on]
        return SourceCapabilities(input_sources=tuple(inputs) or ("flatbed",),
                                  color_modes=tuple(caps.get("colors") or ("color", "gray")),
                                  dpis=tuple(int(d) for d in caps.get("dpis") or ()) or (150, 200, 300, 600))

    def pages(self, settings: ScanSettings, cancel: CancelToken) -> Iterator[AcquiredPage]:
        """Yield each page as the helper reports it; cancel asks the driver to stop, then kills it."""
        helper = self._h()
        outdir = Path(tempfile.mkdtemp(prefix="twain-"))
        feeder = settings.source in ("adf", "adf_duplex")
        req_id = helper.send("scan", source=self.product, dpi=settings.dpi, color=settings.color_mode,
                             feeder=feeder, duplex=settings.source == "adf_duplex",
                             max_pages=settings.max_pages or 0, outdir=str(outdir))
        index = 0
        cancel_sent_at: float | None = None
        deadline = time.monotonic() + self.page_timeout
        finished = False
        try:
            while True:
                if cancel.cancelled and cancel_sent_at is None:
                    helper.cancel()
                    cancel_sent_at = time.monotonic()
                    deadline = cancel_sent_at + self.cancel_grace
                try:
                    msg = helper.next_message(req_id, 0.2)  # short polls: a cancel is noticed at once
                except ScanTimeoutError:
                    if time.monotonic() < deadline:
                        continue
                    helper.kill()  # a hung driver (or one ignoring cancel): end it, keep the pages so far
                    finished = True
                    if cancel_sent_at is not None:
                        return
                    raise ScanTimeoutError(detail=f"no TWAIN page for {self.page_timeout:.0f} s") from None
                deadline = time.monotonic() + (self.page_timeout if cancel_sent_at is None else self.cancel_grace)
                if msg.get("event") == "page":
                    path = Path(str(msg["path"]))
                    if path.parent.resolve() != outdir.resolve():  # the helper writes only where told
                        raise DeviceIOError(detail=f"page outside the scan folder: {path}")
                    frame = imageio.decode_single(path, name=f"trang {index + 1}")
                    path.unlink(missing_ok=True)
                    yield AcquiredPage(image=frame.image, dpi=int(msg.get("dpi") or settings.dpi), index=index,
                                       source=f"twain:{self.product}", meta={"driver": "twain"})
                    index += 1
                    continue
                finished = True
                try:
                    result_of(msg)
                except FeederEmptyError:
                    if index == 0:
                        raise
                return  # "ok": the batch is over
        finally:
            if not finished:  # the caller stopped reading (or an error) mid-batch: the driver must stop too
                helper.kill()
            shutil.rmtree(outdir, ignore_errors=True)

    def close(self) -> None:
        """Stop the helper process (idempotent)."""
        if self._helper is not None:
            self._helper.close()
            self._helper = None


def discover(command: Sequence[str] | None) -> list[SourceInfo]:
    """TWAIN sources the helper lists (empty without a helper or off Windows)."""
    if not command:
        return []
    helper = TwainHelper(command)
    try:
        helper.request("hello")
        sources = helper.request("list").get("sources", [])
    except ScanError as exc:
        log.info("TWAIN discovery: %s", exc)
        return []
    finally:
        helper.close()
    return [SourceInfo(kind="twain", address=str(s["name"]), label=str(s["name"]),
                       options={"helper": list(command)}) for s in sources]


# ------------------------------------------------------------------------- per-scanner profile
PROFILES_KEY = "scan_profiles"


def profile_for(cdb: CounterDB, source_id: str) -> ScanSettings | None:
    """The settings last used with this scanner (``SourceInfo.id``), or None."""
    raw = (cdb.get_setting(PROFILES_KEY) or {}).get(source_id)
    if not raw:
        return None
    try:
        return ScanSettings(dpi=int(raw["dpi"]), color_mode=raw["color_mode"], source=raw["source"])
    except (KeyError, TypeError, ValueError, ScanError):
        return None  # a profile from an older version or a changed device: fall back to defaults


def remember_profile(cdb: CounterDB, source_id: str, settings: ScanSettings) -> None:
    """Store dpi, colour and paper source for this scanner (one settings row for all scanners)."""
    with cdb.write():
        profiles = dict(cdb.get_setting(PROFILES_KEY) or {})
        profiles[source_id] = {"dpi": settings.dpi, "color_mode": settings.color_mode, "source": settings.source}
        cdb.set_setting(PROFILES_KEY, profiles)
