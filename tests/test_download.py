"""companion.data.download: atomic downloads, faults leave no file, a retry succeeds."""

from __future__ import annotations

import hashlib

import pytest
from servers import Behaviour, serve

from companion.data.download import DownloadError, download, sha256_of

BODY = b"the book's data " * 1000
DIGEST = hashlib.sha256(BODY).hexdigest()


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_download_writes_verified_file(tmp_path):
    with serve(Behaviour(body=BODY)) as url:
        path = download(f"{url}/x.bin", tmp_path / "d" / "x.bin", sha256=DIGEST)
    assert path.read_bytes() == BODY
    assert _leftovers(tmp_path / "d") == ["x.bin"]


def test_existing_verified_file_is_not_downloaded_again(tmp_path):
    dest = tmp_path / "x.bin"
    dest.write_bytes(BODY)
    behaviour = Behaviour(body=BODY)
    with serve(behaviour) as url:
        download(f"{url}/x.bin", dest, sha256=DIGEST)
    assert behaviour.hits == []


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (Behaviour(body=BODY, truncate_to=100), "received 100 of 16,000 bytes|broke off"),
        (Behaviour(body=b"not the data"), "sha256 mismatch"),
        (Behaviour(status=500), "the server answered 500"),
        (Behaviour(status=404), "the server answered 404"),
    ],
    ids=["truncated", "wrong-checksum", "server-error", "not-found"],
)
def test_faults_raise_and_leave_no_file_then_a_retry_succeeds(tmp_path, behaviour, message):
    dest = tmp_path / "cache" / "x.bin"
    with serve(behaviour) as url:
        with pytest.raises(DownloadError, match=message):
            download(f"{url}/x.bin", dest, sha256=DIGEST)
        assert _leftovers(dest.parent) == []
        behaviour.body, behaviour.status, behaviour.truncate_to = BODY, 200, None  # server fixed
        download(f"{url}/x.bin", dest, sha256=DIGEST)
    assert sha256_of(dest) == DIGEST


def test_no_network_is_a_clear_error(tmp_path):
    with serve(Behaviour()) as url:
        dead = url  # the port is closed once the server stops
    with pytest.raises(DownloadError, match="could not connect .* are you offline"):
        download(f"{dead}/x.bin", tmp_path / "x.bin", timeout=5)
    assert _leftovers(tmp_path) == []


def test_corrupt_cached_file_is_replaced(tmp_path):
    dest = tmp_path / "x.bin"
    dest.write_bytes(b"corrupt")
    with serve(Behaviour(body=BODY)) as url:
        download(f"{url}/x.bin", dest, sha256=DIGEST)
    assert dest.read_bytes() == BODY


@pytest.mark.parametrize(
    ("url", "sha", "message"),
    [
        ("ftp://example.org/x", None, "url must be an http, https or file URL"),
        ("x.bin", None, "url must be an http, https or file URL"),
        ("http://127.0.0.1/x", "ABC", "sha256 must be 64 lowercase hex digits"),
    ],
)
def test_bad_arguments_are_rejected(tmp_path, url, sha, message):
    with pytest.raises(ValueError, match=message):
        download(url, tmp_path / "x", sha256=sha)
