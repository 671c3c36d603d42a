"""A count with its noun, in the number the count needs: `1 file`, `2 files`, `1 maand`.

Every text fundcalc writes with a count in it, on the terminal and in the
workbooks, says it through `counted`, so that no line reads "1 exceptions"
or "de 1 berekende maanden". English nouns take an `s` unless told
otherwise; a Dutch noun is always given with its plural (`maand`, `maanden`).
"""

from __future__ import annotations


def counted(n: int, one: str, many: str | None = None, *, shown: str | None = None) -> str:
    """`n` and the noun: `one` for exactly one, else `many` (default `one` + "s").

    `shown` is the number as it is to be written (`4,489`, `1 158`); default `n`.
    """
    return f"{n if shown is None else shown} {plural(n, one, many)}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """The noun alone, in the number `n` needs (for a count written elsewhere)."""
    return one if n == 1 else many if many is not None else one + "s"
