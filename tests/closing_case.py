"""A small arrangement and log for the closing tests, written to disk like a real one.

Members GM0001 (weight 1) and GM0002 (weight 3); fund lot F: 1 place,
€ 100.00 a day, € 10.00 availability; origin share 0.5; a budget of
€ 1,200.00 for 2025, so € 100.00 a month, € 25.00 / € 75.00 by the key.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from click.testing import CliRunner, Result

from fundcalc.cli import main
from tests.oracle import FIELDS, LotSpec, MunicipalityRowSpec, Scenario


def scenario(lookback: int = 24) -> Scenario:
    return Scenario(
        budgets={2025: 120_000},
        keys=[(date(2025, 1, 1), {"GM0001": 1, "GM0002": 3})],
        splits=[(date(2025, 1, 1), "0.5")],
        lots=[
            LotSpec("F", "LOVERBOY", [(date(2024, 1, 1), 1, 10_000, 1_000)]),
            LotSpec("C", "COSM", [(date(2024, 1, 1), 0, 5_000, 0)]),
        ],
        municipalities=[
            MunicipalityRowSpec("GM0001", "GM0001", date(2000, 1, 1)),
            MunicipalityRowSpec("GM0002", "GM0002", date(2000, 1, 1)),
        ],
        lookback=lookback,
    )


def write_case(root: Path, lookback: int = 24) -> Path:
    """Rules and an empty log under `root`; returns `root`."""
    case = scenario(lookback)
    (root / "rules").mkdir(parents=True)
    (root / "rules" / "arrangement.toml").write_text(case.arrangement_toml())
    (root / "rules" / "municipalities.csv").write_text(case.municipalities_csv())
    (root / "inputs" / "placements").mkdir(parents=True)
    return root


def deliver(root: Path, name: str, *rows: dict[str, str]) -> None:
    """A delivery: a new file in the log (the log is append-only)."""
    lines = [",".join(FIELDS), *(",".join(r.get(f, "") for f in FIELDS) for r in rows)]
    (root / "inputs" / "placements" / name).write_text("\n".join(lines) + "\n")


def fundcalc(root: Path, *args: str) -> Result:
    """Run a command on the case, with its folders."""
    command, *rest = args
    paths = ["--out", str(root / "outputs")]
    if command in {"run", "close"}:
        paths += ["--rules", str(root / "rules"), "--inputs", str(root / "inputs")]
    return CliRunner().invoke(main, [command, *paths, *rest])


def statement(root: Path, period: str) -> list[tuple[str, str, str, int]]:
    """(payer, item, for_period, amount) of the period's statement, in file order."""
    text = (root / "outputs" / period / "statement.csv").read_text().splitlines()[1:]
    return [(p, i, q, int(a)) for _, p, i, q, a in (line.split(",") for line in text)]


def corrections(root: Path, period: str) -> list[tuple[str, str, str, int]]:
    return [row for row in statement(root, period) if row[2] != period]
