"""Unit tests of the repertoire's domain model: WorkRegistration validation, normalisation and fingerprint."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nordclear.platform.errors import InvalidArgument
from nordclear.repertoire.domain.model import (
    MAX_FIRST_NAME_CHARS,
    MAX_LAST_NAME_CHARS,
    MAX_TITLE_CHARS,
    ORIGINAL_CREATOR_ROLES,
    Creator,
    WorkRegistration,
    WriterRole,
)

pytestmark = pytest.mark.unit

VALID_ISWC = "T0345246801"
VALID_IPI = "00014107338"


def _writer(
    last_name: str = "Andersson",
    first_name: str = "Benny",
    role: WriterRole = WriterRole.COMPOSER_AUTHOR,
    ipi: str | None = None,
) -> Creator:
    return Creator(last_name=last_name, first_name=first_name, role=role, ipi_name_number=ipi)


def _create(
    *, title: str = "Visa", iswc: str = "", creators: list[Creator] | None = None, society: str = "STIM"
) -> WorkRegistration:
    return WorkRegistration.create(
        title=title, iswc=iswc, creators=[_writer()] if creators is None else creators, society=society
    )


def _refusal(**kwargs: object) -> InvalidArgument:
    with pytest.raises(InvalidArgument) as caught:
        _create(**kwargs)  # type: ignore[arg-type]
    return caught.value


def test_a_minimal_registration() -> None:
    registration = _create()
    assert registration == WorkRegistration(
        title="Visa",
        iswc=None,
        creators=(Creator("Andersson", "Benny", WriterRole.COMPOSER_AUTHOR, None),),
        society="STIM",
    )


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("  Visa  ", "Visa"), ("Dancing\t\tQueen", "Dancing Queen"), ("a\n b \u00a0c", "a b c"), ("Ö", "Ö")],
)
def test_title_whitespace_is_normalised(raw: str, clean: str) -> None:
    assert _create(title=raw).title == clean


@pytest.mark.parametrize("iswc", ["T-034.524.680-1", "t 034524680 1", "T0345246801", " T-034524680-1 "])
def test_iswc_forms_are_stored_compact(iswc: str) -> None:
    assert _create(iswc=iswc).iswc == VALID_ISWC


@pytest.mark.parametrize("iswc", ["", "   "])
def test_a_blank_iswc_means_none(iswc: str) -> None:
    assert _create(iswc=iswc).iswc is None


@pytest.mark.parametrize(
    ("ipi", "stored"), [("014107338", VALID_IPI), (VALID_IPI, VALID_IPI), (" 00014107338 ", VALID_IPI)]
)
def test_ipi_name_numbers_are_stored_with_eleven_digits(ipi: str, stored: str) -> None:
    (creator,) = _create(creators=[_writer(ipi=ipi)]).creators
    assert creator.ipi_name_number == stored


def test_writer_names_are_trimmed_and_an_empty_first_name_is_allowed() -> None:
    (creator,) = _create(creators=[_writer(last_name="  von   Trapp ", first_name="  ")]).creators
    assert creator.last_name == "von Trapp"
    assert creator.first_name == ""


@pytest.mark.parametrize("title", ["", "   ", "\t\n"])
def test_a_work_needs_a_title(title: str) -> None:
    error = _refusal(title=title)
    assert error.field == "work.title"
    assert "needs a title" in error.rule


def test_a_title_at_the_cwr_width_is_accepted_and_one_longer_refused() -> None:
    assert _create(title="x" * MAX_TITLE_CHARS).title == "x" * MAX_TITLE_CHARS
    error = _refusal(title="x" * (MAX_TITLE_CHARS + 1))
    assert error.field == "work.title"
    assert str(MAX_TITLE_CHARS) in error.rule


def test_the_title_width_is_measured_after_normalising_whitespace() -> None:
    padded = "  " + "a " * (MAX_TITLE_CHARS // 2 - 1) + "b   "
    assert len(_create(title=padded).title) <= MAX_TITLE_CHARS


@pytest.mark.parametrize("iswc", ["T0345246802", "T-034.524.680-9"])
def test_a_bad_iswc_check_digit_is_refused(iswc: str) -> None:
    error = _refusal(iswc=iswc)
    assert error.field == "work.iswc"
    assert "check digit must be 1" in error.rule


@pytest.mark.parametrize("iswc", ["034524680", "X0345246801", "T03452468011"])
def test_a_malformed_iswc_is_refused(iswc: str) -> None:
    assert _refusal(iswc=iswc).field == "work.iswc"


@pytest.mark.parametrize(
    "roles",
    [
        [],
        [WriterRole.ARRANGER],
        [WriterRole.TRANSLATOR, WriterRole.ADAPTER, WriterRole.SUB_AUTHOR, WriterRole.INCOME_PARTICIPANT],
    ],
    ids=["no-parties", "arranger-only", "derived-roles-only"],
)
def test_a_work_needs_a_writer_of_music_or_words(roles: list[WriterRole]) -> None:
    error = _refusal(creators=[_writer(role=role) for role in roles])
    assert error.field == "work.parties"
    assert error.value == [role.value for role in roles]
    assert "CA, A or C" in error.rule


@pytest.mark.parametrize("role", sorted(ORIGINAL_CREATOR_ROLES))
def test_any_original_role_suffices_alongside_others(role: WriterRole) -> None:
    registration = _create(creators=[_writer(role=WriterRole.ARRANGER), _writer(role=role)])
    assert [creator.role for creator in registration.creators] == [WriterRole.ARRANGER, role]


@pytest.mark.parametrize(
    "ipi", ["00014107339", "12345", "0001410733X", "00000000000", "000000000", "٠٠٠١٤١٠٧٣٣٨"]
)
def test_a_bad_ipi_name_number_is_refused_naming_the_party(ipi: str) -> None:
    error = _refusal(creators=[_writer(ipi=ipi)])
    assert error.field == "work.parties[0].ipi_name_number"
    assert error.value == ipi


def test_the_index_of_the_broken_party_is_named() -> None:
    error = _refusal(creators=[_writer(), _writer(), _writer(ipi="1")])
    assert error.field == "work.parties[2].ipi_name_number"


def test_a_writer_needs_a_last_name() -> None:
    error = _refusal(creators=[_writer(last_name="  ")])
    assert error.field == "work.parties[0].name"


def test_names_longer_than_their_cwr_fields_are_refused() -> None:
    assert _create(creators=[_writer(last_name="x" * MAX_LAST_NAME_CHARS)]).creators[0].last_name
    assert (
        _refusal(creators=[_writer(last_name="x" * (MAX_LAST_NAME_CHARS + 1))]).field
        == "work.parties[0].name"
    )
    assert _create(creators=[_writer(first_name="y" * MAX_FIRST_NAME_CHARS)]).creators[0].first_name
    error = _refusal(creators=[_writer(), _writer(first_name="y" * (MAX_FIRST_NAME_CHARS + 1))])
    assert error.field == "work.parties[1].first_name"


def test_the_registration_is_immutable() -> None:
    registration = _create()
    with pytest.raises(dataclasses.FrozenInstanceError):
        registration.title = "Other"  # type: ignore[misc]


# --- fingerprint --------------------------------------------------------------------------------------


def test_equal_content_has_an_equal_fingerprint() -> None:
    first = _create(
        title="Visa  vid vindens ängar", iswc="T-034.524.680-1", creators=[_writer(ipi="014107338")]
    )
    second = _create(title="Visa vid vindens ängar", iswc="T0345246801", creators=[_writer(ipi=VALID_IPI)])
    assert first.fingerprint() == second.fingerprint()
    assert len(first.fingerprint()) == 64
    int(first.fingerprint(), 16)


def test_the_fingerprint_is_a_stable_value() -> None:
    """Fingerprints are stored with request ids, so the digest of given content must not drift."""
    assert _create().fingerprint() == "f43af911540c32632439407a9134c06a98846b81f9a8e681407dbf6bdbb18d88"


@pytest.mark.parametrize(
    "other",
    [
        {"title": "Visa 2"},
        {"iswc": VALID_ISWC},
        {"society": "KODA"},
        {"creators": [_writer(role=WriterRole.COMPOSER)]},
        {"creators": [_writer(first_name="Björn")]},
        {"creators": [_writer(ipi=VALID_IPI)]},
        {"creators": [_writer(), _writer()]},
    ],
    ids=["title", "iswc", "society", "role", "first-name", "ipi", "extra-writer"],
)
def test_different_content_has_a_different_fingerprint(other: dict[str, object]) -> None:
    assert _create(**other).fingerprint() != _create().fingerprint()  # type: ignore[arg-type]


def test_writer_order_is_part_of_the_content() -> None:
    composer, author = _writer("A", role=WriterRole.COMPOSER), _writer("B", role=WriterRole.AUTHOR)
    assert (
        _create(creators=[composer, author]).fingerprint()
        != _create(creators=[author, composer]).fingerprint()
    )


@given(st.text(max_size=80), st.text(max_size=80))
def test_fingerprints_agree_exactly_when_registrations_do(title_a: str, title_b: str) -> None:
    try:
        first, second = _create(title=title_a), _create(title=title_b)
    except InvalidArgument:
        return
    assert (first.fingerprint() == second.fingerprint()) == (first == second)


@given(st.text(max_size=100))
def test_a_title_is_normalised_or_refused(title: str) -> None:
    try:
        cleaned = _create(title=title).title
    except InvalidArgument as error:
        refused_field = error.field
    else:
        assert cleaned == " ".join(cleaned.split())
        assert 0 < len(cleaned) <= MAX_TITLE_CHARS
        assert _create(title=cleaned).title == cleaned
        return
    assert refused_field == "work.title"
