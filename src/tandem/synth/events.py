"""Chronology events: what each partner saw happen to a child, consistent with the child's risks.

The police record domestic-abuse incidents (one incident is a line on each child of the
household who was born by then), missing episodes, incidents and arrests; schools record
suspensions, exclusions and attendance concerns; the NHS trust A&E attendances, self-harm and
health-visiting contacts; the worker allocated to a case records their home visits.
"""

from dataclasses import dataclass

import numpy as np

from tandem.people.codes import EventKind
from tandem.synth import rates
from tandem.synth.casework import (
    SECOND,
    Involvements,
    Ref,
    Schools,
    between,
    ref,
    to_seconds,
)
from tandem.synth.families import DAY, YEAR_DAYS, Families
from tandem.synth.partnership import WORKER, Partnership
from tandem.synth.risks import R

SUMMARIES = {
    EventKind.DOMESTIC_ABUSE_INCIDENT: [
        "Police attended a domestic abuse incident at the family home; the children were present.",
        "Domestic abuse incident reported by a neighbour. Officers attended and completed a DASH "
        "risk assessment.",
        "Verbal argument escalated at the home; the children were upstairs. Referred to the MASH.",
    ],
    EventKind.MISSING_EPISODE: [
        "Reported missing by carer overnight; found the next morning at a friend's address.",
        "Missing for two days; located by police in another town. Return interview offered.",
        "Did not return home after school; found late evening. Would not say where they had been.",
    ],
    EventKind.POLICE_INCIDENT: [
        "Stopped in the company of older males known to police; intelligence submitted.",
        "Found in possession of cash and two mobile phones; possible county lines involvement.",
        "Involved in a fight near the shopping centre; no further action taken.",
    ],
    EventKind.ARREST: [
        "Arrested on suspicion of possession with intent to supply; released under investigation.",
        "Arrested for robbery with two older youths; appropriate adult present at interview.",
    ],
    EventKind.SCHOOL_SUSPENSION: [
        "Suspended for three days after a physical altercation with another pupil.",
        "Suspended for one day for persistent disruptive behaviour.",
    ],
    EventKind.SCHOOL_EXCLUSION: [
        "Permanently excluded following a serious incident; referred to the pupil referral unit.",
    ],
    EventKind.ATTENDANCE_CONCERN: [
        "Attendance has fallen below 85% this term; parent did not attend the meeting offered.",
        "Frequently late and tired in class; attendance 78% this half-term.",
        "Several unexplained absences; the school made a home visit.",
    ],
    EventKind.AE_ATTENDANCE: [
        "Attended A&E with a head injury; explanation consistent with the injury.",
        "Brought to A&E late at night with a burn to the hand; delay in seeking treatment noted.",
        "A&E attendance with a fracture; seen by the paediatric liaison nurse.",
    ],
    EventKind.SELF_HARM: [
        "Presented at A&E after self-harm (cutting); referred to CAMHS.",
        "Attended A&E after an overdose of paracetamol; admitted overnight, CAMHS assessment.",
    ],
    EventKind.HEALTH_CONTACT: [
        "Health visitor contact at home; growth and development checked, no concerns noted.",
        "Health visitor contact: missed appointments followed up, home conditions discussed.",
        "Development review completed; advice given on sleep and feeding.",
    ],
    EventKind.HOME_VISIT: [
        "Home visit: saw the child alone in their bedroom; they talked about school and friends.",
        "Home visit: parent engaged well; reviewed the plan's actions together.",
        "Unannounced home visit: no answer at the door; a card was left and a follow-up arranged.",
        "Home visit: home conditions improved since the last visit; the child seemed settled.",
    ],
    EventKind.MEETING: [
        "Strategy meeting held with police, health and school; section 47 enquiry agreed.",
        "Core group meeting: the plan was reviewed with the family and partners.",
    ],
}


@dataclass
class Events:
    child: np.ndarray
    partner: np.ndarray  # partner index
    kind: np.ndarray
    occurred: np.ndarray  # datetime64[s]
    summary: np.ndarray
    recorded_by: Ref


class _Collector:
    def __init__(self, rng):
        self.rng = rng
        self.parts = []

    def add(self, child, partner, kind, lo, hi, recorded_by: Ref):
        n = len(child)
        if not n:
            return
        occurred = between(self.rng, lo, hi)
        options = np.array(SUMMARIES[kind], dtype=object)
        self.parts.append(
            dict(
                child=np.asarray(child),
                partner=np.broadcast_to(np.asarray(partner), (n,)).astype(np.int64),
                kind=np.full(n, kind.value, dtype=object),
                occurred=occurred,
                summary=options[self.rng.integers(0, len(options), n)],
                recorded_by=recorded_by,
            )
        )

    def result(self) -> Events:
        p = self.parts
        events = Events(
            child=np.concatenate([x["child"] for x in p]),
            partner=np.concatenate([x["partner"] for x in p]),
            kind=np.concatenate([x["kind"] for x in p]),
            occurred=np.concatenate([x["occurred"] for x in p]),
            summary=np.concatenate([x["summary"] for x in p]),
            recorded_by=Ref.concat([x["recorded_by"] for x in p]),
        )
        order = np.lexsort((events.occurred, events.child))  # a child's chronology, in order
        return Events(
            child=events.child[order],
            partner=events.partner[order],
            kind=events.kind[order],
            occurred=events.occurred[order],
            summary=events.summary[order],
            recorded_by=events.recorded_by[order],
        )


def draw_events(
    rng,
    fam: Families,
    risks: np.ndarray,
    schools: Schools,
    inv: Involvements,
    plan: Partnership,
    now: np.datetime64,
) -> Events:
    k = plan.key
    partner_of = np.array([t.partner for t in plan.teams])
    police, nhs = partner_of[k["police"]], partner_of[k["health_visiting"]]
    out = _Collector(rng)
    n = fam.n_children
    window = now - np.timedelta64(int(rates.YEARS_OF_HISTORY * YEAR_DAYS), "D")
    dob = to_seconds(fam.child_dob)
    born = ~np.isnat(dob)
    start = np.where(born, np.maximum(dob, window), now)
    at = {
        a: np.maximum(start, np.where(born, dob + int(a * YEAR_DAYS) * DAY, now)) for a in (10, 11)
    }
    kids = np.arange(n)
    nows = np.full(n, now)

    def officers(m):
        return ref(rng, k["police"], WORKER, m)

    # Domestic abuse: incidents at the household, a line for each child born by then.
    da_hh = np.zeros(len(fam.hh_id), dtype=bool)
    da_hh[fam.child_hh[risks[:, R["domestic_abuse"]]]] = True
    hhs = np.flatnonzero(da_hh)
    incidents = np.repeat(hhs, 1 + rng.poisson(rates.DA_INCIDENTS_EXTRA, len(hhs)))
    when = between(rng, np.full(len(incidents), window), np.full(len(incidents), now))
    per = fam.hh_kids[incidents]
    child = np.repeat(fam.hh_start[incidents], per) + (
        np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
    )
    when = np.repeat(when, per)
    present = born[child] & (dob[child] <= when)
    child, when = child[present], when[present]
    out.add(
        child, police, EventKind.DOMESTIC_ABUSE_INCIDENT, when, when + SECOND, officers(len(child))
    )

    def each(mask, extra, lo, hi, partner, kind, recorder):
        c = (
            np.repeat(kids[mask], 1 + rng.poisson(extra, mask.sum()))
            if extra is not None
            else (kids[mask])
        )
        out.add(c, partner[c] if np.ndim(partner) else partner, kind, lo[c], hi[c], recorder(c))

    missing = risks[:, R["missing"]]
    each(
        missing,
        rates.MISSING_EPISODES_EXTRA,
        at[10],
        nows,
        police,
        EventKind.MISSING_EPISODE,
        lambda c: officers(len(c)),
    )
    ce = risks[:, R["criminal_exploitation"]]
    street = ce | risks[:, R["gangs"]] | risks[:, R["drugs"]]
    each(
        street,
        rates.POLICE_INCIDENTS_EXTRA,
        at[10],
        nows,
        police,
        EventKind.POLICE_INCIDENT,
        lambda c: officers(len(c)),
    )
    each(
        ce & (rng.random(n) < rates.ARREST_GIVEN_CE),
        None,
        at[10],
        nows,
        police,
        EventKind.ARREST,
        lambda c: officers(len(c)),
    )

    # Schools.
    pupil = schools.team >= 0
    school_partner = np.where(pupil, partner_of[np.maximum(schools.team, 0)], -1)
    since = np.maximum(to_seconds(np.where(pupil, schools.start, fam.as_of)), window)

    def dsl(c):
        return ref(rng, schools.team[c], WORKER)

    behaviour = pupil & risks[
        :, [R[x] for x in ("criminal_exploitation", "hsb", "gangs", "drugs", "mental_health")]
    ].any(axis=1)
    each(
        behaviour & (rng.random(n) < rates.SUSPENSION),
        0.8,
        since,
        nows,
        school_partner,
        EventKind.SCHOOL_SUSPENSION,
        dsl,
    )
    each(
        behaviour & (rng.random(n) < rates.EXCLUSION),
        None,
        since,
        nows,
        school_partner,
        EventKind.SCHOOL_EXCLUSION,
        dsl,
    )
    attendance = pupil & risks[
        :, [R[x] for x in ("neglect", "poverty", "mental_health", "missing")]
    ].any(axis=1)
    each(
        attendance & (rng.random(n) < rates.ATTENDANCE_CONCERN),
        0.5,
        since,
        nows,
        school_partner,
        EventKind.ATTENDANCE_CONCERN,
        dsl,
    )

    # Health.
    age = fam.child_age

    # Hospital attendances reach the record through the trust's safeguarding nurses.
    def nurses(c):
        return ref(
            rng, np.where(schools.pre_school[c], k["health_visiting"], k["school_nursing"]), WORKER
        )

    ae_p = np.where(
        (age < 5) & risks[:, R["neglect"]], rates.AE_YOUNG_NEGLECT, rates.AE_BACKGROUND
    )
    each(born & (rng.random(n) < ae_p), None, start, nows, nhs, EventKind.AE_ATTENDANCE, nurses)
    self_harm = (
        risks[:, R["mental_health"]] & (age >= 11) & (rng.random(n) < rates.SELF_HARM_GIVEN_MH)
    )
    each(self_harm, 0.5, at[11], nows, nhs, EventKind.SELF_HARM, nurses)
    hv = schools.pre_school & born
    five = np.minimum(np.where(born, dob + int(5 * YEAR_DAYS) * DAY, now), now)
    each(
        hv,
        rates.HEALTH_CONTACTS_EXTRA,
        start,
        five,
        nhs,
        EventKind.HEALTH_CONTACT,
        lambda c: ref(rng, k["health_visiting"], WORKER, len(c)),
    )

    # Home visits by the allocated worker, while the case is open.
    alloc = (inv.kind == "allocated") & np.isin(
        inv.team,
        [
            k[x]
            for x in (
                "early_help",
                "cin",
                "cp",
                "charity_family",
                "charity_cse",
                "charity_hsb",
                "leaving_care",
            )
        ],
    )
    a = np.flatnonzero(alloc)
    a_start = to_seconds(inv.started[a])
    a_end = np.where(np.isnat(inv.ended[a]), now, to_seconds(inv.ended[a]))
    months = np.maximum((a_end - a_start) / SECOND / 86400 / 30.4, 0)
    visits = np.minimum(1 + rng.poisson(months * rates.HOME_VISITS_PER_MONTH), 6)
    v = np.repeat(a, visits)
    out.add(
        inv.child[v],
        partner_of[inv.team[v]],
        EventKind.HOME_VISIT,
        np.repeat(a_start, visits),
        np.repeat(a_end, visits),
        inv.practitioner[v],
    )
    # Child protection: a strategy meeting at the start of each CP case.
    cp = np.flatnonzero((inv.kind == "owning_team") & (inv.team == k["cp"]))
    cp_start = to_seconds(inv.started[cp])
    out.add(
        inv.child[cp],
        partner_of[k["cp"]],
        EventKind.MEETING,
        cp_start,
        np.minimum(cp_start + 7 * DAY, now),
        ref(rng, k["cp"], WORKER, len(cp)),
    )
    return out.result()
