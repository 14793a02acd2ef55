"""companion.data: the data directory from the environment, the cache, and missing files."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.data import DATA_DIR_VARIABLE, data_dir, require_file


def test_environment_variable_names_the_directory(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    assert data_dir() == tmp_path


def test_default_is_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(DATA_DIR_VARIABLE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data_dir() == tmp_path / "llmbook"


def test_variable_pointing_nowhere_is_an_error(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path / "absent"))
    with pytest.raises(ValueError, match=f"{DATA_DIR_VARIABLE}=.* is not a directory"):
        data_dir()


def test_missing_file_error_says_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv(DATA_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="x.csv not found .* To get it: run make data"):
        require_file("x.csv", "run make data")
    (tmp_path / "x.csv").write_text("a\n")
    assert require_file("x.csv", "run make data") == tmp_path / "x.csv"


def test_ci_points_at_the_shared_copy():
    # .ci/run exports the shared data; when it does, the PhraseBank is there.
    import os

    if DATA_DIR_VARIABLE not in os.environ:
        pytest.skip(f"{DATA_DIR_VARIABLE} not set (only CI sets it)")
    assert (Path(os.environ[DATA_DIR_VARIABLE]) / "financial_phrasebank" / "all-data.csv").is_file()
