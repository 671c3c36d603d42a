"""An independent reference of SPEC §11, the eligibility sample (*steekproef*), for tests only.

It imports nothing from `fundcalc`: the days come from the naive day-by-day
oracle of §4 (`tests.oracle`), the ranking straight from the text of §11.

Decisions where the text leaves room (see also `tests.oracle.verdicts_in_force`):

- The population is drawn on the plain §4, without verdicts: "placements in
  force as of D with at least one FUND day in Y". Verdicts are the outcome of
  checking the sample; if a verdict "nee" took a placement out of the
  population (its days are no longer FUND under the amendment), redrawing the
  same year with the same seed after the verdicts came back would drop it and
  pull in an unchecked placement, so the sample would not be reproducible and
  the verdicts would undo their own sample. `verdicts=` is accepted to compute
  the other reading, but defaults to none.
- The `rank` column holds the lowercase hex SHA-256 itself, not a position
  1..N: §11 defines "a placement's rank" as that digest, and it is what lets
  anyone check every row with `sha256sum`; the order of the rows gives the
  position.
- Every month of Y is computed as of D, the way a run of that month as of D
  computes it (§4): a stay open at D counts on in the months after D.
- first_day, last_day, fund_days and fund_cents are over the FUND days in Y
  only; centrumgemeente is the one of the first FUND day in Y; group is the
  group of the lot of the version in force as of D.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from dataclasses import dataclass
from datetime import date

from tests.oracle import Scenario, calculate, versions_in_force

SAMPLE_COLUMNS = (
    "rank",
    "placement_id",
    "client_id",
    "lot_id",
    "group",
    "centrumgemeente",
    "first_day",
    "last_day",
    "fund_days",
    "fund_cents",
)


@dataclass(frozen=True)
class PlacementFundDays:
    """A placement of the population and its FUND days in the year."""

    placement_id: str
    client_id: str
    lot_id: str
    group: str
    centrumgemeente: str
    first_day: date
    last_day: date
    fund_days: int
    fund_cents: int


def rank(seed: str, placement_id: str) -> str:
    """§11: the lowercase hex SHA-256 of the UTF-8 text `seed:placement_id`."""
    return hashlib.sha256(f"{seed}:{placement_id}".encode()).hexdigest()


def default_seed(statement_bytes: bytes) -> str:
    """§11: without --seed, the SHA-256 (hex) of the archived statement file of
    the last closed month of Y, taken over its bytes as archived."""
    return hashlib.sha256(statement_bytes).hexdigest()


def sample_folder(year: int, seed: str) -> str:
    """§11: the output folder name, `sample-<Y>-<first 8 of seed>`."""
    return f"sample-{year}-{seed[:8]}"


def population(
    scenario: Scenario,
    year: int,
    as_of: date,
    *,
    verdicts: list[dict[str, str]] | None = None,
) -> dict[str, PlacementFundDays]:
    """Placements in force as of `as_of` with at least one FUND day in `year`."""
    # The budget does not touch the days; make sure the oracle can run the year.
    scenario = dataclasses.replace(
        scenario, budgets={**scenario.budgets, year: scenario.budgets.get(year, 0)}
    )
    versions = versions_in_force(scenario.rows, as_of)
    lots = {lot.id: lot for lot in scenario.lots}
    fund_days: dict[str, list[tuple[date, str, int]]] = {}
    for month in range(1, 13):
        outcome = calculate(scenario, year, month, as_of, verdicts)
        for pid, day, stream, centre, cost in outcome.day_log:
            if stream == "FUND":
                assert centre is not None
                fund_days.setdefault(pid, []).append((day, centre, cost))
    result: dict[str, PlacementFundDays] = {}
    for pid, days in fund_days.items():
        version = versions[pid]
        assert isinstance(version, dict)
        days.sort()
        result[pid] = PlacementFundDays(
            placement_id=pid,
            client_id=version["client_id"],
            lot_id=version["lot_id"],
            group=lots[version["lot_id"]].group,
            centrumgemeente=days[0][1],
            first_day=days[0][0],
            last_day=days[-1][0],
            fund_days=len(days),
            fund_cents=sum(cost for _, _, cost in days),
        )
    return result


def draw(
    scenario: Scenario,
    year: int,
    size: int,
    seed: str,
    as_of: date,
    *,
    verdicts: list[dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """The rows of sample.csv: the `size` placements of the population with the
    smallest rank, in rank order (all of them when `size` exceeds it)."""
    if size < 0:
        raise ValueError("the sample size cannot be negative")
    members = population(scenario, year, as_of, verdicts=verdicts)
    ranked = sorted((rank(seed, pid), pid) for pid in members)
    rows: list[dict[str, str]] = []
    for digest, pid in ranked[:size]:
        p = members[pid]
        rows.append(
            {
                "rank": digest,
                "placement_id": p.placement_id,
                "client_id": p.client_id,
                "lot_id": p.lot_id,
                "group": p.group,
                "centrumgemeente": p.centrumgemeente,
                "first_day": p.first_day.isoformat(),
                "last_day": p.last_day.isoformat(),
                "fund_days": str(p.fund_days),
                "fund_cents": str(p.fund_cents),
            }
        )
    return rows


def sample_csv(rows: list[dict[str, str]]) -> str:
    """sample.csv as text: a header of SAMPLE_COLUMNS, comma-separated, "\\n" line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SAMPLE_COLUMNS)
    for row in rows:
        writer.writerow([row[column] for column in SAMPLE_COLUMNS])
    return buffer.getvalue()
