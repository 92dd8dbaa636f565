"""A printable PDF of a standalone HTML report, rendered by a real browser engine.

The engine is Debian's Chromium (``/usr/bin/chromium``, or the path in $HEATPROOF_CHROMIUM)
driven by Playwright for Python (``page.pdf``); Playwright's own browser downloads are never
used. Playwright was chosen over ``chromium --headless --print-to-pdf`` because it can wait for
the Plotly figures to be drawn before printing and can inject the print style sheet, which the
command line cannot. The page is laid out at the printable width of A4 (so each figure is drawn
at the width it is printed), every request that is not a local file is refused (the reports are
standalone), and the PDF is written atomically with heatproof.outputs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from heatproof.errors import HeatproofError
from heatproof.outputs import write_bytes

CHROMIUM_ENV = "HEATPROOF_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Chromium keeps trying to reach the internet without the networking flags; --no-sandbox
# because the tools run as root in containers, where Chromium's sandbox cannot start
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
INSTALL_HINT = (
    "install Debian's chromium (as root: apt-get install chromium, or run scripts/setup.sh), "
    f"or set {CHROMIUM_ENV} to a Chromium executable; --no-pdf skips the PDF"
)
PAGE_MARGIN_MM = 12
# A4's printable width at CSS's 96 px per inch: (210 - 2 * 12) mm
PRINT_WIDTH_PX = round((210 - 2 * PAGE_MARGIN_MM) / 25.4 * 96)
PRINT_CSS = f"""@page {{ size: A4; margin: {PAGE_MARGIN_MM}mm; }}
@media print {{
  body {{ max-width: none !important; margin: 0 !important; }}
  .plotly-graph-div, .js-plotly-plot, table, tr, figure, li {{ break-inside: avoid; }}
  h1, h2, h3 {{ break-after: avoid; }}
  .modebar-container {{ display: none !important; }}
}}"""
# true once every Plotly figure has drawn its SVG (and at once for a page without figures)
PLOTS_DRAWN_JS = """() => [...document.querySelectorAll('.plotly-graph-div')]
  .every(d => d.querySelector('.main-svg') !== null)"""
RENDER_TIMEOUT_S = 120.0


def chromium_path() -> Path:
    """The Chromium executable: $HEATPROOF_CHROMIUM when set, else /usr/bin/chromium, else
    ``chromium`` on the PATH; HeatproofError naming how to install it when there is none."""
    configured = os.environ.get(CHROMIUM_ENV)
    candidates = [configured] if configured else [DEFAULT_CHROMIUM, shutil.which("chromium")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return Path(candidate)
    where = f"{CHROMIUM_ENV}={configured}" if configured else DEFAULT_CHROMIUM
    raise HeatproofError(f"no Chromium browser at {where} to render the PDF; {INSTALL_HINT}")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium browser (Playwright's Browser) launched from :func:`chromium_path`
    with :data:`CHROMIUM_ARGS`, closed on exit; HeatproofError naming the fix when Playwright
    is not installed or the browser does not start."""
    executable = chromium_path()
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise HeatproofError(
            "the Python package playwright is not installed; install heatproof with its "
            "dependencies (pip install -e .) or use --no-pdf"
        ) from None
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=str(executable), args=list(CHROMIUM_ARGS)
            )
        except Error as exc:
            reason = " ".join(str(exc).split())[:200]
            raise HeatproofError(
                f"Chromium at {executable} did not start ({reason}); {INSTALL_HINT}"
            ) from None
        try:
            yield browser
        finally:
            browser.close()


def open_report(browser: Any, html_path: Path | str, timeout_s: float = RENDER_TIMEOUT_S) -> Any:
    """A new page of ``browser`` (from :func:`chromium`) showing the local HTML file
    ``html_path`` at A4's printable width, with the print style sheet added and every Plotly
    figure drawn; requests other than local files are refused. Waits at most ``timeout_s``
    seconds for the figures (HeatproofError after that)."""
    from playwright.sync_api import Error

    path = Path(html_path).resolve()
    if not path.is_file():
        raise HeatproofError(f"report {path} does not exist; write the HTML report first")
    page = browser.new_page(viewport={"width": PRINT_WIDTH_PX, "height": 1100})
    page.route(
        "**/*",
        lambda route: route.continue_()
        if route.request.url.startswith("file:")
        else route.abort(),
    )
    try:
        page.goto(path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
        page.add_style_tag(content=PRINT_CSS)
        page.wait_for_function(PLOTS_DRAWN_JS, timeout=timeout_s * 1000)
        page.evaluate("() => document.fonts.ready.then(() => true)")
    except Error as exc:
        page.close()
        reason = " ".join(str(exc).split())[:200]
        raise HeatproofError(
            f"Chromium did not render {path} within {timeout_s:.0f} s ({reason}); open the "
            "HTML report in a browser to see what fails"
        ) from None
    return page


def html_to_pdf(
    html_path: Path | str, pdf_path: Path | str, timeout_s: float = RENDER_TIMEOUT_S
) -> Path:
    """Print the standalone HTML report at ``html_path`` to an A4 PDF at ``pdf_path`` (written
    atomically) with headless Chromium, once its Plotly figures are drawn (at most ``timeout_s``
    seconds); returns ``pdf_path``. A missing browser is one HeatproofError naming how to
    install it, and then nothing is written."""
    with chromium() as browser:
        page = open_report(browser, html_path, timeout_s)
        page.emulate_media(media="print")
        data = page.pdf(
            format="A4",
            print_background=True,
            prefer_css_page_size=True,
            outline=True,
            tagged=True,
        )
    write_bytes(pdf_path, data, "PDF report")
    return Path(pdf_path)
