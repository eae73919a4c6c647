"""Casework for the synthetic partnership (issue 6): most children with an allocated early help,
child in need or child protection worker get a case led by that worker, with the school's
safeguarding lead in the team around the family for many, an assessment (approved, or still in
progress for a case opened in the last three weeks), an agreed plan with goals (often in the
child's words) and actions with owners and due dates, reviews at set intervals (some overdue),
and every decision carrying the child's and the parent's or carer's view.

Drawn as columns, in one random stream per chunk, and written with the rest of the chunk: the
same seed gives the same casework, and a million children need no service call per row.
"""

import numpy as np

from tandem.access.models import Involvement
from tandem.casework import models as m
from tandem.casework.codes import Area
from tandem.casework.services import TEAM_AROUND_THE_FAMILY
from tandem.synth.casework import ref
from tandem.synth.families import DAY
from tandem.synth.partnership import MANAGER, WORKER, Partnership

SECOND = np.timedelta64(1, "s")
HOUR = 3600 * SECOND
NAT_D = np.datetime64("NaT", "D")

CASE_SHARE = 0.8  # allocated EH/CIN/CP children whose work is recorded as a case in Tandem
SCHOOL_IN_TEAM = 0.6  # ... with the school's safeguarding lead in the team around the family
ASSESSMENT_DAYS = 21  # an assessment takes about three weeks: newer cases are still assessing
REVIEW_MISSED = 0.2  # plans whose last review is overdue
AREAS = [a.value for a in Area]
RATINGS = ["strength", "no_concern", "some_need", "significant_need", "serious_concern"]
RATING_WEIGHTS = {  # by level of need
    "early_help": [0.25, 0.25, 0.35, 0.15, 0.0],
    "child_in_need": [0.15, 0.15, 0.3, 0.35, 0.05],
    "child_protection": [0.1, 0.1, 0.2, 0.35, 0.25],
}
LEVELS = ["early_help", "child_in_need", "child_protection"]

EVIDENCE = {
    "family": "Talked with the family at home about routines, relationships and support.",
    "education": "Attendance, behaviour and progress discussed with the school.",
    "health": "Health checks, appointments and development checked with health services.",
    "safety": "Safety at home and outside discussed with the family and the police.",
    "emotional_wellbeing": "Talked with the young person about their mood, sleep and friends.",
    "online_life": "Talked about phones, games and social media with the young person.",
    "exploitation": "Checked for signs of exploitation with the police and the school.",
    "housing_money": "Housing, debts and benefits checked with the family.",
}
# (text, in the child's words, fit for a young child)
GOALS = [
    ("I want to get to school on time and not miss my friends", True, False),
    ("I want to feel safe at home", True, False),
    ("I want to stop getting into trouble when I go out", True, False),
    ("I want to see my dad more often", True, False),
    ("I want to sleep better and not feel so worried", True, False),
    ("Going to school at least 9 days out of every 10", False, True),
    ("The home is warm, clean and safe for the children", False, True),
    ("The family has a safety plan for when arguments start", False, True),
    ("Health appointments are kept, and the children are registered with a dentist", False, True),
    ("The family has help with money and the rent is paid on time", False, True),
]
ACTIONS = [
    "Visit each week to check how things are going",
    "Check attendance every Friday and tell the family's worker",
    "Help the family make a morning routine",
    "Meet the young person once a week for a walk and a chat",
    "Book a health check and go along with the family",
    "Help the family apply for the benefits they are owed",
    "Talk about staying safe online at the next visit",
]
CHILD_VIEWS = [
    "I like my school and I want to stay there.",
    "Things are better at home since the visits started.",
    "I don't like it when people argue. I want it to be quiet.",
    "I want to see my friends more and have my own room.",
    "I don't want to move. I want to stay with my mum.",
    "The plan is OK but I don't want to talk about it at school.",
]
PARENT_VIEWS = [
    "I want help in the mornings, not someone checking up on me.",
    "Things are getting better and I want the support to carry on.",
    "I'm worried about who my child is spending time with.",
    "We need help with money before anything else.",
    "I agree with the plan.",
]
SUMMARIES = {
    "assessment_outcome": "Assessment complete: needs and strengths agreed with the family.",
    "plan_agreed": "Plan agreed at the first team around the family meeting.",
    "review_outcome": "Plan reviewed with the family: progress noted and actions updated.",
}
HOW = ["in_person", "phone_or_video", "in_writing", "advocate", "portal"]
HOW_WEIGHTS = [0.6, 0.1, 0.1, 0.1, 0.1]
ACTION_STATUSES = ["not_started", "in_progress", "done"]
MODELS = [
    m.Case,
    m.CaseMember,
    m.DecisionRecord,
    m.Assessment,
    m.AssessmentFactor,
    m.Plan,
    m.Goal,
    m.Action,
    m.Review,
    m.PlanHistory,
]


def _pick(rng, options: list, n: int, p=None) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), n, p=p)]


def _days(rng, lo: int, hi: int, n: int) -> np.ndarray:
    return rng.integers(lo, hi + 1, n) * DAY


def _views(rng, age: np.ndarray) -> dict:
    """The child's and the parent's view for each decision: in their words and how, or why not
    (a baby is too young to ask; some decline; for a few it is not safe to ask)."""
    n = len(age)
    c = rng.random(n)
    child_gathered = (age >= 4) & (c < 0.8)
    child_why = np.where(age < 4, "too_young", np.where(c < 0.92, "declined", "not_safe"))
    p = rng.random(n)
    parent_gathered = p < 0.85
    parent_why = np.where(p < 0.95, "declined", "not_safe")
    return {
        "child_view": np.where(child_gathered, _pick(rng, CHILD_VIEWS, n), ""),
        "child_view_how": np.where(child_gathered, _pick(rng, HOW, n, HOW_WEIGHTS), ""),
        "child_not_gathered": np.where(child_gathered, "", child_why).astype(object),
        "parent_view": np.where(parent_gathered, _pick(rng, PARENT_VIEWS, n), ""),
        "parent_view_how": np.where(parent_gathered, _pick(rng, HOW[:4], n), ""),
        "parent_not_gathered": np.where(parent_gathered, "", parent_why).astype(object),
    }


def _repeat_ranges(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For counts [2, 0, 3]: owners [0, 0, 2, 2, 2] and positions [0, 1, 0, 1, 2]."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def case_rows(
    rng, *, drawn, plan: Partnership, now: np.datetime64, uuids, users, child, team_ids
) -> list[tuple]:
    """The casework rows of one chunk, parents first. `uuids(model, n, start=0)` makes ids (the
    database numbers auto-increment ones), `users(Ref)` names practitioners, and `child`
    (person ids in child order) and `team_ids` come from the chunk's other rows."""
    fam, inv, schools = drawn.fam, drawn.inv, drawn.schools
    as_of = fam.as_of.astype("datetime64[D]")
    k = plan.key
    statutory_teams = np.array([k["cin"], k["cp"]])
    case_teams = np.array([k["early_help"], k["charity_family"], *statutory_teams])
    live = (
        (inv.kind == "allocated")
        & (inv.reason == "Allocated worker")
        & np.isnat(inv.ended)
        & np.isin(inv.team, case_teams)
        & (inv.started < as_of)
    )
    rows_ = np.nonzero(live)[0]
    # One open case per child: their latest allocation.
    rows_ = rows_[np.lexsort((-inv.started[rows_].astype(np.int64), inv.child[rows_]))]
    rows_ = rows_[np.unique(inv.child[rows_], return_index=True)[1]]
    rows_ = rows_[rng.random(len(rows_)) < CASE_SHARE]
    n = len(rows_)
    if not n:
        return []
    kid = inv.child[rows_]
    team = inv.team[rows_]
    lead_ref = inv.practitioner[rows_]
    lead = users(lead_ref)
    age = fam.child_age[kid]
    level_i = np.select([team == k["cp"], team == k["cin"]], [2, 1], default=0)
    need = np.asarray(LEVELS, dtype=object)[level_i]
    opened_on = inv.started[rows_].astype("datetime64[D]")
    opened = np.minimum(opened_on.astype("datetime64[s]") + rng.integers(9, 17, n) * HOUR, now)
    case_id = np.asarray(uuids(m.Case, n), dtype=object)
    team_partner = np.array([t.partner for t in plan.teams])
    partner_ids = np.asarray([p["id"] for p in plan.partners], dtype=object)

    out = [
        (
            m.Case,
            {
                "id": case_id,
                "child": child[kid],
                "team": team_ids[team],
                "lead_professional": lead,
                "level": np.where(np.isin(team, statutory_teams), "statutory", "early_help"),
                "status": np.full(n, "open", dtype=object),
                "opened_at": opened,
                "opened_by": lead,
            },
        )
    ]

    # The team around the family: the lead, and the school's safeguarding lead for many.
    school = schools.team[kid]
    with_school = (school >= 0) & (rng.random(n) < SCHOOL_IN_TEAM)
    member_ref = ref(rng, np.where(with_school, school, 0), WORKER)
    member_ref.team[~with_school] = -1
    member = users(member_ref)
    joined = np.minimum(opened_on + _days(rng, 0, 14, n), as_of)
    s = np.nonzero(with_school)[0]
    out.append(
        (
            m.CaseMember,
            {
                "id": np.asarray(uuids(m.CaseMember, n + len(s)), dtype=object),
                "case": np.concatenate([case_id, case_id[s]]),
                "practitioner": np.concatenate([lead, member[s]]),
                "role_in_team": np.concatenate(
                    [np.full(n, "Lead professional", dtype=object), np.full(len(s), "School")]
                ).astype(object),
                "joined_on": np.concatenate([opened_on, joined[s]]),
                "left_on": np.full(n + len(s), NAT_D),
            },
        )
    )

    # The assessment: approved, or in progress for a case opened in the last three weeks.
    started = np.minimum(opened + _days(rng, 1, 5, n), now - HOUR)
    assessed = (as_of - opened_on) >= ASSESSMENT_DAYS * DAY
    outcome_at = np.minimum(started + _days(rng, 10, 20, n), now - HOUR)
    approved_at = np.minimum(outcome_at + _days(rng, 1, 5, n), now - HOUR)
    approver = users(ref(rng, team, MANAGER))
    # The plan, agreed after the assessment, and its reviews.
    agreed_at = np.minimum(approved_at + _days(rng, 1, 7, n), now - HOUR)
    agreed_on = agreed_at.astype("datetime64[D]")
    weeks = np.where(level_i == 2, 6, rng.choice([6, 8], n))
    period = (weeks * 7) * DAY
    due = ((as_of - agreed_on) // period).astype(np.int64)  # reviews due by now
    missed = (due >= 1) & (rng.random(n) < REVIEW_MISSED)
    held = np.where(assessed, due - missed, 0)
    next_review = agreed_on + (held + 1) * period

    a = np.nonzero(assessed)[0]
    r_case, r_i = _repeat_ranges(held)
    r_due = agreed_on[r_case] + (r_i + 1) * period[r_case]
    r_held = np.minimum(r_due + _days(rng, -3, 3, len(r_case)), as_of - DAY)
    r_at = r_held.astype("datetime64[s]") + rng.integers(9, 17, len(r_case)) * HOUR

    # Decisions: assessment outcomes, plans agreed, reviews; each with both views.
    d_case = np.concatenate([a, a, r_case])
    d_kind = np.concatenate(
        [
            np.full(len(a), "assessment_outcome", dtype=object),
            np.full(len(a), "plan_agreed", dtype=object),
            np.full(len(r_case), "review_outcome", dtype=object),
        ]
    )
    d_at = np.concatenate([outcome_at[a], agreed_at[a], r_at])
    d_id = np.asarray(uuids(m.DecisionRecord, len(d_case)), dtype=object)
    out.append(
        (
            m.DecisionRecord,
            {
                "id": d_id,
                "kind": d_kind,
                "child": child[kid[d_case]],
                "case": case_id[d_case],
                "referral": np.full(len(d_case), None, dtype=object),
                "team": team_ids[team[d_case]],
                "decided_by": lead[d_case],
                "decided_at": d_at,
                "summary": np.asarray([SUMMARIES[x] for x in d_kind], dtype=object),
                **_views(rng, age[d_case]),
            },
        )
    )
    outcome_id = np.full(n, None, dtype=object)
    outcome_id[a] = d_id[: len(a)]
    out.append(
        (
            m.Assessment,
            {
                "id": np.asarray(uuids(m.Assessment, n), dtype=object),
                "case": case_id,
                "started_by": lead,
                "started_at": started,
                "status": np.where(assessed, "approved", "draft").astype(object),
                "level": np.where(assessed, need, "").astype(object),
                "outcome": outcome_id,
                "approved_by": np.where(assessed, approver, None),
                "approved_at": np.where(assessed, approved_at, np.datetime64("NaT", "s")),
                "manager_note": np.full(n, "", dtype=object),
            },
        )
    )
    assessment_id = out[-1][1]["id"]

    # Factors: three to five areas of each assessment, rated for the level of need.
    count = rng.integers(3, 6, n)
    f_case, f_i = _repeat_ranges(count)
    areas = np.argsort(rng.random((n, len(AREAS))), axis=1)[f_case, f_i]
    weights = np.asarray([RATING_WEIGHTS[level] for level in LEVELS])[level_i[f_case]]
    cum = np.cumsum(weights, axis=1)
    rating = (rng.random(len(f_case))[:, None] < cum).argmax(axis=1)
    from_school = with_school[f_case] & (np.asarray(AREAS)[areas] == "education")
    source_team = np.where(from_school, school[f_case], team[f_case])
    area_names = np.asarray(AREAS, dtype=object)[areas]
    out.append(
        (
            m.AssessmentFactor,
            {
                "id": np.asarray(uuids(m.AssessmentFactor, len(f_case)), dtype=object),
                "assessment": assessment_id[f_case],
                "area": area_names,
                "rating": np.asarray(RATINGS, dtype=object)[rating],
                "evidence": np.asarray([EVIDENCE[x] for x in AREAS], dtype=object)[areas],
                "source_partner": partner_ids[team_partner[source_team]],
                "recorded_by": lead[f_case],
                "recorded_at": started[f_case] + (f_i + 1) * HOUR,
            },
        )
    )

    # Plans, goals (in the child's words from those old enough) and actions.
    plan_id = np.asarray(uuids(m.Plan, len(a)), dtype=object)
    out.append(
        (
            m.Plan,
            {
                "id": plan_id,
                "case": case_id[a],
                "status": np.full(len(a), "agreed", dtype=object),
                "review_every_weeks": weeks[a],
                "next_review_on": next_review[a],
                "has_unagreed_changes": np.zeros(len(a), dtype=bool),
            },
        )
    )
    g_plan, g_i = _repeat_ranges(rng.integers(1, 4, len(a)))
    g_case = a[g_plan]
    young = age[g_case] < 8
    words = np.array([g[1] for g in GOALS])
    fit_young = np.array([g[2] for g in GOALS])
    choice = rng.integers(0, len(GOALS), len(g_plan))
    # A young child's goal is one of the adults' (the sixth onwards), never a child's words.
    choice = np.where(young & ~fit_young[choice], 5 + choice % (len(GOALS) - 5), choice)
    goal_id = np.asarray(uuids(m.Goal, len(g_plan)), dtype=object)
    out.append(
        (
            m.Goal,
            {
                "id": goal_id,
                "plan": plan_id[g_plan],
                "text": np.asarray([g[0] for g in GOALS], dtype=object)[choice],
                "in_childs_words": words[choice],
                "shared_with": np.where(
                    (age[g_case] >= 12) & (rng.random(len(g_plan)) < 0.1),
                    "young_person",
                    "everyone",
                ).astype(object),
                "added_at": agreed_at[g_case] - (g_i + 2) * HOUR,
                "added_by": lead[g_case],
            },
        )
    )
    x_goal, _ = _repeat_ranges(rng.integers(1, 3, len(g_plan)))
    x_case = g_case[x_goal]
    by_school = with_school[x_case] & (rng.random(len(x_goal)) < 0.5)
    x_due = as_of + _days(rng, -20, 40, len(x_goal))
    late = x_due < as_of
    status = np.where(
        late,
        np.asarray(ACTION_STATUSES, dtype=object)[rng.choice(3, len(x_goal), p=[0.15, 0.25, 0.6])],
        np.asarray(ACTION_STATUSES, dtype=object)[rng.choice(3, len(x_goal), p=[0.4, 0.5, 0.1])],
    )
    out.append(
        (
            m.Action,
            {
                "id": np.asarray(uuids(m.Action, len(x_goal)), dtype=object),
                "goal": goal_id[x_goal],
                "text": _pick(rng, ACTIONS, len(x_goal)),
                "owner": np.where(by_school, member[x_case], lead[x_case]),
                "due_on": x_due,
                "status": status.astype(object),
                "added_at": agreed_at[x_case] - HOUR,
            },
        )
    )
    # Reviews and the plan's history: a line for each decision about the plan.
    review_decisions = d_id[2 * len(a) :]
    plan_of_case = np.full(n, -1)
    plan_of_case[a] = np.arange(len(a))
    out.append(
        (
            m.Review,
            {
                "id": np.asarray(uuids(m.Review, len(r_case)), dtype=object),
                "plan": plan_id[plan_of_case[r_case]],
                "due_on": r_due,
                "held_on": r_held,
                "decision": review_decisions,
            },
        )
    )
    h_case = np.concatenate([a, r_case])
    out.append(
        (
            m.PlanHistory,
            {
                "plan": plan_id[plan_of_case[h_case]],
                "at": np.concatenate([agreed_at[a], r_at]),
                "by": lead[h_case],
                "what": np.concatenate(
                    [
                        np.full(len(a), "Plan agreed", dtype=object),
                        np.full(len(r_case), "Plan reviewed", dtype=object),
                    ]
                ),
                "decision": d_id[len(a) :],
            },
        )
    )
    # Being in the team around the family is the school's reason to see the child.
    out.append(
        (
            Involvement,
            {
                "id": np.asarray(uuids(Involvement, len(s), start=len(inv.child)), dtype=object),
                "child": child[kid[s]],
                "team": team_ids[school[s]],
                "practitioner": member[s],
                "kind": np.full(len(s), "involved", dtype=object),
                "reason": np.full(len(s), TEAM_AROUND_THE_FAMILY, dtype=object),
                "started_on": joined[s],
                "ended_on": np.full(len(s), NAT_D),
            },
        )
    )
    return out
