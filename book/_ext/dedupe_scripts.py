"""Drop exact duplicate <script> entries from each page.

With jupyter-book 1.0.4, sphinx-thebe 0.3.1's configuration script reaches each page
twice (once with filename None, once with ""), so every page declared ``const THEBE_JS_URL``
twice and the browser reported
"Identifier 'THEBE_JS_URL' has already been declared" (found by tests/browser). Keeping the
first of identical scripts restores a clean console without touching the packages.
"""

from __future__ import annotations

from typing import Any


def _dedupe(app: Any, pagename: str, templatename: str, context: dict, doctree: Any) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple] = set()
    unique = []
    for script in scripts:
        # an inline script may carry filename None or "": both mean "no file"
        filename = getattr(script, "filename", script) or ""
        key = (str(filename), tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app: Any) -> dict[str, bool]:
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
