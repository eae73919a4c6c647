"""Care histories for the forecast: one frame of episodes (child, date of birth, start, end,
placement code), from the record's own care episodes or from SSDA903 Header and Episodes files
covering several years, then cleaned the way the analysts' model cleans them (research notes
§3.1, step 1) so both fit the same history."""

from pathlib import Path

import polars as pl

SCHEMA = {"child": pl.String, "dob": pl.Date, "start": pl.Date, "end": pl.Date, "place": pl.String}
HEADER = {"CHILD", "DOB"}
EPISODES = {"CHILD", "DECOM", "DEC", "PLACE"}


class HistoryError(ValueError):
    """Files that cannot be read as a care history; `problems` names each file, row and field."""

    def __init__(self, problems: list[str]):
        shown = problems[:50] + (
            [f"… and {len(problems) - 50} more"] if len(problems) > 50 else []
        )
        super().__init__("\n".join(shown))
        self.problems = problems


def _day(column: str) -> pl.Expr:
    """An SSDA903 date: dd/mm/yyyy as the return has it, or ISO as LIIA's tables have it."""
    text = pl.col(column).str.strip_chars()
    return pl.coalesce(
        text.str.to_date("%d/%m/%Y", strict=False), text.str.to_date("%Y-%m-%d", strict=False)
    )


def _problems(frame: pl.DataFrame, name: str, checks: dict[str, pl.Expr]) -> list[str]:
    """`file row N: message` for every row failing each check (a row is its line in the file)."""
    out = []
    for message, failing in checks.items():
        rows = frame.with_row_index("row", offset=2).filter(failing)["row"].to_list()
        out += [f"{name} row {row}: {message}" for row in rows]
    return out


def read_ssda903(paths: list[Path]) -> pl.DataFrame:
    """Episodes from SSDA903 CSV files (or folders of them): every Header and Episodes file found,
    whatever the year; other tables are passed over. Every bad row is reported at once."""
    files = [
        f for p in map(Path, paths) for f in (sorted(p.rglob("*.csv")) if p.is_dir() else [p])
    ]
    problems: list[str] = []
    headers, episodes = [], []
    for path in files:
        try:
            raw = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
        except pl.exceptions.NoDataError:
            continue  # an empty table (the sample's adoption files): nothing to read
        except (OSError, pl.exceptions.PolarsError) as error:
            problems.append(f"{path.name}: {error}")
            continue
        # As spreadsheets save them: a byte-order mark, spaces or lower case in the headings.
        raw = raw.rename({c: c.lstrip("\ufeff").strip().upper() for c in raw.columns})
        columns = set(raw.columns)
        blank = lambda c: pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "")  # noqa: E731
        if columns >= EPISODES:
            got = raw.select(
                child=pl.col("CHILD").str.strip_chars(),
                start=_day("DECOM"),
                end=_day("DEC"),
                place=pl.col("PLACE").str.strip_chars().str.to_uppercase().fill_null(""),
                bad_start=~blank("DECOM") & _day("DECOM").is_null(),
                bad_end=~blank("DEC") & _day("DEC").is_null(),
                no_child=blank("CHILD"),
                no_start=blank("DECOM"),
            )
            problems += _problems(
                got,
                path.name,
                {
                    "CHILD is empty": pl.col("no_child"),
                    "DECOM is empty": pl.col("no_start"),
                    "DECOM is not a date (dd/mm/yyyy)": pl.col("bad_start"),
                    "DEC is not a date (dd/mm/yyyy)": pl.col("bad_end"),
                    "DEC is before DECOM": pl.col("end") < pl.col("start"),
                },
            )
            episodes.append(got.select("child", "start", "end", "place"))
        elif columns >= HEADER:
            got = raw.select(
                child=pl.col("CHILD").str.strip_chars(),
                dob=_day("DOB"),
                no_child=blank("CHILD"),
                no_dob=blank("DOB"),
            )
            problems += _problems(
                got,
                path.name,
                {
                    "CHILD is empty": pl.col("no_child"),
                    "DOB is empty": pl.col("no_dob"),
                    "DOB is not a date (dd/mm/yyyy)": ~pl.col("no_dob") & pl.col("dob").is_null(),
                },
            )
            headers.append(got.select("child", "dob"))
    if not headers:
        problems.append("no Header file (columns CHILD, DOB) was found")
    if not episodes:
        problems.append("no Episodes file (columns CHILD, DECOM, DEC, PLACE) was found")
    if problems:
        raise HistoryError(problems)
    # The first header of a child wins, and an episode whose child has no header is left out,
    # as v1's inner join leaves it out.
    dobs = pl.concat(headers).unique("child", keep="first", maintain_order=True)
    frame = pl.concat(episodes).join(dobs, on="child", how="inner")
    return clean(frame.select(list(SCHEMA)))


def from_record(local_authority=None) -> pl.DataFrame:
    """Episodes from the record's care episodes (children with a date of birth)."""
    from tandem.care.models import CareEpisode
    from tandem.outcomes.frames import frame, table, text
    from tandem.people.models import Person

    sql = (
        f"SELECT {text('e.child_id')}, p.date_of_birth, e.started_on, e.ended_on, "
        f"e.placement_type FROM {table(CareEpisode)} e "
        f"JOIN {table(Person)} p ON p.id = e.child_id WHERE p.date_of_birth IS NOT NULL"
    )
    params = []
    if local_authority is not None:
        sql += " AND e.local_authority_id = %s"
        params.append(local_authority.pk)
    return clean(frame(sql, params, SCHEMA))


def clean(episodes: pl.DataFrame) -> pl.DataFrame:
    """v1's merge: one episode per child and start (the latest known end), one per child and end
    (the earliest start), and an episode that overlaps the next, or is open while a later one
    exists, ends when the next starts."""
    out = (
        episodes.sort(["child", "start", "end"], nulls_last=False)
        .unique(["child", "start"], keep="last", maintain_order=True)
        .unique(["child", "end"], keep="first", maintain_order=True)
    )
    following = pl.col("start").shift(-1).over("child")
    # An episode ending before it starts cannot be counted (the SSDA903 reader names them; the
    # record may hold one from before its checks).
    out = out.filter(pl.col("end").is_null() | (pl.col("end") >= pl.col("start")))
    return out.with_columns(
        end=pl.when(pl.col("end").is_null() | (pl.col("end") > following))
        .then(following)
        .otherwise(pl.col("end"))
    )


def covered(episodes: pl.DataFrame) -> tuple:
    """The first and last days a history records anything on (a start or an end)."""
    last = max(episodes["start"].max(), episodes["end"].max() or episodes["start"].max())
    return episodes["start"].min(), last
