"""A close killed (kill -9) at a chosen moment leaves the archive before or closed, the
outputs repairable, and the next command cleans what the killed one left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fundcalc.archive.store import ARCHIVE, Archive
from fundcalc.base.period import Period
from tests.closing_case import deliver, fundcalc, write_case
from tests.conftest import ROOT

P1 = {"placement_id": "P1", "client_id": "c1", "lot_id": "F", "start_date": "2025-01-10",
      "brp_municipality": "GM0001"}  # fmt: skip

#: Runs `fundcalc close …` in a process that kills itself (SIGKILL: nothing runs after it)
#: at the moment named by its first argument.
KILLER = """
import os, shutil, signal, sys
from pathlib import Path
import fundcalc.app.files as files
moment = sys.argv.pop(1)

def die():
    os.kill(os.getpid(), signal.SIGKILL)

real_replace, real_rename = os.replace, Path.rename
real_fill, real_rmtree = files.fill, shutil.rmtree

def replace(source, target, *args, **kwargs):
    objects, records = "/objects/" in str(target), "/periods/" in str(target)
    if moment == "temporary object written" and objects:
        die()
    real_replace(source, target, *args, **kwargs)
    if (moment == "object renamed" and objects) or (moment == "record renamed" and records):
        die()

def fill(staging, contents):
    real_fill(staging, contents)
    if moment == "staging folder present":
        die()

def rename(self, target):
    moved = real_rename(self, target)
    if moment == "old folder retired" and ".old-" in str(target):
        die()
    return moved

def rmtree(path, *args, **kwargs):
    if moment == "folders swapped" and ".old-" in str(path):
        die()
    return real_rmtree(path, *args, **kwargs)

os.replace, files.fill, Path.rename, shutil.rmtree = replace, fill, rename, rmtree
from fundcalc.cli import main
main(prog_name="fundcalc")
"""

BEFORE, CLOSED_TO_REPAIR, CLOSED = "before", "closed, outputs to put back", "closed"
#: moment: the state a kill then leaves.
MOMENTS = {
    "temporary object written": BEFORE,
    "object renamed": BEFORE,
    "staging folder present": BEFORE,
    "record renamed": CLOSED_TO_REPAIR,
    "old folder retired": CLOSED_TO_REPAIR,
    "folders swapped": CLOSED,
}


def killed_close(root: Path, moment: str) -> int:
    command = [
        sys.executable, "-c", KILLER, moment, "close", "--period", "2025-02",
        "--as-of", "2025-03-05", "--rules", str(root / "rules"),
        "--inputs", str(root / "inputs"), "--out", str(root / "outputs"), "--quiet",
    ]  # fmt: skip
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.run(command, env=environment, check=False, capture_output=True).returncode


def leftovers(outputs: Path) -> list[str]:
    """Temporary files and folders of a write that did not finish."""
    found = [p for p in outputs.iterdir() if p.name.startswith((".2025-", ".2026-"))]
    found += [p for p in (outputs / ARCHIVE).rglob(".*") if p.is_file()]
    return sorted(str(p.relative_to(outputs)) for p in found)


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_close_killed_at_a_chosen_moment_is_before_or_closed_and_repairable(
    tmp_path: Path, moment: str
) -> None:
    root = write_case(tmp_path / "case")
    outputs = root / "outputs"
    deliver(root, "2025-02.csv", {**P1, "recorded_on": "2025-02-01"})
    assert fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05").exit_code == 0
    deliver(root, "2025-03.csv", {**P1, "end_date": "2025-02-20", "recorded_on": "2025-03-01"})
    # A draft run of February first, so that the close swaps folders.
    draft = fundcalc(root, "run", "--period", "2025-02", "--as-of", "2025-03-04", "--quiet")
    assert draft.exit_code == 0
    before = (outputs / "2025-02" / "manifest.json").read_bytes()

    assert killed_close(root, moment) == -9
    archive = Archive(outputs / ARCHIVE)
    closed = [c.period for c in archive.closed()]
    state = MOMENTS[moment]
    assert closed == [Period(2025, 1), *([Period(2025, 2)] if state != BEFORE else [])]
    assert leftovers(outputs)  # the kill left something behind
    history = fundcalc(root, "history")
    assert history.exit_code == 0
    if state == CLOSED:
        assert "WARNING" not in history.output
    elif state == CLOSED_TO_REPAIR:
        # Closed, but the folder is not what the close wrote: history says how to repair.
        assert (
            f"WARNING: {outputs / '2025-02'} does not hold what the close of 2025-02 wrote"
            in history.output
        )
        assert "put it back with 'fundcalc show --period 2025-02'" in history.output
        assert fundcalc(root, "show", "--period", "2025-02").exit_code == 0
        assert "WARNING" not in fundcalc(root, "history").output
    else:
        # Not closed: the folder is the draft of before, and the close runs again.
        assert (outputs / "2025-02" / "manifest.json").read_bytes() == before
        again = fundcalc(root, "close", "--period", "2025-02", "--as-of", "2025-03-05")
        assert again.exit_code == 0, again.output
    # The next close cleans what the killed one left, and every month replays.
    deliver(root, "2025-04.csv", {**P1, "end_date": "2025-02-10", "recorded_on": "2025-04-01"})
    after = fundcalc(root, "close", "--period", "2025-03", "--as-of", "2025-04-05", "--quiet")
    assert after.exit_code == 0, after.output
    assert leftovers(outputs) == []
    for period in ("2025-01", "2025-02", "2025-03"):
        assert fundcalc(root, "replay", "--period", period).exit_code == 0, period
