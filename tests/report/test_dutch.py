"""The workbook's Dutch: reasons, month labels and what each sheet title says."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from fundcalc.base.period import Period
from fundcalc.report.dutch import (
    REASONS,
    Context,
    dutch_reason,
    month_name,
    reason_groups,
    short_month,
)


@pytest.mark.parametrize(
    ("reason", "dutch"),
    [
        ("not a member of the fund", "geen lid van het fonds"),
        ("unknown lot '=X'", "onbekend perceel '=X'"),
        ("lot L has no terms on these days", "perceel L heeft op deze dagen geen voorwaarden"),
        ("no centrumgemeente for municipality 'GM9'", "geen centrumgemeente voor gemeente 'GM9'"),
        ("start_date '31-13-2026' is not a date", "start_date '31-13-2026' is geen datum"),
        (
            "client_id is missing; found_municipality is missing (no brp_municipality)",
            "client_id ontbreekt; found_municipality ontbreekt (brp_municipality ook)",
        ),
        (
            "conflicting versions recorded on 2026-01-02 (a.csv:2, a.csv:3)",
            "tegenstrijdige versies op 2026-01-02 (a.csv:2, a.csv:3)",
        ),
        ("void 'x' is not true/false, ja/nee or 1/0", "void 'x' is niet true/false, ja/nee of 1/0"),
        ("lot_id is longer than 100 characters", "lot_id is langer dan 100 tekens"),
        ("end_date before start_date", "end_date ligt voor start_date"),
        (
            "conflicting versions recorded on the same day (a.csv:2, b.csv:7)",
            "tegenstrijdige versies op dezelfde dag vastgelegd (a.csv:2, b.csv:7)",
        ),
        (
            "the row has 13 fields where the header has 11; start_date 'x' is not a date",
            "de regel heeft 13 velden waar de kopregel er 11 heeft; start_date 'x' is geen datum",
        ),
        ("unknown column 'Opmerking' is ignored", "onbekende kolom 'Opmerking' genegeerd"),
        (
            "the same client is also in placement P7 on these days (possible double billing)",
            "dezelfde cliënt staat op deze dagen ook in plaatsing P7"
            " (mogelijk dubbel gefactureerd)",
        ),
        (
            "stay longer than a year (since 2025-09-15)",
            "verblijf langer dan een jaar (sinds 2025-09-15)",
        ),
        (
            "lot K: more placements than contracted places (1) on these days, at most 2 on a day",
            "perceel K: meer plaatsingen dan gecontracteerde plaatsen (1) op deze dagen,"
            " hoogstens 2 op een dag",
        ),
        (
            "reflection period longer than 3 months: from 2026-11-01 the days are charged"
            " to the centrumgemeente",
            "bedenktijd langer dan 3 maanden: vanaf 2026-11-01 betaalt de centrumgemeente de dagen",
        ),
        (
            "reflection period longer than 1 month: from 2026-09-01 the days are charged"
            " to the centrumgemeente",
            "bedenktijd langer dan 1 maand: vanaf 2026-09-01 betaalt de centrumgemeente de dagen",
        ),
    ],
)
def test_known_reasons_are_translated(reason: str, dutch: str) -> None:
    assert dutch_reason(reason) == dutch


def test_an_unknown_reason_is_shown_as_written() -> None:
    assert dutch_reason("something new") == "something new"


def test_month_labels() -> None:
    assert month_name(Period(2026, 10)) == "oktober 2026"
    assert short_month(Period(2026, 3)) == "mrt 2026"


def test_the_year_to_date_label_names_the_first_and_last_month() -> None:
    months = tuple(Period(2026, m) for m in range(3, 11))
    ctx = Context("Fonds", Period(2026, 10), date(2026, 11, 23), months)
    assert ctx.ytd == "mrt t/m okt 2026"
    assert Context("Fonds", Period(2026, 1), date(2026, 2, 1), (Period(2026, 1),)).ytd == (
        "januari 2026"
    )
    assert ctx.title("Verloop") == "Fonds — Verloop — oktober 2026 — Concept"
    assert ctx.subtitle("Wat.").endswith("Stand van de gegevens per 23-11-2026.")


@pytest.mark.parametrize(
    ("reason", "group"),
    [
        ("unknown lot 'LOT-X'", "onbekend perceel '…'"),
        ("no recorded_on", "recorded_on ontbreekt"),  # was "geen recorded_on"
        ("start_date '#####' is not a date", "start_date '…' is geen datum"),
        ("client_id is missing; lot_id is missing", "client_id ontbreekt; lot_id ontbreekt"),
        (
            "conflicting versions recorded on the same day (a.csv:2, b.csv:9)",
            "tegenstrijdige versies op dezelfde dag vastgelegd (…)",
        ),
        (
            "no centrumgemeente for municipality '=GM\n9999'",
            "geen centrumgemeente voor gemeente '…'",
        ),
        ("something new; no placement_id", "something new; placement_id ontbreekt"),
        ("costs $1 more", "costs $1 more"),
    ],
)
def test_a_reason_is_grouped_without_its_values_in_dutch(reason: str, group: str) -> None:
    assert reason_groups(pl.Series([reason])).to_list() == [group]


def test_every_known_reason_is_grouped_as_it_is_translated_when_it_holds_no_value() -> None:
    fixed = [
        re.sub(r"\\(.)", r"\1", pattern)  # the pattern's text unescaped
        for pattern, _ in REASONS
        if "(" not in pattern.replace("\\(", "")
    ]
    assert len(fixed) == 10
    groups = reason_groups(pl.Series(fixed)).to_list()
    assert groups == [dutch_reason(p) for p in fixed]
    assert all(g != p for g, p in zip(groups, fixed, strict=True))


def test_reasons_keep_their_order_and_nulls_when_grouped() -> None:
    reasons = pl.Series(["unknown lot 'B'", None, "unknown lot 'A'", "too late to correct"])
    assert reason_groups(reasons).to_list() == [
        "onbekend perceel '…'",
        None,
        "onbekend perceel '…'",
        "te laat om te corrigeren",
    ]
