"""A scenario file laid over the shipped rules (§12): each merge rule, and what it refuses."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from fundcalc.errors import RulesError
from fundcalc.inputs.arrangement import read_document
from fundcalc.inputs.rules import ARRANGEMENT_FILE, Rules
from fundcalc.inputs.rulescache import load_rules
from fundcalc.inputs.scenario import Scenario, overlay
from tests.conftest import ROOT

RULES = ROOT / "rules"
FILE = "wat-als.toml"


@pytest.fixture(scope="module")
def base() -> Rules:
    return load_rules(RULES)


def laid(base: Rules, text: str) -> Scenario:
    document = read_document((RULES / ARRANGEMENT_FILE).read_bytes())
    return overlay(base, document, text.encode(), file=FILE, default_name="wat-als")


def test_key_version_with_the_same_valid_from_replaces_it(base: Rules) -> None:
    scenario = laid(
        base, '[[key]]\nvalid_from = 2026-01-01\nweights = { GM0363 = "3", GM0599 = "1" }\n'
    )
    keys = scenario.rules.keys
    assert [k.valid_from for k in keys] == [date(2024, 1, 1), date(2026, 1, 1)]
    assert dict(keys[1].weights) == {"GM0363": Fraction(3), "GM0599": Fraction(1)}
    assert keys[0] == base.keys[0]
    (change,) = scenario.changes
    assert (change.table, change.valid_from, change.replaces) == ("key", date(2026, 1, 1), True)


def test_key_version_with_a_new_valid_from_is_added_in_order(base: Rules) -> None:
    scenario = laid(base, '[[key]]\nvalid_from = 2025-07-01\nweights = { GM0363 = "1" }\n')
    keys = scenario.rules.keys
    assert [k.valid_from for k in keys] == [date(2024, 1, 1), date(2025, 7, 1), date(2026, 1, 1)]
    assert keys[1].members == ("GM0363",)
    assert not scenario.changes[0].replaces


def test_split_versions_replace_or_are_added(base: Rules) -> None:
    scenario = laid(
        base,
        '[[split]]\nvalid_from = 2027-01-01\norigin_share = "0.5"\n'
        '[[split]]\nvalid_from = 2026-01-01\norigin_share = "0.3"\n',
    )
    assert [(s.valid_from, s.origin_share) for s in scenario.rules.splits] == [
        (date(2024, 1, 1), Fraction(0)),
        (date(2026, 1, 1), Fraction(3, 10)),
        (date(2027, 1, 1), Fraction(1, 2)),
    ]


def test_settlement_versions_replace_or_are_added(base: Rules) -> None:
    scenario = laid(
        base,
        '[[settlement]]\nvalid_from = 2027-01-01\nmethod = "key"\nreserve_cap = "0"\n',
    )
    assert base.settlement_for(2027).method == "balance"
    assert scenario.rules.settlement_for(2027).method == "key"
    assert scenario.rules.settlement_for(2027).reserve_cap_cents == 0
    assert scenario.rules.settlement_for(2026) == base.settlement_for(2026)


def test_budget_year_replaces_that_year_only(base: Rules) -> None:
    scenario = laid(base, '[fund]\nbudget = { 2026 = "14200000.00", 2028 = "1.00" }\n')
    assert scenario.rules.budgets == {**base.budgets, 2026: 1_420_000_000, 2028: 100}
    assert [(c.subject, c.before, c.after) for c in scenario.changes] == [
        ("2026", "13900000.00", "14200000.00"),
        ("2028", None, "1.00"),
    ]


def test_new_lot_is_added(base: Rules) -> None:
    scenario = laid(
        base,
        '[[lot]]\nid = "STALK-ZUID"\nprovider = "Stichting Zuiderlicht"\ngroup = "STALKING"\n'
        '[[lot.terms]]\nvalid_from = 2026-07-01\nplaces = 6\nday_tariff = "215.00"\n'
        'availability_tariff = "36.00"\n',
    )
    lot = scenario.rules.lots["STALK-ZUID"]
    assert (lot.provider, lot.group, lot.valid_to) == ("Stichting Zuiderlicht", "STALKING", None)
    assert [(t.valid_from, t.places, t.day_tariff_cents) for t in lot.terms] == [
        (date(2026, 7, 1), 6, 21500)
    ]
    assert set(scenario.rules.lots) == {*base.lots, "STALK-ZUID"}


def test_known_lot_terms_are_added_or_replaced_by_valid_from(base: Rules) -> None:
    scenario = laid(
        base,
        '[[lot]]\nid = "DREIG-WEST"\nprovider = "Stichting Stille Kade"\n'
        '[[lot.terms]]\nvalid_from = 2026-07-01\nplaces = 34\nday_tariff = "228.25"\n'
        'availability_tariff = "38.80"\n'
        '[[lot.terms]]\nvalid_from = 2026-01-01\nplaces = 33\nday_tariff = "228.25"\n'
        'availability_tariff = "38.80"\n',
    )
    terms = scenario.rules.lots["DREIG-WEST"].terms
    assert [(t.valid_from, t.valid_to, t.places) for t in terms[-3:]] == [
        (date(2025, 7, 1), date(2026, 1, 1), 32),
        (date(2026, 1, 1), date(2026, 7, 1), 33),
        (date(2026, 7, 1), None, 34),
    ]
    assert terms[:2] == base.lots["DREIG-WEST"].terms[:2]
    assert [(c.valid_from, c.replaces) for c in scenario.changes] == [
        (date(2026, 7, 1), False),
        (date(2026, 1, 1), True),
    ]


def test_known_lot_valid_to_is_set_and_replaces_the_rules_one(base: Rules) -> None:
    ends = laid(base, '[[lot]]\nid = "STALK-OOST"\nvalid_to = 2026-10-01\n')
    lot = ends.rules.lots["STALK-OOST"]
    assert lot.valid_to == date(2026, 10, 1)
    assert lot.terms[-1].valid_to == date(2026, 10, 1)
    later = laid(base, '[[lot]]\nid = "LOV-NOORD"\nvalid_to = 2026-10-01\n')
    assert base.lots["LOV-NOORD"].valid_to == date(2026, 7, 1)
    assert later.rules.lots["LOV-NOORD"].valid_to == date(2026, 10, 1)


def test_scenario_table_names_it_and_other_values_replace(base: Rules) -> None:
    scenario = laid(
        base,
        '[scenario]\nname = "ruim"\ndescription = " Meer plaatsen "\n'
        '[fund]\nopening_reserve = "100000.00"\n[cosm]\nreflection_months = 4\n',
    )
    assert (scenario.name, scenario.description) == ("ruim", "Meer plaatsen")
    assert scenario.rules.opening_reserve_cents == 10_000_000
    assert scenario.rules.reflection_months == 4
    assert scenario.rules.keys == base.keys
    assert scenario.rules.files[-1].name == FILE


def test_empty_scenario_is_the_rules_and_takes_the_file_name(base: Rules) -> None:
    scenario = laid(base, "")
    assert scenario.name == "wat-als"
    assert scenario.changes == ()
    assert scenario.rules.lots == base.lots
    assert scenario.rules.keys == base.keys
    assert scenario.rules.budgets == base.budgets


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        (
            '[[key]]\nvalid_from = 2026-01-01\nweights = { GM0363 = "-1" }\n',
            "key[valid_from=2026-01-01].weights.GM0363",
            "positive",
        ),
        (
            '[fund]\nbudget = { 2026 = "-13900000.00" }\n',
            "fund.budget.2026",
            "'-13900000.00' is negative; a budget is 0 or more",
        ),
        (
            '[[lot]]\nid = "COSM-WEST"\n[[lot.terms]]\nvalid_from = 2026-07-01\nplaces = 34\n'
            'day_tariff = "-180.00"\navailability_tariff = "38.80"\n',
            "lot COSM-WEST.terms[valid_from=2026-07-01].day_tariff",
            "'-180.00' is negative; a tariff is 0 or more",
        ),
        (
            '[[lot]]\nid = "NIEUW"\nprovider = "P"\ngroup = "STALKING"\n[[lot.terms]]\n'
            'valid_from = 2026-07-01\nplaces = 2\nday_tariff = "200"\n'
            'availability_tariff = "-1"\n',
            "lot NIEUW.terms[valid_from=2026-07-01].availability_tariff",
            "'-1' is negative; a tariff is 0 or more",
        ),
        (
            '[[lot]]\nid = "DREIG-WEST"\n[[lot.terms]]\nvalid_from = 2026-07-01\nplaces = 34\n'
            'day_tariff = "228.255"\navailability_tariff = "38.80"\n',
            "lot DREIG-WEST.terms[valid_from=2026-07-01].day_tariff",
            "decimals",
        ),
        ('[[split]]\nvalid_from = 2026-02-02\norigin_share = "0.3"\n', "split", "first day"),
        ("[fund]\nbudgets = 1\n", "fund.budgets", "unknown key"),
        ('[scenario]\nname = "x"\nowner = "y"\n', "scenario.owner", "unknown key"),
        ("[[keys]]\nvalid_from = 2026-01-01\n", "keys", "unknown key"),
        (
            '[[key]]\nvalid_from = 2026-01-01\nweights = { GM0363 = "1" }\n'
            '[[key]]\nvalid_from = 2026-01-01\nweights = { GM0363 = "2" }\n',
            "key[2].valid_from",
            "twice",
        ),
        ('[[split]]\norigin_share = "0.3"\n', "split[1].valid_from", "missing"),
        ('[[lot]]\nid = "LOV-ZUID"\ngroup = "STALKING"\n', "lot LOV-ZUID.group", "new lot"),
        ('[[lot]]\nid = "NIEUW"\ngroup = "STALKING"\n', "lot NIEUW", "missing"),
        ('[[lot]]\nid = "STALK-OOST"\nvalid_to = 2020-01-01\n', "lot STALK-OOST.valid_to", "ends"),
        ('[scenario]\nname = "../weg"\n', "scenario.name", "folder"),
        ("[[key]\n", "", "not valid TOML"),
    ],
)
def test_invalid_scenario_names_the_scenario_file_the_key_and_the_problem(
    base: Rules, text: str, where: str, problem: str
) -> None:
    with pytest.raises(RulesError) as raised:
        laid(base, text)
    error = raised.value
    assert error.file == FILE
    assert error.where.startswith(where)
    assert problem in error.problem
    assert str(error).startswith(f"{FILE}: ")
