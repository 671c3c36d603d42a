"""The §10 reference reproduces the spec's worked example and a few hand cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests import oracle
from tests.oracle import LotSpec, MunicipalityRowSpec, Scenario
from tests.reference.invoices import (
    COLUMNS,
    amount_cents,
    expected_per_lot,
    invoice_rows,
    invoices_csv,
    read_invoice_files,
    scenario_from_files,
)

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE / "data" / "invoices-january-2025"
SHARED = Path("/work/shared/examples/invoices-january-2025")
AS_OF = date(2025, 3, 1)


def _example() -> tuple[Scenario, list[dict[str, str]]]:
    scenario = scenario_from_files(EXAMPLE / "rules", EXAMPLE / "inputs" / "placements")
    return scenario, read_invoice_files(EXAMPLE / "inputs" / "invoices")


def test_example_matches_byte_for_byte() -> None:
    scenario, invoices = _example()
    text = invoices_csv(invoice_rows(scenario, invoices, 2025, 1, AS_OF))
    expected = (EXAMPLE / "expected-invoices.csv").read_bytes()
    assert text.encode("utf-8") == expected


@pytest.mark.skipif(not SHARED.exists(), reason="the shared spec folder is not here")
def test_copy_of_example_is_current() -> None:
    for name in (
        "expected-invoices.csv",
        "rules/arrangement.toml",
        "rules/municipalities.csv",
        "inputs/placements/a.csv",
        "inputs/invoices/providers.csv",
    ):
        assert (EXAMPLE / name).read_bytes() == (SHARED / name).read_bytes(), name


def test_example_expectations_agree_with_the_day_oracle() -> None:
    scenario, _ = _example()
    per_lot = expected_per_lot(scenario, 2025, 1, AS_OF)
    outcome = oracle.calculate(scenario, 2025, 1, AS_OF)
    statement = outcome.statement
    fund_lots = [lot.id for lot in scenario.lots if lot.group != "COSM"]
    cosm_lots = [lot.id for lot in scenario.lots if lot.group == "COSM"]
    fund_total = sum(
        per_lot[i].expected_day_cents + per_lot[i].expected_availability_cents for i in fund_lots
    )
    origin_key = sum(v for (_, item), v in statement.items() if item in ("origin", "key"))
    assert fund_total == origin_key
    justice = sum(
        per_lot[i].justice_day_cents + per_lot[i].expected_availability_cents for i in cosm_lots
    )
    assert justice == statement.get(("JUSTICE", "justice"), 0)
    municipal = sum(per_lot[i].municipal_day_cents for i in cosm_lots)
    assert municipal == sum(v for (_, item), v in statement.items() if item == "municipal")
    charged_days = sum(
        n for days in outcome.days.values() for stream, n in days.items() if stream != "REJECTED"
    )
    assert charged_days == sum(e.expected_days for e in per_lot.values())
    # the README's figures
    assert (per_lot["F"].expected_days, per_lot["F"].expected_day_cents) == (3, 3000)
    assert per_lot["F"].expected_availability_cents == 3100
    assert (per_lot["C"].expected_days, per_lot["C"].expected_day_cents) == (41, 20500)
    assert per_lot["C"].expected_availability_cents == 3100


# --- hand cases on a small scenario ---

F_ROW = {"period": "2025-01", "lot_id": "F"}


def _scenario(rows: list[dict[str, str]] | None = None) -> Scenario:
    return Scenario(
        budgets={2025: 120000},
        keys=[(date(2025, 1, 1), {"GM0001": 1, "GM0002": 1})],
        splits=[(date(2025, 1, 1), "0")],
        lots=[
            LotSpec("F", "LOVERBOY", [(date(2025, 1, 1), 1, 1000, 100)]),
            LotSpec("G", "STALKING", [(date(2025, 1, 1), 0, 2000, 0)]),
            LotSpec("C", "COSM", [(date(2025, 1, 1), 1, 500, 0)]),
        ],
        municipalities=[
            MunicipalityRowSpec("GM0001", "GM0001", date(2000, 1, 1)),
            MunicipalityRowSpec("GM0002", "GM0002", date(2000, 1, 1)),
            MunicipalityRowSpec("GM0009", "GM0009", date(2000, 1, 1)),
        ],
        rows=rows or [],
    )


def _placement(pid: str, lot: str, start: str, end: str = "", **extra: str) -> dict[str, str]:
    row = dict.fromkeys(oracle.FIELDS, "")
    row.update(placement_id=pid, client_id="c" + pid, lot_id=lot, start_date=start)
    row.update(end_date=end, brp_municipality="GM0001", recorded_on="2025-01-01")
    row.update(extra)
    return row


def _invoice(**fields: str) -> dict[str, str]:
    row = {
        "invoice_id": "I-1",
        "lot_id": "F",
        "period": "2025-01",
        "days": "0",
        "day_amount": "0.00",
        "availability_amount": "31.00",
        "received_on": "2025-02-01",
    }
    row.update(fields)
    return row


def _by_lot(scenario: Scenario, invoices: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    rows = invoice_rows(scenario, invoices, 2025, 1, AS_OF)
    assert [r["lot_id"] for r in rows] == sorted(r["lot_id"] for r in rows)
    assert all(list(r) == list(COLUMNS) for r in rows)
    return {r["lot_id"]: r for r in rows}


def test_missing_and_accepted() -> None:
    scenario = _scenario([_placement("P1", "G", "2025-01-05", "2025-01-08")])
    rows = _by_lot(scenario, [_invoice()])
    assert rows["F"]["status"] == "accepted"
    assert rows["F"]["approved_cents"] == "3100"
    assert rows["G"] == {
        "period": "2025-01",
        "lot_id": "G",
        "invoice_id": "",
        "status": "missing",
        "invoiced_days": "",
        "expected_days": "3",
        "invoiced_day_cents": "",
        "expected_day_cents": "6000",
        "invoiced_availability_cents": "",
        "expected_availability_cents": "0",
        "approved_cents": "0",
    }
    assert "C" not in rows  # nothing expected, nothing invoiced


def test_unknown_lot() -> None:
    rows = _by_lot(_scenario(), [_invoice(), _invoice(lot_id="Z", day_amount="12,5")])
    assert rows["Z"]["status"] == "unknown_lot"
    assert rows["Z"]["invoiced_day_cents"] == "1250"
    assert rows["Z"]["expected_days"] == rows["Z"]["expected_day_cents"] == ""
    assert rows["Z"]["expected_availability_cents"] == "" and rows["Z"]["approved_cents"] == "0"


def test_conflict_rejects_and_identical_duplicates_count_once() -> None:
    scenario = _scenario()
    conflict = [_invoice(), _invoice(day_amount="1.00")]
    rows = _by_lot(scenario, conflict)
    assert rows["F"]["status"] == "rejected"
    assert rows["F"]["invoice_id"] == rows["F"]["invoiced_days"] == ""
    assert rows["F"]["invoiced_day_cents"] == rows["F"]["invoiced_availability_cents"] == ""
    assert rows["F"]["expected_availability_cents"] == "3100"
    assert rows["F"]["approved_cents"] == "0"
    # the same meaning written differently is one row
    same = [_invoice(), _invoice(availability_amount="31,0", received_on="01-02-2025")]
    assert _by_lot(scenario, same)["F"]["status"] == "accepted"
    # a later correction resolves an earlier conflict
    fixed = [*conflict, _invoice(invoice_id="I-2", received_on="2025-02-10")]
    assert _by_lot(scenario, fixed)["F"]["invoice_id"] == "I-2"


def test_corrected_invoice_replaces_earlier_and_late_one_is_ignored() -> None:
    scenario = _scenario()
    invoices = [
        _invoice(invoice_id="I-1", availability_amount="40.00"),
        _invoice(invoice_id="I-1b", availability_amount="30.00", received_on="2025-02-15"),
        _invoice(invoice_id="I-1c", availability_amount="31.00", received_on="2025-03-02"),
    ]
    row = _by_lot(scenario, invoices)["F"]
    assert (row["invoice_id"], row["status"]) == ("I-1b", "differs")
    assert row["approved_cents"] == "3000"  # min(30.00, 31.00)
    # received on the as-of date itself is in force
    invoices[2]["received_on"] = "2025-03-01"
    assert _by_lot(scenario, invoices)["F"]["status"] == "accepted"


def test_three_decimals_is_unreadable() -> None:
    assert amount_cents("40.001") is None
    assert amount_cents("40,5") == 4050
    assert amount_cents("1.000,00") is None
    row = _by_lot(_scenario(), [_invoice(day_amount="0.000")])["F"]
    assert row["status"] == "rejected"
    # replaced by a later readable one: no longer matters
    later = _invoice(invoice_id="I-2", received_on="2025-02-02")
    assert _by_lot(_scenario(), [_invoice(day_amount="0.000"), later])["F"]["status"] == (
        "accepted"
    )
    # without a readable received_on it is no version at all
    rows = _by_lot(_scenario(), [_invoice(received_on="morgen"), later])
    assert rows["F"]["status"] == "accepted"


def test_rejected_days_are_not_expected() -> None:
    rows = [
        _placement("P1", "F", "2025-01-01", "2025-01-03", brp_municipality="GM0009"),  # no member
        _placement("P2", "F", "2025-01-05", "2025-01-04"),  # end before start
        _placement("P3", "F", "2025-01-10", "2025-01-10"),  # one day, expected
        _placement("P4", "F", "2025-01-20", "", brp_municipality="GM9999"),  # no centre
        _placement("P5", "Q", "2025-01-20"),  # unknown lot
        _placement(
            "P6", "C", "2025-01-30", "", brp_municipality="GM9999", reflection_start="2025-01-31"
        ),  # Justice day needs no centre
        _placement("P7", "C", "2024-12-31", "2025-01-02", brp_municipality="GM0009"),
    ]
    per_lot = expected_per_lot(_scenario(rows), 2025, 1, AS_OF)
    assert (per_lot["F"].expected_days, per_lot["F"].expected_day_cents) == (1, 1000)
    assert per_lot["C"].expected_days == 2  # P6's 31st (Justice) + P7's 1st (municipal)
    assert per_lot["C"].justice_day_cents == per_lot["C"].municipal_day_cents == 500
    not_eligible = expected_per_lot(_scenario(rows), 2025, 1, AS_OF, not_eligible={"P1"})
    assert not_eligible["F"].expected_days == 3
