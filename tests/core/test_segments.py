"""Day segments: intervals cut at every boundary, merged back into ledger rows."""

from __future__ import annotations

from datetime import date

import polars as pl

from fundcalc.base.period import BEGINNING, END_OF_TIME
from fundcalc.core.segments import SEGMENT_SCHEMA, ledger_rows, lot_term_intervals, stay_end
from fundcalc.inputs.arrangement import parse_arrangement
from fundcalc.inputs.municipalities import load_municipalities
from tests.oracle import LotSpec, MunicipalityRowSpec, Scenario

SCENARIO = Scenario(
    budgets={2025: 0},
    keys=[(date(2025, 1, 1), {"GM0001": 1})],
    splits=[(date(2025, 1, 1), "0")],
    lots=[
        LotSpec("F", "LOVERBOY", [(date(2025, 1, 1), 1, 100, 10), (date(2025, 2, 1), 2, 100, 20)]),
        LotSpec("C", "COSM", [(date(2025, 1, 1), 1, 100, 10)], valid_to=date(2025, 3, 1)),
    ],
    municipalities=[MunicipalityRowSpec("GM0001", "GM0001", date(2000, 1, 1))],
)


def rules():  # type: ignore[no-untyped-def]
    municipalities = load_municipalities(SCENARIO.municipalities_csv().encode(), "m.csv")
    return parse_arrangement(SCENARIO.arrangement_toml().encode(), municipalities)


def test_lot_terms_cover_all_time_with_gaps_where_a_lot_has_no_terms() -> None:
    frame = lot_term_intervals(rules()).select("lot_id", "term_from", "term_to", "day_tariff_cents")
    assert frame.rows() == [
        ("C", BEGINNING, date(2025, 1, 1), None),
        ("C", date(2025, 1, 1), date(2025, 3, 1), 100),
        ("C", date(2025, 3, 1), END_OF_TIME, None),
        ("F", BEGINNING, date(2025, 1, 1), None),
        ("F", date(2025, 1, 1), date(2025, 2, 1), 100),
        ("F", date(2025, 2, 1), END_OF_TIME, 100),
    ]


def _segment(
    pid: str, first: date, last: date, tariff: int = 100, **other: object
) -> dict[str, object]:
    days = (last - first).days + 1
    values: dict[str, object] = {
        "period": "2025-01",
        "placement_no": int(pid[1:]),
        "lot_id": "F",
        "stream": "FUND",
        "centrumgemeente": "GM0001",
        "first_day": first,
        "last_day": last,
        "days": days,
        "day_tariff_cents": tariff,
        "amount_cents": days * tariff,
        "reason": None,
    }
    values.update(other)
    return values


def test_adjacent_segments_with_the_same_stream_payer_and_tariff_merge_into_one_run() -> None:
    segments = pl.DataFrame(
        [
            _segment("P1", date(2025, 1, 11), date(2025, 1, 20)),
            _segment("P1", date(2025, 1, 1), date(2025, 1, 10)),
            _segment("P1", date(2025, 1, 21), date(2025, 1, 31), tariff=120),
            _segment("P2", date(2025, 1, 1), date(2025, 1, 5)),
            _segment("P2", date(2025, 1, 7), date(2025, 1, 9)),
            _segment(
                "P3", date(2025, 1, 1), date(2025, 1, 5), stream="JUSTICE", centrumgemeente=None
            ),
            _segment(
                "P3", date(2025, 1, 6), date(2025, 1, 9), stream="JUSTICE", centrumgemeente=None
            ),
        ],
        schema=SEGMENT_SCHEMA,
    )
    rows = ledger_rows(segments)
    assert rows.select("placement_no", "first_day", "last_day", "days", "amount_cents").rows() == [
        (1, date(2025, 1, 1), date(2025, 1, 20), 20, 2000),
        (1, date(2025, 1, 21), date(2025, 1, 31), 11, 1320),
        (2, date(2025, 1, 1), date(2025, 1, 5), 5, 500),
        (2, date(2025, 1, 7), date(2025, 1, 9), 3, 300),
        (3, date(2025, 1, 1), date(2025, 1, 9), 9, 900),
    ]
    assert rows.schema == segments.schema


def test_segments_of_which_none_continues_another_are_the_ledger_rows_in_order() -> None:
    segments = pl.DataFrame(
        [
            _segment("P2", date(2025, 1, 7), date(2025, 1, 9)),
            _segment("P1", date(2025, 1, 21), date(2025, 1, 31), tariff=120),
            _segment("P2", date(2025, 1, 1), date(2025, 1, 5)),
            _segment("P1", date(2025, 1, 1), date(2025, 1, 20)),
        ],
        schema=SEGMENT_SCHEMA,
    )
    rows = ledger_rows(segments)
    assert rows.equals(segments.sort("placement_no", "first_day"))
    assert rows.schema == segments.schema


def test_a_stay_ends_on_its_departure_day_a_same_day_stay_the_next_and_an_open_one_never() -> None:
    stays = pl.DataFrame(
        {
            "start_date": [date(2025, 1, 30), date(2025, 1, 5), date(2024, 11, 30)],
            "end_date": [date(2025, 2, 2), date(2025, 1, 5), None],
        }
    )
    assert stays.select(stay_end().alias("end"))["end"].to_list() == [
        date(2025, 2, 2),
        date(2025, 1, 6),
        END_OF_TIME,
    ]
