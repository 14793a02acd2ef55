"""Reader paths on a phone: the visible sidebar toggles work, and no page scrolls sideways.

With pydata-sphinx-theme 0.17.1 and sphinx-book-theme 1.3.0, each page has two buttons of
each kind: ``.primary-toggle`` (the chapter list) and ``.secondary-toggle`` ("Contents", the
page outline), one in the site header, hidden by the book theme, and one in the article
header, which the reader sees. Both themes bind their handlers with
``document.querySelector(...)``, which returns the first, hidden button, so on a phone or tablet
(< 992 px) the visible buttons did nothing and the chapter list could not be opened (found by
tests/browser/test_navigation.py).

This extension forwards a click on any later button of a kind to the first one, whose theme
handlers then do what the themes intend: open the sidebar as a dialog on narrow screens,
collapse or expand it on wide ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parent / "static"

SCRIPT = """
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of [".primary-toggle", ".secondary-toggle"]) {
    const [bound, ...others] = document.querySelectorAll(kind);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        button.blur();
        bound.click();
      });
    }
  }
});
"""


def _add_static(app: Any) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app: Any) -> dict[str, Any]:
    app.add_js_file(None, body=SCRIPT)
    # reader.css: long inline literals wrap, so no page scrolls sideways on a phone.
    app.connect("builder-inited", _add_static)
    app.add_css_file("reader.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
