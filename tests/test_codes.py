"""Invitation codes: format, entropy, and the check character against every single typo."""
from __future__ import annotations

import math
import random

import pytest

from survey_app import codes


def test_format_alphabet_and_entropy():
    code = codes.generate()
    assert len(code) == 19 and code.count("-") == 3
    assert not set(code.replace("-", "")) & set("0O1IL")
    assert codes.RANDOM_LENGTH * math.log2(len(codes.ALPHABET)) >= 60
    assert len({codes.generate() for _ in range(2000)}) == 2000


def test_every_single_character_typo_is_detected():
    rng = random.Random(7)
    sample = [codes.normalise(codes.generate()) for _ in range(300)]
    undetected = 0
    for compact in sample:
        assert codes.check(compact)[0] == codes.CodeStatus.VALID
        for pos in range(len(compact)):
            for ch in codes.ALPHABET + "0O1IL":
                if ch != compact[pos]:
                    typo = compact[:pos] + ch + compact[pos + 1:]
                    undetected += codes.check(typo)[0] == codes.CodeStatus.VALID
        # adjacent transpositions are caught too
        pos = rng.randrange(len(compact) - 1)
        if compact[pos] != compact[pos + 1]:
            swapped = compact[:pos] + compact[pos + 1] + compact[pos] + compact[pos + 2:]
            assert codes.check(swapped)[0] == codes.CodeStatus.TYPO
    assert undetected == 0


def test_normalisation_accepts_what_people_type():
    code = codes.generate()
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in code.lower())
    assert codes.check(fullwidth) == (codes.CodeStatus.VALID, code)
    assert codes.check(" " + code.replace("-", " ") + " ") == (codes.CodeStatus.VALID, code)


URDU_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("separator", ["ー", "ｰ", "一", "⼀", "ㅡ", "‐", "‑", "‒", "–", "—", "―", "−", "－", "﹣", "〜"])
def test_dash_like_separators_from_input_methods_are_separators(separator):
    """A Japanese IME types "-" as the long-vowel mark ー, which Python counts as a letter."""
    assert codes.check(separator.join(["KKFJ", "2BFT", "RRWD", "WTMZ"])) == (codes.CodeStatus.VALID,
                                                                              "KKFJ-2BFT-RRWD-WTMZ")


@pytest.mark.parametrize("digits", [URDU_DIGITS, ARABIC_INDIC_DIGITS])
def test_codes_typed_with_urdu_or_arabic_indic_digits_read_as_printed(digits):
    code = next(c for c in iter(codes.generate, None) if sum(ch.isdigit() for ch in c) >= 3)
    typed = "\u200f" + code.translate(digits) + "\u200e"  # as copied from an Urdu text, marks and all
    assert typed != code and codes.check(typed) == (codes.CodeStatus.VALID, code)
    assert codes.invitation_hmac("k", typed) == codes.invitation_hmac("k", code)


def test_other_scripts_digits_and_letters_keep_a_code_malformed():
    compact = codes.normalise(codes.generate())
    for stranger in ("२", "፩", "Ж", "カ"):  # Devanagari 2, Ethiopic 1, Cyrillic, katakana
        assert codes.check(compact[:-1] + stranger)[0] == codes.CodeStatus.MALFORMED, stranger


def test_malformed_and_typo_are_told_apart():
    assert codes.check("hello")[0] == codes.CodeStatus.MALFORMED
    assert codes.check("")[0] == codes.CodeStatus.MALFORMED
    compact = codes.normalise(codes.generate())
    assert codes.check(compact[:-1] + "O")[0] == codes.CodeStatus.TYPO


def test_hmacs_are_domain_separated_and_stable():
    code = codes.generate()
    assert codes.invitation_hmac("k", code) == codes.invitation_hmac("k", code.lower())
    assert codes.invitation_hmac("k", code) != codes.response_key("k", code)
    assert codes.pseudonym("k", "telegram", 42) != codes.pseudonym("k", "line", 42)
    assert "42" not in codes.pseudonym("k", "telegram", 42)


def test_every_example_code_shown_to_residents_passes_its_own_check():
    """An example typed as shown must not be answered "typing mistake" (K7QF-3MZD-8WXP-R2TA was)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    texts = [p.read_text(encoding="utf-8") for p in [*root.glob("translations/**/*.po"),
                                                      *root.glob("survey_app/web/templates/**/*.html"),
                                                      *root.glob("bot/*.py")]]
    examples = {m for text in texts for m in re.findall(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b", text)}
    assert examples and all(codes.check(example)[0] == "valid" for example in examples), examples
