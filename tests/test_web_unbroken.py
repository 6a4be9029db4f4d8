"""Codes and phone numbers inside running text stay whole (and isolated) on residents' pages."""
from __future__ import annotations

from survey_app.web.unbroken import unbroken
from tests.support.survey import SURVEY_URL
from tests.support.web import start, text_of


def test_codes_and_phone_numbers_are_isolated_and_the_rest_escaped():
    out = str(unbroken("<b>like K7QF-3MZD-8WXP-R2T8</b>, call 011-382-5151 (not 2025-11-30 or 1011-382-5151)"))
    assert out.startswith("&lt;b&gt;like ")
    assert '<bdi class="code-example" dir="ltr">K7QF-3MZD-8WXP-R2T8</bdi>' in out
    assert '<a class="tel" href="tel:0113825151" dir="ltr"><bdi>011-382-5151</bdi></a>' in out
    assert "2025-11-30" in out and out.count("tel:") == 1  # a date, and a longer run, are not phone numbers
    inside_a_link = str(unbroken("call 011-382-5151", links=False))
    assert "<a" not in inside_a_link and '<bdi class="tel" dir="ltr">011-382-5151</bdi>' in inside_a_link


def test_the_urdu_code_error_and_the_contact_keep_them_whole(client, session, instrument):
    page = text_of(start(client, code="hello", lang="ur"))
    error = page.split('class="error-message"')[1].split("</p>")[0]
    assert '<bdi class="code-example" dir="ltr">K7QF-3MZD-8WXP-R2T8</bdi>' in error
    landing = text_of(client.get(f"{SURVEY_URL}/?lang=ur"))
    assert 'href="tel:0113825151"' in landing
