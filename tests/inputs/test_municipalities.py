"""Municipalities, their centrumgemeente, and successors after a merger."""

from __future__ import annotations

from datetime import date

import pytest

from fundcalc.base.period import BEGINNING, END_OF_TIME
from fundcalc.errors import RulesError
from fundcalc.inputs.municipalities import load_municipalities

HEADER = (
    "municipality_code,municipality_name,centrumgemeente_code,valid_from,valid_to,successor_code\n"
)
ROWS = (
    "GM0599,Rotterdam,GM0599,2000-01-01,,\n"
    "GM0501,Brielle,GM0599,2000-01-01,2023-01-01,GM1992\n"
    "GM1992,Voorne aan Zee,GM0599,2023-01-01,,\n"
    "GM0400,Den Helder,GM0361,2000-01-01,2025-07-01,\n"
    "GM0400,Den Helder,GM0400,2025-07-01,,\n"
)


def load(text: str):  # type: ignore[no-untyped-def]
    return load_municipalities(text.encode(), "municipalities.csv")


def test_the_centrumgemeente_is_the_row_valid_on_the_day() -> None:
    m = load(HEADER + ROWS)
    assert m.centrumgemeente_on("GM0400", date(2025, 6, 30)) == "GM0361"
    assert m.centrumgemeente_on("GM0400", date(2025, 7, 1)) == "GM0400"


def test_an_ended_code_follows_its_successor() -> None:
    m = load(HEADER + ROWS)
    assert m.centrumgemeente_on("GM0501", date(2022, 12, 31)) == "GM0599"
    assert m.centrumgemeente_on("GM0501", date(2026, 1, 1)) == "GM0599"
    assert m.centrumgemeente_on("GM9999", date(2026, 1, 1)) is None
    assert m.centrumgemeente_on("GM1992", date(2022, 1, 1)) is None


def test_the_path_names_every_merger_followed_and_the_row_valid_on_the_day() -> None:
    m = load(HEADER + ROWS)
    followed, row = m.path_on("GM0501", date(2026, 1, 1))
    assert [(r.code, r.valid_to, r.successor) for r in followed] == [
        ("GM0501", date(2023, 1, 1), "GM1992")
    ]
    assert row is not None
    assert (row.code, row.name, row.centrumgemeente) == ("GM1992", "Voorne aan Zee", "GM0599")
    assert m.path_on("GM0501", date(2022, 12, 31)) == ((), m.rows["GM0501"][0])
    assert m.path_on("GM9999", date(2026, 1, 1)) == ((), None)


def test_intervals_partition_all_time_per_code() -> None:
    frame = load(HEADER + ROWS).intervals()
    den_helder = frame.filter(frame["municipality_code"] == "GM0400").rows()
    assert den_helder == [
        ("GM0400", BEGINNING, date(2000, 1, 1), None),
        ("GM0400", date(2000, 1, 1), date(2025, 7, 1), "GM0361"),
        ("GM0400", date(2025, 7, 1), END_OF_TIME, "GM0400"),
    ]
    brielle = frame.filter(frame["municipality_code"] == "GM0501").rows()
    assert brielle == [
        ("GM0501", BEGINNING, date(2000, 1, 1), None),
        ("GM0501", date(2000, 1, 1), END_OF_TIME, "GM0599"),
    ]


def test_a_semicolon_file_with_a_bom_reads_the_same() -> None:
    text = "\ufeff" + (HEADER + ROWS).replace(",", ";")
    assert load(text).rows == load(HEADER + ROWS).rows


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("GM0001,A,GM0001,2000-01-01,,\nGM0001,A,GM0002,2020-01-01,,\n",
         "municipalities.csv: line 3: GM0001 overlaps its row on line 2"),
        ("GM0001,A,GM0001,2000-01-01,2020-01-01,GM0002\n",
         "municipalities.csv: line 2: successor_code GM0002 is not in the file"),
        ("GM0001,A,GM0001,2000-01-01,,GM0002\nGM0002,B,GM0002,2000-01-01,,\n",
         "municipalities.csv: line 2: a successor_code needs a valid_to (the merger)"),
        ("GM0001,A,GM0001,2020-31-01,,\n",
         "municipalities.csv: line 2: valid_from '2020-31-01' is not a date"),
        ("GM0001,A,GM0001,2020-01-01,2019-01-01,\n",
         "municipalities.csv: line 2: valid_to must be after valid_from"),
        ("GM0001,A,GM0001,2020-01-01\n",
         "municipalities.csv: line 2: has 4 fields, expected 6"),
        ("GM0001,A,GM0001,2000-01-01,2020-01-01,GM0002\nGM0002,B,GM0002,2000-01-01,2021-01-01,GM0001\n",
         "municipalities.csv: line 2: successors form a cycle: GM0001 → GM0002 → GM0001"),
    ],
)  # fmt: skip
def test_a_broken_row_is_an_error_naming_its_line(rows: str, message: str) -> None:
    with pytest.raises(RulesError) as caught:
        load(HEADER + rows)
    assert str(caught.value) == message


def test_a_wrong_header_is_an_error() -> None:
    with pytest.raises(RulesError, match="line 1: header must be municipality_code,"):
        load("code,name\nGM0001,A\n")
