"""gRPC clients for tests: a channel per service, and call metadata carrying a bearer token."""

from __future__ import annotations

from nordclear.gen.common.v1 import codes_pb2
from nordclear.gen.repertoire.v1 import work_pb2


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    """Call metadata that authenticates with ``token``."""
    return (("authorization", f"Bearer {token}"),)


def a_work(title: str = "Vem kan segla förutan vind", iswc: str = "T0700000049") -> work_pb2.Work:
    """A valid work message with one composer-author."""
    return work_pb2.Work(
        title=title,
        iswc=iswc,
        parties=[
            work_pb2.InterestedParty(
                name="Taube",
                first_name="Evert",
                ipi_name_number="00014107338",
                role=codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR,
            )
        ],
    )
