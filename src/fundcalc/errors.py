"""The exceptions of fundcalc, in one tree.

Problems in the *data* (a placement row that cannot be used) are never raised:
they are values, collected as findings and reported with file, line and reason.
What is raised is a problem that stops the run before anything is written:

    FundcalcError                 exit code 2 unless said otherwise
    ├── RulesError                the arrangement's rules are wrong (file, key, problem)
    ├── UsageError                the command is wrong (an option, a period, a path)
    ├── InputError                an input file cannot be read at all (not one of its rows)
    ├── OutputError               an output cannot be written; the previous output is intact
    └── ArchiveError              closing, corrections or replay cannot go on

The CLI turns each into one clear line and an exit code, never a traceback.
"""

from __future__ import annotations

from pathlib import Path


class FundcalcError(Exception):
    """Base of every error fundcalc raises on purpose."""

    exit_code = 2


class RulesError(FundcalcError):
    """An error in `rules/`: names the file, the key or line, and the problem."""

    exit_code = 1

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        location = f"{file}: {where}" if where else file
        super().__init__(f"{location}: {problem}")


class UsageError(FundcalcError):
    """The command line asks for something that cannot be done."""


def not_in_project(what: str, path: Path, option: str) -> UsageError:
    """The rules or the log are not where fundcalc looked (`path`, said in full): the
    command was started outside the project folder, or `option` points elsewhere."""
    return UsageError(
        f"{what}: looked for {path.absolute()}, which does not exist; run fundcalc in the"
        f" project folder (the one that holds rules/ and inputs/), or give {option}"
    )


class InputError(FundcalcError):
    """An input file as a whole cannot be read (not a single bad row: those are findings)."""

    exit_code = 1


class OutputError(FundcalcError):
    """An output cannot be written; what was there before is left intact."""

    exit_code = 1


class ArchiveError(FundcalcError):
    """Closing, corrections or replay cannot go on (archive missing, tampered, locked)."""

    exit_code = 1
