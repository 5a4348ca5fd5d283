"""Usage-report noise with ground truth: a title or name as a licensee's system might misspell it.

Usage reports rarely carry a title exactly as the society registered it. ``noisy_variant`` applies one
realistic kind of damage to a title and says which (``NoiseKind``), so a benchmark or a matcher test can
report precision and recall per kind of noise:

>>> import random
>>> noisy_variant("Sommarnatt i Malmö", random.Random(7), NoiseKind.NORDIC_STRIPPED)
NoisyText(text='Sommarnatt i Malmo', kind=<NoiseKind.NORDIC_STRIPPED: 'nordic_stripped'>)
>>> noisy_variant("Sommarnatt i Malmö", random.Random(7), NoiseKind.NORDIC_TRANSLITERATED).text
'Sommarnatt i Malmoe'

Everything is driven by the ``random.Random`` passed in, so a seeded generator gives the same noise on
every run and every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from nordclear.repertoire.catalogue.wordlists import LANGUAGES


class NoiseKind(StrEnum):
    """The kind of damage applied to a title or a name."""

    NONE = "none"
    TYPO = "typo"
    CASE = "case"
    NORDIC_STRIPPED = "nordic_stripped"
    NORDIC_TRANSLITERATED = "nordic_transliterated"
    FEATURED_ARTIST = "featured_artist"
    REMASTER_SUFFIX = "remaster_suffix"
    LIVE_SUFFIX = "live_suffix"
    EDIT_SUFFIX = "edit_suffix"
    NAME_REVERSED = "name_reversed"


@dataclass(frozen=True, slots=True)
class NoisyText:
    """A damaged title or name and the kind of damage done."""

    text: str
    kind: NoiseKind


# Kinds that apply to any title; the Nordic ones need a Nordic letter to work on.
TITLE_NOISE_KINDS: Final = (
    NoiseKind.TYPO,
    NoiseKind.CASE,
    NoiseKind.NORDIC_STRIPPED,
    NoiseKind.NORDIC_TRANSLITERATED,
    NoiseKind.FEATURED_ARTIST,
    NoiseKind.REMASTER_SUFFIX,
    NoiseKind.LIVE_SUFFIX,
    NoiseKind.EDIT_SUFFIX,
)
NAME_NOISE_KINDS: Final = (
    NoiseKind.NAME_REVERSED,
    NoiseKind.CASE,
    NoiseKind.NORDIC_STRIPPED,
    NoiseKind.TYPO,
)
_NORDIC_KINDS: Final = frozenset({NoiseKind.NORDIC_STRIPPED, NoiseKind.NORDIC_TRANSLITERATED})

# What an ASCII-only system makes of each letter: dropping the diacritic, or the Nordic spelling rule.
_STRIPPED: Final = str.maketrans(
    {
        "å": "a", "ä": "a", "ö": "o", "ø": "o", "æ": "ae", "þ": "th", "ð": "d",
        "Å": "A", "Ä": "A", "Ö": "O", "Ø": "O", "Æ": "Ae", "Þ": "Th", "Ð": "D",
        "á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ý": "y",
        "Á": "A", "É": "E", "Í": "I", "Ó": "O", "Ú": "U", "Ý": "Y",
    }
)  # fmt: skip
_TRANSLITERATED: Final = str.maketrans(
    {
        "å": "aa", "ä": "ae", "ö": "oe", "ø": "oe", "æ": "ae", "þ": "th", "ð": "d",
        "Å": "Aa", "Ä": "Ae", "Ö": "Oe", "Ø": "Oe", "Æ": "Ae", "Þ": "Th", "Ð": "D",
        "á": "a", "é": "e", "í": "i", "ó": "o", "ú": "u", "ý": "y",
        "Á": "A", "É": "E", "Í": "I", "Ó": "O", "Ú": "U", "Ý": "Y",
    }
)  # fmt: skip
_NORDIC_LETTERS: Final = frozenset("åäöøæþðÅÄÖØÆÞÐáéíóúýÁÉÍÓÚÝ")

# Neighbouring keys on a Nordic QWERTY keyboard: most real typos hit the key next door.
_KEY_ROWS: Final = ("qwertyuiopå", "asdfghjklöä", "zxcvbnm")
_FEATURING_FORMS: Final = ("{} (feat. {})", "{} feat. {}", "{} [ft. {}]", "{} (featuring {})", "{} ft. {}")
_REMASTER_FORMS: Final = ("{} - Remastered {}", "{} - {} Remaster", "{} (Remastered {})", "{} - Remaster {}")
_LIVE_FORMS: Final = ("{} (Live)", "{} - Live", "{} [Live]", "{} - Live Version", "{} (Live at {})")
_EDIT_FORMS: Final = ("{} (Radio Edit)", "{} [Demo]", "{} - Single Version", "{} (Akustisk)", "{} - Remix")
_LIVE_VENUES: Final = ("Gröna Lund", "Roskilde", "Øyafestivalen", "Ruisrock", "Harpa", "Cirkus")
_REMASTER_YEARS: Final = (1995, 2024)


def applicable_title_kinds(title: str) -> tuple[NoiseKind, ...]:
    """The title noise kinds that change ``title`` (the Nordic ones only if it has a Nordic letter)."""
    has_nordic_letter = any(character in _NORDIC_LETTERS for character in title)
    return tuple(kind for kind in TITLE_NOISE_KINDS if has_nordic_letter or kind not in _NORDIC_KINDS)


def noisy_variant(title: str, rng: random.Random, kind: NoiseKind | None = None) -> NoisyText:
    """``title`` with one kind of usage-report noise; a kind that applies is drawn when none is given.

    ``NoiseKind.NONE`` returns the title unchanged. A Nordic kind asked for on a title without Nordic
    letters returns it unchanged, labelled ``NONE``, so that the label is always the truth.
    """
    chosen = kind if kind is not None else rng.choice(applicable_title_kinds(title))
    text = _apply_title_noise(title, chosen, rng)
    return NoisyText(text, chosen if text != title else NoiseKind.NONE)


def noisy_name(name: str, rng: random.Random, kind: NoiseKind | None = None) -> NoisyText:
    """A creator or artist name ("Evert Taube") as a report might carry it ("Taube, Evert", "EVERT TAUBE")."""
    chosen = kind if kind is not None else rng.choice(NAME_NOISE_KINDS)
    if chosen is NoiseKind.NAME_REVERSED:
        given, _, family = name.rpartition(" ")
        text = f"{family}, {given}" if given else name
    else:
        text = _apply_title_noise(name, chosen, rng)
    return NoisyText(text, chosen if text != name else NoiseKind.NONE)


def _apply_title_noise(title: str, kind: NoiseKind, rng: random.Random) -> str:
    if kind is NoiseKind.TYPO:
        return typo(title, rng)
    if kind is NoiseKind.CASE:
        return title.upper() if rng.random() < 0.5 or title.islower() else title.lower()
    if kind is NoiseKind.NORDIC_STRIPPED:
        return title.translate(_STRIPPED)
    if kind is NoiseKind.NORDIC_TRANSLITERATED:
        return title.translate(_TRANSLITERATED)
    if kind is NoiseKind.FEATURED_ARTIST:
        return rng.choice(_FEATURING_FORMS).format(title, random_artist_name(rng))
    if kind is NoiseKind.REMASTER_SUFFIX:
        return rng.choice(_REMASTER_FORMS).format(title, rng.randint(*_REMASTER_YEARS))
    if kind is NoiseKind.LIVE_SUFFIX:
        return rng.choice(_LIVE_FORMS).format(title, rng.choice(_LIVE_VENUES))
    if kind is NoiseKind.EDIT_SUFFIX:
        return rng.choice(_EDIT_FORMS).format(title)
    return title


def typo(text: str, rng: random.Random) -> str:
    """``text`` with one typing error on a letter: a neighbouring key, a dropped, doubled or swapped letter.

    Text without letters, or a single letter (which a deletion would erase), comes back unchanged.
    """
    positions = [index for index, character in enumerate(text) if character.isalpha()]
    if len(positions) < 2:
        return text
    position = rng.choice(positions)
    character = text[position]
    operation = rng.randrange(4)
    if operation == 0:
        replacement = _neighbour_key(character, rng)
    elif operation == 1:
        replacement = ""
    elif operation == 2:
        replacement = character + character
    else:
        following = text[position + 1 : position + 2]
        if not following.isalpha() or following == character:
            return text[:position] + _neighbour_key(character, rng) + text[position + 1 :]
        return text[:position] + following + character + text[position + 2 :]
    return text[:position] + replacement + text[position + 1 :]


def random_artist_name(rng: random.Random) -> str:
    """A plausible featured artist: a given name and a family name from one of the languages."""
    language = rng.choice(tuple(LANGUAGES.values()))
    given = rng.choice(language.female_names + language.male_names)
    family = rng.choice(language.last_names)
    if language.patronymic:
        family += rng.choice(("son", "dóttir"))
    return f"{given} {family}"


def _neighbour_key(character: str, rng: random.Random) -> str:
    lower = character.lower()
    for row in _KEY_ROWS:
        index = row.find(lower)
        if index >= 0:
            neighbours = row[max(index - 1, 0) : index] + row[index + 1 : index + 2]
            chosen = rng.choice(neighbours)
            return chosen.upper() if character.isupper() else chosen
    # Letters not on the keyboard rows (þ, ð, é …) are mistyped as their plain neighbour "e".
    return "E" if character.isupper() else "e"
