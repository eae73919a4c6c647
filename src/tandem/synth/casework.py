"""What the partners did about each child: schools, referrals, decisions, feedback, involvements.

Everything follows the child's risk profile: who refers depends on the concern (the police for
domestic abuse and exploitation, schools and health for neglect and mental health), the front
door's decision on how serious it is, and a decision to work with the child opens a case that
the right team owns, with an allocated worker for most.

A practitioner is named by a `Ref` (team, pool, u) until the workforce is staffed.
"""

from dataclasses import dataclass

import numpy as np

from tandem.referrals.codes import Decision, FamilyAware, Source, Status
from tandem.synth import rates
from tandem.synth.families import DAY, YEAR_DAYS, Families, school_start
from tandem.synth.partnership import DECIDER, WORKER, Partnership
from tandem.synth.risks import REASONS, R

SECOND = np.timedelta64(1, "s")
HOUR = 3600 * SECOND
NAT_S = np.datetime64("NaT", "s")
NAT_D = np.datetime64("NaT", "D")


@dataclass
class Ref:
    """Practitioners named by team, pool and a uniform draw; team -1 names nobody."""

    team: np.ndarray
    pool: np.ndarray
    u: np.ndarray

    def __getitem__(self, index):
        return Ref(self.team[index], self.pool[index], self.u[index])

    @staticmethod
    def concat(refs):
        return Ref(*(np.concatenate([getattr(r, f) for r in refs]) for f in ("team", "pool", "u")))

    @staticmethod
    def nobody(n):
        return Ref(np.full(n, -1), np.zeros(n, dtype=np.int64), np.zeros(n))


def ref(rng, team, pool, n=None) -> Ref:
    team = np.asarray(team)
    n = len(team) if team.ndim else n
    return Ref(np.broadcast_to(team, (n,)).astype(np.int64), np.full(n, pool), rng.random(n))


# --- Concern levels and groups ---------------------------------------------------------------
# Most serious first: a referral's primary concern is the first of its reasons in this order.
SEVERITY = [
    "trafficking",
    "cse",
    "criminal_exploitation",
    "fgm",
    "hsb",
    "domestic_abuse",
    "neglect",
    "missing",
    "gangs",
    "drugs",
    "parental_substance_misuse",
    "online_grooming",
    "mental_health",
    "cyber_bullying",
    "gaming",
    "poverty",
    "other",
]
LEVEL = (
    {r: 3 for r in SEVERITY[:4]} | {r: 2 for r in SEVERITY[4:12]} | {r: 1 for r in SEVERITY[12:]}
)
CONCERN_GROUP = {
    "police": [
        "domestic_abuse",
        "criminal_exploitation",
        "gangs",
        "drugs",
        "missing",
        "trafficking",
    ],
    "exploitation": ["cse", "hsb", "online_grooming"],
    "care": ["neglect", "parental_substance_misuse", "fgm", "mental_health", "poverty"],
    "other": ["cyber_bullying", "gaming", "other"],
}
_RANK = np.array([SEVERITY.index(r) for r in REASONS])  # column -> severity rank
_LEVEL = np.array([LEVEL[r] for r in REASONS])
_GROUP_NAMES = list(rates.SOURCE_WEIGHTS_BY_CONCERN)
_GROUP = np.array(
    [next(i for i, g in enumerate(_GROUP_NAMES) if r in CONCERN_GROUP[g]) for r in REASONS]
)
_SOURCE_W = np.array([rates.SOURCE_WEIGHTS_BY_CONCERN[g] for g in _GROUP_NAMES])
POLICE_S, SCHOOL_S, HEALTH_S, CHARITY_S, LA_S, INDIVIDUAL_S = range(6)
DECISIONS = [
    Decision.NO_FURTHER_ACTION,
    Decision.UNIVERSAL,
    Decision.EARLY_HELP,
    Decision.CHILD_IN_NEED,
    Decision.CHILD_PROTECTION,
]
EH, CIN, CP = 2, 3, 4


def choose(rng, p: np.ndarray) -> np.ndarray:
    """One index per row of a (rows x options) weight matrix."""
    c = np.cumsum(p, axis=1)
    return (rng.random(len(p))[:, None] * c[:, -1:] < c).argmax(axis=1)


def between(rng, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A uniform time in [lo, hi) (datetime64[s]); lo where the interval is empty."""
    span = np.maximum((hi - lo) / SECOND, 0)
    return lo + (rng.random(len(lo)) * span).astype(np.int64) * SECOND


def to_seconds(d: np.ndarray) -> np.ndarray:
    return d.astype("datetime64[s]")


# --- Schools, GP practices, health visiting ---------------------------------------------------
@dataclass
class Schools:
    team: np.ndarray  # current school team, -1 if not at school
    start: np.ndarray  # on roll since (datetime64[D])
    prev_team: np.ndarray  # the school before a move, -1 if none
    prev_start: np.ndarray
    prev_end: np.ndarray
    gp_team: np.ndarray  # per child: the household's GP practice team
    pre_school: np.ndarray  # born or unborn, not yet at school: the health visitors' caseload


def assign_schools(rng, fam: Families, plan: Partnership) -> Schools:
    n, h = fam.n_children, len(fam.hh_id)
    as_of = fam.as_of
    primary = plan.school_teams[~plan.school_secondary]
    secondary = plan.school_teams[plan.school_secondary]
    hh_primary = primary[rng.integers(0, len(primary), h)]
    hh_secondary = secondary[rng.integers(0, len(secondary), h)]
    reception = school_start(fam.child_dob)
    year7 = (reception.astype("datetime64[Y]") + np.timedelta64(7, "Y")).astype(
        "datetime64[M]"
    ) + np.timedelta64(8, "M")
    year7 = year7.astype("datetime64[D]")
    at_school = ~np.isnat(reception) & (reception <= as_of)
    in_secondary = at_school & (year7 <= as_of)
    hh = fam.child_hh
    team = np.where(in_secondary, hh_secondary[hh], np.where(at_school, hh_primary[hh], -1))
    phase_start = np.where(in_secondary, year7, reception)
    # Some pupils moved school during this phase: the earlier school's involvement has ended.
    phase_days = np.nan_to_num((as_of - phase_start) / DAY, nan=0.0)
    moved = at_school & (phase_days > 120) & (rng.random(n) < rates.MOVED_SCHOOL)
    options = np.where(in_secondary, len(secondary), len(primary))
    moved &= options > 1
    pick = rng.integers(0, np.maximum(options, 1))
    prev_team = np.where(
        moved,
        np.where(in_secondary, secondary[pick % len(secondary)], primary[pick % len(primary)]),
        -1,
    )
    moved &= prev_team != team
    prev_team = np.where(moved, prev_team, -1)
    move_on = phase_start + (60 + rng.random(n) * np.maximum(phase_days - 90, 0)).astype(int) * DAY
    start = np.where(moved, move_on, phase_start)
    gp = plan.gp_teams[rng.integers(0, len(plan.gp_teams), h)][hh]
    return Schools(
        team=team,
        start=np.where(at_school, start, NAT_D),
        prev_team=prev_team,
        prev_start=np.where(moved, phase_start, NAT_D),
        prev_end=np.where(moved, move_on - DAY, NAT_D),
        gp_team=gp,
        pre_school=~at_school,
    )


# --- Referrals --------------------------------------------------------------------------------
@dataclass
class Referrals:
    child: np.ndarray  # child index
    received: np.ndarray  # datetime64[s]
    reasons: np.ndarray  # (referrals x reasons) bool
    primary: np.ndarray  # column of the primary concern
    level: np.ndarray
    source: np.ndarray  # CIN census code
    made_by: Ref
    from_team: np.ndarray
    referrer_name: np.ndarray
    to_team: np.ndarray
    family_aware: np.ndarray
    status: np.ndarray
    decision: np.ndarray  # index into DECISIONS, -1 while awaiting a decision
    decided: np.ndarray  # datetime64[s], NaT while awaiting
    decided_by: Ref
    feedback: np.ndarray  # bool: feedback given
    feedback_at: np.ndarray
    feedback_by: Ref


INDIVIDUALS = [
    (Source.FAMILY, "Grandmother, by phone"),
    (Source.FAMILY, "Aunt, by phone"),
    (Source.FAMILY, "Father, who does not live with the child"),
    (Source.FAMILY, "Mother"),
    (Source.SELF, "The young person, by phone"),
    (Source.OTHER_INDIVIDUAL, "Neighbour"),
    (Source.OTHER_INDIVIDUAL, "Family friend"),
    (Source.ANONYMOUS, "Anonymous caller"),
]


def draw_referrals(
    rng, fam: Families, risks: np.ndarray, schools: Schools, plan: Partnership, now: np.datetime64
) -> Referrals:
    n = fam.n_children
    k = plan.key
    window = now - np.timedelta64(int(rates.YEARS_OF_HISTORY * YEAR_DAYS), "D")
    counted = risks.copy()
    counted[:, R["poverty"]] = False  # poverty alone is not why a child is referred
    n_risks = counted.sum(axis=1)
    p_referred = np.array(rates.REFERRED_BY_RISKS)[np.minimum(n_risks, 3)]
    count = np.where(
        rng.random(n) < p_referred,
        np.minimum(1 + rng.poisson(rates.REFERRALS_EXTRA_PER_RISK * n_risks), 5),
        0,
    )
    child = np.repeat(np.arange(n), count)
    m = len(child)

    dob = to_seconds(fam.child_dob[child])
    unborn = np.isnat(dob)
    earliest = np.where(unborn, now - np.timedelta64(180, "D"), np.maximum(dob, window))
    earliest = np.maximum(earliest, window)
    received = between(rng, earliest, now)
    order = np.lexsort((received, child))
    child, received = child[order], received[order]

    # Reasons: some of the child's risks; at least one; "other" for a child with none.
    has = risks[child]
    reasons = has & (rng.random(has.shape) < rates.REASON_KEPT)
    empty = ~reasons.any(axis=1)
    fallback = np.where(has.any(axis=1), (has * rng.random(has.shape)).argmax(axis=1), R["other"])
    reasons[np.flatnonzero(empty), fallback[empty]] = True
    primary = np.where(reasons, _RANK, 99).argmin(axis=1)  # the most serious reason's column
    level = np.minimum(_LEVEL[primary] + (reasons.sum(axis=1) >= 3), 3)

    # Who referred: weights by concern, where the child is (school, under-fives), then the team.
    school = schools.team[child]
    weights = _SOURCE_W[_GROUP[primary]].copy()
    weights[school < 0, SCHOOL_S] = 0
    kind = choose(rng, weights)
    age = np.where(unborn, -1, (now - dob) / SECOND / 86400 / YEAR_DAYS)
    under5 = age < 5
    u = rng.random(m)
    from_team = np.full(m, k["front_door"])
    source = np.full(m, Source.OTHER.value, dtype=object)
    referrer_name = np.full(m, "", dtype=object)
    pool = np.full(m, WORKER)

    def assign(mask, team, code):
        from_team[mask] = team[mask] if np.ndim(team) else team
        source[mask] = code

    assign(kind == POLICE_S, k["police"], Source.POLICE.value)
    assign(kind == SCHOOL_S, school, Source.SCHOOL.value)
    gp = kind == HEALTH_S
    hv = gp & under5 & (u < 0.7)
    sn = gp & ~under5 & (u < 0.5)
    gp &= ~hv & ~sn
    assign(hv, k["health_visiting"], Source.HEALTH_VISITOR.value)
    assign(sn, k["school_nursing"], Source.SCHOOL_NURSE.value)
    assign(gp, schools.gp_team[child], Source.GP.value)
    exploitation = _GROUP[primary] == _GROUP_NAMES.index("exploitation")
    charity = kind == CHARITY_S
    assign(charity & exploitation, k["charity_cse"], Source.OTHER.value)
    assign(charity & ~exploitation, k["charity_family"], Source.OTHER.value)
    la = kind == LA_S
    assign(la & (u < 0.5), k["cin"], Source.LA_SOCIAL_CARE.value)
    assign(la & (u >= 0.5), k["early_help"], Source.EARLY_HELP.value)
    individual = kind == INDIVIDUAL_S
    who = rng.integers(0, len(INDIVIDUALS), m)
    # Only a young person of 12 or more refers themselves.
    who = np.where(
        (np.array([s == Source.SELF for s, _ in INDIVIDUALS])[who]) & (age < 12), 0, who
    )
    source[individual] = np.array([s.value for s, _ in INDIVIDUALS], dtype=object)[who[individual]]
    referrer_name[individual] = np.array([t for _, t in INDIVIDUALS], dtype=object)[
        who[individual]
    ]
    made_by = Ref(from_team.astype(np.int64), pool, rng.random(m))

    # Where it goes, and the front door's decision.
    hub_p = np.array([0.0] + [rates.TO_EARLY_HELP_HUB[lv] for lv in (1, 2, 3)])[level]
    to_hub = (rng.random(m) < hub_p) & ~la
    to_team = np.where(to_hub, k["early_help"], k["front_door"])
    front = np.array([[0.0] * 5] + [rates.FRONT_DOOR_DECISIONS[lv] for lv in (1, 2, 3)])
    p = np.where(to_hub[:, None], np.array(rates.EARLY_HELP_HUB_DECISIONS)[None, :], front[level])
    decision = choose(rng, p)
    hours = np.minimum(rng.lognormal(np.log(rates.DECISION_HOURS_MEDIAN), 0.8, m), 240)
    decided = received + (hours * 3600).astype(np.int64) * SECOND
    feedback_at = (
        decided
        + (rng.uniform(1, rates.FEEDBACK_DAYS_MAX * 24, m) * 3600).astype(np.int64) * SECOND
    )

    # Status: new referrals wait for a decision, some decisions wait for feedback; and each
    # receiving team's newest referrals are always in its queue.
    recent = received >= now - np.timedelta64(rates.AWAITING_DECISION_DAYS, "D")
    awaiting = (recent & (rng.random(m) < rates.AWAITING_DECISION)) | (decided >= now)
    no_feedback = (feedback_at >= now) | (rng.random(m) < rates.NO_FEEDBACK_EVER)
    for team in (k["front_door"], k["early_help"]):
        mine = np.flatnonzero(to_team == team)
        newest = mine[np.argsort(received[mine], kind="stable")[::-1]]
        q = rates.OPEN_PER_TEAM_PER_CHUNK
        awaiting[newest[:q]] = True
        decided_newest = [i for i in newest if not awaiting[i]][:q]
        no_feedback[decided_newest] = True
    feedback = ~awaiting & ~no_feedback
    status = np.where(
        awaiting,
        Status.SUBMITTED.value,
        np.where(feedback, Status.CLOSED.value, Status.DECIDED.value),
    ).astype(object)
    decision = np.where(awaiting, -1, decision)
    decided = np.where(awaiting, NAT_S, decided)
    feedback_at = np.where(feedback, feedback_at, NAT_S)
    decided_by = ref(rng, to_team, DECIDER)
    same = rng.random(m) < 0.8
    feedback_by = Ref(
        to_team.astype(np.int64), np.full(m, DECIDER), np.where(same, decided_by.u, rng.random(m))
    )

    sensitive = np.isin(primary, [R[r] for r in ("cse", "domestic_abuse", "fgm", "trafficking")])
    aware_p = np.where(
        sensitive[:, None], np.array([[0.6, 0.3, 0.1]]), np.array([rates.FAMILY_AWARE])
    )
    family_aware = np.array([c.value for c in FamilyAware], dtype=object)[choose(rng, aware_p)]
    return Referrals(
        child=child,
        received=received,
        reasons=reasons,
        primary=primary,
        level=level,
        source=source,
        made_by=made_by,
        from_team=from_team,
        referrer_name=referrer_name,
        to_team=to_team,
        family_aware=family_aware,
        status=status,
        decision=decision,
        decided=decided,
        decided_by=decided_by,
        feedback=feedback,
        feedback_at=feedback_at,
        feedback_by=feedback_by,
    )


# --- Involvements -----------------------------------------------------------------------------
@dataclass
class Involvements:
    child: np.ndarray
    team: np.ndarray
    practitioner: Ref
    kind: np.ndarray
    reason: np.ndarray
    started: np.ndarray  # datetime64[D]
    ended: np.ndarray  # NaT while open


class _Collector:
    def __init__(self):
        self.parts = []

    def add(self, rng, child, team, kind, reason, started, ended, practitioner=None):
        n = len(child)
        if not n:
            return
        team = np.broadcast_to(np.asarray(team), (n,)).astype(np.int64)
        self.parts.append(
            dict(
                child=np.asarray(child),
                team=team,
                practitioner=practitioner if practitioner is not None else Ref.nobody(n),
                kind=np.full(n, kind, dtype=object),
                reason=np.broadcast_to(np.asarray(reason, dtype=object), (n,)),
                started=np.asarray(started, dtype="datetime64[D]"),
                ended=np.asarray(ended, dtype="datetime64[D]"),
            )
        )

    def allocate(self, rng, child, team, reason, started, ended, practitioner=None):
        team = np.broadcast_to(np.asarray(team), (len(child),)).astype(np.int64)
        who = practitioner if practitioner is not None else ref(rng, team, WORKER)
        self.add(rng, child, team, "allocated", reason, started, ended, practitioner=who)
        return who

    def result(self) -> Involvements:
        p = self.parts
        return Involvements(
            child=np.concatenate([x["child"] for x in p]),
            team=np.concatenate([x["team"] for x in p]),
            practitioner=Ref.concat([x["practitioner"] for x in p]),
            kind=np.concatenate([x["kind"] for x in p]),
            reason=np.concatenate([x["reason"] for x in p]),
            started=np.concatenate([x["started"] for x in p]),
            ended=np.concatenate([x["ended"] for x in p]),
        )


def _ends(rng, start, days, as_of):
    """An end date `days` (lo, hi) after start, or NaT if that is still to come."""
    end = start + rng.integers(days[0], days[1] + 1, len(start)) * DAY
    return np.where(end < as_of, end, NAT_D)


def draw_involvements(
    rng, fam: Families, risks: np.ndarray, schools: Schools, refs: Referrals, plan: Partnership
) -> Involvements:
    as_of = fam.as_of
    k = plan.key
    out = _Collector()
    n = fam.n_children
    kids = np.arange(n)

    # Schools: every pupil is on a school's roll; some moved school.
    pupil = schools.team >= 0
    out.add(
        rng,
        kids[pupil],
        schools.team[pupil],
        "involved",
        "On the school roll",
        schools.start[pupil],
        np.full(pupil.sum(), NAT_D),
    )
    moved = schools.prev_team >= 0
    out.add(
        rng,
        kids[moved],
        schools.prev_team[moved],
        "involved",
        "Was on the school roll",
        schools.prev_start[moved],
        schools.prev_end[moved],
    )
    # Health visitors know every child not yet at school, and allocate one to those at risk.
    pre = schools.pre_school
    unborn = fam.child_unborn
    hv_start = np.where(unborn, as_of - rng.integers(7, 90, n) * DAY, fam.child_dob)
    out.add(
        rng,
        kids[pre],
        k["health_visiting"],
        "involved",
        "Health visiting",
        hv_start[pre],
        np.full(pre.sum(), NAT_D),
    )
    at_risk = pre & risks.any(axis=1) & (rng.random(n) < rates.HEALTH_VISITOR_ALLOCATED)
    out.allocate(
        rng,
        kids[at_risk],
        k["health_visiting"],
        "Named health visitor",
        hv_start[at_risk],
        np.full(at_risk.sum(), NAT_D),
    )
    # School nurses for children with mental health concerns.
    mh = pupil & risks[:, R["mental_health"]] & (rng.random(n) < rates.SCHOOL_NURSE_INVOLVED)
    sn_start = np.maximum(schools.start, as_of - rng.integers(30, 730, n) * DAY)
    out.add(
        rng,
        kids[mh],
        k["school_nursing"],
        "involved",
        "Emotional health and wellbeing",
        sn_start[mh],
        _ends(rng, sn_start[mh], (60, 365), as_of),
    )

    # Cases opened by threshold decisions.
    opened = refs.decision >= EH
    c = refs.child[opened]
    decision = refs.decision[opened]
    to_team = refs.to_team[opened]
    d0 = refs.decided[opened].astype("datetime64[D]")
    m = len(c)
    labels = np.array([d.label for d in DECISIONS], dtype=object)
    charity = (decision == EH) & (rng.random(m) < rates.EARLY_HELP_AT_CHARITY)
    case_team = np.select(
        [decision == CP, decision == CIN, charity],
        [k["cp"], k["cin"], k["charity_family"]],
        default=k["early_help"],
    )
    lo = np.select(
        [decision == CP, decision == CIN],
        [rates.CASE_DAYS["child_protection"][0], rates.CASE_DAYS["child_in_need"][0]],
        default=rates.CASE_DAYS["early_help"][0],
    )
    hi = np.select(
        [decision == CP, decision == CIN],
        [rates.CASE_DAYS["child_protection"][1], rates.CASE_DAYS["child_in_need"][1]],
        default=rates.CASE_DAYS["early_help"][1],
    )
    stays = case_team == to_team
    transfer = d0 + rng.integers(rates.TRANSFER_DAYS[0], rates.TRANSFER_DAYS[1] + 1, m) * DAY
    case_start = np.where(stays, d0, transfer)
    case_end = case_start + (lo + rng.random(m) * (hi - lo)).astype(int) * DAY
    case_end = np.where(case_end < as_of, case_end, NAT_D)
    # The deciding team owns the case from the decision (as `referral_decide` records it) until
    # it passes to the team that will work with the child.
    handover = np.where(stays, case_end, np.where(transfer < as_of, transfer, NAT_D))
    reason = labels[decision] + " after referral"
    out.add(rng, c, to_team, "owning_team", reason, d0, handover)
    duty = ~stays & (rng.random(m) < rates.DUTY_ALLOCATED)
    out.allocate(
        rng,
        c[duty],
        to_team[duty],
        "Duty worker until the case transfers",
        d0[duty],
        handover[duty],
    )
    moves = ~stays & (transfer < as_of)
    out.add(
        rng,
        c[moves],
        case_team[moves],
        "owning_team",
        reason[moves],
        case_start[moves],
        case_end[moves],
    )
    alloc_p = np.select(
        [decision == CP, decision == CIN],
        [rates.ALLOCATED["child_protection"], rates.ALLOCATED["child_in_need"]],
        default=rates.ALLOCATED["early_help"],
    )
    allocated = (case_start < as_of) & (rng.random(m) < alloc_p)
    alloc_start = np.minimum(case_start + rng.integers(0, 6, m) * DAY, as_of)
    alloc_end = np.where(np.isnat(case_end), NAT_D, np.maximum(case_end, alloc_start))
    out.allocate(
        rng,
        c[allocated],
        case_team[allocated],
        "Allocated worker",
        alloc_start[allocated],
        alloc_end[allocated],
    )

    # The charity's specialist services, for exploited, missing and harmful-behaviour children.
    first_case = np.unique(c, return_index=True)[1]
    fc = c[first_case]
    fc_start = case_start[first_case]
    live = fc_start < as_of
    for service, cols in (("charity_cse", ("cse", "missing")), ("charity_hsb", ("hsb",))):
        eligible = risks[fc][:, [R[x] for x in cols]].any(axis=1) & live
        take = eligible & (rng.random(len(fc)) < rates.SPECIALIST_SERVICE)
        start = np.minimum(fc_start[take] + rng.integers(7, 31, take.sum()) * DAY, as_of)
        end = _ends(rng, start, (120, 365), as_of)
        label = plan.teams[k[service]].name
        out.add(rng, fc[take], k[service], "owning_team", f"Referred to the {label}", start, end)
        out.allocate(rng, fc[take], k[service], "Allocated worker", start, end)

    # Leaving care: pathway planning for 16-17-year-olds with a CIN or CP history.
    age = fam.child_age
    statutory = np.zeros(n, dtype=bool)
    statutory[c[decision >= CIN]] = True
    lc = statutory & (age >= 16) & (rng.random(n) < rates.LEAVING_CARE_16_PLUS)
    sixteen = fam.child_dob + (16 * YEAR_DAYS * DAY).astype("timedelta64[D]")
    lc_start = np.minimum(np.maximum(sixteen, as_of - 365 * DAY), as_of)
    open_ = np.full(lc.sum(), NAT_D)
    out.add(
        rng,
        kids[lc],
        k["leaving_care"],
        "owning_team",
        "Pathway planning (16+)",
        lc_start[lc],
        open_,
    )
    out.allocate(rng, kids[lc], k["leaving_care"], "Personal adviser", lc_start[lc], open_)

    # The police stay involved with exploited and missing children they know of.
    police_risk = risks[
        :, [R[x] for x in ("criminal_exploitation", "cse", "missing", "gangs", "trafficking")]
    ].any(axis=1)
    first_ref = np.full(n, NAT_D)
    order = np.argsort(refs.received, kind="stable")[::-1]
    first_ref[refs.child[order]] = refs.received[order].astype("datetime64[D]")
    known = police_risk & ~np.isnat(first_ref) & (rng.random(n) < rates.POLICE_INVOLVED)
    p_start = first_ref[known]
    p_end = np.where(rng.random(known.sum()) < 0.5, _ends(rng, p_start, (90, 365), as_of), NAT_D)
    out.add(
        rng,
        kids[known],
        k["police"],
        "involved",
        "Known to the child safeguarding team",
        p_start,
        p_end,
    )
    officer = rng.random(known.sum()) < rates.POLICE_ALLOCATED
    out.allocate(
        rng,
        kids[known][officer],
        k["police"],
        "Officer in the case",
        p_start[officer],
        p_end[officer],
    )
    return out.result()
