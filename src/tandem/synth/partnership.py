"""The partners, their teams and the practitioners in them.

Teams are fixed (the local authority's, the police's, the NHS trust's and the charity's) or
scaled with the number of children (schools, GP practices). The workforce is sized *after* the
first chunk of children is drawn: each team gets enough workers for a caseload of 15-25 open
allocations (`rates.CASELOAD`). Until then, a chunk refers to a practitioner as (team, pool, u)
with u in [0, 1); `Partnership.user_ids` turns that into a user id once the team is staffed.
"""

import math
import unicodedata
from dataclasses import dataclass, field

import numpy as np

from tandem.partners.models import PartnerKind, Role
from tandem.synth import ids, names, rates

# Pools of a team's members that a reference can draw from.
WORKER, MANAGER, DECIDER, ANYONE = 0, 1, 2, 3

LA = "Hartmoor Council Children's Services"
POLICE = "Hartmoor Constabulary"
NHS = "Hartmoor Community Health NHS Trust"
CHARITY = "Brightpath Children's Charity"
DRAMA_PHONE = "01632 960"  # Ofcom's range for drama: never a real line


@dataclass
class TeamSpec:
    key: str
    partner: int
    name: str
    role: str  # the workers' role
    caseload: str | None  # the CASELOAD class that sizes it, or None for a fixed size
    minimum: int
    receives_referrals: bool = False
    managers: bool = True
    email: str = ""
    phone: str = ""
    id: str = ""


@dataclass
class Person:
    """A practitioner, before the workforce is written."""

    id: str
    username: str
    first_name: str
    last_name: str
    role: str
    team: int | None
    job_title: str
    email: str
    phone: str
    password: str
    date_joined: np.datetime64
    is_staff: bool = False
    is_superuser: bool = False


@dataclass
class Partnership:
    partners: list[dict]
    teams: list[TeamSpec]
    key: dict[str, int]  # team key -> team index
    school_teams: np.ndarray
    school_secondary: np.ndarray
    gp_teams: np.ndarray
    # Filled by `staff`: per team, the user indexes of its managers and its workers.
    users: list[Person] = field(default_factory=list)
    managers: list[np.ndarray] = field(default_factory=list)
    workers: list[np.ndarray] = field(default_factory=list)

    def team_id(self, key: str) -> str:
        return self.teams[self.key[key]].id

    def pool_sizes(self) -> np.ndarray:
        """(teams x 4) members in each pool, for `user_ids`."""
        out = np.zeros((len(self.teams), 4), dtype=np.int64)
        for t, spec in enumerate(self.teams):
            m, w = len(self.managers[t]), len(self.workers[t])
            decides = spec.role in (Role.SOCIAL_WORKER, Role.TEAM_MANAGER)
            out[t] = (w, m, m + (w if decides else 0), m + w)
        return out

    def user_ids(self, team: np.ndarray, pool: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The member of `team` that each (team, pool, u) reference names; a pool a team does not
        have falls back to anyone in the team."""
        sizes = self.pool_sizes()
        size = sizes[team, pool]
        pool = np.where(size > 0, pool, ANYONE)
        size = sizes[team, pool]
        k = np.minimum((u * size).astype(np.int64), size - 1)
        # Members of each team in pool order: managers then workers (a decider is either).
        table = self._member_table()
        offset = np.where(pool == WORKER, sizes[team, MANAGER], 0)
        ids_ = np.array([p.id for p in self.users], dtype=object)
        return ids_[table[team, offset + k]]

    def _member_table(self) -> np.ndarray:
        if getattr(self, "_table", None) is None:
            width = max(len(m) + len(w) for m, w in zip(self.managers, self.workers, strict=True))
            table = np.zeros((len(self.teams), width), dtype=np.int64)
            for t in range(len(self.teams)):
                members = np.concatenate([self.managers[t], self.workers[t]])
                table[t, : len(members)] = members
            self._table = table
        return self._table


def _schools(rng, count: int) -> list[tuple[str, bool]]:
    secondary_n = max(1, round(count * rates.SECONDARY_SHARE))
    primary_n = count - secondary_n
    out = []
    for n, kinds, secondary in (
        (primary_n, names.PRIMARY_KINDS, False),
        (secondary_n, names.SECONDARY_KINDS, True),
    ):
        plain = [f"{s} {k}" for k in kinds for s in names.SCHOOL_STEMS]
        local = [f"{p}, {town}" for town in names.LOCALITIES for p in plain]
        pool = list(rng.permutation(plain)) + list(rng.permutation(local))
        if n > len(pool):
            raise ValueError("Too many schools for the name lists")
        out += [(name, secondary) for name in pool[:n]]
    return out


def _gp_practices(rng, count: int) -> list[str]:
    extra = [
        f"{s} {k}"
        for s in names.SCHOOL_STEMS
        for k in ("Surgery", "Medical Practice", "Health Centre")
    ]
    pool = names.GP_PRACTICES + [e for e in rng.permutation(extra) if e not in names.GP_PRACTICES]
    return pool[:count]


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum() or ch == "-").strip("-")


def plan_partnership(
    rng: np.random.Generator, *, children: int, partner_table: int, team_table: int
) -> Partnership:
    """The partners and teams for `children` children (no workforce yet)."""
    partners: list[dict] = []
    teams: list[TeamSpec] = []

    def partner(name, kind, contact, email, phone):
        partners.append(
            dict(
                name=name,
                kind=kind,
                contact_name=contact,
                contact_email=email,
                contact_phone=phone,
            )
        )
        return len(partners) - 1

    def team(key, p, name, role, caseload, minimum, **kw):
        teams.append(TeamSpec(key, p, name, role, caseload, minimum, **kw))

    la = partner(
        LA,
        PartnerKind.LOCAL_AUTHORITY,
        "MASH duty manager",
        "mash@hartmoor-council.example",
        DRAMA_PHONE + "100",
    )
    team(
        "front_door",
        la,
        "Front door (MASH)",
        Role.SOCIAL_WORKER,
        "social_care",
        4,
        receives_referrals=True,
        email="mash@hartmoor-council.example",
        phone=DRAMA_PHONE + "100",
    )
    team(
        "early_help",
        la,
        "Early help hub",
        Role.FAMILY_SUPPORT_WORKER,
        "early_help",
        3,
        receives_referrals=True,
        email="earlyhelp@hartmoor-council.example",
        phone=DRAMA_PHONE + "101",
    )
    team(
        "cin",
        la,
        "Children in need team",
        Role.SOCIAL_WORKER,
        "social_care",
        3,
        email="cin@hartmoor-council.example",
        phone=DRAMA_PHONE + "102",
    )
    team(
        "cp",
        la,
        "Child protection team",
        Role.SOCIAL_WORKER,
        "social_care",
        3,
        email="cp@hartmoor-council.example",
        phone=DRAMA_PHONE + "103",
    )
    team(
        "children_in_care",
        la,
        "Children in care team",
        Role.SOCIAL_WORKER,
        "social_care",
        2,
        email="childrenincare@hartmoor-council.example",
        phone=DRAMA_PHONE + "105",
    )
    team(
        "leaving_care",
        la,
        "Leaving care team",
        Role.PERSONAL_ADVISER,
        "leaving_care",
        2,
        email="leavingcare@hartmoor-council.example",
        phone=DRAMA_PHONE + "104",
    )
    team(
        "business",
        la,
        "Partnership intelligence and governance",
        Role.PARTNERSHIP_ANALYST,
        None,
        0,
        managers=False,
        email="intelligence@hartmoor-council.example",
    )

    police = partner(
        POLICE,
        PartnerKind.POLICE,
        "Child safeguarding team duty sergeant",
        "child.safeguarding@hartmoor-police.example",
        DRAMA_PHONE + "200",
    )
    team(
        "police",
        police,
        "Child safeguarding team",
        Role.POLICE_SAFEGUARDING_OFFICER,
        "police",
        3,
        email="child.safeguarding@hartmoor-police.example",
        phone=DRAMA_PHONE + "200",
    )

    nhs = partner(
        NHS,
        PartnerKind.NHS_TRUST,
        "Named nurse for safeguarding children",
        "safeguarding@hartmoor-health.example",
        DRAMA_PHONE + "300",
    )
    team(
        "health_visiting",
        nhs,
        "Health visiting",
        Role.HEALTH_PRACTITIONER,
        "health",
        3,
        email="healthvisiting@hartmoor-health.example",
        phone=DRAMA_PHONE + "301",
    )
    team(
        "school_nursing",
        nhs,
        "School nursing",
        Role.HEALTH_PRACTITIONER,
        "health",
        2,
        email="schoolnursing@hartmoor-health.example",
        phone=DRAMA_PHONE + "302",
    )

    charity = partner(
        CHARITY,
        PartnerKind.CHARITY,
        "Hartmoor services manager",
        "hartmoor@brightpath.example",
        DRAMA_PHONE + "400",
    )
    team(
        "charity_family",
        charity,
        "Family support service",
        Role.FAMILY_SUPPORT_WORKER,
        "charity",
        3,
        email="familysupport@brightpath.example",
        phone=DRAMA_PHONE + "401",
    )
    team(
        "charity_cse",
        charity,
        "CSE and missing service",
        Role.FAMILY_SUPPORT_WORKER,
        "charity",
        2,
        email="cse.missing@brightpath.example",
        phone=DRAMA_PHONE + "402",
    )
    team(
        "charity_hsb",
        charity,
        "Harmful sexual behaviour service",
        Role.FAMILY_SUPPORT_WORKER,
        "charity",
        2,
        email="hsb@brightpath.example",
        phone=DRAMA_PHONE + "403",
    )

    gp_count = min(60, max(3, children // rates.GP_PRACTICES_PER_CHILDREN))
    gp_teams = []
    for i, name in enumerate(_gp_practices(rng, gp_count)):
        domain = _slug(name.replace(" ", "-")) + ".nhs.example"
        phone = f"{DRAMA_PHONE}{500 + i:03d}"
        p = partner(
            name, PartnerKind.GP_PRACTICE, "Safeguarding lead GP", f"safeguarding@{domain}", phone
        )
        team(
            f"gp:{i}",
            p,
            "Practice safeguarding",
            Role.HEALTH_PRACTITIONER,
            None,
            1,
            managers=False,
            email=f"safeguarding@{domain}",
            phone=phone,
        )
        gp_teams.append(len(teams) - 1)

    school_count = max(3, children // rates.SCHOOLS_PER_CHILDREN)
    school_teams, secondary = [], []
    for i, (name, is_secondary) in enumerate(_schools(rng, school_count)):
        domain = f"school{i + 1:04d}.hartmoor-schools.example"
        phone = f"{DRAMA_PHONE}{600 + i % 400:03d}"
        p = partner(
            name, PartnerKind.SCHOOL, "Designated safeguarding lead", f"dsl@{domain}", phone
        )
        team(
            f"school:{i}",
            p,
            "Safeguarding team",
            Role.SCHOOL_DSL,
            None,
            2 if is_secondary else 1,
            managers=False,
            email=f"dsl@{domain}",
            phone=phone,
        )
        school_teams.append(len(teams) - 1)
        secondary.append(is_secondary)

    partner_ids = ids.uuids(rng, len(partners), table=partner_table, chunk=0)
    for p, pid in zip(partners, partner_ids, strict=True):
        p["id"] = pid
    for t, tid in zip(teams, ids.uuids(rng, len(teams), table=team_table, chunk=0), strict=True):
        t.id = tid
    return Partnership(
        partners=partners,
        teams=teams,
        key={t.key: i for i, t in enumerate(teams)},
        school_teams=np.array(school_teams),
        school_secondary=np.array(secondary),
        gp_teams=np.array(gp_teams),
    )


JOB_TITLES = {
    Role.SOCIAL_WORKER: "Social worker",
    Role.FAMILY_SUPPORT_WORKER: "Family support worker",
    Role.PERSONAL_ADVISER: "Personal adviser",
    Role.POLICE_SAFEGUARDING_OFFICER: "Detective constable, child safeguarding",
    Role.HEALTH_PRACTITIONER: "Health visitor",
    Role.SCHOOL_DSL: "Designated safeguarding lead",
    Role.TEAM_MANAGER: "Team manager",
    Role.PARTNERSHIP_ANALYST: "Partnership analyst",
    Role.IG_LEAD: "Information governance lead",
    Role.SYSTEM_ADMIN: "System administrator",
}
_TEAM_TITLES = {"school_nursing": "School nurse", "gp": "Safeguarding lead GP"}
_PASSWORD_CHARS = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))


def workers_needed(spec: TeamSpec, open_allocations: float) -> int:
    if spec.caseload is None:
        return spec.minimum
    return max(spec.minimum, math.ceil(open_allocations / rates.CASELOAD[spec.caseload]))


def staff(
    rng: np.random.Generator,
    plan: Partnership,
    *,
    open_allocations: dict[int, float],
    user_table: int,
    as_of,
) -> None:
    """Give every team its workers (sized by the expected open allocations) and managers, and
    add the partnership's analyst, information-governance lead and system administrator."""
    people: list[tuple[str, int | None, str]] = []  # (role, team, title)
    plan.managers, plan.workers = [], []
    for t, spec in enumerate(plan.teams):
        n_workers = workers_needed(spec, open_allocations.get(t, 0.0))
        n_managers = max(1, math.ceil(n_workers / 7)) if spec.managers else 0
        title = JOB_TITLES[spec.role]
        title = _TEAM_TITLES.get(spec.key.split(":")[0], title)
        first = len(people)
        people += [(Role.TEAM_MANAGER, t, "Team manager")] * n_managers
        if spec.key == "business":
            people += [
                (Role.PARTNERSHIP_ANALYST, t, JOB_TITLES[Role.PARTNERSHIP_ANALYST]),
                (Role.IG_LEAD, t, JOB_TITLES[Role.IG_LEAD]),
            ]
        else:
            people += [(spec.role, t, title)] * n_workers
        plan.managers.append(np.arange(first, first + n_managers))
        plan.workers.append(np.arange(first + n_managers, len(people)))
    people.append((Role.SYSTEM_ADMIN, None, JOB_TITLES[Role.SYSTEM_ADMIN]))

    n = len(people)
    groups = rng.choice(len(names.GROUPS), size=n, p=_staff_groups())
    female = rng.random(n) < 0.7  # the children's workforce is mostly women
    first_names, last_names = [], []
    for g, f in zip(groups, female, strict=True):
        group = names.GROUPS[g]
        if group == "british":
            pool = names.ADULT_WOMEN_BRITISH if f else names.ADULT_MEN_BRITISH
        else:
            pool = (names.GIRLS if f else names.BOYS)[group]
        first_names.append(pool[rng.integers(0, len(pool))])
        surnames = names.SURNAMES[group]
        last_names.append(surnames[rng.integers(0, len(surnames))])
    user_ids = ids.uuids(rng, n, table=user_table, chunk=0)
    passwords = _PASSWORD_CHARS[rng.integers(0, len(_PASSWORD_CHARS), size=(n, 40))]
    joined = np.datetime64(as_of, "D") - rng.integers(30, 3650, n) * np.timedelta64(1, "D")
    seen: dict[str, int] = {}
    plan.users = []
    for i, (role, team, title) in enumerate(people):
        base = f"{_slug(first_names[i])}.{_slug(last_names[i])}"
        seen[base] = seen.get(base, 0) + 1
        username = base if seen[base] == 1 else f"{base}{seen[base]}"
        spec = plan.teams[team] if team is not None else None
        domain = spec.email.split("@")[1] if spec else "hartmoor-council.example"
        plan.users.append(
            Person(
                id=user_ids[i],
                username=username,
                first_name=first_names[i],
                last_name=last_names[i],
                role=role,
                team=team,
                job_title=title,
                email=f"{username}@{domain}",
                phone=spec.phone if spec else "",
                password="!" + "".join(passwords[i]),
                date_joined=joined[i],
                is_staff=role == Role.SYSTEM_ADMIN,
                is_superuser=role == Role.SYSTEM_ADMIN,
            )
        )
    plan._table = None


def _staff_groups() -> np.ndarray:
    weights = {g: 0.0 for g in names.GROUPS}
    for code, share in rates.ETHNICITY.items():
        weights[names.GROUP_OF_ETHNICITY[code]] += share
    p = np.array([weights[g] for g in names.GROUPS])
    return p / p.sum()
