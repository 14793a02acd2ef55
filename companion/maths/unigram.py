"""The unigram model: predict every token from its frequency alone, ignoring the context.

Explained in chapter "Pre-training a tiny BERT from scratch" (book/04_practice/tiny_bert).

A masked-language model that has learnt nothing from the context can still learn how often
each token occurs. Its best loss is then the cross-entropy of the held-out tokens under the
training frequencies, which is close to the entropy of the frequency distribution. A model
that uses the context must do better than this baseline; a model at initialisation, which
spreads its probability evenly, scores about ``log V`` instead, never less than the entropy.
All quantities are in nats (natural logarithms).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from companion.maths.validate import as_array, finite_scalar, int_scalar

__all__ = ["entropy", "top_k_accuracy", "unigram_cross_entropy", "unigram_probabilities"]


def unigram_probabilities(
    token_ids: ArrayLike, vocab_size: int, *, alpha: float = 1.0, exclude: Sequence[int] = ()
) -> np.ndarray:
    """Smoothed relative frequency of every token: ``(count + alpha) / sum(count + alpha)``.

    Parameters
    ----------
    token_ids : array_like of int, any shape
        The training tokens, ids in ``[0, vocab_size)``.
    vocab_size : int
        Number of token ids V, at least 1.
    alpha : float
        Add-alpha (Laplace) smoothing, >= 0, so that a token never seen in training keeps a
        finite loss; 0 gives the raw frequencies.
    exclude : sequence of int
        Ids that are never predicted (e.g. ``[PAD]``, ``[CLS]``, ``[SEP]``, ``[MASK]``): their
        occurrences are dropped and their probability is 0.

    Returns
    -------
    numpy.ndarray, shape (V,)
        Probabilities summing to 1.

    Raises
    ------
    TypeError
        If ``alpha`` is not a real number or ``exclude`` not a sequence.
    ValueError
        If ``vocab_size`` is not an int (NumPy integers are) or < 1, ``alpha`` < 0, an id lies
        outside ``[0, vocab_size)``, or no probability mass is left (no counted token and
        ``alpha`` = 0).

    Examples
    --------
    >>> unigram_probabilities([2, 2, 3], vocab_size=4, alpha=0).tolist()
    [0.0, 0.0, 0.6666666666666666, 0.3333333333333333]
    >>> unigram_probabilities([2, 2, 3], vocab_size=4, exclude=[0]).tolist()
    [0.0, 0.16666666666666666, 0.5, 0.3333333333333333]
    """
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)):
        raise ValueError(
            f"vocab_size must be a positive int, not {type(vocab_size).__name__} "
            f"(got vocab_size={vocab_size!r})"
        )
    if vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive int (got vocab_size={vocab_size!r})")
    int_scalar("vocab_size", vocab_size, maximum=2**31)
    vocab_size = int(vocab_size)
    alpha = finite_scalar("alpha", alpha)
    if not alpha >= 0:
        raise ValueError(f"alpha must be >= 0 (got alpha={alpha})")
    if isinstance(exclude, (str, bytes)) or not isinstance(exclude, Iterable):
        raise TypeError(f"exclude must be a sequence of token ids (got {exclude!r})")
    ids = _as_ids(token_ids, vocab_size, "token_ids").ravel()
    excluded = _as_ids(list(exclude), vocab_size, "exclude")
    counts = np.bincount(ids, minlength=vocab_size).astype(np.float64) + alpha
    counts[excluded] = 0.0
    total = counts.sum()
    if total <= 0:
        raise ValueError(
            "no probability mass: every token is excluded or alpha=0 with no counts "
            "(token_ids empty or all excluded)"
        )
    return counts / total


def entropy(p: ArrayLike) -> float:
    """Entropy ``-sum_k p_k log p_k`` of a probability vector, in nats (``0 log 0 = 0``).

    Parameters
    ----------
    p : array_like, shape (V,)
        Non-negative probabilities summing to 1 (to within 1e-9).

    Returns
    -------
    float
        Between 0 (one certain outcome) and ``log k`` for k outcomes of non-zero probability,
        reached by the uniform distribution.

    Raises
    ------
    ValueError
        If ``p`` is not a non-empty 1-D vector of non-negative numbers summing to 1.

    Examples
    --------
    >>> round(entropy([0.25, 0.25, 0.25, 0.25]), 6)  # log 4
    1.386294
    >>> entropy([1.0, 0.0])
    0.0
    """
    q = _as_distribution(p)
    nonzero = q[q > 0]
    return float(-(nonzero * np.log(nonzero)).sum()) + 0.0  # + 0.0 turns -0.0 into 0.0


def unigram_cross_entropy(p: ArrayLike, targets: ArrayLike) -> float:
    """Mean ``-log p[t]`` over the target tokens: the loss of a model that always predicts ``p``.

    Parameters
    ----------
    p : array_like, shape (V,)
        Probabilities summing to 1, e.g. from :func:`unigram_probabilities`.
    targets : array_like of int, shape (M,) or any shape
        The tokens to be predicted (e.g. the original tokens at held-out masked positions).

    Returns
    -------
    float
        In nats; equal to :func:`entropy` of ``p`` when the targets occur exactly with the
        frequencies ``p`` (Gibbs' inequality: never less than the targets' own entropy).

    Raises
    ------
    ValueError
        If ``p`` is not a distribution, ``targets`` is empty or holds ids outside
        ``[0, V)``, or a target has probability 0.

    Examples
    --------
    >>> round(unigram_cross_entropy([0.5, 0.25, 0.25], [0, 1]), 6)  # (log 2 + log 4) / 2
    1.039721
    """
    q = _as_distribution(p)
    t = _as_ids(targets, len(q), "targets").ravel()
    if t.size == 0:
        raise ValueError("targets must not be empty")
    if (q[t] == 0).any():
        raise ValueError(
            f"target token {int(t[q[t] == 0][0])} has probability 0: smooth p (alpha > 0)"
        )
    return float(-np.log(q[t]).mean())


def top_k_accuracy(scores: ArrayLike, targets: ArrayLike, k: int) -> float:
    """Share of targets among the k highest scores of their row (ties broken by lower id).

    Parameters
    ----------
    scores : array_like, shape (M, V) or (V,)
        Logits or probabilities, one row per target; a single row of shape (V,), such as
        unigram probabilities, is used for every target.
    targets : array_like of int, shape (M,)
        The true token of each row.
    k : int
        Number of guesses, ``1 <= k <= V``.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ValueError
        If the shapes do not match, ``k`` is out of range or a target is outside ``[0, V)``.

    Examples
    --------
    >>> top_k_accuracy([[0.1, 0.7, 0.2], [0.5, 0.1, 0.4]], [2, 2], k=2)
    1.0
    >>> top_k_accuracy([0.5, 0.3, 0.2], [0, 1, 2, 2], k=1)
    0.25
    """
    z = as_array("scores", scores, dtype=np.float64, finite=False)
    as_array("targets", targets, dtype=None, finite=False)
    t = np.asarray(targets)
    if z.ndim == 1:
        z = z[None, :]
    if z.ndim != 2 or t.ndim != 1 or z.shape[0] not in (1, len(t)) or t.size == 0:
        raise ValueError(
            f"scores must be (M, V) or (V,) for targets of shape (M,), M >= 1 "
            f"(got scores {np.shape(scores)}, targets {t.shape})"
        )
    vocab = z.shape[1]
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= vocab:
        raise ValueError(
            f"k must be an int in [1, {vocab}] (got k={k!r}; scores has {vocab} columns)"
        )
    t = _as_ids(t, vocab, "targets")
    top = np.argsort(-z, axis=1, kind="stable")[:, :k]  # (M or 1, k)
    return float((top == t[:, None]).any(axis=1).mean())


# --- validation ------------------------------------------------------------------------------


def _as_ids(ids: ArrayLike, vocab_size: int, name: str) -> np.ndarray:
    as_array(name, ids, dtype=None, finite=False)
    a = np.asarray(ids)
    if a.size == 0:
        return a.astype(np.int64)
    if not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{name} must be integer token ids (got dtype {a.dtype})")
    if a.min() < 0 or a.max() >= vocab_size:
        raise ValueError(
            f"{name} must lie in [0, {vocab_size}) (got values from {a.min()} to {a.max()})"
        )
    return a.astype(np.int64)


def _as_distribution(p: ArrayLike) -> np.ndarray:
    q = as_array("p", p, dtype=np.float64, finite=False)
    if q.ndim != 1 or q.size == 0:
        raise ValueError(f"p must be a non-empty 1-D vector (got shape {q.shape})")
    if not np.isfinite(q).all() or (q < 0).any() or abs(q.sum() - 1.0) > 1e-9:
        raise ValueError(f"p must be non-negative and sum to 1 (got sum {q.sum():.6g})")
    return q
