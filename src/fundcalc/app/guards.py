"""Guard rails: what a month and an as-of date must be before a close, and what a run says.

A finance officer in a hurry closes the wrong month or runs as of the wrong
day. The rules here are checked before anything is written:

* a month closes only when it has ended as of D (D on or after the first day
  after it) and D is on or after the as-of date of every earlier close; a D
  after today is allowed (an auditor closes December as of 5 January in
  advance, a test plays a year) but said;
* a run as of a day before the month has ended is a forecast (*Prognose*):
  said on the terminal and in the workbook; a month with no placements, an
  as-of before the month starts or more than a year before it ends, and an
  empty log are said loudly, with the dates.

The functions are pure: they take the dates and the log and return the texts
(`Notices`); the CLI prints them on stderr, warnings also with `--quiet`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from fundcalc.archive.store import ClosedPeriod
from fundcalc.base.period import Period
from fundcalc.errors import ArchiveError

#: An as-of date this long before the period's end is almost certainly a typo.
FAR_BEFORE = timedelta(days=365)


@dataclass(frozen=True)
class Notices:
    """What a command says besides its output: notices (for information) and warnings."""

    notices: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __add__(self, other: Notices) -> Notices:
        return Notices(self.notices + other.notices, self.warnings + other.warnings)


def is_forecast(period: Period, as_of: date) -> bool:
    """A run as of a day before the month has ended is a forecast (*prognose*)."""
    return as_of < period.end


def refuse_close(period: Period, as_of: date, closed: Sequence[ClosedPeriod]) -> None:
    """An ArchiveError, with the dates, when `period` may not be closed as of `as_of`."""
    if as_of < period.end:
        raise ArchiveError(
            f"{period} has not ended as of {as_of}: a month closes as of its first day after"
            f" ({period.end}) or later; give --as-of {period.end} or later"
        )
    latest = max(closed, key=lambda c: c.as_of, default=None)
    if latest is not None and as_of < latest.as_of:
        raise ArchiveError(
            f"{period} cannot be closed as of {as_of}: {latest.period} was closed as of"
            f" {latest.as_of}, and a close never goes back before an earlier close's as-of date"
        )


def close_notices(period: Period, as_of: date, today: date, log_rows: pl.DataFrame) -> Notices:
    """Warnings for a close that is allowed but unusual."""
    warnings = []
    if as_of > today:
        warnings.append(
            f"the as-of date {as_of} is after today ({today}): the close takes the log as it"
            f" will be known then, and records that come in before {as_of} are not in it"
        )
    recorded = log_rows["recorded_on"].drop_nulls()
    after = recorded.filter((recorded >= period.end) & (recorded <= as_of))
    if after.is_empty():
        warnings.append(
            f"no delivery was recorded between the end of {period} ({period.end}) and"
            f" {as_of}: the providers' data of {period} may not be in yet"
        )
    return Notices(warnings=tuple(warnings))


def run_notices(
    period: Period, as_of: date, log_rows: pl.DataFrame, placements_in_period: int
) -> Notices:
    """What a run of `period` as of `as_of` should say about its dates and its log."""
    notices, warnings = [], []
    if log_rows.is_empty():
        warnings.append("the log is empty: no placement rows were read (inputs/placements/)")
    if as_of < period.end - FAR_BEFORE:
        warnings.append(
            f"the as-of date {as_of} is more than a year before {period} ends"
            f" ({period.last_day}): check --as-of"
        )
    elif as_of < period.first_day:
        warnings.append(
            f"the as-of date {as_of} is before {period} starts ({period.first_day}):"
            f" nothing of {period} can be known yet"
        )
    if is_forecast(period, as_of):
        notices.append(
            f"{period} has not ended as of {as_of}: this is a forecast (Prognose);"
            " open stays count every day to the end of the month"
        )
    if placements_in_period == 0 and not log_rows.is_empty():
        warnings.append(
            f"{period} has no placements at all as of {as_of}: check --period and --as-of"
        )
    return Notices(tuple(notices), tuple(warnings))
