"""The bundled survey's names as the tests address it (one place: ``SURVEY`` was written six times)."""
from __future__ import annotations

SURVEY = "ebetsu-2025"                    # the bundled instrument's id (survey_app/instruments/ebetsu-2025.yaml)
SURVEY_URL = f"/s/{SURVEY}"               # the resident's pages
STAFF_URL = f"/staff/s/{SURVEY}"          # the staff console of that survey
SURVEY_OPTION = ("--survey", SURVEY)      # the CLI option choosing it: cli("analysis", *SURVEY_OPTION)
