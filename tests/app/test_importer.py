"""Importing a provider's export: aliases, what it changes, stamping, refusing repeats."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from fundcalc.app.importer import REGISTRY, ImportReport, header_key, import_column, import_file
from fundcalc.errors import InputError, UsageError
from fundcalc.inputs.log import read_log
from tests.synthetic import tiny_rules

TODAY = date(2026, 11, 24)
RECEIVED = date(2026, 11, 5)
LOG_HEADER = (
    "placement_id,client_id,lot_id,start_date,end_date,brp_municipality,found_municipality,"
    "reflection_start,reflection_end,void,recorded_on"
)
EXISTING = (
    f"{LOG_HEADER}\n"
    "P1,C1,GROOT,2026-10-01,,GM0001,,,,,2026-10-02\n"
    "P2,C2,GROOT,2026-10-03,,GM0002,,,,,2026-10-04\n"
    "P3,C3,GROOT,2026-10-05,,GM0001,,,,,2026-10-06\n"
    "P4,C4,GROOT,2026-10-07,,GM0001,,,,,2026-11-20\n"
)
DUTCH = (
    "PLAATSINGSNUMMER;Clientnummer;perceel;Start-datum;Einddatum;Gemeente_BRP;"
    "Gemeente aangetroffen;Vervallen\n"
    "P1;C1;GROOT;01-10-2026;03-11-2026;GM0001;;\n"
    "P2;C2;GROOT;03-10-2026;;GM0002;;ja\n"
    "P3;C3;GROOT;2026-10-05;;GM0001;;nee\n"
    "P4;C4;GROOT;07-10-2026;10-10-2026;GM0001;;\n"
    "\n"
    "P5;C5;ONBEKEND;01-11-2026;;;GM0003;\n"
    "P6;C6;GROOT;31-02-2026;;GM0001;;\n"
)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "inputs"
    (folder / "placements").mkdir(parents=True)
    (folder / "placements" / "log.csv").write_text(EXISTING, encoding="utf-8")
    return folder


def export(tmp_path: Path, text: str, name: str = "aanlevering.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path: Path, inputs: Path, **options: object) -> ImportReport:
    return import_file(path, RECEIVED, tiny_rules(), inputs, today=TODAY, **options)  # type: ignore[arg-type]


def test_headers_match_by_their_letters_and_digits_without_accents_or_case() -> None:
    assert header_key(" Cliënt_Nummer ") == "clientnummer"
    assert [
        import_column(h)
        for h in ("Cliëntnummer", "CLIENTNUMMER", "Gemeente-BRP", "start bedenktijd", "Remark")
    ] == ["client_id", "client_id", "brp_municipality", "reflection_start", None]


def test_the_header_that_says_reflection_end_is_exclusive_is_read_as_reflection_end() -> None:
    # The first day Justice no longer pays, as end_date is the first day not charged.
    assert import_column("Einde bedenktijd (eerste dag niet meer)") == "reflection_end"
    assert import_column("Einde bedenktijd") == "reflection_end"


def test_an_import_shows_new_changed_unchanged_and_superseded_placements(
    tmp_path: Path, inputs: Path
) -> None:
    report = run_import(export(tmp_path, DUTCH), inputs, dry_run=True)
    assert report.lines() == [
        "aanlevering.csv: 6 rows, recorded on 2026-11-05",
        "new placements: 2",
        "  P5, P6",
        "changed placements: 2",
        "  P1  end_date: (empty) → 2026-11-03",
        "  P2  void: false → true",
        "unchanged placements: 1",
        "not in force, a later version is: 1",
        "  P4  (version of 2026-11-20)",
        "exceptions: 2",
        "  aanlevering.csv:7  P5  unknown lot 'ONBEKEND'",
        "  aanlevering.csv:8  P6  start_date '31-02-2026' is not a date",
        "warnings: 0",
        "not imported (--dry-run)",
    ]
    assert sorted(p.name for p in (inputs / "placements").iterdir()) == ["log.csv"]
    assert not (inputs / REGISTRY).exists()


def test_an_import_writes_the_rows_stamped_on_their_lines_and_records_it(
    tmp_path: Path, inputs: Path
) -> None:
    report = run_import(export(tmp_path, DUTCH), inputs)
    written = inputs / "placements" / "2026-11-05_aanlevering.csv"
    assert report.written == written
    assert written.read_text(encoding="utf-8") == (
        f"{LOG_HEADER}\n"
        "P1,C1,GROOT,01-10-2026,03-11-2026,GM0001,,,,,2026-11-05\n"
        "P2,C2,GROOT,03-10-2026,,GM0002,,,,ja,2026-11-05\n"
        "P3,C3,GROOT,2026-10-05,,GM0001,,,,nee,2026-11-05\n"
        "P4,C4,GROOT,07-10-2026,10-10-2026,GM0001,,,,,2026-11-05\n"
        "\n"
        "P5,C5,ONBEKEND,01-11-2026,,,GM0003,,,,2026-11-05\n"
        "P6,C6,GROOT,31-02-2026,,GM0001,,,,,2026-11-05\n"
    )
    registry = (inputs / REGISTRY).read_text(encoding="utf-8").splitlines()
    assert registry[0] == "file,source,source_sha256,recorded_on,rows"
    assert registry[1].startswith("2026-11-05_aanlevering.csv,aanlevering.csv,")
    assert registry[1].endswith(",2026-11-05,6")
    log = read_log(inputs)
    assert log.rows.filter(log.rows["source"] == written.name)["line"].to_list() == [
        2,
        3,
        4,
        5,
        7,
        8,
    ]


def test_the_same_content_is_refused_a_second_time_under_any_name(
    tmp_path: Path, inputs: Path
) -> None:
    run_import(export(tmp_path, DUTCH), inputs)
    again = export(tmp_path, DUTCH, "kopie.csv")
    with pytest.raises(InputError) as error:
        run_import(again, inputs)
    assert str(error.value) == (
        "kopie.csv: was imported before (the same content as aanlevering.csv, recorded on"
        " 2026-11-05, in placements/2026-11-05_aanlevering.csv); it is not imported again"
    )
    assert len((inputs / REGISTRY).read_text().splitlines()) == 2


def test_an_xlsx_export_keeps_its_excel_row_numbers(tmp_path: Path, inputs: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Aanlevering Opvang Oost, november"])
    sheet.append([])
    sheet.append(["Plaatsingsnummer", "Cliëntnummer", "Perceel", "Startdatum", "Gemeente BRP"])
    sheet.append(["P7", "C7", "GROOT", date(2026, 11, 1), "GM0001"])
    sheet.append(["P8", "C8", "GROOT", "gisteren", "GM0001"])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "oost.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(InputError) as error:
        run_import(path, inputs)
    # The title in A1 is taken for the header: the real header is not found.
    assert str(error.value).startswith("oost.xlsx: line 1: no column for placement_id")
    del sheet["A1"]
    sheet.delete_rows(1)
    book.save(buffer := io.BytesIO())
    path.write_bytes(buffer.getvalue())
    report = run_import(path, inputs)
    assert report.lines()[-4:] == [
        "exceptions: 1",
        "  oost.xlsx:4  P8  start_date 'gisteren' is not a date",
        "warnings: 0",
        f"imported as {inputs / 'placements' / '2026-11-05_oost.csv'}",
    ]
    rows = read_log(inputs).rows
    assert rows.filter(rows["placement_id"] == "P8")["line"].to_list() == [4]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "placement_id,client_id,lot_id,start_date,recorded_on\nP1,C1,GROOT,2026-10-01,x\n",
            "e.csv: has a recorded_on column; import stamps every row with --recorded-on:"
            " remove the column, or put the file in inputs/placements/ as it is",
        ),
        (
            "Plaatsingsnummer;Perceel;Startdatum\nP1;GROOT;2026-10-01\n",
            "e.csv: line 1: no column for client_id (Cliëntnummer, Cliënt, Cliëntcode)",
        ),
        (
            "Plaatsingsnummer;placement_id;Cliëntnummer;Perceel;Startdatum\n",
            "e.csv: line 1: column 'placement_id' (column 2) names the same as"
            " 'Plaatsingsnummer' (column 1)",
        ),
        (
            "Plaatsingsnummer;Cliëntnummer;Perceel;Startdatum\nP1;C1;GROOT;2026-10-01;Den Haag\n"
            "P2;C2;GROOT;2026-10-01;a;b\n",
            "e.csv: line 2: the row has 5 fields where the header has 4 (and 1 more row);"
            " correct the file and import it again",
        ),
        (
            "Plaatsingsnummer;Cliëntnummer;Perceel;Startdatum\n;;;\n",
            "e.csv: has no rows to import",
        ),
    ],
)
def test_an_export_that_cannot_be_imported_as_it_is_is_refused(
    tmp_path: Path, inputs: Path, text: str, message: str
) -> None:
    with pytest.raises(InputError) as error:
        run_import(export(tmp_path, text, "e.csv"), inputs)
    assert str(error.value) == message
    assert sorted(p.name for p in (inputs / "placements").iterdir()) == ["log.csv"]


def test_a_day_after_today_or_a_file_from_the_log_itself_is_bad_usage(
    tmp_path: Path, inputs: Path
) -> None:
    path = export(tmp_path, DUTCH)
    with pytest.raises(UsageError) as error:
        import_file(path, date(2026, 11, 25), tiny_rules(), inputs, today=TODAY)
    assert str(error.value) == (
        "--recorded-on 2026-11-25 is after today (2026-11-24): give the day the file was received"
    )
    inside = inputs / "placements" / "log.csv"
    with pytest.raises(UsageError) as error:
        run_import(inside, inputs)
    assert str(error.value) == (
        f"{inside}: is in the log already (inputs/placements/); import a file from elsewhere"
    )


def test_a_first_import_creates_the_log_folder(tmp_path: Path) -> None:
    inputs = tmp_path / "fresh"
    report = run_import(export(tmp_path, DUTCH), inputs)
    assert report.new == ("P1", "P2", "P3", "P4", "P5", "P6")
    assert [f.name for f in read_log(inputs).files] == ["2026-11-05_aanlevering.csv"]


#: Every row an exception: a day that is no date, a lot the rules do not know, no id.
ALL_BAD = (
    "Plaatsingsnummer;Cliëntnummer;Perceel;Startdatum;Gemeente BRP\n"
    "P7;C7;GROOT;31-02-2026;GM0001\n"
    "P8;C8;ONBEKEND;01-11-2026;GM0001\n"
    ";C9;GROOT;01-11-2026;GM0001\n"
)


def test_an_export_of_which_every_row_is_an_exception_is_added_only_with_force(
    tmp_path: Path, inputs: Path
) -> None:
    # Before: imported with exit 0, while the dry run of the same file exited 1.
    path = export(tmp_path, ALL_BAD)
    report = run_import(path, inputs)
    assert (report.written, report.exceptions) == (None, 3)
    assert report.lines()[-1] == (
        "not imported: every row has an exception, so none of it would count; ask the provider"
        " for a corrected export, or give --force to import it as it is"
    )
    assert sorted(p.name for p in (inputs / "placements").iterdir()) == ["log.csv"]
    assert not (inputs / REGISTRY).exists()
    forced = run_import(path, inputs, force=True)
    assert forced.written == inputs / "placements" / "2026-11-05_aanlevering.csv"
    assert forced.refused is None


def test_an_export_with_one_usable_row_is_added_with_its_exceptions(
    tmp_path: Path, inputs: Path
) -> None:
    report = run_import(export(tmp_path, ALL_BAD + "P10;C10;GROOT;01-11-2026;GM0001\n"), inputs)
    assert (report.exceptions, report.refused) == (3, None)
    assert report.written == inputs / "placements" / "2026-11-05_aanlevering.csv"


def test_the_same_rows_saved_again_in_another_encoding_are_imported_with_a_warning(
    tmp_path: Path, inputs: Path
) -> None:
    # Before: other bytes, so not "imported before": added again without a word.
    text = DUTCH.replace("Clientnummer", "Cliëntnummer")
    first = run_import(export(tmp_path, text), inputs)
    assert first.written is not None
    ansi = tmp_path / "aanlevering-ansi.csv"
    ansi.write_bytes(text.encode("cp1252"))  # as Dutch Excel saves a CSV
    again = import_file(ansi, date(2026, 11, 20), tiny_rules(), inputs, today=TODAY)
    warnings = again.findings.filter(again.findings["kind"] == "warning")
    assert warnings.select("source", "line", "reason").rows() == [
        (
            "aanlevering-ansi.csv",
            1,
            "the file is not UTF-8 and was read as Windows-1252 (ANSI), as Dutch Excel saves"
            " 'CSV (gescheiden door lijstscheidingsteken)': check its accented letters",
        ),
        (
            "aanlevering-ansi.csv",
            None,
            "the same rows as placements/2026-11-05_aanlevering.csv, imported from"
            " aanlevering.csv recorded on 2026-11-05: this export was imported before (saved"
            " again, in another encoding or format?); importing it again changes nothing",
        ),
    ]
    assert again.written == inputs / "placements" / "2026-11-20_aanlevering-ansi.csv"


def test_other_rows_of_the_same_size_are_no_repeat(tmp_path: Path, inputs: Path) -> None:
    run_import(export(tmp_path, DUTCH), inputs)
    other = export(tmp_path, DUTCH.replace("P6;C6", "P9;C9"), "ander.csv")
    report = run_import(other, inputs, dry_run=True)
    assert "the same rows" not in "\n".join(report.lines())
