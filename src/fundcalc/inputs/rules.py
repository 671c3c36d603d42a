"""The arrangement's rules as the calculation uses them: frozen records, validated.

Everything that changes over time is effective-dated: a list of versions, each
valid from its `valid_from` (inclusive) until the next one's. Amounts are
exact cents, never negative; weights are positive fractions. The records are
made by validating `arrangement.toml` (`arrangement`) or taken as validated
before (`rulescache`); this module imports neither, so a command whose rules
were validated before never loads the validating code.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Literal, TypeVar

from fundcalc.base.disk import NotRegularFileError, read_regular
from fundcalc.base.period import Period
from fundcalc.errors import RulesError
from fundcalc.inputs.municipalities import Municipalities

ARRANGEMENT_FILE = "arrangement.toml"
MUNICIPALITIES_FILE = "municipalities.csv"

#: The specific groups (*specifieke groepen*) of the arrangement.
GROUPS = ("EGG_JONG", "EGG_ACUUT", "LOVERBOY", "DREIGING", "STALKING", "COSM")
COSM = "COSM"

#: Bounds that no arrangement reaches and that keep every sum within 64-bit cents.
MAX_AMOUNT_CENTS = 100_000_000_000
MAX_PLACES = 100_000

Group = Literal["EGG_JONG", "EGG_ACUUT", "LOVERBOY", "DREIGING", "STALKING", "COSM"]

#: How the year-end settlement (*jaarafrekening*) returns or charges what the reserve
#: does not keep (§9.5): each member's own balance, or the whole amount by the key.
SETTLEMENT_METHODS = ("balance", "key")
SettlementMethod = Literal["balance", "key"]


@dataclass(frozen=True)
class KeyVersion:
    """A version of the *verdeelsleutel*: each member's weight in every split."""

    valid_from: date
    weights: Mapping[str, Fraction]

    @property
    def members(self) -> tuple[str, ...]:
        """The members of the fund while this key is in force, by code."""
        return tuple(sorted(self.weights))


@dataclass(frozen=True)
class SplitVersion:
    """The share of the day costs charged to the client's own centrumgemeente."""

    valid_from: date
    origin_share: Fraction


@dataclass(frozen=True)
class SettlementVersion:
    """How a year is settled (*jaarafrekening*, §9), from 1 January of a year on.

    `method` is `balance` (each member gets its own net back, less its share of what
    goes to the reserve) or `key` (the amount settled is split by the key);
    `reserve_cap_cents` is the most the equalisation reserve (*egalisatiereserve*)
    may hold after a settlement.
    """

    valid_from: date
    method: SettlementMethod
    reserve_cap_cents: int


@dataclass(frozen=True)
class LotTerms:
    """Terms of a lot (*perceel*) from `valid_from` up to `valid_to` (exclusive)."""

    valid_from: date
    valid_to: date | None
    places: int
    day_tariff_cents: int
    availability_tariff_cents: int


@dataclass(frozen=True)
class Lot:
    """A lot of the framework agreement (*raamovereenkomst*): one provider, one group."""

    id: str
    provider: str
    group: str
    valid_to: date | None
    terms: tuple[LotTerms, ...]

    @property
    def is_cosm(self) -> bool:
        """A COSM lot is paid by Justice in the reflection period, never by the fund."""
        return self.group == COSM


@dataclass(frozen=True)
class RulesFile:
    """A file the rules were read from, with its SHA-256 (for the manifest and archive)."""

    name: str
    sha256: str


@dataclass(frozen=True)
class Rules:
    """The arrangement, validated: fund, key, split, COSM, lots and municipalities."""

    fund_name: str
    budgets: Mapping[int, int]
    keys: tuple[KeyVersion, ...]
    splits: tuple[SplitVersion, ...]
    reflection_months: int
    correction_lookback_months: int
    lots: Mapping[str, Lot]
    municipalities: Municipalities
    files: tuple[RulesFile, ...] = ()
    #: The equalisation reserve before the first year fundcalc settles, in cents.
    opening_reserve_cents: int = 0
    settlements: tuple[SettlementVersion, ...] = ()

    def key_for(self, period: Period) -> KeyVersion:
        """The key in force on the first day of `period`."""
        return _in_force(self.keys, period.first_day, "key")

    def split_for(self, period: Period) -> SplitVersion:
        """The origin share in force on the first day of `period`."""
        return _in_force(self.splits, period.first_day, "split")

    def settlement_for(self, year: int) -> SettlementVersion:
        """The settlement version in force on 1 January of `year` (§9)."""
        return _in_force(self.settlements, date(year, 1, 1), "settlement")

    def covers(self, period: Period) -> bool:
        """Whether the rules have everything `period` needs: a key, a split, a budget."""
        return (
            any(k.valid_from <= period.first_day for k in self.keys)
            and any(s.valid_from <= period.first_day for s in self.splits)
            and period.year in self.budgets
        )

    def membership_changes(self) -> tuple[str, ...]:
        """A notice per key version whose members differ from the version before it.

        A new key that drops or adds a member is allowed (a municipality joins
        or leaves the fund), but a weight left out by mistake silently moves
        that member's costs: every command says who joined and who left.
        """
        names = self.municipalities.names()
        notices = []
        for i, (before, key) in enumerate(itertools.pairwise(self.keys), 2):
            joined = sorted(set(key.weights) - set(before.weights))
            left = sorted(set(before.weights) - set(key.weights))
            if not joined and not left:
                continue
            said = [
                label + " " + ", ".join(f"{c} {names.get(c, '')}".strip() for c in codes)
                for label, codes in (("joined:", joined), ("left:", left))
                if codes
            ]
            notices.append(
                f"the key from {key.valid_from} ({ARRANGEMENT_FILE} key[{i}]) changes the"
                f" members of the fund: {'; '.join(said)}"
            )
        return tuple(notices)

    def budget_for(self, year: int) -> int:
        """The fund's budget of a calendar year, in cents."""
        if year not in self.budgets:
            raise RulesError(ARRANGEMENT_FILE, f"fund.budget.{year}", "no budget for this year")
        return self.budgets[year]


_Version = TypeVar("_Version", KeyVersion, SplitVersion, SettlementVersion)


def _in_force(versions: Sequence[_Version], day: date, key: str) -> _Version:
    found = [v for v in versions if v.valid_from <= day]
    if not found:
        raise RulesError(ARRANGEMENT_FILE, key, f"no version valid on {day.isoformat()}")
    return found[-1]


def rules_bytes(path: Path) -> bytes:
    """A rules file's bytes; a link or anything but a regular file is refused, not read."""
    try:
        return read_regular(path)
    except FileNotFoundError:
        raise RulesError(str(path), "", "file not found") from None
    except NotRegularFileError as error:
        raise RulesError(
            str(path), "", f"{error.strerror}: not read; put the file itself in the rules folder"
        ) from None
    except OSError as error:
        raise RulesError(str(path), "", f"cannot be read ({error.strerror})") from None
