"""make pdf: the whole book as one PDF, and every notebook in one zip, for reading offline.

1. ``jupyter-book build --builder singlehtml`` puts every chapter, in TOC order, on one page
   (built from the stored outputs, like the HTML book).
2. Headless Chromium (the browser test's; Playwright with ``executable_path``) opens that page,
   lets MathJax typeset every formula (served from the local copy that
   ``tests/browser/setup.sh`` installs), and prints it with a print style sheet that wraps
   long code lines instead of clipping them and leaves out the sidebars and buttons.
3. ``_build/notebooks.zip`` holds every notebook of the TOC with its stored outputs, plus the
   companion's ``pyproject.toml`` and a README line on how to run them.

Usage: python tools/pdf.py   (after ``jupyter-book build . --builder singlehtml``)
Writes ``_build/pdf/book.pdf`` and ``_build/notebooks.zip``, and copies both into
``_build/html`` (when the HTML book is built), where the Preface links them.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import threading
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from toc import toc_notebooks  # noqa: E402

SINGLE = ROOT / "_build" / "singlehtml"
PDF = ROOT / "_build" / "pdf" / "book.pdf"
ZIP = ROOT / "_build" / "notebooks.zip"
MATHJAX = ROOT / ".cache" / "mathjax" / "node_modules" / "mathjax"
MATHJAX_CDN = "https://cdn.jsdelivr.net/npm/mathjax@3/"
BROWSERS = ["chromium", "chromium-browser", "google-chrome"]
PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer,
.bd-footer-article, .prev-next-area, .header-article__inner, .dropdown-launch-buttons,
.copybtn, .toggle-hidden, .last-verified a, #pst-back-to-top, .pst-async-banner-revealer,
.skip-link { display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-article { max-width: 100% !important;
  width: 100% !important; margin: 0 !important; padding: 0 !important; }
pre, pre code, .highlight pre, .cell_output pre { white-space: pre-wrap !important;
  overflow-wrap: anywhere !important; overflow: visible !important; font-size: 8pt !important; }
.cell_output .output, .table-wrapper, .pst-scrollable-table-container
  { overflow: visible !important; }
table { font-size: 8pt; }
img { max-width: 100% !important; page-break-inside: avoid; }
section > h1 { page-break-before: always; }
details { display: block; }
details > summary { display: none !important; }
mjx-container[display="true"] { overflow: visible !important; }
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _serve_mathjax(route) -> None:  # type: ignore[no-untyped-def]
    path = MATHJAX / "es5" / route.request.url.split("/es5/", 1)[-1].split("?")[0]
    if path.is_file():
        route.fulfill(path=str(path))
    else:
        route.fulfill(status=404, body="")


def print_pdf() -> None:
    from playwright.sync_api import sync_playwright

    browser_path = next(filter(None, map(shutil.which, BROWSERS)), None)
    if not browser_path or not MATHJAX.is_dir():
        raise SystemExit("needs Chromium and local MathJax: run bash tests/browser/setup.sh")
    if not (SINGLE / "book" / "index.html").is_file():
        raise SystemExit("build the single page first: jupyter-book build . --builder singlehtml")
    handler = functools.partial(_Quiet, directory=str(SINGLE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    PDF.parent.mkdir(parents=True, exist_ok=True)
    part = PDF.with_suffix(".pdf.part")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=browser_path, args=["--no-sandbox"])
            page = browser.new_page()
            page.route(f"{MATHJAX_CDN}**", _serve_mathjax)
            page.route(
                lambda url: not url.startswith(base) and not url.startswith(MATHJAX_CDN),
                lambda route: route.abort(),
            )
            page.goto(f"{base}/book/index.html", wait_until="load", timeout=120_000)
            # open every collapsed cell so that printed code is complete
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            page.add_style_tag(content=PRINT_CSS)
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                timeout=120_000,
            )
            page.evaluate("() => MathJax.startup.promise")
            page.emulate_media(media="print")
            page.pdf(path=str(part), format="A4", print_background=True, outline=True, tagged=True)
            browser.close()
        part.replace(PDF)  # complete or absent
    finally:
        part.unlink(missing_ok=True)
        server.shutdown()
        server.server_close()


def zip_notebooks() -> None:
    part = ZIP.with_suffix(".zip.part")
    with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in toc_notebooks(ROOT):
            archive.write(path, path.relative_to(ROOT))
        archive.write(ROOT / "pyproject.toml", "pyproject.toml")
        archive.writestr(
            "README.txt",
            "The notebooks of the book, with their stored outputs. Open one in Jupyter or Colab:\n"
            "its first cell installs the book's library (companion) and what the chapter needs.\n",
        )
    part.replace(ZIP)


def main() -> int:
    print_pdf()
    zip_notebooks()
    html = ROOT / "_build" / "html"
    if html.is_dir():  # the Preface links both from the HTML book's root
        shutil.copy2(PDF, html / PDF.name)
        shutil.copy2(ZIP, html / ZIP.name)
    print(
        f"{PDF.relative_to(ROOT)} ({PDF.stat().st_size / 2**20:.1f} MB), "
        f"{ZIP.relative_to(ROOT)} ({ZIP.stat().st_size / 2**20:.1f} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
