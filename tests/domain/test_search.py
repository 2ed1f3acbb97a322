"""Catalogue search: diacritics, đ, kí/ký, codes, typing prefixes, initials, ranking, odd input."""

from __future__ import annotations

import unicodedata
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.domain.catalogue import Component, Procedure, load_default_catalogue
from counter_app.domain.search import CatalogueIndex, search_key
from counter_app.textnorm import fold


@cache
def shipped_index() -> CatalogueIndex:
    return CatalogueIndex(load_default_catalogue())


def _p(code: str, name: str, popularity: int = 0, keywords: tuple[str, ...] = ()) -> Procedure:
    return Procedure(
        code=code, name=name, field_code="HT", field_name="Hộ tịch", processing_days=3,
        processing_hours=None, cutoff_time=None, processing_text="", online_level="khong",
        online_only=False, components=(Component("TP01", "Tờ khai", 1, 0, True, False),), fees=(),
        result_name="", legal_basis="", source="test", popularity=popularity, keywords=keywords,
    )


def codes(index: CatalogueIndex, query: str, limit: int = 20) -> list[str]:
    return [h.procedure.code for h in index.search(query, limit)]


# ------------------------------------------------------------------------- shipped catalogue


@pytest.mark.parametrize(
    "query",
    ["dang ky khai sinh", "đăng kí khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "dang ki khai sinh",
     "khai sinh", "  khai   sinh ", unicodedata.normalize("NFD", "đăng ký khai sinh"), "1.001193", "DKKS"],
)
def test_birth_registration_comes_first(query: str) -> None:
    assert codes(shipped_index(), query)[0] == "1.001193"


def test_ki_and_ky_spellings_match_equally() -> None:
    index = shipped_index()
    with_y = index.search("đăng ký khai sinh", limit=5)
    with_i = index.search("đăng kí khai sinh", limit=5)
    assert [(h.procedure.code, h.score) for h in with_i] == [(h.procedure.code, h.score) for h in with_y]
    assert with_i[0].score >= 800  # the "name starts with the query" tier, not a partial match


def test_code_exact_and_prefix() -> None:
    index = shipped_index()
    assert codes(index, "2.000815") == ["2.000815"]  # an exact code is unique: nothing else qualifies
    assert codes(index, "1.00119")[0] == "1.001193"
    assert codes(index, "001193")[0] == "1.001193"  # digits typed without "1."


def test_prefix_while_typing() -> None:
    hits = shipped_index().search("dang ky kh", limit=3)
    assert len(hits) == 3
    # Every top hit starts with "Đăng ký kh…" (khai sinh, khai tử, …) and birth is the most popular.
    assert all(fold(h.procedure.name).startswith("dang ky kh") for h in hits)
    assert hits[0].procedure.code == "1.001193"


def test_d_with_stroke_folds_both_ways() -> None:
    index = shipped_index()
    assert codes(index, "đất đai") == codes(index, "dat dai") == codes(index, "ĐẤT ĐAI")
    assert codes(index, "dat dai")  # and finds something


def test_keywords_find_colloquial_names() -> None:
    index = shipped_index()
    assert codes(index, "sổ đỏ")[0] == "1.013978"
    assert codes(index, "ho khau")[0] == "1.004222"
    assert codes(index, "xac nhan doc than")[0] == "1.004873"


def test_empty_query_returns_most_popular_first() -> None:
    hits = shipped_index().search("", limit=5)
    assert len(hits) == 5
    pops = [h.procedure.popularity for h in hits]
    assert pops == sorted(pops, reverse=True)
    assert hits[0].procedure.code == "1.001193"  # popularity 100 in the shipped file


def test_limit_is_respected() -> None:
    index = shipped_index()
    assert len(index.search("d", limit=7)) == 7
    assert index.search("khai sinh", limit=0) == []


def test_get_by_code() -> None:
    index = shipped_index()
    found = index.get("1.001193")
    assert found is not None and found.name == "Đăng ký khai sinh"
    assert index.get("9.999999") is None


# ----------------------------------------------------------- ranking on a hand-made catalogue


@pytest.fixture(scope="module")
def small() -> CatalogueIndex:
    return CatalogueIndex([
        _p("1.000001", "Đăng ký khai sinh"),
        _p("1.000002", "Đăng ký lại khai sinh"),
        _p("1.000003", "Khai sinh lưu động"),
        _p("1.000004", "Sinh hoạt khai báo"),
        _p("1.000005", "Khai báo tạm vắng"),
        _p("1.000006", "Đăng ký tạm trú"),
        _p("1.000007", "Gia hạn tạm trú", popularity=5),
        _p("1.000008", "Cấp bản sao trích lục", keywords=("bản sao giấy khai sinh",)),
    ])


def test_ranking_tiers_for_khai_sinh(small: CatalogueIndex) -> None:
    # start of name > phrase in name (shorter first) > keyword phrase > all words > partial
    assert codes(small, "khai sinh") == [
        "1.000003",  # "Khai sinh lưu động" starts with the query
        "1.000001",  # phrase in name, 4 words
        "1.000002",  # phrase in name, 5 words
        "1.000008",  # keyword "bản sao giấy khai sinh"
        "1.000004",  # both words, not as a phrase
        "1.000005",  # only "khai"
    ]
    # Scores follow the tiers: strictly lower from one tier to the next (popularity is 0 everywhere).
    scores = [h.score for h in small.search("khai sinh")]
    assert scores[0] > scores[1] == scores[2] > scores[3] > scores[4] > scores[5]


def test_partial_matches_ranked_by_words_found(small: CatalogueIndex) -> None:
    # Only the keyword has all three words; then names with 2 of 3 ("khai", "sinh"), by popularity
    # (all 0), fewer words, then folded name; then the name with 1 of 3.
    assert codes(small, "giay khai sinh") == [
        "1.000008", "1.000001", "1.000003", "1.000004", "1.000002", "1.000005",
    ]


def test_popularity_breaks_ties_then_name(small: CatalogueIndex) -> None:
    # Both are "phrase in name" with 4 words; "Gia hạn tạm trú" is more popular.
    assert codes(small, "tam tru")[:2] == ["1.000007", "1.000006"]
    plain = CatalogueIndex([_p("1.1", "Gia hạn tạm trú"), _p("1.2", "Đăng ký tạm trú")])
    # Equal popularity: folded name order, "dang…" before "gia…".
    assert codes(plain, "tam tru") == ["1.2", "1.1"]


def test_code_beats_name(small: CatalogueIndex) -> None:
    index = CatalogueIndex([_p("1.000010", "Thủ tục 1.000009"), _p("1.000009", "Khác")])
    assert codes(index, "1.000009")[0] == "1.000009"


def test_scores_never_increase_down_the_list() -> None:
    for query in ["khai", "dang ky", "chung thuc ban sao", "tro cap", "1.00", "ho"]:
        scores = [h.score for h in shipped_index().search(query)]
        assert scores == sorted(scores, reverse=True), query


def test_search_key_folds_i_and_y() -> None:
    assert search_key("Đăng kí") == search_key("đăng ký") == "dang ki"


# ----------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize(
    "query",
    ["'; DROP TABLE procedures; --", "%", "_", "\\", '"', "*", "?", "()[]{}", "\x00", "\u200b", "🙂🙂",
     "汉字", "a" * 10_000, "ß", "İ", "ﬁ", "1.", ".", "..", "-", "1.001193" * 50, "đ" * 300],
)
def test_odd_queries_do_not_crash(query: str) -> None:
    hits = shipped_index().search(query)
    assert isinstance(hits, list) and len(hits) <= 20


@settings(max_examples=150, deadline=None)
@given(query=st.text(max_size=300), limit=st.integers(min_value=-2, max_value=30))
def test_search_never_raises(query: str, limit: int) -> None:
    hits = shipped_index().search(query, limit=limit)
    assert len(hits) <= max(limit, 0)
    assert len({h.procedure.code for h in hits}) == len(hits)  # no duplicates
