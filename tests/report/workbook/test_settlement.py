"""settlement.xlsx: the jaarafrekening's sheets, figures as stored values, stable bytes."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from fundcalc.base.period import Period
from fundcalc.core.allocation import StatementRow
from fundcalc.core.settlement import YearSettlement, settle_year
from fundcalc.inputs.rules import KeyVersion, SettlementVersion
from fundcalc.report.workbook.settlement import (
    JusticeLot,
    YearSources,
    euro_text,
    render_settlement_book,
    sheet_name,
)
from tests.readback import cents, fastexcel_grid, find_row, load, table

YEAR = 2025


def statements() -> dict[Period, tuple[StatementRow, ...]]:
    months: dict[Period, tuple[StatementRow, ...]] = {}
    for month in range(1, 13):
        p = f"{YEAR}-{month:02d}"
        rows: list[StatementRow] = [
            StatementRow(p, "GM0001", "contribution", p, 25_000),
            StatementRow(p, "GM0002", "contribution", p, 75_000),
            StatementRow(p, "GM0001", "key", p, 10_000),
            StatementRow(p, "GM0002", "key", p, 30_000),
            StatementRow(p, "GM0002", "origin", p, 5_000),
            StatementRow(p, "GM0003", "municipal", p, 1_234),
            StatementRow(p, "JUSTICE", "justice", p, 9_000),
        ]
        if month == 2:
            rows.append(StatementRow(p, "GM0002", "origin", f"{YEAR - 1}-12", -777))
        months[Period(YEAR, month)] = tuple(rows)
    return months


def sources(**changes: object) -> YearSources:
    base = {
        "fund": "Fonds",
        "year": YEAR,
        "budget": 1_200_000,
        "statements": statements(),
        "month_totals": {
            Period(YEAR, m): {"fund_day_costs": 40_000, "fund_availability": 5_000}
            for m in range(1, 13)
        },
        "as_of": {Period(YEAR, m): date(YEAR + (m == 12), m % 12 + 1, 5) for m in range(1, 13)},
        "justice_lots": (JusticeLot("COSM-W", "Stichting", 400, 90_000, 18_000),),
        "names": {"GM0001": "Amsterdam", "GM0002": "Rotterdam", "GM0003": "Utrecht"},
        "closes": tuple(
            (f"{YEAR}-{m:02d}", date(YEAR, 2, 5), "a" * 64, "b" * 64) for m in range(1, 13)
        ),
        "rules_files": (("arrangement.toml", "c" * 64),),
        "opening_from": "de regels",
        "output_hashes": {"settlement.csv": "d" * 64},
    }
    base.update(changes)
    return YearSources(**base)  # type: ignore[arg-type]


def settlement() -> YearSettlement:
    rows = [row for month in statements().values() for row in month]
    key = KeyVersion(date(YEAR, 1, 1), {"GM0001": Fraction(1), "GM0002": Fraction(3)})
    terms = SettlementVersion(date(YEAR, 1, 1), "balance", 100_000)
    return settle_year(YEAR, rows, key=key, terms=terms, opening_reserve=20_000)


def test_the_workbook_has_the_fund_the_members_a_page_each_and_the_accounts() -> None:
    book = load(render_settlement_book(sources(), settlement()))
    assert book.sheetnames == [
        "Jaarrekening fonds",
        "Per centrumgemeente",
        "GM0001 Amsterdam",
        "GM0002 Rotterdam",
        "Justitie",
        "Verloop",
        "Verantwoording",
    ]


def test_the_fund_sheet_shows_the_result_and_the_reserve_movement() -> None:
    s = settlement()
    ws = load(render_settlement_book(sources(), s))["Jaarrekening fonds"]
    figures = {r["Onderdeel"]: r["Bedrag"] for r in table(ws, "Onderdeel")}
    contributions, charged = 1_200_000, 12 * 45_000 - 777
    assert cents(figures["Bijdragen centrumgemeenten (voorschotten)"]) == contributions
    assert cents(figures["Kosten ten laste van de leden"]) == charged
    assert cents(figures["Correcties op eerdere maanden"]) == -777
    assert cents(figures["Resultaat: bijdragen − kosten"]) == contributions - charged == s.result
    assert cents(figures["Beginstand"]) == 20_000
    assert cents(figures["Toevoeging (+) of onttrekking (−)"]) == 80_000
    assert cents(figures["Eindstand"]) == 100_000
    assert cents(figures["Af te rekenen: resultaat − toevoeging reserve"]) == s.result - 80_000


def test_a_members_page_has_its_months_its_corrections_and_what_it_receives() -> None:
    ws = load(render_settlement_book(sources(), settlement()))["GM0002 Rotterdam"]
    assert ws.page_setup.fitToHeight == 1
    months = table(ws, "Maand")
    assert [r["Maand"] for r in months][:2] == ["januari", "februari"]
    february, year = months[1], months[-1]
    assert (cents(february["Herkomstdeel"]), cents(february["Correcties"])) == (5_000, -777)
    assert cents(february["Ten laste"]) == 5_000 + 30_000 - 777
    assert cents(year["Herkomstdeel"]) == 60_000  # the months' own rows
    assert cents(year["Ten laste"]) == settlement().member("GM0002").charged
    note = ws.cell(find_row(ws, "Totaal", find_row(ws, "Maand")) + 1, 1).value
    assert note.endswith("Correcties geboekt in 2025, per gecorrigeerde maand: dec 2024 € -7,77.")
    summary = {r["Afrekening"]: r["Bedrag"] for r in table(ws, "Afrekening")}
    member = settlement().member("GM0002")
    assert cents(summary["Te ontvangen van het fonds"]) == member.settlement
    assert cents(summary["Aandeel toevoeging (+) / onttrekking (−) reserve"]) == 60_000
    assert cents(summary["Aandeel in de egalisatiereserve na afrekening"]) == 75_000


def test_direct_cosm_charges_are_shown_apart_from_the_members() -> None:
    ws = load(render_settlement_book(sources(), settlement()))["Per centrumgemeente"]
    members = table(ws, "Code")
    assert [r["Code"] for r in members] == ["GM0001", "GM0002", "Totaal"]
    apart = table(ws, "Code", find_row(ws, "Apart: rechtstreeks betaald, buiten het fonds"))
    assert [(r["Code"], cents(r["COSM na bedenktijd"]), r["Lid"]) for r in apart[:1]] == [
        ("GM0003", 12 * 1_234, "nee")
    ]


def test_justice_per_lot_adds_up_to_the_statements() -> None:
    ws = load(render_settlement_book(sources(), settlement()))["Justitie"]
    rows = {r["Perceel"]: r for r in table(ws, "Perceel")}
    assert cents(rows["COSM-W"]["Totaal"]) == 108_000
    assert cents(rows["Correcties en verschillen"]["Totaal"]) == 0
    assert cents(rows["Totaal"]["Totaal"]) == 12 * 9_000


def test_every_figure_is_a_stored_value_and_the_bytes_are_stable() -> None:
    data = render_settlement_book(sources(), settlement())
    assert data == render_settlement_book(sources(), settlement())
    grid = fastexcel_grid(data, "Verloop")
    assert not any(str(v).startswith("=") for row in grid for v in row if v is not None)
    assert any(v in {"1000", "1000.0"} for row in grid for v in row)


def test_a_sheet_name_keeps_to_excels_alphabet_and_length() -> None:
    assert sheet_name("GM0796", "'s-Hertogenbosch") == "GM0796 's-Hertogenbosch"
    assert sheet_name("GM0001", "A/B [C]: een heel lange naam die niet past'") == (
        "GM0001 AB C een heel lange naam"
    )


def test_an_amount_in_a_sentence_is_written_the_dutch_way() -> None:
    assert euro_text(-123_456_789) == "€ -1.234.567,89"
    assert euro_text(5) == "€ 0,05"
