"""An independent, deliberately naive implementation of SPEC §4, for tests only.

It walks every day of every stay, one by one, straight from the text of the
spec, with its own parsing and its own municipality resolution. The engine
works on intervals; property tests check that both agree to the cent on
random scenarios.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

GROUPS = ("EGG_JONG", "EGG_ACUUT", "LOVERBOY", "DREIGING", "STALKING", "COSM")
FIELDS = (
    "placement_id",
    "client_id",
    "lot_id",
    "start_date",
    "end_date",
    "brp_municipality",
    "found_municipality",
    "reflection_start",
    "reflection_end",
    "void",
    "recorded_on",
)
DATES = ("start_date", "end_date", "reflection_start", "reflection_end")


def euros(cents: int) -> str:
    """Cents as a decimal euro string, written independently of fundcalc.base.money."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


@dataclass
class LotSpec:
    id: str
    group: str
    terms: list[tuple[date, int, int, int]]  # valid_from, places, day cents, availability cents
    valid_to: date | None = None


@dataclass
class MunicipalityRowSpec:
    code: str
    centre: str
    valid_from: date
    valid_to: date | None = None
    successor: str | None = None


@dataclass
class Scenario:
    """Rules and log of a test case, as plain Python values."""

    budgets: dict[int, int]
    keys: list[tuple[date, dict[str, int]]]
    splits: list[tuple[date, str]]
    lots: list[LotSpec]
    municipalities: list[MunicipalityRowSpec]
    rows: list[dict[str, str]] = field(default_factory=list)
    reflection_months: int = 3
    lookback: int = 24

    # --- rendering to the files the engine reads ---

    def arrangement_toml(self) -> str:
        budget = ", ".join(f'{y} = "{euros(c)}"' for y, c in self.budgets.items())
        out = ["[fund]", 'name = "test"', f"budget = {{ {budget} }}"]
        for valid_from, weights in self.keys:
            w = ", ".join(f'{code} = "{weight}"' for code, weight in weights.items())
            out += ["[[key]]", f"valid_from = {valid_from.isoformat()}", f"weights = {{ {w} }}"]
        for valid_from, share in self.splits:
            out += [
                "[[split]]",
                f"valid_from = {valid_from.isoformat()}",
                f'origin_share = "{share}"',
            ]
        out += [
            "[cosm]",
            f"reflection_months = {self.reflection_months}",
            f"correction_lookback_months = {self.lookback}",
        ]
        for lot in self.lots:
            out += ["[[lot]]", f'id = "{lot.id}"', 'provider = "p"', f'group = "{lot.group}"']
            if lot.valid_to is not None:
                out.append(f"valid_to = {lot.valid_to.isoformat()}")
            for valid_from, places, day, avail in lot.terms:
                out += [
                    "[[lot.terms]]",
                    f"valid_from = {valid_from.isoformat()}",
                    f"places = {places}",
                    f'day_tariff = "{euros(day)}"',
                    f'availability_tariff = "{euros(avail)}"',
                ]
        return "\n".join(out) + "\n"

    def municipalities_csv(self) -> str:
        lines = [
            "municipality_code,municipality_name,centrumgemeente_code,valid_from,valid_to,successor_code"
        ]
        for row in self.municipalities:
            end = row.valid_to.isoformat() if row.valid_to else ""
            lines.append(
                f"{row.code},name {row.code},{row.centre},{row.valid_from.isoformat()},{end},"
                f"{row.successor or ''}"
            )
        return "\n".join(lines) + "\n"

    def log_csv(self, separator: str = ",") -> str:
        lines = [separator.join(FIELDS)]
        for row in self.rows:
            lines.append(separator.join(row.get(f, "") for f in FIELDS))
        return "\n".join(lines) + "\n"


# --- the calculation, day by day ---


def parse_date(text: str) -> date | None:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        four_digit_year = text[4:5] == "-" if fmt == "%Y-%m-%d" else text[-5:-4] == "-"
        if four_digit_year and parsed.year >= 1000:
            return parsed
    return None


VOID = {"true": True, "ja": True, "1": True, "false": False, "nee": False, "0": False, "": False}


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _meaning(row: dict[str, str]) -> tuple[object, ...]:
    out: list[object] = []
    for name in FIELDS:
        text = row.get(name, "").strip()
        if name in DATES or name == "recorded_on":
            parsed = parse_date(text) if text else None
            out.append(parsed if parsed is not None or not text else ("raw", text))
        elif name == "void":
            out.append(VOID.get(text.lower(), ("raw", text)))
        else:
            out.append(text)
    return tuple(out)


@dataclass
class Outcome:
    """The oracle's answer: statement rows and, per placement, days per stream.

    `day_log` lists every day of every stay in P, in walking order, as
    (placement_id, day, stream, centrumgemeente or None, day cost in cents);
    a REJECTED day costs 0."""

    statement: dict[tuple[str, str], int]
    days: dict[str, dict[str, int]]
    rejected_placements: set[str]
    day_log: list[tuple[str, date, str, str | None, int]] = field(default_factory=list)


def versions_in_force(rows: list[dict[str, str]], as_of: date) -> dict[str, object]:
    """pid → the version dict in force, or ("REJECTED", its fields or None for a
    conflict); voided placements left out."""
    by_pid: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        pid = row.get("placement_id", "").strip()
        recorded = (
            parse_date(row.get("recorded_on", "")) if row.get("recorded_on", "").strip() else None
        )
        if not pid or len(pid) > 100 or recorded is None or recorded > as_of:
            continue
        by_pid[pid].append(row)
    result: dict[str, object] = {}
    for pid, versions in by_pid.items():
        latest = max(parse_date(v["recorded_on"]) for v in versions)  # type: ignore[type-var]
        at_latest = {_meaning(v): v for v in versions if parse_date(v["recorded_on"]) == latest}
        if len(at_latest) > 1:
            result[pid] = ("REJECTED", None)
            continue
        version = next(iter(at_latest.values()))
        fields = {k: version.get(k, "").strip() for k in FIELDS}
        unreadable = any(
            len(fields[k]) > 100
            for k in ("client_id", "lot_id", "brp_municipality", "found_municipality")
        )
        unreadable |= any(fields[k] and parse_date(fields[k]) is None for k in DATES)
        unreadable |= fields["void"].lower() not in VOID
        if unreadable:
            result[pid] = ("REJECTED", fields)
            continue
        if VOID[fields["void"].lower()]:
            continue
        missing = not fields["client_id"] or not fields["lot_id"] or not fields["start_date"]
        missing |= not fields["brp_municipality"] and not fields["found_municipality"]
        if missing:
            result[pid] = ("REJECTED", fields)
            continue
        start = parse_date(fields["start_date"])
        end = parse_date(fields["end_date"]) if fields["end_date"] else None
        if end is not None and start is not None and end < start:
            result[pid] = ("REJECTED", fields)
            continue
        result[pid] = fields
    return result


ELIGIBLE = {"ja": True, "true": True, "1": True, "nee": False, "false": False, "0": False}


def verdicts_in_force(verdicts: list[dict[str, str]], as_of: date) -> dict[str, bool]:
    """SPEC §11: pid → eligible, for the verdict in force as of `as_of`.

    A row without a placement_id, with an `eligible` value outside ja/nee,
    true/false, 1/0 (case-insensitive, trimmed; empty included) or with a
    `decided_on` that is no date is unreadable and ignored. Rows with the
    same placement and `decided_on` that disagree on `eligible` conflict;
    "conflicts ... change nothing" is read as: those rows are ignored, like
    unreadable ones, so the latest earlier date without a conflict decides
    (and no verdict is in force when there is none). Rows agreeing on
    `eligible` but differing in `reference` are one verdict, not a conflict.
    """
    by_pid: dict[str, dict[date, set[bool]]] = defaultdict(lambda: defaultdict(set))
    for row in verdicts:
        pid = (row.get("placement_id") or "").strip()
        eligible = ELIGIBLE.get((row.get("eligible") or "").strip().lower())
        decided = parse_date(row.get("decided_on") or "")
        if not pid or eligible is None or decided is None or decided > as_of:
            continue
        by_pid[pid][decided].add(eligible)
    result: dict[str, bool] = {}
    for pid, by_date in by_pid.items():
        for decided in sorted(by_date, reverse=True):
            if len(by_date[decided]) == 1:
                result[pid] = next(iter(by_date[decided]))
                break
    return result


def centre_on(scenario: Scenario, code: str, day: date) -> str | None:
    seen = set()
    while code not in seen:
        seen.add(code)
        rows = [r for r in scenario.municipalities if r.code == code]
        for row in rows:
            if row.valid_from <= day and (row.valid_to is None or day < row.valid_to):
                return row.centre
        ended = sorted(
            (r for r in rows if r.valid_to is not None and r.valid_to <= day),
            key=lambda r: r.valid_from,
        )
        if not ended or ended[-1].successor is None:
            return None
        code = ended[-1].successor
    return None


def terms_on(lot: LotSpec, day: date) -> tuple[date, int, int, int] | None:
    if lot.valid_to is not None and day >= lot.valid_to:
        return None
    found = [t for t in lot.terms if t[0] <= day]
    return found[-1] if found else None


def in_force_on(versions: list, day: date):  # type: ignore[no-untyped-def]
    found = [v for v in versions if v[0] <= day]
    return found[-1] if found else None


def _rejected_days(
    fields: dict[str, str] | None, first: date, end: date, days: dict[str, int]
) -> None:
    """Days in the period of a placement rejected as a whole, where its stay is readable."""
    if fields is None or not fields["start_date"]:
        return
    start = parse_date(fields["start_date"])
    if start is None or (fields["end_date"] and parse_date(fields["end_date"]) is None):
        return
    stay_end = parse_date(fields["end_date"]) if fields["end_date"] else None
    if stay_end is not None and stay_end < start:
        return
    if stay_end == start:
        stay_end = start + timedelta(days=1)
    day = max(start, first)
    while day < end and (stay_end is None or day < stay_end):
        days["REJECTED"] += 1
        day += timedelta(days=1)


def largest_remainder(cents: int, weights: dict[str, int]) -> dict[str, int]:
    if cents < 0:
        return {k: -v for k, v in largest_remainder(-cents, weights).items()}
    total = sum(weights.values())
    exact = {k: Fraction(cents * w, total) for k, w in weights.items()}
    parts = {k: int(v) for k, v in exact.items()}
    left = cents - sum(parts.values())
    order = sorted(weights, key=lambda k: (-(exact[k] - parts[k]), k))
    for k in order[:left]:
        parts[k] += 1
    return parts


def half_even(value: Fraction) -> int:
    return round(value)  # Python rounds Fractions half to even


def calculate(
    scenario: Scenario,
    year: int,
    month: int,
    as_of: date,
    verdicts: list[dict[str, str]] | None = None,
) -> Outcome:
    """SPEC §4 for one month; with `verdicts` (raw rows of §11) the amendment
    applies: on a fund lot, a placement judged not eligible is MUNICIPAL on
    every day that has a centrumgemeente, member of the fund or not."""
    not_eligible = {pid for pid, ok in verdicts_in_force(verdicts or [], as_of).items() if not ok}
    day_log: list[tuple[str, date, str, str | None, int]] = []
    first = date(year, month, 1)
    end = add_months(first, 1)
    key = in_force_on(scenario.keys, first)[1]
    share = Fraction(in_force_on(scenario.splits, first)[1])
    lots = {lot.id: lot for lot in scenario.lots}
    fund: dict[str, int] = defaultdict(int)
    municipal: dict[str, int] = defaultdict(int)
    justice = 0
    days: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rejected: set[str] = set()
    for pid, version in versions_in_force(scenario.rows, as_of).items():
        if isinstance(version, tuple):
            rejected.add(pid)
            _rejected_days(version[1], first, end, days[pid])
            continue
        assert isinstance(version, dict)
        start = parse_date(version["start_date"])
        assert start is not None
        stay_end = parse_date(version["end_date"]) if version["end_date"] else None
        if stay_end == start:
            stay_end = start + timedelta(days=1)
        code = version["brp_municipality"] or version["found_municipality"]
        ws = parse_date(version["reflection_start"]) if version["reflection_start"] else None
        re_ = parse_date(version["reflection_end"]) if version["reflection_end"] else None
        day = max(start, first)
        while day < end and (stay_end is None or day < stay_end):
            lot = lots.get(version["lot_id"])
            terms = terms_on(lot, day) if lot else None
            stream = "REJECTED"
            centre = None
            if lot is not None and terms is not None:
                cosm = lot.group == "COSM"
                window = False
                if cosm and ws is not None:
                    window_end = add_months(ws, scenario.reflection_months)
                    if re_ is not None:
                        window_end = min(window_end, re_)
                    window = ws <= day < window_end
                centre = centre_on(scenario, code, day)
                if cosm and window:
                    stream = "JUSTICE"
                    justice += terms[2]
                elif centre is None:
                    pass
                elif cosm or pid in not_eligible:
                    stream = "MUNICIPAL"
                    municipal[centre] += terms[2]
                elif centre in key:
                    stream = "FUND"
                    fund[centre] += terms[2]
            cost = terms[2] if terms is not None and stream != "REJECTED" else 0
            day_log.append((pid, day, stream, centre, cost))
            days[pid][stream] += 1
            day += timedelta(days=1)
    fund_avail = cosm_avail = 0
    for lot in scenario.lots:
        day = first
        while day < end:
            terms = terms_on(lot, day)
            if terms is not None:
                if lot.group == "COSM":
                    cosm_avail += terms[1] * terms[3]
                else:
                    fund_avail += terms[1] * terms[3]
            day += timedelta(days=1)
    origin = {c: half_even(v * share) for c, v in fund.items()}
    pool = sum(fund.values()) - sum(origin.values()) + fund_avail
    budget = scenario.budgets[year]
    part = budget * month // 12 - budget * (month - 1) // 12
    statement: dict[tuple[str, str], int] = {}
    for code, amount in largest_remainder(part, key).items():
        statement[(code, "contribution")] = amount
    for code, amount in largest_remainder(pool, key).items():
        statement[(code, "key")] = amount
    for code, amount in origin.items():
        statement[(code, "origin")] = amount
    for code, amount in municipal.items():
        statement[(code, "municipal")] = amount
    statement[("JUSTICE", "justice")] = justice + cosm_avail
    return Outcome(
        {k: v for k, v in statement.items() if v != 0},
        {pid: dict(d) for pid, d in days.items() if d},
        rejected,
        day_log,
    )
