"""Financial PhraseBank (Malo et al. 2014): sentences from financial news labelled by sentiment.

Used in chapters "Pre-training and fine-tuning" (Part II) and "Fine-tuning a pretrained encoder
for financial sentiment" (Part IV), and in the applications of Part V.

Where the data comes from, in order:

1. ``<data dir>/financial_phrasebank/all-data.csv`` (50% agreement) or
   ``sentences_allagree.csv`` (100% agreement): the widely used CSV re-packagings, whose bytes
   are fixed and checked by SHA-256. CI and the tests point ``COMPANION_DATA_DIR`` at a copy.
2. ``<data dir>/financial_phrasebank/FinancialPhraseBank-v1.0.zip``: the original release,
   downloaded on first use when no data directory is imposed, and checked by the size and
   SHA-256 that Hugging Face's ``datasets`` library published for it
   (:data:`companion.data.download.REMOTE_FILES`). Its text files (``sentence@label``,
   Latin-1) are parsed directly and checked by their class counts.

The licence is CC BY-NC-SA 3.0: cite the paper wherever the data is used.
"""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from companion.data import DATA_DIR_VARIABLE, data_dir
from companion.data.download import REMOTE_FILES, fetch, sha256_of
from companion.maths.validate import finite_scalar, int_scalar

__all__ = [
    "LABELS",
    "RELEASE",
    "RELEASE_URL",
    "SUBSETS",
    "PhraseBankSplit",
    "TfidfBaseline",
    "fit_tfidf_baseline",
    "load_phrasebank",
    "split_phrasebank",
]

#: Class names in label-id order (the Hugging Face convention: 0 negative, 1 neutral, 2 positive).
LABELS: tuple[str, ...] = ("negative", "neutral", "positive")

#: The original release, as published on the Hugging Face hub (dataset takala/financial_phrasebank),
#: with its size and SHA-256.
RELEASE = REMOTE_FILES["phrasebank"]
RELEASE_URL = RELEASE.url
_FOLDER = "financial_phrasebank"


@dataclass(frozen=True)
class _Subset:
    csv_name: str
    csv_sha256: str
    zip_member: str
    counts: dict[str, int]


#: The two agreement levels the book uses, with their files and class counts.
SUBSETS: dict[str, _Subset] = {
    "50agree": _Subset(
        "all-data.csv",
        "da2a57789cc6099aa27c6300550ca46d8351f9b4a6c8b03e32cf8081dd236d15",
        "FinancialPhraseBank-v1.0/Sentences_50Agree.txt",
        {"negative": 604, "neutral": 2879, "positive": 1363},
    ),
    "allagree": _Subset(
        "sentences_allagree.csv",
        "24f61d767c2fd153bed6561af797ad4e7c823ae1007ddc6b6189408fdf8501c7",
        "FinancialPhraseBank-v1.0/Sentences_AllAgree.txt",
        {"negative": 303, "neutral": 1391, "positive": 570},
    ),
}


@dataclass(frozen=True)
class PhraseBankSplit:
    """Stratified train / validation / test parts, each shaped like :func:`load_phrasebank`."""

    train: pd.DataFrame
    val: pd.DataFrame
    test: pd.DataFrame


def load_phrasebank(subset: str = "50agree", *, download_missing: bool = True) -> pd.DataFrame:
    """Load Financial PhraseBank as a table of sentences and labels, verified on load.

    Parameters
    ----------
    subset : {"50agree", "allagree"}
        Sentences on which at least half (4,846) or all (2,264) annotators agreed.
    download_missing : bool
        Download the original release into the cache when no file is found and
        ``COMPANION_DATA_DIR`` is not set.

    Returns
    -------
    pandas.DataFrame
        Columns ``sentence`` (str), ``label`` (categorical over :data:`LABELS`) and
        ``label_id`` (int64: 0 negative, 1 neutral, 2 positive), in file order.

    Raises
    ------
    ValueError
        For an unknown subset, a file whose checksum or class counts are not the published
        ones, or a malformed file.
    FileNotFoundError
        When the data is missing and cannot be downloaded; the message says how to get it.

    References
    ----------
    .. [1] Malo, Sinha, Korhonen, Wallenius, Takala, "Good debt or bad debt: Detecting
       semantic orientations in economic texts", JASIST 65(4), 2014.

    Examples
    --------
    >>> import os, pytest
    >>> if "COMPANION_DATA_DIR" not in os.environ: pytest.skip("needs the data directory")
    >>> load_phrasebank("allagree")["label"].value_counts()["neutral"]
    np.int64(1391)
    """
    if subset not in SUBSETS:
        raise ValueError(f"unknown subset {subset!r}: expected one of {sorted(SUBSETS)}")
    spec = SUBSETS[subset]
    csv_path = data_dir() / _FOLDER / spec.csv_name
    if csv_path.is_file():
        digest = sha256_of(csv_path)
        if digest != spec.csv_sha256:
            raise ValueError(
                f"{csv_path} is not the published file "
                f"(sha256 {digest}, expected {spec.csv_sha256}); "
                "delete it to download the original release instead"
            )
        table = _read_csv(csv_path, subset)
        _check_counts(table, spec.counts, subset)
        return table
    zip_path = data_dir() / RELEASE.path
    fresh = not zip_path.is_file()
    how = (
        f"download {RELEASE.url} and save it as {zip_path}, or set {DATA_DIR_VARIABLE} to a "
        f"folder holding {_FOLDER}/{spec.csv_name}"
    )
    fetch(RELEASE, download_missing=download_missing, how=how)
    try:
        table = _read_release(zip_path, spec.zip_member)
        _check_counts(table, spec.counts, subset)
    except ValueError:
        if fresh:  # a download that is not the release must not stay in the cache
            zip_path.unlink(missing_ok=True)
        raise
    return table


def split_phrasebank(
    df: pd.DataFrame, *, val_frac: float = 0.1, test_frac: float = 0.2, seed: int = 0
) -> PhraseBankSplit:
    """Split into train / validation / test, stratified by label and deterministic in ``seed``.

    Parameters
    ----------
    df : pandas.DataFrame
        A table from :func:`load_phrasebank` (needs a ``label`` column).
    val_frac, test_frac : float
        Fractions of the rows for validation and test; positive, summing to less than 1.
    seed : int
        Seed of the shuffle.

    Returns
    -------
    PhraseBankSplit
        Three DataFrames with fresh 0..n-1 indexes.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame, a fraction not a number, or ``seed`` not an int.
    ValueError
        For fractions out of range, a negative ``seed``, a table without a ``label`` column,
        or a table too small to give every label a row in each part (the message gives its
        size).

    Examples
    --------
    >>> labels = ["neutral", "positive"] * 15
    >>> df = pd.DataFrame({"sentence": list("abcdefghij") * 3, "label": labels})
    >>> parts = split_phrasebank(df, val_frac=0.2, test_frac=0.2)
    >>> len(parts.train), len(parts.val), len(parts.test)
    (18, 6, 6)
    """
    from sklearn.model_selection import train_test_split

    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame (got {type(df).__name__})")
    val_frac = finite_scalar("val_frac", val_frac)
    test_frac = finite_scalar("test_frac", test_frac)
    int_scalar("seed", seed, minimum=0, maximum=2**32 - 1)
    if "label" not in df.columns:
        raise ValueError(f"df must have a 'label' column (got columns {list(df.columns)})")
    for name, frac in (("val_frac", val_frac), ("test_frac", test_frac)):
        if not 0 < frac < 1:
            raise ValueError(f"{name} must lie in (0, 1) (got {name}={frac})")
    if val_frac + test_frac >= 1:
        raise ValueError(f"val_frac + test_frac must be < 1 (got {val_frac} + {test_frac})")
    try:
        rest, test = train_test_split(
            df, test_size=test_frac, stratify=df["label"], random_state=seed
        )
        train, val = train_test_split(
            rest, test_size=val_frac / (1 - test_frac), stratify=rest["label"], random_state=seed
        )
    except ValueError as err:  # scikit-learn: a part or a class too small to stratify
        counts = df["label"].value_counts(sort=False).to_dict()
        rows = f"{len(df)} row" if len(df) == 1 else f"{len(df)} rows"
        raise ValueError(
            f"df has {rows} (per label {counts}): too few for a stratified split with "
            f"val_frac={val_frac} and test_frac={test_frac}, which needs every label at least "
            f"once in each part ({err})"
        ) from err
    return PhraseBankSplit(*(part.reset_index(drop=True) for part in (train, val, test)))


@dataclass(frozen=True)
class TfidfBaseline:
    """The sentiment chapters' baseline, fitted: TF-IDF features and a logistic regression."""

    #: The scikit-learn pipeline, refitted on the training part with the chosen settings.
    model: object
    #: Inverse regularisation strength chosen on the validation part.
    C: float
    #: n-gram range chosen on the validation part.
    ngrams: tuple[int, int]
    #: Validation macro-F1 of every setting tried, by ``(C, ngrams)``.
    val_f1: dict
    #: Seconds the final refit took.
    fit_seconds: float


def fit_tfidf_baseline(
    split: PhraseBankSplit,
    *,
    Cs: tuple[float, ...] = (1.0, 10.0, 100.0),
    ngram_ranges: tuple[tuple[int, int], ...] = ((1, 1), (1, 2)),
) -> TfidfBaseline:
    """Fit the TF-IDF + logistic-regression baseline, its settings chosen on validation.

    Every pair of ``C`` and n-gram range is fitted on ``split.train`` and scored by macro-F1
    on ``split.val``; the best (the first of any tie, in the order ``C`` then n-grams) is
    fitted again on ``split.train``. Features are sub-linear TF-IDF; classes are weighted by
    their inverse frequency. The test part is not touched.

    Parameters
    ----------
    split : PhraseBankSplit
        From :func:`split_phrasebank`; needs ``sentence`` and ``label_id`` columns.
    Cs : tuple of float
        Positive inverse regularisation strengths to try.
    ngram_ranges : tuple of (int, int)
        ``(min_n, max_n)`` word n-gram ranges to try, ``1 <= min_n <= max_n``.

    Returns
    -------
    TfidfBaseline

    Raises
    ------
    TypeError
        If ``split`` is not a :class:`PhraseBankSplit`, or ``Cs`` or ``ngram_ranges`` is not
        a sequence of the kind described.
    ValueError
        If ``Cs`` or ``ngram_ranges`` is empty or holds a value out of range, or a part lacks
        the ``sentence`` or ``label_id`` column.

    Examples
    --------
    >>> words = ["profit rose", "sales fell", "the company said"] * 10
    >>> df = pd.DataFrame({"sentence": words, "label_id": [2, 0, 1] * 10})
    >>> split = PhraseBankSplit(df, df, df)
    >>> fitted = fit_tfidf_baseline(split, Cs=(1.0,), ngram_ranges=((1, 1),))
    >>> fitted.C, fitted.ngrams, fitted.model.predict(["sales fell"]).tolist()
    (1.0, (1, 1), [0])
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.pipeline import make_pipeline

    if not isinstance(split, PhraseBankSplit):
        raise TypeError(f"split must be a PhraseBankSplit (got {type(split).__name__})")
    Cs = _settings("Cs", Cs, _positive_c)
    ngram_ranges = _settings("ngram_ranges", ngram_ranges, _ngram_range)
    for part, table in (("train", split.train), ("val", split.val)):
        missing = {"sentence", "label_id"} - set(getattr(table, "columns", ()))
        if missing:
            raise ValueError(f"split.{part} lacks the columns {sorted(missing)}")

    def pipeline(C: float, ngrams: tuple[int, int]):  # noqa: ANN202 - a scikit-learn Pipeline
        return make_pipeline(
            TfidfVectorizer(ngram_range=ngrams, sublinear_tf=True),
            LogisticRegression(C=C, class_weight="balanced", max_iter=5000),
        )

    train_x, train_y = split.train["sentence"], split.train["label_id"].to_numpy()
    val_f1 = {}
    for C in Cs:
        for ngrams in ngram_ranges:
            predicted = pipeline(C, ngrams).fit(train_x, train_y).predict(split.val["sentence"])
            val_f1[C, ngrams] = f1_score(split.val["label_id"], predicted, average="macro")
    best_C, best_ngrams = max(val_f1, key=lambda key: val_f1[key])  # first of any tie
    start = time.perf_counter()
    model = pipeline(best_C, best_ngrams).fit(train_x, train_y)
    return TfidfBaseline(model, best_C, best_ngrams, val_f1, time.perf_counter() - start)


def _settings(name: str, values: object, check: object) -> tuple:
    if isinstance(values, (str, bytes)) or not isinstance(values, (tuple, list)):
        raise TypeError(f"{name} must be a tuple or list (got {type(values).__name__})")
    if not values:
        raise ValueError(f"{name} must not be empty")
    return tuple(check(name, value) for value in values)  # type: ignore[operator]


def _positive_c(name: str, value: object) -> float:
    return finite_scalar(f"{name} item", value, positive=True)


def _ngram_range(name: str, value: object) -> tuple[int, int]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name} items must be pairs (min_n, max_n) (got {value!r})")
    low, high = (int_scalar(f"{name} item", n, minimum=1, maximum=10) for n in value)
    if low > high:
        raise ValueError(f"{name} items must have min_n <= max_n (got {value!r})")
    return (low, high)


# --- reading -----------------------------------------------------------------------------


def _table(sentences: list[str], labels: list[str]) -> pd.DataFrame:
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise ValueError(
            f"unknown labels {unknown} in Financial PhraseBank data (expected {LABELS})"
        )
    label = pd.Categorical(labels, categories=list(LABELS))
    return pd.DataFrame(
        {
            "sentence": pd.Series(sentences, dtype=object),
            "label": label,
            "label_id": label.codes.astype(np.int64),
        }
    )


def _read_csv(path: Path, subset: str) -> pd.DataFrame:
    if subset == "50agree":  # header "label,news"
        raw = pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)
        return _table(raw["news"].tolist(), raw["label"].tolist())
    # header "label,sentence" but three fields per row: index, sentence, label id
    raw = pd.read_csv(
        path,
        encoding="latin-1",
        skiprows=1,
        header=None,
        names=["row", "sentence", "label_id"],
        dtype={"sentence": str},
        keep_default_na=False,
    )
    ids = raw["label_id"].to_numpy()
    if not np.isin(ids, [0, 1, 2]).all():
        raise ValueError(f"{path}: label ids must be 0, 1 or 2")
    return _table(raw["sentence"].tolist(), [LABELS[i] for i in ids])


def _read_release(zip_path: Path, member: str) -> pd.DataFrame:
    try:
        with zipfile.ZipFile(zip_path) as archive:
            text = archive.read(member).decode("latin-1")
    except (zipfile.BadZipFile, KeyError) as err:
        raise ValueError(
            f"{zip_path} is not the Financial PhraseBank release ({err}); delete it and retry"
        ) from err
    sentences, labels = [], []
    for line in io.StringIO(text):
        line = line.strip()
        if line:
            sentence, _, label = line.rpartition("@")
            sentences.append(sentence.strip())
            labels.append(label.strip())
    return _table(sentences, labels)


def _check_counts(table: pd.DataFrame, expected: dict[str, int], subset: str) -> None:
    found = {label: int((table["label"] == label).sum()) for label in LABELS}
    if found != expected:
        raise ValueError(
            f"Financial PhraseBank {subset}: class counts {found} "
            f"differ from the published {expected}"
        )
