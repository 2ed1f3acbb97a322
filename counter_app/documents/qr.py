"""The QR code printed top-left on every form (ISO/IEC 18004, TCVN 7322:2009).

Payload format ``QMC1`` — UTF-8 text, one ``key=value`` per line, first line the format tag::

    QMC1
    mau=01                                  form (FormKind value: 01..06, TB)
    ma=H15.50.05.13-261008-0975             mã hồ sơ (absent on the register)
    tt=1.001193                             mã thủ tục hành chính
    cd=001090012345                         số giấy tờ của chủ hồ sơ (CCCD / định danh)
    gt=Giấy tiếp nhận hồ sơ và hẹn trả kết quả   tên giấy tờ
    ht=Hệ thống thông tin giải quyết TTHC …  issuing system
    tg=20261008143512                       thời gian phát hành (issue time)
    hen=20261015170000                      hẹn trả kết quả (appointment in force after this paper)
    tu=20261001 / den=20261031              register only: date range

Times are ``yyyyMMddHHmmss`` local time (Asia/Ho_Chi_Minh), the DVCQG convention (DOMAIN §4);
dates ``yyyyMMdd``. Keys are short because every byte grows the symbol; lines (not JSON) keep it
readable on a phone. Values never contain a line break (they are cleaned to one line), so the
first ``=`` of a line splits key from value. Unknown keys must be ignored by readers, so later
versions can add fields.

Sizing: a module is 1.44 pt (3 px at 150 dpi, 6 px at 300 dpi) and the symbol is snapped to the
150-dpi pixel grid, so a 150-dpi rendering has crisp modules; error correction M, falling back to
L and finally to shortening the free-text fields so the symbol never exceeds version 10
(57 modules, 29 mm) — a typical receipt payload is ~200 bytes, version 9–10.

Reading it back with OpenCV: in trials (30 receipts with random system names rendered at
150/200/300 dpi) ``cv2.QRCodeDetectorAruco`` decoded every symbol, while the classic
``cv2.QRCodeDetector`` missed 2–5 of 30, depending on the symbol's version and mask rather than
on its size or quiet zone. Readers should use the ArUco detector first and the classic one as a
fallback. Handheld QR scanners (keyboard wedge) read these symbols directly.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping

import qrcode
import qrcode.constants
from qrcode.exceptions import DataOverflowError
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from counter_app.documents import _qrmask
from counter_app.documents._text import clean, local
from counter_app.errors import ValidationError
from counter_app.timefmt import COMPACT_TS

FORMAT_TAG = "QMC1"

# key in the payload -> key in parse_qr_payload()'s result
KEYS: dict[str, str] = {
    "mau": "form",
    "ma": "dossier_code",
    "tt": "procedure_code",
    "cd": "id_number",
    "gt": "document_name",
    "ht": "system_name",
    "tg": "issued_at",
    "hen": "due_at",
    "tu": "date_from",
    "den": "date_to",
}
# Shortened first (in this order) when the payload would need a bigger symbol than MAX_VERSION.
_SHRINKABLE = ("ht", "gt")

MAX_VERSION = 10
MODULE_PT = 3 * 72 / 150  # 3 px at 150 dpi
_GRID_PT = 72 / 150  # one pixel at 150 dpi
QUIET_PT = 4 * MODULE_PT
MAX_SIDE_PT = (17 + 4 * MAX_VERSION) * MODULE_PT  # 82 pt ≈ 29 mm
TIME_FORMAT = COMPACT_TS  # yyyyMMddHHmmss (counter_app.timefmt)
DATE_FORMAT = "%Y%m%d"


def qr_time(moment: dt.datetime) -> str:
    """``yyyyMMddHHmmss`` in local time."""
    return local(moment).strftime(TIME_FORMAT)


def build_qr_payload(fields: Mapping[str, str | None]) -> str:
    """Assemble a ``QMC1`` payload from short keys (see module doc); empty values are left out."""
    lines = [FORMAT_TAG]
    for key, value in fields.items():
        if key not in KEYS:
            raise ValueError(f"unknown QR key {key!r}")
        text = clean(value or "", limit=300)
        if text:
            lines.append(f"{key}={text}")
    return "\n".join(lines)


def parse_qr_payload(text: str) -> dict[str, str]:
    """Read a scanned form QR back: ``{"form", "dossier_code", "procedure_code", …}``.

    Values stay strings (times as ``yyyyMMddHHmmss``; use :func:`parse_qr_time`). Unknown keys
    are kept under their short name. Raises :class:`ValidationError` if ``text`` is not one of
    our payloads (e.g. a citizen ID card QR scanned by mistake).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    if not lines or lines[0].strip() != FORMAT_TAG:
        raise ValidationError(
            "Mã QR này không phải của giấy tờ do hệ thống một cửa in ra.",
            hint="Quét mã QR ở góc trên bên trái của giấy tiếp nhận hồ sơ.",
        )
    result: dict[str, str] = {"format": FORMAT_TAG}
    for line in lines[1:]:
        key, sep, value = line.partition("=")
        if sep:
            result[KEYS.get(key.strip(), key.strip())] = value.strip()
    return result


def parse_qr_time(value: str) -> dt.datetime:
    """``yyyyMMddHHmmss`` (or ``yyyyMMdd``) from a payload -> naive local datetime."""
    fmt = TIME_FORMAT if len(value) == 14 else DATE_FORMAT
    return dt.datetime.strptime(value, fmt)


def _encode(payload: str, level: int) -> list[list[bool]] | None:
    code = qrcode.QRCode(error_correction=level, border=0)
    code.add_data(payload.encode("utf-8"), optimize=0)  # one byte-mode segment: simplest to read
    # Find the version first (cheap), so the costly mask selection runs only for a level we keep.
    try:
        version = code.best_fit()
    except DataOverflowError:
        return None
    if version > MAX_VERSION:
        return None
    symbol = _qrmask.best_symbol(code)  # half the time of qrcode's own mask selection
    if symbol is not None:
        return [list(row) for row in symbol]
    code.make(fit=False)
    return code.get_matrix()


@functools.lru_cache(maxsize=64)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """Module matrix for ``payload`` (cached: both receipt copies carry the same symbol)."""
    for level in (qrcode.constants.ERROR_CORRECT_M, qrcode.constants.ERROR_CORRECT_L):
        matrix = _encode(payload, level)
        if matrix is not None:
            return tuple(tuple(row) for row in matrix)
    raise ValueError("QR payload too long")


def fit_payload(fields: Mapping[str, str | None]) -> str:
    """:func:`build_qr_payload`, shortening free text until the symbol fits ``MAX_VERSION``."""
    current = dict(fields)
    for _ in range(40):
        payload = build_qr_payload(current)
        try:
            qr_matrix(payload)
            return payload
        except ValueError:
            pass
        for key in _SHRINKABLE:
            value = clean(current.get(key) or "", limit=300)
            if len(value) > 12:
                current[key] = value[: max(12, len(value) - 20)].rstrip() + "…"
                break
        else:
            break
    # Codes alone always fit; keep only them rather than fail a print job.
    return build_qr_payload({k: v for k, v in fields.items() if k not in _SHRINKABLE})


class QrFlowable(Flowable):
    """Draws the symbol as one vector path, snapped to the 150-dpi pixel grid.

    Occupies ``MAX_SIDE_PT`` square whatever the version, so the header layout does not move.
    """

    def __init__(self, payload: str, side: float = MAX_SIDE_PT) -> None:
        super().__init__()
        self.payload = payload
        self.side = side
        self.width = side
        # Keep the 4-module quiet zone (ISO/IEC 18004) below the symbol free of the next text.
        self.height = side + QUIET_PT

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        matrix = qr_matrix(self.payload)
        canv = self.canv
        # Snap the symbol's top-left corner to whole pixels of a 150-dpi raster: modules then
        # cover exactly 3x3 pixels instead of anti-aliased partial ones, which is what made
        # OpenCV miss symbols in trials. The shift is below 0.25 pt, invisible on paper.
        page_height = canv._pagesize[1]
        ax, ay = canv.absolutePosition(0, self.height)
        dx = round(ax / _GRID_PT) * _GRID_PT - ax
        dy = (page_height - round((page_height - ay) / _GRID_PT) * _GRID_PT) - ay
        canv.saveState()
        canv.setFillColorRGB(0, 0, 0)
        # Module coordinates: origin at the symbol's top-left, one unit per module, y downwards;
        # every rectangle is then a few integers (fast to write, small stream).
        canv.transform(MODULE_PT, 0, 0, -MODULE_PT, dx, self.height + dy)
        canv.addLiteral(_path_operators(matrix))
        canv.restoreState()


@functools.lru_cache(maxsize=64)
def _path_operators(matrix: tuple[tuple[bool, ...], ...]) -> str:
    """PDF operators filling every dark module: one rectangle per horizontal run, one fill."""
    ops: list[str] = []
    n = len(matrix)
    for r, row in enumerate(matrix):
        c = 0
        while c < n:
            if not row[c]:
                c += 1
                continue
            start = c
            while c < n and row[c]:
                c += 1
            ops.append(f"{start} {r} {c - start} 1 re")
    # One path, one fill: runs of adjacent rows merge without hairline seams.
    ops.append("f")
    return "\n".join(ops)


QR_SIDE_MM = MAX_SIDE_PT / mm
