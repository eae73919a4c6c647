"""The SSDA903 rules Tandem checks, one declaration or small function per DfE rule code, with
the DfE's messages. Codes and messages follow the DfE's validation rules (as data-to-insight's
lac validator numbers them) so a performance officer can look each one up."""

from tandem.returns.validation import age_on, births, code_rule, day, rule

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
