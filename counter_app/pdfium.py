"""The one adapter to PDFium (pypdfium2): the process-wide lock and the few operations the app needs.

PDFium is not thread-safe (pypdfium2 documentation: "PDFium is not thread-safe … callers must
serialise access"): two pool threads rendering at once — a print preview and the scan viewer, or a
PDF import and a supervision preview — can crash the whole process. Every call into PDFium in the
app therefore goes through this module or takes :data:`PDFIUM_LOCK` itself (issue #17: before, the
lock lived in a scan-source module and three UI modules imported it from there).

Qt-free (OCRmyPDF's rule: one adapter module per external engine, raising our own errors): the UI
turns the PIL images or arrays it gets into ``QImage`` itself. Imported lazily by callers where
start-up time matters; importing this module does not load pypdfium2 until it is used.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.errors import CounterError

if TYPE_CHECKING:
    import pypdfium2

__all__ = [
    "PDFIUM_LOCK",
    "PdfUnreadable",
    "document",
    "is_password_error",
    "open_document",
    "page_count",
    "page_sizes",
    "render_page",
]

PDFIUM_LOCK = threading.Lock()
"""The one lock every PDFium user in the app takes (printing, previews, viewers, PDF import)."""

PdfSource = bytes | str | Path


class PdfUnreadable(CounterError):
    """The bytes are not a PDF PDFium can open (damaged, truncated, not a PDF, password-protected)."""


def _pdfium() -> Any:
    import pypdfium2 as pdfium  # deferred: ~40 ms and a native library the window does not need at start

    return pdfium


def is_password_error(exc: BaseException) -> bool:
    """Whether a ``pypdfium2.PdfiumError`` says the file is encrypted with a password."""
    pdfium = _pdfium()
    return getattr(exc, "err_code", None) in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY)


def open_document(source: PdfSource) -> pypdfium2.PdfDocument:
    """Open a PDF (bytes in memory, or a path) under the lock; the caller closes it under the lock.

    Raises ``pypdfium2.PdfiumError`` unchanged (callers that must tell a password-protected file
    from a damaged one inspect it with :func:`is_password_error`).
    """
    pdfium = _pdfium()
    with PDFIUM_LOCK:
        return pdfium.PdfDocument(str(source) if isinstance(source, Path) else source)


@contextmanager
def document(source: PdfSource) -> Iterator[pypdfium2.PdfDocument]:
    """``with document(data) as pdf:`` — opened and closed under the lock, the body runs **inside** it.

    A damaged file raises :class:`PdfUnreadable` with a Vietnamese message.
    """
    pdfium = _pdfium()
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(source) if isinstance(source, Path) else source)
        except pdfium.PdfiumError as exc:
            raise PdfUnreadable("Tệp không phải PDF đọc được (có thể đã hỏng).",
                                hint="Chạy «Kiểm tra kho lưu trữ» hoặc báo quản trị.") from exc
        try:
            yield pdf
        finally:
            pdf.close()


def page_count(source: PdfSource) -> int:
    """Number of pages of a PDF."""
    with document(source) as pdf:
        return len(pdf)


def page_sizes(source: PdfSource) -> list[tuple[float, float]]:
    """Width and height of every page, in points (1/72 inch)."""
    with document(source) as pdf:
        sizes = []
        for i in range(len(pdf)):
            page = pdf[i]
            w, h = page.get_size()
            sizes.append((float(w), float(h)))
            page.close()
        return sizes


def render_page(pdf: pypdfium2.PdfDocument, index: int, scale: float, *, grayscale: bool = False) -> Any:
    """Page ``index`` of an open document at ``scale`` (1.0 = 72 dpi), as an RGB PIL image.

    Takes the lock itself; call it with a document from :func:`open_document` (not inside
    :func:`document`, which already holds the lock: the lock is not re-entrant).
    """
    with PDFIUM_LOCK:
        page = pdf[index]
        try:
            bitmap = page.render(scale=scale, grayscale=grayscale)
            try:
                return bitmap.to_pil().convert("L" if grayscale else "RGB")
            finally:
                bitmap.close()
        finally:
            page.close()
