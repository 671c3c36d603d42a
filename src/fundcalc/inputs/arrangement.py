"""`arrangement.toml` validated into the rules (§2): the one validation of the rules.

The TOML text is read into plain tables (`read_document`), their shape checked
by pydantic models (unknown keys and wrong types are errors), then every rule
of §2 that a shape cannot say: amounts parsed exactly into cents and never
negative, weights positive, versions sorted from the first of a month, a key's
members centrumgemeenten. A scenario laid over the rules is validated by the
same code (`scenario`). Every problem is a RulesError that names the file, the
key and what is wrong, raised before anything is written.

Importing pydantic and building the models is a good part of a command's
start; `rulescache` imports this module only when rules are validated.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from fundcalc.base.money import parse_cents, parse_decimal
from fundcalc.errors import RulesError
from fundcalc.inputs.municipalities import Municipalities
from fundcalc.inputs.rules import (
    ARRANGEMENT_FILE,
    GROUPS,
    MAX_AMOUNT_CENTS,
    MAX_PLACES,
    MUNICIPALITIES_FILE,
    SETTLEMENT_METHODS,
    Group,
    KeyVersion,
    Lot,
    LotTerms,
    Rules,
    SettlementMethod,
    SettlementVersion,
    SplitVersion,
)

# --- the shapes of the TOML file (pydantic: unknown keys and wrong types are errors) ---


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _FundModel(_Model):
    name: StrictStr
    budget: dict[StrictStr, StrictStr]
    opening_reserve: StrictStr = "0"


class _KeyModel(_Model):
    valid_from: date
    weights: dict[StrictStr, StrictStr | StrictInt] = Field(min_length=1)


class _SplitModel(_Model):
    valid_from: date
    origin_share: StrictStr


class _SettlementModel(_Model):
    valid_from: date
    method: SettlementMethod
    reserve_cap: StrictStr


class _CosmModel(_Model):
    reflection_months: StrictInt = Field(default=3, ge=0, le=120)
    correction_lookback_months: StrictInt = Field(default=24, ge=0, le=1200)


class _TermsModel(_Model):
    valid_from: date
    places: StrictInt = Field(ge=0, le=MAX_PLACES)
    day_tariff: StrictStr
    availability_tariff: StrictStr


class _LotModel(_Model):
    id: StrictStr = Field(min_length=1)
    provider: StrictStr
    group: Group
    valid_to: date | None = None
    terms: list[_TermsModel] = Field(min_length=1)


class _ArrangementModel(_Model):
    fund: _FundModel
    key: list[_KeyModel] = Field(min_length=1)
    split: list[_SplitModel] = Field(min_length=1)
    cosm: _CosmModel = _CosmModel()
    lot: list[_LotModel] = Field(min_length=1)
    settlement: list[_SettlementModel] = []


def parse_arrangement(data: bytes, municipalities: Municipalities) -> Rules:
    """Validate the TOML text of an arrangement into Rules."""
    return rules_from_document(read_document(data), municipalities)


def read_document(data: bytes, file: str = ARRANGEMENT_FILE) -> dict[str, Any]:
    """The TOML text of an arrangement (or a scenario laid over one) as plain tables,
    not yet validated: UTF-8 (a BOM allowed), TOML, and no date with a time of day."""
    try:
        raw = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise RulesError(file, "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise not_toml(file, data, error) from None
    except RecursionError:  # `a = [[[[…]]]]` 100,000 deep: no arrangement nests like that
        raise RulesError(file, "", "is nested too deeply to be read") from None
    try:
        _refuse_datetimes(raw, ())
    except RulesError as error:
        raise RulesError(file, error.where, error.problem) from None
    return raw


_AT_LINE = re.compile(r"\(at line (\d+), column \d+\)$")
#: A word written like a date (`2026-13-01`, `2026-2-30`): four digits, month, day.
_DATE_LIKE = re.compile(r"(?<![\w.:-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w.:-])")


def not_toml(file: str, data: bytes, error: tomllib.TOMLDecodeError) -> RulesError:
    """The error for text that is not TOML: where a date on the line it stopped at is
    no date (`2026-13-01`), that date with its line; else TOML's own words.

    TOML reads a date by its form, so a month 13 is not "a wrong date" to it but
    something that is not TOML at all ("Expected newline…"): said as it is, a
    finance officer would not see that it is the date.
    """
    found = _AT_LINE.search(str(error))
    if found:
        number = int(found[1])
        lines = data.decode("utf-8-sig").splitlines()
        line = lines[number - 1].split("#", 1)[0] if number <= len(lines) else ""
        for word in _DATE_LIKE.finditer(line):
            if not _is_date(word[0]):
                return RulesError(
                    file,
                    f"line {number}",
                    f"{word[0]} is not a date (a date is written like 2026-01-31)",
                )
    return RulesError(file, "", f"is not valid TOML ({error})")


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == len("2026-01-31")


def rules_from_document(raw: Mapping[str, Any], municipalities: Municipalities) -> Rules:
    """Validate an arrangement's tables (`read_document`) into Rules: the one validation
    of §2, for `arrangement.toml` and for a scenario laid over it alike."""
    try:
        model = _ArrangementModel.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = _describe_location(first["loc"], raw)
        raise RulesError(ARRANGEMENT_FILE, where, _describe_problem(first)) from None
    keys = _keys(model.key)
    _refuse_members_that_are_no_centrumgemeente(keys, municipalities)
    return Rules(
        fund_name=model.fund.name,
        budgets=_budgets(model.fund.budget),
        keys=keys,
        splits=_splits(model.split),
        reflection_months=model.cosm.reflection_months,
        correction_lookback_months=model.cosm.correction_lookback_months,
        lots=_lots(model.lot),
        municipalities=municipalities,
        opening_reserve_cents=_reserve(model.fund.opening_reserve, "fund.opening_reserve"),
        settlements=_settlements(model.settlement),
    )


def _budgets(budget: Mapping[str, str]) -> dict[int, int]:
    budgets: dict[int, int] = {}
    for year, amount in budget.items():
        if not (len(year) == 4 and year.isdigit()):
            raise RulesError(ARRANGEMENT_FILE, f"fund.budget.{year}", "is not a year like 2025")
        budgets[int(year)] = _cents(amount, f"fund.budget.{year}", "a budget")
    return dict(sorted(budgets.items()))


def _keys(models: Sequence[_KeyModel]) -> tuple[KeyVersion, ...]:
    _check_versions([m.valid_from for m in models], "key", first_of_month=True)
    keys = []
    for i, model in enumerate(models, 1):
        weights: dict[str, Fraction] = {}
        for code, text in model.weights.items():
            where = f"key[{i}].weights.{code}"
            try:
                weight = parse_decimal(str(text))
            except ValueError as error:
                raise RulesError(ARRANGEMENT_FILE, where, str(error)) from None
            if weight <= 0:
                raise RulesError(ARRANGEMENT_FILE, where, "a weight must be positive")
            weights[code] = weight
        keys.append(KeyVersion(model.valid_from, dict(sorted(weights.items()))))
    return tuple(keys)


def _refuse_members_that_are_no_centrumgemeente(
    keys: Sequence[KeyVersion], municipalities: Municipalities
) -> None:
    """A key's member must be a centrumgemeente in municipalities.csv on its `valid_from`:
    a typo (GM9999) would otherwise be a nameless member that pays."""
    for i, key in enumerate(keys, 1):
        day = key.valid_from
        centrumgemeenten = {
            row.centrumgemeente
            for rows in municipalities.rows.values()
            for row in rows
            if row.valid_from <= day and (row.valid_to is None or day < row.valid_to)
        }
        for code in key.weights:
            if code not in centrumgemeenten:
                raise RulesError(
                    ARRANGEMENT_FILE,
                    f"key[{i}].weights.{code}",
                    f"{code} is not a centrumgemeente in {MUNICIPALITIES_FILE} on {day}"
                    " (a typo in the code, or a member that no longer exists)",
                )


def _splits(models: Sequence[_SplitModel]) -> tuple[SplitVersion, ...]:
    _check_versions([m.valid_from for m in models], "split", first_of_month=True)
    splits = []
    for i, model in enumerate(models, 1):
        where = f"split[{i}].origin_share"
        try:
            share = parse_decimal(model.origin_share, max_decimals=4)
        except ValueError as error:
            raise RulesError(ARRANGEMENT_FILE, where, str(error)) from None
        if not 0 <= share <= 1:
            raise RulesError(ARRANGEMENT_FILE, where, "must be between 0 and 1")
        splits.append(SplitVersion(model.valid_from, share))
    return tuple(splits)


def _settlements(models: Sequence[_SettlementModel]) -> tuple[SettlementVersion, ...]:
    """The `[[settlement]]` versions: each from 1 January, sorted, with a cap of 0 or more."""
    starts = [m.valid_from for m in models]
    _check_versions(starts, "settlement", first_of_month=True)
    for i, start in enumerate(starts, 1):
        if start.month != 1:
            raise RulesError(
                ARRANGEMENT_FILE,
                f"settlement[{i}].valid_from",
                f"{start.isoformat()} is not 1 January (a year is settled as a whole)",
            )
    return tuple(
        SettlementVersion(
            model.valid_from,
            model.method,
            _reserve(model.reserve_cap, f"settlement[{i}].reserve_cap"),
        )
        for i, model in enumerate(models, 1)
    )


def _reserve(text: str, where: str) -> int:
    """An amount of the equalisation reserve: a reserve is never below zero."""
    return _cents(text, where, "a reserve")


def _lots(models: Sequence[_LotModel]) -> dict[str, Lot]:
    lots: dict[str, Lot] = {}
    for model in models:
        where = f"lot {model.id}"
        if model.id != model.id.strip():
            raise RulesError(ARRANGEMENT_FILE, where, "lot id has surrounding spaces")
        if model.id in lots:
            raise RulesError(ARRANGEMENT_FILE, where, "lot id appears twice")
        starts = [t.valid_from for t in model.terms]
        _check_versions(starts, f"{where}.terms", first_of_month=False)
        if model.valid_to is not None and model.valid_to <= starts[0]:
            raise RulesError(
                ARRANGEMENT_FILE, f"{where}.valid_to", "lot ends before its first terms"
            )
        terms = []
        for i, term in enumerate(model.terms):
            if model.valid_to is not None and term.valid_from >= model.valid_to:
                raise RulesError(
                    ARRANGEMENT_FILE, f"{where}.terms[{i + 1}]", "terms start after the lot ends"
                )
            ends = [*starts[i + 1 :], model.valid_to]
            terms.append(
                LotTerms(
                    valid_from=term.valid_from,
                    valid_to=ends[0],
                    places=term.places,
                    day_tariff_cents=_cents(
                        term.day_tariff, f"{where}.terms[{i + 1}].day_tariff", "a tariff"
                    ),
                    availability_tariff_cents=_cents(
                        term.availability_tariff,
                        f"{where}.terms[{i + 1}].availability_tariff",
                        "a tariff",
                    ),
                )
            )
        lots[model.id] = Lot(model.id, model.provider, model.group, model.valid_to, tuple(terms))
    return dict(sorted(lots.items()))


def _cents(text: str, where: str, what: str) -> int:
    """An amount of the rules in cents, 0 or more: `what` it is names it in the error.

    No amount of the arrangement can be negative: a negative budget would charge
    the members negative contributions, a negative tariff would pay a payer for
    a day of shelter (a discount is a lower tariff, a refund a correction). An
    amount beyond a billion euros is a typing error, and could not be summed in
    64-bit cents over a year of placements.
    """
    try:
        cents = parse_cents(text)
    except ValueError as error:
        raise RulesError(ARRANGEMENT_FILE, where, str(error)) from None
    if cents < 0:
        raise RulesError(ARRANGEMENT_FILE, where, f"{text!r} is negative; {what} is 0 or more")
    if cents > MAX_AMOUNT_CENTS:
        raise RulesError(
            ARRANGEMENT_FILE, where, f"{text!r} is more than {MAX_AMOUNT_CENTS // 100:,} euros"
        )
    return cents


def _check_versions(starts: Sequence[date], where: str, *, first_of_month: bool) -> None:
    for i, start in enumerate(starts):
        if first_of_month and start.day != 1:
            raise RulesError(
                ARRANGEMENT_FILE,
                f"{where}[{i + 1}].valid_from",
                f"{start.isoformat()} is not the first day of a month",
            )
        if i and start == starts[i - 1]:
            raise RulesError(
                ARRANGEMENT_FILE,
                f"{where}[{i + 1}].valid_from",
                f"overlaps the version before it (both valid from {start.isoformat()})",
            )
        if i and start < starts[i - 1]:
            raise RulesError(
                ARRANGEMENT_FILE,
                f"{where}[{i + 1}].valid_from",
                f"versions are not sorted ({start.isoformat()} after {starts[i - 1].isoformat()})",
            )


def _refuse_datetimes(value: Any, path: tuple[str | int, ...]) -> None:
    """A `valid_from` with a time of day is a mistake, not a date."""
    if isinstance(value, datetime):
        raise RulesError(
            ARRANGEMENT_FILE, _describe_location(path, None), "must be a date without a time"
        )
    if isinstance(value, dict):
        for key, item in value.items():
            _refuse_datetimes(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_datetimes(item, (*path, i))


def _describe_location(loc: Sequence[str | int], raw: Any) -> str:
    """`('lot', 2, 'terms', 0, 'places')` → `lot LOV-NOORD.terms[1].places`."""
    parts: list[str] = []
    node = raw
    for item in loc:
        if parts and node is not None and not isinstance(node, (dict, list)):
            break  # past the value itself: pydantic's name of a type it tried (`.str`)
        if isinstance(item, int):
            lot_id = node[item].get("id") if isinstance(node, list) and parts == ["lot"] else None
            if isinstance(lot_id, str):
                parts[-1] = f"lot {lot_id}"
            else:
                parts[-1] += f"[{item + 1}]"
        else:
            parts.append(str(item))
        node = node[item] if node is not None and _has(node, item) else None
    return ".".join(parts)


def _has(node: Any, item: str | int) -> bool:
    if isinstance(node, dict):
        return item in node
    if isinstance(node, list) and isinstance(item, int):
        return 0 <= item < len(node)
    return False


def _describe_problem(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "missing"
    if kind in {"string_type"}:
        return 'must be a quoted text, for amounts a decimal string like "236.40"'
    if kind == "literal_error" and error["loc"][-1] == "method":
        return f"must be one of {', '.join(SETTLEMENT_METHODS)}"
    if kind == "literal_error":
        return f"must be one of {', '.join(GROUPS)}"
    return str(error["msg"]).lower()
