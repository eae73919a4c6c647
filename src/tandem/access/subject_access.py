"""Subject access requests: log one with its one-month deadline, assemble everything held about
the person (details, where and with whom they live, their family, chronology, sensitive notes,
referrals, plans, assessments, decisions, consents, who saw the record), withhold item by item,
and export the response as JSON and PDF.

The response goes to the person, or to a parent acting for a child, so what is about someone
else (a housemate, a relative, a parent's own view) and every protected address start withheld:
an IG lead releases them one at a time, with a reason. Anything else can be withheld under an
exemption. A withheld item leaves only its key, its section and the exemption it falls under:
its text is in neither export, and nor is the IG lead's own reason, which stays in the file.
Only information-governance leads do any of this, and every step is audited.
"""

import calendar
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.errors import NotFound
from tandem.access.models import (
    Consent,
    RestrictionKind,
    SarExemption,
    SarRedaction,
    SarRelease,
    SensitiveNote,
    SubjectAccessRequest,
)
from tandem.access.policies import Action
from tandem.audit.models import AccessEvent, AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.formats import govuk_date, nhs_number
from tandem.people.codes import INVERSE_RELATIONSHIP, RelationshipKind
from tandem.people.models import Event, HouseholdMember, Person, Relationship

SAR = "subject access request"
DUE_SOON_DAYS = 7


def one_month_after(day: date) -> date:
    """The same day next month, or that month's last day (31 January -> 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Item:
    key: str
    section: str
    when: date | None  # the day it happened (None for the person's own details)
    source: str
    text: str
    # Withheld unless an IG lead releases it (about another person; a protected address):
    # the exemption it would be withheld under.
    starts_withheld: str = ""
    redacted: bool = False
    exemption: str = ""  # when withheld: what the requester is told
    reason: str = ""  # when withheld: the IG lead's own reason, kept in the file
    released: bool = False
    # Withheld only because it starts withheld: an IG lead may release it.
    releasable: bool = False

    @property
    def exemption_label(self) -> str:
        return SarExemption(self.exemption).label if self.exemption else ""


# The response goes to the data subject: UK GDPR Article 15, a legal obligation.
SAR_SHARE = {"lawful_basis": "legal_obligation", "shared_with": "the data subject (Article 15)"}


def _audit(actor, sar, action, detail=None):
    Audit(actor, Purpose.AUDIT_REVIEW, SAR).row(
        action, "subject_access_request", sar.pk, sar.person_id, detail=detail or {}
    )


@transaction.atomic
def sar_log(*, actor, person_id: UUID, requester: str, received_on: date) -> SubjectAccessRequest:
    require_role(actor, Action.MANAGE_GOVERNANCE)
    if not Person.objects.filter(pk=person_id).exists():
        raise ValidationError({"person_id": "No person with this record id"})
    errors = {}
    if received_on > timezone.localdate():
        errors["received_on"] = "The date received must be today or in the past"
    if not requester.strip():
        errors["requester"] = "Say who made the request"
    if errors:
        raise ValidationError(errors)
    sar = SubjectAccessRequest(
        person_id=person_id,
        requester=requester.strip(),
        received_on=received_on,
        due_on=one_month_after(received_on),
        logged_by=actor,
    )
    sar.full_clean()
    sar.save()
    _audit(actor, sar, AuditAction.CREATE, {"due_on": sar.due_on.isoformat()})
    return sar


def sar_get(*, actor, sar_id: UUID) -> SubjectAccessRequest:
    require_role(actor, Action.MANAGE_GOVERNANCE)
    sar = SubjectAccessRequest.objects.select_related("person").filter(pk=sar_id).first()
    if sar is None:
        raise NotFound("No subject access request with that id")
    return sar


def sars_open(*, actor, today: date | None = None) -> list[dict]:
    """Open requests, soonest deadline first, each marked overdue or due soon."""
    require_role(actor, Action.MANAGE_GOVERNANCE)
    today = today or timezone.localdate()
    rows = []
    for sar in SubjectAccessRequest.objects.filter(completed_at__isnull=True).order_by("due_on"):
        days = (sar.due_on - today).days
        state = "overdue" if days < 0 else "due soon" if days <= DUE_SOON_DAYS else "on time"
        rows.append({"sar": sar, "days_left": days, "state": state})
    # The list shows record ids, requesters and dates; each person listed gets a row.
    Audit(actor, Purpose.AUDIT_REVIEW, SAR).rows(
        AuditAction.LIST, "subject_access_request", [r["sar"].person_id for r in rows] or [None]
    )
    return rows


ADDRESS = ("address", "postcode")
THIRD_PARTY = SarExemption.THIRD_PARTY
PROTECTED = SarExemption.SERIOUS_HARM


def _protected_homes(person) -> tuple[bool, set]:
    """Whether the person's own address is protected (theirs, or a housemate's refuge address:
    it is theirs too), and which of their households hold a protected address."""
    from tandem.access.related import active_restrictions, living_there_now

    homes = HouseholdMember.objects.filter(living_there_now(), person=person)
    members = HouseholdMember.objects.filter(
        living_there_now(), household_id__in=homes.values("household_id")
    )
    protected = set(
        active_restrictions(RestrictionKind.PROTECTED_ADDRESS).values_list("child_id", flat=True)
    )
    held = {m.household_id for m in members if m.person_id in protected}
    return person.pk in protected or bool(held), held


# What the IG lead is shown in place of what the policy does not show them (an IG lead is
# named on the restrictions they made, not on every one): the item still starts withheld.
HIDDEN_ADDRESS = "a protected address, not shown to you"
HIDDEN_PERSON = "a person whose record is restricted: ask an IG lead named on it"


def _details_items(person, address_protected: bool, shown) -> list[Item]:
    hidden = not shown.shows_address(person.pk)
    return [
        Item(
            f"person:{name}",
            "Your details",
            None,
            "Shared record",
            f"{label}: {HIDDEN_ADDRESS if hidden and name in ADDRESS else value}",
            PROTECTED if address_protected and name in ADDRESS else "",
        )
        for name, label, value in [
            ("given_name", "First name", person.given_name),
            ("family_name", "Last name", person.family_name),
            ("known_as", "Known as", person.known_as),
            ("date_of_birth", "Date of birth", govuk_date(person.date_of_birth)),
            ("address", "Address", person.address),
            ("postcode", "Postcode", person.postcode),
            ("nhs_number", "NHS number", nhs_number(person.nhs_number)),
            ("upn", "Unique pupil number", person.upn or ""),
        ]
        if value
    ]


def _family_items(person, protected_households: set, actor) -> list[Item]:
    """Where and with whom the person lives now, and their recorded family: every other person
    is someone else's information, and a protected address is withheld, until released."""
    from tandem.access.related import living_there_now, people_shown

    items = []
    homes = HouseholdMember.objects.filter(living_there_now(), person=person).select_related(
        "household"
    )
    members = HouseholdMember.objects.filter(
        living_there_now(), household_id__in=homes.values("household_id")
    ).select_related("person")
    relationships = Relationship.objects.filter(
        Q(person_a=person) | Q(person_b=person)
    ).select_related("person_a", "person_b")
    shown = people_shown(
        actor,
        {m.person_id for m in members}
        | {r.person_a_id for r in relationships}
        | {r.person_b_id for r in relationships},
    )

    def name(other) -> str:
        return other.full_name if shown.shows(other.pk) else HIDDEN_PERSON

    for home in homes.order_by("household__name"):
        h = home.household
        where = ", ".join(x for x in (h.address, h.postcode) if x)
        living = [m.person_id for m in members if m.household_id == h.pk]
        if where and not all(shown.shows_address(p) for p in living):
            where = HIDDEN_ADDRESS
        items.append(
            Item(f"household:{h.pk}", "Where you live", None, "Shared record",
                 f"{h.name}{': ' + where if where else ''}",
                 PROTECTED if h.pk in protected_households and where else "")
        )  # fmt: skip
        others = [m for m in members if m.household_id == h.pk and m.person_id != person.pk]
        for m in sorted(others, key=lambda m: m.person.given_name):
            items.append(
                Item(f"housemate:{m.pk}", "Where you live", None, "Shared record",
                     f"Lives with you: {name(m.person)}", THIRD_PARTY)
            )  # fmt: skip
    for r in sorted(relationships, key=lambda r: r.created_at):
        other, kind = (
            (r.person_a, r.kind)
            if r.person_b_id == person.pk
            else (r.person_b, INVERSE_RELATIONSHIP[r.kind])
        )
        items.append(
            Item(f"relationship:{r.pk}", "Your family", None, "Shared record",
                 f"{RelationshipKind(kind).label}: {name(other)}", THIRD_PARTY)
        )  # fmt: skip
    return items


def _assemble(sar: SubjectAccessRequest, actor) -> list[Item]:
    """Everything held about the person, each item as `actor` (an IG lead) may be shown it."""
    from tandem.access.related import people_shown
    from tandem.referrals.models import Referral

    person = sar.person
    address_protected, protected_households = _protected_homes(person)
    items = _details_items(person, address_protected, people_shown(actor, [person.pk]))
    items += _family_items(person, protected_households, actor)
    for e in Event.objects.filter(person=person).select_related("partner").order_by("occurred_at"):
        items.append(
            Item(
                f"event:{e.pk}",
                "Chronology",
                _day(e.occurred_at),
                e.partner.name,
                f"{e.get_kind_display()}: {e.summary}",
            )
        )
    notes = SensitiveNote.objects.filter(child=person).select_related("partner")
    for n in notes.order_by("occurred_at"):
        items.append(
            Item(
                f"note:{n.pk}",
                "Sensitive information",
                _day(n.occurred_at),
                n.partner.name,
                f"{n.get_category_display()}: {n.summary}",
            )
        )
    referrals = Referral.objects.filter(child=person).select_related(
        "from_team__partner", "to_team"
    )
    for r in referrals.order_by("received_at"):
        items.append(
            Item(
                f"referral:{r.pk}",
                "Referrals",
                _day(r.received_at),
                r.from_team.partner.name,
                f"Referral to {r.to_team.name}: {r.concerns}",
            )
        )
    items += _casework_items(person)
    items += _outcome_items(person)
    items += _consent_items(person)
    seen = AccessEvent.objects.filter(person_id=person.pk).select_related("actor")
    seen = seen.order_by("occurred_at", "id")
    for a in seen.exclude(record_type="subject_access_request")[:5000]:
        items.append(
            Item(
                f"audit:{a.pk}",
                "Who saw or changed your record",
                _day(a.occurred_at),
                a.actor_partner or "Tandem",
                f"{a.what} by {a.actor_team or a.who}"
                f", for {(a.get_purpose_display() or 'no stated purpose').lower()}",
            )
        )
    return items


def _day(moment) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


def _casework_items(person) -> list[Item]:
    """Plans (goals and actions), assessments (each factor's evidence) and every decision made
    about the person, with the views gathered for it."""
    from tandem.casework.models import Action, AssessmentFactor, DecisionRecord, Goal

    items = []
    goals = Goal.objects.filter(plan__case__child=person).select_related("plan__case__team")
    for g in goals.order_by("added_at"):
        items.append(
            Item(f"goal:{g.pk}", "Plans", _day(g.added_at), g.plan.case.team.name,
                 f"Goal: {g.text}")
        )  # fmt: skip
    actions = Action.objects.filter(goal__plan__case__child=person).select_related(
        "goal__plan__case__team"
    )
    for a in actions.order_by("added_at"):
        items.append(
            Item(f"action:{a.pk}", "Plans", _day(a.added_at), a.goal.plan.case.team.name,
                 f"Action: {a.text} (due {govuk_date(a.due_on)}, "
                 f"{a.get_status_display().lower()})")
        )  # fmt: skip
    factors = AssessmentFactor.objects.filter(assessment__case__child=person).select_related(
        "source_partner"
    )
    for f in factors.order_by("recorded_at"):
        items.append(
            Item(f"factor:{f.pk}", "Assessments", _day(f.recorded_at), f.source_partner.name,
                 f"{f.get_area_display()} ({f.get_rating_display()}): {f.evidence}")
        )  # fmt: skip
    decisions = DecisionRecord.objects.filter(child=person).select_related("team__partner")
    for d in decisions.order_by("decided_at"):
        view = f" (Your view: {d.child_view})" if d.child_view else ""
        when, source = _day(d.decided_at), d.team.partner.name
        items.append(
            Item(f"decision:{d.pk}", "Decisions", when, source,
                 f"{d.get_kind_display()}: {d.summary}{view}")
        )  # fmt: skip
        if d.parent_view:  # the parent's or carer's own words: their information
            items.append(
                Item(f"decision-parent:{d.pk}", "Decisions", when, source,
                     f"Parent's or carer's view: {d.parent_view}", THIRD_PARTY)
            )  # fmt: skip
    return items


def _outcome_items(person) -> list[Item]:
    """The services the person received and what was measured of them: SDQ scores (never the
    licensed questions) and Outcomes Star readings."""
    from tandem.outcomes.models import SdqRecord, ServiceSpell, StarReading

    items = []
    spells = ServiceSpell.objects.filter(person=person).select_related("service__partner")
    for s in spells.order_by("started_on"):
        ended = (
            f", ended {govuk_date(s.ended_on)} ({s.get_end_reason_display().lower()})"
            if (s.ended_on)
            else ""
        )
        run_by = s.service.partner.name if s.service.partner else "The partnership"
        items.append(
            Item(f"spell:{s.pk}", "Services received", s.started_on, run_by,
                 f"{s.service.name}, from {govuk_date(s.started_on)}{ended}")
        )  # fmt: skip
    for r in SdqRecord.objects.filter(person=person).order_by("completed_on"):
        scores = ", ".join(
            f"{name} {getattr(r, name)}"
            for name in ("emotional", "conduct", "hyperactivity", "peer", "prosocial", "impact")
            if getattr(r, name) is not None
        )
        total = f"total difficulties {r.total}" if r.total is not None else "no total"
        items.append(
            Item(f"sdq:{r.pk}", "Questionnaires", r.completed_on, "Shared record",
                 f"Strengths and Difficulties Questionnaire ({r.informant}): {total}; {scores}")
        )  # fmt: skip
    for r in StarReading.objects.filter(person=person).order_by("read_on", "area"):
        items.append(
            Item(f"star:{r.pk}", "Questionnaires", r.read_on, "Shared record",
                 f"Outcomes Star ({r.star}), {r.area.replace('-', ' ')}: {r.reading} of 10")
        )  # fmt: skip
    return items


def _consent_items(person) -> list[Item]:
    items = []
    for c in Consent.objects.filter(child=person).order_by("given_at"):
        withdrawn = f"; withdrawn {govuk_date(c.withdrawn_at)}" if c.withdrawn_at else ""
        items.append(
            Item(f"consent:{c.pk}", "Consents", _day(c.given_at), "Shared record",
                 f"Consent to share for {c.get_purpose_display().lower()}, given by "
                 f"{c.given_by}{withdrawn}")
        )  # fmt: skip
    return items


def _decided(sar: SubjectAccessRequest, items: list[Item]) -> list[Item]:
    """Each item as the IG lead has decided it: withheld (by a redaction, or because it starts
    withheld and was not released) or open."""
    redacted = {r.item_key: r for r in sar.redactions.all()}
    released = set(sar.releases.values_list("item_key", flat=True))
    decided = []
    for i in items:
        if i.key in redacted:
            r = redacted[i.key]
            decided.append(replace(i, redacted=True, exemption=r.exemption, reason=r.reason))
        elif i.starts_withheld and i.key not in released:
            reason = STARTS_WITHHELD[i.starts_withheld]
            decided.append(
                replace(
                    i, redacted=True, exemption=i.starts_withheld, reason=reason, releasable=True
                )
            )
        else:
            decided.append(replace(i, released=i.key in released))
    return decided


STARTS_WITHHELD = {
    THIRD_PARTY: "About another person: withheld unless released",
    PROTECTED: "A protected address: withheld unless released",
}


def sar_items(*, actor, sar_id: UUID) -> list[Item]:
    """Everything held, each item as decided. The IG lead sees every item's text, withheld or
    not, to decide it; the exports never carry a withheld item's text (`_public`)."""
    sar = sar_get(actor=actor, sar_id=sar_id)
    items = _decided(sar, _assemble(sar, actor))
    withheld = sum(i.redacted for i in items)
    _audit(actor, sar, AuditAction.VIEW, {"items": len(items), "redacted": withheld})
    return items


@transaction.atomic
def sar_redact(
    *, actor, sar_id: UUID, item_key: str, reason: str, exemption: str = THIRD_PARTY
) -> SarRedaction:
    """Withhold an item under an exemption (what the requester is told), with the reason (kept
    in the file)."""
    sar = sar_get(actor=actor, sar_id=sar_id)
    errors = {}
    if item_key not in {i.key for i in _assemble(sar, actor)}:
        errors["item_key"] = "Choose an item of this request to redact"
    if exemption not in SarExemption.values:
        errors["exemption"] = "Choose the exemption the item is withheld under"
    if not reason.strip():
        errors["reason"] = "Say why this item is withheld (for example, it is about someone else)"
    if errors:
        raise ValidationError(errors)
    redaction = SarRedaction(exemption=exemption, redacted_by=actor, redacted_at=timezone.now())
    return _decision_save(actor, sar, redaction, item_key, reason, {"exemption": exemption})


@transaction.atomic
def sar_release(*, actor, sar_id: UUID, item_key: str, reason: str) -> SarRelease:
    """Release an item that starts withheld (about another person; a protected address), with
    why it may go to the requester (they consented; the requester already knows it)."""
    sar = sar_get(actor=actor, sar_id=sar_id)
    errors = {}
    starts = {i.key for i in _assemble(sar, actor) if i.starts_withheld}
    if item_key not in starts:
        errors["item_key"] = "Choose an item of this request that starts withheld"
    elif sar.redactions.filter(item_key=item_key).exists():
        errors["item_key"] = "This item is withheld under an exemption: it cannot be released"
    if not reason.strip():
        errors["reason"] = "Say why this item may be released (for example, they consented)"
    if errors:
        raise ValidationError(errors)
    release = SarRelease(released_by=actor, released_at=timezone.now())
    return _decision_save(actor, sar, release, item_key, reason, {"released": True})


def _decision_save(actor, sar, decision, item_key: str, reason: str, detail: dict):
    """Save an IG lead's decision on one item (withheld, or released) and audit it."""
    decision.sar, decision.item_key, decision.reason = sar, item_key, reason.strip()
    decision.full_clean()
    decision.save()
    _audit(actor, sar, AuditAction.UPDATE, {"item": item_key, **detail})
    return decision


def _response(actor, sar_id) -> tuple[SubjectAccessRequest, dict]:
    sar = sar_get(actor=actor, sar_id=sar_id)
    items = sar_items(actor=actor, sar_id=sar_id)
    return sar, {
        "request": {
            "id": str(sar.pk),
            "requester": sar.requester,
            "received_on": sar.received_on.isoformat(),
            "due_on": sar.due_on.isoformat(),
            "produced_at": timezone.now().isoformat(),
        },
        "items": [_public(i) for i in items],
    }


def _public(item: Item) -> dict:
    """What the requester gets: a withheld item keeps its key, its section and the exemption
    it falls under, never its text nor the IG lead's reason."""
    if item.redacted:
        return {
            "key": item.key,
            "section": item.section,
            "redacted": True,
            "exemption": item.exemption_label,
        }
    return {
        **{k: getattr(item, k) for k in ("key", "section", "source", "text")},
        "when": item.when.isoformat() if item.when else "",
    }


def sar_export_json(*, actor, sar_id: UUID) -> str:
    sar, response = _response(actor, sar_id)
    items = len(response["items"])
    _audit(actor, sar, AuditAction.EXPORT, {"format": "json", "items": items, **SAR_SHARE})
    return json.dumps(response, indent=2, ensure_ascii=False)


def sar_export_pdf(*, actor, sar_id: UUID) -> bytes:
    from fpdf import FPDF

    sar, response = _response(actor, sar_id)
    pdf = FPDF()
    # Uncompressed: a response is small, and anyone can check what it does and does not hold.
    pdf.compress = False
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    _line(pdf, 10, "Your information: response to a subject access request")
    pdf.set_font("Helvetica", size=10)
    pdf.multi_cell(
        0,
        6,
        f"Request received {govuk_date(sar.received_on)}, due {govuk_date(sar.due_on)}, "
        f"produced {govuk_date(timezone.now())}.",
    )
    section = None
    for item in response["items"]:
        if item["section"] != section:
            section = item["section"]
            pdf.ln(3)
            pdf.set_font("Helvetica", "B", 12)
            _line(pdf, 8, section)
            pdf.set_font("Helvetica", size=10)
        if item.get("redacted"):
            line = f"[Withheld. Exemption: {item['exemption']}]"
        else:
            when = govuk_date(date.fromisoformat(item["when"])) if item["when"] else ""
            line = " - ".join(x for x in (when, item.get("source")) if x)
            line = f"{line}: {item['text']}" if line else item["text"]
        _line(pdf, 5, _latin1(line))
    data = bytes(pdf.output())
    items = len(response["items"])
    _audit(actor, sar, AuditAction.EXPORT, {"format": "pdf", "items": items, **SAR_SHARE})
    return data


def _line(pdf, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def _latin1(text: str) -> str:
    # The PDF's core font is Latin-1: keep what it can draw, mark what it cannot.
    return text.replace("\u2019", "'").encode("latin-1", "replace").decode("latin-1")


@transaction.atomic
def sar_complete(*, actor, sar_id: UUID) -> SubjectAccessRequest:
    sar = sar_get(actor=actor, sar_id=sar_id)
    if sar.completed_at is None:
        sar.completed_at = timezone.now()
        sar.save(update_fields=["completed_at"])
        _audit(actor, sar, AuditAction.UPDATE, {"completed": True})
    return sar
