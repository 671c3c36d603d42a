"""report.xlsx read back: the money sheets against statement.csv, privacy, injection, bytes.

Every figure is checked as a stored value, with openpyxl and with fastexcel
(which computes no formula), against statement.csv of the run and, for the
year to date, against each month calculated on its own.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from fractions import Fraction

import pytest

from fundcalc.base.money import budget_part
from fundcalc.base.period import Period
from fundcalc.core.allocation import StatementRow
from fundcalc.core.calculation import calculate
from fundcalc.report.render import REPORT, STATEMENT
from fundcalc.report.sheets import EURO_FORMAT, cell_text
from fundcalc.report.workbook.book import SHEET_NAMES, render_workbook
from tests.readback import body, cents, fastexcel_grid, find_row, item_total, load, statement, table
from tests.synthetic import (
    AS_OF,
    HOSTILE_CLIENTS,
    HOSTILE_FILE,
    HOSTILE_LOT,
    HOSTILE_PLACEMENTS,
    PERIOD,
    Sample,
    raw_log,
    tiny_rules,
)

Statement = dict[tuple[str, str, str], int]
MONTHS_2026 = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt")


@pytest.fixture(scope="module")
def months(sample: Sample) -> dict[Period, Statement]:
    """Each month of 2026 up to October calculated on its own: its statement rows."""
    out = {}
    for m in range(1, PERIOD.month + 1):
        period = Period(2026, m)
        calc = calculate(sample.rules, sample.inputs.log.rows, [period], AS_OF)
        out[period] = {(p, i, f): a for _, p, i, f, a in calc.settlements[period].rows()}
    return out


def _report(sample: Sample) -> bytes:
    return (sample.folder / REPORT).read_bytes()


def test_the_run_writes_the_workbook_with_the_sheets_in_order(sample: Sample) -> None:
    assert load(_report(sample)).sheetnames == list(SHEET_NAMES)


def test_every_sheet_has_a_title_with_period_and_as_of_date(sample: Sample) -> None:
    for ws in load(_report(sample)).worksheets:
        assert ws.title in ws["A1"].value and "oktober 2026" in ws["A1"].value
        assert "23-11-2026" in ws["A2"].value


def test_the_workbook_holds_values_only_and_fastexcel_reads_every_number(sample: Sample) -> None:
    data = _report(sample)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name)), name
    for ws in load(data).worksheets:
        grid = fastexcel_grid(data, ws.title)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float):
                    seen = grid[cell.row - 1][cell.column - 1]
                    assert seen is not None, (ws.title, cell.coordinate)
                    assert float(seen) == pytest.approx(cell.value, rel=1e-9), cell.coordinate


def _summary(sample: Sample) -> dict[str, dict[str, object]]:
    ws = load(_report(sample))["Samenvatting"]
    return {str(r["Onderdeel"]): r for r in table(ws, "Onderdeel")}


def test_summary_month_figures_are_those_of_statement_csv(sample: Sample) -> None:
    rows = statement(sample.folder / STATEMENT)
    summary = _summary(sample)
    month = "oktober 2026"

    def euro(label: str) -> int:
        return cents(summary[label][month])

    contributions = item_total(rows, "contribution")
    costs = item_total(rows, "origin") + item_total(rows, "key")
    assert euro("Bijdragen centrumgemeenten") == contributions
    assert euro("Begroting: deel van de periode") == contributions
    assert euro("Kosten van het fonds") == costs
    assert euro("Dagkosten") + euro("Beschikbaarheidsvergoeding") == costs
    assert euro("Saldo: bijdragen − kosten") == contributions - costs
    assert euro("Herkomstdeel (eigen cliënten)") == item_total(rows, "origin")
    assert euro("Verdeelsleutel") == item_total(rows, "key")
    assert euro("Te betalen door Justitie") == rows[("JUSTICE", "justice", "2026-10")]
    assert euro("Kosten na de bedenktijd") == item_total(rows, "municipal")
    assert summary["Uitzonderingen"][month] == sample.run.manifest["counts"]["exceptions"]
    assert (
        summary["Dagen in de bedenktijd"][month] == sample.run.manifest["counts"]["days"]["JUSTICE"]
    )
    assert summary["Bijdragen centrumgemeenten"][month] == contributions / 100


def test_summary_year_to_date_and_forecast_add_up_the_months(
    sample: Sample, months: dict[Period, Statement]
) -> None:
    summary = _summary(sample)
    ytd = "jan t/m okt 2026"
    contributions = sum(item_total(m, "contribution") for m in months.values())
    costs = sum(item_total(m, "origin") + item_total(m, "key") for m in months.values())
    justice = sum(item_total(m, "justice") for m in months.values())
    assert cents(summary["Bijdragen centrumgemeenten"][ytd]) == contributions
    assert cents(summary["Kosten van het fonds"][ytd]) == costs
    assert cents(summary["Saldo: bijdragen − kosten"][ytd]) == contributions - costs
    assert cents(summary["Te betalen door Justitie"][ytd]) == justice
    budget = sample.rules.budget_for(2026)
    forecast = "Verwachting jaareinde 2026"
    assert cents(summary["Begroting: deel van de periode"][forecast]) == budget
    assert cents(summary["Bijdragen centrumgemeenten"][forecast]) == budget
    rest = round(Fraction(costs * 2, 10))  # two months to come at the average; half to even
    assert cents(summary["Kosten van het fonds"][forecast]) == costs + rest
    assert cents(summary["Saldo: bijdragen − kosten"][forecast]) == budget - costs - rest


def test_euro_amounts_have_the_euro_format(sample: Sample) -> None:
    ws = load(_report(sample))["Samenvatting"]
    row = find_row(ws, "Kosten van het fonds")
    assert {ws.cell(row, c).number_format for c in (2, 3, 4)} == {EURO_FORMAT}


def _centrumgemeenten(sample: Sample) -> list[dict[str, object]]:
    return table(load(_report(sample))["Centrumgemeenten"], "Code")


def test_centrumgemeenten_rows_are_those_of_statement_csv(sample: Sample) -> None:
    rows = statement(sample.folder / STATEMENT)
    centrumgemeenten = _centrumgemeenten(sample)
    month = "okt 2026"
    members = sample.rules.key_for(PERIOD).members
    assert [r["Code"] for r in centrumgemeenten[: len(members)]] == list(members)
    for r in body(centrumgemeenten, "Code"):
        code = str(r["Code"])

        def amount(item: str, code: str = code) -> int:
            return rows.get((code, item, "2026-10"), 0)

        assert cents(r[f"Bijdrage {month}"]) == amount("contribution")
        assert cents(r[f"Herkomstdeel {month}"]) == amount("origin")
        assert cents(r[f"Verdeelsleutel {month}"]) == amount("key")
        assert cents(r[f"Ten laste {month}"]) == amount("origin") + amount("key")
        assert cents(r[f"Saldo {month}"]) == amount("contribution") - amount("origin") - amount(
            "key"
        )
        assert cents(r[f"COSM na bedenktijd {month}"]) == amount("municipal")
    total = centrumgemeenten[-1]
    assert total["Code"] == "Totaal"
    assert cents(total[f"Bijdrage {month}"]) == item_total(rows, "contribution")
    assert cents(total[f"COSM na bedenktijd {month}"]) == item_total(rows, "municipal")


def test_centrumgemeenten_year_to_date_adds_up_each_month(
    sample: Sample, months: dict[Period, Statement]
) -> None:
    ytd = "jan t/m okt 2026"
    for r in body(_centrumgemeenten(sample), "Code"):
        code = str(r["Code"])

        def total(item: str, code: str = code) -> int:
            return sum(m.get((code, item, str(p)), 0) for p, m in months.items())

        assert cents(r[f"Bijdrage {ytd}"]) == total("contribution")
        assert cents(r[f"Herkomstdeel {ytd}"]) == total("origin")
        assert cents(r[f"Verdeelsleutel {ytd}"]) == total("key")
        assert cents(r[f"Ten laste {ytd}"]) == total("origin") + total("key")
        assert cents(r[f"Saldo {ytd}"]) == total("contribution") - total("origin") - total("key")
        assert cents(r[f"COSM na bedenktijd {ytd}"]) == total("municipal")


def test_centrumgemeenten_prints_the_month_and_the_year_to_date_each_on_a_page(
    sample: Sample,
) -> None:
    # Before: fourteen columns fitted to one page width, printed at about 6 points.
    ws = load(_report(sample))["Centrumgemeenten"]
    header = [c.value for c in ws[find_row(ws, "Code")]]
    assert header[:3] == ["Code", "Centrumgemeente", "Bijdrage okt 2026"]
    assert header[8:11] == ["Code", "Centrumgemeente", "Bijdrage jan t/m okt 2026"]
    assert [b.id for b in ws.col_breaks.brk] == [8]
    assert ws["I1"].value == ws["A1"].value
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.scale >= 70  # 35 members on a page of their own
    for row in body(_centrumgemeenten(sample), "Code"):
        assert row["Code"] == ws.cell(find_row(ws, str(row["Code"])), 9).value


def test_verloop_has_a_row_per_month_with_its_statement_and_a_chart(
    sample: Sample, months: dict[Period, Statement]
) -> None:
    ws = load(_report(sample))["Verloop"]
    rows = table(ws, "Maand")
    assert [r["Maand"] for r in rows] == [
        *(f"{m} 2026" for m in MONTHS_2026),
        "Totaal",
    ]
    for r, m in zip(rows, months.values(), strict=False):
        assert cents(r["Bijdragen"]) == item_total(m, "contribution")
        assert cents(r["Kosten fonds"]) == item_total(m, "origin") + item_total(m, "key")
        assert cents(r["Justitie"]) == item_total(m, "justice")
        assert cents(r["COSM na bedenktijd"]) == item_total(m, "municipal")
        assert cents(r["Saldo"]) == cents(r["Bijdragen"]) - cents(r["Kosten fonds"])
    assert len(ws._charts) == 1


CORRECTIONS = (
    StatementRow("2026-10", "GM0363", "key", "2026-08", 1250),
    StatementRow("2026-10", "GM0363", "origin", "2026-08", -300),
    StatementRow("2026-10", "GM0599", "key", "2026-09", -75),
    StatementRow("2026-10", "JUSTICE", "justice", "2026-09", 4410),
)


def _render(sample: Sample, corrections: tuple[StatementRow, ...] = ()) -> bytes:
    return render_workbook(sample.rules, sample.run.calculation, PERIOD, corrections=corrections)


def test_correcties_shows_corrections_per_earlier_period_and_payer(sample: Sample) -> None:
    data = _render(sample, CORRECTIONS)
    rows = table(load(data)["Correcties"], "Voor periode")
    assert [(r["Voor periode"], r["Betaler"], r["Naam"]) for r in rows] == [
        ("2026-08", "GM0363", "Amsterdam"),
        ("2026-09", "GM0599", "Rotterdam"),
        ("2026-09", "JUSTICE", "Justitie"),
        ("Totaal", None, None),
    ]
    assert [cents(r["Verdeelsleutel"]) for r in rows] == [1250, -75, 0, 1175]
    assert [cents(r["Herkomstdeel"]) for r in rows] == [-300, 0, 0, -300]
    assert [cents(r["Totaal"]) for r in rows] == [950, -75, 4410, 5285]
    summary = {str(r["Onderdeel"]): r for r in table(load(data)["Samenvatting"], "Onderdeel")}
    assert cents(summary["Correcties op eerdere maanden (saldo)"]["oktober 2026"]) == 5285


def test_correcties_is_present_and_says_so_when_there_are_none(sample: Sample) -> None:
    ws = load(_report(sample))["Correcties"]
    assert table(ws, "Voor periode") == []
    assert "Geen correcties" in ws.cell(find_row(ws, "Voor periode") + 1, 1).value


def test_the_same_inputs_give_byte_identical_workbooks(sample: Sample) -> None:
    assert _render(sample) == _render(sample)
    assert _render(sample, CORRECTIONS) == _render(sample, CORRECTIONS)
    assert _render(sample) != _render(sample, CORRECTIONS)


# --- privacy and injection, on a log built to break them ---


def _all_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())


def test_no_client_id_appears_anywhere_in_the_workbook(hostile: Sample, sample: Sample) -> None:
    for run, clients in (
        (hostile, HOSTILE_CLIENTS),
        (
            sample,
            sample.run.calculation.versions.placements["client_id"].drop_nulls().unique().to_list(),
        ),
    ):
        text = _all_text((run.folder / REPORT).read_bytes())
        escaped = {c.replace("&", "&amp;").replace("<", "&lt;") for c in clients}
        assert not [c for c in escaped if c in text]
        cells = {
            str(cell.value)
            for ws in load((run.folder / REPORT).read_bytes()).worksheets
            for row in ws.iter_rows()
            for cell in row
        }
        assert not [c for c in clients if any(c in v for v in cells)]


def test_a_count_of_fewer_than_five_placements_is_shown_as_less_than_five(hostile: Sample) -> None:
    rows = {
        r["Code"]: r
        for r in table(load((hostile.folder / REPORT).read_bytes())["Doelgroepen"], "Code")
    }
    # Three placements on the STALKING lot, none on EGG_JONG.
    assert rows["STALKING"]["Plaatsingen okt 2026"] == "<5"
    assert rows["EGG_JONG"]["Plaatsingen okt 2026"] == "<5"
    assert rows["Totaal"]["Plaatsingen okt 2026"] is None  # it would reveal the small ones


def _cells_with(data: bytes, predicate: Callable[[str], bool]) -> list[tuple[str, str, object]]:
    return [
        (ws.title, cell.coordinate, cell)
        for ws in load(data).worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and predicate(cell.value)
    ]


#: Text from the hostile log that the workbook shows (placement ids, the file name).
SHOWN = {*HOSTILE_PLACEMENTS, "=UNKNOWN-LOT", "@GEMEENTE", "-DATUM", "+PLUS", HOSTILE_FILE}


def test_input_text_that_looks_like_a_formula_is_written_as_text(hostile: Sample) -> None:
    data = (hostile.folder / REPORT).read_bytes()
    expected = {cell_text(text) for text in SHOWN}
    found = _cells_with(data, lambda v: v in expected)
    assert {cell.value for _, _, cell in found} == expected
    for _, _, cell in found:
        assert cell.data_type == "s"
        assert cell.quotePrefix == cell.value.startswith(("=", "+", "-", "@"))
    reasons = _cells_with(data, lambda v: HOSTILE_LOT in v or "=GM9999" in v or "=1+1'" in v)
    # Three reasons on Uitzonderingen, and the unknown lot listed on Aanbieders en percelen.
    assert len(reasons) == 4 and all(cell.data_type == "s" for _, _, cell in reasons)
    assert {sheet for sheet, _, _ in reasons} == {"Uitzonderingen", "Aanbieders en percelen"}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<f[ >]", archive.read(name))


def test_fastexcel_reads_formula_like_input_back_as_the_same_text(hostile: Sample) -> None:
    data = (hostile.folder / REPORT).read_bytes()
    texts = {v for sheet in SHEET_NAMES for row in fastexcel_grid(data, sheet) for v in row}
    assert texts >= SHOWN


def test_budget_part_of_the_summary_follows_the_money_rules(sample: Sample) -> None:
    summary = _summary(sample)
    assert cents(summary["Begroting: deel van de periode"]["oktober 2026"]) == budget_part(
        sample.rules.budget_for(2026), 10
    )


def test_a_month_without_placements_still_has_every_sheet_with_zero_totals() -> None:
    rules = tiny_rules()
    calculation = calculate(rules, raw_log([]), [PERIOD], AS_OF)
    workbook = load(render_workbook(rules, calculation, PERIOD))
    assert workbook.sheetnames == list(SHEET_NAMES)
    summary = {r["Onderdeel"]: r for r in table(workbook["Samenvatting"], "Onderdeel")}
    assert cents(summary["Bijdragen centrumgemeenten"]["oktober 2026"]) == 10000
    # Only availability: KLEIN 15 days × 1 place × €10 + 16 × 2 × €12, GROOT 31 × 10 × €1.
    assert cents(summary["Kosten van het fonds"]["oktober 2026"]) == 15000 + 38400 + 31000
    assert table(workbook["Uitzonderingen"], "Soort") == []
    placements = table(workbook["Justitie (COSM)"], "Plaatsing")
    assert [r["Plaatsing"] for r in placements] == ["Totaal"]
