"""Persistence for the bot: conversations (``BotSession`` rows) and the port to the answers.

The engine never touches the database. It receives an :class:`AnswersPort` and calls it to
start, record, submit and delete; this module's :class:`ResponsesPort` implements the
port with :mod:`survey_app.responses` (the one write path web and paper entry use too), so
every answer is stored the moment it is given and a restarted bot resumes from the database.

Chats are known only by ``codes.pseudonym(secret, channel, chat_id)``; the chat id itself is
passed in by the adapter and never stored in the conversation. Only a pending reminder keeps
it, encrypted, until it is sent or cancelled (``bot/reminder_store.py``, ``survey_app/sealing.py``).
"""
from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey_app import responses
from survey_app.instrument import Instrument, InvalidAnswer
from survey_app.models import BotSession, Response, utcnow

from .states import Conversation, State


class AnswersPort(Protocol):
    """What the engine may do with a resident's answers (raises survey_app.responses errors)."""

    def start(self, code: str | None, locale: str) -> tuple[int, bool]:
        """Start (or continue) a response: (response id, resumed)."""

    def answers(self, response_id: int) -> dict[str, Any] | None:
        """Answers by question id, or None when the response no longer exists."""

    def status(self, response_id: int) -> str | None: ...

    def invited(self, response_id: int) -> bool:
        """Whether the response came with a letter's code (its code stays used when it is erased)."""

    def record(self, response_id: int, question_id: str, raw: Any) -> InvalidAnswer | None: ...

    def submit(self, response_id: int) -> list[str]:
        """Submit; returns the ids of required questions still missing ([] = submitted)."""

    def set_locale(self, response_id: int, locale: str) -> None: ...

    def delete(self, response_id: int) -> None: ...


class ResponsesPort:
    """:class:`AnswersPort` over ``survey_app.responses`` with one SQLAlchemy session."""

    def __init__(self, session: Session, instrument: Instrument, secret: str, channel: str) -> None:
        self.session, self.instrument, self.secret, self.channel = session, instrument, secret, channel

    def _response(self, response_id: int) -> Response | None:
        return self.session.get(Response, response_id)

    def start(self, code: str | None, locale: str) -> tuple[int, bool]:
        try:
            started = responses.start(self.session, self.instrument, secret=self.secret, channel=self.channel,
                                      locale=locale, code=code)
        except responses.CodeProblem as problem:
            # a resume code from the web ("save and continue later") is no letter's: it continues that
            # response here, as it would on the web (the refusal says resume codes work)
            resumed = self._resumable(code) if problem.kind == "unknown" else None
            if resumed is None:
                raise
            return resumed, True
        return started.response.id, started.resumed

    def _resumable(self, code: str | None) -> int | None:
        try:
            response = responses.resume(self.session, self.secret, code or "")
        except responses.ResponseError:
            return None
        return response.id if response.survey_id == self.instrument.id else None

    def answers(self, response_id: int) -> dict[str, Any] | None:
        response = self._response(response_id)
        return None if response is None else responses.current_answers(self.session, response)

    def status(self, response_id: int) -> str | None:
        response = self._response(response_id)
        if response is None:
            return None
        self.session.refresh(response)
        return response.status

    def invited(self, response_id: int) -> bool:
        response = self._response(response_id)
        return response is not None and response.source == "invited"

    def record(self, response_id: int, question_id: str, raw: Any) -> InvalidAnswer | None:
        response = self._response(response_id)
        if response is None:
            raise responses.ResumeNotFound()
        errors = responses.record(self.session, self.instrument, response, {question_id: raw})
        return errors.get(question_id)

    def submit(self, response_id: int) -> list[str]:
        response = self._response(response_id)
        if response is None:
            raise responses.ResumeNotFound()
        try:
            responses.submit(self.session, self.instrument, response, channel=self.channel)
        except responses.MissingRequired as missing:
            return missing.question_ids
        return []

    def set_locale(self, response_id: int, locale: str) -> None:
        response = self._response(response_id)
        if response is not None:
            responses.set_locale(self.session, response, locale)

    def delete(self, response_id: int) -> None:
        response = self._response(response_id)
        if response is not None:
            responses.delete_response(self.session, response)


class ConversationStore:
    """Load and save conversations of one survey on one channel, keyed by chat pseudonym
    (:meth:`bot.service.ConversationService.chat_key`)."""

    def __init__(self, session: Session, survey_id: str, channel: str) -> None:
        self.session, self.survey_id, self.channel = session, survey_id, channel

    def _row(self, chat_key: str) -> BotSession | None:
        return self.session.scalar(select(BotSession).where(
            BotSession.channel == self.channel, BotSession.chat_key == chat_key,
            BotSession.survey_id == self.survey_id))

    def load(self, chat_key: str) -> Conversation:
        row = self._row(chat_key)
        if row is None:
            return Conversation()
        return Conversation(state=State(row.state), locale=row.locale, question_id=row.question_id,
                            response_id=row.response_id, reminders_sent=row.reminders_sent,
                            data=dict(row.data or {}))

    def row_id(self, chat_key: str) -> int | None:
        row = self._row(chat_key)
        return None if row is None else row.id

    def save(self, chat_key: str, conversation: Conversation, *, activity: bool = True, commit: bool = True) -> int:
        """Write the conversation back (its row id is returned); ``activity=False`` for reminders
        (not the resident's doing); ``commit=False`` when the caller adds to the transaction."""
        row = self._row(chat_key)
        if row is None:
            row = BotSession(channel=self.channel, chat_key=chat_key, survey_id=self.survey_id)
            self.session.add(row)
        row.state = State(conversation.state).value  # the plain string, whatever the driver makes of enums
        row.locale, row.question_id = conversation.locale, conversation.question_id
        row.response_id, row.reminders_sent = conversation.response_id, conversation.reminders_sent
        row.data = dict(conversation.data)
        if activity or row.last_activity is None:
            row.last_activity = utcnow()
        self.session.flush()
        if commit:
            self.session.commit()
        return row.id

    def forget(self, chat_key: str) -> None:
        self.session.execute(delete(BotSession).where(
            BotSession.channel == self.channel, BotSession.chat_key == chat_key,
            BotSession.survey_id == self.survey_id))
        self.session.commit()
