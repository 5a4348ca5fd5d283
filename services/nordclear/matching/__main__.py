"""Run the matching service: ``python -m nordclear.matching``."""

from nordclear.matching.bootstrap import main

main()
