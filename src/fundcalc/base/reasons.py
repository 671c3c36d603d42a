"""Reasons: why a finding was made, as codes with values, in English and in Dutch.

A finding's reason is one or more *parts*; a part is a code of this table and
its values (text: a lot, a date as written, a file and line). Each `Reason`
holds the part's English (exceptions.csv, ledger.parquet, the terminal) and
its Dutch (the workbook), so both are rendered from the same part and no text
is ever read back to learn what it meant. A placeholder listed in `names`
names a field or a column (`start_date`), not a value: it stays when
findings are counted together (`groups`: `start_date '…' is geen datum`).

The parts of a reason are joined by `; ` (`client_id is missing; lot_id is
missing`). A part whose template holds `{parts}` *wraps* the parts after it
(`verdict cannot be read: {parts}`): it comes first, and they take that place.
In frames a reason is a list of parts (`PARTS`); in Python a tuple of `Part`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Literal

import polars as pl

#: A part in a frame: its code and its values.
PART = pl.Struct({"code": pl.String(), "values": pl.List(pl.String())})
#: A reason in a frame: its parts, in order (null: no reason).
PARTS = pl.List(PART)
#: The placeholder of a wrapping part that the parts after it fill.
WRAPPED = "parts"
#: What stands for a value when findings are counted together.
ELIDED = "…"
#: The three ways a reason is shown.
Language = Literal["english", "dutch", "group"]


@dataclass(frozen=True)
class Part:
    """One part of a reason: a code of `REASONS` and its values, in the order of the
    placeholders of its English template."""

    code: str
    values: tuple[str, ...] = ()

    def row(self) -> dict[str, Any]:
        """The part as a frame holds it (`PART`)."""
        return {"code": self.code, "values": list(self.values)}

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Part:
        """A part as a frame gives it back (a `PART` value); a value without text fills
        its gap with nothing, as a frame renders it."""
        values = row["values"] or ()
        return cls(str(row["code"]), tuple("" if v is None else str(v) for v in values))


@dataclass(frozen=True)
class Template:
    """A template made ready to fill: the literal pieces around its gaps, and which
    value fills each gap (the parts a wrapping part wraps come after its values)."""

    pieces: tuple[str, ...]
    slots: tuple[int, ...]

    def fill(self, values: Sequence[str]) -> str:
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out += [values[slot], piece]
        return "".join(out)


@dataclass(frozen=True)
class Reason:
    """A kind of finding: its code, its English and Dutch templates (`{name}` for each
    value, `{parts}` for the parts it wraps) and the placeholders that are names."""

    code: str
    english: str
    dutch: str
    names: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        english, dutch = _fields(self.english), _fields(self.dutch)
        if sorted(english) != sorted(dutch) or len(set(english)) != len(english):
            raise ValueError(f"{self.code}: English and Dutch need the same placeholders, once")
        if not self.names <= set(english) - {WRAPPED}:
            raise ValueError(f"{self.code}: names {sorted(self.names)} are no placeholders")

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The values' placeholders, in the order of the English (the order of `values`)."""
        return tuple(f for f in _fields(self.english) if f != WRAPPED)

    @property
    def wraps(self) -> bool:
        """The part holds the parts after it (`{parts}`)."""
        return WRAPPED in _fields(self.english)

    def template(self, language: Language) -> Template:
        """The English, the Dutch, or the Dutch of a group: the values that are no
        names given as `…`."""
        text = self.english if language == "english" else self.dutch
        order = {name: i for i, name in enumerate((*self.placeholders, WRAPPED))}
        pieces, slots = [""], []
        for literal, name, _, _ in string.Formatter().parse(text):
            pieces[-1] += literal
            if name is None:
                continue
            if language == "group" and name != WRAPPED and name not in self.names:
                pieces[-1] += ELIDED
            else:
                slots.append(order[name])
                pieces.append("")
        return Template(tuple(pieces), tuple(slots))

    def __call__(self, *values: object) -> Part:
        """This reason with `values` (each as text), as one part."""
        self._check(values)
        return Part(self.code, tuple(str(v) for v in values))

    def text(self, *values: object) -> str:
        """The English of this reason alone with `values`."""
        return english_text((self(*values),))

    def part(self, *values: pl.Expr | str) -> pl.Expr:
        """This reason as one part (`PART`) of values in a frame: an expression each,
        or the name of a column."""
        self._check(values)
        texts = [(pl.col(v) if isinstance(v, str) else v).cast(pl.String) for v in values]
        listed = pl.concat_list(texts) if texts else pl.lit([], dtype=pl.List(pl.String()))
        return pl.struct(pl.lit(self.code, dtype=pl.String).alias("code"), listed.alias("values"))

    def parts(self, *values: pl.Expr | str) -> pl.Expr:
        """This reason alone as a frame's reason (`PARTS`): a list of its one part."""
        return pl.concat_list(self.part(*values))

    def _check(self, values: Sequence[object]) -> None:
        if len(values) != len(self.placeholders):
            raise ValueError(
                f"{self.code} has {len(self.placeholders)} values {self.placeholders},"
                f" not {len(values)}"
            )


def _fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _reason(code: str, english: str, dutch: str, *names: str) -> Reason:
    return Reason(code, english, dutch, frozenset(names))


# --- Reading a file: csvfile, xlsx, log -------------------------------------------------

TOO_MANY_FIELDS = _reason(
    "too_many_fields",
    "the row has {fields} fields where the header has {width}",
    "de regel heeft {fields} velden waar de kopregel er {width} heeft",
)
BEYOND_HEADER = _reason(
    "beyond_header",
    "the row has values right of the header (column {columns})",
    "de regel heeft waarden rechts van de kopregel (kolom {columns})",
)
INEXACT_NUMBER = _reason(
    "inexact_number",
    "{column}: a number of more than 15 digits cannot be read exactly; store it as text in Excel",
    "{column}: een getal van meer dan 15 cijfers is niet precies te lezen; sla het in Excel"
    " op als tekst",
    "column",
)
BEFORE_1900 = _reason(
    "before_1900",
    "{column}: a date before 1900 (an Excel date serial below 1)",
    "{column}: een datum voor 1900 (een Excel-datumgetal onder 1)",
    "column",
)
WINDOWS_1252 = _reason(
    "windows_1252",
    "the file is not UTF-8 and was read as Windows-1252 (ANSI), as Dutch Excel saves"
    " 'CSV (gescheiden door lijstscheidingsteken)': check its accented letters",
    "het bestand is geen UTF-8 en is gelezen als Windows-1252 (ANSI), zoals Excel"
    " 'CSV (gescheiden door lijstscheidingsteken)' opslaat: controleer de letters met accenten",
)
EMPTY_FILE = _reason(
    "empty_file", "the file is empty: no header and no rows", "leeg: geen kopregel en geen regels"
)
EMPTY_SHEET = _reason(
    "empty_sheet", "the sheet is empty: no header and no rows", "leeg: geen kopregel en geen regels"
)
UNKNOWN_COLUMN = _reason(
    "unknown_column", "unknown column '{header}' is ignored", "onbekende kolom '{header}' genegeerd"
)
UNNAMED_COLUMN = _reason(
    "unnamed_column",
    "column {number} has no name and is ignored",
    "kolom {number} heeft geen naam en is genegeerd",
)
MISSING_COLUMNS = _reason("missing_columns", "no column {columns}", "geen kolom {columns}")
NOT_READ = _reason(
    "not_read",
    "{why}: not read and not archived; put the file itself in the log",
    "{why}: niet gelezen en niet gearchiveerd; zet het bestand zelf in het log",
)

# --- A row's fields: fields, versions, verdicts, invoices -----------------------------

TOO_LONG = _reason(
    "too_long",
    "{column} is longer than {limit} characters",
    "{column} is langer dan {limit} tekens",
    "column",
)
NOT_A_DATE = _reason(
    "not_a_date", "{column} '{text}' is not a date", "{column} '{text}' is geen datum", "column"
)
VOID_UNREADABLE = _reason(
    "void_unreadable",
    "void '{text}' is not true/false, ja/nee or 1/0",
    "void '{text}' is niet true/false, ja/nee of 1/0",
)
NO_VALUE = _reason("no_value", "no {column}", "{column} ontbreekt", "column")
MISSING = _reason("missing", "{column} is missing", "{column} ontbreekt", "column")
NO_MUNICIPALITY = _reason(
    "no_municipality",
    "found_municipality is missing (no brp_municipality)",
    "found_municipality ontbreekt (brp_municipality ook)",
)
END_BEFORE_START = _reason(
    "end_before_start", "end_date before start_date", "end_date ligt voor start_date"
)
CONFLICTING_VERSIONS = _reason(
    "conflicting_versions",
    "conflicting versions recorded on the same day ({rows})",
    "tegenstrijdige versies op dezelfde dag vastgelegd ({rows})",
)

# --- Days that cannot be charged, and days moved: segments ----------------------------

UNKNOWN_LOT = _reason("unknown_lot", "unknown lot '{lot}'", "onbekend perceel '{lot}'")
NO_TERMS = _reason(
    "no_terms",
    "lot {lot} has no terms on these days",
    "perceel {lot} heeft op deze dagen geen voorwaarden",
)
NO_CENTRUMGEMEENTE = _reason(
    "no_centrumgemeente",
    "no centrumgemeente for municipality '{code}'",
    "geen centrumgemeente voor gemeente '{code}'",
)
NOT_A_MEMBER = _reason(
    "not_a_member",
    "centrumgemeente {code} is not a member of the fund",
    "centrumgemeente {code} is geen lid van het fonds",
)
NOT_ELIGIBLE = _reason(
    "not_eligible",
    "not eligible (toetsing): moved from the fund",
    "geen doelgroep (toetsing): niet uit het fonds betaald",
)
NOT_ELIGIBLE_NOT_A_MEMBER = _reason(
    "not_eligible_not_a_member",
    "not eligible (toetsing); not a member of the fund",
    "geen doelgroep (toetsing); geen lid van het fonds",
)
UNKNOWN_MUNICIPALITY = _reason(
    "unknown_municipality",
    "unknown municipality code '{code}'",
    "onbekende gemeentecode '{code}'",
)

# --- Warnings: checks ------------------------------------------------------------------

FUND_LOT_REFLECTION = _reason(
    "fund_lot_reflection",
    "reflection dates on a fund lot are ignored",
    "bedenktijd op een fondsperceel genegeerd",
)
REFLECTION_TOO_LONG = _reason(
    "reflection_too_long",
    "reflection period longer than {months} months: from {day} the days are charged"
    " to the centrumgemeente",
    "bedenktijd langer dan {months} maanden: vanaf {day} betaalt de centrumgemeente de dagen",
)
#: The same for a reflection period of one month, said in the singular.
REFLECTION_TOO_LONG_A_MONTH = _reason(
    "reflection_too_long_a_month",
    "reflection period longer than 1 month: from {day} the days are charged to the centrumgemeente",
    "bedenktijd langer dan 1 maand: vanaf {day} betaalt de centrumgemeente de dagen",
)
REFLECTION_BEFORE_START = _reason(
    "reflection_before_start",
    "reflection_end before reflection_start: no reflection window",
    "reflection_end ligt voor reflection_start: geen bedenktijd",
)
REFLECTION_WITHOUT_START = _reason(
    "reflection_without_start",
    "reflection_end without reflection_start: no reflection window",
    "reflection_end zonder reflection_start: geen bedenktijd",
)
DOUBLE_PLACEMENT = _reason(
    "double_placement",
    "the same client is also in placement {other} on these days (possible double billing)",
    "dezelfde cliënt staat op deze dagen ook in plaatsing {other} (mogelijk dubbel gefactureerd)",
)
LONG_STAY = _reason(
    "long_stay",
    "stay longer than a year (since {start})",
    "verblijf langer dan een jaar (sinds {start})",
)
OVER_CAPACITY = _reason(
    "over_capacity",
    "lot {lot}: more placements than contracted places ({places}) on these days,"
    " at most {peak} on a day",
    "perceel {lot}: meer plaatsingen dan gecontracteerde plaatsen ({places}) op deze dagen,"
    " hoogstens {peak} op een dag",
)

# --- The eligibility check (toetsing, §11) ---------------------------------------------

VERDICT_UNREADABLE = _reason(
    "verdict_unreadable", "verdict cannot be read: {parts}", "oordeel onleesbaar: {parts}"
)
ELIGIBLE_EMPTY = _reason(
    "eligible_empty", "eligible is empty: no verdict", "eligible is leeg: nog geen oordeel"
)
ELIGIBLE_UNREADABLE = _reason(
    "eligible_unreadable",
    "eligible '{text}' is not ja/nee, true/false or 1/0",
    "eligible '{text}' is niet ja/nee, true/false of 1/0",
)
CONFLICTING_VERDICTS = _reason(
    "conflicting_verdicts",
    "conflicting verdicts decided on the same day ({day}): they change nothing",
    "tegenstrijdige oordelen op dezelfde dag ({day}): zij veranderen niets",
)

# --- Providers' invoices (§10) ---------------------------------------------------------

NOT_AN_INVOICE_VERSION = _reason(
    "not_an_invoice_version",
    "not an invoice version: {parts}",
    "geen versie van een factuur: {parts}",
)
INVOICE_REJECTED = _reason(
    "invoice_rejected",
    "{parts}: the invoice of lot {lot} for {period} is rejected",
    "{parts}: de factuur van perceel {lot} voor {period} is afgewezen",
)
INVOICE_REPLACED = _reason(
    "invoice_replaced",
    "{parts}: replaced by a later invoice of lot {lot} for {period}",
    "{parts}: vervangen door een latere factuur van perceel {lot} voor {period}",
)
INVOICE_CONFLICT = _reason(
    "invoice_conflict",
    "conflicts with another row received on {day} ({rows})",
    "tegenstrijdig met een andere regel ontvangen op {day} ({rows})",
)
NOT_A_MONTH = _reason(
    "not_a_month",
    "period '{text}' is not a month like 2025-01",
    "period '{text}' is geen maand zoals 2025-01",
)
NOT_WHOLE_DAYS = _reason(
    "not_whole_days", "days '{text}' is not a whole number", "days '{text}' is geen geheel getal"
)
TOO_MANY_DECIMALS = _reason(
    "too_many_decimals",
    "{column} '{text}' has more than 2 decimals",
    "{column} '{text}' heeft meer dan 2 decimalen",
    "column",
)
NOT_AN_AMOUNT = _reason(
    "not_an_amount",
    "{column} '{text}' is not an amount in euros like 236,40 or 236.40",
    "{column} '{text}' is geen bedrag in euro zoals 236,40 of 236.40",
    "column",
)
LOT_NOT_IN_RULES = _reason(
    "lot_not_in_rules", "lot '{lot}' is not in the rules", "perceel '{lot}' staat niet in de regels"
)

IMPORTED_BEFORE = _reason(
    "imported_before",
    "the same rows as {file}, imported from {source} recorded on {recorded_on}: this export"
    " was imported before (saved again, in another encoding or format?); importing it"
    " again changes nothing",
    "dezelfde regels als {file}, geïmporteerd uit {source} vastgelegd op {recorded_on}: deze"
    " export is al eerder geïmporteerd (opnieuw opgeslagen, in een andere codering of"
    " indeling?); opnieuw importeren verandert niets",
)

# --- Corrections of closed months (§6) ---------------------------------------------------

TOO_LATE = _reason(
    "too_late",
    "too late to correct: recorded on {recorded_on}, it changes {period}, closed as of {as_of}"
    " and beyond the {months}-month lookback",
    "te laat om te corrigeren: vastgelegd op {recorded_on}, dit verandert {period}, afgesloten"
    " per {as_of} en buiten de terugblik van {months} maanden",
)
TOO_LATE_VERDICT = _reason(
    "too_late_verdict",
    "too late to correct: the verdict decided on {decided_on} changes {period}, closed as of"
    " {as_of} and beyond the {months}-month lookback",
    "te laat om te corrigeren: het oordeel van {decided_on} verandert {period}, afgesloten"
    " per {as_of} en buiten de terugblik van {months} maanden",
)

#: Every reason by its code.
REASONS: dict[str, Reason] = {
    r.code: r
    for r in (
        TOO_MANY_FIELDS,
        BEYOND_HEADER,
        INEXACT_NUMBER,
        BEFORE_1900,
        WINDOWS_1252,
        EMPTY_FILE,
        EMPTY_SHEET,
        UNKNOWN_COLUMN,
        UNNAMED_COLUMN,
        MISSING_COLUMNS,
        NOT_READ,
        TOO_LONG,
        NOT_A_DATE,
        VOID_UNREADABLE,
        NO_VALUE,
        MISSING,
        NO_MUNICIPALITY,
        END_BEFORE_START,
        CONFLICTING_VERSIONS,
        UNKNOWN_LOT,
        NO_TERMS,
        NO_CENTRUMGEMEENTE,
        NOT_A_MEMBER,
        NOT_ELIGIBLE,
        NOT_ELIGIBLE_NOT_A_MEMBER,
        UNKNOWN_MUNICIPALITY,
        FUND_LOT_REFLECTION,
        REFLECTION_TOO_LONG,
        REFLECTION_TOO_LONG_A_MONTH,
        REFLECTION_BEFORE_START,
        REFLECTION_WITHOUT_START,
        DOUBLE_PLACEMENT,
        LONG_STAY,
        OVER_CAPACITY,
        VERDICT_UNREADABLE,
        ELIGIBLE_EMPTY,
        ELIGIBLE_UNREADABLE,
        CONFLICTING_VERDICTS,
        NOT_AN_INVOICE_VERSION,
        INVOICE_REJECTED,
        INVOICE_REPLACED,
        INVOICE_CONFLICT,
        NOT_A_MONTH,
        NOT_WHOLE_DAYS,
        TOO_MANY_DECIMALS,
        NOT_AN_AMOUNT,
        LOT_NOT_IN_RULES,
        IMPORTED_BEFORE,
        TOO_LATE,
        TOO_LATE_VERDICT,
    )
}


def reason_of(code: str) -> Reason:
    """The reason with this code; a ValueError for a code of no reason."""
    try:
        return REASONS[code]
    except KeyError:
        raise ValueError(f"no reason has the code {code!r}") from None


# --- Rendering, in Python ----------------------------------------------------------------


def render_text(parts: Sequence[Part], language: Language) -> str:
    """A reason's parts as text: each part's template filled with its values, the parts
    joined by `; `, the parts after a wrapping first part put in its place."""
    if parts and reason_of(parts[0].code).wraps:
        rest = render_text(parts[1:], language)
        return _template(parts[0].code, language).fill((*parts[0].values, rest))
    return "; ".join(_template(p.code, language).fill(p.values) for p in parts)


@cache
def _template(code: str, language: Language) -> Template:
    return reason_of(code).template(language)


def english_text(parts: Sequence[Part]) -> str:
    """A reason in English, as exceptions.csv and the terminal show it."""
    return render_text(parts, "english")


def dutch_text(parts: Sequence[Part]) -> str:
    """A reason in Dutch, as the workbook shows it."""
    return render_text(parts, "dutch")


def group_text(parts: Sequence[Part]) -> str:
    """A reason in Dutch without its values: the reasons counted together."""
    return render_text(parts, "group")


def parts_of(value: object) -> tuple[Part, ...]:
    """A reason as a frame gives it back (a `PARTS` value: a list of `PART` dicts); none
    for null."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TypeError(f"a reason's parts are a list, not {type(value).__name__}")
    return tuple(Part.of(p) for p in value)


def parts_series(reasons: Sequence[Sequence[Part] | None], name: str = "parts") -> pl.Series:
    """Reasons as a frame's column (`PARTS`); None is no reason."""
    return pl.Series(
        name, [None if r is None else [p.row() for p in r] for r in reasons], dtype=PARTS
    )


# --- Rendering, in a frame ---------------------------------------------------------------


def _filled(template: Template, values: pl.Expr) -> pl.Expr:
    """`template` with `values` (a list of text per row) in its gaps, as one expression."""
    texts: list[pl.Expr] = [pl.lit(template.pieces[0])]
    for slot, piece in zip(template.slots, template.pieces[1:], strict=True):
        texts += [values.list.get(slot), pl.lit(piece)]
    return pl.concat_str(texts, ignore_nulls=True)


def _texts(parts: pl.DataFrame, language: Language, rest: str | None = None) -> pl.DataFrame:
    """The text (`_text`) of each part (`code`, `values`, keyed by `_row`): filled per
    code, a few codes for any number of parts. With `rest`, the parts wrap the text in
    that column."""
    out = []
    for (code,), same in parts.partition_by("code", as_dict=True, maintain_order=True).items():
        values = pl.col("values")
        if rest is not None:
            values = values.list.concat(pl.concat_list(pl.col(rest).fill_null("")))
        template = _template(str(code), language)
        out.append(same.select("_row", "_at", _filled(template, values).alias("_text")))
    if not out:
        return pl.DataFrame(schema={"_row": pl.UInt32, "_at": pl.Int64, "_text": pl.String})
    return pl.concat(out).sort("_row", "_at")


#: Up to this many reasons, a column is rendered reason by reason (`render_text`): a
#: frame's rendering takes a few milliseconds however short the column, and a month
#: renders a dozen short columns.
ONE_BY_ONE = 64


def render(parts: pl.Series, language: Language) -> pl.Series:
    """Every reason of a column (`PARTS`) as text, as `render_text` makes it; null
    where there is no reason.

    Many rows share a reason (a month's unreadable dates, its unknown lots): each
    distinct reason is made once and given to every row that has it."""
    if parts.len() <= ONE_BY_ONE:
        return _one_by_one(parts, language)
    distinct = parts.unique(maintain_order=True)
    made = (
        _one_by_one(distinct, language)
        if distinct.len() <= ONE_BY_ONE
        else _in_frame(distinct, language)
    )
    texts = pl.DataFrame({"_parts": distinct, "_text": made})
    return (
        parts.rename("_parts")
        .to_frame()
        .join(texts, on="_parts", how="left", maintain_order="left")["_text"]
        .alias(parts.name)
    )


def _one_by_one(parts: pl.Series, language: Language) -> pl.Series:
    """`render` of a short column, reason by reason."""
    texts = [None if not p else render_text(parts_of(p), language) for p in parts.to_list()]
    return pl.Series(parts.name, texts, dtype=pl.String)


def _in_frame(parts: pl.Series, language: Language) -> pl.Series:
    """`render` in a frame: each part is filled by its code's template, so the work
    grows with the parts and the few codes among them, never a template per row."""
    nothing = pl.repeat(None, parts.len(), dtype=pl.String, eager=True).alias(parts.name)
    listed = parts.rename("_parts").to_frame().with_row_index("_row")
    listed = listed.filter(pl.col("_parts").list.len() > 0)
    if listed.is_empty():
        return nothing
    exploded = (
        listed.with_columns(pl.int_ranges(pl.col("_parts").list.len()).alias("_at"))
        .explode("_parts", "_at")
        .unnest("_parts")
    )
    unknown = sorted(set(exploded["code"].unique().to_list()) - set(REASONS), key=str)
    if unknown:
        raise ValueError(f"no reason has the code {unknown!r}")
    wrapping = pl.col("code").is_in([c for c, r in REASONS.items() if r.wraps])
    first = pl.col("_at") == 0
    inner = exploded.filter(~(wrapping & first))
    several = inner["_row"].is_duplicated()
    joined = pl.concat(
        [
            _texts(inner.filter(~several), language).drop("_at"),
            _texts(inner.filter(several), language)
            .group_by("_row", maintain_order=True)
            .agg(pl.col("_text").str.join("; ")),
        ]
    )
    wrappers = exploded.filter(wrapping & first)
    if not wrappers.is_empty():
        wrapped = _texts(
            wrappers.join(joined.rename({"_text": "_rest"}), on="_row", how="left"),
            language,
            rest="_rest",
        ).drop("_at")
        joined = pl.concat([joined.join(wrapped, on="_row", how="anti"), wrapped])
    return nothing.scatter(joined["_row"], joined["_text"])


def english(parts: pl.Series) -> pl.Series:
    """`english_text` of every reason of a column."""
    return render(parts, "english")


def dutch(parts: pl.Series) -> pl.Series:
    """`dutch_text` of every reason of a column."""
    return render(parts, "dutch")


def groups(parts: pl.Series) -> pl.Series:
    """`group_text` of every reason of a column."""
    return render(parts, "group")


def is_reason(column: str, reason: Reason) -> pl.Expr:
    """The reason in `column` is `reason` alone."""
    parts = pl.col(column)
    return (parts.list.len() == 1) & (
        parts.list.first().struct.field("code") == reason.code
    ).fill_null(False)


def reasons_by(frame: pl.LazyFrame, key: str, *found: tuple[pl.Expr, pl.Expr]) -> pl.LazyFrame:
    """The reason (`parts`) of each row of `frame` (by its column `key`) made of the parts
    whose condition holds, in order: `found` is pairs of a condition and a reason
    (`PARTS`). Only rows with a reason are returned, to be joined back.

    Each reason is a column, null where its condition does not hold; the columns
    are turned into rows and the parts of a row put together. A list of lists made
    on every row and then mostly dropped costs many times more (`concat_list` of
    nested lists), and a filter of the frame per condition computes the frame once
    per condition.
    """
    wide = frame.select(key, *(pl.when(w).then(p).alias(f"{i}") for i, (w, p) in enumerate(found)))
    return (
        wide.unpivot(index=key, variable_name="_at", value_name="parts")
        .filter(pl.col("parts").is_not_null())
        .with_columns(pl.col("_at").cast(pl.UInt32))
        .sort(key, "_at")
        .group_by(key, maintain_order=True)
        .agg(pl.col("parts").list.explode(keep_nulls=False, empty_as_null=False))
    )
