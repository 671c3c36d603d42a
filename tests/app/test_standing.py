"""What a run says about its dates, and what its workbook says it is (issue 23, items 3 and 5).

Concept (not closed), Definitief (closed, with the close date) or Prognose
(the month not over as of D): in every sheet's title, the summary and the
document properties. The case is tests/closing_case.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.closing_case import deliver, fundcalc, write_case
from tests.readback import find_row, load

P1 = {"placement_id": "P1", "client_id": "c1", "lot_id": "F", "start_date": "2025-01-10",
      "brp_municipality": "GM0001"}  # fmt: skip


def case(tmp_path: Path) -> Path:
    root = write_case(tmp_path)
    deliver(root, "2025-01.csv", {**P1, "recorded_on": "2025-01-12"})
    deliver(root, "2025-02.csv", {**P1, "end_date": "2025-02-20", "recorded_on": "2025-02-03"})
    return root


def workbook_says(root: Path, folder: str) -> tuple[set[str], str, str, str]:
    """(the endings of the sheets' titles, the summary's status, its closed months, keywords)."""
    wb = load((root / "outputs" / folder / "report.xlsx").read_bytes())
    endings = {ws["A1"].value.rsplit(" — ", 1)[1] for ws in wb.worksheets}
    summary = wb["Samenvatting"]
    status = summary.cell(find_row(summary, "Status van deze maand"), 2).value
    closed = summary.cell(find_row(summary, "Afgesloten maanden 2025"), 2).value
    return endings, status, closed, wb.properties.keywords


def test_a_run_before_the_month_has_ended_is_a_forecast_said_on_screen_and_in_the_workbook(
    tmp_path: Path,
) -> None:
    root = case(tmp_path)
    result = fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-01-20")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        "notice: 2025-01 has not ended as of 2025-01-20: this is a forecast (Prognose);"
        " open stays count every day to the end of the month"
    )
    assert workbook_says(root, "2025-01") == ({"Prognose"}, "Prognose", "geen", "Prognose, 2025-01")


def test_a_run_after_the_month_is_a_concept_and_a_close_is_definitief_with_its_date(
    tmp_path: Path,
) -> None:
    root = case(tmp_path)
    run = fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05")
    assert "notice:" not in run.output and "WARNING" not in run.output
    assert workbook_says(root, "2025-01") == ({"Concept"}, "Concept", "geen", "Concept, 2025-01")
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    label = f"Definitief, afgesloten op {date.today():%d-%m-%Y}"
    assert workbook_says(root, "2025-01") == ({label}, label, "jan", "Definitief, 2025-01")
    assert fundcalc(root, "replay", "--period", "2025-01").exit_code == 0
    # The next month's draft says which months of the year are closed.
    assert fundcalc(root, "run", "--period", "2025-02", "--as-of", "2025-03-05").exit_code == 0
    assert workbook_says(root, "2025-02") == ({"Concept"}, "Concept", "jan", "Concept, 2025-02")


def test_an_as_of_date_far_before_the_month_is_warned_with_the_dates(tmp_path: Path) -> None:
    root = case(tmp_path)
    result = fundcalc(root, "run", "--period", "2025-01", "--as-of", "2024-12-15", "--quiet")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "WARNING: the as-of date 2024-12-15 is before 2025-01 starts (2025-01-01):"
        " nothing of 2025-01 can be known yet",
        "WARNING: 2025-01 has no placements at all as of 2024-12-15: check --period and --as-of",
    ]
    far = fundcalc(root, "run", "--period", "2025-12", "--as-of", "2024-12-01", "--quiet")
    assert far.output.splitlines()[0] == (
        "WARNING: the as-of date 2024-12-01 is more than a year before 2025-12 ends"
        " (2025-12-31): check --as-of"
    )


def test_an_empty_log_is_warned(tmp_path: Path) -> None:
    root = write_case(tmp_path)
    result = fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05", "--quiet")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "WARNING: the log is empty: no placement rows were read (inputs/placements/)"
    ]
