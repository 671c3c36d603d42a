"""Replay: a closed month rebuilt from its archive alone, proved identical or not (§6)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from fundcalc.archive.record import running_software
from fundcalc.archive.store import ARCHIVE, Archive
from fundcalc.base.period import Period
from tests.closing_case import deliver, fundcalc, write_case
from tests.conftest import ROOT

P1 = {"placement_id": "P1", "client_id": "c1", "lot_id": "F", "start_date": "2025-01-10",
      "brp_municipality": "GM0001"}  # fmt: skip


def closed_case(tmp_path: Path) -> Path:
    """January and February closed, with a late record in between."""
    root = write_case(tmp_path)
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    deliver(root, "2025-03.csv", {**P1, "end_date": "2025-02-20", "recorded_on": "2025-03-01"})
    assert fundcalc(root, "close", "--period", "2025-02", "--as-of", "2025-03-05").exit_code == 0
    return root


def test_replay_proves_every_output_identical(tmp_path: Path) -> None:
    root = closed_case(tmp_path)
    result = fundcalc(root, "replay", "--period", "2025-02")
    assert result.exit_code == 0, result.output
    software = running_software().describe()
    record = Archive(root / "outputs" / ARCHIVE).get(Period(2025, 2))
    assert result.output.splitlines() == [
        f"2025-02 closed with {software}",
        f"        replayed with {software}",
        f"2025-02 (as of 2025-03-05, closed on {record.closed_on}, seal {record.seal}): identical",
        "  exceptions.csv  identical",
        "  ledger.parquet  identical",
        "  manifest.json  identical",
        "  report.xlsx  identical",
        "  statement.csv  identical",
    ]


def test_replay_needs_only_the_archive_after_rules_and_inputs_change(tmp_path: Path) -> None:
    root = closed_case(tmp_path)
    shutil.rmtree(root / "inputs")
    toml = root / "rules" / "arrangement.toml"
    toml.write_text(toml.read_text().replace('"100.00"', '"999.99"'))
    (root / "rules" / "municipalities.csv").unlink()
    for period in ("2025-01", "2025-02"):
        result = fundcalc(root, "replay", "--period", period)
        assert result.exit_code == 0, result.output


def test_a_tampered_archive_file_makes_replay_fail(tmp_path: Path) -> None:
    root = closed_case(tmp_path)
    record = Archive(root / "outputs" / ARCHIVE).get(Period(2025, 1))
    log = record.inputs[0]
    path = root / "outputs" / ARCHIVE / "objects" / log.sha256[:2] / log.sha256
    path.write_bytes(path.read_bytes().replace(b"GM0001", b"GM0002"))
    result = fundcalc(root, "replay", "--period", "2025-02")
    assert result.exit_code == 1
    assert result.output == (
        f"fundcalc: archive: 2025-02.csv ({path}) has been changed: its SHA-256 no longer matches\n"
    )


def test_a_changed_archived_output_is_reported_as_different(tmp_path: Path) -> None:
    root = closed_case(tmp_path)
    archive = root / "outputs" / ARCHIVE
    record_path = archive / "periods" / "2025-02.json"
    record = Archive(archive).get(Period(2025, 2))
    # A forger who edits the statement and its hash in the record is still caught by replay.
    statement = record.output("statement.csv")
    forged = (
        Archive(archive)
        .read(statement)
        .replace(b",GM0001,origin,2025-02,", b",GM0001,origin,2025-02,1")
    )
    digest = hashlib.sha256(forged).hexdigest()
    (archive / "objects" / digest[:2]).mkdir(exist_ok=True)
    (archive / "objects" / digest[:2] / digest).write_bytes(forged)
    raw = json.loads(record_path.read_text())
    raw["outputs"] = [
        {"name": f["name"], "sha256": digest, "size": len(forged)}
        if f["name"] == "statement.csv"
        else f
        for f in raw["outputs"]
    ]
    record_path.write_text(json.dumps(raw))
    result = fundcalc(root, "replay", "--period", "2025-02")
    assert result.exit_code == 1
    assert "  statement.csv: differs" in result.output.splitlines()


def test_a_replay_of_a_month_that_is_not_closed_is_an_error(tmp_path: Path) -> None:
    root = closed_case(tmp_path)
    result = fundcalc(root, "replay", "--period", "2025-03")
    assert result.exit_code == 1
    assert result.output.startswith("fundcalc: 2025-03 is not closed")


def test_a_second_close_at_the_same_time_is_refused(tmp_path: Path) -> None:
    root = closed_case(tmp_path)
    with Archive(root / "outputs" / ARCHIVE).lock():
        result = fundcalc(root, "close", "--period", "2025-03", "--as-of", "2025-04-05")
    assert result.exit_code == 1
    assert result.output.startswith("fundcalc: another close is running (pid ")
    assert [c.period for c in Archive(root / "outputs" / ARCHIVE).closed()] == [
        Period(2025, 1),
        Period(2025, 2),
    ]


def test_a_close_killed_at_any_moment_leaves_the_archive_before_or_closed(
    tmp_path: Path,
) -> None:
    root = closed_case(tmp_path)
    deliver(root, "2025-04.csv", {**P1, "end_date": "2025-02-10", "recorded_on": "2025-04-01"})
    command = [
        sys.executable, "-m", "fundcalc", "close", "--period", "2025-03", "--as-of", "2025-04-05",
        "--rules", str(root / "rules"), "--inputs", str(root / "inputs"),
        "--out", str(root / "outputs"), "--quiet",
    ]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    chance = random.Random(20_261_123)
    archive = Archive(root / "outputs" / ARCHIVE)
    outcomes = set()
    for _ in range(8):
        process = subprocess.Popen(command, env=environment)
        time.sleep(chance.uniform(0.0, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        closed = [c.period for c in archive.closed()]
        assert closed in ([Period(2025, 1), Period(2025, 2)], [Period(2025, i) for i in (1, 2, 3)])
        outcomes.add(len(closed))
        if len(closed) == 3:
            break
    if Period(2025, 3) not in [c.period for c in archive.closed()]:
        finished = subprocess.run(command, env=environment, check=False)
        assert finished.returncode == 0
    for period in ("2025-01", "2025-02", "2025-03"):
        assert fundcalc(root, "replay", "--period", period).exit_code == 0, period
    assert outcomes  # at least one kill happened
