"""Helpers for the staff tests (imported by name: tests/staff is on sys.path)."""
from __future__ import annotations

import re

from argon2 import PasswordHasher

PASSWORD = "staff password 123"
PASSWORD_HASH = PasswordHasher().hash(PASSWORD)  # once per run: argon2 is slow on purpose
ROLES = ("admin", "analyst", "viewer")
SURVEY = "ebetsu-2025"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def text(response) -> str:
    return response.get_data(as_text=True)
