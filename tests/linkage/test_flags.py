import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tandem.linkage import flags

AS_OF = dt.date(2026, 11, 23)
RULES = flags.default_rules()


def ago(days):
    return AS_OF - dt.timedelta(days=days)


def fired(events, rules=RULES):
    return {(f.person, f.rule.name) for f in flags.evaluate(events, rules, AS_OF)}


def test_three_indicators_from_two_partners_in_twelve_months_fire():
    events = [
        ("amy", "police", "Missing episode", ago(10), "P1"),
        ("amy", "school", "Persistent absence", ago(100), "S1"),
        ("amy", "health", "Self-harm attendance", ago(364), "H1"),
    ]
    assert ("amy", "overlapping_risks") in fired(events)


@pytest.mark.parametrize(
    "events",
    [
        pytest.param(
            [
                ("bo", "police", "Missing episode", ago(10), "P1"),
                ("bo", "police", "Drugs possession", ago(20), "P2"),
                ("bo", "police", "Gang association", ago(30), "P3"),
            ],
            id="three indicators, one partner",
        ),
        pytest.param(
            [
                ("bo", "police", "Missing episode", ago(10), "P1"),
                ("bo", "school", "Persistent absence", ago(20), "S1"),
            ],
            id="two indicators",
        ),
        pytest.param(
            [
                ("bo", "police", "Missing episode", ago(10), "P1"),
                ("bo", "school", "Persistent absence", ago(20), "S1"),
                ("bo", "health", "Self-harm attendance", ago(365), "H1"),
            ],
            id="third indicator twelve months and a day ago",
        ),
        pytest.param(
            [
                ("bo", "police", "Missing episode", ago(10), "P1"),
                ("bo", "school", "Persistent absence", ago(20), "S1"),
                ("bo", "school", "On roll", ago(30), "S2"),
            ],
            id="third event is not an indicator",
        ),
        pytest.param(
            [
                ("bo", "police", "Missing episode", ago(10), "P1"),
                ("bo", "school", "Persistent absence", ago(20), "S1"),
                ("cy", "health", "Self-harm attendance", ago(30), "H1"),
            ],
            id="third indicator is another child's",
        ),
        pytest.param(
            [
                ("bo", "police", "Missing episode", ago(10), "P1"),
                ("bo", "school", "Persistent absence", ago(20), "S1"),
                ("bo", "health", "Self-harm attendance", AS_OF + dt.timedelta(days=1), "H1"),
            ],
            id="third indicator dated after the as-of day",
        ),
    ],
)
def test_near_misses_never_fire_the_overlap_rule(events):
    assert ("bo", "overlapping_risks") not in fired(events)


def test_named_pattern_needs_every_indicator():
    both = [
        ("dee", "police", "Domestic abuse call-out", ago(50), "P1"),
        ("dee", "police", "Missing episode", ago(5), "P2"),
    ]
    assert fired(both) == {("dee", "domestic_abuse_and_missing")}
    assert fired(both[:1]) == set()
    exploitation = [
        ("eve", "police", "Gang association", ago(40), "P1"),
        ("eve", "school", "Suspension or exclusion", ago(60), "S1"),
    ]
    assert fired(exploitation) == {("eve", "exploitation_and_exclusion")}
    assert fired([("fay", "school", "Online safety concern", ago(182), "S1")]) == {
        ("fay", "online_grooming")
    }
    assert fired([("fay", "school", "Online safety concern", ago(183), "S1")]) == set()


def test_each_flag_lists_the_indicators_that_fired_with_partner_and_date():
    events = [
        ("amy", "police", "Missing episode", dt.date(2026, 5, 1), "P1"),
        ("amy", "school", "Persistent absence", dt.date(2026, 2, 3), "S1"),
        ("amy", "health", "Self-harm attendance", dt.date(2026, 9, 9), "H1"),
        ("amy", "school", "On roll", dt.date(2026, 9, 1), "S2"),
    ]
    (flag,) = flags.evaluate(events, RULES, AS_OF)
    assert flag.explanation() == (
        "school: Persistent absence on 3 February 2026; police: Missing episode on 1 May 2026; "
        "health: Self-harm attendance on 9 September 2026"
    )
    assert [i.record_id for i in flag.evidence] == ["S1", "P1", "H1"]


def test_rules_are_configurable_and_bad_rules_name_the_problem():
    rules = flags.parse_rules(
        """
        [indicators]
        "Missing episode" = "missing"
        [[rules]]
        name = "any_missing"
        title = "Any missing episode this week"
        all_of = ["missing"]
        within_days = 7
        """
    )
    assert fired([("gus", "police", "Missing episode", ago(6), "P1")], rules) == {
        ("gus", "any_missing")
    }
    assert fired([("gus", "police", "Missing episode", ago(7), "P1")], rules) == set()
    base = '[indicators]\n"Missing episode" = "missing"\n[[rules]]\nname = "r"\ntitle = "t"\n'
    with pytest.raises(ValidationError, match="not an indicator: missng"):
        flags.parse_rules(base + 'within_days = 7\nall_of = ["missng"]\n')
    with pytest.raises(ValidationError, match="whole number of days"):
        flags.parse_rules(base + 'all_of = ["missing"]\n')
    with pytest.raises(ValidationError, match="needs min_indicators, min_partners or all_of"):
        flags.parse_rules(base + "within_days = 7\n")
    with pytest.raises(ValidationError, match="unknown keys: score"):
        flags.parse_rules(base + "within_days = 7\nscore = 0.9\n")
