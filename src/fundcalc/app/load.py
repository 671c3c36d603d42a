"""Reading a command's inputs: the rules, the log, the verdicts and the invoices.

`load_inputs` reads them; `run` and `close` read them in the `Background`
while they import the rest of fundcalc. A month's run over a large log
spends a good part of its time on two things that need not wait for each
other: decoding the log (polars and hashlib work without Python's lock) and
importing the calculation's, the workbook's and the archive's modules (one
core, Python). This module therefore imports no more than the readers it
calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import polars as pl

from fundcalc.base.background import Background
from fundcalc.base.findings import finding_frame
from fundcalc.base.readahead import ReadAhead
from fundcalc.inputs.invoices import Invoices, read_invoices
from fundcalc.inputs.log import Log
from fundcalc.inputs.logcache import LogCache, read_log
from fundcalc.inputs.logindex import CACHE
from fundcalc.inputs.rules import Rules
from fundcalc.inputs.rulescache import CACHE as RULES_CACHE
from fundcalc.inputs.rulescache import RulesCache, load_rules
from fundcalc.inputs.verdicts import VerdictInput, read_verdicts


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
    log = Background(partial(read_log, inputs_dir, cache, keep_bytes=keep_bytes), name="log")
    rules = load_rules(rules_dir, kept_rules)
    return Inputs(rules, log.result(), read_verdicts(inputs_dir), read_invoices(inputs_dir))


def log_cache(out_dir: Path, ahead: ReadAhead | None = None) -> LogCache:
    """The cache of parsed log files that runs writing to `out_dir` share; with the
    log's checksums computed `ahead` where they were."""
    return LogCache(out_dir / CACHE, ahead)


def rules_cache(out_dir: Path) -> RulesCache:
    """The rules validated by the commands writing to `out_dir`."""
    return RulesCache(out_dir / RULES_CACHE)
