"""The reserve a year opens with (§9): the closing reserve of the year settled before it.

Read from that settlement's archived `settlement.csv`, or the rules' `[fund]
opening_reserve` when no year was settled yet. A month's run shows it (its
year's result so far against the reserve) and a settlement starts from it, so it
lives apart from the command that settles.
"""

from __future__ import annotations

from fundcalc.archive.store import Archive, SettledYear
from fundcalc.core.settlement import FUND_PAYER, OpeningReserve
from fundcalc.inputs.rules import Rules
from fundcalc.report.render import SETTLEMENT_CSV, parse_settlement_csv


def opening_reserve(archive: Archive, rules: Rules, year: int) -> OpeningReserve:
    """The closing reserve of the last year settled before `year`, else the rules' reserve.

    When settling, the year before is settled (or has no closed month); for a
    month's forecast it may not be yet, and the last settled year stands in.
    """
    earlier = [s for s in archive.settled_years() if s.year < year]
    if not earlier:
        return OpeningReserve(rules.opening_reserve_cents)
    return opening_of(archive, earlier[-1])


def opening_of(archive: Archive, before: SettledYear) -> OpeningReserve:
    """The reserve a year opens with after `before`: the closing reserve it settled."""
    rows = parse_settlement_csv(archive.read(before.output(SETTLEMENT_CSV)))
    (cents,) = [
        a for _, payer, item, a in rows if payer == FUND_PAYER and item == "closing_reserve"
    ]
    return OpeningReserve(cents, before.year, before.record_sha256)
