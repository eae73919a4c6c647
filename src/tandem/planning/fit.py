"""Fitting the demand model to a care history over a reference window: the daily rate of each
move between states (age band × placement category) and out of care, children entering care a
day by state, and the children in each state on the forecast's first day.

Two methods, on the same cleaned history (`history.clean`):

- **tandem** (the default). Episodes are split at the birthdays that start a band, so ageing is
  an observed move on the day it happens, as the regional model does, and at the birthday care
  ends (18): a child still looked after then leaves care, so no child ages into a band that never
  ends (v1's quirk b). A child is counted in the band of their age *today*, not their age when the
  episode began. Children who leave care are counted out, never kept as stock (v1's quirk a).
  A rate is the moves in the window over the child-days at risk the day before (the
  maximum-likelihood daily hazard): v1's mean of daily ratios over-weights days when a state held
  one or two children and is undefined when it held none. A placement change within a category is
  not a move. Entrants a day are counted over the window's days, both ends included.
- **v1**, only for comparison with the analysts' `cs-demand-model` 0.5.1: its quirks kept (ages
  by days / 365.24 at the episode's start, ageing at a daily chance of one over the band's length
  with the last band running to 30, the mean of daily ratios with the first day's stock standing
  in for the day before, entrants over the window's length in days).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from tandem.planning.shape import Shape

EPOCH = date(1970, 1, 1)
OPEN = 10**7  # an open episode's end, as a day number far beyond any forecast
METHODS = ("tandem", "v1")
ARRAYS = ("rates", "entrants", "stock", "moves", "at_risk")
PAST_MONTHS = 36  # the record's own months shown before a forecast


def day_number(d: date) -> int:
    return (d - EPOCH).days


def as_date(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


class FitError(ValueError):
    pass


@dataclass
class Fitted:
    """A fitted model: `rates[i, j]` is the daily chance of moving from state i to state j, the
    last column being *leaves care*; `entrants[j]` children a day enter care into state j;
    `stock[i]` children are in state i on `start`."""

    shape: Shape
    method: str
    states: list[tuple[str, str]]
    window: tuple[date, date]
    start: date
    rates: np.ndarray
    entrants: np.ndarray
    stock: np.ndarray
    moves: np.ndarray  # the moves counted in the window (same layout as rates)
    at_risk: np.ndarray  # child-days at risk in each state over the window
    leaver_ages: dict[int, float] = field(default_factory=dict)  # share leaving at each age
    leavers_now: dict[int, int] = field(default_factory=dict)  # care leavers by age on `start`
    episodes: int = 0
    past: list[tuple[date, int]] = field(default_factory=list)  # in care at past month ends
    history_from: date | None = None  # the history's first recorded day

    @property
    def exit(self) -> int:
        return len(self.states)

    def as_dict(self) -> dict:
        """As JSON keeps it (a forecast's record), to be stepped again for a scenario."""
        return {
            "shape": self.shape.model_dump(mode="json"),
            "method": self.method,
            "window": [self.window[0].isoformat(), self.window[1].isoformat()],
            "start": self.start.isoformat(),
            **{k: getattr(self, k).tolist() for k in ARRAYS},
            "leaver_ages": {str(k): v for k, v in self.leaver_ages.items()},
            "leavers_now": {str(k): v for k, v in self.leavers_now.items()},
            "episodes": self.episodes,
            "past": [[d.isoformat(), n] for d, n in self.past],
            "history_from": self.history_from.isoformat() if self.history_from else None,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Fitted":
        shape = Shape.model_validate(data["shape"])
        return cls(
            shape=shape,
            method=data["method"],
            states=shape.states,
            window=tuple(date.fromisoformat(d) for d in data["window"]),
            start=date.fromisoformat(data["start"]),
            **{k: np.array(data[k], dtype=float) for k in ARRAYS},
            leaver_ages={int(k): v for k, v in data["leaver_ages"].items()},
            leavers_now={int(k): v for k, v in data["leavers_now"].items()},
            episodes=data["episodes"],
            past=[(date.fromisoformat(d), n) for d, n in data.get("past", [])],
            history_from=date.fromisoformat(h) if (h := data.get("history_from")) else None,
        )

    def in_band(self, start_age: int) -> np.ndarray:
        """Which states are in bands starting at `start_age` or older."""
        starts = dict(zip([b.code for b in self.shape.bands], self.shape.starts, strict=True))
        return np.array([starts[band] >= start_age for band, _ in self.states])


def fit(
    episodes: pl.DataFrame,
    shape: Shape,
    window: tuple[date, date],
    *,
    method: str = "tandem",
    start: date | None = None,
) -> Fitted:
    """Fit over `window` (both days included); the forecast starts on `start` (the window's last
    day unless given)."""
    if method not in METHODS:
        raise FitError(f"method: choose one of {', '.join(METHODS)}")
    w0, w1 = window
    if w1 <= w0:
        raise FitError("window: the last day comes after the first")
    if episodes.is_empty():
        raise FitError("the history holds no care episodes")
    start = start or w1
    pieces = _pieces(episodes, shape, method)
    n = len(shape.states)
    a, b, s = day_number(w0), day_number(w1), day_number(start)
    days = np.arange(a, b + 1)
    before = _stock(pieces, n, days - 1)
    ends = pieces["end"]
    counted = (ends >= a) & (ends <= b)
    if method == "tandem":
        counted &= pieces["next"] != pieces["state"]
    moves = np.zeros((n, n + 1, len(days)))
    np.add.at(moves, (pieces["state"][counted], pieces["next"][counted], ends[counted] - a), 1)
    totals = moves.sum(axis=2)
    at_risk = before.sum(axis=1)
    if method == "tandem":
        rates = np.divide(
            totals, at_risk[:, None], out=np.zeros_like(totals), where=at_risk[:, None] > 0
        )
        length = len(days)
    else:
        # v1's daily series run from the history's first event to its last: the mean is over the
        # window's days within them, the first standing in for the day before it.
        events = np.concatenate([pieces["start"], ends[ends < OPEN]])
        inside = (days >= events.min()) & (days <= events.max())
        prior, moves = before[:, inside], moves[:, :, inside]
        rates = np.zeros((n, n + 1))
        if inside.any():
            prior[:, 0] = _stock(pieces, n, days[inside][:1])[:, 0]
            with np.errstate(divide="ignore", invalid="ignore"):
                daily = moves / prior[:, None, :]
            daily[np.isnan(daily)] = 0.0  # 0/0, as v1
            # A move out of a state empty the day before is infinite in v1 (and its forecast
            # NaN); here it counts as everyone there moving.
            daily[np.isinf(daily)] = 1.0
            rates = daily.mean(axis=2)
        rates = rates + _v1_ageing(shape)
        length = (w1 - w0).days
    new = pieces["entrant"] & (pieces["start"] >= a) & (pieces["start"] <= b)
    entrants = np.bincount(pieces["state"][new], minlength=n) / length
    stock = _stock(pieces, n, np.array([s]))[:, 0].astype(float)
    leaver_ages, leavers_now = _leavers(pieces, shape, a, b, s)
    ends = [start.replace(day=1) - timedelta(days=1)]
    while len(ends) < PAST_MONTHS:
        ends.append(ends[-1].replace(day=1) - timedelta(days=1))
    ends.reverse()
    counts = _stock(pieces, n, np.array([day_number(d) for d in ends])).sum(axis=0)
    past = [(d, int(c)) for d, c in zip(ends, counts, strict=True)]
    return Fitted(
        shape=shape,
        method=method,
        states=shape.states,
        window=window,
        start=start,
        rates=rates,
        entrants=entrants,
        stock=stock,
        moves=totals,
        at_risk=at_risk,
        leaver_ages=leaver_ages,
        leavers_now=leavers_now,
        episodes=episodes.height,
        past=past,
        history_from=as_date(int(pieces["start"].min())),
    )


def _pieces(episodes: pl.DataFrame, shape: Shape, method: str) -> dict[str, np.ndarray]:
    """Each stretch a child spent in one state: its child, start and end (day numbers), state,
    the state it went on to (the exit column when it left care) and whether it began a period in
    care. Tandem splits episodes at band birthdays; v1 keeps them whole."""
    ncat = len(shape.categories)
    cats = {c.code: i for i, c in enumerate(shape.categories)}
    codes = {p: cats[c] for p, c in shape.places(method).items()}
    other = cats["other"]
    e = episodes.with_columns(
        child_no=pl.col("child").rank("dense").cast(pl.Int64),
        cat=pl.col("place").replace_strict(codes, default=other, return_dtype=pl.Int64),
        start_no=(pl.col("start") - pl.lit(EPOCH)).dt.total_days(),
        end_no=(pl.col("end") - pl.lit(EPOCH)).dt.total_days().fill_null(OPEN),
        dob_no=(pl.col("dob") - pl.lit(EPOCH)).dt.total_days(),
        **{
            f"bd{band.end}": (
                pl.col("dob").dt.offset_by(f"{band.end}y") - pl.lit(EPOCH)
            ).dt.total_days()
            for band in shape.bands
        },
    )
    child = e["child_no"].to_numpy()
    start = e["start_no"].to_numpy()
    end = e["end_no"].to_numpy()
    cat = e["cat"].to_numpy()
    dob = e["dob_no"].to_numpy()
    if method == "v1":
        ends = [b.v1_end or b.end for b in shape.bands]
        age = (start - dob) / shape.year_in_days
        band = np.searchsorted(np.array(ends), age, side="right")
        keep = (age >= -1) & (band < len(ends))
        child, start, end, cat, dob, band = (x[keep] for x in (child, start, end, cat, dob, band))
    else:
        birthdays = np.stack([e[f"bd{b.end}"].to_numpy() for b in shape.bands], axis=1)
        # Every band birthday strictly inside an episode cuts it there.
        row = np.arange(len(start))
        cut_rows, cut_band = np.nonzero((birthdays > start[:, None]) & (birthdays < end[:, None]))
        points = np.concatenate([start, birthdays[cut_rows, cut_band]])
        owner = np.concatenate([row, cut_rows])
        order = np.lexsort((points, owner))
        owner, points = owner[order], points[order]
        last = np.append(owner[1:] != owner[:-1], True)
        piece_end = np.where(last, end[owner], np.roll(points, -1))
        child, start, end, cat = child[owner], points, piece_end, cat[owner]
        band = (birthdays[owner] <= points[:, None]).sum(axis=1)
        keep = band < len(shape.bands)  # on or after the birthday care ends: not a child
        child, start, end, cat, band = (x[keep] for x in (child, start, end, cat, band))
        dob = dob[owner][keep]
    state = band * ncat + cat
    order = np.lexsort((start, child))
    child, start, end, state, band, cat, dob = (
        x[order] for x in (child, start, end, state, band, cat, dob)
    )
    n = len(shape.states)
    same = np.append(child[1:] == child[:-1], False)
    chained = same & (np.append(start[1:], 0) == end) & (end < OPEN)
    following = np.append(state[1:], 0)
    if method == "v1":
        following = band * ncat + np.append(cat[1:], 0)  # v1 keeps the band it started in
    nxt = np.where(chained, following, n)
    entrant = ~np.insert(chained[:-1], 0, False)
    return {
        "child": child,
        "start": start,
        "end": end,
        "state": state,
        "band": band,
        "next": nxt,
        "entrant": entrant,
        "dob": dob,
    }


def _stock(pieces: dict[str, np.ndarray], n: int, days: np.ndarray) -> np.ndarray:
    """Children in each state on each of `days`: began on or before the day, not yet ended."""
    out = np.zeros((n, len(days)), dtype=np.int64)
    for s in range(n):
        mine = pieces["state"] == s
        if not mine.any():
            continue
        starts = np.sort(pieces["start"][mine])
        ends = np.sort(pieces["end"][mine])
        out[s] = np.searchsorted(starts, days, side="right") - np.searchsorted(
            ends, days, side="right"
        )
    return out


def _v1_ageing(shape: Shape) -> np.ndarray:
    """v1's ageing: from each band to the next in the same category at one over the band's
    length in days a day; out of the last band (to 30) into leaving care."""
    ncat, nb = len(shape.categories), len(shape.bands)
    n = nb * ncat
    out = np.zeros((n, n + 1))
    starts = [-1] + [b.end for b in shape.bands[:-1]]
    for i, band in enumerate(shape.bands):
        end = band.v1_end or band.end
        length = band.v1_length_days or (end - starts[i]) * 365
        for c in range(ncat):
            to = (i + 1) * ncat + c if i + 1 < nb else n
            out[i * ncat + c, to] = 1 / length
    return out


def _leavers(pieces, shape: Shape, a: int, b: int, s: int):
    """Who leaves care as a care leaver: the share leaving at each age (from the window) and the
    care leavers under 26 on the forecast's first day (their last period in care ended at
    `care_leaver_from` or older, and they have not come back)."""
    left = pieces["next"] == len(shape.states)
    age_left = _years(pieces["dob"], np.minimum(pieces["end"], s))
    old_enough = left & (age_left >= shape.care_leaver_from) & (pieces["end"] < OPEN)
    recent = old_enough & (pieces["end"] >= a) & (pieces["end"] <= b)
    ages, counts = np.unique(age_left[recent], return_counts=True)
    shares = (
        {int(x): float(c / counts.sum()) for x, c in zip(ages, counts, strict=True)}
        if counts.sum()
        else {shape.leaves_care_at: 1.0}
    )
    # A child's last piece (by start) before the first day says whether they are a care leaver.
    before = pieces["start"] <= s
    child, end, dob = pieces["child"][before], pieces["end"][before], pieces["dob"][before]
    last = np.append(child[1:] != child[:-1], True)
    mine = last & (end <= s) & old_enough[before]
    now = _years(dob[mine], np.full(mine.sum(), s))
    now = now[now <= 25]
    leavers = {int(x): int(c) for x, c in zip(*np.unique(now, return_counts=True), strict=True)}
    return shares, leavers


def _years(born: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Whole years of age on each day (day numbers): birthdays counted by the calendar."""
    born = (born.astype("int64")).astype("datetime64[D]")
    on = (on.astype("int64")).astype("datetime64[D]")
    years = on.astype("datetime64[Y]").astype(int) - born.astype("datetime64[Y]").astype(int)

    def month_day(d):
        month = d.astype("datetime64[M]")
        return month.astype(int) % 12 * 100 + (d - month).astype(int)

    return years - (month_day(on) < month_day(born))
