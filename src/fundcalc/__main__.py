"""`python -m fundcalc`."""

from fundcalc.cli import entry

entry()
