"""Atomic, checksummed downloads into the data cache.

Explained in the Preface ("How to read and run it") and used by every data loader.

A download goes to a temporary file beside its destination, is checked (length announced by
the server, SHA-256 when the bytes are fixed) and only then renamed into place, so a failure
never leaves a partial or corrupt file where a loader would find it. A body whose end cannot be
checked (no ``Content-Length``, not chunked, no SHA-256) is refused, and the temporary files
of a download that was killed (SIGKILL, SIGTERM) are removed by the next download of the file.
"""

from __future__ import annotations

import hashlib
import http.client
import math
import numbers
import os
import re
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["DownloadError", "download", "sha256_of"]

_CHUNK = 1 << 20
#: A temporary file is named ``.<dest name>.<pid of its writer>.<random>.part``.
_PART = ".{name}.{pid}."
#: Where a process cannot be asked whether it lives, a part file this old is stale.
_STALE_AFTER_S = 24 * 3600


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
        For a URL scheme other than http, https or file, a malformed checksum, or a
        ``timeout`` that is not a positive finite number of seconds.
    DownloadError
        When the server cannot be reached, answers with an error, sends fewer bytes than it
        announced or a malformed ``Content-Length``, sends a body whose end cannot be checked
        (no ``Content-Length``, not chunked) while no ``sha256`` is given, or the checksum
        differs. No file is left at ``dest`` or beside it.

    Notes
    -----
    Temporary files left beside ``dest`` by an earlier download that was killed are removed
    first; those of a download still running in another process are left alone.
    """
    if not isinstance(url, str) or url.split(":", 1)[0] not in ("http", "https", "file"):
        raise ValueError(f"url must be an http, https or file URL (got {url!r})")
    if sha256 is not None and (
        len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256)
    ):
        raise ValueError(f"sha256 must be 64 lowercase hex digits (got {sha256!r})")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, numbers.Real)
        or not 0 < timeout < math.inf
    ):
        raise ValueError(
            f"timeout must be a positive, finite number of seconds (got timeout={timeout!r})"
        )
    dest = Path(dest)
    if dest.is_file() and (sha256 is None or sha256_of(dest) == sha256):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_parts(dest)
    fd, tmp_name = tempfile.mkstemp(
        dir=dest.parent, prefix=_PART.format(name=dest.name, pid=os.getpid()), suffix=".part"
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _fetch(url, out, timeout, verified=sha256 is not None)
        if sha256 is not None and digest != sha256:
            raise DownloadError(
                f"{url}: sha256 mismatch (expected {sha256}, got {digest}); file discarded"
            )
        try:
            os.replace(tmp, dest)
        except FileNotFoundError as err:  # removed under us, e.g. by another host's clean-up
            raise DownloadError(f"{url}: the temporary file {tmp} vanished ({err})") from err
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _remove_stale_parts(dest: Path) -> None:
    """Delete the part files of ``dest`` whose writing process no longer runs."""
    pattern = re.compile(rf"\.{re.escape(dest.name)}\.(\d+)\.[A-Za-z0-9_]+\.part")
    for part in dest.parent.iterdir():
        match = pattern.fullmatch(part.name)
        if match and not _writer_alive(int(match.group(1)), part):
            part.unlink(missing_ok=True)


def _writer_alive(pid: int, part: Path) -> bool:
    """Whether process ``pid`` may still be writing ``part``."""
    if pid == os.getpid():
        return True  # another thread of this process; its own clean-up removes the file
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        try:
            return time.time() - part.stat().st_mtime < _STALE_AFTER_S
        except FileNotFoundError:
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def _fetch(url: str, out: object, timeout: float, *, verified: bool) -> str:
    """Stream ``url`` into the open file ``out``; return the hex SHA-256 of what was written.

    ``verified``: the caller checks a SHA-256, so a body without a stated length is accepted.
    """
    digest = hashlib.sha256()
    received = 0
    try:
        request = urllib.request.Request(url, headers={"User-Agent": "llmbook-companion"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked)
            announced = _announced_length(url, response.headers.get("Content-Length"))
            if announced is None and not verified and not getattr(response, "chunked", False):
                raise DownloadError(
                    f"{url}: the server sent no Content-Length, so an incomplete transfer "
                    "could not be told from a complete one; pass sha256= to accept it"
                )
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
    if announced is not None and received != announced:
        raise DownloadError(f"{url}: received {received:,} of {announced:,} bytes; file discarded")
    return digest.hexdigest()


def _announced_length(url: str, header: str | None) -> int | None:
    """The ``Content-Length`` header as a number of bytes; None when absent."""
    if header is None:
        return None
    text = header.strip()
    if not text.isascii() or not text.isdigit():
        raise DownloadError(f"{url}: the server sent a malformed Content-Length {header!r}")
    return int(text)
