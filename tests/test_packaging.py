"""Packaging: `pip install .` gives the `fundcalc` command, `python -m fundcalc` works,
and `fundcalc --help` imports none of the heavy modules (it stays fast)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fundcalc import __version__
from tests.conftest import ROOT

HEAVY = ("polars", "openpyxl", "rich", "pydantic", "fastexcel")


def python(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_python_m_fundcalc_is_the_command_line(tmp_path: Path) -> None:
    result = python("-m", "fundcalc", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: python -m fundcalc [OPTIONS] COMMAND [ARGS]...")
    usage = python("-m", "fundcalc", "run", "--period", "2025-13", cwd=tmp_path)
    assert usage.returncode == 2
    assert usage.stderr.splitlines()[0] == (
        "fundcalc: Invalid value for '--period': 2025-13 is not a month"
    )


def test_help_imports_no_heavy_module() -> None:
    script = (
        "import sys\n"
        "from fundcalc.cli import main\n"
        "for args in (['--help'], *([name, '--help'] for name in main.commands)):\n"
        "    main.main(args, prog_name='fundcalc', standalone_mode=False)\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = python("-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == ""


@pytest.mark.slow
def test_the_wheel_installs_the_fundcalc_command(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, project / name)
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("*.egg-info"))
    built = python("-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path / "dist"),
                   str(project))  # fmt: skip
    assert built.returncode == 0, built.stderr
    # The version has one place, fundcalc.__version__: the wheel's metadata takes it from there.
    [wheel] = (tmp_path / "dist").glob(f"fundcalc-{__version__}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = archive.read(entry_points).decode()
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        assert f"\nVersion: {__version__}\n" in archive.read(metadata).decode()
        assert any(n.endswith("/LICENSE") for n in names)
    assert "[console_scripts]\nfundcalc = fundcalc.cli:entry\n" in scripts
    modules = {f"fundcalc/{p.name}" for p in (ROOT / "src" / "fundcalc").glob("*.py")}
    assert modules | {"fundcalc/py.typed"} <= names
    assert "fundcalc/__main__.py" in names
