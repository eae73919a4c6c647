"""Run the model on a table of standardised records: train, predict, cluster, explain.

The records live in DuckDB (`standardise`); the Splink work runs on DuckDB (the same
connection) or on local Spark, and the results come back to DuckDB for writing and explaining.
"""

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from splink import DuckDBAPI, Linker

from tandem.linkage import model


@dataclass
class Result:
    con: duckdb.DuckDBPyConnection
    pairs: str  # DuckDB table: every scored pair at or above the pair threshold
    clusters: str  # DuckDB table: unique_id, cluster_id
    levels: list[dict]  # comparison, level, gamma, m, u, weight
    blocking: list[dict]  # rule, marginal, cumulative (exact)
    training: model.Training
    timings: dict[str, float] = field(default_factory=dict)
    model_json: dict = field(default_factory=dict)
    charts: dict[str, dict] = field(default_factory=dict)  # name -> Vega-Lite spec


def levels_of(model_json: dict) -> list[dict]:
    """Each comparison level with its gamma value (as Splink numbers them) and parameters."""
    import math

    out = []
    for comparison in model_json["comparisons"]:
        name = comparison["output_column_name"]
        non_null = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for k, level in enumerate(non_null):
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = math.log2(m / u) if m and u else None
            out.append(
                {
                    "comparison": name,
                    "gamma": len(non_null) - 1 - k,
                    "label": level.get("label_for_charts") or level["sql_condition"],
                    "m": m,
                    "u": u,
                    "weight": weight,
                    "fixed": bool(level.get("fix_m_probability")),
                }
            )
    return out


def _spark_session(checkpoints: Path):
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    master = os.environ.get("TANDEM_SPARK_MASTER", "local[2]")
    spark = (
        SparkSession.builder.master(master)
        .appName("tandem-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.driver.memory", os.environ.get("TANDEM_SPARK_MEMORY", "4g"))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(str(checkpoints))
    return spark


def explanation_sql(levels: list[dict]) -> str:
    """DuckDB SQL: the pair's evidence in plain words, strongest first, with each weight."""
    items = []
    for name in dict.fromkeys(lv["comparison"] for lv in levels):
        cases = " ".join(
            f"when {lv['gamma']} then '{lv['label'].replace(chr(39), chr(39) * 2)}'"
            for lv in levels
            if lv["comparison"] == name
        )
        weight = f'(coalesce("mw_{name}", 0) + coalesce("mw_tf_adj_{name}", 0))'
        items.append(
            f"case when \"gamma_{name}\" >= 0 then {{'w': abs({weight}), "
            f"'t': (case \"gamma_{name}\" {cases} end) || ' (' || printf('%+.1f', {weight}) "
            "|| ')'} end"
        )
    listed = f"list_filter([{', '.join(items)}], lambda x: x is not null)"
    return f"array_to_string(list_transform(list_sort({listed}, 'DESC'), lambda x: x.t), '; ')"


def add_missing_weight_columns(con, levels: list[dict], table: str = "splink_pairs") -> None:
    """Splink writes term-frequency weights only for comparisons that have them."""
    have = {r[0] for r in con.sql(f"describe {table}").fetchall()}
    for name in dict.fromkeys(lv["comparison"] for lv in levels):
        for col in (f"mw_{name}", f"mw_tf_adj_{name}"):
            if col not in have:
                con.execute(f'alter table {table} add column "{col}" double')


def run(
    con: duckdb.DuckDBPyConnection,
    records: str = "records",
    *,
    backend: str = "duckdb",
    pair_threshold: float = 0.5,
    cluster_threshold: float = 0.95,
    seed: int = 1,
    workdir: Path | None = None,
    report=None,
) -> Result:
    """Link `records` (a DuckDB table from `standardise`) and leave `pairs` and `clusters`
    tables on `con`."""
    logging.getLogger("splink").setLevel(logging.WARNING)
    timings = {}
    clock = time.perf_counter()

    def lap(name):
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now
        if report:
            report(name)

    n = con.sql(f"select count(*) from {records}").fetchall()[0][0]
    settings = model.settings()
    if backend == "spark":
        import tempfile

        workdir = Path(workdir or tempfile.mkdtemp(prefix="tandem-spark-"))
        from splink import SparkAPI

        spark = _spark_session(workdir / "checkpoints")
        con.execute(f"copy {records} to '{workdir / 'records.parquet'}' (format parquet)")
        frame = spark.read.parquet(str(workdir / "records.parquet")).repartition(4)
        db_api = SparkAPI(spark_session=spark)
        sdf = db_api.register(frame, dataset_display_name=records)
    elif backend == "duckdb":
        db_api = DuckDBAPI(connection=con)
        sdf = db_api.register(records, dataset_display_name=records)
    else:
        raise ValueError(f"Unknown backend {backend!r}: duckdb or spark")
    linker = Linker(sdf, settings, log_level=logging.WARNING)
    lap("prepare")
    counts = linker.blocking_analysis.count_comparisons_from_blocking_rules(
        record_sample_proportion=1.0
    )
    blocking = [
        {
            "rule": model.describe_rule(rule),
            "marginal": int(c["marginal_comparison_count"]),
            "cumulative": int(c["cumulative_comparison_count"]),
        }
        for rule, c in zip(model.blocking_rules(), counts, strict=True)
    ]
    lap("count blocked pairs")
    # Each chunk is a Spark job with its own start-up cost.
    training = model.train(linker, n, seed=seed, chunks=1 if backend == "spark" else 10)
    lap("train")
    predictions = linker.inference.predict(threshold_match_probability=pair_threshold)
    lap("predict")
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=cluster_threshold
    )
    lap("cluster")
    model_json = linker.misc.save_model_to_json()
    levels = levels_of(model_json)
    charts = {}
    try:
        charts["match weights"] = linker.visualisations.match_weights_chart().chart_dict
    except Exception:  # noqa: BLE001 - a chart is a nicety; the run's results stand without it
        charts = {}

    if backend == "spark":
        pred_path, clus_path = workdir / "pairs.parquet", workdir / "clusters.parquet"
        predictions.as_spark_dataframe().write.mode("overwrite").parquet(str(pred_path))
        clustered.as_spark_dataframe().select("unique_id", "cluster_id").write.mode(
            "overwrite"
        ).parquet(str(clus_path))
        con.execute(
            f"create or replace table splink_pairs as select * from '{pred_path}/*.parquet'"
        )
        con.execute(f"create or replace table clusters as select * from '{clus_path}/*.parquet'")
    else:
        con.execute(
            f"create or replace table splink_pairs as select * from {predictions.physical_name}"
        )
        con.execute(
            "create or replace table clusters as "
            f"select unique_id, cluster_id from {clustered.physical_name}"
        )
    add_missing_weight_columns(con, levels)
    con.execute(
        f"""create or replace table pairs as
            select unique_id_l as left_id, unique_id_r as right_id,
                   match_probability, match_weight,
                   {explanation_sql(levels)} as explanation
            from splink_pairs"""
    )
    lap("explain")
    return Result(
        con=con,
        pairs="pairs",
        clusters="clusters",
        levels=levels,
        blocking=blocking,
        training=training,
        timings=timings,
        model_json=model_json,
        charts=charts,
    )
