"""Overlapping-risk flags: transparent, configurable rules over linked indicators.

Not a score. Each rule says in words what it looks for ("three or more indicators from two or
more partners in the last twelve months"; "domestic abuse and missing episodes"), and each flag
lists every indicator that made it fire — which partner recorded what, and when — so a person
can check it. A flag proposes; a practitioner decides.

Rules are TOML (the defaults are `rules/flags.toml`):

    [indicators]                  # recorded event type -> indicator
    "Missing episode" = "missing"
    [[rules]]
    name = "overlapping_risks"
    title = "Three or more indicators from two or more partners in the last twelve months"
    min_indicators = 3            # and/or
    min_partners = 2
    all_of = ["domestic_abuse", "missing"]   # each indicator at least once
    within_days = 365             # counted back from the as-of date
"""

import datetime as dt
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError

from tandem.formats import govuk_date

DEFAULT_RULES = Path(__file__).parent / "rules" / "flags.toml"


@dataclass(frozen=True)
class Indicator:
    person: str  # the linked person (cluster id)
    partner: str  # the source that recorded it
    indicator: str
    event_type: str
    date: dt.date
    record_id: str = ""

    def words(self) -> str:
        return f"{self.partner}: {self.event_type} on {govuk_date(self.date)}"


@dataclass(frozen=True)
class Rule:
    name: str
    title: str
    within_days: int
    min_indicators: int = 0
    min_partners: int = 0
    all_of: tuple[str, ...] = ()


@dataclass(frozen=True)
class Flag:
    person: str
    rule: Rule
    evidence: tuple[Indicator, ...] = field(default_factory=tuple)

    def explanation(self) -> str:
        return "; ".join(i.words() for i in self.evidence)


@dataclass(frozen=True)
class RuleSet:
    indicators: dict[str, str]  # event type -> indicator
    rules: tuple[Rule, ...]


def parse_rules(text: str) -> RuleSet:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValidationError({"rules": f"not valid TOML: {e}"}) from e
    indicators = data.get("indicators")
    if not isinstance(indicators, dict) or not indicators:
        raise ValidationError({"indicators": "map recorded event types to indicators"})
    known = set(indicators.values())
    rules = []
    for i, spec in enumerate(data.get("rules", []), start=1):
        where = f"rules[{i}]"
        unknown = set(spec) - {
            "name",
            "title",
            "within_days",
            "min_indicators",
            "min_partners",
            "all_of",
        }
        if unknown:
            raise ValidationError({where: f"unknown keys: {', '.join(sorted(unknown))}"})
        if not spec.get("name") or not spec.get("title"):
            raise ValidationError({where: "every rule needs a name and a title"})
        days = spec.get("within_days")
        if not isinstance(days, int) or days <= 0:
            raise ValidationError({f"{where}.within_days": "a whole number of days above 0"})
        all_of = tuple(spec.get("all_of", ()))
        missing = [x for x in all_of if x not in known]
        if missing:
            raise ValidationError({f"{where}.all_of": f"not an indicator: {', '.join(missing)}"})
        rule = Rule(
            name=spec["name"],
            title=spec["title"],
            within_days=days,
            min_indicators=int(spec.get("min_indicators", 0)),
            min_partners=int(spec.get("min_partners", 0)),
            all_of=all_of,
        )
        if not (rule.min_indicators or rule.min_partners or rule.all_of):
            raise ValidationError({where: "a rule needs min_indicators, min_partners or all_of"})
        rules.append(rule)
    if not rules:
        raise ValidationError({"rules": "no [[rules]]"})
    if len({r.name for r in rules}) < len(rules):
        raise ValidationError({"rules": "two rules share a name"})
    return RuleSet(indicators=dict(indicators), rules=tuple(rules))


def default_rules() -> RuleSet:
    return parse_rules(DEFAULT_RULES.read_text(encoding="utf-8"))


def _fires(rule: Rule, found: list[Indicator]) -> tuple[Indicator, ...] | None:
    if rule.all_of:
        found = [i for i in found if i.indicator in rule.all_of]
        if {i.indicator for i in found} != set(rule.all_of):
            return None
    if len(found) < rule.min_indicators:
        return None
    if len({i.partner for i in found}) < rule.min_partners:
        return None
    return tuple(sorted(found, key=lambda i: (i.date, i.partner, i.event_type)))


def evaluate(events, rules: RuleSet, as_of: dt.date) -> list[Flag]:
    """Flags for every person whose indicators meet a rule. `events` are
    (person, partner, event_type, date, record_id) rows; events in the future of `as_of`
    or not listed as indicators are ignored."""
    by_person: dict[str, list[Indicator]] = defaultdict(list)
    for person, partner, event_type, date, record_id in events:
        indicator = rules.indicators.get(event_type)
        if indicator is None or date is None or date > as_of:
            continue
        by_person[person].append(
            Indicator(person, partner, indicator, event_type, date, record_id or "")
        )
    flags = []
    for person, found in sorted(by_person.items()):
        for rule in rules.rules:
            since = as_of - dt.timedelta(days=rule.within_days)
            recent = [i for i in found if i.date > since]
            evidence = _fires(rule, recent)
            if evidence:
                flags.append(Flag(person, rule, evidence))
    return flags
