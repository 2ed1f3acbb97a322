"""Print preview and printing of generated PDFs through Qt.

PDF pages are rasterised with pypdfium2 (PDFium, the engine Chrome uses; the PySide6 wheels do not
ship QtPdf) at the printer's resolution and painted at 100% scale: administrative forms must not
shrink on paper.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

from counter_app.scanning.sources.fileimport import (
    PDFIUM_LOCK as _PDFIUM_LOCK,  # PDFium is not thread-safe: one lock app-wide
)
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


def preview_pdf(parent: QWidget | None, path: Path) -> None:
    """Open Qt's print preview for a PDF; the officer prints or saves from there."""
    try:
        with _PDFIUM_LOCK:
            pdf = pdfium.PdfDocument(str(path))
            w, h = pdf[0].get_size()
    except (pdfium.PdfiumError, OSError):
        QMessageBox.warning(parent, "Không mở được tệp", f"Không đọc được {path}.")
        return
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QSizeF(w, h), QPageSize.Unit.Point))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if w > h else QPageLayout.Orientation.Portrait)
    printer.setDocName(path.stem)
    dlg = QPrintPreviewDialog(printer, parent)
    dlg.setWindowTitle(f"Xem trước khi in — {path.name}")
    dlg.paintRequested.connect(lambda p: _paint(pdf, p))
    dlg.exec()
