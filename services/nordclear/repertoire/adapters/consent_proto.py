"""Consent register entries between the domain model and ``nordclear.repertoire.v1.Consent``, both ways.

The same message is the stored document of an entry, the API answer and the basis of its event.
"""

from __future__ import annotations

from datetime import UTC, date

from nordclear.gen.common.v1 import audit_pb2, codes_pb2, dates_pb2
from nordclear.gen.repertoire.v1 import consent_pb2
from nordclear.platform.domain.societies import society_by_name
from nordclear.platform.errors import InvalidArgument
from nordclear.platform.protoconv import (
    date_to_proto,
    optional_date_from_proto,
    society_from_proto,
    society_to_proto,
)
from nordclear.repertoire.domain.consent import (
    Actor,
    AiStage,
    ConsentAction,
    ConsentEntry,
    ConsentSubject,
    Evidence,
    PerformerAttribute,
    PerformerAttributeSubject,
    PerformerIdScheme,
    PrincipalKind,
    WorkSubject,
)

_STAGES: dict[codes_pb2.AiStage.ValueType, AiStage] = {
    codes_pb2.AI_STAGE_TRAINING: AiStage.TRAINING,
    codes_pb2.AI_STAGE_SERVICE: AiStage.SERVICE,
    codes_pb2.AI_STAGE_OUTPUT: AiStage.OUTPUT,
}
_STAGE_NUMBERS = {stage: number for number, stage in _STAGES.items()}
_ATTRIBUTES: dict[codes_pb2.PerformerAttribute.ValueType, PerformerAttribute] = {
    codes_pb2.PERFORMER_ATTRIBUTE_VOICE: PerformerAttribute.VOICE,
    codes_pb2.PERFORMER_ATTRIBUTE_LIKENESS: PerformerAttribute.LIKENESS,
    codes_pb2.PERFORMER_ATTRIBUTE_STYLE: PerformerAttribute.STYLE,
}
_ATTRIBUTE_NUMBERS = {attribute: number for number, attribute in _ATTRIBUTES.items()}
_ACTIONS = {
    ConsentAction.GRANT: consent_pb2.CONSENT_ACTION_GRANT,
    ConsentAction.REVOKE: consent_pb2.CONSENT_ACTION_REVOKE,
}
_PRINCIPAL_KINDS = {
    PrincipalKind.SOCIETY: audit_pb2.PRINCIPAL_KIND_SOCIETY,
    PrincipalKind.LICENSEE: audit_pb2.PRINCIPAL_KIND_LICENSEE,
    PrincipalKind.OPS: audit_pb2.PRINCIPAL_KIND_OPS,
    PrincipalKind.SERVICE: audit_pb2.PRINCIPAL_KIND_SERVICE,
}
_PRINCIPAL_KIND_OF = {number: kind for kind, number in _PRINCIPAL_KINDS.items()}
_ACTION_OF = {number: action for action, number in _ACTIONS.items()}


def stage_from_proto(value: codes_pb2.AiStage.ValueType, field: str) -> AiStage:
    """The AI stage of a protobuf ``AiStage``; InvalidArgument when unset or unknown."""
    stage = _STAGES.get(value)
    if stage is None:
        raise InvalidArgument(field, value, "must be AI_STAGE_TRAINING, AI_STAGE_SERVICE or AI_STAGE_OUTPUT")
    return stage


def stage_to_proto(stage: AiStage) -> codes_pb2.AiStage.ValueType:
    """The protobuf ``AiStage`` of an AI stage."""
    return _STAGE_NUMBERS[stage]


def performer_subject_from_proto(
    message: consent_pb2.PerformerAttributeRef, field: str
) -> PerformerAttributeSubject:
    """A performer-attribute subject, named by IPI name number or else ISNI."""
    attribute = _ATTRIBUTES.get(message.attribute)
    if attribute is None:
        raise InvalidArgument(f"{field}.attribute", message.attribute, "must be voice, likeness or style")
    if message.ipi_name_number:
        scheme, performer_id = PerformerIdScheme.IPI_NAME_NUMBER, message.ipi_name_number
    elif message.isni:
        scheme, performer_id = PerformerIdScheme.ISNI, message.isni
    else:
        raise InvalidArgument(field, "no identifier", "name the performer by ipi_name_number or isni")
    return PerformerAttributeSubject(
        scheme=scheme, performer_id=performer_id, attribute=attribute, name=message.name
    )


def subject_key(subject: ConsentSubject) -> str:
    """The register's key for a subject: one key to read its whole history."""
    if isinstance(subject, WorkSubject):
        return f"work:{subject.work_id}"
    return f"performer:{subject.scheme.value}:{subject.performer_id}:{subject.attribute.value}"


def evidence_from_proto(message: audit_pb2.Evidence, field: str) -> Evidence | None:
    """The evidence an entry rests on; None when the message is empty."""
    if not (message.description or message.document_uri or message.document_sha256):
        return None
    received_on = optional_date_from_proto(message.issued_on, f"{field}.issued_on")
    if received_on is None:
        raise InvalidArgument(f"{field}.issued_on", "unset", "evidence needs the date it was issued")
    return Evidence(
        kind=message.description,
        reference=message.document_uri,
        received_on=received_on,
        document_sha256=message.document_sha256 or None,
    )


def required_date(message: dates_pb2.Date, field: str) -> date:
    """A date that must be given."""
    value = optional_date_from_proto(message, field)
    if value is None:
        raise InvalidArgument(field, "unset", "a date is required")
    return value


def consent_to_proto(entry: ConsentEntry) -> consent_pb2.Consent:
    """The ``Consent`` message of a register entry."""
    message = consent_pb2.Consent(
        consent_id=entry.entry_id,
        stage=stage_to_proto(entry.stage),
        action=_ACTIONS[entry.action],
        effective_from=date_to_proto(entry.effective_from),
        effective_until=date_to_proto(entry.effective_until),
        recorded_by=audit_pb2.Actor(
            kind=_PRINCIPAL_KINDS[entry.recorded_by.kind],
            principal_id=entry.recorded_by.principal_id,
            display_name=entry.recorded_by.display_name,
            society=(
                society_to_proto(entry.recorded_by.society.name)
                if entry.recorded_by.society
                else codes_pb2.SOCIETY_UNSPECIFIED
            ),
        ),
        society=society_to_proto(entry.society.name),
        note=entry.note,
    )
    message.recorded_at.FromDatetime(entry.recorded_at)
    subject = entry.subject
    if isinstance(subject, WorkSubject):
        message.subject.work.work_id = subject.work_id
    else:
        performer = message.subject.performer_attribute
        performer.name = subject.name
        performer.attribute = _ATTRIBUTE_NUMBERS[subject.attribute]
        if subject.scheme is PerformerIdScheme.IPI_NAME_NUMBER:
            performer.ipi_name_number = subject.performer_id
        else:
            performer.isni = subject.performer_id
    if entry.evidence is not None:
        message.evidence.CopyFrom(
            audit_pb2.Evidence(
                description=entry.evidence.kind,
                document_uri=entry.evidence.reference,
                document_sha256=entry.evidence.document_sha256 or "",
                issued_on=date_to_proto(entry.evidence.received_on),
            )
        )
    return message


def consent_from_document(document: bytes) -> ConsentEntry:
    """The register entry a stored document holds."""
    message = consent_pb2.Consent.FromString(document)
    subject_kind = message.subject.WhichOneof("subject")
    subject: ConsentSubject = (
        WorkSubject(message.subject.work.work_id)
        if subject_kind == "work"
        else performer_subject_from_proto(message.subject.performer_attribute, "subject.performer_attribute")
    )
    actor = message.recorded_by
    actor_society = society_from_proto(actor.society, "recorded_by.society")
    return ConsentEntry(
        entry_id=message.consent_id,
        subject=subject,
        stage=stage_from_proto(message.stage, "stage"),
        action=_ACTION_OF[message.action],
        effective_from=required_date(message.effective_from, "effective_from"),
        effective_until=optional_date_from_proto(message.effective_until, "effective_until"),
        recorded_by=Actor(
            kind=_PRINCIPAL_KIND_OF[actor.kind],
            principal_id=actor.principal_id,
            display_name=actor.display_name,
            society=society_by_name(actor_society) if actor_society else None,
        ),
        recorded_at=message.recorded_at.ToDatetime(tzinfo=UTC),
        society=society_by_name(society_from_proto(message.society, "society") or ""),
        evidence=evidence_from_proto(message.evidence, "evidence") if message.HasField("evidence") else None,
        note=message.note,
    )
