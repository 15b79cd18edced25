"""/anggaran: supervisors and auditors see next year's forecast and the cost of a reform on the table, with its
chart drawn in the browser from the page's spec (an image without JavaScript);
a reform the law refuses is a 400 page naming the parameter and the date."""

import html
import json
import re
from pathlib import Path

import pytest

from builders import case, child, claim
from web_support import database, signed_in, signing, web  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def claims(web, monkeypatch, tmp_path):
    """An SMA and an SMP child of KC-PLG, approved for 2025/2026; the reforms: the sample and a refused one."""
    shelf = tmp_path / "usulan"
    shelf.mkdir()
    (shelf / "sma-4-juta-2026.toml").write_text((ROOT / "fixtures/reforms/sma-4-juta-2026.toml").read_text())
    (shelf / "mundur.toml").write_text('id = "mundur"\ntitle = "Mundur"\ncitation = "Usulan"\n[[change]]\n'
                                       'scheme = "PP-82-2019"\nparameter = "family_cap"\nfrom = 2018-07-01\n'
                                       'value = 200_000_000\n')
    monkeypatch.setenv("BEASISWA_REFORMS_DIR", str(shelf))
    for number, level, born in ((1, "SMA", (2010, 5, 15)), (2, "SMP", (2012, 3, 1))):
        import datetime as dt
        a_case = case(case_id=f"KC-PLG-2025-{number:06d}", children=[child(born=dt.date(*born))],
                      claims=[claim(level=level)])
        assert web.workflow.take_in("ani", a_case, "test").refusal is None
    return web


def test_a_supervisor_sees_next_years_forecast_by_office_and_level_group(claims):
    page = signed_in(claims, "budi").get("/anggaran?tahun=2026/2027").text
    assert "Anggaran beasiswa tahun ajaran 2026/2027" in page
    assert '<td class="id">KC-PLG</td><td>SMA</td>' in page and '<td class="id">KC-PLG</td><td>SMP</td>' in page


def test_an_auditor_chooses_a_reform_and_sees_its_cost_and_its_chart(claims):
    browser = signed_in(claims, "gita")
    page = browser.get("/anggaran?tahun=2026/2027&usulan=sma-4-juta-2026").text
    assert "Usulan: Beasiswa SMA Rp4.000.000 mulai tahun ajaran 2026/2027" in page
    assert 'src="/anggaran/grafik.svg?tahun=2026/2027&amp;usulan=sma-4-juta-2026"' in page  # without JavaScript
    # Rp4.000.000 weighted by the share expected to stay at school (96%)
    spec = json.loads(html.unescape(re.search(r'data-vega-spec="([^"]*)"', page).group(1)))
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert {"jenjang": "SMA", "hukum": "Usulan", "rupiah": 3_840_000} in spec["vconcat"][0]["data"]["values"]
    for script in ("vega/vega.min.js", "vega/vega-lite.min.js", "vega/vega-embed.min.js", "vega/vega-interpreter.js",
                   "grafik.js"):
        assert f'<script src="/static/{script}" defer></script>' in page
        assert browser.get(f"/static/{script}").status_code == 200
    chart = browser.get("/anggaran/grafik.svg?tahun=2026/2027&usulan=sma-4-juta-2026")
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert chart.text.lstrip().startswith("<svg")


def test_a_supervisor_of_another_office_sees_only_their_offices_cases(claims):
    page = signed_in(claims, "fajar").get("/anggaran?tahun=2026/2027&usulan=sma-4-juta-2026").text
    assert "kantor KC-SBY" in page and "KC-PLG" not in page


def test_a_reform_the_law_refuses_is_a_400_page_naming_the_parameter_and_the_date(claims):
    response = signed_in(claims, "budi").get("/anggaran?tahun=2026/2027&usulan=mundur")
    assert response.status_code == 400
    assert "family_cap[1].from: 2018-07-01 is before the existing value from 2019-12-02" in response.text


def test_a_reform_not_on_the_table_is_refused_by_its_name(claims):
    response = signed_in(claims, "budi").get("/anggaran?usulan=../../etc/passwd")
    assert response.status_code == 400 and "tidak ada di antara usulan yang tersedia" in response.text
