"""Simulated processing at the province: how a received dossier moves on by itself.

A dossier the counter sent with TrangThaiHoSo 2 (Được tiếp nhận) or 4 (Đang xử lý) advances one
step every ``step_seconds``: 2 → 4 → 9 (Đã xử lý xong, with a generated result PDF attached as
DanhSachGiayToKetQua), or 4 → 5 (Yêu cầu bổ sung giấy tờ) with probability ``supplement_rate``.
A dossier that was already asked for a supplement goes to 9 next time, so nothing loops forever.
The choice depends only on the seed and the dossier code, so a run is reproducible whatever the
order in which dossiers arrive.
"""

from __future__ import annotations

import logging
import random
import threading
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from counter_app.sync import protocol as p

if TYPE_CHECKING:
    from counter_dev.simulator.store import SimulatorStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessingConfig:
    """How fast and how the simulated province handles dossiers."""

    enabled: bool = True
    step_seconds: float = 5.0  # time a dossier stays in 2 and in 4 before the next step
    supplement_rate: float = 0.1  # probability that 4 goes to 5 instead of 9
    seed: int = 0


def goes_to_supplement(config: ProcessingConfig, ma_ho_so: str, supplements_so_far: int) -> bool:
    """Decide 4 → 5 (True) or 4 → 9 (False), reproducibly per dossier."""
    if supplements_so_far > 0:
        return False
    # random.Random accepts a str seed and hashes it with SHA-512: stable across runs and
    # platforms, unlike hash() which is salted per process.
    return random.Random(f"{config.seed}:{ma_ho_so}").random() < config.supplement_rate


def _pdf_text(text: str) -> str:
    """ASCII form of Vietnamese text for the standard Helvetica font, PDF-escaped."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "replace")
    return ascii_text.decode("ascii").replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def result_pdf(lines: list[str]) -> bytes:
    """A tiny valid one-page PDF 1.4 showing ``lines``: the simulated result document.

    Written by hand (no reportlab) so the simulator stays light and its output byte-stable.
    """
    ops = ["BT", "/F1 14 Tf", "72 770 Td"]
    for index, line in enumerate(lines):
        if index:
            ops.append("0 -22 Td")
        ops.append(f"({_pdf_text(line)}) Tj")
    ops.append("ET")
    content = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref_at)
    return bytes(out)


def result_lines(ma_ho_so: str, ten_tthc: str) -> list[str]:
    """Text of the generated result document."""
    return [
        "KET QUA GIAI QUYET HO SO (he thong gia lap)",
        f"Ma ho so: {ma_ho_so}",
        f"Thu tuc: {ten_tthc}" if ten_tthc else "Thu tuc: -",
        f"Thoi diem: {p.format_timestamp(p.now_vn())}",
    ]


class Processor(threading.Thread):
    """Background thread that advances due dossiers every ``tick`` seconds."""

    def __init__(self, store: SimulatorStore, tick: float) -> None:
        super().__init__(name="simulator-processing", daemon=True)
        self._store = store
        self._tick = tick
        self._stop_event = threading.Event()

    def run(self) -> None:
        """Advance until :meth:`stop`; an error is logged, never fatal, like a real cron job."""
        while not self._stop_event.wait(self._tick):
            try:
                moved = self._store.advance()
            except Exception:
                log.exception("simulated processing step failed")
                continue
            if moved:
                log.debug("simulated processing moved %d dossier(s)", moved)

    def stop(self) -> None:
        """Ask the thread to finish and wait for it."""
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout=5)
