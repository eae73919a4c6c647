"""Planning's charts: the forecast as a fan (the record's past months, the forecast line, its 80 %
and 95 % bands), a scenario against its baseline, and a budget by partner. Each page puts the
table behind the chart beside it."""

import altair as alt

from tandem.web.charts import svg_src

BLUE, LIGHT, LIGHTER, BLACK, GREEN = "#1d70b8", "#9cc0e0", "#d2e2f1", "#0b0c0c", "#00703c"


def _x():
    return alt.X("month:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=8))


def fan(result: dict, *, title: str = "Children in care") -> str:
    # The forecast line starts where the record ends: its first day, with no band.
    now = result["in_care_now"]
    first = {k: now for k in ("in_care", "low_95", "low_80", "high_80", "high_95")}
    months = [{"month": result["first_day"], **first}] * (now == 0 or now >= 5) + result["months"]
    band = alt.Chart(alt.Data(values=months)).encode(x=_x())
    layers = [
        band.mark_area(color=LIGHTER).encode(y=alt.Y("low_95:Q", title=title), y2="high_95:Q"),
        band.mark_area(color=LIGHT).encode(y="low_80:Q", y2="high_80:Q"),
        band.mark_line(color=BLUE, strokeWidth=2).encode(y="in_care:Q"),
    ]
    past = [p for p in result.get("past", []) if not 0 < p["in_care"] < 5]  # no count of 1-4
    if past:
        layers.append(
            alt.Chart(alt.Data(values=past))
            .mark_line(color=BLACK, strokeWidth=2)
            .encode(x=_x(), y="in_care:Q")
        )
    return svg_src(alt.layer(*layers).properties(width=640, height=300))


def compared(baseline: dict, changed: dict) -> str:
    rows = [dict(r, forecast="Baseline") for r in baseline["months"]]
    rows += [dict(r, forecast="Scenario") for r in changed["months"]]
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=_x(),
        color=alt.Color(
            "forecast:N",
            title=None,
            scale=alt.Scale(domain=["Baseline", "Scenario"], range=[BLUE, GREEN]),
            legend=alt.Legend(orient="bottom"),
        ),
    )
    chart = alt.layer(
        base.mark_area(opacity=0.18).encode(
            y=alt.Y("low_95:Q", title="Children in care"), y2="high_95:Q"
        ),
        base.mark_line(strokeWidth=2).encode(y="in_care:Q"),
    )
    return svg_src(chart.properties(width=640, height=300))


def leavers(result: dict) -> str:
    rows = [
        {"month": r["month"], "age": f"{age}", "young people": r[f"age_{age}"]}
        for r in result["leavers"][::3]
        for age in range(17, 26)
    ]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_area()
        .encode(
            x=_x(),
            y=alt.Y("young people:Q", title="Care leavers aged 17 to 25", stack=True),
            color=alt.Color(
                "age:O",
                title="Age",
                scale=alt.Scale(scheme="blues"),
                legend=alt.Legend(orient="right"),
            ),
        )
        .properties(width=600, height=260)
    )
    return svg_src(chart)


def by_partner(rows: list[dict]) -> str | None:
    """Bars of what each partner puts in, coloured by the kind of stream."""
    if not rows:
        return None
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=alt.X("amount:Q", title="Pounds", axis=alt.Axis(format="~s")),
            y=alt.Y("partner:N", title=None, sort="-x", axis=alt.Axis(labelLimit=420)),
            color=alt.Color(
                "kind:N",
                title="Stream",
                legend=alt.Legend(orient="bottom", labelFontSize=13, titleFontSize=13),
            ),
        )
        .properties(width=480)
    )
    return svg_src(chart)
