"""Match a new extract against an already linked population, without relinking everyone.

The earlier `link files` run left its trained model (`model.json`) and its people
(`records.parquet`: standardised records with their cluster ids). New records are scored only
against the population (a link-only run of the same model, blocked the same way), and each
joins the person of its best match at or above the cluster threshold, goes to review between
the thresholds, or starts a new person.
"""

import json
import logging
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from splink import DuckDBAPI, Linker

from tandem.linkage import engine, mapping, standardise


def match_new(
    linked: Path,
    files: list[Path],
    mapping_text: str,
    out: Path,
    *,
    review_threshold: float = 0.5,
    cluster_threshold: float = 0.95,
    memory_limit: str | None = None,
) -> dict:
    linked, out = Path(linked), Path(out)
    population = linked / "records.parquet"
    if not (population.is_file() and (linked / "model.json").is_file()):
        raise ValidationError({"linked": f"{linked} holds no earlier `tandem link files` run"})
    started = time.perf_counter()
    paired = mapping.for_files(mapping.parse(mapping_text), [Path(f) for f in files])
    con = standardise.connect(memory_limit=memory_limit)
    standardise.load_files(con, paired, table="arrived")
    # Splink's link-only run keeps its own source_dataset column: ours becomes `source`.
    con.execute(
        "create table arrivals as "
        "select * exclude (source_dataset), source_dataset as source from arrived"
    )
    con.execute(
        "create table population as select * exclude (cluster_id, source_dataset), "
        f"source_dataset as source from '{population}'"
    )
    clash = con.sql("select count(*) from arrivals join population using (unique_id)").fetchall()[
        0
    ][0]
    if clash:
        raise ValidationError({"files": f"{clash:,} records are already in the population"})
    settings = json.loads((linked / "model.json").read_text(encoding="utf-8"))
    settings["link_type"] = "link_only"
    db_api = DuckDBAPI(connection=con)
    linker = Linker(
        [
            db_api.register("population", dataset_display_name="population"),
            db_api.register("arrivals", dataset_display_name="arrivals"),
        ],
        settings,
        log_level=logging.WARNING,
    )
    predictions = linker.inference.predict(threshold_match_probability=review_threshold)
    con.execute(f"create or replace table splink_pairs as from {predictions.physical_name}")
    levels = engine.levels_of(settings)
    engine.add_missing_weight_columns(con, levels)
    # Orient every pair as (arrival, population member).
    con.execute(
        f"""create or replace table scored as
            select case when source_dataset_l = 'arrivals' then unique_id_l else unique_id_r end
                       as new_id,
                   case when source_dataset_l = 'arrivals' then unique_id_r else unique_id_l end
                       as known_id,
                   match_probability, {engine.explanation_sql(levels)} as explanation
            from splink_pairs"""
    )
    out.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"""copy (
            with best as (
                select s.*, row_number() over (
                    partition by new_id order by match_probability desc, known_id) as rank
                from scored s)
            select a.source, a.record_id,
                   case when b.match_probability >= {cluster_threshold} then 'matched'
                        when b.match_probability is not null then 'review'
                        else 'new' end as status,
                   case when b.match_probability >= {cluster_threshold} then p.cluster_id
                        else a.unique_id end as cluster_id,
                   b.known_id as best_match, b.match_probability, b.explanation
            from arrivals a
            left join best b on b.new_id = a.unique_id and b.rank = 1
            left join '{population}' p on p.unique_id = b.known_id
            order by source, record_id
        ) to '{out / "matches.csv"}' (header)"""
    )
    counts = dict(
        con.sql(
            f"select status, count(*) from read_csv('{out / 'matches.csv'}') group by status"
        ).fetchall()
    )
    return {"seconds": time.perf_counter() - started, **counts}
