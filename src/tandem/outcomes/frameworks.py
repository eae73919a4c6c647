"""Outcome frameworks: which outcomes a kind of service is judged by, as versioned TOML files
beside this module (one per service kind), checked whole when read."""

import functools
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

HERE = Path(__file__).parent / "frameworks"

Kind = Literal[
    "entered_care",
    "family_breakdown",
    "reunified",
    "star_risks_reduced",
    "star_very_positive",
    "sustained",
    "leaver_accommodation",
    "leaver_eet",
    "leaver_in_touch",
]
NEEDS_MONTHS = {"entered_care", "family_breakdown", "reunified", "sustained"}
NEEDS_STAR = {"star_risks_reduced", "star_very_positive"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class National(Strict):
    rate: float = Field(ge=0, le=1)
    source: str


class Outcome(Strict):
    code: str
    kind: Kind
    name: str
    higher_is_better: bool
    applies_to: str
    rule: str = ""
    months: int | None = Field(None, ge=1, le=60)
    reasons: tuple[str, ...] = ()
    share: float = Field(1.0, gt=0, le=1)
    national: National | None = None

    @model_validator(mode="after")
    def _months(self):
        if self.kind in NEEDS_MONTHS and self.months is None:
            raise ValueError(f"{self.kind} needs `months`")
        if self.kind == "reunified" and not self.reasons:
            raise ValueError("reunified needs the SSDA903 `reasons` that count as going home")
        return self


class Star(Strict):
    code: str
    risk_at_or_below: int = Field(ge=1, le=9)
    reduction: float = Field(gt=0, le=1)
    areas: tuple[str, ...] = Field(min_length=1)


class Comparison(Strict):
    ages: tuple[int, int]
    outcome: str


class Framework(Strict):
    code: str
    name: str
    version: int = Field(ge=1)
    summary: str
    star: Star | None = None
    comparison: Comparison | None = None
    outcome: tuple[Outcome, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self):
        codes = [o.code for o in self.outcome]
        if len(set(codes)) != len(codes):
            raise ValueError("each outcome needs its own code")
        if any(o.kind in NEEDS_STAR for o in self.outcome) and self.star is None:
            raise ValueError("an Outcomes Star outcome needs the [star] table")
        if self.comparison and self.comparison.outcome not in codes:
            raise ValueError(f"comparison.outcome {self.comparison.outcome!r} is not an outcome")
        return self

    def get(self, code: str) -> Outcome:
        return next(o for o in self.outcome if o.code == code)


class FrameworkError(Exception):
    pass


def read_toml(path: Path, schema: type[BaseModel]):
    """A TOML file checked whole against `schema`: every problem named (file, field) at once."""
    try:
        return schema.model_validate(tomllib.loads(path.read_text()))
    except tomllib.TOMLDecodeError as e:
        raise FrameworkError(f"{path.name}: not valid TOML: {e}") from e
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'file'}: {err['msg']}" for err in e.errors()
        )
        raise FrameworkError(f"{path.name}: {problems}") from e


def read(path: Path) -> Framework:
    """One framework file, with every problem named (file, field) at once."""
    framework = read_toml(path, Framework)
    if framework.code != path.stem:
        raise FrameworkError(f"{path.name}: code {framework.code!r} must match the file name")
    return framework


@functools.cache
def frameworks() -> dict[str, Framework]:
    return {path.stem: read(path) for path in sorted(HERE.glob("*.toml"))}


def framework(code: str) -> Framework | None:
    return frameworks().get(code)


def choices() -> list[tuple[str, str]]:
    return [("", "None")] + [(code, f.name) for code, f in frameworks().items()]
