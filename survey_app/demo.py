"""Synthetic responses for demos and benchmarks, with realistic non-response.

Residents are drawn from the population margins (independently by age band, sex and
district), then *respond* with a propensity that rises with age — residents aged 70+
answer about 2.8 times as often as those aged 18–29, as in Japanese municipal surveys —
so unweighted shares are biased towards older residents and weighting visibly matters.
Opinions depend on age and district with noise; everything follows one seed.

The bundled margins in ``instruments/ebetsu-2025-population.csv`` are *illustrative*
(rounded to Ebetsu's scale), not the resident register: import the register's figures
with ``machikoe population import`` before publishing anything.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from survey_app.i18n import locales
from survey_app.instrument import ChoiceList, Instrument, Question
from survey_app.models import utcnow
from survey_app.population import MarginRow
from survey_app.responses import bulk_complete

# Relative response propensity by age band code (18–29 … 70+).
RESPONSE_PROPENSITY = {1: 1.0, 2: 1.3, 3: 1.6, 4: 2.0, 5: 2.6, 6: 2.8}
# Log-odds of a positive opinion per indicator question, and its change per age band step.
OPINION = {"kurashiyasui": (1.2, 0.05), "kosodate": (0.1, 0.04), "hatarakiyasui": (-0.9, 0.06),
           "kyosei": (-0.2, 0.05), "kenko": (1.6, 0.12)}


def _marginal(margins: list[MarginRow], dimension: str) -> tuple[np.ndarray, np.ndarray]:
    cells = [(int(m.category), m.count) for m in margins if m.dimension == dimension]
    codes = np.array([c for c, _ in cells])
    p = np.array([n for _, n in cells], dtype=float)
    return codes, p / p.sum()


def _opinion(rng: np.random.Generator, instrument: Instrument, qid: str, age: np.ndarray) -> np.ndarray:
    base, slope = OPINION[qid]
    p_positive = 1 / (1 + np.exp(-(base + slope * (age - 3.5) + rng.normal(0, 0.3, len(age)))))
    positive = rng.random(len(age)) < p_positive
    strong = rng.random(len(age)) < 0.35
    choices = _choice_list(instrument.question(qid))
    missing = sorted(choices.missing_codes())
    substantive = [c for c in choices.codes() if c not in missing]
    if len(substantive) == 2:  # a yes/no fact (健康): the first code is the positive one
        answer = np.where(positive, substantive[0], substantive[1])
    else:
        answer = np.where(positive, np.where(strong, 1, 2), np.where(strong, 4, 3))
    if not missing:
        return answer
    dont_know = rng.random(len(age)) < 0.06
    return np.where(dont_know, missing[0], answer)


def synthetic_rows(instrument: Instrument, margins: list[MarginRow], n: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    age_codes, age_p = _marginal(margins, "age_band")
    weights = age_p * np.array([RESPONSE_PROPENSITY.get(int(c), 1.0) for c in age_codes])
    age = rng.choice(age_codes, size=n, p=weights / weights.sum())
    sex_codes, sex_p = _marginal(margins, "sex")
    district_codes, district_p = _marginal(margins, "district")
    sex = rng.choice(sex_codes, size=n, p=sex_p)
    sex = np.where(rng.random(n) < 0.02, 3, sex)  # "other / prefer not to answer"
    district = rng.choice(district_codes, size=n, p=district_p)
    foreign = rng.random(n) < np.where(age <= 2, 0.06, 0.01)
    opinions = {qid: _opinion(rng, instrument, qid, age) for qid in OPINION if instrument.has_question(qid)}
    children = np.where((age >= 2) & (age <= 4) & (rng.random(n) < 0.55), 1, 2)
    now = utcnow()
    rows = []
    for i in range(n):
        row: dict[str, Any] = {qid: int(v[i]) for qid, v in opinions.items()}  # bulk_complete's row
        row.update(age_band=int(age[i]), sex=int(sex[i]), district=int(district[i]),
                   nationality=2 if foreign[i] else 1, has_children=int(children[i]),
                   years_lived=int(rng.integers(1, 6)), household_size=int(rng.integers(1, 6)),
                   employment=int(rng.integers(1, 8)))
        if children[i] == 1:
            row["kosodate_needs"] = sorted({int(c) for c in rng.choice([1, 2, 3, 4, 5], size=2)})
        locale, channel = _channel(rng, foreign[i])
        row["_locale"], row["_channel"] = locale, channel
        row["_submitted_at"] = now - timedelta(days=int(rng.integers(0, 28)), minutes=int(rng.integers(0, 1440)))
        rows.append({k: v for k, v in row.items() if k.startswith("_") or instrument.has_question(k)})
    _comments(instrument, rows, seed)
    return rows


# Free comments in the resident's language; a few carry personal details, as real ones do, so the
# report's masking is exercised on demo data too.
COMMENTS = {
    "ja": ["除雪をもっと早くしてほしいです。", "公園が増えて子どもが遊びやすくなりました。",
           "バスの本数が少なく、通勤に不便です。詳しくは 011-382-0000 までご連絡ください。",
           "市役所の田中さんがとても親切でした。", "図書館の開館時間を延ばしてほしい。",
           "大麻駅の周辺に買い物できる店が少ないです。", "子育て支援センターの予約がなかなか取れません。",
           "ご意見はメール taro@example.jp でも送れるようにしてほしい。"],
    "en": ["Please provide more information in English at the city office.",
           "Snow removal on side streets is too slow."],
    "vi": ["Tôi muốn có lớp học tiếng Nhật miễn phí vào buổi tối.", "Thông tin về rác thải nên có tiếng Việt."],
    "ur": ["شہر میں حلال کھانے کی دکانیں کم ہیں۔", "بچوں کے اسکول کے بارے میں اردو میں معلومات چاہییں۔"],
}
REASONS = ["保育園の空きが少ないです。", "子どもの遊び場が近くにありません。", "相談できる場所がわかりにくい。"]


def _comments(instrument: Instrument, rows: list[dict[str, Any]], seed: int) -> None:
    """About one respondent in twelve writes a comment; some who find childcare lacking say why."""
    rng = np.random.default_rng(seed + 1)  # its own stream: the answers above do not change
    for row in rows:
        if instrument.has_question("comment") and rng.random() < 0.08:
            choices = COMMENTS.get(row["_locale"], COMMENTS["ja"])
            row["comment"] = choices[int(rng.integers(0, len(choices)))]
        if instrument.has_question("kosodate_reason") and row.get("kosodate") in (3, 4) and rng.random() < 0.1:
            row["kosodate_reason"] = REASONS[int(rng.integers(0, len(REASONS)))]


#: Which language a foreign resident of the demo answers in, and how often (Ebetsu's largest groups).
FOREIGN_LANGUAGE_SHARES = {"vi": 0.5, "ur": 0.3, "en": 0.2}


def _channel(rng: np.random.Generator, foreign: bool) -> tuple[str, str]:
    if foreign:
        tags, shares = zip(*FOREIGN_LANGUAGE_SHARES.items(), strict=True)
        return str(rng.choice(list(tags), p=list(shares))), str(rng.choice(["telegram", "web"]))
    return locales.default(), str(rng.choice(["web", "paper"], p=[0.6, 0.4]))


def _choice_list(question: Question) -> ChoiceList:
    if question.choice_list is None:
        raise ValueError(f"demo data: question '{question.id}' has no choices")
    return question.choice_list


def _register_value(question: Question, answered: int | None, index: int) -> int:
    """The register's attribute behind an answer: the answer itself, unless it is a 'missing' code
    (「その他・答えたくない」) or blank — the register (and so the letter) always has a real category."""
    choices = _choice_list(question)
    missing = choices.missing_codes()
    if answered is not None and answered not in missing:
        return answered
    real = [c for c in choices.codes() if c not in missing]
    return real[index % len(real)]


def create_demo_responses(session: Session, instrument: Instrument, margins: list[MarginRow],
                          n: int, seed: int) -> int:
    """Invited responses (as if each came with a letter's code): the demo is a mailed random sample.

    Each carries its letter's frame attributes (age band, sex, district) as an invitation
    would; no design is recorded, so the analysis says it treats the sample as simple random.
    """
    rows = synthetic_rows(instrument, margins, n, seed)
    questions = instrument.weighting_questions()
    for index, row in enumerate(rows):
        row["_stratum"] = {q.id: _register_value(q, row.get(q.id), index) for q in questions if q.id in row}
    stored = 0
    for channel in ("web", "paper", "telegram"):
        subset = [r for r in rows if r["_channel"] == channel]
        stored += bulk_complete(session, instrument, subset, channel=channel, source="invited")
    return stored
