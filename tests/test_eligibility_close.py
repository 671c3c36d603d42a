"""§11 end to end: a verdict that arrives after a month was closed, booked to the cent.

The closing case (`tests.closing_case`): members GM0001 (weight 1) and GM0002
(weight 3), fund lot F at € 100.00 a day and € 10.00 availability, origin
share 0.5. The verdicts go in `inputs/eligibility/`; what is settled is
checked against the day-by-day oracle with the same verdicts.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests import oracle
from tests.closing_case import corrections, deliver, fundcalc, scenario, statement, write_case

STAY = {
    "placement_id": "P1",
    "client_id": "c1",
    "lot_id": "F",
    "start_date": "2025-01-11",
    "brp_municipality": "GM0001",
    "recorded_on": "2025-02-01",
}
OTHER = {**STAY, "placement_id": "P2", "client_id": "c2", "brp_municipality": "GM0002"}
HEADER = "placement_id,eligible,decided_on,reference\n"


def _verdicts(root: Path, name: str, *lines: str) -> list[dict[str, str]]:
    folder = root / "inputs" / "eligibility"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(HEADER + "".join(f"{line}\n" for line in lines))
    rows = []
    for path in sorted(folder.glob("*.csv")):
        for line in path.read_text().splitlines()[1:]:
            pid, eligible, decided_on, reference = line.split(",")
            rows.append(
                {
                    "placement_id": pid,
                    "eligible": eligible,
                    "decided_on": decided_on,
                    "reference": reference,
                }
            )
    return rows


def _oracle(month: int, as_of: date, verdicts: list[dict[str, str]]) -> dict[tuple[str, str], int]:
    case = scenario()
    case.rows = [STAY, OTHER]
    return oracle.calculate(case, 2025, month, as_of, verdicts).statement


def _own(root: Path, period: str) -> dict[tuple[str, str], int]:
    return {
        (payer, item): amount
        for payer, item, q, amount in statement(root, period)
        if q == period and amount
    }


def test_a_verdict_after_the_close_books_the_difference_as_corrections_to_the_cent(
    tmp_path: Path,
) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", STAY, OTHER)
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    assert _own(root, "2025-01") == _oracle(1, date(2025, 2, 5), [])
    verdicts = _verdicts(root, "toetsing.csv", "P1,nee,2025-02-20,TC-1")
    assert fundcalc(root, "close", "--period", "2025-02", "--as-of", "2025-03-03").exit_code == 0
    before = _oracle(1, date(2025, 2, 5), [])
    after = _oracle(1, date(2025, 3, 3), verdicts)
    expected = {
        key: after.get(key, 0) - before.get(key, 0)
        for key in set(before) | set(after)
        if after.get(key, 0) != before.get(key, 0)
    }
    booked = {(payer, item): amount for payer, item, q, amount in corrections(root, "2025-02")}
    assert {q for _, _, q, _ in corrections(root, "2025-02")} == {"2025-01"}
    assert booked == expected
    # P1's 21 days of January (€ 2,100.00) leave the fund for GM0001's direct charges.
    assert booked[("GM0001", "municipal")] == 210_000
    assert booked[("GM0001", "origin")] == -105_000
    assert booked[("GM0001", "key")] + booked[("GM0002", "key")] == -105_000
    assert _own(root, "2025-02") == _oracle(2, date(2025, 3, 3), verdicts)


def test_a_verdict_decided_after_the_as_of_date_changes_nothing(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", STAY, OTHER)
    assert fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    without = (root / "outputs" / "2025-01" / "statement.csv").read_bytes()
    _verdicts(root, "toetsing.csv", "P1,nee,2025-02-06,TC-1")
    assert fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    assert (root / "outputs" / "2025-01" / "statement.csv").read_bytes() == without


def test_a_later_verdict_replaces_an_earlier_one(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", STAY, OTHER)
    _verdicts(root, "a.csv", "P1,nee,2025-02-01,TC-1")
    verdicts = _verdicts(root, "b.csv", "P1,ja,2025-02-03,TC-1 bezwaar")
    assert fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-02").exit_code == 0
    assert ("GM0001", "municipal") in _own(root, "2025-01")
    assert fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    assert ("GM0001", "municipal") not in _own(root, "2025-01")
    assert _own(root, "2025-01") == _oracle(1, date(2025, 2, 5), verdicts)


def test_verdict_files_are_inputs_hashed_archived_and_replayed(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", STAY, OTHER)
    _verdicts(root, "toetsing.csv", "P1,nee,2025-02-01,TC-1", "P2,misschien,2025-02-01,TC-2")
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    manifest = json.loads((root / "outputs" / "2025-01" / "manifest.json").read_text())
    assert [f["file"] for f in manifest["eligibility"]] == ["toetsing.csv"]
    exceptions = (root / "outputs" / "2025-01" / "exceptions.csv").read_text()
    assert "eligible 'misschien' is not ja/nee, true/false or 1/0" in exceptions
    record = json.loads((root / "outputs" / "archive" / "periods" / "2025-01.json").read_text())
    assert [f["name"] for f in record["eligibility"]] == ["toetsing.csv"]
    # The verdicts change after the close: the replay uses the archived ones.
    (root / "inputs" / "eligibility" / "toetsing.csv").unlink()
    replayed = fundcalc(root, "replay", "--period", "2025-01")
    assert replayed.exit_code == 0, replayed.output
    assert "identical" in replayed.output


def test_a_verdict_for_a_month_beyond_the_lookback_is_too_late_to_correct(
    tmp_path: Path,
) -> None:
    root = write_case(tmp_path, lookback=1)
    deliver(root, "2025-02.csv", STAY, OTHER)
    for period, as_of in (("2025-01", "2025-02-05"), ("2025-02", "2025-03-05")):
        assert fundcalc(root, "close", "--period", period, "--as-of", as_of).exit_code == 0
    verdicts = _verdicts(root, "toetsing.csv", "P1,nee,2025-03-10,TC-1")
    assert fundcalc(root, "close", "--period", "2025-03", "--as-of", "2025-04-05").exit_code == 0
    # February is within one month of March and corrected; January is settled for good.
    assert {q for _, _, q, _ in corrections(root, "2025-03")} == {"2025-02"}
    booked = {(p, i): a for p, i, q, a in corrections(root, "2025-03")}
    before = _oracle(2, date(2025, 3, 5), [])
    after = _oracle(2, date(2025, 4, 5), verdicts)
    assert booked == {
        k: after.get(k, 0) - before.get(k, 0)
        for k in set(before) | set(after)
        if after.get(k, 0) != before.get(k, 0)
    }
    exceptions = (root / "outputs" / "2025-03" / "exceptions.csv").read_text("utf-8-sig")
    assert (
        "exception;eligibility/toetsing.csv;2;P1;too late to correct: the verdict decided on"
        " 2025-03-10 changes 2025-01, closed as of 2025-02-05 and beyond the 1-month lookback;"
    ) in exceptions.splitlines()
    assert "changes 2025-02" not in exceptions
