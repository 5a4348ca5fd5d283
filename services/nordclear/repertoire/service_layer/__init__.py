"""Use cases of the repertoire service, each one unit of work."""
