"""The command line: exit codes, one-line errors, defaults."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from fundcalc.cli import main


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args))


def example_args(example: Path, out: Path) -> list[str]:
    return [
        "--rules",
        str(example / "rules"),
        "--inputs",
        str(example / "inputs"),
        "--out",
        str(out),
    ]


def test_run_defaults_to_the_last_month_the_log_covers(example: Path, tmp_path: Path) -> None:
    # The latest recorded_on is 2025-02-01: January is the last month it covers.
    result = invoke("run", *example_args(example, tmp_path), "--as-of", "2025-03-01")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "2025-01" / "statement.csv").exists()
    assert result.output.splitlines()[0] == (
        "2025-01 as of 2025-03-01: fund costs € 61.00, contributions € 100.00,"
        " Justice € 201.00; 0 exceptions, 0 warnings"
    )


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


def test_a_period_that_is_not_a_month_is_bad_usage(example: Path, tmp_path: Path) -> None:
    result = invoke("run", *example_args(example, tmp_path), "--period", "2025-13")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--period': 2025-13 is not a month"
    )


def test_a_period_the_rules_do_not_cover_is_an_error(example: Path, tmp_path: Path) -> None:
    result = invoke("run", *example_args(example, tmp_path), "--period", "2024-12")
    assert result.exit_code == 1
    assert result.output == "fundcalc: arrangement.toml: key: no version valid on 2024-12-01\n"


def test_validate_lists_findings_and_exits_1_on_errors(example: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(example / "inputs", inputs)
    log = inputs / "placements" / "a.csv"
    log.write_text(log.read_text() + "P5,c5,NOPE,2025-01-01,,GM0001,,,,,2025-01-02\n")
    result = invoke("validate", "--rules", str(example / "rules"), "--inputs", str(inputs),
                    "--as-of", "2025-03-01")  # fmt: skip
    assert result.exit_code == 1
    assert "  a.csv:6  P5  unknown lot 'NOPE'" in result.output.splitlines()
    clean = invoke("validate", "--rules", str(example / "rules"), "--inputs",
                   str(example / "inputs"), "--as-of", "2025-03-01")  # fmt: skip
    assert clean.exit_code == 0
    assert "errors: 0" in clean.output.splitlines()
