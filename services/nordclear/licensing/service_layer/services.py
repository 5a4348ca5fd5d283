"""Licensing use cases. Each takes a unit of work and plain domain values, never transport types.

Every write is idempotent on a client-chosen request id (scoped to the calling principal by the
servicer) stored with a fingerprint of the request: a retry returns the first answer, and the same id
with other content is refused. Every write is checked whole before anything is stored, and publishes
its events in the same transaction, so a refusal leaves nothing half-written.

Who sees what: a licensee only its own licensee record, applications and licences; a society (and its
ops) the applications made through it and the licences that involve it; clearing-house ops and
services everything. Only the hub society's ops approve or reject an application; the hub society's ops
or clearing-house ops suspend, reactivate and revoke a licence.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Generic, TypeVar

from nordclear.licensing.adapters.coverage_cache import CoverageCache
from nordclear.licensing.adapters.licence_cache import LicenceCache
from nordclear.licensing.adapters.repository import Page, SignedDocument
from nordclear.licensing.adapters.seed import TariffBook
from nordclear.licensing.adapters.signing import LicenceSigner
from nordclear.licensing.adapters.unit_of_work import LicensingUnitOfWork
from nordclear.licensing.domain import events
from nordclear.licensing.domain.coverage import (
    CoverageAnswer,
    CoverageIssue,
    WorkCoverage,
    licence_issues,
    work_coverage,
)
from nordclear.licensing.domain.document import Verification, document_of, sign, verify
from nordclear.licensing.domain.licence import (
    OUTPUT_LABELLING_REQUIRED,
    Actor,
    Licence,
    LicenceStatus,
    StatusChange,
)
from nordclear.licensing.domain.model import (
    Application,
    ApplicationStatus,
    Licensee,
    Scope,
    TrainingDeclaration,
    validated_licensee,
    validated_terms,
)
from nordclear.licensing.domain.pricing import PricingInput, Quote, price, require_tariffs
from nordclear.licensing.domain.tariffs import Tariff
from nordclear.licensing.service_layer.figures import repertoire_figures, require_licensable
from nordclear.platform import metrics
from nordclear.platform.domain.money import Money
from nordclear.platform.domain.societies import Society
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from nordclear.repertoire.domain.consent import AiStage
from nordclear.repertoire.domain.coverage import Coverage, licensable_shares

T = TypeVar("T")
SERVICE_ACTOR = Actor(kind="service", principal_id="licensing")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking, as the use cases need it."""

    kind: str
    """``licensee``, ``society``, ``ops`` or ``service``."""
    principal_id: str
    licensee_id: str | None = None
    society: Society | None = None

    @property
    def actor(self) -> Actor:
        """The caller for the audit trail."""
        return Actor(kind=self.kind, principal_id=self.principal_id, society=self.society)

    @property
    def sees_everything(self) -> bool:
        """Clearing-house ops and the clearing house's services."""
        return (self.kind == "ops" and self.society is None) or self.kind == "service"

    def may_see_application(self, application: Application) -> bool:
        """Whether the caller may see ``application``."""
        if self.sees_everything:
            return True
        if self.kind == "licensee":
            return application.licensee_id == self.licensee_id
        return self.society == application.hub

    def may_see_licence(self, licence: Licence) -> bool:
        """Whether the caller may see ``licence``."""
        if self.sees_everything:
            return True
        if self.kind == "licensee":
            return licence.licensee_id == self.licensee_id
        return self.society is not None and licence.involves(self.society)


class SubjectKind(StrEnum):
    """What a coverage question names."""

    WORK_ID = "work_id"
    ISWC = "iswc"
    SOCIETY_WORK_ID = "society_work_id"
    RECORDING = "recording"
    """A recording by id or ISRC: covered when every work it embodies is."""


@dataclass(frozen=True, slots=True)
class CoverageSubject:
    """A work or recording, by one identifier (normalised)."""

    kind: SubjectKind
    value: str


@dataclass(frozen=True, slots=True)
class ApplicationDraft:
    """What a licensee asks for, as read from the request."""

    hub: Society
    scope: Scope
    expected_revenue: Money
    expected_output_count: int
    training: TrainingDeclaration


@dataclass(frozen=True, slots=True)
class Quoted:
    """An application with its quote."""

    application: Application
    quote: Quote
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Issued:
    """An approved application, its licence and the signed document."""

    application: Application
    licence: Licence
    document: SignedDocument
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Written(Generic[T]):
    """Something written, and whether this answered a retry."""

    value: T
    replayed: bool


def new_id(prefix: str) -> str:
    """``prefix_`` and 20 random base-32 characters (100 bits)."""
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    return prefix + "_" + "".join(secrets.choice(alphabet) for _ in range(20))


# --- licensees ---------------------------------------------------------------------------------


async def register_licensee(
    uow: LicensingUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    draft: Licensee,
    caller: Caller,
    now: datetime,
) -> Written[Licensee]:
    """Register an AI company: a licensee registers itself (its token's id), ops register anyone."""
    async with uow:
        earlier = await _replay(uow, request_id, "register_licensee", fingerprint)
        if earlier is not None:
            return Written(await _licensee(uow, earlier), replayed=True)
        if caller.kind == "licensee":
            assert caller.licensee_id is not None
            licensee_id = caller.licensee_id
            if await uow.licensees.get(licensee_id) is not None:
                raise AlreadyExists(f"licensee {licensee_id!r} is already registered")
        elif caller.kind == "ops":
            licensee_id = new_id("lic")
        else:
            raise PermissionDenied(f"{caller.kind} principals may not register licensees")
        licensee = validated_licensee(dataclasses.replace(draft, licensee_id=licensee_id, registered_at=now))
        await uow.licensees.add(licensee)
        await uow.requests.add(request_id, "register_licensee", fingerprint, licensee_id)
        uow.record(events.LicenseeRegistered(licensee, request_id))
        await uow.commit()
        return Written(licensee, replayed=False)


async def get_licensee(uow: LicensingUnitOfWork, licensee_id: str, caller: Caller) -> Licensee:
    """One licensee: itself for a licensee; anyone for societies and ops."""
    if caller.kind == "licensee" and licensee_id != caller.licensee_id:
        raise NotFound(f"licensee_id {licensee_id!r}: no such licensee")
    async with uow:
        return await _licensee(uow, licensee_id)


async def _licensee(uow: LicensingUnitOfWork, licensee_id: str) -> Licensee:
    licensee = await uow.licensees.get(licensee_id)
    if licensee is None:
        raise NotFound(f"licensee_id {licensee_id!r}: no such licensee")
    return licensee


# --- applications and quotes -------------------------------------------------------------------


async def apply(
    uow: LicensingUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    draft: ApplicationDraft,
    caller: Caller,
    book: TariffBook,
    now: datetime,
) -> Quoted:
    """Store an application and its quote; a retry returns them without quoting again."""
    if caller.kind != "licensee" or caller.licensee_id is None:
        raise PermissionDenied("only a licensee applies for a licence, for itself")
    async with uow:
        earlier = await _replay(uow, request_id, "apply", fingerprint)
        if earlier is not None:
            application = await _application(uow, earlier, caller)
            return Quoted(application, await _quote(uow, application.quote_id), replayed=True)
        training = validated_terms(
            draft.hub, draft.expected_revenue, draft.expected_output_count, draft.training
        )
        licensee = await uow.licensees.get(caller.licensee_id)
        if licensee is None:
            raise FailedPrecondition(
                f"licensee {caller.licensee_id!r} is not registered; register with RegisterLicensee first"
            )
        await _refuse_duplicate(uow, caller.licensee_id, draft.scope)
        scope = draft.scope
        tariffs = await uow.tariffs.all()
        require_tariffs(tariffs, scope)  # before the repertoire is read: a gap is the cheaper answer
        figures = await repertoire_figures(uow.rights, scope.stages, scope.territories, scope.term_start)
        require_licensable(figures, scope.stages, scope.territories, scope.term_start)
        application_id, quote_id = new_id("app"), new_id("quo")
        presumption = training.presumption_applies
        quote = price(
            PricingInput(
                quote_id=quote_id,
                application_id=application_id,
                hub=draft.hub,
                scope=scope,
                expected_revenue=draft.expected_revenue,
                expected_output_count=draft.expected_output_count,
                training=training,
                training_basis=(
                    figures.training_by_territory
                    if presumption
                    else dict.fromkeys(scope.territories, training.declared_item_count)
                ),
                training_work_count=len(figures.training_works)
                if presumption
                else training.declared_item_count,
                quoted_at=now,
            ),
            tariffs,
            book.fx,
        )
        application = Application(
            application_id=application_id,
            licensee_id=caller.licensee_id,
            hub=draft.hub,
            scope=scope,
            expected_revenue=draft.expected_revenue,
            expected_output_count=draft.expected_output_count,
            training=training,
            status=ApplicationStatus.QUOTED,
            quote_id=quote_id,
            licence_id="",
            submitted_at=now,
            status_changed_at=now,
        )
        await uow.applications.add(application, quote)
        await uow.requests.add(request_id, "apply", fingerprint, application_id)
        uow.record(events.ApplicationQuoted(application, quote, request_id))
        await uow.commit()
    _count(ApplicationStatus.QUOTED.value, draft.hub)
    return Quoted(application, quote)


async def get_application(uow: LicensingUnitOfWork, application_id: str, caller: Caller) -> Application:
    """One application the caller may see."""
    async with uow:
        return await _application(uow, application_id, caller)


async def list_applications(
    uow: LicensingUnitOfWork,
    *,
    caller: Caller,
    licensee_id: str | None,
    hub: Society | None,
    status: ApplicationStatus | None,
    page_token: str,
    limit: int,
) -> Page[Application]:
    """Applications the caller may see, newest first."""
    if caller.kind == "licensee":
        if licensee_id is not None and licensee_id != caller.licensee_id:
            raise PermissionDenied("a licensee lists only its own applications")
        licensee_id = caller.licensee_id
    elif not caller.sees_everything:
        if hub is not None and hub != caller.society:
            raise PermissionDenied(
                f"{caller.principal_id} sees only applications made through its own society"
            )
        hub = caller.society
    async with uow:
        return await uow.applications.page(
            licensee_id=licensee_id, hub=hub, status=status, page_token=page_token, limit=limit
        )


async def get_quote(uow: LicensingUnitOfWork, quote_id: str, caller: Caller) -> Quote:
    """One quote of an application the caller may see."""
    async with uow:
        quote = await _quote(uow, quote_id)
        await _application(uow, quote.application_id, caller)
        return quote


async def accept_quote(
    uow: LicensingUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    quote_id: str,
    caller: Caller,
    now: datetime,
) -> Written[Application]:
    """The licensee accepts the current, still valid quote of its quoted application."""
    async with uow:
        earlier = await _replay(uow, request_id, "accept_quote", fingerprint)
        if earlier is not None:
            return Written(await _application(uow, earlier, caller), replayed=True)
        quote = await _quote(uow, quote_id)
        application = await _application(uow, quote.application_id, caller)
        if caller.kind != "licensee" or application.licensee_id != caller.licensee_id:
            raise PermissionDenied("only the applying licensee accepts its quote")
        if application.quote_id != quote_id:
            raise FailedPrecondition(
                f"quote {quote_id} is not the current quote of {application.application_id}"
            )
        if application.status is not ApplicationStatus.QUOTED:
            raise FailedPrecondition(
                f"application {application.application_id} is {application.status.value}; "
                "only a quoted one can be accepted"
            )
        if now > quote.valid_until:
            expired = dataclasses.replace(
                application, status=ApplicationStatus.QUOTE_EXPIRED, status_changed_at=now
            )
            await uow.applications.replace(expired)
            await uow.commit()
            _count(ApplicationStatus.QUOTE_EXPIRED.value, application.hub)
            raise FailedPrecondition(
                f"quote {quote_id} could be accepted until {quote.valid_until.isoformat()}; "
                "apply again for a new quote"
            )
        accepted = dataclasses.replace(application, status=ApplicationStatus.ACCEPTED, status_changed_at=now)
        await uow.applications.replace(accepted)
        await uow.requests.add(request_id, "accept_quote", fingerprint, accepted.application_id)
        uow.record(events.QuoteAccepted(accepted, request_id))
        await uow.commit()
    _count(ApplicationStatus.ACCEPTED.value, accepted.hub)
    return Written(accepted, replayed=False)


async def approve(
    uow: LicensingUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    application_id: str,
    caller: Caller,
    book: TariffBook,
    signer: LicenceSigner,
    now: datetime,
) -> Issued:
    """The hub society's ops approve an accepted application: issue, sign, and announce the fees due."""
    async with uow:
        earlier = await _replay(uow, request_id, "approve", fingerprint)
        if earlier is not None:
            application = await _application(uow, earlier, caller)
            licence = await _licence(uow, application.licence_id, caller)
            return Issued(application, licence, await _document(uow, licence.licence_id), replayed=True)
        application = await _application(uow, application_id, caller)
        _require_hub_ops(caller, application.hub, "approve")
        if application.status is not ApplicationStatus.ACCEPTED:
            raise FailedPrecondition(
                f"application {application_id} is {application.status.value}; "
                "only an accepted one can be approved"
            )
        scope = application.scope
        await _refuse_duplicate(uow, application.licensee_id, scope)
        quote = await _quote(uow, application.quote_id)
        licensee = await _licensee(uow, application.licensee_id)
        figures = await repertoire_figures(uow.rights, scope.stages, scope.territories, scope.term_start)
        require_licensable(figures, scope.stages, scope.territories, scope.term_start)
        number = await uow.licences.next_number(now.year)
        licence = Licence(
            licence_id=f"NC-{now.year}-{number:06d}",
            application_id=application_id,
            quote_id=quote.quote_id,
            licensee_id=licensee.licensee_id,
            licensee_legal_name=licensee.legal_name,
            scope=scope,
            hub=application.hub,
            hub_admin_fee_bp=book.admin_fee_bp(application.hub),
            societies=figures.licensed_societies(),
            tariffs=quote.tariffs,
            presumption_applied=quote.presumption_applied,
            presumption_statement=quote.presumption_statement,
            output_labelling=OUTPUT_LABELLING_REQUIRED,
            total=quote.total,
            due_at_issue=quote.due_at_issue,
            issued_at=now,
            history=(
                StatusChange(
                    previous=None,
                    status=LicenceStatus.ACTIVE,
                    effective_from=scope.term_start,
                    changed_at=now,
                    changed_by=caller.actor,
                    reason="issued",
                ),
            ),
        )
        document = document_of(licence, licensee, signer.key_id)
        signed = SignedDocument(document, sign(document, signer.private_key), signer.key_id)
        issued = dataclasses.replace(
            application, status=ApplicationStatus.ISSUED, licence_id=licence.licence_id, status_changed_at=now
        )
        await uow.licences.add(licence, signed)
        await uow.applications.replace(issued)
        await uow.requests.add(request_id, "approve", fingerprint, application_id)
        uow.record(events.LicenceIssued(licence, request_id))
        for fee in events.fees_due_at_issue(licence, quote, request_id):
            uow.record(fee)
        await uow.commit()
    _count(ApplicationStatus.ISSUED.value, issued.hub)
    _count(LicenceStatus.ACTIVE.value, issued.hub)
    return Issued(issued, licence, signed)


async def reject(
    uow: LicensingUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    application_id: str,
    reason: str,
    caller: Caller,
    now: datetime,
) -> Written[Application]:
    """The hub society's ops reject a quoted or accepted application, saying why."""
    if not reason.strip():
        raise InvalidArgument("reason", reason, "required: the licensee is told why")
    async with uow:
        earlier = await _replay(uow, request_id, "reject", fingerprint)
        if earlier is not None:
            return Written(await _application(uow, earlier, caller), replayed=True)
        application = await _application(uow, application_id, caller)
        _require_hub_ops(caller, application.hub, "reject")
        if application.status not in (ApplicationStatus.QUOTED, ApplicationStatus.ACCEPTED):
            raise FailedPrecondition(
                f"application {application_id} is {application.status.value}; "
                "only a quoted or accepted one can be rejected"
            )
        rejected = dataclasses.replace(
            application,
            status=ApplicationStatus.REJECTED,
            rejection_reason=reason.strip(),
            status_changed_at=now,
        )
        await uow.applications.replace(rejected)
        await uow.requests.add(request_id, "reject", fingerprint, application_id)
        uow.record(events.ApplicationRejected(rejected, caller.actor, request_id))
        await uow.commit()
    _count(ApplicationStatus.REJECTED.value, rejected.hub)
    return Written(rejected, replayed=False)


# --- licences ----------------------------------------------------------------------------------


async def get_licence(
    uow: LicensingUnitOfWork, licence_id: str, caller: Caller, *, include_document: bool
) -> tuple[Licence, SignedDocument | None]:
    """One licence the caller may see, with its signed document when asked."""
    async with uow:
        licence = await _licence(uow, licence_id, caller)
        return licence, (await _document(uow, licence_id) if include_document else None)


async def list_licences(
    uow: LicensingUnitOfWork,
    *,
    caller: Caller,
    licensee_id: str | None,
    hub: Society | None,
    involved: Society | None,
    status: LicenceStatus | None,
    territory: Territory | None,
    stage: AiStage | None,
    page_token: str,
    limit: int,
) -> Page[Licence]:
    """Licences the caller may see, newest first."""
    if caller.kind == "licensee":
        if licensee_id is not None and licensee_id != caller.licensee_id:
            raise PermissionDenied("a licensee lists only its own licences")
        licensee_id = caller.licensee_id
    elif not caller.sees_everything:
        if involved is not None and involved != caller.society:
            raise PermissionDenied(f"{caller.principal_id} sees only licences that involve its own society")
        involved = caller.society
    async with uow:
        return await uow.licences.page(
            licensee_id=licensee_id,
            hub=hub,
            involved=involved,
            status=status,
            territory=territory,
            stage=stage,
            page_token=page_token,
            limit=limit,
        )


StatusAction = Callable[[Licence, date, str, Actor, datetime], Licence]

STATUS_ACTIONS: dict[str, StatusAction] = {
    "suspend": Licence.suspend,
    "reactivate": Licence.reactivate,
    "revoke": Licence.revoke,
}


async def change_status(
    uow: LicensingUnitOfWork,
    *,
    request_id: str,
    fingerprint: str,
    action: str,
    licence_id: str,
    reason: str,
    effective_from: date | None,
    caller: Caller,
    now: datetime,
) -> Written[Licence]:
    """Suspend, reactivate or revoke a licence (``action``), from ``effective_from`` (default today)."""
    async with uow:
        earlier = await _replay(uow, request_id, action, fingerprint)
        if earlier is not None:
            return Written(await _licence(uow, earlier, caller), replayed=True)
        licence = await _licence(uow, licence_id, caller)
        if caller.kind != "ops" or (caller.society is not None and caller.society != licence.hub):
            raise PermissionDenied(
                f"only ops of the hub society {licence.hub.name} or of the clearing house "
                f"may {action} licence {licence_id}"
            )
        changed = STATUS_ACTIONS[action](licence, effective_from or now.date(), reason, caller.actor, now)
        await uow.licences.replace(changed)
        await uow.requests.add(request_id, action, fingerprint, licence_id)
        uow.record(events.LicenceStatusChanged(changed, changed.history[-1], request_id))
        await uow.commit()
    _count(changed.status.value, changed.hub)
    return Written(changed, replayed=False)


async def expire_licences(uow: LicensingUnitOfWork, now: datetime) -> list[str]:
    """Expire every licence whose term ended before today; returns their ids."""
    async with uow:
        due = await uow.licences.due_for_expiry(now.date())
        for licence in due:
            expired = licence.expire(SERVICE_ACTOR, now)
            await uow.licences.replace(expired)
            uow.record(events.LicenceStatusChanged(expired, expired.history[-1], f"expiry:{now.date()}"))
        await uow.commit()
    for licence in due:
        _count(LicenceStatus.EXPIRED.value, licence.hub)
    return [licence.licence_id for licence in due]


@dataclass(frozen=True, slots=True)
class VerifiedLicence:
    """A verification, and the licence's current status when it is known here."""

    verification: Verification
    current_status: LicenceStatus | None


async def verify_document(
    uow: LicensingUnitOfWork, document: bytes, signature: bytes, key_id: str
) -> VerifiedLicence:
    """Check a document's signature against every key that ever signed here."""
    async with uow:
        keys = {key_id: key for key_id, (key, _) in (await uow.signing_keys.all()).items()}
        verification = verify(document, signature, keys, key_id)
        status = None
        if verification.valid:
            licence = await uow.licences.get(verification.licence_id)
            status = licence.status if licence is not None else None
        return VerifiedLicence(verification, status)


async def register_signing_key(uow: LicensingUnitOfWork, signer: LicenceSigner, now: datetime) -> None:
    """Remember the current signing key's public half (at start), so its documents stay verifiable."""
    async with uow:
        if signer.key_id not in await uow.signing_keys.all():
            await uow.signing_keys.add(signer.key_id, signer.public_key_pem, now)
            await uow.commit()


async def check_coverage(
    uow: LicensingUnitOfWork,
    *,
    licence_id: str,
    subject: CoverageSubject,
    stage: AiStage,
    territory: Territory,
    day: date,
    caller: Caller,
    cache: LicenceCache | None = None,
    rights_cache: CoverageCache | None = None,
) -> CoverageAnswer:
    """Whether a licence covers a work (or every work of a recording) for a stage, territory and day."""
    async with uow:
        licence = cache.get(licence_id) if cache is not None else None
        if licence is None:
            epoch = cache.epoch if cache is not None else 0
            licence = await uow.licences.get(licence_id)
            if licence is not None and cache is not None:
                cache.put(licence, epoch)
        if licence is None or not caller.may_see_licence(licence):
            raise NotFound(f"licence_id {licence_id!r}: no such licence")
        works = []
        for work_id in await _resolve(uow, subject):
            coverage = await _work_coverage(uow, work_id, stage, territory, day, rights_cache)
            works.append(work_coverage(work_id, coverage))
        if not works:
            # A line naming something the repertoire does not know is answered, not refused.
            works.append(WorkCoverage("", (CoverageIssue.NOT_IN_REPERTOIRE,)))
        return CoverageAnswer(licence_issues(licence, stage, territory, day), tuple(works))


async def _resolve(uow: LicensingUnitOfWork, subject: CoverageSubject) -> tuple[str, ...]:
    if subject.kind is SubjectKind.WORK_ID:
        return (subject.value,)
    if subject.kind is SubjectKind.RECORDING:
        return await uow.rights.recording_work_ids(subject.value)
    return await uow.work_keys.resolve(subject.kind.value, subject.value)


# --- tariffs -----------------------------------------------------------------------------------


async def publish_tariffs(uow: LicensingUnitOfWork, book: TariffBook) -> int:
    """Publish every tariff version of ``book`` not published yet (at start); returns how many."""
    published = 0
    async with uow:
        for tariff in book.tariffs:
            if not await uow.tariffs.has(tariff.tariff_id, tariff.version):
                await uow.tariffs.add(tariff)
                uow.record(events.TariffPublished(tariff))
                published += 1
        await uow.commit()
    return published


async def list_tariffs(
    uow: LicensingUnitOfWork, *, society: Society | None, stage: AiStage | None, in_force_on: date | None
) -> list[Tariff]:
    """Tariff versions by society, stage and validity start."""
    async with uow:
        tariffs = await uow.tariffs.all()
    return [
        tariff
        for tariff in tariffs
        if (society is None or tariff.society == society)
        and (stage is None or tariff.stage is stage)
        and (in_force_on is None or tariff.in_force_on(in_force_on))
    ]


# --- helpers -----------------------------------------------------------------------------------


async def _replay(uow: LicensingUnitOfWork, request_id: str, operation: str, fingerprint: str) -> str | None:
    earlier = await uow.requests.find(request_id)
    if earlier is None:
        return None
    earlier_operation, earlier_fingerprint, result_id = earlier
    if earlier_operation != operation or earlier_fingerprint != fingerprint:
        shown = request_id.split("/", 1)[-1]
        raise AlreadyExists(
            f"request_id {shown!r} was already used for a different request ({earlier_operation})"
        )
    return result_id


async def _application(uow: LicensingUnitOfWork, application_id: str, caller: Caller) -> Application:
    application = await uow.applications.get(application_id)
    if application is None or not caller.may_see_application(application):
        raise NotFound(f"application_id {application_id!r}: no such application")
    return application


async def _quote(uow: LicensingUnitOfWork, quote_id: str) -> Quote:
    quote = await uow.applications.quote(quote_id)
    if quote is None:
        raise NotFound(f"quote_id {quote_id!r}: no such quote")
    return quote


async def _licence(uow: LicensingUnitOfWork, licence_id: str, caller: Caller) -> Licence:
    licence = await uow.licences.get(licence_id)
    if licence is None or not caller.may_see_licence(licence):
        raise NotFound(f"licence_id {licence_id!r}: no such licence")
    return licence


async def _document(uow: LicensingUnitOfWork, licence_id: str) -> SignedDocument:
    signed = await uow.licences.document(licence_id)
    assert signed is not None, "every licence is stored with its document"
    return signed


async def _refuse_duplicate(uow: LicensingUnitOfWork, licensee_id: str, scope: Scope) -> None:
    for licence in await uow.licences.of_model(licensee_id, scope.model_name, scope.model_version):
        if licence.status in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED) and licence.scope.overlaps(
            scope
        ):
            raise FailedPrecondition(
                f"licence {licence.licence_id} already covers model {scope.model_name} version "
                f"{scope.model_version} for an overlapping scope; a second licence for the same "
                "model version and "
                "scope is refused (a new model version needs a new licence); nothing was stored"
            )


async def _work_coverage(
    uow: LicensingUnitOfWork,
    work_id: str,
    stage: AiStage,
    territory: Territory,
    day: date,
    cache: CoverageCache | None,
) -> Coverage | None:
    if cache is None:
        return await uow.rights.coverage(work_id, stage, territory, day)
    rights = cache.get(work_id)
    if rights is None:
        epoch = cache.epoch
        rights = await uow.rights.work_rights(work_id)
        if rights is None:
            return None
        cache.put(work_id, rights, epoch)
    return licensable_shares(rights.work, rights.consents, stage, territory, day)


def _require_hub_ops(caller: Caller, hub: Society, what: str) -> None:
    if caller.kind != "ops" or caller.society != hub:
        raise PermissionDenied(f"only ops of the hub society {hub.name} may {what} this application")


def _count(status: str, hub: Society) -> None:
    metrics.LICENCE_TRANSITIONS.labels(status, hub.name).inc()
