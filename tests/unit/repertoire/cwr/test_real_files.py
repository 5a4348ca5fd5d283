"""What each real CWR file in tests/fixtures/cwr contains, and what the reader says about it.

The expected values were read off the files by hand (their raw lines, at the positions of the CWR
specification), not copied from the reader's output.
"""

from __future__ import annotations

import functools
from datetime import date, time

import pytest

from nordclear.repertoire.cwr import (
    Acknowledgement,
    AlternateTitle,
    CrossReference,
    CwrVersion,
    FileKind,
    Level,
    Message,
    OriginalWork,
    PerformingArtist,
    PublisherForWriter,
    PublisherRecord,
    PublisherTerritory,
    Recording,
    Transaction,
    WorkOrigin,
    WorkRecord,
    WriterRecord,
    WriterTerritory,
)
from tests.unit.repertoire.cwr.cwr_reading import Reading, read_fixture

pytestmark = pytest.mark.unit

# Each file is read once for all the tests that look at it.
_read = functools.cache(read_fixture)


def _work(transaction: Transaction) -> WorkRecord:
    assert transaction.work is not None
    return transaction.work


def _problem_summary(transaction: Transaction) -> list[tuple[int, str, str, str, Level]]:
    return [(p.record_number, p.record_type, p.field, p.value, p.severity) for p in transaction.problems]


def _shares(
    party: PublisherRecord | WriterRecord,
) -> tuple[str | None, int, str | None, int, str | None, int]:
    return (
        party.pr_society,
        party.pr_share_bp,
        party.mr_society,
        party.mr_share_bp,
        party.sr_society,
        party.sr_share_bp,
    )


def _collection(
    territory: PublisherTerritory | WriterTerritory,
) -> tuple[str, int, int, int, str, int | None]:
    return (
        territory.interested_party_number,
        territory.pr_collection_share_bp,
        territory.mr_collection_share_bp,
        territory.sr_collection_share_bp,
        territory.inclusion_indicator,
        territory.tis_code,
    )


class TestDjangoMusicPublisherRegistration:
    """CW220001DMP_000.V21: CRLF, CWR 2.1, one NWR with every kind of party."""

    @pytest.fixture
    def reading(self) -> Reading:
        return _read("CW220001DMP_000.V21", expect=FileKind.REGISTRATION)

    def test_the_file_is_accepted_whole(self, reading: Reading) -> None:
        assert reading.rejection is None
        assert reading.summary is not None
        assert (
            reading.summary.group_count,
            reading.summary.transaction_count,
            reading.summary.record_count,
        ) == (1, 1, 22)
        assert reading.summary.kinds == {FileKind.REGISTRATION}
        assert [(g.transaction_count, g.record_count, g.problems) for g in reading.groups] == [(1, 20, ())]
        assert [t.problems for t in reading.transactions] == [()]

    def test_header_names_the_sender_by_ipi_split_over_sender_type_and_id(self, reading: Reading) -> None:
        header = reading.header
        assert (header.sender_type, header.sender_id, header.sender_name) == (
            "09",
            "000000020",
            "TEST PUBLISHER",
        )
        assert header.sender_ipi_name_number == "09000000020"
        assert header.version is CwrVersion.V2_1
        assert (header.creation_date, header.creation_time, header.transmission_date) == (
            date(2021, 1, 22),
            time(13, 56, 54),
            date(2021, 1, 23),
        )

    def test_work(self, reading: Reading) -> None:
        work = _work(reading.transactions[0])
        assert (work.record_type, work.title, work.submitter_work_number, work.iswc) == (
            "NWR",
            "MUSIC PUB CARTOONS",
            "DMP000001",
            "T1234567894",
        )
        assert (
            work.musical_work_distribution_category,
            work.version_type,
            work.music_arrangement,
            work.lyric_adaptation,
            work.recorded_indicator,
            work.duration_s,
        ) == ("UNC", "MOD", "UNS", "UNS", "Y", None)

    def test_records_in_file_order(self, reading: Reading) -> None:
        assert [r.record_type for r in reading.transactions[0].records] == [
            "SPU",
            "SPT",
            "OPU",
            "SWR",
            "SWT",
            "PWR",
            "SWR",
            "SWT",
            "PWR",
            "OWR",
            "ALT",
            "ALT",
            "ALT",
            "ALT",
            "ALT",
            "VER",
            "ORN",
        ]

    def test_publishers_and_their_shares(self, reading: Reading) -> None:
        spu, opu = reading.transactions[0].records_of(PublisherRecord)
        assert (
            spu.record_type,
            spu.publisher_sequence,
            spu.interested_party_number,
            spu.name,
            spu.publisher_type,
            spu.ipi_name_number,
        ) == ("SPU", 1, "P000001", "TEST PUBLISHER", "E", "09000000020")
        assert _shares(spu) == ("052", 3750, "044", 7500, "044", 7500)
        assert (
            opu.record_type,
            opu.publisher_sequence,
            opu.unknown_indicator,
            opu.name,
            opu.ipi_name_number,
        ) == ("OPU", 2, "Y", "", None)
        assert _shares(opu) == (None, 1250, None, 2500, None, 2500)
        (spt,) = reading.transactions[0].records_of(PublisherTerritory)
        assert _collection(spt) == ("P000001", 3750, 7500, 7500, "I", 2136)

    def test_writers_and_their_shares(self, reading: Reading) -> None:
        kolaric, other, unknown = reading.transactions[0].records_of(WriterRecord)
        assert (
            kolaric.last_name,
            kolaric.first_name,
            kolaric.designation,
            kolaric.ipi_name_number,
            kolaric.ipi_base_number,
        ) == ("KOLARIC", "MATIJA", "AR", "00000000199", "I-123456789-3")
        assert _shares(kolaric) == ("010", 2500, None, 0, None, 0)
        assert (other.last_name, other.first_name, other.designation, other.ipi_name_number) == (
            "OTHER",
            "ANN",
            "AD",
            "00000000297",
        )
        assert _shares(other) == ("010", 2500, None, 0, None, 0)
        assert (unknown.record_type, unknown.unknown_indicator, unknown.designation, unknown.last_name) == (
            "OWR",
            "Y",
            "CA",
            "",
        )
        assert _shares(unknown) == (None, 0, None, 0, None, 0)
        assert [_collection(t) for t in reading.transactions[0].records_of(WriterTerritory)] == [
            ("W000001", 2500, 0, 0, "I", 2136),
            ("W000002", 2500, 0, 0, "I", 2136),
        ]
        assert [
            (p.publisher_ip_number, p.writer_ip_number, p.society_assigned_agreement_number)
            for p in reading.transactions[0].records_of(PublisherForWriter)
        ] == [("P000001", "W000001", "J44VA"), ("P000001", "W000002", "")]

    def test_titles_original_work_and_origin(self, reading: Reading) -> None:
        transaction = reading.transactions[0]
        assert [(a.title, a.title_type) for a in transaction.records_of(AlternateTitle)] == [
            ("MPC ACADEMY", "TE"),
            ("MUSIC PUB CARTOONS SUFFIX", "AT"),
            ("MUSIC PUB CARTOONS SUFFIX CO-SUFFIX", "AT"),
            ("WORK RECORDING", "AT"),
            ("WORK RECORDING FEAT. TESTING", "AT"),
        ]
        (version,) = transaction.records_of(OriginalWork)
        assert (version.title, version.iswc) == ("MUSIC PUB CARTOONS", None)
        (origin,) = transaction.records_of(WorkOrigin)
        assert (
            origin.intended_purpose,
            origin.cd_identifier,
            origin.library,
            origin.cut_number,
            origin.year_of_production,
        ) == ("LIB", "ML001", "MUSIC LIBRARY", None, None)


class TestDjangoMusicPublisherBrokenRegistration:
    """CW220004DMP_000.V21: the same work with an excluded SPT and a non-numeric SWT share."""

    @pytest.fixture
    def reading(self) -> Reading:
        return _read("CW220004DMP_000.V21", expect=FileKind.REGISTRATION)

    def test_the_non_numeric_share_rejects_the_transaction_not_the_file(self, reading: Reading) -> None:
        assert reading.rejection is None
        (transaction,) = reading.transactions
        assert transaction.rejected
        assert _problem_summary(transaction) == [
            (8, "SWT", "pr_collection_share", "XXX00", Level.TRANSACTION)
        ]
        assert reading.groups[0].problems == ()

    def test_the_excluding_spt_is_read_as_an_exclusion(self, reading: Reading) -> None:
        (spt,) = reading.transactions[0].records_of(PublisherTerritory)
        assert (spt.included, spt.tis_code, spt.pr_collection_share_bp) == (False, 2136, 3750)

    def test_the_short_alt_line_is_complete(self, reading: Reading) -> None:
        titles = reading.transactions[0].records_of(AlternateTitle)
        assert (titles[-1].title, titles[-1].title_type) == ("WORK RECORDING FEAT. TESTING", "AT")


class TestWesoNewWorkExample:
    """nwrexample2.V21: LF, CWR 2.1, one NWR with an original publisher, an administrator and two writers."""

    @pytest.fixture
    def reading(self) -> Reading:
        return _read("nwrexample2.V21", expect=FileKind.REGISTRATION)

    def test_accepted(self, reading: Reading) -> None:
        assert reading.rejection is None
        assert reading.summary is not None
        assert (reading.summary.transaction_count, reading.summary.record_count) == (1, 12)
        assert reading.all_problems() == []
        assert (
            reading.header.sender_type,
            reading.header.sender_name,
            reading.header.sender_ipi_name_number,
        ) == ("PB", "THE SENDER", "00000000199")

    def test_work_and_parties(self, reading: Reading) -> None:
        (transaction,) = reading.transactions
        work = _work(transaction)
        assert (
            work.title,
            work.submitter_work_number,
            work.iswc,
            work.musical_work_distribution_category,
            work.version_type,
            work.contact_name,
        ) == ("THE WORK", "CLAIMDIGITAL01", None, "POP", "ORI", "MRS. SMITH")
        original, administrator = transaction.records_of(PublisherRecord)
        assert (
            original.interested_party_number,
            original.name,
            original.publisher_type,
            original.ipi_name_number,
        ) == ("HCJ3EBJT6", "THE PUBLISHER", "E", "00000000297")
        assert _shares(original) == ("010", 2500, "034", 5000, None, 5000)
        assert (
            administrator.interested_party_number,
            administrator.name,
            administrator.publisher_type,
            administrator.ipi_name_number,
        ) == ("ILE7GIQMJ", "THE SENDER", "AM", "00000000199")
        assert _shares(administrator) == ("010", 0, "034", 0, None, 0)
        assert [_collection(t) for t in transaction.records_of(PublisherTerritory)] == [
            ("ILE7GIQMJ", 2500, 5000, 5000, "I", 2136)
        ]
        john, jane = transaction.records_of(WriterRecord)
        assert (
            john.record_type,
            john.last_name,
            john.first_name,
            john.designation,
            john.ipi_name_number,
        ) == ("SWR", "DOE", "JOHN", "CA", "00000000395")
        assert _shares(john) == ("010", 2500, None, 0, None, 0)
        assert (
            jane.record_type,
            jane.interested_party_number,
            jane.last_name,
            jane.first_name,
            jane.ipi_name_number,
        ) == ("OWR", "JZL2GMGV3", "DOE", "JANE", None)
        assert _shares(jane) == (None, 5000, None, 5000, None, 5000)


class TestWesoRevisionExample:
    """revexample.V21: LF, CWR 2.1, two REV with alternate titles, a performer, a recording, an origin."""

    @pytest.fixture
    def reading(self) -> Reading:
        return _read("revexample.V21", expect=FileKind.REGISTRATION)

    def test_accepted_with_two_revisions(self, reading: Reading) -> None:
        assert reading.rejection is None
        assert reading.all_problems() == []
        assert [
            (t.transaction_type, _work(t).title, _work(t).submitter_work_number, _work(t).recorded_indicator)
            for t in reading.transactions
        ] == [("REV", "THE ONE", "DMP000001", "Y"), ("REV", "SECOND BEST", "DMP000002", "U")]

    def test_the_one(self, reading: Reading) -> None:
        the_one = reading.transactions[0]
        (spu,) = the_one.records_of(PublisherRecord)
        assert (spu.interested_party_number, spu.name, spu.ipi_name_number) == (
            "DMP",
            "DMP DEMO PUBLISHING",
            "00000000199",
        )
        assert _shares(spu) == ("052", 5000, "044", 10000, "044", 10000)
        (smith,) = the_one.records_of(WriterRecord)
        # The PR society is written left-aligned ("21 "); it is BMI, code 021.
        assert (smith.last_name, smith.first_name, smith.ipi_name_number) == (
            "SMITH",
            "JOHN JAMES",
            "00000000395",
        )
        assert _shares(smith) == ("021", 5000, None, 0, None, 0)
        assert [a.title for a in the_one.records_of(AlternateTitle)] == [
            "THE ONE BED",
            "THE ONE DRUMS ONLY",
            "THE ONE NO DRUMS",
            "THE ONE STING",
        ]
        assert [(p.last_name, p.first_name) for p in the_one.records_of(PerformingArtist)] == [
            ("THE BAND", "")
        ]
        (recording,) = the_one.records_of(Recording)
        assert (
            recording.first_release_date,
            recording.first_release_duration_s,
            recording.first_album_label,
            recording.isrc,
        ) == (None, None, "DML", None)
        (origin,) = the_one.records_of(WorkOrigin)
        assert (origin.intended_purpose, origin.cd_identifier, origin.library) == (
            "LIB",
            "INTERNET",
            "DMP DEMO LIBRARY",
        )
        (link,) = the_one.records_of(PublisherForWriter)
        assert (link.publisher_ip_number, link.society_assigned_agreement_number, link.writer_ip_number) == (
            "DMP",
            "SAAN12345",
            "W000001",
        )

    def test_second_best(self, reading: Reading) -> None:
        second = reading.transactions[1]
        (spu,) = second.records_of(PublisherRecord)
        assert _shares(spu) == ("052", 2500, "044", 5000, "044", 5000)
        smith, adams = second.records_of(WriterRecord)
        assert _shares(smith) == ("021", 2500, None, 0, None, 0)
        assert (adams.record_type, adams.last_name, adams.first_name, adams.designation) == (
            "OWR",
            "ADAMS",
            "AARON",
            "CA",
        )
        assert _shares(adams) == (None, 5000, None, 5000, None, 5000)
        assert [a.title for a in second.records_of(AlternateTitle)] == ["SECOND PLACE"]


class TestWesoDemo22:
    """demo_cwr_cleaned.v22: CWR 2.2, made-up data; its trailers still count the file it was cut from."""

    @pytest.fixture
    def reading(self) -> Reading:
        return _read("demo_cwr_cleaned.v22", expect=FileKind.REGISTRATION)

    def test_version_2_2_header(self, reading: Reading) -> None:
        header = reading.header
        assert header.version is CwrVersion.V2_2
        assert (header.sender_type, header.sender_id, header.sender_name) == (
            "PB",
            "000000DP1",
            "TOTALLY MADE UP PUBLISHING",
        )
        assert (header.revision, header.software_package) == (1, "CURVE ROYALTY SYSTEMS")
        assert header.sender_ipi_name_number is None  # the sender ID is not a number

    def test_ten_transactions_in_file_order(self, reading: Reading) -> None:
        assert [(t.transaction_type, t.header.record_number) for t in reading.transactions] == [
            ("NWR", 3),
            ("NWR", 9),
            ("REV", 21),
            ("REV", 31),
            ("ACK", 38),
            ("REV", 40),
            ("REV", 49),
            ("REV", 59),
            ("NWR", 69),
            ("REV", 82),
        ]
        works = [t.work for t in reading.transactions if t.work is not None]
        assert [(w.title, w.submitter_work_number, w.iswc) for w in works] == [
            ("MIDNIGHT SERENADE", "KEY001", "T0123456789"),
            ("ECHOES OF TOMORROW", "KEY002", "T0123456789"),
            ("MIDNIGHT SERENADE", "KEY003", None),
            ("WHISPERING WINDS", "KEY004", None),
            ("GOLDEN HORIZON", "KEY005B", None),
            ("FORGOTTEN MELODY", "KEY006", None),
            ("STARLIGHT SYMPHONY", "KEY007", None),
            ("URBAN PULSE", "KEY008", None),
            ("SILENT GUARDIAN", "KEY009", None),
        ]

    def test_which_transactions_stand(self, reading: Reading) -> None:
        # NWR and ACK transactions sit in a group declared REV; KEY003 owns 125 % of MR and SR.
        assert [t.rejected for t in reading.transactions] == [
            True,
            True,
            True,
            False,
            True,
            False,
            False,
            False,
            True,
            False,
        ]

    def test_the_invalid_ipi_is_rejected_as_a_field_and_cleared(self, reading: Reading) -> None:
        first = reading.transactions[0]
        (crown,) = first.records_of(PublisherRecord)
        assert (crown.name, crown.ipi_name_number) == ("CROWN PUBLISHING", None)
        assert _shares(crown) == ("052", 5000, "044", 10000, "044", 10000)
        (smith,) = first.records_of(WriterRecord)
        assert (smith.last_name, smith.first_name, smith.ipi_name_number) == ("SMITH", "JOHN", None)
        assert _problem_summary(first) == [
            (3, "NWR", "record_type", "NWR", Level.TRANSACTION),
            (4, "SPU", "ipi_name_number", "00854632549", Level.FIELD),
            (6, "SWR", "ipi_name_number", "00856545879", Level.FIELD),
        ]
        assert "check digits must be 21, got 49" in first.problems[1].rule

    def test_a_revision_with_only_field_problems_stands(self, reading: Reading) -> None:
        whispering = reading.transactions[3]
        assert not whispering.rejected
        assert {p.severity for p in whispering.problems} == {Level.FIELD}
        assert [(p.record_number, p.value) for p in whispering.problems] == [
            (32, "00854632549"),
            (33, "00854632547"),
            (35, "00856545879"),
        ]
        _, tulip = whispering.records_of(PublisherRecord)
        assert (tulip.name, tulip.publisher_type) == ("TULIP PUBLISHING", "SE")
        assert _shares(tulip) == ("023", 0, "078", 0, "078", 0)
        assert [_collection(t) for t in whispering.records_of(PublisherTerritory)] == [
            ("P00000003", 5000, 10000, 10000, "I", 2136)
        ]

    def test_the_over_owned_revision(self, reading: Reading) -> None:
        key003 = reading.transactions[2]
        assert [(p.field, p.value) for p in key003.problems if p.severity is Level.TRANSACTION] == [
            ("mr_ownership_total", "125.00 %"),
            ("sr_ownership_total", "125.00 %"),
        ]
        assert [_shares(p) for p in key003.records_of(PublisherRecord)] == [
            ("052", 2500, "044", 5000, "044", 5000),
            ("055", 1250, "055", 2500, "055", 2500),
            ("021", 1250, "708", 2500, "021", 2500),
        ]
        assert [(w.record_type, w.last_name, _shares(w)) for w in key003.records_of(WriterRecord)] == [
            ("SWR", "SMITH", ("052", 2500, "052", 0, "052", 0)),
            ("OWR", "JOHNSON", ("128", 1250, "128", 0, "128", 0)),
            ("OWR", "WHITE", ("008", 1250, "008", 2500, "008", 2500)),
        ]

    def test_cross_references_and_2_2_publisher_sequence(self, reading: Reading) -> None:
        echoes = reading.transactions[1]
        assert [
            (x.organisation_code, x.identifier, x.identifier_type, x.validity)
            for x in echoes.records_of(CrossReference)
        ] == [("052", "123456BR", "W", "Y"), ("055", "A35G45A1", "W", "Y"), ("089", "12345678", "W", "N")]
        assert [
            (p.writer_ip_number, p.publisher_sequence) for p in echoes.records_of(PublisherForWriter)
        ] == [("C00000001", 1), ("C00000004", 1)]
        assert (20, "XRF", "record_sequence", "10", Level.TRANSACTION) in _problem_summary(echoes)

    def test_the_acknowledgement_inside_the_revision_group(self, reading: Reading) -> None:
        ack = reading.transactions[4]
        assert isinstance(ack.header, Acknowledgement)
        assert (
            ack.header.creation_title,
            ack.header.submitter_creation_number,
            ack.header.recipient_creation_number,
            ack.header.transaction_status,
            ack.header.original_transaction_type,
            ack.header.creation_date,
            ack.header.creation_time,
        ) == ("CRIMSON TIDE", "KEY005B", "795145CV", "AS", "REV", date(2025, 6, 20), time(12, 39, 38))
        (message,) = ack.records_of(Message)
        assert (
            message.message_type,
            message.original_record_type,
            message.message_level,
            message.validation_number,
        ) == ("F", "MSG", "I", "006")
        assert message.message_text.startswith(
            "Submitter work number for revision work does not exist in BMI."
        )
        assert [(p.field, p.severity) for p in ack.problems] == [
            ("record_type", Level.TRANSACTION),
            ("transaction_sequence", Level.TRANSACTION),
        ]

    def test_excluded_territory(self, reading: Reading) -> None:
        golden = reading.transactions[5]
        assert [_collection(t) for t in golden.records_of(PublisherTerritory)] == [
            ("P00000001", 5000, 10000, 10000, "I", 2136),
            ("P00000001", 0, 0, 0, "E", 56),
            ("P00000002", 5000, 10000, 10000, "I", 56),
        ]

    def test_trailers_disagree_so_the_group_and_the_file_are_rejected(self, reading: Reading) -> None:
        (group,) = reading.groups
        assert (group.transaction_count, group.record_count) == (10, 91)
        assert group.rejected
        assert [(p.field, p.value, p.severity) for p in group.problems] == [
            ("transaction_count", "39", Level.GROUP),
            ("record_count", "720", Level.GROUP),
        ]
        assert [(p.record_number, p.field, p.value, p.severity) for p in reading.rejection_problems] == [
            (93, "transaction_count", "39", Level.ENTIRE_FILE),
            (93, "record_count", "722", Level.ENTIRE_FILE),
        ]
        assert reading.summary is None


class TestAcknowledgementFilesAreNotRegistrations:
    """Files a society sends back (GRH ACK) are refused as registrations, with the reason."""

    @pytest.mark.parametrize("name", ["CW220001000_DMP.V21", "CW220001052_DMP.V21", "ackexample.V21"])
    def test_refused_at_the_first_group(self, name: str) -> None:
        reading = read_fixture(name, expect=FileKind.REGISTRATION)
        assert reading.transactions == ()
        (problem,) = reading.rejection_problems
        assert (
            problem.record_number,
            problem.record_type,
            problem.field,
            problem.value,
            problem.severity,
        ) == (2, "GRH", "transaction_type", "ACK", Level.ENTIRE_FILE)
        assert "this is an acknowledgement file, not the registration file expected" in problem.rule


class TestDjangoMusicPublisherAcknowledgements:
    """CW220001000_DMP.V21 and CW220001052_DMP.V21, read as what they are."""

    def test_acknowledged_revisions_with_their_records(self) -> None:
        reading = read_fixture("CW220001000_DMP.V21", expect=FileKind.ACKNOWLEDGEMENT)
        acks = [t.header for t in reading.transactions]
        assert all(isinstance(a, Acknowledgement) for a in acks)
        assert [
            (
                a.creation_title,
                a.submitter_creation_number,
                a.recipient_creation_number,
                a.transaction_status,
                a.original_transaction_type,
                a.processing_date,
            )
            for a in acks
            if isinstance(a, Acknowledgement)
        ] == [
            ("THE MODIFIED WORK", "MK000003", "337739ES", "AS", "REV", date(2020, 6, 3)),
            ("THE WORK", "MK000004", "337739DU", "AS", "REV", date(2020, 6, 3)),
        ]
        first = reading.transactions[0]
        (revision,) = first.records_of(WorkRecord)
        assert (revision.record_type, revision.title, revision.iswc, revision.record_sequence) == (
            "REV",
            "THE MODIFIED WORK",
            "T3005600277",
            1,
        )
        assert [a.title for a in first.records_of(AlternateTitle)] == [
            "THE MODIFIED WORK 1",
            "THE MODIFIED WORK 2",
            "THE MODIFIED WORK 3",
            "THE MODIFIED WORK 4",
        ]
        assert [(r.first_release_date, r.first_release_duration_s) for r in first.records_of(Recording)] == [
            (date(2020, 4, 7), 30),
            (date(2017, 4, 7), 10),
            (date(2017, 4, 7), 30),
            (date(2017, 4, 7), 296),
        ]
        assert len(first.records) == 15
        assert len(reading.transactions[1].records) == 6
        # The publisher IPI 00000000004 fails its check (check digits 00 for these nine digits).
        assert [
            (p.record_number, p.field, p.value, p.severity) for t in reading.transactions for p in t.problems
        ] == [
            (5, "ipi_name_number", "00000000004", Level.FIELD),
            (21, "ipi_name_number", "00000000004", Level.FIELD),
        ]

    def test_its_trailer_counts_are_one_digit_off(self) -> None:
        reading = read_fixture("CW220001000_DMP.V21")
        assert [(p.field, p.value) for p in reading.groups[0].problems] == [("transaction_count", "20")]
        assert [(p.record_type, p.field, p.value) for p in reading.rejection_problems] == [
            ("TRL", "transaction_count", "20")
        ]

    def test_acknowledgements_then_iswc_notifications(self) -> None:
        reading = read_fixture("CW220001052_DMP.V21")
        acks = [t.header for t in reading.transactions if isinstance(t.header, Acknowledgement)]
        assert [
            (a.creation_title, a.submitter_creation_number, a.recipient_creation_number, a.transaction_status)
            for a in acks
        ] == [
            ("ONE", "Z128", "123", "AS"),
            ("TWO", "Z127", "", "RA"),
            ("THREE", "DMP000026", "", "RA"),
            ("THREE", "DMP000027", "", "NP"),
            ("X", "DMP000025", "", "NP"),
        ]
        notifications = [t for t in reading.transactions if t.transaction_type == "ISW"]
        assert [(_work(t).title, _work(t).submitter_work_number, _work(t).iswc) for t in notifications] == [
            ("MUSIC PUB CARTOONS", "MK000001", None),
            ("MUSIC PUB CARTOONS", "MK000001", None),
            ("MUSIC PUB CARTOONS", "MK000002", None),
        ]
        # Both ISWCs fail their check digit (T3221234234 wants 3, T1234567893 wants 4): FR, cleared.
        assert [[(p.field, p.value, p.severity) for p in t.problems] for t in notifications] == [
            [("iswc", "T3221234234", Level.FIELD), ("writer designations", "no writers", Level.TRANSACTION)],
            [("iswc", "T1234567893", Level.FIELD), ("writer designations", "no writers", Level.TRANSACTION)],
            [("iswc", "T3221234234", Level.FIELD), ("writer designations", "no writers", Level.TRANSACTION)],
        ]
        assert [[(p.field, p.value) for p in g.problems] for g in reading.groups] == [
            [("transaction_count", "50")],
            [("transaction_count", "30"), ("record_count", "3")],
        ]
        assert [(p.field, p.value) for p in reading.rejection_problems] == [("transaction_count", "80")]


class TestPrsAcknowledgementExample:
    """ackexample.V21: CRLF, a PRS acknowledgement of 16 NWR and 4 REV, one record missing."""

    @pytest.fixture
    def reading(self) -> Reading:
        return _read("ackexample.V21", expect=FileKind.ACKNOWLEDGEMENT)

    def test_twenty_acknowledgements(self, reading: Reading) -> None:
        acks = [t.header for t in reading.transactions if isinstance(t.header, Acknowledgement)]
        assert len(acks) == 20
        assert [a.creation_title for a in acks] == [
            "ALIVE AND LIVING NOW",
            "ANGEL AND THE ASS",
            "THE DESERT SKY",
            "EASTERN STAR",
            "THE INDIAN SONG",
            "L'ESPIONNAGE POMME DE TERRE",
            "LAND OF APPLES",
            "NEGOTIATION",
            "ORPHEUS MUST DIE",
            "P.C.H.",
            "PUNK CLUB",
            "RHINOCEROS",
            "SUN",
            "THE WAY YOU DREAM",
            "WIGGEDY WHACK",
            "WRONG TURN",
            "BOEING SPACEMAN",
            "ESTATE SALE",
            "I'LL GIVE YOU MY SKIN",
            "TO LICK YOUR BOOTS",
        ]
        assert [a.original_transaction_type for a in acks] == ["NWR"] * 16 + ["REV"] * 4
        assert [a.transaction_status for a in acks].count("AS") == 19
        assert acks[16].transaction_status == "RJ"
        assert (
            acks[0].submitter_creation_number,
            acks[0].recipient_creation_number,
            acks[0].processing_date,
        ) == ("256599", "250310HN", date(2016, 6, 30))

    def test_messages(self, reading: Reading) -> None:
        messages = [m for t in reading.transactions for m in t.records_of(Message)]
        assert len(messages) == 12
        assert {(m.message_type, m.message_level, m.validation_number, m.message_text) for m in messages} == {
            ("F", "F", "005", "COPYRIGHT DATE WAS NOT A VALID DATE - REPLACED WITH ZEROS")
        }
        assert sorted(m.original_record_type for m in messages) == ["NWR"] * 8 + ["REV"] * 4

    def test_every_record_is_kept(self, reading: Reading) -> None:
        counts: dict[str, int] = {}
        for transaction in reading.transactions:
            for detail in transaction.records:
                counts[detail.record_type] = counts.get(detail.record_type, 0) + 1
        assert counts == {
            "MSG": 12,
            "NWR": 16,
            "REV": 4,
            "SPU": 254,
            "OPU": 29,
            "SPT": 1173,
            "SWR": 37,
            "OWR": 30,
            "SWT": 851,
            "PWR": 56,
            "ALT": 5,
            "PER": 27,
            "REC": 54,
        }

    def test_the_acknowledged_work_carries_nordic_administration(self, reading: Reading) -> None:
        first = reading.transactions[0]
        (work,) = first.records_of(WorkRecord)
        assert (work.title, work.language_code, work.submitter_work_number, work.iswc) == (
            "ALIVE AND LIVING NOW",
            "EN",
            "256599",
            "T9110536293",
        )
        scandinavia = [
            p for p in first.records_of(PublisherRecord) if p.name == "UNIVERSAL/MCA MUSIC SCAND AB"
        ]
        assert [(p.publisher_type, p.ipi_name_number, _shares(p)) for p in scandinavia] == [
            ("SE", "00244969234", ("079", 0, "048", 0, "079", 0))
        ]
        nordic = [t for t in first.records_of(PublisherTerritory) if t.interested_party_number == "12955570"]
        assert [(t.tis_code, t.pr_collection_share_bp, t.mr_collection_share_bp) for t in nordic] == [
            (2109, 1666, 3333),
            (2127, 1666, 3333),
        ]
        assert first.records_of(PerformingArtist)[0].last_name == "THE GOLDEN PALOMINOS"

    def test_recordings_and_isrcs(self, reading: Reading) -> None:
        recordings = [r for t in reading.transactions for r in t.records_of(Recording)]
        isrcs = [r.isrc for r in recordings if r.isrc is not None]
        assert len(recordings) == 54
        assert len(isrcs) == len(set(isrcs)) == 19
        assert {"USVR90540623", "USLS50805403", "GBAAA0800736", "CAN110200331"} <= set(isrcs)

    def test_the_missing_record_is_found_three_ways(self, reading: Reading) -> None:
        boeing = reading.transactions[16]
        assert [(p.record_number, p.record_type, p.field, p.value, p.severity) for p in boeing.problems] == [
            (2123, "SPU", "record_sequence", "69", Level.TRANSACTION)
        ]
        assert [t.rejected for t in reading.transactions].count(True) == 1
        assert reading.groups[0].problems == ()
        assert [(p.field, p.value, p.severity) for p in reading.groups[1].problems] == [
            ("record_count", "521", Level.GROUP)
        ]
        assert [(p.record_number, p.field, p.value) for p in reading.rejection_problems] == [
            (2574, "record_count", "2575")
        ]
