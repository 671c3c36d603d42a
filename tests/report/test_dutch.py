"""The workbook's Dutch: month labels and what each sheet title says (reasons:
tests/base/test_reasons.py)."""

from __future__ import annotations

from datetime import date

from fundcalc.base.period import Period
from fundcalc.report.dutch import Context, month_name, short_month


def test_month_labels() -> None:
    assert month_name(Period(2026, 10)) == "oktober 2026"
    assert short_month(Period(2026, 3)) == "mrt 2026"


def test_the_year_to_date_label_names_the_first_and_last_month() -> None:
    months = tuple(Period(2026, m) for m in range(3, 11))
    ctx = Context("Fonds", Period(2026, 10), date(2026, 11, 23), months)
    assert ctx.ytd == "mrt t/m okt 2026"
    assert Context("Fonds", Period(2026, 1), date(2026, 2, 1), (Period(2026, 1),)).ytd == (
        "januari 2026"
    )
    assert ctx.title("Verloop") == "Fonds — Verloop — oktober 2026 — Concept"
    assert ctx.subtitle("Wat.").endswith("Stand van de gegevens per 23-11-2026.")
