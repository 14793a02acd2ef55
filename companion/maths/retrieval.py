"""Retrieval by similarity, with the option to abstain: the NumPy side of an FAQ assistant.

Explained in chapter "A customer-service assistant" (book/05_applications/customer_service).
Ranking quality is measured with :func:`companion.maths.recsys.recall_at_k`.
"""

from __future__ import annotations

import sys

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array

__all__ = ["ABSTAIN", "answer_or_abstain", "choose_threshold", "cosine_similarity"]

#: The index :func:`answer_or_abstain` returns instead of an answer ("I don't know").
ABSTAIN = -1


def cosine_similarity(queries: ArrayLike, documents: ArrayLike) -> np.ndarray:
    """Cosine of the angle between every query vector and every document vector.

    Parameters
    ----------
    queries : array_like, shape (Q, H)
    documents : array_like, shape (D, H)
        No row may be all zeros.

    Returns
    -------
    numpy.ndarray, shape (Q, D)
        Values in [-1, 1].

    Raises
    ------
    ValueError
        If the inputs are not 2-D with the same width, are not finite, or a row is zero.

    Examples
    --------
    >>> cosine_similarity([[1.0, 0.0]], [[2.0, 0.0], [1.0, 1.0], [0.0, -3.0]]).round(4).tolist()
    [[1.0, 0.7071, 0.0]]
    """
    unit = []
    for name, x in (("queries", queries), ("documents", documents)):
        X = as_array(name, x, dtype=np.float64, finite=False)
        if X.ndim != 2 or not np.isfinite(X).all():
            raise ValueError(f"{name} must be a finite 2-D array (got shape {X.shape})")
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        if (norms == 0).any():
            raise ValueError(f"{name} has an all-zero row (row {int(np.argmin(norms))})")
        unit.append(X / norms)
    if unit[0].shape[1] != unit[1].shape[1]:
        raise ValueError(
            f"queries and documents must have the same width "
            f"(got {unit[0].shape[1]} and {unit[1].shape[1]})"
        )
    return np.clip(unit[0] @ unit[1].T, -1.0, 1.0)


def choose_threshold(top_scores: ArrayLike, coverage: float = 0.95) -> float:
    """The highest threshold that still answers a share ``coverage`` of in-scope queries.

    The threshold is one of the observed scores (the empirical quantile at ``1 - coverage``,
    rounded down), so at least ``coverage`` of ``top_scores`` are ``>=`` it.

    Parameters
    ----------
    top_scores : array_like, shape (Q,)
        Each in-scope query's best similarity.
    coverage : float
        In (0, 1].

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``top_scores`` is empty or not finite, or ``coverage`` is outside (0, 1].

    Examples
    --------
    >>> choose_threshold([0.9, 0.8, 0.7, 0.3], coverage=0.75)
    0.7
    """
    s = np.sort(as_array("top_scores", top_scores, dtype=np.float64, finite=False).ravel())
    if s.size == 0 or not np.isfinite(s).all():
        raise ValueError(f"top_scores must be non-empty and finite (got {s.size} values)")
    if (
        isinstance(coverage, bool)
        or not isinstance(coverage, (int, float))
        or not 0 < coverage <= 1
    ):
        raise ValueError(f"coverage must lie in (0, 1] (got coverage={coverage!r})")
    n_below = int(np.floor((1.0 - coverage) * s.size + 1e-9))  # queries allowed to abstain
    return float(s[n_below])


def answer_or_abstain(similarities: ArrayLike, threshold: float) -> np.ndarray:
    """Each query's best document, or :data:`ABSTAIN` where even the best is below ``threshold``.

    Parameters
    ----------
    similarities : array_like, shape (Q, D)
    threshold : float

    Returns
    -------
    numpy.ndarray of int, shape (Q,)

    Examples
    --------
    >>> answer_or_abstain([[0.2, 0.9], [0.3, 0.1]], threshold=0.5).tolist()
    [1, -1]
    """
    S = as_array("similarities", similarities, dtype=np.float64, finite=False)
    if S.ndim != 2 or S.shape[1] == 0 or not np.isfinite(S).all():
        raise ValueError(f"similarities must be a finite (Q, D) array with D >= 1 (got {S.shape})")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise ValueError(f"threshold must be a number (got threshold={threshold!r})")
    if abs(threshold) > sys.float_info.max:
        raise ValueError("threshold is too large for a float (over 1.8e308)")
    best = np.argmax(S, axis=1)
    return np.where(S.max(axis=1) >= threshold, best, ABSTAIN)
