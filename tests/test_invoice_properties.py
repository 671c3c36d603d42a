"""Property tests of §10: the product's invoice check agrees with the independent reference.

On the random rules and logs of `test_properties` (mergers, ended lots,
changing terms, reflection windows, conflicts) with random invoices (exact or
not, corrected, conflicting, received after the as-of date, amounts with a
comma, three decimals, a sign, lots unknown) invoices.csv is byte for byte the
reference's, and the approved amount never exceeds what was asked nor what
the contract gives.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundcalc.base.period import Period
from fundcalc.core.invoices import ACCEPTED, CHECK_COLUMNS, DIFFERS, MISSING, check_period
from fundcalc.inputs.invoices import read_invoice_file
from fundcalc.report.render import render_invoices
from tests.oracle import Scenario
from tests.reference.invoices import INVOICE_FIELDS, expected_per_lot, invoice_rows, invoices_csv
from tests.test_properties import _engine, scenarios

LOTS = ("F1", "F2", "C1", "X9")
RECEIVED = (date(2025, 1, 20), date(2025, 2, 3), date(2025, 2, 10), date(2025, 3, 5))


# The strategies are made once (`test_properties`): made anew for every draw, they are
# validated and labelled anew.
#: How a provider might write an amount: readable (the first four), or three decimals.
_WRITTEN = st.integers(0, 4)
_READABLE = st.integers(0, 3)
#: An invoice written to be read in every field (half of them), or each field as it comes.
_CLEAN = st.booleans()
_OFF_BY = st.sampled_from([0, 0, 0, 1, -1, 7])
_EXACT = st.booleans()
_LOT = st.sampled_from(LOTS)
_RECEIVED = st.sampled_from(RECEIVED)
_SEPARATOR = st.sampled_from([",", ";"])
_BAD_DAYS = st.sampled_from(["4.0", "-1"])
#: An invoice's id, its lot (or none) and its day of receipt as written: by index.
_TWO = st.integers(0, 1)
_THREE = st.integers(0, 2)
_FOUR = st.integers(0, 3)


def _euros(draw: st.DrawFn, cents: int, *, clean: bool = False) -> str:
    """An amount as a provider might write it: readable mostly, sometimes not (never three
    decimals when `clean`)."""
    if cents < 0:
        return f"-{abs(cents) // 100}.{abs(cents) % 100:02d}"  # a sign: unreadable
    whole, rest = divmod(cents, 100)
    return [
        f"{whole}.{rest:02d}",
        f"{whole},{rest:02d}",
        f"{whole}" if rest == 0 else f"{whole}.{rest:02d}",
        f"{whole},{rest // 10}" if rest % 10 == 0 else f"{whole},{rest:02d}",
        f"{whole}.{rest:02d}0",  # three decimals: unreadable
    ][draw(_READABLE if clean else _WRITTEN)]


@st.composite
def cases(draw: st.DrawFn) -> tuple[Scenario, Period, date, list[dict[str, str]], str]:
    scenario, period, as_of = draw(scenarios())
    expected = expected_per_lot(scenario, period.year, period.month, as_of)
    rows: list[dict[str, str]] = []
    for n in range(draw(st.integers(0, 8))):
        lot = draw(_LOT)
        e = expected.get(lot)
        if e is None:
            days, day_cents, avail = (draw(st.integers(0, n)) for n in (40, 200_000, 50_000))
        else:  # exact (as most providers invoice), or each figure off by a little or not
            exact = draw(_EXACT)
            days, day_cents, avail = (
                max(0, figure + (0 if exact else draw(_OFF_BY)))
                for figure in (e.expected_days, e.expected_day_cents, e.expected_availability_cents)
            )
        month = period if draw(st.integers(0, 5)) else period.next()
        received = draw(_RECEIVED)
        if draw(_CLEAN):
            row = {
                "invoice_id": [f"I{n}", "I0"][draw(_TWO)],
                "lot_id": lot,
                "period": str(month),
                "days": str(days),
                "day_amount": _euros(draw, day_cents, clean=True),
                "availability_amount": _euros(draw, avail, clean=True),
                "received_on": [received.isoformat(), received.strftime("%d-%m-%Y")][draw(_TWO)],
            }
        else:
            row = {
                "invoice_id": [f"I{n}", "I0", ""][draw(_THREE)],
                "lot_id": [lot, lot, lot, ""][draw(_FOUR)],
                "period": str(month) if draw(st.integers(0, 9)) else f"{month.month}-{month.year}",
                "days": str(days) if draw(st.integers(0, 9)) else draw(_BAD_DAYS),
                "day_amount": _euros(draw, day_cents),
                "availability_amount": _euros(draw, avail),
                "received_on": [received.isoformat(), received.strftime("%d-%m-%Y"), "x"][
                    draw(_THREE)
                ],
            }
        rows.append(row)
        if draw(st.integers(0, 4)) == 0:  # the same again, written otherwise
            rows.append({**row, "received_on": received.strftime("%d-%m-%Y")})
    separator = draw(_SEPARATOR)
    return scenario, period, as_of, rows, separator


def _file(rows: list[dict[str, str]], separator: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=INVOICE_FIELDS, delimiter=separator, lineterminator="\r\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _product(case: tuple[Scenario, Period, date, list[dict[str, str]], str]):  # type: ignore[no-untyped-def]
    scenario, period, as_of, rows, separator = case
    calculation = _engine(scenario, period, as_of)
    invoices, _ = read_invoice_file(_file(rows, separator), "invoices.csv")
    return check_period(calculation, invoices, period)[0]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_invoices_csv_matches_the_reference_byte_for_byte(
    case: tuple[Scenario, Period, date, list[dict[str, str]], str],
) -> None:
    scenario, period, as_of, rows, _ = case
    checks = _product(case)
    produced = render_invoices(CHECK_COLUMNS, (c.values() for c in checks))
    reference = invoices_csv(invoice_rows(scenario, rows, period.year, period.month, as_of))
    assert produced.decode("utf-8") == reference


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_approved_never_exceeds_invoiced_nor_expected_and_accepted_means_all_equal(
    case: tuple[Scenario, Period, date, list[dict[str, str]], str],
) -> None:
    for check in _product(case):
        assert (check.approved_cents != 0) <= (check.status in (ACCEPTED, DIFFERS))
        if check.status in (ACCEPTED, DIFFERS):
            invoiced = (check.invoiced_day_cents, check.invoiced_availability_cents)
            expected = (check.expected_day_cents, check.expected_availability_cents)
            assert None not in invoiced and None not in expected
            approved = [min(i, e) for i, e in zip(invoiced, expected, strict=True)]  # type: ignore[type-var]
            assert check.approved_cents == sum(approved)
            assert check.approved_cents <= check.invoiced_cents
            assert check.approved_cents <= check.expected_cents
        all_equal = check.invoice_id is not None and (
            check.invoiced_days,
            check.invoiced_day_cents,
            check.invoiced_availability_cents,
        ) == (check.expected_days, check.expected_day_cents, check.expected_availability_cents)
        assert (check.status == ACCEPTED) == all_equal
        if check.status == MISSING:
            assert check.invoiced_cents == 0


def test_the_case_strategy_reaches_every_status() -> None:
    """The strategy is not too narrow: some draw gives each status (seeded, quick)."""
    seen: set[str] = set()

    @settings(max_examples=150, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(cases())
    def collect(case: tuple[Scenario, Period, date, list[dict[str, str]], str]) -> None:
        seen.update(c.status for c in _product(case))

    collect()
    assert {"accepted", "differs", "missing", "unknown_lot", "rejected"} - seen == set()
