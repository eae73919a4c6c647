"""A forecast's figures as a forecast record keeps them (JSON: dates as ISO text, money as
Decimal text), and the tables the pages, downloads, API and command line show from them."""

from decimal import Decimal

import numpy as np

from tandem.planning.forecast import Forecast

PER_YEAR = 365.25
SMALL = 5


def counted(n: int) -> int | str:
    """A count of children or of their moves as a table shows it: 1 to 4 are not shown."""
    return "fewer than 5" if 0 < n < SMALL else n


def shown(x: float) -> float | str:
    """An expected number of children as a table shows it: one that rounds to 1 to 4 is "fewer
    than 5" (in the first months it is close to a count of real children)."""
    return "fewer than 5" if 0.5 <= x < SMALL - 0.5 else x


def _r(x: float) -> float:
    return round(float(x), 2)


def summary(forecast: Forecast) -> dict:
    fitted = forecast.fitted
    shape = fitted.shape
    months = forecast.months()
    ncat = len(shape.categories)
    now = fitted.stock.reshape(-1, ncat).sum(axis=0)
    moves = []
    labels = [shape.state_label(s) for s in fitted.states] + ["leaves care"]
    for i, j in zip(*np.nonzero(fitted.moves), strict=True):
        moves.append(
            {
                "from": labels[i],
                "to": labels[j],
                "moves": int(fitted.moves[i, j]),
                "child_days": int(fitted.at_risk[i]),
                "per_child_year": round(float(fitted.rates[i, j] * PER_YEAR), 4),
            }
        )
    return {
        "method": fitted.method,
        "window": [d.isoformat() for d in fitted.window],
        "first_day": forecast.first_day.isoformat(),
        "days": forecast.days,
        "episodes": fitted.episodes,
        "in_care_now": int(fitted.stock.sum()),
        "past": [{"month": d.isoformat(), "in_care": n} for d, n in fitted.past],
        "history_from": fitted.history_from.isoformat() if fitted.history_from else None,
        "now_by_category": {c.code: int(n) for c, n in zip(shape.categories, now, strict=True)},
        "categories": [{"code": c.code, "label": c.label} for c in shape.categories],
        "entrants_a_year": _r(fitted.entrants.sum() * PER_YEAR),
        "months": [
            {k: (v.isoformat() if k == "month" else _r(v)) for k, v in row.items()}
            for row in months.iter_rows(named=True)
        ],
        "costs": [
            {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()}
            for row in forecast.costs()
        ],
        "leavers": [
            {k: (v.isoformat() if k == "month" else _r(v)) for k, v in row.items()}
            for row in forecast.care_leavers().iter_rows(named=True)
        ],
        "moves": moves,
        "costs_note": [
            {
                "category": c.label,
                "weekly": str(c.weekly_cost),
                "price_year": c.price_year,
                "source": c.cost_source,
            }
            for c in shape.categories
        ],
    }


def month_at(result: dict, months_on: int) -> dict | None:
    """The row `months_on` months after the first day (or the last, if the forecast is
    shorter)."""
    rows = result["months"]
    return rows[min(months_on, len(rows)) - 1] if rows else None


def yearly(result: dict) -> list[dict]:
    """The month ending each year from the first day: children in care with the 95 % band, and
    the year's entering, leaving and care leavers."""
    rows = result["months"]
    out = []
    for year in range(1, len(rows) // 12 + 1):
        part = rows[(year - 1) * 12 : year * 12]
        last = part[-1]
        out.append(
            {
                "year": year,
                "month": last["month"],
                "in_care": last["in_care"],
                "low_95": last["low_95"],
                "high_95": last["high_95"],
                "entering": _r(sum(r["entering"] for r in part)),
                "leaving": _r(sum(r["leaving"] for r in part)),
                "care_leavers": _r(sum(r["care_leavers"] for r in part)),
            }
        )
    return out


def total_cost(result: dict) -> Decimal:
    return sum((Decimal(row["total"]) for row in result["costs"]), Decimal(0))


def tables(result: dict) -> dict[str, tuple[list[str], list[list]]]:
    """Every table behind a forecast's page, as its downloads hold them."""
    cats = result["categories"]
    months = (
        ["Day", "In care", "95% low", "80% low", "80% high", "95% high"]
        + [c["label"] for c in cats]
        + ["Entering care", "Leaving care", "Leaving as care leavers"],
        [
            [r["month"], r["in_care"], r["low_95"], r["low_80"], r["high_80"], r["high_95"]]
            + [shown(r[c["code"]]) for c in cats]
            + [r["entering"], r["leaving"], r["care_leavers"]]
            for r in result["months"]
        ],
    )
    costs = (
        ["Financial year", "Days forecast"] + [c["label"] for c in cats] + ["Total"],
        [
            [r["year"], r["days"]] + [Decimal(r[c["code"]]) for c in cats] + [Decimal(r["total"])]
            for r in result["costs"]
        ],
    )
    ages = range(16, 26)
    leavers = (
        ["Month"] + [f"Aged {a}" for a in ages] + ["Aged 17 to 25"],
        [
            [r["month"]] + [shown(r[f"age_{a}"]) for a in ages] + [shown(r["total_17_25"])]
            for r in result["leavers"]
        ],
    )
    moves = (
        ["From", "To", "Moves in the window", "Child-days at risk", "Rate a child-year"],
        [
            [m["from"], m["to"], counted(m["moves"])]
            + ([m["child_days"], m["per_child_year"]] if m["moves"] >= SMALL else ["", ""])
            for m in result["moves"]
        ],
    )
    return {"months": months, "costs": costs, "care-leavers": leavers, "moves": moves}
