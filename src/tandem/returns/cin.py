"""The Children in Need census built from the record: each referral a local authority's front
door received and decided becomes a CINdetails episode (referral date and source, primary need,
no further action or not, closure), derived from `referrals` and `access.Involvement`, never
entered twice.

What the foundation does not hold yet (assessments and their factors, CIN plans, section 47
enquiries, child protection plans and their reviews) is left out of the file rather than made up.
"""

import datetime as dt
import hashlib
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils import timezone

from tandem.access.models import Involvement, InvolvementKind
from tandem.care.codelists import CodeLists
from tandem.care.models import (
    ChildDisability,
    ChildProtectionPlan,
    ChildProtectionReview,
    CinAssessment,
    CinEpisodeOutcome,
    CinPlan,
    Section47Enquiry,
)
from tandem.people.models import Person
from tandem.referrals.codes import Decision
from tandem.referrals.models import Referral, ReferralReason
from tandem.returns.ssda903 import child_ids_for_return

OPENS_A_CASE = {Decision.CHILD_IN_NEED, Decision.CHILD_PROTECTION}


@dataclass
class CinEpisode:
    referral_id: object
    referred_on: dt.date
    source: str
    primary_need: str
    nfa: bool
    closed_on: dt.date | None
    closure_reason: str
    conference_on: dt.date | None = None  # only where a loaded census held it on the episode
    upn_unknown: str = ""  # only where a loaded census gave the child's reason
    # Every referral the episode holds (a referral while the case is open joins it).
    referral_ids: list = field(default_factory=list)
    assessments: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    enquiries: list = field(default_factory=list)
    protection_plans: list = field(default_factory=list)


@dataclass
class CinChild:
    person: Person
    la_child_id: str
    episodes: list[CinEpisode]
    disabilities: list[str] = field(default_factory=list)


@dataclass
class CinCensus:
    lists: CodeLists
    children: list[CinChild]

    @property
    def person_of(self) -> dict[str, object]:
        return {c.la_child_id: c.person.pk for c in self.children}


def la_child_id(pk) -> str:
    return hashlib.blake2b(pk.bytes, digest_size=5).hexdigest().upper()


def census_referrals(la, lists: CodeLists):
    """Referrals to the authority's teams that are children in need in the census year: received
    in the year, or opening a case still open at its start."""
    # Days in local time, as the census dates are: a referral at 00:30 on 1 April BST is April's.
    start = timezone.make_aware(dt.datetime.combine(lists.start, dt.time()))
    end = timezone.make_aware(dt.datetime.combine(lists.end + dt.timedelta(days=1), dt.time()))
    return Referral.objects.filter(
        Q(received_at__gte=start) | Q(decision__decision__in=OPENS_A_CASE),
        to_team__partner=la,
        received_at__lt=end,
        decision__isnull=False,
    )


def _need(reasons: list[str], lists: CodeLists) -> str:
    order = list(lists.mapping["primary_need"])
    ranked = sorted(reasons, key=lambda r: order.index(r) if r in order else len(order))
    return lists.mapping["primary_need"].get(ranked[0], "N0") if ranked else "N0"


@dataclass
class Span:
    """An episode of need as the record holds it, before any census year clips it."""

    first: Referral
    referred_on: dt.date
    decided_on: dt.date
    closed_on: dt.date | None  # None while the case is open
    nfa: bool
    referral_ids: list


def episode_spans(referrals: list, owning: list) -> list[Span]:
    """One child's episodes from their decided referrals (in order of receipt) and the
    authority's owning involvements: a case-opening decision starts an episode that lasts until
    the last owning team lets go; a referral while it is open joins it; any other decision is a
    referral with no further action, closed the day it was decided."""
    spans: list[Span] = []
    zone = timezone.get_default_timezone()  # the authority's days (and cached: runs per child)
    received = [r.received_at.astimezone(zone).date() for r in referrals]
    for i, r in enumerate(referrals):
        referred = received[i]
        if spans and (spans[-1].closed_on is None or spans[-1].closed_on >= referred):
            spans[-1].referral_ids.append(r.pk)
            continue
        decided = r.decision.decided_at.astimezone(zone).date()
        if r.decision.decision in OPENS_A_CASE:
            following = received[i + 1] if i + 1 < len(received) else None
            closed = _case_closed(owning, decided, following)
            spans.append(Span(r, referred, decided, closed, False, [r.pk]))
        else:
            spans.append(Span(r, referred, decided, max(decided, referred), True, [r.pk]))
    return spans


def census_build(*, children: list[Person], la, lists: CodeLists) -> CinCensus:
    pks = [c.pk for c in children]
    referrals = (
        Referral.objects.filter(
            to_team__partner=la,
            child_id__in=pks,
            decision__isnull=False,
            received_at__lt=timezone.make_aware(
                dt.datetime.combine(lists.end + dt.timedelta(days=1), dt.time())
            ),
        )
        .select_related("decision")
        .prefetch_related(
            Prefetch("reasons", queryset=ReferralReason.objects.only("referral_id", "reason"))
        )
        .order_by("child_id", "received_at")
    )
    # A case is closed when the last team owning it for the authority stops owning it.
    owning = defaultdict(list)
    for inv in Involvement.objects.filter(
        child_id__in=pks, team__partner=la, kind=InvolvementKind.OWNING_TEAM
    ).only("child_id", "started_on", "ended_on"):
        owning[inv.child_id].append(inv)
    by_child = defaultdict(list)
    for r in referrals:
        by_child[r.child_id].append(r)
    work = _work_by_referral(pks, lists)
    # The authority's own id for the child where it holds one (a loaded history), as the 903.
    ids = child_ids_for_return(children, la)
    outcomes = {
        o.referral_id: o
        for o in CinEpisodeOutcome.objects.filter(
            referral__child_id__in=pks, referral__to_team__partner=la
        )
    }
    disabilities = defaultdict(list)
    for d in ChildDisability.objects.filter(child_id__in=pks).only("child_id", "code"):
        disabilities[d.child_id].append(d.code)
    out = []
    for child in sorted(children, key=lambda c: ids[c.pk]):
        episodes: list[CinEpisode] = []
        for span in episode_spans(by_child.get(child.pk, []), owning.get(child.pk, [])):
            closed = span.closed_on
            if closed and closed < lists.start:
                continue  # closed before the census year
            if span.nfa and span.referred_on < lists.start:
                continue
            r = span.first
            outcome = outcomes.get(r.pk)
            need = (outcome and outcome.primary_need) or _need(
                [x.reason for x in r.reasons.all()], lists
            )
            if span.nfa:
                reason = (outcome and outcome.closure_reason) or lists.mapping[
                    "no_further_action"
                ].get(r.decision.decision, "RC7")
                closed = min(closed, lists.end)
            else:
                closed = None if closed and closed > lists.end else closed
                reason = ((outcome and outcome.closure_reason) or "RC7") if closed else ""
            episode = CinEpisode(
                r.pk,
                span.referred_on,
                r.source,
                need,
                span.nfa,
                closed,
                reason,
                referral_ids=span.referral_ids,
                conference_on=outcome.conference_on if outcome else None,
                upn_unknown=outcome.upn_unknown if outcome else "",
            )
            if not span.nfa:
                _census_work(episode, work, lists)
            episodes.append(episode)
        if episodes:
            out.append(CinChild(child, ids[child.pk], episodes, sorted(disabilities[child.pk])))
    return CinCensus(lists=lists, children=out)


def _work_by_referral(pks: list, lists: CodeLists) -> dict:
    """{referral id: {"assessments": [...], ...}} for the children, up to the census end."""
    work = defaultdict(lambda: defaultdict(list))
    before_end = {"started_on__lte": lists.end}
    for name, qs in (
        ("assessments", CinAssessment.objects.filter(child_id__in=pks, **before_end)),
        ("plans", CinPlan.objects.filter(child_id__in=pks, **before_end)),
        ("enquiries", Section47Enquiry.objects.filter(child_id__in=pks, **before_end)),
        (
            "protection_plans",
            ChildProtectionPlan.objects.filter(child_id__in=pks, **before_end).prefetch_related(
                Prefetch("reviews", queryset=ChildProtectionReview.objects.order_by("held_on"))
            ),
        ),
    ):
        for item in qs.order_by("started_on"):
            work[item.referral_id][name].append(item)
    return work


def _census_work(episode: CinEpisode, work: dict, lists: CodeLists) -> None:
    """What happened within the episode that the census year reports: the work the census asks
    for (assessments finished in the year or still going, plans and enquiries open in it)."""
    start, end = lists.start, lists.end

    def in_year(day):
        return day is not None and start <= day <= end

    def done_by_end(day):  # finished by the census date (what comes after is not known to it)
        return day is not None and day <= end

    for rid in episode.referral_ids:
        held = work.get(rid, {})
        episode.assessments += [
            a
            for a in held.get("assessments", [])
            if in_year(a.authorised_on)
            or (not done_by_end(a.authorised_on) and in_year(a.started_on))
        ]
        episode.plans += [
            p for p in held.get("plans", []) if not (p.ended_on and p.ended_on < start)
        ]
        episode.enquiries += [
            s
            for s in held.get("enquiries", [])
            if in_year(s.conference_on)
            or (not done_by_end(s.conference_on) and in_year(s.started_on))
        ]
        episode.protection_plans += [
            p for p in held.get("protection_plans", []) if not (p.ended_on and p.ended_on < start)
        ]
    for items in (episode.assessments, episode.plans, episode.enquiries, episode.protection_plans):
        items.sort(key=lambda x: x.started_on)


def _case_closed(owning: list, decided: dt.date, following: dt.date | None) -> dt.date | None:
    """When the case a decision opened closed: the last day a team of the authority owned it,
    counting the teams that took it on before the child's next referral (received on
    `following`, None if none); None while open."""
    ends = [
        inv.ended_on
        for inv in owning
        if inv.started_on >= decided and (following is None or inv.started_on < following)
    ]
    return None if not ends or None in ends else max(ends)


def _iso(day: dt.date | None, lists: CodeLists | None = None) -> str:
    """A date for the census; an end after the census year is not known to it yet."""
    if day is None or (lists is not None and day > lists.end):
        return ""
    return day.isoformat()


def xml_text(census: CinCensus, *, lea: str = "000") -> bytes:
    root = ET.Element("Message")
    header = ET.SubElement(root, "Header")
    _fields(
        ET.SubElement(header, "CollectionDetails"),
        {
            "Collection": "CIN",
            "Year": str(census.lists.ending),
            "ReferenceDate": census.lists.end.isoformat(),
        },
    )
    _fields(
        ET.SubElement(header, "Source"),
        {
            "SourceLevel": "L",
            "LEA": lea,
            "SoftwareCode": "Tandem",
            "Release": "1",
            "SerialNo": "1",
            "DateTime": timezone.now().replace(microsecond=0).isoformat(),
        },
    )
    children = ET.SubElement(root, "Children")
    for c in census.children:
        p = c.person
        el = ET.SubElement(children, "Child")
        _fields(
            ET.SubElement(el, "ChildIdentifiers"),
            {
                "LAchildID": c.la_child_id,
                "UPN": p.upn or "",
                "FormerUPN": p.former_upn or "",
                "UPNunknown": "" if p.upn else _upn_unknown(p, c, census.lists),
                "PersonBirthDate": p.date_of_birth.isoformat() if p.date_of_birth else "",
                "ExpectedPersonBirthDate": p.expected_due_date.isoformat()
                if p.expected_due_date
                else "",
                "Sex": p.sex,
                "PersonDeathDate": _iso(p.died_on),
            },
        )
        chars = ET.SubElement(el, "ChildCharacteristics")
        _fields(chars, {"Ethnicity": p.ethnicity})
        disabilities = ET.SubElement(chars, "Disabilities")
        for code in c.disabilities or ["NONE"]:
            ET.SubElement(disabilities, "Disability").text = code
        for e in c.episodes:
            _episode(ET.SubElement(el, "CINdetails"), e, census.lists)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _episode(el: ET.Element, e: CinEpisode, lists: CodeLists) -> None:
    _fields(
        el,
        {
            "CINreferralDate": e.referred_on.isoformat(),
            "ReferralSource": e.source,
            "PrimaryNeedCode": e.primary_need,
            "CINclosureDate": _iso(e.closed_on),
            "ReasonForClosure": e.closure_reason,
            "DateOfInitialCPC": _iso(e.conference_on, lists),
            "ReferralNFA": "true" if e.nfa else "false",
        },
    )
    for a in e.assessments:
        block = ET.SubElement(el, "Assessments")
        _fields(
            block,
            {
                "AssessmentActualStartDate": _iso(a.started_on),
                "AssessmentInternalReviewDate": _iso(a.reviewed_on),
                "AssessmentAuthorisationDate": _iso(a.authorised_on, lists),
            },
        )
        if a.factors and a.authorised_on and a.authorised_on <= lists.end:
            factors = ET.SubElement(block, "FactorsIdentifiedAtAssessment")
            for code in a.factors:
                ET.SubElement(factors, "AssessmentFactors").text = code
    for plan in e.plans:
        _fields(
            ET.SubElement(el, "CINPlanDates"),
            {
                "CINPlanStartDate": _iso(plan.started_on),
                "CINPlanEndDate": _iso(plan.ended_on, lists),
            },
        )
    for s in e.enquiries:
        held = s.conference_on if s.conference_on and s.conference_on <= lists.end else None
        _fields(
            ET.SubElement(el, "Section47"),
            {
                "S47ActualStartDate": _iso(s.started_on),
                "InitialCPCtarget": _iso(s.conference_target),
                "DateOfInitialCPC": _iso(held),
                # 1 and 0, which every validator reads the same way (some miss "true").
                "ICPCnotRequired": "1" if s.conference_not_required else "0",
            },
        )
    for plan in e.protection_plans:
        block = ET.SubElement(el, "ChildProtectionPlans")
        _fields(
            block,
            {
                "CPPstartDate": _iso(plan.started_on),
                "CPPendDate": _iso(plan.ended_on, lists),
                "InitialCategoryOfAbuse": plan.initial_category,
                "LatestCategoryOfAbuse": plan.latest_category,
                "NumberOfPreviousCPP": str(plan.previous_plans),
            },
        )
        for review in plan.reviews.all():
            if lists.start <= review.held_on <= lists.end:
                _fields(ET.SubElement(block, "Reviews"), {"CPPreviewDate": _iso(review.held_on)})


def _upn_unknown(person: Person, child: CinChild, lists: CodeLists) -> str:
    """The reason a loaded census gave; else UN7 for a child whose only referrals led to no
    further action, UN1 under school age, UN5 otherwise."""
    given = [e.upn_unknown for e in child.episodes if e.upn_unknown]
    if given:
        return given[0]
    if all(e.nfa for e in child.episodes):
        return "UN7"
    dob = person.date_of_birth
    if dob is None or (lists.end - dob).days < 5 * 365:
        return "UN1"
    return "UN5"


def _fields(parent: ET.Element, values: dict[str, str]) -> None:
    for name, value in values.items():
        if value != "":
            ET.SubElement(parent, name).text = value
