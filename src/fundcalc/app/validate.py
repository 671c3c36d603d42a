"""`fundcalc validate`: the rules and the log checked, without writing anything."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from fundcalc.app.load import load_inputs
from fundcalc.base.findings import (
    EXCEPTION,
    WARNING,
    finding_frame,
    grouped_finding_lines,
    sort_findings,
)
from fundcalc.base.period import Period
from fundcalc.base.plural import counted
from fundcalc.base.reasons import UNKNOWN_LOT, UNKNOWN_MUNICIPALITY
from fundcalc.core.calculation import calculate
from fundcalc.core.checks import run_checks
from fundcalc.core.verdicts import verdicts_as_of
from fundcalc.core.versions import versions_as_of
from fundcalc.inputs.rules import Rules


@dataclass(frozen=True)
class ValidationReport:
    """What validation found: the findings and a few facts about the inputs."""

    findings: pl.DataFrame
    facts: tuple[str, ...]

    @property
    def exceptions(self) -> int:
        return self.findings.filter(pl.col("kind") == EXCEPTION).height

    @property
    def warnings(self) -> int:
        return self.findings.filter(pl.col("kind") == WARNING).height

    def lines(self) -> list[str]:
        """The report as text: facts, then the findings grouped by kind."""
        return [*self.facts, "", *grouped_finding_lines(self.findings)]


def validate_inputs(
    rules_dir: Path, inputs_dir: Path, period: Period | None, as_of: date
) -> ValidationReport:
    """Validate rules (an error raises) and log (exceptions, warnings: findings) as of `as_of`."""
    inputs = load_inputs(rules_dir, inputs_dir)
    rules, log = inputs.rules, inputs.log
    versions = versions_as_of(log.rows, as_of)
    if period is not None:
        # With a period, exactly what `run` of that period reports (the same findings).
        calculation = calculate(
            rules,
            log.rows,
            [period],
            as_of,
            log_findings=inputs.log_findings,
            verdict_rows=inputs.verdicts.rows,
        )
        findings = sort_findings(calculation.findings_for(period))
    else:
        found = [
            finding_frame(inputs.log_findings),
            finding_frame(versions.exceptions),
            # The verdicts of the eligibility check that cannot be read or conflict (§11).
            verdicts_as_of(inputs.verdicts.rows, as_of).exceptions,
            placement_findings(versions.placements, rules),
        ]
        findings = sort_findings(pl.concat(found))
    counts = versions.counts
    facts = (
        f"rules: {counted(len(rules.lots), 'lot')},"
        f" {counted(len(rules.keys[-1].weights), 'member')} in the latest key,"
        f" {counted(len(rules.municipalities.rows), 'municipality code')}",
        f"log: {counted(len(log.files), 'file')}, {counted(counts['read'], 'row')} as of {as_of}:"
        f" {counts['in_force']} in force, {counts['superseded']} superseded,"
        f" {counted(counts['duplicate'], 'duplicate')},"
        f" {counts['not_yet_recorded']} not yet recorded,"
        f" {counts['not_a_version']} unusable",
        *(f"notice: {text}" for text in rules.membership_changes()),
    )
    return ValidationReport(findings, facts)


def placement_findings(placements: pl.DataFrame, rules: Rules) -> pl.DataFrame:
    """What can be told of placements in force without a period.

    Placements rejected as a whole; usable ones on an unknown lot or with an
    unknown municipality code; the checks that need no period (`checks.run_checks`):
    reflection dates that are ignored or make a window other than written.
    """
    usable = placements.filter(pl.col("reject_reason").is_null())
    code = pl.coalesce("brp_municipality", "found_municipality")
    where = ("source", "line", "placement_id")
    return pl.concat(
        [
            finding_frame(
                placements.filter(pl.col("reject_reason").is_not_null()).select(
                    pl.lit(EXCEPTION).alias("kind"), *where, pl.col("reject_reason").alias("parts")
                )
            ),
            finding_frame(
                usable.filter(~pl.col("lot_id").is_in(list(rules.lots))).select(
                    pl.lit(EXCEPTION).alias("kind"),
                    *where,
                    UNKNOWN_LOT.parts("lot_id").alias("parts"),
                )
            ),
            finding_frame(
                usable.filter(~code.is_in(list(rules.municipalities.rows))).select(
                    pl.lit(EXCEPTION).alias("kind"),
                    *where,
                    UNKNOWN_MUNICIPALITY.parts(code).alias("parts"),
                )
            ),
            run_checks(placements, rules),
        ]
    )
