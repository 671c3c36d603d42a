"""Uitzonderingen and Verantwoording read back against exceptions.csv and the manifest."""

from __future__ import annotations

import csv
import hashlib
import json

import polars as pl
from openpyxl import Workbook

from fundcalc.report.render import EXCEPTIONS, LEDGER, MANIFEST, REPORT, STATEMENT
from tests.readback import cents, load, table
from tests.synthetic import Sample


def _workbook(sample: Sample) -> Workbook:
    return load((sample.folder / REPORT).read_bytes())


def test_every_exception_is_listed_with_file_line_placement_and_days(sample: Sample) -> None:
    rows = table(_workbook(sample)["Uitzonderingen"], "Soort")
    with (sample.folder / EXCEPTIONS).open(encoding="utf-8-sig", newline="") as stream:
        expected = list(csv.DictReader(stream, delimiter=";"))
    assert len(rows) == len(expected) > 0
    for shown, found in zip(rows, expected, strict=True):
        assert (
            shown["Soort"]
            == {"exception": "uitzondering", "warning": "waarschuwing"}[found["kind"]]
        )
        assert (shown["Bestand"], shown["Regel"], shown["Plaatsing"]) == (
            found["source"] or None,
            int(found["line"]) if found["line"] else None,
            found["placement_id"] or None,
        )
        assert shown["Dagen"] == (int(found["days"]) if found["days"] else None)


def test_the_days_of_a_non_member_show_what_they_would_have_cost(sample: Sample) -> None:
    rows = table(_workbook(sample)["Uitzonderingen"], "Soort")
    ledger = pl.read_parquet(sample.folder / LEDGER).filter(pl.col("stream") == "REJECTED")
    not_member = [r for r in rows if r["Reden"] == "geen lid van het fonds"]
    assert not_member
    for r in not_member:
        runs = ledger.filter(pl.col("placement_id") == r["Plaatsing"])
        assert cents(r["Niet in rekening"]) == (runs["days"] * runs["day_tariff_cents"]).sum()
    unknown = next(r for r in rows if str(r["Reden"]).startswith("onbekend perceel"))
    assert unknown["Niet in rekening"] is None


def test_verantwoording_shows_the_hashes_and_counts_of_the_manifest(sample: Sample) -> None:
    ws = _workbook(sample)["Verantwoording"]
    manifest = json.loads((sample.folder / MANIFEST).read_text())
    rules = {r["Regelbestand"]: r["SHA-256"] for r in table(ws, "Regelbestand")}
    assert rules == {f["file"]: f["sha256"] for f in manifest["rules"]}
    inputs = table(ws, "Invoerbestand")
    assert [(r["Invoerbestand"], r["SHA-256"], r["Regels"]) for r in inputs[:-1]] == [
        (f["file"], f["sha256"], f["rows"]) for f in manifest["inputs"]
    ]
    counts = {r["Telling"]: r["Aantal"] for r in table(ws, "Telling")}
    assert counts["Regels gelezen"] == manifest["counts"]["rows"]["read"]
    assert counts["Versies in werking"] == manifest["counts"]["rows"]["in_force"]
    assert counts["Plaatsingen in werking"] == manifest["counts"]["placements"]["in_force"]
    assert counts["Dagen fonds"] == manifest["counts"]["days"]["FUND"]
    run = {r["Onderdeel"]: r["Waarde"] for r in table(ws, "Onderdeel")}
    assert (run["fundcalc"], run["Periode"]) == (manifest["fundcalc"], manifest["period"])
    assert run["Peildatum (as-of)"].date().isoformat() == manifest["as_of"]


def test_verantwoording_shows_the_hashes_of_the_other_outputs(sample: Sample) -> None:
    ws = _workbook(sample)["Verantwoording"]
    outputs = {r["Uitvoerbestand"]: r["SHA-256"] for r in table(ws, "Uitvoerbestand")}
    assert outputs == {
        name: hashlib.sha256((sample.folder / name).read_bytes()).hexdigest()
        for name in (EXCEPTIONS, LEDGER, STATEMENT)
    }


def test_verantwoording_shows_every_check_of_every_month_holding(sample: Sample) -> None:
    checks = table(_workbook(sample)["Verantwoording"], "Maand")
    assert [r["Maand"] for r in checks] == [f"2026-{m:02d}" for m in range(1, 11) for _ in (1, 2)]
    assert {r["Uitkomst"] for r in checks} == {"voldaan"}
