"""The command line: one command per task of the monthly routine (`ROUTINE`) and the archive.

Every error reaches the user as one or two lines and an exit code (§8):
0 success, 1 findings (exceptions in the data, an error in the rules or an
input file, replay differences), 2 bad usage, 3 fundcalc itself failed.
Never a traceback, unless `fundcalc --debug …` asks for one. Heavy modules
(polars, openpyxl, rich) are imported inside the commands, so `fundcalc
--help` stays fast.
"""

from __future__ import annotations

import atexit
import errno
import gc
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from fundcalc import __version__
from fundcalc.app.terminal import euro, progress, tolerate_any_text
from fundcalc.base.background import Background
from fundcalc.base.period import Period
from fundcalc.base.plural import counted
from fundcalc.base.readahead import ReadAhead
from fundcalc.errors import FundcalcError
from fundcalc.inputs.logfiles import log_bytes, log_files
from fundcalc.inputs.logindex import first_to_parse

if TYPE_CHECKING:
    from fundcalc.app.run import RunResult
    from fundcalc.archive.store import ClosedPeriod, Withdrawal
    from fundcalc.archive.year_record import SettledYear

P = ParamSpec("P")
R = TypeVar("R")

#: Exit code when fundcalc itself fails (a bug), not the data or the command.
INTERNAL_ERROR = 3
#: The errors of a disk rather than of fundcalc: one line and exit 1, never exit 3.
_DISK_ERRORS = (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT)
#: Exit code after Ctrl-C (the shell's convention).
INTERRUPTED = 130
#: The environment variable polars' allocator (jemalloc) reads its settings from.
ALLOCATOR = "_RJEM_MALLOC_CONF"
#: A log this large (bytes, about six million rows) is read with memory in huge pages.
HUGE_PAGES_FROM = 1024**3
#: A log this large (bytes, about 300,000 rows) is read beside the import of
#: the calculation (`read_beside_imports`); a smaller one is read before it.
READ_BESIDE_FROM = 32 * 1024**2

#: The monthly routine, in order: (command, what it is for). Commands that do
#: not exist (yet) are left out of the help.
ROUTINE = (
    ("import", "add a provider's export to the log, stamped with the day it came in"),
    ("validate", "list what is wrong in the rules and the log"),
    ("run", "calculate the month: statement, ledger, workbook, manifest"),
    ("explain", "show how one placement's cost came about (provider disputes)"),
    ("close", "freeze the month once the committee has seen it"),
    ("replay", "rebuild a closed month from its archive and prove it identical"),
    ("history", "list the closed months"),
    ("show", "put a closed month's outputs back from the archive"),
    ("reopen", "withdraw the last close (kept in the archive), to close the month again"),
    ("settle", "once a year, after December is closed: the year-end settlement"),
    ("sample", "draw the eligibility check's sample for the reviewing body (toetsing)"),
)


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


class SealType(click.ParamType[str, str]):
    """A seal: the SHA-256 of a close record, 64 hexadecimal digits."""

    name = "SHA-256"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        text = str(value).strip().lower()
        if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
            self.fail(f"{value!r} is not a seal: 64 hexadecimal digits", param, ctx)
        return text


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


class FundcalcGroup(click.Group):
    """The `fundcalc` command: errors in a line or two, the commands in routine order."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        order = [name for name, _ in ROUTINE]
        return sorted(self.commands, key=lambda n: (order.index(n) if n in order else 99, n))

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The monthly routine (with the commands that exist) and the exit codes."""
        steps = [(f"fundcalc {name}", text) for name, text in ROUTINE if name in self.commands]
        with formatter.section("The monthly routine"):
            formatter.write_dl(steps)
        with formatter.section("Exit codes"):
            formatter.write_dl(
                [
                    ("0", "done"),
                    (
                        "1",
                        "findings: exceptions in the data, errors in the rules, replay differences",
                    ),
                    ("2", "bad usage: an option or a value on the command line"),
                    ("3", "fundcalc itself failed: run again with --debug and report it"),
                ]
            )
        super().format_epilog(ctx, formatter)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run a command; every way it can fail ends in one or two lines and an exit code."""
        extra["windows_expand_args"] = windows_expand_args
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv[: _first_command(argv, self.commands)]
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as error:
            # `fundcalc` alone asks what it can do: the help, on stdout, and no error.
            click.echo(error.format_message())
            sys.exit(0)
        except click.UsageError as error:
            where = error.ctx.command_path if error.ctx else "fundcalc"
            click.echo(f"fundcalc: {error.format_message()}", err=True)
            click.echo(f"Try '{where} --help' for the options and examples.", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"fundcalc: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo(
                "fundcalc: interrupted. Outputs are replaced whole or not at all:"
                " nothing was half-written.",
                err=True,
            )
            sys.exit(INTERRUPTED)
        except OSError as error:
            if error.errno in _DISK_ERRORS and not debug:
                # A disk that is full, read-only or not ours, met where no command
                # expected it: every write is whole or not at all, so say it in a line.
                from fundcalc.base.disk import cannot_write  # noqa: PLC0415

                where = f"{error.filename}: " if error.filename else ""
                click.echo(f"fundcalc: {where}{cannot_write(error)}", err=True)
                sys.exit(1)
            if error.errno != errno.EPIPE:
                if debug:
                    raise
                _internal(error)
            # The reader of a pipe went away (`fundcalc validate | head`): stop quietly.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the interpreter's last flush
            sys.exit(1)
        except Exception as error:
            if debug:
                raise
            _internal(error)
        sys.exit(code if isinstance(code, int) else 0)


def entry() -> None:
    """The `fundcalc` command (and `python -m fundcalc`): `main`, collecting garbage seldom.

    A command is one short process that makes few reference cycles, so it
    collects as mypy does: after 200,000 new objects instead of 700. Python's
    default would collect over and over while polars, pydantic and openpyxl are
    imported and the workbook's cells made, finding next to nothing. What is
    left at the end is frozen, so that the interpreter does not sweep all of it
    once more on its way out.

    polars' allocator (jemalloc) is set up for a short process over large
    frames (`allocator_settings`; a command given a large log adds huge pages,
    `huge_pages_for`). It is set before polars loads; a setting of the user's
    own is kept.
    """
    os.environ.setdefault(ALLOCATOR, allocator_settings(_cores()))
    gc.set_threshold(200_000, 30, 30)
    atexit.register(gc.freeze)
    main()


def allocator_settings(cores: int, *, huge_pages: bool = False) -> str:
    """fundcalc's settings of polars' allocator (jemalloc) on a machine with `cores` cores.

    - Freed memory is kept for reuse for 2 s, then given back, not kept for
      jemalloc's 10 s: within a month's run what one step frees is taken by the
      next instead of fresh pages, each of which the kernel must fault in (on a
      month with many findings that was a fifth of its kernel time).
    - One arena a core (`narenas`), not four: memory one thread frees is
      reused by the next instead of new pages being taken.
    - With `huge_pages` (a very large log: `huge_pages_for`), memory comes in
      huge pages (`thp:always`, where the system allows them): a month of a log
      of millions of placements touches its columns' memory in 4 KiB pages
      millions of times, and fewer, larger faults save more kernel time than
      the kernel spends finding huge pages. Below that size it is the other way
      round: where the kernel makes huge pages only when asked (THP `madvise`),
      it compacts memory on the faults to find them, and a month of a million
      placements spent more time in the kernel with them than without. Such a
      log's freed memory is given back after 200 ms: its peak would otherwise
      hold frames it had long finished with.
    """
    arenas = f"narenas:{max(cores, 1)}"
    if huge_pages:
        return f"dirty_decay_ms:200,muzzy_decay_ms:0,{arenas},thp:always"
    return f"dirty_decay_ms:2000,muzzy_decay_ms:0,{arenas}"


def huge_pages_for(log: Sequence[Path]) -> None:
    """Have polars' allocator take huge pages when the `log` files are large together
    (`HUGE_PAGES_FROM`): decided by a command before it loads polars, and only over
    fundcalc's own settings (`entry`), never over a user's."""
    if os.environ.get(ALLOCATOR) != allocator_settings(_cores()):
        return
    if log_bytes(log) >= HUGE_PAGES_FROM:
        os.environ[ALLOCATOR] = allocator_settings(_cores(), huge_pages=True)


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _first_command(argv: Sequence[str], commands: Any) -> int:
    """Where the subcommand is in `argv` (the group's own options come before it)."""
    for i, arg in enumerate(argv):
        if arg in commands:
            return i
    return len(argv)


def _internal(error: BaseException) -> None:
    click.echo(f"fundcalc: stopped unexpectedly: {type(error).__name__}: {error}", err=True)
    click.echo(
        "Outputs are replaced whole or not at all, so nothing was half-written. Run the same"
        " command as 'fundcalc --debug …' to see where, and report it.",
        err=True,
    )
    sys.exit(INTERNAL_ERROR)


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
                callback=_sized_for_log,
            ),
        ]
    ):
        command = option(command)
    return command


def _sized_for_log(ctx: click.Context, param: click.Parameter, inputs: Path) -> Path:
    """`--inputs`, once known: polars' memory set for the size of its log (`huge_pages_for`),
    before a command loads polars."""
    huge_pages_for(log_files(inputs))
    return inputs


def _out(command: Callable[P, R]) -> Callable[P, R]:
    return click.option(
        "--out",
        "out_dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=Path("outputs"),
        show_default=True,
        help="Folder the period's outputs are written under (OUT/YYYY-MM/).",
    )(command)


def _as_of(command: Callable[P, R]) -> Callable[P, R]:
    return click.option(
        "--as-of",
        "as_of",
        type=DateType(),
        default=None,
        help="Use the log as it was known on this day.  [default: today]",
    )(command)


def _no_cache(command: Callable[P, R]) -> Callable[P, R]:
    return click.option(
        "--no-cache",
        "no_cache",
        is_flag=True,
        help="Validate the rules and parse every log file, also those read unchanged before"
        " (OUT/.cache/).",
    )(command)


def _summary_options(command: Callable[P, R]) -> Callable[P, R]:
    """`--quiet` and `--json`: what a run shows when it is done (also for `close`).

    They exclude each other: --quiet prints nothing, --json prints the summary,
    and a script given both would not know which it asked for.
    """

    @wraps(command)
    def exclusive(*args: P.args, **kwargs: P.kwargs) -> R:
        if kwargs.get("quiet") and kwargs.get("as_json"):
            raise click.UsageError(
                "--quiet and --json exclude each other: --quiet prints nothing, --json the"
                " summary; give one of them"
            )
        return command(*args, **kwargs)

    decorated = click.option(
        "--json",
        "as_json",
        is_flag=True,
        help="Print a summary for scripts as JSON (amounts in cents and as euros), no table.",
    )(exclusive)
    return click.option(
        "--quiet", "-q", is_flag=True, help="Print nothing when all goes well (for scripts)."
    )(decorated)


def show_membership(notices: Sequence[str]) -> None:
    """Who joined and who left the fund by the key (`Rules.membership_changes`), on stderr."""
    for text in notices:
        click.echo(f"notice: {text}", err=True)


def show_notices(result: RunResult, *, quiet: bool) -> None:
    """The run's notices and warnings, on stderr (warnings also with --quiet)."""
    if not quiet:
        for text in result.notices.notices:
            click.echo(f"notice: {text}", err=True)
    for text in result.notices.warnings:
        click.echo(f"WARNING: {text}", err=True)


def show_run(result: RunResult, *, quiet: bool, as_json: bool) -> None:
    """After a run (or a close): the notices, then the table, the JSON summary, or nothing."""
    show_notices(result, quiet=quiet)
    if quiet and not as_json:
        return  # nothing to show: no summary to compute
    from fundcalc.app.summary import print_summary, run_summary, summary_json  # noqa: PLC0415

    summary = run_summary(result)
    if as_json:
        click.echo(json.dumps(summary_json(summary), indent=2, sort_keys=True))
    else:
        print_summary(summary)


@click.group(
    cls=FundcalcGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="fundcalc")
@click.option("--debug", is_flag=True, help="Show a traceback on errors (for reporting a bug).")
def main(debug: bool) -> None:
    """fundcalc: who pays what, to the cent, in the joint fund for specialist shelter.

    It applies the arrangement's rules (rules/) to the placement log
    (inputs/placements/) and writes, per month, a statement, a ledger, a
    workbook for the committee and a manifest (outputs/YYYY-MM/).
    Every command has --help with its options and examples.

    \b
    Examples:
      fundcalc run
      fundcalc run --period 2026-10 --as-of 2026-11-23
      fundcalc explain --period 2026-10 --placement PL-2026-004320
    """
    del debug
    tolerate_any_text()


def read_beside_imports(log: Sequence[Path]) -> bool:
    """Whether `run` and `close` read the `log` files on a thread while they import the
    calculation (`READ_BESIDE_FROM`).

    Decoding a large log, from the cache or parsed, is work without Python's lock
    that goes on beside the import. Reading a small one is mostly Python (a query's
    plan, the rules, the municipalities), which would hold the lock the import
    needs: read first and then import, a month of the fund's own size ends sooner.
    """
    return log_bytes(log) >= READ_BESIDE_FROM


def _read_ahead(log: Sequence[Path], out_dir: Path) -> ReadAhead:
    """The `log` files' checksums computed ahead, and the first the cache keeps no entry
    of read whole ahead (`logindex.first_to_parse`): while fundcalc imports."""
    return ReadAhead(log, whole=first_to_parse(out_dir, log))


@main.command(short_help="Calculate a month: statement, ledger, workbook, manifest.")
@_paths
@_out
@click.option(
    "--period",
    type=PeriodType(),
    default=None,
    help="The month to calculate.  [default: the last month the log covers]",
)
@_as_of
@_no_cache
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when a provider's invoice is not accepted (differs, missing, unknown lot,"
    " rejected); the outputs are written all the same.",
)
@_summary_options
@reports_errors
def run(
    *,
    rules_dir: Path,
    inputs_dir: Path,
    out_dir: Path,
    period: Period | None,
    as_of: date | None,
    no_cache: bool,
    strict: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Calculate one month and write its outputs to OUT/YYYY-MM/.

    Writes statement.csv (who pays what), ledger.parquet (every placement's
    days), exceptions.csv, report.xlsx (the committee's workbook) and
    manifest.json, all or nothing, then shows per centrumgemeente the
    contribution, what the fund charged and the balance. With an
    inputs/invoices/ folder it also checks the providers' invoices against
    contract and log (invoices.csv, sheet Facturen); --strict then exits 1
    when any invoice is not accepted. Log files read
    unchanged by an earlier run are taken from OUT/.cache/ instead of being
    parsed again, and unchanged rules as they were validated (the same rows
    and rules; `replay` always parses and validates).

    \b
    Examples:
      fundcalc run
      fundcalc run --period 2026-10 --as-of 2026-11-23
      fundcalc run --period 2026-10 --json
      fundcalc run --period 2026-10 --strict --quiet
      fundcalc run --rules rules --inputs inputs --out outputs --period 2025-01 --quiet
    """
    log = log_files(inputs_dir)
    ahead = None if no_cache else _read_ahead(log, out_dir)
    from fundcalc.app.load import (  # noqa: PLC0415 - fast --help
        load_inputs,
        log_cache,
        rules_cache,
    )

    with progress(enabled=not quiet) as step:
        step("Reading the rules and the log")
        cache = None if no_cache else log_cache(out_dir, ahead)
        kept = None if no_cache else rules_cache(out_dir)
        loading = Background(
            partial(load_inputs, rules_dir, inputs_dir, cache, kept_rules=kept),
            beside=read_beside_imports(log),
        )
        from fundcalc.app.run import run_period  # noqa: PLC0415 - imported while a large log is read

        inputs = loading.result()
        step(f"Calculating {period or 'the month'} and writing the outputs")
        result = run_period(inputs, out_dir, period, as_of or date.today())
        if cache is not None:
            cache.save()
        if kept is not None:
            kept.save()
    show_run(result, quiet=quiet, as_json=as_json)
    if strict and result.invoices is not None:
        from fundcalc.base.findings import printable  # noqa: PLC0415 - fast --help
        from fundcalc.core.invoices import needs_attention  # noqa: PLC0415

        unsettled = needs_attention(result.invoices)
        if unsettled:
            listed = ", ".join(f"{c.lot_id} {c.status}" for c in unsettled)
            click.echo(
                printable(f"fundcalc: --strict: {len(unsettled)} not accepted: {listed}"),
                err=True,
            )
            sys.exit(1)


@main.command(short_help="List what is wrong in the rules and the log; exit 1 on exceptions.")
@_paths
@click.option(
    "--period",
    type=PeriodType(),
    default=None,
    help="Also check the day ranges of this month (lots, terms, municipalities, capacity)."
    "  [default: none: only what the log tells without a month]",
)
@_as_of
@reports_errors
def validate(rules_dir: Path, inputs_dir: Path, period: Period | None, as_of: date | None) -> None:
    """Check the rules and the log without writing anything.

    An error in the rules stops at once (one line: file, key, problem). Rows
    of the log that cannot be used are listed by kind, with file and line:
    exceptions cost nothing until the provider sends a corrected version
    (import it); warnings change no money but ask for a look. Exit 1 when
    there are exceptions.

    \b
    Examples:
      fundcalc validate
      fundcalc validate --period 2026-10
      fundcalc validate --rules rules --inputs inputs --as-of 2026-11-23
    """
    from fundcalc.app.validate import validate_inputs  # noqa: PLC0415 - fast --help

    with progress() as step:
        step("Reading and checking the rules and the log")
        report = validate_inputs(rules_dir, inputs_dir, period, as_of or date.today())
    for line in report.lines():
        click.echo(line)
    sys.exit(1 if report.exceptions else 0)


@main.command("import", short_help="Check a provider's export and add it to the log, stamped.")
@click.argument(
    "file", type=click.Path(path_type=Path, dir_okay=False, exists=True, readable=False)
)
@click.option(
    "--recorded-on",
    "recorded_on",
    type=DateType(),
    required=True,
    help="The day the file was received: every row gets it as recorded_on (placements)"
    " or received_on (invoices).",
)
@click.option(
    "--kind",
    type=click.Choice(["placements", "invoices"]),
    default="placements",
    show_default=True,
    help="What the file holds: placements for the log, or a provider's invoices.",
)
@_paths
@click.option("--dry-run", is_flag=True, help="Check and show, but do not add it.")
@click.option(
    "--force",
    is_flag=True,
    help="Add the file even when every row of it is an exception (none of it would count).",
)
@reports_errors
def import_(
    *,
    file: Path,
    recorded_on: date,
    kind: str,
    rules_dir: Path,
    inputs_dir: Path,
    dry_run: bool,
    force: bool,
) -> None:
    """Check a provider's export (CSV or XLSX) and add it to the log, stamped.

    Shows the new and changed placements and every exception, then writes the
    file to inputs/placements/ as <recorded-on>_<name>.csv. Headers may be the
    log's own or Dutch (Plaatsingsnummer, Cliëntnummer, Perceel, Startdatum,
    Einddatum, Gemeente BRP, Gemeente aangetroffen, Start bedenktijd, Einde
    bedenktijd, Vervallen). A file imported before is refused; one with the
    same rows in other bytes (saved again) is imported with a warning. A file
    of which every row is an exception is not imported unless --force. Exit 1
    when --dry-run finds exceptions, or when the file was not imported.

    With --kind invoices the file is a provider's invoices (declaraties):
    invoice_id, lot_id, period, days, day_amount, availability_amount, or
    Dutch (Factuurnummer, Perceel, Periode, Dagen, Bedrag dagen, Bedrag
    beschikbaarheid). Each invoice is shown with what it does (new, replaces
    an earlier one, conflicts), and the file is written to inputs/invoices/
    with --recorded-on as every row's received_on.

    \b
    Examples:
      fundcalc import examples/aanlevering-brugwachter.csv --recorded-on 2026-11-23 --dry-run
      fundcalc import examples/aanlevering-brugwachter.csv --recorded-on 2026-11-23
      fundcalc import examples/aanlevering-brugwachter.csv --recorded-on 2026-11-23 --inputs inputs
      fundcalc import examples/declaratie-stille-kade.csv --kind invoices --recorded-on 2026-11-20
    """
    from fundcalc.app.importer import import_file  # noqa: PLC0415 - fast --help
    from fundcalc.inputs.rulescache import load_rules  # noqa: PLC0415

    if kind == "invoices":
        from fundcalc.app.invoice_import import import_invoices  # noqa: PLC0415

        with progress() as step:
            step(f"Checking {file.name} against the invoices")
            invoices = import_invoices(
                file,
                recorded_on,
                load_rules(rules_dir),
                inputs_dir,
                today=date.today(),
                dry_run=dry_run,
                force=force,
            )
        for line in invoices.lines():
            click.echo(line)
        sys.exit(1 if (dry_run and invoices.exceptions) or invoices.refused else 0)

    with progress() as step:
        step(f"Checking {file.name} against the log")
        rules = load_rules(rules_dir)
        show_membership(rules.membership_changes())
        report = import_file(
            file,
            recorded_on,
            rules,
            inputs_dir,
            today=date.today(),
            dry_run=dry_run,
            force=force,
        )
    for line in report.lines():
        click.echo(line)
    sys.exit(1 if (dry_run and report.exceptions) or report.refused else 0)


@main.command(short_help="Show how a placement's cost, or a lot's expected days, came about.")
@click.option("--period", type=PeriodType(), required=True, help="The month to explain.")
@click.option(
    "--placement",
    "placement_id",
    default=None,
    help="The placement_id, exactly as in the log.",
)
@click.option(
    "--lot",
    "lot_id",
    default=None,
    help="A lot of the rules: which placements make up its expected days (invoice disputes).",
)
@_paths
@_as_of
@reports_errors
def explain(
    *,
    period: Period,
    placement_id: str | None,
    lot_id: str | None,
    rules_dir: Path,
    inputs_dir: Path,
    as_of: date | None,
) -> None:
    """Show, day range by day range, how one placement's cost came about; or, with
    --lot, which placements make up a lot's expected days and how its invoice fares.

    With --placement: every version of the placement in the log (file, line,
    recorded_on) and the one in force; its lot, stay, municipality and
    reflection window; then per range of days in the month: the stream (FUND,
    JUSTICE, MUNICIPAL or REJECTED), the lot's terms and tariff, the
    centrumgemeente (with the mergers followed to it), the days, the amount,
    and why a range was rejected.

    With --lot: per placement (by id only) the days of the month on the lot
    that are expected (FUND, JUSTICE, MUNICIPAL) or rejected, their cost, the
    lot's availability, and the provider's invoice in force beside it, so a
    finance officer can answer a provider who disputes a difference. The same
    calculation as `fundcalc run`.

    \b
    Examples:
      fundcalc explain --period 2026-10 --placement PL-2026-004320
      fundcalc explain --period 2026-10 --placement PL-2026-004609 --as-of 2026-11-23
      fundcalc explain --period 2026-09 --placement PL-X-000004 --rules rules --inputs inputs
      fundcalc explain --period 2026-10 --lot LOV-NOORD --as-of 2026-11-23
    """
    from fundcalc.app.explain import explain_placement, explanation_lines  # noqa: PLC0415
    from fundcalc.app.load import load_inputs  # noqa: PLC0415 - fast --help

    if placement_id is None and lot_id is None:
        raise click.UsageError("Missing option '--placement' or '--lot'.")
    if placement_id is not None and lot_id is not None:
        raise click.UsageError("Give '--placement' or '--lot', not both.")
    with progress() as step:
        step("Reading the rules and the log")
        inputs = load_inputs(rules_dir, inputs_dir)
        if lot_id is not None:
            from fundcalc.app.lot_explain import explain_lot, lot_explanation_lines  # noqa: PLC0415

            step(f"Calculating lot {lot_id} in {period}")
            lot = explain_lot(
                inputs.rules,
                inputs.log.rows,
                lot_id,
                period,
                as_of or date.today(),
                invoices=inputs.invoices,
                verdict_rows=inputs.verdicts.rows,
            )
    if lot_id is not None:
        for line in lot_explanation_lines(lot):
            click.echo(line)
        return
    assert placement_id is not None
    with progress() as step:
        step(f"Calculating {placement_id} in {period}")
        explanation = explain_placement(
            inputs.rules,
            inputs.log.rows,
            placement_id,
            period,
            as_of or date.today(),
            verdict_rows=inputs.verdicts.rows if inputs.verdicts.present else None,
        )
    show_membership(inputs.rules.membership_changes())
    for line in explanation_lines(explanation):
        click.echo(line)


@main.command(short_help="Freeze a month: run it and archive what it used and produced.")
@_paths
@_out
@click.option("--period", type=PeriodType(), required=True, help="The month to close.")
@_as_of
@_no_cache
@_summary_options
@reports_errors
def close(
    *,
    rules_dir: Path,
    inputs_dir: Path,
    out_dir: Path,
    period: Period,
    as_of: date | None,
    no_cache: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Run a month once more and freeze it in OUT/archive/.

    The archive keeps the rules and log files the run read, its outputs and
    their SHA-256, the as-of date and the fundcalc version, so that the month
    survives later edits and can be replayed. Months close in order, each
    once, one close at a time. Closed months within correction_lookback_months
    are recalculated and their differences booked as correction rows. Log
    and rules files the month's run read are taken from OUT/.cache/ as `run`
    takes them; `replay` parses and validates the archived files themselves.

    \b
    Examples:
      fundcalc close --period 2026-10 --as-of 2026-11-23
      fundcalc close --period 2026-11 --out outputs --quiet
    """
    log = log_files(inputs_dir)
    ahead = None if no_cache else _read_ahead(log, out_dir)
    from fundcalc.app.load import (  # noqa: PLC0415 - fast --help
        load_inputs,
        log_cache,
        rules_cache,
    )

    with progress(enabled=not quiet) as step:
        step("Reading the rules and the log")
        cache = None if no_cache else log_cache(out_dir, ahead)
        kept = None if no_cache else rules_cache(out_dir)
        loading = Background(
            partial(load_inputs, rules_dir, inputs_dir, cache, kept_rules=kept, keep_bytes=True),
            beside=read_beside_imports(log),
        )
        from fundcalc.app.run import close_period  # noqa: PLC0415 - imported while a large log is read

        inputs = loading.result()
        step(f"Closing {period}")
        result = close_period(
            inputs,
            rules_dir=rules_dir,
            inputs_dir=inputs_dir,
            out_dir=out_dir,
            period=period,
            as_of=as_of or date.today(),
            today=date.today(),
        )
        if cache is not None:
            cache.save()
        if kept is not None:
            kept.save()
    show_run(result, quiet=quiet, as_json=as_json)
    if not quiet and not as_json:
        click.echo(f"Closed    {period}: archived in {out_dir / 'archive'}")
        click.echo(
            f"Seal      {result.seal} (note it in the committee's papers; an auditor checks"
            f" the archive with: fundcalc replay --period {period} --seal {result.seal})"
        )


@main.command(short_help="Prove a closed month or year from its archive; exit 1 if it differs.")
@_out
@click.option("--period", type=PeriodType(), default=None, help="The closed month to replay.")
@click.option(
    "--year", type=click.IntRange(1000, 9999), default=None, help="The settled year to replay."
)
@click.option(
    "--seal",
    type=SealType(),
    default=None,
    help="The seal you were given (of the close of --period, or of the settlement of --year):"
    " the archive must hold that very record.",
)
@reports_errors
def replay(*, out_dir: Path, period: Period | None, year: int | None, seal: str | None) -> None:
    """Rebuild a closed month, or a settled year, from its archive alone and compare every output.

    Uses only the archive (the rules and log files as they were, the as-of
    date, the statements of earlier closed months), so it works after rules/
    and inputs/ have changed. Every archived file is checked against its
    SHA-256 first, and the records against each other. A close withdrawn by
    `reopen` is replayed as well, before the close in force. With --seal (the
    seal `close` printed, on the workbooks of later months), the record must
    be the one sealed: its seals of the months before prove those too. The
    first lines say which software closed the month and which replays it. A
    settled year is rebuilt from its archived rules, the archived statements
    of its twelve months and the archived settlement of the year before; with
    --seal (the seal `settle` printed, on its settlement.xlsx) its record must
    be the one sealed, and a month it rests on that was reopened or changed
    since is said. Exit 0 when every output is identical, 1 when not.

    \b
    Examples:
      fundcalc replay --period 2026-10
      fundcalc replay --period 2026-10 --out outputs
      fundcalc replay --year 2025
      fundcalc replay --period 2026-10 --seal 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
      fundcalc replay --year 2025 --seal 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    """  # noqa: E501 - a seal is 64 digits
    if (period is None) == (year is None):
        raise click.UsageError("give either --period YYYY-MM or --year YYYY")
    if year is not None:
        from fundcalc.app.settle import replay_year  # noqa: PLC0415 - fast --help

        settled = replay_year(out_dir, year, seal)
        for line in settled.lines():
            click.echo(line)
        sys.exit(0 if settled.identical else 1)
    from fundcalc.app.replay import replay_all  # noqa: PLC0415 - fast --help

    assert period is not None
    reports = replay_all(out_dir, period, seal)
    for report in reports:
        for line in report.lines():
            click.echo(line)
    sys.exit(0 if all(report.identical for report in reports) else 1)


@main.command(short_help="List the closed months with their as-of dates, hashes and totals.")
@_out
@reports_errors
def history(*, out_dir: Path) -> None:
    """List the closed months: as-of date, day of closing, totals and the seal.

    The seal is the SHA-256 of the month's close record (`replay --seal`
    checks an archive against it). Records changed, deleted or added after a
    later close are said after the list (exit 1).

    \b
    Examples:
      fundcalc history
      fundcalc history --out outputs
    """
    from fundcalc.app.closes import outputs_disagree  # noqa: PLC0415 - fast --help
    from fundcalc.archive.record import chain_breaks  # noqa: PLC0415
    from fundcalc.archive.store import ARCHIVE, Archive, broken  # noqa: PLC0415

    archive = Archive(out_dir / ARCHIVE)
    closed = archive.closed(verify=False)
    withdrawals = archive.withdrawals()
    years = archive.settled_years(verify=False)
    if not closed and not withdrawals and not years:
        click.echo(f"No month is closed yet in {out_dir / ARCHIVE}.")
        return
    click.echo(
        f"{'month':<8} {'as of':<10} {'closed on':<10}"
        f" {'contributions':>15} {'fund costs':>15} {'justice':>13} {'corrections':>12}  seal"
    )
    rows: list[tuple[ClosedPeriod, Withdrawal | None]] = [(record, None) for record in closed]
    rows += [(archive.withdrawn_record(w), w) for w in withdrawals]
    for record, withdrawal in sorted(rows, key=lambda r: (r[0].period, r[1] is None)):
        totals = record.totals
        fund_costs = totals.get("fund_day_costs", 0) + totals.get("fund_availability", 0)
        click.echo(
            f"{record.period!s:<8} {record.as_of!s:<10} {record.closed_on!s:<10}"
            f" {euro(totals.get('contribution', 0)):>15}"
            f" {euro(fund_costs):>15}"
            f" {euro(totals.get('justice', 0)):>13}"
            f" {euro(totals.get('corrections', 0)):>12}  {record.seal}"
        )
        if withdrawal is not None:
            click.echo(
                f"{'':<8} WITHDRAWN on {withdrawal.at} by {withdrawal.by}: {withdrawal.reason}"
            )
    _settled_years(years)
    if closed and (disagree := outputs_disagree(out_dir, closed[-1])):
        click.echo(f"WARNING: {disagree}", err=True)
    breaks = chain_breaks(closed) + archive.year_breaks(years)
    if breaks:
        click.echo(f"fundcalc: {broken(archive.root, breaks)}", err=True)
        sys.exit(1)


def _settled_years(years: Sequence[SettledYear]) -> None:
    """The settled years after the months: result, reserve, amount settled and the seal;
    a record of format 1 (made before seals) said once."""
    if not years:
        return
    click.echo(
        f"{'year':<8} {'settled on':<10} {'result':>15} {'to reserve':>15}"
        f" {'closing reserve':>15} {'settled':>15}  seal"
    )
    for settled in years:
        totals = settled.totals
        click.echo(
            f"{settled.year!s:<8} {settled.settled_on!s:<10} {euro(totals.get('result', 0)):>15}"
            f" {euro(totals.get('to_reserve', 0)):>15}"
            f" {euro(totals.get('closing_reserve', 0)):>15} {euro(totals.get('settled', 0)):>15}"
            f"  {settled.seal or 'none (format 1)'}"
        )
    for settled in years:
        if unsealed := settled.unsealed():
            click.echo(f"note: {unsealed}")


@main.command(short_help="Put a closed month's outputs back from the archive.")
@_out
@click.option("--period", type=PeriodType(), required=True, help="The closed month.")
@reports_errors
def show(*, out_dir: Path, period: Period) -> None:
    """Write a closed month's outputs, as closed, from the archive back into OUT/YYYY-MM/.

    OUT/YYYY-MM/ of a closed month is its closed record. When it was changed
    or deleted, `show` puts the archived files back, each checked against its
    SHA-256 first, whole or not at all. The archive itself is only read.

    \b
    Examples:
      fundcalc show --period 2026-10
      fundcalc show --period 2026-10 --out outputs
    """
    from fundcalc.app.closes import show as show_period  # noqa: PLC0415 - fast --help

    shown = show_period(out_dir, period)
    record = shown.record
    click.echo(
        f"{period} (as of {record.as_of}, closed on {record.closed_on}):"
        f" {counted(len(shown.files), 'file')} put back in {shown.folder} from the archive"
    )
    for name in shown.files:
        click.echo(f"  {name}")


@main.command(short_help="Withdraw the last close (kept in the archive) to close it again.")
@_out
@click.option("--period", type=PeriodType(), required=True, help="The last closed month.")
@click.option("--reason", required=True, help="Why the close is withdrawn (kept in the archive).")
@reports_errors
def reopen(*, out_dir: Path, period: Period, reason: str) -> None:
    """Withdraw the close of the last closed month, so that it can be closed again.

    Only the last closed month can be reopened (earlier closes fed the
    corrections of later ones). Nothing is deleted: the close's record stays
    in the archive, marked withdrawn with the reason, your user name and the
    time; `history` lists it and `replay` still rebuilds it. OUT/YYYY-MM/ is
    left as it is until the month is run or closed again.

    \b
    Examples:
      fundcalc reopen --period 2026-11 --reason "closed before the last delivery came in"
      fundcalc reopen --period 2026-11 --reason "wrong as-of date" --out outputs
    """
    from fundcalc.app.closes import reopen as reopen_period  # noqa: PLC0415 - fast --help

    withdrawal = reopen_period(out_dir, period, reason)
    click.echo(
        f"Reopened  {period}: its close is kept in {out_dir / 'archive'} as withdrawn"
        f" ({withdrawal.at}, {withdrawal.by}: {withdrawal.reason})"
    )


@main.command(short_help="Settle a year (jaarafrekening) from its twelve closed months.")
@click.option(
    "--rules",
    "rules_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("rules"),
    show_default=True,
    help="Folder with arrangement.toml ([[settlement]]: method and reserve cap).",
)
@click.option(
    "--inputs",
    "inputs_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("inputs"),
    show_default=True,
    help="Taken as every command takes it; a settlement never reads the log (only the archive).",
)
@_out
@click.option("--year", type=click.IntRange(1000, 9999), required=True, help="The year to settle.")
@reports_errors
def settle(*, rules_dir: Path, inputs_dir: Path, out_dir: Path, year: int) -> None:
    """Settle a year (jaarafrekening): who gets money back, who pays in, what the reserve keeps.

    Reads only the archived statements of the twelve closed months of the
    year (every row, corrections booked in the year included), never the
    log; the rules give the method and the reserve cap ([[settlement]] in
    force on 1 January) and the key (in force on 1 December). The opening
    reserve is the closing reserve of the year settled before, or [fund]
    opening_reserve. Writes OUT/YYYY/settlement.csv, settlement.xlsx and
    manifest.json and archives the settlement like a close. Refused while
    a month of the year is not closed, for a year settled before, and while
    an earlier year with closed months is not settled.

    \b
    Examples:
      fundcalc settle --year 2025
      fundcalc settle --year 2025 --rules rules --out outputs
    """
    from fundcalc.app.settle import settle as settle_year  # noqa: PLC0415 - fast --help

    result = settle_year(rules_dir, out_dir, year, today=date.today())
    show_membership(result.notices)
    s = result.settlement
    click.echo(
        f"{'code':<7} {'centrumgemeente':<22} {'contributions':>15} {'charged':>15}"
        f" {'net':>15} {'reserve':>13} {'settlement':>15}"
    )
    names = result.names
    for m in s.members:
        click.echo(
            f"{m.code:<7} {names.get(m.code, '')[:22]:<22} {euro(m.contributions):>15}"
            f" {euro(m.charged):>15} {euro(m.net):>15} {euro(m.reserve):>13}"
            f" {euro(m.settlement):>15}"
        )
    click.echo(
        f"Reserve   {euro(s.opening_reserve)} + {euro(s.to_reserve)} = {euro(s.closing_reserve)}"
        f" (cap {euro(s.reserve_cap)}); result {euro(s.result)}, settled {euro(s.settled)}"
        f" by {s.method}"
    )
    click.echo(f"Settled   {year}: {result.folder}, archived in {out_dir / 'archive'}")
    assert result.record is not None
    seal = result.record.seal
    click.echo(
        f"Seal      {seal} (note it in the committee's papers; settlement.xlsx shows it, and an"
        f" auditor checks the archive with: fundcalc replay --year {year} --seal {seal})"
    )
    if result.opened_from is not None and (unsealed := result.opened_from.unsealed()):
        click.echo(f"Note      {unsealed}")


@main.command(short_help="What a change in the rules would do to a year (wat als).")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE...",
)
@click.option("--year", type=click.IntRange(1900, 9999), required=True, help="The year to compare.")
@_paths
@_out
@_as_of
@_no_cache
@reports_errors
def scenario(
    *,
    files: tuple[Path, ...],
    year: int,
    rules_dir: Path,
    inputs_dir: Path,
    out_dir: Path,
    as_of: date | None,
    no_cache: bool,
) -> None:
    """Compare the year under the rules with the year under each scenario FILE.

    A scenario file is TOML with the tables of arrangement.toml and a
    [scenario] table (name, description), laid over the rules: a [[key]],
    [[split]] or [[settlement]] version replaces the one with the same
    valid_from or is added; a [fund] budget year replaces that year; a
    [[lot]] with a new id is added; a known lot gets its [[lot.terms]] by
    valid_from and may get a valid_to. The result must be valid rules, else
    nothing is written. Both compute every month of the year as of the as-of
    date from the log alone (open stays go on, nothing new arrives; no
    archive, no corrections). Writes OUT/scenario-<name>-<YEAR>/comparison.csv
    per scenario and scenario.xlsx for the committee: beside it for one
    scenario, in OUT/scenario-<name1>+<name2>-<YEAR>/ for several, one column
    per scenario.

    \b
    Examples:
      fundcalc scenario examples/scenario-plaatsen-tarief.toml --year 2026
      fundcalc scenario examples/scenario-plaatsen-tarief.toml --year 2026 --as-of 2026-11-23
      fundcalc scenario a.toml b.toml --year 2027 --out outputs
    """
    from fundcalc.app.scenario import run_scenarios  # noqa: PLC0415 - fast --help
    from fundcalc.app.terminal import euro  # noqa: PLC0415

    with progress() as step:
        step(f"Calculating {year} under the rules and {counted(len(files), 'scenario')}")
        cache = None if no_cache else _scenario_cache(out_dir)
        result = run_scenarios(
            files,
            rules_dir=rules_dir,
            inputs_dir=inputs_dir,
            out_dir=out_dir,
            year=year,
            as_of=as_of or date.today(),
            cache=cache,
        )
        if cache is not None:
            cache.save()
    show_membership(result.notices)
    base = result.base
    click.echo(f"{year} as of {result.as_of}, in euros")
    for outcome in result.scenarios:
        other = outcome.outcome
        click.echo(f"Scenario  {outcome.scenario.name}: {outcome.scenario.description}")
        click.echo(f"  {'':<22}{'Current rules':>16}{'Scenario':>16}{'Difference':>16}")
        for label, before, after in (
            ("Contributions", base.contributions, other.contributions),
            ("Fund costs", base.fund_costs, other.fund_costs),
            ("Balance", base.balance, other.balance),
            ("Justice", base.justice, other.justice),
            ("Direct", base.municipal, other.municipal),
        ):
            click.echo(
                f"  {label:<22}{euro(before):>16}{euro(after):>16}{euro(after - before):>16}"
            )
        for label, end_before, end_after in _year_end_lines(base, other):
            difference = None if end_before is None or end_after is None else end_after - end_before
            shown = ["-" if c is None else euro(c) for c in (end_before, end_after, difference)]
            click.echo(f"  {label:<22}{shown[0]:>16}{shown[1]:>16}{shown[2]:>16}")
        more, less = _who_pays(base, other)
        click.echo(f"  Paying more {more}, less {less} (in the end, direct charges included)")
    for folder in result.folders:
        click.echo(f"Written   {folder}/ ({', '.join(sorted(result.folders[folder]))})")


def _scenario_cache(out_dir: Path) -> Any:
    from fundcalc.app.load import log_cache  # noqa: PLC0415 - fast --help

    return log_cache(out_dir)


def _year_end_lines(base: Any, other: Any) -> list[tuple[str, int | None, int | None]]:
    """The year-end settlement's reserve and what is settled, both ways (§9), where the
    rules or the scenario have a `[[settlement]]` for the year; None for a side without."""
    from fundcalc.core.year import year_end  # noqa: PLC0415 - fast --help

    ends = (year_end(base), year_end(other))
    if ends == (None, None):
        return []
    lines: list[tuple[str, int | None, int | None]] = []
    for label, name in (
        ("Year-end to reserve", "to_reserve"),
        ("Closing reserve", "closing_reserve"),
        ("Settled with members", "settled"),
    ):
        before, after = (None if end is None else int(getattr(end, name)) for end in ends)
        lines.append((label, before, after))
    return lines


def _who_pays(base: Any, other: Any) -> tuple[int, int]:
    """How many payers pay more, and how many less, in `other` than in `base`, in the end
    (`year.payments`: after the year-end settlement where the rules have one)."""
    from fundcalc.core.year import payments  # noqa: PLC0415 - fast --help

    before, after = payments(base), payments(other)
    moved = [after.get(c, 0) - before.get(c, 0) for c in set(before) | set(after)]
    return sum(1 for m in moved if m > 0), sum(1 for m in moved if m < 0)


@main.command(short_help="Draw the eligibility check's sample (steekproef) for the reviewers.")
@click.option("--year", type=click.IntRange(1000, 9999), required=True, help="The year sampled.")
@click.option(
    "--size", type=click.IntRange(min=0), required=True, help="How many placements to draw."
)
@click.option(
    "--seed",
    default=None,
    help="The seed text.  [default: the SHA-256 of the archived statement.csv of the last"
    " closed month of the year]",
)
@_paths
@_out
@_as_of
@reports_errors
def sample(
    *,
    year: int,
    size: int,
    seed: str | None,
    rules_dir: Path,
    inputs_dir: Path,
    out_dir: Path,
    as_of: date | None,
) -> None:
    """Draw the sample of the eligibility check (toetsing, SPEC §11) and write it.

    The population: the placements in force as of the as-of date with at
    least one FUND day in the year. A placement's rank is the SHA-256 of
    SEED:placement_id; the sample is the SIZE smallest ranks, so anyone can
    redraw it with sha256sum. Without --seed the seed is the SHA-256 of the
    archived statement of the last closed month of the year (a month must be
    closed). Writes OUT/sample-<year>-<first 8 of seed>/: sample.csv,
    population.csv, steekproef.xlsx (Dutch, VERTROUWELIJK: for the reviewing
    body, with columns for the verdicts; put the filled-in workbook back in
    inputs/eligibility/) and manifest.json.

    \b
    Examples:
      fundcalc sample --year 2026 --size 10
      fundcalc sample --year 2026 --size 25 --seed toetsing-2026 --as-of 2026-11-23
      fundcalc sample --year 2025 --size 10 --out outputs --rules rules --inputs inputs
    """
    from fundcalc.app.load import load_inputs, rules_cache  # noqa: PLC0415 - fast --help
    from fundcalc.app.sample import archived_seed, draw_sample, given_seed  # noqa: PLC0415

    with progress() as step:
        step("Reading the rules and the log")
        kept = rules_cache(out_dir)
        inputs = load_inputs(rules_dir, inputs_dir, kept_rules=kept)
        chosen = given_seed(seed) if seed is not None else archived_seed(out_dir, year)
        step(f"Drawing {counted(size, 'placement')} of {year}")
        result = draw_sample(
            inputs, out_dir, year=year, size=size, seed=chosen, as_of=as_of or date.today()
        )
        kept.save()
    show_membership(inputs.rules.membership_changes())
    for line in result.lines():
        click.echo(line)
