"""Text for the terminal: grouped amounts, progress only on a terminal, output that never fails."""

from __future__ import annotations

import io
import sys

import pytest

from fundcalc.app.terminal import euro, is_terminal, progress, tolerate_any_text


class Terminal(io.StringIO):
    """A stream that says a person is watching it."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (99_999, "999.99"),
        (100_000, "1 000.00"),
        (-12_103_982, "-121 039.82"),
        (127_937_315, "1 279 373.15"),
        (1_000_000_000_00, "1 000 000 000.00"),
    ],
)
def test_amounts_group_their_digits_by_spaces_and_keep_a_decimal_point(
    cents: int, text: str
) -> None:
    assert euro(cents) == text


def test_progress_shows_nothing_where_no_person_watches() -> None:
    stream = io.StringIO()
    with progress(stream=stream) as step:
        step("Reading the log")
    assert not is_terminal(stream)
    assert stream.getvalue() == ""


def test_progress_on_a_terminal_says_what_is_being_done_and_can_be_switched_off() -> None:
    terminal = Terminal()
    with progress(stream=terminal) as step:
        step("Reading the log")
    assert "Reading the log…" in terminal.getvalue()
    quiet = Terminal()
    with progress(enabled=False, stream=quiet) as step:
        step("Reading the log")
    assert quiet.getvalue() == ""


def test_output_in_a_code_page_without_a_character_replaces_it_instead_of_failing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # What Windows gives a redirected stdout: the ANSI code page, strict by default.
    buffer = io.BytesIO()
    stdout = io.TextIOWrapper(buffer, encoding="cp1252")
    monkeypatch.setattr(sys, "stdout", stdout)
    with pytest.raises(UnicodeEncodeError):
        stdout.write("P1  end_date: (empty) → 2026-10-29\n")
    tolerate_any_text()
    stdout.write("P1  € 12.50, Cliënt → 2026-10-29\n")
    stdout.flush()
    assert buffer.getvalue() == "P1  € 12.50, Cliënt ? 2026-10-29\n".encode("cp1252")
