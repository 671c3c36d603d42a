"""A seeded synthetic arrangement and placement log for the workbook tests.

Eight member centrumgemeenten and one that is not a member, eight lots of
five providers (one lot changes its terms in mid-July, one is small enough to
run over capacity), two COSM lots, and a log of placements with later
versions, voids, unregistered victims, reflection periods and some broken
rows. Small enough to run in a test, real enough to fill every sheet.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import polars as pl

from fundcalc.app.load import Inputs
from fundcalc.app.run import RunResult
from fundcalc.base.period import Period
from fundcalc.inputs.arrangement import parse_arrangement
from fundcalc.inputs.log import read_file
from fundcalc.inputs.municipalities import load_municipalities
from fundcalc.inputs.rules import Rules

#: The month and as-of date the workbook tests render.
PERIOD = Period(2026, 10)
AS_OF = date(2026, 11, 23)


@dataclass(frozen=True)
class Sample:
    """A run of October 2026 as of 23 November: its inputs, result and output folder."""

    inputs: Inputs
    run: RunResult

    @property
    def rules(self) -> Rules:
        return self.inputs.rules

    @property
    def folder(self) -> Path:
        return self.run.folder


MEMBERS = {
    "GM0363": ("Amsterdam", "8727"),
    "GM0599": ("Rotterdam", "6650"),
    "GM0518": ("'s-Gravenhage", "5510"),
    "GM0344": ("Utrecht", "3612"),
    "GM0772": ("Eindhoven", "2398"),
    "GM0014": ("Groningen", "2330"),
    "GM0855": ("Tilburg", "2214"),
    "GM0202": ("Arnhem", "1609"),
}
#: Municipalities that belong to a centrumgemeente (GM0080 Leeuwarden is no member).
REGION = {
    "GM0362": ("Amstelveen", "GM0363"),
    "GM0597": ("Ridderkerk", "GM0599"),
    "GM0603": ("Rijswijk", "GM0518"),
    "GM0310": ("De Bilt", "GM0344"),
    "GM0848": ("Son en Breugel", "GM0772"),
    "GM0080": ("Leeuwarden", "GM0080"),
}

ARRANGEMENT = """\
[fund]
name = "Fonds opvang specifieke groepen"
budget = { 2025 = "4150000.00", 2026 = "4300000.00" }

[[key]]
valid_from = 2025-01-01
weights = { %(weights)s }

[[split]]
valid_from = 2025-01-01
origin_share = "0.50"

[cosm]
reflection_months = 3
correction_lookback_months = 24

[[lot]]
id = "LOV-NOORD"
provider = "Voorbeeld Opvang Noord"
group = "LOVERBOY"
[[lot.terms]]
valid_from = 2025-01-01
places = 12
day_tariff = "236.40"
availability_tariff = "41.00"
[[lot.terms]]
valid_from = 2026-07-15
places = 14
day_tariff = "241.10"
availability_tariff = "42.00"

[[lot]]
id = "LOV-ZUID"
provider = "Opvang Zuid"
group = "LOVERBOY"
[[lot.terms]]
valid_from = 2025-01-01
places = 8
day_tariff = "229.95"
availability_tariff = "39.50"

[[lot]]
id = "EGG-JONG"
provider = "Stichting Veilig West"
group = "EGG_JONG"
[[lot.terms]]
valid_from = 2025-01-01
places = 10
day_tariff = "251.00"
availability_tariff = "44.00"

[[lot]]
id = "EGG-ACUUT"
provider = "Crisisopvang Midden"
group = "EGG_ACUUT"
[[lot.terms]]
valid_from = 2025-01-01
places = 4
day_tariff = "312.75"
availability_tariff = "60.00"

[[lot]]
id = "DREIGING-OOST"
provider = "Beschermd Wonen Oost"
group = "DREIGING"
[[lot.terms]]
valid_from = 2025-01-01
places = 6
day_tariff = "268.20"
availability_tariff = "47.25"

[[lot]]
id = "STALKING-OOST"
provider = "Beschermd Wonen Oost"
group = "STALKING"
[[lot.terms]]
valid_from = 2025-01-01
places = 2
day_tariff = "259.00"
availability_tariff = "45.00"

[[lot]]
id = "COSM-A"
provider = "COSM Opvang A"
group = "COSM"
[[lot.terms]]
valid_from = 2025-01-01
places = 20
day_tariff = "182.30"
availability_tariff = "30.00"

[[lot]]
id = "COSM-B"
provider = "COSM Opvang B"
group = "COSM"
[[lot.terms]]
valid_from = 2025-01-01
places = 15
day_tariff = "176.90"
availability_tariff = "28.50"
"""

#: lot → (places, mean length of stay in days, arrivals per place-year of stay).
LOTS = {
    "LOV-NOORD": (12, 40, 0.9),
    "LOV-ZUID": (8, 40, 0.85),
    "EGG-JONG": (10, 50, 0.8),
    "EGG-ACUUT": (4, 12, 0.7),
    "DREIGING-OOST": (6, 60, 0.9),
    "STALKING-OOST": (2, 45, 1.3),
    "COSM-A": (20, 100, 0.9),
    "COSM-B": (15, 100, 0.8),
}
COSM_LOTS = ("COSM-A", "COSM-B")

HEADER = (
    "placement_id",
    "client_id",
    "lot_id",
    "start_date",
    "end_date",
    "brp_municipality",
    "found_municipality",
    "reflection_start",
    "reflection_end",
    "void",
    "recorded_on",
)


def write_rules(folder: Path) -> Path:
    """rules/arrangement.toml and rules/municipalities.csv under `folder`."""
    rules = folder / "rules"
    rules.mkdir(parents=True, exist_ok=True)
    weights = ", ".join(f'{code} = "{w}"' for code, (_, w) in MEMBERS.items())
    (rules / "arrangement.toml").write_text(ARRANGEMENT % {"weights": weights}, encoding="utf-8")
    lines = [
        "municipality_code,municipality_name,centrumgemeente_code,valid_from,valid_to,"
        "successor_code"
    ]
    for code, (name, _) in MEMBERS.items():
        lines.append(f"{code},{name},{code},2000-01-01,,")
    for code, (name, centrumgemeente) in REGION.items():
        lines.append(f"{code},{name},{centrumgemeente},2000-01-01,,")
    lines.append("GM0370,Beemster,GM0363,2000-01-01,2022-01-01,GM0439")
    lines.append("GM0439,Purmerend,GM0363,2000-01-01,,")
    (rules / "municipalities.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rules


def _iso(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def synthetic_rows(seed: int = 2026, scale: float = 1.0) -> list[dict[str, str]]:
    """Placement versions from January 2025 to November 2026, seeded.

    Each lot gets about `scale` × its arrival rate, so that occupancy is near
    its contracted places (one small lot runs over).
    """
    rnd = random.Random(seed)
    first, last = date(2025, 1, 1), date(2026, 11, 20)
    span = (last - first).days
    municipalities = [*MEMBERS, *REGION, "GM0370"]
    stays = []
    for lot, (places, mean, rate) in LOTS.items():
        arrivals = round(1.4 * scale * rate * places * span / mean)
        stays += [(lot, mean) for _ in range(arrivals)]
    rnd.shuffle(stays)
    rows: list[dict[str, str]] = []
    for i, (lot, mean) in enumerate(stays):
        start = first + timedelta(days=rnd.randrange(-mean, span))
        length = max(1, int(rnd.expovariate(1 / mean)))
        end = start + timedelta(days=length)
        registered = rnd.random() > 0.15
        place = rnd.choice(municipalities)
        row = {
            "placement_id": f"P{i + 1:05d}",
            "client_id": f"CL-{rnd.randrange(10**8):08d}",
            "lot_id": lot,
            "start_date": _iso(start),
            "end_date": "",
            "brp_municipality": place if registered else "",
            "found_municipality": "" if registered else place,
            "reflection_start": "",
            "reflection_end": "",
            "void": "",
            "recorded_on": _iso(start + timedelta(days=rnd.randrange(1, 20))),
        }
        told = max(end, start + timedelta(days=20)) + timedelta(days=rnd.randrange(1, 5))
        if lot in COSM_LOTS and rnd.random() > 0.1:
            row["reflection_start"] = _iso(start + timedelta(days=rnd.randrange(0, 5)))
            if rnd.random() < 0.3:
                row["reflection_end"] = _iso(start + timedelta(days=rnd.randrange(20, 80)))
        rows.append(row)
        if told <= last:  # the departure is recorded later, as a new version
            later = dict(row, end_date=_iso(end), recorded_on=_iso(told))
            if rnd.random() < 0.5:  # Dutch dates in some versions: the same meaning
                later["start_date"] = start.strftime("%d-%m-%Y")
            rows.append(later)
        if rnd.random() < 0.01:  # withdrawn: recorded in error
            rows.append(dict(row, void="ja", recorded_on=_iso(told + timedelta(days=9))))
    rows.append(dict(rows[0], placement_id="P99001", lot_id="LOT-ONBEKEND"))
    rows.append(dict(rows[1], placement_id="P99002", start_date="31-13-2026"))
    rows.append(dict(rows[2], placement_id="", recorded_on="2026-01-05"))
    return rows


def write_log(folder: Path, rows: list[dict[str, str]], name: str = "placements.csv") -> Path:
    """rows as inputs/placements/<name> under `folder`."""
    placements = folder / "inputs" / "placements"
    placements.mkdir(parents=True, exist_ok=True)
    with (placements / name).open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return folder / "inputs"


def write_sample(folder: Path, seed: int = 2026, scale: float = 1.0) -> tuple[Path, Path]:
    """Rules and a synthetic log under `folder`; returns (rules, inputs)."""
    return write_rules(folder), write_log(folder, synthetic_rows(seed, scale))


#: Client ids of the hostile log: none may appear anywhere in a workbook.
HOSTILE_CLIENTS = (
    "CLIENT-Q7X-001",
    "=CLIENT-Q7X-002",
    "@CLIENT-Q7X-003",
    "+CLIENT-Q7X-004",
    "-CLIENT-Q7X-005",
)
#: Placement ids that Excel would read as a formula, an error or an escape.
HOSTILE_PLACEMENTS = (
    "=1+1",
    "+SUM(A1:A2)",
    "-2+3",
    "@NOW()",
    '=HYPERLINK("http://example.invalid","klik")',
    "#REF!",
    "P_x0041_",
)
HOSTILE_LOT = "=cmd|' /C calc'!A0"
HOSTILE_FILE = "=bestand.csv"


def hostile_rows() -> list[dict[str, str]]:
    """A log built to break privacy and injection rules, for October 2026.

    Three fund placements on the STALKING lot (fewer than five, so their
    count must show as <5), COSM placements in their reflection window whose
    ids Excel would read as formulas (they are listed by id on the Justice
    sheet), an unknown formula-like lot, an unknown formula-like municipality
    and a formula in a date field; client ids that must never be shown.
    """

    def row(placement: str, client: str, lot: str, day: int, **fields: str) -> dict[str, str]:
        return {
            "placement_id": placement,
            "client_id": client,
            "lot_id": lot,
            "start_date": f"2026-10-{day:02d}",
            "end_date": "",
            "brp_municipality": "GM0363",
            "found_municipality": "",
            "reflection_start": "",
            "reflection_end": "",
            "void": "",
            "recorded_on": "2026-10-15",
            **fields,
        }

    rows = [
        row(
            f"S{i}",
            HOSTILE_CLIENTS[i],
            "STALKING-OOST",
            i + 1,
            brp_municipality="",
            found_municipality="GM0599",
        )
        for i in range(3)
    ]
    rows += [
        row(
            p,
            HOSTILE_CLIENTS[i % len(HOSTILE_CLIENTS)],
            "COSM-A",
            i + 1,
            reflection_start="2026-09-20",
        )
        for i, p in enumerate(HOSTILE_PLACEMENTS)
    ]
    rows.append(row("=UNKNOWN-LOT", HOSTILE_CLIENTS[3], HOSTILE_LOT, 1))
    rows.append(row("@GEMEENTE", HOSTILE_CLIENTS[4], "LOV-ZUID", 1, brp_municipality="=GM9999"))
    rows.append(row("-DATUM", HOSTILE_CLIENTS[1], "LOV-ZUID", 1, start_date="=1+1"))
    rows.append(row("+PLUS", HOSTILE_CLIENTS[2], "LOV-ZUID", 5, end_date="2026-10-02"))
    return rows


def write_hostile(folder: Path) -> tuple[Path, Path]:
    """Rules and the hostile log (in a file whose name starts with `=`) under `folder`."""
    return write_rules(folder), write_log(folder, hostile_rows(), name=HOSTILE_FILE)


TINY_MUNICIPALITIES = (
    "municipality_code,municipality_name,centrumgemeente_code,valid_from,valid_to,successor_code\n"
    "GM0001,Eerste,GM0001,2000-01-01,,\n"
    "GM0002,Tweede,GM0002,2000-01-01,,\n"
    "GM0003,Derde,GM0003,2000-01-01,,\n"
)
#: A fund lot of one place whose terms change on 16 October but keep the day
#: tariff, a second fund lot, and a COSM lot; GM0003 is not a member.
TINY_ARRANGEMENT = """\
[fund]
name = "Klein fonds"
budget = { 2026 = "1200.00" }
[[key]]
valid_from = 2026-01-01
weights = { GM0001 = "1", GM0002 = "3" }
[[split]]
valid_from = 2026-01-01
origin_share = "0.5"
[cosm]
reflection_months = 3
[[lot]]
id = "KLEIN"
provider = "Aanbieder A"
group = "STALKING"
[[lot.terms]]
valid_from = 2026-01-01
places = 1
day_tariff = "100.00"
availability_tariff = "10.00"
[[lot.terms]]
valid_from = 2026-10-16
places = 2
day_tariff = "100.00"
availability_tariff = "12.00"
[[lot]]
id = "GROOT"
provider = "Aanbieder B"
group = "LOVERBOY"
[[lot.terms]]
valid_from = 2026-01-01
places = 10
day_tariff = "200.00"
availability_tariff = "1.00"
[[lot]]
id = "COSM-X"
provider = "Aanbieder C"
group = "COSM"
[[lot.terms]]
valid_from = 2026-01-01
places = 3
day_tariff = "50.00"
availability_tariff = "5.00"
"""


def tiny_rules() -> Rules:
    """The tiny arrangement, parsed without a disk."""
    municipalities = load_municipalities(TINY_MUNICIPALITIES.encode(), "municipalities.csv")
    return parse_arrangement(TINY_ARRANGEMENT.encode(), municipalities)


def raw_log(rows: list[dict[str, str]], name: str = "log.csv") -> pl.DataFrame:
    """Rows (by column name, the rest empty) as the log's rows a CSV file gives."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: row.get(c, "") for c in HEADER} for row in rows)
    return read_file(buffer.getvalue().encode(), name).rows


def stay(placement: str, lot: str, start: str, end: str = "", **fields: str) -> dict[str, str]:
    """A placement row recorded on 1 November 2026, registered in GM0001 unless told."""
    return {
        "placement_id": placement,
        "client_id": f"C-{placement}",
        "lot_id": lot,
        "start_date": start,
        "end_date": end,
        "brp_municipality": "GM0001",
        "recorded_on": "2026-11-01",
        **fields,
    }


def xlsx_bytes(*rows: list[object]) -> bytes:
    """A workbook of one sheet holding `rows`, as openpyxl saves it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
