"""Online availability, guidance steps, portal URL template, target arithmetic (pure, no database)."""

from __future__ import annotations

import pytest

from counter_app.domain.catalogue import load_default_catalogue
from counter_app.domain.online import (
    DEFAULT_PORTAL_URL_TEMPLATE,
    REASON_LABELS,
    REASON_SHORT,
    REASONS,
    availability,
    build_guide,
    guidance_allowed,
    guidance_offered_first,
    online_needed_for_target,
    portal_url,
    validate_portal_code,
    validate_url_template,
)
from counter_app.errors import ValidationError
from tests.factories import BIRTH, CERT, ONLINE_ONLY


def test_availability_at_a_glance() -> None:
    birth = availability(BIRTH)
    assert (birth.level, birth.online_only, birth.paper_fee, birth.online_fee, birth.saved) == \
        ("toan_trinh", False, 8000, 0, 8000)
    assert birth.set_by_province and "tiết kiệm 8.000 đồng" in birth.summary()
    cert = availability(CERT)  # online_amount None = same as paper: nothing saved
    assert (cert.level, cert.saved) == ("mot_phan", 0) and cert.label == "Trực tuyến một phần"
    only = availability(ONLINE_ONLY)
    assert only.online_only and "CHỈ TIẾP NHẬN TRỰC TUYẾN" in only.summary()


def test_guidance_offered_first_only_when_fully_online() -> None:
    assert guidance_offered_first(BIRTH) and guidance_offered_first(ONLINE_ONLY)
    assert not guidance_offered_first(CERT) and guidance_allowed(CERT)
    offline = {**CERT, "code": "2.000884", "online_level": "khong"}
    assert not guidance_allowed(offline) and not guidance_offered_first(offline)


def test_guide_lists_files_to_upload_not_papers_only_shown() -> None:
    g = build_guide(BIRTH, agency_name="UBND phường Ba Đình")
    assert [f.code for f in g.files] == ["TK", "GCS", "UQ"]           # CCCD is show_only
    assert [f.required for f in g.files] == [True, True, False]
    assert g.shown == ("Căn cước của người đi đăng ký",)
    assert g.url == DEFAULT_PORTAL_URL_TEMPLATE.replace("{code}", "1.001193")
    text = "\n".join(g.steps)
    assert len(g.steps) == 6
    assert "định danh điện tử mức độ 2" in g.steps[0]
    assert "«Đăng ký khai sinh» (mã 1.001193)" in g.steps[1]
    assert "UBND phường Ba Đình" in g.steps[2]
    assert "3 giấy tờ" in g.steps[3]
    assert "miễn phí, lệ phí (nộp hồ sơ giấy: 8.000 đồng)" in text  # online fee 0
    assert "theo dõi tiến độ" in g.steps[5]


def test_guide_fee_step_when_online_costs_less_but_not_nothing() -> None:
    proc = {**BIRTH, "fees": [{"code": "LP", "name": "Lệ phí", "kind": "le_phi", "amount": 20000,
                               "online_amount": 10000, "set_by_province": False}]}
    g = build_guide(proc)
    assert any("Thanh toán trực tuyến 10.000 đồng" in s and "20.000 đồng" in s for s in g.steps)
    partial = build_guide(CERT)
    assert "mang bản chính" in partial.steps[-1]


def test_every_shipped_procedure_has_a_guide() -> None:
    for p in load_default_catalogue():
        g = build_guide(p)
        assert g.url.endswith(p.code) and len(g.steps) == 6
        assert all(not c.show_only for c in p.components if c.code in {f.code for f in g.files})


def test_url_template_is_a_setting_with_code_placeholder() -> None:
    assert portal_url("https://dichvucong.hanoi.gov.vn/thu-tuc/{code}", "1.001193") == \
        "https://dichvucong.hanoi.gov.vn/thu-tuc/1.001193"
    assert portal_url(None, "BNI HT/01").endswith("ma_thu_tuc=BNI%20HT%2F01")  # quoted
    assert validate_url_template(f"  {DEFAULT_PORTAL_URL_TEMPLATE} ") == DEFAULT_PORTAL_URL_TEMPLATE
    for bad, words in [("https://dichvucong.gov.vn/thu-tuc", "{code}"),
                       ("ftp://x/{code}", "https://"),
                       ("https://x/{code}/{code}", "đúng một"),
                       ("https://x/{ma}/{code}", "ngoặc nhọn"),
                       ("https://x/ {code}", "khoảng trắng")]:
        with pytest.raises(ValidationError, match=words.replace("{", r"\{").replace("}", r"\}")):
            validate_url_template(bad)


def test_portal_code_validation() -> None:
    assert validate_portal_code(" G22.99-250115-0001 ") == "G22.99-250115-0001"
    for bad in ("", "   ", "abc", "G22 99;drop", "ABCDEFGH"):
        with pytest.raises(ValidationError):
            validate_portal_code(bad)


def test_reasons_have_vietnamese_labels() -> None:
    assert set(REASONS) == set(REASON_LABELS) == set(REASON_SHORT) == \
        {"no_eid", "no_smartphone", "not_fully_online", "other"}
    assert "định danh điện tử" in REASON_LABELS["no_eid"]


@pytest.mark.parametrize(("online", "received", "target", "needed"), [
    (11, 100, 20, 12),   # (11+12)/(100+12) = 20.5% ≥ 20%, while 11 more gives 19.8%
    (20, 100, 20, 0),
    (25, 100, 20, 0),
    (0, 0, 20, 0),
    (0, 10, 50, 10),     # 10/20
    (5, 10, 100, -1),    # a 100% target cannot be reached once paper was received
    (10, 10, 100, 0),
])
def test_online_needed_for_target(online: int, received: int, target: float, needed: int) -> None:
    assert online_needed_for_target(online, received, target) == needed
    if needed > 0:
        assert (online + needed) / (received + needed) * 100 >= target
        assert (online + needed - 1) / (received + needed - 1) * 100 < target
