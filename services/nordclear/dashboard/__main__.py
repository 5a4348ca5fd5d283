"""``python -m nordclear.dashboard``: serve the operations dashboard."""

from nordclear.dashboard.server import main

main()
