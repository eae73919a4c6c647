"""Synthetic care leavers: young people who left the authority's care at 16 or over, and what
the authority knew of them on or around each birthday from 17 to 21 (SSDA903 OC3).

A care leaver, in the DfE's definition, was looked after for at least 13 weeks after their 14th
birthday, some of it after their 16th. The generator's own children are all under 18, so the
older leavers (18 to 22 now) are made here: young people who came into care as teenagers and left
at 16, 17 or 18. Then every young person of the authority's record who meets the definition, made
here or by `synth.care`, gets a contact for each birthday after they left, at national rates
(research/outcomes-cba.md section 3.3), and consistent with the DfE's rules so that the return
is clean: nothing at a birthday they were still looked after on (rules 1007 and 1016), not
staying put at 17 (3001), no Foyer under 18 (347), no activity or accommodation unless in touch
(344 and 345), none after dying or moving to another authority's care (1000 and 1011).
"""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from tandem.access.models import Involvement, InvolvementKind, SharingPurpose
from tandem.care.models import (
    CareEpisode,
    CareLeaverContact,
)
from tandem.formats import financial_year
from tandem.partners.models import Partner, PartnerKind, Team
from tandem.people.models import Person
from tandem.synth import care, ids, load, names
from tandem.synth.build import table_prefix
from tandem.synth.scalars import weighted

STAGE = 10  # the random stream for care leavers, after care's (8) and CIN's
# The chunk number in the ids of the leavers' own rows: care's chunks never reach it (1,000,000
# children is 40 chunks).
CHUNK = 255

# DfE: 27,990 care leavers aged 19 to 21 in 2018, about 9,300 a year of age, out of about
# 650,000 young people a year of age in England (ONS, recalled): about 140 in 10,000.
LEAVERS_PER_10K = 140
LEFT_AT_18 = 0.65  # most leave on their 18th birthday; the rest at 16 or 17 [recalled]
STAYING_PUT = 0.3  # of those leaving foster care at 18, stay on with their carers [recalled]
# How a period of care ends: at 18, and earlier.
ENDS_AT_18 = (["E5", "E8", "E4A"], [0.65, 0.2, 0.15])
ENDS_BEFORE_18 = (["E5", "E4A", "E13", "E8"], [0.35, 0.35, 0.1, 0.2])
FOSTERING = [("U4", "PR1"), ("U6", "PR1"), ("U6", "PR4"), ("U1", "PR1"), ("U3", "PR1")]
POSTCODES = ["TW1 1ND", "TW1 2DA", "TW1 2NE", "TW1 3AQ", "TW2 5DG", "TW9 1DN", "TW11 0JB"]
# What `draw_leavers` writes: the build builds these tables' indexes after them.
MODELS = [
    Person,
    Involvement,
    CareLeaverContact,
    *(rows.model for rows in vars(care.Drawn()).values() if isinstance(rows, load.Rows)),
]

# In touch: DfE 2020/21, 91% of 19-21s; more at 17 and 18.
IN_TOUCH = {
    "young": (["YES", "NO", "REFU", "RHOM"], [0.94, 0.02, 0.02, 0.02]),
    "older": (["YES", "NO", "REFU", "NREQ", "RHOM"], [0.91, 0.04, 0.03, 0.01, 0.01]),
}
# Activity of those in touch: about half of 19-21s in education, employment or training and
# 39% NEET (DfE 2024); 17- and 18-year-olds are mostly still in education.
ACTIVITY = {
    "young": (
        ["F2", "P2", "F4", "P4", "F1", "F5", "P5", "G4", "G5", "G6"],
        [0.45, 0.05, 0.10, 0.06, 0.01, 0.06, 0.03, 0.03, 0.12, 0.09],
    ),
    "older": (
        ["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6"],
        [0.07, 0.01, 0.15, 0.03, 0.22, 0.10, 0.08, 0.04, 0.07, 0.14, 0.09],
    ),
}
# Accommodation of those in touch: about 9 in 10 suitable (second character 1).
ACCOMMODATION = {
    "young": (
        ["D1", "E1", "C1", "B1", "K1", "U1", "Y1", "D2", "B2", "X2", "S2", "V2"],
        [0.45, 0.12, 0.10, 0.15, 0.03, 0.03, 0.03, 0.02, 0.03, 0.02, 0.01, 0.01],
    ),
    "older": (
        ["U1", "D1", "B1", "E1", "K1", "T1", "Y1", "C1"]
        + ["U2", "D2", "B2", "S2", "X2", "V2", "W2", "K2"],
        [0.36, 0.14, 0.10, 0.08, 0.05, 0.03, 0.06, 0.02]
        + [0.04, 0.02, 0.02, 0.02, 0.03, 0.01, 0.01, 0.01],
    ),
}


def _birthday(dob: dt.date, years: int) -> dt.date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dob.replace(year=dob.year + years, day=28)


def collection_year(day: dt.date) -> str:
    """The SSDA903 year a day falls in: 1 April to 31 March, written "2025-26"."""
    return financial_year(day)


def _pick(rng, choices: tuple[list[str], list[float]]) -> str:
    codes, weights = choices
    return weighted(codes, weights, rng.random())


# --- Young people who left care before the generator's children were born ---------------------
def draw_young_people(rng, n: int, as_of: dt.date) -> list[Person]:
    """`n` young people aged 18 to 22 on `as_of`, each with a unique pupil number from school."""
    people = []
    serials = ids.UPN_INDEX_SPACE - 1 - np.arange(n)  # the top of the space: no child has these
    upns = ids.upns(serials, int(rng.integers(0, 2**31))) if n else []
    oldest, youngest = _birthday(as_of, -23), _birthday(as_of, -18) - dt.timedelta(days=1)
    for i in range(n):
        sex = "M" if rng.random() < 0.56 else "F"  # more boys leave care (UASC)
        first = names.BOYS if sex == "M" else names.GIRLS
        group = names.GROUPS[0]
        people.append(
            Person(
                id=uuid.UUID(bytes=rng.bytes(16), version=4),
                is_child=True,  # the young person's record is the one kept as a child
                given_name=first[group][int(rng.integers(0, min(40, len(first[group]))))],
                family_name=names.SURNAMES[group][
                    int(rng.integers(0, min(60, len(names.SURNAMES[group]))))
                ],
                date_of_birth=oldest
                + dt.timedelta(days=int(rng.integers(0, (youngest - oldest).days + 1))),
                sex=sex,
                ethnicity="WBRI" if rng.random() < 0.7 else "NOBT",
                **_address(rng),
                upn=str(upns[i]) if rng.random() < 0.97 else None,
            )
        )
    return people


def _address(rng) -> dict[str, str]:
    """A flat of their own, at an address in the generator's fictional towns (HM postcodes)."""
    town, districts = names.TOWNS[int(rng.integers(0, len(names.TOWNS)))]
    district = districts[int(rng.integers(0, len(districts)))]
    street = names.STREETS[int(rng.integers(0, len(names.STREETS)))]
    kind = names.STREET_KINDS[int(rng.integers(0, len(names.STREET_KINDS)))]
    letters = names.INWARD_LETTERS
    inward = "".join(letters[int(rng.integers(0, len(letters)))] for _ in range(2))
    return {
        "address": f"Flat {int(rng.integers(1, 41))}, {street} {kind}, {town}",
        "postcode": f"HM{district} {int(rng.integers(0, 10))}{inward}",
    }


def draw_period(rng, person: Person, la: Partner, drawn: care.Drawn) -> None:
    """A teenage period of care: in at 14 to 16, out at 16 or 17 or on the 18th birthday, with a
    move or two, reviews, a social worker and the annual health items."""
    dob = person.date_of_birth
    at_14, at_16, at_18 = _birthday(dob, 14), _birthday(dob, 16), _birthday(dob, 18)
    start = at_14 + dt.timedelta(days=int(rng.integers(0, (at_16 - at_14).days + 200)))
    if rng.random() < LEFT_AT_18:
        left = at_18
        staying_put = rng.random() < STAYING_PUT
        reason = "E17" if staying_put else _pick(rng, ENDS_AT_18)
    else:
        earliest = max(start + dt.timedelta(days=91), at_16 + dt.timedelta(days=1))
        latest = at_18 - dt.timedelta(days=30)
        left = earliest + dt.timedelta(days=int(rng.integers(0, max((latest - earliest).days, 1))))
        reason = _pick(rng, ENDS_BEFORE_18)
    legal = "V2" if rng.random() < 0.6 else "C2"
    need = _pick(rng, (["N1", "N4", "N5", "N6"], [0.5, 0.2, 0.2, 0.1]))  # for the whole period
    home = POSTCODES[int(rng.integers(0, len(POSTCODES)))]
    span = (left - start).days
    moves = sorted({start + dt.timedelta(days=int(d)) for d in rng.integers(31, span - 30, 2)})
    moves = [m for i, m in enumerate(moves) if i == 0 or (m - moves[i - 1]).days > 30]
    moves = moves[: int(rng.poisson(span / 365.25 * 0.6))]
    bounds = [start, *moves, left]
    where = None
    for i in range(len(bounds) - 1):
        place, provider = FOSTERING[int(rng.integers(0, len(FOSTERING)))]
        others = [p for p in POSTCODES if p not in (home, where)]
        where = others[int(rng.integers(0, len(others)))]
        last = i == len(bounds) - 2
        drawn.episodes.add(
            child_id=person.pk,
            local_authority_id=la.pk,
            started_on=bounds[i],
            reason_new="S" if i == 0 else "P",
            legal_status=legal,
            category_of_need=need,
            placement_type=place,
            placement_provider=provider,
            home_postcode=home,
            placement_postcode=where,
            ended_on=bounds[i + 1],
            reason_ended=reason if last else "X1",
            reason_place_change="" if last else "CARPL",
        )
    day, gap = start + dt.timedelta(days=int(rng.integers(10, 27))), 90
    while day < left:
        code = ["PN1", "PN1", "PN2", "PN4", "PN6", "PN7"][int(rng.integers(0, 6))]
        drawn.reviews.add(child_id=person.pk, held_on=day, participation=code)
        day, gap = day + dt.timedelta(days=gap - int(rng.integers(0, 14))), 180
    # Left open, as the generator's other children's are: the DfE's check wants the latest
    # social worker episode open at 31 March (SW17STG2), and the return holds social worker
    # episodes only of children looked after in the year.
    drawn.workers.add(
        child_id=person.pk,
        worker_ref=f"SW{int(rng.integers(1000, 9999))}",
        started_on=start,
        reason_changed="TSPROC",
    )
    draw_health(rng, person, start, left, drawn)
    drawn.details.add(
        child_id=person.pk,
        uasc=False,
        is_mother=False if person.sex == "F" else None,
        upn_unknown="" if person.upn else "UN5",
    )
    drawn.permanence.add(child_id=person.pk, option="Z1")


def draw_health(rng, person: Person, start: dt.date, left: dt.date, drawn: care.Drawn) -> None:
    """OC2 for each 31 March by which the young person had been looked after for 12 months."""
    dob = person.date_of_birth
    march = dt.date(start.year + (start.month > 3), 3, 31)
    while march < left:
        if (march - start).days >= 364:
            age = march.year - dob.year - ((march.month, march.day) < (dob.month, dob.day))
            sdq = age <= 16 and rng.random() < 0.8
            misuse = bool(rng.random() < 0.05)
            received = bool(rng.random() < 0.6) if misuse else None
            drawn.health.add(
                child_id=person.pk,
                year=collection_year(march),
                sdq_score=int(rng.integers(0, 41)) if sdq else None,
                sdq_reason="" if sdq else ("SDQ1" if age > 16 else "SDQ4"),
                convicted=bool(rng.random() < 0.05),
                health_check=None,  # health promotion is asked only under 5
                immunisations=bool(rng.random() < 0.85),
                teeth_check=bool(rng.random() < 0.8),
                health_assessment=True,
                substance_misuse=misuse,
                intervention_received=received,
                intervention_offered=bool(rng.random() < 0.5) if received is False else None,
            )
        march = dt.date(march.year + 1, 3, 31)


# --- What the authority knew at each birthday --------------------------------------------------
def left_care(episodes: list, dob: dt.date):
    """The last episode of a care leaver's care, or None if the young person is not one: looked
    after 13 weeks (91 days) after their 14th birthday, some of it after their 16th, and not
    ended by death, adoption or another authority taking over their care. Episodes are anything
    with a CareEpisode's started_on, ended_on, reason_ended and legal_status."""
    if not episodes or any(e.ended_on is None for e in episodes):
        return None
    last = max(episodes, key=lambda e: e.started_on)
    if last.reason_ended in ("E2", "E3", "E11", "E12"):
        return None
    at_14, at_16 = _birthday(dob, 14), _birthday(dob, 16)
    care = [e for e in episodes if e.legal_status not in ("V3", "V4")]  # not short breaks
    since_14 = sum(max((e.ended_on - max(e.started_on, at_14)).days, 0) for e in care)
    after_16 = any(e.ended_on > at_16 for e in care)
    return last if since_14 >= 91 and after_16 else None


def draw_contacts(
    rng, child_id, dob: dt.date, last, la: Partner, as_of: dt.date
) -> list[CareLeaverContact]:
    """One contact for each birthday from 17 to 21 after the young person left care."""
    left = last.ended_on
    contacts = []
    for age in range(17, 22):
        birthday = _birthday(dob, age)
        if birthday <= left or birthday > as_of:
            continue  # still looked after on it (not a care leaver yet), or still to come
        band = "young" if age == 17 else "older"
        in_touch = _pick(rng, IN_TOUCH[band])
        activity = accommodation = "0"  # not applicable: not in touch, or returned home
        if in_touch == "YES":
            activity = _pick(rng, ACTIVITY[band])
            accommodation = _pick(rng, ACCOMMODATION[band])
            if accommodation.startswith("T") and age < 19:
                accommodation = "D1"  # a Foyer takes no one under 18 (rule 347)
            if last.reason_ended == "E17" and 18 <= age <= 20 and rng.random() < 0.6:
                accommodation = "Z1"  # staying put with former foster carers, to 21
        contacts.append(
            CareLeaverContact(
                child_id=child_id,
                local_authority=la,
                year=collection_year(birthday),
                in_touch=in_touch,
                activity=activity,
                accommodation=accommodation,
            )
        )
    return contacts


def inject_errors(contacts: list[CareLeaverContact], year: str) -> list[tuple[str, object]]:
    """Break a few of the year's contacts in ways the DfE's rules catch: (rule, child) each."""
    injected = []
    reached = [c for c in contacts if c.year == year and c.in_touch == "YES"]
    for c in reached[:2]:
        c.activity = "0"  # in touch, yet no activity
        injected.append(("345", c.child_id))
    for c in reached[2:3]:
        c.in_touch = "RHOM"  # returned home, yet an activity and accommodation
        injected.append(("344", c.child_id))
    return injected


@dataclass
class Known:
    """What the leavers are drawn from, read from the written chunks: the authority, its leaving
    care team, how many children were born, and each of its children's care episodes."""

    la: Partner
    team: Team | None
    children: int
    episodes: dict  # (child id, date of birth): [episode, ...] in order


def read_leavers() -> Known | None:
    """Runs inside the build's bulk load, after the last chunk: the authority's care episodes
    are few enough to read without the indexes (tens of thousands at 1,000,000 children), as
    plain rows, each with the child's birth date."""
    la = Partner.objects.filter(kind=PartnerKind.LOCAL_AUTHORITY).order_by("name").first()
    if la is None:
        return None
    episodes = defaultdict(list)
    rows = (
        CareEpisode.objects.filter(local_authority=la)
        .order_by("child_id", "started_on")
        .values_list(
            "child_id",
            "child__date_of_birth",
            "started_on",
            "ended_on",
            "reason_ended",
            "legal_status",
            named=True,
        )
    )
    for e in rows:
        episodes[e.child_id, e.child__date_of_birth].append(e)
    return Known(
        la=la,
        team=Team.objects.filter(partner=la, name="Leaving care team").first(),
        children=Person.objects.filter(is_child=True, date_of_birth__isnull=False).count(),
        episodes=episodes,
    )


def draw_leavers(known: Known, *, seed: int, as_of: dt.date, inject: bool = False) -> list:
    """The older care leavers, then the contacts of every care leaver of the authority, as
    (model, columns) for `Writer.write`; with `inject`, a few contacts of the last complete
    year are broken (see `inject_errors`). Reads nothing from the database, so the build runs
    it while the indexes are built."""
    la = known.la
    rng = np.random.default_rng([seed, 2**20 + 1, STAGE])
    per_year_of_age = known.children / 18
    young = draw_young_people(
        rng, int(rng.poisson(5 * per_year_of_age * LEAVERS_PER_10K / 10_000)), as_of
    )
    drawn = care.Drawn()
    for person in young:
        draw_period(rng, person, la, drawn)
    people = load.columns_of(Person, young)
    # Made before the start of `as_of`, as the generator's own rows are.
    made = np.datetime64(as_of, "s") - np.timedelta64(1, "D")
    people["created_at"] = people["updated_at"] = np.full(len(young), made)
    out = [(Person, people), *care.rows_of(drawn, seed, CHUNK)]
    # Every care leaver of the authority, made here or with the children.
    episodes = defaultdict(list, known.episodes)
    born = {person.pk: person.date_of_birth for person in young}
    for i in range(len(drawn.episodes)):
        e = SimpleNamespace(**drawn.episodes.row(i))
        episodes[e.child_id, born[e.child_id]].append(e)
    contacts, involvements = [], []
    for (child_id, dob), periods in sorted(episodes.items(), key=lambda item: item[0][0]):
        last = left_care(periods, dob)
        if last is None:
            continue
        contacts += draw_contacts(rng, child_id, dob, last, la, as_of)
        if known.team is not None:  # a personal adviser's support, from the day they left
            involvements.append(
                Involvement(
                    id=uuid.UUID(bytes=rng.bytes(16), version=4),
                    child_id=child_id,
                    team=known.team,
                    kind=InvolvementKind.OWNING_TEAM,
                    reason="Care leaver: personal adviser support",
                    purpose=SharingPurpose.CARE_LEAVER_SUPPORT,
                    started_on=last.ended_on,
                )
            )
    if inject:
        inject_errors(contacts, collection_year(as_of - dt.timedelta(days=365)))
    ids_rng = np.random.default_rng([seed, 2**20 + 1, STAGE, CHUNK])
    prefix = table_prefix(seed, CareLeaverContact)
    for contact, pk in zip(
        contacts, ids.uuids(ids_rng, len(contacts), table=prefix, chunk=CHUNK), strict=True
    ):
        contact.id = pk
    out.append((CareLeaverContact, load.columns_of(CareLeaverContact, contacts)))
    out.append((Involvement, load.columns_of(Involvement, involvements)))
    return out
