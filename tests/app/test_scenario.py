"""`fundcalc scenario` end to end (§12): the product's comparison.csv against the independent
reference (tests/reference/scenario.py) to the cent, the files it writes, and what it refuses."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from fundcalc.app.scenario import run_scenarios
from fundcalc.cli import main
from fundcalc.core.calculation import calculate
from fundcalc.core.year import months_of
from fundcalc.inputs.logcache import read_log
from fundcalc.inputs.rulescache import load_rules
from fundcalc.inputs.verdicts import read_verdicts
from fundcalc.report.workbook.scenario import SHEET_NAMES
from tests.reference import scenario as reference
from tests.synthetic import HEADER, stay, synthetic_rows, write_log, write_rules, write_sample

YEAR = 2026

#: Overlays that between them use every merge rule of §12 on the synthetic rules.
OVERLAYS = {
    "tarieven": """
[scenario]
name = "tarieven"
description = "Meer plaatsen en hogere tarieven"
[[lot]]
id = "LOV-NOORD"
[[lot.terms]]
valid_from = 2026-07-15
places = 16
day_tariff = "245.00"
availability_tariff = "43.10"
[[lot]]
id = "DREIGING-OOST"
provider = "Beschermd Wonen Oost"
[[lot.terms]]
valid_from = 2026-04-01
places = 8
day_tariff = "275.00"
availability_tariff = "48.00"
[[lot]]
id = "COSM-A"
[[lot.terms]]
valid_from = 2026-03-01
places = 22
day_tariff = "190.00"
availability_tariff = "31.00"
""",
    "sleutel": """
[scenario]
name = "sleutel"
[[lot]]
id = "LOT-ONBEKEND"
provider = "Nieuwe Opvang"
group = "STALKING"
[[lot.terms]]
valid_from = 2025-01-01
places = 3
day_tariff = "250.00"
availability_tariff = "40.00"
[[lot]]
id = "LOV-ZUID"
valid_to = 2026-09-01
[[split]]
valid_from = 2026-01-01
origin_share = "0.25"
[[key]]
valid_from = 2026-07-01
weights = { GM0363 = "8727", GM0599 = "6650", GM0518 = "5510", GM0344 = "3612", GM0080 = "1000" }
""",
    "begroting": """
[scenario]
name = "begroting"
[fund]
budget = { 2026 = "4512345.67" }
[[split]]
valid_from = 2025-01-01
origin_share = "0.3333"
[[settlement]]
valid_from = 2026-01-01
method = "key"
reserve_cap = "100000.00"
""",
}


def product_csv(folder: Path, name: str, as_of: date) -> str:
    rules, inputs = folder / "rules", folder / "inputs"
    overlay = folder / f"{name}.toml"
    overlay.write_text(OVERLAYS[name], encoding="utf-8")
    run_scenarios(
        [overlay],
        rules_dir=rules,
        inputs_dir=inputs,
        out_dir=folder / "out",
        year=YEAR,
        as_of=as_of,
    )
    return (folder / "out" / f"scenario-{name}-{YEAR}" / "comparison.csv").read_text()


def reference_csv(folder: Path, rows: list[dict[str, str]], name: str, as_of: date) -> str:
    base = reference.rules_from_toml((folder / "rules" / "arrangement.toml").read_text())
    other = reference.overlay(base, OVERLAYS[name], f"{name}.toml")
    municipalities = (folder / "rules" / "municipalities.csv").read_text()
    return reference.comparison_csv(
        reference.comparison(base, other, municipalities, rows, YEAR, as_of)
    )


@pytest.mark.parametrize(
    ("seed", "name", "as_of"),
    [
        (1, "tarieven", date(2026, 6, 30)),
        (2, "sleutel", date(2026, 6, 30)),
        (3, "begroting", date(2026, 11, 23)),
        (4, "sleutel", date(2026, 2, 10)),
    ],
)
def test_comparison_equals_the_reference_to_the_cent(
    tmp_path: Path, seed: int, name: str, as_of: date
) -> None:
    rows = synthetic_rows(seed, scale=0.3)
    write_sample(tmp_path, seed, scale=0.3)
    got = product_csv(tmp_path, name, as_of)
    assert got == reference_csv(tmp_path, rows, name, as_of)
    differences = [int(r["difference_cents"]) for r in csv.DictReader(io.StringIO(got))]
    assert any(differences)


def test_a_stay_recorded_before_the_as_of_date_that_starts_after_it_counts(
    tmp_path: Path,
) -> None:
    """Announced before D, arriving after it: in force as of D, so its days in the year count
    (with the scenario's new terms), as the reference decides."""
    rows = synthetic_rows(10, scale=0.2)
    write_sample(tmp_path, 10, scale=0.2)
    announced = [
        {**dict.fromkeys(HEADER, ""), **row}
        for row in (
            stay("V1", "LOV-NOORD", "2026-08-01", "2026-10-01", brp_municipality="GM0363",
                 recorded_on="2026-06-20"),
            stay("V2", "DREIGING-OOST", "2026-09-15", brp_municipality="GM0599",
                 recorded_on="2026-06-25"),
        )
    ]  # fmt: skip
    write_log(tmp_path, announced, name="aangekondigd.csv")
    as_of = date(2026, 6, 30)
    got = product_csv(tmp_path, "tarieven", as_of)
    assert got == reference_csv(tmp_path, [*rows, *announced], "tarieven", as_of)
    without = reference_csv(tmp_path, rows, "tarieven", as_of)
    assert got != without


def test_the_rules_as_a_scenario_give_every_difference_zero(tmp_path: Path) -> None:
    rules, inputs = write_sample(tmp_path, 5, scale=0.3)
    same = tmp_path / "same.toml"
    # Every version of the rules given again: each replaces itself.
    same.write_text((rules / "arrangement.toml").read_text() + '\n[scenario]\nname = "gelijk"\n')
    result = run_scenarios(
        [same], rules_dir=rules, inputs_dir=inputs, out_dir=tmp_path / "out", year=YEAR,
        as_of=date(2026, 6, 30),
    )  # fmt: skip
    assert len(result.scenarios[0].scenario.changes) > 10
    rows = list(
        csv.DictReader(io.StringIO((result.workbook.parent / "comparison.csv").read_text()))
    )
    assert len(rows) == 8 * 4 + 1 + 1  # 8 members × 4 items, GM0080's direct charges, JUSTICE
    assert all(r["difference_cents"] == "0" for r in rows)
    assert all(r["base_cents"] == r["scenario_cents"] for r in rows)


def test_the_base_column_is_the_monthly_statements_summed(tmp_path: Path) -> None:
    rows = synthetic_rows(6, scale=0.3)
    rules_dir, inputs = write_sample(tmp_path, 6, scale=0.3)
    # Verdicts of the eligibility check count as in a run (§11): three placements on
    # fund lots judged not eligible move from the fund to their centrumgemeente.
    fund = [r["placement_id"] for r in rows if not r["lot_id"].startswith("COSM")][:3]
    (inputs / "eligibility").mkdir()
    (inputs / "eligibility" / "oordelen.csv").write_text(
        "placement_id,eligible,decided_on,reference\n"
        + "".join(f"{pid},nee,2026-03-01,T-{i}\n" for i, pid in enumerate(fund)),
        encoding="utf-8",
    )
    overlay = tmp_path / "tarieven.toml"
    overlay.write_text(OVERLAYS["tarieven"], encoding="utf-8")
    as_of = date(2026, 8, 31)
    result = run_scenarios(
        [overlay], rules_dir=rules_dir, inputs_dir=inputs, out_dir=tmp_path / "out", year=YEAR,
        as_of=as_of,
    )  # fmt: skip
    rules, log, verdicts = load_rules(rules_dir), read_log(inputs), read_verdicts(inputs)

    def summed(verdict_rows: pl.DataFrame | None) -> dict[tuple[str, str], int]:
        sums: dict[tuple[str, str], int] = {}
        for period in months_of(YEAR):  # each month calculated on its own, as a run does
            calculation = calculate(rules, log.rows, [period], as_of, verdict_rows=verdict_rows)
            for _, payer, item, _, amount in calculation.settlements[period].rows():
                sums[(payer, item)] = sums.get((payer, item), 0) + amount
        return sums

    text = (result.workbook.parent / "comparison.csv").read_text()
    base = {
        (r["payer"], r["item"]): int(r["base_cents"]) for r in csv.DictReader(io.StringIO(text))
    }
    assert base == summed(verdicts.rows)
    assert base != summed(None)


def test_several_scenarios_give_one_workbook_and_a_comparison_each(tmp_path: Path) -> None:
    rules, inputs = write_sample(tmp_path, 7, scale=0.2)
    files = []
    for name in ("tarieven", "sleutel"):
        files.append(tmp_path / f"{name}.toml")
        files[-1].write_text(OVERLAYS[name], encoding="utf-8")
    out = tmp_path / "out"
    result = run_scenarios(
        files, rules_dir=rules, inputs_dir=inputs, out_dir=out, year=YEAR, as_of=date(2026, 6, 30)
    )
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "scenario-sleutel-2026",
        "scenario-tarieven+sleutel-2026",
        "scenario-tarieven-2026",
    ]
    assert [p.name for p in (out / "scenario-tarieven-2026").iterdir()] == ["comparison.csv"]
    assert result.workbook == out / "scenario-tarieven+sleutel-2026" / "scenario.xlsx"
    book = load_workbook(result.workbook)
    # The synthetic rules have no [[settlement]]: no Jaarafrekening sheet.
    assert tuple(book.sheetnames) == tuple(n for n in SHEET_NAMES if n != "Jaarafrekening")
    fund = book["Fonds"]
    header = [c.value for c in next(r for r in fund.iter_rows() if r[0].value == "Onderdeel")]
    assert header == [
        "Onderdeel", "Huidige regels", "tarieven", "Verschil tarieven", "sleutel",
        "Verschil sleutel",
    ]  # fmt: skip
    texts = {str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value}
    assert not {r["client_id"] for r in synthetic_rows(7, scale=0.2)} & texts


def test_the_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    rules, inputs = write_sample(tmp_path, 8, scale=0.2)
    overlay = tmp_path / "tarieven.toml"
    overlay.write_text(OVERLAYS["tarieven"], encoding="utf-8")
    outputs = [
        run_scenarios(
            [overlay],
            rules_dir=rules,
            inputs_dir=inputs,
            out_dir=tmp_path / f"out{i}",
            year=YEAR,
            as_of=date(2026, 6, 30),
        ).folders
        for i in range(2)
    ]
    assert [sorted(f.values(), key=str) for f in outputs[0].values()] == [
        sorted(f.values(), key=str) for f in outputs[1].values()
    ]


def test_an_invalid_scenario_names_file_key_and_problem_and_writes_nothing(
    tmp_path: Path,
) -> None:
    write_rules(tmp_path)
    (tmp_path / "inputs" / "placements").mkdir(parents=True)
    good = tmp_path / "goed.toml"
    good.write_text(OVERLAYS["tarieven"], encoding="utf-8")
    bad = tmp_path / "fout.toml"
    bad.write_text(
        '[[lot]]\nid = "LOV-ZUID"\n[[lot.terms]]\nvalid_from = 2026-03-01\nplaces = 9\n'
        'day_tariff = "229.999"\navailability_tariff = "39.50"\n'
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["scenario", str(good), str(bad), "--year", "2026", "--as-of", "2026-06-30",
         "--rules", str(tmp_path / "rules"), "--inputs", str(tmp_path / "inputs"),
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.startswith(
        f"fundcalc: {bad}: lot LOV-ZUID.terms[valid_from=2026-03-01].day_tariff: "
    )
    assert "decimals" in result.output
    assert not out.exists()


def test_a_year_without_a_budget_in_the_scenario_names_the_scenario_file(tmp_path: Path) -> None:
    rules, inputs = write_sample(tmp_path, 9, scale=0.1)
    later = tmp_path / "later.toml"
    later.write_text('[[key]]\nvalid_from = 2027-01-01\nweights = { GM0363 = "1" }\n')
    result = CliRunner().invoke(
        main,
        ["scenario", str(later), "--year", "2027", "--rules", str(rules), "--inputs",
         str(inputs), "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 1
    assert (
        result.output
        == "fundcalc: arrangement.toml: fund.budget.2027: no budget for the scenario's year\n"
    )
    assert not (tmp_path / "out").exists()
