"""Build a whole synthetic partnership: plan, draw chunk by chunk, write, and record the run.

Every random draw comes from a generator seeded by (seed, chunk, stage), so the same seed gives
the same rows, byte for byte, and any stage of any chunk can be redrawn on its own (the known
truth in `tandem.synth.truth` redraws only the people and their risks).
"""

import contextlib
import dataclasses
import functools
import gc
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import pickle
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from tandem.access.models import Involvement
from tandem.care.models import (
    AdoptionDecision,
    AdoptionPlacement,
    AnnualHealth,
    CareEpisode,
    CareLeaverContact,
    CareReview,
    ChildDisability,
    ChildProtectionPlan,
    ChildProtectionReview,
    CinAssessment,
    CinPlan,
    LookedAfterDetails,
    MissingEpisode,
    PreviousPermanence,
    Section47Enquiry,
    SocialWorkerEpisode,
)
from tandem.partners.models import Partner, Team, User
from tandem.people.models import (
    AgencyIdentifier,
    Event,
    Household,
    HouseholdMember,
    Person,
    Relationship,
)
from tandem.referrals.models import Feedback, Referral, ReferralReason, ThresholdDecision
from tandem.synth import cases, ids, load, rates, texts, worker
from tandem.synth.casework import (
    DECISIONS,
    SECOND,
    Involvements,
    Ref,
    Referrals,
    Schools,
    assign_schools,
    draw_involvements,
    draw_referrals,
)
from tandem.synth.events import Events, draw_events
from tandem.synth.families import Families, build_families
from tandem.synth.models import SynthRun
from tandem.synth.partnership import Partnership, plan_partnership, staff
from tandem.synth.risks import REASONS, draw_risks

CHUNK_SIZE = 25_000
MIN_CHILDREN, MAX_CHILDREN = 100, 1_000_000
# Stages: each has its own random stream per chunk.
FAMILIES, RISKS, SCHOOLS, REFERRALS, INVOLVEMENTS, EVENTS, ROW_IDS = range(1, 8)
CASES = 8  # casework (issue 6): its own stream, so the stages before it draw as they did
PARTNERSHIP_CHUNK = 2**20  # the streams that draw the partnership itself
PLAN, WORKFORCE = 0, 1

STATUTORY_MODELS = [
    CareEpisode,
    CareReview,
    MissingEpisode,
    LookedAfterDetails,
    AnnualHealth,
    PreviousPermanence,
    SocialWorkerEpisode,
    AdoptionDecision,
    AdoptionPlacement,
    CinAssessment,
    CinPlan,
    Section47Enquiry,
    ChildProtectionPlan,
    ChildProtectionReview,
    ChildDisability,
    CareLeaverContact,
]
BULK_MODELS = [
    Person,
    Household,
    HouseholdMember,
    Relationship,
    AgencyIdentifier,
    Referral,
    ReferralReason,
    ThresholdDecision,
    Feedback,
    Involvement,
    Event,
    *cases.MODELS,  # casework (issue 6)
    *STATUTORY_MODELS,  # children looked after and in need (issue 7)
]
ALL_MODELS = [Partner, Team, User, *BULK_MODELS]


class AlreadyPopulated(Exception):
    pass


def stream(seed: int, chunk: int, stage: int) -> np.random.Generator:
    return np.random.default_rng([seed, chunk, stage])


def table_prefix(seed: int, model) -> int:
    """The 16 bits that start every id of one table for one seed."""
    digest = hashlib.blake2b(f"{seed}:{model._meta.label}".encode(), digest_size=2).digest()
    return int.from_bytes(digest, "big")


def start_of(as_of) -> np.datetime64:
    """Everything generated happened before midnight (UTC) at the start of `as_of`."""
    return np.datetime64(as_of, "D").astype("datetime64[s]")


def chunk_sizes(children: int, chunk_size: int) -> list[int]:
    full, rest = divmod(children, chunk_size)
    return [chunk_size] * full + ([rest] if rest else [])


@dataclasses.dataclass
class Drawn:
    chunk: int
    fam: Families
    risks: np.ndarray
    schools: Schools
    refs: Referrals
    inv: Involvements
    events: Events


def draw_people(
    seed: int, chunk: int, n: int, chunk_size: int, as_of
) -> tuple[Families, np.ndarray]:
    fam = build_families(
        stream(seed, chunk, FAMILIES),
        n=n,
        chunk=chunk,
        chunk_size=chunk_size,
        seed=seed,
        as_of=as_of,
        person_table=table_prefix(seed, Person),
        household_table=table_prefix(seed, Household),
    )
    return fam, draw_risks(stream(seed, chunk, RISKS), fam)


def draw_chunk(seed: int, chunk: int, n: int, chunk_size: int, as_of, plan: Partnership) -> Drawn:
    fam, risks = draw_people(seed, chunk, n, chunk_size, as_of)
    now = start_of(as_of)
    schools = assign_schools(stream(seed, chunk, SCHOOLS), fam, plan)
    refs = draw_referrals(stream(seed, chunk, REFERRALS), fam, risks, schools, plan, now)
    inv = draw_involvements(stream(seed, chunk, INVOLVEMENTS), fam, risks, schools, refs, plan)
    events = draw_events(stream(seed, chunk, EVENTS), fam, risks, schools, inv, plan, now)
    return Drawn(chunk, fam, risks, schools, refs, inv, events)


def open_allocations(drawn: Drawn) -> dict[int, int]:
    inv = drawn.inv
    live = (inv.kind == "allocated") & np.isnat(inv.ended)
    teams, counts = np.unique(inv.team[live], return_counts=True)
    return dict(zip(teams.tolist(), counts.tolist(), strict=True))


def plan_and_staff(seed: int, children: int, chunk_size: int, as_of) -> tuple[Partnership, Drawn]:
    """The partnership, staffed for the caseloads the first chunk implies at full scale."""
    plan = plan_partnership(
        stream(seed, PARTNERSHIP_CHUNK, PLAN),
        children=children,
        partner_table=table_prefix(seed, Partner),
        team_table=table_prefix(seed, Team),
    )
    sizes = chunk_sizes(children, chunk_size)
    first = draw_chunk(seed, 0, sizes[0], chunk_size, as_of, plan)
    scale = children / sizes[0]
    expected = {team: count * scale for team, count in open_allocations(first).items()}
    # Care's allocations are not in the draw above (synth/care.py adds them to each chunk): its
    # team is staffed for the national rate.
    expected[plan.key["children_in_care"]] = children * rates.LOOKED_AFTER_PER_10K / 10_000
    staff(
        stream(seed, PARTNERSHIP_CHUNK, WORKFORCE),
        plan,
        open_allocations=expected,
        user_table=table_prefix(seed, User),
        as_of=as_of,
    )
    return plan, first


# --- Rows -----------------------------------------------------------------------------------
def _objects(values) -> np.ndarray:
    return np.asarray(values, dtype=object)


def _users(plan: Partnership, r: Ref) -> np.ndarray:
    out = np.full(len(r.team), None, dtype=object)
    named = r.team >= 0
    if named.any():
        out[named] = plan.user_ids(r.team[named], r.pool[named], r.u[named])
    return out


def _stated(fam, p: np.ndarray) -> list[str]:
    """The child as each referrer described them (as `referrals.services._as_stated` keeps it),
    already as JSON text, escaping only a column that needs it (names rarely do; 1M rows)."""
    fields = {
        "given_name": fam.p_given[p],
        "family_name": fam.p_family[p],
        "date_of_birth": np.where(
            np.isnat(fam.p_dob[p]), "", np.datetime_as_string(fam.p_dob[p], unit="D")
        ),
        "nhs_number": fam.p_nhs[p],
        "upn": fam.p_upn[p],
        "postcode": fam.hh_postcode[fam.p_hh[p]],
    }
    columns = []
    for key, values in fields.items():
        values = np.asarray(values).tolist()
        quote = json.dumps if any(c in "".join(values) for c in '"\\') else '"{}"'.format
        columns.append([f'"{key}": {quote(v)}' if v else "" for v in values])
    return ["{" + ", ".join(filter(None, row)) + "}" for row in zip(*columns, strict=True)]


def _text(rng, options: dict[str, list[str]], keys: np.ndarray) -> np.ndarray:
    out = np.empty(len(keys), dtype=object)
    for key, variants in options.items():
        mask = keys == key
        if mask.any():
            out[mask] = _objects(variants)[rng.integers(0, len(variants), int(mask.sum()))]
    return out


def partnership_rows(plan: Partnership, now: np.datetime64) -> list[tuple]:
    partners = plan.partners
    teams = plan.teams
    users = plan.users
    team_ids = _objects([t.id for t in teams])
    return [
        (
            Partner,
            {
                f: [p[f] for p in partners]
                for f in ("id", "name", "kind", "contact_name", "contact_email", "contact_phone")
            },
        ),
        (
            Team,
            {
                "id": team_ids,
                "partner": [partners[t.partner]["id"] for t in teams],
                "name": [t.name for t in teams],
                "receives_referrals": np.array([t.receives_referrals for t in teams]),
                "contact_email": [t.email for t in teams],
                "contact_phone": [t.phone for t in teams],
            },
        ),
        (
            User,
            {
                "id": [u.id for u in users],
                "password": [u.password for u in users],
                "last_login": np.full(len(users), np.datetime64("NaT", "s")),
                "is_superuser": np.array([u.is_superuser for u in users]),
                "username": [u.username for u in users],
                "first_name": [u.first_name for u in users],
                "last_name": [u.last_name for u in users],
                "email": [u.email for u in users],
                "is_staff": np.array([u.is_staff for u in users]),
                "is_active": np.ones(len(users), dtype=bool),
                "date_joined": np.array([u.date_joined for u in users]).astype("datetime64[s]"),
                "role": [str(u.role) for u in users],
                "team": [team_ids[u.team] if u.team is not None else None for u in users],
                "job_title": [u.job_title for u in users],
                "phone": [u.phone for u in users],
                "failed_sign_ins": np.zeros(len(users), dtype=np.int64),
                "locked_until": np.full(len(users), np.datetime64("NaT", "s")),
            },
        ),
    ]


def chunk_rows(drawn: Drawn, plan: Partnership, seed: int, now: np.datetime64) -> list[tuple]:
    """Every row of one chunk, as (model, {field: column}), in an order that respects foreign
    keys (parents first). Tables with auto-increment ids leave them out: the database numbers
    the rows as they are written, chunk after chunk, so a chunk can be drawn on its own."""
    rng = stream(seed, drawn.chunk, ROW_IDS)
    fam, refs, inv, ev = drawn.fam, drawn.refs, drawn.inv, drawn.events
    chunk = drawn.chunk
    person = _objects(fam.p_id)
    child = person[fam.child_p]
    household = _objects(fam.hh_id)
    team_ids = _objects([t.id for t in plan.teams])
    partner_ids = _objects([p["id"] for p in plan.partners])
    team_partner = np.array([t.partner for t in plan.teams])
    n_people = len(person)

    def uuids(model, n):
        return ids.uuids(rng, n, table=table_prefix(seed, model), chunk=chunk)

    def stamp(n):
        return np.full(n, now)

    rows = [
        (
            Household,
            {
                "id": household,
                "name": fam.hh_name,
                "address": fam.hh_address,
                "postcode": fam.hh_postcode,
                "created_at": stamp(len(household)),
            },
        ),
        (
            Person,
            {
                "id": person,
                "is_child": fam.p_is_child,
                "given_name": fam.p_given,
                "family_name": fam.p_family,
                "known_as": fam.p_known_as,
                "date_of_birth": fam.p_dob,
                "expected_due_date": fam.p_due,
                "sex": fam.p_sex,
                "ethnicity": fam.p_ethnicity,
                "address": fam.hh_address[fam.p_hh],
                "postcode": fam.hh_postcode[fam.p_hh],
                "nhs_number": fam.p_nhs,
                "upn": fam.p_upn,
                "created_at": stamp(n_people),
                "updated_at": stamp(n_people),
            },
        ),
        (
            HouseholdMember,
            {
                "household": household[fam.p_hh],
                "person": person,
                "joined_on": fam.p_joined,
                "left_on": np.full(n_people, np.datetime64("NaT", "D")),
            },
        ),
    ]
    # Rows go in the order of their person, so that the person's index only ever appends.
    pair = np.lexsort((fam.rel_b, fam.rel_a))
    rows.append(
        (
            Relationship,
            {
                "id": uuids(Relationship, len(pair)),
                "person_a": person[fam.rel_a[pair]],
                "person_b": person[fam.rel_b[pair]],
                "kind": fam.rel_kind[pair],
                "created_at": stamp(len(pair)),
            },
        )
    )

    # Referrals, reasons, decisions and feedback.
    m = len(refs.child)
    referral = _objects(uuids(Referral, m))
    primary = np.array(REASONS, dtype=object)[refs.primary]
    decision = np.array([d.value for d in DECISIONS] + [""], dtype=object)[refs.decision]
    rows.append(
        (
            Referral,
            {
                "id": referral,
                "child": child[refs.child],
                "made_by": _users(plan, refs.made_by),
                "from_team": team_ids[refs.from_team],
                "referrer_name": refs.referrer_name,
                "source": refs.source,
                "to_team": team_ids[refs.to_team],
                "received_at": refs.received,
                "concerns": _text(rng, texts.CONCERNS, primary),
                "family_aware": refs.family_aware,
                "status": refs.status,
                "stated_child": _stated(fam, fam.child_p[refs.child]),
            },
        )
    )
    which, reason = np.nonzero(refs.reasons)
    rows.append(
        (
            ReferralReason,
            {
                "referral": referral[which],
                "reason": np.array(REASONS, dtype=object)[reason],
            },
        )
    )
    decided = refs.decision >= 0
    rows.append(
        (
            ThresholdDecision,
            {
                "referral": referral[decided],
                "decision": decision[decided],
                "reasons": _text(rng, texts.DECISION_REASONS, decision[decided]),
                "decided_by": _users(plan, refs.decided_by[decided]),
                "decided_at": refs.decided[decided],
            },
        )
    )
    fb = refs.feedback
    rows.append(
        (
            Feedback,
            {
                "referral": referral[fb],
                "message": _text(rng, texts.FEEDBACK, decision[fb]),
                "given_by": _users(plan, refs.feedback_by[fb]),
                "given_at": refs.feedback_at[fb],
            },
        )
    )

    o = np.lexsort((inv.started, inv.child))
    rows.append(
        (
            Involvement,
            {
                "id": uuids(Involvement, len(o)),
                "child": child[inv.child[o]],
                "team": team_ids[inv.team[o]],
                "practitioner": _users(plan, inv.practitioner[o]),
                "kind": inv.kind[o],
                "reason": inv.reason[o],
                "started_on": inv.started[o],
                "ended_on": inv.ended[o],
            },
        )
    )
    recorded = np.minimum(ev.occurred + rng.integers(0, 48 * 3600, len(ev.child)) * SECOND, now)
    rows.append(
        (
            Event,
            {
                "id": uuids(Event, len(ev.child)),
                "person": child[ev.child],
                "partner": partner_ids[ev.partner],
                "kind": ev.kind,
                "occurred_at": ev.occurred,
                "summary": ev.summary,
                "recorded_by": _users(plan, ev.recorded_by),
                "recorded_at": recorded,
            },
        )
    )
    rows.append(
        (
            AgencyIdentifier,
            _agency_ids(drawn, plan, seed, team_partner, partner_ids, child),
        )
    )
    # Casework (issue 6): cases, the teams around the families, assessments, plans, reviews.
    case_rng = stream(seed, chunk, CASES)
    rows.extend(
        cases.case_rows(
            case_rng,
            drawn=drawn,
            plan=plan,
            now=now,
            uuids=lambda model, n, start=0: ids.uuids(
                case_rng, n, table=table_prefix(seed, model), chunk=chunk, start=start
            ),
            users=lambda r: _users(plan, r),
            child=child,
            team_ids=team_ids,
        )
    )
    return rows


def _agency_ids(
    drawn: Drawn,
    plan: Partnership,
    seed: int,
    team_partner: np.ndarray,
    partner_ids: np.ndarray,
    child: np.ndarray,
) -> dict:
    """Each partner's own number for the children it holds a record of: a school's admission
    number, a police nominal id, a hospital number."""
    fam, inv, ev = drawn.fam, drawn.inv, drawn.events
    k = plan.key
    school_rows = np.isin(inv.team, plan.school_teams) & (inv.kind == "involved")
    s_child, s_team = inv.child[school_rows], inv.team[school_rows]
    police_partner = plan.teams[k["police"]].partner
    nhs_partner = plan.teams[k["health_visiting"]].partner
    with_police = np.union1d(
        ev.child[ev.partner == police_partner], inv.child[inv.team == k["police"]]
    )
    with_hospital = np.unique(
        ev.child[(ev.partner == nhs_partner) & np.isin(ev.kind, ["ae_attendance", "self_harm"])]
    )
    g = fam.child_global
    local = np.concatenate(
        [
            np.char.add("ADM", np.char.zfill((g[s_child] + 1).astype(str), 7)),
            np.char.add(
                "HMP", np.char.zfill(ids.scramble(g[with_police], 8, seed).astype(str), 8)
            ),
            np.char.add(
                "RH", np.char.zfill(ids.scramble(g[with_hospital], 7, seed + 1).astype(str), 7)
            ),
        ]
    ).astype(object)
    who = np.concatenate([s_child, with_police, with_hospital])
    partner = np.concatenate(
        [
            team_partner[s_team],
            np.full(len(with_police), police_partner),
            np.full(len(with_hospital), nhs_partner),
        ]
    )
    # In the order of the (partner, local id) unique index, so each row appends to its run.
    o = np.lexsort((local.astype(str), partner))
    who, partner, local = who[o], partner[o], local[o]
    return {
        "person": child[who],
        "partner": partner_ids[partner],
        "local_id": local,
    }


# --- The whole build ------------------------------------------------------------------------
@dataclasses.dataclass
class ChunkMaker:
    """Draws a chunk's rows as (model, columns); any chunk, in any order, in any process."""

    seed: int
    chunk_size: int
    as_of: object
    plan: Partnership
    first: Drawn | None
    inject: bool = False  # break a few care and CIN records of the first chunk on purpose

    def rows(self, chunk: int, n: int) -> list[tuple]:
        if chunk == 0 and self.first is not None:
            drawn, self.first = self.first, None
        else:
            drawn = draw_chunk(self.seed, chunk, n, self.chunk_size, self.as_of, self.plan)
        rows = chunk_rows(drawn, self.plan, self.seed, start_of(self.as_of))
        return rows + self.statutory_rows(drawn, rows)

    @functools.cached_property
    def authority(self):
        """(the local authority, its children in care team, its teams' ids), or None: the same
        for every chunk, so found once."""
        from tandem.synth import care  # it builds on this module

        la = care.authority(self.plan)
        if la is None:
            return None
        teams = {t.id for t in self.plan.teams if self.plan.partners[t.partner]["id"] == la.pk}
        return la, care.CareTeam.planned(self.plan), teams

    def statutory_rows(self, drawn: Drawn, rows: list[tuple]) -> list[tuple]:
        """Children looked after, then children in need (issue 7), drawn from the chunk's own
        rows: care for its children, CIN for the episodes its referrals (and care) make."""
        from tandem.synth import care, cin  # they build on this module

        if self.authority is None:
            return []
        la, team, teams = self.authority
        out = care.chunk_rows(
            seed=self.seed,
            chunk=drawn.chunk,
            children=care.children_of(drawn.fam, _objects(drawn.fam.p_id)),
            la=la,
            team=team,
            as_of=self.as_of,
            inject=self.inject,
        )
        return out + cin.chunk_rows(
            seed=self.seed,
            chunk=drawn.chunk,
            rows=rows + out,
            teams=teams,
            as_of=self.as_of,
            inject=self.inject,
        )


def written_chunks(maker: ChunkMaker, sizes: list[int], writer: load.Writer, parallel: bool):
    """Draws and writes each chunk in order, yielding its number of children once written.

    With several chunks, worker processes draw them ahead, as many at once as there are cores,
    and save each in the database's bulk form (`load.save_chunk`); this process only loads
    them (`Writer.load_chunk`), which costs it no Python work per value, so it keeps up with
    the workers. SQLite attaches a chunk's file only outside a transaction: inside one (as in
    tests) the chunks are drawn and written here, giving the same rows."""

    def write_here(chunk: int, n: int) -> int:
        rows = maker.rows(chunk, n)
        with transaction.atomic():
            for model, data in rows:
                writer.write(model, data)
        return n

    todo = iter(enumerate(sizes))
    if not parallel or len(sizes) < 2 or connection.in_atomic_block:
        for chunk, n in todo:
            yield write_here(chunk, n)
        return
    workers = min(len(sizes) - 1, os.cpu_count() or 1)
    # The workers start without the first chunk, drawn already: this process writes it while
    # they start up.
    state = pickle.dumps(dataclasses.replace(maker, first=None))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=worker.start, initargs=(state,)
    ) as pool:

        def submit(chunk: int, n: int):
            return n, pool.submit(worker.save, chunk, n, writer.vendor)

        first = next(todo)
        # One chunk more than there are workers, so that a worker never waits for this process.
        pending = deque(submit(chunk, n) for chunk, n in itertools.islice(todo, workers + 1))
        try:
            yield write_here(*first)
            while pending:
                n, saved = pending[0]
                path = saved.result()
                pending.popleft()
                pending.extend(submit(chunk, m) for chunk, m in itertools.islice(todo, 1))
                writer.load_chunk(path)
                yield n
        finally:
            # Chunks not started are dropped; the files of chunks already saved are removed.
            for _, saved in pending:
                if not saved.cancel():
                    with contextlib.suppress(Exception):
                        os.remove(saved.result())


def validate(children: int, chunk_size: int) -> None:
    if not MIN_CHILDREN <= children <= MAX_CHILDREN:
        raise ValueError(f"--children must be between {MIN_CHILDREN:,} and {MAX_CHILDREN:,}")
    if chunk_size < 50:
        raise ValueError("--chunk-size must be at least 50")
    if math.ceil(children / chunk_size) > 255:
        raise ValueError("Too many chunks: use a bigger --chunk-size")


def existing_data() -> bool:
    return Person.objects.exists() or Partner.objects.exists() or User.objects.exists()


def build(
    *,
    seed: int,
    children: int,
    as_of,
    replace: bool = False,
    chunk_size: int = CHUNK_SIZE,
    parallel: bool = True,
    report: Callable[[str, int], None] | None = None,
    care_errors: bool = False,
) -> SynthRun:
    """Generate and write a partnership of `children` children.

    `report(stage, amount)` follows the work: ("indexes", total) once the load starts,
    ("children", n) after each chunk is written, ("index", 1) after each index is built."""
    validate(children, chunk_size)
    report = report or (lambda stage, amount: None)
    if existing_data() and not replace:
        raise AlreadyPopulated(
            "The database already holds people, partners or users: run with --replace to "
            "wipe them (the audit log is kept) and build afresh"
        )
    started_at = timezone.now()
    plan, first = plan_and_staff(seed, children, chunk_size, as_of)
    writer = load.Writer()
    maker = ChunkMaker(seed, chunk_size, as_of, plan, first, inject=care_errors)
    writer.begin_load(BULK_MODELS)
    report("indexes", writer.pending_indexes)

    def on_index(name: str) -> None:
        report("index", 1)

    try:
        # Wiped inside the load: with the secondary indexes and SQLite's foreign-key checks off,
        # emptying the tables is a truncation, not a row-by-row delete (minutes at 1,000,000).
        # Always, even when empty: it also numbers auto-increment ids from 1 again, so the same
        # seed gives the same ids.
        with transaction.atomic():
            load.wipe()
        run = SynthRun.objects.create(
            seed=seed, children=children, chunk_size=chunk_size, as_of=as_of, started_at=started_at
        )
        with transaction.atomic():
            for model, data in partnership_rows(plan, start_of(as_of)):
                writer.write(model, data)
        gc.disable()  # the rows hold no reference cycles: collecting through them is wasted work
        for n in written_chunks(maker, chunk_sizes(children, chunk_size), writer, parallel):
            report("children", n)
        # Care leavers (issue 7): the older leavers, and every leaver's contacts from 17 to 21,
        # drawn from the care episodes read now (quick before the indexes) in a thread while
        # the indexes of the tables they do not write are built (SQLite builds them with the
        # GIL released), and written before the rest.
        from tandem.synth import leavers

        known = leavers.read_leavers()
        with ThreadPoolExecutor(1) as pool:
            drawing = known and pool.submit(
                leavers.draw_leavers, known, seed=seed, as_of=as_of, inject=care_errors
            )
            writer.build_indexes(on_index, leave=[m._meta.db_table for m in leavers.MODELS])
            leaver_rows = drawing.result() if drawing else []
        with transaction.atomic():
            for model, data in leaver_rows:
                writer.write(model, data)
    finally:
        gc.enable()
        writer.end_load(on_index)
    writer.reset_sequences(ALL_MODELS)
    run.finished_at = timezone.now()
    run.rows = writer.rows
    run.save(update_fields=["finished_at", "rows"])
    return run
