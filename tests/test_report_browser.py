"""chainkg report in a real headless Chromium (network blocked): the HTML page and its PDF.

The page must make no request besides its own file (the diagrams are data: images), log
no console error, fit every table and diagram in the A4 text width, show the library's
numbers, and keep hostile names as text. The PDF, printed by Chromium, must be A4 with a
page count in the expected range. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from viz_support import ARTIFACTS, Chromium, browser_missing, require_browser

if browser_missing() and not os.environ.get("CI"):
    pytest.skip(f"browser tests skipped outside CI: {browser_missing()}", allow_module_level=True)

import chainkg  # noqa: E402
from chainkg.cli import cli  # noqa: E402
from chainkg.report import build_brief  # noqa: E402
from chainkg.report.brief import cell_text  # noqa: E402
from report_support import FORMULA, IMG, SCRIPT, hostile_data_dir  # noqa: E402

A4_PX = (794, 1123)        # 210 × 297 mm at 96 px per inch
TEXT_WIDTH_PX = 186 / 25.4 * 96   # A4 less the page's 12 mm margins
PAGES = (8, 30)            # the embedded brief: three chains, ledgers, sources


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with Chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    for name in ("liangping.html", "liangping.pdf"):
        result = CliRunner().invoke(cli, ["report", "-o", str(out / name)])
        assert result.exit_code == 0, result.output
    return out


def open_page(browser, path):
    browser.driver.get("about:blank")
    browser.driver.get_log("performance")
    browser.driver.get_log("browser")
    browser.driver.get(Path(path).resolve().as_uri())
    browser.js("return document.fonts.ready.then(() => true)")
    requests = [u for u in browser.requests() if not u.startswith("data:")]
    assert requests == [Path(path).resolve().as_uri()], requests
    assert browser.console() == []  # nothing logged at all, errors least


def test_html_report_renders_offline_without_console_errors(browser, pages):
    browser.driver.set_window_size(*A4_PX)
    open_page(browser, pages / "liangping.html")
    images = browser.js("return [...document.images].map(i => [i.complete, i.naturalWidth, i.alt])")
    assert len(images) == 3 and all(done and width > 0 for done, width, _ in images), images
    assert browser.js("return document.scripts.length") == 0
    text = browser.js("return document.body.innerText")
    for words in ("梁平区产业链招商工作简报", "产业链全景图", "缺链弱链清单", "目标企业清单", "重点企业库",
                  "重点项目库", "数据来源与方法", "补链", "待摸底"):
        assert words in text
    browser.js("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    browser.driver.save_screenshot(str(ARTIFACTS / "report-first-page.png"))


@pytest.mark.parametrize("media", ["screen", "print"])
def test_no_table_or_diagram_is_wider_than_a4(browser, pages, media):
    browser.driver.set_window_size(*A4_PX)
    open_page(browser, pages / "liangping.html")
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": media})
    try:
        widths = browser.js("""
            const body = document.body.getBoundingClientRect();
            return [...document.querySelectorAll('table, img, figure')].map(e => {
                const r = e.getBoundingClientRect();
                return [e.tagName, r.width, e.scrollWidth, r.left - body.left, r.right - body.right];
            });""")
    finally:
        browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert len(widths) > 10
    for tag, width, scroll, left, right_over in widths:
        assert width <= TEXT_WIDTH_PX + 1 and scroll <= width + 1, (tag, width, scroll)
        assert left >= -1 and right_over <= 1, (tag, left, right_over)


def test_html_tables_show_the_library_numbers(browser, pages):
    brief = build_brief(chainkg.load())
    open_page(browser, pages / "liangping.html")
    for c in brief.chains:
        rows = browser.js("""return [...document.querySelectorAll('#chain-' + arguments[0] + ' table')[0].rows]
                             .map(r => [...r.cells].map(x => x.textContent))""", c.chain)
        assert rows[0] == list(c.gaps.columns)
        assert rows[1:] == [[cell_text(v) for v in r] for r in c.gaps.itertuples(index=False)]
    ledger = browser.js("""return [...document.querySelectorAll('#projects table')[1].rows]
                           .map(r => [...r.cells].map(x => x.textContent))""")
    assert ledger[1:] == [[cell_text(v) for v in r] for r in brief.reconciliation.itertuples(index=False)]
    text = browser.js("return document.getElementById('projects').innerText")
    for figure in ("57", "98.35亿元", "84.2%", "35.1%", "31.6%", "35.0%", "31.5%", "+0.1 个百分点"):
        assert figure in text


def test_hostile_names_are_text_in_the_page(browser, tmp_path):
    root = hostile_data_dir(tmp_path)
    out = tmp_path / "hostile.html"
    assert CliRunner().invoke(cli, ["--data", str(root), "report", "-o", str(out)]).exit_code == 0
    open_page(browser, out)
    assert browser.js("return window.__xss === undefined && document.scripts.length === 0")
    assert browser.js("return document.images.length") == 3  # the diagrams, no injected image
    cells = browser.js("return [...document.querySelectorAll('td')].map(td => td.textContent)")
    assert {SCRIPT, FORMULA, IMG} <= set(cells)


def pdf_pages(data):
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_pdf_is_a4_with_the_expected_page_count(pages):
    data = (pages / "liangping.pdf").read_bytes()
    assert data.startswith(b"%PDF-")
    count = pdf_pages(data)
    assert PAGES[0] <= count <= PAGES[1], count
    boxes = {tuple(round(float(x)) for x in box.split()) for box in
             re.findall(rb"/MediaBox\s*\[([^\]]+)\]", data)}
    assert boxes == {(0, 0, 595, 842)}, boxes  # A4 in points
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-liangping.pdf").write_bytes(data)
