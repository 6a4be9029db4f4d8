"""Every interface text the bot says, each in one place (msgids of the ``messages`` catalogs).

How to answer each kind of question is the exception: it lives with the type
(``question.kind.chat_instruction``, ``chat_not_understood`` in ``survey_app/instrument/types.py``).

Marked with ``N_`` for extraction and translated when sent (:meth:`bot.render.Renderer.text`),
so a wording is changed here once and the catalogs follow. Texts of the instrument itself
(questions, choices, the privacy notice) come from ``survey_app.i18n.texts`` instead.
"""
from __future__ import annotations

from survey_app.i18n import N_

# ---------------------------------------------------------------- start, language, code, consent
# i18n: First message of the chat; %(title)s is the survey's title.
HELLO = N_("Hello! This is the survey “%(title)s”.")
# i18n: Above the language buttons (each language is named in itself).
CHOOSE_LANGUAGE = N_("Please choose your language.")
SEND_START = N_("Send /start to begin the survey.")
WELCOME_BACK = N_("Welcome back! Let's continue where you left off.")
TYPE_CODE = N_("Please type the invitation code from your letter, for example K7QF-3MZD-8WXP-R2T8.")
NO_CODE_NEEDED = N_("You can still answer the survey without a code.")
# i18n: %(contact)s is the city office answering questions about the survey.
CONTACT = N_("Contact: %(contact)s")
AGREE_QUESTION = N_("Do you agree to answer the survey on these terms?")
AGREE = N_("Yes, start")
DECLINE = N_("No, thank you")
DECLINED = N_("All right, nothing more will be asked. If you change your mind, send /start.")

# ---------------------------------------------------------------- questions
# How to answer each kind of question: chat_instruction and chat_not_understood in survey_app/instrument/types.py.
# i18n: Button that finishes a multiple-choice question.
DONE = N_("Done")
# i18n: Button that leaves an optional question unanswered.
SKIP = N_("Skip")
# i18n: An optional question left unanswered (in the review, and on the tapped question).
SKIPPED = N_("Skipped")
CHOOSE_AT_LEAST_ONE = N_("Choose at least one answer.")
UNSUPPORTED = N_("Sorry, I can only read text messages and button taps.")
USE_THE_BUTTONS = N_("Please tap one of the buttons above.")

# ---------------------------------------------------------------- taps that cannot be taken
BUTTON_INVALID = N_("This button is no longer valid.")
OTHER_SURVEY = N_("This button belongs to another survey.")
ALREADY_ANSWERED = N_("This question has already been answered.")

# ---------------------------------------------------------------- review and submit
CHECK_ANSWERS = N_("Please check your answers:")
SUBMIT = N_("Submit answers")
CHANGE = N_("Change an answer")
BACK = N_("Back")
WHICH_ANSWER = N_("Which answer would you like to change? Tap its number.")
REQUIRED_MISSING = N_("Please answer the required questions.")
SUBMITTED = N_("Thank you! Your answers have been submitted. If you ever want them erased, send /delete.")
ALREADY_SUBMITTED = N_("These answers have already been submitted. Thank you!")

# ---------------------------------------------------------------- stop, delete, remind, help
STOPPED = N_("You will get no more messages about this survey. Your answers so far are kept: "
             "send /start to continue, or /delete to erase them.")
CONFIRM_DELETE = N_("Do you want to erase all your answers and this conversation? This cannot be undone.")
ERASE = N_("Yes, erase everything")
KEEP = N_("No, keep them")
NOTHING_ERASED = N_("Nothing was erased.")
ERASED = N_("Your answers and this conversation have been erased. Thank you for your time.")
ERASED_CODE_USED = N_("Your answers and this conversation have been erased. Your invitation code stays used, "
                      "so it cannot answer this survey again. Thank you for your time.")
REMINDER = N_("You have not finished the survey yet. You can continue here:")
HELP = N_("This chat asks the questions of the survey “%(title)s”. Tap a button or type your answer.\n"
          "/language: change the language\n"
          "/skip: skip an optional question\n"
          "/stop: stop the survey and all messages\n"
          "/delete: erase your answers\n"
          "/help: show this help")
SOMETHING_WENT_WRONG = N_("Sorry, something went wrong. Please try again in a moment.")

# i18n: Telegram command menu entries (short).
COMMAND_MENU = {
    "start": N_("Start or continue the survey"),
    "language": N_("Change the language"),
    "skip": N_("Skip an optional question"),
    "stop": N_("Stop the survey and all messages"),
    "delete": N_("Erase your answers"),
    "help": N_("Help"),
}
