"""companion.data.download: atomic downloads, faults leave no file, a retry succeeds."""

from __future__ import annotations

import ast
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servers import Behaviour, serve
from toc import ROOT

from companion.data import DATA_DIR_VARIABLE
from companion.data.download import (
    REMOTE_FILES,
    DownloadError,
    RemoteFile,
    download,
    fetch,
    sha256_of,
)

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


# --- unverifiable or malformed answers --------------------------------------------------


@pytest.mark.parametrize(
    ("behaviour", "sha", "message"),
    [
        (Behaviour(body=BODY, content_length=None), None, "sent no Content-Length"),
        (Behaviour(body=BODY, content_length="abc"), None, "malformed Content-Length 'abc'"),
        (Behaviour(body=BODY, content_length="abc"), DIGEST, "malformed Content-Length 'abc'"),
        (Behaviour(body=BODY, content_length="-5"), None, "malformed Content-Length '-5'"),
        (Behaviour(body=BODY, truncate_to=100), None, "received 100 of 16,000 bytes|broke off"),
        (Behaviour(body=BODY[:-1], content_length=None), DIGEST, "sha256 mismatch"),
    ],
    ids=[
        "no-length-no-checksum",
        "length-not-a-number",
        "length-not-a-number-with-checksum",
        "length-negative",
        "truncated-without-checksum",
        "no-length-short-body",
    ],
)
def test_unverifiable_or_malformed_answers_are_refused(tmp_path, behaviour, sha, message):
    with serve(behaviour) as url:
        with pytest.raises(DownloadError, match=message):
            download(f"{url}/x.bin", tmp_path / "x.bin", sha256=sha)
    assert _leftovers(tmp_path) == []


def test_a_body_without_length_is_accepted_when_its_checksum_is_given(tmp_path):
    with serve(Behaviour(body=BODY, content_length=None)) as url:
        path = download(f"{url}/x.bin", tmp_path / "x.bin", sha256=DIGEST)
    assert path.read_bytes() == BODY


def test_a_stated_length_is_enough_without_a_checksum(tmp_path):
    with serve(Behaviour(body=BODY)) as url:
        path = download(f"{url}/x.bin", tmp_path / "x.bin")
    assert path.read_bytes() == BODY


@pytest.mark.parametrize("timeout", [-1, 0, float("nan"), float("inf"), "5", True])
def test_timeout_must_be_a_positive_number(tmp_path, timeout):
    with pytest.raises(ValueError, match="timeout must be a positive, finite number"):
        download("http://127.0.0.1:9/x.bin", tmp_path / "x.bin", timeout=timeout)
    assert _leftovers(tmp_path) == []


# --- downloads that were killed -----------------------------------------------------------


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_part_files_are_removed_by_the_next_download(tmp_path):
    stale = tmp_path / f".x.bin.{_dead_pid()}.k3y_9.part"
    stale.write_bytes(BODY[:100])
    live = tmp_path / f".x.bin.{os.getppid()}.abc.part"  # a writer that still runs
    live.write_bytes(BODY[:100])
    other = tmp_path / f".y.bin.{_dead_pid()}.abc.part"  # another file's: not ours to judge
    other.write_bytes(b"")
    with serve(Behaviour(body=BODY)) as url:
        download(f"{url}/x.bin", tmp_path / "x.bin", sha256=DIGEST)
    assert _leftovers(tmp_path) == sorted([live.name, other.name, "x.bin"])


_CHILD = """
import sys
from companion.data.download import download
download(sys.argv[1], sys.argv[2], sha256=sys.argv[3], timeout=60)
"""


@pytest.mark.skipif(os.name != "posix", reason="signals as on POSIX")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_download_killed_midway_is_cleaned_up_by_the_next(tmp_path, sig):
    dest = tmp_path / "x.bin"
    behaviour = Behaviour(body=BODY, pause=0.5, pieces=40)  # 20 s: killed long before the end
    with serve(behaviour) as url:
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, f"{url}/x.bin", str(dest), DIGEST], cwd=ROOT
        )
        try:
            deadline = time.monotonic() + 30
            while not (behaviour.hits and list(tmp_path.glob("*.part"))):
                assert child.poll() is None, "the download ended before it could be killed"
                assert time.monotonic() < deadline, "the download never started"
                time.sleep(0.05)
            time.sleep(0.6)  # some bytes are on their way
        finally:
            child.send_signal(sig)
            child.wait(timeout=30)
        assert child.returncode == -sig
        assert [p.suffix for p in tmp_path.iterdir()] == [".part"]  # what a kill leaves
        behaviour.pause = 0.0
        download(f"{url}/x.bin", dest, sha256=DIGEST)
    assert _leftovers(tmp_path) == ["x.bin"]
    assert sha256_of(dest) == DIGEST


# --- the registry of remote files ---------------------------------------------------------


@pytest.mark.parametrize("key", sorted(REMOTE_FILES))
def test_every_registered_file_states_url_checksum_size_and_source(key):
    remote = REMOTE_FILES[key]
    assert remote.url.startswith("https://") and remote.url.endswith(remote.name)
    assert len(remote.sha256) == 64 and set(remote.sha256) <= set("0123456789abcdef")
    assert isinstance(remote.size, int) and remote.size > 0
    assert len(remote.checksum_source) > 20
    assert not Path(remote.path).is_absolute() and ".." not in Path(remote.path).parts


def test_every_download_of_the_companion_goes_through_the_registry():
    # download() is called by fetch() alone; a loader that calls it directly bypasses the
    # registry (its URL, checksum and size).
    callers = []
    for path in sorted((ROOT / "companion").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("download", "urlopen", "urlretrieve", "hf_hub_download"):
                    callers.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert callers == [
        "companion/data/download.py:" + str(_line_of("download(remote.url")) + " download",
        "companion/data/download.py:" + str(_line_of("urllib.request.urlopen(")) + " urlopen",
    ]


def _line_of(text: str) -> int:
    lines = (ROOT / "companion" / "data" / "download.py").read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_fetch_downloads_checks_and_then_reads_the_cache(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    behaviour = Behaviour(body=BODY)
    with serve(behaviour) as url:
        remote = RemoteFile("t/x.bin", f"{url}/x.bin", DIGEST, len(BODY), "this test")
        first = fetch(remote)
        assert fetch(remote) == first == tmp_path / "llmbook" / "t" / "x.bin"
    assert behaviour.hits == ["/x.bin"]  # the second call read the cache


def test_fetch_reports_a_cached_copy_of_another_size_without_hashing_it(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "x.bin").write_bytes(BODY[:-1])
    remote = RemoteFile("t/x.bin", "https://unused/x.bin", DIGEST, len(BODY), "this test")
    with pytest.raises(ValueError, match=f"{len(BODY) - 1:,} bytes, not {len(BODY):,}"):
        fetch(remote)
    assert (tmp_path / "t" / "x.bin").read_bytes() == BODY[:-1]  # left for the reader


def test_fetch_never_writes_an_imposed_data_directory(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    remote = RemoteFile("t/x.bin", "https://unused/x.bin", DIGEST, len(BODY), "this test")
    with pytest.raises(FileNotFoundError, match="x.bin not found in .* To get it: download"):
        fetch(remote)
    assert list(tmp_path.iterdir()) == []


def test_fetch_refuses_what_is_not_a_remote_file():
    with pytest.raises(TypeError, match="remote must be a RemoteFile"):
        fetch("mnist")  # type: ignore[arg-type]
