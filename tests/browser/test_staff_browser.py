"""The staff console in headless Chromium: log in, the dashboard's SVG charts render with
interval bars, paper entry moves with Enter, and axe-core finds no WCAG 2.1 A/AA violation
on the console's pages (desktop width: staff work at a desk)."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from survey_app.invitations import create_invitations
from survey_app.models import Response, StaffUser
from tests.support.survey import STAFF_URL

PASSWORD = "browser staff password"
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def staff_site(session, instrument, secret, load_demo):
    load_demo(instrument, 300, seed=11)
    session.add(StaffUser(email="admin@city.example", role="admin", password_hash=PasswordHasher().hash(PASSWORD),
                          locale="ja", active=True))
    session.commit()
    # every invited demo reply came from a letter of its stratum (analysis.consistency checks that),
    # plus one letter left for the paper-entry test
    strata = [dict(s) for s in session.scalars(select(Response.stratum).where(Response.source == "invited"))]
    letters = create_invitations(session, instrument, secret, [*strata, {"age_band": 3, "sex": 2, "district": 1}])
    return letters[-1].code


def _log_in(page):
    page.goto("/staff/login")
    page.fill("#email", "admin@city.example")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_dashboard_chart_renders_and_pages_pass_axe(new_page, staff_site, axe_violations, screenshot):
    page = new_page(lang="ja", **DESK)
    page.goto("/staff/login")
    problems = [f"[login] {p}" for p in axe_violations(page)]
    _log_in(page)
    page.goto(f"{STAFF_URL}/?by=age_band")
    charts = page.locator("svg.trend-chart")
    assert charts.count() == 5
    first = charts.first
    assert first.is_visible() and first.bounding_box()["height"] > 100
    assert first.locator("g.ci-bar line").count() == 3  # interval bar with its two caps
    assert first.locator("circle.point").count() >= 2 and first.locator("line.baseline").count() == 1
    assert page.locator("table.trend-table").count() == 5
    screenshot(page, "staff-dashboard-ja")
    problems += [f"[dashboard] {p}" for p in axe_violations(page)]
    page.click("a[href*='weighting=none']")
    page.wait_for_load_state()
    assert page.locator(".switch a[aria-current=page]").inner_text() == "重み付けなし"
    for name, path in (("monitor", f"{STAFF_URL}/monitor"), ("invitations", f"{STAFF_URL}/invitations"),
                       ("population", f"{STAFF_URL}/population"), ("exports", f"{STAFF_URL}/exports"),
                       ("audit", "/staff/audit"), ("dashboard-en", f"{STAFF_URL}/?lang=en")):
        page.goto(path)
        problems += [f"[{name}] {p}" for p in axe_violations(page)]
    page.goto(f"{STAFF_URL}/invitations")
    page.set_input_files("#frame-file", files=[{"name": "frame.csv", "mimeType": "text/csv",
                                                "buffer": b"age_band,sex,district\n1,2,3\n"}])
    page.check("#output-pdf")
    with page.expect_navigation():
        page.click("form[action$='/generate'] button[type=submit]")
    # No public address configured: refused, naming the setting (no code was created).
    assert "PUBLIC_BASE_URL" in page.inner_text(".error-summary")
    screenshot(page, "staff-letters-refused-ja")
    problems += [f"[letters] {p}" for p in axe_violations(page)]
    assert not problems, "\n".join(problems)


def test_paper_entry_with_the_keyboard_only(new_page, staff_site, session, axe_violations):
    page = new_page(lang="ja", **DESK)
    _log_in(page)
    page.goto(f"{STAFF_URL}/paper")
    assert not axe_violations(page)
    assert page.evaluate("document.activeElement.id") == "f-letter_code"
    page.keyboard.type(staff_site)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "f-kurashiyasui"  # Enter moved on, did not submit
    answers = {"kurashiyasui": "1", "kosodate": "2", "age_band": "3", "sex": "2", "district": "1"}
    fields = page.eval_on_selector_all(".paper-form input:not([type=hidden]), .paper-form textarea",
                                       "els => els.map(e => e.name)")
    assert page.locator("textarea.paper-comment").count() >= 1  # free comments get a wide box
    for name in fields[1:]:
        page.keyboard.type(answers.get(name, ""))
        if name == fields[-1]:
            with page.expect_navigation():
                page.keyboard.press("Control+Enter")  # in the comment box Enter is a new line
        else:
            page.keyboard.press("Control+Enter" if page.evaluate("document.activeElement.tagName") == "TEXTAREA"
                                else "Enter")
    assert "保存しました" in page.inner_text("main")
    assert "1" in page.inner_text("[data-testid=paper-count]")
    session.expire_all()
    # the demo's responses are invited too (issue 11) but none came with a code: the one with a code is ours
    paper = session.scalars(select(Response).where(Response.channel == "paper", Response.source == "invited",
                                                   Response.access_key.is_not(None))).one()
    assert paper.status == "complete"
