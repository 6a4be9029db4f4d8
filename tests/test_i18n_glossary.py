"""The glossary holds one term per concept per language, and the check enforces it."""
from __future__ import annotations

from pathlib import Path

from survey_app.i18n.glossary import glossary_problems, load_glossary

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
TERMS = load_glossary(TRANSLATIONS)


def test_the_glossary_names_the_six_key_terms_in_every_language():
    by_ja = {term.ja: term for term in TERMS}
    for ja in ("子育て", "共生", "市民", "案内状", "回答コード", "再開コード"):
        term = by_ja[ja]
        assert term.sources, ja
        assert set(term.use) >= {"vi", "ur", "ja-x-easy"}, ja


def test_a_retired_variant_is_refused():
    problems = glossary_problems(TERMS, "ja", "messages", "Printable letters", ["印刷用依頼状"])
    assert any("not 依頼状" in p for p in problems)
    assert glossary_problems(TERMS, "ja", "messages", "Printable letters", ["印刷用案内状"]) == []


def test_the_term_is_required_when_the_source_has_it():
    problems = glossary_problems(TERMS, "ur", "messages", "We could not find answers for this resume code.",
                                 ["اس کوڈ کے لیے کوئی جوابات نہیں ملے۔"])
    assert any("saikai_code" in p for p in problems)
    assert glossary_problems(TERMS, "ur", "messages", "16 letters and digits", ["16 حروف"]) == []


def test_review_findings_stay_fixed():
    assert glossary_problems(TERMS, "vi", "survey", "どちらかといえばそう思う", ["Phần nào đồng ý"])
    assert glossary_problems(TERMS, "vi", "survey", "どちらかといえばそう思う", ["Có phần đồng ý"]) == []
    assert glossary_problems(TERMS, "en", "survey", "パート・アルバイト", ["Part-time, side job"])
    assert glossary_problems(TERMS, "ur", "messages", "Please wait", ["براہ کرم انتظار کریں"])
    assert glossary_problems(TERMS, "vi", "messages", "Please type", ["Xin hãy nhập"])


def _translation(locale: str, context: str) -> str:
    from babel.messages.pofile import read_po

    with (TRANSLATIONS / locale / "LC_MESSAGES" / "survey.po").open("rb") as handle:
        entry = next(m for m in read_po(handle) if m.context == context)
    assert entry.string and not entry.fuzzy, (locale, context)
    return entry.string


def test_the_health_question_keeps_the_japanese_strength():
    """心掛けていること is ordinary care: not "always" (vi luôn) nor "special habits" (ur خاص عادات)."""
    vietnamese, urdu = _translation("vi", "question:kenko"), _translation("ur", "question:kenko")
    assert "luôn" not in vietnamese.casefold() and "sức khỏe" in vietnamese
    assert "خاص" not in urdu and "عادات" not in urdu and "صحت" in urdu
