"""A count with its noun in the number it needs, English and Dutch."""

from __future__ import annotations

from fundcalc.base.plural import counted, plural


def test_one_takes_the_singular_and_every_other_count_the_plural() -> None:
    # Before: "1 exceptions", "1 files", "de 1 berekende maanden".
    assert [counted(n, "exception") for n in (0, 1, 2)] == [
        "0 exceptions",
        "1 exception",
        "2 exceptions",
    ]
    assert [counted(n, "maand", "maanden") for n in (0, 1, 12)] == [
        "0 maanden",
        "1 maand",
        "12 maanden",
    ]


def test_the_number_can_be_written_as_shown_and_the_noun_alone() -> None:
    assert counted(4489, "dag", "dagen", shown="4.489") == "4.489 dagen"
    assert (plural(1, "staat", "staan"), plural(3, "staat", "staan")) == ("staat", "staan")
