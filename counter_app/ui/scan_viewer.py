"""«Xem bản số hóa»: a stored PDF (a scan, or a form) shown inside the app, decrypted in memory.

Files of an encrypted data directory are envelopes on disk (``counter_app.vault``): an officer
could not open them with a PDF reader, and must not need to — the plaintext never touches the
disk here. The bytes are read and decrypted once on a pool thread; every page render and the
signature check then run on the pool too (PDFium through :mod:`counter_app.pdfium`, pyHanko
validation off the UI thread), so a 30-page scan never freezes the counter.

Keys: PageDown/PageUp or the thumbnails change page; Ctrl++ / Ctrl+- zoom; Ctrl+0 fits the width;
Esc closes.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app.errors import CounterError
from counter_app.services.scan_station import scan_file_row
from counter_app.ui.errors import error_html
from counter_app.ui.qt import (
    QDialog,
    QHBoxLayout,
    QIcon,
    QImage,
    QKeySequence,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QPushButton,
    QScrollArea,
    QShortcut,
    QSize,
    Qt,
    QVBoxLayout,
    QWidget,
)
from counter_app.ui.screen import fit_to_screen
from counter_app.ui.tasks import DbWorker, run_in_pool

log = logging.getLogger(__name__)

__all__ = ["ScanViewer", "SignatureView", "check_signature_text", "open_component_scan", "open_file"]

ZOOMS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0, 3.0)
"""Zoom steps, as a fraction of the page's size at 96 dpi (1.0 = an A4 page ~794 px wide)."""
THUMB_WIDTH = 110  # px: six thumbnails fit beside an A4 page on a 768-pixel-high screen
MAX_PAGES_THUMBS = 200  # a 1,000-page PDF does not hold its thumbnails all in memory


@dataclass(frozen=True)
class OpenedPdf:
    """The decrypted PDF and what the first look needs (built on a pool thread)."""

    data: bytes                        # plaintext, in memory only
    sizes: tuple[tuple[float, float], ...]  # page sizes in points
    thumbs: tuple[QImage, ...]


@dataclass(frozen=True)
class SignatureView:
    """The signature status as the officer reads it."""

    text: str
    level: str   # "ok" | "warn" | "bad" | "none"


def _qimage(pil_image: Any) -> QImage:
    rgb = pil_image.convert("RGB")
    return QImage(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3, QImage.Format.Format_RGB888).copy()


def _open(path: Path) -> OpenedPdf:
    """Pool thread: decrypt, count pages, render thumbnails (through the one PDFium adapter)."""
    from counter_app import pdfium, vault

    data = vault.load_path(path)
    sizes = pdfium.page_sizes(data)  # a damaged file: PdfUnreadable, said in Vietnamese
    pdf = pdfium.open_document(data)
    try:
        thumbs = [_qimage(pdfium.render_page(pdf, i, THUMB_WIDTH / max(w, 1.0)))
                  for i, (w, _h) in enumerate(sizes[:MAX_PAGES_THUMBS])]
    finally:
        with pdfium.PDFIUM_LOCK:
            pdf.close()
    return OpenedPdf(data=data, sizes=tuple(sizes), thumbs=tuple(thumbs))


def _render(data: bytes, index: int, zoom: float) -> QImage:
    """Pool thread: one page at ``zoom`` (1.0 = 96 dpi)."""
    from counter_app import pdfium

    pdf = pdfium.open_document(data)
    try:
        image = pdfium.render_page(pdf, index, zoom * 96 / 72)
    finally:
        with pdfium.PDFIUM_LOCK:
            pdf.close()
    return _qimage(image)


def check_signature_text(data: bytes) -> SignatureView:
    """Validate the PDF's signature offline (pyHanko) and say in Vietnamese who signed and whether
    it holds. Runs on a pool thread: validation parses the whole file and hashes it."""
    from counter_app.scanning.signing import check_signature

    try:
        check = check_signature(data)
    except Exception:  # a malformed signature dictionary is a finding, not a crash
        log.warning("signature check failed", exc_info=True)
        return SignatureView("⚠ Không kiểm tra được chữ ký số của tệp này (cấu trúc chữ ký lỗi).", "bad")
    if not check.signed:
        return SignatureView("⚠ Tệp chưa được ký số: bản số hóa này chưa có chữ ký số của cán bộ.", "none")
    who = check.signer_name or "(không rõ tên)"
    if not (check.intact and check.valid):
        return SignatureView(f"✖ Chữ ký số của {who} KHÔNG hợp lệ: tệp đã bị thay đổi sau khi ký. "
                             "Không dùng bản này; báo giám sát để quét lại.", "bad")
    text = f"✔ Đã ký số bởi {who} — chữ ký hợp lệ"
    text += ", tệp không bị sửa sau khi ký" if check.covers_whole_file else \
        " (có phần được thêm vào sau khi ký)"
    if check.trusted:
        return SignatureView(text + ".", "ok")
    # The demo and self-issued certificates are not on the national trust list (docs/digitisation.md).
    return SignatureView(text + ". Chứng thư số chưa thuộc danh sách tin cậy (chứng thư thử nghiệm).", "warn")


# A form's file name (services/forms.py: ``{code}-{slug}-{HHMMSS}.pdf``) → what the officer calls it.
FORM_TITLES = {"giay-tiep-nhan": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
               "phieu-yeu-cau-bo-sung": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
               "phieu-tu-choi": "Phiếu từ chối tiếp nhận, giải quyết hồ sơ",
               "phieu-xin-loi": "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
               "phieu-kiem-soat": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
               "thong-bao-dung": "Thông báo dừng giải quyết hồ sơ"}


def _form_title(path: Path) -> str | None:
    return next((f"{name} — {path.stem.split('-' + slug)[0]}" for slug, name in FORM_TITLES.items()
                 if f"-{slug}-" in f"{path.stem}-"), None)


class ScanViewer(QDialog):
    """Pages (thumbnails + one page large), zoom and the signature status of one stored PDF."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None, *, subtitle: str = "") -> None:
        super().__init__(parent)
        self.path = path
        form = _form_title(path) if "documents" in path.parts else None
        if form is not None:  # a form the app printed (the receipt step's «Xem»), not a citizen's paper
            title = form
        self.setWindowTitle(f"{'Xem giấy tờ' if form else 'Xem bản số hóa'} — {title}")
        self.is_form = form is not None
        self.data: bytes | None = None
        self.sizes: tuple[tuple[float, float], ...] = ()
        self.page_index = 0
        self.zoom: float | None = None  # None: fit the width
        self.shown_zoom = 0.0
        self.signature: SignatureView | None = None
        self.error: str | None = None
        self._pending: tuple[int, float] | None = None

        self.head = QLabel(f"<b>{title}</b>" + (f"<br>{subtitle}" if subtitle else ""))
        self.head.setWordWrap(True)
        self.sig_label = QLabel("<i style='color:#555'>Đang kiểm tra chữ ký số…</i>")
        self.sig_label.setWordWrap(True)
        self.thumbs = QListWidget()
        # Icon mode in one column: the page number under its thumbnail, not cut off beside it.
        self.thumbs.setViewMode(QListWidget.ViewMode.IconMode)
        self.thumbs.setFlow(QListWidget.Flow.TopToBottom)
        self.thumbs.setWrapping(False)
        self.thumbs.setMovement(QListWidget.Movement.Static)
        self.thumbs.setSpacing(4)
        self.thumbs.setIconSize(QSize(THUMB_WIDTH, int(THUMB_WIDTH * 1.42)))
        self.thumbs.setFixedWidth(THUMB_WIDTH + 40)
        self.thumbs.currentRowChanged.connect(self.show_page)
        self.page_label = QLabel("Đang mở tệp…")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.page_label)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.info = QLabel("")
        zoom_out = QPushButton("Thu nhỏ (Ctrl+-)")
        zoom_in = QPushButton("Phóng to (Ctrl++)")
        fit = QPushButton("Vừa khung (Ctrl+0)")
        close = QPushButton("Đóng (Esc)")
        zoom_out.clicked.connect(lambda: self.step_zoom(-1))
        zoom_in.clicked.connect(lambda: self.step_zoom(+1))
        fit.clicked.connect(self.fit_width)
        close.clicked.connect(self.accept)
        # One shortcut object per action, each with all its key sequences: two QShortcuts on the same
        # keys are ambiguous and Qt fires neither (Ctrl+= is also the platform's ZoomIn under X11).
        for keys, fn in ((("Ctrl++", "Ctrl+=", "Ctrl+Shift+=", "Ctrl+Shift++"), lambda: self.step_zoom(+1)),
                         (("Ctrl+-",), lambda: self.step_zoom(-1)), (("Ctrl+0",), self.fit_width),
                         (("PgDown",), lambda: self._go(+1)), (("PgUp",), lambda: self._go(-1))):
            shortcut = QShortcut(self)
            shortcut.setKeys([QKeySequence(k) for k in keys])
            shortcut.activated.connect(fn)
        for b in (zoom_out, zoom_in, fit, close):
            b.setAutoDefault(False)  # Enter in the viewer changes nothing
        bar = QHBoxLayout()
        bar.addWidget(self.info, 1)
        for b in (zoom_out, zoom_in, fit, close):
            bar.addWidget(b)
        body = QHBoxLayout()
        body.addWidget(self.thumbs)
        body.addWidget(self.scroll_area, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.head)
        lay.addWidget(self.sig_label)
        lay.addLayout(body, 1)
        lay.addLayout(bar)
        fit_to_screen(self, 1000, 900)
        run_in_pool(lambda: _open(path), self._opened, self._failed)

    # ---------------------------------------------------------------- loading
    def _opened(self, opened: OpenedPdf) -> None:
        self.data, self.sizes = opened.data, opened.sizes
        for i, img in enumerate(opened.thumbs):
            item = QListWidgetItem(QIcon(QPixmap.fromImage(img)), f"Trang {i + 1}")
            self.thumbs.addItem(item)
        for i in range(len(opened.thumbs), len(self.sizes)):
            self.thumbs.addItem(QListWidgetItem(f"Trang {i + 1}"))
        data = opened.data
        if self.is_form:  # the app's own form: printed, then signed and stamped on paper
            self.sig_label.setText("Giấy tờ do chương trình lập: in ra để ký và đóng dấu.")
        else:
            run_in_pool(lambda: check_signature_text(data), self._signature_checked, self._signature_failed)
        if self.sizes:
            self.thumbs.setCurrentRow(0)
            self.thumbs.setFocus()
        else:
            self.page_label.setText("Tệp không có trang nào.")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, CounterError):
            self.error = exc.user_message()
        else:
            log.error("could not open %s", self.path.name, exc_info=(type(exc), exc, exc.__traceback__))
            self.error = "Không mở được tệp. Báo quản trị kèm tệp nhật ký."
        self.page_label.setText(error_html(html.escape(str(self.error), quote=False)))
        self.sig_label.setText("")

    def _signature_checked(self, view: SignatureView) -> None:
        self.signature = view
        colour = {"ok": "#080", "warn": "#a60", "bad": "#b00", "none": "#a60"}.get(view.level, "#555")
        self.sig_label.setText(f"<span style='color:{colour}'>{view.text}</span>")

    def _signature_failed(self, exc: BaseException) -> None:
        self._signature_checked(SignatureView("⚠ Không kiểm tra được chữ ký số.", "bad"))

    # ---------------------------------------------------------------- pages and zoom
    def _fit_zoom(self, index: int) -> float:
        w_pt = self.sizes[index][0] if self.sizes else 595.0
        room = max(self.scroll_area.viewport().width() - 24, 200)
        return max(ZOOMS[0], min(room / (w_pt * 96 / 72), ZOOMS[-1]))

    def current_zoom(self) -> float:
        """The zoom the page is (or is about to be) drawn at."""
        return self.zoom if self.zoom is not None else self._fit_zoom(self.page_index)

    def show_page(self, index: int) -> None:
        """Render page ``index`` (0-based) at the current zoom, off the UI thread."""
        if self.data is None or not 0 <= index < len(self.sizes):
            return
        self.page_index = index
        zoom = self.current_zoom()
        self.info.setText(f"Trang {index + 1}/{len(self.sizes)} · {round(zoom * 100)}%")
        if self._pending is not None:  # a render is running: draw the newest request after it
            self._pending = (index, zoom)
            return
        self._pending = (index, zoom)
        data = self.data
        run_in_pool(lambda: _render(data, index, zoom), lambda img: self._rendered(index, zoom, img),
                    self._failed)

    def _rendered(self, index: int, zoom: float, img: QImage) -> None:
        wanted = self._pending
        self._pending = None
        if wanted is not None and wanted != (index, zoom):
            self.show_page(wanted[0])
            return
        self.page_label.setPixmap(QPixmap.fromImage(img))
        self.shown_zoom = zoom

    def step_zoom(self, direction: int) -> None:
        """One zoom step in or out."""
        now = self.current_zoom()
        # A visible step from wherever "fit the width" left it (0.985 → 1.0 looked like no change).
        if direction > 0:
            self.zoom = next((z for z in ZOOMS if z > now * 1.08), ZOOMS[-1])
        else:
            self.zoom = next((z for z in reversed(ZOOMS) if z < now / 1.08), ZOOMS[0])
        self.show_page(self.page_index)

    def fit_width(self) -> None:
        """Zoom so the page's width fills the view."""
        self.zoom = None
        self.show_page(self.page_index)

    def _go(self, delta: int) -> None:
        row = self.page_index + delta
        if 0 <= row < self.thumbs.count():
            self.thumbs.setCurrentRow(row)


# ------------------------------------------------------------------------------ opening
def _describe(row: dict[str, Any]) -> tuple[str, str]:
    title = row.get("component_name") or row.get("name") or "Tệp"
    bits = [f"Hồ sơ {row['dossier_code']}" if row.get("dossier_code") else "",
            f"{row['page_count']} trang" if row.get("page_count") else "",
            f"số hóa lúc {row['created_at'][11:16]} {row['created_at'][8:10]}/{row['created_at'][5:7]}/"
            f"{row['created_at'][:4]}" if row.get("created_at") else ""]
    return str(title), " · ".join(b for b in bits if b)


def open_file(parent: QWidget, worker: DbWorker, data_root: Path, *, file_id: int | None = None,
              component_id: int | None = None) -> None:
    """Look the file up on the database worker, then show it in a :class:`ScanViewer`."""
    uid = worker.user_id

    def shown(row: dict[str, Any] | None) -> None:
        if row is None:
            from counter_app.ui.qt import QMessageBox

            QMessageBox.information(parent, "Chưa có bản số hóa", "Thành phần này chưa được số hóa.")
            return
        root = Path(data_root).resolve()
        path = (root / row["path"]).resolve()
        if not path.is_relative_to(root):  # a tampered row must not make us read outside the data directory
            from counter_app.ui.qt import QMessageBox

            QMessageBox.warning(parent, "Không mở được tệp", "Đường dẫn tệp trong cơ sở dữ liệu không hợp lệ. "
                                "Báo quản trị chạy «Kiểm tra kho lưu trữ».")
            return
        title, subtitle = _describe(row)
        viewer = ScanViewer(path, title, parent, subtitle=subtitle)
        viewer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        parent.last_viewer = viewer  # type: ignore[attr-defined]  # tests and the e2e suite find it here
        viewer.open()

    worker.submit(lambda cdb: scan_file_row(cdb, file_id=file_id, component_id=component_id, user_id=uid), shown)


def open_component_scan(parent: QWidget, worker: DbWorker, data_root: Path, component_id: int) -> None:
    """The newest scan of a dossier component (scan station, dossier detail)."""
    open_file(parent, worker, data_root, component_id=component_id)
