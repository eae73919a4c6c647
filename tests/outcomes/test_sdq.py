"""SDQ scoring: every known-answer vector of the research notes (§1.3), the bands of the 2016
scoring sheet, and properties of prorating and banding that must hold for any answers."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tandem.outcomes import sdq
from tandem.outcomes.sdq import FOUR_BANDS, THREE_BANDS, Informant

NOT, SOMEWHAT, CERTAINLY = 0, 1, 2


def _all(answer):
    return dict.fromkeys(sdq.ITEMS, answer)


def _row(scores):
    return (
        scores.emotional,
        scores.conduct,
        scores.hyperactivity,
        scores.peer,
        scores.prosocial,
        scores.total,
        scores.externalising,
        scores.internalising,
    )


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # The five reversed items score 2 each when "Not true".
        (_all(NOT), (0, 2, 4, 4, 0, 10, 6, 4)),
        (_all(SOMEWHAT), (5, 5, 5, 5, 5, 20, 10, 10)),
        (_all(CERTAINLY), (10, 8, 6, 6, 10, 30, 14, 16)),
        # Three emotional items answered, 4 points: 6.67 rounds to 7.
        ({**_all(NOT), 13: None, 24: None, 3: 2, 8: 2, 16: 0}, (7, 2, 4, 4, 0, 17, 6, 11)),
        # Two answered: the scale, the total and internalising are missing.
        (
            {**_all(NOT), 13: None, 24: None, 16: None, 3: 2, 8: 2},
            (None, 2, 4, 4, 0, None, 6, None),
        ),
    ],
    ids=["all not true", "all somewhat", "all certainly", "prorated 3 items", "2 answered"],
)
def test_the_research_notes_vectors(answers, expected):
    for informant in Informant:
        assert _row(sdq.score(informant, answers)) == expected


def test_four_answered_summing_to_two_rounds_half_up_to_three():
    answers = {3: 1, 8: 1, 13: 0, 16: 0, 24: None}  # 2 points from 4 items: 2.5
    assert sdq.scale_score(answers, "emotional") == 3
    assert round(2.5) == 2  # why the module does not use round()


def test_the_official_example_four_points_from_three_items_is_seven():
    assert sdq.scale_score({3: 2, 8: 1, 13: 1}, "emotional") == 7


def test_impact_supplement():
    parent, teacher = Informant.PARENT, Informant.TEACHER
    all_great = dict.fromkeys(sdq.IMPACT_ITEMS[parent], 3)
    assert sdq.impact_score(parent, 0, all_great) == 0  # "No difficulties": 0, rest not asked
    assert sdq.impact_score(parent, 2, all_great) == 10
    assert sdq.impact_score(teacher, 3, dict.fromkeys(sdq.IMPACT_ITEMS[teacher], 3)) == 6
    assert sdq.impact_score(parent, 1, dict.fromkeys(sdq.IMPACT_ITEMS[parent], 1)) == 0
    medium = {**dict.fromkeys(sdq.IMPACT_ITEMS[parent], 0), "distress": 2, "home": 3}
    assert sdq.impact_score(parent, 1, medium) == 3
    assert sdq.impact_score(parent, 1, {"distress": 2}) is None  # items missing
    assert sdq.impact_score(parent, None, all_great) is None


def test_bands_from_the_scoring_sheet():
    assert sdq.band(Informant.PARENT, "total", 13) == "Close to average"
    assert sdq.band(Informant.PARENT, "total", 17, four=False) == "Abnormal"
    assert sdq.band(Informant.PARENT, "total", 20) == "Very high"
    assert sdq.band(Informant.TEACHER, "total", 12) == "Slightly raised"
    assert sdq.band(Informant.SELF, "total", 15, four=False) == "Normal"
    assert sdq.band(Informant.SELF, "total", 15) == "Slightly raised"
    assert sdq.band(Informant.PARENT, "prosocial", 5) == "Very low"
    assert sdq.band(Informant.TEACHER, "prosocial", 4, four=False) == "Abnormal"
    assert sdq.band(Informant.TEACHER, "impact", 3) == "Very high"
    assert sdq.band(Informant.PARENT, "emotional", None) == ""
    with pytest.raises(ValueError, match="outside"):
        sdq.band(Informant.TEACHER, "impact", 7)


def test_a_bad_answer_is_refused_naming_the_item():
    with pytest.raises(ValueError, match="item 4: 3"):
        sdq.score(Informant.PARENT, {4: 3})
    with pytest.raises(ValueError, match="item 26"):
        sdq.score(Informant.PARENT, {26: 1})


def test_added_value():
    assert sdq.added_value(20, 5, 6, 15) == Decimal("2.5")
    assert sdq.added_value(20, 5, 6, 20) < 0  # less improvement than predicted


answer = st.one_of(st.none(), st.integers(0, 2))
answers = st.fixed_dictionaries({i: answer for i in sdq.ITEMS})


@given(answers)
def test_every_scale_is_missing_below_three_answers_else_between_0_and_10(given_answers):
    for scale, items in sdq.SCALES.items():
        value = sdq.scale_score(given_answers, scale)
        answered = [i for i in items if given_answers[i] is not None]
        if len(answered) < 3:
            assert value is None
        else:
            assert 0 <= value <= 10
            points = sum(sdq.item_score(i, given_answers[i]) for i in answered)
            exact = Decimal(points * 5) / len(answered)
            assert abs(value - exact) <= Decimal("0.5")  # the nearest whole number
            assert value - exact != Decimal("-0.5")  # halves go up
            if len(answered) == 5:
                assert value == points  # nothing to prorate


@given(answers)
def test_the_total_is_the_four_difficulty_scales_and_the_broad_scales_split_it(given_answers):
    scores = sdq.score(Informant.PARENT, given_answers)
    if scores.total is not None:
        assert 0 <= scores.total <= 40
        assert scores.total == scores.externalising + scores.internalising


@pytest.mark.parametrize("tables", [THREE_BANDS, FOUR_BANDS], ids=["3 bands", "4 bands"])
def test_every_band_table_covers_its_range_once_and_in_order(tables):
    for informant, measures in tables.items():
        assert set(measures) == set(sdq.MEASURES)
        for measure, bands in measures.items():
            top = {"total": 40, "impact": 6 if informant == Informant.TEACHER else 10}
            values = [v for low, high, _ in bands for v in range(low, high + 1)]
            assert sorted(values) == list(range(top.get(measure, 10) + 1)), (informant, measure)
            # Concern grows along the list: up the scale, or down it for prosocial.
            lows = [low for low, _, _ in bands]
            assert lows == sorted(lows, reverse=measure == "prosocial"), (informant, measure)


@given(st.sampled_from(list(Informant)), st.sampled_from(sdq.MEASURES), st.integers(0, 40))
def test_a_worse_score_is_never_in_a_better_band(informant, measure, value):
    top = (
        40 if measure == "total" else (6 if measure == "impact" and informant == "teacher" else 10)
    )
    if value >= top:
        return
    worse = value - 1 if measure == "prosocial" else value + 1
    if not 0 <= worse <= top:
        return
    names = [name for _, _, name in FOUR_BANDS[informant][measure]]
    here = names.index(sdq.band(informant, measure, value))
    assert names.index(sdq.band(informant, measure, worse)) >= here
