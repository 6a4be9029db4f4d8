"""The bundled instrument in every language: complete, in the right script, nothing leaked."""
from __future__ import annotations

import logging
import re
import unicodedata

import pytest

from survey_app.i18n import catalogs, locales
from survey_app.i18n.checks import is_arabic_script, japanese_outside_parentheses
from survey_app.i18n.texts import InstrumentTexts
from survey_app.instrument import bundled_path, load_instrument, parse_instrument

INSTRUMENT = load_instrument(bundled_path())
SOURCE = dict((ctx, text) for ctx, text, _ in INSTRUMENT.texts())
VIETNAMESE_MARKS = set("ăâđêôơưàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ")
KANJI_OR_KANA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def repository_catalogs(monkeypatch):
    monkeypatch.delenv(catalogs.ENV_DIR, raising=False)
    catalogs.clear_cache()
    yield
    catalogs.clear_cache()


def every_text(texts: InstrumentTexts) -> dict[str, str]:
    """Every text through the public methods (what web and bot call), keyed by msgctxt."""
    out = {"title": texts.title(), "privacy_notice": texts.privacy_notice(), "contact": texts.contact()}
    for cl in INSTRUMENT.choice_lists.values():
        for c in cl.choices:
            out[f"choice:{cl.id}:{c.code}"] = texts.choice(cl, c)
    for section in INSTRUMENT.sections:
        out[f"section:{section.id}"] = texts.section(section)
        for q in section.questions:
            out[f"question:{q.id}"] = texts.question(q)
            if q.hint:
                out[f"hint:{q.id}"] = texts.hint(q)
            else:
                assert texts.hint(q) is None
            if q.short_name:
                out[f"short_name:{q.id}"] = texts.short_name(q)
            else:
                assert texts.short_name(q) == texts.question(q)  # no short name: the question's text
    for ind in INSTRUMENT.indicators:
        out[f"indicator:{ind.id}"] = texts.indicator(ind)
    return out


@pytest.mark.parametrize("locale", [e.tag for e in locales.registry() if e.scope == "all"])
def test_every_locale_resolves_every_text_without_falling_back(locale, caplog):
    with caplog.at_level(logging.WARNING, logger="survey_app.i18n.texts"):
        resolved = every_text(InstrumentTexts(INSTRUMENT, locale))
    assert set(resolved) == set(SOURCE)
    assert all(text.strip() for text in resolved.values())
    if locale == "ja":
        assert resolved == SOURCE
    else:
        same = [ctx for ctx, text in resolved.items() if text == SOURCE[ctx]]
        assert same == [], f"{locale}: shown in Japanese: {same}"
        assert "no " + locale not in caplog.text


@pytest.mark.parametrize("locale", ["en", "vi", "ur"])
def test_no_japanese_outside_parentheses_and_no_ids(locale):
    for ctx, text in every_text(InstrumentTexts(INSTRUMENT, locale)).items():
        assert japanese_outside_parentheses(text) == [], f"{locale} {ctx}: {text}"
        assert ctx not in text and not re.search(r"\b(question|choice|section|hint):", text)
        assert "%(" not in text


def test_urdu_texts_are_in_arabic_script():
    for ctx, text in every_text(InstrumentTexts(INSTRUMENT, "ur")).items():
        assert is_arabic_script(text), f"{ctx}: {text}"
        bare = re.sub(r"\([^)]*\)", "", text)
        assert not re.search(r"[A-Za-z]", bare), f"romanised Urdu in {ctx}: {text}"


def test_vietnamese_texts_are_nfc_with_their_diacritics():
    texts = every_text(InstrumentTexts(INSTRUMENT, "vi"))
    for ctx, text in texts.items():
        assert unicodedata.is_normalized("NFC", text), ctx
    marked = [ctx for ctx, text in texts.items() if VIETNAMESE_MARKS.intersection(text.lower())]
    # Every text but bare numbers carries Vietnamese diacritics (no ASCII-only "Viet").
    unmarked = set(texts) - set(marked)
    assert all(re.fullmatch(r"[\d–\s]+tuổi|Khác|Nam", texts[c]) for c in unmarked), unmarked
    assert texts["choice:agree4:1"] == "Đồng ý"
    assert texts["section:health"] == "Sức khỏe"


def test_place_names_stay_recognisable():
    for locale, nopporo in (("en", "Nopporo (野幌)"), ("vi", "Nopporo (野幌)"), ("ur", "نوپورو (野幌)")):
        assert nopporo in InstrumentTexts(INSTRUMENT, locale).choice("districts", 2)
    assert "Ōasa (大麻)" in InstrumentTexts(INSTRUMENT, "en").choice("districts", 3)
    assert "(江別)" in InstrumentTexts(INSTRUMENT, "ur").title()


def test_scales_stay_balanced_and_parallel():
    en = InstrumentTexts(INSTRUMENT, "en")
    assert [en.choice("agree4", c) for c in (1, 2, 3, 4, 9)] == [
        "Agree", "Somewhat agree", "Somewhat disagree", "Disagree", "Don't know"]
    for locale in ("vi", "ur"):
        texts = InstrumentTexts(INSTRUMENT, locale)
        agree, some_agree, some_disagree, disagree = (texts.choice("agree4", c) for c in (1, 2, 3, 4))
        assert agree.lower() in some_agree.lower() and disagree.lower() in some_disagree.lower()  # midpoints qualify the ends
        assert len({agree, some_agree, some_disagree, disagree}) == 4


def test_source_language_returns_the_yaml_and_methods_accept_ids():
    ja = InstrumentTexts(INSTRUMENT, "ja")
    assert ja.question("kosodate") == INSTRUMENT.question("kosodate").text
    assert ja.choice("agree4", 9) == "わからない"
    assert ja.section("living") == "江別市での暮らしについて"
    with pytest.raises(KeyError):
        ja.choice("agree4", 7)


def test_reworded_question_falls_back_to_japanese_and_warns_once(caplog):
    source = INSTRUMENT.source_text.replace("あなたは、江別市は暮らしやすいまちだと思いますか。",
                                            "あなたは、江別市は住みやすいまちだと思いますか。")
    reworded = parse_instrument(source, "reworded.yaml")
    with caplog.at_level(logging.WARNING, logger="survey_app.i18n.texts"):
        for _ in range(3):
            texts = InstrumentTexts(reworded, "vi")
            assert texts.question("kurashiyasui") == "あなたは、江別市は住みやすいまちだと思いますか。"
            assert texts.question("kosodate") == InstrumentTexts(INSTRUMENT, "vi").question("kosodate")
    warnings = [r for r in caplog.records if "question:kurashiyasui" in r.getMessage()]
    assert len(warnings) == 1


def test_a_language_without_any_catalog_shows_japanese_not_english(tmp_path, monkeypatch):
    monkeypatch.setenv(catalogs.ENV_DIR, str(tmp_path))
    catalogs.clear_cache()
    texts = InstrumentTexts(INSTRUMENT, "vi")
    assert texts.question("kosodate") == INSTRUMENT.question("kosodate").text
    assert KANJI_OR_KANA.search(texts.choice("agree4", 1))


def test_easy_japanese_has_every_resident_text_and_falls_back_only_for_staff_titles():
    """ja-x-easy (scope "resident"): every text a resident reads comes from its catalog; the
    indicator titles (staff only) fall back to the Japanese source."""
    texts = InstrumentTexts(INSTRUMENT, "ja-x-easy")
    for context, source in SOURCE.items():
        found = texts._translations.find(source, context)
        if context.startswith("indicator:"):
            continue
        assert found, context


@pytest.mark.parametrize("locale", ["ja", "en", "vi", "ur", "ja-x-easy"])
def test_notices_tables_and_footnotes_call_a_question_by_one_name(locale):
    """The instrument's ``short_name``, translated, is the one name: a notice's 「age_band」, a cross
    table's title and a footnote's margins all say 年齢 (footnotes had said 年代, notices 年齢)."""
    from analysis.breakdown import margin_label, short_label

    texts = InstrumentTexts(INSTRUMENT, locale)
    for qid in ("age_band", "sex", "district", "nationality"):
        name = texts.short_name(qid)
        assert short_label(INSTRUMENT, qid, locale) == name
        assert texts.name_ids(f"「{qid}」") == f"「{name}」"
    assert margin_label(INSTRUMENT, "age_band:sex", locale) == f"{texts.short_name('age_band')} × {texts.short_name('sex')}"
    if locale == "ja":
        assert texts.short_name("age_band") == "年齢" and texts.short_name("kurashiyasui") == texts.question("kurashiyasui")
