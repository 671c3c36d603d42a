"""A scenario's changes in the committee's words (report/changes)."""

from __future__ import annotations

from datetime import date

import pytest

from fundcalc.inputs.arrangement import read_document
from fundcalc.inputs.rules import ARRANGEMENT_FILE, Rules
from fundcalc.inputs.rulescache import load_rules
from fundcalc.inputs.scenario import overlay
from fundcalc.report.changes import ChangeLine, change_lines, euro_text
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(ROOT / "rules")


def lines(rules: Rules, text: str) -> list[ChangeLine]:
    document = read_document((ROOT / "rules" / ARRANGEMENT_FILE).read_bytes())
    scenario = overlay(rules, document, text.encode(), file="s.toml", default_name="s")
    return change_lines(scenario.changes, rules)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("13900000.00", "€ 13.900.000,00"),
        ("0.5", "€ 0,50"),
        (123456, "€ 1.234,56"),
        ("-12.30", "€ -12,30"),
        (None, "—"),
    ],
)
def test_amounts_are_written_as_a_dutch_reader_writes_them(value: object, text: str) -> None:
    assert euro_text(value) == text


def test_a_new_key_names_the_weights_that_change(rules: Rules) -> None:
    weights = {code: str(w) for code, w in rules.keys[-1].weights.items()}
    weights["GM0363"] = "10000000"
    del weights["GM0983"]
    table = ", ".join(f'{code} = "{w}"' for code, w in weights.items())
    (line,) = lines(rules, f"[[key]]\nvalid_from = 2027-01-01\nweights = {{ {table} }}\n")
    assert line == ChangeLine(
        "Verdeelsleutel",
        date(2027, 1, 1),
        "35 leden",
        "34 leden; gewicht GM0363 9816716 → 10000000; GM0983 2618740 → uit de sleutel",
        "voegt toe",
    )


def test_a_split_an_end_and_a_new_lot_in_words(rules: Rules) -> None:
    got = lines(
        rules,
        '[[split]]\nvalid_from = 2026-01-01\norigin_share = "0.3"\n'
        '[[lot]]\nid = "LOV-NOORD-2"\nvalid_to = 2026-12-01\n'
        '[[lot]]\nid = "STALK-ZUID"\nprovider = "Stichting Zuiderlicht"\ngroup = "STALKING"\n'
        '[[lot.terms]]\nvalid_from = 2026-09-01\nplaces = 6\nday_tariff = "215.00"\n'
        'availability_tariff = "36.00"\n',
    )
    assert [(g.what, g.now, g.becomes, g.action) for g in got] == [
        (
            "Herkomstdeel (deel van de dagkosten voor de eigen centrumgemeente)",
            "25%",
            "30%",
            "vervangt",
        ),
        (
            "Perceel LOV-NOORD-2: einde (eerste dag zonder contract)",
            "geen einde",
            "01-12-2026",
            "zet",
        ),
        (
            "Nieuw perceel STALK-ZUID: Stichting Zuiderlicht, Extreme stalking",
            "—",
            "6 plaatsen, dagtarief € 215,00, beschikbaarheid € 36,00 per plaats per dag",
            "voegt toe",
        ),
    ]
    assert got[2].valid_from == date(2026, 9, 1)


def test_a_new_settlement_version_stands_beside_the_one_in_force(rules: Rules) -> None:
    (line,) = lines(
        rules, '[[settlement]]\nvalid_from = 2026-01-01\nmethod = "key"\nreserve_cap = "750000"\n'
    )
    assert (line.what, line.now, line.becomes, line.action) == (
        "Jaarafrekening",
        "verrekening naar saldo, reserve ten hoogste € 500.000,00",
        "verrekening naar verdeelsleutel, reserve ten hoogste € 750.000,00",
        "voegt toe",
    )
