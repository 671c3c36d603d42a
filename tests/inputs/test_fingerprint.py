"""The fingerprint of the reading code: any change to a module's source changes it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fundcalc.inputs.fingerprint import READING_PACKAGES, reading_code, source_digest


def _package(folder: Path, **modules: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in modules.items():
        (folder / f"{name}.py").write_text(text, encoding="utf-8")
    return folder


def test_the_digest_is_of_every_module_with_its_folder_and_name(tmp_path: Path) -> None:
    folder = _package(tmp_path / "inputs", a="x = 1\n", b="")
    (folder / "notes.txt").write_text("not a module", encoding="utf-8")
    expected = hashlib.sha256(b"inputs/a.py 6\0x = 1\ninputs/b.py 0\0").hexdigest()
    assert source_digest([folder]) == expected


def test_an_edit_a_new_module_or_a_renamed_one_changes_the_digest(tmp_path: Path) -> None:
    folder = _package(tmp_path / "base", a="x = 1\n")
    seen = {source_digest([folder])}
    (folder / "a.py").write_text("x = 2\n", encoding="utf-8")  # the same size
    seen.add(source_digest([folder]))
    _package(folder, b="")
    seen.add(source_digest([folder]))
    (folder / "b.py").rename(folder / "c.py")
    seen.add(source_digest([folder]))
    assert len(seen) == 4


def test_the_reading_code_is_the_source_of_the_inputs_and_base_packages() -> None:
    assert [p.name for p in READING_PACKAGES] == ["inputs", "base"]
    assert reading_code() == source_digest(READING_PACKAGES)
