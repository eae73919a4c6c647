"""The seeds' services run on a synthetic partnership, at the seeds' rates, with a known effect
planted where a comparison can be checked against it (issue 23).

- **New Directions edge of care** (Norfolk): picks children of 10 to 16, the riskier ones more
  often (selection on risk, from what the record holds). Untreated, a child's chance of
  entering care within a year is `p0`, set so that the children picked average 12 %; the service
  cuts each child's chance to a third (`p1`), so exactly 4 % of them enter care: the seeds' 96 %
  not entering care. The true effect on those treated is mean(p1 - p0) = -8 points, which the
  naive difference (the picked children against everyone else) misses because the picked are
  riskier. Children not picked enter care at `p0`. 8 % of the picked families break down (the
  seeds' 460 of 500): those entering care and some who leave home. Children already in care it
  works with go home within a year in two of three cases (the seeds' 53).
- **Integrated family support** (Newport) and, for its comparison areas, **family support as
  usual**: Family Star Plus readings at the start and end, with exactly 48 % and 21 % of the
  families assessed twice having a very positive outcome.
- **Leaving care personal advisers** (Redbridge): young people with a birthday contact, 97 % in
  suitable accommodation and 56 % in education, employment or training at the latest.

Cohorts are the seeds' sizes where the partnership has enough children, else smaller (the rates
are the seeds' either way). Same seed, same rows.
"""

import dataclasses
import datetime as dt
import math
import uuid

import numpy as np
import polars as pl
from django.db import transaction

from tandem.access.models import Involvement
from tandem.care.models import CareLeaverContact
from tandem.outcomes import cohorts, matching
from tandem.outcomes.frames import temporary_rows
from tandem.outcomes.frameworks import framework
from tandem.outcomes.models import Service, ServiceSpell, ServiceType, StarReading
from tandem.partners.models import Partner, PartnerKind, Role, User
from tandem.people.models import HouseholdMember
from tandem.synth import care, load
from tandem.synth.models import SynthRun

STAGE = 11  # the random stream for services, after care leavers' (10)
CHUNK = 254  # the chunk number in the ids of the care periods drawn here
EDGE, IFS, USUAL, LEAVING = (
    "New Directions edge of care",
    "Integrated Family Support",
    "Family support as usual (comparison areas)",
    "Leaving care personal advisers",
)
# name: (service type, framework, run by, the seeds' cohort size)
SERVICES = {
    EDGE: ("edge-of-care", "edge-of-care", PartnerKind.CHARITY, 500),
    IFS: ("family-support", "integrated-family-support", None, 250),
    USUAL: ("family-support", "integrated-family-support", PartnerKind.LOCAL_AUTHORITY, 250),
    LEAVING: ("leaving-care", "care-leavers", PartnerKind.LOCAL_AUTHORITY, 164),
}
UNTREATED, TREATED = 0.12, 0.04  # edge of care: care entry within a year
BREAKDOWN = 0.08  # edge of care: 40 of 500 families
SELECTION = 0.9  # how strongly the service picks riskier children: weight exp(SELECTION * risk)
REUNIFIED, IN_CARE = 53, 80  # edge of care: children in care it worked with, and went home
VERY_POSITIVE = {IFS: 0.48, USUAL: 0.21}
SECOND_READING = 0.92  # families assessed at the end as well as the start
SUITABLE, EET = 0.97, 0.56


class AlreadyDrawn(Exception):
    pass


@dataclasses.dataclass
class Planted:
    """What was planted: the effect a comparison should find, and each cohort's size."""

    effect: float  # edge of care: mean(p1 - p0) over the children picked
    sizes: dict[str, int]
    started_from: dt.date
    started_to: dt.date


def _uuids(rng, n: int) -> list[uuid.UUID]:
    return [uuid.UUID(bytes=bytes(b), version=4) for b in rng.integers(0, 256, (n, 16), np.uint8)]


def _days(rng, start: dt.date, n: int, low: int, high: int) -> list[dt.date]:
    return [start + dt.timedelta(days=int(d)) for d in rng.integers(low, high, n)]


def _size(wanted: int, available: int, share: float = 0.2) -> int:
    """The seeds' size, or a share of those available when there are too few for it."""
    return min(wanted, int(available * share))


def _services() -> dict[str, Service]:
    partners = {
        kind: Partner.objects.filter(kind=kind).order_by("name").first() for kind in PartnerKind
    }
    out = {}
    for name, (kind, code, run_by, _) in SERVICES.items():
        service_type = ServiceType.objects.get(pk=kind)
        out[name], _ = Service.objects.update_or_create(
            name=name,
            defaults={
                "service_type": service_type,
                "aim": service_type.aim,
                "partner": partners.get(run_by) if run_by else None,
                "framework": code,
            },
        )
    return out


def _worker(*roles) -> User:
    return (
        User.objects.filter(role__in=roles).order_by("username").first()
        or User.objects.order_by("username").first()
    )


def draw_services(*, seed: int, as_of: dt.date, edge_of_care: int | None = None) -> Planted:
    """Write the four services' spells and what follows from them (periods of care, moves,
    readings, leavers' contacts), once, on a partnership just built. `edge_of_care` asks for a
    bigger (or smaller) edge-of-care cohort than the seeds' 500: the benchmark's 20,000."""
    rng = np.random.default_rng([seed, 2**20 + 1, STAGE])
    services = _services()
    if ServiceSpell.objects.filter(service__in=services.values()).exists():
        raise AlreadyDrawn(
            "The seeds' services were drawn on this partnership already: build it again "
            "(tandem synth --replace --services) to draw them afresh"
        )
    started_from = _years_before(as_of, 3)
    started_to = _years_before(as_of, 2)
    index = started_from + (started_to - started_from) / 2
    sizes = {}
    with transaction.atomic():
        effect, sizes[EDGE] = _edge_of_care(
            rng, services[EDGE], started_from, started_to, index, as_of, edge_of_care
        )
        for name in (IFS, USUAL):
            sizes[name] = _family_support(
                rng, services[name], name, started_from, started_to, as_of, taken=sizes
            )
        sizes[LEAVING] = _leaving_care(rng, services[LEAVING], started_from, started_to)
    return Planted(effect, sizes, started_from, started_to)


def _years_before(day: dt.date, years: int) -> dt.date:
    return matching._years_before(day, years)


def _candidates(service: Service, ages, index: dt.date, as_of: dt.date) -> pl.DataFrame:
    """Children of `ages` on `index`, with what the record knew then (`matching.covariates`)."""
    with cohorts.held(matching.Pool(service.pk, ages, index, as_of)) as pool:
        return matching.covariates(pool, pool.members(), household=True)


def _risk(c: pl.DataFrame) -> np.ndarray:
    """The log-odds of care entry, up to a constant: what a worker would call riskier."""
    col = lambda name: c[name].cast(pl.Float64).fill_null(0).to_numpy()  # noqa: E731
    return (
        0.45 * col("referrals")
        + 0.5 * (col("level") >= 4)
        + 0.9 * (col("level") == 5)
        + 0.7 * col("reason_domestic_abuse")
        + 0.8 * col("reason_neglect")
        + 0.6 * col("reason_parental_substance_misuse")
        + 0.9 * col("reason_criminal_exploitation")
        + 0.6 * col("reason_missing")
        + 0.12 * (col("age") - 13)
    )


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _one_a_family(rng, c: pl.DataFrame) -> pl.DataFrame:
    """One child of each household, at random: the unit the seeds count is the family."""
    return (
        c.with_columns(_r=pl.Series(rng.random(c.height)))
        .sort("_r")
        .unique("household", keep="first", maintain_order=True)
        .drop("_r")
        .sort("person_id")
    )


def _spells(service, people, starts, ends, reasons, rng, source_user) -> None:
    ServiceSpell.objects.bulk_create(
        ServiceSpell(
            id=pk,
            service=service,
            person_id=uuid.UUID(person),
            started_on=start,
            ended_on=end,
            end_reason=reason,
            recorded_by=source_user,
        )
        for pk, person, start, end, reason in zip(
            _uuids(rng, len(people)), people, starts, ends, reasons, strict=True
        )
    )


@dataclasses.dataclass(frozen=True)
class _Starts:
    """Children each read as of their own day (a `held` group for `matching.covariates`)."""

    table: str


def _at_own_start(rows: pl.DataFrame) -> pl.DataFrame:
    """`matching.covariates` of each (person_id, start, born): what the record knew on the day
    each child would start, as an evaluator reads a child who did."""
    with temporary_rows(list(rows.select("person_id", "start").iter_rows())) as name:
        return matching.covariates(_Starts(name), rows.select("person_id", "start", "born"))


def _edge_of_care(
    rng, service, started_from, started_to, index, as_of, size=None
) -> tuple[float, int]:
    c = _candidates(service, (10, 16), index, as_of)
    worker = _worker(Role.FAMILY_SUPPORT_WORKER, Role.SOCIAL_WORKER)
    # Children never in care; the service picks one child a family.
    eligible = c.filter(pl.col("person_id").is_in(_never_in_care(c)))
    families = _one_a_family(rng, eligible)["person_id"]
    n = _size(size or SERVICES[EDGE][3], families.len())
    if n == 0:
        return 0.0, 0
    # Each family's day it would start: the service picks on what the record knew then.
    days = (started_to - started_from).days + 1
    starts = [
        started_from + dt.timedelta(days=int(d)) for d in rng.integers(0, days, eligible.height)
    ]
    own = _at_own_start(eligible.select("person_id", "born").with_columns(start=pl.Series(starts)))
    risk_then = _risk(own)
    weights = (
        np.exp(SELECTION * (risk_then - risk_then.max()))
        * eligible["person_id"].is_in(families.to_list()).to_numpy()
    )
    picked = rng.choice(eligible.height, n, replace=False, p=weights / weights.sum())
    treated = np.zeros(eligible.height, bool)
    treated[picked] = True
    # Care entry within a year: the picked by their risk on their day, the rest by theirs on
    # `index` (the day a comparison reads them), with one scale, set so the picked average
    # UNTREATED.
    risk = np.where(treated, risk_then, _risk(eligible))
    shift_low, shift_high = -20.0, 20.0
    for _ in range(60):
        shift = (shift_low + shift_high) / 2
        if _sigmoid(risk[treated] + shift).mean() < UNTREATED:
            shift_low = shift
        else:
            shift_high = shift
    p0 = _sigmoid(risk + shift)
    p1 = p0 * TREATED / UNTREATED
    effect = float((p1 - p0)[treated].mean())
    ids = eligible["person_id"].to_list()
    starts = [starts[i] for i in picked]
    ends = [
        s + dt.timedelta(days=int(d))
        for s, d in zip(starts, rng.integers(90, 270, n), strict=True)
    ]
    people = [ids[i] for i in picked]
    _spells(service, people, starts, ends, ["completed"] * n, rng, worker)
    # Exactly 4 % enter care within a year, the likelier more often.
    enter = rng.choice(n, round(TREATED * n), replace=False, p=p1[picked] / p1[picked].sum())
    entries = {people[i]: starts[i] + dt.timedelta(days=int(rng.integers(1, 365))) for i in enter}
    # Breakdown: those, and enough others leaving home to make 8 %.
    others = np.setdiff1d(np.arange(n), enter)
    leave = rng.choice(others, max(round(BREAKDOWN * n) - len(enter), 0), replace=False)
    moves = {people[i]: starts[i] + dt.timedelta(days=int(rng.integers(30, 365))) for i in leave}
    for j in np.flatnonzero(~treated & (rng.random(eligible.height) < p0)):
        entries[ids[j]] = index + dt.timedelta(days=int(rng.integers(1, 365)))
    _enter_care(rng, eligible, entries, as_of)
    for person, day in moves.items():
        HouseholdMember.objects.filter(person_id=uuid.UUID(person), left_on__isnull=True).update(
            left_on=day
        )
    _in_care_spells(rng, service, c, index, worker)
    return effect, n


def _never_in_care(c: pl.DataFrame) -> list[str]:
    """Of `c`, the children with no care episode at all (before or after the day)."""
    from tandem.care.models import CareEpisode

    in_care = {
        str(p).replace("-", "") for p in CareEpisode.objects.values_list("child_id", flat=True)
    }
    return [p for p in c["person_id"].to_list() if p.replace("-", "") not in in_care]


def _enter_care(rng, people: pl.DataFrame, entries: dict[str, dt.date], as_of) -> None:
    """A period of care (episodes, reviews, health, the care team's allocation) starting on
    each day of `entries`, drawn as the rest of the record's care is."""
    if not entries:
        return
    la = Partner.objects.filter(kind=PartnerKind.LOCAL_AUTHORITY).order_by("name").first()
    rows = people.filter(pl.col("person_id").is_in(list(entries)))
    from tandem.people.models import Person

    persons = Person.objects.in_bulk([uuid.UUID(p) for p in rows["person_id"].to_list()])
    drawn = care.Drawn()
    team = _care_team()
    for pk, person in sorted(persons.items()):
        start = entries[str(pk) if str(pk) in entries else pk.hex]
        child = care.Child(pk, person.date_of_birth, person.sex, person.upn)
        length = max(int(rng.exponential(care.MEAN_YEARS * 365.25)), 30)
        ended = care._period(
            rng, drawn, child, la, start, start + dt.timedelta(days=length), as_of
        )
        if team:
            team.allocate(drawn, child, start, ended)
    writer = load.Writer()
    seed_run = SynthRun.objects.order_by("-started_at").first()
    care.write(writer, drawn, seed_run.seed if seed_run else 0, CHUNK)


def _care_team() -> care.CareTeam | None:
    looked_after = Involvement.objects.filter(reason="Looked after")
    team = looked_after.values_list("team_id", flat=True).first()
    if team is None:
        return None
    workers = sorted(
        User.objects.filter(team_id=team, role=Role.SOCIAL_WORKER).values_list("pk", flat=True)
    )
    return care.CareTeam(team.hex, [w.hex for w in workers]) if workers else None


def _in_care_spells(rng, service, c, index, worker) -> None:
    """Children looked after on `index` whom the service worked with from then to go home: of
    those whose period ended with a return home (SSDA903 REC E4A) within the year, up to the
    seeds' 53, and others in the seeds' proportion (27 to 53), as the record's episodes say."""
    from tandem.care.models import CareEpisode

    in_care = {p.replace("-", ""): p for p in c.filter(pl.col("in_care"))["person_id"].to_list()}
    home = set()
    for child in CareEpisode.objects.filter(
        ended_on__gt=index, ended_on__lte=index + dt.timedelta(days=365), reason_ended="E4A"
    ).values_list("child_id", flat=True):
        if child.hex in in_care:
            home.add(in_care[child.hex])
    home_ids = sorted(home)
    rest = sorted(set(in_care.values()) - home)
    k = min(REUNIFIED, len(home_ids))
    others = min(len(rest), round(k * (IN_CARE - REUNIFIED) / REUNIFIED))
    people = [home_ids[i] for i in rng.choice(len(home_ids), k, replace=False)] + [
        rest[i] for i in rng.choice(len(rest), others, replace=False)
    ]
    _spells(
        service,
        people,
        [index] * len(people),
        [None] * len(people),
        [""] * len(people),
        rng,
        worker,
    )


def _family_support(rng, service, name, started_from, started_to, as_of, taken) -> int:
    """Families (one child each) with Family Star Plus readings at the start and (most) at the
    end; exactly the seeds' share of those assessed twice with every risk reduced by 25 % or
    more (a very positive outcome)."""
    spec = framework(service.framework).star
    index = started_from + (started_to - started_from) / 2
    c = _candidates(service, (0, 17), index, as_of)
    used = set(ServiceSpell.objects.values_list("person_id", flat=True))
    used = {u.hex for u in used}
    c = _one_a_family(rng, c.filter(~pl.col("in_care"))).filter(
        ~pl.col("person_id").str.replace_all("-", "").is_in(list(used))
    )
    n = _size(SERVICES[name][3], c.height, share=0.1)
    if n == 0:
        return 0
    worker = _worker(Role.FAMILY_SUPPORT_WORKER)
    people = [c["person_id"][int(i)] for i in rng.choice(c.height, n, replace=False)]
    starts = _days(rng, started_from, n, 0, (started_to - started_from).days + 1)
    ends = [
        s + dt.timedelta(days=int(d))
        for s, d in zip(starts, rng.integers(120, 300, n), strict=True)
    ]
    _spells(service, people, starts, ends, ["completed"] * n, rng, worker)
    twice = rng.random(n) < SECOND_READING
    good = np.zeros(n, bool)
    good[
        rng.choice(np.flatnonzero(twice), round(VERY_POSITIVE[name] * twice.sum()), replace=False)
    ] = True
    areas = list(spec.areas)
    readings = []
    for i, person in enumerate(people):
        risky = set(rng.choice(len(areas), int(rng.integers(2, 6)), replace=False))
        first = [
            int(rng.integers(2, spec.risk_at_or_below + 1))
            if a in risky
            else int(rng.integers(spec.risk_at_or_below + 1, 11))
            for a in range(len(areas))
        ]
        readings += [(person, areas[a], first[a], starts[i]) for a in range(len(areas))]
        if not twice[i]:
            continue
        stuck = -1 if good[i] else int(rng.choice(sorted(risky)))
        for a in range(len(areas)):
            if a in risky and a != stuck:
                # The distance to 10 falls by a quarter or more.
                last = 10 - math.floor((10 - first[a]) * (1 - spec.reduction))
                last = min(10, last + int(rng.integers(0, 2)))
            elif a == stuck:
                last = first[a] + int(rng.integers(-1, 1))
                last = max(1, last)
            else:
                last = int(np.clip(first[a] + rng.integers(-1, 2), 1, 10))
            readings.append((person, areas[a], last, ends[i]))
    StarReading.objects.bulk_create(
        StarReading(
            id=pk,
            person_id=uuid.UUID(p),
            star=spec.code,
            edition="2",
            area=area,
            reading=r,
            read_on=d,
            recorded_by=worker,
        )
        for pk, (p, area, r, d) in zip(_uuids(rng, len(readings)), readings, strict=True)
    )
    _sdqs(rng, name, people, starts, ends, twice, worker)
    return n


# Parent-completed SDQ total difficulties at the start (a family support caseload: raised) and
# the change by the end, for families assessed twice.
SDQ_START, SDQ_CHANGE = 18.0, {IFS: -4.0, USUAL: -1.0}


def _sdqs(rng, name, people, starts, ends, twice, worker) -> None:
    """A parent's SDQ (hand-scored scales) at the start of each family's spell and, for those
    assessed twice, at the end: children of 4 to 17 only."""
    from tandem.outcomes.models import SdqRecord
    from tandem.people.ages import age_on
    from tandem.people.models import Person

    born = dict(
        Person.objects.filter(pk__in=[uuid.UUID(p) for p in people]).values_list(
            "pk", "date_of_birth"
        )
    )
    records = []
    for i, person in enumerate(people):
        dob = born.get(uuid.UUID(person))
        if dob is None or not 4 <= age_on(dob, starts[i]) <= 17:
            continue
        first = float(np.clip(rng.normal(SDQ_START, 5), 4, 36))
        days = [(starts[i], first)]
        if twice[i]:
            days.append((ends[i], float(np.clip(first + rng.normal(SDQ_CHANGE[name], 3), 0, 40))))
        for day, total in days:
            scales = np.minimum(np.round(total / 4 + rng.normal(0, 1, 4)).clip(0), 10).astype(int)
            records.append(
                SdqRecord(
                    person_id=uuid.UUID(person),
                    informant="parent",
                    completed_on=day,
                    emotional=scales[0],
                    conduct=scales[1],
                    hyperactivity=scales[2],
                    peer=scales[3],
                    prosocial=int(rng.integers(4, 11)),
                    total=int(scales.sum()),
                    recorded_by=worker,
                )  # fmt: skip
            )
    SdqRecord.objects.bulk_create(records)


def _leaving_care(rng, service, started_from, started_to) -> int:
    """Young people with a birthday contact at 17 to 21 (in touch at the latest), given a
    personal adviser in the same period as the other services; the latest contact says exactly
    the seeds' share are in suitable accommodation and in education, employment or training."""
    c = pl.DataFrame(
        [
            (str(child), year, touch, pk)
            for child, year, touch, pk in CareLeaverContact.objects.values_list(
                "child_id", "year", "in_touch", "id"
            )
        ],
        schema={
            "person_id": pl.String,
            "year": pl.String,
            "in_touch": pl.String,
            "contact": pl.Object,
        },
        orient="row",
    )
    if c.is_empty():
        return 0
    latest = c.sort("year").group_by("person_id").agg(pl.all().last()).sort("person_id")
    from tandem.people.models import Person

    born = dict(
        Person.objects.filter(pk__in=[uuid.UUID(p) for p in latest["person_id"]]).values_list(
            "pk", "date_of_birth"
        )
    )
    aged = [
        i
        for i, (p, year, touch) in enumerate(
            latest.select("person_id", "year", "in_touch").iter_rows()
        )
        if touch == "YES"
        and born.get(uuid.UUID(p))
        and 16 <= int(year[:4]) - born[uuid.UUID(p)].year <= 21
    ]
    n = _size(SERVICES[LEAVING][3], len(aged), share=1.0)
    if n == 0:
        return 0
    chosen = sorted(rng.choice(aged, n, replace=False))
    worker = _worker(Role.PERSONAL_ADVISER, Role.SOCIAL_WORKER)
    people = [latest["person_id"][int(i)] for i in chosen]
    starts = _days(rng, started_from, n, 0, (started_to - started_from).days + 1)
    _spells(service, people, starts, [None] * n, [""] * n, rng, worker)
    suitable = set(rng.choice(n, round(SUITABLE * n), replace=False).tolist())
    eet = set(rng.choice(n, round(EET * n), replace=False).tolist())
    contacts = CareLeaverContact.objects.in_bulk([latest["contact"][int(i)] for i in chosen])
    changed = []
    for j, i in enumerate(chosen):
        contact = contacts[latest["contact"][int(i)]]
        if (contact.accommodation[1:] == "1") != (j in suitable):
            contact.accommodation = "D1" if j in suitable else "S2"
        if (contact.activity[:1] in "FP") != (j in eet):
            contact.activity = "F2" if j in eet else "G5"
        changed.append(contact)
    CareLeaverContact.objects.bulk_update(changed, ["accommodation", "activity"])
    return n
