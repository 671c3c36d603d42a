"""The close record (*afsluitverslag*, `periods/YYYY-MM.json`) in typed form, and its seal.

A record names every rules file, log file and output of a close by name,
SHA-256 and size, with the as-of date, the day it was closed, the software
that closed it and the seals of the closes before it. Its own SHA-256 is the
**seal** (*zegel*): `close` and `history` print it, the workbook of every
later month shows it (Verantwoording), and `replay --seal` checks an archive
against a seal an auditor was given.

How each field is proved:

* `period`: the record's file name says it too; they must agree.
* `as_of`, `rules`, `inputs`: replay calculates the month again from them,
  and every output it makes must equal the archived one byte for byte
  (the manifest names every input and rules file, its as-of date and SHA-256).
* `outputs`: each is checked against its SHA-256 and size when read, and
  equal to what replay makes.
* `basis` (the statements closed before it): replay compares it with the
  archive; `seals_before` (their records): every command that reads the
  archive compares it with the records there, so a changed, deleted or added
  earlier record is said in words ("2026-09's record was changed after
  2026-10 was closed").
* `totals_cents`: replay compares them with the totals it calculates.
* `closed_on`, `software`, `format`, `replaces_withdrawn`: no calculation
  gives them again; the seal covers them, held by the next close's
  `seals_before`, by the next month's workbook and by whoever was given it.

Records of format 1 (before seals) are read as they are and replay as they
did: they have no `software` nor `seals_before`, and their place in the
chain is kept by the `basis` of the closes after them and by the
`seals_before` of the first close of format 2.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fundcalc import __version__
from fundcalc.base.period import Period
from fundcalc.errors import ArchiveError

#: The format written now; FORMATS are those read.
RECORD_FORMAT = 2
FORMATS = (1, 2)
_FORMAT_1_KEYS = frozenset(
    {
        "format",
        "period",
        "as_of",
        "closed_on",
        "fundcalc",
        "rules",
        "inputs",
        "outputs",
        "basis",
        "totals_cents",
        "replaces_withdrawn",
        "eligibility",
        "invoices",
        "opening_reserve",
    }
)
_FORMAT_2_KEYS = _FORMAT_1_KEYS | {"software", "seals_before"}
_KINDS = ("rules", "inputs", "outputs")
#: The output a close's successors are corrected against (`basis`).
STATEMENT = "statement.csv"


@dataclass(frozen=True)
class StoredFile:
    """A file of a close: its name where it was read or written, its SHA-256 and size."""

    name: str
    sha256: str
    size: int

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size}


def stored(name: str, data: bytes) -> StoredFile:
    """The archive's description of a file's bytes."""
    return StoredFile(name, hashlib.sha256(data).hexdigest(), len(data))


@dataclass(frozen=True)
class Software:
    """What closed a month: Python, polars, openpyxl, fundcalc, and a fingerprint of the
    calculation's source (every module that shapes a figure or an output's bytes)."""

    fundcalc: str
    python: str
    polars: str
    openpyxl: str
    source: str

    def as_json(self) -> dict[str, str]:
        return {
            "fundcalc": self.fundcalc,
            "python": self.python,
            "polars": self.polars,
            "openpyxl": self.openpyxl,
            "source": self.source,
        }

    def describe(self) -> str:
        """`fundcalc 0.1.0 / polars 1.2.3 / openpyxl 3.1.5 / Python 3.11.9 / source 1a2b…`."""
        return (
            f"fundcalc {self.fundcalc} / polars {self.polars} / openpyxl {self.openpyxl}"
            f" / Python {self.python} / source {self.source[:12]}"
        )

    def differences(self, other: Software) -> list[str]:
        """What differs from `other`, in words (`polars 1.2.3 -> 1.3.0`)."""
        mine, theirs = self.as_json(), other.as_json()
        return [
            f"{name} {mine[name][:12]} -> {theirs[name][:12]}"
            for name in mine
            if mine[name] != theirs[name]
        ]


@cache
def running_software() -> Software:
    """The software running now (computed once per process)."""
    return Software(
        fundcalc=__version__,
        python=platform.python_version(),
        polars=_version("polars"),
        openpyxl=_version("openpyxl"),
        source=source_fingerprint(),
    )


def source_fingerprint() -> str:
    """SHA-256 over the calculation's source: every module of `base`, `inputs`, `core`
    and `report`, and the corrections and the run (`archive/corrections.py`,
    `app/run.py`). The commands, the archive's storage and the terminal are left
    out: they change no figure."""
    package = Path(__file__).resolve().parent.parent
    sources = [
        *(
            path
            for folder in ("base", "inputs", "core", "report")
            for path in (package / folder).rglob("*.py")
        ),
        package / "archive" / "corrections.py",
        package / "app" / "run.py",
    ]
    digest = hashlib.sha256()
    for path in sorted(sources, key=lambda p: p.relative_to(package).as_posix()):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:  # pragma: no cover - both are dependencies
        return "unknown"


@dataclass(frozen=True)
class ClosedPeriod:
    """The record of one close (`periods/YYYY-MM.json`); `record_sha256` is its seal."""

    period: Period
    as_of: date
    closed_on: date
    fundcalc: str
    rules: tuple[StoredFile, ...]
    inputs: tuple[StoredFile, ...]
    outputs: tuple[StoredFile, ...]
    basis: Mapping[str, str]
    totals: Mapping[str, int]
    record_sha256: str = ""
    format: int = RECORD_FORMAT
    software: Software | None = None
    seals_before: Mapping[str, str] | None = None
    replaces_withdrawn: tuple[str, ...] = field(default=())
    #: The verdict files of the eligibility check (§11) the close read from
    #: `inputs/eligibility/`; None when that folder did not exist.
    eligibility: tuple[StoredFile, ...] | None = None
    #: The reserve the month's forecast of the year-end settlement opened with
    #: (`OpeningReserve.as_json`); None in a record made before it was recorded.
    opening_reserve: Mapping[str, Any] | None = None
    #: The files of `inputs/invoices/` the close read; None when it had no such folder.
    invoices: tuple[StoredFile, ...] | None = None

    @property
    def seal(self) -> str:
        """The record's SHA-256: what an auditor is given to check the archive against."""
        return self.record_sha256

    def output(self, name: str) -> StoredFile:
        for file in self.outputs:
            if file.name == name:
                return file
        raise ArchiveError(f"archive: the close of {self.period} has no {name}")

    def closed_with(self) -> str:
        """The software that closed it, in words."""
        if self.software is None:
            return f"fundcalc {self.fundcalc} (a record of format 1 names no other versions)"
        return self.software.describe()

    def to_json(self) -> bytes:
        """The record's bytes as written (sorted keys, two spaces, UTF-8, a final newline)."""
        document: dict[str, Any] = {
            "format": self.format,
            "period": str(self.period),
            "as_of": self.as_of.isoformat(),
            "closed_on": self.closed_on.isoformat(),
            "fundcalc": self.fundcalc,
            **{kind: [f.as_json() for f in getattr(self, kind)] for kind in _KINDS},
            "basis": dict(self.basis),
            "totals_cents": dict(self.totals),
        }
        if self.software is not None:
            document["software"] = self.software.as_json()
        if self.seals_before is not None:
            document["seals_before"] = dict(self.seals_before)
        if self.replaces_withdrawn:
            document["replaces_withdrawn"] = list(self.replaces_withdrawn)
        if self.eligibility is not None:
            document["eligibility"] = [f.as_json() for f in self.eligibility]
        if self.invoices is not None:
            document["invoices"] = [f.as_json() for f in self.invoices]
        if self.opening_reserve is not None:
            document["opening_reserve"] = dict(self.opening_reserve)
        return record_bytes(document)

    @classmethod
    def from_json(cls, data: bytes, where: str) -> ClosedPeriod:
        """The record in `data` (read from `where`), checked field by field.

        An unknown format, a field of the wrong shape, a name that is no plain
        file name or a SHA-256 that is no digest is an ArchiveError naming
        `where`: such a record was not written by a close.
        """
        try:
            raw = json.loads(data)
            if not isinstance(raw, dict):
                raise TypeError("not a JSON object")
            return _parse(raw, where, hashlib.sha256(data).hexdigest())
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ArchiveError(f"{where}: not a readable close record ({error})") from None


def chain_breaks(closed: Sequence[ClosedPeriod]) -> list[str]:
    """What the closes in `closed` (oldest first) say of each other, in words.

    Each record names the seals of the closes before it (`seals_before`; of
    format 1: their statements, `basis`). A record changed, deleted or added
    after a later close was made is said once, by the first later close that
    sees it: "2026-09's record was changed after 2026-10 was closed".
    """
    said: set[str] = set()
    breaks: list[str] = []
    for index, later in enumerate(closed):
        earlier = closed[:index]
        if later.seals_before is not None:
            named = dict(later.seals_before)
            now = {str(c.period): c.seal for c in earlier}
        else:
            named = dict(later.basis)
            now = {str(c.period): c.output(STATEMENT).sha256 for c in earlier}
        for period in sorted(set(named) | set(now)):
            if period in said or named.get(period) == now.get(period):
                continue
            said.add(period)
            if period not in now:
                how = "deleted"
            elif period not in named:
                how = "added"
            else:
                how = "changed"
            breaks.append(f"{period}'s record was {how} after {later.period} was closed")
    return breaks


def record_bytes(document: Mapping[str, Any]) -> bytes:
    """A record's JSON text as a close writes it."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _parse(raw: dict[str, Any], where: str, seal: str) -> ClosedPeriod:
    form = raw.get("format", 1)
    if form not in FORMATS or isinstance(form, bool):
        raise ArchiveError(
            f"{where}: a close record of format {form!r}, which this fundcalc ({__version__})"
            f" does not know (it reads formats {', '.join(map(str, FORMATS))}); use the"
            " fundcalc that closed it"
        )
    allowed = _FORMAT_1_KEYS if form == 1 else _FORMAT_2_KEYS
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ArchiveError(
            f"{where}: a close record of format {form} has no field {', '.join(unknown)};"
            " the record has been changed"
        )
    kinds = (*_KINDS, *(k for k in ("eligibility", "invoices") if k in raw))
    files = {kind: tuple(_file(f, kind, where) for f in raw[kind]) for kind in kinds}
    for kind, named in files.items():
        names = [f.name for f in named]
        if len(set(names)) != len(names):
            raise ArchiveError(f"{where}: {kind} names a file twice; the record has been changed")
    software = seals_before = None
    if form == 2:
        software = Software(**{k: text_field(v, k) for k, v in raw["software"].items()})
        seals_before = _digests(raw["seals_before"], "seal", where)
        if software.fundcalc != raw["fundcalc"]:
            raise ArchiveError(
                f"{where}: the record says fundcalc {raw['fundcalc']} but its software"
                f" fundcalc {software.fundcalc}: the record has been changed"
            )
    return ClosedPeriod(
        period=Period.parse(raw["period"]),
        as_of=date.fromisoformat(raw["as_of"]),
        closed_on=date.fromisoformat(raw["closed_on"]),
        fundcalc=text_field(raw["fundcalc"], "fundcalc"),
        rules=files["rules"],
        inputs=files["inputs"],
        outputs=files["outputs"],
        basis=_digests(raw["basis"], "statement", where),
        totals={text_field(k, "total"): whole_number(v, k) for k, v in raw["totals_cents"].items()},
        record_sha256=seal,
        format=form,
        software=software,
        seals_before=seals_before,
        replaces_withdrawn=tuple(
            _digest(s, "a withdrawn record", where) for s in raw.get("replaces_withdrawn", [])
        ),
        eligibility=files.get("eligibility"),
        invoices=files.get("invoices"),
        opening_reserve=dict(raw["opening_reserve"]) if "opening_reserve" in raw else None,
    )


def _file(raw: Mapping[str, Any], kind: str, where: str) -> StoredFile:
    name = raw["name"]
    if (why := not_plain(name)) is not None:
        raise ArchiveError(
            f"{where}: {kind} names {name!r}, which {why}; a close only records plain file"
            " names, so the record has been changed"
        )
    if not_sha256(raw["sha256"]):
        raise ArchiveError(
            f"{where}: the SHA-256 of {name} is not 64 hexadecimal digits;"
            " the record has been changed"
        )
    return StoredFile(name, raw["sha256"], whole_number(raw["size"], f"the size of {name}"))


def text_field(value: object, what: str) -> str:
    """A record's field that must be text; a TypeError (a changed record) otherwise."""
    if not isinstance(value, str):
        raise TypeError(f"{what} is not text")
    return value


def whole_number(value: object, what: str) -> int:
    """A record's field that must be a whole number (not a boolean); a TypeError otherwise."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{what} is not a whole number")
    return value


def _digests(raw: Mapping[str, object], what: str, where: str) -> dict[str, str]:
    return {str(Period.parse(p)): _digest(s, f"{what} of {p}", where) for p, s in raw.items()}


def _digest(value: object, what: str, where: str) -> str:
    if not_sha256(value):
        raise ArchiveError(
            f"{where}: the SHA-256 of the {what} is not 64 hexadecimal digits;"
            " the record has been changed"
        )
    return str(value)


def not_plain(name: object) -> str | None:
    """Why `name` is not a plain file name (and could write outside a folder), None if it is.

    A record names files as they were in `rules/`, `inputs/placements/` and
    `outputs/P/`: a name with a separator, `..`, a drive or a NUL could only
    come from an edited record, and replay would write outside its folder.
    (A colon is allowed: on Linux it is a plain character of a name.)
    """
    if not isinstance(name, str) or not name:
        return "is no file name"
    if "/" in name or "\\" in name:
        return "holds a folder separator"
    if name in (".", ".."):
        return "is a folder, not a file"
    if any(ord(c) < 32 for c in name):
        return "holds a control character"
    return None


def not_sha256(text: object) -> bool:
    """True unless `text` is a SHA-256 as the archive writes it (64 lowercase hex digits)."""
    return not (
        isinstance(text, str) and len(text) == 64 and all(c in "0123456789abcdef" for c in text)
    )


def total_differences(recorded: Mapping[str, int], replayed: Mapping[str, int]) -> list[str]:
    """A record's totals against those a replay computed, each that differs in words."""
    return [
        f"the record's total {name} is {recorded.get(name)} cents, the replay's"
        f" {replayed.get(name)}: the record has been changed"
        for name in sorted(set(replayed) | set(recorded))
        if replayed.get(name) != recorded.get(name)
    ]


def file_differences(
    archived: Mapping[str, bytes],
    replayed: Mapping[str, bytes],
    explain: Callable[[str, bytes, bytes], list[str]] = lambda name, then, now: [],
) -> list[str]:
    """The archived outputs against a replay's, by name; `explain` adds what a file
    that differs differs in."""
    differences: list[str] = []
    for name in sorted(set(archived) | set(replayed)):
        if name not in replayed:
            differences.append(f"{name}: archived but not produced by the replay")
        elif name not in archived:
            differences.append(f"{name}: produced by the replay but not archived")
        elif archived[name] != replayed[name]:
            differences.append(f"{name}: differs")
            differences += explain(name, archived[name], replayed[name])
    return differences
