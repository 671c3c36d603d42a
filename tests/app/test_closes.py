"""Guard rails on closing: which month, as of which day; reopen; a closed folder is kept (issue 23).

The case is tests/closing_case.py: a fund lot F, members GM0001 and GM0002,
the rules of 2025.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from fundcalc.app.guards import close_notices
from fundcalc.archive.store import ARCHIVE, Archive
from fundcalc.base.period import Period
from fundcalc.inputs.log import read_log
from tests.closing_case import deliver, fundcalc, statement, write_case

P1 = {"placement_id": "P1", "client_id": "c1", "lot_id": "F", "start_date": "2025-01-10",
      "brp_municipality": "GM0001"}  # fmt: skip


def case(tmp_path: Path) -> Path:
    root = write_case(tmp_path)
    deliver(root, "2025-01.csv", {**P1, "recorded_on": "2025-01-12"})
    deliver(root, "2025-02.csv", {**P1, "end_date": "2025-02-20", "recorded_on": "2025-02-03"})
    deliver(root, "2025-03.csv", {**P1, "end_date": "2025-02-21", "recorded_on": "2025-03-02"})
    return root


def closed(root: Path) -> list[str]:
    return [str(c.period) for c in Archive(root / "outputs" / ARCHIVE).closed()]


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_month_that_has_not_ended_as_of_the_date_is_not_closed(tmp_path: Path) -> None:
    root = case(tmp_path)
    result = fundcalc(root, "close", "--period", "2025-02", "--as-of", "2025-02-20")
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: 2025-02 has not ended as of 2025-02-20: a month closes as of its first day"
        " after (2025-03-01) or later; give --as-of 2025-03-01 or later\n"
    )
    assert closed(root) == [] and not (root / "outputs" / "2025-02").exists()


def test_the_current_month_is_not_closed_with_the_default_as_of_date(tmp_path: Path) -> None:
    root = case(tmp_path)
    this_month = Period.of(date.today())
    result = fundcalc(root, "close", "--period", str(this_month))
    assert result.exit_code == 1
    assert f"{this_month} has not ended as of {date.today()}" in result.output
    assert closed(root) == []


def test_a_close_never_goes_back_before_an_earlier_close_as_of(tmp_path: Path) -> None:
    root = case(tmp_path)
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-03-05").exit_code == 0
    result = fundcalc(root, "close", "--period", "2025-02", "--as-of", "2025-03-01")
    assert result.exit_code == 1
    assert result.output == (
        "fundcalc: 2025-02 cannot be closed as of 2025-03-01: 2025-01 was closed as of"
        " 2025-03-05, and a close never goes back before an earlier close's as-of date\n"
    )
    assert closed(root) == ["2025-01"]


def test_a_close_as_of_a_day_after_today_is_allowed_and_warned(tmp_path: Path) -> None:
    root = case(tmp_path)
    rows = read_log(root / "inputs").rows
    said = close_notices(Period(2025, 1), date(2025, 2, 5), date(2025, 2, 1), rows)
    assert said.warnings == (
        "the as-of date 2025-02-05 is after today (2025-02-01): the close takes the log as it"
        " will be known then, and records that come in before 2025-02-05 are not in it",
    )
    # Twelve months closed as of the 5th of the next month, as the worked example does.
    for month in range(1, 13):
        period = Period(2025, month)
        as_of = f"{period.end.year}-{period.end.month:02d}-05"
        result = fundcalc(root, "close", "--period", str(period), "--as-of", as_of, "--quiet")
        assert result.exit_code == 0, result.output
    assert len(closed(root)) == 12


def test_a_close_warns_when_no_delivery_came_in_after_the_month(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    deliver(root, "2025-01.csv", {**P1, "recorded_on": "2025-01-12"})
    result = fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05", "--quiet")
    assert result.exit_code == 0
    assert result.output == (
        "WARNING: no delivery was recorded between the end of 2025-01 (2025-02-01) and"
        " 2025-02-05: the providers' data of 2025-01 may not be in yet\n"
    )


def test_reopen_withdraws_only_the_last_close_and_keeps_it(tmp_path: Path) -> None:
    root = case(tmp_path)
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    assert fundcalc(root, "close", "--period", "2025-02", "--as-of", "2025-03-01").exit_code == 0
    first = Archive(root / "outputs" / ARCHIVE).get(Period(2025, 2))

    earlier = fundcalc(root, "reopen", "--period", "2025-01", "--reason", "typo")
    assert earlier.exit_code == 1
    assert earlier.output == (
        "fundcalc: only the last closed month can be reopened: 2025-02 was closed after"
        " 2025-01 (reopen 2025-02 first)\n"
    )
    result = fundcalc(root, "reopen", "--period", "2025-02", "--reason", "closed too early")
    assert result.exit_code == 0, result.output
    assert closed(root) == ["2025-01"]
    archive = root / "outputs" / ARCHIVE
    note = json.loads((archive / "withdrawn" / "2025-02.1.json").read_text())
    assert note["reason"] == "closed too early" and note["record_sha256"] == first.record_sha256
    assert note["withdrawn_by"] and note["withdrawn_at"].startswith(str(date.today()))
    kept = archive / "objects" / first.record_sha256[:2] / first.record_sha256
    assert hashlib.sha256(kept.read_bytes()).hexdigest() == first.record_sha256

    history = fundcalc(root, "history").output.splitlines()
    assert history[2].startswith("2025-02  2025-03-01")
    assert history[3].strip().endswith(": closed too early")
    assert "WITHDRAWN on " in history[3]
    replayed = fundcalc(root, "replay", "--period", "2025-02")
    assert replayed.exit_code == 0, replayed.output
    assert "withdrawn on" in replayed.output.splitlines()[2]

    # Closed again, as of the later delivery: both closes replay identical.
    again = fundcalc(root, "close", "--period", "2025-02", "--as-of", "2025-03-05")
    assert again.exit_code == 0, again.output
    assert closed(root) == ["2025-01", "2025-02"]
    replayed = fundcalc(root, "replay", "--period", "2025-02")
    assert replayed.exit_code == 0, replayed.output
    lines = replayed.output.splitlines()
    heads = [line for line in lines if not line.startswith(" ") and " closed with " not in line]
    assert [("withdrawn" in h, h.split(":")[-1]) for h in heads] == [
        (True, " identical"),
        (False, " identical"),
    ]
    assert len(fundcalc(root, "history").output.splitlines()) == 5


def test_reopen_refuses_a_month_that_is_not_closed(tmp_path: Path) -> None:
    root = case(tmp_path)
    result = fundcalc(root, "reopen", "--period", "2025-01", "--reason", "x")
    assert result.exit_code == 1
    assert result.output.startswith("fundcalc: no month is closed in ")


def test_a_run_of_a_closed_month_writes_a_draft_beside_the_closed_outputs(tmp_path: Path) -> None:
    root = case(tmp_path)
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    before = digests(root / "outputs" / "2025-01")
    result = fundcalc(root, "run", "--period", "2025-01", "--as-of", "2024-01-15", "--quiet")
    assert result.exit_code == 0, result.output
    assert digests(root / "outputs" / "2025-01") == before
    assert statement(root, "2025-01-concept")[0] == ("GM0001", "contribution", "2025-01", 2_500)
    loud = fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05")
    assert (
        f"notice: 2025-01 is closed: {root / 'outputs' / '2025-01'} is its closed record and is"
        f" left as it is; this run is a draft in {root / 'outputs' / '2025-01-concept'}"
    ) in loud.output


def test_show_puts_a_closed_month_back_from_the_archive(tmp_path: Path) -> None:
    root = case(tmp_path)
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    folder = root / "outputs" / "2025-01"
    before = digests(folder)
    (folder / "report.xlsx").unlink()
    (folder / "statement.csv").write_text("period,payer,item,for_period,amount_cents\n")
    result = fundcalc(root, "show", "--period", "2025-01")
    assert result.exit_code == 0, result.output
    assert digests(folder) == before
    assert result.output.splitlines()[0] == (
        f"2025-01 (as of 2025-02-05, closed on {date.today()}): 5 files put back in {folder}"
        " from the archive"
    )
    missing = fundcalc(root, "show", "--period", "2025-02")
    assert missing.exit_code == 1 and "2025-02 is not closed" in missing.output
