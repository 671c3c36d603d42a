"""`fundcalc sample`: draw the eligibility check's sample (*steekproef*, §11) and write it.

The population and the ranking are pure (`core.sample`); this module finds
the seed, reads the inputs and writes `outputs/sample-<Y>-<seed8>/`:
`sample.csv`, `population.csv`, `steekproef.xlsx` (`report.steekproef`) and
`manifest.json` (the seed and where it came from, the as-of date, the sizes
and the SHA-256 of every input and output). Without `--seed` the seed is the
SHA-256 of the archived `statement.csv` of the last closed month of the year,
so nobody could choose it before that month was closed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from fundcalc import __version__
from fundcalc.app.files import write_folder
from fundcalc.app.load import Inputs
from fundcalc.archive.store import ARCHIVE, Archive
from fundcalc.base.plural import counted
from fundcalc.core.sample import draw, population, ranked
from fundcalc.errors import UsageError
from fundcalc.report.render import MANIFEST, STATEMENT, render_json
from fundcalc.report.steekproef import (
    POPULATION_CSV,
    SAMPLE_CSV,
    WORKBOOK,
    Drawing,
    render_population_csv,
    render_sample_csv,
    render_steekproef,
)


@dataclass(frozen=True)
class Seed:
    """The seed of a drawing and where it came from (in English for the terminal,
    in Dutch for the workbook)."""

    text: str
    source: str
    bron: str


@dataclass(frozen=True)
class SampleResult:
    """A drawn sample: where it was written and what it holds."""

    folder: Path
    drawing: Drawing
    files: dict[str, bytes]
    seed: Seed

    def lines(self) -> list[str]:
        d = self.drawing
        drawn = min(d.size, d.population)
        return [
            f"Sample {d.name}: {drawn} of {counted(d.population, 'placement')} with a FUND day in"
            f" {d.year} (as of {d.as_of})",
            f"Seed      {d.seed}",
            f"          {self.seed.source}",
            f"Written   {self.folder}/ ({', '.join(sorted(self.files))})",
            "The sample names clients: steekproef.xlsx is marked VERTROUWELIJK, for the"
            " reviewing body only.",
        ]


def archived_seed(out_dir: Path, year: int) -> Seed:
    """The SHA-256 of the archived statement.csv of the last closed month of `year`.

    Raises UsageError when no month of the year is closed: the seed cannot
    exist before then.
    """
    archive = Archive(out_dir / ARCHIVE)
    closed = [c for c in archive.closed() if c.period.year == year]
    if not closed:
        raise UsageError(
            f"no month of {year} is closed in {out_dir / ARCHIVE}: without --seed the seed is"
            f" the SHA-256 of the statement of the last closed month of {year}; close a month"
            " first or give --seed"
        )
    last = closed[-1]
    data = archive.read(last.output(STATEMENT))  # checked against its SHA-256
    seed = hashlib.sha256(data).hexdigest()
    return Seed(
        seed,
        f"the SHA-256 of the archived statement.csv of {last.period}, closed on {last.closed_on}",
        f"SHA-256 van de gearchiveerde statement.csv van {last.period}"
        f" (afgesloten op {last.closed_on.strftime('%d-%m-%Y')})",
    )


def given_seed(text: str) -> Seed:
    """A seed given with --seed."""
    if not text:
        raise UsageError("--seed cannot be empty")
    return Seed(text, "given with --seed", "opgegeven met --seed")


def draw_sample(
    inputs: Inputs,
    out_dir: Path,
    *,
    year: int,
    size: int,
    seed: Seed,
    as_of: date,
    write: bool = True,
) -> SampleResult:
    """Draw the sample of `year` as of `as_of` and write its folder under `out_dir`."""
    if size < 0:
        raise UsageError("--size cannot be negative")
    rules = inputs.rules
    members = population(rules, inputs.log.rows, year, as_of)
    in_order = ranked(members, seed.text)
    sample = draw(members, seed.text, size)
    drawing = Drawing(rules.fund_name, year, seed.text, seed.bron, as_of, size, members.height)
    files = {
        SAMPLE_CSV: render_sample_csv(sample),
        POPULATION_CSV: render_population_csv(in_order),
        WORKBOOK: render_steekproef(
            drawing,
            sample,
            providers={lot.id: lot.provider for lot in rules.lots.values()},
            names=rules.municipalities.names(),
        ),
    }
    files[MANIFEST] = render_json(_manifest(inputs, drawing, seed, files))
    folder = out_dir / f"sample-{drawing.name}"
    if write:
        write_folder(folder, files)
    return SampleResult(folder, drawing, files, seed)


def _manifest(
    inputs: Inputs, drawing: Drawing, seed: Seed, files: dict[str, bytes]
) -> dict[str, Any]:
    return {
        "fundcalc": __version__,
        "sample": drawing.name,
        "year": drawing.year,
        "as_of": drawing.as_of.isoformat(),
        "seed": drawing.seed,
        "seed_from": seed.source,
        "size": drawing.size,
        "population": drawing.population,
        "drawn": min(drawing.size, drawing.population),
        "rank": "lowercase hex SHA-256 of the UTF-8 text '<seed>:<placement_id>'",
        "rules": [{"file": f.name, "sha256": f.sha256} for f in inputs.rules.files],
        "inputs": [{"file": f.name, "sha256": f.sha256} for f in inputs.log.files],
        "outputs": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }
