"""A finding of every kind, from a real run, shows its reason in Dutch on *Uitzonderingen*.

The log, its files, the verdicts and the invoices below make one finding of each
kind the run makes: rows that are no version, placements rejected as a whole,
rejected days, file warnings, the checks' warnings, verdicts and invoices that
cannot be used. The sheet counts them per reason without their values, in Dutch,
and lists each with its values; exceptions.csv keeps the English.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from fundcalc.app.load import load_inputs
from fundcalc.app.run import run_period
from fundcalc.report.render import EXCEPTIONS, REPORT
from tests.readback import load, table
from tests.synthetic import (
    AS_OF,
    HEADER,
    PERIOD,
    TINY_ARRANGEMENT,
    TINY_MUNICIPALITIES,
    stay,
    xlsx_bytes,
)

LONG = "X" * 101


def _csv(rows: list[dict[str, str]], extra: str = "") -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: row.get(c, "") for c in HEADER} for row in rows)
    return buffer.getvalue() + extra


#: The log: a row of each kind of finding, on the tiny arrangement (GM0003 is no member).
_ROWS = [
    stay("", "GROOT", "2026-10-01"),
    stay(LONG, "GROOT", "2026-10-01"),
    stay("R1", "GROOT", "2026-10-01", recorded_on=""),
    stay("R2", "GROOT", "2026-10-01", recorded_on="gisteren"),
    stay("R3", "GROOT", "31-02-2026"),
    stay("R4", "GROOT", "2026-10-05", "2026-10-01"),
    stay("R5", "LOT-X", "2026-10-01", "2026-10-10"),
    stay("R6", "GROOT", "2026-10-01", "2026-10-10", brp_municipality="GM9999"),
    stay("R7", "GROOT", "2026-10-01", "2026-10-10", brp_municipality="GM0003"),
    stay("R8", "GROOT", "2026-10-01", "2026-10-10"),
    stay("R8", "GROOT", "2026-10-02", "2026-10-10"),
    stay("R9", "GROOT", "2026-10-01", "2026-10-10", void="misschien"),
    stay("R10", "GROOT", "2026-10-01", "2026-10-10", client_id=LONG),
    stay("R11", "", "2026-10-01", "2026-10-10", client_id="", brp_municipality=""),
    stay("W1", "GROOT", "2026-10-01", "2026-10-10", reflection_start="2026-10-01"),
    stay("W2", "COSM-X", "2026-10-01", reflection_start="2026-01-01", reflection_end="2026-09-30"),
    stay("W3", "COSM-X", "2026-10-01", reflection_start="2026-10-05", reflection_end="2026-10-02"),
    stay("W4", "COSM-X", "2026-10-01", reflection_end="2026-10-02"),
    stay("W5", "GROOT", "2026-10-05", "2026-10-10", client_id="C-W1"),
    stay("W6", "KLEIN", "2025-01-01"),
    stay("W7", "KLEIN", "2026-10-01", "2026-10-05"),
]


def _project(folder: Path) -> tuple[Path, Path]:
    rules = folder / "rules"
    rules.mkdir()
    (rules / "arrangement.toml").write_text(TINY_ARRANGEMENT, encoding="utf-8")
    (rules / "municipalities.csv").write_text(TINY_MUNICIPALITIES, encoding="utf-8")
    inputs = folder / "inputs"
    placements = inputs / "placements"
    placements.mkdir(parents=True)
    (placements / "log.csv").write_text(_csv(_ROWS, ",,,,,,,,,,2026-11-01,x,y\n"))
    ansi = _csv([stay("A1", "GROOT", "2026-10-01", client_id="Cliënt")])
    (placements / "ansi.csv").write_bytes(ansi.encode("cp1252"))
    header, row = _csv([stay("K1", "GROOT", "2026-10-01")]).splitlines()
    (placements / "kolom.csv").write_text(f"{header},opmerking\n{row},zie dossier\n")
    (placements / "leeg.csv").write_bytes(b"")
    (placements / "leeg.xlsx").write_bytes(xlsx_bytes())
    x1 = stay("X1", "GROOT", "2026-10-01", "2026-10-02")
    # A client id typed as a number too long for Excel to hold exactly.
    x2: dict[str, object] = {
        **stay("X2", "GROOT", "2026-10-01", "2026-10-02"),
        "client_id": 12345678901234567890,
    }
    (placements / "blad.xlsx").write_bytes(
        xlsx_bytes(
            list(HEADER),
            [*(x1.get(c, "") for c in HEADER), None, "noot"],
            [x2.get(c, "") for c in HEADER],
        )
    )
    (inputs / "eligibility").mkdir()
    (inputs / "eligibility" / "oordelen.csv").write_text(
        "placement_id,eligible,decided_on,reference\n"
        "R8,misschien,gisteren,K1\n"
        "W1,ja,2026-10-15,K2\n"
        "W1,nee,2026-10-15,K3\n"
        f"{LONG},ja,2026-10-15,\n"
        "W5,ja,2026-10-15,K5,x\n"
    )
    (inputs / "invoices").mkdir()
    (inputs / "invoices" / "facturen.csv").write_text(
        "invoice_id,lot_id,period,days,day_amount,availability_amount,received_on\n"
        "F1,GROOT,2026-10,10,100.00,0,2026-11-01\n"
        "F2,GROOT,2026-10,11,100.00,0,2026-11-01\n"
        "F3,KLEIN,2026-13,x,1.234,-5,gisteren\n"
        "F4,KLEIN,2026-10,10,abc,0,2026-11-02\n"
        "F5,KLEIN,2026-10,10,100,0,2026-11-03\n"
        f"{LONG},COSM-X,2026-10,1,1,1,2026-11-01\n"
    )
    return rules, inputs


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("every-kind")
    loaded = load_inputs(*_project(folder))
    return run_period(loaded, folder / "outputs", PERIOD, AS_OF).folder


#: The reasons counted on the sheet, as the workbook showed them before they had codes.
AS_BEFORE = [
    ("uitzondering", "tegenstrijdige oordelen op dezelfde dag (…): zij veranderen niets", 2),
    ("uitzondering", "centrumgemeente … is geen lid van het fonds", 1),
    ("uitzondering", "client_id is langer dan … tekens", 1),
    (
        "uitzondering",
        "client_id ontbreekt; lot_id ontbreekt; found_municipality ontbreekt"
        " (brp_municipality ook)",
        1,
    ),
    ("uitzondering", "de regel heeft waarden rechts van de kopregel (kolom …)", 1),
    (
        "uitzondering",
        "de regel heeft … velden waar de kopregel er … heeft; placement_id ontbreekt",
        1,
    ),
    ("uitzondering", "end_date ligt voor start_date", 1),
    ("uitzondering", "geen centrumgemeente voor gemeente '…'", 1),
    ("uitzondering", "placement_id ontbreekt", 1),
    ("uitzondering", "recorded_on ontbreekt", 1),
    ("uitzondering", "onbekend perceel '…'", 1),
    ("uitzondering", "placement_id is langer dan … tekens", 1),
    ("uitzondering", "recorded_on '…' is geen datum", 1),
    ("uitzondering", "start_date '…' is geen datum", 1),
    ("uitzondering", "tegenstrijdige versies op dezelfde dag vastgelegd (…)", 1),
    ("uitzondering", "void '…' is niet true/false, ja/nee of 1/0", 1),
    ("waarschuwing", "leeg: geen kopregel en geen regels", 2),
    (
        "waarschuwing",
        "bedenktijd langer dan … maanden: vanaf … betaalt de centrumgemeente de dagen",
        1,
    ),
    ("waarschuwing", "bedenktijd op een fondsperceel genegeerd", 1),
    (
        "waarschuwing",
        "dezelfde cliënt staat op deze dagen ook in plaatsing … (mogelijk dubbel gefactureerd)",
        1,
    ),
    (
        "waarschuwing",
        "het bestand is geen UTF-8 en is gelezen als Windows-1252 (ANSI), zoals Excel"
        " 'CSV (gescheiden door lijstscheidingsteken)' opslaat: controleer de letters met"
        " accenten",
        1,
    ),
    ("waarschuwing", "onbekende kolom '…' genegeerd", 1),
    (
        "waarschuwing",
        "perceel …: meer plaatsingen dan gecontracteerde plaatsen (…) op deze dagen,"
        " hoogstens … op een dag",
        1,
    ),
    ("waarschuwing", "reflection_end ligt voor reflection_start: geen bedenktijd", 1),
    ("waarschuwing", "reflection_end zonder reflection_start: geen bedenktijd", 1),
    ("waarschuwing", "verblijf langer dan een jaar (sinds …)", 1),
]
#: The reasons that were shown in English (or half so) before they had codes.
NOW_IN_DUTCH = [
    (
        "uitzondering",
        "tegenstrijdig met een andere regel ontvangen op … (…): de factuur van perceel …"
        " voor … is afgewezen",
        2,
    ),
    (
        "uitzondering",
        "client_id: een getal van meer dan 15 cijfers is niet precies te lezen;"
        " sla het in Excel op als tekst",
        1,
    ),
    (
        "uitzondering",
        "day_amount '…' is geen bedrag in euro zoals 236,40 of 236.40: vervangen door een"
        " latere factuur van perceel … voor …",
        1,
    ),
    (
        "uitzondering",
        "geen versie van een factuur: period '…' is geen maand zoals 2025-01; days '…' is"
        " geen geheel getal; day_amount '…' heeft meer dan 2 decimalen; availability_amount"
        " '…' is geen bedrag in euro zoals 236,40 of 236.40; received_on '…' is geen datum",
        1,
    ),
    (
        "uitzondering",
        "invoice_id is langer dan … tekens: de factuur van perceel … voor … is afgewezen",
        1,
    ),
    ("uitzondering", "oordeel onleesbaar: de regel heeft … velden waar de kopregel er … heeft", 1),
    (
        "uitzondering",
        "oordeel onleesbaar: eligible '…' is niet ja/nee, true/false of 1/0;"
        " decided_on '…' is geen datum",
        1,
    ),
    ("uitzondering", "oordeel onleesbaar: placement_id is langer dan … tekens", 1),
]


def test_every_kind_of_finding_is_counted_under_its_dutch_reason(run: Path) -> None:
    counted = table(load((run / REPORT).read_bytes())["Uitzonderingen"], "Soort")
    rows = [(r["Soort"], r["Reden"], r["Aantal"]) for r in counted if r["Reden"] is not None]
    assert sorted(rows) == sorted(AS_BEFORE + NOW_IN_DUTCH)


def test_each_finding_is_listed_with_its_values_in_dutch(run: Path) -> None:
    listed = table(load((run / REPORT).read_bytes())["Uitzonderingen"], "Plaatsing")
    reasons = {(r["Plaatsing"], r["Reden"]) for r in listed if r["Reden"] is not None}
    assert {
        ("R5", "onbekend perceel 'LOT-X'"),
        ("R8", "tegenstrijdige versies op dezelfde dag vastgelegd (log.csv:11, log.csv:12)"),
        (
            "R8",
            "oordeel onleesbaar: eligible 'misschien' is niet ja/nee, true/false of 1/0;"
            " decided_on 'gisteren' is geen datum",
        ),
        (None, "de regel heeft 13 velden waar de kopregel er 11 heeft; placement_id ontbreekt"),
        (
            None,
            "day_amount 'abc' is geen bedrag in euro zoals 236,40 of 236.40: vervangen door een"
            " latere factuur van perceel KLEIN voor 2026-10",
        ),
        ("W5", "dezelfde cliënt staat op deze dagen ook in plaatsing W1 (mogelijk dubbel"
         " gefactureerd)"),
    } <= reasons  # fmt: skip


def test_exceptions_csv_keeps_the_english(run: Path) -> None:
    lines = (run / EXCEPTIONS).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + sum(n for _, _, n in AS_BEFORE + NOW_IN_DUTCH)
    assert {
        'exception;blad.xlsx;3;X2;"client_id: a number of more than 15 digits cannot be read'
        ' exactly; store it as text in Excel";1',
        "exception;eligibility/oordelen.csv;2;R8;\"verdict cannot be read: eligible 'misschien'"
        " is not ja/nee, true/false or 1/0; decided_on 'gisteren' is not a date\";",
        "exception;invoices/facturen.csv;5;;day_amount 'abc' is not an amount in euros like"
        " 236,40 or 236.40: replaced by a later invoice of lot KLEIN for 2026-10;",
        'exception;log.csv;23;;"the row has 13 fields where the header has 11; no placement_id";',
    } <= set(lines)
