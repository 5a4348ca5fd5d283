"""Works and their creators, as far as registration needs them (BRIEF §3.3).

A work is registered by a society for its members. It needs a title and at least one writer who wrote
music or words (CWR designations CA, A or C): a work with only arrangers or translators is a version of
another work, not one on its own. Identifiers are stored in their normal form (see
``nordclear.platform.domain.identifiers``).

This is the registration model the service stores today. The full model of a work (publishers, shares
per right, collection shares, mandates, alternate titles, recordings) is in ``work``, its rules in
``rules``; role codes and limits are shared with them and re-exported here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Final

from nordclear.platform.domain.identifiers import normalise_ipi_name_number, normalise_iswc
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.rules import MAX_FIRST_NAME_CHARS as MAX_FIRST_NAME_CHARS
from nordclear.repertoire.domain.rules import MAX_NAME_CHARS
from nordclear.repertoire.domain.rules import MAX_TITLE_CHARS as MAX_TITLE_CHARS
from nordclear.repertoire.domain.work import ORIGINAL_CREATOR_ROLES as ORIGINAL_CREATOR_ROLES
from nordclear.repertoire.domain.work import WriterRole as WriterRole

MAX_LAST_NAME_CHARS: Final = MAX_NAME_CHARS
"""CWR writer last name width."""


@dataclass(frozen=True, slots=True)
class Creator:
    """A writer of a work, with the IPI name number that identifies them across societies."""

    last_name: str
    first_name: str
    role: WriterRole
    ipi_name_number: str | None = None


@dataclass(frozen=True, slots=True)
class WorkRegistration:
    """What a society submits to register a work; validated and normalised on construction."""

    title: str
    iswc: str | None
    creators: tuple[Creator, ...]
    society: str

    @classmethod
    def create(cls, *, title: str, iswc: str, creators: list[Creator], society: str) -> WorkRegistration:
        """Validate raw input; raises InvalidArgument naming the first broken rule."""
        return cls(
            title=_valid_title(title),
            iswc=normalise_iswc(iswc, "work.iswc") if iswc.strip() else None,
            creators=_valid_creators(creators),
            society=society,
        )

    def fingerprint(self) -> str:
        """A digest of the content, to tell a retried request from a reused request id."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Work:
    """A registered work."""

    work_id: str
    title: str
    iswc: str | None
    creators: tuple[Creator, ...]
    society: str
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class WorkRegistered:
    """Domain event: a work entered the repertoire."""

    work: Work
    request_id: str


def _valid_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise InvalidArgument("work.title", title, "a work needs a title")
    if len(cleaned) > MAX_TITLE_CHARS:
        raise InvalidArgument("work.title", title, f"at most {MAX_TITLE_CHARS} characters (CWR title width)")
    return cleaned


def _valid_name(name: str, field: str, max_chars: int, *, required: bool) -> str:
    cleaned = " ".join(name.split())
    if required and not cleaned:
        raise InvalidArgument(field, name, "a writer needs a last name")
    if len(cleaned) > max_chars:
        raise InvalidArgument(field, name, f"at most {max_chars} characters (CWR field width)")
    return cleaned


def _valid_creators(creators: list[Creator]) -> tuple[Creator, ...]:
    valid: list[Creator] = []
    for index, creator in enumerate(creators):
        field = f"work.parties[{index}]"
        last_name = _valid_name(creator.last_name, f"{field}.name", MAX_LAST_NAME_CHARS, required=True)
        first_name = _valid_name(
            creator.first_name, f"{field}.first_name", MAX_FIRST_NAME_CHARS, required=False
        )
        ipi = creator.ipi_name_number
        normal_ipi = normalise_ipi_name_number(ipi, f"{field}.ipi_name_number") if ipi else None
        valid.append(
            Creator(last_name=last_name, first_name=first_name, role=creator.role, ipi_name_number=normal_ipi)
        )
    if not any(creator.role in ORIGINAL_CREATOR_ROLES for creator in valid):
        roles = [creator.role.value for creator in valid]
        raise InvalidArgument(
            "work.parties", roles, "at least one writer with role CA, A or C (CWR 2.1 §4.5.5)"
        )
    return tuple(valid)
