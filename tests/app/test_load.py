"""Reading a command's inputs, at once or on a thread while the command imports."""

from __future__ import annotations

import shutil
import threading
from functools import partial
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from fundcalc.app import load
from fundcalc.app.load import load_inputs, log_cache, rules_cache
from fundcalc.base.background import Background
from fundcalc.errors import RulesError
from tests.conftest import EXAMPLE


def test_loading_gives_the_inputs_that_load_inputs_reads() -> None:
    at_once = load_inputs(EXAMPLE / "rules", EXAMPLE / "inputs")
    loaded = Background(partial(load_inputs, EXAMPLE / "rules", EXAMPLE / "inputs")).result()
    assert loaded.rules == at_once.rules
    assert_frame_equal(loaded.log.rows, at_once.log.rows)
    assert_frame_equal(loaded.log_findings, at_once.log_findings)
    assert loaded.invoices == at_once.invoices


def test_loading_fills_the_caches_it_is_given(tmp_path: Path) -> None:
    cache, kept = log_cache(tmp_path), rules_cache(tmp_path)
    Background(
        partial(load_inputs, EXAMPLE / "rules", EXAMPLE / "inputs", cache, kept_rules=kept)
    ).result()
    cache.save()
    kept.save()
    assert sorted(p.name for p in (tmp_path / ".cache").iterdir()) == ["log", "rules"]
    assert len(list((tmp_path / ".cache" / "log").glob("*.parquet"))) == 1


def test_loading_raises_a_rules_error_where_the_result_is_asked_for(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(EXAMPLE / "rules", rules)
    (rules / "arrangement.toml").write_text("this is = not [toml", encoding="utf-8")
    loading = Background(partial(load_inputs, rules, EXAMPLE / "inputs"))
    with pytest.raises(RulesError, match=r"arrangement\.toml"):
        loading.result()
    with pytest.raises(RulesError):  # asked again, the same answer
        loading.result()


def test_a_rules_error_comes_first_when_the_log_cannot_be_read_either(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(EXAMPLE / "rules", rules)
    (rules / "arrangement.toml").write_text("this is = not [toml", encoding="utf-8")
    with pytest.raises(RulesError, match=r"arrangement\.toml"):
        load_inputs(rules, tmp_path / "no inputs")


def test_a_rules_error_is_raised_without_waiting_for_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(EXAMPLE / "rules", rules)
    (rules / "arrangement.toml").write_text("this is = not [toml", encoding="utf-8")
    release, finished = threading.Event(), threading.Event()

    def slow_log(*args: object, **kwargs: object) -> None:
        release.wait(10)
        finished.set()

    monkeypatch.setattr(load, "read_log", slow_log)
    try:
        with pytest.raises(RulesError):
            load_inputs(rules, EXAMPLE / "inputs")
        assert not finished.is_set()  # raised while the log was still being read
    finally:
        release.set()
