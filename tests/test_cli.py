"""The command line: what each command shows, exit codes, errors in a line or two, help."""

from __future__ import annotations

import errno
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from fundcalc import cli
from fundcalc.cli import (
    ALLOCATOR,
    HUGE_PAGES_FROM,
    INTERNAL_ERROR,
    READ_BESIDE_FROM,
    allocator_settings,
    huge_pages_for,
    main,
)
from fundcalc.errors import InputError
from fundcalc.inputs import rulescache
from fundcalc.inputs.logfiles import log_files
from tests.conftest import EXAMPLE, ROOT


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="fundcalc")


def example_args(example: Path, out: Path) -> list[str]:
    return [
        "--rules",
        str(example / "rules"),
        "--inputs",
        str(example / "inputs"),
        "--out",
        str(out),
    ]


def words(output: str) -> list[str]:
    """The output's lines with runs of spaces as one (the table's padding is the terminal's)."""
    return [" ".join(line.split()) for line in output.splitlines() if line.strip()]


# --- run ---


def test_run_shows_contribution_charged_and_balance_per_centrumgemeente(
    example: Path, tmp_path: Path
) -> None:
    # The latest recorded_on is 2025-02-01: January is the last month it covers.
    result = invoke("run", *example_args(example, tmp_path), "--as-of", "2025-03-01")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "2025-01" / "statement.csv").exists()
    lines = words(result.output)
    assert lines[:2] == [
        "2025-01 as of 2025-03-01, in euros",
        "Centrumgemeente Contribution Charged Balance",
    ]
    # Charged = origin + key of the spec's worked example: 10.00 + 15.33 and 5.00 + 30.67.
    assert lines[3:] == [
        "GM0001 A 33.33 25.33 8.00",
        "GM0002 B 66.67 35.67 31.00",
        "Total (2 members) 100.00 61.00 39.00",
        "Fund costs 61.00 = days 30.00 + availability 31.00",
        "Justice 201.00 = reflection days 170.00 + COSM availability 31.00",
        "Direct 35.00 COSM after the reflection period, paid by the centrumgemeenten",
        "Findings 0 exceptions, 0 warnings (sheet Uitzonderingen, exceptions.csv)",
        f"Workbook {tmp_path / '2025-01' / 'report.xlsx'}",
    ]


def test_run_quiet_prints_nothing_and_writes_the_outputs(example: Path, tmp_path: Path) -> None:
    result = invoke("run", *example_args(example, tmp_path), "--as-of", "2025-03-01", "-q")
    assert (result.exit_code, result.output) == (0, "")
    assert (tmp_path / "2025-01" / "report.xlsx").exists()


def test_run_json_gives_every_amount_in_cents_and_as_euros(example: Path, tmp_path: Path) -> None:
    result = invoke("run", *example_args(example, tmp_path), "--as-of", "2025-03-01", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert sorted(summary) == [
        "as_of",
        "centrumgemeenten",
        "checks",
        "corrections",
        "days",
        "findings",
        "fund",
        "fundcalc",
        "justice",
        "municipal",
        "outputs",
        "period",
        "workbook",
    ]
    assert (summary["period"], summary["as_of"]) == ("2025-01", "2025-03-01")
    assert summary["workbook"] == str(tmp_path / "2025-01" / "report.xlsx")
    assert summary["centrumgemeenten"][1] == {
        "code": "GM0002",
        "name": "B",
        "member": True,
        "contribution": {"cents": 6667, "euro": "66.67"},
        "origin": {"cents": 500, "euro": "5.00"},
        "key": {"cents": 3067, "euro": "30.67"},
        "charged": {"cents": 3567, "euro": "35.67"},
        "balance": {"cents": 3100, "euro": "31.00"},
        "municipal": {"cents": 3500, "euro": "35.00"},
    }
    assert summary["fund"]["balance"] == {"cents": 3900, "euro": "39.00"}
    assert summary["justice"] == {
        "day_costs": {"cents": 17000, "euro": "170.00"},
        "availability": {"cents": 3100, "euro": "31.00"},
        "total": {"cents": 20100, "euro": "201.00"},
    }
    assert summary["days"] == {"FUND": 3, "JUSTICE": 34, "MUNICIPAL": 7, "REJECTED": 0}
    assert summary["findings"] == {"exceptions": 0, "warnings": 0}
    assert summary["corrections"] == {
        "rows": 0,
        "for_periods": [],
        "total": {"cents": 0, "euro": "0.00"},
    }
    assert summary["checks"] == [
        {"check": "origin + key = fund day costs + fund availability", "holds": True},
        {"check": "contributions = the month's budget part", "holds": True},
        {"check": "justice = reflection days + COSM availability", "holds": True},
    ]
    manifest = json.loads((tmp_path / "2025-01" / "manifest.json").read_text())
    assert manifest["checks"] == summary["checks"]  # the Justice check the README promises


# --- errors: one or two lines, an exit code, never a traceback ---


def test_an_error_in_the_rules_is_one_line_exit_1_and_writes_nothing(
    example: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(example / "rules", rules)
    toml = rules / "arrangement.toml"
    toml.write_text(toml.read_text().replace('day_tariff = "10.00"', 'day_tariff = "10.001"'))
    out = tmp_path / "out"
    result = invoke("run", "--rules", str(rules), "--inputs", str(example / "inputs"),
                    "--out", str(out), "--period", "2025-01", "--as-of", "2025-03-01")  # fmt: skip
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: arrangement.toml: lot F.terms[1].day_tariff: '10.001' has more than 2 decimals\n"
    )
    assert not out.exists()


def test_a_period_that_is_not_a_month_is_bad_usage_in_two_lines(
    example: Path, tmp_path: Path
) -> None:
    result = invoke("run", *example_args(example, tmp_path), "--period", "2025-13")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "fundcalc: Invalid value for '--period': 2025-13 is not a month",
        "Try 'fundcalc run --help' for the options and examples.",
    ]


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["rn"], "fundcalc: No such command 'rn'. Did you mean 'run'?"),
        (
            ["run", "--perod", "2025-01"],
            "fundcalc: No such option '--perod'. Did you mean '--period'?",
        ),
        (
            ["explain", "--period", "2025-01"],
            "fundcalc: Missing option '--placement' or '--lot'.",
        ),
        (
            ["run", "--as-of", "1-3-2025"],
            "fundcalc: Invalid value for '--as-of': '1-3-2025' is not a date like 2025-03-01",
        ),
    ],
)
def test_bad_usage_says_what_is_wrong_and_where_the_help_is(args: list[str], first: str) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert len(result.output.splitlines()) == 2
    assert result.output.splitlines()[0] == first
    assert result.output.splitlines()[1].startswith("Try 'fundcalc")


def test_a_period_the_rules_do_not_cover_is_an_error(example: Path, tmp_path: Path) -> None:
    result = invoke("run", *example_args(example, tmp_path), "--period", "2024-12")
    assert result.exit_code == 1
    assert result.output == "fundcalc: arrangement.toml: key: no version valid on 2024-12-01\n"


def test_when_fundcalc_itself_fails_it_says_so_in_two_lines_with_exit_3(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("fundcalc.app.run.run_period", broken)
    result = invoke("run", *example_args(example, tmp_path), "--as-of", "2025-03-01")
    assert result.exit_code == INTERNAL_ERROR
    assert result.output.splitlines() == [
        "fundcalc: stopped unexpectedly: ZeroDivisionError: division by zero",
        "Outputs are replaced whole or not at all, so nothing was half-written. Run the same"
        " command as 'fundcalc --debug …' to see where, and report it.",
    ]
    debug = invoke("--debug", "run", *example_args(example, tmp_path), "--as-of", "2025-03-01")
    assert isinstance(debug.exception, ZeroDivisionError)


def test_debug_lets_a_fundcalc_error_through_with_its_traceback(tmp_path: Path) -> None:
    (tmp_path / "placements").write_text("")
    result = invoke("--debug", "validate", "--rules", "rules", "--inputs", str(tmp_path))
    assert isinstance(result.exception, InputError)
    assert str(result.exception) == f"{tmp_path / 'placements'}: is a link or a file, not a" \
        " folder (the placement log lives there)"  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        ["run"],
        ["validate"],
        ["close", "--period", "2026-10"],
        ["explain", "--period", "2026-10", "--placement", "PL-1"],
        ["import", "export.csv", "--recorded-on", "2026-11-23"],
        ["sample", "--year", "2026", "--size", "3"],
        ["settle", "--year", "2026"],
        ["scenario", "export.csv", "--year", "2026"],
    ],
)
def test_a_command_started_outside_the_project_says_where_it_looked_and_how_to_point_it(
    command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: "fundcalc: rules/arrangement.toml: file not found", exit 1.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "export.csv").write_text("placement_id\n")
    result = invoke(*command)
    assert (result.exit_code, result.output.splitlines()) == (
        2,
        [
            f"fundcalc: no rules: looked for {tmp_path / 'rules' / 'arrangement.toml'}, which"
            " does not exist; run fundcalc in the project folder (the one that holds rules/ and"
            " inputs/), or give --rules FOLDER"
        ],
    )


def test_rules_found_without_a_log_say_where_the_log_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    result = invoke("run")
    assert (result.exit_code, result.output.splitlines()) == (
        2,
        [
            f"fundcalc: no placement log: looked for {tmp_path / 'inputs' / 'placements'}, which"
            " does not exist; run fundcalc in the project folder (the one that holds rules/ and"
            " inputs/), or give --inputs FOLDER"
        ],
    )


def test_a_date_in_the_rules_that_is_no_date_is_named_with_its_line(
    example: Path, tmp_path: Path
) -> None:
    # Before: "arrangement.toml: is not valid TOML (Expected newline or end of document …)".
    rules = tmp_path / "rules"
    shutil.copytree(example / "rules", rules)
    toml = rules / "arrangement.toml"
    lines = toml.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("valid_from = "))
    lines[at] = "valid_from = 2026-13-01"
    toml.write_text("\n".join(lines) + "\n")
    result = invoke("validate", "--rules", str(rules), "--inputs", str(example / "inputs"))
    assert (result.exit_code, result.output) == (
        1,
        f"fundcalc: arrangement.toml: line {at + 1}: 2026-13-01 is not a date (a date is written"
        " like 2026-01-31)\n",
    )


def test_quiet_and_json_together_are_bad_usage_naming_both(example: Path, tmp_path: Path) -> None:
    # Before: --quiet --json printed the JSON, and the script could not tell which it got.
    for command in (["run"], ["close", "--period", "2025-01"]):
        result = invoke(*command, *example_args(example, tmp_path), "-q", "--json")
        assert result.exit_code == 2
        assert result.output.splitlines() == [
            "fundcalc: --quiet and --json exclude each other: --quiet prints nothing, --json the"
            " summary; give one of them",
            f"Try 'fundcalc {command[0]} --help' for the options and examples.",
        ]
    assert not tmp_path.joinpath("2025-01").exists()


RUN_AND_COUNT_PYDANTIC = (
    "import sys\n"
    "from fundcalc.cli import main\n"
    "main.main(sys.argv[1:], prog_name='fundcalc', standalone_mode=False)\n"
    "print('pydantic' in sys.modules)\n"
)


def test_a_run_of_rules_validated_before_never_imports_pydantic(
    example: Path, tmp_path: Path
) -> None:
    args = ["run", *example_args(example, tmp_path / "out"), "--as-of", "2025-03-01", "-q"]

    def process() -> str:
        command = [sys.executable, "-c", RUN_AND_COUNT_PYDANTIC, *args]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    assert [process(), process()] == ["True", "False"]


def kept_rules(out: Path) -> list[str]:
    folder = out / ".cache" / "rules"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_run_close_and_sample_keep_the_rules_they_validated_replay_and_no_cache_do_not(
    example: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    arguments = [*example_args(example, out), "--period", "2025-01", "--as-of", "2025-03-01"]
    assert invoke("run", *arguments, "-q", "--no-cache").exit_code == 0
    assert kept_rules(out) == []
    assert invoke("close", *arguments, "-q").exit_code == 0
    (entry,) = kept_rules(out)
    assert invoke("run", *arguments, "-q").exit_code == 0
    assert kept_rules(out) == [entry]
    shutil.rmtree(out / ".cache")
    assert invoke("replay", "--out", str(out), "--period", "2025-01").exit_code == 0
    assert kept_rules(out) == []
    sample = ["sample", *example_args(example, out), "--year", "2025", "--size", "1"]
    assert invoke(*sample, "--as-of", "2025-03-01").exit_code == 0
    assert kept_rules(out) == [entry]


def test_a_run_whose_rules_cannot_be_kept_runs_all_the_same(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*_: object, **__: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(rulescache, "replace_file", read_only)
    arguments = [*example_args(example, tmp_path), "--as-of", "2025-03-01", "-q"]
    assert invoke("run", *arguments).exit_code == 0
    assert (tmp_path / "2025-01" / "statement.csv").read_bytes() == (
        example / "expected-statement.csv"
    ).read_bytes()
    assert kept_rules(tmp_path) == []


# --- validate ---


def test_validate_lists_findings_by_kind_with_file_line_and_days_and_exits_1(
    example: Path, tmp_path: Path
) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(example / "inputs", inputs)
    log = inputs / "placements" / "a.csv"
    log.write_text(log.read_text() + "P5,c5,NOPE,2025-01-01,,GM0001,,,,,2025-01-02\n")
    args = ["--rules", str(example / "rules"), "--inputs", str(inputs), "--as-of", "2025-03-01"]
    result = invoke("validate", *args, "--period", "2025-01")
    assert result.exit_code == 1
    # Told once, with its days in the period (not again without them).
    assert result.output.splitlines()[2:] == [
        "",
        "exceptions: 1 (cost nothing until the provider sends a corrected version; import it)",
        "  a.csv:6  P5  unknown lot 'NOPE' (31 days)",
        "warnings: 0",
    ]
    clean = invoke("validate", "--rules", str(example / "rules"), "--inputs",
                   str(example / "inputs"), "--as-of", "2025-03-01")  # fmt: skip
    assert clean.exit_code == 0
    assert clean.output.splitlines() == [
        "rules: 2 lots, 2 members in the latest key, 2 municipality codes",
        "log: 1 file, 4 rows as of 2025-03-01: 4 in force, 0 superseded, 0 duplicates,"
        " 0 not yet recorded, 0 unusable",
        "",
        "exceptions: 0",
        "warnings: 0",
    ]


# --- import ---


def test_import_of_an_export_of_which_every_row_is_an_exception_exits_1_unless_forced(
    example: Path, tmp_path: Path
) -> None:
    # Before: imported with exit 0, while the dry run of the same file exited 1.
    inputs = tmp_path / "inputs"
    shutil.copytree(example / "inputs", inputs)
    export = tmp_path / "export.csv"
    export.write_text(
        "Plaatsingsnummer;Cliëntnummer;Perceel;Startdatum\nP8;C8;F;gisteren\nP9;C9;F;morgen\n"
    )
    paths = ["--rules", str(example / "rules"), "--inputs", str(inputs)]
    before = sorted(p.name for p in (inputs / "placements").iterdir())
    refused = invoke("import", str(export), "--recorded-on", "2025-02-02", *paths)
    assert refused.exit_code == 1
    assert refused.output.splitlines()[-1].startswith("not imported: every row has an exception")
    assert sorted(p.name for p in (inputs / "placements").iterdir()) == before
    forced = invoke("import", str(export), "--recorded-on", "2025-02-02", "--force", *paths)
    assert forced.exit_code == 0, forced.output
    assert forced.output.splitlines()[-1] == (
        f"imported as {inputs / 'placements' / '2025-02-02_export.csv'}"
    )


# --- explain ---


def test_explain_shows_each_day_range_with_stream_tariff_centrumgemeente_and_amount(
    example: Path,
) -> None:
    result = invoke("explain", "--period", "2025-01", "--placement", "P4", "--rules",
                    str(example / "rules"), "--inputs", str(example / "inputs"),
                    "--as-of", "2025-03-01")  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:12] == [
        "P4 in 2025-01, as of 2025-03-01",
        "",
        "The log has 1 row of this placement:",
        "  a.csv:5  recorded 2025-01-20  in force",
        "      lot_id C, start_date 2025-01-01, end_date 2025-01-11, brp_municipality GM0002,"
        " reflection_start 2025-01-05, reflection_end 2025-01-08",
        "",
        "In force: a.csv:5, recorded on 2025-01-20",
        "  lot           C, q, group COSM (a COSM lot)",
        "  stay          from 2025-01-01 up to 2025-01-11 (the day of departure is not charged:"
        " last day 2025-01-10)",
        "  municipality  GM0002 B, registered there (BRP)",
        "  reflection    window 2025-01-05 up to and including 2025-01-07 (ends at reflection_end"
        " 2025-01-08)",
        "",
    ]
    ranges = [line for line in lines if line.startswith("  2025-")]
    assert ranges == [
        "  2025-01-01 - 2025-01-04   4 days  MUNICIPAL  4 x 5.00 = 20.00",
        "  2025-01-05 - 2025-01-07   3 days  JUSTICE    3 x 5.00 = 15.00",
        "  2025-01-08 - 2025-01-10   3 days  MUNICIPAL  3 x 5.00 = 15.00",
    ]
    assert lines[-1] == "Total in 2025-01: 10 days, € 50.00 (MUNICIPAL 35.00, JUSTICE 15.00)"


def test_explain_of_a_placement_not_in_the_log_is_bad_usage_with_a_suggestion(
    example: Path,
) -> None:
    result = invoke("explain", "--period", "2025-01", "--placement", "p4", "--rules",
                    str(example / "rules"), "--inputs", str(example / "inputs"))  # fmt: skip
    assert result.exit_code == 2
    assert result.output == (
        "fundcalc: placement 'p4' is not in the log (inputs/placements/); did you mean P4?\n"
    )


# --- help ---


def help_text(*command: str) -> str:
    result = invoke(*command, "--help")
    assert result.exit_code == 0, result.output
    return result.output


def examples(text: str) -> list[str]:
    """The example command lines of a help text (the lines under `Examples:`)."""
    lines = text.splitlines()
    start = lines.index("  Examples:")
    found = []
    for line in lines[start + 1 :]:
        if not line.startswith("    fundcalc "):
            break
        found.append(line.strip())
    return found


def test_fundcalc_alone_prints_the_help_on_stdout_and_exits_0() -> None:
    # Before: "fundcalc: Usage: …" on stderr, exit 2.
    result = CliRunner().invoke(main, [], prog_name="fundcalc")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == help_text()
    assert result.stdout.startswith("Usage: fundcalc [OPTIONS] COMMAND [ARGS]...")


def test_help_lists_the_commands_in_the_order_of_the_monthly_routine() -> None:
    text = help_text()
    commands = text[text.index("Commands:") :].split("\n\n")[0].splitlines()[1:]
    names = [line.split()[0] for line in commands]
    assert sorted(names) == sorted(main.commands)
    assert names.index("import") < names.index("validate") < names.index("run")
    routine = text[text.index("The monthly routine:") :]
    assert "fundcalc run       calculate the month" in routine
    assert "3  fundcalc itself failed: run again with --debug and report it" in text


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_with_examples_that_are_valid_command_lines(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = help_text(name)
    assert "[default: " in text
    lines = examples(text)
    assert len(lines) >= 2
    # In a copy of the shipped sample, so that files the examples name exist.
    for folder in ("rules", "inputs", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    for line in lines:
        args = shlex.split(line)[1:]
        assert args[0] == name, line
        command = main.commands[name]
        with click.Context(main, info_name="fundcalc") as parent:
            command.make_context(name, args[1:], parent=parent)


def test_the_main_help_has_examples_of_existing_commands() -> None:
    lines = examples(help_text())
    assert len(lines) >= 2
    assert all(shlex.split(line)[1] in main.commands for line in lines)


def test_the_allocator_gives_memory_back_with_an_arena_a_core_and_huge_pages_if_asked() -> None:
    assert allocator_settings(2) == "dirty_decay_ms:2000,muzzy_decay_ms:0,narenas:2"
    assert allocator_settings(0).endswith(",narenas:1")
    assert allocator_settings(4, huge_pages=True) == (
        "dirty_decay_ms:200,muzzy_decay_ms:0,narenas:4,thp:always"
    )


@pytest.mark.parametrize(
    ("size", "own", "expected"),
    [
        (HUGE_PAGES_FROM - 1, None, allocator_settings(1)),
        (HUGE_PAGES_FROM, None, allocator_settings(1, huge_pages=True)),
        (HUGE_PAGES_FROM, "narenas:2", "narenas:2"),
    ],
)
def test_a_large_log_has_polars_take_huge_pages_unless_the_user_set_the_allocator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, own: str | None, expected: str
) -> None:
    monkeypatch.setattr(cli, "_cores", lambda: 1)
    monkeypatch.setenv(ALLOCATOR, own or allocator_settings(1))  # as `entry` sets it
    log = [tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "gone.csv"]
    with log[0].open("wb") as stream:
        stream.truncate(size - 1)  # sparse: no disk used
    log[1].write_bytes(b"x")
    huge_pages_for(log)
    assert os.environ[ALLOCATOR] == expected


@pytest.mark.parametrize(
    ("size", "beside"), [(READ_BESIDE_FROM - 1, False), (READ_BESIDE_FROM, True)]
)
def test_only_a_large_log_is_read_beside_the_import_of_the_calculation(
    tmp_path: Path, size: int, beside: bool
) -> None:
    placements = tmp_path / "placements"
    placements.mkdir()
    with (placements / "a.csv").open("wb") as stream:
        stream.truncate(size - 1)  # sparse: no disk used
    (placements / "b.xlsx").write_bytes(b"x")
    (placements / ".import.csv").write_bytes(b"x" * 10)  # being written: no part of the log
    assert cli.read_beside_imports(log_files(tmp_path)) is beside
    assert cli.read_beside_imports(log_files(tmp_path / "nowhere")) is False


def test_run_and_close_write_the_same_whether_the_log_is_read_before_or_beside_the_imports(
    example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: dict[bool, dict[str, bytes]] = {}
    asked: list[list[Path]] = []
    for beside in (False, True):

        def decide(log: Sequence[Path], beside: bool = beside) -> bool:
            asked.append(list(log))
            return beside

        monkeypatch.setattr(cli, "read_beside_imports", decide)
        out = tmp_path / f"beside-{beside}"
        for command in ("run", "close"):
            result = invoke(command, *example_args(example, out), "--period", "2025-01",
                            "--as-of", "2025-03-01", "-q")  # fmt: skip
            assert result.exit_code == 0, result.output
        folder = out / "2025-01"
        written[beside] = {p.name: p.read_bytes() for p in sorted(folder.iterdir())}
    assert asked == [log_files(example / "inputs")] * 4
    assert sorted(written[False]) == sorted(written[True]) != []
    assert written[False] == written[True]


@pytest.mark.parametrize(
    ("own", "expected"),
    [(None, "dirty_decay_ms:2000,muzzy_decay_ms:0,narenas:"), ("narenas:2", "narenas:2")],
)
def test_the_command_sets_polars_allocator_before_polars_loads_unless_the_user_set_it(
    own: str | None, expected: str
) -> None:
    code = (
        "import os, sys\n"
        "import fundcalc.cli as cli\n"
        "sys.argv = ['fundcalc', '--version']\n"
        "loaded = 'polars' in sys.modules\n"
        "try:\n"
        "    cli.entry()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(loaded)\n"
        "print(os.environ.get(cli.ALLOCATOR))\n"
    )
    environment = {k: v for k, v in os.environ.items() if k != ALLOCATOR}
    if own is not None:
        environment[ALLOCATOR] = own
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    *_, loaded, settings = done.stdout.splitlines()
    assert loaded == "False"  # jemalloc reads its settings once, when polars loads
    assert settings.startswith(expected)
    assert own is not None or settings.removeprefix(expected).isdigit()


def test_every_command_given_inputs_sizes_polars_memory_for_its_log_before_it_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sized: list[list[str]] = []
    monkeypatch.setattr(cli, "huge_pages_for", lambda log: sized.append([p.name for p in log]))
    result = invoke(
        "validate", "--rules", str(EXAMPLE / "rules"), "--inputs", str(EXAMPLE / "inputs")
    )
    assert result.exit_code in (0, 1), result.output
    assert sized == [sorted(p.name for p in (EXAMPLE / "inputs" / "placements").iterdir())]
