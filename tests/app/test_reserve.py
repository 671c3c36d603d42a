"""The reserve a year opens with (§9): the closing reserve of the year settled before it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from fundcalc.app.reserve import opening_reserve
from fundcalc.archive.store import ARCHIVE, Archive
from fundcalc.core.settlement import OpeningReserve
from fundcalc.inputs.rulescache import load_rules
from tests.conftest import ROOT

SETTLED = ROOT / "tests" / "data" / "archive-settled-format-1"  # 2025 settled
RULES = ROOT / "tests" / "data" / "year-settlement" / "rules"  # [fund] opening_reserve 500.00


def test_a_year_after_a_settled_one_opens_with_its_closing_reserve(tmp_path: Path) -> None:
    shutil.copytree(SETTLED, tmp_path / ARCHIVE)
    record = (tmp_path / ARCHIVE / "years" / "2025.json").read_bytes()
    opening = opening_reserve(Archive(tmp_path / ARCHIVE), load_rules(RULES), 2026)
    # expected-settlement-2025.csv: 2025,FUND,closing_reserve,80000
    assert opening == OpeningReserve(80_000, 2025, hashlib.sha256(record).hexdigest())


def test_a_year_with_no_settled_year_before_it_opens_with_the_rules_reserve(
    tmp_path: Path,
) -> None:
    shutil.copytree(SETTLED, tmp_path / ARCHIVE)
    rules = load_rules(RULES)
    assert opening_reserve(Archive(tmp_path / ARCHIVE), rules, 2025) == OpeningReserve(50_000)
    assert opening_reserve(Archive(tmp_path / "empty"), rules, 2026) == OpeningReserve(50_000)
