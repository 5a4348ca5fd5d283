"""Alembic environment of the repertoire service (run through nordclear.platform.db.migrations)."""

from nordclear.platform.db.migrations import run_migrations_in_env
from nordclear.repertoire.adapters.orm import metadata

run_migrations_in_env(metadata)
