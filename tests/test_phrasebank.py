"""companion.data.phrasebank: the shared copy, the original release, splits and errors."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from servers import Behaviour, serve

from companion.data import DATA_DIR_VARIABLE, phrasebank
from companion.data.download import RemoteFile
from companion.data.phrasebank import LABELS, load_phrasebank, split_phrasebank

# The read-only copy CI points at; beside the repository otherwise.
SHARED = Path(
    os.environ.get(DATA_DIR_VARIABLE) or Path(__file__).resolve().parents[2] / "shared" / "data"
)
needs_shared = pytest.mark.skipif(
    not (SHARED / "financial_phrasebank" / "all-data.csv").is_file(),
    reason="../shared/data is not beside the repo",
)


@pytest.fixture
def shared_data(monkeypatch):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(SHARED))


@needs_shared
@pytest.mark.usefixtures("shared_data")
@pytest.mark.parametrize(
    ("subset", "counts"),
    [("50agree", (604, 2879, 1363)), ("allagree", (303, 1391, 570))],
)
def test_published_counts(subset, counts):
    df = load_phrasebank(subset)
    assert list(df.columns) == ["sentence", "label", "label_id"]
    assert tuple(int((df["label"] == name).sum()) for name in LABELS) == counts
    assert (df["label_id"] == df["label"].cat.codes).all()
    assert df["sentence"].str.len().min() > 0


@needs_shared
@pytest.mark.usefixtures("shared_data")
def test_known_first_sentence_and_label():
    df = load_phrasebank("50agree")
    assert df.loc[0, "sentence"].startswith("According to Gran , the company has no plans")
    assert df.loc[0, "label"] == "neutral"


@needs_shared
@pytest.mark.usefixtures("shared_data")
def test_split_is_stratified_disjoint_and_deterministic():
    df = load_phrasebank("allagree")
    a, b = split_phrasebank(df, seed=3), split_phrasebank(df, seed=3)
    pd.testing.assert_frame_equal(a.test, b.test)
    assert len(a.train) + len(a.val) + len(a.test) == len(df)
    together = pd.concat([a.train, a.val, a.test])["sentence"].sort_values().tolist()
    assert together == df["sentence"].sort_values().tolist()  # a partition: every row once
    for part in (a.train, a.val, a.test):
        share = part["label"].value_counts(normalize=True)["neutral"]
        assert abs(share - 1391 / 2264) < 0.01
    assert not split_phrasebank(df, seed=4).test.equals(a.test)


def _release_zip_from(csv: Path) -> bytes:
    """The release's layout rebuilt from the shared CSV: sentence@label lines, Latin-1."""
    raw = pd.read_csv(csv, encoding="latin-1", dtype=str, keep_default_na=False)
    text = "".join(f"{s}@{label}\r\n" for s, label in zip(raw["news"], raw["label"], strict=True))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("FinancialPhraseBank-v1.0/Sentences_50Agree.txt", text.encode("latin-1"))
    return buffer.getvalue()


def _release_at(url: str, body: bytes) -> RemoteFile:
    """The registered release, moved to a test server that serves ``body``."""
    return dataclasses.replace(
        phrasebank.RELEASE, url=url, sha256=hashlib.sha256(body).hexdigest(), size=len(body)
    )


@needs_shared
def test_downloads_and_parses_the_release_when_missing(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    body = _release_zip_from(SHARED / "financial_phrasebank" / "all-data.csv")
    with serve(Behaviour(body=body)) as url:
        monkeypatch.setattr(phrasebank, "RELEASE", _release_at(f"{url}/release.zip", body))
        df = load_phrasebank("50agree")
    assert len(df) == 4846
    assert (
        tmp_path / "llmbook" / "financial_phrasebank" / "FinancialPhraseBank-v1.0.zip"
    ).is_file()


def test_a_download_with_another_checksum_is_never_kept(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with serve(Behaviour(body=b"<html>a login page, not the zip</html>")) as url:
        release = dataclasses.replace(phrasebank.RELEASE, url=f"{url}/release.zip")
        monkeypatch.setattr(phrasebank, "RELEASE", release)
        with pytest.raises(FileNotFoundError, match="could not be downloaded .*sha256 mismatch"):
            load_phrasebank("50agree")
    assert list((tmp_path / "llmbook" / "financial_phrasebank").iterdir()) == []


def test_a_download_that_is_not_the_release_is_removed(monkeypatch, tmp_path):
    # The bytes match the (test's) checksum but are no zip: parsed, refused, removed.
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    body = b"<html>not a zip</html>"
    with serve(Behaviour(body=body)) as url:
        monkeypatch.setattr(phrasebank, "RELEASE", _release_at(f"{url}/release.zip", body))
        with pytest.raises(ValueError, match="is not the Financial PhraseBank release"):
            load_phrasebank("50agree")
    assert list((tmp_path / "llmbook" / "financial_phrasebank").iterdir()) == []


def test_a_cached_release_of_another_size_is_reported(monkeypatch, tmp_path):
    folder = tmp_path / "llmbook" / "financial_phrasebank"
    folder.mkdir(parents=True)
    (folder / "FinancialPhraseBank-v1.0.zip").write_bytes(b"PK truncated")
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(ValueError, match="is not the published FinancialPhraseBank-v1.0.zip"):
        load_phrasebank("allagree")


def test_offline_and_missing_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with serve(Behaviour()) as url:
        dead = url
    release = dataclasses.replace(phrasebank.RELEASE, url=f"{dead}/release.zip")
    monkeypatch.setattr(phrasebank, "RELEASE", release)
    with pytest.raises(FileNotFoundError, match="could not be downloaded .* To get it: download"):
        load_phrasebank("50agree")


def test_imposed_data_dir_without_the_file_never_downloads(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(FileNotFoundError, match=f"not found in .* or set {DATA_DIR_VARIABLE}"):
        load_phrasebank("allagree")


@needs_shared
def test_modified_csv_is_rejected_by_checksum(monkeypatch, tmp_path):
    folder = tmp_path / "financial_phrasebank"
    folder.mkdir()
    shutil.copy(SHARED / "financial_phrasebank" / "all-data.csv", folder / "all-data.csv")
    with open(folder / "all-data.csv", "a", encoding="latin-1") as f:
        f.write('neutral,"an extra sentence ."\n')
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(ValueError, match="is not the published file"):
        load_phrasebank("50agree")


def test_wrong_counts_are_rejected(monkeypatch, tmp_path):
    folder = tmp_path / "llmbook" / "financial_phrasebank"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "FinancialPhraseBank-v1.0.zip", "w") as archive:
        archive.writestr(
            "FinancialPhraseBank-v1.0/Sentences_AllAgree.txt", "Profit rose .@positive\n"
        )
    body = (folder / "FinancialPhraseBank-v1.0.zip").read_bytes()
    monkeypatch.setattr(phrasebank, "RELEASE", _release_at("https://unused/release.zip", body))
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(ValueError, match="class counts .* differ from the published"):
        load_phrasebank("allagree")


def test_unknown_subset_is_rejected():
    with pytest.raises(ValueError, match="unknown subset '66agree'"):
        load_phrasebank("66agree")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"val_frac": 0.0}, r"val_frac must lie in \(0, 1\)"),
        ({"test_frac": 1.0}, r"test_frac must lie in \(0, 1\)"),
        ({"val_frac": 0.5, "test_frac": 0.5}, "val_frac \\+ test_frac must be < 1"),
    ],
)
def test_split_rejects_bad_fractions(kwargs, message):
    df = pd.DataFrame({"sentence": ["a", "b"] * 10, "label": ["neutral", "positive"] * 10})
    with pytest.raises(ValueError, match=message):
        split_phrasebank(df, **kwargs)


def test_split_needs_a_label_column():
    with pytest.raises(ValueError, match="df must have a 'label' column"):
        split_phrasebank(pd.DataFrame({"text": ["a"]}))
