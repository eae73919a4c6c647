"""Households, the people in them and their relationships, for one chunk of children.

Everything is drawn as numpy columns (no Python loop over people): a chunk of 50,000 children
takes a fraction of a second. Within a household, people are listed in a random order and their
ids increase in that order, so a relationship is stored with the lower id as `person_a`.
"""

from dataclasses import dataclass

import numpy as np

from tandem.people.codes import INVERSE_RELATIONSHIP
from tandem.people.codes import RelationshipKind as Kind
from tandem.synth import ids, names, rates

DAY = np.timedelta64(1, "D")
YEAR_DAYS = 365.25
ETHNICITY_CODES = np.array(list(rates.ETHNICITY))
_ETHNICITY_P = np.array(list(rates.ETHNICITY.values())) / sum(rates.ETHNICITY.values())
GROUPS = np.array(names.GROUPS)
_GROUP_INDEX = {g: i for i, g in enumerate(names.GROUPS)}
INVERSE = {k.value: v.value for k, v in INVERSE_RELATIONSHIP.items()}


@dataclass
class Families:
    """One chunk's households and people. Person-level arrays share one order (`p_*`); children
    and adults are also listed on their own (`child_*`, `adult_*`) with their person index."""

    as_of: np.datetime64
    # households
    hh_id: list
    hh_name: np.ndarray
    hh_address: np.ndarray
    hh_postcode: np.ndarray
    hh_kids: np.ndarray
    hh_start: np.ndarray  # first child (in child order) of each household
    hh_two_adults: np.ndarray
    # people
    p_id: list
    p_hh: np.ndarray
    p_is_child: np.ndarray
    p_given: np.ndarray
    p_family: np.ndarray
    p_known_as: np.ndarray
    p_dob: np.ndarray  # datetime64[D], NaT for the unborn
    p_due: np.ndarray  # datetime64[D], NaT unless unborn
    p_sex: np.ndarray
    p_ethnicity: np.ndarray
    p_nhs: np.ndarray  # "" when not known
    p_upn: np.ndarray
    p_joined: np.ndarray  # household membership start, NaT when not known
    # children (child order: by household, oldest first) and adults
    child_p: np.ndarray
    child_hh: np.ndarray
    child_global: np.ndarray  # the child's index in the whole data set (chunk * size + i)
    adult_p: np.ndarray
    adult_hh: np.ndarray
    # relationships (person indexes, a < b) and the kind of a to b
    rel_a: np.ndarray
    rel_b: np.ndarray
    rel_kind: np.ndarray

    @property
    def n_children(self) -> int:
        return len(self.child_p)

    @property
    def child_dob(self) -> np.ndarray:
        return self.p_dob[self.child_p]

    @property
    def child_unborn(self) -> np.ndarray:
        return np.isnat(self.p_dob[self.child_p])

    @property
    def child_sex(self) -> np.ndarray:
        return self.p_sex[self.child_p]

    @property
    def child_age(self) -> np.ndarray:
        """Whole years at `as_of`; -1 for the unborn."""
        return age_in_years(self.child_dob, self.as_of)

    @property
    def child_id(self) -> list:
        return [self.p_id[i] for i in self.child_p]


def age_in_years(dob: np.ndarray, on) -> np.ndarray:
    days = (np.datetime64(on, "D") - dob) / DAY
    return np.where(np.isnat(dob), -1, np.floor(np.nan_to_num(days, nan=-1) / YEAR_DAYS)).astype(
        int
    )


def school_start(dob: np.ndarray) -> np.ndarray:
    """The 1 September a child starts reception: the one after their fourth birthday, or on it
    for a child born in August or earlier in the year (NaT for the unborn)."""
    month = dob.astype("datetime64[M]").astype(np.int64) % 12  # 0 = January
    year = dob.astype("datetime64[Y]").astype(np.int64) + 4 + (month >= 8)
    start = year.astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(8, "M")
    return np.where(np.isnat(dob), np.datetime64("NaT", "D"), start.astype("datetime64[D]"))


def _zipf(n: int) -> np.ndarray:
    w = 1.0 / (np.arange(n) + 4.0)
    return w / w.sum()


def _pick_names(rng, lists: dict[str, list[str]], groups: np.ndarray) -> np.ndarray:
    """One name per row from the list of the row's group, common names more often."""
    out = np.empty(len(groups), dtype=object)
    for g, options in lists.items():
        mask = groups == _GROUP_INDEX[g]
        if mask.any():
            out[mask] = np.array(options, dtype=object)[
                rng.choice(len(options), size=int(mask.sum()), p=_zipf(len(options)))
            ]
    return out


def _given_names(rng, groups, sex, adult: bool) -> np.ndarray:
    boys = dict(names.BOYS, british=names.ADULT_MEN_BRITISH) if adult else names.BOYS
    girls = dict(names.GIRLS, british=names.ADULT_WOMEN_BRITISH) if adult else names.GIRLS
    male = sex == "M"
    out = np.empty(len(groups), dtype=object)
    out[male] = _pick_names(rng, boys, groups[male])
    out[~male] = _pick_names(rng, girls, groups[~male])
    return out


def _household_sizes(rng, n: int) -> np.ndarray:
    sizes = np.array(list(rates.CHILDREN_PER_HOUSEHOLD))
    p = np.array(list(rates.CHILDREN_PER_HOUSEHOLD.values()))
    draw = sizes[rng.choice(len(sizes), size=n, p=p / p.sum())]
    total = np.cumsum(draw)
    h = int(np.searchsorted(total, n)) + 1
    draw = draw[:h].copy()
    draw[-1] -= total[h - 1] - n
    return draw


def _addresses(rng, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    district_town = {d: town for town, ds in names.TOWNS for d in ds}
    districts = np.array(sorted(district_town))
    district = districts[rng.integers(0, len(districts), h)]
    town = np.array([district_town[d] for d in districts], dtype=object)[
        np.searchsorted(districts, district)
    ]
    street = np.char.add(
        np.char.add(np.array(names.STREETS)[rng.integers(0, len(names.STREETS), h)], " "),
        np.array(names.STREET_KINDS)[rng.integers(0, len(names.STREET_KINDS), h)],
    ).astype(object)
    number = rng.integers(1, 181, h).astype(str).astype(object)
    flat = rng.random(h) < 0.15
    block = np.array(names.BLOCKS, dtype=object)[rng.integers(0, len(names.BLOCKS), h)]
    flat_no = rng.integers(1, 41, h).astype(str).astype(object)
    address = np.where(
        flat,
        "Flat " + flat_no + ", " + block + ", " + street + ", " + town,
        number + " " + street + ", " + town,
    )
    letters = np.array(list(names.INWARD_LETTERS), dtype=object)
    postcode = (
        "HM"
        + district.astype(str).astype(object)
        + " "
        + rng.integers(0, 10, h).astype(str).astype(object)
        + letters[rng.integers(0, len(letters), h)]
        + letters[rng.integers(0, len(letters), h)]
    )
    return address, postcode, town


_PAIRS = {s: np.array([(i, j) for i in range(s) for j in range(i + 1, s)]) for s in (2, 3, 4)}


def build_families(
    rng: np.random.Generator,
    *,
    n: int,
    chunk: int,
    chunk_size: int,
    seed: int,
    as_of,
    person_table: int,
    household_table: int,
) -> Families:
    as_of = np.datetime64(as_of, "D")
    kids = _household_sizes(rng, n)
    h = len(kids)
    hh_start = np.cumsum(kids) - kids
    child_hh = np.repeat(np.arange(h), kids)

    # Ages, oldest first within a household; a few twins; some youngest children not yet born.
    age_days = rng.integers(0, int(18 * YEAR_DAYS) - 1, n)
    age_days = age_days[np.lexsort((-age_days, child_hh))]
    unborn_hh = rng.random(h) < rates.UNBORN
    twins_hh = (kids >= 2) & (rng.random(h) < rates.TWINS) & ~(unborn_hh & (kids == 2))
    age_days[hh_start[twins_hh] + 1] = age_days[hh_start[twins_hh]]
    unborn = np.zeros(n, dtype=bool)
    unborn[(hh_start + kids - 1)[unborn_hh]] = True
    child_dob = np.where(unborn, np.datetime64("NaT", "D"), as_of - age_days * DAY)
    child_due = np.where(
        unborn, as_of + rng.integers(14, 220, n) * DAY, np.datetime64("NaT", "D")
    ).astype("datetime64[D]")
    child_sex = np.where(unborn, "U", np.where(rng.random(n) < rates.MALE_CHILD, "M", "F")).astype(
        object
    )

    # Household shape.
    two_adults = rng.random(h) < rates.TWO_ADULTS
    blended = two_adults & (rng.random(h) < rates.BLENDED_GIVEN_TWO_ADULTS)
    one_adult_half = (
        ~two_adults & (kids >= 2) & (rng.random(h) < rates.HALF_SIBLINGS_GIVEN_ONE_ADULT)
    )
    # In a blended household the first `older` children are the first parent's from before.
    older_count = np.where(blended, 1 + (rng.random(h) * kids).astype(int), 0)
    child_local = np.arange(n) - hh_start[child_hh]
    child_older = child_local < older_count[child_hh]

    # Ethnicity and naming groups: a mixed code has one white British parent.
    hh_eth = ETHNICITY_CODES[rng.choice(len(ETHNICITY_CODES), size=h, p=_ETHNICITY_P)]
    other_eth = np.array([names.MIXED.get(e, e) for e in hh_eth])
    mixed = np.isin(hh_eth, list(names.MIXED))
    a_is_white = rng.random(h) < 0.5
    eth_a = np.where(mixed, np.where(a_is_white, "WBRI", other_eth), hh_eth)
    eth_b = np.where(mixed, np.where(a_is_white, other_eth, "WBRI"), hh_eth)
    group_of = np.vectorize(lambda e: _GROUP_INDEX[names.GROUP_OF_ETHNICITY[e]])
    grp_a, grp_b = group_of(eth_a), group_of(eth_b)
    child_grp = np.where(mixed[child_hh] & (rng.random(n) < 0.5), grp_b[child_hh], grp_a[child_hh])

    # Surnames: the household's (first parent's), a second parent's, a previous partner's.
    surname_a = _pick_names(rng, names.SURNAMES, grp_a)
    surname_b = np.where(rng.random(h) < 0.6, surname_a, _pick_names(rng, names.SURNAMES, grp_b))
    surname_prev = _pick_names(rng, names.SURNAMES, grp_a)
    r = rng.random(n)
    child_family = np.where(
        child_older,
        np.where(r < 0.6, surname_prev[child_hh], surname_a[child_hh]),
        np.where(
            two_adults[child_hh] & (r < np.where(blended[child_hh], 0.5, 0.3)),
            surname_b[child_hh],
            surname_a[child_hh],
        ),
    )
    first_half = one_adult_half[child_hh] & (child_local == 0) & (r < 0.5)
    child_family = np.where(first_half, surname_prev[child_hh], child_family)
    child_given = _given_names(rng, child_grp, child_sex, adult=False)
    child_given[unborn] = "Unborn"
    nick_of = np.vectorize(lambda g: names.NICKNAMES.get(g, ""), otypes=[object])
    nick = nick_of(child_given)
    child_known = np.where((nick != "") & (rng.random(n) < rates.KNOWN_AS), nick, "")

    # Adults: the first parent in every household, a second in two-adult households.
    oldest_age = age_days[hh_start] / YEAR_DAYS
    a_age = np.maximum(oldest_age + rng.uniform(17, 38, h), rng.uniform(18, 24, h))
    b_age = np.maximum(a_age + rng.uniform(-6, 8, h), rng.uniform(18, 24, h))
    adult_hh = np.concatenate([np.arange(h), np.flatnonzero(two_adults)])
    adult_is_b = np.arange(len(adult_hh)) >= h
    adult_age = np.where(adult_is_b, b_age[adult_hh], a_age[adult_hh])
    m = len(adult_hh)
    adult_dob = as_of - (adult_age * YEAR_DAYS).astype(int) * DAY
    female_a = rng.random(m) < rates.PARENT_A_FEMALE
    male_b = rng.random(m) < rates.PARENT_B_MALE
    adult_sex = np.where(adult_is_b, np.where(male_b, "M", "F"), np.where(female_a, "F", "M"))
    adult_sex = adult_sex.astype(object)
    adult_grp = np.where(adult_is_b, grp_b[adult_hh], grp_a[adult_hh])
    adult_given = _given_names(rng, adult_grp, adult_sex, adult=True)
    adult_family = np.where(adult_is_b, surname_b[adult_hh], surname_a[adult_hh])
    # Many Sikh women are recorded as Kaur and many Bangladeshi women as Begum.
    r = rng.random(m)
    women = adult_sex == "F"
    adult_family = np.where(
        women & (adult_grp == _GROUP_INDEX["indian"]) & (r < 0.3), "Kaur", adult_family
    )
    adult_family = np.where(
        women & (adult_grp == _GROUP_INDEX["south_asian_muslim"]) & (r < 0.3),
        "Begum",
        adult_family,
    )
    adult_eth = np.where(adult_is_b, eth_b[adult_hh], eth_a[adult_hh])

    # People in household order, shuffled within each household; ids increase in this order.
    member_hh = np.concatenate([child_hh, adult_hh])
    order = np.lexsort((rng.random(n + m), member_hh))
    position = np.empty(n + m, dtype=np.int64)
    position[order] = np.arange(n + m)
    child_p, adult_p = position[:n], position[n:]

    def people(child_values, adult_values):
        return np.concatenate([child_values, adult_values])[order]

    address, postcode, _ = _addresses(rng, h)
    child_global = chunk * chunk_size + np.arange(n)
    child_nhs = np.where(
        ~unborn & (rng.random(n) < rates.CHILD_NHS_NUMBER), ids.nhs_numbers(child_global, seed), ""
    )
    adult_index = ids.NHS_ADULT_OFFSET + chunk * 2 * chunk_size + np.arange(m)
    adult_nhs = np.where(
        rng.random(m) < rates.ADULT_NHS_NUMBER, ids.nhs_numbers(adult_index, seed), ""
    )
    child_upn = np.where(
        (school_start(child_dob) <= as_of) & (rng.random(n) < rates.PUPIL_UPN),
        ids.upns(child_global, seed),
        "",
    )
    # Joined the household: a child at birth, the first parent with the eldest child, a second
    # parent in a blended household more recently.
    oldest_dob = as_of - age_days[hh_start] * DAY
    b_joined = np.where(
        blended, as_of - (rng.uniform(0.5, 8, h) * YEAR_DAYS).astype(int) * DAY, oldest_dob
    )
    adult_joined = np.where(adult_is_b, b_joined[adult_hh], oldest_dob[adult_hh])
    adult_joined = np.where(adult_joined < adult_dob, adult_dob, adult_joined)
    p_id = ids.uuids(rng, n + m, table=person_table, chunk=chunk)

    # Relationships: each parent to each child, then each pair of children.
    b_of_hh = np.full(h, -1)
    b_of_hh[adult_hh[adult_is_b]] = adult_p[adult_is_b]
    a_of_hh = adult_p[:h]
    kinds_a = [np.full(n, Kind.PARENT.value, dtype=object)]
    rel_x, rel_y = [a_of_hh[child_hh]], [child_p]
    with_b = two_adults[child_hh]
    rel_x.append(b_of_hh[child_hh][with_b])
    rel_y.append(child_p[with_b])
    kinds_a.append(
        np.where(child_older[with_b], Kind.PARTNER_OF_PARENT.value, Kind.PARENT.value).astype(
            object
        )
    )
    for size, pairs in _PAIRS.items():
        hhs = np.flatnonzero(kids == size)
        if not len(hhs):
            continue
        first = hh_start[hhs][:, None] + pairs[:, 0]
        second = hh_start[hhs][:, None] + pairs[:, 1]
        half = (child_older[first] != child_older[second]) | (
            one_adult_half[hhs][:, None] & (pairs[:, 0] == 0)
        )
        rel_x.append(child_p[first].ravel())
        rel_y.append(child_p[second].ravel())
        kinds_a.append(
            np.where(half.ravel(), Kind.HALF_SIBLING.value, Kind.SIBLING.value).astype(object)
        )
    x, y, kind = np.concatenate(rel_x), np.concatenate(rel_y), np.concatenate(kinds_a)
    inverse = np.vectorize(lambda k: INVERSE[k], otypes=[object])
    swap = x > y
    kind = np.where(swap, inverse(kind), kind)
    rel_a, rel_b = np.where(swap, y, x), np.where(swap, x, y)

    return Families(
        as_of=as_of,
        hh_id=ids.uuids(rng, h, table=household_table, chunk=chunk),
        hh_name=np.array(["The " + s + " household" for s in surname_a], dtype=object),
        hh_address=address,
        hh_postcode=postcode,
        hh_kids=kids,
        hh_start=hh_start,
        hh_two_adults=two_adults,
        p_id=p_id,
        p_hh=member_hh[order],
        p_is_child=people(np.ones(n, bool), np.zeros(m, bool)),
        p_given=people(child_given, adult_given),
        p_family=people(child_family, adult_family),
        p_known_as=people(child_known, np.full(m, "", dtype=object)),
        p_dob=people(child_dob, adult_dob).astype("datetime64[D]"),
        p_due=people(child_due, np.full(m, np.datetime64("NaT", "D"), "datetime64[D]")),
        p_sex=people(child_sex, adult_sex),
        p_ethnicity=people(hh_eth[child_hh], adult_eth).astype(object),
        p_nhs=people(child_nhs.astype(object), adult_nhs.astype(object)),
        p_upn=people(child_upn.astype(object), np.full(m, "", dtype=object)),
        p_joined=people(
            np.where(unborn, np.datetime64("NaT", "D"), child_dob), adult_joined
        ).astype("datetime64[D]"),
        child_p=child_p,
        child_hh=child_hh,
        child_global=child_global,
        adult_p=adult_p,
        adult_hh=adult_hh,
        rel_a=rel_a,
        rel_b=rel_b,
        rel_kind=kind,
    )
