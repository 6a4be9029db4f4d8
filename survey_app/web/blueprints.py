"""What the app factory registers. Other parts add one line here, nothing else.

``BLUEPRINTS`` holds import paths ``"module:attribute"`` of Flask blueprints; each
blueprint carries its own ``url_prefix``. ``INIT_APP_HOOKS`` holds import paths of
``init_app(app)`` callables run after the core extensions (CSRF, rate limits, i18n)
are set up — e.g. the staff console's Flask-Login initialisation.
"""
from __future__ import annotations

BLUEPRINTS: list[str] = [
    "survey_app.web.health:bp",
    "survey_app.web.home:bp",
    "survey_app.web.survey:bp",
    "survey_app.web.staff:bp",
    "survey_app.web.api:bp",
]

INIT_APP_HOOKS: list[str] = [
    "survey_app.web.outage:init_app",
    "survey_app.web.staff.auth:init_app",
]
