"""The workbook's sheets about capacity: Aanbieders en percelen, Doelgroepen, Justitie (COSM).

Per lot the committee sees contracted places, occupied days, occupancy and
the days above capacity; per group placements (`<5` below five), days, cost
and length of stay; for COSM the Justice stream per lot and per placement id.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import polars as pl

from fundcalc.core.calculation import Calculation
from fundcalc.core.segments import REJECTED
from fundcalc.inputs.rules import Rules
from fundcalc.report.dutch import GROUP_NAMES, Context, percent, short_month
from fundcalc.report.groups import cosm_figures, group_figures
from fundcalc.report.sheets import (
    MAX_LISTED,
    SECTION,
    TOTAL,
    Average,
    Count,
    Euro,
    Percent,
    Row,
    Sheet,
    Table,
)

# --- Aanbieders en percelen ---


def lots_sheet(ctx: Context, calculation: Calculation) -> Sheet:
    """Aanbieders en percelen: capacity, occupancy, days above capacity and cost per lot."""
    lots = calculation.lots_for(ctx.period)
    rows: list[Row] = [
        Row(
            (
                lot.provider,
                lot.lot_id,
                GROUP_NAMES.get(lot.group, lot.group),
                lot.first_day,
                lot.last_day,
                lot.places,
                lot.occupied_days,
                lot.rejected_days,
                percent(lot.occupancy),
                lot.over_capacity_days,
                Euro(lot.day_tariff),
                Euro(lot.availability_tariff),
                Euro(lot.day_cost),
                Euro(lot.availability_cost),
                Euro(lot.total),
            )
        )
        for lot in lots
    ]
    for label, chosen in (
        ("Totaal fondspercelen", [lot for lot in lots if not lot.is_cosm]),
        ("Totaal COSM-percelen", [lot for lot in lots if lot.is_cosm]),
        ("Totaal", lots),
    ):
        place_days = sum(lot.place_days for lot in chosen)
        occupied = sum(lot.occupied_days for lot in chosen)
        rows.append(
            Row(
                (
                    label,
                    "",
                    "",
                    None,
                    None,
                    None,
                    occupied,
                    sum(lot.rejected_days for lot in chosen),
                    Percent(Fraction(occupied, place_days)) if place_days else None,
                    sum(lot.over_capacity_days for lot in chosen),
                    None,
                    None,
                    Euro(sum(lot.day_cost for lot in chosen)),
                    Euro(sum(lot.availability_cost for lot in chosen)),
                    Euro(sum(lot.total for lot in chosen)),
                ),
                TOTAL,
            )
        )
    outside = _days_outside_terms(calculation, ctx)
    if outside:
        rows.append(Row(("Dagen buiten de voorwaarden van een perceel: alle afgewezen",), SECTION))
        rows += outside
    table = Table(
        (
            "Aanbieder",
            "Perceel",
            "Doelgroep",
            "Van",
            "Tot en met",
            "Plaatsen",
            "Bezette dagen",
            "Waarvan afgewezen",
            "Bezettingsgraad",
            "Dagen boven capaciteit",
            "Dagtarief",
            "Tarief beschikbaarheid",
            "Dagkosten",
            "Beschikbaarheid",
            "Totaal",
        ),
        tuple(rows),
        note="Een perceel waarvan de voorwaarden in de maand wijzigen, staat op een regel per"
        " versie. Bezette dagen: elke dag dat iemand op het perceel geplaatst was terwijl het"
        " voorwaarden had, ook de afgewezen dagen (geen lid, geen centrumgemeente); 'Waarvan"
        " afgewezen' zijn die afgewezen dagen. Dagen op een perceel zonder voorwaarden in de"
        " maand (beëindigd) of op een onbekend perceel staan onderaan en tellen niet mee in de"
        " bezettingsgraad."
        " Dagen boven capaciteit: dagen met meer plaatsingen dan gecontracteerde plaatsen."
        " COSM-percelen betaalt Justitie (in de bedenktijd) of de centrumgemeente.",
    )
    return Sheet(
        "Aanbieders en percelen",
        ctx.title("Aanbieders en percelen"),
        ctx.subtitle(
            "Per aanbieder en perceel: capaciteit, bezetting, dagen boven capaciteit en kosten."
        ),
        (table,),
    )


def _days_outside_terms(calculation: Calculation, ctx: Context) -> list[Row]:
    """A row per lot with days in the month but no terms on them (ended, or not in the rules).

    Those days are rejected; without them the sheet would not show every lot
    someone was placed on (LOV-NOORD after it ended).
    """
    outside = calculation.segments(
        ctx.period,
        "lot_id",
        "first_day",
        "last_day",
        "days",
        where=(pl.col("stream") == REJECTED) & pl.col("day_tariff_cents").is_null(),
    )
    by_lot = (
        outside.group_by("lot_id")
        .agg(pl.col("first_day").min(), pl.col("last_day").max(), pl.col("days").sum())
        .sort("lot_id")
    )
    lots = calculation.rules.lots
    rows = []
    for lot_id, first, last, days in by_lot.iter_rows():
        lot = lots.get(lot_id)
        provider = lot.provider if lot else "onbekend perceel (niet in de regels)"
        group = GROUP_NAMES.get(lot.group, lot.group) if lot else ""
        rows.append(
            Row(
                (
                    provider,
                    lot_id,
                    group,
                    first,
                    last,
                    None,
                    int(days),
                    int(days),
                    *(None, None, None, None),
                    *(Euro(0), Euro(0), Euro(0)),
                )
            )
        )
    return rows


# --- Doelgroepen ---


def groups_sheet(ctx: Context, calculation: Calculation, rules: Rules) -> Sheet:
    """Doelgroepen: placements (<5 below five), days, cost and length of stay per group."""
    groups = group_figures(calculation, rules, ctx.period)
    month, ytd = short_month(ctx.period), ctx.ytd

    def count_total(values: Sequence[int]) -> Count | None:
        """A total of counts, left out when a part is suppressed (it would reveal it)."""
        return Count(sum(values)) if all(v == 0 or v >= 5 for v in values) else None

    rows = [
        Row(
            (
                g.group,
                GROUP_NAMES.get(g.group, g.group),
                Count(g.placements),
                g.days,
                Euro(g.day_cost),
                Euro(g.availability),
                Euro(g.total),
                Count(g.ytd_placements),
                g.ytd_days,
                Euro(g.ytd_total),
                Count(g.completed),
                Average(g.average_stay)
                if g.average_stay is not None and g.completed >= 5
                else None,
            )
        )
        for g in groups
    ]
    rows.append(
        Row(
            (
                "Totaal",
                "",
                count_total([g.placements for g in groups]),
                sum(g.days for g in groups),
                Euro(sum(g.day_cost for g in groups)),
                Euro(sum(g.availability for g in groups)),
                Euro(sum(g.total for g in groups)),
                count_total([g.ytd_placements for g in groups]),
                sum(g.ytd_days for g in groups),
                Euro(sum(g.ytd_total for g in groups)),
                count_total([g.completed for g in groups]),
                None,
            ),
            TOTAL,
        )
    )
    table = Table(
        (
            "Code",
            "Doelgroep",
            f"Plaatsingen {month}",
            f"Dagen {month}",
            f"Dagkosten {month}",
            f"Beschikbaarheid {month}",
            f"Kosten {month}",
            f"Plaatsingen {ytd}",
            f"Dagen {ytd}",
            f"Kosten {ytd}",
            f"Beëindigde verblijven {ytd}",
            "Gemiddelde verblijfsduur (dagen)",
        ),
        tuple(rows),
        note="Plaatsingen met in rekening gebrachte dagen. Aantallen onder 5 staan als <5 (en"
        " dan blijft het totaal leeg); de gemiddelde verblijfsduur alleen bij 5 of meer"
        " beëindigde verblijven.",
    )
    return Sheet(
        "Doelgroepen",
        ctx.title("Doelgroepen"),
        ctx.subtitle("Per doelgroep: plaatsingen, dagen, kosten en verblijfsduur."),
        (table,),
    )


# --- Justitie (COSM) ---


def justice_sheet(ctx: Context, calculation: Calculation, rules: Rules) -> Sheet:
    """Justitie (COSM): the Justice stream per COSM lot and per placement id."""
    cosm = cosm_figures(calculation, rules, ctx.period, listed=MAX_LISTED)
    lots = cosm.lots
    # Both tables total every placement, listed or not: the lots' totals.
    justice_days = sum(lot.justice_days for lot in lots)
    justice_day_cost = Euro(sum(lot.justice_day_cost for lot in lots))
    municipal_days = sum(lot.municipal_days for lot in lots)
    municipal_cost = Euro(sum(lot.municipal_cost for lot in lots))
    lot_rows = [
        Row(
            (
                lot.provider,
                lot.lot_id,
                lot.justice_days,
                Euro(lot.justice_day_cost),
                Euro(lot.availability),
                Euro(lot.justice),
                lot.municipal_days,
                Euro(lot.municipal_cost),
            )
        )
        for lot in lots
    ]
    lot_rows.append(
        Row(
            (
                "Totaal",
                "",
                justice_days,
                justice_day_cost,
                Euro(sum(lot.availability for lot in lots)),
                Euro(sum(lot.justice for lot in lots)),
                municipal_days,
                municipal_cost,
            ),
            TOTAL,
        )
    )
    per_lot = Table(
        (
            "Aanbieder",
            "Perceel",
            "Dagen in bedenktijd",
            "Dagkosten in bedenktijd",
            "Beschikbaarheid",
            "Te betalen door Justitie",
            "Dagen na bedenktijd",
            "Kosten na bedenktijd",
        ),
        tuple(lot_rows),
        caption="Per COSM-perceel",
        note="In de bedenktijd betaalt Justitie de dagen en de beschikbaarheid; daarna betaalt"
        " de centrumgemeente rechtstreeks. Het einde van de bedenktijd (reflection_end) is de"
        " eerste dag die Justitie niet meer betaalt.",
    )
    placement_rows = [
        Row(
            (
                p.placement_id,
                p.lot_id,
                p.justice_days,
                Euro(p.justice_cost),
                p.municipal_days,
                Euro(p.municipal_cost),
            )
        )
        for p in cosm.placements
    ]
    placement_rows.append(
        Row(
            (
                "Totaal",
                "",
                justice_days,
                justice_day_cost,
                municipal_days,
                municipal_cost,
            ),
            TOTAL,
        )
    )
    per_placement = Table(
        (
            "Plaatsing",
            "Perceel",
            "Dagen Justitie",
            "Bedrag Justitie",
            "Dagen na bedenktijd",
            "Bedrag na bedenktijd",
        ),
        tuple(placement_rows),
        caption="Per plaatsing (alleen het plaatsingsnummer)",
        note=(
            f"Hier staan de eerste {MAX_LISTED} van {cosm.placement_count} plaatsingen; het"
            " totaal telt ze alle. Elke plaatsing staat in ledger.parquet."
        )
        if cosm.placement_count > MAX_LISTED
        else "",
    )
    return Sheet(
        "Justitie (COSM)",
        ctx.title("Justitie (COSM)"),
        ctx.subtitle("De Justitie-stroom: dagen en bedragen in en na de bedenktijd."),
        (per_lot, per_placement),
        header_table=1,
    )
