"""The digitised copy of one dossier component: one signed PDF, stored and registered.

Rules this module implements (DOMAIN §6 — Thông tư 01/2023/TT-VPCP Điều 8 and the Interior
Ministry's technical parameters):

* one PDF per dossier component, **PDF 1.4 or later, colour, at least 200 dpi, 100 % scale**:
  every page keeps its physical size (``pixels / dpi × 72`` points), so an A4 page scanned at
  300 dpi is 595 × 842 pt and an ID card stays card-sized;
* the number of images equals the number of physical pages, in order; the officer types the page
  count of the paper and a difference is flagged (:attr:`ComponentFile.page_mismatch`);
* the officer's **name and the time of copying, and the signature position, top-left of page 1**;
* the officer's personal digital signature (:mod:`counter_app.scanning.signing`, PAdES B-B);
* metadata (dossier code, component code, officer, time, page count) in the PDF's document
  information dictionary and in the database (``files.meta``).

Pages are JPEG-encoded once, with a quality chosen by document type, and embedded as DCT images
without re-encoding (reportlab passes JPEG bytes through). Red seals stay red: colour is always
kept, and certificates with seals use full-resolution chroma (4:4:4) so thin red strokes do not
bleed.

Saving is two stages (issue #17: PDF building and signing used to run on the database thread and
held every other query up for seconds). :func:`write_component_pdf` is stage 1 and pure — no
database: it builds and signs the PDF and writes it atomically (temp + fsync + rename) to a
staging folder inside the data directory, with a checksummed sidecar. Stage 2
(:func:`counter_app.services.digitise.commit_component`) runs on the database thread and is short:
it renames the staged file into ``scans/`` and adds, in ONE transaction, the ``files`` row, the
dossier event and the outbox entry. A crash between the stages leaves only the staging folder (not
under ``scans/``, so no orphan there); the next save of the session registers the staged file.

Encryption at rest (docs/security.md): in an encrypted data directory the PDF is stored as an
AES-256-GCM envelope bound to its relative path. ``files.sha256``/``size`` describe the bytes *on
disk* (the archive check and backups work without the keys); ``files.meta`` carries
``plain_sha256``/``plain_size`` of the PDF itself, which is what the provincial system receives.

Qt-free and blocking (JPEG encoding, PDF building, signing): run it on the processing pool.
"""

from __future__ import annotations

import contextlib
import enum
import io
import json
import logging
import re
import threading
import time
import unicodedata
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

import cv2
import numpy as np
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas

from counter_app import crypto, vault
from counter_app.atomicio import atomic_write_bytes, sha256_bytes, sha256_file
from counter_app.documents._fonts import BOLD, REGULAR, register_fonts
from counter_app.errors import ValidationError
from counter_app.scanning.signing import DEFAULT_REASON, OfficerSigner, sign_pdf
from counter_app.textnorm import nfc

log = logging.getLogger(__name__)

__all__ = [
    "JPEG_PROFILES",
    "MIN_DPI",
    "ComponentFile",
    "DocType",
    "JpegProfile",
    "OutputOptions",
    "PageImage",
    "ScanMeta",
    "StagedComponent",
    "build_component_pdf",
    "has_seal_red",
    "page_size_pt",
    "read_staged",
    "safe_name",
    "scan_relative_path",
    "staged_file_intact",
    "stamp_box",
    "stamp_lines",
    "write_component_pdf",
]

# DOMAIN §6: "PDF 1.4 hoặc cao hơn, màu, tối thiểu 200 dpi, tỷ lệ 100 %".
MIN_DPI = 200.0
PDF_VERSION = (1, 4)
# DB and printed times are local Vietnamese time (counter_app.db.schema); the PDF dates say so.
_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_CREATOR = "Quầy Một Cửa"


class DocType(enum.StrEnum):
    """What is on the paper; chooses the JPEG quality (``OutputOptions.doc_type``)."""

    TEXT = "text"                  # typed or handwritten forms, declarations
    PHOTO_ID = "photo_id"          # ID cards, portraits, photos: faces and fine print
    CERTIFICATE = "certificate"    # certificates/decisions with red seals and signatures


@dataclass(frozen=True)
class JpegProfile:
    """JPEG settings for one document type."""

    quality: int
    full_chroma: bool  # 4:4:4 instead of 4:2:0: keeps thin red seal strokes red and sharp


# Qualities chosen on 300-dpi test pages: 75 keeps text crisp at ~1/3 the size of 90; photos
# and seals get more because faces and red ink show JPEG artefacts first.
JPEG_PROFILES: dict[DocType, JpegProfile] = {
    DocType.TEXT: JpegProfile(75, full_chroma=False),
    DocType.PHOTO_ID: JpegProfile(88, full_chroma=True),
    DocType.CERTIFICATE: JpegProfile(85, full_chroma=True),
}


class PageImage(NamedTuple):
    """One processed page from the pipeline: a BGR ``uint8`` image and its effective dpi."""

    image: np.ndarray
    dpi: float


@dataclass(frozen=True)
class ScanMeta:
    """Who digitised what, when — printed on page 1 and stored in the PDF and the database.

    Glossary: hồ sơ = dossier (``dossier_code`` = mã hồ sơ), thành phần hồ sơ = component.
    ``scanned_at`` is local time (naive = Asia/Ho_Chi_Minh, like the database).
    """

    dossier_code: str
    component_code: str
    officer_name: str
    scanned_at: datetime
    agency_name: str = ""
    component_name: str = ""
    procedure_code: str = ""
    officer_id: int | None = None
    declared_pages: int | None = None


@dataclass(frozen=True)
class OutputOptions:
    """How to encode the pages."""

    doc_type: DocType = DocType.TEXT
    allow_low_dpi: bool = False          # an explicit officer decision, e.g. a camera fallback
    jpeg_quality: int | None = None      # overrides the document type's quality
    min_dpi: float = MIN_DPI
    encode_threads: int = 2              # cv2.imencode releases the GIL; counter PCs have 2–4 cores

    def profile(self) -> JpegProfile:
        """The JPEG settings these options select."""
        base = JPEG_PROFILES[DocType(self.doc_type)]
        return replace(base, quality=self.jpeg_quality) if self.jpeg_quality else base


@dataclass(frozen=True)
class ComponentFile:
    """A digitised component on disk and in the database."""

    file_id: int
    uid: str
    path: Path                 # absolute
    rel_path: str              # relative to the data directory, '/'-separated (as stored)
    sha256: str
    size: int
    page_count: int
    declared_pages: int | None
    page_mismatch: bool
    signed: bool
    warnings: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    plain_sha256: str = ""     # of the PDF itself (= sha256 unless the data directory is encrypted)
    encrypted: bool = False    # stored as an envelope (sha256/size then describe the envelope)


# ------------------------------------------------------------------------------------ geometry
def page_size_pt(page: PageImage) -> tuple[float, float]:
    """Physical page size in PDF points (1/72 in) — 100 % scale."""
    h, w = page.image.shape[:2]
    return w / float(page.dpi) * 72.0, h / float(page.dpi) * 72.0


@dataclass(frozen=True)
class _StampLayout:
    box: tuple[float, float, float, float]  # x1, y1, x2, y2 (PDF points, origin bottom-left)
    font_size: float
    leading: float
    pad: float


def stamp_lines(meta: ScanMeta) -> list[str]:
    """The stamp text (TT 01/2023 Điều 8: who digitised it and when), one string per line."""
    lines = [
        f"Số hóa bởi: {nfc(meta.officer_name)}",
        f"Thời điểm: {meta.scanned_at:%H:%M %d/%m/%Y}",
    ]
    if nfc(meta.agency_name):
        lines.append(nfc(meta.agency_name))
    return lines


def _stamp_layout(page_w: float, page_h: float, meta: ScanMeta) -> _StampLayout:
    register_fonts()
    lines = stamp_lines(meta)
    # ~8.5 pt on A4, never below 5 pt (an ID card is 243 pt wide): small enough to leave the
    # page readable, large enough to print legibly.
    fs = min(9.0, max(5.0, page_w / 70.0))
    margin = min(14.0, max(3.0, 0.02 * min(page_w, page_h)))

    def widest(size: float) -> float:
        return max(pdfmetrics.stringWidth(t, BOLD if i == 0 else REGULAR, size) for i, t in enumerate(lines))

    avail = page_w - 2 * margin
    pad = 0.5 * fs
    if widest(fs) + 2 * pad > avail:  # a long agency name on a small page: shrink, not overflow
        fs = max(3.5, fs * (avail - 2 * pad) / widest(fs))
        pad = 0.5 * fs
    leading = 1.22 * fs
    w = min(avail, widest(fs) + 2 * pad)
    h = len(lines) * leading + 2 * pad - (leading - fs) + 0.25 * fs  # room for descenders
    x1, y2 = margin, page_h - margin
    return _StampLayout((x1, y2 - h, x1 + w, y2), fs, leading, pad)


def stamp_box(first_page: PageImage, meta: ScanMeta) -> tuple[float, float, float, float]:
    """Rectangle of the stamp on page 1 (= the signature field), as ``(x1, y1, x2, y2)`` points."""
    return _stamp_layout(*page_size_pt(first_page), meta).box


def _draw_stamp(c: rl_canvas.Canvas, page_w: float, page_h: float, meta: ScanMeta) -> None:
    lay = _stamp_layout(page_w, page_h, meta)
    x1, y1, x2, y2 = lay.box
    c.saveState()
    # Semi-opaque white: the text stays readable over a dark or busy page, the page under it
    # stays faintly visible (nothing of the original is hidden outright).
    c.setFillColorRGB(1, 1, 1)
    c.setFillAlpha(0.85)
    c.rect(x1, y1, x2 - x1, y2 - y1, stroke=0, fill=1)
    c.setFillAlpha(1)
    c.setFillColorRGB(0.05, 0.05, 0.2)
    y = y2 - lay.pad - lay.font_size * 0.85
    for i, line in enumerate(stamp_lines(meta)):
        if i == 0:
            label, _, name = line.partition(": ")
            c.setFont(REGULAR, lay.font_size)
            c.drawString(x1 + lay.pad, y, label + ": ")
            c.setFont(BOLD, lay.font_size)
            c.drawString(x1 + lay.pad + pdfmetrics.stringWidth(label + ": ", REGULAR, lay.font_size), y, name)
        else:
            c.setFont(REGULAR, lay.font_size)
            c.drawString(x1 + lay.pad, y, line)
        y -= lay.leading
    c.restoreState()


# --------------------------------------------------------------------------------------- build
def _check_pages(pages: Sequence[PageImage], options: OutputOptions) -> list[PageImage]:
    if not pages:
        raise ValidationError(
            "Chưa có trang nào để lưu bản số hóa.", hint="Quét các trang của thành phần hồ sơ rồi lưu lại."
        )
    checked: list[PageImage] = []
    for i, raw in enumerate(pages, start=1):
        page = PageImage(*raw)
        img = page.image
        if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or img.ndim not in (2, 3) or img.size == 0:
            raise ValueError(f"page {i}: expected a non-empty uint8 image, got {getattr(img, 'dtype', type(img))}")
        if not page.dpi or page.dpi <= 0:
            raise ValueError(f"page {i}: dpi must be positive, got {page.dpi!r}")
        if page.dpi < options.min_dpi and not options.allow_low_dpi:
            raise ValidationError(
                f"Trang {i} chỉ đạt {page.dpi:.0f} dpi, thấp hơn mức tối thiểu {options.min_dpi:.0f} dpi "
                "của bản số hóa.",
                hint="Quét lại ở độ phân giải 300 dpi (tối thiểu 200 dpi) hoặc đặt giấy tờ gần camera hơn.",
            )
        # The rule says colour: a grey page from a misconfigured source is stored as RGB anyway.
        if img.ndim == 2 or img.shape[2] == 1:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        elif img.shape[2] == 4:
            img = cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
        elif img.shape[2] != 3:
            raise ValueError(f"page {i}: unsupported channel count {img.shape[2]}")
        checked.append(PageImage(img, float(page.dpi)))
    return checked


# Seal red (saturated red hue, as bench/scan_eval's "red kept" measures it) on at least this share of
# a page: one seal of 35 mm on an A4 page covers ~0.3 % with its rings and star; 0.02 % is a stamp's edge.
SEAL_RED_MIN_SHARE = 2e-4


def has_seal_red(img: np.ndarray) -> bool:
    """Does the page carry seal-red ink (a red seal or stamp), on a ≤ 400-px copy (~2 ms)?"""
    h, w = img.shape[:2]
    f = max(1, max(h, w) // 400)
    small = cv2.resize(img[: h // f * f, : w // f * f], (w // f, h // f), interpolation=cv2.INTER_AREA) \
        if f > 1 else img
    hsv = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    red = ((hue < 9) | (hue > 170)) & (sat > 100) & (val > 90)
    return float(red.mean()) >= SEAL_RED_MIN_SHARE


def _encode_jpeg(img: np.ndarray, profile: JpegProfile) -> bytes:
    # A red seal is legal evidence and TT 01/2023 wants colour kept: 4:2:0 halves the chroma
    # resolution and thin seal strokes lose a fifth to a quarter of their red at 100–150 dpi
    # (gen2 forms at q75: 0.74–0.79 of the seal-red pixels kept, 0.89–0.94 with 4:4:4). A page
    # with seal red keeps full chroma whatever its document type.
    full = profile.full_chroma or has_seal_red(img)
    sampling = cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444 if full else cv2.IMWRITE_JPEG_SAMPLING_FACTOR_420
    ok, buf = cv2.imencode(
        ".jpg", np.ascontiguousarray(img),
        [cv2.IMWRITE_JPEG_QUALITY, int(profile.quality), cv2.IMWRITE_JPEG_SAMPLING_FACTOR, sampling],
    )
    if not ok:  # pragma: no cover - OpenCV only fails on invalid input, checked above
        raise RuntimeError("cv2.imencode failed")
    return buf.tobytes()


class _JpegReader(ImageReader):
    """An ImageReader over JPEG bytes that never decodes them.

    ``Canvas.drawImage`` calls ``getRGBData()`` only to derive the image's XObject name (a digest);
    the stock reader would decode a 300-dpi A4 page (~26 MB of RGB) just for that. The compressed
    bytes identify the image just as well. The XObject itself is built from ``jpeg_fh()``
    (pass-through DCT); a test checks the embedded stream equals the bytes encoded here.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._jpeg = data
        self._dataA = None  # no alpha channel; the stock reader sets this while decoding

    def getRGBData(self) -> bytes:  # (reportlab's camelCase name)
        return self._jpeg


# reportlab wraps every stream in ASCII85 unless rl_config.useA85 is off: +25 % for JPEG data that
# is binary-safe in a PDF anyway. The flag is global, so it is switched off only while we build,
# under a lock (a form rendered at the same moment elsewhere merely comes out without A85 — valid).
_RL_LOCK = threading.Lock()


@contextlib.contextmanager
def _binary_streams() -> Iterator[None]:
    with _RL_LOCK:
        old = rl_config.useA85
        rl_config.useA85 = 0
        try:
            yield
        finally:
            rl_config.useA85 = old


def _pdf_date(moment: datetime) -> str:
    aware = moment.replace(tzinfo=_TZ) if moment.tzinfo is None else moment
    off = aware.strftime("%z")  # +0700
    return f"D:{aware:%Y%m%d%H%M%S}{off[:3]}'{off[3:]}'"


def _info_entries(meta: ScanMeta, page_count: int) -> dict[str, str]:
    """Document information dictionary: standard keys plus the counter's own (readable by pypdf/exiftool)."""
    title = nfc(meta.component_name) or f"Thành phần {meta.component_code}"
    entries = {
        "/Title": f"{title} — hồ sơ {meta.dossier_code}",
        "/Author": nfc(meta.officer_name),
        "/Subject": f"Bản số hóa hồ sơ {meta.dossier_code}, thành phần {meta.component_code}",
        "/Keywords": "; ".join(
            k for k in ("số hóa", meta.dossier_code, meta.component_code, meta.procedure_code) if k
        ),
        "/Creator": _CREATOR,
        "/Producer": f"{_CREATOR} (reportlab, pypdf)",
        "/CreationDate": _pdf_date(meta.scanned_at),
        "/ModDate": _pdf_date(meta.scanned_at),
        # Custom keys (PDF 32000-1 §14.3.3 allows any key): what the trust/archive checks read back.
        "/MaHoSo": meta.dossier_code,
        "/MaThanhPhan": meta.component_code,
        "/CanBo": nfc(meta.officer_name),
        "/ThoiDiemSoHoa": f"{meta.scanned_at:%Y-%m-%d %H:%M:%S}",
        "/SoTrang": str(page_count),
    }
    if meta.declared_pages is not None:
        entries["/SoTrangKhaiBao"] = str(meta.declared_pages)
    if nfc(meta.agency_name):
        entries["/CoQuan"] = nfc(meta.agency_name)
    if meta.procedure_code:
        entries["/MaTTHC"] = meta.procedure_code
    return entries


_XMP_NS = "urn:x-quay-mot-cua:scan:1"  # our own namespace for the counter's keys (prefix qmc)


def _xmp_packet(meta: ScanMeta, entries: dict[str, str]) -> bytes:
    """XMP carrying the same facts as the info dictionary (PDF 2.0 and archives read XMP first).

    pyHanko merges into this packet when signing (it updates ModifyDate and Producer and keeps the
    rest), so it survives the signature.
    """
    aware = meta.scanned_at.replace(tzinfo=_TZ) if meta.scanned_at.tzinfo is None else meta.scanned_at
    when = aware.isoformat(timespec="seconds")
    custom = "".join(
        f"<qmc:{k[1:]}>{xml_escape(v)}</qmc:{k[1:]}>"
        for k, v in entries.items()
        if k in ("/MaHoSo", "/MaThanhPhan", "/CanBo", "/ThoiDiemSoHoa", "/SoTrang", "/SoTrangKhaiBao",
                 "/CoQuan", "/MaTTHC")
    )
    keywords = "".join(f"<rdf:li>{xml_escape(k.strip())}</rdf:li>" for k in entries["/Keywords"].split(";"))
    body = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" '
        f'xmlns:qmc="{_XMP_NS}">'
        "<dc:format>application/pdf</dc:format>"
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{xml_escape(entries["/Title"])}</rdf:li></rdf:Alt></dc:title>'
        f"<dc:creator><rdf:Seq><rdf:li>{xml_escape(entries['/Author'])}</rdf:li></rdf:Seq></dc:creator>"
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
        f"{xml_escape(entries['/Subject'])}</rdf:li></rdf:Alt></dc:description>"
        f"<dc:subject><rdf:Bag>{keywords}</rdf:Bag></dc:subject>"
        f"<xmp:CreateDate>{when}</xmp:CreateDate><xmp:ModifyDate>{when}</xmp:ModifyDate>"
        f"<xmp:MetadataDate>{when}</xmp:MetadataDate><xmp:CreatorTool>{_CREATOR}</xmp:CreatorTool>"
        f"<pdf:Keywords>{xml_escape(entries['/Keywords'])}</pdf:Keywords>"
        f"<pdf:Producer>{xml_escape(entries['/Producer'])}</pdf:Producer>"
        f"{custom}</rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>' + body + '<?xpacket end="w"?>').encode()


def build_component_pdf(
    pages: Sequence[PageImage], meta: ScanMeta, options: OutputOptions | None = None
) -> bytes:
    """Build the unsigned PDF of one component: one JPEG page per image, stamp on page 1, metadata.

    Raises :class:`ValidationError` for no pages or a page under ``options.min_dpi`` (unless
    ``allow_low_dpi``); ``ValueError`` for malformed images (a bug upstream).
    """
    options = options or OutputOptions()
    if not nfc(meta.officer_name):
        # TT 01/2023 Điều 8: the copy must name the officer who made it.
        raise ValidationError("Chưa có tên cán bộ số hóa.", hint="Đăng nhập bằng tài khoản của mình rồi lưu lại.")
    checked = _check_pages(pages, options)
    profile = options.profile()
    register_fonts()
    workers = max(1, min(options.encode_threads, len(checked)))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="jpeg") as pool:
            jpegs = list(pool.map(lambda p: _encode_jpeg(p.image, profile), checked))
    else:
        jpegs = [_encode_jpeg(p.image, profile) for p in checked]

    buf = io.BytesIO()
    with _binary_streams():
        c = rl_canvas.Canvas(buf, pdfVersion=PDF_VERSION, pageCompression=1)
        for i, (page, jpeg) in enumerate(zip(checked, jpegs, strict=True)):
            w_pt, h_pt = page_size_pt(page)
            c.setPageSize((w_pt, h_pt))
            c.drawImage(_JpegReader(jpeg), 0, 0, width=w_pt, height=h_pt)
            if i == 0:
                _draw_stamp(c, w_pt, h_pt, meta)
            c.showPage()
        c.save()

    # reportlab's info dictionary has no custom keys; pypdf rewrites the (small) object graph and
    # copies the image streams byte for byte.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
    writer.pdf_header = b"%PDF-" + f"{PDF_VERSION[0]}.{PDF_VERSION[1]}".encode()
    entries = _info_entries(meta, len(checked))
    writer.add_metadata({NameObject(k): TextStringObject(v) for k, v in entries.items()})
    writer.xmp_metadata = _xmp_packet(meta, entries)  # uncompressed: XMP is meant to be findable in raw bytes
    xmp = writer.root_object["/Metadata"].get_object()
    xmp[NameObject("/Type")] = NameObject("/Metadata")  # pypdf's setter leaves out what ISO 32000 requires
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --------------------------------------------------------------------------------------- store
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(text: str, fallback: str = "_") -> str:
    """A file/folder name made only of ``[A-Za-z0-9._-]``: no separators, no ``..``, no diacritics.

    Vietnamese letters are folded to ASCII (``Đ`` → ``D``) so names stay recognisable.
    """
    folded = unicodedata.normalize("NFD", nfc(text).replace("đ", "d").replace("Đ", "D"))
    ascii_ = "".join(ch for ch in folded if not unicodedata.combining(ch))
    name = _UNSAFE.sub("_", ascii_).strip("._-")  # no hidden files, no "." or ".." segments
    name = re.sub(r"\.{2,}", ".", name)
    return name[:80] or fallback


def scan_relative_path(meta: ScanMeta, suffix: int = 0) -> str:
    """``scans/YYYY/MM/<dossier code>/<component code>-<yyyyMMdd-HHmmss>[-n].pdf`` (POSIX separators)."""
    t = meta.scanned_at
    stem = f"{safe_name(meta.component_code, 'TP')}-{t:%Y%m%d-%H%M%S}" + (f"-{suffix}" if suffix else "")
    return f"scans/{t:%Y}/{t:%m}/{safe_name(meta.dossier_code, 'HS')}/{stem}.pdf"


@dataclass(frozen=True)
class StagedComponent:
    """Stage 1's result: the finished (signed, maybe encrypted) PDF of one component, fsync'ed in a
    staging folder of the data directory and not yet registered anywhere.

    Picklable and small (paths, hashes, the ``files.meta`` dict): stage 2
    (:func:`counter_app.services.digitise.commit_component`) moves ``staged_path`` to ``rel_path``
    and registers it in one short transaction on the database thread. The sidecar
    ``<staged_path>.json`` holds the same facts, so a staged file survives a crash between the stages
    and the next save of the session registers it without building or signing it again.
    """

    staged_path: Path          # absolute, inside the data directory (a scan session's ``staged/``)
    rel_path: str              # where it goes: ``scans/…`` relative to the data directory, '/'-separated
    sha256: str                # of the bytes on disk (the envelope in an encrypted directory)
    size: int
    plain_sha256: str          # of the PDF itself
    plain_size: int
    page_count: int
    declared_pages: int | None
    page_mismatch: bool
    signed: bool
    meta: dict[str, Any]       # what ``files.meta`` will hold
    warnings: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    key: str = ""              # what it was made from (the caller's idempotence key)

    @property
    def encrypted(self) -> bool:
        """Stored as an envelope (an envelope is always longer than its content)."""
        return self.size != self.plain_size

    def to_json(self) -> dict[str, Any]:
        """The sidecar's content."""
        return {**{k: v for k, v in self.__dict__.items() if k != "staged_path"},
                "staged_path": str(self.staged_path), "warnings": list(self.warnings)}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> StagedComponent:
        """Back from a sidecar (``KeyError``/``TypeError`` on a malformed one)."""
        return cls(**{**raw, "staged_path": Path(raw["staged_path"]), "warnings": tuple(raw.get("warnings") or ())})


SIDECAR_SUFFIX = ".json"


def _pick_rel_path(root: Path, staging: Path, meta: ScanMeta) -> str:
    """A name under ``scans/`` that no stored file and no other staged file has (stage 2 re-checks).

    Two saves of one component in the same second get ``-1``, ``-2``…; only the database thread
    moves files into ``scans/``, so stage 2's check is final.
    """
    scans = (root / "scans").resolve()
    claimed: set[str] = set()
    for side in staging.glob("*" + SIDECAR_SUFFIX):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError, AttributeError):
            claimed.add(json.loads(side.read_text(encoding="utf-8"))["rel_path"])
    for n in range(0, 1000):
        rel = scan_relative_path(meta, n)
        path = (root / rel).resolve()
        if not path.is_relative_to(scans):  # belt and braces: safe_name already forbids this
            raise ValueError(f"scan path escapes the scans folder: {rel!r}")
        if rel not in claimed and not path.exists():
            return rel
    raise RuntimeError("too many scans of one component in one second")  # pragma: no cover


def write_component_pdf(
    data_root: str | Path,
    staging_dir: str | Path,
    pages: Sequence[PageImage],
    meta: ScanMeta,
    signer: OfficerSigner | None,
    declared_pages: int | None,
    options: OutputOptions | None = None,
    *,
    key: str = "",
) -> StagedComponent:
    """Stage 1 of saving a component: build, sign (if ``signer``) and write its PDF to ``staging_dir``.

    Pure: no database. ``meta`` must carry the dossier and component codes (stage 2 checks them
    against the database again). The PDF is encrypted when the data directory is, bound to its
    *final* path ``scans/…`` (the envelope's AAD), then written atomically (temp + fsync + rename)
    with a sidecar JSON written the same way after it — a sidecar only ever describes a complete
    file. Nothing is written under ``scans/``: a crash before stage 2 leaves nothing there.

    Without a signer the file is unsigned and the result carries a warning; a signer that fails
    (expired certificate, token pulled) raises, so the officer decides. In an encrypted data
    directory whose keys are not opened, :class:`counter_app.vault.Locked` is raised before any
    work is done.
    """
    options = options or OutputOptions()
    root = Path(data_root).resolve()
    staging = Path(staging_dir).resolve()
    if not staging.is_relative_to(root):
        raise ValueError(f"staging folder {staging} is outside the data directory {root}")
    if declared_pages is not None and declared_pages < 1:
        raise ValidationError("Số trang giấy khai báo phải từ 1 trở lên.")
    if not meta.dossier_code or not meta.component_code:
        raise ValueError("meta must carry the dossier and component codes")
    # Encrypted but locked: say so now, before seconds of JPEG encoding and signing are wasted.
    ring = vault.require_ring(root)
    meta = replace(meta, declared_pages=declared_pages)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    pdf = build_component_pdf(pages, meta, options)
    timings["build"] = (time.perf_counter() - t0) * 1000
    warnings: list[str] = []
    signer_info: dict[str, Any] = {}
    if signer is not None:
        t0 = time.perf_counter()
        pdf = sign_pdf(pdf, signer, stamp_box(PageImage(*pages[0]), meta),
                       reason=DEFAULT_REASON, location=meta.agency_name)
        timings["sign"] = (time.perf_counter() - t0) * 1000
        signer_info = {"signer": signer.holder, "cert_sha256": signer.fingerprint_sha256}
    else:
        warnings.append(
            "Bản số hóa chưa được ký số (chưa cấu hình chứng thư số cho cán bộ); cần ký bổ sung theo "
            "Thông tư 01/2023/TT-VPCP."
        )
    page_count = len(pages)
    mismatch = declared_pages is not None and declared_pages != page_count
    if mismatch:
        warnings.append(
            f"Số ảnh ({page_count}) khác số trang giấy khai báo ({declared_pages}); kiểm tra trang bị thiếu "
            "hoặc quét trùng."
        )

    t0 = time.perf_counter()
    staging.mkdir(parents=True, exist_ok=True)
    rel = _pick_rel_path(root, staging, meta)
    blob = crypto.encrypt_bytes(ring, pdf, rel) if ring is not None else pdf
    staged_path = staging / f"{uuid.uuid4().hex}.pdf"
    sha = atomic_write_bytes(staged_path, blob)
    timings["write"] = (time.perf_counter() - t0) * 1000
    plain_sha = sha256_bytes(pdf) if ring is not None else sha
    profile = options.profile()
    file_meta = {
        "dossier_code": meta.dossier_code,
        "component_code": meta.component_code,
        "component_name": meta.component_name,
        "officer": nfc(meta.officer_name),
        "officer_id": meta.officer_id,
        "scanned_at": f"{meta.scanned_at:%Y-%m-%d %H:%M:%S}",
        "page_count": page_count,
        "declared_pages": declared_pages,
        "page_mismatch": mismatch,
        "doc_type": str(DocType(options.doc_type)),
        "jpeg_quality": profile.quality,
        "dpi": sorted({round(float(p[1])) for p in pages}),
        "signed": signer is not None,
        **signer_info,
        # What the province receives and what a reader checks after decrypting (sync, import).
        "plain_sha256": plain_sha,
        "plain_size": len(pdf),
    }
    staged = StagedComponent(
        staged_path=staged_path, rel_path=rel, sha256=sha, size=len(blob), plain_sha256=plain_sha,
        plain_size=len(pdf), page_count=page_count, declared_pages=declared_pages, page_mismatch=mismatch,
        signed=signer is not None, meta=file_meta, warnings=tuple(warnings), timings_ms=timings, key=key,
    )
    atomic_write_bytes(staged_path.with_suffix(SIDECAR_SUFFIX),
                       json.dumps(staged.to_json(), ensure_ascii=False).encode())
    log.info("staged component %s of %s: %d pages, %d bytes, signed=%s, encrypted=%s",
             meta.component_code, meta.dossier_code, page_count, len(pdf), signer is not None, ring is not None)
    return staged


def read_staged(staging_dir: str | Path) -> list[StagedComponent]:
    """The complete staged files of a staging folder (a sidecar is written only after its file).

    A sidecar whose file is missing or whose bytes do not match its checksum is skipped (and its
    file left for the folder's removal): storing such a file could register a damaged scan.
    """
    found: list[StagedComponent] = []
    for side in sorted(Path(staging_dir).glob("*" + SIDECAR_SUFFIX)):
        try:
            staged = StagedComponent.from_json(json.loads(side.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("unreadable staging record %s: %s", side.name, exc)
            continue
        found.append(staged)
    return found


def staged_file_intact(staged: StagedComponent) -> bool:
    """Whether the staged file is on disk with exactly the bytes stage 1 wrote (size, then SHA-256)."""
    try:
        return (staged.staged_path.stat().st_size == staged.size
                and sha256_file(staged.staged_path) == staged.sha256)
    except OSError:
        return False
