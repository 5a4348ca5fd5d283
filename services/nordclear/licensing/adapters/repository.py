"""Reading and writing the licensing aggregates through SQLAlchemy Core.

Aggregates are stored as their contract message; lists page newest first on (time, id) with an opaque
token naming the last row of the page, so concurrent inserts never make a page skip or repeat a row.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import ColumnElement, Table, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nordclear.licensing.adapters import orm, proto
from nordclear.licensing.domain.licence import Licence, LicenceStatus
from nordclear.licensing.domain.model import Application, ApplicationStatus, Licensee
from nordclear.licensing.domain.pricing import Quote
from nordclear.licensing.domain.tariffs import Tariff
from nordclear.platform.domain.societies import Society
from nordclear.platform.domain.territories import Territory
from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.consent import AiStage

T = TypeVar("T")


def model_key(licensee_id: str, model_name: str, model_version: str) -> str:
    """The column licences of one licensee's model version are found by (case-insensitive)."""
    return f"{licensee_id}\x1f{model_name.casefold()}\x1f{model_version.casefold()}"


def _spaced(values: Sequence[str]) -> str:
    return " " + " ".join(values) + " "


def _page_token(at: datetime, key: str) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{key}".encode()).decode()


def _after(
    token: str, time_column: ColumnElement[datetime], key_column: ColumnElement[str]
) -> ColumnElement[bool]:
    try:
        at_text, key = base64.urlsafe_b64decode(token.encode()).decode().split("|", 1)
        at = datetime.fromisoformat(at_text)
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgument("page.page_token", token, "not a token this service issued") from None
    return or_(time_column < at, and_(time_column == at, key_column < key))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, and the token of the next (empty on the last page)."""

    items: list[T]
    next_page_token: str


class LicenseeRepository:
    """Licensees."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, licensee_id: str) -> Licensee | None:
        """The licensee, or None."""
        body = await self._session.scalar(
            select(orm.licensees.c.body).where(orm.licensees.c.licensee_id == licensee_id)
        )
        return proto.stored_licensee(body) if body is not None else None

    async def add(self, licensee: Licensee) -> None:
        """Store a new licensee."""
        await self._session.execute(
            insert(orm.licensees).values(
                licensee_id=licensee.licensee_id,
                legal_name=licensee.legal_name,
                registered_at=licensee.registered_at,
                body=proto.licensee_to_proto(licensee).SerializeToString(deterministic=True),
            )
        )


class ApplicationRepository:
    """Applications and their quotes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, application_id: str) -> Application | None:
        """The application, or None."""
        body = await self._session.scalar(
            select(orm.applications.c.body).where(orm.applications.c.application_id == application_id)
        )
        return proto.stored_application(body) if body is not None else None

    async def add(self, application: Application, quote: Quote) -> None:
        """Store a new application with its quote."""
        await self._session.execute(insert(orm.applications).values(**self._row(application)))
        await self._session.execute(
            insert(orm.quotes).values(
                quote_id=quote.quote_id,
                application_id=quote.application_id,
                body=proto.quote_to_proto(quote).SerializeToString(deterministic=True),
            )
        )

    async def replace(self, application: Application) -> None:
        """Store the application's new state."""
        row = self._row(application)
        await self._session.execute(
            update(orm.applications)
            .where(orm.applications.c.application_id == application.application_id)
            .values(status=row["status"], body=row["body"])
        )

    async def quote(self, quote_id: str) -> Quote | None:
        """A quote, or None."""
        body = await self._session.scalar(select(orm.quotes.c.body).where(orm.quotes.c.quote_id == quote_id))
        return proto.stored_quote(body) if body is not None else None

    async def page(
        self,
        *,
        licensee_id: str | None,
        hub: Society | None,
        status: ApplicationStatus | None,
        page_token: str,
        limit: int,
    ) -> Page[Application]:
        """Applications matching every filter given, newest first."""
        table = orm.applications
        query = select(table.c.body, table.c.submitted_at, table.c.application_id)
        if licensee_id is not None:
            query = query.where(table.c.licensee_id == licensee_id)
        if hub is not None:
            query = query.where(table.c.hub_society == hub.name)
        if status is not None:
            query = query.where(table.c.status == status.value)
        if page_token:
            query = query.where(_after(page_token, table.c.submitted_at, table.c.application_id))
        query = query.order_by(table.c.submitted_at.desc(), table.c.application_id.desc()).limit(limit + 1)
        rows = (await self._session.execute(query)).all()
        items = [proto.stored_application(row.body) for row in rows[:limit]]
        token = (
            _page_token(rows[limit - 1].submitted_at, rows[limit - 1].application_id)
            if len(rows) > limit
            else ""
        )
        return Page(items, token)

    @staticmethod
    def _row(application: Application) -> dict[str, object]:
        return {
            "application_id": application.application_id,
            "licensee_id": application.licensee_id,
            "hub_society": application.hub.name,
            "status": application.status.value,
            "submitted_at": application.submitted_at,
            "body": proto.application_to_proto(application).SerializeToString(deterministic=True),
        }


@dataclass(frozen=True, slots=True)
class SignedDocument:
    """A licence document exactly as signed."""

    document: bytes
    signature: bytes
    key_id: str


class LicenceRepository:
    """Licences and their signed documents."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, licence_id: str) -> Licence | None:
        """The licence, or None."""
        licences = await self._where(orm.licences.c.licence_id == licence_id)
        return licences[0] if licences else None

    async def document(self, licence_id: str) -> SignedDocument | None:
        """The signed document of a licence, or None."""
        table = orm.licences
        row = (
            await self._session.execute(
                select(table.c.document, table.c.signature, table.c.key_id).where(
                    table.c.licence_id == licence_id
                )
            )
        ).first()
        return SignedDocument(row.document, row.signature, row.key_id) if row is not None else None

    async def of_model(self, licensee_id: str, model_name: str, model_version: str) -> list[Licence]:
        """Every licence of one licensee's model version."""
        return await self._where(
            orm.licences.c.model_key == model_key(licensee_id, model_name, model_version)
        )

    async def due_for_expiry(self, today: date) -> list[Licence]:
        """Licences not yet final whose term ended before ``today``."""
        table = orm.licences
        return await self._where(
            and_(
                table.c.term_end < today,
                table.c.status.in_([LicenceStatus.ACTIVE.value, LicenceStatus.SUSPENDED.value]),
            )
        )

    async def add(self, licence: Licence, signed: SignedDocument) -> None:
        """Store a newly issued licence with its signed document."""
        scope = licence.scope
        await self._session.execute(
            insert(orm.licences).values(
                licence_id=licence.licence_id,
                application_id=licence.application_id,
                licensee_id=licence.licensee_id,
                hub_society=licence.hub.name,
                societies=_spaced([entry.society.name for entry in licence.societies]),
                stages=_spaced([stage.value for stage in scope.stages]),
                territories=_spaced([territory.value for territory in scope.territories]),
                model_key=model_key(licence.licensee_id, scope.model_name, scope.model_version),
                status=licence.status.value,
                term_end=scope.term_end,
                issued_at=licence.issued_at,
                body=proto.licence_to_proto(licence).SerializeToString(deterministic=True),
                document=signed.document,
                signature=signed.signature,
                key_id=signed.key_id,
            )
        )

    async def replace(self, licence: Licence) -> None:
        """Store the licence's new status and history."""
        await self._session.execute(
            update(orm.licences)
            .where(orm.licences.c.licence_id == licence.licence_id)
            .values(
                status=licence.status.value,
                body=proto.licence_to_proto(licence).SerializeToString(deterministic=True),
            )
        )

    async def page(
        self,
        *,
        licensee_id: str | None,
        hub: Society | None,
        involved: Society | None,
        status: LicenceStatus | None,
        territory: Territory | None,
        stage: AiStage | None,
        page_token: str,
        limit: int,
    ) -> Page[Licence]:
        """Licences matching every filter given, newest first."""
        table = orm.licences
        conditions: list[ColumnElement[bool]] = []
        if licensee_id is not None:
            conditions.append(table.c.licensee_id == licensee_id)
        if hub is not None:
            conditions.append(table.c.hub_society == hub.name)
        if involved is not None:
            conditions.append(
                or_(table.c.hub_society == involved.name, table.c.societies.like(f"% {involved.name} %"))
            )
        if status is not None:
            conditions.append(table.c.status == status.value)
        if territory is not None:
            conditions.append(table.c.territories.like(f"% {territory.value} %"))
        if stage is not None:
            conditions.append(table.c.stages.like(f"% {stage.value} %"))
        if page_token:
            conditions.append(_after(page_token, table.c.issued_at, table.c.licence_id))
        query = (
            select(table.c.body, table.c.issued_at, table.c.licence_id, orm.quotes.c.body.label("quote_body"))
            .join(orm.quotes, orm.quotes.c.application_id == table.c.application_id)
            .where(and_(True, *conditions))
            .order_by(table.c.issued_at.desc(), table.c.licence_id.desc())
            .limit(limit + 1)
        )
        rows = (await self._session.execute(query)).all()
        items = [proto.stored_licence(row.body, proto.stored_quote(row.quote_body)) for row in rows[:limit]]
        token = (
            _page_token(rows[limit - 1].issued_at, rows[limit - 1].licence_id) if len(rows) > limit else ""
        )
        return Page(items, token)

    async def next_number(self, year: int) -> int:
        """The next licence number of ``year``, taken under a row lock (one per licence, never reused)."""
        table = orm.licence_numbers
        locked = select(table.c.next_number).where(table.c.year == year).with_for_update()
        current = await self._session.scalar(locked)
        if current is None:
            try:
                async with self._session.begin_nested():
                    await self._session.execute(insert(table).values(year=year, next_number=1))
            except IntegrityError:
                pass  # another transaction opened the year first; its row is locked below
            current = await self._session.scalar(locked)
        assert current is not None, "the year's row exists: inserted above or by the transaction that won"
        await self._session.execute(update(table).where(table.c.year == year).values(next_number=current + 1))
        return int(current)

    async def _where(self, condition: ColumnElement[bool]) -> list[Licence]:
        table = orm.licences
        rows = (
            await self._session.execute(
                select(table.c.body, orm.quotes.c.body.label("quote_body"))
                .join(orm.quotes, orm.quotes.c.application_id == table.c.application_id)
                .where(condition)
                .order_by(table.c.licence_id)
            )
        ).all()
        return [proto.stored_licence(row.body, proto.stored_quote(row.quote_body)) for row in rows]


class TariffRepository:
    """Published tariff versions; a version is never changed."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> list[Tariff]:
        """Every version, by society, stage and validity start."""
        table = orm.tariffs
        rows = await self._session.scalars(
            select(table.c.body).order_by(table.c.society, table.c.stage, table.c.valid_from, table.c.version)
        )
        return [proto.stored_tariff(body) for body in rows]

    async def has(self, tariff_id: str, version: str) -> bool:
        """Whether this version is published."""
        table = orm.tariffs
        found = await self._session.scalar(
            select(table.c.tariff_id).where(table.c.tariff_id == tariff_id, table.c.version == version)
        )
        return found is not None

    async def add(self, tariff: Tariff) -> None:
        """Publish a version."""
        await self._session.execute(
            insert(orm.tariffs).values(
                tariff_id=tariff.tariff_id,
                version=tariff.version,
                society=tariff.society.name,
                stage=tariff.stage.value,
                valid_from=tariff.valid_from,
                body=proto.tariff_to_proto(tariff).SerializeToString(deterministic=True),
            )
        )


class SigningKeyRepository:
    """Every public key that ever signed a licence."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> dict[str, tuple[Ed25519PublicKey, datetime]]:
        """Key id → (public key, first used)."""
        rows = (await self._session.execute(select(orm.signing_keys))).all()
        keys: dict[str, tuple[Ed25519PublicKey, datetime]] = {}
        for row in rows:
            key = serialization.load_pem_public_key(row.public_key_pem.encode())
            assert isinstance(key, Ed25519PublicKey), "only Ed25519 keys are stored"
            keys[row.key_id] = (key, row.first_used_at)
        return keys

    async def add(self, key_id: str, public_key_pem: str, at: datetime) -> None:
        """Remember a key."""
        await self._session.execute(
            insert(orm.signing_keys).values(key_id=key_id, public_key_pem=public_key_pem, first_used_at=at)
        )


class WorkKeyIndex:
    """ISWCs and society work ids of the works in the rights view."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, work_id: str, keys: Sequence[tuple[str, str]]) -> None:
        """The work's keys are now exactly ``keys`` ((kind, value) pairs)."""
        table = orm.work_keys
        await self._session.execute(delete(table).where(table.c.work_id == work_id))
        unique = sorted(set(keys))
        if unique:
            await self._session.execute(
                insert(table),
                [{"key_kind": kind, "key_value": value, "work_id": work_id} for kind, value in unique],
            )

    async def resolve(self, kind: str, value: str) -> tuple[str, ...]:
        """The works with this key, in id order."""
        table = orm.work_keys
        found = await self._session.scalars(
            select(table.c.work_id)
            .where(table.c.key_kind == kind, table.c.key_value == value)
            .order_by(table.c.work_id)
        )
        return tuple(found)

    async def stored_revision(self, work_id: str) -> int | None:
        """The revision of the work the rights view holds, or None."""
        works = orm.rights.works
        revision = await self._session.scalar(select(works.c.revision).where(works.c.work_id == work_id))
        return int(revision) if revision is not None else None


class RequestLog:
    """Client-chosen request ids and what each did."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def find(self, request_id: str) -> tuple[str, str, str] | None:
        """(operation, fingerprint, result id) of an earlier request with this id, or None."""
        row = (
            await self._session.execute(
                select(orm.request_log).where(orm.request_log.c.request_id == request_id)
            )
        ).first()
        return (row.operation, row.fingerprint, row.result_id) if row is not None else None

    async def add(self, request_id: str, operation: str, fingerprint: str, result_id: str) -> None:
        """Remember that ``request_id`` did ``operation`` with result ``result_id``."""
        await self._session.execute(
            insert(orm.request_log).values(
                request_id=request_id, operation=operation, fingerprint=fingerprint, result_id=result_id
            )
        )


def table_names() -> Sequence[Table]:
    """The aggregate tables (for tests that count rows)."""
    return (orm.licensees, orm.applications, orm.quotes, orm.licences)
