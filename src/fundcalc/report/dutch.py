"""The workbook's Dutch: months, groups, items, reasons, and where each sheet stands.

The committee reads Dutch. Findings are recorded in English (they are also in
exceptions.csv for the finance officer); `dutch_reason` translates the known
ones and leaves any other reason as it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

import polars as pl

from fundcalc.base.period import Period
from fundcalc.core.allocation import CONTRIBUTION, JUSTICE_ITEM, KEY, MUNICIPAL_ITEM, ORIGIN
from fundcalc.report.sheets import Percent

MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

#: The months as Dutch abbreviates them (*mrt*, not *maa*).
SHORT_MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

CONCEPT = "Concept"
DEFINITIEF = "Definitief"
PROGNOSE = "Prognose"


@dataclass(frozen=True)
class Standing:
    """What the workbook is: *Concept* (a draft, the month not closed), *Definitief* (closed,
    on `closed_on`) or *Prognose* (the month was not over as of the as-of date).

    `closed` are the months of the year closed when it was made (shown on the
    summary); a close's own month is among them.
    """

    kind: str = CONCEPT
    closed_on: date | None = None
    closed: tuple[Period, ...] = ()

    @property
    def label(self) -> str:
        if self.kind == DEFINITIEF and self.closed_on is not None:
            return f"{DEFINITIEF}, afgesloten op {self.closed_on.strftime('%d-%m-%Y')}"
        return self.kind

    def explanation(self, period: Period) -> str:
        """What the label means, for the summary."""
        if self.kind == DEFINITIEF:
            return "de maand is afgesloten; deze cijfers zijn afgerekend"
        if self.kind == PROGNOSE:
            return (
                "de maand was op de peildatum nog niet voorbij: lopende verblijven tellen"
                " tot het einde van de maand"
            )
        if period in self.closed:
            return (
                "herberekening van een afgesloten maand; de definitieve cijfers staan in de"
                " map van de maand"
            )
        return "nog niet afgesloten: de cijfers kunnen nog veranderen"


def months_text(periods: tuple[Period, ...] | list[Period]) -> str:
    """`jan t/m okt`, `jan, mrt t/m mei`, or `geen`: months of one year, each span of
    consecutive months as its first and last."""
    spans: list[list[Period]] = []
    for period in sorted(periods):
        if spans and spans[-1][-1].next() == period:
            spans[-1].append(period)
        else:
            spans.append([period])
    parts = [
        SHORT_MONTHS[r[0].month - 1]
        if len(r) == 1
        else f"{SHORT_MONTHS[r[0].month - 1]} t/m {SHORT_MONTHS[r[-1].month - 1]}"
        for r in spans
    ]
    return ", ".join(parts) or "geen"


#: The specific groups (*specifieke groepen*) in the committee's words.
GROUP_NAMES = {
    "EGG_JONG": "Jonge vrouwen, eergerelateerd geweld",
    "EGG_ACUUT": "Eergerelateerd geweld, acuut",
    "LOVERBOY": "Slachtoffers van loverboys",
    "DREIGING": "Extreme dreiging",
    "STALKING": "Extreme stalking",
    "COSM": "Slachtoffers mensenhandel (COSM)",
}

ITEM_NAMES = {
    CONTRIBUTION: "Bijdrage",
    ORIGIN: "Herkomstdeel",
    KEY: "Verdeelsleutel",
    MUNICIPAL_ITEM: "COSM na bedenktijd",
    JUSTICE_ITEM: "Justitie",
}


@dataclass(frozen=True)
class Context:
    """What every sheet needs to say where it stands."""

    fund: str
    period: Period
    as_of: date
    months: tuple[Period, ...]
    standing: Standing = field(default_factory=Standing)

    @property
    def month(self) -> str:
        return month_name(self.period)

    @property
    def ytd(self) -> str:
        """`jan t/m okt 2026` (or just the month when it is the first calculated one)."""
        first = self.months[0]
        if first == self.period:
            return month_name(self.period)
        return f"{SHORT_MONTHS[first.month - 1]} t/m {short_month(self.period)}"

    def title(self, what: str) -> str:
        """`Fonds — Samenvatting — oktober 2026 — Concept`: every sheet says what it is."""
        return f"{self.fund} — {what} — {self.month} — {self.standing.label}"

    def subtitle(self, shows: str) -> str:
        return f"{shows} Stand van de gegevens per {self.as_of.strftime('%d-%m-%Y')}."


def month_name(period: Period) -> str:
    return f"{MONTHS[period.month - 1]} {period.year}"


def short_month(period: Period) -> str:
    return f"{SHORT_MONTHS[period.month - 1]} {period.year}"


def percent(value: Fraction | None) -> Percent | None:
    """A ratio as a percentage cell; None (an empty cell) where it has no denominator."""
    return None if value is None else Percent(value)


REASONS: tuple[tuple[str, str], ...] = (
    (r"not a member of the fund", "geen lid van het fonds"),
    (
        r"centrumgemeente (\S+) is not a member of the fund",
        r"centrumgemeente \1 is geen lid van het fonds",
    ),
    (r"unknown lot '(.*)'", r"onbekend perceel '\1'"),
    (r"lot (.*) has no terms on these days", r"perceel \1 heeft op deze dagen geen voorwaarden"),
    (r"no centrumgemeente for municipality '(.*)'", r"geen centrumgemeente voor gemeente '\1'"),
    (r"reflection dates on a fund lot are ignored", "bedenktijd op een fondsperceel genegeerd"),
    (r"no (placement_id|recorded_on)", r"\1 ontbreekt"),
    (r"(\w+) is longer than (\d+) characters", r"\1 is langer dan \2 tekens"),
    (r"(\w+) '(.*)' is not a date", r"\1 '\2' is geen datum"),
    (
        r"void '(.*)' is not true/false, ja/nee or 1/0",
        r"void '\1' is niet true/false, ja/nee of 1/0",
    ),
    (r"conflicting versions recorded on (\S+) \((.*)\)", r"tegenstrijdige versies op \1 (\2)"),
    (
        r"conflicting versions recorded on the same day \((.*)\)",
        r"tegenstrijdige versies op dezelfde dag vastgelegd (\1)",
    ),
    (
        r"found_municipality is missing \(no brp_municipality\)",
        "found_municipality ontbreekt (brp_municipality ook)",
    ),
    (r"(\w+) is missing", r"\1 ontbreekt"),
    (r"end_date before start_date", "end_date ligt voor start_date"),
    (r"too late to correct", "te laat om te corrigeren"),
    # The eligibility check (toetsing, §11).
    (r"verdict cannot be read: (.*)", r"oordeel onleesbaar: \1"),
    (r"eligible is empty: no verdict", "eligible is leeg: nog geen oordeel"),
    (
        r"eligible '(.*)' is not ja/nee, true/false or 1/0",
        r"eligible '\1' is niet ja/nee, true/false of 1/0",
    ),
    (r"no decided_on", "decided_on ontbreekt"),
    (
        r"conflicting verdicts decided on the same day \((\S+)\): they change nothing",
        r"tegenstrijdige oordelen op dezelfde dag (\1): zij veranderen niets",
    ),
    # Reading the files (csvfile, xlsx, log).
    (
        r"the row has (\d+) fields where the header has (\d+)",
        r"de regel heeft \1 velden waar de kopregel er \2 heeft",
    ),
    (
        r"the row has values right of the header \(column (.*)\)",
        r"de regel heeft waarden rechts van de kopregel (kolom \1)",
    ),
    (r"unknown column '(.*)' is ignored", r"onbekende kolom '\1' genegeerd"),
    (r"column (\d+) has no name and is ignored", r"kolom \1 heeft geen naam en is genegeerd"),
    (
        r"the file is not UTF-8 and was read as Windows-1252 \(ANSI\), as Dutch Excel saves"
        r" 'CSV \(gescheiden door lijstscheidingsteken\)': check its accented letters",
        "het bestand is geen UTF-8 en is gelezen als Windows-1252 (ANSI), zoals Excel"
        " 'CSV (gescheiden door lijstscheidingsteken)' opslaat: controleer de letters met accenten",
    ),
    (r"the (file|sheet) is empty: no header and no rows", "leeg: geen kopregel en geen regels"),
    # Warnings (checks).
    (
        r"reflection period longer than 1 month: from (\S+) the days are charged"
        r" to the centrumgemeente",
        r"bedenktijd langer dan 1 maand: vanaf \1 betaalt de centrumgemeente de dagen",
    ),
    (
        r"reflection period longer than (\d+) months: from (\S+) the days are charged"
        r" to the centrumgemeente",
        r"bedenktijd langer dan \1 maanden: vanaf \2 betaalt de centrumgemeente de dagen",
    ),
    (
        r"reflection_end before reflection_start: no reflection window",
        "reflection_end ligt voor reflection_start: geen bedenktijd",
    ),
    (
        r"reflection_end without reflection_start: no reflection window",
        "reflection_end zonder reflection_start: geen bedenktijd",
    ),
    (
        r"the same client is also in placement (.*) on these days \(possible double billing\)",
        r"dezelfde cliënt staat op deze dagen ook in plaatsing \1 (mogelijk dubbel gefactureerd)",
    ),
    (r"stay longer than a year \(since (\S+)\)", r"verblijf langer dan een jaar (sinds \1)"),
    (
        r"lot (.*): more placements than contracted places \((\d+)\) on these days,"
        r" at most (\d+) on a day",
        r"perceel \1: meer plaatsingen dan gecontracteerde plaatsen (\2) op deze dagen,"
        r" hoogstens \3 op een dag",
    ),
)


def dutch_reason(reason: str) -> str:
    """A finding's reason in Dutch where it is a known one; otherwise as written."""
    return "; ".join(_dutch_part(part) for part in reason.split("; "))


_COMPILED = tuple((re.compile(pattern, flags=re.DOTALL), dutch) for pattern, dutch in REASONS)


def _dutch_part(part: str) -> str:
    for pattern, dutch in _COMPILED:
        if match := pattern.fullmatch(part):
            return match.expand(dutch)
    return part


#: A captured part of a reason that names a field or a file kind, not a value: it
#: stays in the reason's group (`reason_groups`); every other captured part is a value.
_NAMES = (r"\w+", "placement_id|recorded_on", "file|sheet")
_GROUP = re.compile(r"(?<!\\)\((?!\?)((?:\\.|[^()\\])*)\)")


def _group_template(pattern: str, dutch: str) -> str:
    """The Dutch of `pattern` as a template for polars' `str.replace`: a captured name
    stays (`${n}`), a captured value becomes `…`."""
    kept = {n for n, g in enumerate(_GROUP.findall(pattern), 1) if g in _NAMES}
    return re.sub(
        r"\\(\d)", lambda m: f"${{{m[1]}}}" if int(m[1]) in kept else "…", dutch.replace("$", "$$")
    )


_GROUPS = tuple(
    (f"(?s)^(?:{pattern})$", _group_template(pattern, dutch)) for pattern, dutch in REASONS
)


def reason_groups(reasons: pl.Series) -> pl.Series:
    """Each finding's reason without its values, in Dutch: the reasons a finance officer
    counts together (`onbekend perceel '…'`, `start_date '…' is geen datum`).

    Each part of a reason (parts are joined by `; `) is grouped on its own; a
    part of no known form stays as written. Worked out once per distinct
    reason, and split into parts only where it has several.
    """
    distinct = reasons.unique().drop_nulls().to_frame("reason")
    several = pl.col("reason").str.contains("; ", literal=True)
    groups = pl.concat(
        [
            distinct.filter(~several).with_columns(_grouped(pl.col("reason")).alias("group")),
            distinct.filter(several).with_columns(
                pl.col("reason")
                .str.split("; ")
                .list.eval(_grouped(pl.element()))
                .list.join("; ")
                .alias("group")
            ),
        ]
    )
    return (
        reasons.to_frame("reason")
        .join(groups, on="reason", how="left", maintain_order="left")["group"]
        .alias("group")
    )


def _grouped(part: pl.Expr) -> pl.Expr:
    """One part of a reason as its group: the first known form it has (`_GROUPS`)."""
    grouped = part
    for pattern, template in reversed(_GROUPS):
        grouped = (
            pl.when(part.str.contains(pattern))
            .then(part.str.replace(pattern, template))
            .otherwise(grouped)
        )
    return grouped


COUNT_NAMES = {
    "read": "Regels gelezen",
    "not_a_version": "Geen versie (placement_id of recorded_on ontbreekt)",
    "not_yet_recorded": "Nog niet vastgelegd op de peildatum",
    "superseded": "Vervangen door een latere versie",
    "duplicate": "Dubbel (gelijke regel)",
    "in_force": "Versies in werking",
}
PLACEMENT_NAMES = {
    "in_force": "Plaatsingen in werking",
    "rejected": "Plaatsingen afgewezen",
    "usable": "Plaatsingen bruikbaar",
    "in_ledger": "Plaatsingen met dagen in de maand",
}
STREAM_NAMES = {
    "FUND": "Dagen fonds",
    "JUSTICE": "Dagen Justitie (bedenktijd)",
    "MUNICIPAL": "Dagen centrumgemeente (na bedenktijd)",
    "REJECTED": "Dagen afgewezen",
}

CHECK_NAMES = {
    "origin + key = fund day costs + fund availability": (
        "herkomstdeel + verdeelsleutel = dagkosten + beschikbaarheid fonds"
    ),
    "contributions = the month's budget part": "bijdragen = deel van de begroting",
    "justice = reflection days + COSM availability": (
        "Justitie = dagkosten bedenktijd + beschikbaarheid COSM"
    ),
}
