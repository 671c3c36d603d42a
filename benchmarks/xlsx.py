"""How long an xlsx placement file takes to read: calamine's way against openpyxl's.

    python benchmarks/xlsx.py                       # 100,000 rows, 3 rounds
    python benchmarks/xlsx.py --rows 625000 --repeat 1

The file is the generator's delivery typed into Excel (`generate.write_xlsx`:
text, date cells in two formats, true/false), as many rows as asked, written
once to `benchmarks/.cache/` (not committed). Each reader runs as a whole
process, by turns with the other (`run.measure_by_turns`): `read_xlsx_table`
(calamine where it reads as openpyxl does, as every run reads) and
`openpyxl_table` (openpyxl alone, as before). Both include the imports and
the archive's checks; the table shows the median wall time and the peak memory.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402 - beside this script
from run import CACHE, measure_by_turns  # noqa: E402

READ = (
    "import sys\n"
    "from fundcalc.inputs import xlsx\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "if sys.argv[2] == 'openpyxl':\n"
    "    xlsx.check_archive(data, 'log.xlsx')\n"
    "    table = xlsx.openpyxl_table(data, 'log.xlsx')\n"
    "else:\n"
    "    table = xlsx.read_xlsx_table(data, 'log.xlsx')\n"
    "assert table.rows.height > 0\n"
)


def workbook(rows: int) -> Path:
    """The cached xlsx of `rows` placement versions, written once by a child process (a
    child forked from a parent that wrote it would start from the parent's memory)."""
    path = CACHE / f"placements-{rows}.xlsx"
    if not path.is_file():
        subprocess.run([sys.executable, __file__, "--rows", str(rows), "--write"], check=True)
    return path


def write(rows: int, path: Path) -> None:
    """`rows` versions of the generator's placements as Excel saves them."""
    print(f"writing {rows:,} rows into {path} …", file=sys.stderr)
    world = generate.load_world(ROOT / "rules")
    scale = 1.0
    first, end = date(2024, 1, 1), date(2026, 1, 1)
    while len(versions := generate.placements(world, first, end, 7, scale)) < rows:
        scale *= 2
    CACHE.mkdir(parents=True, exist_ok=True)
    generate.write_xlsx(path, versions[:rows])
    with zipfile.ZipFile(path) as stored:  # deflated, as Excel saves it
        members = [(info, stored.read(info)) for info in stored.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as deflated:
        for info, content in members:
            info.compress_type = zipfile.ZIP_DEFLATED
            deflated.writestr(info, content)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="only write the file")
    args = parser.parse_args(argv)
    if args.write:
        write(args.rows, CACHE / f"placements-{args.rows}.xlsx")
        return 0
    path = workbook(args.rows)
    readers = ("calamine", "openpyxl")
    measures = measure_by_turns(
        [([sys.executable, "-c", READ, str(path), reader], None) for reader in readers],
        args.repeat,
    )
    size = path.stat().st_size / 1024**2
    print(f"{args.rows:,} rows, {size:.1f} MiB, median of {args.repeat}")
    for reader, measure in zip(readers, measures, strict=True):
        print(f"  {reader:9} {measure.seconds:6.2f} s  {measure.peak / 1024**2:6.0f} MiB")
    print(f"  openpyxl / calamine: {measures[1].seconds / measures[0].seconds:.1f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
