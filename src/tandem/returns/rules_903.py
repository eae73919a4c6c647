"""The SSDA903 rules Tandem checks, one declaration or small function per DfE rule code, with
the DfE's messages. Codes and messages follow the DfE's validation rules (as data-to-insight's
lac validator numbers them) so a performance officer can look each one up."""

import datetime as dt
import re
from collections import Counter

from tandem.people.ages import age_on
from tandem.returns.validation import births, code_rule, day, rule

# Field validity: the field holds a code from the collection year's list.
code_rule(
    "101",
    "The child or young person's reported sex is not valid.",
    "Header",
    "SEX",
    blank_ok=False,
)
code_rule(
    "103",
    "The ethnicity code is either not valid or has not been entered.",
    "Header",
    "ETHNIC",
    blank_ok=False,
)
code_rule(
    "143",
    "The reason for new episode code is not a valid code.",
    "Episodes",
    "RNE",
    blank_ok=False,
)
code_rule("144", "The legal status code is not a valid code.", "Episodes", "LS", blank_ok=False)
code_rule("145", "Category of need code is not a valid code.", "Episodes", "CIN", blank_ok=False)
code_rule("146", "Placement type code is not a valid code.", "Episodes", "PLACE", blank_ok=False)
code_rule("149", "Reason episode ceased code is not valid.", "Episodes", "REC", list_name="REC")
code_rule(
    "1009", "Reason for placement change is not a valid code.", "Episodes", "REASON_PLACE_CHANGE"
)
code_rule(
    "167",
    "Data entry for participation is invalid or blank.",
    "Reviews",
    "REVIEW_CODE",
    blank_ok=False,
)
code_rule(
    "131",
    "Data entry for being in touch after leaving care is invalid.",
    "OC3",
    "IN_TOUCH",
    blank_ok=False,
)
code_rule(
    "132", "Data entry for activity after leaving care is invalid.", "OC3", "ACTIV", blank_ok=False
)
code_rule(
    "133",
    "Data entry for accommodation after leaving care is invalid.",
    "OC3",
    "ACCOM",
    blank_ok=False,
)
code_rule(
    "196", "Strengths and Difficulties (SDQ) reason is not a valid code.", "OC2", "SDQ_REASON"
)
code_rule(
    "176",
    "The gender of adopter(s) at the date of adoption code is not a valid code.",
    "AD1",
    "SEX_ADOPTR",
)
code_rule("177", "The legal status of adopter(s) code is not a valid code.", "AD1", "LS_ADOPTR")
code_rule(
    "120",
    "The reason for the reversal of the decision that the child should be placed "
    "for adoption code is not valid.",
    "PlacedAdoption",
    "REASON_PLACED_CEASED",
)
code_rule("631", "Previous permanence option not a valid value.", "PrevPerm", "PREV_PERM")


@rule("355", "Episode appears to have lasted for less than 24 hours", "Episodes", "DEC")
def episode_under_a_day(rows, ret):
    for i, e in enumerate(rows):
        if e["DEC"] and e["DEC"] == e["DECOM"]:
            yield i, "DEC"


@rule(
    "392d",
    "Home and placement postcodes should not be same unless the placement type is P1.",
    "Episodes",
    "PL_POST",
)
def placed_at_home(rows, ret):
    for i, e in enumerate(rows):
        if e["PLACE"] != "P1" and e["HOME_POST"] and e["HOME_POST"] == e["PL_POST"]:
            yield i, "PL_POST"


@rule("393", "Child is looked after but mother field is not completed.", "Header", "MOTHER")
def mother_missing(rows, ret):
    looked_after = {e["CHILD"] for e in ret.tables["Episodes"] if e["LS"] not in ("V3", "V4")}
    for i, h in enumerate(rows):
        if h["SEX"] == "F" and h["CHILD"] in looked_after and h["MOTHER"] == "":
            yield i, "MOTHER"


@rule(
    "209",
    "Child looked after is of school age and should not have an unknown Unique Pupil "
    "Number (UPN) code of UN1.",
    "Header",
    "UPN",
)
def school_age_un1(rows, ret):
    # School age: 4 by the 31 August before the collection year started.
    reference = ret.lists.start.replace(year=ret.lists.start.year - 1, month=8, day=31)
    for i, h in enumerate(rows):
        dob = day(h["DOB"])
        if h["UPN"] == "UN1" and dob and age_on(dob, reference) >= 4:
            yield i, "UPN"


@rule(
    "188",
    "Child is aged under 4 years at the end of the year, but a Strengths and "
    "Difficulties (SDQ) score or a reason for no SDQ score has been completed.",
    "OC2",
    "SDQ_SCORE",
)
def sdq_under_4(rows, ret):
    dob = births(ret)
    for i, o in enumerate(rows):
        born = dob.get(o["CHILD"])
        if born and age_on(born, ret.lists.end) < 4 and (o["SDQ_SCORE"] or o["SDQ_REASON"]):
            yield i, "SDQ_SCORE"


@rule(
    "542",
    "A child aged under 10 at 31 March should not have conviction information completed.",
    "OC2",
    "CONVICTED",
)
def convicted_under_10(rows, ret):
    dob = births(ret)
    for i, o in enumerate(rows):
        born = dob.get(o["CHILD"])
        if born and age_on(born, ret.lists.end) < 10 and o["CONVICTED"] != "":
            yield i, "CONVICTED"


@rule(
    "546",
    "Children aged 5 or over at 31 March should not have health promotion information completed.",
    "OC2",
    "HEALTH_CHECK",
)
def health_check_over_5(rows, ret):
    dob = births(ret)
    for i, o in enumerate(rows):
        born = dob.get(o["CHILD"])
        if born and age_on(born, ret.lists.end) >= 5 and o["HEALTH_CHECK"] != "":
            yield i, "HEALTH_CHECK"


@rule(
    "192",
    "Child has been identified as having a substance misuse problem but the additional "
    "item on whether an intervention was received has been left blank.",
    "OC2",
    "INTERVENTION_RECEIVED",
)
def misuse_without_intervention(rows, ret):
    for i, o in enumerate(rows):
        if o["SUBSTANCE_MISUSE"] == "1" and o["INTERVENTION_RECEIVED"] == "":
            yield i, "INTERVENTION_RECEIVED"


@rule(
    "158",
    "If a child has been recorded as receiving an intervention for their substance "
    "misuse problem, then the additional item on whether an intervention was offered should "
    "be left blank.",
    "OC2",
    "INTERVENTION_OFFERED",
)
def offered_after_received(rows, ret):
    for i, o in enumerate(rows):
        if o["INTERVENTION_RECEIVED"] == "1" and o["INTERVENTION_OFFERED"] != "":
            yield i, "INTERVENTION_OFFERED"


@rule(
    "634",
    "There are entries for previous permanence options, but child has not started to "
    "be looked after from 1 April 2016 onwards.",
    "PrevPerm",
    "PREV_PERM",
)
def permanence_without_a_start(rows, ret):
    latest = {}
    for e in ret.tables["Episodes"]:
        started = day(e["DECOM"])
        if started and (e["CHILD"] not in latest or started > latest[e["CHILD"]]):
            latest[e["CHILD"]] = started
    for i, p in enumerate(rows):
        started = latest.get(p["CHILD"])
        if (p["PREV_PERM"] or p["LA_PERM"] or p["DATE_PERM"]) and (
            started is not None and started < ret.lists.start
        ):
            yield i, "PREV_PERM"


# --- Dates that must be dates -----------------------------------------------------------------
def date_rule(code: str, message: str, table: str, field: str, *, blank_ok: bool) -> None:
    """`field` holds a DD/MM/YYYY date (or is blank, where the DfE allows it)."""

    def check(rows, ret):
        for i, row in enumerate(rows):
            if day(row[field]) is None and not (blank_ok and row[field] == ""):
                yield i, field

    rule(code, message, table, field)(check)


date_rule("102", "Date of birth is not a valid date.", "Header", "DOB", blank_ok=False)
date_rule("141", "Date episode began is not a valid date.", "Episodes", "DECOM", blank_ok=False)
date_rule("147", "Date episode ceased is not a valid date.", "Episodes", "DEC", blank_ok=True)
date_rule("166", "Date of review is invalid or blank.", "Reviews", "REVIEW", blank_ok=False)
date_rule(
    "1004",
    "The start date of the missing episode or episode that the child was away from placement "
    "without authorisation is not a valid date.",
    "Missing",
    "MIS_START",
    blank_ok=False,
)
date_rule(
    "1005",
    "The end date of the missing episode or episode that the child was away from placement "
    "without authorisation is not a valid date.",
    "Missing",
    "MIS_END",
    blank_ok=True,
)
code_rule("1006", "Missing type invalid.", "Missing", "MISSING")
code_rule(
    "SW13STG1", "The reason for social worker change is not valid.", "SWEpisodes", "SW_REASON"
)

# Placements that have no provider (temporary and the Z1x codes of 2025/26).
NO_PROVIDER = {"T0", "T1", "T2", "T3", "Z11", "Z12", "Z13", "Z14"}


@rule("178", "Placement provider code is not a valid code.", "Episodes", "PLACE_PROVIDER")
def provider_invalid(rows, ret):
    codes = ret.lists.codes["PLACE_PROVIDER"]
    for i, e in enumerate(rows):
        given = e["PLACE_PROVIDER"]
        if given and (given not in codes or e["PLACE"] in NO_PROVIDER):
            yield i, "PLACE_PROVIDER"


@rule(
    "180",
    "Data entry for the strengths and difficulties questionnaire (SDQ) score is invalid.",
    "OC2",
    "SDQ_SCORE",
)
def sdq_score_invalid(rows, ret):
    for i, o in enumerate(rows):
        score = o["SDQ_SCORE"]
        if score and not (score.isdigit() and 0 <= int(score) <= 40):
            yield i, "SDQ_SCORE"


@rule(
    "148",
    "Date episode ceased and reason episode ceased must both be coded, or both left blank.",
    "Episodes",
    "DEC",
)
def end_without_reason(rows, ret):
    return ((i, "DEC") for i, e in enumerate(rows) if bool(e["DEC"]) != bool(e["REC"]))


def _by_child_in_order(rows) -> dict[str, list[int]]:
    order: dict[str, list[int]] = {}
    for i, e in enumerate(rows):
        order.setdefault(e["CHILD"], []).append(i)
    for indexes in order.values():
        indexes.sort(key=lambda i: day(rows[i]["DECOM"]) or day("01/01/1900"))
    return order


@rule(
    "142", "A new episode has started, but the previous episode has not ended.", "Episodes", "DEC"
)
def earlier_episode_open(rows, ret):
    for indexes in _by_child_in_order(rows).values():
        for i in indexes[:-1]:
            if rows[i]["DECOM"] and not (rows[i]["DEC"] and rows[i]["REC"]):
                yield i, "DEC"


@rule(
    "501",
    "A new episode has started before the end date of the previous episode.",
    "Episodes",
    "DECOM",
)
def episode_overlaps_previous(rows, ret):
    for indexes in _by_child_in_order(rows).values():
        for before_, after in zip(indexes, indexes[1:], strict=False):
            ended, started = day(rows[before_]["DEC"]), day(rows[after]["DECOM"])
            if ended and started and started < ended:
                yield after, "DECOM"


PLACEMENT = ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")


@rule(
    "435",
    "Reason for new episode is that child’s placement has changed but not the legal status, "
    "but this is not reflected in the episode data recorded.",
    "Episodes",
    "LS",
    *PLACEMENT,
)
def placement_change_not_recorded(rows, ret):
    # As data-to-insight's check compares them, a blank field is never the same as another.
    def same(a: str, b: str) -> bool:
        return a != "" and a == b

    for indexes in _by_child_in_order(rows).values():
        for before_, after in zip(indexes, indexes[1:], strict=False):
            was, now = rows[before_], rows[after]
            if now["RNE"] not in ("P", "T"):
                continue
            if not same(now["LS"], was["LS"]):
                yield after, "LS"
            elif all(same(now[f], was[f]) for f in PLACEMENT):
                yield after, "PLACE"


@rule(
    "504",
    "The category of need code differs from that reported at start of current period of being "
    "looked after",
    "Episodes",
    "CIN",
)
def need_changed_within_period(rows, ret):
    for indexes in _by_child_in_order(rows).values():
        for before_, after in zip(indexes, indexes[1:], strict=False):
            was, now = rows[before_], rows[after]
            same_period = was["REC"] == "X1" and was["DEC"] and was["DEC"] == now["DECOM"]
            if same_period and now["CIN"] != was["CIN"]:
                yield after, "CIN"


@rule(
    "356",
    "The date the episode ceased is before the date the same episode started.",
    "Episodes",
    "DEC",
)
def ended_before_start(rows, ret):
    for i, e in enumerate(rows):
        started, ended = day(e["DECOM"]), day(e["DEC"])
        if started and ended and ended < started:
            yield i, "DEC"


@rule(
    "354",
    "Date episode ceased must be on or before the end of the current collection year.",
    "Episodes",
    "DEC",
)
def ended_after_year(rows, ret):
    for i, e in enumerate(rows):
        ended = day(e["DEC"])
        if ended and ended > ret.lists.end:
            yield i, "DEC"


@rule("353", "No episode submitted can start before 14 October 1991.", "Episodes", "DECOM")
def started_before_the_act(rows, ret):
    for i, e in enumerate(rows):
        started = day(e["DECOM"])
        if started and started < day("14/10/1991"):
            yield i, "DECOM"


@rule("301", "Date of birth falls after the year ended.", "Header", "DOB")
def born_after_year(rows, ret):
    for i, h in enumerate(rows):
        born = day(h["DOB"])
        if born and born > ret.lists.end:
            yield i, "DOB"


@rule("302", "First episode starts before child was born.", "Episodes", "DECOM")
def started_before_birth(rows, ret):
    dob = births(ret)
    for i, e in enumerate(rows):
        born, started = dob.get(e["CHILD"]), day(e["DECOM"])
        if born and started and started < born:
            yield i, "DECOM"


@rule("352", "Child who started to be looked after was aged 18 or over.", "Episodes", "DECOM")
def started_as_adult(rows, ret):
    dob = births(ret)
    for i, e in enumerate(rows):
        born, started = dob.get(e["CHILD"]), day(e["DECOM"])
        if e["RNE"].upper() == "S" and born and started and age_on(born, started) >= 18:
            yield i, "DECOM"


@rule(
    "460",
    "Reason episode ceased is that child stayed with current carers at age 18 (or above), but "
    "child is aged under 18.",
    "Episodes",
    "REC",
)
def stayed_put_under_18(rows, ret):
    dob = births(ret)
    for i, e in enumerate(rows):
        born, ended = dob.get(e["CHILD"]), day(e["DEC"])
        if e["REC"] == "E17" and born and ended and age_on(born, ended) < 18:
            yield i, "REC"


# A provider that cannot run the placement (DfE rules 527 to 531 and 550).
PROVIDER_CANNOT = {
    "527": ("PR1", {"P1", "R2", "R5"}),
    "528": ("PR2", {"P1", "R2", "R5"}),
    "529": ("PR3", {"P1", "A3", "A4", "A5", "A6", "K1", "K2", "U1", "U2", "U3", "U4", "U5", "U6"}),
    "530": ("PR4", {"P1"}),
    "531": ("PR5", {"P1"}),
}
for _code, (_provider, _places) in PROVIDER_CANNOT.items():

    def _check(rows, ret, provider=_provider, places=_places):
        for i, e in enumerate(rows):
            if e["PLACE_PROVIDER"] == provider and e["PLACE"] in places:
                yield i, "PLACE_PROVIDER"

    rule(
        _code,
        f"A placement provider code of {_provider} cannot be associated with placements "
        f"{', '.join(sorted(_places))}.",
        "Episodes",
        "PLACE_PROVIDER",
    )(_check)


@rule(
    "550",
    "A placement provider code of PR0 can only be associated with placement P1.",
    "Episodes",
    "PLACE_PROVIDER",
)
def parents_provide_only_at_home(rows, ret):
    for i, e in enumerate(rows):
        if e["PLACE_PROVIDER"] == "PR0" and e["PLACE"] != "P1":
            yield i, "PLACE_PROVIDER"


# --- Missing episodes -------------------------------------------------------------------------
@rule(
    "567",
    "The date that the missing episode or episode that the child was away from placement "
    "without authorisation ended is before the day it started.",
    "Missing",
    "MIS_END",
)
def missing_ends_before_start(rows, ret):
    for i, m in enumerate(rows):
        started, ended = day(m["MIS_START"]), day(m["MIS_END"])
        if started and ended and ended < started:
            yield i, "MIS_END"


@rule(
    "570",
    "The date that the child started to be missing or away from placement without "
    "authorisation is after the end of the collection year.",
    "Missing",
    "MIS_START",
)
def missing_after_year(rows, ret):
    for i, m in enumerate(rows):
        started = day(m["MIS_START"])
        if started and started > ret.lists.end:
            yield i, "MIS_START"


@rule("586", "Dates of missing periods are before child’s date of birth.", "Missing", "MIS_START")
def missing_before_birth(rows, ret):
    dob = births(ret)
    for i, m in enumerate(rows):
        born, started = dob.get(m["CHILD"]), day(m["MIS_START"])
        if born and started and started < born:
            yield i, "MIS_START"


# --- Motherhood -------------------------------------------------------------------------------
@rule(
    "174",
    "Mother's child date of birth is recorded but sex shows that the child is a male.",
    "Header",
    "MC_DOB",
)
def male_mother(rows, ret):
    return ((i, "MC_DOB") for i, h in enumerate(rows) if h["SEX"] == "M" and h["MC_DOB"])


@rule("611", "Date of birth field is blank, but child is a mother.", "Header", "MC_DOB")
def mother_without_babys_birth(rows, ret):
    return ((i, "MC_DOB") for i, h in enumerate(rows) if h["MOTHER"] == "1" and not h["MC_DOB"])


@rule(
    "612",
    "Date of birth field has been completed but mother field indicates child is not a mother.",
    "Header",
    "MOTHER",
)
def babys_birth_without_mother(rows, ret):
    for i, h in enumerate(rows):
        if h["SEX"] == "F" and h["MC_DOB"] and h["MOTHER"] in ("0", ""):
            yield i, "MOTHER"


@rule(
    "620",
    "Child has been recorded as a mother, but date of birth shows that the mother is under 11 "
    "years of age.",
    "Header",
    "MOTHER",
)
def mother_under_11(rows, ret):
    for i, h in enumerate(rows):
        born = day(h["DOB"])
        if h["MOTHER"] == "1" and born and age_on(born, ret.lists.start) < 11:
            yield i, "MOTHER"


@rule(
    "621",
    "Mother’s field has been completed but date of birth shows that the mother is younger than "
    "her child.",
    "Header",
    "MC_DOB",
)
def mother_younger_than_baby(rows, ret):
    for i, h in enumerate(rows):
        born, baby = day(h["DOB"]), day(h["MC_DOB"])
        if born and baby and baby <= born:
            yield i, "MC_DOB"


# --- Social worker episodes -------------------------------------------------------------------
@rule(
    "SW02STG1",
    "Social worker ID does not begin with the characters ‘SW’ or ‘XX’.",
    "SWEpisodes",
    "SW_ID",
)
def worker_id_prefix(rows, ret):
    for i, s in enumerate(rows):
        if s["SW_ID"][:2] not in ("SW", "XX") or len(s["SW_ID"]) < 4:
            yield i, "SW_ID"


@rule(
    "SW18STG2",
    "The end date of the social worker episode is before the start date",
    "SWEpisodes",
    "SW_DEC",
)
def worker_ends_before_start(rows, ret):
    for i, s in enumerate(rows):
        started, ended = day(s["SW_DECOM"]), day(s["SW_DEC"])
        if started and ended and ended < started:
            yield i, "SW_DEC"


# --- Every child once in the Header, and in the tables held once per child -------------------
IN_HEADER = {
    "INT01": "AD1",
    "INT02": "PlacedAdoption",
    "INT03": "Episodes",
    "INT04": "Missing",
    "INT05": "OC2",
    "INT06": "OC3",
    "INT07": "PrevPerm",
    "INT08": "Reviews",
    "INT09": "UASC",
}
for _code, _table in IN_HEADER.items():

    def _orphans(rows, ret):
        known = {h["CHILD"] for h in ret.tables["Header"]}
        return ((i, "CHILD") for i, row in enumerate(rows) if row["CHILD"] not in known)

    rule(
        _code,
        f"{'Data Integrity' if _code == 'INT01' else 'Internal'} Check: Child in {_table} "
        "does not exist in Header.",
        _table,
        "CHILD",
    )(_orphans)

ONCE = {
    "INT31": "AD1",
    "INT32": "Header",
    "INT33": "OC2",
    "INT34": "OC3",
    "INT35": "PrevPerm",
    "INT36": "UASC",
}
for _code, _table in ONCE.items():

    def _twice(rows, ret):
        seen = Counter(row["CHILD"] for row in rows)
        return ((i, "CHILD") for i, row in enumerate(rows) if seen[row["CHILD"]] > 1)

    rule(_code, f"Internal Check: Child should only exist once in {_table}.", _table, "CHILD")(
        _twice
    )

# Every table's DOB is the Header's.
SAME_BIRTH = {
    "INT11": "AD1",
    "INT12": "PlacedAdoption",
    "INT13": "Missing",
    "INT14": "OC2",
    "INT15": "OC3",
    "INT16": "PrevPerm",
    "INT17": "Reviews",
    "INT18": "UASC",
}
for _code, _table in SAME_BIRTH.items():

    def _other_birth(rows, ret):
        born = births(ret)
        for i, row in enumerate(rows):
            here, header = day(row["DOB"]), born.get(row["CHILD"])
            if here and header and here != header:
                yield i, "DOB"

    rule(
        _code,
        f"Internal Check: DOB in {_table} is different to DOB in Header.",
        _table,
        "DOB",
    )(_other_birth)


@rule("INT21", "Internal Check: SEX in UASC is different to SEX in Header.", "UASC", "SEX")
def uasc_other_sex(rows, ret):
    sex = {h["CHILD"]: h["SEX"] for h in ret.tables["Header"]}
    for i, u in enumerate(rows):
        if u["SEX"] and sex.get(u["CHILD"]) and u["SEX"] != sex[u["CHILD"]]:
            yield i, "SEX"


# --- Care leavers (OC3) -----------------------------------------------------------------------
LEAVER = ("IN_TOUCH", "ACTIV", "ACCOM")


def _leaver_given(row: dict) -> bool:
    return any(row[f] for f in LEAVER)


def _leavers(ret) -> set[str]:
    """Children with care leaver information in the return."""
    return {o["CHILD"] for o in ret.tables["OC3"] if _leaver_given(o)}


def _episodes_of(ret) -> dict[str, list[dict]]:
    held: dict[str, list[dict]] = {}
    for e in ret.tables["Episodes"]:
        held.setdefault(e["CHILD"], []).append(e)
    return held


@rule(
    "344",
    "The record shows the young person has died or returned home to live with parent(s) or "
    "someone with parental responsibility for a continuous period of 6 months or more, but "
    "activity and/or accommodation on leaving care have been completed.",
    "OC3",
    "ACTIV",
    "ACCOM",
)
def died_or_home_with_activity(rows, ret):
    for i, o in enumerate(rows):
        if o["IN_TOUCH"] in ("DIED", "RHOM"):
            wrong = [f for f in ("ACTIV", "ACCOM") if o[f] != "0"]
            if wrong:
                yield i, wrong[0]


@rule(
    "345",
    "The data collection record shows the local authority is in touch with this young person, "
    "but activity and/or accommodation data items are zero.",
    "OC3",
    "ACTIV",
    "ACCOM",
)
def in_touch_without_activity(rows, ret):
    for i, o in enumerate(rows):
        if o["IN_TOUCH"] == "YES":
            zero = [f for f in ("ACTIV", "ACCOM") if o[f] == "0"]
            if zero:
                yield i, zero[0]


@rule(
    "391",
    "Young person was not 17, 18, 19, 20 or 21 during the current collection year. ",
    "OC3",
    "DOB",
)
def leaver_under_17(rows, ret):
    for i, o in enumerate(rows):
        born = day(o["DOB"])
        if born and _leaver_given(o) and age_on(born, ret.lists.end) < 17:
            yield i, "DOB"


@rule(
    "3001",
    "Where care leavers information is being returned for a young person around their 17th "
    "birthday, the accommodation cannot be with their former foster carer(s).",
    "OC3",
    "ACCOM",
)
def staying_put_at_17(rows, ret):
    born = births(ret)
    for i, o in enumerate(rows):
        dob = born.get(o["CHILD"])
        if dob and o["ACCOM"] in ("Z1", "Z2"):
            seventeen = _birthday_on(dob, dob.year + 17)
            if ret.lists.start <= seventeen <= ret.lists.end:
                yield i, "ACCOM"


def _birthday_on(dob, year: int):
    try:
        return dob.replace(year=year)
    except ValueError:  # 29 February
        return dob.replace(year=year, day=28)


def _last_birthday(dob, on):
    birthday = _birthday_on(dob, on.year)
    return birthday if birthday <= on else _birthday_on(dob, on.year - 1)


@rule(
    "1007",
    "Care leaver information is not required for 17- or 18-year olds who are still looked "
    "after [on their 17th or 18th birthday.]",
    "OC3",
    *LEAVER,
)
def looked_after_on_birthday(rows, ret):
    # An open episode counts as looked after on the birthday (data-to-insight's check sees
    # only episodes with an end date).
    held, end = _episodes_of(ret), ret.lists.end
    for i, o in enumerate(rows):
        born = day(o["DOB"])
        if not (born and _leaver_given(o)) or age_on(born, end) not in (17, 18):
            continue
        birthday = _last_birthday(born, end)
        for e in held.get(o["CHILD"], []):
            started, ended = day(e["DECOM"]), day(e["DEC"])
            if started and started <= birthday and (ended is None or ended > birthday):
                yield i, "IN_TOUCH"
                break


@rule(
    "1016",
    "Care leaver information is not required for 17- or 18-year olds who cease to be looked "
    "after, after their birthday.",
    "OC3",
    *LEAVER,
)
def left_after_birthday(rows, ret):
    held, end = _episodes_of(ret), ret.lists.end
    for i, o in enumerate(rows):
        born = day(o["DOB"])
        if not (born and _leaver_given(o)):
            continue
        age = age_on(born, end)
        if age not in (17, 18):
            continue
        birthday = _birthday_on(born, born.year + age)
        ends = (day(e["DEC"]) for e in held.get(o["CHILD"], []))
        if any(ended and ended >= birthday for ended in ends):
            yield i, "IN_TOUCH"


@rule(
    "1000",
    "This child is recorded as having died in care and therefore should not have the care "
    "leaver information completed. [NOTE: This only tests the current and previous year data "
    "loaded into the tool]",
    "OC3",
    "CHILD",
)
def leaver_died_in_care(rows, ret):
    died = {e["CHILD"] for e in ret.tables["Episodes"] if e["REC"] == "E2"}
    return ((i, "CHILD") for i, o in enumerate(rows) if o["CHILD"] in died)


@rule(
    "1011",
    "This child is recorded as having his/her care transferred to another local authority for "
    "the final episode and therefore should not have the care leaver information completed.",
    "OC3",
    *LEAVER,
)
def leaver_transferred(rows, ret):
    held = _episodes_of(ret)
    for i, o in enumerate(rows):
        episodes = [e for e in held.get(o["CHILD"], []) if day(e["DECOM"])]
        if episodes and _leaver_given(o):
            last = max(episodes, key=lambda e: day(e["DECOM"]))
            if last["REC"] == "E3":
                yield i, "IN_TOUCH"


OC2_ITEMS = (
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)


@rule(
    "215",
    "Child has care leaver information but one or more data items relating to children looked "
    "after for 12 months have been completed.",
    "OC3",
    *LEAVER,
)
def leaver_with_oc2(rows, ret):
    oc2 = {h["CHILD"] for h in ret.tables["OC2"] if any(h[f] for f in OC2_ITEMS)}
    for i, o in enumerate(rows):
        if _leaver_given(o) and o["CHILD"] in oc2:
            yield i, "IN_TOUCH"


@rule(
    "628",
    "Motherhood details are not required for care leavers who have not been looked after "
    "during the year.",
    "Header",
    "MOTHER",
)
def leaver_motherhood(rows, ret):
    looked_after, leavers = set(_episodes_of(ret)), _leavers(ret)
    for i, h in enumerate(rows):
        if h["MOTHER"] and h["CHILD"] in leavers and h["CHILD"] not in looked_after:
            yield i, "MOTHER"


@rule("1014", "UASC information is not required for care leavers", "UASC", "CHILD")
def leaver_uasc(rows, ret):
    looked_after, leavers = set(_episodes_of(ret)), _leavers(ret)
    for i, u in enumerate(rows):
        if u["CHILD"] in leavers and u["CHILD"] not in looked_after:
            yield i, "CHILD"


AD1_ITEMS = ("DATE_INT", "DATE_MATCH", "FOSTER_CARE", "NB_ADOPTR", "SEX_ADOPTR", "LS_ADOPTR")


@rule("134", "Data on adoption should not be entered for the OC3 cohort.", "AD1", *AD1_ITEMS)
def adopted_leaver(rows, ret):
    leavers = _leavers(ret)
    for i, a in enumerate(rows):
        given = [f for f in AD1_ITEMS if a[f]]
        if given and a["CHILD"] in leavers:
            yield i, given[0]


# --- The sequence of episodes -----------------------------------------------------------------
def _pairs(rows):
    """(earlier, later) row indexes of each child's consecutive episodes."""
    for indexes in _by_child_in_order(rows).values():
        yield from zip(indexes, indexes[1:], strict=False)


# Reasons an episode ends that also end the period of care.
LEFT_CARE = {"E2", "E3", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E11", "E12", "E13"}
LEFT_CARE |= {"E14", "E15", "E16", "E17", "E41", "E45", "E46", "E47", "E48"}
TEMPORARY = {"T0", "T1", "T2", "T3", "T4"}


@rule(
    "357",
    "If this is the first episode ever for this child, reason for new episode must be S. "
    "Check whether there is an episode immediately preceding this one, which has been left out. "
    "If not the reason for new episode code must be amended to S.",
    "Episodes",
    "RNE",
)
def first_episode_not_started(rows, ret):
    for indexes in _by_child_in_order(rows).values():
        dated = [i for i in indexes if day(rows[i]["DECOM"])]
        first = rows[dated[0]] if dated else None
        if first and day(first["DECOM"]) >= ret.lists.start and first["RNE"] != "S":
            yield dated[0], "RNE"


@rule(
    "431",
    "The reason for new episode is started to be looked after, but the previous episode ended "
    "on the same day.",
    "Episodes",
    "RNE",
)
def started_again_same_day(rows, ret):
    for before_, after in _pairs(rows):
        ended, started = day(rows[before_]["DEC"]), day(rows[after]["DECOM"])
        if rows[after]["RNE"] == "S" and ended and started and started <= ended:
            yield after, "RNE"


@rule(
    "432",
    "The child ceased to be looked after at the end of the previous episode but the reason for "
    "the new episode is not started to be looked after.",
    "Episodes",
    "RNE",
)
def continued_after_leaving(rows, ret):
    for before_, after in _pairs(rows):
        if rows[before_]["REC"] in LEFT_CARE and rows[after]["RNE"] != "S":
            yield after, "RNE"


@rule(
    "433",
    "The reason for new episode suggests that this is a continuation episode, but the episode "
    "does not start on the same day as the last episode finished.",
    "Episodes",
    "DECOM",
)
def continuation_not_on_the_day(rows, ret):
    for before_, after in _pairs(rows):
        was, now = rows[before_], rows[after]
        if now["RNE"].upper() in ("P", "L", "T", "U", "B") and (
            not (was["DEC"] and now["DECOM"]) or was["DEC"] != now["DECOM"]
        ):
            yield after, "DECOM"


@rule(
    "434",
    "Reason for new episode is that child's legal status has changed but not the placement, "
    "but this is not reflected in the episode data.",
    "Episodes",
    "LS",
    *PLACEMENT,
)
def legal_change_not_recorded(rows, ret):
    for before_, after in _pairs(rows):
        was, now = rows[before_], rows[after]
        if now["RNE"] != "L":
            continue
        if now["LS"] and now["LS"] == was["LS"]:
            yield after, "LS"
        elif any(now[f] != was[f] for f in PLACEMENT):
            yield after, "PLACE"


@rule(
    "436",
    "Reason for new episode is that both child’s placement and legal status have changed, but "
    "this is not reflected in the episode data.",
    "Episodes",
    "LS",
    *PLACEMENT,
)
def both_changes_not_recorded(rows, ret):
    # Here blanks compare equal, as data-to-insight's check fills them before comparing.
    for before_, after in _pairs(rows):
        was, now = rows[before_], rows[after]
        if now["RNE"] not in ("U", "B"):
            continue
        if now["LS"] == was["LS"]:
            yield after, "LS"
        elif all(now[f] == was[f] for f in PLACEMENT):
            yield after, "PLACE"


@rule(
    "437",
    "Reason episode ceased is child has died or is aged 18 or over but there are further "
    "episodes.",
    "Episodes",
    "REC",
)
def episodes_after_the_end(rows, ret):
    for before_, _after in _pairs(rows):
        if rows[before_]["REC"].upper() in ("E2", "E15") and day(rows[before_]["DECOM"]):
            yield before_, "REC"


@rule("380", "A period of care cannot start with a temporary placement.", "Episodes", "PLACE")
def starts_in_temporary(rows, ret):
    for i, e in enumerate(rows):
        if e["PLACE"] in TEMPORARY and e["RNE"] not in ("P", "B"):
            yield i, "PLACE"


@rule("381", "A period of care cannot end with a temporary placement.", "Episodes", "REC")
def ends_in_temporary(rows, ret):
    for i, e in enumerate(rows):
        if e["PLACE"] in TEMPORARY and e["REC"] not in ("X1", ""):
            yield i, "REC"


@rule(
    "388",
    "Reason episode ceased is coded new episode begins, but there is no continuation episode.",
    "Episodes",
    "REC",
)
def continuation_missing(rows, ret):
    for indexes in _by_child_in_order(rows).values():
        for n, i in enumerate(indexes):
            e = rows[i]
            if not day(e["DEC"]):
                continue
            if n == len(indexes) - 1:
                wrong = e["REC"] == "X1"
            else:
                following = rows[indexes[n + 1]]["DECOM"]
                if not day(following):
                    continue
                same_day = day(e["DEC"]) == day(following)
                wrong = (e["REC"] == "X1") != same_day and e["REC"] != ""
            if wrong:
                yield i, "REC"


def _aged_when(rows, ret, reasons, field="DEC"):
    """(row, age on `field`'s date) of episodes whose reason ended is one of `reasons`."""
    dob = births(ret)
    for i, e in enumerate(rows):
        if e["REC"].upper() in reasons:
            born, on = dob.get(e["CHILD"]), day(e[field])
            yield i, (age_on(born, on) if born and on else None)


@rule("386", "Reason episode ceased is adopted but child has reached age 18.", "Episodes", "REC")
def adopted_as_adult(rows, ret):
    return ((i, "REC") for i, age in _aged_when(rows, ret, {"E11", "E12"}) if age and age >= 18)


@rule(
    "387",
    "Reason episode ceased is child moved into independent living arrangement, but the child "
    "is aged under 14.",
    "Episodes",
    "REC",
)
def independent_under_14(rows, ret):
    for i, age in _aged_when(rows, ret, {"E5", "E6"}):
        if rows[i]["DEC"] and (age is None or age < 14):
            yield i, "REC"


@rule(
    "389",
    "Reason episode ceased is that child transferred to care of adult social care services, "
    "but child is aged under 16.",
    "Episodes",
    "REC",
)
def adult_services_under_16(rows, ret):
    return ((i, "REC") for i, age in _aged_when(rows, ret, {"E7"}) if age is None or age < 16)


@rule(
    "407",
    "Reason episode ceased is Special Guardianship Order, but child has reached age 18.",
    "Episodes",
    "REC",
)
def guardianship_as_adult(rows, ret):
    dob = births(ret)
    for i, e in enumerate(rows):
        born, ended = dob.get(e["CHILD"]), day(e["DEC"])
        guardianship = e["REC"] in ("E45", "E46", "E47", "E48")
        if guardianship and born and ended and ended > _birthday_on(born, born.year + 18):
            yield i, "REC"


@rule("358", "Child with this legal status should not be under 10.", "Episodes", "LS")
def youth_justice_under_10(rows, ret):
    dob = births(ret)
    for i, e in enumerate(rows):
        born, started = dob.get(e["CHILD"]), day(e["DECOM"])
        justice = e["LS"] in ("J1", "J2", "J3")
        if justice and born and started and started <= _birthday_on(born, born.year + 10):
            yield i, "LS"


# --- Adoption (AD1) and the decision to place for adoption ------------------------------------
date_rule(
    "112",
    "Date should be placed for adoption is not a valid date.",
    "AD1",
    "DATE_INT",
    blank_ok=True,
)
date_rule(
    "113",
    "Date matching child and adopter(s) is not a valid date.",
    "AD1",
    "DATE_MATCH",
    blank_ok=True,
)
date_rule(
    "115",
    "Date of Local Authority's (LA) decision that a child should be placed for adoption is not "
    "a valid date.",
    "PlacedAdoption",
    "DATE_PLACED",
    blank_ok=True,
)
date_rule(
    "116",
    "Date of Local Authority's (LA) decision that a child should no longer be placed for "
    "adoption is not a valid date.",
    "PlacedAdoption",
    "DATE_PLACED_CEASED",
    blank_ok=True,
)


@rule(
    "114",
    "Data entry to record the status of former carer(s) of an adopted child is invalid.",
    "AD1",
    "FOSTER_CARE",
)
def former_carers_invalid(rows, ret):
    return (
        (i, "FOSTER_CARE") for i, a in enumerate(rows) if a["FOSTER_CARE"] not in ("", "0", "1")
    )


@rule(
    "119",
    "If the decision is made that a child should no longer be placed for adoption, then the date "
    "of this decision and the reason why this decision was made must be completed.",
    "PlacedAdoption",
    "DATE_PLACED_CEASED",
    "REASON_PLACED_CEASED",
)
def reversal_half_given(rows, ret):
    for i, p in enumerate(rows):
        if bool(p["DATE_PLACED_CEASED"]) != bool(p["REASON_PLACED_CEASED"]):
            yield (
                i,
                "DATE_PLACED_CEASED" if not p["DATE_PLACED_CEASED"] else "REASON_PLACED_CEASED",
            )


@rule(
    "151",
    "All data items relating to a childs adoption must be coded or left blank.",
    "AD1",
    *AD1_ITEMS,
)
def adoption_half_given(rows, ret):
    for i, a in enumerate(rows):
        blank = [f for f in AD1_ITEMS if not a[f]]
        if blank and len(blank) < len(AD1_ITEMS):
            yield i, blank[0]


@rule(
    "184",
    "Date of decision that a child should be placed for adoption is before the child was born.",
    "PlacedAdoption",
    "DATE_PLACED",
)
def decided_before_birth(rows, ret):
    # As data-to-insight's check reads it, the table's own DOB.
    for i, p in enumerate(rows):
        decided, born = day(p["DATE_PLACED"]), day(p["DOB"])
        if decided and born and decided < born:
            yield i, "DATE_PLACED"


@rule(
    "333",
    "Date should be placed for adoption must be on or prior to the date of matching child with "
    "adopter(s).",
    "AD1",
    "DATE_INT",
)
def matched_before_decision(rows, ret):
    for i, a in enumerate(rows):
        decided, matched = day(a["DATE_INT"]), day(a["DATE_MATCH"])
        if matched and (decided is None or decided > matched):
            yield i, "DATE_INT"


# The adopters' sexes each legal status allows (DfE rules 514 to 524).
ADOPTERS = {
    "514": ("L0", {"M1", "F1"}),
    "517": ("L3", {"MF"}),
    "518": ("L4", {"MM", "FF"}),
    "519": ("L2", {"MM", "FF", "MF"}),
    "520": ("L11", {"MF"}),
    "524": ("L12", {"MM", "FF"}),
}
ADOPTERS_MESSAGE = {
    "514": "Data entry on the legal status of adopters shows a single adopter but data entry for "
    "the numbers of adopters shows it as a couple.",
    "517": "If reporting legal status of adopters is L3 then the genders of adopters should be "
    "coded as MF. MF = the adopting couple are male and female.",
    "518": "If reporting legal status of adopters is L4 then the genders of adopters should be "
    "coded as MM or FF. MM = the adopting couple are both males. FF = the adopting couple are "
    "both females.",
    "519": "Data entered on the legal status of adopters shows civil partnership couple, but data "
    "entered on genders of adopters does not show it as a couple.",
    "520": "Data entry on the legal status of adopters shows different gender married couple but "
    "data entry on genders of adopters shows it as a same gender couple.",
    "524": "If reporting legal status of adopters is L12 then the genders of adopters should be "
    "coded as MM or FF. MM = the adopting couple are both males. FF = the adopting couple are "
    "both females",
}
for _code, (_status, _sexes) in ADOPTERS.items():

    def _adopters(rows, ret, status=_status, sexes=_sexes):
        for i, a in enumerate(rows):
            if a["LS_ADOPTR"] == status and a["SEX_ADOPTR"] not in sexes:
                yield i, "SEX_ADOPTR"

    rule(_code, ADOPTERS_MESSAGE[_code], "AD1", "SEX_ADOPTR")(_adopters)


@rule(
    "511",
    "If reporting that the number of person(s) adopting the looked after child is two adopters "
    "then the code should only be MM, FF or MF.",
    "AD1",
    "SEX_ADOPTR",
)
def couple_coded_single(rows, ret):
    for i, a in enumerate(rows):
        if a["NB_ADOPTR"] == "2" and a["SEX_ADOPTR"] in ("M1", "F1"):
            yield i, "SEX_ADOPTR"


@rule(
    "522",
    "Date of decision that the child should be placed for adoption must be on or before the date "
    "that a child should no longer be placed for adoption.",
    "PlacedAdoption",
    "DATE_PLACED_CEASED",
)
def reversed_before_decision(rows, ret):
    for i, p in enumerate(rows):
        decided, reversed_ = day(p["DATE_PLACED"]), day(p["DATE_PLACED_CEASED"])
        if decided and reversed_ and reversed_ < decided:
            yield i, "DATE_PLACED_CEASED"


def _adoption_given(ret) -> set[str]:
    return {a["CHILD"] for a in ret.tables["AD1"] if any(a[f] for f in AD1_ITEMS)}


def _adopted_in_year(ret) -> set[str]:
    adopted = set()
    for e in ret.tables["Episodes"]:
        ended = day(e["DEC"])
        if e["REC"] in ("E11", "E12") and ended and ret.lists.start <= ended <= ret.lists.end:
            adopted.add(e["CHILD"])
    return adopted


@rule(
    "525",
    "A child for whom the decision to be placed for adoption has been reversed cannot be adopted "
    "during the year.",
    "PlacedAdoption",
    "DATE_PLACED_CEASED",
)
def adopted_after_reversal(rows, ret):
    adopted = _adoption_given(ret)
    for i, p in enumerate(rows):
        if p["DATE_PLACED_CEASED"] and p["CHILD"] in adopted:
            yield i, "DATE_PLACED_CEASED"


@rule(
    "601",
    "The additional fields relating to adoption have not been completed although the episode "
    "data shows that the child was adopted during the year.",
    "AD1",
    *AD1_ITEMS,
)
def adoption_not_completed(rows, ret):
    adopted = _adopted_in_year(ret)
    for i, a in enumerate(rows):
        blank = [f for f in AD1_ITEMS if not a[f]]
        if blank and a["CHILD"] in adopted:
            yield i, blank[0]


@rule(
    "602",
    "The episode data submitted for this child does not show that he/she was adopted during the "
    "year.",
    "AD1",
    "CHILD",
)
def adoption_without_adopted(rows, ret):
    adopted = _adopted_in_year(ret)
    for i, a in enumerate(rows):
        if any(a[f] for f in AD1_ITEMS) and a["CHILD"] not in adopted:
            yield i, "CHILD"


@rule(
    "331",
    "Date of matching child and adopter(s) should be the same as, or prior to, the date of "
    "placement of adoption.",
    "AD1",
    "DATE_MATCH",
)
def matched_after_adoption(rows, ret):
    for i, a in enumerate(rows):
        matched = day(a["DATE_MATCH"])
        for e in _episodes_of(ret).get(a["CHILD"], []):
            started = day(e["DECOM"])
            if e["REC"] in ("E11", "E12") and matched and started and matched > started:
                yield i, "DATE_MATCH"
                break


@rule(
    "335",
    "The current foster value (0) suggests that child is not adopted by current foster carer, "
    "but last placement is A2, A3, or A5. Or the current foster value (1) suggests that child is "
    "adopted by current foster carer, but last placement is A1, A4 or A6.",
    "Episodes",
    "PLACE",
)
def adopted_by_other_carers(rows, ret):
    foster = {}
    for a in ret.tables["AD1"]:
        foster.setdefault(a["CHILD"], set()).add(a["FOSTER_CARE"])
    for i, e in enumerate(rows):
        carers = foster.get(e["CHILD"], set())
        if e["REC"] in ("E1", "E11", "E12") and (
            (e["PLACE"] in ("A2", "A3", "A5") and "0" in carers)
            or (e["PLACE"] in ("A1", "A4", "A6") and "1" in carers)
        ):
            yield i, "PLACE"


@rule(
    "523",
    "Date of decision that the child should be placed for adoption should be the same date as the "
    "decision that adoption is in the best interest (date should be placed).",
    "PlacedAdoption",
    "DATE_PLACED",
)
def decision_dates_differ(rows, ret):
    decided = {}
    for a in ret.tables["AD1"]:
        if a["DATE_INT"]:
            decided.setdefault(a["CHILD"], []).append(day(a["DATE_INT"]))
    for i, p in enumerate(rows):
        if p["DATE_PLACED"] and any(
            d != day(p["DATE_PLACED"]) for d in decided.get(p["CHILD"], [])
        ):
            yield i, "DATE_PLACED"


PLACED_FOR_ADOPTION = {"A3", "A4", "A5", "A6"}


def _decisions(ret) -> dict[str, list[dict]]:
    held: dict[str, list[dict]] = {}
    for p in ret.tables["PlacedAdoption"]:
        held.setdefault(p["CHILD"], []).append(p)
    return held


@rule(
    "551",
    "Child has been placed for adoption but there is no date of the decision that the child "
    "should be placed for adoption.",
    "Episodes",
    "PLACE",
)
def placed_without_decision(rows, ret):
    decisions = _decisions(ret)
    for i, e in enumerate(rows):
        held = decisions.get(e["CHILD"], [])
        if e["PLACE"] in PLACED_FOR_ADOPTION and (
            not held or any(not p["DATE_PLACED"] for p in held)
        ):
            yield i, "PLACE"


@rule(
    "552",
    "Date of Decision to place a child for adoption should be on or prior to the date that the "
    "child was placed for adoption.",
    "Episodes",
    "DECOM",
)
def placed_before_decision(rows, ret):
    decisions = _decisions(ret)
    for indexes in _by_child_in_order(rows).values():
        placed = [
            i for i in indexes if rows[i]["PLACE"] in PLACED_FOR_ADOPTION and day(rows[i]["DECOM"])
        ]
        dates = [day(p["DATE_PLACED"]) for p in decisions.get(rows[indexes[0]]["CHILD"], [])]
        dates = [d for d in dates if d]
        if placed and dates and day(rows[placed[0]]["DECOM"]) < max(dates):
            yield placed[0], "DECOM"


@rule(
    "553",
    "Placement order has been granted but there is no date of decision that the child should be "
    "placed for adoption.",
    "Episodes",
    "LS",
)
def order_without_decision(rows, ret):
    # Nor may the decision be reversed while the placement order is open.
    decisions = _decisions(ret)
    for i, e in enumerate(rows):
        held = decisions.get(e["CHILD"], [])
        reversed_ = any(p["DATE_PLACED_CEASED"] or p["REASON_PLACED_CEASED"] for p in held)
        if e["LS"] == "E1" and (not held or (not e["DEC"] and reversed_)):
            yield i, "LS"


@rule(
    "554",
    "Date of decision that the child should be placed for adoption should be on or prior to the "
    "date that the placement order was granted.",
    "Episodes",
    "DECOM",
)
def order_before_decision(rows, ret):
    decisions = _decisions(ret)
    for indexes in _by_child_in_order(rows).values():
        orders = [i for i in indexes if rows[i]["LS"] == "E1" and day(rows[i]["DECOM"])]
        if not orders:
            continue
        first = orders[0]
        dates = (day(p["DATE_PLACED"]) for p in decisions.get(rows[first]["CHILD"], []))
        if any(d and d > day(rows[first]["DECOM"]) for d in dates):
            yield first, "DECOM"


@rule(
    "334",
    "Date child started to be looked after in latest period of care must be on or prior to the "
    "date should be placed for adoption.",
    "AD1",
    "DATE_INT",
)
def decided_before_care(rows, ret):
    started: dict[str, dt.date] = {}
    for e in ret.tables["Episodes"]:
        on = day(e["DECOM"])
        if e["RNE"] == "S" and on and on > started.get(e["CHILD"], dt.date.min):
            started[e["CHILD"]] = on
    for i, a in enumerate(rows):
        decided = day(a["DATE_INT"])
        if decided and a["CHILD"] in started and decided < started[a["CHILD"]]:
            yield i, "DATE_INT"


@rule(
    "336",
    "Child does not have a foster placement immediately prior to being placed for adoption.",
    "Episodes",
    "PLACE",
)
def adoption_not_from_foster_care(rows, ret):
    fostered = {"A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"}
    for before_, after in _pairs(rows):
        if rows[after]["PLACE"] in ("A3", "A4") and rows[before_]["PLACE"] not in fostered:
            yield after, "PLACE"


@rule(
    "521",
    "Date of local authority's decision (LA) that adoption is in the best interests of the child "
    "(date should be placed) must be on or prior to the date the child is placed for adoption.",
    "Episodes",
    "DECOM",
)
def placed_before_best_interests(rows, ret):
    decided = {}
    for a in ret.tables["AD1"]:
        decided.setdefault(a["CHILD"], []).append(day(a["DATE_INT"]))
    for i, e in enumerate(rows):
        started = day(e["DECOM"])
        dates = decided.get(e["CHILD"], [])
        if e["PLACE"] in PLACED_FOR_ADOPTION and started and any(d and d > started for d in dates):
            yield i, "DECOM"


@rule(
    "557",
    "Child for whom the decision was made that they should be placed for adoption has left care "
    "but was not adopted and information on the decision that they should no longer be placed "
    "for adoption items has not been completed.",
    "Episodes",
    "REC",
)
def left_without_reversal(rows, ret):
    decisions = _decisions(ret)
    for i, e in enumerate(rows):
        placed = e["PLACE"] in PLACED_FOR_ADOPTION or e["LS"] == "E1"
        left = e["REC"] not in ("E11", "E12", "X1", "")
        held = decisions.get(e["CHILD"], [])
        incomplete = any(not (p["DATE_PLACED_CEASED"] and p["REASON_PLACED_CEASED"]) for p in held)
        if placed and left and (not held or incomplete):
            yield i, "REC"


@rule(
    "558",
    "If a child has been adopted, then the decision to place them for adoption has not been "
    "disrupted and the date of the decision that a child should no longer be placed for adoption "
    "should be left blank. if the REC code is either E11 or E12 then the DATE PLACED CEASED date "
    "should not be provided",
    "Episodes",
    "REC",
)
def adopted_after_every_decision_reversed(rows, ret):
    decisions, adoptions = _decisions(ret), Counter()
    for e in rows:
        if e["REC"] in ("E11", "E12"):
            adoptions[e["CHILD"]] += 1
    for i, e in enumerate(rows):
        held = decisions.get(e["CHILD"], [])
        all_reversed = held and all(p["DATE_PLACED_CEASED"] for p in held)
        if e["REC"] in ("E11", "E12") and all_reversed and adoptions[e["CHILD"]] * len(held) > 1:
            yield i, "REC"


@rule(
    "563",
    "The child should no longer be placed for adoption but the date of the decision that the "
    "child should be placed for adoption is blank",
    "PlacedAdoption",
    "DATE_PLACED",
)
def reversed_without_decision(rows, ret):
    for i, p in enumerate(rows):
        if p["REASON_PLACED_CEASED"] and p["DATE_PLACED_CEASED"] and not p["DATE_PLACED"]:
            yield i, "DATE_PLACED"


def _decisions_in_order(rows) -> dict[str, list[int]]:
    order: dict[str, list[int]] = {}
    for i, p in enumerate(rows):
        order.setdefault(p["CHILD"], []).append(i)
    for indexes in order.values():
        indexes.sort(key=lambda i: day(rows[i]["DATE_PLACED"]) or dt.date.max)
    return order


@rule(
    "579",
    "A new decision that the child should be placed for adoption this year cannot start when the "
    "previous decision is still open. Decisions to place for adoption should also not overlap. "
    "The date of any new decision to place for adoption must not be before the date placed "
    "ceased of a previous decision (if present).",
    "PlacedAdoption",
    "DATE_PLACED",
)
def decision_while_one_open(rows, ret):
    for indexes in _decisions_in_order(rows).values():
        for before_, after in zip(indexes, indexes[1:], strict=False):
            reversed_, decided = (
                day(rows[before_]["DATE_PLACED_CEASED"]),
                day(rows[after]["DATE_PLACED"]),
            )
            if not rows[before_]["DATE_PLACED_CEASED"] or (
                reversed_ and decided and decided < reversed_
            ):
                yield after, "DATE_PLACED"


@rule(
    "583",
    "More than one date the child should be placed for adoption has been reported, but an "
    "earlier decision has not been revoked. Check that both dates have been entered correctly.",
    "PlacedAdoption",
    "DATE_PLACED_CEASED",
)
def earlier_decision_not_revoked(rows, ret):
    for indexes in _decisions_in_order(rows).values():
        latest = max(indexes, key=lambda i: day(rows[i]["DATE_PLACED"]) or dt.date.min)
        for i in indexes:
            if i != latest and not rows[i]["DATE_PLACED_CEASED"]:
                yield i, "DATE_PLACED_CEASED"


@rule(
    "582",
    "Child is showing as ceasing to be looked after due to adoption, but the date of adoption is "
    "the same as the date reported for being matched with adopters.",
    "Episodes",
    "DEC",
)
def adopted_on_matching_day(rows, ret):
    matched = {}
    for a in ret.tables["AD1"]:
        matched.setdefault(a["CHILD"], set()).add(day(a["DATE_MATCH"]))
    for i, e in enumerate(rows):
        ended = day(e["DEC"])
        if e["REC"] in ("E11", "E12") and ended and ended in matched.get(e["CHILD"], set()):
            yield i, "DEC"


def _last_episodes(ret, keep=lambda e: True) -> dict[str, dict]:
    """Each child's latest-starting episode among those `keep` accepts."""
    last: dict[str, dict] = {}
    for e in ret.tables["Episodes"]:
        started = day(e["DECOM"])
        if (
            keep(e)
            and started
            and (e["CHILD"] not in last or started > day(last[e["CHILD"]]["DECOM"]))
        ):
            last[e["CHILD"]] = e
    return last


@rule(
    "117",
    "Date of decision that a child should/should no longer be placed for adoption is beyond the "
    "current collection year or after the child ceased to be looked after.",
    "PlacedAdoption",
    "DATE_PLACED",
    "DATE_PLACED_CEASED",
)
def decision_after_care(rows, ret):
    last = _last_episodes(ret, lambda e: e["REC"] != "X1")
    for i, p in enumerate(rows):
        if p["CHILD"] not in last:
            continue
        ended = day(last[p["CHILD"]]["DEC"])
        for field in ("DATE_PLACED", "DATE_PLACED_CEASED"):
            on = day(p[field])
            if on and (on > ret.lists.end or (ended and on > ended)):
                yield i, field
                break


@rule(
    "118",
    "Date of decision that a child should no longer be placed for adoption is before the current "
    "collection year or before the date the child started to be looked after.",
    "PlacedAdoption",
    "DATE_PLACED_CEASED",
)
def reversal_before_year(rows, ret):
    first: dict[str, dt.date] = {}
    for e in ret.tables["Episodes"]:
        started = day(e["DECOM"])
        if (
            e["LS"] not in ("V3", "V4")
            and started
            and started < first.get(e["CHILD"], dt.date.max)
        ):
            first[e["CHILD"]] = started
    for i, p in enumerate(rows):
        reversed_, started = day(p["DATE_PLACED_CEASED"]), first.get(p["CHILD"])
        if reversed_ and started and (reversed_ < started or reversed_ < ret.lists.start):
            yield i, "DATE_PLACED_CEASED"


# --- Header and UASC --------------------------------------------------------------------------
@rule(
    "104",
    "Date for Unaccompanied Asylum-Seeking Children (UASC) status ceased is not a valid date.",
    "UASC",
    "DUC",
)
def uasc_ceased_invalid(rows, ret):
    for i, u in enumerate(rows):
        ceased = day(u["DUC"])
        if (u["DUC"] and ceased is None) or (ceased and ceased < ret.lists.start):
            yield i, "DUC"


@rule(
    "304",
    "Date unaccompanied asylum-seeking child (UASC) status ceased must be on or before the 18th "
    "birthday of a child.",
    "UASC",
    "DUC",
)
def uasc_ceased_as_adult(rows, ret):
    for i, u in enumerate(rows):
        ceased, born = day(u["DUC"]), day(u["DOB"])
        if ceased and born and ceased > _birthday_on(born, born.year + 18):
            yield i, "DUC"


@rule("165", "Data entry for mother status is invalid.", "Header", "MOTHER")
def mother_invalid(rows, ret):
    looked_after = {
        e["CHILD"] for e in ret.tables["Episodes"] if e["LS"].upper() not in ("V3", "V4")
    }
    for i, h in enumerate(rows):
        if h["CHILD"] in looked_after and h["MOTHER"] not in ("", "0", "1"):
            yield i, "MOTHER"


UPN = re.compile(r"(^((?![IOS])[A-Z]){1}(\d{12}|\d{11}[A-Z]{1})$)|^(UN[1-5])$")


@rule(
    "168",
    "Unique Pupil Number (UPN) is not valid. If unknown, default codes should be UN1, UN2, UN3, "
    "UN4 or UN5.",
    "Header",
    "UPN",
)
def upn_invalid(rows, ret):
    return ((i, "UPN") for i, h in enumerate(rows) if h["UPN"] and not UPN.match(h["UPN"]))


date_rule(
    "171",
    "Date of birth of mother's child is not a valid date.",
    "Header",
    "MC_DOB",
    blank_ok=True,
)


@rule("232", "Sex of the child/young person has been reported as unknown.", "Header", "SEX")
def sex_unknown(rows, ret):
    return ((i, "SEX") for i, h in enumerate(rows) if h["SEX"].upper() == "U")


@rule("442", "Unique Pupil Number (UPN) field is not completed.", "Header", "UPN")
def upn_blank(rows, ret):
    looked_after = {e["CHILD"] for e in ret.tables["Episodes"] if e["LS"] not in ("V3", "V4")}
    for i, h in enumerate(rows):
        if h["CHILD"] in looked_after and not h["UPN"]:
            yield i, "UPN"


@rule("444", "Duplicate UPN has been reported", "Header", "UPN")
def upn_twice(rows, ret):
    unknown = {"UN1", "UN2", "UN3", "UN4", "UN5"}
    seen = Counter(h["UPN"] for h in rows if h["UPN"] and h["UPN"] not in unknown)
    return ((i, "UPN") for i, h in enumerate(rows) if seen[h["UPN"]] > 1)


@rule(
    "625",
    "Date of birth of the first child is beyond the end of this reporting year or the date the "
    "child ceased to be looked after.",
    "Header",
    "MC_DOB",
)
def baby_born_after_care(rows, ret):
    last_end: dict[str, dt.date] = {}
    for e in ret.tables["Episodes"]:
        ended = day(e["DEC"])
        if ended and ended > last_end.get(e["CHILD"], dt.date.min):
            last_end[e["CHILD"]] = ended
    for i, h in enumerate(rows):
        baby, ended = day(h["MC_DOB"]), last_end.get(h["CHILD"])
        if baby and ended and (baby > ret.lists.end or baby > ended):
            yield i, "MC_DOB"


@rule(
    "607",
    "Child ceased to be looked after in the year, but mother field has not been completed.",
    "Header",
    "MOTHER",
)
def left_without_mother(rows, ret):
    left = set()
    for e in ret.tables["Episodes"]:
        ended = day(e["DEC"])
        in_year = ended and ret.lists.start <= ended <= ret.lists.end
        if in_year and e["REC"] not in ("X1", "") and e["LS"] not in ("V3", "V4"):
            left.add(e["CHILD"])
    for i, h in enumerate(rows):
        if h["CHILD"] in left and h["SEX"] == "F" and not h["MOTHER"]:
            yield i, "MOTHER"


# --- Placements and legal statuses ------------------------------------------------------------
@rule("213", "Placement provider information not required.", "Episodes", "PLACE_PROVIDER")
def provider_not_required(rows, ret):
    for i, e in enumerate(rows):
        if e["PLACE"] in NO_PROVIDER | {"T4"} and e["PLACE_PROVIDER"]:
            yield i, "PLACE_PROVIDER"


@rule(
    "526",
    "Child is missing a placement provider code for at least one episode.",
    "Episodes",
    "PLACE_PROVIDER",
)
def provider_missing(rows, ret):
    for i, e in enumerate(rows):
        if e["PLACE"] not in NO_PROVIDER | {"T4"} and not e["PLACE_PROVIDER"]:
            yield i, "PLACE_PROVIDER"


@rule("214", "Placement location information not required.", "Episodes", "PL_POST", "URN")
def short_breaks_located(rows, ret):
    for i, e in enumerate(rows):
        given = [f for f in ("PL_POST", "URN") if e[f]]
        if e["LS"] in ("V3", "V4") and given:
            yield i, given[0]


@rule(
    "217",
    "Children who are placed for adoption with current foster carers (placement types A3 or A5) "
    "must have a reason for new episode of S, T or U.",
    "Episodes",
    "RNE",
)
def placed_with_carers_new_episode(rows, ret):
    for i, e in enumerate(rows):
        started = day(e["DECOM"])
        with_carers = e["PLACE"] in ("A3", "A5") and started and started >= day("01/04/2015")
        if with_carers and e["RNE"] not in ("S", "T", "U"):
            yield i, "RNE"


@rule("225", "Reason for placement change must be recorded.", "Episodes", "REASON_PLACE_CHANGE")
def placement_change_without_reason(rows, ret):
    for before_, after in _pairs(rows):
        was, now = rows[before_], rows[after]
        if (
            was["REC"] == "X1"
            and not was["REASON_PLACE_CHANGE"]
            and was["PLACE"] not in TEMPORARY
            and now["RNE"] in ("P", "B", "T", "U")
            and now["PLACE"] not in TEMPORARY
        ):
            yield before_, "REASON_PLACE_CHANGE"


@rule(
    "226",
    "Reason for placement change is not required for temporary placements.",
    "Episodes",
    "REASON_PLACE_CHANGE",
)
def temporary_with_reason(rows, ret):
    previous = {}
    for before_, after in _pairs(rows):
        previous[after] = rows[before_]
    for i, e in enumerate(rows):
        before_ = previous.get(i)
        if e["PLACE"] in TEMPORARY and (
            e["REASON_PLACE_CHANGE"] or (before_ and before_["REASON_PLACE_CHANGE"])
        ):
            yield i, "REASON_PLACE_CHANGE"


@rule(
    "234",
    "A child aged under 10 can not change placement due to being admitted to custody",
    "Episodes",
    "REASON_PLACE_CHANGE",
)
def custody_under_10(rows, ret):
    dob = births(ret)
    for i, e in enumerate(rows):
        born, started = dob.get(e["CHILD"]), day(e["DECOM"])
        if (
            e["REASON_PLACE_CHANGE"] == "CUSTOD"
            and born
            and started
            and age_on(born, started) < 10
        ):
            yield i, "REASON_PLACE_CHANGE"


@rule("175", "The number of adopter(s) code is not a valid code.", "AD1", "NB_ADOPTR")
def adopters_number_invalid(rows, ret):
    return ((i, "NB_ADOPTR") for i, a in enumerate(rows) if a["NB_ADOPTR"] not in ("", "1", "2"))


@rule(
    "359",
    "Child being looked after following 18th birthday must be accommodated under section 20(5) "
    "of the Children Act 1989 in a community home.",
    "Episodes",
    "LS",
)
def looked_after_adult(rows, ret):
    dob = births(ret)
    for i, e in enumerate(rows):
        born = dob.get(e["CHILD"])
        adult = born and _birthday_on(born, born.year + 18) < ret.lists.end
        if adult and not e["DEC"] and not (e["LS"] == "V2" and e["PLACE"] == "K2"):
            yield i, "LS"


# The youngest a child may start a placement of each type (DfE rules 371 to 374), as
# data-to-insight checks it: on episodes that have ended.
YOUNGEST = {
    "371": (
        "K3",
        16,
        "Child in supported accomodation not subject to children’s homes "
        "regulations should be at least 16.",
    ),
    "372": ("R5", 10, "Child in youth custody or prison should be at least 10."),
    "373": ("S1", 4, "Child placed in a school should be at least 4 years old."),
    "374": ("P3", 14, "Child in residential employment should be at least 14 years old."),
}
for _code, (_place, _age, _message) in YOUNGEST.items():

    def _too_young(rows, ret, place=_place, age=_age):
        dob = births(ret)
        for i, e in enumerate(rows):
            born, started = dob.get(e["CHILD"]), day(e["DECOM"])
            if e["PLACE"] != place or not (born and started and day(e["DEC"])):
                continue
            if started < _birthday_on(born, born.year + age):
                yield i, "PLACE"

    rule(_code, _message, "Episodes", "PLACE")(_too_young)


# The longest an ended placement of each temporary type may last (DfE rules 375, 376, 379).
LONGEST = {
    "375": ("T1", 42, "Hospitalisation coded as a temporary placement exceeds six weeks."),
    "376": (
        "T3",
        21,
        "Temporary placements coded as being due to holiday of usual foster "
        "carer(s) cannot exceed three weeks.",
    ),
    "379": (
        "T4",
        7,
        "Temporary placements for unspecified reason (placement code T4) cannot "
        "exceed seven days.",
    ),
}
for _code, (_place, _days, _message) in LONGEST.items():

    def _too_long(rows, ret, place=_place, days=_days):
        for i, e in enumerate(rows):
            started, ended = day(e["DECOM"]), day(e["DEC"])
            if e["PLACE"] == place and started and ended and (ended - started).days > days:
                yield i, "DEC"

    rule(_code, _message, "Episodes", "DEC")(_too_long)


@rule(
    "365",
    "Any individual short- term respite placement must not exceed 17 days.",
    "Episodes",
    "DEC",
)
def respite_too_long(rows, ret):
    for i, e in enumerate(rows):
        started, ended = day(e["DECOM"]), day(e["DEC"]) if e["DEC"] else ret.lists.end
        if e["LS"] == "V3" and started and ended and (ended - started).days > 17:
            yield i, "DEC"


@rule("351", "Child was over 25 at the start of the current collection year.", "Header", "DOB")
def over_25(rows, ret):
    for i, h in enumerate(rows):
        born = day(h["DOB"])
        if born and ret.lists.start > _birthday_on(born, born.year + 25):
            yield i, "DOB"


# --- Missing episodes, against each other and the periods of care ------------------------------
@rule(
    "564",
    "Child was missing or away from placement without authorisation and the date started is "
    "blank.",
    "Missing",
    "MIS_START",
)
def missing_without_start(rows, ret):
    for i, m in enumerate(rows):
        if m["MISSING"].upper() in ("M", "A") and not m["MIS_START"]:
            yield i, "MIS_START"


@rule(
    "565",
    "The date that the child started to be missing or away from placement without authorisation "
    "has been completed but whether the child was missing or away from placement without "
    "authorisation has not been completed.",
    "Missing",
    "MISSING",
)
def started_without_type(rows, ret):
    return ((i, "MISSING") for i, m in enumerate(rows) if m["MIS_START"] and not m["MISSING"])


@rule(
    "566",
    "The date that the child's episode of being missing or away from placement without "
    "authorisation ended has been completed but whether the child was missing or away without "
    "authorisation has not been completed.",
    "Missing",
    "MISSING",
)
def ended_without_type(rows, ret):
    return ((i, "MISSING") for i, m in enumerate(rows) if m["MIS_END"] and not m["MISSING"])


@rule(
    "571",
    "The date that the child ceased to be missing or away from placement without authorisation "
    "is before the start or after the end of the collection year.",
    "Missing",
    "MIS_END",
)
def missing_end_outside_year(rows, ret):
    for i, m in enumerate(rows):
        ended = day(m["MIS_END"])
        if ended and not ret.lists.start <= ended <= ret.lists.end:
            yield i, "MIS_END"


@rule(
    "574",
    "A new missing/away from placement without authorisation period cannot start when the "
    "previous missing/away from placement without authorisation period is still open. Missing/"
    "away from placement without authorisation periods should also not overlap.",
    "Missing",
    "MIS_START",
)
def missing_overlaps(rows, ret):
    order: dict[str, list[int]] = {}
    for i, m in enumerate(rows):
        order.setdefault(m["CHILD"], []).append(i)
    for indexes in order.values():
        # In order of end (an open one ending as it starts), then start.
        def key(i):
            end = day(rows[i]["MIS_END"]) or day(rows[i]["MIS_START"]) or dt.date.max
            return end, day(rows[i]["MIS_START"]) or dt.date.max

        indexes.sort(key=key)
        for before_, after in zip(indexes, indexes[1:], strict=False):
            ended, started = day(rows[before_]["MIS_END"]), day(rows[after]["MIS_START"])
            if not rows[before_]["MIS_END"] or (ended and started and started < ended):
                yield after, "MIS_START"


@rule(
    "575",
    "If the placement from which the child goes missing/away from placement without "
    "authorisation ends, the missing/away from placement without authorisation episode must "
    "also end.",
    "Missing",
    "MIS_END",
)
def missing_past_placement(rows, ret):
    held = _episodes_of(ret)
    for i, m in enumerate(rows):
        started = day(m["MIS_START"])
        if m["MIS_END"] or not started:
            continue
        for e in held.get(m["CHILD"], []):
            begun, ended = day(e["DECOM"]), day(e["DEC"])
            if begun and ended and begun <= started <= ended:
                yield i, "MIS_END"
                break


def _periods(ret) -> dict[str, list[tuple]]:
    """Each child's periods of care: (start, end or None), from consecutive episodes."""
    periods: dict[str, list[tuple]] = {}
    rows = [e for e in ret.tables["Episodes"] if day(e["DECOM"])]
    for indexes in _by_child_in_order(rows).values():
        for i in indexes:
            e, held = rows[i], periods.setdefault(rows[i]["CHILD"], [])
            started, ended = day(e["DECOM"]), day(e["DEC"])
            if held and not (held[-1][1] and started > held[-1][1]):
                held[-1] = (held[-1][0], ended)
            else:
                held.append((started, ended))
    return periods


def _missing_outside(m: dict, period: tuple) -> bool:
    """Whether a missing episode lies outside a period of care, as DfE rule 577 reads it."""
    started, ended = day(m["MIS_START"]), day(m["MIS_END"])
    begun, over = period
    if not m["MIS_END"]:
        return over is not None or bool(started and started < begun)
    return bool(ended and ((over and ended > over) or ended < begun))


@rule(
    "577",
    "Child ceased to be looked after but there is a missing/away from placement without "
    "authorisation period without an end date.",
    "Missing",
    "MIS_END",
)
def missing_after_care_ended(rows, ret):
    periods = _periods(ret)
    for i, m in enumerate(rows):
        held = periods.get(m["CHILD"])
        if m["MIS_START"] and held and all(_missing_outside(m, p) for p in held):
            yield i, "MIS_END"


@rule(
    "578",
    "The date that the child started to be missing is after the child ceased to be looked after.",
    "Missing",
    "MIS_START",
)
def missing_outside_care(rows, ret):
    periods = _periods(ret)
    for i, m in enumerate(rows):
        started = day(m["MIS_START"])
        held = periods.get(m["CHILD"])
        if (
            started
            and held
            and all(started < begun or (over and started > over) for begun, over in held)
        ):
            yield i, "MIS_START"


@rule(
    "580",
    "Child is missing when cease being looked after but reason episode ceased not ‘E8’.",
    "Episodes",
    "REC",
)
def left_while_missing(rows, ret):
    eighteenth = {}
    for m in ret.tables["Missing"]:
        born, ended = day(m["DOB"]), day(m["MIS_END"])
        if born and ended and ended == _birthday_on(born, born.year + 18):
            eighteenth.setdefault(m["CHILD"], set()).add(ended)
    for i, e in enumerate(rows):
        ended = day(e["DEC"])
        if ended and ended in eighteenth.get(e["CHILD"], set()) and e["REC"] != "E8":
            yield i, "REC"


@rule(
    "581", "Child is missing but has not yet started to be looked after.", "Missing", "MIS_START"
)
def missing_before_care(rows, ret):
    held = _episodes_of(ret)
    for i, m in enumerate(rows):
        started = day(m["MIS_START"])
        episodes = held.get(m["CHILD"], [])
        if episodes and not any(_within(started, e) for e in episodes):
            yield i, "MIS_START"


def _within(on, e: dict) -> bool:
    begun, ended = day(e["DECOM"]), day(e["DEC"])
    return bool(on and begun and begun <= on and (ended is None or on <= ended))


# --- Previous permanence ----------------------------------------------------------------------
@rule(
    "630",
    "Information on previous permanence option should be returned.",
    "Episodes",
    "RNE",
)
def permanence_not_returned(rows, ret):
    held = {}
    for p in ret.tables["PrevPerm"]:
        held.setdefault(p["CHILD"], []).append(p)
    for i, e in enumerate(rows):
        started = day(e["DECOM"])
        if e["RNE"] != "S" or not (started and started >= ret.lists.start):
            continue
        options = held.get(e["CHILD"], [])
        if not options or any(
            not p["PREV_PERM"]
            or (p["PREV_PERM"] != "Z1" and not (p["LA_PERM"] and p["DATE_PERM"]))
            for p in options
        ):
            yield i, "RNE"


@rule(
    "632",
    "Date of previous permanence order not a valid value. NOTE: This rule may result in false "
    "negatives where the period of care started before the current collection year",
    "PrevPerm",
    "DATE_PERM",
)
def permanence_date_invalid(rows, ret):
    first: dict[str, dt.date] = {}
    for e in ret.tables["Episodes"]:
        started = day(e["DECOM"])
        if started and started < first.get(e["CHILD"], dt.date.max):
            first[e["CHILD"]] = started
    for i, p in enumerate(rows):
        if p["CHILD"] not in first:
            continue
        ordered = _permanence_date(p["DATE_PERM"])
        if (p["DATE_PERM"] and ordered is None) or (ordered and ordered >= first[p["CHILD"]]):
            yield i, "DATE_PERM"


def _permanence_date(text: str):
    """A DD/MM/YYYY date where ZZ stands for a day or month not known (ZZZZ for the year): the
    latest date it could be, as data-to-insight reads it."""
    parts = text.split("/")
    if len(parts) != 3:
        return None
    dd, mm, yyyy = parts
    known = day(
        f"{'01' if dd == 'ZZ' else dd}/{'01' if mm == 'ZZ' else mm}/"
        f"{'2000' if yyyy == 'ZZZZ' else yyyy}"
    )
    if known and mm == "ZZ":
        return known.replace(month=12, day=31)
    if known and dd == "ZZ":
        following = known.replace(day=28) + dt.timedelta(days=4)
        return following - dt.timedelta(days=following.day)
    return known


LOCAL_AUTHORITIES = set(
    [
        "800",
        "889",
        "822",
        "301",
        "304",
        "303",
        "330",
        "825",
        "837",
        "302",
        "846",
        "370",
        "350",
        "890",
        "867",
        "380",
        "305",
        "801",
        "351",
        "873",
        "823",
        "895",
        "896",
        "381",
        "909",
        "202",
        "908",
        "331",
        "306",
        "841",
        "830",
        "831",
        "878",
        "371",
        "835",
        "332",
        "840",
        "307",
        "308",
        "811",
        "881",
        "845",
        "390",
        "916",
        "203",
        "876",
        "850",
        "311",
        "204",
        "884",
        "312",
        "205",
        "313",
        "805",
        "919",
        "310",
        "309",
        "420",
        "921",
        "206",
        "207",
        "886",
        "810",
        "382",
        "314",
        "340",
        "888",
        "208",
        "856",
        "383",
        "855",
        "209",
        "925",
        "341",
        "201",
        "821",
        "352",
        "806",
        "887",
        "826",
        "315",
        "929",
        "812",
        "391",
        "926",
        "892",
        "813",
        "802",
        "928",
        "891",
        "392",
        "316",
        "815",
        "353",
        "931",
        "879",
        "836",
        "851",
        "874",
        "807",
        "354",
        "317",
        "870",
        "318",
        "372",
        "857",
        "333",
        "935",
        "343",
        "803",
        "373",
        "342",
        "893",
        "356",
        "355",
        "871",
        "394",
        "334",
        "933",
        "882",
        "936",
        "861",
        "852",
        "319",
        "860",
        "808",
        "393",
        "866",
        "210",
        "357",
        "894",
        "883",
        "880",
        "358",
        "211",
        "937",
        "869",
        "320",
        "359",
        "865",
        "384",
        "335",
        "336",
        "212",
        "868",
        "872",
        "885",
        "344",
        "877",
        "213",
        "938",
        "816",
        "999",
    ]
) | {"WAL", "SCO", "NUK", "NIR"}


@rule(
    "633",
    "Local authority code where previous permanence option was arranged is not a valid value.",
    "PrevPerm",
    "LA_PERM",
)
def permanence_authority_invalid(rows, ret):
    for i, p in enumerate(rows):
        if p["LA_PERM"] and p["LA_PERM"] not in LOCAL_AUTHORITIES:
            yield i, "LA_PERM"


@rule(
    "635",
    "There are entries for date of order and local authority code where previous permanence "
    "option was arranged but previous permanence code is Z1",
    "PrevPerm",
    "PREV_PERM",
)
def permanence_details_without_option(rows, ret):
    for i, p in enumerate(rows):
        if (p["LA_PERM"] or p["DATE_PERM"]) and not p["PREV_PERM"]:
            yield i, "PREV_PERM"


# --- Reviews ----------------------------------------------------------------------------------
@rule(
    "440",
    "Participation method indicates child was under 4 years old at the time of the review, but "
    "date of birth and review date indicates the child was 4 years old or over.",
    "Reviews",
    "REVIEW_CODE",
)
def review_as_under_4(rows, ret):
    for i, r in enumerate(rows):
        born, held = day(r["DOB"]), day(r["REVIEW"])
        if (
            r["REVIEW_CODE"] == "PN0"
            and born
            and held
            and held > _birthday_on(born, born.year + 4)
        ):
            yield i, "REVIEW_CODE"


@rule(
    "441",
    "Participation method indicates child was 4 years old or over at the time of the review, but "
    "the date of birth and review date indicates the child was under 4 years old.",
    "Reviews",
    "REVIEW_CODE",
)
def review_as_over_4(rows, ret):
    over_4 = {"PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"}
    for i, r in enumerate(rows):
        born, held = day(r["DOB"]), day(r["REVIEW"])
        if (
            r["REVIEW_CODE"] in over_4
            and born
            and held
            and held < _birthday_on(born, born.year + 4)
        ):
            yield i, "REVIEW_CODE"


# --- Children looked after for a year (OC2) ---------------------------------------------------
HEALTH = ("IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE")


@rule(
    "159",
    "If a child has been recorded as not receiving an intervention for their substance misuse "
    "problem, then the additional item on whether an intervention was offered should be "
    "completed as well.",
    "OC2",
    "INTERVENTION_OFFERED",
)
def not_received_without_offer(rows, ret):
    for i, o in enumerate(rows):
        not_received = o["SUBSTANCE_MISUSE"] == "1" and o["INTERVENTION_RECEIVED"] == "0"
        if not_received and not o["INTERVENTION_OFFERED"]:
            yield i, "INTERVENTION_OFFERED"


@rule(
    "181",
    "Data items relating to children looked after continuously for 12 months should be "
    "completed with a 0 or 1.",
    "OC2",
    *OC2_ITEMS,
)
def oc2_item_invalid(rows, ret):
    for i, o in enumerate(rows):
        wrong = [f for f in OC2_ITEMS if o[f] not in ("", "0", "1")]
        if wrong:
            yield i, wrong[0]


@rule(
    "182",
    "Data entries on immunisations, teeth checks, health assessments and substance misuse "
    "problem identified should be completed or all OC2 fields should be left blank.",
    "OC2",
    *HEALTH,
)
def health_half_given(rows, ret):
    others = ("CONVICTED", "HEALTH_CHECK", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED")
    for i, o in enumerate(rows):
        blank = [f for f in HEALTH if not o[f]]
        if blank and any(o[f] for f in others):
            yield i, blank[0]


@rule(
    "193",
    "Child not identified as having a substance misuse problem but at least one of the two "
    "additional items on whether an intervention were offered and received have been completed.",
    "OC2",
    "INTERVENTION_RECEIVED",
    "INTERVENTION_OFFERED",
)
def intervention_without_misuse(rows, ret):
    for i, o in enumerate(rows):
        given = [f for f in ("INTERVENTION_RECEIVED", "INTERVENTION_OFFERED") if o[f]]
        if o["SUBSTANCE_MISUSE"] in ("", "0") and given:
            yield i, given[0]


@rule(
    "197a",
    "Reason for no Strengths and Difficulties (SDQ) score is not required if Strengths and "
    "Difficulties Questionnaire score is filled in.",
    "OC2",
    "SDQ_REASON",
)
def sdq_score_and_reason(rows, ret):
    return ((i, "SDQ_REASON") for i, o in enumerate(rows) if o["SDQ_SCORE"] and o["SDQ_REASON"])


@rule(
    "189",
    "Child is aged 17 years or over at the beginning of the year, but an Strengths and "
    "Difficulties (SDQ) score or a reason for no Strengths and Difficulties (SDQ) score has been "
    "completed.",
    "OC2",
    "SDQ_SCORE",
)
def sdq_over_17(rows, ret):
    for i, o in enumerate(rows):
        born = day(o["DOB"])
        over_17 = born and _birthday_on(born, born.year + 17) < ret.lists.start
        if over_17 and (o["SDQ_SCORE"] or o["SDQ_REASON"]):
            yield i, "SDQ_SCORE"


# A conviction or a health check (under 5s) recorded needs the health items too (544, 547).
for _code, _field, _message in [
    (
        "544",
        "CONVICTED",
        "Any child who has conviction information completed must also have immunisation, teeth "
        "check, health assessment and substance misuse problem identified fields completed.",
    ),
    (
        "547",
        "HEALTH_CHECK",
        "Any child who has health promotion information completed must also have immunisation, "
        "teeth check, health assessment and substance misuse problem identified fields "
        "completed.",
    ),
]:

    def _without_health(rows, ret, field=_field):
        for i, o in enumerate(rows):
            blank = [f for f in HEALTH if not o[f]]
            if o[field] == "1" and blank:
                yield i, blank[0]

    rule(_code, _message, "OC2", *HEALTH)(_without_health)


# --- Social worker episodes, against the year and each other ----------------------------------
date_rule(
    "SW04STG1",
    "Date social worker episode began is not a valid date..",
    "SWEpisodes",
    "SW_DECOM",
    blank_ok=True,
)
date_rule(
    "SW05STG1",
    "Date social worker episode began is not a valid date.",
    "SWEpisodes",
    "SW_DEC",
    blank_ok=True,
)


@rule(
    "SW06STG2",
    "Social worker episode data should be within the social worker data reporting year.",
    "SWEpisodes",
    "SW_DECOM",
)
def worker_after_year(rows, ret):
    for i, s in enumerate(rows):
        started = day(s["SW_DECOM"])
        if s["SW_DECOM"] and not (started and started <= ret.lists.end):
            yield i, "SW_DECOM"


@rule(
    "SW07STG2",
    "Social worker episode end date should be on or after the start of the social worker "
    "reporting period, and should be on or before the collection end date.",
    "SWEpisodes",
    "SW_DEC",
)
def worker_end_outside_period(rows, ret):
    # The social worker reporting period starts a year before the collection year.
    first = ret.lists.start.replace(year=ret.lists.start.year - 1)
    for i, s in enumerate(rows):
        ended = day(s["SW_DEC"])
        if s["SW_DEC"] and not (ended and first <= ended <= ret.lists.end):
            yield i, "SW_DEC"


def _workers_in_order(rows) -> dict[str, list[int]]:
    order: dict[str, list[int]] = {}
    for i, s in enumerate(rows):
        order.setdefault(s["CHILD"], []).append(i)
    for indexes in order.values():
        indexes.sort(
            key=lambda i: (
                day(rows[i]["SW_DECOM"]) or dt.date.max,
                day(rows[i]["SW_DEC"]) or dt.date.max,
            )
        )
    return order


@rule(
    "SW08STG2",
    "A new social worker episode has started, but the previous episode has not ended.",
    "SWEpisodes",
    "SW_DEC",
)
def worker_open_before_next(rows, ret):
    for indexes in _workers_in_order(rows).values():
        for i in indexes[:-1]:
            if rows[i]["SW_DECOM"] and not rows[i]["SW_DEC"]:
                yield i, "SW_DEC"


@rule(
    "SW09STG2",
    "Social worker episode appears to have lasted for less than 24 hours.",
    "SWEpisodes",
    "SW_DEC",
)
def worker_under_a_day(rows, ret):
    for i, s in enumerate(rows):
        started, ended = day(s["SW_DECOM"]), day(s["SW_DEC"])
        if started and ended and (ended - started).days < 3:
            yield i, "SW_DEC"


@rule(
    "SW10STG2",
    "A new social worker episode has started before the end date of the previous social worker "
    "episode.",
    "SWEpisodes",
    "SW_DECOM",
)
def worker_not_following_on(rows, ret):
    # Within a week of the previous episode's end, unless it is a first contact.
    for indexes in _workers_in_order(rows).values():
        for before_, after in zip(indexes, indexes[1:], strict=False):
            ended, started = day(rows[before_]["SW_DEC"]), day(rows[after]["SW_DECOM"])
            near = ended and started and abs((started - ended).days) <= 7
            if rows[after]["SW_REASON"] != "FCONTA" and not near:
                yield after, "SW_DECOM"


@rule(
    "SW19STG2",
    "There are 2 social worker episodes for the child starting on the same date.",
    "SWEpisodes",
    "SW_DECOM",
)
def workers_same_start(rows, ret):
    seen = set()
    for i, s in enumerate(rows):
        if (s["CHILD"], s["SW_DECOM"]) in seen:
            yield i, "SW_DECOM"
        seen.add((s["CHILD"], s["SW_DECOM"]))


# --- Short breaks (V3, V4) --------------------------------------------------------------------
SHORT_BREAKS = ("V3", "V4")


@rule(
    "366",
    "A child cannot change placement during the course of an individual short-term respite break.",
    "Episodes",
    "RNE",
)
def short_break_moved(rows, ret):
    return ((i, "RNE") for i, e in enumerate(rows) if e["LS"] == "V3" and e["RNE"] != "S")


@rule(
    "382",
    "A child receiving respite care cannot be in a temporary placement.",
    "Episodes",
    "PLACE",
)
def short_break_temporary(rows, ret):
    for i, e in enumerate(rows):
        if e["LS"] in SHORT_BREAKS and e["PLACE"] in TEMPORARY:
            yield i, "PLACE"


@rule(
    "384",
    "A child receiving respite care cannot be in a long-term foster placement ",
    "Episodes",
    "PLACE",
)
def short_break_long_term(rows, ret):
    for i, e in enumerate(rows):
        if e["LS"] in SHORT_BREAKS and e["PLACE"] in ("U1", "U4"):
            yield i, "PLACE"


@rule(
    "426",
    "A child receiving respite care cannot be recorded under a legal status of V3 and V4 in the "
    "same year.",
    "Episodes",
    "LS",
)
def both_short_breaks(rows, ret):
    both = {e["CHILD"] for e in rows if e["LS"] == "V3"} & {
        e["CHILD"] for e in rows if e["LS"] == "V4"
    }
    return (
        (i, "LS") for i, e in enumerate(rows) if e["LS"] in SHORT_BREAKS and e["CHILD"] in both
    )


@rule(
    "399",
    "Mother field, review field or participation field are completed but child is looked after "
    "under legal status V3 or V4.",
    "Episodes",
    "LS",
)
def short_breaks_with_reviews(rows, ret):
    only_breaks = {e["CHILD"] for e in rows} - {
        e["CHILD"] for e in rows if e["LS"] not in SHORT_BREAKS
    }
    mothers = {h["CHILD"] for h in ret.tables["Header"] if h["MOTHER"]}
    reviewed = {r["CHILD"] for r in ret.tables["Reviews"] if r["REVIEW"] or r["REVIEW_CODE"]}
    for i, e in enumerate(rows):
        if e["CHILD"] in only_breaks and e["CHILD"] in mothers | reviewed:
            yield i, "LS"


@rule(
    "446", "E1 is not a valid code for episodes starting before December 2005.", "Episodes", "LS"
)
def placement_order_before_2005(rows, ret):
    for i, e in enumerate(rows):
        started = day(e["DECOM"])
        if e["LS"] == "E1" and started and started < day("01/12/2005"):
            yield i, "LS"


@rule(
    "378",
    "A child who is placed with parent(s) cannot be looked after under a single period of "
    "accommodation under Section 20 of the Children Act 1989.",
    "Episodes",
    "LS",
)
def accommodated_with_parents(rows, ret):
    return ((i, "LS") for i, e in enumerate(rows) if e["PLACE"] == "P1" and e["LS"] == "V2")


@rule(
    "408",
    "Child is placed for adoption with a placement order, but no placement order has been "
    "recorded.",
    "Episodes",
    "LS",
)
def placed_without_order(rows, ret):
    return (
        (i, "LS") for i, e in enumerate(rows) if e["PLACE"] in ("A5", "A6") and e["LS"] != "E1"
    )


@rule(
    "383",
    "A child in a temporary placement must subsequently return to his/her normal placement.",
    "Episodes",
    "PLACE",
)
def not_back_after_temporary(rows, ret):
    # As data-to-insight compares them, a blank postcode is never the same as another.
    for indexes in _by_child_in_order(rows).values():
        for usual, temporary, after in zip(indexes, indexes[1:], indexes[2:], strict=False):
            was, now = rows[usual], rows[after]
            if rows[temporary]["PLACE"] in TEMPORARY and (
                now["RNE"] != "P"
                or now["PLACE"] != was["PLACE"]
                or not now["PL_POST"]
                or now["PL_POST"] != was["PL_POST"]
            ):
                yield after, "PLACE"


# The longest a legal status may last over consecutive episodes (DfE rules 361 to 364); an
# open episode counts to the end of the year.
LONGEST_STATUS = {
    "361": ("L1", 3),
    "362": ("L2", 21),
    "363": ("L3", 7),
    "364": ("J2", 21),
}
LONGEST_STATUS_MESSAGE = {
    "361": "Police protection legal status lasted longer than maximum 72 hours allowed in the "
    "Children Act 1989.",
    "362": "Emergency protection order (EPO) lasted longer than 21 days",
    "363": "Child assessment order (CAO) lasted longer than 7 days allowed in the Children Act "
    "1989.",
    "364": "Sections 41-46 of Police and Criminal Evidence (PACE; 1984) severely limits the time "
    "a child can be detained in custody in Local Authority (LA) accommodation.",
}
for _code, (_status, _days) in LONGEST_STATUS.items():

    def _too_long_status(rows, ret, status=_status, days=_days):
        for indexes in _by_child_in_order(rows).values():
            held = [i for i in indexes if rows[i]["LS"] == status]
            held = [i for i in held if day(rows[i]["DECOM"])]
            runs: list[list[int]] = []
            for i in held:
                ended = day(rows[runs[-1][-1]]["DEC"]) if runs else None
                if runs and (ended is None or day(rows[i]["DECOM"]) <= ended):
                    runs[-1].append(i)
                else:
                    runs.append([i])
            for run in runs:
                last = day(rows[run[-1]]["DEC"]) or ret.lists.end
                if (last - day(rows[run[0]]["DECOM"])).days > days:
                    yield from ((i, "LS") for i in run)

    rule(_code, LONGEST_STATUS_MESSAGE[_code], "Episodes", "LS")(_too_long_status)


@rule(
    "367",
    "The maximum amount of respite care allowable is 75 days in any 12-month period.",
    "Episodes",
    "LS",
)
def too_much_respite(rows, ret):
    # Days of V3 episodes within the collection year (open ones to its end).
    days: dict[int, int] = {}
    for i, e in enumerate(rows):
        started, ended = day(e["DECOM"]), day(e["DEC"])
        if e["LS"] != "V3" or not started:
            continue
        ended = min(ended, ret.lists.end) if ended else ret.lists.end
        length = (ended - max(started, ret.lists.start)).days
        if length > 0:
            days[i] = length
    total = Counter()
    for i, length in days.items():
        total[rows[i]["CHILD"]] += length
    return ((i, "LS") for i in days if total[rows[i]["CHILD"]] > 75)


@rule(
    "377",
    "Only two temporary placements coded as being due to holiday of usual foster carer(s) are "
    "allowed in any 12- month period.",
    "Episodes",
    "PLACE",
)
def too_many_carer_holidays(rows, ret):
    holidays = Counter(e["CHILD"] for e in rows if e["PLACE"] == "T3")
    for i, e in enumerate(rows):
        if e["PLACE"] == "T3" and holidays[e["CHILD"]] > 2:
            yield i, "PLACE"


@rule(
    "1003",
    "Date of LA's decision that a child should be placed for adoption is before the child "
    "started to be looked after.",
    "PlacedAdoption",
    "DATE_PLACED",
)
def decided_before_looked_after(rows, ret):
    first: dict[str, dt.date] = {}
    for e in ret.tables["Episodes"]:
        started = day(e["DECOM"])
        if e["RNE"] == "S" and started and started < first.get(e["CHILD"], dt.date.max):
            first[e["CHILD"]] = started
    for i, p in enumerate(rows):
        decided, started = day(p["DATE_PLACED"]), first.get(p["CHILD"])
        if decided and started and decided < started:
            yield i, "DATE_PLACED"


# --- Looked after continuously for the year (OC2 cohort) --------------------------------------
def looked_after_all_year(ret) -> set[str]:
    """Children looked after throughout the collection year, as data-to-insight reads the DfE's
    definition: in care during the year, and no episode starts or ends their care within it
    or is a short break."""
    start, end = ret.lists.start, ret.lists.end
    during, broken = set(), set()
    for e in ret.tables["Episodes"]:
        started, ended = day(e["DECOM"]), day(e["DEC"])
        in_year = bool(started and started <= end and (ended is None or ended >= start))
        if in_year:
            during.add(e["CHILD"])
        enters = e["RNE"] == "S" and started and start < started <= end
        leaves = e["REC"] != "X1" and ended and start <= ended < end
        if enters or leaves or (e["LS"] in SHORT_BREAKS and in_year):
            broken.add(e["CHILD"])
    return during - broken


def _oc2_rule(code: str, message: str, *fields: str):
    """An OC2 rule as a test of (row, whether looked after all year, date of birth, return)."""

    def register(test):
        def check(rows, ret):
            cohort = looked_after_all_year(ret)
            for i, o in enumerate(rows):
                if test(o, o["CHILD"] in cohort, day(o["DOB"]), ret):
                    yield i, fields[0]

        rule(code, message, "OC2", *fields)(check)
        return test

    return register


@_oc2_rule(
    "185",
    "Child has not been looked after continuously for at least 12 months at 31 March but a "
    "Strengths and Difficulties (SDQ) score has been completed.",
    "SDQ_SCORE",
)
def sdq_outside_cohort(o, cohort, born, ret):
    return bool(o["SDQ_SCORE"]) and not cohort


@_oc2_rule(
    "198",
    "Child has not been looked after continuously for at least 12 months at 31 March but a "
    "reason for no Strengths and Difficulties (SDQ) score has been completed. ",
    "SDQ_REASON",
)
def sdq_reason_outside_cohort(o, cohort, born, ret):
    return bool(o["SDQ_REASON"]) and not cohort


@_oc2_rule(
    "190",
    "Child has not been looked after continuously for at least 12 months at 31 March but one or "
    "more data items relating to children looked after for 12 months have been completed.",
    *OC2_ITEMS,
)
def oc2_outside_cohort(o, cohort, born, ret):
    return not cohort and any(o[f] for f in OC2_ITEMS)


@_oc2_rule(
    "543",
    "Child is aged 10 or over at 31 March and has been looked after continuously for 12 months "
    "yet conviction information has not been completed.",
    "CONVICTED",
)
def conviction_not_given(o, cohort, born, ret):
    ten = born and _birthday_on(born, born.year + 10)
    return bool(cohort and ten and ret.lists.end > ten and not o["CONVICTED"])


@_oc2_rule(
    "545",
    "Child is aged under 5 at 31 March and has been looked after continuously for 12 months yet "
    "health promotion information has not been completed.",
    "HEALTH_CHECK",
)
def health_check_not_given(o, cohort, born, ret):
    five = born and _birthday_on(born, born.year + 5)
    return bool(cohort and five and ret.lists.end < five and not o["HEALTH_CHECK"])


@_oc2_rule(
    "186",
    "Children aged 4 or over at the start of the year and children aged under 17 at the end of "
    "the year and who have been looked after for at least 12 months continuously should have a "
    "Strengths and Difficulties (SDQ) score completed.",
    "SDQ_SCORE",
)
def sdq_missing(o, cohort, born, ret):
    if not (cohort and born) or o["SDQ_SCORE"] or o["SDQ_REASON"]:
        return False
    four, seventeen = _birthday_on(born, born.year + 4), _birthday_on(born, born.year + 17)
    return four <= ret.lists.start and seventeen > ret.lists.end


@_oc2_rule(
    "157",
    "Child is aged 4 years or over at the beginning of the year or 16 years or under at the end "
    "of the year and Strengths and Difficulties Questionnaire (SDQ) 1 has been recorded as the "
    "reason for no Strengths and Difficulties Questionnaire (SDQ) score.",
    "SDQ_REASON",
)
def sdq_not_given_without_reason(o, cohort, born, ret):
    if not (cohort and born) or o["SDQ_SCORE"] or o["SDQ_REASON"] != "SDQ1":
        return False
    four, sixteen = _birthday_on(born, born.year + 4), _birthday_on(born, born.year + 16)
    return four <= ret.lists.start and sixteen >= ret.lists.end


@_oc2_rule(
    "197B",
    "SDQ score or reason for no SDQ should be reported for 4- or 17-year-olds.",
    "SDQ_SCORE",
)
def sdq_missing_at_4_or_17(o, cohort, born, ret):
    if not (cohort and born) or o["SDQ_SCORE"] or o["SDQ_REASON"]:
        return False
    start, end = ret.lists.start, ret.lists.end
    return any(start <= _birthday_on(born, born.year + n) <= end for n in (4, 17))


@rule(
    "191",
    "Child has been looked after continuously for at least 12 months at 31 March but one or more "
    "data items relating to children looked after for 12 months have been left blank.",
    "Episodes",
    "CHILD",
)
def cohort_without_oc2(rows, ret):
    cohort, oc2 = looked_after_all_year(ret), {}
    for o in ret.tables["OC2"]:
        oc2.setdefault(o["CHILD"], []).append(o)
    for indexes in _by_child_in_order(rows).values():
        child = rows[indexes[0]]["CHILD"]
        held = oc2.get(child, [])
        if child in cohort and (not held or any(not o[f] for o in held for f in HEALTH)):
            yield indexes[0], "CHILD"
