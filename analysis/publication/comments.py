"""自由意見: every free-text answer, personal details masked, grouped by indicator area and language.

Masking keeps the resident's words and language and replaces only what identifies a person:

- e-mail addresses → ``＊＊＊@＊＊＊``;
- phone numbers (Japanese fixed and mobile, with or without hyphens, full-width digits too,
  ``+81`` international form) → ``＊＊＊-＊＊＊＊-＊＊＊＊``;
- postal codes (``〒060-0001``, ``060-0001``) → ``〒＊＊＊-＊＊＊＊``;
- a name before a Japanese honorific (``田中さん``, ``佐藤様``, ``山田氏``) → ``〇〇さん``; common
  words ending in the same sound (皆さん, お客様, 奥さん, …) are kept; ``Mr./Ms./Mrs. Smith`` likewise.

It is deliberately conservative (masks a little too much rather than too little): a comment is
published. Patterns run on the text as written; digits are matched in ASCII and full width.
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from analysis.publication.data import Comment
from survey_app.instrument import Instrument, Question

D = "[0-9０-９]"
SEP = "[-‐－ー―−.．\\s]?"  # 090.1234.5678 too
# \w covers full-width letters and digits; the dot may be full-width (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ, a Japanese IME)
EMAIL = re.compile(r"[\w.．+＋\-－]+\s?[@＠]\s?[\w\-－]+(?:[.．][\w\-－]+)+")
POSTAL_MARKED = re.compile(rf"〒\s?{D}{{3}}{SEP}{D}{{4}}")
POSTAL_BARE = re.compile(rf"(?<![0-9０-９\-‐－]){D}{{3}}[-‐－]{D}{{4}}(?![0-9０-９\-‐－])")
PHONE = re.compile(rf"(?:\+81{SEP}|(?<![0-9０-９])[0０]){D}{{1,4}}{SEP}{D}{{1,4}}{SEP}{D}{{3,4}}(?![0-9０-９])")
HONORIFIC = re.compile(r"([\u4e00-\u9fff\u3040-\u30ff々〆ヶ]{1,6})(さん|様|さま|氏|くん|君|ちゃん)")
LATIN_TITLE = re.compile(r"\b(Mr|Mrs|Ms|Miss|Dr|Anh|Chị|Ông|Bà)\.?\s+[A-Z][\w'-]+")
# Words that end in an honorific but name nobody.
NOT_NAMES = ("皆", "みな", "みんな", "客", "お客", "奥", "お子", "子供", "子ども", "お母", "お父", "親御", "店員",
             "職員", "住民", "市民", "先生方", "利用者", "患者", "神", "仏", "お疲れ", "ご苦労", "お世話", "お陰", "おかげ",
             "ご近所", "近所", "大家", "お医者", "医者", "看護師", "保育士", "上", "王")
MASK_NAME = "〇〇"


def _honorific(match: re.Match) -> str:
    word, title = match.group(1), match.group(2)
    for keep in NOT_NAMES:
        if word.endswith(keep):
            return match.group(0)
    # Keep particles/verbs before the name (…には田中さん → …には〇〇さん): mask kanji/katakana only.
    name = re.search(r"[\u4e00-\u9fff\u30a0-\u30ff々〆ヶ]+$", word)
    if name is None:
        return match.group(0)
    return word[: name.start()] + MASK_NAME + title


def mask(text: str) -> str:
    """The comment with e-mail addresses, phone numbers, postal codes and names masked."""
    text = EMAIL.sub("＊＊＊@＊＊＊", text)
    # 〒 codes first (〒067-8674 would read as a phone number), bare ones after the phone numbers
    # (090-1234-5678 contains 090-1234).
    text = POSTAL_MARKED.sub("〒＊＊＊-＊＊＊＊", text)
    text = PHONE.sub("＊＊＊-＊＊＊＊-＊＊＊＊", text)
    text = POSTAL_BARE.sub("〒＊＊＊-＊＊＊＊", text)
    text = HONORIFIC.sub(_honorific, text)
    return LATIN_TITLE.sub(lambda m: f"{m.group(1)} {MASK_NAME}", text)


@dataclass(frozen=True)
class CommentGroup:
    area: str  # the indicator's title, or the question's section
    question: str  # the question's text
    locale: str
    comments: tuple[str, ...]


def area_of(instrument: Instrument, question: Question) -> str | None:
    """The indicator a text question belongs to: the one whose question shows it (``show_if``) or
    shares its section; None for general comments."""
    by_question = {ind.question: ind for ind in instrument.indicators}
    if question.show_if and question.show_if.question in by_question:
        return by_question[question.show_if.question].id
    section = instrument.section(question.section_id)
    return next((by_question[q.id].id for q in section.questions if q.id in by_question), None)


def group_comments(instrument: Instrument, comments: list[Comment],
                   area_title: Callable[[str | None, Question], str], question_text: Callable[[Question], str],
                   locale_order: tuple[str, ...], small_locales: frozenset[str] = frozenset(),
                   ) -> tuple[list[CommentGroup], int]:
    """Groups in indicator order, then general comments; languages in the instrument's order; and the
    number of comments withheld.

    A comment to a question asked only after certain answers (``show_if``: a reason asked of the
    dissatisfied) tells that answer, and its language — the text's own — tells who wrote it when few
    residents answered in it: such comments in ``small_locales`` (fewer respondents than the
    suppression threshold) are withheld, as the cross tables by language are."""
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    withheld = 0
    for comment in comments:
        if comment.locale in small_locales and instrument.question(comment.question).show_if is not None:
            withheld += 1
            continue
        grouped[(comment.question, comment.locale)].append(mask(comment.text))
    order = {ind.id: i for i, ind in enumerate(instrument.indicators)}
    text_questions = [q for q in instrument.questions if q.kind.free_text]
    text_questions.sort(key=lambda q: order.get(area_of(instrument, q) or "", len(order)))  # no area: last
    groups = []
    for question in text_questions:
        area = area_of(instrument, question)
        locales = sorted({loc for (qid, loc) in grouped if qid == question.id},
                         key=lambda loc: (locale_order.index(loc) if loc in locale_order else 99, loc))
        for locale in locales:
            groups.append(CommentGroup(area_title(area, question), question_text(question), locale,
                                       tuple(grouped[(question.id, locale)])))
    return groups, withheld
