"""Aanbieders en percelen, Doelgroepen and Justitie (COSM) read back against the ledger."""

from __future__ import annotations

import polars as pl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from fundcalc.core.segments import JUSTICE, MUNICIPAL, REJECTED
from fundcalc.report.dutch import GROUP_NAMES
from fundcalc.report.render import LEDGER, REPORT, STATEMENT
from fundcalc.report.sheets import PERCENT_FORMAT
from tests.readback import body, cents, load, table
from tests.synthetic import PERIOD, Sample

PERIOD_LABEL = "oktober 2026"


def _sheet(sample: Sample, name: str) -> Worksheet:
    return load((sample.folder / REPORT).read_bytes())[name]


def _ledger(sample: Sample) -> pl.DataFrame:
    return pl.read_parquet(sample.folder / LEDGER)


def _with_terms(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """The rows above the days outside any lot's terms."""
    ends = [i for i, r in enumerate(rows) if str(r["Aanbieder"]).startswith("Dagen buiten")]
    return rows[: ends[0]] if ends else rows


def _outside_terms(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return rows[len(_with_terms(rows)) + 1 :]


def test_every_lot_with_days_is_listed_also_without_terms_with_its_rejected_days(
    sample: Sample,
) -> None:
    rows = table(_sheet(sample, "Aanbieders en percelen"), "Aanbieder")
    outside = _ledger(sample).filter(
        (pl.col("stream") == REJECTED) & pl.col("day_tariff_cents").is_null()
    )
    by_lot = dict(outside.group_by("lot_id").agg(pl.col("days").sum()).iter_rows())
    assert by_lot
    listed = {
        r["Perceel"]: (r["Bezette dagen"], r["Waarvan afgewezen"]) for r in _outside_terms(rows)
    }
    assert listed == {lot: (days, days) for lot, days in by_lot.items()}
    for r in _outside_terms(rows):
        known = sample.rules.lots.get(str(r["Perceel"]))
        assert r["Aanbieder"] == (
            known.provider if known else "onbekend perceel (niet in de regels)"
        )
        assert cents(r["Totaal"]) == 0


def test_the_summarys_occupied_days_are_the_fund_lots_days_within_their_terms(
    sample: Sample,
) -> None:
    lots = table(_sheet(sample, "Aanbieders en percelen"), "Aanbieder")
    fund = next(r for r in lots if r["Aanbieder"] == "Totaal fondspercelen")
    summary = table(_sheet(sample, "Samenvatting"), "Onderdeel")
    occupied = next(r for r in summary if r["Onderdeel"] == "Bezette dagen fondspercelen")
    assert occupied[PERIOD_LABEL] == fund["Bezette dagen"]
    assert "zonder dagen buiten de voorwaarden" in occupied["Toelichting"]
    assert "ook afgewezen dagen (geen lid, geen centrumgemeente)" in occupied["Toelichting"]


def test_lots_show_every_lot_with_its_terms_and_cost_from_the_ledger(sample: Sample) -> None:
    rows = table(_sheet(sample, "Aanbieders en percelen"), "Aanbieder")
    lots = list(body(_with_terms(rows), "Aanbieder"))
    assert sorted(str(r["Perceel"]) for r in lots) == sorted(sample.rules.lots)
    ledger = _ledger(sample)
    for r in lots:
        lot = sample.rules.lots[str(r["Perceel"])]
        terms = [t for t in lot.terms if t.valid_from <= PERIOD.first_day][-1]
        assert (r["Aanbieder"], r["Doelgroep"], r["Plaatsen"]) == (
            lot.provider,
            GROUP_NAMES[lot.group],
            terms.places,
        )
        rows_of_lot = ledger.filter(
            (pl.col("lot_id") == lot.id) & pl.col("day_tariff_cents").is_not_null()
        )
        charged = rows_of_lot.filter(pl.col("stream") != REJECTED)
        assert r["Bezette dagen"] == rows_of_lot["days"].sum()
        assert r["Waarvan afgewezen"] == rows_of_lot["days"].sum() - charged["days"].sum()
        assert cents(r["Dagkosten"]) == charged["amount_cents"].sum()
        assert cents(r["Dagtarief"]) == terms.day_tariff_cents
        assert cents(r["Beschikbaarheid"]) == 31 * terms.places * terms.availability_tariff_cents
        assert cents(r["Totaal"]) == cents(r["Dagkosten"]) + cents(r["Beschikbaarheid"])
        assert r["Bezettingsgraad"] == pytest.approx(r["Bezette dagen"] / (31 * terms.places))
        assert r["Van"].date() == PERIOD.first_day and r["Tot en met"].date() == PERIOD.last_day


def test_lot_totals_are_the_fund_costs_and_the_cosm_costs(sample: Sample) -> None:
    listed = table(_sheet(sample, "Aanbieders en percelen"), "Aanbieder")
    rows = {r["Aanbieder"]: r for r in listed if str(r["Aanbieder"]).startswith("Totaal")}
    settlement = sample.run.settlement
    fund = rows["Totaal fondspercelen"]
    assert cents(fund["Totaal"]) == settlement.fund_costs
    assert cents(fund["Beschikbaarheid"]) == settlement.fund_availability
    cosm = rows["Totaal COSM-percelen"]
    assert cents(cosm["Beschikbaarheid"]) == settlement.cosm_availability
    assert cents(cosm["Dagkosten"]) == settlement.justice_day_costs + sum(
        settlement.municipal.values()
    )
    assert cents(rows["Totaal"]["Totaal"]) == cents(fund["Totaal"]) + cents(cosm["Totaal"])
    over = sum(r["Dagen boven capaciteit"] for r in body(_with_terms(listed), "Aanbieder"))
    assert rows["Totaal"]["Dagen boven capaciteit"] == over > 0


def test_the_summary_and_the_lots_count_occupancy_the_same_way(sample: Sample) -> None:
    workbook = load((sample.folder / REPORT).read_bytes())
    lots = table(workbook["Aanbieders en percelen"], "Aanbieder")
    fund = next(r for r in lots if r["Aanbieder"] == "Totaal fondspercelen")
    summary = {r["Onderdeel"]: r for r in table(workbook["Samenvatting"], "Onderdeel")}
    assert summary["Bezette dagen fondspercelen"]["oktober 2026"] == fund["Bezette dagen"]
    assert summary["Bezettingsgraad fondspercelen"]["oktober 2026"] == fund["Bezettingsgraad"]
    trend = table(workbook["Verloop"], "Maand")
    assert trend[-2]["Bezettingsgraad"] == fund["Bezettingsgraad"]


def test_occupancy_is_a_percentage(sample: Sample) -> None:
    ws = _sheet(sample, "Aanbieders en percelen")
    assert ws["I6"].value is not None and ws["I6"].number_format == PERCENT_FORMAT


def test_groups_count_placements_and_days_of_the_ledger(sample: Sample) -> None:
    rows = {r["Code"]: r for r in table(_sheet(sample, "Doelgroepen"), "Code")}
    lots = pl.DataFrame(
        {
            "lot_id": list(sample.rules.lots),
            "group": [lot.group for lot in sample.rules.lots.values()],
        }
    )
    charged = _ledger(sample).filter(pl.col("stream") != REJECTED).join(lots, on="lot_id")
    for group, frame in charged.group_by("group"):
        r = rows[group[0]]
        n = frame["placement_id"].n_unique()
        assert r["Plaatsingen okt 2026"] == (n if n >= 5 else "<5")
        assert r["Dagen okt 2026"] == frame["days"].sum()
        assert cents(r["Dagkosten okt 2026"]) == frame["amount_cents"].sum()
    assert rows["Totaal"]["Plaatsingen okt 2026"] in (charged["placement_id"].n_unique(), None)
    total = rows["Totaal"]
    assert cents(total["Kosten okt 2026"]) == sum(
        cents(r["Kosten okt 2026"]) for r in body(list(rows.values()), "Code")
    )


def test_justice_sheet_totals_are_the_statement_and_placements_have_no_client(
    sample: Sample,
) -> None:
    ws = _sheet(sample, "Justitie (COSM)")
    lots = table(ws, "Aanbieder")
    with (sample.folder / STATEMENT).open() as stream:
        justice = next(int(line.split(",")[4]) for line in stream if ",JUSTICE," in line)
    assert cents(lots[-1]["Te betalen door Justitie"]) == justice
    placements = table(ws, "Plaatsing")
    ledger = _ledger(sample)
    in_window = ledger.filter(pl.col("stream") == JUSTICE)
    after = ledger.filter(pl.col("stream") == MUNICIPAL)
    listed = list(body(placements, "Plaatsing"))
    assert [r["Plaatsing"] for r in listed] == sorted(
        set(in_window["placement_id"]) | set(after["placement_id"])
    )
    assert placements[-1]["Dagen Justitie"] == in_window["days"].sum()
    assert cents(placements[-1]["Bedrag na bedenktijd"]) == after["amount_cents"].sum()
    assert list(placements[0]) == [
        "Plaatsing",
        "Perceel",
        "Dagen Justitie",
        "Bedrag Justitie",
        "Dagen na bedenktijd",
        "Bedrag na bedenktijd",
    ]


def test_the_long_placement_list_has_its_header_frozen_and_repeated(sample: Sample) -> None:
    ws = _sheet(sample, "Justitie (COSM)")
    header = next(r for r in range(1, ws.max_row) if ws.cell(r, 1).value == "Plaatsing")
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.print_title_rows == f"${header}:${header}"


def test_the_justice_sheet_says_the_end_of_the_reflection_period_is_exclusive(
    sample: Sample,
) -> None:
    texts = [str(c.value) for c in _sheet(sample, "Justitie (COSM)")["A"] if c.value]
    assert any(
        "Het einde van de bedenktijd (reflection_end) is de eerste dag die Justitie niet meer"
        " betaalt." in text
        for text in texts
    )
