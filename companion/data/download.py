"""Atomic, checksummed downloads into the data cache.

Explained in the Preface ("How to read and run it") and used by every data loader.

A download goes to a temporary file beside its destination, is checked (length announced by
the server, SHA-256 when the bytes are fixed) and only then renamed into place, so a failure
never leaves a partial or corrupt file where a loader would find it.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["DownloadError", "download", "sha256_of"]

_CHUNK = 1 << 20


class DownloadError(OSError):
    """A download failed; nothing was written at the destination."""


def sha256_of(path: str | os.PathLike[str]) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x"
    >>> _ = p.write_bytes(b"abc")
    >>> sha256_of(p)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def download(
    url: str, dest: str | os.PathLike[str], *, sha256: str | None = None, timeout: float = 60.0
) -> Path:
    """Download ``url`` to ``dest`` atomically, verifying length and (optionally) SHA-256.

    An existing ``dest`` whose checksum matches (or any existing ``dest`` when no checksum is
    given) is returned without a download.

    Parameters
    ----------
    url : str
        An ``http``, ``https`` or ``file`` URL.
    dest : path-like
        Final location; its folder is created.
    sha256 : str, optional
        Expected hex digest of the bytes.
    timeout : float
        Seconds to wait for the server at each step.

    Returns
    -------
    pathlib.Path
        ``dest``.

    Raises
    ------
    ValueError
        For a URL scheme other than http, https or file, or a malformed checksum.
    DownloadError
        When the server cannot be reached, answers with an error, sends fewer bytes than it
        announced, or the checksum differs. No file is left at ``dest`` or beside it.
    """
    if not isinstance(url, str) or url.split(":", 1)[0] not in ("http", "https", "file"):
        raise ValueError(f"url must be an http, https or file URL (got {url!r})")
    if sha256 is not None and (
        len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256)
    ):
        raise ValueError(f"sha256 must be 64 lowercase hex digits (got {sha256!r})")
    dest = Path(dest)
    if dest.is_file() and (sha256 is None or sha256_of(dest) == sha256):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _fetch(url, out, timeout)
        if sha256 is not None and digest != sha256:
            raise DownloadError(
                f"{url}: sha256 mismatch (expected {sha256}, got {digest}); file discarded"
            )
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _fetch(url: str, out: object, timeout: float) -> str:
    """Stream ``url`` into the open file ``out``; return the hex SHA-256 of what was written."""
    digest = hashlib.sha256()
    received = 0
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "llmbook-companion"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            announced = response.headers.get("Content-Length")
            for block in iter(lambda: response.read(_CHUNK), b""):
                out.write(block)  # type: ignore[attr-defined]
                digest.update(block)
                received += len(block)
    except urllib.error.HTTPError as err:
        raise DownloadError(f"{url}: the server answered {err.code} {err.reason}") from err
    except urllib.error.URLError as err:
        raise DownloadError(f"{url}: could not connect ({err.reason}); are you offline?") from err
    except (http.client.IncompleteRead, ConnectionError, TimeoutError) as err:
        raise DownloadError(
            f"{url}: the transfer broke off after {received:,} bytes ({err!r})"
        ) from err
    if announced is not None and received != int(announced):
        raise DownloadError(
            f"{url}: received {received:,} of {int(announced):,} bytes; file discarded"
        )
    return digest.hexdigest()
