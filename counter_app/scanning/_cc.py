"""Connected components at half the cost: 16-bit labels, 32-bit ones only when those overflow.

OpenCV 5.1's ``connectedComponentsWithStats`` runs ~2.3× faster with 16-bit labels than with
its default 32-bit ones (an A4 page's 1100 × 850 glyph mask: 4.5 → 1.9 ms CPU) and gives the
same labels, stats and centroids. The pipeline labels such a mask four to seven times a page
(the glyph mask, the blank check, the line-blob estimator's two directions, the outline's
dark-line and faint masks): ~10 ms of the ~160 a real A4 scan costs (issue #13: time ≤ 2.0×
the JPEG floor).

16 bits number 65 534 components. OpenCV counts its provisional labels and raises rather than
wrap past that (``checkLabelTypeOverflowBeforeIncrement``); only such a mask — noise, hundreds of
thousands of specks — is labelled again with 32-bit labels.
"""

from __future__ import annotations

import cv2
import numpy as np


def components_with_stats(binary: np.ndarray, connectivity: int = 8
                          ) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    """``cv2.connectedComponentsWithStats(binary, connectivity=…)``: the same result, cheaper.

    The labels come back as uint16 when they fit, else int32: index or compare with them (as
    every caller does), do not compute with them.
    """
    try:
        n, labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=connectivity,
                                                                        ltype=cv2.CV_16U)
    except cv2.error:  # more labels than 16 bits hold (or a bad mask: raised again below)
        n, labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=connectivity)
    return int(n), labels, stats, centroids

