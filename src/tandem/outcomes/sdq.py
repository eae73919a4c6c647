"""Scoring the Strengths and Difficulties Questionnaire (SDQ) for 4- to 17-year-olds: parent,
teacher and self-report (youthinmind's scoring sheet of 20 June 2016; the facts and their
sources are in shared/research/outcomes-cba.md §1).

The SDQ's wording is licensed (youthinmind): Tandem never holds it. Responses are kept by item
number (1-25) as the form's answer codes, 0 "Not true", 1 "Somewhat true", 2 "Certainly true",
before any reversing; this module turns them into scores and bands. A practitioner may also
record only the scores from a form scored by hand.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum


class Informant(StrEnum):
    PARENT = "parent"
    TEACHER = "teacher"
    SELF = "self"  # the young person, 11-17


ITEMS = range(1, 26)
SCALES = {
    "emotional": (3, 8, 13, 16, 24),
    "conduct": (5, 7, 12, 18, 22),
    "hyperactivity": (2, 10, 15, 21, 25),
    "peer": (6, 11, 14, 19, 23),
    "prosocial": (1, 4, 9, 17, 20),
}
REVERSED = frozenset({7, 11, 14, 21, 25})  # "Certainly true" scores 0 on these
DIFFICULTIES = ("emotional", "conduct", "hyperactivity", "peer")

# The impact supplement: "Overall, does the child have difficulties …?" answered 0 No, 1 minor,
# 2 definite, 3 severe; then each impact item 0 "Not at all", 1 "Only a little", 2 "A medium
# amount", 3 "A great deal", scored 0, 0, 1, 2. Teachers answer three of the items.
IMPACT_ITEMS = {
    Informant.PARENT: ("distress", "home", "friendships", "classroom", "leisure"),
    Informant.SELF: ("distress", "home", "friendships", "classroom", "leisure"),
    Informant.TEACHER: ("distress", "peers", "classroom"),
}
IMPACT_SCORE = (0, 0, 1, 2)


def half_up(value: Decimal) -> int:
    """Rounded half up, as youthinmind's syntax does (`floor(0.5 + x)`): Python's `round` would
    make 2.5 into 2."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def item_score(item: int, answer: int) -> int:
    return 2 - answer if item in REVERSED else answer


def scale_score(answers: dict[int, int | None], scale: str) -> int | None:
    """0-10; prorated when 3 or 4 of the scale's 5 items are answered, missing below 3."""
    scored = [item_score(i, answers[i]) for i in SCALES[scale] if answers.get(i) is not None]
    if len(scored) < 3:
        return None
    return half_up(Decimal(sum(scored)) * 5 / len(scored))


def impact_score(informant: Informant, difficulties: int | None, items: dict) -> int | None:
    """0-10 (teacher 0-6); 0 when there are no difficulties, missing if an item is."""
    if difficulties is None:
        return None
    if difficulties == 0:
        return 0
    answers = [items.get(name) for name in IMPACT_ITEMS[informant]]
    if any(a is None for a in answers):
        return None
    return sum(IMPACT_SCORE[a] for a in answers)


@dataclass(frozen=True)
class Scores:
    emotional: int | None
    conduct: int | None
    hyperactivity: int | None
    peer: int | None
    prosocial: int | None
    impact: int | None = None

    @property
    def total(self) -> int | None:
        """Total difficulties, 0-40: missing if any of its four scales is."""
        parts = [getattr(self, s) for s in DIFFICULTIES]
        return None if None in parts else sum(parts)

    @property
    def externalising(self) -> int | None:
        return _sum(self.conduct, self.hyperactivity)

    @property
    def internalising(self) -> int | None:
        return _sum(self.emotional, self.peer)


def _sum(a, b):
    return None if a is None or b is None else a + b


def score(
    informant: Informant,
    answers: dict[int, int | None],
    *,
    difficulties: int | None = None,
    impact: dict | None = None,
) -> Scores:
    """Scores from item answers (item number -> 0, 1, 2 or None for blank)."""
    for item, answer in answers.items():
        if item not in ITEMS or answer not in (None, 0, 1, 2):
            raise ValueError(f"item {item}: {answer!r} is not an answer (0, 1, 2 or blank)")
    return Scores(
        **{scale: scale_score(answers, scale) for scale in SCALES},
        impact=impact_score(Informant(informant), difficulties, impact or {}),
    )


# --- Bands (Table 3 of the 2016 scoring sheet) -------------------------------------------------
# Each band is (lowest, highest, name). Three bands: normal, borderline, abnormal; four bands:
# close to average, slightly raised, high, very high (for prosocial: slightly lowered, low, very
# low, since there a low score is the concern).
NORMAL, BORDERLINE, ABNORMAL = "Normal", "Borderline", "Abnormal"
AVERAGE, RAISED, HIGH, VERY_HIGH = "Close to average", "Slightly raised", "High", "Very high"
LOWERED, LOW, VERY_LOW = "Slightly lowered", "Low", "Very low"


def _three(normal, borderline, abnormal):
    return [(*normal, NORMAL), (*borderline, BORDERLINE), (*abnormal, ABNORMAL)]


def _four(average, raised, high, very_high, *, prosocial=False):
    names = (AVERAGE, LOWERED, LOW, VERY_LOW) if prosocial else (AVERAGE, RAISED, HIGH, VERY_HIGH)
    return [(*r, n) for r, n in zip((average, raised, high, very_high), names, strict=True)]


THREE_BANDS = {
    Informant.PARENT: {
        "total": _three((0, 13), (14, 16), (17, 40)),
        "emotional": _three((0, 3), (4, 4), (5, 10)),
        "conduct": _three((0, 2), (3, 3), (4, 10)),
        "hyperactivity": _three((0, 5), (6, 6), (7, 10)),
        "peer": _three((0, 2), (3, 3), (4, 10)),
        "prosocial": _three((6, 10), (5, 5), (0, 4)),
        "impact": _three((0, 0), (1, 1), (2, 10)),
    },
    Informant.TEACHER: {
        "total": _three((0, 11), (12, 15), (16, 40)),
        "emotional": _three((0, 4), (5, 5), (6, 10)),
        "conduct": _three((0, 2), (3, 3), (4, 10)),
        "hyperactivity": _three((0, 5), (6, 6), (7, 10)),
        "peer": _three((0, 3), (4, 4), (5, 10)),
        "prosocial": _three((6, 10), (5, 5), (0, 4)),
        "impact": _three((0, 0), (1, 1), (2, 6)),
    },
    Informant.SELF: {
        "total": _three((0, 15), (16, 19), (20, 40)),
        "emotional": _three((0, 5), (6, 6), (7, 10)),
        "conduct": _three((0, 3), (4, 4), (5, 10)),
        "hyperactivity": _three((0, 5), (6, 6), (7, 10)),
        "peer": _three((0, 3), (4, 5), (6, 10)),
        "prosocial": _three((6, 10), (5, 5), (0, 4)),
        "impact": _three((0, 0), (1, 1), (2, 10)),
    },
}
FOUR_BANDS = {
    Informant.PARENT: {
        "total": _four((0, 13), (14, 16), (17, 19), (20, 40)),
        "emotional": _four((0, 3), (4, 4), (5, 6), (7, 10)),
        "conduct": _four((0, 2), (3, 3), (4, 5), (6, 10)),
        "hyperactivity": _four((0, 5), (6, 7), (8, 8), (9, 10)),
        "peer": _four((0, 2), (3, 3), (4, 4), (5, 10)),
        "prosocial": _four((8, 10), (7, 7), (6, 6), (0, 5), prosocial=True),
        "impact": _four((0, 0), (1, 1), (2, 2), (3, 10)),
    },
    Informant.TEACHER: {
        "total": _four((0, 11), (12, 15), (16, 18), (19, 40)),
        "emotional": _four((0, 3), (4, 4), (5, 5), (6, 10)),
        "conduct": _four((0, 2), (3, 3), (4, 4), (5, 10)),
        "hyperactivity": _four((0, 5), (6, 7), (8, 8), (9, 10)),
        "peer": _four((0, 2), (3, 4), (5, 5), (6, 10)),
        "prosocial": _four((6, 10), (5, 5), (4, 4), (0, 3), prosocial=True),
        "impact": _four((0, 0), (1, 1), (2, 2), (3, 6)),
    },
    Informant.SELF: {
        "total": _four((0, 14), (15, 17), (18, 19), (20, 40)),
        "emotional": _four((0, 4), (5, 5), (6, 6), (7, 10)),
        "conduct": _four((0, 3), (4, 4), (5, 5), (6, 10)),
        "hyperactivity": _four((0, 5), (6, 6), (7, 7), (8, 10)),
        "peer": _four((0, 2), (3, 3), (4, 4), (5, 10)),
        "prosocial": _four((7, 10), (6, 6), (5, 5), (0, 4), prosocial=True),
        "impact": _four((0, 0), (1, 1), (2, 2), (3, 10)),
    },
}
MEASURES = ("total", *SCALES, "impact")


def band(informant: Informant, measure: str, value: int | None, *, four: bool = True) -> str:
    """The band a score falls in ("" for a missing score)."""
    if value is None:
        return ""
    table = (FOUR_BANDS if four else THREE_BANDS)[Informant(informant)][measure]
    for low, high, name in table:
        if low <= value <= high:
            return name
    raise ValueError(f"{measure} {value} is outside the SDQ's range")


def added_value(t1_total: int, t1_impact: int, t1_emotional: int, t2_total: int) -> Decimal:
    """youthinmind's added value for the parent SDQ (sdqinfo.com e10): how much more the total
    difficulties score fell over about six months than predicted from the first scores. Positive
    is better than predicted; divide by 5 for an effect size. Wide for one child (±10 points),
    about ±1 for the mean of 100; it over-credits services for low-risk children."""
    predicted = Decimal("2.3") + Decimal("0.8") * t1_total + Decimal("0.2") * t1_impact
    return predicted - Decimal("0.3") * t1_emotional - t2_total
