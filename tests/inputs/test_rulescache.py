"""The rules folder read, and the rules validated before: a kept read is exactly a validation."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundcalc.errors import RulesError, UsageError
from fundcalc.inputs import arrangement, rulescache
from fundcalc.inputs.municipalities import Municipalities, MunicipalityRow
from fundcalc.inputs.rules import (
    GROUPS,
    SETTLEMENT_METHODS,
    KeyVersion,
    Lot,
    LotTerms,
    Rules,
    RulesFile,
    SettlementVersion,
    SplitVersion,
)
from fundcalc.inputs.rulescache import FORMAT, RulesCache, decode, encode, entry_key, load_rules
from tests.conftest import ROOT

#: The shipped rules and the rules of every worked example (copies of the spec's).
FOLDERS = [ROOT / "rules", *sorted((ROOT / "tests" / "data").glob("*/rules"))]


def kept_read(rules: Path, folder: Path) -> Rules:
    """Load the rules with the cache in `folder`, then keep what was validated (as a run does)."""
    cache = RulesCache(folder)
    loaded = load_rules(rules, cache)
    cache.save()
    return loaded


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def exactly(a: Rules, b: Rules) -> bool:
    """Equal, and equal in every type and order (a tuple no list, an int key no text)."""
    return a == b and repr(a) == repr(b)


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A copy of the shipped rules, to change."""
    return Path(shutil.copytree(ROOT / "rules", tmp_path / "rules"))


@pytest.fixture
def cache(rules: Path, tmp_path: Path) -> Path:
    """A cache folder that keeps the rules of `rules`, as one run leaves it."""
    folder = tmp_path / "cache"
    kept_read(rules, folder)
    return folder


# --- reading the folder ---


def test_rules_files_are_read_from_a_folder_with_their_hashes(example: Path) -> None:
    rules = load_rules(example / "rules")
    assert [f.name for f in rules.files] == ["arrangement.toml", "municipalities.csv"]
    assert [f.sha256 for f in rules.files] == [
        hashlib.sha256((example / "rules" / f.name).read_bytes()).hexdigest() for f in rules.files
    ]


def test_a_folder_without_the_arrangement_is_bad_usage_naming_where_it_looked(
    tmp_path: Path,
) -> None:
    with pytest.raises(UsageError) as raised:
        load_rules(tmp_path)
    assert str(raised.value) == (
        f"no rules: looked for {tmp_path / 'arrangement.toml'}, which does not exist; run"
        " fundcalc in the project folder (the one that holds rules/ and inputs/), or give"
        " --rules FOLDER"
    )


def test_the_shipped_rules_settle_every_year_they_budget() -> None:
    rules = load_rules(ROOT / "rules")
    assert rules.opening_reserve_cents == 25_000_000
    assert all(rules.settlement_for(year).reserve_cap_cents >= 0 for year in rules.budgets)


# --- the entry: the rules as JSON, exactly ---


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.parent.name for f in FOLDERS])
def test_an_entry_gives_back_exactly_the_rules_it_was_made_of(folder: Path) -> None:
    rules = load_rules(folder)
    assert exactly(decode(encode(rules), rules.municipalities, rules.files), rules)


def test_an_entry_keeps_every_field_of_every_record_but_the_municipalities_and_files() -> None:
    rules = load_rules(ROOT / "rules")
    kept = json.loads(encode(rules))["rules"]
    lot = next(iter(kept["lots"].values()))

    def names(record: type) -> set[str]:
        return {field.name for field in dataclasses.fields(record)}

    assert set(kept) == names(Rules) - {"municipalities", "files"}
    assert set(kept["keys"][0]) == names(KeyVersion)
    assert set(kept["splits"][0]) == names(SplitVersion)
    assert set(kept["settlements"][0]) == names(SettlementVersion)
    assert set(lot) == names(Lot)
    assert set(lot["terms"][0]) == names(LotTerms)


_DAYS = st.dates()
_TEXT = st.text(max_size=8)
_WHOLE = st.integers(-(2**70), 2**70)
_FRACTIONS = st.fractions()
_DAY_OR_NONE = st.none() | _DAYS
_TERMS = st.builds(LotTerms, _DAYS, _DAY_OR_NONE, _WHOLE, _WHOLE, _WHOLE)
_LOTS = st.builds(
    Lot, _TEXT, _TEXT, st.sampled_from(GROUPS), _DAY_OR_NONE, st.tuples(_TERMS) | st.tuples()
)
_MUNICIPALITIES = Municipalities(
    {"GM0001": (MunicipalityRow("GM0001", "A", "GM0001", date(2000, 1, 1), None, None, 2),)}
)
_FILES = (RulesFile("arrangement.toml", "0" * 64), RulesFile("municipalities.csv", "1" * 64))
_RULES = st.builds(
    Rules,
    fund_name=_TEXT,
    budgets=st.dictionaries(_WHOLE, _WHOLE, max_size=3),
    keys=st.lists(
        st.builds(KeyVersion, _DAYS, st.dictionaries(_TEXT, _FRACTIONS, max_size=3)), max_size=2
    ).map(tuple),
    splits=st.lists(st.builds(SplitVersion, _DAYS, _FRACTIONS), max_size=2).map(tuple),
    reflection_months=_WHOLE,
    correction_lookback_months=_WHOLE,
    lots=st.dictionaries(_TEXT, _LOTS, max_size=3),
    municipalities=st.just(_MUNICIPALITIES),
    files=st.just(_FILES),
    opening_reserve_cents=_WHOLE,
    settlements=st.lists(
        st.builds(SettlementVersion, _DAYS, st.sampled_from(SETTLEMENT_METHODS), _WHOLE),
        max_size=2,
    ).map(tuple),
)


@given(_RULES)
def test_any_rules_come_back_exactly_from_their_entry(rules: Rules) -> None:
    assert exactly(decode(encode(rules), _MUNICIPALITIES, _FILES), rules)


# --- rules validated before ---


def test_rules_kept_before_are_taken_without_validating(
    rules: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    validated = load_rules(rules)

    def never(*_: object) -> Rules:
        raise AssertionError("validated again")

    monkeypatch.setattr(arrangement, "parse_arrangement", never)
    assert entries(cache) == [f"{entry_key(validated.files)}.json"]
    assert exactly(kept_read(rules, cache), validated)


COUNT_PYDANTIC = (
    "import sys\n"
    "from pathlib import Path\n"
    "from fundcalc.inputs.rulescache import RulesCache, load_rules\n"
    "cache = RulesCache(Path(sys.argv[2]))\n"
    "load_rules(Path(sys.argv[1]), cache)\n"
    "cache.save()\n"
    "print('pydantic' in sys.modules)\n"
)


def test_a_process_that_finds_its_rules_kept_never_imports_pydantic(
    rules: Path, tmp_path: Path
) -> None:
    def process() -> str:
        command = [sys.executable, "-c", COUNT_PYDANTIC, str(rules), str(tmp_path / "cache")]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    assert [process(), process()] == ["True", "False"]


def test_nothing_is_kept_until_the_command_succeeds(rules: Path, tmp_path: Path) -> None:
    load_rules(rules, RulesCache(tmp_path / "cache"))  # a command that then fails
    assert not (tmp_path / "cache").exists()


def test_a_changed_byte_is_validated_afresh_and_its_error_is_the_same(
    rules: Path, cache: Path
) -> None:
    toml = rules / "arrangement.toml"
    data = toml.read_bytes()
    point = data.index(b".", data.index(b'day_tariff = "'))
    toml.write_bytes(data[:point] + b"," + data[point + 1 :])  # one byte: 236,40
    before = entries(cache)
    with pytest.raises(RulesError) as uncached:
        load_rules(rules)
    with pytest.raises(RulesError) as cached:
        kept_read(rules, cache)
    assert str(cached.value) == str(uncached.value)
    assert str(cached.value).endswith('is not a decimal number like "236.40"')
    assert entries(cache) == before  # rules with an error are never kept


def test_a_changed_municipalities_file_is_validated_afresh(rules: Path, cache: Path) -> None:
    csv = rules / "municipalities.csv"
    member = load_rules(rules).keys[0].members[0]
    csv.write_text(csv.read_text().replace(f",{member},", ",GM9999,"))  # no centrumgemeente
    with pytest.raises(RulesError) as uncached:
        load_rules(rules)
    with pytest.raises(RulesError) as cached:
        kept_read(rules, cache)
    assert str(cached.value) == str(uncached.value)
    assert f"{member} is not a centrumgemeente in municipalities.csv" in str(cached.value)


def _entry(data: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    entry = json.loads(data)
    change(entry)
    return json.dumps(entry).encode()


def _figure_changed(entry: dict[str, Any]) -> None:
    entry["rules"]["reflection_months"] += 1  # the checksum no longer matches


def _text_for_a_number(entry: dict[str, Any]) -> None:
    fields = entry["rules"]
    fields["reflection_months"] = str(fields["reflection_months"])
    checked = json.dumps(fields, separators=(",", ":")).encode()
    entry["sha256"] = hashlib.sha256(checked).hexdigest()  # whole, but of another shape


DAMAGES: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda data: b"",
    "cut short": lambda data: data[: len(data) // 2],
    "no JSON": lambda data: b"\x00\xff not json",
    "a figure changed": lambda data: _entry(data, _figure_changed),
    "another format": lambda data: _entry(data, lambda e: e.update(format=FORMAT + 1)),
    "a text for a number": lambda data: _entry(data, _text_for_a_number),
    "a list": lambda data: b"[]",
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_entry_is_validated_afresh_and_replaced(
    rules: Path, cache: Path, damage: Callable[[bytes], bytes]
) -> None:
    (entry,) = cache.iterdir()
    whole = entry.read_bytes()
    entry.write_bytes(damage(whole))
    validated = load_rules(rules)
    assert exactly(kept_read(rules, cache), validated)
    assert entry.read_bytes() == whole


def test_an_entry_of_another_validator_is_not_read_and_is_removed(
    rules: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = entries(cache)
    monkeypatch.setattr(rulescache, "validator_fingerprint", lambda: "another fundcalc")
    kept_read(rules, cache)
    after = entries(cache)
    assert len(after) == 1 and after != before


def test_the_validator_fingerprint_covers_the_validating_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rulescache.validator_fingerprint.cache_clear()
    current = rulescache.validator_fingerprint()
    monkeypatch.setattr(rulescache, "__version__", "0.0.0-other")
    rulescache.validator_fingerprint.cache_clear()
    try:
        assert rulescache.validator_fingerprint() != current
    finally:
        monkeypatch.undo()
        rulescache.validator_fingerprint.cache_clear()
    assert rulescache.validator_fingerprint() == current


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EROFS, os.strerror(errno.EROFS)),
        OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
    ],
    ids=["read-only", "disk full"],
)
def test_a_cache_that_cannot_be_written_stays_as_it_is_and_fails_nothing(
    rules: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, error: OSError
) -> None:
    (entry,) = cache.iterdir()
    entry.unlink()

    def refused(*_: object, **__: object) -> None:
        raise error

    monkeypatch.setattr(rulescache, "replace_file", refused)
    assert exactly(kept_read(rules, cache), load_rules(rules))
    assert entries(cache) == []


def test_a_cache_folder_that_cannot_be_made_fails_nothing(rules: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    assert exactly(kept_read(rules, tmp_path / "file" / "cache"), load_rules(rules))
