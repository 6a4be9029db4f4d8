"""Invitations, paper returns, population margins and the monitor through the staff pages."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from survey_app import codes, responses, survey_settings
from survey_app.models import AuditEvent, DesignStratum, Invitation, PopulationMargin, Response
from tests.support.pdfcheck import pdf_pages_text, pdf_text
from tests.support.survey import STAFF_URL, SURVEY
from tests.support.web import csrf, text_of

# The subject is the fieldwork pages' words, not storage: SQLite alone; every statement sent here reaches
# PostgreSQL in another test (tests/support/db.py, checked by tests/support/sql_reach.py).
pytestmark = pytest.mark.databases("sqlite")

REQUIRED = {"kurashiyasui": "1", "age_band": "2", "sex": "1", "district": "3"}


def _post_file(client, path, data: bytes, name="frame.csv", page=None, **fields):
    token = csrf(text_of(client.get(page or path.rsplit("/", 1)[0] if "invitations/" in path else path)))
    return client.post(path, data={"csrf_token": token, "file": (io.BytesIO(data), name), **fields},
                       content_type="multipart/form-data")


def _count(session, model, *where):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_generate_letters_csv_once_with_bom_and_audit(login_as, session):
    client = login_as("admin")
    frame = b"age_band,sex,district\n1,2,3\n6,1,1\n"
    response = _post_file(client, f"{STAFF_URL}/invitations/generate", frame, output="csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 2 and codes.check(rows[0]["code"])[0] == codes.CodeStatus.VALID
    assert rows[0]["web_url"].endswith(f"/s/{SURVEY}/?code={rows[0]['code']}")
    stored = session.scalars(select(Invitation.code_hmac)).all()
    assert len(stored) == 2 and rows[0]["code"] not in "".join(stored)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "invitations_create")).one()
    assert event.detail["count"] == 2 and "code" not in str(event.detail).lower().replace("count", "")


def test_printable_letters_pdf_or_a_refusal_that_creates_nothing(login_as, app, session):
    client = login_as("admin")
    # No public address and no settings: refused before any code exists, naming what to set.
    refused = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band,district\n2,1\n", output="pdf")
    assert refused.status_code == 400 and "PUBLIC_BASE_URL" in text_of(refused)
    assert _count(session, Invitation) == 0
    app.config["PUBLIC_BASE_URL"] = "https://survey.city.ebetsu.example"
    app.config["TELEGRAM_BOT_USERNAME"] = "EbetsuSurveyBot"
    no_deadline = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band,district\n2,1\n", output="pdf")
    assert no_deadline.status_code == 400 and "response_deadline" in text_of(no_deadline)
    survey_settings.update(session, SURVEY, {"sender": "江別市長", "contact_office": "企画政策課",
                                             "contact_phone": "011-381-1010", "contact_hours": "平日 8:45〜17:15",
                                             "response_deadline": "2099-01-31"}, "test")
    page = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band,district\n2,1\n", output="pdf")
    assert page.status_code == 200 and page.mimetype == "application/pdf"
    assert "Telegram" in pdf_text(page.get_data()) and _count(session, Invitation) == 1
    # The letters file can be turned into printable letters again: one page per letter.
    letters = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band,district\n3,2\n4,2\n")
    again = _post_file(client, f"{STAFF_URL}/invitations/letters", letters.get_data(), name="letters.csv")
    assert again.status_code == 200 and len(pdf_pages_text(again.get_data())) == 2
    for pdf in (page, again):  # letters carry residents' codes: saved, never kept by a cache
        assert pdf.headers["Content-Disposition"] == f'attachment; filename="letters-{SURVEY}.pdf"'
        assert pdf.headers["Cache-Control"] == "no-store"


def test_line_account_on_the_letters_file_or_a_refusal_that_creates_nothing(login_as, app, session):
    client = login_as("admin")
    app.config["LINE_BASIC_ID"] = "line.me/R/ti/p/@123abcde"  # a link pasted instead of the ID
    refused = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band,district\n2,1\n", output="csv")
    assert refused.status_code == 400 and "LINE_BASIC_ID" in text_of(refused) and "@123abcde" in text_of(refused)
    assert _count(session, Invitation) == 0
    app.config["LINE_BASIC_ID"] = "@123abcde"
    letters = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band,district\n2,1\n", output="csv")
    row = next(csv.DictReader(io.StringIO(letters.get_data().decode("utf-8-sig"))))
    assert row["line_url"] == f"https://line.me/R/oaMessage/%40123abcde/?%2Fstart%20{row['code']}"


def test_frame_upload_bad_inputs_create_nothing(login_as, session):
    client = login_as("admin")
    xlsx = _post_file(client, f"{STAFF_URL}/invitations/generate", b"PK\x03\x04rest", name="frame.xlsx")
    assert xlsx.status_code == 400 and "CSV" in text_of(xlsx)
    wrong_type = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band\n1\n", name="frame.json")
    assert wrong_type.status_code == 400 and "frame.json" in text_of(wrong_type)
    names = _post_file(client, f"{STAFF_URL}/invitations/generate", "name,age_band\n山田,1\n".encode())
    assert names.status_code == 400 and "name" in text_of(names)
    bad_code = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band\n1\n7\n")
    assert bad_code.status_code == 400 and "3" in text_of(bad_code)  # the line number
    latin1 = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band\n1\n\xff\xfe\xfa\n")
    assert latin1.status_code == 400
    assert _count(session, Invitation) == 0
    sjis = _post_file(client, f"{STAFF_URL}/invitations/generate", "age_band,district\n1,2\n".encode("cp932"))
    assert sjis.status_code == 200 and _count(session, Invitation) == 1


def test_undeliverable_typo_marks_nothing_then_marks(login_as, session):
    client = login_as("admin")
    body = _post_file(client, f"{STAFF_URL}/invitations/generate", b"age_band\n1\n2\n").get_data().decode("utf-8-sig")
    good = [row["code"] for row in csv.DictReader(io.StringIO(body))]
    typo = good[1][:-1] + ("2" if good[1][-1] != "2" else "3")
    token = csrf(text_of(client.get(f"{STAFF_URL}/invitations")))
    refused = client.post(f"{STAFF_URL}/invitations/undeliverable", data={"csrf_token": token,
                                                                     "codes": f"{good[0]}\n{typo}"})
    assert refused.status_code == 400 and typo in text_of(refused)
    assert _count(session, Invitation, Invitation.undeliverable.is_(True)) == 0
    done = client.post(f"{STAFF_URL}/invitations/undeliverable", data={"csrf_token": token, "codes": good[0]})
    assert done.status_code == 200 and _count(session, Invitation, Invitation.undeliverable.is_(True)) == 1


def test_an_answered_letter_cannot_be_undeliverable_and_a_mistaken_mark_can_be_undone(login_as, session, instrument,
                                                                                       secret):
    """The console once accepted an answered letter as undeliverable; its reply then had no
    deliverable letter in its stratum, every weighted figure stopped, and the raw responses
    export was a 500. Now: the answered letter is refused by line; a letter marked by mistake (its
    resident answers later) stops the weighted figures, the raw export still downloads (weights
    'none', as its header says) and the undo button puts the design right again."""
    from survey_app.invitations import create_invitations
    from tests.support.demo import bundled_margins

    bundled_margins(session, instrument)
    frame = [{"age_band": 2, "sex": 1, "district": 1}, {"age_band": 3, "sex": 2, "district": 2}]
    letters = create_invitations(session, instrument, secret, frame, batch="b1", stratify_by=("district",),
                                 stratum_sizes={"1": 32300, "2": 45500, "3": 23200})
    answers = {**REQUIRED, "age_band": "2", "sex": "1", "district": "1"}
    responses.enter_complete(session, instrument, secret=secret, channel="paper", locale="ja", raw=answers,
                             code=letters[0].code)
    client = login_as("admin")
    token = csrf(text_of(client.get(f"{STAFF_URL}/invitations")))

    def post(codes_text: str, action: str):
        return client.post(f"{STAFF_URL}/invitations/undeliverable",
                           data={"csrf_token": token, "codes": codes_text, "action": action})

    refused = post(letters[0].code, "undeliverable")
    assert refused.status_code == 400 and "回答に使われています" in text_of(refused)
    assert _count(session, Invitation, Invitation.undeliverable.is_(True)) == 0
    assert post(letters[1].code, "undeliverable").status_code == 200  # by mistake: it was delivered
    responses.enter_complete(session, instrument, secret=secret, channel="paper", locale="ja",
                             raw={**REQUIRED, "age_band": "3", "sex": "2", "district": "2"}, code=letters[1].code)
    export = client.get(f"{STAFF_URL}/export/responses.csv")
    rows = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig"))))
    assert export.status_code == 200 and rows[0][5] == "weight (none)" and len(rows) == 3
    undone = post(letters[1].code, "delivered")
    assert undone.status_code == 200 and "配達されたものとして数え直しました" in text_of(undone)
    again = post(letters[1].code, "delivered")  # nothing to undo any more: said, not silent
    assert again.status_code == 200 and "0通の案内状を配達されたものとして数え直しました" in text_of(again)
    assert _count(session, Invitation, Invitation.undeliverable.is_(True)) == 0
    session.expire_all()
    assert all(row.undeliverable == 0 for row in session.scalars(select(DesignStratum)))
    rows = list(csv.reader(io.StringIO(client.get(f"{STAFF_URL}/export/responses.csv").get_data().decode("utf-8-sig"))))
    assert rows[0][5] == "weight (rake)" and all(float(row[5]) > 1 for row in rows[1:])
    # in the order written: without ORDER BY PostgreSQL returns rows as its pages hold them (this failed once)
    written = session.scalars(select(AuditEvent).where(AuditEvent.action.like("invitations_%")).order_by(AuditEvent.id))
    assert [(e.action, e.detail["count"]) for e in written] == [
        ("invitations_undeliverable", 1), ("invitations_delivered", 1), ("invitations_delivered", 0)]


def _paper(client, code, answers):
    token = csrf(text_of(client.get(f"{STAFF_URL}/paper")))
    return client.post(f"{STAFF_URL}/paper", data={"csrf_token": token, "letter_code": code, **answers})


def test_paper_entry_stores_through_the_write_path(login_as, session, instrument, secret):
    code = _invite(session, instrument, secret)
    client = login_as("admin")
    page = text_of(client.get(f"{STAFF_URL}/paper"))
    assert 'name="letter_code"' in page and page.index('name="kurashiyasui"') < page.index('name="age_band"')
    saved = _paper(client, code, {**REQUIRED, "kosodate_needs": "", "has_children": "1"})
    assert saved.status_code == 302
    response = session.scalars(select(Response)).one()
    assert (response.channel, response.status, response.source) == ("paper", "complete", "invited")
    assert _count(session, AuditEvent, AuditEvent.action == "paper_entry") == 1
    again = _paper(client, code, REQUIRED)  # the same letter twice
    assert again.status_code == 400 and _count(session, Response) == 1


def test_paper_typo_and_invalid_answer_keep_what_was_typed(login_as, session, instrument, secret):
    code = _invite(session, instrument, secret)
    client = login_as("admin")
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    refused = _paper(client, typo, REQUIRED)
    assert refused.status_code == 400 and f'value="{typo}"' in text_of(refused)
    invalid = _paper(client, code, {**REQUIRED, "kosodate": "7"})
    assert invalid.status_code == 400 and 'value="7"' in text_of(invalid) and 'id="e-kosodate"' in text_of(invalid)
    missing = _paper(client, code, {"kurashiyasui": "1"})
    assert missing.status_code == 400 and 'id="e-age_band"' in text_of(missing)
    empty_code = _paper(client, "", REQUIRED)
    assert empty_code.status_code == 400
    both = text_of(_paper(client, typo, {**REQUIRED, "kosodate": "7"}))  # every problem shown at once
    assert 'id="e-letter_code"' in both and 'id="e-kosodate"' in both
    # kosodate_needs is asked only of parents: answered under has_children 2 it is refused, not dropped
    skipped = _paper(client, code, {**REQUIRED, "has_children": "2", "kosodate_needs": "3"})
    page = text_of(skipped)
    assert skipped.status_code == 400 and 'id="e-kosodate_needs"' in page and "前の回答" in page
    assert re.search(r'name="kosodate_needs"[^>]*value="3"', page)  # what was keyed stays
    # required answers left blank come in the same round as the others (they came only after)
    rounds = text_of(_paper(client, code, {"kosodate": "1", "has_children": "2", "kosodate_needs": "1,3"}))
    assert all(f'id="e-{qid}"' in rounds for qid in ("kosodate_needs", "kurashiyasui", "age_band", "district"))
    assert _count(session, Response) == 0


def test_code_used_on_web_cannot_be_used_on_paper_and_back(login_as, session, instrument, secret):
    web_code, paper_code = _invite(session, instrument, secret), _invite(session, instrument, secret)
    responses.enter_complete(session, instrument, secret=secret, channel="web", locale="ja", raw=REQUIRED,
                             code=web_code)
    client = login_as("admin")
    assert _paper(client, web_code, REQUIRED).status_code == 400
    assert _paper(client, paper_code, REQUIRED).status_code == 302
    try:
        responses.start(session, instrument, secret=secret, channel="web", locale="ja", code=paper_code)
    except responses.CodeProblem as exc:
        assert exc.kind == "used"
    else:
        raise AssertionError("a code used on paper was accepted on the web")
    assert _count(session, Response) == 2


def _invite(session, instrument, secret):
    from survey_app.invitations import create_invitations

    return create_invitations(session, instrument, secret, [{"age_band": 2}])[0].code


def test_population_upload_replace_errors_by_line_and_shift_jis(login_as, session):
    client = login_as("admin")
    before = _count(session, PopulationMargin)
    view = text_of(client.get(f"{STAFF_URL}/population"))
    assert "age_band" in view and 'type="file"' in view
    bad = _post_file(client, f"{STAFF_URL}/population", b"dimension,category,count\nage_band,1,100\nage_band,9,5\n")
    assert bad.status_code == 400 and "3" in text_of(bad)
    assert _count(session, PopulationMargin) == before  # nothing half-imported
    good = "dimension,category,count\nage_band,1,100\nage_band,2,300\nsex,1,200\nsex,2,200\n".encode("cp932")
    ok = _post_file(client, f"{STAFF_URL}/population", good)
    assert ok.status_code == 200 and _count(session, PopulationMargin) == 4
    assert _count(session, AuditEvent, AuditEvent.action == "population_replace") == 1


def test_viewer_sees_margins_but_cannot_upload(login_as):
    client = login_as("viewer")
    page = text_of(client.get(f"{STAFF_URL}/population"))
    assert 'type="file"' not in page
    token = csrf(text_of(client.get("/staff/")))
    assert client.post(f"{STAFF_URL}/population", data={"csrf_token": token}).status_code == 403


def test_monitor_page_counts(login_as, session, instrument, secret):
    responses.bulk_complete(session, instrument, [{**REQUIRED, "_locale": "vi"}] * 3, channel="telegram")
    _invite(session, instrument, secret)
    page = text_of(login_as("viewer").get(f"{STAFF_URL}/monitor"))
    assert "<svg" in page and "Tiếng Việt" in page
    assert 'class="bar"' in page
    assert "<td>回答コードなし</td>" in page  # "Open (no code)": chats without a code came through no link


def test_page_batch_refused_once_a_design_is_recorded(login_as, session, instrument, secret):
    """Issue 11: a design recorded with --stratify-by needs every batch stratified; the page says so."""
    from survey_app.invitations import create_invitations

    create_invitations(session, instrument, secret, [{"district": 1}], stratify_by=("district",),
                       stratum_sizes={"1": 32300})
    response = _post_file(login_as("admin"), f"{STAFF_URL}/invitations/generate", b"age_band,sex,district\n1,2,3\n",
                          output="csv")
    assert response.status_code == 400 and "--stratify-by" in text_of(response)
    assert _count(session, Invitation) == 1


def test_paper_double_entry_saves_only_when_both_entries_agree(login_as, session, instrument, secret):
    from survey_app.invitations import create_invitations

    client = login_as("admin")
    code = create_invitations(session, instrument, secret, [{"age_band": 2}])[0].code
    page = text_of(client.get(f"{STAFF_URL}/paper?verify=1"))
    assert 'name="verify" value="1"' in page and 'data-testid="paper-count"' in page
    assert '<textarea id="f-comment"' in page and ">kurashiyasui<" not in page  # labels, not ids
    token = csrf(page)
    first = client.post(f"{STAFF_URL}/paper", data={"csrf_token": token, "verify": "1", "pass": "1",
                                               "letter_code": code, **REQUIRED})
    assert first.status_code == 200 and _count(session, Response) == 0
    carried = dict(re.findall(r'name="(first__[a-z_]+)" value="([^"]*)"', text_of(first)))
    assert carried["first__kurashiyasui"] == "1" and 'name="pass" value="2"' in text_of(first)
    second = client.post(f"{STAFF_URL}/paper", data={"csrf_token": token, "verify": "1", "pass": "2", **carried,
                                                "letter_code": code, **{**REQUIRED, "kurashiyasui": "2"}})
    assert second.status_code == 409 and _count(session, Response) == 0
    assert "1. " in text_of(second) and 'name="pass" value="3"' in text_of(second)
    resolved = client.post(f"{STAFF_URL}/paper", data={"csrf_token": token, "verify": "1", "pass": "3",
                                                  "letter_code": code, **REQUIRED})
    assert resolved.status_code == 302 and _count(session, Response, Response.channel == "paper") == 1
    assert "1" in text_of(client.get(resolved.headers["Location"])).split('data-testid="paper-count">')[1][:80]


def test_an_upload_over_the_staff_limit_says_so_in_the_console(login_as, app, session):
    """It showed the residents' page: 'shorten long answers … answers saved earlier are kept'."""
    app.config["STAFF_MAX_UPLOAD"] = 1024 * 1024
    client = login_as("admin")
    big = b"dimension,category,count\n" + b"age_band,1,100\n" * 80_000  # 1.2 MB
    response = _post_file(client, f"{STAFF_URL}/population", big)
    page = text_of(response)
    assert response.status_code == 413 and "アップロードできるのは 1 MB までです" in page
    assert "長い回答" not in page and "職員用画面に戻る" in page  # the console's page, in Japanese
    assert _count(session, PopulationMargin) == 0
