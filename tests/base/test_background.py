"""Work done beside the caller: its result, or its error, where it is asked for."""

from __future__ import annotations

import threading

import pytest

from fundcalc.base.background import Background
from fundcalc.errors import InputError


def test_the_result_is_what_the_work_returned_none_included() -> None:
    assert Background(lambda: None).result() is None
    assert Background(lambda: [1, 2], name="numbers").result() == [1, 2]


def test_what_the_work_raised_is_raised_where_the_result_is_asked_for_every_time() -> None:
    def fail() -> None:
        raise InputError("log.csv: cannot be read")

    work = Background(fail)
    for _ in range(2):
        with pytest.raises(InputError, match="cannot be read"):
            work.result()


def test_the_work_runs_on_a_daemon_thread_of_its_name_while_the_caller_goes_on() -> None:
    started, release = threading.Event(), threading.Event()

    def work() -> str:
        started.set()
        release.wait(10)
        return threading.current_thread().name

    beside = Background(work, name="findings")
    assert started.wait(10)  # begun before its result is asked for
    (thread,) = [t for t in threading.enumerate() if t.name == "findings"]
    assert thread.daemon
    release.set()
    assert beside.result() == "findings"


def test_work_not_beside_is_done_at_once_on_the_callers_thread_with_the_same_result() -> None:
    done: list[str] = []

    def work() -> str:
        done.append(threading.current_thread().name)
        return "read"

    at_once = Background(work, name="log", beside=False)
    assert done == [threading.current_thread().name]  # before its result is asked for
    assert not [t for t in threading.enumerate() if t.name == "log"]
    assert at_once.result() == "read"
    assert done == [threading.current_thread().name]  # done once


def test_what_work_not_beside_raised_is_raised_where_the_result_is_asked_for() -> None:
    def fail() -> None:
        raise InputError("log.csv: cannot be read")

    work = Background(fail, beside=False)  # nothing raised yet
    with pytest.raises(InputError, match="cannot be read"):
        work.result()
