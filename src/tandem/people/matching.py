"""Does a name typed by a practitioner name this person? Compared as the record linkage compares
names: accents and case folded, nicknames ("Ollie" is Oliver), small typos, hyphenated and
double-barrelled surnames, and a date of birth with its day and month swapped.

A look-up must not answer a false "not known" because of a spelling: what is close but not the
same is a *possible* match, and the practitioner is told to check with the partner.
"""

import unicodedata
from datetime import date
from enum import StrEnum

from rapidfuzz.distance import JaroWinkler, Levenshtein

from tandem.linkage.nicknames import CANONICAL

# Two spellings this close are probably one name with a typo (linkage's own threshold).
CLOSE = 0.9


class Match(StrEnum):
    EXACT = "exact"
    POSSIBLE = "possible"
    NONE = "none"


def fold(name: str) -> str:
    """Lower case letters only, accents removed: "José" and "jose" are one name."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    return "".join(c for c in decomposed.lower() if c.isalpha() and c.isascii())


def _parts(name: str) -> set[str]:
    """The parts of a hyphenated or double-barrelled name, each folded."""
    words = (name or "").replace("-", " ").split()
    return {fold(w) for w in words} - {""}


def _close(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    typo = min(len(a), len(b)) >= 4 and Levenshtein.distance(a, b) <= 1
    return typo or JaroWinkler.similarity(a, b) >= CLOSE


def swapped(day: date) -> date | None:
    """The same date with day and month swapped, if that is another real date."""
    if day.day > 12 or day.day == day.month:
        return None
    return date(day.year, day.day, day.month)


def name_match(given: str, family: str, *, person_given: str, person_family: str,
               person_known_as: str = "") -> Match:  # fmt: skip
    """How the typed `given` and `family` names match a person's recorded names."""
    g, f = fold(given), fold(family)
    forms = {fold(person_given), fold(person_known_as)} - {""}
    pf = fold(person_family)
    if g in forms and f == pf:
        return Match.EXACT
    canonical = {CANONICAL.get(x, x) for x in forms}
    given_ok = CANONICAL.get(g, g) in canonical or any(_close(g, x) for x in forms)
    family_ok = (
        _close(f, pf)
        or bool(_parts(family) & _parts(person_family))
        or any(_close(a, b) for a in _parts(family) for b in _parts(person_family))
    )
    return Match.POSSIBLE if given_ok and family_ok else Match.NONE
