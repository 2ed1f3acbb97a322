"""File import: JPEG, PNG, multi-page TIFF and PDF files the officer picks (or a hot folder finds).

Pages are streamed: a multi-page TIFF is decoded one frame at a time, a PDF is rendered one
page at a time at the requested dpi, so a 100-page file never sits in memory at once. Input
files are only read, never changed or moved (moving is the hot folder's job).

PDF rendering uses pypdfium2 (Google's PDFium, wheels for Windows/macOS/Linux, no system
packages) through the app's one PDFium adapter, :mod:`counter_app.pdfium`: PDFium is not
thread-safe, hence its process-wide :data:`~counter_app.pdfium.PDFIUM_LOCK` around every call.

A file of an encrypted data directory (an earlier scan picked again from ``scans/``) is an
envelope, not a PDF: it is decrypted in memory through :func:`counter_app.vault.load_path` and its
pages are rendered from those bytes; nothing is written in clear.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from counter_app import crypto, vault
from counter_app import pdfium as pdfium_adapter
from counter_app.errors import CounterError
from counter_app.pdfium import PDFIUM_LOCK as _PDFIUM_LOCK

from . import imageio
from .base import (
    AcquiredPage,
    CancelToken,
    CorruptImageError,
    ImageError,
    ImageTooLargeError,
    PasswordProtectedError,
    ScanSettings,
    SourceCapabilities,
    SourceUnavailableError,
    TruncatedImageError,
    UnsupportedFormatError,
)

log = logging.getLogger(__name__)

# A complete PDF (also after incremental updates) ends with "%%EOF" near its end. A file still
# being written by a scanner does not, and PDFium would "repair" it and show fewer pages.
_PDF_TAIL_BYTES = 2048

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"})


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file (lets consumers recognise a file imported twice after a crash)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_pdf_complete(path: Path, data: bytes | None = None) -> None:
    if data is not None:
        tail = data[-_PDF_TAIL_BYTES:]
    else:
        size = path.stat().st_size
        with path.open("rb") as handle:
            handle.seek(max(0, size - _PDF_TAIL_BYTES))
            tail = handle.read()
    if b"%%EOF" not in tail:
        raise TruncatedImageError(
            f"Tệp PDF «{path.name}» chưa trọn vẹn (thiếu phần kết thúc).", detail="no %%EOF", path=path
        )


def iter_pdf_pages(
    path: Path, *, dpi: int, gray: bool = False, max_pixels: int = imageio.MAX_PIXELS, data: bytes | None = None
) -> Iterator[tuple[np.ndarray, int, int]]:
    """Render each page of a PDF at ``dpi``; yields ``(bgr, page_index, page_count)``.

    ``data``: the PDF's bytes when they are not the file's (a decrypted envelope); ``path`` then
    only names the file in messages.
    """
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:  # pragma: no cover - packaging problem, not user input
        raise SourceUnavailableError(
            "Thiếu thư viện đọc PDF (pypdfium2).", hint="Hãy cài lại ứng dụng.", detail=str(exc)
        ) from exc

    if data is None:
        imageio.check_file(path)
    _check_pdf_complete(path, data)
    scale = dpi / 72.0  # PDF user space unit = 1/72 inch
    try:
        document = pdfium_adapter.open_document(data if data is not None else path)
    except pdfium.PdfiumError as exc:
        if pdfium_adapter.is_password_error(exc):
            raise PasswordProtectedError(detail=str(exc), path=path) from exc
        raise CorruptImageError(
            f"Tệp PDF «{path.name}» bị hỏng, không mở được.", detail=str(exc), path=path
        ) from exc
    with _PDFIUM_LOCK:
        count = len(document)
    try:
        if count == 0:
            raise CorruptImageError(f"Tệp PDF «{path.name}» không có trang nào.", path=path)
        for index in range(count):
            with _PDFIUM_LOCK:
                page = document[index]
                try:
                    width_pt, height_pt = page.get_size()
                    pixels = (width_pt * scale) * (height_pt * scale)
                    if pixels > max_pixels or width_pt <= 0 or height_pt <= 0:
                        raise ImageTooLargeError(
                            f"Trang {index + 1} của «{path.name}» ở {dpi} dpi quá lớn ({pixels / 1e6:.0f} MP).",
                            detail=f"{width_pt}x{height_pt} pt",
                            path=path,
                        )
                    bitmap = page.render(scale=scale, grayscale=gray)
                    try:
                        # pypdfium2 renders BGR by default: OpenCV's order, no conversion.
                        array = np.array(bitmap.to_numpy(), copy=True)
                    finally:
                        bitmap.close()
                except pdfium.PdfiumError as exc:
                    raise CorruptImageError(
                        f"Không hiển thị được trang {index + 1} của «{path.name}».", detail=str(exc), path=path
                    ) from exc
                finally:
                    page.close()
            if array.ndim == 2:
                array = np.ascontiguousarray(np.repeat(array[:, :, None], 3, axis=2))
            elif array.shape[2] == 4:
                array = np.ascontiguousarray(array[:, :, :3])
            yield array, index, count
    finally:
        with _PDFIUM_LOCK:
            document.close()


def iter_file_pages(
    path: Path,
    settings: ScanSettings,
    *,
    max_pixels: int = imageio.MAX_PIXELS,
    max_bytes: int = imageio.MAX_FILE_BYTES,
) -> Iterator[tuple[np.ndarray, int, dict[str, Any]]]:
    """All pages of one file as ``(bgr, dpi, meta)``, streamed; raises :class:`ImageError`.

    The format is decided by content. DPI: the file's own value when it states a believable
    one, else the requested ``settings.dpi`` (flagged ``dpi_estimated`` in ``meta``). PDFs are
    rendered at ``settings.dpi``.
    """
    imageio.check_file(path, max_bytes=max_bytes)
    head = imageio.read_head(path)
    if crypto.is_encrypted(head):
        data = _decrypt_stored(path)
        if imageio.sniff_format(data[:1024]) != "PDF":
            raise UnsupportedFormatError(f"Tệp «{path.name}» đã giải mã nhưng không phải tệp PDF.", path=path)
        for bgr, index, count in iter_pdf_pages(
            path, dpi=settings.dpi, gray=settings.color_mode == "gray", max_pixels=max_pixels, data=data
        ):
            yield bgr, settings.dpi, {"format": "PDF", "file_page": index, "file_pages": count, "encrypted": True}
        return
    fmt = imageio.sniff_format(head)
    if fmt == "PDF":
        for bgr, index, count in iter_pdf_pages(
            path, dpi=settings.dpi, gray=settings.color_mode == "gray", max_pixels=max_pixels
        ):
            yield bgr, settings.dpi, {"format": "PDF", "file_page": index, "file_pages": count}
        return
    for frame in imageio.iter_frames(path, max_pixels=max_pixels, max_bytes=max_bytes):
        meta: dict[str, Any] = {
            **frame.meta,
            "file_page": frame.frame_index,
            "file_pages": frame.meta.get("frames", 1),
            "dpi_estimated": frame.dpi is None,
        }
        meta.pop("frames", None)
        yield frame.image, frame.dpi or settings.dpi, meta


def _decrypt_stored(path: Path) -> bytes:
    """The plaintext of an envelope of the data directory; :class:`ImageError` when it cannot be opened."""
    try:
        return vault.load_path(path)
    except OSError as exc:
        raise ImageError("Không đọc được tệp.", detail=str(exc), path=path) from exc
    except CounterError as exc:  # keys not opened, or the envelope was changed or moved
        raise ImageError(f"Không giải mã được tệp «{path.name}»: {exc.message}", hint=exc.hint,
                         detail=type(exc).__name__, path=path) from exc


class FileImportSource:
    """Import pages from files, in the order given, streaming page by page.

    A file that cannot be read raises its :class:`ImageError` after the pages of the earlier
    files have been yielded; the file itself is left untouched, so nothing is lost.
    """

    kind = "file"

    def __init__(
        self,
        paths: Sequence[Path | str],
        *,
        max_pixels: int = imageio.MAX_PIXELS,
        max_bytes: int = imageio.MAX_FILE_BYTES,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        self.max_pixels = max_pixels
        self.max_bytes = max_bytes
        self.name = "Nhập từ tệp"

    def describe(self) -> str:
        """E.g. "Nhập từ tệp: 3 tệp"."""
        return f"{self.name}: {len(self.paths)} tệp"

    def capabilities(self) -> SourceCapabilities:
        """Files have no device settings; dpi only matters for PDF rendering."""
        return SourceCapabilities(
            input_sources=("flatbed",), dpi_range=(72, 600), extra={"suffixes": sorted(SUPPORTED_SUFFIXES)}
        )

    def pages(self, settings: ScanSettings, cancel: CancelToken) -> Iterator[AcquiredPage]:
        """Yield every page of every file in order."""
        index = 0
        for path in self.paths:
            if cancel.cancelled:
                return
            sha = None
            for bgr, dpi, meta in iter_file_pages(path, settings, max_pixels=self.max_pixels, max_bytes=self.max_bytes):
                if sha is None:
                    sha = file_sha256(path)
                yield AcquiredPage(
                    image=bgr,
                    dpi=dpi,
                    index=index,
                    source=f"file:{path.name}",
                    meta={**meta, "path": str(path), "file_sha256": sha},
                )
                index += 1
                if cancel.cancelled or (settings.max_pages is not None and index >= settings.max_pages):
                    return

    def close(self) -> None:
        """Nothing to release: files are opened per page batch and closed at once."""
