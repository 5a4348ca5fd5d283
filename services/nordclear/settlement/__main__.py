"""Run the settlement service: ``python -m nordclear.settlement``."""

from nordclear.settlement.bootstrap import main

main()
