"""Synthetic children-in-need work: assessments, CIN plans, section 47 enquiries, initial child
protection conferences, child protection plans and their reviews, and disabilities, drawn for the
episodes the generator's referrals and decisions already make (`returns.cin.episode_spans`), so
that nothing is entered twice and the census of a synthetic partnership is clean.

Rates (DfE, Characteristics of children in need, 2024-25; see research/outcomes-cba.md §5.2): about
4 in 10 section 47 enquiries do not lead to a plan; a child protection plan's categories are
mostly neglect (about half) and emotional abuse (about 4 in 10); about 1 in 8 children in need
has a disability recorded. A child and family assessment is authorised within 45 working days;
an initial conference is held within 15 working days of the enquiry starting; a plan is reviewed
within 3 months, then every 6.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction

from tandem.access.models import Involvement, InvolvementKind
from tandem.care.models import (
    ChildDisability,
    ChildProtectionPlan,
    ChildProtectionReview,
    CinAssessment,
    CinPlan,
    Section47Enquiry,
)
from tandem.partners.models import Partner, PartnerKind
from tandem.referrals.codes import Decision
from tandem.referrals.models import Referral
from tandem.returns.cin import episode_spans

STAGE = 9  # the random stream for children-in-need work, after care's
NO_CONFERENCE = 0.4  # section 47 enquiries that need no conference
DISABLED = 0.13  # children in need with a disability recorded
CATEGORIES = (["NEG", "EMO", "PHY", "SAB", "MUL"], [0.5, 0.38, 0.07, 0.04, 0.01])
DISABILITIES = (
    ["LD", "COMM", "AUT", "BEH", "MOB", "PC", "HAND", "VIS", "HEAR", "INC", "CON", "DDA"],
    [0.2, 0.15, 0.2, 0.12, 0.08, 0.05, 0.03, 0.04, 0.04, 0.03, 0.02, 0.04],
)
# Factors found at assessment, most common first (DfE 2024-25: domestic abuse and mental health
# of a parent lead). 18A and 19A are superseded and 21 (none) only fits a closure after
# assessment, so none of them is drawn.
FACTORS = (
    ["3B", "4B", "3A", "4A", "2B", "1B", "16A", "17A", "14A", "19C", "5A", "6B", "10A", "24A"],
    [0.18, 0.16, 0.09, 0.09, 0.08, 0.06, 0.08, 0.07, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02],
)


@dataclass
class DrawnCin:
    assessments: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    enquiries: list = field(default_factory=list)
    protection_plans: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    disabilities: list = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "CIN assessments": len(self.assessments),
            "CIN plans": len(self.plans),
            "section 47 enquiries": len(self.enquiries),
            "child protection plans": len(self.protection_plans),
            "child protection reviews": len(self.reviews),
            "disabilities": len(self.disabilities),
        }


def weekday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def working_days_after(day: dt.date, n: int) -> dt.date:
    """`n` weekdays after `day` (bank holidays aside: a target, not a rule)."""
    while n:
        day += dt.timedelta(days=1)
        n -= day.weekday() < 5
    return day


def _pick(rng, choices) -> str:
    names, weights = choices
    return names[rng.choice(len(names), p=np.array(weights) / sum(weights))]


def draw_cin(rng, spans_by_child: dict, as_of: dt.date) -> DrawnCin:
    drawn = DrawnCin()
    for child_id, spans in spans_by_child.items():
        previous_plans = 0
        worked = False
        for span in spans:
            if span.nfa or span.decided_on >= as_of:
                continue
            worked = True
            # The last day work can happen: the closure, or yesterday while open.
            last = span.closed_on or (as_of - dt.timedelta(days=1))
            if span.first.decision.decision == Decision.CHILD_PROTECTION:
                previous_plans += _protection(rng, drawn, child_id, span, last, previous_plans)
            else:
                _in_need(rng, drawn, child_id, span, last)
        if worked and rng.random() < DISABLED:
            codes = {_pick(rng, DISABILITIES) for _ in range(1 + (rng.random() < 0.3))}
            drawn.disabilities += [ChildDisability(child_id=child_id, code=c) for c in codes]
    return drawn


def _assessment(rng, drawn, child_id, span, last, not_before=None) -> CinAssessment:
    start = span.decided_on
    authorised = start + dt.timedelta(days=int(rng.integers(7, 45)))
    if not_before:  # authorised after the conference, which it informs
        authorised = max(authorised, not_before + dt.timedelta(days=int(rng.integers(1, 10))))
    authorised = min(authorised, last)
    done = span.closed_on is not None or authorised < last
    factors = sorted({_pick(rng, FACTORS) for _ in range(int(rng.integers(1, 4)))})
    a = CinAssessment(
        child_id=child_id,
        referral_id=span.first.pk,
        started_on=start,
        authorised_on=authorised if done else None,
        factors=factors if done else [],
    )
    drawn.assessments.append(a)
    return a


def _in_need(rng, drawn, child_id, span, last) -> None:
    """An assessment, then a CIN plan until the case closes."""
    a = _assessment(rng, drawn, child_id, span, last)
    if a.authorised_on is None:
        return
    start = a.authorised_on + dt.timedelta(days=int(rng.integers(1, 8)))
    if start < last:
        drawn.plans.append(
            CinPlan(
                child_id=child_id,
                referral_id=span.first.pk,
                started_on=start,
                ended_on=span.closed_on,
            )
        )


def _protection(rng, drawn, child_id, span, last, previous_plans: int) -> int:
    """A section 47 enquiry beside the assessment; a conference, and a plan, for most. Returns
    the number of plans started."""
    start = span.decided_on
    target = working_days_after(start, 15)
    held = weekday_on_or_after(start + dt.timedelta(days=int(rng.integers(5, 15))))
    # The census reports an enquiry in the year of its conference: its assessment must be there.
    _assessment(rng, drawn, child_id, span, last, not_before=held)
    if rng.random() < NO_CONFERENCE or held >= last:
        drawn.enquiries.append(
            Section47Enquiry(
                child_id=child_id,
                referral_id=span.first.pk,
                started_on=start,
                conference_target=target,
                conference_not_required=True,
            )
        )
        return 0
    drawn.enquiries.append(
        Section47Enquiry(
            child_id=child_id,
            referral_id=span.first.pk,
            started_on=start,
            conference_target=target,
            conference_on=held,
        )
    )
    category = _pick(rng, CATEGORIES)
    plan = ChildProtectionPlan(
        child_id=child_id,
        referral_id=span.first.pk,
        started_on=held,
        ended_on=span.closed_on,  # the conference was held before the case closed
        initial_category=category,
        latest_category=category if rng.random() < 0.9 else _pick(rng, CATEGORIES),
        previous_plans=previous_plans,
    )
    drawn.protection_plans.append(plan)
    review = held + dt.timedelta(days=int(rng.integers(80, 92)))
    while review < (plan.ended_on or last):
        drawn.reviews.append(ChildProtectionReview(plan=plan, held_on=review))
        review += dt.timedelta(days=int(rng.integers(170, 183)))
    return 1


def inject_errors(drawn: DrawnCin, start: dt.date, end: dt.date) -> list[tuple[str, object]]:
    """Break a few records in ways the DfE's CIN rules catch, within the census year from
    `start` to `end`; returns (rule code, child id) for each."""
    injected = []

    def in_year(day):
        return day is not None and start <= day <= end

    done = [a for a in drawn.assessments if in_year(a.authorised_on) and a.factors]
    for a in done[:3]:
        a.factors = [a.factors[0], a.factors[0]]
        injected.append(("8898", a.child_id))
    plans = [p for p in drawn.protection_plans if in_year(p.started_on)]
    for p in plans[:3]:
        p.latest_category = "XXX"
        injected.append(("8910", p.child_id))
    enquiries = [e for e in drawn.enquiries if in_year(e.conference_on)][3:6]
    for e in enquiries:
        saturday = e.conference_on + dt.timedelta(days=5 - e.conference_on.weekday())
        for p in drawn.protection_plans:
            if p.referral_id == e.referral_id and p.started_on == e.conference_on:
                p.started_on = saturday
        e.conference_on = saturday
        injected.append(("8875", e.child_id))
    disabled = {d.child_id for d in drawn.disabilities}
    for child_id in sorted(disabled, key=str)[:3]:
        drawn.disabilities.append(ChildDisability(child_id=child_id, code="NONE"))
        injected.append(("8790", child_id))
    return injected


@transaction.atomic
def build_cin(*, seed: int, as_of: dt.date, inject: bool = False) -> dict[str, int]:
    """Draw and write children-in-need work for the episodes of the authority's referrals."""
    la = Partner.objects.filter(kind=PartnerKind.LOCAL_AUTHORITY).order_by("name").first()
    if la is None:
        return {}
    referrals = (
        Referral.objects.filter(to_team__partner=la, decision__isnull=False)
        .select_related("decision")
        .only("id", "child_id", "received_at", "decision__decision", "decision__decided_at")
        .order_by("child_id", "received_at")
    )
    owning = defaultdict(list)
    for inv in Involvement.objects.filter(team__partner=la, kind=InvolvementKind.OWNING_TEAM).only(
        "child_id", "started_on", "ended_on"
    ):
        owning[inv.child_id].append(inv)
    by_child = defaultdict(list)
    for r in referrals:
        by_child[r.child_id].append(r)
    spans = {
        child: episode_spans(rows, owning.get(child, []))
        for child, rows in sorted(by_child.items(), key=lambda kv: str(kv[0]))
    }
    rng = np.random.default_rng([seed, 2**20 + 1, STAGE])
    drawn = draw_cin(rng, spans, as_of)
    if inject:  # the census year before `as_of`'s
        year_end = dt.date(as_of.year - (as_of.month < 4), 3, 31)
        inject_errors(drawn, dt.date(year_end.year - 1, 4, 1), year_end)
    for rows in (
        drawn.assessments,
        drawn.plans,
        drawn.enquiries,
        drawn.protection_plans,
        drawn.reviews,
        drawn.disabilities,
    ):
        if rows:
            type(rows[0]).objects.bulk_create(rows, batch_size=2000)
    return drawn.counts()
