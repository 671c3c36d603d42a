"""The rules folder read: validated, or taken as validated before from the same bytes.

Every command starts from the rules, and validating `arrangement.toml`
(`arrangement`) takes pydantic: importing it and building the models is a good
part of a command's start, while the rules change a few times a year. So a
command that writes to an output folder keeps the rules it validated
(`OUT/.cache/rules/`), under a key made of both rules files' SHA-256, the
entries' `FORMAT` and the fingerprint of the code that validates them
(`validator_fingerprint`). A command whose rules files are byte for byte the
ones validated before takes the rules from there and never imports pydantic;
a changed file, another fundcalc or pydantic, or an entry that is damaged or
of another format is validated afresh. Rules with an error are never kept:
they are validated, and refused with the same message, every time. So a read
from the cache gives exactly the rules, or the RulesError, that validating
gives, which the tests prove.

`municipalities.csv` is parsed every time (the standard library's `csv`,
small): only the arrangement's validation is kept. The import of `arrangement`
inside `load_rules` is the one deliberate import inside a function outside the
command line: it is the point of the cache, not a way round a cycle.

The cache is no record: a close archives the rules files themselves, a replay
validates those, and `validate` validates always. Deleting the cache is always
safe, and an entry is kept only once the command succeeds (`save`), never
failing it: a cache that cannot be written stays as it is.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import replace
from datetime import date
from fractions import Fraction
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, TypeVar, cast

from fundcalc import __version__
from fundcalc.base.atomic import replace_file
from fundcalc.errors import not_in_project
from fundcalc.inputs.fingerprint import reading_code
from fundcalc.inputs.municipalities import Municipalities, load_municipalities
from fundcalc.inputs.rules import (
    ARRANGEMENT_FILE,
    GROUPS,
    MUNICIPALITIES_FILE,
    SETTLEMENT_METHODS,
    KeyVersion,
    Lot,
    LotTerms,
    Rules,
    RulesFile,
    SettlementMethod,
    SettlementVersion,
    SplitVersion,
    rules_bytes,
)

#: The cache's folder under the output folder.
CACHE = Path(".cache") / "rules"
#: The entries' format, part of every entry's key: an entry of another format is never read.
FORMAT = 1

_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_FRACTION = re.compile(r"-?[0-9]+/[1-9][0-9]*")
_T = TypeVar("_T")


def load_rules(directory: Path, cache: RulesCache | None = None) -> Rules:
    """Read and validate `arrangement.toml` and `municipalities.csv` in `directory`.

    With a `cache`, rules validated before from the same bytes are taken from
    it, and rules validated now are kept in it when it is saved.
    """
    toml_path = directory / ARRANGEMENT_FILE
    if not toml_path.exists() and not toml_path.is_symlink():
        raise not_in_project("no rules", toml_path, "--rules FOLDER")
    toml_bytes = rules_bytes(toml_path)
    csv_bytes = rules_bytes(directory / MUNICIPALITIES_FILE)
    municipalities = load_municipalities(csv_bytes, MUNICIPALITIES_FILE)
    files = (
        RulesFile(ARRANGEMENT_FILE, hashlib.sha256(toml_bytes).hexdigest()),
        RulesFile(MUNICIPALITIES_FILE, hashlib.sha256(csv_bytes).hexdigest()),
    )
    if cache is not None and (kept := cache.get(files, municipalities)) is not None:
        return kept
    # Validating takes pydantic, imported only here: unchanged rules never need it.
    from fundcalc.inputs.arrangement import parse_arrangement  # noqa: PLC0415

    rules = replace(parse_arrangement(toml_bytes, municipalities), files=files)
    if cache is not None:
        cache.put(rules)
    return rules


class RulesCache:
    """The rules validated by earlier commands writing to the same output folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pending: dict[str, bytes] = {}

    def get(self, files: tuple[RulesFile, ...], municipalities: Municipalities) -> Rules | None:
        """The rules validated before from the files with these checksums; None if there
        are none, or their entry cannot be read whole."""
        try:
            data = (self.folder / f"{entry_key(files)}.json").read_bytes()
            return decode(data, municipalities, files)
        except (OSError, ValueError, RecursionError):
            return None

    def put(self, rules: Rules) -> None:
        """Keep `rules`, just validated, once the command succeeds (`save`)."""
        self._pending[entry_key(rules.files)] = encode(rules)

    def save(self) -> None:
        """Write the rules validated in this command and remove the other entries (rules
        since changed, an older fundcalc). A cache that cannot be written stays as it is."""
        if not self._pending:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for key, data in self._pending.items():
                # Not durable: an entry lost in a crash is validated again.
                replace_file(self.folder / f"{key}.json", data, durable=False)
            for entry in self.folder.iterdir():
                if _ENTRY.fullmatch(entry.name) and entry.stem not in self._pending:
                    entry.unlink(missing_ok=True)
        except OSError:
            return
        finally:
            self._pending.clear()


def entry_key(files: tuple[RulesFile, ...]) -> str:
    """The entry of the rules read from `files`, validated by this fundcalc."""
    lines = [f"format {FORMAT}", validator_fingerprint(), *(f"{f.name} {f.sha256}" for f in files)]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@cache
def validator_fingerprint() -> str:
    """What validated rules depend on besides the files' bytes: the validating code
    (`fingerprint.reading_code`), fundcalc's version, pydantic's (from its installed
    metadata, without importing it; it pins its pydantic-core exactly) and Python's."""
    text = f"{__version__}\n{_version('pydantic')}\n{sys.version}\n{reading_code()}"
    return hashlib.sha256(text.encode()).hexdigest()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - pydantic is a dependency
        return "unknown"


# --- an entry: the rules as JSON, every field but the municipalities and the files ---


def encode(rules: Rules) -> bytes:
    """The entry of `rules`: its fields as JSON (fractions as `n/d`, days ISO), with the
    SHA-256 of that JSON, which `decode` checks."""
    fields = json.dumps(_rules_json(rules), separators=(",", ":"))
    checksum = hashlib.sha256(fields.encode()).hexdigest()
    return f'{{"format":{FORMAT},"sha256":"{checksum}","rules":{fields}}}'.encode()


def decode(data: bytes, municipalities: Municipalities, files: tuple[RulesFile, ...]) -> Rules:
    """The rules kept in an entry (`encode`), with the municipalities and files just read.

    Raises ValueError for an entry that is not whole: another format, a
    checksum that does not match, a field missing or of another type.
    """
    entry = json.loads(data)
    fields = _get(entry, "rules", dict)
    if _get(entry, "format", int) != FORMAT or _get(entry, "sha256", str) != (
        hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()
    ):
        raise ValueError("not an entry of this format, or damaged")
    return Rules(
        fund_name=_get(fields, "fund_name", str),
        budgets={_whole(year): _whole(cents) for year, cents in _pairs(fields, "budgets")},
        keys=tuple(_key_version(k) for k in _get(fields, "keys", list)),
        splits=tuple(_split_version(s) for s in _get(fields, "splits", list)),
        reflection_months=_get(fields, "reflection_months", int),
        correction_lookback_months=_get(fields, "correction_lookback_months", int),
        lots={lot_id: _lot(lot) for lot_id, lot in _get(fields, "lots", dict).items()},
        municipalities=municipalities,
        files=files,
        opening_reserve_cents=_get(fields, "opening_reserve_cents", int),
        settlements=tuple(_settlement_version(s) for s in _get(fields, "settlements", list)),
    )


def _rules_json(rules: Rules) -> dict[str, Any]:
    return {
        "fund_name": rules.fund_name,
        "budgets": [[year, cents] for year, cents in rules.budgets.items()],
        "keys": [
            {
                "valid_from": k.valid_from.isoformat(),
                "weights": {code: _fraction_text(w) for code, w in k.weights.items()},
            }
            for k in rules.keys
        ],
        "splits": [
            {"valid_from": s.valid_from.isoformat(), "origin_share": _fraction_text(s.origin_share)}
            for s in rules.splits
        ],
        "reflection_months": rules.reflection_months,
        "correction_lookback_months": rules.correction_lookback_months,
        "lots": {lot_id: _lot_json(lot) for lot_id, lot in rules.lots.items()},
        "opening_reserve_cents": rules.opening_reserve_cents,
        "settlements": [
            {
                "valid_from": s.valid_from.isoformat(),
                "method": s.method,
                "reserve_cap_cents": s.reserve_cap_cents,
            }
            for s in rules.settlements
        ],
    }


def _lot_json(lot: Lot) -> dict[str, Any]:
    return {
        "id": lot.id,
        "provider": lot.provider,
        "group": lot.group,
        "valid_to": _day_text(lot.valid_to),
        "terms": [
            {
                "valid_from": t.valid_from.isoformat(),
                "valid_to": _day_text(t.valid_to),
                "places": t.places,
                "day_tariff_cents": t.day_tariff_cents,
                "availability_tariff_cents": t.availability_tariff_cents,
            }
            for t in lot.terms
        ],
    }


def _key_version(item: object) -> KeyVersion:
    weights = _get(item, "weights", dict)
    return KeyVersion(
        _day(_get(item, "valid_from", str)),
        {_text(code): _fraction(w) for code, w in weights.items()},
    )


def _split_version(item: object) -> SplitVersion:
    return SplitVersion(
        _day(_get(item, "valid_from", str)), _fraction(_get(item, "origin_share", str))
    )


def _settlement_version(item: object) -> SettlementVersion:
    method = _get(item, "method", str)
    if method not in SETTLEMENT_METHODS:
        raise ValueError(f"no settlement method: {method!r}")
    return SettlementVersion(
        _day(_get(item, "valid_from", str)),
        cast(SettlementMethod, method),
        _get(item, "reserve_cap_cents", int),
    )


def _lot(item: object) -> Lot:
    group = _get(item, "group", str)
    if group not in GROUPS:
        raise ValueError(f"no group: {group!r}")
    return Lot(
        id=_get(item, "id", str),
        provider=_get(item, "provider", str),
        group=group,
        valid_to=_optional_day(item, "valid_to"),
        terms=tuple(_lot_terms(t) for t in _get(item, "terms", list)),
    )


def _lot_terms(item: object) -> LotTerms:
    return LotTerms(
        valid_from=_day(_get(item, "valid_from", str)),
        valid_to=_optional_day(item, "valid_to"),
        places=_get(item, "places", int),
        day_tariff_cents=_get(item, "day_tariff_cents", int),
        availability_tariff_cents=_get(item, "availability_tariff_cents", int),
    )


def _get(table: object, name: str, kind: type[_T]) -> _T:
    """`table[name]`, which must be exactly of `kind` (a bool is no int)."""
    if not isinstance(table, dict) or name not in table:
        raise ValueError(f"no {name}")
    return _exactly(table[name], kind)


def _exactly(value: object, kind: type[_T]) -> _T:
    if type(value) is not kind:
        raise ValueError(f"{value!r} is no {kind.__name__}")
    return value


def _pairs(table: object, name: str) -> list[tuple[object, object]]:
    pairs = _get(table, name, list)
    if not all(type(pair) is list and len(pair) == 2 for pair in pairs):
        raise ValueError(f"{name} are no pairs")
    return [(first, second) for first, second in pairs]


def _whole(value: object) -> int:
    return _exactly(value, int)


def _text(value: object) -> str:
    return _exactly(value, str)


def _fraction(value: object) -> Fraction:
    text = _text(value)
    if not _FRACTION.fullmatch(text):
        raise ValueError(f"{text!r} is no fraction")
    return Fraction(text)


def _day(text: str) -> date:
    day = date.fromisoformat(text)
    if day.isoformat() != text:
        raise ValueError(f"{text!r} is no day")
    return day


def _optional_day(table: object, name: str) -> date | None:
    if not isinstance(table, dict) or name not in table:
        raise ValueError(f"no {name}")
    value = table[name]
    return None if value is None else _day(_text(value))


def _fraction_text(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _day_text(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
