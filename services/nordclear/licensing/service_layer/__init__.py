"""Licensing use cases: each takes a unit of work and domain values, never transport types."""
