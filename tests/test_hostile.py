"""Hostile input: every bad row is an exception, every bad file or rule a clear error.

Each row case adds a file `junk.csv` (or `junk.xlsx`) beside a clean log and
checks that exactly the expected findings appear, that the statement's bytes
do not change, and that the row counts still add up. Each file, rules, import
and output case runs the command line and checks the one-line message, the
exit code and that no output was written or the previous one is intact.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fundcalc.app.load import load_inputs
from fundcalc.base import atomic
from fundcalc.base.findings import COLUMNS
from fundcalc.base.period import Period
from fundcalc.base.reasons import EMPTY_FILE, WINDOWS_1252
from fundcalc.cli import main
from fundcalc.core.calculation import calculate
from fundcalc.report.render import render_statement
from tests.synthetic import (
    TINY_ARRANGEMENT,
    TINY_MUNICIPALITIES,
    write_log,
    write_sample,
    xlsx_bytes,
)

PERIOD = Period(2026, 10)
AS_OF = date(2026, 11, 23)
HEADER = (
    "placement_id,client_id,lot_id,start_date,end_date,brp_municipality,found_municipality,"
    "reflection_start,reflection_end,void,recorded_on"
)
CLEAN = (
    f"{HEADER}\n"
    "B1,BC1,GROOT,2026-09-20,,GM0001,,,,,2026-09-21\n"
    "B2,BC2,GROOT,2026-10-05,2026-10-19,,GM0002,,,,2026-10-20\n"
    "B3,BC3,COSM-X,2026-09-01,,GM0002,,2026-09-01,,,2026-09-02\n"
    "B4,BC4,KLEIN,2026-10-01,2026-10-11,GM0002,,,,,2026-10-02\n"
)
LONG = "X" * 101


def stay(pid: str, lot: str = "GROOT", **fields: str) -> str:
    """A junk row: ten October days on `lot` for a client of its own, unless told."""
    row = {
        "placement_id": pid,
        "client_id": f"JC-{pid}",
        "lot_id": lot,
        "start_date": "2026-10-01",
        "end_date": "2026-10-11",
        "brp_municipality": "GM0001",
        "found_municipality": "",
        "reflection_start": "",
        "reflection_end": "",
        "void": "",
        "recorded_on": "2026-10-02",
        **fields,
    }
    return ",".join(row[c] for c in HEADER.split(","))


def project(tmp_path: Path) -> tuple[Path, Path]:
    """Tiny rules and the clean log under tmp_path; returns (rules, inputs)."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "arrangement.toml").write_text(TINY_ARRANGEMENT, encoding="utf-8")
    (rules / "municipalities.csv").write_text(TINY_MUNICIPALITIES, encoding="utf-8")
    placements = tmp_path / "inputs" / "placements"
    placements.mkdir(parents=True)
    (placements / "clean.csv").write_text(CLEAN, encoding="utf-8")
    return rules, tmp_path / "inputs"


Finding = tuple[str, str | None, int | None, str | None, str, int | None]


def outcome(rules: Path, inputs: Path) -> tuple[bytes, Counter[Finding], dict[str, int]]:
    """The statement's bytes, the findings and the row counts of October."""
    loaded = load_inputs(rules, inputs)
    calculation = calculate(
        loaded.rules, loaded.log.rows, [PERIOD], AS_OF, log_findings=loaded.log.findings
    )
    statement = render_statement(calculation.settlements[PERIOD].rows())
    findings = Counter(calculation.findings_for(PERIOD).select(COLUMNS).rows())
    return statement, findings, calculation.versions.counts


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, Counter[Finding]]:
    statement, findings, _ = outcome(*project(tmp_path_factory.mktemp("clean")))
    assert statement.count(b"\n") == 10 and b"JUSTICE,justice,2026-10,201500" in statement
    return statement, findings


def exception(line: int | None, pid: str | None, reason: str, days: int | None = None) -> Finding:
    return ("exception", "junk.csv", line, pid, reason, days)


def warning(line: int | None, reason: str, source: str = "junk.csv") -> Finding:
    return ("warning", source, line, None, reason, None)


#: (name of the case, junk file name, its bytes, the findings it must add).
ROW_CASES: list[tuple[str, str, bytes, list[Finding]]] = [
    (
        "no placement_id",
        "junk.csv",
        f"{HEADER}\n{stay('')}\n".encode(),
        [exception(2, None, "no placement_id")],
    ),
    (
        "placement_id over 100 characters",
        "junk.csv",
        f"{HEADER}\n{stay(LONG)}\n".encode(),
        [exception(2, LONG, "placement_id is longer than 100 characters")],
    ),
    (
        "no recorded_on",
        "junk.csv",
        f"{HEADER}\n{stay('J1', recorded_on='')}\n".encode(),
        [exception(2, "J1", "no recorded_on")],
    ),
    (
        "recorded_on that is no date",
        "junk.csv",
        f"{HEADER}\n{stay('J1', recorded_on='gisteren')}\n".encode(),
        [exception(2, "J1", "recorded_on 'gisteren' is not a date")],
    ),
    (
        "a day that does not exist",
        "junk.csv",
        f"{HEADER}\n{stay('J1', start_date='31-02-2026')}\n".encode(),
        [exception(2, "J1", "start_date '31-02-2026' is not a date")],
    ),
    (
        "end before start",
        "junk.csv",
        f"{HEADER}\n{stay('J1', end_date='2026-09-30')}\n".encode(),
        [exception(2, "J1", "end_date before start_date")],
    ),
    (
        "unknown lot",
        "junk.csv",
        f"{HEADER}\n{stay('J1', 'LOT-X')}\n".encode(),
        [exception(2, "J1", "unknown lot 'LOT-X'", 10)],
    ),
    (
        "unknown municipality code",
        "junk.csv",
        f"{HEADER}\n{stay('J1', brp_municipality='GM9999')}\n".encode(),
        [exception(2, "J1", "no centrumgemeente for municipality 'GM9999'", 10)],
    ),
    (
        "centrumgemeente GM0003 is not a member of the fund",
        "junk.csv",
        f"{HEADER}\n{stay('J1', brp_municipality='GM0003')}\n".encode(),
        [exception(2, "J1", "centrumgemeente GM0003 is not a member of the fund", 10)],
    ),
    (
        "conflicting versions",
        "junk.csv",
        f"{HEADER}\n{stay('J1')}\n{stay('J1', end_date='2026-10-12')}\n".encode(),
        [
            exception(
                2, "J1", "conflicting versions recorded on the same day (junk.csv:2, junk.csv:3)"
            )
        ],
    ),
    (
        "unknown void value",
        "junk.csv",
        f"{HEADER}\n{stay('J1', void='misschien')}\n".encode(),
        [exception(2, "J1", "void 'misschien' is not true/false, ja/nee or 1/0", 10)],
    ),
    (
        "over-long text",
        "junk.csv",
        f"{HEADER}\n{stay('J1', client_id=LONG)}\n".encode(),
        [exception(2, "J1", "client_id is longer than 100 characters", 10)],
    ),
    (
        "required fields missing",
        "junk.csv",
        f"{HEADER}\n{stay('J1', client_id='', lot_id='')}\n".encode(),
        [exception(2, "J1", "client_id is missing; lot_id is missing", 10)],
    ),
    (
        "no municipality at all",
        "junk.csv",
        f"{HEADER}\n{stay('J1', brp_municipality='')}\n".encode(),
        [exception(2, "J1", "found_municipality is missing (no brp_municipality)", 10)],
    ),
    (
        "a row with more fields than the header",
        "junk.csv",
        f"{HEADER}\n{stay('J1')},Den Haag\n".encode(),
        [exception(2, "J1", "the row has 12 fields where the header has 11", 10)],
    ),
    (
        "a ragged row without placement_id",
        "junk.csv",
        f"{HEADER}\n,,,,,,,,,,2026-10-02,x,y\n".encode(),
        [exception(2, None, "the row has 13 fields where the header has 11; no placement_id")],
    ),
    (
        "an identical duplicate counts once",
        "junk.csv",
        f"{HEADER}\n{stay('J1', 'LOT-X')}\n"
        f"{stay('J1', 'LOT-X', start_date='01-10-2026')}\n".encode(),
        [exception(2, "J1", "unknown lot 'LOT-X'", 10)],
    ),
    (
        "a row recorded after the as-of date",
        "junk.csv",
        f"{HEADER}\n{stay('J1', 'LOT-X', recorded_on='2026-12-01')}\n".encode(),
        [],
    ),
    (
        "dates at the end of time",
        "junk.csv",
        f"{HEADER}\n{stay('J1', start_date='9999-12-31', end_date='9999-12-31')}\n".encode(),
        [],
    ),
    (
        "a quoted value over two lines",
        "junk.csv",
        f"{HEADER}\n{stay('J1', 'LOT-X', client_id=chr(34) + 'two' + chr(10) + 'lines' + chr(34))}"
        f"\n{stay('J2', 'LOT-Y')}\n".encode(),
        [
            exception(2, "J1", "unknown lot 'LOT-X'", 10),
            exception(4, "J2", "unknown lot 'LOT-Y'", 10),
        ],
    ),
    (
        "a Windows-1252 file",
        "junk.csv",
        f"{HEADER}\n{stay('J1', 'LOT-X', client_id='Cliënt')}\n".encode("cp1252"),
        [warning(2, WINDOWS_1252.text()), exception(2, "J1", "unknown lot 'LOT-X'", 10)],
    ),
    (
        "an unknown column",
        "junk.csv",
        f"{HEADER};opmerking\n{stay('', '')};zie boven\n".replace(",", ";").encode(),
        [
            warning(1, "unknown column 'opmerking' is ignored"),
            exception(2, None, "no placement_id"),
        ],
    ),
    ("an empty file", "junk.csv", b"", [warning(None, EMPTY_FILE.text())]),
    ("a header without rows", "junk.csv", f"\ufeff{HEADER}\r\n".encode(), []),
    (
        "Excel's trailing separator lines",
        "junk.csv",
        f"{HEADER.replace(',', ';')}\r\n;;;;;;;;;;\r\n;;;\r\n".encode(),
        [],
    ),
    (
        "semicolons in a comma file are text",
        "junk.csv",
        f"{HEADER}\n;;;;;;;;;;\n,,,\n".encode(),
        [exception(2, ";;;;;;;;;;", "no recorded_on")],
    ),
    ("an Excel lock file", "~$junk.xlsx", b"\x0bExcel lock file", []),
    (
        "an xlsx row with a value right of the header",
        "junk.xlsx",
        xlsx_bytes(HEADER.split(","), [*stay("J1", "LOT-X").split(","), None, "note"]),
        [
            (
                "exception",
                "junk.xlsx",
                2,
                "J1",
                "the row has values right of the header (column M)",
                10,
            )
        ],
    ),
    (
        "an empty xlsx sheet",
        "junk.xlsx",
        xlsx_bytes(),
        [warning(None, "the sheet is empty: no header and no rows", "junk.xlsx")],
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [(f, d, e) for _, f, d, e in ROW_CASES],
    ids=[c[0] for c in ROW_CASES],
)
def test_a_bad_row_is_exactly_its_exception_and_changes_no_figure(
    tmp_path: Path,
    clean: tuple[bytes, Counter[Finding]],
    name: str,
    data: bytes,
    expected: list[Finding],
) -> None:
    rules, inputs = project(tmp_path)
    (inputs / "placements" / name).write_bytes(data)
    statement, findings, counts = outcome(rules, inputs)
    assert statement == clean[0]
    assert findings - clean[1] == Counter(expected)
    assert clean[1] - findings == Counter()
    assert counts["read"] == sum(v for k, v in counts.items() if k != "read")


# --- files that cannot be read, rules that are wrong: one line, exit 1, nothing written ---


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def run_args(rules: Path, inputs: Path, out: Path) -> list[str]:
    return ["run", "--rules", str(rules), "--inputs", str(inputs), "--out", str(out),
            "--period", "2026-10", "--as-of", "2026-11-23"]  # fmt: skip


def laughs() -> bytes:
    doctype = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
    data = xlsx_bytes(["placement_id"], ["P1"])
    parts = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = doctype + parts["xl/worksheets/sheet1.xml"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, content in parts.items():
            archive.writestr(n, content)
    return buffer.getvalue()


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", bytes(16 * 1024 * 1024))
    return buffer.getvalue()


FILE_CASES: list[tuple[str, str, bytes, str]] = [
    (
        "a UTF-16 file",
        "junk.csv",
        f"{HEADER}\n".encode("utf-16"),
        "junk.csv: is UTF-16 text (Excel's 'Unicode text');"
        " save it as 'CSV UTF-8 (door komma's gescheiden)'",
    ),
    (
        "a column named twice",
        "junk.csv",
        f"{HEADER},Start_Date\n".encode(),
        "junk.csv: line 1: column 'Start_Date' (column 12) names the same as 'start_date'"
        " (column 4)",
    ),
    (
        "a quote that is never closed",
        "junk.csv",
        f'{HEADER}\n{stay("J1")}\n"J2,JC2\n{stay("J3")}\n'.encode(),
        "junk.csv: line 3: cannot be read as CSV"
        " (a quoted value is not closed before the end of the file)",
    ),
    (
        "XML entity expansion",
        "junk.xlsx",
        laughs(),
        "junk.xlsx: refused, xl/worksheets/sheet1.xml declares a DOCTYPE"
        " (XML entities are not allowed)",
    ),
    (
        "a zip bomb",
        "junk.xlsx",
        bomb(),
        "junk.xlsx: refused, xl/worksheets/sheet1.xml is compressed more than 200 times"
        " (a zip bomb?)",
    ),
    (
        "a csv saved as xlsx",
        "junk.xlsx",
        CLEAN.encode(),
        "junk.xlsx: not an xlsx file (not a zip archive)",
    ),
]


@pytest.mark.parametrize(
    ("name", "data", "message"), [c[1:] for c in FILE_CASES], ids=[c[0] for c in FILE_CASES]
)
def test_a_file_that_cannot_be_read_stops_the_run_before_any_output(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    rules, inputs = project(tmp_path)
    (inputs / "placements" / name).write_bytes(data)
    result = cli(*run_args(rules, inputs, tmp_path / "out"))
    assert (result.exit_code, result.output) == (1, f"fundcalc: {message}\n")
    assert not (tmp_path / "out").exists()


def _edit(name: str, change: Callable[[str], str]) -> Callable[[Path], None]:
    def edit(rules: Path) -> None:
        path = rules / name
        path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")

    return edit


def _replace(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda rules: (rules / name).write_bytes(data)


TOML = "arrangement.toml"
MUNICIPALITIES = "municipalities.csv"
RULES_CASES: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "an unknown key",
        _edit(
            TOML, lambda t: t.replace('name = "Klein fonds"', 'name = "Klein fonds"\nowner = "x"')
        ),
        "arrangement.toml: fund.owner: unknown key",
    ),
    (
        "an amount with three decimals",
        _edit(TOML, lambda t: t.replace('day_tariff = "200.00"', 'day_tariff = "200.005"')),
        "arrangement.toml: lot GROOT.terms[1].day_tariff: '200.005' has more than 2 decimals",
    ),
    (
        "an absurd amount",
        _edit(TOML, lambda t: t.replace('"200.00"', '"99999999999999999.00"')),
        "arrangement.toml: lot GROOT.terms[1].day_tariff: '99999999999999999.00' is more than"
        " 1,000,000,000 euros",
    ),
    (
        "a number where a decimal text belongs",
        _edit(TOML, lambda t: t.replace('GM0001 = "1"', "GM0001 = 1.5")),
        "arrangement.toml: key[1].weights.GM0001: must be a quoted text, for amounts a decimal"
        ' string like "236.40"',
    ),
    (
        "versions that overlap",
        _edit(TOML, lambda t: t.replace("valid_from = 2026-10-16", "valid_from = 2026-01-01")),
        "arrangement.toml: lot KLEIN.terms[2].valid_from: overlaps the version before it"
        " (both valid from 2026-01-01)",
    ),
    (
        "a date with a time",
        _edit(
            TOML, lambda t: t.replace("valid_from = 2026-10-16", "valid_from = 2026-10-16T09:00:00")
        ),
        "arrangement.toml: lot[1].terms[2].valid_from: must be a date without a time",
    ),
    (
        "no budget for the year",
        _edit(TOML, lambda t: t.replace('2026 = "1200.00"', '2025 = "1200.00"')),
        "arrangement.toml: fund.budget.2026: no budget for this year",
    ),
    (
        "rules that are not UTF-8",
        _replace(TOML, TINY_ARRANGEMENT.replace("Klein", "Kléin").encode("cp1252")),
        "arrangement.toml: is not UTF-8 text",
    ),
    (
        "successors in a circle",
        _edit(
            MUNICIPALITIES,
            lambda t: (
                t + "GM0004,V,GM0001,2000-01-01,2010-01-01,GM0005\n"
                "GM0005,W,GM0001,2000-01-01,2010-01-01,GM0004\n"
            ),
        ),
        "municipalities.csv: line 5: successors form a cycle: GM0004 → GM0005 → GM0004",
    ),
    (
        "a municipality row with a field too few",
        _edit(MUNICIPALITIES, lambda t: t + "GM0004,V,GM0001,2000-01-01\n"),
        "municipalities.csv: line 5: has 4 fields, expected 6",
    ),
]


@pytest.mark.parametrize(
    ("change", "message"), [c[1:] for c in RULES_CASES], ids=[c[0] for c in RULES_CASES]
)
def test_an_error_in_the_rules_stops_before_any_output_with_one_line(
    tmp_path: Path, change: Callable[[Path], None], message: str
) -> None:
    rules, inputs = project(tmp_path)
    change(rules)
    result = cli(*run_args(rules, inputs, tmp_path / "out"))
    assert (result.exit_code, result.output) == (1, f"fundcalc: {message}\n")
    assert not (tmp_path / "out").exists()


def test_missing_rules_are_named(tmp_path: Path) -> None:
    rules, inputs = project(tmp_path)
    (rules / MUNICIPALITIES).unlink()
    result = cli(*run_args(rules, inputs, tmp_path / "out"))
    assert (result.exit_code, result.output) == (
        1,
        f"fundcalc: {rules / MUNICIPALITIES}: file not found\n",
    )


# --- import, terminal, outputs ---


def test_importing_the_same_export_twice_is_refused_and_changes_nothing(tmp_path: Path) -> None:
    rules, inputs = project(tmp_path)
    export = tmp_path / "export.csv"
    export.write_text(
        "Plaatsingsnummer;Cliëntnummer;Perceel;Startdatum;Gemeente BRP\n"
        "J1;JC1;GROOT;01-10-2026;GM0001\n",
        encoding="utf-8",
    )
    args = ["import", str(export), "--recorded-on", "2026-10-05", "--rules", str(rules),
            "--inputs", str(inputs)]  # fmt: skip
    assert cli(*args).exit_code == 0
    before = {p.name: p.read_bytes() for p in (inputs / "placements").iterdir()}
    again = cli(*args[:3], "2026-10-06", *args[4:])
    assert (again.exit_code, again.output) == (
        1,
        "fundcalc: export.csv: was imported before (the same content as export.csv, recorded on"
        " 2026-10-05, in placements/2026-10-05_export.csv); it is not imported again\n",
    )
    assert {p.name: p.read_bytes() for p in (inputs / "placements").iterdir()} == before


def test_a_dry_run_with_exceptions_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    rules, inputs = project(tmp_path)
    export = tmp_path / "export.csv"
    export.write_text(
        "Plaatsingsnummer;Cliëntnummer;Perceel;Startdatum\nJ1;JC1;GROOT;gisteren\n",
        encoding="utf-8",
    )
    result = cli("import", str(export), "--recorded-on", "2026-10-05", "--dry-run",
                 "--rules", str(rules), "--inputs", str(inputs))  # fmt: skip
    assert result.exit_code == 1
    assert "  export.csv:2  J1  start_date 'gisteren' is not a date" in result.output.splitlines()
    assert [p.name for p in (inputs / "placements").iterdir()] == ["clean.csv"]


def test_escape_sequences_in_the_input_cannot_drive_the_terminal(tmp_path: Path) -> None:
    rules, inputs = project(tmp_path)
    evil = "\x1b]0;pwned\x07\x1b[2J"
    row = dict(zip(HEADER.split(","), stay(f"J1{evil}", f"X{evil}").split(","), strict=True))
    write_log(tmp_path, [row], "junk.csv")
    result = cli(
        "validate", "--rules", str(rules), "--inputs", str(inputs), "--as-of", "2026-11-23"
    )
    assert "\x1b" not in result.output and "\x07" not in result.output
    shown = "\ufffd]0;pwned\ufffd\ufffd[2J"
    assert f"  junk.csv:2  J1{shown}  unknown lot 'X{shown}'" in result.output.splitlines()


def test_a_failed_write_keeps_the_previous_outputs_and_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules, inputs = project(tmp_path)
    out = tmp_path / "out"
    assert cli(*run_args(rules, inputs, out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "2026-10").iterdir()}
    cached = sorted(p.name for p in (out / ".cache" / "log").iterdir())
    (inputs / "placements" / "later.csv").write_text(f"{HEADER}\n{stay('J1')}\n")

    def full(descriptor: int) -> None:
        raise OSError(28, os.strerror(28))

    monkeypatch.setattr(atomic.os, "fsync", full)
    result = cli(*run_args(rules, inputs, out))
    assert (result.exit_code, result.output) == (
        1,
        f"fundcalc: {out / '2026-10'}: cannot write the outputs (No space left on device);"
        " the previous outputs are unchanged. Make room on the disk, then run again.\n",
    )
    assert {p.name: p.read_bytes() for p in (out / "2026-10").iterdir()} == before
    assert sorted(p.name for p in out.iterdir()) == [".cache", "2026-10"]
    assert sorted(p.name for p in (out / ".cache" / "log").iterdir()) == cached


# --- the statement of a log with junk equals the statement without it ---

JUNK = (
    f"{HEADER}\n"
    ",,,,,,,,,,\n"
    f"{stay('')}\n"
    f"{stay('JUNK-1', 'LOT-ONBEKEND')}\n"
    f"{stay('JUNK-2', recorded_on='gisteren')}\n"
    f"{stay('JUNK-3', start_date='31-02-2026')}\n"
    f"{stay('JUNK-4', end_date='2026-09-01')}\n"
    f"{stay('JUNK-5', void='misschien')}\n"
    f"{stay('JUNK-6', brp_municipality='GM9999')}\n"
    f"{stay('JUNK-7', brp_municipality='GM0080', lot_id='LOV-ZUID')}\n"
    f"{stay('JUNK-8', client_id=LONG)}\n"
    f"{stay('JUNK-9')},extra,fields\n"
    f"{stay('JUNK-10', 'LOT-X', recorded_on='2027-01-01')}\n"
    f"{stay('=1+1', '@SUM(A1)', client_id='-2+3')}\n"
    f"{stay('JUNK-11')}\n{stay('JUNK-11', end_date='2026-10-20')}\n"
    ";;;;;;;;;;\n"
)


def test_the_statement_with_junk_rows_is_byte_for_byte_the_statement_without_them(
    tmp_path: Path,
) -> None:
    def statement(folder: Path, junk: bool) -> bytes:
        rules, inputs = write_sample(folder)
        if junk:
            (inputs / "placements" / "junk.csv").write_text(JUNK, encoding="utf-8")
            shutil.copy(inputs / "placements" / "junk.csv", inputs / "placements" / "junk2.csv")
        args = ["run", "--rules", str(rules), "--inputs", str(inputs), "--out", str(folder / "out"),
                "--period", "2026-10", "--as-of", "2026-11-23"]  # fmt: skip
        result = cli(*args)
        assert result.exit_code == 0, result.output
        return (folder / "out" / "2026-10" / "statement.csv").read_bytes()

    clean = statement(tmp_path / "clean", junk=False)
    assert statement(tmp_path / "junk", junk=True) == clean
    exceptions = (tmp_path / "junk" / "out" / "2026-10" / "exceptions.csv").read_text("utf-8-sig")
    assert "exception;junk.csv;14;'=1+1;unknown lot '@SUM(A1)';10" in exceptions.splitlines()
