"""The command line: `fundcalc run`, `validate` (and more, one command per task).

Every error fundcalc raises on purpose reaches the user as one line and an
exit code (§8): 0 success, 1 findings (validation errors, replay
differences), 2 bad usage. `--debug` shows the traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from fundcalc import __version__
from fundcalc.errors import FundcalcError
from fundcalc.money import format_cents
from fundcalc.period import Period

P = ParamSpec("P")
R = TypeVar("R")


class PeriodType(click.ParamType[Period, str]):
    """A calendar month, `YYYY-MM`."""

    name = "YYYY-MM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Period):
            return value
        try:
            return Period.parse(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


class DateType(click.ParamType[date, str]):
    """A day, `YYYY-MM-DD`."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2025-03-01", param, ctx)


def reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a FundcalcError into one line on stderr and its exit code."""

    @wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except FundcalcError as error:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            click.echo(f"fundcalc: {error}", err=True)
            sys.exit(error.exit_code)

    return wrapper


def _paths(command: Callable[P, R]) -> Callable[P, R]:
    for option in reversed(
        [
            click.option(
                "--rules",
                "rules_dir",
                type=click.Path(path_type=Path, file_okay=False),
                default=Path("rules"),
                show_default=True,
                help="Folder with arrangement.toml and municipalities.csv.",
            ),
            click.option(
                "--inputs",
                "inputs_dir",
                type=click.Path(path_type=Path, file_okay=False),
                default=Path("inputs"),
                show_default=True,
                help="Folder whose placements/ subfolder holds the log.",
            ),
        ]
    ):
        command = option(command)
    return command


def _as_of(command: Callable[P, R]) -> Callable[P, R]:
    return click.option(
        "--as-of",
        "as_of",
        type=DateType(),
        default=None,
        help="Use the log as it was known on this day.  [default: today]",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="fundcalc")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def main(debug: bool) -> None:
    """fundcalc: who pays what, to the cent, in the joint fund for specialist shelter.

    It applies the arrangement's rules (rules/) to the placement log
    (inputs/placements/) and writes, per month, a statement, a ledger, a
    workbook for the committee and a manifest (outputs/YYYY-MM/).
    """
    del debug


@main.command()
@_paths
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("outputs"),
    show_default=True,
    help="Folder the period's outputs are written under.",
)
@click.option(
    "--period",
    type=PeriodType(),
    default=None,
    help="The month to calculate.  [default: the last month the log covers]",
)
@_as_of
@reports_errors
def run(
    rules_dir: Path, inputs_dir: Path, out_dir: Path, period: Period | None, as_of: date | None
) -> None:
    """Calculate one month and write its outputs.

    \b
    Examples:
      fundcalc run
      fundcalc run --period 2026-10 --as-of 2026-11-05
      fundcalc run --rules rules --inputs inputs --out outputs --period 2025-01
    """
    from fundcalc.runs import load_inputs, run_period  # noqa: PLC0415 - fast --help

    inputs = load_inputs(rules_dir, inputs_dir)
    result = run_period(inputs, out_dir, period, as_of or date.today())
    s = result.settlement
    counts = result.manifest["counts"]
    click.echo(
        f"{result.period} as of {result.as_of}: fund costs € {format_cents(s.fund_costs)},"
        f" contributions € {format_cents(sum(s.contribution.values()))},"
        f" Justice € {format_cents(s.justice)};"
        f" {counts['exceptions']} exceptions, {counts['warnings']} warnings"
    )
    click.echo(f"written to {result.folder}")


@main.command()
@_paths
@click.option(
    "--period",
    type=PeriodType(),
    default=None,
    help="Also check the day ranges of this month (lots, terms, municipalities).",
)
@_as_of
@reports_errors
def validate(rules_dir: Path, inputs_dir: Path, period: Period | None, as_of: date | None) -> None:
    """Check the rules and the log and list what is wrong; exit 1 on errors.

    \b
    Examples:
      fundcalc validate
      fundcalc validate --period 2026-10
      fundcalc validate --rules rules --inputs inputs --as-of 2026-11-05
    """
    from fundcalc.validation import validate_inputs  # noqa: PLC0415

    report = validate_inputs(rules_dir, inputs_dir, period, as_of or date.today())
    for line in report.lines():
        click.echo(line)
    sys.exit(1 if report.errors else 0)


@main.command("import")
@click.argument(
    "file", type=click.Path(path_type=Path, dir_okay=False, exists=True, readable=False)
)
@click.option(
    "--recorded-on",
    "recorded_on",
    type=DateType(),
    required=True,
    help="The day the file was received: every row gets it as recorded_on.",
)
@_paths
@click.option("--dry-run", is_flag=True, help="Check and show, but do not add it to the log.")
@reports_errors
def import_(
    file: Path, recorded_on: date, rules_dir: Path, inputs_dir: Path, dry_run: bool
) -> None:
    """Check a provider's export (CSV or XLSX) and add it to the log, stamped.

    Shows the new and changed placements and every exception, then writes the
    file to inputs/placements/ as <recorded-on>_<name>.csv. Headers may be the
    log's own or Dutch (Plaatsingsnummer, Cliëntnummer, Perceel, Startdatum,
    Einddatum, Gemeente BRP, Gemeente aangetroffen, Start bedenktijd, Einde
    bedenktijd, Vervallen). A file imported before is refused. Exit 1 when
    --dry-run finds errors.

    \b
    Examples:
      fundcalc import aanlevering-noord.xlsx --recorded-on 2026-11-05 --dry-run
      fundcalc import aanlevering-noord.xlsx --recorded-on 2026-11-05
      fundcalc import export.csv --recorded-on 2026-11-05 --inputs inputs --rules rules
    """
    from fundcalc.importer import import_file  # noqa: PLC0415 - fast --help
    from fundcalc.rules import load_rules  # noqa: PLC0415

    report = import_file(
        file, recorded_on, load_rules(rules_dir), inputs_dir, today=date.today(), dry_run=dry_run
    )
    for line in report.lines():
        click.echo(line)
    sys.exit(1 if dry_run and report.errors else 0)
