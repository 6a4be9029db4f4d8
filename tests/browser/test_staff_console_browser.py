"""The self-service console in headless Chromium: an admin creates an account, changes its role,
issues a one-time password, disables it; the new colleague must choose a password; an analyst's
target is edited on the targets page and shows on the dashboard's data."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from survey_app.models import AuditEvent, StaffUser
from tests.support.survey import STAFF_URL

PASSWORD = "browser admin password"
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def admin(session, instrument):
    session.add(StaffUser(email="admin@city.example", role="admin", password_hash=PasswordHasher().hash(PASSWORD),
                          locale="ja", active=True, session_version=0))
    session.commit()


def _log_in(page, email: str, password: str) -> None:
    page.goto("/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_admin_manages_an_account_and_edits_a_target(new_page, admin, session, axe_violations, screenshot):
    page = new_page(lang="ja", **DESK)
    _log_in(page, "admin@city.example", PASSWORD)
    page.click("nav.staff-nav >> text=職員アカウント")
    page.fill("#new-email", "tanaka@city.example")
    page.select_option("#new-role", "viewer")
    with page.expect_navigation():
        page.click("text=アカウントを作成")
    one_time = page.inner_text("[data-testid=one-time-password]").strip()
    assert len(one_time) == 16
    row = page.locator("tr[data-email='tanaka@city.example']")
    row.locator("select").select_option("analyst")
    with page.expect_navigation():
        row.locator("text=権限を変更").click()
    assert page.locator("tr[data-email='tanaka@city.example'] select").input_value() == "analyst"
    screenshot(page, "staff-accounts-ja")
    problems = [f"[accounts] {p}" for p in axe_violations(page)]

    # The colleague logs in with the one-time password and must choose their own first.
    colleague = new_page(lang="ja", **DESK)
    _log_in(colleague, "tanaka@city.example", one_time)
    assert colleague.url.endswith("/staff/password")
    problems += [f"[password] {p}" for p in axe_violations(colleague)]
    colleague.goto(f"{STAFF_URL}/")
    assert colleague.url.endswith("/staff/password")  # every other page waits for the new password
    colleague.fill("#current", one_time)
    colleague.fill("#new", "tanaka's own password")
    colleague.fill("#repeat", "tanaka's own password")
    with colleague.expect_navigation():
        colleague.click("form.staff-form button[type=submit]")
    colleague.goto(f"{STAFF_URL}/targets")
    colleague.select_option("#indicator", "childcare")
    colleague.select_option("#kind", "target")
    colleague.fill("#value", "60")
    colleague.fill("#year", "令和11年度")
    with colleague.expect_navigation():
        colleague.click("text=値を保存")
    assert "60.0%" in colleague.inner_text("[data-testid=target-childcare]")
    assert "令和11年度" in colleague.inner_text("[data-testid=target-childcare]")
    screenshot(colleague, "staff-targets-ja")
    problems += [f"[targets] {p}" for p in axe_violations(colleague)]

    # The admin disables the account: the colleague's session ends at once.
    page.goto("/staff/accounts")
    with page.expect_navigation():
        page.locator("tr[data-email='tanaka@city.example']").locator("text=無効にする").click()
    assert "無効" in page.inner_text("tr[data-email='tanaka@city.example']")
    colleague.goto(f"{STAFF_URL}/targets")
    assert "/staff/login" in colleague.url
    session.expire_all()
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"staff_create", "staff_role", "staff_disable", "staff_password", "indicator_values"} <= actions
    assert not problems, "\n".join(problems)


@pytest.fixture
def busy_site(session, instrument, admin, load_demo):
    load_demo(instrument, 300, seed=5, illustrative=True)


PRINTED = {"dashboard": f"{STAFF_URL}/?by=age_band", "monitor": f"{STAFF_URL}/monitor", "invitations": f"{STAFF_URL}/invitations",
           "paper": f"{STAFF_URL}/paper?verify=1", "population": f"{STAFF_URL}/population", "exports": f"{STAFF_URL}/exports",
           "targets": f"{STAFF_URL}/targets", "settings": f"{STAFF_URL}/settings", "audit": "/staff/audit",
           "accounts": "/staff/accounts"}


def test_every_staff_page_prints_without_menus_and_fits_a4(new_page, busy_site, screenshot):
    page = new_page(lang="ja", width=718, height=1000)  # A4 less 12 mm margins at 96 dpi
    _log_in(page, "admin@city.example", PASSWORD)
    page.emulate_media(media="print")
    for name, path in PRINTED.items():
        page.goto(path)
        assert not page.locator("nav.staff-nav").is_visible(), name
        assert page.locator("button:visible").count() == 0, name
        widest = page.evaluate("Math.max(0, ...[...document.querySelectorAll('table')].map(t => t.scrollWidth))")
        assert widest <= 718, f"{name}: a table is {widest}px wide"
        # a figure cell is one line: "69.7–" / "79.1", or 未設定 one character a line, are not read aloud in council
        split = page.evaluate("""[...document.querySelectorAll('table.data td.num')].flatMap(td => {
            const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT), found = [];
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const r = document.createRange(); r.selectNodeContents(node);
              if (node.textContent.trim() && r.getClientRects().length > 1) found.push(node.textContent.trim());
            }
            return found; })""")  # each text of a figure cell on one line (a <br> between two is by design)
        assert split == [], f"{name}: figures split over lines: {split[:5]}"
        screenshot(page, f"staff-print-{name}-ja")


def test_charts_label_their_axes_and_keep_labels_inside(new_page, busy_site, screenshot):
    page = new_page(lang="ja", **DESK)
    _log_in(page, "admin@city.example", PASSWORD)
    page.goto(f"{STAFF_URL}/")
    chart = page.locator("svg.trend-chart").first
    box = chart.bounding_box()
    for label in chart.locator("g.years text").all():
        inner = label.bounding_box()
        assert box["x"] <= inner["x"] and inner["x"] + inner["width"] <= box["x"] + box["width"] + 0.5
    assert "令和7年度" in chart.locator("g.years").text_content()
    estimate = page.locator("table.indicators tbody tr").first.locator("td").first.bounding_box()
    header = page.locator("table.indicators thead th.num").first.bounding_box()
    assert abs((estimate["x"] + estimate["width"]) - (header["x"] + header["width"])) < 2  # right-aligned together
    screenshot(page, "staff-dashboard-readable-ja")
    page.goto(f"{STAFF_URL}/monitor")
    day = page.locator("svg.day-chart")
    assert day.locator("g.date-axis text").count() >= 1 and day.locator("g.value-axis text").count() >= 2
    assert "/" in day.locator("g.date-axis text").first.text_content()
    screenshot(page, "staff-monitor-ja")
