"""A deterministic generator of realistic Nordic repertoire for tests and benchmarks.

``iter_works(seed, count)`` streams ``GeneratedWork`` values one at a time, so a million works cost the
memory of one. Each work is a pure function of ``(seed, index)`` (``generate_work``): the first hundred
works of a run of a million are the hundred works of a run of a hundred, and any work can be re-created
from its index without keeping the others, which is how benchmarks draw queries with ground truth.

What is realistic about it:

- Submitting societies in proportion to their repertoires (STIM largest, STEF smallest), titles in the
  society's language (Swedish, Norwegian, Danish, Finnish, Icelandic) with a share of English ones, and
  some alternate titles in another language.
- Writers with Nordic names (æ ø å ä ö þ ð, Icelandic patronymics), a few foreign co-writers (PRS,
  ASCAP, BMI, GEMA), a skewed popularity so that in a million works some writers have hundreds; their
  PR society is their home society and their MR society NCB (048) for the Nordic ones, as in CWR files.
- 1-4 writers and 0-2 publishers per work with ownership shares in basis points that obey the CWR rules
  (BRIEF §3.3): each right (PR, MR, SR) totals exactly 10000, publishers own at most 5000 of PR, the
  first writer is a composer/author (CA).
- Identifiers that validate: 11-digit IPI name numbers with their check digits, ISWCs with their check
  digit, ISRCs with the society's country code; ISWCs and ISRCs unique within a seed (for up to a
  billion works), IPI name numbers unique per party.

Uniqueness comes from bijections rather than bookkeeping: an identifier's digits are the work (or
party) number multiplied by a constant coprime with the digit range, so distinct numbers give distinct
identifiers that still look scattered. Noise for usage reports lives in ``noise``.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from nordclear.platform.domain.identifiers import ipi_name_number_check, iswc_check_digit
from nordclear.repertoire.catalogue.noise import NoiseKind, NoisyText, noisy_name, noisy_variant
from nordclear.repertoire.catalogue.wordlists import (
    BAND_WORDS,
    DANISH,
    ENGLISH,
    FINNISH,
    GERMAN,
    ICELANDIC,
    LANGUAGES,
    NORWEGIAN,
    SWEDISH,
    Language,
)

__all__ = [
    "RIGHTS",
    "SOCIETY_SHARES",
    "WRITER_ROLES",
    "GeneratedParty",
    "GeneratedRecording",
    "GeneratedWork",
    "NoiseKind",
    "NoisyText",
    "generate_work",
    "iter_works",
    "noisy_name",
    "noisy_variant",
]

RIGHTS: Final = ("PR", "MR", "SR")
WRITER_ROLES: Final = frozenset({"CA", "C", "A", "AR"})
TOTAL_SHARE_BP: Final = 10_000
MAX_PUBLISHER_PR_BP: Final = 5_000

# Submitting society (CISAC code) and its share of generated works, roughly by repertoire size.
SOCIETY_SHARES: Final = (("079", 36), ("090", 20), ("040", 20), ("089", 18), ("077", 6))
_SOCIETY_CODES: Final = tuple(code for code, _ in SOCIETY_SHARES)
_SOCIETY_WEIGHTS: Final = tuple(weight for _, weight in SOCIETY_SHARES)
_HOME_LANGUAGE: Final = {"079": SWEDISH, "090": NORWEGIAN, "040": DANISH, "089": FINNISH, "077": ICELANDIC}
_HOME_SOCIETY: Final = {language.code: code for code, language in _HOME_LANGUAGE.items()}
_ISRC_COUNTRY: Final = {"079": "SE", "090": "NO", "040": "DK", "089": "FI", "077": "IS"}
# Share of each society's works titled in English (the rest in the home language).
_ENGLISH_TITLE_SHARE: Final = {"079": 0.2, "090": 0.25, "040": 0.25, "089": 0.15, "077": 0.2}
_NORDIC_LANGUAGES: Final = (SWEDISH, NORWEGIAN, DANISH, FINNISH, ICELANDIC)

NCB_CODE: Final = "048"
# Foreign societies of co-writers: (PR society, MR society, language of the names).
_FOREIGN_AFFILIATIONS: Final = (("052", "044", ENGLISH), ("010", "034", ENGLISH), ("021", "034", ENGLISH))
_GEMA: Final = ("035", "035", GERMAN)

_LANGUAGE_NUMBER: Final = {
    language.code: number for number, language in enumerate((*_NORDIC_LANGUAGES, ENGLISH, GERMAN))
}
# Writers per language; picks are skewed towards low numbers so a few writers have many works.
_WRITER_POOL_SIZE: Final = 40_000
_WRITER_POPULARITY_EXPONENT: Final = 1.5
_PUBLISHER_POOL_SIZE: Final = 3_000
_PARTY_NUMBERS_PER_LANGUAGE: Final = 100_000_000
_FIRST_PUBLISHER_PARTY_NUMBER: Final = 900_000_000

_NINE_DIGIT_RANGE: Final = 10**9
# Multipliers coprime with 10**9 (and 36**3): multiplication by them permutes the range.
_IPI_MULTIPLIER: Final = 387_420_489
_ISWC_MULTIPLIER: Final = 282_475_249
_REGISTRANT_MULTIPLIER: Final = 7_919
_REGISTRANT_RANGE: Final = 36**3
_ISRC_DESIGNATIONS: Final = 100_000
_MAX_RECORDINGS_PER_WORK: Final = 4
_BASE36: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_WRITER_COUNT_WEIGHTS: Final = (35, 35, 20, 10)
_PUBLISHER_COUNT_WEIGHTS: Final = (35, 50, 15)
_RECORDING_COUNT_WEIGHTS: Final = (15, 60, 18, 7)
# Publisher ownership per right when a work has publishers (PR within the 50 % cap).
_PUBLISHER_PR_BP_CHOICES: Final = (3_334, 5_000, 2_500)
_PUBLISHER_MR_BP_CHOICES: Final = (5_000, 10_000, 7_500)
_CO_WRITER_ROLES: Final = ("CA", "CA", "CA", "C", "A", "AR")
_RECORDING_VERSIONS: Final = (" (Live)", " - Radio Edit", " (Akustisk)", " - Remastered 2015", " (Demo)")
_ALTERNATE_TITLE_SHARE: Final = 0.07
_MEDIAN_DURATION_S: Final = 215
_RELEASE_YEARS: Final = (1965, 2025)
# Per language code: the templates and their cumulative weights, ready for ``random.choices``.
_TEMPLATES_BY_LANGUAGE: Final = {
    code: (
        tuple(template for template, _ in language.templates),
        tuple(itertools.accumulate(weight for _, weight in language.templates)),
    )
    for code, language in LANGUAGES.items()
}


@dataclass(frozen=True, slots=True)
class GeneratedParty:
    """An interested party of one work: a writer or publisher, its affiliations and its shares.

    ``role`` is the CWR writer designation (CA, C, A, AR) or publisher type (E). Shares are ownership
    shares in basis points (10000 = 100 %) per right. Publishers have no first name.
    """

    ipi_name_number: str
    last_name: str
    first_name: str
    role: str
    pr_society_code: str
    mr_society_code: str
    sr_society_code: str
    pr_share_bp: int
    mr_share_bp: int
    sr_share_bp: int

    @property
    def is_writer(self) -> bool:
        """Whether this party is a writer (rather than a publisher)."""
        return self.role in WRITER_ROLES

    @property
    def name(self) -> str:
        """The name as people write it: ``Evert Taube``, or the publisher's company name."""
        return f"{self.first_name} {self.last_name}" if self.first_name else self.last_name

    def share_bp(self, right: str) -> int:
        """The ownership share of ``right`` (PR, MR or SR) in basis points."""
        return {"PR": self.pr_share_bp, "MR": self.mr_share_bp, "SR": self.sr_share_bp}[right]


@dataclass(frozen=True, slots=True)
class GeneratedRecording:
    """A recording of a work: ISRC (stored form), title as released, main artist, duration."""

    isrc: str
    title: str
    main_artist: str
    duration_s: int
    release_year: int


@dataclass(frozen=True, slots=True)
class GeneratedWork:
    """One generated musical work with its parties and recordings.

    ``work_id`` is the generator's own key (stable for a seed and index); ``society_code`` is the CISAC
    code of the submitting society and ``society_work_id`` the work's id in that society's database.
    ``language`` is the ISO 639-1 code of the title language, upper case as in CWR.
    """

    index: int
    work_id: str
    iswc: str
    title: str
    alternate_titles: tuple[str, ...]
    language: str
    society_code: str
    society_work_id: str
    writers: tuple[GeneratedParty, ...]
    publishers: tuple[GeneratedParty, ...]
    recordings: tuple[GeneratedRecording, ...]

    @property
    def parties(self) -> tuple[GeneratedParty, ...]:
        """Writers then publishers."""
        return self.writers + self.publishers

    @property
    def writer_names(self) -> tuple[str, ...]:
        """The writers' names, given name first."""
        return tuple(writer.name for writer in self.writers)

    def share_total_bp(self, right: str) -> int:
        """The total ownership of ``right`` over all parties (always 10000 for generated works)."""
        return sum(party.share_bp(right) for party in self.parties)


def iter_works(seed: int, count: int, start: int = 0) -> Iterator[GeneratedWork]:
    """Works ``start`` .. ``start + count - 1`` for ``seed``, generated one at a time."""
    if count < 0 or start < 0:
        raise ValueError(f"count and start must not be negative, got count={count}, start={start}")
    for index in range(start, start + count):
        yield generate_work(seed, index)


def generate_work(seed: int, index: int) -> GeneratedWork:
    """The work number ``index`` of the catalogue for ``seed``; the same on every call and machine."""
    rng = random.Random(_mix(seed, index))  # noqa: S311 - reproducible test data, not security
    society_code = rng.choices(_SOCIETY_CODES, _SOCIETY_WEIGHTS)[0]
    home = _HOME_LANGUAGE[society_code]
    language = ENGLISH if rng.random() < _ENGLISH_TITLE_SHARE[society_code] else home
    title = _title(language, rng)
    writers, publishers = _with_shares(_writers(home, rng), _publishers(society_code, rng), rng)
    return GeneratedWork(
        index=index,
        work_id=f"NCW{index:09d}",
        iswc=_iswc(seed, index),
        title=title,
        alternate_titles=_alternate_titles(language, home, rng),
        language=language.code,
        society_code=society_code,
        society_work_id=f"{society_code}{index:09d}",
        writers=writers,
        publishers=publishers,
        recordings=_recordings(seed, index, society_code, title, writers, rng),
    )


# Titles -------------------------------------------------------------------------------------------


def _title(language: Language, rng: random.Random) -> str:
    templates, cumulative_weights = _templates(language)
    template = rng.choices(templates, cum_weights=cumulative_weights)[0]
    noun, other_noun = rng.sample(language.nouns, 2)
    adjective, other_adjective = rng.sample(language.adjectives, 2)
    words = template.format(
        n=noun,
        n2=other_noun,
        a=adjective,
        a2=other_adjective,
        c=_compound(language, rng) if "{c}" in template else "",
        v=rng.choice(language.verbs) if language.verbs else "",
        p=rng.choice(language.places),
    )
    return _capitalise(words, language)


def _templates(language: Language) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The templates of ``language`` and their cumulative weights, for ``random.choices``."""
    return _TEMPLATES_BY_LANGUAGE[language.code]


def _compound(language: Language, rng: random.Random) -> str:
    # English titles do not glue nouns together; the Nordic languages do (sommar + natt = sommarnatt).
    first, second = rng.sample(language.nouns, 2)
    return f"{first} {second}" if language is ENGLISH else first + second


def _capitalise(words: str, language: Language) -> str:
    if language.title_case:
        return " ".join(word[:1].upper() + word[1:] for word in words.split())
    return words[:1].upper() + words[1:]


def _alternate_titles(language: Language, home: Language, rng: random.Random) -> tuple[str, ...]:
    if rng.random() >= _ALTERNATE_TITLE_SHARE:
        return ()
    # An English work gets a home-language alternate title and a Nordic one an English title.
    return (_title(home if language is ENGLISH else ENGLISH, rng),)


# Parties ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Person:
    ipi_name_number: str
    first_name: str
    last_name: str
    pr_society_code: str
    mr_society_code: str


def _writers(home: Language, rng: random.Random) -> list[_Person]:
    count = rng.choices(range(1, 5), _WRITER_COUNT_WEIGHTS)[0]
    chosen: dict[str, _Person] = {}
    while len(chosen) < count:
        person = _writer(_writer_language(home, rng).code, _popular_number(_WRITER_POOL_SIZE, rng))
        chosen.setdefault(person.ipi_name_number, person)
    return list(chosen.values())


def _writer_language(home: Language, rng: random.Random) -> Language:
    draw = rng.random()
    if draw < 0.85:
        return home
    if draw < 0.95:
        return rng.choice(_NORDIC_LANGUAGES)
    return ENGLISH if draw < 0.985 else GERMAN


def _popular_number(pool_size: int, rng: random.Random) -> int:
    return int(pool_size * rng.random() ** _WRITER_POPULARITY_EXPONENT)


# Popular writers recur in many works; a bounded cache saves recomputing them without growing with count.
@functools.lru_cache(maxsize=65_536)
def _writer(language_code: str, number: int) -> _Person:
    """Writer ``number`` of a language: a pure function, so the same writer recurs across works."""
    language = LANGUAGES[language_code]
    mixed = _mix(_LANGUAGE_NUMBER[language_code], number)
    is_female = mixed & 1 == 0
    given_names = language.female_names if is_female else language.male_names
    first_name = given_names[(mixed >> 1) % len(given_names)]
    last_name = language.last_names[(mixed >> 16) % len(language.last_names)]
    if language.patronymic:
        last_name += "dóttir" if is_female else "son"
    pr_code, mr_code = _affiliation(language, mixed)
    party_number = 1 + _LANGUAGE_NUMBER[language.code] * _PARTY_NUMBERS_PER_LANGUAGE + number
    return _Person(_ipi_name_number(party_number), first_name, last_name, pr_code, mr_code)


def _affiliation(language: Language, mixed: int) -> tuple[str, str]:
    if language.code in _HOME_SOCIETY:
        return _HOME_SOCIETY[language.code], NCB_CODE
    if language is GERMAN:
        return _GEMA[0], _GEMA[1]
    pr_code, mr_code, _ = _FOREIGN_AFFILIATIONS[(mixed >> 32) % len(_FOREIGN_AFFILIATIONS)]
    return pr_code, mr_code


def _publishers(society_code: str, rng: random.Random) -> list[_Person]:
    count = rng.choices(range(3), _PUBLISHER_COUNT_WEIGHTS)[0]
    numbers = rng.sample(range(_PUBLISHER_POOL_SIZE), count)
    return [_publisher(society_code, number) for number in numbers]


@functools.lru_cache(maxsize=16_384)
def _publisher(society_code: str, number: int) -> _Person:
    home = _HOME_LANGUAGE[society_code]
    mixed = _mix(int(society_code), number)
    stem = home.last_names[mixed % len(home.last_names)]
    if (mixed >> 20) % 3 == 0:
        stem = home.nouns[(mixed >> 8) % len(home.nouns)].capitalize()
    form = home.publisher_forms[(mixed >> 40) % len(home.publisher_forms)]
    name = form.format(stem)
    society_number = _SOCIETY_CODES.index(society_code)
    party_number = _FIRST_PUBLISHER_PARTY_NUMBER + society_number * _PUBLISHER_POOL_SIZE + number
    return _Person(_ipi_name_number(party_number), "", name, society_code, NCB_CODE)


# Shares -------------------------------------------------------------------------------------------


def _with_shares(
    writers: list[_Person], publishers: list[_Person], rng: random.Random
) -> tuple[tuple[GeneratedParty, ...], tuple[GeneratedParty, ...]]:
    """Ownership per right: publishers take a fixed part (PR ≤ 50 %), writers split the rest by weight."""
    publisher_pr_bp = rng.choice(_PUBLISHER_PR_BP_CHOICES) if publishers else 0
    publisher_mr_bp = rng.choice(_PUBLISHER_MR_BP_CHOICES) if publishers else 0
    assert publisher_pr_bp <= MAX_PUBLISHER_PR_BP
    writer_weights = [rng.randint(1, 3) for _ in writers]
    writer_pr = split_exact(TOTAL_SHARE_BP - publisher_pr_bp, writer_weights)
    writer_mr = split_exact(TOTAL_SHARE_BP - publisher_mr_bp, writer_weights)
    publisher_pr = split_exact(publisher_pr_bp, [1] * len(publishers))
    publisher_mr = split_exact(publisher_mr_bp, [1] * len(publishers))
    roles = ["CA", *(rng.choice(_CO_WRITER_ROLES) for _ in writers[1:])]
    generated_writers = tuple(
        _party(person, role, pr_bp, mr_bp)
        for person, role, pr_bp, mr_bp in zip(writers, roles, writer_pr, writer_mr, strict=True)
    )
    generated_publishers = tuple(
        _party(person, "E", pr_bp, mr_bp)
        for person, pr_bp, mr_bp in zip(publishers, publisher_pr, publisher_mr, strict=True)
    )
    return generated_writers, generated_publishers


def _party(person: _Person, role: str, pr_share_bp: int, mr_share_bp: int) -> GeneratedParty:
    # Synchronisation follows the mechanical split, as it usually does in Nordic registrations.
    return GeneratedParty(
        ipi_name_number=person.ipi_name_number,
        last_name=person.last_name,
        first_name=person.first_name,
        role=role,
        pr_society_code=person.pr_society_code,
        mr_society_code=person.mr_society_code,
        sr_society_code=person.pr_society_code,
        pr_share_bp=pr_share_bp,
        mr_share_bp=mr_share_bp,
        sr_share_bp=mr_share_bp,
    )


def split_exact(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` into integers summing to exactly ``total``.

    Largest remainder: everyone gets the floor of their exact part, and the units left over go to the
    largest remainders, earlier positions first on a tie, so the result is deterministic.

    >>> split_exact(10_000, [1, 1, 1])
    [3334, 3333, 3333]
    """
    if not weights:
        return []
    weight_sum = sum(weights)
    floors = [total * weight // weight_sum for weight in weights]
    remainders = [total * weight % weight_sum for weight in weights]
    left_over = total - sum(floors)
    for position in sorted(range(len(weights)), key=lambda p: (-remainders[p], p))[:left_over]:
        floors[position] += 1
    return floors


# Recordings ---------------------------------------------------------------------------------------


def _recordings(
    seed: int,
    index: int,
    society_code: str,
    title: str,
    writers: Sequence[GeneratedParty],
    rng: random.Random,
) -> tuple[GeneratedRecording, ...]:
    count = rng.choices(range(_MAX_RECORDINGS_PER_WORK), _RECORDING_COUNT_WEIGHTS)[0]
    artist = writers[0].name if rng.random() < 0.6 else _band_name(rng)
    recordings = []
    for number in range(count):
        release_year = rng.randint(*_RELEASE_YEARS)
        version = "" if number == 0 else rng.choice(_RECORDING_VERSIONS)
        duration_s = max(60, min(900, round(rng.lognormvariate(math.log(_MEDIAN_DURATION_S), 0.25))))
        isrc = _isrc(seed, index * _MAX_RECORDINGS_PER_WORK + number, society_code, release_year)
        recordings.append(GeneratedRecording(isrc, title + version, artist, duration_s, release_year))
    return tuple(recordings)


def _band_name(rng: random.Random) -> str:
    first, second = rng.sample(BAND_WORDS, 2)
    return f"The {first} {second}s" if rng.random() < 0.3 else f"{first} {second}"


# Identifiers --------------------------------------------------------------------------------------


def _ipi_name_number(party_number: int) -> str:
    nine_digits = f"{(party_number * _IPI_MULTIPLIER) % _NINE_DIGIT_RANGE:09d}"
    return f"{nine_digits}{ipi_name_number_check(nine_digits):02d}"


def _iswc(seed: int, index: int) -> str:
    offset = _mix(seed, -1) % _NINE_DIGIT_RANGE
    nine_digits = f"{(index * _ISWC_MULTIPLIER + offset) % _NINE_DIGIT_RANGE:09d}"
    return f"T{nine_digits}{iswc_check_digit(nine_digits)}"


def _isrc(seed: int, recording_number: int, society_code: str, release_year: int) -> str:
    """A unique ISRC: the registrant code and designation together encode the recording number."""
    registrant_number, designation = divmod(recording_number, _ISRC_DESIGNATIONS)
    offset = _mix(seed, -2) % _REGISTRANT_RANGE
    registrant = _base36((registrant_number * _REGISTRANT_MULTIPLIER + offset) % _REGISTRANT_RANGE, 3)
    return f"{_ISRC_COUNTRY[society_code]}{registrant}{release_year % 100:02d}{designation:05d}"


def _base36(number: int, width: int) -> str:
    characters = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        characters.append(_BASE36[digit])
    return "".join(reversed(characters))


def _mix(*numbers: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps): stable across runs, unlike ``hash()``."""
    state = 0x9E3779B97F4A7C15
    for number in numbers:
        state = (state ^ (number & 0xFFFFFFFFFFFFFFFF)) * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF
        state = (state ^ (state >> 31)) * 0x94D049BB133111EB & 0xFFFFFFFFFFFFFFFF
        state ^= state >> 29
    return state
