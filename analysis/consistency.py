"""Design consistency: the letters, the replies and the margins must describe one sample.

Checked before any weight is computed (database frames; a CSV carries its own design):

- a reply from a stratum with **no deliverable letters** (none sent, or all returned) would get
  the weight ``N_h / 1`` and silently move a figure by points;
- **more replies than deliverable letters** in a stratum means letters are missing from the
  database (or codes were reused): the response rate would be capped without a word;
- a stratum on letters or replies that a **population margin lacks** (say district 4 when the
  margin lists 1–3) has no population to weight to.

Each is refused with one line naming the stratum or category (:class:`DesignError`): the CLI
exits non-zero, the dashboard and the API show the line instead of a figure.
"""
from __future__ import annotations

import pandas as pd

from analysis.errors import AnalysisError, MarginError
from analysis.frame import Frame
from analysis.sampling import stratum_variables
from analysis.weighting import Margin
from survey_app.i18n import N_

NO_CATEGORY_LETTERS = N_("Population margin '%(margin)s' has no category %(category)s, but %(n)d letters carry "
                         "%(stratum)s.")
NO_CATEGORY_REPLIES = N_("Population margin '%(margin)s' has no category %(category)s, but %(n)d replies carry "
                         "%(stratum)s.")


class DesignError(AnalysisError):
    """Letters and replies that contradict each other."""


def _keys(table: pd.DataFrame, dims: list[str]) -> pd.Series:
    return table[dims].astype(int).astype(str).agg(":".join, axis=1) if len(table) else pd.Series(dtype=str)


def _label(dims: list[str], key: str) -> str:
    return ", ".join(f"{d}={v}" for d, v in zip(dims, key.split(":"), strict=True))


def check_design(frame: Frame, margins: tuple[Margin, ...]) -> None:
    """Raise :class:`DesignError` / :class:`MarginError` naming the first inconsistency (module docstring)."""
    if frame.invitations is None or frame.sampling is None or frame.invitations.empty:
        return
    variables = stratum_variables(frame)
    if not variables:
        return
    letters = frame.invitations.loc[~frame.invitations["_undeliverable"]]
    invited = frame.sampling["_invited"].to_numpy(dtype=bool)
    replies = frame.sampling.loc[invited].reindex(columns=variables).dropna()
    sent, answered = _keys(letters, variables).value_counts(), _keys(replies, variables).value_counts()
    for key, count in answered.items():
        deliverable = int(sent.get(key, 0))
        if deliverable == 0:
            raise DesignError(N_("Stratum %(stratum)s has %(n)d replies but no deliverable letters: check the "
                                 "invitations (a letter marked undeliverable by mistake can be counted as "
                                 "delivered again)."), stratum=_label(variables, str(key)), n=count)
        if count > deliverable:
            raise DesignError(N_("Stratum %(stratum)s has %(n)d replies but only %(letters)d deliverable letters: "
                                 "letters are missing from the database."),
                              stratum=_label(variables, str(key)), n=count, letters=deliverable)
    for margin in margins:
        dims = list(margin.dims)
        if not set(dims) <= set(variables):
            continue
        known = {":".join(map(str, cell)) for cell in margin.cells}
        for message, table in ((NO_CATEGORY_LETTERS, letters), (NO_CATEGORY_REPLIES, replies)):
            keys = _keys(table, dims)
            missing = keys[~keys.isin(known)]
            if len(missing):
                key = missing.iloc[0]
                raise MarginError(message, margin=margin.name, category=key.replace(":", ", "),
                                  n=int((missing == key).sum()), stratum=_label(dims, key))
