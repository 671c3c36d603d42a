"""The §11 reference (tests/reference/eligibility.py and the verdicts in tests/oracle.py)
on small hand-built cases whose answers are worked out by hand."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date

import pytest

from tests.oracle import (
    LotSpec,
    MunicipalityRowSpec,
    Outcome,
    Scenario,
    calculate,
    verdicts_in_force,
)
from tests.reference.eligibility import (
    SAMPLE_COLUMNS,
    default_seed,
    draw,
    population,
    rank,
    sample_csv,
    sample_folder,
)

D = date
AS_OF = D(2026, 1, 15)
TARIFF = 20_000  # 200.00 a day
NEW_TARIFF = 21_000  # from 1 July 2025


def placement(
    pid: str,
    start: str,
    end: str = "",
    *,
    lot: str = "LOV",
    brp: str = "GM0363",
    recorded: str = "2025-01-01",
    **extra: str,
) -> dict[str, str]:
    row = {
        "placement_id": pid,
        "client_id": f"C-{pid}",
        "lot_id": lot,
        "start_date": start,
        "end_date": end,
        "brp_municipality": brp,
        "recorded_on": recorded,
    }
    row.update(extra)
    return row


def scenario(rows: list[dict[str, str]]) -> Scenario:
    return Scenario(
        budgets={2025: 1_200_000, 2026: 1_200_000},
        keys=[(D(2025, 1, 1), {"GM0363": 2, "GM0599": 1})],
        splits=[(D(2025, 1, 1), "0.50")],
        lots=[
            LotSpec(
                "LOV",
                "LOVERBOY",
                [(D(2025, 1, 1), 4, TARIFF, 1_000), (D(2025, 7, 1), 4, NEW_TARIFF, 1_000)],
            ),
            LotSpec("STK", "STALKING", [(D(2025, 1, 1), 2, 15_000, 500)]),
            LotSpec("END", "DREIGING", [(D(2025, 1, 1), 1, 30_000, 0)], D(2025, 3, 6)),
            LotSpec("COS", "COSM", [(D(2025, 1, 1), 3, 12_000, 700)]),
        ],
        municipalities=[
            MunicipalityRowSpec("GM0363", "GM0363", D(2000, 1, 1)),
            MunicipalityRowSpec("GM0599", "GM0599", D(2000, 1, 1)),
            MunicipalityRowSpec("GM0518", "GM0518", D(2000, 1, 1)),  # not a member
            # GM0437 belongs to GM0363 until 1 May 2025, then to GM0599
            MunicipalityRowSpec("GM0437", "GM0363", D(2000, 1, 1), D(2025, 5, 1)),
            MunicipalityRowSpec("GM0437", "GM0599", D(2025, 5, 1)),
        ],
        rows=rows,
    )


def verdict(pid: str, eligible: str, decided_on: str, reference: str = "T-1") -> dict[str, str]:
    return {
        "placement_id": pid,
        "eligible": eligible,
        "decided_on": decided_on,
        "reference": reference,
    }


def cost_by_stream(
    scenario_: Scenario, month: int, verdicts: list[dict[str, str]] | None
) -> tuple[Outcome, dict[tuple[str, str | None], int]]:
    outcome = calculate(scenario_, 2025, month, AS_OF, verdicts)
    costs: dict[tuple[str, str | None], int] = defaultdict(int)
    for _, _, stream, centre, cost in outcome.day_log:
        costs[(stream, centre)] += cost
    return outcome, dict(costs)


# --- ranking and the draw ---


def test_rank_is_the_sha256sum_of_seed_colon_id() -> None:
    # printf 'seed:P1' | sha256sum
    assert rank("seed", "P1") == (
        "694c3b08d2bff9913b7ec862e39adbb239c114c13cdd47984f64ab45278407cc"
    )
    assert rank("zaad é", "P-7") == hashlib.sha256("zaad é:P-7".encode()).hexdigest()


def test_the_sample_is_the_population_sorted_by_sha256() -> None:
    pids = [f"P{i}" for i in range(1, 11)]
    s = scenario([placement(pid, "2025-03-01", "2025-03-11") for pid in pids])
    by_hand = sorted(pids, key=lambda pid: hashlib.sha256(f"s3:{pid}".encode()).hexdigest())
    rows = draw(s, 2025, 4, "s3", AS_OF)
    assert [row["placement_id"] for row in rows] == by_hand[:4]
    assert [row["rank"] for row in rows] == [
        hashlib.sha256(f"s3:{pid}".encode()).hexdigest() for pid in by_hand[:4]
    ]
    assert [row["rank"] for row in rows] == sorted(row["rank"] for row in rows)
    # another seed, another order: the sample depends on the seed only through the hash
    other = draw(s, 2025, 10, "s4", AS_OF)
    assert [row["placement_id"] for row in other] == sorted(
        pids, key=lambda pid: hashlib.sha256(f"s4:{pid}".encode()).hexdigest()
    )


def test_a_size_beyond_the_population_gives_all_of_it_and_only_it() -> None:
    s = scenario(
        [
            placement("IN1", "2025-02-01", "2025-02-03"),
            placement("IN2", "2024-12-30", "2025-01-02"),  # 1 Jan 2025 is in Y
            placement("IN3", "2025-12-31"),  # open at D: still one day in Y
            placement("OUT-2024", "2024-01-01", "2025-01-01"),  # no day in Y
            placement("OUT-COSM", "2025-02-01", "2025-03-01", lot="COS"),  # never FUND
            placement("OUT-NONMEMBER", "2025-02-01", "2025-03-01", brp="GM0518"),
            placement("OUT-UNKNOWN", "2025-02-01", "2025-03-01", brp="GM9999"),
            placement("OUT-LATE", "2025-02-01", "2025-03-01", recorded="2026-02-01"),
            placement("OUT-VOID", "2025-02-01", "2025-03-01"),
            placement("OUT-VOID", "2025-02-01", "2025-03-01", recorded="2025-06-01", void="ja"),
            placement("OUT-BAD", "2025-03-01", "2025-02-01"),  # end before start: rejected
        ]
    )
    assert set(population(s, 2025, AS_OF)) == {"IN1", "IN2", "IN3"}
    rows = draw(s, 2025, 100, "x", AS_OF)
    assert sorted(row["placement_id"] for row in rows) == ["IN1", "IN2", "IN3"]
    assert [row["rank"] for row in rows] == sorted(rank("x", p) for p in ("IN1", "IN2", "IN3"))
    assert draw(s, 2025, 0, "x", AS_OF) == []
    with pytest.raises(ValueError):
        draw(s, 2025, -1, "x", AS_OF)


def test_the_row_of_a_placement_counts_its_fund_days_in_the_year() -> None:
    # GM0437: centre GM0363 until 30 April, GM0599 after; the tariff changes on 1 July.
    # The stay runs from 20 Dec 2024 to 10 Jan 2026 (departure day not charged).
    s = scenario([placement("P1", "20-12-2024", "10-01-2026", brp="GM0437")])
    (row,) = draw(s, 2025, 5, "seed", AS_OF)
    first_half = (D(2025, 7, 1) - D(2025, 1, 1)).days  # 181 days at 200.00
    second_half = (D(2026, 1, 1) - D(2025, 7, 1)).days  # 184 days at 210.00
    assert row == {
        "rank": "694c3b08d2bff9913b7ec862e39adbb239c114c13cdd47984f64ab45278407cc",
        "placement_id": "P1",
        "client_id": "C-P1",
        "lot_id": "LOV",
        "group": "LOVERBOY",
        "centrumgemeente": "GM0363",
        "first_day": "2025-01-01",
        "last_day": "2025-12-31",
        "fund_days": "365",
        "fund_cents": str(first_half * TARIFF + second_half * NEW_TARIFF),
    }


def test_first_fund_day_and_its_centre_skip_days_that_are_not_fund() -> None:
    # GM0437 moves to GM0599 on 1 May; the stay on a COSM lot first, then a fund lot
    # (a later version of the placement moves it): only the version in force counts.
    s = scenario(
        [
            placement("P1", "2025-04-20", "2025-05-05", brp="GM0437"),
            placement("P2", "2025-03-01", "2025-03-04", lot="STK"),
        ]
    )
    rows = {row["placement_id"]: row for row in draw(s, 2025, 9, "k", AS_OF)}
    assert rows["P1"]["centrumgemeente"] == "GM0363"
    assert (rows["P1"]["first_day"], rows["P1"]["last_day"]) == ("2025-04-20", "2025-05-04")
    assert rows["P1"]["fund_days"] == "15"
    assert rows["P2"]["group"] == "STALKING"
    assert (rows["P2"]["fund_days"], rows["P2"]["fund_cents"]) == ("3", "45000")


def test_the_population_is_drawn_without_verdicts() -> None:
    s = scenario([placement("P1", "2025-03-01", "2025-03-11")])
    nee = [verdict("P1", "nee", "2025-04-01")]
    assert set(population(s, 2025, AS_OF)) == {"P1"}  # the decided reading
    assert population(s, 2025, AS_OF, verdicts=nee) == {}  # the other reading, on request


def test_sample_csv_and_seed() -> None:
    s = scenario([placement("P1", "2025-03-01", "2025-03-03")])
    text = sample_csv(draw(s, 2025, 1, "seed", AS_OF))
    assert text == (
        ",".join(SAMPLE_COLUMNS)
        + "\n"
        + "694c3b08d2bff9913b7ec862e39adbb239c114c13cdd47984f64ab45278407cc,"
        + "P1,C-P1,LOV,LOVERBOY,GM0363,2025-03-01,2025-03-02,2,40000\n"
    )
    statement = b"period,payer,item,for_period,amount_cents\n"
    seed = default_seed(statement)
    assert seed == hashlib.sha256(statement).hexdigest()
    assert sample_folder(2025, seed) == f"sample-2025-{seed[:8]}"


# --- verdicts (the §11 amendment of §4.4-§4.5) ---


def test_without_verdicts_the_calculation_is_unchanged() -> None:
    s = scenario([placement("P1", "2025-03-01", "2025-03-11")])
    plain = calculate(s, 2025, 3, AS_OF)
    assert calculate(s, 2025, 3, AS_OF, []) == plain
    assert calculate(s, 2025, 3, AS_OF, None) == plain
    assert calculate(s, 2025, 3, AS_OF, [verdict("P1", "ja", "2025-03-20")]) == plain
    assert calculate(s, 2025, 3, AS_OF, [verdict("OTHER", "nee", "2025-03-20")]) == plain


def test_not_eligible_moves_fund_day_costs_to_municipal() -> None:
    s = scenario(
        [
            placement("P1", "2025-03-01", "2025-03-11"),  # 10 days GM0363
            placement("P2", "2025-03-05", "2025-03-08", brp="GM0599"),  # 3 days GM0599
        ]
    )
    before, costs_before = cost_by_stream(s, 3, None)
    after, costs_after = cost_by_stream(s, 3, [verdict("P1", " NEE ", "01-04-2025")])
    assert costs_before[("FUND", "GM0363")] == 10 * TARIFF
    assert ("FUND", "GM0363") not in costs_after
    assert costs_after[("MUNICIPAL", "GM0363")] == 10 * TARIFF
    assert costs_after[("FUND", "GM0599")] == costs_before[("FUND", "GM0599")] == 3 * TARIFF
    assert sum(costs_after.values()) == sum(costs_before.values())
    assert after.days["P1"] == {"MUNICIPAL": 10}
    assert after.days["P2"] == before.days["P2"] == {"FUND": 3}
    # the statement: the origin share of GM0363 and the pool shrink by its day costs
    assert before.statement[("GM0363", "origin")] == 10 * TARIFF // 2
    assert ("GM0363", "origin") not in after.statement
    assert after.statement[("GM0363", "municipal")] == 10 * TARIFF
    fund = sum(v for (_, item), v in before.statement.items() if item in ("origin", "key"))
    fund_after = sum(v for (_, item), v in after.statement.items() if item in ("origin", "key"))
    assert fund - fund_after == 10 * TARIFF
    contribution = ("GM0363", "contribution")
    assert after.statement[contribution] == before.statement[contribution]


def test_a_verdict_decided_after_as_of_changes_nothing() -> None:
    s = scenario([placement("P1", "2025-03-01", "2025-03-11")])
    late = [verdict("P1", "nee", "2026-01-16")]
    assert calculate(s, 2025, 3, AS_OF, late) == calculate(s, 2025, 3, AS_OF)
    assert calculate(s, 2025, 3, D(2026, 1, 16), late).days["P1"] == {"MUNICIPAL": 10}
    assert verdicts_in_force(late, AS_OF) == {}


def test_a_later_verdict_replaces_an_earlier_one() -> None:
    s = scenario([placement("P1", "2025-03-01", "2025-03-11")])
    nee_then_ja = [verdict("P1", "ja", "2025-06-01"), verdict("P1", "nee", "2025-04-01")]
    assert calculate(s, 2025, 3, AS_OF, nee_then_ja).days["P1"] == {"FUND": 10}
    # as of a day between the two verdicts, the earlier one is in force
    assert calculate(s, 2025, 3, D(2025, 5, 1), nee_then_ja).days["P1"] == {"MUNICIPAL": 10}
    ja_then_nee = [verdict("P1", "1", "2025-04-01"), verdict("P1", "false", "2025-06-01")]
    assert calculate(s, 2025, 3, AS_OF, ja_then_nee).days["P1"] == {"MUNICIPAL": 10}


def test_a_conflicting_pair_is_ignored_and_the_earlier_verdict_stays() -> None:
    s = scenario([placement("P1", "2025-03-01", "2025-03-11")])
    conflict = [verdict("P1", "ja", "2025-06-01"), verdict("P1", "nee", "2025-06-01", "T-2")]
    # no earlier verdict: none is in force
    assert verdicts_in_force(conflict, AS_OF) == {}
    assert calculate(s, 2025, 3, AS_OF, conflict) == calculate(s, 2025, 3, AS_OF)
    # an earlier verdict stays in force: the conflicting rows change nothing
    earlier = [verdict("P1", "nee", "2025-04-01"), *conflict]
    assert verdicts_in_force(earlier, AS_OF) == {"P1": False}
    assert calculate(s, 2025, 3, AS_OF, earlier).days["P1"] == {"MUNICIPAL": 10}
    # the same verdict twice, spelled differently or with another reference, is no conflict
    same = [verdict("P1", "Nee", "2025-06-01"), verdict("P1", "0", "01-06-2025", "T-9")]
    assert verdicts_in_force(same, AS_OF) == {"P1": False}


@pytest.mark.parametrize(
    "bad",
    [
        verdict("P1", "misschien", "2025-06-01"),
        verdict("P1", "", "2025-06-01"),
        verdict("P1", "  ", "2025-06-01"),
        verdict("P1", "nee", "2025-13-01"),
        verdict("P1", "nee", "1-6-25"),
        verdict("P1", "nee", ""),
        verdict("  ", "nee", "2025-06-01"),
    ],
)
def test_an_unreadable_row_is_ignored(bad: dict[str, str]) -> None:
    s = scenario([placement("P1", "2025-03-01", "2025-03-11")])
    assert calculate(s, 2025, 3, AS_OF, [bad]) == calculate(s, 2025, 3, AS_OF)
    # and it does not override, nor conflict with, a readable verdict
    earlier = [verdict("P1", "ja", "2025-04-01"), bad]
    assert calculate(s, 2025, 3, AS_OF, earlier).days["P1"] == {"FUND": 10}
    same_day = [verdict("P1", "ja", "2025-06-01"), bad]
    assert verdicts_in_force(same_day, AS_OF) == {"P1": True}


def test_a_member_less_centrumgemeente_becomes_municipal_when_not_eligible() -> None:
    s = scenario([placement("P1", "2025-03-01", "2025-03-11", brp="GM0518")])
    before = calculate(s, 2025, 3, AS_OF)
    assert before.days["P1"] == {"REJECTED": 10}  # not a member of the fund
    assert ("GM0518", "municipal") not in before.statement
    after = calculate(s, 2025, 3, AS_OF, [verdict("P1", "nee", "2025-04-01")])
    assert after.days["P1"] == {"MUNICIPAL": 10}
    assert after.statement[("GM0518", "municipal")] == 10 * TARIFF
    # the fund's side is untouched: those days never were FUND
    for item in ("origin", "key", "contribution"):
        assert {k: v for k, v in after.statement.items() if k[1] == item} == {
            k: v for k, v in before.statement.items() if k[1] == item
        }


def test_days_rejected_for_another_reason_and_cosm_days_stay_as_they_are() -> None:
    s = scenario(
        [
            placement("UNKNOWN-LOT", "2025-03-01", "2025-03-11", lot="NOPE"),
            placement("NO-CENTRE", "2025-03-01", "2025-03-11", brp="GM9999"),
            placement("NO-TERMS", "2025-03-01", "2025-03-11", lot="END"),  # ends 6 March
            placement("BAD", "2025-03-11", "2025-03-01"),  # rejected placement
            placement("COSM", "2025-03-01", "2025-03-11", lot="COS", reflection_start="2025-03-06"),
        ]
    )
    others = ("UNKNOWN-LOT", "NO-CENTRE", "BAD", "COSM")
    nee = [verdict(pid, "nee", "2025-04-01") for pid in others]
    plain = calculate(s, 2025, 3, AS_OF)
    march = calculate(s, 2025, 3, AS_OF, nee)
    assert march.statement == plain.statement
    assert march.days == plain.days
    assert march.days["COSM"] == {"MUNICIPAL": 5, "JUSTICE": 5}
    assert march.days["UNKNOWN-LOT"] == march.days["NO-CENTRE"] == {"REJECTED": 10}
    assert "BAD" in march.rejected_placements
    # a lot that ends: the days with terms move, the days without stay rejected
    assert plain.days["NO-TERMS"] == {"FUND": 5, "REJECTED": 5}
    moved = calculate(s, 2025, 3, AS_OF, [*nee, verdict("NO-TERMS", "nee", "2025-04-01")])
    assert moved.days["NO-TERMS"] == {"MUNICIPAL": 5, "REJECTED": 5}
    municipal = ("GM0363", "municipal")  # the COSM days outside the window are there already
    assert moved.statement[municipal] - plain.statement[municipal] == 5 * 30_000


def test_a_verdict_counts_for_the_whole_stay_and_every_month() -> None:
    # the amendment is per placement, not per day: March days before the verdict move too
    s = scenario([placement("P1", "2025-02-20", "2025-03-05", brp="GM0437")])
    nee = [verdict("P1", "nee", "2025-03-02")]
    for month, days in ((2, 9), (3, 4)):
        outcome = calculate(s, 2025, month, AS_OF, nee)
        assert outcome.days["P1"] == {"MUNICIPAL": days}
        assert outcome.statement[("GM0363", "municipal")] == days * TARIFF
