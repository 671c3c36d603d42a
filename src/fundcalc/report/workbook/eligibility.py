"""The sheet *Toetsing* of report.xlsx: the eligibility check (§11) in counts and euros.

Shown when `inputs/eligibility/` exists (the check has started). For the
run's year, from January up to the month (the months the run calculates):

- the population: placements with a FUND day in those months, as drawn
  (verdicts not applied: a placement judged not eligible still counts, with
  the days its verdict moved that would have been FUND);
- the sample size: the placements listed in the samples of the year that
  came back in `inputs/eligibility/` (the column `Steekproef` of a filled-in
  steekproef.xlsx, `<Y>-<seed8>`); a verdict file without that column says
  nothing of a sample, and then the size is not known to the run (shown as
  such). Counting the drawn sample's folder in `outputs/` instead would make
  the workbook depend on a file that is no input: not hashed, not archived,
  not replayed;
- the verdicts in force of the population's placements, those not eligible;
- the days and euros moved from the fund to direct charges: the MUNICIPAL
  days whose reason is `NOT_ELIGIBLE` (days that without the verdict would
  have been FUND), per month. Closed months are included as they are known
  now: their difference is booked as corrections (sheet *Correcties*).

Counts of placements are `Count`s (`<5` below five); no client and no
placement is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from fundcalc.base.period import Period
from fundcalc.base.reasons import NOT_ELIGIBLE, NOT_ELIGIBLE_NOT_A_MEMBER, is_reason
from fundcalc.core.calculation import Calculation
from fundcalc.core.segments import FUND, MUNICIPAL
from fundcalc.report.dutch import Context, short_month
from fundcalc.report.sheets import TOTAL, Count, Euro, Row, Sheet, Table

TOETSING = "Toetsing"


@dataclass(frozen=True)
class MonthMoved:
    """One month: the days and euros a verdict "not eligible" moved out of the fund."""

    period: Period
    days: int
    cents: int
    #: Days of non-members' placements judged not eligible (would have been rejected).
    other_days: int
    other_cents: int


@dataclass(frozen=True)
class EligibilityFigures:
    """The eligibility check of the run's year to date, in counts and euros."""

    year: int
    months: tuple[MonthMoved, ...]
    population: int
    #: Per sample of the year that came back: its name and the placements it lists.
    samples: tuple[tuple[str, int], ...]
    verdicts: int
    not_eligible: int
    #: Verdicts in force for placements outside the year's population.
    outside: int

    @property
    def sample_size(self) -> int | None:
        return sum(n for _, n in self.samples) if self.samples else None


def eligibility_figures(
    calculation: Calculation, months: Sequence[Period], verdict_rows: pl.DataFrame
) -> EligibilityFigures:
    """The figures of the sheet, from the calculation of `months` and the verdicts read."""
    year = months[-1].year
    moved: list[MonthMoved] = []
    numbers: list[pl.Series] = []
    for period in months:
        rows = calculation.segments(
            period,
            "placement_no",
            "stream",
            "reason",
            "days",
            "amount_cents",
            where=(pl.col("stream") == FUND) | (pl.col("stream") == MUNICIPAL),
        )
        fund_like = rows.filter((pl.col("stream") == FUND) | is_reason("reason", NOT_ELIGIBLE))
        numbers.append(fund_like["placement_no"])
        mine = rows.filter(is_reason("reason", NOT_ELIGIBLE))
        other = rows.filter(is_reason("reason", NOT_ELIGIBLE_NOT_A_MEMBER))
        moved.append(
            MonthMoved(
                period,
                int(mine["days"].sum()),
                int(mine["amount_cents"].sum()),
                int(other["days"].sum()),
                int(other["amount_cents"].sum()),
            )
        )
    placements = calculation.versions.placements
    found = pl.concat(numbers).unique() if numbers else pl.Series(dtype=pl.UInt32)
    ids = placements["placement_id"].gather(found) if found.len() else pl.Series(dtype=pl.String)
    in_force = calculation.verdicts.in_force
    judged = in_force.filter(pl.col("placement_id").is_in(ids.implode()))
    samples = (
        verdict_rows.filter(
            pl.col("sample").str.starts_with(f"{year}-") & pl.col("placement_id").is_not_null()
        )
        .group_by("sample")
        .agg(pl.col("placement_id").n_unique())
        .sort("sample")
    )
    return EligibilityFigures(
        year=year,
        months=tuple(moved),
        population=ids.len(),
        samples=tuple((name, int(n)) for name, n in samples.iter_rows()),
        verdicts=judged.height,
        not_eligible=judged.filter(~pl.col("eligible")).height,
        outside=in_force.height - judged.height,
    )


def eligibility_sheet(ctx: Context, figures: EligibilityFigures) -> Sheet:
    """Toetsing: the year's check in counts, then what the verdicts moved, per month."""
    days = sum(m.days for m in figures.months)
    cents = sum(m.cents for m in figures.months)
    size = figures.sample_size
    samples = ", ".join(name for name, _ in figures.samples)
    year = Table(
        ("Onderdeel", str(figures.year), "Toelichting"),
        (
            Row(
                (
                    "Populatie",
                    Count(figures.population),
                    f"plaatsingen met een fondsdag in {ctx.ytd}, zonder de oordelen",
                )
            ),
            Row(
                (
                    "Steekproefomvang",
                    None if size is None else Count(size),
                    f"steekproef {samples}"
                    if samples
                    else "niet bekend: geen ingevulde"
                    " steekproef (kolom Steekproef) terug in inputs/eligibility/",
                )
            ),
            Row(("Oordelen ontvangen", Count(figures.verdicts), "oordelen in werking")),
            Row(("Geen doelgroep", Count(figures.not_eligible), "oordeel 'nee'")),
            Row(
                (
                    "Dagen van het fonds naar de centrumgemeente",
                    days,
                    "dagen op een fondsperceel, nu rechtstreeks betaald",
                )
            ),
            Row(
                (
                    "Van het fonds naar rechtstreekse kosten",
                    Euro(cents),
                    "dagkosten die het fonds niet meer draagt",
                ),
                TOTAL,
            ),
        ),
        caption=f"Toetsing {figures.year}",
        note="Bij het oordeel 'nee' (geen doelgroep) betaalt de centrumgemeente de dagen van de"
        " plaatsing op een fondsperceel rechtstreeks, in plaats van het fonds: reguliere opvang"
        " is haar eigen taak. Afgesloten maanden worden gecorrigeerd (zie Correcties)."
        + (
            f" Oordelen over plaatsingen buiten de populatie: {_count_text(figures.outside)}."
            if figures.outside
            else ""
        ),
    )
    rows = [
        Row((short_month(m.period), m.days, Euro(m.cents), m.other_days, Euro(m.other_cents)))
        for m in figures.months
    ]
    rows.append(
        Row(
            (
                "Totaal",
                days,
                Euro(cents),
                sum(m.other_days for m in figures.months),
                Euro(sum(m.other_cents for m in figures.months)),
            ),
            TOTAL,
        )
    )
    per_month = Table(
        (
            "Maand",
            "Dagen van het fonds",
            "Euro van het fonds",
            "Dagen geen lid",
            "Euro geen lid",
        ),
        tuple(rows),
        caption="Per maand",
        note="Dagen van het fonds: zonder het oordeel waren zij door het fonds betaald."
        " Geen lid: de centrumgemeente is geen lid van het fonds; zonder het oordeel waren"
        " die dagen afgewezen, nu betaalt zij ze rechtstreeks.",
    )
    return Sheet(
        TOETSING,
        ctx.title("Toetsing doelgroepen"),
        ctx.subtitle(
            "De onafhankelijke toetsing of de geplaatsten tot de doelgroepen behoren: de"
            " steekproef, de oordelen en wat die van het fonds naar de centrumgemeenten"
            " verschoven. Geen cliënt- of plaatsingsnummers; aantallen onder 5 als <5."
        ),
        (year, per_month),
        widths={0: 42, 2: 36},
    )


def _count_text(n: int) -> str:
    return "<5" if n < 5 else str(n)
