"""`python -m fundcalc`."""

from fundcalc.cli import main

main()
