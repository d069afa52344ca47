"""Headless Chromium for the chain-map tests and benchmark, with the network blocked.

The system's Debian ``chromium`` and ``chromedriver`` are driven through Selenium.
Every request the browser makes is recorded (the DevTools performance log) and every
http(s)/ws(s) URL is blocked twice: by DevTools ``Network.setBlockedURLs`` and by a
host resolver that resolves nothing behind a proxy that does not exist. A page that
tried to fetch anything would still show the attempt in :meth:`Chromium.requests`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("CHAINKG_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHAINKG_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = ROOT / "artifacts"
BLOCKED = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*"]
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-default-apps", "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
        "--window-size=1600,1000"]


def browser_missing():
    """Why the browser tests cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            return f"{path} not found (scripts/setup-test-env.sh installs chromium and chromium-driver)"
    return None


def require_browser():
    """Skip when the browser is missing, except in CI (env CI set), where that fails."""
    reason = browser_missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(f"browser tests skipped outside CI: {reason}")


class Chromium:
    """One headless Chromium with a fresh profile; use as a context manager."""

    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="chainkg-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which(CHROMIUM)
        for arg in ARGS + [f"--user-data-dir={self.profile}"]:
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.driver = webdriver.Chrome(service=Service(shutil.which(CHROMEDRIVER)), options=options)
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": BLOCKED})

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    def open(self, path, timeout=30):
        """Load a local file and wait until vis has drawn; returns ms from navigation to drawing."""
        self.driver.get("about:blank")
        self.driver.get_log("performance")  # drop what the browser did before
        self.driver.get_log("browser")
        self.driver.get(Path(path).resolve().as_uri())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            drawn = self.driver.execute_script("return window.chainkgDrawnAt || null")
            if drawn:
                return drawn
            time.sleep(0.02)
        raise AssertionError(f"vis did not draw {path} within {timeout} s")

    def requests(self):
        """URLs requested since the last :meth:`open` (drains the log)."""
        events = (json.loads(e["message"])["message"] for e in self.driver.get_log("performance"))
        return [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]

    def console(self):
        """Browser console entries since the last :meth:`open` (drains the log)."""
        return self.driver.get_log("browser")

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def screenshot(self, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def synthetic_region_graph(n_enterprises, seed=0):
    """A SYNTHETIC graph (benchmarks/synthetic.py) whose one county holds all ``n_enterprises``."""
    from synthetic import synthetic_graph  # benchmarks/ is on the tests' path

    graph = synthetic_graph(n_enterprises, n_counties=1, seed=seed)
    return graph, graph.home_region
