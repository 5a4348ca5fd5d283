"""Alembic environment of the settlement service (run through nordclear.platform.db.migrations)."""

from nordclear.platform.db.migrations import run_migrations_in_env
from nordclear.settlement.adapters.orm import metadata

run_migrations_in_env(metadata)
