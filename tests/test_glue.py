"""companion.glue leaves exactly the output myst-nb's own glue leaves, pre-formatted."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell

from companion.report import glue

myst_glue = pytest.importorskip("myst_nb.ext.glue").glue  # the book extra; third-party


def _captured(func) -> list[tuple[dict, dict]]:
    shell = InteractiveShell.instance()
    calls = []
    publisher = shell.display_pub

    def record(data, metadata=None, **kwargs):
        calls.append((dict(data), dict(metadata or {})))

    original = publisher.publish
    publisher.publish = record
    try:
        func()
    finally:
        publisher.publish = original
    return calls


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (0.95341, ".3f", "0.953"),
        (60000, ",d", "60,000"),
        (0.1234, ".1%", "12.3%"),
        ("MiniLM", None, "MiniLM"),
    ],
)
def test_same_output_as_myst_nb(value, fmt, shown):
    ours = _captured(lambda: glue("key", value, fmt))
    theirs = _captured(lambda: myst_glue("key", shown, display=False))
    assert ours == theirs
    assert ours[0][0]["application/papermill.record/text/plain"] == repr(shown)


@pytest.mark.parametrize("name", ["", "1st", "a b", None, "a.b"])
def test_bad_name_is_named(name):
    with pytest.raises(ValueError, match="name"):
        glue(name, 1.0)


def test_nan_and_bad_format_are_errors():
    with pytest.raises(ValueError, match="finite"):
        glue("x", float("nan"), ".3f")
    with pytest.raises(ValueError, match="fmt"):
        glue("x", "text", ".3f")
