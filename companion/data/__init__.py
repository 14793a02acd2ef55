"""Where the book's data lives: a directory given by the environment, else a user cache.

Loaders of particular data sets build on :func:`data_dir`; CI and the tests point
``COMPANION_DATA_DIR`` at the read-only copy in ``../shared/data``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DATA_DIR_VARIABLE", "data_dir", "read_csv_file", "require_file"]

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
        If ``COMPANION_DATA_DIR`` is set but is empty or not an existing directory (an empty
        value is an error, not "unset": unset it to use the download cache).

    Examples
    --------
    >>> isinstance(data_dir(), Path)
    True
    """
    given = os.environ.get(DATA_DIR_VARIABLE)
    if given is not None and not given.strip():
        raise ValueError(
            f"{DATA_DIR_VARIABLE} is set but empty ({given!r}); unset it to use the download "
            "cache, or point it at a copy of the book's data"
        )
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


def read_csv_file(path: str | os.PathLike[str], **options: Any) -> pd.DataFrame:
    """``pandas.read_csv`` for the companion's tables, with errors that name the file.

    Parameters
    ----------
    path : path-like
        A CSV text file.
    **options
        Passed to :func:`pandas.read_csv` (e.g. ``dtype=str, keep_default_na=False``).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    TypeError
        If ``path`` is not a str or path-like.
    ValueError
        If ``path`` is a directory (``""`` is the current one).
    ValueError
        If the file is empty, binary (it holds NUL bytes), not in the expected text
        encoding, or not parseable as CSV; the message names the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("a,b\\n1,2\\n")
    >>> read_csv_file(p, dtype=str).to_dict("records")
    [{'a': '1', 'b': '2'}]
    >>> _ = p.write_bytes(bytes(range(256)))
    >>> read_csv_file(p)
    Traceback (most recent call last):
    ...
    ValueError: t.csv is not a CSV text file: it holds NUL bytes (a binary file?) ...
    """
    import pandas as pd

    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or path-like (got {type(path).__name__}: {path!r})")
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"path must name a CSV file, not a directory (got {str(path)!r})")
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if b"\x00" in head:
        raise ValueError(
            f"{path.name} is not a CSV text file: it holds NUL bytes (a binary file?) at {path}"
        )
    try:
        return pd.read_csv(path, **options)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path.name}: the file is empty (expected a header and rows)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ValueError(f"{path.name} is not a readable CSV file ({err}) at {path}") from err
