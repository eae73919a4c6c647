"""Linking the loaded extracts, as a background job: the Splink model (`engine`) over every
loaded record, then people formed from its pairs under the practitioners' decisions, then the
overlapping-risk flags over each person's indicators.

People are formed here rather than by Splink's clustering so that decisions bind: confirmed
pairs are joined first, then the model's pairs from the most to the least likely, and a join
that would put the two records of a rejected pair in one person is refused — even through a
third record. Pairs between the review and cluster thresholds wait in the review queue.
"""

import datetime as dt
import time
from collections import Counter, defaultdict

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.jobs.registry import job_kind
from tandem.jobs.scratch import job_scratch
from tandem.linkage import engine, flags, standardise
from tandem.linkage.models import (
    DECIDED,
    ExtractRecord,
    Flag,
    FlagStatus,
    LinkedPerson,
    MatchPair,
    PairStatus,
    UploadStatus,
)

JOB_KIND = "linkage.link"
REVIEW_THRESHOLD = 0.5
CLUSTER_THRESHOLD = 0.95
BATCH = 5000
RAW = (
    "source_dataset",
    "record_id",
    "given_raw",
    "known_as_raw",
    "family_raw",
    "dob_raw",
    "dob",
    "sex",
    "postcode_raw",
    "address",
    "nhs_raw",
    "upn_raw",
    "local_id",
    "event_type",
    "event_date",
)


def link_start(*, actor, as_of: dt.date | None = None, enqueue: bool = True):
    from tandem.jobs.services import job_start

    require_role(actor, Action.REVIEW_LINKS)
    return job_start(
        owner=actor,
        kind=JOB_KIND,
        title="Link the partners' extracts",
        params={
            "review_threshold": REVIEW_THRESHOLD,
            "cluster_threshold": CLUSTER_THRESHOLD,
            "as_of": (as_of or timezone.localdate()).isoformat(),
        },
        enqueue=enqueue,
    )


def constrained_people(ids, pairs, *, confirmed, rejected, threshold: float) -> dict[int, int]:
    """Each record's person (a representative record id). `pairs` are (left, right,
    probability); `confirmed` and `rejected` are sets of ordered (left, right)."""
    parent = {i: i for i in ids}
    members = {i: [i] for i in ids}
    forbidden: dict[int, set[int]] = defaultdict(set)
    for a, b in rejected:
        if a in parent and b in parent:
            forbidden[a].add(b)
            forbidden[b].add(a)

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a, b) -> None:
        ra, rb = find(a), find(b)
        if ra == rb:
            return
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        if forbidden.get(ra) and any(m in forbidden[ra] for m in members[rb]):
            return  # a practitioner said these are different people
        parent[rb] = ra
        members[ra] += members.pop(rb)
        if rb in forbidden:
            forbidden[ra] |= forbidden.pop(rb)

    for a, b in sorted(confirmed):
        if a in parent and b in parent:
            join(a, b)
    for a, b, p in sorted(pairs, key=lambda x: (-x[2], x[0], x[1])):
        if p >= threshold and (a, b) not in rejected:
            join(a, b)
    return {i: find(i) for i in ids}


def _records_table(con, progress) -> dict[int, tuple]:
    """Every loaded record into DuckDB as `raw_db`; returns pk -> (partner, event_type, date,
    nhs number, upn) for what comes after the model."""
    qs = ExtractRecord.objects.filter(
        upload__status__in=(UploadStatus.LOADED, UploadStatus.QUARANTINED)
    ).values_list(
        "pk",
        "upload__extract_type",
        "upload__partner__name",
        "given_name",
        "known_as",
        "family_name",
        "date_of_birth",
        "sex",
        "postcode",
        "address",
        "nhs_number",
        "upn",
        "local_id",
        "event_type",
        "event_date",
    )
    columns = {c: [] for c in RAW}
    about = {}
    for row in qs.iterator(chunk_size=BATCH):
        pk, kind, partner, given, known, family, born, sex, pc, addr, nhs, upn, local, ev, on = row
        values = (
            kind,
            str(pk),
            given,
            known,
            family,
            born.isoformat(),
            born.isoformat(),
            sex,
            pc,
            addr,
            nhs,
            upn,
            local,
            ev,
            on.isoformat() if on else None,
        )
        for c, v in zip(RAW, values, strict=True):
            columns[c].append(v or None)
        about[pk] = (partner, ev, on, nhs, upn)
        if len(about) % BATCH == 0:
            progress.set(len(about))
    raw_db = pa.table({c: pa.array(v, pa.string()) for c, v in columns.items()})  # noqa: F841
    con.execute("create table raw_db as select * from raw_db")
    return about


@job_kind(JOB_KIND)
def link_run(job, progress) -> dict:
    review, cluster = job.params["review_threshold"], job.params["cluster_threshold"]
    as_of = dt.date.fromisoformat(job.params["as_of"])
    progress.stage("Reading the loaded extracts")
    con = standardise.connect(temp_dir=job_scratch(job) / "duckdb")
    try:
        return _link(job, con, progress, review, cluster, as_of)
    finally:
        con.close()


def _link(job, con, progress, review, cluster, as_of) -> dict:
    about = _records_table(con, progress)
    if len(about) < 2:
        raise ValidationError({"records": "Load at least two records before linking"})
    con.execute(f"create table records as {standardise.CLEAN.format(raw='select * from raw_db')}")
    steps = iter(("Training the model", "Scoring pairs", "Forming people", "Explaining"))
    progress.stage("Counting the pairs to compare")
    result = engine.run(
        con,
        pair_threshold=review,
        cluster_threshold=cluster,
        report=lambda _name: progress.stage(next(steps, "Explaining")),
    )
    scored = [
        (int(a.split(":", 1)[1]), int(b.split(":", 1)[1]), p, w, why)
        for a, b, p, w, why in con.sql(
            "select left_id, right_id, match_probability, match_weight, explanation from pairs"
        ).fetchall()
    ]
    scored = [(min(a, b), max(a, b), p, w, why) for a, b, p, w, why in scored]
    progress.stage("Saving people, pairs and flags", total=3)
    # Planned before the transaction, which then only writes: it holds the database's write
    # lock, and on SQLite every other writer waits for it. Planned again inside only if a
    # reviewer decided a pair meanwhile.
    started = time.perf_counter()
    decided = _decided()
    plan = _plan(about, scored, decided, review, cluster)
    result.timings["save: plan"] = time.perf_counter() - started
    with transaction.atomic():
        t = time.perf_counter()
        if (now := _decided()) != decided:
            decided, plan = now, _plan(about, scored, now, review, cluster)
        people, fresh_pairs, counts = plan
        linked = _save_people(people, about)
        progress.advance()
        _save_pairs(scored, decided, fresh_pairs)
        progress.advance()
        raised = _save_flags(linked, about, as_of)
        progress.advance()
        result.timings["save: write"] = time.perf_counter() - t
    result.timings["save"] = time.perf_counter() - started
    statistics_refresh()
    return {
        "records": len(about),
        "people": len(set(people.values())),
        "pairs_scored": len(scored),
        "pairs_for_review": counts[PairStatus.REVIEW],
        "pairs_linked": counts[PairStatus.LINKED],
        "blocked_pairs": result.blocking[-1]["cumulative"] if result.blocking else 0,
        "flags_open": raised,
        "timings": {k: round(v, 2) for k, v in result.timings.items()},
    }


# The tables a linking run fills in bulk, and that the worklist and review queue then read.
LOADED_TABLES = (
    "linkage_extractrecord",
    "linkage_linkedperson",
    "linkage_matchpair",
    "linkage_flag",
)


def statistics_refresh() -> None:
    """After a bulk load PostgreSQL's planner still believes the tables' old sizes (autovacuum
    catches up minutes later), and may plan the worklist's page as a scan of every flag. ANALYZE
    now, so the first page after a run is planned on the rows it holds. SQLite plans without
    statistics unless some are gathered, so it is left as it is."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(LOADED_TABLES)}")


def _save_people(people: dict[int, int], about: dict) -> dict[int, LinkedPerson]:
    """One LinkedPerson per group of records, keeping each earlier person's id for the group
    holding most of their records; linked to Tandem's child by NHS number or UPN."""
    groups: dict[int, list[int]] = defaultdict(list)
    for pk, root in people.items():
        groups[root].append(pk)
    before = dict(ExtractRecord.objects.filter(pk__in=about).values_list("pk", "linked_person_id"))
    claimed, by_group = set(), {}
    for root, pks in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        votes = Counter(before.get(pk) for pk in pks if before.get(pk))
        keep = next((lp for lp, _ in votes.most_common() if lp not in claimed), None)
        if keep:
            claimed.add(keep)
        by_group[root] = keep
    fresh = [LinkedPerson() for root, keep in by_group.items() if keep is None]
    LinkedPerson.objects.bulk_create(fresh)
    new_ids = iter(fresh)
    for root in by_group:
        if by_group[root] is None:
            by_group[root] = next(new_ids).pk
    column_set(
        ExtractRecord,
        "linked_person",
        {pk: by_group[people[pk]] for pk in about if before.get(pk) != by_group[people[pk]]},
    )
    # People nobody's records point to any more, unless a decision was made about them.
    LinkedPerson.objects.exclude(pk__in=set(by_group.values())).exclude(
        flags__status=FlagStatus.DECIDED
    ).delete()
    _link_known_children(groups, by_group, about)
    return {root: lp for root, lp in by_group.items()}


def column_set(model, name: str, values: dict) -> None:
    """Set one column of many rows (primary key -> value) in one statement: the linking run's
    save holds the database's write lock, and `bulk_update`'s CASE per row took seconds."""
    if not values:
        return
    field, pk = model._meta.get_field(name), model._meta.pk
    table, column = model._meta.db_table, field.column
    keys = [pk.get_db_prep_value(k, connection) for k in values]
    news = [field.get_db_prep_value(v, connection) for v in values.values()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} t SET {column} = m.v"
                f" FROM unnest(%s::{pk.db_type(connection)}[], %s::{field.db_type(connection)}[])"
                f" AS m(k, v) WHERE t.{pk.column} = m.k",
                [keys, news],
            )
            return
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS tandem_column_set (k PRIMARY KEY, v)")
        cursor.execute("DELETE FROM tandem_column_set")
        cursor.executemany(
            "INSERT INTO tandem_column_set VALUES (%s, %s)", list(zip(keys, news, strict=True))
        )
        cursor.execute(
            f"UPDATE {table} SET {column} = m.v FROM tandem_column_set m"
            f" WHERE {table}.{pk.column} = m.k"
        )
        cursor.execute("DELETE FROM tandem_column_set")


def _link_known_children(groups, by_group, about) -> None:
    """A linked person whose records carry the NHS number or UPN of a child Tandem holds is
    that child (one child only: two would need a person to look)."""
    from tandem.people.models import Person

    nhs = {about[pk][3] for pks in groups.values() for pk in pks if about[pk][3]}
    upn = {about[pk][4] for pks in groups.values() for pk in pks if about[pk][4]}
    by_nhs = dict(Person.objects.filter(nhs_number__in=nhs).values_list("nhs_number", "pk"))
    by_upn = dict(Person.objects.filter(upn__in=upn).values_list("upn", "pk"))
    matched = {}
    for root, pks in groups.items():
        found = {by_nhs.get(about[pk][3]) for pk in pks} | {by_upn.get(about[pk][4]) for pk in pks}
        found.discard(None)
        matched[by_group[root]] = found.pop() if len(found) == 1 else None
    current = dict(LinkedPerson.objects.filter(pk__in=matched).values_list("pk", "person_id"))
    column_set(LinkedPerson, "person", {lp: p for lp, p in matched.items() if current[lp] != p})
    # The job read Tandem's children to match them: one audit row each.
    found = {p for p in matched.values() if p}
    if found:
        Audit(None, Purpose.SAFEGUARDING_CHECK).rows(
            AuditAction.LOOKUP,
            "linkage_run",
            sorted(found, key=str),
            detail={"matched_by": "NHS number or UPN in partners' extracts"},
        )


def _decided() -> dict:
    return {
        (a, b): s
        for a, b, s in MatchPair.objects.filter(status__in=DECIDED).values_list(
            "left_id", "right_id", "status"
        )
    }


def _plan(about, scored, decided, review: float, cluster: float):
    """The people (record -> group) under the review decisions, and the model's new pairs at
    or above the review threshold (a decided pair keeps its row), with counts by status."""
    people = constrained_people(
        list(about),
        [(a, b, p) for a, b, p, _, _ in scored],
        confirmed={k for k, s in decided.items() if s == PairStatus.CONFIRMED},
        rejected={k for k, s in decided.items() if s == PairStatus.REJECTED},
        threshold=cluster,
    )
    counts, fresh = Counter(), []
    for a, b, p, w, why in scored:
        if p < review or (a, b) in decided:
            continue
        status = PairStatus.LINKED if p >= cluster else PairStatus.REVIEW
        counts[status] += 1
        fresh.append(
            MatchPair(
                left_id=a,
                right_id=b,
                match_probability=p,
                match_weight=w,
                explanation=why or "",
                status=status,
            )
        )
    return people, fresh, counts


def _save_pairs(scored, decided, fresh: list) -> None:
    """The new pairs replace the undecided ones; a decided pair keeps its decision and gets
    the new score."""
    MatchPair.objects.exclude(status__in=DECIDED).delete()
    MatchPair.objects.bulk_create(fresh, batch_size=BATCH)
    existing = {(p.left_id, p.right_id): p for p in MatchPair.objects.filter(status__in=DECIDED)}
    rescored = []
    for a, b, p, w, why in scored:
        if (a, b) in decided:
            pair = existing[(a, b)]
            pair.match_probability, pair.match_weight, pair.explanation = p, w, why or ""
            rescored.append(pair)
    MatchPair.objects.bulk_update(
        rescored, ["match_probability", "match_weight", "explanation"], batch_size=BATCH
    )


def _save_flags(linked: dict, about: dict, as_of: dt.date) -> int:
    """Raise each rule that fires for a linked person; an open flag that no longer fires
    lapses; a decided flag is raised again only on an indicator later than its latest."""
    lp_of = dict(ExtractRecord.objects.filter(pk__in=about).values_list("pk", "linked_person_id"))
    events = [
        (lp_of[pk], partner, event, on, str(pk))
        for pk, (partner, event, on, _, _) in about.items()
        if event and on
    ]
    raised = flags.evaluate(events, flags.default_rules(), as_of)
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
    Flag.objects.filter(pk__in=lapsed).update(status=FlagStatus.LAPSED)
    return len(updated) + len(fresh)
