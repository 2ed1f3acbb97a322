"""The printed recovery key: one A4 page with the key (large and on one line), the agency, the
instructions and the signature lines; fonts embedded; the key never in the PDF's metadata."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import numpy as np
import pypdf
import pypdfium2 as pdfium

from counter_app import crypto
from counter_app.documents.recovery_sheet import TITLE, render_recovery_sheet

AGENCY = "Trung tâm Phục vụ hành chính công phường Ba Đình"


def test_sheet_has_the_key_agency_and_instructions_on_one_a4_page(tmp_path: Path) -> None:
    key = crypto.format_recovery_key(os.urandom(16))
    pdf = render_recovery_sheet(AGENCY, key, dt.datetime(2026, 3, 2, 9, 5))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    w, h = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(w), round(h)) == (595, 842)  # A4 portrait, points
    text = reader.pages[0].extract_text()
    assert key in text                                    # the one-line copy, as typed back
    assert key.replace("-", "") in "".join(text.split())  # the boxed characters, in order
    for words in (TITLE, AGENCY.upper(), "ngày 02 tháng 3 năm 2026", "Quên mật khẩu? Dùng khóa khôi phục",
                  "két", "không ai", "NGƯỜI GIỮ KHÓA", "Người nhận giữ"):
        assert words in text, words
    # Everything drawn with the embedded Liberation Serif (a counter PC may lack any other font).
    fonts = reader.pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        assert "LiberationSerif" in str(font["/BaseFont"])
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font \
            else font["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()
    meta = reader.metadata or {}
    assert all(key not in str(v) and key.replace("-", "") not in str(v) for v in meta.values())


def test_sheet_prints_legibly_the_key_boxes_are_inked() -> None:
    """Rasterised like a printer would: the key band holds dark box outlines and characters."""
    key = crypto.format_recovery_key(bytes(range(16)))
    pdf = render_recovery_sheet(AGENCY, key, dt.datetime(2026, 3, 2, 9, 5))
    page = pdfium.PdfDocument(pdf)[0]
    grey = np.asarray(page.render(scale=150 / 72).to_pil().convert("L"))
    dark = grey < 100

    def longest_run(row: np.ndarray) -> int:
        edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        return int((ends - starts).max()) if len(starts) else 0

    # Box borders are long unbroken dark lines (text never is): two rows of boxes give at least
    # four of them (top and bottom edges), in the upper third of the page where the key sits.
    lines = [y for y in range(dark.shape[0]) if longest_run(dark[y]) > 150]
    box_lines = [y for y in lines if y < dark.shape[0] / 3]
    assert len(box_lines) >= 4, lines
    # Inside the boxes: ink of the characters between the first box edges.
    top, bottom = box_lines[0], box_lines[-1]
    assert dark[top + 3:bottom - 3].sum() > 2000
    # Long agency names wrap instead of overflowing; the page stays one page.
    long = render_recovery_sheet("Trung tâm & <Phường> " * 30, key, dt.datetime(2026, 3, 2))
    assert len(pypdf.PdfReader(io.BytesIO(long)).pages) == 1
