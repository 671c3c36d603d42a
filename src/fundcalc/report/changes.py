"""A scenario's changes in the committee's words (*wat verandert er*).

Each version a scenario adds or replaces, and each value it sets, becomes a
line: what (a lot's terms, the key, a budget year), from when, what the rules
say there now and what the scenario makes of it. For a version the scenario
adds, "now" is what the rules have in force on that day, so a new version of a
lot's terms reads as the change it is ("30 plaatsen" → "32 plaatsen").
Values are shown as a Dutch reader writes them (`€ 1.234,50`, `25%`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from fundcalc.base.plural import counted
from fundcalc.inputs.rules import Rules
from fundcalc.inputs.scenario import Change
from fundcalc.report.dutch import GROUP_NAMES

NOT_SET = "—"
#: How many members whose weight changes a line names before it says "en N meer".
LISTED_WEIGHTS = 6

_FUND = {
    "name": "Naam van het fonds",
    "opening_reserve": "Egalisatiereserve bij de eerste jaarafrekening",
}
_COSM = {
    "reflection_months": "Bedenktijd COSM (maanden)",
    "correction_lookback_months": "Correcties terug tot (maanden)",
}
_METHODS = {"balance": "naar saldo", "key": "naar verdeelsleutel"}


@dataclass(frozen=True)
class ChangeLine:
    """One change in words: what, from when, the rules now, the scenario, and the verb."""

    what: str
    valid_from: date | None
    now: str
    becomes: str
    action: str


def change_lines(changes: tuple[Change, ...], rules: Rules) -> list[ChangeLine]:
    """The scenario's `changes` in words; `rules` are the rules it is laid over."""
    return [_line(change, rules) for change in changes]


def _line(change: Change, rules: Rules) -> ChangeLine:
    action = "vervangt" if change.replaces else "voegt toe"
    if change.table == "fund.budget":
        year = int(change.subject) if change.subject.isdigit() else None
        return ChangeLine(
            f"Begroting {change.subject}",
            date(year, 1, 1) if year else None,
            euro_text(change.before),
            euro_text(change.after),
            action,
        )
    if change.table == "key":
        before = change.before or _in_force(_key_tables(rules), change.valid_from)
        return ChangeLine(
            "Verdeelsleutel", change.valid_from, _weights(before), _weights(change.after, before),
            action,
        )  # fmt: skip
    if change.table == "split":
        before = change.before or _in_force(_split_tables(rules), change.valid_from)
        return ChangeLine(
            "Herkomstdeel (deel van de dagkosten voor de eigen centrumgemeente)",
            change.valid_from,
            _share(before),
            _share(change.after),
            action,
        )
    if change.table == "settlement":
        before = change.before or _in_force(_settlement_tables(rules), change.valid_from)
        return ChangeLine(
            "Jaarafrekening", change.valid_from, _settlement(before), _settlement(change.after),
            action,
        )  # fmt: skip
    if change.table == "lot":
        return _lot_line(change, action)
    if change.table == "lot.terms":
        lot = rules.lots.get(change.subject)
        before = change.before
        if before is None and lot is not None and change.valid_from is not None:
            found = [t for t in lot.terms if t.valid_from <= change.valid_from]
            before = (
                {
                    "places": found[-1].places,
                    "day_tariff_cents": found[-1].day_tariff_cents,
                    "availability_tariff_cents": found[-1].availability_tariff_cents,
                }
                if found and (found[-1].valid_to is None or found[-1].valid_to > change.valid_from)
                else None
            )
        return ChangeLine(
            f"Perceel {change.subject}: voorwaarden",
            change.valid_from,
            _terms(before),
            _terms(change.after),
            action,
        )
    if change.table == "lot.valid_to":
        return ChangeLine(
            f"Perceel {change.subject}: einde (eerste dag zonder contract)",
            None,
            _day(change.before) if change.before is not None else "geen einde",
            _day(change.after),
            "zet",
        )
    names = _FUND if change.table == "fund" else _COSM
    label = names.get(change.subject, f"{change.table}.{change.subject}")
    value = euro_text if change.subject == "opening_reserve" else _plain
    return ChangeLine(label, None, value(change.before), value(change.after), "zet")


def _lot_line(change: Change, action: str) -> ChangeLine:
    lot: Mapping[str, Any] = change.after
    group = str(lot.get("group", ""))
    terms = lot.get("terms", [])
    first = terms[0] if isinstance(terms, list) and terms else {}
    more = (
        f" (en {counted(len(terms) - 1, 'latere versie', 'latere versies')})"
        if isinstance(terms, list) and len(terms) > 1
        else ""
    )
    end = f", tot {_day(lot['valid_to'])}" if "valid_to" in lot else ""
    return ChangeLine(
        f"Nieuw perceel {change.subject}: {lot.get('provider', '')},"
        f" {GROUP_NAMES.get(group, group)}",
        first.get("valid_from") if isinstance(first, dict) else None,
        NOT_SET,
        _terms(first) + more + end,
        action,
    )


# --- values in words ---


def euro_text(value: Any) -> str:
    """A decimal euro string (or cents, as an int) as `€ 1.234,50`; `—` when not set."""
    if value is None:
        return NOT_SET
    try:
        amount = Decimal(value) / 100 if isinstance(value, int) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):,.2f}".split(".")
    return f"€ {sign}{whole.replace(',', '.')},{cents}"


def _share(version: Any) -> str:
    if not isinstance(version, Mapping) or "origin_share" not in version:
        return NOT_SET
    try:
        share = Decimal(str(version["origin_share"])) * 100
    except InvalidOperation:
        return str(version["origin_share"])
    return f"{share.normalize():f}".replace(".", ",") + "%"


def _terms(terms: Any) -> str:
    """`32 plaatsen, dagtarief € 228,25, beschikbaarheid € 38,80 per plaats per dag`."""
    if not isinstance(terms, Mapping):
        return NOT_SET
    day = terms.get("day_tariff_cents", terms.get("day_tariff"))
    availability = terms.get("availability_tariff_cents", terms.get("availability_tariff"))
    places = terms.get("places")
    shown = (
        counted(places, "plaats", "plaatsen") if isinstance(places, int) else f"{places} plaatsen"
    )
    return (
        f"{shown}, dagtarief {euro_text(day)},"
        f" beschikbaarheid {euro_text(availability)} per plaats per dag"
    )


def _weights(key: Any, before: Any = None) -> str:
    """`35 leden` and, against `before`, which weights change."""
    if not isinstance(key, Mapping):
        return NOT_SET
    weights = {str(c): str(w) for c, w in dict(key.get("weights", {})).items()}
    text = counted(len(weights), "lid", "leden")
    if not isinstance(before, Mapping):
        return text
    old = {str(c): str(w) for c, w in dict(before.get("weights", {})).items()}
    moved = [
        f"{code} {old.get(code, 'nieuw')} → {weights.get(code, 'uit de sleutel')}"
        for code in sorted(set(old) | set(weights))
        if _number(old.get(code)) != _number(weights.get(code))
    ]
    if not moved:
        return f"{text}, gewichten gelijk"
    shown = "; ".join(moved[:LISTED_WEIGHTS])
    rest = f"; en {len(moved) - LISTED_WEIGHTS} meer" if len(moved) > LISTED_WEIGHTS else ""
    return f"{text}; gewicht {shown}{rest}"


def _number(text: str | None) -> Decimal | None:
    try:
        return None if text is None else Decimal(text)
    except InvalidOperation:
        return None


def _settlement(version: Any) -> str:
    if not isinstance(version, Mapping):
        return NOT_SET
    method = str(version.get("method", ""))
    return (
        f"verrekening {_METHODS.get(method, method)},"
        f" reserve ten hoogste {euro_text(version.get('reserve_cap'))}"
    )


def _day(value: Any) -> str:
    return value.strftime("%d-%m-%Y") if isinstance(value, date) else _plain(value)


def _plain(value: Any) -> str:
    return NOT_SET if value is None else str(value)


def _in_force(versions: list[dict[str, Any]], day: date | None) -> dict[str, Any] | None:
    found = [v for v in versions if day is not None and v["valid_from"] <= day]
    return found[-1] if found else None


def _key_tables(rules: Rules) -> list[dict[str, Any]]:
    return [
        {
            "valid_from": k.valid_from,
            "weights": {c: _fraction_text(w) for c, w in k.weights.items()},
        }
        for k in rules.keys
    ]


def _split_tables(rules: Rules) -> list[dict[str, Any]]:
    return [
        {"valid_from": s.valid_from, "origin_share": _fraction_text(s.origin_share)}
        for s in rules.splits
    ]


def _settlement_tables(rules: Rules) -> list[dict[str, Any]]:
    return [
        {
            "valid_from": v.valid_from,
            "method": v.method,
            "reserve_cap": Decimal(v.reserve_cap_cents) / 100,
        }
        for v in rules.settlements
    ]


def _fraction_text(value: Any) -> str:
    """An exact Fraction of a decimal as its decimal text (weights and shares are decimals)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return f"{exact.normalize():f}"
