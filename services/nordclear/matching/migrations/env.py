"""Alembic environment of the matching service (run through nordclear.platform.db.migrations)."""

from nordclear.matching.adapters.orm import metadata
from nordclear.platform.db.migrations import run_migrations_in_env

run_migrations_in_env(metadata)
