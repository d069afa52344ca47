"""The brief as PDF, printed from its HTML page by headless Chromium.

Chromium runs with a fresh profile and the network shut (every host resolves to
nothing, behind a proxy that does not exist); the page needs nothing outside itself.
The A4 page size and margins come from the page's ``@page`` rule.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from chainkg.errors import ChainKGError
from chainkg.render import write_atomic
from chainkg.report.html import brief_html

__all__ = ["write_pdf", "print_pdf", "chromium_path"]

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-extensions", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-pdf-header-footer", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=127.0.0.1:9"]


def chromium_path():
    """The Chromium to print with: env CHAINKG_CHROMIUM, else the first on the PATH."""
    found = os.environ.get("CHAINKG_CHROMIUM") or next(filter(None, map(shutil.which, CANDIDATES)), None)
    if not found or not shutil.which(found):
        raise ChainKGError("Chromium was not found to print the PDF: install it (Debian: apt install "
                           "chromium) or set CHAINKG_CHROMIUM; or write .html and print it from a browser")
    return shutil.which(found)


def print_pdf(html_path, timeout=120):
    """PDF bytes of the page at ``html_path``, printed by headless Chromium."""
    with tempfile.TemporaryDirectory(prefix="chainkg-pdf-") as tmp:
        out = Path(tmp) / "page.pdf"
        cmd = [chromium_path(), *ARGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}",
               Path(html_path).resolve().as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as err:
            raise ChainKGError(f"Chromium did not print the PDF within {timeout} s") from err
        if done.returncode != 0 or not out.exists() or not out.stat().st_size:
            tail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise ChainKGError(f"Chromium failed to print the PDF (exit {done.returncode}): {tail[0]}")
        return out.read_bytes()


def write_pdf(path, brief):
    """Write ``brief`` as PDF to ``path`` (atomically)."""
    with tempfile.TemporaryDirectory(prefix="chainkg-report-") as tmp:
        page = Path(tmp) / "brief.html"
        page.write_text(brief_html(brief), encoding="utf-8")
        write_atomic(path, print_pdf(page))
    return path
