"""End to end: the worked example of two year-end settlements (§9), and every refusal.

The 24 months of `tests/data/year-settlement` (a copy of the spec's example) are
closed once per module, each as of the 5th of the next month; each test works on
its own copy of that archive.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from fundcalc.cli import main
from tests.conftest import ROOT
from tests.readback import cents, load, table
from tests.reference import settlement as reference

DATA = ROOT / "tests" / "data" / "year-settlement"
MONTHS = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]


def fundcalc(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def as_of(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}-05"


def close(work: Path, period: str) -> Result:
    return fundcalc(
        "close", "--rules", str(work / "rules"), "--inputs", str(work / "inputs"),
        "--out", str(work / "out"), "--period", period, "--as-of", as_of(period), "--quiet",
    )  # fmt: skip


def settle(work: Path, year: int) -> Result:
    # --inputs as every command takes it (§8); a settlement reads the archive only.
    return fundcalc(
        "settle", "--rules", str(work / "rules"), "--inputs", str(work / "inputs"),
        "--out", str(work / "out"), "--year", str(year),
    )  # fmt: skip


def rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (the archive's LOCK left out: a lock is not a record)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "LOCK"
    }


@pytest.fixture(scope="module")
def closed_months(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("year-settlement")
    shutil.copytree(DATA / "rules", work / "rules")
    shutil.copytree(DATA / "inputs", work / "inputs")
    for period in MONTHS:
        result = close(work, period)
        assert result.exit_code == 0, (period, result.output)
    return work


@pytest.fixture
def work(closed_months: Path, tmp_path: Path) -> Iterator[Path]:
    shutil.copytree(closed_months, tmp_path / "work")
    yield tmp_path / "work"


@pytest.mark.slow
def test_the_worked_example_settles_both_years_exactly(work: Path) -> None:
    for year in (2025, 2026):
        result = settle(work, year)
        assert result.exit_code == 0, result.output
        produced = rows(work / "out" / str(year) / "settlement.csv")
        assert produced == rows(DATA / f"expected-settlement-{year}.csv")
        assert sorted(p.name for p in (work / "out" / str(year)).iterdir()) == [
            "manifest.json",
            "settlement.csv",
            "settlement.xlsx",
        ]


@pytest.mark.slow
def test_the_settlement_is_the_reference_reading_the_archived_statements(work: Path) -> None:
    archive = work / "out" / "archive"
    statements = {}
    for year in (2025, 2026):
        texts = []
        for period in (p for p in MONTHS if p.startswith(str(year))):
            record = (archive / "periods" / f"{period}.json").read_text()
            sha = next(
                f["sha256"] for f in json.loads(record)["outputs"] if f["name"] == "statement.csv"
            )
            texts.append((archive / "objects" / sha[:2] / sha).read_text())
        statements[year] = texts
    expected = reference.chain((DATA / "rules" / "arrangement.toml").read_text(), statements)
    for year in (2025, 2026):
        assert settle(work, year).exit_code == 0
        produced = (work / "out" / str(year) / "settlement.csv").read_text()
        assert produced == reference.settlement_csv(expected[year])


@pytest.mark.slow
def test_corrections_booked_in_january_count_in_the_year_they_are_booked(work: Path) -> None:
    assert settle(work, 2025).exit_code == 0
    assert settle(work, 2026).exit_code == 0
    january = rows(work / "out" / "2026-01" / "statement.csv")[1:]
    late = [r for r in january if r[3].startswith("2025-") and r[2] in ("origin", "key")]
    assert sum(int(r[4]) for r in late) == 122_000  # P3's November and December 2025
    charged = {
        (r[0], r[1]): int(r[3])
        for year in (2025, 2026)
        for r in rows(work / "out" / str(year) / "settlement.csv")[1:]
        if r[2] == "charged"
    }
    # 2026: the late € 1,220, P3's 59 days of 2026 (€ 1,180) and availability (€ 365).
    assert charged[("2026", "GM0001")] + charged[("2026", "GM0002")] == 122_000 + 118_000 + 36_500
    # 2025: P1, P2's 20 days (after the April correction) and availability, not P3.
    assert charged[("2025", "GM0001")] + charged[("2025", "GM0002")] == 362_000 + 40_000 + 36_500


@pytest.mark.slow
def test_replay_of_a_year_is_identical_after_the_rules_and_inputs_are_gone(work: Path) -> None:
    assert settle(work, 2025).exit_code == 0
    assert settle(work, 2026).exit_code == 0
    shutil.rmtree(work / "rules")
    shutil.rmtree(work / "inputs")
    for year in ("2025", "2026"):
        result = fundcalc("replay", "--year", year, "--out", str(work / "out"))
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0].startswith(f"{year} settled with fundcalc ")
        assert lines[1].lstrip().startswith("replayed with fundcalc ")
        assert lines[2].endswith(": identical")
        assert "  settlement.xlsx  identical" in result.output


@pytest.mark.slow
def test_a_settlement_keeps_the_rules_it_validated_and_settles_from_them_as_validated(
    work: Path, tmp_path: Path
) -> None:
    shutil.copytree(work, tmp_path / "validated")
    shutil.rmtree(tmp_path / "validated" / "out" / ".cache")
    assert settle(work, 2025).exit_code == 0  # the rules kept by the closes
    assert settle(tmp_path / "validated", 2025).exit_code == 0
    kept = tmp_path / "validated" / "out" / ".cache" / "rules"
    assert len(list(kept.glob("*.json"))) == 1
    for name in ("settlement.csv", "settlement.xlsx", "manifest.json"):
        validated = tmp_path / "validated" / "out" / "2025" / name
        assert (work / "out" / "2025" / name).read_bytes() == validated.read_bytes(), name


@pytest.mark.slow
def test_the_same_archive_settles_to_the_same_bytes(work: Path, tmp_path: Path) -> None:
    shutil.copytree(work, tmp_path / "again")
    for folder in (work, tmp_path / "again"):
        assert settle(folder, 2025).exit_code == 0
    assert snapshot(work / "out" / "2025") == snapshot(tmp_path / "again" / "out" / "2025")


@pytest.mark.slow
def test_a_year_with_a_month_not_closed_is_refused_naming_the_months(
    tmp_path: Path,
) -> None:
    work = tmp_path / "work"
    shutil.copytree(DATA / "rules", work / "rules")
    shutil.copytree(DATA / "inputs", work / "inputs")
    for period in MONTHS[:10]:
        assert close(work, period).exit_code == 0
    before = snapshot(work / "out")
    result = settle(work, 2025)
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: 2025 cannot be settled: 2025-11, 2025-12 are not closed; close every month"
        " of 2025 first (fundcalc close --period 2025-11)\n"
    )
    assert snapshot(work / "out") == before


@pytest.mark.slow
def test_a_settled_year_is_never_settled_again(work: Path) -> None:
    assert settle(work, 2025).exit_code == 0
    before = snapshot(work / "out")
    result = settle(work, 2025)
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: 2025 is already settled; a settled year is never settled again"
        " (fundcalc replay --year 2025 proves it)\n"
    )
    assert snapshot(work / "out") == before


@pytest.mark.slow
def test_a_year_is_refused_while_the_year_before_is_not_settled(work: Path) -> None:
    before = snapshot(work / "out")
    result = settle(work, 2026)
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: 2025 has closed months but is not settled: settle 2025 first"
        " (fundcalc settle --year 2025)\n"
    )
    assert snapshot(work / "out") == before


@pytest.mark.slow
def test_a_year_without_a_settlement_version_is_an_error_in_the_rules(work: Path) -> None:
    toml = work / "rules" / "arrangement.toml"
    text = toml.read_text()
    start = text.index("[[settlement]]")
    toml.write_text(text[:start] + text[text.index("[[lot]]") :])
    before = snapshot(work / "out")
    result = settle(work, 2025)
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: arrangement.toml: settlement: no version valid on 2025-01-01\n"
    )
    assert snapshot(work / "out") == before


@pytest.mark.slow
def test_a_tampered_archived_statement_stops_the_settlement(work: Path) -> None:
    record = json.loads((work / "out" / "archive" / "periods" / "2025-06.json").read_text())
    sha = next(f["sha256"] for f in record["outputs"] if f["name"] == "statement.csv")
    target = work / "out" / "archive" / "objects" / sha[:2] / sha
    target.chmod(0o644)
    target.write_text(target.read_text().replace("25000", "25001"))
    before = snapshot(work / "out")
    result = settle(work, 2025)
    assert result.exit_code == 1
    assert result.output.startswith("fundcalc: archive: statement.csv (")
    assert result.output.endswith("has been changed: its SHA-256 no longer matches\n")
    assert snapshot(work / "out") == before


@pytest.mark.slow
def test_a_month_of_a_settled_year_is_never_reopened(work: Path) -> None:
    assert settle(work, 2025).exit_code == 0
    assert settle(work, 2026).exit_code == 0
    before = snapshot(work / "out")
    result = fundcalc(
        "reopen", "--period", "2026-12", "--reason", "test", "--out", str(work / "out")
    )
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: 2026-12 belongs to 2026, which is settled (jaarafrekening): the months of a"
        " settled year are never reopened; a late record for 2026-12 is booked as a correction"
        " in a later month\n"
    )
    assert snapshot(work / "out") == before


@pytest.mark.slow
def test_replay_of_a_year_finds_a_changed_settlement(work: Path) -> None:
    assert settle(work, 2025).exit_code == 0
    record = json.loads((work / "out" / "archive" / "years" / "2025.json").read_text())
    sha = next(f["sha256"] for f in record["outputs"] if f["name"] == "settlement.csv")
    target = work / "out" / "archive" / "objects" / sha[:2] / sha
    data = target.read_bytes()
    assert hashlib.sha256(data).hexdigest() == sha
    target.chmod(0o644)
    target.write_bytes(data.replace(b"52125", b"52126"))
    result = fundcalc("replay", "--year", "2025", "--out", str(work / "out"))
    assert result.exit_code == 1
    assert "settlement.csv (" in result.output
    assert "has been changed" in result.output


def test_replay_takes_a_period_or_a_year_not_both(tmp_path: Path) -> None:
    result = fundcalc("replay", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "give either --period YYYY-MM or --year YYYY" in result.output
    result = fundcalc("replay", "--period", "2025-01", "--year", "2025", "--out", str(tmp_path))
    assert result.exit_code == 2


def test_settling_without_any_closed_month_names_them_all(tmp_path: Path) -> None:
    shutil.copytree(DATA / "rules", tmp_path / "rules")
    result = settle(tmp_path, 2025)
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: 2025 cannot be settled: 2025-01, 2025-02, 2025-03, 2025-04, 2025-05, 2025-06,"
        " 2025-07, 2025-08, 2025-09, 2025-10, 2025-11, 2025-12 are not closed; close every month"
        " of 2025 first (fundcalc close --period 2025-01)\n"
    )


@pytest.mark.slow
def test_a_months_workbook_shows_what_the_reserve_would_absorb_of_the_expected_result(
    work: Path,
) -> None:
    assert settle(work, 2025).exit_code == 0
    result = fundcalc(
        "run", "--rules", str(work / "rules"), "--inputs", str(work / "inputs"),
        "--out", str(work / "out"), "--period", "2026-02", "--as-of", "2026-03-05", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ws = load((work / "out" / "2026-02-concept" / "report.xlsx").read_bytes())["Samenvatting"]
    rows = {r["Onderdeel"]: r for r in table(ws, "Onderdeel")}
    column = "Verwachting jaareinde 2026"
    expected = cents(rows["Saldo: bijdragen − kosten"][column])
    assert cents(rows["Verwacht resultaat van het jaar"][column]) == expected
    opening = rows["Egalisatiereserve begin van het jaar"]
    assert (cents(opening[column]), opening["Toelichting"]) == (
        80_000,
        "eindstand jaarafrekening 2025",
    )
    closing = reference.closing_reserve(80_000, expected, 80_000)
    absorbed = rows["Vangt de reserve op: toevoeging (+) of onttrekking (−)"]
    assert cents(absorbed[column]) == closing - 80_000
    assert cents(rows["Eindstand reserve"][column]) == closing
    assert cents(rows["Af te rekenen met de leden"][column]) == expected - (closing - 80_000)


@pytest.mark.slow
def test_a_close_records_the_reserve_its_forecast_opened_with_and_replays_with_it(
    closed_months: Path,
) -> None:
    record = json.loads(
        (closed_months / "out" / "archive" / "periods" / "2026-03.json").read_text()
    )
    assert record["opening_reserve"] == {"from": "rules", "cents": 50_000}
    result = fundcalc("replay", "--period", "2026-03", "--out", str(closed_months / "out"))
    assert result.exit_code == 0, result.output


def test_a_year_whose_first_months_can_no_longer_be_closed_says_so(tmp_path: Path) -> None:
    closed = tmp_path / "april"  # an archive that began with April
    shutil.copytree(DATA / "rules", closed / "rules")
    shutil.copytree(DATA / "inputs", closed / "inputs")
    assert close(closed, "2025-04").exit_code == 0
    result = settle(closed, 2025)
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: 2025 cannot be settled: 2025-01, 2025-02, 2025-03, 2025-05, 2025-06, 2025-07,"
        " 2025-08, 2025-09, 2025-10, 2025-11, 2025-12 are not closed, and 2025-01 can no longer"
        " be (months close in order; 2025-04 is closed): a year is settled in an archive that"
        " closed all its twelve months\n"
    )


@pytest.mark.slow
def test_a_settlement_record_naming_a_path_is_refused_by_replay(work: Path) -> None:
    assert settle(work, 2025).exit_code == 0
    path = work / "out" / "archive" / "years" / "2025.json"
    record = json.loads(path.read_text())
    record["rules"][0]["name"] = "../arrangement.toml"
    path.chmod(0o644)
    path.write_text(json.dumps(record))
    result = fundcalc("replay", "--year", "2025", "--out", str(work / "out"))
    assert result.exit_code == 1
    assert result.output.endswith(
        "rules names '../arrangement.toml', which holds a folder separator; the record has been"
        " changed\n"
    )


@pytest.mark.slow
def test_settle_says_who_joins_or_leaves_the_fund_by_the_key(work: Path) -> None:
    # Before: run, close, validate, explain and import said it; settle did not.
    toml = work / "rules" / "arrangement.toml"
    toml.write_text(
        toml.read_text() + '\n[[key]]\nvalid_from = 2027-01-01\nweights = { GM0001 = "1" }\n'
    )
    result = settle(work, 2025)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "notice: the key from 2027-01-01 (arrangement.toml key[2]) changes the members of the"
        " fund: left: GM0002 B"
    ]
