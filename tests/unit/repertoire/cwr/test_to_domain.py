"""What each real CWR file becomes in the domain: works, parties, shares, territories, recordings, problems.

The expected values were read off the files' raw lines (see test_real_files for the record-level view);
shares are basis points, so ``03750`` in a file is 3750 here.
"""

from __future__ import annotations

import functools
from datetime import date

import pytest

from nordclear.platform.domain.societies import STIM
from nordclear.repertoire.cwr import Level
from nordclear.repertoire.cwr.to_domain import ImportedWork, work_from_transaction
from nordclear.repertoire.domain.rules import work_violations
from nordclear.repertoire.domain.work import (
    Affiliation,
    AlternateTitle,
    CollectionShare,
    Inclusion,
    InterestedParty,
    OriginalWork,
    PartyRole,
    PerformingArtist,
    PublisherType,
    Recording,
    Right,
    RightShare,
    SocietyWorkId,
    TitleType,
    VersionType,
    WriterRole,
)
from tests.unit.repertoire.cwr.cwr_domain import imported_fixture, summary
from tests.unit.repertoire.cwr.cwr_reading import read_fixture

pytestmark = pytest.mark.unit

PR, MR, SR = Right.PERFORMING, Right.MECHANICAL, Right.SYNCHRONISATION
_imported = functools.cache(imported_fixture)


def _shares(pr_bp: int = 0, mr_bp: int = 0, sr_bp: int = 0) -> tuple[RightShare, ...]:
    return tuple(RightShare(r, s) for r, s in ((PR, pr_bp), (MR, mr_bp), (SR, sr_bp)) if s)


def _world(
    pr_bp: int = 0, mr_bp: int = 0, sr_bp: int = 0, *, inclusion: Inclusion = Inclusion.INCLUDE
) -> CollectionShare:
    return CollectionShare(2136, inclusion, _shares(pr_bp, mr_bp, sr_bp), 1)


def _affiliations(
    pr: str | None = None, mr: str | None = None, sr: str | None = None
) -> tuple[Affiliation, ...]:
    return tuple(Affiliation(r, c) for r, c in ((PR, pr), (MR, mr), (SR, sr)) if c)


def _publisher(code: PublisherType) -> PartyRole:
    return PartyRole.publisher(code)


def _writer(code: WriterRole) -> PartyRole:
    return PartyRole.writer(code)


class TestDjangoMusicPublisherRegistration:
    """CW220001DMP_000.V21: a modified work with a controlled and an unknown publisher and writer."""

    @pytest.fixture
    def imported(self) -> ImportedWork:
        (work,) = _imported("CW220001DMP_000.V21")
        return work

    def test_work_fields(self, imported: ImportedWork) -> None:
        work = imported.work
        assert (work.title, work.iswc, work.language_code, work.duration_ms) == (
            "MUSIC PUB CARTOONS",
            "T1234567894",
            None,
            None,
        )
        assert work.version_type is VersionType.MODIFIED
        assert work.original_work == OriginalWork("MUSIC PUB CARTOONS")
        assert work.society_work_ids == (SocietyWorkId("079", "DMP000001"),)
        assert work.submitting_society is STIM
        assert work.work_id == ""
        assert work.alternate_titles == (
            AlternateTitle("MPC ACADEMY", TitleType.FIRST_LINE),
            AlternateTitle("MUSIC PUB CARTOONS SUFFIX"),
            AlternateTitle("MUSIC PUB CARTOONS SUFFIX CO-SUFFIX"),
            AlternateTitle("WORK RECORDING"),
            AlternateTitle("WORK RECORDING FEAT. TESTING"),
        )
        assert (imported.group_id, imported.transaction_sequence, imported.transaction_type) == (1, 0, "NWR")
        assert imported.submitter_work_number == "DMP000001"
        assert imported.recordings == ()

    def test_parties(self, imported: ImportedWork) -> None:
        assert imported.work.parties == (
            InterestedParty(
                party_key="P000001",
                role=_publisher(PublisherType.ORIGINAL_PUBLISHER),
                name="TEST PUBLISHER",
                ipi_name_number="09000000020",
                controlled=True,
                affiliations=_affiliations("052", "044", "044"),
                ownership_shares=_shares(3750, 7500, 7500),
                collection_shares=(_world(3750, 7500, 7500),),
                chain_sequence=1,
            ),
            # The OPU is unknown (indicator Y): no interested party number, so the key is made up.
            InterestedParty(
                party_key="~1",
                role=_publisher(PublisherType.ORIGINAL_PUBLISHER),
                name="",
                controlled=False,
                ownership_shares=_shares(1250, 2500, 2500),
                chain_sequence=2,
            ),
            InterestedParty(
                party_key="W000001",
                role=_writer(WriterRole.ARRANGER),
                name="KOLARIC",
                first_name="MATIJA",
                ipi_name_number="00000000199",
                ipi_base_number="I-123456789-3",
                affiliations=_affiliations("010"),
                ownership_shares=_shares(2500),
                collection_shares=(_world(2500),),
                publisher_party_keys=("P000001",),
            ),
            InterestedParty(
                party_key="W000002",
                role=_writer(WriterRole.ADAPTER),
                name="OTHER",
                first_name="ANN",
                ipi_name_number="00000000297",
                affiliations=_affiliations("010"),
                ownership_shares=_shares(2500),
                collection_shares=(_world(2500),),
                publisher_party_keys=("P000001",),
            ),
            InterestedParty(
                party_key="~2", role=_writer(WriterRole.COMPOSER_AUTHOR), name="", controlled=False
            ),
        )
        for right in Right:
            assert imported.work.total_ownership_bp(right) == 10000

    def test_unknown_uncontrolled_parties_are_accepted_without_a_name(self, imported: ImportedWork) -> None:
        # CWR allows unknown other publishers and writers; they own shares but need no name.
        assert summary(imported) == [(20, "ORN", "record_type", Level.RECORD, "NOT_MODELLED")]
        assert not imported.rejected
        assert imported.changed  # The ORN record was left out.
        unnamed = [party for party in imported.work.parties if not party.name]
        assert [party.controlled for party in unnamed] == [False, False]


class TestDjangoMusicPublisherBrokenRegistration:
    """CW220004DMP_000.V21: an excluding SPT that carries shares, and a share that is not a number."""

    def test_problems(self) -> None:
        (imported,) = _imported("CW220004DMP_000.V21")
        assert summary(imported) == [
            (
                8,
                "SWT",
                "pr_collection_share",
                Level.TRANSACTION,
                "a share is 5 digits, 00000-10000 (0.00-100.00 %)",
            ),
            (20, "ORN", "record_type", Level.RECORD, "NOT_MODELLED"),
            (5, "SPT", "work.parties[0].collection_shares[0].shares", Level.TRANSACTION, "SHARE_RANGE"),
        ]
        assert imported.rejected
        parties = imported.work.parties
        assert parties[0].collection_shares == (_world(3750, 7500, 7500, inclusion=Inclusion.EXCLUDE),)
        # The unreadable share was cleared by the reader: the SWT is kept without it.
        assert parties[2].collection_shares == (_world(),)


class TestWesoNewWorkExample:
    """nwrexample2.V21: an original publisher, its administrator, a controlled and another writer."""

    def test_the_work_passes_every_rule(self) -> None:
        (imported,) = _imported("nwrexample2.V21")
        assert imported.problems == ()
        assert not imported.rejected
        assert not imported.changed
        assert work_violations(imported.work) == []
        work = imported.work
        assert (work.title, work.iswc, work.version_type, work.original_work) == (
            "THE WORK",
            None,
            VersionType.ORIGINAL,
            None,
        )
        assert work.society_work_ids == (SocietyWorkId("079", "CLAIMDIGITAL01"),)

    def test_parties_shares_and_territories(self) -> None:
        (imported,) = _imported("nwrexample2.V21")
        assert imported.work.parties == (
            InterestedParty(
                party_key="HCJ3EBJT6",
                role=_publisher(PublisherType.ORIGINAL_PUBLISHER),
                name="THE PUBLISHER",
                ipi_name_number="00000000297",
                affiliations=_affiliations("010", "034"),
                ownership_shares=_shares(2500, 5000, 5000),
                chain_sequence=1,
            ),
            InterestedParty(
                party_key="ILE7GIQMJ",
                role=_publisher(PublisherType.ADMINISTRATOR),
                name="THE SENDER",
                ipi_name_number="00000000199",
                affiliations=_affiliations("010", "034"),
                collection_shares=(_world(2500, 5000, 5000),),
                chain_sequence=1,
            ),
            InterestedParty(
                party_key="2RDRB3FHX",
                role=_writer(WriterRole.COMPOSER_AUTHOR),
                name="DOE",
                first_name="JOHN",
                ipi_name_number="00000000395",
                affiliations=_affiliations("010"),
                ownership_shares=_shares(2500),
                collection_shares=(_world(2500),),
                publisher_party_keys=("HCJ3EBJT6",),
            ),
            InterestedParty(
                party_key="JZL2GMGV3",
                role=_writer(WriterRole.COMPOSER_AUTHOR),
                name="DOE",
                first_name="JANE",
                controlled=False,
                ownership_shares=_shares(5000, 5000, 5000),
            ),
        )


class TestWesoRevisionExample:
    """revexample.V21: two revisions, one with titles, a performer, a recording and a work origin."""

    def test_the_one(self) -> None:
        the_one, _ = _imported("revexample.V21")
        work = the_one.work
        assert (the_one.transaction_type, work.title, work.society_work_ids) == (
            "REV",
            "THE ONE",
            (SocietyWorkId("079", "DMP000001"),),
        )
        assert [title.title for title in work.alternate_titles] == [
            "THE ONE BED",
            "THE ONE DRUMS ONLY",
            "THE ONE NO DRUMS",
            "THE ONE STING",
        ]
        assert work.performing_artists == (PerformingArtist("THE BAND"),)
        publisher, writer = work.parties
        assert (publisher.party_key, publisher.ownership_shares, publisher.affiliations) == (
            "DMP",
            _shares(5000, 10000, 10000),
            _affiliations("052", "044", "044"),
        )
        assert publisher.collection_shares == (_world(5000, 10000, 10000),)
        # The society code is written "21 " (left-aligned): BMI, 021.
        assert (writer.name, writer.first_name, writer.affiliations, writer.ownership_shares) == (
            "SMITH",
            "JOHN JAMES",
            _affiliations("021"),
            _shares(5000),
        )
        assert writer.publisher_party_keys == ("DMP",)
        # The REC holds only a first album label; it is kept as a recording of the work's title.
        assert the_one.recordings == (Recording("", "THE ONE", label="DML", submitting_society=STIM),)
        assert summary(the_one) == [(15, "ORN", "record_type", Level.RECORD, "NOT_MODELLED")]
        assert the_one.changed
        assert not the_one.rejected

    def test_second_best(self) -> None:
        _, second = _imported("revexample.V21")
        assert second.problems == ()
        assert [(p.party_key, p.role, p.controlled, p.ownership_shares) for p in second.work.parties] == [
            ("DMP", _publisher(PublisherType.ORIGINAL_PUBLISHER), True, _shares(2500, 5000, 5000)),
            ("W000001", _writer(WriterRole.COMPOSER_AUTHOR), True, _shares(2500)),
            ("W000003", _writer(WriterRole.COMPOSER_AUTHOR), False, _shares(5000, 5000, 5000)),
        ]
        assert second.work.alternate_titles == (AlternateTitle("SECOND PLACE"),)


class TestWesoDemo22:
    """demo_cwr_cleaned.v22: CWR 2.2, with cross references (XRF) and a revision owning 125 % of MR."""

    def test_titles_iswcs_and_which_fail(self) -> None:
        works = _imported("demo_cwr_cleaned.v22")
        assert [(w.transaction_type, w.work.title, w.work.iswc, w.rejected) for w in works] == [
            ("NWR", "MIDNIGHT SERENADE", "T0123456789", True),
            ("NWR", "ECHOES OF TOMORROW", "T0123456789", True),
            ("REV", "MIDNIGHT SERENADE", None, True),
            ("REV", "WHISPERING WINDS", None, False),
            ("REV", "GOLDEN HORIZON", None, False),
            ("REV", "FORGOTTEN MELODY", None, False),
            ("REV", "STARLIGHT SYMPHONY", None, False),
            ("NWR", "URBAN PULSE", None, True),
            ("REV", "SILENT GUARDIAN", None, False),
        ]

    def test_cross_references_become_society_work_ids(self) -> None:
        echoes = _imported("demo_cwr_cleaned.v22")[1]
        assert echoes.work.society_work_ids == (
            SocietyWorkId("079", "KEY002"),
            SocietyWorkId("052", "123456BR"),
            SocietyWorkId("055", "A35G45A1"),
        )
        # The third XRF is marked not valid (N) by its sender, so it is reported and not kept.
        assert (20, "XRF", "validity", Level.RECORD, "CROSS_REFERENCE") in summary(echoes)

    def test_the_over_owned_revision_is_reported_once(self) -> None:
        midnight = _imported("demo_cwr_cleaned.v22")[2]
        assert midnight.work.total_ownership_bp(MR) == 12500
        over = [p for p in midnight.problems if p.severity is Level.TRANSACTION]
        # The reader found the totals; the domain rule SHARE_TOTAL says the same and is not repeated.
        assert [(p.record_type, p.field) for p in over] == [
            ("REV", "mr_ownership_total"),
            ("REV", "sr_ownership_total"),
        ]

    def test_the_writer_links_use_the_2_2_publisher_sequence(self) -> None:
        echoes = _imported("demo_cwr_cleaned.v22")[1]
        writers = echoes.work.writers
        assert [(w.party_key, w.publisher_party_keys) for w in writers] == [
            ("C00000001", ("P00000001",)),
            ("C00000004", ("P00000001",)),
        ]

    def test_the_acknowledgement_in_the_group_carries_no_work(self) -> None:
        ack = next(
            t for t in read_fixture("demo_cwr_cleaned.v22").transactions if t.transaction_type == "ACK"
        )
        with pytest.raises(ValueError, match="carries no work"):
            work_from_transaction(ack, STIM)


class TestAcknowledgementFilesCarryingWorks:
    """The django-music-publisher acknowledgements: works inside ACK transactions, and ISW notifications."""

    def test_acknowledged_revisions_with_recordings(self) -> None:
        modified, plain = _imported("CW220001000_DMP.V21")
        assert (modified.transaction_type, modified.work.title, modified.work.iswc) == (
            "ACK",
            "THE MODIFIED WORK",
            "T3005600277",
        )
        assert [(r.title, r.release_date, r.duration_ms, r.isrc) for r in modified.recordings] == [
            ("THE MODIFIED WORK", date(2020, 4, 7), 30_000, None),
            ("THE MODIFIED WORK", date(2017, 4, 7), 10_000, None),
            ("THE MODIFIED WORK", date(2017, 4, 7), 30_000, None),
            ("THE MODIFIED WORK", date(2017, 4, 7), 296_000, None),
        ]
        assert plain.work.title == "THE WORK"
        # The publisher's IPI name number 00000000004 fails its check and was cleared by the reader.
        assert [(p.record_type, p.field, p.severity) for p in plain.problems] == [
            ("SPU", "ipi_name_number", Level.FIELD)
        ]
        publisher, writer = plain.work.parties
        assert (publisher.ipi_name_number, publisher.ownership_shares) == (None, _shares(5000, 10000, 10000))
        assert (writer.role, writer.name, writer.first_name, writer.affiliations) == (
            _writer(WriterRole.COMPOSER),
            "TESTIC",
            "TESTO",
            _affiliations("052"),
        )

    def test_iswc_notifications_without_writers_are_rejected(self) -> None:
        works = _imported("CW220001052_DMP.V21")
        assert [(w.transaction_type, w.submitter_work_number, w.work.iswc, w.rejected) for w in works] == [
            ("ISW", "MK000001", None, True),
            ("ISW", "MK000001", None, True),
            ("ISW", "MK000002", None, True),
        ]
        # Both ISWCs fail their check digit (FR, cleared); no writer rejects each notification (TR), once.
        assert [(p.field, p.severity) for p in works[0].problems] == [
            ("iswc", Level.FIELD),
            ("writer designations", Level.TRANSACTION),
        ]
