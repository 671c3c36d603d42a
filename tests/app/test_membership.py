"""Typos in the key: a member that is no centrumgemeente, a member left out (issue 23, item 4).

Before, a weight for GM9999 made a nameless member that paid, and a weight
left out moved that member's clients to "not a member of the fund" with exit
0 and no word. The case is tests/closing_case.py (members GM0001 and GM0002).
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from fundcalc.cli import main
from tests.closing_case import deliver, fundcalc, write_case

P1 = {"placement_id": "P1", "client_id": "c1", "lot_id": "F", "start_date": "2025-02-10",
      "end_date": "2025-02-15", "brp_municipality": "GM0002",
      "recorded_on": "2025-02-20"}  # fmt: skip


def add_key(root: Path, weights: str) -> None:
    toml = root / "rules" / "arrangement.toml"
    toml.write_text(toml.read_text() + f"\n[[key]]\nvalid_from = 2025-02-01\nweights = {weights}\n")


def test_a_key_member_that_is_no_centrumgemeente_is_an_error_in_the_rules(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    add_key(root, '{ GM0001 = "1", GM0002 = "3", GM9999 = "2" }')
    result = fundcalc(root, "run", "--period", "2025-02", "--as-of", "2025-03-05")
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: arrangement.toml: key[2].weights.GM9999: GM9999 is not a centrumgemeente in"
        " municipalities.csv on 2025-02-01 (a typo in the code, or a member that no longer"
        " exists)\n"
    )
    assert not (root / "outputs" / "2025-02").exists()


def test_a_key_that_drops_a_member_is_allowed_and_said_by_every_command(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", P1)
    add_key(root, '{ GM0001 = "1" }')
    notice = (
        "notice: the key from 2025-02-01 (arrangement.toml key[2]) changes the members of the"
        " fund: left: GM0002 name GM0002"
    )
    run = fundcalc(root, "run", "--period", "2025-02", "--as-of", "2025-03-05")
    assert run.exit_code == 0 and run.output.splitlines()[0] == notice
    exceptions = (root / "outputs" / "2025-02" / "exceptions.csv").read_text(encoding="utf-8-sig")
    assert "P1;centrumgemeente GM0002 is not a member of the fund;5" in exceptions
    paths = ["--rules", str(root / "rules"), "--inputs", str(root / "inputs")]
    checked = CliRunner().invoke(main, ["validate", *paths, "--as-of", "2025-03-05"])
    assert notice in checked.output.splitlines()
    explained = CliRunner().invoke(
        main,
        ["explain", *paths, "--period", "2025-02", "--placement", "P1", "--as-of", "2025-03-05"],
    )
    assert explained.output.splitlines()[0] == notice


def test_scenario_says_who_joins_or_leaves_the_fund_by_the_key(tmp_path: Path) -> None:
    # Before: run, close, validate, explain and import said it; scenario did not.
    root = write_case(tmp_path / "case")
    deliver(root, "2025-02.csv", P1)
    add_key(root, '{ GM0001 = "1" }')
    overlay = tmp_path / "gelijk.toml"
    overlay.write_text('[scenario]\nname = "gelijk"\n')
    paths = ["--rules", str(root / "rules"), "--inputs", str(root / "inputs")]
    result = CliRunner().invoke(
        main,
        ["scenario", str(overlay), "--year", "2025", "--as-of", "2025-03-05", *paths,
         "--out", str(root / "outputs")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "notice: the key from 2025-02-01 (arrangement.toml key[2]) changes the members of the"
        " fund: left: GM0002 name GM0002"
    ]
