"""Reading a command's inputs: the rules, the log, the verdicts and the invoices.

`load_inputs` reads them; `Loading` reads them on a thread of its own while
the command imports the rest of fundcalc. A month's run over a large log
spends a good part of its time on two things that need not wait for each
other: decoding the log (polars and hashlib work without Python's lock) and
importing the calculation's, the workbook's and the archive's modules (one
core, Python). This module therefore imports no more than the readers it
calls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Generic, TypeVar

import polars as pl

from fundcalc.base.findings import finding_frame
from fundcalc.base.readahead import ReadAhead
from fundcalc.inputs.invoices import Invoices, read_invoices
from fundcalc.inputs.log import Log
from fundcalc.inputs.logcache import CACHE, LogCache, read_log
from fundcalc.inputs.rules import Rules
from fundcalc.inputs.rulescache import CACHE as RULES_CACHE
from fundcalc.inputs.rulescache import RulesCache, load_rules
from fundcalc.inputs.verdicts import VerdictInput, read_verdicts

T = TypeVar("T")


@dataclass(frozen=True)
class Inputs:
    """The rules, the log, the verdicts of the eligibility check and the providers'
    invoices (None without `inputs/invoices/`), as read from disk."""

    rules: Rules
    log: Log
    verdicts: VerdictInput = field(default_factory=VerdictInput)
    invoices: Invoices | None = None

    @property
    def log_findings(self) -> pl.DataFrame:
        """What the log's and the verdicts' files as a whole have to say."""
        return pl.concat([finding_frame(self.log.findings), self.verdicts.findings])


def load_inputs(
    rules_dir: Path,
    inputs_dir: Path,
    cache: LogCache | None = None,
    *,
    kept_rules: RulesCache | None = None,
    keep_bytes: bool = False,
) -> Inputs:
    """Read and validate the rules, and read the log (rules errors come first).

    With a `cache`, log files read before are not parsed again (`logcache`);
    with `kept_rules`, rules validated before are not validated again
    (`rulescache`). With `keep_bytes`, the log holds the bytes it parsed
    (`read_log`). The log is read on a thread of its own while the rules are
    validated: polars parses without Python's lock, which validating needs. A
    rules error is raised at once, without waiting for the log.
    """
    log = Loading(partial(read_log, inputs_dir, cache, keep_bytes=keep_bytes), name="log")
    rules = load_rules(rules_dir, kept_rules)
    return Inputs(rules, log.result(), read_verdicts(inputs_dir), read_invoices(inputs_dir))


def log_cache(out_dir: Path, ahead: ReadAhead | None = None) -> LogCache:
    """The cache of parsed log files that runs writing to `out_dir` share; with the
    log's checksums computed `ahead` where they were."""
    return LogCache(out_dir / CACHE, ahead)


def rules_cache(out_dir: Path) -> RulesCache:
    """The rules validated by the commands writing to `out_dir`."""
    return RulesCache(out_dir / RULES_CACHE)


class Loading(Generic[T]):
    """What `read` returns (the inputs, by `load_inputs` with its arguments, most
    often), read on a daemon thread started at once: a command that stops with an
    error does not wait for it.

    `result()` waits for it and gives what was read, or raises what reading it
    raised (a rules error, an input error) as if it had been read there.
    """

    def __init__(self, read: Callable[[], T], *, name: str = "loading") -> None:
        self._read: list[T] = []
        self._error: BaseException | None = None

        def load() -> None:
            try:
                self._read.append(read())
            except BaseException as error:
                self._error = error

        self._thread = threading.Thread(target=load, name=name, daemon=True)
        self._thread.start()

    def result(self) -> T:
        """What was read, once read; what reading it raised, raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._read[0]
