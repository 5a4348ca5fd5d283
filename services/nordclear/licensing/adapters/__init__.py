"""Adapters of the licensing service: SQL schema and, later, repositories and event translation."""
