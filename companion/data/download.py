"""Atomic, checksummed downloads into the data cache.

Explained in the Preface ("How to read and run it") and used by every data loader.

A download goes to a temporary file beside its destination, is checked (length announced by
the server, SHA-256 when the bytes are fixed) and only then renamed into place, so a failure
never leaves a partial or corrupt file where a loader would find it. A body whose end cannot be
checked (no ``Content-Length``, not chunked, no SHA-256) is refused, and the temporary files
of a download that was killed (SIGKILL, SIGTERM) are removed by the next download of the file.

Every file the companion downloads is registered in :data:`REMOTE_FILES` (URL, SHA-256, size
and where the checksum is published) and fetched by :func:`fetch`, which checks a cached copy,
downloads a missing one when allowed, or says how to get it.
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
from dataclasses import dataclass
from pathlib import Path

from companion.data import DATA_DIR_VARIABLE, data_dir

__all__ = ["REMOTE_FILES", "DownloadError", "RemoteFile", "download", "fetch", "sha256_of"]

_CHUNK = 1 << 20
#: A temporary file is named ``.<dest name>.<pid of its writer>.<random>.part``.
_PART = ".{name}.{pid}."
#: Where a process cannot be asked whether it lives, a part file this old is stale.
_STALE_AFTER_S = 24 * 3600


class DownloadError(OSError):
    """A download failed; nothing was written at the destination."""


@dataclass(frozen=True)
class RemoteFile:
    """A file the companion may download, and how to know that a copy of it is whole.

    Attributes
    ----------
    path : str
        Where it lives below :func:`companion.data.data_dir`, e.g. ``"mnist/mnist.npz"``.
    url : str
        Where it is downloaded from (https).
    sha256 : str
        Hex SHA-256 of the published bytes.
    size : int or None
        Its length in bytes (None only for an ad-hoc mirror or test file; every entry of
        :data:`REMOTE_FILES` states it).
    checksum_source : str
        Where the checksum and size are published, so that a reader can check them.
    """

    path: str
    url: str
    sha256: str
    size: int | None
    checksum_source: str

    @property
    def name(self) -> str:
        """The file's name, e.g. ``"mnist.npz"``."""
        return self.path.rsplit("/", 1)[-1]


#: Every file the companion downloads, by short name. A new download is added here, with the
#: checksum and size from a published source, and fetched through :func:`fetch`.
REMOTE_FILES: dict[str, RemoteFile] = {
    "mnist": RemoteFile(
        path="mnist/mnist.npz",
        url="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
        sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
        size=11_490_434,
        checksum_source=(
            "Keras keras/src/datasets/mnist.py, load_data(): file_hash (the test suite reads "
            "it from the installed Keras); size as Keras' get_file prints it"
        ),
    ),
    "phrasebank": RemoteFile(
        path="financial_phrasebank/FinancialPhraseBank-v1.0.zip",
        url=(
            "https://huggingface.co/datasets/takala/financial_phrasebank/resolve/main/data/"
            "FinancialPhraseBank-v1.0.zip"
        ),
        sha256="0e1a06c4900fdae46091d031068601e3773ba067c7cecb5b0da1dcba5ce989a6",
        size=681_890,
        checksum_source=(
            "huggingface/datasets, datasets/financial_phrasebank/dataset_infos.json, "
            "download_checksums (commit 040102f100964a33fd334e2695f1c493fa6b92db)"
        ),
    ),
}


def fetch(remote: RemoteFile, *, download_missing: bool = True, how: str | None = None) -> Path:
    """The local copy of a registered file: checked if cached, else downloaded or explained.

    Parameters
    ----------
    remote : RemoteFile
        Usually an entry of :data:`REMOTE_FILES` (tests pass their own).
    download_missing : bool
        Download the file when it is missing. Never done when ``COMPANION_DATA_DIR`` is set:
        an imposed data directory is read, not written.
    how : str, optional
        How a reader gets the file by hand, quoted in errors; default: download the URL to
        the path.

    Returns
    -------
    pathlib.Path
        A file with the registered size and SHA-256.

    Raises
    ------
    FileNotFoundError
        When the file is missing and may not or cannot be downloaded; the message says why
        and how to get it.
    ValueError
        If a cached copy has another size or checksum (it is left in place for the reader to
        inspect; the message says to delete it).

    Examples
    --------
    >>> remote = REMOTE_FILES["phrasebank"]
    >>> print(remote.name, f"{remote.size:,} bytes", remote.sha256[:12])
    FinancialPhraseBank-v1.0.zip 681,890 bytes 0e1a06c4900f
    """
    if not isinstance(remote, RemoteFile):
        raise TypeError(f"remote must be a RemoteFile (got {type(remote).__name__})")
    path = data_dir() / remote.path
    how = how or f"download {remote.url} to {path}"
    if not path.is_file():
        if os.environ.get(DATA_DIR_VARIABLE) or not download_missing:
            raise FileNotFoundError(f"{remote.name} not found in {path.parent}. To get it: {how}")
        try:
            download(remote.url, path, sha256=remote.sha256)
        except OSError as err:
            raise FileNotFoundError(
                f"{remote.name} could not be downloaded ({err}). To get it: {how}"
            ) from err
        return path  # download() checked the SHA-256 before renaming the file into place
    size = path.stat().st_size
    if remote.size is not None and size != remote.size:
        found = f"{size:,} bytes, not {remote.size:,}"
    else:
        digest = sha256_of(path)
        found = "" if digest == remote.sha256 else f"sha256 {digest}"
    if found:
        raise ValueError(
            f"{path} is not the published {remote.name} ({found}; expected sha256 "
            f"{remote.sha256}); delete it to download it again"
        )
    return path


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
