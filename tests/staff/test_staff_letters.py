"""Printable letters with local QR codes, re-reading a letters file, undeliverable letters."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app import codes
from survey_app.csvio import CsvError
from survey_app.invitations import create_invitations, letters_csv
from survey_app.letters import UndeliverableError, mark_undeliverable, printable, qr_svg, read_letters_csv
from survey_app.models import Invitation


def test_qr_svg_is_inline_labelled_and_encodes_the_link():
    svg = qr_svg("https://survey.example/s/x/?code=AB", 'QR: "x"')
    assert svg.startswith('<svg role="img" aria-label="QR: &quot;x&quot;"') and "<path" in svg
    # Made locally: the picture is drawn paths, no reference to any image URL.
    assert "href" not in svg and "<img" not in svg


def test_printable_letters_have_both_links(session, instrument, secret):
    letters = create_invitations(session, instrument, secret, [{"age_band": 1, "sex": 2, "district": 3}] * 2)
    pages = printable(letters, instrument, "https://survey.example/", "EbetsuBot")
    assert pages[0].web_url == f"https://survey.example/s/{instrument.id}/?code={letters[0].code}"
    assert pages[0].telegram_url == f"https://t.me/EbetsuBot?start={codes.normalise(letters[0].code)}"
    assert pages[0].web_qr.startswith("<svg") and pages[0].telegram_qr.startswith("<svg")
    no_bot = printable(letters, instrument, "https://survey.example", None)
    assert no_bot[0].telegram_url == "" and no_bot[0].telegram_qr == ""


def test_printable_letters_and_letters_file_carry_the_line_link(session, instrument, secret):
    from urllib.parse import unquote

    from survey_app.invitations import LineAccountError, line_account

    letters = create_invitations(session, instrument, secret, [{"age_band": 1, "sex": 2, "district": 3}] * 2)
    pages = printable(letters, instrument, "https://survey.example/", None, line_account("123abcde"))
    assert pages[0].line_url.startswith("https://line.me/R/oaMessage/%40123abcde/?")
    assert unquote(pages[0].line_url.split("?", 1)[1]) == f"/start {letters[0].code}"
    assert pages[0].line_qr.startswith("<svg") and pages[0].telegram_qr == ""
    assert printable(letters, instrument, "https://survey.example/", None)[0].line_qr == ""
    text = letters_csv(letters, instrument, "https://survey.example", "EbetsuBot", "@123abcde")
    header, first = text.splitlines()[:2]
    assert header.endswith(",web_url,telegram_url,line_url") and first.endswith("," + pages[0].line_url)
    assert [lt.code for lt in read_letters_csv(text.encode("utf-8-sig"), instrument)] == [lt.code for lt in letters]
    assert letters_csv(letters, instrument, "https://survey.example", None).splitlines()[1].endswith(",")
    with pytest.raises(LineAccountError, match="LINE_BASIC_ID"):
        letters_csv(letters, instrument, "https://survey.example", None, "@line account")


def test_letters_file_round_trip_and_bad_code(session, instrument, secret):
    letters = create_invitations(session, instrument, secret, [{"age_band": 2, "district": 1}] * 3)
    text = letters_csv(letters, instrument, "https://survey.example", None)
    again = read_letters_csv(text.encode("utf-8-sig"), instrument)
    assert [lt.code for lt in again] == [lt.code for lt in letters]
    assert again[0].stratum == {"age_band": 2, "district": 1}
    broken = text.replace(letters[1].code, letters[1].code[:-1] + ("2" if letters[1].code[-1] != "2" else "3"))
    with pytest.raises(CsvError) as info:
        read_letters_csv(broken.encode(), instrument)
    assert info.value.line == 3


def test_mark_undeliverable_all_or_nothing(session, instrument, secret):
    letters = create_invitations(session, instrument, secret, [{"age_band": 2}] * 3)
    typo = letters[2].code[:-1] + ("2" if letters[2].code[-1] != "2" else "3")
    with pytest.raises(UndeliverableError) as info:
        mark_undeliverable(session, instrument, secret, f"{letters[0].code}\n\nnot-a-code\n{typo}\n")
    assert [(e.line, e.problem.split(" ")[0]) for e in info.value.errors] == [(3, "not"), (4, "typing")]
    assert not any(session.scalars(select(Invitation.undeliverable)))  # nothing marked
    count = mark_undeliverable(session, instrument, secret, f" {letters[0].code.lower()} \n{letters[1].code}")
    assert count == 2
    assert sorted(session.scalars(select(Invitation.undeliverable))) == [False, True, True]
    assert mark_undeliverable(session, instrument, secret, f"{letters[2].code}\n" * 5 + letters[0].code) == 1
    assert mark_undeliverable(session, instrument, secret, letters[0].code, undeliverable=False) == 1
    assert mark_undeliverable(session, instrument, secret, letters[0].code, undeliverable=False) == 0  # not marked
    with pytest.raises(UndeliverableError):
        mark_undeliverable(session, instrument, secret, "   \n")
    with pytest.raises(UndeliverableError, match="no invitation"):
        mark_undeliverable(session, instrument, secret, codes.generate())
