"""`make bench`: fundcalc's performance, measured as whole processes, as ratios.

Each case runs once first, then 15 times (`--repeat`); the table shows the
median wall time of those 15, its ratio to what it is judged against, their
largest peak memory (maximum resident set size), the target and the verdict.
Cases measured by turns are compared round by round: a ratio is the median of
the ratios within each round (`paired`), so that a slow minute of the machine
slows both sides of one ratio instead of one side of the median, and every
other round runs in the opposite order. Under the table, each judged figure
shows the spread of its rounds (`Spread`): their quartiles, their range and how
many rounds were beyond the target. On a shared machine the ratios of single
rounds scatter widely, and a median of few rounds moves by about as much as a
thin target leaves: a verdict near its line is read with its spread.
The first run is kept apart: in it a `run` finds nothing parsed in
OUT/.cache/ yet, so a case said to be *cached* is measured cached, and every
case meets a warm file cache; what a first run costs is a case of its own.
Absolute seconds do not hold on a machine whose speed drifts from minute to
minute; ratios to a process measured by turns with the case, in the same run,
do.

The large months are judged against a **floor**: a bare `python -c` that
imports polars and openpyxl, computes the SHA-256 of the log files and decodes
them (`pl.read_csv(..., infer_schema=False)`), the part no run can do without.
The clean 1 M month, the dirty one (the same log spoiled by the generator's
`Dirt`: more than 50,000 findings in the month), the dirty one with nothing
cached (its first run: `OUT/.cache/` removed before each) and both floors run
by turns. The sample is judged against the imports alone, a close against one
month run by turns with it (the month is run first, untimed, as it is for the
committee), 10 M against the 1 M month, the settlement of a year (its twelve
archived statements, never the log) against the imports alone. Large logs come from the seeded
generator (`benchmarks/generate.py`) and are written once to
`benchmarks/.cache/` (not committed).

    python benchmarks/run.py                        # every case
    python benchmarks/run.py --skip 10m             # without the ten-million case
    python benchmarks/run.py --only 1m,dirty --repeat 3
    python benchmarks/run.py --only scenario --repeat 1   # a year's scenario against a month
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"
FUNDCALC = [sys.executable, "-m", "fundcalc"]
LARGE_PERIOD, LARGE_AS_OF = "2025-10", "2026-01-15"
CLOSE_PERIOD, CLOSE_AS_OF = "2026-01", "2026-02-05"
GIB = 1024**3


@dataclass(frozen=True)
class Measure:
    """The median wall time (s) of the runs after the first, and their largest peak
    memory (bytes).

    `first` and `first_peak` are the first run's time and peak: a `run` then
    finds no parsed files in OUT/.cache/ yet, as on the day a log is first run.
    `rounds` are the times of the runs after the first, in order.
    """

    seconds: float
    peak: int
    first: float
    first_peak: int
    rounds: tuple[float, ...]


def paired(case: Measure, against: Measure) -> list[float]:
    """The ratio of `case` to `against` within each round of turns (`measure_by_turns`)."""
    return [a / b for a, b in zip(case.rounds, against.rounds, strict=True)]


@dataclass
class Spread:
    """The rounds behind each judged figure, shown under the table: a median near its
    target is read with its quartiles and the rounds beyond it, not alone."""

    lines: list[str] = field(default_factory=list)

    def note(self, name: str, rounds: Sequence[float], target: float, unit: str = "×") -> float:
        """`rounds` of the figure `name`, judged as their median against `target`: the
        median, which the table shows and judges."""
        ordered = sorted(rounds)
        low, _, high = statistics.quantiles(ordered, n=4) if len(ordered) > 1 else ordered * 3
        beyond = sum(1 for value in ordered if value > target)
        quartiles, extremes = f"{low:.2f}–{high:.2f}", f"{ordered[0]:.2f}–{ordered[-1]:.2f}"
        self.lines.append(
            f"{name:<36} {statistics.median(ordered):>6.2f}  {quartiles:<11}  {extremes:<11}"
            f"  {beyond} of {len(ordered)} beyond {target:g}{'' if unit == '×' else ' ' + unit}"
        )
        return statistics.median(ordered)

    def table(self) -> list[str]:
        """The lines under the table, with their heading."""
        heading = f"{'the rounds of each judged figure':<36} {'median':>6}  {'quartiles':<11}"
        return [heading + f"  {'range':<11}  rounds beyond the target", *self.lines]


def measure(command: Sequence[str], repeat: int, *, before: Sequence[str] | None = None) -> Measure:
    """Run `command` once and then `repeat` times as a child process; `before` runs
    first each time, untimed."""
    return measure_by_turns([(command, before)], repeat)[0]


def measure_by_turns(
    commands: Sequence[tuple[Sequence[str], Sequence[str] | None]], repeat: int
) -> list[Measure]:
    """Run each (command, before) in turn, a first round and `repeat` rounds more
    (`Measure`): cases compared with each other
    (the sample with the imports, the close with one month) meet the same moments
    of a machine whose speed drifts from minute to minute. Every other round runs
    them in the opposite order, so that a machine speeding up or slowing down
    within a round favours neither side of a pair: give the cases compared in the
    order that puts each beside the one it is compared with."""
    times: list[list[float]] = [[] for _ in commands]
    peaks: list[list[int]] = [[] for _ in commands]
    for turn in range(repeat + 1):
        order = list(enumerate(commands))
        for i, (command, before) in order if turn % 2 == 0 else reversed(order):
            if before is not None:
                _untimed(before)
            seconds, peak = _timed(command)
            times[i].append(seconds)
            peaks[i].append(peak)
    return [
        Measure(statistics.median(t[1:]), max(p[1:]), t[0], p[0], tuple(t[1:]))
        for t, p in zip(times, peaks, strict=True)
    ]


def _untimed(command: Sequence[str]) -> None:
    """Run `command` to prepare a case; what it says is shown only when it fails."""
    done = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr.decode(errors="replace"))
        raise SystemExit(f"failed: {' '.join(command)}")


def _timed(command: Sequence[str]) -> tuple[float, int]:
    """One run of `command` as a child process: its wall time (s) and peak memory (bytes).

    What it says on stderr (the warnings of a month) is kept apart and shown only
    when it fails, so that the table is not lost among them."""
    with tempfile.TemporaryFile() as said:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=said)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            said.seek(0)
            sys.stderr.write(said.read().decode(errors="replace"))
            raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss * 1024  # Linux reports KiB


def large_log(placements: int, *, dirty: bool = False) -> Path:
    """The cached inputs folder of a generated log of `placements` placements; with
    `dirty`, the same log spoiled by the generator's default dirt (`generate.Dirt`)."""
    folder = CACHE / (_label(placements) + ("-dirty" if dirty else ""))
    if not (folder / "placements" / "log.csv").is_file():
        print(f"generating {placements:,} placements into {folder} …", file=sys.stderr)
        subprocess.run(
            [sys.executable, "benchmarks/generate.py", "large", "--placements", str(placements),
             "--out", str(folder), *(["--dirty"] if dirty else [])],
            check=True,
            cwd=ROOT,
        )  # fmt: skip
    return folder


def floor(inputs: Path) -> list[str]:
    """The floor of a run over `inputs`: what no run can do without. A bare process
    imports polars and openpyxl, computes the SHA-256 of every log file and decodes
    each as text (`pl.read_csv(..., infer_schema=False)`)."""
    files = sorted(str(p) for p in (inputs / "placements").iterdir() if p.suffix == ".csv")
    code = (
        "import hashlib, sys\n"
        "import openpyxl, polars as pl\n"
        "for name in sys.argv[1:]:\n"
        "    with open(name, 'rb') as f: hashlib.sha256(f.read()).hexdigest()\n"
        "    pl.read_csv(name, infer_schema=False)\n"
    )
    return [sys.executable, "-c", code, *files]


def closed_archive(inputs: Path) -> Path:
    """An output folder with the 24 months before CLOSE_PERIOD closed (made once, cached)."""
    folder = CACHE / f"{inputs.name}-closed-24"
    if (folder / "archive" / "periods" / "2025-12.json").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"closing 24 months over {inputs.name} into {folder} …", file=sys.stderr)
    for index in range(24):
        year, month = divmod(2024 * 12 + index, 12)
        period = f"{year:04d}-{month + 1:02d}"
        next_year, next_month = divmod(2024 * 12 + index + 1, 12)
        as_of = f"{next_year:04d}-{next_month + 1:02d}-05"
        subprocess.run(
            [*FUNDCALC, "close", "--inputs", str(inputs), "--out", str(folder),
             "--period", period, "--as-of", as_of, "--quiet"],
            check=True,
            cwd=ROOT,
        )  # fmt: skip
    return folder


def _label(placements: int) -> str:
    return f"{placements // 1_000_000}m" if placements >= 1_000_000 else f"{placements // 1000}k"


def _row(case: str, got: str, peak: str, target: str, ok: bool | None) -> str:
    verdict = "shown" if ok is None else ("PASS" if ok else "FAIL")
    return f"{case:<50} {got:<44} {peak:<12} {target:<42} {verdict}"


def _gib(size: int) -> str:
    return f"{size / GIB:.2f} GiB"


CASES = ("sample", "1m", "dirty", "first", "10m", "close", "scenario", "settle")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", default="", help=f"comma-separated cases: {','.join(CASES)}")
    parser.add_argument("--skip", default="", help="comma-separated cases to leave out")
    args = parser.parse_args(argv)
    cases = set(args.only.split(",")) if args.only else set(CASES)
    cases -= set(filter(None, args.skip.split(",")))
    if unknown := cases - set(CASES):
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}; known: {', '.join(CASES)}")
    repeat = args.repeat
    # Measure fundcalc as an installed package runs: its modules byte-compiled (see Makefile).
    compileall.compile_dir(ROOT / "src" / "fundcalc", quiet=1)
    rows: list[str] = []
    spread = Spread()
    scratch = Path(tempfile.mkdtemp(prefix="fundcalc-bench-"))
    try:
        if "sample" in cases:
            rows += _sample(scratch, repeat, spread)
        if cases & {"1m", "dirty", "first", "10m"}:
            rows += _large(cases, scratch, repeat, spread)
        if "close" in cases:
            rows += _close(scratch, repeat, spread)
        if "scenario" in cases:
            rows += _scenario(scratch, repeat, spread)
        if "settle" in cases:
            rows += _settle(scratch, repeat, spread)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(_row("case", f"median of {repeat} (ratio)", "peak memory", "target", None).replace(
        "shown", "verdict"))  # fmt: skip
    for row in rows:
        print(row)
    if spread.lines:
        print()
        for line in spread.table():
            print(line)
    return 0


def _sample(scratch: Path, repeat: int, spread: Spread) -> list[str]:
    """The sample month end to end, by turns with a process that only imports."""
    imports, sample = measure_by_turns(
        [
            ([sys.executable, "-c", "import polars, openpyxl, click"], None),
            ([*FUNDCALC, "run", "--as-of", "2026-11-23", "--out", str(scratch / "s"), "-q"], None),
        ],
        repeat,
    )
    against = spread.note("sample / imports", paired(sample, imports), 2)
    return [
        _row(
            "sample month, end to end (workbook)",
            f"{sample.seconds:.2f} s ({against:.2f} × imports {imports.seconds:.2f} s)",
            f"{sample.peak / 2**20:.0f} MiB",
            "≤ 2 × imports alone",
            against <= 2,
        )
    ]


def _month(inputs: Path, out: Path) -> list[str]:
    return [*FUNDCALC, "run", "--inputs", str(inputs), "--out", str(out),
            "--period", LARGE_PERIOD, "--as-of", LARGE_AS_OF, "-q"]  # fmt: skip


def _large(cases: set[str], scratch: Path, repeat: int, spread: Spread) -> list[str]:
    """The 1 M months (clean and dirty, cached and first) by turns with their floors;
    then 10 M, against the 1 M month."""
    # Each beside what it is compared with (`measure_by_turns`): the clean month between
    # its floor and the dirty month, the dirty floor between the dirty month and its first run.
    commands: dict[str, tuple[list[str], list[str] | None]] = {}
    if cases & {"1m", "10m"}:
        clean = large_log(1_000_000)
        commands["floor"] = (floor(clean), None)
        commands["1m"] = (_month(clean, scratch / "1m"), None)
    if cases & {"dirty", "first"}:
        dirty = large_log(1_000_000, dirty=True)
        if "dirty" in cases:
            commands["dirty"] = (_month(dirty, scratch / "dirty"), None)
        commands["dirty floor"] = (floor(dirty), None)
        if "first" in cases:
            fresh = scratch / "first"
            commands["first"] = (_month(dirty, fresh), ["rm", "-rf", str(fresh)])
    got = dict(zip(commands, measure_by_turns(list(commands.values()), repeat), strict=True))
    rows = []
    for name in ("floor", "dirty floor"):
        if name in got:
            log = "dirty 1 M log" if name.startswith("dirty") else "1 M log"
            rows.append(
                _row(
                    f"floor: imports, SHA-256, decoding ({log})",
                    f"{got[name].seconds:.2f} s",
                    _gib(got[name].peak),
                    "",
                    None,
                )
            )
    if "1m" in cases:
        one = got["1m"]
        to_floor = spread.note("clean 1 M / floor", paired(one, got["floor"]), 1.6)
        rows.append(
            _row(
                "clean 1 M log, one month, cached",
                f"{one.seconds:.2f} s ({to_floor:.2f} × floor)",
                _gib(one.peak),
                "≤ 1.6 × floor, ≤ 1 GB",
                to_floor <= 1.6 and one.peak <= 1e9,
            )
        )
    if "dirty" in cases:
        dirty_month = got["dirty"]
        to_floor = spread.note("dirty 1 M / floor", paired(dirty_month, got["dirty floor"]), 2.0)
        to_clean = (
            spread.note("dirty 1 M / clean 1 M", paired(dirty_month, got["1m"]), 1.25)
            if "1m" in got
            else None
        )
        against = "" if to_clean is None else f"; {to_clean:.2f} × clean"
        ok = to_floor <= 2.0 and dirty_month.peak <= 1.2e9
        if to_clean is not None:
            ok = ok and to_clean <= 1.25
        rows.append(
            _row(
                "dirty 1 M log, one month, cached",
                f"{dirty_month.seconds:.2f} s ({to_floor:.2f} × floor{against})",
                _gib(dirty_month.peak),
                "≤ 2.0 × floor, ≤ 1.2 GB, ≤ 1.25 × clean"
                if "1m" in got
                else "≤ 2.0 × floor, ≤ 1.2 GB",
                ok,
            )
        )
    if "first" in cases:
        first = got["first"]
        to_floor = spread.note("dirty first run / floor", paired(first, got["dirty floor"]), 3)
        rows.append(
            _row(
                "dirty 1 M log, first run (nothing cached)",
                f"{first.seconds:.2f} s ({to_floor:.2f} × floor)",
                _gib(first.peak),
                "≤ 3 × floor",
                to_floor <= 3,
            )
        )
    if "10m" in cases:
        ten = measure(_month(large_log(10_000_000), scratch / "10m"), repeat)
        # Not by turns (a 10 M round would stretch the 1 M rounds): medians compared.
        to_one = ten.seconds / got["1m"].seconds
        rows.append(
            _row(
                "clean 10 M log, one month, cached",
                f"{ten.seconds:.2f} s ({to_one:.1f} × 1 M; first {ten.first:.1f} s,"
                f" {_gib(ten.first_peak)})",
                _gib(ten.peak),
                "≤ 12 × the 1 M month, ≤ 6 GB",
                to_one <= 12 and ten.peak <= 6e9,
            )
        )
    return rows


def _close(scratch: Path, repeat: int, spread: Spread) -> list[str]:
    """A close after 24 closed months, by turns with the month alone."""
    inputs = large_log(1_000_000)
    archive = closed_archive(inputs)
    copy = scratch / "close"
    month = ["--inputs", str(inputs), "--period", CLOSE_PERIOD, "--as-of", CLOSE_AS_OF, "-q"]
    fresh = f"rm -rf '{copy}' && cp -r '{archive}' '{copy}'"
    # The routine: the month is run (and its workbook reviewed), then closed.
    reviewed = f"{fresh} && {shlex.join([*FUNDCALC, 'run', *month, '--out', str(copy)])}"
    close_month = [*FUNDCALC, "close", *month, "--out", str(copy)]
    one, close = measure_by_turns(
        [
            ([*FUNDCALC, "run", *month, "--out", str(scratch / "one")], None),
            (close_month, ["sh", "-c", reviewed]),
        ],
        repeat,
    )
    # Shown, not judged: a close with nothing in the cache parses the whole log.
    _untimed(["sh", "-c", fresh])
    unread, _ = _timed(close_month)
    against = spread.note("close / one month", paired(close, one), 2)
    return [
        _row(
            "close with 24 closed months (1 M)",
            f"{close.seconds:.2f} s ({against:.2f} × one month {one.seconds:.2f} s;"
            f" nothing cached {unread:.2f} s)",
            _gib(close.peak),
            "≤ 2 × one month",
            against <= 2,
        )
    ]


#: The bench's scenario: two more places and a higher day tariff from July, laid over rules/.
SCENARIO = """
[scenario]
name = "bench"
description = "Twee extra plaatsen en een hoger dagtarief vanaf juli"
[[lot]]
id = "DREIG-WEST"
[[lot.terms]]
valid_from = 2025-07-01
places = 34
day_tariff = "228.00"
availability_tariff = "37.65"
"""
SCENARIO_YEAR = "2025"


def _scenario(scratch: Path, repeat: int, spread: Spread) -> list[str]:
    """A scenario over the clean 1 M log (its year computed twice, rules and scenario),
    by turns with one month's run. Both read the log through the same cache, filled by
    one untimed run first, as a finance officer's scenario follows the month's run."""
    inputs = large_log(1_000_000)
    overlay = scratch / "bench.toml"
    overlay.write_text(SCENARIO, encoding="utf-8")
    out = scratch / "scenario"
    month = _month(inputs, out)
    _untimed(month)
    what_if = [*FUNDCALC, "scenario", str(overlay), "--year", SCENARIO_YEAR,
               "--inputs", str(inputs), "--out", str(out), "--as-of", LARGE_AS_OF]  # fmt: skip
    one, scenario = measure_by_turns([(month, None), (what_if, None)], repeat)
    against = spread.note("scenario / one month", paired(scenario, one), 3)
    return [
        _row(
            "scenario of a year (1 M), rules and scenario",
            f"{scenario.seconds:.2f} s ({against:.2f} × one month {one.seconds:.2f} s)",
            _gib(scenario.peak),
            "≤ 3 × one month",
            against <= 3,
        )
    ]


def _settle(scratch: Path, repeat: int, spread: Spread) -> list[str]:
    """The settlement of 2024 of the 1 M log's closed archive, by turns with the imports."""
    archive = closed_archive(large_log(1_000_000))
    copy = scratch / "settle"
    fresh = ["sh", "-c", f"rm -rf '{copy}' && cp -r '{archive}' '{copy}'"]
    imports, settle = measure_by_turns(
        [
            ([sys.executable, "-c", "import polars, openpyxl, click"], None),
            ([*FUNDCALC, "settle", "--year", "2024", "--out", str(copy)], fresh),
        ],
        repeat,
    )
    rounds = [s - i for s, i in zip(settle.rounds, imports.rounds, strict=True)]
    beyond = spread.note("settle, beyond the imports", rounds, 1, "s")
    return [
        _row(
            "settle a year of the 1 M log (12 statements)",
            f"{settle.seconds:.2f} s ({beyond:.2f} s beyond imports {imports.seconds:.2f} s)",
            f"{settle.peak / 2**20:.0f} MiB",
            "≤ 1 s beyond the imports",
            beyond <= 1,
        )
    ]


if __name__ == "__main__":
    if not hasattr(os, "wait4"):
        raise SystemExit("make bench measures memory with os.wait4: run it on Linux or macOS")
    raise SystemExit(main())
