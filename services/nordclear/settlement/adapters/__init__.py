"""Adapters of the settlement service: SQL schema and, later, repositories and event translation."""
