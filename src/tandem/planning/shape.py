"""The demand model's shape, read from a TOML file beside this module (`models/standard.toml`) or
one the analyst gives: age bands, placement categories (by SSDA903 PLACE code) and the weekly cost
of each, checked whole when read so a bad file names every field at fault."""

import functools
import tomllib
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

HERE = Path(__file__).parent / "models"
OTHER = "other"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(Strict):
    code: str
    label: str
    end: int = Field(gt=0, le=25, description="the birthday the band ends on")
    v1_length_days: int | None = Field(default=None, gt=0)
    v1_end: int | None = Field(default=None, gt=0)


class Category(Strict):
    code: str
    label: str
    places: list[str]
    v1_places: list[str] | None = None  # the places the v1 fit uses, where they differ
    weekly_cost: Decimal = Field(ge=0, decimal_places=2)
    price_year: str = Field(pattern=r"^\d{4}-\d{2}$")
    cost_source: str


class Shape(Strict):
    name: str
    version: str
    year_in_days: float = Field(gt=300, lt=400)
    leaves_care_at: int = Field(gt=0, le=25)
    care_leaver_from: int = Field(gt=0, le=25)
    bands: list[Band] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="after")
    def consistent(self):
        ends = [band.end for band in self.bands]
        if ends != sorted(set(ends)):
            raise ValueError("bands: each band ends after the one before")
        if ends[-1] != self.leaves_care_at:
            raise ValueError("bands: the last band ends at leaves_care_at")
        codes = [c.code for c in self.categories]
        if OTHER not in codes:
            raise ValueError(f"categories: one has the code {OTHER!r} (every PLACE not named)")
        for v1 in (False, True):
            places = [
                p
                for c in self.categories
                for p in (c.v1_places if v1 and c.v1_places is not None else c.places)
            ]
            if len(places) != len(set(places)):
                raise ValueError("categories: a PLACE code is in more than one category")
        return self

    @property
    def starts(self) -> list[int]:
        """The birthday each band starts on (0 for the first)."""
        return [0] + [band.end for band in self.bands[:-1]]

    def places(self, method: str = "tandem") -> dict[str, str]:
        """PLACE code → category code, for a fitting method (v1 keeps its own lists)."""
        return {
            p: c.code
            for c in self.categories
            for p in (c.v1_places if method == "v1" and c.v1_places is not None else c.places)
        }

    def category_of(self, place: str, method: str = "tandem") -> str:
        return self.places(method).get(place, OTHER)

    @property
    def states(self) -> list[tuple[str, str]]:
        """Every (band, category) a child in care can be in, band by band."""
        return [(b.code, c.code) for b in self.bands for c in self.categories]

    def state_label(self, state: tuple[str, str]) -> str:
        band = next(b.label for b in self.bands if b.code == state[0])
        category = next(c.label for c in self.categories if c.code == state[1])
        return f"{band}, {category.split(' (')[0].lower()}"


class ShapeError(ValueError):
    """A model file that cannot be used; `problems` names each field at fault."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def read_shape(path: Path | str | None = None) -> Shape:
    path = Path(path) if path else HERE / "standard.toml"
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ShapeError([f"{path.name}: {error}"]) from error
    try:
        return Shape.model_validate(data)
    except ValidationError as error:
        raise ShapeError(
            [
                f"{'.'.join(str(p) for p in e['loc']) or path.name}: {e['msg']}"
                for e in error.errors()
            ]
        ) from error


@functools.cache
def standard() -> Shape:
    return read_shape()
