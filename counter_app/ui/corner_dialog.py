"""Adjust the four page corners by hand when automatic detection was wrong."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from counter_app.ui.qt import (
    QBrush,
    QColor,
    QDialog,
    QDialogButtonBox,
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsPolygonItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QPen,
    QPixmap,
    QPointF,
    QPolygonF,
    Qt,
    QVBoxLayout,
    QWidget,
)
from counter_app.ui.screen import fit_to_screen

HANDLE = 14


class _Handle(QGraphicsEllipseItem):
    def __init__(self, dialog: CornerDialog, x: float, y: float, r: float) -> None:
        super().__init__(-r, -r, 2 * r, 2 * r)
        self.dialog = dialog
        self.setPos(x, y)
        self.setBrush(QBrush(QColor(255, 80, 0, 200)))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self.dialog.update_polygon()
        return super().itemChange(change, value)


class CornerDialog(QDialog):
    """Shows the original page with four draggable corners (TL, TR, BR, BL)."""

    def __init__(self, image: np.ndarray, quad: list[list[float]] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Chỉnh bốn góc trang")
        from counter_app.ui.scan_station import to_qimage

        h, w = image.shape[:2]
        self.scale = min(1.0, 1400 / max(h, w))  # a screen-sized copy; corners are mapped back
        small = image if self.scale == 1.0 else cv2.resize(image, (int(w * self.scale), int(h * self.scale)))
        scene = QGraphicsScene(self)
        scene.addPixmap(QPixmap.fromImage(to_qimage(small)))
        pts = np.array(quad, float) * self.scale if quad is not None else np.array(
            [[0, 0], [small.shape[1] - 1, 0], [small.shape[1] - 1, small.shape[0] - 1], [0, small.shape[0] - 1]], float)
        self.poly = QGraphicsPolygonItem()
        self.poly.setPen(QPen(QColor(255, 80, 0), 3))
        scene.addItem(self.poly)
        r = HANDLE / max(self.scale, 0.25)
        self.handles = [_Handle(self, float(x), float(y), r) for x, y in pts]
        for hd in self.handles:
            scene.addItem(hd)
        self.update_polygon()
        self.view = view = QGraphicsView(scene)
        bb = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        bb.button(QDialogButtonBox.StandardButton.Ok).setText("Áp dụng")
        bb.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("Kéo bốn chấm cam tới đúng bốn góc tờ giấy, rồi nhấn «Áp dụng»."))
        lay.addWidget(view, 1)
        lay.addWidget(bb)
        fit_to_screen(self, 900, 900)

    def showEvent(self, event: Any) -> None:
        """Fit the whole page in the view once it has its real size (and again on every resize)."""
        super().showEvent(event)
        self._fit()

    def resizeEvent(self, event: Any) -> None:
        """Keep the whole page visible when the dialog is resized."""
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if hasattr(self, "view"):
            self.view.fitInView(self.view.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def update_polygon(self) -> None:
        """Redraw the outline through the handles."""
        if hasattr(self, "poly") and hasattr(self, "handles"):
            self.poly.setPolygon(QPolygonF([QPointF(h.pos()) for h in self.handles]))

    def quad(self) -> list[list[float]]:
        """Corners in original-image pixels."""
        return [[h.pos().x() / self.scale, h.pos().y() / self.scale] for h in self.handles]
