"""Mapping the agency settings onto the printed header."""

from __future__ import annotations

from counter_app.services.forms import header_names


def test_header_names_abbreviate_and_drop_repeated_locality() -> None:
    assert header_names("Trung tâm Phục vụ hành chính công phường Ba Đình", "Ủy ban nhân dân phường Ba Đình") == (
        "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "UBND PHƯỜNG BA ĐÌNH")
    # Nothing to drop when the locality differs, and an empty parent leaves the name whole.
    assert header_names("Bộ phận Một cửa xã Tân Lập", "UBND xã Tân Hòa") == (
        "BỘ PHẬN MỘT CỬA XÃ TÂN LẬP", "UBND XÃ TÂN HÒA")
    assert header_names("Trung tâm PVHCC", "") == ("TRUNG TÂM PVHCC", "")
