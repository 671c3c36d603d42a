"""`fundcalc scenario`: what a change in the rules would do to a year (§12).

The rules and each scenario laid over them compute the twelve months of the
year as of D from the log alone (no archive, no corrections). Every scenario
file is read and validated before anything is calculated, and every output is
rendered before anything is written: an invalid scenario writes nothing.

Where the outputs go:

* `OUT/scenario-<name>-<Y>/comparison.csv` for each scenario (§12);
* `scenario.xlsx`, the committee's workbook: with one scenario in that same
  folder; with several, one workbook with a column per scenario in
  `OUT/scenario-<name1>+<name2>…-<Y>/` (the names in the order given), so that
  a scenario's own folder holds the same comparison.csv whichever way it was
  run, and the workbook's folder says which options it compares.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fundcalc.app.files import write_folder
from fundcalc.core.verdicts import verdicts_as_of
from fundcalc.core.versions import versions_as_of
from fundcalc.core.year import (
    COMPARISON_COLUMNS,
    YearOutcome,
    comparison_rows,
    months_of,
    year_outcome,
)
from fundcalc.errors import RulesError, UsageError
from fundcalc.inputs.logcache import LogCache, read_log
from fundcalc.inputs.rules import ARRANGEMENT_FILE, Rules
from fundcalc.inputs.rulescache import load_rules
from fundcalc.inputs.scenario import load_scenario
from fundcalc.inputs.verdicts import FOLDER as ELIGIBILITY
from fundcalc.inputs.verdicts import read_verdicts
from fundcalc.report.workbook.scenario import ScenarioOutcome, render_scenario_workbook

COMPARISON = "comparison.csv"
WORKBOOK = "scenario.xlsx"


@dataclass(frozen=True)
class ScenarioResult:
    """What `fundcalc scenario` computed and where it wrote it."""

    year: int
    as_of: date
    base: YearOutcome
    scenarios: tuple[ScenarioOutcome, ...]
    folders: dict[Path, dict[str, bytes]]
    workbook: Path
    #: Who joined and who left the fund by the rules' key (`Rules.membership_changes`).
    notices: tuple[str, ...] = ()


def folder_name(names: Sequence[str], year: int) -> str:
    """`scenario-<name>-<Y>`, or `scenario-<a>+<b>-<Y>` for several scenarios' workbook."""
    return f"scenario-{'+'.join(names)}-{year}"


def render_comparison(rows: Sequence[tuple[str, str, int, int, int]]) -> bytes:
    """comparison.csv: `payer,item,base_cents,scenario_cents,difference_cents`, LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COMPARISON_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def run_scenarios(
    files: Sequence[Path],
    *,
    rules_dir: Path,
    inputs_dir: Path,
    out_dir: Path,
    year: int,
    as_of: date,
    cache: LogCache | None = None,
    write: bool = True,
) -> ScenarioResult:
    """Lay each scenario file over the rules, compute the year both ways, write the outputs."""
    rules = load_rules(rules_dir)
    scenarios = [load_scenario(file, rules_dir, rules) for file in files]
    names = [s.name for s in scenarios]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"two scenarios are named {twice[0]!r}: give each its own [scenario] name")
    _check_covers(rules, ARRANGEMENT_FILE, year)
    for scenario in scenarios:
        _check_covers(scenario.rules, scenario.file, year)

    log = read_log(inputs_dir, cache)
    verdict_input = read_verdicts(inputs_dir)
    versions = versions_as_of(log.rows, as_of)
    verdicts = verdicts_as_of(verdict_input.rows, as_of)
    base = year_outcome(rules, versions, year, as_of, verdicts)
    outcomes = tuple(
        ScenarioOutcome(s, year_outcome(s.rules, versions, year, as_of, verdicts))
        for s in scenarios
    )
    folders: dict[Path, dict[str, bytes]] = {
        out_dir / folder_name([o.scenario.name], year): {
            COMPARISON: render_comparison(comparison_rows(base, o.outcome))
        }
        for o in outcomes
    }
    workbook_folder = out_dir / folder_name(names, year)
    folders.setdefault(workbook_folder, {})[WORKBOOK] = render_scenario_workbook(
        base,
        outcomes,
        input_hashes=(
            *((f.name, f.sha256) for f in log.files),
            *((f"{ELIGIBILITY}/{f.name}", f.sha256) for f in verdict_input.files),
        ),
    )
    if write:
        for folder, contents in folders.items():
            write_folder(folder, contents)
    return ScenarioResult(
        year,
        as_of,
        base,
        outcomes,
        folders,
        workbook_folder / WORKBOOK,
        rules.membership_changes(),
    )


def _check_covers(rules: Rules, file: str, year: int) -> None:
    """Every month of the year needs a key, a split and a budget: say which file lacks one."""
    for period in months_of(year):
        if year not in rules.budgets:
            raise RulesError(file, f"fund.budget.{year}", "no budget for the scenario's year")
        if not rules.covers(period):
            raise RulesError(file, "key, split", f"no key or split in force on {period.first_day}")
