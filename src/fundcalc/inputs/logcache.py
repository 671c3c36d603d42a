"""Log files as they were read before, kept so that a run parses only the files that are new.

A finance officer runs fundcalc every month over a log that grew by one or
two files; parsing the other files again gives what it gave last month. The
cache (`OUT/.cache/log/`) keeps each file's rows as read, their fields typed
(`log.FileRows`), in Parquet, under a key made of the file's SHA-256, its name
and the fingerprint of the code that reads files: fundcalc's version, polars'
version and the source of the reading modules. A file whose bytes, name or
reader changed finds nothing and is parsed; an entry that is damaged or does
not match its checksum is parsed afresh and replaced. A file whose name, size
and modification time (`Stamp`) match an entry is decoded from it while its
checksum is computed beside: the checksum still decides, and a file changed
under its old stamp is parsed after all. So a cached read gives exactly the
rows, counts and warnings that parsing gives, which the tests prove.

`fundcalc run` and `fundcalc close` use it (`--no-cache` turns it off): a
month is closed from the rows its run was reviewed on. A close archives the
log files themselves, and a replay always parses those archived files, so
what proves a closed month is computed from its files alone. The cache is no
record: deleting it is always safe, and writing it never fails a run.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
import weakref
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from fundcalc import __version__
from fundcalc.base.atomic import replace_file
from fundcalc.base.disk import as_umask_says, sha256_of
from fundcalc.base.findings import Note, file_warnings
from fundcalc.base.readahead import ReadAhead, Whole
from fundcalc.base.reasons import reason_of
from fundcalc.inputs import log
from fundcalc.inputs.fingerprint import reading_code
from fundcalc.inputs.log import (
    FileRows,
    Log,
    Stamp,
    assemble,
    empty_columns,
    file_sha256,
    held,
    no_rows,
    parsed_files,
    placement_files,
    refused_files,
)
from fundcalc.inputs.logindex import entries

#: The entries' format, part of `reader_fingerprint`: an entry of another format is never
#: read. A warning is kept as its line and its reason's code and values (`base.reasons`);
#: the Parquet holds only the columns with a value, and `line` only where the lines are
#: not the rows counted from the first (`Kept.first_line`).
FORMAT = 7


@dataclass(frozen=True)
class Kept:
    """A file as kept, checked against its checksum: its rows as Parquet (fields
    read, `fields.typed`), how many, the columns without a value, its blank rows
    and its warnings; `first_line`, where every row is on the line after the one
    before, is the first row's line (the Parquet holds no `line` then)."""

    parquet: bytes
    rows: int
    empty: frozenset[str]
    blank_rows: int
    notes: list[Note]
    first_line: int | None = None


@cache
def reader_fingerprint() -> str:
    """What the rows of a file depend on besides its bytes and name: the reading code
    (`fingerprint.reading_code`), the entries' format, fundcalc's version and polars'
    version."""
    text = f"{FORMAT} {__version__} {pl.__version__} {reading_code()}"
    return hashlib.sha256(text.encode()).hexdigest()


class LogCache:
    """The parsed files of earlier runs under `folder`, by file name, content and reader."""

    def __init__(self, folder: Path, ahead: ReadAhead | None = None) -> None:
        self.folder = folder
        self._ahead = ahead
        self._used: set[str] = set()
        self._pending: list[_Pending] = []
        self._stamps: dict[tuple[str, Stamp], str] | None = None
        self._names: set[str] = set()
        self._encoding: ThreadPoolExecutor | None = None
        # Rows encoded for a run that never saves (it failed) are removed all the same.
        weakref.finalize(self, _discard_all, self._pending)

    def guess(self, name: str, stamp: Stamp | None) -> str | None:
        """The SHA-256 of the file kept under this name with this stamp, if any: a
        guess, to look the file up while its checksum is still being computed."""
        if stamp is None:
            return None
        return self._kept()[0].get((name, stamp))

    def knows(self, name: str) -> bool:
        """Whether a file of this name is kept, of whatever content: a file of a name
        never kept finds nothing (the key holds the name), whatever its checksum."""
        return name in self._kept()[1]

    def _kept(self) -> tuple[dict[tuple[str, Stamp], str], set[str]]:
        """The entries this reader can use: the SHA-256 by name and stamp, and the names."""
        if self._stamps is None:
            self._stamps, self._names = {}, set()
            fingerprint = reader_fingerprint()
            for about in entries(self.folder):
                if about.get("reader") != fingerprint:
                    continue
                self._names.add(str(about.get("file")))
                try:
                    kept = Stamp(int(about["size"]), int(about["mtime_ns"]))
                    self._stamps[(str(about["file"]), kept)] = str(about["sha256"])
                except (KeyError, TypeError, ValueError):
                    continue
        return self._stamps, self._names

    def forget(self, name: str, sha256: str) -> None:
        """Not used after all (a guess the checksum disproved): pruned when saved."""
        self._used.discard(self.key(name, sha256))

    def sha256(self, path: Path) -> str:
        """A log file's SHA-256: computed ahead if it was and the file is unchanged
        (`readahead`), else read now (`log.file_sha256`)."""
        ahead = None if self._ahead is None else self._ahead.sha256(path)
        return file_sha256(path) if ahead is None else ahead

    def take(self, path: Path) -> Whole | None:
        """The log file `path` as read whole ahead, if it was (`ReadAhead.take`)."""
        return None if self._ahead is None else self._ahead.take(path)

    def key(self, name: str, sha256: str) -> str:
        """The entry of a file with this name and content, read by this fundcalc."""
        text = f"{reader_fingerprint()}\n{name}\n{sha256}"
        return hashlib.sha256(text.encode()).hexdigest()

    def get(self, name: str, sha256: str) -> Kept | None:
        """The file as read before, checked but not yet decoded (`rows_of`); None if
        not kept.

        An entry that cannot be read or does not match its checksum counts as
        not kept (it is parsed again and replaced).
        """
        key = self.key(name, sha256)
        self._used.add(key)
        try:
            about = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            data = (self.folder / f"{key}.parquet").read_bytes()
            if (
                about["format"] != FORMAT
                or about["rows_sha256"] != hashlib.sha256(data).hexdigest()
            ):
                return None
            # A code of no reason, or the wrong number of values: not kept after all.
            notes = [
                Note(line, reason_of(str(code))(*values))
                for line, code, values in about["warnings"]
            ]
            empty = frozenset(str(column) for column in about["empty_columns"])
            first = None if about["first_line"] is None else int(about["first_line"])
            rows, blank_rows = int(about["rows"]), int(about["blank_rows"])
            return Kept(data, rows, empty, blank_rows, notes, first)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, name: str, sha256: str, read: FileRows, stamp: Stamp | None) -> None:
        """Keep a file's rows as read, once the run succeeds (`save`); `stamp` is the
        file's as it was before it was read.

        The rows are encoded at once, on a thread of their own, into a
        temporary file (outside OUT: a run that fails writes nothing there):
        polars writes a file without holding Python's lock, so the encoding
        goes on beside the calculation and the workbook instead of after them.
        Nothing is kept until `save`; the temporary files of a cache that
        never saves are removed when it is dropped.
        """
        self._used.add(self.key(name, sha256))
        if self._encoding is None:
            self._encoding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="logcache")
        encoded = self._encoding.submit(_encode, read.rows, empty_columns(read.rows))
        self._pending.append(_Pending(name, sha256, read, stamp, encoded))

    def save(self) -> None:
        """Keep the files parsed in this run and remove the entries it did not use.

        Called once the run's outputs are written: a run that fails keeps
        nothing. A cache that cannot be written stays as it is.
        """
        try:
            for pending in self._pending:
                self._write(pending)
        except (OSError, pl.exceptions.PolarsError):
            return
        finally:
            _discard_all(self._pending)
            if self._encoding is not None:
                self._encoding.shutdown()
                self._encoding = None
        self._pending.clear()
        self._prune()

    def _write(self, pending: _Pending) -> None:
        encoded = pending.encoded.result()  # raises what the encoding raised
        temporary = encoded.temporary
        name, sha256, read, stamp = pending.name, pending.sha256, pending.read, pending.stamp
        about = {
            "format": FORMAT,
            "file": name,
            "sha256": sha256,
            "reader": reader_fingerprint(),
            "size": None if stamp is None else stamp.size,
            "mtime_ns": None if stamp is None else stamp.mtime_ns,
            "rows_sha256": encoded.sha256,
            "rows": read.rows.height,
            "empty_columns": list(encoded.empty),
            "first_line": encoded.first_line,
            "blank_rows": read.blank_rows,
            "warnings": [
                [line, part["code"], part["values"]]
                for line, (part,) in read.findings.select("line", "parts").iter_rows()
            ],
        }
        key = self.key(name, sha256)
        # The rows first, then what vouches for them: a reader never sees half an entry.
        # Not durable: an entry lost in a crash is parsed again (its checksum decides).
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(temporary, self.folder / f"{key}.parquet")
        except OSError as error:
            if error.errno != errno.EXDEV:  # another file system: copied instead
                raise
            replace_file(self.folder / f"{key}.parquet", temporary.read_bytes(), durable=False)
        replace_file(self.folder / f"{key}.json", json.dumps(about).encode(), durable=False)

    def _prune(self) -> None:
        """Remove the entries no file of this run used (files since replaced or removed)."""
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return
        for entry in entries:
            if entry.suffix in (".json", ".parquet") and entry.stem not in self._used:
                try:
                    entry.unlink()
                except OSError:
                    continue


@dataclass(frozen=True)
class _Pending:
    """A parsed file to keep when the run succeeds, and its rows being encoded."""

    name: str
    sha256: str
    read: FileRows
    stamp: Stamp | None
    encoded: Future[_Encoded]


@dataclass(frozen=True)
class _Encoded:
    """A file's rows encoded: the temporary Parquet file, its SHA-256, the columns
    without a value (not in it), and the first row's line if `line` is not in it."""

    temporary: Path
    sha256: str
    empty: tuple[str, ...]
    first_line: int | None


def _encode(rows: pl.DataFrame, empty: Sequence[str]) -> _Encoded:
    """`rows` as Parquet in a new temporary file, without what a read restores
    (`rows_of`): the file's name (`source`), the `empty` columns and, where every
    row is on the line after the one before, `line`. Encoding costs by the column,
    a column of nulls too, and it goes on beside the calculation."""
    columns = [c for c in rows.columns if c not in (*empty, "source", "line")]
    first_line = _first_of_consecutive(rows.get_column("line"))
    if first_line is None or not columns:  # a column is kept to count the rows
        columns, first_line = ["line", *columns], None
    descriptor, name = tempfile.mkstemp(prefix="fundcalc-rows-", suffix=".parquet")
    os.close(descriptor)
    temporary = Path(name)
    try:
        as_umask_says(temporary)
        rows.select(columns).write_parquet(temporary, compression="lz4", statistics=False)
        with temporary.open("rb") as stream:
            digest = sha256_of(stream)
        return _Encoded(temporary, digest, tuple(empty), first_line)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _first_of_consecutive(lines: pl.Series) -> int | None:
    """The first line if each line is the one after the line before (no blank or
    multi-line rows between them), else None."""
    if lines.is_empty() or lines.null_count():
        return None
    first = int(lines[0])
    counted = pl.int_range(first, first + lines.len(), dtype=pl.Int64, eager=True)
    return first if lines.equals(counted, check_names=False) else None


def _discard_all(pending: list[_Pending]) -> None:
    """Remove the encoded files not kept (a no-op for those renamed into the cache)."""
    for entry in pending:
        try:
            temporary = entry.encoded.result().temporary
        except Exception:
            continue
        temporary.unlink(missing_ok=True)


def read_log(inputs: Path, cache: LogCache | None = None, *, keep_bytes: bool = False) -> Log:
    """Read the log (`log.read_log`), taking the files read before from `cache`.

    Files read before with the same bytes are taken from the cache instead of
    being parsed again; the others are handed to it, to be kept when the run
    succeeds (`LogCache.save`). With `keep_bytes`, the log holds the bytes of
    the files it parsed (`Log.data`); files taken from the cache are not held:
    their bytes were never read whole.
    """
    if cache is None:
        return log.read_log(inputs, keep_bytes=keep_bytes)
    paths = placement_files(inputs)
    data: dict[str, bytes] = {}
    reads, sha256s = _through(cache, paths, data if keep_bytes else None)
    return assemble(paths, reads, sha256s, data, refused_files(inputs))


def _through(
    cache: LogCache, paths: Sequence[Path], keep: dict[str, bytes] | None = None
) -> tuple[list[FileRows], list[str]]:
    """Every file from the cache where it was kept, parsed (and handed to it) where not;
    the bytes of those parsed put in `keep` by SHA-256, if given.

    A file whose name and stamp match a kept one is taken to be that file while
    its checksum is computed beside the decoding, and parsed after all if the
    checksum says otherwise. Any other file is looked up by its checksum, read
    in pieces, so that a kept file is never held in memory whole. What is kept
    and reported is always the checksum of the bytes used.
    """
    reads: dict[int, FileRows] = {}
    sha256s: dict[int, str] = {}
    kept: dict[int, Kept] = {}
    guessed: dict[int, tuple[str, Future[str]]] = {}

    def parse(*indices: int) -> None:
        parsed, digests, stamps = parsed_files([paths[i] for i in indices], keep, cache.take)
        for i, read, sha256, stamp in zip(indices, parsed, digests, stamps, strict=True):
            sha256s[i], reads[i] = sha256, read
            cache.put(paths[i].name, sha256, read, stamp)

    with ThreadPoolExecutor(max_workers=1) as hashing:
        for i, path in enumerate(paths):
            guess = cache.guess(path.name, Stamp.of(path))
            entry = None if guess is None else cache.get(path.name, guess)
            if guess is not None and entry is not None:
                kept[i], guessed[i] = entry, (guess, hashing.submit(cache.sha256, path))
                continue
            if not cache.knows(path.name):  # parsed at once, its checksum computed beside
                parse(i)
                continue
            sha256 = cache.sha256(path)
            entry = cache.get(path.name, sha256)
            if entry is None:
                parse(i)
            else:
                sha256s[i], kept[i] = sha256, entry
        decoded = rows_of(list(kept.values()))  # while the guessed files are hashed
        for i, (_, digest) in guessed.items():
            sha256s[i] = digest.result()
    wrong = [i for i, (guess, _) in guessed.items() if sha256s[i] != guess]
    for i in wrong:
        cache.forget(paths[i].name, guessed[i][0])
    if decoded is None:  # a damaged cache: parse those files as they are now
        parse(*kept)
    else:
        for (i, entry), rows in zip(kept.items(), decoded, strict=True):
            if i not in wrong:
                name = paths[i].name
                notes = file_warnings(name, entry.notes)
                # The columns empty in every kept file are held once already (`rows_of`).
                reads[i] = FileRows(held(rows, name, ()), entry.blank_rows, notes)
        if wrong:  # a file changed under a stamp it had before
            parse(*wrong)
    order = range(len(paths))
    return [reads[i] for i in order], [sha256s[i] for i in order]


def rows_of(kept: Sequence[Kept]) -> list[pl.DataFrame] | None:
    """The rows of kept files, decoded together: one polars read for all of them, not
    one per file (a read costs milliseconds however small the file). None if they
    cannot be decoded; their files are then parsed again.

    A column without a value in any of the files is not decoded but held as one
    null (`pl.lit`): decoded, a column of nulls costs 16 bytes a row. Nor is
    `source`, the file's name, which the caller gives each file (`log.held`). A
    file's Parquet lacks its own empty columns (read as nulls) and, where its lines
    are consecutive, `line` (counted from `Kept.first_line`).
    """
    if not kept:
        return []
    empty = frozenset.intersection(*(k.empty for k in kept)) | {"source"}
    schema = row_schema()
    decoded = [c for c in schema if c not in empty]
    try:
        together = pl.read_parquet(
            [k.parquet for k in kept],
            columns=decoded,
            schema={c: t for c, t in schema.items() if c != "source"},
            missing_columns="insert",
        )
    except pl.exceptions.PolarsError:
        return None
    if together.height != sum(k.rows for k in kept):
        return None
    nulls = [pl.lit(None, dtype=schema[c]).alias(c) for c in schema if c in empty]
    together = together.with_columns(nulls).select(list(schema))  # once, not once per file
    frames, offset = [], 0
    for k in kept:
        rows = together.slice(offset, k.rows)
        if k.first_line is not None:
            first = k.first_line
            counted = pl.int_range(first, first + k.rows, dtype=pl.Int64, eager=True)
            rows = rows.with_columns(counted.alias("line"))
        frames.append(rows)
        offset += k.rows
    return frames


@cache
def row_schema() -> pl.Schema:
    """The columns of the log's rows and their types, as every file's rows have them."""
    return no_rows().schema
