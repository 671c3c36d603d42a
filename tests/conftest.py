"""Shared fixtures: the spec's worked example and small builders of rules and logs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from fundcalc.app.load import load_inputs
from fundcalc.app.run import run_period
from tests.synthetic import AS_OF, PERIOD, Sample, write_hostile, write_sample

# Property tests: `ci` is thorough (`make test`, CI), `dev` quick (`make check`).
settings.register_profile("ci", max_examples=200)
settings.register_profile("dev", max_examples=25)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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
