"""The CIN census XML as tables, the way the DfE's rules are written: one row per child, episode
(CINdetails), assessment, plan, enquiry, protection plan and review, each carrying the ids of what
holds it (LAchildID, CINdetailsID, CPPID). Validation reads these tables from the very bytes
that are sent, and so does `tandem returns load`.

Values are the XML's text ('' when absent); dates stay ISO text for the rules to parse.
"""

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from tandem.care.codelists import CodeLists

TABLES: dict[str, tuple[str, ...]] = {
    "ChildIdentifiers": (
        "LAchildID",
        "UPN",
        "FormerUPN",
        "UPNunknown",
        "PersonBirthDate",
        "ExpectedPersonBirthDate",
        "GenderCurrent",
        "Sex",
        "PersonDeathDate",
    ),
    "ChildCharacteristics": ("LAchildID", "Ethnicity"),
    "Disabilities": ("LAchildID", "Disability"),
    "CINdetails": (
        "LAchildID",
        "CINdetailsID",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "DateOfInitialCPC",
        "ReferralNFA",
    ),
    "Assessments": (
        "LAchildID",
        "CINdetailsID",
        "AssessmentID",
        "AssessmentActualStartDate",
        "AssessmentInternalReviewDate",
        "AssessmentAuthorisationDate",
        "AssessmentFactors",  # the factors, space-separated
    ),
    "CINplanDates": ("LAchildID", "CINdetailsID", "CINPlanStartDate", "CINPlanEndDate"),
    "Section47": (
        "LAchildID",
        "CINdetailsID",
        "S47ActualStartDate",
        "InitialCPCtarget",
        "DateOfInitialCPC",
        "ICPCnotRequired",
    ),
    "ChildProtectionPlans": (
        "LAchildID",
        "CINdetailsID",
        "CPPID",
        "CPPstartDate",
        "CPPendDate",
        "InitialCategoryOfAbuse",
        "LatestCategoryOfAbuse",
        "NumberOfPreviousCPP",
    ),
    "Reviews": ("LAchildID", "CINdetailsID", "CPPID", "CPPreviewDate"),
}
# The XML element each table's rows are read from, inside its parent.
ELEMENTS = {
    "CINplanDates": "CINPlanDates",
}


@dataclass
class CinTables:
    """A census as tables, with the code lists and dates of its collection year."""

    lists: CodeLists
    tables: dict[str, list[dict[str, str]]]
    reference_date: str = ""


def _row(table: str, el: ET.Element | None, ids: dict[str, str]) -> dict[str, str]:
    row = dict.fromkeys(TABLES[table], "")
    row.update(ids)
    if el is not None:
        for name in TABLES[table]:
            if name not in ids:
                found = el.find(name)
                if found is not None and found.text:
                    row[name] = found.text.strip()
    return row


def tables_from_xml(root: ET.Element, lists: CodeLists) -> CinTables:
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    for child in root.findall("Children/Child"):
        identifiers = _row("ChildIdentifiers", child.find("ChildIdentifiers"), {})
        child_id = {"LAchildID": identifiers["LAchildID"]}
        tables["ChildIdentifiers"].append(identifiers)
        characteristics = child.find("ChildCharacteristics")
        tables["ChildCharacteristics"].append(
            _row("ChildCharacteristics", characteristics, child_id)
        )
        if characteristics is not None:
            for d in characteristics.findall("Disabilities/Disability"):
                tables["Disabilities"].append({**child_id, "Disability": (d.text or "").strip()})
        for n, details in enumerate(child.findall("CINdetails"), start=1):
            ids = {**child_id, "CINdetailsID": str(n)}
            tables["CINdetails"].append(_row("CINdetails", details, ids))
            for m, a in enumerate(details.findall("Assessments"), start=1):
                row = _row("Assessments", a, {**ids, "AssessmentID": str(m)})
                row["AssessmentFactors"] = " ".join(
                    (f.text or "").strip()
                    for f in a.findall("FactorsIdentifiedAtAssessment/AssessmentFactors")
                )
                tables["Assessments"].append(row)
            for table in ("CINplanDates", "Section47"):
                for el in details.findall(ELEMENTS.get(table, table)):
                    tables[table].append(_row(table, el, ids))
            for m, plan in enumerate(details.findall("ChildProtectionPlans"), start=1):
                plan_ids = {**ids, "CPPID": str(m)}
                tables["ChildProtectionPlans"].append(_row("ChildProtectionPlans", plan, plan_ids))
                for review in plan.findall("Reviews"):
                    tables["Reviews"].append(_row("Reviews", review, plan_ids))
    return CinTables(
        lists=lists,
        tables=tables,
        reference_date=root.findtext("Header/CollectionDetails/ReferenceDate", "").strip(),
    )


def iso(text: str) -> dt.date | None:
    """A census date, or None if blank or not a date."""
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
