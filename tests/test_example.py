"""End to end: the spec's worked example gives exactly its expected statement."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from fundcalc.cli import main


def _nonzero_rows(path: Path) -> list[tuple[str, ...]]:
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[0] == ["period", "payer", "item", "for_period", "amount_cents"]
    return sorted(tuple(r) for r in rows[1:] if r[4] != "0")


def test_worked_example_gives_the_expected_statement(example: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--rules", str(example / "rules"),
            "--inputs", str(example / "inputs"),
            "--out", str(tmp_path),
            "--period", "2025-01",
            "--as-of", "2025-03-01",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    produced = _nonzero_rows(tmp_path / "2025-01" / "statement.csv")
    assert produced == _nonzero_rows(example / "expected-statement.csv")


def test_worked_example_has_a_row_for_every_member_and_item(example: Path, tmp_path: Path) -> None:
    args = ["run", "--rules", str(example / "rules"), "--inputs", str(example / "inputs")]
    args += ["--out", str(tmp_path), "--period", "2025-01", "--as-of", "2025-03-01"]
    assert CliRunner().invoke(main, args).exit_code == 0
    with (tmp_path / "2025-01" / "statement.csv").open(newline="") as stream:
        rows = [(r["payer"], r["item"]) for r in csv.DictReader(stream)]
    assert rows == [
        ("GM0001", "contribution"),
        ("GM0001", "origin"),
        ("GM0001", "key"),
        ("GM0001", "municipal"),
        ("GM0002", "contribution"),
        ("GM0002", "origin"),
        ("GM0002", "key"),
        ("GM0002", "municipal"),
        ("JUSTICE", "justice"),
    ]


def test_same_inputs_give_byte_identical_outputs(example: Path, tmp_path: Path) -> None:
    args = ["run", "--rules", str(example / "rules"), "--inputs", str(example / "inputs")]
    args += ["--period", "2025-01", "--as-of", "2025-03-01"]
    for name in ("one", "two"):
        assert CliRunner().invoke(main, [*args, "--out", str(tmp_path / name)]).exit_code == 0
    first = sorted((tmp_path / "one" / "2025-01").iterdir())
    assert [p.name for p in first] == sorted(
        p.name for p in (tmp_path / "two" / "2025-01").iterdir()
    )
    for path in first:
        assert path.read_bytes() == (tmp_path / "two" / "2025-01" / path.name).read_bytes(), (
            path.name
        )
