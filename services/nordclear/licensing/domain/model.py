"""Licensees, applications and their validation (BRIEF §4 "Application").

An application asks for one licence: one model version, some stages, some territories, one term. It is
checked whole before anything is stored, and every refusal names the field, the value and the rule, in
the field paths of the contract (``application.term``), because the reader is fixing a request file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from nordclear.platform.domain.money import Money
from nordclear.platform.domain.societies import Society
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.consent import AiStage

STAGE_ORDER: Final = (AiStage.TRAINING, AiStage.SERVICE, AiStage.OUTPUT)
"""Stages in value-chain order: how they are listed on quotes and licences."""

MAX_NAME_CHARS: Final = 200
MAX_TEXT_CHARS: Final = 2000
_COUNTRY: Final = re.compile(r"[A-Z]{2}")
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_E164: Final = re.compile(r"\+[1-9][0-9]{6,14}")


class TrainingDisclosure(StrEnum):
    """Whether the licensee will disclose its training data in full (drives the presumption rule)."""

    FULL_MANIFEST = "full_manifest"
    NONE = "none"


class ApplicationStatus(StrEnum):
    """Where an application stands: quoted → accepted → issued, or rejected, or its quote expired."""

    QUOTED = "quoted"
    ACCEPTED = "accepted"
    ISSUED = "issued"
    REJECTED = "rejected"
    QUOTE_EXPIRED = "quote_expired"


@dataclass(frozen=True, slots=True)
class Contact:
    """A contact person of a licensee."""

    name: str
    email: str
    phone: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True)
class Licensee:
    """An AI company that applies for licences."""

    licensee_id: str
    legal_name: str
    country_code: str
    registration_number: str
    contacts: tuple[Contact, ...]
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class TrainingDeclaration:
    """What the licensee declares about its training data."""

    disclosure: TrainingDisclosure
    declared_item_count: int = 0
    description: str = ""

    @property
    def presumption_applies(self) -> bool:
        """Without a full manifest the whole licensable repertoire is presumed used (BRIEF §4)."""
        return self.disclosure is TrainingDisclosure.NONE


@dataclass(frozen=True, slots=True)
class Scope:
    """What an application or licence covers: a model version, stages, territories and a term."""

    model_name: str
    model_version: str
    stages: tuple[AiStage, ...]
    territories: tuple[Territory, ...]
    term_start: date
    term_end: date

    def overlaps(self, other: Scope) -> bool:
        """Whether both cover the same model version for some stage, territory and day."""
        return (
            self.model_name.casefold() == other.model_name.casefold()
            and self.model_version.casefold() == other.model_version.casefold()
            and bool(set(self.stages) & set(other.stages))
            and bool(set(self.territories) & set(other.territories))
            and self.term_start <= other.term_end
            and other.term_start <= self.term_end
        )


@dataclass(frozen=True, slots=True)
class Application:
    """An application for one licence, as stored."""

    application_id: str
    licensee_id: str
    hub: Society
    scope: Scope
    expected_revenue: Money
    expected_output_count: int
    training: TrainingDeclaration
    status: ApplicationStatus
    quote_id: str
    licence_id: str
    submitted_at: datetime
    status_changed_at: datetime
    rejection_reason: str = ""


def validated_licensee(licensee: Licensee) -> Licensee:
    """``licensee`` with its text trimmed, or InvalidArgument naming the first broken rule."""
    legal_name = _required_text("licensee.legal_name", licensee.legal_name, MAX_NAME_CHARS)
    country = licensee.country_code.strip().upper()
    if not _COUNTRY.fullmatch(country):
        raise InvalidArgument(
            "licensee.country_code", licensee.country_code, "an ISO 3166-1 alpha-2 code such as 'SE' or 'US'"
        )
    contacts = tuple(_validated_contact(i, contact) for i, contact in enumerate(licensee.contacts))
    if not contacts:
        raise InvalidArgument("licensee.contacts", [], "at least one contact person is required")
    registration = _optional_text("licensee.registration_number", licensee.registration_number, 64)
    return Licensee(
        licensee_id=licensee.licensee_id,
        legal_name=legal_name,
        country_code=country,
        registration_number=registration,
        contacts=contacts,
        registered_at=licensee.registered_at,
    )


def _validated_contact(index: int, contact: Contact) -> Contact:
    field = f"licensee.contacts[{index}]"
    name = _required_text(f"{field}.name", contact.name, MAX_NAME_CHARS)
    email = contact.email.strip()
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise InvalidArgument(
            f"{field}.email", contact.email, "an e-mail address such as 'legal@example.com'"
        )
    phone = contact.phone.strip().replace(" ", "")
    if phone and not _E164.fullmatch(phone):
        raise InvalidArgument(
            f"{field}.phone", contact.phone, "a telephone number in E.164 form, e.g. +4612345678"
        )
    return Contact(
        name=name, email=email, phone=phone, role=_optional_text(f"{field}.role", contact.role, 64)
    )


def validated_scope(
    model_name: str,
    model_version: str,
    stages: list[AiStage],
    territories: list[Territory],
    term_start: date | None,
    term_end: date | None,
) -> Scope:
    """The scope of an application in canonical order, or InvalidArgument naming the broken rule."""
    name = _required_text("application.model_name", model_name, MAX_NAME_CHARS)
    version = model_version.strip()
    if not version:
        raise InvalidArgument(
            "application.model_version", model_version, "required: a new model version needs a new licence"
        )
    if len(version) > MAX_NAME_CHARS:
        raise InvalidArgument("application.model_version", version, f"at most {MAX_NAME_CHARS} characters")
    if not stages:
        raise InvalidArgument("application.stages", [], "at least one stage: training, service or output")
    _no_duplicates("application.stages", [stage.value for stage in stages])
    if not territories:
        raise InvalidArgument("application.territories", [], "at least one of DK, FI, IS, NO or SE")
    _no_duplicates("application.territories", [territory.value for territory in territories])
    if term_start is None:
        raise InvalidArgument("application.term.start_date", None, "the term needs a first day")
    if term_end is None:
        raise InvalidArgument("application.term.end_date", None, "the term needs a last day")
    if term_end < term_start:
        raise InvalidArgument(
            "application.term", f"{term_start}..{term_end}", "the last day may not be before the first day"
        )
    return Scope(
        model_name=name,
        model_version=version,
        stages=tuple(stage for stage in STAGE_ORDER if stage in stages),
        territories=tuple(sorted(territories)),
        term_start=term_start,
        term_end=term_end,
    )


def validated_terms(
    hub: Society, expected_revenue: Money, expected_output_count: int, training: TrainingDeclaration
) -> TrainingDeclaration:
    """Check the commercial figures and the training declaration of an application."""
    if expected_revenue.currency != hub.currency:
        raise InvalidArgument(
            "application.expected_revenue.currency_code",
            expected_revenue.currency.code,
            f"must be {hub.currency.code}, the currency of the hub society {hub.name}",
        )
    if expected_revenue.is_negative():
        raise InvalidArgument(
            "application.expected_revenue.amount_minor", expected_revenue.amount_minor, "may not be negative"
        )
    if expected_output_count < 0:
        raise InvalidArgument(
            "application.expected_output_count", expected_output_count, "may not be negative"
        )
    if training.declared_item_count < 0:
        raise InvalidArgument(
            "application.training_data.declared_item_count",
            training.declared_item_count,
            "may not be negative",
        )
    if training.disclosure is TrainingDisclosure.FULL_MANIFEST and training.declared_item_count == 0:
        raise InvalidArgument(
            "application.training_data.declared_item_count",
            0,
            "a full manifest declares how many recordings or works it lists (at least 1)",
        )
    if training.disclosure is TrainingDisclosure.NONE and training.declared_item_count != 0:
        raise InvalidArgument(
            "application.training_data.declared_item_count",
            training.declared_item_count,
            "must be 0 without a manifest: the presumption rule prices the whole licensable repertoire",
        )
    description = _optional_text(
        "application.training_data.description", training.description, MAX_TEXT_CHARS
    )
    return TrainingDeclaration(training.disclosure, training.declared_item_count, description)


def _no_duplicates(field: str, values: list[str]) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise InvalidArgument(field, values, f"{value} is listed twice; list each once")
        seen.add(value)


def _required_text(field: str, value: str, max_chars: int) -> str:
    text = value.strip()
    if not text:
        raise InvalidArgument(field, value, "required, not blank")
    if len(text) > max_chars or not text.isprintable():
        raise InvalidArgument(field, text[:max_chars], f"at most {max_chars} printable characters")
    return text


def _optional_text(field: str, value: str, max_chars: int) -> str:
    text = value.strip()
    if len(text) > max_chars:
        raise InvalidArgument(field, text[:max_chars], f"at most {max_chars} characters")
    return text
