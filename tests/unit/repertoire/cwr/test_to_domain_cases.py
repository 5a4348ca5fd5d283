"""The conversion's own rules, one case at a time, on small transactions built for the purpose."""

from __future__ import annotations

import pytest

from nordclear.repertoire.cwr import CwrVersion, Level
from nordclear.repertoire.cwr.to_domain import ImportedWork
from nordclear.repertoire.domain.work import AlternateTitle, OriginalWork, SocietyWorkId, TitleType
from tests.unit.repertoire.cwr.cwr_domain import imported, summary
from tests.unit.repertoire.cwr.cwr_reading import (
    a_valid_work,
    cwr_file,
    publisher,
    read_lines,
    record,
    territory,
    work,
    writer,
)

pytestmark = pytest.mark.unit

HDR_2_2 = (
    "HDRPB000000199THE SENDER                                   01.102018032210203720180322"
    "               2.2001"
)


def _one(*details: str, record_type: str = "NWR", version: CwrVersion = CwrVersion.V2_1) -> ImportedWork:
    lines = cwr_file(work(0, *details, record_type=record_type), transaction_type=record_type)
    if version is CwrVersion.V2_2:
        lines = [HDR_2_2, lines[1].replace("02.10", "02.20"), *lines[2:]]
    reading = read_lines(lines)
    assert reading.rejection is None, reading.rejection
    (result,) = imported(reading.transactions)
    return result


def _valid_parties() -> list[str]:
    return a_valid_work()[1:]


def test_a_valid_work_has_no_problem() -> None:
    result = _one(*_valid_parties())
    assert result.problems == ()
    assert [p.party_key for p in result.work.parties] == ["P1", "W1"]


def test_one_publisher_in_two_chains_gets_two_keys_and_the_writer_links_the_first() -> None:
    result = _one(
        publisher((2500, 5000, 5000), party="E1"),
        publisher((0, 0, 0), party="SUB", publisher_type="SE"),
        territory("SPT", "SUB", (0, 0, 0), tis_code="0752"),
        publisher((2500, 5000, 5000), party="E2", sequence=2),
        publisher((0, 0, 0), party="SUB", publisher_type="SE", sequence=2),
        territory("SPT", "SUB", (0, 0, 0), tis_code="0578"),
        writer((5000, 0, 0)),
        record("PWR", 0, 0, publisher_ip_number="SUB", writer_ip_number="W1"),
    )
    parties = result.work.parties
    assert [(p.party_key, p.chain_sequence) for p in parties] == [
        ("E1", 1),
        ("SUB", 1),
        ("E2", 2),
        ("SUB~2", 2),
        ("W1", 0),
    ]
    assert [entry.tis_code for entry in parties[1].collection_shares] == [752]
    assert [entry.tis_code for entry in parties[3].collection_shares] == [578]
    assert parties[4].publisher_party_keys == ("SUB",)
    assert not result.rejected


def test_cwr_2_2_links_the_writer_to_the_publisher_of_the_chain_named() -> None:
    result = _one(
        publisher((2500, 5000, 5000), party="E1"),
        publisher((2500, 5000, 5000), party="E1", sequence=2),
        writer((5000, 0, 0)),
        record(
            "PWR",
            0,
            0,
            version=CwrVersion.V2_2,
            publisher_ip_number="E1",
            writer_ip_number="W1",
            publisher_sequence="02",
        ),
        version=CwrVersion.V2_2,
    )
    assert result.work.parties[2].publisher_party_keys == ("E1~2",)


def test_a_link_to_no_publisher_is_named_by_the_domain_rule_on_the_writer() -> None:
    result = _one(
        publisher(),
        writer(),
        record("PWR", 0, 0, publisher_ip_number="NOBODY", writer_ip_number="W1"),
    )
    assert (
        5,
        "SWR",
        "work.parties[1].publisher_party_keys[0]",
        Level.TRANSACTION,
        "PUBLISHER_LINK",
    ) in summary(result)


def test_non_roman_names_and_titles() -> None:
    result = _one(
        publisher(),
        record("NPN", 0, 0, publisher_sequence="01", interested_party_number="P1", name="出版社"),
        writer(),
        record("NWN", 0, 0, interested_party_number="W1", last_name="ИВАНОВ", first_name="ИВАН"),
        record("NWN", 0, 0, interested_party_number="NOBODY", last_name="X"),
        record("NAT", 0, 0, title="ПЕСНЯ", title_type="OL", language_code="RU"),
        record("NAT", 0, 0, title="A" * 61, title_type="OL"),
    )
    publisher_party, writer_party = result.work.parties
    assert publisher_party.non_roman_name == "出版社"
    assert writer_party.non_roman_name == "ИВАНОВ, ИВАН"
    assert result.work.alternate_titles == (AlternateTitle("ПЕСНЯ", TitleType.ORIGINAL_NATIONAL, "RU"),)
    assert summary(result) == [
        (8, "NWN", "interested_party_number", Level.RECORD, "NO_SUCH_PARTY"),
        (10, "NAT", "title", Level.RECORD, "NOT_MODELLED"),
    ]
    assert result.changed
    assert not result.rejected


def test_the_original_work_and_a_second_one() -> None:
    result = _one(
        *_valid_parties(),
        record(
            "VER",
            0,
            0,
            title="THE ORIGINAL",
            iswc="T1234567894",
            writer_1_last_name="BACH",
            writer_1_first_name="JOHANN SEBASTIAN",
            writer_2_last_name="ANON",
        ),
        record("VER", 0, 0, title="ANOTHER ORIGINAL"),
    )
    assert result.work.original_work == OriginalWork(
        "THE ORIGINAL", "T1234567894", ("BACH, JOHANN SEBASTIAN", "ANON")
    )
    # The work is ORI, so naming an original work breaks the domain's VERSION rule, on the VER record.
    assert summary(result) == [
        (9, "VER", "title", Level.RECORD, "SECOND_ORIGINAL_WORK"),
        (8, "VER", "work.original_work", Level.TRANSACTION, "VERSION"),
    ]


def test_an_other_writer_without_designation() -> None:
    owning = _one(
        publisher(), writer((2500, 0, 0)), writer((2500, 0, 0), record_type="OWR", party="W2", designation="")
    )
    # The share it owns is lost with it, so the domain's total no longer adds up either.
    assert summary(owning) == [
        (6, "OWR", "designation", Level.TRANSACTION, "ROLE_MISSING"),
        (3, "NWR", "work.ownership_shares[PR]", Level.TRANSACTION, "SHARE_TOTAL"),
    ]
    assert owning.rejected
    owning_nothing = _one(*_valid_parties(), writer((0, 0, 0), record_type="OWR", party="W2", designation=""))
    assert summary(owning_nothing) == [(8, "OWR", "designation", Level.RECORD, "ROLE_MISSING")]
    assert [p.party_key for p in owning_nothing.work.parties] == ["P1", "W1"]
    assert not owning_nothing.rejected


def test_cross_references_that_are_not_kept() -> None:
    result = _one(
        *_valid_parties(),
        record(
            "XRF",
            0,
            0,
            version=CwrVersion.V2_2,
            organisation_code="079",
            identifier="SW000000",
            identifier_type="W",
            validity="Y",
        ),
        record(
            "XRF",
            0,
            0,
            version=CwrVersion.V2_2,
            organisation_code="090",
            identifier="T9",
            identifier_type="W",
            validity="Y",
        ),
        record(
            "XRF",
            0,
            0,
            version=CwrVersion.V2_2,
            organisation_code="090",
            identifier="SE1234",
            identifier_type="R",
            validity="Y",
        ),
        record(
            "XRF",
            0,
            0,
            version=CwrVersion.V2_2,
            organisation_code="DSP",
            identifier="X1",
            identifier_type="W",
            validity="Y",
        ),
        version=CwrVersion.V2_2,
    )
    # The first repeats the submitter work number: kept once, without a problem.
    assert result.work.society_work_ids == (SocietyWorkId("079", "SW000000"), SocietyWorkId("090", "T9"))
    assert summary(result) == [
        (10, "XRF", "identifier_type", Level.RECORD, "CROSS_REFERENCE"),
        (11, "XRF", "organisation_code", Level.RECORD, "CROSS_REFERENCE"),
    ]


def test_records_the_repertoire_does_not_keep() -> None:
    result = _one(
        *_valid_parties(),
        record("REC", 0, 0, media_type="DML"),
        record("ORN", 0, 0, intended_purpose="LIB"),
        record("NPR", 0, 0, name="ИВАН"),
        "COM0000000000000000COMPONENT",
    )
    assert summary(result) == [
        (8, "REC", "isrc", Level.RECORD, "EMPTY_RECORDING"),
        (9, "ORN", "record_type", Level.RECORD, "NOT_MODELLED"),
        (10, "NPR", "record_type", Level.RECORD, "NOT_MODELLED"),
        (11, "COM", "record_type", Level.RECORD, "NOT_MODELLED"),
    ]
    assert result.recordings == ()


def test_an_exc_is_converted_but_rejected() -> None:
    result = _one(*_valid_parties(), record_type="EXC")
    assert summary(result) == [(3, "EXC", "record_type", Level.TRANSACTION, "NOT_A_REGISTRATION")]
    assert result.work.title == "A WORK"
    assert result.rejected


def test_domain_violations_name_the_record_they_concern() -> None:
    result = _one(
        *_valid_parties(),
        record("ALT", 0, 0, title="B" * 60, title_type="AT", language_code="S1"),
        record("PER", 0, 0, last_name="THE BAND"),
        record("REC", 0, 0, isrc="SEAAA2400001", recording_format="A"),
    )
    assert summary(result) == [
        (8, "ALT", "work.alternate_titles[0].language_code", Level.TRANSACTION, "LANGUAGE_CODE"),
    ]
    assert [(r.isrc, r.title) for r in result.recordings] == [("SEAAA2400001", "A WORK")]


def test_a_controlled_writer_without_designation_is_reported_once_by_the_reader() -> None:
    result = _one(publisher(), writer((0, 0, 0), designation=""), writer((5000, 0, 0), party="W2"))
    assert [(p.record_type, p.field, p.severity) for p in result.problems] == [
        ("SWR", "designation", Level.TRANSACTION)
    ]
    assert [p.party_key for p in result.work.parties] == ["P1", "W2"]
