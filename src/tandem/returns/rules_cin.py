"""The Children in Need census rules Tandem checks, one declaration or small function per DfE
rule code, with the DfE's messages (as data-to-insight's cin validator numbers them). They read
`cin_tables.CinTables`: the tables of the XML that is sent.

Not covered, and why, is listed in docs/returns-rules.md.
"""

from collections import Counter, defaultdict

from tandem.people.identifiers import UPN_LETTERS, upn_check_letter
from tandem.returns.cin_tables import iso
from tandem.returns.validation import CIN_RULES, code_rule, rule


def cin_rule(code, message, table, *fields):
    return rule(code, message, table, *fields, registry=CIN_RULES)


def cin_code(code, message, table, field, list_name="", blank_ok=True):
    code_rule(
        code, message, table, field, list_name=list_name, blank_ok=blank_ok, registry=CIN_RULES
    )


def in_year(ret, text: str) -> bool:
    day = iso(text)
    return day is not None and ret.lists.start <= day <= ret.lists.end


def episodes(ret) -> dict[tuple[str, str], dict]:
    """{(LAchildID, CINdetailsID): the CINdetails row}."""
    return {(e["LAchildID"], e["CINdetailsID"]): e for e in ret.tables["CINdetails"]}


def of_episode(ret, table: str) -> dict[tuple[str, str], list[dict]]:
    held = defaultdict(list)
    for row in ret.tables[table]:
        held[(row["LAchildID"], row["CINdetailsID"])].append(row)
    return held


def nfa(row: dict) -> bool:
    return row["ReferralNFA"].lower() in ("true", "1")


def before(a: str, b: str) -> bool:
    """Date `a` is before date `b` (both present)."""
    x, y = iso(a), iso(b)
    return x is not None and y is not None and x < y


# --- Child identifiers ------------------------------------------------------------------------
@cin_rule("8500", "LA Child ID missing", "ChildIdentifiers", "LAchildID")
def child_id_missing(rows, ret):
    return ((i, "LAchildID") for i, c in enumerate(rows) if not c["LAchildID"])


@cin_rule(
    "8510",
    "More than one child record with the same LA Child ID",
    "ChildIdentifiers",
    "LAchildID",
)
def child_id_twice(rows, ret):
    seen = Counter(c["LAchildID"] for c in rows if c["LAchildID"])
    return ((i, "LAchildID") for i, c in enumerate(rows) if seen[c["LAchildID"]] > 1)


@cin_rule(
    "1570",
    "LA Child ID must not be longer than 20 characters",
    "ChildIdentifiers",
    "LAchildID",
)
def child_id_too_long(rows, ret):
    return ((i, "LAchildID") for i, c in enumerate(rows) if len(c["LAchildID"]) > 20)


@cin_rule(
    "1580",
    "LA Child ID must not contain any non-alphanumeric characters",
    "ChildIdentifiers",
    "LAchildID",
)
def child_id_not_alphanumeric(rows, ret):
    return (
        (i, "LAchildID")
        for i, c in enumerate(rows)
        if c["LAchildID"] and not (c["LAchildID"].isascii() and c["LAchildID"].isalnum())
    )


@cin_rule("1510", "UPN invalid (wrong check letter at character 1)", "ChildIdentifiers", "UPN")
def upn_check_letter_wrong(rows, ret):
    for i, c in enumerate(rows):
        upn = c["UPN"]
        if len(upn) == 13 and upn[1:].isdigit() and upn_check_letter(upn[1:]) != upn[0]:
            yield i, "UPN"


@cin_rule("1520", "More than one record with the same UPN.", "ChildIdentifiers", "UPN")
def upn_twice(rows, ret):
    seen = Counter(c["UPN"] for c in rows if c["UPN"])
    return ((i, "UPN") for i, c in enumerate(rows) if seen[c["UPN"]] > 1)


@cin_rule(
    "1530", "UPN invalid (characters 2-4 not a recognised LA code)", "ChildIdentifiers", "UPN"
)
def upn_not_an_la_number(rows, ret):
    numbers = ret.lists.codes["UPN_LA"]
    return (
        (i, "UPN")
        for i, c in enumerate(rows)
        if len(c["UPN"]) == 13 and c["UPN"][1:4] not in numbers
    )


@cin_rule("1540", "UPN invalid (characters 5-12 not all numeric)", "ChildIdentifiers", "UPN")
def upn_not_numeric(rows, ret):
    for i, c in enumerate(rows):
        if len(c["UPN"]) == 13 and not c["UPN"][4:12].isdigit():
            yield i, "UPN"


@cin_rule("1550", "UPN invalid (character 13 not a recognised value)", "ChildIdentifiers", "UPN")
def upn_last_character(rows, ret):
    for i, c in enumerate(rows):
        last = c["UPN"][12:13]
        if len(c["UPN"]) == 13 and not (last.isdigit() or last in UPN_LETTERS):
            yield i, "UPN"


@cin_rule("4180", "Sex must be provided and equal M, F, or U", "ChildIdentifiers", "Sex")
def sex_invalid(rows, ret):
    return ((i, "Sex") for i, c in enumerate(rows) if c["Sex"] not in ret.lists.codes["Sex"])


@cin_rule(
    "8520",
    "Date of Birth is after data collection period (must be on or before the end of the "
    "census period)",
    "ChildIdentifiers",
    "PersonBirthDate",
)
def born_after_census(rows, ret):
    for i, c in enumerate(rows):
        born = iso(c["PersonBirthDate"])
        if born and born > ret.lists.end:
            yield i, "PersonBirthDate"


@cin_rule("8750", "Sex must equal U for an unborn child", "ChildIdentifiers", "Sex")
def unborn_sex(rows, ret):
    for i, c in enumerate(rows):
        if not c["PersonBirthDate"] and c["ExpectedPersonBirthDate"] and c["Sex"] != "U":
            yield i, "Sex"


@cin_rule(
    "8772",
    "UPN unknown reason is UN7 (Referral with no further action) but at least one CIN "
    "details is a referral going on to further action",
    "ChildIdentifiers",
    "UPNunknown",
)
def un7_with_further_action(rows, ret):
    acted = {e["LAchildID"] for e in ret.tables["CINdetails"] if not nfa(e)}
    for i, c in enumerate(rows):
        if c["UPNunknown"] == "UN7" and c["LAchildID"] in acted:
            yield i, "UPNunknown"


@cin_rule("8590", "Child does not have a recorded CIN episode.", "ChildIdentifiers", "LAchildID")
def child_without_episode(rows, ret):
    held = {e["LAchildID"] for e in ret.tables["CINdetails"]}
    return ((i, "LAchildID") for i, c in enumerate(rows) if c["LAchildID"] not in held)


cin_code(
    "4220",
    "Ethnicity is missing or invalid (see Ethnicity table)",
    "ChildCharacteristics",
    "Ethnicity",
    blank_ok=False,
)


# --- Disabilities -----------------------------------------------------------------------------
cin_code(
    "8540",
    "Child's disability is missing or invalid (see Disability table)",
    "Disabilities",
    "Disability",
    blank_ok=False,
)


@cin_rule("8790", "Disability information includes both None and other values", "Disabilities")
def none_and_a_disability(rows, ret):
    codes = defaultdict(set)
    for d in rows:
        codes[d["LAchildID"]].add(d["Disability"])
    for i, d in enumerate(rows):
        held = codes[d["LAchildID"]]
        if "NONE" in held and d["Disability"] != "NONE":  # the disabilities NONE contradicts
            yield i, "Disability"


@cin_rule("8794", "Child has two or more disabilities with the same code", "Disabilities")
def disability_twice(rows, ret):
    seen = Counter((d["LAchildID"], d["Disability"]) for d in rows)
    return (
        (i, "Disability")
        for i, d in enumerate(rows)
        if seen[(d["LAchildID"], d["Disability"])] > 1
    )


# --- CIN details (the episode) ----------------------------------------------------------------
@cin_rule("8568", "RNFA flag is missing or invalid", "CINdetails", "ReferralNFA")
def nfa_flag_invalid(rows, ret):
    valid = {"true", "false", "1", "0"}
    return (
        (i, "ReferralNFA") for i, e in enumerate(rows) if e["ReferralNFA"].lower() not in valid
    )


@cin_rule(
    "8600",
    "Child referral date missing or after data collection period",
    "CINdetails",
    "CINreferralDate",
)
def referral_date_missing(rows, ret):
    for i, e in enumerate(rows):
        day = iso(e["CINreferralDate"])
        if day is None or day > ret.lists.end:
            yield i, "CINreferralDate"


@cin_rule(
    "8610",
    "Primary Need code is missing for a referral which led to further action.",
    "CINdetails",
    "PrimaryNeedCode",
)
def need_missing(rows, ret):
    return (
        (i, "PrimaryNeedCode")
        for i, e in enumerate(rows)
        if not nfa(e) and e["ReferralNFA"] and not e["PrimaryNeedCode"]
    )


@cin_rule(
    "8620",
    "CIN Closure Date present and does not fall within the Census year",
    "CINdetails",
    "CINclosureDate",
)
def closed_outside_year(rows, ret):
    return (
        (i, "CINclosureDate")
        for i, e in enumerate(rows)
        if e["CINclosureDate"] and not in_year(ret, e["CINclosureDate"])
    )


@cin_rule(
    "8630",
    "CIN Closure Date is before CIN Referral Date for the same CIN episode",
    "CINdetails",
    "CINclosureDate",
)
def closed_before_referral(rows, ret):
    return (
        (i, "CINclosureDate")
        for i, e in enumerate(rows)
        if before(e["CINclosureDate"], e["CINreferralDate"])
    )


cin_code(
    "8640",
    "CIN Reason for closure code invalid (see Reason for Closure table in CIN Census code set)",
    "CINdetails",
    "ReasonForClosure",
)
cin_code(
    "8650",
    "Primary Need Code invalid (see Primary Need table in CIN census code set)",
    "CINdetails",
    "PrimaryNeedCode",
)
cin_code(
    "8866",
    "Source of Referral is missing or an invalid code",
    "CINdetails",
    "ReferralSource",
    blank_ok=False,
)


@cin_rule(
    "8805",
    "A CIN case cannot have a CIN closure date without a Reason for Closure",
    "CINdetails",
    "ReasonForClosure",
)
def closed_without_reason(rows, ret):
    return (
        (i, "ReasonForClosure")
        for i, e in enumerate(rows)
        if e["CINclosureDate"] and not e["ReasonForClosure"]
    )


@cin_rule(
    "8810",
    "A CIN case cannot have a Reason for Closure without a CIN Closure Date",
    "CINdetails",
    "CINclosureDate",
)
def reason_without_closure(rows, ret):
    return (
        (i, "CINclosureDate")
        for i, e in enumerate(rows)
        if e["ReasonForClosure"] and not e["CINclosureDate"]
    )


@cin_rule(
    "8815",
    "More than one open CIN Details episode (a module with no CIN Closure Date) has been "
    "provided for this child and case is not a referral with no further action.",
    "CINdetails",
    "CINclosureDate",
)
def two_open_episodes(rows, ret):
    open_ = Counter(e["LAchildID"] for e in rows if not e["CINclosureDate"] and not nfa(e))
    for i, e in enumerate(rows):
        if not e["CINclosureDate"] and not nfa(e) and open_[e["LAchildID"]] > 1:
            yield i, "CINclosureDate"


@cin_rule(
    "8816",
    "An open CIN episode is shown and case is not a referral with no further action, but it "
    "is not the latest episode.",
    "CINdetails",
    "CINreferralDate",
)
def open_but_not_latest(rows, ret):
    latest = {}
    for e in rows:
        day = iso(e["CINreferralDate"])
        if day and (e["LAchildID"] not in latest or day > latest[e["LAchildID"]]):
            latest[e["LAchildID"]] = day
    for i, e in enumerate(rows):
        day = iso(e["CINreferralDate"])
        if not e["CINclosureDate"] and not nfa(e) and day and day < latest[e["LAchildID"]]:
            yield i, "CINreferralDate"


@cin_rule(
    "8820", "The dates on the CIN episodes for this child overlap", "CINdetails", "CINreferralDate"
)
def episodes_overlap(rows, ret):
    spans = defaultdict(list)
    for i, e in enumerate(rows):
        start = iso(e["CINreferralDate"])
        if start:
            spans[e["LAchildID"]].append((start, iso(e["CINclosureDate"]), i))
    for held in spans.values():
        held.sort()
        for (_s1, e1, i1), (s2, _e2, i2) in zip(held, held[1:], strict=False):
            if e1 is None or s2 < e1:
                yield i1, "CINreferralDate"
                yield i2, "CINreferralDate"


@cin_rule(
    "8831",
    "Activity is recorded against a case marked as a referral with no further action",
    "CINdetails",
    "ReferralNFA",
)
def activity_on_nfa(rows, ret):
    busy = set(of_episode(ret, "Assessments")) | set(of_episode(ret, "Section47"))
    for i, e in enumerate(rows):
        if nfa(e) and (e["LAchildID"], e["CINdetailsID"]) in busy:
            yield i, "ReferralNFA"


@cin_rule(
    "8867",
    "CIN episode is shown as closed, however Assessment is not shown as completed",
    "CINdetails",
    "CINclosureDate",
)
def closed_with_open_assessment(rows, ret):
    held = of_episode(ret, "Assessments")
    for i, e in enumerate(rows):
        key = (e["LAchildID"], e["CINdetailsID"])
        if e["CINclosureDate"] and any(
            not a["AssessmentAuthorisationDate"] for a in held.get(key, [])
        ):
            yield i, "CINclosureDate"


@cin_rule(
    "8868",
    "CIN episode is shown as closed, however Section 47 enquiry is not shown as completed by "
    "ICPC date or ICPC not required flag",
    "CINdetails",
    "CINclosureDate",
)
def closed_with_open_enquiry(rows, ret):
    held = of_episode(ret, "Section47")
    for i, e in enumerate(rows):
        key = (e["LAchildID"], e["CINdetailsID"])
        if e["CINclosureDate"] and any(
            not s["DateOfInitialCPC"] and s["ICPCnotRequired"].lower() not in ("1", "true")
            for s in held.get(key, [])
        ):
            yield i, "CINclosureDate"


@cin_rule(
    "8565",
    "Activity shown after a case has been closed",
    "CINdetails",
    "CINclosureDate",
)
def activity_after_closure(rows, ret):
    dated = {
        "Assessments": ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
        "Section47": ("S47ActualStartDate", "DateOfInitialCPC"),
        "CINplanDates": ("CINPlanStartDate", "CINPlanEndDate"),
        "ChildProtectionPlans": ("CPPstartDate", "CPPendDate"),
    }
    held = {table: of_episode(ret, table) for table in dated}
    for i, e in enumerate(rows):
        closed = iso(e["CINclosureDate"])
        if closed is None:
            continue
        key = (e["LAchildID"], e["CINdetailsID"])
        late = any(
            (iso(row[f]) or closed) > closed
            for table, fields in dated.items()
            for row in held[table].get(key, [])
            for f in fields
        )
        if late or (iso(e["DateOfInitialCPC"]) or closed) > closed:
            yield i, "CINclosureDate"


# --- Assessments ------------------------------------------------------------------------------
def _referred(ret) -> dict[tuple[str, str], str]:
    return {key: e["CINreferralDate"] for key, e in episodes(ret).items()}


@cin_rule(
    "1103",
    "The assessment start date cannot be before the referral date",
    "Assessments",
    "AssessmentActualStartDate",
)
def assessment_before_referral(rows, ret):
    referred = _referred(ret)
    for i, a in enumerate(rows):
        key = (a["LAchildID"], a["CINdetailsID"])
        if before(a["AssessmentActualStartDate"], referred.get(key, "")):
            yield i, "AssessmentActualStartDate"


@cin_rule(
    "8608",
    "Assessment Start Date cannot be later than its End Date",
    "Assessments",
    "AssessmentAuthorisationDate",
)
def assessment_ends_before_start(rows, ret):
    for i, a in enumerate(rows):
        if before(a["AssessmentAuthorisationDate"], a["AssessmentActualStartDate"]):
            yield i, "AssessmentAuthorisationDate"


@cin_rule(
    "8614",
    "Parental or child factors at assessment should only be present for a completed assessment.",
    "Assessments",
    "AssessmentFactors",
)
def factors_before_completion(rows, ret):
    for i, a in enumerate(rows):
        if a["AssessmentFactors"] and not a["AssessmentAuthorisationDate"]:
            yield i, "AssessmentFactors"


@cin_rule(
    "8696",
    "Assessment end date must fall within the census year",
    "Assessments",
    "AssessmentAuthorisationDate",
)
def assessment_ended_outside_year(rows, ret):
    for i, a in enumerate(rows):
        if a["AssessmentAuthorisationDate"] and not in_year(ret, a["AssessmentAuthorisationDate"]):
            yield i, "AssessmentAuthorisationDate"


@cin_rule(
    "8736",
    "For an Assessment that has not been completed, the start date must fall within the "
    "census year",
    "Assessments",
    "AssessmentActualStartDate",
)
def open_assessment_started_outside_year(rows, ret):
    for i, a in enumerate(rows):
        if not a["AssessmentAuthorisationDate"] and not in_year(
            ret, a["AssessmentActualStartDate"]
        ):
            yield i, "AssessmentActualStartDate"


@cin_rule(
    "8869",
    "The assessment factors code “21” cannot be used in conjunction with any other "
    "assessment factors.",
    "Assessments",
    "AssessmentFactors",
)
def no_factors_and_factors(rows, ret):
    for i, a in enumerate(rows):
        factors = a["AssessmentFactors"].split()
        if "21" in factors and len(factors) > 1:
            yield i, "AssessmentFactors"


@cin_rule(
    "8898",
    "The assessment has more than one parental or child factors with the same code",
    "Assessments",
    "AssessmentFactors",
)
def factor_twice(rows, ret):
    for i, a in enumerate(rows):
        factors = a["AssessmentFactors"].split()
        if len(set(factors)) != len(factors):
            yield i, "AssessmentFactors"


@cin_rule(
    "8896",
    "Within one CINDetails group there are 2 or more open Assessments groups",
    "Assessments",
    "AssessmentAuthorisationDate",
)
def two_open_assessments(rows, ret):
    open_ = Counter(
        (a["LAchildID"], a["CINdetailsID"]) for a in rows if not a["AssessmentAuthorisationDate"]
    )
    for i, a in enumerate(rows):
        key = (a["LAchildID"], a["CINdetailsID"])
        if not a["AssessmentAuthorisationDate"] and open_[key] > 1:
            yield i, "AssessmentAuthorisationDate"


@cin_rule(
    "8897Q",
    "Parental or child factors at assessment information is missing from a completed assessment",
    "Assessments",
    "AssessmentFactors",
)
def completed_without_factors(rows, ret):
    valid = ret.lists.codes["AssessmentFactors"]
    for i, a in enumerate(rows):
        authorised = iso(a["AssessmentAuthorisationDate"])
        if authorised and authorised >= ret.lists.start:
            factors = a["AssessmentFactors"].split()
            if not factors or any(f not in valid for f in factors):
                yield i, "AssessmentFactors"


@cin_rule(
    "8945Q",
    "Please check and either amend data or provide a reason: the assessment factors code "
    "'18A' should not be used ('18B' or '18C' should be used instead)",
    "Assessments",
    "AssessmentFactors",
)
def factor_18a(rows, ret):
    return (
        (i, "AssessmentFactors")
        for i, a in enumerate(rows)
        if "18A" in a["AssessmentFactors"].split()
    )


@cin_rule(
    "8950Q",
    "Please check and either amend data or provide a reason: the assessment factors code "
    "'19A' should not be used ('19B' or '19C' should be used instead)",
    "Assessments",
    "AssessmentFactors",
)
def factor_19a(rows, ret):
    return (
        (i, "AssessmentFactors")
        for i, a in enumerate(rows)
        if "19A" in a["AssessmentFactors"].split()
    )


# --- CIN plans --------------------------------------------------------------------------------
@cin_rule(
    "4000",
    "CIN Plan details provided for a referral with no further action",
    "CINplanDates",
    "CINPlanStartDate",
)
def plan_on_nfa(rows, ret):
    held = episodes(ret)
    for i, p in enumerate(rows):
        e = held.get((p["LAchildID"], p["CINdetailsID"]))
        if e is not None and nfa(e):
            yield i, "CINPlanStartDate"


@cin_rule(
    "4004",
    "This child is showing more than one open CIN Plan, i.e. with no End Date",
    "CINplanDates",
    "CINPlanEndDate",
)
def two_open_plans(rows, ret):
    open_ = Counter(p["LAchildID"] for p in rows if not p["CINPlanEndDate"])
    for i, p in enumerate(rows):
        if not p["CINPlanEndDate"] and open_[p["LAchildID"]] > 1:
            yield i, "CINPlanEndDate"


@cin_rule(
    "4010",
    "CIN Plan start date is missing or out of data collection period",
    "CINplanDates",
    "CINPlanStartDate",
)
def plan_start_missing(rows, ret):
    for i, p in enumerate(rows):
        day = iso(p["CINPlanStartDate"])
        if day is None or day > ret.lists.end:
            yield i, "CINPlanStartDate"


@cin_rule("4011", "CIN Plan End Date earlier than Start Date", "CINplanDates", "CINPlanEndDate")
def plan_ends_before_start(rows, ret):
    for i, p in enumerate(rows):
        if before(p["CINPlanEndDate"], p["CINPlanStartDate"]):
            yield i, "CINPlanEndDate"


@cin_rule(
    "4013", "CIN Plan end date must fall within the census year", "CINplanDates", "CINPlanEndDate"
)
def plan_ended_outside_year(rows, ret):
    for i, p in enumerate(rows):
        if p["CINPlanEndDate"] and not in_year(ret, p["CINPlanEndDate"]):
            yield i, "CINPlanEndDate"


@cin_rule(
    "4015",
    "The CIN Plan start date cannot be before the referral date",
    "CINplanDates",
    "CINPlanStartDate",
)
def plan_before_referral(rows, ret):
    referred = _referred(ret)
    for i, p in enumerate(rows):
        if before(p["CINPlanStartDate"], referred.get((p["LAchildID"], p["CINdetailsID"]), "")):
            yield i, "CINPlanStartDate"


@cin_rule(
    "4001",
    "A CIN Plan cannot run concurrently with a Child Protection Plan",
    "CINplanDates",
    "CINPlanEndDate",
)
def open_plan_beside_open_protection(rows, ret):
    open_cpp = {
        (c["LAchildID"], c["CINdetailsID"])
        for c in ret.tables["ChildProtectionPlans"]
        if not c["CPPendDate"]
    }
    for i, p in enumerate(rows):
        key = (p["LAchildID"], p["CINdetailsID"])
        if p["CINPlanStartDate"] and not p["CINPlanEndDate"] and key in open_cpp:
            yield i, "CINPlanEndDate"


# --- Section 47 enquiries and initial conferences ---------------------------------------------
@cin_rule(
    "1104",
    "The date of the initial child protection conference cannot be before the referral date",
    "Section47",
    "DateOfInitialCPC",
)
def conference_before_referral(rows, ret):
    referred = _referred(ret)
    for i, s in enumerate(rows):
        if before(s["DateOfInitialCPC"], referred.get((s["LAchildID"], s["CINdetailsID"]), "")):
            yield i, "DateOfInitialCPC"


@cin_rule(
    "2889",
    "The S47 start date cannot be before the referral date.",
    "Section47",
    "S47ActualStartDate",
)
def enquiry_before_referral(rows, ret):
    referred = _referred(ret)
    for i, s in enumerate(rows):
        if before(s["S47ActualStartDate"], referred.get((s["LAchildID"], s["CINdetailsID"]), "")):
            yield i, "S47ActualStartDate"


@cin_rule(
    "8615",
    "Section 47 Enquiry Start Date must be present and cannot be later than the date of the "
    "initial Child Protection Conference",
    "Section47",
    "S47ActualStartDate",
)
def enquiry_after_conference(rows, ret):
    for i, s in enumerate(rows):
        if not s["S47ActualStartDate"] or before(s["DateOfInitialCPC"], s["S47ActualStartDate"]):
            yield i, "S47ActualStartDate"


@cin_rule(
    "8715",
    "Date of Initial Child Protection Conference must fall within the census year",
    "Section47",
    "DateOfInitialCPC",
)
def conference_outside_year(rows, ret):
    for i, s in enumerate(rows):
        if s["DateOfInitialCPC"] and not in_year(ret, s["DateOfInitialCPC"]):
            yield i, "DateOfInitialCPC"


@cin_rule(
    "8740",
    "For a Section 47 Enquiry that has not held the Initial Child Protection Conference by the "
    "end of the census year, the start date must fall within the census year",
    "Section47",
    "S47ActualStartDate",
)
def open_enquiry_started_outside_year(rows, ret):
    for i, s in enumerate(rows):
        waiting = not s["DateOfInitialCPC"] and s["ICPCnotRequired"].lower() in ("0", "false")
        if waiting and not in_year(ret, s["S47ActualStartDate"]):
            yield i, "S47ActualStartDate"


@cin_rule(
    "8839",
    "Within one CINDetails group there are 2 or more open S47 Assessments",
    "Section47",
    "DateOfInitialCPC",
)
def two_open_enquiries(rows, ret):
    def waiting(s):
        return not s["DateOfInitialCPC"] and s["ICPCnotRequired"].lower() not in ("1", "true")

    open_ = Counter((s["LAchildID"], s["CINdetailsID"]) for s in rows if waiting(s))
    for i, s in enumerate(rows):
        if waiting(s) and open_[(s["LAchildID"], s["CINdetailsID"])] > 1:
            yield i, "DateOfInitialCPC"


@cin_rule(
    "8875",
    "The Date of Initial Child Protection Conference cannot be a weekend",
    "Section47",
    "DateOfInitialCPC",
)
def conference_at_weekend(rows, ret):
    for i, s in enumerate(rows):
        day = iso(s["DateOfInitialCPC"])
        if day and day.weekday() >= 5:
            yield i, "DateOfInitialCPC"


@cin_rule(
    "8870Q",
    "Please check and either amend or provide a reason: The Target Date for Initial Child "
    "Protection Conference should not be a weekend",
    "Section47",
    "InitialCPCtarget",
)
def target_at_weekend(rows, ret):
    for i, s in enumerate(rows):
        day = iso(s["InitialCPCtarget"])
        if day and day.weekday() >= 5:
            yield i, "InitialCPCtarget"


@cin_rule(
    "2884",
    "An initial child protection conference is recorded at both the S47 and CIN Details level "
    "and it should only be recorded in one",
    "Section47",
    "DateOfInitialCPC",
)
def conference_twice(rows, ret):
    at_episode = {
        (e["LAchildID"], e["DateOfInitialCPC"])
        for e in ret.tables["CINdetails"]
        if e["DateOfInitialCPC"]
    }
    for i, s in enumerate(rows):
        if s["DateOfInitialCPC"] and (s["LAchildID"], s["DateOfInitialCPC"]) in at_episode:
            yield i, "DateOfInitialCPC"


# --- Child protection plans -------------------------------------------------------------------
@cin_rule(
    "1105",
    "The child protection plan start date cannot be before the referral date",
    "ChildProtectionPlans",
    "CPPstartDate",
)
def protection_before_referral(rows, ret):
    referred = _referred(ret)
    for i, c in enumerate(rows):
        if before(c["CPPstartDate"], referred.get((c["LAchildID"], c["CINdetailsID"]), "")):
            yield i, "CPPstartDate"


@cin_rule(
    "8720",
    "Child Protection Plan Start Date missing or out of data collection period",
    "ChildProtectionPlans",
    "CPPstartDate",
)
def protection_start_missing(rows, ret):
    for i, c in enumerate(rows):
        day = iso(c["CPPstartDate"])
        if day is None or day > ret.lists.end:
            yield i, "CPPstartDate"


@cin_rule(
    "8730",
    "Total Number of previous Child Protection Plans missing",
    "ChildProtectionPlans",
    "NumberOfPreviousCPP",
)
def previous_plans_missing(rows, ret):
    return ((i, "NumberOfPreviousCPP") for i, c in enumerate(rows) if not c["NumberOfPreviousCPP"])


@cin_rule(
    "8832",
    "Child Protection details provided for a referral with no further action.",
    "ChildProtectionPlans",
    "CINdetailsID",
)
def protection_on_nfa(rows, ret):
    held = episodes(ret)
    for i, c in enumerate(rows):
        e = held.get((c["LAchildID"], c["CINdetailsID"]))
        if e is not None and nfa(e):
            yield i, "CINdetailsID"


@cin_rule(
    "8840",
    "Child Protection Plan cannot start and end on the same day",
    "ChildProtectionPlans",
    "CPPendDate",
)
def protection_one_day(rows, ret):
    return (
        (i, "CPPendDate")
        for i, c in enumerate(rows)
        if c["CPPendDate"] and c["CPPendDate"] == c["CPPstartDate"]
    )


cin_code(
    "8905",
    "Initial Category of Abuse code missing or invalid (see Category of Abuse table in CIN "
    "Census code set)",
    "ChildProtectionPlans",
    "InitialCategoryOfAbuse",
    list_name="CategoryOfAbuse",
    blank_ok=False,
)
cin_code(
    "8910",
    "Latest Category of Abuse code missing or invalid (see Category of Abuse table in CIN "
    "Census code set)",
    "ChildProtectionPlans",
    "LatestCategoryOfAbuse",
    list_name="CategoryOfAbuse",
    blank_ok=False,
)


@cin_rule(
    "8925",
    "Child Protection Plan End Date earlier than Start Date",
    "ChildProtectionPlans",
    "CPPendDate",
)
def protection_ends_before_start(rows, ret):
    return (
        (i, "CPPendDate") for i, c in enumerate(rows) if before(c["CPPendDate"], c["CPPstartDate"])
    )


@cin_rule(
    "8930",
    "Child Protection Plan End Date must fall within the census year",
    "ChildProtectionPlans",
    "CPPendDate",
)
def protection_ended_outside_year(rows, ret):
    return (
        (i, "CPPendDate")
        for i, c in enumerate(rows)
        if c["CPPendDate"] and not in_year(ret, c["CPPendDate"])
    )


@cin_rule(
    "8935",
    "This child is showing more than one open Child Protection plan, i.e. with no End Date",
    "ChildProtectionPlans",
    "CPPendDate",
)
def two_open_protection_plans(rows, ret):
    open_ = Counter(c["LAchildID"] for c in rows if not c["CPPendDate"])
    for i, c in enumerate(rows):
        if not c["CPPendDate"] and open_[c["LAchildID"]] > 1:
            yield i, "CPPendDate"


@cin_rule(
    "2885",
    "Child protection plan shown as starting a different day to the initial child protection "
    "conference.",
    "ChildProtectionPlans",
    "CPPstartDate",
)
def protection_not_on_conference_day(rows, ret):
    conferences = defaultdict(set)
    for s in ret.tables["Section47"]:
        if s["ICPCnotRequired"].lower() not in ("1", "true"):
            conferences[(s["LAchildID"], s["CINdetailsID"])].add(s["DateOfInitialCPC"])
    for e in ret.tables["CINdetails"]:
        if e["DateOfInitialCPC"]:
            conferences[(e["LAchildID"], e["CINdetailsID"])].add(e["DateOfInitialCPC"])
    for i, c in enumerate(rows):
        if in_year(ret, c["CPPstartDate"]) and c["CPPstartDate"] not in conferences.get(
            (c["LAchildID"], c["CINdetailsID"]), set()
        ):
            yield i, "CPPstartDate"


@cin_rule(
    "8841",
    "The review date cannot be on the same day or before the Child protection Plan start date.",
    "Reviews",
    "CPPreviewDate",
)
def review_not_after_start(rows, ret):
    started = {
        (c["LAchildID"], c["CINdetailsID"], c["CPPID"]): c["CPPstartDate"]
        for c in ret.tables["ChildProtectionPlans"]
    }
    for i, r in enumerate(rows):
        start = started.get((r["LAchildID"], r["CINdetailsID"], r["CPPID"]), "")
        if start and r["CPPreviewDate"] and not before(start, r["CPPreviewDate"]):
            yield i, "CPPreviewDate"


# --- Dates of birth and the length of a plan --------------------------------------------------
def _years_after(day, years: int):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@cin_rule(
    "8525Q",
    "Either Date of Birth or Expected Date of Birth must be provided (but not both)",
    "ChildIdentifiers",
    "PersonBirthDate",
    "ExpectedPersonBirthDate",
)
def birth_and_expected_birth(rows, ret):
    for i, c in enumerate(rows):
        if bool(c["PersonBirthDate"]) == bool(c["ExpectedPersonBirthDate"]):
            yield i, "PersonBirthDate"


@cin_rule(
    "8606",
    "Child referral date is more than 40 weeks before DOB or expected DOB",
    "CINdetails",
    "CINreferralDate",
)
def referred_long_before_birth(rows, ret):
    born = {}
    for c in ret.tables["ChildIdentifiers"]:
        days = [iso(c["PersonBirthDate"]), iso(c["ExpectedPersonBirthDate"])]
        born[c["LAchildID"]] = [d for d in days if d]
    for i, e in enumerate(rows):
        referred = iso(e["CINreferralDate"])
        if referred and any((b - referred).days > 280 for b in born.get(e["LAchildID"], [])):
            yield i, "CINreferralDate"


@cin_rule(
    "4012Q",
    "Please check and either amend or provide a reason: CIN Plan shown as starting and ending "
    "on the same day",
    "CINplanDates",
    "CINPlanEndDate",
)
def plan_of_one_day(rows, ret):
    for i, p in enumerate(rows):
        if p["CINPlanStartDate"] and p["CINPlanStartDate"] == p["CINPlanEndDate"]:
            yield i, "CINPlanEndDate"


@cin_rule(
    "8775Q",
    "Please check and either amend data or provide a reason: Child is over 25 years old",
    "ChildIdentifiers",
    "PersonBirthDate",
)
def over_25(rows, ret):
    reference = iso(ret.reference_date) or ret.lists.end
    closures = defaultdict(list)
    for e in ret.tables["CINdetails"]:
        closures[e["LAchildID"]].append(iso(e["CINclosureDate"]))
    for i, c in enumerate(rows):
        born = iso(c["PersonBirthDate"])
        if not born or born >= _years_after(reference, -25):
            continue
        # An episode still open, or closed after the 25th birthday.
        if any(d is None or d > _years_after(born, 25) for d in closures[c["LAchildID"]]):
            yield i, "PersonBirthDate"


# --- Former UPN and date of death (held since a council's census can be loaded) ---------------
def _died(ret) -> dict[str, str]:
    """{LAchildID: PersonDeathDate} for the children with one."""
    return {
        c["LAchildID"]: c["PersonDeathDate"]
        for c in ret.tables["ChildIdentifiers"]
        if c["PersonDeathDate"]
    }


@cin_rule(
    "1560Q",
    "Please check and either amend or provide a reason: Former UPN wrongly formatted",
    "ChildIdentifiers",
    "FormerUPN",
)
def former_upn_format(rows, ret):
    for i, c in enumerate(rows):
        former = c["FormerUPN"]
        if former and not (len(former) == 13 and former[0].isalpha() and former[1:].isdigit()):
            yield i, "FormerUPN"


@cin_rule(
    "8535Q",
    "Please check and either amend data or provide a reason: Child’s date of death should not "
    "be prior to the date of birth",
    "ChildIdentifiers",
    "PersonDeathDate",
    "PersonBirthDate",
)
def died_before_born(rows, ret):
    for i, c in enumerate(rows):
        if c["PersonDeathDate"] and (
            not c["PersonBirthDate"] or before(c["PersonDeathDate"], c["PersonBirthDate"])
        ):
            yield i, "PersonDeathDate"


@cin_rule(
    "8545Q",
    "Please check and either amend data or provide a reason: Child's date of death should be "
    "within the census year",
    "ChildIdentifiers",
    "PersonDeathDate",
)
def died_outside_year(rows, ret):
    for i, c in enumerate(rows):
        if c["PersonDeathDate"] and not in_year(ret, c["PersonDeathDate"]):
            yield i, "PersonDeathDate"


@cin_rule(
    "8555Q",
    "Child cannot be referred after its recorded date of death",
    "CINdetails",
    "CINreferralDate",
)
def referred_after_death(rows, ret):
    died = _died(ret)
    for i, e in enumerate(rows):
        if before(died.get(e["LAchildID"], ""), e["CINreferralDate"]):
            yield i, "CINreferralDate"


@cin_rule(
    "8585Q",
    "Please check and either amend or provide a reason: CIN episode shows Died as the Closure "
    "Reason, however child has no recorded Date of Death",
    "CINdetails",
    "ReasonForClosure",
)
def closed_as_died_without_death(rows, ret):
    died = _died(ret)
    for i, e in enumerate(rows):
        if e["ReasonForClosure"] == "RC2" and e["LAchildID"] not in died:
            yield i, "ReasonForClosure"


def _after_death(code, message, table, field):
    """A rule: the table's `field` must not be after the child's date of death."""

    @cin_rule(code, message, table, field)
    def check(rows, ret):
        died = _died(ret)
        for i, row in enumerate(rows):
            if before(died.get(row["LAchildID"], ""), row[field]):
                yield i, field

    return check


_after_death(
    "4008",
    "CIN Plan shown as starting after the child’s Date of Death.",
    "CINplanDates",
    "CINPlanStartDate",
)
_after_death(
    "4009Q",
    "CIN Plan cannot end after the child’s Date of Death",
    "CINplanDates",
    "CINPlanEndDate",
)
_after_death(
    "8915",
    "Child Protection Plan shown as starting after the child’s Date of Death",
    "ChildProtectionPlans",
    "CPPstartDate",
)
_after_death(
    "8920",
    "Child Protection Plan cannot end after the child’s Date of Death",
    "ChildProtectionPlans",
    "CPPendDate",
)
