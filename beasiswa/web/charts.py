"""Charts drawn on the server as SVG, put in the page inline: no script in the browser, nothing the CSP forbids.

Altair describes the chart (Vega-Lite), vl-convert draws it to SVG without a browser: the SVG it writes uses
attributes, no inline `style`, so it can sit in the page itself; it fetches nothing (`allowed_base_urls` is
empty) and numbers are written the Indonesian way (1.500.000). The SVG keeps its drawn size and its viewBox,
so the stylesheet can shrink it to a narrow screen (`svg.chart`: max-width 100%, height auto) without ever
blowing it up; it is labelled for screen readers (role img).

`bar_chart` is the one shape the pages use so far: values by a category, stacked by a series, e.g. rupiah
paid per period by level group. A page builds its rows (money as int rupiah) and gets Markup back.
"""

from collections.abc import Sequence

import altair as alt
import vl_convert
from markupsafe import Markup, escape

# d3-format's locale for Indonesian: thousands with dots, decimals with a comma, rupiah before the number.
ID_FORMAT = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}
FONT = "Liberation Sans"
PALETTE = ["#00703c", "#3f7cbf", "#c47f17", "#8e5ea2", "#b3261e", "#5b6b76", "#2a9d8f"]


def to_svg(chart: alt.TopLevelMixin, label: str) -> Markup:
    """The chart as inline SVG markup, sized by CSS, labelled `label` for screen readers."""
    svg = vl_convert.vegalite_to_svg(chart.to_dict(), format_locale=ID_FORMAT, allowed_base_urls=[])
    return Markup(svg.replace("<svg ", f'<svg class="chart" role="img" aria-label="{escape(label)}" ', 1))


def bar_chart(rows: Sequence[dict], *, category: str, value: str, series: str | None, label: str,
              category_title: str, value_title: str, series_title: str = "", width: int = 640,
              height: int = 240) -> Markup:
    """Bars of `value` (a whole number: rupiah) by `category`, stacked by `series` when given."""
    values = [dict(row) for row in rows]
    encoding = {
        "x": alt.X(f"{category}:N", title=category_title, sort=None, axis=alt.Axis(labelAngle=0)),
        "y": alt.Y(f"{value}:Q", title=value_title, axis=alt.Axis(format=",d")),
        "tooltip": [alt.Tooltip(f"{category}:N"), alt.Tooltip(f"{value}:Q", format=",d")],
    }
    if series:
        encoding["color"] = alt.Color(f"{series}:N", title=series_title,
                                      scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="top"))
    chart = (alt.Chart(alt.Data(values=values)).mark_bar().encode(**encoding)
             .properties(width=width, height=height)
             .configure(font=FONT).configure_view(stroke=None)
             .configure_axis(labelFontSize=11, titleFontSize=12, gridColor="#e3e8eb"))
    return to_svg(chart, label)
