"""The forecast: a fitted model stepped a day at a time from its first day, with the children in
each state, entering, leaving care and leaving as care leavers, and confidence bands.

The bands carry the chance in who moves and who arrives: the flows out of a state are
multinomial and the entrants Poisson, so the covariance of the states steps as
`C' = Mᵀ C M + diag(Mᵀ p) − Mᵀ diag(p) M + diag(entrants)` (the exact second moments of this
branching process). The regional model's recurrence `Var' = Var + (M ∘ (1 − M)) p + entrants`
keeps only the diagonal and never lets a state's variance shrink as its children leave, so its
bands only widen. Neither includes the uncertainty in the fitted rates themselves: a scenario
taken from a measured effect carries that effect's interval as its own low and high runs.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import polars as pl

from tandem.formats import financial_year
from tandem.planning.fit import Fitted
from tandem.planning.markov import daily_matrix

Z = {"80": 1.2816, "95": 1.96}
MAX_MONTHS = 120
PENNY = Decimal("0.01")


@dataclass
class Forecast:
    fitted: Fitted
    days: int
    mean: np.ndarray  # (days + 1, states): children in each state, day 0 the first day
    var_total: np.ndarray  # (days + 1,)
    var_category: np.ndarray  # (days + 1, categories)
    entries: np.ndarray  # (days + 1,): children entering on each day (day 0: none counted)
    exits: np.ndarray  # (days + 1, states): children leaving care from each state each day
    count: int  # months forecast

    @property
    def first_day(self) -> date:
        return self.fitted.start

    def in_care(self, day: int) -> float:
        return float(self.mean[day].sum())

    def band(self, level: str = "95") -> tuple[np.ndarray, np.ndarray]:
        total = self.mean.sum(axis=1)
        spread = Z[level] * np.sqrt(np.maximum(self.var_total, 0))
        return np.maximum(total - spread, 0), total + spread

    def _day_dates(self) -> list[date]:
        return [self.first_day + timedelta(days=d) for d in range(self.days + 1)]

    def months(self) -> pl.DataFrame:
        """One row a month of the forecast (month k ends k months after the first day): children
        in care on its last day (with 80 % and 95 % bands) and by placement category; entering,
        leaving, and leaving as care leavers during it; child-days in each category."""
        shape = self.fitted.shape
        ncat = len(shape.categories)
        first = self.first_day
        ends = [(add_months(first, k) - first).days for k in range(self.count + 1)]
        leaver = self.fitted.in_band(shape.care_leaver_from)
        by_cat = self.mean.reshape(self.days + 1, -1, ncat).sum(axis=1)
        low95, high95 = self.band("95")
        low80, high80 = self.band("80")
        rows = []
        for k in range(1, self.count + 1):
            idx = np.arange(ends[k - 1] + 1, ends[k] + 1)
            last = ends[k]
            row = {
                "month": self.first_day + timedelta(days=last),
                "in_care": float(by_cat[last].sum()),
                "low_95": float(low95[last]),
                "low_80": float(low80[last]),
                "high_80": float(high80[last]),
                "high_95": float(high95[last]),
                "entering": float(self.entries[idx].sum()),
                "leaving": float(self.exits[idx].sum()),
                "care_leavers": float(self.exits[idx][:, leaver].sum()),
            }
            for c, category in enumerate(shape.categories):
                row[category.code] = float(by_cat[last, c])
                row[f"days_{category.code}"] = float(by_cat[idx, c].sum())
            rows.append(row)
        return pl.DataFrame(rows)

    def costs(self) -> list[dict]:
        """Placement costs by financial year (April to March) and category, in pounds at each
        category's price year: expected child-days × the weekly cost ÷ 7, to the penny."""
        shape = self.fitted.shape
        ncat = len(shape.categories)
        by_cat = self.mean.reshape(self.days + 1, -1, ncat).sum(axis=1)
        years = np.array([financial_year(d) for d in self._day_dates()])
        out = []
        for fy in dict.fromkeys(years[1:]):
            days = np.flatnonzero(years == fy)
            days = days[days > 0]
            row = {"year": str(fy), "days": len(days), "total": Decimal(0)}
            for c, category in enumerate(shape.categories):
                child_days = Decimal(str(round(float(by_cat[days, c].sum()), 4)))
                cost = (child_days * category.weekly_cost / 7).quantize(PENNY, ROUND_HALF_UP)
                row[category.code] = cost
                row["total"] += cost
            out.append(row)
        return out

    def care_leavers(self) -> pl.DataFrame:
        """Care leavers by age, 16 to 25, at each month's end: those of the first day ageing on
        and each month's new leavers joining at the ages leavers left at in the window. A care
        leaver is counted until their 26th birthday (support under the Children and Social Work
        Act 2017 runs to 25)."""
        fitted = self.fitted
        months = self.months()
        # Track ages in months: 16 years (192) to 26 years (312).
        ages = np.zeros(312 - 192 + 1)
        for years, count in fitted.leavers_now.items():
            if 16 <= years <= 25:
                ages[(years - 16) * 12 : (years - 15) * 12] += count / 12
        rows = []
        for row in months.iter_rows(named=True):
            ages = np.concatenate([[0.0], ages[:-1]])  # a month older
            for years, share in fitted.leaver_ages.items():
                at = min(max(years, 16), 25)
                # Leaving on the birthday care ends, a leaver is that age to the month; leaving
                # earlier, somewhere in the year of age.
                months_in = 0 if years == fitted.shape.leaves_care_at else 6
                ages[(at - 16) * 12 + months_in] += row["care_leavers"] * share
            by_year = ages[:120].reshape(10, 12).sum(axis=1)
            rows.append(
                {"month": row["month"]}
                | {f"age_{16 + i}": float(by_year[i]) for i in range(10)}
                | {"total_17_25": float(by_year[1:].sum())}
            )
        return pl.DataFrame(rows)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later (the month's last day where it is shorter)."""
    n = day.month - 1 + months
    year, month = day.year + n // 12, n % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return min(
        day.replace(day=1, year=year, month=month) + timedelta(days=day.day - 1),
        following - timedelta(days=1),
    )


def project(fitted: Fitted, months: int = 12, *, adjust=None, tick=None) -> Forecast:
    """Step `fitted` forward `months` calendar months (at most ten years) a day at a time.
    `adjust(rates, entrants)` may return changed copies (a scenario); `tick(day)` hears how far
    it has gone every 30 days."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months: from 1 to {MAX_MONTHS}")
    rates, entrants = fitted.rates.copy(), fitted.entrants.copy()
    if adjust is not None:
        rates, entrants = adjust(rates, entrants)
    n = len(fitted.states)
    shape = fitted.shape
    ncat = len(shape.categories)
    days = (add_months(fitted.start, months) - fitted.start).days
    square = np.zeros((n + 1, n + 1))
    square[:n, :] = rates
    step = daily_matrix(square)[:n]  # rows: from; columns: to, then leaves care
    m = step[:, :n]
    leave = step[:, n]
    groups = np.zeros((n, ncat))
    groups[np.arange(n), np.arange(n) % ncat] = 1
    mean = np.zeros((days + 1, n))
    var_total = np.zeros(days + 1)
    var_category = np.zeros((days + 1, ncat))
    exits = np.zeros((days + 1, n))
    entries = np.zeros(days + 1)
    pop = fitted.stock.astype(float)
    cov = np.zeros((n, n))
    mean[0] = pop
    lam = np.diag(entrants)
    for day in range(1, days + 1):
        exits[day] = pop * leave
        flowing = m.T @ (pop[:, None] * m)
        cov = m.T @ cov @ m + np.diag(m.T @ pop) - flowing + lam
        pop = pop @ m + entrants
        mean[day] = pop
        var_total[day] = cov.sum()
        var_category[day] = np.einsum("ic,ij,jc->c", groups, cov, groups)
        entries[day] = entrants.sum()
        if tick is not None and day % 30 == 0:
            tick(day)
    return Forecast(fitted, days, mean, var_total, var_category, entries, exits, months)
