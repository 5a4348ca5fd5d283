"""Adapters of the matching service: SQL schema, repositories, and event consumers."""
