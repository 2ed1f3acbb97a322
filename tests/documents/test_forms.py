"""Printed forms: render each one, read it back as text (pypdf) and as an image (pdftoppm + OpenCV).

Each PDF is rendered once per module (fixtures below) and rasterised only where the QR is checked,
which keeps the file well under 20 s on a shared machine.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from pathlib import Path

import cv2
import pypdf
import pytest
import qrcode
import qrcode.constants
from reportlab.lib.pagesizes import A4, A5, landscape

from counter_app.documents import (
    ND61_2018,
    ND118_2025,
    RECEIPT_COPIES,
    Applicant,
    ComponentLine,
    ComponentStatus,
    FormDossier,
    FormKind,
    _qrmask,
    form_title,
    forms_for_profile,
    parse_qr_payload,
    parse_qr_time,
    profile_for,
    render_apology,
    render_control_slip,
    render_form,
    render_receipt,
    render_refusal,
    render_register,
    render_stop_notice,
    render_supplement_request,
)
from counter_app.documents._text import vn_date, vn_datetime
from counter_app.documents.forms import signer_lines
from counter_app.documents.model import FeeLine
from counter_app.documents.profiles import form_label, form_number, form_profile_for
from counter_app.documents.qr import MAX_VERSION, build_qr_payload, fit_payload, qr_matrix
from counter_app.errors import ValidationError
from counter_dev.samples import sample_agency, sample_dossier, sample_register_rows

ISSUED = dt.datetime(2026, 10, 8, 14, 35, 12)
NAME = "Nguyễn Thị Hồng Nhung"

needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")


# ------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def pdf_text(pdf: bytes, page: int | None = None) -> str:
    """Extracted text, NFC, whitespace collapsed (line wraps must not break a comparison)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = reader.pages if page is None else [reader.pages[page]]
    text = " ".join(p.extract_text() for p in pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def decode_qr(pdf: bytes, tmp_path: Path, page: int = 1) -> str:
    """Rasterise ``page`` at 150 dpi like a cheap scan and decode its QR with OpenCV.

    Only the top-left region is rasterised (DOMAIN §2 puts the QR there): decoding from that crop
    both checks the position and keeps the test fast.
    """
    src = tmp_path / f"form-{page}.pdf"
    src.write_bytes(pdf)
    stem = tmp_path / f"page-{page}"
    width_pt, height_pt = page_size(pdf, page - 1)
    crop_w, crop_h = round(width_pt / 2 * 150 / 72), round(height_pt / 3 * 150 / 72)
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", str(page), "-l", str(page), "-singlefile",
         "-x", "0", "-y", "0", "-W", str(crop_w), "-H", str(crop_h), str(src), str(stem)],
        check=True,
        timeout=30,
    )
    image = cv2.imread(f"{stem}.png")
    assert image is not None
    # ArUco first: the classic detector misses some symbols at 3 px/module (see qr.py).
    text = cv2.QRCodeDetectorAruco().detectAndDecode(image)[0]
    if not text:
        text = cv2.QRCodeDetector().detectAndDecode(image)[0]
    assert text, "no QR code decoded from the top-left of the 150-dpi rendering"
    return text


def fonts_of(pdf: bytes) -> dict[str, bool]:
    """BaseFont name -> whether a TrueType font program is embedded, over all pages."""
    out: dict[str, bool] = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            else:
                descriptor = font.get("/FontDescriptor", {})
                descriptor = descriptor.get_object() if descriptor else {}
            out[str(font["/BaseFont"])] = "/FontFile2" in descriptor
    return out


def page_size(pdf: bytes, index: int = 0) -> tuple[float, float]:
    box = pypdf.PdfReader(io.BytesIO(pdf)).pages[index].mediabox
    return float(box.width), float(box.height)


# ------------------------------------------------------------------------------------------------
# fixtures: every form rendered once
# ------------------------------------------------------------------------------------------------

DossierForm = Callable[..., bytes]
SINGLE_FORMS: dict[FormKind, DossierForm] = {
    FormKind.RECEIPT: render_receipt,
    FormKind.SUPPLEMENT_REQUEST: render_supplement_request,
    FormKind.REFUSAL: render_refusal,
    FormKind.APOLOGY: render_apology,
    FormKind.CONTROL_SLIP: render_control_slip,
    FormKind.STOP_NOTICE: render_stop_notice,
}
CASES = [(k, ND118_2025) for k in SINGLE_FORMS] + [(k, ND61_2018) for k in SINGLE_FORMS if k != FormKind.STOP_NOTICE]


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[FormKind, str], bytes]:
    out = {}
    for kind, profile in CASES:
        out[(kind, profile)] = SINGLE_FORMS[kind](sample_dossier(profile), sample_agency(profile), issued_at=ISSUED)
    return out


@pytest.fixture(scope="module")
def register_pdf() -> bytes:
    return render_register(
        sample_register_rows(60), sample_agency(), dt.date(2026, 10, 1), dt.date(2026, 10, 31), issued_at=ISSUED
    )


def expected_due(kind: FormKind, d: FormDossier) -> dt.datetime | None:
    if kind == FormKind.REFUSAL:
        return None  # a refused dossier has no appointment
    if kind == FormKind.APOLOGY:
        return d.new_due_at  # the appointment in force after the apology
    return d.due_at


# ------------------------------------------------------------------------------------------------
# text, QR and fonts of every form
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "profile"), CASES, ids=[f"{k.value}-{p}" for k, p in CASES])
def test_text_matches_dossier(rendered: dict, kind: FormKind, profile: str) -> None:
    d = sample_dossier(profile)
    text = pdf_text(rendered[(kind, profile)])
    assert d.code in text
    assert NAME in text  # precomposed Vietnamese letters survive embedding and extraction
    assert d.procedure_name in text
    assert form_title(kind, profile).upper() in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "UBND PHƯỜNG" in text
    if kind in (FormKind.RECEIPT, FormKind.CONTROL_SLIP):
        assert vn_datetime(d.received_at) in text
    if kind in (FormKind.RECEIPT, FormKind.CONTROL_SLIP, FormKind.STOP_NOTICE):
        assert d.due_at is not None and vn_datetime(d.due_at) in text
    if kind in (FormKind.SUPPLEMENT_REQUEST, FormKind.REFUSAL, FormKind.APOLOGY, FormKind.STOP_NOTICE):
        assert d.reason in text


@needs_pdftoppm
@pytest.mark.parametrize(("kind", "profile"), CASES, ids=[f"{k.value}-{p}" for k, p in CASES])
def test_qr_carries_dossier_and_appointment(rendered: dict, kind: FormKind, profile: str, tmp_path: Path) -> None:
    d = sample_dossier(profile)
    data = parse_qr_payload(decode_qr(rendered[(kind, profile)], tmp_path))
    assert data["dossier_code"] == d.code
    assert data["form"] == form_number(kind, profile)
    assert data["procedure_code"] == d.procedure_code
    assert data["id_number"] == d.applicant.id_number
    assert data["document_name"] == form_title(kind, profile)
    assert data["system_name"] == sample_agency(profile).system_name
    assert parse_qr_time(data["issued_at"]) == ISSUED
    due = expected_due(kind, d)
    if due is None:
        assert "due_at" not in data
    else:
        assert parse_qr_time(data["due_at"]) == due


@needs_pdftoppm
def test_second_receipt_copy_has_the_qr_too(rendered: dict, tmp_path: Path) -> None:
    pdf = rendered[(FormKind.RECEIPT, ND118_2025)]
    data = parse_qr_payload(decode_qr(pdf, tmp_path, page=page_count(pdf)))
    assert data["dossier_code"] == sample_dossier().code


@pytest.mark.parametrize(("kind", "profile"), CASES[:3], ids=[f"{k.value}-{p}" for k, p in CASES[:3]])
def test_only_embedded_liberation_serif(rendered: dict, kind: FormKind, profile: str) -> None:
    fonts = fonts_of(rendered[(kind, profile)])
    assert fonts, "no fonts found"
    assert all("LiberationSerif" in name for name in fonts), fonts  # no base-14 Helvetica/Times
    assert all(fonts.values()), f"font program missing: {fonts}"


def test_single_forms_are_a5(rendered: dict) -> None:
    for pdf in rendered.values():
        assert page_size(pdf) == pytest.approx(A5, abs=0.5)


# ------------------------------------------------------------------------------------------------
# receipt specifics
# ------------------------------------------------------------------------------------------------


def test_receipt_two_copies_one_page_each(rendered: dict) -> None:
    pdf = rendered[(FormKind.RECEIPT, ND118_2025)]
    assert page_count(pdf) == 2
    assert RECEIPT_COPIES[0] in pdf_text(pdf, 0)
    assert RECEIPT_COPIES[1] in pdf_text(pdf, 1)
    text = pdf_text(pdf, 0)
    for label in ("NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "Quyển số: 05/2026", "Số thứ tự: 0075"):
        assert label in text
    assert "14 giờ 30 phút, ngày 08 tháng 10 năm 2026" in text
    assert "17 giờ 00 phút, ngày 08 tháng 10 năm 2026" in text  # same-day khai sinh (catalogue)


def test_receipt_fees_only_in_2025_profile(rendered: dict) -> None:
    assert "Phí, lệ phí" in pdf_text(rendered[(FormKind.RECEIPT, ND118_2025)])
    assert "8.000 đồng" in pdf_text(rendered[(FormKind.RECEIPT, ND118_2025)])
    assert "Phí, lệ phí" not in pdf_text(rendered[(FormKind.RECEIPT, ND61_2018)])


def test_receipt_needs_an_appointment() -> None:
    d = dataclasses.replace(sample_dossier(), due_at=None)
    with pytest.raises(ValidationError):
        render_receipt(d, sample_agency())


def test_long_component_list_flows_to_more_pages() -> None:
    comps = tuple(ComponentLine(f"Giấy tờ số {i} kèm theo hồ sơ đề nghị", 1, 1) for i in range(60))
    pdf = render_receipt(dataclasses.replace(sample_dossier(), components=comps), sample_agency(), issued_at=ISSUED)
    assert page_count(pdf) >= 4  # at least two pages per copy
    text = pdf_text(pdf)
    assert "1.60. Giấy tờ số 59" in text
    assert "Trang 1/" in text and "Liên 2: Giao người nộp" in text


# ------------------------------------------------------------------------------------------------
# register (06)
# ------------------------------------------------------------------------------------------------


def test_register_paginates_a4_landscape_with_repeated_header(register_pdf: bytes) -> None:
    n = page_count(register_pdf)
    assert n >= 2
    for i in range(n):
        assert page_size(register_pdf, i) == pytest.approx(landscape(A4), abs=0.5)
        page = pdf_text(register_pdf, i)
        assert "Tên thủ tục hành chính" in page  # header row repeated on every page
        assert f"Trang {i + 1}/{n}" in page
    text = pdf_text(register_pdf)
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert f"Từ {vn_date(dt.date(2026, 10, 1))} đến {vn_date(dt.date(2026, 10, 31))}" in text
    for row in sample_register_rows(60):
        assert row.code in text


@needs_pdftoppm
def test_register_qr_names_the_range(register_pdf: bytes, tmp_path: Path) -> None:
    data = parse_qr_payload(decode_qr(register_pdf, tmp_path))
    assert data["form"] == "07"  # issued in 2026: Thông tư 03/2025 Phụ lục I numbers the register 07
    assert (data["date_from"], data["date_to"]) == ("20261001", "20261031")


def test_empty_register_still_renders() -> None:
    pdf = render_register([], sample_agency(), dt.date(2026, 10, 1), dt.date(2026, 10, 1), issued_at=ISSUED)
    assert "Không có hồ sơ nào" in pdf_text(pdf)


# ------------------------------------------------------------------------------------------------
# profiles
# ------------------------------------------------------------------------------------------------


def test_profile_by_reception_date() -> None:
    assert profile_for(dt.date(2025, 6, 30)) == ND61_2018
    assert profile_for(dt.date(2025, 7, 1)) == ND118_2025
    assert profile_for(dt.datetime(2025, 6, 30, 23, 59)) == ND61_2018


def test_profile_differences(rendered: dict) -> None:
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in pdf_text(rendered[(FormKind.APOLOGY, ND61_2018)])
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in pdf_text(
        rendered[(FormKind.APOLOGY, ND118_2025)]
    )
    assert FormKind.STOP_NOTICE in forms_for_profile(ND118_2025)
    assert FormKind.STOP_NOTICE not in forms_for_profile(ND61_2018)
    assert len(forms_for_profile(ND118_2025)) == 7


def test_stop_notice_refused_under_2018_profile() -> None:
    with pytest.raises(ValidationError):
        render_stop_notice(sample_dossier(ND61_2018), sample_agency(ND61_2018))


def test_profile_follows_the_issue_date_of_each_form() -> None:
    # Issue #16 row 4: the form set is the one in force when the form is issued (Thông tư
    # 03/2025/TT-VPCP from 15/9/2025), not the reception date alone.
    assert form_profile_for(dt.date(2025, 9, 14)) == ND61_2018
    assert form_profile_for(dt.date(2025, 9, 15)) == ND118_2025
    old = dataclasses.replace(sample_dossier(ND61_2018), profile="", received_at=dt.datetime(2025, 6, 30, 9, 0))
    # Received 30/6/2025, apologised for in October 2025: the 2025 letter, not the 2018 slip.
    text = pdf_text(render_apology(old, sample_agency(), issued_at=dt.datetime(2025, 10, 6, 9, 0)))
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN" in text
    # The same dossier's slip issued in August 2025 (decree in force, circular not yet): 2018.
    text = pdf_text(render_apology(old, sample_agency(), issued_at=dt.datetime(2025, 8, 6, 9, 0)))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI" in text
    # A receipt issued at a reception on 20/7/2025 is still Thông tư 01/2018 Mẫu 01 (no fee item).
    july = dataclasses.replace(old, received_at=dt.datetime(2025, 7, 20, 9, 0), due_at=dt.datetime(2025, 7, 25, 17))
    assert "Phí, lệ phí" not in pdf_text(render_receipt(july, sample_agency(), issued_at=ISSUED))
    # No stop notice before the circular that created it.
    with pytest.raises(ValidationError, match="Thông tư 01/2018"):
        render_stop_notice(july, sample_agency(), issued_at=dt.datetime(2025, 9, 1, 9, 0))
    assert "THÔNG BÁO DỪNG" in pdf_text(
        render_stop_notice(july, sample_agency(), issued_at=dt.datetime(2025, 9, 15, 9, 0)))


def test_2025_numbering_per_phu_luc_i() -> None:
    # Issue #16 row 3: Thông tư 03/2025/TT-VPCP Phụ lục I — 05 stop notice, 06 control slip, 07 register.
    assert [form_number(k, ND118_2025) for k in forms_for_profile(ND118_2025)] == [
        "01", "02", "03", "04", "05", "06", "07"]
    assert form_number(FormKind.STOP_NOTICE, ND118_2025) == "05"
    assert form_number(FormKind.CONTROL_SLIP, ND118_2025) == "06"
    assert form_number(FormKind.REGISTER, ND118_2025) == "07"
    assert [form_number(k, ND61_2018) for k in forms_for_profile(ND61_2018)] == ["01", "02", "03", "04", "05", "06"]
    assert form_label(FormKind.CONTROL_SLIP, ND118_2025) == "Mẫu 06"
    with pytest.raises(ValidationError):
        form_number(FormKind.STOP_NOTICE, ND61_2018)


@needs_pdftoppm
def test_register_of_2018_keeps_its_number(tmp_path: Path) -> None:
    pdf = render_register(sample_register_rows(3), sample_agency(ND61_2018), dt.date(2025, 3, 1),
                          dt.date(2025, 3, 31), issued_at=dt.datetime(2025, 4, 1, 9, 0))
    assert parse_qr_payload(decode_qr(pdf, tmp_path))["form"] == "06"


# --- issue #16: fees nobody entered, the signer, the 2018 receipt text and its one sheet --------


def test_unentered_province_fee_is_a_blank_never_zero() -> None:
    # Row 1: a fee the provincial council sets and nobody entered prints as a blank to fill.
    fees = (FeeLine("Lệ phí đăng ký nhận cha, mẹ, con", None, "le_phi", set_by_province=True),
            FeeLine("Phí chứng thực", 5000, "phi", detail="03 trang × 01 bản"))
    pdf = render_receipt(dataclasses.replace(sample_dossier(), fees=fees), sample_agency(), issued_at=ISSUED)
    text = pdf_text(pdf, 0)
    assert "0 đồng" not in text.replace("5.000 đồng", "")
    assert "mức thu theo Nghị quyết của HĐND tỉnh: ……………… đồng" in text
    assert "5.000 đồng (03 trang × 01 bản)" in text
    assert "Tổng cộng: ……………… đồng" in text  # a total with an unknown part is not printed


def test_signer_authority_title_and_name_per_nd30() -> None:
    # Row 8: Nghị định 30/2020 Điều 13 and Phụ lục I: chức vụ, họ tên, chữ ký — KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC / name.
    agency = dataclasses.replace(sample_agency(), head_title="Giám đốc", signer_authority="KT.",
                                 signer_title="Phó Giám đốc", head_name="Lê Minh Tuấn")
    assert signer_lines(agency) == ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC")
    for render in (render_apology, render_stop_notice):
        text = pdf_text(render(sample_dossier(), agency, issued_at=ISSUED))
        assert "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC" in text and "Lê Minh Tuấn" in text
        assert "THỦ TRƯỞNG CƠ QUAN" not in text
    tm = dataclasses.replace(agency, head_title="Ủy ban nhân dân", signer_authority="TM.", signer_title="Chủ tịch")
    assert signer_lines(tm) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert signer_lines(dataclasses.replace(agency, signer_authority="")) == ("GIÁM ĐỐC",)
    assert signer_lines(dataclasses.replace(agency, head_title="")) == ("THỦ TRƯỞNG CƠ QUAN",)


def _five_components() -> tuple[ComponentLine, ...]:
    return (
        ComponentLine("Tờ khai đăng ký khai sinh theo mẫu quy định", 1, 0),
        ComponentLine("Giấy chứng sinh do cơ sở y tế nơi trẻ em sinh ra cấp", 1, 0),
        ComponentLine("Văn bản ủy quyền theo quy định của pháp luật trong trường hợp ủy quyền thực hiện "
                      "việc đăng ký khai sinh", 0, 1),
        ComponentLine("Giấy tờ chứng minh nơi cư trú của cha, mẹ trong trường hợp chưa có dữ liệu", 0, 1),
        ComponentLine("Căn cước công dân của người đi đăng ký", 0, 0, ComponentStatus.SHOWN),
    )


@pytest.mark.parametrize("profile", [ND61_2018, ND118_2025])
def test_five_component_receipt_keeps_one_a5_sheet_per_copy(profile: str) -> None:
    # Row 11: official text (2018: "Bộ phận tiếp nhận và trả kết quả" line, full note) and still
    # one A5 sheet per copy — spacing, then font, shrink before anything spills.
    d = dataclasses.replace(sample_dossier(profile), components=_five_components())
    pdf = render_receipt(d, sample_agency(profile), issued_at=ISSUED)
    assert page_count(pdf) == 2
    text = pdf_text(pdf, 0)
    assert "1.5. Căn cước công dân" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Cá nhân, tổ chức có thể nhận kết quả tại" in text and "hoặc nhận qua dịch vụ bưu chính" in text
    assert "01 liên giao cho cá nhân, tổ chức nộp hồ sơ" in text
    if profile == ND61_2018:
        assert "Bộ phận tiếp nhận và trả kết quả: Bộ phận Tiếp nhận và Trả kết quả UBND phường" in text


def test_render_form_dispatches() -> None:
    pdf = render_form("03", sample_dossier(), sample_agency(), issued_at=ISSUED)
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in pdf_text(pdf)
    reg = render_form(FormKind.REGISTER, [], sample_agency(), dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    assert page_size(reg) == pytest.approx(landscape(A4), abs=0.5)


# ------------------------------------------------------------------------------------------------
# dates (Nghị định 30/2020: leading zero for days < 10 and for months 1 and 2 only)
# ------------------------------------------------------------------------------------------------


def test_vietnamese_dates() -> None:
    assert vn_date(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert vn_date(dt.date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"
    assert vn_date(dt.date(2026, 12, 25)) == "ngày 25 tháng 12 năm 2026"
    assert vn_datetime(dt.datetime(2026, 10, 8, 7, 5)) == "07 giờ 05 phút, ngày 08 tháng 10 năm 2026"
    aware = dt.datetime(2026, 10, 8, 0, 30, tzinfo=dt.UTC)  # 07:30 in Vietnam
    assert vn_datetime(aware) == "07 giờ 30 phút, ngày 08 tháng 10 năm 2026"


# ------------------------------------------------------------------------------------------------
# QR payload format
# ------------------------------------------------------------------------------------------------


def test_qr_payload_round_trip() -> None:
    payload = build_qr_payload({"mau": "01", "ma": "X-1", "gt": "Tên\ncó xuống dòng", "hen": None})
    assert payload == "QMC1\nmau=01\nma=X-1\ngt=Tên có xuống dòng"
    data = parse_qr_payload(payload.replace("\n", "\r\n") + "\nnew=ignored=kept")
    assert data == {"format": "QMC1", "form": "01", "dossier_code": "X-1", "document_name": "Tên có xuống dòng",
                    "new": "ignored=kept"}


def test_parse_rejects_foreign_qr() -> None:
    cccd = "001190012345|012345678|Nguyễn Văn A|01011990|Nam|Hà Nội|01012021"
    with pytest.raises(ValidationError):
        parse_qr_payload(cccd)


def test_overlong_text_is_shortened_to_keep_the_symbol_small() -> None:
    payload = fit_payload({"mau": "01", "ma": "H15.50.05.13-261008-0975", "gt": "Giấy " * 60, "ht": "Hệ thống " * 60,
                           "tg": "20261008143512"})
    assert len(qr_matrix(payload)) <= 17 + 4 * MAX_VERSION
    assert "ma=H15.50.05.13-261008-0975" in payload


@pytest.mark.parametrize("version", [1, 6, 7, 10])
def test_fast_mask_selection_builds_the_symbols_qrcode_builds(version: int) -> None:
    payload = ("QMC1\nma=H15.50.05.13-261008-0975\ngt=Giấy tiếp nhận" * 3)[: 10 * version].encode()
    code = qrcode.QRCode(version=version, error_correction=qrcode.constants.ERROR_CORRECT_L, border=0)
    code.add_data(payload, optimize=0)
    candidates = _qrmask.candidate_symbols(code)
    for mask, candidate in enumerate(candidates):
        ref = qrcode.QRCode(version=version, error_correction=qrcode.constants.ERROR_CORRECT_L, border=0,
                            mask_pattern=mask)
        ref.add_data(payload, optimize=0)
        ref.make(fit=False)
        assert candidate.tolist() == ref.get_matrix(), f"mask {mask}"


# ------------------------------------------------------------------------------------------------
# hostile input
# ------------------------------------------------------------------------------------------------


def test_hostile_text_does_not_crash() -> None:
    nfd_name = unicodedata.normalize("NFD", "Trần Thị Ngọc Ánh Đào")
    applicant = Applicant(
        full_name=nfd_name,
        id_number="'; DROP TABLE dossiers; --",
        address="<b>Số 1</b> & <font name='x'>phố</font> \x00\x1b\u200b dài " + "rất " * 400,
        phone="0912\t345\n678",
        email="a@b.vn 😀👨‍👩‍👧",
    )
    comps = (
        ComponentLine("X" * 3000, 1, 0),  # one unbreakable 3000-character word
        ComponentLine("Giấy tờ 🧾 " + "\u0301" * 5, 0, 1, ComponentStatus.SHOWN),
        ComponentLine("", 0, 0, "unknown-status"),
    )
    d = dataclasses.replace(
        sample_dossier(),
        applicant=applicant,
        procedure_name="Thủ tục " * 300,
        components=comps,
        reason="Lý do ' OR 1=1 -- " * 50,
        lead_unit="",
    )
    agency = dataclasses.replace(sample_agency(), name="A" * 500, parent_name="", place_name="")
    for kind, render in SINGLE_FORMS.items():
        pdf = render(d, agency, issued_at=ISSUED)
        text = pdf_text(pdf)
        assert "Trần Thị Ngọc Ánh Đào" in text, kind  # NFD input printed as NFC
        if kind in (FormKind.RECEIPT, FormKind.SUPPLEMENT_REQUEST, FormKind.REFUSAL):  # forms showing the address
            assert "<b>Số 1</b> & <font name='x'>phố</font>" in text  # markup printed, not interpreted
        assert "😀" not in text  # no glyph in the font: replaced, not an empty box
    rows = [dataclasses.replace(r, applicant_name=nfd_name, note="x" * 5000, code="Y" * 200)
            for r in sample_register_rows(3)]
    text = pdf_text(render_register(rows, agency, dt.date(2026, 1, 1), dt.date(2026, 1, 31), issued_at=ISSUED))
    assert "Trần Thị Ngọc Ánh Đào" in text


@pytest.mark.parametrize("profile", [ND118_2025, ND61_2018])
def test_receipt_longest_name_and_address_keep_one_a5_sheet_per_copy(profile: str, tmp_path: Path) -> None:
    """A 50-character name (the limit) wrapped in the signature block and, with a 150-character
    address and six components, pushed a copy onto a second A5 page; it now shrinks to one line."""
    from counter_app.domain.inputs import LIMITS

    base = sample_dossier(profile)
    name = "Nguyễn Thị Hồng Nhung Phương Thảo Bích Ngọc Trâm Anh"[:LIMITS["full_name"].max_len]
    address = ("Số nhà 123A, ngõ 456 đường Nguyễn Văn Cừ kéo dài, tổ dân phố số 15, khu dân cư mới, phường Bồ Đề, "
               "quận Long Biên, thành phố Hà Nội, Việt Nam, gần chợ")[:LIMITS["address"].max_len]
    assert len(name) == 50 and len(address) >= 140
    comps = [*base.components, *base.components[:2]]  # six, as the starter catalogue's khai sinh
    d = dataclasses.replace(base, components=comps,
                            applicant=dataclasses.replace(base.applicant, full_name=name, address=address))
    pdf = render_receipt(d, sample_agency(), issued_at=ISSUED)
    assert page_count(pdf) == 2
    assert RECEIPT_COPIES[0] in pdf_text(pdf, 0) and RECEIPT_COPIES[1] in pdf_text(pdf, 1)
    assert pdf_text(pdf, 0).count(name) == 2  # on the applicant line and under the signature
