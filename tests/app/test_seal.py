"""The close record proves itself: every field recomputed by replay or covered by the seal,
records chained by their seals, an archive checked against the seal an auditor was given."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fundcalc.archive.record import (
    RECORD_FORMAT,
    ClosedPeriod,
    Software,
    running_software,
)
from fundcalc.archive.store import ARCHIVE, Archive
from fundcalc.base.period import Period
from tests.closing_case import deliver, fundcalc, write_case
from tests.conftest import ROOT

P1 = {"placement_id": "P1", "client_id": "c1", "lot_id": "F", "start_date": "2025-01-10",
      "brp_municipality": "GM0001"}  # fmt: skip
FORMAT_1 = ROOT / "tests" / "data" / "archive-format-1"
OTHER = "0" * 64


def two_closes(tmp_path: Path) -> Path:
    """January and February closed (February corrects January)."""
    root = write_case(tmp_path / "case")
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    deliver(root, "2025-03.csv", {**P1, "end_date": "2025-02-20", "recorded_on": "2025-03-01"})
    assert fundcalc(root, "close", "--period", "2025-02", "--as-of", "2025-03-05").exit_code == 0
    return root


@pytest.fixture(scope="module")
def closed_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`two_closes`, made once for the module: each test takes a copy (`closed`)."""
    return two_closes(tmp_path_factory.mktemp("two-closes"))


@pytest.fixture
def closed(closed_once: Path, tmp_path: Path) -> Path:
    """January and February closed (`two_closes`), in a folder of this test's own: a copy,
    file times and modes kept, of the one made for the module."""
    return Path(shutil.copytree(closed_once, tmp_path / "case"))


def record_path(root: Path, period: str) -> Path:
    return root / "outputs" / ARCHIVE / "periods" / f"{period}.json"


def edit(root: Path, period: str, change: Callable[[dict[str, Any]], None]) -> str:
    """Edit a record as a forger would (valid JSON); the seal it had before."""
    path = record_path(root, period)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    raw = json.loads(path.read_text())
    change(raw)
    path.write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n")
    return before


def test_a_close_prints_its_seal_and_history_lists_it(tmp_path: Path) -> None:
    root = write_case(tmp_path / "case")
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    result = fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05")
    seal = hashlib.sha256(record_path(root, "2025-01").read_bytes()).hexdigest()
    assert result.output.splitlines()[-1] == (
        f"Seal      {seal} (note it in the committee's papers; an auditor checks the archive"
        f" with: fundcalc replay --period 2025-01 --seal {seal})"
    )
    history = fundcalc(root, "history")
    assert history.exit_code == 0
    assert history.output.splitlines()[1].endswith(f"  {seal}")


def test_a_record_names_the_software_and_the_seals_of_the_closes_before_it(
    closed: Path,
) -> None:
    root = closed
    january, february = Archive(root / "outputs" / ARCHIVE).closed()
    assert february.format == RECORD_FORMAT == 2
    assert february.software == running_software()
    assert february.seals_before == {"2025-01": january.seal}
    assert january.seals_before == {}
    # The typed form writes the very bytes it was read from.
    assert february.to_json() == record_path(root, "2025-02").read_bytes()
    assert ClosedPeriod.from_json(february.to_json(), "x") == february


def test_the_workbook_shows_the_seals_of_the_months_closed_before(closed: Path) -> None:
    root = closed
    january = Archive(root / "outputs" / ARCHIVE).get(Period(2025, 1))
    book = openpyxl.load_workbook(root / "outputs" / "2025-02" / "report.xlsx")
    values = [[c for c in row if c is not None] for row in book["Verantwoording"].values]
    at = values.index(["Archief: de maanden die vóór deze zijn gesloten"])
    assert values[at + 1] == ["Gesloten maand", "Zegel (SHA-256 van het afsluitverslag)",
                              "Gesloten met", "Software als nu"]  # fmt: skip
    assert values[at + 2] == [
        f"2025-01 (stand per 05-02-2025, afgesloten op {january.closed_on.strftime('%d-%m-%Y')})",
        january.seal,
        running_software().describe(),
        "ja",
    ]
    # January's own workbook has no months closed before it: no such table.
    first = openpyxl.load_workbook(root / "outputs" / "2025-01" / "report.xlsx")
    assert not any("Archief" in str(c) for row in first["Verantwoording"].values for c in row if c)


# --- every field of a record: what catches a change -------------------------------------

#: (field, the forger's change, what `replay --period 2025-02` says; None: nothing it can
#: recompute, so only the seal (and the next close's seals_before) catches it). The
#: software is recomputed through the workbook: it marks the months closed before with
#: other software than the record's (Verantwoording), so a changed software differs.
TAMPERINGS: list[tuple[str, Callable[[dict[str, Any]], None], str | None]] = [
    ("format", lambda r: r.update(format=3), "a close record of format 3"),
    ("format", lambda r: r.update(format=1),
     "a close record of format 1 has no field seals_before, software"),
    ("period", lambda r: r.update(period="2025-03"),
     "holds the record of 2025-03, not of 2025-02"),
    ("as_of", lambda r: r.update(as_of="2025-03-06"), "manifest.json: differs"),
    ("closed_on", lambda r: r.update(closed_on="2025-03-07"), "report.xlsx: differs"),
    ("fundcalc", lambda r: r.update(fundcalc="9.9.9"),
     "the record says fundcalc 9.9.9 but its software fundcalc 0.1.0"),
    ("software.fundcalc", lambda r: r["software"].update(fundcalc="9.9.9"),
     "the record says fundcalc 0.1.0 but its software fundcalc 9.9.9"),
    ("software.python", lambda r: r["software"].update(python="3.99.0"), "report.xlsx: differs"),
    ("software.polars", lambda r: r["software"].update(polars="0.0.1"), "report.xlsx: differs"),
    ("software.openpyxl", lambda r: r["software"].update(openpyxl="0.0.1"), "report.xlsx: differs"),
    ("software.source", lambda r: r["software"].update(source=OTHER), "report.xlsx: differs"),
    ("rules.name", lambda r: r["rules"][0].update(name="other.toml"),
     "the record of 2025-02 names no arrangement.toml among the rules it archived"),
    ("rules.sha256", lambda r: r["rules"][0].update(sha256=OTHER), "is missing"),
    ("rules.size", lambda r: r["rules"][0].update(size=1), "the record has been changed"),
    ("inputs.name", lambda r: r["inputs"][0].update(name="2025-99.csv"),
     "manifest.json: differs"),
    ("inputs.sha256", lambda r: r["inputs"][0].update(sha256=OTHER), "is missing"),
    ("inputs.size", lambda r: r["inputs"][0].update(size=1), "the record has been changed"),
    ("inputs (one dropped)", lambda r: r["inputs"].pop(), "statement.csv: differs"),
    ("outputs.name", lambda r: r["outputs"][0].update(name="other.csv"),
     "other.csv: archived but not produced by the replay"),
    ("outputs.sha256", lambda r: r["outputs"][0].update(sha256=OTHER), "is missing"),
    ("outputs.size", lambda r: r["outputs"][0].update(size=1), "the record has been changed"),
    ("basis", lambda r: r["basis"].update({"2025-01": OTHER}),
     "2025-01's statement is not the one it was closed against"),
    ("seals_before", lambda r: r["seals_before"].update({"2025-01": OTHER}),
     "2025-01's record was changed after 2025-02 was closed"),
    ("totals_cents", lambda r: r["totals_cents"].update(contribution=20_000),
     "the record's total contribution is 20000 cents, the replay's 10000"),
    ("totals_cents", lambda r: r["totals_cents"].update(fund_day_costs=1),
     "the record's total fund_day_costs is 1 cents"),
    ("replaces_withdrawn", lambda r: r.update(replaces_withdrawn=[OTHER]), None),
    ("an unknown field", lambda r: r.update(approved_by="me"),
     "a close record of format 2 has no field approved_by"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("field", "change", "said"), TAMPERINGS, ids=[f"{t[0]}-{i}" for i, t in enumerate(TAMPERINGS)]
)
def test_every_field_of_the_last_record_is_recomputed_or_sealed(
    closed: Path, field: str, change: Callable[[dict[str, Any]], None], said: str | None
) -> None:
    root = closed
    seal = edit(root, "2025-02", change)
    replayed = fundcalc(root, "replay", "--period", "2025-02")
    if said is None:
        assert replayed.exit_code == 0, replayed.output  # nothing recomputes it: the seal does
    else:
        assert replayed.exit_code == 1, replayed.output
        assert said in replayed.output
    sealed = fundcalc(root, "replay", "--period", "2025-02", "--seal", seal)
    assert sealed.exit_code == 1
    assert f"is not the one sealed {seal}" in sealed.output or (
        said is not None and said in sealed.output
    )


def test_the_software_of_a_first_close_is_covered_by_its_seal(closed: Path) -> None:
    root = closed
    fundcalc(root, "reopen", "--period", "2025-02", "--reason", "to test")
    seal = edit(root, "2025-01", lambda r: r["software"].update(python="3.99.0"))
    assert fundcalc(root, "replay", "--period", "2025-01").exit_code == 0
    sealed = fundcalc(root, "replay", "--period", "2025-01", "--seal", seal)
    assert sealed.exit_code == 1
    assert f"is not the one sealed {seal}" in sealed.output


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        ("history", ()),
        ("replay", ("--period", "2025-02")),
        ("replay", ("--period", "2025-01")),
        ("show", ("--period", "2025-02")),
        ("run", ("--period", "2025-03", "--as-of", "2025-04-05")),
        ("close", ("--period", "2025-03", "--as-of", "2025-04-05")),
    ],
)
@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("closed_on", "2025-01's record was changed after 2025-02 was closed"),
        ("delete", "2025-01's record was deleted after 2025-02 was closed"),
    ],
)
def test_a_changed_or_deleted_earlier_record_is_said_by_every_command_that_reads_the_archive(
    closed: Path, command: str, arguments: tuple[str, ...], change: str, said: str
) -> None:
    root = closed
    if change == "delete":
        record_path(root, "2025-01").unlink()
    else:
        edit(root, "2025-01", lambda r: r.update(closed_on="2025-02-28"))
    result = fundcalc(root, command, *arguments)
    assert result.exit_code == 1, result.output
    assert said in result.output
    assert "Traceback" not in result.output
    assert not (root / "outputs" / "2025-03").exists()


def test_a_record_put_in_between_is_said(tmp_path: Path, closed: Path) -> None:
    root = closed
    shutil.copy(record_path(root, "2025-01"), tmp_path / "january.json")
    fundcalc(root, "reopen", "--period", "2025-02", "--reason", "to test")
    # A forger drops a record for a month nobody closed between two that were.
    records = root / "outputs" / ARCHIVE / "periods"
    raw = json.loads((records / "2025-01.json").read_text())
    raw["period"] = "2024-12"
    (records / "2024-12.json").write_text(json.dumps(raw))
    result = fundcalc(root, "history")
    assert result.exit_code == 1
    assert "2024-12's record was added after 2025-01 was closed" in result.output


def test_replay_with_the_seal_proves_the_record_and_a_wrong_seal_is_refused(
    closed: Path,
) -> None:
    root = closed
    seal = Archive(root / "outputs" / ARCHIVE).get(Period(2025, 2)).seal
    good = fundcalc(root, "replay", "--period", "2025-02", "--seal", seal.upper())
    assert good.exit_code == 0, good.output
    wrong = fundcalc(root, "replay", "--period", "2025-02", "--seal", OTHER)
    assert wrong.exit_code == 1
    assert wrong.output == (
        f"fundcalc: the record of 2025-02 is not the one sealed {OTHER}: its seal is now {seal},"
        " so it was changed (or closed again) after that seal was given\n"
    )
    usage = fundcalc(root, "replay", "--period", "2025-02", "--seal", "abc")
    assert usage.exit_code == 2
    assert "'abc' is not a seal: 64 hexadecimal digits" in usage.output


def test_a_deleted_last_record_is_caught_by_its_seal(closed: Path) -> None:
    root = closed
    seal = hashlib.sha256(record_path(root, "2025-02").read_bytes()).hexdigest()
    record_path(root, "2025-02").unlink()
    result = fundcalc(root, "replay", "--period", "2025-02", "--seal", seal)
    assert result.exit_code == 1
    assert result.output.startswith("fundcalc: 2025-02 is not closed")


# --- the archive made before seals -----------------------------------------------------


def test_an_archive_of_format_1_made_by_the_code_before_still_replays_and_chains_on(
    tmp_path: Path,
) -> None:
    """tests/data/archive-format-1 was closed by main as it was before seals (aadd740).

    When a later change alters what an old close's outputs would be (the
    workbook, the manifest), this test says so: regenerate the fixture only if
    that change is meant, and say in its commit that old archives replay
    DIFFERENT in those files.
    """
    root = write_case(tmp_path / "case")
    shutil.copytree(FORMAT_1, root / "outputs" / ARCHIVE)
    for period in ("2025-01", "2025-02", "2025-03"):
        result = fundcalc(root, "replay", "--period", period)
        assert result.exit_code == 0, f"an archive of format 1 no longer replays:\n{result.output}"
        assert result.output.splitlines()[0] == (
            f"{period} closed with fundcalc 0.1.0 (a record of format 1 names no other versions)"
        )
    old = Archive(root / "outputs" / ARCHIVE).closed()
    assert [r.format for r in old] == [1, 1, 1]
    # The next close is of format 2 and seals every record of format 1 before it.
    deliver(root, "2025-05.csv", {**P1, "end_date": "2025-01-15", "recorded_on": "2025-05-01"})
    closed = fundcalc(root, "close", "--period", "2025-04", "--as-of", "2025-05-05")
    assert closed.exit_code == 0, closed.output
    april = Archive(root / "outputs" / ARCHIVE).get(Period(2025, 4))
    assert april.format == 2
    assert april.seals_before == {str(r.period): r.seal for r in old}
    assert fundcalc(root, "replay", "--period", "2025-04").exit_code == 0
    # A record of format 1 changed after: the close of format 2 says so.
    edit(root, "2025-01", lambda r: r.update(closed_on="2025-02-28"))
    history = fundcalc(root, "history")
    assert "2025-01's record was changed after 2025-04 was closed" in history.output
    assert history.exit_code == 1


def test_a_record_of_format_1_whose_statement_was_changed_is_caught_by_the_next(
    tmp_path: Path,
) -> None:
    root = write_case(tmp_path / "case")
    shutil.copytree(FORMAT_1, root / "outputs" / ARCHIVE)
    record_path(root, "2025-02").unlink()
    result = fundcalc(root, "history")
    assert result.exit_code == 1
    assert "2025-02's record was deleted after 2025-03 was closed" in result.output


# --- software ----------------------------------------------------------------------------


def test_a_run_after_a_code_change_says_so_and_marks_the_corrections(closed: Path) -> None:
    root = closed
    # January was closed by other code: its record (and so February's seals) say so.
    changed = Software(**{**running_software().as_json(), "source": OTHER})
    archive = Archive(root / "outputs" / ARCHIVE)
    january = archive.closed()[0]
    forged = ClosedPeriod(**{**january.__dict__, "software": changed, "record_sha256": ""})
    record_path(root, "2025-01").write_bytes(forged.to_json())
    edit(root, "2025-02", lambda r: r["seals_before"].update(
        {"2025-01": hashlib.sha256(forged.to_json()).hexdigest()}))  # fmt: skip
    deliver(root, "2025-04.csv", {**P1, "end_date": "2025-01-20", "recorded_on": "2025-04-01"})
    result = fundcalc(root, "run", "--period", "2025-03", "--as-of", "2025-04-05")
    assert result.exit_code == 0, result.output
    assert (
        f"WARNING: 2025-01 was closed with other software ({changed.describe()}; now"
        f" {running_software().describe()}): its 3 correction rows may come from that change,"
        " not from the data" in result.output
    )
    book = openpyxl.load_workbook(root / "outputs" / "2025-03" / "report.xlsx")
    rows = [[c for c in row if c is not None] for row in book["Correcties"].values]
    header = next(r for r in rows if r and r[0] == "Voor periode")
    assert header[-1] == "Oorzaak"
    marks = {r[0]: r[-1] for r in rows if r and r[0] in ("2025-01", "2025-02")}
    assert set(marks) == {"2025-01", "2025-02"}
    assert marks["2025-01"] == "andere software: kan uit de codewijziging komen"
    assert marks["2025-02"] == "gegevens of regels"
    note = next(r[0] for r in rows if r and str(r[0]).startswith("Correcties: het verschil"))
    assert "Oorzaak: een maand die met andere software" in note
    archief = [[c for c in row if c is not None] for row in book["Verantwoording"].values]
    january_row = next(r for r in archief if r and str(r[0]).startswith("2025-01 (stand per"))
    assert january_row[-1] == "nee"


def test_replay_after_a_code_change_says_what_changed(closed: Path) -> None:
    root = closed
    edit(root, "2025-02", lambda r: r["software"].update(polars="0.0.1"))
    result = fundcalc(root, "replay", "--period", "2025-02")
    now = running_software()
    lines = result.output.splitlines()
    assert lines[0].startswith("2025-02 closed with fundcalc 0.1.0 / polars 0.0.1 /")
    assert lines[1] == f"        replayed with {now.describe()}"
