"""What the one write path (``survey_app.responses``) refuses, and why, in words a resident
reads in their own language (``message`` is a msgid; ``params`` fill its placeholders).

Callers use them through ``survey_app.responses`` (``responses.CodeProblem`` …)."""
from __future__ import annotations

from typing import Any, ClassVar

from survey_app.i18n import N_
from survey_app.instrument import InvalidAnswer


class ResponseError(Exception):
    """A refusal a resident should read in their own language (``message`` is a msgid)."""

    message = N_("Something went wrong with your answers.")

    def __init__(self, message: str | None = None, **params: Any) -> None:
        self.message = message or self.message
        self.params = params
        super().__init__(self.message % params if params else self.message)


class CodeProblem(ResponseError):
    MESSAGES: ClassVar[dict[str, str]] = {
        "malformed": N_("This does not look like an invitation code. A code has 16 letters and digits, "
                        "like K7QF-3MZD-8WXP-R2T8."),
        "typo": N_("This code has a typing mistake. Please check each character against your letter."),
        "unknown": N_("We could not find this code. Please check it against your letter. A resume code works "
                      "only until a newer one is given or the answers are sent."),
        "other_survey": N_("This invitation code belongs to a different survey."),
        "used": N_("This invitation code has already been used to answer the survey. Thank you!"),
    }

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(self.MESSAGES[kind])


class OpenLinkRefused(ResponseError):
    message = N_("This survey can only be answered with the invitation code from your letter.")


class AlreadySubmitted(ResponseError):
    message = N_("These answers have already been submitted. Thank you!")


class MissingRequired(ResponseError):
    message = N_("Please answer the required questions.")

    def __init__(self, question_ids: list[str]) -> None:
        self.question_ids = question_ids
        super().__init__()


class ResumeNotFound(ResponseError):
    message = N_("We could not find answers for this resume code.")


class StartedElsewhere(ResponseError):
    """A complete entry (paper) for a code whose resident has unfinished answers on another channel."""

    message = N_("This code already has unfinished answers from the web or the chat bot. Nothing was "
                 "saved, so the resident's answers are not overwritten; they can still finish them.")


class InvalidEntry(ResponseError):
    message = N_("Some answers are not valid.")

    def __init__(self, errors: dict[str, InvalidAnswer]) -> None:
        self.errors = errors
        super().__init__()
