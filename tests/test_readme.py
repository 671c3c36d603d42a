"""The README's examples are what fundcalc does: every command in it runs here.

The README is read top to bottom, as a new user would follow it, on a copy of
the shipped sample (`rules/`, `inputs/`, `examples/`):

* every line of a ```sh block that starts with `fundcalc` runs in-process (with
  `--as-of 2026-11-23` added where the command takes one and the line has
  none), and `python -m fundcalc …` runs as a process; it must exit 0, or the
  code its comment names (`# exit 1: …`);
* a ```text block is the output of the command before it: its lines, spaces
  aside, appear in that order in what the command printed (`…` stands for
  lines left out; without one the output is exactly those lines);
* a ```diff block is applied to the copy, as the reader would edit the file (from
  `--- /dev/null`: the reader makes the new file);
* every other line of a ```sh block must start with a setup or inspection
  command of the machine (`make`, `pip`, `sha256sum`, …), listed below.

A command whose subcommand the CLI does not have (yet) is skipped, as is the
output after it; `main.commands` says which exist, so a merged branch that
adds them is covered at once.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fundcalc.cli import main
from tests.conftest import ROOT

README = ROOT / "README.md"
AS_OF = "2026-11-23"
#: Commands of the machine, not of fundcalc: shown to set up or inspect, not run here.
MACHINE = ("make", "pip", "py", "source", "git", "sha256sum", "certutil", "printf")
_FENCE = re.compile(r"^ *```(\w*)\n(.*?)^ *```\n", re.S | re.M)
_EXIT = re.compile(r"#\s*exit (\d+)")
ELLIPSIS = "…"


@dataclass(frozen=True)
class Step:
    """A command, an expected output or a diff of the README, with its line there."""

    kind: str  # "command", "output" or "diff"
    text: str
    line: int


def readme_steps(text: str) -> list[Step]:
    """The README's shell commands, outputs and diffs, in the order they appear."""
    steps = []
    for fence in _FENCE.finditer(text):
        language, body = fence.group(1), fence.group(2)
        first = text.count("\n", 0, fence.start(2)) + 1
        if language == "sh":
            for offset, line in enumerate(body.splitlines()):
                if line.strip() and not line.lstrip().startswith("#"):
                    steps.append(Step("command", line.strip(), first + offset))
        elif language == "text":
            steps.append(Step("output", body, first))
        elif language == "diff":
            steps.append(Step("diff", body, first))
    return steps


def fundcalc_args(command: str) -> list[str] | None:
    """The arguments of a fundcalc command line (None for a command of the machine)."""
    words = shlex.split(command, comments=True)
    if words[0] == "fundcalc":
        return words[1:]
    if words[:3] == ["python", "-m", "fundcalc"]:
        return words[3:]
    assert words[0] in MACHINE, f"README: `{command}` is neither fundcalc nor in MACHINE"
    return None


def subcommand(args: list[str]) -> str | None:
    """The subcommand a command line names, if any (the group's options come first)."""
    return next((a for a in args if not a.startswith("-")), None)


def with_as_of(args: list[str]) -> list[str]:
    """The arguments with the fixed as-of date where the command takes one and lacks it."""
    name = subcommand(args)
    if name is None or "--as-of" in args:
        return args
    options = {o for p in main.commands[name].params for o in p.opts}
    return [*args, "--as-of", AS_OF] if "--as-of" in options else args


def expected_exit(command: str) -> int:
    found = _EXIT.search(command)
    return int(found.group(1)) if found else 0


def apply_diff(folder: Path, diff: str) -> None:
    """Apply a unified diff (the README's, one file) by its context, as a person would."""
    target = folder / next(
        line[len("+++ b/") :] for line in diff.splitlines() if line.startswith("+++ b/")
    )
    if any(line == "--- /dev/null" for line in diff.splitlines()):  # a new file
        target.parent.mkdir(parents=True, exist_ok=True)
        hunk = re.split(r"^@@.*@@$", diff, flags=re.M)[1]
        added = [raw[1:] for raw in hunk.strip("\n").splitlines() if raw.startswith("+")]
        target.write_text("\n".join(added) + "\n")
        return
    lines = target.read_text().splitlines()
    for hunk in re.split(r"^@@.*@@$", diff, flags=re.M)[1:]:
        old: list[str] = []
        new: list[str] = []
        for raw in hunk.strip("\n").splitlines():
            mark, rest = (raw[:1], raw[1:]) if raw else (" ", "")
            if mark in " -":
                old.append(rest)
            if mark in " +":
                new.append(rest)
        at = [i for i in range(len(lines)) if lines[i : i + len(old)] == old]
        assert len(at) == 1, f"{target.name}: the diff's context is found {len(at)} times"
        lines[at[0] : at[0] + len(old)] = new
    target.write_text("\n".join(lines) + "\n")


def squeezed(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def check_output(shown: str, printed: str, where: str) -> None:
    """The README's output lines appear in order in what was printed; all of it without `…`."""
    expected = [line for line in squeezed(shown) if line != ELLIPSIS]
    actual = squeezed(printed)
    if ELLIPSIS not in squeezed(shown):
        assert actual == expected, where
        return
    position = 0
    for line in expected:
        assert line in actual[position:], f"{where}: `{line}` not in the output (in order)"
        position = actual.index(line, position) + 1


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


STEPS = readme_steps(README.read_text(encoding="utf-8"))
COMMANDS = [s for s in STEPS if s.kind == "command" and fundcalc_args(s.text) is not None]


def test_the_readme_shows_commands_outputs_and_diffs() -> None:
    kinds = {s.kind for s in STEPS}
    assert kinds == {"command", "output", "diff"}
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("step", COMMANDS, ids=[f"line {s.line}" for s in COMMANDS])
def test_each_readme_command_is_a_command_line_fundcalc_accepts(step: Step) -> None:
    args = fundcalc_args(step.text)
    assert args is not None
    name = subcommand(args)
    if name is not None and name not in main.commands:
        pytest.skip(f"fundcalc {name} is not part of this build")
    try:
        with click.Context(main, info_name="fundcalc") as parent:
            if name is None:
                main.make_context("fundcalc", args)
            else:
                options = args[args.index(name) + 1 :]
                main.commands[name].make_context(name, options, parent=parent)
    except click.exceptions.Exit as done:  # --help, --version
        assert done.exit_code == 0


@pytest.mark.slow
def test_a_new_user_can_follow_the_readme_on_a_copy_of_the_sample(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for folder in ("rules", "inputs", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    printed: str | None = None
    ran = 0
    for step in STEPS:
        where = f"README.md:{step.line}"
        if step.kind == "diff":
            apply_diff(tmp_path, step.text)
            continue
        if step.kind == "output":
            if printed is not None:
                check_output(step.text, printed, where)
            continue
        args = fundcalc_args(step.text)
        if args is None:
            continue
        name = subcommand(args)
        if name is not None and name not in main.commands:
            printed = None  # not built yet: neither it nor its output is checked
            continue
        if step.text.startswith("python"):
            process = subprocess.run(
                [sys.executable, "-m", "fundcalc", *with_as_of(args)],
                capture_output=True,
                text=True,
                check=False,
            )
            code, printed = process.returncode, process.stdout + process.stderr
        else:
            result = CliRunner().invoke(main, with_as_of(args), prog_name="fundcalc")
            code, printed = result.exit_code, result.output
        assert code == expected_exit(step.text), f"{where}: {step.text}\n{printed}"
        ran += 1
    assert ran >= 10
    # The README's claim for auditors: the month run again elsewhere is the same bytes, but for
    # the workbook (and the manifest hashing it), which says Definitief where the run says Concept.
    again, closed = (digests(tmp_path / out / "2026-10") for out in ("check", "outputs"))
    data = ("exceptions.csv", "ledger.parquet", "statement.csv")
    assert {n: again[n] for n in data} == {n: closed[n] for n in data}
    assert again["report.xlsx"] != closed["report.xlsx"]
