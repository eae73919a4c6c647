"""A matched comparison for a service's cohort: children in the record who did not receive the
service, matched on a propensity score, and the effect on one outcome with its 95 % interval.

- The score is a logistic regression (statsmodels) of receiving the service on what the record
  knew the day it started: age, sex, ethnic group, area, earlier referrals and their reasons, the
  last threshold decision (the level of need) and whether the child had been in care.
- Each child in the cohort is matched to its 10 nearest comparison children on the logit of the
  score, with replacement, within a caliper of 0.2 standard deviations (Austin 2011); children
  with no comparison that close are dropped and counted (the estimate is then about those
  matched).
- Balance: standardised mean differences of every covariate before and after, over the
  pre-matching standard deviation; the estimate is withheld if any stays at 0.1 or more, or if
  fewer than `MIN_MATCHED` children are matched.
- The effect is the difference in the outcome's rate (the effect on those treated), less what
  is left of the covariates' differences after matching as a linear model of the outcome among
  the comparison children prices it (Abadie and Imbens' bias correction), with a normal
  interval whose comparison variance counts the weight each comparison child carries.

Comparison children's "start" is the cohort's median start date: their covariates and outcome
are read as of that day.
"""

import dataclasses
import datetime as dt
import math
import warnings

import numpy as np
import polars as pl
import statsmodels.api as sm

from tandem.care.models import CareEpisode
from tandem.outcomes import cohorts
from tandem.outcomes.frames import date_param, day, frame, table, text, uuid_param
from tandem.outcomes.frameworks import Framework
from tandem.outcomes.models import ServiceSpell
from tandem.people.models import HouseholdMember, Person
from tandem.referrals.codes import Decision, Reason
from tandem.referrals.models import Referral, ReferralReason, ThresholdDecision

CALIPER = 0.2
BALANCED = 0.1
MIN_MATCHED = 30
NEIGHBOURS = 10
Z95 = 1.959964
LEVELS = {d.value: i + 1 for i, d in enumerate(Decision)}  # nfa 1 … child protection 5
REASONS = [
    Reason.DOMESTIC_ABUSE,
    Reason.NEGLECT,
    Reason.PARENTAL_SUBSTANCE_MISUSE,
    Reason.MENTAL_HEALTH,
    Reason.CSE,
    Reason.CRIMINAL_EXPLOITATION,
    Reason.MISSING,
    Reason.POVERTY,
]
AREAS = 8  # the commonest postcode districts get a column each; the rest share one
CAUTION = (
    "Matching makes the two groups alike in what the record holds, not in what it does not: "
    "how motivated a family was, what a practitioner saw in a visit, help from outside the "
    "partnership. If such things decided who got the service and also how children fared, the "
    "estimate is biased, in a direction no table can show. Treat it as evidence, not proof."
)


@dataclasses.dataclass(frozen=True)
class Pool:
    """Children who could have been compared: of the framework's ages on `index`, alive, never
    given the service; read as of `index`."""

    service_id: object
    ages: tuple[int, int]
    index: dt.date
    as_of: dt.date
    table: str = ""  # while `held`: the temporary table of its people

    def index_sql(self) -> tuple[str, list]:
        youngest, oldest = self.ages
        born_after = _years_before(self.index, oldest + 1)
        born_by = _years_before(self.index, youngest)
        return (
            f"SELECT id, {date_param()} AS idx FROM {table(Person)} WHERE is_child = %s "
            "AND date_of_birth > %s AND date_of_birth <= %s "
            "AND (died_on IS NULL OR died_on > %s) AND id NOT IN "
            f"(SELECT person_id FROM {table(ServiceSpell)} WHERE service_id = %s)",
            [self.index, True, born_after, born_by, self.index, uuid_param(self.service_id)],
        )

    def members_sql(self) -> tuple[str, list]:
        if self.table:
            return f"SELECT id FROM {self.table}", []
        sql, params = self.index_sql()
        return f"SELECT id FROM ({sql}) pool", params

    def members(self) -> pl.DataFrame:
        sql, params = self.members_sql()
        return frame(
            f"SELECT {text('id')}, date_of_birth FROM {table(Person)} WHERE id IN ({sql})",
            params,
            {"person_id": pl.String, "born": pl.Date},
        ).with_columns(start=pl.lit(self.index), end=pl.lit(None, pl.Date))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def covariates(group, base: pl.DataFrame, *, household: bool = False) -> pl.DataFrame:
    """`base` (person_id, start, born) with what the record knew on each child's start day:
    the columns the score is fitted on (and, asked, a `household` of each). `group` is `held`:
    the database joins its table and counts; Polars puts the pieces together."""
    t = group.table
    family = (
        f", (SELECT MIN({text('h.household_id')}) FROM {table(HouseholdMember)} h "
        "WHERE h.person_id = p.id)"
        if household
        else ", NULL"
    )
    people = frame(
        f"SELECT {text('p.id')}, p.sex, p.ethnicity, p.postcode{family} "
        f"FROM {table(Person)} p JOIN {t} ON {t}.id = p.id",
        [],
        {
            "person_id": pl.String,
            "sex": pl.String,
            "ethnicity": pl.String,
            "postcode": pl.String,
            "household": pl.String,
        },
    )
    # Earlier referrals and their reasons, counted by the database: one row a child referred.
    flags = ", ".join(
        f"MAX(CASE WHEN rr.reason = %s THEN 1 ELSE 0 END) AS reason_{r.value}" for r in REASONS
    )
    referred = frame(
        f"SELECT {text('r.child_id')}, COUNT(DISTINCT r.id), {flags} "
        f"FROM {table(Referral)} r JOIN {t} ON {t}.id = r.child_id "
        f"LEFT JOIN {table(ReferralReason)} rr ON rr.referral_id = r.id "
        f"WHERE r.received_at < {t}.idx GROUP BY r.child_id",
        [r.value for r in REASONS],
        {"person_id": pl.String, "referrals": pl.Int64}
        | {f"reason_{r.value}": pl.Int64 for r in REASONS},
    )
    decided = frame(
        f"SELECT {text('r.child_id')}, {day('d.decided_at')}, d.decision "
        f"FROM {table(ThresholdDecision)} d JOIN {table(Referral)} r ON r.id = d.referral_id "
        f"JOIN {t} ON {t}.id = r.child_id WHERE d.decided_at < {t}.idx",
        [],
        {"person_id": pl.String, "decided": pl.Date, "decision": pl.String},
    )
    levels = (
        decided.sort("decided")
        .group_by("person_id")
        .agg(pl.col("decision").last().replace_strict(LEVELS, default=0).alias("level"))
    )
    care = frame(
        f"SELECT {text('e.child_id')}, e.started_on, e.ended_on FROM {table(CareEpisode)} e "
        f"JOIN {t} ON {t}.id = e.child_id",
        [],
        {"person_id": pl.String, "e_start": pl.Date, "e_end": pl.Date},
    )
    was = (
        base.select("person_id", "start")
        .join(care, on="person_id")
        .group_by("person_id")
        .agg(
            was_in_care=(pl.col("e_start") < pl.col("start")).any(),
            in_care=(
                (pl.col("e_start") <= pl.col("start"))
                & (pl.col("e_end").is_null() | (pl.col("e_end") > pl.col("start")))
            ).any(),
        )
    )
    return (
        base.join(people, on="person_id", how="left")
        .join(referred, on="person_id", how="left")
        .join(levels, on="person_id", how="left")
        .join(was, on="person_id", how="left")
        .with_columns(
            age=(pl.col("start") - pl.col("born")).dt.total_days() / 365.25,
            girl=pl.col("sex") == "F",
            ethnic_group=pl.col("ethnicity").str.slice(0, 1),
            area=pl.col("postcode").str.split(" ").list.first(),
            referrals=pl.col("referrals").fill_null(0).clip(0, 5),
            level=pl.col("level").fill_null(0),
            was_in_care=pl.col("was_in_care").fill_null(False),
            in_care=pl.col("in_care").fill_null(False),
        )
        .with_columns(pl.col("^reason_.*$").fill_null(0).cast(pl.Boolean))
    )


def design(frame_: pl.DataFrame, areas: list[str]) -> tuple[np.ndarray, list[str]]:
    """The covariate matrix the score is fitted on, and each column's name."""
    columns = {
        "age": frame_["age"],
        "age squared": frame_["age"] ** 2,
        "girl": frame_["girl"],
        "earlier referrals": frame_["referrals"],
        "been in care": frame_["was_in_care"],
    }
    for level, name in ((3, "early help"), (4, "child in need"), (5, "child protection")):
        columns[f"last decision: {name}"] = frame_["level"] == level
    for r in REASONS:
        columns[f"referred for {r.label.lower()}"] = frame_[f"reason_{r.value}"]
    for group, name in (("M", "mixed"), ("A", "Asian"), ("B", "Black"), ("O", "other")):
        columns[f"ethnic group: {name}"] = frame_["ethnic_group"] == group
    for area in areas:
        columns[f"area {area}"] = frame_["area"] == area
    names = list(columns)
    matrix = np.column_stack(
        [c.cast(pl.Float64).fill_null(0).to_numpy() for c in columns.values()]
    )
    return matrix, names


@dataclasses.dataclass(frozen=True)
class Balance:
    covariate: str
    before: float
    after: float


@dataclasses.dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclasses.dataclass(frozen=True)
class Comparison:
    outcome: str
    treated: int  # children in the cohort the outcome applies to
    pool: int  # comparison children it applies to
    matched: int  # cohort children with a match within the caliper
    controls_used: int  # distinct comparison children used
    treated_rate: float | None
    pool_rate: float | None
    matched_rate: float | None  # the matched comparison children's rate
    naive: Interval | None  # cohort rate minus the whole pool's
    effect: Interval | None  # the matched estimate; None when withheld
    balance: list[Balance]
    withheld: str = ""  # why no estimate is given
    caution: str = CAUTION


def _smd(a: np.ndarray, b: np.ndarray, weights: np.ndarray | None, sd: np.ndarray) -> np.ndarray:
    mean_b = np.average(b, axis=0, weights=weights)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (a.mean(axis=0) - mean_b) / sd
    return np.where(sd > 0, out, 0.0)


def _difference(p1: float, n1: int, p0: float, var0: float) -> Interval:
    estimate = p1 - p0
    se = math.sqrt(p1 * (1 - p1) / n1 + var0)
    return Interval(estimate, estimate - Z95 * se, estimate + Z95 * se)


def compare(
    cohort: cohorts.Cohort, framework: Framework, outcome: str | None = None
) -> Comparison:
    """The matched comparison of `cohort` on `outcome` (the framework's comparison outcome by
    default)."""
    spec = framework.comparison
    code = outcome or spec.outcome
    with cohorts.held(cohort) as cohort:
        treated = cohorts.per_child(cohort, framework)
        if treated.is_empty():
            return _withheld(code, "No child in the cohort")
        index = treated["start"].sort()[treated.height // 2]
        with cohorts.held(Pool(cohort.service_id, spec.ages, index, cohort.as_of)) as pool_group:
            pool = cohorts.per_child(pool_group, framework)
            pool = covariates(pool_group, pool).filter(pl.col(f"{code}.den") > 0)
        treated = covariates(cohort, treated).filter(pl.col(f"{code}.den") > 0)
    return estimate(treated, pool, code)


def estimate(treated: pl.DataFrame, pool: pl.DataFrame, code: str) -> Comparison:
    """Match `treated` to `pool` (both from `covariates`, with the outcome's num/den) and
    estimate the effect on `code`."""
    y1 = treated[f"{code}.num"].to_numpy().astype(float)
    y0 = pool[f"{code}.num"].to_numpy().astype(float)
    n1, n0 = len(y1), len(y0)
    base = {
        "outcome": code,
        "treated": n1,
        "pool": n0,
        "treated_rate": y1.mean() if n1 else None,
        "pool_rate": y0.mean() if n0 else None,
    }
    if n1 < MIN_MATCHED or n0 < MIN_MATCHED:
        return _withheld(code, "Too few children to compare: at least 30 in each group", **base)
    naive = _difference(y1.mean(), n1, y0.mean(), y0.mean() * (1 - y0.mean()) / n0)
    areas = (
        pl.concat([treated["area"], pool["area"]])
        .drop_nulls()
        .value_counts(sort=True)["area"]
        .head(AREAS)
        .to_list()
    )
    x1, names = design(treated, areas)
    x0, _ = design(pool, areas)
    x = np.vstack([x1, x0])
    keep = x.std(axis=0) > 0
    x, x1, x0, names = (
        x[:, keep],
        x1[:, keep],
        x0[:, keep],
        [n for n, k in zip(names, keep, strict=True) if k],
    )
    # Standardised for the fit (lbfgs converges where Newton fails on separation).
    mean, sd = x.mean(axis=0), x.std(axis=0)
    z = sm.add_constant((x - mean) / sd, has_constant="add")
    t = np.r_[np.ones(n1), np.zeros(n0)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.Logit(t, z).fit(method="lbfgs", maxiter=1000, disp=0)
    logit = z @ fit.params
    l1, l0 = logit[:n1], logit[n1:]
    weights, matched = _nearest(l1, l0, CALIPER * logit.std())
    pooled_sd = np.sqrt((x1.var(axis=0) + x0.var(axis=0)) / 2)
    before = _smd(x1, x0, None, pooled_sd)
    after = (
        _smd(x1[matched], x0, weights, pooled_sd) if matched.any() else np.full(len(names), np.nan)
    )
    balance = [
        Balance(n, float(b), float(a)) for n, b, a in zip(names, before, after, strict=True)
    ]
    m = int(matched.sum())
    base |= {
        "naive": naive,
        "balance": balance,
        "matched": m,
        "controls_used": int((weights > 0).sum()),
    }
    if m < MIN_MATCHED:
        return _withheld(code, "Too few children matched within the caliper", **base)
    p1 = y1[matched].mean()
    p0 = np.average(y0, weights=weights)
    base["matched_rate"] = float(p0)
    worst = max(abs(b.after) for b in balance)
    if worst >= BALANCED:
        return _withheld(
            code,
            f"The groups are still unalike after matching (a difference of {worst:.2f} "
            f"standard deviations, where under {BALANCED} is needed)",
            **base,
        )
    var0 = p0 * (1 - p0) * float((weights**2).sum()) / m**2
    # Bias correction (Abadie and Imbens 2011): what is left of the covariates' differences
    # after matching, priced by a linear model of the outcome among the comparison children.
    design0 = sm.add_constant(x0, has_constant="add")
    fitted = np.linalg.lstsq(design0, y0, rcond=None)[0]
    mu1 = sm.add_constant(x1[matched], has_constant="add") @ fitted
    correction = float(mu1.mean() - np.average(design0 @ fitted, weights=weights))
    return Comparison(**base, effect=_difference(float(p1), m, float(p0) + correction, var0))


def _nearest(l1: np.ndarray, l0: np.ndarray, caliper: float) -> tuple[np.ndarray, np.ndarray]:
    """Each treated child's `NEIGHBOURS` nearest comparison children within the caliper, with
    replacement: the weight each comparison child carries (a treated child's matches share its
    weight of 1), and which treated children found any."""
    order = np.argsort(l0)
    sorted0 = l0[order]
    n0 = len(sorted0)
    right = np.searchsorted(sorted0, l1)
    # The nearest k are among the k on either side of where the child would sort.
    window = np.clip(right[:, None] + np.arange(-NEIGHBOURS, NEIGHBOURS), 0, n0 - 1)
    distance = np.abs(sorted0[window] - l1[:, None])
    distance[:, 1:][window[:, 1:] == window[:, :-1]] = np.inf  # the ends, clipped, repeat
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :NEIGHBOURS]
    picked = np.take_along_axis(window, nearest, axis=1)
    close = np.take_along_axis(distance, nearest, axis=1) <= caliper
    found = close.sum(axis=1)
    share = np.divide(1.0, found, out=np.zeros(len(found)), where=found > 0)
    weights = np.bincount(order[picked[close]], weights=np.repeat(share, found), minlength=n0)
    return weights, found > 0


def _withheld(code: str, why: str, **known) -> Comparison:
    fields = {
        "outcome": code,
        "treated": 0,
        "pool": 0,
        "matched": 0,
        "controls_used": 0,
        "treated_rate": None,
        "pool_rate": None,
        "matched_rate": None,
        "naive": None,
        "balance": [],
    }
    return Comparison(**(fields | known), effect=None, withheld=why)
