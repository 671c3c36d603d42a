"""An archive handed to an auditor never writes outside replay's own folder; links in
the log or the rules are never read nor archived; what fundcalc writes follows the umask."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from fundcalc.archive.store import ARCHIVE, Archive
from fundcalc.base.period import Period
from fundcalc.cli import main
from tests.closing_case import deliver, fundcalc, write_case

P1 = {"placement_id": "P1", "client_id": "c1", "lot_id": "F", "start_date": "2025-01-10",
      "brp_municipality": "GM0001", "recorded_on": "2025-02-01"}  # fmt: skip


def closed_january(tmp_path: Path) -> Path:
    root = write_case(tmp_path / "case")
    deliver(root, "2025-02.csv", P1)
    result = fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05")
    assert result.exit_code == 0, result.output
    return root


def edit_record(root: Path, change: object) -> None:
    path = root / "outputs" / ARCHIVE / "periods" / "2025-01.json"
    raw = json.loads(path.read_text())
    change(raw)  # type: ignore[operator]
    path.write_text(json.dumps(raw))


@pytest.mark.parametrize("kind", ["rules", "inputs", "outputs"])
@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("{target}", "holds a folder separator"),  # absolute
        ("../../../escaped.txt", "holds a folder separator"),
        ("..", "is a folder, not a file"),
        ("sub/x.csv", "holds a folder separator"),
        ("sub\\x.csv", "holds a folder separator"),
        ("x\u0000.csv", "holds a control character"),
        ("", "is no file name"),
    ],
)
def test_a_name_in_a_record_that_is_no_plain_file_name_is_refused_and_nothing_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, name: str, why: str
) -> None:
    root = closed_january(tmp_path)
    target = tmp_path / "escaped.txt"
    name = name.format(target=target)

    def rename(raw: dict[str, list[dict[str, object]]]) -> None:
        raw[kind][0]["name"] = name

    edit_record(root, rename)
    monkeypatch.chdir(root / "outputs")  # a relative ../ would land in tmp_path
    result = fundcalc(root, "replay", "--period", "2025-01")
    assert result.exit_code == 1
    assert f"{kind} names {name!r}, which {why}" in result.output
    assert "the record has been changed" in result.output
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case"]


def test_a_sha256_in_a_record_that_is_no_digest_is_refused(tmp_path: Path) -> None:
    root = closed_january(tmp_path)

    def point_away(raw: dict[str, list[dict[str, object]]]) -> None:
        raw["inputs"][0]["sha256"] = "../../../../etc/passwd"

    edit_record(root, point_away)
    result = fundcalc(root, "replay", "--period", "2025-01")
    assert result.exit_code == 1
    assert "the SHA-256 of 2025-02.csv is not 64 hexadecimal digits" in result.output


def test_a_linked_log_file_is_an_exception_never_read_nor_archived(tmp_path: Path) -> None:
    root = write_case(tmp_path / "case")
    deliver(root, "2025-02.csv", P1)
    secret = tmp_path / "secret.csv"
    secret.write_text("placement_id,client_id\nSECRET-LINE,root:x:0:0\n")
    (root / "inputs" / "placements" / "passwd.csv").symlink_to(secret)
    (root / "inputs" / "placements" / "folder.csv").mkdir()
    result = fundcalc(root, "close", "--period", "2025-01", "--as-of", "2025-02-05", "--quiet")
    assert result.exit_code == 0, result.output
    exceptions = (root / "outputs" / "2025-01" / "exceptions.csv").read_text()
    assert "SECRET" not in exceptions
    assert 'passwd.csv;;;"is a symbolic link: not read and not archived' in exceptions
    assert 'folder.csv;;;"is not a regular file: not read and not archived' in exceptions
    record = Archive(root / "outputs" / ARCHIVE).get(Period(2025, 1))
    assert [f.name for f in record.inputs] == ["2025-02.csv"]
    objects = root / "outputs" / ARCHIVE / "objects"
    assert not any(b"SECRET" in p.read_bytes() for p in objects.rglob("*") if p.is_file())
    validate = CliRunner().invoke(
        main, ["validate", "--rules", str(root / "rules"), "--inputs", str(root / "inputs")]
    )
    assert validate.exit_code == 1
    assert "  passwd.csv    is a symbolic link: not read and not archived" in validate.output


def test_a_linked_rules_file_is_a_rules_error_naming_it(tmp_path: Path) -> None:
    root = write_case(tmp_path / "case")
    deliver(root, "2025-02.csv", P1)
    real = tmp_path / "elsewhere.csv"
    (root / "rules" / "municipalities.csv").rename(real)
    (root / "rules" / "municipalities.csv").symlink_to(real)
    result = fundcalc(root, "run", "--period", "2025-01", "--as-of", "2025-02-05")
    assert result.exit_code == 1
    assert result.output == (
        f"fundcalc: {root / 'rules' / 'municipalities.csv'}: is a symbolic link: not read;"
        " put the file itself in the rules folder\n"
    )
    assert not (root / "outputs" / "2025-01").exists()


def test_outputs_and_archive_follow_the_umask(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        root = closed_january(tmp_path)
    finally:
        os.umask(before)
    outputs = root / "outputs"
    folders = [outputs / "2025-01", *(p for p in (outputs / ARCHIVE).rglob("*") if p.is_dir())]
    files = [p for p in outputs.rglob("*") if p.is_file() and p.name != "LOCK"]
    assert {stat.S_IMODE(p.stat().st_mode) for p in folders} == {0o755}
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}
    assert any("objects" in p.parts for p in files)
