"""Alembic environment of the settlement service (run through nordclear.platform.db.migrations)."""

from nordclear.settlement.adapters.orm import metadata
from nordclear.platform.db.migrations import run_migrations_in_env

run_migrations_in_env(metadata)
