"""Work done beside the caller: on a thread of its own, its result asked for later.

A command spends much of its time in two kinds of work that need not wait for
each other: Python (importing, making the workbook's sheets), which holds
Python's lock, and polars or hashlib (decoding the log, finding the findings),
which does not. `Background` runs the one on a thread while the caller goes on
with the other.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """What `work` returns, computed on a daemon thread started at once: a command that
    stops with an error does not wait for it.

    `result()` waits for it and gives what it returned, or raises what it raised
    (a rules error, an input error) as if it had been done there.

    With `beside` false the work is done at once, on the caller's thread, and
    `result()` gives it all the same: for work that is mostly Python, which
    would hold the lock the caller needs. Two threads of Python on two cores
    hand the lock back and forth more slowly than one thread does both.
    """

    def __init__(
        self, work: Callable[[], T], *, name: str = "background", beside: bool = True
    ) -> None:
        self._done: list[T] = []
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._done.append(work())
            except BaseException as error:
                self._error = error

        self._thread: threading.Thread | None = None
        if beside:
            self._thread = threading.Thread(target=run, name=name, daemon=True)
            self._thread.start()
        else:
            run()

    def result(self) -> T:
        """What the work returned, once done; what it raised, raised here."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._done[0]
