"""Synthetic agency extracts with realistic recording errors, and the truth kept aside.

Each partner records the same children its own way: police incidents, a school's roll and its
absence and exclusion events, health attendances, council contacts and a charity's sessions,
one row per event, each row keyed in again with the errors real extracts carry — typos,
nicknames and initials, hyphenated and changed surnames, day and month swapped, estimated dates
of birth, "Baby" records, missing postcodes for mobile families. Twins and same-name siblings
come from the families themselves. The true person behind each row goes to `truth.csv`, which
linkage never reads: it is only for scoring.

The children are the very ones `tandem synth` builds for the same seed, children, chunk size
and as-of date (redrawn with `draw_people`, as `tandem.synth.truth` does); the extracts' own
draws use a stream of their own, so they change nothing the database holds.
"""

import csv
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tandem.synth import names
from tandem.synth.build import CHUNK_SIZE, chunk_sizes, draw_people
from tandem.synth.families import age_in_years
from tandem.synth.risks import R

EXTRACTS_STAGE = 101  # a random stream of the extracts' own, apart from build's stages
DAY = np.timedelta64(1, "D")

# Recording errors per row, before the `error_rate` multiplier.
ERRORS = {
    "given_typo": 0.04,
    "family_typo": 0.04,
    "nickname": 0.15,  # of rows whose given name has a short form
    "initial": 0.02,
    "hyphenated": 0.03,
    "surname_changed": 0.02,
    "dob_swapped": 0.04,  # of rows whose day is 12 or less (and not the month)
    "dob_estimated": 0.015,
    "dob_typo": 0.01,
    "postcode_missing": 0.05,
    "postcode_old": 0.04,
    "sex_missing": 0.02,
    "baby": 0.6,  # of health rows for a child under one
}
MOBILE_HOUSEHOLDS = 0.03  # no partner has a postcode for them


@dataclass(frozen=True)
class EventRule:
    event_type: str
    reasons: tuple[str, ...]  # any of these risks makes the event likely
    p_given_risk: float
    p_background: float = 0.0
    min_age: int = 0
    max_age: int = 17


@dataclass(frozen=True)
class Agency:
    name: str
    kind: str  # a PartnerKind
    rules: tuple[EventRule, ...]
    roll: float = 0.0  # share of children (within the roll ages) listed even without an event
    roll_event: str = ""
    roll_ages: tuple[int, int] = (0, 17)
    nhs_present: float = 0.0
    upn_present: float = 0.0
    error_factor: float = 1.0  # police and A&E key details in a hurry


AGENCIES = (
    Agency(
        "police",
        "police",
        (
            EventRule("Missing episode", ("missing",), 0.85, min_age=10),
            EventRule("Domestic abuse call-out", ("domestic_abuse",), 0.55),
            EventRule("Criminal exploitation concern", ("criminal_exploitation",), 0.45, 0, 11),
            EventRule("Gang association", ("gangs",), 0.5, min_age=12),
            EventRule("Drugs possession", ("drugs",), 0.35, min_age=12),
            EventRule("Child sexual exploitation concern", ("cse",), 0.35, min_age=10),
            EventRule("Victim or witness of crime", (), 0.0, 0.03, min_age=5),
        ),
        error_factor=1.6,
    ),
    Agency(
        "school",
        "school",
        (
            EventRule(
                "Persistent absence",
                ("neglect", "missing", "mental_health", "criminal_exploitation"),
                0.45,
                0.04,
                5,
                16,
            ),
            EventRule(
                "Suspension or exclusion",
                ("criminal_exploitation", "hsb", "gangs"),
                0.45,
                0.01,
                5,
                16,
            ),
            EventRule("Online safety concern", ("online_grooming", "cyber_bullying"), 0.4, 0, 8),
            EventRule("Free school meals", ("poverty",), 0.6, 0.0, 5, 16),
        ),
        roll=0.35,
        roll_event="On roll",
        roll_ages=(5, 16),
        upn_present=0.97,
        error_factor=0.6,
    ),
    Agency(
        "health",
        "nhs_trust",
        (
            EventRule("A&E attendance", ("neglect", "domestic_abuse", "drugs"), 0.2, 0.04),
            EventRule("Self-harm attendance", ("mental_health",), 0.3, min_age=10),
            EventRule("Substance-related attendance", ("drugs",), 0.3, min_age=12),
            EventRule("FGM identified", ("fgm",), 0.6),
            EventRule("Sexual health concern", ("cse",), 0.3, min_age=12),
            EventRule("Birth", (), 0.0, 0.9, 0, 0),
        ),
        nhs_present=0.96,
        error_factor=1.3,
    ),
    Agency(
        "council",
        "local_authority",
        (
            EventRule(
                "Contact",
                ("neglect", "domestic_abuse", "parental_substance_misuse", "cse", "hsb"),
                0.35,
                0.01,
            ),
            EventRule("Temporary accommodation", ("poverty",), 0.08),
        ),
        nhs_present=0.3,
        upn_present=0.25,
    ),
    Agency(
        "charity",
        "charity",
        (
            EventRule(
                "Support session",
                ("online_grooming", "cse", "mental_health", "domestic_abuse"),
                0.15,
                min_age=8,
            ),
        ),
    ),
)
AGENCY_NAMES = tuple(a.name for a in AGENCIES)


# How each partner's file looks: its columns for Tandem's fields, its date format, its sex codes.
LAYOUTS = {
    "police": {
        "record_id": "IncidentRef",
        "local_id": "NominalRef",
        "given_name": "Forename",
        "family_name": "Surname",
        "date_of_birth": ("DOB", "%d/%m/%Y"),
        "sex": ("Gender", {"M": "Male", "F": "Female"}),
        "postcode": "Postcode",
        "address": "Address",
        "event_type": "IncidentType",
        "event_date": ("IncidentDate", "%d/%m/%Y"),
    },
    "school": {
        "record_id": "event_id",
        "upn": "upn",
        "given_name": "legal_forename",
        "family_name": "legal_surname",
        "date_of_birth": ("date_of_birth", "%Y-%m-%d"),
        "sex": ("sex", {"M": "M", "F": "F"}),
        "postcode": "postcode",
        "address": "address",
        "event_type": "event",
        "event_date": ("event_date", "%Y-%m-%d"),
    },
    "health": {
        "record_id": "AttendanceId",
        "nhs_number": "NHSNumber",
        "given_name": "GivenName",
        "family_name": "FamilyName",
        "date_of_birth": ("BirthDate", "%Y%m%d"),
        "sex": ("Sex", {"M": "1", "F": "2"}),
        "postcode": "PostCode",
        "event_type": "Attendance",
        "event_date": ("AttendanceDate", "%Y%m%d"),
    },
    "council": {
        "record_id": "contact_id",
        "local_id": "person_id",
        "given_name": "first_name",
        "family_name": "last_name",
        "date_of_birth": ("dob", "%d-%m-%Y"),
        "sex": ("gender", {"M": "Male", "F": "Female"}),
        "postcode": "postcode",
        "address": "address_line_1",
        "nhs_number": "nhs_number",
        "upn": "upn",
        "event_type": "contact_reason",
        "event_date": ("contact_date", "%d-%m-%Y"),
    },
    "charity": {
        "record_id": "session_ref",
        "given_name": "first_name",
        "family_name": "surname",
        "date_of_birth": ("birth_date", "%d/%m/%Y"),
        "sex": ("gender", {"M": "Boy", "F": "Girl"}),
        "postcode": "post_code",
        "event_type": "session_type",
        "event_date": ("session_date", "%d/%m/%Y"),
    },
}


@dataclass
class Rows:
    """One agency's rows, in Tandem's terms, before they are laid out as its file."""

    columns: dict[str, list] = field(default_factory=dict)

    def extend(self, **values) -> None:
        for key, array in values.items():
            self.columns.setdefault(key, []).append(np.asarray(array, dtype=object))

    def joined(self) -> dict[str, np.ndarray]:
        return {
            k: np.concatenate(v) if v else np.array([], object) for k, v in self.columns.items()
        }


_LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))


def _typo(rng: np.random.Generator, word: str) -> str:
    """One keying slip: a letter dropped, doubled, swapped with the next, or mistyped."""
    if len(word) < 3:
        return word
    i = int(rng.integers(1, len(word) - 1))
    kind = int(rng.integers(0, 4))
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[: i + 1] + word[i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + str(rng.choice(_LETTERS)) + word[i + 1 :]


def _apply(rng, values: np.ndarray, mask: np.ndarray, fn) -> np.ndarray:
    out = values.copy()
    for i in np.flatnonzero(mask):
        out[i] = fn(rng, out[i])
    return out


def _random_surnames(rng, k: int) -> np.ndarray:
    pool = [s for lst in names.SURNAMES.values() for s in lst]
    return np.array(pool, dtype=object)[rng.integers(0, len(pool), k)]


def _events(rng, agency: Agency, age: np.ndarray, risks: np.ndarray) -> tuple[list, list]:
    """(child index, event type) for every event this agency records."""
    n = len(age)
    who, kind = [], []
    seen = np.zeros(n, dtype=bool)
    for rule in agency.rules:
        in_age = (age >= rule.min_age) & (age <= rule.max_age)
        has = (
            risks[:, [R[r] for r in rule.reasons]].any(axis=1)
            if rule.reasons
            else np.zeros(n, bool)
        )
        p = np.where(has, rule.p_given_risk, rule.p_background)
        hit = in_age & (rng.random(n) < p)
        # Risky children come back: one to three events each.
        repeats = np.where(has, rng.integers(1, 4, n), 1)[hit]
        idx = np.repeat(np.flatnonzero(hit), repeats)
        who.append(idx)
        kind.append(np.full(len(idx), rule.event_type, dtype=object))
        seen[hit] = True
    if agency.roll:
        lo, hi = agency.roll_ages
        rolled = ~seen & (age >= lo) & (age <= hi) & (rng.random(n) < agency.roll)
        idx = np.flatnonzero(rolled)
        who.append(idx)
        kind.append(np.full(len(idx), agency.roll_event, dtype=object))
    return who, kind


def draw_chunk_extracts(
    seed: int, chunk: int, n: int, chunk_size: int, as_of, error_rate: float
) -> dict[str, Rows]:
    fam, risks = draw_people(seed, chunk, n, chunk_size, as_of)
    rng = np.random.default_rng([seed, chunk, EXTRACTS_STAGE])
    as_of = np.datetime64(as_of, "D")
    born = ~fam.child_unborn
    cp = fam.child_p[born]
    risks = risks[born]
    hh = fam.child_hh[born]
    dob = fam.p_dob[cp]
    age = age_in_years(dob, as_of)
    given = fam.p_given[cp]
    family = fam.p_family[cp]
    known = fam.p_known_as[cp]
    nick = np.array([names.NICKNAMES.get(g, "") for g in given], dtype=object)
    nick = np.where(known != "", known, nick)
    mobile = rng.random(len(fam.hh_id)) < MOBILE_HOUSEHOLDS
    person_id = np.array([str(uuid.UUID(fam.p_id[i])) for i in cp], dtype=object)
    household_id = np.array([str(uuid.UUID(h)) for h in fam.hh_id], dtype=object)[hh]
    glob = fam.child_global[born].astype(np.int64)

    out = {}
    for agency in AGENCIES:
        who_parts, kind_parts = _events(rng, agency, age, risks)
        who = np.concatenate(who_parts) if who_parts else np.array([], int)
        kind = np.concatenate(kind_parts) if kind_parts else np.array([], object)
        m = len(who)
        rate = error_rate * agency.error_factor

        def chance(name, rate=rate, m=m):
            return rng.random(m) < min(1.0, ERRORS[name] * rate)

        g = given[who].copy()
        f = family[who].copy()
        has_nick = nick[who] != ""
        g = np.where(has_nick & chance("nickname"), nick[who], g)
        g = _apply(rng, g, chance("given_typo"), lambda r, w: _typo(r, w.lower()).title())
        initial = chance("initial") & (agency.name == "police")
        g = np.where(initial, np.array([w[:1] for w in g], dtype=object), g)
        f = _apply(rng, f, chance("family_typo"), lambda r, w: _typo(r, w.lower()).title())
        hyphen = chance("hyphenated")
        f = np.where(hyphen, f + "-" + _random_surnames(rng, m), f)
        changed = chance("surname_changed") & ~hyphen
        f = np.where(changed, _random_surnames(rng, m), f)
        d = dob[who].copy()
        day = d.astype("datetime64[D]") - d.astype("datetime64[M]").astype("datetime64[D]") + DAY
        day = (day / DAY).astype(int)
        month = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
        year = d.astype("datetime64[Y]").astype(np.int64) + 1970
        swappable = (day <= 12) & (day != month)
        swap = swappable & chance("dob_swapped")
        swapped = (
            (year - 1970).astype("datetime64[Y]").astype("datetime64[M]")
            + (day - 1).astype("timedelta64[M]")
        ).astype("datetime64[D]") + (month - 1) * DAY
        d = np.where(swap, swapped, d)
        estimated = chance("dob_estimated") & ~swap
        first_of_year = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
        d = np.where(estimated, first_of_year, d)
        slip = chance("dob_typo") & ~swap & ~estimated
        d = np.where(slip, d + rng.choice([-10, -1, 1, 10], m) * DAY, d)
        if agency.name == "health":
            baby = (age[who] == 0) & chance("baby")
            g = np.where(baby, "Baby", g)
        h = hh[who]
        pc = fam.hh_postcode[h].copy()
        old = chance("postcode_old")
        # A previous address: another household's postcode.
        elsewhere = fam.hh_postcode[rng.integers(0, len(fam.hh_postcode), m)]
        pc = np.where(old, elsewhere, pc)
        pc = np.where(mobile[h] | chance("postcode_missing"), "", pc)
        address = np.where(pc == "", "", fam.hh_address[h])
        sex = np.where(chance("sex_missing"), "", fam.p_sex[cp][who])
        nhs = np.where(rng.random(m) < agency.nhs_present, fam.p_nhs[cp][who], "")
        upn = np.where(rng.random(m) < agency.upn_present, fam.p_upn[cp][who], "")
        # Events happened in the last three years, never before birth.
        since_birth = np.maximum(((as_of - dob[who]) / DAY).astype(int), 1)
        back = rng.integers(0, np.minimum(since_birth, 3 * 365))
        when = as_of - (back + 1) * DAY
        # Each agency numbers its people its own way: local ids never span agencies.
        local = (glob[who] * 7_919 + 104_729 * (AGENCY_NAMES.index(agency.name) + 1)) % 10**8
        rows = out.setdefault(agency.name, Rows())
        rows.extend(
            person_id=person_id[who],
            household_id=household_id[who],
            local_id=np.char.add("P", local.astype(str)).astype(object),
            given_name=g,
            family_name=f,
            date_of_birth=d,
            sex=sex,
            postcode=pc,
            address=address,
            nhs_number=nhs,
            upn=upn,
            event_type=kind,
            event_date=when,
        )
    return out


def _format_dates(values: np.ndarray, fmt: str) -> list[str]:
    iso = np.datetime_as_string(values.astype("datetime64[D]"), unit="D").astype(object)
    pieces = {"%Y": iso.astype("U4"), "%m": np.array([s[5:7] for s in iso]), "%d": iso}
    pieces["%d"] = np.array([s[8:10] for s in iso])
    out = np.full(len(iso), "", dtype=object)
    i = 0
    while i < len(fmt):
        token = fmt[i : i + 2]
        if token in pieces:
            out = out + pieces[token].astype(object)
            i += 2
        else:
            out = out + fmt[i]
            i += 1
    return list(out)


def layout(
    agency: str, rows: dict[str, np.ndarray], start: int = 0
) -> tuple[list[str], dict[str, list]]:
    """The agency's header and rows, its columns in its own order and formats."""
    spec = LAYOUTS[agency]
    prefix = {"police": "INC", "school": "EV", "health": "ATT", "council": "C", "charity": "S"}
    n = len(rows["given_name"])
    columns: dict[str, list] = {}
    for tandem_field, source in spec.items():
        if tandem_field == "record_id":
            columns[source] = [f"{prefix[agency]}{start + i + 1:08d}" for i in range(n)]
        elif tandem_field in ("date_of_birth", "event_date"):
            column, fmt = source
            columns[column] = _format_dates(rows[tandem_field], fmt)
        elif tandem_field == "sex":
            column, codes = source
            columns[column] = [codes.get(s, "") for s in rows["sex"]]
        else:
            columns[source] = list(rows[tandem_field])
    header = list(columns)
    return header, columns


def mapping_toml() -> str:
    """The `tandem link files` mapping for these extracts."""
    lines = ["# Column mapping for the synthetic extracts (tandem link files --mapping)"]
    for agency, spec in LAYOUTS.items():
        lines += ["", f"[sources.{agency}]", f'file = "{agency}.csv"']
        for tandem_field, source in spec.items():
            if tandem_field in ("date_of_birth", "event_date"):
                column, fmt = source
                lines.append(f'{tandem_field} = {{ column = "{column}", format = "{fmt}" }}')
            elif tandem_field == "sex":
                column, codes = source
                values = ", ".join(f'"{v}" = "{k}"' for k, v in codes.items())
                lines.append(f'sex = {{ column = "{column}", values = {{ {values} }} }}')
            else:
                lines.append(f'{tandem_field} = "{source}"')
    return "\n".join(lines) + "\n"


def write_extracts(
    out: Path,
    *,
    seed: int,
    children: int,
    as_of,
    chunk_size: int = CHUNK_SIZE,
    error_rate: float = 1.0,
    agencies: tuple[str, ...] = AGENCY_NAMES,
    report=None,
) -> dict[str, int]:
    """Write one CSV per agency, `truth.csv` and `mapping.toml` into `out`; rows per file."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    unknown = set(agencies) - set(AGENCY_NAMES)
    if unknown:
        raise ValueError(f"Unknown agencies: {', '.join(sorted(unknown))}")
    handles = {a: (out / f"{a}.csv").open("w", newline="", encoding="utf-8") for a in agencies}
    counts = dict.fromkeys(agencies, 0)
    with (out / "truth.csv").open("w", newline="", encoding="utf-8") as truth_file:
        truth = csv.writer(truth_file)
        truth.writerow(["source", "record_id", "person_id", "household_id"])
        writers = {a: csv.writer(h) for a, h in handles.items()}
        try:
            for chunk, n in enumerate(chunk_sizes(children, chunk_size)):
                drawn = draw_chunk_extracts(seed, chunk, n, chunk_size, as_of, error_rate)
                for agency in agencies:
                    rows = drawn[agency].joined()
                    header, columns = layout(agency, rows, start=counts[agency])
                    ids = columns[LAYOUTS[agency]["record_id"]]
                    if chunk == 0:
                        writers[agency].writerow(header)
                    writers[agency].writerows(zip(*(columns[c] for c in header), strict=True))
                    truth.writerows(
                        zip(
                            [agency] * len(ids),
                            ids,
                            rows["person_id"],
                            rows["household_id"],
                            strict=True,
                        )
                    )
                    counts[agency] += len(ids)
                if report:
                    report("children", n)
        finally:
            for h in handles.values():
                h.close()
    (out / "mapping.toml").write_text(mapping_toml(), encoding="utf-8")
    return counts
