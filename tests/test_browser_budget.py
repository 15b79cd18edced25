"""/anggaran in a real browser (Debian's chromium through Playwright, on the demo served live): the what-if's chart
is drawn by Vega from the page's spec under the page's Content-Security-Policy (no 'unsafe-eval', no inline
style), and hovering a bar shows its figures; the screen is photographed (the `screens` folder; look at it)."""

import re

import pytest
from playwright.sync_api import Page, expect

from browser_support import PASSWORD

pytestmark = pytest.mark.browser


def test_a_supervisor_hovers_a_bar_of_the_whatif_chart_and_reads_its_figures_without_the_csp_refusing_anything(
        page: Page, screens):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if message.type == "error" else None)
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill("plg.pengawas")
    page.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r"/$"))

    page.goto("/anggaran?tahun=2026/2027&usulan=sma-4-juta-2026")
    chart = page.locator("figure.chart.vega svg.marks")
    expect(chart).to_be_visible()
    expect(page.locator("figure.chart.vega img")).to_have_count(0)  # drawn, not the fallback
    bar = page.locator("figure.chart.vega g.mark-rect path").first
    bar.hover()
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Rupiah")
    expect(tooltip).to_contain_text(re.compile(r"\d{1,3}(\.\d{3})+"))  # Indonesian thousands
    screens(page, "anggaran-grafik-tooltip")
    assert not refused, refused
