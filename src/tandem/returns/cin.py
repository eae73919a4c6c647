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
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from tandem.access.models import Involvement, InvolvementKind
from tandem.care.codelists import CodeLists
from tandem.people.models import Person
from tandem.referrals.codes import Decision
from tandem.referrals.models import Referral, ReferralReason

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


@dataclass
class CinChild:
    person: Person
    la_child_id: str
    episodes: list[CinEpisode]


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


def census_build(*, children: list[Person], la, lists: CodeLists) -> CinCensus:
    pks = [c.pk for c in children]
    referrals = (
        census_referrals(la, lists)
        .filter(child_id__in=pks)
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
    out = []
    for child in sorted(children, key=lambda c: la_child_id(c.pk)):
        episodes: list[CinEpisode] = []
        rows = by_child.get(child.pk, [])
        for i, r in enumerate(rows):
            referred = timezone.localtime(r.received_at).date()
            if episodes and (episodes[-1].closed_on is None or episodes[-1].closed_on >= referred):
                continue  # a referral while the case is open is part of that episode
            decided = timezone.localtime(r.decision.decided_at).date()
            need = _need([x.reason for x in r.reasons.all()], lists)
            if r.decision.decision in OPENS_A_CASE:
                closed = _case_closed(owning.get(child.pk, []), decided, rows[i + 1 :])
                if closed and closed > lists.end:
                    closed = None
                if closed and closed < lists.start:
                    continue  # closed before the census year
                episodes.append(
                    CinEpisode(
                        r.pk, referred, r.source, need, False, closed, "RC7" if closed else ""
                    )
                )
            elif referred >= lists.start:
                reason = lists.mapping["no_further_action"].get(r.decision.decision, "RC7")
                closed = min(max(decided, referred), lists.end)
                episodes.append(CinEpisode(r.pk, referred, r.source, need, True, closed, reason))
        if episodes:
            out.append(CinChild(child, la_child_id(child.pk), episodes))
    return CinCensus(lists=lists, children=out)


def _case_closed(owning: list, decided: dt.date, later: list) -> dt.date | None:
    """When the case a decision opened closed: the last day a team of the authority owned it,
    counting the teams that took it on before the child's next referral; None while open."""
    following = timezone.localtime(later[0].received_at).date() if later else None
    ends = [
        inv.ended_on
        for inv in owning
        if inv.started_on >= decided and (following is None or inv.started_on < following)
    ]
    return None if not ends or None in ends else max(ends)


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
                "UPNunknown": "" if p.upn else _upn_unknown(p, c, census.lists),
                "PersonBirthDate": p.date_of_birth.isoformat() if p.date_of_birth else "",
                "ExpectedPersonBirthDate": p.expected_due_date.isoformat()
                if p.expected_due_date
                else "",
                "Sex": p.sex,
            },
        )
        chars = ET.SubElement(el, "ChildCharacteristics")
        _fields(chars, {"Ethnicity": p.ethnicity})
        _fields(ET.SubElement(chars, "Disabilities"), {"Disability": "NONE"})
        for e in c.episodes:
            _fields(
                ET.SubElement(el, "CINdetails"),
                {
                    "CINreferralDate": e.referred_on.isoformat(),
                    "ReferralSource": e.source,
                    "PrimaryNeedCode": e.primary_need,
                    "CINclosureDate": e.closed_on.isoformat() if e.closed_on else "",
                    "ReasonForClosure": e.closure_reason,
                    "ReferralNFA": "true" if e.nfa else "false",
                },
            )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _upn_unknown(person: Person, child: CinChild, lists: CodeLists) -> str:
    """UN7 for a child whose only referrals led to no further action; UN1 under school age."""
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
