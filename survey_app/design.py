"""The sampling design, recorded when the letters are made (never guessed from attributes).

A mailing batch drawn from the resident register by stratified random sampling names its
strata (``--stratify-by district``: frame columns). Per batch and stratum h we store the
stratum's population N_h, the letters sent n_h and, later, how many came back
undeliverable. Later batches (top-ups, new addresses) add letters to the same design; the
strata variables of a survey never change once recorded. The letter's inclusion
probability is n_h / N_h (summed over batches).

N_h comes from the stored population margin of exactly the strata variables (the one-way
margin ``district``, or the joint margin ``age_band:sex``), or from a ``stratum,count``
file. Messages are English: this runs from the command line, whose messages are English.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app.csvio import CsvError, read_rows
from survey_app.models import DesignStratum, Invitation, PopulationMargin


class DesignError(ValueError):
    """A design that cannot be recorded as asked: one line saying why."""


@dataclass(frozen=True)
class StratumDesign:
    """One stratum over all batches: N_h, letters n_h and undeliverable letters."""

    stratum: str
    population: float
    letters: int
    undeliverable: int

    @property
    def inclusion_probability(self) -> float:
        return self.letters / self.population if self.population > 0 else 0.0


@dataclass(frozen=True)
class RecordedDesign:
    variables: tuple[str, ...]
    strata: tuple[StratumDesign, ...]

    def stratum_of(self, attributes: Mapping) -> str | None:
        return stratum_key(attributes, self.variables)

    def by_key(self) -> dict[str, StratumDesign]:
        return {s.stratum: s for s in self.strata}


def stratum_key(attributes: Mapping | None, variables: Iterable[str]) -> str | None:
    """``"3"`` or ``"3:1"`` for the strata variables; None when one of them is missing."""
    parts = []
    for name in variables:
        value = (attributes or {}).get(name)
        # pandas gives NaN for a stratum column a response's letter lacks (a frame row without its
        # district): missing, as None is — int(NaN) stopped every weighted figure
        if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
            return None
        parts.append(str(int(value)))
    return ":".join(parts)


def read_stratum_sizes(source: bytes | str | Path, encoding: str = "auto") -> dict[str, float]:
    """``stratum,count`` rows (``3,4210`` or ``3:1,2100``) → {stratum: N_h}; raises CsvError by line."""
    sizes: dict[str, float] = {}
    for line, row in read_rows(source, required=("stratum", "count"), allowed=("stratum", "count"),
                               encoding=encoding):
        key = row["stratum"].strip()
        try:
            count = float(row["count"].replace(",", ""))
        except ValueError:
            raise CsvError(f"'{row['count']}' is not a number", line) from None
        if not key or not all(p.strip().isdigit() for p in key.split(":")):
            raise CsvError(f"stratum '{key}' must be codes joined by ':' (e.g. 3 or 3:1)", line)
        if count <= 0:
            raise CsvError(f"stratum {key}: the population count must be positive", line)
        key = ":".join(str(int(p)) for p in key.split(":"))
        if key in sizes:
            raise CsvError(f"stratum {key} is listed twice", line)
        sizes[key] = count
    if not sizes:
        raise CsvError("the stratum sizes file has no rows", 2)
    return sizes


def margin_sizes(session: Session, survey_id: str, variables: tuple[str, ...]) -> dict[str, float]:
    """N_h from the stored population margin of exactly these variables."""
    dimension = ":".join(variables)
    rows = session.scalars(select(PopulationMargin).where(PopulationMargin.survey_id == survey_id,
                                                          PopulationMargin.dimension == dimension)).all()
    if not rows:
        raise DesignError(f"there is no stored population margin '{dimension}' to give the strata sizes: "
                          "import it (machikoe population import) or pass --stratum-sizes FILE.csv")
    return {row.category: float(row.count) for row in rows}


def recorded_variables(session: Session, survey_id: str) -> tuple[str, ...] | None:
    first = session.scalar(select(DesignStratum.variables).where(DesignStratum.survey_id == survey_id).limit(1))
    return tuple(first.split(":")) if first else None


def plan_batch(session: Session, survey_id: str, frame: list[dict[str, int]], variables: tuple[str, ...],
               batch: str, sizes: Mapping[str, float] | None = None) -> list[DesignStratum]:
    """The design rows for a batch (not yet added): checks strata, sizes and cumulative letters."""
    previous = recorded_variables(session, survey_id)
    if previous is not None and previous != variables:
        raise DesignError(f"this survey's design is stratified by {','.join(previous)}; a later batch must use "
                          f"the same strata (--stratify-by {','.join(previous)})")
    if previous is None and session.scalar(select(Invitation.id).where(Invitation.survey_id == survey_id)
                                           .limit(1)) is not None:
        raise DesignError("letters were already made for this survey without a recorded design; a design must be "
                          "recorded from the first batch on")
    letters: Counter[str] = Counter()
    for line, row in enumerate(frame, start=2):
        key = stratum_key(row, variables)
        if key is None:
            raise DesignError(f"line {line}: the frame row has no value for the strata column(s) "
                              f"{','.join(variables)}")
        letters[key] += 1
    sizes = dict(sizes) if sizes is not None else margin_sizes(session, survey_id, variables)
    already = sent_letters(session, survey_id)
    rows = []
    for key, n in sorted(letters.items()):
        if key not in sizes:
            raise DesignError(f"stratum {':'.join(variables)}={key} has letters but no population size")
        if already.get(key, 0) + n > sizes[key]:
            raise DesignError(f"stratum {':'.join(variables)}={key}: {already.get(key, 0) + n} letters for a "
                              f"population of {sizes[key]:g}")
        rows.append(DesignStratum(survey_id=survey_id, batch=batch, variables=":".join(variables), stratum=key,
                                  population=float(sizes[key]), letters=n, undeliverable=0))
    return rows


def sent_letters(session: Session, survey_id: str) -> dict[str, int]:
    counts: Counter = Counter()
    for row in session.scalars(select(DesignStratum).where(DesignStratum.survey_id == survey_id)):
        counts[row.stratum] += row.letters
    return dict(counts)


def record_undeliverable(session: Session, invitations: Iterable[Invitation], change: int = 1) -> None:
    """Count letters newly marked undeliverable (``change`` 1) or unmarked (-1) in their batch's
    stratum (the caller commits)."""
    for invitation in invitations:
        rows = session.scalars(select(DesignStratum).where(DesignStratum.survey_id == invitation.survey_id,
                                                           DesignStratum.batch == (invitation.batch or ""))).all()
        if not rows:
            continue
        key = stratum_key(invitation.stratum, rows[0].variables.split(":"))
        for row in rows:
            if row.stratum == key:
                row.undeliverable = max(0, min(row.letters, row.undeliverable + change))


def recorded_design(session: Session, survey_id: str) -> RecordedDesign | None:
    """The survey's design over all batches: N_h of the latest batch, letters and undeliverable summed."""
    rows = session.scalars(select(DesignStratum).where(DesignStratum.survey_id == survey_id)
                           .order_by(DesignStratum.id)).all()
    if not rows:
        return None
    population: dict[str, float] = {}
    letters: Counter = Counter()
    undeliverable: Counter = Counter()
    for row in rows:
        population[row.stratum] = row.population  # a later batch carries the register's newer figure
        letters[row.stratum] += row.letters
        undeliverable[row.stratum] += row.undeliverable
    strata = tuple(StratumDesign(key, population[key], letters[key], undeliverable[key]) for key in sorted(population))
    return RecordedDesign(tuple(rows[0].variables.split(":")), strata)
