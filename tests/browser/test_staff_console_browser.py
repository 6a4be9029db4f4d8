"""The self-service console in headless Chromium: an admin creates an account, changes its role,
issues a one-time password, disables it; the new colleague must choose a password; an analyst's
target is edited on the targets page and shows on the dashboard's data."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from survey_app.models import AuditEvent, StaffUser

BASE = "/staff/s/ebetsu-2025"
PASSWORD = "browser admin password"
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def admin(session, instrument):
    session.add(StaffUser(email="admin@city.example", role="admin", password_hash=PasswordHasher().hash(PASSWORD),
                          locale="ja", active=True, failed_logins=0))
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
    colleague.goto(f"{BASE}/")
    assert colleague.url.endswith("/staff/password")  # every other page waits for the new password
    colleague.fill("#current", one_time)
    colleague.fill("#new", "tanaka's own password")
    colleague.fill("#repeat", "tanaka's own password")
    with colleague.expect_navigation():
        colleague.click("form.staff-form button[type=submit]")
    colleague.goto(f"{BASE}/targets")
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
    colleague.goto(f"{BASE}/targets")
    assert "/staff/login" in colleague.url
    session.expire_all()
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"staff_create", "staff_update", "password_change", "indicator_values"} <= actions
    assert not problems, "\n".join(problems)
