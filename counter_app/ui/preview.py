"""Qt's print preview for a PDF held in memory: nothing is written to disk.

Used where the PDF must never land in the data directory — the recovery-key sheet carries the
plaintext key (:class:`counter_app.ui.keys.RecoveryKeyDialog`). PDFs that are files go through
:func:`counter_app.ui.printing.preview_pdf`; both paint with the same 100 %-scale painter.
"""

from __future__ import annotations

from counter_app.ui.qt import QPageLayout, QPageSize, QPrinter, QPrintPreviewDialog, QSizeF, QWidget
from counter_app.ui.screen import fit_to_screen

__all__ = ["make_preview_dialog"]


def make_preview_dialog(parent: QWidget | None, pdf_bytes: bytes, title: str) -> QPrintPreviewDialog:
    """Qt's print preview for a PDF held in memory (nothing is written to disk)."""
    # Imported here: PDFium and the PDF stack are not needed to show the window at start-up.
    import pypdfium2 as pdfium

    from counter_app.pdfium import PDFIUM_LOCK
    from counter_app.ui.printing import _paint  # the painter every preview uses (100 % scale)

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(pdf_bytes)
        w, h = pdf[0].get_size()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QSizeF(w, h), QPageSize.Unit.Point))
    printer.setPageOrientation(QPageLayout.Orientation.Portrait)
    printer.setDocName(title)
    dlg = QPrintPreviewDialog(printer, parent)
    dlg.setWindowTitle(f"Xem trước khi in — {title}")
    fit_to_screen(dlg, 900, 1000)
    dlg.paintRequested.connect(lambda p: _paint(pdf, p))  # the closure keeps the document alive
    # The dialog only points at the printer: Python must keep it alive as long as the dialog
    # (a collected QPrinter under an open preview crashes the process).
    dlg.printer_ref = printer  # type: ignore[attr-defined]
    return dlg
