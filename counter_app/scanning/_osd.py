"""Tesseract's orientation detection (``tesseract --psm 0``), an optional second opinion.

Debian/Ubuntu ``tesseract-ocr`` (used by OCRmyPDF) ships the ``osd`` model; counter PCs may not
have it, so everything here degrades to ``None``: not installed, too slow, no answer. The page
goes to the program as an uncompressed PGM/PPM on stdin (Leptonica reads it; PNG cost ~30 ms to
compress a 1600-px window and as much for Tesseract to inflate, for the same pixels); nothing is
written to disk.

"Too slow" is measured on Tesseract's own CPU clock, not the wall's: on a counter PC busy with a
batch (or a build machine at load 20) a 4-s wall-clock budget ran out on pages Tesseract reads in
half a second of CPU, and the same page came out turned at rest and "kept, flagged" under load.
The CPU budget is the kernel's (``RLIMIT_CPU`` on the child, set right after it starts: the limit
is on the process's total CPU time, so the moment it is set does not matter). The wall clock
only catches a program that hangs: it is given up when a whole ``wall_s`` window passes in which
it used no CPU at all — a page run niced beside four busy loops took 60 s of wall clock for 0.6 s
of CPU, and was still answered. Where neither can be read (not Linux) the wall-clock window is
all there is; the view handed over is bounded in pixels (``pipeline._osd_view``), so Tesseract's
work is bounded too.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

_ROTATE = re.compile(r"Rotate:\s*(\d+)")
_CONFIDENCE = re.compile(r"Orientation confidence:\s*([0-9.]+)")


@functools.cache
def _program() -> str | None:
    return shutil.which("tesseract")


def _limit_cpu(pid: int, cpu_s: float) -> bool:
    """Cap the running child ``pid`` at ``cpu_s`` seconds of CPU (SIGXCPU, then SIGKILL 1 s later)."""
    try:
        import resource  # POSIX only

        soft = max(1, math.ceil(cpu_s))
        resource.prlimit(pid, resource.RLIMIT_CPU, (soft, soft + 1))
    except (ImportError, AttributeError, OSError, ValueError) as exc:
        # Not Linux, or the child already finished: the wall-clock backstop still holds.
        log.debug("tesseract CPU limit not set: %s", exc)
        return False
    return True


def _cpu_used(pid: int) -> float | None:
    """CPU seconds the running child ``pid`` has used so far (Linux ``/proc``), or ``None``."""
    try:
        # Fields after the command name's closing parenthesis: state is the 1st, utime the 12th,
        # stime the 13th (proc(5) fields 3, 14, 15).
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def tesseract_orientation(bgr_or_grey: np.ndarray, timeout_s: float = 4.0,
                          wall_s: float = 30.0) -> tuple[int, float] | None:
    """(clockwise turn that makes the page upright, confidence) from Tesseract, or ``None``.

    ``timeout_s`` is the CPU time Tesseract may spend (whole seconds, rounded up), so the answer
    does not depend on how busy the machine is; it is given up on the wall clock only after a
    ``wall_s`` window in which it used no CPU (hung), or where its CPU time cannot be read.
    """
    exe = _program()
    if exe is None:
        return None
    ok, pnm = cv2.imencode(".pgm" if bgr_or_grey.ndim == 2 else ".ppm", bgr_or_grey)
    if not ok:
        return None
    try:
        proc = subprocess.Popen([exe, "stdin", "stdout", "--psm", "0", "-l", "osd"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                # One thread: the batch already keeps the cores busy.
                                env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    except OSError as exc:
        log.info("tesseract OSD unavailable: %s", exc)
        return None
    _limit_cpu(proc.pid, timeout_s)
    used = -1.0
    data: bytes | None = pnm.tobytes()
    while True:
        try:
            # A retried communicate() keeps what was already sent and read (and takes no input).
            out, _ = proc.communicate(data, timeout=wall_s)
            break
        except subprocess.TimeoutExpired:
            now = _cpu_used(proc.pid)
            if now is not None and now > used:
                used, data = now, None  # slow (a busy machine), not hung: its CPU budget bounds it
                continue
            proc.kill()
            proc.communicate()
            log.info("tesseract OSD used no CPU for %.0f s: given up", wall_s)
            return None
    if proc.returncode != 0:
        # Killed by its CPU budget (SIGXCPU/SIGKILL) or failed: no opinion.
        log.info("tesseract OSD ended with %s", proc.returncode)
        return None
    text = out.decode("utf-8", "replace")
    rot, conf = _ROTATE.search(text), _CONFIDENCE.search(text)
    if rot is None or conf is None:
        return None
    return int(rot.group(1)) % 360, float(conf.group(1))
