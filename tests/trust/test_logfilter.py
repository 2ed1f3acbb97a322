"""Logs never contain ID numbers or passwords: the code does not log them, and the filter masks slips."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app import logfilter
from counter_app.db import accounts
from counter_app.db.dossiers import ApplicantInput, ComponentInput, ListFilter, ReceptionInput, list_dossiers, receive
from counter_app.domain.calendar import WorkCalendar
from counter_app.domain.citizen_id import parse_cccd_qr
from tests.trust.trust_helpers import fresh_db

ID_NUMBER = "001099012345"
PASSWORD = "Bi-mat-cua-toi-42"


@pytest.mark.parametrize(("raw", "clean"), [
    ("đọc QR 001099012345 xong", "đọc QR 0010******45 xong"),
    ("số 001 099 012345.", "số 0010******45."),
    ("cmnd=123456789;", "cmnd=1234***89;"),
    ("gọi 0912345678", "gọi *******678"),
    ("password=hunter2 tiếp", "password=*** tiếp"),
    ('{"passphrase": "hai từ", "n": 1}', '{"passphrase": "***", "n": 1}'),
    ("Mật khẩu: bímật", "Mật khẩu: ***"),
    ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
    ("GET /x?token=abc&page=2", "GET /x?token=***&page=2"),
])
def test_scrub_masks(raw: str, clean: str) -> None:
    assert logfilter.scrub(raw) == clean


@pytest.mark.parametrize("keep", [
    "mã hồ sơ H01.37.01-261005-0001",
    "lúc 2026-10-05 10:30:00, 20261005103000",
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "tệp 3 trang, 1048576 byte, cổng 8443",
])
def test_scrub_leaves_ordinary_text(keep: str) -> None:
    assert logfilter.scrub(keep) == keep


@given(
    number=st.from_regex(r"\A[0-9]{12}\Z|\A[0-9]{9}\Z"),
    before=st.text(st.characters(blacklist_categories=("Cs", "Nd", "Lu", "Ll")), max_size=10),
    after=st.text(st.characters(blacklist_categories=("Cs", "Nd", "Lu", "Ll")), max_size=10),
)
def test_any_id_number_between_non_alphanumerics_is_masked(number: str, before: str, after: str) -> None:
    assert number not in logfilter.scrub(before + number + after)


@given(secret=st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc"),
                                    blacklist_characters="\"',;&}"), min_size=1, max_size=30))
def test_any_password_value_is_hidden(secret: str) -> None:
    # The whole value becomes the mask (comparing whole strings: a secret like "*" is inside "***").
    for form, hidden in ((f"password={secret}", "password=***"),
                         (f'"password": "{secret}"', '"password": "***"'),
                         (f"mật khẩu: {secret}", "mật khẩu: ***")):
        assert logfilter.scrub(form) == hidden, form


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every record the app's loggers emit at DEBUG, without the filter (what the code itself says)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def test_app_code_never_logs_id_numbers_or_passwords(tmp_path: Path, captured: io.StringIO) -> None:
    cdb = fresh_db(tmp_path / "c.db")
    card = parse_cccd_qr(f"{ID_NUMBER}|123456789|Nguyễn Văn An|01011999|Nam|12 Hàng Bông|01012021",
                         today=date(2026, 10, 5))
    receive(cdb, ReceptionInput("1.001193", ApplicantInput(card.full_name, id_number=card.id_number),
                                [ComponentInput("TK"), ComponentInput("GCS"), ComponentInput("CCCD", "shown")]),
            WorkCalendar(), now=datetime(2026, 10, 5, 9))
    list_dossiers(cdb, ListFilter(text=ID_NUMBER))
    for name in ("admin", PASSWORD):
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(cdb, name, PASSWORD)
    text = captured.getvalue()
    assert "login failed" in text  # the log did capture the app's lines
    assert ID_NUMBER not in text and "123456789" not in text and PASSWORD not in text


def test_installed_filter_scrubs_messages_args_and_tracebacks() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("test_logfilter.isolated")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    flt = logfilter.install(logger)
    assert logfilter.install(logger) is not flt and handler.filters == [flt]  # idempotent per handler
    try:
        logger.info("citizen %s password=%s", ID_NUMBER, PASSWORD)
        try:
            raise ValueError(f"UNIQUE failed for id_number {ID_NUMBER}")
        except ValueError:
            logger.exception("save failed")
        logging.getLogger("test_logfilter.isolated.child").warning("child %s", ID_NUMBER)
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert ID_NUMBER not in text and PASSWORD not in text
    assert "0010******45" in text and "ValueError" in text and text.count("0010******45") == 3
