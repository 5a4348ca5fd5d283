"""Use cases of the matching service, each one unit of work."""
