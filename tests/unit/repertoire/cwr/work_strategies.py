"""Hypothesis strategies for domain works that pass every rule and that CWR can carry, and a fixed example.

"CWR can carry" means the strategy leaves out what ``writer.unwritten_fields`` lists as lost: mandates,
dated or uncontrolled collection shares, shares of 0, sub-second durations, more than two original
writers, and (in CWR 2.1) extra society work ids, recording titles other than the work's and main
artists. Parties come in CWR's record order (controlled publishers, other publishers, controlled
writers, other writers), the submitting society's work id comes first, and texts are in the normal form
of the domain rules (single spaces, no padding), since a fixed-width field cannot hold outer spaces.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from nordclear.platform.domain.identifiers import (
    ipi_base_number_check_digit,
    ipi_name_number_check,
    iswc_check_digit,
)
from nordclear.platform.domain.societies import STIM, Society
from nordclear.repertoire.cwr.records import CwrVersion
from nordclear.repertoire.domain.work import (
    ORIGINAL_CREATOR_ROLES,
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
    Work,
    WriterRole,
)

SOCIETY: Society = STIM
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖØÆÉÞÐÜ0123456789'-.&"
_WORD = st.text(alphabet=_LETTERS, min_size=1, max_size=9)
_SOCIETY_CODES = ("040", "077", "079", "089", "090", "048", "052", "010", "021", "035")
_TIS_CODES = (2136, 2127, 2131, 2120, 208, 246, 352, 578, 752, 826, 840)
_LANGUAGES = (None, "SV", "EN", "FI", "NO", "DA", "IS")
_NON_ROMAN = st.sampled_from(["", "", "ЛЕТО", "夏の歌", "Σ ΚΑΛΟΚΑΙΡΙ"])


def _text(max_chars: int, *, min_words: int = 1) -> st.SearchStrategy[str]:
    return (
        st.lists(_WORD, min_size=min_words, max_size=6)
        .map(" ".join)
        .filter(lambda text: len(text) <= max_chars)
    )


@st.composite
def iswcs(draw: st.DrawFn) -> str:
    digits = "".join(str(d) for d in draw(st.lists(st.integers(0, 9), min_size=9, max_size=9)))
    return f"T{digits}{iswc_check_digit(digits)}"


@st.composite
def ipi_name_numbers(draw: st.DrawFn) -> str:
    # Not all zeros: CWR writes 00000000000 for "no IPI name number".
    digits = f"{draw(st.integers(1, 999_999_999)):09d}"
    return f"{digits}{ipi_name_number_check(digits):02d}"


@st.composite
def ipi_base_numbers(draw: st.DrawFn) -> str:
    digits = f"{draw(st.integers(0, 999_999_999)):09d}"
    return f"I-{digits}-{ipi_base_number_check_digit(digits)}"


@st.composite
def isrcs(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(["SE", "NO", "DK", "FI", "IS", "GB"]))
    registrant = draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3))
    return f"{country}{registrant}{draw(st.integers(0, 99)):02d}{draw(st.integers(0, 99999)):05d}"


def _split(draw: st.DrawFn, total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` non-negative integers."""
    if parts == 0:
        return []
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=parts - 1, max_size=parts - 1)))
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(parts)]


def _right_shares(values: dict[Right, int]) -> tuple[RightShare, ...]:
    return tuple(RightShare(right, values[right]) for right in Right if values.get(right))


@st.composite
def _affiliations(draw: st.DrawFn) -> tuple[Affiliation, ...]:
    return tuple(
        Affiliation(right, draw(st.sampled_from(_SOCIETY_CODES))) for right in Right if draw(st.booleans())
    )


@st.composite
def _collection(draw: st.DrawFn, owned: dict[Right, int]) -> tuple[CollectionShare, ...]:
    """At most one include entry (collecting no more than the party owns) and maybe one exclusion after it."""
    if not draw(st.booleans()):
        return ()
    shares = {right: draw(st.integers(0, owned.get(right, 0))) for right in Right}
    entries = [
        CollectionShare(draw(st.sampled_from(_TIS_CODES)), Inclusion.INCLUDE, _right_shares(shares), 1)
    ]
    if draw(st.booleans()):
        entries.append(CollectionShare(draw(st.sampled_from(_TIS_CODES)), Inclusion.EXCLUDE, (), 2))
    return tuple(entries)


@st.composite
def works(draw: st.DrawFn, version: CwrVersion = CwrVersion.V2_1) -> tuple[Work, tuple[Recording, ...]]:
    """A work that passes every domain rule, with recordings, all of which CWR ``version`` carries."""
    # Who owns: writers always (one CA/A/C at least), owning publishers sometimes.
    writer_roles = draw(st.lists(st.sampled_from(list(WriterRole)), min_size=0, max_size=3))
    writer_roles.insert(0, draw(st.sampled_from(sorted(ORIGINAL_CREATOR_ROLES))))
    writer_controlled = [draw(st.booleans()) for _ in writer_roles]
    chains = draw(st.integers(0, 3))
    publisher_specs: list[tuple[PublisherType, bool, int]] = []  # (type, controlled, chain)
    for chain in range(1, chains + 1):
        controlled = draw(st.booleans())
        publisher_specs.append(
            (
                draw(st.sampled_from([PublisherType.ORIGINAL_PUBLISHER, PublisherType.ACQUIRER])),
                controlled,
                chain,
            )
        )
        if controlled and draw(st.booleans()):
            publisher_specs.append(
                (
                    draw(st.sampled_from([PublisherType.ADMINISTRATOR, PublisherType.SUB_PUBLISHER])),
                    True,
                    chain,
                )
            )
    owning_publishers = [
        i
        for i, (kind, _, _) in enumerate(publisher_specs)
        if kind in (PublisherType.ORIGINAL_PUBLISHER, PublisherType.ACQUIRER)
    ]

    # Ownership: PR at most half to publishers; MR and SR all or nothing.
    ownership: dict[tuple[str, int], dict[Right, int]] = {}
    publisher_pr = draw(st.integers(0, 5000)) if owning_publishers else 0
    for right in Right:
        if right is Right.PERFORMING:
            to_publishers, to_writers = publisher_pr, 10000 - publisher_pr
        else:
            total = draw(st.sampled_from([0, 10000]))
            to_publishers = draw(st.integers(0, total)) if owning_publishers else 0
            to_writers = total - to_publishers
        for index, share in zip(
            owning_publishers, _split(draw, to_publishers, len(owning_publishers)), strict=True
        ):
            ownership.setdefault(("P", index), {})[right] = share
        for index, share in enumerate(_split(draw, to_writers, len(writer_roles))):
            ownership.setdefault(("W", index), {})[right] = share

    publishers = []
    for index, (kind, controlled, chain) in enumerate(publisher_specs):
        owned = ownership.get(("P", index), {})
        publishers.append(
            InterestedParty(
                party_key=f"P{index:03d}{draw(st.sampled_from(['', 'A', 'XY']))}",
                role=PartyRole.publisher(kind),
                name=draw(_text(45)),
                non_roman_name=draw(_NON_ROMAN),
                ipi_name_number=draw(st.none() | ipi_name_numbers()),
                ipi_base_number=draw(st.none() | ipi_base_numbers()),
                controlled=controlled,
                affiliations=draw(_affiliations()),
                ownership_shares=_right_shares(owned),
                collection_shares=draw(_collection(owned)) if controlled else (),
                chain_sequence=chain,
            )
        )
    controlled_publisher_keys = [p.party_key for p in publishers if p.controlled]
    writers = []
    for index, role in enumerate(writer_roles):
        owned = ownership.get(("W", index), {})
        controlled = writer_controlled[index]
        writers.append(
            InterestedParty(
                party_key=f"W{index:03d}",
                role=PartyRole.writer(role),
                name=draw(_text(45)),
                first_name=draw(st.just("") | _text(30)),
                non_roman_name=draw(_NON_ROMAN),
                ipi_name_number=draw(st.none() | ipi_name_numbers()),
                ipi_base_number=draw(st.none() | ipi_base_numbers()),
                controlled=controlled,
                affiliations=draw(_affiliations()),
                ownership_shares=_right_shares(owned),
                collection_shares=draw(_collection(owned)) if controlled else (),
                publisher_party_keys=tuple(
                    draw(st.lists(st.sampled_from(controlled_publisher_keys), unique=True, max_size=2))
                )
                if controlled and controlled_publisher_keys
                else (),
            )
        )
    parties = (
        *[p for p in publishers if p.controlled],
        *[p for p in publishers if not p.controlled],
        *[w for w in writers if w.controlled],
        *[w for w in writers if not w.controlled],
    )

    title = draw(_text(60))
    version_type = draw(st.sampled_from(list(VersionType)))
    original = None
    if version_type is VersionType.MODIFIED and draw(st.booleans()):
        names = draw(st.lists(st.tuples(_text(45), st.just("") | _text(30)), max_size=2))
        original = OriginalWork(
            draw(_text(60)),
            draw(st.none() | iswcs()),
            tuple(", ".join(part for part in name if part) for name in names),
        )
    work_code = draw(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=14))
    work_ids = [SocietyWorkId(SOCIETY.cisac_code, work_code)]
    if version is CwrVersion.V2_2:
        for code in draw(st.lists(st.sampled_from(_SOCIETY_CODES), unique=True, max_size=3)):
            work_ids.append(
                SocietyWorkId(code, draw(st.text(alphabet="0123456789ABC", min_size=1, max_size=14)))
            )
    work = Work(
        work_id="",
        title=title,
        submitting_society=SOCIETY,
        parties=parties,
        iswc=draw(st.none() | iswcs()),
        alternate_titles=tuple(
            AlternateTitle(
                draw(_text(60)), draw(st.sampled_from(list(TitleType))), draw(st.sampled_from(_LANGUAGES))
            )
            for _ in range(draw(st.integers(0, 3)))
        ),
        language_code=draw(st.sampled_from(_LANGUAGES)),
        version_type=version_type,
        original_work=original,
        society_work_ids=tuple(dict.fromkeys(work_ids)),
        performing_artists=tuple(
            PerformingArtist(
                draw(_text(45)), draw(st.just("") | _text(30)), draw(st.none() | ipi_name_numbers())
            )
            for _ in range(draw(st.integers(0, 2)))
        ),
        duration_ms=draw(st.none() | st.integers(1, 99 * 3600 + 59 * 60 + 59).map(lambda s: s * 1000)),
    )
    recordings = tuple(draw(_recording(title, version)) for _ in range(draw(st.integers(0, 2))))
    return work, recordings


@st.composite
def _recording(draw: st.DrawFn, work_title: str, version: CwrVersion) -> Recording:
    full = version is CwrVersion.V2_2
    return Recording(
        recording_id="",
        title=draw(_text(60)) if full else work_title,
        isrc=draw(isrcs()),  # an ISRC makes sure the REC holds something, so it is kept
        main_artist=draw(st.just("") | _text(60)) if full else "",
        duration_ms=draw(st.none() | st.integers(1, 99 * 3600).map(lambda s: s * 1000)),
        label=draw(st.just("") | _text(60)),
        release_date=draw(st.none() | st.dates(date(1900, 1, 1), date(2099, 12, 31))),
        submitting_society=SOCIETY,
    )


def example_work() -> Work:
    """One valid work with a publisher chain, a controlled and another writer, Nordic letters."""
    return Work(
        work_id="",
        title="VÅRVINDAR FRISKA",
        submitting_society=SOCIETY,
        iswc="T1234567894",
        language_code="SV",
        society_work_ids=(SocietyWorkId("079", "STIM0001"),),
        duration_ms=185_000,
        parties=(
            InterestedParty(
                party_key="PUB1",
                role=PartyRole.publisher(PublisherType.ORIGINAL_PUBLISHER),
                name="NORDISKA MUSIKFÖRLAGET",
                ipi_name_number=None,
                affiliations=(Affiliation(Right.PERFORMING, "079"), Affiliation(Right.MECHANICAL, "048")),
                ownership_shares=(RightShare(Right.PERFORMING, 5000), RightShare(Right.MECHANICAL, 10000)),
                collection_shares=(
                    CollectionShare(
                        2136,
                        Inclusion.INCLUDE,
                        (RightShare(Right.PERFORMING, 5000), RightShare(Right.MECHANICAL, 10000)),
                    ),
                ),
                chain_sequence=1,
            ),
            InterestedParty(
                party_key="W1",
                role=PartyRole.writer(WriterRole.COMPOSER_AUTHOR),
                name="LINDQVIST",
                first_name="ÅSA",
                affiliations=(Affiliation(Right.PERFORMING, "079"),),
                ownership_shares=(RightShare(Right.PERFORMING, 2500),),
                collection_shares=(
                    CollectionShare(2136, Inclusion.INCLUDE, (RightShare(Right.PERFORMING, 2500),)),
                ),
                publisher_party_keys=("PUB1",),
            ),
            InterestedParty(
                party_key="W2",
                role=PartyRole.writer(WriterRole.AUTHOR),
                name="HÄKKINEN",
                first_name="MIKKO",
                controlled=False,
                affiliations=(Affiliation(Right.PERFORMING, "089"),),
                ownership_shares=(RightShare(Right.PERFORMING, 2500),),
            ),
        ),
    )
