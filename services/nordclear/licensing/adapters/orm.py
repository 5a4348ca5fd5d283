"""The licensing service's tables. Only this service reads or writes them (BRIEF §6)."""

from __future__ import annotations

from sqlalchemy import MetaData

from nordclear.platform.db.messaging_tables import define_messaging_tables

metadata = MetaData()
messaging = define_messaging_tables(metadata)
