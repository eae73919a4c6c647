"""A synthetic SSDA903 history for the demand forecast: one local authority's looked-after
children over several collection years, written as the return's Header and Episodes CSV files
(one pair a year, as councils keep them and as cs-demand-model reads them).

Children enter care at an age and into a placement drawn from shares like England's, move
between placements, leave care, and leave at 18 at the latest. Each year's files hold every
episode open during that year (1 April to 31 March), its end left blank while it was still open
on 31 March, so the same episode appears in several years as in real returns. Synthetic only."""

import csv
from datetime import date, timedelta
from pathlib import Path

import numpy as np

HEADER = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODES = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN",
]  # fmt: skip
# Age at entry by band (years from, to) and the share entering in it.
ENTRY_AGES = [((0, 1), 0.19), ((1, 5), 0.14), ((5, 10), 0.17), ((10, 16), 0.39), ((16, 18), 0.11)]
# The placement a child starts in, by band: fostering, residential, supported, other.
FIRST_PLACEMENT = [
    [0.85, 0.00, 0.00, 0.15],
    [0.80, 0.00, 0.00, 0.20],
    [0.78, 0.07, 0.00, 0.15],
    [0.66, 0.19, 0.00, 0.15],
    [0.40, 0.15, 0.35, 0.10],
]
PLACES = [
    (["U1", "U2", "U3", "U4", "U5", "U6"], [0.05, 0.05, 0.1, 0.25, 0.4, 0.15]),
    (["K2", "R1"], [0.9, 0.1]),
    (["H5", "P2"], [0.3, 0.7]),
    (["P1", "A5", "A6", "S1", "Z1", "T0"], [0.5, 0.15, 0.15, 0.05, 0.1, 0.05]),
]
MEAN_DAYS = [420, 260, 220, 330]  # how long a placement of each category lasts, on average
LEAVES = [0.30, 0.25, 0.30, 0.55]  # the chance an episode's end is leaving care, by category
NEXT = [  # the category a move goes to, by the category it leaves
    [0.75, 0.12, 0.05, 0.08],
    [0.35, 0.50, 0.10, 0.05],
    [0.20, 0.20, 0.55, 0.05],
    [0.60, 0.10, 0.05, 0.25],
]


def birthday(dob: date, years: int) -> date:
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:  # 29 February
        return dob.replace(year=dob.year + years, day=28)


def simulate(*, entrants_a_year: int, first: date, last: date, seed: int = 1) -> tuple[list, list]:
    """Children (id, sex, dob) and episodes (child, start, end or None, place, reason ended)
    of children entering care from `first`, followed until `last`."""
    rng = np.random.default_rng(seed)
    span = (last - first).days
    count = rng.poisson(entrants_a_year * span / 365.25)
    entries = np.sort(rng.integers(0, span + 1, size=count))
    bands = rng.choice(len(ENTRY_AGES), size=count, p=[share for _, share in ENTRY_AGES])
    children, episodes = [], []
    for n, (entry_day, band) in enumerate(zip(entries, bands, strict=True)):
        (lo, hi), _ = ENTRY_AGES[band]
        start = first + timedelta(days=int(entry_day))
        dob = start - timedelta(days=int(rng.uniform(lo * 365.25, hi * 365.25 - 30)))
        child = f"{seed:02d}{n:07d}"
        children.append((child, int(rng.integers(1, 3)), dob))
        category = rng.choice(4, p=FIRST_PLACEMENT[band])
        eighteen = birthday(dob, 18)
        while True:
            codes, weights = PLACES[category]
            place = codes[rng.choice(len(codes), p=weights)]
            end = start + timedelta(days=int(rng.exponential(MEAN_DAYS[category])) + 1)
            leaving = rng.random() < LEAVES[category]
            if end >= eighteen:
                end, leaving = eighteen, True
            if end > last:
                episodes.append((child, start, None, place, ""))
                break
            episodes.append((child, start, end, place, "E11" if leaving else "X1"))
            if leaving:
                break
            start, category = end, rng.choice(4, p=NEXT[category])
    return children, episodes


def write_history(
    folder: Path, *, entrants_a_year: int = 300, years: int = 5, last_year: int = 2025,
    seed: int = 1,
) -> int:  # fmt: skip
    """Write `years` collection years ending 31 March `last_year` (children entering from 18
    years before, so the first year holds a settled population). Returns the episodes written
    over all the files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    last = date(last_year, 3, 31)
    children, episodes = simulate(
        entrants_a_year=entrants_a_year,
        first=date(last_year - years - 18, 4, 1),
        last=last,
        seed=seed,
    )
    people = {c[0]: c for c in children}
    rng = np.random.default_rng(seed + 1)
    written = 0
    for year in range(last_year - years + 1, last_year + 1):
        begin, close = date(year - 1, 4, 1), date(year, 3, 31)
        rows = [e for e in episodes if e[1] <= close and (e[2] is None or e[2] >= begin)]
        with (folder / f"{year}-episodes.csv").open("w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(EPISODES)
            for child, start, end, place, reason in rows:
                shown = end if end is not None and end <= close else None
                out.writerow(
                    [
                        child,
                        start.strftime("%d/%m/%Y"),
                        "S",
                        "C2",
                        "N1",
                        place,
                        "PR1",
                        shown.strftime("%d/%m/%Y") if shown else "",
                        reason if shown else "",
                        "",
                        "",
                        "",
                        "",
                    ]  # fmt: skip
                )
        written += len(rows)
        with (folder / f"{year}-header.csv").open("w", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(HEADER)
            for child in dict.fromkeys(r[0] for r in rows):
                _, sex, dob = people[child]
                upn = f"A{rng.integers(10**11, 10**12)}"
                out.writerow([child, sex, dob.strftime("%d/%m/%Y"), "WBRI", upn, "", ""])
    return written
