"""Shared fixtures: the spec's worked example and small builders of rules and logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from fundcalc.runs import load_inputs, run_period
from tests.synthetic import AS_OF, PERIOD, Sample, write_hostile, write_sample

ROOT = Path(__file__).resolve().parent.parent
#: The worked example of the spec; a copy lives in the repo so CI does not need ../shared.
EXAMPLE = ROOT / "tests" / "data" / "january-2025"


@pytest.fixture
def example() -> Path:
    return EXAMPLE


def _run(folder: Path, rules: Path, inputs: Path) -> Sample:
    loaded = load_inputs(rules, inputs)
    return Sample(loaded, run_period(loaded, folder / "outputs", PERIOD, AS_OF))


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """October 2026 of the synthetic sample, as of 23 November, written to disk."""
    folder = tmp_path_factory.mktemp("sample")
    return _run(folder, *write_sample(folder))


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    """October 2026 of the log built to break privacy and injection rules."""
    folder = tmp_path_factory.mktemp("hostile")
    return _run(folder, *write_hostile(folder))
