"""Reading the verdicts of the eligibility check (`inputs/eligibility/`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fundcalc.base.reasons import english
from fundcalc.inputs.verdicts import read_verdicts, verdict_rows


def test_verdicts_are_read_in_every_accepted_form_and_the_rest_is_unreadable() -> None:
    data = (
        b"placement_id;eligible;decided_on;reference\n"
        b"PL-1;nee;2026-03-01;K-1\n"
        b" PL-2 ;JA;1-3-2026;\n"
        b"PL-3;;2026-03-01;\n"
        b"PL-4;misschien;2026-03-01;\n"
        b";0;31-02-2026;\n"
    )
    rows, warnings = verdict_rows(data, "v.csv")
    rows = rows.with_columns(english(rows["problem"]))
    assert rows.select("placement_id", "eligible", "decided_on", "problem").rows() == [
        ("PL-1", False, date(2026, 3, 1), None),
        ("PL-2", True, date(2026, 3, 1), None),
        ("PL-3", None, date(2026, 3, 1), "eligible is empty: no verdict"),
        ("PL-4", None, date(2026, 3, 1), "eligible 'misschien' is not ja/nee, true/false or 1/0"),
        (None, False, None, "no placement_id; decided_on '31-02-2026' is not a date"),
    ]
    assert rows["source"].unique().to_list() == ["eligibility/v.csv"]
    assert rows["line"].to_list() == [2, 3, 4, 5, 6]
    assert warnings.height == 0


def test_the_dutch_headers_of_steekproef_read_back_and_its_other_columns_are_ignored() -> None:
    data = (
        "Steekproef,Rang (SHA-256),Plaatsing,Cliënt,Perceel,Doelgroep ja/nee,Datum oordeel,"
        "Kenmerk,Opmerking\n"
        "2026-1a2b3c4d,00ab,PL-1,C-9,LOV-NOORD,nee,2026-03-01,K-1,x\n"
    ).encode()
    rows, warnings = verdict_rows(data, "steekproef.csv")
    assert rows.select("sample", "placement_id", "eligible", "reference").rows() == [
        ("2026-1a2b3c4d", "PL-1", False, "K-1")
    ]
    assert warnings["reason"].to_list() == ["unknown column 'Opmerking' is ignored"]


def test_without_the_folder_there_is_no_eligibility_check(tmp_path: Path) -> None:
    assert not read_verdicts(tmp_path).present
    (tmp_path / "eligibility").mkdir()
    (tmp_path / "eligibility" / "~$open.xlsx").write_bytes(b"lock")
    found = read_verdicts(tmp_path)
    assert found.present
    assert found.files == ()
