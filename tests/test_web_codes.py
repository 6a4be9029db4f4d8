"""Invitation codes on the web: pre-fill from the QR link, typo vs unknown, one response per
code, a polite page for a used code, codes of another survey, closed open links, rate limits."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from survey_app import codes
from survey_app.instrument import bundled_path, parse_instrument
from survey_app.invitations import create_invitations
from survey_app.models import Answer, Response, Survey
from survey_app.surveys import load_survey
from survey_app.web import create_app
from tests.support.survey import SURVEY_URL
from tests.support.web import answer_all, csrf, post_page, resume_code, start, submit, text_of, web_config


@pytest.fixture
def letter(session, instrument, secret):
    return create_invitations(session, instrument, secret, [{"age_band": 2, "sex": 1, "district": 3}])[0]


def with_typo(code: str) -> str:
    compact = codes.normalise(code)
    swapped = "3" if compact[0] != "3" else "4"
    return codes.format_code(swapped + compact[1:])


def test_qr_link_prefills_and_recognises_the_code(client, letter):
    page = text_of(client.get(f"{SURVEY_URL}/?code={letter.code}&lang=en"))
    assert f'value="{letter.code}"' in page and "Your code is recognised" in page


def test_invited_response_keeps_the_stratum_and_source(client, session, letter):
    assert start(client, code=letter.code).status_code == 302
    response = session.scalars(select(Response)).one()
    assert response.source == "invited" and response.stratum == {"age_band": 2, "sex": 1, "district": 3}


def test_entering_the_code_again_continues_the_same_response(app, client, session, letter):
    start(client, code=letter.code)
    client.post(f"{SURVEY_URL}/q/living", data={"csrf_token": csrf(text_of(client.get(f"{SURVEY_URL}/q/living"))),
                                          "nav": "next", "kurashiyasui": "1"})
    new_phone = app.test_client()
    again = start(new_phone, code=letter.code.replace("-", " ").lower())
    assert again.headers["Location"].endswith("/q/childcare")
    assert len(session.scalars(select(Response)).all()) == 1


@pytest.mark.parametrize("typed_as", ["ime-long-vowel", "half-width-long-vowel", "urdu-digits", "arabic-digits"])
def test_a_code_typed_with_an_ime_dash_or_urdu_digits_starts_the_letters_response(client, session, letter, typed_as):
    """ー (a Japanese IME's "-") and ۰-۹ / ٠-٩ were refused as malformed; the check character proves them."""
    typed = {"ime-long-vowel": letter.code.replace("-", "ー"),
             "half-width-long-vowel": letter.code.replace("-", "ｰ"),
             "urdu-digits": letter.code.translate(str.maketrans("23456789", "۲۳۴۵۶۷۸۹")),
             "arabic-digits": letter.code.translate(str.maketrans("23456789", "٢٣٤٥٦٧٨٩"))}[typed_as]
    checked = text_of(client.get(f"{SURVEY_URL}/", query_string={"code": typed, "lang": "en"}))
    assert "Your code is recognised" in checked
    assert start(client, code=typed).headers["Location"].endswith("/q/living")
    assert session.scalars(select(Response.source)).one() == "invited"


def delete_my_answers(client):
    page = text_of(client.get(f"{SURVEY_URL}/delete"))
    return client.post(f"{SURVEY_URL}/delete", data={"csrf_token": csrf(page), "confirm": "delete"})


def test_starting_with_a_code_leaves_no_open_answers_behind(client, session, letter):
    """Started without a code, answered a page, then typed the letter's code on the landing page: the open
    answers were left in the database, where neither a code nor the phone reached them any more."""
    start(client, lang="en")
    post_page(client, "living", {"kurashiyasui": "1"})
    assert start(client, code=letter.code).headers["Location"].endswith("/q/living")  # the letter's own answers
    session.expire_all()
    assert [(r.source, r.status) for r in session.scalars(select(Response))] == [("invited", "partial")]
    assert session.scalars(select(Answer)).all() == []
    post_page(client, "living", {"kurashiyasui": "2"})
    assert delete_my_answers(client).headers["Location"].endswith("/deleted")
    session.expire_all()
    assert session.scalars(select(Response)).all() == [] and session.scalars(select(Answer)).all() == []


def test_an_open_response_with_a_resume_code_is_not_discarded(app, client, session, letter):
    """Its resident was told to note the resume code down and come back: it is still reachable."""
    start(client, lang="en")
    saved = post_page(client, "living", {"kurashiyasui": "1"}, nav="later", follow=True)
    token = resume_code(text_of(saved))
    start(client, code=letter.code)
    session.expire_all()
    assert sorted(r.source for r in session.scalars(select(Response))) == ["invited", "open"]
    resumed = start(app.test_client(), code=token)
    assert resumed.headers["Location"].endswith("/q/childcare")


def test_the_resume_code_of_the_phones_own_open_response_continues_it(client, session):
    start(client, lang="en")
    saved = post_page(client, "living", {"kurashiyasui": "1"}, nav="later", follow=True)
    assert start(client, code=resume_code(text_of(saved))).headers["Location"].endswith("/q/childcare")
    session.expire_all()
    assert [(r.source, r.status) for r in session.scalars(select(Response))] == [("open", "partial")]


def test_a_phone_that_sent_the_survey_with_its_letter_starts_no_open_answer(app, client, session, letter):
    start(client, code=letter.code)
    answer_all(client)
    submit(client)
    again = start(client)  # the open link, without a code, on the same phone
    assert again.status_code == 302 and again.headers["Location"].endswith("/thanks")
    assert [(r.source, r.status) for r in session.scalars(select(Response))] == [("invited", "complete")]


def test_a_used_code_gets_a_polite_page_with_the_contact(app, client, letter):
    start(client, code=letter.code)
    answer_all(client)
    submit(client)
    new_phone = app.test_client()
    checked = new_phone.get(f"{SURVEY_URL}/?code={letter.code}&lang=en")
    assert checked.status_code == 409 and "already been used" in text_of(checked)
    assert "011-382-5151" in text_of(checked)
    used = start(new_phone, code=letter.code)
    assert used.status_code == 409 and "011-382-5151" in text_of(used)


@pytest.mark.parametrize(("make", "expected"), [
    (with_typo, "typing mistake"),
    (lambda code: codes.generate(), "could not find"),
    (lambda code: "hello", "does not look like an invitation code"),
])
def test_typo_unknown_and_malformed_codes_are_told_apart(client, session, letter, make, expected):
    bad = make(letter.code)
    shown = start(client, code=bad, lang="en")
    page = text_of(shown)
    assert shown.status_code == 200 and expected in page
    assert 'class="error-summary"' in page and 'href="#code"' in page and f'value="{bad}"' in page
    assert 'aria-describedby="code-hint code-error" aria-invalid="true"' in page  # screen readers hear it
    assert expected in text_of(client.get(f"{SURVEY_URL}/?code={bad}"))
    assert session.scalars(select(Response)).all() == []


def test_a_code_from_another_survey_is_refused(client, session, secret, instrument):
    other = parse_instrument(bundled_path().read_text(encoding="utf-8").replace("id: ebetsu-2025", "id: other-2025"),
                             "other-2025.yaml")
    load_survey(session, other)
    foreign = create_invitations(session, other, secret, [{}])[0]
    shown = start(client, code=foreign.code, lang="en")
    assert "belongs to a different survey" in text_of(shown)
    assert session.scalars(select(Response)).all() == []


def test_a_survey_can_refuse_open_links(client, session, letter):
    session.get(Survey, "ebetsu-2025").allow_open = False
    session.commit()
    landing = text_of(client.get(f"{SURVEY_URL}/?lang=en"))
    assert "can only be answered with the invitation code" in landing and "(optional)" not in landing
    refused = start(client, lang="en")
    assert refused.status_code == 200 and 'class="error-summary"' in text_of(refused)
    assert session.scalars(select(Response)).all() == []
    assert start(client, code=letter.code).status_code == 302


def test_open_link_responses_are_stored_with_source_open(client, session):
    start(client)
    assert session.scalars(select(Response)).one().source == "open"


def test_rate_limit_per_code(db_url, instrument, letter):
    app = create_app(web_config(db_url, RATE_LIMIT_PER_CODE="2 per minute"))
    client = app.test_client()
    bad = with_typo(letter.code)
    for _ in range(2):
        assert client.get(f"{SURVEY_URL}/?code={bad}").status_code == 200
    limited = client.get(f"{SURVEY_URL}/?code={bad}&lang=en")
    assert limited.status_code == 429 and "Too many attempts" in text_of(limited)
    assert '<html lang="en"' in text_of(limited)
    assert client.get(f"{SURVEY_URL}/?code={letter.code}").status_code == 200  # another code is not blocked


def test_a_resident_switching_language_with_their_code_never_uses_up_its_tries(db_url, instrument, letter):
    """The language links of the page a letter's QR code opens keep ``?code=``; only codes that were
    not accepted count (the real limits: 10 per code, 30 per minute per address)."""
    client = create_app(web_config(db_url)).test_client()
    for lang in ["ja", "en", "vi", "ur", "ja-x-easy"] * 7:
        page = client.get(f"{SURVEY_URL}/?code={letter.code}&lang={lang}")
        assert page.status_code == 200 and 'class="error-summary"' not in text_of(page)
    landing = client.get(f"{SURVEY_URL}/?code={letter.code}")
    started = client.post(f"{SURVEY_URL}/start", data={"csrf_token": csrf(text_of(landing)), "code": letter.code,
                                                       "nav": "next"})
    assert started.status_code == 302 and "/q/" in started.headers["Location"]


def test_accepted_codes_leave_the_address_its_tries_for_wrong_ones(db_url, instrument, letter):
    client = create_app(web_config(db_url, RATE_LIMIT_CODE_PER_IP="3 per minute")).test_client()
    assert [client.get(f"{SURVEY_URL}/?code={letter.code}").status_code for _ in range(5)] == [200] * 5
    wrong = [client.get(f"{SURVEY_URL}/?code={codes.generate()}").status_code for _ in range(4)]
    assert wrong == [200, 200, 200, 429]


def test_rate_limit_per_ip(db_url, instrument):
    app = create_app(web_config(db_url, RATE_LIMIT_CODE_PER_IP="3 per minute"))
    client = app.test_client()
    for _ in range(3):
        assert client.get(f"{SURVEY_URL}/?code={codes.generate()}").status_code == 200
    assert client.get(f"{SURVEY_URL}/?code={codes.generate()}").status_code == 429
    assert client.get(f"{SURVEY_URL}/").status_code == 200  # the page itself, without a code, stays open
    other_ip = client.get(f"{SURVEY_URL}/?code={codes.generate()}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_ip.status_code == 200


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # about the limiter, not the database
def test_rate_limit_per_code_holds_after_an_app_whose_redis_was_down(db_url, instrument, letter):
    """Apps of one process share the limiter object: an earlier app's unreachable Redis must not
    leave the next app counting in a fallback that it drops at its next storage check (2 s
    after the failed one), the count starting again from zero."""
    down = create_app(web_config(db_url, REDIS_URL="redis://127.0.0.1:1/0")).test_client()
    assert down.get(f"{SURVEY_URL}/?code={codes.generate()}").status_code == 200  # Redis found down
    client = create_app(web_config(db_url, RATE_LIMIT_PER_CODE="2 per minute")).test_client()
    bad = with_typo(letter.code)
    assert [client.get(f"{SURVEY_URL}/?code={bad}").status_code for _ in range(2)] == [200, 200]
    time.sleep(2.1)  # past the limiter's back-off before it looks at the storage again
    assert client.get(f"{SURVEY_URL}/?code={bad}").status_code == 429
