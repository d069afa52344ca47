"""Chain maps in a real headless Chromium with the network blocked.

Each test opens a page written by ``chainkg viz`` or the library, checks that it made
no request besides its own file and logged no console message of level SEVERE, that
vis holds the nodes and edges the library built, and saves a screenshot to
``artifacts/``. Outside CI these tests skip when Chromium is missing; in CI they fail.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from viz_support import Chromium, browser_missing, require_browser, synthetic_region_graph

if browser_missing() and not os.environ.get("CI"):
    pytest.skip(f"browser tests skipped outside CI: {browser_missing()}", allow_module_level=True)

from selenium.common.exceptions import NoAlertPresentException  # noqa: E402  (fails in CI if missing)
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

import chainkg  # noqa: E402
from chainkg.cli import cli  # noqa: E402
from chainkg.visualize import map_data, write_chain_map  # noqa: E402
from helpers import write_data_dir  # noqa: E402

XSS = '<img src=x onerror="window.__xss=1">'
SCRIPT_XSS = '</script><script>window.__xss=2</script>'
AMP = "a\u2028b & <b>c</b> &amp;"


def csv_cell(text):
    return '"' + text.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def browser():
    require_browser()
    with Chromium() as chromium:
        yield chromium


def open_checked(browser, path, cmap):
    """Open ``path``; assert offline, no console errors, and the DataSets of ``cmap``."""
    drawn_ms = browser.open(path)
    requests = browser.requests()
    page = Path(path).resolve().as_uri()
    assert [u for u in requests if not u.startswith("data:")] == [page], requests
    errors = [e for e in browser.console() if e["level"] == "SEVERE"]
    assert errors == []
    sizes = browser.js("return [window.chainkgNodes.length, window.chainkgEdges.length]")
    assert sizes == [len(cmap.nodes), len(cmap.edges)]
    assert browser.js("return window.chainkgNetwork.getPositions()[arguments[0]].x",
                      cmap.nodes[0]["id"]) == cmap.nodes[0]["x"]  # positions from Python, no physics
    return drawn_ms


def test_embedded_map_shows_liangping_gaps(browser, tmp_path):
    out = tmp_path / "liangping.html"
    result = CliRunner().invoke(cli, ["viz", "--enterprises", "--projects", "-o", str(out)])
    assert result.exit_code == 0, result.output
    cmap = map_data(chainkg.load(), enterprises=True, projects=True)
    open_checked(browser, out, cmap)
    browser.screenshot("viz-liangping")

    # no census covers 梁平区: wafer fabrication is unknown (待摸底), not missing
    unknown = browser.js("return chainkgNodes.get({filter: n => n.status === 'unknown'}).map(n => n.id)")
    expected = [n["id"] for n in cmap.nodes if n.get("status") == "unknown"]
    assert sorted(unknown) == sorted(expected) and "Segment:ic.fabrication.foundry" in unknown
    dashes = browser.js("return chainkgNodes.get('Segment:ic.fabrication.foundry').shapeProperties.borderDashes")
    assert dashes
    header = browser.driver.find_element(By.TAG_NAME, "header").text
    for words in ("梁平区", "集成电路", "2025-10", "梁平区“3+N”产业体系建设", "8%–100% complete", "unknown 待摸底"):
        assert words in header
    legend = browser.driver.find_element(By.ID, "ck-legend").text
    assert all(w in legend for w in ("present", "weak", "planned", "missing", "unresolved", "unknown"))


def test_hover_shows_status_action_and_enterprises(browser, tmp_path):
    out = tmp_path / "ic.html"
    cmap = write_chain_map(out, chainkg.load(), "梁平区", "ic", enterprises=True)
    open_checked(browser, out, cmap)
    node = "Segment:ic.fabrication.power"
    browser.js("chainkgNetwork.focus(arguments[0], {scale: 1.5, animation: false})", node)
    x, y = browser.js("var p = chainkgNetwork.getPositions([arguments[0]])[arguments[0]];"
                      "var d = chainkgNetwork.canvasToDOM(p); return [d.x, d.y];", node)
    canvas = browser.driver.find_element(By.CSS_SELECTOR, "#ck-map canvas")
    size = canvas.size
    ActionChains(browser.driver).move_to_element_with_offset(
        canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)).perform()

    def tooltip(driver):
        tips = driver.find_elements(By.CSS_SELECTOR, "div.vis-tooltip")
        return tips and tips[0].is_displayed() and "功率半导体" in tips[0].text and tips[0].text

    text = WebDriverWait(browser.driver, 5).until(tooltip)
    assert "weak 薄弱" in text and "强链" in text and "重庆平伟实业股份有限公司" in text
    browser.screenshot("viz-hover")


def test_search_and_top_gap_buttons_focus_nodes(browser, tmp_path):
    out = tmp_path / "all.html"
    cmap = write_chain_map(out, chainkg.load(), enterprises=True)
    open_checked(browser, out, cmap)
    box = browser.driver.find_element(By.ID, "ck-search")
    box.send_keys("平伟")
    results = browser.driver.find_element(By.ID, "ck-results").text
    assert "重庆平伟实业股份有限公司" in results
    box.send_keys(Keys.ENTER)
    assert browser.js("return chainkgNetwork.getSelectedNodes()") == ["Enterprise:pingwei"]
    browser.screenshot("viz-search")
    box.clear()
    browser.driver.find_element(By.CSS_SELECTOR, "button.ck-goto").click()
    first_gap = cmap.header["completeness"][0]["gaps"][0]["node"]
    assert browser.js("return chainkgNetwork.getSelectedNodes()") == [first_gap]


def test_hostile_names_stay_text(browser, tmp_path, demo_files):
    # a region of the directory's own (an embedded id keeps its embedded name)
    demo_files["regions.csv"] += f"599901,{csv_cell(f'梁平区{XSS}')},district,500000,test,2024\n"
    title = csv_cell(SCRIPT_XSS + " \u2028 " + XSS)
    demo_files["sources.csv"] = f"id,title,as_of\ntest,{title},2025\n"
    demo_files["enterprises.csv"] = (
        "id,name,region,segments,source,as_of\n"
        f"e1,{csv_cell(XSS)},599901,demo.fab,test,2025\n"
        f"e2,{csv_cell(SCRIPT_XSS)},599901,demo.fab,test,2025\n"
        f"e3,{csv_cell(AMP)},599901,demo.apps,test,2025\n")
    demo_files["chains/demo.yaml"] = demo_files["chains/demo.yaml"].replace("name: 演示链", "name: '<svg onload=alert(3)>'")
    root = write_data_dir(tmp_path / "xss", demo_files)
    graph = chainkg.load(root)
    out = tmp_path / "xss.html"
    cmap = write_chain_map(out, graph, "599901", enterprises=True, projects=True)
    html = out.read_text(encoding="utf-8")
    assert "<img src=x" not in html and "<svg onload" not in html and "<script>window.__xss" not in html

    open_checked(browser, out, cmap)
    assert browser.js("return window.__xss === undefined")
    with pytest.raises(NoAlertPresentException):
        browser.driver.switch_to.alert.text
    assert browser.js("return document.querySelectorAll('img, svg').length") == 0
    assert XSS in browser.driver.find_element(By.ID, "ck-title").text
    assert SCRIPT_XSS in browser.driver.find_element(By.ID, "ck-sources").text
    labels = browser.js("return chainkgNodes.get({filter: n => n.kind === 'Enterprise'})"
                        ".map(n => n.info.heading)")
    assert sorted(labels) == sorted([XSS, SCRIPT_XSS, AMP])
    tip = browser.js("var t = chainkgNodes.get('Segment:demo.fab').title;"
                     "return [t.textContent, t.querySelectorAll('img, script').length]")
    assert XSS in tip[0] and tip[1] == 0
    browser.js("chainkgSearch(arguments[0])", "onerror")
    assert XSS in browser.driver.find_element(By.ID, "ck-results").text
    assert browser.js("return window.__xss === undefined")
    browser.screenshot("viz-xss")


def test_large_region_is_folded_and_drawn(browser, tmp_path):
    graph, region = synthetic_region_graph(5000)
    out = tmp_path / "large.html"
    cmap = write_chain_map(out, graph, region, enterprises=True, projects=True)
    assert cmap.folded["enterprises"] == 5000
    drawn_ms = open_checked(browser, out, cmap)
    assert browser.js("return chainkgNodes.length") <= 2000 and drawn_ms > 0
    notice = browser.driver.find_element(By.CSS_SELECTOR, ".ck-notice")
    assert notice.is_displayed() and "Enterprises folded into their segments (5,000 enterprises)" in notice.text
    assert browser.js("return chainkgNodes.get({filter: n => /家企业/.test(n.label)}).length") > 20
    browser.screenshot("viz-large-folded")
