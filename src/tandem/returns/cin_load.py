"""Reading a Children in Need census back into the record (`tandem returns load --cin FILE`), so
that a council moving onto Tandem brings its children in need history.

The file is read safely (no entity expansion), turned into the census tables, and every row is
parsed and checked (dates, the year's code lists, `full_clean`) before anything is written; a bad
row is reported with its file, table and row, and field, and then nothing is saved.

Each episode becomes what Tandem derives the census from, so that exporting it again gives the
same file: a referral to the authority's front door on the referral date with its source and a
threshold decision (no further action, child in need, or child protection where the episode has
an enquiry or a plan), the front door owning the case until the closure date, and what the
referral cannot say (a primary need no reason maps to, a reason for closure other than RC7) as a
`CinEpisodeOutcome`. A child is matched by the authority's own id (LAchildID, kept as an
AgencyIdentifier), or created: the census holds no names.
"""

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.access.models import Involvement, InvolvementKind
from tandem.audit.models import AuditAction
from tandem.audit.services import Audit
from tandem.care import codelists
from tandem.care.models import (
    ChildDisability,
    ChildProtectionPlan,
    ChildProtectionReview,
    CinAssessment,
    CinEpisodeOutcome,
    CinPlan,
    Section47Enquiry,
)
from tandem.partners.models import Team
from tandem.people.models import AgencyIdentifier, Person
from tandem.referrals.codes import Decision, FamilyAware, Status
from tandem.referrals.models import Referral, ThresholdDecision
from tandem.returns.cin_tables import tables_from_xml
from tandem.returns.load import LoadRefused, RowError
from tandem.returns.selectors import returning_authority


@dataclass
class LoadedCin:
    children: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("must be a date like 2026-03-31") from None


def _flag(text: str) -> bool:
    if text.lower() in ("true", "1"):
        return True
    if text.lower() in ("false", "0", ""):
        return False
    raise ValueError("must be true, false, 1 or 0")


def _count(text: str) -> int:
    if not text.isdigit():
        raise ValueError("must be a whole number")
    return int(text)


def _at(day: dt.date) -> dt.datetime:
    """A census day as a time in the working day, so its local date is that day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


class CinReader:
    def __init__(self, file: str):
        self.file = file
        self.errors: list[RowError] = []

    def error(self, table: str, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(f"{self.file} {table}", row, column, message))

    def parse(self, table: str, row: int, values: dict, parsers: dict) -> dict | None:
        out, ok = {}, True
        for name, (column, parse) in parsers.items():
            try:
                out[name] = parse(values[column])
            except ValueError as e:
                self.error(table, row, column, f"{values[column]!r} {e}")
                ok = False
        return out if ok else None

    def check(self, table: str, row: int, obj, columns: dict[str, str]) -> None:
        try:
            obj.full_clean(exclude=["child", "referral", "plan"], validate_unique=False)
        except ValidationError as e:
            for name, messages in e.message_dict.items():
                for message in messages:
                    self.error(table, row, columns.get(name, name), message)


def cin_load(*, actor, path: Path, ending: int, purpose: str) -> LoadedCin:
    la = returning_authority(actor)
    lists = codelists.for_year(ending, "cin")
    reader = CinReader(path.name)
    try:
        root = SafeET.parse(path).getroot()
    except (SafeET.ParseError, DefusedXmlException, OSError) as e:
        raise LoadRefused([RowError(path.name, 0, "", f"Not a readable census XML: {e}")]) from e
    if root.findtext("Header/CollectionDetails/Collection", "").strip() != "CIN":
        raise LoadRefused([RowError(path.name, 0, "Collection", "This is not a CIN census")])
    if root.findtext("Header/CollectionDetails/Year", "").strip() != str(ending):
        raise LoadRefused(
            [RowError(path.name, 0, "Year", f"The census is not for the year ending {ending}")]
        )
    tables = tables_from_xml(root, lists).tables
    front_door = (
        Team.objects.filter(partner=la, receives_referrals=True).order_by("name").first()
        or actor.team
    )
    known = dict(AgencyIdentifier.objects.filter(partner=la).values_list("local_id", "person_id"))
    people: dict[str, Person] = {}
    new_ids: list[AgencyIdentifier] = []

    for row, c in enumerate(tables["ChildIdentifiers"], start=1):
        ident = c["LAchildID"]
        if not ident or ident in people:
            reader.error(
                "ChildIdentifiers",
                row,
                "LAchildID",
                "LAchildID is blank" if not ident else "This LAchildID is in the file twice",
            )
            continue
        p = reader.parse(
            "ChildIdentifiers",
            row,
            c,
            {"date_of_birth": ("PersonBirthDate", _date), "died_on": ("PersonDeathDate", _date)},
        )
        expected = reader.parse(
            "ChildIdentifiers", row, c, {"due": ("ExpectedPersonBirthDate", _date)}
        )
        if p is None or expected is None:
            continue
        person = Person.objects.filter(pk=known.get(ident)).first()
        if person is None:
            person = Person(
                is_child=True,
                given_name="Not known",
                family_name=f"(CIN {ident})",
                date_of_birth=p["date_of_birth"],
                expected_due_date=expected["due"],
                sex=c["Sex"],
                upn=c["UPN"] or None,
                former_upn=c["FormerUPN"] or None,
                died_on=p["died_on"],
            )
            new_ids.append(AgencyIdentifier(person=person, partner=la, local_id=ident))
        people[ident] = person
    for c in tables["ChildCharacteristics"]:
        person = people.get(c["LAchildID"])
        if person is not None and person._state.adding:
            person.ethnicity = c["Ethnicity"]
    for row, c in enumerate(tables["ChildIdentifiers"], start=1):
        person = people.get(c["LAchildID"])
        if person is not None and person._state.adding:
            reader.check(
                "ChildIdentifiers",
                row,
                person,
                {
                    "date_of_birth": "PersonBirthDate",
                    "expected_due_date": "ExpectedPersonBirthDate",
                    "sex": "Sex",
                    "upn": "UPN",
                    "former_upn": "FormerUPN",
                    "died_on": "PersonDeathDate",
                    "ethnicity": "Ethnicity",
                },
            )

    disabilities = []
    for row, d in enumerate(tables["Disabilities"], start=1):
        person = people.get(d["LAchildID"])
        if person is None or d["Disability"] == "NONE":
            continue
        obj = ChildDisability(child=person, code=d["Disability"])
        reader.check("Disabilities", row, obj, {"code": "Disability"})
        disabilities.append(obj)

    # Episodes: which have protection work decides the decision that opened them.
    protected = {
        (r["LAchildID"], r["CINdetailsID"])
        for table in ("Section47", "ChildProtectionPlans")
        for r in tables[table]
    }
    upn_unknown = {}  # LAchildID: the reason given for having no UPN
    for row, c in enumerate(tables["ChildIdentifiers"], start=1):
        if c["UPNunknown"] and c["UPNunknown"] not in lists.codes["UPNunknown"]:
            message = f"{c['UPNunknown']!r} is not a UPNunknown code"
            reader.error("ChildIdentifiers", row, "UPNunknown", message)
        elif c["UPNunknown"]:
            upn_unknown[c["LAchildID"]] = c["UPNunknown"]
    episodes: dict[tuple[str, str], dict] = {}
    for row, e in enumerate(tables["CINdetails"], start=1):
        person = people.get(e["LAchildID"])
        if person is None:
            continue
        p = reader.parse(
            "CINdetails",
            row,
            e,
            {
                "referred": ("CINreferralDate", _date),
                "closed": ("CINclosureDate", _date),
                "conference": ("DateOfInitialCPC", _date),
                "nfa": ("ReferralNFA", _flag),
            },
        )
        if p is None:
            continue
        if p["referred"] is None:
            reader.error("CINdetails", row, "CINreferralDate", "The referral date is missing")
            continue
        if e["ReferralSource"] not in lists.codes["ReferralSource"]:
            reader.error(
                "CINdetails", row, "ReferralSource", f"{e['ReferralSource']!r} is not a code"
            )
        if bool(p["closed"]) != bool(e["ReasonForClosure"]):
            reader.error(
                "CINdetails",
                row,
                "ReasonForClosure",
                "Give both the closure date and the reason, or neither",
            )
        if p["nfa"] and not p["closed"]:
            reader.error(
                "CINdetails", row, "CINclosureDate", "A referral with no further action is closed"
            )
        if p["closed"] and p["closed"] < p["referred"]:
            reader.error("CINdetails", row, "CINclosureDate", "This is before the referral")
        key = (e["LAchildID"], e["CINdetailsID"])
        decision = (
            Decision.NO_FURTHER_ACTION
            if p["nfa"]
            else Decision.CHILD_PROTECTION
            if key in protected
            else Decision.CHILD_IN_NEED
        )
        referral = Referral(
            child=person,
            made_by=actor,
            from_team=front_door,
            to_team=front_door,
            referrer_name="Loaded from the CIN census",
            source=e["ReferralSource"],
            received_at=_at(p["referred"]),
            concerns="Loaded from the Children in Need census",
            family_aware=FamilyAware.NO_OTHER,
            status=Status.CLOSED,
        )
        outcome = CinEpisodeOutcome(
            referral=referral,
            primary_need=e["PrimaryNeedCode"],
            # RC7 and the no-further-action reason are what Tandem derives: held only if other.
            closure_reason="" if e["ReasonForClosure"] == "RC7" else e["ReasonForClosure"],
            conference_on=p["conference"],
            # The child's reason for having no UPN, kept on each of its episodes.
            upn_unknown="" if person.upn else upn_unknown.get(e["LAchildID"], ""),
        )
        reader.check(
            "CINdetails",
            row,
            outcome,
            {
                "primary_need": "PrimaryNeedCode",
                "closure_reason": "ReasonForClosure",
                "upn_unknown": "UPNunknown",
            },
        )
        episodes[key] = {
            "referral": referral,
            "decision": decision,
            # A decision without further action closes the day it is made; any other is made
            # the day of the referral and the front door owns the case until the closure.
            "decided": p["closed"] if p["nfa"] else p["referred"],
            "closed": p["closed"],
            "outcome": outcome,
            "person": person,
        }

    items: list = []

    def each(table: str, build) -> None:
        for row, values in enumerate(tables[table], start=1):
            episode = episodes.get((values["LAchildID"], values["CINdetailsID"]))
            if episode is None:
                continue  # its child or episode already has an error
            built = build(row, values, episode)
            if built is not None:
                obj, columns = built
                reader.check(table, row, obj, columns)
                items.append(obj)

    def assessment(row, v, episode):
        p = reader.parse(
            "Assessments",
            row,
            v,
            {
                "started_on": ("AssessmentActualStartDate", _date),
                "reviewed_on": ("AssessmentInternalReviewDate", _date),
                "authorised_on": ("AssessmentAuthorisationDate", _date),
            },
        )
        if p is None:
            return None
        return CinAssessment(
            child=episode["person"],
            referral=episode["referral"],
            factors=v["AssessmentFactors"].split(),
            **p,
        ), {
            "started_on": "AssessmentActualStartDate",
            "reviewed_on": "AssessmentInternalReviewDate",
            "authorised_on": "AssessmentAuthorisationDate",
            "factors": "AssessmentFactors",
        }

    def plan(row, v, episode):
        p = reader.parse(
            "CINplanDates",
            row,
            v,
            {"started_on": ("CINPlanStartDate", _date), "ended_on": ("CINPlanEndDate", _date)},
        )
        if p is None:
            return None
        return CinPlan(child=episode["person"], referral=episode["referral"], **p), {
            "started_on": "CINPlanStartDate",
            "ended_on": "CINPlanEndDate",
        }

    def enquiry(row, v, episode):
        p = reader.parse(
            "Section47",
            row,
            v,
            {
                "started_on": ("S47ActualStartDate", _date),
                "conference_target": ("InitialCPCtarget", _date),
                "conference_on": ("DateOfInitialCPC", _date),
                "conference_not_required": ("ICPCnotRequired", _flag),
            },
        )
        if p is None:
            return None
        return Section47Enquiry(child=episode["person"], referral=episode["referral"], **p), {
            "started_on": "S47ActualStartDate",
            "conference_target": "InitialCPCtarget",
            "conference_on": "DateOfInitialCPC",
            "conference_not_required": "ICPCnotRequired",
        }

    plans: dict[tuple[str, str, str], ChildProtectionPlan] = {}

    def protection(row, v, episode):
        p = reader.parse(
            "ChildProtectionPlans",
            row,
            v,
            {
                "started_on": ("CPPstartDate", _date),
                "ended_on": ("CPPendDate", _date),
                "previous_plans": ("NumberOfPreviousCPP", _count),
            },
        )
        if p is None:
            return None
        obj = ChildProtectionPlan(
            child=episode["person"],
            referral=episode["referral"],
            initial_category=v["InitialCategoryOfAbuse"],
            latest_category=v["LatestCategoryOfAbuse"],
            **p,
        )
        plans[(v["LAchildID"], v["CINdetailsID"], v["CPPID"])] = obj
        return obj, {
            "started_on": "CPPstartDate",
            "ended_on": "CPPendDate",
            "initial_category": "InitialCategoryOfAbuse",
            "latest_category": "LatestCategoryOfAbuse",
            "previous_plans": "NumberOfPreviousCPP",
        }

    def review(row, v, episode):
        plan_ = plans.get((v["LAchildID"], v["CINdetailsID"], v["CPPID"]))
        p = reader.parse("Reviews", row, v, {"held_on": ("CPPreviewDate", _date)})
        if plan_ is None or p is None or p["held_on"] is None:
            if p is not None and p["held_on"] is None:
                reader.error("Reviews", row, "CPPreviewDate", "The review date is missing")
            return None
        if plan_.started_on and p["held_on"] <= plan_.started_on:
            reader.error("Reviews", row, "CPPreviewDate", "A review is after the plan started")
            return None
        return ChildProtectionReview(plan=plan_, **p), {"held_on": "CPPreviewDate"}

    for table, build in (
        ("Assessments", assessment),
        ("CINplanDates", plan),
        ("Section47", enquiry),
        ("ChildProtectionPlans", protection),
        ("Reviews", review),
    ):
        each(table, build)
    if reader.errors:
        raise LoadRefused(reader.errors)
    return _write(
        actor, purpose, lists, front_door, people, new_ids, episodes, disabilities, items
    )


@transaction.atomic
def _write(actor, purpose, lists, front_door, people, new_ids, episodes, disabilities, items):
    counts: dict[str, int] = {}

    def count(obj):
        counts[type(obj).__name__] = counts.get(type(obj).__name__, 0) + 1

    for person in people.values():
        if person._state.adding:
            person.save()
    for ident in new_ids:
        ident.person_id = ident.person.pk
    AgencyIdentifier.objects.bulk_create(new_ids)
    for e in episodes.values():
        referral = e["referral"]
        referral.child_id = referral.child.pk
        referral.save()
        count(referral)
        ThresholdDecision.objects.create(
            referral=referral,
            decision=e["decision"],
            reasons="Loaded from the Children in Need census",
            decided_by=actor,
            decided_at=_at(e["decided"]),
        )
        if e["decision"] != Decision.NO_FURTHER_ACTION:
            Involvement.objects.create(
                child_id=referral.child_id,
                team=front_door,
                kind=InvolvementKind.OWNING_TEAM,
                reason="Loaded from the Children in Need census",
                started_on=e["decided"],
                ended_on=e["closed"],
            )
        outcome = e["outcome"]
        if (
            outcome.primary_need
            or outcome.closure_reason
            or outcome.conference_on
            or outcome.upn_unknown
        ):
            outcome.referral_id = referral.pk
            outcome.save()
    for d in disabilities:
        d.child_id = d.child.pk
        d.save()
        count(d)
    for obj in items:
        if isinstance(obj, ChildProtectionReview):
            obj.plan_id = obj.plan.pk
        else:
            obj.child_id, obj.referral_id = obj.child.pk, obj.referral.pk
        obj.save()
        count(obj)
    Audit(actor, purpose, "local authority's statutory return").rows(
        AuditAction.CREATE,
        "cin_load",
        [p.pk for p in people.values()],
        detail={"year": lists.year},
    )
    return LoadedCin(children=len(people), rows=counts)
