"""Evidence for analysts: how well linkage did against known truth (synthetic extracts keep
it in `truth.csv`), how big its people are, and whether the flag rules raise flags for one sex
or ethnic group more than for everyone — as the ratio of each group's rate to the overall rate.

Counts only, never a child: a group smaller than `SMALL` is shown as suppressed."""

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.linkage.models import ExtractRecord, Flag, FlagStatus
from tandem.people.codes import Ethnicity

SMALL = 5  # groups with fewer people are not shown: a rate of 1 in 2 can identify a child
SEX_WORDS = {"M": "Male", "F": "Female", "": "Not recorded"}


@dataclass(frozen=True)
class Rate:
    group: str
    people: int
    flagged: int
    rate: float | None  # None when suppressed
    ratio: float | None


@dataclass
class Evidence:
    records: int = 0
    people: int = 0
    sizes: list[tuple[int, int]] = field(default_factory=list)  # (size, how many people)
    by_sex: list[Rate] = field(default_factory=list)
    by_ethnicity: list[Rate] = field(default_factory=list)
    overall_rate: float = 0.0
    scores: dict | None = None  # precision, recall, f1, records scored


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def read_truth(text: str) -> dict[tuple[str, str], str]:
    """`truth.csv` (source, record_id, person_id) as {(source, record_id): person_id}."""
    reader = csv.DictReader(io.StringIO(text))
    need = {"source", "record_id", "person_id"}
    if not need <= set(reader.fieldnames or []):
        raise ValidationError(
            {"truth": "The truth file needs the columns source, record_id and person_id"}
        )
    return {(r["source"], r["record_id"]): r["person_id"] for r in reader}


def pairwise_scores(rows, truth: dict) -> dict:
    """Pairwise precision, recall and F1 of the linked people against the truth, counted from
    group sizes (no pairs listed, so a million records take a second)."""
    predicted, true, both = Counter(), Counter(), Counter()
    scored = 0
    for source, record_id, person in rows:
        real = truth.get((source, record_id))
        if real is None:
            continue
        scored += 1
        predicted[person] += 1
        true[real] += 1
        both[(person, real)] += 1
    tp = sum(_pairs(n) for n in both.values())
    p_pairs = sum(_pairs(n) for n in predicted.values())
    t_pairs = sum(_pairs(n) for n in true.values())
    precision = tp / p_pairs if p_pairs else 1.0
    recall = tp / t_pairs if t_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "records": scored}


def _rates(groups: dict[str, list[bool]], overall: float) -> list[Rate]:
    out = []
    for name, flags in sorted(groups.items()):
        n, k = len(flags), sum(flags)
        if n < SMALL:
            out.append(Rate(name, n, k, None, None))
            continue
        rate = k / n
        out.append(Rate(name, n, k, rate, rate / overall if overall else None))
    return out


def linkage_evidence(*, actor, truth_text: str = "") -> Evidence:
    require_role(actor, Action.REVIEW_LINKS)
    truth = read_truth(truth_text) if truth_text.strip() else None
    rows = list(
        ExtractRecord.objects.filter(linked_person__isnull=False).values_list(
            "upload__extract_type",
            "record_id",
            "linked_person_id",
            "sex",
            "linked_person__person__ethnicity",
        )
    )
    flagged = set(
        Flag.objects.filter(status__in=(FlagStatus.OPEN, FlagStatus.DECIDED)).values_list(
            "linked_person_id", flat=True
        )
    )
    size, sexes, ethnicity = Counter(), defaultdict(Counter), {}
    for _, _, person, sex, eth in rows:
        size[person] += 1
        sexes[person][sex] += 1
        ethnicity[person] = eth
    ev = Evidence(records=len(rows), people=len(size))
    ev.sizes = sorted(Counter(size.values()).items())
    ev.overall_rate = len(flagged & set(size)) / len(size) if size else 0.0
    by_sex, by_eth = defaultdict(list), defaultdict(list)
    labels = dict(Ethnicity.choices)
    for person in size:
        known = [(n, s) for s, n in sexes[person].items() if s]
        sex = max(known)[1] if known else ""
        by_sex[SEX_WORDS.get(sex, sex)].append(person in flagged)
        eth = ethnicity[person]
        by_eth[labels.get(eth, "Not known (no Tandem record)")].append(person in flagged)
    ev.by_sex = _rates(by_sex, ev.overall_rate)
    ev.by_ethnicity = _rates(by_eth, ev.overall_rate)
    if truth is not None:
        ev.scores = pairwise_scores(((s, r, p) for s, r, p, _, _ in rows), truth)
    Audit(actor, Purpose.SAFEGUARDING_CHECK).row(
        AuditAction.LIST,
        "linkage_evidence",
        detail={"records": ev.records, "people": ev.people, "scored": bool(truth)},
    )
    return ev
