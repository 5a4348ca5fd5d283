"""Alembic environment of the licensing service (run through nordclear.platform.db.migrations)."""

from nordclear.licensing.adapters.orm import metadata
from nordclear.platform.db.migrations import run_migrations_in_env

run_migrations_in_env(metadata)
