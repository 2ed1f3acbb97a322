"""Citizen ID numbers and the chip ID card QR.

Sample numbers are built by hand from the rules: 001 = Hà Nội, 079 = TP Hồ Chí Minh; digit 4:
0 = male 1900s, 1 = female 1900s, 3 = female 2000s; digits 5–6 = year of birth.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counter_app.domain.citizen_id import (
    CitizenCard,
    InvalidCitizenId,
    birth_province_name,
    mask_id,
    parse_cccd_qr,
    validate_id_number,
    validate_old_id_number,
)
from counter_app.errors import ValidationError

TODAY = date(2026, 11, 23)

MALE_1999 = "001099012345"
FEMALE_2001 = "079301001234"
ADDRESS = "Số 5 Ngõ 10 Phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội"

GOOD = f"{MALE_1999}|123456789|Nguyễn Văn An|15031999|Nam|{ADDRESS}|20042021"
GOOD_NO_CMND = f"{FEMALE_2001}||Trần Thị Bình|02012001|Nữ|Ấp 3, Xã Tân Thông Hội, TP Hồ Chí Minh|10102022"


def parse(text: str) -> CitizenCard:
    return parse_cccd_qr(text, today=TODAY)


# ----------------------------------------------------------------------------- good cards


def test_good_card_with_old_cmnd() -> None:
    card = parse(GOOD)
    assert card == CitizenCard(
        id_number=MALE_1999,
        old_id_number="123456789",
        full_name="Nguyễn Văn An",
        date_of_birth=date(1999, 3, 15),
        gender="Nam",
        address=ADDRESS,
        issued_on=date(2021, 4, 20),
    )


def test_good_card_without_old_cmnd() -> None:
    card = parse(GOOD_NO_CMND)
    assert card.old_id_number is None
    assert card.gender == "Nữ"
    assert card.date_of_birth == date(2001, 1, 2)
    assert card.issued_on == date(2022, 10, 10)


@pytest.mark.parametrize("suffix", ["\r\n", "\n", "\r", "  \t", "||", "|\r\n", "| |\n"])
def test_scanner_trailers_are_tolerated(suffix: str) -> None:
    assert parse(GOOD + suffix) == parse(GOOD)


def test_bom_and_nfd_are_normalised() -> None:
    card = parse("\ufeff" + unicodedata.normalize("NFD", GOOD) + "\r\n")
    assert card.full_name == "Nguyễn Văn An"
    assert unicodedata.is_normalized("NFC", card.full_name)
    assert card.address == ADDRESS


def test_extra_trailing_fields_are_ignored() -> None:
    assert parse(GOOD + "|Nguyễn Văn Bố|Lê Thị Mẹ") == parse(GOOD)


def test_gender_without_diacritics() -> None:
    assert parse(GOOD_NO_CMND.replace("|Nữ|", "|Nu|")).gender == "Nữ"


def test_old_12_digit_cmnd_is_accepted() -> None:
    assert parse(GOOD.replace("|123456789|", "|001099000111|")).old_id_number == "001099000111"


# ------------------------------------------------------------------------------- bad cards


BAD = {
    "empty": "",
    "only whitespace": " \r\n",
    "only pipes": "||||||",
    "six fields": f"{MALE_1999}|123456789|Nguyễn Văn An|15031999|Nam|{ADDRESS}",
    "nine fields of garbage": "abc|def|ghi|jkl|mno|pqr|stu|vwx|yz",
    "letters in id": GOOD.replace(MALE_1999, "00109901234A"),
    "11-digit id": GOOD.replace(MALE_1999, "00109901234"),
    "province 000": GOOD.replace(MALE_1999, "000099012345"),
    "province 097": GOOD.replace(MALE_1999, "097099012345"),
    "31 February": GOOD.replace("15031999", "31021990").replace(MALE_1999, "001090012345"),
    "future birth date": GOOD.replace("15031999", "01012027").replace(MALE_1999, "001227012345"),
    "century digit 2 with 1990": GOOD.replace("15031999", "15031990").replace(MALE_1999, "001290012345"),
    "odd gender digit with Nam": GOOD.replace(MALE_1999, "001199012345"),
    "year digits mismatch": GOOD.replace(MALE_1999, "001098012345"),
    "gender not Nam/Nữ": GOOD.replace("|Nam|", "|Khác|"),
    "empty name": GOOD.replace("Nguyễn Văn An", "  "),
    "digits in name": GOOD.replace("Nguyễn Văn An", "Nguyễn Văn 4n"),
    "bad birth format": GOOD.replace("15031999", "15/03/1999"),
    "issue before birth": GOOD.replace("20042021", "01011998"),
    "issue in the future": GOOD.replace("20042021", "01012027"),
    "impossible issue date": GOOD.replace("20042021", "30022021"),
    "old cmnd 8 digits": GOOD.replace("|123456789|", "|12345678|"),
    "old cmnd letters": GOOD.replace("|123456789|", "|12345678X|"),
    "not pipes": GOOD.replace("|", ";"),
}


@pytest.mark.parametrize("text", list(BAD.values()), ids=list(BAD))
def test_bad_cards_are_rejected(text: str) -> None:
    with pytest.raises(InvalidCitizenId) as info:
        parse(text)
    err = info.value
    assert isinstance(err, ValidationError) and isinstance(err, ValueError)
    assert err.message and err.hint  # says what is wrong and what to do
    assert MALE_1999 not in err.user_message()  # never repeats the full number


def test_messages_name_the_problem() -> None:
    with pytest.raises(InvalidCitizenId, match="trường"):
        parse(BAD["six fields"])
    with pytest.raises(InvalidCitizenId, match="31/02/1990"):
        parse(BAD["31 February"])
    with pytest.raises(InvalidCitizenId, match="thế kỷ"):
        parse(BAD["century digit 2 with 1990"])
    with pytest.raises(InvalidCitizenId, match="giới tính"):
        parse(BAD["odd gender digit with Nam"])
    with pytest.raises(InvalidCitizenId, match="năm sinh"):
        parse(BAD["year digits mismatch"])
    with pytest.raises(InvalidCitizenId, match="tương lai"):
        parse(BAD["future birth date"])


def test_log_lines_never_carry_the_full_number(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="counter_app.domain.citizen_id"):
        parse(GOOD)
        parse(GOOD + "|x|y")
    assert MALE_1999 not in caplog.text


# ------------------------------------------------------------------------- number checks


def test_validate_id_number_normalises_and_cross_checks() -> None:
    assert validate_id_number(" 001 099 012345 ") == MALE_1999
    assert validate_id_number(MALE_1999, birth_date=date(1999, 3, 15), gender="Nam") == MALE_1999
    assert validate_id_number(FEMALE_2001, birth_date=date(2001, 1, 2), gender="Nữ") == FEMALE_2001
    # An unknown code inside 001–096 is accepted (post-2025 codes are not published).
    assert validate_id_number("003099012345") == "003099012345"
    with pytest.raises(InvalidCitizenId, match="giới tính"):
        validate_id_number(MALE_1999, gender="Nữ")
    with pytest.raises(InvalidCitizenId, match="thế kỷ"):
        validate_id_number(MALE_1999, birth_date=date(2099, 1, 1))
    with pytest.raises(InvalidCitizenId, match="9 số"):
        validate_id_number("123456789")
    with pytest.raises(InvalidCitizenId, match="năm chưa tới"):
        validate_id_number("001499012345", today=TODAY)  # digit 4 = 4 -> born 2199


def test_validate_old_id_number() -> None:
    assert validate_old_id_number("123 456 789") == "123456789"
    for bad in ("", "12345678", "1234567890", "12345678a"):
        with pytest.raises(InvalidCitizenId):
            validate_old_id_number(bad)


def test_mask_id() -> None:
    assert mask_id("001099012345") == "0010******45"
    assert mask_id("123456789") == "1234***89"
    assert mask_id("123") == "***"


def test_birth_province_name() -> None:
    assert birth_province_name(MALE_1999) == "Hà Nội"
    assert birth_province_name(FEMALE_2001) == "Thành phố Hồ Chí Minh"
    assert birth_province_name("096") == "Cà Mau"
    assert birth_province_name("003099012345") is None  # valid range, not in the list
    assert birth_province_name("garbage") is None


# ------------------------------------------------------------------------------ properties


_FIELD = st.one_of(
    st.text(max_size=15),
    st.from_regex(r"[0-9]{0,13}", fullmatch=True),
    st.sampled_from(["Nam", "Nữ", "Nu", "15031999", "31021990", "00000000", MALE_1999, "123456789"]),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.lists(_FIELD, min_size=0, max_size=12).map("|".join)))
def test_parse_returns_card_or_raises_invalid(text: str) -> None:
    try:
        card = parse_cccd_qr(text, today=TODAY)
    except InvalidCitizenId:
        return
    assert isinstance(card, CitizenCard)
    assert len(card.id_number) == 12 and card.id_number.isdigit()
    assert card.gender in ("Nam", "Nữ")
    assert card.date_of_birth <= TODAY


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.sampled_from(["Nam", "Nữ"]),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
)
def test_generated_valid_cards_round_trip(born: date, gender: str, tail: str) -> None:
    digit4 = (born.year // 100 - 19) * 2 + (0 if gender == "Nam" else 1)
    number = f"001{digit4}{born.year % 100:02d}{tail}"
    text = f"{number}||Lê Văn Thử|{born:%d%m%Y}|{gender}|Hà Nội|{TODAY:%d%m%Y}\r\n"
    card = parse_cccd_qr(text, today=TODAY)
    assert (card.id_number, card.date_of_birth, card.gender) == (number, born, gender)
