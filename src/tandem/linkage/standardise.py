"""Partners' files into one table of person records in Tandem's terms, in DuckDB.

Names are lower-cased to letters (a hyphenated surname keeps its parts), placeholders such as
"Baby" and "Unknown" become missing, dates of birth are parsed with the source's format into
ISO text, postcodes are spaced the standard way, NHS numbers and UPNs keep only their
characters. What could not be read becomes missing and is counted, never guessed.
"""

import os
import re
import uuid
from pathlib import Path

import duckdb
from django.conf import settings
from django.core.exceptions import ValidationError

from tandem.linkage.mapping import SourceMapping
from tandem.linkage.nicknames import CANONICAL

PLACEHOLDER_NAMES = ("baby", "unborn", "unknown", "infant", "newborn", "boy", "girl", "nk")
COLUMNS = (
    "unique_id",
    "source_dataset",
    "record_id",
    "given_name",
    "given_canonical",
    "family_name",
    "family_first",
    "family_last",
    "dob",
    "sex",
    "postcode",
    "address",
    "nhs_number",
    "upn",
    "local_id",
    "event_type",
    "event_date",
)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _raw(mapping: SourceMapping, field: str) -> str:
    column = mapping.column(field)
    return f"nullif(trim({_quote(column.name)}), '')" if column else "null"


def _date(mapping: SourceMapping, field: str) -> str:
    column = mapping.column(field)
    if column is None:
        return "null"
    parsed = f"try_strptime(trim({_quote(column.name)}), {_text(column.format)})"
    return f"strftime({parsed}, '%Y-%m-%d')"


def _sex(mapping: SourceMapping) -> str:
    column = mapping.column("sex")
    if column is None:
        return "null"
    if not column.values:
        return f"case upper(trim({_quote(column.name)})) when 'M' then 'M' when 'F' then 'F' end"
    cases = " ".join(
        f"when {_text(code)} then {_text(sex)}" for code, sex in column.values.items()
    )
    return f"case trim({_quote(column.name)}) {cases} end"


def source_select(path: Path, mapping: SourceMapping) -> str:
    """SQL selecting one file's rows in Tandem's raw terms (before cleaning)."""
    return f"""
        select
            {_text(mapping.source)} as source_dataset,
            {_raw(mapping, "record_id")} as record_id,
            {_raw(mapping, "given_name")} as given_raw,
            {_raw(mapping, "known_as")} as known_as_raw,
            {_raw(mapping, "family_name")} as family_raw,
            {_raw(mapping, "date_of_birth")} as dob_raw,
            {_date(mapping, "date_of_birth")} as dob,
            {_sex(mapping)} as sex,
            {_raw(mapping, "postcode")} as postcode_raw,
            {_raw(mapping, "address")} as address,
            {_raw(mapping, "nhs_number")} as nhs_raw,
            {_raw(mapping, "upn")} as upn_raw,
            {_raw(mapping, "local_id")} as local_id,
            {_raw(mapping, "event_type")} as event_type,
            {_date(mapping, "event_date")} as event_date
        from read_csv({_text(str(path))}, all_varchar = true, header = true)
    """


CLEAN = f"""
    with raw as ({{raw}}),
    named as (
        select *,
            nullif(regexp_replace(lower(given_raw), '[^a-z]', '', 'g'), '') as given0,
            nullif(regexp_replace(
                regexp_replace(lower(family_raw), '[^a-z\\- ]', '', 'g'), '[ \\-]+', '-', 'g'
            ), '') as family0,
            nullif(regexp_replace(upper(postcode_raw), '[^A-Z0-9]', '', 'g'), '') as pc0
        from raw
    )
    select
        source_dataset || ':' || record_id as unique_id,
        source_dataset,
        record_id,
        case when given0 in {tuple(PLACEHOLDER_NAMES)} then null else given0 end as given_name,
        case when given0 in {tuple(PLACEHOLDER_NAMES)} then null
             else coalesce(n.canonical, given0) end as given_canonical,
        trim(family0, '-') as family_name,
        split_part(trim(family0, '-'), '-', 1) as family_first,
        nullif(split_part(trim(family0, '-'), '-', -1), '') as family_last,
        dob,
        sex,
        case when length(pc0) between 5 and 7
             then substr(pc0, 1, length(pc0) - 3) || ' ' || substr(pc0, length(pc0) - 2)
        end as postcode,
        upper(address) as address,
        case when length(regexp_replace(nhs_raw, '[^0-9]', '', 'g')) = 10
             then regexp_replace(nhs_raw, '[^0-9]', '', 'g') end as nhs_number,
        nullif(regexp_replace(upper(upn_raw), '[^A-Z0-9]', '', 'g'), '') as upn,
        local_id,
        event_type,
        event_date,
        dob_raw is not null and dob is null as dob_unreadable
    from named
    left join nicknames n on n.name = named.given0
"""


MEMORY = re.compile(r"\d+(\.\d+)?\s*([KMGT]i?B|B)", re.IGNORECASE)


def memory_limit_checked(value: str, *, field: str = "TANDEM_DUCKDB_MEMORY") -> str:
    """A size DuckDB reads ("8GB", "512MiB"), or a ValidationError naming where it came from."""
    value = str(value).strip()
    if not MEMORY.fullmatch(value):
        raise ValidationError({field: f"{value!r} is not a size such as 8GB or 512MiB"})
    return value


def connect(
    database: str = ":memory:", *, memory_limit: str | None = None, temp_dir: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection for linkage, the one Splink works in: held to `memory_limit` (by
    default `TANDEM_DUCKDB_MEMORY`) and spilling beyond it to `temp_dir` (a job's scratch
    folder) or var/duckdb-tmp, where without a limit DuckDB takes most of the machine's memory
    (17 GiB for a 1M-record link)."""
    limit = memory_limit_checked(
        memory_limit or settings.TANDEM_DUCKDB_MEMORY,
        field="memory_limit" if memory_limit else "TANDEM_DUCKDB_MEMORY",
    )
    # One folder per connection: runs side by side must not share spill files, and DuckDB
    # removes a temporary folder it made when the connection closes.
    # A folder named for the process, so a sweep can remove it once the process has gone
    # (`jobs.scratch.scratch_sweep`: DuckDB cannot, if the process was killed).
    parent = Path(settings.TANDEM_DUCKDB_TEMP_DIR)
    parent.mkdir(parents=True, exist_ok=True)
    temp = temp_dir or parent / f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
    con = duckdb.connect(database, config={"memory_limit": limit, "temp_directory": str(temp)})
    con.execute("create or replace table nicknames (name varchar, canonical varchar)")
    con.executemany("insert into nicknames values (?, ?)", list(CANONICAL.items()))
    return con


def load_files(con: duckdb.DuckDBPyConnection, paired: list, table: str = "records") -> dict:
    """Read every (path, mapping) into `table`; returns counts per source and of unreadable
    dates of birth and missing record ids."""
    raw = " union all by name ".join(source_select(p, m) for p, m in paired)
    con.execute(f"create or replace table {table}_all as {CLEAN.format(raw=raw)}")
    stats = con.sql(
        f"""select source_dataset, count(*) as n,
               count(*) filter (where dob_unreadable) as dob_unreadable,
               count(*) filter (where record_id is null) as no_record_id
            from {table}_all group by all order by source_dataset"""
    ).fetchall()
    con.execute(
        f"""create or replace table {table} as
            select {", ".join(COLUMNS)} from {table}_all where record_id is not null
            qualify row_number() over (partition by unique_id order by record_id) = 1"""
    )
    counts = {"records": con.sql(f"select count(*) from {table}").fetchall()[0][0]}
    counts["sources"] = {
        s: {"rows": n, "dob_unreadable": bad, "no_record_id": none} for s, n, bad, none in stats
    }
    return counts
