"""The files of a drawn sample (`outputs/sample-<Y>-<seed8>/`), rendered to bytes.

- `sample.csv`: the sample as §11 writes it, for programs;
- `population.csv`: every placement of the population with its rank, in rank
  order, so that anyone can check each rank with `sha256sum` and see that the
  sample is the head of this list (placement ids only, no client);
- `steekproef.xlsx`: the Dutch workbook for the independent reviewing body,
  marked VERTROUWELIJK (confidential) in the header of every printed page.
  Its first sheet, *Steekproef*, is a plain table from the first row on: per
  placement what a reviewer needs, then three empty columns for the verdict
  (`Doelgroep ja/nee`, `Datum oordeel`, `Kenmerk`) that `inputs.verdicts`
  reads back when the filled-in workbook is put in `inputs/eligibility/`. Its
  second sheet, *Toelichting*, says how the sample was drawn, how to fill it
  in and how to redraw it with `sha256sum`.

These files name clients (by pseudonym): they are for the reviewers only and
nothing of them goes into `report.xlsx` beyond counts.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from fundcalc.core.sample import SAMPLE_COLUMNS
from fundcalc.report.dutch import GROUP_NAMES
from fundcalc.report.sheets import (
    DATE_FORMAT,
    Euro,
    Row,
    Sheet,
    Table,
    _put,
    _write_sheet,
    cell_text,
    stable_zip,
)

SAMPLE_CSV = "sample.csv"
POPULATION_CSV = "population.csv"
WORKBOOK = "steekproef.xlsx"
CONFIDENTIAL = "VERTROUWELIJK"

#: The header of the sheet Steekproef: what the reviewer is shown, then the verdict.
#: The Dutch names are read back by `inputs.verdicts`.
SHOWN = (
    "Nr",
    "Plaatsing",
    "Cliënt",
    "Perceel",
    "Aanbieder",
    "Doelgroep",
    "Centrumgemeente",
    "Naam centrumgemeente",
    "Eerste fondsdag",
    "Laatste fondsdag",
    "Fondsdagen",
    "Kosten fonds",
)
VERDICT = ("Doelgroep ja/nee", "Datum oordeel", "Kenmerk")
TRACE = ("Steekproef", "Rang (SHA-256)")
WIDTHS = (5, 16, 14, 14, 26, 32, 17, 20, 12, 12, 12, 13, 14, 14, 24, 15, 66)

_HEADER_FONT = Font(name="Calibri", bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_FILL_IN = PatternFill("solid", fgColor="FFF2CC")
_WRAP = Alignment(wrap_text=True, vertical="bottom")


@dataclass(frozen=True)
class Drawing:
    """What a drawing of the sample was: enough to redraw it."""

    fund: str
    year: int
    seed: str
    #: Where the seed came from, in Dutch ("opgegeven met --seed" or the statement).
    seed_source: str
    as_of: date
    size: int
    population: int

    @property
    def name(self) -> str:
        """The sample's name, as in the column Steekproef: `<Y>-<first 8 of seed>`."""
        return f"{self.year}-{self.seed[:8]}"


def render_sample_csv(sample: pl.DataFrame) -> bytes:
    """sample.csv: `rank,placement_id,client_id,lot_id,group,centrumgemeente,first_day,
    last_day,fund_days,fund_cents`, dates ISO, LF line ends, in rank order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SAMPLE_COLUMNS)
    for row in sample.select(SAMPLE_COLUMNS).iter_rows():
        writer.writerow([v.isoformat() if isinstance(v, date) else v for v in row])
    return buffer.getvalue().encode("utf-8")


def render_population_csv(population: pl.DataFrame) -> bytes:
    """population.csv: `rank,placement_id` of every placement of the population, in rank order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("rank", "placement_id"))
    writer.writerows(population.select("rank", "placement_id").iter_rows())
    return buffer.getvalue().encode("utf-8")


def render_steekproef(
    drawing: Drawing,
    sample: pl.DataFrame,
    *,
    providers: dict[str, str],
    names: dict[str, str],
) -> bytes:
    """steekproef.xlsx for the reviewing body; the same drawing gives the same bytes.

    `providers` names each lot's provider, `names` each centrumgemeente.
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    _sample_sheet(ws, drawing, sample, providers, names)
    guide = wb.create_sheet()
    _write_sheet(guide, _guide(drawing))
    _confidential(guide, drawing)
    stamp = datetime(drawing.as_of.year, drawing.as_of.month, drawing.as_of.day)
    wb.properties.creator = "fundcalc"
    wb.properties.title = cell_text(f"{CONFIDENTIAL} — steekproef toetsing {drawing.name}")
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    import zipfile  # noqa: PLC0415 - as report.sheets writes a workbook

    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(wb, archive).save()
    return stable_zip(buffer.getvalue(), stamp)


def _sample_sheet(
    ws: Worksheet,
    drawing: Drawing,
    sample: pl.DataFrame,
    providers: dict[str, str],
    names: dict[str, str],
) -> None:
    """Steekproef: the header in row 1 (so the sheet reads back as a table), one row per
    placement, the verdict's columns marked to be filled in."""
    ws.title = "Steekproef"
    header = (*SHOWN, *VERDICT, *TRACE)
    for column, name in enumerate(header, 1):
        cell = ws.cell(1, column)
        _put(cell, name)
        cell.font = _HEADER_FONT
        cell.fill = _FILL_IN if name in VERDICT else _HEADER_FILL
        cell.alignment = _WRAP
    first_verdict = len(SHOWN) + 1
    for number, row in enumerate(sample.iter_rows(named=True), 1):
        values = (
            number,
            row["placement_id"],
            row["client_id"],
            row["lot_id"],
            providers.get(row["lot_id"], ""),
            GROUP_NAMES.get(row["group"] or "", row["group"] or ""),
            row["centrumgemeente"],
            names.get(row["centrumgemeente"], ""),
            row["first_day"],
            row["last_day"],
            row["fund_days"],
            Euro(row["fund_cents"]),
            None,
            None,
            None,
            drawing.name,
            row["rank"],
        )
        for column, value in enumerate(values, 1):
            _put(ws.cell(number + 1, column), value)
        for column in range(first_verdict, first_verdict + len(VERDICT)):
            ws.cell(number + 1, column).fill = _FILL_IN
        ws.cell(number + 1, first_verdict + 1).number_format = DATE_FORMAT
    last = max(len(sample) + 1, 2)
    choice = DataValidation(
        type="list",
        formula1='"ja,nee"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Doelgroep ja/nee",
        error="Vul ja of nee in.",
    )
    letter = get_column_letter(first_verdict)
    choice.add(f"{letter}2:{letter}{last}")
    ws.add_data_validation(choice)
    for column, width in enumerate(WIDTHS, 1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "C2"
    ws.print_title_rows = "1:1"
    # On paper the rank (64 characters) is left off: it is for sha256sum, not for reading.
    ws.print_area = f"A1:{get_column_letter(len(header) - 1)}{last}"
    _confidential(ws, drawing)


def _confidential(ws: Worksheet, drawing: Drawing) -> None:
    """Landscape A4 fitted to the width; VERTROUWELIJK in the header of every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.7
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddHeader.left.text = cell_text(f"Toetsing doelgroepen — steekproef {drawing.name}")
    ws.oddHeader.center.text = CONFIDENTIAL
    ws.oddHeader.center.font = "Calibri,Bold"
    ws.oddHeader.center.size = 14
    ws.oddHeader.center.color = "C00000"
    ws.oddHeader.right.text = "Bevat cliëntgegevens"
    ws.oddFooter.left.text = cell_text(f"{ws.title} — {CONFIDENTIAL}").replace("&", "&&")
    ws.oddFooter.right.text = "Pagina &P van &N"


def _guide(d: Drawing) -> Sheet:
    """Toelichting: the drawing, how to fill it in, how to redraw it with sha256sum."""
    drawing = Table(
        ("Gegeven", "Waarde"),
        (
            Row(("Fonds", d.fund)),
            Row(("Jaar", str(d.year))),
            Row(("Steekproef", d.name)),
            Row(("Zaad (seed)", d.seed)),
            Row(("Herkomst van het zaad", d.seed_source)),
            Row(("Stand van de gegevens", d.as_of)),
            Row(("Populatie (plaatsingen)", d.population)),
            Row(("Gevraagde omvang", d.size)),
            Row(("Getrokken", min(d.size, d.population))),
        ),
        caption="De trekking",
        align_left=True,
    )
    fill_in = Table(
        ("Kolom", "Wat u invult"),
        (
            Row(("Doelgroep ja/nee", "ja: hoort tot de doelgroep; nee: hoort er niet toe")),
            Row(("Datum oordeel", "de dag waarop het oordeel is gegeven (dd-mm-jjjj)")),
            Row(("Kenmerk", "uw kenmerk of dossiernummer van het oordeel")),
        ),
        caption="Invullen",
        note="Laat de andere kolommen en de kopregel staan en stuur het ingevulde bestand"
        " terug. De administratie zet het in inputs/eligibility/; fundcalc leest de oordelen"
        " daaruit. Bij 'nee' betaalt de centrumgemeente de dagen van de plaatsing op een"
        " fondsperceel rechtstreeks in plaats van het fonds; afgesloten maanden worden"
        " gecorrigeerd. Een regel zonder oordeel telt niet mee en staat bij de uitzonderingen.",
    )
    example = f"{d.seed}:PL-2026-000123"
    redraw = Table(
        ("Stap", "Hoe"),
        (
            Row(
                (
                    "1. De rang",
                    "De rang van een plaatsing is de SHA-256 (kleine letters, hexadecimaal)"
                    " van de tekst zaad:plaatsingsnummer in UTF-8, zonder regeleinde.",
                )
            ),
            Row(("2. Eén rang natrekken", f"printf '%s' '{example}' | sha256sum")),
            Row(
                (
                    "3. De hele steekproef",
                    "population.csv (naast dit bestand) geeft elke plaatsing van de populatie"
                    " met haar rang, op rang gesorteerd; de steekproef is het begin ervan."
                    " Met een lijst plaatsingsnummers ids.txt:",
                )
            ),
            Row(
                (
                    "",
                    f"while read id; do printf '%s %s\\n' \"$(printf '%s' \"{d.seed}:$id\""
                    f' | sha256sum | cut -c1-64)" "$id"; done < ids.txt | sort'
                    f" | head -n {d.size}",
                )
            ),
            Row(
                (
                    "4. Het zaad",
                    "Zonder opgegeven zaad is het zaad de SHA-256 van de gearchiveerde"
                    " statement.csv van de laatst afgesloten maand van het jaar: sha256sum"
                    " van dat bestand (outputs/archive/objects/) geeft het terug. Het kon dus"
                    " pas gekozen worden toen die maand was afgesloten.",
                )
            ),
        ),
        caption="Zelf natrekken",
        align_left=True,
    )
    return Sheet(
        "Toelichting",
        f"{CONFIDENTIAL} — Steekproef toetsing doelgroepen {d.year}",
        f"{d.fund}: de steekproef {d.name} voor de onafhankelijke toetsing. Stand van de"
        f" gegevens per {d.as_of.strftime('%d-%m-%Y')}. Dit bestand bevat cliëntgegevens"
        " (pseudoniemen): alleen voor de toetsers.",
        (drawing, fill_in, redraw),
        widths={0: 24, 1: 100},
        header_table=None,
    )
