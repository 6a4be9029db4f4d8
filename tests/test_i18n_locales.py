"""Locale core: supported locales, native names, direction, negotiation, formatting, fiscal years."""
from __future__ import annotations

import datetime as dt

import pytest

from survey_app.i18n import fmt, locales


def test_supported_locales_and_their_own_names():
    assert locales.SUPPORTED == ("ja", "ja-x-easy", "en", "vi", "ur")
    assert locales.DEFAULT == "ja"
    names = [locales.native_name(code) for code in locales.SUPPORTED]
    assert names == ["日本語", "やさしい にほんご", "English", "Tiếng Việt", "اردو"]


def test_direction_comes_from_the_locale_only():
    assert locales.direction("ur") == "rtl"
    assert locales.direction("ur-PK") == "rtl"
    assert [locales.direction(code) for code in ("ja", "en", "vi")] == ["ltr", "ltr", "ltr"]


@pytest.mark.parametrize("header, expected", [
    ("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "vi"),
    ("ur-PK", "ur"),
    ("ur_PK", "ur"),
    ("en-GB;q=0.5, vi;q=0.8", "vi"),          # q-values, not header order, decide
    ("de-DE, fr;q=0.9", "ja"),                 # nothing supported: Japanese
    ("de, en;q=0.1", "en"),
    ("vi;q=0, en", "en"),                      # q=0 means "not acceptable"
    ("*", "ja"),
    ("", "ja"),
    (None, "ja"),
    ("en;q=abc, ur;q=0.3", "ur"),              # a malformed q-value is not acceptable
    (",,;;q=,", "ja"),
    ("JA-jp", "ja"),
    ("x" * 5000, "ja"),
])
def test_negotiate_accept_language(header, expected):
    assert locales.negotiate(header) == expected


def test_negotiate_within_the_languages_of_one_survey():
    assert locales.negotiate("vi, en;q=0.5", supported=("ja", "en")) == "en"
    assert locales.negotiate("vi", supported=("ja", "en")) == "ja"


@pytest.mark.parametrize("code, expected", [
    ("vi", "vi"), ("ur", "ur"), ("en", "en"), ("en-US", "en"), ("ja", "ja"),
    ("pt-br", "ja"), ("", "ja"), (None, "ja"),
])
def test_from_telegram(code, expected):
    assert locales.from_telegram(code) == expected


@pytest.mark.parametrize("year, label", [
    (2025, "令和7年度"), (2019, "令和元年度"), (2020, "令和2年度"), (2018, "平成30年度"), (1989, "平成元年度"),
])
def test_japanese_fiscal_year_labels(year, label):
    assert fmt.fiscal_year_label(year, "ja") == label
    assert fmt.parse_fiscal_year(label) == year


def test_fiscal_year_labels_in_other_languages():
    assert fmt.fiscal_year_label(2025, "en") == "FY2025"
    assert fmt.fiscal_year_label(2025, "vi") == "Năm tài chính 2025"
    assert fmt.fiscal_year_label(2025, "ur") == "مالی سال 2025"


@pytest.mark.parametrize("label, year", [
    ("令和7年度", 2025), ("令和７年度", 2025), ("R7", 2025), ("R1", 2019), ("令和1年度", 2019),
    ("平成31年度", 2019), ("平成30年度", 2018), ("H30", 2018), ("FY2025", 2025), ("fy 2025", 2025),
    ("2025年度", 2025), ("2025", 2025), ("昭和64年度", 1989),
])
def test_parse_fiscal_year(label, year):
    assert fmt.parse_fiscal_year(label) == year


@pytest.mark.parametrize("label", ["令和0年度", "大正5年度", "FY25", "", "next year"])
def test_parse_fiscal_year_rejects_other_text(label):
    with pytest.raises(ValueError, match="not a fiscal year"):
        fmt.parse_fiscal_year(label)


def test_percentages_are_percentage_points_formatted_per_locale():
    assert fmt.format_percent(78.34, "ja") == "78.3%"
    assert fmt.format_percent(78.34, "en") == "78.3%"
    assert fmt.format_percent(78.34, "vi") == "78,3%"
    assert fmt.format_percent(5, "en", digits=0) == "5%"
    assert fmt.format_percent(None, "ja") == "–"


@pytest.mark.parametrize(("points", "shown"), [(56.25, "56.3"), (56.35, "56.4"), (56.24, "56.2"), (12.5 / 10, "1.3"),
                                             (-2.25, "-2.3"), (100.0, "100.0"), (0.04, "0.0")])
def test_percentages_round_half_up_as_japanese_statistics_do(points, shown):
    """225 of 400 is 56.25 %: published as 56.3 (四捨五入). Python, Babel and Excel's CSV import
    through them rounded to even: 56.2 — a figure the city's own check by hand would not match."""
    assert fmt.one_decimal(points) == shown
    assert fmt.format_percent(points, "ja") == shown + "%"
    assert fmt.format_number(points, "vi", digits=1) == shown.replace(".", ",")


def test_numbers_and_dates_per_locale():
    assert fmt.format_number(12345.678, "en", digits=1) == "12,345.7"
    assert fmt.format_number(12345.678, "vi", digits=1) == "12.345,7"
    assert fmt.format_number(1200, "ja") == "1,200"
    day = dt.date(2025, 4, 1)
    assert fmt.format_date(day, "ja") == "2025/04/01"
    assert fmt.format_date(day, "en") == "Apr 1, 2025"
    assert fmt.format_date(day, "ja", "long") == "2025年4月1日"
    assert "2025" in fmt.format_date(day, "ur", "long") and "اپریل" in fmt.format_date(day, "ur", "long")
