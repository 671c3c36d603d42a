"""scenario.xlsx: what a change in the rules would do to a year, for the committee (§12).

One column (or group of columns) per scenario beside the current rules
(*huidige regels*), so the committee compares options side by side:

* Wijziging — each scenario's description and every version it adds or replaces;
* Fonds — budget, contributions, the fund's costs and balance, Justice and the
  direct charges, with the difference;
* Centrumgemeenten — per member what it contributes and is charged, and who
  pays more or less;
* Percelen — per lot places, occupied days, occupancy and cost;
* Maanden — per month the fund's costs both ways, with a chart of the lines;
* Jaarafrekening — the year-end result, the reserve and each member's
  settlement (§9), when the rules or a scenario have a `[[settlement]]` for
  the year;
* Verantwoording — how it was made: version, year, as-of date, every file
  with its SHA-256.

No client identifier and no count of placements appear in it. Rendering is
pure: the same inputs give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from fundcalc import __version__
from fundcalc.core.allocation import CONTRIBUTION, MUNICIPAL_ITEM
from fundcalc.core.settlement import YearSettlement
from fundcalc.core.year import LotYear, YearOutcome, charged, payments, year_end
from fundcalc.inputs.scenario import Scenario
from fundcalc.report.changes import change_lines
from fundcalc.report.dutch import GROUP_NAMES, percent, short_month
from fundcalc.report.sheets import (
    SECTION,
    TOTAL,
    Average,
    CellValue,
    ChartSpec,
    Euro,
    Percent,
    Row,
    Sheet,
    Table,
    workbook_bytes,
)

BASE = "Huidige regels"
SHEET_NAMES = (
    "Wijziging",
    "Fonds",
    "Centrumgemeenten",
    "Percelen",
    "Maanden",
    "Jaarafrekening",
    "Verantwoording",
)


@dataclass(frozen=True)
class ScenarioOutcome:
    """A scenario and its year."""

    scenario: Scenario
    outcome: YearOutcome


def render_scenario_workbook(
    base: YearOutcome,
    scenarios: Sequence[ScenarioOutcome],
    *,
    input_hashes: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The committee's workbook comparing `scenarios` with the current rules, as .xlsx bytes.

    `input_hashes` are the log's files (name, SHA-256), shown on Verantwoording.
    """
    settlement = year_end_sheet(base, scenarios)
    sheets = (
        changes_sheet(base, scenarios),
        fund_sheet(base, scenarios),
        members_sheet(base, scenarios),
        lots_sheet(base, scenarios),
        months_sheet(base, scenarios),
        *(() if settlement is None else (settlement,)),
        accounts_sheet(base, scenarios, input_hashes),
    )
    as_of = base.as_of
    return workbook_bytes(
        sheets,
        stamp=datetime(as_of.year, as_of.month, as_of.day),
        creator=f"fundcalc {__version__}",
        title=f"{base.rules.fund_name} — wat als {base.year}",
    )


def _title(base: YearOutcome, what: str) -> str:
    return f"{base.rules.fund_name} — wat als {base.year} — {what}"


def _subtitle(base: YearOutcome, shows: str) -> str:
    return (
        f"{shows} Elke maand van {base.year} berekend uit het logboek zoals bekend per"
        f" {base.as_of.strftime('%d-%m-%Y')}: plaatsingen die dan openstaan lopen door,"
        " nieuwe komen er niet bij; geen archief, geen correcties."
    )


def _names(scenarios: Sequence[ScenarioOutcome]) -> list[str]:
    return [s.scenario.name for s in scenarios]


# --- Wijziging ---


def changes_sheet(base: YearOutcome, scenarios: Sequence[ScenarioOutcome]) -> Sheet:
    """Wijziging: per scenario its description and each change in words."""
    tables = []
    for s in scenarios:
        lines = change_lines(s.scenario.changes, base.rules)
        rows = tuple(
            Row(
                (
                    line.what,
                    line.valid_from,
                    line.now,
                    line.becomes,
                    line.action,
                )
            )
            for line in lines
        ) or (Row(("Geen wijzigingen: het scenario is gelijk aan de huidige regels.",)),)
        tables.append(
            Table(
                ("Wat", "Vanaf", "Nu in de regels", "In het scenario", "Actie"),
                rows,
                caption=f"Scenario {s.scenario.name}"
                + (f": {s.scenario.description}" if s.scenario.description else ""),
                note=f"Bestand {s.scenario.file}. Een versie die het scenario toevoegt, staat"
                " naast wat de regels op die dag hebben.",
                align_left=True,
            )
        )
    return Sheet(
        "Wijziging",
        _title(base, "wat verandert er"),
        _subtitle(base, "Wat elk scenario aan de regels verandert."),
        tuple(tables),
        widths={0: 40, 1: 11, 2: 48, 3: 48, 4: 10},
    )


# --- Fonds ---


def fund_sheet(base: YearOutcome, scenarios: Sequence[ScenarioOutcome]) -> Sheet:
    """Fonds: the year's money both ways, with the difference per scenario."""

    def row(label: str, value: Callable[[YearOutcome], int], kind: str = "body") -> Row:
        cells: list[CellValue] = [label, Euro(value(base))]
        for s in scenarios:
            cells += [Euro(value(s.outcome)), Euro(value(s.outcome) - value(base))]
        return Row(tuple(cells), kind)

    def section(label: str) -> Row:
        return Row((label,), SECTION)

    def occupied(o: YearOutcome) -> int:
        return sum(lot.occupied_days for lot in o.lots if not lot.is_cosm)

    rows = (
        section("Fonds"),
        row("Begroting", lambda o: o.budget),
        row("Bijdragen centrumgemeenten", lambda o: o.contributions),
        row("Dagkosten fondspercelen", lambda o: o.fund_day_costs),
        row("Beschikbaarheidsvergoeding fondspercelen", lambda o: o.fund_availability),
        row("Kosten van het fonds", lambda o: o.fund_costs, TOTAL),
        row("Saldo: bijdragen − kosten", lambda o: o.balance, TOTAL),
        section("Buiten het fonds"),
        row("Justitie (COSM in de bedenktijd)", lambda o: o.justice),
        row("Centrumgemeenten rechtstreeks (COSM na de bedenktijd)", lambda o: o.municipal),
        section("Gebruik"),
        Row(
            (
                "Bezette dagen fondspercelen",
                occupied(base),
                *(
                    v
                    for s in scenarios
                    for v in (occupied(s.outcome), occupied(s.outcome) - occupied(base))
                ),
            )
        ),
    )
    columns = ["Onderdeel", BASE]
    for name in _names(scenarios):
        columns += [name, f"Verschil {name}"]
    table = Table(
        tuple(columns),
        rows,
        note="Verschil = scenario − huidige regels. Saldo negatief: de bijdragen dekken de"
        " kosten van het fonds niet; het verschil komt bij de jaarafrekening terug.",
    )
    return Sheet(
        "Fonds",
        _title(base, "het fonds"),
        _subtitle(base, f"Het fonds over {base.year}: bijdragen, kosten en saldo, naast elkaar."),
        (table,),
        widths={0: 56},
    )


# --- Centrumgemeenten ---


def members_sheet(base: YearOutcome, scenarios: Sequence[ScenarioOutcome]) -> Sheet:
    """Centrumgemeenten: per member contribution, charged, direct costs and what it pays in
    the end, both ways; who pays more, who less."""
    names = base.rules.municipalities.names()
    outcomes = [base, *(s.outcome for s in scenarios)]
    figures = [_member_figures(o) for o in outcomes]
    codes = sorted({c for f in figures for c in f})
    zero = (0, 0, 0, 0)

    def cells(code: str) -> tuple[CellValue, ...]:
        contribution, load, direct, paid = figures[0].get(code, zero)
        out: list[CellValue] = [
            code,
            names.get(code, ""),
            *(Euro(v) for v in (contribution, load, direct, paid)),
        ]
        for f in figures[1:]:
            _, load, _, now = f.get(code, zero)
            difference = now - paid
            out += [
                Euro(load),
                Euro(now),
                Euro(difference),
                "meer" if difference > 0 else "minder" if difference < 0 else "gelijk",
            ]
        return tuple(out)

    rows = [Row(cells(code)) for code in codes]
    sums = [[sum(v[k] for v in f.values()) for k in range(4)] for f in figures]
    totals: list[CellValue] = ["Totaal", "", *(Euro(v) for v in sums[0])]
    for other in sums[1:]:
        totals += [Euro(other[1]), Euro(other[3]), Euro(other[3] - sums[0][3]), ""]
    rows.append(Row(tuple(totals), TOTAL))
    columns = ["Code", "Centrumgemeente", *(f"{n} ({BASE.lower()})" for n in _MEMBER_COLUMNS)]
    for name in _names(scenarios):
        columns += [
            f"{n} ({name})" for n in ("Ten laste", "Te betalen", "Verschil te betalen", "Betaalt")
        ]
    table = Table(
        tuple(columns),
        tuple(rows),
        note="Ten laste = herkomstdeel + verdeelsleutel over het jaar; rechtstreeks = COSM na"
        " de bedenktijd. Te betalen = wat de centrumgemeente"
        " voor het jaar uiteindelijk betaalt: met een jaarafrekening de bijdrage min wat de"
        " afrekening terugbetaalt (plus wat zij bijbetaalt), zonder jaarafrekening wat ten"
        " laste komt; rechtstreeks komt er steeds bij. Betaalt: meer of minder dan onder de"
        " huidige regels.",
    )
    return Sheet(
        "Centrumgemeenten",
        _title(base, "centrumgemeenten"),
        _subtitle(
            base,
            "Per centrumgemeente: wat zij bijdraagt, wat ten laste komt, wat zij"
            " uiteindelijk betaalt.",
        ),
        (table,),
        widths={1: 18},
    )


_MEMBER_COLUMNS = ("Bijdrage", "Ten laste", "Rechtstreeks", "Te betalen")


def _member_figures(outcome: YearOutcome) -> dict[str, tuple[int, int, int, int]]:
    """Per payer (contribution, charged, municipal, paid in the end) over the year."""
    contribution = outcome.item(CONTRIBUTION)
    load = charged(outcome)
    direct = outcome.item(MUNICIPAL_ITEM)
    paid = payments(outcome)
    return {
        code: (contribution.get(code, 0), load.get(code, 0), direct.get(code, 0), paid.get(code, 0))
        for code in sorted({*contribution, *load, *direct, *paid})
    }


# --- Percelen ---


def lots_sheet(base: YearOutcome, scenarios: Sequence[ScenarioOutcome]) -> Sheet:
    """Percelen: per lot places, occupied days, occupancy and cost, both ways."""
    outcomes = [base, *(s.outcome for s in scenarios)]
    by_id = [{lot.lot_id: lot for lot in o.lots} for o in outcomes]
    known: dict[str, LotYear] = {}
    for lots in reversed(by_id):
        known.update(lots)
    order = sorted(known.values(), key=lambda lot: (lot.is_cosm, lot.provider, lot.lot_id))

    def figures(lot: LotYear | None) -> list[CellValue]:
        if lot is None:
            return [None, None, None, None]
        places = lot.places
        return [
            None
            if places is None
            else (int(places) if places.denominator == 1 else Average(places)),
            lot.occupied_days,
            percent(lot.occupancy),
            Euro(lot.cost),
        ]

    def cost(lot: LotYear | None) -> int:
        return 0 if lot is None else lot.cost

    rows: list[Row] = []
    for cosm, label in (
        (False, "Fondspercelen"),
        (True, "COSM-percelen (Justitie en centrumgemeenten)"),
    ):
        chosen = [lot for lot in order if lot.is_cosm == cosm]
        if not chosen:
            continue
        rows.append(Row((label,), SECTION))
        for lot in chosen:
            cells: list[CellValue] = [
                lot.provider,
                lot.lot_id,
                GROUP_NAMES.get(lot.group, lot.group),
                *figures(by_id[0].get(lot.lot_id)),
            ]
            for lots in by_id[1:]:
                cells += [
                    *figures(lots.get(lot.lot_id)),
                    Euro(cost(lots.get(lot.lot_id)) - cost(by_id[0].get(lot.lot_id))),
                ]
            rows.append(Row(tuple(cells)))
        total: list[CellValue] = [f"Totaal {label.split(' ')[0].lower()}", "", ""]
        for i, lots in enumerate(by_id):
            part = [lots[lot.lot_id] for lot in chosen if lot.lot_id in lots]
            place_days = sum(lot.place_days for lot in part)
            occupied = sum(lot.occupied_days for lot in part)
            total += [
                None,
                occupied,
                Percent(Fraction(occupied, place_days)) if place_days else None,
                Euro(sum(lot.cost for lot in part)),
            ]
            if i:
                base_part = [by_id[0][lot.lot_id] for lot in chosen if lot.lot_id in by_id[0]]
                total.append(
                    Euro(sum(lot.cost for lot in part) - sum(lot.cost for lot in base_part))
                )
        rows.append(Row(tuple(total), TOTAL))
    columns = [
        "Aanbieder",
        "Perceel",
        "Doelgroep",
        *(f"{n} ({BASE.lower()})" for n in _LOT_COLUMNS),
    ]
    for name in _names(scenarios):
        columns += [f"{n} ({name})" for n in (*_LOT_COLUMNS, "Verschil kosten")]
    table = Table(
        tuple(columns),
        tuple(rows),
        note="Plaatsen: gecontracteerde plaatsen op een gemiddelde dag met voorwaarden in het"
        " jaar. Bezette dagen: elke dag dat er iemand op het perceel was (ook afgewezen"
        " dagen). Bezetting = bezette dagen per gecontracteerde plaatsdag. Kosten ="
        " dagkosten + beschikbaarheidsvergoeding.",
    )
    return Sheet(
        "Percelen",
        _title(base, "percelen"),
        _subtitle(base, "Per perceel: plaatsen, bezette dagen, bezetting en kosten."),
        (table,),
        widths={0: 26, 2: 22},
    )


_LOT_COLUMNS = ("Plaatsen", "Bezette dagen", "Bezetting", "Kosten")


# --- Maanden ---


def months_sheet(base: YearOutcome, scenarios: Sequence[ScenarioOutcome]) -> Sheet:
    """Maanden: the fund's costs per month both ways, with a line chart of them."""
    names = _names(scenarios)
    rows: list[Row] = []
    for period, settlement in sorted(base.settlements.items()):
        cells: list[CellValue] = [short_month(period), Euro(settlement.fund_costs)]
        cells += [Euro(s.outcome.settlements[period].fund_costs) for s in scenarios]
        cells += [
            Euro(s.outcome.settlements[period].fund_costs - settlement.fund_costs)
            for s in scenarios
        ]
        cells.append(Euro(sum(settlement.contribution.values())))
        cells += [Euro(sum(s.outcome.settlements[period].contribution.values())) for s in scenarios]
        rows.append(Row(tuple(cells)))
    rows.append(
        Row(
            (
                "Totaal",
                Euro(base.fund_costs),
                *(Euro(s.outcome.fund_costs) for s in scenarios),
                *(Euro(s.outcome.fund_costs - base.fund_costs) for s in scenarios),
                Euro(base.contributions),
                *(Euro(s.outcome.contributions) for s in scenarios),
            ),
            TOTAL,
        )
    )
    table = Table(
        (
            "Maand",
            f"Kosten fonds ({BASE.lower()})",
            *(f"Kosten fonds ({n})" for n in names),
            *(f"Verschil ({n})" for n in names),
            f"Bijdragen ({BASE.lower()})",
            *(f"Bijdragen ({n})" for n in names),
        ),
        tuple(rows),
    )
    return Sheet(
        "Maanden",
        _title(base, "per maand"),
        _subtitle(base, "De kosten van het fonds per maand, naast elkaar."),
        (table,),
        chart=ChartSpec(
            title=f"Kosten van het fonds per maand, {base.year}",
            category=0,
            bars=tuple(range(1, 2 + len(scenarios))),
            kind="line",
        ),
    )


# --- Jaarafrekening ---

_METHODS = {"balance": "naar saldo", "key": "naar verdeelsleutel"}


def year_end_sheet(base: YearOutcome, scenarios: Sequence[ScenarioOutcome]) -> Sheet | None:
    """Jaarafrekening: the year-end result, the reserve and each member's settlement (§9),
    both ways; None when neither the rules nor a scenario has a `[[settlement]]` version
    in force on 1 January of the year."""
    settled = [year_end(base), *(year_end(s.outcome) for s in scenarios)]
    if all(s is None for s in settled):
        return None
    names = base.rules.municipalities.names()

    def row(label: str, value: Callable[[YearSettlement], int], kind: str = "body") -> Row:
        first = settled[0]
        cells: list[CellValue] = [label, None if first is None else Euro(value(first))]
        for other in settled[1:]:
            if other is None:
                cells += [None, None]
            elif first is None:
                cells += [Euro(value(other)), None]
            else:
                cells += [Euro(value(other)), Euro(value(other) - value(first))]
        return Row(tuple(cells), kind)

    def method(s: YearSettlement | None) -> str:
        return "geen [[settlement]]" if s is None else _METHODS.get(s.method, s.method)

    rows: list[Row] = [
        Row(("Het fonds",), SECTION),
        Row(("Methode", method(settled[0]), *(v for s in settled[1:] for v in (method(s), "")))),
        row("Plafond van de reserve", lambda s: s.reserve_cap),
        row("Resultaat: bijdragen − ten laste", lambda s: s.result, TOTAL),
        row("Reserve bij aanvang (uit de regels)", lambda s: s.opening_reserve),
        row("Naar de reserve (negatief: eruit gehaald)", lambda s: s.to_reserve),
        row("Reserve na de afrekening", lambda s: s.closing_reserve, TOTAL),
        row("Te verrekenen met de leden", lambda s: s.settled, TOTAL),
        Row(("Verrekening per centrumgemeente (positief: krijgt terug)",), SECTION),
    ]
    codes = sorted({m.code for s in settled if s is not None for m in s.members})
    for code in codes:

        def amount(s: YearSettlement, code: str = code) -> int:
            found = [m.settlement for m in s.members if m.code == code]
            return found[0] if found else 0

        rows.append(row(f"{code} {names.get(code, '')}".strip(), amount))
    columns = ["Onderdeel", BASE]
    for name in _names(scenarios):
        columns += [name, f"Verschil {name}"]
    table = Table(
        tuple(columns),
        tuple(rows),
        note="Zoals fundcalc settle het jaar zou afrekenen (§9), uit de twaalf berekende"
        " maanden. Een scenario leest geen archief: de reserve bij aanvang is"
        " [fund] opening_reserve uit de regels, niet de reserve van een eerder afgerekend"
        " jaar; het resultaat en het verschil tussen de kolommen hangen daar niet van af."
        " Verrekening positief: het fonds betaalt de centrumgemeente terug; negatief: zij"
        " betaalt bij.",
    )
    return Sheet(
        "Jaarafrekening",
        _title(base, "jaarafrekening"),
        _subtitle(base, "Het resultaat van het jaar, de egalisatiereserve en de verrekening."),
        (table,),
        widths={0: 52},
    )


# --- Verantwoording ---


def accounts_sheet(
    base: YearOutcome,
    scenarios: Sequence[ScenarioOutcome],
    input_hashes: Sequence[tuple[str, str]],
) -> Sheet:
    """Verantwoording: how the figures were made, and every file with its SHA-256."""
    facts = Table(
        ("Onderdeel", "Waarde"),
        (
            Row(("fundcalc", __version__)),
            Row(("Jaar", str(base.year))),
            Row(("Stand van de gegevens (peildatum)", base.as_of)),
            Row(("Scenario's", ", ".join(_names(scenarios)))),
            Row(("Berekening", "§4 per maand, zonder archief en zonder correcties (§12)")),
        ),
        caption="Berekening",
        align_left=True,
    )
    files = [Row(("regels", f.name, f.sha256)) for f in base.rules.files]
    files += [Row(("scenario", s.scenario.file, s.scenario.sha256)) for s in scenarios]
    files += [Row(("logboek", name, sha256)) for name, sha256 in input_hashes]
    return Sheet(
        "Verantwoording",
        _title(base, "verantwoording"),
        _subtitle(base, "Hoe de cijfers zijn gemaakt: versie, peildatum en bestanden."),
        (
            facts,
            Table(
                ("Soort", "Bestand", "SHA-256"), tuple(files), caption="Bestanden", align_left=True
            ),
        ),
        widths={0: 34, 1: 40, 2: 68},
        header_table=None,
    )
