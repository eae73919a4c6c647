"""Synthetic looked-after histories at England's national rates, drawn for each chunk's children
as the generator makes them, consistent with the DfE's SSDA903 rules so that a synthetic return is
clean; `inject_errors` then breaks a known few, recording which rule each should trip.

Rates (DfE, Children looked after in England 2024-25; see research/outcomes-cba.md): about 67 in
10,000 children looked after on 31 March; a period of care lasts about 2.5 years on average; most
periods start with a section 20 or an interim care order and most children are fostered.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from tandem.access.models import Involvement, InvolvementKind
from tandem.care.codelists import CodeLists, for_date
from tandem.care.models import (
    AdoptionDecision,
    AdoptionPlacement,
    AnnualHealth,
    CareEpisode,
    CareReview,
    LookedAfterDetails,
    MissingEpisode,
    PreviousPermanence,
    SocialWorkerEpisode,
)
from tandem.partners.models import Partner, PartnerKind, Role
from tandem.synth import ids, load, rates
from tandem.synth.build import table_prefix
from tandem.synth.partnership import Partnership

# About 3,000 of the 32,000 periods of care starting each year end in adoption, nearly all of
# children who came into care young: a quarter of the periods starting before age 4.
ADOPTION_UNDER_4 = 0.25
MEAN_YEARS = 2.5  # mean length of a period of care
HISTORY_YEARS = 6  # how far back periods of care may start
CALIBRATION = 1.3
STAGE = 8  # the random stream for care, after the build's own stages
DRAW = 1  # a chunk's draws: [seed, 2**20 + 1, STAGE, chunk] gives its ids

NEEDS = (
    ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"],
    [0.65, 0.03, 0.03, 0.08, 0.13, 0.02, 0.0, 0.06],
)
# Real postcodes (ONS, one London borough: E09000027), because the DfE's checks derive the
# placement's local authority and distance from them; the generator's own addresses are fictional.
POSTCODES = [
    "TW1 1ND",
    "TW1 2DA",
    "TW1 2NE",
    "TW1 3AQ",
    "TW1 3NW",
    "TW1 4NN",
    "TW1 4NX",
    "TW10 5DP",
    "TW10 6BZ",
    "TW10 6TR",
    "TW10 7YE",
    "TW11 0JB",
    "TW11 0YA",
    "TW11 1EG",
    "TW11 9AA",
    "TW11 9EA",
    "TW11 9PE",
    "TW12 1PA",
    "TW12 1TP",
    "TW12 2NL",
    "TW12 2QR",
    "TW2 5DG",
    "TW2 5JU",
    "TW2 6BZ",
    "TW2 6EU",
    "TW2 7HQ",
    "TW9 1DN",
    "TW9 1EG",
    "TW9 2DS",
    "TW9 4DJ",
]
# (placement, provider) choices a move may go to, with weights: fostering in-house or agency.
PLACEMENTS = [("U4", "PR1"), ("U6", "PR1"), ("U6", "PR4"), ("U1", "PR1"), ("U3", "PR1")]
PLACEMENT_WEIGHTS = [0.25, 0.35, 0.2, 0.1, 0.1]


@dataclass
class Drawn:
    """One chunk's care histories, as columns."""

    episodes: load.Rows = load.rows_field(
        CareEpisode,
        "child_id",
        "local_authority_id",
        "started_on",
        "reason_new",
        "legal_status",
        "category_of_need",
        "placement_type",
        "placement_provider",
        "home_postcode",
        "placement_postcode",
        "ended_on",
        "reason_ended",
        "reason_place_change",
    )
    reviews: load.Rows = load.rows_field(CareReview, "child_id", "held_on", "participation")
    missing: load.Rows = load.rows_field(
        MissingEpisode, "child_id", "kind", "started_on", "ended_on"
    )
    details: load.Rows = load.rows_field(
        LookedAfterDetails, "child_id", "uasc", "is_mother", "upn_unknown"
    )
    health: load.Rows = load.rows_field(
        AnnualHealth,
        "child_id",
        "year",
        "sdq_score",
        "sdq_reason",
        "convicted",
        "health_check",
        "immunisations",
        "teeth_check",
        "health_assessment",
        "substance_misuse",
        "intervention_received",
        "intervention_offered",
    )
    permanence: load.Rows = load.rows_field(PreviousPermanence, "child_id", "option")
    workers: load.Rows = load.rows_field(
        SocialWorkerEpisode, "child_id", "worker_ref", "started_on", "reason_changed"
    )
    adoption_decisions: load.Rows = load.rows_field(
        AdoptionDecision,
        "child_id",
        "decided_on",
        "matched_on",
        "foster_care",
        "adopters_number",
        "adopters_sex",
        "adopters_status",
    )
    adoption_placements: load.Rows = load.rows_field(AdoptionPlacement, "child_id", "decided_on")
    # The children in care team owns each period of care, and one of its social workers holds it.
    involvements: load.Rows = load.rows_field(
        Involvement,
        "child_id",
        "team_id",
        "practitioner_id",
        "kind",
        "reason",
        "started_on",
        "ended_on",
    )
    # (rule code, child id, table) for every error injected on purpose.
    injected: list = field(default_factory=list)


class CareTeam(NamedTuple):
    """The team that holds looked-after children, and its social workers' ids."""

    team_id: str  # ids as hex, as the writer takes them
    workers: list[str]

    def allocate(self, drawn: Drawn, child, start: dt.date, ended: dt.date | None) -> None:
        """The team owns the period of care and one of its workers is allocated (the same one
        for the whole period, picked from the child's id so the random stream is untouched)."""
        worker = self.workers[int(str(child.pk).replace("-", ""), 16) % len(self.workers)]
        for kind, practitioner in (
            (InvolvementKind.OWNING_TEAM, None),
            (InvolvementKind.ALLOCATED, worker),
        ):
            drawn.involvements.add(
                child_id=child.pk,
                team_id=self.team_id,
                practitioner_id=practitioner,
                kind=kind,
                reason="Looked after",
                started_on=start,
                ended_on=ended,
            )

    @classmethod
    def planned(cls, plan: Partnership) -> "CareTeam | None":
        """The partnership's children in care team and its social workers, in id order."""
        team = plan.key["children_in_care"]
        workers = sorted(
            u.id for u in plan.users if u.team == team and u.role == Role.SOCIAL_WORKER
        )
        return cls(plan.team_id("children_in_care"), workers) if workers else None


class Child(NamedTuple):
    """What care reads of a child (a `Person` has the same attributes)."""

    pk: object
    date_of_birth: dt.date | None
    sex: str
    upn: str | None


def _birthday(dob: dt.date, years: int) -> dt.date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dob.replace(year=dob.year + years, day=28)


def _age(dob: dt.date, on: dt.date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def _years_at_risk(children, as_of: dt.date) -> np.ndarray:
    """For each child, the years in which a period of care may start: from a week old (or the
    start of the history) to the day before their 17th birthday (or `as_of`). A 29 February
    birthday counts from 1 March here, a day's difference to a chance, not to a date."""
    dob = np.array([c.date_of_birth for c in children], dtype="datetime64[D]")
    born = dob.astype("datetime64[Y]")
    at_17 = (born + np.timedelta64(17, "Y")).astype("datetime64[D]") + (
        dob - born.astype("datetime64[D]")
    )
    history = np.datetime64(as_of - dt.timedelta(days=HISTORY_YEARS * 365), "D")
    earliest = np.maximum(dob + np.timedelta64(7, "D"), history)
    latest = np.minimum(np.datetime64(as_of, "D"), at_17) - np.timedelta64(1, "D")
    return np.maximum((latest - earliest).astype(float), 0) / 365.25  # NaN with no birth date


def draw_care(
    rng: np.random.Generator,
    children: list,
    la: Partner,
    as_of: dt.date,
    team: CareTeam | None = None,
) -> Drawn:
    """Periods of care for a share of `children` (`Child` or `Person`), so that about 67 in
    10,000 are looked after on any day: periods start at a steady rate and last an exponential
    time (mean 2.5 years). With `team`, the team holds each period."""
    drawn = Drawn()
    # Periods cut short at 18 and by the start of the history need more starts than
    # stock / mean length to keep the stock at the national rate (calibrated on 50,000 children).
    starts_per_child_year = rates.LOOKED_AFTER_PER_10K / 10_000 / MEAN_YEARS * CALIBRATION
    horizon = as_of - dt.timedelta(days=1)
    chosen = rng.random(len(children)) < starts_per_child_year * _years_at_risk(children, as_of)
    for i in np.flatnonzero(chosen):
        child = children[i]
        dob = child.date_of_birth
        earliest = max(dob + dt.timedelta(days=7), as_of - dt.timedelta(days=HISTORY_YEARS * 365))
        latest = min(horizon, _birthday(dob, 17) - dt.timedelta(days=1))
        if latest < earliest:
            continue
        start = earliest + dt.timedelta(days=int(rng.integers(0, (latest - earliest).days + 1)))
        length = max(int(rng.exponential(MEAN_YEARS * 365.25)), 30)
        ended = _period(rng, drawn, child, la, start, start + dt.timedelta(days=length), as_of)
        if team is not None:
            team.allocate(drawn, child, start, ended)
    return drawn


def _period(rng, drawn: Drawn, child, la, start: dt.date, end: dt.date, as_of) -> dt.date | None:
    """One period of care: episodes for each move, reviews, health, missing episodes. Returns
    the day it ended (None: looked after still)."""
    dob = child.date_of_birth
    if _age(dob, start) < 4 and rng.random() < ADOPTION_UNDER_4:
        return _adoption(rng, drawn, child, la, start, as_of)
    adult = _birthday(dob, 18)
    ends_at_18 = end >= adult
    end = min(end, adult)
    open_now = end >= as_of
    need = rng.choice(NEEDS[0], p=np.array(NEEDS[1]) / sum(NEEDS[1]))
    legal = "V2" if rng.random() < 0.45 else "C1"
    # Moves: about one a year, each a new episode (P: change of placement and carer).
    moves = sorted(
        start + dt.timedelta(days=int(d))
        for d in rng.integers(
            30,
            max((min(end, as_of) - start).days, 31),
            rng.poisson(max((min(end, as_of) - start).days, 0) / 365.25 * 0.6),
        )
    )
    last_day = min(end, as_of) - dt.timedelta(days=1)  # every episode lasts at least a day
    moves = [
        m for i, m in enumerate(moves) if (i == 0 or (m - moves[i - 1]).days > 14) and m < last_day
    ]
    # A care order follows an interim order after about six months: a change of legal status.
    changes = [(m, "P") for m in moves]
    if legal == "C1":
        order = start + dt.timedelta(days=int(rng.integers(120, 300)))
        if order < last_day and all(abs((order - m).days) > 7 for m in moves):
            changes.append((order, "L"))
    changes.sort()
    place, provider = PLACEMENTS[rng.choice(len(PLACEMENTS), p=PLACEMENT_WEIGHTS)]
    uasc = bool(rng.random() < 0.04 and _age(dob, start) >= 14)
    home = "" if uasc else _postcode(rng)  # an unaccompanied child has no home in England
    placement_postcode = _postcode(rng, not_=(home,))
    bounds = [start] + [d for d, _ in changes] + [end]
    reason_new = "S"
    for i, begin in enumerate(bounds[:-1]):
        finish = bounds[i + 1]
        last = i == len(bounds) - 2
        if i > 0:
            reason_new = changes[i - 1][1]
            if reason_new == "P":
                place, provider = PLACEMENTS[rng.choice(len(PLACEMENTS), p=PLACEMENT_WEIGHTS)]
                # A new carer is at another address.
                placement_postcode = _postcode(rng, not_=(home, placement_postcode))
            else:
                legal = "C2"
        closed = not (last and open_now)
        next_kind = None if last else changes[i][1]
        drawn.episodes.add(
            child_id=child.pk,
            local_authority_id=la.pk,
            started_on=begin,
            reason_new=reason_new,
            legal_status=legal,
            category_of_need=need,
            placement_type=place,
            placement_provider=provider,
            home_postcode=home,
            placement_postcode=placement_postcode,
            ended_on=finish if closed else None,
            reason_ended=("E17" if ends_at_18 else "E4A")
            if last and closed
            else ("X1" if closed else ""),
            reason_place_change="CARPL" if next_kind == "P" else "",
        )
    stop = end if end < as_of else as_of
    _reviews(rng, drawn, child, start, stop)
    _workers(rng, drawn, child, start, stop)
    _health(rng, drawn, child, start, stop)
    if rng.random() < 0.1:
        m_start = start + dt.timedelta(days=int(rng.integers(1, max((stop - start).days, 2))))
        if m_start < stop - dt.timedelta(days=2):
            drawn.missing.add(
                child_id=child.pk,
                kind="M",
                started_on=m_start,
                ended_on=m_start + dt.timedelta(days=int(rng.integers(0, 2))),
            )
    drawn.details.add(
        child_id=child.pk,
        uasc=uasc,
        is_mother=False if child.sex == "F" else None,
        # Under school age (4 by the 31 August before), or a UPN the school never sent.
        upn_unknown="" if child.upn else ("UN1" if _age(dob, as_of) < 4 else "UN5"),
    )
    drawn.permanence.add(child_id=child.pk, option="Z1")
    return None if open_now else end


def _adoption(rng, drawn: Drawn, child, la, start: dt.date, as_of: dt.date) -> dt.date | None:
    """A young child's path to adoption: fostered under an interim order; the decision that
    they should be placed for adoption, then a placement order (E1); matched with adopters and
    placed with them (A6, not the foster carers); adopted about half a year later (E11 or E12).
    Whatever has not happened by `as_of` is left for later."""
    days = lambda low, high: dt.timedelta(days=int(rng.integers(low, high)))  # noqa: E731
    decided = start + days(150, 250)
    order = decided + days(20, 60)
    matched = order + days(30, 120)
    placed = matched + days(7, 30)
    adopted = placed + days(150, 300)
    need = rng.choice(NEEDS[0], p=np.array(NEEDS[1]) / sum(NEEDS[1]))
    foster, provider = [("U4", "PR1"), ("U6", "PR1"), ("U6", "PR4")][rng.integers(0, 3)]
    home = _postcode(rng)
    carers = _postcode(rng, not_=(home,))
    adopters = _postcode(rng, not_=(home, carers))
    steps = [  # (start, RNE, LS, PLACE, provider, postcode, reason for the next change)
        (start, "S", "C1", foster, provider, carers, ""),
        (order, "L", "E1", foster, provider, carers, "CARPL"),
        (placed, "P", "E1", "A6", "PR1", adopters, ""),
    ]
    steps = [s for s in steps if s[0] < as_of]
    for i, (begin, rne, legal, place, prov, postcode, why_moved_on) in enumerate(steps):
        last = i == len(steps) - 1
        finish = adopted if last else steps[i + 1][0]
        closed = finish < as_of
        drawn.episodes.add(
            child_id=child.pk,
            local_authority_id=la.pk,
            started_on=begin,
            reason_new=rne,
            legal_status=legal,
            category_of_need=need,
            placement_type=place,
            placement_provider=prov,
            home_postcode=home,
            placement_postcode=postcode,
            ended_on=finish if closed else None,
            reason_ended=("E11" if rng.random() < 0.7 else "E12")
            if last and closed
            else ("X1" if closed else ""),
            reason_place_change="" if last else why_moved_on,
        )
    if decided < as_of:
        drawn.adoption_placements.add(child_id=child.pk, decided_on=decided)
        done = adopted < as_of and placed < as_of
        drawn.adoption_decisions.add(
            child_id=child.pk,
            decided_on=decided,
            matched_on=matched if matched < as_of else None,
            # Adopters' details are known once the child is adopted.
            foster_care=False if done else None,
            adopters_number=2 if done else None,
            adopters_sex="MF" if done else "",
            adopters_status="L11" if done else "",
        )
    stop = min(adopted, as_of)
    _reviews(rng, drawn, child, start, stop)
    _workers(rng, drawn, child, start, stop)
    _health(rng, drawn, child, start, stop)
    drawn.details.add(
        child_id=child.pk,
        uasc=False,
        is_mother=False if child.sex == "F" else None,
        upn_unknown="" if child.upn else "UN1",
    )
    drawn.permanence.add(child_id=child.pk, option="Z1")
    return adopted if adopted < as_of else None


def _postcode(rng, not_: tuple[str, ...] = ()) -> str:
    """A postcode in the borough; a placement is never at the child's home address."""
    choices = [p for p in POSTCODES if p not in not_]
    return choices[rng.integers(0, len(choices))]


def _reviews(rng, drawn: Drawn, child, start: dt.date, stop: dt.date) -> None:
    """The statutory timetable: within 20 working days (28 days), then 3 months, then every 6."""
    day = start + dt.timedelta(days=int(rng.integers(10, 27)))
    gap = 90
    while day < stop:
        age = _age(child.date_of_birth, day)
        code = "PN0" if age < 4 else ["PN1", "PN1", "PN2", "PN4", "PN6", "PN7"][rng.integers(0, 6)]
        drawn.reviews.add(child_id=child.pk, held_on=day, participation=code)
        day += dt.timedelta(days=gap - int(rng.integers(0, 14)))
        gap = 180


def _workers(rng, drawn: Drawn, child, start: dt.date, stop: dt.date) -> None:
    """One allocated social worker for the whole period (changes are rare in the synthetic
    partnership)."""
    drawn.workers.add(
        child_id=child.pk,
        worker_ref=f"SW{int(rng.integers(1000, 9999))}",
        started_on=start,
        reason_changed="TSPROC",  # from the assessment team to the children in care team
    )


def _health(rng, drawn: Drawn, child, start: dt.date, stop: dt.date) -> None:
    """OC2 for each 31 March by which the child had been looked after for 12 months."""
    march = dt.date(start.year + (start.month > 3), 3, 31)
    while march <= stop:
        if (march - start).days >= 364:  # 1 April to 31 March is a full year
            lists = for_date(march)
            age = _age(child.date_of_birth, march)
            sdq = 4 <= age <= 16 and rng.random() < 0.8
            misuse = bool(rng.random() < 0.03)
            received = bool(rng.random() < 0.6) if misuse else None
            no_sdq = "" if sdq or age < 4 else ("SDQ1" if age > 16 else "SDQ4")
            drawn.health.add(
                child_id=child.pk,
                year=lists.year
                if lists.end == march
                else f"{march.year - 1}-{str(march.year)[2:]}",
                sdq_score=int(rng.integers(0, 41)) if sdq else None,
                sdq_reason=no_sdq,
                # Convictions are asked only from age 10; health promotion only under 5.
                convicted=rng.random() < 0.03 if age >= 10 else None,
                health_check=True if age < 5 else None,
                immunisations=rng.random() < 0.85,
                teeth_check=rng.random() < 0.8,
                health_assessment=True,
                substance_misuse=misuse,
                intervention_received=received,
                # Asked only when no intervention was received.
                intervention_offered=bool(rng.random() < 0.5) if received is False else None,
            )
        march = dt.date(march.year + 1, 3, 31)


def inject_errors(rng, drawn: Drawn, lists: CodeLists) -> None:
    """Break a few records in ways the DfE's rules catch, and record which rule each trips."""

    def in_year(column) -> list[int]:
        return [i for i, day in enumerate(column) if lists.start <= day <= lists.end]

    e = drawn.episodes.columns
    episodes = in_year(e["started_on"])
    for i in episodes[:: max(len(episodes) // 5, 1)][:5]:
        e["legal_status"][i] = "ZZ"
        drawn.injected.append(("144", e["child_id"][i], "Episodes"))
    r = drawn.reviews.columns
    reviews = in_year(r["held_on"])
    for i in reviews[:: max(len(reviews) // 5, 1)][:5]:
        r["participation"][i] = "PN9"
        drawn.injected.append(("167", r["child_id"][i], "Reviews"))
    # An episode that ended with no reason (the last of its period, so only 148 applies).
    ended = [
        i
        for i in episodes
        if e["reason_ended"][i] in ("E4A", "E17") and e["ended_on"][i] <= lists.end
    ]
    for i in ended[:3]:
        e["reason_ended"][i] = ""
        drawn.injected.append(("148", e["child_id"][i], "Episodes"))
    # A social worker id that is not the DfE's SW or XX form.
    returned = {e["child_id"][i] for i in episodes}
    w = drawn.workers.columns
    for i in [i for i, child in enumerate(w["child_id"]) if child in returned][:3]:
        w["worker_ref"][i] = f"AB{w['worker_ref'][i][2:]}"
        drawn.injected.append(("SW02STG1", w["child_id"][i], "SWEpisodes"))


def rows_of(drawn: Drawn, seed: int, chunk: int) -> list[tuple]:
    """A chunk's rows as (model, columns), with ids from the chunk's own stream; the text fields
    the generator leaves blank are written blank."""
    rng = np.random.default_rng([seed, 2**20 + 1, STAGE, chunk])
    blank = {
        CareEpisode: {"urn": ""},
        PreviousPermanence: {"la_code": "", "date_text": ""},
        AdoptionPlacement: {"reason_ceased": ""},
    }
    out = []
    for rows in (
        drawn.episodes,
        drawn.reviews,
        drawn.missing,
        drawn.details,
        drawn.health,
        drawn.permanence,
        drawn.workers,
        drawn.adoption_decisions,
        drawn.adoption_placements,
        drawn.involvements,
    ):
        n = len(rows)
        columns = dict(rows.columns)
        if rows.model._meta.pk.name == "id":
            columns["id"] = ids.uuids(rng, n, table=table_prefix(seed, rows.model), chunk=chunk)
        for name, value in blank.get(rows.model, {}).items():
            columns[name] = [value] * n
        out.append((rows.model, columns))
    return out


def write(writer: load.Writer, drawn: Drawn, seed: int, chunk: int) -> None:
    for model, columns in rows_of(drawn, seed, chunk):
        writer.write(model, columns)


def authority(plan: Partnership) -> Partner | None:
    """The local authority that looks after children (the first by name, as a `Partner` with
    only its id: the rows need nothing else)."""
    las = [p for p in plan.partners if p["kind"] == PartnerKind.LOCAL_AUTHORITY]
    return Partner(id=min(las, key=lambda p: p["name"])["id"]) if las else None


def children_of(fam, person_ids: np.ndarray) -> list[Child]:
    """A chunk's children with a date of birth (unborn children have none), in chunk order."""
    born = ~fam.child_unborn
    p = fam.child_p[born]
    dob = fam.p_dob[p].astype(object)
    upn = fam.p_upn[p]
    return [
        Child(pk, day, sex, u or None)
        for pk, day, sex, u in zip(person_ids[p], dob, fam.p_sex[p], upn, strict=True)
    ]


def chunk_rows(
    *,
    seed: int,
    chunk: int,
    children: list[Child],
    la: Partner,
    team: CareTeam | None,
    as_of: dt.date,
    inject: bool = False,
) -> list[tuple]:
    """Care histories for one chunk's children, from the chunk's own random stream, as
    (model, columns); with `inject`, a few records of the first chunk are broken."""
    rng = np.random.default_rng([seed, 2**20 + 1, STAGE, chunk, DRAW])
    drawn = draw_care(rng, children, la, as_of, team)
    if inject and chunk == 0:
        inject_errors(rng, drawn, for_date(as_of - dt.timedelta(days=365)))
    return rows_of(drawn, seed, chunk)
