"""A service's cohort (the children whose first spell of it started in a period) and each
outcome of its framework, per child and for the cohort, counted from the record by the database
and Polars.

Every outcome of a child is a pair: `den` (1 when the outcome applies to the child and can be
known yet, else 0; for risk factors, how many the child had) and `num` (how many of those went
the way the outcome counts). A cohort's figure is sum(num) of sum(den)."""

import contextlib
import dataclasses
import datetime as dt
from uuid import UUID

import polars as pl

from tandem.care.models import CareEpisode, CareLeaverContact
from tandem.outcomes.frames import day, frame, table, temporary, text, uuid_param
from tandem.outcomes.frameworks import Framework, Outcome
from tandem.outcomes.models import ServiceSpell, StarReading
from tandem.people.models import HouseholdMember, Person
from tandem.referrals.models import Referral


@dataclasses.dataclass(frozen=True)
class Cohort:
    service_id: UUID
    started_from: dt.date
    started_to: dt.date
    as_of: dt.date
    table: str = ""  # while `held`: the temporary table of its people and start days

    def index_sql(self) -> tuple[str, list]:
        """Each child of the cohort and the day their first spell in the period started."""
        return (
            f"SELECT person_id AS id, MIN(started_on) AS idx FROM {table(ServiceSpell)} "
            "WHERE service_id = %s AND started_on >= %s AND started_on <= %s "
            "GROUP BY person_id",
            [uuid_param(self.service_id), self.started_from, self.started_to],
        )

    def members_sql(self) -> tuple[str, list]:
        """The cohort's people, as a sub-query the database joins against."""
        if self.table:
            return f"SELECT id FROM {self.table}", []
        return (
            f"SELECT person_id FROM {table(ServiceSpell)} "
            "WHERE service_id = %s AND started_on >= %s AND started_on <= %s",
            [uuid_param(self.service_id), self.started_from, self.started_to],
        )

    def members(self) -> pl.DataFrame:
        return members(self)


@contextlib.contextmanager
def held(group):
    """`group` (a cohort or a matching pool) with its people in a temporary table while the
    block runs: every query of the computation joins it."""
    if group.table:
        yield group
        return
    with temporary(*group.index_sql()) as name:
        yield dataclasses.replace(group, table=name)


def members(cohort: Cohort) -> pl.DataFrame:
    """One row a child: the first spell of the service started in the period."""
    sql, params = cohort.members_sql()
    window = [uuid_param(cohort.service_id), cohort.started_from, cohort.started_to]
    spells = frame(
        f"SELECT {text('s.person_id')}, s.started_on, s.ended_on, p.date_of_birth "
        f"FROM {table(ServiceSpell)} s JOIN {table(Person)} p ON p.id = s.person_id "
        f"WHERE s.person_id IN ({sql}) AND s.service_id = %s "
        "AND s.started_on >= %s AND s.started_on <= %s",
        [*params, *window],
        {"person_id": pl.String, "start": pl.Date, "end": pl.Date, "born": pl.Date},
    )
    return spells.sort("person_id", "start").unique("person_id", keep="first", maintain_order=True)


def _months(column: str, months: int) -> pl.Expr:
    return pl.col(column).dt.offset_by(f"{months}mo")


def _episodes(cohort: Cohort) -> pl.DataFrame:
    sql, params = cohort.members_sql()
    return frame(
        f"SELECT {text('child_id')}, started_on, ended_on, reason_ended "
        f"FROM {table(CareEpisode)} WHERE child_id IN ({sql})",
        params,
        {"person_id": pl.String, "e_start": pl.Date, "e_end": pl.Date, "e_reason": pl.String},
    )


def _in_care_at_start(base: pl.DataFrame, episodes: pl.DataFrame) -> pl.DataFrame:
    covering = (
        base.select("person_id", "start")
        .join(episodes, on="person_id")
        .filter(
            (pl.col("e_start") <= pl.col("start"))
            & (pl.col("e_end").is_null() | (pl.col("e_end") > pl.col("start")))
        )
        .select("person_id")
        .unique()
        .with_columns(in_care=pl.lit(True))
    )
    return base.join(covering, on="person_id", how="left").with_columns(
        pl.col("in_care").fill_null(False)
    )


def _any(base: pl.DataFrame, rows: pl.DataFrame, condition: pl.Expr, name: str) -> pl.DataFrame:
    """Adds the column `name`: whether any of the child's `rows` meets `condition`."""
    hits = (
        base.select("person_id", "start", "end")
        .join(rows, on="person_id")
        .filter(condition)
        .select("person_id")
        .unique()
        .with_columns(pl.lit(True).alias(name))
    )
    return base.join(hits, on="person_id", how="left").with_columns(pl.col(name).fill_null(False))


def _between(column: str, after: str, until: pl.Expr) -> pl.Expr:
    return (pl.col(column) > pl.col(after)) & (pl.col(column) <= until)


def _pair(base: pl.DataFrame, code: str, applies: pl.Expr, counts: pl.Expr) -> pl.DataFrame:
    return base.with_columns(
        applies.cast(pl.Int32).alias(f"{code}.den"),
        (applies & counts).cast(pl.Int32).alias(f"{code}.num"),
    )


def _care_outcomes(cohort, framework, base, outcomes) -> pl.DataFrame:
    episodes = _episodes(cohort)
    base = _in_care_at_start(base, episodes)
    for o in outcomes:
        by = _months("start", o.months)
        seen = by <= pl.lit(cohort.as_of)
        if o.kind == "entered_care":
            base = _any(
                base,
                episodes,
                (pl.col("e_start") > pl.col("start")) & (pl.col("e_start") <= by),
                "hit",
            )
            base = _pair(base, o.code, ~pl.col("in_care") & seen, pl.col("hit"))
        elif o.kind == "family_breakdown":
            base = _any(
                base,
                episodes,
                (pl.col("e_start") > pl.col("start")) & (pl.col("e_start") <= by),
                "care",
            )
            base = _any(
                base,
                _left_home(cohort),
                (pl.col("left_on") > pl.col("start")) & (pl.col("left_on") <= by),
                "left",
            )
            base = _pair(
                base, o.code, ~pl.col("in_care") & seen, pl.col("care") | pl.col("left")
            ).drop("care", "left")
        elif o.kind == "reunified":
            base = _any(
                base,
                episodes,
                pl.col("e_reason").is_in(list(o.reasons))
                & (pl.col("e_end") >= pl.col("start"))
                & (pl.col("e_end") <= by),
                "hit",
            )
            base = _pair(base, o.code, pl.col("in_care") & seen, pl.col("hit"))
        elif o.kind == "sustained":
            after = _months("end", o.months)
            base = _any(base, episodes, _between("e_start", "end", after), "care")
            base = _any(base, _referrals(cohort), _between("received", "end", after), "referred")
            base = _pair(
                base,
                o.code,
                pl.col("end").is_not_null() & (after <= pl.lit(cohort.as_of)),
                ~(pl.col("care") | pl.col("referred")),
            ).drop("care", "referred")
        base = base.drop("hit", strict=False)
    return base.drop("in_care")


def _left_home(cohort: Cohort) -> pl.DataFrame:
    sql, params = cohort.members_sql()
    return frame(
        f"SELECT {text('person_id')}, left_on FROM {table(HouseholdMember)} "
        f"WHERE person_id IN ({sql}) AND left_on IS NOT NULL",
        params,
        {"person_id": pl.String, "left_on": pl.Date},
    )


def _referrals(cohort: Cohort) -> pl.DataFrame:
    sql, params = cohort.members_sql()
    return frame(
        f"SELECT {text('child_id')}, {day('received_at')} FROM {table(Referral)} "
        f"WHERE child_id IN ({sql})",
        params,
        {"person_id": pl.String, "received": pl.Date},
    )


def _star_outcomes(cohort, framework, base, outcomes) -> pl.DataFrame:
    """First and last reading of each area within the spell (from a month before it started,
    when a first assessment is often done); a risk is an area read at or below the framework's
    mark the first time, reduced when the distance to 10 fell by the framework's share."""
    star = framework.star
    sql, params = cohort.members_sql()
    readings = frame(
        f"SELECT {text('person_id')}, area, reading, read_on FROM {table(StarReading)} "
        f"WHERE person_id IN ({sql}) AND star = %s",
        [*params, star.code],
        {"person_id": pl.String, "area": pl.String, "reading": pl.Int32, "read_on": pl.Date},
    )
    within = (
        base.select("person_id", "start", "end")
        .join(readings, on="person_id")
        .filter(
            (pl.col("read_on") >= pl.col("start").dt.offset_by("-1mo"))
            & (pl.col("end").is_null() | (pl.col("read_on") <= pl.col("end")))
            & pl.col("area").is_in(list(star.areas))
        )
        .sort("read_on")
    )
    areas = (
        within.group_by("person_id", "area")
        .agg(
            first=pl.col("reading").first(),
            last=pl.col("reading").last(),
            first_on=pl.col("read_on").first(),
            last_on=pl.col("read_on").last(),
        )
        .filter(pl.col("last_on") > pl.col("first_on"))
        .with_columns(
            risk=pl.col("first") <= star.risk_at_or_below,
            reduced=(10 - pl.col("last")) <= (1 - star.reduction) * (10 - pl.col("first")),
        )
    )
    per_child = areas.group_by("person_id").agg(
        risks=pl.col("risk").sum(),
        reduced=(pl.col("risk") & pl.col("reduced")).sum(),
    )
    base = base.join(per_child, on="person_id", how="left").with_columns(
        assessed=pl.col("risks").is_not_null(),
        risks=pl.col("risks").fill_null(0).cast(pl.Int32),
        reduced=pl.col("reduced").fill_null(0).cast(pl.Int32),
    )
    for o in outcomes:
        if o.kind == "star_risks_reduced":
            base = base.with_columns(
                pl.col("risks").alias(f"{o.code}.den"), pl.col("reduced").alias(f"{o.code}.num")
            )
        else:
            base = _pair(
                base,
                o.code,
                pl.col("risks") > 0,
                pl.col("reduced") >= o.share * pl.col("risks"),
            )
    return base.drop("risks", "reduced")


SUITABLE = pl.col("accommodation").str.slice(1, 1) == "1"
EET = pl.col("activity").str.slice(0, 1).is_in(["F", "P"])


def _leaver_outcomes(cohort, framework, base, outcomes) -> pl.DataFrame:
    """The latest birthday contact (SSDA903 OC3) of each young person aged 17 to 21 at it."""
    sql, params = cohort.members_sql()
    contacts = frame(
        f"SELECT {text('child_id')}, year, in_touch, activity, accommodation "
        f"FROM {table(CareLeaverContact)} WHERE child_id IN ({sql})",
        params,
        {
            "person_id": pl.String,
            "year": pl.String,
            "in_touch": pl.String,
            "activity": pl.String,
            "accommodation": pl.String,
        },
    )
    latest = contacts.sort("year").group_by("person_id").agg(pl.all().last())
    base = base.join(latest, on="person_id", how="left").with_columns(
        age=pl.col("year").str.slice(0, 4).cast(pl.Int32, strict=False) - pl.col("born").dt.year()
    )
    aged = pl.col("in_touch").is_not_null() & pl.col("age").is_between(16, 21)
    touch = aged & (pl.col("in_touch") == "YES")
    for o in outcomes:
        if o.kind == "leaver_in_touch":
            base = _pair(base, o.code, aged, pl.col("in_touch") == "YES")
        elif o.kind == "leaver_accommodation":
            base = _pair(base, o.code, touch, SUITABLE)
        else:
            base = _pair(base, o.code, touch, EET)
    return base.drop("year", "in_touch", "activity", "accommodation", "age")


FAMILIES = {
    "entered_care": _care_outcomes,
    "family_breakdown": _care_outcomes,
    "reunified": _care_outcomes,
    "sustained": _care_outcomes,
    "star_risks_reduced": _star_outcomes,
    "star_very_positive": _star_outcomes,
    "leaver_accommodation": _leaver_outcomes,
    "leaver_eet": _leaver_outcomes,
    "leaver_in_touch": _leaver_outcomes,
}


def per_child(cohort, framework: Framework) -> pl.DataFrame:
    """The cohort (or a matching pool), one row a child, with `<outcome>.num` and
    `<outcome>.den` for each outcome."""
    base = cohort.members()
    for compute in dict.fromkeys(FAMILIES[o.kind] for o in framework.outcome):
        mine = [o for o in framework.outcome if FAMILIES[o.kind] is compute]
        base = compute(cohort, framework, base, mine)
    return base


@dataclasses.dataclass(frozen=True)
class Figure:
    outcome: Outcome
    count: int  # how many went the way the outcome counts
    of: int  # how many it applies to and can be known for (children, or their risk factors)
    cohort: int  # the cohort's size
    children: int  # the children it applies to: `children` / `cohort` is the completion rate

    @property
    def rate(self) -> float | None:
        return self.count / self.of if self.of else None

    @property
    def completion(self) -> float | None:
        return self.children / self.cohort if self.cohort else None


def figures(children: pl.DataFrame, framework: Framework) -> list[Figure]:
    n = children.height
    sums = (
        children.select(
            pl.col("^.*\\.(num|den)$").sum(),
            *[(pl.col(f"{o.code}.den") > 0).sum().alias(f"{o.code}.n") for o in framework.outcome],
        ).row(0, named=True)
        if n
        else {}
    )
    return [
        Figure(
            o,
            int(sums.get(f"{o.code}.num", 0)),
            int(sums.get(f"{o.code}.den", 0)),
            n,
            int(sums.get(f"{o.code}.n", 0)),
        )
        for o in framework.outcome
    ]


@dataclasses.dataclass(frozen=True)
class SdqSummary:
    """The cohort's SDQ total difficulties (lower is better): the average at the first and the
    last questionnaire of the spell, each with how many children it is an average of."""

    cohort: int
    first_n: int  # children with a scored SDQ in the spell
    first_mean: float | None
    both_n: int  # of them, children with a later one too
    both_first_mean: float | None  # of those with two: at the first
    both_last_mean: float | None  # … and at the last

    @property
    def change_mean(self) -> float | None:
        if self.both_first_mean is None:
            return None
        return self.both_last_mean - self.both_first_mean

    @property
    def first_completion(self) -> float | None:
        return self.first_n / self.cohort if self.cohort else None

    @property
    def both_completion(self) -> float | None:
        return self.both_n / self.cohort if self.cohort else None


def sdq_summary(cohort, children: pl.DataFrame) -> SdqSummary:
    """From a month before each child's spell started to its end (or today)."""
    from tandem.outcomes.models import SdqRecord

    sql, params = cohort.members_sql()
    records = frame(
        f"SELECT {text('person_id')}, completed_on, total FROM {table(SdqRecord)} "
        f"WHERE person_id IN ({sql}) AND total IS NOT NULL",
        params,
        {"person_id": pl.String, "completed_on": pl.Date, "total": pl.Int32},
    )
    within = (
        children.select("person_id", "start", "end")
        .join(records, on="person_id")
        .filter(
            (pl.col("completed_on") >= pl.col("start").dt.offset_by("-1mo"))
            & (pl.col("end").is_null() | (pl.col("completed_on") <= pl.col("end")))
        )
        .sort("completed_on")
        .group_by("person_id")
        .agg(
            first=pl.col("total").first(),
            last=pl.col("total").last(),
            n=pl.len(),
        )
    )
    both = within.filter(pl.col("n") >= 2)
    mean = lambda frame_, column: frame_[column].mean() if frame_.height else None  # noqa: E731
    return SdqSummary(
        cohort=children.height,
        first_n=within.height,
        first_mean=mean(within, "first"),
        both_n=both.height,
        both_first_mean=mean(both, "first"),
        both_last_mean=mean(both, "last"),
    )
