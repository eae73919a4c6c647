"""The outcomes pages' charts: each outcome's rate (with any national comparison), and the
matched comparison's three rates with the cohort's interval."""

import altair as alt

from tandem.web.charts import svg_src

BLUE, GREY, BLACK = "#1d70b8", "#b1b4b6", "#0b0c0c"


def outcome_rates(figures) -> str | None:
    """Bars of each outcome's rate; suppressed figures are left out (the table says why)."""
    rows = [
        {"outcome": f.figure.outcome.name, "rate": f.rate, "kind": "This cohort"}
        for f in figures
        if f.rate is not None
    ]
    rows += [
        {
            "outcome": f.figure.outcome.name,
            "rate": f.figure.outcome.national.rate,
            "kind": "England",
        }
        for f in figures
        if f.rate is not None and f.figure.outcome.national
    ]
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X(
                "rate:Q", title="Share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])
            ),
            y=alt.Y("outcome:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
            yOffset=alt.YOffset("kind:N"),
            color=alt.Color(
                "kind:N",
                title=None,
                scale=alt.Scale(domain=["This cohort", "England"], range=[BLUE, GREY]),
                legend=alt.Legend(orient="bottom"),
            ),
        )
        .properties(width=420)
    )
    return svg_src(chart)


def comparison_rates(result) -> str | None:
    """The cohort, its matched comparison and everyone who could have been compared, with the
    matched difference's interval drawn on the cohort's bar."""
    if result is None or result.treated_rate is None:
        return None
    rows = [{"group": "Children who received the service", "rate": result.treated_rate}]
    if result.matched_rate is not None:
        rows.append({"group": "Matched comparison children", "rate": result.matched_rate})
    if result.pool_rate is not None:
        rows.append({"group": "Every child who could be compared", "rate": result.pool_rate})
    bars = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(color=BLUE)
        .encode(
            x=alt.X("rate:Q", title="Share", axis=alt.Axis(format="%")),
            y=alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
        )
        .properties(width=420)
    )
    return svg_src(bars)


def value_per_pound(appraisal) -> str | None:
    """£ of benefit per £1 spent: fiscal and all public value, gross and (if known) net."""
    rows = []
    for basis, result in appraisal.results.items():
        label = "Gross" if basis == "gross" else "Net of what would have happened anyway"
        for name, ratio in (
            ("Fiscal", result.fiscal_roi),
            ("Public value", result.public_value_roi),
        ):
            if ratio is not None:
                rows.append({"basis": label, "measure": name, "value": float(ratio)})
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title="£ per £1 spent"),
            y=alt.Y("measure:N", title=None, sort=None),
            yOffset=alt.YOffset("basis:N"),
            color=alt.Color(
                "basis:N",
                title=None,
                scale=alt.Scale(range=[GREY, BLUE]),
                legend=alt.Legend(orient="bottom", labelLimit=400),
            ),
        )
        .properties(width=420)
    )
    return svg_src(chart)


def sdq_trajectory(records) -> str | None:
    """Total difficulties over time, a line for each informant (lower is better)."""
    rows = [
        {"day": r.completed_on.isoformat(), "total": r.total, "informant": r.informant}
        for r in records
        if r.total is not None
    ]
    if len(rows) < 2:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%b %Y")),
            y=alt.Y(
                "total:Q", title="Total difficulties (0 to 40)", scale=alt.Scale(domain=[0, 40])
            ),
            color=alt.Color(
                "informant:N", title="Completed by", legend=alt.Legend(orient="bottom")
            ),
        )
        .properties(width=420, height=220)
    )
    return svg_src(chart)
