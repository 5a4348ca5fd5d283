"""Text normalisation for matching work titles and creator names across societies and usage reports.

The same work reaches us written many ways: ``Malmö``, ``MALMÖ``, ``Malmo``, ``Malmoe``,
``Malmö (Live)``, ``Malmö - Remastered 2011``, ``Malmö feat. Lisa Ekdahl``. Matching needs one form
that all of these share, without throwing away the parts that tell versions apart.

Two keys, because the two common ASCII fallbacks for Nordic letters disagree:

``strict``
    Unicode NFKC, case-folded, Nordic letters transliterated the way the Nordic languages themselves
    spell them without diacritics (å→aa, ä→ae, æ→ae, ö→oe, ø→oe, ü→ue, þ→th, ð→d, ß→ss), every other
    diacritic dropped (é→e, á→a), apostrophes removed, other punctuation turned into spaces, runs of
    whitespace collapsed. Two strings with equal strict keys are the same title written with different
    case, accents or punctuation, so an equal strict key is an exact match.

``loose``
    The strict key with the transliteration digraphs folded back (ae→a, oe→o, ue→u) and runs of a
    repeated letter collapsed (aa→a, tt→t). This is where ``Malmö`` (``malmoe``), ``Malmoe``
    (``malmoe``) and ``Malmo`` (``malmo``) meet, and ``Mäkelä``/``Makela``, ``Århus``/``Aarhus``/
    ``Arhus``. It conflates a few unrelated spellings too, which is why it is used to find candidates
    and to score them, never on its own to claim an exact match.

>>> key = normalise_title("Malmö")
>>> (key.strict, key.loose)
('malmoe', 'malmo')
>>> normalise_title("MALMOE").strict, normalise_title("Malmo").loose
('malmoe', 'malmo')
>>> normalise_title("Þórður").strict, normalise_title("Thordur").strict
('thordur', 'thordur')

Credits and version suffixes are taken off the title and kept in their own fields, because a live
version or a remaster is still the same composition but a matcher or a reviewer wants to see them:

>>> title = normalise_title("Sommarnatt (feat. Lisa Ekdahl) - Remastered 2011")
>>> (title.strict, title.featured, title.versions)
('sommarnatt', ('Lisa Ekdahl',), ('Remastered 2011',))
>>> normalise_title("Visa vid vindens ängar [Demo]").versions
('Demo',)

A bracket or dash suffix that names no version is part of the title and stays:
``normalise_title("(I Can't Get No) Satisfaction").strict == "i cant get no satisfaction"``.

Names put the family name first in many files (``Taube, Evert``); ``normalise_name`` turns a single
"last, first" comma round and also gives a word-order-free key:

>>> normalise_name("Taube, Evert").strict == normalise_name("Evert Taube").strict == "evert taube"
True
>>> normalise_name("TAUBE EVERT").key == normalise_name("Evert Taube").key
True

Everything here is pure and allocation-light: the character mapping is one ``str.translate`` table
built once, and only text outside Latin-1/Latin Extended takes the slower per-character path.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

__all__ = [
    "MAX_INPUT_CHARS",
    "NormalisedName",
    "NormalisedTitle",
    "loose_key",
    "normalise_name",
    "normalise_title",
    "strict_key",
    "tokens",
]

# Titles and names are short; anything longer is cut before any regular expression sees it, so a
# hostile multi-megabyte "title" costs no more than a long real one.
MAX_INPUT_CHARS: Final = 512

# How the Nordic languages write their own letters without diacritics. Kept deliberate rather than
# left to Unicode decomposition, which would turn ö into o and drop æ, ø, þ and ð altogether.
_TRANSLITERATIONS: Final[dict[str, str]] = {
    "å": "aa",
    "ä": "ae",
    "æ": "ae",
    "ö": "oe",
    "ø": "oe",
    "ü": "ue",
    "þ": "th",
    "ð": "d",
    "ß": "ss",
    "œ": "oe",
    "đ": "d",
    "ł": "l",
    "\u0131": "i",  # dotless i
}
# Deleted rather than turned into a space, so that "Don't" and "Dont" agree.
_APOSTROPHES: Final = "'`\u2019\u02bc\u00b4\u2018"  # ASCII ones, right/left quote, modifier, acute
# The Latin blocks get a precomputed mapping; text beyond them is rare in this repertoire.
_TABLE_LAST_CODE_POINT: Final = 0x024F

_LOOSE_DIGRAPH: Final = re.compile(r"([aou])e")
_REPEATED_LETTER: Final = re.compile(r"([a-z])\1+")

_BRACKET_TAIL: Final = re.compile(r"\s*[(\[{]([^()\[\]{}]*)[)\]}]\s*$")
# Hyphen, en dash and em dash all introduce version suffixes ("Title - Live").
_DASH_TAIL: Final = re.compile(r"\s+[-\u2013\u2014]\s+([^-\u2013\u2014]+?)\s*$")
_INLINE_FEATURING: Final = re.compile(r"\s(?:feat\.?|ft\.?|featuring)\s+(\S.*)$", re.IGNORECASE)
_FEATURING_PREFIX: Final = re.compile(r"^(?:feat\.?|ft\.?|featuring|with)\s+", re.IGNORECASE)
_CREDIT_SEPARATOR: Final = re.compile(r"\s*(?:,|&|\band\b|\bog\b|\boch\b|\bja\b)\s*", re.IGNORECASE)
# Version words, strict-folded, in the languages of the repertoire and in English.
_VERSION_WORDS: Final = frozenset(
    {
        "live",
        "livenae",
        "liveversion",
        "remaster",
        "remastered",
        "remasterad",
        "remastrad",
        "remastret",
        "remasteroitu",
        "remix",
        "remixed",
        "mix",
        "edit",
        "demo",
        "acoustic",
        "akustisk",
        "akustinen",
        "instrumental",
        "version",
        "versjon",
        "versio",
        "mono",
        "stereo",
        "unplugged",
        "karaoke",
        "extended",
        "radioversion",
        "albumversion",
        "singleversion",
        "reprise",
        "bonus",
        "dub",
    }
)
# Bracket and dash suffixes stack ("X (Live) - Remastered 2011"); a handful is the most seen in practice.
_MAX_SUFFIXES: Final = 4


@dataclass(frozen=True, slots=True)
class NormalisedTitle:
    """A title reduced to matching keys, with its featured credits and version suffixes set aside.

    ``strict`` and ``loose`` are described in the module docstring; ``tokens`` are the words of
    ``loose``. ``featured`` holds the credited artists as written (``("Lisa Ekdahl",)``) and
    ``versions`` the version suffixes as written (``("Live", "Remastered 2011")``), outermost last.
    """

    strict: str
    loose: str
    tokens: tuple[str, ...]
    featured: tuple[str, ...]
    versions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NormalisedName:
    """A creator or artist name: ``strict``/``loose`` in given-name-first order, ``key`` word-order free.

    ``key`` is the loose words sorted, so ``Evert Taube``, ``Taube, Evert`` and ``TAUBE EVERT`` share it.
    """

    strict: str
    loose: str
    key: str


def strict_key(text: str) -> str:
    """The strict matching key: folded, Nordic letters transliterated, punctuation gone.

    >>> strict_key("  Kärlek & Ångest!  ")
    'kaerlek aangest'
    >>> strict_key("Don\u2019t Stop (Me Now)")
    'dont stop me now'
    """
    folded = unicodedata.normalize("NFKC", text[:MAX_INPUT_CHARS]).casefold().translate(_TABLE)
    if not folded.isascii():
        folded = "".join(_fold_rare_character(character) for character in folded)
    return " ".join(folded.split())


def loose_key(text: str) -> str:
    """The loose key of ``text``: its strict key with digraphs folded and repeated letters collapsed.

    >>> [loose_key(city) for city in ("Malmö", "Malmoe", "Malmo", "Århus", "Aarhus", "Arhus")]
    ['malmo', 'malmo', 'malmo', 'arhus', 'arhus', 'arhus']
    """
    return _loosen(strict_key(text))


def tokens(text: str) -> tuple[str, ...]:
    """The words of the loose key of ``text``.

    >>> tokens("Sommar, sommar och sol")
    ('somar', 'somar', 'och', 'sol')
    """
    return tuple(loose_key(text).split())


def normalise_title(text: str) -> NormalisedTitle:
    """``text`` as matching keys, with featured credits and version suffixes in their own fields.

    >>> t = normalise_title("Dansa i Dalarna - Live (feat. Anna Järvinen & Ola Salo)")
    >>> (t.strict, t.featured, t.versions)
    ('dansa i dalarna', ('Anna Järvinen', 'Ola Salo'), ('Live',))
    """
    base, featured, versions = split_title(text[:MAX_INPUT_CHARS])
    strict = strict_key(base)
    loose = _loosen(strict)
    return NormalisedTitle(strict, loose, tuple(loose.split()), featured, versions)


def split_title(text: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """``text`` split into (base title, featured credits, version suffixes), all as written.

    Suffixes are peeled from the end: bracketed groups and `` - `` tails that name a version or a
    featured artist, then an inline ``feat. X`` running to the end. Anything else stays in the base, and
    the base is never peeled down to nothing (a song may well be called "Live").

    >>> split_title("Sol, vind och vatten (Radio Edit) [feat. Kent]")
    ('Sol, vind och vatten', ('Kent',), ('Radio Edit',))
    """
    base = text.strip()
    featured: list[str] = []
    versions: list[str] = []
    for _ in range(_MAX_SUFFIXES):
        peeled = _peel_suffix(base, featured, versions)
        if peeled is None:
            break
        base = peeled
    inline = _INLINE_FEATURING.search(base)
    if inline is not None and inline.start() > 0:
        featured[:0] = _split_credits(inline.group(1))
        base = base[: inline.start()].rstrip()
    versions.reverse()
    return base, tuple(featured), tuple(versions)


def normalise_name(text: str) -> NormalisedName:
    """A creator name as matching keys; ``Last, First`` is turned round to ``First Last``.

    >>> name = normalise_name("Þorsteinsdóttir, Guðrún")
    >>> (name.strict, name.key)
    ('gudrun thorsteinsdottir', 'gudrun thorsteinsdotir')
    """
    text = text[:MAX_INPUT_CHARS]
    parts = text.split(",")
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        text = f"{parts[1]} {parts[0]}"
    strict = strict_key(text)
    loose = _loosen(strict)
    return NormalisedName(strict, loose, " ".join(sorted(loose.split())))


def _peel_suffix(base: str, featured: list[str], versions: list[str]) -> str | None:
    """``base`` without its last suffix if that suffix is a credit or a version (recorded), else None."""
    for pattern in (_BRACKET_TAIL, _DASH_TAIL):
        match = pattern.search(base)
        if match is None or match.start() == 0:
            continue
        inner = match.group(1).strip()
        credit = _FEATURING_PREFIX.match(inner)
        if credit is not None:
            featured[:0] = _split_credits(inner[credit.end() :])
        elif _names_a_version(inner):
            versions.append(inner)
        else:
            continue
        return base[: match.start()].rstrip()
    return None


def _names_a_version(text: str) -> bool:
    return any(word in _VERSION_WORDS for word in strict_key(text).split())


def _split_credits(text: str) -> list[str]:
    return [credit for credit in (part.strip() for part in _CREDIT_SEPARATOR.split(text)) if credit]


def _loosen(strict: str) -> str:
    # Folding a digraph can make a new one or a new double letter ("aee" -> "ae" -> "a"), so fold until
    # nothing changes; every round that changes something shortens the text, so this ends, mostly after
    # one round and a check.
    loose = _REPEATED_LETTER.sub(r"\1", strict)
    while True:
        folded = _REPEATED_LETTER.sub(r"\1", _LOOSE_DIGRAPH.sub(r"\1", loose))
        if folded == loose:
            return loose
        loose = folded


def _fold_rare_character(character: str) -> str:
    """The slow path for characters beyond the Latin blocks (and combining marks left by NFKC)."""
    if character.isascii():
        return character
    if unicodedata.combining(character):
        return ""
    return character if character.isalnum() else " "


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code_point in range(_TABLE_LAST_CODE_POINT + 1):
        character = chr(code_point)
        folded = _fold_latin_character(character)
        if folded != character:
            table[code_point] = folded
    for apostrophe in _APOSTROPHES:
        table[ord(apostrophe)] = ""
    return table


def _fold_latin_character(character: str) -> str:
    if character in _TRANSLITERATIONS:
        return _TRANSLITERATIONS[character]
    if character.isascii():
        return character if character.isalnum() or character == " " else " "
    stripped = "".join(c for c in unicodedata.normalize("NFD", character) if not unicodedata.combining(c))
    if stripped.isascii() and stripped.isalnum():
        return stripped.casefold()
    return character if character.isalnum() else " "


# Built once at import (a few hundred entries, well under a millisecond).
_TABLE: Final[dict[int, str]] = _build_table()
