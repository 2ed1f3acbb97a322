"""The A5 guide sheet: one page, Vietnamese text, and a QR that decodes back to the portal URL."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pypdf
import pypdfium2 as pdfium

from counter_app.documents.guide_sheet import TITLE, render_guide_sheet, store_guide_sheet
from counter_app.documents.model import Agency
from counter_app.domain.catalogue import load_default_catalogue
from counter_app.domain.online import build_guide
from counter_app.services.qrimage import decode_qr

AGENCY = Agency(name="TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG PHƯỜNG BA ĐÌNH", parent_name="ỦY BAN NHÂN DÂN PHƯỜNG BA ĐÌNH",
                code="H01.37.01", place_name="Ba Đình", system_name="Quầy Một Cửa — Thành phố Hà Nội",
                unit_name="Trung tâm Phục vụ hành chính công phường Ba Đình")


def decode_pdf_qr(pdf: bytes, dpi: int = 150) -> str:
    """Rasterise page 1 like a printer/scanner would and read its QR with OpenCV."""
    page = pdfium.PdfDocument(pdf)[0]
    rgb = np.asarray(page.render(scale=dpi / 72).to_pil().convert("L"))
    return decode_qr(rgb)


def test_guide_sheet_renders_and_its_qr_opens_the_procedure_page(tmp_path: Path) -> None:
    procs = {p.code: p for p in load_default_catalogue()}
    guide = build_guide(procs["1.001193"], agency_name=AGENCY.unit_name)
    t0 = time.perf_counter()
    pdf = render_guide_sheet(guide, AGENCY, officer_name="Nguyễn Thị Lan")
    elapsed = time.perf_counter() - t0
    reader = pypdf.PdfReader(store_guide_sheet(tmp_path, guide.procedure_code, pdf))
    assert len(reader.pages) == 1
    w, h = (float(x) for x in reader.pages[0].mediabox.upper_right)
    assert (round(w), round(h)) == (420, 595)  # A5 portrait, points
    text = reader.pages[0].extract_text()
    for words in (TITLE, "Đăng ký khai sinh", "1.001193", "Trực tuyến toàn trình", "CÁC BƯỚC THỰC HIỆN",
                  "GIẤY TỜ CẦN CHUẨN BỊ", "Cán bộ hướng dẫn: Nguyễn Thị Lan", "Ba Đình"):
        assert words in text, words
    assert decode_pdf_qr(pdf) == guide.url
    assert elapsed < 2.0, elapsed


def test_every_fully_online_procedure_fits_one_page_and_decodes() -> None:
    procs = sorted((p for p in load_default_catalogue() if p.online_level == "toan_trinh"),
                   key=lambda p: -len(p.name) - sum(len(c.name) + len(c.note) for c in p.components))
    template = "https://dichvucong.hanoi.gov.vn/p/thu-tuc?ma={code}&nguon=quay"
    for i, p in enumerate(procs):
        guide = build_guide(p, url_template=template)
        pdf = render_guide_sheet(guide, AGENCY)
        assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1, p.code
        if i < 3:  # the longest texts; 150 dpi = a draft print or a phone photo of it (printers: 300-600)
            assert decode_pdf_qr(pdf, dpi=150) == guide.url, p.code
