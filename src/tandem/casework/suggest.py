"""A suggested level of need, with its reasons. Only ever shown beside the practitioner's own
choice: the system explains, a person decides (the assessment's `level` is never set from here)."""

from collections.abc import Iterable
from dataclasses import dataclass

from tandem.casework.codes import Area, Level, Rating


@dataclass(frozen=True)
class Suggestion:
    level: str
    reasons: list[str]

    @property
    def label(self) -> str:
        return Level(self.level).label


def level_suggest(factors: Iterable) -> Suggestion | None:
    """From the factors' ratings: any serious concern suggests child protection; significant need
    in two or more areas, child in need; any need, early help; otherwise universal services.
    Strengths are named as reasons too, since they are what the plan builds on."""
    factors = list(factors)
    if not factors:
        return None

    def areas(rating):
        return sorted({Area(f.area).label for f in factors if f.rating == rating})

    serious = areas(Rating.SERIOUS_CONCERN)
    significant = areas(Rating.SIGNIFICANT_NEED)
    some = areas(Rating.SOME_NEED)
    strengths = areas(Rating.STRENGTH)
    reasons = []
    if serious:
        level = Level.CHILD_PROTECTION
        reasons.append(f"Serious concern rated in: {', '.join(serious)}")
    elif len(significant) >= 2:
        level = Level.CHILD_IN_NEED
        reasons.append(f"Significant need in {len(significant)} areas: {', '.join(significant)}")
    elif significant or some:
        level = Level.EARLY_HELP
        reasons.append(f"Need in: {', '.join(significant + some)}")
    else:
        level = Level.UNIVERSAL
        reasons.append("No area rated as a need")
    if strengths:
        reasons.append(f"Strengths to build on: {', '.join(strengths)}")
    return Suggestion(level=level, reasons=reasons)
