"""SANE scanners (Linux, also macOS with sane-backends) through the ``scanimage`` program.

Why a subprocess and not a binding (python-sane): ``scanimage`` ships with every SANE install
(Debian: ``sane-utils``), a crashing driver cannot take the app down with it, and killing the
process is a reliable cancel. The cost is parsing its text output, kept in this one module
(one adapter per external tool, as OCRmyPDF's ``_exec/`` does).

Streaming: ``scanimage --batch=DIR/p%04d.pnm --batch-print`` writes each page to
``p0001.pnm.part``, renames it when complete and then prints the final name on stdout. We read
stdout line by line and yield each page as soon as its name appears, while the feeder is still
pulling the next sheet.

``scanimage`` exits with the SANE status code of the failure (sane/sane.h ``SANE_Status``);
its stderr carries the same as text (``scanimage: sane_read: Document feeder jammed``). We map
both to :class:`ScanError` subclasses. "Document feeder out of documents" after at least one
page is the normal end of an ADF batch (exit code 0).

Some backends hang in ``sane_close``/``sane_exit`` after the batch (SANE's own ``test``
backend does so about one run in ten after an error status). scanimage's last line,
``Batch terminated, N pages scanned``, tells us the batch is over; if the process is still
alive ``exit_grace`` seconds later (default 10 s: a real scanner may still be parking its head
or ejecting the last sheet) we kill it and read the outcome from its log
(:func:`_status_from_stderr`) — the pages are complete files by then, so nothing is lost.
"""

from __future__ import annotations

import collections
import logging
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

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
    page_area_mm,
)

log = logging.getLogger(__name__)

SCANIMAGE = "scanimage"

# SANE_Status values (sane/sane.h); scanimage uses them as its exit code.
_STATUS_UNSUPPORTED = 1
_STATUS_CANCELLED = 2
_STATUS_DEVICE_BUSY = 3
_STATUS_INVAL = 4
_STATUS_EOF = 5
_STATUS_JAMMED = 6
_STATUS_NO_DOCS = 7
_STATUS_COVER_OPEN = 8
_STATUS_IO_ERROR = 9
_STATUS_NO_MEM = 10
_STATUS_ACCESS_DENIED = 11

# stderr texts (sane_strstatus) -> error class; checked when the exit code is ambiguous.
_STDERR_PATTERNS: tuple[tuple[str, type[ScanError]], ...] = (
    ("document feeder jammed", PaperJamError),
    ("scanner cover is open", CoverOpenError),
    ("device busy", DeviceBusyError),
    ("document feeder out of documents", FeederEmptyError),
    ("error during device i/o", DeviceIOError),
    ("access to resource has been denied", DeviceNotFoundError),
)

# A 600 dpi colour flatbed scan on a USB 2 scanner takes about a minute; nothing real is slower.
DEFAULT_PAGE_TIMEOUT = 180.0
_TERMINATE_GRACE = 5.0


def scanimage_path(program: str = SCANIMAGE) -> str | None:
    """Full path of ``scanimage`` if it is installed."""
    return shutil.which(program)


# ------------------------------------------------------------------------- option parsing
@dataclass(frozen=True)
class SaneOption:
    """One option line of ``scanimage -A``: name, allowed values or range, current value."""

    name: str
    values: tuple[str, ...] = ()
    range: tuple[float, float] | None = None
    unit: str = ""
    current: str = ""
    inactive: bool = False


_OPTION_LINE = re.compile(r"^\s+(?P<name>-[-\w]+)\s+(?P<spec>.*?)\s*\[(?P<current>[^\]]*)\](?P<rest>.*)$")
_RANGE = re.compile(r"^(?P<lo>-?[\d.]+)\.\.(?P<hi>-?[\d.]+)(?P<unit>[a-z%]*)")


def parse_options(text: str) -> dict[str, SaneOption]:
    """Parse the device-specific part of ``scanimage -d DEV -A`` output.

    Lines look like ``--source Flatbed|Automatic Document Feeder [Flatbed]`` or
    ``--resolution 1..1200dpi (in steps of 1) [300]`` or ``-x 0..215.9mm [215.9]``.
    """
    options: dict[str, SaneOption] = {}
    for line in text.splitlines():
        match = _OPTION_LINE.match(line)
        if not match:
            continue
        name = match["name"].lstrip("-")
        spec = match["spec"]
        current = match["current"]
        inactive = current == "inactive" or "[inactive]" in match["rest"]
        spec = re.sub(r"\s*\(in steps of [^)]*\)", "", spec).strip()
        range_match = _RANGE.match(spec)
        if range_match:
            options[name] = SaneOption(
                name,
                range=(float(range_match["lo"]), float(range_match["hi"])),
                unit=range_match["unit"],
                current=current,
                inactive=inactive,
            )
            continue
        unit_match = re.search(r"(dpi|mm|bit|pel|%|us)$", spec)
        unit = unit_match.group(1) if unit_match else ""
        if unit:
            spec = spec[: -len(unit)]
        values = tuple(v.strip() for v in spec.split("|") if v.strip())
        options[name] = SaneOption(name, values=values, unit=unit, current=current, inactive=inactive)
    return options


def _pick(values: Sequence[str], wanted: str) -> str | None:
    """The device's name for a source or colour mode (every backend spells them differently)."""
    lowered = [(v, v.lower()) for v in values]
    if wanted == "flatbed":
        hits = [v for v, low in lowered if any(k in low for k in ("flatbed", "platen", "document table"))]
    elif wanted == "adf":
        hits = [
            v for v, low in lowered if ("adf" in low or "feeder" in low) and "duplex" not in low and "back" not in low
        ]
        hits.sort(key=lambda v: ("front" in v.lower(), len(v)))  # "ADF" before "ADF Front"
    elif wanted == "adf_duplex":
        hits = [v for v, low in lowered if "duplex" in low]
    elif wanted == "color":
        hits = [v for v, low in lowered if "colo" in low and "lineart" not in low]
    elif wanted == "gray":
        hits = [v for v, low in lowered if "gray" in low or "grey" in low]
    else:
        hits = []
    return hits[0] if hits else None


# ------------------------------------------------------------------------------ discovery
def list_devices(
    *, program: str = SCANIMAGE, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> list[SourceInfo]:
    """SANE devices from ``scanimage -f``; empty list if scanimage is missing or finds nothing.

    Network backends (airscan, escl) probe the LAN, so this can take seconds: call it from a
    worker thread.
    """
    exe = scanimage_path(program)
    if exe is None:
        return []
    sep = "\x1f"  # unit separator: cannot occur in device names or vendor strings
    fmt = f"%d{sep}%v{sep}%m{sep}%t%n"
    try:
        done = subprocess.run(
            [exe, "-f", fmt],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=_merged_env(env),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("scanimage -f failed: %s", exc)
        return []
    found: list[SourceInfo] = []
    for line in done.stdout.splitlines():
        parts = line.split(sep)
        if len(parts) != 4:
            continue
        device, vendor, model, kind = (p.strip() for p in parts)
        found.append(SourceInfo(kind="sane", address=device, label=f"{vendor} {model} ({kind}) — SANE"))
    return found


def _merged_env(env: Mapping[str, str] | None) -> dict[str, str] | None:
    if not env:
        return None
    merged = dict(os.environ)
    merged.update(env)
    return merged


# --------------------------------------------------------------------------------- source
class SaneSource:
    """A SANE device driven by ``scanimage``.

    ``extra_args`` are passed through to scanimage (device-specific options, e.g. the test
    backend's ``--test-picture``). ``env`` is merged into the environment (e.g.
    ``SANE_CONFIG_DIR`` to use a private ``dll.conf``).
    """

    kind = "sane"

    def __init__(
        self,
        device: str,
        *,
        program: str = SCANIMAGE,
        extra_args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        page_timeout: float = DEFAULT_PAGE_TIMEOUT,
        exit_grace: float = 10.0,
        label: str | None = None,
    ) -> None:
        self.device = device
        self.exit_grace = exit_grace
        self.program = program
        self.extra_args = tuple(extra_args)
        self.env = dict(env) if env else None
        self.page_timeout = page_timeout
        self.name = label or f"SANE {device}"
        self._options: dict[str, SaneOption] | None = None
        self._process: subprocess.Popen[str] | None = None
        self._pumps: list[threading.Thread] = []

    def describe(self) -> str:
        """E.g. "SANE test:0 (scanimage)"."""
        return f"{self.name} (scanimage)"

    def _exe(self) -> str:
        exe = scanimage_path(self.program)
        if exe is None:
            raise SourceUnavailableError(
                "Chưa cài chương trình quét SANE (scanimage).",
                hint="Quản trị máy cần cài gói «sane-utils» rồi khởi động lại ứng dụng.",
            )
        return exe

    def options(self) -> dict[str, SaneOption]:
        """The device's options (``scanimage -A``), cached after the first call."""
        if self._options is None:
            try:
                done = subprocess.run(
                    [self._exe(), "-d", self.device, "-A"],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    env=_merged_env(self.env),
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise ScanTimeoutError(detail="scanimage -A timed out") from exc
            if done.returncode != 0:
                raise _error_from(done.returncode, done.stderr, pages=0, adf=False)
            self._options = parse_options(done.stdout)
        return self._options

    def capabilities(self) -> SourceCapabilities:
        """Sources, modes, resolutions and area as the driver reports them."""
        opts = self.options()
        inputs: list[str] = []
        source_opt = opts.get("source")
        if source_opt is None or not source_opt.values:
            inputs.append("flatbed")
        else:
            inputs.extend(k for k in ("flatbed", "adf", "adf_duplex") if _pick(source_opt.values, k))
        mode_opt = opts.get("mode")
        modes = (
            tuple(k for k in ("color", "gray") if _pick(mode_opt.values, k))
            if mode_opt and mode_opt.values
            else ("color", "gray")
        )
        res = opts.get("resolution")
        dpis: tuple[int, ...] = ()
        dpi_range: tuple[int, int] | None = None
        if res is not None and res.range:
            dpi_range = (max(1, int(res.range[0])), int(res.range[1]))
        elif res is not None and res.values:
            dpis = tuple(sorted(int(float(v)) for v in res.values if _is_number(v)))
        area = None
        if "x" in opts and "y" in opts and opts["x"].range and opts["y"].range and opts["x"].unit == "mm":
            area = (opts["x"].range[1], opts["y"].range[1])
        return SourceCapabilities(
            input_sources=tuple(inputs) or ("flatbed",),
            color_modes=modes or ("color",),
            dpis=dpis,
            dpi_range=dpi_range,
            max_area_mm=area,
        )

    def build_command(self, settings: ScanSettings, outdir: Path) -> tuple[list[str], int]:
        """The scanimage command line for ``settings`` and the dpi it will really use."""
        caps = self.capabilities()
        opts = self.options()
        dpi = caps.nearest_dpi(settings.dpi)
        cmd = [
            self._exe(),
            "-d",
            self.device,
            "--format=pnm",  # uncompressed: no quality loss, fastest for scanimage to write
            f"--resolution={dpi}",
            f"--batch={outdir / 'p%04d.pnm'}",
            "--batch-print",
        ]
        mode_opt = opts.get("mode")
        if mode_opt and mode_opt.values:
            mode = _pick(mode_opt.values, settings.color_mode)
            if mode is None:
                raise UnsupportedSettingError(f"Máy quét không có chế độ {settings.color_mode}.")
            cmd.append(f"--mode={mode}")
        source_opt = opts.get("source")
        if source_opt and source_opt.values:
            source = _pick(source_opt.values, settings.source)
            if source is None:
                raise UnsupportedSettingError(
                    "Máy quét này không có khay nạp giấy tự động (ADF)"
                    if settings.source != "flatbed"
                    else "Máy quét này không có mặt kính (flatbed).",
                    hint="Hãy chọn nguồn giấy khác trong thiết lập quét.",
                )
            cmd.append(f"--source={source}")
        elif settings.source != "flatbed":
            raise UnsupportedSettingError("Máy quét này không có khay nạp giấy tự động (ADF).")
        # Flatbed: one sheet per press of "Quét". Without a count scanimage would scan the
        # same glass again and again (it cannot tell that nobody turned the page).
        if settings.source == "flatbed":
            cmd.append("--batch-count=1")
        elif settings.max_pages is not None:
            cmd.append(f"--batch-count={settings.max_pages}")
        area = page_area_mm(settings, caps.max_area_mm)
        if area is not None and "x" in opts and "y" in opts:
            cmd += ["-l", "0", "-t", "0", "-x", f"{area[0]:g}", "-y", f"{area[1]:g}"]
        cmd += list(self.extra_args)
        return cmd, dpi

    def pages(self, settings: ScanSettings, cancel: CancelToken) -> Iterator[AcquiredPage]:
        """Run one scanimage batch and yield each page when scanimage reports it finished."""
        outdir = Path(tempfile.mkdtemp(prefix="counter-sane-"))
        try:
            cmd, dpi = self.build_command(settings, outdir)
            yield from self._run(cmd, dpi, settings, cancel, outdir)
        finally:
            self._stop_process()
            shutil.rmtree(outdir, ignore_errors=True)

    def _run(
        self, cmd: list[str], dpi: int, settings: ScanSettings, cancel: CancelToken, outdir: Path
    ) -> Iterator[AcquiredPage]:
        log.info("starting scanimage on %s at %d dpi, source %s", self.device, dpi, settings.source)
        try:
            process = subprocess.Popen(
                cmd,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                text=True,
                bufsize=1,
                cwd=outdir,
                env=_merged_env(self.env),
            )
        except OSError as exc:
            raise SourceUnavailableError(detail=str(exc)) from exc
        self._process = process
        # Both pipes are drained by threads so neither can fill up and block scanimage, and so
        # the generator can wake up for cancel/timeouts instead of blocking on readline().
        lines: queue.Queue[str | None] = queue.Queue()
        stderr_tail: collections.deque[str] = collections.deque(maxlen=50)
        out_thread = threading.Thread(
            target=_pump, args=(process.stdout, lines.put, lambda: lines.put(None)), daemon=True
        )
        batch_over = threading.Event()

        def on_stderr(line: str) -> None:
            stderr_tail.append(line)
            if line.startswith("Batch terminated"):
                batch_over.set()  # scanimage's last words; see the hang note below

        err_thread = threading.Thread(target=_pump, args=(process.stderr, on_stderr), daemon=True)
        self._pumps = [out_thread, err_thread]
        out_thread.start()
        err_thread.start()

        index = 0
        deadline = time.monotonic() + self.page_timeout
        hung_since: float | None = None
        killed_after_batch = False
        while True:
            if cancel.cancelled:
                log.info("scan on %s cancelled after %d pages", self.device, index)
                return
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                if killed_after_batch:
                    break  # all lines printed before the hang are consumed
                now = time.monotonic()
                if batch_over.is_set() and process.poll() is None:
                    # Some backends (SANE's own test backend among them, ~1 run in 10 after an
                    # error status) deadlock in sane_close/sane_exit after the batch is over.
                    # Every page file is complete by then, so we stop waiting and kill it.
                    hung_since = hung_since or now
                    if now - hung_since > self.exit_grace:
                        log.warning("scanimage hung after its batch ended; killing it")
                        process.kill()
                        process.wait(timeout=_TERMINATE_GRACE)
                        killed_after_batch = True
                        continue  # consume the lines already read, then stop
                if now > deadline:
                    raise ScanTimeoutError(detail=f"no page from {self.device} in {self.page_timeout:.0f} s") from None
                continue
            if line is None:  # stdout closed: scanimage finished
                break
            name = line.strip()
            if not name:
                continue
            page_path = Path(name)
            if page_path.parent.resolve() != outdir.resolve():
                log.warning("ignoring unexpected scanimage output line %r", name)
                continue
            frame = imageio.decode_single(page_path, name=f"trang {index + 1}")
            page = AcquiredPage(
                image=frame.image,
                dpi=dpi,
                index=index,
                source=f"sane:{self.device}",
                meta={"device": self.device, "input_source": settings.source},
            )
            # The temp copy is no longer needed once decoded; free disk early on long batches.
            page_path.unlink(missing_ok=True)
            yield page
            index += 1
            deadline = time.monotonic() + self.page_timeout
            if settings.max_pages is not None and index >= settings.max_pages:
                return

        try:
            returncode = process.wait(timeout=_TERMINATE_GRACE)
        except subprocess.TimeoutExpired:
            raise ScanTimeoutError(detail="scanimage did not exit after closing stdout") from None
        err_thread.join(timeout=2)
        stderr = "\n".join(stderr_tail)
        if killed_after_batch:
            returncode = _status_from_stderr(stderr, pages=index)
        if returncode != 0 or (index == 0 and "out of documents" in stderr.lower()):
            raise _error_from(returncode, stderr, pages=index, adf=settings.source != "flatbed")
        if index == 0:
            raise DeviceIOError("Máy quét không trả về trang nào.", detail=stderr[-500:])
        log.info("scanimage on %s finished: %d pages", self.device, index)

    def _stop_process(self) -> None:
        """Stop scanimage politely (SIGTERM makes it call sane_cancel and release the device).

        Also reaps the process and closes its pipes, finished or not, so no zombie or open
        file descriptor outlives the scan.
        """
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=_TERMINATE_GRACE)
            except subprocess.TimeoutExpired:
                log.warning("scanimage did not stop on SIGTERM; killing it")
                process.kill()
                process.wait(timeout=_TERMINATE_GRACE)
        for thread in self._pumps:
            thread.join(timeout=2)  # EOF follows the exit at once
        if any(thread.is_alive() for thread in self._pumps):
            # A grandchild still holds the pipe; closing it now would block on the reader's
            # lock. The daemon reader ends when that process does.
            log.warning("scanimage's output pipe is still held open by another process")
        else:
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()
        self._pumps = []

    def close(self) -> None:
        """Stop a running scan, if any."""
        self._stop_process()


def _pump(stream: IO[str] | None, on_line: Callable[[str], None], on_eof: Callable[[], None] | None = None) -> None:
    """Copy lines from a pipe to ``on_line`` until EOF, then call ``on_eof``."""
    try:
        if stream is not None:
            for line in stream:
                on_line(line.rstrip("\n"))
    except ValueError:  # pipe closed under us during shutdown
        pass
    finally:
        if on_eof is not None:
            on_eof()


def _status_from_stderr(stderr: str, *, pages: int) -> int:
    """The exit code scanimage would have returned, from its log (when we had to kill it).

    ``Scanned page N. (scanner status = S)`` carries the SANE status of the last page;
    ``SANE_STATUS_EOF`` (5) means the page completed normally.
    """
    statuses = re.findall(r"scanner status = (\d+)", stderr)
    status = int(statuses[-1]) if statuses else 0
    if status == _STATUS_EOF or (status == _STATUS_NO_DOCS and pages > 0):
        return 0
    if status == 0 and "out of documents" in stderr.lower() and pages == 0:
        return _STATUS_NO_DOCS
    return status


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _error_from(returncode: int, stderr: str, *, pages: int, adf: bool) -> ScanError:
    """Map a scanimage failure to the error the officer can act on."""
    detail = stderr.strip()[-500:] or f"scanimage exit code {returncode}"
    lowered = stderr.lower()
    if "open of device" in lowered and ("invalid argument" in lowered or "no such" in lowered):
        return DeviceNotFoundError(detail=detail)
    by_code: dict[int, type[ScanError]] = {
        _STATUS_DEVICE_BUSY: DeviceBusyError,
        _STATUS_JAMMED: PaperJamError,
        _STATUS_NO_DOCS: FeederEmptyError,
        _STATUS_COVER_OPEN: CoverOpenError,
        _STATUS_IO_ERROR: DeviceIOError,
        _STATUS_ACCESS_DENIED: DeviceNotFoundError,
    }
    cls = by_code.get(returncode)
    if cls is None:
        for pattern, candidate in _STDERR_PATTERNS:
            if pattern in lowered:
                cls = candidate
                break
    if cls is None and returncode == _STATUS_CANCELLED:
        return DeviceIOError("Máy quét đã huỷ lượt quét (có thể do bấm nút Dừng trên máy).", detail=detail)
    if cls is None and returncode in (_STATUS_INVAL, _STATUS_UNSUPPORTED):
        return UnsupportedSettingError(detail=detail)
    if cls is None and returncode == _STATUS_NO_MEM:
        return DeviceIOError("Máy quét hết bộ nhớ.", hint="Hãy giảm độ phân giải rồi quét lại.", detail=detail)
    if cls is None:
        cls = DeviceIOError
    error = cls(detail=detail)
    if pages and isinstance(error, PaperJamError | CoverOpenError | DeviceIOError):
        error.hint = f"Đã nhận {pages} trang đầu. " + (error.hint or "")
    if isinstance(error, FeederEmptyError) and not adf:
        error = DeviceIOError(detail=detail)
    return error
