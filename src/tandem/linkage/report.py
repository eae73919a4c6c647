"""The linkage report: what was linked, how, with which parameters, and how it came out.

Markdown for reading in a terminal or a repository, HTML (self-contained, charts as inline SVG
rendered offline by vl-convert) for a browser.
"""

import html
from pathlib import Path

import markdown_it
from django.utils import timezone

from tandem.formats import govuk_datetime
from tandem.linkage.engine import Result


def _svg(spec: dict) -> str | None:
    try:
        import vl_convert
    except ImportError:  # charts are optional: the tables carry the same numbers
        return None
    return vl_convert.vegalite_to_svg(spec)


def cluster_sizes(result: Result) -> list[tuple[int, int]]:
    return result.con.sql(
        """select size, count(*) as clusters from
             (select cluster_id, count(*) as size from clusters group by cluster_id)
           group by size order by size"""
    ).fetchall()


def _fmt(x) -> str:
    if x is None:
        return "not trained"
    return f"{x:.3g}"


def markdown(result: Result, loaded: dict, *, backend: str, thresholds: tuple) -> str:
    pairs = result.con.sql(
        f"select count(*) filter (where match_probability >= {thresholds[1]}), count(*) from pairs"
    ).fetchall()[0]
    sizes = cluster_sizes(result)
    lines = [
        "# Record linkage report",
        "",
        f"Run {govuk_datetime(timezone.now())} on {backend}. "
        f"{loaded['records']:,} records; {sum(c for _, c in sizes):,} people (clusters); "
        f"{pairs[1]:,} pairs with match probability at least {thresholds[0]}, of which "
        f"{pairs[0]:,} at least {thresholds[1]} (the clustering threshold).",
        "",
        "## Sources",
        "",
        "| Source | Rows | Date of birth unreadable | No record id (skipped) |",
        "|---|---:|---:|---:|",
    ]
    for source, s in loaded["sources"].items():
        lines.append(
            f"| {source} | {s['rows']:,} | {s['dob_unreadable']:,} | {s['no_record_id']:,} |"
        )
    if loaded.get("quarantined"):
        left_out = ", ".join(f"{s} {n:,}" for s, n in loaded["quarantined"].items() if n)
        lines += ["", f"Rows left out as bad (see errors.csv): {left_out or 'none'}."]
    lines += [
        "",
        "## Blocking rules (exact pair counts)",
        "",
        "A pair is scored when any rule holds; each rule's count excludes pairs an earlier "
        "rule already made.",
        "",
        "| Rule | New pairs | Cumulative |",
        "|---|---:|---:|",
    ]
    for b in result.blocking:
        lines.append(f"| `{b['rule']}` | {b['marginal']:,} | {b['cumulative']:,} |")
    lines += [
        "",
        "## Training",
        "",
        f"Prior probability that two random records match: {result.training.prior:.3g}.",
        "",
        *[f"- {step}" for step in result.training.steps],
        "",
        "## Model parameters",
        "",
        "The match weight of a level is log2(m/u): positive is evidence for a match. Fixed "
        "levels are rules set by hand (twins and same-name siblings), not learned.",
        "",
        "| Comparison | Level | m | u | Match weight |",
        "|---|---|---:|---:|---:|",
    ]
    for lv in result.levels:
        weight = "" if lv["weight"] is None else f"{lv['weight']:+.2f}"
        fixed = " (fixed)" if lv["fixed"] else ""
        lines.append(
            f"| {lv['comparison']} | {lv['label']}{fixed} | {_fmt(lv['m'])} | "
            f"{_fmt(lv['u'])} | {weight} |"
        )
    if loaded.get("flags") is not None:
        lines += [
            "",
            "## Overlapping-risk flags (proposals for a practitioner, see flags.csv)",
            "",
            "| Rule | People flagged |",
            "|---|---:|",
            *[f"| {name} | {n:,} |" for name, n in loaded["flags"].items()],
        ]
    if loaded.get("flag_rates"):
        overall = loaded["flag_rates"][-1]
        base = overall[2] / overall[1] if overall[1] else 0
        lines += [
            "",
            "### Flag rate by sex (any rule)",
            "",
            "| Sex | People | Flagged | Rate | Ratio to overall |",
            "|---|---:|---:|---:|---:|",
        ]
        for sex, n, k in loaded["flag_rates"]:
            rate = k / n if n else 0
            ratio = f"{rate / base:.2f}" if base else "-"
            lines.append(f"| {sex} | {n:,} | {k:,} | {rate:.2%} | {ratio} |")
    lines += [
        "",
        "## Cluster sizes",
        "",
        "| Records in cluster | Clusters |",
        "|---:|---:|",
        *[f"| {size} | {n:,} |" for size, n in sizes],
        "",
        "## Timings (seconds)",
        "",
        "| Step | Seconds |",
        "|---|---:|",
        *[f"| {step} | {s:.2f} |" for step, s in result.timings.items()],
        "",
        "## Charts",
        "",
        "![Match weights](match-weights.svg)",
        "",
        "![Cluster sizes](cluster-sizes.svg)",
        "",
    ]
    return "\n".join(lines)


def _cluster_chart(sizes) -> dict:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": "Cluster sizes",
        "data": {"values": [{"size": s, "clusters": n} for s, n in sizes]},
        "mark": "bar",
        "encoding": {
            "x": {"field": "size", "type": "ordinal", "title": "Records in cluster"},
            "y": {"field": "clusters", "type": "quantitative", "scale": {"type": "log"}},
        },
    }


def write(out: Path, result: Result, loaded: dict, *, backend: str, thresholds: tuple) -> None:
    text = markdown(result, loaded, backend=backend, thresholds=thresholds)
    (out / "report.md").write_text(text, encoding="utf-8")
    charts = {
        "match-weights.svg": result.charts.get("match weights"),
        "cluster-sizes.svg": _cluster_chart(cluster_sizes(result)),
    }
    inline = {}
    for name, spec in charts.items():
        svg = _svg(spec) if spec else None
        if svg:
            (out / name).write_text(svg, encoding="utf-8")
            inline[name] = svg
    body = markdown_it.MarkdownIt("commonmark").enable("table").render(text)
    for name, svg in inline.items():
        alt = "Match weights" if name.startswith("match") else "Cluster sizes"
        body = body.replace(f'<img src="{name}" alt="{alt}" />', svg)
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape('Record linkage report')}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}"
        "</style></head><body>" + body + "</body></html>"
    )
    (out / "report.html").write_text(page, encoding="utf-8")
