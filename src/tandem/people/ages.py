"""A person's age in whole years on a day: one rule for every part of Tandem that needs it."""

import datetime as dt


def age_on(born: dt.date, on: dt.date) -> int:
    """Whole years from `born` to `on` (a 29 February birthday counts from 1 March)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
