"""Reasons as codes with values: the English each code always gave, its Dutch, its group."""

from __future__ import annotations

import polars as pl
import pytest

from fundcalc.base import reasons as r
from fundcalc.base.reasons import (
    PARTS,
    REASONS,
    Part,
    Reason,
    dutch,
    dutch_text,
    english,
    english_text,
    group_text,
    groups,
    is_reason,
    parts_of,
    parts_series,
    reasons_by,
)

#: One example of every code: its values, the English the findings have always had for
#: them (exceptions.csv, ledger.parquet: spec text), its Dutch and its group.
EXAMPLES: list[tuple[Part, str, str, str]] = [
    (
        r.TOO_MANY_FIELDS(12, 11),
        "the row has 12 fields where the header has 11",
        "de regel heeft 12 velden waar de kopregel er 11 heeft",
        "de regel heeft … velden waar de kopregel er … heeft",
    ),
    (
        r.BEYOND_HEADER("M, N"),
        "the row has values right of the header (column M, N)",
        "de regel heeft waarden rechts van de kopregel (kolom M, N)",
        "de regel heeft waarden rechts van de kopregel (kolom …)",
    ),
    (
        r.INEXACT_NUMBER("client_id"),
        "client_id: a number of more than 15 digits cannot be read exactly;"
        " store it as text in Excel",
        "client_id: een getal van meer dan 15 cijfers is niet precies te lezen;"
        " sla het in Excel op als tekst",
        "client_id: een getal van meer dan 15 cijfers is niet precies te lezen;"
        " sla het in Excel op als tekst",
    ),
    (
        r.BEFORE_1900("start_date"),
        "start_date: a date before 1900 (an Excel date serial below 1)",
        "start_date: een datum voor 1900 (een Excel-datumgetal onder 1)",
        "start_date: een datum voor 1900 (een Excel-datumgetal onder 1)",
    ),
    (
        r.WINDOWS_1252(),
        "the file is not UTF-8 and was read as Windows-1252 (ANSI), as Dutch Excel saves"
        " 'CSV (gescheiden door lijstscheidingsteken)': check its accented letters",
        "het bestand is geen UTF-8 en is gelezen als Windows-1252 (ANSI), zoals Excel"
        " 'CSV (gescheiden door lijstscheidingsteken)' opslaat: controleer de letters met accenten",
        "het bestand is geen UTF-8 en is gelezen als Windows-1252 (ANSI), zoals Excel"
        " 'CSV (gescheiden door lijstscheidingsteken)' opslaat: controleer de letters met accenten",
    ),
    (
        r.EMPTY_FILE(),
        "the file is empty: no header and no rows",
        "leeg: geen kopregel en geen regels",
        "leeg: geen kopregel en geen regels",
    ),
    (
        r.EMPTY_SHEET(),
        "the sheet is empty: no header and no rows",
        "leeg: geen kopregel en geen regels",
        "leeg: geen kopregel en geen regels",
    ),
    (
        r.UNKNOWN_COLUMN("Opmerking"),
        "unknown column 'Opmerking' is ignored",
        "onbekende kolom 'Opmerking' genegeerd",
        "onbekende kolom '…' genegeerd",
    ),
    (
        r.UNNAMED_COLUMN(3),
        "column 3 has no name and is ignored",
        "kolom 3 heeft geen naam en is genegeerd",
        "kolom … heeft geen naam en is genegeerd",
    ),
    (
        r.MISSING_COLUMNS("days, received_on"),
        "no column days, received_on",
        "geen kolom days, received_on",
        "geen kolom …",
    ),
    (
        r.NOT_READ("is a symbolic link"),
        "is a symbolic link: not read and not archived; put the file itself in the log",
        "is a symbolic link: niet gelezen en niet gearchiveerd; zet het bestand zelf in het log",
        "…: niet gelezen en niet gearchiveerd; zet het bestand zelf in het log",
    ),
    (
        r.TOO_LONG("lot_id", 100),
        "lot_id is longer than 100 characters",
        "lot_id is langer dan 100 tekens",
        "lot_id is langer dan … tekens",
    ),
    (
        r.NOT_A_DATE("start_date", "31-02-2026"),
        "start_date '31-02-2026' is not a date",
        "start_date '31-02-2026' is geen datum",
        "start_date '…' is geen datum",
    ),
    (
        r.VOID_UNREADABLE("x"),
        "void 'x' is not true/false, ja/nee or 1/0",
        "void 'x' is niet true/false, ja/nee of 1/0",
        "void '…' is niet true/false, ja/nee of 1/0",
    ),
    (r.NO_VALUE("recorded_on"), "no recorded_on", "recorded_on ontbreekt", "recorded_on ontbreekt"),
    (r.MISSING("client_id"), "client_id is missing", "client_id ontbreekt", "client_id ontbreekt"),
    (
        r.NO_MUNICIPALITY(),
        "found_municipality is missing (no brp_municipality)",
        "found_municipality ontbreekt (brp_municipality ook)",
        "found_municipality ontbreekt (brp_municipality ook)",
    ),
    (
        r.END_BEFORE_START(),
        "end_date before start_date",
        "end_date ligt voor start_date",
        "end_date ligt voor start_date",
    ),
    (
        r.CONFLICTING_VERSIONS("a.csv:2, b.csv:7"),
        "conflicting versions recorded on the same day (a.csv:2, b.csv:7)",
        "tegenstrijdige versies op dezelfde dag vastgelegd (a.csv:2, b.csv:7)",
        "tegenstrijdige versies op dezelfde dag vastgelegd (…)",
    ),
    (r.UNKNOWN_LOT("=X"), "unknown lot '=X'", "onbekend perceel '=X'", "onbekend perceel '…'"),
    (
        r.NO_TERMS("L"),
        "lot L has no terms on these days",
        "perceel L heeft op deze dagen geen voorwaarden",
        "perceel … heeft op deze dagen geen voorwaarden",
    ),
    (
        r.NO_CENTRUMGEMEENTE("GM9"),
        "no centrumgemeente for municipality 'GM9'",
        "geen centrumgemeente voor gemeente 'GM9'",
        "geen centrumgemeente voor gemeente '…'",
    ),
    (
        r.NOT_A_MEMBER("GM0003"),
        "centrumgemeente GM0003 is not a member of the fund",
        "centrumgemeente GM0003 is geen lid van het fonds",
        "centrumgemeente … is geen lid van het fonds",
    ),
    (
        r.NOT_ELIGIBLE(),
        "not eligible (toetsing): moved from the fund",
        "geen doelgroep (toetsing): niet uit het fonds betaald",
        "geen doelgroep (toetsing): niet uit het fonds betaald",
    ),
    (
        r.NOT_ELIGIBLE_NOT_A_MEMBER(),
        "not eligible (toetsing); not a member of the fund",
        "geen doelgroep (toetsing); geen lid van het fonds",
        "geen doelgroep (toetsing); geen lid van het fonds",
    ),
    (
        r.UNKNOWN_MUNICIPALITY("GM9999"),
        "unknown municipality code 'GM9999'",
        "onbekende gemeentecode 'GM9999'",
        "onbekende gemeentecode '…'",
    ),
    (
        r.FUND_LOT_REFLECTION(),
        "reflection dates on a fund lot are ignored",
        "bedenktijd op een fondsperceel genegeerd",
        "bedenktijd op een fondsperceel genegeerd",
    ),
    (
        r.REFLECTION_TOO_LONG(3, "2026-11-01"),
        "reflection period longer than 3 months: from 2026-11-01 the days are charged"
        " to the centrumgemeente",
        "bedenktijd langer dan 3 maanden: vanaf 2026-11-01 betaalt de centrumgemeente de dagen",
        "bedenktijd langer dan … maanden: vanaf … betaalt de centrumgemeente de dagen",
    ),
    (
        r.REFLECTION_TOO_LONG_A_MONTH("2026-09-01"),
        "reflection period longer than 1 month: from 2026-09-01 the days are charged"
        " to the centrumgemeente",
        "bedenktijd langer dan 1 maand: vanaf 2026-09-01 betaalt de centrumgemeente de dagen",
        "bedenktijd langer dan 1 maand: vanaf … betaalt de centrumgemeente de dagen",
    ),
    (
        r.REFLECTION_BEFORE_START(),
        "reflection_end before reflection_start: no reflection window",
        "reflection_end ligt voor reflection_start: geen bedenktijd",
        "reflection_end ligt voor reflection_start: geen bedenktijd",
    ),
    (
        r.REFLECTION_WITHOUT_START(),
        "reflection_end without reflection_start: no reflection window",
        "reflection_end zonder reflection_start: geen bedenktijd",
        "reflection_end zonder reflection_start: geen bedenktijd",
    ),
    (
        r.DOUBLE_PLACEMENT("P7"),
        "the same client is also in placement P7 on these days (possible double billing)",
        "dezelfde cliënt staat op deze dagen ook in plaatsing P7 (mogelijk dubbel gefactureerd)",
        "dezelfde cliënt staat op deze dagen ook in plaatsing … (mogelijk dubbel gefactureerd)",
    ),
    (
        r.LONG_STAY("2025-09-15"),
        "stay longer than a year (since 2025-09-15)",
        "verblijf langer dan een jaar (sinds 2025-09-15)",
        "verblijf langer dan een jaar (sinds …)",
    ),
    (
        r.OVER_CAPACITY("K", 1, 2),
        "lot K: more placements than contracted places (1) on these days, at most 2 on a day",
        "perceel K: meer plaatsingen dan gecontracteerde plaatsen (1) op deze dagen,"
        " hoogstens 2 op een dag",
        "perceel …: meer plaatsingen dan gecontracteerde plaatsen (…) op deze dagen,"
        " hoogstens … op een dag",
    ),
    (
        r.VERDICT_UNREADABLE(),
        "verdict cannot be read: ",
        "oordeel onleesbaar: ",
        "oordeel onleesbaar: ",
    ),
    (
        r.ELIGIBLE_EMPTY(),
        "eligible is empty: no verdict",
        "eligible is leeg: nog geen oordeel",
        "eligible is leeg: nog geen oordeel",
    ),
    (
        r.ELIGIBLE_UNREADABLE("misschien"),
        "eligible 'misschien' is not ja/nee, true/false or 1/0",
        "eligible 'misschien' is niet ja/nee, true/false of 1/0",
        "eligible '…' is niet ja/nee, true/false of 1/0",
    ),
    (
        r.CONFLICTING_VERDICTS("2026-10-15"),
        "conflicting verdicts decided on the same day (2026-10-15): they change nothing",
        "tegenstrijdige oordelen op dezelfde dag (2026-10-15): zij veranderen niets",
        "tegenstrijdige oordelen op dezelfde dag (…): zij veranderen niets",
    ),
    (
        r.NOT_AN_INVOICE_VERSION(),
        "not an invoice version: ",
        "geen versie van een factuur: ",
        "geen versie van een factuur: ",
    ),
    (
        r.INVOICE_REJECTED("GROOT", "2026-10"),
        ": the invoice of lot GROOT for 2026-10 is rejected",
        ": de factuur van perceel GROOT voor 2026-10 is afgewezen",
        ": de factuur van perceel … voor … is afgewezen",
    ),
    (
        r.INVOICE_REPLACED("KLEIN", "2026-10"),
        ": replaced by a later invoice of lot KLEIN for 2026-10",
        ": vervangen door een latere factuur van perceel KLEIN voor 2026-10",
        ": vervangen door een latere factuur van perceel … voor …",
    ),
    (
        r.INVOICE_CONFLICT("2026-11-01", "invoices/i.csv:2, invoices/i.csv:3"),
        "conflicts with another row received on 2026-11-01 (invoices/i.csv:2, invoices/i.csv:3)",
        "tegenstrijdig met een andere regel ontvangen op 2026-11-01"
        " (invoices/i.csv:2, invoices/i.csv:3)",
        "tegenstrijdig met een andere regel ontvangen op … (…)",
    ),
    (
        r.NOT_A_MONTH("2026-13"),
        "period '2026-13' is not a month like 2025-01",
        "period '2026-13' is geen maand zoals 2025-01",
        "period '…' is geen maand zoals 2025-01",
    ),
    (
        r.NOT_WHOLE_DAYS("4.0"),
        "days '4.0' is not a whole number",
        "days '4.0' is geen geheel getal",
        "days '…' is geen geheel getal",
    ),
    (
        r.TOO_MANY_DECIMALS("day_amount", "40.123"),
        "day_amount '40.123' has more than 2 decimals",
        "day_amount '40.123' heeft meer dan 2 decimalen",
        "day_amount '…' heeft meer dan 2 decimalen",
    ),
    (
        r.NOT_AN_AMOUNT("availability_amount", "x"),
        "availability_amount 'x' is not an amount in euros like 236,40 or 236.40",
        "availability_amount 'x' is geen bedrag in euro zoals 236,40 of 236.40",
        "availability_amount '…' is geen bedrag in euro zoals 236,40 of 236.40",
    ),
    (
        r.LOT_NOT_IN_RULES("LOT-X"),
        "lot 'LOT-X' is not in the rules",
        "perceel 'LOT-X' staat niet in de regels",
        "perceel '…' staat niet in de regels",
    ),
    (
        r.IMPORTED_BEFORE("placements/2026-10-05_export.csv", "export.xlsx", "2026-10-05"),
        "the same rows as placements/2026-10-05_export.csv, imported from export.xlsx recorded"
        " on 2026-10-05: this export was imported before (saved again, in another encoding or"
        " format?); importing it again changes nothing",
        "dezelfde regels als placements/2026-10-05_export.csv, geïmporteerd uit export.xlsx"
        " vastgelegd op 2026-10-05: deze export is al eerder geïmporteerd (opnieuw opgeslagen,"
        " in een andere codering of indeling?); opnieuw importeren verandert niets",
        "dezelfde regels als …, geïmporteerd uit … vastgelegd op …: deze"
        " export is al eerder geïmporteerd (opnieuw opgeslagen, in een andere codering of"
        " indeling?); opnieuw importeren verandert niets",
    ),
    (
        r.TOO_LATE("2026-05-02", "2026-01", "2026-02-05", 3),
        "too late to correct: recorded on 2026-05-02, it changes 2026-01, closed as of"
        " 2026-02-05 and beyond the 3-month lookback",
        "te laat om te corrigeren: vastgelegd op 2026-05-02, dit verandert 2026-01, afgesloten"
        " per 2026-02-05 en buiten de terugblik van 3 maanden",
        "te laat om te corrigeren: vastgelegd op …, dit verandert …, afgesloten"
        " per … en buiten de terugblik van … maanden",
    ),
    (
        r.TOO_LATE_VERDICT("2026-05-02", "2026-01", "2026-02-05", 3),
        "too late to correct: the verdict decided on 2026-05-02 changes 2026-01, closed as of"
        " 2026-02-05 and beyond the 3-month lookback",
        "te laat om te corrigeren: het oordeel van 2026-05-02 verandert 2026-01, afgesloten"
        " per 2026-02-05 en buiten de terugblik van 3 maanden",
        "te laat om te corrigeren: het oordeel van … verandert …, afgesloten"
        " per … en buiten de terugblik van … maanden",
    ),
]

#: Reasons of several parts, and parts that wrap others, as findings have them.
COMPOSED: list[tuple[tuple[Part, ...], str, str, str]] = [
    (
        (r.MISSING("client_id"), r.NO_MUNICIPALITY()),
        "client_id is missing; found_municipality is missing (no brp_municipality)",
        "client_id ontbreekt; found_municipality ontbreekt (brp_municipality ook)",
        "client_id ontbreekt; found_municipality ontbreekt (brp_municipality ook)",
    ),
    (
        (r.TOO_MANY_FIELDS(13, 11), r.NO_VALUE("placement_id")),
        "the row has 13 fields where the header has 11; no placement_id",
        "de regel heeft 13 velden waar de kopregel er 11 heeft; placement_id ontbreekt",
        "de regel heeft … velden waar de kopregel er … heeft; placement_id ontbreekt",
    ),
    (
        (
            r.VERDICT_UNREADABLE(),
            r.ELIGIBLE_UNREADABLE("misschien"),
            r.NOT_A_DATE("decided_on", "gisteren"),
        ),
        "verdict cannot be read: eligible 'misschien' is not ja/nee, true/false or 1/0;"
        " decided_on 'gisteren' is not a date",
        "oordeel onleesbaar: eligible 'misschien' is niet ja/nee, true/false of 1/0;"
        " decided_on 'gisteren' is geen datum",
        "oordeel onleesbaar: eligible '…' is niet ja/nee, true/false of 1/0;"
        " decided_on '…' is geen datum",
    ),
    (
        (r.NOT_AN_INVOICE_VERSION(), r.NO_VALUE("lot_id")),
        "not an invoice version: no lot_id",
        "geen versie van een factuur: lot_id ontbreekt",
        "geen versie van een factuur: lot_id ontbreekt",
    ),
    (
        (
            r.INVOICE_REJECTED("GROOT", "2026-10"),
            r.INVOICE_CONFLICT("2026-11-01", "invoices/i.csv:2, invoices/i.csv:3"),
        ),
        "conflicts with another row received on 2026-11-01 (invoices/i.csv:2, invoices/i.csv:3):"
        " the invoice of lot GROOT for 2026-10 is rejected",
        "tegenstrijdig met een andere regel ontvangen op 2026-11-01"
        " (invoices/i.csv:2, invoices/i.csv:3): de factuur van perceel GROOT voor 2026-10"
        " is afgewezen",
        "tegenstrijdig met een andere regel ontvangen op … (…): de factuur van perceel …"
        " voor … is afgewezen",
    ),
    (
        (
            r.INVOICE_REPLACED("KLEIN", "2026-10"),
            r.NOT_AN_AMOUNT("day_amount", "abc"),
            r.TOO_LONG("invoice_id", 100),
        ),
        "day_amount 'abc' is not an amount in euros like 236,40 or 236.40;"
        " invoice_id is longer than 100 characters:"
        " replaced by a later invoice of lot KLEIN for 2026-10",
        "day_amount 'abc' is geen bedrag in euro zoals 236,40 of 236.40;"
        " invoice_id is langer dan 100 tekens:"
        " vervangen door een latere factuur van perceel KLEIN voor 2026-10",
        "day_amount '…' is geen bedrag in euro zoals 236,40 of 236.40;"
        " invoice_id is langer dan … tekens:"
        " vervangen door een latere factuur van perceel … voor …",
    ),
]

ALL = [((part,), e, d, g) for part, e, d, g in EXAMPLES] + COMPOSED


@pytest.fixture(autouse=True, params=["frame", "one by one"])
def rendering(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test twice: columns rendered as frames, and reason by reason (short ones)."""
    if request.param == "frame":
        monkeypatch.setattr(r, "ONE_BY_ONE", -1)


def test_every_code_has_an_example_and_one_entry() -> None:
    assert sorted(part.code for part, *_ in EXAMPLES) == sorted(REASONS)
    assert len({reason.code for reason in REASONS.values()}) == len(REASONS)


@pytest.mark.parametrize(("part", "english_", "dutch_", "group"), EXAMPLES, ids=lambda v: "")
def test_a_code_gives_the_english_findings_always_had_and_its_dutch(
    part: Part, english_: str, dutch_: str, group: str
) -> None:
    assert REASONS[part.code].text(*part.values) == english_
    assert (english_text((part,)), dutch_text((part,)), group_text((part,))) == (
        english_,
        dutch_,
        group,
    )


@pytest.mark.parametrize(("parts", "english_", "dutch_", "group"), COMPOSED, ids=lambda v: "")
def test_the_parts_of_a_reason_are_joined_and_a_wrapping_part_holds_the_rest(
    parts: tuple[Part, ...], english_: str, dutch_: str, group: str
) -> None:
    assert (english_text(parts), dutch_text(parts), group_text(parts)) == (
        english_,
        dutch_,
        group,
    )


def test_a_column_of_reasons_renders_as_each_reason_alone_and_keeps_its_nulls() -> None:
    reasons = [None, *(parts for parts, *_ in ALL), (), None]
    column = parts_series(reasons)
    assert column.dtype == PARTS
    expected = [[None, *(texts[i] for _, *texts in ALL), None, None] for i in range(3)]
    assert english(column).to_list() == expected[0]
    assert dutch(column).to_list() == expected[1]
    assert groups(column).to_list() == expected[2]
    assert [parts_of(p) for p in column.to_list()] == [r or () for r in reasons]


def test_a_reason_on_many_rows_is_given_to_each_of_them_in_place() -> None:
    one, two = (r.NOT_A_DATE("start_date", "#####"),), (r.UNKNOWN_LOT("X9"),)
    column = parts_series([one, None, two, one, (), one, two, None, (two[0], one[0])])
    assert english(column).to_list() == [
        "start_date '#####' is not a date",
        None,
        "unknown lot 'X9'",
        "start_date '#####' is not a date",
        None,
        "start_date '#####' is not a date",
        "unknown lot 'X9'",
        None,
        "unknown lot 'X9'; start_date '#####' is not a date",
    ]


def test_the_parts_of_each_reason_keep_their_order_whatever_the_other_reasons() -> None:
    one, two = r.MISSING("client_id"), r.NOT_A_DATE("start_date", "x")
    column = parts_series([(one, two), (two, one), (r.VERDICT_UNREADABLE(), two, one)])
    assert english(column).to_list() == [
        "client_id is missing; start_date 'x' is not a date",
        "start_date 'x' is not a date; client_id is missing",
        "verdict cannot be read: start_date 'x' is not a date; client_id is missing",
    ]


def test_a_reason_made_in_a_frame_is_the_reason_made_in_python() -> None:
    frame = pl.DataFrame({"lot": ["A1", "B2"], "fields": [12, 13]})
    made = frame.select(
        r.UNKNOWN_LOT.parts("lot").alias("one"),
        pl.concat_list(
            r.TOO_MANY_FIELDS.part(pl.col("fields"), pl.lit(11)),
            r.MISSING.part(pl.lit("client_id")),
        ).alias("two"),
    )
    assert [parts_of(p) for p in made["one"].to_list()] == [
        (r.UNKNOWN_LOT("A1"),),
        (r.UNKNOWN_LOT("B2"),),
    ]
    assert english(made["two"]).to_list() == [
        "the row has 12 fields where the header has 11; client_id is missing",
        "the row has 13 fields where the header has 11; client_id is missing",
    ]


def test_the_parts_whose_condition_holds_make_one_reason_in_order() -> None:
    frame = pl.DataFrame(
        {"k": [1, 2, 3, 4], "a": [None, "x", None, "y"], "b": [None, None, "z", "w"]}
    )
    made = reasons_by(
        frame.lazy(),
        "k",
        (pl.col("a").is_not_null(), r.UNKNOWN_LOT.parts("a")),
        (pl.col("b").is_not_null(), r.MISSING.parts("b")),
    ).collect()
    assert made["k"].to_list() == [2, 3, 4]
    assert english(made["parts"]).to_list() == [
        "unknown lot 'x'",
        "z is missing",
        "unknown lot 'y'; w is missing",
    ]


def test_a_reason_alone_is_found_by_its_code() -> None:
    column = parts_series(
        [(r.NOT_ELIGIBLE(),), None, (r.NOT_ELIGIBLE(), r.MISSING("x")), (r.END_BEFORE_START(),)]
    )
    found = column.to_frame("reason").select(is_reason("reason", r.NOT_ELIGIBLE)).to_series()
    assert found.to_list() == [True, False, False, False]


def test_a_code_of_no_reason_or_a_wrong_number_of_values_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no reason has the code"):
        english(parts_series([(Part("no_such_code"),)]))
    with pytest.raises(ValueError, match="no reason has the code"):
        english_text((Part("no_such_code"),))
    with pytest.raises(ValueError, match=r"unknown_lot has 1 values \('lot',\), not 2"):
        r.UNKNOWN_LOT("a", "b")
    with pytest.raises(ValueError, match="has 1 values"):
        r.UNKNOWN_LOT.part()


def test_a_reason_needs_the_same_placeholders_in_both_languages_and_names_among_them() -> None:
    with pytest.raises(ValueError, match="the same placeholders"):
        Reason("x", "lot {lot}", "perceel {perceel}")
    with pytest.raises(ValueError, match="the same placeholders"):
        Reason("x", "lot {lot} {lot}", "perceel {lot} {lot}")
    with pytest.raises(ValueError, match="are no placeholders"):
        Reason("x", "lot {lot}", "perceel {lot}", frozenset({"column"}))


def test_a_value_without_text_fills_its_gap_with_nothing() -> None:
    column = pl.Series(
        "parts", [[{"code": "unknown_lot", "values": [None]}], None, []], dtype=PARTS
    )
    assert english(column).to_list() == ["unknown lot ''", None, None]
    assert english_text(parts_of(column.to_list()[0])) == "unknown lot ''"
