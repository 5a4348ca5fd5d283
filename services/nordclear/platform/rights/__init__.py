"""The repertoire's rights as other services see them: works, shares, mandates and consents from events.

Licensing answers coverage and prices the licensed repertoire from it; settlement splits a work's money
over its shares and societies and sends the rest to suspense. Both keep this read model in their own
database (BRIEF §6: no service reads another's tables), fed by the repertoire's events, and both ask it
the same questions, so it is written once, here.

The rules themselves are not repeated: answers come from the repertoire's pure domain
(``nordclear.repertoire.domain.coverage``), the published language of the repertoire context.
"""

from __future__ import annotations

from nordclear.platform.rights.store import RIGHTS_EVENT_TYPES, RepertoireSummary, RightsSource, RightsStore
from nordclear.platform.rights.tables import RightsTables, create_rights_tables_v1, define_rights_tables

__all__ = [
    "RIGHTS_EVENT_TYPES",
    "RepertoireSummary",
    "RightsSource",
    "RightsStore",
    "RightsTables",
    "create_rights_tables_v1",
    "define_rights_tables",
]
