"""Print preview and printing of generated PDFs through Qt.

PDF pages are rasterised with pypdfium2 (PDFium, the engine Chrome uses; the PySide6 wheels do not
ship QtPdf) at the printer's resolution and painted at 100% scale: administrative forms must not
shrink on paper.

Files of the data directory may be encrypted at rest: they are read through
:func:`counter_app.vault.load_path` and PDFium gets the decrypted bytes (nothing is written to disk
in clear). A file that cannot be decrypted is explained to the officer, never shown as garbage.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from counter_app import vault
from counter_app.errors import CounterError
from counter_app.pdfium import PDFIUM_LOCK as _PDFIUM_LOCK  # PDFium is not thread-safe: one lock app-wide
from counter_app.ui.errors import show_exception
from counter_app.ui.qt import (
    QImage,
    QMessageBox,
    QPageLayout,
    QPageSize,
    QPainter,
    QPointF,
    QPrinter,
    QPrintPreviewDialog,
    QRectF,
    QSizeF,
    QWidget,
)
from counter_app.ui.screen import fit_to_screen


def _paint(pdf: pdfium.PdfDocument, printer: QPrinter) -> None:
    painter = QPainter()
    if not painter.begin(printer):
        return
    try:
        dpi = min(printer.resolution(), 300)
        target = printer.pageRect(QPrinter.Unit.DevicePixel)
        for i in range(len(pdf)):
            if i:
                printer.newPage()
            with _PDFIUM_LOCK:
                page = pdf[i]
                bitmap = page.render(scale=dpi / 72).to_pil().convert("RGB")
            data = bitmap.tobytes()
            image = QImage(data, bitmap.width, bitmap.height, bitmap.width * 3, QImage.Format.Format_RGB888)
            scale = printer.resolution() / dpi
            w, h = bitmap.width * scale, bitmap.height * scale
            fit = min(target.width() / w, target.height() / h, 1.0)
            painter.drawImage(QRectF(QPointF(0, 0), QSizeF(w * fit, h * fit)), image)
    finally:
        painter.end()


def load_pdf(path: Path) -> pdfium.PdfDocument:
    """Open a PDF of the data directory (decrypted in memory when stored encrypted) or any other PDF.

    Raises :class:`~counter_app.errors.CounterError` (keys not opened, file changed or moved),
    ``OSError`` or ``pdfium.PdfiumError``.
    """
    data = vault.load_path(path)  # a form is tens of KB and decrypts in well under a millisecond
    with _PDFIUM_LOCK:
        return pdfium.PdfDocument(data)


def preview_pdf(parent: QWidget | None, path: Path) -> None:
    """Open Qt's print preview for a PDF; the officer prints or saves from there."""
    try:
        pdf = load_pdf(path)
        with _PDFIUM_LOCK:
            w, h = pdf[0].get_size()
    except CounterError as exc:
        show_exception(parent, exc)
        return
    except (pdfium.PdfiumError, OSError, IndexError):
        QMessageBox.warning(parent, "Không mở được tệp",
                            f"Không đọc được {path}.\nTạo lại giấy tờ rồi in lại; nếu vẫn lỗi, báo quản trị.")
        return
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QSizeF(w, h), QPageSize.Unit.Point))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if w > h else QPageLayout.Orientation.Portrait)
    printer.setDocName(path.stem)
    dlg = QPrintPreviewDialog(printer, parent)
    dlg.setWindowTitle(f"Xem trước khi in — {path.name}")
    fit_to_screen(dlg, 900, 1000)  # as tall as the screen allows: an A4 page is tall
    dlg.paintRequested.connect(lambda p: _paint(pdf, p))
    dlg.exec()
