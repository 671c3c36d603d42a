"""The workbook's Dutch: months, groups, items, and where each sheet stands.

The committee reads Dutch. A finding's reason has its Dutch beside its English
in `base.reasons`, made from the same code and values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

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
