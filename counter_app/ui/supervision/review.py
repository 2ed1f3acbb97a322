"""Tab «Kiểm tra chất lượng»: digitised components waiting for review, page 1 preview, «Đạt» / «Không đạt…»."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.errors import CounterError
from counter_app.pdfium import PDFIUM_LOCK
from counter_app.reports import indicators as ind
from counter_app.services import review
from counter_app.services.session import Actor
from counter_app.ui.errors import show_exception
from counter_app.ui.qt import QHBoxLayout, QImage, QInputDialog, QLabel, QPixmap, QPushButton, Qt, QVBoxLayout, QWidget
from counter_app.ui.supervision.common import dmy_hm, fill, table
from counter_app.ui.tasks import run_in_pool

if TYPE_CHECKING:
    from counter_app.ui.supervision.page import SupervisionPage

log = logging.getLogger(__name__)

__all__ = ["ReviewTab", "render_first_page"]


class ReviewTab(QWidget):
    """The queue (newest first) beside the selected scan's first page and its facts."""

    def __init__(self, page: SupervisionPage) -> None:
        super().__init__()
        self.page = page
        self.rows: list[dict[str, Any]] = []
        self._preview_for: int | None = None
        lay = QHBoxLayout(self)
        left = QVBoxLayout()
        self.title = QLabel("<b>Bản số hóa chờ kiểm tra</b> (mới nhất trước)")
        left.addWidget(self.title)
        self.review_table = table(["Mã hồ sơ", "Thành phần", "Cán bộ", "Quét lúc", "Ghi chú"])
        self.review_table.currentCellChanged.connect(lambda r, _c, _pr, _pc: self.select(r))
        left.addWidget(self.review_table, 1)
        lay.addLayout(left, 3)
        right = QVBoxLayout()
        self.preview = QLabel("Chọn một bản số hóa để xem trang đầu.")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(300, 360)
        self.preview.setStyleSheet("background:#f4f4f4; border:1px solid #ccc;")
        right.addWidget(self.preview, 1)
        self.meta = QLabel("")
        self.meta.setWordWrap(True)
        self.meta.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.meta)
        row = QHBoxLayout()
        self.approve_btn = QPushButton("Đạt")
        self.approve_btn.setStyleSheet("font-weight:bold; color:#1b7f3b;")
        self.approve_btn.clicked.connect(lambda: self.approve_selected())
        self.reject_btn = QPushButton("Không đạt…")
        self.reject_btn.setStyleSheet("font-weight:bold; color:#b3261e;")
        self.reject_btn.clicked.connect(lambda: self.reject_selected())
        for b in (self.approve_btn, self.reject_btn):
            b.setEnabled(False)
            row.addWidget(b)
        right.addLayout(row)
        lay.addLayout(right, 2)

    def show_dashboard(self, d: ind.Dashboard) -> None:
        """Fill the queue and select its first row (or say there is nothing to review)."""
        self.rows = d.reviews
        fill(self.review_table, [[r["code"], r["component_name"], r["officer_name"] or "", dmy_hm(r["scanned_at"]),
                                  "Đã quét lại" if r["rescanned"] else ""] for r in d.reviews],
             [r["component_id"] for r in d.reviews])
        if not d.reviews:
            self._preview_for = None
            self.preview.setPixmap(QPixmap())
            self.preview.setText("Không có bản số hóa nào chờ kiểm tra.")
            self.meta.setText("")
            self.approve_btn.setEnabled(False)
            self.reject_btn.setEnabled(False)
        else:
            self.review_table.selectRow(0)
            self.select(0)

    def select(self, row: int) -> None:
        """Show row ``row``'s facts and render its first page in the pool."""
        if not 0 <= row < len(self.rows):
            return
        r = self.rows[row]
        self.approve_btn.setEnabled(True)
        self.reject_btn.setEnabled(True)
        pages = r["page_count"] or "?"
        declared = r["page_count_declared"]
        page_note = f"{pages} trang" + (f" (khai {declared})" if declared and declared != r["page_count"] else "")
        self.meta.setText(
            f"<b>{r['code']}</b> — {r['procedure_name'] or r['procedure_code']}<br>"
            f"Thành phần: <b>{r['component_name']}</b> ({r['component_code']})<br>"
            f"Người nộp: {r['applicant_name']} · Tiếp nhận: {dmy_hm(r['received_at'])}<br>"
            f"Số hóa: {r['officer_name'] or '—'} lúc {dmy_hm(r['scanned_at'])} · {page_note} · "
            f"{'đã ký số' if r['signed'] else 'chưa ký số'} · {r['size'] // 1024} KB"
            + (f"<br><span style='color:#b3261e'>Lần trước không đạt: {r['review_note']}</span>"
               if r["rescanned"] and r["review_note"] else ""))
        self._preview_for = r["file_id"]
        path = self.page.data_root / r["path"]
        self.preview.setPixmap(QPixmap())
        self.preview.setText("Đang mở…")
        fid = r["file_id"]
        run_in_pool(lambda: render_first_page(path), lambda img: self._show_preview(fid, img),
                    lambda e: self._preview_failed(fid, e))

    def _show_preview(self, file_id: int, image: object) -> None:
        if file_id != self._preview_for or not isinstance(image, QImage):
            return
        pix = QPixmap.fromImage(image)
        size = self.preview.size()
        self.preview.setPixmap(pix.scaled(size.width() - 8, size.height() - 8, Qt.AspectRatioMode.KeepAspectRatio,
                                          Qt.TransformationMode.SmoothTransformation))

    def _preview_failed(self, file_id: int, exc: BaseException) -> None:
        if file_id == self._preview_for:
            log.info("preview failed: %s", exc)
            if isinstance(exc, CounterError):  # keys not opened, scan changed or moved: say what to do
                self.preview.setText(f"Không mở được tệp số hóa. {exc.user_message()}")
            else:
                self.preview.setText("Không mở được tệp số hóa (tệp bị mất hoặc hỏng).")

    def current(self) -> dict[str, Any] | None:
        """The selected queue row, or None."""
        row = self.review_table.currentRow()
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _reviewer(self) -> Actor | int | None:
        """The signed-in supervisor (the worker's actor; the page's ``user_id`` for older callers)."""
        actor = getattr(self.page.worker, "actor", None)
        return actor if actor is not None else self.page.user_id

    def approve_selected(self) -> None:
        """«Đạt»: the scan matches the paper (recorded under the signed-in supervisor)."""
        r = self.current()
        if r is None:
            return
        cid, who = int(r["component_id"]), self._reviewer()
        self.page.worker.submit(lambda cdb: review.approve_component(cdb, cid, who),
                                lambda _r: self.page.refresh(), lambda e: show_exception(self, e))

    def reject_selected(self, reason: str | None = None) -> None:
        """«Không đạt…»: ask the reason; the component goes back to its officer for rescanning."""
        r = self.current()
        if r is None:
            return
        if reason is None:
            text, ok = QInputDialog.getText(self, "Bản số hóa không đạt",
                                            f"Lý do (cán bộ sẽ thấy khi quét lại «{r['component_name']}»):")
            if not ok:
                return
            reason = text
        cid, who, why = int(r["component_id"]), self._reviewer(), reason
        self.page.worker.submit(lambda cdb: review.reject_component(cdb, cid, why, who),
                                lambda _r: self.page.refresh(), lambda e: show_exception(self, e))


def render_first_page(path: Path) -> QImage:
    """Page 1 of a scan PDF as a QImage (pool thread; QImage is safe off the UI thread).

    The scan is decrypted in memory when the data directory is encrypted; a scan that cannot be
    decrypted raises its :class:`CounterError` (shown by :meth:`ReviewTab._preview_failed`).
    PDFium is not thread-safe (pypdfium2 docs): renders take the process-wide lock.
    """
    import pypdfium2 as pdfium

    from counter_app import vault

    data = vault.load_path(path)
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[0]
            w, _h = page.get_size()
            bitmap = page.render(scale=min(700 / max(w, 1), 2.0)).to_pil().convert("RGB")
            page.close()
        finally:
            pdf.close()
    raw = bitmap.tobytes()
    return QImage(raw, bitmap.width, bitmap.height, bitmap.width * 3, QImage.Format.Format_RGB888).copy()
