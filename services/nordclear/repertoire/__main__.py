"""Run the repertoire service: ``python -m nordclear.repertoire``."""

from nordclear.repertoire.bootstrap import main

main()
