"""Design consistency: letters, replies and margins that contradict each other are named, never weighted."""
from __future__ import annotations

import numpy as np
import pytest

from analysis.consistency import DesignError, check_design
from analysis.errors import MarginError
from analysis.frame import frame_from_csv, frame_from_database
from analysis.indicators import Options, compute
from analysis.report import document
from analysis.weighting import margins_from_rows
from survey_app.instrument import bundled_path
from survey_app.invitations import create_invitations
from survey_app.population import read_population_csv
from survey_app.responses import bulk_complete

POPULATION = bundled_path().parent / "ebetsu-2025-population.csv"


def rows(n: int, districts=(1, 2, 3), seed: int = 11):
    rng = np.random.default_rng(seed)
    for i in range(n):
        district = districts[i % len(districts)]
        yield {"kurashiyasui": int(rng.integers(1, 5)), "age_band": int(rng.integers(1, 7)), "sex": int(rng.integers(1, 3)),
               "district": district, "kenko": 1, "kosodate": 1 + i % 4, "hatarakiyasui": 1 + i % 3,
               "kyosei": 2 + i % 3, "_stratum": {"district": district}}


def margins(instrument):
    return margins_from_rows(read_population_csv(POPULATION, instrument))


def test_replies_from_a_stratum_without_deliverable_letters_are_refused(session, instrument, secret):
    create_invitations(session, instrument, secret, [{"district": d} for d in (1, 2) for _ in range(100)])
    bulk_complete(session, instrument, list(rows(90)), channel="paper", source="invited")
    frame = frame_from_database(session, instrument)
    with pytest.raises(DesignError, match=r"^Stratum district=3 has 30 replies but no deliverable letters"):
        check_design(frame, margins(instrument))
    with pytest.raises(DesignError):
        compute(frame, margins(instrument), Options(weighting="rake"))


def test_more_replies_than_letters_is_refused(session, instrument, secret):
    create_invitations(session, instrument, secret, [{"district": d} for d in (1, 2, 3) for _ in range(20)])
    bulk_complete(session, instrument, list(rows(90)), channel="paper", source="invited")
    with pytest.raises(DesignError, match=r"Stratum district=1 has 30 replies but only 20 deliverable letters"):
        check_design(frame_from_database(session, instrument), margins(instrument))


def test_a_stratum_the_margin_lacks_is_named_not_a_key_error(session, instrument, secret):
    create_invitations(session, instrument, secret, [{"district": d} for d in (1, 2, 3) for _ in range(50)])
    bulk_complete(session, instrument, list(rows(90)), channel="paper", source="invited")
    partial = tuple(m if m.name != "district" else type(m)(m.dims, m.cells[:2], m.counts[:2])
                    for m in margins(instrument))
    with pytest.raises(MarginError, match=r"Population margin 'district' has no category 3, but 50 letters"):
        compute(frame_from_database(session, instrument), partial, Options(weighting="rake"))


def test_a_consistent_invited_sample_passes(session, instrument, secret):
    create_invitations(session, instrument, secret, [{"district": d} for d in (1, 2, 3) for _ in range(50)])
    bulk_complete(session, instrument, list(rows(120)), channel="paper", source="invited")
    frame = frame_from_database(session, instrument)
    check_design(frame, margins(instrument))
    result = compute(frame, margins(instrument), Options(weighting="rake", by=("district",)))
    assert all(0 <= ind.estimate <= 100 for ind in result.indicators)


def test_all_or_nothing_groups_get_a_notice(bundled_instrument):
    body = "kurashiyasui,age_band\n" + "".join(f"{1 if age == 1 else 1 + i % 4},{age}\n"
                                               for i in range(40) for age in (1, 2))
    doc = document(compute(frame_from_csv(body, bundled_instrument), (), Options(by=("age_band",), lang="en",
                                                                                 strict=False)), "en")
    codes = [n["code"] for n in doc["notices"]]
    assert "degenerate_group" in codes
    message = next(n["message"] for n in doc["notices"] if n["code"] == "degenerate_group")
    assert "'living' is 100% in the group age_band=" in message
