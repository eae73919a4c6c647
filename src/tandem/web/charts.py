"""Charts as the pages show them: an Altair chart rendered to SVG on the server (vl-convert,
offline), as an image with its alternative text. The page puts the table behind every chart
beside it, so the numbers never depend on seeing the picture."""

import base64

import altair as alt
import vl_convert

FONT = "Arial"  # GOV.UK's fallback: the server has no GDS Transport


def themed(chart: alt.Chart) -> alt.Chart:
    return (
        chart.configure(font=FONT)
        .configure_view(stroke=None)
        .configure_axis(labelFontSize=13, titleFontSize=13)
    )


def svg_src(chart: alt.Chart) -> str:
    """A data: address of the chart as SVG (the pages' policy allows data: images)."""
    svg = vl_convert.vegalite_to_svg(themed(chart).to_dict())
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
