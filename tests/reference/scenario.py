"""An independent, deliberately naive reference of SPEC §12, the scenario (*wat als*).

A test oracle: written straight from the text of the spec, importing nothing from
``fundcalc``. It reads rules into plain values, lays a scenario file over them, and
computes the year's totals per payer and item with the day-by-day oracle of §4
(:mod:`tests.oracle`).

Public API:

- :func:`rules_from_toml` — the text of ``arrangement.toml`` → :class:`RulesDoc`;
- :func:`overlay` — :class:`RulesDoc` + the text of a scenario file → :class:`RulesDoc`;
- :func:`to_oracle_scenario` — :class:`RulesDoc` + ``municipalities.csv`` text + log
  rows → :class:`tests.oracle.Scenario`;
- :func:`year_totals` — the year's totals per ``(payer, item)`` as of D;
- :func:`comparison` / :func:`comparison_csv` — the rows and text of ``comparison.csv``.

Decisions where the spec is silent (see also the docstrings):

- A ``[[lot]]`` with a known ``id`` may repeat its ``provider`` and ``group``, but a
  different value is an error in the scenario: §12 lists what a known lot may change
  (its terms and ``valid_to``); a different provider or group is a different contract,
  and changing the group would move every past day of the lot between the fund and the
  Justice/municipal streams. Such a change belongs in a new lot.
- A known lot's ``valid_to`` in the scenario replaces the rules' one (TOML cannot
  express "no end", so a scenario cannot remove an end date).
- Other scalars of the tables of ``arrangement.toml`` (``[fund] name``,
  ``[fund] opening_reserve``, ``[cosm] reflection_months``,
  ``[cosm] correction_lookback_months``) replace the rules' value when given: the
  scenario file has "the tables of arrangement.toml" and a given value is the natural
  override. Unknown keys are errors.
- Versions inside the scenario file may come in any order (the merged list is sorted);
  two versions with the same ``valid_from`` in one list of the scenario file, or the
  same lot ``id`` twice, are errors.
- ``[scenario]`` holds only ``name`` and ``description`` (text); it is metadata.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from tests.oracle import (
    GROUPS,
    LotSpec,
    MunicipalityRowSpec,
    Scenario,
    calculate,
    in_force_on,
)

#: The items of §5, in the order rows are sorted.
ITEMS = ("contribution", "origin", "key", "municipal", "justice")
#: The items every member of a month's key has a row for (zero or not).
MEMBER_ITEMS = ("contribution", "origin", "key", "municipal")
JUSTICE = "JUSTICE"
COMPARISON_HEADER = ("payer", "item", "base_cents", "scenario_cents", "difference_cents")
METHODS = ("balance", "key")
MUNICIPALITY_COLUMNS = (
    "municipality_code",
    "municipality_name",
    "centrumgemeente_code",
    "valid_from",
    "valid_to",
    "successor_code",
)

EURO = re.compile(r"\d+(\.\d{1,2})?")
SHARE = re.compile(r"\d+(\.\d{1,4})?")
DECIMAL = re.compile(r"\d+(\.\d+)?")

FUND_KEYS = {"name", "budget", "opening_reserve"}
COSM_KEYS = {"reflection_months", "correction_lookback_months"}
TOP_KEYS = {"fund", "key", "split", "settlement", "cosm", "lot"}
LOT_KEYS = {"id", "provider", "group", "valid_to", "terms"}
TERMS_KEYS = {"valid_from", "places", "day_tariff", "availability_tariff"}


class RulesError(ValueError):
    """An error in the rules or the scenario file: names the file, key and problem."""

    def __init__(self, source: str, key: str, problem: str) -> None:
        super().__init__(f"{source}: {key}: {problem}")
        self.source = source
        self.key = key
        self.problem = problem


# --- the plain structure ---


@dataclass(frozen=True)
class KeyVersion:
    valid_from: date
    weights: dict[str, Decimal]


@dataclass(frozen=True)
class SplitVersion:
    valid_from: date
    origin_share: Decimal


@dataclass(frozen=True)
class SettlementVersion:
    valid_from: date
    method: str
    reserve_cap_cents: int


@dataclass(frozen=True)
class Terms:
    valid_from: date
    places: int
    day_tariff_cents: int
    availability_tariff_cents: int


@dataclass(frozen=True)
class Lot:
    id: str
    provider: str
    group: str
    terms: tuple[Terms, ...]
    valid_to: date | None = None


@dataclass(frozen=True)
class RulesDoc:
    """``arrangement.toml`` as plain values; every list of versions sorted by valid_from."""

    fund_name: str
    budgets: dict[int, int]  # year → cents
    keys: tuple[KeyVersion, ...]
    splits: tuple[SplitVersion, ...]
    lots: tuple[Lot, ...]
    settlements: tuple[SettlementVersion, ...] = ()
    opening_reserve_cents: int = 0
    reflection_months: int = 3
    correction_lookback_months: int = 24
    scenario_name: str | None = None
    scenario_description: str | None = None
    #: What the overlay added or replaced, in words (for checking the workbook's text).
    changes: tuple[str, ...] = field(default=())

    def lot(self, lot_id: str) -> Lot:
        (found,) = [lot for lot in self.lots if lot.id == lot_id]
        return found


# --- parsing values ---


def _cents(value: object, source: str, key: str) -> int:
    """A decimal euro string (or an integer) as cents, exactly; at most 2 decimals, >= 0."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise RulesError(source, key, f"amount must be a decimal string, not {value!r}")
    text = str(value).strip()
    if not EURO.fullmatch(text):
        raise RulesError(source, key, f"not an amount >= 0 with at most 2 decimals: {value!r}")
    return int(Fraction(text) * 100)


def _date(value: object, source: str, key: str) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise RulesError(source, key, f"not a date: {value!r}")


def _int(value: object, source: str, key: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RulesError(source, key, f"must be a whole number >= {minimum}, not {value!r}")
    return value


def _text(value: object, source: str, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RulesError(source, key, f"must be a non-empty text, not {value!r}")
    return value.strip()


def _table(value: object, source: str, key: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise RulesError(source, key, "must be a table")
    return value


def _tables(value: object, source: str, key: str) -> list[dict[str, object]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RulesError(source, key, "must be an array of tables [[...]]")
    return value


def _unknown(table: dict[str, object], allowed: set[str], source: str, key: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise RulesError(source, f"{key}.{extra[0]}", "unknown key")


def _required(table: dict[str, object], name: str, source: str, key: str) -> object:
    if name not in table:
        raise RulesError(source, f"{key}.{name}", "missing")
    return table[name]


def _first_of_month(day: date, source: str, key: str) -> date:
    if day.day != 1:
        raise RulesError(source, key, f"{day.isoformat()} is not the first day of a month")
    return day


def _budgets(value: object, source: str) -> dict[int, int]:
    table = _table(value, source, "fund.budget")
    budgets: dict[int, int] = {}
    for year, amount in table.items():
        if not re.fullmatch(r"\d{4}", str(year)):
            raise RulesError(source, f"fund.budget.{year}", "not a year")
        budgets[int(year)] = _cents(amount, source, f"fund.budget.{year}")
    return budgets


def _key(table: dict[str, object], source: str, where: str) -> KeyVersion:
    _unknown(table, {"valid_from", "weights"}, source, where)
    valid_from = _date(_required(table, "valid_from", source, where), source, f"{where}.valid_from")
    _first_of_month(valid_from, source, f"{where}.valid_from")
    raw = _table(_required(table, "weights", source, where), source, f"{where}.weights")
    if not raw:
        raise RulesError(source, f"{where}.weights", "a key needs at least one member")
    weights: dict[str, Decimal] = {}
    for code, weight in raw.items():
        text = str(weight).strip() if isinstance(weight, str | int) else ""
        if isinstance(weight, bool) or not DECIMAL.fullmatch(text) or Decimal(text) <= 0:
            raise RulesError(
                source, f"{where}.weights.{code}", f"not a positive decimal: {weight!r}"
            )
        weights[code] = Decimal(text)
    return KeyVersion(valid_from, weights)


def _split(table: dict[str, object], source: str, where: str) -> SplitVersion:
    _unknown(table, {"valid_from", "origin_share"}, source, where)
    valid_from = _date(_required(table, "valid_from", source, where), source, f"{where}.valid_from")
    _first_of_month(valid_from, source, f"{where}.valid_from")
    raw = _required(table, "origin_share", source, where)
    text = raw.strip() if isinstance(raw, str) else str(raw) if type(raw) is int else ""
    if not SHARE.fullmatch(text) or Decimal(text) > 1:
        raise RulesError(source, f"{where}.origin_share", f"not 0..1 with <= 4 decimals: {raw!r}")
    return SplitVersion(valid_from, Decimal(text))


def _settlement(table: dict[str, object], source: str, where: str) -> SettlementVersion:
    _unknown(table, {"valid_from", "method", "reserve_cap"}, source, where)
    valid_from = _date(_required(table, "valid_from", source, where), source, f"{where}.valid_from")
    if (valid_from.month, valid_from.day) != (1, 1):
        raise RulesError(source, f"{where}.valid_from", "a settlement version starts on 1 January")
    method = _required(table, "method", source, where)
    if method not in METHODS:
        raise RulesError(source, f"{where}.method", f"must be one of {METHODS}, not {method!r}")
    cap = _cents(_required(table, "reserve_cap", source, where), source, f"{where}.reserve_cap")
    return SettlementVersion(valid_from, str(method), cap)


def _terms(table: dict[str, object], source: str, where: str) -> Terms:
    _unknown(table, TERMS_KEYS, source, where)
    valid_from = _date(_required(table, "valid_from", source, where), source, f"{where}.valid_from")
    return Terms(
        valid_from,
        _int(_required(table, "places", source, where), source, f"{where}.places"),
        _cents(_required(table, "day_tariff", source, where), source, f"{where}.day_tariff"),
        _cents(
            _required(table, "availability_tariff", source, where),
            source,
            f"{where}.availability_tariff",
        ),
    )


def _sorted_versions(versions: list, source: str, key: str) -> tuple:  # type: ignore[type-arg]
    """Versions must be strictly increasing by valid_from (§2: no overlap, sorted)."""
    for earlier, later in itertools.pairwise(versions):
        if later.valid_from <= earlier.valid_from:
            raise RulesError(
                source, key, f"versions not sorted or overlapping at {later.valid_from.isoformat()}"
            )
    return tuple(versions)


def _by_valid_from(versions: list, source: str, key: str) -> dict:  # type: ignore[type-arg]
    """A scenario's versions keyed by valid_from; any order, but no valid_from twice."""
    out: dict[date, object] = {}
    for version in versions:
        if version.valid_from in out:
            raise RulesError(source, key, f"valid_from {version.valid_from.isoformat()} twice")
        out[version.valid_from] = version
    return out


def _cosm(value: object, source: str) -> dict[str, int]:
    table = _table(value, source, "cosm")
    _unknown(table, COSM_KEYS, source, "cosm")
    return {name: _int(v, source, f"cosm.{name}", minimum=1) for name, v in table.items()}


def _lot_entry(table: dict[str, object], source: str, where: str) -> dict[str, object]:
    """A [[lot]] entry's given fields, parsed, without requiring any but ``id``."""
    _unknown(table, LOT_KEYS, source, where)
    lot_id = _text(_required(table, "id", source, where), source, f"{where}.id")
    out: dict[str, object] = {"id": lot_id}
    if "provider" in table:
        out["provider"] = _text(table["provider"], source, f"{where}.provider")
    if "group" in table:
        group = table["group"]
        if group not in GROUPS:
            raise RulesError(source, f"{where}.group", f"unknown group {group!r}")
        out["group"] = group
    if "valid_to" in table:
        out["valid_to"] = _date(table["valid_to"], source, f"{where}.valid_to")
    terms = _tables(table.get("terms", []), source, f"{where}.terms")
    out["terms"] = [_terms(t, source, f"{where}.terms[{i}]") for i, t in enumerate(terms)]
    return out


# --- reading the rules ---


def rules_from_toml(arrangement_toml: str, source: str = "arrangement.toml") -> RulesDoc:
    """The text of ``arrangement.toml`` as a :class:`RulesDoc` (§2, §9).

    Amounts become integer cents, weights and shares :class:`~decimal.Decimal` parsed
    from their text (never a float). Errors in the rules raise :class:`RulesError`.
    """
    try:
        doc = tomllib.loads(arrangement_toml)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(source, "(file)", f"not TOML: {error}") from error
    _unknown(doc, TOP_KEYS, source, "(top)")
    fund = _table(_required(doc, "fund", source, "(top)"), source, "fund")
    _unknown(fund, FUND_KEYS, source, "fund")
    keys = [
        _key(t, source, f"key[{i}]")
        for i, t in enumerate(_tables(doc.get("key", []), source, "key"))
    ]
    splits = [
        _split(t, source, f"split[{i}]")
        for i, t in enumerate(_tables(doc.get("split", []), source, "split"))
    ]
    settlements = [
        _settlement(t, source, f"settlement[{i}]")
        for i, t in enumerate(_tables(doc.get("settlement", []), source, "settlement"))
    ]
    cosm = _cosm(doc.get("cosm", {}), source)
    lots: list[Lot] = []
    for i, table in enumerate(_tables(doc.get("lot", []), source, "lot")):
        where = f"lot[{i}]"
        entry = _lot_entry(table, source, where)
        for name in ("provider", "group"):
            if name not in entry:
                raise RulesError(source, f"{where}.{name}", "missing")
        if any(lot.id == entry["id"] for lot in lots):
            raise RulesError(source, f"{where}.id", f"lot {entry['id']} defined twice")
        terms = _sorted_versions(entry["terms"], source, f"{where}.terms")  # type: ignore[arg-type]
        if not terms:
            raise RulesError(source, f"{where}.terms", "a lot needs at least one terms version")
        lots.append(
            Lot(
                str(entry["id"]),
                str(entry["provider"]),
                str(entry["group"]),
                terms,
                entry.get("valid_to"),  # type: ignore[arg-type]
            )
        )
    rules = RulesDoc(
        fund_name=_text(fund.get("name", ""), source, "fund.name") if "name" in fund else "",
        budgets=_budgets(_required(fund, "budget", source, "fund"), source),
        keys=_sorted_versions(keys, source, "key"),
        splits=_sorted_versions(splits, source, "split"),
        lots=tuple(lots),
        settlements=_sorted_versions(settlements, source, "settlement"),
        opening_reserve_cents=_cents(
            fund.get("opening_reserve", "0"), source, "fund.opening_reserve"
        ),
        reflection_months=cosm.get("reflection_months", 3),
        correction_lookback_months=cosm.get("correction_lookback_months", 24),
    )
    _check(rules, source)
    return rules


def _check(rules: RulesDoc, source: str) -> None:
    """Whole-document checks of §2 that a merge can break."""
    if not rules.keys:
        raise RulesError(source, "key", "no [[key]] version")
    if not rules.splits:
        raise RulesError(source, "split", "no [[split]] version")
    for i, lot in enumerate(rules.lots):
        if lot.valid_to is not None and lot.terms[0].valid_from >= lot.valid_to:
            raise RulesError(source, f"lot[{i}].valid_to", f"lot {lot.id} ends before its terms")


# --- the overlay (§12) ---


def _merge(base: tuple, added: dict, what: str, changes: list[str]) -> tuple:  # type: ignore[type-arg]
    """Versions of ``added`` replace those of ``base`` with the same valid_from or are added."""
    merged = {v.valid_from: v for v in base}
    for valid_from, version in added.items():
        verb = "replaces" if valid_from in merged else "adds"
        changes.append(f"{verb} {what} valid from {valid_from.isoformat()}")
        merged[valid_from] = version
    return tuple(merged[k] for k in sorted(merged))


def overlay(base: RulesDoc, scenario_toml: str, source: str = "scenario.toml") -> RulesDoc:
    """Lay the text of a scenario file over ``base`` (§12); ``base`` is not changed.

    - ``[[key]]``, ``[[split]]``, ``[[settlement]]``: a version replaces the rules' version
      with the same ``valid_from``, or is added; the lists stay sorted by ``valid_from``;
    - ``[fund] budget``: each year given replaces that year; other years are kept;
    - ``[[lot]]`` with a new ``id``: added (needs ``provider``, ``group`` and terms);
    - ``[[lot]]`` with a known ``id``: its ``[[lot.terms]]`` versions replace or are added
      by ``valid_from``, a ``valid_to`` replaces the lot's; ``provider``/``group`` may be
      repeated but must equal the rules' (see the module docstring);
    - ``[scenario]`` ``name``/``description``: metadata.

    The result is checked as rules (§2); a problem raises :class:`RulesError` naming
    the scenario file.
    """
    try:
        doc = tomllib.loads(scenario_toml)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(source, "(file)", f"not TOML: {error}") from error
    _unknown(doc, TOP_KEYS | {"scenario"}, source, "(top)")
    meta = _table(doc.get("scenario", {}), source, "scenario")
    _unknown(meta, {"name", "description"}, source, "scenario")
    changes: list[str] = []

    fund = _table(doc.get("fund", {}), source, "fund")
    _unknown(fund, FUND_KEYS, source, "fund")
    budgets = dict(base.budgets)
    for year, cents in sorted(_budgets(fund.get("budget", {}), source).items()):
        verb = "replaces" if year in budgets else "adds"
        changes.append(f"{verb} budget {year}")
        budgets[year] = cents

    def versions(name: str, parse) -> dict:  # type: ignore[no-untyped-def, type-arg]
        tables = _tables(doc.get(name, []), source, name)
        parsed = [parse(t, source, f"{name}[{i}]") for i, t in enumerate(tables)]
        return _by_valid_from(parsed, source, name)

    keys = _merge(base.keys, versions("key", _key), "key", changes)
    splits = _merge(base.splits, versions("split", _split), "split", changes)
    settlements = _merge(
        base.settlements, versions("settlement", _settlement), "settlement", changes
    )

    lots = {lot.id: lot for lot in base.lots}
    order = [lot.id for lot in base.lots]
    seen: set[str] = set()
    for i, table in enumerate(_tables(doc.get("lot", []), source, "lot")):
        where = f"lot[{i}]"
        entry = _lot_entry(table, source, where)
        lot_id = str(entry["id"])
        if lot_id in seen:
            raise RulesError(source, f"{where}.id", f"lot {lot_id} twice in the scenario")
        seen.add(lot_id)
        terms = _by_valid_from(entry["terms"], source, f"{where}.terms")  # type: ignore[arg-type]
        if lot_id in lots:
            known = lots[lot_id]
            for name in ("provider", "group"):
                if name in entry and entry[name] != getattr(known, name):
                    raise RulesError(
                        source,
                        f"{where}.{name}",
                        f"lot {lot_id} is known with {name} {getattr(known, name)!r}; "
                        "a scenario changes only its terms and valid_to",
                    )
            merged = _merge(known.terms, terms, f"terms of lot {lot_id}", changes)
            valid_to = known.valid_to
            if "valid_to" in entry:
                valid_to = entry["valid_to"]  # type: ignore[assignment]
                changes.append(f"sets valid_to of lot {lot_id} to {valid_to.isoformat()}")
            lots[lot_id] = replace(known, terms=merged, valid_to=valid_to)
        else:
            for name in ("provider", "group"):
                if name not in entry:
                    raise RulesError(source, f"{where}.{name}", f"missing for new lot {lot_id}")
            if not terms:
                raise RulesError(source, f"{where}.terms", f"new lot {lot_id} has no terms")
            changes.append(f"adds lot {lot_id}")
            lots[lot_id] = Lot(
                lot_id,
                str(entry["provider"]),
                str(entry["group"]),
                tuple(terms[k] for k in sorted(terms)),
                entry.get("valid_to"),  # type: ignore[arg-type]
            )
            order.append(lot_id)

    cosm = _cosm(doc.get("cosm", {}), source)
    result = RulesDoc(
        fund_name=_text(fund["name"], source, "fund.name") if "name" in fund else base.fund_name,
        budgets=budgets,
        keys=keys,
        splits=splits,
        lots=tuple(lots[lot_id] for lot_id in order),
        settlements=settlements,
        opening_reserve_cents=(
            _cents(fund["opening_reserve"], source, "fund.opening_reserve")
            if "opening_reserve" in fund
            else base.opening_reserve_cents
        ),
        reflection_months=cosm.get("reflection_months", base.reflection_months),
        correction_lookback_months=cosm.get(
            "correction_lookback_months", base.correction_lookback_months
        ),
        scenario_name=_text(meta["name"], source, "scenario.name") if "name" in meta else None,
        scenario_description=(str(meta["description"]) if "description" in meta else None),
        changes=tuple(changes),
    )
    _check(result, source)
    return result


# --- to the day-by-day oracle ---


class DecimalWeight(Fraction):
    """An exact weight that prints as the decimal it was written as (``"1.5"``, not ``"3/2"``),
    so that :meth:`tests.oracle.Scenario.arrangement_toml` renders it back as valid rules."""

    def __str__(self) -> str:
        text = format(Decimal(self.numerator) / Decimal(self.denominator), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text

    def __format__(self, spec: str) -> str:
        # Python 3.12 formats a Fraction itself, also in an f-string without a spec.
        return str(self) if not spec else super().__format__(spec)


def _weight(value: Decimal) -> int | Fraction:
    """A weight for tests.oracle: an int when whole, else an exact :class:`DecimalWeight`
    (tests.oracle.largest_remainder works on Fractions)."""
    exact = Fraction(value)
    return exact.numerator if exact.denominator == 1 else DecimalWeight(exact)


def municipalities_from_csv(text: str) -> list[MunicipalityRowSpec]:
    """The rows of ``municipalities.csv`` (§2), fields stripped, empty ``valid_to`` and
    ``successor_code`` as None."""
    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    header = tuple(name.strip().lower() for name in lines[0]) if lines else ()
    if header != MUNICIPALITY_COLUMNS:
        raise RulesError("municipalities.csv", "(header)", f"expected {MUNICIPALITY_COLUMNS}")
    out: list[MunicipalityRowSpec] = []
    for row in lines[1:]:
        if not any(f.strip() for f in row):
            continue
        code, _name, centre, valid_from, valid_to, successor = (f.strip() for f in row)
        out.append(
            MunicipalityRowSpec(
                code,
                centre,
                date.fromisoformat(valid_from),
                date.fromisoformat(valid_to) if valid_to else None,
                successor or None,
            )
        )
    return out


def to_oracle_scenario(
    doc: RulesDoc, municipalities_csv: str, rows: list[dict[str, str]]
) -> Scenario:
    """The rules, municipalities and log rows as a :class:`tests.oracle.Scenario`."""
    return Scenario(
        budgets=dict(doc.budgets),
        keys=[(k.valid_from, {c: _weight(w) for c, w in k.weights.items()}) for k in doc.keys],  # type: ignore[misc]
        splits=[(s.valid_from, str(s.origin_share)) for s in doc.splits],
        lots=[_lot_spec(lot) for lot in doc.lots],
        municipalities=municipalities_from_csv(municipalities_csv),
        rows=list(rows),
        reflection_months=doc.reflection_months,
        lookback=doc.correction_lookback_months,
    )


def _lot_spec(lot: Lot) -> LotSpec:
    return LotSpec(
        lot.id,
        lot.group,
        [
            (t.valid_from, t.places, t.day_tariff_cents, t.availability_tariff_cents)
            for t in lot.terms
        ],
        lot.valid_to,
    )


# --- the year (§12) ---


def month_rows(
    scenario: Scenario, year: int, month: int, as_of: date
) -> dict[tuple[str, str], int]:
    """The statement rows of one month as of D (§5): the oracle's non-zero figures plus a
    zero row for every item of every member of the key in force on the month's first day
    (``contribution``, ``origin``, ``key``, ``municipal``) and ``JUSTICE``/``justice``.

    A non-member centrumgemeente only appears through its non-zero ``municipal`` row."""
    outcome = calculate(scenario, year, month, as_of)
    key = in_force_on(scenario.keys, date(year, month, 1))[1]
    rows: dict[tuple[str, str], int] = {}
    for code in key:
        for item in MEMBER_ITEMS:
            rows[(code, item)] = 0
    rows[(JUSTICE, "justice")] = 0
    for pair, amount in outcome.statement.items():
        rows[pair] = rows.get(pair, 0) + amount
    return rows


def year_totals(scenario: Scenario, year: int, as_of: date) -> dict[tuple[str, str], int]:
    """Σ over the twelve months of ``year`` of the statement rows as of D, per (payer, item).

    Every month is computed by :func:`tests.oracle.calculate` with the log as of D: the
    versions in force are those recorded on or before D, so a stay open at D (no
    ``end_date``) continues to the end of the year, a known future ``end_date`` ends it,
    and nothing recorded after D exists. The year's rows are the union of the months'
    rows (:func:`month_rows`): a member of any month's key has all four member items.
    """
    totals: dict[tuple[str, str], int] = {}
    for month in range(1, 13):
        for pair, amount in month_rows(scenario, year, month, as_of).items():
            totals[pair] = totals.get(pair, 0) + amount
    return totals


def sort_key(pair: tuple[str, str]) -> tuple[str, int]:
    """Rows by payer (code ascending, so JUSTICE after every GM code), then §5 item order."""
    return (pair[0], ITEMS.index(pair[1]))


def comparison(  # noqa: PLR0917 - the signature the brief asks for
    base_doc: RulesDoc,
    scenario_doc: RulesDoc,
    municipalities_csv: str,
    rows: list[dict[str, str]],
    year: int,
    as_of: date,
) -> list[tuple[str, str, int, int, int]]:
    """The rows of ``comparison.csv``: (payer, item, base, scenario, scenario − base).

    The union of both sides' (payer, item) pairs, a pair missing on one side counting 0
    there, sorted by payer then item in §5 order (:func:`sort_key`)."""
    base = year_totals(to_oracle_scenario(base_doc, municipalities_csv, rows), year, as_of)
    other = year_totals(to_oracle_scenario(scenario_doc, municipalities_csv, rows), year, as_of)
    out = []
    for pair in sorted(set(base) | set(other), key=sort_key):
        before, after = base.get(pair, 0), other.get(pair, 0)
        out.append((pair[0], pair[1], before, after, after - before))
    return out


def comparison_csv(rows: list[tuple[str, str, int, int, int]]) -> str:
    """The text of ``comparison.csv``, header then the rows in the order given, ``\\n`` ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COMPARISON_HEADER)
    writer.writerows(rows)
    return out.getvalue()
