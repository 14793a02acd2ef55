"""The rendered book in a real browser: every page of the TOC loads, typesets and shows its images.

Run by ``make browser`` (part of ``make test``) after the HTML build. Every internal link of
every page must point to a file of the build. Headless Chromium from the
system (Debian package ``chromium``) is driven by Playwright through ``executable_path``;
MathJax, which readers get from a CDN, is served from a local copy (``tests/browser/setup.sh``
installs it) so the test needs no network.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from toc import ROOT, toc_entries

HTML = ROOT / "_build" / "html"
MATHJAX = ROOT / ".cache" / "mathjax" / "node_modules" / "mathjax"
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = {"book/index", "book/00_preface/preface", "book/03_math/softmax_cross_entropy"}
CHROMIUM = next(
    filter(None, map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])), None
)
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

if not CHROMIUM or not (HTML / "index.html").is_file() or not MATHJAX.is_dir():
    reason = "needs Chromium, the built book (make book) and local MathJax (tests/browser/setup.sh)"
    if os.environ.get("CI"):
        raise RuntimeError(reason)  # CI must run these tests, never skip them
    pytest.skip(reason, allow_module_level=True)

from playwright.sync_api import Route, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _serve_mathjax(route: Route) -> None:
    path = MATHJAX / "es5" / route.request.url.split("/es5/", 1)[-1].split("?")[0]
    if path.is_file():
        route.fulfill(path=str(path))
    else:
        route.fulfill(status=404, body="")


def _exists(path: str) -> bool:
    """Whether a site-relative URL path names a file of the build (a folder means its index)."""
    target = HTML / path.lstrip("/").split("?")[0]
    return target.is_file() or (target / "index.html").is_file()


def _block_external(route: Route) -> None:
    route.abort()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.mark.parametrize("entry", toc_entries())
def test_page_renders(browser, base_url, entry):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(f"{MATHJAX_CDN}**", _serve_mathjax)
    page.route(
        lambda url: not url.startswith(base_url) and not url.startswith(MATHJAX_CDN),
        _block_external,
    )

    response = page.goto(f"{base_url}/{entry}.html", wait_until="load")
    assert response is not None and response.status == 200

    if page.locator(".math").count():
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise")
        page.evaluate("() => MathJax.startup.promise")
        assert page.locator("mjx-container").count() >= page.locator(".math").count()
    body = page.inner_text("article")
    assert "$$" not in body and "\\frac" not in body, "raw TeX left on the page"

    broken = page.evaluate(
        "() => [...document.images]"
        ".filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == []
    links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    internal = {link.split("#")[0] for link in links if link.startswith(base_url)}
    dead = [link for link in internal if not _exists(link[len(base_url) :])]
    assert dead == [], f"internal links to missing files: {dead}"

    if (ROOT / f"{entry}.ipynb").exists():  # notebooks carry Binder / Colab / live-code buttons
        assert page.locator(".dropdown-launch-buttons").count() == 1, "launch buttons missing"
    assert errors == []

    if entry in SCREENSHOTS:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{entry.replace('/', '_')}.png"), full_page=False)
    page.close()


# --- Reader paths on a phone, a tablet and a desktop -------------------------------------
WIDTHS = {"phone": (390, 844), "tablet": (768, 1024), "desktop": (1366, 800)}
NAV_PAGE = "book/04_practice/cnn_digits"


def _open(browser, base_url: str, entry: str, size: tuple[int, int]):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.route(f"{MATHJAX_CDN}**", _serve_mathjax)
    page.route(
        lambda url: not url.startswith(base_url) and not url.startswith(MATHJAX_CDN),
        _block_external,
    )
    page.goto(f"{base_url}/{entry}.html", wait_until="load")
    return page


def _visible(page, selector: str):
    shown = [e for e in page.query_selector_all(selector) if e.is_visible()]
    assert shown, f"no visible {selector} button"
    return shown[0]


@pytest.mark.parametrize("width", ["phone", "tablet"])
def test_visible_toggles_open_and_close_the_sidebars_on_narrow_screens(browser, base_url, width):
    page = _open(browser, base_url, NAV_PAGE, WIDTHS[width])
    for toggle, dialog in [
        (".primary-toggle", "#pst-primary-sidebar-modal"),
        (".secondary-toggle", "#pst-secondary-sidebar-modal"),
    ]:
        _visible(page, toggle).click()
        page.wait_for_function(f"() => document.querySelector('{dialog}').open")
        if toggle == ".primary-toggle":  # the chapter list is in the drawer and can be used
            assert page.locator(f"{dialog} a.reference.internal").count() >= 20
        page.keyboard.press("Escape")
        page.wait_for_function(f"() => !document.querySelector('{dialog}').open")
    page.close()


def test_visible_toggle_collapses_and_restores_the_sidebar_on_a_desktop(browser, base_url):
    page = _open(browser, base_url, NAV_PAGE, WIDTHS["desktop"])
    sidebar = page.locator("#pst-primary-sidebar")
    assert sidebar.is_visible()
    shown = "() => getComputedStyle(document.querySelector('#pst-primary-sidebar')).visibility"
    _visible(page, ".primary-toggle").click()
    page.wait_for_function(f"() => ({shown})() === 'hidden'")
    _visible(page, ".primary-toggle").click()
    page.wait_for_function(f"() => ({shown})() === 'visible'")
    page.close()


@pytest.mark.parametrize("entry", toc_entries())
def test_no_sideways_scroll_on_a_phone(browser, base_url, entry):
    page = _open(browser, base_url, entry, WIDTHS["phone"])
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        "() => [...document.querySelectorAll('article *')]"
        ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1"
        " && !e.closest('pre, .highlight, .cell_output, .table-wrapper, .MathJax, mjx-container,"
        " .bd-toc, dialog, .output, table, .pst-scrollable-table-container'))"
        ".slice(0, 5).map(e => e.tagName + ': ' + e.textContent.slice(0, 60))"
    )
    page.close()
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at 390 px; widest: {wide}"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("勘误", "book/appendix/errata"),  # inside 勘误表, the errata page's title
        ("注意力", "book/02_concepts/attention"),  # inside 自注意力机制
        ("attention", "book/02_concepts/attention"),  # English search still works
    ],
)
def test_search_finds_chinese_terms_inside_longer_words(browser, base_url, query, expected):
    page = _open(browser, base_url, "search", WIDTHS["desktop"])
    page.goto(f"{base_url}/search.html?q={query}", wait_until="load")
    page.wait_for_selector("#search-results ul.search li a", timeout=30_000)
    hrefs = page.eval_on_selector_all("#search-results ul.search li a", "as => as.map(a => a.href)")
    page.close()
    assert any(f"/{expected}.html" in h for h in hrefs), f"{query!r} found {hrefs[:8]}"
