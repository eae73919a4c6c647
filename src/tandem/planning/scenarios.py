"""Scenarios: changes to a fitted model, written as data and checked whole, then applied to a copy
of its rates and entrants before it is stepped (`forecast.project(adjust=...)`).

- `entrants`: children entering care into some bands and categories scaled by a factor
  ("an edge-of-care service prevents 30 % of entries for 10 to 15s": factor 0.7).
- `moves`: the daily rates of moves from some categories to another (or out of care) scaled.
- `transfer`: children a year moved from one category to another ("two more in-house foster
  carers a year": 2 a year from residential to fostering), as the daily rate that moves that many
  from the children there on the forecast's first day, shared by where they are.
- `prevented`: entries a service prevents, from the effect the outcomes' matched comparison
  measured on entering care (a difference in the share entering, with its 95 % interval) × the
  children it works with a year. The scenario is stepped three times: at the estimate and at
  each end of the interval, so the board sees the saving with the evidence's uncertainty.
"""

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from tandem.planning.fit import Fitted

LEAVING = "leaving"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Entrants(Strict):
    kind: Literal["entrants"]
    bands: list[str] = Field(default_factory=list, description="empty: every band")
    categories: list[str] = Field(default_factory=list, description="empty: every category")
    factor: float = Field(ge=0, le=10)


class Moves(Strict):
    kind: Literal["moves"]
    bands: list[str] = Field(default_factory=list)
    from_categories: list[str] = Field(min_length=1)
    to: str
    factor: float = Field(ge=0, le=10)


class Transfer(Strict):
    kind: Literal["transfer"]
    bands: list[str] = Field(default_factory=list)
    from_category: str
    to_category: str
    per_year: float = Field(gt=0, le=100_000)

    @model_validator(mode="after")
    def different(self):
        if self.from_category == self.to_category:
            raise ValueError("to_category: a transfer goes to a different category")
        return self


class Effect(Strict):
    estimate: float = Field(ge=-1, le=1)
    low: float = Field(ge=-1, le=1)
    high: float = Field(ge=-1, le=1)

    @model_validator(mode="after")
    def ordered(self):
        if not self.low <= self.estimate <= self.high:
            raise ValueError("the interval holds the estimate (low ≤ estimate ≤ high)")
        return self


class Prevented(Strict):
    kind: Literal["prevented"]
    service: str  # the service's name, as the board reads it
    service_id: str = ""
    outcome: str
    effect: Effect  # the difference in the share entering care, treated minus matched
    matched: int = Field(ge=0, description="children matched in the comparison")
    children_a_year: float = Field(gt=0, le=1_000_000)
    bands: list[str] = Field(default_factory=list)
    period: list[str] = Field(default_factory=list, description="the cohort measured")

    def prevented_a_year(self, at: str = "estimate") -> float:
        """Entries prevented a year (negative when the service adds entries)."""
        return -getattr(self.effect, at) * self.children_a_year


Change = Annotated[Entrants | Moves | Transfer | Prevented, Field(discriminator="kind")]
CHANGES = TypeAdapter(list[Change])


class ScenarioError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def read_changes(data, fitted: Fitted) -> list:
    """The changes checked: their form, then every band and category named against the model."""
    try:
        changes = CHANGES.validate_python(data)
    except ValidationError as error:
        raise ScenarioError([_problem(e) for e in error.errors()]) from error
    bands = {b.code for b in fitted.shape.bands}
    categories = {c.code for c in fitted.shape.categories}
    problems = []
    for n, change in enumerate(changes, start=1):
        problems += [f"change {n}: no band {b!r}" for b in change.bands if b not in bands]
        named = {
            "entrants": lambda c: c.categories,
            "moves": lambda c: c.from_categories + ([] if c.to == LEAVING else [c.to]),
            "transfer": lambda c: [c.from_category, c.to_category],
            "prevented": lambda c: [],
        }[change.kind](change)
        problems += [f"change {n}: no category {c!r}" for c in named if c not in categories]
    if problems:
        raise ScenarioError(problems)
    return changes


def _problem(error: dict) -> str:
    """A pydantic error as "change 2: factor: …", counting changes from 1 and leaving out the
    kind pydantic names its branch by."""
    loc = list(error["loc"])
    where = f"change {loc.pop(0) + 1}" if loc and isinstance(loc[0], int) else "changes"
    if loc and loc[0] in ("entrants", "moves", "transfer", "prevented"):
        loc.pop(0)
    message = error["msg"].removeprefix("Value error, ")
    field = ".".join(str(p) for p in loc)
    return f"{where}: {field}: {message}" if field else f"{where}: {message}"


def _states(fitted: Fitted, bands, categories) -> np.ndarray:
    return np.array(
        [
            (not bands or b in bands) and (not categories or c in categories)
            for b, c in fitted.states
        ]
    )


def adjuster(changes: list, fitted: Fitted, at: str = "estimate"):
    """A function giving the changed (rates, entrants); `at` picks the estimate or an end of a
    measured effect's interval ("low" or "high")."""

    def adjust(rates: np.ndarray, entrants: np.ndarray):
        rates, entrants = rates.copy(), entrants.copy()
        index = {state: i for i, state in enumerate(fitted.states)}
        for change in changes:
            if change.kind == "entrants":
                entrants[_states(fitted, change.bands, change.categories)] *= change.factor
            elif change.kind == "moves":
                rows = _states(fitted, change.bands, change.from_categories)
                if change.to == LEAVING:
                    rates[rows, fitted.exit] *= change.factor
                else:
                    for i in np.flatnonzero(rows):
                        j = index[(fitted.states[i][0], change.to)]
                        rates[i, j] *= change.factor
            elif change.kind == "transfer":
                rows = np.flatnonzero(_states(fitted, change.bands, [change.from_category]))
                there = fitted.stock[rows].sum()
                if there > 0:
                    daily = change.per_year / 365.25 / there  # the same share of each state
                    for i in rows:
                        rates[i, index[(fitted.states[i][0], change.to_category)]] += daily
            else:  # prevented
                rows = _states(fitted, change.bands, [])
                arriving = entrants[rows].sum()
                if arriving > 0:
                    fewer = change.prevented_a_year(at) / 365.25
                    entrants[rows] *= max(0.0, 1 - fewer / arriving)
        return np.minimum(rates, 1.0), entrants

    return adjust


def has_interval(changes: list) -> bool:
    return any(c.kind == "prevented" for c in changes)
