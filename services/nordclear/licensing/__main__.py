"""Run the licensing service: ``python -m nordclear.licensing``."""

from nordclear.licensing.bootstrap import main

main()
