"""Saving a linking run: people, pairs and flags, all at once for anyone reading, without holding
the database for long.

SQLite lets one connection write at a time, and a linking run of 200,000 records replaces
hundreds of thousands of rows: written inside one transaction the usual way, that held every
other writer for half a minute. So everything that can be is done before the transaction: the
people and pairs are planned, new people are made (nobody's records point to them yet, so
nobody sees them), the flags are evaluated, and every bulk change is staged in temporary tables
of this connection (on SQLite they live outside the main database and take no lock). The
transaction then applies the staged tables with a few set-based statements. If a reviewer
decided a pair in between, the plan is made again inside the transaction (slower, and rare).
"""

import datetime as dt
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import batched

from django.db import connection, transaction

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.linkage import flags
from tandem.linkage.models import (
    DECIDED,
    ExtractRecord,
    Flag,
    FlagStatus,
    LinkedPerson,
    MatchPair,
    PairStatus,
)

BATCH = 5000
IN_CHUNK = 10_000  # PostgreSQL takes at most 65,535 parameters in one statement


def _in(manager, name: str, values, *fields) -> list:
    """`filter(<name>__in=values).values_list(*fields)`, a chunk of values at a time."""
    rows = []
    for chunk in batched(values, IN_CHUNK):
        rows += manager.filter(**{f"{name}__in": chunk}).values_list(*fields)
    return rows


class Staged:
    """Rows in a temporary table named for one target table, ready to be applied inside the
    transaction in one statement."""

    def __init__(self, name: str, columns: list[tuple[str, str]]):
        self.table = f"tandem_stage_{name}"
        self.columns = [c for c, _ in columns]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.table} ("
                + ", ".join(f"{c} {t}" for c, t in columns)
                + ")"
            )

    def add(self, rows) -> None:
        marks = ", ".join(["%s"] * len(self.columns))
        with connection.cursor() as cursor:
            for chunk in batched(rows, BATCH):
                cursor.executemany(f"INSERT INTO {self.table} VALUES ({marks})", chunk)

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")


def _db_type(model, name: str) -> str:
    f = model._meta.get_field(name)
    return f.target_field.rel_db_type(connection) if f.is_relation else f.db_type(connection)


def stage_column(model, name: str, values: dict) -> Staged:
    """Primary key -> new value of one column, to be set by `apply_column`."""
    f, pk = model._meta.get_field(name), model._meta.pk
    staged = Staged(
        f"{model._meta.db_table}_{f.column}",
        [("k", pk.db_type(connection)), ("v", _db_type(model, name))],
    )
    staged.add(
        (pk.get_db_prep_value(k, connection), f.get_db_prep_value(v, connection))
        for k, v in values.items()
    )
    return staged


def apply_column(model, name: str, staged: Staged) -> None:
    table, column = model._meta.db_table, model._meta.get_field(name).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = s.v FROM {staged.table} s"
            f" WHERE {table}.{model._meta.pk.column} = s.k"
        )


@dataclass
class Prepared:
    decided: dict
    people: dict  # record -> group root
    counts: Counter
    by_group: dict  # group root -> linked person id
    links: Staged  # record -> linked person
    persons: Staged  # linked person -> Tandem's child
    pairs: Staged  # the new undecided pairs, as rows of linkage_matchpair
    raised: list = field(default_factory=list)

    def drop(self) -> None:
        for staged in (self.links, self.persons, self.pairs):
            staged.drop()


def decided_pairs() -> dict:
    return {
        (a, b): s
        for a, b, s in MatchPair.objects.filter(status__in=DECIDED).values_list(
            "left_id", "right_id", "status"
        )
    }


def prepare(about, scored, decided, review, cluster, as_of) -> Prepared:
    """Everything but the writes others would see: the plan, new people, staged changes."""
    from tandem.linkage.linking import constrained_people

    people = constrained_people(
        list(about),
        [(a, b, p) for a, b, p, _, _ in scored],
        confirmed={k for k, s in decided.items() if s == PairStatus.CONFIRMED},
        rejected={k for k, s in decided.items() if s == PairStatus.REJECTED},
        threshold=cluster,
    )
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, root in people.items():
        groups[root].append(pk)
    before = dict(_in(ExtractRecord.objects, "pk", about, "pk", "linked_person_id"))
    # Each earlier person keeps their id for the group holding most of their records.
    claimed, by_group = set(), {}
    for root, pks in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        votes = Counter(before.get(pk) for pk in pks if before.get(pk))
        keep = next((lp for lp, _ in votes.most_common() if lp not in claimed), None)
        if keep:
            claimed.add(keep)
        by_group[root] = keep
    fresh = [LinkedPerson() for keep in by_group.values() if keep is None]
    for chunk in batched(fresh, BATCH):  # unseen until records point to them
        with transaction.atomic():
            LinkedPerson.objects.bulk_create(chunk)
    new_ids = iter(fresh)
    for root in by_group:
        if by_group[root] is None:
            by_group[root] = next(new_ids).pk
    lp_of = {pk: by_group[people[pk]] for pk in about}
    links = stage_column(
        ExtractRecord,
        "linked_person",
        {pk: lp for pk, lp in lp_of.items() if before.get(pk) != lp},
    )
    persons = stage_column(LinkedPerson, "person", _known_children(groups, by_group, about))
    counts, rows = Counter(), []
    pk = MatchPair._meta.pk
    for a, b, p, w, why in scored:
        if p < review or (a, b) in decided:
            continue
        status = PairStatus.LINKED if p >= cluster else PairStatus.REVIEW
        counts[status] += 1
        rows.append(
            (pk.get_db_prep_value(uuid.uuid4(), connection), a, b, p, w, why or "", status)
        )
    pairs = Staged(
        "pairs",
        [
            ("id", pk.db_type(connection)),
            ("left_id", "bigint"),
            ("right_id", "bigint"),
            ("match_probability", "double precision"),
            ("match_weight", "double precision"),
            ("explanation", "text"),
            ("status", "varchar(20)"),
        ],
    )
    pairs.add(rows)
    events = [
        (lp_of[pk], partner, event, on, str(pk))
        for pk, (partner, event, on, _, _) in about.items()
        if event and on
    ]
    raised = flags.evaluate(events, flags.default_rules(), as_of)
    return Prepared(decided, people, counts, by_group, links, persons, pairs, raised)


def _known_children(groups, by_group, about) -> dict:
    """A linked person whose records carry the NHS number or UPN of a child Tandem holds is
    that child (one child only: two would need a person to look). Returns the changes."""
    from tandem.people.models import Person

    nhs = {about[pk][3] for pks in groups.values() for pk in pks if about[pk][3]}
    upn = {about[pk][4] for pks in groups.values() for pk in pks if about[pk][4]}
    by_nhs = dict(_in(Person.objects, "nhs_number", nhs, "nhs_number", "pk"))
    by_upn = dict(_in(Person.objects, "upn", upn, "upn", "pk"))
    matched = {}
    for root, pks in groups.items():
        found = {by_nhs.get(about[pk][3]) for pk in pks} | {by_upn.get(about[pk][4]) for pk in pks}
        found.discard(None)
        matched[by_group[root]] = found.pop() if len(found) == 1 else None
    current = dict(_in(LinkedPerson.objects, "pk", matched, "pk", "person_id"))
    # The job read Tandem's children to match them: one audit row each.
    found = {p for p in matched.values() if p}
    if found:
        Audit(None, Purpose.SAFEGUARDING_CHECK).rows(
            AuditAction.LOOKUP,
            "linkage_run",
            sorted(found, key=str),
            detail={"matched_by": "NHS number or UPN in partners' extracts"},
        )
    return {lp: p for lp, p in matched.items() if current.get(lp, "absent") != p}


def apply(prepared: Prepared, scored, as_of: dt.date, progress) -> int:
    """Inside the transaction: the staged changes, then the flags. Returns the open flags."""
    apply_column(ExtractRecord, "linked_person", prepared.links)
    # People nobody's records point to any more, unless a decision was made about them.
    LinkedPerson.objects.exclude(
        pk__in=ExtractRecord.objects.filter(linked_person__isnull=False).values("linked_person_id")
    ).exclude(flags__status=FlagStatus.DECIDED).delete()
    apply_column(LinkedPerson, "person", prepared.persons)
    progress.advance()
    columns = "id, left_id, right_id, match_probability, match_weight, explanation, status"
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {MatchPair._meta.db_table} WHERE status NOT IN (%s, %s)", DECIDED
        )
        cursor.execute(
            f"INSERT INTO {MatchPair._meta.db_table} ({columns})"
            f" SELECT {columns} FROM {prepared.pairs.table}"
        )
    # A decided pair keeps its decision and gets the new score.
    existing = {(p.left_id, p.right_id): p for p in MatchPair.objects.filter(status__in=DECIDED)}
    rescored = []
    for a, b, p, w, why in scored:
        if pair := existing.get((a, b)):
            pair.match_probability, pair.match_weight, pair.explanation = p, w, why or ""
            rescored.append(pair)
    MatchPair.objects.bulk_update(
        rescored, ["match_probability", "match_weight", "explanation"], batch_size=BATCH
    )
    progress.advance()
    raised = _save_flags(prepared.raised, as_of)
    progress.advance()
    return raised


def _save_flags(raised, as_of: dt.date) -> int:
    """Raise each rule that fires for a linked person; an open flag that no longer fires
    lapses; a decided flag is raised again only on an indicator later than its latest."""
    open_now = {(f.linked_person_id, f.rule): f for f in Flag.objects.filter(status="open")}
    last_decided = defaultdict(lambda: dt.date.min)
    for lp, rule, latest in Flag.objects.filter(status=FlagStatus.DECIDED).values_list(
        "linked_person_id", "rule", "latest_on"
    ):
        last_decided[(lp, rule)] = max(last_decided[(lp, rule)], latest)
    fresh, updated, still = [], [], set()
    for flag in raised:
        key = (flag.person, flag.rule.name)
        latest = max(i.date for i in flag.evidence)
        evidence = [
            {
                "indicator": i.indicator,
                "event_type": i.event_type,
                "partner": i.partner,
                "date": i.date.isoformat(),
                "record": i.record_id,
            }
            for i in flag.evidence
        ]
        partners = len({i.partner for i in flag.evidence})
        if key in open_now:
            f = open_now[key]
            f.evidence, f.partners, f.latest_on, f.raised_on = evidence, partners, latest, as_of
            updated.append(f)
            still.add(key)
        elif latest > last_decided[key]:
            fresh.append(
                Flag(
                    linked_person_id=flag.person,
                    rule=flag.rule.name,
                    title=flag.rule.title,
                    evidence=evidence,
                    partners=partners,
                    latest_on=latest,
                    raised_on=as_of,
                )
            )
    Flag.objects.bulk_update(updated, ["evidence", "partners", "latest_on", "raised_on"])
    Flag.objects.bulk_create(fresh, batch_size=BATCH)
    lapsed = [f.pk for k, f in open_now.items() if k not in still]
    for chunk in batched(lapsed, IN_CHUNK):
        Flag.objects.filter(pk__in=chunk).update(status=FlagStatus.LAPSED)
    return len(updated) + len(fresh)


def save(about, scored, review, cluster, as_of, progress, timings) -> tuple:
    """Save a run; returns (people by record, pair counts by status, open flags)."""
    started = time.perf_counter()
    decided = decided_pairs()
    prepared = prepare(about, scored, decided, review, cluster, as_of)
    timings["save: prepare"] = time.perf_counter() - started
    try:
        with transaction.atomic():
            t = time.perf_counter()
            if (now := decided_pairs()) != decided:
                prepared.drop()
                prepared = prepare(about, scored, now, review, cluster, as_of)
            raised = apply(prepared, scored, as_of, progress)
            timings["save: write"] = time.perf_counter() - t
    finally:
        prepared.drop()
    timings["save"] = time.perf_counter() - started
    return prepared.people, prepared.counts, raised
