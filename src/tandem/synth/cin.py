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
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from tandem.access.models import Involvement, InvolvementKind
from tandem.care.models import (
    ChildDisability,
    ChildProtectionPlan,
    ChildProtectionReview,
    CinAssessment,
    CinPlan,
    Section47Enquiry,
)
from tandem.referrals.codes import Decision
from tandem.referrals.models import Referral, ThresholdDecision
from tandem.returns.cin import episode_spans
from tandem.synth import ids, load
from tandem.synth.build import table_prefix
from tandem.synth.scalars import Scalars

STAGE = 9  # the random stream for children-in-need work, after care's
DRAW = 1  # a chunk's draws: [seed, 2**20 + 1, STAGE, chunk] gives its ids
NO_CONFERENCE = 0.4  # section 47 enquiries that need no conference
DISABLED = 0.13  # children in need with a disability recorded
CATEGORIES = (("NEG", "EMO", "PHY", "SAB", "MUL"), (0.5, 0.38, 0.07, 0.04, 0.01))
DISABILITIES = (
    ("LD", "COMM", "AUT", "BEH", "MOB", "PC", "HAND", "VIS", "HEAR", "INC", "CON", "DDA"),
    (0.2, 0.15, 0.2, 0.12, 0.08, 0.05, 0.03, 0.04, 0.04, 0.03, 0.02, 0.04),
)
# Factors found at assessment, most common first (DfE 2024-25: domestic abuse and mental health
# of a parent lead). 18A and 19A are superseded and 21 (none) only fits a closure after
# assessment, so none of them is drawn.
FACTORS = (
    ("3B", "4B", "3A", "4A", "2B", "1B", "16A", "17A", "14A", "19C", "5A", "6B", "10A", "24A"),
    (0.18, 0.16, 0.09, 0.09, 0.08, 0.06, 0.08, 0.07, 0.05, 0.04, 0.03, 0.03, 0.02, 0.02),
)


@dataclass
class DrawnCin:
    """One chunk's children-in-need work, as columns. A review's `plan` is the index of its plan
    in `protection_plans` until the plans have ids."""

    assessments: load.Rows = load.rows_field(
        CinAssessment, "child_id", "referral_id", "started_on", "authorised_on", "factors"
    )
    plans: load.Rows = load.rows_field(
        CinPlan, "child_id", "referral_id", "started_on", "ended_on"
    )
    enquiries: load.Rows = load.rows_field(
        Section47Enquiry,
        "child_id",
        "referral_id",
        "started_on",
        "conference_target",
        "conference_on",
        "conference_not_required",
    )
    protection_plans: load.Rows = load.rows_field(
        ChildProtectionPlan,
        "child_id",
        "referral_id",
        "started_on",
        "ended_on",
        "initial_category",
        "latest_category",
        "previous_plans",
    )
    reviews: load.Rows = load.rows_field(ChildProtectionReview, "plan", "held_on")
    disabilities: load.Rows = load.rows_field(ChildDisability, "child_id", "code")


def weekday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def working_days_after(day: dt.date, n: int) -> dt.date:
    """`n` weekdays after `day` (bank holidays aside: a target, not a rule)."""
    weeks = max(n - 1, 0) // 5  # whole weeks first (any seven days hold five weekdays) ...
    day += dt.timedelta(weeks=weeks)
    n -= 5 * weeks
    while n:  # ... and the last one to five one at a time, to land on a weekday
        day += dt.timedelta(days=1)
        n -= day.weekday() < 5
    return day


def draw_cin(rng: Scalars, spans_by_child: dict, as_of: dt.date) -> DrawnCin:
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
            codes = {rng.pick(*DISABILITIES) for _ in range(1 + (rng.random() < 0.3))}
            for code in sorted(codes):
                drawn.disabilities.add(child_id=child_id, code=code)
    return drawn


def _assessment(rng, drawn, child_id, span, last, not_before=None) -> dt.date | None:
    """Adds the episode's assessment; returns the day it was authorised (None if not yet)."""
    start = span.decided_on
    authorised = start + dt.timedelta(days=rng.integers(7, 45))
    if not_before:  # authorised after the conference, which it informs
        authorised = max(authorised, not_before + dt.timedelta(days=rng.integers(1, 10)))
    authorised = min(authorised, last)
    done = span.closed_on is not None or authorised < last
    factors = sorted({rng.pick(*FACTORS) for _ in range(rng.integers(1, 4))})
    drawn.assessments.add(
        child_id=child_id,
        referral_id=span.first.pk,
        started_on=start,
        authorised_on=authorised if done else None,
        factors=factors if done else [],
    )
    return authorised if done else None


def _in_need(rng, drawn, child_id, span, last) -> None:
    """An assessment, then a CIN plan until the case closes."""
    authorised = _assessment(rng, drawn, child_id, span, last)
    if authorised is None:
        return
    start = authorised + dt.timedelta(days=rng.integers(1, 8))
    if start < last:
        drawn.plans.add(
            child_id=child_id,
            referral_id=span.first.pk,
            started_on=start,
            ended_on=span.closed_on,
        )


def _protection(rng, drawn, child_id, span, last, previous_plans: int) -> int:
    """A section 47 enquiry beside the assessment; a conference, and a plan, for most. Returns
    the number of plans started."""
    start = span.decided_on
    target = working_days_after(start, 15)
    held = weekday_on_or_after(start + dt.timedelta(days=rng.integers(5, 15)))
    # The census reports an enquiry in the year of its conference: its assessment must be there.
    _assessment(rng, drawn, child_id, span, last, not_before=held)
    no_conference = bool(rng.random() < NO_CONFERENCE or held >= last)
    drawn.enquiries.add(
        child_id=child_id,
        referral_id=span.first.pk,
        started_on=start,
        conference_target=target,
        conference_on=None if no_conference else held,
        conference_not_required=no_conference,
    )
    if no_conference:
        return 0
    category = rng.pick(*CATEGORIES)
    plan = drawn.protection_plans.add(
        child_id=child_id,
        referral_id=span.first.pk,
        started_on=held,
        ended_on=span.closed_on,  # the conference was held before the case closed
        initial_category=category,
        latest_category=category if rng.random() < 0.9 else rng.pick(*CATEGORIES),
        previous_plans=previous_plans,
    )
    review = held + dt.timedelta(days=rng.integers(80, 92))
    while review < (span.closed_on or last):
        drawn.reviews.add(plan=plan, held_on=review)
        review += dt.timedelta(days=rng.integers(170, 183))
    return 1


def inject_errors(drawn: DrawnCin, start: dt.date, end: dt.date) -> list[tuple[str, object]]:
    """Break a few records in ways the DfE's CIN rules catch, within the census year from
    `start` to `end`; returns (rule code, child id) for each."""
    injected = []

    def in_year(column):
        return [i for i, day in enumerate(column) if day is not None and start <= day <= end]

    a = drawn.assessments.columns
    for i in [i for i in in_year(a["authorised_on"]) if a["factors"][i]][:3]:
        a["factors"][i] = [a["factors"][i][0], a["factors"][i][0]]
        injected.append(("8898", a["child_id"][i]))
    p = drawn.protection_plans.columns
    for i in in_year(p["started_on"])[:3]:
        p["latest_category"][i] = "XXX"
        injected.append(("8910", p["child_id"][i]))
    e = drawn.enquiries.columns
    for i in in_year(e["conference_on"])[3:6]:
        held = e["conference_on"][i]
        saturday = held + dt.timedelta(days=5 - held.weekday())
        for j in range(len(drawn.protection_plans)):
            if p["referral_id"][j] == e["referral_id"][i] and p["started_on"][j] == held:
                p["started_on"][j] = saturday
        e["conference_on"][i] = saturday
        injected.append(("8875", e["child_id"][i]))
    for child_id in sorted(set(drawn.disabilities.columns["child_id"]), key=str)[:3]:
        drawn.disabilities.add(child_id=child_id, code="NONE")
        injected.append(("8790", child_id))
    return injected


class _Decision(NamedTuple):
    decision: str
    decided_at: dt.datetime


class _Referral(NamedTuple):
    """What `episode_spans` reads of a referral, without a model instance."""

    pk: object
    received_at: dt.datetime
    decision: _Decision


class _Owning(NamedTuple):
    started_on: dt.date
    ended_on: dt.date | None


def _column(data: dict, name: str):
    """A column by field name or by attribute name (`child` or `child_id`), as the writer takes
    either."""
    return data[name] if name in data else data[f"{name}_id"]


def _dates(values) -> list:
    return np.asarray(values, dtype="datetime64[D]").astype(object).tolist()


def _aware(values) -> list[dt.datetime]:
    """Generated UTC times as aware datetimes, as the database gives them back."""
    naive = np.asarray(values, dtype="datetime64[us]").astype(object).tolist()
    return [at.replace(tzinfo=dt.UTC) for at in naive]


def spans_of(rows: list[tuple], teams: set[str]) -> dict:
    """The episodes of a chunk's children, by child in id order, from the chunk's rows
    ((model, columns), as the build writes them): the decided referrals to the authority's
    `teams` and their owning involvements."""
    owning = defaultdict(list)
    decisions, referrals = {}, []
    for model, data in rows:
        if model is Involvement:
            # The authority's owning rows first, so only those are turned into dates.
            team = np.asarray(_column(data, "team"), dtype=object)
            kind = np.asarray(data["kind"], dtype=object)
            keep = np.flatnonzero((kind == InvolvementKind.OWNING_TEAM) & np.isin(team, [*teams]))
            for child, started, ended in zip(
                np.asarray(_column(data, "child"), dtype=object)[keep],
                _dates(np.asarray(data["started_on"])[keep]),
                _dates(np.asarray(data["ended_on"])[keep]),
                strict=True,
            ):
                owning[child].append(_Owning(started, ended))
        elif model is ThresholdDecision:
            decisions.update(
                zip(
                    _column(data, "referral"),
                    zip(data["decision"], np.asarray(data["decided_at"]), strict=True),
                    strict=True,
                )
            )
        elif model is Referral:
            referrals.append(data)
    by_child = defaultdict(list)
    for data in referrals:
        # Only the decided referrals to the authority are turned into times.
        pks = np.asarray(data["id"], dtype=object)
        keep = np.flatnonzero(
            np.isin(np.asarray(_column(data, "to_team"), dtype=object), [*teams])
            & np.fromiter((pk in decisions for pk in pks), dtype=bool, count=len(pks))
        )
        decided = [decisions[pk] for pk in pks[keep]]
        for pk, child, received, (decision, _), at in zip(
            pks[keep],
            np.asarray(_column(data, "child"), dtype=object)[keep],
            _aware(np.asarray(data["received_at"])[keep]),
            decided,
            _aware([at for _, at in decided]),
            strict=True,
        ):
            by_child[child].append(_Referral(pk, received, _Decision(decision, at)))
    return {
        child: episode_spans(sorted(refs, key=lambda r: r.received_at), owning.get(child, []))
        for child, refs in sorted(by_child.items())
    }


def rows_of(drawn: DrawnCin, seed: int, chunk: int) -> list[tuple]:
    """A chunk's rows as (model, columns), with ids from the chunk's own stream."""
    rng = np.random.default_rng([seed, 2**20 + 1, STAGE, chunk])

    def uuids(rows: load.Rows) -> list[str]:
        return ids.uuids(rng, len(rows), table=table_prefix(seed, rows.model), chunk=chunk)

    plan_ids = uuids(drawn.protection_plans)
    reviews = drawn.reviews.columns
    reviews["plan"] = [plan_ids[i] for i in reviews["plan"]]
    return [
        (rows.model, {"id": row_ids or uuids(rows), **rows.columns})
        for rows, row_ids in (
            (drawn.assessments, None),
            (drawn.plans, None),
            (drawn.enquiries, None),
            (drawn.protection_plans, plan_ids),
            (drawn.reviews, None),
            (drawn.disabilities, None),
        )
    ]


def chunk_rows(
    *, seed: int, chunk: int, rows: list[tuple], teams: set[str], as_of: dt.date, inject=False
) -> list[tuple]:
    """Children-in-need work for the episodes of one chunk's rows (`rows`, care's included),
    from the chunk's own random stream, as (model, columns); with `inject`, a few records of the
    first chunk are broken (see `inject_errors`)."""
    rng = Scalars(np.random.default_rng([seed, 2**20 + 1, STAGE, chunk, DRAW]))
    drawn = draw_cin(rng, spans_of(rows, teams), as_of)
    if inject and chunk == 0:  # the census year before `as_of`'s
        year_end = dt.date(as_of.year - (as_of.month < 4), 3, 31)
        inject_errors(drawn, dt.date(year_end.year - 1, 4, 1), year_end)
    return rows_of(drawn, seed, chunk)
