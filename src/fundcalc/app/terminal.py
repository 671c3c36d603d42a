"""Text for the terminal: amounts a person reads, and progress only where a person watches.

Amounts on the terminal group their digits with a space (`-121 039.82`): a
Dutch reader would take `1,279` for a decimal and an English one `1.279`, but
both read a space the same way. Files and `--json` keep the plain form of
`money.format_cents`. Progress (a spinner with what is being done) goes to
stderr and only when stderr is a terminal: never into a pipe, a file or a test.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from fundcalc.base.money import format_cents

#: Tells the person watching what is being done now.
Step = Callable[[str], None]


def euro(cents: int) -> str:
    """Cents as euros with digits grouped by spaces: 127937315 → `1 279 373.15`."""
    whole, fraction = format_cents(abs(cents)).split(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{'-' if cents < 0 else ''}{grouped}.{fraction}"


def is_terminal(stream: TextIO) -> bool:
    """Whether a person is watching `stream` (not a pipe, a file or a test's buffer)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress(enabled: bool = True, stream: TextIO | None = None) -> Iterator[Step]:
    """A spinner on stderr while the block runs; `step(text)` says what it is doing now.

    Nothing is shown unless `enabled` and the stream is a terminal; the spinner
    disappears when the block ends, so what is printed after it stands alone.
    """
    out = sys.stderr if stream is None else stream
    if not (enabled and is_terminal(out)):
        yield lambda _text: None
        return
    from rich.console import Console  # noqa: PLC0415 - only when a person watches

    console = Console(file=out, highlight=False)
    with console.status("") as status:

        def step(text: str) -> None:
            status.update(f"{text}…")

        yield step


def tolerate_any_text() -> None:
    """Never fail on a character the output's code page lacks: replace it.

    On Windows, output redirected to a file (`fundcalc validate > check.txt`)
    is written in the ANSI code page, which has `€` and `ë` but not every
    character an input file may hold; a traceback there would lose the report.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
