"""Uitzonderingen (counted per reason, the first of each) and Verantwoording, read back
against exceptions.csv and the manifest."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import Counter

import polars as pl
from openpyxl import Workbook

from fundcalc.base.findings import finding_frame
from fundcalc.base.reasons import groups
from fundcalc.core.calculation import Calculation, calculate
from fundcalc.report.dutch import Context
from fundcalc.report.render import EXCEPTIONS, LEDGER, MANIFEST, REPORT, STATEMENT
from fundcalc.report.sheets import BODY, SECTION, TOTAL, Euro, Sheet
from fundcalc.report.workbook.accounts import LISTED_PER_REASON, MAX_REASONS, exceptions_sheet
from tests.readback import cents, load, table
from tests.synthetic import AS_OF, PERIOD, Sample, raw_log, stay, tiny_rules


def _workbook(sample: Sample) -> Workbook:
    return load((sample.folder / REPORT).read_bytes())


def _log(rows: list[dict[str, str]]) -> tuple[Context, Calculation]:
    calculation = calculate(tiny_rules(), raw_log(rows), [PERIOD], AS_OF)
    return Context("Klein fonds", PERIOD, AS_OF, (PERIOD,)), calculation


def _sheet(rows: list[dict[str, str]]) -> Sheet:
    ctx, calculation = _log(rows)
    return exceptions_sheet(ctx, calculation, calculation.findings_for(PERIOD))


#: Two placements in GM0003 (not a member: their days have a tariff), two on
#: unknown lots (no tariff), and one whose arrival cannot be read.
_MIXED = [
    stay("A", "KLEIN", "2026-10-01", "2026-10-04", brp_municipality="GM0003"),
    stay("B", "GROOT", "2026-10-10", "2026-10-12", brp_municipality="GM0003"),
    stay("C", "ONBEKEND-1", "2026-10-01", "2026-10-06"),
    stay("D", "ONBEKEND-2", "2026-10-20", "2026-10-22"),
    stay("E", "GROOT", "#####", "2026-10-22"),
]


def test_the_exceptions_are_counted_per_reason_with_their_days_and_euros() -> None:
    counted = _sheet(_MIXED).tables[0]
    assert counted.columns == ("Soort", "Reden", "Aantal", "Dagen", "Niet in rekening")
    assert [r.cells for r in counted.rows] == [
        # 3 days × €100 on KLEIN and 2 days × €200 on GROOT.
        ("uitzondering", "centrumgemeente … is geen lid van het fonds", 2, 5, Euro(70000)),
        ("uitzondering", "onbekend perceel '…'", 2, 7, None),
        ("uitzondering", "start_date '…' is geen datum", 1, None, None),
        ("Totaal uitzonderingen", None, 5, 12, Euro(70000)),
    ]
    assert counted.rows[-1].kind == TOTAL


def test_under_the_counts_each_reason_shows_its_findings_as_written() -> None:
    listed = _sheet(_MIXED).tables[1]
    assert listed.columns == ("Plaatsing", "Reden", "Bestand en regel", "Dagen", "Niet in rekening")
    assert [(r.kind, r.cells) for r in listed.rows] == [
        (SECTION, ("uitzondering: centrumgemeente … is geen lid van het fonds (2)",)),
        (
            BODY,
            ("A", "centrumgemeente GM0003 is geen lid van het fonds", "log.csv:2", 3, Euro(30000)),
        ),
        (
            BODY,
            ("B", "centrumgemeente GM0003 is geen lid van het fonds", "log.csv:3", 2, Euro(40000)),
        ),
        (SECTION, ("uitzondering: onbekend perceel '…' (2)",)),
        (BODY, ("C", "onbekend perceel 'ONBEKEND-1'", "log.csv:4", 5, "tarief onbekend")),
        (BODY, ("D", "onbekend perceel 'ONBEKEND-2'", "log.csv:5", 2, "tarief onbekend")),
        (SECTION, ("uitzondering: start_date '…' is geen datum (1)",)),
        (BODY, ("E", "start_date '#####' is geen datum", "log.csv:6", None, "dagen onbekend")),
    ]  # 'Niet in rekening' is never blank for an exception (issue 23, item 6)
    assert listed.note.startswith("Dit zijn alle uitzonderingen en waarschuwingen")


def test_a_reason_with_many_findings_shows_its_first_and_points_to_the_file() -> None:
    many = [stay(f"P{i:02d}", f"ONBEKEND-{i}", "2026-10-01", "2026-10-02") for i in range(25)]
    sheet = _sheet([*many, _MIXED[0]])
    assert [r.cells for r in sheet.tables[0].rows] == [
        ("uitzondering", "onbekend perceel '…'", 25, 25, None),
        ("uitzondering", "centrumgemeente … is geen lid van het fonds", 1, 3, Euro(30000)),
        ("Totaal uitzonderingen", None, 26, 28, Euro(30000)),
    ]
    listed = sheet.tables[1].rows
    assert listed[0].cells == (
        f"uitzondering: onbekend perceel '…' (de eerste {LISTED_PER_REASON} van 25)",
    )
    assert [r.cells[0] for r in listed[1 : LISTED_PER_REASON + 2]] == [
        *(f"P{i:02d}" for i in range(LISTED_PER_REASON)),
        "uitzondering: centrumgemeente … is geen lid van het fonds (1)",
    ]
    assert sheet.tables[1].note == (
        f"Hier staan {LISTED_PER_REASON + 1} van de 26 uitzonderingen en waarschuwingen; de"
        " volledige lijst staat in exceptions.csv naast deze werkmap."
    )


def test_beyond_the_reasons_counted_one_by_one_the_rest_are_counted_together() -> None:
    # Reasons of no known form are counted as written: one reason each.
    ctx, calculation = _log([])
    findings = finding_frame(
        pl.DataFrame(
            {
                "kind": ["exception"] * (MAX_REASONS + 2),
                "reason": [f"reden {i:03d}" for i in range(MAX_REASONS + 2)],
                "days": [1] * (MAX_REASONS + 2),
            }
        )
    )
    rows = exceptions_sheet(ctx, calculation, findings).tables[0].rows
    assert len(rows) == MAX_REASONS + 2
    assert rows[MAX_REASONS].cells == ("uitzondering", "andere redenen", 2, 2, None)
    assert rows[-1].cells == ("Totaal uitzonderingen", None, MAX_REASONS + 2, MAX_REASONS + 2, None)


def test_the_sheet_counts_every_finding_of_exceptions_csv_per_reason(sample: Sample) -> None:
    workbook = _workbook(sample)["Uitzonderingen"]
    counted = table(workbook, "Soort")
    with (sample.folder / EXCEPTIONS).open(encoding="utf-8-sig", newline="") as stream:
        found = list(csv.DictReader(stream, delimiter=";"))
    findings = sample.run.findings
    assert found and [f["reason"] for f in found] == findings["reason"].to_list()
    expected = Counter(
        ({"exception": "uitzondering", "warning": "waarschuwing"}[f["kind"]], g)
        for f, g in zip(found, groups(findings["parts"]).to_list(), strict=True)
    )
    body = {(r["Soort"], r["Reden"]): r["Aantal"] for r in counted if r["Reden"] is not None}
    assert body == dict(expected)
    totals = [r["Aantal"] for r in counted if r["Reden"] is None]
    assert sum(totals) == len(found)


def test_the_days_of_a_non_member_show_what_they_would_have_cost(sample: Sample) -> None:
    rows = table(_workbook(sample)["Uitzonderingen"], "Plaatsing")
    ledger = pl.read_parquet(sample.folder / LEDGER).filter(pl.col("stream") == "REJECTED")
    not_member = [r for r in rows if str(r["Reden"]).endswith("is geen lid van het fonds")]
    assert not_member
    for r in not_member:
        runs = ledger.filter(pl.col("placement_id") == r["Plaatsing"])
        assert cents(r["Niet in rekening"]) == (runs["days"] * runs["day_tariff_cents"]).sum()
    unknown = next(r for r in rows if str(r["Reden"]).startswith("onbekend perceel"))
    assert unknown["Niet in rekening"] == "tarief onbekend"  # never blank (issue 23, item 6)
    undated = [r for r in rows if "is geen datum" in str(r["Reden"])]
    assert undated and {r["Niet in rekening"] for r in undated} == {"dagen onbekend"}


def test_verantwoording_shows_the_hashes_and_counts_of_the_manifest(sample: Sample) -> None:
    ws = _workbook(sample)["Verantwoording"]
    manifest = json.loads((sample.folder / MANIFEST).read_text())
    # The rules are "Rekenregels"; "regels" are only the rows of a file (was "Regels" both).
    rules = {r["Bestand"]: r["SHA-256"] for r in table(ws, "Bestand")}
    captions = [str(c.value) for c in ws["A"] if c.font.bold and c.font.size == 12]
    assert "Rekenregels (rules)" in captions and "Regels" not in captions
    assert rules == {f["file"]: f["sha256"] for f in manifest["rules"]}
    inputs = table(ws, "Invoerbestand")
    assert [(r["Invoerbestand"], r["SHA-256"], r["Aantal regels"]) for r in inputs[:-1]] == [
        (f["file"], f["sha256"], f["rows"]) for f in manifest["inputs"]
    ]
    counts = {r["Telling"]: r["Aantal"] for r in table(ws, "Telling")}
    assert counts["Regels gelezen"] == manifest["counts"]["rows"]["read"]
    assert counts["Versies in werking"] == manifest["counts"]["rows"]["in_force"]
    assert counts["Plaatsingen in werking"] == manifest["counts"]["placements"]["in_force"]
    assert counts["Dagen fonds"] == manifest["counts"]["days"]["FUND"]
    run = {r["Onderdeel"]: r["Waarde"] for r in table(ws, "Onderdeel")}
    assert (run["fundcalc"], run["Periode"]) == (manifest["fundcalc"], manifest["period"])
    assert run["Peildatum"].date().isoformat() == manifest["as_of"]  # was "Peildatum (as-of)"


def test_verantwoording_shows_the_hashes_of_the_other_outputs(sample: Sample) -> None:
    ws = _workbook(sample)["Verantwoording"]
    outputs = {r["Uitvoerbestand"]: r["SHA-256"] for r in table(ws, "Uitvoerbestand")}
    assert outputs == {
        name: hashlib.sha256((sample.folder / name).read_bytes()).hexdigest()
        for name in (EXCEPTIONS, LEDGER, STATEMENT)
    }


def test_verantwoording_shows_every_check_of_every_month_holding(sample: Sample) -> None:
    checks = table(_workbook(sample)["Verantwoording"], "Maand")
    assert [r["Maand"] for r in checks] == [f"2026-{m:02d}" for m in range(1, 11) for _ in "abc"]
    assert {r["Uitkomst"] for r in checks} == {"voldaan"}
    assert [r["Controle"] for r in checks[:3]] == [
        "herkomstdeel + verdeelsleutel = dagkosten + beschikbaarheid fonds",
        "bijdragen = deel van de begroting",
        "Justitie = dagkosten bedenktijd + beschikbaarheid COSM",
    ]


def test_verantwoording_keeps_the_checks_heading_with_its_table(sample: Sample) -> None:
    # Before: "Controles" could stand alone at the foot of a page, its table on the next.
    ws = _workbook(sample)["Verantwoording"]
    caption = next(
        c.row for c in ws["A"] if c.value == "Controles (de invarianten van de berekening)"
    )
    assert caption - 1 in [b.id for b in ws.row_breaks.brk]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage  # Excel keeps breaks only so
