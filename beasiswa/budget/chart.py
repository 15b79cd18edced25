"""The what-if's chart: grouped bars of the baseline and the reform by level group, and by office for the
offices the reform changes most. One Vega-Lite spec (altair) serves both shells: static SVG/PNG from the
command line by vl-convert (no browser), the same spec interactive on the web page. Amounts are whole rupiah
in the data; the axis shows them in millions (juta), formatted by Vega with the Indonesian locale."""

import altair as alt
import vl_convert

from beasiswa.budget.tally import WhatIf, row_key

BASELINE, REFORM = "Ketentuan sekarang", "Usulan"
TOP_OFFICES = 10
_JUTA = "format(datum.value / 1000000, ',.1~f') + ' jt'"
_COLOURS = alt.Scale(domain=[BASELINE, REFORM], range=["#8c8c8c", "#1f6fb2"])
# d3-format has no Indonesian locale of its own: the separators as Indonesian writes them (Rp1.500.000,00).
LOCALE = {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["Rp", ""]}


def _bars(rows: list[dict], field: str, title: str, order: list[str]) -> alt.Chart:
    return (alt.Chart(alt.Data(values=rows), title=title)
            .mark_bar()
            .encode(x=alt.X(f"{field}:N", title=None, sort=order, axis=alt.Axis(labelAngle=0)),
                    xOffset=alt.XOffset("hukum:N", sort=[BASELINE, REFORM]),
                    y=alt.Y("rupiah:Q", title="Rupiah (juta)", axis=alt.Axis(labelExpr=_JUTA)),
                    color=alt.Color("hukum:N", scale=_COLOURS, title=None, legend=alt.Legend(orient="top")),
                    tooltip=[alt.Tooltip(f"{field}:N", title=title.split(" ")[0].rstrip(":")),
                             alt.Tooltip("hukum:N", title="Hukum"),
                             alt.Tooltip("rupiah:Q", title="Rupiah", format=",.0f")])
            .properties(width=alt.Step(55), height=220))


def whatif_chart(whatif: WhatIf, title: str) -> alt.VConcatChart:
    by_group: dict[str, list[int]] = {}
    by_office: dict[str, list[int]] = {}
    for row in whatif.rows:
        for table, key in ((by_group, row.level_group), (by_office, row.office)):
            sums = table.setdefault(key, [0, 0])
            sums[0] += row.baseline
            sums[1] += row.reform
    groups = sorted(by_group, key=lambda g: row_key(("", g)))
    offices = sorted(by_office, key=lambda o: (-abs(by_office[o][1] - by_office[o][0]), o))[:TOP_OFFICES]

    def values(table, field, keys):
        return [{field: key, "hukum": name, "rupiah": table[key][i]} for key in keys
                for i, name in enumerate((BASELINE, REFORM))]

    top = _bars(values(by_group, "jenjang", groups), "jenjang", "Jenjang: biaya setahun", groups)
    below = _bars(values(by_office, "kantor", offices), "kantor",
                  f"Kantor dengan perubahan terbesar (paling banyak {TOP_OFFICES})", offices)
    return alt.vconcat(top, below, title=alt.Title(title, anchor="start")).resolve_scale(color="shared")


def chart_svg(chart: alt.TopLevelMixin) -> str:
    return vl_convert.vegalite_to_svg(chart.to_dict(), format_locale=LOCALE)


def chart_png(chart: alt.TopLevelMixin) -> bytes:
    return vl_convert.vegalite_to_png(chart.to_dict(), scale=2, format_locale=LOCALE)
