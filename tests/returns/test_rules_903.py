"""Each SSDA903 rule Tandem checks, with a passing and a failing case (table-driven)."""

import pytest

from tandem.care.codelists import for_year
from tandem.returns.ssda903 import COLUMNS, Ssda903
from tandem.returns.validation import SSDA903_RULES, validate_ssda903

GIRL = {"CHILD": "A1", "SEX": "F", "DOB": "01/06/2012", "ETHNIC": "WBRI", "UPN": "UN5"}
TODDLER = {**GIRL, "DOB": "01/06/2023"}
EPISODE = {
    "CHILD": "A1",
    "DECOM": "01/05/2025",
    "RNE": "S",
    "LS": "C2",
    "CIN": "N1",
    "PLACE": "U4",
    "PLACE_PROVIDER": "PR1",
    "HOME_POST": "TW1 1ND",
    "PL_POST": "TW1 2DA",
    "URN": "XXXXXXX",
}
OC2 = {"CHILD": "A1", "DOB": "01/06/2012"}


def built(**tables) -> Ssda903:
    tables.setdefault("Header", [{**GIRL, "MOTHER": "0"}])
    full = {
        name: [{c: "" for c in columns} | row for row in tables.get(name, [])]
        for name, columns in COLUMNS.items()
    }
    return Ssda903(lists=for_year(2026), tables=full, person_of={})


# (rule, passing tables, failing tables): the failing case must fail that rule, and only it.
CASES = [
    ("101", {}, {"Header": [{**GIRL, "SEX": "2", "MOTHER": "0"}]}),
    ("103", {}, {"Header": [{**GIRL, "ETHNIC": "White British", "MOTHER": "0"}]}),
    ("143", {"Episodes": [EPISODE]}, {"Episodes": [{**EPISODE, "RNE": "Z"}]}),
    ("144", {"Episodes": [EPISODE]}, {"Episodes": [{**EPISODE, "LS": "C3"}]}),
    ("145", {"Episodes": [EPISODE]}, {"Episodes": [{**EPISODE, "CIN": "N9"}]}),
    ("146", {"Episodes": [EPISODE]}, {"Episodes": [{**EPISODE, "PLACE": "H5"}]}),
    (
        "149",
        {"Episodes": [{**EPISODE, "DEC": "01/06/2025", "REC": "E4A"}]},
        {"Episodes": [{**EPISODE, "DEC": "01/06/2025", "REC": "E4"}]},
    ),
    (
        "1009",
        {"Episodes": [{**EPISODE, "REASON_PLACE_CHANGE": "CARPL"}]},
        {"Episodes": [{**EPISODE, "REASON_PLACE_CHANGE": "CARER"}]},
    ),
    (
        "167",
        {"Reviews": [{"CHILD": "A1", "REVIEW": "01/06/2025", "REVIEW_CODE": "PN1"}]},
        {"Reviews": [{"CHILD": "A1", "REVIEW": "01/06/2025", "REVIEW_CODE": "PN9"}]},
    ),
    (
        "131",
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"}]},
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "MAYBE", "ACTIV": "F1", "ACCOM": "B1"}]},
    ),
    (
        "132",
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "YES", "ACTIV": "0", "ACCOM": "B1"}]},
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "YES", "ACTIV": "F3", "ACCOM": "B1"}]},
    ),
    (
        "133",
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "Z1"}]},
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "Z3"}]},
    ),
    ("196", {"OC2": [{**OC2, "SDQ_REASON": "SDQ2"}]}, {"OC2": [{**OC2, "SDQ_REASON": "SDQ9"}]}),
    (
        "176",
        {"AD1": [{"CHILD": "A1", "SEX_ADOPTR": "MF"}]},
        {"AD1": [{"CHILD": "A1", "SEX_ADOPTR": "XY"}]},
    ),
    (
        "177",
        {"AD1": [{"CHILD": "A1", "LS_ADOPTR": "L0"}]},
        {"AD1": [{"CHILD": "A1", "LS_ADOPTR": "L9"}]},
    ),
    (
        "120",
        {"PlacedAdoption": [{"CHILD": "A1", "REASON_PLACED_CEASED": "RD1"}]},
        {"PlacedAdoption": [{"CHILD": "A1", "REASON_PLACED_CEASED": "RD9"}]},
    ),
    (
        "631",
        {"Episodes": [EPISODE], "PrevPerm": [{"CHILD": "A1", "PREV_PERM": "Z1"}]},
        {"Episodes": [EPISODE], "PrevPerm": [{"CHILD": "A1", "PREV_PERM": "P9"}]},
    ),
    (
        "355",
        {"Episodes": [{**EPISODE, "DEC": "02/05/2025", "REC": "E4A"}]},
        {"Episodes": [{**EPISODE, "DEC": "01/05/2025", "REC": "E4A"}]},
    ),
    (
        "392d",
        {"Episodes": [EPISODE]},
        {"Episodes": [{**EPISODE, "PL_POST": EPISODE["HOME_POST"]}]},
    ),
    (
        "393",
        {"Episodes": [EPISODE]},
        {"Episodes": [EPISODE], "Header": [{**GIRL, "MOTHER": ""}]},
    ),
    (
        "209",
        {"Header": [{**GIRL, "MOTHER": "0"}]},
        {"Header": [{**GIRL, "UPN": "UN1", "MOTHER": "0"}]},
    ),
    (
        "188",
        {"Header": [{**TODDLER, "MOTHER": "0"}], "OC2": [{**OC2, "DOB": TODDLER["DOB"]}]},
        {
            "Header": [{**TODDLER, "MOTHER": "0"}],
            "OC2": [{**OC2, "DOB": TODDLER["DOB"], "SDQ_REASON": "SDQ1"}],
        },
    ),
    (
        "542",
        {"Header": [{**TODDLER, "MOTHER": "0"}], "OC2": [OC2]},
        {"Header": [{**TODDLER, "MOTHER": "0"}], "OC2": [{**OC2, "CONVICTED": "0"}]},
    ),
    ("546", {"OC2": [OC2]}, {"OC2": [{**OC2, "HEALTH_CHECK": "1"}]}),
    (
        "192",
        {"OC2": [{**OC2, "SUBSTANCE_MISUSE": "1", "INTERVENTION_RECEIVED": "0"}]},
        {"OC2": [{**OC2, "SUBSTANCE_MISUSE": "1"}]},
    ),
    (
        "158",
        {"OC2": [{**OC2, "INTERVENTION_RECEIVED": "0", "INTERVENTION_OFFERED": "1"}]},
        {"OC2": [{**OC2, "INTERVENTION_RECEIVED": "1", "INTERVENTION_OFFERED": "0"}]},
    ),
    (
        "634",
        {"Episodes": [EPISODE], "PrevPerm": [{"CHILD": "A1", "PREV_PERM": "Z1"}]},
        {
            "Episodes": [{**EPISODE, "DECOM": "01/05/2024"}],
            "PrevPerm": [{"CHILD": "A1", "PREV_PERM": "Z1"}],
        },
    ),
]


def test_every_rule_has_a_case():
    assert {code for code, _, _ in CASES} == set(SSDA903_RULES)


@pytest.mark.parametrize(("code", "passing", "failing"), CASES, ids=[c[0] for c in CASES])
def test_rule(code, passing, failing):
    assert [f.code for f in validate_ssda903(built(**passing))] == []
    failures = validate_ssda903(built(**failing))
    assert [f.code for f in failures] == [code]
    (failure,) = failures
    assert failure.child == "A1"
    assert failure.field in SSDA903_RULES[code].fields


def test_a_rule_outside_its_years_is_not_checked():
    rule = SSDA903_RULES["144"]
    assert rule.applies_to(2026)
    assert not rule.applies_to(2020)
