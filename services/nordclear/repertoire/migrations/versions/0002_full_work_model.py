"""Full work model: documents and revisions, identifier tables, recordings, consent register, request log.

Works registered under revision 0001 (title, ISWC and writers only) are carried over: each becomes
revision 1 of a document holding exactly what was stored, so nothing registered earlier is lost.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PartyRole numbers of nordclear.common.v1 for the writer designations revision 0001 stored.
_ROLE_NUMBERS = {"CA": 1, "A": 2, "C": 3, "AR": 4, "AD": 5, "SR": 6, "SA": 7, "TR": 8, "PA": 9}
_SOCIETY_NUMBERS = {"KODA": 1, "STEF": 2, "STIM": 3, "TEOSTO": 4, "TONO": 5}


def upgrade() -> None:
    with op.batch_alter_table("works") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("document", sa.LargeBinary, nullable=True))
    op.create_table(
        "work_revisions",
        sa.Column("work_id", sa.String(36), sa.ForeignKey("works.work_id"), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("document", sa.LargeBinary, nullable=False),
        sa.Column("recorded_by", sa.String(128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "work_society_ids",
        sa.Column("society_code", sa.String(3), primary_key=True),
        sa.Column("work_code", sa.String(20), primary_key=True),
        sa.Column("work_id", sa.String(36), sa.ForeignKey("works.work_id"), nullable=False),
    )
    op.create_index("ix_work_society_ids_work_id", "work_society_ids", ["work_id"])
    op.create_table(
        "work_party_ipis",
        sa.Column("ipi_name_number", sa.String(11), primary_key=True),
        sa.Column("work_id", sa.String(36), sa.ForeignKey("works.work_id"), primary_key=True),
    )
    op.create_table(
        "recordings",
        sa.Column("recording_id", sa.String(36), primary_key=True),
        sa.Column("isrc", sa.String(12), nullable=True, unique=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "recording_works",
        sa.Column("recording_id", sa.String(36), sa.ForeignKey("recordings.recording_id"), primary_key=True),
        sa.Column("work_id", sa.String(36), sa.ForeignKey("works.work_id"), primary_key=True),
    )
    op.create_index("ix_recording_works_work_id", "recording_works", ["work_id"])
    op.create_table(
        "consent_entries",
        sa.Column(
            "sequence_no",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("entry_id", sa.String(36), nullable=False, unique=True),
        sa.Column("subject_key", sa.String(96), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_until", sa.Date, nullable=True),
        sa.Column("society", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(256), nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_consent_entries_request_id", "consent_entries", ["request_id"])
    op.create_index("ix_consent_entries_subject", "consent_entries", ["subject_key", "stage", "sequence_no"])
    op.create_table(
        "request_log",
        sa.Column("request_id", sa.String(256), primary_key=True),
        sa.Column("operation", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result_id", sa.String(64), nullable=False),
    )
    _carry_over_registered_works()
    op.drop_table("work_creators")
    op.drop_table("work_requests")
    with op.batch_alter_table("works") as batch:
        batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.alter_column("document", existing_type=sa.LargeBinary, nullable=False)
        batch.alter_column("revision", existing_type=sa.Integer, server_default=None)
        batch.alter_column("deleted", existing_type=sa.Boolean, server_default=None)


def _carry_over_registered_works() -> None:
    # The document format is the repertoire contract's Work message; imported here, at run time, because
    # this step only has work to do for databases that hold revision-0001 works.
    from nordclear.gen.repertoire.v1 import work_pb2

    connection = op.get_bind()
    works = connection.execute(
        sa.text("SELECT work_id, title, iswc, society, registered_at FROM works")
    ).all()
    for work in works:
        creators = connection.execute(
            sa.text(
                "SELECT last_name, first_name, role, ipi_name_number FROM work_creators "
                "WHERE work_id = :work_id ORDER BY position"
            ),
            {"work_id": work.work_id},
        ).all()
        document = work_pb2.Work(
            work_id=work.work_id,
            iswc=work.iswc or "",
            title=work.title,
            submitting_society=_SOCIETY_NUMBERS[work.society],  # type: ignore[arg-type]
            revision=1,
            parties=[
                work_pb2.InterestedParty(
                    party_key=str(position),
                    name=creator.last_name,
                    first_name=creator.first_name,
                    ipi_name_number=creator.ipi_name_number or "",
                    role=_ROLE_NUMBERS[creator.role],  # type: ignore[arg-type]
                    controlled=True,
                )
                for position, creator in enumerate(creators)
            ],
        ).SerializeToString(deterministic=True)
        parameters = {"work_id": work.work_id, "document": document, "at": work.registered_at}
        connection.execute(
            sa.text("UPDATE works SET document = :document, updated_at = :at WHERE work_id = :work_id"),
            parameters,
        )
        connection.execute(
            sa.text(
                "INSERT INTO work_revisions (work_id, revision, document, recorded_by, recorded_at) "
                "VALUES (:work_id, 1, :document, 'migration-0002', :at)"
            ),
            parameters,
        )
        for creator in creators:
            if creator.ipi_name_number:
                connection.execute(
                    sa.text("INSERT INTO work_party_ipis (ipi_name_number, work_id) VALUES (:ipi, :work_id)"),
                    {"ipi": creator.ipi_name_number, "work_id": work.work_id},
                )
    connection.execute(
        sa.text(
            "INSERT INTO request_log (request_id, operation, fingerprint, result_id) "
            "SELECT request_id, 'register_work', fingerprint, work_id FROM work_requests"
        )
    )


def downgrade() -> None:
    raise NotImplementedError("0002 carries works into documents; going back would lose what 0002 can hold")
