"""Periods (calendar months) and month arithmetic on dates."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")

#: Sentinels for "since always" and "for ever" in effective-dated intervals.
BEGINNING = date(1, 1, 1)
END_OF_TIME = date(9999, 12, 31)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, the unit of settlement (`2025-01`)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9998:
            raise ValueError(f"{self.year:04d}-{self.month:02d} is not a month")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `YYYY-MM`; raises ValueError with a readable message."""
        match = _PERIOD.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not a period like 2025-01")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Period:
        """The month a day falls in."""
        return cls(day.year, day.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        """The first day after the period (exclusive end)."""
        return self.next().first_day

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def index(self) -> int:
        """Months since year 0: consecutive periods have consecutive indices."""
        return self.year * 12 + self.month - 1

    @classmethod
    def from_index(cls, index: int) -> Period:
        return cls(index // 12, index % 12 + 1)

    def next(self) -> Period:
        return self.shift(1)

    def previous(self) -> Period:
        return self.shift(-1)

    def shift(self, months: int) -> Period:
        return Period.from_index(self.index + months)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def add_months(day: date, months: int) -> date:
    """`day` plus `months` months, keeping the day number or taking the last
    day of a shorter month (30 November + 3 months = 28 February)."""
    target = Period(day.year, day.month).shift(months)
    return date(target.year, target.month, min(day.day, target.days))


def periods_between(first: Period, last: Period) -> list[Period]:
    """Every period from `first` to `last`, both included."""
    return [Period.from_index(i) for i in range(first.index, last.index + 1)]
