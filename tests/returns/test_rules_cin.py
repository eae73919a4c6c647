"""Each CIN census rule, table-driven: a clean census (two children: one with a closed child in
need episode and an open child protection episode, one referral with no further action) passes
every rule; each case breaks it one way (the rule fires exactly where expected) and changes it a
near way that is still right (the rule does not fire)."""

import copy

import pytest

from tandem.care.codelists import for_year
from tandem.people.identifiers import upn_check_letter
from tandem.returns.cin_tables import TABLES, CinTables
from tandem.returns.validation import CIN_RULES, validate_cin


def upn(last_twelve: str) -> str:
    return upn_check_letter(last_twelve) + last_twelve


UPN = upn("201234567890")
CI, CC, D, CD = "ChildIdentifiers", "ChildCharacteristics", "Disabilities", "CINdetails"
A, P, S, CPP, R = "Assessments", "CINplanDates", "Section47", "ChildProtectionPlans", "Reviews"


def row(table, **values):
    return {**dict.fromkeys(TABLES[table], ""), **values}


def clean() -> CinTables:
    a1, b2 = {"LAchildID": "A1"}, {"LAchildID": "B2"}
    e1, e2 = {**a1, "CINdetailsID": "1"}, {**a1, "CINdetailsID": "2"}
    tables = {
        CI: [
            row(CI, **a1, UPN=UPN, PersonBirthDate="2012-05-04", Sex="M"),
            row(CI, **b2, UPNunknown="UN7", PersonBirthDate="2015-06-01", Sex="F"),
        ],
        CC: [row(CC, **a1, Ethnicity="WBRI"), row(CC, **b2, Ethnicity="BAFR")],
        D: [
            row(D, **a1, Disability="LD"),
            row(D, **a1, Disability="AUT"),
            row(D, **b2, Disability="NONE"),
        ],
        CD: [
            row(CD, **e1, CINreferralDate="2025-04-10", ReferralSource="2A", PrimaryNeedCode="N1",
                CINclosureDate="2025-09-30", ReasonForClosure="RC7", ReferralNFA="false"),
            row(CD, **e2, CINreferralDate="2025-11-03", ReferralSource="6", PrimaryNeedCode="N1",
                ReferralNFA="false"),
            row(CD, **b2, CINdetailsID="1", CINreferralDate="2025-06-01", ReferralSource="1A",
                PrimaryNeedCode="N4", CINclosureDate="2025-06-02", ReasonForClosure="RC7",
                ReferralNFA="true"),
        ],
        A: [
            row(A, **e1, AssessmentID="1", AssessmentActualStartDate="2025-04-11",
                AssessmentAuthorisationDate="2025-05-10", AssessmentFactors="3B 4B"),
            row(A, **e2, AssessmentID="1", AssessmentActualStartDate="2025-11-04",
                AssessmentAuthorisationDate="2025-12-01", AssessmentFactors="16A"),
        ],
        P: [row(P, **e1, CINPlanStartDate="2025-05-12", CINPlanEndDate="2025-09-30")],
        S: [row(S, **e2, S47ActualStartDate="2025-11-04", InitialCPCtarget="2025-11-25",
                DateOfInitialCPC="2025-11-17", ICPCnotRequired="0")],
        CPP: [row(CPP, **e2, CPPID="1", CPPstartDate="2025-11-17", InitialCategoryOfAbuse="NEG",
                  LatestCategoryOfAbuse="NEG", NumberOfPreviousCPP="0")],
        R: [row(R, **e2, CPPID="1", CPPreviewDate="2026-02-16")],
    }  # fmt: skip
    return CinTables(lists=for_year(2026, "cin"), tables=tables, reference_date="2026-03-31")


def put(table, index, **values):
    def change(ret):
        ret.tables[table][index].update(values)

    return change


def add(table, **values):
    def change(ret):
        ret.tables[table].append(row(table, **values))

    return change


def both(*changes):
    def change(ret):
        for c in changes:
            c(ret)

    return change


E1 = {"LAchildID": "A1", "CINdetailsID": "1"}
E2 = {"LAchildID": "A1", "CINdetailsID": "2"}
NFA = {"LAchildID": "B2", "CINdetailsID": "1"}
OPEN_S47 = {"S47ActualStartDate": "2025-11-20", "ICPCnotRequired": "0"}
OPEN_CPP = {"CPPstartDate": "2025-06-02", "InitialCategoryOfAbuse": "NEG"}

# (rule, breaking change, where it fires, a near change that is still right)
CASES = [
    ("8500", put(CI, 1, LAchildID=""), [(CI, 1, "LAchildID")], put(CI, 1, LAchildID="B3")),
    ("8510", put(CI, 1, LAchildID="A1"), [(CI, 0, "LAchildID"), (CI, 1, "LAchildID")], None),
    ("1570", put(CI, 1, LAchildID="B" * 21), [(CI, 1, "LAchildID")],
     put(CI, 1, LAchildID="B" * 20)),
    ("1580", put(CI, 1, LAchildID="B-2"), [(CI, 1, "LAchildID")], put(CI, 1, LAchildID="B2b")),
    ("1510", put(CI, 0, UPN="Z" + UPN[1:]), [(CI, 0, "UPN")], None),
    ("1520", put(CI, 1, UPN=UPN), [(CI, 0, "UPN"), (CI, 1, "UPN")], None),
    ("1530", put(CI, 0, UPN=upn("990123456789")), [(CI, 0, "UPN")],
     both(put(CI, 0, UPN=upn("318123490789")), put(CI, 1, UPN=upn("001123456789")))),
    ("1540", put(CI, 0, UPN="A9901234X6789"), [(CI, 0, "UPN")], put(CI, 0, UPN="A990123456789")),
    ("1550", put(CI, 0, UPN="A99012345678I"), [(CI, 0, "UPN")], put(CI, 0, UPN="A99012345678A")),
    ("4180", put(CI, 0, Sex="1"), [(CI, 0, "Sex")], put(CI, 0, Sex="U")),
    ("8520", put(CI, 0, PersonBirthDate="2026-04-01"), [(CI, 0, "PersonBirthDate")],
     put(CI, 0, PersonBirthDate="2026-03-31")),
    ("8750", put(CI, 1, PersonBirthDate="", ExpectedPersonBirthDate="2026-05-01"),
     [(CI, 1, "Sex")],
     put(CI, 1, PersonBirthDate="", ExpectedPersonBirthDate="2026-05-01", Sex="U")),
    ("8772", put(CI, 0, UPNunknown="UN7"), [(CI, 0, "UPNunknown")], put(CI, 0, UPNunknown="UN5")),
    ("8590", add(CI, LAchildID="C3", Sex="M"), [(CI, 2, "LAchildID")], None),
    ("4220", put(CC, 0, Ethnicity="XXXX"), [(CC, 0, "Ethnicity")], put(CC, 0, Ethnicity="NOBT")),
    ("8540", put(D, 0, Disability="ZZZ"), [(D, 0, "Disability")], put(D, 0, Disability="DDA")),
    ("8790", add(D, LAchildID="A1", Disability="NONE"),
     [(D, 0, "Disability"), (D, 1, "Disability")], None),
    ("8794", add(D, LAchildID="A1", Disability="LD"), [(D, 0, "Disability"), (D, 3, "Disability")],
     add(D, LAchildID="A1", Disability="VIS")),
    ("8568", put(CD, 0, ReferralNFA="yes"), [(CD, 0, "ReferralNFA")], put(CD, 0, ReferralNFA="0")),
    ("8600", put(CD, 2, CINreferralDate=""), [(CD, 2, "CINreferralDate")], None),
    ("8610", put(CD, 0, PrimaryNeedCode=""), [(CD, 0, "PrimaryNeedCode")],
     put(CD, 2, PrimaryNeedCode="")),
    ("8620", put(CD, 0, CINclosureDate="2025-03-31"), [(CD, 0, "CINclosureDate")],
     put(CD, 0, CINclosureDate="2025-10-01")),
    ("8630", put(CD, 0, CINclosureDate="2025-04-09"), [(CD, 0, "CINclosureDate")],
     put(CD, 2, CINclosureDate="2025-06-01")),
    ("8640", put(CD, 0, ReasonForClosure="RC0"), [(CD, 0, "ReasonForClosure")],
     put(CD, 0, ReasonForClosure="RC8")),
    ("8650", put(CD, 0, PrimaryNeedCode="N10"), [(CD, 0, "PrimaryNeedCode")],
     put(CD, 0, PrimaryNeedCode="N9")),
    ("8866", put(CD, 0, ReferralSource="11"), [(CD, 0, "ReferralSource")],
     put(CD, 0, ReferralSource="10")),
    ("8805", put(CD, 0, ReasonForClosure=""), [(CD, 0, "ReasonForClosure")], None),
    ("8810", put(CD, 1, ReasonForClosure="RC7"), [(CD, 1, "CINclosureDate")], None),
    ("8815", put(CD, 0, CINclosureDate="", ReasonForClosure=""),
     [(CD, 0, "CINclosureDate"), (CD, 1, "CINclosureDate")],
     put(CD, 2, CINclosureDate="", ReasonForClosure="", LAchildID="A1")),
    ("8816", put(CD, 0, CINclosureDate="", ReasonForClosure=""), [(CD, 0, "CINreferralDate")],
     put(CD, 1, CINclosureDate="2026-01-10", ReasonForClosure="RC7")),
    ("8820", put(CD, 1, CINreferralDate="2025-09-01"),
     [(CD, 0, "CINreferralDate"), (CD, 1, "CINreferralDate")],
     put(CD, 1, CINreferralDate="2025-09-30")),
    ("8831", add(A, **NFA, AssessmentActualStartDate="2025-06-01"), [(CD, 2, "ReferralNFA")],
     None),
    ("8867", put(A, 0, AssessmentAuthorisationDate="", AssessmentFactors=""),
     [(CD, 0, "CINclosureDate")], None),
    ("8868", add(S, **E1, S47ActualStartDate="2025-04-11", ICPCnotRequired="0"),
     [(CD, 0, "CINclosureDate")],
     add(S, **E1, S47ActualStartDate="2025-04-11", ICPCnotRequired="1")),
    ("8565", put(P, 0, CINPlanEndDate="2025-10-15"), [(CD, 0, "CINclosureDate")], None),
    ("1103", put(A, 0, AssessmentActualStartDate="2025-04-09"),
     [(A, 0, "AssessmentActualStartDate")],
     put(A, 0, AssessmentActualStartDate="2025-04-10")),
    ("8608", put(A, 0, AssessmentAuthorisationDate="2025-04-10"),
     [(A, 0, "AssessmentAuthorisationDate")], put(A, 0, AssessmentAuthorisationDate="2025-04-11")),
    ("8614", put(A, 1, AssessmentAuthorisationDate=""), [(A, 1, "AssessmentFactors")],
     put(A, 1, AssessmentAuthorisationDate="", AssessmentFactors="")),
    ("8696", put(A, 0, AssessmentAuthorisationDate="2026-04-01"),
     [(A, 0, "AssessmentAuthorisationDate")], put(A, 0, AssessmentAuthorisationDate="2026-03-31")),
    ("8736", put(A, 1, AssessmentAuthorisationDate="", AssessmentFactors="",
                 AssessmentActualStartDate="2025-03-20"), [(A, 1, "AssessmentActualStartDate")],
     put(A, 1, AssessmentAuthorisationDate="", AssessmentFactors="",
         AssessmentActualStartDate="2025-04-01")),
    ("8869", put(A, 0, AssessmentFactors="21 3B"), [(A, 0, "AssessmentFactors")],
     put(A, 0, AssessmentFactors="21")),
    ("8898", put(A, 0, AssessmentFactors="3B 3B"), [(A, 0, "AssessmentFactors")],
     put(A, 0, AssessmentFactors="3B 3C")),
    ("8896", both(put(A, 1, AssessmentAuthorisationDate="", AssessmentFactors=""),
                  add(A, **E2, AssessmentActualStartDate="2025-11-20")),
     [(A, 1, "AssessmentAuthorisationDate"), (A, 2, "AssessmentAuthorisationDate")],
     add(A, **E2, AssessmentActualStartDate="2025-11-20")),
    ("8897Q", put(A, 0, AssessmentFactors=""), [(A, 0, "AssessmentFactors")], None),
    ("8945Q", put(A, 0, AssessmentFactors="18A"), [(A, 0, "AssessmentFactors")],
     put(A, 0, AssessmentFactors="18B")),
    ("8950Q", put(A, 0, AssessmentFactors="19A"), [(A, 0, "AssessmentFactors")],
     put(A, 0, AssessmentFactors="19C")),
    ("4000", add(P, **NFA, CINPlanStartDate="2025-06-02"), [(P, 1, "CINPlanStartDate")], None),
    ("4004", both(put(P, 0, CINPlanEndDate=""), add(P, **E2, CINPlanStartDate="2025-11-20")),
     [(P, 0, "CINPlanEndDate"), (P, 1, "CINPlanEndDate")], put(P, 0, CINPlanEndDate="")),
    ("4010", put(P, 0, CINPlanStartDate=""), [(P, 0, "CINPlanStartDate")], None),
    ("4011", put(P, 0, CINPlanEndDate="2025-05-11"), [(P, 0, "CINPlanEndDate")],
     put(P, 0, CINPlanEndDate="2025-05-12")),
    ("4013", put(P, 0, CINPlanEndDate="2026-04-01"), [(P, 0, "CINPlanEndDate")],
     put(P, 0, CINPlanEndDate="2026-03-31")),
    ("4015", put(P, 0, CINPlanStartDate="2025-04-09"), [(P, 0, "CINPlanStartDate")],
     put(P, 0, CINPlanStartDate="2025-04-10")),
    ("4001", add(P, **E2, CINPlanStartDate="2025-11-05"), [(P, 1, "CINPlanEndDate")],
     add(P, **E2, CINPlanStartDate="2025-11-05", CINPlanEndDate="2025-11-16")),
    ("1104", put(S, 0, DateOfInitialCPC="2025-10-31"), [(S, 0, "DateOfInitialCPC")],
     put(S, 0, DateOfInitialCPC="2025-11-03", S47ActualStartDate="2025-11-03")),
    ("2889", put(S, 0, S47ActualStartDate="2025-11-02"), [(S, 0, "S47ActualStartDate")],
     put(S, 0, S47ActualStartDate="2025-11-03")),
    ("8615", put(S, 0, S47ActualStartDate="2025-11-18"), [(S, 0, "S47ActualStartDate")],
     put(S, 0, S47ActualStartDate="2025-11-17")),
    ("8715", put(S, 0, DateOfInitialCPC="2026-04-01"), [(S, 0, "DateOfInitialCPC")],
     put(S, 0, DateOfInitialCPC="2026-03-31")),
    ("8740", put(S, 0, DateOfInitialCPC="", S47ActualStartDate="2025-03-30"),
     [(S, 0, "S47ActualStartDate")],
     put(S, 0, DateOfInitialCPC="", S47ActualStartDate="2025-03-30", ICPCnotRequired="1")),
    ("8839", both(put(S, 0, DateOfInitialCPC=""), add(S, **E2, **OPEN_S47)),
     [(S, 0, "DateOfInitialCPC"), (S, 1, "DateOfInitialCPC")],
     add(S, **E2, **{**OPEN_S47, "ICPCnotRequired": "1"})),
    ("8875", put(S, 0, DateOfInitialCPC="2025-11-15"), [(S, 0, "DateOfInitialCPC")], None),
    ("8870Q", put(S, 0, InitialCPCtarget="2025-11-22"), [(S, 0, "InitialCPCtarget")],
     put(S, 0, InitialCPCtarget="2025-11-24")),
    ("2884", put(CD, 1, DateOfInitialCPC="2025-11-17"), [(S, 0, "DateOfInitialCPC")],
     put(CD, 1, DateOfInitialCPC="2025-11-18")),
    ("1105", put(CPP, 0, CPPstartDate="2025-11-02"), [(CPP, 0, "CPPstartDate")],
     put(CPP, 0, CPPstartDate="2025-11-03")),
    ("8720", put(CPP, 0, CPPstartDate=""), [(CPP, 0, "CPPstartDate")], None),
    ("8730", put(CPP, 0, NumberOfPreviousCPP=""), [(CPP, 0, "NumberOfPreviousCPP")],
     put(CPP, 0, NumberOfPreviousCPP="2")),
    ("8832", add(CPP, **NFA, CPPID="1", CPPstartDate="2025-06-02"), [(CPP, 1, "CINdetailsID")],
     None),
    ("8840", put(CPP, 0, CPPendDate="2025-11-17"), [(CPP, 0, "CPPendDate")],
     put(CPP, 0, CPPendDate="2025-11-18")),
    ("8905", put(CPP, 0, InitialCategoryOfAbuse="XXX"), [(CPP, 0, "InitialCategoryOfAbuse")],
     put(CPP, 0, InitialCategoryOfAbuse="MUL")),
    ("8910", put(CPP, 0, LatestCategoryOfAbuse=""), [(CPP, 0, "LatestCategoryOfAbuse")],
     put(CPP, 0, LatestCategoryOfAbuse="EMO")),
    ("8925", put(CPP, 0, CPPendDate="2025-11-16"), [(CPP, 0, "CPPendDate")],
     put(CPP, 0, CPPendDate="2025-11-18")),
    ("8930", put(CPP, 0, CPPendDate="2026-04-01"), [(CPP, 0, "CPPendDate")],
     put(CPP, 0, CPPendDate="2026-03-31")),
    ("8935", add(CPP, **E1, CPPID="1", **OPEN_CPP),
     [(CPP, 0, "CPPendDate"), (CPP, 1, "CPPendDate")],
     add(CPP, **E1, CPPID="1", **OPEN_CPP, CPPendDate="2025-09-30")),
    ("2885", put(CPP, 0, CPPstartDate="2025-11-18"), [(CPP, 0, "CPPstartDate")], None),
    ("8841", put(R, 0, CPPreviewDate="2025-11-17"), [(R, 0, "CPPreviewDate")],
     put(R, 0, CPPreviewDate="2025-11-18")),
    ("8525Q", put(CI, 0, ExpectedPersonBirthDate="2012-05-04"), [(CI, 0, "PersonBirthDate")],
     put(CI, 0, PersonBirthDate="", ExpectedPersonBirthDate="2026-05-01")),
    ("8606", put(CI, 0, PersonBirthDate="2026-03-01"), [(CD, 0, "CINreferralDate")],
     put(CI, 0, PersonBirthDate="2026-01-01")),
    ("4012Q", put(P, 0, CINPlanEndDate="2025-05-12"), [(P, 0, "CINPlanEndDate")],
     put(P, 0, CINPlanEndDate="2025-05-13")),
    ("8775Q", put(CI, 0, PersonBirthDate="2000-01-01"), [(CI, 0, "PersonBirthDate")],
     put(CI, 1, PersonBirthDate="2000-07-01")),
    ("1560Q", put(CI, 0, FormerUPN="A1234567890"), [(CI, 0, "FormerUPN")],
     put(CI, 0, FormerUPN=upn("301234567890"))),
    ("8535Q", put(CI, 1, PersonDeathDate="2015-05-01"), [(CI, 1, "PersonDeathDate")],
     put(CI, 1, PersonDeathDate="2015-06-01")),
    ("8545Q", put(CI, 1, PersonDeathDate="2026-04-01"), [(CI, 1, "PersonDeathDate")],
     put(CI, 1, PersonDeathDate="2026-03-31")),
    ("8555Q", put(CI, 0, PersonDeathDate="2025-11-02"), [(CD, 1, "CINreferralDate")],
     put(CI, 0, PersonDeathDate="2025-11-03")),
    ("8585Q", put(CD, 0, ReasonForClosure="RC2"), [(CD, 0, "ReasonForClosure")],
     both(put(CD, 0, ReasonForClosure="RC2"), put(CI, 0, PersonDeathDate="2025-09-30"))),
    ("4008", put(CI, 0, PersonDeathDate="2025-05-11"), [(P, 0, "CINPlanStartDate")],
     put(CI, 0, PersonDeathDate="2025-05-12")),
    ("4009Q", put(CI, 0, PersonDeathDate="2025-09-29"), [(P, 0, "CINPlanEndDate")],
     put(CI, 0, PersonDeathDate="2025-09-30")),
    ("8915", put(CI, 0, PersonDeathDate="2025-11-16"), [(CPP, 0, "CPPstartDate")],
     put(CI, 0, PersonDeathDate="2025-11-17")),
    ("8920", both(put(CPP, 0, CPPendDate="2026-02-20"), put(CI, 0, PersonDeathDate="2026-02-19")),
     [(CPP, 0, "CPPendDate")],
     both(put(CPP, 0, CPPendDate="2026-02-20"), put(CI, 0, PersonDeathDate="2026-02-20"))),
]  # fmt: skip


def fired(ret, code):
    return [(f.table, f.row, f.field) for f in validate_cin(ret) if f.code == code]


def test_the_clean_census_passes_every_rule():
    assert validate_cin(clean()) == []


def test_every_cin_rule_has_a_case():
    assert sorted(code for code, *_ in CASES) == sorted(CIN_RULES)


@pytest.mark.parametrize(("code", "breaks", "where", "near"), CASES, ids=[c[0] for c in CASES])
def test_rule(code, breaks, where, near):
    broken = clean()
    breaks(broken)
    assert fired(broken, code) == where
    if near is not None:
        kept = clean()
        near(kept)
        assert fired(kept, code) == []


def test_a_failure_names_the_child_and_the_message():
    ret = clean()
    put(CD, 0, ReferralSource="11")(ret)
    (f,) = validate_cin(ret)
    assert (f.code, f.child, f.message) == (
        "8866",
        "A1",
        "Source of Referral is missing or an invalid code",
    )


def test_the_clean_census_is_not_changed_by_checking_it():
    ret = clean()
    before = copy.deepcopy(ret.tables)
    validate_cin(ret)
    assert ret.tables == before
