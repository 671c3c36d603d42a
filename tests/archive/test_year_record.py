"""The settlement record proves itself as a close record does: sealed, tied to the seals of
its twelve closes, and every change of it, or of a month it rests on, said in words.

The archive of `tests/data/archive-settled-format-1` was made by the code before
settlement records were sealed: the twelve months of 2025 closed and 2025
settled (format 1); objects no settlement reads are left out.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from fundcalc.archive.record import running_software
from fundcalc.archive.store import ARCHIVE, Archive
from fundcalc.archive.year_record import RENDERED, YEAR_FORMAT, seal_of
from fundcalc.base.period import Period
from fundcalc.cli import main
from tests.conftest import ROOT

OLD = ROOT / "tests" / "data" / "archive-settled-format-1"
RULES = ROOT / "tests" / "data" / "year-settlement" / "rules"
OTHER = "0" * 64


def fundcalc(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def settle(out: Path, year: int = 2025) -> Result:
    return fundcalc("settle", "--rules", str(RULES), "--out", str(out), "--year", str(year))


def old_archive(tmp_path: Path) -> Path:
    """OUT with the archive of format 1 (2025 settled before seals)."""
    out = tmp_path / "out"
    shutil.copytree(OLD, out / ARCHIVE)
    return out


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT with the twelve months of 2025 closed and 2025 settled by this code."""
    out = old_archive(tmp_path_factory.mktemp("sealed"))
    (out / ARCHIVE / "years" / "2025.json").unlink()
    result = settle(out)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def out(sealed: Path, tmp_path: Path) -> Path:
    shutil.copytree(sealed, tmp_path / "out")
    return tmp_path / "out"


def year_path(out: Path) -> Path:
    return out / ARCHIVE / "years" / "2025.json"


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit a record as a forger would: valid JSON, written as fundcalc writes it."""
    raw = json.loads(path.read_text())
    change(raw)
    path.chmod(0o644)
    path.write_text(json.dumps(raw, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def test_settle_prints_the_seal_the_workbook_and_manifest_show_and_history_lists(
    out: Path,
) -> None:
    record = Archive(out / ARCHIVE).get_year(2025)
    raw = json.loads(year_path(out).read_text())
    assert record.format == YEAR_FORMAT == 2
    assert record.seal == seal_of(raw) == hashlib.sha256(
        (json.dumps({k: v for k, v in raw.items() if k != RENDERED}, indent=2, sort_keys=True)
         + "\n").encode()
    ).hexdigest()  # fmt: skip
    assert record.software == running_software()
    closes = Archive(out / ARCHIVE).closed()
    assert record.closes == {str(c.period): c.seal for c in closes}
    assert json.loads((out / "2025" / "manifest.json").read_text())["seal"] == record.seal
    assert [f.name for f in record.rendered] == ["manifest.json", "settlement.xlsx"]
    history = fundcalc("history", "--out", str(out))
    assert history.exit_code == 0, history.output
    (line,) = [x for x in history.output.splitlines() if x.startswith("2025     ")]
    assert line.endswith(f"  {record.seal}")


def test_the_settlement_workbook_shows_its_seal_and_the_seals_of_its_closes(out: Path) -> None:
    record = Archive(out / ARCHIVE).get_year(2025)
    book = openpyxl.load_workbook(out / "2025" / "settlement.xlsx", read_only=True)
    values = [v for row in book["Verantwoording"].iter_rows(values_only=True) for v in row]
    at = values.index("Zegel van deze jaarafrekening")
    assert values[at + 1] == record.seal
    assert "Zegel afsluiting" in values
    assert all(seal in values for seal in (record.closes or {}).values())


def test_settle_output_ends_with_the_seal(tmp_path: Path) -> None:
    out = old_archive(tmp_path)
    (out / ARCHIVE / "years" / "2025.json").unlink()
    result = settle(out)
    seal = Archive(out / ARCHIVE).get_year(2025).seal
    assert result.output.splitlines()[-1] == (
        f"Seal      {seal} (note it in the committee's papers; settlement.xlsx shows it, and an"
        f" auditor checks the archive with: fundcalc replay --year 2025 --seal {seal})"
    )


def test_replay_with_the_seal_proves_the_record_and_a_wrong_seal_is_refused(out: Path) -> None:
    seal = Archive(out / ARCHIVE).get_year(2025).seal
    assert seal is not None
    result = fundcalc("replay", "--year", "2025", "--seal", seal.upper(), "--out", str(out))
    assert result.exit_code == 0, result.output
    settled_on = json.loads(year_path(out).read_text())["settled_on"]
    assert f"2025 (settled on {settled_on}, seal {seal}): identical" in result.output
    result = fundcalc("replay", "--year", "2025", "--seal", OTHER, "--out", str(out))
    assert result.exit_code == 1
    assert result.output == (
        f"fundcalc: the settlement record of 2025 is not the one sealed {OTHER}: its seal is now"
        f" {seal}, so it was changed (or made again) after that seal was given\n"
    )


def _set(*path: str | int, to: object) -> Callable[[dict[str, Any]], None]:
    def change(raw: dict[str, Any]) -> None:
        node: Any = raw
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = to

    return change


CHANGED = "2025's settlement record was changed after 2025 was settled"
TAMPERINGS = {
    "settled_on": (_set("settled_on", to="2020-01-01"), CHANGED),
    "fundcalc and software": (
        lambda r: (_set("fundcalc", to="9.9.9")(r), _set("software", "fundcalc", to="9.9.9")(r)),
        CHANGED,
    ),
    "software.python": (_set("software", "python", to="2.7.18"), CHANGED),
    "software.polars": (_set("software", "polars", to="0.1"), CHANGED),
    "software.openpyxl": (_set("software", "openpyxl", to="0.1"), CHANGED),
    "software.source": (_set("software", "source", to=OTHER), CHANGED),
    "rules.name": (_set("rules", 0, "name", to="regels.toml"), CHANGED),
    "rules.sha256": (_set("rules", 1, "sha256", to=OTHER), CHANGED),
    "rules.size": (_set("rules", 0, "size", to=1), CHANGED),
    "closes": (_set("closes", "2025-03", to=OTHER), CHANGED),
    "closes, one left out": (lambda r: r["closes"].pop("2025-12"), CHANGED),
    "statements": (_set("statements", "2025-07", to=OTHER), CHANGED),
    "opening_reserve.cents": (_set("opening_reserve", "cents", to=1), CHANGED),
    "opening_reserve.from": (
        _set("opening_reserve", to={"from": "settlement", "year": 2024, "cents": 50_000,
                                    "record_sha256": OTHER}),
        CHANGED,
    ),
    "outputs.sha256": (_set("outputs", 0, "sha256", to=OTHER), CHANGED),
    "outputs.size": (_set("outputs", 0, "size", to=3), CHANGED),
    "totals_cents.result": (_set("totals_cents", "result", to=1), CHANGED),
    "totals_cents.settled": (_set("totals_cents", "settled", to=-1), CHANGED),
    "rendered manifest.sha256": (_set(RENDERED, 0, "sha256", to=OTHER), CHANGED),
    "rendered manifest.size": (_set(RENDERED, 0, "size", to=5), CHANGED),
    "rendered manifest.name": (_set(RENDERED, 0, "name", to="manifest.txt"), CHANGED),
    "rendered workbook.sha256": (
        _set(RENDERED, 1, "sha256", to=OTHER),
        "settlement.xlsx (",
    ),
    "rendered workbook.size": (_set(RENDERED, 1, "size", to=5), "settlement.xlsx has 5 bytes"),
    "rendered workbook.name": (
        _set(RENDERED, 1, "name", to="jaar.xlsx"),
        "settlement.xlsx: produced by the replay but not archived",
    ),
    "format": (_set("format", to=1), "a settlement record of format 1 has no field"),
    "format unknown": (_set("format", to=3), "a settlement record of format 3"),
    "year": (_set("year", to=2024), "holds the settlement record of 2024, not of 2025"),
    "fundcalc alone": (_set("fundcalc", to="9.9.9"), "the record says fundcalc 9.9.9"),
    "an added field": (_set("approved_by", to="wethouder"), "has no field approved_by"),
}  # fmt: skip


@pytest.mark.parametrize("field", TAMPERINGS)
def test_every_field_of_a_settlement_record_changed_afterwards_is_caught(
    out: Path, field: str
) -> None:
    change, said = TAMPERINGS[field]
    edit(year_path(out), change)
    replay = fundcalc("replay", "--year", "2025", "--out", str(out))
    assert replay.exit_code == 1
    assert said in replay.output
    history = fundcalc("history", "--out", str(out))
    settle_next = settle(out, 2026)
    assert settle_next.exit_code == 1
    if said == CHANGED:
        assert history.exit_code == 1
        assert f"fundcalc: the archive {out / ARCHIVE} has been tampered with: {CHANGED}" in (
            history.output
        )
        assert f"{CHANGED} (its seal is now" in settle_next.output


def test_a_month_changed_after_its_year_was_settled_is_said_by_every_command(out: Path) -> None:
    edit(out / ARCHIVE / "periods" / "2025-12.json", _set("closed_on", to="2030-01-01"))
    said = "2025-12's close record was changed after 2025 was settled"
    for result in (
        fundcalc("history", "--out", str(out)),
        fundcalc("replay", "--year", "2025", "--out", str(out)),
        settle(out, 2026),
    ):
        assert result.exit_code == 1
        assert said in result.output


def test_a_month_reopened_after_its_year_was_settled_is_said(out: Path) -> None:
    archive = Archive(out / ARCHIVE)
    # `reopen` refuses a month of a settled year; this is a withdrawal made by hand.
    archive.withdraw(Period(2025, 12), reason="by hand", by="forger", at="2030-01-01 00:00:00")
    said = "2025-12 was reopened after 2025 was settled and is not closed now"
    history = fundcalc("history", "--out", str(out))
    assert history.exit_code == 1
    assert said in history.output
    replay = fundcalc("replay", "--year", "2025", "--out", str(out))
    assert replay.exit_code == 1
    assert f"  {said}" in replay.output.splitlines()


def test_a_deleted_settlement_record_is_caught_by_its_seal(out: Path) -> None:
    seal = Archive(out / ARCHIVE).get_year(2025).seal
    assert seal is not None
    year_path(out).unlink()
    result = fundcalc("replay", "--year", "2025", "--seal", seal, "--out", str(out))
    assert result.exit_code == 1
    assert result.output.startswith("fundcalc: 2025 is not settled (no ")


def test_an_old_settlement_record_without_a_seal_is_read_replayed_and_said_once(
    tmp_path: Path,
) -> None:
    out = old_archive(tmp_path)
    note = (
        "the settlement record of 2025 was made before settlements were sealed (format 1): it"
        " has no seal; the statements it names tie it to its months"
    )
    history = fundcalc("history", "--out", str(out))
    assert history.exit_code == 0, history.output
    assert history.output.count(note) == 1
    (line,) = [x for x in history.output.splitlines() if x.startswith("2025     ")]
    assert line.endswith("  none (format 1)")
    replay = fundcalc("replay", "--year", "2025", "--out", str(out))
    assert replay.exit_code == 0, replay.output
    assert replay.output.count(note) == 1
    assert "2025 (settled on 2026-12-05, no seal: format 1): identical" in replay.output
    assert Archive(out / ARCHIVE).get_year(2025).seal is None


def test_an_old_settlement_record_whose_statement_was_changed_is_caught(tmp_path: Path) -> None:
    out = old_archive(tmp_path)
    edit(year_path(out), _set("statements", "2025-04", to=OTHER))
    history = fundcalc("history", "--out", str(out))
    assert history.exit_code == 1
    assert "2025-04's statement is not the one 2025 settled" in history.output
