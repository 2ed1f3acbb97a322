"""One inline-error helper: the same colour everywhere, a known problem's words, a bug never as Python text."""

from __future__ import annotations

import logging

import pytest

from counter_app.errors import ValidationError
from counter_app.ui.errors import ERROR_COLOUR, OK_COLOUR, error_html, error_text, ok_html


def test_known_problem_is_shown_with_its_hint_escaped() -> None:
    exc = ValidationError("Số CCCD <12 số> không hợp lệ.", hint="Nhập lại 12 chữ số.")
    html = error_html(exc)
    assert html.startswith(f"<span style='color:{ERROR_COLOUR}'>") and html.endswith("</span>")
    assert "&lt;12 số&gt;" in html and "<br>Nhập lại 12 chữ số." in html  # typed text escaped, hint on its line


def test_a_bug_is_logged_and_shown_as_a_vietnamese_sentence(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        text = error_text(KeyError("procedure_code"), "khi lưu")
    assert "Lỗi chương trình khi lưu" in text and "nhật ký" in text and "KeyError" not in text
    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


def test_our_own_markup_is_kept() -> None:
    shown = error_html("<b>Còn thiếu:</b> Tờ khai")
    assert shown == f"<span style='color:{ERROR_COLOUR}'><b>Còn thiếu:</b> Tờ khai</span>"
    assert ok_html("Đã lưu.") == f"<span style='color:{OK_COLOUR}'>Đã lưu.</span>"
