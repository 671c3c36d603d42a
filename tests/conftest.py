"""Shared fixtures: the spec's worked example and small builders of rules and logs."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: The worked example of the spec; a copy lives in the repo so CI does not need ../shared.
EXAMPLE = ROOT / "tests" / "data" / "january-2025"


@pytest.fixture
def example() -> Path:
    return EXAMPLE
