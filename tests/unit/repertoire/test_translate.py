"""Unit tests of the repertoire's protobuf translation: what a Work message may carry, and what comes back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeAlias

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.gen.common.v1 import codes_pb2, identifiers_pb2
from nordclear.gen.repertoire.v1 import work_pb2
from nordclear.platform.errors import InvalidArgument, Unimplemented
from nordclear.repertoire.adapters.protocodes import (
    is_writer_role,
    party_role_to_proto,
    writer_role_from_proto,
)
from nordclear.repertoire.domain.model import (
    ORIGINAL_CREATOR_ROLES,
    Creator,
    Work,
    WorkRegistration,
    WriterRole,
)
from nordclear.repertoire.entrypoints.translate import (
    MAX_REQUEST_ID_CHARS,
    SERVER_ASSIGNED_WORK_FIELDS,
    STORED_PARTY_FIELDS,
    STORED_WORK_FIELDS,
    registration_from_proto,
    request_id,
    work_to_proto,
)

pytestmark = pytest.mark.unit

Role: TypeAlias = codes_pb2.PartyRole.ValueType
PUBLISHER_ROLES = [
    codes_pb2.PARTY_ROLE_ORIGINAL_PUBLISHER,
    codes_pb2.PARTY_ROLE_ADMINISTRATOR,
    codes_pb2.PARTY_ROLE_PUBLISHER_INCOME_PARTICIPANT,
    codes_pb2.PARTY_ROLE_SUB_PUBLISHER,
    codes_pb2.PARTY_ROLE_SUBSTITUTED_PUBLISHER,
    codes_pb2.PARTY_ROLE_ACQUIRER,
]


def _party(
    name: str = "Andersson", role: Role = codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR
) -> work_pb2.InterestedParty:
    return work_pb2.InterestedParty(name=name, role=role)


def _work(**fields: object) -> work_pb2.Work:
    work = work_pb2.Work(title="Visa", parties=[_party()])
    for name, value in fields.items():
        if isinstance(value, list):
            del getattr(work, name)[:]
            getattr(work, name).extend(value)
        else:
            setattr(work, name, value)
    return work


def _unimplemented(work: work_pb2.Work) -> str:
    with pytest.raises(Unimplemented) as caught:
        registration_from_proto(work, "STIM")
    return str(caught.value)


# --- registration_from_proto: accepted -----------------------------------------------------------------


def test_a_minimal_work_is_accepted() -> None:
    registration = registration_from_proto(_work(), "STIM")
    assert registration == WorkRegistration(
        title="Visa",
        iswc=None,
        creators=(Creator("Andersson", "", WriterRole.COMPOSER_AUTHOR, None),),
        society="STIM",
    )


def test_every_stored_field_is_taken_over_and_normalised() -> None:
    work = work_pb2.Work(
        iswc="T-034.524.680-1",
        title="  Visa   vid vindens ängar ",
        submitting_society=codes_pb2.SOCIETY_STIM,
        parties=[
            work_pb2.InterestedParty(
                name="Taube",
                first_name="Evert",
                ipi_name_number="014107338",
                role=codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR,
            ),
            _party("Bach", codes_pb2.PARTY_ROLE_ARRANGER),
        ],
    )
    registration = registration_from_proto(work, "STIM")
    assert registration.title == "Visa vid vindens ängar"
    assert registration.iswc == "T0345246801"
    assert registration.society == "STIM"
    assert registration.creators == (
        Creator("Taube", "Evert", WriterRole.COMPOSER_AUTHOR, "00014107338"),
        Creator("Bach", "", WriterRole.ARRANGER, None),
    )


def test_the_society_comes_from_the_caller_argument() -> None:
    assert registration_from_proto(_work(), "KODA").society == "KODA"


@pytest.mark.parametrize(
    ("proto_role", "role"),
    [
        (codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR, WriterRole.COMPOSER_AUTHOR),
        (codes_pb2.PARTY_ROLE_AUTHOR, WriterRole.AUTHOR),
        (codes_pb2.PARTY_ROLE_COMPOSER, WriterRole.COMPOSER),
        (codes_pb2.PARTY_ROLE_ARRANGER, WriterRole.ARRANGER),
        (codes_pb2.PARTY_ROLE_ADAPTOR, WriterRole.ADAPTER),
        (codes_pb2.PARTY_ROLE_SUB_ARRANGER, WriterRole.SUB_ARRANGER),
        (codes_pb2.PARTY_ROLE_SUB_AUTHOR, WriterRole.SUB_AUTHOR),
        (codes_pb2.PARTY_ROLE_TRANSLATOR, WriterRole.TRANSLATOR),
        (codes_pb2.PARTY_ROLE_WRITER_INCOME_PARTICIPANT, WriterRole.INCOME_PARTICIPANT),
    ],
)
def test_writer_roles_map_both_ways(proto_role: Role, role: WriterRole) -> None:
    assert writer_role_from_proto(proto_role, "role") is role
    assert party_role_to_proto(role) == proto_role
    assert is_writer_role(proto_role)


def test_every_domain_role_has_a_proto_role() -> None:
    assert {party_role_to_proto(role) for role in WriterRole} == {
        value for value in codes_pb2.PartyRole.values() if is_writer_role(value)
    }


# --- registration_from_proto: refused ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("work_id", "w-1"),
        ("revision", 3),
        ("deleted", True),
    ],
)
def test_server_assigned_scalars_are_refused(field: str, value: object) -> None:
    with pytest.raises(InvalidArgument) as caught:
        registration_from_proto(_work(**{field: value}), "STIM")
    assert caught.value.field == f"work.{field}"
    assert "assigned by the server" in caught.value.rule


@pytest.mark.parametrize("field", ["created_at", "updated_at"])
def test_server_assigned_timestamps_are_refused(field: str) -> None:
    work = _work()
    getattr(work, field).FromDatetime(datetime(2025, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidArgument) as caught:
        registration_from_proto(work, "STIM")
    assert caught.value.field == f"work.{field}"


def test_server_assigned_fields_are_refused_before_unsupported_ones() -> None:
    work = _work(work_id="w-1", duration_ms=1000)
    with pytest.raises(InvalidArgument):
        registration_from_proto(work, "STIM")


def test_unsupported_work_and_party_fields_are_all_named() -> None:
    work = _work(
        recordings=[work_pb2.Recording(isrc="SEAAA2500001")],
        alternate_titles=[work_pb2.AlternateTitle(title="Visan")],
    )
    work.parties[0].ownership_shares.add(share_bp=5000)
    extra = work.parties.add(name="Bach", role=codes_pb2.PARTY_ROLE_ARRANGER, pr_society_code="079")
    extra.mandates.add(society_code="079")
    message = _unimplemented(work)
    for name in (
        "work.recordings",
        "work.alternate_titles",
        "work.parties[0].ownership_shares",
        "work.parties[1].pr_society_code",
        "work.parties[1].mandates",
    ):
        assert name in message
    assert "nothing was registered" in message


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("language_code", "SV"),
        ("version_type", work_pb2.VERSION_TYPE_ORIGINAL),
        ("duration_ms", 180_000),
        ("society_work_ids", [identifiers_pb2.SocietyWorkId()]),
        ("performing_artists", [work_pb2.PerformingArtist(name="ABBA")]),
    ],
)
def test_each_unsupported_work_field_is_unimplemented(field: str, value: object) -> None:
    assert f"work.{field}" in _unimplemented(_work(**{field: value}))


def test_a_message_valued_unsupported_field_is_refused_even_when_empty() -> None:
    work = _work()
    work.original_work.SetInParent()
    assert "work.original_work" in _unimplemented(work)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("non_roman_name", "アンデション"),
        ("ipi_base_number", "I-000000229-7"),
        ("mr_society_code", "079"),
        ("sr_society_code", "079"),
        ("publisher_party_keys", ["pub-1"]),
        ("chain_sequence", 1),
    ],
)
def test_each_unsupported_party_field_is_unimplemented(field: str, value: object) -> None:
    work = _work()
    target = getattr(work.parties[0], field)
    if isinstance(value, list):
        target.extend(value)
    else:
        setattr(work.parties[0], field, value)
    assert f"work.parties[0].{field}" in _unimplemented(work)


def test_the_stored_field_lists_match_the_contract() -> None:
    work_fields = set(work_pb2.Work.DESCRIPTOR.fields_by_name)
    party_fields = set(work_pb2.InterestedParty.DESCRIPTOR.fields_by_name)
    assert work_fields >= STORED_WORK_FIELDS | SERVER_ASSIGNED_WORK_FIELDS
    assert not STORED_WORK_FIELDS & SERVER_ASSIGNED_WORK_FIELDS
    assert party_fields >= STORED_PARTY_FIELDS


@pytest.mark.parametrize(
    "role", PUBLISHER_ROLES, ids=[codes_pb2.PartyRole.Name(role) for role in PUBLISHER_ROLES]
)
def test_a_publisher_role_is_refused_naming_the_party(role: Role) -> None:
    work = _work(parties=[_party(), _party("Polar Music", role)])
    with pytest.raises(InvalidArgument) as caught:
        registration_from_proto(work, "STIM")
    assert caught.value.field == "work.parties[1].role"
    assert caught.value.value == codes_pb2.PartyRole.Name(role)
    assert not is_writer_role(role)


@pytest.mark.parametrize("number", [codes_pb2.PARTY_ROLE_UNSPECIFIED, 16, 99, -1, 2**31 - 1, -(2**31)])
def test_an_unset_or_out_of_range_role_is_invalid_argument(number: int) -> None:
    work = _work(parties=[_party(role=Role(number))])
    with pytest.raises(InvalidArgument) as caught:
        registration_from_proto(work, "STIM")
    assert caught.value.field == "work.parties[0].role"


def test_domain_rules_apply_with_the_contract_field_names() -> None:
    with pytest.raises(InvalidArgument) as caught:
        registration_from_proto(_work(iswc="T0345246802"), "STIM")
    assert caught.value.field == "work.iswc"
    with pytest.raises(InvalidArgument) as caught:
        registration_from_proto(_work(title=" "), "STIM")
    assert caught.value.field == "work.title"
    with pytest.raises(InvalidArgument) as caught:
        registration_from_proto(_work(parties=[]), "STIM")
    assert caught.value.field == "work.parties"


# --- work_to_proto -------------------------------------------------------------------------------------

REGISTERED_AT = datetime(2025, 6, 1, 8, 30, 5, 123_000, tzinfo=UTC)
WORK = Work(
    work_id="0f5c8a8e-8d4e-4b8e-9f57-1d3c6f0b2a11",
    title="Visa vid vindens ängar",
    iswc="T0345246801",
    creators=(
        Creator("Taube", "Evert", WriterRole.COMPOSER_AUTHOR, "00014107338"),
        Creator("Bach", "", WriterRole.ARRANGER, None),
    ),
    society="TEOSTO",
    registered_at=REGISTERED_AT,
)


def test_work_to_proto_carries_every_stored_field() -> None:
    message = work_to_proto(WORK)
    assert message.work_id == WORK.work_id
    assert message.title == WORK.title
    assert message.iswc == "T0345246801"
    assert message.submitting_society == codes_pb2.SOCIETY_TEOSTO
    assert message.revision == 1
    assert message.created_at.ToDatetime(UTC) == REGISTERED_AT
    assert message.updated_at.ToDatetime(UTC) == REGISTERED_AT
    assert not message.deleted
    assert [(p.party_key, p.name, p.first_name, p.ipi_name_number, p.role) for p in message.parties] == [
        ("", "Taube", "Evert", "00014107338", codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR),
        ("", "Bach", "", "", codes_pb2.PARTY_ROLE_ARRANGER),
    ]


@pytest.mark.parametrize(
    ("field", "value"), [("party_key", "p1"), ("controlled", True)], ids=["party_key", "controlled"]
)
def test_party_fields_not_stored_yet_are_refused_not_dropped(field: str, value: object) -> None:
    party = _party("Taube", codes_pb2.PARTY_ROLE_COMPOSER_AUTHOR)
    setattr(party, field, value)
    with pytest.raises(Unimplemented, match=rf"work\.parties\[0\]\.{field}"):
        registration_from_proto(work_pb2.Work(title="Visa", parties=[party]), "STIM")


def test_a_work_without_iswc_has_an_empty_iswc() -> None:
    message = work_to_proto(Work("w", "Visa", None, WORK.creators, "STIM", REGISTERED_AT))
    assert message.iswc == ""


def test_work_to_proto_then_back_gives_the_same_registration() -> None:
    message = work_to_proto(WORK)
    for field in SERVER_ASSIGNED_WORK_FIELDS:
        message.ClearField(field)  # type: ignore[arg-type]
    registration = registration_from_proto(message, WORK.society)
    assert registration == WorkRegistration(WORK.title, WORK.iswc, WORK.creators, WORK.society)


def test_work_to_proto_survives_the_wire() -> None:
    message = work_to_proto(WORK)
    assert work_pb2.Work.FromString(message.SerializeToString()) == message


# --- request_id ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["r-1", "2025-06-01/0001", "x" * MAX_REQUEST_ID_CHARS, "åäö 🎵"])
def test_a_good_request_id_is_returned_unchanged(value: str) -> None:
    assert request_id(value) == value


@pytest.mark.parametrize(
    "value",
    ["", " ", "\t", "x" * (MAX_REQUEST_ID_CHARS + 1), "a\nb", "a\x00b", "tab\there", "\x1b[31m", "a\u2028b"],
    ids=["empty", "space", "tab-only", "too-long", "newline", "nul", "tab", "escape", "line-separator"],
)
def test_a_bad_request_id_is_refused(value: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        request_id(value)
    assert caught.value.field == "request_id"
    assert caught.value.value == value


# --- fuzzing -------------------------------------------------------------------------------------------

INT32 = st.integers(min_value=-(2**31), max_value=2**31 - 1)
# Mostly plausible values, so that many examples get past validation, mixed with arbitrary text.
ISWCS = st.one_of(
    st.just(""),
    st.sampled_from(["T-034.524.680-1", "t0345246801", "T 034 524 680 1"]),
    st.sampled_from(["T-034.524.680-1", "T-034.524.680-2", "T034524680"]),
    st.text(alphabet="0123456789 -.Tt", max_size=16),
    st.text(max_size=40),
)
IPIS = st.one_of(
    st.just(""),
    st.sampled_from(["00014107338", "014107338", " 00014107338 "]),
    st.sampled_from(["00014107339", "00000000000", "000000000"]),
    st.text(alphabet="0123456789 ", max_size=13),
    st.text(max_size=40),
)
ROLES = st.one_of(
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=1, max_value=9),
    st.integers(min_value=1, max_value=9),
    st.integers(min_value=0, max_value=16),
    INT32,
)
RARELY = st.sampled_from(range(12)).map(lambda number: number == 7)


@st.composite
def parties(draw: st.DrawFn) -> work_pb2.InterestedParty:
    party = work_pb2.InterestedParty(
        name=draw(st.one_of(st.text(min_size=1, max_size=20), st.text(max_size=50))),
        first_name=draw(st.text(max_size=35)),
        ipi_name_number=draw(IPIS),
        role=Role(draw(ROLES)),
    )
    if draw(RARELY):
        party.ownership_shares.add(share_bp=draw(INT32))
    return party


@st.composite
def works(draw: st.DrawFn) -> work_pb2.Work:
    work = work_pb2.Work(
        title=draw(st.text(max_size=70)),
        iswc=draw(ISWCS),
        submitting_society=codes_pb2.Society.ValueType(draw(st.one_of(st.integers(0, 5), INT32))),
        parties=draw(st.lists(parties(), min_size=1, max_size=3)),
    )
    if draw(RARELY):
        work.language_code = draw(st.text(max_size=3))
    if draw(RARELY):
        work.revision = draw(INT32)
    return work


def _outcome(work: work_pb2.Work) -> WorkRegistration | InvalidArgument | Unimplemented:
    try:
        return registration_from_proto(work, "STIM")
    except (InvalidArgument, Unimplemented) as error:
        return error


def _is_ipi(value: str | None) -> bool:
    return value is None or (len(value) == 11 and value.isdigit())


@given(works())
def test_any_work_message_is_registered_or_refused_cleanly(work: work_pb2.Work) -> None:
    """Whatever a client sends, the answer is a registration or a refusal naming a field, never a crash."""
    outcome = _outcome(work)
    if isinstance(outcome, InvalidArgument):
        assert outcome.field.startswith(("work.", "work["))
    elif isinstance(outcome, Unimplemented):
        assert str(outcome).startswith("work.")
    else:
        assert 0 < len(outcome.title) <= 60
        assert outcome.iswc is None or (len(outcome.iswc) == 11 and outcome.iswc.startswith("T"))
        assert all(_is_ipi(creator.ipi_name_number) for creator in outcome.creators)


def _printable_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=max_size
    ).filter(lambda text: bool(text.strip()))


@st.composite
def valid_works(draw: st.DrawFn) -> work_pb2.Work:
    writer_roles = [party_role_to_proto(role) for role in WriterRole]
    original = draw(st.sampled_from([party_role_to_proto(role) for role in sorted(ORIGINAL_CREATOR_ROLES)]))
    roles = [original, *draw(st.lists(st.sampled_from(writer_roles), max_size=3))]
    return work_pb2.Work(
        title=draw(_printable_text(60)),
        iswc=draw(st.sampled_from(["", "T-034.524.680-1", "t0345246801"])),
        parties=[
            work_pb2.InterestedParty(
                name=draw(_printable_text(45)),
                first_name=draw(st.text(max_size=30)),
                ipi_name_number=draw(st.sampled_from(["", "00014107338", "014107338"])),
                role=role,
            )
            for role in draw(st.permutations(roles))
        ],
    )


@given(valid_works(), st.sampled_from(["KODA", "STEF", "STIM", "TEOSTO", "TONO"]))
def test_a_valid_work_is_always_accepted_and_survives_the_round_trip(
    work: work_pb2.Work, society: str
) -> None:
    registration = registration_from_proto(work, society)
    assert len(registration.creators) == len(work.parties)
    stored = Work("w-1", registration.title, registration.iswc, registration.creators, society, REGISTERED_AT)
    message = work_to_proto(stored)
    for field in SERVER_ASSIGNED_WORK_FIELDS:
        message.ClearField(field)  # type: ignore[arg-type]
    assert registration_from_proto(message, society) == registration
