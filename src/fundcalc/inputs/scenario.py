"""A scenario (*wat als*, §12): a TOML file laid over the arrangement's rules.

The committee asks what a change would do: two more places on a lot, a higher
tariff, another key. A scenario file has the tables of `arrangement.toml` and a
`[scenario]` table (`name`, `description`); it is laid over the rules' own
tables, and the result is validated by the same code as the rules
(`arrangement.rules_from_document`), so a scenario can never hold rules that
`arrangement.toml` could not.

How it is laid over (§12):

* `[[key]]`, `[[split]]`, `[[settlement]]`: a version replaces the rules'
  version with the same `valid_from`, or is added; the list is kept sorted;
* `[fund] budget`: each year given replaces that year (or adds it); the other
  `[fund]` and `[cosm]` values given replace the rules' value;
* `[[lot]]` with a new `id`: added whole;
* `[[lot]]` with a known `id`: its `[[lot.terms]]` replace or are added by
  `valid_from`, a `valid_to` replaces the lot's. `provider` and `group` may be
  repeated, never changed: another provider or group is another contract
  (a new lot), and a changed group would move the lot's past days between the
  fund and the Justice and municipal streams.

Versions in the file may come in any order; the same `valid_from` twice in one
list, or a lot twice, is an error. Every problem is a RulesError naming the
scenario file, the key and the problem, raised before anything is written.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from fundcalc.errors import RulesError
from fundcalc.inputs.arrangement import read_document, rules_from_document
from fundcalc.inputs.rules import ARRANGEMENT_FILE, Rules, RulesFile

#: The tables of `arrangement.toml` that hold lists of versions by `valid_from`.
VERSIONED = ("key", "split", "settlement")
SCENARIO_TABLE = "scenario"
TOP_KEYS = ("fund", *VERSIONED, "cosm", "lot", SCENARIO_TABLE)
#: A scenario's name becomes part of a folder name: letters, digits, `-`, `_`, `.`.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")

_VERSION_AT = re.compile(r"^(key|split|settlement)\[(\d+)\](.*)$")
_TERMS_AT = re.compile(r"^lot (.+?)\.terms\[(\d+)\](.*)$")


@dataclass(frozen=True)
class Change:
    """One thing a scenario adds, replaces or sets, with the rules' value before it.

    `table` is where it is (`fund.budget`, `key`, `split`, `settlement`, `lot`,
    `lot.terms`, `lot.valid_to`, `fund`, `cosm`); `subject` names it within the
    table (a year, a lot id, a key of `[fund]`); `before` is None when the
    scenario adds it. Values are the plain TOML values (tables as dicts).
    """

    table: str
    subject: str
    valid_from: date | None
    before: Any
    after: Any

    @property
    def replaces(self) -> bool:
        return self.before is not None


@dataclass(frozen=True)
class Scenario:
    """A scenario file laid over the rules: its name, its words, its changes, the result."""

    name: str
    description: str
    file: str
    sha256: str
    changes: tuple[Change, ...]
    rules: Rules


def load_scenario(path: Path, rules_dir: Path, base: Rules) -> Scenario:
    """Read the scenario file at `path` and lay it over the rules in `rules_dir`.

    `base` are those rules as loaded (`rulescache.load_rules`); their text is read
    again for its tables. The scenario's name is `[scenario] name`, or the
    file's name without `.toml`.
    """
    data = _read(path)
    document = read_document((rules_dir / ARRANGEMENT_FILE).read_bytes())
    return overlay(base, document, data, file=str(path), default_name=path.stem)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RulesError(str(path), "", "file not found") from None
    except OSError as error:
        raise RulesError(str(path), "", f"cannot be read ({error.strerror})") from None


def overlay(
    base: Rules, document: Mapping[str, Any], data: bytes, *, file: str, default_name: str
) -> Scenario:
    """Lay the scenario text `data` over the rules' tables `document` and validate the result.

    `base` gives the municipalities and the files the rules came from; the
    scenario's rules list the scenario file beside them.
    """
    raw = read_document(data, file)
    _known(raw, TOP_KEYS, file, "")
    meta = _table(raw.get(SCENARIO_TABLE, {}), file, SCENARIO_TABLE)
    _known(meta, ("name", "description"), file, SCENARIO_TABLE)
    name = _text(meta.get("name", default_name), file, "scenario.name")
    if not NAME.fullmatch(name):
        raise RulesError(
            file,
            "scenario.name",
            f"{name!r} must be letters, digits, '-', '_' or '.' (it names the output folder)",
        )
    description = _text(meta.get("description", ""), file, "scenario.description")

    merged = copy.deepcopy(dict(document))
    changes: list[Change] = []
    for table in ("fund", "cosm"):
        if table in raw:
            _lay_table(merged, raw, table, file, changes)
    for table in VERSIONED:
        if table in raw:
            merged[table] = _lay_versions(
                merged.get(table, []),
                _tables(raw[table], file, table),
                file=file,
                where=table,
                table=table,
                changes=changes,
            )
    if "lot" in raw:
        merged["lot"] = _lay_lots(
            merged.get("lot", []), _tables(raw["lot"], file, "lot"), file, changes
        )

    try:
        rules = rules_from_document(merged, base.municipalities)
    except RulesError as error:
        raise RulesError(
            file,
            _where_in_scenario(error.where, merged),
            f"{error.problem} (with the scenario laid over {ARRANGEMENT_FILE})",
        ) from None
    sha256 = hashlib.sha256(data).hexdigest()
    files = (*base.files, RulesFile(Path(file).name, sha256))
    return Scenario(name, description, file, sha256, tuple(changes), replace(rules, files=files))


# --- laying it over ---


def _lay_table(
    merged: dict[str, Any], raw: Mapping[str, Any], table: str, file: str, changes: list[Change]
) -> None:
    """`[fund]` or `[cosm]`: each value given replaces the rules' one; a budget per year."""
    given = _table(raw[table], file, table)
    target = dict(_table(merged.get(table, {}), file, table))
    for key, value in given.items():
        if table == "fund" and key == "budget":
            budget = dict(_table(target.get("budget", {}), file, "fund.budget"))
            for year, amount in _table(value, file, "fund.budget").items():
                changes.append(Change("fund.budget", str(year), None, budget.get(year), amount))
                budget[year] = amount
            target["budget"] = budget
        else:
            changes.append(Change(table, str(key), None, target.get(key), value))
            target[key] = value
    merged[table] = target


def _lay_versions(
    versions: Sequence[Any],
    given: Sequence[Mapping[str, Any]],
    *,
    file: str,
    where: str,
    table: str,
    changes: list[Change],
    subject: str = "",
) -> list[dict[str, Any]]:
    """Versions `given` replace those with the same `valid_from`, or are added; sorted."""
    by_day: dict[date, dict[str, Any]] = {}
    for version in versions:
        if isinstance(version, dict) and isinstance(version.get("valid_from"), date):
            by_day[version["valid_from"]] = version
    seen: set[date] = set()
    for i, version in enumerate(given, 1):
        day = version.get("valid_from")
        at = f"{where}[{i}].valid_from"
        if day is None:
            raise RulesError(file, at, "missing")
        if not isinstance(day, date):
            raise RulesError(file, at, f"{day!r} is not a date like 2027-01-01")
        if day in seen:
            raise RulesError(file, at, f"{day.isoformat()} appears twice in the scenario")
        seen.add(day)
        changes.append(Change(table, subject, day, by_day.get(day), dict(version)))
        by_day[day] = dict(version)
    return [by_day[day] for day in sorted(by_day)]


def _lay_lots(
    lots: Sequence[Any], given: Sequence[Mapping[str, Any]], file: str, changes: list[Change]
) -> list[dict[str, Any]]:
    """New lots are added; a known lot gets terms by `valid_from` and may get a `valid_to`."""
    merged = [dict(lot) for lot in lots]
    known = {lot.get("id"): lot for lot in merged}
    seen: set[str] = set()
    for i, lot in enumerate(given, 1):
        where = f"lot[{i}]"
        lot_id = lot.get("id")
        if not isinstance(lot_id, str) or not lot_id:
            raise RulesError(file, f"{where}.id", "missing: a lot is named by its id")
        where = f"lot {lot_id}"
        if lot_id in seen:
            raise RulesError(file, where, "appears twice in the scenario")
        seen.add(lot_id)
        if lot_id not in known:
            changes.append(Change("lot", lot_id, None, None, dict(lot)))
            merged.append(dict(lot))
            continue
        target = known[lot_id]
        for key, value in lot.items():
            if key in ("id", "terms"):
                continue
            if key in ("provider", "group"):
                if value != target.get(key):
                    raise RulesError(
                        file,
                        f"{where}.{key}",
                        f"lot {lot_id} has {key} {target.get(key)!r} in the rules; a scenario"
                        " changes a known lot's terms and valid_to only (another provider or"
                        " group is a new lot)",
                    )
                continue
            table = "lot.valid_to" if key == "valid_to" else "lot"
            changes.append(Change(table, lot_id, None, target.get(key), value))
            target[key] = value
        if "terms" in lot:
            target["terms"] = _lay_versions(
                target.get("terms", []),
                _tables(lot["terms"], file, f"{where}.terms"),
                file=file,
                where=f"{where}.terms",
                table="lot.terms",
                changes=changes,
                subject=lot_id,
            )
    return merged


# --- checking the scenario file's own shape ---


def _known(table: Mapping[str, Any], allowed: Sequence[str], file: str, where: str) -> None:
    for key in table:
        if key not in allowed:
            raise RulesError(file, f"{where}.{key}" if where else key, "unknown key")


def _table(value: Any, file: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RulesError(file, where, "must be a table")
    return value


def _tables(value: Any, file: str, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        name = where.rsplit(".", maxsplit=1)[-1]
        raise RulesError(file, where, f"must be a list of tables ([[{name}]])")
    return value


def _text(value: Any, file: str, where: str) -> str:
    if not isinstance(value, str):
        raise RulesError(file, where, "must be a quoted text")
    return value.strip()


def _where_in_scenario(where: str, merged: Mapping[str, Any]) -> str:
    """A place in the merged rules named as the scenario's author knows it: a version by its
    `valid_from` (`key[valid_from=2027-01-01].weights.GM0363`), not by its place in a list
    the scenario file does not show."""
    if found := _VERSION_AT.match(where):
        table, index, rest = found.groups()
        day = _valid_from(merged.get(table, []), int(index))
        return f"{table}[valid_from={day}]{rest}" if day else where
    if found := _TERMS_AT.match(where):
        lot_id, index, rest = found.groups()
        lots = [lot for lot in merged.get("lot", []) if lot.get("id") == lot_id]
        day = _valid_from(lots[0].get("terms", []) if lots else [], int(index))
        return f"lot {lot_id}.terms[valid_from={day}]{rest}" if day else where
    return where


def _valid_from(versions: Any, index: int) -> str:
    if isinstance(versions, list) and 0 < index <= len(versions):
        day = (
            versions[index - 1].get("valid_from") if isinstance(versions[index - 1], dict) else None
        )
        if isinstance(day, date):
            return day.isoformat()
    return ""
