"""Each SSDA903 rule Tandem checks, with a passing and a failing case (table-driven)."""

import datetime as dt

import pytest

from tandem.care.codelists import for_year
from tandem.returns.rules_903 import looked_after_all_year
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
# The health items, given whenever another OC2 item is (DfE rule 182).
HEALTH = {"IMMUNISATIONS": "1", "TEETH_CHECK": "1", "HEALTH_ASSESSMENT": "1"}
MISUSE = {**HEALTH, "SUBSTANCE_MISUSE": "1"}


def oc2_for(child: str, dob: str) -> dict:
    """The OC2 row the DfE asks of a child looked after all year, born on `dob`."""
    born, end = dt.datetime.strptime(dob, "%d/%m/%Y").date(), dt.date(2026, 3, 31)
    age = end.year - born.year - ((end.month, end.day) < (born.month, born.day))
    row = {"CHILD": child, "DOB": dob, **HEALTH, "SUBSTANCE_MISUSE": "0"}
    if age >= 10:
        row["CONVICTED"] = "0"
    if age < 5:
        row["HEALTH_CHECK"] = "1"
    if age >= 4 and born.replace(year=born.year + 17) >= dt.date(2025, 4, 1):
        row["SDQ_SCORE"] = "10"
    return row


OC2 = oc2_for("A1", "01/06/2012")
TODDLER_OC2 = oc2_for("A1", TODDLER["DOB"])
BARE = {"CHILD": "A1", "DOB": "01/06/2012", "CONVICTED": "0", "SDQ_SCORE": "10"}
HEALTHY = OC2


def built(**tables) -> Ssda903:
    # Motherhood is asked of children looked after in the year, not of care leavers alone.
    leaver_only = tables.get("OC3") and not tables.get("Episodes")
    tables.setdefault("Header", [{**GIRL, "MOTHER": "" if leaver_only else "0"}])
    # A child with OC2 data alone has been looked after all year, from May 2024.
    if tables.get("OC2") and not tables.get("Episodes") and not tables.get("OC3"):
        known = {h["CHILD"] for h in tables["Header"]}
        children = sorted(known & {o["CHILD"] for o in tables["OC2"]})
        tables["Episodes"] = [{**EPISODE, "CHILD": c, "DECOM": "01/05/2024"} for c in children]
    # A child who started to be looked after in the year has a previous permanence row.
    known = {h["CHILD"] for h in tables["Header"]}
    started = known & {
        e["CHILD"]
        for e in tables.get("Episodes", [])
        if e.get("RNE") == "S" and e["DECOM"][-4:] + e["DECOM"][3:5] >= "202504"
    }
    tables.setdefault("PrevPerm", [{"CHILD": c, "PREV_PERM": "Z1"} for c in sorted(started)])
    full = {
        name: [{c: "" for c in columns} | row for row in tables.get(name, [])]
        for name, columns in COLUMNS.items()
    }
    ret = Ssda903(lists=for_year(2026), tables=full, person_of={})
    # ...and a child looked after all year has its OC2 row.
    if "OC2" not in tables:
        dob = {h["CHILD"]: h["DOB"] for h in tables["Header"]}
        cohort = sorted(looked_after_all_year(ret) & set(dob))
        ret.tables["OC2"] = [{c: "" for c in COLUMNS["OC2"]} | oc2_for(c, dob[c]) for c in cohort]
    return ret


# (rule, passing tables, failing tables): the failing case must fail that rule, and only it.
CASES = [
    ("101", {}, {"Header": [{**GIRL, "SEX": "2", "MOTHER": "0"}]}),
    ("103", {}, {"Header": [{**GIRL, "ETHNIC": "White British", "MOTHER": "0"}]}),
    (
        "143",
        {"Episodes": [EPISODE]},
        {"Episodes": [{**EPISODE, "DECOM": "01/05/2024", "RNE": "Z"}]},
    ),
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
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "NO", "ACTIV": "0", "ACCOM": "0"}]},
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "YES", "ACTIV": "F3", "ACCOM": "B1"}]},
    ),
    (
        "133",
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "Z1"}]},
        {"OC3": [{"CHILD": "A1", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "Z3"}]},
    ),
    (
        "196",
        {"OC2": [{**OC2, "SDQ_SCORE": "", "SDQ_REASON": "SDQ2"}]},
        {"OC2": [{**OC2, "SDQ_SCORE": "", "SDQ_REASON": "SDQ9"}]},
    ),
    (
        "631",
        {"Episodes": [EPISODE], "PrevPerm": [{"CHILD": "A1", "PREV_PERM": "Z1"}]},
        {
            "Episodes": [EPISODE],
            "PrevPerm": [
                {"CHILD": "A1", "PREV_PERM": "P9", "LA_PERM": "800", "DATE_PERM": "01/01/2020"}
            ],
        },
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
        {"Header": [{**TODDLER, "MOTHER": "0"}], "OC2": [TODDLER_OC2]},
        {"Header": [{**TODDLER, "MOTHER": "0"}], "OC2": [{**TODDLER_OC2, "SDQ_REASON": "SDQ1"}]},
    ),
    (
        "542",
        {"Header": [{**TODDLER, "MOTHER": "0"}], "OC2": [TODDLER_OC2]},
        {"Header": [{**TODDLER, "MOTHER": "0"}], "OC2": [{**TODDLER_OC2, "CONVICTED": "0"}]},
    ),
    ("546", {"OC2": [HEALTHY]}, {"OC2": [{**HEALTHY, "HEALTH_CHECK": "1"}]}),
    (
        "192",
        {"OC2": [{**OC2, **MISUSE, "INTERVENTION_RECEIVED": "1"}]},
        {"OC2": [{**OC2, **MISUSE}]},
    ),
    (
        "158",
        {"OC2": [{**OC2, **MISUSE, "INTERVENTION_RECEIVED": "0", "INTERVENTION_OFFERED": "1"}]},
        {"OC2": [{**OC2, **MISUSE, "INTERVENTION_RECEIVED": "1", "INTERVENTION_OFFERED": "0"}]},
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


# Rules added with the CIN work (issue 7, second round).
LEAVER = {"CHILD": "A1", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"}
MISSING = {"CHILD": "A1", "MISSING": "M", "MIS_START": "05/06/2025"}
WORKER = {"CHILD": "A1", "SW_ID": "SW1234", "SW_DECOM": "01/05/2025", "SW_REASON": "MANAGE"}
MOTHER = {**GIRL, "MOTHER": "1", "MC_DOB": "01/01/2025"}
ENDED = {**EPISODE, "DEC": "01/07/2025", "REC": "X1", "REASON_PLACE_CHANGE": "CARPL"}
MOVED = {**EPISODE, "DECOM": "01/07/2025", "RNE": "P", "PL_POST": "TW1 2NE"}


def header(**changes):
    return {"Header": [{**GIRL, "MOTHER": "0", **changes}]}


def episode(**changes):
    return {"Episodes": [{**EPISODE, **changes}]}


CASES += [
    ("102", {}, header(DOB="31/02/2012")),
    ("141", {"Episodes": [EPISODE]}, episode(DECOM="2025-05-01")),
    ("147", episode(DEC="31/05/2025", REC="E4A"), episode(DEC="32/05/2025", REC="E4A")),
    (
        "166",
        {"Reviews": [{"CHILD": "A1", "REVIEW": "01/06/2025", "REVIEW_CODE": "PN1"}]},
        {"Reviews": [{"CHILD": "A1", "REVIEW": "", "REVIEW_CODE": "PN1"}]},
    ),
    ("1004", {"Missing": [MISSING]}, {"Missing": [{**MISSING, "MIS_START": "31/02/2025"}]}),
    (
        "1005",
        {"Missing": [{**MISSING, "MIS_END": "30/06/2025"}]},
        {"Missing": [{**MISSING, "MIS_END": "31/06/2025"}]},
    ),
    (
        "1006",
        {"Missing": [{**MISSING, "MISSING": "A"}]},
        {"Missing": [{**MISSING, "MISSING": "X"}]},
    ),
    (
        "SW13STG1",
        {"SWEpisodes": [WORKER]},
        {"SWEpisodes": [{**WORKER, "SW_REASON": "XXXXXX"}]},
    ),
    ("178", episode(PLACE_PROVIDER="PR4"), episode(PLACE_PROVIDER="PR9")),
    ("180", {"OC2": [{**OC2, "SDQ_SCORE": "40"}]}, {"OC2": [{**OC2, "SDQ_SCORE": "41"}]}),
    ("148", episode(DEC="01/06/2025", REC="E4A"), episode(DEC="01/06/2025")),
    ("142", {"Episodes": [ENDED, MOVED]}, {"Episodes": [EPISODE, MOVED]}),
    ("435", {"Episodes": [ENDED, MOVED]}, {"Episodes": [ENDED, {**MOVED, "LS": "C1"}]}),
    ("504", {"Episodes": [ENDED, MOVED]}, {"Episodes": [ENDED, {**MOVED, "CIN": "N2"}]}),
    (
        "435",
        {"Episodes": [ENDED, {**MOVED, "PL_POST": "TW1 2DA", "PLACE_PROVIDER": "PR2"}]},
        {"Episodes": [ENDED, {**MOVED, "PL_POST": "TW1 2DA"}]},
    ),
    (
        "501",
        {"Episodes": [ENDED, MOVED]},
        {"Episodes": [{**ENDED, "DEC": "01/08/2025"}, MOVED]},
    ),
    ("356", episode(DEC="02/05/2025", REC="E4A"), episode(DEC="30/04/2025", REC="E4A")),
    ("354", episode(DEC="31/03/2026", REC="E4A"), episode(DEC="01/04/2026", REC="E4A")),
    (
        "353",
        {**header(DOB="01/01/1980"), **episode(DECOM="14/10/1991", DEC="01/01/1992", REC="E4A")},
        {**header(DOB="01/01/1980"), **episode(DECOM="13/10/1991", DEC="01/01/1992", REC="E4A")},
    ),
    ("301", header(DOB="31/03/2026"), header(DOB="01/04/2026")),
    ("302", episode(DECOM="01/06/2012"), episode(DECOM="01/05/2011")),
    (
        "352",
        {**header(DOB="02/05/2007"), **episode(DEC="01/06/2025", REC="E4A")},
        {**header(DOB="01/06/2005"), **episode(DEC="01/06/2025", REC="E4A")},
    ),
    (
        "460",
        {**header(DOB="01/06/2007"), **episode(DEC="01/06/2025", REC="E17")},
        episode(DEC="01/06/2025", REC="E17"),
    ),
    ("527", episode(PLACE_PROVIDER="PR1"), episode(PLACE="P1", PLACE_PROVIDER="PR1")),
    ("528", episode(PLACE_PROVIDER="PR2"), episode(PLACE="P1", PLACE_PROVIDER="PR2")),
    ("529", episode(PLACE="R1", PLACE_PROVIDER="PR3"), episode(PLACE_PROVIDER="PR3")),
    ("530", episode(PLACE_PROVIDER="PR4"), episode(PLACE="P1", PLACE_PROVIDER="PR4")),
    ("531", episode(PLACE_PROVIDER="PR5"), episode(PLACE="P1", PLACE_PROVIDER="PR5")),
    ("550", episode(PLACE="P1", PLACE_PROVIDER="PR0"), episode(PLACE_PROVIDER="PR0")),
    (
        "567",
        {"Missing": [{**MISSING, "MIS_END": "05/06/2025"}]},
        {"Missing": [{**MISSING, "MIS_END": "04/06/2025"}]},
    ),
    (
        "570",
        {"Missing": [{**MISSING, "MIS_START": "31/03/2026"}]},
        {"Missing": [{**MISSING, "MIS_START": "01/04/2026"}]},
    ),
    (
        "586",
        {"Missing": [{**MISSING, "MIS_START": "01/06/2012"}]},
        {"Missing": [{**MISSING, "MIS_START": "01/01/2012"}]},
    ),
    ("174", header(SEX="M", MOTHER=""), header(SEX="M", MOTHER="", MC_DOB="01/01/2025")),
    ("611", {"Header": [MOTHER]}, {"Header": [{**MOTHER, "MC_DOB": ""}]}),
    ("612", {"Header": [MOTHER]}, {"Header": [{**MOTHER, "MOTHER": "0"}]}),
    ("620", {"Header": [MOTHER]}, {"Header": [{**MOTHER, "DOB": "01/06/2015"}]}),
    ("621", {"Header": [MOTHER]}, {"Header": [{**MOTHER, "MC_DOB": "01/01/2010"}]}),
    (
        "SW02STG1",
        {"SWEpisodes": [{**WORKER, "SW_ID": "XX1234"}]},
        {"SWEpisodes": [{**WORKER, "SW_ID": "AB1234"}]},
    ),
    (
        "SW18STG2",
        {"SWEpisodes": [{**WORKER, "SW_DEC": "01/07/2025"}]},
        {"SWEpisodes": [{**WORKER, "SW_DEC": "30/04/2025"}]},
    ),
]
# Care leavers: an 18-year-old (birthday 10 January 2026) who left care before the year.
LEFT = {"CHILD": "A1", "SEX": "F", "DOB": "10/01/2008", "ETHNIC": "WBRI", "UPN": "UN5"}
LEFT_OC3 = {"CHILD": "A1", "DOB": "10/01/2008", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "D1"}
AT_17 = {**LEFT, "DOB": "10/01/2009"}  # 17 on 10 January 2026


def leaver(*, header=None, episodes=(), **oc3):
    """A care leaver's tables: looked after in the year if `episodes` are given."""
    mother = "0" if episodes else ""
    tables = {
        "Header": [{**(header or LEFT), "MOTHER": mother}],
        "OC3": [{**LEFT_OC3, "DOB": (header or LEFT)["DOB"], **oc3}],
    }
    if episodes:
        tables["Episodes"] = [{**EPISODE, **e} for e in episodes]
    return tables


STILL_IN = {"DECOM": "01/05/2025"}
LEFT_BEFORE = {"DECOM": "01/05/2025", "DEC": "01/12/2025", "REC": "E5"}
CASES += [
    ("344", leaver(IN_TOUCH="DIED", ACTIV="0", ACCOM="0"), leaver(IN_TOUCH="DIED")),
    ("345", leaver(), leaver(ACTIV="0")),
    (
        "391",
        leaver(),
        leaver(header={**LEFT, "DOB": "01/06/2012"}),
    ),
    ("3001", leaver(header=AT_17, ACCOM="D1"), leaver(header=AT_17, ACCOM="Z1")),
    ("1007", leaver(episodes=[LEFT_BEFORE]), leaver(header=AT_17, episodes=[STILL_IN])),
    (
        "1016",
        leaver(episodes=[LEFT_BEFORE]),
        leaver(episodes=[{**LEFT_BEFORE, "DEC": "10/01/2026"}]),
    ),
    ("1000", leaver(episodes=[LEFT_BEFORE]), leaver(episodes=[{**LEFT_BEFORE, "REC": "E2"}])),
    ("1011", leaver(episodes=[LEFT_BEFORE]), leaver(episodes=[{**LEFT_BEFORE, "REC": "E3"}])),
    (
        "215",
        leaver(),
        {**leaver(), "OC2": [{"CHILD": "A1", "DOB": LEFT["DOB"], "IMMUNISATIONS": "1"}]},
    ),
    (
        "628",
        leaver(),
        {**leaver(), "Header": [{**LEFT, "MOTHER": "0"}]},
    ),
    (
        "1014",
        {**leaver(episodes=[LEFT_BEFORE]), "UASC": [{"CHILD": "A1", "SEX": "F"}]},
        {**leaver(), "UASC": [{"CHILD": "A1", "SEX": "F"}]},
    ),
    (
        "134",
        {**leaver(), "AD1": [{"CHILD": "A1"}]},
        {**leaver(), "AD1": [{"CHILD": "A1", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"}]},
    ),
    ("INT15", leaver(), leaver(DOB="11/01/2008")),
    (
        "INT21",
        {"UASC": [{"CHILD": "A1", "SEX": "F"}]},
        {"UASC": [{"CHILD": "A1", "SEX": "M"}]},
    ),
]

# Each table's rows must be of a child in the Header; the once-a-child tables hold one row each.
ROW_OF = {
    "AD1": {"CHILD": "A1"},
    "PlacedAdoption": {"CHILD": "A1"},
    "Episodes": EPISODE,
    "Missing": MISSING,
    "OC2": OC2,
    "OC3": LEAVER,
    "PrevPerm": {"CHILD": "A1", "PREV_PERM": "Z1"},
    "Reviews": {"CHILD": "A1", "REVIEW": "01/06/2025", "REVIEW_CODE": "PN1"},
    "UASC": {"CHILD": "A1", "SEX": "F", "DOB": "01/06/2012"},
}
CASES += [
    (code, {table: [ROW_OF[table]]}, {table: [{**ROW_OF[table], "CHILD": "B2"}]})
    for code, table in zip(
        ["INT01", "INT02", "INT03", "INT04", "INT05", "INT06", "INT07", "INT08", "INT09"],
        ROW_OF,
        strict=True,
    )
]
CASES += [
    (code, {table: [row]}, {table: [row, row]})
    for code, table, row in [
        ("INT31", "AD1", ROW_OF["AD1"]),
        ("INT32", "Header", {**GIRL, "MOTHER": "0"}),
        ("INT33", "OC2", OC2),
        ("INT34", "OC3", LEAVER),
        ("INT35", "PrevPerm", ROW_OF["PrevPerm"]),
        ("INT36", "UASC", ROW_OF["UASC"]),
    ]
]
# Each table's DOB is the Header's (01/06/2012).
CASES += [
    (
        code,
        {table: [{**ROW_OF[table], "DOB": GIRL["DOB"]}]},
        {table: [{**ROW_OF[table], "DOB": "02/06/2012"}]},
    )
    for code, table in [
        ("INT11", "AD1"),
        ("INT12", "PlacedAdoption"),
        ("INT13", "Missing"),
        ("INT14", "OC2"),
        ("INT16", "PrevPerm"),
        ("INT17", "Reviews"),
        ("INT18", "UASC"),
    ]
]


# Episode sequences (issue 7, third round).
TEMP = {**EPISODE, "DECOM": "01/05/2024", "RNE": "P", "PLACE": "T1", "PLACE_PROVIDER": ""}
CASES += [
    ("357", {"Episodes": [EPISODE]}, episode(RNE="P")),
    ("431", {"Episodes": [ENDED, MOVED]}, {"Episodes": [ENDED, {**MOVED, "RNE": "S"}]}),
    ("432", {"Episodes": [ENDED, MOVED]}, {"Episodes": [{**ENDED, "REC": "E4A"}, MOVED]}),
    (
        "433",
        {"Episodes": [ENDED, MOVED]},
        {"Episodes": [ENDED, {**MOVED, "DECOM": "02/07/2025"}]},
    ),
    (
        "434",
        {"Episodes": [ENDED, {**EPISODE, "DECOM": "01/07/2025", "RNE": "L", "LS": "C1"}]},
        {"Episodes": [ENDED, {**EPISODE, "DECOM": "01/07/2025", "RNE": "L"}]},
    ),
    (
        "436",
        {"Episodes": [ENDED, {**MOVED, "RNE": "U", "LS": "C1"}]},
        {"Episodes": [ENDED, {**MOVED, "RNE": "U"}]},
    ),
    (
        "437",
        {"Episodes": [{**ENDED, "REC": "E4A"}, {**MOVED, "RNE": "S", "DECOM": "02/07/2025"}]},
        {"Episodes": [{**ENDED, "REC": "E15"}, {**MOVED, "RNE": "S", "DECOM": "02/07/2025"}]},
    ),
    ("380", {"Episodes": [TEMP]}, {"Episodes": [{**TEMP, "RNE": "S"}]}),
    ("381", {"Episodes": [TEMP]}, {"Episodes": [{**TEMP, "DEC": "01/06/2024", "REC": "E4A"}]}),
    ("388", {"Episodes": [ENDED, MOVED]}, {"Episodes": [ENDED]}),
    (
        "386",
        {**header(DOB="01/06/2007"), **episode(DEC="31/05/2025", REC="E11")},
        {**header(DOB="01/06/2007"), **episode(DEC="01/06/2025", REC="E11")},
    ),
    (
        "387",
        {**header(DOB="01/06/2010"), **episode(DEC="01/06/2025", REC="E5")},
        episode(DEC="01/06/2025", REC="E5"),
    ),
    (
        "389",
        {**header(DOB="01/06/2008"), **episode(DEC="01/06/2025", REC="E7")},
        episode(DEC="01/06/2025", REC="E7"),
    ),
    (
        "407",
        {**header(DOB="01/06/2007"), **episode(DEC="01/06/2025", REC="E45")},
        {**header(DOB="01/06/2007"), **episode(DEC="02/06/2025", REC="E45")},
    ),
    ("358", episode(LS="J1"), {**header(DOB="01/05/2015"), **episode(LS="J1")}),
]

# Adoption: fostered from May, placed for adoption under a placement order in September,
# adopted in December 2025; the decision to place was made on 1 June.
FOSTERED = {**ENDED, "DEC": "01/09/2025"}
PLACED = {**EPISODE, "DECOM": "01/09/2025", "RNE": "B", "LS": "E1", "PLACE": "A4"}
AD1 = {
    "CHILD": "A1",
    "DATE_INT": "01/06/2025",
    "DATE_MATCH": "01/08/2025",
    "FOSTER_CARE": "0",
    "NB_ADOPTR": "2",
    "SEX_ADOPTR": "MF",
    "LS_ADOPTR": "L11",
}
DECIDED = {"CHILD": "A1", "DATE_PLACED": "01/06/2025"}
REVERSED = {**DECIDED, "DATE_PLACED_CEASED": "01/02/2026", "REASON_PLACED_CEASED": "RD1"}


def adoption(ad1=None, decided=None, placed=None, fostered=None, **tables):
    """The adopted child's tables, with changes to its AD1, decision and episodes."""
    return {
        "Episodes": [
            {**FOSTERED, **(fostered or {})},
            {**PLACED, "DEC": "01/12/2025", "REC": "E11", **(placed or {})},
        ],
        "AD1": [{**AD1, **(ad1 or {})}],
        "PlacedAdoption": [{**DECIDED, **(decided or {})}],
        **tables,
    }


def adopters(**ad1):
    return adoption(ad1={"NB_ADOPTR": "2", **ad1})


FOSTERED_JULY = ENDED
PLACED_JULY = {**PLACED, "DECOM": "01/07/2025", "RNE": "P", "LS": "C2"}
CASES += [
    ("176", adoption(), adoption(ad1={"SEX_ADOPTR": "XY"})),
    ("177", adoption(), adoption(ad1={"LS_ADOPTR": "L9"})),
    (
        "120",
        {"PlacedAdoption": [REVERSED]},
        {"PlacedAdoption": [{**REVERSED, "REASON_PLACED_CEASED": "RD9"}]},
    ),
    ("112", adoption(), adoption(ad1={"DATE_INT": "31/02/2025"})),
    ("113", adoption(), adoption(ad1={"DATE_MATCH": "32/08/2025"})),
    ("114", adoption(), adoption(ad1={"FOSTER_CARE": "2"})),
    ("115", adoption(), adoption(decided={"DATE_PLACED": "31/02/2025"})),
    (
        "116",
        {"PlacedAdoption": [REVERSED]},
        {"PlacedAdoption": [{**REVERSED, "DATE_PLACED_CEASED": "30/02/2026"}]},
    ),
    (
        "119",
        {"PlacedAdoption": [REVERSED]},
        {"PlacedAdoption": [{**REVERSED, "REASON_PLACED_CEASED": ""}]},
    ),
    ("151", adoption(), adoption(ad1={"NB_ADOPTR": ""})),
    (
        "184",
        {"PlacedAdoption": [{**REVERSED, "DOB": GIRL["DOB"]}]},
        {"PlacedAdoption": [{**REVERSED, "DOB": GIRL["DOB"], "DATE_PLACED": "01/05/2012"}]},
    ),
    (
        "333",
        adoption(),
        adoption(ad1={"DATE_INT": "01/09/2025"}, decided={"DATE_PLACED": "01/09/2025"}),
    ),
    ("511", adopters(SEX_ADOPTR="MF"), adopters(SEX_ADOPTR="M1", LS_ADOPTR="L0")),
    ("514", adopters(SEX_ADOPTR="M1", NB_ADOPTR="1", LS_ADOPTR="L0"), adopters(LS_ADOPTR="L0")),
    ("517", adopters(LS_ADOPTR="L3"), adopters(SEX_ADOPTR="MM", LS_ADOPTR="L3")),
    ("518", adopters(SEX_ADOPTR="MM", LS_ADOPTR="L4"), adopters(LS_ADOPTR="L4")),
    (
        "519",
        adopters(SEX_ADOPTR="FF", LS_ADOPTR="L2"),
        adopters(SEX_ADOPTR="M1", NB_ADOPTR="1", LS_ADOPTR="L2"),
    ),
    ("520", adopters(), adopters(SEX_ADOPTR="MM")),
    ("524", adopters(SEX_ADOPTR="FF", LS_ADOPTR="L12"), adopters(LS_ADOPTR="L12")),
    (
        "522",
        {"PlacedAdoption": [REVERSED]},
        {"PlacedAdoption": [{**REVERSED, "DATE_PLACED_CEASED": "31/05/2025"}]},
    ),
    (
        "525",
        adoption(),
        adoption(decided={**REVERSED, "DATE_PLACED_CEASED": "01/11/2025"}),
    ),
    ("601", adoption(), {**adoption(), "AD1": [{"CHILD": "A1"}]}),
    ("602", adoption(), {"AD1": [AD1]}),
    ("331", adoption(), adoption(ad1={"DATE_MATCH": "02/09/2025"})),
    ("335", adoption(), adoption(ad1={"FOSTER_CARE": "1"})),
    ("523", adoption(), adoption(decided={"DATE_PLACED": "02/06/2025"})),
    (
        "551",
        {"Episodes": [FOSTERED_JULY, PLACED_JULY], "PlacedAdoption": [DECIDED]},
        {"Episodes": [FOSTERED_JULY, PLACED_JULY]},
    ),
    (
        "552",
        {"Episodes": [FOSTERED_JULY, PLACED_JULY], "PlacedAdoption": [DECIDED]},
        {
            "Episodes": [FOSTERED_JULY, PLACED_JULY],
            "PlacedAdoption": [{**DECIDED, "DATE_PLACED": "02/07/2025"}],
        },
    ),
    (
        "553",
        {**episode(LS="E1"), "PlacedAdoption": [{**DECIDED, "DATE_PLACED": "01/05/2025"}]},
        episode(LS="E1"),
    ),
    (
        "554",
        {**episode(LS="E1"), "PlacedAdoption": [{**DECIDED, "DATE_PLACED": "01/05/2025"}]},
        {**episode(LS="E1"), "PlacedAdoption": [{**DECIDED, "DATE_PLACED": "02/05/2025"}]},
    ),
]

# Placed for adoption in July, then the plan changed: left care in October, not adopted.
LEFT_PLACED = [FOSTERED_JULY, {**PLACED_JULY, "DEC": "01/10/2025", "REC": "E4A"}]
CHANGED = {**DECIDED, "DATE_PLACED_CEASED": "01/10/2025", "REASON_PLACED_CEASED": "RD1"}
FIRST = {**DECIDED, "DATE_PLACED": "01/05/2025", "DATE_PLACED_CEASED": "15/05/2025"}
FIRST["REASON_PLACED_CEASED"] = "RD1"
CASES += [
    (
        "334",
        adoption(),
        adoption(ad1={"DATE_INT": "30/04/2025"}, decided={"DATE_PLACED": "30/04/2025"}),
    ),
    ("336", adoption(), adoption(fostered={"PLACE": "R1"})),
    (
        "521",
        adoption(),
        adoption(
            ad1={"DATE_INT": "02/09/2025", "DATE_MATCH": "02/09/2025"},
            decided={"DATE_PLACED": "02/09/2025"},
        ),
    ),
    (
        "557",
        {"Episodes": LEFT_PLACED, "PlacedAdoption": [CHANGED]},
        {"Episodes": LEFT_PLACED, "PlacedAdoption": [DECIDED]},
    ),
    (
        "558",
        {"Episodes": adoption()["Episodes"], "PlacedAdoption": [FIRST]},
        {
            "Episodes": adoption()["Episodes"],
            "PlacedAdoption": [FIRST, {**CHANGED, "DATE_PLACED_CEASED": "01/11/2025"}],
        },
    ),
    (
        "563",
        {"PlacedAdoption": [REVERSED]},
        {"PlacedAdoption": [{**REVERSED, "DATE_PLACED": ""}]},
    ),
    (
        "579",
        {"PlacedAdoption": [FIRST, REVERSED]},
        {"PlacedAdoption": [FIRST, {**REVERSED, "DATE_PLACED": "10/05/2025"}]},
    ),
    (
        "583",
        {"PlacedAdoption": [FIRST, REVERSED]},
        {
            "PlacedAdoption": [
                {**FIRST, "DATE_PLACED_CEASED": "", "REASON_PLACED_CEASED": ""},
                REVERSED,
            ]
        },
    ),
    ("582", adoption(), adoption(ad1={"DATE_MATCH": "01/12/2025"})),
    (
        "117",
        {"Episodes": LEFT_PLACED, "PlacedAdoption": [CHANGED]},
        {
            "Episodes": LEFT_PLACED,
            "PlacedAdoption": [{**CHANGED, "DATE_PLACED_CEASED": "02/10/2025"}],
        },
    ),
    (
        "118",
        {"Episodes": LEFT_PLACED, "PlacedAdoption": [CHANGED]},
        {
            "Episodes": LEFT_PLACED,
            "PlacedAdoption": [
                {**CHANGED, "DATE_PLACED": "01/04/2025", "DATE_PLACED_CEASED": "30/04/2025"}
            ],
        },
    ),
]

UASC = {"CHILD": "A1", "SEX": "F", "DOB": "01/06/2012"}
ADULT = {"CHILD": "A1", "SEX": "F", "DOB": "01/06/2007"}
LEFT_JUNE = episode(DEC="01/06/2025", REC="E4A")
CASES += [
    (
        "104",
        {"UASC": [{**UASC, "DUC": "01/04/2025"}]},
        {"UASC": [{**UASC, "DUC": "31/03/2025"}]},
    ),
    (
        "304",
        {**header(DOB="01/06/2007"), "UASC": [{**ADULT, "DUC": "01/06/2025"}]},
        {**header(DOB="01/06/2007"), "UASC": [{**ADULT, "DUC": "02/06/2025"}]},
    ),
    ("165", {**header(), **episode()}, {**header(MOTHER="2"), **episode()}),
    ("168", header(UPN="A123456789012"), header(UPN="I123456789012")),
    ("171", {"Header": [MOTHER]}, {"Header": [{**MOTHER, "MC_DOB": "31/02/2025"}]}),
    ("232", header(), header(SEX="U")),
    ("442", {**header(), **episode()}, {**header(UPN=""), **episode()}),
    (
        "444",
        {"Header": [{**GIRL, "MOTHER": "0"}, {**GIRL, "CHILD": "B2", "UPN": "A123456789012"}]},
        {
            "Header": [
                {**GIRL, "MOTHER": "0", "UPN": "A123456789012"},
                {**GIRL, "CHILD": "B2", "UPN": "A123456789012"},
            ]
        },
    ),
    (
        "625",
        {"Header": [{**MOTHER, "MC_DOB": "01/06/2025"}], **LEFT_JUNE},
        {"Header": [{**MOTHER, "MC_DOB": "02/06/2025"}], **LEFT_JUNE},
    ),
    ("607", {**header(), **LEFT_JUNE}, {**header(MOTHER=""), **LEFT_JUNE}),
]

SHORT_BREAK = {**EPISODE, "LS": "V3", "PLACE": "U3", "DEC": "05/05/2025", "REC": "E13"}
SHORT_BREAK.update(PL_POST="", URN="")
# Mothers are not asked of children on short breaks alone (DfE rule 399).
ON_BREAK = header(MOTHER="")


def temporary(place: str, ended: str) -> dict:
    """A temporary placement from 1 May 2024, back to the usual placement on `ended`."""
    return {
        "Episodes": [
            {**TEMP, "PLACE": place, "DEC": ended, "REC": "X1"},
            {**EPISODE, "DECOM": ended, "RNE": "P"},
        ]
    }


def placed_at(place: str, dob: str, **changes) -> dict:
    return {**header(DOB=dob), **episode(PLACE=place, DEC="01/06/2025", REC="E4A", **changes)}


ADOPTION_2024 = {"PlacedAdoption": [{**DECIDED, "DATE_PLACED": "01/05/2024"}]}
CASES += [
    (
        "213",
        {"Episodes": [TEMP]},
        {"Episodes": [{**TEMP, "PLACE": "T4", "PLACE_PROVIDER": "PR1"}]},
    ),
    ("526", episode(), episode(PLACE_PROVIDER="")),
    (
        "214",
        {**ON_BREAK, "Episodes": [SHORT_BREAK]},
        {**ON_BREAK, "Episodes": [{**SHORT_BREAK, "URN": "XXXXXXX"}]},
    ),
    (
        "365",
        {**ON_BREAK, "Episodes": [SHORT_BREAK]},
        {**ON_BREAK, "Episodes": [{**SHORT_BREAK, "DEC": "19/05/2025"}]},
    ),
    (
        "217",
        {**episode(PLACE="A3", DECOM="01/05/2024"), **ADOPTION_2024},
        {**episode(PLACE="A3", DECOM="01/05/2024", RNE="P"), **ADOPTION_2024},
    ),
    (
        "225",
        {"Episodes": [ENDED, MOVED]},
        {"Episodes": [{**ENDED, "REASON_PLACE_CHANGE": ""}, MOVED]},
    ),
    ("226", {"Episodes": [TEMP]}, {"Episodes": [{**TEMP, "REASON_PLACE_CHANGE": "CARPL"}]}),
    (
        "234",
        episode(REASON_PLACE_CHANGE="CUSTOD"),
        {**header(DOB="01/06/2016"), **episode(REASON_PLACE_CHANGE="CUSTOD")},
    ),
    ("175", adoption(), adoption(ad1={"NB_ADOPTR": "3"})),
    (
        "359",
        {**header(DOB="01/06/2007"), **episode(LS="V2", PLACE="K2")},
        {**header(DOB="01/06/2007"), **episode()},
    ),
    ("371", placed_at("K3", "01/01/2009"), placed_at("K3", "01/06/2009")),
    (
        "372",
        placed_at("R5", "01/01/2015", PLACE_PROVIDER="PR4"),
        placed_at("R5", "01/06/2015", PLACE_PROVIDER="PR4"),
    ),
    ("373", placed_at("S1", "01/01/2021"), placed_at("S1", "01/06/2021")),
    ("374", placed_at("P3", "01/01/2011"), placed_at("P3", "01/06/2011")),
    ("375", temporary("T1", "12/06/2024"), temporary("T1", "13/06/2024")),
    ("376", temporary("T3", "22/05/2024"), temporary("T3", "23/05/2024")),
    ("379", temporary("T4", "08/05/2024"), temporary("T4", "09/05/2024")),
    ("351", header(DOB="01/04/2000"), header(DOB="31/03/2000")),
]

# Missing while looked after from 1 May to 1 June 2025.
MISSING_MAY = {**MISSING, "MIS_START": "05/05/2025", "MIS_END": "06/05/2025"}


def missing(**changes):
    return {**LEFT_JUNE, "Missing": [{**MISSING_MAY, **changes}]}


AWAY = {**MISSING_MAY, "MIS_START": "07/05/2025", "MIS_END": ""}
AT_18 = {**MISSING, "DOB": "01/06/2007", "MIS_START": "20/05/2025", "MIS_END": "01/06/2025"}
PERMANENCE = {"CHILD": "A1", "PREV_PERM": "P1", "LA_PERM": "800", "DATE_PERM": "01/01/2020"}
REVIEW = {"CHILD": "A1", "DOB": GIRL["DOB"], "REVIEW": "01/06/2025", "REVIEW_CODE": "PN1"}
CASES += [
    ("564", {"Missing": [MISSING]}, {"Missing": [{**MISSING, "MIS_START": ""}]}),
    ("565", {"Missing": [MISSING]}, {"Missing": [{**MISSING, "MISSING": ""}]}),
    (
        "566",
        {"Missing": [MISSING_MAY]},
        {"Missing": [{**MISSING_MAY, "MISSING": ""}]},
    ),
    (
        "571",
        {"Missing": [MISSING_MAY]},
        {"Missing": [{**MISSING_MAY, "MIS_START": "01/03/2025", "MIS_END": "31/03/2025"}]},
    ),
    (
        "574",
        {"Missing": [MISSING_MAY, AWAY]},
        {"Missing": [{**MISSING_MAY, "MIS_END": ""}, AWAY]},
    ),
    ("575", missing(), missing(MIS_END="")),
    ("577", missing(), missing(MIS_END="05/07/2025")),
    ("578", missing(), missing(MIS_START="05/07/2025", MIS_END="06/07/2025")),
    ("581", missing(), missing(MIS_START="05/04/2025", MIS_END="06/04/2025")),
    (
        "580",
        {**header(DOB="01/06/2007"), **episode(DEC="01/06/2025", REC="E8"), "Missing": [AT_18]},
        {**header(DOB="01/06/2007"), **LEFT_JUNE, "Missing": [AT_18]},
    ),
    ("630", episode(), {**episode(), "PrevPerm": []}),
    (
        "632",
        {**episode(), "PrevPerm": [PERMANENCE]},
        {**episode(), "PrevPerm": [{**PERMANENCE, "DATE_PERM": "01/05/2025"}]},
    ),
    (
        "633",
        {**episode(), "PrevPerm": [PERMANENCE]},
        {**episode(), "PrevPerm": [{**PERMANENCE, "LA_PERM": "123"}]},
    ),
    (
        "635",
        {"PrevPerm": [PERMANENCE]},
        {"PrevPerm": [{**PERMANENCE, "PREV_PERM": ""}]},
    ),
    (
        "440",
        {"Reviews": [REVIEW]},
        {"Reviews": [{**REVIEW, "REVIEW_CODE": "PN0"}]},
    ),
    (
        "441",
        {
            **header(DOB=TODDLER["DOB"]),
            "Reviews": [{**REVIEW, "DOB": TODDLER["DOB"], "REVIEW_CODE": "PN0"}],
        },
        {**header(DOB=TODDLER["DOB"]), "Reviews": [{**REVIEW, "DOB": TODDLER["DOB"]}]},
    ),
]

RECEIVED_NONE = {**OC2, **MISUSE, "INTERVENTION_RECEIVED": "0", "INTERVENTION_OFFERED": "1"}
SEVENTEEN = {"CHILD": "A1", "DOB": "31/03/2008"}  # 17 on 31 March 2025
CASES += [
    ("159", {"OC2": [RECEIVED_NONE]}, {"OC2": [{**RECEIVED_NONE, "INTERVENTION_OFFERED": ""}]}),
    ("181", {"OC2": [HEALTHY]}, {"OC2": [{**HEALTHY, "TEETH_CHECK": "2"}]}),
    ("182", {"OC2": [HEALTHY]}, {"OC2": [{**HEALTHY, "CONVICTED": "0", "TEETH_CHECK": ""}]}),
    ("193", {"OC2": [HEALTHY]}, {"OC2": [{**HEALTHY, "INTERVENTION_OFFERED": "1"}]}),
    (
        "197a",
        {"OC2": [{**OC2, "SDQ_SCORE": "10"}]},
        {"OC2": [{**OC2, "SDQ_SCORE": "10", "SDQ_REASON": "SDQ1"}]},
    ),
    (
        "189",
        {
            **header(DOB="01/04/2008"),
            "OC2": [{**OC2, "DOB": "01/04/2008"}],
        },
        {**header(DOB=SEVENTEEN["DOB"]), "OC2": [{**OC2, "DOB": SEVENTEEN["DOB"]}]},
    ),
    ("544", {"OC2": [{**OC2, "CONVICTED": "1"}]}, {"OC2": [{**BARE, "CONVICTED": "1"}]}),
    (
        "547",
        {
            **header(DOB=TODDLER["DOB"]),
            "OC2": [TODDLER_OC2],
        },
        {
            **header(DOB=TODDLER["DOB"]),
            "OC2": [{"CHILD": "A1", "DOB": TODDLER["DOB"], "HEALTH_CHECK": "1"}],
        },
    ),
]

WORKED = {**WORKER, "SW_DEC": "01/07/2025"}
NEXT_WORKER = {**WORKER, "SW_ID": "SW5678", "SW_DECOM": "01/07/2025", "SW_REASON": "LEFTRL"}
CASES += [
    ("SW04STG1", {"SWEpisodes": [WORKER]}, {"SWEpisodes": [{**WORKER, "SW_DECOM": "31/02/2025"}]}),
    ("SW05STG1", {"SWEpisodes": [WORKED]}, {"SWEpisodes": [{**WORKED, "SW_DEC": "31/02/2025"}]}),
    ("SW06STG2", {"SWEpisodes": [WORKER]}, {"SWEpisodes": [{**WORKER, "SW_DECOM": "01/04/2026"}]}),
    (
        "SW07STG2",
        {"SWEpisodes": [{**WORKER, "SW_DECOM": "01/01/2024", "SW_DEC": "01/04/2024"}]},
        {"SWEpisodes": [{**WORKER, "SW_DECOM": "01/01/2024", "SW_DEC": "31/03/2024"}]},
    ),
    ("SW08STG2", {"SWEpisodes": [WORKED, NEXT_WORKER]}, {"SWEpisodes": [WORKER, NEXT_WORKER]}),
    (
        "SW09STG2",
        {"SWEpisodes": [{**WORKER, "SW_DEC": "04/05/2025"}]},
        {"SWEpisodes": [{**WORKER, "SW_DEC": "03/05/2025"}]},
    ),
    (
        "SW10STG2",
        {"SWEpisodes": [WORKED, {**NEXT_WORKER, "SW_DECOM": "08/07/2025"}]},
        {"SWEpisodes": [WORKED, {**NEXT_WORKER, "SW_DECOM": "09/07/2025"}]},
    ),
    (
        "SW19STG2",
        {"SWEpisodes": [WORKED, {**NEXT_WORKER, "SW_REASON": "FCONTA"}]},
        {"SWEpisodes": [WORKED, {**NEXT_WORKER, "SW_DECOM": "01/05/2025", "SW_REASON": "FCONTA"}]},
    ),
]

SECOND_BREAK = {**SHORT_BREAK, "DECOM": "10/05/2025", "DEC": "12/05/2025"}
ORDER_2005 = {**EPISODE, "LS": "E1", "DECOM": "01/12/2005", "DEC": "01/01/2006", "REC": "E11"}
DECIDED_2005 = {"PlacedAdoption": [{**DECIDED, "DATE_PLACED": "01/12/2005"}]}
CASES += [
    (
        "366",
        {**ON_BREAK, "Episodes": [SHORT_BREAK]},
        {
            **ON_BREAK,
            "Episodes": [{**SHORT_BREAK, "DECOM": "01/05/2024", "DEC": "05/05/2024", "RNE": "P"}],
        },
    ),
    (
        "382",
        {**ON_BREAK, "Episodes": [SHORT_BREAK]},
        {**ON_BREAK, "Episodes": [{**SHORT_BREAK, "PLACE": "T1", "PLACE_PROVIDER": ""}]},
    ),
    (
        "384",
        {**ON_BREAK, "Episodes": [SHORT_BREAK]},
        {**ON_BREAK, "Episodes": [{**SHORT_BREAK, "PLACE": "U4"}]},
    ),
    (
        "426",
        {**ON_BREAK, "Episodes": [SHORT_BREAK, SECOND_BREAK]},
        {**ON_BREAK, "Episodes": [SHORT_BREAK, {**SECOND_BREAK, "LS": "V4"}]},
    ),
    ("399", {**ON_BREAK, "Episodes": [SHORT_BREAK]}, {**header(), "Episodes": [SHORT_BREAK]}),
    (
        "446",
        {**header(DOB="01/01/2004"), "Episodes": [ORDER_2005], **DECIDED_2005},
        {
            **header(DOB="01/01/2004"),
            "Episodes": [{**ORDER_2005, "DECOM": "30/11/2005"}],
            "PlacedAdoption": [{**DECIDED, "DATE_PLACED": "30/11/2005"}],
        },
    ),
]

BEFORE_HOSPITAL = {**ENDED, "REASON_PLACE_CHANGE": ""}  # not asked before a temporary placement
IN_HOSPITAL = {**TEMP, "DECOM": "01/07/2025", "DEC": "10/07/2025", "REC": "X1"}
BACK = {**EPISODE, "DECOM": "10/07/2025", "RNE": "P"}
CASES += [
    (
        "378",
        episode(PLACE="P1", PLACE_PROVIDER="PR0"),
        episode(PLACE="P1", PLACE_PROVIDER="PR0", LS="V2"),
    ),
    ("408", adoption(placed={"PLACE": "A6"}), adoption(placed={"PLACE": "A6", "LS": "D1"})),
    (
        "383",
        {"Episodes": [BEFORE_HOSPITAL, IN_HOSPITAL, BACK]},
        {"Episodes": [BEFORE_HOSPITAL, IN_HOSPITAL, {**BACK, "PL_POST": "TW1 2NE"}]},
    ),
]

CASES += [
    (code, episode(LS=status, DEC=within, REC="E13"), episode(LS=status, DEC=over, REC="E13"))
    for code, status, within, over in [
        ("361", "L1", "04/05/2025", "05/05/2025"),
        ("362", "L2", "22/05/2025", "23/05/2025"),
        ("363", "L3", "08/05/2025", "09/05/2025"),
        ("364", "J2", "22/05/2025", "23/05/2025"),
    ]
]


def breaks(n: int) -> dict:
    """`n` short breaks of 15 days, a month apart from May 2025."""
    return {
        **ON_BREAK,
        "Episodes": [
            {**SHORT_BREAK, "DECOM": f"01/{m:02}/2025", "DEC": f"16/{m:02}/2025"}
            for m in range(5, 5 + n)
        ],
    }


def carer_holidays(n: int) -> dict:
    """Fostered from May 2025, with `n` weeks at another carer's while the carers are away."""
    starts = [f"01/{m:02}/2025" for m in range(6, 6 + n)]
    ends = [f"08/{m:02}/2025" for m in range(6, 6 + n)]
    episodes = [{**BEFORE_HOSPITAL, "DEC": starts[0]}]
    for k, (start, end) in enumerate(zip(starts, ends, strict=True)):
        episodes.append({**IN_HOSPITAL, "PLACE": "T3", "DECOM": start, "DEC": end})
        back = {**BACK, "DECOM": end}
        episodes.append(back if k == n - 1 else {**back, "DEC": starts[k + 1], "REC": "X1"})
    return {"Episodes": episodes}


CASES += [
    (
        "1003",
        adoption(),
        adoption(ad1={"DATE_INT": "30/04/2025"}, decided={"DATE_PLACED": "30/04/2025"}),
    )
]
CASES += [("367", breaks(5), breaks(6)), ("377", carer_holidays(2), carer_holidays(3))]

# Looked after all year (OC2 and the episodes the test's return adds for it), or not.
STARTED = {"Episodes": [EPISODE]}  # started in the year: not looked after all of it
FOUR = {**header(DOB="01/06/2021")}  # 4 on 1 June 2025
CASES += [
    (
        "185",
        {**STARTED, "OC2": [{"CHILD": "A1", "DOB": OC2["DOB"]}]},
        {**STARTED, "OC2": [{"CHILD": "A1", "DOB": OC2["DOB"], "SDQ_SCORE": "10"}]},
    ),
    (
        "198",
        {**STARTED, "OC2": [{"CHILD": "A1", "DOB": OC2["DOB"]}]},
        {**STARTED, "OC2": [{"CHILD": "A1", "DOB": OC2["DOB"], "SDQ_REASON": "SDQ1"}]},
    ),
    (
        "190",
        {**STARTED, "OC2": [{"CHILD": "A1", "DOB": OC2["DOB"]}]},
        {**STARTED, "OC2": [{"CHILD": "A1", "DOB": OC2["DOB"], "IMMUNISATIONS": "1"}]},
    ),
    ("543", {"OC2": [OC2]}, {"OC2": [{**OC2, "CONVICTED": ""}]}),
    (
        "545",
        {**header(DOB=TODDLER["DOB"]), "OC2": [TODDLER_OC2]},
        {**header(DOB=TODDLER["DOB"]), "OC2": [{**TODDLER_OC2, "HEALTH_CHECK": ""}]},
    ),
    ("186", {"OC2": [OC2]}, {"OC2": [{**OC2, "SDQ_SCORE": ""}]}),
    (
        "157",
        {"OC2": [{**OC2, "SDQ_SCORE": "", "SDQ_REASON": "SDQ2"}]},
        {"OC2": [{**OC2, "SDQ_SCORE": "", "SDQ_REASON": "SDQ1"}]},
    ),
    (
        "197B",
        {**FOUR, "OC2": [oc2_for("A1", "01/06/2021")]},
        {**FOUR, "OC2": [{**oc2_for("A1", "01/06/2021"), "SDQ_SCORE": ""}]},
    ),
    ("191", episode(DECOM="01/05/2024"), {**episode(DECOM="01/05/2024"), "OC2": []}),
]

# Rules the DfE's definitions make fire together: a failing case of one also fails these.
ALSO = {
    "142": {"433"},  # the earlier episode is open, so the later cannot start on its end
    "432": {"388"},  # ended with a reason that ends care, and a new episode starts that day
    "433": {"388"},  # ended X1, the next episode starting another day
    "501": {"388", "433"},
    "112": {"333", "523"},  # an invalid date should be placed is not the decision's date
    "115": {"523"},
    "151": {"601"},  # part-completed AD1 of a child adopted in the year
    "134": {"151", "602"},  # a care leaver was not adopted in the year
    "176": {"520"},  # no legal status allows an invalid sex of adopters
    "521": {"331", "552", "554"},  # placed before the decision, matched after placing
    "583": {"579"},  # the earlier decision is still open when the next is made
    "582": {"331"},  # matched on the day of adoption, after the placement began
    "607": {"393"},  # a girl looked after in the year with no mother field
    "353": {"351"},  # looked after before October 1991, so over 25 now
    "INT03": {"630"},  # a child missing from the Header has no previous permanence row
    "SW04STG1": {"SW06STG2"},  # a start that is not a date is not within the year
    "SW05STG1": {"SW07STG2"},
    "SW08STG2": {"SW10STG2"},  # the next cannot follow within a week of an open episode
    "SW18STG2": {"SW09STG2"},  # ending before it began is less than a day
    "382": {"380", "381"},  # a short break starts and ends care; a temporary placement cannot
    "1003": {"334"},  # decided before care began, so before its latest start too
    "334": {"1003"},
    "118": {"1003"},  # reversed before care began, so decided before it too
    "INT05": {"185", "190"},  # a child missing from the Header is not looked after
    "215": {"190"},  # a care leaver was not looked after all year
    "182": {"191"},  # a health item left blank for a child looked after all year
    "544": {"182", "191"},
    "547": {"182", "191"},
    "564": {"1004"},  # a blank start date is not a date
    "566": {"565"},  # a missing episode has a start date
    "575": {"577"},  # open after the care it began in ended
    "578": {"577", "581"},  # started and ended outside the period of care
    "581": {"577", "578"},
}
# ...and where even the passing case must fail another rule.
PASSING_ALSO = {"353": {"351"}}


def test_every_rule_has_a_case():
    assert {code for code, _, _ in CASES} == set(SSDA903_RULES)


@pytest.mark.parametrize(("code", "passing", "failing"), CASES, ids=[c[0] for c in CASES])
def test_rule(code, passing, failing):
    passed = {f.code for f in validate_ssda903(built(**passing))}
    assert passed == PASSING_ALSO.get(code, set())
    failures = validate_ssda903(built(**failing))
    assert {f.code for f in failures} == {code} | ALSO.get(code, set())
    failure = [f for f in failures if f.code == code][-1]
    assert failure.child in ("A1", "B2")
    assert failure.field in SSDA903_RULES[code].fields


def test_a_rule_outside_its_years_is_not_checked():
    rule = SSDA903_RULES["144"]
    assert rule.applies_to(2026)
    assert not rule.applies_to(2020)
