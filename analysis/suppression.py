"""Complementary (secondary) suppression: a hidden group stays hidden under subtraction.

Primary suppression hides every group with fewer than ``suppress_below`` respondents. On its
own it can be undone: the overall n and share, minus the published groups, give back the one
hidden group ("6 respondents, 5 positive"); with weights calibrated to the breakdown
variable, the overall share is the population-weighted mean of the group shares, so even a
weighted share comes back. Every view — table, CSV/XLSX export, dashboard, JSON API —
publishes a breakdown from the same rows, so protecting the rows protects every view.

Rule, per indicator and breakdown, when some non-empty group is primarily suppressed: hide
further groups, smallest first, until the hidden non-empty groups

- are at least two (the total then gives only their sum),
- hold together at least ``suppress_below`` respondents (two groups of one are not hidden by
  publishing that they add up to two), and
- are neither all positive nor all negative together (else the total reveals each one's answer).

The same rule protects a cross table, whose groups are rows with a count per answer column
(:func:`hidden_rows`): "all positive or all negative" becomes "every hidden respondent in one
column" — for a multiple-choice question, whose columns overlap, "every hidden respondent
chose this answer" for some column.

Respondents who left the breakdown question blank are in the overall line but in no group: the
callers pass them as one more group, never shown, so they are protected (and protect) like any
other — three blanks, all positive, came back as "overall minus the groups" before.

Every hidden group carries the same flag ``suppressed``, so which one was the small one is not
published either. Empty groups (no respondent in the base) are hidden but protect nothing and
need no protection. When every group ends up hidden the breakdown shows nothing beyond the
overall line, which is published anyway.
"""
from __future__ import annotations

from collections.abc import Sequence


def _safe(hidden: set[int], sizes: Sequence[int], columns: Sequence[Sequence[int]], below: int) -> bool:
    real = [i for i in hidden if sizes[i] > 0]
    total = sum(sizes[i] for i in real)
    if len(real) < 2 or total < below:
        return False
    width = len(columns[real[0]])
    # A column holding every hidden respondent tells each of them answered it.
    return all(sum(columns[i][j] for i in real) < total for j in range(width))


def hidden_rows(sizes: Sequence[int], columns: Sequence[Sequence[int]], below: int) -> set[int]:
    """Indices of the groups to hide, each group given by its size and its count per answer column."""
    hidden = {i for i, n in enumerate(sizes) if n < below}
    if not any(sizes[i] > 0 for i in hidden):
        return hidden
    candidates = sorted((i for i, n in enumerate(sizes) if i not in hidden and n > 0), key=lambda i: (sizes[i], i))
    for i in candidates:
        if _safe(hidden, sizes, columns, below):
            break
        hidden.add(i)
    return hidden


def hidden_groups(sizes: Sequence[int], positives: Sequence[int], below: int) -> set[int]:
    """Indices of the groups to hide for a yes/no indicator (primary and complementary); see module docstring."""
    return hidden_rows(sizes, [(p, n - p) for n, p in zip(sizes, positives, strict=True)], below)
