"""Where the book's data lives: a directory given by the environment, else a user cache.

Loaders of particular data sets build on :func:`data_dir`; CI and the tests point
``COMPANION_DATA_DIR`` at the read-only copy in ``../shared/data``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATA_DIR_VARIABLE", "data_dir", "require_file"]

#: Environment variable naming a directory of ready data (CI: ``../shared/data``).
DATA_DIR_VARIABLE = "COMPANION_DATA_DIR"


def data_dir() -> Path:
    """The directory loaders read from and download into.

    ``$COMPANION_DATA_DIR`` when set, else ``$XDG_CACHE_HOME/llmbook`` (default
    ``~/.cache/llmbook``). The directory is not created here.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        If ``COMPANION_DATA_DIR`` is set but is not an existing directory.

    Examples
    --------
    >>> isinstance(data_dir(), Path)
    True
    """
    given = os.environ.get(DATA_DIR_VARIABLE)
    if given:
        path = Path(given).expanduser()
        if not path.is_dir():
            raise ValueError(
                f"{DATA_DIR_VARIABLE}={given!r} is not a directory; unset it to use the "
                "download cache, or point it at a copy of the book's data"
            )
        return path
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "llmbook"


def require_file(relative: str, how_to_get: str) -> Path:
    """The path of a data file under :func:`data_dir`, or an error that says how to get it.

    Parameters
    ----------
    relative : str
        Path below the data directory, e.g. ``"financial_phrasebank/all-data.csv"``.
    how_to_get : str
        The command or step that fetches the file, quoted in the error.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        If the file is missing; the message names the directory searched and ``how_to_get``.
    """
    root = data_dir()
    path = root / relative
    if not path.is_file():
        raise FileNotFoundError(
            f"{relative} not found in the data directory {root} "
            f"(set {DATA_DIR_VARIABLE} to choose another). To get it: {how_to_get}"
        )
    return path
