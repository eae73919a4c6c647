"""Linking the loaded extracts, as a background job: the Splink model (`engine`) over every
loaded record, then people formed from its pairs under the practitioners' decisions, then the
overlapping-risk flags over each person's indicators.

People are formed here rather than by Splink's clustering so that decisions bind: confirmed
pairs are joined first, then the model's pairs from the most to the least likely, and a join
that would put the two records of a rejected pair in one person is refused — even through a
third record. Pairs between the review and cluster thresholds wait in the review queue.
"""

import datetime as dt
from collections import defaultdict

import pyarrow as pa
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.jobs.registry import job_kind
from tandem.jobs.scratch import job_scratch
from tandem.linkage import engine, saving, standardise
from tandem.linkage.models import (
    ExtractRecord,
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
    people, counts, raised = saving.save(
        about, scored, review, cluster, as_of, progress, result.timings
    )
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
