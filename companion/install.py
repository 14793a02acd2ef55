"""How to install what a chapter needs: one hint, built from the package's own metadata.

The repository URL is written once, in ``pyproject.toml`` (``[project.urls] Repository``);
an installed companion reads it back from its distribution metadata, so an error message
never carries a second copy that could go stale. The hint pins the companion to the release the
reader has installed (tag ``v<version>``), as the chapters' first cells pin the release the
book was built with.
"""

from __future__ import annotations

from importlib import metadata

__all__ = ["DISTRIBUTION", "EXTRAS", "install_hint", "repository_url"]

DISTRIBUTION = "llmbook-companion"
#: The extras a reader's kernel may need (pyproject.toml ``[project.optional-dependencies]``).
EXTRAS = ("torch", "tf", "nlp", "vision", "deploy")


def repository_url() -> str | None:
    """The repository URL of the installed companion, or ``None`` when it is not installed.

    Examples
    --------
    >>> url = repository_url()
    >>> url is None or url.startswith("https://")
    True
    """
    try:
        entries = metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository":
            return url.strip()
    return None


def install_hint(extra: str) -> str:
    """The ``pip install`` line that adds ``extra`` of the companion.

    Parameters
    ----------
    extra : str
        One of :data:`EXTRAS`.

    Raises
    ------
    ValueError
        If ``extra`` is not an extra of the companion.

    Examples
    --------
    >>> install_hint("nlp").startswith('pip install "llmbook-companion[nlp]')
    True
    """
    if extra not in EXTRAS:
        raise ValueError(f"extra must be one of {list(EXTRAS)} (got extra={extra!r})")
    url = repository_url()
    source = f" @ git+{url}@v{metadata.version(DISTRIBUTION)}" if url else ""
    return f'pip install "{DISTRIBUTION}[{extra}]{source}"'
