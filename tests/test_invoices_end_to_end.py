"""End to end: a month's invoices with every status, a correction, a late invoice, a Dutch
file and an unreadable amount; the import of an invoice export; a close that replays."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundcalc.cli import main
from tests.reference.invoices import (
    INVOICE_FIELDS,
    invoice_rows,
    invoices_csv,
    read_csv_rows,
    scenario_from_files,
)

EXAMPLE = Path(__file__).resolve().parent / "data" / "invoices-january-2025"
AS_OF = "2025-03-01"
AS_OF_DATE = date(2025, 3, 1)
#: Three lots more than the worked example: G (no stays: availability only), H (its invoice
#: cannot be read) and M (nobody invoices it).
MORE_LOTS = """
[[lot]]
id = "G"
provider = "r"
group = "STALKING"
[[lot.terms]]
valid_from = 2025-01-01
places = 2
day_tariff = "20.00"
availability_tariff = "2.00"
[[lot]]
id = "H"
provider = "s"
group = "DREIGING"
[[lot.terms]]
valid_from = 2025-01-01
places = 1
day_tariff = "5.00"
availability_tariff = "0.50"
[[lot]]
id = "M"
provider = "t"
group = "EGG_JONG"
[[lot.terms]]
valid_from = 2025-01-01
places = 1
day_tariff = "10.00"
availability_tariff = "1.00"
"""
PROVIDERS = (
    "invoice_id,lot_id,period,days,day_amount,availability_amount,received_on\n"
    "F-1,F,2025-01,4,40.00,31.00,2025-02-03\n"  # replaced by F-2 in noord.csv
    "X-1,X,2025-01,2,20.00,0.00,2025-02-03\n"  # no such lot
    "G-1,G,2025-01,0,0,124,2025-02-03\n"
    "H-1,H,2025-01,0,0.00,15.505,2025-02-03\n"  # three decimals: cannot be read
    "F-3,F,2025-01,2,20.00,31.00,2025-03-05\n"  # received after the as-of date
)
#: As Dutch Excel saves it: BOM, semicolons, Dutch headers, decimal commas, Dutch dates.
NOORD = (
    "\ufeffFactuurnummer;Perceel;Periode;Dagen;Bedrag dagen;Bedrag beschikbaarheid;Ontvangen op\r\n"
    "F-2;F;2025-01;3;30,00;31,00;10-02-2025\r\n"
    "C-1;C;2025-01;41;210,00;31,00;03-02-2025\r\n"
)
EXPECTED = (
    "period,lot_id,invoice_id,status,invoiced_days,expected_days,invoiced_day_cents,"
    "expected_day_cents,invoiced_availability_cents,expected_availability_cents,approved_cents\r\n"
    "2025-01,C,C-1,differs,41,41,21000,20500,3100,3100,23600\r\n"
    "2025-01,F,F-2,accepted,3,3,3000,3000,3100,3100,6100\r\n"
    "2025-01,G,G-1,accepted,0,0,0,0,12400,12400,12400\r\n"
    "2025-01,H,,rejected,,0,,0,,1550,0\r\n"
    "2025-01,M,,missing,,0,,0,,3100,0\r\n"
    "2025-01,X,X-1,unknown_lot,2,,2000,,0,,0\r\n"
)


@pytest.fixture
def month(tmp_path: Path) -> Path:
    """The worked example's rules with lots G, H and M, its log, and two invoice files."""
    root = tmp_path / "case"
    shutil.copytree(EXAMPLE / "rules", root / "rules")
    with (root / "rules" / "arrangement.toml").open("a") as stream:
        stream.write(MORE_LOTS)
    shutil.copytree(EXAMPLE / "inputs" / "placements", root / "inputs" / "placements")
    (root / "inputs" / "invoices").mkdir()
    (root / "inputs" / "invoices" / "providers.csv").write_text(PROVIDERS)
    (root / "inputs" / "invoices" / "noord.csv").write_bytes(NOORD.encode("utf-8"))
    return root


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _paths(root: Path) -> list[str]:
    return ["--rules", str(root / "rules"), "--inputs", str(root / "inputs")]


def _run(root: Path, *extra: str) -> int:
    code, _ = _invoke("run", *_paths(root), "--out", str(root / "out"), "--period", "2025-01",
                      "--as-of", AS_OF, "--quiet", *extra)  # fmt: skip
    return code


def test_every_status_a_correction_a_late_invoice_and_a_dutch_file(month: Path) -> None:
    assert _run(month) == 0
    assert (month / "out" / "2025-01" / "invoices.csv").read_bytes().decode() == EXPECTED


def test_the_product_agrees_with_the_reference_on_the_case(month: Path) -> None:
    assert _run(month) == 0
    scenario = scenario_from_files(month / "rules", month / "inputs" / "placements")
    # The reference reads the spec's headers only: the Dutch file, renamed to them.
    dutch = dict(
        zip(
            ("factuurnummer", "perceel", "periode", "dagen", "bedrag dagen",
             "bedrag beschikbaarheid", "ontvangen op"),
            INVOICE_FIELDS,
            strict=True,
        )
    )  # fmt: skip
    rows = read_csv_rows(month / "inputs" / "invoices" / "providers.csv")
    rows += [
        {dutch[k]: v for k, v in row.items()}
        for row in read_csv_rows(month / "inputs" / "invoices" / "noord.csv")
    ]
    assert all(set(row) == set(INVOICE_FIELDS) for row in rows)
    reference = invoices_csv(invoice_rows(scenario, rows, 2025, 1, AS_OF_DATE))
    assert (month / "out" / "2025-01" / "invoices.csv").read_bytes().decode() == reference


def test_the_unreadable_amount_is_an_exception_with_file_and_line(month: Path) -> None:
    assert _run(month) == 0
    text = (month / "out" / "2025-01" / "exceptions.csv").read_text(encoding="utf-8-sig")
    assert (
        "exception;invoices/providers.csv;5;;availability_amount '15.505' has more than"
        " 2 decimals: the invoice of lot H for 2025-01 is rejected;"
    ) in text.splitlines()


def test_strict_fails_on_a_difference_and_passes_when_all_are_accepted(month: Path) -> None:
    assert _run(month, "--strict") == 1
    folder = month / "inputs" / "invoices"
    (folder / "providers.csv").unlink()
    (folder / "noord.csv").write_text(
        "invoice_id,lot_id,period,days,day_amount,availability_amount,received_on\n"
        "F-2,F,2025-01,3,30.00,31.00,2025-02-10\n"
        "C-2,C,2025-01,41,205.00,31.00,2025-02-10\n"
        "G-2,G,2025-01,0,0.00,124.00,2025-02-10\n"
        "H-2,H,2025-01,0,0.00,15.50,2025-02-10\n"
        "M-2,M,2025-01,0,0.00,31.00,2025-02-10\n"
    )
    assert _run(month, "--strict") == 0


def test_the_workbook_has_the_facturen_sheet_and_the_summary_the_totals(month: Path) -> None:
    import openpyxl

    assert _run(month) == 0
    book = openpyxl.load_workbook(month / "out" / "2025-01" / "report.xlsx", read_only=True)
    assert book.sheetnames[3] == "Facturen"
    rows = [r for r in book["Facturen"].iter_rows(values_only=True) if any(r)]
    header = rows.index(next(r for r in rows if r[0] == "Aanbieder"))
    body = {r[1]: r for r in rows[header + 1 : header + 7]}
    assert body["C"][3] == "afwijking" and body["C"][-1] == "dagtarief boven het contract"
    assert body["F"][3] == "akkoord"
    assert body["H"][3] == "afgewezen" and body["M"][3] == "ontbreekt"
    assert body["X"][3] == "onbekend perceel" and body["X"][0] == "(onbekend)"
    assert float(body["C"][13]) == 5.00  # invoiced − expected, in euros
    total = rows[header + 7]
    assert total[0] == "Totaal" and float(total[14]) == 236.00 + 61.00 + 124.00
    summary = {r[0]: r for r in book["Samenvatting"].iter_rows(values_only=True) if r and r[0]}
    assert float(summary["Gefactureerd"][1]) == 241.00 + 61.00 + 124.00 + 20.00
    assert float(summary["Goedgekeurd om te betalen"][1]) == 421.00
    accounts = [r for r in book["Verantwoording"].iter_rows(values_only=True) if r and r[0]]
    start = next(i for i, r in enumerate(accounts) if r[0] == "Factuurbestand") + 1
    files = [r[0] for r in accounts[start:]]
    assert files[:2] == ["noord.csv", "providers.csv"]


def test_a_close_with_invoices_archives_them_and_replays_identically(month: Path) -> None:
    out = str(month / "out")
    code, output = _invoke("close", *_paths(month), "--out", out, "--period", "2025-01",
                           "--as-of", AS_OF, "--quiet")  # fmt: skip
    assert code == 0, output
    record = json.loads((month / "out" / "archive" / "periods" / "2025-01.json").read_text())
    assert [f["name"] for f in record["invoices"]] == ["noord.csv", "providers.csv"]
    assert "invoices.csv" in {f["name"] for f in record["outputs"]}
    # The invoices change after the close; the replay works from the archive alone.
    shutil.rmtree(month / "inputs" / "invoices")
    code, output = _invoke("replay", "--out", out, "--period", "2025-01")
    assert code == 0, output
    assert "invoices.csv  identical" in output


def test_a_close_without_an_invoice_folder_records_none_and_replays_without_one(
    month: Path,
) -> None:
    shutil.rmtree(month / "inputs" / "invoices")
    out = str(month / "out")
    code, output = _invoke("close", *_paths(month), "--out", out, "--period", "2025-01",
                           "--as-of", AS_OF, "--quiet")  # fmt: skip
    assert code == 0, output
    record = json.loads((month / "out" / "archive" / "periods" / "2025-01.json").read_text())
    assert "invoices" not in record
    code, output = _invoke("replay", "--out", out, "--period", "2025-01")
    assert code == 0 and "invoices.csv" not in output


def test_import_stamps_an_invoice_export_and_refuses_it_a_second_time(
    month: Path, tmp_path: Path
) -> None:
    export = tmp_path / "declaratie-noord.csv"
    export.write_bytes(
        "\ufeffFactuurnummer;Perceel;Periode;Dagen;Bedrag dagen;Bedrag beschikbaarheid\r\n"
        "M-1;M;2025-01;0;0,00;31,00\r\n".encode()
    )
    args = ["import", str(export), "--kind", "invoices", "--recorded-on", "2025-02-20",
            *_paths(month)]  # fmt: skip
    code, output = _invoke(*args)
    assert code == 0, output
    assert output.splitlines() == [
        "declaratie-noord.csv: 1 invoice row, received on 2025-02-20",
        "  M  2025-01  M-1  0 days, 0.00 + 31.00  new",
        "exceptions: 0",
        "warnings: 0",
        f"imported as {month / 'inputs' / 'invoices' / '2025-02-20_declaratie-noord.csv'}",
    ]
    written = month / "inputs" / "invoices" / "2025-02-20_declaratie-noord.csv"
    assert written.read_text() == (
        "invoice_id,lot_id,period,days,day_amount,availability_amount,received_on\n"
        'M-1,M,2025-01,0,"0,00","31,00",2025-02-20\n'
    )
    assert _run(month) == 0
    produced = (month / "out" / "2025-01" / "invoices.csv").read_text()
    assert "2025-01,M,M-1,accepted,0,0,0,0,3100,3100,3100" in produced.splitlines()
    code, output = _invoke(*args)
    assert code == 1
    assert "was imported before" in output and "invoices/2025-02-20_declaratie-noord.csv" in output


def test_import_shows_a_correction_and_an_unreadable_amount(month: Path, tmp_path: Path) -> None:
    export = tmp_path / "c.csv"
    export.write_text(
        "invoice_id,lot_id,period,days,day_amount,availability_amount\n"
        "C-2,C,2025-01,41,205.00,31.00\n"
        "G-2,G,2025-01,0,0.001,124\n"
    )
    code, output = _invoke("import", str(export), "--kind", "invoices", "--recorded-on",
                           "2025-02-12", "--dry-run", *_paths(month))  # fmt: skip
    assert code == 1  # a dry run that finds exceptions
    assert output.splitlines()[1:5] == [
        "  C  2025-01  C-2  41 days, 205.00 + 31.00  replaces C-1 received on 2025-02-03"
        " (invoices/noord.csv:3)",
        "  G  2025-01  G-2  cannot be read  replaces G-1 received on 2025-02-03"
        " (invoices/providers.csv:4)",
        "exceptions: 1",
        "  c.csv:3  -  day_amount '0.001' has more than 2 decimals",
    ]
    assert not (month / "inputs" / "invoices" / "2025-02-12_c.csv").exists()


def test_an_invoice_export_of_which_every_row_is_an_exception_needs_force(
    month: Path, tmp_path: Path
) -> None:
    # Before: imported with exit 0, while the dry run of the same file exited 1.
    export = tmp_path / "onleesbaar.csv"
    export.write_text(
        "invoice_id,lot_id,period,days,day_amount,availability_amount\n"
        "G-2,G,2025-01,0,0.001,124\n"
        "H-2,H,2025-13,0,0,15.50\n"
    )
    args = ["import", str(export), "--kind", "invoices", "--recorded-on", "2025-02-12",
            *_paths(month)]  # fmt: skip
    code, output = _invoke(*args)
    assert code == 1
    assert output.splitlines()[-1] == (
        "not imported: every row has an exception, so none of it would count; ask the provider"
        " for a corrected export, or give --force to import it as it is"
    )
    written = month / "inputs" / "invoices" / "2025-02-12_onleesbaar.csv"
    assert not written.exists()
    code, output = _invoke(*args, "--force")
    assert code == 0, output
    assert output.splitlines()[-1] == f"imported as {written}"


def test_an_invoice_export_saved_again_in_another_encoding_is_said_to_be_a_repeat(
    month: Path, tmp_path: Path
) -> None:
    # Before: other bytes, so not "imported before": added again without a word.
    text = (
        "Factuurnummer;Perceel;Periode;Dagen;Bedrag dagen;Bedrag beschikbaarheid;Opmerking\r\n"
        "M-1;M;2025-01;0;0,00;31,00;geen cliënten\r\n"
    )
    first = tmp_path / "declaratie.csv"
    first.write_text(text, encoding="utf-8")
    paths = _paths(month)
    code, output = _invoke("import", str(first), "--kind", "invoices", "--recorded-on",
                           "2025-02-20", *paths)  # fmt: skip
    assert code == 0, output
    again = tmp_path / "declaratie-ansi.csv"
    again.write_bytes(text.encode("cp1252"))
    code, output = _invoke("import", str(again), "--kind", "invoices", "--recorded-on",
                           "2025-02-21", "--dry-run", *paths)  # fmt: skip
    assert code == 0, output
    assert (
        "  declaratie-ansi.csv  -  the same rows as invoices/2025-02-20_declaratie.csv, imported"
        " from declaratie.csv recorded on 2025-02-20: this export was imported before (saved"
        " again, in another encoding or format?); importing it again changes nothing"
    ) in output.splitlines()


def test_explain_lot_names_the_placements_behind_the_expected_days(month: Path) -> None:
    code, output = _invoke("explain", *_paths(month), "--period", "2025-01", "--lot", "C",
                           "--as-of", AS_OF)  # fmt: skip
    assert code == 0, output
    lines = output.splitlines()
    assert lines[3:9] == [
        "  placement   days  stream           amount",
        "  P3            31  JUSTICE          155.00",
        "  P4             3  JUSTICE           15.00",
        "  P4             7  MUNICIPAL         35.00",
        "  total         41                   205.00  (2 placements)",
        "",
    ]
    assert "c3" not in output and "c4" not in output  # no client ids
    assert "Invoice in force: C-1 (invoices/noord.csv:3, received 2025-02-03): differs" in lines
    assert "  a tariff above the contract" in lines


def test_explain_an_unknown_lot_is_a_usage_error(month: Path) -> None:
    code, output = _invoke("explain", *_paths(month), "--period", "2025-01", "--lot", "X")
    assert code == 2
    assert "lot 'X' is not in the rules (lots: C, F, G, H, M)" in output
